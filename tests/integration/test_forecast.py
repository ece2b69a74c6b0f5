"""Supply forecasts, pages per day and supply events, over simulated weeks.

A simulated LaserJet prints 60 pages a day and its black toner falls 3 % a
day while Home Assistant's clock moves a day at a time; the expected dates
are worked out by hand in the comments (change points halfway between the
last reading at a level and the first at the next, the line through them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)
import yaml

from custom_components.hp_ews.client import (
    MAX_HISTORY_POINTS,
    Counters,
    PrinterInfo,
    PrinterSnapshot,
    PrinterState,
    PrinterStatus,
    Supply,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.const import FULL_REFRESH_EVERY, SCAN_INTERVAL
from custom_components.hp_ews.history import (
    MAX_COUNTER_POINTS,
    MAX_SUPPLY_HISTORIES,
    SupplyEvent,
    SupplyEventType,
    SupplyHistory,
    storage_key,
)

from .printers import LASERJET

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter

PREFIX = "hp_color_laserjet_pro_m255dw"
RUNS_OUT = f"sensor.{PREFIX}_black_toner_runs_out"
DAYS = f"sensor.{PREFIX}_black_toner_days_remaining"
REPLACED = f"sensor.{PREFIX}_black_toner_last_replaced"
CYAN_RUNS_OUT = f"sensor.{PREFIX}_cyan_toner_runs_out"
PAGES_PER_DAY = f"sensor.{PREFIX}_pages_per_day"
EVENT = f"event.{PREFIX}_supply"
STEP = SCAN_INTERVAL + timedelta(seconds=1)
README = Path(__file__).parents[2] / "README.md"

ON_LASERJET = pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)


async def _read_all(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Refresh until the supplies and counters were read again (one cycle)."""
    for _ in range(FULL_REFRESH_EVERY):
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def _day(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: SimulatedPrinter,
    **state: Any,
) -> None:
    """A day later, the printer in this state, read by Home Assistant."""
    freezer.tick(timedelta(days=1) - FULL_REFRESH_EVERY * STEP)
    sim.set_state(**state)
    await _read_all(hass, freezer)


def _time(hass: HomeAssistant, entity_id: str) -> datetime:
    state = hass.states.get(entity_id)
    assert state is not None
    moment = dt_util.parse_datetime(state.state)
    assert moment is not None, state
    return moment


