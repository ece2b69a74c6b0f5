"""``HttpTransport.exchange``: the requests whose status carries meaning.

Real aiohttp servers on 127.0.0.1 play the parts of eSCL and the LEDM event
table; the expected behaviour comes from the protocols (eSCL: 201 +
Location, 503 not yet, 404 no more pages; LEDM: 304 Not Modified).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.hp_ews.client import (
    Capture,
    CaptureTransport,
    HPEWSAuthenticationError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HttpTransport,
    WriteRefusedError,
)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# What each test server received: method, path and query, headers, body.
SEEN: dict[TestServer, list[tuple[str, str, dict[str, str], bytes]]] = {}

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def serve(routes: dict[str, Handler]) -> TestServer:
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    async def record(request: web.Request) -> None:
        seen.append(
            (
                request.method,
                request.path_qs,
                dict(request.headers),
                await request.read(),
            )
        )

    async def scan_jobs(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(
            status=201, headers={"Location": "http://wrong.host/eSCL/ScanJobs/abc"}
        )

    async def next_document(request: web.Request) -> web.StreamResponse:
        await record(request)
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"\xff" * 100_000)
        return response

    async def busy(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(status=409, body=b"x" * 200_000)

    async def event_table(request: web.Request) -> web.Response:
        await record(request)
        if request.headers.get("If-None-Match") == '"7"':
            return web.Response(status=304)
        return web.Response(body=b"<ev:EventTable/>", headers={"ETag": '"7"'})

    async def locked(request: web.Request) -> web.Response:
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="x"'})

    server = await serve(
        {
            "/eSCL/ScanJobs": scan_jobs,
            "/eSCL/ScanJobs/abc/NextDocument": next_document,
            "/eSCL/ScanJobs/busy": busy,
            "/EventMgmt/EventTable": event_table,
            "/locked/ScanJobs": locked,
        }
    )
    SEEN[server] = seen
    yield server
    await server.close()


def url(server: TestServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def test_post_returns_201_with_location(
    session: aiohttp.ClientSession, server: TestServer
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    answer = await transport.exchange(
        "post",
        url(server, "/eSCL/ScanJobs"),
        body=b"<scan:ScanSettings/>",
        content_type="text/xml",
        headers={"Accept": "*/*"},
    )
    assert answer.status == 201
    assert answer.header("location") == "http://wrong.host/eSCL/ScanJobs/abc"
    method, path, headers, body = SEEN[server][0]
    assert (method, path, body) == ("POST", "/eSCL/ScanJobs", b"<scan:ScanSettings/>")
    assert headers["Content-Type"] == "text/xml"
    assert headers["Accept"] == "*/*"


async def test_non_2xx_is_an_answer_with_a_capped_body(
    session: aiohttp.ClientSession, server: TestServer
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    answer = await transport.exchange("GET", url(server, "/eSCL/ScanJobs/busy"))
    assert answer.status == 409
    # The explanation is kept, but no more than ERROR_BODY_BYTES (64 KiB) of it.
    assert answer.body == b"x" * 65536
    missing = await transport.exchange("GET", url(server, "/nothing"))
    assert missing.status == 404


async def test_sink_receives_the_body_in_chunks(
    session: aiohttp.ClientSession, server: TestServer
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    chunks: list[int] = []

    async def sink(chunk: bytes) -> None:
        chunks.append(len(chunk))

    answer = await transport.exchange(
        "GET", url(server, "/eSCL/ScanJobs/abc/NextDocument"), sink=sink
    )
    assert answer.status == 200
    assert answer.body == b""
    assert sum(chunks) == 1_000_000
    assert len(chunks) > 1  # streamed, not buffered whole
    with pytest.raises(HPEWSParseError, match="more than 500000 bytes"):
        await transport.exchange(
            "GET",
            url(server, "/eSCL/ScanJobs/abc/NextDocument"),
            sink=sink,
            limit=500_000,
        )


async def test_conditional_get_answers_304(
    session: aiohttp.ClientSession, server: TestServer
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    first = await transport.exchange("GET", url(server, "/EventMgmt/EventTable"))
    assert first.header("ETag") == '"7"'
    again = await transport.exchange(
        "GET",
        url(server, "/EventMgmt/EventTable?timeout=1200"),
        headers={"If-None-Match": first.header("etag") or ""},
        long_poll=True,
    )
    assert again.status == 304
    assert SEEN[server][-1][1] == "/EventMgmt/EventTable?timeout=1200"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/DevMgmt/ProductConfigDyn.xml"),
        ("PUT", "/cdm/system/v1/identity"),
        ("DELETE", "/eSCL/ScannerCapabilities"),
        ("PUT", "/eSCL/ScanJobs"),
        ("POST", "/eSCL/ScanJobs/abc"),
        ("DELETE", "/WalkupScanToComp/WalkupScanToCompCaps"),
        ("POST", "/Jobs/JobList/1"),
        ("PATCH", "/Scan/Jobs"),
        # eSCL walk-up is not supported, so its subscriptions are not writable.
        ("POST", "/eSCL/WalkupSubscriptions"),
    ],
)
async def test_writes_go_only_to_writable_paths(
    session: aiohttp.ClientSession, method: str, path: str
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    with pytest.raises(WriteRefusedError, match=f"Refusing {method}"):
        await transport.exchange(method, f"http://127.0.0.1:9{path}")
    assert transport.request_count == 0


async def test_auth_statuses_still_raise(
    session: aiohttp.ClientSession, server: TestServer
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    with pytest.raises(HPEWSAuthenticationError):
        await transport.exchange("POST", url(server, "/locked/ScanJobs"), body=b"x")


async def test_long_poll_has_its_own_slot(session: aiohttp.ClientSession) -> None:
    """A waiting long poll leaves both regular slots to other requests."""
    release = asyncio.Event()

    async def hold(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(status=304)

    async def quick(request: web.Request) -> web.Response:
        return web.Response(body=b"ok")

    server = await serve({"/EventMgmt/EventTable": hold, "/doc": quick})
    try:
        transport = HttpTransport(session, "127.0.0.1", timeout=2)
        poll = asyncio.create_task(
            transport.exchange(
                "GET",
                url(server, "/EventMgmt/EventTable?timeout=50"),
                long_poll=True,
                request_timeout=30,
            )
        )
        await asyncio.sleep(0.05)
        # Three regular requests while the poll waits: none waits for it.
        async with asyncio.timeout(5):
            answers = await asyncio.gather(
                *(transport.get(url(server, "/doc")) for _ in range(3))
            )
        assert [answer.body for answer in answers if answer] == [b"ok"] * 3
        assert not poll.done()
        release.set()
        assert (await poll).status == 304
    finally:
        release.set()
        await server.close()


async def test_request_timeout_replaces_the_default(
    session: aiohttp.ClientSession,
) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.Response(body=b"late")

    server = await serve({"/slow": slow})
    try:
        transport = HttpTransport(session, "127.0.0.1", timeout=0.1)
        answer = await transport.exchange(
            "GET", url(server, "/slow"), request_timeout=5
        )
        assert answer.body == b"late"
        with pytest.raises(HPEWSTimeoutError, match=r"0\.1 s"):
            await transport.exchange("GET", url(server, "/slow"))
    finally:
        await server.close()


async def test_capture_replay_reads_and_refuses_writes() -> None:
    capture = Capture(http={"/eSCL/ScannerStatus": b"<scan:ScannerStatus/>"})
    transport = CaptureTransport(capture)
    answer = await transport.exchange("GET", "http://x/eSCL/ScannerStatus")
    assert (answer.status, answer.body) == (200, b"<scan:ScannerStatus/>")
    assert (await transport.exchange("GET", "http://x/nothing")).status == 404
    received: list[bytes] = []

    async def sink(chunk: bytes) -> None:
        received.append(chunk)

    streamed = await transport.exchange("GET", "http://x/eSCL/ScannerStatus", sink=sink)
    assert (streamed.body, received) == (b"", [b"<scan:ScannerStatus/>"])
    with pytest.raises(WriteRefusedError):
        await transport.exchange("POST", "http://x/eSCL/ScanJobs", body=b"x")
