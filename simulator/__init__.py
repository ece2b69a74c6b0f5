"""A simulated HP printer (LEDM, CDM, IPP, raw/PJL) for development and tests.

Not shipped to users. Start one from Python with
``async with SimulatedPrinter("officejet-pro-9022e") as sim:`` or from the
command line with ``python -m simulator --profile NAME --port PORT``.

Importing this package is cheap: the server (aiohttp) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Before any module of ours imports the client library (see _standalone).
from . import _standalone  # noqa: F401  # isort: split

if TYPE_CHECKING:
    from .profiles import PROFILES
    from .server import PrinterGroup, SimulatedPrinter, start_printers
    from .state import StateError

__all__ = [
    "PROFILES",
    "PrinterGroup",
    "SimulatedPrinter",
    "StateError",
    "start_printers",
]

_LAZY = {
    "PROFILES": "profiles",
    "PrinterGroup": "server",
    "SimulatedPrinter": "server",
    "start_printers": "server",
    "StateError": "state",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module_name}"), name)
