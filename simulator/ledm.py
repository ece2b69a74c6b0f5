"""LEDM documents rendered from a printer's state.

Each dynamic document is the profile's captured document with the values that
depend on state edited in place, so namespaces, prefixes, element order and
the captured quirks (``used`` cartridges, PEID attributes, Italian panel
text) stay as the real printer sent them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
import xml.etree.ElementTree as ET

if TYPE_CHECKING:
    from collections.abc import Callable

    from .profiles import SupplySpec
    from .state import Condition, PrinterState
    from .store import CaptureStore

DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
PSDYN: Final = "http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31"
PSCAT: Final = (
    "http://www.hp.com/schemas/imaging/con/ledm/productstatuscategories/2007/10/31"
)
AD: Final = "http://www.hp.com/schemas/imaging/con/ledm/alertdetails/2007/10/31"
LOCID: Final = "http://www.hp.com/schemas/imaging/con/ledm/localizationids/2007/10/31"
CCDYN: Final = (
    "http://www.hp.com/schemas/imaging/con/ledm/consumableconfigdyn/2007/11/19"
)
PUDYN: Final = "http://www.hp.com/schemas/imaging/con/ledm/productusagedyn/2007/12/11"
PRDCFG: Final = "http://www.hp.com/schemas/imaging/con/ledm/productconfigdyn/2007/11/05"
EPRINT: Final = "http://www.hp.com/schemas/imaging/con/eprint/2010/04/30"
IOMGMT: Final = "http://www.hp.com/schemas/imaging/con/ledm/iomgmt/2008/11/30"

PRODUCT_STATUS: Final = "/DevMgmt/ProductStatusDyn.xml"
CONSUMABLES: Final = "/DevMgmt/ConsumableConfigDyn.xml"
USAGE: Final = "/DevMgmt/ProductUsageDyn.xml"
PRODUCT_CONFIG: Final = "/DevMgmt/ProductConfigDyn.xml"
EPRINT_CONFIG: Final = "/ePrint/ePrintConfigDyn.xml"
ADAPTERS: Final = "/IoMgmt/Adapters"

# locid:StringId values seen in the captures (ENVY Photo 7830, OfficeJet 9022e).
_STRING_IDS: Final = {"inPowerSave": "65640", "trayEmpty": "65921"}

# Panel texts for profiles whose captures carry LocString (M255dw: Italian).
_MESSAGES: Final = {
    "it": {
        "ready": "Pronta",
        "processing": "Stampa in corso",
        "inPowerSave": "Modalità Pausa attiva.",
        "jamInPrinter": "Inceppamento carta",
        "closeDoorOrCover": "Chiudere lo sportello",
        "trayEmptyOrOpen": "Caricare carta nel vassoio",
        "trayEmpty": "Caricare carta nel vassoio",
        "cartridgeMissing": "Cartuccia mancante",
        "cartridgeLow": "Livello cartuccia basso",
        "cartridgeVeryLow": "Livello cartuccia molto basso",
        "outputBinFull": "Scomparto di uscita pieno",
    },
}


def base_category(state: PrinterState) -> str:
    """What the printer does when nothing is wrong."""
    if state.printing:
        return "processing"
    if state.power_save:
        return "inPowerSave"
    return "ready"


def status_categories(state: PrinterState) -> tuple[str, ...]:
    """StatusCategory values, most significant first.

    The active conditions (errors before warnings), then what the printer
    does. LEDM lists them all; CDM ``system/v1/status`` carries the first, so
    both families agree on what matters most.
    """
    categories = [c.ledm for c in state.conditions()]
    categories.append(base_category(state))
    return tuple(dict.fromkeys(categories))


def status_category(state: PrinterState) -> str:
    """The most significant StatusCategory (CDM's single ``status``)."""
    return status_categories(state)[0]


def _q(uri: str, local: str) -> str:
    return f"{{{uri}}}{local}"


def _child(parent: ET.Element, uri: str, local: str) -> ET.Element | None:
    return parent.find(_q(uri, local))


class _Indent:
    """Indentation of new elements that matches the captured document."""

    def __init__(self, root: ET.Element) -> None:
        self.pretty = "\n" in (root.text or "")

    def apply(self, element: ET.Element, depth: int) -> None:
        if not self.pretty:
            return
        inner = "\n" + "\t" * (depth + 1)
        if len(element):
            element.text = inner
            for child in element:
                self.apply(child, depth + 1)
                child.tail = inner
            element[-1].tail = "\n" + "\t" * depth


def _element(uri: str, local: str, text: str | None = None) -> ET.Element:
    element = ET.Element(_q(uri, local))
    element.text = text
    return element


def _sub(parent: ET.Element, uri: str, local: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _q(uri, local))
    element.text = text
    return element


def product_status(state: PrinterState, store: CaptureStore) -> bytes:
    """ProductStatusDyn: one Status per condition, then the base state."""
    template = store.xml(PRODUCT_STATUS)
    root = template.copy_root()
    indent = _Indent(root)
    children = list(root)
    captured = [c for c in children if c.tag == _q(PSDYN, "Status")]
    position = children.index(captured[0]) if captured else 1
    tail = captured[0].tail if captured else None
    for status in captured:
        root.remove(status)
    conditions = state.conditions()
    language = state.profile.language
    for offset, category in enumerate(status_categories(state)):
        status = _element(PSDYN, "Status")
        _sub(status, PSCAT, "StatusCategory", category)
        message = _MESSAGES.get(language, {}).get(category)
        if language and message:
            _sub(status, PSDYN, "LocString", message).set("lang", language)
        elif category in _STRING_IDS:
            _sub(status, LOCID, "StringId", _STRING_IDS[category])
        indent.apply(status, 1)
        status.tail = tail
        root.insert(position + offset, status)
    table = _child(root, PSDYN, "AlertTable")
    if table is not None:
        _alert_table(table, state, conditions, indent)
    return template.render(root)


def _alert_table(
    table: ET.Element,
    state: PrinterState,
    conditions: tuple[Condition, ...],
    indent: _Indent,
) -> None:
    number = _child(table, DD, "ModificationNumber")
    if number is not None:
        number.text = str(int(number.text or "0") + state.modification_number)
    for alert in table.findall(_q(PSDYN, "Alert")):
        # Routine Info alerts (genuineHP) stay; captured problems are replaced.
        severity = alert.find(_q(AD, "Severity"))
        if severity is None or severity.text != "Info":
            table.remove(alert)
    inner = table.text
    closing = table[-1].tail if len(table) else None
    for condition in conditions:
        alert = _alert(state, condition)
        indent.apply(alert, 2)
        table.append(alert)
    for child in table:
        child.tail = inner
    if len(table):
        table[-1].tail = closing


def _alert(state: PrinterState, condition: Condition) -> ET.Element:
    alert = _element(PSDYN, "Alert")
    _sub(alert, AD, "ProductStatusAlertID", condition.ledm)
    _sub(alert, DD, "SequenceNumber", str(state.sequence_number(condition)))
    _sub(alert, AD, "Severity", condition.severity)
    _sub(alert, AD, "AlertPriority", "1" if condition.blocking else "209")
    spec = condition.supply
    if spec is not None:
        details = ET.SubElement(alert, _q(AD, "AlertDetails"))
        _sub(details, AD, "AlertDetailsMarkerColor", spec.marker_color)
        _sub(details, AD, "AlertDetailsConsumableTypeEnum", spec.kind)
        _sub(details, AD, "AlertDetailsMarkerLocation", str(spec.station))
        resource = ("/DevMgmt/ConsumableConfigDyn.xml", "ConsumableConfigDyn")
    elif condition.name == "out_of_paper":
        details = ET.SubElement(alert, _q(AD, "AlertDetails"))
        _sub(details, AD, "AlertDetailsInputBin", "Tray1")
        resource = ("/DevMgmt/MediaHandlingDyn.xml", "MediaHandlingDyn")
    else:
        resource = ("/DevMgmt/ProductStatusDyn.xml", "ProductStatusDyn")
    _sub(alert, DD, "ResourceURI", resource[0])
    _sub(alert, DD, "ResourceType", f"ledm:hpLedm{resource[1]}")
    return alert


def _supply_by_station(state: PrinterState, element: ET.Element) -> SupplySpec | None:
    """The supply an element describes: by station, else by marker colour."""
    station = element.find(_q(DD, "ConsumableStation"))
    color = element.find(_q(DD, "MarkerColor"))
    for spec in state.profile.supplies:
        if station is not None and station.text == str(spec.station):
            return spec
        if station is None and color is not None and color.text == spec.marker_color:
            return spec
    return None


def consumables(state: PrinterState, store: CaptureStore) -> bytes:
    """ConsumableConfigDyn with levels and states from the state."""
    template = store.xml(CONSUMABLES)
    root = template.copy_root()
    for info in root.findall(_q(CCDYN, "ConsumableInfo")):
        spec = _supply_by_station(state, info)
        if spec is None or not spec.measured:
            continue
        level = state.level(spec)
        percent = info.find(_q(DD, "ConsumablePercentageLevelRemaining"))
        if percent is not None:
            if level is None:
                info.remove(percent)
            else:
                percent.text = str(level)
        life = info.find(f"{{{DD}}}ConsumableLifeState/{{{DD}}}ConsumableState")
        names = {c.name for c in state.conditions() if c.supply == spec}
        if life is not None:
            if "supply_missing" in names:
                life.text = "missing"
            elif "supply_very_low" in names:
                life.text = "veryLow"
            elif "supply_low" in names:
                life.text = "low"
    return template.render(root)


_COUNTER_ELEMENTS: Final = {
    "TotalImpressions": "total_pages",
    "MonochromeImpressions": "monochrome_pages",
    "ColorImpressions": "color_pages",
    "DuplexSheets": "duplex_sheets",
    "JamEvents": "jam_events",
}


def usage(state: PrinterState, store: CaptureStore) -> bytes:
    """ProductUsageDyn with the counters and pages remaining from the state."""
    template = store.xml(USAGE)
    root = template.copy_root()
    subunit = _child(root, PUDYN, "PrinterSubunit")
    if subunit is not None:
        for local, counter in _COUNTER_ELEMENTS.items():
            element = _child(subunit, DD, local)
            value = state.counters.get(counter)
            if element is not None and value is not None:
                element.text = str(value)
    for consumable in root.iter(_q(PUDYN, "Consumable")):
        spec = _supply_by_station(state, consumable)
        if spec is None:
            continue
        remaining = _child(consumable, DD, "EstimatedPagesRemaining")
        pages = state.pages_remaining(spec)
        if remaining is not None and pages is not None:
            remaining.text = str(pages)
        raw = _child(consumable, DD, "ConsumableRawPercentageLevelRemaining")
        level = state.level(spec)
        if raw is not None and level is not None:
            raw.text = str(level)
    return template.render(root)


def _set_all(root: ET.Element, tag: str, value: Callable[[int], str]) -> None:
    for index, element in enumerate(root.iter(tag)):
        element.text = value(index)


def product_config(state: PrinterState, store: CaptureStore) -> bytes:
    """ProductConfigDyn with this printer's serial number and UUID."""
    template = store.xml(PRODUCT_CONFIG)
    root = template.copy_root()
    identity = state.identity
    info = root.find(_q(PRDCFG, "ProductInformation"))
    target = root if info is None else info
    _set_all(target, _q(DD, "SerialNumber"), lambda _: identity.serial)
    _set_all(target, _q(DD, "UUID"), lambda _: identity.uuid)
    return template.render(root)


def eprint_config(state: PrinterState, store: CaptureStore) -> bytes:
    """EPrintConfigDyn with this printer's serial number."""
    template = store.xml(EPRINT_CONFIG)
    root = template.copy_root()
    _set_all(root, _q(DD, "SerialNumber"), lambda _: state.identity.serial)
    return template.render(root)


def adapters(state: PrinterState, store: CaptureStore) -> bytes:
    """IoMgmt/Adapters with this printer's MAC addresses (one per adapter)."""
    template = store.xml(ADAPTERS)
    root = template.copy_root()
    base = int(state.identity.mac.replace(":", ""), 16)
    _set_all(
        root,
        _q(DD, "MacAddress"),
        lambda index: f"{(base + index) & 0xFFFFFFFFFFFF:012x}",
    )
    return template.render(root)


RENDERERS: Final[dict[str, Callable[[PrinterState, CaptureStore], bytes]]] = {
    PRODUCT_STATUS: product_status,
    CONSUMABLES: consumables,
    USAGE: usage,
    PRODUCT_CONFIG: product_config,
    EPRINT_CONFIG: eprint_config,
    ADAPTERS: adapters,
}
