"""Supply forecasts: the estimator, the trace reader and the ``forecast`` CLI.

Every expected value is worked out by hand from the trace in the comment
next to it (change points halfway between the last reading at the old low
and the first at the new one; the line through them; where it meets 0).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import json
from pathlib import Path
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest

from custom_components.hp_ews.client import (
    ForecastMethod,
    HPEWSTraceError,
    PagePoint,
    UsagePoint,
    forecast_supply,
    is_replacement,
    pages_per_day,
    parse_trace,
    thin_history,
)
from custom_components.hp_ews.client.__main__ import main

ROOT = Path(__file__).parents[2]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    """Midnight UTC of 2026-01-01 plus ``n`` days."""
    return T0 + timedelta(days=n)


# 10 % steps, no counter: change points (Jan 1 12:00, 90) and (Jan 4 12:00, 80),
# 10/3 %/day; at Jan 6 00:00 the line is at 75 (within 70-80): 22.5 days
# left, empty Jan 28 12:00 (the line meets 0 24 days after Jan 4 12:00).
TIME_TRACE = """time,level
2026-01-01T00:00:00+00:00,100
2026-01-02T00:00:00+00:00,90
2026-01-03T00:00:00+00:00,90
2026-01-04T00:00:00+00:00,90
2026-01-05T00:00:00+00:00,80
2026-01-06T00:00:00+00:00,80
"""

# A refill on Mar 3 (20 -> 100). Counter from 1000: change points at 1300
# pages (90) and 1500 pages (80): 0.05 % per page. The last row's level is
# unknown but its counter (1650) counts: the line is at 72.5 there, 1450
# pages left; 650 pages in 7 days = 92.857/day -> 15.615385 days after
# Mar 8 00:00 = Mar 23 14:46:09.23.
PAGES_TRACE = """time,level,pages
2026-03-01T00:00:00Z,30,1000
2026-03-02T00:00:00Z,20,1100
2026-03-03T00:00:00Z,100,1150
2026-03-04T00:00:00Z,100,1250
2026-03-05T00:00:00Z,90,1350
2026-03-06T00:00:00Z,90,1450
2026-03-07T00:00:00Z,80,1550
2026-03-08T00:00:00Z,,1650
"""


def _cli(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> object:
    trace = tmp_path / "trace.csv"
    trace.write_text(text, encoding="utf-8")
    assert main(["forecast", str(trace), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_level_over_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a counter the level per day is extrapolated."""
    assert _cli(tmp_path, TIME_TRACE, capsys) == {
        "runs_out": "2026-01-28T12:00:00+00:00",
        "days_remaining": 22.5,
        "segments": 1,
        "last_replaced": None,
    }


def test_cli_level_per_page_and_page_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a counter: level per page times pages per day; the refill counts."""
    result = _cli(tmp_path, PAGES_TRACE, capsys)
    assert isinstance(result, dict)
    assert result["segments"] == 2
    assert result["last_replaced"] == "2026-03-03T00:00:00+00:00"
    assert result["days_remaining"] == pytest.approx(1450 * 7 / 650, abs=1e-3)
    runs_out = datetime.fromisoformat(result["runs_out"])
    expected = datetime(2026, 3, 23, 14, 46, 9, 230769, tzinfo=UTC)
    assert abs(runs_out - expected) < timedelta(seconds=1)
    forecast = forecast_supply(parse_trace(PAGES_TRACE))
    assert forecast is not None
    assert forecast.method is ForecastMethod.PAGES
    assert forecast.percent_per_page == pytest.approx(0.05)
    assert forecast.pages_per_day == pytest.approx(650 / 7)
    assert forecast.percent_per_day == pytest.approx(0.05 * 650 / 7)
    assert forecast.level == 80


def test_cli_plateau_alone_forecasts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ten days at 60 %: no change point, no forecast."""
    rows = "".join(
        f"2026-01-{d:02d}T09:00:00Z,60,{1000 + 40 * d}\n" for d in range(1, 11)
    )
    assert _cli(tmp_path, "time,level,pages\n" + rows, capsys) == {
        "runs_out": None,
        "days_remaining": None,
        "segments": 1,
        "last_replaced": None,
    }


