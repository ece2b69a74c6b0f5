"""Lifecycle and connection edge cases of the server."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import aiohttp
import pytest

from simulator import SimulatedPrinter, start_printers

from .helpers import get_text

if TYPE_CHECKING:
    from pathlib import Path

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
    await sim.set_fault("refuse_connections", seconds=5)
    await sim.set_fault("refuse_connections", seconds=0.1)
    await asyncio.sleep(0.3)
    assert (await get_text(http, sim.url + "/"))[0] == 200
