"""Document format negotiation and conversion for IPP printing.

A printer lists what it takes in ``document-format-supported``. A document
the printer takes is sent as it is; otherwise it is converted, one page at a
time, to a raster format the printer takes:

=============================  ===========================================
document                       sent as (first the printer takes)
=============================  ===========================================
PDF                            PDF, PWG Raster, URF (rendered by pdfium)
PostScript, PWG Raster, URF    as is only
JPEG                           JPEG, PWG Raster, URF
PNG                            PNG, PWG Raster, URF, JPEG
plain text                     text, PWG Raster, URF (monospace, wrapped)
=============================  ===========================================

Nothing holds a whole document in memory: a file is read in chunks, a stream
is spooled to a temporary file when a converter needs random access (pdfium,
Pillow), and converters produce one page at a time. pdfium and Pillow block,
so they only run in the executor, never on the event loop.

Documents are untrusted, so every bound is checked while reading, before the
work it guards: an image's pixel count from its header before it is decoded
(:data:`MAX_IMAGE_PIXELS`), a page's pixels before it is rendered
(:data:`~.raster.MAX_PAGE_PIXELS`, at most 600 dpi unless the printer lists
nothing lower), the pages selected before the first is rendered
(:data:`MAX_PAGES`), text in pieces of :data:`TEXT_READ_CHARS` characters
however long its lines, and the time spent converting
(:data:`RENDER_SECONDS`). A bound that is hit raises
:class:`~.errors.HPEWSDocumentLimitError`; running out of memory anyway
raises :class:`~.errors.HPEWSOutOfMemoryError`.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
import io
import logging
import os
from pathlib import Path
import re
import stat
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Any, BinaryIO, Final, TextIO, cast

from PIL import ExifTags, Image, ImageDraw, ImageFont

from . import ipp

# Defined with every library error in errors.py; re-exported where they began.
from .errors import (
    DocumentLimit,
    HPEWSDocumentError as HPEWSDocumentError,  # noqa: PLC0414
    HPEWSDocumentLimitError,
    HPEWSOutOfMemoryError,
    HPEWSUnsupportedFormatError as HPEWSUnsupportedFormatError,  # noqa: PLC0414
    PrintOptionError as PrintOptionError,  # noqa: PLC0414
)
from .ipp import codec
from .raster import MAX_PAGE_PIXELS, RasterJob, SheetBack, encode_pwg, encode_urf

if TYPE_CHECKING:
    from collections.abc import Callable

    from .models import IppCapabilities

_LOGGER = logging.getLogger(__name__)

PDF: Final = "application/pdf"
POSTSCRIPT: Final = "application/postscript"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
PWG_RASTER: Final = "image/pwg-raster"
URF: Final = "image/urf"
TEXT: Final = "text/plain"
OCTET_STREAM: Final = "application/octet-stream"

RASTER_FORMATS: Final = (PWG_RASTER, URF)
"""Raster targets in order of preference (PWG is the IPP Everywhere one)."""

READ_CHUNK: Final = 1024 * 1024
"""Bytes read from a file per executor call when streaming it."""
SNIFF_BYTES: Final = 1024
DEFAULT_DPI: Final = 300
MAX_DPI: Final = 600
"""Highest resolution we render at: an A4 sRGB page at 600 dpi is 100 MiB."""
MAX_ONLY_DPI: Final = 1200
"""Highest resolution used when the printer lists none at or below ``MAX_DPI``."""
DEFAULT_MEDIA: Final = "iso_a4_210x297mm"
TEXT_POINT_SIZE: Final = 10
TEXT_MARGIN_INCH: Final = Decimal("0.5")
TEXT_READ_CHARS: Final = 64 * 1024
"""Characters of a text read at once: a line of any length costs no more."""
MAX_PAGES: Final = 5_000
"""Pages converted at most: PDF pages selected, text pages in all."""
MAX_IMAGE_PIXELS: Final = 1 << 26
"""Pixels decoded at most (8192 x 8192, 256 MiB): checked from the header.

