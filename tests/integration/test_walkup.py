"""The event channel and walk-up scanning through Home Assistant, against the simulator.

The simulated OfficeJet Pro 9022e keeps an LEDM event table with a long poll
and a walk-up destination list (simulator/events.py, simulator/walkup.py).
The long poll runs in real time with one-second waits (``event_channel``),
so these tests wait on conditions instead of firing time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
import pytest

from custom_components.hp_ews.const import (
    CONF_WALKUP_ENABLED,
    CONF_WALKUP_NAME,
    SCAN_INTERVAL,
)
from custom_components.hp_ews.coordinator import PUSH_SCAN_INTERVAL
from custom_components.hp_ews.walkup import (
    OUTCOME_COMPLETED,
    WalkupManager,
    WalkupOutcome,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled", "event_channel")

OFFICEJET = "hp_officejet_pro_9022e"
NAME = "Casa Ana"


@pytest.fixture(autouse=True)
def location(hass: HomeAssistant, tmp_path: Path) -> Path:
    """The instance's name (the destination's default) and its media folder."""
    hass.config.location_name = NAME
    media = tmp_path / "media"
    hass.config.media_dirs = {"local": str(media)}
    hass.config.allowlist_external_dirs = {str(media)}
    return media


async def _until(
    hass: HomeAssistant, condition: Callable[[], Any], within: float = 10.0
) -> None:
    """Let the loop run (real time) until ``condition()`` is true."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the simulator's state is polled
            await asyncio.sleep(0.02)
    await hass.async_block_till_done()


def _ours(sim: SimulatedPrinter) -> list[tuple[str, str]]:
    assert sim.walkup is not None
    return [
        (d.name, d.hostname)
        for d in sim.walkup.destinations.values()
        if NAME in (d.name, d.hostname)
    ]


def _manager(entry: MockConfigEntry) -> WalkupManager:
    manager = entry.runtime_data.walkup
    assert manager is not None
    return manager


async def test_registers_on_setup_and_pushes(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """The destination is named after the instance; polling slows while push works."""
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.destination is not None)
    assert _ours(sim) == [(NAME, NAME)]
    assert manager.push_active
    assert entry.runtime_data.coordinator.update_interval == PUSH_SCAN_INTERVAL


async def test_jam_pushed_without_waiting_for_the_poll(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """AlertTableChanged refreshes at once; no time is fired."""
    sim, entry = simulated_entry
    await _until(hass, lambda: _manager(entry).push_active)
    jam = f"binary_sensor.{OFFICEJET}_paper_jam"
    assert hass.states.get(jam).state == STATE_OFF  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    started = loop.time()
    sim.set_state(paper_jam=True)
    await _until(hass, lambda: hass.states.get(jam).state == STATE_ON)  # type: ignore[union-attr]
    # Far below the five-minute poll (and the one-minute one): it was pushed.
    assert loop.time() - started < 5
    sim.set_state(paper_jam=False)
    await _until(hass, lambda: hass.states.get(jam).state == STATE_OFF)  # type: ignore[union-attr]


async def test_supply_change_pushed_with_a_full_read(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A ConsumableEvent reads the supplies at once (a refresh would reuse them)."""
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.push_active)
    black = f"sensor.{OFFICEJET}_black_cartridge"
    assert hass.states.get(black).state == "80"  # type: ignore[union-attr]
    sim.set_state(supplies={"K": 10})
    await _until(hass, lambda: hass.states.get(black).state == "10")  # type: ignore[union-attr]
    # Telling the coordinator what it knows changes nothing.
    coordinator = entry.runtime_data.coordinator
    coordinator.async_set_push(True, refresh=True)
    assert coordinator.update_interval == PUSH_SCAN_INTERVAL


async def test_renewed_after_a_power_cycle(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.destination is not None)
    before = manager.destination
    await sim.power_cycle()
    assert _ours(sim) == []
    await _until(
        hass,
        lambda: (
            _ours(sim) == [(NAME, NAME)] and manager.destination not in (None, before)
        ),
    )


async def test_removed_with_the_entry_not_on_reload(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """Other computers' destinations stay; ours goes only when the entry goes."""
    sim, entry = simulated_entry
    assert sim.walkup is not None
    await _until(hass, lambda: _manager(entry).destination is not None)
    other = sim.walkup.destinations.copy()
    # Another computer registers too.
    await _post_destination(sim, "DESKTOP-JI67N1P")
    others = {key: d for key, d in sim.walkup.destinations.items() if key not in other}
    assert len(others) == 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _until(hass, lambda: _manager(entry).destination is not None)
    assert _ours(sim) == [(NAME, NAME)]  # kept across the reload, not doubled

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _ours(sim) == []
    assert set(sim.walkup.destinations) == set(others)


async def _post_destination(sim: SimulatedPrinter, name: str) -> None:
    import aiohttp

    body = (
        '<WalkupScanToCompDestination xmlns="http://www.hp.com/schemas/imaging/con/'
        'ledm/walkupscan/2010/09/28"><Hostname xmlns="http://www.hp.com/schemas/'
        f'imaging/con/dictionaries/2009/04/06">{name}</Hostname><Name xmlns="http://'
        f'www.hp.com/schemas/imaging/con/dictionaries/1.0/">{name}</Name>'
        "<LinkType>Network</LinkType></WalkupScanToCompDestination>"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sim.url + "/WalkupScanToComp/WalkupScanToCompDestinations",
            data=body,
            headers={"Content-Type": "text/xml"},
        ) as response,
    ):
        assert response.status == 201


async def test_option_off_removes_it_and_a_new_name_replaces_it(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """Options are read on every round trip of the long poll (no reload)."""
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.destination is not None)

    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_WALKUP_NAME: "Scanner HA"}
    )
    await _until(
        hass,
        lambda: (
            [d.name for d in sim.walkup.destinations.values()]  # type: ignore[union-attr]
            == ["Scanner HA"]
        ),
    )
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_WALKUP_ENABLED: False}
    )
    await _until(
        hass,
        lambda: (
            not sim.walkup.destinations  # type: ignore[union-attr]
            and manager.destination is None
        ),
    )


