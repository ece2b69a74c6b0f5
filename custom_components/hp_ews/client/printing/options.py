"""What the user asks of a print job, checked before anything is sent.

:class:`PrintOptions` refuses values a printer would reject anyway; the
vocabulary (sides, qualities, orientations, media names) is IPP's, with
common media aliases (``A4``, ``letter``) on top. Page ranges select the
pages to convert, at most :data:`MAX_PAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
import re
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import (
    DocumentLimit,
    HPEWSDocumentLimitError,
    PrintOptionError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

MONOCHROME_MODES: Final = frozenset(
    {"monochrome", "process-monochrome", "auto-monochrome", "bi-level"}
)
SIDES: Final = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
QUALITIES: Final = ipp.PRINT_QUALITIES
"""``print-quality`` keywords and their IPP enum values."""
ORIENTATIONS: Final = ipp.ORIENTATIONS
"""``orientation-requested`` keywords and their IPP enum values."""
MEDIA_ALIASES: Final = {
    "a3": "iso_a3_297x420mm",
    "a4": "iso_a4_210x297mm",
    "a5": "iso_a5_148x210mm",
    "a6": "iso_a6_105x148mm",
    "b5": "iso_b5_176x250mm",
    "letter": "na_letter_8.5x11in",
    "legal": "na_legal_8.5x14in",
    "executive": "na_executive_7.25x10.5in",
    "tabloid": "na_ledger_11x17in",
    "4x6": "na_index-4x6_4x6in",
    "5x7": "na_5x7_5x7in",
    "10x15cm": "om_small-photo_100x150mm",
    "hagaki": "jpn_hagaki_100x148mm",
}
MAX_PAGES: Final = 5_000
"""Pages converted at most: PDF pages selected, text pages in all."""


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """What the user asked for; None leaves the choice to the printer.

    ``media`` takes a PWG name (``iso_a4_210x297mm``) or a common alias
    (``A4``, ``letter``); ``page_ranges`` is 1-based and inclusive.
    """

    copies: int = 1
    sides: str | None = None
    color_mode: str | None = None
    media: str | None = None
    orientation: str | None = None
    page_ranges: tuple[tuple[int, int], ...] = ()
    quality: str | None = None
    job_name: str | None = None

    def __post_init__(self) -> None:
        """Refuse values the printer would reject anyway."""
        if not 1 <= self.copies <= 999:
            raise PrintOptionError(f"copies must be 1-999, not {self.copies}")
        if self.sides is not None and self.sides not in SIDES:
            raise PrintOptionError(f"Unknown sides: {self.sides}")
        if self.quality is not None and self.quality not in QUALITIES:
            raise PrintOptionError(f"Unknown print-quality: {self.quality}")
        if self.orientation is not None and self.orientation not in ORIENTATIONS:
            raise PrintOptionError(f"Unknown orientation: {self.orientation}")
        if self.color_mode is not None and not re.fullmatch(
            r"[a-z][a-z0-9-]{0,62}", self.color_mode
        ):
            raise PrintOptionError(f"Bad print-color-mode: {self.color_mode}")
        if self.media is not None:
            media_size(self.media)  # raises on a name we cannot size
        previous = 0
        for start, end in self.page_ranges:
            if not 1 <= start <= end or start <= previous:
                raise PrintOptionError(f"Bad page range {start}-{end}")
            previous = end
        if self.job_name is not None and len(self.job_name.encode()) > 255:
            raise PrintOptionError("job-name is longer than 255 bytes")

    @property
    def media_name(self) -> str | None:
        """``media`` as a PWG self-describing name."""
        return None if self.media is None else normalize_media(self.media)

    def wants_color(self) -> bool:
        """False when the user asked for monochrome."""
        return self.color_mode not in MONOCHROME_MODES


def parse_page_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """``"1-3,5,7-"`` → ((1, 3), (5, 5), (7, 2**31-1)), for CLI and UI input."""
    ranges: list[tuple[int, int]] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,9})(?:-(\d{0,9}))?", part)
        if match is None:
            raise PrintOptionError(f"Bad page range: {part!r}")
        start = int(match.group(1))
        if match.group(2) is None:
            end = start
        elif match.group(2) == "":
            end = 2**31 - 1
        else:
            end = int(match.group(2))
        ranges.append((start, end))
    if not ranges:
        raise PrintOptionError("Empty page range")
    return tuple(sorted(ranges))


def select_pages(
    count: int, page_ranges: Sequence[tuple[int, int]], limit: int | None = None
) -> list[int]:
    """0-based page indexes to print from a document of ``count`` pages.

    Raises:
        HPEWSDocumentLimitError: more than ``limit`` (default ``MAX_PAGES``)
            pages are selected; counted before any list is built.
    """
    limit = MAX_PAGES if limit is None else limit
    spans: list[tuple[int, int]] = []  # merged, 0-based, end exclusive
    for start, end in sorted(page_ranges or [(1, count)]):
        first, stop = max(start, 1) - 1, min(end, count)
        if first >= stop:
            continue
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
        else:
            spans.append((first, stop))
    selected = sum(stop - first for first, stop in spans)
    if selected > limit:
        raise HPEWSDocumentLimitError(
            f"{selected} pages are selected; at most {limit} are converted",
            DocumentLimit.PAGES,
            limit,
        )
    return [index for first, stop in spans for index in range(first, stop)]


# --- media -------------------------------------------------------------------

_MEDIA_SIZE = re.compile(r"_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$")


def normalize_media(media: str) -> str:
    """A PWG self-describing media name for a PWG name or a common alias."""
    name = media.strip()
    return MEDIA_ALIASES.get(name.lower(), name)


def media_size(media: str) -> tuple[int, int]:
    """Width and length in hundredths of millimetres (PWG 5101.1 names).

    Raises:
        PrintOptionError: the name has no size in it.
    """
    name = normalize_media(media)
    match = _MEDIA_SIZE.search(name)
    if match is None:
        raise PrintOptionError(f"Unknown media size: {media}")
    unit = Decimal(2540) if match.group(3) == "in" else Decimal(100)
    try:
        width = int((Decimal(match.group(1)) * unit).to_integral_value())
        length = int((Decimal(match.group(2)) * unit).to_integral_value())
    except InvalidOperation as err:  # pragma: no cover - the pattern prevents it
        raise PrintOptionError(f"Unknown media size: {media}") from err
    if not (0 < width <= 1_000_000 and 0 < length <= 10_000_000):
        raise PrintOptionError(f"Unusable media size: {media}")
    return width, length
