"""A minimal PDF writer for scanned pages: one JPEG per page, streamed.

Each page is an image XObject holding the JPEG as it came from the scanner
(``/DCTDecode``: no decoding, no re-encoding) drawn over the whole page. The
file is written page by page and the JPEG copied in chunks, so a 50-page
scan never sits in memory; the page tree, cross-reference table and trailer
follow the last page. Width, height and components come from the JPEG's
SOF header (``jpeg_info``), the page size from them and the resolution.

Blocking file I/O: callers run these in the executor.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSScanError, ScanErrorReason

if TYPE_CHECKING:
    from pathlib import Path

COPY_CHUNK: Final = 1024 * 1024
MAX_JPEG_HEADER: Final = 1024 * 1024
"""Bytes read looking for the SOF header (EXIF/ICC segments come first)."""
MAX_PIXELS_SIDE: Final = 65535
"""JPEG's own limit; a header claiming more is corrupt."""

# Start-of-frame markers (baseline, extended, progressive, lossless, ...);
# C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_COLOR_SPACES: Final = {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}


def _bad(message: str) -> HPEWSScanError:
    return HPEWSScanError(
        f"Scanned page is not a usable JPEG: {message}", ScanErrorReason.FAILED
    )


def jpeg_info(stream: IO[bytes]) -> tuple[int, int, int]:
    """Width, height and components of the JPEG ``stream`` (from its start).

    Reads marker segments up to the SOF header, skipping the others.

    Raises:
        HPEWSScanError: not a JPEG, or no usable frame header within
            ``MAX_JPEG_HEADER`` bytes (reason FAILED).
    """
    if stream.read(2) != b"\xff\xd8":
        raise _bad("no SOI marker")
    position = 2
    while position < MAX_JPEG_HEADER:
        byte = stream.read(1)
        if byte != b"\xff":
            raise _bad("marker expected")
        marker = stream.read(1)
        while marker == b"\xff":  # fill bytes
            marker = stream.read(1)
        if not marker:
            raise _bad("truncated")
        code = marker[0]
        position += 2
        if code in _STANDALONE:
            continue
        if code in (0xD9, 0xDA):  # EOI, SOS: past where a frame header is
            raise _bad("no frame header")
        length_bytes = stream.read(2)
        if len(length_bytes) != 2:
            raise _bad("truncated")
        length = int.from_bytes(length_bytes, "big")
        if length < 2:
            raise _bad("bad segment length")
        if code in _SOF:
            header = stream.read(6)
            if len(header) != 6:
                raise _bad("truncated")
            height = int.from_bytes(header[1:3], "big")
            width = int.from_bytes(header[3:5], "big")
            components = header[5]
            if not (0 < width <= MAX_PIXELS_SIDE and 0 < height <= MAX_PIXELS_SIDE):
                raise _bad(f"size {width}x{height}")
            if components not in _COLOR_SPACES:
                raise _bad(f"{components} components")
            return width, height, components
        stream.seek(length - 2, 1)
        position += length
    raise _bad("no frame header")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class PdfWriter:
    """Write a PDF to ``stream``, one JPEG page at a time.

    Objects: 1 catalog, 2 page tree (both written last), then per page the
    image, the content stream and the page.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        """Start the document (header written at once)."""
        self._out = stream
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = 3
        self._position = 0
        # The binary comment marks the file as binary for transfer tools.
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def pages(self) -> int:
        """Pages added so far."""
        return len(self._pages)

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._position

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def _begin(self, number: int) -> None:
        self._offsets[number] = self._position
        self._write(f"{number} 0 obj\n".encode())

    def add_jpeg_page(self, jpeg: Path, dpi: int) -> None:
        """Append a page showing the JPEG file ``jpeg`` scanned at ``dpi``."""
        with jpeg.open("rb") as source:
            width, height, components = jpeg_info(source)
            source.seek(0, 2)
            length = source.tell()
            source.seek(0)
            image, content, page = self._next, self._next + 1, self._next + 2
            self._next += 3
            self._begin(image)
            self._write(
                (
                    f"<< /Type /XObject /Subtype /Image /Width {width}"
                    f" /Height {height} /ColorSpace {_COLOR_SPACES[components]}"
                    f" /BitsPerComponent 8 /Filter /DCTDecode /Length {length} >>\n"
                    "stream\n"
                ).encode()
            )
            while chunk := source.read(COPY_CHUNK):
                self._write(chunk)
        self._write(b"\nendstream\nendobj\n")
        points_w = width * 72 / dpi
        points_h = height * 72 / dpi
        drawing = (
            f"q {_number(points_w)} 0 0 {_number(points_h)} 0 0 cm /Im0 Do Q\n"
        ).encode()
        self._begin(content)
        self._write(f"<< /Length {len(drawing)} >>\nstream\n".encode())
        self._write(drawing)
        self._write(b"endstream\nendobj\n")
        self._begin(page)
        self._write(
            (
                f"<< /Type /Page /Parent 2 0 R"
                f" /MediaBox [0 0 {_number(points_w)} {_number(points_h)}]"
                f" /Resources << /XObject << /Im0 {image} 0 R >> >>"
                f" /Contents {content} 0 R >>\nendobj\n"
            ).encode()
        )
        self._pages.append(page)

    def close(self) -> None:
        """Write the page tree, catalog, cross-reference table and trailer."""
        kids = " ".join(f"{page} 0 R" for page in self._pages)
        self._begin(2)
        self._write(
            f"<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>\nendobj\n".encode()
        )
        self._begin(1)
        self._write(b"<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        xref = self._position
        count = self._next
        rows = [f"xref\n0 {count}\n", "0000000000 65535 f \n"]
        rows += [f"{self._offsets[n]:010d} 00000 n \n" for n in range(1, count)]
        self._write("".join(rows).encode())
        self._write(
            f"trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        )
        self._out.flush()
