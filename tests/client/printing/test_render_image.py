"""Images on a page or re-encoded as JPEG (printing/render/image.py): pixels
checked from the header, JPEGs decoded at a reduced scale, EXIF orientation."""

from __future__ import annotations

import io
import struct
from typing import TYPE_CHECKING
import zlib

from PIL import Image, ImageDraw, ImageFile
import pytest

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
)
from custom_components.hp_ews.client.printing.convert import prepare_document
from custom_components.hp_ews.client.printing.formats import ConversionKind
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.render import image as render_image

from .helpers import caps, collect, pixel_at
from .test_raster import decode_pwg, decode_urf

if TYPE_CHECKING:
    from pathlib import Path


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
    r, g, b = pixel_at(page.pixels, 300, 3, 150, 225)
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
    assert pixel_at(page.pixels, width, 3, 3, 3) == b"\xff\xff\xff"
    height = int(page.header["height"])
    assert pixel_at(page.pixels, width, 3, width // 2, height // 2) == b"\xff\x00\x00"


async def test_png_to_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGB", (64, 48), (10, 200, 10)).save(path)
    async with prepare_document(path, caps("image/jpeg")) as document:
        assert document.document_format == "image/jpeg"
        data = await collect(document)
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))


async def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises(HPEWSDocumentError, match="image"):
        async with prepare_document(path, caps("image/pwg-raster")):
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
    assert pixel_at(page.pixels, int(page.header["Width"]), 3, 310, 438) == b"\xff\0\0"


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
    r, g, b = pixel_at(page.pixels, 300, 3, 150, 225)
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
    assert pixel_at(page.pixels, width, 3, 200, 438) == b"\0\0\xff"
    assert pixel_at(page.pixels, width, 3, 420, 438) == b"\xff\xff\xff"


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
    pixel = pixel_at(page.pixels, width, 3, 310, 438)
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
