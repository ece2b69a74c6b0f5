"""Data update coordinator for one HP printer: its status, supplies and counters."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import inspect
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    HPPrinter,
    PrinterInfo,
    PrinterSnapshot,
    Profile,
    normalize_uuid,
)
from .const import (
    DOMAIN,
    FULL_REFRESH_EVERY,
    LOGGER,
    MAX_BACKOFF,
    REQUEST_TIMEOUT,
    SCAN_INTERVAL,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .data import HPEWSConfigEntry
    from .history import SupplyHistory

RETRY_AFTER: Final = "retry_after" in inspect.signature(UpdateFailed).parameters
"""Whether ``UpdateFailed`` defers the next refresh itself (Home Assistant 2025.12+).

Older releases (2025.4 is supported) stretch the update interval instead.
"""
PUSH_SCAN_INTERVAL: Final = timedelta(minutes=5)
"""Time between refreshes while the printer's event channel announces changes.

The long poll (``walkup.EVENT_WAIT``, 30 an hour) plus a refresh every five
minutes keep an idle hour under the 60 requests one-minute polling costs.
"""
PUSH_MIN_GAP: Final = 1.0
"""Seconds at least between two refreshes the printer's events ask for."""


def create_printer(hass: HomeAssistant, data: Mapping[str, Any]) -> HPPrinter:
    """Create a client for the printer described by config entry data."""
    return HPPrinter(
        data[CONF_HOST],
        async_get_clientsession(hass),
        port=data.get(CONF_PORT),
        # Unticked means "find out": CDM printers want HTTPS, LEDM ones HTTP.
        scheme="https" if data.get(CONF_SSL) else None,
        username=data.get(CONF_USERNAME),
        password=data.get(CONF_PASSWORD),
        timeout=REQUEST_TIMEOUT,
    )


def printer_unique_id(info: PrinterInfo) -> str | None:
    """Return the id that tells this printer apart from every other one."""
    if uid := normalize_uuid(info.uuid):
        return uid
    if info.serial_number and (serial := info.serial_number.strip()):
        return serial
    return None


def wrong_printer_issue_id(entry: ConfigEntry) -> str:
    """Return the repair issue id raised when another printer answers."""
    return f"wrong_printer_{entry.entry_id}"


