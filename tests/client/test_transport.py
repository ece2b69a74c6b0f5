"""Transport policy: errors, 404, auth, redirects, size caps, TLS, concurrency.

aioresponses covers the fine-grained error paths; real aiohttp servers on
127.0.0.1 cover what only a real peer shows (concurrency measured in the
server, streaming caps, TLS with a self-signed certificate, Digest).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
import hashlib
import inspect
import os
from pathlib import Path
import ssl
from typing import Any
from unittest.mock import Mock
import warnings

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses, core as aioresponses_core
import pytest
from yarl import URL

from custom_components.hp_ews.client import transport as transport_module
from custom_components.hp_ews.client.errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSTimeoutError,
)
from custom_components.hp_ews.client.transport import (
    HttpTransport,
    WriteRefusedError,
    build_ssl_context,
    is_protected_path,
    origin_of,
    redact_url,
    ssl_context,
)
from simulator.tls import write_self_signed

FIXTURES = Path(__file__).parents[1] / "fixtures"

HOST = "printer.test"
BASE = f"http://{HOST}"


def aioresponses_compat() -> None:
    """Let aioresponses 0.7.9 build responses on aiohttp >= 3.14.

    aiohttp 3.14 made ``stream_writer`` a required ``ClientResponse`` argument
    that aioresponses does not pass (pnuckowski/aioresponses#289, fix pending
    in #288); aiohttp only reads its ``output_size``. A no-op on older aiohttp.
    """
    if "stream_writer" not in inspect.signature(aiohttp.ClientResponse).parameters:
        return
    if getattr(vars(aioresponses_core)["ClientResponse"], "_hp_ews_compat", False):
        return

    class CompatResponse(aiohttp.ClientResponse):
        _hp_ews_compat = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", Mock(output_size=0))
            super().__init__(*args, **kwargs)

    setattr(aioresponses_core, "ClientResponse", CompatResponse)  # noqa: B010


aioresponses_compat()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def make(
    session: aiohttp.ClientSession, host: str = HOST, **kwargs: Any
) -> HttpTransport:
    return HttpTransport(session, host, **kwargs)


def sent_headers(mocked: aioresponses, method: str, url: str) -> list[dict[str, str]]:
    calls = mocked.requests[(method, URL(url))]
    return [dict(call.kwargs.get("headers") or {}) for call in calls]


# --- aioresponses: status handling -------------------------------------------------


async def test_get_returns_body_and_counts(session: aiohttp.ClientSession) -> None:
    transport = make(session)
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/DevMgmt/ProductStatusDyn.xml",
            body=b"<x/>",
            content_type="text/xml",
            headers={"Server": "HP HTTP Server; HP X - Y; Serial Number: SN1"},
        )
        response = await transport.get(f"{BASE}/DevMgmt/ProductStatusDyn.xml")
    assert response is not None
    assert response.body == b"<x/>"
    assert response.status == 200
    assert response.content_type == "text/xml"
    assert response.server == "HP HTTP Server; HP X - Y; Serial Number: SN1"
    assert response.url == f"{BASE}/DevMgmt/ProductStatusDyn.xml"
    assert transport.request_count == 1
    assert transport.host == HOST
    assert transport.timeout == 10.0


@pytest.mark.parametrize("status", [400, 404, 410])
async def test_missing_document_is_none(
    session: aiohttp.ClientSession, status: int
) -> None:
    transport = make(session)
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/cdm/x", status=status)
        assert await transport.get(f"{BASE}/cdm/x") is None
    assert transport.request_count == 1


@pytest.mark.parametrize("status", [500, 503, 418])
async def test_other_statuses_are_connection_errors(
    session: aiohttp.ClientSession, status: int
) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/x", status=status)
        with pytest.raises(HPEWSConnectionError, match=str(status)):
            await make(session).get(f"{BASE}/x")


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_statuses_without_credentials(
    session: aiohttp.ClientSession, status: int
) -> None:
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/x", status=status, headers={"WWW-Authenticate": 'Basic realm="x"'}
        )
        with pytest.raises(HPEWSAuthenticationError):
            await make(session).get(f"{BASE}/x")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (TimeoutError(), HPEWSTimeoutError),
        (aiohttp.ServerTimeoutError("slow"), HPEWSTimeoutError),
        (aiohttp.ClientConnectionError("refused"), HPEWSConnectionError),
        (ConnectionResetError("reset"), HPEWSConnectionError),
        (ssl.SSLError("handshake failure"), HPEWSConnectionError),
        (aiohttp.ClientPayloadError("bad chunk"), HPEWSParseError),
        (ValueError("bad url"), HPEWSConnectionError),
    ],
)
async def test_errors_are_mapped(
    session: aiohttp.ClientSession, error: Exception, expected: type[Exception]
) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/x", exception=error)
        with pytest.raises(expected) as info:
            await make(session).get(f"{BASE}/x")
    assert info.value.__cause__ is error


async def test_size_cap_from_content_length(session: aiohttp.ClientSession) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/big", body=b"x" * 2000, headers={"Content-Length": "2000"})
        with pytest.raises(HPEWSParseError, match="announced 2000 bytes, cap is 1000"):
            await make(session).get(f"{BASE}/big", limit=1000)
        mocked.get(f"{BASE}/unannounced", body=b"x" * 2000)
        with pytest.raises(HPEWSParseError, match="more than 1000 bytes"):
            await make(session).get(f"{BASE}/unannounced", limit=1000)
        mocked.get(f"{BASE}/fits", body=b"x" * 1000)
        response = await make(session).get(f"{BASE}/fits", limit=1000)
    assert response is not None
    assert len(response.body) == 1000


async def test_redirect_to_https_same_host(session: aiohttp.ClientSession) -> None:
    transport = make(session)
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/cdm/servicesDiscovery",
            status=301,
            headers={"Location": f"https://{HOST}/cdm/servicesDiscovery"},
        )
        mocked.get(f"https://{HOST}/cdm/servicesDiscovery", body=b"{}")
        response = await transport.get(f"{BASE}/cdm/servicesDiscovery")
    assert response is not None
    assert response.url == f"https://{HOST}/cdm/servicesDiscovery"
    assert transport.request_count == 2


async def test_relative_redirect(session: aiohttp.ClientSession) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/a", status=302, headers={"Location": "/b"})
        mocked.get(f"{BASE}/b", body=b"here")
        response = await make(session).get(f"{BASE}/a")
    assert response is not None
    assert response.body == b"here"


@pytest.mark.parametrize(
    ("location", "match"),
    [
        ("https://elsewhere.test/x", "Refusing to talk to elsewhere.test"),
        ("ftp://printer.test/x", "Not an http"),
        ("http://[::1", "Bad redirect location"),
        (None, "without Location"),
    ],
)
async def test_bad_redirects_are_refused(
    session: aiohttp.ClientSession, location: str | None, match: str
) -> None:
    headers = {"Location": location} if location else {}
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/x", status=302, headers=headers)
        with pytest.raises(HPEWSConnectionError, match=match):
            await make(session).get(f"{BASE}/x")


async def test_https_to_http_redirect_refused(session: aiohttp.ClientSession) -> None:
    with aioresponses() as mocked:
        mocked.get(
            f"https://{HOST}/x", status=301, headers={"Location": f"http://{HOST}/x"}
        )
        with pytest.raises(HPEWSConnectionError, match="https to http"):
            await make(session).get(f"https://{HOST}/x")


async def test_redirect_loop_stops(session: aiohttp.ClientSession) -> None:
    transport = make(session)
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/x", status=302, headers={"Location": "/x"}, repeat=True)
        with pytest.raises(HPEWSConnectionError, match="Too many redirects"):
            await transport.get(f"{BASE}/x")
    assert transport.request_count == transport_module.MAX_REDIRECTS + 1


async def test_post_redirect_303_becomes_get(session: aiohttp.ClientSession) -> None:
    with aioresponses() as mocked:
        mocked.post(f"{BASE}/ipp/print", status=303, headers={"Location": "/ipp/other"})
        mocked.get(f"{BASE}/ipp/other", body=b"ipp")
        assert await make(session).post_ipp(f"{BASE}/ipp/print", b"req") == b"ipp"


async def test_streamed_body_is_not_resent_after_redirect(
    session: aiohttp.ClientSession,
) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"data"

    with aioresponses() as mocked:
        mocked.post(f"{BASE}/ipp/print", status=307, headers={"Location": "/ipp/p2"})
        with pytest.raises(HPEWSConnectionError, match="streamed body"):
            await make(session).post_ipp(f"{BASE}/ipp/print", body())


async def test_transport_is_bound_to_its_host(session: aiohttp.ClientSession) -> None:
    transport = make(session)
    with pytest.raises(HPEWSConnectionError, match="Refusing to talk"):
        await transport.get("http://other.test/x")
    with pytest.raises(HPEWSConnectionError, match="Not an http"):
        await transport.get(f"file://{HOST}/etc/passwd")
    assert transport.request_count == 0


# --- aioresponses: credentials --------------------------------------------------------


async def test_basic_auth_after_challenge_then_preemptive(
    session: aiohttp.ClientSession,
) -> None:
    transport = make(session, username="admin", password="s3cret")
    url = f"{BASE}/DevMgmt/ProductConfigDyn.xml"
    with aioresponses() as mocked, warnings.catch_warnings():
        # aiohttp 3.14 deprecates BasicAuth; the header is built without it.
        warnings.simplefilter("error", DeprecationWarning)
        mocked.get(url, status=401, headers={"WWW-Authenticate": 'Basic realm="HP"'})
        mocked.get(url, body=b"ok")
        mocked.get(url, body=b"again")
        assert (await transport.get(url)) is not None
        assert (await transport.get(url)) is not None
        headers = sent_headers(mocked, "GET", url)
    expected = "Basic " + base64.b64encode(b"admin:s3cret").decode()
    assert "Authorization" not in headers[0]
    assert headers[1]["Authorization"] == expected
    assert headers[2]["Authorization"] == expected
    assert transport.request_count == 3


async def test_wrong_basic_credentials(session: aiohttp.ClientSession) -> None:
    transport = make(session, username="admin", password="wrong")
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/x",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="HP"'},
            repeat=True,
        )
        with pytest.raises(HPEWSAuthenticationError) as info:
            await transport.get(f"{BASE}/x")
        with pytest.raises(HPEWSAuthenticationError):
            await transport.get(f"{BASE}/x")
    assert "wrong" not in str(info.value)
    # First request: challenge + one retry; second: preemptive Basic, refused.
    assert transport.request_count == 3


@pytest.mark.parametrize("headers", [{"WWW-Authenticate": 'Bearer realm="x"'}, {}])
async def test_unknown_auth_scheme_is_not_retried(
    session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    transport = make(session, username="admin", password="pw")
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/x", status=401, headers=headers)
        with pytest.raises(HPEWSAuthenticationError):
            await transport.get(f"{BASE}/x")
    assert transport.request_count == 1


def test_digest_matches_rfc_2617_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 2617 section 3.5: the Mufasa example, response 6629fae4...."""
    monkeypatch.setattr(os, "urandom", lambda n: bytes.fromhex("0a4f113b"))
    _, params = transport_module._parse_challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    state = transport_module._DigestState(params)
    header = state.header(
        "GET", URL("http://www.nowhere.org/dir/index.html"), "Mufasa", "Circle Of Life"
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert "nc=00000001" in header
    assert 'cnonce="0a4f113b"' in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header
    assert 'uri="/dir/index.html"' in header


def test_digest_without_qop_and_sha256_sess() -> None:
    """RFC 2069 form (no qop) and the SHA-256-sess variant, computed by hand."""
    state = transport_module._DigestState({"realm": "r", "nonce": "n"})
    header = state.header("GET", URL("http://h/p"), "u", "pw")
    ha1 = hashlib.md5(b"u:r:pw").hexdigest()
    ha2 = hashlib.md5(b"GET:/p").hexdigest()
    expected = hashlib.md5(f"{ha1}:n:{ha2}".encode()).hexdigest()
    assert f'response="{expected}"' in header
    assert "qop" not in header

    sess = transport_module._DigestState(
        {"realm": "r", "nonce": "n", "qop": "auth", "algorithm": "SHA-256-sess"}
    )
    header = sess.header("POST", URL("http://h/ipp/print?x=1"), "u", "pw")
    fields = dict(
        part.strip().split("=", 1) for part in header.removeprefix("Digest ").split(",")
    )
    cnonce = fields["cnonce"].strip('"')
    ha1 = hashlib.sha256(b"u:r:pw").hexdigest()
    ha1 = hashlib.sha256(f"{ha1}:n:{cnonce}".encode()).hexdigest()
    ha2 = hashlib.sha256(b"POST:/ipp/print?x=1").hexdigest()
    expected = hashlib.sha256(
        f"{ha1}:n:00000001:{cnonce}:auth:{ha2}".encode()
    ).hexdigest()
    assert fields["response"] == f'"{expected}"'


# --- write policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/cdm/power/v1/reboot",
        "/DevMgmt/InternalPrintDyn.xml",
        "/devmgmt/x",
        "/IoMgmt/Adapters",
    ],
)
async def test_writes_to_cdm_ledm_refused(
    session: aiohttp.ClientSession, path: str
) -> None:
    transport = make(session)
    with pytest.raises(WriteRefusedError, match="Not an IPP path"):
        await transport.post_ipp(f"{BASE}{path}", b"x")
    assert transport.request_count == 0


