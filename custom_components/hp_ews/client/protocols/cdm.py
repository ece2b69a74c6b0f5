"""CDM ("Common Data Model"): HP's JSON resources under ``/cdm/`` (2023+ printers).

Pure parsers from response bytes to the protocol-neutral models, following
docs/protocols.md §5: booleans arrive as strings (``"true"``), supply fields may
be nested under ``publicInformation``, any field may be missing, counters
may be negative or given as ``{significand, exponent}``.

CDM speaks LEDM's vocabulary (status values, alert categories, supply
types), so the LEDM tables and helpers are reused here.

Documents are untrusted. Before ``json`` builds anything, the bytes bound
how many values it would build (``MAX_JSON_VALUES``): a 4 MiB document of
empty objects would otherwise cost a fifth of a second. The parsers then stop
at ``MAX_SUPPLIES`` supplies and ``MAX_ALERTS`` alerts.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
import json
import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_RESOURCES,
    MAX_SUPPLIES,
    MAX_TEXT,
    Alert,
    Counters,
    PrinterInfo,
    PrinterProtocol,
    PrinterState,
    PrinterStatus,
    Supply,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.client.status import (
    ipp_condition,
    severity,
    status_from_codes,
)

from .vocabulary import (
    exact_model,
    is_instant_ink,
    normalize_uuid,
    percent,
    supply_keys,
    supply_kind,
    supply_state,
)
from .xmlsafe import parse_int

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

SERVICES_DISCOVERY: Final = "/cdm/servicesDiscovery"
IDENTITY: Final = "/cdm/system/v1/identity"
SYSTEM_STATUS: Final = "/cdm/system/v1/status"
SUPPLIES: Final = "/cdm/supply/v1/suppliesPublic"
ALERTS: Final = "/cdm/alert/v1/alerts"
PRINT_STATUS: Final = "/cdm/print/v2/status"
LIFETIME_COUNTERS: Final = "/cdm/deviceUsage/v1/lifetimeCounters"

MAX_JSON_BYTES: Final = 4 * 1024 * 1024
MAX_JSON_VALUES: Final = 32 * 1024
"""Most separators and containers (``,``, ``[``, ``{``) a document may have.

Every value but the first of an array or object follows a comma, so this
bounds the values ``json`` builds; real CDM documents have a few hundred.
"""

_PRINTER_STATES: Final[Mapping[str, PrinterState]] = MappingProxyType(
    {
        "idle": PrinterState.IDLE,
        "processing": PrinterState.PRINTING,
        "stopped": PrinterState.STOPPED,
    }
)
_LEVEL_STATES: Final[Mapping[str, SupplyState]] = MappingProxyType(
    {
        "ok": SupplyState.OK,
        "low": SupplyState.LOW,
        "verylow": SupplyState.VERY_LOW,
        "veryverylow": SupplyState.VERY_LOW,
        "out": SupplyState.EMPTY,
        "empty": SupplyState.EMPTY,
        "missing": SupplyState.MISSING,
        "unknown": SupplyState.UNKNOWN,
    }
)
# stateReasons that say more than supplyState does.
_REASON_STATES: Final[Mapping[str, SupplyState]] = MappingProxyType(
    {
        "missing": SupplyState.MISSING,
        "supplymissing": SupplyState.MISSING,
        "empty": SupplyState.EMPTY,
        "out": SupplyState.EMPTY,
        "verylow": SupplyState.VERY_LOW,
        "low": SupplyState.LOW,
    }
)
_MAX_EXPONENT: Final = 18
_MAX_COLORS: Final = 8
"""Colorants one supply lists (``["cyan", "magenta", "yellow"]``)."""


def _load(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_JSON_BYTES:
        raise HPEWSParseError(
            f"CDM document of {len(data)} bytes exceeds {MAX_JSON_BYTES}"
        )
    # Counted on the bytes (C speed) before any object exists; a document
    # no longer than the cap cannot exceed it.
    if len(data) > MAX_JSON_VALUES:
        values = data.count(b",") + data.count(b"[") + data.count(b"{")
        if values > MAX_JSON_VALUES:
            raise HPEWSParseError(
                f"CDM document with {values} values exceeds {MAX_JSON_VALUES}"
            )
    try:
        document = json.loads(data.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as err:
        raise HPEWSParseError(f"malformed CDM JSON: {err}") from err
    if not isinstance(document, dict):
        raise HPEWSParseError("CDM document is not a JSON object")
    return document


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()[:MAX_TEXT].rstrip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _number(value: object) -> int | None:
    """Read an integer from whatever HP sent.

    Accepts int, float, numeric string, or ``{"significand", "exponent"}``
    (whose parts are plain numbers: nesting is refused, not recursed into).
    """
    if isinstance(value, dict):
        significand = _scalar_number(value.get("significand"))
        exponent = _scalar_number(value.get("exponent"))
        if significand is None or exponent is None or abs(exponent) > _MAX_EXPONENT:
            return None
        if exponent >= 0:
            return int(significand * 10**exponent)
        return int(significand / 10**-exponent)
    return _scalar_number(value)


def _scalar_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and abs(value) < 1e18 else None
    if isinstance(value, str):
        return parse_int(value)
    return None


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().casefold()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def _field(entry: Mapping[str, Any], name: str) -> Any:
    """A supply field, top-level or nested under ``publicInformation``."""
    if name in entry:
        return entry[name]
    return _object(entry.get("publicInformation")).get(name)


def _count(value: object) -> int | None:
    number = _number(value)
    return number if number is None or number >= 0 else None


def parse_services_discovery(data: bytes) -> tuple[str, ...]:
    """Resource paths listed by ``/cdm/servicesDiscovery``.

    Shape: ``{"services": [{"serviceGun": ..., "links": [{"rel", "href"}]}]}``;
    templated links (``hrefTemplate``) are not resources and are skipped.
    """
    document = _load(data)
    services = document.get("services")
    if not isinstance(services, list):
        raise HPEWSParseError("servicesDiscovery has no services list")
    paths: dict[str, None] = {}
    for service in services:
        links = _object(service).get("links")
        for link in links if isinstance(links, list) else ():
            href = _string(_object(link).get("href"))
            if href is not None and href.startswith("/"):
                paths[href] = None
                if len(paths) >= MAX_RESOURCES:
                    return tuple(paths)
    return tuple(paths)


def parse_identity(data: bytes) -> PrinterInfo:
    """Identity from ``/cdm/system/v1/identity``.

    ``makeAndModel`` is an object whose names are the series; the exact
    model is completed from ``skuIdentifier`` (Smart Tank 580-590 + 588).
    """
    document = _load(data)
    make_and_model = document.get("makeAndModel")
    if isinstance(make_and_model, dict):
        name = (
            _string(make_and_model.get("name"))
            or _string(make_and_model.get("base"))
            or _string(make_and_model.get("family"))
        )
    else:
        name = _string(make_and_model)
    sku = _string(document.get("skuIdentifier"))
    serial = _string(document.get("serialNumber"))
    firmware = _string(document.get("firmwareVersion"))
    product_number = _string(document.get("productNumber"))
    if not any((name, sku, serial, firmware, product_number)):
        raise HPEWSParseError("CDM identity names no model, serial or firmware")
    model, series = exact_model(name, sku)
    return PrinterInfo(
        manufacturer=_string(document.get("manufacturer")) or "HP",
        model=model,
        series=series,
        serial_number=serial,
        firmware=firmware,
        uuid=normalize_uuid(_string(document.get("deviceUuid"))),
        product_number=product_number,
    )


def parse_system_status(data: bytes) -> PrinterStatus:
    """State from ``/cdm/system/v1/status`` (``{"status": "inPowerSave"}``).

    Values are LEDM status categories; unknown ones are kept in raw_codes.
    """
    status = _load(data).get("status")
    if not isinstance(status, str) or not status.strip():
        raise HPEWSParseError("CDM system status has no status")
    return status_from_codes([status.strip()])


def parse_print_status(data: bytes) -> PrinterStatus:
    """State from ``/cdm/print/v2/status``: IPP printer-state and reasons."""
    document = _load(data)
    printer_state = document.get("printerState")
    if not isinstance(printer_state, str) or not printer_state.strip():
        raise HPEWSParseError("CDM print status has no printerState")
    reasons_value = document.get("printerStateReasons")
    reasons = list(
        islice(
            (
                reason
                for item in (reasons_value if isinstance(reasons_value, list) else ())
                if isinstance(item, str)
                and (reason := item.strip()[:MAX_TEXT])
                and reason.casefold() != "none"
            ),
            MAX_ALERTS,
        )
    )
    flags: set[str] = set()
    for reason in reasons:
        condition = ipp_condition(reason)
        if condition is not None and not condition.routine:
            flags |= condition.flags
    return PrinterStatus(
        state=_PRINTER_STATES.get(
            printer_state.strip().casefold(), PrinterState.UNKNOWN
        ),
        message=None,
        alerts=(),
        raw_codes=(printer_state.strip(), *reasons),
        change_marker=None,
        **dict.fromkeys(flags, True),
    )


def parse_alerts(data: bytes) -> tuple[Alert, ...]:
    """Active alerts from ``/cdm/alert/v1/alerts`` (or ``/cdm/supply/v1/alerts``).

    Pass them to ``status.merge_status`` to raise their condition flags;
    routine ones (``genuineHPsupply``, ``usedSupplyPrompt``) raise none.
    """
    alerts_value = _load(data).get("alerts", [])
    if not isinstance(alerts_value, list):
        raise HPEWSParseError("CDM alerts is not a list")
    alerts: list[Alert] = []
    for item in alerts_value:
        if len(alerts) >= MAX_ALERTS:
            break
        entry = _object(item)
        code = _string(entry.get("category"))
        if code is None:
            continue
        alerts.append(
            Alert(
                code=code,
                severity=severity(_string(entry.get("severity")), code),
                source=PrinterProtocol.CDM,
                color=_alert_color(entry.get("data")),
            )
        )
    return tuple(alerts)


def _alert_color(data: object) -> str | None:
    # data[] points into suppliesPublic; the colour is the item whose
    # pointer ends in /colors or /supplyColorCode.
    for item in islice(data if isinstance(data, list) else (), MAX_ALERTS):
        entry = _object(item)
        pointer = _string(entry.get("propertyPointer")) or ""
        if pointer.endswith(("/colors", "/supplyColorCode")):
            value = _object(entry.get("value"))
            color = _string(value.get("seValue")) or _string(value.get("value"))
            if color is not None:
                return color
    return None


def parse_supplies(data: bytes) -> tuple[Supply, ...]:
    """Supplies from ``/cdm/supply/v1/suppliesPublic``, in the printer's order.

    On printers that also list ink tanks (Smart Tank 580-590) the
    ``inkCartridge`` entries are the printheads.
    """
    supplies_value = _load(data).get("suppliesList", [])
    if not isinstance(supplies_value, list):
        raise HPEWSParseError("CDM suppliesList is not a list")
    entries = list(
        islice(
            (entry for entry in supplies_value if isinstance(entry, dict)),
            MAX_SUPPLIES,
        )
    )
    has_tanks = any(
        (_string(_field(entry, "supplyType")) or "").casefold() == "inktank"
        for entry in entries
    )
    drafts: list[Supply] = []
    slots: list[str | None] = []
    for entry in entries:
        raw_kind = _string(_field(entry, "supplyType"))
        kind = supply_kind(raw_kind, has_tanks=has_tanks)
        level = percent(_number(_field(entry, "percentLifeDisplay")))
        if kind is SupplyKind.PRINTHEAD and (raw_kind or "").casefold() != "printhead":
            level = None
        raw_state = _string(_field(entry, "supplyState"))
        drafts.append(
            Supply(
                key="",
                color=_supply_color(entry),
                kind=kind,
                state=_supply_state(entry, raw_state, level),
                level_percent=level,
                pages_remaining=_count(
                    _field(entry, "approximatePagesRemainingDisplay")
                ),
                part_number=_part_number(entry),
                genuine=_genuine(entry),
                raw_kind=raw_kind,
                raw_state=raw_state,
            )
        )
        slots.append(_string(_field(entry, "slot")))
    keys = supply_keys(
        (supply.kind, supply.color, slot)
        for supply, slot in zip(drafts, slots, strict=True)
    )
    return tuple(
        replace(supply, key=key) for supply, key in zip(drafts, keys, strict=True)
    )


def _supply_color(entry: Mapping[str, Any]) -> str:
    color = _string(_field(entry, "supplyColorCode"))
    if color is not None:
        return color
    colors = _field(entry, "colors")
    if isinstance(colors, list):
        return "".join(
            c for item in colors[:_MAX_COLORS] if (c := _string(item)) is not None
        )
    return ""


def _supply_state(
    entry: Mapping[str, Any], raw_state: str | None, level: int | None
) -> SupplyState:
    level_state = _string(_field(entry, "levelState"))
    if level_state is not None and level_state.casefold() in _LEVEL_STATES:
        stated = _LEVEL_STATES[level_state.casefold()]
        if stated is not SupplyState.OK:
            return stated
    reasons = _field(entry, "stateReasons")
    for reason in _strings(reasons):
        reason_state = _REASON_STATES.get(reason.casefold())
        if reason_state is not None:
            return reason_state
    # supplyState is a severity (ok/inform/warning/error), not a level.
    if raw_state is not None and raw_state.casefold() in ("ok", "inform"):
        return supply_state("ok", level)
    return supply_state(raw_state, level)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, list):
        for item in value[:MAX_ALERTS]:
            text = _string(item)
            if text is not None:
                yield text


def _part_number(entry: Mapping[str, Any]) -> str | None:
    for name in ("selectabilityNumber", "orderSelectabilityNumber"):
        value = _string(_field(entry, name))
        if value is not None and not is_instant_ink(value):
            return value
    return _string(_field(entry, "productNumber"))


def _genuine(entry: Mapping[str, Any]) -> bool | None:
    genuine = _boolean(_field(entry, "isGenuineHP"))
    if genuine is not None:
        return genuine
    brand = _string(_field(entry, "brand"))
    if brand is None or brand.casefold() == "unknown":
        return None
    return brand.casefold() == "hp"


def parse_lifetime_counters(data: bytes) -> Counters:
    """Counters from ``/cdm/deviceUsage/v1/lifetimeCounters``.

    The printer's own total is used even when it is not mono + colour (the
    Smart Tank 580-590 counts other impressions too); negative counters are
    unknown; duplex comes from ``sheets.duplex`` when present.
    """
    document = _load(data)
    print_usage = _object(document.get("printUsage"))
    impressions = _object(print_usage.get("impressions"))
    scan_usage = _object(document.get("scanUsage"))
    return Counters(
        total_pages=_count(impressions.get("total")),
        monochrome_pages=_count(impressions.get("monochrome")),
        color_pages=_count(impressions.get("color")),
        duplex_sheets=_count(_object(print_usage.get("sheets")).get("duplex")),
        scan_pages=_count(scan_usage.get("totalImages")),
        copy_pages=_count(_object(print_usage.get("copyImpressions")).get("total")),
        fax_pages=_count(_object(print_usage.get("faxInImpressions")).get("total")),
    )
