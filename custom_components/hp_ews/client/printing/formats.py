"""Document formats: what a document is (sniffed) and what it is sent as.

A printer lists what it takes in ``document-format-supported``. A document
the printer takes is sent as it is; otherwise it is converted, one page at a
time, to a raster format the printer takes:

=============================  ===========================================
document                       sent as (first the printer takes)
=============================  ===========================================
PDF                            PDF, PWG Raster, URF (rendered by pdfium)
PostScript, PWG Raster, URF    as is only
JPEG                           JPEG, PWG Raster, URF
PNG                            PNG, PWG Raster, URF, JPEG
plain text                     text, PWG Raster, URF (monospace, wrapped)
=============================  ===========================================
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSUnsupportedFormatError

if TYPE_CHECKING:
    from collections.abc import Sequence

PDF: Final = "application/pdf"
POSTSCRIPT: Final = "application/postscript"
JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
PWG_RASTER: Final = "image/pwg-raster"
URF: Final = "image/urf"
TEXT: Final = "text/plain"
OCTET_STREAM: Final = "application/octet-stream"

RASTER_FORMATS: Final = (PWG_RASTER, URF)
"""Raster targets in order of preference (PWG is the IPP Everywhere one)."""

SNIFF_BYTES: Final = 1024
"""Bytes :func:`sniff_format` looks at: read this many before calling it."""


def normalize_format(document_format: str) -> str:
    """Lower-case MIME type without parameters (``text/plain; charset=utf-8``)."""
    return document_format.split(";", 1)[0].strip().lower()


def sniff_format(head: bytes) -> str | None:
    """Guess a document's MIME type from its first bytes; None when unknown."""
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and b"\0" not in head[:8]):
        return PDF
    if head.startswith((b"%!PS", b"\x04%!PS")):
        return POSTSCRIPT
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"RaS2"):
        return PWG_RASTER
    if head.startswith(b"UNIRAST\x00"):
        return URF
    if head and _looks_like_text(head):
        return TEXT
    return None


def _looks_like_text(head: bytes) -> bool:
    # Strict UTF-8, except that the sniffed head may end inside a character.
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    allowed = {"\t", "\n", "\r", "\f"}
    return all(ch.isprintable() or ch in allowed for ch in text.lstrip("\ufeff"))


class ConversionKind(StrEnum):
    """How a document becomes what the printer takes."""

    PASSTHROUGH = "passthrough"
    PDF_TO_RASTER = "pdf_to_raster"
    IMAGE_TO_RASTER = "image_to_raster"
    IMAGE_TO_JPEG = "image_to_jpeg"
    TEXT_TO_RASTER = "text_to_raster"


@dataclass(frozen=True, slots=True)
class Conversion:
    """The outcome of format negotiation."""

    source_format: str
    document_format: str
    """What is sent to the printer (``document-format``)."""
    kind: ConversionKind

    @property
    def passthrough(self) -> bool:
        """Whether the document is sent byte for byte."""
        return self.kind is ConversionKind.PASSTHROUGH


def choose_format(document_format: str, supported: Sequence[str]) -> Conversion:
    """Pick what to send for a document of ``document_format``.

    Raises:
        HPEWSUnsupportedFormatError: the printer does not take the format and
            no conversion leads to one it takes.
    """
    source = normalize_format(document_format)
    formats = {normalize_format(f) for f in supported}
    if source in formats and source != OCTET_STREAM:
        return Conversion(source, source, ConversionKind.PASSTHROUGH)
    raster = next((f for f in RASTER_FORMATS if f in formats), None)
    if raster is not None:
        kind = {
            PDF: ConversionKind.PDF_TO_RASTER,
            JPEG: ConversionKind.IMAGE_TO_RASTER,
            PNG: ConversionKind.IMAGE_TO_RASTER,
            TEXT: ConversionKind.TEXT_TO_RASTER,
        }.get(source)
        if kind is not None:
            return Conversion(source, raster, kind)
    if source == PNG and JPEG in formats:
        return Conversion(source, JPEG, ConversionKind.IMAGE_TO_JPEG)
    offered = ", ".join(sorted(formats)) or "none"
    raise HPEWSUnsupportedFormatError(
        f"The printer does not take {source} and it cannot be converted to a "
        f"format it takes ({offered})",
        source,
    )
