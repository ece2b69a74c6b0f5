"""The simulated printer models and what each is built from.

Every profile is backed by a capture directory in ``simulator/data/<name>/``
(see ``capture.json`` there for the real capture each file comes from). The
values here are the few facts the state machine needs; they are the values
found in those captures, checked by ``tests/simulator/test_profiles.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

DATA_DIR: Final = Path(__file__).parent / "data"


class Family(StrEnum):
    """Which local status API the printer's web server speaks."""

    LEDM = "ledm"
    CDM = "cdm"
    IPP_ONLY = "ipp"


class UuidStyle(StrEnum):
    """How HP derives the printer UUID (docs/protocols.md §7.2, printer-uuid)."""

    INKJET = "inkjet"
    """``1c852a4d-b800-1f08-abcd-<MAC12>``."""
    LASERJET = "laserjet"
    """Hex of the first 10 serial characters, then the MAC."""
    RANDOM = "random"
    """FutureSmart: a name-based UUID."""


@dataclass(frozen=True, slots=True)
class SupplySpec:
    """One consumable slot of a model."""

    key: str
    """Stable id, e.g. ``ink_c``."""
    color: str
    """HP label code: K, C, M, Y, CMY, CMYK."""
    kind: str
    """The family's own type word (LEDM ConsumableTypeEnum / CDM supplyType)."""
    level: int | None
    """Level in percent at start; None = unknown (non-HP cartridge)."""
    station: int
    """LEDM ConsumableStation / CDM slot index / IPP marker index."""
    marker_color: str
    """LEDM/IPP colour name: Black, Cyan, Magenta, Yellow, CyanMagentaYellow."""
    pages_at_full: int = 1000
    """Estimated pages a full supply prints (for pages remaining)."""
    measured: bool = True
    """False for printheads: no level at all."""

    @property
    def used_by_mono(self) -> bool:
        """Monochrome pages use black only."""
        return self.color in ("K", "CMYK")

    @property
    def colorant(self) -> str:
        """IPP ``printer-supply`` colorantname."""
        return {
            "K": "black",
            "C": "cyan",
            "M": "magenta",
            "Y": "yellow",
            "CMY": "multi-color",
        }.get(self.color, "unknown")


@dataclass(frozen=True, slots=True)
class Identity:
    """Identity facts of the model (per-printer serial/UUID/MAC are derived)."""

    model: str
    """Exact model as IPP printer-make-and-model / SKU-level name."""
    series: str
    product_number: str
    firmware: str
    serial_prefix: str
    uuid_style: UuidStyle
    mac_prefix: str = "ec:8e:b5"
    """An HP OUI (from the ENVY 4520 capture)."""


@dataclass(frozen=True, slots=True)
class Counters:
    """Initial lifetime counters, as captured (None: the printer has none)."""

    total_pages: int | None = None
    monochrome_pages: int | None = None
    color_pages: int | None = None
    duplex_sheets: int | None = None
    jam_events: int | None = None


