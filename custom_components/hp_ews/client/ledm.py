"""LEDM ("Low End Data Model"): HP's XML documents under ``/DevMgmt/``.

Pure parsers from response bytes to the protocol-neutral models. The rules
come from real captures (see docs/protocols.md §4): namespaces are matched by URI
family and local name, never by prefix; ``Status`` is a list; numbers may be
padded, negative or decimal; unknown values are kept raw.

The supply and identity helpers at the end are shared with the CDM parser:
CDM re-uses LEDM's vocabulary (HP's own HPLIP maps both with one table).

Documents are untrusted: ``xmlsafe`` bounds their size and tag count, and
the parsers stop at ``MAX_SUPPLIES`` supplies, ``MAX_ALERTS`` alerts and
``MAX_CODES`` status codes instead of reading whatever a printer lists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import islice
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
import uuid as uuid_lib

from .errors import HPEWSParseError
from .models import (
    MAX_ALERTS,
    MAX_CODES,
    MAX_RESOURCES,
    MAX_SUPPLIES,
    MAX_TEXT,
    Alert,
    ChangeMarker,
    Counters,
    PrinterInfo,
    PrinterStatus,
    Protocol,
    Supply,
    SupplyKind,
    SupplyState,
)
from .status import severity, status_from_codes
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
    from collections.abc import Iterable, Iterator, Mapping
    from xml.etree.ElementTree import Element

DISCOVERY_TREE: Final = "/DevMgmt/DiscoveryTree.xml"
PRODUCT_CONFIG: Final = "/DevMgmt/ProductConfigDyn.xml"
PRODUCT_STATUS: Final = "/DevMgmt/ProductStatusDyn.xml"
CONSUMABLES: Final = "/DevMgmt/ConsumableConfigDyn.xml"
USAGE: Final = "/DevMgmt/ProductUsageDyn.xml"

LOW_LEVEL_PERCENT: Final = 10
"""At or below this a supply the printer calls "ok" is reported low (HPLIP's rule)."""

MARKER_COLORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "black": "K",
        "cyan": "C",
        "magenta": "M",
        "yellow": "Y",
        "cyanmagentayellow": "CMY",
    }
)
"""LEDM ``MarkerColor`` names seen in captures, to HP label codes (case-insensitive).

Other names are kept as sent rather than guessed.
"""

_KINDS: Final[Mapping[str, SupplyKind]] = MappingProxyType(
    {
        "toner": SupplyKind.TONER,
        "tonercartridge": SupplyKind.TONER,
        "rechargeabletoner": SupplyKind.TONER,
        "ink": SupplyKind.INK,
        "inkcartridge": SupplyKind.INK,
        "inktank": SupplyKind.INK_TANK,
        "printhead": SupplyKind.PRINTHEAD,
        "imagedrum": SupplyKind.DRUM,
        "drum": SupplyKind.DRUM,
        "opc": SupplyKind.DRUM,
    }
)

_SUPPLY_STATES: Final[Mapping[str, SupplyState | None]] = MappingProxyType(
    {
        # None: the printer is content; the level decides (see supply_state).
        "ok": None,
        "newgenuinehp": None,
        "genuinehp": None,
        "used": None,
        "newnonhp": None,
        "nonhp": None,
        "refilled": None,
        "low": SupplyState.LOW,
        "verylow": SupplyState.VERY_LOW,
        "veryverylow": SupplyState.VERY_LOW,
        "out": SupplyState.EMPTY,
        "empty": SupplyState.EMPTY,
        "depleted": SupplyState.EMPTY,
        "missing": SupplyState.MISSING,
        "notinstalled": SupplyState.MISSING,
        "unknown": SupplyState.UNKNOWN,
    }
)

_INSTANT_INK: Final = "INSTANT INK"
_SERIES_SUFFIX: Final = re.compile(r"\s+series\s*$", re.IGNORECASE)
# Exact-model SKUs look like 9022e, 7830, 588, 3302fdn, M255dw; anonymised
# placeholders (SKU-ANON-0000) and blanks do not.
_SKU: Final = re.compile(r"^[A-Za-z]{0,2}\d{2,5}[A-Za-z0-9]{0,6}$")
_MAKERS: Final = frozenset({"hp", "hewlett-packard", "hewlett"})
_KEY_PART: Final = re.compile(r"[^0-9a-z]+")
# Colour codes and stations are a few characters; a key stays short however
# long the printer's values are (keys become entity unique ids).
_MAX_KEY_COLOR: Final = 16
_MAX_KEY_STATION: Final = 16


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
            source=Protocol.LEDM,
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


# --- Shared with the CDM parser ---------------------------------------------


def marker_color(name: str) -> str:
    """``Black`` → ``K``, ``CyanMagentaYellow`` → ``CMY``; unknown names stay raw."""
    return MARKER_COLORS.get(name.casefold(), name)


