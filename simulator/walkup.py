"""LEDM walk-up "Scan to computer" (``/WalkupScanToComp/``) and the Scan button.

Shapes from node-hp-scan-to's captures (``test/asset/walkupScanToComp*.xml``,
``eventTableComp.xml``) and its client (``src/listening.ts``,
``src/scanJobHandlers.ts``), which is how real printers are driven:

1. a computer registers a destination (POST, 201 + Location);
2. the user picks it on the panel and presses Start: the event table gets a
   ScanEvent naming the destination and ``/WalkupScanToComp/WalkupScanToCompEvent``;
   the destination document now carries the chosen shortcut and sides;
3. the computer reads WalkupScanToCompEvent (``HostSelected``, then
   ``ScanRequested``) and runs a scan job itself (eSCL or ``/Scan/Jobs``);
4. after a glass job, on printers that scan several items from the glass, the
   panel asks for another page: a new ScanEvent, then
   ``ScanNewPageRequested`` (another job) or ``ScanPagesComplete``.

Registrations live in RAM: a power cycle forgets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time
from typing import TYPE_CHECKING, Any, Final
import uuid
import xml.etree.ElementTree as ET

from aiohttp import web

from .scanner import DD, ScanRefusedError, parse_xml, read_body

if TYPE_CHECKING:
    from .events import EventTable
    from .scanner import ScanJob, Scanner
    from .state import PrinterState

WUS: Final = "http://www.hp.com/schemas/imaging/con/ledm/walkupscan/2010/09/28"
DD3: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/2009/04/06"
SCANTYPE: Final = "http://www.hp.com/schemas/imaging/con/ledm/scantype/2008/03/17"
BASE: Final = "/WalkupScanToComp/WalkupScanToCompDestinations"
EVENT_PATH: Final = "/WalkupScanToComp/WalkupScanToCompEvent"
MAX_DESTINATIONS: Final = 15
"""``wus:MaxNetworkDestinations`` of the captured caps."""
MAX_NAME: Final = 64
MAX_REGISTRATION_BYTES: Final = 8192
SHORTCUTS: Final = ("SavePDF", "SaveJPEG", "EmailPDF", "EmailJPEG", "GeneralScan")
"""``wus:ShortcutSupport`` of the captured caps (walkupScanToCompCaps.xml)."""
USER_ACTION_TIMEOUT: Final = 60.0
"""Seconds the panel waits for the computer (``wus:UserActionTimeout`` of the caps)."""
MAX_PAGES: Final = 50
"""Glass pages one button press scans in a row at most."""

ET.register_namespace("wus", WUS)
ET.register_namespace("dd3", DD3)
ET.register_namespace("scantype", SCANTYPE)


@dataclass(slots=True)
class Destination:
    """One registered computer."""

    id: str
    name: str
    hostname: str
    shortcut: str | None = None
    duplex: bool = False

    @property
    def path(self) -> str:
        """Its resource URI."""
        return f"{BASE}/{self.id}"


@dataclass(slots=True)
class Session:
    """One press of the Scan button, until ScanPagesComplete."""

    destination: Destination
    source: str
    pages_left: int
    event: str = "HostSelected"
    reads: int = 0
    jobs: list[str] = field(default_factory=list)
    touched: float = field(default_factory=time.monotonic)
    """Last time the computer or the panel did something in this session."""


class Walkup:
    """Destinations, the panel's session and the HTTP endpoints."""

    def __init__(
        self, state: PrinterState, events: EventTable, scanner: Scanner
    ) -> None:
        """Walk-up of one printer."""
        self.state = state
        self.events = events
        self.scanner = scanner
        self.destinations: dict[str, Destination] = {}
        self.session: Session | None = None
        scanner.listeners.append(self._on_job)

    def routes(self) -> list[web.RouteDef]:
        """Every walk-up route."""
        one = BASE + "/{dest_id:[0-9a-f-]{36}}"
        return [
            web.get("/WalkupScanToComp/WalkupScanToCompCaps", self.get_caps),
            web.get(BASE, self.get_destinations),
            web.post(BASE, self.post_destination),
            web.get(one, self.get_destination),
            web.delete(one, self.delete_destination),
            web.get(EVENT_PATH, self.get_event),
        ]

    def power_cycle(self) -> None:
        """Registrations and the session are lost."""
        self.destinations.clear()
        self.session = None

    # --- the panel --------------------------------------------------------------------

    def press(
        self,
        name: str,
        shortcut: str,
        source: str = "auto",
        duplex: bool = False,
        pages: int = 1,
    ) -> str:
        """The user picks ``name`` on the panel, a shortcut, and presses Start.

        Returns:
            The destination's resource URI.

        Raises:
            KeyError: no destination of that name.
            ScanRefusedError: 409 a session runs, feeder empty; 400 bad values.
        """
        if shortcut not in SHORTCUTS:
            raise ScanRefusedError(
                400, f"shortcut must be one of {', '.join(SHORTCUTS)}"
            )
        _check_press(self.scanner, source, duplex, pages)
        destination = next(
            (d for d in self.destinations.values() if d.name == name), None
        )
        if destination is None:
            raise KeyError(name)
        session = self.session
        if (
            session is not None
            and session.event != "ScanPagesComplete"
            and not _timed_out(session.touched)
        ):
            raise ScanRefusedError(409, "a walk-up scan is already running")
        if source == "feeder" and not self.state.feeder_sheets:
            raise ScanRefusedError(409, "document feeder empty")
        destination.shortcut = shortcut
        destination.duplex = duplex
        self.session = Session(destination, source, pages)
        self._scan_event(destination)
        return destination.path

    def _scan_event(self, destination: Destination) -> None:
        self.events.add(
            "ScanEvent",
            (destination.path, "wus:WalkupScanToCompDestination"),
            (EVENT_PATH, "wus:WalkupScanToCompEvent"),
            key=f"ScanEvent:{destination.id}",
        )

    def _on_job(self, job: ScanJob) -> None:
        """A scan job changed: a finished one moves the panel on."""
        session = self.session
        if (
            session is None
            or session.event not in ("ScanRequested", "ScanNewPageRequested")
            or job.active
        ):
            return
        session.jobs.append(job.uuid)
        session.touched = time.monotonic()
        session.pages_left -= 1
        session.event = _next_step(job, session.pages_left)
        if job.state == "Completed" and job.settings.source == "Platen":
            # The panel asked "another page?" and tells the computer the answer;
            # after the feeder (or a failed job) there is nothing to ask.
            self._scan_event(session.destination)

    # --- documents ----------------------------------------------------------------------

    def caps(self) -> bytes:
        """``WalkupScanToCompCaps`` (walkupScanToCompCaps.xml, SVN-IPG-LEDM.351)."""
        root = ET.Element(f"{{{WUS}}}WalkupScanToCompCaps")
        version = ET.SubElement(root, f"{{{DD}}}Version")
        _sub(version, DD, "Revision", "SVN-IPG-LEDM.351")
        _sub(root, WUS, "MaxNetworkDestinations", str(MAX_DESTINATIONS))
        _sub(root, WUS, "SupportsMultiItemScanFromPlaten", "true")
        timeout = ET.SubElement(root, f"{{{WUS}}}UserActionTimeout")
        _sub(timeout, DD, "ValueFloat", f"{USER_ACTION_TIMEOUT:g}")
        _sub(timeout, DD, "Unit", "seconds")
        support = ET.SubElement(root, f"{{{WUS}}}ShortcutSupport", access="readOnly")
        for shortcut in SHORTCUTS:
            _sub(support, WUS, "Shortcut", shortcut)
        return _document(root)

    def _destination(self, parent: ET.Element, destination: Destination) -> None:
        _sub(parent, DD, "ResourceURI", destination.path)
        _sub(parent, DD, "Name", destination.name)
        _sub(parent, DD3, "Hostname", destination.hostname)
        _sub(parent, WUS, "LinkType", "Network")

    def destination_document(self, destination: Destination) -> bytes:
        """One destination (walkupScanToCompDestination_with_ScanPlexMode.xml)."""
        root = ET.Element(f"{{{WUS}}}WalkupScanToCompDestination")
        self._destination(root, destination)
        if destination.shortcut is not None:
            settings = ET.SubElement(root, f"{{{WUS}}}WalkupScanToCompSettings")
            scan = ET.SubElement(settings, f"{{{SCANTYPE}}}ScanSettings")
            _sub(
                scan, DD, "ScanPlexMode", "Duplex" if destination.duplex else "Simplex"
            )
            _sub(settings, WUS, "Shortcut", destination.shortcut)
        return _document(root)

    def list_document(self) -> bytes:
        """All destinations (walkupScanToCompDestinations.xml)."""
        root = ET.Element(f"{{{WUS}}}WalkupScanToCompDestinations")
        for destination in self.destinations.values():
            self._destination(
                ET.SubElement(root, f"{{{WUS}}}WalkupScanToCompDestination"),
                destination,
            )
        return _document(root)

    def event_document(self, event: str) -> bytes:
        """``WalkupScanToCompEvent`` (walkupScanToCompEvent.xml)."""
        root = ET.Element(f"{{{WUS}}}WalkupScanToCompEvent")
        _sub(root, WUS, "WalkupScanToCompEventType", event)
        return _document(root)

    # --- HTTP ---------------------------------------------------------------------------

    @staticmethod
    def _xml(body: bytes) -> web.Response:
        response = web.Response(body=body, content_type="text/xml")
        response.headers["Cache-Control"] = "must-revalidate, max-age=0"
        return response

    async def get_caps(self, request: web.Request) -> web.Response:
        """WalkupScanToCompCaps."""
        return self._xml(self.caps())

    async def get_destinations(self, request: web.Request) -> web.Response:
        """The destination list."""
        return self._xml(self.list_document())

    def _find(self, request: web.Request) -> Destination:
        destination = self.destinations.get(request.match_info["dest_id"])
        if destination is None:
            raise web.HTTPNotFound(text="no such destination")
        return destination

    async def get_destination(self, request: web.Request) -> web.Response:
        """One destination."""
        return self._xml(self.destination_document(self._find(request)))

    async def delete_destination(self, request: web.Request) -> web.Response:
        """Remove one destination."""
        destination = self._find(request)
        del self.destinations[destination.id]
        if self.session is not None and self.session.destination is destination:
            self.session = None
        return web.Response(status=200)

    async def post_destination(self, request: web.Request) -> web.Response:
        """Register a destination: 201 + Location."""
        try:
            root = parse_xml(await read_body(request, MAX_REGISTRATION_BYTES))
        except ScanRefusedError as err:
            return web.Response(status=err.status, text=str(err))
        if root.tag.rpartition("}")[2] not in (
            "WalkupScanToCompDestination",
            "WalkupScanDestination",
        ):
            return web.Response(status=400, text="not a WalkupScanToCompDestination")
        values = {
            child.tag.rpartition("}")[2]: (child.text or "").strip() for child in root
        }
        name = values.get("Name", "")
        hostname = values.get("Hostname", "")
        link = values.get("LinkType", "")
        if not name or not hostname or len(name) > MAX_NAME or len(hostname) > MAX_NAME:
            return web.Response(status=400, text="Name and Hostname are required")
        if link != "Network":
            return web.Response(status=400, text="LinkType must be Network")
        if len(self.destinations) >= MAX_DESTINATIONS:
            return web.Response(status=507, text="too many destinations")
        destination = Destination(str(uuid.uuid4()), name, hostname)
        self.destinations[destination.id] = destination
        response = web.Response(status=201)
        response.headers["Location"] = (
            f"{request.scheme}://{request.host}{destination.path}"
        )
        return response

    async def get_event(self, request: web.Request) -> web.Response:
        """What the panel is doing: HostSelected, ScanRequested, ..."""
        session = self.session
        if session is None:
            raise web.HTTPNotFound(text="no walk-up scan")
        event = session.event
        session.reads += 1
        session.touched = time.monotonic()
        if event == "HostSelected":
            # The user confirms on the panel once the computer answered.
            session.event = "ScanRequested"
        return self._xml(self.event_document(event))

    def to_json(self) -> dict[str, Any]:
        """For ``GET /_sim/walkup``."""
        session = self.session
        return {
            "destinations": [
                {
                    "name": d.name,
                    "hostname": d.hostname,
                    "uri": d.path,
                    "shortcut": d.shortcut,
                }
                for d in self.destinations.values()
            ],
            "session": None
            if session is None
            else {
                "destination": session.destination.name,
                "event": session.event,
                "source": session.source,
                "pages_left": session.pages_left,
                "jobs": len(session.jobs),
            },
        }


