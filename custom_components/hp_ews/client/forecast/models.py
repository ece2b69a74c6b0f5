"""Frozen models of supply forecasting: what goes in and what comes out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


class ForecastMethod(StrEnum):
    """What the consumption rate of a forecast was measured against."""

    PAGES = "pages"
    """Level per printed page (Theil-Sen) times the recent pages per day."""
    TIME = "time"
    """Level per day (Theil-Sen), for printers without a page counter."""


@dataclass(frozen=True, slots=True)
class UsagePoint:
    """One reading of a supply: when, its level and the page counter then."""

    time: datetime
    """Timezone-aware; naive times are taken as UTC."""
    level: float | None
    """Percent as the printer reports it; None (or out of 0-100) when unknown."""
    pages: int | None = None
    """The printer's total page counter at that time, when it counts."""
    empty: bool = False
    """The printer itself said the supply is empty (its own state)."""


@dataclass(frozen=True, slots=True)
class PagePoint:
    """The printer's total page counter at one time."""

    time: datetime
    pages: int


@dataclass(frozen=True, slots=True)
class SupplyForecast:
    """When the supply's current segment (cartridge or fill) reaches empty."""

    as_of: datetime
    runs_out: datetime | None
    """When the printer will report 0 % (or its empty state); None: not known yet."""
    days_remaining: float | None
    segments: int
    """Cartridges or fills seen in the history (1 + the replacements)."""
    last_replaced: datetime | None
    """First reading of the current segment, when it followed another one."""
    level: float | None = None
    """The last known level."""
    method: ForecastMethod | None = None
    percent_per_page: float | None = None
    """Consumption per printed page (positive), with ``ForecastMethod.PAGES``."""
    percent_per_day: float | None = None
    """Consumption per day (positive) the forecast assumes."""
    pages_per_day: float | None = None
    """The printer's recent page rate the forecast assumes."""