async def test_panel_scan_lands_in_the_scan_folder(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    location: Path,
) -> None:
    """Scan to computer on the panel: a PDF in <media>/scans, and the listener told."""
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.destination is not None)
    outcomes: list[WalkupOutcome] = []
    remove = manager.add_listener(outcomes.append)

    sim.set_state(feeder_sheets=2)
    await sim.press_scan_button(NAME, "SavePDF", source="feeder")
    await _until(hass, lambda: outcomes, within=30)
    remove()

    (outcome,) = outcomes
    assert outcome.event_type == OUTCOME_COMPLETED, outcome
    assert (outcome.pages, outcome.format, outcome.source) == (2, "pdf", "feeder")
    assert (outcome.destination, outcome.shortcut) == (NAME, "SavePDF")
    (file,) = outcome.files
    path = Path(file)
    assert path.parent == location / "scans"
    assert path.suffix == ".pdf"
    data = await hass.async_add_executor_job(path.read_bytes)
    assert data.startswith(b"%PDF-")


async def test_panel_jpeg_from_the_glass(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    location: Path,
) -> None:
    sim, entry = simulated_entry
    manager = _manager(entry)
    await _until(hass, lambda: manager.destination is not None)
    outcomes: list[WalkupOutcome] = []
    manager.add_listener(outcomes.append)
    await sim.press_scan_button(NAME, "SaveJPEG", source="glass")
    await _until(hass, lambda: outcomes, within=30)
    (outcome,) = outcomes
    assert (outcome.event_type, outcome.pages, outcome.format, outcome.source) == (
        OUTCOME_COMPLETED,
        1,
        "jpeg",
        "glass",
    )
    data = await hass.async_add_executor_job(Path(outcome.files[0]).read_bytes)
    assert data[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)
async def test_printer_without_event_table_keeps_polling(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """LEDM without an event table (404): one-minute polling, nothing registered."""
    _, entry = simulated_entry
    manager = _manager(entry)
    task = manager._task
    assert task is not None
    await _until(hass, task.done)
    assert not manager.push_active
    assert manager.destination is None
    assert entry.runtime_data.coordinator.update_interval == SCAN_INTERVAL
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_cdm_printer_has_no_walkup(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    _, entry = simulated_entry
    assert entry.runtime_data.walkup is None


async def test_channel_down_restores_polling(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """A printer that stops answering: one-minute polling; back: five minutes."""
    sim, entry = simulated_entry
    manager = _manager(entry)
    coordinator = entry.runtime_data.coordinator
    await _until(hass, lambda: manager.push_active)
    await sim.set_fault("refuse_connections")
    await _until(hass, lambda: not manager.push_active)
    # One minute (or, before Home Assistant 2025.12, the failed refresh's backoff).
    assert coordinator.update_interval in (SCAN_INTERVAL, 2 * SCAN_INTERVAL)
    await sim.clear_faults()
    # Back: read at once, then five minutes apart.
    await _until(
        hass,
        lambda: (
            manager.push_active
            and coordinator.last_update_success
            and coordinator.update_interval == PUSH_SCAN_INTERVAL
        ),
        within=30,
    )
