"""A capture loaded once and shared by every printer using it.

Either a capture directory (the client library's capture format):
``capture.json``, ``http/<path>`` = body of ``GET <path>``,
``ipp/<Operation-Name>.ipp`` = raw IPP response; or a diagnostics JSON file
downloaded from Home Assistant, whose capture object is
``{"meta": {...}, "http": {"/path": {"text": ...} | {"base64": ...}},
"ipp": {"Get-Printer-Attributes": {"base64": ...}}}`` (under
``data.capture`` in a download), so a bug report replays as it is.

200 printers of one profile share one store, which keeps the many-printers
memory budget.
"""

from __future__ import annotations

import base64
import binascii
from collections import deque
from dataclasses import dataclass, field
from functools import cache
import json
import re
from typing import TYPE_CHECKING, Any, Final

from custom_components.hp_ews.client import IppMessage, decode_ipp

from .xmldoc import XmlTemplate

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_SIZE = 8 * 1024 * 1024
"""A capture file larger than this is not a printer response."""
MAX_JSON_FILE_SIZE: Final = 64 * 1024 * 1024
"""A diagnostics file larger than this is not one."""
_SEARCH_DEPTH: Final = 6
_OPERATION_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


class CaptureError(ValueError):
    """A file that should hold a capture does not."""


@dataclass(slots=True)
class CaptureStore:
    """The documents of one capture, parsed lazily."""

    source: Path
    """The capture directory or diagnostics file."""
    meta: dict[str, Any]
    http: dict[str, bytes]
    """Keyed by request path with a leading ``/``."""
    ipp: dict[str, bytes]
    """Keyed by operation name, e.g. ``Get-Printer-Attributes``."""
    _xml: dict[str, XmlTemplate] = field(default_factory=dict)
    _json: dict[str, Any] = field(default_factory=dict)
    _ipp: dict[str, IppMessage] = field(default_factory=dict)

    def xml(self, path: str) -> XmlTemplate:
        """The document at ``path`` as an XML template."""
        template = self._xml.get(path)
        if template is None:
            template = self._xml[path] = XmlTemplate.parse(self.http[path])
        return template

    def json(self, path: str) -> Any:
        """The document at ``path`` decoded as JSON (do not mutate)."""
        if path not in self._json:
            self._json[path] = json.loads(self.http[path])
        return self._json[path]

    def ipp_message(self, operation: str) -> IppMessage:
        """A fresh decoded copy of a captured IPP response (to edit)."""
        return decode_ipp(self.ipp[operation], max_size=MAX_FILE_SIZE)

    def ipp_template(self, operation: str) -> IppMessage:
        """The captured IPP response, decoded once (do not mutate)."""
        if operation not in self._ipp:
            self._ipp[operation] = self.ipp_message(operation)
        return self._ipp[operation]


def _read_tree(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.stat().st_size <= MAX_FILE_SIZE:
            files["/" + path.relative_to(root).as_posix()] = path.read_bytes()
    return files


@cache
def load_store(source: Path) -> CaptureStore:
    """Load (once per process) a capture directory or diagnostics file.

    Raises:
        FileNotFoundError: ``source`` is neither.
        CaptureError: a file that holds no usable capture.
    """
    if source.is_file():
        return _load_json(source)
    directory = source
    meta_path = directory / "capture.json"
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory or file")
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        loaded = json.loads(meta_path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            meta = loaded
    http = _read_tree(directory / "http")
    ipp = {
        path.lstrip("/").removesuffix(".ipp"): data
        for path, data in _read_tree(directory / "ipp").items()
        if path.endswith(".ipp")
    }
    if not http and not ipp:
        raise FileNotFoundError(f"{directory} holds no http/ or ipp/ captures")
    return CaptureStore(directory, meta, http, ipp)


def _load_json(path: Path) -> CaptureStore:
    """A capture inside a JSON file (a diagnostics download or the bare object)."""
    if path.stat().st_size > MAX_JSON_FILE_SIZE:
        raise CaptureError(f"{path} is larger than {MAX_JSON_FILE_SIZE} bytes")
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as err:
        raise CaptureError(f"{path} is not JSON: {err}") from err
    capture = find_capture(document)
    if capture is None:
        error = _capture_error(document)
        detail = f" (the capture failed: {error})" if error else ""
        raise CaptureError(f"{path} holds no capture{detail}")
    meta = capture.get("meta")
    http = {
        name: body
        for name, body in _decode_entries(capture.get("http"), path).items()
        if name.startswith("/")
    }
    ipp = {
        name: body
        for name, body in _decode_entries(capture.get("ipp"), path).items()
        if _OPERATION_NAME.match(name)
    }
    if not http and not ipp:
        raise CaptureError(f"{path} holds an empty capture")
    return CaptureStore(path, dict(meta) if isinstance(meta, dict) else {}, http, ipp)


def _is_capture(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("http"), dict)
        and isinstance(value.get("ipp", {}), dict)
        and isinstance(value.get("meta", {}), dict)
    )


def find_capture(document: object) -> dict[str, Any] | None:
    """The capture object in a diagnostics document, nearest the top first.

    Home Assistant puts an integration's diagnostics under ``data``; ours
    keep the capture under ``capture``; a bare capture object works too.
    """
    queue: deque[tuple[object, int]] = deque([(document, 0)])
    while queue:
        value, depth = queue.popleft()
        if _is_capture(value):
            assert isinstance(value, dict)
            return value
        if isinstance(value, dict) and depth < _SEARCH_DEPTH:
            queue.extend((item, depth + 1) for item in value.values())
    return None


def _capture_error(document: object) -> str | None:
    """The error diagnostics recorded when capturing failed, if any."""
    if isinstance(document, dict):
        for key in ("data", "capture"):
            inner = document.get(key)
            if isinstance(inner, dict):
                found = _capture_error(inner)
                if found:
                    return found
        error = document.get("error")
        if isinstance(error, str) and set(document) == {"error"}:
            return error
    return None


def _decode_entries(entries: object, path: Path) -> dict[str, bytes]:
    """``{"name": {"text": ...} | {"base64": ...}}`` decoded to bytes."""
    result: dict[str, bytes] = {}
    if not isinstance(entries, dict):
        return result
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise CaptureError(f"{path}: entry {name!r} is not an object")
        if isinstance(entry.get("text"), str):
            body = entry["text"].encode("utf-8")
        elif isinstance(entry.get("base64"), str):
            try:
                body = base64.b64decode(entry["base64"], validate=True)
            except binascii.Error as err:
                raise CaptureError(f"{path}: entry {name!r}: {err}") from err
        else:
            raise CaptureError(f"{path}: entry {name!r} has no text or base64")
        if len(body) <= MAX_FILE_SIZE:
            result[name] = body
    return result
