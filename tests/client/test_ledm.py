"""LEDM parsers and the safe XML layer under them.

Real fixtures are asserted row by row in test_fixture_table.py; here each
LEDM rule from docs/protocols.md §4 gets a focused test, mostly on small
documents written in the printers' own schema.
"""

from __future__ import annotations

import pytest

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_CODES,
    MAX_RESOURCES,
    MAX_SUPPLIES,
    MAX_TEXT,
    AlertSeverity,
    ChangeMarker,
    PrinterState,
    Supply,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.client.protocols import ledm, vocabulary, xmlsafe
from custom_components.hp_ews.client.protocols.xmlsafe import (
    child,
    children,
    index,
    namespace,
    parse_int,
    parse_xml,
    text,
)
from tests.client.workcount import lines, lines_run
from tests.conftest import FIXTURES

LEDM = FIXTURES / "ledm"
DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
PSDYN = "http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31"
PSCAT = "http://www.hp.com/schemas/imaging/con/ledm/productstatuscategories/2007/10/31"
AD = "http://www.hp.com/schemas/imaging/con/ledm/alertdetails/2007/10/31"
CCDYN = "http://www.hp.com/schemas/imaging/con/ledm/consumableconfigdyn/2007/11/19"
PUDYN = "http://www.hp.com/schemas/imaging/con/ledm/productusagedyn/2007/12/11"
PCD_2007 = "http://www.hp.com/schemas/imaging/con/ledm/productconfigdyn/2007/11/05"


def status_doc(*statuses: str, alerts: str = "", table: bool = True) -> bytes:
    body = "".join(
        f"<psdyn:Status><pscat:StatusCategory>{code}</pscat:StatusCategory></psdyn:Status>"
        for code in statuses
    )
    alert_table = (
        f"<psdyn:AlertTable><dd:ModificationNumber>7</dd:ModificationNumber>{alerts}"
        "</psdyn:AlertTable>"
        if table
        else ""
    )
    return (
        f'<psdyn:ProductStatusDyn xmlns:psdyn="{PSDYN}" xmlns:pscat="{PSCAT}" '
        f'xmlns:dd="{DD}" xmlns:ad="{AD}">{body}{alert_table}</psdyn:ProductStatusDyn>'
    ).encode()


def alert(code: str, severity: str | None = "Warning", color: str | None = None) -> str:
    sev = f"<ad:Severity>{severity}</ad:Severity>" if severity else ""
    details = (
        f"<ad:AlertDetails><ad:AlertDetailsMarkerColor>{color}</ad:AlertDetailsMarkerColor>"
        "</ad:AlertDetails>"
        if color
        else ""
    )
    return (
        f"<psdyn:Alert><ad:ProductStatusAlertID>{code}</ad:ProductStatusAlertID>"
        f"{sev}{details}</psdyn:Alert>"
    )


def consumable(**fields: str) -> str:
    life_keys = ("ConsumableState", "MeasuredQuantityState", "Brand")
    life = "".join(f"<dd:{k}>{v}</dd:{k}>" for k, v in fields.items() if k in life_keys)
    rest = "".join(
        f"<dd:{k}>{v}</dd:{k}>"
        if k != "IsSupplyLevelUnknown"
        else f"<ccdyn:{k}>{v}</ccdyn:{k}>"
        for k, v in fields.items()
        if k not in life_keys
    )
    return (
        f"<ccdyn:ConsumableInfo><dd:ConsumableLifeState>{life}</dd:ConsumableLifeState>"
        f"{rest}</ccdyn:ConsumableInfo>"
    )


def consumables_doc(*infos: str) -> bytes:
    return (
        f'<ccdyn:ConsumableConfigDyn xmlns:ccdyn="{CCDYN}" xmlns:dd="{DD}">'
        f"{''.join(infos)}</ccdyn:ConsumableConfigDyn>"
    ).encode()


# --- xmlsafe ------------------------------------------------------------------


def test_parse_xml_tolerates_indentation_bom_and_trailing_space() -> None:
    # The 9022e's declaration ends in "?> " and the comment is indented.
    data = (LEDM / "HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml").read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" ?> ')
    for variant in (
        data,
        b"  \r\n\t" + data,
        b"\xef\xbb\xbf" + data,
        b"\xef\xbb\xbf\n " + data,
    ):
        assert parse_xml(variant).tag.rpartition("}")[2] == "ProductStatusDyn"


def test_parse_xml_survives_a_stray_non_utf8_byte() -> None:
    assert parse_xml(b"<a>caf\xe9</a>").text == "caf\ufffd"
    with pytest.raises(HPEWSParseError):
        parse_xml(b"<a>caf\xe9")


