"""Shared test configuration.

Importing the integration here makes this repository's ``custom_components``
package the one Python caches, before pytest-homeassistant-custom-component's
own testing ``custom_components`` package can shadow it.
"""

from __future__ import annotations

from pathlib import Path

from custom_components.hp_ews.const import DOMAIN  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
