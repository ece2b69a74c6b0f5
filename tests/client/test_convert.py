"""Format negotiation and conversion (no network)."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
import random
import struct
import textwrap
from typing import TYPE_CHECKING
import zlib

from PIL import Image, ImageDraw, ImageFile
import pytest

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
    HPEWSError,
    HPEWSOutOfMemoryError,
    HPEWSUnsupportedFormatError,
    PrintOptionError,
)
from custom_components.hp_ews.client.ipp import codec
from custom_components.hp_ews.client.models import PrintCapabilities
from custom_components.hp_ews.client.printing import convert, options, spool
from custom_components.hp_ews.client.printing.capabilities import raster_job
from custom_components.hp_ews.client.printing.convert import prepare_document
from custom_components.hp_ews.client.printing.formats import (
    ConversionKind,
    choose_format,
    sniff_format,
)
from custom_components.hp_ews.client.printing.options import (
    PrintOptions,
    media_size,
    parse_page_ranges,
    select_pages,
)
from custom_components.hp_ews.client.printing.raster import MAX_PAGE_PIXELS, SheetBack
from custom_components.hp_ews.client.printing.render import (
    image as render_image,
    pdf,
    runner,
    text as render_text,
)

from .test_raster import decode_pwg, decode_urf

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ipp"

RASTER_CAPS = PrintCapabilities(
    document_formats=("image/pwg-raster", "image/urf", "image/jpeg"),
    color_supported=True,
    pwg_raster_resolutions=(75,),
    pwg_raster_types=("sgray_8", "srgb_8"),
    urf_supported=("RS75", "W8", "SRGB24", "DM3"),
)


def caps(*formats: str) -> PrintCapabilities:
    return PrintCapabilities(
        document_formats=formats,
        color_supported=True,
        pwg_raster_resolutions=(75,),
        pwg_raster_types=("sgray_8", "srgb_8"),
        urf_supported=("RS75", "W8", "SRGB24"),
    )


async def collect(document: AsyncIterator[bytes] | convert.PreparedDocument) -> bytes:
    return b"".join([chunk async for chunk in document])


def fixture_caps(name: str) -> PrintCapabilities:
    message = codec.decode_ipp((FIXTURES / name).read_bytes())
    return ipp.capabilities_of(message.printer)


# --- sniffing and choosing ------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"\xef\xbb\xbf%PDF-1.4", "application/pdf"),  # junk before the header
        (b"%!PS-Adobe-3.0\n", "application/postscript"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"RaS2PwgRaster\x00", "image/pwg-raster"),
        (b"UNIRAST\x00\x00\x00\x00\x01", "image/urf"),
        (b"Shopping list:\n\t- milk\r\n\x0c", "text/plain"),
        ("Grüße, 日本語\n".encode(), "text/plain"),
        ("é".encode()[:1] + b"abc", None),  # not UTF-8
        (b"\x00\x01\x02binary", None),
        (b"", None),
    ],
)
def test_sniff_format(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected


def test_sniff_text_cut_inside_a_character() -> None:
    head = ("x" * 1021 + "€").encode()[:1023]
    assert sniff_format(head) == "text/plain"


@pytest.mark.parametrize(
    ("source", "supported", "target", "kind"),
    [
        (
            "application/pdf",
            ("application/pdf", "image/urf"),
            "application/pdf",
            "passthrough",
        ),
        ("APPLICATION/PDF", ("application/pdf",), "application/pdf", "passthrough"),
        (
            "application/pdf",
            ("image/urf", "image/pwg-raster"),
            "image/pwg-raster",
            "pdf_to_raster",
        ),
        ("application/pdf", ("image/urf", "image/jpeg"), "image/urf", "pdf_to_raster"),
        ("image/jpeg", ("image/jpeg", "image/urf"), "image/jpeg", "passthrough"),
        ("image/jpeg", ("image/urf",), "image/urf", "image_to_raster"),
        (
            "image/png",
            ("image/jpeg", "image/pwg-raster"),
            "image/pwg-raster",
            "image_to_raster",
        ),
        (
            "image/png",
            ("image/jpeg", "application/octet-stream"),
            "image/jpeg",
            "image_to_jpeg",
        ),
        (
            "text/plain; charset=utf-8",
            ("image/pwg-raster",),
            "image/pwg-raster",
            "text_to_raster",
        ),
        ("text/plain", ("text/plain", "image/urf"), "text/plain", "passthrough"),
        (
            "application/postscript",
            ("application/postscript",),
            "application/postscript",
            "passthrough",
        ),
        ("image/pwg-raster", ("image/pwg-raster",), "image/pwg-raster", "passthrough"),
    ],
)
def test_choose_format(
    source: str, supported: tuple[str, ...], target: str, kind: str
) -> None:
    conversion = choose_format(source, supported)
    assert conversion.document_format == target
    assert conversion.kind is ConversionKind(kind)
    assert conversion.passthrough == (kind == "passthrough")


@pytest.mark.parametrize(
    ("source", "supported"),
    [
        ("application/postscript", ("image/pwg-raster", "application/pdf")),
        ("application/pdf", ("image/jpeg", "application/octet-stream")),
        ("image/pwg-raster", ("image/urf",)),
        ("application/octet-stream", ("application/octet-stream",)),
        ("application/pdf", ()),
    ],
)
def test_choose_format_refuses(source: str, supported: tuple[str, ...]) -> None:
    with pytest.raises(HPEWSUnsupportedFormatError) as caught:
        choose_format(source, supported)
    assert caught.value.document_format == source
    assert isinstance(caught.value, HPEWSError)


def test_envy_4520_needs_raster_for_pdf() -> None:
    # document-format-supported of the real ENVY 4520 (fixture log).
    log = (
        FIXTURES / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
    ).read_text()
    line = next(x for x in log.splitlines() if "document-format-supported" in x)
    formats = tuple(line.split(" = ", 1)[1].split(","))
    assert (
        choose_format("application/pdf", formats).document_format == "image/pwg-raster"
    )
    assert choose_format("image/jpeg", formats).passthrough


# --- capabilities from real printers -------------------------------------------------


def test_capabilities_of_m127fw() -> None:
    capabilities = fixture_caps(
        "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp"
    )
    # Expected values from the decoded twin of the fixture.
    assert capabilities.document_formats == (
        "image/urf",
        "application/PCLm",
        "application/octet-stream",
        "image/jpeg",
    )
    assert capabilities.color_supported is False
    assert capabilities.media_default == "na_letter_8.5x11in"
    assert capabilities.urf_resolutions() == (600,)
    assert capabilities.printer_resolutions == (600,)
    assert capabilities.sides_supported == ("one-sided",)
    assert "Create-Job" in capabilities.operations
    assert "Identify-Printer" not in capabilities.operations
    # No PDF: a PDF becomes URF at 600 dpi in gray on letter paper.
    conversion = choose_format("application/pdf", capabilities.document_formats)
    assert conversion.document_format == "image/urf"
    job = raster_job(conversion, capabilities, PrintOptions(), 1)
    assert (job.dpi, job.color, job.media_name) == (600, False, "na_letter_8.5x11in")
    assert job.page_pixels() == (5100, 6600)


def test_capabilities_of_m476dn() -> None:
    capabilities = fixture_caps(
        "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp"
    )
    assert "application/pdf" in capabilities.document_formats
    assert capabilities.color_supported is True
    assert capabilities.color_modes == ("auto", "monochrome", "color")
    assert "DM1" in capabilities.urf_supported
    conversion = choose_format("image/png", capabilities.document_formats)
    assert conversion.document_format == "image/urf"
    job = raster_job(
        conversion, capabilities, PrintOptions(sides="two-sided-long-edge"), 1
    )
    assert (job.dpi, job.color, job.duplex, job.sheet_back) == (
        600,
        True,
        True,
        SheetBack.NORMAL,
    )
    mono = raster_job(
        conversion, capabilities, PrintOptions(color_mode="monochrome"), 1
    )
    assert mono.color is False


@pytest.mark.parametrize(
    "name",
    [
        "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp",
        "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp",
        "HP-LaserJet-100-colorMFP-M175nw__get-printer-attributes_raw.ipp",
    ],
)
def test_snapshot_has_the_capabilities_printing_reads(name: str) -> None:
    """One model, one parser: the snapshot decodes every attribute printing uses."""
    data = (FIXTURES / name).read_bytes()
    from_snapshot = ipp.parse_printer_attributes(data, "http://printer/ipp/print")
    assert from_snapshot.capabilities == fixture_caps(name)


def test_capabilities_without_raster_details() -> None:
    capabilities = PrintCapabilities(
        document_formats=("Image/URF",),
        operations=("Print-Job",),
        color_supported=True,
        printer_resolutions=(300,),
    )
    # Without urf-supported details: printer resolution, colour from the flag.
    job = raster_job(
        choose_format("application/pdf", ("image/urf",)),
        capabilities,
        PrintOptions(),
        2,
    )
    assert (job.dpi, job.color, job.total_pages) == (300, True, 2)


@pytest.mark.parametrize(
    ("resolutions", "quality", "media", "expected"),
    [
        ((150, 300, 600), None, "A4", 300),
        ((150, 300, 600), "draft", "A4", 300),
        ((150, 300, 600), "high", "A4", 600),
        ((600, 1200), "high", "A4", 600),  # capped: 1200 dpi pages are too big
        ((300, 600, 1200, 2400), "high", "letter", 600),
        ((1200,), None, "4x6", 1200),  # 1200 only when the printer lists nothing less
        ((1200, 2400), "high", "4x6", 1200),
        ((150,), None, "A4", 150),
        ((), None, "A4", 300),
        # 600 dpi A3 would be 69.6 million pixels: the next resolution down
        ((300, 600), "high", "A3", 300),
        ((300, 600), "high", "tabloid", 300),
        ((300, 600), "high", "legal", 600),
    ],
)
def test_resolution_choice(
    resolutions: tuple[int, ...], quality: str | None, media: str, expected: int
) -> None:
    capabilities = PrintCapabilities(
        document_formats=("image/pwg-raster",),
        pwg_raster_resolutions=resolutions,
        pwg_raster_types=("sgray_8",),
    )
    conversion = choose_format("application/pdf", capabilities.document_formats)
    job = raster_job(
        conversion, capabilities, PrintOptions(quality=quality, media=media), 1
    )
    assert job.dpi == expected
    width, height = job.page_pixels()
    assert width * height <= MAX_PAGE_PIXELS


def test_resolutions_beyond_1200_are_refused() -> None:
    """A printer listing only 2400 dpi would make us render 560 MB pages."""
    capabilities = PrintCapabilities(
        document_formats=("image/pwg-raster",), pwg_raster_resolutions=(2400, 4800)
    )
    conversion = choose_format("application/pdf", capabilities.document_formats)
    with pytest.raises(HPEWSUnsupportedFormatError, match="2400 dpi") as caught:
        raster_job(conversion, capabilities, PrintOptions(), 1)
    assert caught.value.document_format == "application/pdf"


@pytest.mark.parametrize(
    ("resolutions", "media"),
    [
        ((1200,), "A4"),  # 139 million pixels, and nothing lower to fall back on
        ((300,), "custom_huge_1000x1000mm"),  # a printer's (or user's) giant media
    ],
)
def test_page_pixel_cap(resolutions: tuple[int, ...], media: str) -> None:
    capabilities = PrintCapabilities(
        document_formats=("image/urf",),
        urf_supported=("W8", "RS" + "-".join(map(str, resolutions))),
        media_default=media,
    )
    conversion = choose_format("text/plain", capabilities.document_formats)
    with pytest.raises(HPEWSDocumentLimitError) as caught:
        raster_job(conversion, capabilities, PrintOptions(), 1)
    assert caught.value.limit is DocumentLimit.PAGE_PIXELS
    assert caught.value.maximum == MAX_PAGE_PIXELS


def test_gray_only_printer_gets_gray() -> None:
    capabilities = PrintCapabilities(
        document_formats=("image/pwg-raster",),
        color_supported=True,
        pwg_raster_types=("sgray_8",),
    )
    job = raster_job(
        choose_format("image/png", ("image/pwg-raster",)),
        capabilities,
        PrintOptions(),
        1,
    )
    assert job.color is False


# --- options --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ("A4", (21000, 29700)),
        ("letter", (21590, 27940)),
        ("na_legal_8.5x14in", (21590, 35560)),
        ("4x6", (10160, 15240)),
        ("iso_a5_148x210mm", (14800, 21000)),
        ("om_small-photo_100x150mm", (10000, 15000)),
    ],
)
def test_media_size(media: str, expected: tuple[int, int]) -> None:
    assert media_size(media) == expected


@pytest.mark.parametrize("media", ["tray-1", "custom_max_8.5x14", "", "iso_a4_0x0mm"])
def test_media_size_refuses(media: str) -> None:
    with pytest.raises(PrintOptionError):
        media_size(media)


def test_page_ranges() -> None:
    assert parse_page_ranges("1-3, 5,7-") == ((1, 3), (5, 5), (7, 2**31 - 1))
    assert parse_page_ranges("4,1-2") == ((1, 2), (4, 4))
    for bad in ("", "a", "3-x", "-2"):
        with pytest.raises(PrintOptionError):
            parse_page_ranges(bad)
    assert select_pages(5, ((2, 3), (5, 9))) == [1, 2, 4]
    assert select_pages(3, ()) == [0, 1, 2]
    assert select_pages(2, ((4, 6),)) == []


@pytest.mark.parametrize(
    "options",
    [
        {"copies": 0},
        {"copies": 1000},
        {"sides": "both"},
        {"quality": "best"},
        {"orientation": "sideways"},
        {"color_mode": "Color!"},
        {"media": "tray-1"},
        {"page_ranges": ((3, 2),)},
        {"page_ranges": ((1, 3), (2, 4))},
        {"job_name": "x" * 256},
    ],
)
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(PrintOptionError) as caught:
        PrintOptions(**options)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


# --- conversions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 A4 pages (72 dpi images), each with a black square at a different place."""
    pages = []
    for number in range(3):
        page = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(page).rectangle(
            (100 + number * 100, 100, 199 + number * 100, 199), fill="black"
        )
        pages.append(page)
    path = tmp_path_factory.mktemp("pdf") / "squares.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=72)
    return path