def test_parse_xml_reads_latin1_declared_documents() -> None:
    root = parse_xml(b'<?xml version="1.0" encoding="ISO-8859-1"?><a>Modalit\xe0</a>')
    assert root.text == "Modalità"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<a>",
        b"not xml at all",
        b"<a>&undefined;</a>",
        "<a/>".encode("utf-16"),
        b"<\x00a\x00/\x00>\x00",
    ],
)
def test_parse_xml_rejects_garbage(data: bytes) -> None:
    with pytest.raises(HPEWSParseError):
        parse_xml(data)


def test_parse_xml_size_cap() -> None:
    with pytest.raises(HPEWSParseError, match="exceeds"):
        parse_xml(b"<a>" + b" " * 100 + b"</a>", max_bytes=50)
    assert parse_xml(b"<a/>", max_bytes=4).tag == "a"


def test_namespace_helpers_ignore_prefixes_and_other_namespaces() -> None:
    root = parse_xml(
        f'<r xmlns:a="{DD}" xmlns:b="{PCD_2007}" xmlns:o="urn:other">'
        "<o:X>other</o:X><X>none</X><a:X> one </a:X><b:X>two</b:X><a:Y/></r>".encode()
    )
    assert [text(node) for node in children(root, "X")] == ["one", "two"]
    assert text(child(root, "X")) == "one"
    assert namespace(child(root, "X").tag) == DD  # type: ignore[union-attr]
    assert namespace("plain") == ""
    assert set(index(root)) == {"X", "Y"}
    assert text(index(root)["Y"]) is None
    assert child(None, "X") is None
    assert children(None, "X") == []
    assert index(None) == {}
    assert text(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1344", 1344),
        ("  408 ", 408),
        ("-7", -7),
        ("2733.4", 2733),
        ("+5", 5),
        ("-0.9", 0),
        ("NaN", None),
        ("Infinity", None),
        ("", None),
        ("   ", None),
        ("12a", None),
        ("1e999999999", None),
        ("9" * 40, None),
        (None, None),
    ],
)
def test_parse_int(raw: str | None, expected: int | None) -> None:
    assert parse_int(raw) == expected


# --- DiscoveryTree ------------------------------------------------------------


def test_discovery_tree_from_http_capture_matches_xml_capture() -> None:
    # The Wireshark capture of the same printer: headers, blank line, body.
    response = (
        LEDM / "HP-Officejet-6500-E710n-z__DiscoveryTree_http-response.txt"
    ).read_bytes()
    body = response.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
    xml_file = (LEDM / "HP-Officejet-6500-E710n-z__DiscoveryTree.xml").read_bytes()
    paths = ledm.parse_discovery_tree(body)
    assert paths == ledm.parse_discovery_tree(xml_file)
    assert ledm.PRODUCT_STATUS in paths
    assert ledm.CONSUMABLES in paths
    assert "/EventMgmt/EventMgmtManifest.xml" in paths
    # The raw response with its HTTP headers is not XML.
    with pytest.raises(HPEWSParseError):
        ledm.parse_discovery_tree(response)


def test_discovery_tree_skips_absolute_urls_and_duplicates() -> None:
    ns = "http://www.hp.com/schemas/imaging/con/ledm/2007/09/21"
    doc = (
        f'<ledm:DiscoveryTree xmlns:ledm="{ns}" xmlns:dd="{DD}">'
        "<ledm:SupportedTree><dd:ResourceURI>/DevMgmt/A.xml</dd:ResourceURI></ledm:SupportedTree>"
        "<ledm:SupportedTree><dd:ResourceURI>/DevMgmt/A.xml</dd:ResourceURI></ledm:SupportedTree>"
        "<ledm:SupportedTree><dd:ResourceURI>http://x/B.xml</dd:ResourceURI></ledm:SupportedTree>"
        "<ledm:SupportedTree><dd:ResourceURI></dd:ResourceURI></ledm:SupportedTree>"
        "</ledm:DiscoveryTree>"
    ).encode()
    assert ledm.parse_discovery_tree(doc) == ("/DevMgmt/A.xml",)


# --- ProductStatusDyn ---------------------------------------------------------


def test_status_list_most_significant_category_wins() -> None:
    assert ledm.parse_product_status(status_doc("ready")).state is PrinterState.IDLE
    assert ledm.parse_product_status(status_doc("inPowerSave", "processing")).state is (
        PrinterState.PRINTING
    )
    status = ledm.parse_product_status(status_doc("processing", "jamInPrinter"))
    assert status.state is PrinterState.STOPPED
    assert status.paper_jam
    assert status.has_problem
    status = ledm.parse_product_status(status_doc("closeDoorOrCover"))
    assert (status.state, status.door_open) == (PrinterState.STOPPED, True)
    assert ledm.parse_product_status(status_doc("hardError", "jamInPrinter")).state is (
        PrinterState.ERROR
    )


