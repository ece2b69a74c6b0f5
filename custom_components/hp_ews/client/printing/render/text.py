"""Plain text on pages: monospace, word-wrapped, a form feed starts a page.

Lines wrap as ``textwrap.wrap(line.expandtabs(8), columns)`` would, but the
text is read :data:`TEXT_READ_CHARS` characters at a time and no line or word
is ever held whole, so a text of any shape costs memory for one page and
time linear in its length. At most :data:`~..options.MAX_PAGES` pages.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import Decimal
import re
from typing import TYPE_CHECKING, Final, TextIO

from PIL import Image, ImageDraw, ImageFont

from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentLimitError,
)
from custom_components.hp_ews.client.printing.options import MAX_PAGES
from custom_components.hp_ews.client.printing.spool import read_error

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from custom_components.hp_ews.client.printing.raster import RasterJob
    from custom_components.hp_ews.client.printing.spool import Disk

TEXT_POINT_SIZE: Final = 10
TEXT_MARGIN_INCH: Final = Decimal("0.5")
TEXT_READ_CHARS: Final = 64 * 1024
"""Characters of a text read at once: a line of any length costs no more."""

_MONOSPACE_FONTS: Final = (
    "DejaVuSansMono.ttf",
    "LiberationMono-Regular.ttf",
    "NotoSansMono-Regular.ttf",
    "FreeMono.ttf",
    "cour.ttf",
)


@dataclass(frozen=True, slots=True)
class _TextLayout:
    width: int
    height: int
    margin: int
    cell_width: int
    line_height: int
    columns: int
    rows: int


def _text_font(job: RasterJob) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = max(6, TEXT_POINT_SIZE * job.dpi // 72)
    for name in _MONOSPACE_FONTS:
        with contextlib.suppress(OSError):
            return ImageFont.truetype(name, size)
    # Pillow's bundled font is proportional: characters are drawn in fixed
    # cells below, so the layout stays monospace anyway.
    try:
        return ImageFont.load_default(size)
    except (TypeError, ImportError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _text_layout(
    job: RasterJob, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, landscape: bool
) -> _TextLayout:
    width, height = job.page_pixels()
    if landscape:
        width, height = height, width
    margin = int(TEXT_MARGIN_INCH * job.dpi)
    cell_width = max(1, round(font.getlength("M")))
    ascent, descent = (
        font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (10, 2)
    )
    line_height = max(1, round((ascent + descent) * 1.1))
    columns = max(1, (width - 2 * margin) // cell_width)
    rows = max(1, (height - 2 * margin) // line_height)
    return _TextLayout(width, height, margin, cell_width, line_height, columns, rows)


class _LineWrapper:
    """``textwrap.wrap`` of one line, fed a piece at a time.

    Options as used for text: whitespace dropped at line ends, long words
    broken, no breaks at hyphens, no whitespace replaced. The greedy rule is
    textwrap's of Python 3.14 (which on a full line no longer adds an empty
    piece of a long word, so the space before it is dropped), step for step,
    but a word or a run of spaces is never held
    whole: past ``width`` characters it is known not to fit, so it is cut
    onto lines as it arrives. A line of any length costs one line and one
    read piece of memory, and time linear in its length.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        """Finished lines, for the caller to take."""
        self.wrapped = 0
        """Lines finished since the last ``finish``."""
        self._line: list[str] = []
        self._length = 0
        self._chunk = ""
        """The word or run of spaces being read (completed by the other kind)."""
        self._chunk_space = False
        self._started = False
        """The current line's first chunk was looked at (textwrap does once)."""

    def feed(self, text: str) -> None:
        """Add text without line breaks (tabs already expanded)."""
        chunks = _CHUNKS.findall(text)  # one at least: text is not empty
        if self._chunk:
            if (chunks[0][0] in _SPACES) == self._chunk_space:
                chunks[0] = self._chunk + chunks[0]  # a read piece held at most
            else:
                self._place(complete=True)
            self._chunk = ""
        last = chunks.pop()
        if chunks:
            self._place_all(chunks)
        self._chunk, self._chunk_space = last, last[0] in _SPACES
        if len(last) > self.width:
            self._place(complete=False)

    def finish(self) -> int:
        """End the line; return how many wrapped lines it made."""
        if self._chunk:
            self._place(complete=True)
        self._end_line()
        wrapped, self.wrapped = self.wrapped, 0
        return wrapped

    def _place_all(self, chunks: list[str]) -> None:
        """Place complete chunks; the common cases without a method call."""
        width, line, length = self.width, self._line, self._length
        for chunk in chunks:
            size = len(chunk)
            if line:
                if length + size <= width:
                    line.append(chunk)
                    length += size
                    continue
            elif self._started and size <= width:
                line.append(chunk)
                length = size
                continue
            self._length, self._chunk = length, chunk
            self._place(complete=True)
            line, length = self._line, self._length
        self._length = length

    def _place(self, *, complete: bool) -> None:
        """Put the chunk on lines; an incomplete one only while it is too long."""
        chunk, start, width = self._chunk, 0, self.width
        while start < len(chunk):
            if not complete and len(chunk) - start <= width:
                break  # what is left may still fit once its end is known
            if not self._line and not self._started:
                if self.wrapped and chunk[start:].strip() == "":
                    # A line after the first does not start with whitespace:
                    # the run is dropped whole when it ends. Until then a
                    # little of a run of spaces stands for the rest; a "word"
                    # of other white space (U+3000...) is kept to its end,
                    # or as long as a read piece.
                    if complete:
                        self._started = True
                        start = len(chunk)
                        break
                    if self._chunk_space:
                        start = len(chunk) - width - 1
                        break
                    if len(chunk) - start <= TEXT_READ_CHARS:
                        break
                self._started = True
            rest = len(chunk) - start
            if self._length + rest <= width:
                self._line.append(chunk[start:])
                self._length += rest
                start = len(chunk)
                break
            if rest > width and self._length < width:
                # Too long for any line: fill this one with its start.
                take = width - self._length
                self._line.append(chunk[start : start + take])
                self._length += take
                start += take
            self._end_line()
        self._chunk = chunk[start:]

    def _end_line(self) -> None:
        line = self._line
        if line and line[-1].strip() == "":
            del line[-1]
        if line:
            self.lines.append("".join(line))
            self.wrapped += 1
        self._line = []
        self._length = 0
        self._started = False


