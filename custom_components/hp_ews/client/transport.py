"""The one place that talks to a printer over the network.

Every HTTP request (CDM and LEDM documents, IPP over HTTP) and every
document sent to a raw port (9100) goes through ``HttpTransport``, so the
policy lives here and nowhere else:

* an injected ``aiohttp.ClientSession`` (the caller owns it);
* a timeout per request, covering connect, headers and body; a streamed
  request body (a document to print) gets it per step instead: connecting,
  writing each chunk, waiting for the answer and reading each part of it,
  so a 200 MB upload is bounded by a stalled peer, not by its size;
* at most ``MAX_IN_FLIGHT`` (2) requests in flight per printer, because HP
  firmware drops connections or fails TLS handshakes under more;
* a size cap enforced while the body streams in, so a broken or hostile peer
  cannot make us buffer an unbounded response;
* redirects followed only to the same host (HP "Dune" firmware answers http
  with 301 to https), never to another machine;
* TLS to the printer with its self-signed certificate and the legacy ciphers
  old HP firmware needs, verification off only when the caller says so;
* optional Basic or Digest credentials, kept per origin (scheme, host and
  port): they go only to an origin that asked for them with a 401 of its
  own, so a redirect to another port or scheme, or another service of the
  host, never gets them unasked; ``credential_origins`` narrows the origins
  that may have them at all (``HPPrinter`` passes the ones it was configured
  for, TLS-only when HTTPS is asked for). A streamed body is never sent
  twice, so a challenge to one is an ``HPEWSAuthenticationError`` (ask
  something small first, e.g. Validate-Job, and the credentials go with the
  upload from the start);
* GET-only for CDM and LEDM: ``post_ipp`` (IPP is a POST by protocol)
  refuses their paths, where a write could reset, reboot or erase a
  printer; ``exchange`` writes (scan jobs, walk-up destinations,
  maintenance) only to the paths ``WRITABLE_PATHS`` names, each an action a
  user asked for, never a refresh;
* every aiohttp, ssl, OS and timeout failure becomes a library error, and a
  missing document (404) is a normal ``None`` result, not an error.
"""

from __future__ import annotations

import asyncio
import base64
from contextlib import suppress
from dataclasses import dataclass, field
import hashlib
import logging
import os
import re
import ssl
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol
import warnings

import aiohttp
from yarl import URL

from .errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSParseError,
    HPEWSTimeoutError,
    # Defined with every library error in errors.py, re-exported here.
    WriteRefusedError as WriteRefusedError,  # noqa: PLC0414
)

if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterable,
        AsyncIterator,
        Awaitable,
        Callable,
        Iterable,
        Mapping,
    )

    type Sink = Callable[[bytes], Awaitable[None]]

_LOGGER = logging.getLogger(__name__)

MAX_IN_FLIGHT: Final = 2
MAX_DOCUMENT_BYTES: Final = 4 * 1024 * 1024
"""Cap for CDM/LEDM documents and IPP responses; real ones are below 100 KiB."""
MAX_REDIRECTS: Final = 3
DEFAULT_TIMEOUT: Final = 10.0
RAW_PORT: Final = 9100
"""The raw printing port (HP JetDirect, "AppSocket")."""

IPP_CONTENT_TYPE: Final = "application/ipp"

_CHUNK: Final = 64 * 1024
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# HP firmware answers unknown CDM/LEDM paths with 400 (older) or 404 (newer).
_GET_MISSING_STATUSES: Final = frozenset({400, 404, 410})
# A POST to a port or path without an IPP service.
_IPP_MISSING_STATUSES: Final = frozenset({400, 404, 405, 410, 501})
ERROR_BODY_BYTES: Final = 64 * 1024
"""What ``exchange`` keeps of a non-2xx answer's body (an explanation, if any)."""
LONG_POLL_MARGIN: Final = 15.0
"""Seconds a long poll may take beyond the wait it asked the printer for."""
# Path prefixes of HP's management APIs, where writes reset, reboot or erase.
PROTECTED_PREFIXES: Final = (
    "/cdm/",
    "/DevMgmt/",
    "/IoMgmt/",
    "/ePrint/",
    "/EventMgmt/",
    "/Security/",
    "/Network/",
)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A successful HTTP answer, read in full (within the size cap)."""

    url: str
    """Final URL after any redirects."""
    status: int
    body: bytes
    content_type: str
    server: str | None = None
    """The ``Server`` header; HP's web servers name the model and the serial
    number in it (``HP HTTP Server; <model> - <SKU>; Serial Number: ...``)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Every response header (``exchange`` fills it: ``Location``, ``ETag``)."""

    def header(self, name: str) -> str | None:
        """One header's value, looked up case-insensitively."""
        values = _header_values(self.headers, name)
        return values[0] if values else None