def _timed_out(touched: float) -> bool:
    """The panel gave up waiting for the computer (``wus:UserActionTimeout``)."""
    return time.monotonic() - touched > USER_ACTION_TIMEOUT


def _check_press(scanner: Scanner, source: str, duplex: bool, pages: int) -> None:
    if source not in ("auto", "glass", "feeder"):
        raise ScanRefusedError(400, "source must be auto, glass or feeder")
    if not 1 <= pages <= MAX_PAGES:
        raise ScanRefusedError(400, f"pages must be 1-{MAX_PAGES}")
    if duplex and not (scanner.spec.adf and scanner.spec.duplex):
        raise ScanRefusedError(400, "this scanner cannot scan both sides")


def _next_step(job: ScanJob, pages_left: int) -> str:
    """What the panel does after a walk-up scan job ended."""
    if job.state == "Completed" and job.settings.source == "Platen" and pages_left:
        return "ScanNewPageRequested"
    return "ScanPagesComplete"


def _sub(parent: ET.Element, uri: str, local: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{uri}}}{local}")
    element.text = text
    return element


def _document(root: ET.Element) -> bytes:
    ET.indent(root, "    ")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!---->\n' + ET.tostring(root) + b"\n"
    )


# --- eSCL walk-up (CDM generation) ----------------------------------------------------

