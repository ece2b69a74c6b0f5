"""Fixtures of the simulator tests: loopback sockets, HTTP client, helpers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from simulator.testing import simulated_printer  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Every simulator test talks to servers on 127.0.0.1."""


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client (no certificate checks: printers are self-signed)."""
    connector = aiohttp.TCPConnector(ssl=False, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session
