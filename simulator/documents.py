"""What a received print document is, and how many pages it has.

A printer needs to know this to print; the simulator needs it to consume
supplies and count pages. Detection reads magic bytes; page counting walks
the format's structure from disk (never loading the whole file).
"""

from __future__ import annotations

import re
import struct
from typing import IO, TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

PDF: Final = "application/pdf"
PWG_RASTER: Final = "image/pwg-raster"
URF: Final = "image/urf"
JPEG: Final = "image/jpeg"
POSTSCRIPT: Final = "application/postscript"
PCL: Final = "application/vnd.hp-PCL"
PCLM: Final = "application/PCLm"
TEXT: Final = "text/plain"
OCTET_STREAM: Final = "application/octet-stream"

_UEL: Final = b"\x1b%-12345X"
_CHUNK: Final = 1024 * 1024
_PWG_HEADER_SIZE: Final = 1796


def detect_format(head: bytes) -> str:
    """The MIME type of a document from its first bytes."""
    data = head
    if data.startswith(_UEL):
        # PJL job wrapper: the language is named or follows the PJL lines.
        match = re.search(rb"ENTER\s+LANGUAGE\s*=\s*([A-Za-z0-9]+)", data)
        if match:
            language = match.group(1).upper()
            return {
                b"PDF": PDF,
                b"POSTSCRIPT": POSTSCRIPT,
                b"PCLXL": "application/vnd.hp-PCLXL",
            }.get(language, PCL)
        lines = data[len(_UEL) :].split(b"\n")
        rest = b"\n".join(line for line in lines if not line.startswith(b"@PJL"))
        data = rest.lstrip(b"\r\n")
    if data.startswith(b"%PDF"):
        return PCLM if b"%PCLm" in data[:1024] else PDF
    if data.startswith(b"RaS2"):
        return PWG_RASTER
    if data.startswith(b"UNIRAST"):
        return URF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"%!"):
        return POSTSCRIPT
    if data.startswith((b"\x1bE", b"\x1b*")):
        return PCL
    sample = data[:512]
    if sample and all(32 <= b < 127 or b in b"\r\n\t\f" for b in sample):
        return TEXT
    return OCTET_STREAM


def count_pages(path: Path, document_format: str) -> int:
    """Pages in a document on disk (at least 1 for a non-empty document).

    Blocking; call it in a thread for large files.
    """
    with path.open("rb") as file:
        if document_format == PWG_RASTER:
            return max(1, _pwg_pages(file))
        if document_format == URF:
            header = file.read(12)
            if len(header) == 12 and header.startswith(b"UNIRAST"):
                return max(1, int(struct.unpack(">I", header[8:12])[0]))
            return 1
        if document_format in (PDF, PCLM):
            return max(1, _pdf_pages(file))
        if document_format == POSTSCRIPT:
            return max(1, _count(file, rb"%%Page:"))
        if document_format == TEXT:
            return max(1, _count(file, b"\f") + 1)
    return 1


def _count(file: IO[bytes], needle: bytes) -> int:
    total = 0
    tail = b""
    while chunk := file.read(_CHUNK):
        data = tail + chunk
        total += data.count(needle)
        # Keep a tail that cannot hold a whole needle, so none counts twice.
        tail = data[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return total


_PDF_PAGE: Final = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PDF_COUNT: Final = re.compile(rb"/Count\s+(\d+)")


def _pdf_pages(file: IO[bytes]) -> int:
    pages = 0
    largest_count = 0
    tail = b""
    while chunk := file.read(_CHUNK):
        data = tail + chunk
        cut = max(0, len(data) - 64)
        pages += len(_PDF_PAGE.findall(data, 0, cut))
        for match in _PDF_COUNT.finditer(data, 0, cut):
            largest_count = max(largest_count, int(match.group(1)))
        tail = data[cut:]
    pages += len(_PDF_PAGE.findall(tail))
    for match in _PDF_COUNT.finditer(tail):
        largest_count = max(largest_count, int(match.group(1)))
    # Page objects hidden in compressed object streams: trust /Count.
    return pages or largest_count


def _pwg_pages(file: IO[bytes]) -> int:
    """Walk PWG raster (PWG 5102.4): page header, then PackBits-like lines."""
    if file.read(4) != b"RaS2":
        return 0
    pages = 0
    while True:
        header = file.read(_PWG_HEADER_SIZE)
        if len(header) < _PWG_HEADER_SIZE:
            return pages
        height, bits_per_pixel, bytes_per_line = (
            struct.unpack_from(">I", header, 376)[0],
            struct.unpack_from(">I", header, 388)[0],
            struct.unpack_from(">I", header, 392)[0],
        )
        pixel = max(1, (bits_per_pixel + 7) // 8)
        if not _skip_pwg_lines(file, height, pixel, bytes_per_line):
            return pages
        pages += 1


def _skip_pwg_lines(file: IO[bytes], height: int, pixel: int, width: int) -> bool:
    line = 0
    while line < height:
        repeat = file.read(1)
        if not repeat:
            return False
        remaining = width
        while remaining > 0:
            control = file.read(1)
            if not control:
                return False
            count = control[0]
            if count == 128:
                # Rest of the line is white.
                remaining = 0
            elif count < 128:
                if len(file.read(pixel)) < pixel:
                    return False
                remaining -= (count + 1) * pixel
            else:
                size = (257 - count) * pixel
                if len(file.read(size)) < size:
                    return False
                remaining -= size
        line += repeat[0] + 1
    return True
