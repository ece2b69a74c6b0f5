"""Walk-up destinations: parsing the captures, and registering on a fake printer.

Expected values are read from tests/fixtures/ledm/walkup/ (node-hp-scan-to's
captures). The printer is a small aiohttp server on 127.0.0.1 that keeps a
destination list the way the Officejet 6500 transcript shows: POST answers
201 with a Location, the list then names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
import uuid
from xml.etree.ElementTree import fromstring

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.hp_ews.client import (
    HPEWSConnectionError,
    HPEWSUnsupportedError,
    HPEWSWalkupFullError,
    HPPrinter,
    HttpTransport,
    PrinterProtocol,
    Profile,
    WalkupCapabilities,
    WalkupDestination,
    WalkupEventType,
    WalkupFlavor,
)
from custom_components.hp_ews.client.scanning import ScanFormat, ScanOptions, ScanSource
from custom_components.hp_ews.client.walkup import (
    MAX_NAME_LENGTH,
    check_name,
    parse_caps,
    parse_destinations,
    parse_walkup_event,
    registration_body,
    scan_options_for,
)
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

WALKUP = FIXTURES / "ledm" / "walkup"
COMP_NS = "http://www.hp.com/schemas/imaging/con/ledm/walkupscan/2010/09/28"
LEGACY_POST_NS = "http://www.hp.com/schemas/imaging/con/cnx/walkupscan/2009/09/21"
DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
DD3 = "http://www.hp.com/schemas/imaging/con/dictionaries/2009/04/06"


def _read(name: str) -> bytes:
    return (WALKUP / name).read_bytes()


# --- parsing ---------------------------------------------------------------------


def test_caps() -> None:
    caps = parse_caps(_read("WalkupScanToCompCaps.xml"))
    assert caps.flavor is WalkupFlavor.SCAN_TO_COMP
    assert caps.max_destinations == 15
    assert caps.shortcuts == (
        "SavePDF",
        "SaveJPEG",
        "EmailPDF",
        "EmailJPEG",
        "GeneralScan",
    )
    assert caps.multi_item_platen is True
    assert caps.user_action_timeout == 60.0
    assert caps.destinations_path == "/WalkupScanToComp/WalkupScanToCompDestinations"

    deskjet = parse_caps(_read("Deskjet-3520__WalkupScanToCompCaps.xml"))
    assert (deskjet.max_destinations, deskjet.shortcuts, deskjet.multi_item_platen) == (
        15,
        (),
        False,
    )
    custom = parse_caps(_read("WalkupScanToCompCaps_custom_shortcuts.xml"))
    assert custom.max_destinations == 10
    assert custom.user_action_timeout == 130.0
    assert custom.shortcuts[-3:] == ("SaveEditableText", "GeneralScan", "SendToCloud")
    with pytest.raises(HPEWSUnsupportedError, match="Not walk-up capabilities"):
        parse_caps(_read("WalkupScanToCompEvent_HostSelected.xml"))


def test_destination_lists() -> None:
    limit, (dest,) = parse_destinations(_read("WalkupScanToCompDestinations.xml"))
    assert limit is None
    assert dest == WalkupDestination(
        "/WalkupScanToComp/WalkupScanToCompDestinations/4ad05d8e-20e8-4b8c-bdaa-5e6eca0dd3d8",
        "8d170beb5887",
        "8d170beb5887",
    )
    assert dest.is_named("8d170beb5887")
    assert not dest.is_named("8d170beb")
    assert parse_destinations(_read("WalkupScanToCompDestinations_empty.xml")) == (
        None,
        (),
    )
    limit, (legacy,) = parse_destinations(_read("WalkupScanDestinations.xml"))
    assert limit == 15
    assert legacy.resource == (
        "/WalkupScan/WalkupScanDestinations/1c856ba3-b916-1f08-be4e-2c768ab21113"
    )
    assert legacy.name == legacy.hostname == "manu-sve1511b1ew"
    with pytest.raises(HPEWSUnsupportedError, match="Not a walk-up destination list"):
        parse_destinations(_read("WalkupScanToCompCaps.xml"))


def test_destination_after_the_panel_choice() -> None:
    _, (simplex,) = parse_destinations(
        _read("WalkupScanToCompDestination_simplex_SavePDF.xml")
    )
    assert (simplex.name, simplex.shortcut, simplex.duplex) == (
        "FIXE",
        "SavePDF",
        False,
    )
    _, (duplex,) = parse_destinations(
        _read("WalkupScanToCompDestination_duplex_SavePDF.xml")
    )
    assert (duplex.hostname, duplex.shortcut, duplex.duplex) == (
        "LAPTOP-7ITVHH2O",
        "SavePDF",
        True,
    )
    _, (legacy,) = parse_destinations(_read("WalkupScanDestination_SaveDocument1.xml"))
    assert (legacy.shortcut, legacy.duplex) == ("SaveDocument1", False)


def test_scan_options_from_the_panel_choice() -> None:
    """The shortcut picks the format, two-sided the feeder (captured choices)."""

    def options(name: str) -> ScanOptions:
        return scan_options_for(parse_destinations(_read(name))[1][0])

    assert options("WalkupScanToCompDestination_simplex_SavePDF.xml") == ScanOptions(
        source=ScanSource.AUTO, duplex=False, format=ScanFormat.PDF
    )
    assert options("WalkupScanToCompDestination_duplex_SavePDF.xml") == ScanOptions(
        source=ScanSource.FEEDER, duplex=True, format=ScanFormat.PDF
    )
    # SaveDocument1 names no format: one PDF.
    assert options("WalkupScanDestination_SaveDocument1.xml").format is ScanFormat.PDF
    jpeg = WalkupDestination("/x", "n", "n", shortcut="EmailJPEG")
    assert scan_options_for(jpeg) == ScanOptions(format=ScanFormat.JPEG)
    # Nothing chosen yet (no settings): the defaults.
    assert scan_options_for(WalkupDestination("/x", "n", "n")) == ScanOptions()


def test_lenient_values() -> None:
    """Missing or odd values read as unknown, not as errors."""
    caps = parse_caps(
        (
            f'<wus:WalkupScanToCompCaps xmlns:wus="{COMP_NS}" xmlns:dd="{DD}">'
            "<wus:MaxNetworkDestinations>0</wus:MaxNetworkDestinations>"
            "<wus:UserActionTimeout><dd:ValueFloat>soon</dd:ValueFloat>"
            "</wus:UserActionTimeout><wus:ShortcutSupport><wus:Shortcut> </wus:Shortcut><wus:Shortcut/>"
            "<wus:Shortcut>SavePDF</wus:Shortcut></wus:ShortcutSupport>"
            "</wus:WalkupScanToCompCaps>"
        ).encode()
    )
    assert (caps.max_destinations, caps.user_action_timeout) == (None, None)
    assert caps.multi_item_platen is None
    assert caps.shortcuts == ("SavePDF",)
    assert (
        parse_caps(
            (
                f'<wus:WalkupScanToCompCaps xmlns:wus="{COMP_NS}" xmlns:dd="{DD}">'
                "<wus:UserActionTimeout><dd:ValueFloat>1e9</dd:ValueFloat>"
                "</wus:UserActionTimeout></wus:WalkupScanToCompCaps>"
            ).encode()
        ).user_action_timeout
        is None
    )
    bare = parse_caps(f'<wus:WalkupScanToCompCaps xmlns:wus="{COMP_NS}"/>'.encode())
    assert bare == WalkupCapabilities(WalkupFlavor.SCAN_TO_COMP)
    _, (dest,) = parse_destinations(
        (
            f'<wus:WalkupScanToCompDestinations xmlns:wus="{COMP_NS}" xmlns:dd="{DD}">'
            "<wus:WalkupScanToCompDestination><dd:ResourceURI>http://[::1"
            "</dd:ResourceURI></wus:WalkupScanToCompDestination>"
            "<wus:WalkupScanToCompDestination><dd:Name>no URI</dd:Name>"
            "</wus:WalkupScanToCompDestination></wus:WalkupScanToCompDestinations>"
        ).encode()
    )
    assert (dest.resource, dest.name, dest.shortcut, dest.duplex) == (
        "http://[::1",
        None,
        None,
        None,
    )


def test_walkup_event() -> None:
    assert (
        parse_walkup_event(_read("WalkupScanToCompEvent_HostSelected.xml"))
        is WalkupEventType.HOST_SELECTED
    )
    assert parse_walkup_event(_event("ScanRequested")) is WalkupEventType.SCAN_REQUESTED
    assert parse_walkup_event(_event("Rebooting")) is WalkupEventType.UNKNOWN
    with pytest.raises(HPEWSUnsupportedError, match="Not a walk-up event"):
        parse_walkup_event(_read("WalkupScanToCompCaps.xml"))


def _event(kind: str) -> bytes:
    return (
        f'<wus:WalkupScanToCompEvent xmlns:wus="{COMP_NS}">'
        f"<wus:WalkupScanToCompEventType>{kind}</wus:WalkupScanToCompEventType>"
        "</wus:WalkupScanToCompEvent>"
    ).encode()


def test_registration_bodies_are_the_transcripts() -> None:
    """Same elements and namespaces as HP's software posts (protocol_doc)."""
    root = fromstring(registration_body(WalkupFlavor.SCAN_TO_COMP, "Home & <Office>"))
    assert root.tag == f"{{{COMP_NS}}}WalkupScanToCompDestination"
    assert [(e.tag, e.text) for e in root] == [
        (f"{{{DD3}}}Hostname", "Home & <Office>"),
        (f"{{{DD}}}Name", "Home & <Office>"),
        (f"{{{COMP_NS}}}LinkType", "Network"),
    ]
    legacy = fromstring(registration_body(WalkupFlavor.LEGACY, "Home"))
    assert legacy.tag == f"{{{LEGACY_POST_NS}}}WalkupScanDestination"
    assert [e.tag for e in legacy] == [
        f"{{{DD3}}}Hostname",
        f"{{{DD}}}Name",
        f"{{{LEGACY_POST_NS}}}LinkType",
    ]


