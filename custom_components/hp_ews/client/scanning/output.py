"""Where scanned pages go: temporary files, renamed only when the scan succeeded.

Every file is written under a hidden temporary name in the destination
folder (``.<name>.<random>.part``), so the final names appear only when the
whole scan succeeded, and a rename never crosses file systems. Any failure,
including cancellation, deletes every temporary file (``abort``).

Pages arrive chunk by chunk from the transport's ``sink``; chunks are
gathered up to ``WRITE_BLOCK`` bytes and written in the executor, so the
event loop never blocks on the disk and memory stays at one block per scan.
A PDF gets each page appended when the page is complete (``pdf.PdfWriter``);
JPEG pages are kept as they came.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import functools
import os
import secrets
import threading
from typing import IO, TYPE_CHECKING, Any, Final

from custom_components.hp_ews.client.errors import HPEWSScanError, ScanErrorReason

from .models import ScanFormat, ScanResult, ScanSource
from .pdf import PdfWriter, jpeg_info

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

WRITE_BLOCK: Final = 512 * 1024
MAX_NAME_TRIES: Final = 1000
_SUFFIX: Final = {ScanFormat.PDF: ".pdf", ScanFormat.JPEG: ".jpg"}
_BAD_NAME_CHARS: Final = frozenset('/\\\0:*?"<>|')


def check_name(name: str) -> str:
    """``name`` when it is a plain file base name, else ValueError."""
    if (
        not name
        or name != name.strip()
        or name.startswith(".")
        or any(char in _BAD_NAME_CHARS or ord(char) < 32 for char in name)
        or len(name.encode()) > 200
    ):
        raise ValueError(f"Not a plain file name: {name!r}")
    return name


class ScanOutput:
    """The files of one scan, from the first page to the final rename."""

    def __init__(
        self,
        directory: Path,
        name: str,
        fmt: ScanFormat,
        dpi: int,
        *,
        max_pages: int,
        max_page_bytes: int,
        max_total_bytes: int,
    ) -> None:
        """Describe the output; nothing is touched until ``open``."""
        self.directory = directory
        self.name = check_name(name)
        self.format = fmt
        self.dpi = dpi
        self.max_pages = max_pages
        self.max_page_bytes = max_page_bytes
        self.max_total_bytes = max_total_bytes
        self.pages = 0
        self.received = 0
        self._token = secrets.token_hex(4)
        self._temps: list[Path] = []
        self._page_files: list[Path] = []
        self._pdf_path: Path | None = None
        self._pdf_file: IO[bytes] | None = None
        self._pdf: PdfWriter | None = None
        self._page_path: Path | None = None
        self._page_file: IO[bytes] | None = None
        self._buffer = bytearray()
        self._page_bytes = 0
        # File work runs in the executor; ``abort`` takes the lock, so it
        # waits for a write in flight and no file is created after it.
        self._lock = threading.Lock()
        self._aborted = False

    async def _run(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(self._guarded, func, *args)
        )

    def _guarded(self, func: Callable[..., Any], *args: Any) -> Any:
        with self._lock:
            if self._aborted:
                raise HPEWSScanError("The scan was canceled", ScanErrorReason.CANCELED)
            return func(*args)

    def _temp(self, label: str) -> Path:
        path = self.directory / f".{self.name}.{self._token}.{label}.part"
        self._temps.append(path)
        return path

    async def open(self) -> None:
        """Create the folder if needed and, for a PDF, start the document."""
        await self._run(self._open)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.format is ScanFormat.PDF:
            self._pdf_path = self._temp("pdf")
            self._pdf_file = self._pdf_path.open("xb")
            self._pdf = PdfWriter(self._pdf_file)

    async def sink(self, chunk: bytes) -> None:
        """Take the next chunk of the current page (the transport's sink)."""
        if self._page_file is None:
            if self.pages >= self.max_pages:
                raise HPEWSScanError(
                    f"The scan has more than {self.max_pages} pages",
                    ScanErrorReason.TOO_LARGE,
                )
            self._page_path = self._temp(f"page{self.pages + 1}")
            await self._run(self._open_page, self._page_path)
        self._page_bytes += len(chunk)
        self.received += len(chunk)
        if self.received > self.max_total_bytes:
            raise HPEWSScanError(
                f"The scan is larger than {self.max_total_bytes} bytes",
                ScanErrorReason.TOO_LARGE,
            )
        self._buffer += chunk
        if len(self._buffer) >= WRITE_BLOCK:
            await self._flush()

    def _open_page(self, path: Path) -> None:
        self._page_file = path.open("xb")

    async def _flush(self) -> None:
        assert self._page_file is not None
        data = bytes(self._buffer)
        self._buffer.clear()
        await self._run(self._page_file.write, data)

    async def end_page(self) -> None:
        """The current page is complete: check it, and add it to the PDF."""
        if self._page_file is None or self._page_path is None:
            raise HPEWSScanError(
                "The scanner sent an empty page", ScanErrorReason.FAILED
            )
        await self._flush()
        page_file, page_path = self._page_file, self._page_path
        self._page_file = self._page_path = None
        self._page_bytes = 0
        await self._run(self._finish_page, page_file, page_path)
        self.pages += 1

    def _finish_page(self, page_file: IO[bytes], page_path: Path) -> None:
        page_file.close()
        if self._pdf is not None:
            self._pdf.add_jpeg_page(page_path, self.dpi)
            page_path.unlink()
            self._temps.remove(page_path)
        else:
            with page_path.open("rb") as stream:
                jpeg_info(stream)  # refuse a page that is no JPEG
            self._page_files.append(page_path)

    async def commit(self, source: ScanSource) -> ScanResult:
        """Close the files and give them their final names."""
        assert self.pages, "the scanners raise NO_PAGES themselves"
        files: tuple[Path, ...] = await self._run(self._commit)
        return ScanResult(
            files=files,
            pages=self.pages,
            format=self.format,
            source=source,
            size=self.size,
        )

    @property
    def size(self) -> int:
        """Bytes in the output files."""
        if self._pdf is not None:
            return self._pdf.size
        return self.received

    def _commit(self) -> tuple[Path, ...]:
        suffix = _SUFFIX[self.format]
        if self._pdf is not None and self._pdf_file is not None:
            self._pdf.close()
            self._pdf_file.close()
            self._pdf_file = None
            temps = [self._pdf_path]
        else:
            temps = list(self._page_files)
        for attempt in range(1, MAX_NAME_TRIES + 1):
            base = self.name if attempt == 1 else f"{self.name} ({attempt})"
            if self._pdf is not None:
                targets = [self.directory / f"{base}{suffix}"]
            else:
                targets = [
                    self.directory / f"{base}-{index}{suffix}"
                    for index in range(1, len(temps) + 1)
                ]
            if self._claim(temps, targets):
                self._temps.clear()
                return tuple(targets)
        raise HPEWSScanError(
            f"No free file name for {self.name!r}", ScanErrorReason.FAILED
        )

    @staticmethod
    def _claim(temps: list[Path | None], targets: list[Path]) -> bool:
        """Rename every temp to its target, none overwriting; all or nothing."""
        if any(target.exists() for target in targets):
            return False
        done: list[Path] = []
        for temp, target in zip(temps, targets, strict=True):
            assert temp is not None
            try:
                # A hard link fails when the name is taken: never overwrites.
                os.link(temp, target)
            except FileExistsError:
                for path in done:
                    path.unlink(missing_ok=True)
                return False
            except OSError:
                # No hard links here (FAT, some network shares): a rename,
                # after the check above.
                temp.replace(target)
            done.append(target)
        for temp in temps:
            assert temp is not None
            temp.unlink(missing_ok=True)
        return True

    def abort(self) -> None:
        """Close and delete every temporary file.

        Synchronous: a few unlinks, and they must happen even while the task
        is being cancelled (it waits for a write in flight, at most one block).
        """
        with self._lock:
            self._aborted = True
            self._close_and_delete()

    def _close_and_delete(self) -> None:
        for handle in (self._page_file, self._pdf_file):
            if handle is not None:
                with suppress(OSError, ValueError):
                    handle.close()
        self._page_file = self._pdf_file = None
        self._buffer.clear()
        for path in list(self._temps):
            with suppress(OSError):
                path.unlink(missing_ok=True)
        self._temps.clear()
