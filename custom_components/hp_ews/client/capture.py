"""Capture directories: read, write, redact and replay them.

One format serves diagnostics, tests, bug reports and the simulator's replay
mode.

Layout::

    <dir>/capture.json                       {"format": 1, ...metadata}
    <dir>/http/DevMgmt/ProductStatusDyn.xml  body of GET /DevMgmt/ProductStatusDyn.xml
    <dir>/http/cdm/supply/v1/suppliesPublic  body of GET /cdm/supply/v1/suppliesPublic
    <dir>/ipp/Get-Printer-Attributes.ipp     raw IPP response body

A missing file means the printer answered 404 (or, for IPP, does not speak
it). Optional metadata: ``scheme``, ``port``, ``protocols``, ``ipp_path``,
``model``, ``captured_at``, ``redacted``.

``CaptureTransport`` answers requests from a capture, so ``HPPrinter`` can run
``probe()`` and ``snapshot()`` offline exactly as against a printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import logging
import re
import struct
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from . import cdm, ippcodec, ledm
from .errors import HPEWSError, HPEWSParseError
from .models import Profile, Protocol
from .transport import MAX_DOCUMENT_BYTES, HttpResponse

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Callable, Mapping
    from pathlib import Path

_LOGGER = logging.getLogger(__name__)

FORMAT: Final = 1
META_FILE: Final = "capture.json"
HTTP_DIR: Final = "http"
IPP_DIR: Final = "ipp"
IPP_SUFFIX: Final = ".ipp"
DEFAULT_IPP_PATH: Final = "/ipp/print"
REPLAY_HOST: Final = "localhost"

_OPERATION_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Capture:
    """The documents of one printer, as its responses were captured."""

    meta: Mapping[str, Any] = field(default_factory=lambda: {"format": FORMAT})
    http: Mapping[str, bytes] = field(default_factory=dict)
    """Body per request path, with the leading ``/`` and no query."""
    ipp: Mapping[str, bytes] = field(default_factory=dict)
    """Raw IPP response per operation name, e.g. ``Get-Printer-Attributes``."""


def _safe_parts(path: str) -> tuple[str, ...]:
    """Path segments of a request path, refusing anything that could escape."""
    if not path.startswith("/") or "?" in path or "\\" in path or "\0" in path:
        raise HPEWSError(f"Not a capturable request path: {path!r}")
    parts = tuple(path[1:].split("/"))
    if any(part in ("", ".", "..") for part in parts):
        raise HPEWSError(f"Not a capturable request path: {path!r}")
    return parts


def read_capture(directory: Path) -> Capture:
    """Read a capture directory (blocking I/O)."""
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise HPEWSParseError(f"{directory} has no {META_FILE}") from err
    except (OSError, ValueError) as err:
        raise HPEWSParseError(f"Unreadable {META_FILE}: {err}") from err
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise HPEWSParseError(f"{META_FILE} is not a format {FORMAT} capture")
    http: dict[str, bytes] = {}
    http_root = directory / HTTP_DIR
    if http_root.is_dir():
        for file in sorted(http_root.rglob("*")):
            if file.is_file() and not file.is_symlink():
                key = "/" + file.relative_to(http_root).as_posix()
                http[key] = _read_capped(file)
    ipp: dict[str, bytes] = {}
    ipp_root = directory / IPP_DIR
    if ipp_root.is_dir():
        for file in sorted(ipp_root.glob("*" + IPP_SUFFIX)):
            if file.is_file() and not file.is_symlink():
                ipp[file.name.removesuffix(IPP_SUFFIX)] = _read_capped(file)
    return Capture(meta=meta, http=http, ipp=ipp)


def _read_capped(file: Path) -> bytes:
    if file.stat().st_size > MAX_DOCUMENT_BYTES:
        raise HPEWSParseError(f"{file} is larger than {MAX_DOCUMENT_BYTES} bytes")
    return file.read_bytes()


def write_capture(directory: Path, capture: Capture) -> None:
    """Write a capture directory (blocking I/O); existing files are replaced."""
    files: dict[Path, bytes] = {}
    for path, body in capture.http.items():
        files[directory.joinpath(HTTP_DIR, *_safe_parts(path))] = body
    for name, body in capture.ipp.items():
        if not _OPERATION_NAME.match(name):
            raise HPEWSError(f"Not an IPP operation name: {name!r}")
        files[directory / IPP_DIR / f"{name}{IPP_SUFFIX}"] = body
    meta = {**capture.meta, "format": FORMAT}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / META_FILE).write_text(
            json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        for file, body in files.items():
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(body)
    except OSError as err:
        raise HPEWSError(f"Cannot write capture to {directory}: {err}") from err


def profile_from_capture(capture: Capture) -> Profile:
    """The profile a probe would find, from the capture's files and metadata.

    Captures made by ``HPPrinter.capture`` record the protocols; for others
    (hand-made from fixtures) they are inferred from which documents exist.
    """
    meta = capture.meta
    http = capture.http
    has_ipp = "Get-Printer-Attributes" in capture.ipp
    protocols: list[Protocol] = []
    listed = meta.get("protocols")
    if isinstance(listed, list):
        for name in listed:
            try:
                protocols.append(Protocol(name))
            except ValueError:
                _LOGGER.debug("Ignoring unknown protocol %r in capture", name)
    else:
        if any(path.startswith(("/cdm/system/", "/cdm/supply/")) for path in http):
            protocols.append(Protocol.CDM)
        if any(path.startswith("/DevMgmt/") for path in http):
            protocols.append(Protocol.LEDM)
        if has_ipp:
            protocols.append(Protocol.IPP)
    scheme = meta.get("scheme") if meta.get("scheme") in ("http", "https") else "http"
    port = meta.get("port") if isinstance(meta.get("port"), int) else None
    base_url = f"{scheme}://{REPLAY_HOST}:{port or (443 if scheme == 'https' else 80)}"
    ipp_url = None
    if Protocol.IPP in protocols:
        ipp_path = meta.get("ipp_path")
        if not isinstance(ipp_path, str) or not ipp_path.startswith("/"):
            ipp_path = DEFAULT_IPP_PATH
        ipp_url = base_url + ipp_path
    return Profile(
        base_url=base_url,
        protocols=tuple(protocols),
        ipp_url=ipp_url,
        ledm_resources=_parsed(
            ledm.parse_discovery_tree, http.get(ledm.DISCOVERY_TREE)
        ),
        cdm_resources=_parsed(
            cdm.parse_services_discovery, http.get(cdm.SERVICES_DISCOVERY)
        ),
    )


def _parsed(
    parser: Callable[[bytes], tuple[str, ...]], data: bytes | None
) -> tuple[str, ...]:
    if data is None:
        return ()
    try:
        return parser(data)
    except HPEWSParseError:
        return ()


class CaptureTransport:
    """Answers requests from a capture, like the printer it was taken from.

    Any host and port serve every protocol (as the simulator does); IPP is
    answered at the capture's IPP path only. An IPP operation that was not
    captured gets ``server-error-operation-not-supported``.
    """

    def __init__(self, capture: Capture) -> None:
        """Serve ``capture``."""
        self._capture = capture
        self._count = 0
        ipp_path = capture.meta.get("ipp_path")
        self._ipp_path = (
            ipp_path
            if isinstance(ipp_path, str) and ipp_path.startswith("/")
            else DEFAULT_IPP_PATH
        )

    @property
    def request_count(self) -> int:
        """Requests answered so far."""
        return self._count

    async def get(
        self, url: str, *, limit: int = MAX_DOCUMENT_BYTES
    ) -> HttpResponse | None:
        """The captured body of ``url``'s path, or None (404)."""
        self._count += 1
        body = self._capture.http.get(URL(url).path)
        if body is None:
            return None
        if len(body) > limit:
            raise HPEWSParseError(f"{url} is larger than {limit} bytes")
        return HttpResponse(url=url, status=200, body=body, content_type=_guess(body))

    async def post_ipp(
        self,
        url: str,
        body: bytes | AsyncIterable[bytes],
        *,
        limit: int = MAX_DOCUMENT_BYTES,
    ) -> bytes | None:
        """The captured answer to the request's operation, or None (no IPP)."""
        self._count += 1
        if not isinstance(body, bytes):
            body = await _head(body, 8)
        if URL(url).path != self._ipp_path or not self._capture.ipp:
            return None
        if len(body) < 8:
            raise HPEWSParseError("IPP request shorter than its header")
        operation, request_id = struct.unpack(">HI", body[2:8])
        answer = self._capture.ipp.get(ippcodec.operation_name(operation))
        if answer is None:
            return ippcodec.new_response(
                ippcodec.StatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED, request_id
            ).encode()
        if len(answer) < 8:
            raise HPEWSParseError("Captured IPP answer shorter than its header")
        if len(answer) > limit:
            raise HPEWSParseError(f"Captured IPP answer larger than {limit} bytes")
        # Answer with the request's id, as a printer would.
        return answer[:4] + struct.pack(">I", request_id) + answer[8:]


