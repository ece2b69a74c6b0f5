"""Every LEDM and CDM fixture, parsed and compared with values read from the file.

One row per model and document. The expected values were written by reading
the captured payloads (tests/fixtures, see INDEX.md), not by running the
parsers: a serial number, a percentage, a StatusCategory are copied from the
XML/JSON; interpretations (kind, state, key) follow docs/protocols.md §4 to §7.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client.errors import HPEWSError, HPEWSParseError
from custom_components.hp_ews.client.ipp import codec
from custom_components.hp_ews.client.models import (
    AlertSeverity,
    ChangeMarker,
    Counters,
    PrinterInfo,
    PrinterState,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.client.protocols import cdm, ledm, xmlsafe
from custom_components.hp_ews.client.protocols.xmlsafe import parse_xml
from custom_components.hp_ews.client.status import FLAGS, merge_status
from simulator.ippdump import message_from_dump
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from pathlib import Path

LEDM = FIXTURES / "ledm"
CDM = FIXTURES / "cdm"
ST580 = "HP-Smart-Tank-580-590__cdm_"

INF, WRN = AlertSeverity.INFO, AlertSeverity.WARNING
PS = PrinterState
T, INK, TANK, HEAD = (
    SupplyKind.TONER,
    SupplyKind.INK,
    SupplyKind.INK_TANK,
    SupplyKind.PRINTHEAD,
)
OK = SupplyState.OK


@dataclass(frozen=True)
class StatusRow:
    file: Path
    state: PrinterState
    flags: frozenset[str]
    message: str | None
    raw_codes: tuple[str, ...]
    change_marker: str | None
    """The AlertTable's ModificationNumber."""
    alerts: tuple[tuple[str, AlertSeverity, str | None], ...]


LEDM_STATUS = [
    StatusRow(
        LEDM / "HP-Color-LaserJet-M255dw__ProductStatusDyn.xml",
        PS.POWER_SAVE,
        frozenset(),
        "Modalità Pausa attiva.",
        ("inPowerSave",),
        "18",
        (
            ("genuineHP", INF, "Y"),
            ("genuineHP", INF, "M"),
            ("genuineHP", INF, "C"),
            ("genuineHP", INF, "K"),
        ),
    ),
    StatusRow(
        LEDM / "HP-Color-LaserJet-Pro-MFP-M182nw__ProductStatusDyn_reserialized.xml",
        PS.POWER_SAVE,
        frozenset(),
        "Sleep mode is on.\n192.0.2.1",
        ("inPowerSave",),
        "0",
        (),
    ),
    StatusRow(
        LEDM / "HP-ENVY-Photo-7830__ProductStatusDyn.xml",
        PS.POWER_SAVE,
        frozenset({"out_of_paper"}),
        None,
        ("trayEmpty", "inPowerSave"),
        "3",
        (("trayEmpty", WRN, None), ("genuineHP", INF, "CMY"), ("genuineHP", INF, "K")),
    ),
    StatusRow(
        LEDM / "HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml",
        PS.POWER_SAVE,
        frozenset(),
        None,
        ("inPowerSave",),
        "20",
        (),
    ),
    StatusRow(
        LEDM / "HP-Smart-Tank-750__ProductStatusDyn_reserialized.xml",
        PS.POWER_SAVE,
        frozenset(),
        "墨槽已灌注",
        ("genuineHP", "inPowerSave"),
        "3",
        (("genuineHP", INF, "M"), ("genuineHP", INF, "Y"), ("genuineHP", INF, "K")),
    ),
]


@pytest.mark.parametrize("row", LEDM_STATUS, ids=lambda row: row.file.name)
def test_ledm_status(row: StatusRow) -> None:
    status = ledm.parse_product_status(row.file.read_bytes())
    assert status.state is row.state
    assert {flag for flag in FLAGS if getattr(status, flag)} == row.flags
    assert status.message == row.message
    assert status.raw_codes == row.raw_codes
    assert status.change_marker == (
        None
        if row.change_marker is None
        else ChangeMarker(alert_table=row.change_marker)
    )
    assert tuple((a.code, a.severity, a.color) for a in status.alerts) == row.alerts


# (key, colour, kind, level %, state, part number, genuine, raw state, pages remaining)
SupplyRow = tuple[
    str,
    str,
    SupplyKind,
    int | None,
    SupplyState,
    str | None,
    bool | None,
    str,
    int | None,
]

