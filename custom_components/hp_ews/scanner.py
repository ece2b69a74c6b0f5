"""The scanner of an all-in-one: its state, polled beside the printer's status.

Also where scans land: the default folder and its checks, shared by the scan
action and walk-up scans.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
    UpdateFailed,
)

from .client import HPEWSError, HPEWSUnsupportedError, ScannerStatus
from .const import DOMAIN, LOGGER, SCAN_FOLDER, SCAN_INTERVAL
from .entity import device_info

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity import Entity, EntityDescription

    from .client import HPPrinter
    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry


def default_scan_folder(hass: HomeAssistant) -> Path:
    """``scans`` in the first media folder, so scans show in the media browser."""
    media = next(iter(hass.config.media_dirs.values()), hass.config.path("media"))
    return Path(media) / SCAN_FOLDER


def prepare_scan_folder(hass: HomeAssistant, folder: Path) -> None:
    """Create the destination if needed, where Home Assistant may write (executor).

    Checked again once it exists: only then are symbolic links resolved.
    """
    if not folder.is_absolute() or not hass.config.is_allowed_path(str(folder)):
        raise _folder_not_allowed(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="scan_folder_error",
            translation_placeholders={"folder": str(folder), "error": str(err)},
        ) from err
    if not hass.config.is_allowed_path(str(folder)):
        raise _folder_not_allowed(folder)


def _folder_not_allowed(folder: Path) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="scan_folder_not_allowed",
        translation_placeholders={"folder": str(folder)},
    )


class _DebugLogger(logging.Logger):
    """Logs at debug level what the coordinator would log as error or info.

    The printer's coordinator logs an unreachable printer once each way; the
    scanner of the same printer would only say it a second time.
    """

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at debug level."""
        self.debug(msg, *args, **kwargs)

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at debug level."""
        self.debug(msg, *args, **kwargs)


_LOGGER = _DebugLogger(f"{LOGGER.name}.scanner")
_LOGGER.parent = LOGGER


class HPEWSScannerCoordinator(DataUpdateCoordinator[ScannerStatus | None]):
    """Refresh the scanner's state; None while the printer has shown no scanner.

    Apart from the printer's coordinator: its snapshot compares by value to
    decide whether the printer's entities are written, and the scanner's
    state is one more request that only all-in-ones answer. A printer
    without a scanner is asked once; an unreachable printer is not asked
    (its coordinator waits longer and longer between attempts).
    """

    config_entry: HPEWSConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: HPEWSConfigEntry, printer: HPEWSCoordinator
    ) -> None:
        """Initialise the coordinator for the scanner of a printer."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{entry.title} scanner",
            update_interval=SCAN_INTERVAL,
            always_update=False,
        )
        self.printer_coordinator = printer
        self.printer: HPPrinter = printer.printer

    async def _async_update_data(self) -> ScannerStatus | None:
        """Read the scanner's state, unless the printer cannot be reached."""
        if not self.printer_coordinator.last_update_success:
            return self.data
        try:
            return await self.printer.scanner_status()
        except HPEWSUnsupportedError:
            # No scanner: never ask again.
            self.update_interval = None
            return None
        except HPEWSError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="scanner_update_failed",
                translation_placeholders={"error": str(err)},
            ) from err


@callback
def async_add_scanner_entities(
    entry: HPEWSConfigEntry,
    create: Callable[[ScannerStatus], Iterable[Entity]],
    add: Callable[[Iterable[Entity]], None],
) -> None:
    """Add a platform's scanner entities once the scanner has answered.

    At setup normally; later if the scanner did not answer then.
    """
    scanner = entry.runtime_data.scanner
    if scanner.data is not None:
        add(create(scanner.data))
        return
    if scanner.update_interval is None:
        return  # asked, and there is no scanner
    remove: Callable[[], None] | None = None

    @callback
    def _async_found() -> None:
        nonlocal remove
        if scanner.data is None or remove is None:
            return
        remove()
        remove = None
        add(create(scanner.data))

    @callback
    def _async_unload() -> None:
        if remove is not None:
            remove()

    remove = scanner.async_add_listener(_async_found)
    entry.async_on_unload(_async_unload)


class HPEWSScannerEntity(CoordinatorEntity[HPEWSScannerCoordinator]):
    """An entity describing the scanner of a printer."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: HPEWSScannerCoordinator,
        printer: HPEWSCoordinator,
        description: EntityDescription,
    ) -> None:
        """Initialise the entity; the device is the printer's."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{printer.config_entry.unique_id}_{description.key}"
        self._attr_device_info = device_info(printer)
        self._printer = printer

    async def async_added_to_hass(self) -> None:
        """Follow the printer too: unreachable, its scanner is unavailable."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._printer.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def available(self) -> bool:
        """Return whether the scanner's state is known and the printer reachable."""
        return (
            super().available
            and self.coordinator.data is not None
            and self._printer.last_update_success
        )
