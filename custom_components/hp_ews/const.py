"""Constants for the hp_ews integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "hp_ews"
LOGGER = logging.getLogger(__package__)

CONF_ADVANCED: Final = "advanced"
"""Form section holding the connection details most users never need."""

DEFAULT_SCAN_INTERVAL: Final = 60
"""Seconds between status refreshes; HP firmware dislikes faster polling."""
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 3600

FULL_REFRESH_EVERY: Final = 10
"""Re-read supplies, counters and identity on every N-th refresh.

The client also re-reads them as soon as the printer signals a change, so
this only bounds how stale a silently drifting value (a page counter) gets.
"""

REQUEST_TIMEOUT: Final = 10.0
"""Seconds a printer has to answer one request; waking from sleep is slow."""

MAX_BACKOFF: Final = timedelta(minutes=10)
"""Longest wait between attempts while a printer is unreachable."""
