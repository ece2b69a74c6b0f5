"""Walk-up "Scan to computer" on LEDM printers: our destination on the panel.

Two generations (docs/protocols.md §13; captures in tests/fixtures/ledm/walkup/):

* ``/WalkupScanToComp/``: ``WalkupScanToCompCaps`` (destination limit,
  shortcuts), ``WalkupScanToCompDestinations`` (list; ``POST`` one with
  ``Hostname``, ``Name`` and ``LinkType`` in the 2010/09/28 namespace, 201
  and ``Location``; ``DELETE`` it), ``WalkupScanToCompEvent`` (what the panel
  is doing: ``HostSelected``, ``ScanRequested``, ``ScanNewPageRequested``,
  ``ScanPagesComplete``);
* older ``/WalkupScan/WalkupScanDestinations`` (2009/09/21 namespace, the
  limit inside the list, no event document).

A destination is ours when both its ``Name`` and ``Hostname`` are the name we
registered; others (a PC's, another Home Assistant's) are never changed or
deleted. Registrations vanish when the printer power-cycles, so the caller
renews them (``ensure_destination`` is one GET when ours is still there).

The panel's choice is in our destination's document once Scan was pressed:
the shortcut (``SavePDF``, ``SaveJPEG``, ...) and the sides
(``ScanPlexMode``). ``scan_options_for`` maps them to ``ScanOptions`` for
``HPPrinter.scan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from xml.sax.saxutils import escape

from yarl import URL

from .errors import HPEWSConnectionError, HPEWSError, HPEWSUnsupportedError
from .protocols.xmlsafe import (
    child,
    child_text,
    children,
    is_hp_element,
    parse_int,
    parse_xml,
)
from .scanning import ScanFormat, ScanOptions, ScanSource

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from .scanning import ScanResult
    from .transport import HttpResponse, PrinterTransport

COMP_CAPS: Final = "/WalkupScanToComp/WalkupScanToCompCaps"
COMP_DESTINATIONS: Final = "/WalkupScanToComp/WalkupScanToCompDestinations"
COMP_EVENT: Final = "/WalkupScanToComp/WalkupScanToCompEvent"
LEGACY_DESTINATIONS: Final = "/WalkupScan/WalkupScanDestinations"

MAX_DESTINATIONS: Final = 64
"""Destinations read from a list; printers allow 10-15."""
MAX_SHORTCUTS: Final = 32
MAX_NAME_LENGTH: Final = 32
"""Longest destination name sent; panels show about 16-32 characters."""
MAX_WALKUP_BYTES: Final = 256 * 1024
"""Largest walk-up document accepted; real ones are 1-3 kB."""

_COMP_NS: Final = "http://www.hp.com/schemas/imaging/con/ledm/walkupscan/2010/09/28"
_LEGACY_NS: Final = "http://www.hp.com/schemas/imaging/con/cnx/walkupscan/2009/09/21"
_DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
_DD3: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/2009/04/06"
_XML_CONTENT_TYPE: Final = "text/xml"


class WalkupFlavor(StrEnum):
    """Which generation of walk-up scanning a printer speaks."""

    SCAN_TO_COMP = "scan_to_comp"
    """``/WalkupScanToComp/`` (with ``WalkupScanToCompEvent``)."""
    LEGACY = "legacy"
    """``/WalkupScan/WalkupScanDestinations``."""


class WalkupEventType(StrEnum):
    """``WalkupScanToCompEventType``: where the panel's walk-up scan stands."""

    HOST_SELECTED = "HostSelected"
    SCAN_REQUESTED = "ScanRequested"
    SCAN_NEW_PAGE_REQUESTED = "ScanNewPageRequested"
    SCAN_PAGES_COMPLETE = "ScanPagesComplete"
    UNKNOWN = "unknown"


class HPEWSWalkupFullError(HPEWSError):
    """The printer holds as many walk-up destinations as it allows."""


@dataclass(frozen=True, slots=True)
class WalkupCapabilities:
    """What the printer's walk-up scanning offers."""

    flavor: WalkupFlavor
    max_destinations: int | None = None
    shortcuts: tuple[str, ...] = ()
    """Shortcuts the panel offers (``SavePDF``, ``SaveJPEG``, ...); () when not listed."""
    multi_item_platen: bool | None = None
    """The panel asks for more pages from the glass."""
    user_action_timeout: float | None = None
    """Seconds the panel waits for the user."""

    @property
    def destinations_path(self) -> str:
        """Where this generation lists destinations."""
        if self.flavor is WalkupFlavor.SCAN_TO_COMP:
            return COMP_DESTINATIONS
        return LEGACY_DESTINATIONS


@dataclass(frozen=True, slots=True)
class WalkupDestination:
    """One destination on the printer's "Scan to computer" list."""

    resource: str
    """Its path (``/WalkupScanToComp/WalkupScanToCompDestinations/<id>``)."""
    name: str | None
    hostname: str | None
    shortcut: str | None = None
    """What the panel chose, once Scan was pressed (``SavePDF``, ...)."""
    duplex: bool | None = None
    """``ScanPlexMode`` Duplex (True) or Simplex (False), once chosen."""

    def is_named(self, name: str) -> bool:
        """Whether both its name and host name are ``name`` (ours)."""
        return self.name == name and self.hostname == name


