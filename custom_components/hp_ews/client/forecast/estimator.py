"""When a supply runs out, from a series of its levels and the page counter.

Pure functions, no I/O. The approach, and why:

- **Segments.** A level that rises more than ``REFILL_RISE`` points above the
  lowest level of the current segment is a new cartridge or a refilled tank:
  a new segment starts, and that reading is the replacement. Smaller rises
  are the noise of level estimates (and a 10 % step flickering at its
  boundary), not a swap.
- **Change points, not plateaus.** Many printers report levels in steps of
  10 %; fitting every reading of a plateau would weigh long idle spells and
  put the line through the middle of steps. The fit uses one point per new
  low: the moment the reported level first drops to ``L``, placed halfway
  (in time and in pages) between the last reading at the previous low and the
  first at ``L`` so that a gap in the readings (printer off or unreachable)
  does not bias it. Every step is the same distance apart on the printer's
  scale whatever its rounding, so the line through change points reaches 0
  exactly when the printer would first report 0 %: that is "runs out".
- **Usage, not the calendar.** Where the page counter is known, the slope is
  level per printed page (Theil-Sen: the median of all pairwise slopes,
  robust to a burst or an outlier reading, no tuning) and the pace comes from
  the printer's pages per day over the last four weeks (the mean: rare big
  jobs are part of the pace, and a median or a cap drops them), spread over
  working days and weekends as the printer prints them.
  Without a counter the slope is level per day (Theil-Sen again).
- **Enough history first.** No forecast until the segment has at least two
  change points at least ``MIN_DROP`` points apart and is ``MIN_SPAN`` old
  (by time, the change points themselves must span ``MIN_SPAN``): one step
  gives no slope, two 1 % steps are mostly rounding, and a day's burst
  extrapolated is a guess. A plateau alone therefore forecasts nothing.
- **The current level bounds the estimate.** The printer still reporting
  ``L`` means the level is between ``L`` and one step below it: the fitted
  level now is clipped to that range, so a long plateau moves the date out.
- Unknown levels (None, negative, above 100) are dropped; a page counter
  that goes backwards (or leaps implausibly) adds no pages for that step.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
import itertools
from statistics import median
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.forecast.models import (
    ForecastMethod,
    PagePoint,
    SupplyForecast,
    UsagePoint,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

REFILL_RISE: Final = 15.0
"""A rise of more than this many points over the segment's low is a replacement."""
MIN_CHANGES: Final = 2
"""Change points a segment needs before it forecasts (two give a slope)."""
MIN_DROP: Final = 5.0
"""Points the level must fall between the first and the last change point."""
MIN_SPAN: Final = timedelta(days=3)
"""Age a segment needs before it forecasts."""
MAX_FIT_POINTS: Final = 120
"""Most recent change points the slope is fitted on (bounds the pairwise work)."""
MAX_PAGE_STEP: Final = 50_000
"""A counter leap larger than this between two readings is a reset, not usage."""
RATE_WINDOW: Final = timedelta(days=7)
RATE_HISTORY: Final = timedelta(days=28)
MIN_RATE_SPAN: Final = timedelta(days=1)
MAX_HISTORY_POINTS: Final = 300
"""Readings per supply the integration keeps (``thin_history``)."""
FINE_STEP: Final = 2.0
"""Levels moving in steps up to this many points are fine-grained (noise matters)."""
MAX_DAYS: Final = 3650.0
"""Forecasts further out than ten years are no forecast."""

_DAY: Final = 86400.0
SATURDAY: Final = 5


@dataclass(frozen=True, slots=True)
class _Reading:
    time: datetime
    level: float
    pages: float | None
    """Cumulative pages printed since the first reading (resets ignored)."""


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _days(time: datetime) -> float:
    return time.timestamp() / _DAY


def _level(point: UsagePoint) -> float | None:
    if point.empty:
        return 0.0
    level = point.level
    if level is None or not 0.0 <= level <= 100.0:  # NaN fails too
        return None
    return float(level)


def is_replacement(old_level: float, new_level: float) -> bool:
    """Whether a supply going from ``old_level`` to ``new_level`` was replaced."""
    return new_level - old_level > REFILL_RISE


def _sorted(points: Iterable[UsagePoint]) -> list[UsagePoint]:
    return sorted(points, key=lambda point: _utc(point.time))


def _usage_axis(points: Sequence[UsagePoint]) -> list[float | None]:
    """Pages printed since the first reading with a counter, per point."""
    axis: list[float | None] = []
    total = 0.0
    previous: int | None = None
    for point in points:
        pages = point.pages
        if pages is None or pages < 0:
            axis.append(None)
            continue
        if previous is not None and 0 <= pages - previous <= MAX_PAGE_STEP:
            total += pages - previous
        previous = pages
        axis.append(total)
    return axis


