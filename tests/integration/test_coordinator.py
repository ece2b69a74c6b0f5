"""Refreshing: cadence, availability, back-off, identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.client.errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
)
from custom_components.hp_ews.const import DOMAIN, FULL_REFRESH_EVERY

from .printers import ENVY, OFFICEJET, with_status

if TYPE_CHECKING:
    from unittest.mock import MagicMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

STATE = "sensor.hp_officejet_pro_9022e_state"
LOGGER_NAME = "custom_components.hp_ews"


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


async def test_cheap_and_full_refreshes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Status every poll; everything every tenth poll, from the previous data."""
    assert mock_printer.snapshot.await_args.kwargs == {"previous": None, "full": True}
    fulls = []
    for _ in range(2 * FULL_REFRESH_EVERY):
        await _tick(hass, freezer, 60)
        kwargs = mock_printer.snapshot.await_args.kwargs
        assert kwargs["previous"] == OFFICEJET
        fulls.append(kwargs["full"])
    assert fulls == ([False] * (FULL_REFRESH_EVERY - 1) + [True]) * 2
    mock_printer.probe.assert_awaited_once()


async def test_unreachable_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unavailable with one info line, back-off, then one line on recovery."""
    coordinator = init_integration.runtime_data
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    mock_printer.snapshot.side_effect = HPEWSConnectionError("Connection refused")
    mock_printer.probe.side_effect = HPEWSConnectionError("Connection refused")

    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == STATE_UNAVAILABLE
    gone = _ours(caplog, logging.INFO)
    assert [(r.levelno, r.getMessage()) for r in gone] == [
        (
            logging.INFO,
            "HP OfficeJet Pro 9022e (192.0.2.20) is unreachable: Connection refused",
        )
    ]
    assert str(coordinator.last_exception) == (
        "Cannot reach the printer at 192.0.2.20: Connection refused"
    )

    # Waits double while the printer stays away, up to ten minutes.
    intervals = [coordinator.update_interval.total_seconds()]
    for _ in range(5):
        await _tick(hass, freezer, intervals[-1])
        intervals.append(coordinator.update_interval.total_seconds())
    assert intervals == [120, 240, 480, 600, 600, 600]
    assert len(_ours(caplog, logging.INFO)) == 1

    caplog.clear()
    mock_printer.snapshot.side_effect = None
    mock_printer.probe.side_effect = None
    probes = mock_printer.probe.await_count
    await _tick(hass, freezer, 600)
    assert hass.states.get(STATE).state == "power_save"
    back = _ours(caplog, logging.INFO)
    assert [(r.levelno, r.getMessage()) for r in back] == [
        (logging.INFO, "HP OfficeJet Pro 9022e (192.0.2.20) is reachable again")
    ]
    assert coordinator.update_interval.total_seconds() == 60
    # Back from an absence: probe again and read everything.
    assert mock_printer.probe.await_count == probes + 1
    assert mock_printer.snapshot.await_args.kwargs["full"] is True


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
        (logging.INFO, "HP OfficeJet Pro 9022e (192.0.2.20) is reachable again"),
    ]


async def test_back_off_returns_to_poll_interval(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Backing off doubles the wait; a printer that answers again gets 60 s polls."""
    coordinator = init_integration.runtime_data
    mock_printer.snapshot.side_effect = HPEWSConnectionError("Connection refused")
    mock_printer.probe.side_effect = HPEWSConnectionError("Connection refused")
    await _tick(hass, freezer, 60)
    assert coordinator.update_interval == timedelta(seconds=120)
    await _tick(hass, freezer, 120)
    assert coordinator.update_interval == timedelta(seconds=240)

    mock_printer.snapshot.side_effect = None
    mock_printer.probe.side_effect = None
    await _tick(hass, freezer, 240)
    assert coordinator.update_interval == timedelta(seconds=60)