@dataclass(frozen=True, slots=True)
class WalkupScan:
    """A scan the printer's panel asked for, delivered."""

    destination: str | None
    """The destination name the panel showed (ours)."""
    shortcut: str | None
    """What the user picked (``SavePDF``, ``SaveJPEG``, ...), if the printer said."""
    options: ScanOptions
    result: ScanResult


def scan_options_for(destination: WalkupDestination) -> ScanOptions:
    """The scan the panel's choice asks for.

    A shortcut naming JPEG (``SaveJPEG``, ``EmailJPEG``) gives JPEG pages,
    anything else (``SavePDF``, ``SaveDocument1``, ``GeneralScan``) one PDF.
    Two-sided takes the feeder; otherwise the feeder when loaded, else the
    glass, as the panel does.
    """
    shortcut = (destination.shortcut or "").lower()
    duplex = bool(destination.duplex)
    return ScanOptions(
        source=ScanSource.FEEDER if duplex else ScanSource.AUTO,
        duplex=duplex,
        format=ScanFormat.JPEG if "jpeg" in shortcut else ScanFormat.PDF,
    )


# --- parsers ---------------------------------------------------------------------


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 <= number < 1e6 else None


def _path(uri: str) -> str:
    """The path of a resource URI; old firmware writes absolute URLs."""
    try:
        parsed = URL(uri)
    except ValueError:
        return uri
    return parsed.path if parsed.is_absolute() else uri


def parse_caps(data: bytes) -> WalkupCapabilities:
    """Parse ``WalkupScanToCompCaps``."""
    root = parse_xml(data, max_bytes=MAX_WALKUP_BYTES)
    if not is_hp_element(root, "WalkupScanToCompCaps"):
        raise HPEWSUnsupportedError(f"Not walk-up capabilities: {root.tag}")
    timeout = child(root, "UserActionTimeout")
    return WalkupCapabilities(
        flavor=WalkupFlavor.SCAN_TO_COMP,
        max_destinations=_limit(root),
        shortcuts=tuple(
            text
            for element in children(
                child(root, "ShortcutSupport"), "Shortcut", MAX_SHORTCUTS
            )
            if (text := child_text_of(element)) is not None
        ),
        multi_item_platen=_bool(child_text(root, "SupportsMultiItemScanFromPlaten")),
        user_action_timeout=_float(child_text(timeout, "ValueFloat")),
    )


def child_text_of(element: Element) -> str | None:
    """An element's own stripped text."""
    if element.text is None:
        return None
    return element.text.strip() or None


def _limit(root: Element) -> int | None:
    value = parse_int(child_text(root, "MaxNetworkDestinations"))
    return value if value is not None and value > 0 else None


def parse_destinations(data: bytes) -> tuple[int | None, tuple[WalkupDestination, ...]]:
    """Parse a destination list (either generation): (limit, destinations).

    A single destination's document (``WalkupScanToCompDestination``) is a
    list of one.
    """
    root = parse_xml(data, max_bytes=MAX_WALKUP_BYTES)
    if is_hp_element(root, "WalkupScanToCompDestination") or is_hp_element(
        root, "WalkupScanDestination"
    ):
        return None, (_destination(root),)
    if is_hp_element(root, "WalkupScanToCompDestinations"):
        name = "WalkupScanToCompDestination"
    elif is_hp_element(root, "WalkupScanDestinations"):
        name = "WalkupScanDestination"
    else:
        raise HPEWSUnsupportedError(f"Not a walk-up destination list: {root.tag}")
    return _limit(root), tuple(
        _destination(element)
        for element in children(root, name, MAX_DESTINATIONS)
        if child_text(element, "ResourceURI") is not None
    )


def _destination(element: Element) -> WalkupDestination:
    settings = child(element, "WalkupScanToCompSettings")
    if settings is None:
        settings = child(element, "WalkupScanSettings")
    plex = child_text(child(settings, "ScanSettings"), "ScanPlexMode")
    return WalkupDestination(
        resource=_path(child_text(element, "ResourceURI") or ""),
        name=child_text(element, "Name"),
        hostname=child_text(element, "Hostname"),
        shortcut=child_text(settings, "Shortcut"),
        duplex=None if plex is None else plex.lower() == "duplex",
    )


def parse_walkup_event(data: bytes) -> WalkupEventType:
    """Parse ``WalkupScanToCompEvent``."""
    root = parse_xml(data, max_bytes=MAX_WALKUP_BYTES)
    if not is_hp_element(root, "WalkupScanToCompEvent"):
        raise HPEWSUnsupportedError(f"Not a walk-up event: {root.tag}")
    value = child_text(root, "WalkupScanToCompEventType")
    try:
        return WalkupEventType(value or "")
    except ValueError:
        return WalkupEventType.UNKNOWN