def supply_kind(raw: str | None, *, has_tanks: bool) -> SupplyKind:
    """Kind of a supply from its LEDM ``ConsumableTypeEnum`` / CDM ``supplyType``.

    On printers that also list ink tanks, the "ink cartridges" are printheads.
    """
    if raw is None:
        return SupplyKind.OTHER
    kind = _KINDS.get(raw.casefold(), SupplyKind.OTHER)
    if kind is SupplyKind.INK and has_tanks:
        return SupplyKind.PRINTHEAD
    return kind


def supply_state(raw: str | None, level: int | None) -> SupplyState:
    """State from what the printer says, checked against the level.

    States that only say the supply is fine (``ok``, ``newGenuineHP``,
    ``used``) and unknown values defer to the level: 0 is empty, at most
    ``LOW_LEVEL_PERCENT`` is low. Without a level they are OK, or UNKNOWN for
    values this library does not know.
    """
    known = raw is not None and raw.casefold() in _SUPPLY_STATES
    stated = _SUPPLY_STATES.get(raw.casefold()) if raw is not None else None
    if stated is not None:
        return stated
    if level is not None:
        if level == 0:
            return SupplyState.EMPTY
        if level <= LOW_LEVEL_PERCENT:
            return SupplyState.LOW
        return SupplyState.OK
    return SupplyState.OK if known else SupplyState.UNKNOWN


def percent(value: int | None) -> int | None:
    """A level in 0-100, or None (IPP-style -2/-3 and 255 mean unknown)."""
    if value is None or not 0 <= value <= 100:
        return None
    return value


def count(value: str | None) -> int | None:
    """A counter; negative values are firmware garbage and read as unknown."""
    number = parse_int(value)
    if number is None or number < 0:
        return None
    return number


def is_instant_ink(value: str) -> bool:
    """Whether a selectability number is the Instant Ink placeholder."""
    return " ".join(value.split()).upper() == _INSTANT_INK


def supply_keys(items: Iterable[tuple[SupplyKind, str, str | None]]) -> list[str]:
    """Stable keys like ``ink_k``, ``ink_tank_c``, ``printhead_cmyk``.

    ``items`` are (kind, colour, station/slot). The station is appended only
    to keys that would otherwise collide, so keys stay stable when a printer
    reports or drops station numbers. Linear in the number of items; colours
    and stations are cut to a few characters.
    """
    entries = list(items)
    bases = [
        f"{kind.value}_{color[:_MAX_KEY_COLOR].lower()}" if color else kind.value
        for kind, color, _ in entries
    ]
    repeated = Counter(bases)
    keys: list[str] = []
    used: set[str] = set()
    for position, ((_, _, station), base) in enumerate(
        zip(entries, bases, strict=True)
    ):
        key = base
        if repeated[base] > 1:
            slot = (station or "")[:_MAX_KEY_STATION].lower()
            suffix = _KEY_PART.sub("_", slot).strip("_")
            key = f"{base}_{suffix or position}"
        while key in used:
            key = f"{key}_{position}"
        used.add(key)
        keys.append(key)
    return keys


def normalize_uuid(value: str | None) -> str | None:
    """Lower-case UUID without ``urn:uuid:``; None unless it is a real UUID.

    The all-zero UUID (anonymised captures) and placeholders are None so that
    they never become a Home Assistant unique id.
    """
    if value is None:
        return None
    value = value.strip()
    if value.lower().startswith("urn:uuid:"):
        value = value[9:]
    # UUID() reads any Unicode digit as hex; only ASCII is a real UUID.
    if not value.isascii():
        return None
    try:
        parsed = uuid_lib.UUID(value)
    except ValueError:
        return None
    if parsed.int == 0:
        return None
    return str(parsed)


def exact_model(name: str | None, sku: str | None) -> tuple[str | None, str | None]:
    """Combine a series name with a SKU into the exact model.

    ``("HP OfficeJet Pro 9020 series", "9022e")`` → ``("HP OfficeJet Pro
    9022e", "HP OfficeJet Pro 9020 series")``: the series' model number that
    shares the longest prefix with the SKU is replaced by it (``580-590`` +
    ``588``, ``7800`` + ``7830``), or the SKU is appended. Returns (model,
    series); series is None when it is the model itself.
    """
    if name is not None:
        name = " ".join(name.split()) or None
    if name is None:
        return None, None
    if name.split()[0].casefold() not in _MAKERS:
        name = f"HP {name}"
    if sku is not None:
        sku = sku.strip()
    if not sku or not _SKU.match(sku):
        return name, None
    base = _SERIES_SUFFIX.sub("", name)
    words = base.split()
    if sku.casefold() in (word.casefold() for word in words):
        return (base, name) if base != name else (name, None)
    best, best_shared = -1, 0
    for position, word in enumerate(words):
        if any(char.isdigit() for char in word):
            shared = _shared_prefix(word.casefold(), sku.casefold())
            if shared > best_shared:
                best, best_shared = position, shared
    if best >= 0:
        words[best] = sku
    else:
        words.append(sku)
    return " ".join(words), name


def _shared_prefix(first: str, second: str) -> int:
    length = 0
    for one, two in zip(first, second, strict=False):
        if one != two:
            break
        length += 1
    return length
