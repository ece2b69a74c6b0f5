"""Usage traces as CSV: ``time`` (ISO 8601), ``level`` (percent), ``pages``."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
import io
from typing import Final

from custom_components.hp_ews.client.errors import HPEWSError
from custom_components.hp_ews.client.forecast.models import UsagePoint

MAX_TRACE_ROWS: Final = 500_000
"""Most rows a trace may have (a reading a minute for almost a year)."""


class HPEWSTraceError(HPEWSError):
    """A usage trace that cannot be read."""


def parse_trace(text: str) -> tuple[UsagePoint, ...]:
    """Read a trace: a header with ``time`` and ``level``, ``pages`` optional.

    An empty ``level`` or ``pages`` cell is unknown. Times without a zone are
    UTC.
    """
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.strip() for name in reader.fieldnames or ()}
    if not {"time", "level"} <= fields:
        raise HPEWSTraceError("a trace needs the columns time and level")
    points: list[UsagePoint] = []
    for row in reader:
        if len(points) >= MAX_TRACE_ROWS:
            raise HPEWSTraceError(f"a trace has at most {MAX_TRACE_ROWS} rows")
        cells = {
            (key or "").strip(): (value or "").strip() for key, value in row.items()
        }
        line = reader.line_num
        try:
            time = datetime.fromisoformat(cells["time"])
            level = float(cells["level"]) if cells["level"] else None
            pages = int(cells["pages"]) if cells.get("pages") else None
        except ValueError as err:
            raise HPEWSTraceError(f"line {line}: {err}") from err
        if time.tzinfo is None:
            time = time.replace(tzinfo=UTC)
        points.append(UsagePoint(time, level, pages))
    return tuple(points)
