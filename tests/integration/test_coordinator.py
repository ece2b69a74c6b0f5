"""Refreshing: cadence, availability, back-off, identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
)
from custom_components.hp_ews.const import (
    DOMAIN,
    FULL_REFRESH_EVERY,
    MAX_BACKOFF,
    SCAN_INTERVAL,
)

from .printers import ENVY, OFFICEJET, with_status

if TYPE_CHECKING:
    from unittest.mock import MagicMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter

STATE = "sensor.hp_officejet_pro_9022e_state"
TOTAL_PAGES = "sensor.hp_officejet_pro_9022e_total_pages"
LOGGER_NAME = "custom_components.hp_ews"


async def _poll(hass: HomeAssistant, wait: timedelta = SCAN_INTERVAL) -> None:
    """Let the refresh due within ``wait`` happen (real time, for real I/O)."""
    async_fire_time_changed(hass, dt_util.utcnow() + wait + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _ours(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    """Records of this integration at ``level`` or above (the coordinator's too)."""
    return [
        record
        for record in caplog.records
        if record.name.startswith(LOGGER_NAME) and record.levelno >= level
    ]


def _attempts(printer: MagicMock) -> int:
    """Times the integration asked the printer for anything."""
    return int(printer.probe.await_count + printer.snapshot.await_count)


async def test_unreachable_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unavailable with one line, fewer attempts while away, one line on return."""
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    mock_printer.snapshot.side_effect = HPEWSConnectionError("Connection refused")
    mock_printer.probe.side_effect = HPEWSConnectionError("Connection refused")

    # Minute by minute for 35 minutes: the printer is asked after 1, 3, 7,
    # 15, 25 and 35 minutes (the wait doubles from 2 to at most 10 minutes).
    asked_at = []
    for minute in range(1, 36):
        before = _attempts(mock_printer)
        await _tick(hass, freezer, 60)
        if _attempts(mock_printer) > before:
            asked_at.append(minute)
        assert hass.states.get(STATE).state == STATE_UNAVAILABLE
    assert asked_at == [1, 3, 7, 15, 25, 35]
    assert [(r.levelno, r.getMessage()) for r in _ours(caplog, logging.INFO)] == [
        (
            logging.ERROR,
            (
                "Error fetching HP OfficeJet Pro 9022e data: "
                "Cannot reach the printer at 192.0.2.20: Connection refused"
            ),
        )
    ]

    caplog.clear()
    mock_printer.snapshot.side_effect = None
    mock_printer.probe.side_effect = None
    await _tick(hass, freezer, 600)
    assert hass.states.get(STATE).state == "power_save"
    assert [(r.levelno, r.getMessage()) for r in _ours(caplog, logging.INFO)] == [
        (logging.INFO, "Fetching HP OfficeJet Pro 9022e data recovered")
    ]

    # Back to a poll a minute.
    for _ in range(3):
        before = _attempts(mock_printer)
        await _tick(hass, freezer, 60)
        assert _attempts(mock_printer) == before + 1


async def test_power_save_stays_available(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sleeping printer slow to answer once is retried, not unavailable."""
    caplog.clear()
    mock_printer.snapshot.side_effect = [HPEWSTimeoutError("timed out"), OFFICEJET]
    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == "power_save"
    assert mock_printer.snapshot.await_count == 3
    assert not _ours(caplog, logging.INFO)


async def test_timeout_when_awake(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An awake printer that does not answer in time is unavailable."""
    mock_printer.snapshot.return_value = with_status(OFFICEJET, state="idle")
    await _tick(hass, freezer, 60)
    mock_printer.snapshot.side_effect = HPEWSTimeoutError("timed out")
    calls = mock_printer.snapshot.await_count
    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == STATE_UNAVAILABLE
    assert mock_printer.snapshot.await_count == calls + 1


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A printer that starts answering 401 asks the user for credentials."""
    mock_printer.snapshot.side_effect = HPEWSAuthenticationError("401")
    await _tick(hass, freezer, 60)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == init_integration.entry_id


@pytest.mark.parametrize(
    "failure",
    [
        (
            HPEWSParseError("truncated XML"),
            "Reading the printer at 192.0.2.20 failed: truncated XML",
        ),
        (
            HPEWSUnsupportedError("no CDM, LEDM or IPP"),
            (
                "The device at 192.0.2.20 is not a supported HP printer: "
                "no CDM, LEDM or IPP"
            ),
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_other_failures(
    hass: HomeAssistant,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    failure: tuple[Exception, str],
) -> None:
    """Garbled answers make entities unavailable and are logged as errors once."""
    error, message = failure
    caplog.clear()
    mock_printer.snapshot.side_effect = error
    await _tick(hass, freezer, 60)
    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == STATE_UNAVAILABLE
    errors = _ours(caplog, logging.ERROR)
    assert [r.getMessage() for r in errors] == [
        f"Error fetching HP OfficeJet Pro 9022e data: {message}"
    ]


async def test_other_printer_raises_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another printer at the address: a repair issue, and none of its data."""
    issue_id = f"wrong_printer_{init_integration.entry_id}"
    mock_printer.snapshot.return_value = ENVY
    await _tick(hass, freezer, 60)

    assert hass.states.get(STATE).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.hp_envy_4520_series_state") is None
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "wrong_printer"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders == {
        "title": "HP OfficeJet Pro 9022e",
        "host": "192.0.2.20",
        "model": "HP ENVY 4520 series",
    }
    # It probes again and reads everything next time, to see who answers.
    probes = mock_printer.probe.await_count
    mock_printer.snapshot.return_value = OFFICEJET
    await _tick(hass, freezer, 60)
    assert mock_printer.probe.await_count == probes + 1
    assert hass.states.get(STATE).state == "power_save"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_snapshot_without_identity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A refresh that carries no identity is taken as the same printer."""
    mock_printer.snapshot.return_value = replace(
        OFFICEJET, info=replace(OFFICEJET.info, serial_number=None)
    )
    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == "power_save"


async def test_unreachable_after_other_failure(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure already reported is not reported again when it turns into
    unreachable; the recovery is still logged once."""
    caplog.clear()
    mock_printer.snapshot.side_effect = HPEWSParseError("truncated XML")
    await _tick(hass, freezer, 60)
    mock_printer.snapshot.side_effect = HPEWSConnectionError("Connection refused")
    mock_printer.probe.side_effect = HPEWSConnectionError("Connection refused")
    await _tick(hass, freezer, 60)
    mock_printer.snapshot.side_effect = None
    mock_printer.probe.side_effect = None
    await _tick(hass, freezer, 120)
    assert hass.states.get(STATE).state == "power_save"
    assert [(r.levelno, r.getMessage()) for r in _ours(caplog, logging.INFO)] == [
        (
            logging.ERROR,
            (
                "Error fetching HP OfficeJet Pro 9022e data: "
                "Reading the printer at 192.0.2.20 failed: truncated XML"
            ),
        ),
        (logging.INFO, "Fetching HP OfficeJet Pro 9022e data recovered"),
    ]


@pytest.mark.usefixtures("socket_enabled")
async def test_counters_every_tenth_refresh(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A counter that drifts silently shows within ten polls, not at every one.

    Setup reads everything; the status polls in between reuse the counters.
    """
    sim, _ = simulated_entry
    assert hass.states.get(TOTAL_PAGES).state == "969"
    sim.set_state(counters={"total_pages": 975})
    for _ in range(FULL_REFRESH_EVERY - 1):
        await _poll(hass)
        assert hass.states.get(TOTAL_PAGES).state == "969"
    await _poll(hass)
    assert hass.states.get(TOTAL_PAGES).state == "975"


@pytest.mark.usefixtures("socket_enabled")
async def test_everything_read_after_an_absence(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A printer back from an absence is read whole: what changed meanwhile shows."""
    sim, _ = simulated_entry
    await _poll(hass)
    await sim.set_fault("refuse_connections")
    await _poll(hass)
    assert hass.states.get(TOTAL_PAGES).state == STATE_UNAVAILABLE
    sim.set_state(counters={"total_pages": 1000})
    await sim.clear_faults()
    await _poll(hass, MAX_BACKOFF)
    assert hass.states.get(TOTAL_PAGES).state == "1000"
