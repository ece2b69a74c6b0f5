"""pytest helpers: start simulated printers on free ports, stop them after the test.

In a conftest: ``from simulator.testing import simulated_printer  # noqa: F401``,
then in a test (which must also request ``socket_enabled`` under
pytest-homeassistant-custom-component)::

    async def test_jam(simulated_printer, socket_enabled):
        sim = await simulated_printer("officejet-pro-9022e")
        sim.set_state(paper_jam=True)
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from .server import SimulatedPrinter

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class PrinterFactory(Protocol):
    """Starts a printer; it is stopped when the test ends."""

    async def __call__(
        self, profile: str | None = None, **options: Any
    ) -> SimulatedPrinter:
        """Start a printer of ``profile`` (or ``replay=DIR``) on a free port."""


@pytest.fixture
async def simulated_printer() -> AsyncIterator[PrinterFactory]:
    """A factory of started printers, all closed at teardown."""
    started: list[SimulatedPrinter] = []

    async def start(profile: str | None = None, **options: Any) -> SimulatedPrinter:
        printer = SimulatedPrinter(profile, **options)
        await printer.start()
        started.append(printer)
        return printer

    async with contextlib.AsyncExitStack() as stack:
        # Every printer is closed even if closing another one fails.
        stack.push_async_callback(_close_all, started)
        yield start


async def _close_all(printers: list[SimulatedPrinter]) -> None:
    async with contextlib.AsyncExitStack() as stack:
        for printer in printers:
            stack.push_async_callback(printer.close)
