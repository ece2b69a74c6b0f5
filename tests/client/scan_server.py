"""A small eSCL scanner on 127.0.0.1 for the client's scan tests.

It serves a captured ScannerCapabilities (the ScanJet Pro 4500's: glass,
feeder, duplex) and real JPEG pages made with Pillow, and records every
request so tests can check what the client sent. Behaviour is set per test:
how many 503s before each page, a status to answer, a failure on a page,
a Location with another host.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import io
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image

FIXTURES = Path(__file__).parents[1] / "fixtures"
ESCL = FIXTURES / "escl"
CAPS = ESCL / "HP-ScanJet-Pro-4500-fn1__ScannerCapabilities.xml"
STATUS_LOADED = ESCL / "node-hp-scan-to__ScannerStatus_loaded.xml"
STATUS_EMPTY = ESCL / "node-hp-scan-to__ScannerStatus_empty.xml"


def jpeg(width: int, height: int, mode: str = "RGB") -> bytes:
    """A real JPEG of ``width`` x ``height`` pixels."""
    out = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode != "L" else 255).save(
        out, "JPEG", quality=50
    )
    return out.getvalue()


def status_document(state: str = "Idle", adf: str | None = "ScannerAdfLoaded") -> bytes:
    adf_element = f"<scan:AdfState>{adf}</scan:AdfState>" if adf else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"'
        ' xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">'
        f"<pwg:Version>2.62</pwg:Version><pwg:State>{state}</pwg:State>{adf_element}"
        "</scan:ScannerStatus>"
    ).encode()


@dataclass
class FakeScanner:
    """What the fake scanner does; tests change the fields."""

    pages: list[bytes] = field(default_factory=lambda: [jpeg(85, 110)] * 3)
    not_ready: int = 1
    """503 answers before each page."""
    status: bytes = field(default_factory=STATUS_LOADED.read_bytes)
    status_after: bytes | None = None
    """Status once the job has started (a jam mid-job), if different."""
    create_status: int = 201
    location_host: str | None = None
    """Send the job's Location with this host instead of ours."""
    fail_page: int | None = None
    """1-based page answered 500."""
    stall_page: int | None = None
    """1-based page that never comes (the request hangs)."""
    end_status: int = 404
    caps: bytes = field(default_factory=CAPS.read_bytes)
    requests: list[tuple[str, str]] = field(default_factory=list)
    settings: list[bytes] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    _served: int = 0
    _waits: int = 0
    _started: bool = False
    stalled: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self, root: str = "/eSCL") -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_get(f"{root}/ScannerCapabilities", self._caps)
        app.router.add_get(f"{root}/ScannerStatus", self._status)
        app.router.add_post(f"{root}/ScanJobs", self._create)
        app.router.add_get(f"{root}/ScanJobs/{{job}}/NextDocument", self._next)
        app.router.add_delete(f"{root}/ScanJobs/{{job}}", self._delete)
        return app

    @web.middleware
    async def _record(
        self, request: web.Request, handler: object
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs))
        return await handler(request)  # type: ignore[operator, no-any-return]

    async def _caps(self, request: web.Request) -> web.Response:
        return web.Response(body=self.caps, content_type="text/xml")

    async def _status(self, request: web.Request) -> web.Response:
        body = self.status
        if self._started and self.status_after is not None:
            body = self.status_after
        return web.Response(body=body, content_type="text/xml")

    async def _create(self, request: web.Request) -> web.Response:
        self.settings.append(await request.read())
        if self.create_status != 201:
            return web.Response(status=self.create_status)
        self._started = True
        self._served = self._waits = 0  # each job has the pages
        host = self.location_host or request.host
        root = request.path.rsplit("/", 1)[0]
        return web.Response(
            status=201, headers={"Location": f"http://{host}{root}/ScanJobs/job-1"}
        )

    async def _next(self, request: web.Request) -> web.Response:
        number = self._served + 1
        if self.stall_page == number:
            self.stalled.set()
            await asyncio.sleep(3600)
        if number > len(self.pages):
            return web.Response(status=self.end_status)
        if self._waits < self.not_ready:
            self._waits += 1
            return web.Response(status=503)
        self._waits = 0
        if self.fail_page == number:
            return web.Response(status=500)
        self._served += 1
        return web.Response(body=self.pages[number - 1], content_type="image/jpeg")

    async def _delete(self, request: web.Request) -> web.Response:
        self.deleted.append(request.match_info["job"])
        return web.Response(status=200)


async def start(scanner: FakeScanner, root: str = "/eSCL") -> TestServer:
    server = TestServer(scanner.app(root), host="127.0.0.1")
    await server.start_server()
    return server