@pytest.mark.usefixtures("socket_enabled")
@ON_LASERJET
async def test_a_month_of_printing(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """Forecast after enough history, one event per swap, kept over a restart."""
    sim, entry = simulated_entry
    assert hass.states.get(RUNS_OUT).state == STATE_UNKNOWN
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    # The days remaining repeat the date: off until a user turns them on.
    assert hass.states.get(DAYS) is None
    assert (
        entity_registry.async_get(DAYS).disabled_by
        is er.RegistryEntryDisabler.INTEGRATION
    )

    # Day 0: a new black toner (20 % -> 100 %), the counter at 1000.
    start = dt_util.utcnow()
    sim.set_state(supplies={"K": 100}, counters={"total_pages": 1000})
    await _read_all(hass, freezer)
    event = hass.states.get(EVENT)
    assert event.attributes["event_type"] == "replaced"
    assert event.attributes["supply"] == "toner_k"
    assert event.attributes["old_level"] == 20
    assert event.attributes["new_level"] == 100
    assert event.attributes["part_number"]
    replaced_at = event.state
    assert abs(_time(hass, REPLACED) - start) < timedelta(minutes=11)

    # Days 1-2: 60 pages and 3 % a day. Two days: too little to tell.
    for day in (1, 2):
        await _day(
            hass,
            freezer,
            sim,
            supplies={"K": 100 - 3 * day},
            counters={"total_pages": 1000 + 60 * day},
        )
    assert hass.states.get(RUNS_OUT).state == STATE_UNKNOWN

    for day in range(3, 13):
        await _day(
            hass,
            freezer,
            sim,
            supplies={"K": 100 - 3 * day},
            counters={"total_pages": 1000 + 60 * day},
        )
        # Change point k: level 100 - 3k at 970 + 60k pages (halfway from the
        # day before): 0.05 % a page. At 1000 + 60d pages the line is at
        # 98.5 - 3d, (1970 - 60d) pages at 60 a day: empty 32.83 days after
        # day 0, whatever the day asked (within hours: the rate is counted
        # from the first reading, minutes before day 0's cycle ended).
        runs_out = _time(hass, RUNS_OUT)
        assert abs(runs_out - (start + timedelta(days=32.83))) < timedelta(hours=4)
    assert float(hass.states.get(PAGES_PER_DAY).state) == pytest.approx(60, abs=0.5)
    # Cyan sat at 30 % all along: a plateau alone forecasts nothing.
    assert hass.states.get(CYAN_RUNS_OUT).state == STATE_UNKNOWN
    # One swap, one event, however many refreshes since.
    assert hass.states.get(EVENT).state == replaced_at

    # A restart: the history is back at once, no event is told again.
    entity_registry.async_update_entity(DAYS, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert abs(_time(hass, RUNS_OUT) - (start + timedelta(days=32.83))) < timedelta(
        hours=2
    )
    assert float(hass.states.get(DAYS).state) == pytest.approx(32.83 - 12, abs=0.1)
    assert hass.states.get(EVENT).state == replaced_at
    assert abs(_time(hass, REPLACED) - start) < timedelta(minutes=11)

    # A second swap: one more event; the new cartridge has no forecast yet.
    await _day(hass, freezer, sim, supplies={"K": 100}, counters={"total_pages": 1800})
    event = hass.states.get(EVENT)
    assert event.state != replaced_at
    assert event.attributes["old_level"] == 64
    second = event.state
    await _read_all(hass, freezer)
    assert hass.states.get(EVENT).state == second
    assert hass.states.get(RUNS_OUT).state == STATE_UNKNOWN
    assert _time(hass, REPLACED) > start + timedelta(days=12)

    # Removing the printer removes its history.
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("socket_enabled")
@ON_LASERJET
async def test_history_is_removed_with_the_entry(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    hass_storage: dict[str, Any],
) -> None:
    """The stored history goes when the printer is removed."""
    _, entry = simulated_entry
    await hass.config_entries.async_unload(entry.entry_id)
    assert storage_key(entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert storage_key(entry.entry_id) not in hass_storage


@pytest.mark.usefixtures("socket_enabled")
@ON_LASERJET
async def test_office_weeks_from_the_usage_control(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three office weeks printed by the simulator's usage control.

    50 pages a day on average, all on weekdays (70 each), 0.05 % of black a
    page: 3.5 % a weekday from 100 %. The 29th weekday (simulated day 38,
    a Thursday) takes it to 0; Home Assistant reads each simulated day the
    next morning, so the printer reports 0 % between its days 38 and 39.
    """
    sim, _ = simulated_entry
    sim.set_state(percent_per_page=0.05)
    sim.run_usage(replace="K")
    start = dt_util.utcnow()
    await _read_all(hass, freezer)
    for _ in range(21):
        sim.run_usage(days=1, pages_per_day=50, pattern="office")
        await _day(hass, freezer, sim)
    assert hass.states.get(f"sensor.{PREFIX}_black_toner").state == str(
        round(100 - 3.5 * 15)
    )
    expected = start + timedelta(days=38.5)
    assert abs(_time(hass, RUNS_OUT) - expected) < timedelta(days=2)
    assert float(hass.states.get(PAGES_PER_DAY).state) == pytest.approx(50, abs=5)


def _readme_automation(after: str) -> dict[str, Any]:
    """The first YAML automation in the README after the line ``after``."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(after) :]
    block = block[block.index("```yaml\n") + 8 :]
    return yaml.safe_load(block[: block.index("```")])["automation"][0]


@pytest.mark.usefixtures("socket_enabled")
@ON_LASERJET
async def test_readme_shopping_list(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The README's automation adds the part once the forecast is within reach.

    The README waits for 10 days before empty; here 40, so that the first
    forecast (day 3, about 30 days out) is already within it.
    """
    sim, _ = simulated_entry
    config = _readme_automation("A shopping-list automation")
    trigger = config["triggers"][0]
    trigger["value_template"] = trigger["value_template"].replace("days=10", "days=40")
    calls = async_mock_service(hass, "todo", "add_item")
    assert await async_setup_component(hass, "automation", {"automation": config})
    sim.set_state(supplies={"K": 100}, counters={"total_pages": 1000})
    await _read_all(hass, freezer)
    for day in range(1, 6):
        await _day(
            hass,
            freezer,
            sim,
            supplies={"K": 100 - 3 * day},
            counters={"total_pages": 1000 + 60 * day},
        )
        assert len(calls) == (1 if day >= 3 else 0)
    part_number = hass.states.get(RUNS_OUT).attributes["part_number"]
    assert calls[0].data == {
        "entity_id": ["todo.shopping_list"],
        "item": f"HP {part_number}",
        "description": "Black toner for the office printer",
    }


# --- the history itself, fed snapshots -----------------------------------

INFO = PrinterInfo(model="Test")
STATUS = PrinterStatus(state=PrinterState.IDLE)


def _snapshot(*supplies: Supply, pages: int | None = 100) -> PrinterSnapshot:
    return PrinterSnapshot(
        info=INFO,
        status=STATUS,
        supplies=supplies,
        counters=Counters(total_pages=pages),
    )


def _black(level: int | None, state: SupplyState = SupplyState.OK) -> Supply:
    return Supply(
        key="toner_k",
        color="K",
        kind=SupplyKind.TONER,
        state=state,
        level_percent=level,
        part_number="W2210A",
    )


async def test_events_each_transition_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Low, empty and replaced once each; kept until someone listens."""
    history = SupplyHistory(hass, "entry")
    await history.async_load()
    events: list[SupplyEvent] = []
    steps = [
        (_black(12), []),
        (_black(9, SupplyState.LOW), [SupplyEventType.LOW]),
        (_black(8, SupplyState.LOW), []),
        (_black(4, SupplyState.VERY_LOW), []),
        (_black(0, SupplyState.EMPTY), [SupplyEventType.EMPTY]),
        (_black(0, SupplyState.EMPTY), []),
        (_black(None, SupplyState.MISSING), []),
        # Unknown while out: the last known level (0) is the old one.
        (_black(100), [SupplyEventType.REPLACED]),
        (_black(100), []),
        (_black(95), []),
        (_black(4, SupplyState.VERY_LOW), [SupplyEventType.LOW]),
    ]
    for supply, _ in steps[:3]:
        freezer.tick(timedelta(hours=1))
        history.async_record(_snapshot(supply))
    # Nobody listened yet: the low event waits.
    remove = history.async_add_listener(events.append)
    assert [event.event_type for event in events] == [SupplyEventType.LOW]
    assert events[0].new_level == 9
    assert events[0].old_level == 12
    assert events[0].part_number == "W2210A"
    for supply, expected in steps[3:]:
        events.clear()
        freezer.tick(timedelta(hours=1))
        history.async_record(_snapshot(supply))
        assert [event.event_type for event in events] == expected, supply
    replaced = [_black(0, SupplyState.EMPTY), _black(100)]
    events.clear()
    for supply in replaced:
        history.async_record(_snapshot(supply))
    assert events[-1] == SupplyEvent(
        SupplyEventType.REPLACED, "toner_k", "toner", "K", 0.0, 100.0, "W2210A"
    )
    remove()
    history.async_record(_snapshot(_black(0, SupplyState.EMPTY)))
    assert len(events) == 1 + 1  # EMPTY and REPLACED above; nothing after remove


async def test_restart_tells_nothing_twice(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """What was told before a restart is not told again; the forecast returns."""
    history = SupplyHistory(hass, "entry")
    await history.async_load()
    assert history.forecast("toner_k") is None
    assert history.pages_per_day() is None
    # 50 % falling 5 % and 10 pages a day; low from 15 %.
    for day in range(8):
        level = 50 - 5 * day
        state = SupplyState.LOW if level <= 15 else SupplyState.OK
        history.async_record(_snapshot(_black(level, state), pages=100 + 10 * day))
        freezer.tick(timedelta(days=1))
    await history.async_save()
    assert storage_key("entry") in hass_storage
    before = history.forecast("toner_k")
    assert before is not None
    # 0.5 % a page (change points halfway: 15 % at 165 pages), at 170 pages
    # the line is at 12.5 %: 25 pages at 10 a day.
    assert before.days_remaining == pytest.approx(2.5)

    again = SupplyHistory(hass, "entry")
    await again.async_load()
    events: list[SupplyEvent] = []
    again.async_add_listener(events.append)
    again.async_record(_snapshot(_black(15, SupplyState.LOW), pages=170))
    assert events == []
    after = again.forecast("toner_k")
    assert after is not None
    assert after.segments == before.segments
    # 70 pages from day 0 to the reading on day 8.
    assert again.pages_per_day() == pytest.approx(70 / 8)


async def test_damaged_storage_starts_afresh(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """An unreadable history is a warning and an empty history, not a failure."""
    hass_storage[storage_key("entry")] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key("entry"),
        "data": {
            "supplies": {"toner_k": {"points": [["yesterday", 5, 1, 0]]}},
            "counter": [],
        },
    }
    history = SupplyHistory(hass, "entry")
    await history.async_load()
    assert "Supply history unreadable" in caplog.text
    history.async_record(_snapshot(_black(50)))
    assert history.forecast("toner_k") is not None
    assert history.forecast("toner_k").segments == 1  # type: ignore[union-attr]


async def test_history_is_bounded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Points, counter readings and supplies stay within their bounds."""
    history = SupplyHistory(hass, "entry")
    for n in range(2500):  # 52 days
        freezer.tick(timedelta(minutes=30))
        history.async_record(_snapshot(_black(100 - (n % 100)), pages=n))
    data = history._data()
    assert len(data["supplies"]["toner_k"]["points"]) <= MAX_HISTORY_POINTS
    assert len(data["counter"]) <= MAX_COUNTER_POINTS
    # Readings at most every two hours, five weeks back: about 420.
    assert 400 <= len(data["counter"]) <= 430
    many = [
        replace(_black(50), key=f"supply_{n}") for n in range(MAX_SUPPLY_HISTORIES + 5)
    ]
    for supply in many:
        freezer.tick(timedelta(minutes=1))
        history.async_record(_snapshot(supply))
    data = history._data()
    assert len(data["supplies"]) == MAX_SUPPLY_HISTORIES
    assert "toner_k" not in data["supplies"]
    assert f"supply_{MAX_SUPPLY_HISTORIES + 4}" in data["supplies"]
    # A printer without a page counter still keeps levels.
    history.async_record(_snapshot(_black(40), pages=None))


@pytest.mark.parametrize(
    "snapshot_data", [replace(LASERJET, counters=Counters())], indirect=False
)
@pytest.mark.usefixtures("init_integration")
async def test_no_page_counter_no_pages_per_day(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """A printer that counts no pages has no pages-per-day sensor."""
    assert hass.states.get(RUNS_OUT) is not None
    assert not [
        entry
        for entry in entity_registry.entities.values()
        if entry.unique_id.endswith("_pages_per_day")
    ]
