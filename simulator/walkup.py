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
from typing import TYPE_CHECKING, Any, Final
import uuid
import xml.etree.ElementTree as ET

from aiohttp import web

from .scanner import DD, ScanRefusedError, parse_xml

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
SHORTCUTS: Final = ("SavePDF", "SaveJPEG", "EmailPDF", "EmailJPEG", "GeneralScan")
"""``wus:ShortcutSupport`` of the captured caps (walkupScanToCompCaps.xml)."""
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
    ) -> Destination:
        """The user picks ``name`` on the panel, a shortcut, and presses Start.

        Raises:
            KeyError: no destination of that name.
            ScanRefusedError: 409 a session runs, feeder empty; 400 bad values.
        """
        if shortcut not in SHORTCUTS:
            raise ScanRefusedError(
                400, f"shortcut must be one of {', '.join(SHORTCUTS)}"
            )
        if source not in ("auto", "glass", "feeder"):
            raise ScanRefusedError(400, "source must be auto, glass or feeder")
        if not 1 <= pages <= MAX_PAGES:
            raise ScanRefusedError(400, f"pages must be 1-{MAX_PAGES}")
        destination = next(
            (d for d in self.destinations.values() if d.name == name), None
        )
        if destination is None:
            raise KeyError(name)
        if self.session is not None and self.session.event != "ScanPagesComplete":
            raise ScanRefusedError(409, "a walk-up scan is already running")
        if source == "feeder" and not self.state.feeder_sheets:
            raise ScanRefusedError(409, "document feeder empty")
        if duplex and not (self.scanner.spec.adf and self.scanner.spec.duplex):
            raise ScanRefusedError(400, "this scanner cannot scan both sides")
        destination.shortcut = shortcut
        destination.duplex = duplex
        self.session = Session(destination, source, pages)
        self._scan_event(destination)
        return destination

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
        if job.state != "Completed":
            session.event = "ScanPagesComplete"
            return
        session.pages_left -= 1
        if job.settings.source != "Platen":
            # The feeder took every sheet: nothing more to ask.
            session.event = "ScanPagesComplete"
            return
        # The panel asks "another page?" and tells the computer the answer.
        session.event = (
            "ScanNewPageRequested" if session.pages_left > 0 else "ScanPagesComplete"
        )
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
        _sub(timeout, DD, "ValueFloat", "60")
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
        body = await request.content.read(8193)
        if len(body) > 8192:
            return web.Response(status=413, text="destination too large")
        try:
            root = parse_xml(body)
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
        response.headers["Location"] = f"http://{request.host}{destination.path}"
        return response

    async def get_event(self, request: web.Request) -> web.Response:
        """What the panel is doing: HostSelected, ScanRequested, ..."""
        session = self.session
        if session is None:
            raise web.HTTPNotFound(text="no walk-up scan")
        event = session.event
        session.reads += 1
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


def _sub(parent: ET.Element, uri: str, local: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{uri}}}{local}")
    element.text = text
    return element


def _document(root: ET.Element) -> bytes:
    ET.indent(root, "    ")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!---->\n' + ET.tostring(root) + b"\n"
    )