class PrinterTransport(Protocol):
    """What the rest of the library needs from a transport.

    ``HttpTransport`` talks to a real printer; ``capture.CaptureTransport``
    answers from a capture directory.
    """

    @property
    def request_count(self) -> int:
        """Number of requests sent so far."""

    async def get(
        self, url: str, *, limit: int = MAX_DOCUMENT_BYTES
    ) -> HttpResponse | None:
        """GET a document; None when the printer does not have it."""

    async def post_ipp(
        self,
        url: str,
        body: bytes | AsyncIterable[bytes],
        *,
        limit: int = MAX_DOCUMENT_BYTES,
    ) -> bytes | None:
        """POST an IPP request; None when there is no IPP service at ``url``.

        ``body`` may be streamed: the IPP header then the document, chunk by
        chunk (Print-Job, Send-Document).
        """

    async def send_raw(
        self,
        chunks: AsyncIterable[bytes],
        *,
        port: int = RAW_PORT,
        step_timeout: float | None = None,
    ) -> None:
        """Stream a document to the printer's raw port (no IPP); nothing is read."""

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
        """Any request; every final status is an answer (see ``HttpTransport``)."""


_SSL_CONTEXTS: dict[bool, ssl.SSLContext] = {}


def build_ssl_context(verify: bool) -> ssl.SSLContext:
    """Build the TLS context used for printer connections (blocking I/O).

    HP firmware of the 2010s offers only TLS 1.0/1.1 and SHA-1 or RSA key
    exchange suites, and no secure renegotiation; OpenSSL 3 refuses all of
    these at its default security level. The relaxation applies only to this
    context, which is passed per request to the printer and nowhere else.
    """
    if verify:
        context = ssl.create_default_context()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with suppress(ssl.SSLError):
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        # Deliberate: the printer, not us, decides the oldest TLS it speaks.
        warnings.simplefilter("ignore", DeprecationWarning)
        with suppress(ValueError):
            context.minimum_version = ssl.TLSVersion.TLSv1
    context.options |= getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0)
    return context


async def ssl_context(verify: bool) -> ssl.SSLContext:
    """Return the cached TLS context, building it off the event loop once."""
    if (context := _SSL_CONTEXTS.get(verify)) is None:
        loop = asyncio.get_running_loop()
        context = await loop.run_in_executor(None, build_ssl_context, verify)
        _SSL_CONTEXTS[verify] = context
    return context


# (methods, path pattern) pairs ``exchange`` may write to: each is an action a
# user asks for (a scan, a walk-up destination, a maintenance job). The eSCL
# root is the printer's own (mDNS ``rs``), so those match by the last segments.
WRITABLE_PATHS: Final[tuple[tuple[frozenset[str], re.Pattern[str]], ...]] = (
    # eSCL scan jobs: create, cancel.
    (frozenset({"POST"}), re.compile(r"(?i)^(/[^/?#]+)*/ScanJobs$")),
    (frozenset({"DELETE"}), re.compile(r"(?i)^(/[^/?#]+)*/ScanJobs/[^/?#]+$")),
    # LEDM scan jobs: create; cancel through the job's state.
    (frozenset({"POST"}), re.compile(r"(?i)^/Scan/Jobs$")),
    (frozenset({"PUT"}), re.compile(r"(?i)^/Jobs/JobList/\d+$")),
    # LEDM walk-up destinations: register, unregister (both generations).
    (
        frozenset({"POST"}),
        re.compile(
            r"(?i)^/(WalkupScanToComp/WalkupScanToCompDestinations"
            r"|WalkupScan/WalkupScanDestinations)$"
        ),
    ),
    (
        frozenset({"DELETE"}),
        re.compile(
            r"(?i)^/(WalkupScanToComp/WalkupScanToCompDestinations"
            r"|WalkupScan/WalkupScanDestinations)/[^/?#]+$"
        ),
    ),
    # Maintenance: LEDM internal print jobs (reports, cleaning), CDM reports
    # and calibrations (client/maintenance.py).
    (frozenset({"POST"}), re.compile(r"^/DevMgmt/InternalPrintDyn\.xml$")),
    (frozenset({"PATCH"}), re.compile(r"^/cdm/report/v1/print$")),
    (
        frozenset({"PATCH"}),
        re.compile(r"^/cdm/calibration/v1/calibration/[A-Za-z][A-Za-z0-9]{0,63}$"),
    ),
    # The printer's automatic firmware update setting (client/firmware.py).
    (frozenset({"PATCH"}), re.compile(r"^/cdm/firmwareUpdate/v2/configuration$")),
)


