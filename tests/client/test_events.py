"""The LEDM event channel: parsing captured event tables and the long poll.

Expected values are read from the captures in tests/fixtures/ledm/walkup/
(node-hp-scan-to's test assets and its Officejet 6500 transcript, where the
first table came with ETag "164-11" and the one after Scan with "164-12").
The long poll runs against a small aiohttp server on 127.0.0.1 that answers
from a script.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.hp_ews.client import (
    EventChannel,
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSUnsupportedError,
    HPPrinter,
    HttpTransport,
    PrinterEventKind,
    PrinterProtocol,
    Profile,
)
from custom_components.hp_ews.client.events import (
    MAX_EVENTS,
    EventTable,
    parse_event_table,
)
from custom_components.hp_ews.client.transport import LONG_POLL_MARGIN, HttpResponse
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

WALKUP = FIXTURES / "ledm" / "walkup"
INITIAL = (WALKUP / "OfficeJet-6500-E710n__EventTable_initial.xml").read_bytes()
SCAN = (WALKUP / "OfficeJet-6500-E710n__EventTable_scan.xml").read_bytes()
COMP = (WALKUP / "EventTable_WalkupScanToComp.xml").read_bytes()
LEGACY_DEST = "/WalkupScan/WalkupScanDestinations/1cb3125d-7bde-1f09-8da2-2c768ab21113"
COMP_DEST = "/WalkupScanToComp/WalkupScanToCompDestinations/ab60a563-5a97-4386-bd36-ec63cbbff933"


# --- parsing ---------------------------------------------------------------------


def test_parse_table_with_scan_event() -> None:
    table = parse_event_table((WALKUP / "EventTable_with_ScanEvent.xml").read_bytes())
    assert [(e.category, e.aging_stamp, e.kind) for e in table.events] == [
        ("DeviceCapabilitiesChanged", "139-1", PrinterEventKind.OTHER),
        ("PowerUpEvent", "163-1", PrinterEventKind.OTHER),
        ("AlertTableChanged", "164-9", PrinterEventKind.STATUS),
        ("JobEvent", "164-11", PrinterEventKind.OTHER),
        ("ScanEvent", "164-12", PrinterEventKind.SCAN),
    ]
    assert [e.power_up for e in table.events] == [False, True, False, False, False]
    assert [e.job for e in table.events] == [False, False, False, True, False]
    scan = table.events[-1]
    # The capture names an absolute URL; the event keeps its path.
    assert scan.resource == LEGACY_DEST
    assert scan.names(LEGACY_DEST.upper())
    assert not table.events[0].names(LEGACY_DEST)


def test_parse_table_of_scan_to_comp() -> None:
    table = parse_event_table(COMP)
    status, scan = table.events[1], table.events[3]
    assert status.kind is PrinterEventKind.STATUS
    assert status.resource == "/DevMgmt/ProductStatusDyn.xml"
    assert scan.kind is PrinterEventKind.SCAN
    assert scan.resources == (COMP_DEST, "/WalkupScanToComp/WalkupScanToCompEvent")
    assert scan.resource == COMP_DEST


def test_resource_that_is_no_url_is_kept() -> None:
    table = parse_event_table(_table(("ScanEvent", "1-1", "http://[::1")))
    assert table.events[0].resource == "http://[::1"


def test_supply_events() -> None:
    """Supply events point at the consumables document (docs/protocols.md §12)."""
    table = parse_event_table(
        _table(
            ("ConsumableEvent", "2-1", None),
            ("SomethingChanged", "2-2", "/DevMgmt/ConsumableConfigDyn.xml"),
            ("SuppliesChanged", "2-3", None),
            ("JobEvent", "2-4", None),
        )
    )
    assert [e.kind for e in table.events] == [
        PrinterEventKind.SUPPLIES,
        PrinterEventKind.SUPPLIES,
        PrinterEventKind.SUPPLIES,
        PrinterEventKind.OTHER,
    ]


def test_new_since_previous_table() -> None:
    """The transcript: the table after Scan holds one event not seen before."""
    initial, after = parse_event_table(INITIAL), parse_event_table(SCAN)
    assert len(initial.events) == 4
    new = after.new_since(initial)
    assert [(e.category, e.aging_stamp) for e in new] == [("ScanEvent", "164-12")]
    assert initial.new_since(initial) == ()
    assert initial.new_since(None) == initial.events
    # An entry without a stamp cannot be told apart: always new.
    bare = parse_event_table(_table(("AlertTableChanged", None, None)))
    assert bare.new_since(bare) == bare.events


def test_parse_bounds_and_refusals() -> None:
    many = parse_event_table(
        _table(*((f"E{i}", f"1-{i}", None) for i in range(MAX_EVENTS + 10)))
    )
    assert len(many.events) == MAX_EVENTS
    # An event without a category is skipped.
    assert parse_event_table(_table((None, "1-1", None))).events == ()
    with pytest.raises(HPEWSParseError, match="Not an LEDM event table"):
        parse_event_table(
            (WALKUP / "WalkupScanToCompEvent_HostSelected.xml").read_bytes()
        )
    with pytest.raises(HPEWSParseError, match="refused"):
        parse_event_table(b"<a>" + b" " * 300_000 + b"</a>")
    with pytest.raises(HPEWSParseError, match="DOCTYPE"):
        parse_event_table(b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')


def _table(*rows: tuple[str | None, str | None, str | None]) -> bytes:
    ev = "http://www.hp.com/schemas/imaging/con/ledm/events/2007/09/16"
    dd = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
    parts = [f'<ev:EventTable xmlns:ev="{ev}" xmlns:dd="{dd}">']
    for category, stamp, resource in rows:
        parts.append("<ev:Event>")
        if category is not None:
            parts.append(
                f"<dd:UnqualifiedEventCategory>{category}</dd:UnqualifiedEventCategory>"
            )
        if stamp is not None:
            parts.append(f"<dd:AgingStamp>{stamp}</dd:AgingStamp>")
        if resource is not None:
            parts.append(
                f"<ev:Payload><dd:ResourceURI>{resource}</dd:ResourceURI></ev:Payload>"
            )
        parts.append("</ev:Event>")
    parts.append("</ev:EventTable>")
    return "".join(parts).encode()


# --- the long poll against a scripted server -----------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    etag: str | None = None
    delay: float = 0.0


@dataclass
class Script:
    """Answers in order; the requests seen (path and query, If-None-Match)."""

    answers: list[Answer]
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.path_qs, request.headers.get("If-None-Match")))
        answer = self.answers.pop(0)
        self.started.set()
        try:
            await asyncio.sleep(answer.delay)
        except asyncio.CancelledError:
            self.disconnected.set()
            raise
        headers = {} if answer.etag is None else {"ETag": answer.etag}
        return web.Response(
            status=answer.status,
            body=answer.body or None,
            headers=headers,
            content_type="text/xml" if answer.body else None,
        )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def _serve(script: Script) -> TestServer:
    app = web.Application()
    app.router.add_get("/EventMgmt/EventTable", script.handle)
    # A printer notices a client that hangs up (aiohttp's default does not).
    server = TestServer(app, host="127.0.0.1", handler_cancellation=True)
    await server.start_server()
    return server


class Clock:
    """A clock that moves only when told (each poll "takes" ``step`` s)."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step / 2
        return self.now


