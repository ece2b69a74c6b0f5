"""Maintenance buttons: only what the printer lists, pressed against the simulator.

The lists are the printers' own (the Smart Tank 750 and 580-590 captures,
which the simulator serves); pressing a button is the one write, and a
refresh is never one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_HOST, Platform
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.client import (
    HPEWSConnectionError,
    HPEWSMaintenanceError,
    MaintenanceAction,
    MaintenanceErrorReason,
    MaintenanceKind,
)
from custom_components.hp_ews.const import DOMAIN, SCAN_INTERVAL
from tests.conftest import FIXTURES
from tests.recording_proxy import RecordingProxy

from .helpers import platform_entities
from .printers import ENVY

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory

GET_PRINTER_ATTRIBUTES = 0x000B


@pytest.fixture(autouse=True)
def only_buttons() -> Generator[None]:
    """Set up the button platform alone."""
    with patch("custom_components.hp_ews.PLATFORMS", [Platform.BUTTON]):
        yield


def _ledm_actions() -> tuple[MaintenanceAction, ...]:
    """The Smart Tank 750's list, as the client reads it from the capture."""
    from custom_components.hp_ews.client.maintenance import parse_internal_print_cap

    capture = FIXTURES / "ledm" / "HP-Smart-Tank-750__InternalPrintCap_reserialized.xml"
    return tuple(r.action for r in parse_internal_print_cap(capture.read_bytes()))


def _button(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        BUTTON_DOMAIN, DOMAIN, f"{entry.unique_id}_maintenance_{key}"
    )
    assert entity_id is not None, key
    return entity_id


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _jobs(sim: SimulatedPrinter) -> list[tuple[str, str]]:
    return [(job.name, job.attributes["kind"]) for job in sim.jobs]