SCAN_NS: Final = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS: Final = "http://www.pwg.org/schemas/2010/12/sm"
ESCL_BASE: Final = "/eSCL/WalkupSubscriptions"
MAX_SUBSCRIPTIONS: Final = 10
"""Our bound; the firmware's is not known."""
MAX_SHORTCUTS: Final = 5
MAX_SHORTCUT_NAME: Final = 32
"""Limits the OfficeJet Pro 9120e advertises (olibar/hpscan walkup.go)."""
LIVENESS_SECONDS: Final = 10.0
"""The panel offers a computer only while it polls its Event resource."""


@dataclass(slots=True)
class Subscription:
    """One computer on the panel of an eSCL walk-up printer."""

    id: str
    host: str
    shortcuts: tuple[str, ...]
    pending: list[tuple[str, str, bool]] = field(default_factory=list)
    """Events not yet fetched: (type, shortcut, duplex)."""
    last_poll: float | None = None

    @property
    def path(self) -> str:
        """Its resource URI (server-absolute, as the firmware answers)."""
        return f"{ESCL_BASE}/{self.id}"


@dataclass(slots=True)
class EsclSession:
    """One press of Start for an eSCL subscription."""

    subscription: Subscription
    shortcut: str
    duplex: bool
    pages_left: int
    done: bool = False
    touched: float = field(default_factory=time.monotonic)


