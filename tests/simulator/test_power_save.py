"""Automatic power save after an idle time (``sleep_after``)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from simulator.jobs import JobState

from .helpers import PDF_2_PAGES, ledm_root, print_document, status_categories, wait_for

if TYPE_CHECKING:
    import asyncio

    import aiohttp

    from simulator.testing import PrinterFactory


async def test_falls_asleep_when_idle_and_again_after_printing(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e", sleep_after=0.2)
    history: list[bool] = []
    sim.state.add_listener(lambda: history.append(sim.state.power_save))
    await wait_for(lambda: sim.state.power_save)
    root = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root) == ["inPowerSave"]
    # A job wakes it; idle again afterwards, it falls asleep again.
    await print_document(http, sim, PDF_2_PAGES)
    await sim.wait_for_jobs()
    await wait_for(lambda: sim.state.power_save)
    assert sim.jobs[0].state is JobState.COMPLETED
    # Asleep, awake while printing, asleep again.
    transitions = [history[0]] + [b for a, b in itertools.pairwise(history) if a != b]
    assert transitions == [True, False, True]


async def test_sleep_after_through_the_control_api(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    async with http.get(sim.url + "/_sim/state") as resp:
        assert (await resp.json())["sleep_after"] is None
    async with http.post(sim.url + "/_sim/state", json={"sleep_after": -1}) as resp:
        assert resp.status == 400
    async with http.post(sim.url + "/_sim/state", json={"sleep_after": 0.1}) as resp:
        assert (await resp.json())["sleep_after"] == 0.1
    await wait_for(lambda: sim.state.power_save)
    # Woken by the user; with the timeout off it stays awake.
    async with http.post(
        sim.url + "/_sim/state", json={"power_save": False, "sleep_after": None}
    ) as resp:
        assert resp.status == 200
    assert sim._sleep_timer is None
    # Reset restores the default (never).
    sim.set_state(sleep_after=30)
    timer: asyncio.TimerHandle | None = sim._sleep_timer
    assert timer is not None
    await sim.reset()
    assert sim.state.sleep_after is None
    assert timer.cancelled()


async def test_a_waiting_job_keeps_it_awake(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520", sleep_after=60)
    sim.set_state(paper_jam=True)
    await print_document(http, sim, b"\xff\xd8\xff\xe0jpeg", "image/jpeg")
    await wait_for(lambda: sim.jobs[0].state is JobState.PROCESSING_STOPPED)
    # The countdown ends while the job waits for the jam to clear.
    sim._fall_asleep()
    assert not sim.state.power_save
    timer = sim._sleep_timer
    assert timer is not None
    await sim.close()
    assert timer.cancelled()


async def test_replay_never_sleeps(simulated_printer: PrinterFactory) -> None:
    from simulator.profiles import DATA_DIR

    sim = await simulated_printer(
        replay=DATA_DIR / "officejet-pro-9022e", sleep_after=0
    )
    assert sim._sleep_timer is None
