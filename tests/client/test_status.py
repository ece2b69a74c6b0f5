"""The shared status vocabulary and merge_status."""

from __future__ import annotations

import pytest

from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_CODES,
    Alert,
    AlertSeverity,
    ChangeMarker,
    PrinterProtocol,
    PrinterState,
    PrinterStatus,
)
from custom_components.hp_ews.client.status import (
    FLAGS,
    alert_flags,
    hp_condition,
    ipp_condition,
    merge_status,
    severity,
    status_from_codes,
)


def test_table_is_case_insensitive_and_unknown_is_none() -> None:
    assert hp_condition("inPowerSave") == hp_condition("INPOWERSAVE")
    condition = hp_condition("jamInPrinter")
    assert condition is not None
    assert condition.state is PrinterState.STOPPED
    assert condition.flags == {"paper_jam"}
    assert hp_condition("noSuchCategory") is None


@pytest.mark.parametrize(
    ("keyword", "flags"),
    [
        ("media-jam-error", {"paper_jam"}),
        ("door-open-warning", {"door_open"}),
        ("media-empty-error", {"out_of_paper"}),
        ("media-empty-report", set()),
        ("toner-low-warning", {"supply_low"}),
        ("output-area-full", {"output_full"}),
        ("none", set()),
    ],
)
def test_ipp_reasons(keyword: str, flags: set[str]) -> None:
    condition = ipp_condition(keyword)
    assert condition is not None
    assert condition.flags == flags


def test_unknown_ipp_reason() -> None:
    assert ipp_condition("hp-something-new") is None


@pytest.mark.parametrize(
    ("raw", "code", "expected"),
    [
        ("Info", None, AlertSeverity.INFO),
        ("information", None, AlertSeverity.INFO),
        ("Warning", None, AlertSeverity.WARNING),
        ("Error", None, AlertSeverity.ERROR),
        ("critical", None, AlertSeverity.ERROR),
        ("fatal", None, AlertSeverity.ERROR),
        (None, "genuineHP", AlertSeverity.INFO),
        (None, "jamInPrinter", AlertSeverity.WARNING),
        ("bogus", None, AlertSeverity.WARNING),
        (None, None, AlertSeverity.WARNING),
    ],
)
def test_severity(raw: str | None, code: str | None, expected: AlertSeverity) -> None:
    assert severity(raw, code) is expected


def test_status_from_codes_fallbacks() -> None:
    assert status_from_codes([]).state is PrinterState.UNKNOWN
    assert status_from_codes(["cartridgeLow"]).state is PrinterState.IDLE
    assert status_from_codes(["outputBinFull"]).state is PrinterState.STOPPED
    # An alert alone does not tell the state.
    jam = Alert("jamInPrinter", AlertSeverity.ERROR, PrinterProtocol.LEDM)
    only_alert = status_from_codes([], alerts=[jam])
    assert (only_alert.state, only_alert.paper_jam) == (PrinterState.UNKNOWN, True)


def _alert(
    code: str,
    source: PrinterProtocol = PrinterProtocol.CDM,
    sev: AlertSeverity = AlertSeverity.WARNING,
) -> Alert:
    return Alert(code=code, severity=sev, source=source)


def test_merge_ors_flags_and_keeps_primary_state() -> None:
    primary = PrinterStatus(
        state=PrinterState.POWER_SAVE,
        raw_codes=("inPowerSave",),
        change_marker=ChangeMarker(alert_table="3"),
    )
    other = PrinterStatus(
        state=PrinterState.IDLE,
        door_open=True,
        raw_codes=("inPowerSave", "door-open"),
        message="Close the door",
        alerts=(_alert("doorOpen"),),
    )
    merged = merge_status(primary, other)
    assert merged.state is PrinterState.POWER_SAVE
    assert merged.door_open
    assert merged.raw_codes == ("inPowerSave", "door-open")
    assert merged.message == "Close the door"
    assert merged.change_marker == ChangeMarker(alert_table="3")
    assert merged.alerts == (_alert("doorOpen"),)


def test_merge_takes_first_known_state_when_primary_unknown() -> None:
    unknown = PrinterStatus(state=PrinterState.UNKNOWN)
    merged = merge_status(
        unknown,
        PrinterStatus(state=PrinterState.UNKNOWN),
        PrinterStatus(
            state=PrinterState.PRINTING, change_marker=ChangeMarker(alert_table="9")
        ),
        PrinterStatus(state=PrinterState.IDLE),
    )
    assert merged.state is PrinterState.PRINTING
    assert merged.change_marker == ChangeMarker(alert_table="9")


def test_merge_alert_tuples_raise_flags_except_routine_ones() -> None:
    primary = PrinterStatus(state=PrinterState.IDLE)
    alerts = (
        _alert("genuineHPsupply", sev=AlertSeverity.INFO),
        _alert("usedSupplyPrompt", sev=AlertSeverity.INFO),
        _alert("cartridgeVeryLow"),
        _alert("media-empty-error", PrinterProtocol.IPP),
        _alert("cartridgeVeryLow"),
        _alert("somethingNew"),
    )
    merged = merge_status(primary, alerts)
    assert merged.supply_low
    assert merged.out_of_paper
    assert not merged.paper_jam
    assert not merged.door_open
    assert len(merged.alerts) == 5  # the duplicate is dropped
    routine_only = merge_status(primary, alerts[:2])
    assert not any(getattr(routine_only, flag) for flag in FLAGS)
    assert not routine_only.has_problem


