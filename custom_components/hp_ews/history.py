"""Supply history of one printer, kept by Home Assistant itself.

Forecasts need weeks of levels and page counts; the recorder may be off or
purge sooner, so each config entry keeps its own bounded history in a
``Store`` (``.storage/hp_ews.history.<entry_id>``): per supply, the first and
the last reading of every level (a point per change), thinned by the client
to ``MAX_HISTORY_POINTS``; the page counter at most every two hours for five
weeks; and each supply's last level and state, so a replacement or a low
supply is told once, also across restarts. The client library does the
maths (``forecast_supply``); this module only records and remembers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .client import (
    MAX_HISTORY_POINTS,
    PagePoint,
    SupplyState,
    UsagePoint,
    forecast_supply,
    is_replacement,
    pages_per_day,
    thin_history,
)
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import CALLBACK_TYPE, HomeAssistant

    from .client import PrinterSnapshot, Supply, SupplyForecast

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 300
"""Seconds a change waits before it is written (readings come every minute)."""
COUNTER_SPACING: Final = timedelta(hours=2)
COUNTER_KEEP: Final = timedelta(days=35)
"""Counter history kept: the page rate looks four weeks back."""
MAX_COUNTER_POINTS: Final = 500
MAX_SUPPLY_HISTORIES: Final = 32
"""Supplies remembered; the ones not seen for the longest go first."""
MAX_PENDING: Final = 32
"""Supply events kept until the event entity listens (setup, restart)."""
LOW_STATES: Final = frozenset({SupplyState.LOW, SupplyState.VERY_LOW})


def storage_key(entry_id: str) -> str:
    """The Store key of a config entry's history."""
    return f"{DOMAIN}.history.{entry_id}"


async def async_remove_history(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the stored history of a config entry that is removed."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, storage_key(entry_id)
    ).async_remove()


class SupplyEventType(StrEnum):
    """What happened to a supply."""

    REPLACED = "replaced"
    LOW = "low"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class SupplyEvent:
    """A supply changed: replaced (its level jumped up), low or empty."""

    event_type: SupplyEventType
    supply: str
    """The supply's key."""
    kind: str
    color: str
    old_level: float | None
    new_level: float | None
    part_number: str | None


@dataclass(slots=True)
class _Last:
    level: float | None
    """The last known level (an unknown reading keeps the one before)."""
    state: str


