"""Push (the LEDM event channel) against plain polling: jam latency and idle cost.

    python bench/events.py [--jams 20] [--scale 60]

Against the simulated OfficeJet Pro 9022e (its event table long poll), through
the client as the integration uses it: the coordinator's refresh is
``HPPrinter.snapshot(full=False)`` (every ``FULL_REFRESH_EVERY``-th one full),
the walk-up manager's loop is ``EventChannel.wait()`` and a refresh on a
status event. Home Assistant itself only adds writing the entity state.

* **Jam-to-entity latency** (median, p90 over ``--jams`` jams): time from the
  jam (``set_state(paper_jam=True)``) to a snapshot that shows it. Push runs
  in real time. Polling runs with its interval shortened by ``--scale``; the
  wait for the next poll is scaled back up, the refresh's own time is added
  as measured.
* **Requests per idle hour**: every request the printer gets, counted over
  one hour of the integration's schedule run ``--scale`` times faster (long
  poll wait, refresh interval and scanner-status interval all divided; each
  request is counted as it is sent, so the count does not depend on how long
  requests take). The scanner's status poll (the scanner sensor) is listed
  on its own row.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import random
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from custom_components.hp_ews.client import HPPrinter, PrinterEventKind, PrinterSnapshot
from custom_components.hp_ews.const import FULL_REFRESH_EVERY, SCAN_INTERVAL
from custom_components.hp_ews.coordinator import PUSH_SCAN_INTERVAL
from custom_components.hp_ews.walkup import EVENT_WAIT, SCANNER_PUSH_INTERVAL
from simulator import SimulatedPrinter

PROFILE = "officejet-pro-9022e"
TARGET_LATENCY = 3.0
TARGET_IDLE_REQUESTS = 60


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Refresher:
    """The coordinator's reads: a refresh, every N-th one full."""

    def __init__(self, printer: HPPrinter, snapshot: PrinterSnapshot) -> None:
        self.printer = printer
        self.snapshot = snapshot
        self.count = 0

    async def refresh(self) -> PrinterSnapshot:
        self.count += 1
        full = self.count % FULL_REFRESH_EVERY == 0
        self.snapshot = await self.printer.snapshot(previous=self.snapshot, full=full)
        return self.snapshot


async def _printer(sim: SimulatedPrinter, session: aiohttp.ClientSession) -> HPPrinter:
    printer = HPPrinter.from_url(sim.url, session)
    await printer.probe()
    return printer


async def push_latency(sim: SimulatedPrinter, jams: int) -> list[float]:
    async with aiohttp.ClientSession() as session:
        printer = await _printer(sim, session)
        refresher = Refresher(printer, await printer.snapshot())
        channel = printer.event_channel(wait=EVENT_WAIT)
        assert channel is not None
        seen: asyncio.Queue[tuple[bool, float]] = asyncio.Queue()

        async def loop() -> None:
            while True:
                events = await channel.wait()
                if any(e.kind is PrinterEventKind.STATUS for e in events):
                    snap = await refresher.refresh()
                    await seen.put((snap.status.paper_jam, time.perf_counter()))

        task = asyncio.create_task(loop())
        await asyncio.sleep(0.2)  # the first table read
        latencies = []
        try:
            for _ in range(jams):
                for jam in (True, False):
                    started = time.perf_counter()
                    sim.set_state(paper_jam=jam)
                    while True:
                        state, when = await asyncio.wait_for(seen.get(), 10)
                        if state is jam:
                            break
                    if jam:
                        latencies.append(when - started)
                    await asyncio.sleep(random.uniform(0.05, 0.2))
        finally:
            task.cancel()
    return latencies