def is_writable_path(method: str, path: str) -> bool:
    """Whether ``exchange`` may send ``method`` (not GET) to ``path``."""
    method = method.upper()
    return any(
        method in methods and pattern.match(path) for methods, pattern in WRITABLE_PATHS
    )


def is_protected_path(path: str) -> bool:
    """Whether ``path`` belongs to HP's CDM/LEDM management APIs."""
    lowered = path.lower()
    return any(lowered.startswith(prefix.lower()) for prefix in PROTECTED_PREFIXES)


class Origin(NamedTuple):
    """Where a request goes, for the credential policy: scheme, host, port."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        """``scheme://host:port``, with the port always written out."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origin_of(url: str | URL) -> Origin:
    """The origin of an http(s) URL; the port defaults by scheme."""
    parsed = URL(url) if isinstance(url, str) else url
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"Not an http(s) URL: {redact_url(parsed)}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return Origin(parsed.scheme, parsed.host.lower().strip("[]"), port)


def redact_url(url: str | URL) -> str:
    """Render a URL for logs and error messages, without credentials or query."""
    parsed = URL(url) if isinstance(url, str) else url
    with suppress(ValueError):
        parsed = parsed.with_user(None).with_password(None).with_query(None)
    return str(parsed)


# --- Digest authentication (RFC 7616), enough for printer web servers -------

_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)')


