"""Reading a document source, within its bounds, the event loop never blocked.

A source is a file path, an open regular file or an async iterable of bytes
(:data:`DocumentSource`). Its first :data:`~.formats.SNIFF_BYTES` are read
for sniffing; then it is either streamed (:data:`READ_CHUNK` bytes per
executor call) or, for a converter that needs random access (pdfium,
Pillow), handed over as a :class:`Disk`: the file's one open descriptor, or
a stream spooled to an anonymous temporary file.

Files are untrusted: a path is opened once, non-blocking (a FIFO is refused,
not waited on), and everything after reads that descriptor by position
(``os.pread``), so what is converted is what was opened and checked, however
the name changes. ``max_bytes`` is checked from the file's size when it is
opened, and for a stream while it is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
import contextlib
from dataclasses import dataclass
import io
import os
from pathlib import Path
import stat
import tempfile
from typing import TYPE_CHECKING, Any, BinaryIO, Final, TextIO, cast

from custom_components.hp_ews.client.errors import HPEWSDocumentError

from .formats import SNIFF_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable

READ_CHUNK: Final = 1024 * 1024
"""Bytes read from a file per executor call when streaming it."""

type DocumentSource = str | os.PathLike[str] | BinaryIO | AsyncIterable[bytes]
"""A file path; an open regular file (read by position from its start, its
own position left alone, not closed: the caller owns it); or an async
iterable of bytes chunks (a download, a stream)."""


async def run_blocking[T](func: Callable[..., T], *args: Any) -> T:
    """Run a blocking call in the executor."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def read_error(name: object, err: OSError) -> HPEWSDocumentError:
    """The library error for a document that could not be read."""
    if isinstance(err, FileNotFoundError):
        return HPEWSDocumentError(f"File not found: {name}")
    return HPEWSDocumentError(f"Cannot read {name}: {err.strerror or err}")


class _PositionalReader(io.RawIOBase):
    """A file descriptor read by position (``os.pread``), up to ``size``.

    Readers of one open file do not move each other, none reads what was
    appended after the size was taken, and closing one leaves the file open.
    """

    def __init__(self, fd: int, size: int) -> None:
        super().__init__()
        self._fd = fd
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}
        self._position = max(0, base[whence] + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._position)
        if wanted <= 0:
            return 0
        data = os.pread(self._fd, wanted, self._position)
        view[: len(data)] = data
        self._position += len(data)
        return len(data)


@dataclass(frozen=True, slots=True)
class Disk:
    """The document on disk, for converters: its one open descriptor.

    Converters never open it again by name, so what they read is what was
    opened (and checked), whatever the name points at by then.
    """

    fd: int
    size: int
    name: str

    def open(self) -> BinaryIO:
        """A new reader from the start (closing it leaves the file open)."""
        return io.BufferedReader(_PositionalReader(self.fd, self.size))

    def open_text(self) -> TextIO:
        """A new text reader: UTF-8 (errors replaced), universal newlines."""
        return io.TextIOWrapper(
            self.open(), encoding="utf-8", errors="replace", newline=None
        )


class Opened:
    """A document source with its first bytes read, for sniffing."""

    def __init__(self, max_bytes: int | None) -> None:
        """Nothing read yet; ``max_bytes`` None for no limit."""
        self.head = b""
        self.max_bytes = max_bytes
        self.total = 0

    def count(self, size: int) -> None:
        """Count bytes read; refuse a document over ``max_bytes``."""
        self.total += size
        if self.max_bytes is not None and self.total > self.max_bytes:
            raise HPEWSDocumentError(
                f"The document is larger than the limit of {self.max_bytes} bytes"
            )

    def stream(self) -> AsyncIterator[bytes]:
        """The document's bytes from its start, in chunks (once)."""
        raise NotImplementedError

    async def disk(self, spool_dir: Path | None) -> Disk:
        """The document on disk; a stream is spooled into ``spool_dir`` first."""
        raise NotImplementedError

    async def close(self) -> None:
        """Release what the source holds."""


def _regular_file_size(fd: int, name: str) -> int:
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        raise HPEWSDocumentError(f"Not a file: {name}")
    if not stat.S_ISREG(info.st_mode):
        raise HPEWSDocumentError(f"Not a regular file: {name}")
    return info.st_size


