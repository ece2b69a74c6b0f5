"""The state of one simulated printer and the conditions it implies.

Every protocol renders the same :func:`PrinterState.conditions`, so a paper
jam shows as ``jamInPrinter`` in LEDM, a CDM alert, ``media-jam-error`` in IPP
and PJL code 40022 at once. The vocabulary is that of docs/protocols.md §6 (HP
status), §7.2 (IPP reasons) and §8 (PJL codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import time
from typing import TYPE_CHECKING, Any, Final
import uuid

from .care import FIELDS as CARE_FIELDS, CareError, CareState
from .profiles import PrinterProfile, SupplySpec, UuidStyle

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

LOW_PERCENT: Final = 10
"""At or below: low (HPLIP's threshold)."""
VERY_LOW_PERCENT: Final = 3
"""At or below: very low."""
MAX_FEEDER_SHEETS: Final = 500
"""Sheets the control API puts in a document feeder at most."""

BOOLEAN_FIELDS: Final = (
    "paper_jam",
    "door_open",
    "out_of_paper",
    "output_bin_full",
    "power_save",
)


class StateError(ValueError):
    """A control request asked for a state that cannot be."""


@dataclass(frozen=True, slots=True)
class PrinterIdentity:
    """What makes one printer distinguishable from another of the same model."""

    serial: str
    uuid: str
    """Lower-case, without ``urn:uuid:``; the IPP/LEDM printer UUID."""
    mac: str
    cdm_uuid: str
    """CDM ``deviceUuid``, which differs from the IPP one on real printers."""

    @property
    def mac_suffix(self) -> str:
        """``B519A4``: last 6 hex digits, as in printer-info and mDNS names."""
        return self.mac.replace(":", "")[-6:].upper()


def make_identity(profile: PrinterProfile, seed: str) -> PrinterIdentity:
    """A stable identity derived from ``seed`` (same seed, same printer)."""
    digest = hashlib.sha256(f"{profile.name}|{seed}".encode()).hexdigest()
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    number = int(digest[:16], 16)
    serial = profile.identity.serial_prefix
    while len(serial) < 10:
        number, digit = divmod(number, len(alphabet))
        serial += alphabet[digit]
    mac = profile.identity.mac_prefix + "".join(
        f":{digest[16 + i : 18 + i]}" for i in range(0, 6, 2)
    )
    mac12 = mac.replace(":", "")
    if profile.identity.uuid_style is UuidStyle.INKJET:
        printer_uuid = f"1c852a4d-b800-1f08-abcd-{mac12}"
    elif profile.identity.uuid_style is UuidStyle.LASERJET:
        raw = serial[:10].encode("ascii").hex()
        printer_uuid = f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{mac12}"
    else:
        printer_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"printer:{digest}"))
    cdm_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdm:{digest}"))
    return PrinterIdentity(serial, printer_uuid, mac, cdm_uuid)


@dataclass(frozen=True, slots=True)
class Condition:
    """One active problem, named in every protocol's words."""

    name: str
    """Our name: paper_jam, door_open, out_of_paper, output_bin_full,
    supply_missing, supply_low, supply_very_low."""
    ledm: str
    """LEDM StatusCategory / ProductStatusAlertID."""
    cdm: str
    """CDM alert category."""
    severity: str
    """LEDM severity: Error or Warning."""
    ipp_reason: str
    """IPP printer-state-reasons keyword, suffix included."""
    ipp_alert: str
    """PWG printer-alert code (RFC 3805 PrtAlertCodeTC name)."""
    ipp_group: str
    pjl_code: int
    message: str
    supply: SupplySpec | None = None

    @property
    def blocking(self) -> bool:
        """Printing cannot go on until it is cleared."""
        return self.severity == "Error"

    @property
    def key(self) -> str:
        """Stable id of this alert instance (for sequence numbers)."""
        return self.ledm if self.supply is None else f"{self.ledm}:{self.supply.key}"


def _marker_word(profile: PrinterProfile) -> str:
    return "toner" if profile.laser else "marker-supply"


