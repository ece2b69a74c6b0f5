"""Capture directories: take, read, write and replay them (redaction: ``redact``).

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

from dataclasses import dataclass, field, replace
import datetime as dt
import json
import logging
import re
import struct
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from . import ipp
from .errors import HPEWSConnectionError, HPEWSError, HPEWSParseError, WriteRefusedError
from .ipp import codec
from .models import PrinterProtocol, Profile
from .protocols import cdm, ledm
from .readers.base import is_listed, parse_optional
from .transport import MAX_DOCUMENT_BYTES, RAW_PORT, HttpResponse

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Callable, Iterable, Mapping
    from pathlib import Path

    from .models import PrinterInfo
    from .transport import PrinterTransport, Sink

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
    protocols: list[PrinterProtocol] = []
    listed = meta.get("protocols")
    if isinstance(listed, list):
        for name in listed:
            try:
                protocols.append(PrinterProtocol(name))
            except ValueError:
                _LOGGER.debug("Ignoring unknown protocol %r in capture", name)
    else:
        if any(path.startswith(("/cdm/system/", "/cdm/supply/")) for path in http):
            protocols.append(PrinterProtocol.CDM)
        if any(path.startswith("/DevMgmt/") for path in http):
            protocols.append(PrinterProtocol.LEDM)
        if has_ipp:
            protocols.append(PrinterProtocol.IPP)
    scheme = meta.get("scheme") if meta.get("scheme") in ("http", "https") else "http"
    port = meta.get("port") if isinstance(meta.get("port"), int) else None
    base_url = f"{scheme}://{REPLAY_HOST}:{port or (443 if scheme == 'https' else 80)}"
    ipp_url = None
    if PrinterProtocol.IPP in protocols:
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
        answer = self._capture.ipp.get(codec.ipp_operation_name(operation))
        if answer is None:
            return codec.new_ipp_response(
                codec.IppStatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED, request_id
            ).encode()
        if len(answer) < 8:
            raise HPEWSParseError("Captured IPP answer shorter than its header")
        if len(answer) > limit:
            raise HPEWSParseError(f"Captured IPP answer larger than {limit} bytes")
        # Answer with the request's id, as a printer would.
        return answer[:4] + struct.pack(">I", request_id) + answer[8:]

    async def send_raw(
        self,
        chunks: AsyncIterable[bytes],
        *,
        port: int = RAW_PORT,
        step_timeout: float | None = None,
    ) -> None:
        """Refused: a capture holds no raw port (a printer without one refuses too)."""
        self._count += 1
        raise HPEWSConnectionError(f"A capture replay has no raw port ({port})")

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        limit: int = MAX_DOCUMENT_BYTES,
        request_timeout: float | None = None,
        sink: Sink | None = None,
        long_poll: bool = False,
    ) -> HttpResponse:
        """A GET answered from the capture (404 when it lacks the path).

        A capture is a record of reads: anything else is refused, as a
        printer's management API refuses writes it does not take.
        """
        if method.upper() != "GET":
            self._count += 1
            raise WriteRefusedError(f"A capture replay takes no {method} ({url})")
        response = await self.get(url, limit=limit)
        if response is None:
            return HttpResponse(url=url, status=404, body=b"", content_type="")
        if sink is not None:
            await sink(response.body)
            return replace(response, body=b"")
        return response


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


# --- taking a capture ------------------------------------------------------------

GET_PRINTER_ATTRIBUTES: Final = "Get-Printer-Attributes"

LEDM_CAPTURE_EXTRAS: Final = ("/DevMgmt/MediaHandlingDyn.xml",)
CDM_CAPTURE_EXTRAS: Final = (
    "/cdm/system/v1/statistics",
    "/cdm/firmwareUpdate/v2/updateCheck",
    "/cdm/firmwareUpdate/v2/configuration",
)
# Never captured, whatever a discovery document lists: secrets and writes.
_CAPTURE_DENY: Final = (
    "wireless",
    "wifi",
    "ioconfig",
    "oauth",
    "token",
    "password",
    "security",
    "network",
    "remoteauthentication",
    "jobmanagement",
    "reset",
    "eventing",
    "eventmgmt",
)


async def take_capture(transport: PrinterTransport, profile: Profile) -> Capture:
    """Fetch the documents of a capture of the printer behind ``transport``.

    Read-only documents only (see ``capture_paths``), not redacted: redact
    it (``redact.redact_capture``) before it leaves the machine.
    """
    http: dict[str, bytes] = {}
    for path in capture_paths(profile):
        response = await transport.get(profile.base_url + path)
        if response is not None:
            http[path] = response.body
    ipp_docs: dict[str, bytes] = {}
    if profile.ipp_url is not None:
        request = ipp.get_printer_attributes_request(
            ipp.printer_uri_for(profile.ipp_url)
        )
        answer = await transport.post_ipp(profile.ipp_url, request)
        if answer is not None:
            ipp_docs[GET_PRINTER_ATTRIBUTES] = answer
    base = URL(profile.base_url)
    meta: dict[str, Any] = {
        "format": 1,
        "generator": "hp_ews",
        "captured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scheme": base.scheme,
        "port": base.port,
        "protocols": [str(protocol) for protocol in profile.protocols],
    }
    if profile.ipp_url is not None:
        ipp_url = URL(profile.ipp_url)
        meta.update(
            ipp_path=ipp_url.path, ipp_scheme=ipp_url.scheme, ipp_port=ipp_url.port
        )
    capture = Capture(meta=meta, http=http, ipp=ipp_docs)
    if (model := _model_of(capture, profile)) is not None:
        meta["model"] = model
    return capture


def capture_paths(profile: Profile) -> list[str]:
    """The read-only documents a capture of this printer fetches."""
    paths: list[str] = []
    if PrinterProtocol.LEDM in profile.protocols:
        paths += [
            ledm.DISCOVERY_TREE,
            *_listed(
                profile.ledm_resources,
                (
                    ledm.PRODUCT_CONFIG,
                    ledm.PRODUCT_STATUS,
                    ledm.CONSUMABLES,
                    ledm.USAGE,
                ),
            ),
            *_listed(profile.ledm_resources, LEDM_CAPTURE_EXTRAS, unknown=False),
        ]
    if PrinterProtocol.CDM in profile.protocols:
        paths += [
            cdm.SERVICES_DISCOVERY,
            cdm.IDENTITY,
            cdm.SYSTEM_STATUS,
            cdm.ALERTS,
            cdm.SUPPLIES,
            cdm.LIFETIME_COUNTERS,
            *_listed(profile.cdm_resources, (cdm.PRINT_STATUS,)),
            *_listed(profile.cdm_resources, CDM_CAPTURE_EXTRAS, unknown=False),
        ]
    return [p for p in dict.fromkeys(paths) if not _denied(p)]


def _denied(path: str) -> bool:
    lowered = path.lower()
    return any(word in lowered for word in _CAPTURE_DENY)


def _listed(
    resources: tuple[str, ...], paths: Iterable[str], *, unknown: bool = True
) -> list[str]:
    """``paths`` the listing names; all of them when there is no listing."""
    if not resources:
        return list(paths) if unknown else []
    return [path for path in paths if is_listed(resources, path)]


def _model_of(capture: Capture, profile: Profile) -> str | None:
    """Model name for the capture's metadata, parsed from what was captured."""
    candidates: list[Callable[[], PrinterInfo | None]] = [
        lambda: parse_optional(
            ledm.parse_product_config, capture.http.get(ledm.PRODUCT_CONFIG)
        ),
        lambda: parse_optional(cdm.parse_identity, capture.http.get(cdm.IDENTITY)),
    ]
    if profile.ipp_url is not None:
        url = profile.ipp_url
        candidates.append(
            lambda: getattr(
                parse_optional(
                    lambda data: ipp.parse_printer_attributes(data, url),
                    capture.ipp.get(GET_PRINTER_ATTRIBUTES),
                ),
                "info",
                None,
            )
        )
    for candidate in candidates:
        info = candidate()
        if info is not None and (info.model or info.series):
            return info.model or info.series
    return None
