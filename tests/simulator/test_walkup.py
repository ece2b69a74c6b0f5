"""LEDM walk-up "Scan to computer": destinations, the Scan button, the session."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
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

WUS = "http://www.hp.com/schemas/imaging/con/ledm/walkupscan/2010/09/28"
DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
DD3 = "http://www.hp.com/schemas/imaging/con/dictionaries/2009/04/06"
SCANTYPE = "http://www.hp.com/schemas/imaging/con/ledm/scantype/2008/03/17"
EV = "http://www.hp.com/schemas/imaging/con/ledm/events/2007/09/16"
NS = {"wus": WUS, "dd": DD, "dd3": DD3, "scantype": SCANTYPE, "ev": EV}
WALKUP = FIXTURES / "ledm" / "walkup"
DESTINATIONS = "/WalkupScanToComp/WalkupScanToCompDestinations"
EVENT = "/WalkupScanToComp/WalkupScanToCompEvent"


def registration(name: str, link: str = "Network") -> bytes:
    """The body node-hp-scan-to (and HP's software) POSTs."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<WalkupScanToCompDestination xmlns="{WUS}">'
        f'<Hostname xmlns="{DD3}">{name}</Hostname>'
        f'<Name xmlns="{DD}">{name}</Name>'
        f"<LinkType>{link}</LinkType></WalkupScanToCompDestination>"
    ).encode()


async def register(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, name: str
) -> tuple[int, str]:
    async with http.post(sim.url + DESTINATIONS, data=registration(name)) as response:
        return response.status, response.headers.get("Location", "")


async def xml(http: aiohttp.ClientSession, url: str) -> ET.Element:
    status, body, _ = await get_text(http, url)
    assert status == 200, url
    return ET.fromstring(body)


async def press(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, **body: Any
) -> tuple[int, Any]:
    async with http.post(sim.url + "/_sim/scan_button", json=body) as response:
        return response.status, await response.json()


async def event_type(http: aiohttp.ClientSession, sim: SimulatedPrinter) -> str | None:
    status, body, _ = await get_text(http, sim.url + EVENT)
    if status == 404:
        return None
    return ET.fromstring(body).findtext("wus:WalkupScanToCompEventType", namespaces=NS)


async def scan_events(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, etag: str
) -> tuple[list[list[str]], str]:
    async with http.get(
        sim.url + "/EventMgmt/EventTable?timeout=50", headers={"If-None-Match": etag}
    ) as response:
        assert response.status == 200
        root = ET.fromstring(await response.read())
        new_etag = response.headers["ETag"]
    return [
        [e.text or "" for e in event.iterfind("ev:Payload/dd:ResourceURI", NS)]
        for event in root.iterfind("ev:Event", NS)
        if event.findtext("dd:UnqualifiedEventCategory", namespaces=NS) == "ScanEvent"
    ], new_etag


