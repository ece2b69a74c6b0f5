"""Binary sensors for the conditions that stop an HP printer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# 2026 releases define the device classes in .const and re-export them implicitly.
from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined,unused-ignore]
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)

from .entity import HPEWSEntity
from .scanner import HPEWSScannerEntity, async_add_scanner_entities

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .client import PrinterStatus, ScannerStatus
    from .data import HPEWSConfigEntry

# The coordinator does all the I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HPEWSBinarySensorEntityDescription(BinarySensorEntityDescription):
    """Describes a condition flag of the printer."""

    value_fn: Callable[[PrinterStatus], bool]


BINARY_SENSORS: tuple[HPEWSBinarySensorEntityDescription, ...] = (
    HPEWSBinarySensorEntityDescription(
        key="paper_jam",
        translation_key="paper_jam",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda status: status.paper_jam,
    ),
    HPEWSBinarySensorEntityDescription(
        key="door_open",
        translation_key="door_open",
        device_class=BinarySensorDeviceClass.DOOR,
        value_fn=lambda status: status.door_open,
    ),
    HPEWSBinarySensorEntityDescription(
        key="out_of_paper",
        translation_key="out_of_paper",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda status: status.out_of_paper,
    ),
    HPEWSBinarySensorEntityDescription(
        key="supply_low",
        translation_key="supply_low",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda status: status.supply_low,
    ),
    HPEWSBinarySensorEntityDescription(
        key="supply_missing",
        translation_key="supply_missing",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda status: status.supply_missing,
    ),
    HPEWSBinarySensorEntityDescription(
        key="output_full",
        translation_key="output_full",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_registry_enabled_default=False,
        value_fn=lambda status: status.output_full,
    ),
)

DOCUMENT_IN_FEEDER = BinarySensorEntityDescription(
    key="document_in_feeder",
    translation_key="document_in_feeder",
)
"""Paper waits in the scanner's document feeder (scanners with a feeder only)."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the binary sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        HPEWSBinarySensorEntity(coordinator, description)
        for description in BINARY_SENSORS
    )

    def _feeder_sensors(status: ScannerStatus) -> list[HPEWSFeederBinarySensorEntity]:
        # A scanner without a feeder reports no feeder state.
        if status.adf_loaded is None:
            return []
        return [
            HPEWSFeederBinarySensorEntity(
                entry.runtime_data.scanner, coordinator, DOCUMENT_IN_FEEDER
            )
        ]

    async_add_scanner_entities(entry, _feeder_sensors, async_add_entities)


class HPEWSBinarySensorEntity(HPEWSEntity, BinarySensorEntity):
    """A condition flag of the printer."""

    entity_description: HPEWSBinarySensorEntityDescription

    @property
    def is_on(self) -> bool:
        """Return whether the condition is present."""
        return self.entity_description.value_fn(self.coordinator.data.status)


class HPEWSFeederBinarySensorEntity(HPEWSScannerEntity, BinarySensorEntity):
    """Whether paper waits in the document feeder."""

    @property
    def is_on(self) -> bool | None:
        """Return whether the feeder holds paper; unknown if it does not say."""
        status = self.coordinator.data
        return None if status is None else status.adf_loaded