@dataclass(frozen=True, slots=True)
class ScannerSpec:
    """The scanner of an all-in-one (see simulator/scanner.py for the captures)."""

    adf: bool
    """A document feeder beside the glass."""
    duplex: bool = False
    """The feeder scans both sides."""
    feeder_capacity: int = 35
    platen_resolutions: tuple[int, ...] = (75, 100, 150, 200, 300, 400, 600)
    adf_resolutions: tuple[int, ...] = (75, 100, 150, 200, 300)
    walkup: bool = True
    """LEDM "Scan to computer" (WalkupScanToComp) and the event table."""
    escl_walkup: bool = False
    """Walk-up inside eSCL (WalkupSubscriptions), the CDM generation's."""


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """A simulated model."""

    name: str
    description: str
    family: Family
    identity: Identity
    supplies: tuple[SupplySpec, ...]
    counters: Counters = field(default_factory=Counters)
    https: bool = False
    """Serve TLS (self-signed) and redirect plain http to https."""
    max_in_flight: int | None = None
    """Drop requests beyond this many concurrent ones (None: no limit)."""
    pjl_status: bool = True
    """Answer ``@PJL INFO STATUS`` on the raw port (many inkjets do not)."""
    out_of_paper_category: str = "trayEmptyOrOpen"
    language: str = "en"
    """Language of LEDM LocString panel messages; "" = StringId only."""
    supply_reasons: bool = True
    """Supply problems in IPP printer-state-reasons (P57750: only printer-alert)."""
    laser: bool = False
    color: bool = True
    trays: int = 0
    """Paper inputs the captures list (IPP printer-input-tray without ``auto``,
    LEDM MediaHandlingDyn InputTray)."""
    pages_per_minute: int = 20
    scanner: ScannerSpec | None = None
    """None: a printer without a scanner."""

    @property
    def data_dir(self) -> Path:
        """The profile's capture directory."""
        return DATA_DIR / self.name

    def supply_for_color(self, color: str) -> SupplySpec | None:
        """The measured supply with that HP colour code."""
        for spec in self.supplies:
            if spec.color == color and spec.measured:
                return spec
        return None


_OFFICEJET: Final = PrinterProfile(
    name="officejet-pro-9022e",
    description="LEDM inkjet MFP: printhead + 4 ink cartridges",
    family=Family.LEDM,
    trays=2,
    identity=Identity(
        model="HP OfficeJet Pro 9022e",
        series="HP OfficeJet Pro 9020 series",
        product_number="226Y0B",
        firmware="MANHHIPP1N005.2623A.00",
        serial_prefix="TH",
        uuid_style=UuidStyle.INKJET,
    ),
    supplies=(
        SupplySpec("printhead", "CMYK", "printhead", None, 0, "", measured=False),
        SupplySpec("ink_c", "C", "ink", 40, 1, "Cyan", 700),
        SupplySpec("ink_m", "M", "ink", 40, 2, "Magenta", 700),
        SupplySpec("ink_y", "Y", "ink", 40, 3, "Yellow", 700),
        SupplySpec("ink_k", "K", "ink", 80, 4, "Black", 1000),
    ),
    # ProductUsageDyn comes from the 2019 inkjet capture (see capture.json).
    counters=Counters(total_pages=969, duplex_sheets=61, jam_events=0),
    out_of_paper_category="trayEmpty",
    language="",
    pages_per_minute=24,
    # 35-sheet duplex ADF: the OfficeJet Pro 9010 series ScanCaps capture.
    scanner=ScannerSpec(adf=True, duplex=True, feeder_capacity=35),
)

_M255DW: Final = PrinterProfile(
    name="color-laserjet-pro-m255dw",
    description="LEDM colour laser: 4 toner cartridges, page counters",
    family=Family.LEDM,
    identity=Identity(
        model="HP Color LaserJet Pro M255dw",
        series="HP Color LaserJet Pro M255dw",
        product_number="7KW64A",
        firmware="20260622",
        serial_prefix="VNB",
        uuid_style=UuidStyle.LASERJET,
    ),
    supplies=(
        SupplySpec("toner_k", "K", "toner", 20, 0, "Black", 3150),
        SupplySpec("toner_c", "C", "toner", 30, 3, "Cyan", 2450),
        SupplySpec("toner_m", "M", "toner", 50, 2, "Magenta", 2450),
        SupplySpec("toner_y", "Y", "toner", 40, 1, "Yellow", 2450),
    ),
    counters=Counters(
        total_pages=1344,
        monochrome_pages=452,
        color_pages=892,
        duplex_sheets=408,
        jam_events=0,
    ),
    language="it",
    laser=True,
    pages_per_minute=21,
)

