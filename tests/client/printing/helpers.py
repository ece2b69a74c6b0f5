"""What the printing tests share: capabilities, draining a document, pixels."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.ipp import codec
from custom_components.hp_ews.client.models import PrintCapabilities

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from custom_components.hp_ews.client.printing import convert
    from simulator import SimulatedPrinter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ipp"


RASTER_CAPS = PrintCapabilities(
    document_formats=("image/pwg-raster", "image/urf", "image/jpeg"),
    color_supported=True,
    pwg_raster_resolutions=(75,),
    pwg_raster_types=("sgray_8", "srgb_8"),
    urf_supported=("RS75", "W8", "SRGB24", "DM3"),
)


def caps(*formats: str) -> PrintCapabilities:
    """A printer taking ``formats``, PWG Raster and URF details at 75 dpi."""
    return PrintCapabilities(
        document_formats=formats,
        color_supported=True,
        pwg_raster_resolutions=(75,),
        pwg_raster_types=("sgray_8", "srgb_8"),
        urf_supported=("RS75", "W8", "SRGB24"),
    )


async def collect(document: AsyncIterator[bytes] | convert.PreparedDocument) -> bytes:
    """Every byte of a document."""
    return b"".join([chunk async for chunk in document])


def fixture_caps(name: str) -> PrintCapabilities:
    """The capabilities in a captured Get-Printer-Attributes answer."""
    message = codec.decode_ipp((FIXTURES / name).read_bytes())
    return ipp.capabilities_of(message.printer)


def pixel_at(pixels: bytes, width: int, bpp: int, x: int, y: int) -> bytes:
    """The pixel at (x, y) of a decoded raster page."""
    start = (y * width + x) * bpp
    return pixels[start : start + bpp]


async def raw_job_done(printer: SimulatedPrinter) -> None:
    """Wait until the printer has read the raw job to its end."""
    # The raw port has no reply: wait until the printer has read to the end.
    for _ in range(500):
        if printer.jobs and printer.jobs[0].state >= 7:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the raw job did not finish")
