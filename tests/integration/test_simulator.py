"""Behaviour against a simulated HP printer on loopback, through the real client."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.hp_ews.const import (
    DOMAIN,
    FULL_REFRESH_EVERY,
    MAX_BACKOFF,
    SCAN_INTERVAL,
)

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import issue_registry as ir
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled", "short_timeout")

OFFICEJET = "hp_officejet_pro_9022e"
LOGGER_NAME = "custom_components.hp_ews"


@pytest.fixture
def short_timeout() -> Generator[None]:
    """A printer that stopped answering times out in 1 s instead of 10 s."""
    with patch("custom_components.hp_ews.coordinator.REQUEST_TIMEOUT", 1.0):
        yield


async def _refresh(
    hass: HomeAssistant, entry: MockConfigEntry, wait: timedelta = SCAN_INTERVAL
) -> None:
    """Let the refresh due within ``wait`` happen (real time keeps running for I/O)."""
    async_fire_time_changed(hass, dt_util.utcnow() + wait + timedelta(seconds=1))
    # Scheduled refreshes run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


def _state(hass: HomeAssistant, key: str, domain: str = "sensor") -> str:
    state = hass.states.get(f"{domain}.{OFFICEJET}_{key}")
    assert state is not None, key
    return state.state


def _info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(LOGGER_NAME) and record.levelno >= logging.INFO
    ]


async def test_entities_from_simulator(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """The simulated OfficeJet's captured inks arrive as sensors."""
    assert _state(hass, "black_cartridge") == "80"
    assert _state(hass, "cyan_cartridge") == "40"
    assert _state(hass, "state") == "idle"
    assert _state(hass, "paper_jam", "binary_sensor") == STATE_OFF
    # The simulator speaks IPP with Identify-Printer, so the button exists.
    assert hass.states.get(f"button.{OFFICEJET}_identify") is not None


async def test_jam_within_one_refresh(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A jam shows at the next (cheap) refresh and clears the same way."""
    sim, entry = simulated_entry
    sim.set_state(paper_jam=True)
    await _refresh(hass, entry)
    assert _state(hass, "paper_jam", "binary_sensor") == STATE_ON
    assert _state(hass, "state") == "stopped"

    sim.set_state(paper_jam=False)
    await _refresh(hass, entry)
    assert _state(hass, "paper_jam", "binary_sensor") == STATE_OFF
    assert _state(hass, "state") == "idle"


async def test_door_and_paper(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """Door and paper conditions reach their sensors too."""
    sim, entry = simulated_entry
    sim.set_state(door_open=True, out_of_paper=True)
    await _refresh(hass, entry)
    assert _state(hass, "door", "binary_sensor") == STATE_ON
    assert _state(hass, "out_of_paper", "binary_sensor") == STATE_ON


async def test_power_save_stays_available(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A sleeping printer is healthy: everything stays available."""
    sim, entry = simulated_entry
    sim.set_state(power_save=True)
    await _refresh(hass, entry)
    assert _state(hass, "state") == "power_save"
    assert _state(hass, "black_cartridge") == "80"
    assert entry.runtime_data.coordinator.last_update_success


async def test_unreachable_once_and_back(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unavailable with one line, quiet and slower while away, one line on return."""
    sim, entry = simulated_entry
    caplog.set_level(logging.INFO)
    caplog.clear()
    await sim.set_fault("refuse_connections")
    await _refresh(hass, entry)
    for _ in range(2):
        await _refresh(hass, entry, MAX_BACKOFF)
    assert _state(hass, "state") == STATE_UNAVAILABLE
    assert _state(hass, "black_cartridge") == STATE_UNAVAILABLE
    lines = _info_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith(
        "Error fetching HP OfficeJet Pro 9022e data: "
        "Cannot reach the printer at 127.0.0.1: "
    )

    caplog.clear()
    await sim.clear_faults()
    # Three attempts failed: the next one is minutes away, not one.
    await _refresh(hass, entry)
    assert _state(hass, "state") == STATE_UNAVAILABLE
    await _refresh(hass, entry, MAX_BACKOFF)
    assert _state(hass, "state") == "idle"
    assert _info_lines(caplog) == ["Fetching HP OfficeJet Pro 9022e data recovered"]
    # Polled every minute again.
    sim.set_state(paper_jam=True)
    await _refresh(hass, entry)
    assert _state(hass, "paper_jam", "binary_sensor") == STATE_ON


async def test_401_starts_reauth(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A printer that starts asking for credentials gets them through reauth."""
    sim, entry = simulated_entry
    await sim.set_fault("auth", username="admin", password="hp")
    await _refresh(hass, entry)
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "admin", "password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "admin", "password": "hp"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert _state(hass, "state") == "idle"


async def test_swapped_printer_raises_issue(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another printer at the address: a repair issue and no data from it.

    Identity is read with supplies and counters, so the swap shows within one
    full-refresh cycle (at once when the printer was away in between).
    """
    sim, entry = simulated_entry
    issue_id = f"wrong_printer_{entry.entry_id}"
    await sim.set_fault("swap")
    for _ in range(FULL_REFRESH_EVERY):
        await _refresh(hass, entry)
        if issue_registry.async_get_issue(DOMAIN, issue_id):
            break
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["model"] == "HP OfficeJet Pro 9022e"
    assert _state(hass, "state") == STATE_UNAVAILABLE

    # The configured printer back at its address: the issue goes away.
    await sim.clear_faults()
    sim.state.swap(False)
    await _refresh(hass, entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert _state(hass, "state") == "idle"


@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_cdm_printer_over_https(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A CDM printer with a self-signed certificate is found and read."""
    sim, entry = simulated_entry
    assert sim.https
    assert hass.states.get("sensor.hp_smart_tank_588_black_ink_tank").state == "100"
    # Printheads report no level: no sensor pretends they are ink.
    assert hass.states.get("sensor.hp_smart_tank_588_black_printhead") is None
    sim.set_state(door_open=True)
    await _refresh(hass, entry)
    assert hass.states.get("binary_sensor.hp_smart_tank_588_door").state == STATE_ON


@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_cdm_unique_id_is_the_announced_uuid(
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
) -> None:
    """The entry is keyed by the UUID the printer announces over mDNS and IPP."""
    sim, entry = simulated_entry
    assert entry.unique_id == sim.state.identity.uuid


async def test_diagnostics_capture(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
) -> None:
    """A real capture: every document, no serial, MAC, UUID or address."""
    sim, entry = simulated_entry
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    capture = diagnostics["capture"]
    assert "/DevMgmt/ProductStatusDyn.xml" in capture["http"]
    assert "Get-Printer-Attributes" in capture["ipp"]
    text = str(diagnostics)
    identity = sim.state.identity
    for secret in (identity.serial, identity.uuid, identity.mac, "127.0.0.1"):
        assert secret not in text
    assert identity.mac.replace(":", "").upper() not in text.upper()
