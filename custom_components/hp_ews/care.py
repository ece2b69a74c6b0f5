"""Printer care sensors: paper trays and the last restart.

Each tray the printer reports gets a state sensor, a level sensor where the
printer measures the stack, and the loaded media size and type as
diagnostic sensors (off by default: they change only when paper is loaded).
Trays are read on full reads, so a new one appears within ten minutes; a
tray the printer stops reporting goes unavailable. The last restart is the
boot time the client keeps stable across reads (``PrinterInfo.booted_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import callback

from .client import Tray, TrayState
from .entity import HPEWSEntity

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry


@dataclass(frozen=True, kw_only=True)
class HPEWSTraySensorEntityDescription(SensorEntityDescription):
    """Describes a sensor about one paper tray; its name comes from the tray."""

    value_fn: Callable[[Tray], StateType]
    exists_fn: Callable[[Tray], bool] = lambda _: True


TRAY_SENSORS: tuple[HPEWSTraySensorEntityDescription, ...] = (
    HPEWSTraySensorEntityDescription(
        key="tray_state",
        translation_key="tray_state",
        device_class=SensorDeviceClass.ENUM,
        # "unknown" is Home Assistant's own state for no value.
        options=[state.value for state in TrayState if state is not TrayState.UNKNOWN],
        value_fn=lambda tray: (
            None if tray.state is TrayState.UNKNOWN else tray.state.value
        ),
    ),
    HPEWSTraySensorEntityDescription(
        # Not "..._level": the supply sensors' cleanup removes unique IDs
        # ending in their keys.
        key="tray_level_percent",
        translation_key="tray_level",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda tray: tray.level_percent,
        exists_fn=lambda tray: tray.level_percent is not None,
    ),
    HPEWSTraySensorEntityDescription(
        key="tray_media_size",
        translation_key="tray_media_size",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda tray: tray.media_size,
        exists_fn=lambda tray: tray.media_size is not None,
    ),
    HPEWSTraySensorEntityDescription(
        key="tray_media_type",
        translation_key="tray_media_type",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda tray: tray.media_type,
        exists_fn=lambda tray: tray.media_type is not None,
    ),
)

LAST_RESTART = SensorEntityDescription(
    key="last_restart",
    translation_key="last_restart",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


@callback
def async_setup_care_sensors(
    entry: HPEWSConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the last-restart sensor and the tray sensors, and new trays later."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.data.info.booted_at is not None:
        async_add_entities([HPEWSLastRestartSensor(coordinator, LAST_RESTART)])
    known: set[tuple[str, str]] = set()

    @callback
    def _async_add_trays() -> None:
        new: list[HPEWSTraySensorEntity] = []
        for tray in coordinator.data.trays:
            for description in TRAY_SENSORS:
                ident = (tray.key, description.key)
                if ident not in known and description.exists_fn(tray):
                    known.add(ident)
                    new.append(HPEWSTraySensorEntity(coordinator, description, tray))
        if new:
            async_add_entities(new)

    _async_add_trays()
    entry.async_on_unload(coordinator.async_add_listener(_async_add_trays))


class HPEWSLastRestartSensor(HPEWSEntity, SensorEntity):
    """When the printer last started; steady between restarts."""

    @property
    def native_value(self) -> datetime | None:
        """Return the boot time of the last full read."""
        return self.coordinator.data.info.booted_at


class HPEWSTraySensorEntity(HPEWSEntity, SensorEntity):
    """A sensor about one paper tray; unavailable once the tray is gone."""

    entity_description: HPEWSTraySensorEntityDescription

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        description: HPEWSTraySensorEntityDescription,
        tray: Tray,
    ) -> None:
        """Initialise the sensor for the tray with this key."""
        super().__init__(coordinator, description)
        self.tray_key = tray.key
        self._attr_unique_id = (
            f"{coordinator.config_entry.unique_id}_tray_{tray.key}_{description.key}"
        )
        self._attr_translation_placeholders = {"tray": tray.label}

    @property
    def tray(self) -> Tray | None:
        """Return the tray as last reported, None once it is gone."""
        return next(
            (t for t in self.coordinator.data.trays if t.key == self.tray_key), None
        )

    @property
    def available(self) -> bool:
        """Return whether the printer still reports this tray."""
        return super().available and self.tray is not None

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value while the tray is reported."""
        if (tray := self.tray) is None:
            return None
        return self.entity_description.value_fn(tray)
