"""Start many idle simulated printers in one process and report memory.

    python bench/many_printers.py [--count 200] [--profile NAME]

Without ``--profile`` the printers cycle through every profile. Each printer
answers one status request (so its documents are loaded) before RSS is read
from /proc/self/status (VmRSS, and VmHWM for the peak). Target: < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from simulator import PROFILES, SimulatedPrinter
from simulator.server import PrinterGroup

TARGET_MB = 200
_STATUS_PATHS = {
    "ledm": "/DevMgmt/ProductStatusDyn.xml",
    "cdm": "/cdm/system/v1/status",
    "ipp": "/",
}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    fields: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def run(count: int, profile: str | None) -> int:
    names = [profile] if profile else list(PROFILES)
    before, _ = rss_mb()
    group = PrinterGroup(
        [SimulatedPrinter(names[i % len(names)]) for i in range(count)]
    )
    started = time.monotonic()
    async with group:
        startup = time.monotonic() - started
        idle, _ = rss_mb()
        connector = aiohttp.TCPConnector(ssl=False, limit=20, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def touch(printer: SimulatedPrinter) -> int:
                path = _STATUS_PATHS[printer.profile.family.value]
                async with session.get(printer.url + path) as response:
                    await response.read()
                    return response.status

            statuses = await asyncio.gather(*(touch(p) for p in group.printers))
        current, peak = rss_mb()
    ok = statuses.count(200)
    print(f"printers: {count} ({', '.join(names)})")
    print(f"started in {startup:.2f} s; answered: {ok}/{count}")
    print(f"RSS before: {before:.1f} MB")
    print(f"RSS with {count} idle printers: {idle:.1f} MB")
    print(f"RSS after one request each: {current:.1f} MB (peak {peak:.1f} MB)")
    verdict = "OK" if peak < TARGET_MB and ok == count else "OVER TARGET"
    print(f"target < {TARGET_MB} MB: {verdict}")
    return 0 if verdict == "OK" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", choices=sorted(PROFILES))
    args = parser.parse_args()
    return asyncio.run(run(args.count, args.profile))


if __name__ == "__main__":
    sys.exit(main())