def test_power_save_is_healthy_and_tray_empty_is_a_flag() -> None:
    asleep = ledm.parse_product_status(status_doc("inPowerSave"))
    assert asleep.in_power_save
    assert not asleep.has_problem
    # ENVY 7830 pattern: tray empty while asleep.
    both = ledm.parse_product_status(status_doc("trayEmpty", "inPowerSave"))
    assert (both.state, both.out_of_paper) == (PrinterState.POWER_SAVE, True)
    # Alone, an empty tray is the printer waiting for the user.
    alone = ledm.parse_product_status(status_doc("trayEmptyOrOpen"))
    assert (alone.state, alone.out_of_paper) == (PrinterState.STOPPED, True)


def test_genuine_hp_status_is_information_not_a_state() -> None:
    status = ledm.parse_product_status(status_doc("genuineHP"))
    assert status.state is PrinterState.IDLE
    assert not status.has_problem
    assert status.raw_codes == ("genuineHP",)


def test_status_without_category_still_gives_its_text() -> None:
    doc = (
        f'<psdyn:ProductStatusDyn xmlns:psdyn="{PSDYN}" xmlns:pscat="{PSCAT}">'
        '<psdyn:Status><psdyn:LocString lang="de">Papierstau</psdyn:LocString></psdyn:Status>'
        "<psdyn:Status><pscat:StatusCategory>jamInPrinter</pscat:StatusCategory></psdyn:Status>"
        "</psdyn:ProductStatusDyn>"
    ).encode()
    status = ledm.parse_product_status(doc)
    assert (status.message, status.raw_codes, status.paper_jam) == (
        "Papierstau",
        ("jamInPrinter",),
        True,
    )


def test_supply_kind_without_type() -> None:
    assert vocabulary.supply_kind(None, has_tanks=True) is SupplyKind.OTHER


def test_unknown_categories_are_kept_raw() -> None:
    status = ledm.parse_product_status(status_doc("someFutureThing", "inPowerSave"))
    assert status.state is PrinterState.POWER_SAVE
    assert status.raw_codes == ("someFutureThing", "inPowerSave")
    unknown = ledm.parse_product_status(status_doc("someFutureThing"))
    assert unknown.state is PrinterState.UNKNOWN
    empty = ledm.parse_product_status(status_doc(table=False))
    assert (empty.state, empty.change_marker, empty.alerts) == (
        PrinterState.UNKNOWN,
        None,
        (),
    )


def test_alerts_severity_colour_and_flags() -> None:
    doc = status_doc(
        "ready",
        alerts=alert("cartridgeLow", "Warning", "CyanMagentaYellow")
        + alert("genuineHP", "Info", "Black")
        + alert("outputBinFull", "Error")
        + alert("mysteryAlert", None, "Chartreuse")
        + alert("genuineHP", None)
        + "<psdyn:Alert><ad:Severity>Error</ad:Severity></psdyn:Alert>",
    )
    status = ledm.parse_product_status(doc)
    assert [(a.code, a.severity, a.color) for a in status.alerts] == [
        ("cartridgeLow", AlertSeverity.WARNING, "CMY"),
        ("genuineHP", AlertSeverity.INFO, "K"),
        ("outputBinFull", AlertSeverity.ERROR, None),
        ("mysteryAlert", AlertSeverity.WARNING, "Chartreuse"),
        ("genuineHP", AlertSeverity.INFO, None),
    ]
    assert status.supply_low
    assert status.output_full
    # "ready", but the AlertTable says the output bin is full: it cannot print.
    assert status.state is PrinterState.STOPPED
    assert status.change_marker == ChangeMarker(alert_table="7")
    only_low = ledm.parse_product_status(
        status_doc("ready", alerts=alert("cartridgeLow", "Warning", "Black"))
    )
    assert (only_low.state, only_low.supply_low) == (PrinterState.IDLE, True)


def test_alert_text_from_its_loc_strings() -> None:
    doc = status_doc(
        "ready",
        alerts=alert("trayEmpty").replace(
            "</psdyn:Alert>",
            '<psdyn:LocString lang="en">Load paper</psdyn:LocString>'
            '<psdyn:LocString lang="en">Tray 2</psdyn:LocString></psdyn:Alert>',
        )
        + alert("cartridgeLow").replace(
            "</psdyn:Alert>",
            '<psdyn:LocString lang="en"> </psdyn:LocString></psdyn:Alert>',
        ),
    )
    assert [a.message for a in ledm.parse_product_status(doc).alerts] == [
        "Load paper\nTray 2",
        None,
    ]


