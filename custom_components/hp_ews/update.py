"""The printer's firmware as an update entity: what is installed, what is out.

The latest version is the one the printer's own update check found (CDM
``updateCheck``); without one it is the installed version, so the entity
shows "up to date" rather than guess. Home Assistant installs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
)

from .entity import HPEWSEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .client import PrinterSnapshot
    from .data import HPEWSConfigEntry

# The coordinator does all the I/O.
PARALLEL_UPDATES = 0

FIRMWARE = UpdateEntityDescription(
    key="firmware",
    translation_key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
)


def installed_version(snapshot: PrinterSnapshot) -> str | None:
    """The firmware version the printer runs."""
    return snapshot.firmware.installed or snapshot.info.firmware


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HPEWSConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the firmware entity of a printer that names its firmware."""
    coordinator = entry.runtime_data.coordinator
    if installed_version(coordinator.data) is not None:
        async_add_entities([HPEWSFirmwareEntity(coordinator, FIRMWARE)])


class HPEWSFirmwareEntity(HPEWSEntity, UpdateEntity):
    """Installed and available firmware; no install from Home Assistant."""

    @property
    def installed_version(self) -> str | None:
        """Return the version the printer runs."""
        return installed_version(self.coordinator.data)

    @property
    def latest_version(self) -> str | None:
        """Return the version the printer's update check found, else the installed."""
        return self.coordinator.data.firmware.available or self.installed_version

    @property
    def release_summary(self) -> str | None:
        """Return the summary the printer gives of the new version, if any."""
        firmware = self.coordinator.data.firmware
        return firmware.release_summary if firmware.available else None
