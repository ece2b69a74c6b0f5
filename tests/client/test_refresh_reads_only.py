"""Reading a printer never writes to it (docs/architecture.md §9).

Unauthenticated CDM and LEDM endpoints can reset, reboot or erase a printer,
so a probe, a full read and every kind of refresh may send only GETs, and to
the IPP service only Get-Printer-Attributes. This looks at what reaches each
simulated printer on the wire, through a recording proxy in front of it, while
the printer jams, runs low and recovers, so every refresh path runs.
"""

from __future__ import annotations

import socket
import ssl
from typing import TYPE_CHECKING, Final, Self

import aiohttp
from aiohttp import web
import pytest

from custom_components.hp_ews.client import HPPrinter, PrinterState
from simulator import PROFILES, SimulatedPrinter

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from types import TracebackType

    from custom_components.hp_ews.client import PrinterSnapshot

GET_PRINTER_ATTRIBUTES: Final = 0x000B
"""RFC 8011 operation-id, bytes 2-3 of an IPP request."""
_SKIP: Final = frozenset({"connection", "content-length", "host", "transfer-encoding"})


class WireRecorder:
    """A plain-HTTP loopback front that forwards to ``upstream`` and records
    each request's method, path and, for an IPP POST, its operation-id."""

    def __init__(self, upstream: str) -> None:
        """Forward to ``upstream`` (http or https with the simulator's own certificate)."""
        self.upstream = upstream.rstrip("/")
        self.seen: list[tuple[str, str, int | None]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        """Listen on 127.0.0.1."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self._session = aiohttp.ClientSession(
            auto_decompress=False, connector=aiohttp.TCPConnector(ssl=context)
        )
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        operation = int.from_bytes(body[2:4]) if request.method == "POST" else None
        self.seen.append((request.method, request.path, operation))
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIP}
        async with self._session.request(
            request.method,
            self.upstream + request.path_qs,
            headers=headers,
            data=body,
            allow_redirects=False,
        ) as upstream:
            return web.Response(
                status=upstream.status,
                body=await upstream.read(),
                headers={
                    k: v for k, v in upstream.headers.items() if k.lower() not in _SKIP
                },
            )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("profile", sorted(PROFILES))
async def test_reading_sends_only_reads(
    session: aiohttp.ClientSession, profile: str
) -> None:
    """Probe, full read and refreshes through a jam, a low supply and the
    recovery: only GETs, and Get-Printer-Attributes to the IPP path."""
    async with SimulatedPrinter(profile) as sim, WireRecorder(sim.base_url) as wire:
        printer = HPPrinter("127.0.0.1", session, port=wire.port, timeout=5)
        snapshot = await printer.snapshot()
        assert snapshot.status.state is not PrinterState.UNKNOWN

        async def refresh(
            previous: PrinterSnapshot, **changes: object
        ) -> PrinterSnapshot:
            sim.set_state(**changes)
            return await printer.snapshot(previous=previous, full=False)

        jammed = await refresh(snapshot, paper_jam=True)
        assert jammed.status.paper_jam
        low = await refresh(jammed, supplies={"K": 3})
        cleared = await refresh(low, paper_jam=False)
        assert not cleared.status.paper_jam
        await printer.snapshot(previous=cleared, full=True)

    writes = [
        (method, path, operation)
        for method, path, operation in wire.seen
        if method != "GET"
        and not (
            method == "POST"
            and path.startswith("/ipp/")
            and operation == GET_PRINTER_ATTRIBUTES
        )
    ]
    assert writes == []
    # Both kinds of request were seen, so the filter above had something to judge.
    methods = {method for method, _, _ in wire.seen}
    assert methods == {"GET", "POST"}
