"""The scan event entity: walk-up scans from the printer's panel, against the simulator.

The event channel runs in real time with one-second long polls
(``event_channel``), so these tests wait on conditions instead of firing time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hp_ews.const import DOMAIN

from .helpers import platform_entities
from .print_helpers import device_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled", "event_channel")

type Printer = tuple[SimulatedPrinter, MockConfigEntry]

NAME = "Casa Ana"
"""The location name, which names Home Assistant on the printer's panel."""


@pytest.fixture(autouse=True)
def media(hass: HomeAssistant, tmp_path: Path) -> Path:
    """The instance's name and its media folder, where walk-up scans go."""
    hass.config.location_name = NAME
    media = tmp_path / "media"
    media.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    hass.config.allowlist_external_dirs = {str(media)}
    return media


async def _until(
    hass: HomeAssistant, condition: Callable[[], Any], within: float = 30.0
) -> None:
    """Let the loop run (real time) until ``condition()`` is true."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the simulator's state is polled
            await asyncio.sleep(0.02)
    await hass.async_block_till_done()


def _event_id(hass: HomeAssistant, entry: MockConfigEntry) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.unique_id}_scan"
    )


def _event(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    entity_id = _event_id(hass, entry)
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return {"state": state.state, **state.attributes}


async def _registered(hass: HomeAssistant, sim: SimulatedPrinter) -> None:
    """Wait until Home Assistant is a destination on the panel."""
    assert sim.walkup is not None
    walkup = sim.walkup
    await _until(
        hass, lambda: any(d.name == NAME for d in walkup.destinations.values())
    )


@pytest.mark.parametrize(
    "simulated_entry",
    ["officejet-pro-9022e", "color-laserjet-pro-m255dw"],
    indirect=True,
)
async def test_scan_event_entity(
    hass: HomeAssistant, simulated_entry: Printer, snapshot: SnapshotAssertion
) -> None:
    """An all-in-one with walk-up has the scan event; a printer without, none."""
    _sim, entry = simulated_entry
    events = {
        entity_id.rpartition("_")[2]: entity
        for entity_id, entity in platform_entities(
            hass, entry.entry_id, "event"
        ).items()
        if entity["unique_id"].endswith("_scan")
    }
    for entity in events.values():
        entity["unique_id"] = entity["unique_id"].replace(str(entry.unique_id), "UUID")
    assert events == snapshot


async def test_walkup_scan_fires_completed(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Scan to computer on the panel: the PDF lands in media/scans, the event says where."""
    sim, entry = simulated_entry
    assert _event(hass, entry)["state"] == STATE_UNKNOWN
    await _registered(hass, sim)

    sim.set_state(feeder_sheets=3)
    await sim.press_scan_button(NAME, "SavePDF", source="feeder")
    await _until(hass, lambda: _event(hass, entry)["state"] != STATE_UNKNOWN)

    event = _event(hass, entry)
    assert event["event_type"] == "completed"
    (path,) = event["files"]
    assert event["path"] == path
    assert Path(path).parent == media / "scans"
    assert Path(path).suffix == ".pdf"
    assert (event["pages"], event["format"], event["source"]) == (3, "pdf", "feeder")
    assert "error" not in event
    data = await hass.async_add_executor_job(Path(path).read_bytes)
    assert data.startswith(b"%PDF-")


async def test_walkup_scan_fires_failed(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A walk-up scan that cannot be made fires ``failed`` with the reason."""
    sim, entry = simulated_entry
    await _registered(hass, sim)

    # The user picks the feeder on the panel, but it jams at once.
    sim.set_state(feeder_sheets=2, paper_jam=True)
    await sim.press_scan_button(NAME, "SaveJPEG", source="feeder")
    await _until(hass, lambda: _event(hass, entry)["state"] != STATE_UNKNOWN)

    event = _event(hass, entry)
    assert event["event_type"] == "failed"
    assert event["files"] == []
    assert event["path"] is None
    assert event["error"]
    scans = media / "scans"
    leftovers = await hass.async_add_executor_job(
        lambda: sorted(p.name for p in scans.rglob("*")) if scans.exists() else []
    )
    assert leftovers == []


async def test_action_scans_do_not_fire(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    """Scans made by the action answer with their files; the event stays quiet."""
    sim, entry = simulated_entry
    await _registered(hass, sim)
    response = await hass.services.async_call(
        DOMAIN,
        "scan",
        {"device_id": device_id(hass, entry), "source": "glass"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    assert response["pages"] == 1
    await hass.async_block_till_done()
    assert _event(hass, entry)["state"] == STATE_UNKNOWN