async def _head(body: AsyncIterable[bytes], size: int) -> bytes:
    """The first ``size`` bytes of a streamed body, which is read to its end."""
    head = bytearray()
    async for chunk in body:
        if len(head) < size:
            head += chunk[: size - len(head)]
    return bytes(head)


def _guess(body: bytes) -> str:
    start = body.lstrip()[:1]
    if start == b"<":
        return "text/xml"
    if start in (b"{", b"["):
        return "application/json"
    return "application/octet-stream"


# --- redaction -------------------------------------------------------------------

_HEX = "0-9A-Fa-f"
_UUID_RE: Final = re.compile(
    rf"(?<![{_HEX}])[{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}(?![{_HEX}])"
)
_MAC_RE: Final = re.compile(
    rf"(?<![{_HEX}:-])[{_HEX}]{{2}}([:-])(?:[{_HEX}]{{2}}\1){{4}}[{_HEX}]{{2}}(?![{_HEX}:-])"
)
_BARE_MAC_RE: Final = re.compile(rf"^[{_HEX}]{{12}}$")
# Elements and keys whose values identify one device (or one supply).
_XML_IDS: Final = re.compile(
    r"<(?:[\w.-]+:)?(SerialNumber|UUID|MacAddress|MACAddress|HardwareAddress)\b[^>]*>"
    r"\s*([^<]*?)\s*</",
)
_JSON_IDS: Final = re.compile(
    r'"(serialNumber|deviceUuid|uuid|macAddress|hardwareAddress)"\s*:\s*"([^"]*)"'
)
_DEVICE_ID_SERIAL: Final = re.compile(r"(?:^|;)\s*SN:([^;]+)")
_NOT_SECRET: Final = frozenset({"", "redacted", "unknown", "none", "n/a", "null"})
_MIN_SERIAL: Final = 4
_ZERO_UUID: Final = "00000000-0000-0000-0000-000000000000"
_UUID_PLACEHOLDER: Final = "00000000-0000-4000-8000-"
_MAC_PLACEHOLDER: Final = "020000"
# Placeholders of an earlier redaction are left alone, so redacting twice
# changes nothing.
_PLACEHOLDER_RE: Final = re.compile(
    rf"^(?:{_UUID_PLACEHOLDER}[0-9a-f]{{12}}|{_MAC_PLACEHOLDER}[0-9a-f]{{6}}|SN\d+)$",
    re.IGNORECASE,
)


