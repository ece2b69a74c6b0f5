"""Lifecycle and connection edge cases of the server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

import simulator
from simulator import SimulatedPrinter, start_printers

from .helpers import PDF_2_PAGES, get_text, print_document, wait_for, wait_until_served

if TYPE_CHECKING:
    from simulator.testing import PrinterFactory


async def test_context_manager_and_port_in_use(http: aiohttp.ClientSession) -> None:
    async with SimulatedPrinter("envy-4520", page_seconds=None) as sim:
        # page_seconds=None: the model's real speed (9 ppm).
        assert sim.state.page_seconds == pytest.approx(60 / 9)
        assert (await get_text(http, sim.url + "/"))[0] == 200
        taken = sim.port
        with pytest.raises(OSError, match="in use"):
            await SimulatedPrinter("envy-4520", port=taken).start()
        group = start_printers(
            "envy-4520", count=2, port=taken - 1 if taken > 1024 else taken
        )
        with pytest.raises(OSError, match="in use"):
            await group.start()
        assert all(p._socket is None for p in group.printers)
    with pytest.raises(aiohttp.ClientConnectorError):
        await get_text(http, sim.url + "/")
    with pytest.raises(ValueError, match="count"):
        start_printers("envy-4520", count=0)


async def test_tls_sniffing_edge_cases(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("smart-tank-580")
    # Connect and hang up without a byte.
    _reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.close()
    await writer.wait_closed()
    # A broken TLS hello.
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(b"\x16\x03\x01\x00\x05hello")
    await writer.drain()
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()
    # Still serving.
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session,
        session.get(sim.url + "/cdm/system/v1/status") as resp,
    ):
        assert resp.status == 200


async def test_replay_content_types(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    (tmp_path / "http").mkdir()
    (tmp_path / "http/a").write_bytes(b'  {"x": 1}')
    (tmp_path / "http/b").write_bytes(b"<x/>")
    sim = await simulated_printer(replay=tmp_path)
    assert (await get_text(http, sim.url + "/a"))[2] == "application/json"
    assert (await get_text(http, sim.url + "/b"))[2] == "text/xml"
    async with http.get(sim.url + "/_sim/info") as resp:
        info = await resp.json()
    assert info["replay"] == str(tmp_path.resolve())  # noqa: ASYNC240
    assert info["profile"] == "replay"
    assert json.loads((await get_text(http, sim.url + "/_sim/state"))[1]) == {
        "replay": str(tmp_path.resolve())  # noqa: ASYNC240
    }


async def test_python_api_reset(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer(
        "officejet-pro-9022e", page_seconds=0.5, percent_per_page=3
    )
    sim.set_state(page_seconds=0.1, percent_per_page=1, supplies={"K": 1})
    await sim.set_fault("swap")
    serial = sim.state.identity.serial
    await sim.reset()
    assert (sim.state.page_seconds, sim.state.percent_per_page) == (0.5, 3)
    assert sim.state.to_json()["supplies"]["K"] == 80
    assert sim.state.identity.serial != serial
    seeded = await simulated_printer("officejet-pro-9022e", identity_seed="fixed")
    again = SimulatedPrinter("officejet-pro-9022e", identity_seed="fixed")
    assert seeded.state.identity == again.state.identity


async def test_refuse_twice_and_reopen_timer_replaced(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("refuse_connections", seconds=60)
    await sim.set_fault("refuse_connections", seconds=0.1)
    # Back after the second duration, long before the first one's.
    await wait_until_served(http, sim.url + "/", within=20)


def simulator_tasks() -> list[asyncio.Task[object]]:
    """Unfinished tasks running simulator code (none may outlive a printer)."""
    package = str(Path(simulator.__file__).parent)
    found = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if (
            not task.done()
            and code is not None
            and code.co_filename.startswith(package)
        ):
            found.append(task)
    return found


async def test_close_mid_job_leaves_no_task(http: aiohttp.ClientSession) -> None:
    sim = SimulatedPrinter("officejet-pro-9022e", page_seconds=60)
    await sim.start()
    await print_document(http, sim, PDF_2_PAGES)
    await wait_for(lambda: sim.state.printing)
    # And a raw job still arriving.
    _reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.write(b"%!PS-Adobe-3.0\n")
    await writer.drain()
    await wait_for(lambda: len(sim.jobs) == 2)
    assert simulator_tasks()
    await sim.close()
    assert simulator_tasks() == []
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    # Closing twice is harmless.
    await sim.close()


async def test_close_stops_printing_even_if_a_step_fails(
    http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = SimulatedPrinter("officejet-pro-9022e", page_seconds=60)
    await sim.start()
    await print_document(http, sim, PDF_2_PAGES)
    await wait_for(lambda: sim.state.printing)

    async def broken() -> None:
        raise RuntimeError("raw port stuck")

    monkeypatch.setattr(sim._raw, "stop", broken)
    with pytest.raises(RuntimeError, match="stuck"):
        await sim.close()
    assert [t for t in simulator_tasks() if "_print_all" in repr(t)] == []
    monkeypatch.undo()
    await sim.close()
    assert simulator_tasks() == []


async def test_group_closes_every_printer_even_if_one_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = start_printers("envy-4520", count=2)
    await group.start()
    first, second = group.printers
    original = first.close

    async def broken() -> None:
        await original()
        raise RuntimeError("first failed")

    monkeypatch.setattr(first, "close", broken)
    with pytest.raises(RuntimeError, match="first failed"):
        await group.close()
    assert second._runner is None
    assert simulator_tasks() == []


async def test_jobs_after_close_are_aborted() -> None:
    from simulator.jobs import JobManager, JobState
    from simulator.profiles import get_profile
    from simulator.state import PrinterState

    manager = JobManager(PrinterState(get_profile("envy-4520"), "seed"))
    await manager.close()
    job = manager.new_job("raw")
    manager.enqueue(job)
    assert job.state is JobState.ABORTED
    assert simulator_tasks() == []
    manager.reopen()
    manager.enqueue(job2 := manager.new_job("raw"))
    await manager.wait_idle()
    assert job2.state is JobState.COMPLETED