def test_routine_alerts_raise_no_flag() -> None:
    status = ledm.parse_product_status(
        status_doc("ready", alerts=alert("genuineHP", "Info", "Black"))
    )
    assert not any(
        (status.paper_jam, status.door_open, status.out_of_paper, status.supply_low)
    )


def test_status_rejects_other_documents() -> None:
    with pytest.raises(HPEWSParseError, match="ProductStatusDyn"):
        ledm.parse_product_status(
            (LEDM / "HP-Officejet-6500-E710n-z__EventMgmt_EventTable.xml").read_bytes()
        )
    with pytest.raises(HPEWSParseError):
        ledm.parse_product_status(b'<ProductStatusDyn xmlns="urn:not-hp"/>')


# --- ConsumableConfigDyn ------------------------------------------------------


def test_consumable_states_and_levels() -> None:
    doc = consumables_doc(
        consumable(
            ConsumableLabelCode="K",
            ConsumableTypeEnum="toner",
            ConsumableState="ok",
            ConsumablePercentageLevelRemaining="8",
            Brand="clone",
        ),
        consumable(
            ConsumableLabelCode="C",
            ConsumableTypeEnum="tonerCartridge",
            ConsumableState="veryLow",
            ConsumablePercentageLevelRemaining="3",
        ),
        consumable(
            ConsumableLabelCode="M",
            ConsumableTypeEnum="rechargeableToner",
            ConsumableState="used",
            ConsumablePercentageLevelRemaining="0",
            Brand="  ",
        ),
        consumable(
            ConsumableLabelCode="Y",
            ConsumableTypeEnum="toner",
            ConsumableState="missing",
        ),
        consumable(
            ConsumableLabelCode="K",
            ConsumableTypeEnum="imageDrum",
            ConsumableState="brandNewState",
            ConsumablePercentageLevelRemaining="64",
        ),
        consumable(
            ConsumableLabelCode="CMY",
            ConsumableTypeEnum="inkCartridge",
            ConsumableState="ok",
            MeasuredQuantityState="unknown",
            ConsumablePercentageLevelRemaining="0",
            Brand="unknown",
        ),
        consumable(
            ConsumableLabelCode="pK",
            ConsumableTypeEnum="inkCartridge",
            ConsumableState="weird",
            IsSupplyLevelUnknown="true",
            ConsumablePercentageLevelRemaining="50",
            Brand="HP",
        ),
        consumable(
            ConsumableTypeEnum="stapler", ConsumablePercentageLevelRemaining="255"
        ),
    )
    supplies = ledm.parse_consumables(doc)
    rows = [
        (s.key, s.color, s.kind, s.state, s.level_percent, s.genuine, s.raw_state)
        for s in supplies
    ]
    assert rows == [
        ("toner_k", "K", SupplyKind.TONER, SupplyState.LOW, 8, False, "ok"),
        ("toner_c", "C", SupplyKind.TONER, SupplyState.VERY_LOW, 3, None, "veryLow"),
        ("toner_m", "M", SupplyKind.TONER, SupplyState.EMPTY, 0, None, "used"),
        ("toner_y", "Y", SupplyKind.TONER, SupplyState.MISSING, None, None, "missing"),
        ("drum_k", "K", SupplyKind.DRUM, SupplyState.OK, 64, None, "brandNewState"),
        ("ink_cmy", "CMY", SupplyKind.INK, SupplyState.OK, None, None, "ok"),
        ("ink_pk", "pK", SupplyKind.INK, SupplyState.UNKNOWN, None, True, "weird"),
        ("other", "", SupplyKind.OTHER, SupplyState.UNKNOWN, None, None, None),
    ]


def test_part_number_prefers_selectability_unless_instant_ink() -> None:
    doc = consumables_doc(
        consumable(
            ConsumableLabelCode="K",
            ConsumableTypeEnum="ink",
            ConsumableSelectibilityNumber="963XL",
            ProductNumber="3JA30AE",
        ),
        consumable(
            ConsumableLabelCode="C",
            ConsumableTypeEnum="ink",
            ConsumableSelectibilityNumber=" instant  ink ",
            ProductNumber="3JA86A",
        ),
        consumable(
            ConsumableLabelCode="M",
            ConsumableTypeEnum="ink",
            ConsumableSelectibilityNumber="INSTANT INK",
        ),
    )
    assert [s.part_number for s in ledm.parse_consumables(doc)] == [
        "963XL",
        "3JA86A",
        None,
    ]


