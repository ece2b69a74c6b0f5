"""Event entities for an HP printer: a followed print job ended; an alert came or went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .alerts import EVENT_TYPES as ALERT_EVENT_TYPES, AlertTracker
from .client import JobState
from .entity import HPEWSEntity
from .forecast import SUPPLY_EVENT, HPEWSSupplyEventEntity
from .scanner import HPEWSScannerEntity, async_add_scanner_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .client import ScannerStatus
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry
    from .jobs import JobEvent, PrinterJobs
    from .scanner import HPEWSScannerCoordinator
    from .walkup import WalkupManager, WalkupOutcome

# Events come from the print actions; nothing is polled.
PARALLEL_UPDATES = 0

JOB_EVENT = EventEntityDescription(
    key="print_job",
    translation_key="print_job",
    event_types=[
        JobState.COMPLETED.value,
        JobState.ABORTED.value,
        JobState.CANCELED.value,
    ],
)

SCAN_EVENT = EventEntityDescription(
    key="scan",
    translation_key="scan",
    event_types=["completed", "failed"],
)
"""A scan started on the printer's panel ("Scan to computer") ended."""

ALERT_EVENT = EventEntityDescription(
    key="alert",
    translation_key="alert",
    event_types=list(ALERT_EVENT_TYPES),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the print job event entity."""
    data = entry.runtime_data
    async_add_entities([HPEWSJobEventEntity(data.coordinator, data.jobs, JOB_EVENT)])

    def _scan_events(_status: ScannerStatus) -> list[HPEWSScanEventEntity]:
        # Walk-up needs the event channel (LEDM) and a scanner.
        if data.walkup is None:
            return []
        return [
            HPEWSScanEventEntity(
                data.scanner, data.coordinator, data.walkup, SCAN_EVENT
            )
        ]

    async_add_scanner_entities(entry, _scan_events, async_add_entities)
    async_add_entities([HPEWSAlertEventEntity(data.coordinator, ALERT_EVENT)])
    async_add_entities(
        [HPEWSSupplyEventEntity(data.coordinator, data.history, SUPPLY_EVENT)]
    )


class HPEWSJobEventEntity(HPEWSEntity, EventEntity):
    """Fires when a job sent by Home Assistant is completed, aborted or canceled."""

    entity_description: EventEntityDescription

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        jobs: PrinterJobs,
        description: EventEntityDescription,
    ) -> None:
        """Initialise the entity for the jobs of one printer."""
        super().__init__(coordinator, description)
        self._jobs = jobs

    async def async_added_to_hass(self) -> None:
        """Listen for the jobs that end."""
        await super().async_added_to_hass()
        self.async_on_remove(self._jobs.async_add_listener(self._async_job))

    @property
    def available(self) -> bool:
        """Stay available: past events remain true while the printer sleeps."""
        return True

    @callback
    def _async_job(self, event: JobEvent) -> None:
        self._trigger_event(
            event.state.value,
            {"job_id": event.job_id, "name": event.name, "pages": event.pages},
        )
        self.async_write_ha_state()


class HPEWSAlertEventEntity(HPEWSEntity, EventEntity):
    """Fires ``raised`` and ``cleared`` as the printer's alerts come and go.

    The differences come from ``alerts.AlertTracker``; the alerts present
    when the entity is added are state, not events (see ``alerts``).
    """

    entity_description: EventEntityDescription

    def __init__(
        self, coordinator: HPEWSCoordinator, description: EventEntityDescription
    ) -> None:
        """Initialise the entity for the alerts of one printer."""
        super().__init__(coordinator, description)
        self._tracker = AlertTracker(coordinator.data)

    async def async_added_to_hass(self) -> None:
        """Start from the alerts present now."""
        await super().async_added_to_hass()
        self._tracker = AlertTracker(self.coordinator.data)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per alert raised or cleared since the last snapshot."""
        changes = self._tracker.update(self.coordinator.data)
        for change in changes:
            self._trigger_event(change.event_type, change.attributes)
            self.async_write_ha_state()
        if not changes:
            super()._handle_coordinator_update()


class HPEWSScanEventEntity(HPEWSScannerEntity, EventEntity):
    """Fires when a scan started on the printer's panel is saved, or fails.

    Scans of the scan action answer with their files instead: firing here
    too would make automations that handle walk-up scans handle them twice.
    """

    entity_description: EventEntityDescription

    def __init__(
        self,
        scanner: HPEWSScannerCoordinator,
        printer: HPEWSCoordinator,
        walkup: WalkupManager,
        description: EventEntityDescription,
    ) -> None:
        """Initialise the entity for the walk-up scans of one printer."""
        super().__init__(scanner, printer, description)
        self._walkup = walkup

    async def async_added_to_hass(self) -> None:
        """Listen for walk-up scans that end."""
        await super().async_added_to_hass()
        self.async_on_remove(self._walkup.add_listener(self._async_scanned))

    @property
    def available(self) -> bool:
        """Stay available: past scans remain true while the scanner sleeps."""
        return True

    @callback
    def _async_scanned(self, outcome: WalkupOutcome) -> None:
        attributes: dict[str, Any] = {
            "files": list(outcome.files),
            "path": outcome.files[0] if outcome.files else None,
            "pages": outcome.pages,
            "format": outcome.format,
            "source": outcome.source,
        }
        if outcome.event_type == "failed":
            attributes["error"] = outcome.error
        self._trigger_event(outcome.event_type, attributes)
        self.async_write_ha_state()
