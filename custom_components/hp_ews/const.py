"""Constants for the hp_ews integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "hp_ews"
LOGGER = logging.getLogger(__package__)

CONF_ADVANCED: Final = "advanced"
"""Form section holding the connection details most users never need."""

SCAN_INTERVAL: Final = timedelta(seconds=60)
"""Time between status refreshes; HP firmware dislikes faster polling.

Not an option (Home Assistant's appropriate-polling rule): users who want
other timing disable polling and call ``homeassistant.update_entity``.
"""

FULL_REFRESH_EVERY: Final = 10
"""Re-read supplies, counters and identity on every N-th refresh.

The client also re-reads them as soon as the printer signals a change, so
this only bounds how stale a silently drifting value (a page counter) gets.
"""

REQUEST_TIMEOUT: Final = 10.0
"""Seconds a printer has to answer one request; waking from sleep is slow."""

MAX_BACKOFF: Final = timedelta(minutes=10)
"""Longest wait between attempts while a printer is unreachable."""

# --- printing -----------------------------------------------------------------

CONF_HOLD_HOURS: Final = "hold_hours"
"""Option: hours a held job waits for release before it is deleted."""
DEFAULT_HOLD_HOURS: Final = 24
MIN_HOLD_HOURS: Final = 1
MAX_HOLD_HOURS: Final = 720
CONF_HELD_QUOTA_GIB: Final = "held_quota_gib"
"""Option: GiB that held jobs of all printers may take before this one's are refused."""
DEFAULT_HELD_QUOTA_GIB: Final = 2
MIN_HELD_QUOTA_GIB: Final = 1
MAX_HELD_QUOTA_GIB: Final = 1024

MAX_DOCUMENT_BYTES: Final = 512 * 1024 * 1024
"""Largest document printed or held; a 200-page scan stays well below it."""
MAX_HELD_JOBS: Final = 100
"""Held jobs kept at most across all printers; more are refused."""

URL_TIMEOUT: Final = 300.0
"""Seconds a download may take in total, headers to last byte."""
URL_CONNECT_TIMEOUT: Final = 30.0
URL_READ_TIMEOUT: Final = 60.0
"""Seconds without a byte from the server before a download is given up."""

PRINT_WAIT_TIMEOUT: Final = 300.0
"""Seconds an action with ``wait`` follows the job before it answers."""
FOLLOW_TIMEOUT: Final = 3600.0
"""Seconds a job is followed in the background for the event entity."""
FOLLOW_RETRY_DELAY: Final = 30.0
"""Seconds between attempts to read a job while the printer does not answer."""

# --- scanning -----------------------------------------------------------------

CONF_WALKUP_ENABLED: Final = "walkup_enabled"
"""Option: offer Home Assistant as a "Scan to computer" destination on the panel."""
DEFAULT_WALKUP_ENABLED: Final = True
CONF_WALKUP_NAME: Final = "walkup_name"
"""Option: the destination's name on the panel; absent means the location name."""
MAX_WALKUP_NAME_LENGTH: Final = 32
"""Longest destination name accepted; printer panels show short names."""

SCAN_FOLDER: Final = "scans"
"""Folder in the first media folder where scans go unless the action names one."""
DEFAULT_SCAN_FILE_NAME: Final = "scan_%Y-%m-%d_%H-%M-%S"
"""File name template (strftime, local time); the extension is added."""
DEFAULT_SCAN_RESOLUTION: Final = 300
"""dpi, or the listed resolution closest to it."""
MAX_SCAN_FILE_NAME_BYTES: Final = 200
"""Room within 255 bytes for a page number, " (2)" and the extension."""
MAX_SCAN_PAGES: Final = 100
"""Pages one scan may take; a feeder holds fewer."""
