"""LEDM ("Low End Data Model"): HP's XML documents under ``/DevMgmt/``.

Pure parsers from response bytes to the protocol-neutral models. The rules
come from real captures (see docs/protocols.md §4): namespaces are matched by URI
family and local name, never by prefix; ``Status`` is a list; numbers may be
padded, negative or decimal; unknown values are kept raw.

Supply and identity words HP uses in CDM too live in ``vocabulary`` (HP's
own HPLIP maps both protocols with one table).

Documents are untrusted: ``xmlsafe`` bounds their size and tag count, and
the parsers stop at ``MAX_SUPPLIES`` supplies, ``MAX_ALERTS`` alerts and
``MAX_CODES`` status codes instead of reading whatever a printer lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import islice
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_CODES,
    MAX_RESOURCES,
    MAX_SUPPLIES,
    MAX_TEXT,
    Alert,
    ChangeMarker,
    Counters,
    PrinterInfo,
    PrinterProtocol,
    PrinterStatus,
    Supply,
    SupplyKind,
)
from custom_components.hp_ews.client.status import severity, status_from_codes

from .vocabulary import (
    count,
    exact_model,
    is_instant_ink,
    marker_color,
    normalize_uuid,
    percent,
    supply_keys,
    supply_kind,
    supply_state,
)
from .xmlsafe import (
    child,
    child_text,
    children,
    index,
    is_hp_element,
    iter_children,
    parse_int,
    parse_xml,
    text,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from xml.etree.ElementTree import Element

DISCOVERY_TREE: Final = "/DevMgmt/DiscoveryTree.xml"
PRODUCT_CONFIG: Final = "/DevMgmt/ProductConfigDyn.xml"
PRODUCT_STATUS: Final = "/DevMgmt/ProductStatusDyn.xml"
CONSUMABLES: Final = "/DevMgmt/ConsumableConfigDyn.xml"
USAGE: Final = "/DevMgmt/ProductUsageDyn.xml"


@dataclass(frozen=True, slots=True)
class LedmUsage:
    """What ``ProductUsageDyn`` tells: page counters and pages left per colour."""

    counters: Counters
    pages_remaining: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """EstimatedPagesRemaining keyed by HP colour code (K, C, M, Y, CMY...)."""


def _root(data: bytes, name: str) -> Element:
    root = parse_xml(data)
    if not is_hp_element(root, name):
        raise HPEWSParseError(f"expected an LEDM {name} document, got <{root.tag}>")
    return root


_SERVER_SERIAL: Final = re.compile(r"Serial Number:\s*([^;]{1,64})", re.IGNORECASE)


def server_serial(header: str | None) -> str | None:
    """The serial number in an HP web server's ``Server`` header, if it names one.

    ``HP HTTP Server; HP Officejet 6500 E710n-z - CN557A; Serial Number:
    CN00K000MP00AA; ...`` (docs/protocols.md §4.7): every answer names the printer
    that sent it, which tells a swapped printer apart at no extra request.
    """
    if not header:
        return None
    match = _SERVER_SERIAL.search(header[:1024])
    if match is None:
        return None
    return match.group(1).strip() or None


def parse_discovery_tree(data: bytes) -> tuple[str, ...]:
    """Resource and manifest paths a printer lists in ``DiscoveryTree.xml``."""
    root = _root(data, "DiscoveryTree")
    paths: dict[str, None] = {}
    for node in root:
        for name in ("ResourceURI", "ManifestURI"):
            path = child_text(node, name)
            if path is not None and path.startswith("/"):
                paths[path] = None
        if len(paths) >= MAX_RESOURCES:
            break
    return tuple(paths)[:MAX_RESOURCES]


def parse_product_config(data: bytes) -> PrinterInfo:
    """Identity from ``ProductConfigDyn.xml``.

    Newer firmware wraps a 2007/11/05 ``ProductInformation`` in a 2009/03/16
    root; both versions are accepted. ``MakeAndModel`` is often the series,
    the exact model is completed from ``SKUIdentifier``.
    """
    root = _root(data, "ProductConfigDyn")
    info = child(root, "ProductInformation")
    fields = index(info if info is not None else root)
    name = (
        text(fields.get("MakeAndModel"))
        or text(fields.get("MakeAndModelBase"))
        or text(fields.get("MakeAndModelFamily"))
    )
    model, series = exact_model(name, text(fields.get("SKUIdentifier")))
    return PrinterInfo(
        model=model,
        series=series,
        serial_number=text(fields.get("SerialNumber")),
        firmware=child_text(fields.get("Version"), "Revision"),
        uuid=normalize_uuid(text(fields.get("UUID"))),
        product_number=text(fields.get("ProductNumber")),
    )


def parse_product_status(data: bytes) -> PrinterStatus:
    """State, condition flags and alerts from ``ProductStatusDyn.xml``.

    Every ``Status`` counts (the ENVY 7830 reports ``trayEmpty`` and
    ``inPowerSave`` together). The message is the first status that carries
    text, one line per ``LocString`` as the panel shows them.
    """
    root = _root(data, "ProductStatusDyn")
    codes: list[str] = []
    message: str | None = None
    for status in children(root, "Status", MAX_CODES):
        code = child_text(status, "StatusCategory")
        if code is not None:
            codes.append(code)
        if message is None:
            message = _lines(status)
    table = child(root, "AlertTable")
    alerts = tuple(islice(_alerts(table), MAX_ALERTS))
    modification = child_text(table, "ModificationNumber")
    return status_from_codes(
        codes,
        alerts=alerts,
        message=message,
        change_marker=None
        if modification is None
        else ChangeMarker(alert_table=modification),
    )


def _lines(parent: Element) -> str | None:
    """The ``LocString`` texts of ``parent``, one per line, as the panel shows them."""
    lines = [
        line for node in iter_children(parent, "LocString") if (line := text(node))
    ]
    return "\n".join(lines)[:MAX_TEXT] or None


def _alerts(table: Element | None) -> Iterator[Alert]:
    for node in iter_children(table, "Alert"):
        fields = index(node)
        code = text(fields.get("ProductStatusAlertID"))
        if code is None:
            continue
        color = child_text(fields.get("AlertDetails"), "AlertDetailsMarkerColor")
        message = _lines(node) if "LocString" in fields else None
        yield Alert(
            code=code,
            severity=severity(text(fields.get("Severity")), code),
            source=PrinterProtocol.LEDM,
            message=message,
            color=marker_color(color) if color else None,
        )


def parse_consumables(data: bytes) -> tuple[Supply, ...]:
    """Supplies from ``ConsumableConfigDyn.xml``, in the printer's order."""
    root = _root(data, "ConsumableConfigDyn")
    infos = [index(node) for node in children(root, "ConsumableInfo", MAX_SUPPLIES)]
    has_tanks = any(
        (text(fields.get("ConsumableTypeEnum")) or "").casefold() == "inktank"
        for fields in infos
    )
    drafts: list[Supply] = []
    stations: list[str | None] = []
    for fields in infos:
        color = text(fields.get("ConsumableLabelCode")) or ""
        raw_kind = text(fields.get("ConsumableTypeEnum"))
        kind = supply_kind(raw_kind, has_tanks=has_tanks)
        life = index(fields.get("ConsumableLifeState"))
        raw_state = text(life.get("ConsumableState"))
        level = _level(fields, life, kind, raw_kind)
        drafts.append(
            Supply(
                key="",
                color=color,
                kind=kind,
                state=supply_state(raw_state, level),
                level_percent=level,
                part_number=_part_number(fields),
                genuine=_genuine(text(life.get("Brand"))),
                raw_kind=raw_kind,
                raw_state=raw_state,
            )
        )
        stations.append(text(fields.get("ConsumableStation")))
    keys = supply_keys(
        (supply.kind, supply.color, station)
        for supply, station in zip(drafts, stations, strict=True)
    )
    return tuple(
        replace(supply, key=key) for supply, key in zip(drafts, keys, strict=True)
    )