# --- with the client mocked ----------------------------------------------------------


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_buttons_for_the_listed_actions(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot: SnapshotAssertion,
) -> None:
    """One button per listed action; the main ones enabled, the rest not."""
    mock_printer.maintenance_actions.return_value = _ledm_actions()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert platform_entities(hass, mock_config_entry.entry_id, "button") == snapshot
    mock_printer.maintenance_actions.assert_awaited_once_with()


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_no_list_no_buttons(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A list that cannot be read gives no maintenance buttons, not a failure."""
    mock_printer.maintenance_actions.side_effect = HPEWSConnectionError("gone")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(
        er.async_get(hass), mock_config_entry.entry_id
    )
    assert [entry.unique_id for entry in entries] == [
        f"{mock_config_entry.unique_id}_identify"
    ]
    assert "could not read the maintenance actions: gone" in caplog.text


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_other_errors_are_the_generic_one(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    mock_printer.maintenance_actions.return_value = (
        MaintenanceAction("ePrintSetupPage", "ePrintSetupPage", MaintenanceKind.OTHER),
        MaintenanceAction(
            "cleaningPage", "Clean Printheads", MaintenanceKind.CLEAN_LEVEL_1
        ),
    )
    mock_printer.run_maintenance.side_effect = HPEWSConnectionError("reset")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as raised:
        await _press(hass, _button(hass, mock_config_entry, "cleaningPage"))
    assert raised.value.translation_key == "action_failed"
    assert raised.value.translation_placeholders == {"error": "reset"}
    mock_printer.run_maintenance.assert_awaited_once_with("cleaningPage")
    mock_printer.run_maintenance.side_effect = HPEWSMaintenanceError(
        "no answer", MaintenanceErrorReason.NO_ANSWER
    )
    with pytest.raises(HomeAssistantError) as raised:
        await _press(hass, _button(hass, mock_config_entry, "cleaningPage"))
    assert raised.value.translation_key == "maintenance_no_answer"
    # An unknown kind has the generic name, the printer's own in it.
    registry = er.async_get(hass)
    other = registry.async_get(_button(hass, mock_config_entry, "ePrintSetupPage"))
    assert other is not None
    assert other.translation_key == "maintenance_other"
    assert other.disabled_by is er.RegistryEntryDisabler.INTEGRATION


# --- against the simulator -----------------------------------------------------------


@pytest.mark.usefixtures("socket_enabled")
async def test_pressing_runs_it_in_the_simulator(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    entity_id = _button(hass, entry, "cleaningPageLevel2")
    assert entity_id == "button.hp_officejet_pro_9022e_clean_printheads_level_2"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == (
        "HP OfficeJet Pro 9022e Clean printheads (level 2)"
    )
    await _press(hass, entity_id)
    assert _jobs(sim) == [("cleaningPageLevel2", "internal_print")]
    await sim.wait_for_jobs()
    assert hass.states.get(entity_id).state != state.state  # type: ignore[union-attr]


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_cdm_alignment_and_report(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    await _press(hass, _button(hass, entry, "penAlignSemiauto"))
    await sim.wait_for_jobs()
    await _press(hass, _button(hass, entry, "printQualityTestReport"))
    assert _jobs(sim) == [
        ("penAlignSemiauto", "calibration"),
        ("printQualityTestReport", "report"),
    ]
    registry = er.async_get(hass)
    for key, enabled in (
        ("penAlignSemiauto", True),
        ("configurationReport", True),
        ("cleaningPageLevel3", True),
        ("alignmentPage", False),
        ("privacyLog", False),
    ):
        registry_entry = registry.async_get(_button(hass, entry, key))
        assert registry_entry is not None
        assert (registry_entry.disabled_by is None) is enabled, key


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("state", "translation_key"),
    [
        ({"paper_jam": True}, "maintenance_paper_jam"),
        ({"door_open": True}, "maintenance_door_open"),
        ({"out_of_paper": True}, "maintenance_out_of_paper"),
        ({"power_save": True}, "maintenance_asleep"),
    ],
)
async def test_refusals_are_translated(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    state: dict[str, Any],
    translation_key: str,
) -> None:
    sim, entry = simulated_entry
    sim.set_state(**state)
    with pytest.raises(HomeAssistantError) as raised:
        await _press(hass, _button(hass, entry, "cleaningPage"))
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == translation_key
    assert raised.value.translation_placeholders is not None
    assert raised.value.translation_placeholders["name"] == "Clean Printheads"
    assert sim.jobs == []


@pytest.mark.usefixtures("socket_enabled")
async def test_busy_and_failed_are_translated(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    sim.set_state(page_seconds=30)
    await _press(hass, _button(hass, entry, "configurationPage"))
    with pytest.raises(HomeAssistantError) as raised:
        await _press(hass, _button(hass, entry, "pqDiagnosticsPage"))
    assert raised.value.translation_key == "maintenance_busy"
    await sim.reset()
    await sim.set_fault("http_error", status=500, paths=["/DevMgmt/InternalPrintDyn"])
    with pytest.raises(HomeAssistantError) as raised:
        await _press(hass, _button(hass, entry, "pqDiagnosticsPage"))
    assert raised.value.translation_key == "maintenance_failed"
    assert raised.value.translation_placeholders == {
        "name": "Print Quality Report",
        "error": "The printer refused 'Print Quality Report' "
        "(HTTP 500: 500 simulated error)",
    }


@pytest.mark.usefixtures("socket_enabled")
async def test_refreshes_never_write(
    hass: HomeAssistant,
    simulated_printer: PrinterFactory,
) -> None:
    """Setup and refreshes through a jam send only reads; a press is one write."""
    sim = await simulated_printer("envy-4520")
    async with RecordingProxy(sim.base_url) as wire:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: f"http://127.0.0.1:{wire.port}", "advanced": {}},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        await hass.async_block_till_done()
        entry = result["result"]
        for changes in ({"paper_jam": True}, {"paper_jam": False}, {}):
            sim.set_state(**changes)
            async_fire_time_changed(
                hass, dt_util.utcnow() + SCAN_INTERVAL + timedelta(seconds=1)
            )
            await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.runtime_data.coordinator.last_update_success

        def writes() -> list[tuple[str, str]]:
            return [
                (seen.method, seen.path)
                for seen in wire.seen
                if seen.method != "GET" and seen.operation != GET_PRINTER_ATTRIBUTES
            ]

        assert writes() == []
        reads = len(wire.seen)
        await _press(hass, _button(hass, entry, "cleaningPage"))
        assert writes() == [("POST", "/DevMgmt/InternalPrintDyn.xml")]
        assert len(wire.seen) > reads