async def test_post_ipp_sends_ipp_content_type(session: aiohttp.ClientSession) -> None:
    with aioresponses() as mocked:
        mocked.post(f"{BASE}:631/ipp/print", body=b"\x02\x00\x00\x00")
        mocked.post(f"{BASE}:631/ipp/printer", status=405)
        transport = make(session)
        assert (
            await transport.post_ipp(f"{BASE}:631/ipp/print", b"req")
            == b"\x02\x00\x00\x00"
        )
        assert await transport.post_ipp(f"{BASE}:631/ipp/printer", b"req") is None
        headers = sent_headers(mocked, "POST", f"{BASE}:631/ipp/print")
    assert headers[0]["Content-Type"] == "application/ipp"


def test_helpers() -> None:
    assert is_protected_path("/CDM/anything")
    assert not is_protected_path("/ipp/print")
    assert redact_url("http://user:pw@h:8080/x?token=1") == "http://h:8080/x"
    assert redact_url(URL("https://h/p")) == "https://h/p"


# --- TLS contexts ----------------------------------------------------------------------


def test_ssl_contexts() -> None:
    relaxed = build_ssl_context(False)
    assert relaxed.verify_mode is ssl.CERT_NONE
    assert not relaxed.check_hostname
    assert relaxed.minimum_version in (
        ssl.TLSVersion.TLSv1,
        ssl.TLSVersion.MINIMUM_SUPPORTED,
    )
    strict = build_ssl_context(True)
    assert strict.verify_mode is ssl.CERT_REQUIRED
    assert strict.check_hostname


