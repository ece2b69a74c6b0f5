"""Printing on one printer: jobs sent, followed to their end, and held for release.

The coordinator keeps the printer's status; this object does everything a
print action asks of the printer. It shares the coordinator's client (one
probe, one session) and reads its last snapshot for the formats the printer
takes, and nothing else of it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .client import HPEWSConnectionError, HPEWSDocumentError, HPEWSError, JobState
from .const import (
    CONF_HELD_QUOTA_GIB,
    CONF_HOLD_HOURS,
    DEFAULT_HELD_QUOTA_GIB,
    DEFAULT_HOLD_HOURS,
    DOMAIN,
    FOLLOW_RETRY_DELAY,
    FOLLOW_TIMEOUT,
    LOGGER,
    MAX_DOCUMENT_BYTES,
    PRINT_WAIT_TIMEOUT,
)
from .hold import GIB, SIGNAL_HELD_JOBS_CHANGED, HeldJobError, HeldJobProblem

if TYPE_CHECKING:
    from collections.abc import Callable

    from .client import DocumentSource, PrintOptions, PrintResult
    from .coordinator import HPEWSCoordinator
    from .hold import HeldJob, HeldJobs
    from .sources import Document


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A followed print job reached its end."""

    job_id: int
    state: JobState
    name: str | None
    pages: int | None


class PrinterJobs:
    """The print jobs of one printer: those sent, and those held for it."""

    def __init__(self, coordinator: HPEWSCoordinator, held: HeldJobs) -> None:
        """Print with the coordinator's client; keep held jobs in ``held``."""
        self.hass = coordinator.hass
        self.entry = coordinator.config_entry
        self.printer = coordinator.printer
        self._coordinator = coordinator
        self._held = held
        self._listeners: list[Callable[[JobEvent], None]] = []

    # --- jobs sent to the printer ---------------------------------------------------

    async def async_print(
        self, source: DocumentSource, options: PrintOptions, *, wait: bool
    ) -> PrintResult:
        """Print a document; the job is then followed to its end.

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
            self._async_ended(event)
        else:
            self.entry.async_create_background_task(
                self.hass,
                self._async_follow(event),
                f"{DOMAIN} follow job {result.job_id} of {self.entry.title}",
            )
        return result

    async def async_cancel(self, job_id: int) -> None:
        """Cancel a job on the printer (``HPEWSIPPError`` if it cannot be)."""
        await self.printer.cancel_job(job_id)

    @callback
    def async_add_listener(self, listener: Callable[[JobEvent], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when a followed job ends; return how to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

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
                self._async_ended(
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
    def _async_ended(self, event: JobEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- held jobs ------------------------------------------------------------------

    def held(self) -> list[HeldJob]:
        """This printer's held jobs, oldest first."""
        return self._held.jobs(self.entry.entry_id)

    def held_job(self, job_id: str) -> HeldJob | None:
        """One of this printer's held jobs by id."""
        job = self._held.get(job_id)
        return job if job is not None and job.entry_id == self.entry.entry_id else None

    @callback
    def async_add_held_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when held jobs come or go; return how to stop."""
        return async_dispatcher_connect(self.hass, SIGNAL_HELD_JOBS_CHANGED, listener)

    async def async_hold(self, document: Document, options: dict[str, Any]) -> HeldJob:
        """Keep a document for release, for as long as the entry's options say.

        Raises ``HeldJobError`` when it cannot be kept, or could not be printed.
        """
        snapshot = self._coordinator.data
        return await self._held.async_add(
            self.entry.entry_id,
            document,
            options,
            timedelta(
                hours=self.entry.options.get(CONF_HOLD_HOURS, DEFAULT_HOLD_HOURS)
            ),
            self.entry.options.get(CONF_HELD_QUOTA_GIB, DEFAULT_HELD_QUOTA_GIB) * GIB,
            printable=snapshot.ipp.document_formats if snapshot.ipp else (),
        )

    async def async_delete_held(self, job: HeldJob) -> None:
        """Delete a held job without printing it."""
        await self._held.async_remove(job.job_id)

    async def async_release(self, job: HeldJob, options: PrintOptions) -> PrintResult:
        """Print a held job with ``options``; it is deleted once the printer has it.

        A job whose document cannot be read or converted is deleted too; after
        any other failure it waits for release again.

        Raises ``HeldJobError`` (``NOT_FOUND``) when it is gone or being
        released already, else the client's errors.
        """
        if self._held.claim(job.job_id) is None:
            raise HeldJobError(HeldJobProblem.NOT_FOUND, job.job_id)
        try:
            result = await self.async_print(self._held.path(job), options, wait=False)
        except HPEWSDocumentError:
            # The saved document is unusable: keeping the job would not help.
            await self._held.async_remove(job.job_id)
            raise
        finally:
            # Removed below once printed; otherwise back to waiting for release.
            self._held.unclaim(job.job_id)
        await self._held.async_remove(job.job_id)
        return result
