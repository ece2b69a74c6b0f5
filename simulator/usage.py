"""Usage over simulated days: pages by a weekly pattern, supplies used up.

``POST /_sim/usage`` (and ``SimulatedPrinter.run_usage``) prints the pages of
``days`` simulated days at once, the way a printer that is read once a day
would have printed them: the counters rise, every supply a page uses falls
by ``percent_per_page`` (the state's), and the simulated calendar moves on
(day 0 is a Monday, so the office pattern has its weekends). Home Assistant's
clock is the test's to move (``freezer``); the simulator has no clock of its
own to keep in step. ``{"replace": "K"}`` puts in a new supply (100 %, or
``level``); ``{"refill": "K", "level": 90}`` fills an ink tank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .state import StateError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .state import PrinterState

MAX_DAYS: Final = 3650
MAX_PAGES_PER_DAY: Final = 100_000
WEEK: Final = 7
PATTERNS: Final[dict[str, tuple[int, ...]]] = {
    "office": (0, 1, 2, 3, 4),
    "home": (2, 5),
    "daily": (0, 1, 2, 3, 4, 5, 6),
}
"""The weekdays (Monday = 0) a pattern prints on; the week's pages spread
evenly over them, so ``pages_per_day`` is the weekly average either way."""


@dataclass(frozen=True, slots=True)
class UsageRun:
    """Print the pages of ``days`` simulated days."""

    days: int
    pages_per_day: float
    pattern: str = "office"
    color_share: float = 0.0
    """Share of the pages printed in color (on color printers)."""


@dataclass(frozen=True, slots=True)
class SupplyChange:
    """A new supply (``replace``) or an ink tank filled (``refill``)."""

    color: str
    level: float


def parse_usage(body: Mapping[str, Any]) -> UsageRun | SupplyChange:
    """Validate a ``POST /_sim/usage`` body.

    Raises:
        StateError: not one of the two shapes, or values out of range.
    """
    for word in ("replace", "refill"):
        if word in body:
            extra = set(body) - {word, "level"}
            if extra:
                raise StateError(f"unknown usage field(s) {sorted(extra)}")
            level = body.get("level", 100)
            if isinstance(level, bool) or not isinstance(level, int | float):
                raise StateError("level must be a number 0-100")
            if not 0 <= level <= 100:
                raise StateError("level must be a number 0-100")
            return SupplyChange(str(body[word]), float(level))
    extra = set(body) - {"days", "pages_per_day", "pattern", "color_share"}
    if extra:
        raise StateError(f"unknown usage field(s) {sorted(extra)}")
    days = body.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise StateError(f"days must be an integer 1-{MAX_DAYS}")
    pages = body.get("pages_per_day")
    if (
        isinstance(pages, bool)
        or not isinstance(pages, int | float)
        or not 0 <= pages <= MAX_PAGES_PER_DAY
    ):
        raise StateError(f"pages_per_day must be a number 0-{MAX_PAGES_PER_DAY}")
    pattern = body.get("pattern", "office")
    if pattern not in PATTERNS:
        raise StateError(f"pattern must be one of {sorted(PATTERNS)}")
    share = body.get("color_share", 0.0)
    if (
        isinstance(share, bool)
        or not isinstance(share, int | float)
        or not 0 <= share <= 1
    ):
        raise StateError("color_share must be a number 0-1")
    return UsageRun(days, float(pages), str(pattern), float(share))


class SimulatedUsage:
    """The simulated calendar of one printer and the pages printed by it."""

    def __init__(self, state: PrinterState) -> None:
        """Start on a Monday, nothing printed."""
        self.state = state
        self.day = 0
        """Simulated days run so far (day 0 a Monday)."""
        self._carry = 0.0
        """Fractions of a page owed from earlier days."""

    def reset(self) -> None:
        """Back to day 0."""
        self.day = 0
        self._carry = 0.0

    def apply(self, request: UsageRun | SupplyChange) -> dict[str, Any]:
        """Run a usage request; returns what ``POST /_sim/usage`` answers."""
        if isinstance(request, SupplyChange):
            self._change_supply(request)
            return self.to_json(pages=0)
        printed = 0
        weekdays = PATTERNS[request.pattern]
        per_active_day = request.pages_per_day * WEEK / len(weekdays)
        for _ in range(request.days):
            if self.day % WEEK in weekdays:
                self._carry += per_active_day
                pages = int(self._carry + 1e-9)  # 0.6 + 1.4 is 2 pages
                self._carry -= pages
                color = (
                    round(pages * request.color_share)
                    if self.state.profile.color
                    else 0
                )
                self._print(pages - color, color=False)
                self._print(color, color=True)
                printed += pages
            self.day += 1
        self.state.changed()
        return self.to_json(pages=printed)

    def _change_supply(self, change: SupplyChange) -> None:
        spec = self.state.profile.supply_for_color(change.color)
        if spec is None:
            known = [s.color for s in self.state.profile.supplies if s.measured]
            raise StateError(f"no supply with colour {change.color!r}; known: {known}")
        self.state.levels[spec.key] = change.level
        self.state.missing.discard(spec.key)
        self.state.changed()

    def _print(self, pages: int, *, color: bool) -> None:
        """Use up supplies and count ``pages`` pages (as the job worker does)."""
        if not pages:
            return
        state = self.state
        for spec in state.profile.supplies:
            level = state.levels.get(spec.key)
            if level is None or spec.key in state.missing:
                continue
            if color or spec.used_by_mono:
                state.levels[spec.key] = max(
                    0.0, level - state.percent_per_page * pages
                )
        for name, applies in (
            ("total_pages", True),
            ("color_pages", color),
            ("monochrome_pages", not color),
        ):
            value = state.counters.get(name)
            if applies and value is not None:
                state.counters[name] = value + pages

    def to_json(self, *, pages: int) -> dict[str, Any]:
        """The answer: the calendar, pages printed now, levels and counters."""
        return {
            "day": self.day,
            "weekday": self.day % WEEK,
            "pages": pages,
            "levels": {
                key: (None if level is None else round(level, 3))
                for key, level in self.state.levels.items()
            },
            "counters": dict(self.state.counters),
        }