def _segments(
    points: Sequence[UsagePoint], axis: Sequence[float | None]
) -> list[list[_Reading]]:
    """Readings with a known level, split where the supply was replaced."""
    segments: list[list[_Reading]] = []
    low = 0.0
    for point, pages in zip(points, axis, strict=True):
        if (level := _level(point)) is None:
            continue
        reading = _Reading(_utc(point.time), level, pages)
        if not segments or is_replacement(low, level):
            segments.append([reading])
            low = level
            continue
        segments[-1].append(reading)
        low = min(low, level)
    return segments


@dataclass(frozen=True, slots=True)
class _Change:
    days: float
    pages: float | None
    level: float


def _changes(segment: Sequence[_Reading]) -> tuple[list[_Change], float]:
    """One point per new low, halfway from the last reading at the old low.

    Returns them and the size of the last step (1 when there was none).
    """
    changes: list[_Change] = []
    low = segment[0].level
    at_low = segment[0]
    step = 1.0
    for reading in segment[1:]:
        if reading.level < low:
            pages = (
                (at_low.pages + reading.pages) / 2
                if at_low.pages is not None and reading.pages is not None
                else None
            )
            days = (_days(at_low.time) + _days(reading.time)) / 2
            changes.append(_Change(days, pages, reading.level))
            step = low - reading.level
            low = reading.level
        if reading.level <= low:
            at_low = reading
    return changes, step


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """Slope and intercept: medians of pairwise slopes and of ``y - slope * x``.

    None without two distinct ``x``.
    """
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    if not slopes:
        return None
    slope = median(slopes)
    return slope, median(y - slope * x for x, y in zip(xs, ys, strict=True))


@dataclass(frozen=True, slots=True)
class _Rate:
    per_day: float
    weekdays: tuple[float, ...] | None
    """Pages on each weekday (Monday first), when there are two weekends to tell."""


def _counter_samples(
    points: Iterable[PagePoint], as_of: datetime | None
) -> list[tuple[float, float]]:
    """(day, pages printed since the first reading), sorted, up to ``as_of``."""
    ordered = sorted(
        (PagePoint(_utc(point.time), point.pages) for point in points),
        key=lambda point: point.time,
    )
    if as_of is not None:
        ordered = [point for point in ordered if point.time <= _utc(as_of)]
    axis = _usage_axis([UsagePoint(p.time, None, p.pages) for p in ordered])
    return [
        (_days(point.time), pages)
        for point, pages in zip(ordered, axis, strict=True)
        if pages is not None
    ]


def pages_per_day(
    points: Iterable[PagePoint], as_of: datetime | None = None
) -> float | None:
    """The printer's recent pages per day.

    The pages printed over the last four weeks of the counter (or all of
    it when shorter) divided by their span; None with less than a day.
    Backward steps and implausible leaps of the counter add nothing.
    """
    rate = _page_rate(_counter_samples(points, as_of), UTC)
    return rate.per_day if rate is not None else None


def _page_rate(samples: Sequence[tuple[float, float]], zone: tzinfo) -> _Rate | None:
    if not samples:
        return None
    end = samples[-1][0]
    start = max(samples[0][0], end - RATE_HISTORY.total_seconds() / _DAY)
    span = end - start
    if span < MIN_RATE_SPAN.total_seconds() / _DAY:
        return None
    window = RATE_WINDOW.total_seconds() / _DAY
    if span < window:
        total = _interpolate(samples, end) - _interpolate(samples, start)
        return _Rate(total / span, None)
    # The mean, not a median of weeks: home printing is a few busy days among
    # idle ones, and a median of such totals falls short of the pace
    # (bench/forecast.py measured it). Resets and leaps are already out.
    total = _interpolate(samples, end) - _interpolate(samples, start)
    return _Rate(total / span, _weekdays(samples, start, end, zone))


def _weekdays(
    samples: Sequence[tuple[float, float]], start: float, end: float, zone: tzinfo
) -> tuple[float, ...] | None:
    """Pages on each weekday: working days (Monday-Friday) and weekend days.

    Two means, not seven: a home printer's few busy days fall on random
    weekdays, and a profile per weekday from four weeks of them is noise
    (bench/forecast.py measured it); an office's empty weekends are the
    pattern worth knowing. None before two weekends are seen, or when
    nothing was printed.
    """
    first = datetime.fromtimestamp(start * _DAY, zone).date() + timedelta(days=1)
    work: list[float] = []
    weekend: list[float] = []
    day = first
    while True:
        midnight = datetime.combine(day, time.min, zone)
        upper = _days(midnight + timedelta(days=1))
        if upper > end:
            break
        printed = _interpolate(samples, upper) - _interpolate(samples, _days(midnight))
        (weekend if day.weekday() >= SATURDAY else work).append(printed)
        day += timedelta(days=1)
    if len(weekend) < 4 or not any(work + weekend):
        return None
    working, resting = sum(work) / len(work), sum(weekend) / len(weekend)
    return (working,) * SATURDAY + (resting,) * (7 - SATURDAY)