LEDM_SUPPLIES: dict[str, list[SupplyRow]] = {
    "HP-Color-LaserJet-M255dw": [
        ("toner_k", "K", T, 20, OK, "207X", True, "ok", 550),
        ("toner_c", "C", T, 30, OK, "207X", True, "ok", 800),
        ("toner_m", "M", T, 50, OK, "207X", True, "ok", 1600),
        ("toner_y", "Y", T, 40, OK, "207X", True, "ok", 1150),
    ],
    "HP-ENVY-Photo-7830": [
        # Instant Ink: no cartridge number, no ProductNumber in the document.
        ("ink_cmy", "CMY", INK, 50, OK, None, True, "newGenuineHP", None),
        ("ink_k", "K", INK, 60, OK, None, True, "newGenuineHP", None),
    ],
    "HP-OfficeJet-Pro-9022e": [
        ("printhead_cmyk", "CMYK", HEAD, None, OK, None, True, "ok", None),
        ("ink_c", "C", INK, 40, OK, "3JA86A", True, "used", None),
        ("ink_m", "M", INK, 40, OK, "3JA87A", True, "used", None),
        ("ink_y", "Y", INK, 40, OK, "3JA88A", True, "used", None),
        ("ink_k", "K", INK, 80, OK, "3JA89A", True, "used", None),
    ],
    "HP-Smart-Tank-750": [
        # inkCartridge entries next to inkTank entries are the printheads.
        ("printhead_cmy", "CMY", HEAD, None, OK, "3YP17A", True, "newGenuineHP", None),
        ("printhead_k", "K", HEAD, None, OK, "X4E75A", True, "newGenuineHP", None),
        ("ink_tank_c", "C", TANK, 100, OK, None, None, "newGenuineHP", None),
        ("ink_tank_m", "M", TANK, 100, OK, None, None, "newGenuineHP", None),
        ("ink_tank_y", "Y", TANK, 100, OK, None, None, "newGenuineHP", None),
        ("ink_tank_k", "K", TANK, 100, OK, None, None, "newGenuineHP", None),
    ],
}


def _consumables_file(model: str) -> Path:
    return next(LEDM.glob(f"{model}__ConsumableConfigDyn*.xml"))


@pytest.mark.parametrize("model", LEDM_SUPPLIES)
def test_ledm_supplies(model: str) -> None:
    supplies = ledm.parse_consumables(_consumables_file(model).read_bytes())
    usage_file = LEDM / f"{model}__ProductUsageDyn.xml"
    if usage_file.exists():
        usage = ledm.parse_usage(usage_file.read_bytes())
        supplies = ledm.apply_pages_remaining(supplies, usage.pages_remaining)
    rows = [
        (
            s.key,
            s.color,
            s.kind,
            s.level_percent,
            s.state,
            s.part_number,
            s.genuine,
            s.raw_state,
            s.pages_remaining,
        )
        for s in supplies
    ]
    assert rows == LEDM_SUPPLIES[model]
    assert all(s.raw_kind for s in supplies)


LEDM_USAGE = [
    (
        "HP-Color-LaserJet-M255dw__ProductUsageDyn.xml",
        Counters(
            total_pages=1344,
            monochrome_pages=452,
            color_pages=892,
            duplex_sheets=408,
            jam_events=0,
        ),
        {"K": 550, "C": 800, "M": 1600, "Y": 1150},
    ),
    (
        "elad-bar-2019_2cart-inkjet-mfp__ProductUsageDyn.xml",
        Counters(
            total_pages=969,
            duplex_sheets=61,
            jam_events=0,
            scan_pages=45,
            copy_pages=22,
        ),
        {},
    ),
]


@pytest.mark.parametrize(("file", "counters", "pages"), LEDM_USAGE)
def test_ledm_usage(file: str, counters: Counters, pages: dict[str, int]) -> None:
    usage = ledm.parse_usage((LEDM / file).read_bytes())
    assert usage.counters == counters
    assert dict(usage.pages_remaining) == pages


def test_ledm_product_config_9022e() -> None:
    info = ledm.parse_product_config(
        (LEDM / "HP-OfficeJet-Pro-9022e__ProductConfigDyn.xml").read_bytes()
    )
    assert info == PrinterInfo(
        model="HP OfficeJet Pro 9022e",
        series="HP OfficeJet Pro 9020 series",
        serial_number="REDACTED",
        firmware="MANHHIPP1N005.2623A.00",
        uuid=None,  # "REDACTED" is no UUID
        product_number="226Y0B",
    )


