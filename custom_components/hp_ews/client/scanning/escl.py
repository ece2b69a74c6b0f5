"""Scanning over eSCL: create a job, fetch its pages, delete it on failure.

``POST {root}/ScanJobs`` answers 201 with the job's ``Location``; only its
path is used, on the printer's own origin (some HP firmware names another
host in it, e.g. ``localhost``). Then ``GET {job}/NextDocument`` again and
again: 200 is a page (streamed to the output), 503 means not ready yet
(retried every ``common.RETRY_DELAY`` s, at most ``common.MAX_NOT_READY``
times in a row), 404 or 410 that there are no more pages. On the glass a
job is one page. A job that fails or is cancelled is deleted (``DELETE
{job}``) so the scanner is free again. 409 (or 503) creating the job means
busy, unless ``ScannerStatus`` names the trouble; an empty feeder, a jam or
an open cover come from it.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import logging
import re
from typing import TYPE_CHECKING, Final

from yarl import URL

from custom_components.hp_ews.client.errors import (
    HPEWSError,
    HPEWSScanError,
    ScanErrorReason,
)
from custom_components.hp_ews.client.protocols import escl

from . import common
from .common import scan_error, unsupported
from .models import (
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanOptions,
    ScanSource,
)

if TYPE_CHECKING:
    from custom_components.hp_ews.client.transport import PrinterTransport

    from .output import ScanOutput

_LOGGER = logging.getLogger(__name__)

_JOB_PATH: Final = re.compile(r"(?i)^(/[^/?#]+)*/ScanJobs/[^/?#]+$")


class EsclScanner:
    """A scanner that speaks eSCL at ``root`` (e.g. ``http://host/eSCL``)."""

    def __init__(
        self, transport: PrinterTransport, root: str, caps: escl.EsclCapabilities
    ) -> None:
        """Use the capabilities read at ``root``."""
        self._transport = transport
        self.root = root.rstrip("/")
        self.caps = caps

    def capabilities(self) -> ScannerCapabilities:
        """What the scanner offers (read once, when it was found)."""
        return self.caps.public()

    async def _status(self) -> escl.EsclStatus:
        response = await self._transport.get(self.root + escl.STATUS)
        if response is None:
            return escl.EsclStatus(ScannerState.UNKNOWN, None)
        return escl.parse_status(response.body)

    async def status(self) -> ScannerStatus:
        """``ScannerStatus`` now (one GET)."""
        return (await self._status()).public()

    def _source_caps(self, source: ScanSource, options: ScanOptions) -> escl.EsclSource:
        duplex = options.duplex and source is ScanSource.FEEDER
        caps = self.caps.source(source, duplex=duplex)
        if caps is None:
            what = "duplex feeder" if duplex else source.value
            raise unsupported(f"The scanner has no {what}")
        if options.color_mode not in caps.color_modes:
            raise unsupported(
                f"The {source.value} does not scan in {options.color_mode.value}"
            )
        if caps.resolutions and options.resolution not in caps.resolutions:
            raise unsupported(
                f"The {source.value} does not scan at {options.resolution} dpi"
                f" (it offers {', '.join(map(str, caps.resolutions))})"
            )
        if escl.JPEG not in caps.formats:
            raise unsupported(f"The {source.value} does not deliver JPEG pages")
        return caps

    async def scan(self, options: ScanOptions, output: ScanOutput) -> ScanSource:
        """Scan into ``output``; returns the source used.

        Raises:
            HPEWSScanError: busy, empty feeder, jam, open cover, no pages,
                an option the scanner does not offer, or a failed job.
            HPEWSConnectionError: the printer went away.
        """
        source = options.source
        status: escl.EsclStatus | None = None
        if source is not ScanSource.GLASS and self.caps.feeder is not None:
            status = await self._status()
        if source is ScanSource.AUTO:
            loaded = status is not None and status.adf_loaded
            source = (
                ScanSource.FEEDER
                if loaded or self.caps.platen is None
                else ScanSource.GLASS
            )
        caps = self._source_caps(source, options)
        if status is not None and source is ScanSource.FEEDER:
            if (problem := status.problem()) is not None:
                raise scan_error(problem)
            if status.state is ScannerState.PROCESSING:
                raise scan_error(ScanErrorReason.BUSY)
        feeder = source is ScanSource.FEEDER
        settings = escl.scan_settings(
            self.caps,
            caps,
            feeder=feeder,
            duplex=options.duplex and feeder,
            color_mode=options.color_mode,
            resolution=options.resolution,
            document_format=escl.JPEG,
        )
        response = await self._transport.exchange(
            "POST",
            self.root + escl.SCAN_JOBS,
            body=settings,
            content_type="text/xml",
        )
        if response.status in (409, 503):
            # Refused: busy, unless the scanner names its trouble (a jam, a cover).
            raise await self._failure("busy", empty=feeder, busy=True)
        location = response.header("Location")
        if response.status not in (200, 201) or not location:
            raise await self._failure(
                f"creating the scan job was answered {response.status}"
            )
        job = self._job_url(location)
        try:
            await self._fetch_pages(job, output, one_page=not feeder)
        except BaseException:
            await self._delete(job)
            raise
        if output.pages == 0:
            raise await self._failure("the job ended without a page", empty=True)
        if feeder:
            # A jam ends the job early like a last page does: ask.
            after = await self._status()
            if (problem := after.problem(empty=False)) is not None:
                raise scan_error(problem)
        return source

    def _job_url(self, location: str) -> str:
        try:
            path = URL(self.root + "/").join(URL(location)).path
        except ValueError as err:
            raise HPEWSScanError(
                f"Bad scan job location: {err}", ScanErrorReason.FAILED
            ) from err
        if not _JOB_PATH.match(path):
            raise HPEWSScanError(
                "The scan job location is not a scan job", ScanErrorReason.FAILED
            )
        return str(URL(self.root).with_path(path))

    async def _fetch_pages(
        self, job: str, output: ScanOutput, *, one_page: bool
    ) -> None:
        not_ready = 0
        while True:
            response = await common.fetch_page(
                self._transport, job + escl.NEXT_DOCUMENT, output
            )
            status = response.status
            if 200 <= status < 300:
                await output.end_page()
                not_ready = 0
                if one_page:
                    return
            elif status == 503:
                not_ready += 1
                if not_ready > common.MAX_NOT_READY:
                    raise HPEWSScanError(
                        "The scanner did not deliver the next page in time",
                        ScanErrorReason.FAILED,
                    )
                await asyncio.sleep(common.RETRY_DELAY)
            elif status in (404, 410):
                return
            else:
                raise await self._failure(f"a page request was answered {status}")

    async def _failure(
        self, what: str, *, empty: bool = False, busy: bool = False
    ) -> HPEWSScanError:
        """The error for a failed job: the scanner's own trouble if it names one."""
        with suppress(HPEWSError):
            if (problem := (await self._status()).problem(empty=empty)) is not None:
                return scan_error(problem)
        if busy:
            return scan_error(ScanErrorReason.BUSY)
        if empty:
            return scan_error(ScanErrorReason.NO_PAGES)
        return HPEWSScanError(f"Scan failed: {what}", ScanErrorReason.FAILED)

    async def _delete(self, job: str) -> None:
        """Delete the job, best effort: the scan has failed anyway."""
        try:
            async with asyncio.timeout(common.CANCEL_TIMEOUT):
                await self._transport.exchange("DELETE", job)
        except (HPEWSError, TimeoutError) as err:
            _LOGGER.debug("Could not delete scan job: %s", err)
