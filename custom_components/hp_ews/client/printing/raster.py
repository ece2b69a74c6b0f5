"""PWG Raster and Apple URF encoders, one page at a time.

Printers without a PDF interpreter (most consumer inkjets) take one of two
raster formats that IPP Everywhere and AirPrint define:

* **PWG Raster** (PWG 5102.4, ``image/pwg-raster``): the sync word ``RaS2``,
  then per page a 1796-byte big-endian header (the CUPS page header v2
  layout, with the fields PWG 5102.4 does not use set to zero) and the
  compressed bitmap.
* **Apple Raster** (``image/urf``, "UNIRAST"): the 8-byte magic
  ``UNIRAST`` and a NUL byte, a 32-bit page count, then per page a 32-byte header
  (bits per pixel, colour space, duplex, quality, media type, input slot,
  width, height, resolution) and the bitmap compressed the same way.

Both compress each line as in PWG 5102.4 section 5.3: a line-repeat byte
(``n`` = the line is used ``n + 1`` times), then PackBits-style runs of whole
pixels — a byte ``0..127`` means the next pixel repeats ``byte + 1`` times, a
byte ``129..255`` means ``257 - byte`` literal pixels follow. We never emit
``128``; in URF that value means "fill the rest of the line with white",
which we use for the white right margin of a line (the CUPS raster reader
treats it the same way).

Only 8 bits per colour, chunky order, ``sgray`` (1 byte per pixel, 255 =
white) and ``srgb`` (3 bytes per pixel) are produced: every IPP Everywhere
printer accepts ``sgray_8`` and ``srgb_8`` and every AirPrint printer ``W8``
and ``SRGB24``.

Memory: the encoders take a page image at a time (the caller renders the
next page only when asked) and read it in bands of lines, so nothing but the
current page and one band of its bytes is alive. A page is at most
:data:`MAX_PAGE_PIXELS`: a job whose page would be larger is refused when it
is set up, before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
import re
import struct
from typing import TYPE_CHECKING, Final

from PIL import Image

from custom_components.hp_ews.client.errors import RasterError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

PWG_SYNC: Final = b"RaS2"
URF_MAGIC: Final = b"UNIRAST\x00"
PWG_HEADER_SIZE: Final = 1796
URF_PAGE_HEADER_SIZE: Final = 32

MAX_PAGE_PIXELS: Final = 1 << 26
"""Pixels of one page at most: 256 MiB as RGBX; letter, legal and A4 fit at
600 dpi, A3 and tabloid at 300 dpi."""

MAX_RUN: Final = 128
"""Longest run or literal the PackBits-style coding expresses in one byte."""
MAX_LINE_REPEAT: Final = 256

_BAND_LINES: Final = 64
"""Lines read from the page image at once (a few hundred KiB at 300 dpi)."""
_CHUNK: Final = 256 * 1024
"""Encoded bytes gathered before handing a chunk to the caller."""

_U32 = struct.Struct(">I")
_MAX_U32: Final = 0xFFFFFFFF


class ColorSpace(IntEnum):
    """``cupsColorSpace`` values of the two spaces PWG 5102.4 requires."""

    SGRAY = 18
    SRGB = 19


class SheetBack(IntEnum):
    """How the printer expects duplex back sides (``pwg-raster-document-sheet-back``).

    The values are URF's ``DM1``..``DM4`` (``urf-supported``).
    """

    NORMAL = 1
    FLIPPED = 2
    ROTATED = 3
    MANUAL_TUMBLE = 4

    @classmethod
    def from_keyword(cls, keyword: str | None) -> SheetBack:
        """From the IPP keyword; unknown or absent means ``normal``."""
        return {
            "flipped": cls.FLIPPED,
            "rotated": cls.ROTATED,
            "manual-tumble": cls.MANUAL_TUMBLE,
        }.get(keyword or "", cls.NORMAL)


# URF page header media-type byte: index into the list Apple raster defines.
URF_MEDIA_TYPES: Final = (
    "auto",
    "stationery",
    "transparency",
    "envelope",
    "cardstock",
    "labels",
    "stationery-letterhead",
    "disc",
    "photographic-matte",
    "photographic-satin",
    "photographic-semi-gloss",
    "photographic-glossy",
    "photographic-high-gloss",
    "other",
)


@dataclass(frozen=True, slots=True)
class RasterJob:
    """Settings shared by every page of one raster document.

    ``width``/``length`` is the media size in hundredths of millimetres, as
    IPP ``media-size`` gives it. Page images must be :meth:`page_pixels` in
    size; pixels and points are truncated from it exactly as CUPS's
    ``cupsRasterInitPWGHeader`` does, so an A4 page at 300 dpi is 2480 x 3507.
    """

    dpi: int
    color: bool
    total_pages: int
    width: int
    length: int
    media_name: str = ""
    """PWG self-describing name, e.g. ``iso_a4_210x297mm``."""
    media_type: str = ""
    """``media-type`` keyword, e.g. ``stationery``; empty for the printer default."""
    duplex: bool = False
    tumble: bool = False
    """Duplex along the short edge (``two-sided-short-edge``)."""
    sheet_back: SheetBack = SheetBack.NORMAL
    quality: int = 0
    """``print-quality`` enum (3 draft, 4 normal, 5 high) or 0 for the default."""

    def __post_init__(self) -> None:
        """Refuse settings no printer could use."""
        if not 1 <= self.dpi <= 9600:
            raise RasterError(f"Unusable resolution: {self.dpi} dpi")
        if not 0 <= self.total_pages <= _MAX_U32:
            raise RasterError(f"Bad page count: {self.total_pages}")
        if not (0 < self.width <= 1_000_000 and 0 < self.length <= 10_000_000):
            raise RasterError("Media size out of range")
        if self.quality not in (0, 3, 4, 5):
            raise RasterError(f"Bad print-quality: {self.quality}")
        width, height = self.page_pixels()
        if width * height > MAX_PAGE_PIXELS:
            raise RasterError(
                f"A {width} x {height} page is more than {MAX_PAGE_PIXELS} pixels"
            )

    @property
    def mode(self) -> str:
        """Pillow image mode the pages must have."""
        return "RGB" if self.color else "L"

    @property
    def bytes_per_pixel(self) -> int:
        """3 for sRGB, 1 for sGray."""
        return 3 if self.color else 1

    def page_pixels(self) -> tuple[int, int]:
        """Width and height in pixels of a full page at ``dpi``."""
        return self.width * self.dpi // 2540, self.length * self.dpi // 2540

    def page_points(self) -> tuple[int, int]:
        """Media size in PostScript points (1/72 inch)."""
        return self.width * 72 // 2540, self.length * 72 // 2540

    def back_side_transform(self) -> tuple[bool, bool]:
        """(mirror across, mirror along the feed) for duplex back sides.

        PWG 5102.4 ``CrossFeedTransform``/``FeedTransform`` as CUPS derives
        them from ``sides`` and ``pwg-raster-document-sheet-back``.
        """
        if not self.duplex:
            return False, False
        match self.sheet_back:
            case SheetBack.FLIPPED:
                return (True, False) if self.tumble else (False, True)
            case SheetBack.MANUAL_TUMBLE:
                return (True, True) if self.tumble else (False, False)
            case SheetBack.ROTATED:
                return (False, False) if self.tumble else (True, True)
            case _:
                return False, False


# --- line compression ----------------------------------------------------------

_RUN_PATTERNS: dict[int, re.Pattern[bytes]] = {}


def _run_pattern(bpp: int) -> re.Pattern[bytes]:
    """Match literal pixels (lazily) up to the next run of 2+ equal pixels.

    Anchored with ``match`` at pixel boundaries, each match consumes whole
    pixels: group 1 = literal pixels, group 2 = the run (absent at line end).
    The regular expression engine does the per-byte scanning in C.
    """
    if (pattern := _RUN_PATTERNS.get(bpp)) is None:
        pixel = b"." * bpp
        pattern = re.compile(
            b"((?:" + pixel + b")*?)(?:((" + pixel + b")\\3+)|\\Z)", re.DOTALL
        )
        _RUN_PATTERNS[bpp] = pattern
    return pattern


def _emit_literals(out: bytearray, data: bytes | memoryview, bpp: int) -> None:
    count = len(data) // bpp
    start = 0
    while count > 0:
        take = min(count, MAX_RUN)
        # One lone pixel is coded as a run of one: 257 - 1 would not fit.
        out.append(0 if take == 1 else 257 - take)
        out += data[start : start + take * bpp]
        start += take * bpp
        count -= take


def _emit_run(out: bytearray, pixel: bytes, count: int) -> None:
    while count > 0:
        take = min(count, MAX_RUN)
        out.append(take - 1)
        out += pixel
        count -= take


def encode_line(line: bytes, bpp: int, *, white_fill: bool = False) -> bytes:
    """Compress one line of pixels (without its line-repeat byte).

    With ``white_fill`` (URF only), a white tail is coded as the single byte
    ``0x80``.
    """
    if len(line) % bpp:
        raise RasterError("Line length is not a whole number of pixels")
    end = len(line)
    out = bytearray()
    tail_white = False
    if white_fill and end:
        stripped = len(line.rstrip(b"\xff"))
        stripped += -stripped % bpp  # keep whole pixels
        if stripped < end:
            end, tail_white = stripped, True
    pattern = _run_pattern(bpp)
    view = memoryview(line)
    pos = 0
    while pos < end:
        match = pattern.match(line, pos, end)
        if match is None:  # pragma: no cover - the pattern always matches
            raise RasterError("Internal encoder error")
        literal_start, literal_end = match.span(1)
        if literal_end > literal_start:
            _emit_literals(out, view[literal_start:literal_end], bpp)
        if match.group(2) is not None:
            run_start, run_end = match.span(2)
            _emit_run(out, match.group(3), (run_end - run_start) // bpp)
        pos = match.end()
    if tail_white:
        out.append(0x80)
    return bytes(out)


def _encode_bitmap(
    image: Image.Image,
    bpp: int,
    *,
    white_fill: bool,
) -> Iterator[bytes]:
    """Yield the compressed lines of a page in chunks of about ``_CHUNK`` bytes."""
    mode = "RGB" if bpp == 3 else "L"
    width, height = image.size
    line_bytes = width * bpp
    out = bytearray()
    previous: bytes | None = None
    repeat = 0

    def flush_line() -> None:
        assert previous is not None
        out.append(repeat - 1)
        out.extend(encode_line(previous, bpp, white_fill=white_fill))

    for top in range(0, height, _BAND_LINES):
        bottom = min(top + _BAND_LINES, height)
        band_image = image.crop((0, top, width, bottom))
        if band_image.mode != mode:
            band_image = band_image.convert(mode)
        band = band_image.tobytes()
        for offset in range(0, len(band), line_bytes):
            line = band[offset : offset + line_bytes]
            if line == previous and repeat < MAX_LINE_REPEAT:
                repeat += 1
                continue
            if previous is not None:
                flush_line()
            previous, repeat = line, 1
        if len(out) >= _CHUNK:
            yield bytes(out)
            out.clear()
    if previous is not None:
        flush_line()
    if out:
        yield bytes(out)


# RGBX is what pdfium renders into without a copy; its filler byte is dropped
# band by band.
_ACCEPTED_MODES: Final = {"L": ("L",), "RGB": ("RGB", "RGBX")}


def _prepare(image: Image.Image, job: RasterJob, page_number: int) -> Image.Image:
    """Check a page image and apply the duplex back-side transform."""
    if image.mode not in _ACCEPTED_MODES[job.mode]:
        raise RasterError(f"Page {page_number} is {image.mode}, expected {job.mode}")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise RasterError(f"Page {page_number} is empty")
    if width * height > MAX_PAGE_PIXELS:
        raise RasterError(f"Page {page_number} is more than {MAX_PAGE_PIXELS} pixels")
    across, along = job.back_side_transform()
    if page_number % 2 == 0 and (across or along):
        if across and along:
            return image.transpose(Image.Transpose.ROTATE_180)
        if across:
            return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return image


# --- PWG Raster --------------------------------------------------------------

# Offsets of the cups_page_header2_t fields PWG 5102.4 uses (table 3).
_PWG_STRINGS: Final = {
    "PwgRaster": 0,
    "MediaColor": 64,
    "MediaType": 128,
    "PrintContentOptimize": 192,
    "RenderingIntent": 1668,
    "PageSizeName": 1732,
}
_PWG_UINTS: Final = {
    "CutMedia": 268,
    "Duplex": 272,
    "HWResolutionX": 276,
    "HWResolutionY": 280,
    "InsertSheet": 300,
    "Jog": 304,
    "LeadingEdge": 308,
    "MediaPosition": 324,
    "MediaWeightMetric": 328,
    "NumCopies": 340,
    "Orientation": 344,
    "PageSizeX": 352,
    "PageSizeY": 356,
    "Tumble": 368,
    "Width": 372,
    "Height": 376,
    "BitsPerColor": 384,
    "BitsPerPixel": 388,
    "BytesPerLine": 392,
    "ColorOrder": 396,
    "ColorSpace": 400,
    "NumColors": 420,
    "TotalPageCount": 452,
    "CrossFeedTransform": 456,
    "FeedTransform": 460,
    "ImageBoxLeft": 464,
    "ImageBoxTop": 468,
    "ImageBoxRight": 472,
    "ImageBoxBottom": 476,
    "AlternatePrimary": 480,
    "PrintQuality": 484,
}


def _put_string(header: bytearray, offset: int, value: str) -> None:
    raw = value.encode("ascii", "replace")[:63]  # NUL-terminated in 64 bytes
    header[offset : offset + len(raw)] = raw


def pwg_page_header(job: RasterJob, width: int, height: int, page_number: int) -> bytes:
    """The 1796-byte PWG 5102.4 page header of one page."""
    bpp = job.bytes_per_pixel
    across, along = job.back_side_transform()
    back = job.duplex and page_number % 2 == 0
    values = {
        "Duplex": int(job.duplex),
        "HWResolutionX": job.dpi,
        "HWResolutionY": job.dpi,
        # 0 = the job's copies: a count here too could multiply them (CUPS
        # writes 0 as well).
        "NumCopies": 0,
        "PageSizeX": job.page_points()[0],
        "PageSizeY": job.page_points()[1],
        "Tumble": int(job.duplex and job.tumble),
        "Width": width,
        "Height": height,
        "BitsPerColor": 8,
        "BitsPerPixel": 8 * bpp,
        "BytesPerLine": width * bpp,
        "ColorOrder": 0,  # chunky
        "ColorSpace": ColorSpace.SRGB if job.color else ColorSpace.SGRAY,
        "NumColors": bpp,
        "TotalPageCount": job.total_pages,
        "CrossFeedTransform": _MAX_U32 if back and across else 1,
        "FeedTransform": _MAX_U32 if back and along else 1,
        "ImageBoxRight": width,
        "ImageBoxBottom": height,
        "AlternatePrimary": 0xFFFFFF,  # white, for sRGB and sGray alike
        "PrintQuality": job.quality,
    }
    header = bytearray(PWG_HEADER_SIZE)
    _put_string(header, _PWG_STRINGS["PwgRaster"], "PwgRaster")
    _put_string(header, _PWG_STRINGS["MediaType"], job.media_type)
    _put_string(header, _PWG_STRINGS["PageSizeName"], job.media_name)
    for name, value in values.items():
        _U32.pack_into(header, _PWG_UINTS[name], value)
    return bytes(header)


def encode_pwg(pages: Iterable[Image.Image], job: RasterJob) -> Iterator[bytes]:
    """Encode pages as one PWG Raster document, yielding bytes chunks.

    ``pages`` is consumed lazily: the next page is requested only after the
    previous one has been encoded.
    """
    return _encode(pages, job, PWG_SYNC, _pwg_page, white_fill=False)


def _pwg_page(job: RasterJob, width: int, height: int, page_number: int) -> bytes:
    return pwg_page_header(job, width, height, page_number)


# --- Apple URF ---------------------------------------------------------------


def urf_file_header(total_pages: int) -> bytes:
    """The URF file header: ``UNIRAST``, a NUL byte and the page count."""
    return URF_MAGIC + _U32.pack(total_pages)


def urf_page_header(job: RasterJob, width: int, height: int, page_number: int) -> bytes:
    """The 32-byte Apple raster page header of one page."""
    del page_number  # URF has no per-side transform field
    if not job.duplex:
        duplex = 1
    else:
        duplex = 2 if job.tumble else 3
    try:
        media_type = URF_MEDIA_TYPES.index(job.media_type or "auto")
    except ValueError:
        media_type = 0
    return struct.pack(
        ">BBBBBB6xIII8x",
        8 * job.bytes_per_pixel,
        1 if job.color else 0,  # 1 = sRGB, 0 = sGray
        duplex,
        job.quality,
        media_type,
        0,  # input slot: the printer's default
        width,
        height,
        job.dpi,
    )


def encode_urf(pages: Iterable[Image.Image], job: RasterJob) -> Iterator[bytes]:
    """Encode pages as one Apple raster (URF) document, yielding bytes chunks."""
    return _encode(
        pages, job, urf_file_header(job.total_pages), urf_page_header, white_fill=True
    )


def _encode(
    pages: Iterable[Image.Image],
    job: RasterJob,
    preamble: bytes,
    page_header: Callable[[RasterJob, int, int, int], bytes],
    *,
    white_fill: bool,
) -> Iterator[bytes]:
    yield preamble
    for page_number, page in enumerate(pages, start=1):
        image = _prepare(page, job, page_number)
        width, height = image.size
        yield page_header(job, width, height, page_number)
        yield from _encode_bitmap(image, job.bytes_per_pixel, white_fill=white_fill)
