"""CDM parsers: the rules of docs/protocols.md §5 on small documents.

The real Smart Tank 580-590 / 588 captures are asserted in
test_fixture_table.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_RESOURCES,
    MAX_SUPPLIES,
    MAX_TEXT,
    AlertSeverity,
    PrinterProtocol,
    PrinterState,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.client.protocols import cdm
from custom_components.hp_ews.client.status import merge_status
from tests.client.workcount import lines_run


def doc(value: Any) -> bytes:
    return json.dumps(value).encode()


def supplies(*entries: dict[str, Any]) -> list[tuple[object, ...]]:
    return [
        (
            s.key,
            s.color,
            s.kind,
            s.state,
            s.level_percent,
            s.pages_remaining,
            s.part_number,
            s.genuine,
        )
        for s in cdm.parse_supplies(
            doc({"version": "1.1.0", "suppliesList": list(entries)})
        )
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"[]", b'"text"', b"null", b"\xff\xfe{}", b"[" * 100_000, b"{}" * 2],
)
def test_garbage_is_a_parse_error(data: bytes) -> None:
    for parser in (
        cdm.parse_identity,
        cdm.parse_system_status,
        cdm.parse_print_status,
        cdm.parse_services_discovery,
    ):
        with pytest.raises(HPEWSParseError):
            parser(data)


def test_size_cap() -> None:
    with pytest.raises(HPEWSParseError, match="exceeds"):
        cdm.parse_alerts(b" " * (cdm.MAX_JSON_BYTES + 1))


def test_utf8_bom_is_accepted() -> None:
    assert (
        cdm.parse_system_status(b'\xef\xbb\xbf{"status":"ready"}').state
        is PrinterState.IDLE
    )


def test_supplies_string_booleans_and_public_information() -> None:
    rows = supplies(
        {
            "supplyType": "tonerCartridge",
            "supplyColorCode": "K",
            "supplyState": "ok",
            "percentLifeDisplay": 45,
            "isGenuineHP": "false",
            "selectabilityNumber": "206A",
            "approximatePagesRemainingDisplay": 620,
            "slot": 1,
        },
        {
            "publicInformation": {
                "supplyType": "toner",
                "supplyColorCode": "C",
                "supplyState": "ok",
                "percentLifeDisplay": "30",
                "isGenuineHP": "TRUE",
                "productNumber": "W2111A",
                "approximatePagesRemainingDisplay": "-5",
            }
        },
        {
            "supplyType": "toner",
            "colors": ["M"],
            "supplyState": "inform",
            "brand": "HP",
            "selectabilityNumber": "INSTANT INK",
            "orderSelectabilityNumber": "206X",
        },
        {
            "supplyType": "toner",
            "supplyColorCode": "Y",
            "brand": "clone",
            "percentLifeDisplay": 101,
        },
        {"supplyType": "imageDrum", "brand": "unknown"},
        {"supplyType": "toner", "supplyColorCode": "K", "isGenuineHP": True, "slot": 9},
        {
            "supplyType": "toner",
            "supplyColorCode": "C",
            "isGenuineHP": "maybe",
            "brand": "HP",
            "stateReasons": [None, 1, "low"],
        },
        "not an object",  # type: ignore[arg-type]
    )
    assert rows == [
        ("toner_k_1", "K", SupplyKind.TONER, SupplyState.OK, 45, 620, "206A", False),
        ("toner_c_1", "C", SupplyKind.TONER, SupplyState.OK, 30, None, "W2111A", True),
        ("toner_m", "M", SupplyKind.TONER, SupplyState.OK, None, None, "206X", True),
        (
            "toner_y",
            "Y",
            SupplyKind.TONER,
            SupplyState.UNKNOWN,
            None,
            None,
            None,
            False,
        ),
        ("drum", "", SupplyKind.DRUM, SupplyState.UNKNOWN, None, None, None, None),
        (
            "toner_k_9",
            "K",
            SupplyKind.TONER,
            SupplyState.UNKNOWN,
            None,
            None,
            None,
            True,
        ),
        ("toner_c_6", "C", SupplyKind.TONER, SupplyState.LOW, None, None, None, True),
    ]


def test_supply_states_from_level_state_reasons_and_severity() -> None:
    rows = supplies(
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "K",
            "supplyState": "warning",
            "levelState": "low",
            "percentLifeDisplay": 12,
        },
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "C",
            "supplyState": "error",
            "stateReasons": ["somethingElse", "missing"],
        },
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "M",
            "supplyState": "warning",
            "percentLifeDisplay": 5,
        },
        {"supplyType": "inkCartridge", "supplyColorCode": "Y", "supplyState": "error"},
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "CMY",
            "supplyState": "ok",
            "levelState": "ok",
            "percentLifeDisplay": 0,
        },
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "pK",
            "levelState": "veryLow",
            "stateReasons": "not a list",
        },
    )
    assert [(row[0], row[3]) for row in rows] == [
        ("ink_k", SupplyState.LOW),
        ("ink_c", SupplyState.MISSING),
        ("ink_m", SupplyState.LOW),
        ("ink_y", SupplyState.UNKNOWN),
        ("ink_cmy", SupplyState.EMPTY),
        ("ink_pk", SupplyState.VERY_LOW),
    ]


def test_ink_cartridges_are_printheads_only_next_to_tanks() -> None:
    alone = supplies(
        {"supplyType": "inkCartridge", "supplyColorCode": "K", "percentLifeDisplay": 60}
    )
    assert alone[0][:5] == ("ink_k", "K", SupplyKind.INK, SupplyState.OK, 60)
    with_tanks = supplies(
        {
            "supplyType": "inkCartridge",
            "supplyColorCode": "K",
            "percentLifeDisplay": 60,
        },
        {"supplyType": "inkTank", "supplyColorCode": "K", "percentLifeDisplay": 80},
        {
            "supplyType": "printHead",
            "supplyColorCode": "CMYK",
            "percentLifeDisplay": 90,
        },
    )
    assert [row[:5] for row in with_tanks] == [
        # No supplyState and no level: nothing says how it is.
        ("printhead_k", "K", SupplyKind.PRINTHEAD, SupplyState.UNKNOWN, None),
        ("ink_tank_k", "K", SupplyKind.INK_TANK, SupplyState.OK, 80),
        ("printhead_cmyk", "CMYK", SupplyKind.PRINTHEAD, SupplyState.OK, 90),
    ]


def test_supply_keys_use_slot_on_collision() -> None:
    rows = supplies(
        {"supplyType": "toner", "supplyColorCode": "K", "slot": 1},
        {"supplyType": "toner", "supplyColorCode": "K", "slot": 2},
    )
    assert [row[0] for row in rows] == ["toner_k_1", "toner_k_2"]


def test_supplies_list_shape() -> None:
    assert cdm.parse_supplies(doc({"version": "1.0"})) == ()
    with pytest.raises(HPEWSParseError):
        cdm.parse_supplies(doc({"suppliesList": {"K": 1}}))


def test_identity_variants() -> None:
    info = cdm.parse_identity(
        doc(
            {
                "makeAndModel": "Color LaserJet Pro MFP 3301-3303",
                "skuIdentifier": "3302fdn",
                "serialNumber": 12345,
                "deviceUuid": "ABCDEF01-2345-6789-ABCD-EF0123456789",
            }
        )
    )
    assert info.model == "HP Color LaserJet Pro MFP 3302fdn"
    assert info.series == "HP Color LaserJet Pro MFP 3301-3303"
    assert info.serial_number == "12345"
    assert info.uuid == "abcdef01-2345-6789-abcd-ef0123456789"
    assert info.manufacturer == "HP"
    base_only = cdm.parse_identity(
        doc({"makeAndModel": {"base": "HP LaserJet M110we"}})
    )
    assert base_only.model == "HP LaserJet M110we"
    with pytest.raises(HPEWSParseError):
        cdm.parse_identity(doc({"version": "1.0.0", "status": "ready"}))


def test_system_status_values_mirror_ledm() -> None:
    assert (
        cdm.parse_system_status(doc({"status": "processing"})).state
        is PrinterState.PRINTING
    )
    door = cdm.parse_system_status(doc({"status": "closeDoorOrCover"}))
    assert (door.state, door.door_open) == (PrinterState.STOPPED, True)
    unknown = cdm.parse_system_status(doc({"status": "newFangled"}))
    assert (unknown.state, unknown.raw_codes) == (PrinterState.UNKNOWN, ("newFangled",))
    with pytest.raises(HPEWSParseError):
        cdm.parse_system_status(doc({"status": 3}))


def test_print_status_ipp_keywords() -> None:
    status = cdm.parse_print_status(
        doc(
            {
                "printerState": "stopped",
                "printerStateReasons": [
                    "media-jam-error",
                    "toner-low-report",
                    "none",
                    7,
                ],
            }
        )
    )
    assert status.state is PrinterState.STOPPED
    assert status.paper_jam
    assert not status.supply_low  # -report is informational
    assert status.raw_codes == ("stopped", "media-jam-error", "toner-low-report")
    odd = cdm.parse_print_status(
        doc({"printerState": "sleeping", "printerStateReasons": "x"})
    )
    assert (odd.state, odd.raw_codes) == (PrinterState.UNKNOWN, ("sleeping",))
    with pytest.raises(HPEWSParseError):
        cdm.parse_print_status(doc({"printerStateReasons": []}))


def test_alert_categories_raise_flags_through_merge() -> None:
    alerts = cdm.parse_alerts(
        doc(
            {
                "alerts": [
                    {
                        "category": "doorOpen",
                        "severity": "error",
                        "data": [
                            {
                                "propertyPointer": "/doors/0/id",
                                "value": {"seValue": "frontDoor"},
                            }
                        ],
                    },
                    {"category": "jamAtOutputBin", "severity": "critical"},
                    {"category": "allTraysEmpty", "severity": "warning"},
                    {"category": "cartridgeMissing"},
                    {
                        "category": "cartridgeVeryLow",
                        "severity": "warning",
                        "data": [
                            {
                                "propertyPointer": "/suppliesList/1/supplyColorCode",
                                "value": {"seValue": "M"},
                            }
                        ],
                    },
                    {
                        "category": "outputBinFull",
                        "severity": "fatal",
                        "data": [
                            {"propertyPointer": "/suppliesList/0/colors", "value": {}},
                            "junk",
                        ],
                    },
                    {"category": "genuineHPsupply", "severity": "information"},
                    {"severity": "error"},
                    "junk",
                ]
            }
        )
    )
    assert [(a.code, a.severity, a.color, a.source) for a in alerts] == [
        ("doorOpen", AlertSeverity.ERROR, None, PrinterProtocol.CDM),
        ("jamAtOutputBin", AlertSeverity.ERROR, None, PrinterProtocol.CDM),
        ("allTraysEmpty", AlertSeverity.WARNING, None, PrinterProtocol.CDM),
        ("cartridgeMissing", AlertSeverity.WARNING, None, PrinterProtocol.CDM),
        ("cartridgeVeryLow", AlertSeverity.WARNING, "M", PrinterProtocol.CDM),
        ("outputBinFull", AlertSeverity.ERROR, None, PrinterProtocol.CDM),
        ("genuineHPsupply", AlertSeverity.INFO, None, PrinterProtocol.CDM),
    ]
    merged = merge_status(cdm.parse_system_status(doc({"status": "ready"})), alerts)
    # "ready" with a jam and an open door in the alerts: it waits for the user.
    assert merged.state is PrinterState.STOPPED
    assert (merged.door_open, merged.paper_jam, merged.out_of_paper) == (
        True,
        True,
        True,
    )
    assert (merged.supply_missing, merged.supply_low, merged.output_full) == (
        True,
        True,
        True,
    )


def test_alerts_shape() -> None:
    assert cdm.parse_alerts(doc({"version": "1.1.0"})) == ()
    with pytest.raises(HPEWSParseError):
        cdm.parse_alerts(doc({"alerts": {}}))


def test_lifetime_counters_tolerance() -> None:
    counters = cdm.parse_lifetime_counters(
        doc(
            {
                "printUsage": {
                    "impressions": {
                        "total": {"significand": 27334, "exponent": -1},
                        "monochrome": "120",
                        "color": -4,
                    },
                    "sheets": {"total": 900, "simplex": 700, "duplex": 200},
                    "copyImpressions": {"total": 3.9},
                    "faxInImpressions": {"total": {"significand": 2, "exponent": 2}},
                },
                "scanUsage": {"totalImages": {"significand": 1, "exponent": 99}},
            }
        )
    )
    assert counters.total_pages == 2733
    assert counters.monochrome_pages == 120
    assert counters.color_pages is None
    assert counters.duplex_sheets == 200
    assert counters.copy_pages == 3
    assert counters.fax_pages == 200
    assert counters.scan_pages is None
    assert counters.jam_events is None
    empty = cdm.parse_lifetime_counters(
        doc({"printUsage": [], "scanUsage": {"totalImages": True}})
    )
    assert empty.total_pages is None
    assert empty.scan_pages is None
    odd = cdm.parse_lifetime_counters(
        doc(
            {
                "printUsage": {
                    "impressions": {
                        "total": float("nan"),
                        "color": "x",
                        "monochrome": {"significand": "a"},
                    }
                }
            }
        )
    )
    assert (odd.total_pages, odd.color_pages, odd.monochrome_pages) == (
        None,
        None,
        None,
    )


def test_services_discovery_needs_services() -> None:
    with pytest.raises(HPEWSParseError, match="services"):
        cdm.parse_services_discovery(doc({"version": "1.0"}))


def test_services_discovery() -> None:
    # Shape of HP's servicesDiscovery as read by HP's own CDM test suite.
    data = doc(
        {
            "version": "1.0",
            "services": [
                {
                    "serviceGun": "com.hp.cdm.service.system.version.1",
                    "version": "1.4.0",
                    "links": [
                        {"rel": "identity", "href": "/cdm/system/v1/identity"},
                        {"rel": "status", "href": "/cdm/system/v1/status"},
                    ],
                },
                {
                    "serviceGun": "com.hp.cdm.service.supply.version.1",
                    "links": [
                        {
                            "rel": "suppliesPublic",
                            "href": "/cdm/supply/v1/suppliesPublic",
                        },
                        {"rel": "alert", "hrefTemplate": "/cdm/supply/v1/alerts/{id}"},
                        {"rel": "identity", "href": "/cdm/system/v1/identity"},
                    ],
                },
                {"serviceGun": "com.hp.cdm.service.broken", "links": "nope"},
                "junk",
            ],
        }
    )
    assert cdm.parse_services_discovery(data) == (
        cdm.IDENTITY,
        cdm.SYSTEM_STATUS,
        cdm.SUPPLIES,
    )


# --- hostile documents ---------------------------------------------------------
#
# json builds every value of a document before the parser looks at any, so
# the value cap is checked on the bytes first; within it the parsers stop at
# MAX_SUPPLIES / MAX_ALERTS. Work is counted in lines of library code run.

FOUR_MIB = 4 * 1024 * 1024


def _never_load(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("json built the document")


@pytest.mark.parametrize(
    ("head", "unit", "tail"),
    [
        (b'{"suppliesList":[', b"{},", b"{}]}"),
        (b'{"alerts":[', b"0,", b"0]}"),
        (b'{"alerts":', b"[", b""),
        (b'{"services":[', b'{"links":[]},', b"{}]}"),
    ],
    ids=["empty-objects", "numbers", "nesting", "services"],
)
def test_value_cap_refuses_before_json_builds_anything(
    head: bytes, unit: bytes, tail: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = head + unit * ((FOUR_MIB - len(head) - len(tail)) // len(unit)) + tail
    monkeypatch.setattr(cdm.json, "loads", _never_load)
    for parser in (cdm.parse_supplies, cdm.parse_alerts, cdm.parse_services_discovery):
        with pytest.raises(HPEWSParseError, match="values exceeds"):
            parser(data)


def test_value_cap_leaves_room_for_real_documents() -> None:
    # The largest real document has 366 separators and containers.
    entry = {"supplyType": "ink", "supplyColorCode": "K", "percentLifeDisplay": 5}
    data = doc({"suppliesList": [entry] * 5000})
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    assert 50 * 366 < values < cdm.MAX_JSON_VALUES
    assert len(cdm.parse_supplies(data)) == MAX_SUPPLIES


def test_supplies_and_alerts_stop_at_the_cap() -> None:
    def supplies_doc(count: int) -> bytes:
        entry = {"supplyType": "ink", "supplyColorCode": "K", "slot": 1}
        return doc({"suppliesList": ["junk", *([entry] * count)]})

    def alerts_doc(count: int) -> bytes:
        entry = {"category": "jamInPrinter", "severity": "error"}
        return doc({"alerts": [{}, *([entry] * count)]})

    work_few, few = lines_run(cdm.parse_supplies, supplies_doc(100))
    work_many, many = lines_run(cdm.parse_supplies, supplies_doc(3000))
    assert len(few) == len(many) == MAX_SUPPLIES
    assert len({supply.key for supply in many}) == MAX_SUPPLIES
    assert work_many < work_few + 10
    work_few, alerts = lines_run(cdm.parse_alerts, alerts_doc(100))
    work_many, many_alerts = lines_run(cdm.parse_alerts, alerts_doc(3000))
    assert len(alerts) == len(many_alerts) == MAX_ALERTS
    assert work_many < work_few + 10


def test_lists_inside_an_entry_are_read_to_a_bound() -> None:
    pointer = {"propertyPointer": "/x", "value": {}}
    colored = {"propertyPointer": "/suppliesList/0/colors", "value": {"seValue": "K"}}
    entry = {"category": "cartridgeLow", "data": [pointer] * 5000 + [colored]}
    assert cdm.parse_alerts(doc({"alerts": [entry]}))[0].color is None
    supply = {
        "supplyType": "ink",
        "colors": ["cyan"] * 5000,
        "stateReasons": ["x"] * 5000 + ["missing"],
    }
    (parsed,) = cdm.parse_supplies(doc({"suppliesList": [supply]}))
    assert parsed.color == "cyan" * 8
    # "missing" comes after the first 64 reasons: not read.
    assert parsed.state is SupplyState.UNKNOWN
    assert parsed.key == "ink_" + ("cyan" * 8)[:16]


def test_print_status_reasons_stop_at_the_cap() -> None:
    reasons = [f"media-jam-{n}-error" for n in range(1000)] + ["door-open-error"]
    status = cdm.parse_print_status(
        doc({"printerState": "stopped", "printerStateReasons": reasons})
    )
    assert len(status.raw_codes) == 1 + MAX_ALERTS
    assert not status.door_open


def test_services_discovery_stops_at_the_cap() -> None:
    links = [{"rel": "x", "href": f"/cdm/x{n}"} for n in range(2000)]
    paths = cdm.parse_services_discovery(doc({"services": [{"links": links}]}))
    assert paths == tuple(f"/cdm/x{n}" for n in range(MAX_RESOURCES))


def test_long_strings_are_cut() -> None:
    info = cdm.parse_identity(
        doc(
            {
                "serialNumber": "S" * 1_000_000,
                "makeAndModel": {"name": "HP 9" * 300_000},
            }
        )
    )
    assert info.serial_number == "S" * MAX_TEXT
    assert info.model is not None
    assert len(info.model) <= MAX_TEXT


def test_significand_is_not_recursed_into() -> None:
    # Nested 900 deep: json reads it, a recursive reader would overflow.
    nested = '{"significand":' * 900 + "1" + "}" * 900
    data = f'{{"printUsage":{{"impressions":{{"total":{nested}}}}}}}'.encode()
    assert cdm.parse_lifetime_counters(data).total_pages is None
    plain = doc(
        {"printUsage": {"impressions": {"total": {"significand": "12", "exponent": 2}}}}
    )
    assert cdm.parse_lifetime_counters(plain).total_pages == 1200
