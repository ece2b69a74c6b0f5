"""The conversion pipeline (printing/convert.py): format negotiation end to end,
cancellation, orientation, the time budget and out-of-memory (no network)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
import pytest

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
    HPEWSOutOfMemoryError,
    HPEWSUnsupportedFormatError,
)
from custom_components.hp_ews.client.models import PrintCapabilities
from custom_components.hp_ews.client.printing import convert
from custom_components.hp_ews.client.printing.convert import prepare_document
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.render import image as render_image, pdf

from .helpers import RASTER_CAPS, caps, collect
from .test_raster import decode_pwg

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


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


async def test_unrecognised_bytes() -> None:
    async def blob() -> AsyncIterator[bytes]:
        yield b"\x00\x01\x02\x03" * 10

    with pytest.raises(HPEWSUnsupportedFormatError) as caught:
        async with prepare_document(blob(), RASTER_CAPS):
            pass
    assert caught.value.document_format is None


async def test_page_ranges_beyond_the_document(pdf_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="no page"):
        async with prepare_document(
            pdf_path, RASTER_CAPS, PrintOptions(page_ranges=((9, 9),))
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