async def _channel(
    session: aiohttp.ClientSession,
    script: Script,
    *,
    step: float = 60.0,
    **kwargs: Any,
) -> tuple[EventChannel, TestServer]:
    server = await _serve(script)
    transport = HttpTransport(session, "127.0.0.1")
    channel = EventChannel(
        transport, str(server.make_url("")), clock=Clock(step), **kwargs
    )
    return channel, server


@pytest.mark.usefixtures("socket_enabled")
async def test_long_poll_reports_only_new_events(
    session: aiohttp.ClientSession,
) -> None:
    script = Script(
        [
            Answer(body=INITIAL, etag='"164-11"'),
            Answer(body=SCAN, etag='"164-12"'),
            Answer(status=304),
        ]
    )
    channel, server = await _channel(session, script)
    try:
        assert not channel.connected
        assert await channel.wait() == ()  # the first table is history
        assert channel.connected
        events = await channel.wait()
        assert [(e.kind, e.resource) for e in events] == [
            (PrinterEventKind.SCAN, LEGACY_DEST)
        ]
        assert await channel.wait() == ()
    finally:
        await server.close()
    assert script.seen == [
        ("/EventMgmt/EventTable", None),
        ("/EventMgmt/EventTable?timeout=1200", '"164-11"'),
        ("/EventMgmt/EventTable?timeout=1200", '"164-12"'),
    ]
    assert channel.wait_seconds == 120.0


