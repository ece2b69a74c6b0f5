"""Access to the client library's IPP codec without importing the integration.

``custom_components/hp_ews/__init__.py`` imports Home Assistant. Importing the
codec through that package would load Home Assistant into every simulator
process (slow, and tens of MB per process: the 200-printer RSS budget cannot
afford it). The codec only needs its sibling ``errors`` module, so when the
integration is not already imported we load both files under a private alias
package. When it is (inside the test suite), the real module is used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType
from typing import TYPE_CHECKING

_CLIENT_DIR = Path(__file__).resolve().parent.parent / "custom_components/hp_ews/client"
_REAL = "custom_components.hp_ews.client.ippcodec"
_ALIAS = "simulator._client"


def _load() -> ModuleType:
    if _REAL in sys.modules:
        return sys.modules[_REAL]
    if f"{_ALIAS}.ippcodec" in sys.modules:
        return sys.modules[f"{_ALIAS}.ippcodec"]
    package = ModuleType(_ALIAS)
    package.__path__ = [str(_CLIENT_DIR)]
    sys.modules[_ALIAS] = package
    for name in ("errors", "ippcodec"):
        spec = importlib.util.spec_from_file_location(
            f"{_ALIAS}.{name}", _CLIENT_DIR / f"{name}.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules[f"{_ALIAS}.ippcodec"]


if TYPE_CHECKING:
    from custom_components.hp_ews.client import errors, ippcodec as codec
else:
    codec = _load()
    errors = sys.modules[codec.__name__.rpartition(".")[0] + ".errors"]

__all__ = ["codec", "errors"]
