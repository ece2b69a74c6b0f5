"""The command line: JSON shape and values, probe, capture, exit codes."""

from __future__ import annotations

import asyncio
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import io
import json
from pathlib import Path
import struct
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw
import pytest

from custom_components.hp_ews.client.__main__ import main
from custom_components.hp_ews.client.capture import Capture, read_capture, write_capture
from simulator.testing import simulated_printer  # noqa: F401

from .printing.helpers import raw_job_done
from .printing.test_raster import decode_pwg

if TYPE_CHECKING:
    from collections.abc import Iterator

    from simulator.testing import PrinterFactory

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURES = FIXTURES / "captures"
ROOT = Path(__file__).parents[2]

INFO_FIELDS = {
    "manufacturer",
    "model",
    "series",
    "serial_number",
    "firmware",
    "uuid",
    "mac",
    "product_number",
    "ews_url",
    "uptime_seconds",
    "booted_at",
}
STATUS_FIELDS = {
    "state",
    "paper_jam",
    "door_open",
    "out_of_paper",
    "output_full",
    "supply_missing",
    "supply_low",
    "message",
    "alerts",
    "raw_codes",
    "change_marker",
    "in_power_save",
    "has_problem",
}
SUPPLY_FIELDS = {
    "key",
    "color",
    "kind",
    "state",
    "level_percent",
    "pages_remaining",
    "part_number",
    "genuine",
    "description",
    "raw_kind",
    "raw_state",
}
COUNTER_FIELDS = {
    "total_pages",
    "monochrome_pages",
    "color_pages",
    "duplex_sheets",
    "jam_events",
    "scan_pages",
    "copy_pages",
    "fax_pages",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_snapshot_json_from_capture(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "snapshot",
        "--capture",
        str(CAPTURES / "color-laserjet-m255dw"),
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {
        "info",
        "status",
        "supplies",
        "counters",
        "ipp",
        "sources",
        "trays",
        "firmware",
    }
    assert set(data["info"]) == INFO_FIELDS
    assert set(data["status"]) == STATUS_FIELDS
    assert set(data["counters"]) == COUNTER_FIELDS
    assert all(set(supply) == SUPPLY_FIELDS for supply in data["supplies"])
    # Values from the M255dw fixtures: inPowerSave, toner K/C/M/Y 20/30/50/40 with
    # EstimatedPagesRemaining 550/800/1600/1150, TotalImpressions 1344.
    assert data["status"]["state"] == "power_save"
    assert data["status"]["in_power_save"] is True
    assert data["status"]["paper_jam"] is False
    assert data["status"]["door_open"] is False
    assert data["status"]["out_of_paper"] is False
    assert data["status"]["message"] == "Modalità Pausa attiva."
    assert {a["code"] for a in data["status"]["alerts"]} == {"genuineHP"}
    assert {a["severity"] for a in data["status"]["alerts"]} == {"info"}
    assert [
        (s["color"], s["kind"], s["level_percent"], s["pages_remaining"], s["state"])
        for s in data["supplies"]
    ] == [
        ("K", "toner", 20, 550, "ok"),
        ("C", "toner", 30, 800, "ok"),
        ("M", "toner", 50, 1600, "ok"),
        ("Y", "toner", 40, 1150, "ok"),
    ]
    assert data["counters"]["total_pages"] == 1344
    assert data["counters"]["duplex_sheets"] == 408
    assert data["sources"] == {
        "info": None,
        "status": "ledm",
        "supplies": "ledm",
        "counters": "ledm",
    }
    assert data["ipp"] is None
    # Neither MediaHandlingDyn nor IPP in this capture: no trays, no uptime.
    assert data["trays"] == []
    assert data["info"]["uptime_seconds"] is None
    assert data["firmware"] == {
        "installed": None,
        "available": None,
        "auto_update": None,
    }


def test_snapshot_json_ipp_capture(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "snapshot", "--capture", str(CAPTURES / "color-laserjet-mfp-m476dn")
    )
    assert code == 0
    data = json.loads(out)
    assert data["info"]["model"] == "HP Color LaserJet MFP M476dn"
    assert data["status"]["state"] == "idle"
    assert data["ipp"]["operations"][-1] == "Identify-Printer"
    assert "application/pdf" in data["ipp"]["document_formats"]
    assert data["sources"]["status"] == "ipp"
    # The M476dn sends printer-up-time 0 (RFC 8011 wants >= 1): unknown.
    assert data["info"]["uptime_seconds"] is None
    assert data["info"]["booted_at"] is None
    assert data["firmware"] == {
        "installed": None,
        "available": None,
        "auto_update": None,
    }


def test_errors_exit_non_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "snapshot", "--capture", str(tmp_path))
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1

    code, _, err = run(capsys, "probe", "ftp://printer")
    assert code == 1
    assert "Invalid URL" in err


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["snapshot"])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main([])
    capsys.readouterr()


# --- against a printer on 127.0.0.1 ---------------------------------------------------