async def test_ssl_context_is_cached_and_built_off_loop() -> None:
    first = await ssl_context(False)
    assert await ssl_context(False) is first
    assert (await ssl_context(True)) is not first


# --- real servers on 127.0.0.1 ------------------------------------------------------------


@pytest.fixture(scope="module")
def cert_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    # The simulator's printer certificate: self-signed, for 127.0.0.1.
    return write_self_signed(tmp_path_factory.mktemp("tls"))


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def serve(
    routes: dict[str, Handler], tls: ssl.SSLContext | None = None
) -> TestServer:
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(ssl=tls)
    return server


@pytest.mark.usefixtures("socket_enabled")
async def test_never_more_than_two_in_flight(session: aiohttp.ClientSession) -> None:
    in_flight = 0
    peak = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.Response(body=b"ok")

    server = await serve({"/doc": slow})
    try:
        transport = make(session, "127.0.0.1")
        url = f"http://127.0.0.1:{server.port}/doc"
        results = await asyncio.gather(*(transport.get(url) for _ in range(8)))
    finally:
        await server.close()
    assert all(result is not None for result in results)
    assert peak == 2
    assert transport.request_count == 8


@pytest.mark.usefixtures("socket_enabled")
async def test_size_cap_enforced_while_streaming(
    session: aiohttp.ClientSession,
) -> None:
    """A chunked body without Content-Length is cut off as soon as it is too big."""
    sent = 0
    total_chunks = 1024  # 64 MiB if the client kept reading
    finished = False

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent, finished
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<" * 65536
        try:
            for _ in range(total_chunks):
                await response.write(chunk)
                sent += len(chunk)
            finished = True
        except (ConnectionResetError, RuntimeError, OSError):
            pass
        return response

    server = await serve({"/big": endless})
    try:
        transport = make(session, "127.0.0.1")
        with pytest.raises(HPEWSParseError, match="more than 1048576 bytes"):
            await transport.get(
                f"http://127.0.0.1:{server.port}/big", limit=1024 * 1024
            )
    finally:
        await server.close()
    assert not finished
    assert sent < total_chunks * 65536


