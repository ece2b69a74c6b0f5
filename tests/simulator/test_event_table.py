"""The LEDM event table: ETags, the long poll, status and supply events."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import pytest

from simulator import events as events_module
from simulator.events import EventTable, parse_etag

from .conftest import FIXTURES
from .helpers import get_text

if TYPE_CHECKING:
    import aiohttp

    from simulator.server import SimulatedPrinter
    from simulator.testing import PrinterFactory

EV = "http://www.hp.com/schemas/imaging/con/ledm/events/2007/09/16"
DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
NS = {"ev": EV, "dd": DD}
TABLE = "/EventMgmt/EventTable"


def rows(body: bytes) -> list[tuple[str, str, list[str]]]:
    root = ET.fromstring(body)
    return [
        (
            event.findtext("dd:UnqualifiedEventCategory", namespaces=NS) or "",
            event.findtext("dd:AgingStamp", namespaces=NS) or "",
            [e.text or "" for e in event.iterfind("ev:Payload/dd:ResourceURI", NS)],
        )
        for event in root.iterfind("ev:Event", NS)
    ]


async def poll(
    http: aiohttp.ClientSession,
    sim: SimulatedPrinter,
    etag: str | None,
    tenths: int | None = None,
) -> tuple[int, bytes, str]:
    url = sim.url + TABLE + ("" if tenths is None else f"?timeout={tenths}")
    headers = {} if etag is None else {"If-None-Match": etag}
    async with http.get(url, headers=headers) as response:
        return response.status, await response.read(), response.headers["ETag"]


async def test_table_has_the_captured_shape(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    status, body, etag = await poll(http, sim, None)
    assert status == 200
    captured = FIXTURES / "ledm/walkup/OfficeJet-6500-E710n__EventTable_initial.xml"
    theirs = ET.parse(captured).getroot()
    ours = ET.fromstring(body)
    assert ours.tag == theirs.tag
    assert ours.findtext("dd:Version/dd:Revision", namespaces=NS) == theirs.findtext(
        "dd:Version/dd:Revision", namespaces=NS
    )
    assert [r[0] for r in rows(body)] == ["DeviceCapabilitiesChanged", "PowerUpEvent"]
    # The ETag is the newest aging stamp, quoted, as in the capture.
    assert etag == f'"{rows(body)[-1][1]}"'
    assert parse_etag(etag) == (1, 2)


async def test_unchanged_table_is_304_at_once(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    status, body, again = await poll(http, sim, etag)
    assert (status, body, again) == (304, b"", etag)


async def test_long_poll_times_out_with_304(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, _, again = await poll(http, sim, etag, tenths=3)  # 0.3 s
    assert (status, again) == (304, etag)
    assert loop.time() - started >= 0.25


async def test_jam_wakes_the_long_poll_with_only_the_new_event(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    waiting = asyncio.ensure_future(poll(http, sim, etag, tenths=1200))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    loop = asyncio.get_running_loop()
    jammed = loop.time()
    sim.set_state(paper_jam=True)
    async with asyncio.timeout(5):
        status, body, new_etag = await waiting
    assert loop.time() - jammed < 1
    assert status == 200
    assert rows(body) == [
        ("AlertTableChanged", "1-3", ["/DevMgmt/ProductStatusDyn.xml"])
    ]
    assert new_etag == '"1-3"'
    # The full table now lists it beside the power-up events.
    _, body, _ = await poll(http, sim, None)
    assert [r[0] for r in rows(body)] == [
        "DeviceCapabilitiesChanged",
        "PowerUpEvent",
        "AlertTableChanged",
    ]


async def test_only_alert_and_supply_changes_are_events(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    sim.set_state(page_seconds=1)  # no alert, no supply: nothing to tell
    assert (await poll(http, sim, etag))[0] == 304
    sim.set_state(supplies={"K": 50})
    status, body, etag = await poll(http, sim, etag, tenths=10)
    assert status == 200
    assert rows(body) == [
        ("ConsumableEvent", "1-3", ["/DevMgmt/ConsumableConfigDyn.xml"])
    ]
    sim.set_state(supplies={"K": 5})  # low: the alert table changes too
    status, body, _ = await poll(http, sim, etag, tenths=10)
    assert sorted(r[0] for r in rows(body)) == ["AlertTableChanged", "ConsumableEvent"]
    for door in (True, False):
        sim.set_state(door_open=door)
    _, body, _ = await poll(http, sim, None)
    alert = [r for r in rows(body) if r[0] == "AlertTableChanged"]
    assert alert[0][1] == "1-7"  # newest of its kind only (4: low, 6: open, 7: shut)


async def test_power_cycle_starts_a_new_boot(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    async with http.post(sim.url + "/_sim/power_cycle") as response:
        assert response.status == 200
    status, body, new_etag = await poll(http, sim, etag, tenths=10)
    assert status == 200
    assert new_etag == '"2-2"'
    assert [r[:2] for r in rows(body)] == [
        ("DeviceCapabilitiesChanged", "2-1"),
        ("PowerUpEvent", "2-2"),
    ]
    # A stamp from the future (a different printer took the address): all.
    status, body, _ = await poll(http, sim, '"2-99"', tenths=10)
    assert (status, len(rows(body))) == (200, 2)


@pytest.mark.parametrize("query", ["timeout=soon", "timeout=-1"])
async def test_bad_timeout(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, query: str
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    assert (await get_text(http, sim.url + TABLE + "?" + query))[0] == 400


async def test_long_polls_are_bounded(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events_module, "MAX_WAITERS", 1)
    sim = await simulated_printer("officejet-pro-9022e")
    _, _, etag = await poll(http, sim, None)
    first = asyncio.ensure_future(poll(http, sim, etag, tenths=50))
    await asyncio.sleep(0.1)
    async with http.get(
        sim.url + TABLE + "?timeout=50", headers={"If-None-Match": etag}
    ) as response:
        assert response.status == 503
    sim.set_state(paper_jam=True)
    assert (await first)[0] == 200


def test_etags_parse_leniently() -> None:
    assert parse_etag('"164-12"') == (164, 12)
    assert parse_etag('W/"1-2"') == (1, 2)
    assert parse_etag("3-4") == (3, 4)
    assert parse_etag("garbage") is None
    assert parse_etag(None) is None


async def test_newer_than_an_unknown_stamp_is_everything() -> None:
    table = EventTable()
    table.add("JobEvent")
    assert [e.category for e in table.newer_than((1, 2))] == ["JobEvent"]
    assert len(table.newer_than((0, 9))) == 3
    assert len(table.newer_than(None)) == 3
