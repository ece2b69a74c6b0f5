"""Plain text on pages (printing/render/text.py): textwrap's lines, read in
pieces, at most MAX_PAGES pages."""

from __future__ import annotations

import io
import random
import textwrap
from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
)
from custom_components.hp_ews.client.printing import spool
from custom_components.hp_ews.client.printing.convert import prepare_document
from custom_components.hp_ews.client.printing.formats import ConversionKind
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.render import text as render_text

from .helpers import caps, collect
from .test_raster import decode_pwg

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


async def test_text_stream_to_pages() -> None:
    async def text() -> AsyncIterator[bytes]:
        yield b"First page\n"
        yield b"still first\fSecond page\n\f"
        yield "Third — ünïcode\n".encode()

    async with prepare_document(text(), caps("image/pwg-raster")) as document:
        assert document.conversion.kind is ConversionKind.TEXT_TO_RASTER
        assert document.pages == 3
        pages = decode_pwg(await collect(document))
    assert len(pages) == 3
    assert all(p.header["ColorSpace"] == 18 for p in pages)  # text is gray
    for page in pages:
        # ink within the 0.5 inch margins only
        width = int(page.header["Width"])
        dark = [i for i, v in enumerate(page.pixels) if v < 128]
        assert dark
        assert min(i % width for i in dark) >= 37


async def test_text_is_wrapped_into_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 5000)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(page_ranges=((2, 2),))
    ) as document:
        assert document.pages == 1
        assert document.raster is not None
        assert document.raster.total_pages == 1
        (page,) = decode_pwg(await collect(document))
    assert any(v < 128 for v in page.pixels)


async def test_text_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_text, "MAX_PAGES", 1)
    path = tmp_path / "pages.txt"
    path.write_text("a\fb\fc\fd\n")
    with pytest.raises(HPEWSDocumentLimitError, match="longer than") as caught:
        async with prepare_document(path, caps("image/pwg-raster")):
            pass
    assert (caught.value.limit, caught.value.maximum) == (DocumentLimit.PAGES, 1)
    path.write_text("only one page\n")
    with pytest.raises(HPEWSDocumentError, match="no page"):
        async with prepare_document(
            path, caps("image/pwg-raster"), PrintOptions(page_ranges=((2, 2),))
        ):
            pass


class Python314Wrapper(textwrap.TextWrapper):
    """textwrap as of Python 3.14: a full line takes no empty piece of a long word.

    (3.13 appended one, which kept the whitespace before it at the line end.)
    """

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = width - cur_len
        if space_left > 0:
            cur_line.append(reversed_chunks[-1][:space_left])
            reversed_chunks[-1] = reversed_chunks[-1][space_left:]


def _reference_lines(text: str, columns: int) -> list[str | None]:
    """What the converter printed before lines were read in pieces."""
    wrapper = Python314Wrapper(
        columns,
        replace_whitespace=False,
        drop_whitespace=True,
        break_on_hyphens=False,
    )
    out: list[str | None] = []
    for raw_line in io.StringIO(text, newline=None):
        segments = raw_line.rstrip("\n").split("\f")
        for number, segment in enumerate(segments):
            if number:
                out.append(None)
            if not segment and len(segments) > 1:
                continue
            out.extend(wrapper.wrap(segment.expandtabs(8)) or [""])
    return out


def test_text_lines_are_textwraps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random texts, read a few characters at a time, wrap as textwrap does."""
    rng = random.Random(9)
    pieces = [
        "a", "bb", "www", " ", "  ", "\t", "\n", "\f", "\x0b", "é", "\r\n",
        "\r", "\u3000x", "\u3000", "\xa0", " \u3000 ",
    ]  # fmt: skip
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(0, 50)):
            roll = rng.random()
            if roll < 0.05:
                parts.append("x" * rng.randint(5, 60))
            elif roll < 0.08:
                parts.append(" " * rng.randint(5, 60))
            else:
                parts.append(rng.choice(pieces))
        text = "".join(parts)
        columns = rng.randint(1, 12)
        monkeypatch.setattr(render_text, "TEXT_READ_CHARS", rng.randint(1, 9))
        got = list(render_text._text_lines(io.StringIO(text, newline=None), columns))
        assert got == _reference_lines(text, columns), (text, columns)


class CountingReader(io.StringIO):
    """A text that may only be read in pieces, and counts them."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> str:
        assert size is not None
        assert 0 < size <= render_text.TEXT_READ_CHARS
        piece = super().read(size)
        self.reads.append(len(piece))
        return piece

    def readline(self, size: int | None = -1) -> str:
        raise AssertionError("a line is read whole")

    def __next__(self) -> str:
        raise AssertionError("a line is read whole")


@pytest.mark.parametrize("unit", ["word ", "x", " ", "\u3000", "\t"])
def test_one_huge_line_is_read_in_pieces(unit: str) -> None:
    """4 MiB without a line break: read 64 KiB at a time, never held whole."""
    text = unit * (4 * 1024 * 1024 // len(unit))
    reader = CountingReader(text)
    wrapper_sizes: list[int] = []
    original_feed = render_text._LineWrapper.feed

    def feed(self: render_text._LineWrapper, piece: str) -> None:
        original_feed(self, piece)
        wrapper_sizes.append(len(self._chunk) + self._length)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_text._LineWrapper, "feed", feed)
        lines = list(render_text._text_lines(reader, 80))
    assert len(reader.reads) >= len(text) // render_text.TEXT_READ_CHARS
    assert max(wrapper_sizes) <= render_text.TEXT_READ_CHARS + 80
    assert all(line is not None and len(line) <= 80 for line in lines)
    if unit == "word ":
        assert lines[:2] == [("word " * 16).strip()] * 2
        assert len(lines) == -(-len(text) // (16 * 5))
    elif unit == "x":
        assert lines[0] == "x" * 80
        assert len(lines) == -(-len(text) // 80)
    else:
        # Only white space (U+3000 too): textwrap makes no line of it.
        assert lines == [""]


async def test_text_file_is_read_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The converter's own file reading, not only the wrapper, goes by pieces."""
    path = tmp_path / "line.txt"
    path.write_text("lorem ipsum " * 200_000)  # 2.4 MB, no line break
    readers: list[CountingReader] = []
    original_open = spool.Disk.open_text

    def open_spy(self: spool.Disk) -> CountingReader:
        with original_open(self) as handle:
            reader = CountingReader(handle.read())
        readers.append(reader)
        return reader

    monkeypatch.setattr(spool.Disk, "open_text", open_spy)
    async with prepare_document(
        path, caps("image/pwg-raster"), PrintOptions(page_ranges=((1, 1),))
    ) as document:
        assert document.pages == 1
        (page,) = decode_pwg(await collect(document))
    assert any(v < 128 for v in page.pixels)
    counting, rendering = readers
    assert sum(counting.reads) == 2_400_000
    # Printing page 1 reads no further than page 1.
    assert sum(rendering.reads) <= render_text.TEXT_READ_CHARS