def _at(pixels: bytes, width: int, bpp: int, x: int, y: int) -> bytes:
    start = (y * width + x) * bpp
    return pixels[start : start + bpp]


async def test_pdf_to_pwg_page_by_page(pdf_path: Path) -> None:
    async with prepare_document(
        pdf_path, RASTER_CAPS, PrintOptions(media="A4", page_ranges=((2, 3),))
    ) as document:
        assert document.document_format == "image/pwg-raster"
        assert document.pages == 2
        data = await collect(document)
    pages = decode_pwg(data)
    assert len(pages) == 2
    for page, number in zip(pages, (1, 2), strict=True):
        assert (page.header["Width"], page.header["Height"]) == (620, 876)  # A4, 75 dpi
        assert page.header["TotalPageCount"] == 2
        assert page.header["ColorSpace"] == 19
        # the square's centre (pt 150+100n, 150) is black, the page corner white
        x, y = round((150 + number * 100) * 75 / 72), round(150 * 75 / 72)
        assert max(_at(page.pixels, 620, 3, x, y)) < 40
        assert _at(page.pixels, 620, 3, 5, 5) == b"\xff\xff\xff"


async def test_pdf_to_urf_gray_on_letter(pdf_path: Path) -> None:
    options = PrintOptions(media="letter", color_mode="monochrome")
    async with prepare_document(pdf_path, caps("image/urf"), options) as document:
        data = await collect(document)
    count, pages = decode_urf(data)
    assert count == len(pages) == 3
    # letter at 75 dpi; the A4 page is scaled to fit the width
    assert {
        (p.header["width"], p.header["height"], p.header["bits"]) for p in pages
    } == {(637, 825, 8)}


