"""Sniffing a document's format and choosing what the printer is sent (printing/formats.py)."""

from __future__ import annotations

import pytest

from custom_components.hp_ews.client.errors import (
    HPEWSError,
    HPEWSUnsupportedFormatError,
)
from custom_components.hp_ews.client.printing.formats import (
    ConversionKind,
    choose_format,
    sniff_format,
)

from .helpers import FIXTURES


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