async def poll_latency(sim: SimulatedPrinter, jams: int, scale: float) -> list[float]:
    interval = SCAN_INTERVAL.total_seconds() / scale
    async with aiohttp.ClientSession() as session:
        printer = await _printer(sim, session)
        refresher = Refresher(printer, await printer.snapshot())
        latencies = []
        for _ in range(jams):
            for jam in (True, False):
                # The jam happens somewhere between two polls.
                waited = interval - random.uniform(0, interval)
                sim.set_state(paper_jam=jam)
                await asyncio.sleep(waited)
                while True:
                    started = time.perf_counter()
                    snap = await refresher.refresh()
                    took = time.perf_counter() - started
                    if snap.status.paper_jam is jam:
                        break
                    await asyncio.sleep(interval)
                    waited += interval
                if jam:
                    latencies.append(waited * scale + took)
    return latencies


async def idle_requests(
    sim: SimulatedPrinter, *, push: bool, scale: float
) -> tuple[int, int, int]:
    """(event channel, refreshes, scanner status) requests in one idle hour.

    Each part has a client of its own, so a request is counted for the part
    that sent it even while the parts overlap.
    """
    hour = 3600.0 / scale
    refresh_every = (PUSH_SCAN_INTERVAL if push else SCAN_INTERVAL).total_seconds()
    scanner_every = (SCANNER_PUSH_INTERVAL if push else SCAN_INTERVAL).total_seconds()
    async with aiohttp.ClientSession() as session:
        for_events, for_refresh, for_scanner = [
            await _printer(sim, session) for _ in range(3)
        ]
        refresher = Refresher(for_refresh, await for_refresh.snapshot())
        await for_scanner.scanner_status()
        start = [p.request_count for p in (for_events, for_refresh, for_scanner)]

        async def refreshes() -> None:
            while True:
                await asyncio.sleep(refresh_every / scale)
                await refresher.refresh()

        async def scanner() -> None:
            while True:
                await asyncio.sleep(scanner_every / scale)
                await for_scanner.scanner_status()

        async def events() -> None:
            channel = for_events.event_channel(wait=EVENT_WAIT / scale)
            assert channel is not None
            while True:
                await channel.wait()

        tasks = [asyncio.create_task(refreshes()), asyncio.create_task(scanner())]
        if push:
            tasks.append(asyncio.create_task(events()))
        await asyncio.sleep(hour)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        counts = [
            p.request_count - before
            for p, before in zip(
                (for_events, for_refresh, for_scanner), start, strict=True
            )
        ]
    return counts[0], counts[1], counts[2]


async def run(jams: int, scale: float) -> int:
    random.seed(11)
    async with SimulatedPrinter(PROFILE) as sim:
        push = await push_latency(sim, jams)
        poll = await poll_latency(sim, jams, scale)
        idle_push = await idle_requests(sim, push=True, scale=scale)
        idle_poll = await idle_requests(sim, push=False, scale=scale)
    print(f"Jam-to-entity latency, {jams} jams (s)        push    polling")
    print(
        f"  median                               {statistics.median(push):7.3f}"
        f"  {statistics.median(poll):8.1f}"
    )
    print(
        f"  p90                                  {percentile(push, 0.9):7.3f}"
        f"  {percentile(poll, 0.9):8.1f}"
    )
    print(f"Requests per idle hour (x{scale:g} time)      push    polling")
    rows = (
        ("event channel (long polls)", idle_push[0], idle_poll[0]),
        ("status refreshes (full every 10th)", idle_push[1], idle_poll[1]),
        ("printer total", idle_push[0] + idle_push[1], idle_poll[0] + idle_poll[1]),
        ("scanner status (scanner sensor)", idle_push[2], idle_poll[2]),
        ("all", sum(idle_push), sum(idle_poll)),
    )
    for label, a, b in rows:
        print(f"  {label:36} {a:7d}  {b:8d}")
    ok = statistics.median(push) < TARGET_LATENCY and (
        idle_push[0] + idle_push[1] <= TARGET_IDLE_REQUESTS
    )
    print(
        f"targets: median < {TARGET_LATENCY:g} s, printer total <= "
        f"{TARGET_IDLE_REQUESTS}/h: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jams", type=int, default=20)
    parser.add_argument(
        "--scale", type=float, default=60.0, help="time runs this many times faster"
    )
    args = parser.parse_args()
    return asyncio.run(run(args.jams, args.scale))


if __name__ == "__main__":
    sys.exit(main())
