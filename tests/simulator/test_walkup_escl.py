"""Walk-up inside eSCL (the CDM generation's): subscriptions and their events."""

from __future__ import annotations

from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import pytest

from simulator import walkup as walkup_module
from simulator.state import StateError

from .conftest import FIXTURES
from .helpers import get_text
from .test_scanner import next_document, post_job, settings

if TYPE_CHECKING:
    import aiohttp

    from simulator.server import SimulatedPrinter
    from simulator.testing import PrinterFactory

SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG = "http://www.pwg.org/schemas/2010/12/sm"
NS = {"scan": SCAN, "pwg": PWG}
SUBSCRIPTIONS = "/eSCL/WalkupSubscriptions"
CAPTURED_EVENT = (
    FIXTURES / "escl/HP-OfficeJet-Pro-9120e__WalkupScanEvent_ScanRequested.xml"
)
CAPTURED_LIST = FIXTURES / "escl/HP-OfficeJet-Pro-9120e__WalkupScanSubscriptions.xml"


def subscription(host: str, *shortcuts: str, connection: str = "Network") -> bytes:
    """The body olibar/hpscan sends (Subscribe in walkup.go)."""
    items = "".join(f"<scan:Shortcut>{s}</scan:Shortcut>" for s in shortcuts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<scan:WalkupScanSubscription xmlns:pwg="{PWG}" xmlns:scan="{SCAN}">'
        f"<scan:HostIdentifier>{host}</scan:HostIdentifier>"
        f"<scan:Connection>{connection}</scan:Connection>"
        f"<scan:Shortcuts>{items}</scan:Shortcuts></scan:WalkupScanSubscription>"
    ).encode()


async def subscribe(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, body: bytes
) -> tuple[int, str]:
    async with http.post(sim.url + SUBSCRIPTIONS, data=body) as response:
        return response.status, response.headers.get("Location", "")


async def event(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, path: str
) -> tuple[int, ET.Element | None]:
    status, body, _ = await get_text(http, sim.url + path + "/Event")
    return status, ET.fromstring(body) if status == 200 else None


async def session(http: aiohttp.ClientSession, sim: SimulatedPrinter) -> object:
    async with http.get(sim.url + "/_sim/scan") as response:
        return (await response.json())["walkup"]["session"]