@pytest.mark.usefixtures("socket_enabled")
async def test_wait_is_asked_in_tenths(session: aiohttp.ClientSession) -> None:
    script = Script([Answer(body=INITIAL, etag='"1-1"'), Answer(status=304)])
    channel, server = await _channel(session, script, wait=2.5, step=2.0)
    try:
        await channel.wait()
        await channel.wait()
    finally:
        await server.close()
    assert script.seen[1] == ("/EventMgmt/EventTable?timeout=25", '"1-1"')


async def test_long_poll_uses_the_long_poll_slot_and_margin() -> None:
    """One connection of its own, and a deadline of the wait plus the margin."""
    calls: list[dict[str, Any]] = []

    class Recorder:
        request_count = 0

        async def exchange(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
            calls.append({"method": method, "url": url, **kwargs})
            if len(calls) == 1:
                return HttpResponse(
                    url, 200, INITIAL, "text/xml", headers={"ETag": '"164-11"'}
                )
            return HttpResponse(url, 304, b"", "text/xml", headers={})

    channel = EventChannel(
        Recorder(),  # type: ignore[arg-type]
        "http://printer/",
        wait=30,
        clock=Clock(30),
    )
    await channel.wait()
    await channel.wait()
    assert calls[0]["method"] == "GET"
    assert calls[0]["url"] == "http://printer/EventMgmt/EventTable"
    assert not calls[0].get("long_poll")
    assert calls[1]["url"] == "http://printer/EventMgmt/EventTable?timeout=300"
    assert calls[1]["long_poll"] is True
    assert calls[1]["request_timeout"] == 30 + LONG_POLL_MARGIN
    assert calls[1]["headers"] == {"If-None-Match": '"164-11"'}


@pytest.mark.usefixtures("socket_enabled")
async def test_printer_that_ignores_the_wait_is_given_up(
    session: aiohttp.ClientSession,
) -> None:
    """Empty answers at once, three in a row: fall back to polling."""
    script = Script(
        [Answer(body=INITIAL, etag='"1-1"')]
        + [Answer(status=304, etag='"1-1"') for _ in range(3)]
    )
    channel, server = await _channel(session, script, step=0.0)
    try:
        await channel.wait()
        assert await channel.wait() == ()
        assert await channel.wait() == ()
        with pytest.raises(HPEWSUnsupportedError, match="at once"):
            await channel.wait()
        # Given up for good: no further request.
        with pytest.raises(HPEWSUnsupportedError):
            await channel.wait()
    finally:
        await server.close()
    assert len(script.seen) == 4


@pytest.mark.usefixtures("socket_enabled")
async def test_quick_answers_with_events_are_fine(
    session: aiohttp.ClientSession,
) -> None:
    """Events arriving quickly (a busy printer) are not a broken long poll."""
    table = parse_event_table(INITIAL)
    assert isinstance(table, EventTable)
    answers = [Answer(body=INITIAL, etag='"1-1"')] + [
        Answer(body=_table(("AlertTableChanged", f"1-{i}", None)), etag=f'"1-{i}"')
        for i in range(2, 8)
    ]
    script = Script(answers)
    channel, server = await _channel(session, script, step=0.0)
    try:
        await channel.wait()
        for _ in range(6):
            events = await channel.wait()
            assert [e.kind for e in events] == [PrinterEventKind.STATUS]
    finally:
        await server.close()


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(status=404), "no event table"),
        (Answer(status=400), "no event table"),
        (Answer(body=INITIAL), "no ETag"),
    ],
)
async def test_channel_unusable(
    session: aiohttp.ClientSession, answer: Answer, message: str
) -> None:
    script = Script([answer])
    channel, server = await _channel(session, script)
    try:
        with pytest.raises(HPEWSUnsupportedError, match=message):
            await channel.wait()
        with pytest.raises(HPEWSUnsupportedError, match=message):
            await channel.wait()
    finally:
        await server.close()
    assert len(script.seen) == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_errors_back_off_and_start_over(session: aiohttp.ClientSession) -> None:
    script = Script(
        [
            Answer(body=INITIAL, etag='"164-11"'),
            Answer(status=503),
            Answer(body=b"<not xml", etag='"164-12"'),
            Answer(body=INITIAL, etag='"164-11"'),
            Answer(status=304),
        ]
    )
    channel, server = await _channel(
        session, script, backoff_start=0.01, backoff_max=0.015
    )
    try:
        await channel.wait()
        with pytest.raises(HPEWSConnectionError, match="HTTP 503"):
            await channel.wait()
        assert channel.failures == 1
        assert not channel.connected
        assert channel.backoff == 0.01
        # After a failure the table is read afresh (a restarted printer's
        # stamps mean nothing against the old table).
        with pytest.raises(HPEWSConnectionError, match="Unreadable event table"):
            await channel.wait()
        assert channel.failures == 2
        assert channel.backoff == 0.015  # capped
        assert await channel.wait() == ()
        assert channel.failures == 0
        assert channel.backoff == 0.0
        assert await channel.wait() == ()
    finally:
        await server.close()
    assert [seen[0] for seen in script.seen] == [
        "/EventMgmt/EventTable",
        "/EventMgmt/EventTable?timeout=1200",
        "/EventMgmt/EventTable",
        "/EventMgmt/EventTable",
        "/EventMgmt/EventTable?timeout=1200",
    ]