def composite_capture() -> Capture:
    """The 9022e's LEDM documents, a DiscoveryTree listing them (an inkjet's
    from node-hp-scan-to) and an IPP answer (the M476dn's), as one printer."""
    ledm = read_capture(CAPTURES / "officejet-pro-9022e")
    tree = (
        FIXTURES / "ledm" / "node-hp-scan-to_inkjet-A__DiscoveryTree.xml"
    ).read_bytes()
    ipp = read_capture(CAPTURES / "color-laserjet-mfp-m476dn")
    return Capture(
        meta={"format": 1},
        http={**ledm.http, "/DevMgmt/DiscoveryTree.xml": tree},
        ipp=ipp.ipp,
    )


class CaptureServer(ThreadingHTTPServer):
    capture: Capture
    seen: list[str]


class Handler(BaseHTTPRequestHandler):
    server: CaptureServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append(f"GET {self.path}")
        body = self.server.capture.http.get(self.path.split("?")[0])
        if body is None:
            self._reply(404, b"", "text/plain")
        else:
            self._reply(200, body, "text/xml")

    def do_POST(self) -> None:
        self.server.seen.append(f"POST {self.path}")
        request = self.rfile.read(int(self.headers["Content-Length"]))
        answer = self.server.capture.ipp.get("Get-Printer-Attributes")
        if self.path != "/ipp/print" or answer is None:
            self._reply(404, b"", "text/plain")
            return
        request_id = struct.unpack(">I", request[4:8])[0]
        self._reply(
            200,
            answer[:4] + struct.pack(">I", request_id) + answer[8:],
            "application/ipp",
        )


