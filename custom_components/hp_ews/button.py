"""Buttons for an HP printer: identify it, and the upkeep it offers.

The maintenance buttons are the printer's own list (reports, printhead
cleaning levels, alignment), read once when the platform is set up; a
refresh never reads it again and never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# 2026 releases define the device classes in .const and re-export them implicitly.
from homeassistant.components.button import (  # type: ignore[attr-defined,unused-ignore]
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError

from .client import (
    HPEWSError,
    HPEWSMaintenanceError,
    MaintenanceAction,
    MaintenanceErrorReason,
    MaintenanceKind,
)
from .const import DOMAIN, LOGGER
from .entity import HPEWSEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .client import HPPrinter, PrinterSnapshot
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry

# One request at a time: printers are slow and fragile.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class HPEWSButtonEntityDescription(ButtonEntityDescription):
    """Describes a printer action."""

    press_fn: Callable[[HPPrinter], Awaitable[None]]
    exists_fn: Callable[[PrinterSnapshot], bool]


BUTTONS: tuple[HPEWSButtonEntityDescription, ...] = (
    HPEWSButtonEntityDescription(
        key="identify",
        device_class=ButtonDeviceClass.IDENTIFY,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda printer: printer.identify(),
        exists_fn=lambda snapshot: (
            snapshot.ipp is not None and snapshot.ipp.can_identify
        ),
    ),
)

MAINTENANCE_ENABLED: frozenset[MaintenanceKind] = frozenset(
    {
        MaintenanceKind.STATUS_REPORT,
        MaintenanceKind.PRINT_QUALITY_REPORT,
        MaintenanceKind.CLEAN_LEVEL_1,
        MaintenanceKind.CLEAN_LEVEL_2,
        MaintenanceKind.CLEAN_LEVEL_3,
        MaintenanceKind.ALIGN,
    }
)
"""Kinds enabled by default; the printer's other pages start disabled."""

MAINTENANCE_BUTTONS: tuple[ButtonEntityDescription, ...] = tuple(
    ButtonEntityDescription(
        key=f"maintenance_{kind.value}",
        translation_key=f"maintenance_{kind.value}",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=kind in MAINTENANCE_ENABLED,
    )
    for kind in MaintenanceKind
)
"""One description per kind of action; the printer's list says which exist."""
_MAINTENANCE_BY_KIND: dict[str, ButtonEntityDescription] = {
    description.key: description for description in MAINTENANCE_BUTTONS
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the buttons the printer supports."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        HPEWSButtonEntity(coordinator, description)
        for description in BUTTONS
        if description.exists_fn(coordinator.data)
    )
    try:
        actions = await coordinator.printer.maintenance_actions()
    except HPEWSError as err:
        # No list now: no buttons; the next setup (a reload) asks again.
        LOGGER.warning(
            "%s: could not read the maintenance actions: %s", coordinator.host, err
        )
        return
    async_add_entities(
        HPEWSMaintenanceButton(coordinator, action) for action in actions
    )


class HPEWSButtonEntity(HPEWSEntity, ButtonEntity):
    """A printer action."""

    entity_description: HPEWSButtonEntityDescription

    async def async_press(self) -> None:
        """Ask the printer to perform the action."""
        try:
            await self.entity_description.press_fn(self.coordinator.printer)
        except HPEWSError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={"error": str(err)},
            ) from err


class HPEWSMaintenanceButton(HPEWSEntity, ButtonEntity):
    """Runs one maintenance action the printer listed."""

    def __init__(
        self, coordinator: HPEWSCoordinator, action: MaintenanceAction
    ) -> None:
        """Initialise the button for ``action``."""
        super().__init__(
            coordinator, _MAINTENANCE_BY_KIND[f"maintenance_{action.kind.value}"]
        )
        self.action = action
        # Two actions may be of one kind: the printer's key tells them apart.
        self._attr_unique_id = (
            f"{coordinator.config_entry.unique_id}_maintenance_{action.key}"
        )
        self._attr_translation_placeholders = {"name": action.name}

    async def async_press(self) -> None:
        """Ask the printer to run the action."""
        try:
            await self.coordinator.printer.run_maintenance(self.action.key)
        except HPEWSMaintenanceError as err:
            key = {
                MaintenanceErrorReason.BUSY: "maintenance_busy",
                MaintenanceErrorReason.ASLEEP: "maintenance_asleep",
                MaintenanceErrorReason.PAPER_JAM: "maintenance_paper_jam",
                MaintenanceErrorReason.DOOR_OPEN: "maintenance_door_open",
                MaintenanceErrorReason.OUT_OF_PAPER: "maintenance_out_of_paper",
                MaintenanceErrorReason.NO_ANSWER: "maintenance_no_answer",
                MaintenanceErrorReason.FAILED: "maintenance_failed",
            }[err.reason]
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"name": self.action.name, "error": str(err)},
            ) from err
        except HPEWSError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={"error": str(err)},
            ) from err
