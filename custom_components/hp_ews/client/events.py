"""LEDM's event table: a long poll that tells what changed on the printer.

``GET /EventMgmt/EventTable`` answers the table and an ``ETag``; from then on
``GET /EventMgmt/EventTable?timeout=<tenths of a second>`` with
``If-None-Match`` waits on the printer until the table changes (200, a new
table and ETag) or the wait ends (304). ``AlertTableChanged`` points at the
status document (a jam, an open door, out of paper), supply events at the
consumables document, ``ScanEvent`` at the walk-up destination a user picked
on the panel (docs/protocols.md §12; captures in tests/fixtures/ledm/walkup/).

The table lists past events too, so only entries that were not in the
previous table (by category and ``AgingStamp``) are reported.

HP firmware of this generation is fragile: one connection at a time (the
transport's long-poll slot), nothing sent faster than the printer answers,
and after a failure the next attempt waits longer (doubling, capped). A
channel that cannot work (no event table, no ETag, or a printer that ignores
``timeout`` and answers at once again and again) raises
``HPEWSUnsupportedError`` so the caller falls back to polling.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
import logging
import time
from typing import TYPE_CHECKING, Final

from yarl import URL

from .errors import HPEWSConnectionError, HPEWSParseError, HPEWSUnsupportedError
from .protocols.xmlsafe import child_text, children, is_hp_element, parse_xml
from .transport import LONG_POLL_MARGIN

if TYPE_CHECKING:
    from collections.abc import Callable
    from xml.etree.ElementTree import Element

    from .transport import HttpResponse, PrinterTransport

_LOGGER = logging.getLogger(__name__)

EVENT_TABLE: Final = "/EventMgmt/EventTable"
DEFAULT_WAIT: Final = 120.0
"""Seconds the printer is asked to hold a poll (``timeout=1200``, as HP's software asks)."""
MAX_EVENTS: Final = 64
"""Events read from one table; real tables list under ten."""
MAX_PAYLOADS: Final = 8
"""Resources read per event; a ScanEvent names two."""
MAX_EVENT_TABLE_BYTES: Final = 256 * 1024
"""Largest table accepted; real ones are 1-3 kB."""
BACKOFF_START: Final = 5.0
"""Seconds before the first retry after a failure; doubled per failure."""
BACKOFF_MAX: Final = 300.0
"""Longest wait between attempts while the channel fails."""
EARLY_FRACTION: Final = 0.25
"""An empty answer before this fraction of the wait counts as "answered at once"."""
MAX_EARLY_ANSWERS: Final = 3
"""Empty answers in a row, each at once, after which the printer ignores ``timeout``."""

_STATUS_CATEGORIES: Final = frozenset({"alerttablechanged"})
_SCAN_CATEGORIES: Final = frozenset({"scanevent"})
_POWER_UP_CATEGORIES: Final = frozenset({"powerupevent"})
_JOB_CATEGORIES: Final = frozenset({"jobevent"})
_SUPPLY_WORDS: Final = ("consumable", "supply", "supplies")


class PrinterEventKind(StrEnum):
    """What an event means for a reader of the printer."""

    STATUS = "status"
    """The alert table changed: read the status (and with it supplies)."""
    SUPPLIES = "supplies"
    """A supply changed: read the consumables."""
    SCAN = "scan"
    """A user pressed Scan on the panel for a walk-up destination."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PrinterEvent:
    """One new entry of the printer's event table."""

    kind: PrinterEventKind
    category: str
    """The printer's own name for it (``AlertTableChanged``, ``ScanEvent``, ...)."""
    resource: str | None = None
    """Path of the first resource it names (a walk-up destination, a document)."""
    resources: tuple[str, ...] = ()
    """Paths of every resource it names, in order."""
    aging_stamp: str | None = None

    @property
    def power_up(self) -> bool:
        """The printer started: walk-up registrations are gone."""
        return self.category.lower() in _POWER_UP_CATEGORIES

    @property
    def job(self) -> bool:
        """A job (print, scan, copy) changed state."""
        return self.category.lower() in _JOB_CATEGORIES

    def names(self, path: str) -> bool:
        """Whether the event names the resource at ``path`` (case-insensitive)."""
        wanted = path.rstrip("/").lower()
        return any(res.rstrip("/").lower() == wanted for res in self.resources)


@dataclass(frozen=True, slots=True)
class EventTable:
    """A parsed event table (every entry, old and new)."""

    events: tuple[PrinterEvent, ...]

    def new_since(self, previous: EventTable | None) -> tuple[PrinterEvent, ...]:
        """Entries not in ``previous``; an entry without a stamp is always new."""
        if previous is None:
            return self.events
        seen = {
            (event.category, event.aging_stamp)
            for event in previous.events
            if event.aging_stamp is not None
        }
        return tuple(
            event
            for event in self.events
            if event.aging_stamp is None
            or (event.category, event.aging_stamp) not in seen
        )


def parse_event_table(data: bytes) -> EventTable:
    """Parse an ``EventTable`` document into its events (at most ``MAX_EVENTS``).

    Raises ``HPEWSParseError`` when the document is not an event table.
    """
    if len(data) > MAX_EVENT_TABLE_BYTES:
        raise HPEWSParseError(f"Event table of {len(data)} bytes refused")
    root = parse_xml(data)
    if not is_hp_element(root, "EventTable"):
        raise HPEWSParseError(f"Not an LEDM event table: {root.tag}")
    return EventTable(
        tuple(
            event
            for element in children(root, "Event", MAX_EVENTS)
            if (event := _parse_event(element)) is not None
        )
    )


def _parse_event(element: Element) -> PrinterEvent | None:
    category = child_text(element, "UnqualifiedEventCategory")
    if category is None:
        return None
    resources = tuple(
        _path(uri)
        for payload in children(element, "Payload", MAX_PAYLOADS)
        if (uri := child_text(payload, "ResourceURI")) is not None
    )
    return PrinterEvent(
        kind=_kind(category, resources),
        category=category,
        resource=resources[0] if resources else None,
        resources=resources,
        aging_stamp=child_text(element, "AgingStamp"),
    )


def _path(uri: str) -> str:
    """The path of a resource URI; old firmware writes absolute URLs."""
    try:
        parsed = URL(uri)
    except ValueError:
        return uri
    return parsed.path if parsed.is_absolute() else uri


def _kind(category: str, resources: tuple[str, ...]) -> PrinterEventKind:
    lowered = category.lower()
    if lowered in _STATUS_CATEGORIES:
        return PrinterEventKind.STATUS
    if lowered in _SCAN_CATEGORIES:
        return PrinterEventKind.SCAN
    if any(word in lowered for word in _SUPPLY_WORDS) or any(
        "consumable" in res.lower() for res in resources
    ):
        return PrinterEventKind.SUPPLIES
    return PrinterEventKind.OTHER


class EventChannel:
    """The long poll on one printer's event table.

    Call ``wait()`` in a loop. The first call reads the table as it is and
    returns nothing (its entries are history); each later call returns the
    entries that are new since the previous answer, or ``()`` when the wait
    ended without a change.
    """

    def __init__(
        self,
        transport: PrinterTransport,
        base_url: str,
        *,
        wait: float = DEFAULT_WAIT,
        backoff_start: float = BACKOFF_START,
        backoff_max: float = BACKOFF_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare the channel; nothing is sent until ``wait()``.

        ``wait`` is the seconds the printer is asked to hold each poll.
        """
        if wait <= 0:
            raise ValueError("wait must be positive")
        self._transport = transport
        self._url = base_url.rstrip("/") + EVENT_TABLE
        self._wait = wait
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        self._clock = clock
        self._etag: str | None = None
        self._table: EventTable | None = None
        self._failures = 0
        self._early = 0
        self._unusable: str | None = None

    @property
    def wait_seconds(self) -> float:
        """Seconds the printer is asked to hold each poll."""
        return self._wait

    @property
    def connected(self) -> bool:
        """The last poll got an answer: events arrive as they happen."""
        return self._etag is not None and self._failures == 0

    @property
    def failures(self) -> int:
        """Polls in a row that failed."""
        return self._failures

    @property
    def backoff(self) -> float:
        """Seconds ``wait()`` sleeps before its request (0 after a success)."""
        if not self._failures:
            return 0.0
        return float(
            min(self._backoff_start * 2 ** (self._failures - 1), self._backoff_max)
        )

    def reset(self) -> None:
        """Start over: the next ``wait()`` reads the table afresh."""
        self._etag = None
        self._table = None
        self._early = 0

    async def wait(self) -> tuple[PrinterEvent, ...]:
        """Wait for new events (up to the wait plus ``LONG_POLL_MARGIN``).

        Raises:
            HPEWSUnsupportedError: the channel cannot work on this printer;
                every later call raises it again.
            HPEWSConnectionError: the printer did not answer (or answered
                nonsense); the next call waits ``backoff`` seconds first.
            HPEWSAuthenticationError: the printer wants credentials.
        """
        if self._unusable is not None:
            raise HPEWSUnsupportedError(self._unusable)
        if delay := self.backoff:
            await asyncio.sleep(delay)
        try:
            return await self._poll()
        except HPEWSUnsupportedError as err:
            self._unusable = str(err)
            raise
        except HPEWSParseError as err:
            self._fail()
            raise HPEWSConnectionError(f"Unreadable event table: {err}") from err
        except HPEWSConnectionError:
            self._fail()
            raise

    def _fail(self) -> None:
        self._failures += 1
        # The table the printer keeps after a restart is not the one we knew.
        self.reset()

    async def _poll(self) -> tuple[PrinterEvent, ...]:
        if self._etag is None:
            response = await self._transport.exchange(
                "GET", self._url, limit=MAX_EVENT_TABLE_BYTES
            )
            self._accept(response)
            self._failures = 0
            return ()
        started = self._clock()
        response = await self._transport.exchange(
            "GET",
            f"{self._url}?timeout={round(self._wait * 10)}",
            headers={"If-None-Match": self._etag},
            limit=MAX_EVENT_TABLE_BYTES,
            request_timeout=self._wait + LONG_POLL_MARGIN,
            long_poll=True,
        )
        elapsed = self._clock() - started
        if response.status == 304:
            events: tuple[PrinterEvent, ...] = ()
        else:
            previous = self._table
            table = self._accept(response)
            events = table.new_since(previous)
        self._failures = 0
        self._check_early(elapsed, events)
        return events

    def _accept(self, response: HttpResponse) -> EventTable:
        """Take a 200 answer's table and ETag; anything else is an error."""
        if response.status in (404, 405, 501) or (
            response.status == 400 and self._table is None
        ):
            raise HPEWSUnsupportedError(
                f"The printer has no event table (HTTP {response.status})"
            )
        if response.status != 200:
            raise HPEWSConnectionError(
                f"The event table answered HTTP {response.status}"
            )
        etag = response.header("ETag")
        if not etag:
            raise HPEWSUnsupportedError("The printer's event table has no ETag")
        table = parse_event_table(response.body)
        self._etag, self._table = etag, table
        return table

    def _check_early(self, elapsed: float, events: tuple[PrinterEvent, ...]) -> None:
        """Notice a printer that answers every poll at once with nothing new."""
        if events or elapsed >= self._wait * EARLY_FRACTION:
            self._early = 0
            return
        self._early += 1
        _LOGGER.debug("Event table answered after %.1f s with nothing new", elapsed)
        if self._early >= MAX_EARLY_ANSWERS:
            raise HPEWSUnsupportedError(
                "The printer answers the event table at once every time "
                "(it ignores the wait)"
            )
