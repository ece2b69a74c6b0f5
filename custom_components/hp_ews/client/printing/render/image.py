"""Images (JPEG, PNG) on a page, or a PNG re-encoded as JPEG.

An image is opened lazily: its size comes from the header and is checked
against :data:`MAX_IMAGE_PIXELS` before anything is decoded. A JPEG larger
than the page needs is decoded at 1/2, 1/4 or 1/8 scale; any image is
reduced by a whole factor right after decoding, a band of lines at a time,
before compositing and turning make their copies. Only the decoders sniffing
recognised are reachable.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
import io
from typing import TYPE_CHECKING, Any, Final

from PIL import ExifTags, Image

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
)
from custom_components.hp_ews.client.printing.spool import READ_CHUNK

if TYPE_CHECKING:
    from collections.abc import Iterator

    from custom_components.hp_ews.client.printing.raster import RasterJob
    from custom_components.hp_ews.client.printing.spool import Disk

MAX_IMAGE_PIXELS: Final = 1 << 26
"""Pixels decoded at most (8192 x 8192, 256 MiB): checked from the header.

Larger JPEGs are decoded at 1/2, 1/4 or 1/8 scale when that is enough for
the page; other images that large are refused. Pillow's global
``Image.MAX_IMAGE_PIXELS`` is left alone: it belongs to every integration.
"""
MAX_JPEG_PIXELS: Final = 1 << 25
"""Pixels of a PNG re-encoded as JPEG: A4 at 600 dpi, more prints no sharper."""
_IMAGE_FORMATS: Final = ("PNG", "JPEG")
"""The decoders an image may reach: what sniffing recognised, nothing else."""

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
def _open_image(disk: Disk) -> Iterator[Any]:
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


def render_pages(
    disk: Disk, job: RasterJob, orientation: str | None
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


def to_jpeg(disk: Disk) -> Iterator[bytes]:
    """The image upright as a JPEG, at most ``MAX_JPEG_PIXELS``, in chunks."""
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


def check_image(disk: Disk, job: RasterJob | None, orientation: str | None) -> None:
    """Fail early, before the job is created, on an unreadable or huge image."""
    with _open_image(disk) as image, _image_errors():
        if job is not None and image.format == "JPEG":
            # Checked at the scale it will be decoded at (reading EXIF
            # decodes nothing in a JPEG; in a PNG it may decode it all).
            _plan_image(image, job.page_pixels(), job.mode, orientation)
        else:
            _check_pixels(image)
        image.verify()
