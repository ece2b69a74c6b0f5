"""What HP status codes mean, shared by every parser, and how statuses merge.

LEDM ``StatusCategory`` values, LEDM ``ProductStatusAlertID`` values and CDM
system-status and alert categories come from one HP vocabulary (``ready``,
``inPowerSave``, ``jamInPrinter``, ``genuineHP``...), so one table serves
them all. IPP ``printer-state-reasons`` keywords have a table of their own.

Meaning of a code = the state it puts the printer in (if any) plus the
condition flags it raises. A status is a *list* of codes: the state comes
from the most significant code that names one; the flags are OR-ed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import islice
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from .models import (
    MAX_ALERTS,
    MAX_CODES,
    Alert,
    AlertSeverity,
    PrinterProtocol,
    PrinterState,
    PrinterStatus,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from .models import ChangeMarker

PAPER_JAM: Final = "paper_jam"
DOOR_OPEN: Final = "door_open"
OUT_OF_PAPER: Final = "out_of_paper"
OUTPUT_FULL: Final = "output_full"
SUPPLY_MISSING: Final = "supply_missing"
SUPPLY_LOW: Final = "supply_low"
FLAGS: Final = (
    PAPER_JAM,
    DOOR_OPEN,
    OUT_OF_PAPER,
    OUTPUT_FULL,
    SUPPLY_MISSING,
    SUPPLY_LOW,
)
"""Names of the condition flags of ``PrinterStatus``."""

# Flags that stop printing; a code raising one without naming a state means
# the printer is waiting for the user.
_BLOCKING: Final = frozenset(
    {PAPER_JAM, DOOR_OPEN, OUT_OF_PAPER, OUTPUT_FULL, SUPPLY_MISSING}
)

# Higher wins when several codes name a state.
_STATE_RANK: Final[Mapping[PrinterState, int]] = MappingProxyType(
    {
        PrinterState.ERROR: 100,
        PrinterState.STOPPED: 90,
        PrinterState.SHUTTING_DOWN: 80,
        PrinterState.CANCELLING: 70,
        PrinterState.PRINTING: 60,
        PrinterState.COPYING: 60,
        PrinterState.SCANNING: 60,
        PrinterState.FAXING: 60,
        PrinterState.WARMING_UP: 50,
        PrinterState.POWER_SAVE: 40,
        PrinterState.IDLE: 10,
        PrinterState.UNKNOWN: 0,
    }
)


@dataclass(frozen=True, slots=True)
class Condition:
    """What one status code means."""

    state: PrinterState | None = None
    """The state the code puts the printer in; None for codes that only inform."""
    flags: frozenset[str] = frozenset()
    routine: bool = False
    """Routine information (genuine-supply notices): never a problem."""


def _c(
    state: PrinterState | None = None, *flags: str, routine: bool = False
) -> Condition:
    return Condition(state, frozenset(flags), routine)


_S = PrinterState
_HP_CODES: Final[dict[str, Condition]] = {
    # Operational states.
    "ready": _c(_S.IDLE),
    "idle": _c(_S.IDLE),
    "processing": _c(_S.PRINTING),
    "printing": _c(_S.PRINTING),
    "copying": _c(_S.COPYING),
    "scanProcessing": _c(_S.SCANNING),
    "scanning": _c(_S.SCANNING),
    "faxProcessing": _c(_S.FAXING),
    "faxSending": _c(_S.FAXING),
    "faxReceiving": _c(_S.FAXING),
    "faxDialing": _c(_S.FAXING),
    "faxConnecting": _c(_S.FAXING),
    "inPowerSave": _c(_S.POWER_SAVE),
    # Soft-off keeps the network up and wakes for a job: asleep, not broken.
    "off": _c(_S.POWER_SAVE),
    "initializing": _c(_S.WARMING_UP),
    "warmingUp": _c(_S.WARMING_UP),
    "shuttingDown": _c(_S.SHUTTING_DOWN),
    "cancelJob": _c(_S.CANCELLING),
    "cancelling": _c(_S.CANCELLING),
    "canceling": _c(_S.CANCELLING),
    "hardError": _c(_S.ERROR),
    # Doors and covers.
    "closeDoorOrCover": _c(_S.STOPPED, DOOR_OPEN),
    "doorOpen": _c(_S.STOPPED, DOOR_OPEN),
    "coverOpen": _c(_S.STOPPED, DOOR_OPEN),
    "doorOrCoverOpen": _c(_S.STOPPED, DOOR_OPEN),
    # Jams.
    "jamInPrinter": _c(_S.STOPPED, PAPER_JAM),
    "paperJam": _c(_S.STOPPED, PAPER_JAM),
    "mediaJam": _c(_S.STOPPED, PAPER_JAM),
    "printBarStall": _c(_S.STOPPED, PAPER_JAM),
    "carriageJam": _c(_S.STOPPED, PAPER_JAM),
    "paperMisfeed": _c(_S.STOPPED),
    # Paper. Alone they stop the printer; next to inPowerSave they are a flag
    # on a sleeping printer (ENVY 7830: photo tray empty while asleep).
    "trayEmptyOrOpen": _c(None, OUT_OF_PAPER),
    "trayEmpty": _c(None, OUT_OF_PAPER),
    "allTraysEmpty": _c(None, OUT_OF_PAPER),
    "outOfPaper": _c(None, OUT_OF_PAPER),
    "noMediaInstalled": _c(None, OUT_OF_PAPER),
    "mediaEmpty": _c(None, OUT_OF_PAPER),
    "insertOrCloseTray": _c(None, OUT_OF_PAPER),
    "insertOrCloseTray2": _c(None, OUT_OF_PAPER),
    "trayOpen": _c(None, OUT_OF_PAPER),
    "unexpectedSizeInTray": _c(_S.STOPPED),
    "sizeMismatchInTray": _c(_S.STOPPED),
    "unexpectedTypeInTray": _c(_S.STOPPED),
    "manuallyFeed": _c(_S.STOPPED),
    "outputBinFull": _c(None, OUTPUT_FULL),
    "outputBinClosed": _c(),
    "outputBinOpened": _c(),
    # Supplies.
    "cartridgeMissing": _c(_S.STOPPED, SUPPLY_MISSING),
    "missingPrintHead": _c(_S.STOPPED, SUPPLY_MISSING),
    "printheadMissing": _c(_S.STOPPED, SUPPLY_MISSING),
    "tonerMissing": _c(_S.STOPPED, SUPPLY_MISSING),
    "incorrectCartridge": _c(_S.STOPPED),
    "cartridgeFailure": _c(_S.STOPPED),
    "cartridgeLow": _c(None, SUPPLY_LOW),
    "cartridgeVeryLow": _c(None, SUPPLY_LOW),
    "cartridgeOut": _c(None, SUPPLY_LOW),
    "cartridgeEmpty": _c(None, SUPPLY_LOW),
    "tonerLow": _c(None, SUPPLY_LOW),
    "tonerVeryLow": _c(None, SUPPLY_LOW),
    "inkLow": _c(None, SUPPLY_LOW),
    "inkTooLowToPrime": _c(_S.STOPPED, SUPPLY_LOW),
    "wasteMarkerCollectorAlmostFull": _c(None, SUPPLY_LOW),
    "wasteMarkerCollectorFull": _c(_S.STOPPED, SUPPLY_LOW),
    "wasteMarkerCollectorFullPrompt": _c(None, SUPPLY_LOW),
    # Duplexer.
    "missingDuplexer": _c(_S.STOPPED),
    "reseatDuplexer": _c(_S.STOPPED),
    "mediaTooShortToAutoDuplex": _c(),
    # Scanner and fax events: the print engine is unaffected.
    "scannerError": _c(),
    "scannerAdfLoaded": _c(),
    "scannerAdfJam": _c(),
    "scannerAdfDoorOpen": _c(),
    "scannerADFMispick": _c(),
    "scanToDestinationNotSet": _c(),
    "scanWaitingForPC": _c(),
    "faxSendError": _c(),
    "faxReceiveError": _c(),
    "faxErrorStorageFull": _c(),
    "faxBlocking": _c(),
    # Routine supply notices.
    "genuineHP": _c(routine=True),
    "genuineHPsupply": _c(routine=True),
    "newGenuineHP": _c(routine=True),
    "usedSupplyPrompt": _c(routine=True),
    "usedConsumableInfo": _c(routine=True),
    "cartridgeCounterfeitQuestion": _c(),
}

# HP's casing is consistent, but lookups tolerate tools that lower-case it.
HP_CODES: Final[Mapping[str, Condition]] = MappingProxyType(
    {key.casefold(): value for key, value in _HP_CODES.items()}
)
"""LEDM StatusCategory / alert IDs and CDM status / alert categories."""

IPP_REASONS: Final[Mapping[str, Condition]] = MappingProxyType(
    {
        "media-jam": _c(None, PAPER_JAM),
        "door-open": _c(None, DOOR_OPEN),
        "cover-open": _c(None, DOOR_OPEN),
        "interlock-open": _c(None, DOOR_OPEN),
        "media-empty": _c(None, OUT_OF_PAPER),
        "media-needed": _c(None, OUT_OF_PAPER),
        "input-tray-missing": _c(None, OUT_OF_PAPER),
        "output-area-full": _c(None, OUTPUT_FULL),
        "output-tray-missing": _c(None, OUTPUT_FULL),
        "marker-supply-missing": _c(None, SUPPLY_MISSING),
        "toner-low": _c(None, SUPPLY_LOW),
        "toner-empty": _c(None, SUPPLY_LOW),
        "marker-supply-low": _c(None, SUPPLY_LOW),
        "marker-supply-empty": _c(None, SUPPLY_LOW),
        "marker-waste-almost-full": _c(None, SUPPLY_LOW),
        "marker-waste-full": _c(None, SUPPLY_LOW),
        "none": _c(routine=True),
    }
)
"""IPP printer-state-reasons keywords, without their -error/-warning suffix."""

_IPP_SUFFIXES: Final = ("-error", "-warning")


_JAM: Final = _c(_S.STOPPED, PAPER_JAM)


def hp_condition(code: str) -> Condition | None:
    """Meaning of an HP status/alert code, or None when unknown.

    CDM has hundreds of alert categories; every jam category starts with
    ``jam`` (``jamInPrinter``, ``jamAtInput``...), so unlisted ones are read
    as a jam too.
    """
    key = code.casefold()
    condition = HP_CODES.get(key)
    if condition is None and key.startswith("jam"):
        return _JAM
    return condition


def ipp_condition(keyword: str) -> Condition | None:
    """Meaning of an IPP printer-state-reasons keyword, or None when unknown.

    ``-report`` keywords are informational by definition and raise nothing.
    """
    keyword = keyword.strip().lower()
    if keyword.endswith("-report"):
        return _c(routine=True)
    for suffix in _IPP_SUFFIXES:
        if keyword.endswith(suffix):
            keyword = keyword[: -len(suffix)]
            break
    return IPP_REASONS.get(keyword)


def alert_condition(alert: Alert) -> Condition | None:
    """Meaning of an alert, looked up in the vocabulary of its protocol."""
    if alert.source is PrinterProtocol.IPP:
        return ipp_condition(alert.code)
    return hp_condition(alert.code)


def severity(raw: str | None, code: str | None = None) -> AlertSeverity:
    """Map LEDM ``Info/Warning/Error`` and CDM ``information/warning/error``.

    Unknown or missing severities are WARNING, except for routine codes.
    """
    if raw is not None:
        value = raw.strip().casefold()
        if value in ("info", "information", "informational", "status", "notice"):
            return AlertSeverity.INFO
        if value in ("warning", "warn"):
            return AlertSeverity.WARNING
        if value in ("error", "critical", "fatal"):
            return AlertSeverity.ERROR
    condition = hp_condition(code) if code else None
    if condition is not None and condition.routine:
        return AlertSeverity.INFO
    return AlertSeverity.WARNING


def _flag_kwargs(flags: Iterable[str]) -> dict[str, bool]:
    return dict.fromkeys(flags, True)


def status_from_codes(
    codes: Sequence[str],
    *,
    alerts: Sequence[Alert] = (),
    message: str | None = None,
    change_marker: ChangeMarker | None = None,
) -> PrinterStatus:
    """Interpret a list of HP status codes (LEDM categories, CDM status).

    The state comes from the most significant code naming one. Without one,
    a blocking flag means the printer waits for the user (STOPPED), any
    other known code means it is awake and idle, and otherwise UNKNOWN.
    Alerts add their flags (routine ones add nothing) and name no state of
    their own, but a blocking one on a printer that says it is idle means it
    waits for the user: STOPPED (see :func:`waiting_for_user`). Only the
    first ``MAX_CODES`` codes and ``MAX_ALERTS`` alerts are read.
    """
    codes = list(islice(codes, MAX_CODES))
    alerts = list(islice(alerts, MAX_ALERTS))
    state: PrinterState | None = None
    flags: set[str] = set()
    any_known = False
    for code in codes:
        condition = hp_condition(code)
        if condition is None:
            continue
        any_known = True
        flags |= condition.flags
        if condition.state is not None and (
            state is None or _STATE_RANK[condition.state] > _STATE_RANK[state]
        ):
            state = condition.state
    code_flags = frozenset(flags)
    for alert in alerts:
        flags |= alert_flags(alert)
    if state is None:
        if flags & _BLOCKING and any_known:
            state = PrinterState.STOPPED
        elif any_known:
            state = PrinterState.IDLE
        else:
            state = PrinterState.UNKNOWN
    state = waiting_for_user(state, flags - code_flags)
    return PrinterStatus(
        state=state,
        message=message,
        alerts=tuple(alerts),
        raw_codes=tuple(codes),
        change_marker=change_marker,
        **_flag_kwargs(flags),
    )


def waiting_for_user(state: PrinterState, added_flags: Iterable[str]) -> PrinterState:
    """STOPPED for an idle printer that another source says is blocked.

    A jam, an open door or an empty tray can show only in the alerts (CDM,
    LEDM AlertTable) while the status word still says ``ready``; the printer
    then cannot print, as when its status names the condition. A sleeping or
    busy printer keeps its state (an empty photo tray does not wake it).
    """
    if state is PrinterState.IDLE and _BLOCKING.intersection(added_flags):
        return PrinterState.STOPPED
    return state


def alert_flags(alert: Alert) -> frozenset[str]:
    """Flags an alert raises; routine and unknown alerts raise none."""
    condition = alert_condition(alert)
    if condition is None or condition.routine:
        return frozenset()
    return condition.flags


def merge_status(
    primary: PrinterStatus, *others: PrinterStatus | tuple[Alert, ...]
) -> PrinterStatus:
    """Complete one status with what other sources know.

    Flags are OR-ed; the state is the primary's unless it is UNKNOWN, then the
    first known one; alerts and raw codes are concatenated without repeats;
    message and change marker come from the first source that has one.
    Alert tuples (CDM alerts, IPP alerts) contribute their flags, except
    routine informational alerts, which never raise one. An IDLE state
    becomes STOPPED when the other sources add a blocking condition its own
    source did not report (:func:`waiting_for_user`). The merged status keeps
    the first ``MAX_ALERTS`` alerts and ``MAX_CODES`` codes; alerts beyond
    them still raise their flags.
    """
    state = primary.state
    flags = {name for name in FLAGS if getattr(primary, name)}
    state_flags = frozenset(flags)
    alerts: dict[Alert, None] = dict.fromkeys(primary.alerts)
    raw_codes: dict[str, None] = dict.fromkeys(primary.raw_codes)
    message = primary.message
    change_marker = primary.change_marker
    for other in others:
        if isinstance(other, PrinterStatus):
            other_flags = {name for name in FLAGS if getattr(other, name)}
            if state is PrinterState.UNKNOWN:
                state = other.state
                state_flags = frozenset(other_flags)
            flags |= other_flags
            alerts.update(dict.fromkeys(other.alerts))
            raw_codes.update(dict.fromkeys(other.raw_codes))
            message = message or other.message
            change_marker = change_marker or other.change_marker
        else:
            for alert in other:
                flags |= alert_flags(alert)
                alerts[alert] = None
    return replace(
        primary,
        state=waiting_for_user(state, flags - state_flags),
        message=message,
        alerts=tuple(islice(alerts, MAX_ALERTS)),
        raw_codes=tuple(islice(raw_codes, MAX_CODES)),
        change_marker=change_marker,
        **dict.fromkeys(FLAGS, False) | _flag_kwargs(flags),
    )