Larger JPEGs are decoded at 1/2, 1/4 or 1/8 scale when that is enough for
the page; other images that large are refused. Pillow's global
``Image.MAX_IMAGE_PIXELS`` is left alone: it belongs to every integration.
"""
MAX_JPEG_PIXELS: Final = 1 << 25
"""Pixels of a PNG re-encoded as JPEG: A4 at 600 dpi, more prints no sharper."""
RENDER_SECONDS: Final = 1800.0
"""Time one document may spend converting (not waiting for the printer)."""
_IMAGE_FORMATS: Final = ("PNG", "JPEG")
"""The decoders an image may reach: what sniffing recognised, nothing else."""

MONOCHROME_MODES: Final = frozenset(
    {"monochrome", "process-monochrome", "auto-monochrome", "bi-level"}
)
SIDES: Final = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
QUALITIES: Final = ipp.PRINT_QUALITIES
"""``print-quality`` keywords and their IPP enum values."""
ORIENTATIONS: Final = ipp.ORIENTATIONS
"""``orientation-requested`` keywords and their IPP enum values."""
MEDIA_ALIASES: Final = {
    "a3": "iso_a3_297x420mm",
    "a4": "iso_a4_210x297mm",
    "a5": "iso_a5_148x210mm",
    "a6": "iso_a6_105x148mm",
    "b5": "iso_b5_176x250mm",
    "letter": "na_letter_8.5x11in",
    "legal": "na_legal_8.5x14in",
    "executive": "na_executive_7.25x10.5in",
    "tabloid": "na_ledger_11x17in",
    "4x6": "na_index-4x6_4x6in",
    "5x7": "na_5x7_5x7in",
    "10x15cm": "om_small-photo_100x150mm",
    "hagaki": "jpn_hagaki_100x148mm",
}

# pdfium is not thread-safe: every call into it, from any job, holds this.
_PDFIUM_LOCK: Final = threading.Lock()


# --- options and capabilities ---------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """What the user asked for; None leaves the choice to the printer.

    ``media`` takes a PWG name (``iso_a4_210x297mm``) or a common alias
    (``A4``, ``letter``); ``page_ranges`` is 1-based and inclusive.
    """

    copies: int = 1
    sides: str | None = None
    color_mode: str | None = None
    media: str | None = None
    orientation: str | None = None
    page_ranges: tuple[tuple[int, int], ...] = ()
    quality: str | None = None
    job_name: str | None = None

    def __post_init__(self) -> None:
        """Refuse values the printer would reject anyway."""
        if not 1 <= self.copies <= 999:
            raise PrintOptionError(f"copies must be 1-999, not {self.copies}")
        if self.sides is not None and self.sides not in SIDES:
            raise PrintOptionError(f"Unknown sides: {self.sides}")
        if self.quality is not None and self.quality not in QUALITIES:
            raise PrintOptionError(f"Unknown print-quality: {self.quality}")
        if self.orientation is not None and self.orientation not in ORIENTATIONS:
            raise PrintOptionError(f"Unknown orientation: {self.orientation}")
        if self.color_mode is not None and not re.fullmatch(
            r"[a-z][a-z0-9-]{0,62}", self.color_mode
        ):
            raise PrintOptionError(f"Bad print-color-mode: {self.color_mode}")
        if self.media is not None:
            media_size(self.media)  # raises on a name we cannot size
        previous = 0
        for start, end in self.page_ranges:
            if not 1 <= start <= end or start <= previous:
                raise PrintOptionError(f"Bad page range {start}-{end}")
            previous = end
        if self.job_name is not None and len(self.job_name.encode()) > 255:
            raise PrintOptionError("job-name is longer than 255 bytes")

    @property
    def media_name(self) -> str | None:
        """``media`` as a PWG self-describing name."""
        return None if self.media is None else normalize_media(self.media)

    def wants_color(self) -> bool:
        """False when the user asked for monochrome."""
        return self.color_mode not in MONOCHROME_MODES


def parse_page_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """``"1-3,5,7-"`` → ((1, 3), (5, 5), (7, 2**31-1)), for CLI and UI input."""
    ranges: list[tuple[int, int]] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,9})(?:-(\d{0,9}))?", part)
        if match is None:
            raise PrintOptionError(f"Bad page range: {part!r}")
        start = int(match.group(1))
        if match.group(2) is None:
            end = start
        elif match.group(2) == "":
            end = 2**31 - 1
        else:
            end = int(match.group(2))
        ranges.append((start, end))
    if not ranges:
        raise PrintOptionError("Empty page range")
    return tuple(sorted(ranges))


PRINT_ATTRIBUTES: Final = (
    "document-format-supported",
    "operations-supported",
    "color-supported",
    "print-color-mode-supported",
    "sides-supported",
    "media-default",
    "media-supported",
    "printer-resolution-supported",
    "pwg-raster-document-resolution-supported",
    "pwg-raster-document-type-supported",
    "pwg-raster-document-sheet-back",
    "urf-supported",
    "printer-state",
    "printer-is-accepting-jobs",
)
"""Attributes to ask for in Get-Printer-Attributes."""


@dataclass(frozen=True, slots=True)
class PrintCapabilities:
    """The printer attributes printing needs, from Get-Printer-Attributes."""

    document_formats: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    color_supported: bool = False
    color_modes: tuple[str, ...] = ()
    sides_supported: tuple[str, ...] = ()
    media_default: str | None = None
    media_supported: tuple[str, ...] = ()
    printer_resolutions: tuple[int, ...] = ()
    pwg_raster_resolutions: tuple[int, ...] = ()
    pwg_raster_types: tuple[str, ...] = ()
    pwg_raster_sheet_back: str | None = None
    urf_supported: tuple[str, ...] = ()

    @classmethod
    def from_attributes(cls, printer: codec.IppAttributeGroup) -> PrintCapabilities:
        """From the printer attribute group of a Get-Printer-Attributes response."""

        def strings(name: str) -> tuple[str, ...]:
            return tuple(
                str(value).strip().lower()
                for value in printer.values(name)
                if isinstance(value, str)
            )

        def dpis(name: str) -> tuple[int, ...]:
            return tuple(
                sorted(
                    {
                        value.dpi
                        for value in printer.values(name)
                        if isinstance(value, codec.IppResolution) and value.dpi > 0
                    }
                )
            )

        operations = tuple(
            codec.ipp_operation_name(value)
            for value in printer.values("operations-supported")
            if isinstance(value, int) and not isinstance(value, bool)
        )
        media_default = strings("media-default")
        sheet_back = strings("pwg-raster-document-sheet-back")
        return cls(
            document_formats=strings("document-format-supported"),
            operations=operations,
            color_supported=printer.value("color-supported") is True,
            color_modes=strings("print-color-mode-supported"),
            sides_supported=strings("sides-supported"),
            media_default=media_default[0] if media_default else None,
            media_supported=strings("media-supported"),
            printer_resolutions=dpis("printer-resolution-supported"),
            pwg_raster_resolutions=dpis("pwg-raster-document-resolution-supported"),
            pwg_raster_types=strings("pwg-raster-document-type-supported"),
            pwg_raster_sheet_back=sheet_back[0] if sheet_back else None,
            # URF keywords are upper case (``SRGB24``, ``RS300``).
            urf_supported=tuple(
                str(v).strip().upper()
                for v in printer.values("urf-supported")
                if isinstance(v, str)
            ),
        )

    @classmethod
    def from_model(cls, capabilities: IppCapabilities) -> PrintCapabilities:
        """From the protocol-neutral model (resolution and colour details unknown)."""
        return cls(
            document_formats=tuple(f.lower() for f in capabilities.document_formats),
            operations=capabilities.operations,
            color_supported=capabilities.color_supported,
            sides_supported=capabilities.sides_supported,
            media_supported=capabilities.media_supported,
            printer_resolutions=capabilities.resolutions_dpi,
        )

    def urf_resolutions(self) -> tuple[int, ...]:
        """Resolutions from the URF ``RS`` keyword (``RS300-600``)."""
        for keyword in self.urf_supported:
            if keyword.startswith("RS"):
                try:
                    return tuple(sorted(int(v) for v in keyword[2:].split("-") if v))
                except ValueError:
                    return ()
        return ()


# --- format detection and choice ---------------------------------------------


def normalize_format(document_format: str) -> str:
    """Lower-case MIME type without parameters (``text/plain; charset=utf-8``)."""
    return document_format.split(";", 1)[0].strip().lower()


def sniff_format(head: bytes) -> str | None:
    """Guess a document's MIME type from its first bytes; None when unknown."""
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and b"\0" not in head[:8]):
        return PDF
    if head.startswith((b"%!PS", b"\x04%!PS")):
        return POSTSCRIPT
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"RaS2"):
        return PWG_RASTER
    if head.startswith(b"UNIRAST\x00"):
        return URF
    if head and _looks_like_text(head):
        return TEXT
    return None


