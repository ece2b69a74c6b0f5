"""``HPPrinter``: probe a printer, read snapshots, identify it, print, capture it.

The snapshot composes the protocol parsers: the printer's own protocol (CDM or
LEDM) first, IPP to complete what it lacks (UUID, state when the printer's own
status names none, supplies when it lists none) and for the capabilities that
printing and the Identify button need.

Requests per refresh (``request_count`` in the tests asserts these):

==========================  =====================  =====================  ========
Refresh                     LEDM                   CDM                    IPP only
==========================  =====================  =====================  ========
full ``snapshot()``         4, +1 IPP              5, +1 IPP              1
cheap, nothing changed      1                      1                      1
cheap, the status changed   1                      2                      1
cheap, the printer signals  3                      4                      1
a change
status names no state       +1 IPP                 +1 print/v2, +1 IPP    --
``probe()``                 2 web + 1-2 IPP        1 web + 1-2 IPP        2-4
``anonymous_identity()``    a probe, +1            a probe, +1            a probe
==========================  =====================  =====================  ========

* full: LEDM reads ProductConfigDyn, ProductStatusDyn, ConsumableConfigDyn
  and ProductUsageDyn (a document DiscoveryTree does not list is skipped);
  CDM reads identity, system status, alerts, suppliesPublic and
  lifetimeCounters. "+1 IPP" is one Get-Printer-Attributes when the printer
  speaks IPP: it completes the identity (the UUID the printer announces,
  the MAC) and gives the capabilities printing and Identify need.
* cheap (``full=False`` with ``previous``): identity, IPP capabilities and,
  unless the printer signals a change, supplies and counters are reused from
  ``previous``. LEDM reads ProductStatusDyn: the state, every condition and
  the AlertTable, whose ModificationNumber is the change marker; a new one
  re-reads ConsumableConfigDyn and ProductUsageDyn. CDM reads the system
  status, whose value is an LEDM status category (``ready``,
  ``jamInPrinter``, ``closeDoorOrCover``...): when it differs from
  ``previous``, the alerts are read again in the same refresh, and when
  their digest changed too, suppliesPublic and lifetimeCounters. Alerts
  that come and go while the status value stays put (a supply running low)
  show at the next full refresh. IPP-only printers answer everything in one
  Get-Printer-Attributes.
* a status that names no state (unknown codes, or the document is missing)
  is completed from CDM print/v2/status and then IPP, on every refresh, so
  full and cheap refreshes agree.
* another printer at the address: HP web servers name the serial number in
  the ``Server`` header of every answer (LEDM; CDM when present). When the
  status document's names another serial than the last refresh's, the cheap
  refresh reads everything (+ a full refresh), so the snapshot carries the
  new printer's identity and the caller can tell.
* a probe with unreachable ports costs more, within its time budget.

Credentials go only to the origins (scheme, host, port) the printer was
configured for, each after it asked for them itself (see ``HttpTransport``);
with ``scheme="https"`` those are TLS origins only, and the probe tries
nothing in the clear, IPP included. ``anonymous_identity()`` reads who
answers with no credentials at all, to check a printer before trusting it
with them.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import replace
import datetime as dt
import functools
import hashlib
import logging
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from . import cdm, ipp, ledm, printing
from .capture import Capture, write_redacted_capture
from .errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSUnsupportedError,
)
from .models import (
    Alert,
    Counters,
    IppCapabilities,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Profile,
    Protocol,
    Snapshot,
    Sources,
    Supply,
)
from .probe import Prober, get_printer_attributes, probe_origins, probe_printer
from .status import merge_status
from .transport import DEFAULT_TIMEOUT, HttpTransport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable
    from pathlib import Path

    import aiohttp

    from .transport import PrinterTransport

_LOGGER = logging.getLogger(__name__)


GET_PRINTER_ATTRIBUTES: Final = "Get-Printer-Attributes"

LEDM_CAPTURE_EXTRAS: Final = ("/DevMgmt/MediaHandlingDyn.xml",)
CDM_CAPTURE_EXTRAS: Final = ("/cdm/system/v1/statistics",)
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

_SCHEMES: Final = ("http", "https")


class HPPrinter:
    """One HP printer on the network (or replayed from a capture)."""

    def __init__(
        self,
        host: str,
        session: aiohttp.ClientSession | None,
        *,
        port: int | None = None,
        scheme: str | None = None,
        username: str | None = None,
        password: str | None = None,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        transport: PrinterTransport | None = None,
    ) -> None:
        """Describe a printer; nothing is sent until a method is awaited.

        ``transport`` replaces the HTTP transport (``session`` is then unused),
        for capture replays and tests.
        """
        if scheme is not None and scheme not in _SCHEMES:
            raise HPEWSConnectionError(f"Unsupported scheme: {scheme}")
        if port is not None and not 0 < port < 65536:
            raise HPEWSConnectionError(f"Invalid port: {port}")
        if not host or any(c in host for c in "/?#@ "):
            raise HPEWSConnectionError(f"Invalid host: {host!r}")
        self._host = host.strip("[]")
        self._port = port
        self._scheme = scheme
        self._timeout = timeout
        if transport is None:
            if session is None:
                raise TypeError("HPPrinter needs a session or a transport")
            transport = HttpTransport(
                session,
                self._host,
                username=username,
                password=password,
                # Only where this printer lives; TLS only when asked for.
                credential_origins=probe_origins(self._host, port, scheme),
                verify_ssl=verify_ssl,
                timeout=timeout,
            )
        self._transport: PrinterTransport = transport
        self._anonymous_requests = 0
        self._profile: Profile | None = None
        self._ipp_capabilities: IppCapabilities | None = None
        self._server_serial: str | None = None

    @classmethod
    def from_url(
        cls, url: str, session: aiohttp.ClientSession | None, **kwargs: Any
    ) -> HPPrinter:
        """From ``http(s)://[user:password@]host[:port]`` or a bare host."""
        text = url.strip()
        if "://" not in text:
            text = f"http://{text}"
        try:
            parsed = URL(text)
            port = parsed.explicit_port
        except ValueError as err:
            raise HPEWSConnectionError(f"Invalid URL: {err}") from err
        if parsed.scheme not in _SCHEMES or not parsed.host:
            raise HPEWSConnectionError("Invalid URL: expected http(s)://host[:port]")
        if parsed.user is not None:
            kwargs.setdefault("username", parsed.user)
            kwargs.setdefault("password", parsed.password)
        kwargs.setdefault("scheme", parsed.scheme if "://" in url else None)
        return cls(parsed.host, session, port=port, **kwargs)

    @property
    def host(self) -> str:
        """Host name or address."""
        return self._host

    @property
    def profile(self) -> Profile | None:
        """The profile of the last probe, if any."""
        return self._profile

    @property
    def request_count(self) -> int:
        """Requests sent so far."""
        return self._transport.request_count + self._anonymous_requests

    async def probe(self) -> Profile:
        """Find the protocols the printer speaks.

        Raises ``HPEWSConnectionError`` (or its ``HPEWSTimeoutError``) when
        nothing answers, ``HPEWSUnsupportedError`` when the peer is not an HP
        printer, ``HPEWSAuthenticationError`` when it wants credentials.
        """
        self._profile = await probe_printer(
            self._transport,
            self._host,
            port=self._port,
            scheme=self._scheme,
            budget=2 * self._timeout,
        )
        return self._profile

    async def anonymous_identity(self) -> PrinterInfo:
        """Read who answers at this address, sending no credentials at all.

        For checking a printer before trusting it with credentials: one seen
        at a new address may be another device, and anyone can announce a
        printer's UUID over mDNS. The probe and the identity document (CDM
        identity, LEDM ProductConfigDyn) go through a transport without
        credentials, whatever the peer asks; port and scheme are this
        printer's (TLS only with ``scheme="https"``). The printer's own
        state (``profile``) is left alone.

        Returns the identity the snapshot would have: the UUID the printer
        announces (IPP ``printer-uuid`` when IPP answers, else the web
        server's) and the serial number when it is readable without
        credentials; fields the printer keeps behind them are None.

        Raises ``HPEWSAuthenticationError`` when nothing answers without
        credentials, and the errors of ``probe``.
        """
        transport = (
            self._transport.without_credentials()
            if isinstance(self._transport, HttpTransport)
            else self._transport  # capture replays have no credentials
        )
        prober = Prober(
            transport,
            self._host,
            port=self._port,
            scheme=self._scheme,
            budget=2 * self._timeout,
        )
        before = transport.request_count
        try:
            try:
                profile: Profile | None = await prober.run()
            except HPEWSAuthenticationError:
                # A locked web server; IPP may still say who this is.
                if prober.ipp is None:
                    raise
                profile = None
            info = None if profile is None else await _web_identity(transport, profile)
        finally:
            if transport is not self._transport:
                self._anonymous_requests += transport.request_count - before
        if prober.ipp is None:
            return info or PrinterInfo()
        announced = prober.ipp.printer.info
        if info is None:
            return announced
        return _announced_uuid(_complete_info(info, announced), announced.uuid)

    async def snapshot(
        self,
        profile: Profile | None = None,
        *,
        previous: Snapshot | None = None,
        full: bool = True,
    ) -> Snapshot:
        """Read the printer; see the module docstring for what each kind costs.

        ``full=False`` with ``previous`` is the cheap status refresh: it reuses
        identity, capabilities, supplies and counters from ``previous`` unless
        the printer signals a change.
        """
        if profile is None:
            profile = self._profile or await self.probe()
        self._profile = profile
        reader = _Reader(self._transport, profile, previous)
        primary = profile.protocols[0] if profile.protocols else Protocol.IPP
        cheap = not full and previous is not None
        if primary is Protocol.LEDM:
            snap = await (
                reader.ledm_cheap(previous)
                if not full and previous is not None
                else reader.ledm_full()
            )
        elif primary is Protocol.CDM:
            snap = await (
                reader.cdm_cheap(previous)
                if not full and previous is not None
                else reader.cdm_full()
            )
        else:
            snap = await reader.ipp_only()
        seen = reader.server_serial
        if cheap and seen is not None and self._server_serial not in (None, seen):
            # The Server header names another serial: another printer answers
            # at this address. Read everything, so the snapshot's identity
            # (serial, UUID) is the new printer's and the caller can tell.
            _LOGGER.debug("%s: another printer answers; full refresh", self._host)
            snap = await (
                reader.ledm_full() if primary is Protocol.LEDM else reader.cdm_full()
            )
        if seen is not None:
            self._server_serial = seen
        if snap.ipp is not None:
            self._ipp_capabilities = snap.ipp
        return snap

    async def identify(self) -> None:
        """Make the printer show or sound itself (IPP Identify-Printer).

        Raises ``HPEWSUnsupportedError`` when the printer does not support it.
        """
        profile = self._profile or await self.probe()
        url = profile.ipp_url
        if url is None:
            raise HPEWSUnsupportedError("The printer does not speak IPP")
        capabilities = self._ipp_capabilities
        if capabilities is None:
            printer = await get_printer_attributes(self._transport, url)
            if printer is None:
                raise HPEWSUnsupportedError("The printer's IPP service is gone")
            capabilities = self._ipp_capabilities = printer.capabilities
        if not capabilities.can_identify:
            raise HPEWSUnsupportedError("The printer does not support Identify-Printer")
        request = ipp.identify_printer_request(ipp.printer_uri_for(url))
        answer = await self._transport.post_ipp(url, request)
        if answer is None:
            raise HPEWSUnsupportedError("The printer's IPP service is gone")
        ipp.check_response(answer)

    # --- printing --------------------------------------------------------------

    async def _ipp_url(self) -> str:
        profile = self._profile or await self.probe()
        if profile.ipp_url is None:
            raise HPEWSUnsupportedError("The printer does not speak IPP")
        return profile.ipp_url

    async def print_capabilities(self) -> printing.PrintCapabilities:
        """What the printer takes: formats, resolutions, colour, sides, media.

        Raises ``HPEWSUnsupportedError`` when the printer has no IPP service.
        """
        return await printing.get_print_capabilities(
            self._transport, await self._ipp_url()
        )

    async def print_document(
        self,
        source: printing.DocumentSource,
        options: printing.PrintOptions | None = None,
        *,
        document_format: str | None = None,
        capabilities: printing.PrintCapabilities | None = None,
        wait: bool = False,
        wait_timeout: float = printing.DEFAULT_WAIT_TIMEOUT,
        spool_dir: Path | None = None,
        max_bytes: int | None = None,
        raw_formats: Iterable[str] | None = None,
        raw_port: int = printing.RAW_PORT,
    ) -> printing.PrintResult:
        """Print a file path or an async iterable of bytes over IPP.

        The format is negotiated with the printer and converted when needed
        (see :func:`.printing.print_document`); the document streams with the
        transport's timeout applied per step, under its in-flight limit and
        credentials. With ``wait`` the job is followed until it ends or
        ``wait_timeout`` seconds pass.

        A printer without IPP gets the document on its raw port (9100) only
        when ``raw_formats`` (MIME types, e.g. from the mDNS ``pdl`` key or
        :func:`.printing.pdl_formats`) says what it takes; the result then has
        ``job_id`` 0 and nothing can be followed or cancelled.

        Raises:
            HPEWSUnsupportedError: no IPP, and no raw formats to fall back on.
            HPEWSDocumentError: the document is missing, unreadable, corrupt
                or too large (``HPEWSUnsupportedFormatError``: nothing the
                printer takes can be made of it).
            HPEWSAuthenticationError: the printer wants (other) credentials.
            HPEWSIPPError: the printer refused the job (``status_code``).
            HPEWSConnectionError: the printer is offline or went away.
        """
        profile = self._profile or await self.probe()
        if profile.ipp_url is None:
            if not raw_formats:
                raise HPEWSUnsupportedError(
                    "The printer does not speak IPP and its page description "
                    "languages are not known"
                )
            return await printing.print_raw(
                self._host,
                source,
                raw_formats,
                options,
                port=raw_port,
                document_format=document_format,
                spool_dir=spool_dir,
                max_bytes=max_bytes,
            )
        return await printing.print_document(
            self._transport,
            profile.ipp_url,
            source,
            options,
            document_format=document_format,
            capabilities=capabilities,
            wait=wait,
            wait_timeout=wait_timeout,
            spool_dir=spool_dir,
            max_bytes=max_bytes,
        )

    async def get_job(self, job_id: int) -> ipp.IppJob:
        """A job's state now (IPP Get-Job-Attributes)."""
        return await printing.get_job(self._transport, await self._ipp_url(), job_id)

    async def wait_for_job(
        self, job_id: int, *, wait_timeout: float = printing.DEFAULT_WAIT_TIMEOUT
    ) -> ipp.IppJob:
        """Follow a job until it ends; after ``wait_timeout`` s its state then."""
        return await printing.wait_for_job(
            self._transport, await self._ipp_url(), job_id, wait_timeout=wait_timeout
        )

    async def cancel_job(self, job_id: int) -> None:
        """Cancel a job (IPP Cancel-Job).

        Raises ``HPEWSIPPError`` when there is no such job or it has ended.
        """
        await printing.cancel_job(self._transport, await self._ipp_url(), job_id)

    async def capture(self, directory: Path) -> None:
        """Write a redacted capture directory of every relevant document.

        Only read-only documents the snapshot uses (and a few harmless extras
        the profile lists) are fetched; secrets such as the Wi-Fi configuration
        and anything state-changing never are.
        """
        profile = self._profile or await self.probe()
        http: dict[str, bytes] = {}
        for path in capture_paths(profile):
            response = await self._transport.get(profile.base_url + path)
            if response is not None:
                http[path] = response.body
        ipp_docs: dict[str, bytes] = {}
        if profile.ipp_url is not None:
            request = ipp.get_printer_attributes_request(
                ipp.printer_uri_for(profile.ipp_url)
            )
            answer = await self._transport.post_ipp(profile.ipp_url, request)
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
        # Redaction scans every document: off the event loop, like the write.
        await asyncio.get_running_loop().run_in_executor(
            None,
            functools.partial(
                write_redacted_capture, directory, capture, hosts=(self._host,)
            ),
        )


