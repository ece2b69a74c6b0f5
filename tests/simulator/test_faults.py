"""Faults: what a misbehaving printer looks like to a client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import aiohttp
import pytest

from custom_components.hp_ews.client import (
    IppOperation,
    IppTruncatedError,
    decode_ipp,
    new_ipp_request,
)
from simulator.state import StateError

from .helpers import get_text, ipp_request, post_ipp, wait_for, wait_until_served

if TYPE_CHECKING:
    from simulator.testing import PrinterFactory

STATUS = "/DevMgmt/ProductStatusDyn.xml"


async def test_http_error_with_count_and_paths(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("http_error", status=500, count=2, paths=["/DevMgmt/"])
    assert (await get_text(http, sim.url + "/"))[0] == 200
    assert (await get_text(http, sim.url + STATUS))[0] == 500
    assert (await get_text(http, sim.url + STATUS))[0] == 500
    assert (await get_text(http, sim.url + STATUS))[0] == 200
    await sim.set_fault("http_error", status=503)
    assert (await get_text(http, sim.url + STATUS))[0] == 503
    # The control API is never affected.
    assert (await get_text(http, sim.url + "/_sim/state"))[0] == 200
    await sim.clear_faults()
    assert (await get_text(http, sim.url + STATUS))[0] == 200


async def test_delay(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("delay", seconds=0.3, count=1)
    start = time.monotonic()
    await get_text(http, sim.url + STATUS)
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    await get_text(http, sim.url + STATUS)
    assert time.monotonic() - start < 0.3


async def test_malformed_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("malformed")
    _, body, _ = await get_text(http, sim.url + STATUS)
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)
    response = (
        await ipp_request(http, sim, IppOperation.GET_PRINTER_ATTRIBUTES)
        if False
        else None
    )
    assert response is None
    message = new_ipp_request(IppOperation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    async with http.post(
        sim.ipp_url, data=message.encode(), headers={"Content-Type": "application/ipp"}
    ) as resp:
        with pytest.raises(IppTruncatedError.__mro__[1]):  # HPEWSParseError
            decode_ipp(await resp.read())
    tank = await simulated_printer("smart-tank-580")
    await tank.set_fault("malformed")
    _, body, _ = await get_text(http, tank.url + "/cdm/system/v1/status")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


async def test_wrong_content_type(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("wrong_content_type", content_type="text/html")
    status, body, content_type = await get_text(http, sim.url + STATUS)
    assert (status, content_type) == (200, "text/html")
    ET.fromstring(body)


async def test_truncated_bodies(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, full, _ = await get_text(http, sim.url + STATUS)
    await sim.set_fault("truncate", mode="short", fraction=0.5, count=1)
    _, short, _ = await get_text(http, sim.url + STATUS)
    assert short == full[: len(full) // 2]
    await sim.set_fault("truncate", count=1)
    with pytest.raises(aiohttp.ClientPayloadError):
        await get_text(http, sim.url + STATUS)
    assert (await get_text(http, sim.url + STATUS))[1] == full


async def test_auth_until_credentials(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("auth", username="admin", password="secret")
    async with http.get(sim.url + STATUS) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Basic ")
    wrong = base64.b64encode(b"admin:wrong").decode()
    async with http.get(
        sim.url + STATUS, headers={"Authorization": f"Basic {wrong}"}
    ) as resp:
        assert resp.status == 401
    async with http.get(
        sim.url + STATUS, headers={"Authorization": "Basic %%%"}
    ) as resp:
        assert resp.status == 401
    token = base64.b64encode(b"admin:secret").decode()
    async with http.get(
        sim.url + STATUS, headers={"Authorization": f"Basic {token}"}
    ) as resp:
        assert resp.status == 200
    message = new_ipp_request(IppOperation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    answer = await post_ipp(
        http, sim, message.encode(), {"Authorization": f"Basic {token}"}
    )
    assert answer.printer.value("uri-authentication-supported") == "basic"
    async with http.post(
        sim.ipp_url, data=message.encode(), headers={"Content-Type": "application/ipp"}
    ) as resp:
        assert resp.status == 401


async def test_slow_first_response_after_power_save(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("slow_wake", seconds=0.3)
    sim.set_state(power_save=True)
    start = time.monotonic()
    await get_text(http, sim.url + STATUS)
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    await get_text(http, sim.url + STATUS)
    assert time.monotonic() - start < 0.3
    # Waking and sleeping again re-arms it.
    sim.set_state(power_save=False)
    sim.set_state(power_save=True)
    start = time.monotonic()
    await get_text(http, sim.url + STATUS)
    assert time.monotonic() - start >= 0.3


async def test_swapped_printer(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    original = sim.state.identity
    await sim.set_fault("swap")
    swapped = sim.state.identity
    assert swapped.serial != original.serial
    assert swapped.uuid != original.uuid
    _, config, _ = await get_text(http, sim.url + "/DevMgmt/ProductConfigDyn.xml")
    assert swapped.serial.encode() in config
    await sim.clear_faults()
    assert sim.state.identity == original


async def test_refuse_connections(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("refuse_connections")
    with pytest.raises(aiohttp.ClientConnectorError):
        await get_text(http, sim.url + STATUS)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", sim.raw_port)
    await sim.clear_faults()
    assert (await get_text(http, sim.url + STATUS))[0] == 200
    # Raw printing is back too.
    _reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.close()
    await writer.wait_closed()
    # With a duration it comes back by itself (refused right away; the
    # duration leaves a loaded machine ample time for that first attempt).
    await sim.set_fault("refuse_connections", seconds=1.0)
    with pytest.raises(aiohttp.ClientConnectorError):
        await get_text(http, sim.url + STATUS)
    await wait_until_served(http, sim.url + STATUS)
    assert sim.faults.to_json() == []


async def test_refuse_via_control_api_answers_first(
    simulated_printer: PrinterFactory,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    # A keep-alive pool: the control request's connection is answered, then
    # closed like the others, so the next request fails at once.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as pool:
        async with pool.post(
            sim.url + "/_sim/fault",
            json={"fault": "refuse_connections", "seconds": 1.0},
        ) as resp:
            assert resp.status == 200
            assert (await resp.json())[0]["fault"] == "refuse_connections"
        start = time.monotonic()
        with pytest.raises(aiohttp.ClientError):
            await get_text(pool, sim.url + STATUS)
        assert time.monotonic() - start < 1
        await wait_until_served(pool, sim.url + STATUS)


@pytest.mark.parametrize("profile", ["officejet-pro-9022e", "smart-tank-580"])
async def test_refuse_resets_keep_alive_connections(
    simulated_printer: PrinterFactory, profile: str
) -> None:
    sim = await simulated_printer(profile)
    connector = aiohttp.TCPConnector(ssl=False, limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as pool:
        # Two pooled connections: one idle, one waiting for a slow answer.
        assert (await get_text(pool, sim.url + "/"))[0] == 200
        await sim.set_fault("delay", seconds=60, count=1)
        slow = asyncio.ensure_future(get_text(pool, sim.url + "/"))
        # The fault is taken once the request has arrived.
        await wait_for(lambda: not sim.faults.to_json())
        await sim.set_fault("refuse_connections")
        start = time.monotonic()
        with pytest.raises(aiohttp.ClientError):
            await get_text(pool, sim.url + "/")
        with pytest.raises(aiohttp.ClientError):
            await slow
        # Not the client's 30 s timeout: reset at once.
        assert time.monotonic() - start < 1


async def test_refuse_resets_raw_connections(
    simulated_printer: PrinterFactory,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.write(b"%!PS-Adobe-3.0\n" + b"% page data\n" * 100)
    await writer.drain()
    await wait_for(lambda: sim.jobs)
    await sim.set_fault("refuse_connections")
    start = time.monotonic()
    with contextlib.suppress(ConnectionError):
        assert await reader.read() == b""
    assert time.monotonic() - start < 1
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    # The half-received job was lost with the connection.
    assert sim.jobs[0].state.keyword == "aborted"
    assert sim.job_manager.active == []


async def test_more_than_two_in_flight_dropped(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    await sim.set_fault("delay", seconds=0.3)
    results = await asyncio.gather(
        *(get_text(http, sim.url + "/cdm/system/v1/status") for _ in range(4)),
        return_exceptions=True,
    )
    ok = [r for r in results if isinstance(r, tuple) and r[0] == 200]
    dropped = [r for r in results if isinstance(r, aiohttp.ClientError)]
    assert (len(ok), len(dropped)) == (2, 2)
    # The fault gives any profile the same limit.
    led = await simulated_printer("officejet-pro-9022e")
    await led.set_fault("drop_concurrent", limit=1)
    await led.set_fault("delay", seconds=0.2)
    results = await asyncio.gather(
        *(get_text(http, led.url + STATUS) for _ in range(2)), return_exceptions=True
    )
    assert sum(isinstance(r, aiohttp.ClientError) for r in results) == 1


def test_fault_validation() -> None:
    from simulator.faults import parse_fault

    assert parse_fault({"fault": "none"}) is None
    bodies: tuple[object, ...] = (
        [],
        {"fault": 3},
        {"fault": "earthquake"},
        {"fault": "delay", "seconds": "long"},
        {"fault": "delay", "seconds": -1},
        {"fault": "delay", "minutes": 1},
        {"fault": "delay", "count": 0},
        {"fault": "delay", "paths": ["DevMgmt"]},
        {"fault": "http_error", "status": 200},
        {"fault": "http_error", "status": "x"},
        {"fault": "truncate", "mode": "sideways"},
        {"fault": "auth", "username": 3},
    )
    for body in bodies:
        with pytest.raises(StateError):
            parse_fault(body)
    fault = parse_fault({"fault": "refuse_connections", "seconds": None, "count": None})
    assert fault is not None
    assert fault.to_json() == {
        "fault": "refuse_connections",
        "seconds": None,
        "count": None,
        "paths": [],
    }


async def test_refuse_resets_https_connection_before_its_first_byte(
    simulated_printer: PrinterFactory,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    # Connected, nothing sent yet: the printer waits to see TLS or HTTP.
    await wait_for(lambda: sim._connecting)
    await sim.set_fault("refuse_connections")
    start = time.monotonic()
    with contextlib.suppress(ConnectionError):
        assert await reader.read() == b""
    assert time.monotonic() - start < 1
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