async def test_subscribe_poll_and_scan_two_glass_pages(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    assert sim.url.startswith("https://")
    status, body, _ = await get_text(http, sim.url + SUBSCRIPTIONS)
    assert (status, body) == (200, b"")  # nobody subscribed: an empty body
    status, path = await subscribe(
        http, sim, subscription("HA", "Home Assistant PDF", "Home Assistant JPEG")
    )
    assert status == 201
    # Server-absolute, as the 9120e answers.
    assert path.startswith(SUBSCRIPTIONS + "/")
    listing = ET.fromstring((await get_text(http, sim.url + SUBSCRIPTIONS))[1])
    captured = ET.parse(CAPTURED_LIST).getroot()
    assert listing.tag == captured.tag
    ours = listing.find("scan:WalkupScanSubscription", NS)
    theirs = captured.find("scan:WalkupScanSubscription", NS)
    assert ours is not None
    assert theirs is not None
    assert [e.tag for e in ours] == [e.tag for e in theirs]
    assert [e.text for e in ours.iterfind(".//scan:Shortcut", NS)] == [
        "Home Assistant PDF",
        "Home Assistant JPEG",
    ]
    # The panel offers the computer only while it polls.
    with pytest.raises(StateError, match="not available"):
        await sim.press_scan_button("HA", "Home Assistant PDF")
    assert (await event(http, sim, path))[0] == 204
    uri = await sim.press_scan_button("HA", "Home Assistant PDF", pages=2)
    assert uri == path
    status, host_selected = await event(http, sim, path)
    assert status == 200
    assert host_selected is not None
    assert host_selected.findtext("scan:Event", namespaces=NS) == "HostSelected"
    status, requested = await event(http, sim, path)
    assert requested is not None
    reference = ET.parse(CAPTURED_EVENT).getroot()
    assert [e.tag for e in requested] == [e.tag for e in reference]
    assert requested.findtext("scan:Event", namespaces=NS) == "ScanRequested"
    assert requested.findtext("scan:ResourceURI", namespaces=NS) == path
    assert requested.findtext("scan:Shortcut", namespaces=NS) == "Home Assistant PDF"
    for key in ("scan:XResolution", "scan:Duplex", "scan:ContentOrientation"):
        assert requested.findtext(f"scan:ScanSettings/{key}", namespaces=NS) == (
            reference.findtext(f"scan:ScanSettings/{key}", namespaces=NS)
        )
    assert (await event(http, sim, path))[0] == 204
    for expected in ("ScanNewPageRequested", "ScanPagesComplete"):
        status, job = await post_job(http, sim, settings())
        assert status == 201
        assert job.startswith("https://")
        assert (await next_document(http, job))[0] == 200
        assert (await next_document(http, job))[0] == 404
        status, answer = await event(http, sim, path)
        assert answer is not None
        assert answer.findtext("scan:Event", namespaces=NS) == expected
    assert (await event(http, sim, path))[0] == 204
    async with http.delete(sim.url + path) as response:
        assert response.status == 204
    assert (await event(http, sim, path))[0] == 404  # subscribe again
    async with http.delete(sim.url + path) as response:
        assert response.status == 404


async def test_subscription_rules(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    for body, status in (
        (subscription("HA"), 400),  # no shortcut
        (subscription("HA", *"abcdef"), 400),  # more than 5
        (subscription("HA", "x" * 33), 400),
        (subscription("", "PDF"), 400),
        (subscription("HA", "PDF", connection="Usb"), 400),
        (b"<scan:Other xmlns:scan='" + SCAN.encode() + b"'/>", 400),
        (b"<<", 400),
        (b"<a>" + b"x" * 9000 + b"</a>", 413),
    ):
        assert (await subscribe(http, sim, body))[0] == status, body[:80]
    monkeypatch.setattr(walkup_module, "MAX_SUBSCRIPTIONS", 2)
    for host in ("a", "b"):
        assert (await subscribe(http, sim, subscription(host, "PDF")))[0] == 201
    assert (await subscribe(http, sim, subscription("c", "PDF")))[0] == 507


async def test_panel_rules(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    _, path = await subscribe(http, sim, subscription("HA", "PDF"))
    await event(http, sim, path)
    with pytest.raises(StateError, match="shortcut must be one of PDF"):
        await sim.press_scan_button("HA", "SavePDF")
    with pytest.raises(StateError, match="no destination"):
        await sim.press_scan_button("nobody", "PDF")
    with pytest.raises(StateError, match="feeder empty"):
        await sim.press_scan_button("HA", "PDF", source="feeder")
    await sim.press_scan_button("HA", "PDF")
    with pytest.raises(StateError, match="already running"):
        await sim.press_scan_button("HA", "PDF")
    with monkeypatch.context() as patch:
        patch.setattr(walkup_module, "USER_ACTION_TIMEOUT", 0.0)
        await sim.press_scan_button("HA", "PDF")  # the panel gave up on the first
    async with http.get(sim.url + "/_sim/scan") as response:
        walkup = (await response.json())["walkup"]
    assert walkup["subscriptions"][0]["shortcuts"] == ["PDF"]
    assert walkup["session"]["done"] is False
    # A canceled job ends the session; the computer learns it.
    await event(http, sim, path)
    await event(http, sim, path)
    _, job = await post_job(http, sim, settings())
    async with http.delete(job):
        pass
    _, answer = await event(http, sim, path)
    assert answer is not None
    assert answer.findtext("scan:Event", namespaces=NS) == "ScanPagesComplete"
    # Deleting the subscription mid-session or a power cycle forgets it all.
    await sim.press_scan_button("HA", "PDF")
    _, other = await subscribe(http, sim, subscription("Other", "PDF"))
    async with http.delete(sim.url + other):
        pass
    assert await session(http, sim) is not None
    async with http.delete(sim.url + path):
        pass
    assert await session(http, sim) is None
    _, path = await subscribe(http, sim, subscription("HA", "PDF"))
    await sim.power_cycle()
    assert (await event(http, sim, path))[0] == 404
    assert (await get_text(http, sim.url + SUBSCRIPTIONS))[1] == b""
