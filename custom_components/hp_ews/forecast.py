"""Entities of the supply history: forecasts per supply, pages per day, supply events.

The sensor and event platforms add them; ``history.py`` records what they
show, the client library computes the forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import callback

from .entity import SHARED_PARTS, HPEWSEntity, HPEWSSupplyEntity
from .history import SupplyEventType

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from homeassistant.helpers.typing import StateType

    from .client import Supply, SupplyForecast
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry
    from .history import SupplyEvent, SupplyHistory


def _hour(moment: datetime | None) -> datetime | None:
    """To the nearest hour: days of uncertainty need no seconds, nor state writes."""
    if moment is None:
        return None
    return (moment + timedelta(minutes=30)).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, kw_only=True)
class HPEWSForecastSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor about one supply's forecast."""

    value_fn: Callable[[SupplyForecast], datetime | StateType]


FORECAST_SENSORS: tuple[HPEWSForecastSensorEntityDescription, ...] = (
    HPEWSForecastSensorEntityDescription(
        key="runs_out",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda forecast: _hour(forecast.runs_out),
    ),
    # The same forecast as a number: handy for a numeric trigger, but it
    # repeats "Runs out", so it is off until a user turns it on (Home
    # Assistant's rule for entities that are not the main way to see a value).
    HPEWSForecastSensorEntityDescription(
        key="days_remaining",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        value_fn=lambda forecast: (
            round(forecast.days_remaining, 2)
            if forecast.days_remaining is not None
            else None
        ),
    ),
    HPEWSForecastSensorEntityDescription(
        key="last_replaced",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda forecast: forecast.last_replaced,
    ),
)

PAGES_PER_DAY_SENSOR = SensorEntityDescription(
    key="pages_per_day",
    translation_key="pages_per_day",
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=1,
)

SUPPLY_EVENT = EventEntityDescription(
    key="supply",
    translation_key="supply",
    event_types=[event_type.value for event_type in SupplyEventType],
)


def forecast_exists(supply: Supply) -> bool:
    """Whether a supply gets forecasts: the ones with a level sensor."""
    return supply.kind not in SHARED_PARTS or supply.level_percent is not None


def forecast_entities(
    entry: HPEWSConfigEntry, supplies: Iterable[Supply]
) -> list[HPEWSForecastSensorEntity]:
    """Create the forecast sensors of these supplies."""
    data = entry.runtime_data
    return [
        HPEWSForecastSensorEntity(data.coordinator, data.history, description, supply)
        for supply in supplies
        if forecast_exists(supply)
        for description in FORECAST_SENSORS
    ]


def pages_per_day_entities(
    entry: HPEWSConfigEntry, description: SensorEntityDescription
) -> list[HPEWSPagesPerDaySensorEntity]:
    """The printer-wide pages per day, on printers that count pages."""
    data = entry.runtime_data
    if data.coordinator.data.counters.total_pages is None:
        return []
    return [HPEWSPagesPerDaySensorEntity(data.coordinator, data.history, description)]


class HPEWSForecastSensorEntity(HPEWSSupplyEntity, SensorEntity):
    """A supply's forecast: when it runs out, days remaining, last replaced."""

    entity_description: HPEWSForecastSensorEntityDescription

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        history: SupplyHistory,
        description: HPEWSForecastSensorEntityDescription,
        supply: Supply,
    ) -> None:
        """Initialise the sensor for one supply."""
        super().__init__(coordinator, description, supply)
        self._history = history

    @property
    def native_value(self) -> datetime | StateType:
        """Return the value, unknown until the history tells."""
        forecast = self._history.forecast(self.supply_key)
        return None if forecast is None else self.entity_description.value_fn(forecast)

    @property
    def extra_state_attributes(self) -> dict[str, str | None] | None:
        """The part to order, beside the date it is needed by."""
        if self.entity_description.key != "runs_out":
            return None
        supply = self.supply
        return {"part_number": supply.part_number if supply is not None else None}


class HPEWSPagesPerDaySensorEntity(HPEWSEntity, SensorEntity):
    """Pages the printer prints a day, from the counter over the last weeks."""

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        history: SupplyHistory,
        description: SensorEntityDescription,
    ) -> None:
        """Initialise the sensor for one printer."""
        super().__init__(coordinator, description)
        self._history = history

    @property
    def native_value(self) -> float | None:
        """Return pages per day, unknown before a day of counts."""
        rate = self._history.pages_per_day()
        return None if rate is None else round(rate, 2)


class HPEWSSupplyEventEntity(HPEWSEntity, EventEntity):
    """Fires when a supply is replaced or refilled, runs low or runs empty."""

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        history: SupplyHistory,
        description: EventEntityDescription,
    ) -> None:
        """Initialise the entity for the supplies of one printer."""
        super().__init__(coordinator, description)
        self._history = history

    async def async_added_to_hass(self) -> None:
        """Listen for supply events."""
        await super().async_added_to_hass()
        self.async_on_remove(self._history.async_add_listener(self._async_event))

    @property
    def available(self) -> bool:
        """Stay available: past events remain true while the printer sleeps."""
        return True

    @callback
    def _async_event(self, event: SupplyEvent) -> None:
        self._trigger_event(
            event.event_type.value,
            {
                "supply": event.supply,
                "kind": event.kind,
                "color": event.color,
                "old_level": event.old_level,
                "new_level": event.new_level,
                "part_number": event.part_number,
            },
        )
        self.async_write_ha_state()