def registration_body(flavor: WalkupFlavor, name: str) -> bytes:
    """The POST body that registers ``name``, as HP's own software sends it."""
    ns = _COMP_NS if flavor is WalkupFlavor.SCAN_TO_COMP else _LEGACY_NS
    root = (
        "WalkupScanToCompDestination"
        if flavor is WalkupFlavor.SCAN_TO_COMP
        else "WalkupScanDestination"
    )
    text = escape(name)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{ns}">'
        f'<Hostname xmlns="{_DD3}">{text}</Hostname>'
        f'<Name xmlns="{_DD}">{text}</Name>'
        "<LinkType>Network</LinkType>"
        f"</{root}>"
    ).encode()


def check_name(name: str) -> str:
    """The destination name to send: stripped, printable, at most 32 characters."""
    cleaned = "".join(c for c in name if c.isprintable()).strip()[:MAX_NAME_LENGTH]
    if not cleaned.strip():
        raise ValueError("A walk-up destination needs a name")
    return cleaned.strip()


# --- the printer side ------------------------------------------------------------


class Walkup:
    """Walk-up registration on one printer (through its transport)."""

    def __init__(self, transport: PrinterTransport, base_url: str) -> None:
        """Nothing is sent until a method is awaited."""
        self._transport = transport
        self._base = base_url.rstrip("/")
        self._caps: WalkupCapabilities | None = None

    async def _get(self, path: str) -> HttpResponse | None:
        response = await self._transport.exchange(
            "GET", self._base + path, limit=MAX_WALKUP_BYTES
        )
        if response.status in (400, 404, 405, 410, 501):
            return None
        if response.status != 200:
            raise HPEWSConnectionError(f"{path} answered HTTP {response.status}")
        return response

    async def capabilities(self) -> WalkupCapabilities:
        """Which generation the printer speaks; cached after the first answer.

        Raises ``HPEWSUnsupportedError`` when it has neither.
        """
        if self._caps is not None:
            return self._caps
        response = await self._get(COMP_CAPS)
        if response is not None:
            caps = parse_caps(response.body)
        else:
            listing = await self._get(LEGACY_DESTINATIONS)
            if listing is None:
                raise HPEWSUnsupportedError("The printer has no walk-up scanning")
            limit, _ = parse_destinations(listing.body)
            caps = WalkupCapabilities(WalkupFlavor.LEGACY, max_destinations=limit)
        self._caps = caps
        return caps

    async def destinations(self) -> tuple[WalkupDestination, ...]:
        """Every destination registered on the printer (ours and others)."""
        caps = await self.capabilities()
        response = await self._get(caps.destinations_path)
        if response is None:
            return ()
        return parse_destinations(response.body)[1]

    async def ensure_destination(self, name: str) -> tuple[WalkupDestination, bool]:
        """Find our destination or register it: (destination, created).

        Raises ``HPEWSWalkupFullError`` when the printer's list is full (others
        are never removed to make room).
        """
        name = check_name(name)
        caps = await self.capabilities()
        existing = await self.destinations()
        for dest in existing:
            if dest.is_named(name):
                return dest, False
        if caps.max_destinations is not None and len(existing) >= caps.max_destinations:
            raise HPEWSWalkupFullError(
                f"The printer holds {len(existing)} walk-up destinations, "
                f"its limit is {caps.max_destinations}"
            )
        response = await self._transport.exchange(
            "POST",
            self._base + caps.destinations_path,
            body=registration_body(caps.flavor, name),
            content_type=_XML_CONTENT_TYPE,
            limit=MAX_WALKUP_BYTES,
        )
        location = response.header("Location")
        if response.status not in (200, 201) or not location:
            raise HPEWSConnectionError(
                f"Registering the walk-up destination answered HTTP {response.status}"
            )
        return WalkupDestination(_path(location), name, name), True

    async def remove_destination(self, name: str) -> int:
        """Delete our destinations (every one named ``name``); how many went."""
        name = check_name(name)
        caps = await self.capabilities()
        removed = 0
        for dest in await self.destinations():
            if not dest.is_named(name) or not dest.resource.startswith(
                caps.destinations_path + "/"
            ):
                continue
            response = await self._transport.exchange(
                "DELETE", self._base + dest.resource, limit=MAX_WALKUP_BYTES
            )
            if response.status in (200, 204, 404, 410):
                removed += response.status in (200, 204)
            else:
                raise HPEWSConnectionError(
                    f"Removing the walk-up destination answered HTTP {response.status}"
                )
        return removed

    async def destination(self, resource: str) -> WalkupDestination | None:
        """One destination's document (with the panel's choice), None when gone."""
        response = await self._get(_path(resource))
        if response is None:
            return None
        found = parse_destinations(response.body)[1]
        return found[0] if found else None

    async def event(self) -> WalkupEventType | None:
        """The panel's walk-up state; None on the older generation (no event)."""
        caps = await self.capabilities()
        if caps.flavor is not WalkupFlavor.SCAN_TO_COMP:
            return None
        response = await self._get(COMP_EVENT)
        if response is None:
            return None
        return parse_walkup_event(response.body)
