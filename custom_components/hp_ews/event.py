"""Event entity for an HP printer: a followed print job ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .client import JobState
from .entity import HPEWSEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry
    from .jobs import JobEvent, PrinterJobs

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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the print job event entity."""
    data = entry.runtime_data
    async_add_entities([HPEWSJobEventEntity(data.coordinator, data.jobs, JOB_EVENT)])


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
