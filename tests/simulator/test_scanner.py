"""The simulated scanner over HTTP: eSCL and LEDM /Scan, pages, PDFs, refusals."""

from __future__ import annotations

import asyncio
import io
import re
import time
from typing import TYPE_CHECKING, Any
import xml.etree.ElementTree as ET

import aiohttp
from PIL import Image
import pytest

from simulator import scanner as scanner_module
from simulator.profiles import ScannerSpec
from simulator.scanner import Page, Scanner, build_pdf, render_page

from .conftest import FIXTURES
from .helpers import get_text, wait_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from simulator.server import SimulatedPrinter
    from simulator.testing import PrinterFactory

SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG = "http://www.pwg.org/schemas/2010/12/sm"
CNX = "http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19"
JOBS = "http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30"
NS = {"scan": SCAN, "pwg": PWG, "cnx": CNX, "j": JOBS}
ESCL = FIXTURES / "escl"
LEDM_SCAN = FIXTURES / "ledm" / "scan"


def settings(
    source: str = "Platen",
    *,
    dpi: int = 75,
    color: str = "RGB24",
    document_format: str = "image/jpeg",
    duplex: bool | None = None,
    width: int = 2550,
    height: int = 3300,
) -> bytes:
    """An eSCL ScanSettings document as sane-airscan sends it."""
    duplex_xml = (
        "" if duplex is None else f"<scan:Duplex>{str(duplex).lower()}</scan:Duplex>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<scan:ScanSettings xmlns:scan="{SCAN}" xmlns:pwg="{PWG}">'
        "<pwg:Version>2.63</pwg:Version><scan:Intent>Document</scan:Intent>"
        "<pwg:ScanRegions><pwg:ScanRegion>"
        f"<pwg:Height>{height}</pwg:Height><pwg:Width>{width}</pwg:Width>"
        "<pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>"
        "<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>"
        "</pwg:ScanRegion></pwg:ScanRegions>"
        f"<pwg:InputSource>{source}</pwg:InputSource>"
        f"<scan:ColorMode>{color}</scan:ColorMode>"
        f"<scan:XResolution>{dpi}</scan:XResolution>"
        f"<scan:YResolution>{dpi}</scan:YResolution>"
        f"<pwg:DocumentFormat>{document_format}</pwg:DocumentFormat>"
        f"{duplex_xml}</scan:ScanSettings>"
    ).encode()


async def post_job(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, body: bytes
) -> tuple[int, str]:
    async with http.post(
        sim.url + "/eSCL/ScanJobs", data=body, headers={"Content-Type": "text/xml"}
    ) as response:
        return response.status, response.headers.get("Location", "")


async def next_document(
    http: aiohttp.ClientSession, job: str, within: float = 20.0
) -> tuple[int, bytes, str]:
    """NextDocument, retrying while the page is not ready (503)."""
    async with asyncio.timeout(within):
        while True:
            status, body, content_type = await get_text(http, job + "/NextDocument")
            if status != 503:
                return status, body, content_type
            await asyncio.sleep(0.02)


async def status_root(http: aiohttp.ClientSession, sim: SimulatedPrinter) -> ET.Element:
    status, body, _ = await get_text(http, sim.url + "/eSCL/ScannerStatus")
    assert status == 200
    return ET.fromstring(body)


def jpeg_size(body: bytes) -> tuple[int, int, str]:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        return image.width, image.height, image.mode


def pdf_pages(body: bytes) -> list[bytes]:
    """The JPEG of every page of a PDF, checking its cross-reference table."""
    assert body.startswith(b"%PDF-1.4\n")
    assert body.endswith(b"%%EOF\n")
    start = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert body[start:].startswith(b"xref\n0 ")
    lines = body[start:].split(b"\n")
    count = int(lines[1].split()[1])
    for number in range(1, count):
        offset = int(lines[2 + number].split()[0])
        assert body[offset:].startswith(f"{number} 0 obj\n".encode())
    tree = re.search(rb"/Type /Pages /Kids \[([^\]]*)\] /Count (\d+)", body)
    assert tree is not None
    kids = tree.group(1).split(b" 0 R")
    assert len([k for k in kids if k.strip()]) == int(tree.group(2))
    images = []
    for match in re.finditer(rb"/Filter /DCTDecode /Length (\d+) >>\nstream\n", body):
        length = int(match.group(1))
        images.append(body[match.end() : match.end() + length])
    assert len(images) == int(tree.group(2))
    return images