def _level(
    fields: Mapping[str, Element],
    life: Mapping[str, Element],
    kind: SupplyKind,
    raw_kind: str | None,
) -> int | None:
    # A Smart Tank's "inkCartridge" is its printhead; the percentage it
    # reports is not an ink level.
    if kind is SupplyKind.PRINTHEAD and (raw_kind or "").casefold() != "printhead":
        return None
    if (text(life.get("MeasuredQuantityState")) or "").casefold() == "unknown":
        return None
    if (text(fields.get("IsSupplyLevelUnknown")) or "").casefold() == "true":
        return None
    return percent(parse_int(text(fields.get("ConsumablePercentageLevelRemaining"))))


def _part_number(fields: Mapping[str, Element]) -> str | None:
    selectability = text(fields.get("ConsumableSelectibilityNumber"))
    if selectability is not None and not is_instant_ink(selectability):
        return selectability
    return text(fields.get("ProductNumber"))


def _genuine(brand: str | None) -> bool | None:
    if brand is None:
        return None
    value = brand.casefold()
    if value == "hp":
        return True
    if value in ("clone", "nonhp", "non-hp", "counterfeit", "refilled"):
        return False
    return None


def parse_usage(data: bytes) -> LedmUsage:
    """Counters and pages remaining from ``ProductUsageDyn.xml``."""
    root = _root(data, "ProductUsageDyn")
    fields = index(root)
    printer = index(fields.get("PrinterSubunit"))
    scanner = index(fields.get("ScannerEngineSubunit"))
    scans = count(text(scanner.get("ScanImages")))
    if scans is None and ("AdfImages" in scanner or "FlatbedImages" in scanner):
        scans = (count(text(scanner.get("AdfImages"))) or 0) + (
            count(text(scanner.get("FlatbedImages"))) or 0
        )
    counters = Counters(
        total_pages=count(text(printer.get("TotalImpressions"))),
        monochrome_pages=count(text(printer.get("MonochromeImpressions"))),
        color_pages=count(text(printer.get("ColorImpressions"))),
        duplex_sheets=count(text(printer.get("DuplexSheets"))),
        jam_events=count(text(printer.get("JamEvents"))),
        scan_pages=scans,
        copy_pages=count(
            child_text(fields.get("CopyApplicationSubunit"), "TotalImpressions")
        ),
        fax_pages=count(
            child_text(fields.get("FaxApplicationSubunit"), "TotalImpressions")
        ),
    )
    pages: dict[str, int] = {}
    for node in children(fields.get("ConsumableSubunit"), "Consumable", MAX_SUPPLIES):
        consumable = index(node)
        color = text(consumable.get("MarkerColor"))
        remaining = count(text(consumable.get("EstimatedPagesRemaining")))
        if color is not None and remaining is not None:
            pages.setdefault(marker_color(color), remaining)
    return LedmUsage(counters=counters, pages_remaining=MappingProxyType(pages))


def apply_pages_remaining(
    supplies: tuple[Supply, ...], pages: Mapping[str, int]
) -> tuple[Supply, ...]:
    """Fill ``pages_remaining`` from ``LedmUsage.pages_remaining`` by colour.

    Printheads and drums are skipped: the estimate belongs to the ink or toner.
    """
    return tuple(
        replace(supply, pages_remaining=pages[supply.color])
        if supply.color in pages
        and supply.kind not in (SupplyKind.PRINTHEAD, SupplyKind.DRUM)
        else supply
        for supply in supplies
    )
