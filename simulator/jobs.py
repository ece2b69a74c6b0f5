"""Received print jobs: stored on disk, printed one at a time.

Documents are streamed to a temporary directory of the printer (never held
whole in memory) up to a size cap; bytes beyond the cap are counted, not
kept. Printing takes ``page_seconds`` per page, stops while a blocking
condition (jam, door, paper, missing supply) is active, consumes supplies and
increments the page counters.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
import shutil
import tempfile
import time
from typing import IO, TYPE_CHECKING, Any, Final

from ._aio import cancel_and_wait
from .documents import count_pages, detect_format

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .state import PrinterState

MAX_DOCUMENT_BYTES: Final = 512 * 1024 * 1024
"""Bytes of one document kept on disk; the rest is counted only."""
MAX_KEPT_JOBS: Final = 100
"""Finished jobs kept for inspection; older ones are forgotten."""
_SNIFF_BYTES: Final = 4096
_WRITE_BATCH: Final = 1024 * 1024


class JobState(IntEnum):
    """IPP job-state values (RFC 8011 §5.3.7)."""

    PENDING = 3
    PENDING_HELD = 4
    PROCESSING = 5
    PROCESSING_STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9

    @property
    def keyword(self) -> str:
        """IPP keyword, e.g. ``processing-stopped``."""
        return self.name.lower().replace("_", "-")

    @property
    def terminal(self) -> bool:
        """The job will not change any more."""
        return self >= JobState.CANCELED


@dataclass(slots=True)
class Job:
    """One print job as the printer keeps it."""

    id: int
    source: str
    """``ipp`` or ``raw``."""
    name: str = "Untitled"
    user: str = "anonymous"
    document_format: str = "application/octet-stream"
    """As the client declared it."""
    detected_format: str | None = None
    """What the bytes are (magic-byte detection)."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Operation and job attributes as received, JSON-friendly."""
    state: JobState = JobState.PENDING
    state_reasons: list[str] = field(default_factory=lambda: ["job-incoming"])
    path: Path | None = None
    size: int = 0
    """Bytes received (may exceed what is stored)."""
    stored: int = 0
    pages: int = 0
    copies: int = 1
    color: bool = True
    duplex: bool = False
    impressions_completed: int = 0
    created: float = field(default_factory=time.time)
    processing_started: float | None = None
    completed: float | None = None
    has_document: bool = False

    @property
    def truncated(self) -> bool:
        """More bytes arrived than were kept."""
        return self.stored < self.size

    def document(self) -> bytes:
        """The stored document bytes (tests; small documents)."""
        return b"" if self.path is None else self.path.read_bytes()

    def to_json(self) -> dict[str, Any]:
        """The ``/_sim/jobs`` entry."""
        return {
            "id": self.id,
            "source": self.source,
            "name": self.name,
            "user": self.user,
            "document_format": self.document_format,
            "detected_format": self.detected_format,
            "state": self.state.keyword,
            "state_reasons": list(self.state_reasons),
            "bytes": self.size,
            "stored_bytes": self.stored,
            "truncated": self.truncated,
            "pages": self.pages,
            "copies": self.copies,
            "color": self.color,
            "duplex": self.duplex,
            "impressions_completed": self.impressions_completed,
            "created": self.created,
            "completed": self.completed,
            "attributes": self.attributes,
        }