_SPACES: Final = " \x0b"
"""What textwrap breaks at, once tabs are expanded and lines and pages split."""
_CHUNKS: Final = re.compile("[ \x0b]+|[^ \x0b]+")
_BREAKS: Final = re.compile("([\n\f])")


def _expand_tabs(text: str, column: int) -> tuple[str, int]:
    """``str.expandtabs(8)`` of text that starts at ``column`` of its line."""
    if "\t" not in text:
        return text, column + len(text)
    parts = text.split("\t")
    out = [parts[0]]
    column += len(parts[0])
    for part in parts[1:]:
        pad = 8 - column % 8
        out.append(" " * pad)
        out.append(part)
        column += pad + len(part)
    return "".join(out), column


def _text_lines(text: TextIO, columns: int) -> Iterator[str | None]:
    """The word-wrapped lines of a text; None where a form feed starts a page.

    Each line is wrapped as ``textwrap.wrap(line.expandtabs(8), columns)``
    would (an empty line stays one empty line; the empty side of a form feed
    makes none), but the text is read ``TEXT_READ_CHARS`` at a time.
    """
    wrapper = _LineWrapper(columns)
    started = False  # the current segment has characters
    form_feed = False  # the current line had a form feed
    column = 0
    while piece := text.read(TEXT_READ_CHARS):
        for part in _BREAKS.split(piece):
            if part in ("\n", "\f"):
                if started:
                    if not wrapper.finish():
                        wrapper.lines.append("")  # only whitespace
                elif part == "\n" and not form_feed:
                    wrapper.lines.append("")
                yield from wrapper.lines
                wrapper.lines.clear()
                if part == "\f":
                    yield None
                form_feed = part == "\f"
                started, column = False, 0
            elif part:
                started = True
                expanded, column = _expand_tabs(part, column)
                wrapper.feed(expanded)
        yield from wrapper.lines
        wrapper.lines.clear()
    if started and not wrapper.finish():
        wrapper.lines.append("")
    yield from wrapper.lines


def _text_page_lines(disk: Disk, layout: _TextLayout) -> Iterator[list[str]]:
    """Word-wrapped lines, a page at a time; a form feed starts a new page.

    Raises:
        HPEWSDocumentLimitError: the text is longer than ``MAX_PAGES`` pages.
    """
    page: list[str] = []
    pages = 0

    def full() -> list[str]:
        nonlocal pages
        pages += 1
        if pages > MAX_PAGES:
            raise HPEWSDocumentLimitError(
                f"The text is longer than {MAX_PAGES} pages",
                DocumentLimit.PAGES,
                MAX_PAGES,
            )
        return page

    try:
        with disk.open_text() as text:
            for line in _text_lines(text, layout.columns):
                if line is None or len(page) == layout.rows:
                    yield full()
                    page = []
                if line is not None:
                    page.append(line)
    except OSError as err:
        raise read_error(disk.name, err) from err
    if page or not pages:
        yield full()


def count_pages(disk: Disk, job: RasterJob, orientation: str | None) -> int:
    """Pages the text makes (read once, nothing drawn): raster headers want it."""
    font = _text_font(job)
    layout = _text_layout(job, font, _is_landscape(orientation))
    return sum(1 for _ in _text_page_lines(disk, layout))


def _is_landscape(orientation: str | None) -> bool:
    return orientation in ("landscape", "reverse-landscape")


def render_pages(
    disk: Disk, job: RasterJob, orientation: str | None, indexes: Sequence[int]
) -> Iterator[Image.Image]:
    """Draw the pages at ``indexes`` (0-based, ascending); stop reading after the last."""
    font = _text_font(job)
    landscape = _is_landscape(orientation)
    layout = _text_layout(job, font, landscape)
    wanted = set(indexes)
    last = max(wanted, default=-1)
    for index, lines in enumerate(_text_page_lines(disk, layout)):
        if index > last:
            break  # the rest of the text is not printed: not read either
        if index not in wanted:
            continue
        page = Image.new("L", (layout.width, layout.height), 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines):
            y = layout.margin + row * layout.line_height
            for column, char in enumerate(line):
                if not char.isspace():
                    x = layout.margin + column * layout.cell_width
                    draw.text((x, y), char, fill=0, font=font)
        if landscape:
            page = page.transpose(
                Image.Transpose.ROTATE_90
                if orientation == "landscape"
                else Image.Transpose.ROTATE_270
            )
        elif orientation == "reverse-portrait":
            page = page.transpose(Image.Transpose.ROTATE_180)
        yield page if job.mode == "L" else page.convert(job.mode)
