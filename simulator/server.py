"""One simulated printer: an aiohttp server with state, faults and jobs.

One port serves every protocol of the printer (EWS pages, LEDM/CDM
documents, IPP at ``/ipp/print``) and the control API under ``/_sim/``; raw
printing listens on a second port. HTTPS profiles sniff the first byte of
each connection: TLS handshakes get TLS, plain HTTP gets a redirect, as a
printer with "HTTPS only" does on port 80.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import html
import json
from pathlib import Path
import socket
import ssl
import time
from typing import TYPE_CHECKING, Any, Final, Self

from aiohttp import web

from custom_components.hp_ews.client import (
    HPEWSParseError,
    IppStatusCode,
    IppTruncatedError,
    decode_ipp_header,
    ipp_operation_name,
    new_ipp_response,
)

from . import care, cdm, ledm
from ._aio import cancel_and_wait, reset_socket, reset_transport
from .events import EventTable
from .faults import Fault, FaultSet, parse_fault
from .ipp import IppService
from .jobs import MAX_DOCUMENT_BYTES, Job, JobManager
from .maintenance import MaintenanceService
from .profiles import Family, Identity, PrinterProfile, UuidStyle, get_profile
from .raw import RawServer
from .scanner import ScanJob, Scanner, ScannerHttp, ScanRefusedError, escl_job_summary
from .state import PrinterState, StateError
from .store import CaptureStore, load_store
from .usage import SimulatedUsage, parse_usage
from .walkup import EsclWalkup, Walkup

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTROL_PREFIX: Final = "/_sim/"
IPP_PATH: Final = "/ipp/print"
DEFAULT_HOST: Final = "127.0.0.1"
_LEDM_PREFIXES: Final = ("/DevMgmt/", "/IoMgmt/", "/ePrint/", "/EventMgmt/")


def _replay_profile(store: CaptureStore) -> PrinterProfile:
    """A stateless profile for a replayed capture."""
    model = str(store.meta.get("model") or "HP printer (replay)")
    return PrinterProfile(
        name="replay",
        description=f"replay of {store.source}",
        family=Family.LEDM,
        identity=Identity(model, model, "", "", "RP", UuidStyle.RANDOM),
        supplies=(),
    )


def _content_type(path: str, body: bytes) -> str:
    if path.startswith("/cdm/"):
        return "application/json"
    if path.startswith(_LEDM_PREFIXES) or path.endswith(".xml"):
        return "text/xml"
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        return "text/xml"
    if stripped.startswith((b"{", b"[")):
        return "application/json"
    return "application/octet-stream"


def _corrupt(body: bytes, content_type: str) -> bytes:
    """A malformed version of a document, in its own format's way."""
    if content_type == "application/ipp":
        # Claims a 0xFFFF-byte attribute name the message does not hold.
        return body[:9] + b"\x44\xff\xffprinter-state"
    if content_type == "application/json":
        return body[: max(1, len(body) // 2)].rstrip(b"}]") + b',"'
    return body[: max(1, len(body) // 2)] + b"<</"


class SimulatedPrinter:
    """A simulated HP printer on 127.0.0.1.

    ``async with SimulatedPrinter("officejet-pro-9022e") as sim:`` starts it on
    a free port; ``sim.url`` is its base URL, ``sim.set_state(paper_jam=True)``
    changes its state, ``await sim.set_fault("http_error", status=503)`` makes
    it misbehave, ``sim.jobs`` lists what it received.
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        replay: str | Path | None = None,
        port: int = 0,
        raw_port: int = 0,
        host: str = DEFAULT_HOST,
        page_seconds: float | None = 0.02,
        percent_per_page: float = 0.5,
        sleep_after: float | None = None,
        identity_seed: str | None = None,
        keep_documents: bool = True,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        """Prepare a printer; call :meth:`start` (or use ``async with``).

        Args:
            profile: a name from :data:`simulator.profiles.PROFILES`.
            replay: a capture directory, or a diagnostics JSON file holding
                a capture, to serve instead of a profile.
            port: HTTP(S)/IPP port; 0 picks a free one.
            raw_port: raw printing port; 0 picks a free one.
            host: address to listen on (keep it loopback).
            page_seconds: time to print a page; None = the model's real speed.
            percent_per_page: supply level used per printed page.
            sleep_after: idle seconds before the printer falls into power
                save by itself (None: never, the default).
            identity_seed: same seed, same serial/UUID/MAC (default: profile
                and port).
            keep_documents: store received documents on disk.
            max_document_bytes: bytes of one document stored at most.
        """
        if (profile is None) == (replay is None):
            raise ValueError("give exactly one of profile and replay")
        if replay is not None:
            self.store = load_store(Path(replay).resolve())
            self.profile = _replay_profile(self.store)
            self.replay = True
        else:
            assert profile is not None
            self.profile = get_profile(profile)
            self.store = load_store(self.profile.data_dir)
            self.replay = False
        self.host = host
        self._requested_port = port
        self._requested_raw_port = raw_port
        self.port = 0
        self.raw_port = 0
        self._seed = identity_seed
        self.state = PrinterState(self.profile, identity_seed or "")
        self.usage = SimulatedUsage(self.state)
        self.state.page_seconds = (
            60 / self.profile.pages_per_minute if page_seconds is None else page_seconds
        )
        self.state.percent_per_page = percent_per_page
        self.state.sleep_after = sleep_after
        self._defaults = (self.state.page_seconds, percent_per_page, sleep_after)
        self.faults = FaultSet()
        self.job_manager = JobManager(
            self.state,
            max_document_bytes=max_document_bytes,
            keep_documents=keep_documents,
        )
        self._ipp = IppService(self)
        self._raw = RawServer(self.state, self.job_manager)
        spec = None if self.replay else self.profile.scanner
        self.scanner = None if spec is None else Scanner(spec, self.state)
        """The all-in-one's scanner (eSCL and LEDM /Scan), None without one."""
        self.events = (
            EventTable() if self.scanner is not None and spec and spec.walkup else None
        )
        """The LEDM event table (/EventMgmt/EventTable), None when not served."""
        self.walkup: Walkup | EsclWalkup | None = None
        """LEDM or eSCL walk-up ("Scan to computer"), None without."""
        if self.scanner is not None and self.events is not None:
            self.walkup = Walkup(self.state, self.events, self.scanner)
        elif self.scanner is not None and spec is not None and spec.escl_walkup:
            self.walkup = EsclWalkup(self.state, self.scanner)
        self._alert_mark = self.state.modification_number
        self._supply_mark = self._supply_signature()
        if self.scanner is not None and self.events is not None:
            self.scanner.listeners.append(self._on_scan_job)
        self._maintenance = MaintenanceService(self.state, self.job_manager, self.store)
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._closed_servers: list[asyncio.Server] = []
        self._socket: socket.socket | None = None
        self._accept_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connecting: set[asyncio.Task[Any]] = set()
        """HTTPS connections not yet handed to aiohttp (sniffing, handshake)."""
        self._reopen: asyncio.TimerHandle | None = None
        self._in_flight = 0
        self._wake_pending = False
        self._was_asleep = False
        self._sleep_timer: asyncio.TimerHandle | None = None
        self._started = False
        self.state.add_listener(self._on_state_change)

    # --- public API -----------------------------------------------------------------

    @property
    def jobs(self) -> list[Job]:
        """Jobs received so far, oldest first."""
        return list(self.job_manager.jobs.values())

    @property
    def https(self) -> bool:
        """Whether the printer serves TLS."""
        return self.profile.https

    @property
    def base_url(self) -> str:
        """``http(s)://127.0.0.1:PORT``."""
        return f"{'https' if self.https else 'http'}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The printer's address as a user would enter it."""
        return self.base_url

    @property
    def ipp_url(self) -> str:
        """HTTP(S) URL of the IPP endpoint."""
        return self.base_url + IPP_PATH

    @property
    def printer_uri(self) -> str:
        """IPP ``printer-uri`` (``ipp://`` or ``ipps://``)."""
        return f"{'ipps' if self.https else 'ipp'}://{self.host}:{self.port}{IPP_PATH}"

    @property
    def auth_required(self) -> bool:
        """Whether the ``auth`` fault is active."""
        return "auth" in self.faults.faults

    @property
    def ready_line(self) -> str:
        """The line the command line prints once the printer accepts connections."""
        return f"ready {self.url} raw={self.raw_port} profile={self.profile.name}"

    def set_state(self, **changes: Any) -> dict[str, Any]:
        """Change the state like ``POST /_sim/state``; returns the new state.

        Raises:
            StateError: unknown field or bad value (nothing is changed).
        """
        if self.replay:
            raise StateError("a replayed capture has no state to change")
        self.state.apply(changes)
        return self.state.to_json()

    def run_usage(self, **request: Any) -> dict[str, Any]:
        """Print simulated days, or put in a supply, like ``POST /_sim/usage``.

        Raises:
            StateError: a bad request (nothing is changed).
        """
        if self.replay:
            raise StateError("a replayed capture has no state to change")
        return self.usage.apply(parse_usage(request))

    async def set_fault(self, name: str, **params: Any) -> None:
        """Start a fault like ``POST /_sim/fault`` (``"none"`` clears all).

        Raises:
            StateError: unknown fault or bad parameter.
        """
        await self._apply_fault(parse_fault({"fault": name, **params}))

    async def clear_faults(self) -> None:
        """Clear every fault."""
        await self._apply_fault(None)

    async def reset(self) -> None:
        """Back to the captured state: no faults, no jobs."""
        await self._apply_fault(None)
        self.job_manager.clear()
        if self.scanner is not None:
            self.scanner.cancel_all()
        if self.walkup is not None:
            self.walkup.power_cycle()
        self.state.reset()
        self.usage.reset()
        (
            self.state.page_seconds,
            self.state.percent_per_page,
            self.state.sleep_after,
        ) = self._defaults
        self._arm_sleep_timer()

    async def power_cycle(self) -> None:
        """Off and on again: walk-up registrations and scan jobs are gone.

        The event table starts a new boot (its ETags change) with a
        PowerUpEvent; the printer's up time restarts.
        """
        if self.replay:
            raise StateError("a replayed capture cannot be power-cycled")
        if self.scanner is not None:
            self.scanner.cancel_all()
        if self.walkup is not None:
            self.walkup.power_cycle()
        if self.events is not None:
            self.events.power_up()
        self.state.started = time.monotonic()

    async def press_scan_button(
        self,
        destination: str,
        shortcut: str = "SavePDF",
        *,
        source: str = "auto",
        duplex: bool = False,
        pages: int = 1,
    ) -> str:
        """Press Scan on the panel like ``POST /_sim/scan_button``.

        Returns:
            The destination's resource URI.

        Raises:
            StateError: no walk-up, unknown destination, busy or bad values.
        """
        if self.walkup is None:
            raise StateError("this printer has no walk-up scanning")
        try:
            return self.walkup.press(
                destination, shortcut, source=source, duplex=duplex, pages=pages
            )
        except KeyError:
            raise StateError(f"no destination named {destination!r}") from None
        except ScanRefusedError as err:
            raise StateError(str(err)) from None

    async def wait_for_jobs(self, within: float = 10.0) -> None:
        """Wait until every received job has finished printing.

        Raises:
            TimeoutError: jobs still printing after ``within`` seconds.
        """
        async with asyncio.timeout(within):
            await self.job_manager.wait_idle()

    async def __aenter__(self) -> Self:
        """Start listening."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop and clean up."""
        await self.close()

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the HTTP and raw ports."""
        self.job_manager.reopen()
        app = web.Application(middlewares=[self._middleware])
        control = [
            web.get("/_sim/state", self._get_state),
            web.post("/_sim/state", self._post_state),
            web.post("/_sim/usage", self._post_usage),
            web.get("/_sim/fault", self._get_fault),
            web.post("/_sim/fault", self._post_fault),
            web.get("/_sim/jobs", self._get_jobs),
            web.get("/_sim/jobs/{job_id:\\d+}/document", self._get_document),
            web.post("/_sim/reset", self._post_reset),
            web.get("/_sim/info", self._get_info),
            web.post("/_sim/power_cycle", self._post_power_cycle),
            web.post("/_sim/scan_button", self._post_scan_button),
            web.get("/_sim/scan", self._get_scan),
        ]
        scanning: list[web.RouteDef] = []
        if self.scanner is not None:
            scanning += ScannerHttp(
                self.scanner, self._scanner_identity, self._boot
            ).routes()
        if self.walkup is not None:
            scanning += self.walkup.routes()
        if self.events is not None:
            scanning.append(web.get("/EventMgmt/EventTable", self.events.handle))
        app.add_routes(
            [
                *control,
                *scanning,
                web.post(IPP_PATH, self._post_ipp),
                *([] if self.replay else self._maintenance.routes()),
                *([] if self.replay else self._care_routes()),
                web.get("/", self._get_home),
                web.get("/{path:.+}", self._get_document_path),
            ]
        )
        # A dropped connection abandons its request, as on a real printer;
        # close() never waits long for a handler.
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=2.0,
        )
        await self._runner.setup()
        try:
            await self._listen(self._requested_port)
            if self._seed is None:
                self.state.identity_seed = f"port-{self.port}"
                self.state.swap(False)
            if not self.replay:
                self.raw_port = await self._raw.start(
                    self.host, self._requested_raw_port
                )
        except BaseException:
            await self.close()
            raise
        self._started = True
        self._arm_sleep_timer()

    async def close(self) -> None:
        """Stop listening, drop connections, stop printing, delete documents.

        Every step runs even if an earlier one fails, so no task of the
        printer outlives it.
        """
        if self._reopen is not None:
            self._reopen.cancel()
            self._reopen = None
        self._started = False
        self._arm_sleep_timer()
        try:
            await self._stop_listening()
            await self._raw.stop()
            self._abort_connections()
            await cancel_and_wait(*self._tasks)
            if self._runner is not None:
                runner, self._runner = self._runner, None
                await runner.cleanup()
            for server in self._closed_servers:
                await server.wait_closed()
            self._closed_servers.clear()
        finally:
            try:
                if self.scanner is not None:
                    await self.scanner.close()
            finally:
                await self.job_manager.close()

    async def _listen(self, port: int) -> None:
        assert self._runner is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        if self.https:
            self._accept_task = loop.create_task(self._accept(sock))
        else:
            factory = self._runner.server
            assert factory is not None
            self._server = await loop.create_server(factory, sock=sock)

    async def _stop_listening(self) -> None:
        if self._accept_task is not None:
            self._accept_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accept_task
            self._accept_task = None
        if self._server is not None:
            # Closing stops accepting; open connections (maybe the control
            # request that asked for this) live on until dropped or shut down.
            self._server.close()
            self._closed_servers.append(self._server)
            self._server = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    async def _accept(self, sock: socket.socket) -> None:
        """Accept loop of HTTPS profiles: TLS or plain, by the first byte."""
        from .tls import server_context

        context = server_context()
        loop = asyncio.get_running_loop()
        while True:
            conn, _address = await loop.sock_accept(sock)
            task = self._spawn(self._serve_connection(conn, context))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _serve_connection(
        self, conn: socket.socket, context: ssl.SSLContext
    ) -> None:
        assert self._runner is not None
        loop = asyncio.get_running_loop()
        conn.setblocking(False)
        try:
            readable = loop.create_future()
            loop.add_reader(conn.fileno(), readable.set_result, None)
            try:
                async with asyncio.timeout(30):
                    await readable
            finally:
                loop.remove_reader(conn.fileno())
            first = conn.recv(1, socket.MSG_PEEK)
            if not first:
                conn.close()
                return
            tls = context if first[0] == 0x16 else None
            factory = self._runner.server
            assert factory is not None
            await loop.connect_accepted_socket(factory, conn, ssl=tls)
        except (OSError, TimeoutError, ssl.SSLError):
            conn.close()
        except asyncio.CancelledError:
            reset_socket(conn)
            conn.close()
            raise

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _abort_connections(self, keep: object = None) -> None:
        """Reset every open HTTP(S) connection at once, except ``keep``'s.

        Pooled keep-alive connections must fail now, as when a printer drops
        off the network, not hang until the client's timeout.
        """
        for task in list(self._connecting):
            task.cancel()
        if self._runner is None or self._runner.server is None:
            return
        for handler in self._runner.server.connections:
            transport = handler.transport
            if handler is not keep and transport is not None:
                reset_transport(transport)

    # --- faults ----------------------------------------------------------------------

    async def _apply_fault(
        self, fault: Fault | None, name: str | None = None, keep: object = None
    ) -> None:
        if fault is None:
            cleared = [name] if name is not None else list(self.faults.faults)
            for cleared_name in cleared:
                self.faults.clear(cleared_name)
                if cleared_name == "swap":
                    self.state.swap(False)
                if cleared_name == "refuse_connections":
                    await self._resume_listening()
            return
        self.faults.add(fault)
        if fault.name == "swap":
            self.state.swap(True)
        elif fault.name == "slow_wake":
            self._wake_pending = self.state.power_save
        elif fault.name == "refuse_connections":
            await self._refuse(fault.params["seconds"], keep)

    async def _refuse(self, seconds: float | None, keep: object = None) -> None:
        """Stop listening (connections get refused) and reset open ones.

        ``keep`` is the connection of a control request that asked for this;
        it is closed once answered.
        """
        await self._stop_listening()
        await self._raw.stop()
        self._abort_connections(keep)
        if self._reopen is not None:
            self._reopen.cancel()
        if seconds is not None:
            loop = asyncio.get_running_loop()
            self._reopen = loop.call_later(
                seconds,
                lambda: self._spawn(self._apply_fault(None, "refuse_connections")),
            )

    async def _resume_listening(self) -> None:
        if self._reopen is not None:
            self._reopen.cancel()
            self._reopen = None
        if self._socket is None and self._runner is not None:
            await self._listen(self.port)
            if not self.replay:
                await self._raw.start(self.host, self.raw_port)

    def _on_state_change(self) -> None:
        asleep = self.state.power_save
        if asleep and not self._was_asleep:
            self._wake_pending = True
        self._was_asleep = asleep
        self._arm_sleep_timer()
        if self.events is not None:
            self._post_events()

    def _supply_signature(self) -> tuple[tuple[str, int | None, bool], ...]:
        state = self.state
        return tuple(
            (spec.key, state.level(spec), spec.key in state.missing)
            for spec in self.profile.supplies
        )

    def _post_events(self) -> None:
        """Alert-table and supply changes reach the event table."""
        assert self.events is not None
        if self.state.modification_number != self._alert_mark:
            self._alert_mark = self.state.modification_number
            self.events.add(
                "AlertTableChanged",
                ("/DevMgmt/ProductStatusDyn.xml", "ledm:hpLedmProductStatusDyn"),
            )
        supplies = self._supply_signature()
        if supplies != self._supply_mark:
            self._supply_mark = supplies
            self.events.add(
                "ConsumableEvent",
                ("/DevMgmt/ConsumableConfigDyn.xml", "ledm:hpLedmConsumableConfigDyn"),
            )

    def _on_scan_job(self, job: ScanJob) -> None:
        assert self.events is not None
        self.events.add("JobEvent")

    def _scanner_identity(self) -> tuple[str, str, str]:
        identity = self.state.identity
        return (self.profile.identity.series, identity.serial, identity.uuid)

    def _boot(self) -> int:
        return 1 if self.events is None else self.events.stamp[0]

    def _arm_sleep_timer(self) -> None:
        """(Re)start the idle countdown to power save; any change restarts it."""
        if self._sleep_timer is not None:
            self._sleep_timer.cancel()
            self._sleep_timer = None
        state = self.state
        if (
            not self._started
            or self.replay
            or state.sleep_after is None
            or state.power_save
            or state.printing
        ):
            return
        loop = asyncio.get_running_loop()
        self._sleep_timer = loop.call_later(state.sleep_after, self._fall_asleep)

    def _fall_asleep(self) -> None:
        if self._sleep_timer is not None:
            self._sleep_timer.cancel()
            self._sleep_timer = None
        if self.job_manager.active:
            # A job is arriving or waits for the user: not idle yet.
            self._arm_sleep_timer()
            return
        self.state.apply({"power_save": True})

    # --- middleware ----------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        path = request.path
        try:
            response = await self._route(request, handler, path)
        except web.HTTPException as exc:
            self._add_headers(request, exc)
            raise
        if not response.prepared:
            self._add_headers(request, response)
        return response

    async def _route(
        self, request: web.Request, handler: Handler, path: str
    ) -> web.StreamResponse:
        if path.startswith(CONTROL_PREFIX):
            return await handler(request)
        if self.https and not request.secure:
            location = f"https://{request.host}{request.path_qs}"
            raise web.HTTPMovedPermanently(location)
        drop = self.faults.get("drop_concurrent", path)
        limit = drop.params["limit"] if drop is not None else self.profile.max_in_flight
        if limit is not None and self._in_flight >= limit:
            return self._drop(request)
        self._in_flight += 1
        try:
            return await self._faulty(request, handler, path)
        finally:
            self._in_flight -= 1

    def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection without an answer, as overloaded firmware does."""
        if request.transport is not None:
            request.transport.abort()
        response = web.Response(status=503)
        response.force_close()
        return response

    async def _faulty(
        self, request: web.Request, handler: Handler, path: str
    ) -> web.StreamResponse:
        faults = self.faults
        auth = faults.get("auth", path)
        if auth is not None and not _authorized(request, auth):
            raise web.HTTPUnauthorized(
                headers={"WWW-Authenticate": 'Basic realm="HP Embedded Web Server"'}
            )
        wake = faults.get("slow_wake", path)
        if wake is not None and self.state.power_save and self._wake_pending:
            self._wake_pending = False
            await asyncio.sleep(wake.params["seconds"])
        if (delay := faults.take("delay", path)) is not None:
            await asyncio.sleep(delay.params["seconds"])
        if (error := faults.take("http_error", path)) is not None:
            status = error.params["status"]
            return web.Response(status=status, text=f"{status} simulated error")
        response = await handler(request)
        if not isinstance(response, web.Response):  # pragma: no cover - none yet
            return response
        body = response.body if isinstance(response.body, bytes) else b""
        if (wrong := faults.take("wrong_content_type", path)) is not None:
            response.content_type = wrong.params["content_type"]
        if faults.take("malformed", path) is not None:
            response.body = _corrupt(body, response.content_type)
        if (cut := faults.take("truncate", path)) is not None:
            return await self._truncate(request, response, cut)
        return response

    async def _truncate(
        self, request: web.Request, response: web.Response, fault: Fault
    ) -> web.StreamResponse:
        body = response.body if isinstance(response.body, bytes) else b""
        keep = int(len(body) * fault.params["fraction"])
        if fault.params["mode"] == "short":
            response.body = body[:keep]
            return response
        # Announce the full length, send part of it, hang up.
        stream = web.StreamResponse(status=response.status)
        stream.content_type = response.content_type
        stream.content_length = len(body)
        self._add_headers(request, stream)
        await stream.prepare(request)
        await stream.write(body[:keep])
        if request.transport is not None:
            request.transport.close()
        return stream

    def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        identity = self.profile.identity
        response.headers["Server"] = (
            f"HP HTTP Server; {identity.series} - {identity.product_number}; "
            f"Serial Number: {self.state.identity.serial}; Built: simulator"
        )
        if self.https and request.secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"

    # --- printer handlers ------------------------------------------------------------------

    async def _get_home(self, request: web.Request) -> web.Response:
        identity = self.profile.identity
        state = self.state
        rows = "".join(
            f"<tr><td>{html.escape(spec.marker_color or spec.color)}</td>"
            f"<td>{'' if state.level(spec) is None else state.level(spec)}</td></tr>"
            for spec in self.profile.supplies
            if spec.measured
        )
        status = ", ".join(c.message for c in state.conditions()) or ledm.base_category(
            state
        )
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(identity.model)}</title></head><body>"
            f"<h1>{html.escape(identity.model)}</h1>"
            f"<p id='status'>{html.escape(status)}</p>"
            f"<table id='supplies'>{rows}</table></body></html>"
        )
        return web.Response(text=page, content_type="text/html")

    async def _get_document_path(self, request: web.Request) -> web.Response:
        path = request.path
        if path not in self.store.http:
            raise web.HTTPNotFound(text="404 Not Found")
        renderer = None
        if not self.replay:
            renderer = (
                ledm.RENDERERS.get(path)
                or cdm.RENDERERS.get(path)
                or care.RENDERERS.get(path)
            )
        body = (
            renderer(self.state, self.store)
            if renderer is not None
            else self.store.http[path]
        )
        content_type = _content_type(path, body)
        response = web.Response(body=body, content_type=content_type)
        if content_type == "text/xml":
            response.headers["Cache-Control"] = "must-revalidate, max-age=0"
        return response

    def _care_routes(self) -> list[web.RouteDef]:
        """The automatic-update setting takes a PATCH where it is served."""
        if care.FIRMWARE_CONFIGURATION not in self.store.http:
            return []
        return [
            web.patch(care.FIRMWARE_CONFIGURATION, self._patch_firmware_configuration)
        ]

    async def _patch_firmware_configuration(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        return care.patch_firmware_configuration(self.state, body)

    async def _post_ipp(self, request: web.Request) -> web.Response:
        if not self.store.ipp:
            raise web.HTTPNotFound(text="404 Not Found")
        if self.replay:
            return await self._replay_ipp(request)
        return await self._ipp.handle(request)

    async def _replay_ipp(self, request: web.Request) -> web.Response:
        """Answer with the captured response of the same operation."""
        head = bytearray()
        while True:
            try:
                message, _offset = decode_ipp_header(bytes(head))
                break
            except IppTruncatedError:
                chunk = await request.content.read(65536)
                if not chunk:
                    raise web.HTTPBadRequest(text="truncated IPP request") from None
                head += chunk
            except HPEWSParseError as err:
                raise web.HTTPBadRequest(text=str(err)) from err
        async for _chunk in request.content.iter_chunked(65536):
            pass
        captured = self.store.ipp.get(ipp_operation_name(message.operation_id))
        if captured is None:
            answer = new_ipp_response(
                IppStatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED,
                message.request_id,
                version=message.version,
            ).encode()
        else:
            answer = captured[:4] + message.request_id.to_bytes(4) + captured[8:]
        return web.Response(body=answer, content_type="application/ipp")

    # --- control API ---------------------------------------------------------------------

    async def _json_body(self, request: web.Request) -> Any:
        try:
            return await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise _bad_request(f"body is not JSON: {err}") from err

    async def _get_state(self, request: web.Request) -> web.Response:
        return web.json_response(self._state_json())

    def _state_json(self) -> dict[str, Any]:
        if self.replay:
            return {"replay": str(self.store.source)}
        return self.state.to_json()

    async def _post_state(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        if not isinstance(body, dict):
            raise _bad_request("body must be a JSON object")
        try:
            return web.json_response(self.set_state(**body))
        except StateError as err:
            raise _bad_request(str(err)) from err

    async def _post_usage(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        if not isinstance(body, dict):
            raise _bad_request("body must be a JSON object")
        try:
            return web.json_response(self.run_usage(**body))
        except StateError as err:
            raise _bad_request(str(err)) from err

    async def _get_fault(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.to_json())

    async def _post_fault(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        try:
            fault = parse_fault(body)
        except StateError as err:
            raise _bad_request(str(err)) from err
        name = body.get("name") if fault is None else None
        if name is not None and not isinstance(name, str):
            raise _bad_request("name must be a fault name")
        await self._apply_fault(fault, name, keep=request.protocol)
        response = web.json_response(self.faults.to_json())
        if fault is not None and fault.name == "refuse_connections":
            # Answer, then hang up like every other connection.
            response.force_close()
        return response

    async def _get_jobs(self, request: web.Request) -> web.Response:
        return web.json_response([job.to_json() for job in self.jobs])

    async def _get_document(self, request: web.Request) -> web.StreamResponse:
        job = self.job_manager.jobs.get(int(request.match_info["job_id"]))
        if job is None or job.path is None:
            raise web.HTTPNotFound(text="no such job")
        return web.FileResponse(job.path)

    async def _post_power_cycle(self, request: web.Request) -> web.Response:
        try:
            await self.power_cycle()
        except StateError as err:
            raise _bad_request(str(err)) from err
        return web.json_response(self._state_json())

    async def _post_scan_button(self, request: web.Request) -> web.Response:
        body = await self._json_body(request)
        if not isinstance(body, dict):
            raise _bad_request("body must be a JSON object")
        known = {"destination", "shortcut", "source", "duplex", "pages"}
        if unknown := sorted(set(body) - known):
            raise _bad_request(f"unknown keys: {', '.join(unknown)}")
        destination = body.get("destination")
        shortcut = body.get("shortcut", "SavePDF")
        source = body.get("source", "auto")
        duplex = body.get("duplex", False)
        pages = body.get("pages", 1)
        if not isinstance(destination, str) or not isinstance(shortcut, str):
            raise _bad_request("destination and shortcut must be strings")
        if not isinstance(source, str) or not isinstance(duplex, bool):
            raise _bad_request("source must be a string, duplex true or false")
        if isinstance(pages, bool) or not isinstance(pages, int):
            raise _bad_request("pages must be an integer")
        if self.walkup is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "this printer has no walk-up scanning"}),
                content_type="application/json",
            )
        try:
            uri = self.walkup.press(
                destination, shortcut, source=source, duplex=duplex, pages=pages
            )
        except KeyError:
            raise web.HTTPNotFound(
                text=json.dumps({"error": f"no destination named {destination!r}"}),
                content_type="application/json",
            ) from None
        except ScanRefusedError as err:
            raise _status_error(err.status, str(err)) from None
        return web.json_response({"destination_uri": uri})

    async def _get_scan(self, request: web.Request) -> web.Response:
        if self.scanner is None:
            return web.json_response({"scanner": False})
        return web.json_response(
            {
                "scanner": True,
                "state": self.scanner.escl_state,
                "feeder_sheets": self.state.feeder_sheets,
                "jobs": [escl_job_summary(j) for j in self.scanner.jobs.values()],
                "walkup": None if self.walkup is None else self.walkup.to_json(),
                "event_etag": None if self.events is None else self.events.etag,
            }
        )

    async def _post_reset(self, request: web.Request) -> web.Response:
        await self.reset()
        return web.json_response(self._state_json())

    async def _get_info(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "profile": self.profile.name,
                "description": self.profile.description,
                "url": self.url,
                "ipp_url": self.ipp_url,
                "printer_uri": self.printer_uri,
                "raw_port": self.raw_port,
                "replay": str(self.store.source) if self.replay else None,
            }
        )


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"error": message}), content_type="application/json"
    )


