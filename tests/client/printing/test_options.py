"""Print options, media sizes and page selection (printing/options.py)."""

from __future__ import annotations

import pytest

from custom_components.hp_ews.client.errors import (
    HPEWSDocumentLimitError,
    PrintOptionError,
)
from custom_components.hp_ews.client.printing.options import (
    PrintOptions,
    media_size,
    parse_page_ranges,
    select_pages,
)


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ("A4", (21000, 29700)),
        ("letter", (21590, 27940)),
        ("na_legal_8.5x14in", (21590, 35560)),
        ("4x6", (10160, 15240)),
        ("iso_a5_148x210mm", (14800, 21000)),
        ("om_small-photo_100x150mm", (10000, 15000)),
    ],
)
def test_media_size(media: str, expected: tuple[int, int]) -> None:
    assert media_size(media) == expected


@pytest.mark.parametrize("media", ["tray-1", "custom_max_8.5x14", "", "iso_a4_0x0mm"])
def test_media_size_refuses(media: str) -> None:
    with pytest.raises(PrintOptionError):
        media_size(media)


def test_page_ranges() -> None:
    assert parse_page_ranges("1-3, 5,7-") == ((1, 3), (5, 5), (7, 2**31 - 1))
    assert parse_page_ranges("4,1-2") == ((1, 2), (4, 4))
    for bad in ("", "a", "3-x", "-2"):
        with pytest.raises(PrintOptionError):
            parse_page_ranges(bad)
    assert select_pages(5, ((2, 3), (5, 9))) == [1, 2, 4]
    assert select_pages(3, ()) == [0, 1, 2]
    assert select_pages(2, ((4, 6),)) == []


@pytest.mark.parametrize(
    "options",
    [
        {"copies": 0},
        {"copies": 1000},
        {"sides": "both"},
        {"quality": "best"},
        {"orientation": "sideways"},
        {"color_mode": "Color!"},
        {"media": "tray-1"},
        {"page_ranges": ((3, 2),)},
        {"page_ranges": ((1, 3), (2, 4))},
        {"job_name": "x" * 256},
    ],
)
def test_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(PrintOptionError) as caught:
        PrintOptions(**options)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


def test_page_selection_is_counted_before_it_is_listed() -> None:
    """A PDF claiming 2**31 pages: nothing proportional is built to refuse it."""
    with pytest.raises(HPEWSDocumentLimitError, match="2147483647 pages"):
        select_pages(2**31 - 1, ())
    with pytest.raises(HPEWSDocumentLimitError):
        select_pages(2**31 - 1, ((1, 3000), (2999, 6000)), limit=5999)
    assert select_pages(2**31 - 1, ((1, 3000), (2999, 6000)), limit=6000) == list(
        range(6000)
    )
    assert select_pages(10, ((3, 4), (1, 3))) == [0, 1, 2, 3]