async def _web_identity(
    transport: PrinterTransport, profile: Profile
) -> PrinterInfo | None:
    """The web server's identity document, if it shows it without credentials."""
    if Protocol.CDM in profile.protocols:
        path, parser = cdm.IDENTITY, cdm.parse_identity
    elif Protocol.LEDM in profile.protocols:
        path, parser = ledm.PRODUCT_CONFIG, ledm.parse_product_config
    else:
        return None
    try:
        response = await transport.get(profile.base_url + path)
    except HPEWSAuthenticationError:
        return None
    return _opt(parser, None if response is None else response.body)


def capture_paths(profile: Profile) -> list[str]:
    """The read-only documents a capture of this printer fetches."""
    paths: list[str] = []
    if Protocol.LEDM in profile.protocols:
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
    if Protocol.CDM in profile.protocols:
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


def _is_listed(resources: tuple[str, ...], path: str) -> bool:
    """Whether a discovery listing names ``path`` or a service containing it."""
    wanted = path.lower().rstrip("/")
    for resource in resources:
        listed = resource.lower().split("?", 1)[0].rstrip("/")
        if listed and (wanted == listed or wanted.startswith(listed + "/")):
            return True
    return False


def _listed(
    resources: tuple[str, ...], paths: Iterable[str], *, unknown: bool = True
) -> list[str]:
    """``paths`` the listing names; all of them when there is no listing."""
    if not resources:
        return list(paths) if unknown else []
    return [path for path in paths if _is_listed(resources, path)]


