"""The printer's status in a Get-Printer-Attributes answer.

``printer-state-reasons`` may say ``none`` while supply problems sit in
``printer-alert``/``printer-alert-description``; both are read. Some models
(ENVY 4520) report ``printer-alert`` as an event history (``ready``,
``inPowerSave``, ``trayOpen``, ``processing``...), oldest first; only the
newest entry describes the printer now (docs/protocols.md §7.2, §7.3). Free
text is matched on its first ``MATCH_CHARS`` characters with linear-time
patterns.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    Alert,
    AlertSeverity,
    PrinterProtocol,
    PrinterState,
    PrinterStatus,
)
from custom_components.hp_ews.client.status import hp_condition, ipp_condition

from .response import MATCH_CHARS, int_of, key_values, text_of, texts_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .codec import IppAttributeGroup


# --- status ----------------------------------------------------------------------------

_PRINTER_STATES: Final = MappingProxyType(
    {3: PrinterState.IDLE, 4: PrinterState.PRINTING, 5: PrinterState.STOPPED}
)
# Reasons that change the state (others only raise flags or are kept raw).
_REASON_STATES: Final = MappingProxyType(
    {
        "paused": PrinterState.STOPPED,
        "moving-to-paused": PrinterState.STOPPED,
        "sleep": PrinterState.POWER_SAVE,
        "sleeping": PrinterState.POWER_SAVE,
        "power-save": PrinterState.POWER_SAVE,
        "powersave": PrinterState.POWER_SAVE,
        "in-power-save": PrinterState.POWER_SAVE,
        "standby": PrinterState.POWER_SAVE,
        "warming-up": PrinterState.WARMING_UP,
    }
)
_REASON_SUFFIXES: Final = MappingProxyType(
    {
        "-error": AlertSeverity.ERROR,
        "-warning": AlertSeverity.WARNING,
        "-report": AlertSeverity.INFO,
    }
)

# RFC 3805 PrtAlertCodeTC keywords as PWG 5100.9 printer-alert spells them.
_ALERT_FLAGS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        code.casefold(): frozenset(flags)
        for code, flags in {
            "coverOpen": ("door_open",),
            "doorOpen": ("door_open",),
            "interlockOpen": ("door_open",),
            "jam": ("paper_jam",),
            "inputMediaTrayMissing": ("out_of_paper",),
            "inputMediaSupplyEmpty": ("out_of_paper",),
            "outputMediaTrayMissing": ("output_full",),
            "outputMediaTrayFull": ("output_full",),
            "markerTonerCartridgeMissing": ("supply_missing",),
            "markerTonerEmpty": ("supply_low",),
            "markerInkEmpty": ("supply_low",),
            "markerDeveloperEmpty": ("supply_low",),
            "markerTonerAlmostEmpty": ("supply_low",),
            "markerInkAlmostEmpty": ("supply_low",),
            "markerDeveloperAlmostEmpty": ("supply_low",),
            "markerOpcLifeAlmostOver": ("supply_low",),
            "markerOpcLifeOver": ("supply_low",),
            "markerWasteTonerReceptacleAlmostFull": ("supply_low",),
            "markerWasteInkReceptacleAlmostFull": ("supply_low",),
            "markerWasteTonerReceptacleFull": ("supply_low",),
            "markerWasteInkReceptacleFull": ("supply_low",),
        }.items()
    }
)
# Events and notices that never need attention.
_ROUTINE_ALERTS: Final = frozenset(
    code.casefold()
    for code in (
        "printerReadyToPrint",
        "poweredUp",
        "poweredDown",
        "configurationChange",
        "coverClosed",
        "doorClosed",
        "interlockClosed",
        "subunitClosed",
        "subunitTurnedOn",
        "subunitAdded",
        "subunitResourceAdded",
        "inputMediaSizeChange",
        "inputMediaTypeChange",
        "inputMediaWeightChange",
        "inputMediaColorChange",
        "markerAdjustingPrintQuality",
        "printerNMSReset",
        "printerManualReset",
        "alertRemovalOfBinaryChangeEntry",
        "subunitPowerSaver",
        "subunitWarmingUp",
        # HP event names seen in ENVY 4520 alert histories.
        "supplyInkLevelChange",
    )
)
_UNNAMED: Final = frozenset({"", "unknown", "other"})
# Free-text alert descriptions (P57750): routine notices first, then problems.
_ROUTINE_TEXT: Final = re.compile(
    r"genuine hp|non-hp|previously used|refilled|used (?:cartridge|supply)"
    r"|counterfeit|subscription|instant ink",
    re.IGNORECASE,
)
_TEXT_FLAGS: Final = (
    (re.compile(r"\bjam", re.IGNORECASE), "paper_jam"),
    (
        re.compile(
            r"out of paper|load paper|paper (?:empty|out)|tray (?:is )?(?:empty|open|missing)",
            re.IGNORECASE,
        ),
        "out_of_paper",
    ),
    (re.compile(r"(?:bin|tray) (?:is )?full", re.IGNORECASE), "output_full"),
    (
        re.compile(
            r"(?:cartridge|toner|ink|printhead|print head|drum)s? (?:is |are )?(?:missing|not installed)",
            re.IGNORECASE,
        ),
        "supply_missing",
    ),
    (re.compile(r"\b(?:very low|low|empty|depleted)\b", re.IGNORECASE), "supply_low"),
)
_DOOR: Final = re.compile(r"\b(?:door|cover|lid)\b", re.IGNORECASE)
_OPEN: Final = re.compile(r"\bopen", re.IGNORECASE)


def _text_flags(message: str) -> set[str]:
    """Flags a free-text alert description names."""
    text = message[:MATCH_CHARS]
    found = {flag for pattern, flag in _TEXT_FLAGS if pattern.search(text)}
    if _door_open(text):
        found.add("door_open")
    return found


def _door_open(text: str) -> bool:
    r"""``door|cover|lid`` then ``open`` later on the same line.

    What ``\b(?:door|cover|lid)\b.*\bopen`` says, in linear time: that
    pattern retries ``.*`` from every door word, quadratic on a line of them.
    After the first door word of a line, any later "open" will do.
    """
    for line in text.split("\n"):
        door = _DOOR.search(line)
        if door is not None and _OPEN.search(line, door.end()):
            return True
    return False


def _reason_parts(reason: str) -> tuple[str, AlertSeverity]:
    keyword = reason.strip().lower()
    for suffix, level in _REASON_SUFFIXES.items():
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)], level
    # RFC 8011 §5.4.12: a reason without a suffix is an error.
    return keyword, AlertSeverity.ERROR


def printer_status(printer: IppAttributeGroup) -> PrinterStatus:
    """The status in the printer attributes group of an answer."""
    state = _PRINTER_STATES.get(
        int_of(printer, "printer-state") or 0, PrinterState.UNKNOWN
    )
    reasons = [
        reason
        for reason in texts_of(printer, "printer-state-reasons")[:MAX_ALERTS]
        if reason
    ]
    flags: set[str] = set()
    alerts: list[Alert] = []
    reason_state: PrinterState | None = None
    for reason in reasons:
        keyword, level = _reason_parts(reason)
        if keyword == "none":
            continue
        condition = ipp_condition(reason)
        if condition is not None and not condition.routine:
            flags |= condition.flags
        named = _REASON_STATES.get(keyword)
        if named is PrinterState.POWER_SAVE:
            level = AlertSeverity.INFO
        if named is not None and reason_state is not PrinterState.STOPPED:
            reason_state = named
        alerts.append(Alert(code=reason, severity=level, source=PrinterProtocol.IPP))

    alert_state, printer_alerts, alert_flags = _printer_alerts(printer)
    alerts.extend(printer_alerts)
    flags |= alert_flags

    if reason_state is PrinterState.STOPPED:
        state = PrinterState.STOPPED
    elif state is PrinterState.IDLE:
        # Power save and warming up are refinements of "idle" only.
        state = reason_state or alert_state or state
    return PrinterStatus(
        state=state,
        message=text_of(printer, "printer-state-message"),
        alerts=tuple(alerts[:MAX_ALERTS]),
        raw_codes=tuple(reasons),
        paper_jam="paper_jam" in flags,
        door_open="door_open" in flags,
        out_of_paper="out_of_paper" in flags,
        output_full="output_full" in flags,
        supply_missing="supply_missing" in flags,
        supply_low="supply_low" in flags,
    )


def _printer_alerts(
    printer: IppAttributeGroup,
) -> tuple[PrinterState | None, list[Alert], set[str]]:
    """Active alerts from printer-alert + printer-alert-description.

    Returns the state the newest history entry names (power save), the
    alerts and the flags they raise. Only the first ``MAX_ALERTS`` entries
    are decoded: a longer history is read as if its last one were newest.
    """
    raw = [key_values(text) for text in texts_of(printer, "printer-alert")[:MAX_ALERTS]]
    descriptions = texts_of(printer, "printer-alert-description")[:MAX_ALERTS]
    count = max(len(raw), len(descriptions))
    entries = [
        (
            raw[i] if i < len(raw) else {},
            descriptions[i] if i < len(descriptions) else "",
        )
        for i in range(count)
    ]
    if any(_names_a_state(fields, text) for fields, text in entries):
        # An event history (oldest first, like the RFC 3805 alert table it
        # mirrors): only the newest entry is the printer's condition now.
        entries = entries[-1:]
    state: PrinterState | None = None
    alerts: list[Alert] = []
    flags: set[str] = set()
    for fields, text in entries:
        code = fields.get("code", "")
        if code.casefold() in _UNNAMED and text and " " not in text:
            code = text  # HP puts its own status code in the description
        code = code or "unknown"
        message = text if text and text != code else None
        hp = hp_condition(code)
        routine = (
            code.casefold() in _ROUTINE_ALERTS
            or (
                hp is not None
                and (hp.routine or (hp.state is not None and not hp.flags))
            )
            or bool(message and _ROUTINE_TEXT.search(message[:MATCH_CHARS]))
        )
        found: set[str] = set()
        if not routine:
            found |= _ALERT_FLAGS.get(code.casefold(), frozenset())
            if hp is not None:
                found |= hp.flags
            if not found and message:
                found |= _text_flags(message)
        if code.casefold() == "subunitpowersaver" or (
            hp is not None and hp.state is PrinterState.POWER_SAVE
        ):
            state = PrinterState.POWER_SAVE
        flags |= found
        alerts.append(
            Alert(
                code=code,
                severity=_alert_severity(fields.get("severity", ""), routine, found),
                source=PrinterProtocol.IPP,
                message=message,
            )
        )
    return state, alerts, flags


def _names_a_state(fields: Mapping[str, str], text: str) -> bool:
    code = fields.get("code", "")
    if code.casefold() == "printerreadytoprint":
        return True
    condition = hp_condition(text) if text and " " not in text else None
    return condition is not None and condition.state is not None and not condition.flags


def _alert_severity(raw: str, routine: bool, flags: set[str]) -> AlertSeverity:
    if routine:
        return AlertSeverity.INFO
    # ENVY 4520's log shows values such as "criticalother": match the start.
    value = raw.casefold()
    if value.startswith("critical"):
        return AlertSeverity.ERROR
    if value.startswith("warning"):
        return AlertSeverity.WARNING
    return AlertSeverity.WARNING if flags else AlertSeverity.INFO