class _OpenedFile(Opened):
    """A regular file, opened once: everything reads its descriptor by position."""

    def __init__(
        self, path: Path | None, given: BinaryIO | None, max_bytes: int | None
    ) -> None:
        super().__init__(max_bytes)
        self._path = path
        self._given = given
        self._name = str(path) if path is not None else str(getattr(given, "name", ""))
        self._fd: int | None = None
        self._size = 0

    async def open(self) -> None:
        def open_and_read() -> tuple[int, int, bytes]:
            owned = self._path is not None
            try:
                if self._path is not None:
                    # Non-blocking: a FIFO must not hang the open (regular
                    # files do not care).
                    fd = os.open(
                        self._path,
                        os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0),
                    )
                else:
                    assert self._given is not None
                    fd = self._given.fileno()
            except OSError as err:
                raise read_error(self._name, err) from err
            try:
                size = _regular_file_size(fd, self._name)
                head = os.pread(fd, min(SNIFF_BYTES, size), 0)
            except BaseException as err:
                if owned:
                    os.close(fd)
                if isinstance(err, OSError):
                    raise read_error(self._name, err) from err
                raise
            return fd, size, head

        self._fd, self._size, self.head = await run_blocking(open_and_read)
        if self.max_bytes is not None and self._size > self.max_bytes:
            # Known now: refused before a job is created, not halfway through.
            raise HPEWSDocumentError(
                f"The document is larger than the limit of {self.max_bytes} bytes"
            )

    async def stream(self) -> AsyncIterator[bytes]:
        fd = self._fd
        assert fd is not None
        position = 0
        while position < self._size:
            want = min(READ_CHUNK, self._size - position)
            try:
                chunk = await run_blocking(os.pread, fd, want, position)
            except OSError as err:
                raise read_error(self._name, err) from err
            if not chunk:
                return  # the file shrank
            position += len(chunk)
            self.count(len(chunk))
            yield chunk

    async def disk(self, spool_dir: Path | None) -> Disk:
        del spool_dir  # already on disk
        assert self._fd is not None
        self.count(self._size)
        return Disk(self._fd, self._size, self._name)

    async def close(self) -> None:
        if self._fd is not None and self._path is not None:
            os.close(self._fd)
        self._fd = None


class _OpenedStream(Opened):
    def __init__(self, source: AsyncIterable[bytes], max_bytes: int | None) -> None:
        super().__init__(max_bytes)
        self._iterator = aiter(source)
        self._spooled: BinaryIO | None = None

    async def open(self) -> None:
        head = bytearray()
        while len(head) < SNIFF_BYTES:
            chunk = await anext(self._iterator, None)
            if chunk is None:
                break
            head += chunk
        self.head = bytes(head)

    async def stream(self) -> AsyncIterator[bytes]:
        if self.head:
            self.count(len(self.head))
            yield self.head
        async for chunk in self._iterator:
            if chunk:
                self.count(len(chunk))
                yield bytes(chunk)

    async def disk(self, spool_dir: Path | None) -> Disk:
        try:
            # Removed from the folder at once: it lives as long as it is open.
            handle = self._spooled = await run_blocking(
                lambda: tempfile.TemporaryFile(  # noqa: SIM115 - closed in close()
                    prefix="hp_ews-", dir=spool_dir
                )
            )
            # Keep the written chunks small in memory: one at a time.
            async for chunk in self.stream():
                await run_blocking(handle.write, chunk)
            await run_blocking(handle.flush)
        except OSError as err:
            raise HPEWSDocumentError(f"Cannot spool the document: {err}") from err
        return Disk(handle.fileno(), self.total, "the spooled document")

    async def close(self) -> None:
        if self._spooled is not None:
            spooled, self._spooled = self._spooled, None
            await run_blocking(spooled.close)
        closer = getattr(self._iterator, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()


async def open_source(source: DocumentSource, max_bytes: int | None) -> Opened:
    """Open a source and read its head; close the result when done.

    Raises:
        HPEWSDocumentError: missing, unreadable, not a regular file, or (a
            file) larger than ``max_bytes``.
    """
    opened: _OpenedFile | _OpenedStream
    if isinstance(source, (str, os.PathLike)):
        opened = _OpenedFile(Path(source), None, max_bytes)
    elif isinstance(source, io.IOBase):
        opened = _OpenedFile(None, cast("BinaryIO", source), max_bytes)
    else:
        opened = _OpenedStream(cast("AsyncIterable[bytes]", source), max_bytes)
    try:
        await opened.open()
    except BaseException:
        await opened.close()
        raise
    return opened
