"""PWG Raster and Apple URF encoders.

Two independent checks of what the encoders write:

* a small decoder written here from PWG 5102.4 (section 4.3 header table,
  section 5.3 compression) and the Apple raster layout, not from the encoder;
* CUPS's own raster reader (``libcups.so.2``'s ``cupsRasterOpen``/
  ``cupsRasterReadHeader2``/``cupsRasterReadPixels``, which reads both
  ``RaS2`` and ``UNIRAST`` streams) and CUPS's ``cupsRasterInitPWGHeader``
  as the reference for the header fields.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
import os
import random
import struct
import tempfile
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
import pytest

from custom_components.hp_ews.client.errors import RasterError
from custom_components.hp_ews.client.printing import raster
from custom_components.hp_ews.client.printing.raster import (
    RasterJob,
    SheetBack,
    encode_line,
    encode_pwg,
    encode_urf,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

A4 = (21000, 29700)
LETTER = (21590, 27940)

# --- a decoder written from the specifications --------------------------------

# PWG 5102.4 table 3: (name, offset, kind). Big-endian unsigned integers.
PWG_FIELDS = {
    "PwgRaster": (0, "s"),
    "MediaColor": (64, "s"),
    "MediaType": (128, "s"),
    "PrintContentOptimize": (192, "s"),
    "CutMedia": (268, "u"),
    "Duplex": (272, "u"),
    "HWResolution0": (276, "u"),
    "HWResolution1": (280, "u"),
    "InsertSheet": (300, "u"),
    "Jog": (304, "u"),
    "LeadingEdge": (308, "u"),
    "MediaPosition": (324, "u"),
    "MediaWeight": (328, "u"),
    "NumCopies": (340, "u"),
    "Orientation": (344, "u"),
    "PageSize0": (352, "u"),
    "PageSize1": (356, "u"),
    "Tumble": (368, "u"),
    "Width": (372, "u"),
    "Height": (376, "u"),
    "BitsPerColor": (384, "u"),
    "BitsPerPixel": (388, "u"),
    "BytesPerLine": (392, "u"),
    "ColorOrder": (396, "u"),
    "ColorSpace": (400, "u"),
    "NumColors": (420, "u"),
    "TotalPageCount": (452, "u"),
    "CrossFeedTransform": (456, "u"),
    "FeedTransform": (460, "u"),
    "AlternatePrimary": (480, "u"),
    "PrintQuality": (484, "u"),
    "RenderingIntent": (1668, "s"),
    "PageSizeName": (1732, "s"),
}


@dataclass
class Page:
    header: dict[str, int | str]
    pixels: bytes


def _field(raw: bytes, offset: int, kind: str, order: str = ">") -> int | str:
    if kind == "s":
        return raw[offset : offset + 64].split(b"\0", 1)[0].decode("ascii")
    return int(struct.unpack_from(order + "I", raw, offset)[0])


def decode_lines(
    data: bytes, pos: int, width: int, height: int, bpp: int, *, urf: bool
) -> tuple[bytes, int]:
    """Section 5.3: line-repeat byte, then runs of whole pixels."""
    line_bytes = width * bpp
    out = bytearray()
    lines = 0
    while lines < height:
        repeat = data[pos] + 1
        pos += 1
        line = bytearray()
        while len(line) < line_bytes:
            code = data[pos]
            pos += 1
            if urf and code == 128:  # Apple: rest of the line is white
                line += b"\xff" * (line_bytes - len(line))
            elif code < 128:
                line += data[pos : pos + bpp] * (code + 1)
                pos += bpp
            else:
                count = (257 - code) * bpp
                line += data[pos : pos + count]
                pos += count
        assert len(line) == line_bytes, "a run crossed the end of the line"
        out += bytes(line) * repeat
        lines += repeat
    assert lines == height, "line repeat crossed the end of the page"
    return bytes(out), pos


def decode_pwg(data: bytes) -> list[Page]:
    assert data[:4] == b"RaS2"
    pos = 4
    pages = []
    while pos < len(data):
        raw = data[pos : pos + 1796]
        assert len(raw) == 1796
        header = {
            name: _field(raw, off, kind) for name, (off, kind) in PWG_FIELDS.items()
        }
        pos += 1796
        bpp = int(header["BitsPerPixel"]) // 8
        pixels, pos = decode_lines(
            data, pos, int(header["Width"]), int(header["Height"]), bpp, urf=False
        )
        pages.append(Page(header, pixels))
    return pages


def decode_urf(data: bytes) -> tuple[int, list[Page]]:
    assert data[:8] == b"UNIRAST\0"
    (count,) = struct.unpack_from(">I", data, 8)
    pos = 12
    pages = []
    while pos < len(data):
        bits, space, duplex, quality, media_type, slot = struct.unpack_from(
            ">6B", data, pos
        )
        width, height, dpi = struct.unpack_from(">III", data, pos + 12)
        header: dict[str, int | str] = {
            "bits": bits,
            "space": space,
            "duplex": duplex,
            "quality": quality,
            "media_type": media_type,
            "slot": slot,
            "width": width,
            "height": height,
            "dpi": dpi,
        }
        assert data[pos + 6 : pos + 12] == bytes(6)
        assert data[pos + 24 : pos + 32] == bytes(8)
        pos += 32
        pixels, pos = decode_lines(data, pos, width, height, bits // 8, urf=True)
        pages.append(Page(header, pixels))
    return count, pages


# --- CUPS's reader, through ctypes ------------------------------------------------


class Cups:
    """The raster functions of libcups (CUPS >= 2.3 has them in libcups.so.2)."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("cups") or "libcups.so.2"
        lib = ctypes.CDLL(name)
        lib.cupsRasterOpen.restype = ctypes.c_void_p
        lib.cupsRasterOpen.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.cupsRasterReadHeader2.restype = ctypes.c_uint
        lib.cupsRasterReadHeader2.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.cupsRasterReadPixels.restype = ctypes.c_uint
        lib.cupsRasterReadPixels.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        lib.cupsRasterClose.argtypes = [ctypes.c_void_p]
        lib.pwgMediaForPWG.restype = ctypes.c_void_p
        lib.pwgMediaForPWG.argtypes = [ctypes.c_char_p]
        lib.cupsRasterInitPWGHeader.restype = ctypes.c_int
        lib.cupsRasterInitPWGHeader.argtypes = [
            ctypes.c_char_p,
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_char_p,
        ]
        self.lib = lib

    def read(self, data: bytes) -> list[Page]:
        """Headers (host byte order) and pixels of every page, as CUPS reads them."""
        fd, path = tempfile.mkstemp()
        try:
            os.write(fd, data)
            os.lseek(fd, 0, os.SEEK_SET)
            raster = self.lib.cupsRasterOpen(fd, 0)  # CUPS_RASTER_READ
            assert raster
            pages = []
            buffer = ctypes.create_string_buffer(1796)
            try:
                while self.lib.cupsRasterReadHeader2(raster, buffer):
                    raw = buffer.raw
                    header = {
                        name: _field(raw, off, kind, "=")
                        for name, (off, kind) in PWG_FIELDS.items()
                    }
                    line_bytes = int(header["BytesPerLine"])
                    line = ctypes.create_string_buffer(line_bytes)
                    pixels = bytearray()
                    for _ in range(int(header["Height"])):
                        got = self.lib.cupsRasterReadPixels(raster, line, line_bytes)
                        assert got == line_bytes
                        pixels += line.raw
                    pages.append(Page(header, bytes(pixels)))
            finally:
                self.lib.cupsRasterClose(raster)
            return pages
        finally:
            os.close(fd)
            os.unlink(path)

    def reference_header(
        self, media: str, color: bool, dpi: int, sides: str, sheet_back: str
    ) -> dict[str, int | str]:
        """CUPS's PWG header for these settings (back side of a duplex sheet)."""
        pwg_media = self.lib.pwgMediaForPWG(media.encode())
        assert pwg_media
        buffer = ctypes.create_string_buffer(1796)
        ok = self.lib.cupsRasterInitPWGHeader(
            buffer,
            pwg_media,
            b"srgb_8" if color else b"sgray_8",
            dpi,
            dpi,
            sides.encode(),
            sheet_back.encode(),
        )
        assert ok
        raw = buffer.raw
        return {
            name: _field(raw, off, kind, "=")
            for name, (off, kind) in PWG_FIELDS.items()
        }


