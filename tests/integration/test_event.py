"""The print job event entity: jobs followed to their end, in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
import pytest

from custom_components.hp_ews.const import DOMAIN

from .helpers import platform_entities
from .print_helpers import (
    PAGES,
    Folders,
    device_id,
    entity_id,
    folders_fixture,  # noqa: F401
    write_pdf,
)

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedPrinter

type Printer = tuple[SimulatedPrinter, MockConfigEntry]

ON_LASERJET = pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)


@pytest.fixture
def quick_follow() -> Generator[None]:
    """Retry reading a job after 50 ms instead of 30 s."""
    with patch("custom_components.hp_ews.jobs.FOLLOW_RETRY_DELAY", 0.05):
        yield


async def _print(
    hass: HomeAssistant, entry: MockConfigEntry, folders: Folders, **data: Any
) -> dict[str, Any]:
    write_pdf(folders.allowed / "report.pdf")
    response = await hass.services.async_call(
        DOMAIN,
        "print",
        {
            "device_id": device_id(hass, entry),
            "file": str(folders.allowed / "report.pdf"),
            **data,
        },
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


def _event(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    state = hass.states.get(entity_id(hass, entry, "event", "print_job"))
    assert state is not None
    return {"state": state.state, **state.attributes}


async def test_event_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """One print job event entity per printer, with the three job endings."""
    assert platform_entities(hass, init_integration.entry_id, "event") == snapshot


@ON_LASERJET
@pytest.mark.usefixtures("socket_enabled", "folders")
async def test_completed_in_the_background(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Without wait the action answers at once; the event comes when it is printed."""
    sim, entry = simulated_entry
    assert _event(hass, entry)["state"] == STATE_UNKNOWN
    response = await _print(hass, entry, folders, job_name="Weekly report")
    await hass.async_block_till_done(wait_background_tasks=True)

    (job,) = sim.jobs
    assert job.state.keyword == "completed"
    event = _event(hass, entry)
    assert event["event_type"] == "completed"
    assert event["job_id"] == response["job_id"] == job.id
    assert event["name"] == "Weekly report"
    assert event["pages"] == PAGES


@ON_LASERJET
@pytest.mark.usefixtures("socket_enabled", "folders", "quick_follow")
async def test_follow_rides_out_an_outage(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A printer that stops answering for a while still gets its job reported."""
    sim, entry = simulated_entry
    sim.state.page_seconds = 0.3
    with patch("custom_components.hp_ews.jobs.PRINT_WAIT_TIMEOUT", 0.05):
        response = await _print(hass, entry, folders, wait=True)
    assert response["state"] in ("pending", "processing")
    await sim.set_fault("refuse_connections", seconds=0.5)
    await hass.async_block_till_done(wait_background_tasks=True)

    event = _event(hass, entry)
    assert event["event_type"] == "completed"
    assert event["job_id"] == response["job_id"]
    # Past events stay readable whatever the printer does.
    assert event["state"] != STATE_UNAVAILABLE


@ON_LASERJET
@pytest.mark.usefixtures("socket_enabled", "folders")
async def test_forgotten_or_endless_jobs_fire_nothing(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A job the printer forgets, or one that never ends, is not reported."""
    sim, entry = simulated_entry
    sim.state.page_seconds = 60
    await _print(hass, entry, folders)
    await sim.reset()  # forgets every job: Get-Job-Attributes says not found
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _event(hass, entry)["state"] == STATE_UNKNOWN

    sim.state.page_seconds = 60
    with patch("custom_components.hp_ews.jobs.FOLLOW_TIMEOUT", 0.3):
        await _print(hass, entry, folders)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert _event(hass, entry)["state"] == STATE_UNKNOWN
    await sim.reset()