def _status_error(status: int, message: str) -> web.HTTPException:
    """A JSON error with ``status`` (400 or 409)."""
    kind = web.HTTPConflict if status == 409 else web.HTTPBadRequest
    return kind(text=json.dumps({"error": message}), content_type="application/json")


def _authorized(request: web.Request, fault: Fault) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = (
            base64.b64decode(encoded, validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return False
    return (user, password) == (fault.params["username"], fault.params["password"])


class PrinterGroup:
    """Several simulated printers started and stopped together."""

    def __init__(self, printers: list[SimulatedPrinter]) -> None:
        """Manage ``printers``."""
        self.printers = printers

    async def start(self) -> None:
        """Start every printer (stopping the started ones if one fails)."""
        try:
            for printer in self.printers:
                await printer.start()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop every printer (all of them, even if one fails to stop)."""
        async with contextlib.AsyncExitStack() as stack:
            for printer in reversed(self.printers):
                stack.push_async_callback(printer.close)

    async def __aenter__(self) -> Self:
        """Start all."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop all."""
        await self.close()


def start_printers(
    profile: str | None = None,
    *,
    count: int = 1,
    port: int = 0,
    raw_port: int = 0,
    replay: str | Path | None = None,
    **options: Any,
) -> PrinterGroup:
    """``count`` printers on ports ``port``..``port+count-1`` (0: free ports).

    Use as ``async with start_printers("envy-4520", count=3) as group:``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    return PrinterGroup(
        [
            SimulatedPrinter(
                profile,
                replay=replay,
                port=port + index if port else 0,
                raw_port=raw_port + index if raw_port else 0,
                **options,
            )
            for index in range(count)
        ]
    )
