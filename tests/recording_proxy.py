"""A loopback HTTP front that records what a client sends to a printer.

Tests put it before a simulated printer to see, on the server side, every
request and its headers (the simulator keeps no such log): for instance that
no ``Authorization`` header ever reached an address. It forwards each
request unchanged, the ``Authorization`` header included, so the printer
behind it behaves as it would without the proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
import socket
from typing import TYPE_CHECKING, Self

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

if TYPE_CHECKING:
    from types import TracebackType

# Hop-by-hop and framing headers: aiohttp sets its own for each leg.
_SKIP = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "transfer-encoding",
        "content-encoding",
    }
)


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as it reached the proxy."""

    method: str
    path: str
    headers: dict[str, str]
    operation: int | None = None
    """For a POST: bytes 2-3 of the body, an IPP request's operation-id."""


class RecordingProxy:
    """Serve plain HTTP and forward to ``upstream``, recording each request.

    ``upstream`` is ``http://127.0.0.1:PORT`` or ``https://…`` (the simulator's
    self-signed certificate is not checked).
    """

    def __init__(self, upstream: str) -> None:
        """Prepare the proxy; ``async with`` starts it on a free loopback port."""
        self._upstream = upstream.rstrip("/")
        self.seen: list[Seen] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def authorizations(self) -> list[str]:
        """Every ``Authorization`` header that reached the proxy."""
        return [
            value
            for seen in self.seen
            for key, value in seen.headers.items()
            if key.lower() == "authorization"
        ]

    async def __aenter__(self) -> Self:
        """Listen on 127.0.0.1."""
        self._session = aiohttp.ClientSession(
            auto_decompress=False, connector=aiohttp.TCPConnector(ssl=False)
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
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
        self.seen.append(
            Seen(request.method, request.path, dict(request.headers), operation)
        )
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIP}
        async with self._session.request(
            request.method,
            self._upstream + request.path_qs,
            headers=headers,
            data=body,
            allow_redirects=False,
        ) as upstream:
            body = await upstream.read()
            return web.Response(
                status=upstream.status,
                body=body,
                headers=CIMultiDict(
                    (k, v)
                    for k, v in upstream.headers.items()
                    if k.lower() not in _SKIP
                ),
            )