@pytest.mark.usefixtures("socket_enabled")
async def test_timeout_on_a_real_server(session: aiohttp.ClientSession) -> None:
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=b"late")

    server = await serve({"/hang": hang})
    try:
        transport = make(session, "127.0.0.1", timeout=0.2)
        with pytest.raises(HPEWSTimeoutError):
            await transport.get(f"http://127.0.0.1:{server.port}/hang")
    finally:
        release.set()
        await server.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_refused_port(
    session: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    with pytest.raises(HPEWSConnectionError):
        await make(session, "127.0.0.1").get(f"http://127.0.0.1:{unused_tcp_port}/x")


def server_tls(cert_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert_files)
    return context


@pytest.mark.usefixtures("socket_enabled")
async def test_http_to_https_redirect_with_self_signed_cert(
    session: aiohttp.ClientSession, cert_files: tuple[Path, Path]
) -> None:
    async def secure(request: web.Request) -> web.Response:
        return web.json_response({"services": []})

    tls_server = await serve({"/cdm/servicesDiscovery": secure}, server_tls(cert_files))

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(
            f"https://127.0.0.1:{tls_server.port}/cdm/servicesDiscovery"
        )

    plain = await serve({"/cdm/servicesDiscovery": redirect})
    try:
        transport = make(session, "127.0.0.1")
        response = await transport.get(
            f"http://127.0.0.1:{plain.port}/cdm/servicesDiscovery"
        )
        assert response is not None
        assert (
            response.url == f"https://127.0.0.1:{tls_server.port}/cdm/servicesDiscovery"
        )
        assert response.body == b'{"services": []}'
        assert transport.request_count == 2

        verifying = make(session, "127.0.0.1", verify_ssl=True)
        with pytest.raises(HPEWSConnectionError, match=r"certificate|SSL|ssl"):
            await verifying.get(
                f"https://127.0.0.1:{tls_server.port}/cdm/servicesDiscovery"
            )
    finally:
        await plain.close()
        await tls_server.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_legacy_tls_printer(
    session: aiohttp.ClientSession, cert_files: tuple[Path, Path]
) -> None:
    """A server limited to TLS 1.1 (old HP firmware) is reachable, as the
    relaxed context allows; a default client context refuses it."""
    legacy = server_tls(cert_files)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            legacy.set_ciphers("DEFAULT:@SECLEVEL=0")
            legacy.minimum_version = ssl.TLSVersion.TLSv1_1
            legacy.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):  # pragma: no cover - OpenSSL without TLS 1.1
        pytest.skip("this OpenSSL cannot serve TLS 1.1")

    async def ok(request: web.Request) -> web.Response:
        return web.Response(body=b"legacy")

    server = await serve({"/x": ok}, legacy)
    try:
        url = f"https://127.0.0.1:{server.port}/x"
        default_client = ssl.create_default_context()
        default_client.check_hostname = False
        default_client.verify_mode = ssl.CERT_NONE
        with pytest.raises(aiohttp.ClientError):
            async with session.get(url, ssl=default_client) as resp:
                await resp.read()
        response = await make(session, "127.0.0.1").get(url)
    finally:
        await server.close()
    assert response is not None
    assert response.body == b"legacy"