async def test_landscape_pdf_page_is_turned(tmp_path: Path) -> None:
    path = tmp_path / "wide.pdf"
    page = Image.new("L", (842, 595), 255)
    ImageDraw.Draw(page).rectangle((0, 0, 420, 595), fill=0)  # left half black
    page.save(path, resolution=72)
    job_caps = caps("image/pwg-raster")
    async with prepare_document(
        path, job_caps, PrintOptions(media="A4", color_mode="monochrome")
    ) as document:
        (decoded,) = decode_pwg(await collect(document))
    # Portrait paper: the page was turned a quarter clockwise, so its left
    # half is now the top half.
    width = int(decoded.header["Width"])
    height = int(decoded.header["Height"])
    assert _at(decoded.pixels, width, 1, width // 2, height // 4) == b"\x00"
    assert _at(decoded.pixels, width, 1, width // 2, height * 3 // 4) == b"\xff"


async def test_jpeg_to_raster_fits_the_page(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (4000, 3000), (0, 0, 255)).save(path, quality=90)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(media="4x6")
    ) as document:
        assert document.conversion.kind is ConversionKind.IMAGE_TO_RASTER
        (page,) = decode_pwg(await collect(document))
    assert (page.header["Width"], page.header["Height"]) == (300, 450)
    # landscape photo turned onto portrait paper: blue fills the width
    r, g, b = _at(page.pixels, 300, 3, 150, 225)
    assert b > 200
    assert max(r, g) < 40


async def test_png_with_alpha_becomes_white_background(tmp_path: Path) -> None:
    path = tmp_path / "clear.png"
    image = Image.new("RGBA", (200, 300), (255, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((50, 50, 150, 250), fill=(255, 0, 0, 255))
    image.save(path)
    async with prepare_document(
        path, caps("image/urf"), PrintOptions(media="A4")
    ) as document:
        _, (page,) = decode_urf(await collect(document))
    width = int(page.header["width"])
    assert _at(page.pixels, width, 3, 3, 3) == b"\xff\xff\xff"
    height = int(page.header["height"])
    assert _at(page.pixels, width, 3, width // 2, height // 2) == b"\xff\x00\x00"


async def test_png_to_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGB", (64, 48), (10, 200, 10)).save(path)
    async with prepare_document(path, caps("image/jpeg")) as document:
        assert document.document_format == "image/jpeg"
        data = await collect(document)
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))


async def test_text_stream_to_pages() -> None:
    async def text() -> AsyncIterator[bytes]:
        yield b"First page\n"
        yield b"still first\fSecond page\n\f"
        yield "Third — ünïcode\n".encode()

    async with prepare_document(text(), caps("image/pwg-raster")) as document:
        assert document.conversion.kind is ConversionKind.TEXT_TO_RASTER
        assert document.pages == 3
        pages = decode_pwg(await collect(document))
    assert len(pages) == 3
    assert all(p.header["ColorSpace"] == 18 for p in pages)  # text is gray
    for page in pages:
        # ink within the 0.5 inch margins only
        width = int(page.header["Width"])
        dark = [i for i, v in enumerate(page.pixels) if v < 128]
        assert dark
        assert min(i % width for i in dark) >= 37


async def test_text_is_wrapped_into_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 5000)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(page_ranges=((2, 2),))
    ) as document:
        assert document.pages == 1
        assert document.raster is not None
        assert document.raster.total_pages == 1
        (page,) = decode_pwg(await collect(document))
    assert any(v < 128 for v in page.pixels)


