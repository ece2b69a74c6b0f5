"""The scanner's entities: its state, and paper in the document feeder."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, STATE_UNAVAILABLE
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.const import DOMAIN, MAX_BACKOFF

from .helpers import platform_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory

pytestmark = pytest.mark.usefixtures("socket_enabled")

type Printer = tuple[SimulatedPrinter, MockConfigEntry]

SCANNER_KEYS = ("scanner", "document_in_feeder")
COOLDOWN = timedelta(seconds=11)
"""Longer than the wait between two requested refreshes (REQUEST_REFRESH_DEFAULT_COOLDOWN)."""


def _scanner_entities(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The scanner's entities of both platforms, for a snapshot."""
    described: dict[str, Any] = {}
    for domain in ("sensor", "binary_sensor"):
        described |= {
            entity_id: entity
            for entity_id, entity in platform_entities(
                hass, entry.entry_id, domain
            ).items()
            if entity["unique_id"].endswith(SCANNER_KEYS)
        }
    # Simulated printers have a new UUID each run.
    for entity in described.values():
        entity["unique_id"] = entity["unique_id"].replace(str(entry.unique_id), "UUID")
    return described


def _entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, domain: str, key: str
) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{entry.unique_id}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def _update(hass: HomeAssistant, *entity_ids: str) -> None:
    """Ask for fresh values, as the update_entity action does.

    Requests closer together than the coordinator's cooldown wait it out.
    """
    await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": list(entity_ids)},
        blocking=True,
    )
    async_fire_time_changed(hass, dt_util.utcnow() + COOLDOWN)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "simulated_entry",
    ["officejet-pro-9022e", "envy-4520", "color-laserjet-pro-m255dw"],
    indirect=True,
)
async def test_entities_where_the_printer_has_them(
    hass: HomeAssistant, simulated_entry: Printer, snapshot: SnapshotAssertion
) -> None:
    """The OfficeJet has both, the ENVY (glass only) the state, the LaserJet none."""
    _sim, entry = simulated_entry
    assert _scanner_entities(hass, entry) == snapshot


async def test_states_follow_the_scanner(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    """Paper in the feeder, and a jam that stops the scanner, show once read."""
    sim, entry = simulated_entry
    scanner = _entity_id(hass, entry, "sensor", "scanner")
    feeder = _entity_id(hass, entry, "binary_sensor", "document_in_feeder")
    assert (_state(hass, scanner), _state(hass, feeder)) == ("idle", "off")

    sim.set_state(feeder_sheets=3)
    await _update(hass, feeder)
    assert (_state(hass, scanner), _state(hass, feeder)) == ("idle", "on")

    sim.set_state(paper_jam=True)
    await _update(hass, scanner)
    assert _state(hass, scanner) == "stopped"


async def test_unavailable_while_the_scanner_does_not_answer(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    """A failed read makes the scanner's entities unavailable until the next one."""
    sim, entry = simulated_entry
    scanner = _entity_id(hass, entry, "sensor", "scanner")
    feeder = _entity_id(hass, entry, "binary_sensor", "document_in_feeder")
    await sim.set_fault("http_error", status=500, paths=["/eSCL/ScannerStatus"])
    await _update(hass, scanner)
    assert _state(hass, scanner) == STATE_UNAVAILABLE
    assert _state(hass, feeder) == STATE_UNAVAILABLE

    await sim.clear_faults()
    await _update(hass, scanner)
    assert (_state(hass, scanner), _state(hass, feeder)) == ("idle", "off")


async def test_added_when_the_scanner_answers_later(
    hass: HomeAssistant, simulated_printer: PrinterFactory
) -> None:
    """A scanner that does not answer at setup gets its entities when it does."""
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("http_error", status=500, paths=["/eSCL/ScannerStatus"])
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.url, "advanced": {}}
    )
    entry = result["result"]
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_scanner")
        is None
    )

    await sim.clear_faults()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    scanner = _entity_id(hass, entry, "sensor", "scanner")
    feeder = _entity_id(hass, entry, "binary_sensor", "document_in_feeder")
    assert (_state(hass, scanner), _state(hass, feeder)) == ("idle", "off")

    # Added once: later reads only update them.
    sim.set_state(feeder_sheets=1)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=122))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, feeder) == "on"
    assert len(_scanner_entities(hass, entry)) == 2

    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)
async def test_a_printer_without_scanner_is_asked_once(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    """Without a scanner, later refreshes do not ask for one again."""
    _sim, entry = simulated_entry
    assert entry.runtime_data.scanner.data is None
    assert entry.runtime_data.scanner.update_interval is None


async def test_unavailable_with_the_printer(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    """An unreachable printer's scanner is unavailable too, and back with it."""
    sim, entry = simulated_entry
    scanner = _entity_id(hass, entry, "sensor", "scanner")
    feeder = _entity_id(hass, entry, "binary_sensor", "document_in_feeder")
    await sim.set_fault("refuse_connections")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, _entity_id(hass, entry, "sensor", "state")) == STATE_UNAVAILABLE
    assert _state(hass, scanner) == STATE_UNAVAILABLE
    assert _state(hass, feeder) == STATE_UNAVAILABLE

    await sim.clear_faults()
    sim.set_state(feeder_sheets=1)
    # The printer is tried again after a longer pause, then its scanner.
    async_fire_time_changed(hass, dt_util.utcnow() + MAX_BACKOFF)
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(
        hass, dt_util.utcnow() + MAX_BACKOFF + timedelta(seconds=61)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (_state(hass, scanner), _state(hass, feeder)) == ("idle", "on")


async def test_no_scanner_found_later(
    hass: HomeAssistant, simulated_printer: PrinterFactory
) -> None:
    """A printer that turns out to have no scanner gets no scanner entities."""
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    await sim.set_fault("http_error", status=500, paths=["/eSCL/", "/Scan/"])
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.url, "advanced": {}}
    )
    entry = result["result"]
    await hass.async_block_till_done()

    await sim.clear_faults()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _scanner_entities(hass, entry) == {}
    assert entry.runtime_data.scanner.update_interval is None

    assert await hass.config_entries.async_unload(entry.entry_id)