@pytest.fixture(scope="module")
def cups() -> Cups:
    return Cups()


# --- helpers -----------------------------------------------------------------


def job(**changes: object) -> RasterJob:
    settings: dict[str, object] = {
        "dpi": 30,
        "color": False,
        "total_pages": 1,
        "width": A4[0],
        "length": A4[1],
        "media_name": "iso_a4_210x297mm",
    }
    settings.update(changes)
    return RasterJob(**settings)  # type: ignore[arg-type]


def drawn_pages(raster_job: RasterJob, count: int) -> list[Image.Image]:
    """Pages with text, shapes, noise and white margins: every kind of run."""
    rng = random.Random(count)
    pages = []
    size = raster_job.page_pixels()
    for number in range(count):
        page = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(page)
        draw.rectangle((5 + number, 5, 40, 60), fill=(200, 30, 30))
        draw.text((8, 70), f"page {number + 1}", fill=(0, 0, 90))
        draw.line((0, 100, size[0] - 1, 140), fill=(0, 128, 0), width=3)
        for _ in range(300):  # noise: literal runs
            xy = (rng.randrange(size[0]), rng.randrange(150, 200))
            page.putpixel(xy, (rng.randrange(256), rng.randrange(256), 0))
        pages.append(page.convert(raster_job.mode))
    return pages