async def test_passthrough_streams_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    payload = b"%PDF-1.4\n" + bytes(range(256)) * 20_000
    path.write_bytes(payload)
    async with prepare_document(path, caps("application/pdf")) as document:
        chunks = [chunk async for chunk in document]
    assert b"".join(chunks) == payload
    assert max(map(len, chunks)) <= spool.READ_CHUNK


async def test_declared_format_wins_over_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"plain words")
    async with prepare_document(
        path, caps("application/pdf"), document_format="application/pdf"
    ) as document:
        assert document.conversion.passthrough
    # octet-stream means "unknown": sniffed
    async with prepare_document(
        path, caps("text/plain"), document_format="application/octet-stream"
    ) as document:
        assert document.document_format == "text/plain"


async def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="not found"):
        async with prepare_document(tmp_path / "nope.pdf", RASTER_CAPS):
            pass


async def test_directory_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="Not a file"):
        async with prepare_document(tmp_path, RASTER_CAPS):
            pass


async def test_unrecognised_bytes() -> None:
    async def blob() -> AsyncIterator[bytes]:
        yield b"\x00\x01\x02\x03" * 10

    with pytest.raises(HPEWSUnsupportedFormatError) as caught:
        async with prepare_document(blob(), RASTER_CAPS):
            pass
    assert caught.value.document_format is None


async def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    with pytest.raises(HPEWSDocumentError, match="PDF"):
        async with prepare_document(path, RASTER_CAPS):
            pass


async def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises(HPEWSDocumentError, match="image"):
        async with prepare_document(path, caps("image/pwg-raster")):
            pass


async def test_page_ranges_beyond_the_document(pdf_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="no page"):
        async with prepare_document(
            pdf_path, RASTER_CAPS, PrintOptions(page_ranges=((9, 9),))
        ):
            pass


async def test_size_cap_on_streams_and_files(tmp_path: Path, pdf_path: Path) -> None:
    async def big() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        for _ in range(10):
            yield b"\0" * 1000

    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(
            big(), caps("application/pdf"), max_bytes=5000
        ) as document:
            await collect(document)
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(pdf_path, RASTER_CAPS, max_bytes=100):
            pass
    # a file sent as it is: refused from its size, before anything is sent
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(pdf_path, caps("application/pdf"), max_bytes=100):
            pytest.fail("not refused when opened")
    # a converted stream is spooled under the cap, then removed
    spool = tmp_path / "spool"
    spool.mkdir()
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(
            big(), RASTER_CAPS, spool_dir=spool, max_bytes=5000
        ):
            pass
    assert list(spool.iterdir()) == []


@pytest.fixture
def pdf_bytes(pdf_path: Path) -> bytes:
    return pdf_path.read_bytes()


async def test_streamed_pdf_is_spooled_and_removed(
    tmp_path: Path, pdf_bytes: bytes
) -> None:
    data = pdf_bytes

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 700):
            yield data[start : start + 700]

    spool = tmp_path / "spool"
    spool.mkdir()
    async with prepare_document(stream(), RASTER_CAPS, spool_dir=spool) as document:
        # Unlinked as soon as it is made: nothing to leave behind on a crash.
        assert list(spool.iterdir()) == []
        assert len(decode_pwg(await collect(document))) == 3
    assert list(spool.iterdir()) == []
    with pytest.raises(HPEWSDocumentError, match="Cannot spool"):
        async with prepare_document(
            stream(), RASTER_CAPS, spool_dir=tmp_path / "missing"
        ):
            pass


async def test_stopping_early_closes_the_converter(pdf_path: Path) -> None:
    async with prepare_document(pdf_path, RASTER_CAPS) as document:
        iterator = aiter(document)
        assert await anext(iterator) == b"RaS2"
    # leaving the context closed the renderer: the PDF can be opened again
    # and nothing is left running in the executor
    async with prepare_document(pdf_path, RASTER_CAPS) as document:
        assert len(decode_pwg(await collect(document))) == 3


