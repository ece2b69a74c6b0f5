"""Count the work a call does in the client library, independent of the machine.

``lines_run(f, *args)`` calls ``f`` and counts the lines of the client
library's Python code that run meanwhile (``sys.monitoring`` LINE events, a
tool of its own, so coverage keeps measuring). A loop over a million values
runs a million times its body's lines, however fast the machine is; work in
C (``json``, expat, ``bytes.count``) is bounded by the byte caps instead and
is measured by ``bench/hostile.py``.
"""

from __future__ import annotations

from pathlib import Path
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType

CLIENT = str(Path(__file__).resolve().parents[2] / "custom_components/hp_ews/client")


def lines_run[T](function: Callable[..., T], *args: Any) -> tuple[int, T]:
    """(lines of the client library run, result) of ``function(*args)``."""
    monitoring = sys.monitoring
    tool = next(t for t in (3, 4, 2) if monitoring.get_tool(t) is None)
    count = 0

    def on_line(code: CodeType, _line: int) -> None:
        nonlocal count
        if code.co_filename.startswith(CLIENT):
            count += 1

    monitoring.use_tool_id(tool, "hp_ews work count")
    try:
        monitoring.register_callback(tool, monitoring.events.LINE, on_line)
        monitoring.set_events(tool, monitoring.events.LINE)
        try:
            result = function(*args)
        finally:
            monitoring.set_events(tool, monitoring.events.NO_EVENTS)
            monitoring.register_callback(tool, monitoring.events.LINE, None)
    finally:
        monitoring.free_tool_id(tool)
    return count, result


def lines(function: Callable[..., object], *args: Any) -> int:
    """Lines of the client library run by ``function(*args)``."""
    return lines_run(function, *args)[0]
