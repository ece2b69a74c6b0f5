"""Protocol-neutral models of an HP printer.

Every parser (CDM, LEDM, IPP) produces these; nothing above the client
library sees a protocol-specific structure. Raw values the printer sent are
kept next to the interpreted ones so an unknown code is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import re
from typing import Final

# Printers are untrusted: the parsers stop reading at these bounds, so a
# hostile answer cannot make a model (or the work to build it) arbitrarily big.
MAX_SUPPLIES: Final = 64
"""Most supplies a snapshot holds; real printers have at most about a dozen."""
MAX_ALERTS: Final = 64
"""Most alerts a status holds (all sources together)."""
MAX_CODES: Final = 64
"""Most raw status codes a status holds."""
MAX_RESOURCES: Final = 512
"""Most resource paths a discovery document yields; real ones list under 100."""
MAX_TEXT: Final = 4096
"""Longest text a model field holds; longer text the printer sends is cut."""
MAX_TRAYS: Final = 16
"""Most input trays a snapshot holds; real printers have at most about six."""
BOOT_TOLERANCE: Final = timedelta(minutes=2)
"""A boot time computed again that moved less than this is the same boot:
request latency and whole-second uptimes make it jitter by a few seconds."""


class PrinterProtocol(StrEnum):
    """A local protocol an HP printer speaks."""

    CDM = "cdm"
    LEDM = "ledm"
    IPP = "ipp"


class PrinterState(StrEnum):
    """Operational state of the printer as a whole."""

    IDLE = "idle"
    PRINTING = "printing"
    SCANNING = "scanning"
    COPYING = "copying"
    FAXING = "faxing"
    CANCELLING = "cancelling"
    POWER_SAVE = "power_save"
    WARMING_UP = "warming_up"
    SHUTTING_DOWN = "shutting_down"
    STOPPED = "stopped"
    ERROR = "error"
    UNKNOWN = "unknown"


class AlertSeverity(StrEnum):
    """How much an alert needs the user's attention."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class SupplyKind(StrEnum):
    """What a supply physically is."""

    TONER = "toner"
    INK = "ink"
    INK_TANK = "ink_tank"
    PRINTHEAD = "printhead"
    DRUM = "drum"
    OTHER = "other"


class SupplyState(StrEnum):
    """Condition of one supply."""

    OK = "ok"
    LOW = "low"
    VERY_LOW = "very_low"
    EMPTY = "empty"
    MISSING = "missing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PrinterInfo:
    """Identity of a printer; stable across refreshes."""

    manufacturer: str = "HP"
    model: str | None = None
    """Exact model (SKU-level, e.g. "HP OfficeJet Pro 9022e") when known."""
    series: str | None = None
    """Series or family name as the printer reports it, when it differs."""
    serial_number: str | None = None
    firmware: str | None = None
    uuid: str | None = None
    """Normalised: lower-case, no ``urn:uuid:`` prefix."""
    mac: str | None = None
    """Lower-case, colon separated."""
    product_number: str | None = None
    ews_url: str | None = None
    uptime_seconds: int | None = None
    """Seconds since the printer started, as of the last full read (IPP
    ``printer-up-time``); None when it does not say."""
    booted_at: datetime | None = None
    """When the printer started (UTC): the read's time minus its uptime, kept
    from the previous read while it moves by less than ``BOOT_TOLERANCE``."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One active alert as the printer reports it."""

    code: str
    """Raw identifier as sent (LEDM ProductStatusAlertID, CDM category, IPP keyword)."""
    severity: AlertSeverity
    source: PrinterProtocol
    message: str | None = None
    color: str | None = None
    """HP colour code of the supply the alert is about, when it is about one."""