def _looks_like_text(head: bytes) -> bool:
    # Strict UTF-8, except that the sniffed head may end inside a character.
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    allowed = {"\t", "\n", "\r", "\f"}
    return all(ch.isprintable() or ch in allowed for ch in text.lstrip("\ufeff"))


class ConversionKind(StrEnum):
    """How a document becomes what the printer takes."""

    PASSTHROUGH = "passthrough"
    PDF_TO_RASTER = "pdf_to_raster"
    IMAGE_TO_RASTER = "image_to_raster"
    IMAGE_TO_JPEG = "image_to_jpeg"
    TEXT_TO_RASTER = "text_to_raster"


@dataclass(frozen=True, slots=True)
class Conversion:
    """The outcome of format negotiation."""

    source_format: str
    document_format: str
    """What is sent to the printer (``document-format``)."""
    kind: ConversionKind

    @property
    def passthrough(self) -> bool:
        """Whether the document is sent byte for byte."""
        return self.kind is ConversionKind.PASSTHROUGH


def choose_format(document_format: str, supported: Sequence[str]) -> Conversion:
    """Pick what to send for a document of ``document_format``.

    Raises:
        HPEWSUnsupportedFormatError: the printer does not take the format and
            no conversion leads to one it takes.
    """
    source = normalize_format(document_format)
    formats = {normalize_format(f) for f in supported}
    if source in formats and source != OCTET_STREAM:
        return Conversion(source, source, ConversionKind.PASSTHROUGH)
    raster = next((f for f in RASTER_FORMATS if f in formats), None)
    if raster is not None:
        kind = {
            PDF: ConversionKind.PDF_TO_RASTER,
            JPEG: ConversionKind.IMAGE_TO_RASTER,
            PNG: ConversionKind.IMAGE_TO_RASTER,
            TEXT: ConversionKind.TEXT_TO_RASTER,
        }.get(source)
        if kind is not None:
            return Conversion(source, raster, kind)
    if source == PNG and JPEG in formats:
        return Conversion(source, JPEG, ConversionKind.IMAGE_TO_JPEG)
    offered = ", ".join(sorted(formats)) or "none"
    raise HPEWSUnsupportedFormatError(
        f"The printer does not take {source} and it cannot be converted to a "
        f"format it takes ({offered})",
        source,
    )


# --- media, resolution, colour ------------------------------------------------

_MEDIA_SIZE = re.compile(r"_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$")


def normalize_media(media: str) -> str:
    """A PWG self-describing media name for a PWG name or a common alias."""
    name = media.strip()
    return MEDIA_ALIASES.get(name.lower(), name)


def media_size(media: str) -> tuple[int, int]:
    """Width and length in hundredths of millimetres (PWG 5101.1 names).

    Raises:
        PrintOptionError: the name has no size in it.
    """
    name = normalize_media(media)
    match = _MEDIA_SIZE.search(name)
    if match is None:
        raise PrintOptionError(f"Unknown media size: {media}")
    unit = Decimal(2540) if match.group(3) == "in" else Decimal(100)
    try:
        width = int((Decimal(match.group(1)) * unit).to_integral_value())
        length = int((Decimal(match.group(2)) * unit).to_integral_value())
    except InvalidOperation as err:  # pragma: no cover - the pattern prevents it
        raise PrintOptionError(f"Unknown media size: {media}") from err
    if not (0 < width <= 1_000_000 and 0 < length <= 10_000_000):
        raise PrintOptionError(f"Unusable media size: {media}")
    return width, length


def _usable_dpis(available: Sequence[int], source_format: str) -> list[int]:
    """The printer's resolutions we render at: up to 600 dpi, else up to 1200."""
    if not available:
        return [DEFAULT_DPI]  # not reported: the PWG and URF baseline
    usable = sorted(d for d in available if 0 < d <= MAX_DPI) or sorted(
        d for d in available if MAX_DPI < d <= MAX_ONLY_DPI
    )
    if not usable:
        raise HPEWSUnsupportedFormatError(
            f"The printer takes raster only at {min(available)} dpi or more; "
            f"pages are rendered at {MAX_ONLY_DPI} dpi at most",
            source_format,
        )
    return usable