def test_merge_never_clears_a_primary_flag() -> None:
    primary = PrinterStatus(state=PrinterState.STOPPED, paper_jam=True)
    merged = merge_status(primary, PrinterStatus(state=PrinterState.IDLE), ())
    assert merged.paper_jam
    assert merged.state is PrinterState.STOPPED


def test_alert_flags_uses_the_alert_protocol_vocabulary() -> None:
    assert alert_flags(_alert("media-jam", PrinterProtocol.IPP)) == {"paper_jam"}
    assert alert_flags(_alert("media-jam", PrinterProtocol.LEDM)) == frozenset()
    assert alert_flags(_alert("genuineHP", PrinterProtocol.LEDM)) == frozenset()


@pytest.mark.parametrize(
    ("code", "state"),
    [
        # Blocking conditions stop an idle printer, as the same LEDM status would.
        ("jamInPrinter", PrinterState.STOPPED),
        ("doorOpen", PrinterState.STOPPED),
        ("allTraysEmpty", PrinterState.STOPPED),
        ("cartridgeMissing", PrinterState.STOPPED),
        ("outputBinFull", PrinterState.STOPPED),
        # Not blocking: the printer keeps printing.
        ("cartridgeVeryLow", PrinterState.IDLE),
        ("genuineHPsupply", PrinterState.IDLE),
        ("somethingNew", PrinterState.IDLE),
    ],
)
def test_blocking_alert_stops_an_idle_printer(code: str, state: PrinterState) -> None:
    ready = status_from_codes(["ready"])
    assert merge_status(ready, (_alert(code),)).state is state
    # The same through LEDM's AlertTable next to a "ready" StatusCategory.
    ledm = status_from_codes(["ready"], alerts=[_alert(code, PrinterProtocol.LEDM)])
    assert ledm.state is state


def test_blocking_alert_keeps_a_sleeping_or_busy_state() -> None:
    tray = (_alert("trayEmpty"),)
    for codes, state in (
        (["inPowerSave"], PrinterState.POWER_SAVE),
        (["processing"], PrinterState.PRINTING),
        (["jamInPrinter"], PrinterState.STOPPED),
    ):
        merged = merge_status(status_from_codes(codes), tray)
        assert (merged.state, merged.out_of_paper) == (state, True)


def test_flags_the_state_source_reported_do_not_escalate() -> None:
    # The status word itself says ready next to an empty tray (its own call).
    own = status_from_codes(["ready", "trayEmpty"])
    assert (own.state, own.out_of_paper) == (PrinterState.IDLE, True)
    assert merge_status(own, (_alert("trayEmpty"),)).state is PrinterState.IDLE
    # A stateless primary takes the state (and flags) of the first known one.
    ipp_idle = PrinterStatus(state=PrinterState.IDLE, out_of_paper=True)
    unknown = PrinterStatus(state=PrinterState.UNKNOWN)
    assert merge_status(unknown, ipp_idle).state is PrinterState.IDLE
    jammed = PrinterStatus(state=PrinterState.UNKNOWN, paper_jam=True)
    assert merge_status(jammed, ipp_idle).state is PrinterState.STOPPED
    # Another full status adding a blocking flag to an idle primary.
    door = PrinterStatus(state=PrinterState.IDLE, door_open=True)
    assert merge_status(status_from_codes(["ready"]), door).state is (
        PrinterState.STOPPED
    )


def test_statuses_hold_at_most_the_capped_alerts_and_codes() -> None:
    # Each source is capped by its parser; a merge of several stays capped
    # too, while every alert still raises its flags.
    def alerts(source: PrinterProtocol, prefix: str) -> tuple[Alert, ...]:
        return tuple(
            Alert(f"{prefix}{n}", AlertSeverity.WARNING, source) for n in range(60)
        )

    codes = [f"code{n}" for n in range(1000)]
    primary = status_from_codes(
        ["ready", *codes], alerts=alerts(PrinterProtocol.LEDM, "ledm") * 20
    )
    assert len(primary.raw_codes) == MAX_CODES
    assert len(primary.alerts) == MAX_ALERTS
    jam = (Alert("media-jam-error", AlertSeverity.ERROR, PrinterProtocol.IPP),)
    other = PrinterStatus(
        state=PrinterState.IDLE,
        alerts=alerts(PrinterProtocol.IPP, "ipp"),
        raw_codes=tuple(f"other{n}" for n in range(60)),
    )
    merged = merge_status(primary, other, alerts(PrinterProtocol.CDM, "cdm") + jam)
    assert len(merged.alerts) == MAX_ALERTS
    assert len(merged.raw_codes) == MAX_CODES
    assert [a.code for a in merged.alerts[:3]] == ["ledm0", "ledm1", "ledm2"]
    assert merged.paper_jam
    assert merged.state is PrinterState.STOPPED