@dataclass(frozen=True, slots=True)
class ChangeMarker:
    """What a status refresh compares with the previous snapshot's to see a change.

    Compare whole markers; the fields only say where each value comes from.
    Which one a printer fills depends on its protocol (docs/refresh.md).
    """

    alert_table: str | None = None
    """LEDM: the AlertTable's ModificationNumber, which the printer moves
    whenever an alert comes or goes."""
    status_digest: str | None = None
    """CDM: digest of the system status codes."""
    alerts_digest: str | None = None
    """CDM: digest of the active alerts."""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer is doing and what needs attention."""

    state: PrinterState
    paper_jam: bool = False
    door_open: bool = False
    out_of_paper: bool = False
    output_full: bool = False
    supply_missing: bool = False
    supply_low: bool = False
    message: str | None = None
    """Status text as the printer's panel shows it, when it sends one."""
    alerts: tuple[Alert, ...] = ()
    """Active alerts, routine informational ones included (see ``Alert.severity``)."""
    raw_codes: tuple[str, ...] = ()
    """Status codes exactly as sent, in order (LEDM categories, CDM status, IPP reasons)."""
    change_marker: ChangeMarker | None = None
    """Changes when the printer signals a change; None when it signals none."""

    @property
    def display_message(self) -> str | None:
        """The panel text, else the text of the most pressing alert that has one.

        Many printers send panel text only for some conditions but describe
        every alert; a jam then still reads as words, not "unknown".
        """
        if self.message:
            return self.message
        worded = [alert for alert in self.alerts if alert.message]
        if not worded:
            return None
        rank = {AlertSeverity.ERROR: 0, AlertSeverity.WARNING: 1}
        return min(worded, key=lambda alert: rank.get(alert.severity, 2)).message

    @property
    def in_power_save(self) -> bool:
        """Asleep: healthy, just slow to answer."""
        return self.state is PrinterState.POWER_SAVE

    @property
    def has_problem(self) -> bool:
        """Any condition that stops or will soon stop printing."""
        return (
            self.paper_jam
            or self.door_open
            or self.out_of_paper
            or self.output_full
            or self.supply_missing
            or self.state in (PrinterState.STOPPED, PrinterState.ERROR)
        )


@dataclass(frozen=True, slots=True)
class Supply:
    """One consumable or replaceable part."""

    key: str
    """Stable across refreshes, unique within a printer, e.g. ``ink_tank_k``."""
    color: str
    """HP label code: K, C, M, Y, CMY, CMYK, pK, mK, … (empty when none)."""
    kind: SupplyKind
    state: SupplyState
    level_percent: int | None = None
    """0-100, or None when the printer does not know (non-HP, used, printhead)."""
    pages_remaining: int | None = None
    part_number: str | None = None
    genuine: bool | None = None
    description: str | None = None
    """Name as the printer shows it, e.g. "Black Cartridge HP CF410X"."""
    raw_kind: str | None = None
    raw_state: str | None = None


class TrayState(StrEnum):
    """Condition of one paper input, as the printer reports it."""

    OK = "ok"
    LOW = "low"
    EMPTY = "empty"
    OPEN = "open"
    MISSING = "missing"
    JAMMED = "jammed"
    UNKNOWN = "unknown"


_NUMBERED_TRAY: Final = re.compile(r"(?i)^(?:input)?\s*tray[\s_-]*(\d{1,3})$")


@dataclass(frozen=True, slots=True)
class Tray:
    """One paper input: a tray, the manual feed, a photo tray, a roll."""

    key: str
    """Stable across refreshes, unique within a printer, e.g. ``tray_1``."""
    name: str
    """The printer's name for it (``InputTray1``, ``Tray1``)."""
    kind: str | None
    """The printer's word for what it is (IPP ``type``, LEDM ``FeederType``)."""
    state: TrayState
    level_percent: int | None = None
    """0-100 where the printer measures the stack; None where it does not."""
    capacity_sheets: int | None = None
    media_size: str | None = None
    """PWG media size name (``iso_a4_210x297mm``) of the loaded paper."""
    media_type: str | None = None
    """Media type keyword as reported (``stationery``, ``lightWeight``)."""
    raw_state: str | None = None

    @property
    def label(self) -> str:
        """A short name for people: the tray's number, else the printer's name.

        ``InputTray1``, ``Tray 2`` and ``tray-3`` are "1", "2" and "3"; other
        names (``manual``) stay as they are; a blank one falls back to the key.
        """
        name = self.name.strip()
        if match := _NUMBERED_TRAY.match(name):
            return match.group(1)
        return name or self.key


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """The printer's firmware and what its own update check knows."""

    installed: str | None = None
    available: str | None = None
    """A newer version the printer's update check found; None when none or unknown."""
    auto_update: bool | None = None
    """The printer's automatic-update setting; None where it does not expose it."""
    auto_update_writable: bool = False
    """Whether the printer lets that setting be changed over the network."""
    release_summary: str | None = None


