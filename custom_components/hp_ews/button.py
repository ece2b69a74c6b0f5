"""Buttons for an HP printer."""

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

from .client import HPEWSError
from .const import DOMAIN
from .entity import HPEWSEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .client import HPPrinter, PrinterSnapshot
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