def _model_of(capture: Capture, profile: Profile) -> str | None:
    """Model name for the capture's metadata, parsed from what was captured."""
    candidates: list[Callable[[], PrinterInfo | None]] = [
        lambda: _opt(ledm.parse_product_config, capture.http.get(ledm.PRODUCT_CONFIG)),
        lambda: _opt(cdm.parse_identity, capture.http.get(cdm.IDENTITY)),
    ]
    if profile.ipp_url is not None:
        url = profile.ipp_url
        candidates.append(
            lambda: getattr(
                _opt(
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


def _opt[T](parser: Callable[[bytes], T], data: bytes | None) -> T | None:
    """Parse an optional document; a malformed one counts as missing."""
    if data is None:
        return None
    try:
        return parser(data)
    except HPEWSError as err:
        _LOGGER.debug("Ignoring a malformed optional document: %s", err)
        return None


def _incomplete(status: PrinterStatus | None) -> bool:
    return status is None or status.state is PrinterState.UNKNOWN


def _complete_info(info: PrinterInfo, other: PrinterInfo) -> PrinterInfo:
    """Fill what ``info`` lacks from ``other`` (IPP knows the UUID, often the MAC)."""
    changes = {
        name: getattr(other, name)
        for name in (
            "model",
            "series",
            "serial_number",
            "firmware",
            "uuid",
            "mac",
            "product_number",
        )
        if getattr(info, name) is None and getattr(other, name) is not None
    }
    return replace(info, **changes) if changes else info


def _digest(lines: Iterable[str]) -> str:
    text = "\n".join(lines)
    return hashlib.sha256(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _announced_uuid(info: PrinterInfo, uuid: str | None) -> PrinterInfo:
    """``info`` with the UUID the printer announces (IPP ``printer-uuid``).

    It is the one mDNS discovery sees (TXT ``UUID``); CDM's ``deviceUuid``
    differs from it on real printers (docs/protocols.md §2.3), so it is only a
    fallback for printers without IPP.
    """
    if uuid is None or uuid == info.uuid:
        return info
    return replace(info, uuid=uuid)


def _alerts_digest(alerts: Iterable[Alert]) -> str:
    return _digest(
        sorted(
            f"{a.code}|{a.severity}|{a.color or ''}|{a.message or ''}" for a in alerts
        )
    )


def _codes_digest(codes: Iterable[str]) -> str:
    return _digest(codes)


def _cdm_status(own: PrinterStatus, alerts: tuple[Alert, ...]) -> PrinterStatus:
    """The CDM status: the printer's own state with the alerts merged in.

    The change marker is ``<status digest>:<alerts digest>``: a cheap refresh
    compares the first half to decide whether to read the alerts, the second
    to decide whether to read supplies and counters.
    """
    merged = merge_status(own, alerts) if alerts else own
    marker = f"{_codes_digest(own.raw_codes)}:{_alerts_digest(alerts)}"
    return replace(merged, change_marker=marker)


def _cdm_marker_parts(marker: str | None) -> tuple[str | None, str | None]:
    """(status digest, alerts digest) of a CDM change marker; Nones if not one."""
    own, separator, alerts = (marker or "").partition(":")
    if not separator:
        return None, None
    return own, alerts


@asynccontextmanager
async def _tasks() -> AsyncIterator[asyncio.TaskGroup]:
    """A task group that raises the first library error, not an ExceptionGroup.

    Requests run side by side (the transport keeps at most two in flight); on
    a failure the group cancels the others, so nothing lingers.
    """
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as errors:
        raise _first_leaf(errors) from None


def _first_leaf(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


class _Reader:
    """One snapshot's worth of requests and composition."""

    def __init__(
        self,
        transport: PrinterTransport,
        profile: Profile,
        previous: Snapshot | None = None,
    ) -> None:
        self._transport = transport
        self._profile = profile
        self._previous = previous
        self.server_serial: str | None = None
        """Serial number named by the status document's ``Server`` header."""

    async def doc(self, path: str) -> bytes | None:
        response = await self._transport.get(self._profile.base_url + path)
        return None if response is None else response.body

    async def status_doc(self, path: str) -> bytes | None:
        """The status document, noting which printer its Server header names."""
        response = await self._transport.get(self._profile.base_url + path)
        if response is None:
            return None
        self.server_serial = ledm.server_serial(response.server)
        return response.body

    async def maybe_doc(self, path: str, listed: bool) -> bytes | None:
        return await self.doc(path) if listed else None

    async def ipp_attributes(self, *, required: bool = False) -> ipp.IppPrinter | None:
        """Get-Printer-Attributes; optional unless IPP is all the printer has."""
        url = self._profile.ipp_url
        if url is None:
            return None
        if required:
            return await get_printer_attributes(self._transport, url)
        try:
            return await get_printer_attributes(self._transport, url)
        except HPEWSAuthenticationError:
            raise
        except HPEWSError as err:
            _LOGGER.debug("IPP completion failed, continuing without: %s", err)
            return None

    def compose(
        self,
        protocol: Protocol,
        *,
        info: PrinterInfo | None,
        status: PrinterStatus | None,
        supplies: tuple[Supply, ...] | None,
        counters: Counters | None,
        ipp_printer: ipp.IppPrinter | None,
    ) -> Snapshot:
        """Assemble a snapshot, completing missing parts from IPP."""
        info_source: Protocol | None = protocol
        if info is None:
            info, info_source = (
                (ipp_printer.info, Protocol.IPP)
                if ipp_printer is not None
                else (PrinterInfo(), None)
            )
        elif ipp_printer is not None:
            info = _announced_uuid(
                _complete_info(info, ipp_printer.info), ipp_printer.info.uuid
            )
        elif self._profile.ipp_url is not None and self._previous is not None:
            # IPP missed this refresh: keep the UUID it announced before rather
            # than flip to CDM's deviceUuid, as long as it is the same printer.
            before = self._previous.info
            if before.serial_number is not None and (
                before.serial_number == info.serial_number
            ):
                info = _announced_uuid(info, before.uuid)
        if info.ews_url is None:
            info = replace(info, ews_url=self._profile.base_url)

        status, status_source = self.complete_status(protocol, status, ipp_printer)

        supplies_source: Protocol | None = protocol
        if not supplies:
            supplies, supplies_source = (
                (ipp_printer.supplies, Protocol.IPP)
                if ipp_printer is not None and ipp_printer.supplies
                else ((), None)
            )
        return Snapshot(
            info=info,
            status=status,
            supplies=supplies,
            counters=counters or Counters(),
            ipp=ipp_printer.capabilities if ipp_printer is not None else None,
            sources=Sources(
                info=info_source,
                status=status_source,
                supplies=supplies_source,
                counters=protocol if counters is not None else None,
            ),
        )

    @staticmethod
    def complete_status(
        protocol: Protocol,
        status: PrinterStatus | None,
        ipp_printer: ipp.IppPrinter | None,
    ) -> tuple[PrinterStatus, Protocol | None]:
        """The printer's own status, completed by IPP when it names no state."""
        if status is None:
            if ipp_printer is not None:
                return ipp_printer.status, Protocol.IPP
            return PrinterStatus(state=PrinterState.UNKNOWN), None
        if _incomplete(status) and ipp_printer is not None:
            merged = merge_status(status, ipp_printer.status)
            return replace(merged, change_marker=status.change_marker), protocol
        return status, protocol

    # --- LEDM -----------------------------------------------------------------

    def ledm_listed(self, path: str) -> bool:
        resources = self._profile.ledm_resources
        return not resources or _is_listed(resources, path)

    async def ledm_supplies(
        self,
    ) -> tuple[tuple[Supply, ...] | None, Counters | None]:
        async with _tasks() as group:
            consumables = group.create_task(
                self.maybe_doc(ledm.CONSUMABLES, self.ledm_listed(ledm.CONSUMABLES))
            )
            usage = group.create_task(
                self.maybe_doc(ledm.USAGE, self.ledm_listed(ledm.USAGE))
            )
        return self.ledm_parse_supplies(consumables.result(), usage.result())

    @staticmethod
    def ledm_parse_supplies(
        consumables: bytes | None, usage_doc: bytes | None
    ) -> tuple[tuple[Supply, ...] | None, Counters | None]:
        supplies = _opt(ledm.parse_consumables, consumables)
        usage = _opt(ledm.parse_usage, usage_doc)
        if supplies and usage is not None and usage.pages_remaining:
            supplies = ledm.apply_pages_remaining(supplies, usage.pages_remaining)
        return supplies, usage.counters if usage is not None else None

    async def ledm_full(self) -> Snapshot:
        async with _tasks() as group:
            config = group.create_task(
                self.maybe_doc(
                    ledm.PRODUCT_CONFIG, self.ledm_listed(ledm.PRODUCT_CONFIG)
                )
            )
            status = group.create_task(self.status_doc(ledm.PRODUCT_STATUS))
            consumables = group.create_task(
                self.maybe_doc(ledm.CONSUMABLES, self.ledm_listed(ledm.CONSUMABLES))
            )
            usage = group.create_task(
                self.maybe_doc(ledm.USAGE, self.ledm_listed(ledm.USAGE))
            )
            ipp_printer = group.create_task(self.ipp_attributes())
        supplies, counters = self.ledm_parse_supplies(
            consumables.result(), usage.result()
        )
        return self.compose(
            Protocol.LEDM,
            info=_opt(ledm.parse_product_config, config.result()),
            status=_parse_status(ledm.parse_product_status, status.result()),
            supplies=supplies,
            counters=counters,
            ipp_printer=ipp_printer.result(),
        )

    async def ledm_cheap(self, previous: Snapshot) -> Snapshot:
        status = _parse_status(
            ledm.parse_product_status, await self.status_doc(ledm.PRODUCT_STATUS)
        )
        ipp_printer = await self.ipp_attributes() if _incomplete(status) else None
        status, status_source = self.complete_status(Protocol.LEDM, status, ipp_printer)
        if status.change_marker != previous.status.change_marker:
            supplies, counters = await self.ledm_supplies()
            return self.reuse(
                previous,
                status,
                status_source,
                supplies=supplies,
                counters=counters,
                protocol=Protocol.LEDM,
                ipp_printer=ipp_printer,
            )
        return self.reuse(previous, status, status_source, ipp_printer=ipp_printer)

    def reuse(
        self,
        previous: Snapshot,
        status: PrinterStatus,
        status_source: Protocol | None,
        *,
        supplies: tuple[Supply, ...] | None = None,
        counters: Counters | None = None,
        protocol: Protocol | None = None,
        ipp_printer: ipp.IppPrinter | None = None,
    ) -> Snapshot:
        """A cheap refresh: new status, the rest from ``previous`` unless re-read."""
        sources = replace(previous.sources, status=status_source)
        snap = replace(previous, status=status, sources=sources)
        if protocol is not None:
            supplies_source: Protocol | None
            if not supplies and ipp_printer is not None and ipp_printer.supplies:
                supplies, supplies_source = ipp_printer.supplies, Protocol.IPP
            else:
                supplies_source = protocol if supplies else None
            snap = replace(
                snap,
                supplies=supplies or (),
                counters=counters or Counters(),
                sources=replace(
                    sources,
                    supplies=supplies_source,
                    counters=protocol if counters is not None else None,
                ),
            )
        if ipp_printer is not None:
            snap = replace(snap, ipp=ipp_printer.capabilities)
        return snap

    # --- CDM ------------------------------------------------------------------

    async def cdm_own_status(self) -> PrinterStatus | None:
        """System status, completed by print/v2/status when it names no state."""
        primary = _parse_status(
            cdm.parse_system_status, await self.status_doc(cdm.SYSTEM_STATUS)
        )
        resources = self._profile.cdm_resources
        if _incomplete(primary) and (
            not resources or _is_listed(resources, cdm.PRINT_STATUS)
        ):
            print_status = _opt(
                cdm.parse_print_status, await self.doc(cdm.PRINT_STATUS)
            )
            if primary is None:
                primary = print_status
            elif print_status is not None:
                primary = merge_status(primary, print_status)
        return primary

    async def cdm_alerts(self) -> tuple[Alert, ...]:
        return _opt(cdm.parse_alerts, await self.doc(cdm.ALERTS)) or ()

    async def cdm_full(self) -> Snapshot:
        async with _tasks() as group:
            identity = group.create_task(self.doc(cdm.IDENTITY))
            own = group.create_task(self.cdm_own_status())
            alerts = group.create_task(self.cdm_alerts())
            supplies = group.create_task(self.doc(cdm.SUPPLIES))
            counters = group.create_task(self.doc(cdm.LIFETIME_COUNTERS))
            ipp_printer = group.create_task(self.ipp_attributes())
        own_status = own.result()
        return self.compose(
            Protocol.CDM,
            info=_opt(cdm.parse_identity, identity.result()),
            status=None
            if own_status is None
            else _cdm_status(own_status, alerts.result()),
            supplies=_opt(cdm.parse_supplies, supplies.result()),
            counters=_opt(cdm.parse_lifetime_counters, counters.result()),
            ipp_printer=ipp_printer.result(),
        )

    async def cdm_cheap(self, previous: Snapshot) -> Snapshot:
        """System status only, unless it changed since ``previous``.

        CDM's system status carries the same categories as LEDM's
        StatusCategory (``jamInPrinter``, ``closeDoorOrCover``...), so a new
        condition changes it: then the alerts are read again, and when they
        changed too, supplies and counters.
        """
        own = await self.cdm_own_status()
        status: PrinterStatus | None = None
        alerts_changed = False
        if own is not None:
            own_key, alerts_key = _cdm_marker_parts(previous.status.change_marker)
            if alerts_key is not None and _codes_digest(own.raw_codes) == own_key:
                alerts = tuple(
                    alert
                    for alert in previous.status.alerts
                    if alert.source is Protocol.CDM
                )
            else:
                alerts = await self.cdm_alerts()
            status = _cdm_status(own, alerts)
            alerts_changed = _cdm_marker_parts(status.change_marker)[1] != alerts_key
        ipp_printer = await self.ipp_attributes() if _incomplete(status) else None
        completed, status_source = self.complete_status(
            Protocol.CDM, status, ipp_printer
        )
        if alerts_changed:
            async with _tasks() as group:
                supplies = group.create_task(self.doc(cdm.SUPPLIES))
                counters = group.create_task(self.doc(cdm.LIFETIME_COUNTERS))
            return self.reuse(
                previous,
                completed,
                status_source,
                supplies=_opt(cdm.parse_supplies, supplies.result()),
                counters=_opt(cdm.parse_lifetime_counters, counters.result()),
                protocol=Protocol.CDM,
                ipp_printer=ipp_printer,
            )
        return self.reuse(previous, completed, status_source, ipp_printer=ipp_printer)

    # --- IPP only -------------------------------------------------------------

    async def ipp_only(self) -> Snapshot:
        printer = await self.ipp_attributes(required=True)
        if printer is None:
            raise HPEWSConnectionError("The printer's IPP service is gone")
        return self.compose(
            Protocol.IPP,
            info=printer.info,
            status=printer.status,
            supplies=printer.supplies,
            counters=None,
            ipp_printer=printer,
        )


def _parse_status(
    parser: Callable[[bytes], PrinterStatus], data: bytes | None
) -> PrinterStatus | None:
    """Parse the status document, the one a snapshot cannot do without.

    A malformed one is an error; a missing one is completed from IPP.
    """
    if data is None:
        return None
    return parser(data)
