"""Supply forecasts: when each supply runs out, from its level history."""

from __future__ import annotations

from custom_components.hp_ews.client.forecast.estimator import (
    MAX_HISTORY_POINTS,
    forecast_supply,
    is_replacement,
    pages_per_day,
    thin_history,
)
from custom_components.hp_ews.client.forecast.models import (
    ForecastMethod,
    PagePoint,
    SupplyForecast,
    UsagePoint,
)
from custom_components.hp_ews.client.forecast.trace import HPEWSTraceError, parse_trace

__all__ = [
    "MAX_HISTORY_POINTS",
    "ForecastMethod",
    "HPEWSTraceError",
    "PagePoint",
    "SupplyForecast",
    "UsagePoint",
    "forecast_supply",
    "is_replacement",
    "pages_per_day",
    "parse_trace",
    "thin_history",
]