async def test_caps_are_the_captured_ones(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    ours = await xml(http, sim.url + "/WalkupScanToComp/WalkupScanToCompCaps")
    theirs = ET.parse(WALKUP / "WalkupScanToCompCaps.xml").getroot()
    assert ours.tag == theirs.tag
    for path in (
        "dd:Version/dd:Revision",
        "wus:MaxNetworkDestinations",
        "wus:SupportsMultiItemScanFromPlaten",
        "wus:UserActionTimeout/dd:ValueFloat",
    ):
        assert ours.findtext(path, namespaces=NS) == theirs.findtext(
            path, namespaces=NS
        ), path
    assert [e.text for e in ours.iterfind(".//wus:Shortcut", NS)] == [
        e.text for e in theirs.iterfind(".//wus:Shortcut", NS)
    ]


async def test_register_list_get_delete(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    empty = await xml(http, sim.url + DESTINATIONS)
    assert (
        empty.tag == ET.parse(WALKUP / "WalkupScanToCompDestinations.xml").getroot().tag
    )
    assert list(empty) == []
    status, location = await register(http, sim, "Home Assistant")
    assert status == 201
    path = location.removeprefix(f"http://127.0.0.1:{sim.port}")
    assert path.startswith(DESTINATIONS + "/")
    listing = await xml(http, sim.url + DESTINATIONS)
    captured = ET.parse(WALKUP / "WalkupScanToCompDestinations.xml").getroot()
    ours = listing.find("wus:WalkupScanToCompDestination", NS)
    theirs = captured.find("wus:WalkupScanToCompDestination", NS)
    assert ours is not None
    assert theirs is not None
    assert [e.tag for e in ours] == [e.tag for e in theirs]
    assert ours.findtext("dd:ResourceURI", namespaces=NS) == path
    assert ours.findtext("dd:Name", namespaces=NS) == "Home Assistant"
    assert ours.findtext("dd3:Hostname", namespaces=NS) == "Home Assistant"
    one = await xml(http, location)
    assert one.tag == f"{{{WUS}}}WalkupScanToCompDestination"
    assert one.find("wus:WalkupScanToCompSettings", NS) is None  # no choice yet
    async with http.delete(location) as response:
        assert response.status == 200
    assert (await get_text(http, location))[0] == 404
    async with http.delete(location) as response:
        assert response.status == 404


async def test_destination_count_and_body_are_bounded(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    for index in range(15):
        assert (await register(http, sim, f"pc{index}"))[0] == 201
    assert (await register(http, sim, "one too many"))[0] == 507
    for body, status in (
        (registration("x", link="Usb"), 400),
        (registration(""), 400),
        (registration("n" * 65), 400),
        (b"<Other/>", 400),
        (b"<<<", 400),
        (b"<a>" + b"x" * 9000 + b"</a>", 413),
    ):
        async with http.post(sim.url + DESTINATIONS, data=body) as response:
            assert response.status == status, body[:60]


async def test_glass_walkup_of_two_pages(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """The whole panel-initiated flow, driven as node-hp-scan-to drives it."""
    sim = await simulated_printer("officejet-pro-9022e")
    _, location = await register(http, sim, "HA")
    path = location.removeprefix(f"http://127.0.0.1:{sim.port}")
    async with http.get(sim.url + "/EventMgmt/EventTable") as response:
        etag = response.headers["ETag"]
    assert await event_type(http, sim) is None  # nobody pressed anything
    status, answer = await press(
        http, sim, destination="HA", shortcut="SavePDF", pages=2
    )
    assert (status, answer) == (200, {"destination_uri": path})
    events, etag = await scan_events(http, sim, etag)
    # As in the captured table: the destination, then the event resource.
    assert events == [[path, EVENT]]
    destination = await xml(http, location)
    captured = ET.parse(WALKUP / "WalkupScanToCompDestination_simplex_SavePDF.xml")
    for key in (
        "wus:WalkupScanToCompSettings/scantype:ScanSettings/dd:ScanPlexMode",
        "wus:WalkupScanToCompSettings/wus:Shortcut",
    ):
        assert destination.findtext(key, namespaces=NS) == captured.findtext(
            key, namespaces=NS
        )
    assert await event_type(http, sim) == "HostSelected"
    assert await event_type(http, sim) == "ScanRequested"
    # A second press while the session runs is refused.
    assert (await press(http, sim, destination="HA", shortcut="SavePDF"))[0] == 409
    for expected in ("ScanNewPageRequested", "ScanPagesComplete"):
        status, job = await post_job(http, sim, settings())
        assert status == 201
        assert (await next_document(http, job))[0] == 200
        assert (await next_document(http, job))[0] == 404
        events, etag = await scan_events(http, sim, etag)
        assert events == [[path, EVENT]]
        assert await event_type(http, sim) == expected
    # The session is over; the button works again.
    assert (await press(http, sim, destination="HA", shortcut="SaveJPEG"))[0] == 200
    async with http.get(sim.url + "/_sim/scan") as response:
        walkup = (await response.json())["walkup"]
    assert walkup["session"]["event"] == "HostSelected"
    assert walkup["destinations"][0]["shortcut"] == "SaveJPEG"


async def test_feeder_walkup_ends_after_one_job(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await register(http, sim, "HA")
    sim.set_state(feeder_sheets=2)
    uri = await sim.press_scan_button("HA", "SaveJPEG", source="feeder", duplex=True)
    destination = await xml(http, sim.url + uri)
    captured = ET.parse(WALKUP / "WalkupScanToCompDestination_duplex_SavePDF.xml")
    plex = "wus:WalkupScanToCompSettings/scantype:ScanSettings/dd:ScanPlexMode"
    assert destination.findtext(plex, namespaces=NS) == captured.findtext(
        plex, namespaces=NS
    )
    assert await event_type(http, sim) == "HostSelected"
    assert await event_type(http, sim) == "ScanRequested"
    status, job = await post_job(http, sim, settings("Feeder", duplex=True))
    assert status == 201
    pages = 0
    while (await next_document(http, job))[0] == 200:
        pages += 1
    assert pages == 4
    assert await event_type(http, sim) == "ScanPagesComplete"


async def test_a_failed_job_ends_the_session(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await register(http, sim, "HA")
    await sim.press_scan_button("HA", pages=3)
    await event_type(http, sim)
    status, job = await post_job(http, sim, settings())
    assert status == 201
    async with http.delete(job):
        pass
    assert await event_type(http, sim) == "ScanPagesComplete"


async def test_deleting_the_pressed_destination_ends_the_session(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, location = await register(http, sim, "HA")
    _, other = await register(http, sim, "Other")
    await sim.press_scan_button("HA")
    async with http.delete(other):
        pass
    assert await event_type(http, sim) == "HostSelected"
    async with http.delete(location):
        pass
    assert await event_type(http, sim) is None


async def test_power_cycle_forgets_registrations(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, location = await register(http, sim, "HA")
    await sim.press_scan_button("HA")
    await sim.power_cycle()
    assert (await get_text(http, location))[0] == 404
    assert list(await xml(http, sim.url + DESTINATIONS)) == []
    assert await event_type(http, sim) is None
    with pytest.raises(StateError, match="no destination"):
        await sim.press_scan_button("HA")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"destination": "HA", "shortcut": "Fax"}, 400),
        ({"destination": "HA", "source": "roof"}, 400),
        ({"destination": "HA", "pages": 0}, 400),
        ({"destination": "HA", "pages": 51}, 400),
        ({"destination": "HA", "duplex": True}, 400),  # glass-only ENVY
        ({"destination": "HA", "source": "feeder"}, 409),
        ({"destination": "nobody"}, 404),
        ({"destination": 3}, 400),
        ({"destination": "HA", "duplex": "yes"}, 400),
        ({"destination": "HA", "pages": "2"}, 400),
        ({"destination": "HA", "colour": "red"}, 400),
    ],
)
async def test_scan_button_refusals(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    body: dict[str, Any],
    status: int,
) -> None:
    sim = await simulated_printer("envy-4520")
    await register(http, sim, "HA")
    assert (await press(http, sim, **body))[0] == status


async def test_scan_button_needs_walkup(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    assert (await press(http, sim, destination="HA"))[0] == 404
    with pytest.raises(StateError, match="no walk-up"):
        await sim.press_scan_button("HA")
    async with http.post(sim.url + "/_sim/scan_button", data=b"[]") as response:
        assert response.status == 400
    async with http.get(sim.url + "/_sim/scan") as response:
        assert await response.json() == {"scanner": False}
    replay = await simulated_printer(replay=sim.profile.data_dir)
    with pytest.raises(StateError, match="power-cycled"):
        await replay.power_cycle()
    async with http.post(replay.url + "/_sim/power_cycle") as response:
        assert response.status == 400


async def test_power_cycle_and_reset_without_a_scanner(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    started = sim.state.started
    async with http.post(sim.url + "/_sim/power_cycle") as response:
        assert response.status == 200
    assert sim.state.started > started  # the up time restarts
    async with http.post(sim.url + "/_sim/reset") as response:
        assert response.status == 200


async def test_press_while_a_session_runs(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await register(http, sim, "HA")
    await sim.press_scan_button("HA")
    with pytest.raises(StateError, match="already running"):
        await sim.press_scan_button("HA")
    # A computer that never scans: the panel gives up after UserActionTimeout.
    monkeypatch.setattr(walkup_module, "USER_ACTION_TIMEOUT", 0.0)
    await sim.press_scan_button("HA", "SaveJPEG")
    assert await event_type(http, sim) == "HostSelected"


async def test_reset_clears_walkup_and_scans(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await register(http, sim, "HA")
    sim.set_state(feeder_sheets=3)
    assert (await post_job(http, sim, settings("Feeder")))[0] == 201
    await sim.reset()
    assert list(await xml(http, sim.url + DESTINATIONS)) == []
    assert sim.state.feeder_sheets == 0
    assert (await post_job(http, sim, settings()))[0] == 201


async def test_walkup_scanned_through_ledm_jobs(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """node-hp-scan-to scans LEDM walk-up printers through /Scan/Jobs."""
    sim = await simulated_printer("envy-4520")
    await register(http, sim, "HA")
    await sim.press_scan_button("HA", "SaveJPEG")
    assert await event_type(http, sim) == "HostSelected"
    assert await event_type(http, sim) == "ScanRequested"
    body = (
        (FIXTURES / "ledm/scan/ScanSettings_adf_duplex.xml")
        .read_bytes()
        .replace(b">Adf<", b">Platen<")
        .replace(
            b"<AdfOptions>\n\t\t<AdfOption>Duplex</AdfOption>\n\t</AdfOptions>\n", b""
        )
    )
    async with http.post(sim.url + "/Scan/Jobs", data=body) as response:
        assert response.status == 201
        job_url = response.headers["Location"]
    jobs = "http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30"
    cnx = "http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19"
    async with asyncio.timeout(20):
        while True:
            job = await xml(http, job_url)
            binary = job.findtext(f".//{{{cnx}}}BinaryURL")
            state = job.findtext(f".//{{{cnx}}}PageState")
            if state == "ReadyToUpload" and binary:
                break
            await asyncio.sleep(0.02)
    assert (await get_text(http, sim.url + binary))[0] == 200
    job = await xml(http, job_url)
    assert job.findtext(f"{{{jobs}}}JobState") == "Completed"
    assert await event_type(http, sim) == "ScanPagesComplete"