def joined(chunks: Iterator[bytes]) -> bytes:
    return b"".join(chunks)


# --- tests --------------------------------------------------------------------


@pytest.mark.parametrize("color", [False, True])
def test_pwg_round_trip_and_header(cups: Cups, color: bool) -> None:
    raster_job = job(color=color, total_pages=3, quality=5, media_type="stationery")
    pages = drawn_pages(raster_job, 3)
    data = joined(encode_pwg(iter(pages), raster_job))

    decoded = decode_pwg(data)
    assert len(decoded) == 3
    for page, image in zip(decoded, pages, strict=True):
        h = page.header
        assert h["PwgRaster"] == "PwgRaster"
        assert (h["Width"], h["Height"]) == image.size == (248, 350)
        assert (h["HWResolution0"], h["HWResolution1"]) == (30, 30)
        # A4 is 595.3 x 841.9 points; CUPS truncates.
        assert (h["PageSize0"], h["PageSize1"]) == (595, 841)
        assert h["BitsPerColor"] == 8
        assert h["BitsPerPixel"] == (24 if color else 8)
        assert h["BytesPerLine"] == 248 * (3 if color else 1)
        assert h["ColorOrder"] == 0
        assert h["ColorSpace"] == (19 if color else 18)
        assert h["NumColors"] == (3 if color else 1)
        assert h["TotalPageCount"] == 3
        assert h["PrintQuality"] == 5
        assert h["MediaType"] == "stationery"
        assert h["PageSizeName"] == "iso_a4_210x297mm"
        assert (h["CrossFeedTransform"], h["FeedTransform"]) == (1, 1)
        assert h["Duplex"] == h["Tumble"] == 0
        assert page.pixels == image.tobytes()

    # CUPS reads the same pages and pixels.
    from_cups = cups.read(data)
    assert [p.pixels for p in from_cups] == [p.pixels for p in decoded]
    assert [p.header for p in from_cups] == [p.header for p in decoded]


@pytest.mark.parametrize("color", [False, True])
def test_urf_round_trip_and_header(cups: Cups, color: bool) -> None:
    raster_job = job(
        color=color,
        total_pages=2,
        quality=3,
        duplex=True,
        tumble=True,
        media_type="photographic-glossy",
    )
    pages = drawn_pages(raster_job, 2)
    data = joined(encode_urf(iter(pages), raster_job))

    count, decoded = decode_urf(data)
    assert count == 2
    assert len(decoded) == 2
    for page, image in zip(decoded, pages, strict=True):
        assert page.header == {
            "bits": 24 if color else 8,
            "space": 1 if color else 0,
            "duplex": 2,  # short edge
            "quality": 3,
            "media_type": 11,  # photographic-glossy in the Apple list
            "slot": 0,
            "width": 248,
            "height": 350,
            "dpi": 30,
        }
        # normal sheet-back: the back side is sent as it is
        assert page.pixels == image.tobytes()

    from_cups = cups.read(data)
    assert [p.pixels for p in from_cups] == [p.pixels for p in decoded]
    h = from_cups[0].header
    assert (h["Width"], h["Height"], h["HWResolution0"]) == (248, 350, 30)
    assert h["ColorSpace"] == (19 if color else 18)  # sRGB / sGray
    # (CUPS 2.4 copies neither the page count nor the media type from URF.)
    assert (h["Duplex"], h["Tumble"]) == (1, 1)