def _pick_dpi(
    usable: Sequence[int], quality: str | None, width: int, length: int
) -> int:
    """A resolution from ``usable`` at which a page stays within the pixel cap."""
    if quality == "high":
        wanted = usable[-1]
    else:
        # The lowest at or above 300 dpi: sharp text without 4x the data of 600.
        wanted = next((d for d in usable if d >= DEFAULT_DPI), usable[-1])
    for dpi in sorted((d for d in usable if d <= wanted), reverse=True):
        if (width * dpi // 2540) * (length * dpi // 2540) <= MAX_PAGE_PIXELS:
            return dpi
    raise HPEWSDocumentLimitError(
        f"A page of this media is more than {MAX_PAGE_PIXELS} pixels at "
        f"{usable[0]} dpi, the printer's lowest resolution",
        DocumentLimit.PAGE_PIXELS,
        MAX_PAGE_PIXELS,
    )


def raster_job(
    conversion: Conversion,
    capabilities: PrintCapabilities,
    options: PrintOptions,
    total_pages: int,
) -> RasterJob:
    """Raster settings for a converted document, from what the printer offers."""
    urf = conversion.document_format == URF
    if urf:
        resolutions = capabilities.urf_resolutions() or capabilities.printer_resolutions
        color_ok = any(k.startswith("SRGB24") for k in capabilities.urf_supported)
        gray_ok = any(k.startswith("W8") for k in capabilities.urf_supported)
        dm = next(
            (k for k in capabilities.urf_supported if re.fullmatch(r"DM[1-4]", k)),
            "DM1",
        )
        sheet_back = SheetBack(int(dm[2]))
    else:
        resolutions = (
            capabilities.pwg_raster_resolutions or capabilities.printer_resolutions
        )
        color_ok = "srgb_8" in capabilities.pwg_raster_types
        gray_ok = "sgray_8" in capabilities.pwg_raster_types
        sheet_back = SheetBack.from_keyword(capabilities.pwg_raster_sheet_back)
    if not (color_ok or gray_ok):
        # Both are mandatory for the format; an empty list means the printer
        # did not say, not that it takes neither.
        color_ok = capabilities.color_supported
        gray_ok = True
    color = (
        color_ok
        and options.wants_color()
        and (capabilities.color_supported or not gray_ok)
        # Black text gains nothing from three colour channels.
        and not (conversion.kind is ConversionKind.TEXT_TO_RASTER and gray_ok)
    )
    media = options.media_name or capabilities.media_default or DEFAULT_MEDIA
    try:
        width, length = media_size(media)
    except PrintOptionError:
        media = DEFAULT_MEDIA
        width, length = media_size(media)
    sides = options.sides or "one-sided"
    usable = _usable_dpis(resolutions, conversion.source_format)
    return RasterJob(
        dpi=_pick_dpi(usable, options.quality, width, length),
        color=color,
        total_pages=total_pages,
        width=width,
        length=length,
        media_name=media,
        duplex=sides != "one-sided",
        tumble=sides == "two-sided-short-edge",
        sheet_back=sheet_back,
        quality=QUALITIES.get(options.quality or "", 0),
    )


def select_pages(
    count: int, page_ranges: Sequence[tuple[int, int]], limit: int | None = None
) -> list[int]:
    """0-based page indexes to print from a document of ``count`` pages.

    Raises:
        HPEWSDocumentLimitError: more than ``limit`` (default ``MAX_PAGES``)
            pages are selected; counted before any list is built.
    """
    limit = MAX_PAGES if limit is None else limit
    spans: list[tuple[int, int]] = []  # merged, 0-based, end exclusive
    for start, end in sorted(page_ranges or [(1, count)]):
        first, stop = max(start, 1) - 1, min(end, count)
        if first >= stop:
            continue
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
        else:
            spans.append((first, stop))
    selected = sum(stop - first for first, stop in spans)
    if selected > limit:
        raise HPEWSDocumentLimitError(
            f"{selected} pages are selected; at most {limit} are converted",
            DocumentLimit.PAGES,
            limit,
        )
    return [index for first, stop in spans for index in range(first, stop)]


# --- sources -----------------------------------------------------------------

type DocumentSource = str | os.PathLike[str] | BinaryIO | AsyncIterable[bytes]
"""A file path; an open regular file (read by position from its start, its
own position left alone, not closed: the caller owns it); or an async
iterable of bytes chunks (a download, a stream)."""


async def _run[T](func: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def _read_error(name: object, err: OSError) -> HPEWSDocumentError:
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
class _Disk:
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


class _Opened:
    """A document source with its first bytes read, for sniffing."""

    def __init__(self, max_bytes: int | None) -> None:
        self.head = b""
        self.max_bytes = max_bytes
        self.total = 0

    def count(self, size: int) -> None:
        self.total += size
        if self.max_bytes is not None and self.total > self.max_bytes:
            raise HPEWSDocumentError(
                f"The document is larger than the limit of {self.max_bytes} bytes"
            )

    def stream(self) -> AsyncIterator[bytes]:
        raise NotImplementedError

    async def disk(self, spool_dir: Path | None) -> _Disk:
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


class _OpenedFile(_Opened):
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
                raise _read_error(self._name, err) from err
            try:
                size = _regular_file_size(fd, self._name)
                head = os.pread(fd, min(SNIFF_BYTES, size), 0)
            except BaseException as err:
                if owned:
                    os.close(fd)
                if isinstance(err, OSError):
                    raise _read_error(self._name, err) from err
                raise
            return fd, size, head

        self._fd, self._size, self.head = await _run(open_and_read)
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
                chunk = await _run(os.pread, fd, want, position)
            except OSError as err:
                raise _read_error(self._name, err) from err
            if not chunk:
                return  # the file shrank
            position += len(chunk)
            self.count(len(chunk))
            yield chunk

    async def disk(self, spool_dir: Path | None) -> _Disk:
        del spool_dir  # already on disk
        assert self._fd is not None
        self.count(self._size)
        return _Disk(self._fd, self._size, self._name)

    async def close(self) -> None:
        if self._fd is not None and self._path is not None:
            os.close(self._fd)
        self._fd = None


class _OpenedStream(_Opened):
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

    async def disk(self, spool_dir: Path | None) -> _Disk:
        try:
            # Removed from the folder at once: it lives as long as it is open.
            handle = self._spooled = await _run(
                lambda: tempfile.TemporaryFile(  # noqa: SIM115 - closed in close()
                    prefix="hp_ews-", dir=spool_dir
                )
            )
            # Keep the written chunks small in memory: one at a time.
            async for chunk in self.stream():
                await _run(handle.write, chunk)
            await _run(handle.flush)
        except OSError as err:
            raise HPEWSDocumentError(f"Cannot spool the document: {err}") from err
        return _Disk(handle.fileno(), self.total, "the spooled document")

    async def close(self) -> None:
        if self._spooled is not None:
            spooled, self._spooled = self._spooled, None
            await _run(spooled.close)
        closer = getattr(self._iterator, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()


async def _open_source(source: DocumentSource, max_bytes: int | None) -> _Opened:
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


# --- running blocking converters -----------------------------------------------


class _RenderClock:
    """Time one document has spent converting, against ``RENDER_SECONDS``.

    Only the time inside converter calls counts, not the time the printer
    takes to read what was converted.
    """

    def __init__(self, budget: float) -> None:
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
def _converting(clock: _RenderClock) -> Iterator[None]:
    """Run converter code: timed, and out of memory as a library error."""
    try:
        with clock.running():
            yield
    except MemoryError as err:
        raise HPEWSOutOfMemoryError(
            "There is not enough memory to convert the document"
        ) from err


async def _convert[T](clock: _RenderClock, func: Callable[..., T], *args: Any) -> T:
    """Run a blocking converter step in the executor, timed."""

    def call() -> T:
        with _converting(clock):
            return func(*args)

    return await _run(call)


class _Stepper:
    """A blocking generator stepped and closed from executor threads.

    The lock makes ``close`` wait for a running ``step``: a cancelled await
    does not stop the thread, and closing a running generator would fail.
    """

    def __init__(self, chunks: Iterator[bytes], clock: _RenderClock) -> None:
        self._chunks = chunks
        self._clock = clock
        self._lock = threading.Lock()

    def step(self) -> bytes | None:
        with self._lock, _converting(self._clock):
            return next(self._chunks, None)

    def close(self) -> None:
        with self._lock:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()


async def _pump(chunks: Iterator[bytes], clock: _RenderClock) -> AsyncIterator[bytes]:
    """Drive a blocking generator in the executor, one chunk per call."""
    loop = asyncio.get_running_loop()
    stepper = _Stepper(chunks, clock)
    try:
        while (chunk := await loop.run_in_executor(None, stepper.step)) is not None:
            yield chunk
    finally:
        await loop.run_in_executor(None, stepper.close)


# --- PDF --------------------------------------------------------------------


def _pdf_error(err: Exception) -> HPEWSDocumentError:
    return HPEWSDocumentError(f"Not a readable PDF: {err}")


def _open_pdf(disk: _Disk) -> Any:
    """The document for pdfium, read through a reader of its own (hold the lock)."""
    import pypdfium2 as pdfium

    handle = disk.open()
    try:
        return pdfium.PdfDocument(handle, autoclose=True)
    except pdfium.PdfiumError as err:
        handle.close()
        raise _pdf_error(err) from err


def _pdf_page_count(disk: _Disk) -> int:
    """Pages in the document (pdfium reads its page tree, not the pages)."""
    with _PDFIUM_LOCK:
        document = _open_pdf(disk)
        try:
            return len(document)
        finally:
            document.close()


def _pdf_pages(
    disk: _Disk, job: RasterJob, indexes: Sequence[int], clock: _RenderClock
) -> Iterator[Image.Image]:
    """Render the selected pages at ``job``'s size, fitted and centred.

    pdfium renders progressively and asks between drawing steps whether to
    pause: it does once the document's time is up, so one pathological page
    cannot hold the executor thread (and pdfium's lock) for long after.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    width, height = job.page_pixels()
    # Gray renders 1 byte per pixel; colour renders RGBX (4 bytes) because
    # Pillow then shares pdfium's buffer instead of copying the page.
    bitmap_format = (
        pdfium_c.FPDFBitmap_Gray if not job.color else pdfium_c.FPDFBitmap_BGRx
    )
    flags = pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_PRINTING
    if job.color:
        flags |= pdfium_c.FPDF_REVERSE_BYTE_ORDER  # RGBX, not BGRX
    pause = pdfium_c.IFSDK_PAUSE(version=1)
    # Kept referenced for as long as pdfium may call it.
    need_to_pause = dict(pdfium_c.IFSDK_PAUSE._fields_)["NeedToPauseNow"](
        lambda _pause: clock.over()
    )
    pause.NeedToPauseNow = need_to_pause
    with _PDFIUM_LOCK:
        document = _open_pdf(disk)
    try:
        for index in indexes:
            with _PDFIUM_LOCK:
                page = document[index]
                try:
                    page_w, page_h = page.get_size()
                    rotate = 0
                    if (page_w > page_h) != (width > height) and page_w != page_h:
                        rotate = 1  # 90° clockwise: landscape page on portrait paper
                        page_w, page_h = page_h, page_w
                    scale = min(width / page_w, height / page_h)
                    size_x = max(1, round(page_w * scale))
                    size_y = max(1, round(page_h * scale))
                    bitmap = pdfium.PdfBitmap.new_native(
                        width, height, bitmap_format, rev_byteorder=True
                    )
                    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
                    status = pdfium_c.FPDF_RenderPageBitmap_Start(
                        bitmap,
                        page,
                        (width - size_x) // 2,
                        (height - size_y) // 2,
                        size_x,
                        size_y,
                        rotate,
                        flags,
                        pause,
                    )
                    # pdfium stops short only when the callback said so.
                    paused = status == pdfium_c.FPDF_RENDER_TOBECONTINUED
                    pdfium_c.FPDF_RenderPage_Close(page)
                finally:
                    page.close()
            if paused:
                raise clock.expired()
            image: Image.Image = bitmap.to_pil()
            yield image
            del image, bitmap
    finally:
        with _PDFIUM_LOCK:
            document.close()


# --- images ---------------------------------------------------------------------

# EXIF Orientation values and the transposition that shows the image upright.
_EXIF_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SHRINK_BAND: Final = 64
"""Lines of the shrunk image made at once."""
_QUARTER_TURNS: Final = frozenset(
    {
        Image.Transpose.TRANSPOSE,
        Image.Transpose.TRANSVERSE,
        Image.Transpose.ROTATE_90,
        Image.Transpose.ROTATE_270,
    }
)


@contextlib.contextmanager
def _image_errors() -> Iterator[None]:
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        # Pillow's own (global) bound, above ours: refused all the same (the
        # warning is an exception where warnings are errors).
        raise HPEWSDocumentLimitError(
            f"Image too large: {err}", DocumentLimit.IMAGE_PIXELS, MAX_IMAGE_PIXELS
        ) from err
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise HPEWSDocumentError(f"Not a readable image: {err}") from err


@contextlib.contextmanager
def _open_image(disk: _Disk) -> Iterator[Any]:
    """Open an image lazily: only the header is read (``size``, ``mode``)."""
    with disk.open() as handle:
        with _image_errors():
            image = Image.open(handle, formats=_IMAGE_FORMATS)
        with image:
            yield image


def _check_pixels(source: Image.Image) -> None:
    """Refuse an image whose decoded pixels would be over the budget."""
    width, height = source.size
    if width * height > MAX_IMAGE_PIXELS:
        raise HPEWSDocumentLimitError(
            f"Image too large: {width} x {height} pixels, more than "
            f"{MAX_IMAGE_PIXELS} are not decoded",
            DocumentLimit.IMAGE_PIXELS,
            MAX_IMAGE_PIXELS,
        )


def _exif_transpose(source: Image.Image) -> Image.Transpose | None:
    """How to turn the image upright, from its EXIF orientation.

    Call only once the size is checked: Pillow may decode a PNG to find it.
    """
    with contextlib.suppress(Exception):  # a broken EXIF block is no orientation
        value = source.getexif().get(ExifTags.Base.Orientation)
        if isinstance(value, int):
            return _EXIF_TRANSPOSE.get(value)
    return None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _reducible(image: Image.Image) -> Image.Image:
    """The image in a mode ``reduce`` and ``_flatten`` take (1 copy at most)."""
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    if _has_alpha(image):
        return image.convert("RGBA")
    return image.convert("L" if image.mode in ("1", "L", "I;16", "I") else "RGB")


def _shrink(image: Image.Image, factor: int) -> Image.Image:
    """``_reducible(image).reduce(factor)``, made a band of lines at a time.

    Converting a palette image, or premultiplying alpha for ``reduce``, would
    otherwise copy the whole decoded image once more.
    """
    if factor < 2:
        return _reducible(image)
    rows = factor * _SHRINK_BAND
    width, height = image.size
    shrunk: Image.Image | None = None
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(top + rows, height)))
        small = _reducible(band).reduce(factor)
        del band
        if shrunk is None:
            size = (-(-width // factor), -(-height // factor))
            shrunk = Image.new(small.mode, size)
        shrunk.paste(small, (0, top // factor))
    assert shrunk is not None  # an image has at least one line
    return shrunk


def _flatten(image: Image.Image, mode: str) -> Image.Image:
    """Composite transparency over white and convert to ``mode``."""
    if image.mode == "RGBA":
        page = Image.new("RGB", image.size, "white")
        page.paste(image, mask=image)  # alpha as the mask: over opaque white
        return page.convert(mode) if mode != "RGB" else page
    return image.convert(mode) if image.mode != mode else image


def _fit(
    size: tuple[int, int], page: tuple[int, int], landscape: bool
) -> tuple[int, int]:
    """``size`` scaled (in its own orientation) to fit the page, turned or not."""
    width, height = size
    page_w, page_h = (page[1], page[0]) if landscape else page
    scale = min(page_w / width, page_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True, slots=True)
class _ImagePlan:
    transpose: Image.Transpose | None
    """EXIF turn to apply after decoding."""
    landscape: bool
    """The (upright) image is turned a quarter onto the page."""
    target: tuple[int, int]
    """Size on the page, in the file's own orientation."""


def _plan_image(
    source: Image.Image, page: tuple[int, int], mode: str, orientation: str | None
) -> _ImagePlan:
    """Check an opened (not decoded) image and plan its place on the page.

    A JPEG is set to decode at 1/2, 1/4 or 1/8 scale when that still covers
    the page: a 100-megapixel photo then costs what a 6-megapixel one does.
    Then the pixels to decode are checked against the budget.
    """
    transpose = _exif_transpose(source) if source.format == "JPEG" else None

    def plan(size: tuple[int, int]) -> _ImagePlan:
        turned = transpose in _QUARTER_TURNS
        upright = (size[1], size[0]) if turned else size
        landscape = orientation in ("landscape", "reverse-landscape")
        if orientation is None:
            landscape = (upright[0] > upright[1]) != (page[0] > page[1])
        target = _fit(upright, page, landscape)
        return _ImagePlan(
            transpose, landscape, (target[1], target[0]) if turned else target
        )

    if source.format == "JPEG":
        source.draft(mode, plan(source.size).target)
    _check_pixels(source)
    if transpose is None:
        transpose = _exif_transpose(source)
    return plan(source.size)


def _image_pages(
    disk: _Disk, job: RasterJob, orientation: str | None
) -> Iterator[Image.Image]:
    """One page with the image fitted to the media and centred.

    The image is reduced by a whole factor right after decoding, before
    compositing and turning make their copies.
    """
    page_size = job.page_pixels()
    with _open_image(disk) as source, _image_errors():
        plan = _plan_image(source, page_size, job.mode, orientation)
        source.load()
        factor = min(source.width // plan.target[0], source.height // plan.target[1])
        image = _shrink(source, factor)
    if plan.transpose is not None:
        image = image.transpose(plan.transpose)
    if plan.landscape:
        # IPP landscape: the content turned 90 degrees counter-clockwise.
        image = image.transpose(
            Image.Transpose.ROTATE_270
            if orientation == "reverse-landscape"
            else Image.Transpose.ROTATE_90
        )
    if orientation == "reverse-portrait":
        image = image.transpose(Image.Transpose.ROTATE_180)
    image = _flatten(image, job.mode)
    size = plan.target
    if (plan.transpose in _QUARTER_TURNS) != plan.landscape:
        size = (size[1], size[0])
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    width, height = page_size
    page = Image.new(job.mode, (width, height), "white")
    page.paste(image, ((width - size[0]) // 2, (height - size[1]) // 2))
    del image
    yield page


def _image_to_jpeg(disk: _Disk) -> Iterator[bytes]:
    with _open_image(disk) as source, _image_errors():
        _check_pixels(source)
        transpose = _exif_transpose(source)
        source.load()
        pixels = source.width * source.height
        factor = 1
        while pixels // (factor * factor) > MAX_JPEG_PIXELS:
            factor += 1
        image = _shrink(source, factor)
    if transpose is not None:
        image = image.transpose(transpose)
    image = _flatten(image, "RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, optimize=True)
    del image
    view = buffer.getbuffer()
    for start in range(0, len(view), READ_CHUNK):
        yield bytes(view[start : start + READ_CHUNK])


# --- plain text ----------------------------------------------------------------

_MONOSPACE_FONTS: Final = (
    "DejaVuSansMono.ttf",
    "LiberationMono-Regular.ttf",
    "NotoSansMono-Regular.ttf",
    "FreeMono.ttf",
    "cour.ttf",
)


@dataclass(frozen=True, slots=True)
class _TextLayout:
    width: int
    height: int
    margin: int
    cell_width: int
    line_height: int
    columns: int
    rows: int


def _text_font(job: RasterJob) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = max(6, TEXT_POINT_SIZE * job.dpi // 72)
    for name in _MONOSPACE_FONTS:
        with contextlib.suppress(OSError):
            return ImageFont.truetype(name, size)
    # Pillow's bundled font is proportional: characters are drawn in fixed
    # cells below, so the layout stays monospace anyway.
    try:
        return ImageFont.load_default(size)
    except (TypeError, ImportError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _text_layout(
    job: RasterJob, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, landscape: bool
) -> _TextLayout:
    width, height = job.page_pixels()
    if landscape:
        width, height = height, width
    margin = int(TEXT_MARGIN_INCH * job.dpi)
    cell_width = max(1, round(font.getlength("M")))
    ascent, descent = (
        font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (10, 2)
    )
    line_height = max(1, round((ascent + descent) * 1.1))
    columns = max(1, (width - 2 * margin) // cell_width)
    rows = max(1, (height - 2 * margin) // line_height)
    return _TextLayout(width, height, margin, cell_width, line_height, columns, rows)


class _LineWrapper:
    """``textwrap.wrap`` of one line, fed a piece at a time.

    Options as used for text: whitespace dropped at line ends, long words
    broken, no breaks at hyphens, no whitespace replaced. The greedy rule is
    textwrap's of Python 3.14 (which on a full line no longer adds an empty
    piece of a long word, so the space before it is dropped), step for step,
    but a word or a run of spaces is never held
    whole: past ``width`` characters it is known not to fit, so it is cut
    onto lines as it arrives. A line of any length costs one line and one
    read piece of memory, and time linear in its length.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        """Finished lines, for the caller to take."""
        self.wrapped = 0
        """Lines finished since the last ``finish``."""
        self._line: list[str] = []
        self._length = 0
        self._chunk = ""
        """The word or run of spaces being read (completed by the other kind)."""
        self._chunk_space = False
        self._started = False
        """The current line's first chunk was looked at (textwrap does once)."""

    def feed(self, text: str) -> None:
        """Add text without line breaks (tabs already expanded)."""
        chunks = _CHUNKS.findall(text)  # one at least: text is not empty
        if self._chunk:
            if (chunks[0][0] in _SPACES) == self._chunk_space:
                chunks[0] = self._chunk + chunks[0]  # a read piece held at most
            else:
                self._place(complete=True)
            self._chunk = ""
        last = chunks.pop()
        if chunks:
            self._place_all(chunks)
        self._chunk, self._chunk_space = last, last[0] in _SPACES
        if len(last) > self.width:
            self._place(complete=False)

    def finish(self) -> int:
        """End the line; return how many wrapped lines it made."""
        if self._chunk:
            self._place(complete=True)
        self._end_line()
        wrapped, self.wrapped = self.wrapped, 0
        return wrapped

    def _place_all(self, chunks: list[str]) -> None:
        """Place complete chunks; the common cases without a method call."""
        width, line, length = self.width, self._line, self._length
        for chunk in chunks:
            size = len(chunk)
            if line:
                if length + size <= width:
                    line.append(chunk)
                    length += size
                    continue
            elif self._started and size <= width:
                line.append(chunk)
                length = size
                continue
            self._length, self._chunk = length, chunk
            self._place(complete=True)
            line, length = self._line, self._length
        self._length = length

    def _place(self, *, complete: bool) -> None:
        """Put the chunk on lines; an incomplete one only while it is too long."""
        chunk, start, width = self._chunk, 0, self.width
        while start < len(chunk):
            if not complete and len(chunk) - start <= width:
                break  # what is left may still fit once its end is known
            if not self._line and not self._started:
                if self.wrapped and chunk[start:].strip() == "":
                    # A line after the first does not start with whitespace:
                    # the run is dropped whole when it ends. Until then a
                    # little of a run of spaces stands for the rest; a "word"
                    # of other white space (U+3000...) is kept to its end,
                    # or as long as a read piece.
                    if complete:
                        self._started = True
                        start = len(chunk)
                        break
                    if self._chunk_space:
                        start = len(chunk) - width - 1
                        break
                    if len(chunk) - start <= TEXT_READ_CHARS:
                        break
                self._started = True
            rest = len(chunk) - start
            if self._length + rest <= width:
                self._line.append(chunk[start:])
                self._length += rest
                start = len(chunk)
                break
            if rest > width and self._length < width:
                # Too long for any line: fill this one with its start.
                take = width - self._length
                self._line.append(chunk[start : start + take])
                self._length += take
                start += take
            self._end_line()
        self._chunk = chunk[start:]

    def _end_line(self) -> None:
        line = self._line
        if line and line[-1].strip() == "":
            del line[-1]
        if line:
            self.lines.append("".join(line))
            self.wrapped += 1
        self._line = []
        self._length = 0
        self._started = False


_SPACES: Final = " \x0b"
"""What textwrap breaks at, once tabs are expanded and lines and pages split."""
_CHUNKS: Final = re.compile("[ \x0b]+|[^ \x0b]+")
_BREAKS: Final = re.compile("([\n\f])")


def _expand_tabs(text: str, column: int) -> tuple[str, int]:
    """``str.expandtabs(8)`` of text that starts at ``column`` of its line."""
    if "\t" not in text:
        return text, column + len(text)
    parts = text.split("\t")
    out = [parts[0]]
    column += len(parts[0])
    for part in parts[1:]:
        pad = 8 - column % 8
        out.append(" " * pad)
        out.append(part)
        column += pad + len(part)
    return "".join(out), column


def _text_lines(text: TextIO, columns: int) -> Iterator[str | None]:
    """The word-wrapped lines of a text; None where a form feed starts a page.

    Each line is wrapped as ``textwrap.wrap(line.expandtabs(8), columns)``
    would (an empty line stays one empty line; the empty side of a form feed
    makes none), but the text is read ``TEXT_READ_CHARS`` at a time.
    """
    wrapper = _LineWrapper(columns)
    started = False  # the current segment has characters
    form_feed = False  # the current line had a form feed
    column = 0
    while piece := text.read(TEXT_READ_CHARS):
        for part in _BREAKS.split(piece):
            if part in ("\n", "\f"):
                if started:
                    if not wrapper.finish():
                        wrapper.lines.append("")  # only whitespace
                elif part == "\n" and not form_feed:
                    wrapper.lines.append("")
                yield from wrapper.lines
                wrapper.lines.clear()
                if part == "\f":
                    yield None
                form_feed = part == "\f"
                started, column = False, 0
            elif part:
                started = True
                expanded, column = _expand_tabs(part, column)
                wrapper.feed(expanded)
        yield from wrapper.lines
        wrapper.lines.clear()
    if started and not wrapper.finish():
        wrapper.lines.append("")
    yield from wrapper.lines


def _text_page_lines(disk: _Disk, layout: _TextLayout) -> Iterator[list[str]]:
    """Word-wrapped lines, a page at a time; a form feed starts a new page.

    Raises:
        HPEWSDocumentLimitError: the text is longer than ``MAX_PAGES`` pages.
    """
    page: list[str] = []
    pages = 0

    def full() -> list[str]:
        nonlocal pages
        pages += 1
        if pages > MAX_PAGES:
            raise HPEWSDocumentLimitError(
                f"The text is longer than {MAX_PAGES} pages",
                DocumentLimit.PAGES,
                MAX_PAGES,
            )
        return page

    try:
        with disk.open_text() as text:
            for line in _text_lines(text, layout.columns):
                if line is None or len(page) == layout.rows:
                    yield full()
                    page = []
                if line is not None:
                    page.append(line)
    except OSError as err:
        raise _read_error(disk.name, err) from err
    if page or not pages:
        yield full()


def _count_text_pages(disk: _Disk, job: RasterJob, orientation: str | None) -> int:
    font = _text_font(job)
    layout = _text_layout(job, font, _is_landscape(orientation))
    return sum(1 for _ in _text_page_lines(disk, layout))


def _is_landscape(orientation: str | None) -> bool:
    return orientation in ("landscape", "reverse-landscape")


def _text_pages(
    disk: _Disk, job: RasterJob, orientation: str | None, indexes: Sequence[int]
) -> Iterator[Image.Image]:
    font = _text_font(job)
    landscape = _is_landscape(orientation)
    layout = _text_layout(job, font, landscape)
    wanted = set(indexes)
    last = max(wanted, default=-1)
    for index, lines in enumerate(_text_page_lines(disk, layout)):
        if index > last:
            break  # the rest of the text is not printed: not read either
        if index not in wanted:
            continue
        page = Image.new("L", (layout.width, layout.height), 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines):
            y = layout.margin + row * layout.line_height
            for column, char in enumerate(line):
                if not char.isspace():
                    x = layout.margin + column * layout.cell_width
                    draw.text((x, y), char, fill=0, font=font)
        if landscape:
            page = page.transpose(
                Image.Transpose.ROTATE_90
                if orientation == "landscape"
                else Image.Transpose.ROTATE_270
            )
        elif orientation == "reverse-portrait":
            page = page.transpose(Image.Transpose.ROTATE_180)
        yield page if job.mode == "L" else page.convert(job.mode)


# --- the prepared document ----------------------------------------------------


@dataclass(slots=True)
class PreparedDocument:
    """A document ready to stream to the printer.

    Iterate it (once) for the bytes to send as ``document_format``.
    """

    conversion: Conversion
    raster: RasterJob | None
    """Raster settings when the document is converted to PWG Raster or URF."""
    pages: int | None
    """Pages in the converted document; None when sent as is."""
    _chunks: AsyncIterator[bytes] = field(repr=False)

    @property
    def document_format(self) -> str:
        """The MIME type sent to the printer."""
        return self.conversion.document_format

    def __aiter__(self) -> AsyncIterator[bytes]:
        """The document bytes, in chunks."""
        return self._chunks


@contextlib.asynccontextmanager
async def prepare_document(
    source: DocumentSource,
    capabilities: PrintCapabilities,
    options: PrintOptions | None = None,
    *,
    document_format: str | None = None,
    spool_dir: Path | None = None,
    max_bytes: int | None = None,
) -> AsyncIterator[PreparedDocument]:
    """Negotiate the format and set up (lazy) conversion of a document.

    ``document_format`` None (or ``application/octet-stream``) sniffs the
    format from the first bytes. A stream that must be converted is spooled
    to a temporary file in ``spool_dir`` (the system's by default), removed
    on exit. ``max_bytes`` caps the document's size.

    Raises:
        HPEWSDocumentError: the file is missing, unreadable, corrupt or too large.
        HPEWSUnsupportedFormatError: nothing the printer takes can be made of it.
    """
    options = options or PrintOptions()
    opened = await _open_source(source, max_bytes)
    chunks: AsyncIterator[bytes] | None = None
    try:
        given = normalize_format(document_format) if document_format else None
        source_format = given if given not in (None, OCTET_STREAM) else None
        source_format = source_format or sniff_format(opened.head)
        if source_format is None:
            raise HPEWSUnsupportedFormatError(
                "The document's format is not recognised", None
            )
        conversion = choose_format(source_format, capabilities.document_formats)
        _LOGGER.debug(
            "Sending %s as %s (%s)",
            conversion.source_format,
            conversion.document_format,
            conversion.kind,
        )
        job: RasterJob | None = None
        pages: int | None = None
        if conversion.passthrough:
            chunks = opened.stream()
        else:
            disk = await opened.disk(spool_dir)
            chunks, job, pages = await _converter(
                conversion, disk, capabilities, options
            )
        yield PreparedDocument(conversion, job, pages, chunks)
    finally:
        if chunks is not None:
            with contextlib.suppress(Exception):
                await chunks.aclose()  # type: ignore[attr-defined]
        await opened.close()


async def _converter(
    conversion: Conversion,
    disk: _Disk,
    capabilities: PrintCapabilities,
    options: PrintOptions,
) -> tuple[AsyncIterator[bytes], RasterJob | None, int | None]:
    clock = _RenderClock(RENDER_SECONDS)
    if conversion.kind is ConversionKind.IMAGE_TO_JPEG:
        await _convert(clock, _check_image, disk, None, None)
        return _pump(_image_to_jpeg(disk), clock), None, 1
    encode = encode_urf if conversion.document_format == URF else encode_pwg
    if conversion.kind is ConversionKind.PDF_TO_RASTER:
        count = await _convert(clock, _pdf_page_count, disk)
        indexes = select_pages(count, options.page_ranges)
        if not indexes:
            raise HPEWSDocumentError("The page ranges select no page of the document")
        job = raster_job(conversion, capabilities, options, len(indexes))
        pages = _pdf_pages(disk, job, indexes, clock)
        return _pump(encode(pages, job), clock), job, len(indexes)
    if conversion.kind is ConversionKind.IMAGE_TO_RASTER:
        job = raster_job(conversion, capabilities, options, 1)
        await _convert(clock, _check_image, disk, job, options.orientation)
        pages = _image_pages(disk, job, options.orientation)
        return _pump(encode(pages, job), clock), job, 1
    # Plain text: a first pass counts pages, as the raster headers want the total.
    probe = raster_job(conversion, capabilities, options, 0)
    count = await _convert(clock, _count_text_pages, disk, probe, options.orientation)
    indexes = select_pages(count, options.page_ranges)
    if not indexes:
        raise HPEWSDocumentError("The page ranges select no page of the document")
    job = raster_job(conversion, capabilities, options, len(indexes))
    pages = _text_pages(disk, job, options.orientation, indexes)
    return _pump(encode(pages, job), clock), job, len(indexes)


def _check_image(disk: _Disk, job: RasterJob | None, orientation: str | None) -> None:
    """Fail early, before the job is created, on an unreadable or huge image."""
    with _open_image(disk) as image, _image_errors():
        if job is not None and image.format == "JPEG":
            # Checked at the scale it will be decoded at (reading EXIF
            # decodes nothing in a JPEG; in a PNG it may decode it all).
            _plan_image(image, job.page_pixels(), job.mode, orientation)
        else:
            _check_pixels(image)
        image.verify()