async def test_cancelled_conversion_finishes_cleanly(pdf_path: Path) -> None:
    async def consume() -> None:
        async with prepare_document(pdf_path, caps("image/pwg-raster")) as document:
            async for _ in document:
                await asyncio.sleep(0)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- edge cases ------------------------------------------------------------------


def test_odd_capabilities_fall_back() -> None:
    capabilities = PrintCapabilities(
        document_formats=("image/urf",),
        urf_supported=("RSabc", "W8"),
        media_default="roll_current",
    )
    assert capabilities.urf_resolutions() == ()
    job = raster_job(
        choose_format("application/pdf", ("image/urf",)),
        capabilities,
        PrintOptions(),
        1,
    )
    assert (job.dpi, job.media_name, job.color) == (300, "iso_a4_210x297mm", False)


@pytest.mark.parametrize(
    "orientation", ["landscape", "reverse-landscape", "reverse-portrait"]
)
async def test_text_and_image_orientation(tmp_path: Path, orientation: str) -> None:
    text = tmp_path / "note.txt"
    text.write_text("top left\n")
    # a printer without sgray_8 gets colour pages even for text
    colour_only = PrintCapabilities(
        document_formats=("image/pwg-raster",),
        pwg_raster_resolutions=(75,),
        pwg_raster_types=("srgb_8",),
        color_supported=True,
    )
    async with prepare_document(
        text, colour_only, PrintOptions(orientation=orientation)
    ) as document:
        (page,) = decode_pwg(await collect(document))
    assert page.header["ColorSpace"] == 19
    width, height = int(page.header["Width"]), int(page.header["Height"])
    dark = [i // 3 for i, v in enumerate(page.pixels) if v < 100]
    xs = {i % width for i in dark}
    ys = {i // width for i in dark}
    # IPP: landscape turns the content 90 degrees counter-clockwise (its top
    # left corner goes to the bottom left), reverse-landscape clockwise.
    if orientation == "landscape":
        assert min(ys) > height / 2
        assert max(xs) < width / 2
    elif orientation == "reverse-landscape":
        assert min(xs) > width / 2
        assert max(ys) < height / 2
    else:
        assert min(ys) > height / 2
        assert min(xs) > width / 2

    # an image whose top row is red: where does the red end up?
    photo = tmp_path / "flag.png"
    flag = Image.new("RGB", (40, 20), "white")
    ImageDraw.Draw(flag).rectangle((0, 0, 39, 4), fill=(255, 0, 0))
    flag.save(photo)
    async with prepare_document(
        photo, colour_only, PrintOptions(orientation=orientation)
    ) as document:
        (image_page,) = decode_pwg(await collect(document))
    reds = [
        i // 3
        for i in range(0, len(image_page.pixels), 3)
        if image_page.pixels[i : i + 3] == b"\xff\x00\x00"
    ]
    red_x = sum(i % width for i in reds) / len(reds)
    red_y = sum(i // width for i in reds) / len(reds)
    if orientation == "landscape":
        assert red_x < width / 4  # top edge now on the left
    elif orientation == "reverse-landscape":
        assert red_x > width * 3 / 4
    else:
        assert red_y > height / 2  # top edge now at the bottom


async def test_text_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_text, "MAX_PAGES", 1)
    path = tmp_path / "pages.txt"
    path.write_text("a\fb\fc\fd\n")
    with pytest.raises(HPEWSDocumentLimitError, match="longer than") as caught:
        async with prepare_document(path, caps("image/pwg-raster")):
            pass
    assert (caught.value.limit, caught.value.maximum) == (DocumentLimit.PAGES, 1)
    path.write_text("only one page\n")
    with pytest.raises(HPEWSDocumentError, match="no page"):
        async with prepare_document(
            path, caps("image/pwg-raster"), PrintOptions(page_ranges=((2, 2),))
        ):
            pass


async def test_pillow_decompression_bomb_is_a_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow's own (global) bound, should it be set lower than ours."""
    path = tmp_path / "huge.png"
    Image.new("L", (400, 400), 0).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(HPEWSDocumentLimitError, match="too large"):
        async with prepare_document(path, caps("image/pwg-raster")):
            pass
    with pytest.raises(HPEWSDocumentLimitError, match="too large"):
        async with prepare_document(path, caps("image/jpeg")) as document:
            await collect(document)


async def test_corrupt_png_for_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(HPEWSDocumentError, match="image"):
        async with prepare_document(path, caps("image/jpeg")) as document:
            await collect(document)


# --- hostile documents: every bound is checked before the work it guards ---------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def header_only_png(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` RGBA pixels and holds one row.

    Decoding it would allocate width * height * 4 bytes before finding out
    the data is short: only the header may be read.
    """
    row = zlib.compress(b"\x00" + b"\xff" * 4 * min(width, 64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + _png_chunk(b"IDAT", row)
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture
def loaded_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every image file Pillow decodes (``ImageFile.load``)."""
    sizes: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


# Pillow warns (an error here) from 89 million pixels: ours is the check tested.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [13000, 9000])
@pytest.mark.parametrize("target", ["image/pwg-raster", "image/urf", "image/jpeg"])
async def test_huge_png_is_refused_from_its_header(
    tmp_path: Path, side: int, target: str, loaded_sizes: list[tuple[int, int]]
) -> None:
    """13000 x 13000 RGBA is 676 MB decoded (3 GB with the copies converting made)."""
    path = tmp_path / "huge.png"
    path.write_bytes(header_only_png(side, side))
    with pytest.raises(HPEWSDocumentLimitError, match=f"{side} x {side}") as caught:
        async with prepare_document(path, caps(target)) as document:
            await collect(document)
    assert caught.value.limit is DocumentLimit.IMAGE_PIXELS
    assert caught.value.maximum == render_image.MAX_IMAGE_PIXELS == 8192 * 8192
    assert loaded_sizes == []


async def test_image_budget_counts_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loaded_sizes: list[tuple[int, int]]
) -> None:
    monkeypatch.setattr(render_image, "MAX_IMAGE_PIXELS", 100 * 100)
    path = tmp_path / "wide.png"
    Image.new("RGB", (101, 100), "red").save(path)
    with pytest.raises(HPEWSDocumentLimitError, match="101 x 100"):
        async with prepare_document(path, caps("image/pwg-raster")) as document:
            await collect(document)
    assert loaded_sizes == []
    Image.new("RGB", (100, 100), "red").save(path)
    async with prepare_document(path, caps("image/pwg-raster")) as document:
        (page,) = decode_pwg(await collect(document))
    assert _at(page.pixels, int(page.header["Width"]), 3, 310, 438) == b"\xff\0\0"


async def test_big_jpeg_is_decoded_at_a_reduced_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loaded_sizes: list[tuple[int, int]]
) -> None:
    """A JPEG over the budget is fine when 1/8 scale still covers the page."""
    monkeypatch.setattr(render_image, "MAX_IMAGE_PIXELS", 200_000)
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (4000, 3000), (0, 0, 255)).save(path, quality=90)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(media="4x6")
    ) as document:
        (page,) = decode_pwg(await collect(document))
    # The page is 300 x 450 at 75 dpi; the photo is turned onto it, so 450
    # of its width are needed: 1/8 scale (500 x 375) is enough.
    assert loaded_sizes
    assert set(loaded_sizes) == {(500, 375)}
    assert (page.header["Width"], page.header["Height"]) == (300, 450)
    r, g, b = _at(page.pixels, 300, 3, 150, 225)
    assert b > 200
    assert max(r, g) < 40
    # The scale that would be needed is over the budget: refused, not decoded.
    Image.new("RGB", (4000, 3000), (0, 0, 255)).save(path, quality=90)
    loaded_sizes.clear()
    with pytest.raises(HPEWSDocumentLimitError):
        async with prepare_document(
            path, caps("image/pwg-raster"), PrintOptions(media="A3")
        ) as document:
            await collect(document)
    assert loaded_sizes == []


