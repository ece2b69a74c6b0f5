"""Printing to CUPS's ``ippeveprinter``: a real IPP Everywhere implementation.

One printer (and one that requires authentication) is started per module
on free loopback ports. ``-k -d SPOOL`` keeps every received document byte
for byte; ``-c`` runs a tiny script per job instead of the 5-15 s simulated
printing, so a job takes a known time (long enough to see
``server-error-busy``: ippeveprinter prints one job at a time).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import aiohttp
from PIL import Image
import pytest

from custom_components.hp_ews.client.errors import HPEWSAuthenticationError
from custom_components.hp_ews.client.ipp import JobState
from custom_components.hp_ews.client.printing import submit
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.submit import (
    cancel_job,
    get_print_capabilities,
    print_document,
    wait_for_job,
)
from custom_components.hp_ews.client.transport import HttpTransport

from .test_raster import Cups

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("socket_enabled")

JOB_SECONDS = 1
PDF_BYTES: dict[Path, bytes] = {}
"""The test PDFs' bytes, read once (no file I/O in async tests)."""
"""How long the print command takes per job."""


@dataclass
class EvePrinter:
    url: str
    auth_url: str
    spool: Path

    def received(self, job_id: int) -> bytes:
        """The document of a finished job as ippeveprinter stored it."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            # (-c also leaves the command's output as <id>-<name>.prn)
            found = [
                path for path in self.spool.glob(f"{job_id}-*") if path.suffix != ".prn"
            ]
            if found:
                return found[0].read_bytes()
            time.sleep(0.05)
        raise AssertionError(f"no spool file for job {job_id}")


def _free_port() -> int:
    # pytest-socket blocks sockets in this process outside socket_enabled tests.
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
                "print(s.getsockname()[1])"
            ),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(found.stdout)


def _wait_ready(uri: str, process: subprocess.Popen[bytes]) -> None:
    # ipptool runs in its own process: pytest-socket does not block it.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ippeveprinter exited with {process.returncode}")
        done = subprocess.run(
            ["ipptool", "-q", "-T", "2", uri, "get-printer-attributes.test"],
            check=False,
            capture_output=True,
        )
        if done.returncode == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"{uri} did not come up")


@pytest.fixture(scope="module")
def eve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvePrinter]:
    missing = [
        t for t in ("ippeveprinter", "ipptool", "dbus-daemon") if not shutil.which(t)
    ]
    if missing:
        message = (
            f"CUPS tools missing: {', '.join(missing)} (Debian cups-ipp-utils, dbus)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("ippeveprinter")
    spool = base / "spool"
    spool.mkdir()
    command = base / "print-command"
    command.write_text(f"#!/bin/sh\nsleep {JOB_SECONDS}\nexit 0\n")
    command.chmod(0o755)
    bus = f"unix:path={base}/bus"
    dbus = subprocess.run(
        ["dbus-daemon", "--session", f"--address={bus}", "--fork", "--print-pid"],
        check=True,
        capture_output=True,
        text=True,
    )
    dbus_pid = int(dbus.stdout.split()[0])
    env = {
        **os.environ,
        "DBUS_SYSTEM_BUS_ADDRESS": bus,
        "DBUS_SESSION_BUS_ADDRESS": bus,
    }
    processes: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for name, extra in (("HP Test", []), ("HP Locked", ["-A"])):
            port = _free_port()
            ports.append(port)
            processes.append(
                subprocess.Popen(
                    [
                        "ippeveprinter",
                        "-p",
                        str(port),
                        "-n",
                        "localhost",
                        "-r",
                        "off",
                        "-k",
                        "-d",
                        str(spool),
                        "-c",
                        str(command),
                        *extra,
                        "-M",
                        "HP",
                        "-m",
                        "LaserJet Test",
                        "-f",
                        "application/pdf,image/pwg-raster,image/urf,image/jpeg",
                        name,
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            _wait_ready(f"ipp://127.0.0.1:{port}/ipp/print", process)
        yield EvePrinter(
            url=f"http://127.0.0.1:{ports[0]}/ipp/print",
            auth_url=f"http://127.0.0.1:{ports[1]}/ipp/print",
            spool=spool,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        os.kill(dbus_pid, signal.SIGTERM)


@pytest.fixture
async def transport() -> AsyncIterator[HttpTransport]:
    async with aiohttp.ClientSession() as session:
        yield HttpTransport(session, "127.0.0.1", timeout=30)


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-page A4 PDF made by Pillow's PDF writer (72 dpi images)."""
    path = tmp_path_factory.mktemp("documents") / "three.pdf"
    pages = [Image.new("L", (595, 842), shade) for shade in (255, 200, 150)]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=72)
    PDF_BYTES[path] = path.read_bytes()
    return path


async def _wait_all_jobs(eve: EvePrinter, transport: HttpTransport) -> None:
    for path in eve.spool.glob("*.prn"):
        job_id = int(path.name.split("-", 1)[0])
        await wait_for_job(transport, eve.url, job_id, wait_timeout=20)


