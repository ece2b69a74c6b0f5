"""A capture directory loaded once and shared by every printer using it.

Layout (the client library's capture format): ``capture.json``,
``http/<path>`` = body of ``GET <path>``, ``ipp/<Operation-Name>.ipp`` = raw
IPP response. 200 printers of one profile share one store, which keeps the
many-printers memory budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
import json
from typing import TYPE_CHECKING, Any

from ._codec import codec
from .xmldoc import XmlTemplate

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_SIZE = 8 * 1024 * 1024
"""A capture file larger than this is not a printer response."""


@dataclass(slots=True)
class CaptureStore:
    """The files of one capture directory, parsed lazily."""

    directory: Path
    meta: dict[str, Any]
    http: dict[str, bytes]
    """Keyed by request path with a leading ``/``."""
    ipp: dict[str, bytes]
    """Keyed by operation name, e.g. ``Get-Printer-Attributes``."""
    _xml: dict[str, XmlTemplate] = field(default_factory=dict)
    _json: dict[str, Any] = field(default_factory=dict)
    _ipp: dict[str, codec.IppMessage] = field(default_factory=dict)

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

    def ipp_message(self, operation: str) -> codec.IppMessage:
        """A fresh decoded copy of a captured IPP response (to edit)."""
        return codec.decode(self.ipp[operation], max_size=MAX_FILE_SIZE)

    def ipp_template(self, operation: str) -> codec.IppMessage:
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
def load_store(directory: Path) -> CaptureStore:
    """Load (once per process) the capture directory ``directory``.

    Raises:
        FileNotFoundError: ``directory`` is not a capture directory.
    """
    meta_path = directory / "capture.json"
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory")
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