class SupplyHistory:
    """Records a printer's supplies and page counter; forecasts and events."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the history of one config entry (``async_load`` reads it)."""
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, storage_key(entry_id)
        )
        self._points: dict[str, list[UsagePoint]] = {}
        self._last: dict[str, _Last] = {}
        self._counter: list[PagePoint] = []
        self._as_of: datetime | None = None
        self._forecasts: dict[str, SupplyForecast | None] = {}
        self._listeners: list[Callable[[SupplyEvent], None]] = []
        self._pending: list[SupplyEvent] = []

    async def async_load(self) -> None:
        """Read the stored history; a damaged one is started afresh."""
        data = await self._store.async_load()
        if not data:
            return
        try:
            self._restore(data)
        except (KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Supply history unreadable, starting afresh: %s", err)
            self._points, self._last, self._counter = {}, {}, []

    async def async_save(self) -> None:
        """Write the history now (the entry unloads)."""
        await self._store.async_save(self._data())

    def _restore(self, data: dict[str, Any]) -> None:
        for key, supply in dict(data["supplies"]).items():
            self._points[str(key)] = [
                UsagePoint(
                    _time(row[0]),
                    None if row[1] is None else float(row[1]),
                    None if row[2] is None else int(row[2]),
                    bool(row[3]),
                )
                for row in supply["points"]
            ][-MAX_HISTORY_POINTS:]
            self._last[str(key)] = _Last(
                None if supply["level"] is None else float(supply["level"]),
                str(supply["state"]),
            )
        self._counter = [
            PagePoint(_time(row[0]), int(row[1])) for row in data["counter"]
        ][-MAX_COUNTER_POINTS:]

    def _data(self) -> dict[str, Any]:
        return {
            "supplies": {
                key: {
                    "points": [
                        [
                            round(point.time.timestamp()),
                            point.level,
                            point.pages,
                            int(point.empty),
                        ]
                        for point in self._points.get(key, ())
                    ],
                    "level": last.level,
                    "state": last.state,
                }
                for key, last in self._last.items()
            },
            "counter": [
                [round(point.time.timestamp()), point.pages] for point in self._counter
            ],
        }

    @callback
    def async_record(self, snapshot: PrinterSnapshot) -> None:
        """Take a refreshed snapshot's levels and counter; tell supply events."""
        now = dt_util.utcnow()
        pages = snapshot.counters.total_pages
        for supply in snapshot.supplies:
            self._record_supply(supply, pages, now)
        if pages is not None and pages >= 0:
            self._record_counter(PagePoint(now, pages))
        self._forget_old_supplies()
        self._as_of = now
        self._forecasts.clear()
        self._store.async_delay_save(self._data, SAVE_DELAY)

    def _record_supply(self, supply: Supply, pages: int | None, now: datetime) -> None:
        level = None if supply.level_percent is None else float(supply.level_percent)
        empty = supply.state is SupplyState.EMPTY
        if level is not None or empty:
            points = self._points.setdefault(supply.key, [])
            point = UsagePoint(now, level, pages, empty)
            if (
                len(points) >= 2
                and _same(points[-1], point)
                and _same(points[-2], point)
            ):
                # A plateau keeps its first and its latest reading.
                points[-1] = point
            else:
                points.append(point)
            if len(points) > MAX_HISTORY_POINTS:
                points[:] = thin_history(points, MAX_HISTORY_POINTS)
        previous = self._last.get(supply.key)
        self._last[supply.key] = _Last(
            level if level is not None else previous.level if previous else None,
            supply.state.value,
        )
        if previous is not None:
            for event_type in _transitions(previous, level, supply.state):
                self._emit(
                    SupplyEvent(
                        event_type,
                        supply.key,
                        supply.kind.value,
                        supply.color,
                        previous.level,
                        level,
                        supply.part_number,
                    )
                )

    def _record_counter(self, point: PagePoint) -> None:
        counter = self._counter
        if len(counter) >= 2 and counter[-1].time - counter[-2].time < COUNTER_SPACING:
            counter[-1] = point
        else:
            counter.append(point)
        oldest = point.time - COUNTER_KEEP
        while len(counter) > MAX_COUNTER_POINTS or (
            len(counter) > 2 and counter[1].time < oldest
        ):
            del counter[0]

    def _forget_old_supplies(self) -> None:
        while len(self._last) > MAX_SUPPLY_HISTORIES:
            oldest = min(
                self._last,
                key=lambda key: (
                    points[-1].time
                    if (points := self._points.get(key))
                    else datetime.min.replace(tzinfo=UTC)
                ),
            )
            del self._last[oldest]
            self._points.pop(oldest, None)

    def _emit(self, event: SupplyEvent) -> None:
        if not self._listeners:
            self._pending = [*self._pending, event][-MAX_PENDING:]
            return
        for listener in list(self._listeners):
            listener(event)

    @callback
    def async_add_listener(
        self, listener: Callable[[SupplyEvent], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with each supply event; events kept so far first."""
        self._listeners.append(listener)
        pending, self._pending = self._pending, []
        for event in pending:
            listener(event)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    def forecast(self, key: str) -> SupplyForecast | None:
        """The forecast of one supply as of the last refresh (computed once)."""
        if self._as_of is None:
            return None
        if key not in self._forecasts:
            self._forecasts[key] = forecast_supply(
                self._points.get(key, ()),
                as_of=self._as_of,
                counter=self._counter,
                zone=dt_util.get_default_time_zone(),
            )
        return self._forecasts[key]

    def pages_per_day(self) -> float | None:
        """The printer's recent pages per day, None before a day of counts."""
        if self._as_of is None:
            return None
        return pages_per_day(self._counter, self._as_of)


def _same(a: UsagePoint, b: UsagePoint) -> bool:
    return a.level == b.level and a.empty == b.empty


def _transitions(
    previous: _Last, level: float | None, state: SupplyState
) -> list[SupplyEventType]:
    """What changed since the last refresh: each transition once."""
    events = []
    if (
        level is not None
        and previous.level is not None
        and is_replacement(previous.level, level)
    ):
        events.append(SupplyEventType.REPLACED)
    if state is SupplyState.EMPTY and previous.state != SupplyState.EMPTY:
        events.append(SupplyEventType.EMPTY)
    elif state in LOW_STATES and previous.state not in {
        *LOW_STATES,
        SupplyState.EMPTY,
    }:
        events.append(SupplyEventType.LOW)
    return events


def _time(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a timestamp: {value!r}")
    return datetime.fromtimestamp(value, UTC)