_SMART_TANK: Final = PrinterProfile(
    name="smart-tank-580",
    description="CDM ink-tank printer over HTTPS; drops requests beyond 2 in flight",
    family=Family.CDM,
    trays=1,
    identity=Identity(
        model="HP Smart Tank 588",
        series="Smart Tank 580-590 series",
        product_number="1F3Y1A",
        firmware="LWP1CN2630CR",
        serial_prefix="CN",
        uuid_style=UuidStyle.INKJET,
    ),
    supplies=(
        # On Smart Tanks the inkCartridge entries are the printheads.
        SupplySpec("printhead_cmy", "CMY", "inkCartridge", None, 1, "", measured=False),
        SupplySpec("printhead_k", "K", "inkCartridge", None, 2, "", measured=False),
        SupplySpec("ink_tank_k", "K", "inkTank", 100, 3, "Black", 6000),
        SupplySpec("ink_tank_c", "C", "inkTank", 100, 4, "Cyan", 8000),
        SupplySpec("ink_tank_m", "M", "inkTank", 100, 5, "Magenta", 8000),
        SupplySpec("ink_tank_y", "Y", "inkTank", 100, 6, "Yellow", 8000),
    ),
    counters=Counters(total_pages=10531, monochrome_pages=647, color_pages=722),
    https=True,
    max_in_flight=2,
    pjl_status=False,
    pages_per_minute=12,
    # Glass only; walk-up as the CDM-generation OfficeJet Pro 9120e does it
    # (eSCL WalkupSubscriptions): no capture shows which CDM models have it.
    scanner=ScannerSpec(adf=False, walkup=False, escl_walkup=True),
)

_PAGEWIDE: Final = PrinterProfile(
    name="pagewide-mfp-p57750",
    description="IPP-only enterprise PageWide; supply problems only in printer-alert",
    family=Family.IPP_ONLY,
    trays=2,
    identity=Identity(
        model="HP PageWide MFP P57750",
        series="HP PageWide MFP P57750",
        product_number="J9V82B",
        firmware="MAHDWOPP1N001.2506A.00",
        serial_prefix="CN",
        uuid_style=UuidStyle.RANDOM,
    ),
    supplies=(
        # Marker order as captured: Y, M, C, K; non-HP cartridges report -2.
        SupplySpec("ink_y", "Y", "inkCartridge", None, 0, "Yellow", 7000),
        SupplySpec("ink_m", "M", "inkCartridge", None, 1, "Magenta", 7000),
        SupplySpec("ink_c", "C", "inkCartridge", None, 2, "Cyan", 7000),
        SupplySpec("ink_k", "K", "inkCartridge", 30, 3, "Black", 10000),
    ),
    supply_reasons=False,
    pages_per_minute=50,
)

_ENVY: Final = PrinterProfile(
    name="envy-4520",
    description="Consumer LEDM inkjet whose IPP takes no PDF (PWG raster/URF/JPEG)",
    family=Family.LEDM,
    trays=1,
    identity=Identity(
        model="HP ENVY 4520 series",
        series="HP ENVY 4520 series",
        product_number="F0V63B",
        firmware="CFP1FN2023BR",
        serial_prefix="TH",
        uuid_style=UuidStyle.INKJET,
    ),
    supplies=(
        SupplySpec("ink_cmy", "CMY", "inkCartridge", 20, 0, "CyanMagentaYellow", 165),
        SupplySpec("ink_k", "K", "inkCartridge", 40, 1, "Black", 190),
    ),
    counters=Counters(total_pages=969, duplex_sheets=61, jam_events=0),
    pjl_status=False,
    out_of_paper_category="trayEmpty",
    language="",
    pages_per_minute=9,
    # Glass only, as the ENVY 4520 is built.
    scanner=ScannerSpec(adf=False),
)

PROFILES: Final[dict[str, PrinterProfile]] = {
    profile.name: profile
    for profile in (_OFFICEJET, _M255DW, _SMART_TANK, _PAGEWIDE, _ENVY)
}


def get_profile(name: str) -> PrinterProfile:
    """The profile of that name.

    Raises:
        KeyError: no such profile (the message lists the known ones).
    """
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise KeyError(f"unknown profile {name!r}; known: {known}") from None
