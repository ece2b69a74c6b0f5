"""Sensors for an HP printer: state, message, supply levels, page counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

# Re-exported: the platform module holds every description of its entities.
from .care import (
    LAST_RESTART as LAST_RESTART,  # noqa: PLC0414
    TRAY_SENSORS as TRAY_SENSORS,  # noqa: PLC0414
    async_setup_care_sensors,
)
from .client import (
    Counters,
    PrinterProtocol,
    PrinterSnapshot,
    PrinterState,
    ScannerState,
    Supply,
)
from .const import DOMAIN
from .entity import SHARED_PARTS, HPEWSEntity, HPEWSSupplyEntity
from .forecast import (
    FORECAST_SENSORS,
    PAGES_PER_DAY_SENSOR,
    forecast_entities,
    pages_per_day_entities,
)
from .scanner import HPEWSScannerEntity, async_add_scanner_entities

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .client import ScannerStatus
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry
    from .jobs import PrinterJobs

# The coordinator does all the I/O.
PARALLEL_UPDATES = 0

MAX_STATE_LENGTH = 255


@dataclass(frozen=True, kw_only=True)
class HPEWSSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor about the printer as a whole."""

    value_fn: Callable[[PrinterSnapshot], StateType]
    exists_fn: Callable[[PrinterSnapshot], bool] = lambda _: True


@dataclass(frozen=True, kw_only=True)
class HPEWSSupplySensorEntityDescription(SensorEntityDescription):
    """Describes a sensor about one supply; its name comes from the supply."""

    value_fn: Callable[[Supply], StateType]
    exists_fn: Callable[[Supply], bool]


def _counter(
    key: str, value_fn: Callable[[Counters], int | None], *, enabled: bool = False
) -> HPEWSSensorEntityDescription:
    """Describe a lifetime counter: shown only on printers that count it."""
    return HPEWSSensorEntityDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=enabled,
        value_fn=lambda snapshot: value_fn(snapshot.counters),
        exists_fn=lambda snapshot: value_fn(snapshot.counters) is not None,
    )


SENSORS: tuple[HPEWSSensorEntityDescription, ...] = (
    HPEWSSensorEntityDescription(
        key="state",
        translation_key="state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in PrinterState],
        value_fn=lambda snapshot: snapshot.status.state.value,
    ),
    STATUS_MESSAGE := HPEWSSensorEntityDescription(
        key="status_message",
        translation_key="status_message",
        value_fn=lambda snapshot: (
            message[:MAX_STATE_LENGTH]
            if (message := snapshot.status.display_message)
            else None
        ),
        # Most printers show text only now and then: off until a user wants it.
        entity_registry_enabled_default=False,
        # CDM sends no panel text nor worded alerts: without IPP or LEDM
        # beside it the sensor would never hold a value.
        exists_fn=lambda snapshot: (
            snapshot.status.display_message is not None
            or snapshot.ipp is not None
            or PrinterProtocol.LEDM in (snapshot.sources.status, snapshot.sources.info)
        ),
    ),
    _counter("total_pages", lambda c: c.total_pages, enabled=True),
    _counter("monochrome_pages", lambda c: c.monochrome_pages, enabled=True),
    _counter("color_pages", lambda c: c.color_pages, enabled=True),
    _counter("duplex_sheets", lambda c: c.duplex_sheets),
    _counter("jam_events", lambda c: c.jam_events),
    _counter("scan_pages", lambda c: c.scan_pages),
    _counter("copy_pages", lambda c: c.copy_pages),
    _counter("fax_pages", lambda c: c.fax_pages),
)

SUPPLY_SENSORS: tuple[HPEWSSupplySensorEntityDescription, ...] = (
    HPEWSSupplySensorEntityDescription(
        key="level",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda supply: supply.level_percent,
        # A printhead or drum without a life gauge has no level to show.
        exists_fn=lambda supply: (
            supply.kind not in SHARED_PARTS or supply.level_percent is not None
        ),
    ),
    HPEWSSupplySensorEntityDescription(
        key="pages_remaining",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda supply: supply.pages_remaining,
        exists_fn=lambda supply: supply.pages_remaining is not None,
    ),
)


HELD_JOBS_SENSOR = SensorEntityDescription(
    key="held_jobs",
    translation_key="held_jobs",
    state_class=SensorStateClass.MEASUREMENT,
)
"""Jobs waiting in Home Assistant for release to this printer."""

