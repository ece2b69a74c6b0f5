"""Reading a document source within its bounds (printing/spool.py), through
prepare_document: files by position on one descriptor, FIFOs refused, streams spooled."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client.errors import HPEWSDocumentError
from custom_components.hp_ews.client.printing import spool
from custom_components.hp_ews.client.printing.convert import prepare_document

from .helpers import RASTER_CAPS, caps, collect
from .test_raster import decode_pwg

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


async def test_passthrough_streams_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    payload = b"%PDF-1.4\n" + bytes(range(256)) * 20_000
    path.write_bytes(payload)
    async with prepare_document(path, caps("application/pdf")) as document:
        chunks = [chunk async for chunk in document]
    assert b"".join(chunks) == payload
    assert max(map(len, chunks)) <= spool.READ_CHUNK


async def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="not found"):
        async with prepare_document(tmp_path / "nope.pdf", RASTER_CAPS):
            pass


async def test_directory_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(HPEWSDocumentError, match="Not a file"):
        async with prepare_document(tmp_path, RASTER_CAPS):
            pass


async def test_size_cap_on_streams_and_files(tmp_path: Path, pdf_path: Path) -> None:
    async def big() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        for _ in range(10):
            yield b"\0" * 1000

    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(
            big(), caps("application/pdf"), max_bytes=5000
        ) as document:
            await collect(document)
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(pdf_path, RASTER_CAPS, max_bytes=100):
            pass
    # a file sent as it is: refused from its size, before anything is sent
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(pdf_path, caps("application/pdf"), max_bytes=100):
            pytest.fail("not refused when opened")
    # a converted stream is spooled under the cap, then removed
    spool = tmp_path / "spool"
    spool.mkdir()
    with pytest.raises(HPEWSDocumentError, match="limit"):
        async with prepare_document(
            big(), RASTER_CAPS, spool_dir=spool, max_bytes=5000
        ):
            pass
    assert list(spool.iterdir()) == []


async def test_streamed_pdf_is_spooled_and_removed(
    tmp_path: Path, pdf_bytes: bytes
) -> None:
    data = pdf_bytes

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 700):
            yield data[start : start + 700]

    spool = tmp_path / "spool"
    spool.mkdir()
    async with prepare_document(stream(), RASTER_CAPS, spool_dir=spool) as document:
        # Unlinked as soon as it is made: nothing to leave behind on a crash.
        assert list(spool.iterdir()) == []
        assert len(decode_pwg(await collect(document))) == 3
    assert list(spool.iterdir()) == []
    with pytest.raises(HPEWSDocumentError, match="Cannot spool"):
        async with prepare_document(
            stream(), RASTER_CAPS, spool_dir=tmp_path / "missing"
        ):
            pass


async def test_open_file_is_read_by_position(
    tmp_path: Path, pdf_path: Path, pdf_bytes: bytes
) -> None:
    """Given an open file, its own position is not used, nor moved, nor closed."""
    expected = pdf_bytes
    with pdf_path.open("rb") as handle:
        handle.seek(100)
        async with prepare_document(handle, caps("application/pdf")) as document:
            assert document.conversion.passthrough
            assert await collect(document) == expected
        async with prepare_document(handle, RASTER_CAPS) as document:
            assert len(decode_pwg(await collect(document))) == 3
        assert handle.tell() == 100
    text = tmp_path / "note.txt"
    text.write_text("hello\n")
    with text.open("rb") as handle:
        async with prepare_document(handle, RASTER_CAPS) as document:
            assert document.pages == 1


async def test_file_is_read_as_big_as_it_was_opened(tmp_path: Path) -> None:
    """Bytes appended after the size was taken (and checked) are not read."""
    path = tmp_path / "growing.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"%" * 5000)
    async with prepare_document(
        path, caps("application/pdf"), max_bytes=6000
    ) as document:
        with path.open("ab") as more:
            more.write(b"%" * 5000)
        assert len(await collect(document)) == 5009


async def test_fifo_is_not_a_document(tmp_path: Path) -> None:
    """Opening a FIFO would wait for a writer: refused at once instead."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(HPEWSDocumentError, match="Not a regular file"):
        async with prepare_document(fifo, RASTER_CAPS):
            pass


async def test_read_errors_are_document_errors(
    tmp_path: Path, pdf_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = os.pread
    fail_after = [0]

    def pread(fd: int, size: int, offset: int) -> bytes:
        if fail_after[0] <= 0:
            raise OSError(5, "Input/output error")
        fail_after[0] -= 1
        return original(fd, size, offset)

    monkeypatch.setattr(spool.os, "pread", pread)
    with pytest.raises(HPEWSDocumentError, match=r"Cannot read .*Input/output error"):
        async with prepare_document(pdf_path, caps("application/pdf")):
            pass
    fail_after[0] = 1  # the head, then the stream fails
    with pytest.raises(HPEWSDocumentError, match="Input/output error"):
        async with prepare_document(pdf_path, caps("application/pdf")) as document:
            await collect(document)
    text = tmp_path / "note.txt"
    text.write_text("hello\n")
    fail_after[0] = 1  # the text converter's own reading fails
    with pytest.raises(HPEWSDocumentError, match="Input/output error"):
        async with prepare_document(text, RASTER_CAPS) as document:
            await collect(document)


async def test_file_that_shrinks_ends_early(tmp_path: Path) -> None:
    path = tmp_path / "shrinking.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"%" * 5000)
    async with prepare_document(path, caps("application/pdf")) as document:
        with path.open("r+b") as handle:
            handle.truncate(100)
        assert len(await collect(document)) == 100