def _days_to_print(pages: float, rate: _Rate, start: datetime, zone: tzinfo) -> float:
    """Days from ``start`` until ``pages`` more are printed at this rate.

    With a weekday profile the days are walked one by one (an office prints
    nothing at the weekend); its week is scaled to the robust weekly rate.
    """
    if rate.weekdays is None:
        return pages / rate.per_day
    scale = rate.per_day * 7 / sum(rate.weekdays)
    local = start.astimezone(zone)
    day = local.date()
    share = 1 - (local - datetime.combine(day, time.min, zone)).total_seconds() / _DAY
    elapsed = 0.0
    while elapsed < MAX_DAYS:
        printed = rate.weekdays[day.weekday()] * scale
        if printed * share >= pages:
            return elapsed + (pages / printed if pages > 0 else 0.0)
        pages -= printed * share
        elapsed += share
        share = 1.0
        day += timedelta(days=1)
    return elapsed


def _interpolate(samples: Sequence[tuple[float, float]], day: float) -> float:
    """Counter at ``day``, linear between readings (samples sorted by day).

    Of several readings at the same moment the last counts.
    """
    # Callers never ask before the first reading: index >= 1.
    index = max(bisect_right(samples, day, key=lambda sample: sample[0]), 1)
    if index == len(samples):
        return samples[-1][1]
    (d0, p0), (d1, p1) = samples[index - 1], samples[index]
    return p0 + (p1 - p0) * (day - d0) / (d1 - d0)


def forecast_supply(
    points: Iterable[UsagePoint],
    *,
    as_of: datetime | None = None,
    counter: Iterable[PagePoint] | None = None,
    zone: tzinfo = UTC,
) -> SupplyForecast | None:
    """Forecast when the supply's current segment reaches empty.

    ``as_of`` defaults to the last reading's time; readings after it are
    ignored. ``counter`` is the printer-wide page counter history when the
    caller keeps it apart from the supply's readings; otherwise the readings'
    own counter values are used. ``zone`` is where the printer's days begin
    (its weekday profile). Returns None when there is no reading at all.
    """
    ordered = _sorted(points)
    if as_of is not None:
        as_of = _utc(as_of)
        ordered = [point for point in ordered if _utc(point.time) <= as_of]
    if not ordered:
        return None
    as_of = as_of or _utc(ordered[-1].time)
    if counter is None:
        counter = (
            PagePoint(point.time, point.pages)
            for point in ordered
            if point.pages is not None
        )
    rate = _page_rate(_counter_samples(counter, as_of), zone)
    axis = _usage_axis(ordered)
    segments = _segments(ordered, axis)
    base = SupplyForecast(
        as_of=as_of,
        runs_out=None,
        days_remaining=None,
        segments=len(segments),
        last_replaced=segments[-1][0].time if len(segments) > 1 else None,
        level=segments[-1][-1].level if segments else None,
        pages_per_day=rate.per_day if rate is not None else None,
    )
    if not segments:
        return base
    segment = segments[-1]
    low = min(reading.level for reading in segment)
    if low <= 0.0:
        empty_at = next(reading.time for reading in segment if reading.level <= 0.0)
        return replace(base, runs_out=empty_at, days_remaining=0.0)
    changes, step = _changes(segment)
    changes = changes[-MAX_FIT_POINTS:]
    if (
        len(changes) < MIN_CHANGES
        or changes[0].level - changes[-1].level < MIN_DROP
        or as_of - segment[0].time < MIN_SPAN
    ):
        return base
    # The counter now, also from readings whose level was unknown.
    last_pages = next((pages for pages in reversed(axis) if pages is not None), None)
    with_pages = [
        (change.pages, change.level) for change in changes if change.pages is not None
    ]
    if rate is not None and last_pages is not None and len(with_pages) >= 2:
        fit = theil_sen([x for x, _ in with_pages], [y for _, y in with_pages])
        if fit is not None and fit[0] < 0:
            slope, intercept = fit
            if rate.per_day <= 0:
                return replace(base, method=ForecastMethod.PAGES)
            intercept += _offset(segment, changes, slope, intercept, by_pages=True)
            level_now = _clip(intercept + slope * last_pages, low, step)
            days = _days_to_print(level_now / -slope, rate, as_of, zone)
            return _finish(base, days, ForecastMethod.PAGES, -slope, rate.per_day)
    # By time the change points themselves must span MIN_SPAN: a burst of
    # printing in one afternoon says nothing about a day's consumption.
    if changes[-1].days - changes[0].days < MIN_SPAN.total_seconds() / _DAY:
        return base
    fit = theil_sen([change.days for change in changes], [c.level for c in changes])
    assert fit is not None  # they span time, and each one is lower

    slope, intercept = fit
    intercept += _offset(segment, changes, slope, intercept, by_pages=False)
    level_now = _clip(intercept + slope * _days(as_of), low, step)
    return _finish(base, level_now / -slope, ForecastMethod.TIME, None, None)