DISCOVERY = [
    # file, number of paths (ResourceURI + ManifestURI), documents listed
    (
        "HP-Officejet-6500-E710n-z__DiscoveryTree.xml",
        46,
        {ledm.PRODUCT_CONFIG, ledm.PRODUCT_STATUS, ledm.CONSUMABLES, ledm.USAGE},
    ),
    # This eSCL-era device lists no ConsumableConfigDyn at all.
    (
        "node-hp-scan-to_eSCL-device__DiscoveryTree.xml",
        12,
        {ledm.PRODUCT_CONFIG, ledm.PRODUCT_STATUS, ledm.USAGE},
    ),
    (
        "node-hp-scan-to_inkjet-A__DiscoveryTree.xml",
        46,
        {
            ledm.PRODUCT_CONFIG,
            ledm.PRODUCT_STATUS,
            ledm.CONSUMABLES,
            ledm.USAGE,
            "/ipp/print",
        },
    ),
]


@pytest.mark.parametrize(("file", "count", "listed"), DISCOVERY)
def test_ledm_discovery_tree(file: str, count: int, listed: set[str]) -> None:
    paths = ledm.parse_discovery_tree((LEDM / file).read_bytes())
    assert len(paths) == count
    assert listed <= set(paths)
    main = {ledm.PRODUCT_CONFIG, ledm.PRODUCT_STATUS, ledm.CONSUMABLES, ledm.USAGE}
    assert main & set(paths) == main & listed


LEDM_PARSERS = (
    ledm.parse_discovery_tree,
    ledm.parse_product_config,
    ledm.parse_product_status,
    ledm.parse_consumables,
    ledm.parse_usage,
)


@pytest.mark.parametrize(
    ("file", "root"),
    [
        ("HP-Color-LaserJet-M255dw__IoMgmt_Adapters.xml", "Adapters"),
        ("HP-Color-LaserJet-M255dw__ePrint_ePrintConfigDyn.xml", "ePrintConfigDyn"),
        ("HP-Officejet-6500-E710n-z__EventMgmt_EventTable.xml", "EventTable"),
    ],
)
def test_other_ledm_documents_parse_safely_and_are_refused_by_each_parser(
    file: str, root: str
) -> None:
    data = (LEDM / file).read_bytes()
    assert parse_xml(data).tag.rpartition("}")[2] == root
    for parser in LEDM_PARSERS:
        with pytest.raises(HPEWSParseError):
            parser(data)


@pytest.mark.parametrize(
    "file", sorted((FIXTURES / "ews_legacy").iterdir()), ids=lambda p: p.name
)
def test_legacy_ews_documents_are_rejected_not_misparsed(file: Path) -> None:
    data = file.read_bytes()
    for parser in (
        *LEDM_PARSERS,
        cdm.parse_identity,
        cdm.parse_supplies,
    ):
        with pytest.raises(HPEWSError):
            parser(data)


def test_legacy_documents_rejected_even_when_completed() -> None:
    # Closing the truncated P2015 document still gives an xdm tree, not LEDM.
    text = (
        FIXTURES
        / "ews_legacy"
        / "HP-LaserJet-P2015__hp_device_hp_instant_support_PARTIAL.xml.txt"
    ).read_text()
    complete = text.split("<xdm:ComponentGroup>")[0] + "</xdm:Information></xdm:Device>"
    assert parse_xml(complete.encode()).tag.rpartition("}")[2] == "Device"
    for parser in LEDM_PARSERS:
        with pytest.raises(HPEWSParseError):
            parser(complete.encode())


# --- CDM: Smart Tank 580-590 / 588 ----------------------------------------------


CDM_SUPPLIES: list[SupplyRow] = [
    ("printhead_cmy", "CMY", HEAD, None, OK, "M0H50A", True, "inform", None),
    ("printhead_k", "K", HEAD, None, OK, "X4E75A", True, "inform", None),
    ("ink_tank_k", "K", TANK, 100, OK, None, None, "ok", None),
    ("ink_tank_c", "C", TANK, 100, OK, None, None, "ok", None),
    ("ink_tank_m", "M", TANK, 100, OK, None, None, "ok", None),
    ("ink_tank_y", "Y", TANK, 100, OK, None, None, "ok", None),
]


