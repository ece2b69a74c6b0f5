"""What a printer takes, parsed once, and the raster settings made of it
(models.PrintCapabilities, ipp.capabilities_of, printing/capabilities.py)."""

from __future__ import annotations

import pytest

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentLimitError,
    HPEWSUnsupportedFormatError,
)
from custom_components.hp_ews.client.models import PrintCapabilities
from custom_components.hp_ews.client.printing.capabilities import raster_job
from custom_components.hp_ews.client.printing.formats import choose_format
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.raster import MAX_PAGE_PIXELS, SheetBack

from .helpers import FIXTURES, fixture_caps


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