def _offset(
    segment: Sequence[_Reading],
    changes: Sequence[_Change],
    slope: float,
    intercept: float,
    *,
    by_pages: bool,
) -> float:
    """How far the line is below the readings when levels are fine-grained.

    With levels in steps of 1-2 % the noise of the estimate, not rounding,
    decides when a new low is first read: change points sit on the low
    side of the noise, and so would the line. The median residual of the
    readings since the first change point puts it back in their middle.
    Coarse steps keep the line on the change points (see the module text).
    """
    drops = [a.level - b.level for a, b in itertools.pairwise(changes)]
    if not drops or median(drops) > FINE_STEP:
        return 0.0
    since = changes[0].days
    residuals = [
        reading.level - (intercept + slope * x)
        for reading in segment
        if _days(reading.time) >= since
        and (x := reading.pages if by_pages else _days(reading.time)) is not None
    ]
    return median(residuals) if residuals else 0.0


def _clip(level: float, low: float, step: float) -> float:
    """The fitted level now, within the step the printer still reports."""
    return min(max(level, low - step, 0.0), low)


def _finish(
    base: SupplyForecast,
    days: float,
    method: ForecastMethod,
    per_page: float | None,
    page_rate: float | None,
) -> SupplyForecast:
    if days >= MAX_DAYS:
        return replace(base, method=method)
    return replace(
        base,
        runs_out=base.as_of + timedelta(days=days),
        days_remaining=days,
        method=method,
        percent_per_page=per_page,
        percent_per_day=(
            per_page * page_rate
            if per_page is not None and page_rate is not None
            else None
        ),
    )


def thin_history(
    points: Sequence[UsagePoint], limit: int = MAX_HISTORY_POINTS
) -> tuple[UsagePoint, ...]:
    """Keep at most ``limit`` readings, losing as little of the forecast as can be.

    Older segments go first (the last reading before the current segment
    stays: it tells the replacement). Within the current segment the readings
    around a level change (the first at a new level and the last at the old
    one) are kept before plateau readings; if even those are too many, an
    evenly spread selection of them is, always with the first and the last.
    """
    ordered = _sorted(points)
    if len(ordered) <= limit:
        return tuple(ordered)
    start = _current_start(ordered)
    current = ordered[start:]
    if len(current) > limit - (1 if start else 0):
        current = _decimate(current, limit - (1 if start else 0))
    older = ordered[:start][-(limit - len(current)) :] if limit > len(current) else []
    return (*older, *current)


def _current_start(ordered: Sequence[UsagePoint]) -> int:
    """Index of the first reading of the current segment."""
    start = 0
    low: float | None = None
    for index, point in enumerate(ordered):
        if (level := _level(point)) is None:
            continue
        if low is not None and is_replacement(low, level):
            start = index
            low = level
        else:
            low = level if low is None else min(low, level)
    return start


def _decimate(points: Sequence[UsagePoint], limit: int) -> list[UsagePoint]:
    levels = [_level(point) for point in points]
    last = len(points) - 1
    keep = {0, last}
    keep.update(
        index
        for index in range(1, last)
        if levels[index] != levels[index - 1] or levels[index] != levels[index + 1]
    )
    chosen = sorted(keep)
    if len(chosen) > limit:
        chosen = _spread(chosen, limit)
    elif (room := limit - len(chosen)) > 0:
        rest = [index for index in range(len(points)) if index not in keep]
        chosen = sorted({*chosen, *_spread(rest, room)})
    return [points[index] for index in chosen]


def _spread(indices: Sequence[int], count: int) -> list[int]:
    """``count`` (>= 1) of ``indices`` evenly spread, with the first and the last."""
    if count == 1 or len(indices) <= count:
        return list(indices[:count])
    gap = (len(indices) - 1) / (count - 1)
    return [indices[round(i * gap)] for i in range(count)]
