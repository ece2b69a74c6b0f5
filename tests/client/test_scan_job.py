"""The eSCL scan job against a real (small) aiohttp scanner on 127.0.0.1.

Covers the job loop (503 retries, 404 end, one page on the glass), the
errors (409 busy, empty feeder, jam, a failed page, too many pages), the
wrong-host Location, and that nothing is left in the folder on any failure
or cancellation. PDFs are checked with pypdfium2, JPEGs with Pillow.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import aiohttp
from PIL import Image
import pypdfium2
import pytest

from custom_components.hp_ews.client import (
    HPEWSScanError,
    HPEWSUnsupportedError,
    HPPrinter,
    HttpTransport,
    PrinterProtocol,
    Profile,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScanOptions,
    ScanSource,
)
from custom_components.hp_ews.client.scanning import common, find_scanner, run_scan
from custom_components.hp_ews.client.scanning.escl import EsclScanner

from .scan_server import STATUS_EMPTY, FakeScanner, jpeg, start, status_document

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from aiohttp.test_utils import TestServer

pytestmark = pytest.mark.usefixtures("socket_enabled")

NS = {
    "scan": "http://schemas.hp.com/imaging/escl/2011/05/03",
    "pwg": "http://www.pwg.org/schemas/2010/12/sm",
}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "RETRY_DELAY", 0.01)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def fake() -> FakeScanner:
    return FakeScanner()


@pytest.fixture
async def server(fake: FakeScanner) -> AsyncIterator[TestServer]:
    running = await start(fake)
    yield running
    await running.close()


def base_url(server: TestServer) -> str:
    return f"http://127.0.0.1:{server.port}"


async def scanner_for(
    session: aiohttp.ClientSession, server: TestServer
) -> EsclScanner:
    transport = HttpTransport(session, "127.0.0.1", timeout=5)
    found = await find_scanner(transport, base_url(server))
    assert isinstance(found, EsclScanner)
    return found


def leftovers(directory: Path) -> list[str]:
    return (
        sorted(path.name for path in directory.iterdir()) if directory.exists() else []
    )


def next_documents(fake: FakeScanner) -> int:
    return sum(1 for _, path in fake.requests if path.endswith("/NextDocument"))


async def test_feeder_pdf_streams_every_page(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.pages = [jpeg(85, 110), jpeg(170, 220), jpeg(85, 110, "L")]
    fake.not_ready = 2
    scanner = await scanner_for(session, server)
    result = await run_scan(
        scanner,
        ScanOptions(source=ScanSource.FEEDER, resolution=300),
        tmp_path / "scans",
        "letter",
    )
    assert result.pages == 3
    assert result.format is ScanFormat.PDF
    assert result.source is ScanSource.FEEDER
    assert result.files == (tmp_path / "scans" / "letter.pdf",)
    assert leftovers(tmp_path / "scans") == ["letter.pdf"]
    assert result.size == result.files[0].stat().st_size
    # 2 x 503 before each page, 3 pages, then the 404 that ends the job.
    assert next_documents(fake) == 3 * 3 + 1
    pdf = pypdfium2.PdfDocument(result.files[0])
    try:
        assert len(pdf) == 3
        # Pixels at 300 dpi in points: 85 px = 20.4 pt, 110 px = 26.4 pt.
        assert pdf[0].get_size() == pytest.approx((20.4, 26.4))
        assert pdf[1].get_size() == pytest.approx((40.8, 52.8))
        assert pdf[2].get_size() == pytest.approx((20.4, 26.4))
    finally:
        pdf.close()
    settings = ET.fromstring(fake.settings[0])
    assert settings.findtext("pwg:InputSource", namespaces=NS) == "Feeder"
    assert settings.findtext("scan:ColorMode", namespaces=NS) == "RGB24"
    assert settings.findtext("scan:Duplex", namespaces=NS) == "false"
    assert fake.deleted == []


async def test_jpeg_pages_and_duplex(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.pages = [jpeg(60, 80, "L"), jpeg(60, 80, "L")]
    scanner = await scanner_for(session, server)
    result = await run_scan(
        scanner,
        ScanOptions(
            source=ScanSource.FEEDER,
            duplex=True,
            color_mode=ScanColorMode.GRAYSCALE,
            resolution=200,
            format=ScanFormat.JPEG,
        ),
        tmp_path,
        "scan",
    )
    assert result.files == (tmp_path / "scan-1.jpg", tmp_path / "scan-2.jpg")
    assert leftovers(tmp_path) == ["scan-1.jpg", "scan-2.jpg"]
    for path in result.files:
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.size == (60, 80)
    assert result.size == sum(len(page) for page in fake.pages)
    settings = ET.fromstring(fake.settings[0])
    assert settings.findtext("scan:Duplex", namespaces=NS) == "true"
    assert settings.findtext("scan:ColorMode", namespaces=NS) == "Grayscale8"


async def test_glass_is_one_page_per_job(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    scanner = await scanner_for(session, server)
    result = await run_scan(
        scanner, ScanOptions(source=ScanSource.GLASS, duplex=True), tmp_path, "glass"
    )
    assert result.pages == 1
    assert result.source is ScanSource.GLASS
    # One 503, the page, and no further NextDocument; glass reads no status.
    assert next_documents(fake) == 2
    assert ("GET", "/eSCL/ScannerStatus") not in fake.requests
    settings = ET.fromstring(fake.settings[0])
    assert settings.findtext("pwg:InputSource", namespaces=NS) == "Platen"
    assert settings.find("scan:Duplex", NS) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (status_document(adf="ScannerAdfLoaded"), ScanSource.FEEDER),
        (STATUS_EMPTY.read_bytes(), ScanSource.GLASS),
    ],
)
async def test_auto_picks_the_feeder_only_when_loaded(
    session: aiohttp.ClientSession,
    server: TestServer,
    *,
    fake: FakeScanner,
    tmp_path: Path,
    status: bytes,
    expected: ScanSource,
) -> None:
    fake.status = status
    scanner = await scanner_for(session, server)
    result = await run_scan(scanner, ScanOptions(), tmp_path, "auto")
    assert result.source is expected


async def test_wrong_host_location_uses_the_path_on_our_origin(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.location_host = "localhost:1"  # nothing listens there
    scanner = await scanner_for(session, server)
    result = await run_scan(
        scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x"
    )
    assert result.pages == 3
    assert ("GET", "/eSCL/ScanJobs/job-1/NextDocument") in fake.requests


@pytest.mark.parametrize("status", [409, 503])
async def test_busy(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
    status: int,
) -> None:
    fake.create_status = status
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "busy")
    assert caught.value.reason is ScanErrorReason.BUSY
    assert leftovers(tmp_path) == []


async def test_refused_job_with_a_jammed_scanner_is_jammed(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.create_status = 503
    fake.status = status_document(state="Stopped", adf="ScannerAdfJam")
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.GLASS), tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.JAMMED


async def test_processing_scanner_is_busy_before_any_job(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.status = status_document(state="Processing")
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "busy")
    assert caught.value.reason is ScanErrorReason.BUSY
    assert fake.settings == []


@pytest.mark.parametrize(
    ("adf", "expected"),
    [
        ("ScannerAdfEmpty", ScanErrorReason.FEEDER_EMPTY),
        ("ScannerAdfJam", ScanErrorReason.JAMMED),
        ("ScannerAdfHatchOpen", ScanErrorReason.COVER_OPEN),
    ],
)
async def test_feeder_trouble_before_the_job(
    session: aiohttp.ClientSession,
    server: TestServer,
    *,
    fake: FakeScanner,
    tmp_path: Path,
    adf: str,
    expected: ScanErrorReason,
) -> None:
    fake.status = status_document(state="Stopped", adf=adf)
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
    assert caught.value.reason is expected
    assert fake.settings == []  # no job was created
    assert leftovers(tmp_path) == []


async def test_jam_after_pages_fails_the_scan(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    # Two pages came, then the feeder jammed: the job ends like a last page.
    fake.pages = [jpeg(40, 40)] * 2
    fake.status_after = status_document(state="Stopped", adf="ScannerAdfJam")
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.JAMMED
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("status_after", "expected"),
    [
        (STATUS_EMPTY.read_bytes(), ScanErrorReason.FEEDER_EMPTY),
        (status_document(adf="ScannerAdfLoaded"), ScanErrorReason.NO_PAGES),
    ],
)
async def test_job_without_pages(
    session: aiohttp.ClientSession,
    server: TestServer,
    *,
    fake: FakeScanner,
    tmp_path: Path,
    status_after: bytes,
    expected: ScanErrorReason,
) -> None:
    fake.pages = []
    fake.status_after = status_after
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
    assert caught.value.reason is expected
    assert leftovers(tmp_path) == []


async def test_failed_page_deletes_the_job_and_every_file(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.fail_page = 2
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.FAILED
    assert fake.deleted == ["job-1"]
    assert leftovers(tmp_path) == []


async def test_cancellation_deletes_the_job_and_every_file(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    fake.stall_page = 2
    scanner = await scanner_for(session, server)
    task = asyncio.create_task(
        run_scan(scanner, ScanOptions(source=ScanSource.FEEDER), tmp_path, "x")
    )
    await asyncio.wait_for(fake.stalled.wait(), 5)
    # Page 1 is on disk under a temporary name by now.
    assert len(leftovers(tmp_path)) == 1
    assert leftovers(tmp_path)[0].startswith(".x.")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fake.deleted == ["job-1"]
    assert leftovers(tmp_path) == []


async def test_too_many_pages(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            scanner,
            ScanOptions(source=ScanSource.FEEDER, format=ScanFormat.JPEG),
            tmp_path,
            "x",
            max_pages=2,
        )
    assert caught.value.reason is ScanErrorReason.TOO_LARGE
    assert fake.deleted == ["job-1"]
    assert leftovers(tmp_path) == []


async def test_page_and_total_bytes_are_bounded(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    scanner = await scanner_for(session, server)
    page = len(fake.pages[0])
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            scanner,
            ScanOptions(source=ScanSource.FEEDER),
            tmp_path,
            "x",
            max_total_bytes=2 * page,
        )
    assert caught.value.reason is ScanErrorReason.TOO_LARGE
    assert leftovers(tmp_path) == []


async def test_page_past_its_byte_bound(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            scanner,
            ScanOptions(source=ScanSource.FEEDER),
            tmp_path,
            "x",
            max_page_bytes=100,
        )
    assert caught.value.reason is ScanErrorReason.FAILED
    assert "could not be read" in str(caught.value)
    assert fake.deleted == ["job-1"]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", list(ScanFormat))
async def test_page_that_is_not_a_jpeg(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
    fmt: ScanFormat,
) -> None:
    fake.pages = [b"%PDF-1.4 not a jpeg"]
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            scanner, ScanOptions(source=ScanSource.GLASS, format=fmt), tmp_path, "x"
        )
    assert caught.value.reason is ScanErrorReason.FAILED
    assert fake.deleted == ["job-1"]
    assert leftovers(tmp_path) == []


async def test_taken_names_are_never_overwritten(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    (tmp_path / "doc.pdf").write_bytes(b"mine")
    (tmp_path / "page-2.jpg").write_bytes(b"mine too")
    scanner = await scanner_for(session, server)
    pdf = await run_scan(scanner, ScanOptions(source=ScanSource.GLASS), tmp_path, "doc")
    assert pdf.files == (tmp_path / "doc (2).pdf",)
    fake.pages = [jpeg(10, 10)] * 2
    fake.not_ready = 0
    pages = await run_scan(
        scanner,
        ScanOptions(source=ScanSource.FEEDER, format=ScanFormat.JPEG),
        tmp_path,
        "page",
    )
    # page-2.jpg is taken, so the whole set moves to "page (2)".
    assert pages.files == (tmp_path / "page (2)-1.jpg", tmp_path / "page (2)-2.jpg")
    assert (tmp_path / "doc.pdf").read_bytes() == b"mine"
    assert (tmp_path / "page-2.jpg").read_bytes() == b"mine too"


@pytest.mark.parametrize(
    "options",
    [
        ScanOptions(source=ScanSource.FEEDER, resolution=1200),  # glass only
        ScanOptions(source=ScanSource.GLASS, resolution=123),
    ],
)
async def test_unsupported_options(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
    options: ScanOptions,
) -> None:
    scanner = await scanner_for(session, server)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, options, tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.UNSUPPORTED_OPTION
    assert fake.settings == []


@pytest.mark.parametrize("name", ["", "a/b", "..", ".hidden", "x\x00", " padded"])
async def test_names_must_be_plain(
    session: aiohttp.ClientSession, server: TestServer, tmp_path: Path, name: str
) -> None:
    scanner = await scanner_for(session, server)
    with pytest.raises(ValueError, match="plain file name"):
        await run_scan(scanner, ScanOptions(), tmp_path, name)


async def test_printer_finds_caches_and_scans(
    session: aiohttp.ClientSession,
    server: TestServer,
    fake: FakeScanner,
    tmp_path: Path,
) -> None:
    printer = HPPrinter("127.0.0.1", session, port=server.port, timeout=5)
    printer._profile = Profile(  # no probe: the fake is a scanner only
        base_url=base_url(server), protocols=(PrinterProtocol.LEDM,)
    )
    caps = await printer.scanner_capabilities()
    assert caps.make_and_model == "HP ScanJet Pro 4500 fn1"
    assert caps.duplex is True
    before = len(fake.requests)
    assert await printer.scanner_capabilities() == caps
    assert len(fake.requests) == before  # cached
    status = await printer.scanner_status()
    assert status.adf_loaded is True
    assert len(fake.requests) == before + 1  # one GET
    result = await printer.scan(ScanOptions(), tmp_path, "via-printer", max_pages=5)
    assert result.source is ScanSource.FEEDER
    assert result.pages == 3


async def test_printer_takes_an_escl_root_override(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    fake = FakeScanner()
    server = await start(fake, root="/scanner/eSCL")
    try:
        url = f"{base_url(server)}/scanner/eSCL"
        printer = HPPrinter("127.0.0.1", session, port=server.port, escl_root=url)
        printer._profile = Profile(
            base_url=base_url(server), protocols=(PrinterProtocol.LEDM,)
        )
        assert (await printer.scanner_capabilities()).sources == (
            ScanSource.GLASS,
            ScanSource.FEEDER,
        )
        result = await printer.scan(
            ScanOptions(source=ScanSource.GLASS), tmp_path, "override"
        )
        assert result.pages == 1
        assert ("POST", "/scanner/eSCL/ScanJobs") in fake.requests
    finally:
        await server.close()


async def test_printer_without_scanner(session: aiohttp.ClientSession) -> None:
    server = await start(FakeScanner(), root="/elsewhere")
    try:
        printer = HPPrinter("127.0.0.1", session, port=server.port, timeout=2)
        printer._profile = Profile(
            base_url=base_url(server), protocols=(PrinterProtocol.LEDM,)
        )
        with pytest.raises(HPEWSUnsupportedError):
            await printer.scanner_status()
        count = printer.request_count
        # Remembered: no second search.
        with pytest.raises(HPEWSUnsupportedError):
            await printer.scanner_capabilities()
        assert printer.request_count == count
    finally:
        await server.close()
