"""What printing asks a printer, and the raster settings it makes of the answer.

The answer is the one capability model, :class:`~..models.PrintCapabilities`,
which the snapshot carries too; ``ipp.attributes`` parses it from
Get-Printer-Attributes. Here: which attributes printing asks for, and how a
document converted to PWG Raster or URF is laid out for the printer
(resolution, colour, media, duplex) within :data:`~.raster.MAX_PAGE_PIXELS`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentLimitError,
    HPEWSUnsupportedFormatError,
    PrintOptionError,
)

from .formats import URF, Conversion, ConversionKind
from .options import QUALITIES, PrintOptions, media_size
from .raster import MAX_PAGE_PIXELS, RasterJob, SheetBack

if TYPE_CHECKING:
    from collections.abc import Sequence

    from custom_components.hp_ews.client.models import PrintCapabilities

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

DEFAULT_DPI: Final = 300
MAX_DPI: Final = 600
"""Highest resolution we render at: an A4 sRGB page at 600 dpi is 100 MiB."""
MAX_ONLY_DPI: Final = 1200
"""Highest resolution used when the printer lists none at or below ``MAX_DPI``."""
DEFAULT_MEDIA: Final = "iso_a4_210x297mm"


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