SCANNER_SENSOR = SensorEntityDescription(
    key="scanner",
    translation_key="scanner",
    device_class=SensorDeviceClass.ENUM,
    options=[
        state.value for state in ScannerState if state is not ScannerState.UNKNOWN
    ],
)
"""The scanner's own state: an all-in-one may scan while the printer sleeps."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors, adding and removing supply sensors as supplies change."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        HPEWSSensorEntity(coordinator, description)
        for description in SENSORS
        if description.exists_fn(coordinator.data)
    )
    if not STATUS_MESSAGE.exists_fn(coordinator.data):
        # 0.1 created it for every printer; a CDM-only one never fills it.
        entity_registry = er.async_get(hass)
        if entity_id := entity_registry.async_get_entity_id(
            SENSOR_DOMAIN, DOMAIN, f"{entry.unique_id}_{STATUS_MESSAGE.key}"
        ):
            entity_registry.async_remove(entity_id)
    async_add_entities(
        [
            HPEWSHeldJobsSensorEntity(
                coordinator, entry.runtime_data.jobs, HELD_JOBS_SENSOR
            )
        ]
    )
    async_setup_care_sensors(entry, async_add_entities)

    def _scanner_sensors(_status: ScannerStatus) -> list[HPEWSScannerSensorEntity]:
        return [
            HPEWSScannerSensorEntity(
                entry.runtime_data.scanner, coordinator, SCANNER_SENSOR
            )
        ]

    async_add_scanner_entities(entry, _scanner_sensors, async_add_entities)

    async_add_entities(pages_per_day_entities(entry, PAGES_PER_DAY_SENSOR))

    known: set[str] = set()
    registered: set[str] | None = None

    @callback
    def _async_sync_supplies() -> None:
        nonlocal registered
        supplies = {supply.key: supply for supply in coordinator.data.supplies}
        if registered != supplies.keys():
            registered = set(supplies)
            _async_remove_supply_entities(hass, entry, keep=registered)
            known.intersection_update(registered)
        if new := [supply for key, supply in supplies.items() if key not in known]:
            known.update(supply.key for supply in new)
            async_add_entities(_supply_entities(coordinator, new))
            async_add_entities(forecast_entities(entry, new))

    _async_sync_supplies()
    entry.async_on_unload(coordinator.async_add_listener(_async_sync_supplies))


def _supply_entities(
    coordinator: HPEWSCoordinator, supplies: Iterable[Supply]
) -> list[HPEWSSupplySensorEntity]:
    """Create the sensors that exist for these supplies."""
    return [
        HPEWSSupplySensorEntity(coordinator, description, supply)
        for supply in supplies
        for description in SUPPLY_SENSORS
        if description.exists_fn(supply)
    ]


@callback
def _async_remove_supply_entities(
    hass: HomeAssistant, entry: HPEWSConfigEntry, *, keep: set[str]
) -> None:
    """Remove the sensors of supplies the printer no longer reports.

    Runs at setup too, for supplies that went while Home Assistant was down.
    """
    entity_registry = er.async_get(hass)
    prefix = f"{entry.unique_id}_"
    suffixes = tuple(
        f"_{description.key}" for description in (*SUPPLY_SENSORS, *FORECAST_SENSORS)
    )
    for entity_entry in er.async_entries_for_config_entry(
        entity_registry, entry.entry_id
    ):
        unique_id = entity_entry.unique_id
        if entity_entry.domain != SENSOR_DOMAIN or not unique_id.startswith(prefix):
            continue
        for suffix in suffixes:
            if unique_id.endswith(suffix):
                if unique_id[len(prefix) : -len(suffix)] not in keep:
                    entity_registry.async_remove(entity_entry.entity_id)
                break


class HPEWSSensorEntity(HPEWSEntity, SensorEntity):
    """A sensor about the printer as a whole."""

    entity_description: HPEWSSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)


class HPEWSSupplySensorEntity(HPEWSSupplyEntity, SensorEntity):
    """A sensor about one supply."""

    entity_description: HPEWSSupplySensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value while the supply is reported."""
        if (supply := self.supply) is None:
            return None
        return self.entity_description.value_fn(supply)


class HPEWSHeldJobsSensorEntity(HPEWSEntity, SensorEntity):
    """How many held jobs wait for release to this printer."""

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        jobs: PrinterJobs,
        description: SensorEntityDescription,
    ) -> None:
        """Initialise the sensor for the held jobs of one printer."""
        super().__init__(coordinator, description)
        self._jobs = jobs

    async def async_added_to_hass(self) -> None:
        """Follow changes of the held jobs."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._jobs.async_add_held_listener(self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Stay available: held jobs live in Home Assistant, not the printer."""
        return True

    @property
    def native_value(self) -> int:
        """Return the number of held jobs."""
        return len(self._jobs.held())


class HPEWSScannerSensorEntity(HPEWSScannerEntity, SensorEntity):
    """The scanner's state: idle, processing (scanning) or stopped."""

    @property
    def native_value(self) -> str | None:
        """Return the state, unknown when the scanner reports none we know."""
        status = self.coordinator.data
        if status is None or status.state is ScannerState.UNKNOWN:
            return None
        return status.state.value
