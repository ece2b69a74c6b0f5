"""Constants for the hp_ews integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "hp_ews"
LOGGER = logging.getLogger(__package__)