async def test_capabilities_from_a_real_ipp_printer(
    eve: EvePrinter, transport: HttpTransport
) -> None:
    caps = await get_print_capabilities(transport, eve.url)
    # What ippeveprinter -f and its defaults advertise (see ipptool -tv).
    assert "application/pdf" in caps.document_formats
    assert "image/pwg-raster" in caps.document_formats
    assert caps.pwg_raster_types == ("black_1", "sgray_8")
    assert caps.pwg_raster_resolutions == (300, 600)
    assert "W8" in caps.urf_supported
    assert caps.urf_resolutions() == (600,)
    assert caps.color_supported is False
    assert {"Print-Job", "Validate-Job", "Create-Job", "Send-Document"} <= set(
        caps.operations
    )


async def test_pdf_is_sent_byte_for_byte(
    eve: EvePrinter, transport: HttpTransport, pdf_file: Path
) -> None:
    await _wait_all_jobs(eve, transport)
    result = await print_document(
        transport,
        eve.url,
        pdf_file,
        PrintOptions(copies=2, media="A4", job_name="byte exact"),
        wait=True,
        wait_timeout=20,
    )
    assert result.state is JobState.COMPLETED
    assert result.document_format == "application/pdf"
    assert result.converted is False
    assert result.job_name == "byte exact"
    assert eve.received(result.job_id) == PDF_BYTES[pdf_file]


async def test_pdf_is_rasterised_when_the_printer_takes_no_pdf(
    eve: EvePrinter, transport: HttpTransport, pdf_file: Path
) -> None:
    await _wait_all_jobs(eve, transport)
    caps = await get_print_capabilities(transport, eve.url)
    raster_only = replace(caps, document_formats=("image/pwg-raster",))
    result = await print_document(
        transport,
        eve.url,
        pdf_file,
        PrintOptions(media="iso_a4_210x297mm", page_ranges=((2, 3),)),
        capabilities=raster_only,
        wait=True,
    )
    assert result.state is JobState.COMPLETED
    assert result.document_format == "image/pwg-raster"
    assert result.pages == 2
    pages = Cups().read(eve.received(result.job_id))
    assert len(pages) == 2
    for page, shade in zip(pages, (200, 150), strict=True):
        # A4 at the printer's 300 dpi, 8-bit gray (it offers sgray_8, no srgb_8)
        assert (page.header["Width"], page.header["Height"]) == (2480, 3507)
        assert (page.header["PageSize0"], page.header["PageSize1"]) == (595, 841)
        assert page.header["HWResolution0"] == 300
        assert page.header["ColorSpace"] == 18
        middle = 3507 // 2 * 2480 + 1240
        assert abs(page.pixels[middle] - shade) <= 2


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submit, "BUSY_FIRST_DELAY", 0.2)


@pytest.mark.usefixtures("quick_backoff")
async def test_busy_printer_is_retried(
    eve: EvePrinter,
    transport: HttpTransport,
    pdf_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _wait_all_jobs(eve, transport)
    caplog.set_level(logging.DEBUG, logger=submit.__name__)
    first = await print_document(transport, eve.url, pdf_file, validate=False)
    # The printer is busy with the first job for JOB_SECONDS.
    second = await print_document(transport, eve.url, pdf_file, wait=True)
    assert "Print-Job: printer busy, retrying" in caplog.text
    assert second.job_id != first.job_id
    assert second.state is JobState.COMPLETED
    assert eve.received(second.job_id) == PDF_BYTES[pdf_file]


@pytest.mark.usefixtures("quick_backoff")
async def test_streamed_source_goes_through_create_job(
    eve: EvePrinter,
    transport: HttpTransport,
    pdf_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _wait_all_jobs(eve, transport)
    caplog.set_level(logging.DEBUG, logger=submit.__name__)
    first = await print_document(transport, eve.url, pdf_file, validate=False)
    data = PDF_BYTES[pdf_file]

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]

    # Busy again: a stream cannot be re-sent, so Create-Job waits it out
    # before any document byte is sent.
    second = await print_document(transport, eve.url, stream(), wait=True)
    assert "Create-Job: printer busy, retrying" in caplog.text
    assert second.job_id == first.job_id + 1
    assert second.state is JobState.COMPLETED
    assert eve.received(second.job_id) == data


async def test_cancel_job(
    eve: EvePrinter, transport: HttpTransport, pdf_file: Path
) -> None:
    await _wait_all_jobs(eve, transport)
    result = await print_document(transport, eve.url, pdf_file)
    await cancel_job(transport, eve.url, result.job_id)
    final = await wait_for_job(transport, eve.url, result.job_id, wait_timeout=10)
    assert final.state is JobState.CANCELED


async def test_job_operations_need_credentials(
    eve: EvePrinter, transport: HttpTransport, pdf_file: Path
) -> None:
    with pytest.raises(HPEWSAuthenticationError):
        await print_document(transport, eve.auth_url, pdf_file)