def test_backoff_doubles_up_to_the_cap() -> None:
    channel = EventChannel(None, "http://printer")  # type: ignore[arg-type]
    seen = []
    for _ in range(9):
        channel._fail()
        seen.append(channel.backoff)
    assert seen == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    with pytest.raises(ValueError, match="positive"):
        EventChannel(None, "http://printer", wait=0)  # type: ignore[arg-type]


@pytest.mark.usefixtures("socket_enabled")
async def test_unreachable_printer(session: aiohttp.ClientSession) -> None:
    script = Script([])
    server = await _serve(script)
    url = str(server.make_url(""))
    await server.close()
    channel = EventChannel(HttpTransport(session, "127.0.0.1", timeout=2), url)
    with pytest.raises(HPEWSConnectionError):
        await channel.wait()
    assert channel.failures == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_authentication_is_not_a_connection_failure(
    session: aiohttp.ClientSession,
) -> None:
    script = Script([Answer(status=401)])
    channel, server = await _channel(session, script)
    try:
        with pytest.raises(HPEWSAuthenticationError):
            await channel.wait()
    finally:
        await server.close()
    assert channel.failures == 0


@pytest.mark.usefixtures("socket_enabled")
async def test_cancelling_a_poll_closes_it(session: aiohttp.ClientSession) -> None:
    script = Script(
        [
            Answer(body=INITIAL, etag='"164-11"'),
            Answer(status=304, delay=30),
            Answer(body=SCAN, etag='"164-12"'),
        ]
    )
    channel, server = await _channel(session, script)
    try:
        await channel.wait()
        task = asyncio.create_task(channel.wait())
        await asyncio.wait_for(script.started.wait(), 5)
        script.started.clear()
        await asyncio.wait_for(script.started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(script.disconnected.wait(), 5)
        # The channel carries on where it was: the next poll sends the ETag.
        assert len(await channel.wait()) == 1
    finally:
        await server.close()
    assert script.seen[-1] == ("/EventMgmt/EventTable?timeout=1200", '"164-11"')


def test_printer_event_channel_needs_ledm() -> None:
    printer = HPPrinter("192.0.2.1", None, transport=_NoTransport())
    assert printer.event_channel() is None  # not probed yet
    printer._profile = Profile("http://192.0.2.1", (PrinterProtocol.IPP,))
    assert printer.event_channel() is None
    printer._profile = Profile(
        "http://192.0.2.1:8080", (PrinterProtocol.LEDM, PrinterProtocol.IPP)
    )
    channel = printer.event_channel(wait=30)
    assert channel is not None
    assert channel.wait_seconds == 30


class _NoTransport:
    request_count = 0