@pytest.mark.parametrize(
    ("sides", "sheet_back"),
    [
        (sides, back)
        for sides in ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
        for back in ("normal", "flipped", "rotated", "manual-tumble")
    ],
)
@pytest.mark.parametrize(
    ("media", "size"), [("iso_a4_210x297mm", A4), ("na_letter_8.5x11in", LETTER)]
)
def test_pwg_header_matches_cups_reference(
    cups: Cups, sides: str, sheet_back: str, media: str, size: tuple[int, int]
) -> None:
    raster_job = job(
        width=size[0],
        length=size[1],
        media_name=media,
        dpi=100,
        color=True,
        total_pages=2,
        duplex=sides != "one-sided",
        tumble=sides == "two-sided-short-edge",
        sheet_back=SheetBack.from_keyword(sheet_back),
    )
    front, back = (
        Image.new("RGB", raster_job.page_pixels(), "white"),
        Image.new("RGB", raster_job.page_pixels(), "white"),
    )
    pages = decode_pwg(joined(encode_pwg(iter([front, back]), raster_job)))
    reference = cups.reference_header(media, True, 100, sides, sheet_back)
    # (MediaClass "PwgRaster" is filled in by CUPS's writer, not by this call.)
    compared = (
        "NumCopies",
        "HWResolution0",
        "HWResolution1",
        "PageSize0",
        "PageSize1",
        "Width",
        "Height",
        "BitsPerColor",
        "BitsPerPixel",
        "BytesPerLine",
        "ColorOrder",
        "ColorSpace",
        "NumColors",
        "Duplex",
        "Tumble",
        "PageSizeName",
    )
    for name in compared:
        assert pages[1].header[name] == reference[name], name
    # CUPS's header is the back side's; the front side is never transformed.
    # (For one-sided jobs CUPS fills in the transforms too, but nothing is a
    # back side then, so none apply.)
    if sides != "one-sided":
        assert pages[1].header["CrossFeedTransform"] == reference["CrossFeedTransform"]
        assert pages[1].header["FeedTransform"] == reference["FeedTransform"]
    else:
        assert (
            pages[1].header["CrossFeedTransform"],
            pages[1].header["FeedTransform"],
        ) == (1, 1)
    assert (
        pages[0].header["CrossFeedTransform"],
        pages[0].header["FeedTransform"],
    ) == (1, 1)


@pytest.mark.parametrize(
    ("sides", "sheet_back", "expected"),
    [
        # PWG 5102.4 / IPP Everywhere: -1 in a transform = mirrored on that axis.
        ("two-sided-long-edge", "rotated", Image.Transpose.ROTATE_180),
        ("two-sided-long-edge", "flipped", Image.Transpose.FLIP_TOP_BOTTOM),
        ("two-sided-short-edge", "flipped", Image.Transpose.FLIP_LEFT_RIGHT),
        ("two-sided-short-edge", "manual-tumble", Image.Transpose.ROTATE_180),
        ("two-sided-short-edge", "rotated", None),
        ("two-sided-long-edge", "normal", None),
    ],
)
def test_duplex_back_side_is_transformed(
    sides: str, sheet_back: str, expected: Image.Transpose | None
) -> None:
    raster_job = job(
        total_pages=3,
        duplex=True,
        tumble=sides == "two-sided-short-edge",
        sheet_back=SheetBack.from_keyword(sheet_back),
    )
    pages = drawn_pages(raster_job, 3)
    decoded = decode_pwg(joined(encode_pwg(iter(pages), raster_job)))
    back = pages[1] if expected is None else pages[1].transpose(expected)
    assert decoded[0].pixels == pages[0].tobytes()
    assert decoded[1].pixels == back.tobytes()
    assert decoded[2].pixels == pages[2].tobytes()  # next sheet's front


def test_rgbx_pages_are_encoded_as_rgb() -> None:
    raster_job = job(color=True)
    (page,) = drawn_pages(raster_job, 1)
    decoded = decode_pwg(joined(encode_pwg(iter([page.convert("RGBX")]), raster_job)))
    assert decoded[0].pixels == page.tobytes()