async def test_big_palette_png_is_shrunk_a_band_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Converting or premultiplying happens on bands, never on the whole image."""
    path = tmp_path / "palette.png"
    image = Image.new("P", (2000, 2000), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    ImageDraw.Draw(image).rectangle((0, 0, 999, 1999), fill=1)  # left half blue
    image.info["transparency"] = 0  # the right half (red) is transparent
    image.save(path, transparency=0)
    converted: list[tuple[int, int]] = []
    original = Image.Image.convert

    def convert_spy(self: Image.Image, *args: object, **kwargs: object) -> Image.Image:
        converted.append(self.size)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "convert", convert_spy)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(media="A4")
    ) as document:
        (page,) = decode_pwg(await collect(document))
    # A4 at 75 dpi is 620 x 876: the 2000 x 2000 image is reduced 3 times.
    assert converted
    assert max(width * height for width, height in converted) <= 2000 * 3 * 64
    width = int(page.header["Width"])
    assert _at(page.pixels, width, 3, 200, 438) == b"\0\0\xff"
    assert _at(page.pixels, width, 3, 420, 438) == b"\xff\xff\xff"


async def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    """EXIF 6: the stored top row is shown on the right (a phone held upright)."""
    path = tmp_path / "upright.jpg"
    stored = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(stored).rectangle((0, 0, 399, 39), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, exif=exif, quality=95)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(media="A4")
    ) as document:
        (page,) = decode_pwg(await collect(document))
    width, height = int(page.header["Width"]), int(page.header["Height"])
    red = [
        (i // 3) % width
        for i in range(0, len(page.pixels), 3)
        if page.pixels[i] > 200 and page.pixels[i + 1] < 80
    ]
    # Upright the photo is portrait, as the page: no turn onto the paper. It
    # is 438 x 876 at x = 91, its right fifth (the stored top rows) red.
    assert (width, height) == (620, 876)
    assert 438 <= min(red) <= 445
    assert 525 <= max(red) <= 529


async def test_png_for_a_jpeg_printer_is_reduced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_image, "MAX_JPEG_PIXELS", 1000)
    path = tmp_path / "logo.png"
    Image.new("RGBA", (100, 100), (10, 200, 10, 255)).save(path)
    async with prepare_document(path, caps("image/jpeg")) as document:
        data = await collect(document)
    with Image.open(io.BytesIO(data)) as image:
        # 10,000 pixels: a quarter of the side brings them under 1000
        assert (image.format, image.size) == ("JPEG", (25, 25))


class Python314Wrapper(textwrap.TextWrapper):
    """textwrap as of Python 3.14: a full line takes no empty piece of a long word.

    (3.13 appended one, which kept the whitespace before it at the line end.)
    """

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = width - cur_len
        if space_left > 0:
            cur_line.append(reversed_chunks[-1][:space_left])
            reversed_chunks[-1] = reversed_chunks[-1][space_left:]


def _reference_lines(text: str, columns: int) -> list[str | None]:
    """What the converter printed before lines were read in pieces."""
    wrapper = Python314Wrapper(
        columns,
        replace_whitespace=False,
        drop_whitespace=True,
        break_on_hyphens=False,
    )
    out: list[str | None] = []
    for raw_line in io.StringIO(text, newline=None):
        segments = raw_line.rstrip("\n").split("\f")
        for number, segment in enumerate(segments):
            if number:
                out.append(None)
            if not segment and len(segments) > 1:
                continue
            out.extend(wrapper.wrap(segment.expandtabs(8)) or [""])
    return out


def test_text_lines_are_textwraps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random texts, read a few characters at a time, wrap as textwrap does."""
    rng = random.Random(9)
    pieces = [
        "a", "bb", "www", " ", "  ", "\t", "\n", "\f", "\x0b", "é", "\r\n",
        "\r", "\u3000x", "\u3000", "\xa0", " \u3000 ",
    ]  # fmt: skip
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(0, 50)):
            roll = rng.random()
            if roll < 0.05:
                parts.append("x" * rng.randint(5, 60))
            elif roll < 0.08:
                parts.append(" " * rng.randint(5, 60))
            else:
                parts.append(rng.choice(pieces))
        text = "".join(parts)
        columns = rng.randint(1, 12)
        monkeypatch.setattr(render_text, "TEXT_READ_CHARS", rng.randint(1, 9))
        got = list(render_text._text_lines(io.StringIO(text, newline=None), columns))
        assert got == _reference_lines(text, columns), (text, columns)