def test_supply_keys_add_the_station_only_on_collision() -> None:
    doc = consumables_doc(
        consumable(
            ConsumableLabelCode="K", ConsumableTypeEnum="ink", ConsumableStation="1"
        ),
        consumable(
            ConsumableLabelCode="K", ConsumableTypeEnum="ink", ConsumableStation="4"
        ),
        consumable(ConsumableLabelCode="K", ConsumableTypeEnum="ink"),
        consumable(
            ConsumableLabelCode="C", ConsumableTypeEnum="ink", ConsumableStation="2"
        ),
    )
    assert [s.key for s in ledm.parse_consumables(doc)] == [
        "ink_k_1",
        "ink_k_4",
        "ink_k_2",
        "ink_c",
    ]
    assert vocabulary.supply_keys(
        [(SupplyKind.INK, "K", "1"), (SupplyKind.INK, "K", "1")]
    ) == ["ink_k_1", "ink_k_1_1"]


def test_real_printhead_keeps_its_level_but_smart_tank_cartridges_do_not() -> None:
    doc = consumables_doc(
        consumable(
            ConsumableLabelCode="CMYK",
            ConsumableTypeEnum="printhead",
            ConsumablePercentageLevelRemaining="90",
        ),
    )
    assert ledm.parse_consumables(doc)[0].level_percent == 90
    tank = consumables_doc(
        consumable(
            ConsumableLabelCode="K",
            ConsumableTypeEnum="inkCartridge",
            ConsumablePercentageLevelRemaining="20",
        ),
        consumable(
            ConsumableLabelCode="K",
            ConsumableTypeEnum="inkTank",
            ConsumablePercentageLevelRemaining="70",
        ),
    )
    head, ink = ledm.parse_consumables(tank)
    assert (head.kind, head.level_percent, head.key) == (
        SupplyKind.PRINTHEAD,
        None,
        "printhead_k",
    )
    assert (ink.kind, ink.level_percent, ink.key) == (
        SupplyKind.INK_TANK,
        70,
        "ink_tank_k",
    )


def test_consumables_ignore_previous_cartridge_and_supported_lists() -> None:
    # M255dw: PreviousCartridgeData carries an older ProductNumber, and
    # ConsumableStateAvailableActions another ConsumableState.
    supplies = ledm.parse_consumables(
        (LEDM / "HP-Color-LaserJet-M255dw__ConsumableConfigDyn.xml").read_bytes()
    )
    assert [s.raw_state for s in supplies] == ["ok", "ok", "ok", "ok"]
    # 9022e: SupportedConsumables lists ink types that are not installed.
    nine = ledm.parse_consumables(
        (LEDM / "HP-OfficeJet-Pro-9022e__ConsumableConfigDyn.xml").read_bytes()
    )
    assert len(nine) == 5


# --- ProductUsageDyn / ProductConfigDyn ---------------------------------------


def test_usage_counters_tolerate_decimals_negatives_and_peid() -> None:
    doc = (
        f'<pudyn:ProductUsageDyn xmlns:pudyn="{PUDYN}" xmlns:dd="{DD}"><pudyn:PrinterSubunit>'
        '<dd:TotalImpressions PEID="5082"> 2733.4 </dd:TotalImpressions>'
        "<dd:MonochromeImpressions>-3</dd:MonochromeImpressions>"
        "<dd:A4EquivalentImpressions><dd:ColorImpressions>5</dd:ColorImpressions>"
        "</dd:A4EquivalentImpressions></pudyn:PrinterSubunit>"
        "<pudyn:ScannerEngineSubunit><dd:AdfImages>4</dd:AdfImages>"
        "<dd:FlatbedImages>6</dd:FlatbedImages></pudyn:ScannerEngineSubunit>"
        "<pudyn:FaxApplicationSubunit><dd:TotalImpressions>12</dd:TotalImpressions>"
        "</pudyn:FaxApplicationSubunit><pudyn:ConsumableSubunit>"
        "<pudyn:Consumable><dd:MarkerColor>PhotoBlack</dd:MarkerColor>"
        "<dd:EstimatedPagesRemaining>-1</dd:EstimatedPagesRemaining></pudyn:Consumable>"
        "<pudyn:Consumable><dd:MarkerColor>Black</dd:MarkerColor>"
        "<dd:EstimatedPagesRemaining>300</dd:EstimatedPagesRemaining></pudyn:Consumable>"
        "<pudyn:Consumable><dd:MarkerColor>Black</dd:MarkerColor>"
        "<dd:EstimatedPagesRemaining>9</dd:EstimatedPagesRemaining></pudyn:Consumable>"
        "<pudyn:Consumable><dd:MarkerColor>Orange</dd:MarkerColor>"
        "<dd:EstimatedPagesRemaining>10</dd:EstimatedPagesRemaining></pudyn:Consumable>"
        "</pudyn:ConsumableSubunit></pudyn:ProductUsageDyn>"
    ).encode()
    usage = ledm.parse_usage(doc)
    assert usage.counters.total_pages == 2733
    assert usage.counters.monochrome_pages is None
    assert usage.counters.color_pages is None
    assert usage.counters.scan_pages == 10
    assert usage.counters.fax_pages == 12
    assert dict(usage.pages_remaining) == {"K": 300, "Orange": 10}