def test_line_repeat_count_is_capped_at_256() -> None:
    raster_job = job(dpi=100)  # 826 x 1169 blank lines
    width, height = raster_job.page_pixels()
    page = Image.new("L", (width, height), 255)
    data = joined(encode_pwg(iter([page]), raster_job))
    body = data[4 + 1796 :]
    # ceil(1169 / 256) = 5 line groups, each: repeat byte + runs of 128 white.
    runs = -(-width // 128)
    assert len(body) == 5 * (1 + runs * 2)
    assert body[0] == 255
    assert decode_pwg(data)[0].pixels == page.tobytes()


@pytest.mark.parametrize(
    ("line", "bpp", "expected"),
    [
        # values from the section 5.3 definition, worked by hand
        (b"\x07", 1, b"\x00\x07"),  # one pixel: a run of one
        (b"\x07\x07\x07", 1, b"\x02\x07"),
        (b"\x01\x02\x03", 1, b"\xfe\x01\x02\x03"),  # 257 - 3 = 254
        (b"\x01\x02\x02", 1, b"\x00\x01\x01\x02"),
        (b"\x05" * 130, 1, b"\x7f\x05\x01\x05"),  # 128 + 2
        (b"\x01\x02\x03" * 2, 3, b"\x01\x01\x02\x03"),
        (b"\x01\x02\x03\x01\x02\x04", 3, b"\xff\x01\x02\x03\x01\x02\x04"),
        (b"", 1, b""),
    ],
)
def test_encode_line_by_hand(line: bytes, bpp: int, expected: bytes) -> None:
    assert encode_line(line, bpp) == expected


def test_encode_line_long_literal_is_split_at_128() -> None:
    line = bytes(range(200))
    encoded = encode_line(line, 1)
    assert encoded[0] == 257 - 128
    assert encoded[1:129] == line[:128]
    assert encoded[129] == 257 - 72
    assert encoded[130:] == line[128:]


def test_urf_white_tail_uses_fill_code() -> None:
    line = b"\x00\x10\x20" + b"\xff" * 30
    assert encode_line(line, 3, white_fill=True) == b"\x00\x00\x10\x20\x80"
    assert encode_line(b"\xff" * 9, 3, white_fill=True) == b"\x80"
    # a pixel that only ends in 0xff is not white
    assert encode_line(b"\x00\xff\xff", 3, white_fill=True) == b"\x00\x00\xff\xff"


def test_random_lines_round_trip() -> None:
    rng = random.Random(7)
    for bpp in (1, 3):
        for _ in range(200):
            pixels = [
                bytes(rng.choice((0, 255, rng.randrange(256))) for _ in range(bpp))
                for _ in range(rng.randrange(1, 400))
            ]
            # runs of random length
            line = b"".join(p * rng.choice((1, 1, 2, 5, 130, 300)) for p in pixels[:20])
            encoded = b"\x00" + encode_line(line, bpp, white_fill=bpp == 3)
            decoded, end = decode_lines(encoded, 0, len(line) // bpp, 1, bpp, urf=True)
            assert decoded == line
            assert end == len(encoded)


def test_pages_are_requested_one_at_a_time() -> None:
    raster_job = job(total_pages=3)
    handed_out = []

    def pages() -> Iterator[Image.Image]:
        for number in range(3):
            handed_out.append(number)
            yield Image.new("L", raster_job.page_pixels(), 255)

    chunks = encode_pwg(pages(), raster_job)
    assert next(chunks) == b"RaS2"
    assert handed_out == []
    next(chunks)  # first page header
    assert handed_out == [0]


def test_wrong_page_mode_is_refused() -> None:
    raster_job = job(color=False)
    with pytest.raises(RasterError, match="expected L"):
        joined(encode_pwg(iter([Image.new("RGB", (10, 10))]), raster_job))


@pytest.mark.parametrize(
    "changes",
    [
        {"dpi": 0},
        {"width": 0},
        {"length": -5},
        {"quality": 7},
        {"total_pages": -1},
        # A4 at 2400 dpi: 19843 x 28063 pixels, 2.2 GB of RGBX to render
        {"dpi": 2400},
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(RasterError):
        job(**changes)


def test_odd_line_length_is_refused() -> None:
    with pytest.raises(RasterError):
        encode_line(b"\x00\x01", 3)


def test_page_pixel_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages larger than the cap are refused by the job and by the encoder."""
    monkeypatch.setattr(raster, "MAX_PAGE_PIXELS", 30 * 30)
    with pytest.raises(RasterError, match="pixels"):
        job()  # A4 at 30 dpi: 248 x 350
    small = job(width=2540, length=2540)  # one inch at 30 dpi
    assert small.page_pixels() == (30, 30)
    with pytest.raises(RasterError, match="Page 1 is more than 900 pixels"):
        joined(encode_pwg(iter([Image.new("L", (31, 30), 255)]), small))