class JobManager:
    """The printer's job list and its print engine."""

    def __init__(
        self,
        state: PrinterState,
        *,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        keep_documents: bool = True,
    ) -> None:
        """Jobs of the printer whose state is ``state``."""
        self.state = state
        self.max_document_bytes = max_document_bytes if keep_documents else 0
        self.jobs: dict[int, Job] = {}
        self._next_id = 1
        self._queue: list[Job] = []
        self._directory: Path | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        state.add_listener(self._changed.set)

    # --- bookkeeping --------------------------------------------------------

    def new_job(self, source: str, **fields: Any) -> Job:
        """Create a job (not yet queued for printing)."""
        job = Job(self._next_id, source, **fields)
        self._next_id += 1
        self.jobs[job.id] = job
        self._forget_old()
        return job

    def _forget_old(self) -> None:
        finished = [j for j in self.jobs.values() if j.state.terminal]
        for job in finished[: max(0, len(finished) - MAX_KEPT_JOBS)]:
            del self.jobs[job.id]
            if job.path is not None:
                job.path.unlink(missing_ok=True)

    @property
    def active(self) -> list[Job]:
        """Jobs not finished yet, oldest first."""
        return [j for j in self.jobs.values() if not j.state.terminal]

    def _file_for(self, job: Job) -> Path:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="hp-ews-sim-"))
        return self._directory / f"job-{job.id}.bin"

    # --- receiving ------------------------------------------------------------

    async def receive(self, job: Job, first: bytes, rest: AsyncIterator[bytes]) -> None:
        """Store a document: ``first`` (already read) then the rest of the stream."""
        job.has_document = True
        head = bytearray(first[:_SNIFF_BYTES])
        path = self._file_for(job)
        job.path = path
        file: IO[bytes] = await asyncio.to_thread(path.open, "wb")
        batch = bytearray()
        try:
            async for chunk in _achain(first, rest):
                job.size += len(chunk)
                if len(head) < _SNIFF_BYTES:
                    head += chunk[: _SNIFF_BYTES - len(head)]
                room = self.max_document_bytes - job.stored
                if room > 0:
                    kept = chunk[:room]
                    batch += kept
                    job.stored += len(kept)
                if len(batch) >= _WRITE_BATCH:
                    await asyncio.to_thread(file.write, bytes(batch))
                    batch.clear()
            if batch:
                await asyncio.to_thread(file.write, bytes(batch))
        finally:
            await asyncio.to_thread(file.close)
        job.detected_format = detect_format(bytes(head))
        if job.stored == job.size and job.size:
            job.pages = await asyncio.to_thread(count_pages, path, job.detected_format)
        else:
            job.pages = 1 if job.size else 0

    # --- printing -------------------------------------------------------------

    def enqueue(self, job: Job) -> None:
        """Queue a received job for printing (aborted once the printer is off)."""
        if self._closed:
            self.abort(job, "aborted-by-system")
            return
        job.state = JobState.PENDING
        job.state_reasons = ["none"]
        self._queue.append(job)
        self._idle.clear()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(
                self._print_all(), name=f"hp-ews-sim-jobs-{id(self)}"
            )

    def abort(self, job: Job, reason: str) -> None:
        """End a job without printing it."""
        self._finish(job, JobState.ABORTED, reason)

    def cancel(self, job: Job) -> bool:
        """Cancel a job; False when it has already finished."""
        if job.state.terminal:
            return False
        if job in self._queue:
            self._queue.remove(job)
        self._finish(job, JobState.CANCELED, "job-canceled-by-user")
        self._changed.set()
        return True

    def _finish(self, job: Job, state: JobState, reason: str) -> None:
        job.state = state
        job.state_reasons = [reason]
        job.completed = time.time()

    async def wait_idle(self) -> None:
        """Wait until every queued job has finished."""
        await self._idle.wait()

    async def _print_all(self) -> None:
        try:
            while self._queue:
                job = self._queue.pop(0)
                await self._print(job)
        finally:
            self.state.printing = 0
            self.state.changed()
            if not self._queue:
                self._idle.set()

    async def _print(self, job: Job) -> None:
        state = self.state
        job.processing_started = time.time()
        impressions = job.pages * job.copies
        while job.impressions_completed < impressions:
            if job.state.terminal:
                return
            if state.blocked:
                if job.state != JobState.PROCESSING_STOPPED:
                    job.state = JobState.PROCESSING_STOPPED
                    job.state_reasons = ["printer-stopped"]
                    state.printing = 0
                    state.changed()
                self._changed.clear()
                await self._changed.wait()
                continue
            if job.state != JobState.PROCESSING:
                job.state = JobState.PROCESSING
                job.state_reasons = ["job-printing"]
                state.power_save = False
                state.printing = 1
                state.changed()
            await asyncio.sleep(state.page_seconds)
            if job.state.terminal:
                return
            self._print_page(job)
        self._finish(job, JobState.COMPLETED, "job-completed-successfully")
        state.changed()

    def _print_page(self, job: Job) -> None:
        state = self.state
        job.impressions_completed += 1
        color = job.color and state.profile.color
        for spec in state.profile.supplies:
            level = state.levels.get(spec.key)
            uses = color or spec.used_by_mono
            if level is None or not uses or spec.key in state.missing:
                continue
            state.levels[spec.key] = max(0.0, level - state.percent_per_page)
        counters = state.counters
        for name, applies in (
            ("total_pages", True),
            ("color_pages", color),
            ("monochrome_pages", not color),
            ("duplex_sheets", job.duplex and job.impressions_completed % 2 == 1),
        ):
            value = counters.get(name)
            if applies and value is not None:
                counters[name] = value + 1
        state.changed()

    # --- lifecycle --------------------------------------------------------------

    def clear(self) -> None:
        """Forget every job (control API reset)."""
        for job in self.jobs.values():
            if not job.state.terminal:
                self._finish(job, JobState.CANCELED, "job-canceled-at-device")
        self._queue.clear()
        self.jobs.clear()
        self._changed.set()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    async def close(self) -> None:
        """Stop printing for good and delete stored documents."""
        self._closed = True
        worker, self._worker = self._worker, None
        try:
            if worker is not None:
                await cancel_and_wait(worker)
        finally:
            self.clear()

    def reopen(self) -> None:
        """Accept jobs again after :meth:`close` (printer restarted)."""
        self._closed = False


async def _achain(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        if chunk:
            yield chunk