@dataclass(frozen=True, slots=True)
class Counters:
    """Lifetime usage counters; None where the printer does not count."""

    total_pages: int | None = None
    monochrome_pages: int | None = None
    color_pages: int | None = None
    duplex_sheets: int | None = None
    jam_events: int | None = None
    scan_pages: int | None = None
    copy_pages: int | None = None
    fax_pages: int | None = None


@dataclass(frozen=True, slots=True)
class PrintCapabilities:
    """What a printer takes: formats, operations, colour, media, raster details.

    The one capability model: parsed from IPP Get-Printer-Attributes for the
    snapshot (``PrinterSnapshot.ipp``: printing, the Identify button) and for printing
    alike; for a printer printed to on its raw port, only ``document_formats``
    (from its PDL list) is known. An empty list means "not reported".
    """

    document_formats: tuple[str, ...] = ()
    """MIME types as the printer lists them (compare with ``normalize_format``)."""
    operations: tuple[str, ...] = ()
    """Operation names, e.g. "Print-Job", "Identify-Printer"."""
    color_supported: bool = False
    color_modes: tuple[str, ...] = ()
    """``print-color-mode-supported`` keywords (lower case, as all keywords here)."""
    sides_supported: tuple[str, ...] = ()
    media_default: str | None = None
    media_supported: tuple[str, ...] = ()
    printer_resolutions: tuple[int, ...] = ()
    """Resolutions in dpi (the cross-feed one), ascending."""
    pwg_raster_resolutions: tuple[int, ...] = ()
    pwg_raster_types: tuple[str, ...] = ()
    """PWG Raster colour spaces and depths, e.g. ``sgray_8``, ``srgb_8``."""
    pwg_raster_sheet_back: str | None = None
    urf_supported: tuple[str, ...] = ()
    """Apple raster keywords, upper case (``SRGB24``, ``RS300-600``, ``DM1``)."""

    @property
    def can_identify(self) -> bool:
        """Whether Identify-Printer is supported."""
        return "Identify-Printer" in self.operations

    def urf_resolutions(self) -> tuple[int, ...]:
        """Resolutions from the URF ``RS`` keyword (``RS300-600``)."""
        for keyword in self.urf_supported:
            if keyword.startswith("RS"):
                try:
                    return tuple(sorted(int(v) for v in keyword[2:].split("-") if v))
                except ValueError:
                    return ()
        return ()


@dataclass(frozen=True, slots=True)
class Profile:
    """Which protocols a printer answers and where; found once by ``probe()``."""

    base_url: str
    """scheme://host:port of the embedded web server (CDM/LEDM)."""
    protocols: tuple[PrinterProtocol, ...]
    """In order of preference."""
    ipp_url: str | None = None
    """http(s) URL of the IPP endpoint, e.g. http://host:631/ipp/print."""
    ledm_resources: tuple[str, ...] = ()
    """LEDM resource paths listed by DiscoveryTree."""
    cdm_resources: tuple[str, ...] = ()
    """CDM resource paths listed by servicesDiscovery."""


@dataclass(frozen=True, slots=True)
class DataSources:
    """Which protocol each part of a snapshot came from."""

    info: PrinterProtocol | None = None
    status: PrinterProtocol | None = None
    supplies: PrinterProtocol | None = None
    counters: PrinterProtocol | None = None


@dataclass(frozen=True, slots=True)
class PrinterSnapshot:
    """Everything known about a printer at one moment."""

    info: PrinterInfo
    status: PrinterStatus
    supplies: tuple[Supply, ...] = ()
    counters: Counters = field(default_factory=Counters)
    ipp: PrintCapabilities | None = None
    sources: DataSources = field(default_factory=DataSources)
    trays: tuple[Tray, ...] = ()
    """Paper inputs, at most ``MAX_TRAYS``; read on full reads only."""
    firmware: FirmwareInfo = field(default_factory=FirmwareInfo)
    """Read on full reads only."""