def _text(data: bytes) -> str:
    # surrogateescape: any bytes survive the round trip unchanged.
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Redactor:
    """Replaces serial numbers, MAC addresses and UUIDs consistently.

    The same original value gets the same placeholder in every document, so a
    redacted capture still tells which documents describe the same device.
    Placeholders keep the original's shape (UUID, MAC with the same
    separators and case, serial of the same length).
    """

    def __init__(self) -> None:
        """Start with no known values."""
        self._uuids: dict[str, str] = {}
        self._macs: dict[str, str] = {}
        self._serials: dict[str, str] = {}

    # --- learning ---------------------------------------------------------------

    def learn_text(self, text: str) -> None:
        """Remember the identifying values found in ``text``."""
        for match in _UUID_RE.finditer(text):
            self._learn_uuid(match.group(0))
        for match in _MAC_RE.finditer(text):
            self._learn_mac(match.group(0))
        for pattern in (_XML_IDS, _JSON_IDS):
            for match in pattern.finditer(text):
                self._learn_value(match.group(2))
        for match in _DEVICE_ID_SERIAL.finditer(text):
            self._learn_value(match.group(1))

    def _learn_value(self, value: str) -> None:
        value = value.strip()
        if _UUID_RE.fullmatch(value):
            self._learn_uuid(value)
        elif _MAC_RE.fullmatch(value) or _BARE_MAC_RE.match(value):
            self._learn_mac(value)
        elif (
            len(value) >= _MIN_SERIAL
            and value.lower() not in _NOT_SECRET
            and not _PLACEHOLDER_RE.match(value)
            and value not in self._serials
        ):
            self._serials[value] = self._serial_placeholder(value)

    def _learn_uuid(self, value: str) -> None:
        key = value.lower()
        if key == _ZERO_UUID or _PLACEHOLDER_RE.match(key) or key in self._uuids:
            return
        self._uuids[key] = f"{_UUID_PLACEHOLDER}{len(self._uuids) + 1:012x}"
        # HP's UUIDs end in the MAC address (1c852a4d-b800-1f08-abcd-<MAC>).
        self._learn_mac(key[-12:])

    def _learn_mac(self, value: str) -> None:
        key = re.sub(rf"[^{_HEX}]", "", value).lower()
        if len(key) != 12 or key in self._macs or _PLACEHOLDER_RE.match(key):
            return
        if key in ("000000000000", "ffffffffffff"):
            return
        self._macs[key] = f"{_MAC_PLACEHOLDER}{len(self._macs) + 1:06x}"

    def _serial_placeholder(self, value: str) -> str:
        number = str(len(self._serials) + 1)
        return "SN" + number.rjust(max(len(value) - 2, len(number)), "0")

    # --- replacing --------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """``text`` with every known value replaced by its placeholder."""
        text = _UUID_RE.sub(self._uuid_sub, text)
        text = _MAC_RE.sub(self._mac_sub, text)
        for key, placeholder in self._macs.items():
            # Bare 12-hex forms (host names HP<MAC>), and the last six hex
            # digits that HP puts in service names: "HP ENVY 4520 [B519A4]".
            text = re.sub(
                rf"(?<![{_HEX}]){key}(?![{_HEX}])",
                _replacer(placeholder),
                text,
                flags=re.IGNORECASE,
            )
            text = re.sub(
                rf"(?<=[\[(]){key[-6:]}(?=[\])])",
                _replacer(placeholder[-6:]),
                text,
                flags=re.IGNORECASE,
            )
        for value in sorted(self._serials, key=len, reverse=True):
            text = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])",
                self._serials[value],
                text,
            )
        return text

    def _uuid_sub(self, match: re.Match[str]) -> str:
        value = match.group(0)
        placeholder = self._uuids.get(value.lower())
        return value if placeholder is None else _like(value, placeholder)

    def _mac_sub(self, match: re.Match[str]) -> str:
        value = match.group(0)
        placeholder = self._macs.get(re.sub(rf"[^{_HEX}]", "", value).lower())
        if placeholder is None:
            return value
        separator = match.group(1)
        pairs = [placeholder[i : i + 2] for i in range(0, 12, 2)]
        return _like(value, separator.join(pairs))

    # --- documents ----------------------------------------------------------------

    def redact_ipp(self, data: bytes) -> bytes:
        """Re-encode an IPP message with every string value redacted."""
        message = ippcodec.decode(data)
        for group in message.groups:
            for attribute in group:
                self._redact_attribute(attribute)
        return message.encode()

    def learn_ipp(self, data: bytes) -> None:
        """Remember the identifying values in an IPP message."""
        message = ippcodec.decode(data)
        for group in message.groups:
            for attribute in group:
                for value in _strings(attribute):
                    self.learn_text(value)

    def _redact_attribute(self, attribute: ippcodec.Attribute) -> None:
        for index, value in enumerate(attribute.values):
            attribute.values[index] = self._redact_value(value)

    def _redact_value(self, value: ippcodec.Value) -> ippcodec.Value:
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, bytes):
            return _bytes(self.redact_text(_text(value)))
        if isinstance(value, ippcodec.TextWithLanguage):
            return ippcodec.TextWithLanguage(
                self.redact_text(value.text), value.language
            )
        if isinstance(value, ippcodec.Collection):
            for member in value:
                self._redact_attribute(member)
        return value


