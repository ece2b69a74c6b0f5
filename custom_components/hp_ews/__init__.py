"""The HP Printer (EWS) integration."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

type HPEWSConfigEntry = ConfigEntry[None]


async def async_setup_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> bool:
    """Set up a printer from a config entry."""
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> bool:
    """Unload a config entry."""
    return True