# --- capabilities and status -----------------------------------------------------------


async def test_capabilities_follow_the_hp_inkjet_capture(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    status, body, content_type = await get_text(
        http, sim.url + "/eSCL/ScannerCapabilities"
    )
    assert status == 200
    assert content_type == "text/xml"
    root = ET.fromstring(body)
    captured = ET.parse(ESCL / "HP-Smart-Tank-Plus-570__ScannerCapabilities.xml")
    # Same document type and element vocabulary as the HP firmware's.
    assert root.tag == captured.getroot().tag
    assert root.findtext("pwg:MakeAndModel", namespaces=NS) == (
        "HP OfficeJet Pro 9020 series"
    )
    assert root.findtext("pwg:SerialNumber", namespaces=NS) == sim.state.identity.serial
    for source in (
        "scan:Platen/scan:PlatenInputCaps",
        "scan:Adf/scan:AdfSimplexInputCaps",
    ):
        ours = root.find(source, NS)
        theirs = captured.find(source, NS)
        assert ours is not None
        assert theirs is not None
        for key in ("MinWidth", "MaxWidth", "MaxHeight", "MaxScanRegions"):
            assert ours.findtext(f"scan:{key}", namespaces=NS) == theirs.findtext(
                f"scan:{key}", namespaces=NS
            ), key
        modes = [e.text for e in ours.iterfind(".//scan:ColorMode", NS)]
        assert modes == [e.text for e in theirs.iterfind(".//scan:ColorMode", NS)]
    adf_dpi = [
        e.text
        for e in root.iterfind(
            "scan:Adf/scan:AdfSimplexInputCaps//scan:DiscreteResolution/scan:XResolution",
            NS,
        )
    ]
    assert adf_dpi == ["75", "100", "150", "200", "300"]  # the capture's ADF list
    platen_dpi = [
        e.text
        for e in root.iterfind(
            "scan:Platen//scan:DiscreteResolution/scan:XResolution", NS
        )
    ]
    assert platen_dpi == ["75", "100", "150", "200", "300", "400", "600"]
    assert root.find("scan:Adf/scan:AdfDuplexInputCaps", NS) is not None
    options = [
        e.text for e in root.iterfind("scan:Adf/scan:AdfOptions/scan:AdfOption", NS)
    ]
    assert options == ["DetectPaperLoaded", "Duplex"]
    assert root.findtext("scan:Adf/scan:FeederCapacity", namespaces=NS) == "35"


async def test_a_scan_wakes_the_printer(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(power_save=True)
    assert (await post_job(http, sim, settings()))[0] == 201
    assert sim.state.power_save is False


async def test_glass_only_scanner_and_printers_without_one(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    envy = await simulated_printer("envy-4520")
    root = ET.fromstring(
        (await get_text(http, envy.url + "/eSCL/ScannerCapabilities"))[1]
    )
    assert root.find("scan:Adf", NS) is None
    status = await status_root(http, envy)
    assert status.find("scan:AdfState", NS) is None
    laser = await simulated_printer("color-laserjet-pro-m255dw")
    for path in (
        "/eSCL/ScannerCapabilities",
        "/Scan/ScanCaps",
        "/EventMgmt/EventTable",
    ):
        assert (await get_text(http, laser.url + path))[0] == 404


async def test_status_matches_the_captured_shape(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    root = await status_root(http, sim)
    empty = ET.parse(ESCL / "node-hp-scan-to__ScannerStatus_empty.xml").getroot()
    assert root.tag == empty.tag
    assert root.findtext("pwg:State", namespaces=NS) == "Idle"
    assert root.findtext("scan:AdfState", namespaces=NS) == empty.findtext(
        "scan:AdfState", namespaces=NS
    )
    sim.set_state(feeder_sheets=2)
    loaded = ET.parse(ESCL / "node-hp-scan-to__ScannerStatus_loaded.xml").getroot()
    root = await status_root(http, sim)
    assert root.findtext("scan:AdfState", namespaces=NS) == loaded.findtext(
        "scan:AdfState", namespaces=NS
    )
    assert (await get_text(http, sim.url + "/_sim/state"))[1].count(
        b'"feeder_sheets": 2'
    )


@pytest.mark.parametrize("value", [-1, 501, 2.5, True, "3"])
async def test_feeder_sheets_is_validated(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, value: object
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    async with http.post(sim.url + "/_sim/state", json={"feeder_sheets": value}) as r:
        assert r.status == 400
        assert "feeder_sheets" in (await r.json())["error"]
    assert sim.state.feeder_sheets == 0


# --- eSCL jobs ----------------------------------------------------------------------------


async def test_glass_job_gives_one_page_then_404(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    status, location = await post_job(http, sim, settings(dpi=150))
    assert status == 201
    assert re.fullmatch(
        rf"http://127\.0\.0\.1:{sim.port}/eSCL/ScanJobs/[0-9a-f-]{{36}}", location
    )
    # Right after the POST the page is still being scanned.
    assert (await get_text(http, location + "/NextDocument"))[0] == 503
    status, body, content_type = await next_document(http, location)
    assert (status, content_type) == (200, "image/jpeg")
    # 2550 x 3300 three-hundredths of an inch at 150 dpi.
    assert jpeg_size(body) == (1275, 1650, "RGB")
    assert (await next_document(http, location))[0] == 404
    root = await status_root(http, sim)
    info = root.find("scan:Jobs/scan:JobInfo", NS)
    assert info is not None
    assert (
        info.findtext("pwg:JobUri", namespaces=NS) == location.split(str(sim.port))[1]
    )
    assert info.findtext("pwg:JobState", namespaces=NS) == "Completed"
    assert info.findtext("pwg:ImagesCompleted", namespaces=NS) == "1"
    assert (
        info.findtext("pwg:JobStateReasons/pwg:JobStateReason", namespaces=NS)
        == "JobCompletedSuccessfully"
    )
    image_info = ET.fromstring((await get_text(http, location + "/ScanImageInfo"))[1])
    captured = ET.parse(ESCL / "node-hp-scan-to__ScanImageInfo.xml").getroot()
    assert [e.tag for e in image_info][:5] == [e.tag for e in captured][:5]
    assert image_info.findtext("scan:ActualWidth", namespaces=NS) == "1275"
    assert image_info.findtext("scan:ActualBytesPerLine", namespaces=NS) == "3825"


async def test_feeder_duplex_job_from_the_captured_request(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=2)
    body = (ESCL / "node-hp-scan-to__ScanSettings_feeder_duplex.xml").read_bytes()
    status, location = await post_job(http, sim, body)
    assert status == 201
    sizes = []
    while (answer := await next_document(http, location))[0] == 200:
        sizes.append(jpeg_size(answer[1]))
    assert answer[0] == 404
    # 2 sheets x 2 sides; 2550 x 4200 at 200 dpi.
    assert sizes == [(1700, 2800, "RGB")] * 4
    assert sim.state.feeder_sheets == 0
    root = await status_root(http, sim)
    assert root.findtext("scan:AdfState", namespaces=NS) == "ScannerAdfEmpty"
    assert root.findtext("pwg:State", namespaces=NS) == "Idle"


async def test_feeder_pdf_is_one_document_of_every_page(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=6)  # more than are scanned ahead: the stream waits
    status, location = await post_job(
        http,
        sim,
        settings("Feeder", color="Grayscale8", document_format="application/pdf"),
    )
    assert status == 201
    status, body, content_type = await next_document(http, location)
    assert (status, content_type) == (200, "application/pdf")
    pages = pdf_pages(body)
    assert [jpeg_size(page) for page in pages] == [(637, 825, "L")] * 6
    assert b"/MediaBox [0 0 611.52 792.00]" in body
    assert (await next_document(http, location))[0] == 404


async def test_rendered_pages_say_what_they_are() -> None:
    front = render_page(300, 400, "RGB", number=1, source="Feeder", side="front")
    back = render_page(300, 400, "RGB", number=1, source="Feeder", side="back")
    assert front != back
    with Image.open(io.BytesIO(front)) as image:
        dark = sum(image.convert("L").histogram()[:100])
    assert 0.001 < dark / (300 * 400) < 0.2  # text on a white page
    pdf = build_pdf([Page(1, front, 300, 400, "front")], 100, 100, gray=False)
    assert pdf_pages(pdf) == [front]


@pytest.mark.parametrize(
    ("profile", "body", "reason"),
    [
        ("officejet-pro-9022e", settings(dpi=1200), "resolution"),
        ("officejet-pro-9022e", settings("Feeder", dpi=600), "resolution"),
        ("officejet-pro-9022e", settings(color="CMYK64"), "color mode"),
        ("officejet-pro-9022e", settings(document_format="image/png"), "format"),
        ("officejet-pro-9022e", settings("Film"), "input source"),
        ("officejet-pro-9022e", settings(duplex=True), "duplex"),
        ("officejet-pro-9022e", settings(width=9000), "region"),
        ("officejet-pro-9022e", settings("Feeder"), "feeder empty"),
        ("envy-4520", settings("Feeder"), "no document feeder"),
    ],
)
async def test_unsupported_jobs_get_409(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    profile: str,
    body: bytes,
    reason: str,
) -> None:
    sim = await simulated_printer(profile)
    async with http.post(sim.url + "/eSCL/ScanJobs", data=body) as response:
        assert response.status == 409
        assert reason in await response.text()
    assert sim.scanner is not None
    assert not sim.scanner.jobs


async def test_busy_scanner_refuses_until_the_job_is_deleted(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=5)
    status, location = await post_job(http, sim, settings("Feeder"))
    assert status == 201
    assert (await post_job(http, sim, settings()))[0] == 409
    root = await status_root(http, sim)
    assert root.findtext("pwg:State", namespaces=NS) == "Processing"
    async with http.delete(location) as response:
        assert response.status == 200
    assert (await next_document(http, location))[0] == 404
    root = await status_root(http, sim)
    assert root.findtext("scan:Jobs/scan:JobInfo/pwg:JobState", namespaces=NS) == (
        "Canceled"
    )
    assert (await post_job(http, sim, settings()))[0] == 201
    async with http.delete(sim.url + "/eSCL/ScanJobs/" + "0" * 36) as response:
        assert response.status == 404


async def test_abandoned_job_frees_the_scanner(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    assert (await post_job(http, sim, settings()))[0] == 201
    monkeypatch.setattr(scanner_module, "JOB_IDLE_SECONDS", 0.0)
    assert (await post_job(http, sim, settings()))[0] == 201
    root = await status_root(http, sim)
    reasons = [e.text for e in root.iterfind(".//pwg:JobStateReason", NS)]
    assert reasons[-1] == "JobTimedOut"


async def test_door_open_stops_the_scanner(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(door_open=True, feeder_sheets=1)
    assert (await post_job(http, sim, settings()))[0] == 503
    root = await status_root(http, sim)
    assert root.findtext("pwg:State", namespaces=NS) == "Stopped"
    assert root.findtext("scan:AdfState", namespaces=NS) == "ScannerAdfHatchOpen"


async def test_jam_during_a_feeder_job_aborts_it(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=20)
    status, location = await post_job(http, sim, settings("Feeder"))
    assert status == 201
    assert (await next_document(http, location))[0] == 200
    sim.set_state(paper_jam=True)
    assert (await next_document(http, location))[0] == 404
    root = await status_root(http, sim)
    assert root.findtext("pwg:State", namespaces=NS) == "Stopped"
    assert root.findtext("scan:AdfState", namespaces=NS) == "ScannerAdfJam"
    assert root.findtext("scan:Jobs/scan:JobInfo/pwg:JobState", namespaces=NS) == (
        "Aborted"
    )
    # The sheets not yet pulled stay in the feeder.
    assert 0 < sim.state.feeder_sheets < 20


async def test_jam_during_a_pdf_drops_the_connection(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=30)
    status, location = await post_job(
        http, sim, settings("Feeder", document_format="application/pdf")
    )
    assert status == 201
    await wait_for(
        lambda: (
            sim.scanner is not None
            and any(job.ready for job in sim.scanner.jobs.values())
        )
    )
    # Pages are ready, but the first look finds the scan not done yet.
    assert (await get_text(http, location + "/NextDocument"))[0] == 503
    async with http.get(location + "/NextDocument") as response:
        assert response.status == 200
        await response.content.readexactly(9)
        sim.set_state(paper_jam=True)
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not xml", 400),
        (b"<foo/>", 400),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', 400),
        (b"<ScanSettings>" + b" " * 70_000 + b"</ScanSettings>", 413),
        (settings().replace(b">75<", b">many<", 1), 400),
    ],
)
async def test_malformed_settings(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    body: bytes,
    status: int,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    async with http.post(sim.url + "/eSCL/ScanJobs", data=body) as response:
        assert response.status == status


# --- LEDM /Scan ----------------------------------------------------------------------------


async def test_ledm_scan_caps_and_status_follow_the_captures(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    root = ET.fromstring((await get_text(http, sim.url + "/Scan/ScanCaps"))[1])
    captured = ET.parse(LEDM_SCAN / "HP-OfficeJet-Pro-9010__ScanCaps.xml").getroot()
    assert root.tag == captured.tag
    for path in (
        "cnx:Adf/cnx:FeederCapacity",
        "cnx:Adf/cnx:InputSourceCaps/cnx:MaxHeight",
        "cnx:Adf/cnx:InputSourceCaps/cnx:MaxOpticalXResolution",
        "cnx:Adf/cnx:AdfDuplexer/cnx:AdfDuplexMaxHeight",
        "cnx:Platen/cnx:InputSourceCaps/cnx:MaxWidth",
    ):
        assert root.findtext(path, namespaces=NS) == captured.findtext(
            path, namespaces=NS
        ), path
    assert [e.text for e in root.iterfind(".//cnx:AdfOption", NS)] == [
        e.text for e in captured.iterfind(".//cnx:AdfOption", NS)
    ]
    status = ET.fromstring((await get_text(http, sim.url + "/Scan/Status"))[1])
    assert status.findtext("cnx:ScannerState", namespaces=NS) == "Idle"
    assert status.findtext("cnx:AdfState", namespaces=NS) == "Empty"
    sim.set_state(feeder_sheets=1)
    loaded = ET.parse(
        LEDM_SCAN / "HP-Officejet-6500-E710n-z__ScanStatus_loaded.xml"
    ).getroot()
    status = ET.fromstring((await get_text(http, sim.url + "/Scan/Status"))[1])
    assert status.findtext("cnx:AdfState", namespaces=NS) == loaded.findtext(
        "cnx:AdfState", namespaces=NS
    )
    envy = await simulated_printer("envy-4520")
    status = ET.fromstring((await get_text(http, envy.url + "/Scan/Status"))[1])
    no_adf = ET.parse(LEDM_SCAN / "ScanStatus_no_adf.xml").getroot()
    assert [e.tag for e in status] == [e.tag for e in no_adf]


async def ledm_job(http: aiohttp.ClientSession, url: str) -> ET.Element:
    status, body, _ = await get_text(http, url)
    assert status == 200
    return ET.fromstring(body)


async def test_ledm_feeder_duplex_job_from_the_captured_request(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=1)
    body = (LEDM_SCAN / "ScanSettings_adf_duplex.xml").read_bytes()
    async with http.post(sim.url + "/Scan/Jobs", data=body) as response:
        assert response.status == 201
        location = response.headers["Location"]
    assert re.fullmatch(rf"http://127\.0\.0\.1:{sim.port}/Jobs/JobList/\d+", location)
    captured = ET.parse(
        LEDM_SCAN / "HP-Officejet-6500-E710n-z__Job_ReadyToUpload.xml"
    ).getroot()
    pages = []
    async with asyncio.timeout(20):
        while True:
            job = await ledm_job(http, location)
            assert job.tag == captured.tag
            if job.findtext("j:JobState", namespaces=NS) == "Completed":
                break
            page = job.find("cnx:ScanJob/cnx:PreScanPage", NS)
            assert page is not None
            if page.findtext("cnx:PageState", namespaces=NS) != "ReadyToUpload":
                await asyncio.sleep(0.02)
                continue
            # The captured request asks 2481 x 3507 at 200 dpi: the capture's
            # ImageWidth/ImageHeight.
            for key in ("ImageWidth", "ImageHeight", "BytesPerLine"):
                path = f"cnx:ScanJob/cnx:PreScanPage/cnx:BufferInfo/cnx:{key}"
                assert job.findtext(path, namespaces=NS) == captured.findtext(
                    path, namespaces=NS
                )
            binary = page.findtext("cnx:BinaryURL", namespaces=NS)
            assert binary is not None
            status, data, content_type = await get_text(http, sim.url + binary)
            assert (status, content_type) == (200, "image/jpeg")
            pages.append(jpeg_size(data))
            # Fetched once: the same URL is gone.
            assert (await get_text(http, sim.url + binary))[0] == 404
    assert pages == [(1654, 2338, "RGB")] * 2
    completed = ET.parse(LEDM_SCAN / "HP-Officejet-6500-E710n-z__Job_Completed.xml")
    post = job.find("cnx:ScanJob/cnx:PostScanPage", NS)
    assert post is not None
    assert post.findtext("cnx:PageState", namespaces=NS) == completed.findtext(
        "cnx:ScanJob/cnx:PostScanPage/cnx:PageState", namespaces=NS
    )
    assert post.findtext("cnx:PageNumber", namespaces=NS) == "2"


async def test_ledm_job_cancel_and_refusals(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    body = (LEDM_SCAN / "ScanSettings_adf_duplex.xml").read_bytes()
    async with http.post(sim.url + "/Scan/Jobs", data=body) as response:
        assert response.status == 409  # feeder empty
    platen = body.replace(b">Adf<", b">Platen<").replace(
        b"<AdfOptions>\n\t\t<AdfOption>Duplex</AdfOption>\n\t</AdfOptions>\n", b""
    )
    async with http.post(sim.url + "/Scan/Jobs", data=platen) as response:
        assert response.status == 201
        location = response.headers["Location"]
    status = ET.fromstring((await get_text(http, sim.url + "/Scan/Status"))[1])
    assert status.findtext("cnx:ScannerState", namespaces=NS) == "BusyWithScanJob"
    async with http.put(
        location, data=b"<j:Job xmlns:j='x'><j:JobState>Paused</j:JobState></j:Job>"
    ) as response:
        assert response.status == 400
    async with http.put(location, data=b"<<") as response:
        assert response.status == 400
    cancel = f'<j:Job xmlns:j="{JOBS}"><j:JobState>Canceled</j:JobState></j:Job>'
    async with http.put(location, data=cancel.encode()) as response:
        assert response.status == 200
    job = await ledm_job(http, location)
    assert job.findtext("j:JobState", namespaces=NS) == "Canceled"
    assert (await get_text(http, sim.url + "/Jobs/JobList/999"))[0] == 404
    for bad, code in (
        (platen.replace(b">Jpeg<", b">Raw<"), 409),
        (platen.replace(b">Color<", b">Sepia<"), 409),
        (platen.replace(b">Platen<", b">Film<"), 409),
        (b"<ScanSettings/>", 400),
    ):
        async with http.post(sim.url + "/Scan/Jobs", data=bad) as response:
            assert response.status == code, bad[-200:]


async def test_defaults_job_url_and_image_bound(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    minimal = f'<scan:ScanSettings xmlns:scan="{SCAN}"/>'.encode()
    status, location = await post_job(http, sim, minimal)
    assert status == 201
    # A job's own URL answers (with the scanner's status).
    assert (await get_text(http, location))[0] == 200
    status, body, _ = await next_document(http, location)
    # Defaults: the glass, 300 dpi, the whole platen, colour JPEG.
    assert (status, jpeg_size(body)) == (200, (2550, 3508, "RGB"))
    monkeypatch.setattr(scanner_module, "MAX_PIXELS", 1000)
    async with http.post(sim.url + "/eSCL/ScanJobs", data=settings()) as response:
        assert response.status == 409
        assert "too large" in await response.text()


async def test_chunked_settings_are_read_whole_and_bounded(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")

    async def trickle(body: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(body), 50):
            await asyncio.sleep(0.001)  # separate TCP writes
            yield body[start : start + 50]

    async def flood() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 2048

    async with http.post(
        sim.url + "/eSCL/ScanJobs", data=trickle(settings())
    ) as response:
        assert response.status == 201
        job = response.headers["Location"]
    async with http.delete(job):
        pass
    async with http.post(sim.url + "/eSCL/ScanJobs", data=flood()) as response:
        assert response.status == 413


async def test_pages_slower_than_the_client(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client drains the pages made ahead and must wait for each next one."""

    def slow(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(0.15)
        return render_page(*args, **kwargs)

    monkeypatch.setattr(scanner_module, "render_page", slow)
    monkeypatch.setattr(scanner_module, "PAGE_WAIT_SECONDS", 0.05)
    sim = await simulated_printer("officejet-pro-9022e")
    assert sim.scanner is not None
    sim.set_state(feeder_sheets=scanner_module.PREFETCH + 3)
    status, pdf = await post_job(
        http, sim, settings("Feeder", document_format="application/pdf")
    )
    assert status == 201
    assert (await get_text(http, pdf + "/NextDocument"))[0] == 503  # warming up
    assert (await get_text(http, pdf + "/NextDocument"))[0] == 503  # scanning
    status, body, _ = await next_document(http, pdf)
    assert status == 200
    assert len(pdf_pages(body)) == scanner_module.PREFETCH + 3
    sim.set_state(feeder_sheets=scanner_module.PREFETCH + 2)
    status, jpeg = await post_job(http, sim, settings("Feeder"))
    assert status == 201
    assert (await get_text(http, jpeg + "/NextDocument"))[0] == 503  # warming up
    # Within PAGE_WAIT_SECONDS of a 0.15 s page: 503, the client retries.
    assert (await get_text(http, jpeg + "/NextDocument"))[0] == 503
    pages = 0
    while (await next_document(http, jpeg))[0] == 200:
        pages += 1
    assert pages == scanner_module.PREFETCH + 2
    job = sim.scanner.find(jpeg.rsplit("/", 1)[1])
    assert job is not None
    assert job.not_ready_answers >= 2


async def test_sheets_taken_out_end_the_job(
    simulated_printer: PrinterFactory,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    assert sim.scanner is not None
    sim.set_state(feeder_sheets=4)
    body = settings("Feeder")
    job = sim.scanner.start(scanner_module.parse_escl_settings(body), "escl")
    sim.state.feeder_sheets = 0  # before the feeder pulls the first sheet
    assert job.task is not None
    await job.task
    assert (job.state, job.produced, job.total) == ("Completed", 0, 4)


async def test_feeder_without_duplexer_and_glass_only_caps(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    simplex = Scanner(ScannerSpec(adf=True, duplex=False), sim.state)
    escl = ET.fromstring(simplex.capabilities("m", "s", "u"))
    assert escl.find("scan:Adf/scan:AdfDuplexInputCaps", NS) is None
    assert [e.text for e in escl.iterfind(".//scan:AdfOption", NS)] == [
        "DetectPaperLoaded"
    ]
    ledm = ET.fromstring(simplex.ledm_caps("m"))
    assert ledm.find("cnx:Adf/cnx:AdfDuplexer", NS) is None
    envy = await simulated_printer("envy-4520")
    caps = ET.fromstring((await get_text(http, envy.url + "/Scan/ScanCaps"))[1])
    assert caps.find("cnx:Adf", NS) is None
    assert caps.find("cnx:Platen/cnx:InputSourceCaps", NS) is not None


async def test_finished_jobs_history_is_bounded(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    for _ in range(scanner_module.HISTORY + 2):
        status, location = await post_job(http, sim, settings())
        assert status == 201
        async with http.delete(location) as response:
            assert response.status == 200
    root = await status_root(http, sim)
    assert len(root.findall("scan:Jobs/scan:JobInfo", NS)) == scanner_module.HISTORY


async def test_power_cycle_cancels_scan_jobs(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    status, done = await post_job(http, sim, settings())
    async with http.delete(done):
        pass
    status, running = await post_job(http, sim, settings())
    assert status == 201
    await sim.power_cycle()
    assert (await get_text(http, running + "/NextDocument"))[0] == 404
    assert (await status_root(http, sim)).find("scan:Jobs", NS) is None


async def test_escl_can_be_hidden_to_reach_ledm_scanning(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """How tests make a printer look LEDM-only (an older scanner)."""
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("http_error", status=404, paths=["/eSCL/"])
    for _ in range(2):
        assert (await get_text(http, sim.url + "/eSCL/ScannerCapabilities"))[0] == 404
    assert (await post_job(http, sim, settings()))[0] == 404
    assert (await get_text(http, sim.url + "/Scan/ScanCaps"))[0] == 200
