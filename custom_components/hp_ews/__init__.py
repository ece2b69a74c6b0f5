"""The HP Printer (EWS) integration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_SCAN_INTERVAL, Platform
from homeassistant.helpers import config_validation as cv, issue_registry as ir

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from homeassistant.helpers.typing import ConfigType

    from .data import HPEWSConfigEntry

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.UPDATE,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

# The coordinator and the jobs (and with them the client's HTTP stack) are
# imported where they are used: importing the client package on its own (its
# CLI, the simulator) runs this module first. Home Assistant preloads
# config_flow, which imports the coordinator.


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the print actions and load the held jobs."""
    from .hold import async_setup_held_jobs
    from .services import async_setup_services

    await async_setup_held_jobs(hass)
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> bool:
    """Set up a printer from a config entry."""
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSData
    from .history import SupplyHistory
    from .hold import DATA_HELD_JOBS
    from .jobs import PrinterJobs
    from .scanner import HPEWSScannerCoordinator
    from .walkup import WalkupManager, supports_events

    coordinator = HPEWSCoordinator(hass, entry)
    # Loaded before the first refresh, which it records.
    history = SupplyHistory(hass, entry.entry_id)
    await history.async_load()
    coordinator.history = history
    # Written now when the entry unloads (a reload reads it back at once).
    entry.async_on_unload(history.async_save)
    await coordinator.async_config_entry_first_refresh()
    # The scanner's first answer decides whether it has entities; a failure
    # only delays them (scanner.py adds them when it answers).
    scanner = HPEWSScannerCoordinator(hass, entry, coordinator)
    await scanner.async_refresh()
    entry.runtime_data = HPEWSData(
        coordinator,
        PrinterJobs(coordinator, hass.data[DATA_HELD_JOBS]),
        history=history,
        scanner=scanner,
        walkup=(
            WalkupManager(hass, entry, coordinator)
            if supports_events(coordinator.printer)
            else None
        ),
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms: the scan event entity listens from the first event.
    if entry.runtime_data.walkup is not None:
        entry.runtime_data.walkup.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> None:
    """Forget a removed printer's repair issue, held jobs and supply history."""
    from .coordinator import wrong_printer_issue_id
    from .history import async_remove_history
    from .hold import DATA_HELD_JOBS
    from .walkup import async_remove_destination

    ir.async_delete_issue(hass, DOMAIN, wrong_printer_issue_id(entry))
    await async_remove_history(hass, entry.entry_id)
    await async_remove_destination(hass, entry)
    held = hass.data[DATA_HELD_JOBS]
    await held.async_remove(*(job.job_id for job in held.jobs(entry.entry_id)))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HPEWSConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a device unless it is the configured printer."""
    return (DOMAIN, entry.unique_id) not in device.identifiers


async def async_migrate_entry(hass: HomeAssistant, entry: HPEWSConfigEntry) -> bool:
    """Bring an entry made by an older release up to date.

    1.2 dropped the poll interval option: Home Assistant's own "disable
    polling" system option and ``homeassistant.update_entity`` replace it.
    """
    if entry.version > 1:
        # Written by a newer release: refuse rather than guess.
        return False
    if entry.minor_version < 2:
        options = {k: v for k, v in entry.options.items() if k != CONF_SCAN_INTERVAL}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True
