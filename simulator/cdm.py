"""CDM JSON documents rendered from a printer's state.

Each is the captured document (deep-copied) with the state-dependent values
replaced; keys, string booleans and the captured quirks stay as sent.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any, Final

from .ledm import status_category

if TYPE_CHECKING:
    from collections.abc import Callable

    from .state import Condition, PrinterState
    from .store import CaptureStore

IDENTITY: Final = "/cdm/system/v1/identity"
SYSTEM_STATUS: Final = "/cdm/system/v1/status"
SUPPLIES: Final = "/cdm/supply/v1/suppliesPublic"
ALERTS: Final = "/cdm/alert/v1/alerts"
PRINT_STATUS: Final = "/cdm/print/v2/status"
LIFETIME_COUNTERS: Final = "/cdm/deviceUsage/v1/lifetimeCounters"

_SUPPLY_GUN: Final = "com.hp.cdm.service.supply.version.1.resource.suppliesPublic"


def _dump(original: bytes, document: Any) -> bytes:
    """Serialise like the capture: minified or two-space indented."""
    if b"\n " in original:
        return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _document(store: CaptureStore, path: str) -> Any:
    return copy.deepcopy(store.json(path))


def identity(state: PrinterState, store: CaptureStore) -> bytes:
    """system/v1/identity with this printer's serial and device UUID."""
    document = _document(store, IDENTITY)
    ident = state.profile.identity
    document["serialNumber"] = state.identity.serial
    document["deviceUuid"] = state.identity.cdm_uuid
    document["productNumber"] = ident.product_number
    document["firmwareVersion"] = ident.firmware
    return _dump(store.http[IDENTITY], document)


def system_status(state: PrinterState, store: CaptureStore) -> bytes:
    """system/v1/status: the most significant LEDM status category.

    A condition (``jamInPrinter``, ``cartridgeMissing``...) while one is
    active, else ``processing``, ``inPowerSave`` or ``ready``.
    """
    document = _document(store, SYSTEM_STATUS)
    document["status"] = status_category(state)
    return _dump(store.http[SYSTEM_STATUS], document)


def ipp_state(state: PrinterState) -> tuple[str, list[str]]:
    """IPP-style printer state and reasons (shared with the IPP renderer)."""
    conditions = state.conditions()
    reasons = [
        c.ipp_reason
        for c in conditions
        if c.supply is None or state.profile.supply_reasons
    ]
    if any(c.blocking for c in conditions):
        printer_state = "stopped"
    elif state.printing:
        printer_state = "processing"
    else:
        printer_state = "idle"
    return printer_state, list(dict.fromkeys(reasons)) or ["none"]


def print_status(state: PrinterState, store: CaptureStore) -> bytes:
    """print/v2/status: IPP-like state and reasons."""
    document = _document(store, PRINT_STATUS)
    document["printerState"], document["printerStateReasons"] = ipp_state(state)
    return _dump(store.http[PRINT_STATUS], document)


def _level_state(names: set[str]) -> tuple[str, str, list[str]]:
    """(supplyState, levelState, stateReasons) for one supply."""
    if "supply_missing" in names:
        return "error", "unknown", ["missing"]
    if "supply_very_low" in names:
        return "warning", "veryLow", ["veryLow"]
    if "supply_low" in names:
        return "warning", "low", ["low"]
    return "ok", "ok", []


def supplies(state: PrinterState, store: CaptureStore) -> bytes:
    """supply/v1/suppliesPublic with levels and states from the state."""
    document = _document(store, SUPPLIES)
    conditions = state.conditions()
    for entry in document.get("suppliesList", []):
        spec = next(
            (s for s in state.profile.supplies if s.station == entry.get("slot")), None
        )
        if spec is None or not spec.measured:
            continue
        names = {c.name for c in conditions if c.supply == spec}
        level = state.level(spec)
        if level is None:
            entry.pop("percentLifeDisplay", None)
        else:
            entry["percentLifeDisplay"] = level
        supply_state, level_state, reasons = _level_state(names)
        entry["supplyState"] = supply_state
        entry["levelState"] = level_state
        if reasons:
            entry["stateReasons"] = reasons
        else:
            entry.pop("stateReasons", None)
    return _dump(store.http[SUPPLIES], document)


def _alert(state: PrinterState, condition: Condition, document: Any) -> Any:
    sequence = state.sequence_number(condition)
    alert_id = 90_000_000 + sequence
    alert: dict[str, Any] = {
        "id": alert_id,
        "category": condition.cdm,
        "sequenceNum": sequence,
        "severity": "error" if condition.blocking else "warning",
        "priority": 100 if condition.blocking else 200,
        "data": [],
        "links": [{"href": f"/cdm/alert/v1/alerts/{alert_id}", "rel": "self"}],
    }
    spec = condition.supply
    if spec is not None:
        index = next(
            (
                i
                for i, entry in enumerate(document.get("suppliesList", []))
                if entry.get("slot") == spec.station
            ),
            spec.station,
        )
        pointer = f"/suppliesList/{index}"
        alert["data"] = [
            {
                "resourceGun": _SUPPLY_GUN,
                "resourcePath": SUPPLIES,
                "propertyPointer": f"{pointer}/colors",
                "value": {"seValue": spec.color},
            },
            {
                "resourceGun": _SUPPLY_GUN,
                "resourcePath": SUPPLIES,
                "propertyPointer": f"{pointer}/supplyType",
                "value": {"seValue": spec.kind},
            },
        ]
    return alert


def alerts(state: PrinterState, store: CaptureStore) -> bytes:
    """alert/v1/alerts: the captured informational alerts plus one per problem."""
    document = _document(store, ALERTS)
    supplies_doc = store.json(SUPPLIES) if SUPPLIES in store.http else {}
    captured = [
        a for a in document.get("alerts", []) if a.get("severity") == "information"
    ]
    document["alerts"] = captured + [
        _alert(state, condition, supplies_doc) for condition in state.conditions()
    ]
    return _dump(store.http[ALERTS], document)


def lifetime_counters(state: PrinterState, store: CaptureStore) -> bytes:
    """deviceUsage/v1/lifetimeCounters with the state's page counters."""
    document = _document(store, LIFETIME_COUNTERS)
    counters = state.counters
    impressions = document.get("printUsage", {}).get("impressions")
    if isinstance(impressions, dict):
        for key, counter in (
            ("total", "total_pages"),
            ("monochrome", "monochrome_pages"),
            ("color", "color_pages"),
        ):
            value = counters.get(counter)
            if value is not None:
                impressions[key] = value
    return _dump(store.http[LIFETIME_COUNTERS], document)


RENDERERS: Final[dict[str, Callable[[PrinterState, CaptureStore], bytes]]] = {
    IDENTITY: identity,
    SYSTEM_STATUS: system_status,
    SUPPLIES: supplies,
    ALERTS: alerts,
    PRINT_STATUS: print_status,
    LIFETIME_COUNTERS: lifetime_counters,
}