class CountingReader(io.StringIO):
    """A text that may only be read in pieces, and counts them."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> str:
        assert size is not None
        assert 0 < size <= render_text.TEXT_READ_CHARS
        piece = super().read(size)
        self.reads.append(len(piece))
        return piece

    def readline(self, size: int | None = -1) -> str:
        raise AssertionError("a line is read whole")

    def __next__(self) -> str:
        raise AssertionError("a line is read whole")


@pytest.mark.parametrize("unit", ["word ", "x", " ", "\u3000", "\t"])
def test_one_huge_line_is_read_in_pieces(unit: str) -> None:
    """4 MiB without a line break: read 64 KiB at a time, never held whole."""
    text = unit * (4 * 1024 * 1024 // len(unit))
    reader = CountingReader(text)
    wrapper_sizes: list[int] = []
    original_feed = render_text._LineWrapper.feed

    def feed(self: render_text._LineWrapper, piece: str) -> None:
        original_feed(self, piece)
        wrapper_sizes.append(len(self._chunk) + self._length)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_text._LineWrapper, "feed", feed)
        lines = list(render_text._text_lines(reader, 80))
    assert len(reader.reads) >= len(text) // render_text.TEXT_READ_CHARS
    assert max(wrapper_sizes) <= render_text.TEXT_READ_CHARS + 80
    assert all(line is not None and len(line) <= 80 for line in lines)
    if unit == "word ":
        assert lines[:2] == [("word " * 16).strip()] * 2
        assert len(lines) == -(-len(text) // (16 * 5))
    elif unit == "x":
        assert lines[0] == "x" * 80
        assert len(lines) == -(-len(text) // 80)
    else:
        # Only white space (U+3000 too): textwrap makes no line of it.
        assert lines == [""]


async def test_text_file_is_read_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The converter's own file reading, not only the wrapper, goes by pieces."""
    path = tmp_path / "line.txt"
    path.write_text("lorem ipsum " * 200_000)  # 2.4 MB, no line break
    readers: list[CountingReader] = []
    original_open = spool.Disk.open_text

    def open_spy(self: spool.Disk) -> CountingReader:
        with original_open(self) as handle:
            reader = CountingReader(handle.read())
        readers.append(reader)
        return reader

    monkeypatch.setattr(spool.Disk, "open_text", open_spy)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(page_ranges=((1, 1),))
    ) as document:
        assert document.pages == 1
        (page,) = decode_pwg(await collect(document))
    assert any(v < 128 for v in page.pixels)
    counting, rendering = readers
    assert sum(counting.reads) == 2_400_000
    # Printing page 1 reads no further than page 1.
    assert sum(rendering.reads) <= render_text.TEXT_READ_CHARS


async def test_pdf_page_cap(pdf_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options, "MAX_PAGES", 2)
    with pytest.raises(HPEWSDocumentLimitError, match="3 pages") as caught:
        async with prepare_document(pdf_path, RASTER_CAPS):
            pass
    assert (caught.value.limit, caught.value.maximum) == (DocumentLimit.PAGES, 2)
    async with prepare_document(
        pdf_path, RASTER_CAPS, PrintOptions(page_ranges=((2, 9),))
    ) as document:
        assert len(decode_pwg(await collect(document))) == 2


def test_page_selection_is_counted_before_it_is_listed() -> None:
    """A PDF claiming 2**31 pages: nothing proportional is built to refuse it."""
    with pytest.raises(HPEWSDocumentLimitError, match="2147483647 pages"):
        select_pages(2**31 - 1, ())
    with pytest.raises(HPEWSDocumentLimitError):
        select_pages(2**31 - 1, ((1, 3000), (2999, 6000)), limit=5999)
    assert select_pages(2**31 - 1, ((1, 3000), (2999, 6000)), limit=6000) == list(
        range(6000)
    )
    assert select_pages(10, ((3, 4), (1, 3))) == [0, 1, 2, 3]


class StoppedClock(runner.RenderClock):
    """A clock whose time is up as soon as it is asked."""

    def __init__(self) -> None:
        super().__init__(0.0)
        self.asked = 0

    def over(self) -> bool:
        self.asked += 1
        return True