def test_names() -> None:
    assert check_name("  Home\x00 Assistant \n") == "Home Assistant"
    assert len(check_name("x" * 100)) == MAX_NAME_LENGTH
    with pytest.raises(ValueError, match="needs a name"):
        check_name(" \t\x07")


# --- against a fake printer ------------------------------------------------------


@dataclass
class FakePrinter:
    """Keeps destinations as the transcript's printer does."""

    legacy: bool = False
    caps: bytes | None = field(
        default_factory=lambda: _read("WalkupScanToCompCaps.xml")
    )
    destinations: dict[str, tuple[str, str]] = field(default_factory=dict)
    """id -> (name, hostname)."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    post_status: int = 201
    list_status: int = 200
    session_event: bool = True
    delete_status: int = 204
    event: bytes = field(
        default_factory=lambda: _read("WalkupScanToCompEvent_HostSelected.xml")
    )

    @property
    def root(self) -> str:
        return (
            "/WalkupScan/WalkupScanDestinations"
            if self.legacy
            else "/WalkupScanToComp/WalkupScanToCompDestinations"
        )

    def listing(self) -> bytes:
        tag = "WalkupScanDestination" if self.legacy else "WalkupScanToCompDestination"
        ns = (
            "http://www.hp.com/schemas/imaging/con/rest/walkupscan/2009/09/21"
            if self.legacy
            else COMP_NS
        )
        rows = "".join(
            f"<wus:{tag}><dd:ResourceURI>{self.root}/{key}</dd:ResourceURI>"
            f"<dd:Name>{name}</dd:Name><dd3:Hostname>{host}</dd3:Hostname>"
            f"<wus:LinkType>Network</wus:LinkType></wus:{tag}>"
            for key, (name, host) in self.destinations.items()
        )
        limit = "<wus:MaxNetworkDestinations>3</wus:MaxNetworkDestinations>"
        return (
            f'<wus:{tag}s xmlns:wus="{ns}" xmlns:dd="{DD}" xmlns:dd3="{DD3}">'
            f"{limit if self.legacy else ''}{rows}</wus:{tag}s>"
        ).encode()

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        path = request.path
        if path == "/WalkupScanToComp/WalkupScanToCompCaps":
            if self.caps is None or self.legacy:
                return web.Response(status=404)
            return web.Response(body=self.caps, content_type="text/xml")
        if path == "/WalkupScanToComp/WalkupScanToCompEvent" and not self.legacy:
            if not self.session_event:
                return web.Response(status=404)
            return web.Response(body=self.event, content_type="text/xml")
        if path == self.root:
            if request.method == "POST":
                root = fromstring(await request.read())
                name = root.find(f"{{{DD}}}Name")
                host = root.find(f"{{{DD3}}}Hostname")
                assert name is not None
                assert host is not None
                if self.post_status != 201:
                    return web.Response(status=self.post_status)
                key = str(uuid.uuid4())
                self.destinations[key] = (name.text or "", host.text or "")
                location = f"http://{request.host}{self.root}/{key}"
                return web.Response(status=201, headers={"Location": location})
            if self.list_status != 200:
                return web.Response(status=self.list_status)
            return web.Response(body=self.listing(), content_type="text/xml")
        if path.startswith(self.root + "/"):
            key = path.rsplit("/", 1)[1]
            if key not in self.destinations:
                return web.Response(status=404)
            if request.method == "DELETE":
                if self.delete_status == 204:
                    del self.destinations[key]
                return web.Response(status=self.delete_status)
            name, host = self.destinations[key]
            return web.Response(
                body=(
                    f'<wus:WalkupScanToCompDestination xmlns:wus="{COMP_NS}" '
                    f'xmlns:dd="{DD}" xmlns:dd3="{DD3}" xmlns:scantype="'
                    'http://www.hp.com/schemas/imaging/con/ledm/scantype/2008/03/17">'
                    f"<dd:ResourceURI>{path}</dd:ResourceURI><dd:Name>{name}</dd:Name>"
                    f"<dd3:Hostname>{host}</dd3:Hostname>"
                    "<wus:WalkupScanToCompSettings><scantype:ScanSettings>"
                    "<dd:ScanPlexMode>Duplex</dd:ScanPlexMode></scantype:ScanSettings>"
                    "<wus:Shortcut>SaveJPEG</wus:Shortcut></wus:WalkupScanToCompSettings>"
                    "</wus:WalkupScanToCompDestination>"
                ).encode(),
                content_type="text/xml",
            )
        return web.Response(status=404)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def fake() -> FakePrinter:
    return FakePrinter()


@pytest.fixture
async def printer(
    session: aiohttp.ClientSession, fake: FakePrinter
) -> AsyncIterator[HPPrinter]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    printer = HPPrinter(
        "127.0.0.1", None, transport=HttpTransport(session, "127.0.0.1")
    )
    printer._profile = Profile(
        str(server.make_url("")).rstrip("/"),
        (PrinterProtocol.LEDM, PrinterProtocol.IPP),
    )
    yield printer
    await server.close()


pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_register_find_and_remove(printer: HPPrinter, fake: FakePrinter) -> None:
    fake.destinations["other"] = ("LAPTOP-BSHRTBV8", "LAPTOP-BSHRTBV8")
    caps = await printer.walkup_capabilities()
    assert caps.flavor is WalkupFlavor.SCAN_TO_COMP

    dest, created = await printer.register_walkup("Home")
    assert created
    assert dest.resource.startswith("/WalkupScanToComp/WalkupScanToCompDestinations/")
    assert (dest.name, dest.hostname) == ("Home", "Home")
    assert sorted(fake.destinations.values()) == [
        ("Home", "Home"),
        ("LAPTOP-BSHRTBV8", "LAPTOP-BSHRTBV8"),
    ]
    # Registered already: found, nothing posted.
    fake.requests.clear()
    again, created = await printer.register_walkup("Home")
    assert not created
    assert again.resource == dest.resource
    assert [m for m, _ in fake.requests] == ["GET"]

    chosen = await printer.walkup_destination(dest.resource)
    assert chosen is not None
    assert (chosen.shortcut, chosen.duplex) == ("SaveJPEG", True)
    assert await printer.walkup_event() is WalkupEventType.HOST_SELECTED

    assert await printer.unregister_walkup("Home") == 1
    assert list(fake.destinations) == ["other"]  # the other one stays
    assert await printer.unregister_walkup("Home") == 0
    assert await printer.walkup_destination(dest.resource) is None


async def test_a_destination_named_like_ours_on_another_host_stays(
    printer: HPPrinter, fake: FakePrinter
) -> None:
    """Only Name and Hostname both ours make a destination ours."""
    fake.destinations["pc"] = ("Home", "desktop-7")
    _, created = await printer.register_walkup("Home")
    assert created
    assert await printer.unregister_walkup("Home") == 1
    assert fake.destinations == {"pc": ("Home", "desktop-7")}


async def test_full_list_is_left_alone(printer: HPPrinter, fake: FakePrinter) -> None:
    fake.legacy = True  # its list says MaxNetworkDestinations 3
    for i in range(3):
        fake.destinations[f"d{i}"] = (f"pc{i}", f"pc{i}")
    caps = await printer.walkup_capabilities()
    assert (caps.flavor, caps.max_destinations) == (WalkupFlavor.LEGACY, 3)
    with pytest.raises(HPEWSWalkupFullError, match="limit is 3"):
        await printer.register_walkup("Home")
    assert len(fake.destinations) == 3
    assert not any(method != "GET" for method, _ in fake.requests)


async def test_legacy_generation(printer: HPPrinter, fake: FakePrinter) -> None:
    fake.legacy = True
    dest, created = await printer.register_walkup("Home")
    assert created
    assert dest.resource.startswith("/WalkupScan/WalkupScanDestinations/")
    assert ("POST", "/WalkupScan/WalkupScanDestinations") in fake.requests
    assert await printer.walkup_event() is None  # no event document
    assert await printer.unregister_walkup("Home") == 1


async def test_printer_without_walkup(printer: HPPrinter, fake: FakePrinter) -> None:
    fake.caps = None
    fake.legacy = False
    with pytest.raises(HPEWSUnsupportedError, match="no walk-up"):
        await printer.walkup_capabilities()


async def test_refusals_are_errors(printer: HPPrinter, fake: FakePrinter) -> None:
    fake.post_status = 500
    with pytest.raises(HPEWSConnectionError, match="HTTP 500"):
        await printer.register_walkup("Home")
    fake.post_status = 201
    await printer.register_walkup("Home")
    fake.delete_status = 500
    with pytest.raises(HPEWSConnectionError, match="HTTP 500"):
        await printer.unregister_walkup("Home")


async def test_odd_answers(printer: HPPrinter, fake: FakePrinter) -> None:
    """A list that went missing is empty; an error status is an error."""
    fake.session_event = False
    assert await printer.walkup_event() is None  # 404: no walk-up session
    fake.list_status = 404
    assert await printer.walkup_destinations() == ()
    fake.list_status = 503
    with pytest.raises(HPEWSConnectionError, match="HTTP 503"):
        await printer.walkup_destinations()


async def test_walkup_needs_ledm(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(
        "127.0.0.1", None, transport=HttpTransport(session, "127.0.0.1")
    )
    printer._profile = Profile("http://127.0.0.1", (PrinterProtocol.IPP,))
    with pytest.raises(HPEWSUnsupportedError, match="LEDM"):
        await printer.walkup_capabilities()