@pytest.fixture
def printer_url() -> Iterator[tuple[str, CaptureServer]]:
    server = CaptureServer(("127.0.0.1", 0), Handler)
    server.capture = composite_capture()
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.usefixtures("socket_enabled")
def test_probe_snapshot_capture_against_a_server(
    capsys: pytest.CaptureFixture[str],
    printer_url: tuple[str, CaptureServer],
    tmp_path: Path,
) -> None:
    url, server = printer_url
    code, out, err = run(capsys, "probe", url)
    assert code == 0, err
    profile = json.loads(out)
    assert profile["protocols"] == ["ledm", "ipp"]
    assert profile["base_url"] == url
    assert profile["ipp_url"] == f"{url}/ipp/print"
    assert "/DevMgmt/ProductStatusDyn.xml" in profile["ledm_resources"]

    code, out, err = run(capsys, "--timeout", "5", "snapshot", url, "--json")
    assert code == 0, err
    data = json.loads(out)
    # 9022e: SKUIdentifier 9022e, inPowerSave, ink C/M/Y 40 K 80; IPP adds the UUID.
    assert data["info"]["model"] == "HP OfficeJet Pro 9022e"
    assert data["info"]["uuid"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert data["status"]["state"] == "power_save"
    assert [s["level_percent"] for s in data["supplies"]] == [None, 40, 40, 40, 80]
    assert data["sources"]["info"] == "ledm"

    server.seen.clear()
    code, out, err = run(capsys, "capture", url, str(tmp_path / "cap"))
    assert code == 0, err
    assert "cap" in out
    # The probe (web server and IPP side by side), then read-only documents.
    assert "GET /cdm/servicesDiscovery" in server.seen
    assert all(
        line == "GET /cdm/servicesDiscovery"
        or line.startswith(("GET /DevMgmt/", "POST /ipp/print"))
        for line in server.seen
    )
    assert "GET /DevMgmt/MediaHandlingDyn.xml" in server.seen
    written = read_capture(tmp_path / "cap")
    assert written.meta["protocols"] == ["ledm", "ipp"]
    assert "/DevMgmt/ProductStatusDyn.xml" in written.http
    assert "Get-Printer-Attributes" in written.ipp

    code, out, _ = run(capsys, "snapshot", "--capture", str(tmp_path / "cap"))
    assert code == 0
    replayed = json.loads(out)
    assert replayed["info"]["model"] == "HP OfficeJet Pro 9022e"
    assert replayed["info"]["uuid"] != data["info"]["uuid"]  # redacted
    assert replayed["supplies"] == data["supplies"]


def test_python_dash_m(tmp_path: Path) -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    write_capture(tmp_path, capture)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "custom_components.hp_ews.client",
            "snapshot",
            "--capture",
            str(tmp_path),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # identity (raw): skuIdentifier 588; lifetimeCounters impressions total 10531.
    assert data["info"]["model"] == "HP Smart Tank 588"
    assert data["counters"]["total_pages"] == 10531
    assert data["sources"]["status"] == "cdm"


# --- print: the action's library path against the simulator -------------------------------


@pytest.fixture(scope="module")
def three_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An A4 PDF of 3 pages, each with a black bar lower than the last."""
    pages = []
    for number in range(3):
        page = Image.new("RGB", (595, 842), "white")
        top = 100 + number * 150
        ImageDraw.Draw(page).rectangle((50, top, 545, top + 60), fill="black")
        pages.append(page)
    pdf = tmp_path_factory.mktemp("print") / "bars.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=72)
    return pdf


async def run_async(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """main() in a worker thread: it runs its own event loop, while the
    simulator keeps answering on the test's."""
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("socket_enabled")
async def test_print_converts_for_an_inkjet_without_pdf(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
    three_pages: Path,
) -> None:
    # ENVY 4520: document-format-supported has PWG raster and URF, no PDF.
    sim = await simulated_printer("envy-4520")
    code, out, err = await run_async(
        capsys,
        "--timeout",
        "5",
        "print",
        sim.url,
        str(three_pages),
        "--media",
        "A4",
        "--pages",
        "1,3",
        "--wait",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {
        "job_id",
        "document_format",
        "state",
        "pages",
        "job_name",
        "state_reasons",
        "converted",
    }
    assert result["state"] == "completed"
    assert result["document_format"] == "image/pwg-raster"
    assert result["converted"] is True
    assert result["pages"] == 2
    assert result["job_name"] == "bars.pdf"
    (job,) = sim.jobs
    assert job.id == result["job_id"]
    assert job.attributes["job-name"] == "bars.pdf"
    # Pages 1 and 3 were rendered (the printer must not select them again).
    assert "page-ranges" not in job.attributes
    pages = decode_pwg(job.document())
    assert len(pages) == 2
    assert all(
        (page.header["PageSize0"], page.header["PageSize1"]) == (595, 841)
        for page in pages
    )


@pytest.mark.usefixtures("socket_enabled")
async def test_print_passes_a_pdf_through_with_the_options(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
    three_pages: Path,
) -> None:
    # Color LaserJet Pro M255dw: takes application/pdf as it is.
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    code, out, err = await run_async(
        capsys,
        "print",
        sim.url,
        str(three_pages),
        "--copies",
        "2",
        "--sides",
        "two-sided-long-edge",
        "--color-mode",
        "monochrome",
        "--pages",
        "1-2",
        "--wait",
    )
    assert code == 0, err
    (job,) = sim.jobs
    # The pages are the job-impressions-completed the printer reports.
    assert out.strip() == (
        f"Job {job.id}: completed (application/pdf, {job.impressions_completed} pages)"
    )
    assert job.document() == await asyncio.to_thread(three_pages.read_bytes)
    assert job.document_format == "application/pdf"
    attributes = job.attributes
    assert attributes["copies"] == 2
    assert attributes["sides"] == "two-sided-long-edge"
    assert attributes["print-color-mode"] == "monochrome"
    # --pages 1-2 arrives as the rangeOfInteger 1..2 (RFC 8011 page-ranges).
    assert attributes["page-ranges"] == "1-2"


@pytest.mark.usefixtures("socket_enabled")
async def test_print_from_standard_input(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await simulated_printer("envy-4520")
    text = b"Daily agenda\n\n08:00 coffee\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    code, out, err = await run_async(capsys, "print", sim.url, "-", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["document_format"] == "image/pwg-raster"  # text, rendered
    assert result["pages"] == 1
    assert result["job_name"] is None
    await sim.wait_for_jobs()
    assert len(decode_pwg(sim.jobs[0].document())) == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_print_falls_back_to_the_raw_port_without_ipp(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
    tmp_path: Path,
) -> None:
    # An LEDM printer whose IPP answers 404: nothing to print over but its raw port.
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("http_error", status=404, paths=["/ipp/"])
    document = tmp_path / "note.txt"
    document.write_bytes(b"Raw port\n")
    args = ("print", sim.url, str(document), "--raw-port", str(sim.raw_port))
    code, _, err = await run_async(capsys, *args)
    assert code == 1
    assert "IPP" in err
    assert "neither" not in err  # found as LEDM; refused for want of IPP
    assert sim.jobs == []

    code, out, err = await run_async(
        capsys, *args, "--raw-formats", "image/pwg-raster", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    # No job ids on a raw port; text is rendered to the one format it names.
    assert (result["job_id"], result["document_format"]) == (0, "image/pwg-raster")
    await raw_job_done(sim)
    assert len(decode_pwg(sim.jobs[0].document())) == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_print_errors_exit_non_zero(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
    tmp_path: Path,
    three_pages: Path,
) -> None:
    sim = await simulated_printer("envy-4520")
    postscript = tmp_path / "old.ps"
    postscript.write_bytes(b"%!PS-Adobe-3.0\nshowpage\n")
    for argv, message in (
        (["print", sim.url, str(tmp_path / "gone.pdf")], "not found"),
        (["print", sim.url, str(postscript)], "application/postscript"),
        (["print", sim.url, str(three_pages), "--pages", "x"], "page range"),
        (["print", sim.url, str(three_pages), "--copies", "0"], "copies"),
    ):
        code, out, err = await run_async(capsys, *argv)
        assert code == 1, argv
        assert out == ""
        assert err.startswith("error: ")
        assert message in err, err
    assert sim.jobs == []
