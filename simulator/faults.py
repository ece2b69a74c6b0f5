"""Faults a simulated printer can be told to show (``POST /_sim/fault``).

Each fault is a name plus parameters; ``count`` limits it to the next N
matching requests and ``paths`` to requests whose path starts with one of the
given prefixes. Control paths (``/_sim/``) are never affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from .state import StateError

# name -> (parameter defaults, applies per request)
FAULTS: Final[dict[str, dict[str, Any]]] = {
    "refuse_connections": {"seconds": None},
    "delay": {"seconds": 2.0},
    "http_error": {"status": 503},
    "truncate": {"fraction": 0.5, "mode": "close"},
    "malformed": {},
    "wrong_content_type": {"content_type": "text/html"},
    "auth": {"username": "admin", "password": "hp"},
    "slow_wake": {"seconds": 5.0},
    "swap": {},
    "drop_concurrent": {"limit": 2},
    "ipp_busy": {},
}
"""Every fault with its parameters and their defaults."""

_NUMBERS: Final = {"seconds", "fraction"}
_INTEGERS: Final = {"status", "limit"}
_TEXTS: Final = {"mode", "content_type", "username", "password"}


@dataclass(slots=True)
class Fault:
    """One active fault."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    """Requests left to affect; None = until cleared."""
    paths: tuple[str, ...] = ()

    def applies_to(self, path: str) -> bool:
        """Whether a request for ``path`` is affected."""
        return not self.paths or path.startswith(self.paths)

    def to_json(self) -> dict[str, Any]:
        """The fault as the control API shows it."""
        return {
            "fault": self.name,
            **self.params,
            "count": self.count,
            "paths": list(self.paths),
        }


def parse_fault(body: Any) -> Fault | None:
    """A fault from a control request body; None for ``{"fault": "none"}``.

    Raises:
        StateError: unknown fault or bad parameter.
    """
    if not isinstance(body, dict) or not isinstance(body.get("fault"), str):
        raise StateError('body must be like {"fault": "delay", "seconds": 2}')
    name = body["fault"]
    if name == "none":
        return None
    if name not in FAULTS:
        raise StateError(f"unknown fault {name!r}; known: none, {', '.join(FAULTS)}")
    params = dict(FAULTS[name])
    count: int | None = None
    paths: tuple[str, ...] = ()
    for key, value in body.items():
        if key == "fault":
            continue
        if key == "count":
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise StateError("count must be a positive integer or null")
            count = value
        elif key == "paths":
            if not isinstance(value, list) or not all(
                isinstance(p, str) and p.startswith("/") for p in value
            ):
                raise StateError('paths must be a list like ["/DevMgmt/"]')
            paths = tuple(value)
        elif key not in params:
            raise StateError(f"fault {name} has no parameter {key!r}")
        else:
            params[key] = _check(key, value)
    if name == "truncate" and params["mode"] not in ("close", "short"):
        raise StateError('truncate mode must be "close" or "short"')
    if name == "http_error" and not 400 <= params["status"] <= 599:
        raise StateError("http_error status must be 400-599")
    return Fault(name, params, count, paths)


def _check(key: str, value: Any) -> Any:
    if key in _NUMBERS:
        if value is None and key == "seconds":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise StateError(f"{key} must be a number >= 0")
        return float(value)
    if key in _INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StateError(f"{key} must be an integer >= 0")
        return value
    if not isinstance(value, str):
        raise StateError(f"{key} must be a string")
    return value


class FaultSet:
    """The faults active on one printer, by name."""

    def __init__(self) -> None:
        """No faults."""
        self.faults: dict[str, Fault] = {}

    def add(self, fault: Fault) -> None:
        """Activate a fault (replacing one of the same name)."""
        self.faults[fault.name] = fault

    def clear(self, name: str | None = None) -> None:
        """Clear one fault, or all."""
        if name is None:
            self.faults.clear()
        else:
            self.faults.pop(name, None)

    def get(self, name: str, path: str) -> Fault | None:
        """The active fault of that name affecting ``path`` (not consumed)."""
        fault = self.faults.get(name)
        if fault is None or not fault.applies_to(path):
            return None
        return fault

    def take(self, name: str, path: str) -> Fault | None:
        """Like :meth:`get`, counting this request against ``count``."""
        fault = self.get(name, path)
        if fault is not None and fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                del self.faults[name]
        return fault

    def to_json(self) -> list[dict[str, Any]]:
        """Active faults for the control API."""
        return [fault.to_json() for fault in self.faults.values()]
