"""CUPS ipptool, an independent IPP client, against the simulator."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path
import shutil
from typing import TYPE_CHECKING

import pytest

from .helpers import PDF_2_PAGES

if TYPE_CHECKING:
    from simulator.testing import PrinterFactory

IPPTOOL = shutil.which("ipptool")
TESTS = Path("/usr/share/cups/ipptool")
# An 8x8 white JPEG (baseline, JFIF).
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0CiiigD//2Q=="
)

pytestmark = pytest.mark.ipptool


@pytest.fixture
def ipptool() -> str:
    if IPPTOOL is None or not (TESTS / "get-printer-attributes.test").is_file():
        if os.environ.get("CI"):
            pytest.fail("ipptool (cups-ipp-utils) is required in CI")
        pytest.skip("ipptool is not installed")
    return IPPTOOL


async def run_ipptool(
    ipptool: str, uri: str, test: str, document: Path | None = None
) -> tuple[int, str]:
    args = [ipptool, "-t", "-T", "10"]
    if document is not None:
        args += ["-f", str(document)]
    process = await asyncio.create_subprocess_exec(
        *args,
        uri,
        str(TESTS / test),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(60):
        out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.mark.parametrize(
    ("profile", "document"),
    [
        ("officejet-pro-9022e", "pdf"),
        ("color-laserjet-pro-m255dw", "pdf"),
        ("smart-tank-580", "jpg"),
        ("pagewide-mfp-p57750", "pdf"),
        ("envy-4520", "jpg"),
    ],
)
async def test_ipptool_passes(
    simulated_printer: PrinterFactory,
    ipptool: str,
    tmp_path: Path,
    profile: str,
    document: str,
) -> None:
    sim = await simulated_printer(profile)
    code, out = await run_ipptool(
        ipptool, sim.printer_uri, "get-printer-attributes.test"
    )
    assert code == 0, out
    assert "[PASS]" in out
    path = tmp_path / f"document.{document}"
    path.write_bytes(PDF_2_PAGES if document == "pdf" else JPEG)
    code, out = await run_ipptool(ipptool, sim.printer_uri, "print-job.test", path)
    assert code == 0, out
    await sim.wait_for_jobs()
    assert sim.jobs[-1].document() == path.read_bytes()
    assert sim.jobs[-1].detected_format == (
        "application/pdf" if document == "pdf" else "image/jpeg"
    )


async def test_ipptool_sees_pdf_refused(
    simulated_printer: PrinterFactory, ipptool: str, tmp_path: Path
) -> None:
    sim = await simulated_printer("envy-4520")
    path = tmp_path / "document.pdf"
    path.write_bytes(PDF_2_PAGES)
    code, out = await run_ipptool(ipptool, sim.printer_uri, "print-job.test", path)
    assert code != 0
    assert "client-error-document-format-not-supported" in out