def _parse_challenge(value: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = value.strip().partition(" ")
    params = {
        key.lower(): (raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw)
        for key, raw in _CHALLENGE_PARAM.findall(rest)
    }
    return scheme.lower(), params


def _hash(algorithm: str, data: str) -> str:
    name = "sha256" if algorithm.upper().startswith("SHA-256") else "md5"
    # The digest is fixed by the printer's challenge, not chosen for security.
    return hashlib.new(name, data.encode(), usedforsecurity=False).hexdigest()


class _DigestState:
    """One Digest challenge and its nonce counter."""

    __slots__ = ("_count", "_params")

    def __init__(self, params: dict[str, str]) -> None:
        self._params = params
        self._count = 0

    def header(self, method: str, url: URL, username: str, password: str) -> str:
        params = self._params
        realm = params.get("realm", "")
        nonce = params.get("nonce", "")
        algorithm = params.get("algorithm", "MD5")
        uri = url.raw_path_qs
        self._count += 1
        nc = f"{self._count:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = _hash(algorithm, f"{username}:{realm}:{password}")
        if algorithm.lower().endswith("-sess"):
            ha1 = _hash(algorithm, f"{ha1}:{nonce}:{cnonce}")
        ha2 = _hash(algorithm, f"{method}:{uri}")
        qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
        fields = [
            f'username="{username}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
            f"algorithm={algorithm}",
        ]
        if "auth" in qops:
            response = _hash(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = _hash(algorithm, f"{ha1}:{nonce}:{ha2}")
        fields.append(f'response="{response}"')
        if "opaque" in params:
            fields.append(f'opaque="{params["opaque"]}"')
        return "Digest " + ", ".join(fields)


@dataclass(slots=True)
class _Challenge:
    """What one origin asked for: Basic, or Digest with its nonce state."""

    scheme: str
    digest: _DigestState | None = None


class HttpTransport:
    """HTTP(S) and raw-TCP access to one printer, with the policy above."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        *,
        username: str | None = None,
        password: str | None = None,
        credential_origins: Iterable[str] | None = None,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        """Prepare a transport; no I/O happens until the first request.

        ``credential_origins`` (``scheme://host:port``) are the only origins
        that get the credentials, and each only after it challenged; None
        lets any origin of ``host`` that challenges have them.
        """
        self._session = session
        self._host = host.lower().strip("[]")
        self._username = username
        self._password = password or ""
        self._credential_origins = (
            None
            if credential_origins is None
            else frozenset(origin_of(url) for url in credential_origins)
        )
        self._verify_ssl = verify_ssl
        self._timeout = timeout
        self._max_in_flight = max_in_flight
        self._semaphore = asyncio.Semaphore(max_in_flight)
        # A long poll waits minutes for an event: its own slot, one at a time,
        # so it never starves the refreshes of the two regular ones.
        self._long_poll = asyncio.Semaphore(1)
        self._count = 0
        self._challenges: dict[Origin, _Challenge] = {}

    @property
    def host(self) -> str:
        """The printer's host name or address."""
        return self._host

    @property
    def timeout(self) -> float:
        """Seconds allowed per request."""
        return self._timeout

    @property
    def request_count(self) -> int:
        """Number of requests sent so far (each redirect and retry counts)."""
        return self._count

    def without_credentials(self) -> HttpTransport:
        """A transport to the same host, on the same session, with none.

        For reading what a peer says about itself before trusting it with
        the credentials (a printer found at a new address may be another).
        """
        return HttpTransport(
            self._session,
            self._host,
            verify_ssl=self._verify_ssl,
            timeout=self._timeout,
            max_in_flight=self._max_in_flight,
        )

    async def get(
        self, url: str, *, limit: int = MAX_DOCUMENT_BYTES
    ) -> HttpResponse | None:
        """GET a document; None when the printer answers that it has none."""
        return await self._request(
            "GET",
            url,
            body=None,
            content_type=None,
            limit=limit,
            missing=_GET_MISSING_STATUSES,
        )

    async def post_ipp(
        self,
        url: str,
        body: bytes | AsyncIterable[bytes],
        *,
        limit: int = MAX_DOCUMENT_BYTES,
    ) -> bytes | None:
        """POST an IPP request (``application/ipp``) and return the raw answer.

        None means there is no IPP service at ``url``. IPP-level error status
        codes are for the IPP layer to interpret; this only moves the bytes.
        A streamed ``body`` (an async iterable of chunks: the IPP header, then
        the document) is sent chunked with the timeout applied per step; it
        is read once, so a redirect or an authentication challenge to it is
        an error rather than a resend.
        """
        if is_protected_path(URL(url).path):
            raise WriteRefusedError(f"Not an IPP path: {redact_url(url)}")
        response = await self._request(
            "POST",
            url,
            body=body,
            content_type=IPP_CONTENT_TYPE,
            limit=limit,
            missing=_IPP_MISSING_STATUSES,
        )
        return None if response is None else response.body

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
        """Send any request and return the final answer, whatever its status.

        For the protocols whose statuses carry meaning (eSCL: 201 + Location,
        409 busy, 503 not yet, 404/410 no more pages; LEDM events: 304). The
        policy of ``get`` applies (same-host redirects, credentials per
        origin, size cap); 401/403 still raise ``HPEWSAuthenticationError``.

        * A method other than GET is sent only to ``WRITABLE_PATHS``
          (``WriteRefusedError`` otherwise), so nothing else can change the
          printer.
        * ``headers`` are added as given (``If-None-Match``, ``Accept``).
        * A 2xx body is read up to ``limit`` bytes, or handed chunk by chunk
          to ``sink`` (a page of a scan streams to disk; the answer's
          ``body`` is then empty) with the timeout applied per chunk rather
          than to the whole body. Other statuses keep the first
          ``ERROR_BODY_BYTES`` of theirs (the rest is not read).
        * ``request_timeout`` replaces the transport's per-request timeout;
          ``long_poll`` runs the request in a slot of its own (one per
          printer) so a wait of minutes holds up no other request.
        """
        method = method.upper()
        target = URL(url)
        if method != "GET" and not is_writable_path(method, target.path):
            raise WriteRefusedError(f"Refusing {method} {redact_url(target)}")
        response = await self._request(
            method,
            url,
            body=body,
            content_type=content_type,
            limit=limit,
            missing=frozenset(),
            extra_headers=headers,
            request_timeout=request_timeout,
            sink=sink,
            long_poll=long_poll,
            any_status=True,
        )
        assert response is not None  # any_status answers every status
        return response

    async def send_raw(
        self,
        chunks: AsyncIterable[bytes],
        *,
        port: int = RAW_PORT,
        step_timeout: float | None = None,
    ) -> None:
        """Stream a document to a raw TCP port (9100 printing) and close.

        The port answers nothing, so nothing is read back. ``step_timeout``
        (default: the transport's timeout) bounds connecting and each write,
        so a printer that stops reading is noticed, not a long document.

        Raises:
            HPEWSConnectionError: the port refused, stalled or dropped the
                connection.
        """
        host, timeout = self._host, step_timeout or self._timeout
        async with self._semaphore:
            self._count += 1
            _LOGGER.debug("raw port %s:%s", host, port)
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(host, port)
            except TimeoutError as err:
                raise HPEWSConnectionError(f"{host}:{port} did not answer") from err
            except OSError as err:
                raise HPEWSConnectionError(
                    f"Cannot connect to {host}:{port}: {err}"
                ) from err
            try:
                async for chunk in chunks:
                    writer.write(chunk)
                    async with asyncio.timeout(timeout):
                        await writer.drain()
                if writer.can_write_eof():
                    writer.write_eof()
                async with asyncio.timeout(timeout):
                    await writer.drain()
            except TimeoutError as err:
                raise HPEWSConnectionError(f"{host}:{port} stopped reading") from err
            except OSError as err:
                raise HPEWSConnectionError(
                    f"Sending to {host}:{port} failed: {err}"
                ) from err
            finally:
                del reader
                writer.close()
                with suppress(OSError, TimeoutError):
                    async with asyncio.timeout(timeout):
                        await writer.wait_closed()

    async def _request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | AsyncIterable[bytes] | None,
        content_type: str | None,
        limit: int,
        missing: frozenset[int],
        extra_headers: Mapping[str, str] | None = None,
        request_timeout: float | None = None,
        sink: Sink | None = None,
        long_poll: bool = False,
        any_status: bool = False,
    ) -> HttpResponse | None:
        target = self._check_url(URL(url))
        options = _Options(
            extra_headers or {},
            request_timeout or self._timeout,
            sink,
            long_poll,
            any_status,
        )
        # One answer to a challenge per origin; a second 401 is a refusal.
        answered: set[Origin] = set()
        replayable = body is None or isinstance(body, bytes)
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, response = await self._exchange(
                method, target, body, content_type, limit, options=options
            )
            where = origin_of(target)
            if (
                status == 401
                and where not in answered
                and self._learn_auth(where, headers)
            ):
                if not replayable:
                    # Learnt for the next request; this body is spent.
                    raise HPEWSAuthenticationError(
                        f"{redact_url(target)} asked for credentials after a "
                        "streamed body, which cannot be sent twice"
                    )
                answered.add(where)
                continue
            if status in (401, 403):
                raise HPEWSAuthenticationError(
                    f"{redact_url(target)} answered HTTP {status}"
                )
            if status in _REDIRECT_STATUSES:
                target = self._redirect_target(target, headers, status)
                if status == 303 or (
                    status in (301, 302) and method == "POST" and body is None
                ):
                    method = "GET"
                if not replayable:
                    raise HPEWSConnectionError(
                        f"Cannot resend a streamed body after HTTP {status}"
                    )
                continue
            if status in missing:
                return None
            if response is None:
                raise HPEWSConnectionError(
                    f"{redact_url(target)} answered HTTP {status}"
                )
            return response
        raise HPEWSConnectionError(f"Too many redirects from {redact_url(url)}")

    def _check_url(self, url: URL) -> URL:
        if url.scheme not in ("http", "https") or not url.host:
            raise HPEWSConnectionError(f"Not an http(s) URL: {redact_url(url)}")
        if url.host.lower().strip("[]") != self._host:
            raise HPEWSConnectionError(
                f"Refusing to talk to {url.host}: this transport is for {self._host}"
            )
        return url.with_user(None).with_password(None)

    def _redirect_target(
        self, current: URL, headers: Mapping[str, str], status: int
    ) -> URL:
        location = headers.get("Location")
        if not location:
            raise HPEWSConnectionError(
                f"HTTP {status} without Location from {redact_url(current)}"
            )
        try:
            target = current.join(URL(location))
        except ValueError as err:
            raise HPEWSConnectionError(f"Bad redirect location: {err}") from err
        if current.scheme == "https" and target.scheme == "http":
            raise HPEWSConnectionError("Refusing a redirect from https to http")
        # Same host only: a printer's redirect must not reach another machine.
        target = self._check_url(target)
        _LOGGER.debug("Following redirect to %s", redact_url(target))
        return target

    def _learn_auth(self, where: Origin, headers: Mapping[str, str]) -> bool:
        """Pick up an origin's auth challenge; True if a retry makes sense."""
        if self._username is None:
            return False
        if self._credential_origins is not None and (
            where not in self._credential_origins
        ):
            _LOGGER.debug("%s asks for credentials; not one of ours to send", where)
            return False
        challenges = [
            _parse_challenge(value)
            for value in _header_values(headers, "WWW-Authenticate")
        ]
        for scheme, params in challenges:
            if scheme == "digest" and "nonce" in params:
                self._challenges[where] = _Challenge("digest", _DigestState(params))
                return True
        if any(scheme == "basic" for scheme, _ in challenges):
            known = self._challenges.get(where)
            if known is not None and known.scheme == "basic":
                return False  # Basic was already sent there and refused.
            self._challenges[where] = _Challenge("basic")
            return True
        return False

    def _auth_header(self, method: str, url: URL) -> str | None:
        """The Authorization for ``url``: only where its own origin challenged."""
        if self._username is None:
            return None
        challenge = self._challenges.get(origin_of(url))
        if challenge is None:
            return None
        if challenge.digest is not None:
            return challenge.digest.header(method, url, self._username, self._password)
        token = f"{self._username}:{self._password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")

    async def _exchange(
        self,
        method: str,
        url: URL,
        body: bytes | AsyncIterable[bytes] | None,
        content_type: str | None,
        limit: int,
        *,
        options: _Options | None = None,
    ) -> tuple[int, Mapping[str, str], HttpResponse | None]:
        """One HTTP request; the body is read only for 2xx answers.

        With ``options.any_status`` every answer is returned (other than 2xx
        with at most ``ERROR_BODY_BYTES`` of its body).
        """
        if options is None:
            options = _Options({}, self._timeout, None, False, False)
        seconds = options.timeout
        headers: dict[str, str] = dict(options.headers)
        if content_type is not None:
            headers["Content-Type"] = content_type
        if (authorization := self._auth_header(method, url)) is not None:
            headers["Authorization"] = authorization
        tls: ssl.SSLContext | None = None
        if url.scheme == "https":
            tls = await ssl_context(self._verify_ssl)
        streamed = body is not None and not isinstance(body, bytes)
        stepped = streamed or options.sink is not None
        slot = self._long_poll if options.long_poll else self._semaphore
        async with slot:
            self._count += 1
            upload: _Upload | None = None
            try:
                async with asyncio.timeout(seconds) as deadline:
                    step: _Steps | None = None
                    data: bytes | AsyncIterable[bytes] | None = body
                    if stepped:
                        step = _Steps(deadline, seconds)
                    if body is not None and not isinstance(body, bytes):
                        assert step is not None
                        data = upload = _Upload(body, step)
                    async with self._session.request(
                        method,
                        url,
                        data=data,
                        headers=headers,
                        allow_redirects=False,
                        ssl=tls if tls is not None else True,
                        timeout=aiohttp.ClientTimeout(
                            total=None if stepped else seconds,
                            sock_connect=seconds,
                        ),
                    ) as resp:
                        if step is not None:
                            step.progress()
                        _LOGGER.debug(
                            "%s %s -> %s", method, redact_url(url), resp.status
                        )
                        copied = _copy_headers(resp)
                        ok = 200 <= resp.status < 300
                        if not ok and not (
                            options.any_status and resp.status not in (401, 403)
                        ):
                            return resp.status, copied, None
                        if ok and options.sink is not None:
                            await _stream_capped(resp, limit, url, step, options.sink)
                            content = b""
                        elif ok:
                            content = await _read_capped(resp, limit, url, step)
                        else:
                            content = await _read_prefix(resp, ERROR_BODY_BYTES)
                        return (
                            resp.status,
                            copied,
                            HttpResponse(
                                url=str(url),
                                status=resp.status,
                                body=content,
                                content_type=resp.content_type,
                                server=resp.headers.get("Server"),
                                headers=copied if options.any_status else {},
                            ),
                        )
            except HPEWSError:
                raise
            except TimeoutError as err:
                what = "stalled for" if stepped else "timed out after"
                raise HPEWSTimeoutError(
                    f"{method} {redact_url(url)} {what} {seconds} s"
                ) from err
            except aiohttp.ClientPayloadError as err:
                raise HPEWSParseError(
                    f"Malformed response body from {redact_url(url)}: {err}"
                ) from err
            except (aiohttp.ClientError, OSError, ValueError) as err:
                if upload is not None and upload.error is not None:
                    # The document source failed (unreadable file, conversion):
                    # that is the error, not the connection aiohttp reports.
                    raise upload.error from err
                raise HPEWSConnectionError(
                    f"{method} {redact_url(url)} failed: {type(err).__name__}: {err}"
                ) from err
            finally:
                if upload is not None:
                    upload.close()


class _Options(NamedTuple):
    """What ``exchange`` adds to a request."""

    headers: Mapping[str, str]
    timeout: float
    sink: Sink | None
    long_poll: bool
    any_status: bool


class _Steps:
    """The per-step deadline of a streamed request.

    Every sign of progress (a chunk handed to the socket, the answer's
    headers, a part of its body) gives the next step the full timeout again;
    while the caller's own source produces the next chunk (reading a file,
    rendering a page) the printer is not to blame, so no deadline runs.
    """

    __slots__ = ("_deadline", "_loop", "_open", "_seconds")

    def __init__(self, deadline: asyncio.Timeout, seconds: float) -> None:
        self._deadline = deadline
        self._seconds = seconds
        self._loop = asyncio.get_running_loop()
        self._open = True

    def progress(self) -> None:
        if self._open:
            self._deadline.reschedule(self._loop.time() + self._seconds)

    def pause(self) -> None:
        if self._open:
            self._deadline.reschedule(None)

    def close(self) -> None:
        # aiohttp's writer task may outlive the request by a moment.
        self._open = False


class _Upload:
    """A streamed request body that keeps the per-step deadline moving.

    aiohttp pulls the next chunk when the previous one was written, so the
    time between handing out a chunk and the next pull is the time the
    printer took to take it. An error of the source is kept, because aiohttp
    reports it only as a broken connection.
    """

    def __init__(self, body: AsyncIterable[bytes], steps: _Steps) -> None:
        self._body = body
        self._steps = steps
        self.error: HPEWSError | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        steps = self._steps
        try:
            chunks = aiter(self._body)
            while True:
                steps.pause()
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                steps.progress()
                yield chunk
        except HPEWSError as err:
            self.error = err
            raise
        # Sent in full: the answer is the next step.
        steps.progress()

    def close(self) -> None:
        self._steps.close()


def _copy_headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    # Keep every WWW-Authenticate challenge; a printer may offer several.
    copied = {str(key): value for key, value in resp.headers.items()}
    challenges = resp.headers.getall("WWW-Authenticate", [])
    if challenges:
        copied["WWW-Authenticate"] = "\n".join(challenges)
    return copied


def _header_values(headers: Mapping[str, str], name: str) -> list[str]:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return [line for line in value.split("\n") if line.strip()]
    return []


async def _read_capped(
    resp: aiohttp.ClientResponse, limit: int, url: URL, steps: _Steps | None = None
) -> bytes:
    """Read the body in chunks, giving up as soon as it exceeds ``limit``."""
    if resp.content_length is not None and resp.content_length > limit:
        raise HPEWSParseError(
            f"{redact_url(url)} announced {resp.content_length} bytes, cap is {limit}"
        )
    data = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        if steps is not None:
            steps.progress()
        data += chunk
        if len(data) > limit:
            raise HPEWSParseError(f"{redact_url(url)} sent more than {limit} bytes")
    return bytes(data)


async def _read_prefix(resp: aiohttp.ClientResponse, size: int) -> bytes:
    """At most ``size`` bytes of an error answer's body; the rest is dropped."""
    data = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        data += chunk
        if len(data) >= size:
            break
    return bytes(data[:size])


async def _stream_capped(
    resp: aiohttp.ClientResponse,
    limit: int,
    url: URL,
    steps: _Steps | None,
    sink: Sink,
) -> None:
    """Hand the body to ``sink`` chunk by chunk, up to ``limit`` bytes in all.

    The deadline stops while the sink works (writing to a slow disk is not
    the printer's fault) and starts again for the next chunk.
    """
    if resp.content_length is not None and resp.content_length > limit:
        raise HPEWSParseError(
            f"{redact_url(url)} announced {resp.content_length} bytes, cap is {limit}"
        )
    total = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise HPEWSParseError(f"{redact_url(url)} sent more than {limit} bytes")
        if steps is not None:
            steps.pause()
        await sink(chunk)
        if steps is not None:
            steps.progress()