def test_cli_empty_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A header alone: nothing known."""
    assert _cli(tmp_path, "time,level\n", capsys) == {
        "runs_out": None,
        "days_remaining": None,
        "segments": 0,
        "last_replaced": None,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,level\n", "columns time and level"),
        ("time,level\nyesterday,50\n", "line 2"),
        ("time,level\n2026-01-01T00:00:00Z,half\n", "line 2"),
        ("time,level,pages\n2026-01-01T00:00:00Z,50,1.5\n", "line 2"),
    ],
)
def test_cli_bad_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    """An unreadable trace is one error line and status 1."""
    trace = tmp_path / "trace.csv"
    trace.write_text(text, encoding="utf-8")
    assert main(["forecast", str(trace)]) == 1
    assert message in capsys.readouterr().err


def test_cli_missing_and_binary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file or one that is not UTF-8 is a clean error."""
    assert main(["forecast", str(tmp_path / "nope.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"time,level\n\xff\xfe\n")
    assert main(["forecast", str(binary)]) == 1
    assert "not UTF-8" in capsys.readouterr().err


def test_cli_trace_size_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trace larger than the bound is refused before it is parsed."""
    import custom_components.hp_ews.client.__main__ as cli

    monkeypatch.setattr(cli, "MAX_TRACE_BYTES", 20)
    trace = tmp_path / "trace.csv"
    trace.write_text(TIME_TRACE, encoding="utf-8")
    assert main(["forecast", str(trace)]) == 1
    assert "at most 20 bytes" in capsys.readouterr().err


def test_trace_row_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than the bound is an error, not a long wait."""
    from custom_components.hp_ews.client.forecast import trace

    monkeypatch.setattr(trace, "MAX_TRACE_ROWS", 3)
    with pytest.raises(HPEWSTraceError, match="at most 3 rows"):
        parse_trace(TIME_TRACE)


def test_python_dash_m_forecast(tmp_path: Path) -> None:
    """The documented command line, as a separate process."""
    trace = tmp_path / "trace.csv"
    trace.write_text(TIME_TRACE, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "custom_components.hp_ews.client",
            "forecast",
            str(trace),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout)["runs_out"] == "2026-01-28T12:00:00+00:00"


def test_naive_times_are_utc() -> None:
    """A trace without zones reads as UTC."""
    points = parse_trace(TIME_TRACE.replace("+00:00", ""))
    assert points[0].time == T0
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out == datetime(2026, 1, 28, 12, tzinfo=UTC)


def test_minimum_history() -> None:
    """Two change points within a day of the start: too young to forecast."""
    points = [
        UsagePoint(day(0), 100),
        UsagePoint(day(0.5), 90),
        UsagePoint(day(1), 80),
        UsagePoint(day(2.9), 80),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out is None
    # Three days old, but by time the change points (0.25 d and 0.75 d) are
    # one morning's burst: still nothing.
    points.append(UsagePoint(day(3), 80))
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out is None
    # A third change point (3.5 d, 70) spans 3.25 days. Pairwise slopes
    # -20, -80/13 and -40/11: median -80/13 %/day; intercepts 90 + 20/13,
    # 80 + 60/13, 70 + 280/13: median 91.538. At day 4 the line is at
    # 66.923 (within 60-70): 66.923 * 13 / 80 = 10.875 days.
    points.append(UsagePoint(day(4), 70))
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.method is ForecastMethod.TIME
    assert forecast.days_remaining == pytest.approx(10.875)
    assert forecast.percent_per_day is None


def test_small_drop_is_not_enough() -> None:
    """Two 1 % steps (a 1-point drop between change points) forecast nothing."""
    points = [UsagePoint(day(0), 50), UsagePoint(day(2), 49), UsagePoint(day(4), 48)]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out is None


def test_already_empty() -> None:
    """Once the printer reports 0 % (or empty) the supply ran out then."""
    points = [
        UsagePoint(day(0), 20),
        UsagePoint(day(1), 10),
        UsagePoint(day(2), 0),
        UsagePoint(day(3), 0),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out == day(2)
    assert forecast.days_remaining == 0.0
    flagged = [UsagePoint(day(0), 20), UsagePoint(day(1), 3, empty=True)]
    forecast = forecast_supply(flagged)
    assert forecast is not None
    assert forecast.runs_out == day(1)


def test_unknown_levels_are_dropped() -> None:
    """None, negative and above-100 levels are no readings (TIME_TRACE's answer)."""
    points = [*parse_trace(TIME_TRACE)]
    points.insert(1, UsagePoint(day(0.2), -2))
    points.insert(3, UsagePoint(day(1.2), 250))
    points.insert(4, UsagePoint(day(1.3), float("nan")))
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.segments == 1
    assert forecast.runs_out == datetime(2026, 1, 28, 12, tzinfo=UTC)


def test_counter_going_backwards_adds_nothing() -> None:
    """A counter reset (1550 -> 50) costs no pages, then counts on from 50.

    PAGES_TRACE with the counter reset after Mar 7: 1650 becomes 150, one
    more reading (Mar 8, 250) adds 100. Usage axis: ..., 550, 550 (reset),
    650: the same line, at 72.5 at 650; 650 pages in 7 days as before.
    """
    text = PAGES_TRACE.replace(",,1650", ",,50") + "2026-03-08T00:00:00Z,,150\n"
    forecast = forecast_supply(parse_trace(text))
    assert forecast is not None
    assert forecast.days_remaining == pytest.approx(1450 * 7 / 650)
    # A leap of more than MAX_PAGE_STEP is a reset too, not usage.
    leap = text.replace(",,150", ",,9000000")
    forecast = forecast_supply(parse_trace(leap))
    assert forecast is not None
    assert forecast.pages_per_day == pytest.approx(550 / 7)


def test_gap_puts_change_point_halfway() -> None:
    """Unreachable from day 2 to day 6: the 90 -> 80 step is put at day 4.

    Change points (0.5 d, 90) and (4 d, 80): 10/3.5 %/day. At day 7 the line
    is at 80 - 3 * 10/3.5 = 71.43, within 70-80: 71.43 / (10/3.5) = 25 days.
    """
    points = [
        UsagePoint(day(0), 100),
        UsagePoint(day(1), 90),
        UsagePoint(day(2), 90),
        UsagePoint(day(6), 80),
        UsagePoint(day(7), 80),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.days_remaining == pytest.approx(25.0)


def test_flicker_is_not_a_replacement() -> None:
    """A level bouncing one 10 % step up is noise; 16 points up is a swap."""
    assert not is_replacement(30, 40)
    assert not is_replacement(30, 45)
    assert is_replacement(30, 46)
    points = [UsagePoint(day(n), level) for n, level in enumerate([50, 40, 50, 40])]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.segments == 1
    swapped = [*points, UsagePoint(day(4), 60)]
    forecast = forecast_supply(swapped)
    assert forecast is not None
    assert forecast.segments == 2
    assert forecast.last_replaced == day(4)


def test_as_of_ignores_later_readings() -> None:
    """``as_of`` cuts the history; nothing before it: no forecast at all."""
    points = parse_trace(TIME_TRACE)
    forecast = forecast_supply(points, as_of=day(4))
    assert forecast is not None
    # Jan 5 00:00: the line is at 80 - 10/3 * 0.5 = 78.33 -> 23.5 days.
    assert forecast.days_remaining == pytest.approx(23.5)
    assert forecast_supply(points, as_of=day(-1)) is None
    assert forecast_supply([]) is None


def test_rising_or_flat_slope_forecasts_nothing() -> None:
    """The level falls with no page printed: no slope per page, one per day."""
    points = [
        UsagePoint(day(0), 100, 100),
        UsagePoint(day(1), 90, 100),
        UsagePoint(day(6), 80, 100),
        UsagePoint(day(7), 80, 100),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    # No page printed while the level fell (cleaning): by time instead.
    # Change points (0.5 d, 90) and (3.5 d, 80): 10/3 %/day; at day 7 the
    # line is at 68.33, clipped to 70 (the printer says 80): 21 days.
    assert forecast.method is ForecastMethod.TIME
    assert forecast.days_remaining == pytest.approx(21.0)


def test_no_printing_no_date() -> None:
    """A printer that printed nothing for weeks: the supply does not run out."""
    points = [
        UsagePoint(day(0), 100, 500),
        UsagePoint(day(1), 90, 600),
        UsagePoint(day(2), 80, 700),
        UsagePoint(day(40), 80, 700),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.method is ForecastMethod.PAGES
    assert forecast.runs_out is None
    assert forecast.pages_per_day == 0


def test_far_future_is_no_date() -> None:
    """A forecast more than ten years out is shown as unknown."""
    points = [
        UsagePoint(day(0), 100),
        UsagePoint(day(200), 90),
        UsagePoint(day(2000), 80),
        UsagePoint(day(2001), 80),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.method is ForecastMethod.TIME
    assert forecast.runs_out is None
    # By pages too: 0.001 % per page (change points at 5000 and 15000
    # pages), 74.99 % left = 74990 pages at 10 pages in the last 36 days.
    points = [
        UsagePoint(day(0), 100, 0),
        UsagePoint(day(1), 90, 10000),
        UsagePoint(day(4), 80, 20000),
        UsagePoint(day(40), 80, 20010),
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.method is ForecastMethod.PAGES
    assert forecast.runs_out is None


def test_fine_levels_recentre_on_readings() -> None:
    """1 % levels: the line moves to the middle of the noisy readings.

    Readings alternate 1 point above and on the true line 100 - 2t (t in
    days, 4 a day): new lows are read on the low side, the median residual
    of the readings puts the line back. True line: 0 at day 50.
    """
    points = [
        UsagePoint(day(n / 4), round(100 - 2 * n / 4) + (1 if n % 2 else 0))
        for n in range(41)
    ]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.runs_out is not None
    assert abs(forecast.runs_out - day(50)) < timedelta(days=1)


def test_pages_per_day_weeks_and_bounds() -> None:
    """Pages per day: the mean over the last four weeks; None under a day."""
    assert pages_per_day([]) is None
    assert pages_per_day([PagePoint(day(0), 10), PagePoint(day(0.5), 20)]) is None
    # 10 days: 30 pages a day (window shorter than 28 days: all of it).
    points = [PagePoint(day(n), 1000 + 30 * n) for n in range(11)]
    assert pages_per_day(points) == pytest.approx(30)
    # 60 days, 10/day then 50/day for the last 28: the recent pace.
    points = [
        PagePoint(day(n), 10 * min(n, 32) + 50 * max(0, n - 32)) for n in range(61)
    ]
    assert pages_per_day(points) == pytest.approx(50)
    assert pages_per_day(points, as_of=day(20)) == pytest.approx(10)


def test_weekday_profile_walks_the_calendar() -> None:
    """An office printing 100 pages on weekdays only, none at weekends.

    Counter read every midnight (UTC) for exactly 28 days from Monday Jan 5:
    2000 pages, 500/7 a day; the whole days give 100 on each working day, 0
    at weekends. The level falls 1 % per 10 pages and reads 30 % at Monday Feb 2
    00:00; change points sit halfway between midnights (50 pages earlier),
    so the line is at 25 % now: 250 pages left. Monday 100, Tuesday 100,
    half of Wednesday: 2.5 days (a flat 500/7 a day would say 3.5).
    """
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    counter = []
    pages = 0
    for n in range(29):
        moment = monday + timedelta(days=n)
        counter.append(PagePoint(moment, pages))
        if moment.weekday() < 5:
            pages += 100
    points = [
        UsagePoint(point.time, 30 + (2000 - point.pages) / 10, point.pages)
        for point in counter
        if point.pages >= 1300
    ]
    forecast = forecast_supply(points, counter=counter)
    assert forecast is not None
    assert forecast.as_of == datetime(2026, 2, 2, tzinfo=UTC)
    assert forecast.method is ForecastMethod.PAGES
    assert forecast.pages_per_day == pytest.approx(2000 / 28)
    assert forecast.days_remaining == pytest.approx(2.5)
    # In Berlin (UTC+1 in winter) days start at 23:00 UTC: a Monday there
    # holds 23/24 of Monday's pages, a Saturday 1/24 of Friday's. Whole
    # Berlin days Jan 6 - Feb 1: working days (3 * 95.83 + 16 * 100) / 19 =
    # 99.342, weekend days 4 * 4.167 / 8 = 2.083; scaled to 500 a week:
    # 99.168 a working day. Feb 2 00:00 UTC is 01:00 there: 23/24 of Monday
    # (95.04), Tuesday (99.17), then 55.80 / 99.168 = 0.5626 of Wednesday:
    # 0.9583 + 1 + 0.5626 = 2.5210 days.
    berlin = forecast_supply(points, counter=counter, zone=ZoneInfo("Europe/Berlin"))
    assert berlin is not None
    assert berlin.days_remaining == pytest.approx(2.5210, abs=1e-4)
    # A week of counter (from Monday Jan 26: 500 pages) holds one weekend:
    # no profile, the flat 500/7 a day: 250 pages take 3.5 days.
    recent = [
        point for point in counter if point.time >= datetime(2026, 1, 26, tzinfo=UTC)
    ]
    flat = forecast_supply(points, counter=recent)
    assert flat is not None
    assert flat.pages_per_day == pytest.approx(500 / 7)
    assert flat.days_remaining == pytest.approx(3.5)


def test_thin_history_keeps_what_the_forecast_needs() -> None:
    """Bounded; the reading before the last swap and the level changes stay."""
    old = [UsagePoint(day(n / 24), 40 - n / 100) for n in range(200)]
    swap = UsagePoint(day(10), 100)
    current = [
        UsagePoint(day(10 + n / 24), 100 - (n // 24) * 10) for n in range(1, 240)
    ]
    points = [*old, swap, *current]
    thinned = thin_history(points, 300)
    assert len(thinned) == 300
    assert old[-1] in thinned
    assert swap in thinned
    assert current[-1] in thinned
    # Every first reading at a new level and last at the old one is kept.
    for before, after in itertools.pairwise(current):
        if before.level != after.level:
            assert before in thinned
            assert after in thinned
    full = forecast_supply(points)
    kept = forecast_supply(thinned)
    assert full is not None
    assert kept is not None
    assert kept.runs_out == full.runs_out
    assert kept.last_replaced == full.last_replaced == day(10)
    # Short histories are returned as they are (sorted).
    assert thin_history(list(reversed(points[:5]))) == tuple(points[:5])


def test_thin_history_long_plateaus() -> None:
    """A long segment: its level changes, then plateau readings spread evenly.

    Unknown levels are readings too (kept or thinned like the others).
    """
    points = [
        UsagePoint(day(n / 24), None if n % 50 == 7 else 100 - (n // 100) * 10)
        for n in range(1000)
    ]
    thinned = thin_history(points, 100)
    assert len(thinned) == 100
    changes = [
        (before, after)
        for before, after in itertools.pairwise(points)
        if before.level is not None
        and after.level is not None
        and before.level != after.level
    ]
    assert len(changes) == 9
    for before, after in changes:
        assert before in thinned
        assert after in thinned
    assert thinned[0] == points[0]
    assert thinned[-1] == points[-1]


def test_no_known_level() -> None:
    """Only unknown levels: no segment, no forecast, still a page rate."""
    points = [UsagePoint(day(n), None, 100 * n) for n in range(5)]
    forecast = forecast_supply(points)
    assert forecast is not None
    assert forecast.segments == 0
    assert forecast.level is None
    assert forecast.runs_out is None
    assert forecast.pages_per_day == pytest.approx(100)


def test_thin_history_when_even_changes_are_too_many() -> None:
    """A segment of only changes is spread evenly, first and last kept."""
    points = [UsagePoint(day(n), 100 - n / 10) for n in range(1000)]
    thinned = thin_history(points, 50)
    assert len(thinned) == 50
    assert thinned[0] == points[0]
    assert thinned[-1] == points[-1]
    assert thin_history(points, 1) == (points[0],)
    # Exactly as many changes as room: the changes alone.
    steps = [UsagePoint(day(n), 100 if n < 5 else 90) for n in range(10)]
    assert thin_history(steps, 4) == (steps[0], steps[4], steps[5], steps[9])