def _strings(attribute: ippcodec.Attribute) -> list[str]:
    found: list[str] = []
    for value in attribute.values:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, bytes):
            found.append(_text(value))
        elif isinstance(value, ippcodec.TextWithLanguage):
            found.append(value.text)
        elif isinstance(value, ippcodec.Collection):
            for member in value:
                found += _strings(member)
    return found


def _replacer(placeholder: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return _like(match.group(0), placeholder)

    return replace


def _like(original: str, placeholder: str) -> str:
    """The placeholder in the original's letter case."""
    letters = [c for c in original if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return placeholder.upper()
    return placeholder.lower()


def redact_capture(capture: Capture) -> Capture:
    """A copy of ``capture`` without serial numbers, MAC addresses or UUIDs.

    IPP messages are decoded and re-encoded so their length fields stay
    right; an IPP message that cannot be decoded is dropped rather than kept
    unredacted.
    """
    redactor = Redactor()
    texts = {path: _text(body) for path, body in capture.http.items()}
    for text in texts.values():
        redactor.learn_text(text)
    ipp_docs: dict[str, bytes] = {}
    for name, body in capture.ipp.items():
        try:
            redactor.learn_ipp(body)
        except HPEWSParseError as err:
            _LOGGER.warning("Dropping undecodable IPP capture %s: %s", name, err)
            continue
        ipp_docs[name] = body
    return Capture(
        meta={**capture.meta, "redacted": True},
        http={path: _bytes(redactor.redact_text(text)) for path, text in texts.items()},
        ipp={name: redactor.redact_ipp(body) for name, body in ipp_docs.items()},
    )
