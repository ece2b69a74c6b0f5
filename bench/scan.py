"""A 50-page feeder scan at 300 dpi colour: our client next to scanimage.

Run from the repository root::

    scripts/python bench/scan.py [--pages 50] [--resolution 300] [--rounds 1]

It starts the simulator (in its own process, so its memory is not ours)
with the OfficeJet Pro 9022e profile (eSCL, 35-sheet duplex feeder), loads
the feeder with ``--pages`` sheets through ``POST /_sim/state`` and scans
them, simplex, colour, at ``--resolution`` dpi:

* **ours**: ``HPPrinter.scan`` to one PDF, as the Home Assistant action
  does (pages stream to a temporary file and are appended to the PDF one
  by one);
* **scanimage**: SANE's ``scanimage`` with the sane-airscan backend (a
  static device at the simulator's ``/eSCL``), ``--batch`` JPEG files; it
  decodes every page and encodes it again, so it does more work per page.

For ours it reports the peak RSS growth of this process during the scan
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``, minus
``VmRSS`` before); for scanimage its whole peak RSS (``ru_maxrss`` of the
child). Time is wall-clock for the whole job; the simulator renders each
page (Pillow) while the client waits, so both share that cost.
Target (issue 11): RSS growth < 64 MiB. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import aiohttp
import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.hp_ews.client import (
    HPPrinter,
    ScanColorMode,
    ScanFormat,
    ScanOptions,
    ScanSource,
)

PROFILE = "officejet-pro-9022e"
MB = 1024 * 1024
TARGET_GROWTH_MB = 64


def status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--profile", PROFILE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("ready "):
        process.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return process, line.split()[1].rstrip("/")


async def load_feeder(base_url: str, sheets: int) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}/_sim/state", json={"feeder_sheets": sheets}) as r,
    ):
        r.raise_for_status()


async def run_ours(
    base_url: str, sheets: int, dpi: int, directory: Path
) -> tuple[float, int, int, int]:
    """Time, RSS growth (KiB), pages and bytes of one scan to PDF."""
    await load_feeder(base_url, sheets)
    async with aiohttp.ClientSession() as session:
        printer = HPPrinter.from_url(base_url, session, timeout=60)
        await printer.scanner_capabilities()  # found once, as in Home Assistant
        rss_before = status_kb("VmRSS")
        reset_peak()
        started = time.perf_counter()
        result = await printer.scan(
            ScanOptions(
                source=ScanSource.FEEDER,
                color_mode=ScanColorMode.COLOR,
                resolution=dpi,
                format=ScanFormat.PDF,
            ),
            directory,
            "bench",
            max_pages=sheets,
        )
        elapsed = time.perf_counter() - started
        growth = status_kb("VmHWM") - rss_before
    pdf = pypdfium2.PdfDocument(result.files[0])
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    result.files[0].unlink()
    return elapsed, growth, pages, result.size


def run_scanimage(
    scanimage: str, base_url: str, sheets: int, dpi: int, directory: Path
) -> tuple[float, int, int, int]:
    """Time, peak RSS (KiB), pages and bytes of one scanimage batch."""
    asyncio.run(load_feeder(base_url, sheets))
    config = directory / "sane"
    config.mkdir(exist_ok=True)
    (config / "dll.conf").write_text("airscan\n")
    (config / "airscan.conf").write_text(
        f'[devices]\n"Sim" = {base_url}/eSCL, eSCL\n[options]\ndiscovery = disable\n'
    )
    out = directory / "pages"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            scanimage,
            "-d",
            "airscan:e0:Sim",
            "--source",
            "ADF",
            "--mode",
            "Color",
            "--resolution",
            str(dpi),
            "--format=jpeg",
            f"--batch={out}/p%d.jpg",
        ],
        env={**os.environ, "SANE_CONFIG_DIR": str(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 7):  # 7: out of documents, after the last sheet
        raise SystemExit(f"scanimage failed ({done.returncode}): {done.stderr[-500:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    files = list(out.glob("p*.jpg"))
    size = sum(path.stat().st_size for path in files)
    for path in files:
        path.unlink()
    return elapsed, peak, len(files), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--resolution", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    scanimage = shutil.which("scanimage")

    simulator, base_url = start_simulator()
    ours: list[tuple[float, int, int, int]] = []
    theirs: list[tuple[float, int, int, int]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="hp_ews-scan-") as tmp:
            for _ in range(args.rounds):
                ours.append(
                    asyncio.run(
                        run_ours(base_url, args.pages, args.resolution, Path(tmp))
                    )
                )
                if scanimage is not None:
                    theirs.append(
                        run_scanimage(
                            scanimage, base_url, args.pages, args.resolution, Path(tmp)
                        )
                    )
    finally:
        simulator.terminate()
        simulator.wait(10)

    best_ours = min(t for t, *_ in ours)
    growth_mb = max(g for _, g, *_ in ours) / 1024
    print(
        f"job: {args.pages} sheets from the feeder, {args.resolution} dpi colour,"
        f" simulator profile {PROFILE}"
    )
    print(f"{'':24}{'ours (PDF)':>14}{'scanimage':>14}")
    if theirs:
        best_theirs = min(t for t, *_ in theirs)
        print(f"{'best time (s)':24}{best_ours:14.1f}{best_theirs:14.1f}")
        print(f"{'pages':24}{ours[0][2]:14d}{theirs[0][2]:14d}")
        print(f"{'output (MiB)':24}{ours[0][3] / MB:14.1f}{theirs[0][3] / MB:14.1f}")
        print(
            f"{'peak RSS (MiB)':24}{f'+{growth_mb:.1f} growth':>14}"
            f"{max(p for _, p, *_ in theirs) / 1024:>13.1f}*"
        )
        print("  * scanimage's whole peak RSS (a separate process)")
        print(f"time ratio ours/scanimage: {best_ours / best_theirs:.2f}")
    else:
        print(f"{'best time (s)':24}{best_ours:14.1f}{'n/a':>14}")
        print(f"{'pages':24}{ours[0][2]:14d}")
        print(f"{'peak RSS growth (MiB)':24}{growth_mb:14.1f}")
        print("scanimage is not installed (sane-utils, sane-airscan): ours only")
    print(f"RSS growth: {growth_mb:.1f} MiB (target < {TARGET_GROWTH_MB})")
    if ours[0][2] != args.pages:
        raise SystemExit(f"our PDF has {ours[0][2]} pages, not {args.pages}")
    if growth_mb >= TARGET_GROWTH_MB:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
