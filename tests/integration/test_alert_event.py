"""The alerts event entity: ``raised``/``cleared`` once per change, never for state.

The alerts a printer shows when Home Assistant starts looking are state, not
events; one it repeats on every poll fires nothing; a reload fires nothing
again. The changes come from the simulator's state control, whose conditions
every protocol renders (simulator/state.py: a jam is LEDM ``jamInPrinter``,
severity Error; a supply at 3 % is ``cartridgeVeryLow``, Warning).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hp_ews.alerts import (
    CLEARED,
    RAISED,
    AlertChange,
    AlertTracker,
    alert_changes,
    alert_supply,
)
from custom_components.hp_ews.client import (
    Alert,
    AlertSeverity,
    PrinterProtocol,
    PrinterSnapshot,
)
from custom_components.hp_ews.const import DOMAIN

from .printers import SMART_TANK

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter


@pytest.fixture(autouse=True)
def only_events() -> Generator[None]:
    """Set up the event platform alone."""
    with patch("custom_components.hp_ews.PLATFORMS", [Platform.EVENT]):
        yield


def _with_alerts(snapshot: PrinterSnapshot, *alerts: Alert) -> PrinterSnapshot:
    return replace(snapshot, status=replace(snapshot.status, alerts=alerts))


JAM = Alert("jamInPrinter", AlertSeverity.ERROR, PrinterProtocol.LEDM, "Paper jam")
LOW_K = Alert("cartridgeLow", AlertSeverity.WARNING, PrinterProtocol.CDM, color="K")


# --- the differences -----------------------------------------------------------------


def test_first_snapshot_is_state() -> None:
    tracker = AlertTracker(None)
    assert tracker.update(None) == ()
    assert tracker.update(_with_alerts(SMART_TANK, JAM)) == ()
    assert tracker.update(_with_alerts(SMART_TANK, JAM)) == ()


def test_repeats_and_new_wording_fire_nothing() -> None:
    before = _with_alerts(SMART_TANK, JAM)
    reworded = replace(JAM, message="Papierstau")
    assert alert_changes(before, _with_alerts(SMART_TANK, reworded, reworded)) == ()


def test_raised_and_cleared_with_the_supply() -> None:
    tracker = AlertTracker(_with_alerts(SMART_TANK, JAM))
    low = _with_alerts(SMART_TANK, LOW_K)
    changes = tracker.update(low)
    # The Smart Tank 580's black tank, not its black printhead (same colour).
    assert changes == (
        AlertChange(CLEARED, JAM, None),
        AlertChange(RAISED, LOW_K, "ink_tank_k"),
    )
    assert changes[1].attributes == {
        "code": "cartridgeLow",
        "severity": "warning",
        "message": None,
        "supply": "ink_tank_k",
    }
    assert tracker.update(low) == ()
    assert alert_supply(replace(LOW_K, color="pK"), SMART_TANK) is None


# --- the entity, against the simulator -----------------------------------------------


class EventLog:
    """Each event the entity fires: its type and data."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        self.fired: list[tuple[str, dict[str, Any]]] = []

        @callback
        def record(event: Event[EventStateChangedData]) -> None:
            new, old = event.data["new_state"], event.data["old_state"]
            if new is None or new.state in (STATE_UNKNOWN, "unavailable"):
                return
            # Restored after a reload (from unavailable) is not an event.
            if old is None or old.state in (new.state, "unavailable"):
                return
            attributes = dict(new.attributes)
            self.fired.append(
                (
                    attributes.pop("event_type"),
                    {
                        k: attributes[k]
                        for k in ("code", "severity", "message", "supply")
                    },
                )
            )

        hass.bus.async_listen("state_changed", record, event_filter=None)
        self.entity_id = entity_id

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        fired = [(kind, data) for kind, data in self.fired]
        self.fired.clear()
        return fired


def _alert_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.unique_id}_alert"
    )
    assert entity_id is not None
    return entity_id


async def _refresh(entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()


@pytest.mark.usefixtures("socket_enabled")
async def test_events_for_changes_only(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    entity_id = _alert_entity(hass, entry)
    log = EventLog(hass, entity_id)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]

    sim.set_state(paper_jam=True)
    await _refresh(entry)
    assert [kind for kind, _ in log.fired] == [RAISED]
    (_, jam) = log.take()[0]
    assert (jam["code"], jam["severity"], jam["supply"]) == (
        "jamInPrinter",
        "error",
        None,
    )
    await _refresh(entry)
    await _refresh(entry)
    assert log.take() == []

    sim.set_state(supplies={"K": 3})
    await _refresh(entry)
    assert [(kind, data["code"], data["supply"]) for kind, data in log.take()] == [
        (RAISED, "cartridgeVeryLow", "ink_k")
    ]

    sim.set_state(paper_jam=False)
    await _refresh(entry)
    assert [(kind, data["code"]) for kind, data in log.take()] == [
        (CLEARED, "jamInPrinter")
    ]

    # A reload starts from the alerts present then: nothing fires again.
    last = hass.states.get(entity_id)
    assert last is not None
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _refresh(entry)
    again = hass.states.get(entity_id)
    assert again is not None
    assert again.state == last.state
    assert log.take() == []


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_alerts_present_at_startup_are_state(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    sim, entry = simulated_entry
    # The captured CDM alerts (genuineHPsupply, usedSupplyPrompt) were there.
    assert entry.runtime_data.coordinator.data.status.alerts
    entity_id = _alert_entity(hass, entry)
    log = EventLog(hass, entity_id)
    await _refresh(entry)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]
    sim.set_state(door_open=True)
    await _refresh(entry)
    assert [(kind, data["code"], data["severity"]) for kind, data in log.take()] == [
        (RAISED, "doorOpen", "error")
    ]
