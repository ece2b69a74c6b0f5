"""End to end: HPPrinter scanning from the simulator (eSCL, and LEDM /Scan).

The simulator's scanner (simulator/scanner.py) is built from the same
captures and makes real JPEG pages; these tests run the client's whole path
against it: probe, find the scanner, the job loop, PDF/JPEG files.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import aiohttp
from PIL import Image
import pypdfium2
import pytest

from custom_components.hp_ews.client import (
    HPEWSScanError,
    HPEWSUnsupportedError,
    HPPrinter,
    HttpTransport,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScannerState,
    ScanOptions,
    ScanSource,
)
from custom_components.hp_ews.client.__main__ import main
from custom_components.hp_ews.client.scanning import common, run_scan
from custom_components.hp_ews.client.scanning.scanner import ledm_scanner
from simulator.testing import simulated_printer  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from simulator.testing import PrinterFactory

pytestmark = pytest.mark.usefixtures("socket_enabled")


def names(directory: Path) -> list[str]:
    """The files in ``directory`` (temporary ones included)."""
    return sorted(path.name for path in directory.iterdir())


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "RETRY_DELAY", 0.05)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_feeder_duplex_pdf_from_the_simulator(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=3)
    printer = HPPrinter.from_url(sim.url, session)
    caps = await printer.scanner_capabilities()
    assert caps.sources == (ScanSource.GLASS, ScanSource.FEEDER)
    assert caps.duplex is True
    status = await printer.scanner_status()
    assert status.adf_loaded is True
    assert status.state is ScannerState.IDLE
    result = await printer.scan(
        ScanOptions(duplex=True, resolution=75), tmp_path, "duplex"
    )
    assert result.source is ScanSource.FEEDER
    assert result.pages == 6  # 3 sheets, both sides
    assert names(tmp_path) == ["duplex.pdf"]
    assert sim.state.feeder_sheets == 0
    pdf = pypdfium2.PdfDocument(result.files[0])
    try:
        assert len(pdf) == 6
        width, height = pdf[0].get_size()
        # Letter-wide at 75 dpi: 8.5 in = 612 pt (the region is the full width).
        assert width == pytest.approx(612, abs=1)
        assert height > width
    finally:
        pdf.close()
    assert (await printer.scanner_status()).adf_loaded is False


async def test_glass_gray_jpeg_and_auto_without_paper(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    printer = HPPrinter.from_url(sim.url, session)
    # AUTO with an empty feeder takes the glass: one page.
    result = await printer.scan(
        ScanOptions(
            color_mode=ScanColorMode.GRAYSCALE, resolution=75, format=ScanFormat.JPEG
        ),
        tmp_path,
        "glass",
    )
    assert result.source is ScanSource.GLASS
    assert result.files == (tmp_path / "glass-1.jpg",)
    with Image.open(result.files[0]) as image:
        assert image.format == "JPEG"
        assert image.mode == "L"


async def test_empty_feeder_and_jam_from_the_simulator(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    printer = HPPrinter.from_url(sim.url, session)
    options = ScanOptions(source=ScanSource.FEEDER, resolution=75)
    with pytest.raises(HPEWSScanError) as caught:
        await printer.scan(options, tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.FEEDER_EMPTY
    sim.set_state(feeder_sheets=2, paper_jam=True)
    with pytest.raises(HPEWSScanError) as caught:
        await printer.scan(options, tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.JAMMED
    assert names(tmp_path) == []


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"paper_jam": True}, ScanErrorReason.JAMMED),
        ({"door_open": True}, ScanErrorReason.COVER_OPEN),
    ],
)
async def test_glass_refused_for_a_named_reason(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
    state: dict[str, bool],
    expected: ScanErrorReason,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(**state)
    printer = HPPrinter.from_url(sim.url, session)
    with pytest.raises(HPEWSScanError) as caught:
        await printer.scan(ScanOptions(source=ScanSource.GLASS), tmp_path, "x")
    # The scanner refuses the job (503); its status says why, not "busy".
    assert caught.value.reason is expected
    assert names(tmp_path) == []


async def test_ledm_scan_path_against_the_simulator(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=2)
    transport = HttpTransport(session, "127.0.0.1")
    scanner = await ledm_scanner(transport, sim.url)
    assert scanner is not None
    assert scanner.capabilities().duplex is True
    result = await run_scan(
        scanner, ScanOptions(source=ScanSource.FEEDER, resolution=75), tmp_path, "ledm"
    )
    assert result.pages == 2
    pdf = pypdfium2.PdfDocument(result.files[0])
    try:
        assert len(pdf) == 2
    finally:
        pdf.close()


async def test_printer_finds_ledm_scanning_without_escl(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    # An LEDM all-in-one without eSCL (the simulator's is hidden): HPPrinter
    # finds /Scan/ScanCaps and scans through /Scan/Jobs.
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("http_error", status=404, paths=["/eSCL/"])
    sim.set_state(feeder_sheets=2)
    printer = HPPrinter.from_url(sim.url, session)
    caps = await printer.scanner_capabilities()
    assert caps.sources == (ScanSource.GLASS, ScanSource.FEEDER)
    assert (await printer.scanner_status()).adf_loaded is True
    result = await printer.scan(
        ScanOptions(resolution=75, format=ScanFormat.JPEG), tmp_path, "ledm"
    )
    assert result.source is ScanSource.FEEDER
    assert result.files == (tmp_path / "ledm-1.jpg", tmp_path / "ledm-2.jpg")


async def test_printer_without_scanner(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    printer = HPPrinter.from_url(sim.url, session, timeout=2)
    with pytest.raises(HPEWSUnsupportedError):
        await printer.scanner_capabilities()


async def test_cdm_printer_glass_scanner(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    printer = HPPrinter.from_url(sim.url, session)
    caps = await printer.scanner_capabilities()
    assert caps.sources == (ScanSource.GLASS,)
    assert (await printer.scanner_status()).adf_loaded is None
    # AUTO on a glass-only scanner: the glass, without asking the status.
    result = await printer.scan(ScanOptions(resolution=75), tmp_path, "tank")
    assert result.source is ScanSource.GLASS
    assert names(tmp_path) == ["tank.pdf"]


async def test_cli_scan_and_scanner(
    simulated_printer: PrinterFactory,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(feeder_sheets=2)
    # The CLI runs its own event loop: in a thread, beside the simulator's.
    code = await asyncio.to_thread(main, ["scanner", sim.url, "--json"])
    assert code == 0
    scanner = json.loads(capsys.readouterr().out)
    assert scanner["sources"] == ["glass", "feeder"]
    assert scanner["duplex"] is True
    assert scanner["adf_loaded"] is True
    assert scanner["state"] == "idle"
    assert scanner["formats"] == ["pdf", "jpeg"]
    assert 300 in scanner["resolutions"]
    assert "grayscale" in scanner["color_modes"]
    code = await asyncio.to_thread(
        main,
        [
            "scan",
            sim.url,
            "--source",
            "feeder",
            "--resolution",
            "75",
            "--format",
            "jpeg",
            "--output",
            str(tmp_path / "cli.jpg"),
            "--json",
        ],
    )
    assert code == 0
    scan = json.loads(capsys.readouterr().out)
    assert scan["pages"] == 2
    assert scan["format"] == "jpeg"
    assert scan["source"] == "feeder"
    assert scan["files"] == [str(tmp_path / "cli-1.jpg"), str(tmp_path / "cli-2.jpg")]
    # An empty feeder is one line on stderr and status 1.
    code = await asyncio.to_thread(
        main, ["scan", sim.url, "--source", "feeder", "--output", str(tmp_path)]
    )
    assert code == 1
    assert "feeder is empty" in capsys.readouterr().err
