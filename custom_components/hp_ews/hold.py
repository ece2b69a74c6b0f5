"""Held jobs: pull printing kept in Home Assistant until released.

HP printers implement neither IPP Hold-Job nor Release-Job, so a held job is
the document itself, saved under the configuration directory, with its print
options in a Store: it survives a restart, is released (printed) by an
action, and is deleted when it expires.

The documents are bounded while they are written, not after: by the size of
one document, by a quota on all held jobs of all printers together (each
printer's option, checked against the total), and by the free space of the
disk, which is checked before anything is written and must keep
``max(MIN_FREE_BYTES, MIN_FREE_SHARE)`` of the disk free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import os
from pathlib import Path
import secrets
from shutil import disk_usage
from typing import TYPE_CHECKING, Any, Final, TypedDict

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .client import (
    SNIFF_BYTES,
    HPEWSUnsupportedFormatError,
    choose_format,
    sniff_format,
)
from .const import DOMAIN, LOGGER, MAX_DOCUMENT_BYTES, MAX_HELD_JOBS

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Sequence
    from datetime import datetime, timedelta
    from typing import BinaryIO

    from .sources import Document

DATA_HELD_JOBS: HassKey[HeldJobs] = HassKey(f"{DOMAIN}_held_jobs")
SIGNAL_HELD_JOBS_CHANGED: Final = f"{DOMAIN}_held_jobs_changed"
STORAGE_KEY: Final = f"{DOMAIN}.held_jobs"
STORAGE_VERSION: Final = 1
DIRECTORY: Final = "hp_ews_held"
"""Folder under ``.storage`` holding the documents."""
WRITE_BATCH: Final = 1024 * 1024
"""Bytes of a download gathered (or of a file read) for one write in the executor."""
MIB: Final = 1024 * 1024
GIB: Final = 1024 * MIB
MIN_FREE_BYTES: Final = 256 * MIB
MIN_FREE_SHARE: Final = 0.05
"""Held documents leave this share of the disk, and at least MIN_FREE_BYTES, free."""


def _size(size: int) -> str:
    return f"{size / GIB:.1f} GiB" if size >= GIB else f"{max(1, size // MIB)} MiB"


class StoredJob(TypedDict):
    """A held job as the Store keeps it."""

    job_id: str
    entry_id: str
    name: str
    document_format: str
    size: int
    created: str
    expires: str
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HeldJob:
    """A document waiting to be released to a printer."""

    job_id: str
    entry_id: str
    name: str
    document_format: str
    size: int
    created: datetime
    expires: datetime
    options: dict[str, Any] = field(default_factory=dict)
    """The print action's options, as given (JSON-safe)."""

    def to_stored(self) -> StoredJob:
        """Represent the job for the Store."""
        return StoredJob(
            job_id=self.job_id,
            entry_id=self.entry_id,
            name=self.name,
            document_format=self.document_format,
            size=self.size,
            created=self.created.isoformat(),
            expires=self.expires.isoformat(),
            options=self.options,
        )

    @classmethod
    def from_stored(cls, data: StoredJob) -> HeldJob | None:
        """Read a stored job; None if the record is unusable."""
        try:
            created = dt_util.parse_datetime(data["created"])
            expires = dt_util.parse_datetime(data["expires"])
            if created is None or expires is None or not _valid_id(data["job_id"]):
                return None
            return cls(
                job_id=data["job_id"],
                entry_id=str(data["entry_id"]),
                name=str(data["name"]),
                document_format=str(data["document_format"]),
                size=int(data["size"]),
                created=created,
                expires=expires,
                options=dict(data["options"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def _valid_id(job_id: object) -> bool:
    # Ids name files: only what new_job_id makes is accepted from the Store.
    return (
        isinstance(job_id, str)
        and job_id.startswith("held-")
        and job_id[5:].isascii()
        and job_id[5:].isalnum()
    )


def _printable(document_format: str, printable: Sequence[str]) -> bool:
    """Whether a document of this format can be printed (True when unknown)."""
    if not printable:
        return True
    try:
        choose_format(document_format, printable)
    except HPEWSUnsupportedFormatError:
        return False
    return True


def new_job_id() -> str:
    """Return an id no printer job has (printer ids are numbers)."""
    return f"held-{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What one held document may take, fixed when it starts being written."""

    quota: int
    """Bytes all held jobs may take together."""
    space: int
    """Bytes of the disk this document may take."""
    reserve: int
    """Bytes of the disk kept free."""


class HeldJobProblem(StrEnum):
    """Why a document is not held, or a held job not released."""

    TOO_MANY_JOBS = "too_many_jobs"
    """``detail``: the most held jobs kept."""
    QUOTA_EXCEEDED = "quota_exceeded"
    """``detail``: what all held jobs may take together ("2.0 GiB")."""
    NO_SPACE = "no_space"
    """``detail``: the disk space kept free ("256 MiB")."""
    TOO_LARGE = "too_large"
    """``detail``: the largest document held ("512 MiB")."""
    UNSUPPORTED_FORMAT = "unsupported_format"
    """``detail``: the document's format, "unknown" when it has none we know."""
    NOT_FOUND = "not_found"
    """``detail``: the job id; no such held job, or it is being released already."""


class HeldJobError(Exception):
    """A document cannot be held, or a held job cannot be released."""

    def __init__(self, problem: HeldJobProblem, detail: str) -> None:
        """Say what went wrong, and the one value its message shows."""
        super().__init__(f"{problem}: {detail}")
        self.problem = problem
        self.detail = detail


class HeldJobs:
    """Every held job, for all printers."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare the store; call ``async_load`` before use."""
        self.hass = hass
        self.directory = Path(hass.config.path(".storage", DIRECTORY))
        self._store: Store[dict[str, list[StoredJob]]] = Store(
            hass, STORAGE_VERSION, STORAGE_KEY
        )
        self._jobs: dict[str, HeldJob] = {}
        self._claimed: set[str] = set()
        self._writing: dict[str, int] = {}
        """Bytes written so far of the documents being held now."""
        self._unsub_timer: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Read the held jobs, drop the broken and the expired."""
        data = await self._store.async_load() or {}
        for record in data.get("jobs", []):
            if (job := HeldJob.from_stored(record)) is not None:
                self._jobs[job.job_id] = job
        present = await self.hass.async_add_executor_job(self._files_on_disk)
        # A record without its file, or a file without a record (a crash
        # mid-write), is of no use.
        lost = [job_id for job_id in self._jobs if job_id not in present]
        for job_id in lost:
            LOGGER.warning("Held job %s lost its document; deleting it", job_id)
            del self._jobs[job_id]
        orphans = [name for name in present if name not in self._jobs]
        if orphans:
            await self.hass.async_add_executor_job(self._delete_files, orphans)
        if lost or len(self._jobs) != len(data.get("jobs", [])):
            await self._async_save()
        await self.async_expire()
        self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop)

    def _files_on_disk(self) -> set[str]:
        if not self.directory.is_dir():
            return set()
        return {path.name for path in self.directory.iterdir() if path.is_file()}

    def _delete_files(self, names: list[str]) -> None:
        for name in names:
            (self.directory / name).unlink(missing_ok=True)

    @callback
    def _async_stop(self, _event: Event) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    # --- queries -------------------------------------------------------------------

    def jobs(self, entry_id: str | None = None) -> list[HeldJob]:
        """Held jobs, oldest first, of one printer or all."""
        return sorted(
            (j for j in self._jobs.values() if entry_id in (None, j.entry_id)),
            key=lambda job: (job.created, job.job_id),
        )

    def get(self, job_id: str) -> HeldJob | None:
        """A held job by id."""
        return self._jobs.get(job_id)

    def path(self, job: HeldJob) -> Path:
        """Where the job's document is."""
        return self.directory / job.job_id

    # --- changes ---------------------------------------------------------------------

    def held_bytes(self) -> int:
        """Bytes of every held job, and of those being written now."""
        return sum(job.size for job in self._jobs.values()) + sum(
            self._writing.values()
        )

    async def async_add(
        self,
        entry_id: str,
        document: Document,
        options: dict[str, Any],
        hold_for: timedelta,
        quota: int,
        *,
        printable: Sequence[str] = (),
    ) -> HeldJob:
        """Save a document as a held job.

        ``quota`` is the most all held jobs (of every printer) may take
        together, this one included. ``printable`` are the formats the
        printer takes, when known: a document that cannot be sent as one of
        them is refused now rather than at its release.

        Raises:
            HeldJobError: too many held jobs, over the quota, not enough free
                disk space, the document is too large or of no format we can
                print.
        """
        if len(self._jobs) + len(self._claimed) >= MAX_HELD_JOBS:
            raise HeldJobError(HeldJobProblem.TOO_MANY_JOBS, str(MAX_HELD_JOBS))
        known = document.size or 0
        if self.held_bytes() + max(known, 1) > quota:
            raise HeldJobError(HeldJobProblem.QUOTA_EXCEEDED, _size(quota))
        usage = await self.hass.async_add_executor_job(self._disk_usage)
        reserve = max(MIN_FREE_BYTES, int(usage.total * MIN_FREE_SHARE))
        # Others being written will take their share of what is free now.
        space = usage.free - reserve - sum(self._writing.values())
        if known >= space:
            raise HeldJobError(HeldJobProblem.NO_SPACE, _size(reserve))
        job_id = new_job_id()
        # Reserve the slot while the document is being written.
        self._claimed.add(job_id)
        self._writing[job_id] = 0
        try:
            size, head = await self._async_write(
                job_id, document, _Bounds(quota, space, reserve)
            )
        finally:
            self._claimed.discard(job_id)
            self._writing.pop(job_id, None)
        document_format = sniff_format(head)
        if document_format is None or not _printable(document_format, printable):
            await self.hass.async_add_executor_job(self._delete_files, [job_id])
            raise HeldJobError(
                HeldJobProblem.UNSUPPORTED_FORMAT, document_format or "unknown"
            )
        now = dt_util.utcnow()
        job = HeldJob(
            job_id=job_id,
            entry_id=entry_id,
            name=str(options.get("job_name") or document.name),
            document_format=document_format,
            size=size,
            created=now,
            expires=now + hold_for,
            options=options,
        )
        self._jobs[job_id] = job
        await self._async_changed()
        return job

    def _disk_usage(self) -> Any:
        """Usage of the disk the documents go to (their folder may not exist yet)."""
        folder = self.directory
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        return disk_usage(folder)

    async def _async_write(
        self, job_id: str, document: Document, bounds: _Bounds
    ) -> tuple[int, bytes]:
        """Copy the document to the held folder; return its size and first bytes."""
        target = self.directory / job_id
        partial = target.with_suffix(".part")
        run = self.hass.async_add_executor_job
        chunks: AsyncIterable[bytes]
        if (file := document.file) is not None:
            chunks = self._async_read_file(file)
        else:
            chunks = document.source  # type: ignore[assignment]
        try:
            handle = await run(self._open_partial, partial)
            try:
                size, head = await self._async_write_chunks(
                    job_id, chunks, handle, bounds
                )
            finally:
                await run(handle.close)
            await run(partial.rename, target)
        except BaseException:
            await run(self._delete_files, [partial.name, target.name])
            raise
        return size, head

    def _open_partial(self, partial: Path) -> BinaryIO:
        self.directory.mkdir(parents=True, exist_ok=True)
        return partial.open("wb")

    async def _async_read_file(self, file: BinaryIO) -> AsyncIterator[bytes]:
        """The open file from its start to its end, however long it has grown."""
        fd = file.fileno()
        offset = 0
        while chunk := await self.hass.async_add_executor_job(
            os.pread, fd, WRITE_BATCH, offset
        ):
            offset += len(chunk)
            yield chunk

    async def _async_write_chunks(
        self,
        job_id: str,
        chunks: AsyncIterable[bytes],
        handle: BinaryIO,
        bounds: _Bounds,
    ) -> tuple[int, bytes]:
        """Write the chunks; every bound is checked before a byte too many is kept."""
        size = 0
        head = b""
        batch = bytearray()
        async for chunk in chunks:
            size += len(chunk)
            self._writing[job_id] = size
            if size > MAX_DOCUMENT_BYTES:
                raise HeldJobError(HeldJobProblem.TOO_LARGE, _size(MAX_DOCUMENT_BYTES))
            if self.held_bytes() > bounds.quota:
                raise HeldJobError(HeldJobProblem.QUOTA_EXCEEDED, _size(bounds.quota))
            if size >= bounds.space:
                raise HeldJobError(HeldJobProblem.NO_SPACE, _size(bounds.reserve))
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            batch += chunk
            if len(batch) >= WRITE_BATCH:
                await self.hass.async_add_executor_job(handle.write, bytes(batch))
                batch.clear()
        if batch:
            await self.hass.async_add_executor_job(handle.write, bytes(batch))
        return size, head

    def claim(self, job_id: str) -> HeldJob | None:
        """Take a job for release; None if it is gone or already taken."""
        if job_id in self._claimed or (job := self._jobs.get(job_id)) is None:
            return None
        self._claimed.add(job_id)
        return job

    def unclaim(self, job_id: str) -> None:
        """Give a job back after a failed release."""
        self._claimed.discard(job_id)
        self._async_schedule()

    async def async_remove(self, *job_ids: str) -> None:
        """Delete held jobs and their documents."""
        removed = [job_id for job_id in job_ids if self._jobs.pop(job_id, None)]
        for job_id in job_ids:
            self._claimed.discard(job_id)
        if removed:
            await self.hass.async_add_executor_job(self._delete_files, removed)
            await self._async_changed()

    async def async_expire(self, now: datetime | None = None) -> None:
        """Delete the jobs whose time is up, then wait for the next one."""
        now = now or dt_util.utcnow()
        expired = [
            job.job_id
            for job in self._jobs.values()
            if job.expires <= now and job.job_id not in self._claimed
        ]
        if expired:
            LOGGER.info("Deleting %s expired held job(s)", len(expired))
            await self.async_remove(*expired)
        else:
            self._async_schedule()

    async def _async_changed(self) -> None:
        await self._async_save()
        self._async_schedule()
        async_dispatcher_send(self.hass, SIGNAL_HELD_JOBS_CHANGED)

    async def _async_save(self) -> None:
        await self._store.async_save({"jobs": [job.to_stored() for job in self.jobs()]})

    @callback
    def _async_schedule(self) -> None:
        """Wake up when the next job expires (no timer while none is held)."""
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        # A job being released expires after its release, not during it.
        waiting = [
            j.expires for j in self._jobs.values() if j.job_id not in self._claimed
        ]
        if not waiting:
            return
        first = min(waiting)
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass, self._async_timer, first
        )

    async def _async_timer(self, now: datetime) -> None:
        self._unsub_timer = None
        await self.async_expire(now)


async def async_setup_held_jobs(hass: HomeAssistant) -> HeldJobs:
    """Load the held jobs and delete the ones that expired while stopped."""
    held = hass.data[DATA_HELD_JOBS] = HeldJobs(hass)
    await held.async_load()
    return held