@pytest.mark.usefixtures("socket_enabled")
async def test_digest_against_a_real_server(session: aiohttp.ClientSession) -> None:
    """The server checks the Digest response with its own computation."""
    realm, nonce = "HP EWS", "abc123"
    seen: list[str] = []

    def expected(auth: dict[str, str], method: str) -> str:
        ha1 = hashlib.md5(f"admin:{realm}:pw".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{auth['uri']}".encode()).hexdigest()
        return hashlib.md5(
            f"{ha1}:{nonce}:{auth['nc']}:{auth['cnonce']}:{auth['qop']}:{ha2}".encode()
        ).hexdigest()

    async def protected(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        seen.append(header.split(" ", 1)[0])
        if header.startswith("Digest "):
            auth = {
                key.strip(): value.strip().strip('"')
                for key, value in (part.split("=", 1) for part in header[7:].split(","))
            }
            if auth.get("response") == expected(auth, request.method):
                return web.Response(body=b"secret doc")
        return web.Response(
            status=401,
            headers={
                "WWW-Authenticate": f'Digest realm="{realm}", nonce="{nonce}", qop="auth"'
            },
        )

    server = await serve({"/DevMgmt/x.xml": protected})
    try:
        url = f"http://127.0.0.1:{server.port}/DevMgmt/x.xml"
        good = make(session, "127.0.0.1", username="admin", password="pw")
        first = await good.get(url)
        second = await good.get(url)
        bad = make(session, "127.0.0.1", username="admin", password="nope")
        with pytest.raises(HPEWSAuthenticationError):
            await bad.get(url)
    finally:
        await server.close()
    assert first is not None
    assert first.body == b"secret doc"
    assert second is not None
    assert good.request_count == 3  # challenge, answer, then preemptive Digest
    assert seen[:3] == ["", "Digest", "Digest"]


# --- streamed request bodies (printing) ------------------------------------------------

IPP_PATH = "/ipp/print"


def ipp_url(server: TestServer) -> str:
    return f"http://127.0.0.1:{server.port}{IPP_PATH}"


async def chunks(count: int, size: int, pause: float = 0.0) -> AsyncIterator[bytes]:
    for number in range(count):
        if pause:
            await asyncio.sleep(pause)
        yield bytes([number % 251]) * size


@pytest.mark.usefixtures("socket_enabled")
async def test_streamed_upload_longer_than_the_timeout(
    session: aiohttp.ClientSession,
) -> None:
    """The timeout bounds each step, not the whole upload: a source that
    takes its time (rendering pages, say) and a printer that reads slowly but
    steadily together outlast the timeout several times without tripping it."""
    received = hashlib.sha256()
    size = 0

    async def slow_reader(request: web.Request) -> web.Response:
        nonlocal size
        async for chunk in request.content.iter_chunked(64 * 1024):
            received.update(chunk)
            size += len(chunk)
            await asyncio.sleep(0.02)
        return web.Response(body=b"ipp answer", content_type="application/ipp")

    expected = hashlib.sha256()
    async for chunk in chunks(20, 64 * 1024):
        expected.update(chunk)

    server = await serve({IPP_PATH: slow_reader})
    try:
        transport = make(session, "127.0.0.1", timeout=0.25)
        loop = asyncio.get_running_loop()
        started = loop.time()
        answer = await transport.post_ipp(
            ipp_url(server), chunks(20, 64 * 1024, pause=0.03)
        )
        elapsed = loop.time() - started
    finally:
        await server.close()
    assert answer == b"ipp answer"
    assert elapsed > 2 * 0.25
    assert size == 20 * 64 * 1024
    assert received.digest() == expected.digest()
    assert transport.request_count == 1


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("stage", ["upload", "answer"])
async def test_stalled_streamed_upload_times_out(
    session: aiohttp.ClientSession, stage: str
) -> None:
    """A printer that stops reading, or never answers, is given up on after
    one timeout, however much was sent before."""
    release = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        if stage == "answer":
            await request.read()
        await release.wait()
        return web.Response(body=b"late")

    server = await serve({IPP_PATH: stall})
    try:
        transport = make(session, "127.0.0.1", timeout=0.3)
        # 64 MiB: far more than socket buffers hold, so the writes block.
        count = 1024 if stage == "upload" else 4
        with pytest.raises(HPEWSTimeoutError, match=r"stalled for 0\.3 s"):
            await transport.post_ipp(ipp_url(server), chunks(count, 64 * 1024))
    finally:
        release.set()
        await server.close()


class DocumentGoneError(HPEWSParseError):
    """Stands for a document source failing half way (unreadable, corrupt)."""


@pytest.mark.usefixtures("socket_enabled")
async def test_source_error_surfaces_as_itself(session: aiohttp.ClientSession) -> None:
    async def drain(request: web.Request) -> web.Response:
        with suppress(aiohttp.ClientError, ConnectionError):
            await request.read()
        return web.Response(body=b"ok")

    async def failing() -> AsyncIterator[bytes]:
        yield b"header"
        raise DocumentGoneError("page 2 cannot be rendered")

    server = await serve({IPP_PATH: drain})
    try:
        with pytest.raises(DocumentGoneError, match="page 2"):
            await make(session, "127.0.0.1").post_ipp(ipp_url(server), failing())
    finally:
        await server.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_challenge_to_a_streamed_body_is_not_answered_with_a_resend(
    session: aiohttp.ClientSession,
) -> None:
    """The spent stream is not sent again; the credentials are learnt, so the
    next request (Validate-Job, a retry with a fresh stream) carries them."""
    seen: list[tuple[str, int]] = []
    token = "Basic " + base64.b64encode(b"admin:pw").decode()

    async def protected(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((request.headers.get("Authorization", ""), len(body)))
        if request.headers.get("Authorization") != token:
            return web.Response(
                status=401, headers={"WWW-Authenticate": 'Basic realm="HP"'}
            )
        return web.Response(body=b"printed")

    server = await serve({IPP_PATH: protected})
    try:
        transport = make(session, "127.0.0.1", username="admin", password="pw")
        with pytest.raises(HPEWSAuthenticationError, match="cannot be sent twice"):
            await transport.post_ipp(ipp_url(server), chunks(4, 1000))
        assert await transport.post_ipp(ipp_url(server), b"small") == b"printed"
        assert await transport.post_ipp(ipp_url(server), chunks(4, 1000)) == (
            b"printed"
        )
        # Without credentials a challenge is the same error, as for any request.
        with pytest.raises(HPEWSAuthenticationError):
            await make(session, "127.0.0.1").post_ipp(ipp_url(server), chunks(1, 10))
    finally:
        await server.close()
    assert seen == [("", 4000), (token, 5), (token, 4000), ("", 10)]


@pytest.mark.usefixtures("socket_enabled")
async def test_streamed_uploads_share_the_in_flight_limit(
    session: aiohttp.ClientSession,
) -> None:
    in_flight = 0
    peak = 0

    async def counted(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await request.read()
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.Response(body=b"ok")

    server = await serve({IPP_PATH: counted, "/doc": counted})
    try:
        transport = make(session, "127.0.0.1")
        url = ipp_url(server)
        results = await asyncio.gather(
            *(transport.post_ipp(url, chunks(3, 1000)) for _ in range(3)),
            *(transport.get(f"http://127.0.0.1:{server.port}/doc") for _ in range(3)),
        )
    finally:
        await server.close()
    assert all(result is not None for result in results)
    assert peak == 2


async def test_step_deadline_ignores_a_writer_that_outlives_the_request() -> None:
    """aiohttp's writer task may pull a chunk after the request is over."""
    async with asyncio.timeout(10) as deadline:
        steps = transport_module._Steps(deadline, 0.01)
        steps.pause()
        assert deadline.when() is None
        steps.progress()
        assert deadline.when() is not None
        steps.close()
        steps.pause()
        assert deadline.when() is not None
        await asyncio.sleep(0)
    steps.progress()  # after the context: no error, nothing rescheduled


# --- the raw port (9100) -------------------------------------------------------------------


async def raw_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.usefixtures("socket_enabled")
async def test_raw_port_gets_the_document_and_an_end(
    session: aiohttp.ClientSession,
) -> None:
    received = asyncio.get_running_loop().create_future()

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        received.set_result(await reader.read())  # to EOF: the sender half-closed
        writer.close()

    server, port = await raw_server(handle)
    try:
        transport = make(session, "127.0.0.1")
        await transport.send_raw(chunks_of(b"%!PS\n", b"x" * 200_000), port=port)
        assert await asyncio.wait_for(received, 5) == b"%!PS\n" + b"x" * 200_000
    finally:
        server.close()
        await server.wait_closed()
    assert transport.request_count == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_raw_port_refused(
    session: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    with pytest.raises(HPEWSConnectionError, match="Cannot connect"):
        await make(session, "127.0.0.1").send_raw(
            chunks_of(b"data"), port=unused_tcp_port
        )


async def test_raw_port_that_does_not_answer(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(*_args: Any) -> Any:
        await asyncio.Event().wait()

    monkeypatch.setattr(asyncio, "open_connection", never)
    with pytest.raises(HPEWSConnectionError, match="did not answer"):
        await make(session, "127.0.0.1").send_raw(
            chunks_of(b"data"), port=9100, step_timeout=0.05
        )


@pytest.mark.usefixtures("socket_enabled")
async def test_raw_port_that_stops_reading(session: aiohttp.ClientSession) -> None:
    """A printer that stops reading is noticed per write, not per document."""
    release = asyncio.Event()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server, port = await raw_server(stall)
    endless = (b"x" * 1024 * 1024 for _ in range(1000))

    async def document() -> AsyncIterator[bytes]:
        for chunk in endless:
            yield chunk

    try:
        with pytest.raises(HPEWSConnectionError, match="stopped reading"):
            await make(session, "127.0.0.1").send_raw(
                document(), port=port, step_timeout=0.2
            )
    finally:
        release.set()
        server.close()
        await server.wait_closed()


@pytest.mark.usefixtures("socket_enabled")
async def test_raw_port_that_drops_the_connection(
    session: aiohttp.ClientSession,
) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()  # a reset, not an orderly close

    server, port = await raw_server(drop)

    async def document() -> AsyncIterator[bytes]:
        for _ in range(1000):
            await asyncio.sleep(0.001)
            yield b"x" * 65536

    try:
        with pytest.raises(HPEWSConnectionError, match="Sending to"):
            await make(session, "127.0.0.1").send_raw(document(), port=port)
    finally:
        server.close()
        await server.wait_closed()


# --- credentials stay with the origin that asked for them ---------------------------------

TOKEN = "Basic " + base64.b64encode(b"admin:pw").decode()


class Peer:
    """A loopback web server that notes the Authorization header of every request.

    A challenging peer answers 401 (Basic) unless it gets admin:pw; ``/moved``
    redirects to ``redirect_to`` once the request is authorized.
    """

    def __init__(self, *, challenge: bool) -> None:
        self.challenge = challenge
        self.seen: list[str | None] = []
        self.redirect_to = ""
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        self.seen.append(header)
        if self.challenge and header != TOKEN:
            return web.Response(
                status=401, headers={"WWW-Authenticate": 'Basic realm="HP"'}
            )
        if request.path == "/moved":
            raise web.HTTPFound(self.redirect_to)
        return web.Response(body=f"from {request.url.port}".encode())

    async def start(self, tls: ssl.SSLContext | None = None) -> Peer:
        self.server = await serve({"/{tail:.*}": self.handle}, tls)
        return self

    def url(self, path: str = "/doc") -> str:
        assert self.server is not None
        scheme = "https" if self.server.scheme == "https" else "http"
        return f"{scheme}://127.0.0.1:{self.server.port}{path}"

    async def close(self) -> None:
        assert self.server is not None
        await self.server.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_credentials_go_only_to_the_origin_that_challenged(
    session: aiohttp.ClientSession,
) -> None:
    """Two servers on two ports of one host: the one that asked gets the
    credentials, the other one never sees them unless it asks itself."""
    asking = await Peer(challenge=True).start()
    other = await Peer(challenge=False).start()
    try:
        transport = make(session, "127.0.0.1", username="admin", password="pw")
        assert (await transport.get(asking.url())) is not None
        assert (await transport.get(other.url())) is not None
        assert (await transport.get(other.url("/DevMgmt/x.xml"))) is not None
        assert (await transport.get(asking.url())) is not None
        assert asking.seen == [None, TOKEN, TOKEN]
        assert other.seen == [None, None]
        # Only its own challenge earns the other origin the credentials.
        other.challenge = True
        assert (await transport.get(other.url())) is not None
        assert other.seen == [None, None, None, TOKEN]
    finally:
        await asking.close()
        await other.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_credential_origins_bound_who_may_ask(
    session: aiohttp.ClientSession,
) -> None:
    """Another service of the host that challenges gets a refusal, not the
    credentials, when it is not one of the configured origins."""
    printer = await Peer(challenge=True).start()
    impostor = await Peer(challenge=True).start()
    try:
        transport = make(
            session,
            "127.0.0.1",
            username="admin",
            password="pw",
            credential_origins=[printer.url("/")],
        )
        assert (await transport.get(printer.url())) is not None
        with pytest.raises(HPEWSAuthenticationError):
            await transport.get(impostor.url())
        with pytest.raises(HPEWSAuthenticationError):
            await transport.post_ipp(impostor.url("/ipp/print"), b"request")
    finally:
        await printer.close()
        await impostor.close()
    assert printer.seen == [None, TOKEN]
    assert impostor.seen == [None, None]


@pytest.mark.usefixtures("socket_enabled")
async def test_redirect_to_another_origin_strips_credentials(
    session: aiohttp.ClientSession,
) -> None:
    """The authorized origin redirects to another port: the request there goes
    without the Authorization header; a challenge there, from an origin that
    may not have them, is a refusal."""
    printer = await Peer(challenge=True).start()
    elsewhere = await Peer(challenge=False).start()
    printer.redirect_to = elsewhere.url("/landing")
    try:
        transport = make(
            session,
            "127.0.0.1",
            username="admin",
            password="pw",
            credential_origins=[printer.url("/")],
        )
        response = await transport.get(printer.url("/moved"))
        assert response is not None
        assert response.url == elsewhere.url("/landing")
        again = await transport.get(printer.url("/moved"))
        assert again is not None
        assert printer.seen == [None, TOKEN, TOKEN]
        assert elsewhere.seen == [None, None]

        elsewhere.challenge = True
        with pytest.raises(HPEWSAuthenticationError):
            await transport.get(printer.url("/moved"))
        assert elsewhere.seen == [None, None, None]
    finally:
        await printer.close()
        await elsewhere.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_transport_without_credentials_answers_no_challenge(
    session: aiohttp.ClientSession,
) -> None:
    """The copy for anonymous reads has none, not even what the original learnt."""
    printer = await Peer(challenge=True).start()
    try:
        transport = make(session, "127.0.0.1", username="admin", password="pw")
        assert (await transport.get(printer.url())) is not None
        anonymous = transport.without_credentials()
        assert anonymous.host == "127.0.0.1"
        assert anonymous.timeout == transport.timeout
        with pytest.raises(HPEWSAuthenticationError):
            await anonymous.get(printer.url())
        with pytest.raises(HPEWSConnectionError, match="Refusing to talk"):
            await anonymous.get("http://192.0.2.1/doc")
    finally:
        await printer.close()
    assert printer.seen == [None, TOKEN, None]
    assert anonymous.request_count == 1


async def test_scheme_and_port_are_separate_origins(
    session: aiohttp.ClientSession,
) -> None:
    """Learnt on http://host:8080: the same port over TLS, and the host's other
    ports, are other origins and get no Authorization header."""
    transport = make(session, username="admin", password="pw")
    asking = f"http://{HOST}:8080/DevMgmt/x.xml"
    others = [
        f"https://{HOST}:8080/DevMgmt/x.xml",
        f"http://{HOST}/DevMgmt/x.xml",
        f"http://{HOST}:631/DevMgmt/x.xml",
        f"https://{HOST}/DevMgmt/x.xml",
    ]
    with aioresponses() as mocked:
        mocked.get(asking, status=401, headers={"WWW-Authenticate": 'Basic realm="x"'})
        mocked.get(asking, body=b"ok")
        for url in others:
            mocked.get(url, body=b"open")
        assert (await transport.get(asking)) is not None
        for url in others:
            assert (await transport.get(url)) is not None
        assert [
            h.get("Authorization") for h in sent_headers(mocked, "GET", asking)
        ] == [
            None,
            TOKEN,
        ]
        for url in others:
            assert "Authorization" not in sent_headers(mocked, "GET", url)[0], url


def test_origin_of() -> None:
    assert origin_of("http://Printer.Test/x") == ("http", "printer.test", 80)
    assert origin_of("https://printer.test/x") == ("https", "printer.test", 443)
    assert origin_of(URL("https://[fe80::1]:8443/")) == ("https", "fe80::1", 8443)
    assert str(origin_of("https://[fe80::1]:8443/")) == "https://[fe80::1]:8443"
    assert str(origin_of("http://printer.test")) == "http://printer.test:80"
    with pytest.raises(ValueError, match="Not an http"):
        origin_of("ipp://printer.test/ipp/print")
    with pytest.raises(ValueError, match="Not an http"):
        HttpTransport(Mock(), HOST, credential_origins=["printer.test"])