def test_pdfium_pauses_when_the_time_is_up(tmp_path: Path) -> None:
    """pdfium asks whether to pause while drawing a page: the page is abandoned."""
    path = tmp_path / "busy.pdf"
    content = b"".join(b"%d %d 2 2 re f\n" % (n % 500, n // 500) for n in range(20000))
    path.write_bytes(_one_page_pdf(content))
    conversion = choose_format("application/pdf", ("image/pwg-raster",))
    job = raster_job(conversion, caps("image/pwg-raster"), PrintOptions(), 1)
    clock = StoppedClock()
    with path.open("rb") as handle:
        disk = spool.Disk(handle.fileno(), path.stat().st_size, "busy.pdf")
        pages = pdf.render_pages(disk, job, [0], clock)
        with pytest.raises(
            HPEWSDocumentLimitError, match="longer than 0 seconds"
        ) as caught:
            next(pages)
    assert caught.value.limit is DocumentLimit.RENDER_SECONDS
    # pdfium asked between drawing steps, and stopped when told to.
    assert clock.asked >= 1


def _one_page_pdf(content: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


async def test_render_time_is_bounded(
    pdf_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget covers the whole document, checked before every step."""
    monkeypatch.setattr(convert, "RENDER_SECONDS", 0.0)
    for path, target in (
        (pdf_path, "image/pwg-raster"),
        (tmp_path / "note.txt", "image/urf"),
    ):
        if path.suffix == ".txt":
            path.write_text("hello\n")
        with pytest.raises(HPEWSDocumentLimitError) as caught:
            async with prepare_document(path, caps(target)) as document:
                await collect(document)
        assert caught.value.limit is DocumentLimit.RENDER_SECONDS


async def test_out_of_memory_is_a_library_error(
    pdf_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*args: object) -> None:
        raise MemoryError

    photo = tmp_path / "photo.png"
    Image.new("RGB", (10, 10)).save(photo)
    monkeypatch.setattr(render_image, "_flatten", no_memory)
    with pytest.raises(HPEWSOutOfMemoryError):
        async with prepare_document(photo, caps("image/urf")) as document:
            await collect(document)
    monkeypatch.setattr(pdf, "page_count", no_memory)
    with pytest.raises(HPEWSOutOfMemoryError) as caught:
        async with prepare_document(pdf_path, caps("image/urf")):
            pass
    assert isinstance(caught.value, HPEWSDocumentError)
    assert isinstance(caught.value.__cause__, MemoryError)


async def test_open_file_is_read_by_position(
    tmp_path: Path, pdf_path: Path, pdf_bytes: bytes
) -> None:
    """Given an open file, its own position is not used, nor moved, nor closed."""
    expected = pdf_bytes
    with pdf_path.open("rb") as handle:
        handle.seek(100)
        async with prepare_document(handle, caps("application/pdf")) as document:
            assert document.conversion.passthrough
            assert await collect(document) == expected
        async with prepare_document(handle, RASTER_CAPS) as document:
            assert len(decode_pwg(await collect(document))) == 3
        assert handle.tell() == 100
    text = tmp_path / "note.txt"
    text.write_text("hello\n")
    with text.open("rb") as handle:
        async with prepare_document(handle, RASTER_CAPS) as document:
            assert document.pages == 1


async def test_file_is_read_as_big_as_it_was_opened(tmp_path: Path) -> None:
    """Bytes appended after the size was taken (and checked) are not read."""
    path = tmp_path / "growing.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"%" * 5000)
    async with prepare_document(
        path, caps("application/pdf"), max_bytes=6000
    ) as document:
        with path.open("ab") as more:
            more.write(b"%" * 5000)
        assert len(await collect(document)) == 5009


async def test_fifo_is_not_a_document(tmp_path: Path) -> None:
    """Opening a FIFO would wait for a writer: refused at once instead."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(HPEWSDocumentError, match="Not a regular file"):
        async with prepare_document(fifo, RASTER_CAPS):
            pass


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("1", 0, b"\0\0\0"),
        ("L", 0, b"\0\0\0"),
        ("LA", (0, 255), b"\0\0\0"),
        ("LA", (0, 0), b"\xff\xff\xff"),  # transparent: white paper
        ("I;16", 0, b"\0\0\0"),
        ("RGBA", (0, 0, 255, 255), b"\0\0\xff"),
        ("P", 1, b"\0\0\xff"),
        ("CMYK", (255, 255, 0, 0), b"\0\0\xff"),
    ],
)
@pytest.mark.parametrize("side", [620, 4000])  # the page's size, or 6 times it
async def test_image_modes(
    tmp_path: Path, mode: str, value: object, expected: bytes, side: int
) -> None:
    """Every mode a PNG or JPEG decodes to is reduced and flattened onto the page."""
    image = Image.new(mode, (side, side), value)  # type: ignore[arg-type]
    if mode == "P":
        image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    path = tmp_path / ("photo.jpg" if mode == "CMYK" else "image.png")
    image.save(path, quality=100)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(media="A4")
    ) as document:
        (page,) = decode_pwg(await collect(document))
    width = int(page.header["Width"])
    pixel = _at(page.pixels, width, 3, 310, 438)
    assert max(abs(a - b) for a, b in zip(pixel, expected, strict=True)) < 8


async def test_exif_orientation_for_a_jpeg_printer(tmp_path: Path) -> None:
    """A PNG re-encoded as JPEG is turned upright first (the JPEG has no EXIF)."""
    path = tmp_path / "turned.png"
    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned a quarter clockwise
    Image.new("RGB", (40, 20), "white").save(path, exif=exif)
    async with prepare_document(path, caps("image/jpeg")) as document:
        data = await collect(document)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 40)


async def test_read_errors_are_document_errors(
    tmp_path: Path, pdf_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = os.pread
    fail_after = [0]

    def pread(fd: int, size: int, offset: int) -> bytes:
        if fail_after[0] <= 0:
            raise OSError(5, "Input/output error")
        fail_after[0] -= 1
        return original(fd, size, offset)

    monkeypatch.setattr(spool.os, "pread", pread)
    with pytest.raises(HPEWSDocumentError, match=r"Cannot read .*Input/output error"):
        async with prepare_document(pdf_path, caps("application/pdf")):
            pass
    fail_after[0] = 1  # the head, then the stream fails
    with pytest.raises(HPEWSDocumentError, match="Input/output error"):
        async with prepare_document(pdf_path, caps("application/pdf")) as document:
            await collect(document)
    text = tmp_path / "note.txt"
    text.write_text("hello\n")
    fail_after[0] = 1  # the text converter's own reading fails
    with pytest.raises(HPEWSDocumentError, match="Input/output error"):
        async with prepare_document(text, RASTER_CAPS) as document:
            await collect(document)


async def test_file_that_shrinks_ends_early(tmp_path: Path) -> None:
    path = tmp_path / "shrinking.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"%" * 5000)
    async with prepare_document(path, caps("application/pdf")) as document:
        with path.open("r+b") as handle:
            handle.truncate(100)
        assert len(await collect(document)) == 100
