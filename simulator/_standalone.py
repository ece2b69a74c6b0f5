"""Lets the simulator import the client library without the integration.

The simulator is an IPP server: it uses the client library's IPP codec
(``IppMessage``, ``decode_ipp``...) and errors, imported from the library's
root like any other user. ``custom_components/hp_ews/__init__.py`` imports
Home Assistant; running it in every simulator process would be slow and cost
tens of MB each (the 200-printer RSS budget cannot afford it). So when the
integration is not imported yet, its two parent packages are registered as
bare stand-ins (a path, no code) and only the library itself loads. Where the
integration is already imported (the test suite imports it first, in
``tests/conftest.py``), the real packages stay. ``simulator/__init__.py``
imports this module before anything else.
"""

from __future__ import annotations

from pathlib import Path
import sys
from types import ModuleType

_ROOT = Path(__file__).resolve().parent.parent


def register_parents() -> None:
    """Register stand-ins for the library's parent packages not imported yet."""
    for name, path in (
        ("custom_components", _ROOT / "custom_components"),
        ("custom_components.hp_ews", _ROOT / "custom_components" / "hp_ews"),
    ):
        if name not in sys.modules:
            stand_in = ModuleType(name, "Stand-in: the simulator needs no integration.")
            stand_in.__path__ = [str(path)]
            sys.modules[name] = stand_in


register_parents()