class HPEWSCoordinator(DataUpdateCoordinator[PrinterSnapshot]):
    """Refresh one printer: status often, supplies and counters seldom.

    Every ``FULL_REFRESH_EVERY``-th refresh reads everything; the others read
    the status and reuse the rest of the previous snapshot. While the printer
    cannot be reached the wait between attempts doubles, up to ``MAX_BACKOFF``.
    Home Assistant's coordinator logs the first failure and the recovery once.
    """

    config_entry: HPEWSConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HPEWSConfigEntry) -> None:
        """Initialise the coordinator for a config entry."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=SCAN_INTERVAL,
            # Snapshots compare by value: unchanged status writes no states.
            always_update=False,
        )
        self.printer = create_printer(hass, entry.data)
        self.profile: Profile | None = None
        self._refreshes_until_full = 0
        self._failures = 0
        """Refreshes in a row that could not reach the printer."""
        self.history: SupplyHistory | None = None
        """Records every refreshed snapshot (set before the first refresh)."""
        self._push = False
        """The event channel works: changes are announced, polling slows down."""
        self._last_push = -PUSH_MIN_GAP

    @property
    def host(self) -> str:
        """Return the printer's address as configured."""
        return str(self.config_entry.data[CONF_HOST])

    async def _async_update_data(self) -> PrinterSnapshot:
        """Fetch a snapshot, completing it with supplies and counters when due."""
        full = self.data is None or self._refreshes_until_full <= 0
        try:
            try:
                snapshot = await self._async_fetch(full=full)
            except HPEWSTimeoutError:
                if self.data is None or not self.data.status.in_power_save:
                    raise
                # A printer waking from deep sleep can miss the first deadline.
                snapshot = await self._async_fetch(full=full)
        except HPEWSAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"host": self.host},
            ) from err
        except HPEWSConnectionError as err:
            raise self._unreachable(err) from err
        except HPEWSUnsupportedError as err:
            self._start_over()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="unsupported",
                translation_placeholders={"host": self.host, "error": str(err)},
            ) from err
        except HPEWSError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"host": self.host, "error": str(err)},
            ) from err

        self._check_identity(snapshot.info)
        if self.history is not None:
            self.history.async_record(snapshot)
        self._refreshes_until_full = (
            FULL_REFRESH_EVERY if full else self._refreshes_until_full
        ) - 1
        if self._failures:
            self._failures = 0
            if not RETRY_AFTER:  # pragma: no cover - before Home Assistant 2025.12
                self.update_interval = self._interval
        return snapshot

    @property
    def _interval(self) -> timedelta:
        return PUSH_SCAN_INTERVAL if self._push else SCAN_INTERVAL

    @callback
    def async_set_push(self, active: bool, *, refresh: bool = False) -> None:
        """The event channel started (True) or stopped (False) working.

        While it works the regular refresh is five minutes apart; when it
        stops, one minute again. ``refresh`` reads now, for the changes the
        channel may have missed (it failed, or it is back after failing).
        """
        if active == self._push:
            return
        self._push = active
        if not self._failures or RETRY_AFTER:  # pragma: no branch - by release
            # While backing off (before 2025.12) the recovery sets the interval.
            self.update_interval = self._interval
        if refresh:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), "hp_ews refresh after push"
            )

    async def async_push_refresh(self, *, full: bool = False) -> None:
        """The printer announced a change: refresh now.

        ``full`` reads supplies and counters too (a supply event). One long
        poll answer carries every event since the last, so pushes come one
        at a time; they are kept ``PUSH_MIN_GAP`` apart (Home Assistant's
        request debouncer would hold a second change for ten seconds).
        """
        if full:
            self._refreshes_until_full = 0
        loop = self.hass.loop
        if (wait := self._last_push + PUSH_MIN_GAP - loop.time()) > 0:
            await asyncio.sleep(wait)
        self._last_push = loop.time()
        await self.async_refresh()

    async def _async_fetch(self, *, full: bool) -> PrinterSnapshot:
        """Probe if needed, then take a snapshot."""
        if self.profile is None:
            self.profile = await self.printer.probe()
        return await self.printer.snapshot(self.profile, previous=self.data, full=full)

    def _start_over(self) -> None:
        """Probe again and read everything on the next refresh."""
        self.profile = None
        self._refreshes_until_full = 0

    def _unreachable(self, err: HPEWSConnectionError) -> UpdateFailed:
        """Start over when the printer answers again; until then, wait longer.

        A printer switched off for the night fails every attempt: doubling
        the wait keeps those attempts (and their timeouts) few.
        """
        self._start_over()
        self._failures += 1
        wait = min(SCAN_INTERVAL * 2**self._failures, MAX_BACKOFF)
        kwargs: dict[str, Any] = {}
        if RETRY_AFTER:  # pragma: no cover - one branch or the other, by release
            kwargs["retry_after"] = wait.total_seconds()
        else:  # pragma: no cover - one branch or the other, by release
            self.update_interval = wait
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": self.host, "error": str(err)},
            **kwargs,
        )

    def _check_identity(self, info: PrinterInfo) -> None:
        """Refuse to show data from a printer other than the configured one."""
        found = printer_unique_id(info)
        issue_id = wrong_printer_issue_id(self.config_entry)
        if found is None or found == self.config_entry.unique_id:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        self._start_over()
        placeholders = {
            "title": self.config_entry.title,
            "host": self.host,
            "model": info.model or info.series or info.manufacturer,
        }
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="wrong_printer",
            translation_placeholders=placeholders,
        )
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="wrong_printer",
            translation_placeholders=placeholders,
        )
