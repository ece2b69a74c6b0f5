"""PDF pages rendered by pdfium (printing/render/pdf.py): fitted, turned, capped,
stopped when the document's time is up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
import pytest

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
)
from custom_components.hp_ews.client.printing import options, spool
from custom_components.hp_ews.client.printing.capabilities import raster_job
from custom_components.hp_ews.client.printing.convert import prepare_document
from custom_components.hp_ews.client.printing.formats import choose_format
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.render import pdf, runner

from .helpers import RASTER_CAPS, caps, collect, pixel_at
from .test_raster import decode_pwg, decode_urf

if TYPE_CHECKING:
    from pathlib import Path


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
        assert max(pixel_at(page.pixels, 620, 3, x, y)) < 40
        assert pixel_at(page.pixels, 620, 3, 5, 5) == b"\xff\xff\xff"


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
    assert pixel_at(decoded.pixels, width, 1, width // 2, height // 4) == b"\x00"
    assert pixel_at(decoded.pixels, width, 1, width // 2, height * 3 // 4) == b"\xff"


async def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    with pytest.raises(HPEWSDocumentError, match="PDF"):
        async with prepare_document(path, RASTER_CAPS):
            pass


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