def test_apply_pages_remaining_skips_printheads() -> None:
    supplies = (
        Supply("ink_k", "K", SupplyKind.INK, SupplyState.OK),
        Supply("printhead_k", "K", SupplyKind.PRINTHEAD, SupplyState.OK),
        Supply("ink_c", "C", SupplyKind.INK, SupplyState.OK),
    )
    result = ledm.apply_pages_remaining(supplies, {"K": 120})
    assert [s.pages_remaining for s in result] == [120, None, None]


def test_product_config_old_single_namespace_root() -> None:
    doc = (
        f'<p:ProductConfigDyn xmlns:p="{PCD_2007}" xmlns:dd="{DD}"><p:ProductInformation>'
        "<dd:Version><dd:Revision> FW.1 </dd:Revision></dd:Version>"
        "<dd:MakeAndModel>HP Officejet 6500 E710n-z</dd:MakeAndModel>"
        "<dd:UUID>URN:UUID:1C852A4D-B800-1F08-ABCD-EC8EB5B519A4</dd:UUID>"
        "<dd:SerialNumber>CN00K000MP00AA</dd:SerialNumber></p:ProductInformation>"
        "</p:ProductConfigDyn>"
    ).encode()
    info = ledm.parse_product_config(doc)
    assert info.model == "HP Officejet 6500 E710n-z"
    assert info.series is None
    assert info.firmware == "FW.1"
    assert info.uuid == "1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
    assert info.serial_number == "CN00K000MP00AA"


@pytest.mark.parametrize(
    ("name", "sku", "expected"),
    [
        (
            "HP OfficeJet Pro 9020 series",
            "9022e",
            ("HP OfficeJet Pro 9022e", "HP OfficeJet Pro 9020 series"),
        ),
        (
            "Smart Tank 580-590 series",
            "588",
            ("HP Smart Tank 588", "HP Smart Tank 580-590 series"),
        ),
        (
            "Smart Tank 580-590 series",
            "SKU-ANON-0000",
            ("HP Smart Tank 580-590 series", None),
        ),
        (
            "HP ENVY Photo 7800 All-in-One Printer series",
            "7830",
            (
                "HP ENVY Photo 7830 All-in-One Printer",
                "HP ENVY Photo 7800 All-in-One Printer series",
            ),
        ),
        (
            "HP Color LaserJet Pro M255dw",
            "M255dw",
            ("HP Color LaserJet Pro M255dw", None),
        ),
        (
            "HP LaserJet Pro series",
            "4001n",
            ("HP LaserJet Pro 4001n", "HP LaserJet Pro series"),
        ),
        (
            "HP DeskJet 2700 series",
            "2700",
            ("HP DeskJet 2700", "HP DeskJet 2700 series"),
        ),
        ("HP  Tango   X", None, ("HP Tango X", None)),
        (
            "HP LaserJet 2 Pro 4000 series",
            "4001n",
            ("HP LaserJet 2 Pro 4001n", "HP LaserJet 2 Pro 4000 series"),
        ),
        ("HP ENVY 60 series", "6055e", ("HP ENVY 6055e", "HP ENVY 60 series")),
        (
            "Hewlett-Packard LaserJet 1320",
            None,
            ("Hewlett-Packard LaserJet 1320", None),
        ),
        ("  ", "9022e", (None, None)),
        (None, "9022e", (None, None)),
    ],
)
def test_exact_model(
    name: str | None, sku: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert vocabulary.exact_model(name, sku) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "urn:uuid:1C852A4D-B800-1F08-ABCD-EC8EB5B519A4",
            "1c852a4d-b800-1f08-abcd-ec8eb5b519a4",
        ),
        ("564e433036303030303030a0b1c2e4f5", "564e4330-3630-3030-3030-30a0b1c2e4f5"),
        ("00000000-0000-0000-0000-000000000000", None),
        ("REDACTED", None),
        (None, None),
    ],
)
def test_normalize_uuid(raw: str | None, expected: str | None) -> None:
    assert vocabulary.normalize_uuid(raw) == expected


