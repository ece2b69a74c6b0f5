"""Running blocking converters: in the executor, timed, memory errors mapped.

pdfium and Pillow block, so converter code runs only in the executor. A
document has a budget of converting time (``convert.RENDER_SECONDS``; the
time the printer takes to read what was converted does not count); running
out of memory in a converter raises ``HPEWSOutOfMemoryError``. A converter
that yields chunks is a blocking generator, stepped one chunk per executor
call (:func:`pump`), so only one chunk is alive at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentLimitError,
    HPEWSOutOfMemoryError,
)
from custom_components.hp_ews.client.printing.spool import run_blocking

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator


class RenderClock:
    """Time one document has spent converting, against its budget.

    Only the time inside converter calls counts, not the time the printer
    takes to read what was converted.
    """

    def __init__(self, budget: float) -> None:
        """A clock with ``budget`` seconds, none used."""
        self.budget = budget
        self._used = 0.0
        self._since: float | None = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Count the time spent in the block; refuse to start when it is up."""
        self.check()
        with self._lock:
            self._since = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._used += time.monotonic() - self._since
                self._since = None

    def over(self) -> bool:
        """Whether the time is up (also in the middle of a call)."""
        with self._lock:
            used = self._used
            if self._since is not None:
                used += time.monotonic() - self._since
        return used > self.budget

    def check(self) -> None:
        """Raise when the time is up."""
        if self.over():
            raise self.expired()

    def expired(self) -> HPEWSDocumentLimitError:
        """The error for a document whose time is up."""
        return HPEWSDocumentLimitError(
            f"Converting took longer than {self.budget:.0f} seconds",
            DocumentLimit.RENDER_SECONDS,
            int(self.budget),
        )


@contextlib.contextmanager
def converting(clock: RenderClock) -> Iterator[None]:
    """Run converter code: timed, and out of memory as a library error."""
    try:
        with clock.running():
            yield
    except MemoryError as err:
        raise HPEWSOutOfMemoryError(
            "There is not enough memory to convert the document"
        ) from err


async def run_step[T](clock: RenderClock, func: Callable[..., T], *args: Any) -> T:
    """Run a blocking converter step in the executor, timed."""

    def call() -> T:
        with converting(clock):
            return func(*args)

    return await run_blocking(call)


class _Stepper:
    """A blocking generator stepped and closed from executor threads.

    The lock makes ``close`` wait for a running ``step``: a cancelled await
    does not stop the thread, and closing a running generator would fail.
    """

    def __init__(self, chunks: Iterator[bytes], clock: RenderClock) -> None:
        self._chunks = chunks
        self._clock = clock
        self._lock = threading.Lock()

    def step(self) -> bytes | None:
        with self._lock, converting(self._clock):
            return next(self._chunks, None)

    def close(self) -> None:
        with self._lock:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()


async def pump(chunks: Iterator[bytes], clock: RenderClock) -> AsyncIterator[bytes]:
    """Drive a blocking generator in the executor, one chunk per call."""
    loop = asyncio.get_running_loop()
    stepper = _Stepper(chunks, clock)
    try:
        while (chunk := await loop.run_in_executor(None, stepper.step)) is not None:
            yield chunk
    finally:
        await loop.run_in_executor(None, stepper.close)
