"""The LEDM event table (``/EventMgmt/EventTable``) with its long poll.

Shape from the captures in node-hp-scan-to (``test/asset/eventTable*.xml`` and
the Officejet 6500 transcript in ``protocol_doc/index.md``): the table holds the
newest event of each category (a ScanEvent per destination), each with an
``AgingStamp`` ``<boot>-<sequence>``; the ETag is the newest stamp. A long poll
(``?timeout=`` in tenths of a second, with ``If-None-Match``) answers as soon as
something newer exists, with only the newer events, or 304 after the timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import re
from typing import Final
import xml.etree.ElementTree as ET

from aiohttp import web

EV: Final = "http://www.hp.com/schemas/imaging/con/ledm/events/2007/09/16"
DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
MAX_TIMEOUT_TENTHS: Final = 1200
"""The longest wait a client gets (the value HP's own software asks for)."""
MAX_WAITERS: Final = 16
"""Concurrent long polls at most; more get 503 as a busy printer answers."""
_ETAG: Final = re.compile(r'^\s*(?:W/)?"?(\d{1,9})-(\d{1,9})"?\s*$')

ET.register_namespace("ev", EV)
ET.register_namespace("dd", DD)


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the table."""

    category: str
    stamp: tuple[int, int]
    payloads: tuple[tuple[str, str], ...] = ()
    """(ResourceURI, ResourceType) pairs."""

    @property
    def aging_stamp(self) -> str:
        """``164-12``."""
        return f"{self.stamp[0]}-{self.stamp[1]}"


def parse_etag(value: str | None) -> tuple[int, int] | None:
    """``"164-12"`` -> (164, 12); None when absent or not a stamp."""
    if value is None:
        return None
    match = _ETAG.match(value)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


class EventTable:
    """The events of one printer and the clients waiting for new ones."""

    def __init__(self, boot: int = 1) -> None:
        """Start as a printer just powered on."""
        self._boot = boot
        self._sequence = 0
        self._events: dict[str, Event] = {}
        self._changed = asyncio.Event()
        self._waiters = 0
        self.power_up()

    @property
    def stamp(self) -> tuple[int, int]:
        """The newest aging stamp."""
        return (self._boot, self._sequence)

    @property
    def etag(self) -> str:
        """The quoted ETag of the current table."""
        return f'"{self._boot}-{self._sequence}"'

    @property
    def events(self) -> tuple[Event, ...]:
        """All rows, oldest first."""
        return tuple(sorted(self._events.values(), key=lambda e: e.stamp))

    def power_up(self) -> None:
        """A power cycle: a new boot number, an empty table but PowerUpEvent."""
        if self._sequence:
            self._boot += 1
        self._sequence = 0
        self._events = {}
        self.add("DeviceCapabilitiesChanged")
        self.add("PowerUpEvent")

    def add(
        self, category: str, *payloads: tuple[str, str], key: str | None = None
    ) -> Event:
        """Record an event (replacing the older one of its kind) and wake waiters."""
        self._sequence += 1
        event = Event(category, self.stamp, payloads)
        self._events[key or category] = event
        self._changed.set()
        self._changed = asyncio.Event()
        return event

    def newer_than(self, stamp: tuple[int, int] | None) -> tuple[Event, ...]:
        """Events after ``stamp`` (all of them for None or a stamp of another boot)."""
        if stamp is None or stamp[0] != self._boot or stamp[1] > self._sequence:
            return self.events
        return tuple(e for e in self.events if e.stamp > stamp)

    def render(self, events: tuple[Event, ...]) -> bytes:
        """The EventTable document holding ``events``."""
        root = ET.Element(f"{{{EV}}}EventTable")
        version = ET.SubElement(root, f"{{{DD}}}Version")
        ET.SubElement(version, f"{{{DD}}}Revision").text = "SVN.3295"
        for event in events:
            row = ET.SubElement(root, f"{{{EV}}}Event")
            ET.SubElement(
                row, f"{{{DD}}}UnqualifiedEventCategory"
            ).text = event.category
            ET.SubElement(row, f"{{{DD}}}AgingStamp").text = event.aging_stamp
            for uri, resource_type in event.payloads:
                payload = ET.SubElement(row, f"{{{EV}}}Payload")
                ET.SubElement(payload, f"{{{DD}}}ResourceURI").text = uri
                ET.SubElement(payload, f"{{{DD}}}ResourceType").text = resource_type
        ET.indent(root, "  ")
        return (
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b"<!-- THIS DATA SUBJECT TO DISCLAIMER(S) INCLUDED WITH THE PRODUCT"
            b" OF ORIGIN. -->\n" + ET.tostring(root) + b"\n"
        )

    async def handle(self, request: web.Request) -> web.Response:
        """``GET /EventMgmt/EventTable[?timeout=N]``."""
        raw_timeout = request.query.get("timeout")
        known = parse_etag(request.headers.get("If-None-Match"))
        if raw_timeout is None:
            if known is not None and known == self.stamp:
                return self._not_modified()
            return self._table(self.events)
        try:
            tenths = int(raw_timeout)
        except ValueError:
            raise web.HTTPBadRequest(text="timeout must be an integer") from None
        if tenths < 0:
            raise web.HTTPBadRequest(text="timeout must be >= 0")
        seconds = min(tenths, MAX_TIMEOUT_TENTHS) / 10
        newer = self.newer_than(known)
        if newer:
            return self._table(newer)
        if self._waiters >= MAX_WAITERS:
            raise web.HTTPServiceUnavailable(text="too many event listeners")
        self._waiters += 1
        try:
            async with asyncio.timeout(seconds):
                while not (newer := self.newer_than(known)):
                    await self._changed.wait()
        except TimeoutError:
            return self._not_modified()
        finally:
            self._waiters -= 1
        return self._table(newer)

    def _table(self, events: tuple[Event, ...]) -> web.Response:
        response = web.Response(body=self.render(events), content_type="text/xml")
        response.headers["ETag"] = self.etag
        response.headers["Cache-Control"] = "must-revalidate, max-age=0"
        return response

    def _not_modified(self) -> web.Response:
        response = web.Response(status=304)
        response.headers["ETag"] = self.etag
        return response