def test_server_header_serial() -> None:
    response = (
        FIXTURES / "ledm" / "HP-Officejet-6500-E710n-z__DiscoveryTree_http-response.txt"
    ).read_text()
    header = next(
        line.removeprefix("Server: ")
        for line in response.splitlines()
        if line.startswith("Server: ")
    )
    assert ledm.server_serial(header) == "CN00K000MP00AA"
    # PageWide Pro 477dw (docs/protocols.md §4.7), serial as the simulator fills it.
    assert (
        ledm.server_serial(
            "HP HTTP Server; HP PageWide Pro 477dw MFP - D3Q20B; "
            "Serial Number: CN12ABC34D; Built: Thu Oct 14, 2021 {MAVEDWPP1N001}"
        )
        == "CN12ABC34D"
    )
    for other in (None, "", "nginx", "HP HTTP Server; Serial Number: ; x"):
        assert ledm.server_serial(other) is None


# --- hostile documents ---------------------------------------------------------
#
# A printer is an untrusted peer. The bounds are enforced while reading: a
# document past xmlsafe's markup cap never reaches the parser, and within it
# the parsers stop at MAX_SUPPLIES / MAX_ALERTS / MAX_CODES. Work is counted
# in lines of library code run (tests/client/workcount.py), not in seconds.


def _never_parse(*_args: object) -> None:
    raise AssertionError("the document reached the XML parser")


