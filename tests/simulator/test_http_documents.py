"""Each profile serves its family's documents, parseable, with the real namespaces."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import pytest

from simulator.profiles import PROFILES, Family

from .conftest import FIXTURES
from .helpers import DD, NS, get_text, ledm_root

if TYPE_CHECKING:
    import aiohttp

    from simulator.testing import PrinterFactory

LEDM_PROFILES = [n for n, p in PROFILES.items() if p.family is Family.LEDM]
DOCUMENTS = [
    "/DevMgmt/ProductStatusDyn.xml",
    "/DevMgmt/ConsumableConfigDyn.xml",
    "/DevMgmt/ProductUsageDyn.xml",
    "/DevMgmt/ProductConfigDyn.xml",
]
# Root namespace of each document, as in the captures (docs/protocols.md §4.2).
ROOTS = {
    "/DevMgmt/ProductStatusDyn.xml": "{http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31}ProductStatusDyn",
    "/DevMgmt/ConsumableConfigDyn.xml": "{http://www.hp.com/schemas/imaging/con/ledm/consumableconfigdyn/2007/11/19}ConsumableConfigDyn",
    "/DevMgmt/ProductUsageDyn.xml": "{http://www.hp.com/schemas/imaging/con/ledm/productusagedyn/2007/12/11}ProductUsageDyn",
    "/DevMgmt/ProductConfigDyn.xml": "{http://www.hp.com/schemas/imaging/con/ledm/productconfigdyn/2009/03/16}ProductConfigDyn",
}


@pytest.mark.parametrize("profile", LEDM_PROFILES)
async def test_ledm_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, profile: str
) -> None:
    sim = await simulated_printer(profile)
    tree = await ledm_root(http, sim, "/DevMgmt/DiscoveryTree.xml")
    listed = [e.text for e in tree.iter(f"{{{DD}}}ResourceURI")]
    assert set(DOCUMENTS) <= set(listed)
    for path in listed:
        if path == "/ipp/print":
            continue
        status, body, content_type = await get_text(http, sim.url + str(path))
        assert status == 200, path
        assert content_type == "text/xml"
        root = ET.fromstring(body)
        if path in ROOTS:
            assert root.tag == ROOTS[path]
        # Prefixes as HP writes them, not ns0.
        assert b"ns0:" not in body


async def test_ledm_keeps_capture_prefixes_and_prolog(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, body, _ = await get_text(http, sim.url + "/DevMgmt/ProductStatusDyn.xml")
    captured = (
        FIXTURES / "ledm/HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml"
    ).read_bytes()
    # Same declaration, disclaimer comment and root start tag as the capture.
    assert (
        body[: captured.index(b"<dd:Version>")]
        == captured[: captured.index(b"<dd:Version>")]
    )
    root = ET.fromstring(body)
    # Serial and UUID are this printer's, not the capture's placeholders.
    _, config, _ = await get_text(http, sim.url + "/DevMgmt/ProductConfigDyn.xml")
    assert b"REDACTED</dd:SerialNumber>" not in config
    assert sim.state.identity.serial.encode() in config
    assert root.find("psdyn:Status/pscat:StatusCategory", NS) is not None


async def test_m255dw_extra_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    _, eprint, _ = await get_text(http, sim.url + "/ePrint/ePrintConfigDyn.xml")
    assert sim.state.identity.serial.encode() in eprint
    _, adapters, content_type = await get_text(http, sim.url + "/IoMgmt/Adapters")
    assert content_type == "text/xml"
    macs = [e.text for e in ET.fromstring(adapters).iter(f"{{{DD}}}MacAddress")]
    assert macs[0] == sim.state.identity.mac.replace(":", "")
    assert len(set(macs)) == 3
    # Italian panel text as in the capture.
    _, status, _ = await get_text(http, sim.url + "/DevMgmt/ProductStatusDyn.xml")
    assert 'lang="it"' in status.decode()


async def test_cdm_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    assert sim.url.startswith("https://")
    _, body, content_type = await get_text(http, sim.url + "/cdm/servicesDiscovery")
    assert content_type == "application/json"
    hrefs = [link["href"] for s in json.loads(body)["services"] for link in s["links"]]
    assert "/cdm/supply/v1/suppliesPublic" in hrefs
    for href in hrefs:
        status, document, content_type = await get_text(http, sim.url + href)
        assert status == 200
        assert content_type == "application/json"
        json.loads(document)
    _, identity, _ = await get_text(http, sim.url + "/cdm/system/v1/identity")
    parsed = json.loads(identity)
    assert parsed["serialNumber"] == sim.state.identity.serial
    assert parsed["makeAndModel"]["name"] == "Smart Tank 580-590 series"
    assert parsed["deviceUuid"] != sim.state.identity.uuid
    # Captured quirks stay: string booleans, minified alerts.
    _, supplies, _ = await get_text(http, sim.url + "/cdm/supply/v1/suppliesPublic")
    assert json.loads(supplies)["suppliesList"][0]["isUsed"] == "true"
    _, alerts, _ = await get_text(http, sim.url + "/cdm/alert/v1/alerts")
    assert b"\n" not in alerts.strip()
    # CDM printers have no LEDM tree (docs/protocols.md §2.2: DiscoveryTree 404).
    status, _, _ = await get_text(http, sim.url + "/DevMgmt/DiscoveryTree.xml")
    assert status == 404


async def test_https_redirect_and_hsts(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    plain = sim.url.replace("https://", "http://")
    async with http.get(plain + "/cdm/system/v1/status", allow_redirects=False) as resp:
        assert resp.status == 301
        assert resp.headers["Location"] == sim.url + "/cdm/system/v1/status"
    async with http.get(sim.url + "/cdm/system/v1/status") as resp:
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_ipp_only_printer_serves_no_ews_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("pagewide-mfp-p57750")
    for path in ("/DevMgmt/DiscoveryTree.xml", "/cdm/servicesDiscovery", "/nope"):
        status, _, _ = await get_text(http, sim.url + path)
        assert status == 404


@pytest.mark.parametrize("profile", sorted(PROFILES))
async def test_home_page_and_server_header(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, profile: str
) -> None:
    sim = await simulated_printer(profile)
    async with http.get(sim.url + "/") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert sim.profile.identity.model in await resp.text()
        server = resp.headers["Server"]
    assert server.startswith("HP HTTP Server; ")
    assert f"Serial Number: {sim.state.identity.serial}" in server


async def test_count_printers_have_distinct_identities(
    http: aiohttp.ClientSession,
) -> None:
    from simulator import start_printers

    async with start_printers("envy-4520", count=3) as group:
        ports = [p.port for p in group.printers]
        serials = {p.state.identity.serial for p in group.printers}
        uuids = {p.state.identity.uuid for p in group.printers}
        assert len(set(ports)) == len(serials) == len(uuids) == 3
        for printer in group.printers:
            status, _, _ = await get_text(
                http, printer.url + "/DevMgmt/ProductStatusDyn.xml"
            )
            assert status == 200


async def test_consecutive_ports(unused_tcp_port_factory: object) -> None:
    import socket

    from simulator import start_printers

    # Find three consecutive free ports.
    for base in range(42100, 42900, 7):
        try:
            socks = []
            for offset in range(3):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                socks.append(sock)
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
        break
    async with start_printers("officejet-pro-9022e", count=3, port=base) as group:
        assert [p.port for p in group.printers] == [base, base + 1, base + 2]
        assert group.printers[0].ready_line.startswith(
            f"ready http://127.0.0.1:{base} raw="
        )
