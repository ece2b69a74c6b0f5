"""Profiles and their data directories agree with the real captures."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET

import pytest

from custom_components.hp_ews.client import (
    IppRangeOfInteger,
    IppResolution,
    IppValueTag,
    decode_ipp,
)
from simulator.build_data import build
from simulator.ippdump import attribute_from_dump, dump_lines, message_from_dump
from simulator.profiles import DATA_DIR, PROFILES, get_profile
from simulator.store import load_store

from .conftest import FIXTURES
from .helpers import CCDYN, NS

if TYPE_CHECKING:
    from pathlib import Path

P57750 = FIXTURES / "ipp/HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt"
ENVY = FIXTURES / "ipp/HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"


def _ledm_levels(name: str) -> dict[tuple[str, int], int | None]:
    root = ET.parse(FIXTURES / "ledm" / name).getroot()
    levels: dict[tuple[str, int], int | None] = {}
    for info in root.iterfind(f"{{{CCDYN}}}ConsumableInfo"):
        label = info.findtext("dd:ConsumableLabelCode", namespaces=NS) or ""
        station = int(info.findtext("dd:ConsumableStation", namespaces=NS) or -1)
        level = info.findtext("dd:ConsumablePercentageLevelRemaining", namespaces=NS)
        levels[(label, station)] = None if level is None else int(level)
    return levels


def _profile_levels(name: str) -> dict[tuple[str, int], int | None]:
    return {(s.color, s.station): s.level for s in get_profile(name).supplies}


@pytest.mark.parametrize(
    ("profile", "capture"),
    [
        ("officejet-pro-9022e", "HP-OfficeJet-Pro-9022e__ConsumableConfigDyn.xml"),
        (
            "color-laserjet-pro-m255dw",
            "HP-Color-LaserJet-M255dw__ConsumableConfigDyn.xml",
        ),
    ],
)
def test_ledm_supplies_match_capture(profile: str, capture: str) -> None:
    assert _profile_levels(profile) == _ledm_levels(capture)


def test_smart_tank_supplies_match_capture() -> None:
    document = json.loads(
        (
            FIXTURES / "cdm/HP-Smart-Tank-580-590__cdm_supply_v1_suppliesPublic.json"
        ).read_text()
    )
    captured = {
        (s["supplyColorCode"], s["slot"], s["supplyType"]): s.get("percentLifeDisplay")
        for s in document["suppliesList"]
    }
    profile = {
        (s.color, s.station, s.kind): s.level
        for s in get_profile("smart-tank-580").supplies
    }
    assert profile == captured


def _dump_value(path: Path, name: str) -> str:
    for line in path.read_text().splitlines():
        match = re.search(rf"\b{name} \([^)]*\) = (.*)$", line)
        if match:
            return match.group(1)
    raise AssertionError(name)


@pytest.mark.parametrize(
    ("profile", "dump"), [("pagewide-mfp-p57750", P57750), ("envy-4520", ENVY)]
)
def test_ipp_profiles_match_dump_markers(profile: str, dump: Path) -> None:
    levels = [int(v) for v in _dump_value(dump, "marker-levels").split(",")]
    measured = sorted(
        (s for s in get_profile(profile).supplies if s.measured),
        key=lambda s: s.station,
    )
    assert [-2 if s.level is None else s.level for s in measured] == levels


def test_counters_match_captures() -> None:
    usage = ET.parse(
        FIXTURES / "ledm/HP-Color-LaserJet-M255dw__ProductUsageDyn.xml"
    ).getroot()
    subunit = usage.find("pudyn:PrinterSubunit", NS)
    assert subunit is not None
    counters = get_profile("color-laserjet-pro-m255dw").counters
    assert counters.total_pages == int(
        subunit.findtext("dd:TotalImpressions", namespaces=NS) or 0
    )
    assert counters.monochrome_pages == int(
        subunit.findtext("dd:MonochromeImpressions", namespaces=NS) or 0
    )
    assert counters.color_pages == int(
        subunit.findtext("dd:ColorImpressions", namespaces=NS) or 0
    )
    assert counters.duplex_sheets == int(
        subunit.findtext("dd:DuplexSheets", namespaces=NS) or 0
    )
    lifetime = json.loads(
        (
            FIXTURES
            / "cdm/HP-Smart-Tank-580-590__cdm_deviceUsage_v1_lifetimeCounters.json"
        ).read_text()
    )["printUsage"]["impressions"]
    tank = get_profile("smart-tank-580").counters
    assert (tank.total_pages, tank.monochrome_pages, tank.color_pages) == (
        lifetime["total"],
        lifetime["monochrome"],
        lifetime["color"],
    )


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="officejet-pro-9022e"):
        get_profile("laserjet-9000")


def test_data_is_reproducible(tmp_path: Path) -> None:
    """Running the builder again gives exactly the committed data."""
    build(tmp_path)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(DATA_DIR) for p in DATA_DIR.rglob("*") if p.is_file()
    )
    assert built == committed
    for relative in built:
        assert (tmp_path / relative).read_bytes() == (
            DATA_DIR / relative
        ).read_bytes(), relative


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_copies_are_byte_identical(profile: str) -> None:
    meta = json.loads((DATA_DIR / profile / "capture.json").read_text())
    assert meta["format"] == 1
    assert meta["profile"] == profile
    copies = {
        k: v for k, v in meta["files"].items() if v.startswith("copy of fixtures/")
    }
    for relative, source in copies.items():
        fixture = FIXTURES / source.removeprefix("copy of fixtures/")
        assert (DATA_DIR / profile / relative).read_bytes() == fixture.read_bytes()
    # Every file the profile serves is accounted for.
    files = {
        p.relative_to(DATA_DIR / profile).as_posix()
        for p in (DATA_DIR / profile).rglob("*")
        if p.is_file() and p.name != "capture.json"
    }
    assert files == set(meta["files"])


@pytest.mark.parametrize("dump", [P57750, ENVY])
def test_dump_attributes_survive_encoding(dump: Path) -> None:
    """Every attribute line of a dump comes back with as many values."""
    message = decode_ipp(message_from_dump(dump.read_text()).encode())
    lines = list(dump_lines(dump.read_text()))
    printer_lines = [
        line
        for line in lines
        if line[0] not in ("attributes-charset", "attributes-natural-language")
    ]
    assert len(message.printer) == len(printer_lines)
    for name, syntax, raw in printer_lines:
        attribute = message.printer[name]
        if syntax.startswith("1setOf") and "{" not in raw and "dateTime" not in syntax:
            assert len(attribute.values) == raw.count(",") + 1, name


def test_dump_parser_values() -> None:
    tag = IppValueTag
    assert attribute_from_dump(
        "printer-resolution-default", "resolution", "300 dpi"
    ).value == IppResolution(300, 300, 3)
    assert attribute_from_dump(
        "copies-supported", "rangeOfInteger", "1-99"
    ).value == IppRangeOfInteger(1, 99)
    assert (
        attribute_from_dump(
            "printer-up-time", "integer", "6358 (1970-01-01T01:45:58Z)"
        ).value
        == 6358
    )
    assert (
        attribute_from_dump("printer-current-time", "no-value", "no-value").tag
        == tag.NO_VALUE
    )
    assert (
        attribute_from_dump("printer-geo-location", "unknown", "unknown").tag
        == tag.UNKNOWN
    )
    assert attribute_from_dump("printer-state", "enum", "idle").value == 3
    assert attribute_from_dump(
        "operations-supported", "1setOf enum", "Print-Job,0x4029"
    ).values == [2, 0x4029]
    assert (
        attribute_from_dump(
            "printer-info", "textWithoutLanguage", r"HP \[5B6968]"
        ).value
        == "HP [5B6968]"
    )
    assert attribute_from_dump(
        "printer-device-id", "textWithoutLanguage", "A:1,2;"
    ).values == ["A:1,2;"]
    with pytest.raises(ValueError, match="unknown syntax"):
        attribute_from_dump("x", "strange", "1")
    with pytest.raises(ValueError, match="operation"):
        attribute_from_dump("operations-supported", "1setOf enum", "Fly-Away")
    for syntax, raw in (
        ("resolution", "fine"),
        ("rangeOfInteger", "a-b"),
        ("dateTime", "today"),
        ("collection", "x"),
    ):
        with pytest.raises(ValueError, match="bad"):
            attribute_from_dump("x", syntax, raw)


def test_store_rejects_non_captures(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_store(tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        load_store(tmp_path)