def test_cdm_supplies_smart_tank_580() -> None:
    supplies = cdm.parse_supplies(
        (CDM / f"{ST580}supply_v1_suppliesPublic.json").read_bytes()
    )
    rows = [
        (
            s.key,
            s.color,
            s.kind,
            s.level_percent,
            s.state,
            s.part_number,
            s.genuine,
            s.raw_state,
            s.pages_remaining,
        )
        for s in supplies
    ]
    assert rows == CDM_SUPPLIES


@pytest.mark.parametrize(
    ("file", "info"),
    [
        (
            f"{ST580}system_v1_identity.json",
            # Anonymised: SKU and UUID are placeholders, so only the series is known.
            PrinterInfo(
                model="HP Smart Tank 580-590 series",
                serial_number="SN-ANON-0000",
                firmware="LWP1CN2630CR",
                product_number="ANON-0000",
            ),
        ),
        (
            "HP-Smart-Tank-588__cdm_system_v1_identity_raw.json",
            PrinterInfo(
                model="HP Smart Tank 588",
                series="HP Smart Tank 580-590 series",
                serial_number="CN00000588",
                firmware="LWP1CN2630CR",
                uuid="5f0c3e2a-1b7d-4c1e-9a55-000000000588",
                product_number="1F3Y1A",
            ),
        ),
    ],
)
def test_cdm_identity(file: str, info: PrinterInfo) -> None:
    assert cdm.parse_identity((CDM / file).read_bytes()) == info


def test_cdm_counters_smart_tank_580() -> None:
    counters = cdm.parse_lifetime_counters(
        (CDM / f"{ST580}deviceUsage_v1_lifetimeCounters.json").read_bytes()
    )
    # total 10531 is what the printer says, although mono + colour = 1369.
    assert counters == Counters(
        total_pages=10531,
        monochrome_pages=647,
        color_pages=722,
        scan_pages=94,
        copy_pages=110,
    )


def test_cdm_status_smart_tank_580() -> None:
    system = cdm.parse_system_status(
        (CDM / f"{ST580}system_v1_status.json").read_bytes()
    )
    assert (system.state, system.raw_codes) == (PS.POWER_SAVE, ("inPowerSave",))
    printing = cdm.parse_print_status(
        (CDM / f"{ST580}print_v2_status.json").read_bytes()
    )
    assert (printing.state, printing.raw_codes) == (PS.IDLE, ("idle",))
    alerts = cdm.parse_alerts((CDM / f"{ST580}alert_v1_alerts.json").read_bytes())
    assert [(a.code, a.severity, a.color) for a in alerts] == [
        ("genuineHPsupply", INF, "K"),
        ("genuineHPsupply", INF, "C"),
        ("genuineHPsupply", INF, "M"),
        ("genuineHPsupply", INF, "Y"),
        ("usedSupplyPrompt", INF, "CMY"),
        ("usedSupplyPrompt", INF, "K"),
    ]
    merged = merge_status(system, printing, alerts)
    assert merged.state is PS.POWER_SAVE
    assert not any(getattr(merged, flag) for flag in FLAGS)
    assert merged.raw_codes == ("inPowerSave", "idle")
    assert len(merged.alerts) == 6


def test_cdm_statistics_is_not_a_status() -> None:
    data = (CDM / f"{ST580}system_v1_statistics.json").read_bytes()
    for parser in (
        cdm.parse_system_status,
        cdm.parse_print_status,
        cdm.parse_identity,
        cdm.parse_services_discovery,
    ):
        with pytest.raises(HPEWSParseError):
            parser(data)


# --- bounds -------------------------------------------------------------------------


def test_real_answers_are_far_from_every_cap() -> None:
    """The hostile-input caps leave the largest real answers 16 times their size."""
    for path in LEDM.glob("*.xml"):
        data = path.read_bytes()
        markup = data.count(b"<") + data.count(b"=") + data.count(b"&")
        assert markup * 16 < xmlsafe.MAX_XML_MARKUP, path.name
    for path in CDM.glob("*.json"):
        data = path.read_bytes()
        values = data.count(b",") + data.count(b"[") + data.count(b"{")
        assert values * 16 < cdm.MAX_JSON_VALUES, path.name
    ipp = FIXTURES / "ipp"
    answers = [path.read_bytes() for path in ipp.glob("*.ipp")] + [
        message_from_dump(path.read_text(encoding="utf-8")).encode()
        for path in (
            ipp / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt",
            ipp / "HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt",
        )
    ]
    for data in answers:
        codec.decode_ipp(data, max_values=codec.MAX_VALUES // 16)
