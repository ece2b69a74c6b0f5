"""Data update coordinator for one HP printer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
import uuid

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    HPPrinter,
    PrinterInfo,
    Profile,
    Snapshot,
)
from .const import (
    DOMAIN,
    FOLLOW_RETRY_DELAY,
    FOLLOW_TIMEOUT,
    FULL_REFRESH_EVERY,
    LOGGER,
    MAX_BACKOFF,
    MAX_DOCUMENT_BYTES,
    PRINT_WAIT_TIMEOUT,
    REQUEST_TIMEOUT,
    SCAN_INTERVAL,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .client import DocumentSource, JobState, PrintOptions, PrintResult

type HPEWSConfigEntry = ConfigEntry[HPEWSCoordinator]


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


def normalize_uuid(value: str | None) -> str | None:
    """Return a UUID in canonical lower-case form, or None if it is not one.

    mDNS TXT records carry it bare, IPP as ``urn:uuid:…``; anonymised
    captures and some firmware send placeholders that must not become ids.
    """
    if not value:
        return None
    value = value.strip().lower().removeprefix("urn:uuid:")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    # The nil UUID is what anonymisers and unset firmware fields leave behind.
    return str(parsed) if parsed.int else None


def printer_unique_id(info: PrinterInfo) -> str | None:
    """Return the id that tells this printer apart from every other one."""
    if uid := normalize_uuid(info.uuid):
        return uid
    if info.serial_number and (serial := info.serial_number.strip()):
        return serial
    return None


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A followed print job reached its end."""

    job_id: int
    state: JobState
    name: str | None
    pages: int | None


def job_signal(entry: ConfigEntry) -> str:
    """Return the dispatcher signal announcing finished jobs of a printer."""
    return f"{DOMAIN}_{entry.entry_id}_job"


def wrong_printer_issue_id(entry: ConfigEntry) -> str:
    """Return the repair issue id raised when another printer answers."""
    return f"wrong_printer_{entry.entry_id}"


class HPEWSCoordinator(DataUpdateCoordinator[Snapshot]):
    """Refresh one printer: status often, supplies and counters seldom."""

    config_entry: HPEWSConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HPEWSConfigEntry) -> None:
        """Initialise the coordinator for a config entry."""
        self.poll_interval = SCAN_INTERVAL
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=self.poll_interval,
            # Snapshots compare by value: unchanged status writes no states.
            always_update=False,
        )
        self.printer = create_printer(hass, entry.data)
        self.profile: Profile | None = None
        self._refreshes_until_full = 0
        self._failures = 0
        self._unreachable = False

    @property
    def host(self) -> str:
        """Return the printer's address as configured."""
        return str(self.config_entry.data[CONF_HOST])

    async def _async_update_data(self) -> Snapshot:
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
            self._went_unreachable(err)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"host": self.host, "error": str(err)},
            ) from err
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
        self._refreshes_until_full = (
            FULL_REFRESH_EVERY if full else self._refreshes_until_full
        ) - 1
        self._came_back()
        return snapshot

    async def _async_fetch(self, *, full: bool) -> Snapshot:
        """Probe if needed, then take a snapshot."""
        if self.profile is None:
            self.profile = await self.printer.probe()
        return await self.printer.snapshot(self.profile, previous=self.data, full=full)

    def _start_over(self) -> None:
        """Probe again and read everything on the next refresh."""
        self.profile = None
        self._refreshes_until_full = 0

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

    def _went_unreachable(self, err: HPEWSConnectionError) -> None:
        """Back off, and log the change once at info level.

        A printer switched off for the night is routine, not an error. Marking
        the failure before DataUpdateCoordinator sees the exception keeps it
        from logging the same transition a second time at error level.
        """
        self._start_over()
        self._failures += 1
        self.update_interval = min(
            self.poll_interval * 2**self._failures,
            max(self.poll_interval, MAX_BACKOFF),
        )
        if self.data is None or self._unreachable:
            return
        self._unreachable = True
        if self.last_update_success:
            LOGGER.info("%s (%s) is unreachable: %s", self.name, self.host, err)
            self.last_update_success = False

    def _came_back(self) -> None:
        """Restore the poll interval and log the recovery once."""
        self._failures = 0
        self.update_interval = self.poll_interval
        if not self._unreachable:
            return
        self._unreachable = False
        LOGGER.info("%s (%s) is reachable again", self.name, self.host)
        # Listeners still hear of the change; only the duplicate log goes.
        self.last_update_success = True

    # --- printing -------------------------------------------------------------------

    async def async_print(
        self, source: DocumentSource, options: PrintOptions, *, wait: bool
    ) -> PrintResult:
        """Print a document; the job is then followed for the event entity.

        Raises the client's errors (see ``HPPrinter.print_document``).
        """
        result = await self.printer.print_document(
            source,
            options,
            wait=wait,
            wait_timeout=PRINT_WAIT_TIMEOUT,
            max_bytes=MAX_DOCUMENT_BYTES,
        )
        event = JobEvent(result.job_id, result.state, result.job_name, result.pages)
        if result.state.terminal:
            self._async_job_ended(event)
        else:
            self.config_entry.async_create_background_task(
                self.hass,
                self._async_follow(event),
                f"{DOMAIN} follow job {result.job_id} of {self.name}",
            )
        return result

    async def async_cancel_job(self, job_id: int) -> None:
        """Cancel a job on the printer (``HPEWSIPPError`` if it cannot be)."""
        await self.printer.cancel_job(job_id)

    async def _async_follow(self, job: JobEvent) -> None:
        """Poll a job until it ends, riding out a printer that stops answering."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_TIMEOUT
        while (remaining := deadline - loop.time()) > 0:
            try:
                status = await self.printer.wait_for_job(
                    job.job_id, wait_timeout=remaining
                )
            except HPEWSConnectionError as err:
                LOGGER.debug("Cannot read job %s yet: %s", job.job_id, err)
                await asyncio.sleep(min(FOLLOW_RETRY_DELAY, remaining))
                continue
            except HPEWSError as err:
                # The printer forgot the job or refuses to tell: nothing to report.
                LOGGER.debug("Stopped following job %s: %s", job.job_id, err)
                return
            if status.state.terminal:
                self._async_job_ended(
                    JobEvent(
                        job.job_id,
                        status.state,
                        status.name or job.name,
                        status.impressions_completed or job.pages,
                    )
                )
                return
        LOGGER.debug("Job %s did not end within %s s", job.job_id, FOLLOW_TIMEOUT)

    @callback
    def _async_job_ended(self, event: JobEvent) -> None:
        async_dispatcher_send(self.hass, job_signal(self.config_entry), event)
