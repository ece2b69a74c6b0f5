"""probe(): order of attempts, ports, schemes, outcomes and the time budget."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from aioresponses import CallbackResult, aioresponses
import pytest

from custom_components.hp_ews.client.errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
)
from custom_components.hp_ews.client.ipp import codec
from custom_components.hp_ews.client.ipp.codec import IppGroupTag, IppValueTag
from custom_components.hp_ews.client.models import PrinterProtocol
from custom_components.hp_ews.client.printer import HPPrinter
from custom_components.hp_ews.client.probe import Prober, ipp_maker, origin
from custom_components.hp_ews.client.transport import HttpTransport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from yarl import URL

from .budget import PROBE, within
from .test_transport import aioresponses_compat

aioresponses_compat()

FIXTURES = Path(__file__).parents[1] / "fixtures"
HOST = "printer.test"
PORTS = {"http": 80, "https": 443}
M476DN = (
    FIXTURES / "ipp" / "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp"
).read_bytes()
M127FW = (
    FIXTURES / "ipp" / "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp"
).read_bytes()
TREE = (
    FIXTURES / "ledm" / "node-hp-scan-to_eSCL-device__DiscoveryTree.xml"
).read_bytes()
# The shape servicesDiscovery has on the Smart Tank 580 (docs/protocols.md §5.2).
SERVICES = json.dumps(
    {
        "services": [
            {
                "serviceGun": "com.hp.cdm.service.system.version.1",
                "links": [
                    {"rel": "identity", "href": "/cdm/system/v1/identity"},
                    {"rel": "status", "href": "/cdm/system/v1/status"},
                ],
            },
            {
                "serviceGun": "com.hp.cdm.service.print.version.2",
                "links": [{"rel": "status", "href": "/cdm/print/v2/status"}],
            },
        ]
    }
).encode()


def ipp_response(make_and_model: str | None, device_id: str | None) -> bytes:
    message = codec.new_ipp_response(0, 1)
    printer = message.add_group(IppGroupTag.PRINTER)
    if make_and_model is not None:
        printer.set("printer-make-and-model", IppValueTag.TEXT, make_and_model)
    if device_id is not None:
        printer.set("printer-device-id", IppValueTag.TEXT, device_id)
    printer.set("printer-state", IppValueTag.ENUM, 3)
    printer.set("printer-state-reasons", IppValueTag.KEYWORD, "none")
    printer.set("operations-supported", IppValueTag.ENUM, 0x0002, 0x000B)
    return message.encode()


BROTHER = ipp_response(
    "Brother HL-L2350DW series", "MFG:Brother;MDL:HL-L2350DW series;"
)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def requested(mocked: aioresponses) -> list[str]:
    return [f"{method} {url}" for method, url in mocked.requests]


async def test_cdm_and_ipp(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", body=SERVICES)
        mocked.post(f"http://{HOST}:631/ipp/print", body=M476DN)
        with within(printer, PROBE[PrinterProtocol.CDM]):
            profile = await printer.probe()
    assert profile.protocols == (PrinterProtocol.CDM, PrinterProtocol.IPP)
    assert profile.base_url == f"http://{HOST}:80"
    assert profile.cdm_resources == (
        "/cdm/system/v1/identity",
        "/cdm/system/v1/status",
        "/cdm/print/v2/status",
    )
    assert profile.ledm_resources == ()


async def test_cdm_redirected_to_https(session: aiohttp.ClientSession) -> None:
    """HP Dune firmware answers http with 301 to https; the profile keeps https."""
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        mocked.get(
            f"http://{HOST}:80/cdm/servicesDiscovery",
            status=301,
            headers={"Location": f"https://{HOST}:443/cdm/servicesDiscovery"},
        )
        mocked.get(f"https://{HOST}:443/cdm/servicesDiscovery", body=SERVICES)
        mocked.post(f"http://{HOST}:631/ipp/print", status=404)
        mocked.post(f"http://{HOST}:631/ipp/printer", status=404)
        mocked.post(f"https://{HOST}:443/ipp/print", body=M476DN)
        profile = await printer.probe()
    assert profile.base_url == f"https://{HOST}:443"
    assert profile.ipp_url == f"https://{HOST}:443/ipp/print"


async def test_ledm_when_cdm_is_missing(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", body=TREE)
        profile = await printer.probe()
    assert profile.protocols == (PrinterProtocol.LEDM,)
    assert "/DevMgmt/ProductConfigDyn.xml" in profile.ledm_resources
    assert profile.ipp_url is None


async def test_not_json_and_not_xml_are_not_protocols(
    session: aiohttp.ClientSession,
) -> None:
    """An EWS answering HTML with 200 for everything is not CDM or LEDM."""
    printer = HPPrinter(HOST, session, scheme="http")
    html = b"<html><body>Embedded Web Server</body></html>"
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", body=html)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", body=html)
        mocked.post(f"http://{HOST}:631/ipp/print", body=html)
        mocked.post(f"http://{HOST}:631/ipp/printer", body=M127FW)
        profile = await printer.probe()
    assert profile.protocols == (PrinterProtocol.IPP,)
    assert profile.ipp_url == f"http://{HOST}:631/ipp/printer"
    assert profile.base_url == f"http://{HOST}:80"


async def test_explicit_port_first_for_every_protocol(
    session: aiohttp.ClientSession,
) -> None:
    printer = HPPrinter(HOST, session, port=8080)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:8080/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:8080/DevMgmt/DiscoveryTree.xml", body=TREE)
        mocked.post(f"http://{HOST}:8080/ipp/print", body=M476DN)
        profile = await printer.probe()
        calls = requested(mocked)
    assert profile.base_url == f"http://{HOST}:8080"
    assert profile.ipp_url == f"http://{HOST}:8080/ipp/print"
    assert sorted(calls) == sorted(
        [
            f"GET http://{HOST}:8080/cdm/servicesDiscovery",
            f"GET http://{HOST}:8080/DevMgmt/DiscoveryTree.xml",
            f"POST http://{HOST}:8080/ipp/print",
        ]
    )


async def test_fallback_order_and_dead_endpoints(
    session: aiohttp.ClientSession,
) -> None:
    """Explicit port 8080 refuses: nothing else is asked there; then 80/443 and
    631/443 follow, and a refused endpoint is not asked again."""
    printer = HPPrinter(HOST, session, port=8080)
    with aioresponses() as mocked:
        # Unregistered URLs raise ClientConnectionError (= refused).
        mocked.get(f"https://{HOST}:443/cdm/servicesDiscovery", status=404)
        mocked.get(f"https://{HOST}:443/DevMgmt/DiscoveryTree.xml", body=TREE)
        mocked.post(f"https://{HOST}:443/ipp/print", body=M476DN)
        profile = await printer.probe()
        calls = requested(mocked)
    assert profile.base_url == f"https://{HOST}:443"
    assert profile.ipp_url == f"https://{HOST}:443/ipp/print"
    ews = [c for c in calls if c.startswith("GET")]
    ipp = [c for c in calls if c.startswith("POST")]
    order = [
        f"GET http://{HOST}:8080/cdm/servicesDiscovery",
        f"GET https://{HOST}:8080/cdm/servicesDiscovery",
        f"GET http://{HOST}/cdm/servicesDiscovery",
        f"GET https://{HOST}/cdm/servicesDiscovery",
        f"GET https://{HOST}/DevMgmt/DiscoveryTree.xml",
    ]
    # In this order; an endpoint the IPP side already found dead is skipped,
    # and LEDM is never asked on an endpoint that refused.
    assert ews == [c for c in order if c in ews]
    assert ews[-3:] == order[-3:]
    # 8080 was found dead by one side or the other; never /ipp/printer there.
    assert f"POST http://{HOST}:8080/ipp/printer" not in ipp
    assert f"POST http://{HOST}:631/ipp/printer" not in ipp
    assert ipp[-1] == f"POST https://{HOST}/ipp/print"


async def test_scheme_limits_the_web_server_endpoints(
    session: aiohttp.ClientSession,
) -> None:
    prober = Prober(HttpTransport(session, HOST), HOST, port=8443, scheme="https")
    assert prober.ews_endpoints() == [("https", 8443), ("https", 443)]
    # HTTPS asked for: IPP over TLS only, on 443 where HP serves ipps, then 631.
    assert prober.ipp_endpoints() == [("https", 8443), ("https", 443), ("https", 631)]
    default = Prober(HttpTransport(session, HOST), HOST)
    assert default.ews_endpoints() == [("http", 80), ("https", 443)]
    assert default.ipp_endpoints() == [("http", 631), ("https", 443)]


async def test_not_an_hp_printer(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", status=404)
        mocked.post(f"http://{HOST}:631/ipp/print", body=BROTHER)
        with pytest.raises(HPEWSUnsupportedError, match="Brother HL-L2350DW"):
            await printer.probe()


async def test_nothing_answers(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses(), pytest.raises(HPEWSConnectionError) as info:
        await printer.probe()
    assert not isinstance(info.value, HPEWSTimeoutError)
    # One attempt per endpoint (http:80, https:443, http:631); https:443 may be
    # tried by both sides when neither has seen it refuse yet.
    assert printer.request_count in (3, 4)


async def test_everything_times_out(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        for url in (
            f"http://{HOST}:80/cdm/servicesDiscovery",
            f"https://{HOST}:443/cdm/servicesDiscovery",
        ):
            mocked.get(url, exception=TimeoutError())
        for url in (f"http://{HOST}:631/ipp/print", f"https://{HOST}:443/ipp/print"):
            mocked.post(url, exception=TimeoutError())
        with pytest.raises(HPEWSTimeoutError):
            await printer.probe()


async def test_everything_missing(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        for scheme in ("http", "https"):
            mocked.get(
                f"{scheme}://{HOST}:{PORTS[scheme]}/cdm/servicesDiscovery", status=404
            )
            mocked.get(
                f"{scheme}://{HOST}:{PORTS[scheme]}/DevMgmt/DiscoveryTree.xml",
                status=404,
            )
        for url in (f"http://{HOST}:631", f"https://{HOST}:443"):
            mocked.post(f"{url}/ipp/print", status=404)
            mocked.post(f"{url}/ipp/printer", status=404)
        with pytest.raises(HPEWSUnsupportedError, match="neither CDM, LEDM nor IPP"):
            await printer.probe()
    assert printer.request_count == 8


async def test_authentication_required(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session, scheme="http")
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=401)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", status=401)
        mocked.post(f"http://{HOST}:631/ipp/print", status=401)
        with pytest.raises(HPEWSAuthenticationError):
            await printer.probe()


async def test_ipp_error_status_tries_the_older_path(
    session: aiohttp.ClientSession,
) -> None:
    not_found = codec.new_ipp_response(codec.IppStatusCode.CLIENT_ERROR_NOT_FOUND, 1)
    printer = HPPrinter(HOST, session, scheme="http")
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", status=404)
        mocked.post(f"http://{HOST}:631/ipp/print", body=not_found.encode())
        mocked.post(f"http://{HOST}:631/ipp/printer", body=M127FW)
        profile = await printer.probe()
    assert profile.ipp_url == f"http://{HOST}:631/ipp/printer"


async def test_other_library_errors_count_as_answers(
    session: aiohttp.ClientSession,
) -> None:
    """A document over the size cap is an answer, just not a usable one."""
    printer = HPPrinter(HOST, session, scheme="http")
    with aioresponses() as mocked:
        mocked.get(
            f"http://{HOST}:80/cdm/servicesDiscovery",
            body=b"{}",
            headers={"Content-Length": str(10**9)},
        )
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", status=404)
        with pytest.raises(HPEWSUnsupportedError):
            await printer.probe()


async def test_budget_bounds_the_probe(session: aiohttp.ClientSession) -> None:
    """LEDM answers at once, IPP hangs: the profile comes back at the budget."""

    async def hang(url: URL, **kwargs: Any) -> CallbackResult:
        await asyncio.sleep(30)
        return CallbackResult(status=500)  # pragma: no cover

    transport = HttpTransport(session, HOST, timeout=30)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", body=TREE)
        mocked.post(f"http://{HOST}:631/ipp/print", callback=hang)
        started = time.monotonic()
        profile = await Prober(transport, HOST, budget=0.3).run()
        assert time.monotonic() - started < 5
    assert profile.protocols == (PrinterProtocol.LEDM,)

    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", callback=hang)
        mocked.post(f"http://{HOST}:631/ipp/print", callback=hang)
        with pytest.raises(HPEWSTimeoutError):
            await Prober(transport, HOST, budget=0.2).run()


async def test_unexpected_errors_propagate(session: aiohttp.ClientSession) -> None:
    class Broken(HttpTransport):
        async def get(self, url: str, *, limit: int = 0) -> Any:
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        await Prober(Broken(session, HOST), HOST).run()


def test_ipp_maker() -> None:
    assert ipp_maker(M476DN) == (True, None)  # MFG:Hewlett-Packard
    assert ipp_maker(BROTHER) == (False, "Brother HL-L2350DW series")
    # No device id: the make and model decides.
    assert ipp_maker(ipp_response("HP LaserJet Test", None)) == (True, None)
    assert ipp_maker(ipp_response("Canon iR-ADV C5535", None)) == (
        False,
        "Canon iR-ADV C5535",
    )
    assert ipp_maker(ipp_response(None, "MFG:HP;MDL:Test;")) == (True, None)
    assert ipp_maker(ipp_response(None, None)) == (False, None)
    # Blank text names no maker; it used to crash the probe (IndexError).
    assert ipp_maker(ipp_response("   ", None)) == (False, "   ")
    assert ipp_maker(ipp_response("   ", "MDL:Test;")) == (False, "   ")
    # Values arrive as textWithLanguage or (from odd firmware) octetString.
    message = codec.new_ipp_response(0, 1)
    group = message.add_group(IppGroupTag.PRINTER)
    group.set(
        "printer-make-and-model",
        IppValueTag.TEXT_WITH_LANGUAGE,
        codec.IppTextWithLanguage("Hewlett-Packard LaserJet", "en"),
    )
    assert ipp_maker(message.encode()) == (True, None)
    group.set("printer-device-id", IppValueTag.OCTET_STRING, b"MFG:Epson;MDL:ET-2850;")
    assert ipp_maker(message.encode()) == (False, "Hewlett-Packard LaserJet")


async def test_non_hp_without_names(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session, scheme="http")
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", status=404)
        mocked.post(f"http://{HOST}:631/ipp/print", body=ipp_response(None, None))
        with pytest.raises(HPEWSUnsupportedError, match="unknown make"):
            await printer.probe()


def test_origin() -> None:
    assert origin("http", "192.0.2.1", 80) == "http://192.0.2.1:80"
    assert origin("https", "fe80::1", 443) == "https://[fe80::1]:443"
    assert origin("https", "[fe80::1]", 443) == "https://[fe80::1]:443"


def challenge_everything(mocked: aioresponses, base: str) -> None:
    """Make every probe path of a plain-HTTP origin ask for credentials."""
    for path in ("/cdm/servicesDiscovery", "/DevMgmt/DiscoveryTree.xml"):
        mocked.get(
            base + path,
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="HP"'},
            repeat=True,
        )
    for path in ("/ipp/print", "/ipp/printer"):
        mocked.post(
            base + path,
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="HP"'},
            repeat=True,
        )


async def test_https_probe_never_goes_in_the_clear(
    session: aiohttp.ClientSession,
) -> None:
    """HTTPS ticked, with credentials: the plain-HTTP ports (80, 631, the
    explicit one) all ask for credentials, and are never even asked; IPP is
    found over TLS on 631 when 443 has none."""
    printer = HPPrinter(
        HOST, session, port=8443, scheme="https", username="admin", password="pw"
    )
    with aioresponses() as mocked:
        for base in (f"http://{HOST}:80", f"http://{HOST}:631", f"http://{HOST}:8443"):
            challenge_everything(mocked, base)
        mocked.get(f"https://{HOST}:8443/cdm/servicesDiscovery", body=SERVICES)
        for path in ("/ipp/print", "/ipp/printer"):
            for port in (8443, 443):
                mocked.post(f"https://{HOST}:{port}{path}", status=404)
        mocked.post(f"https://{HOST}:631/ipp/print", body=M476DN)
        profile = await printer.probe()
        calls = requested(mocked)
        headers = [
            call.kwargs.get("headers") or {}
            for calls_of_url in mocked.requests.values()
            for call in calls_of_url
        ]
    assert profile.base_url == f"https://{HOST}:8443"
    assert profile.ipp_url == f"https://{HOST}:631/ipp/print"
    assert all(" https://" in call for call in calls), calls
    assert all("Authorization" not in each for each in headers)


async def test_ipps_only_printer_keeps_a_tls_web_address(
    session: aiohttp.ClientSession,
) -> None:
    """IPP over TLS on 631 and no CDM/LEDM: with HTTPS ticked the web page
    for humans is https on 443, not http on 80."""
    printer = HPPrinter(HOST, session, scheme="https")
    with aioresponses() as mocked:
        mocked.get(f"https://{HOST}:443/cdm/servicesDiscovery", status=404)
        mocked.get(f"https://{HOST}:443/DevMgmt/DiscoveryTree.xml", status=404)
        mocked.post(f"https://{HOST}:443/ipp/print", status=404)
        mocked.post(f"https://{HOST}:443/ipp/printer", status=404)
        mocked.post(f"https://{HOST}:631/ipp/print", body=M476DN)
        profile = await printer.probe()
        calls = requested(mocked)
    assert profile.protocols == (PrinterProtocol.IPP,)
    assert profile.ipp_url == f"https://{HOST}:631/ipp/print"
    assert profile.base_url == f"https://{HOST}:443"
    assert all(" https://" in call for call in calls), calls
