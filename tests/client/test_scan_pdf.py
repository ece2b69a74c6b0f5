"""The scan PDF writer and its JPEG header reader, checked with pypdfium2 and Pillow."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image
import pypdfium2
import pytest

from custom_components.hp_ews.client import HPEWSScanError, ScanErrorReason
from custom_components.hp_ews.client.scanning.pdf import PdfWriter, jpeg_info

if TYPE_CHECKING:
    from pathlib import Path


def _jpeg(mode: str, size: tuple[int, int], **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "JPEG", **save)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "save", "components"),
    [
        ("RGB", {}, 3),
        ("L", {}, 1),
        ("CMYK", {}, 4),
        ("RGB", {"progressive": True}, 3),
        # EXIF and ICC segments come before the frame header and are skipped.
        ("RGB", {"exif": b"Exif\x00\x00" + bytes(3000), "icc_profile": bytes(2000)}, 3),
    ],
)
def test_jpeg_info(mode: str, save: dict[str, object], components: int) -> None:
    data = _jpeg(mode, (123, 45), **save)
    assert jpeg_info(io.BytesIO(data)) == (123, 45, components)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.4",
        b"\xff\xd8",  # SOI and nothing
        b"\xff\xd8\x00",  # no marker
        b"\xff\xd8\xff\xe0\x00",  # truncated length
        b"\xff\xd8\xff\xe0\x00\x01",  # length below 2
        b"\xff\xd8\xff\xda\x00\x08",  # scan data before any frame header
        b"\xff\xd8\xff\xc0\x00\x11\x08\x00",  # truncated frame header
        b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x00\x10\x03",  # height 0
        b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x02",  # 2 components
        b"\xff\xd8\xff\xff",  # fill bytes, then the end
    ],
)
def test_jpeg_info_refuses_garbage(data: bytes) -> None:
    with pytest.raises(HPEWSScanError) as caught:
        jpeg_info(io.BytesIO(data))
    assert caught.value.reason is ScanErrorReason.FAILED


def test_jpeg_info_stops_looking(monkeypatch: pytest.MonkeyPatch) -> None:
    # An endless run of comment segments: the search gives up, it does not read on.
    segment = b"\xff\xfe\x00\x10" + bytes(14)
    data = b"\xff\xd8" + segment * 100
    monkeypatch.setattr(
        "custom_components.hp_ews.client.scanning.pdf.MAX_JPEG_HEADER", 500
    )
    with pytest.raises(HPEWSScanError):
        jpeg_info(io.BytesIO(data))


def test_pdf_pages_sizes_and_pixels(tmp_path: Path) -> None:
    pages = [
        (_jpeg("RGB", (300, 600)), 300),  # 1 x 2 in
        (_jpeg("L", (150, 150)), 150),  # 1 x 1 in
        (_jpeg("CMYK", (200, 100)), 100),  # 2 x 1 in
    ]
    target = tmp_path / "out.pdf"
    with target.open("wb") as stream:
        writer = PdfWriter(stream)
        for index, (data, dpi) in enumerate(pages):
            page = tmp_path / f"p{index}.jpg"
            page.write_bytes(data)
            writer.add_jpeg_page(page, dpi)
        assert writer.pages == 3
        writer.close()
        assert writer.size == target.stat().st_size
    pdf = pypdfium2.PdfDocument(target)
    try:
        assert len(pdf) == 3
        assert pdf[0].get_size() == pytest.approx((72, 144))
        assert pdf[1].get_size() == pytest.approx((72, 72))
        assert pdf[2].get_size() == pytest.approx((144, 72))
        # The image is drawn over the whole page at its own pixel size.
        image = next(pdf[1].get_objects())
        assert isinstance(image, pypdfium2.PdfImage)
        assert image.get_px_size() == (150, 150)
        bitmap = pdf[0].render(scale=1).to_pil()
        assert bitmap.size == (72, 144)
    finally:
        pdf.close()


def test_pdf_cross_reference_table_is_exact(tmp_path: Path) -> None:
    # pdfium repairs a broken table silently; check every offset ourselves.
    page = tmp_path / "p.jpg"
    page.write_bytes(_jpeg("RGB", (20, 20)))
    stream = io.BytesIO()
    writer = PdfWriter(stream)
    writer.add_jpeg_page(page, 72)
    writer.add_jpeg_page(page, 72)
    writer.close()
    data = stream.getvalue()
    startxref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[startxref:].startswith(b"xref\n0 9\n")
    rows = data[startxref:].split(b"\n")[3:11]
    for number, row in enumerate(rows, start=1):
        offset = int(row[:10])
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())
    assert b"/Count 2" in data
    assert data.endswith(b"%%EOF\n")
