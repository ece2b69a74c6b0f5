"""The printer's automatic firmware update setting as a switch.

Only where the printer exposes the setting and lets it be changed (CDM
``firmwareUpdate/v2/configuration``); off by default in the registry. It
writes only when the user toggles it. The new value shows at once and is
confirmed by the next full read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError

from .client import HPEWSError
from .const import DOMAIN
from .entity import HPEWSEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import HPEWSConfigEntry

# One request at a time: printers are slow and fragile.
PARALLEL_UPDATES = 1

AUTO_UPDATE = SwitchEntityDescription(
    key="firmware_auto_update",
    translation_key="firmware_auto_update",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the switch where the printer lets its setting be changed."""
    coordinator = entry.runtime_data.coordinator
    firmware = coordinator.data.firmware
    if firmware.auto_update is not None and firmware.auto_update_writable:
        async_add_entities([HPEWSAutoUpdateSwitch(coordinator, AUTO_UPDATE)])


class HPEWSAutoUpdateSwitch(HPEWSEntity, SwitchEntity):
    """Whether the printer installs firmware updates by itself."""

    @property
    def is_on(self) -> bool | None:
        """Return the setting as last read (or last written)."""
        return self.coordinator.data.firmware.auto_update

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the printer update its firmware by itself."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the printer from updating its firmware by itself."""
        await self._async_set(False)

    async def _async_set(self, enabled: bool) -> None:
        coordinator = self.coordinator
        try:
            await coordinator.printer.set_firmware_auto_update(enabled)
        except HPEWSError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        # Refreshes keep the firmware a full read found: show what was written.
        snapshot = coordinator.data
        coordinator.async_set_updated_data(
            replace(snapshot, firmware=replace(snapshot.firmware, auto_update=enabled))
        )
