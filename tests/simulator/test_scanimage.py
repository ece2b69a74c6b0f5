"""SANE's scanimage with the sane-airscan backend, an independent eSCL client."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from typing import TYPE_CHECKING

from PIL import Image
import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from simulator.server import SimulatedPrinter
    from simulator.testing import PrinterFactory

SCANIMAGE = shutil.which("scanimage")
ROOTFS_VENVS = ("/opt/venv", "/opt/venv-latest")
"""The newest environment's interpreters inside the Debian sid root filesystem,
which carries no SANE (scripts/setup installs it on the host only)."""

pytestmark = pytest.mark.scanimage


@pytest.fixture
def scanimage() -> str:
    if SCANIMAGE is None:
        if os.environ.get("CI") and sys.prefix not in ROOTFS_VENVS:
            pytest.fail("scanimage (sane-utils, sane-airscan) is required in CI")
        pytest.skip("scanimage is not installed")
    return SCANIMAGE


def sane_config(directory: Path, sim: SimulatedPrinter) -> dict[str, str]:
    """A SANE configuration with only airscan and only the simulator."""
    directory.mkdir()
    (directory / "dll.conf").write_text("airscan\n")
    (directory / "airscan.conf").write_text(
        f'[devices]\n"Sim" = {sim.url}/eSCL, eSCL\n[options]\ndiscovery = disable\n'
    )
    return {**os.environ, "SANE_CONFIG_DIR": str(directory)}


async def run(scanimage: str, env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        scanimage,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(90):
            out, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, out.decode(errors="replace")


def files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern))


def image(path: Path) -> tuple[int, int, str, int]:
    """Size, mode and how many dark pixels (the page's text) a PNG has."""
    with Image.open(path) as picture:
        dark = sum(picture.convert("L").histogram()[:100])
        return picture.width, picture.height, picture.mode, dark


async def test_scanimage_lists_and_scans_the_glass(
    simulated_printer: PrinterFactory, scanimage: str, tmp_path: Path
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    env = sane_config(tmp_path / "sane", sim)
    code, out = await run(scanimage, env, "-L")
    assert code == 0, out
    assert "`airscan:e0:Sim'" in out
    target = tmp_path / "glass.png"
    code, out = await run(
        scanimage,
        env,
        "-d",
        "airscan:e0:Sim",
        "--source",
        "Flatbed",
        "--resolution",
        "100",
        "--mode",
        "Color",
        "--format=png",
        "-o",
        str(target),
    )
    assert code == 0, out
    # The whole platen (2550 x 3508 three-hundredths of an inch) at 100 dpi.
    width, height, mode, dark = image(target)
    assert (width, height, mode) == (850, 1169, "RGB")
    assert dark > 1000  # "Page 1", "Source: Glass" and the ruled lines
    assert sim.scanner is not None
    [job] = sim.scanner.jobs.values()
    assert (job.settings.source, job.state, job.delivered) == ("Platen", "Completed", 1)


async def test_scanimage_batch_from_the_feeder(
    simulated_printer: PrinterFactory, scanimage: str, tmp_path: Path
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    env = sane_config(tmp_path / "sane", sim)
    sim.set_state(feeder_sheets=3)
    args = ["-d", "airscan:e0:Sim", "--resolution", "100", "--mode", "Gray"]
    code, out = await run(
        scanimage,
        env,
        *args,
        "--source",
        "ADF",
        "--format=png",
        f"--batch={tmp_path}/simplex%d.png",
    )
    assert code == 0, out
    simplex = files(tmp_path, "simplex*.png")
    assert [p.name for p in simplex] == [f"simplex{n}.png" for n in range(1, 4)]
    # 2550 x 4200 (the feeder's longest page) at 100 dpi, grey.
    assert [image(path)[:3] for path in simplex] == [(850, 1400, "L")] * 3
    sim.set_state(feeder_sheets=2)
    code, out = await run(
        scanimage,
        env,
        *args,
        "--source",
        "ADF Duplex",
        "--format=png",
        f"--batch={tmp_path}/page%d.png",
    )
    assert code == 0, out
    pages = files(tmp_path, "page*.png")
    assert [p.name for p in pages] == [f"page{n}.png" for n in range(1, 5)]
    for path in pages:
        # 2550 x 3508 (the duplexer's longest page, AdfDuplexMaxHeight of the
        # OfficeJet Pro 9010 ScanCaps) at 100 dpi, grey.
        width, height, mode, dark = image(path)
        assert (width, height, mode) == (850, 1169, "L")
        assert dark > 1000
    assert sim.state.feeder_sheets == 0
    # Empty now: the printer says so and SANE reports "out of documents".
    code, out = await run(
        scanimage, env, *args, "--source", "ADF", f"--batch={tmp_path}/more%d.png"
    )
    assert code == 7, out  # SANE_STATUS_NO_DOCS
    assert "out of documents" in out
    assert not files(tmp_path, "more*")
