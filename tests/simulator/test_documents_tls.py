"""Document detection and page counting; the TLS certificate."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

import pytest

from simulator import documents
from simulator.tls import server_context

from .helpers import PDF_2_PAGES, pwg_raster

if TYPE_CHECKING:
    from pathlib import Path

UEL = b"\x1b%-12345X"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_2_PAGES, "application/pdf"),
        (b"%PDF-1.7\n%PCLm 1.0\n", "application/PCLm"),
        (b"RaS2....", "image/pwg-raster"),
        (b"UNIRAST\x00\x00\x00\x00\x01", "image/urf"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"%!PS-Adobe-3.0\n", "application/postscript"),
        (b"\x1bE\x1b&l0O", "application/vnd.hp-PCL"),
        (b"Dear printer,\nhello.\n", "text/plain"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (UEL + b"@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS", "application/postscript"),
        (UEL + b"@PJL ENTER LANGUAGE = PCLXL\r\n", "application/vnd.hp-PCLXL"),
        (UEL + b"@PJL ENTER LANGUAGE=PCL\r\n", "application/vnd.hp-PCL"),
        (UEL + b"@PJL JOB\r\n%PDF-1.4\n", "application/pdf"),
    ],
)
def test_detect_format(head: bytes, expected: str) -> None:
    assert documents.detect_format(head) == expected


def test_count_pages(tmp_path: Path) -> None:
    def count(data: bytes, fmt: str) -> int:
        path = tmp_path / "doc"
        path.write_bytes(data)
        return documents.count_pages(path, fmt)

    assert count(PDF_2_PAGES, documents.PDF) == 2
    # Page objects in compressed object streams: /Count of the page tree.
    assert count(b"%PDF-1.5\n<< /Type /Pages /Count 7 >>\n", documents.PDF) == 7
    # A page object split across read chunks is still found once.
    padding = b" " * (1024 * 1024 - 5)
    assert count(b"%PDF-1.4\n" + padding + b"/Type /Page\n", documents.PDF) == 1
    assert count(pwg_raster(4), documents.PWG_RASTER) == 4
    assert count(pwg_raster(1, width=300, height=50), documents.PWG_RASTER) == 1
    assert count(pwg_raster(2)[:-1], documents.PWG_RASTER) == 1  # last page cut
    assert count(b"RaS3", documents.PWG_RASTER) == 1
    assert count(b"UNIRAST\x00\x00\x00\x00\x05", documents.URF) == 5
    assert count(b"UNIRAST", documents.URF) == 1
    assert (
        count(b"%!PS\n%%Page: 1 1\n%%Page: 2 2\n%%Page: 3 3\n", documents.POSTSCRIPT)
        == 3
    )
    assert count(b"one\fTwo\fthree", documents.TEXT) == 3
    assert count(b"\xff\xd8\xff", documents.JPEG) == 1


def test_pwg_literal_runs_and_white_fill(tmp_path: Path) -> None:
    header = bytearray(1796)
    for offset, value in ((376, 2), (388, 8), (392, 4)):
        header[offset : offset + 4] = value.to_bytes(4, "big")
    # Line 1: 2 literal pixels (control 255 = 2 literals), then clear to end
    # of line (128). Line 2: 4 repeated pixels.
    data = b"RaS2" + bytes(header) + b"\x00\xfe\x01\x02\x80" + b"\x00\x03\x00"
    path = tmp_path / "p.pwg"
    path.write_bytes(data)
    assert documents.count_pages(path, documents.PWG_RASTER) == 1
    for cut in (len(data) - 1, len(data) - 3, len(data) - 5, 4 + 1796):
        path.write_bytes(data[:cut])
        assert documents.count_pages(path, documents.PWG_RASTER) == 1


@pytest.mark.parametrize("use_cryptography", [True, False])
def test_self_signed_context(use_cryptography: bool) -> None:
    context = server_context(use_cryptography)
    assert isinstance(context, ssl.SSLContext)
    assert context.maximum_version == ssl.TLSVersion.TLSv1_2