class EsclWalkup:
    """Walk-up inside eSCL, as measured on an OfficeJet Pro 9120e.

    ``POST /eSCL/WalkupSubscriptions`` (scan:WalkupScanSubscription with
    HostIdentifier, Connection, Shortcuts) -> 201 + a server-absolute
    Location; ``GET {sub}/Event`` -> 204 idle, 200 a scan:WalkupScanEvent
    (HostSelected, then ScanRequested with the shortcut's ScanSettings ...),
    404 unknown subscription; the computer scans with ordinary eSCL jobs.
    Shapes from olibar/hpscan ``internal/escl/walkup{,_test}.go``.
    """

    def __init__(self, state: PrinterState, scanner: Scanner) -> None:
        """ESCL walk-up of one printer."""
        self.state = state
        self.scanner = scanner
        self.subscriptions: dict[str, Subscription] = {}
        self.session: EsclSession | None = None
        scanner.listeners.append(self._on_job)

    def routes(self) -> list[web.RouteDef]:
        """Every eSCL walk-up route."""
        one = ESCL_BASE + "/{sub_id:[0-9a-f-]{36}}"
        return [
            web.get(ESCL_BASE, self.get_subscriptions),
            web.post(ESCL_BASE, self.post_subscription),
            web.delete(one, self.delete_subscription),
            web.get(one + "/Event", self.get_event),
        ]

    def power_cycle(self) -> None:
        """Subscriptions and the session are lost."""
        self.subscriptions.clear()
        self.session = None

    def press(
        self,
        name: str,
        shortcut: str,
        source: str = "auto",
        duplex: bool = False,
        pages: int = 1,
    ) -> str:
        """The user picks computer ``name`` and one of its shortcuts, then Start.

        Returns:
            The subscription's resource URI.

        Raises:
            KeyError: no subscription of that host.
            ScanRefusedError: 400 bad values or a shortcut the computer did not
                offer; 409 busy, not polling (the panel says the computer is not
                available), feeder empty.
        """
        _check_press(self.scanner, source, duplex, pages)
        subscription = next(
            (s for s in self.subscriptions.values() if s.host == name), None
        )
        if subscription is None:
            raise KeyError(name)
        if shortcut not in subscription.shortcuts:
            offered = ", ".join(subscription.shortcuts)
            raise ScanRefusedError(400, f"shortcut must be one of {offered}")
        session = self.session
        if session is not None and not session.done and not _timed_out(session.touched):
            raise ScanRefusedError(409, "a walk-up scan is already running")
        polled = subscription.last_poll
        if polled is None or time.monotonic() - polled > LIVENESS_SECONDS:
            raise ScanRefusedError(409, "the computer is not available (not polling)")
        if source == "feeder" and not self.state.feeder_sheets:
            raise ScanRefusedError(409, "document feeder empty")
        self.session = EsclSession(subscription, shortcut, duplex, pages)
        subscription.pending[:] = [
            ("HostSelected", shortcut, duplex),
            ("ScanRequested", shortcut, duplex),
        ]
        return subscription.path

    def _on_job(self, job: ScanJob) -> None:
        session = self.session
        if session is None or session.done or job.active:
            return
        session.touched = time.monotonic()
        session.pages_left -= 1
        step = _next_step(job, session.pages_left)
        session.done = step == "ScanPagesComplete"
        # At most one event per job and MAX_PAGES jobs per press: bounded.
        session.subscription.pending.append((step, session.shortcut, session.duplex))

    def event_document(
        self, subscription: Subscription, event: tuple[str, str, bool]
    ) -> bytes:
        """A scan:WalkupScanEvent (the 9120e's ScanRequested in walkup_test.go)."""
        kind, shortcut, duplex = event
        root = ET.Element(f"{{{SCAN_NS}}}WalkupScanEvent")
        _sub(root, SCAN_NS, "ResourceURI", subscription.path)
        _sub(root, SCAN_NS, "HostIdentifier", subscription.host)
        _sub(root, SCAN_NS, "Connection", "Network")
        _sub(root, SCAN_NS, "Event", kind)
        _sub(root, SCAN_NS, "Shortcut", shortcut)
        settings = ET.SubElement(root, f"{{{SCAN_NS}}}ScanSettings")
        _sub(settings, PWG_NS, "Version", "2.4")
        _sub(settings, SCAN_NS, "XResolution", "300")
        _sub(settings, SCAN_NS, "YResolution", "300")
        _sub(settings, SCAN_NS, "Duplex", "true" if duplex else "false")
        _sub(settings, SCAN_NS, "Brightness", "4")
        _sub(settings, SCAN_NS, "ContentOrientation", "Portrait")
        ET.indent(root, "\t")
        return b'<?xml version="1.0"?>\n' + ET.tostring(root) + b"\n"

    def list_document(self) -> bytes:
        """The subscriptions; an empty body when there are none, as measured."""
        if not self.subscriptions:
            return b""
        root = ET.Element(f"{{{SCAN_NS}}}WalkupScanSubscriptions")
        for subscription in self.subscriptions.values():
            entry = ET.SubElement(root, f"{{{SCAN_NS}}}WalkupScanSubscription")
            _sub(entry, SCAN_NS, "HostIdentifier", subscription.host)
            _sub(entry, SCAN_NS, "Connection", "Network")
            shortcuts = ET.SubElement(entry, f"{{{SCAN_NS}}}Shortcuts")
            for shortcut in subscription.shortcuts:
                _sub(shortcuts, SCAN_NS, "Shortcut", shortcut)
        ET.indent(root, "  ")
        return b'<?xml version="1.0"?>\n' + ET.tostring(root) + b"\n"

    # --- HTTP ---------------------------------------------------------------------------

    def _find(self, request: web.Request) -> Subscription:
        subscription = self.subscriptions.get(request.match_info["sub_id"])
        if subscription is None:
            raise web.HTTPNotFound(text="no such subscription")
        return subscription

    async def get_subscriptions(self, request: web.Request) -> web.Response:
        """The list (200 with an empty body when nobody subscribed)."""
        body = self.list_document()
        return web.Response(body=body, content_type="text/xml" if body else None)

    async def post_subscription(self, request: web.Request) -> web.Response:
        """Subscribe: 201 + Location."""
        try:
            root = parse_xml(await read_body(request, MAX_REGISTRATION_BYTES))
        except ScanRefusedError as err:
            return web.Response(status=err.status, text=str(err))
        if root.tag != f"{{{SCAN_NS}}}WalkupScanSubscription":
            return web.Response(status=400, text="not a WalkupScanSubscription")
        host = (root.findtext(f"{{{SCAN_NS}}}HostIdentifier") or "").strip()
        connection = (root.findtext(f"{{{SCAN_NS}}}Connection") or "").strip()
        shortcuts = tuple(
            (e.text or "").strip()
            for e in root.iterfind(f"{{{SCAN_NS}}}Shortcuts/{{{SCAN_NS}}}Shortcut")
        )
        if not host or len(host) > MAX_NAME or connection != "Network":
            return web.Response(status=400, text="HostIdentifier, Connection Network")
        if not 1 <= len(shortcuts) <= MAX_SHORTCUTS or not all(
            0 < len(s) <= MAX_SHORTCUT_NAME for s in shortcuts
        ):
            return web.Response(
                status=400,
                text=f"1-{MAX_SHORTCUTS} shortcuts of 1-{MAX_SHORTCUT_NAME} characters",
            )
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            return web.Response(status=507, text="too many subscriptions")
        subscription = Subscription(str(uuid.uuid4()), host, shortcuts)
        self.subscriptions[subscription.id] = subscription
        return web.Response(status=201, headers={"Location": subscription.path})

    async def delete_subscription(self, request: web.Request) -> web.Response:
        """Unsubscribe."""
        subscription = self._find(request)
        del self.subscriptions[subscription.id]
        if self.session is not None and self.session.subscription is subscription:
            self.session = None
        return web.Response(status=204)

    async def get_event(self, request: web.Request) -> web.Response:
        """The next instruction, or 204; polling keeps the computer on the panel."""
        subscription = self._find(request)
        subscription.last_poll = time.monotonic()
        if self.session is not None and self.session.subscription is subscription:
            self.session.touched = subscription.last_poll
        if not subscription.pending:
            return web.Response(status=204)
        event = subscription.pending.pop(0)
        return web.Response(
            body=self.event_document(subscription, event), content_type="text/xml"
        )

    def to_json(self) -> dict[str, Any]:
        """For ``GET /_sim/scan``."""
        session = self.session
        return {
            "subscriptions": [
                {"host": s.host, "uri": s.path, "shortcuts": list(s.shortcuts)}
                for s in self.subscriptions.values()
            ],
            "session": None
            if session is None
            else {
                "host": session.subscription.host,
                "shortcut": session.shortcut,
                "pages_left": session.pages_left,
                "done": session.done,
            },
        }