@pytest.mark.parametrize(
    ("unit", "what"),
    [
        (b"<a/>", "a million empty elements"),
        (b"<dd:Status>", "unclosed nesting"),
        (b"&amp;", "entity references"),
        (b"&#65;", "character references"),
    ],
)
def test_markup_cap_refuses_before_parsing(
    unit: bytes, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = status_doc().replace(b"</psdyn:ProductStatusDyn>", b"")
    data += unit * ((4 * 1024 * 1024 - len(data)) // len(unit))
    monkeypatch.setattr(xmlsafe, "_parse", _never_parse)
    with pytest.raises(HPEWSParseError, match="tags, attributes and references"):
        ledm.parse_product_status(data)


def test_markup_cap_counts_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    # One tag, 300 000 attributes: half a second of expat and a huge dict.
    names = b"".join(b' a%06d=""' % number for number in range(300_000))
    data = f'<psdyn:ProductStatusDyn xmlns:psdyn="{PSDYN}"'.encode() + names + b"/>"
    monkeypatch.setattr(xmlsafe, "_parse", _never_parse)
    with pytest.raises(HPEWSParseError, match="exceeds"):
        ledm.parse_product_status(data)


def test_markup_cap_leaves_room_for_real_documents() -> None:
    # The largest real document has 836 tags; 20x that still parses.
    body = "".join(alert("jamInPrinter") for _ in range(3000))
    assert body.count("<") > 20 * 836
    assert ledm.parse_product_status(status_doc("ready", alerts=body)).paper_jam
    with pytest.raises(HPEWSParseError, match="exceeds 10"):
        parse_xml(b"<a>" + b"<b/>" * 10 + b"</a>", max_markup=10)


def test_supplies_stop_at_the_cap() -> None:
    few = consumables_doc(
        *(
            consumable(ConsumableLabelCode="K", ConsumableTypeEnum="ink")
            for _ in range(100)
        )
    )
    many = consumables_doc(
        *(
            consumable(ConsumableLabelCode="K", ConsumableTypeEnum="ink")
            for _ in range(2000)
        )
    )
    work_few, supplies = lines_run(ledm.parse_consumables, few)
    work_many, many_supplies = lines_run(ledm.parse_consumables, many)
    assert len(supplies) == len(many_supplies) == MAX_SUPPLIES
    # Keys stay unique when every supply collides: ink_k_0 ... ink_k_63.
    assert len({supply.key for supply in many_supplies}) == MAX_SUPPLIES
    # Reading stops at the cap: 20 times the supplies, the same work (but
    # for the markup count a document longer than the cap gets).
    assert work_many < work_few + 10


def test_alerts_and_status_codes_stop_at_the_cap() -> None:
    def doc(count: int) -> bytes:
        alerts = "".join(alert(f"code{number}") for number in range(count))
        return status_doc(*(["ready"] * count), alerts=alerts)

    work_few, status = lines_run(ledm.parse_product_status, doc(100))
    work_many, many = lines_run(ledm.parse_product_status, doc(1500))
    assert len(status.alerts) == len(many.alerts) == MAX_ALERTS
    assert len(status.raw_codes) == len(many.raw_codes) == MAX_CODES
    assert [a.code for a in many.alerts] == [f"code{n}" for n in range(MAX_ALERTS)]
    # Statuses and alerts past the cap are not read. The search for the
    # AlertTable still steps over the extra statuses, a few lines each;
    # reading a status or an alert costs tens.
    assert work_many - work_few < 5 * 1400


def test_alerts_without_an_id_do_not_count_towards_the_cap() -> None:
    nameless = "<psdyn:Alert><ad:Severity>Error</ad:Severity></psdyn:Alert>" * 10
    status = ledm.parse_product_status(
        status_doc("ready", alerts=nameless + alert("jamInPrinter"))
    )
    assert [a.code for a in status.alerts] == ["jamInPrinter"]


def test_usage_and_discovery_stop_at_their_caps() -> None:
    consumables = "".join(
        f"<pudyn:Consumable><dd:MarkerColor>C{n}</dd:MarkerColor>"
        "<dd:EstimatedPagesRemaining>5</dd:EstimatedPagesRemaining></pudyn:Consumable>"
        for n in range(200)
    )
    usage = ledm.parse_usage(
        f'<pudyn:ProductUsageDyn xmlns:pudyn="{PUDYN}" xmlns:dd="{DD}">'
        f"<pudyn:ConsumableSubunit>{consumables}</pudyn:ConsumableSubunit>"
        "</pudyn:ProductUsageDyn>".encode()
    )
    assert list(usage.pages_remaining) == [f"C{n}" for n in range(MAX_SUPPLIES)]
    ledm_ns = "http://www.hp.com/schemas/imaging/con/ledm/2007/09/21"
    nodes = "".join(
        f"<ledm:SupportedTree><dd:ResourceURI>/r{n}</dd:ResourceURI>"
        f"<dd:ManifestURI>/m{n}</dd:ManifestURI></ledm:SupportedTree>"
        for n in range(2000)
    )
    tree = (
        f'<ledm:DiscoveryTree xmlns:ledm="{ledm_ns}" xmlns:dd="{DD}">{nodes}'
        "</ledm:DiscoveryTree>"
    ).encode()
    paths = ledm.parse_discovery_tree(tree)
    assert len(paths) == MAX_RESOURCES
    assert paths[:3] == ("/r0", "/m0", "/r1")


def test_long_text_is_cut_and_costs_no_more() -> None:
    def config(words: int) -> bytes:
        name = "HP" + " 9020" * words
        return (
            f'<prdcfgdyn:ProductConfigDyn xmlns:prdcfgdyn="{PCD_2007}" xmlns:dd="{DD}">'
            f"<dd:MakeAndModel>{name}</dd:MakeAndModel>"
            "<dd:SKUIdentifier>9022e</dd:SKUIdentifier></prdcfgdyn:ProductConfigDyn>"
        ).encode()

    work_short, info = lines_run(ledm.parse_product_config, config(1000))
    work_long, long_info = lines_run(ledm.parse_product_config, config(500_000))
    assert info.model is not None
    assert long_info.model is not None
    assert len(long_info.model) <= MAX_TEXT + 3  # "HP " may be added
    assert work_long < work_short + 10
    message = "<psdyn:Status><dd:LocString>" + "x" * 100_000 + "</dd:LocString>"
    text_doc = status_doc().replace(
        b"<psdyn:AlertTable>", message.encode() + b"</psdyn:Status><psdyn:AlertTable>"
    )
    status = ledm.parse_product_status(text_doc)
    assert status.message == "x" * MAX_TEXT


def test_supply_keys_stay_short_and_unique_for_hostile_values() -> None:
    keys = vocabulary.supply_keys(
        [(SupplyKind.INK, "K" * 10_000, f"slot {n} " + "9" * 10_000) for n in range(64)]
        + [(SupplyKind.INK, "K" * 10_000, None)] * 3
    )
    assert len(set(keys)) == len(keys) == 67
    assert max(len(key) for key in keys) <= 64
    # Linear: twice the collisions, about twice the work.
    items = [(SupplyKind.INK, "K", None)] * 1000
    assert lines(vocabulary.supply_keys, items * 2) <= 2.2 * lines(
        vocabulary.supply_keys, items
    )


@pytest.mark.parametrize(
    "raw",
    [
        "\u0661" * 32,  # Arabic-Indic digits: int(..., 16) reads them as 1s
        "urn:uuid:" + "\uff11" * 32,  # full-width digits
        "{" + "0" * 31 + "1}" + "x" * 100_000,
    ],
)
def test_normalize_uuid_refuses_odd_values(raw: str) -> None:
    assert vocabulary.normalize_uuid(raw) is None
