"""LEDM ``/Scan`` scanning (printers without eSCL), on captured documents.

The documents are node-hp-scan-to's captures (OfficeJet Pro 9010 ScanCaps)
and its transcript of HP's own software scanning on an Officejet 6500
E710n-z (Scan/Status, the job in PreparingScan, ReadyToUpload, Completed),
served by a small aiohttp printer on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pypdfium2
import pytest

from custom_components.hp_ews.client import (
    HPEWSScanError,
    HttpTransport,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScannerState,
    ScanOptions,
    ScanSource,
)
from custom_components.hp_ews.client.scanning import common, find_scanner, run_scan
from custom_components.hp_ews.client.scanning.ledm import (
    LedmScanner,
    parse_job,
    parse_scan_caps,
    parse_scan_status,
)

from .scan_server import jpeg

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

SCAN = Path(__file__).parents[1] / "fixtures" / "ledm" / "scan"
CAPS = SCAN / "HP-OfficeJet-Pro-9010__ScanCaps.xml"
E710 = "HP-Officejet-6500-E710n-z__"
CNX = "{http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19}"


def test_scan_caps_capture() -> None:
    caps = parse_scan_caps(CAPS.read_bytes())
    assert caps.model == "HP OfficeJet Pro 9010 series"
    # K1 comes only Raw: not offered; Gray8 and Color8 come in Jpeg.
    assert caps.color_modes == (ScanColorMode.COLOR, ScanColorMode.GRAYSCALE)
    assert caps.platen is not None
    assert caps.feeder is not None
    assert caps.platen.resolutions == (75, 100, 150, 200, 300, 400, 600, 1200)
    assert caps.platen.max_height == 3534
    assert caps.feeder.resolutions == (75, 100, 150, 200, 300)
    assert caps.feeder.max_height == 4200
    assert caps.duplex is True  # AdfOption Duplex
    public = caps.public()
    assert public.sources == (ScanSource.GLASS, ScanSource.FEEDER)
    assert public.formats == (ScanFormat.PDF, ScanFormat.JPEG)
    assert public.make_and_model == "HP OfficeJet Pro 9010 series"


def test_scan_status_captures() -> None:
    loaded = parse_scan_status((SCAN / f"{E710}ScanStatus_loaded.xml").read_bytes())
    assert loaded.state is ScannerState.IDLE
    assert loaded.public().adf_loaded is True
    no_adf = parse_scan_status((SCAN / "ScanStatus_no_adf.xml").read_bytes())
    assert no_adf.state is ScannerState.IDLE
    assert no_adf.public().adf_loaded is None


def test_job_captures() -> None:
    preparing = parse_job((SCAN / f"{E710}Job_PreparingScan.xml").read_bytes())
    assert preparing.state == "Processing"
    assert preparing.page == 1
    assert preparing.page_state == "PreparingScan"
    ready = parse_job((SCAN / f"{E710}Job_ReadyToUpload.xml").read_bytes())
    assert ready.page_state == "ReadyToUpload"
    assert ready.binary_url == "/Scan/Jobs/2/Pages/1"
    completed = parse_job((SCAN / f"{E710}Job_Completed.xml").read_bytes())
    assert completed.state == "Completed"
    assert completed.page is None


def _page(number: int, state: str) -> bytes:
    """The captured ReadyToUpload job, for page ``number`` in ``state``."""
    text = (SCAN / f"{E710}Job_ReadyToUpload.xml").read_text()
    return (
        text.replace("<PageNumber>1</PageNumber>", f"<PageNumber>{number}</PageNumber>")
        .replace(
            "<PageState>ReadyToUpload</PageState>", f"<PageState>{state}</PageState>"
        )
        .replace("/Scan/Jobs/2/Pages/1", f"/Scan/Jobs/2/Pages/{number}")
        .encode()
    )


class FakeLedm:
    """A printer that scans like the E710n-z transcript: poll, page, poll."""

    def __init__(self, pages: int = 2) -> None:
        self.pages = pages
        self.polls = 0
        self.fetched = 0
        self.status = (SCAN / f"{E710}ScanStatus_loaded.xml").read_bytes()
        self.settings: list[bytes] = []
        self.cancelled: list[bytes] = []
        self.create_status = 201
        self.fail_page: int | None = None
        self.stall = asyncio.Event()
        self.stall_page: int | None = None
        self.end_state = "Completed"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/Scan/ScanCaps", self._caps)
        app.router.add_get("/Scan/Status", self._status)
        app.router.add_post("/Scan/Jobs", self._create)
        app.router.add_get("/Jobs/JobList/2", self._job)
        app.router.add_put("/Jobs/JobList/2", self._cancel)
        app.router.add_get("/Scan/Jobs/2/Pages/{n}", self._binary)
        return app

    async def _caps(self, request: web.Request) -> web.Response:
        return web.Response(body=CAPS.read_bytes(), content_type="text/xml")

    async def _status(self, request: web.Request) -> web.Response:
        return web.Response(body=self.status, content_type="text/xml")

    async def _create(self, request: web.Request) -> web.Response:
        self.settings.append(await request.read())
        if self.create_status != 201:
            return web.Response(status=self.create_status)
        # The transcript's Location names the printer's own address: use the path.
        return web.Response(
            status=201, headers={"Location": "http://192.0.2.7:8080/Jobs/JobList/2"}
        )

    async def _job(self, request: web.Request) -> web.Response:
        self.polls += 1
        if self.fetched >= self.pages:
            body = (SCAN / f"{E710}Job_Completed.xml").read_text()
            body = body.replace(">Completed<", f">{self.end_state}<")
            return web.Response(body=body.encode(), content_type="text/xml")
        number = self.fetched + 1
        # Every other poll the page is still being scanned.
        state = "ReadyToUpload" if self.polls % 2 == 0 else "PreparingScan"
        return web.Response(body=_page(number, state), content_type="text/xml")

    async def _binary(self, request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        if number == self.stall_page:
            self.stall.set()
            await asyncio.sleep(3600)
        if number == self.fail_page:
            return web.Response(status=500)
        self.fetched = number
        return web.Response(body=jpeg(50, 70), content_type="image/jpeg")

    async def _cancel(self, request: web.Request) -> web.Response:
        self.cancelled.append(await request.read())
        return web.Response(status=200)


def names(directory: Path) -> list[str]:
    """The files in ``directory`` (temporary ones included)."""
    return sorted(path.name for path in directory.iterdir())


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "RETRY_DELAY", 0.01)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def _scanner(
    session: aiohttp.ClientSession, fake: FakeLedm
) -> tuple[LedmScanner, TestServer]:
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    transport = HttpTransport(session, "127.0.0.1", timeout=5)
    # No /eSCL here: the search falls back to LEDM (and never tries port 8080).
    found = await find_scanner(transport, f"http://127.0.0.1:{server.port}")
    assert isinstance(found, LedmScanner)
    return found, server


@pytest.mark.usefixtures("socket_enabled")
async def test_feeder_duplex_pdf(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    fake = FakeLedm(pages=3)
    scanner, server = await _scanner(session, fake)
    try:
        result = await run_scan(
            scanner,
            ScanOptions(duplex=True, resolution=200),  # AUTO: the feeder is loaded
            tmp_path,
            "ledm",
        )
    finally:
        await server.close()
    assert result.source is ScanSource.FEEDER
    assert result.pages == 3
    assert names(tmp_path) == ["ledm.pdf"]
    pdf = pypdfium2.PdfDocument(result.files[0])
    try:
        assert len(pdf) == 3
        assert pdf[0].get_size() == pytest.approx((50 * 72 / 200, 70 * 72 / 200))
    finally:
        pdf.close()
    settings = ET.fromstring(fake.settings[0])
    assert settings.findtext(f"{CNX}InputSource") == "Adf"
    assert settings.findtext(f"{CNX}XResolution") == "200"
    assert settings.findtext(f"{CNX}Format") == "Jpeg"
    assert settings.findtext(f"{CNX}ColorSpace") == "Color"
    assert settings.findtext(f"{CNX}AdfOptions/{CNX}AdfOption") == "Duplex"
    assert fake.cancelled == []


@pytest.mark.usefixtures("socket_enabled")
async def test_glass_gray_jpeg(session: aiohttp.ClientSession, tmp_path: Path) -> None:
    fake = FakeLedm(pages=1)
    scanner, server = await _scanner(session, fake)
    try:
        result = await run_scan(
            scanner,
            ScanOptions(
                source=ScanSource.GLASS,
                color_mode=ScanColorMode.GRAYSCALE,
                format=ScanFormat.JPEG,
            ),
            tmp_path,
            "glass",
        )
    finally:
        await server.close()
    assert result.files == (tmp_path / "glass-1.jpg",)
    settings = ET.fromstring(fake.settings[0])
    assert settings.findtext(f"{CNX}InputSource") == "Platen"
    assert settings.findtext(f"{CNX}ColorSpace") == "Gray"
    assert settings.find(f"{CNX}AdfOptions") is None


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"create_status": 503}, ScanErrorReason.BUSY),
        ({"fail_page": 2}, ScanErrorReason.FAILED),
        ({"end_state": "Canceled"}, ScanErrorReason.CANCELED),
    ],
)
async def test_failures_cancel_and_leave_nothing(
    session: aiohttp.ClientSession,
    tmp_path: Path,
    change: dict[str, object],
    expected: ScanErrorReason,
) -> None:
    fake = FakeLedm(pages=2)
    for key, value in change.items():
        setattr(fake, key, value)
    scanner, server = await _scanner(session, fake)
    try:
        with pytest.raises(HPEWSScanError) as caught:
            await run_scan(
                scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x"
            )
    finally:
        await server.close()
    assert caught.value.reason is expected
    assert names(tmp_path) == []
    if expected is ScanErrorReason.FAILED:
        assert len(fake.cancelled) == 1
        root = ET.fromstring(fake.cancelled[0])
        assert (
            root.findtext(
                "{http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30}JobState"
            )
            == "Canceled"
        )


@pytest.mark.usefixtures("socket_enabled")
async def test_cancellation_cancels_the_job(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    fake = FakeLedm(pages=3)
    fake.stall_page = 2
    scanner, server = await _scanner(session, fake)
    try:
        task = asyncio.create_task(
            run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
        )
        await asyncio.wait_for(fake.stall.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await server.close()
    assert len(fake.cancelled) == 1
    assert names(tmp_path) == []


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("<ScannerState>BusyWithScanJob</ScannerState>", ScanErrorReason.BUSY),
        (
            "<ScannerState>Idle</ScannerState><AdfState>Empty</AdfState>",
            ScanErrorReason.FEEDER_EMPTY,
        ),
        (
            "<ScannerState>AdfError</ScannerState><AdfState>Jammed</AdfState>",
            ScanErrorReason.JAMMED,
        ),
    ],
)
async def test_status_stops_the_scan_before_a_job(
    session: aiohttp.ClientSession,
    tmp_path: Path,
    status: str,
    expected: ScanErrorReason,
) -> None:
    fake = FakeLedm()
    fake.status = (
        '<ScanStatus xmlns="http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19">'
        f"{status}</ScanStatus>"
    ).encode()
    scanner, server = await _scanner(session, fake)
    try:
        with pytest.raises(HPEWSScanError) as caught:
            await run_scan(
                scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x"
            )
        assert caught.value.reason is expected
        assert fake.settings == []
        assert (await scanner.status()).state in set(ScannerState)
    finally:
        await server.close()


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    "options",
    [
        ScanOptions(source=ScanSource.FEEDER, resolution=600),
        ScanOptions(color_mode=ScanColorMode.BLACK_AND_WHITE),
    ],
)
async def test_unsupported_options(
    session: aiohttp.ClientSession, tmp_path: Path, options: ScanOptions
) -> None:
    fake = FakeLedm()
    scanner, server = await _scanner(session, fake)
    try:
        with pytest.raises(HPEWSScanError) as caught:
            await run_scan(scanner, options, tmp_path, "x")
    finally:
        await server.close()
    assert caught.value.reason is ScanErrorReason.UNSUPPORTED_OPTION
    assert fake.settings == []
