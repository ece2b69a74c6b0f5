"""``HPPrinter``: probe a printer, read snapshots, identify it, print, capture it.

The snapshot composes the protocol parsers: the printer's own protocol (CDM or
LEDM) first, IPP to complete what it lacks (UUID, state when the printer's own
status names none, supplies when it lists none) and for the capabilities that
printing and the Identify button need.

Reading is the readers' job (``readers``: one per protocol family, chosen
once from the profile); what a full read and a refresh cost in requests, and
what makes a refresh read more, is in docs/refresh.md.

Credentials go only to the origins (scheme, host, port) the printer was
configured for, each after it asked for them itself (see ``HttpTransport``);
with ``scheme="https"`` those are TLS origins only, and the probe tries
nothing in the clear, IPP included. ``anonymous_identity()`` reads who
answers with no credentials at all, to check a printer before trusting it
with them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from . import firmware, ipp, maintenance
from .capture import Capture, take_capture
from .errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSUnsupportedError,
)
from .events import DEFAULT_WAIT as DEFAULT_EVENT_WAIT, EventChannel
from .models import (
    PrintCapabilities,
    PrinterInfo,
    PrinterProtocol,
    PrinterSnapshot,
    Profile,
)
from .printing import raw, submit
from .probe import Prober, get_printer_attributes, probe_origins, probe_printer
from .protocols import cdm, ledm
from .readers import Reader, reader_for
from .readers.base import announced_uuid, complete_info, parse_optional
from .redact import redact_capture
from .scanning import MAX_PAGES, Scanner, find_scanner, run_scan
from .transport import DEFAULT_TIMEOUT, RAW_PORT, HttpTransport
from .walkup import (
    Walkup,
    WalkupCapabilities,
    WalkupDestination,
    WalkupEventType,
    WalkupScan,
    scan_options_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import aiohttp

    from .printing.options import PrintOptions
    from .printing.spool import DocumentSource
    from .scanning import ScannerCapabilities, ScannerStatus, ScanOptions, ScanResult
    from .transport import PrinterTransport

_LOGGER = logging.getLogger(__name__)


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
        escl_root: str | None = None,
    ) -> None:
        """Describe a printer; nothing is sent until a method is awaited.

        ``transport`` replaces the HTTP transport (``session`` is then unused),
        for capture replays and tests. ``escl_root`` is the scanner's eSCL
        URL when known (mDNS ``_uscan._tcp``: port and ``rs``), else it is
        looked for on the first scanner call.
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
        self._ipp_capabilities: PrintCapabilities | None = None
        self._reader: Reader | None = None
        self._escl_root = escl_root
        self._scanner: tuple[str, Scanner | None] | None = None
        self._maintenance: dict[str, maintenance.MaintenanceRequest] | None = None
        self._walkup: tuple[str, Walkup] | None = None

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
        return announced_uuid(complete_info(info, announced), announced.uuid)

    async def snapshot(
        self,
        profile: Profile | None = None,
        *,
        previous: PrinterSnapshot | None = None,
        full: bool = True,
    ) -> PrinterSnapshot:
        """Read the printer; docs/refresh.md says what each kind costs.

        ``full=False`` with ``previous`` is the refresh: it reuses identity,
        capabilities, supplies and counters from ``previous`` unless the
        printer signals a change (or another printer answers: then it reads
        everything).
        """
        if profile is None:
            profile = self._profile or await self.probe()
        self._profile = profile
        reader = self._reader_for(profile)
        if full or previous is None:
            snap = await reader.full(previous)
        else:
            snap = await reader.refresh(previous)
        if snap.ipp is not None:
            self._ipp_capabilities = snap.ipp
        return snap

    def _reader_for(self, profile: Profile) -> Reader:
        """The reader of this profile, kept until the profile changes."""
        reader = self._reader
        if reader is None or reader.profile != profile:
            # The serial the last reader saw carries over: a refresh after a
            # new probe still notices another printer at the address.
            reader = self._reader = reader_for(
                self._transport,
                profile,
                server_serial=None if reader is None else reader.server_serial,
            )
        return reader

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

    # --- maintenance -----------------------------------------------------------

    async def maintenance_actions(self) -> tuple[maintenance.MaintenanceAction, ...]:
        """What the printer offers for its upkeep (reports, cleaning, alignment).

        Read from the printer each call (``maintenance``); empty when it
        offers nothing, IPP-only printers included.
        """
        profile = self._profile or await self.probe()
        requests = await maintenance.read_requests(self._transport, profile)
        self._maintenance = {request.action.key: request for request in requests}
        return tuple(request.action for request in requests)

    async def run_maintenance(self, key: str) -> None:
        """Run the action with this key, as the printer listed it.

        The list of the last ``maintenance_actions()`` is used (read now if
        none was). The only writes hp_ews sends to CDM or LEDM besides
        scanning: through ``exchange``, to ``WRITABLE_PATHS`` only.

        Raises:
            HPEWSUnsupportedError: the printer does not offer ``key``.
            HPEWSMaintenanceError: the printer is jammed, open, out of paper,
                busy or asleep, or refused the job (``reason``).
        """
        profile = self._profile or await self.probe()
        if self._maintenance is None:
            await self.maintenance_actions()
        assert self._maintenance is not None
        request = self._maintenance.get(key)
        if request is None:
            raise HPEWSUnsupportedError(f"The printer does not offer {key!r}")
        await maintenance.run_request(self._transport, profile, request)

    # --- printing --------------------------------------------------------------

    async def _ipp_url(self) -> str:
        profile = self._profile or await self.probe()
        if profile.ipp_url is None:
            raise HPEWSUnsupportedError("The printer does not speak IPP")
        return profile.ipp_url

    async def print_capabilities(self) -> PrintCapabilities:
        """What the printer takes: formats, resolutions, colour, sides, media.

        Raises ``HPEWSUnsupportedError`` when the printer has no IPP service.
        """
        return await submit.get_print_capabilities(
            self._transport, await self._ipp_url()
        )

    async def print_document(
        self,
        source: DocumentSource,
        options: PrintOptions | None = None,
        *,
        document_format: str | None = None,
        capabilities: PrintCapabilities | None = None,
        wait: bool = False,
        wait_timeout: float = submit.DEFAULT_WAIT_TIMEOUT,
        spool_dir: Path | None = None,
        max_bytes: int | None = None,
        raw_formats: Iterable[str] | None = None,
        raw_port: int = RAW_PORT,
    ) -> submit.PrintResult:
        """Print a file path or an async iterable of bytes over IPP.

        The format is negotiated with the printer and converted when needed
        (see :func:`.printing.submit.print_document`); the document streams with the
        transport's timeout applied per step, under its in-flight limit and
        credentials. With ``wait`` the job is followed until it ends or
        ``wait_timeout`` seconds pass.

        A printer without IPP gets the document on its raw port (9100) only
        when ``raw_formats`` (MIME types, e.g. from the mDNS ``pdl`` key or
        :func:`.printing.raw.pdl_formats`) says what it takes; the result then has
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
            return await raw.print_raw(
                self._transport,
                source,
                raw_formats,
                options,
                port=raw_port,
                document_format=document_format,
                spool_dir=spool_dir,
                max_bytes=max_bytes,
            )
        return await submit.print_document(
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
        return await submit.get_job(self._transport, await self._ipp_url(), job_id)

    async def wait_for_job(
        self, job_id: int, *, wait_timeout: float = submit.DEFAULT_WAIT_TIMEOUT
    ) -> ipp.IppJob:
        """Follow a job until it ends; after ``wait_timeout`` s its state then."""
        return await submit.wait_for_job(
            self._transport, await self._ipp_url(), job_id, wait_timeout=wait_timeout
        )

    async def cancel_job(self, job_id: int) -> None:
        """Cancel a job (IPP Cancel-Job).

        Raises ``HPEWSIPPError`` when there is no such job or it has ended.
        """
        await submit.cancel_job(self._transport, await self._ipp_url(), job_id)

    # --- events and walk-up ----------------------------------------------------

    def event_channel(self, *, wait: float = DEFAULT_EVENT_WAIT) -> EventChannel | None:
        """The long poll on the LEDM event table (see ``events``).

        None before the first probe and for printers without LEDM; a printer
        that lists LEDM but has no event table says so on the channel's first
        ``wait()`` (``HPEWSUnsupportedError``). ``wait`` is the seconds the
        printer holds each poll.
        """
        profile = self._profile
        if profile is None or PrinterProtocol.LEDM not in profile.protocols:
            return None
        return EventChannel(self._transport, profile.base_url, wait=wait)

    async def _walkup_client(self) -> Walkup:
        profile = self._profile or await self.probe()
        if PrinterProtocol.LEDM not in profile.protocols:
            raise HPEWSUnsupportedError("Walk-up scanning needs an LEDM printer")
        walkup = self._walkup
        if walkup is None or walkup[0] != profile.base_url:
            walkup = self._walkup = (
                profile.base_url,
                Walkup(self._transport, profile.base_url),
            )
        return walkup[1]

    async def walkup_capabilities(self) -> WalkupCapabilities:
        """The printer's walk-up scanning ("Scan to computer" on its panel).

        Raises ``HPEWSUnsupportedError`` when it has none.
        """
        return await (await self._walkup_client()).capabilities()

    async def walkup_destinations(self) -> tuple[WalkupDestination, ...]:
        """Every destination on the panel's "Scan to computer" list."""
        return await (await self._walkup_client()).destinations()

    async def register_walkup(self, name: str) -> tuple[WalkupDestination, bool]:
        """Find or create our destination ``name``: (destination, created).

        A write to the printer, only for a user who enabled walk-up scanning.
        Other destinations are left alone; ``HPEWSWalkupFullError`` when the
        printer's list is full.
        """
        return await (await self._walkup_client()).ensure_destination(name)

    async def unregister_walkup(self, name: str) -> int:
        """Remove our destination ``name`` (only ours); how many were removed."""
        return await (await self._walkup_client()).remove_destination(name)

    async def walkup_destination(self, resource: str) -> WalkupDestination | None:
        """A destination's document with the panel's choice; None when gone."""
        return await (await self._walkup_client()).destination(resource)

    async def walkup_event(self) -> WalkupEventType | None:
        """Where the panel's walk-up scan stands (None: the printer does not say)."""
        return await (await self._walkup_client()).event()

    async def walkup_scan(
        self,
        resource: str,
        directory: Path,
        name: str,
        *,
        max_pages: int = MAX_PAGES,
    ) -> WalkupScan:
        """Scan what the panel asked for at our destination ``resource``.

        Reads the destination's document for the panel's choice (shortcut,
        sides), then scans like ``scan`` into ``directory``. Raises
        ``HPEWSConnectionError`` when the destination is gone, and the
        errors of ``scan``.
        """
        destination = await self.walkup_destination(resource)
        if destination is None:
            raise HPEWSConnectionError("The walk-up destination is gone")
        options = scan_options_for(destination)
        result = await self.scan(options, directory, name, max_pages=max_pages)
        return WalkupScan(destination.name, destination.shortcut, options, result)

    # --- scanning --------------------------------------------------------------

    async def _find_scanner(self) -> Scanner:
        """The scanner, found once per web server (eSCL, else LEDM ``/Scan``)."""
        profile = self._profile or await self.probe()
        cached = self._scanner
        if cached is None or cached[0] != profile.base_url:
            try:
                found: Scanner | None = await find_scanner(
                    self._transport, profile.base_url, escl_root=self._escl_root
                )
            except HPEWSUnsupportedError:
                found = None
            cached = self._scanner = (profile.base_url, found)
        if cached[1] is None:
            raise HPEWSUnsupportedError("The printer has no scanner")
        return cached[1]

    async def scanner_capabilities(self) -> ScannerCapabilities:
        """Sources, colour modes, resolutions, formats and duplex of the scanner.

        Read once (the first scanner call finds the scanner and reads them);
        later calls send nothing.

        Raises:
            HPEWSUnsupportedError: the printer has no scanner (remembered:
                later calls raise it without asking again).
        """
        return (await self._find_scanner()).capabilities()

    async def scanner_status(self) -> ScannerStatus:
        """The scanner's state and whether paper waits in its feeder.

        One GET (eSCL ``ScannerStatus`` or LEDM ``/Scan/Status``) once the
        scanner is known. Raises ``HPEWSUnsupportedError`` without a scanner.
        """
        return await (await self._find_scanner()).status()

    async def scan(
        self,
        options: ScanOptions,
        directory: Path,
        name: str,
        *,
        max_pages: int = MAX_PAGES,
    ) -> ScanResult:
        """Scan into ``directory``: ``name``.pdf, or ``name``-1.jpg, -2 ...

        Pages stream to temporary files in ``directory`` (created if
        missing); the final names appear only when the whole scan succeeded,
        and nothing is left behind on any failure or cancellation. A name
        that is taken gets `` (2)``, `` (3)`` ...: nothing is overwritten.
        ``name`` must be a plain file name (ValueError otherwise).
        ``ScanSource.AUTO`` takes the feeder when it holds paper, else the
        glass; the glass gives one page. PDFs are assembled here from the
        scanner's JPEG pages.

        Raises:
            HPEWSScanError: ``reason`` says why (busy, feeder empty, jammed,
                cover open, no pages, an option not offered, more than
                ``max_pages`` pages, failed).
            HPEWSUnsupportedError: the printer has no scanner.
            HPEWSConnectionError: the printer went away.
        """
        return await run_scan(
            await self._find_scanner(), options, directory, name, max_pages=max_pages
        )

    # --- firmware ------------------------------------------------------------------

    async def set_firmware_auto_update(self, enabled: bool) -> None:
        """Turn the printer's automatic firmware update on or off (a write).

        For printers whose snapshot says ``firmware.auto_update_writable``;
        ``HPEWSUnsupportedError`` for others, ``HPEWSError`` when refused.
        """
        profile = self._profile or await self.probe()
        await firmware.set_auto_update(self._transport, profile, enabled)

    async def capture(self) -> Capture:
        """A redacted capture of every relevant document, in memory.

        Only read-only documents the snapshot uses (and a few harmless extras
        the profile lists) are fetched; secrets such as the Wi-Fi configuration
        and anything state-changing never are. Identifiers, addresses and the
        host name the printer was reached by are replaced (``redact``); write
        it to a directory with ``write_capture``.
        """
        profile = self._profile or await self.probe()
        capture = await take_capture(self._transport, profile)
        # Redaction scans every document: off the event loop.
        return await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(redact_capture, capture, hosts=(self._host,))
        )


async def _web_identity(
    transport: PrinterTransport, profile: Profile
) -> PrinterInfo | None:
    """The web server's identity document, if it shows it without credentials."""
    if PrinterProtocol.CDM in profile.protocols:
        path, parser = cdm.IDENTITY, cdm.parse_identity
    elif PrinterProtocol.LEDM in profile.protocols:
        path, parser = ledm.PRODUCT_CONFIG, ledm.parse_product_config
    else:
        return None
    try:
        response = await transport.get(profile.base_url + path)
    except HPEWSAuthenticationError:
        return None
    return parse_optional(parser, None if response is None else response.body)