def _supply_name(spec: SupplySpec, profile: PrinterProfile) -> str:
    noun = "Cartridge" if spec.kind != "inkTank" else "Ink Tank"
    if profile.laser:
        noun = "Toner Cartridge"
    names = {"CMY": "Tri-color", "K": "Black", "C": "Cyan", "M": "Magenta"}
    return f"{names.get(spec.color, 'Yellow')} {noun}"


@dataclass(slots=True)
class PrinterState:
    """Mutable state; every change goes through :meth:`apply` or the job worker."""

    profile: PrinterProfile
    identity_seed: str
    paper_jam: bool = False
    door_open: bool = False
    out_of_paper: bool = False
    output_bin_full: bool = False
    power_save: bool = False
    feeder_sheets: int = 0
    """Sheets waiting in the scanner's document feeder."""
    swapped: int = 0
    """How many times a different printer took this address (fault ``swap``)."""
    levels: dict[str, float | None] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    """Keys of supplies that are not installed."""
    counters: dict[str, int | None] = field(default_factory=dict)
    percent_per_page: float = 0.5
    """Level drop of each used supply per printed page."""
    page_seconds: float = 1.0
    sleep_after: float | None = None
    """Idle seconds before the printer falls into power save; None = never."""
    printing: int = 0
    """Jobs being printed right now (0 or 1)."""
    identify_count: int = 0
    modification_number: int = 0
    """LEDM AlertTable ModificationNumber; bumps when the alert set changes."""
    started: float = field(default_factory=time.monotonic)
    care: CareState = field(init=False)
    """Trays, firmware update status (simulator/care.py)."""
    _sequence: int = 0
    _sequence_numbers: dict[str, int] = field(default_factory=dict)
    _alert_signature: tuple[str, ...] = ()
    _listeners: list[Callable[[], None]] = field(default_factory=list)
    _identity: PrinterIdentity | None = None

    def __post_init__(self) -> None:
        """Start from the captured levels and counters."""
        self.care = CareState(self.profile.trays)
        self.reset()

    def reset(self) -> None:
        """Back to the state the printer had in its captures."""
        self.paper_jam = self.door_open = self.out_of_paper = False
        self.output_bin_full = self.power_save = False
        self.feeder_sheets = 0
        self.swapped = 0
        self._identity = None
        self.levels = {
            spec.key: (None if spec.level is None else float(spec.level))
            for spec in self.profile.supplies
            if spec.measured
        }
        self.missing = set()
        captured = self.profile.counters
        self.counters = {
            "total_pages": captured.total_pages,
            "monochrome_pages": captured.monochrome_pages,
            "color_pages": captured.color_pages,
            "duplex_sheets": captured.duplex_sheets,
            "jam_events": captured.jam_events,
        }
        self.printing = 0
        self.identify_count = 0
        self.care.reset()
        self._sequence_numbers = {}
        self._refresh()

    # --- identity -----------------------------------------------------------

    @property
    def identity(self) -> PrinterIdentity:
        """The printer answering at this address right now."""
        if self._identity is None:
            seed = self.identity_seed
            if self.swapped:
                seed += f"|swapped-{self.swapped}"
            self._identity = make_identity(self.profile, seed)
        return self._identity

    def swap(self, swapped: bool) -> None:
        """Put a different printer (or the original one back) at this address."""
        self.swapped = self.swapped + 1 if swapped else 0
        self._identity = None
        self._refresh()

    @property
    def up_seconds(self) -> int:
        """Seconds since the printer started (IPP printer-up-time)."""
        return max(1, int(time.monotonic() - self.started))

    def restart(self, up_seconds: int) -> None:
        """Make the printer look started ``up_seconds`` ago (a power cycle)."""
        self.started = time.monotonic() - up_seconds

    # --- changes ------------------------------------------------------------

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every change."""
        self._listeners.append(listener)

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Apply a control request's changes (validated first, all or nothing).

        Raises:
            StateError: unknown field or invalid value.
        """
        updates: dict[str, Any] = {}
        levels: dict[str, float | None] = {}
        missing: set[str] | None = None
        counters: dict[str, int] = {}
        care_changes = {k: v for k, v in changes.items() if k in CARE_FIELDS}
        try:
            checked_care = self.care.validate(care_changes)
        except CareError as err:
            raise StateError(str(err)) from err
        for name, value in changes.items():
            if name in CARE_FIELDS:
                continue
            if name in BOOLEAN_FIELDS:
                if not isinstance(value, bool):
                    raise StateError(f"{name} must be true or false")
                updates[name] = value
            elif name == "supplies":
                levels = self._parse_levels(value)
            elif name == "missing_supplies":
                missing = self._parse_missing(value)
            elif name == "counters":
                counters = self._parse_counters(value)
            elif name == "feeder_sheets":
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not 0 <= value <= MAX_FEEDER_SHEETS
                ):
                    raise StateError(
                        f"feeder_sheets must be an integer 0-{MAX_FEEDER_SHEETS}"
                    )
                updates[name] = value
            elif name in ("percent_per_page", "page_seconds", "sleep_after"):
                if name == "sleep_after" and value is None:
                    updates[name] = None
                    continue
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or value < 0
                ):
                    raise StateError(f"{name} must be a number >= 0")
                updates[name] = float(value)
            else:
                raise StateError(f"unknown state field {name!r}")
        if updates.get("paper_jam") and not self.paper_jam:
            jams = self.counters.get("jam_events")
            if jams is not None:
                self.counters["jam_events"] = jams + 1
        for name, value in updates.items():
            setattr(self, name, value)
        self.levels.update(levels)
        if missing is not None:
            self.missing = missing
        self.counters.update(counters)
        self.care.apply(checked_care, self)
        self._refresh()

    def _parse_levels(self, value: object) -> dict[str, float | None]:
        if not isinstance(value, dict):
            raise StateError('supplies must be an object like {"K": 12}')
        levels: dict[str, float | None] = {}
        for color, level in value.items():
            spec = self.profile.supply_for_color(str(color))
            if spec is None:
                known = [s.color for s in self.profile.supplies if s.measured]
                raise StateError(f"no supply with colour {color!r}; known: {known}")
            if level is None:
                levels[spec.key] = None
                continue
            if isinstance(level, bool) or not isinstance(level, int | float):
                raise StateError(f"level of {color} must be 0-100 or null")
            if not 0 <= level <= 100:
                raise StateError(f"level of {color} must be 0-100 or null")
            levels[spec.key] = float(level)
        return levels

    def _parse_missing(self, value: object) -> set[str]:
        if not isinstance(value, list):
            raise StateError('missing_supplies must be a list like ["K"]')
        keys: set[str] = set()
        for item in value:
            specs = [s for s in self.profile.supplies if item in (s.color, s.key)]
            if not specs:
                raise StateError(f"no supply {item!r}")
            # A colour code names the measured supply (the tank, not the head).
            keys.add(next((s for s in specs if s.measured), specs[0]).key)
        return keys

    def _parse_counters(self, value: object) -> dict[str, int]:
        if not isinstance(value, dict):
            raise StateError("counters must be an object")
        result: dict[str, int] = {}
        for name, count in value.items():
            if name not in self.counters:
                raise StateError(f"unknown counter {name!r}")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise StateError(f"counter {name} must be an integer >= 0")
            result[name] = count
        return result

    def changed(self) -> None:
        """Tell listeners about a change made directly (job worker)."""
        self._refresh()

    def _refresh(self) -> None:
        signature = tuple(sorted(c.key for c in self.conditions()))
        if signature != self._alert_signature:
            self._alert_signature = signature
            self.modification_number += 1
        for listener in list(self._listeners):
            listener()

    # --- derived views --------------------------------------------------------

    def level(self, spec: SupplySpec) -> int | None:
        """Level in whole percent, None when unknown, missing or unmeasured."""
        if spec.key in self.missing or not spec.measured:
            return None
        level = self.levels.get(spec.key)
        return None if level is None else int(level + 0.999)

    def pages_remaining(self, spec: SupplySpec) -> int | None:
        """Estimated pages left in a supply."""
        level = self.levels.get(spec.key)
        if level is None or spec.key in self.missing:
            return None
        return int(spec.pages_at_full * level / 100)

    def sequence_number(self, condition: Condition) -> int:
        """Sequence number of an alert, kept while it stays active."""
        number = self._sequence_numbers.get(condition.key)
        if number is None:
            self._sequence += 1
            number = self._sequence_numbers[condition.key] = 100 + self._sequence
        return number

    def conditions(self) -> tuple[Condition, ...]:
        """Active problems, most serious first."""
        profile = self.profile
        found: list[Condition] = []
        if self.paper_jam:
            found.append(
                Condition(
                    "paper_jam",
                    "jamInPrinter",
                    "jamInPrinter",
                    "Error",
                    "media-jam-error",
                    "jam",
                    "mediaPath",
                    40022,
                    "Paper jam",
                )
            )
        if self.door_open:
            found.append(
                Condition(
                    "door_open",
                    "closeDoorOrCover",
                    "doorOpen",
                    "Error",
                    "door-open-error",
                    "coverOpen",
                    "cover",
                    40021,
                    "Door or cover open",
                )
            )
        if self.out_of_paper:
            found.append(
                Condition(
                    "out_of_paper",
                    profile.out_of_paper_category,
                    "trayEmpty",
                    "Error",
                    "media-empty-error",
                    "inputMediaSupplyEmpty",
                    "input",
                    41100,
                    "Out of paper",
                )
            )
        for spec in profile.supplies:
            found.extend(self._supply_conditions(spec))
        if self.output_bin_full:
            found.append(
                Condition(
                    "output_bin_full",
                    "outputBinFull",
                    "outputBinFull",
                    "Warning",
                    "output-area-full-warning",
                    "outputMediaTrayFull",
                    "output",
                    15011,
                    "Output bin full",
                )
            )
        found.sort(key=lambda c: c.severity != "Error")
        return tuple(found)

    def _supply_conditions(self, spec: SupplySpec) -> list[Condition]:
        name = _supply_name(spec, self.profile)
        word = _marker_word(self.profile)
        if spec.key in self.missing:
            return [
                Condition(
                    "supply_missing",
                    "cartridgeMissing",
                    "cartridgeMissing",
                    "Error",
                    "marker-supply-missing-error",
                    "subunitMissing",
                    "markerSupplies",
                    40010,
                    f"{name} missing",
                    spec,
                )
            ]
        level = self.level(spec)
        if level is None or level > LOW_PERCENT:
            return []
        very = level <= VERY_LOW_PERCENT
        substance = "Toner" if self.profile.laser else "Ink"
        return [
            Condition(
                "supply_very_low" if very else "supply_low",
                "cartridgeVeryLow" if very else "cartridgeLow",
                "cartridgeVeryLow" if very else "cartridgeLow",
                "Warning",
                f"{word}-low-warning",
                f"marker{substance}AlmostEmpty",
                "markerSupplies",
                10006,
                f"{name} {'very low' if very else 'low'}",
                spec,
            )
        ]

    @property
    def blocked(self) -> bool:
        """A problem stops printing."""
        return any(c.blocking for c in self.conditions())

    def to_json(self) -> dict[str, Any]:
        """The ``GET /_sim/state`` document."""
        identity = self.identity
        return {
            "profile": self.profile.name,
            "paper_jam": self.paper_jam,
            "door_open": self.door_open,
            "out_of_paper": self.out_of_paper,
            "output_bin_full": self.output_bin_full,
            "power_save": self.power_save,
            "feeder_sheets": self.feeder_sheets,
            "supplies": {
                spec.color: self.level(spec)
                for spec in self.profile.supplies
                if spec.measured
            },
            "missing_supplies": sorted(
                spec.color for spec in self.profile.supplies if spec.key in self.missing
            ),
            "counters": dict(self.counters),
            "percent_per_page": self.percent_per_page,
            "page_seconds": self.page_seconds,
            "sleep_after": self.sleep_after,
            "printing": self.printing > 0,
            "identify_count": self.identify_count,
            "conditions": [
                {
                    "name": c.name,
                    "ledm": c.ledm,
                    "cdm": c.cdm,
                    "ipp": c.ipp_reason,
                    "pjl": c.pjl_code,
                    "supply": None if c.supply is None else c.supply.color,
                    "message": c.message,
                }
                for c in self.conditions()
            ],
            **self.care.to_json(),
            "identity": {
                "serial": identity.serial,
                "uuid": identity.uuid,
                "mac": identity.mac,
                "swapped": self.swapped > 0,
            },
        }
