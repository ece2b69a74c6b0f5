"""Printer care parsers: trays (IPP, LEDM), firmware (CDM), uptime and boot time.

Expected values come from the captures in tests/fixtures (INDEX.md names
their sources) and, for the codes no capture shows, from the specifications
the module docstring of ``protocols/care.py`` cites.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.hp_ews.client.__main__ import main
from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.ipp import parse_printer_attributes
from custom_components.hp_ews.client.models import (
    BOOT_TOLERANCE,
    MAX_TRAYS,
    FirmwareInfo,
    Tray,
    TrayState,
)
from custom_components.hp_ews.client.protocols import care
from custom_components.hp_ews.client.protocols.care import ReadyMedium
from simulator import SimulatedPrinter
from tests.conftest import FIXTURES

IPP = FIXTURES / "ipp"
ENVY_LOG = IPP / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
PAGEWIDE_LOG = IPP / "HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt"
MEDIA_HANDLING = FIXTURES / "ledm" / "kou147258-ledm-mfp__MediaHandlingDyn.xml"
CDM = FIXTURES / "cdm"
UPDATE_CHECK = CDM / "HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_updateCheck.json"
FW_CONFIG = CDM / "HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_configuration.json"
ENVY_IPP = (
    Path(__file__).parents[2]
    / "simulator"
    / "data"
    / "envy-4520"
    / "ipp"
    / "Get-Printer-Attributes.ipp"
)
"""The ENVY 4520 log re-encoded as IPP (simulator/data/envy-4520/capture.json)."""


def _attribute(log: Path, name: str) -> str:
    """One attribute's value text, as the dump prints it."""
    match = re.search(
        rf"{re.escape(name)} \([^)]*\) = (.*)$", log.read_text(), re.MULTILINE
    )
    assert match is not None, name
    return match.group(1).strip()


def _tray_strings(log: Path) -> list[str]:
    # The values hold no commas, so the dump's separator splits them.
    return _attribute(log, "printer-input-tray").split(",")


def _ready(log: Path) -> list[ReadyMedium]:
    media = []
    for entry in re.findall(
        r"\{media-size=.*?media-type=\S+?\}", _attribute(log, "media-col-ready")
    ):
        x = re.search(r"x-dimension=(\d+)", entry)
        y = re.search(r"y-dimension=(\d+)", entry)
        source = re.search(r"media-source=([\w-]+)", entry)
        kind = re.search(r"media-type=([\w-]+)", entry)
        assert x
        assert y
        assert source
        assert kind
        media.append(
            ReadyMedium(
                source.group(1), kind.group(1), int(x.group(1)), int(y.group(1))
            )
        )
    return media


# --- IPP printer-input-tray ------------------------------------------------------------


def test_envy_4520_one_tray_with_the_ready_medium() -> None:
    strings = _tray_strings(ENVY_LOG)
    assert strings == [
        (
            "type=sheetFeedAutoNonRemovable;dimunit=micrometers;mediafeed=297000;"
            "mediaxfeed=210000;maxcapacity=-2;level=-2;status=0;name=InputTray1"
        )
    ]
    ready = _ready(ENVY_LOG)
    assert {medium.source for medium in ready} == {"main"}
    assert care.ipp_trays(strings, ready) == (
        Tray(
            key="inputtray1",
            name="InputTray1",
            kind="sheetFeedAutoNonRemovable",
            # status 0: available and idle, no alert; level -2: unknown.
            state=TrayState.OK,
            level_percent=None,
            capacity_sheets=None,
            # mediaxfeed x mediafeed = 210 x 297 mm.
            media_size="iso_a4_210x297mm",
            # One tray, one source ("main"): its ready medium's type.
            media_type="stationery",
            raw_state="status=0;level=-2",
        ),
    )


def test_pagewide_two_trays_and_no_auto() -> None:
    strings = _tray_strings(PAGEWIDE_LOG)
    assert len(strings) == 3
    assert strings[2].endswith("name=auto")
    trays = care.ipp_trays(strings, _ready(PAGEWIDE_LOG))
    assert [(t.key, t.name, t.kind) for t in trays] == [
        ("inputtray1", "InputTray1", "unRemovableBin"),
        ("inputtray2", "InputTray2", "sheetFeedAutoNonRemovable"),
    ]
    assert {t.state for t in trays} == {TrayState.OK}
    assert {t.media_size for t in trays} == {"iso_a4_210x297mm"}
    # Sources "side" and "main" name neither tray: no guess at the type.
    assert {t.media_type for t in trays} == {None}


def test_envy_4520_ipp_answer_parsed_whole() -> None:
    printer = parse_printer_attributes(
        ENVY_IPP.read_bytes(), "http://printer:631/ipp/print"
    )
    assert [tray.name for tray in printer.trays] == ["InputTray1"]
    assert printer.trays[0].media_type == "stationery"
    assert printer.info.uptime_seconds == int(
        _attribute(ENVY_LOG, "printer-up-time").split()[0]
    )
    assert printer.info.uptime_seconds == 6358


@pytest.mark.parametrize(
    "name",
    [
        "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp",
        "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp",
    ],
)
def test_laserjets_without_trays_and_with_uptime_zero(name: str) -> None:
    """These dumps list no printer-input-tray and send printer-up-time 0."""
    decoded = IPP / name.replace("_raw.ipp", "_decoded.txt")
    assert "printer-up-time (integer) = 0 " in decoded.read_text()
    printer = parse_printer_attributes(
        (IPP / name).read_bytes(), "http://p:631/ipp/print"
    )
    assert printer.trays == ()
    assert printer.info.uptime_seconds is None


@pytest.mark.parametrize(
    ("fields", "state", "percent", "capacity"),
    [
        # Printer MIB levels: -3 some remains, 0 empty, n of maxcapacity.
        ("maxcapacity=250;level=-3;status=0", TrayState.OK, None, 250),
        ("maxcapacity=250;level=0;status=0", TrayState.EMPTY, 0, 250),
        ("maxcapacity=250;level=125;status=0", TrayState.OK, 50, 250),
        ("maxcapacity=250;level=900;status=0", TrayState.OK, 100, 250),
        ("maxcapacity=-2;level=40;status=0", TrayState.OK, None, None),
        # Sub-unit status: 8 non-critical alert; odd availability unavailable;
        # 5 unknown; 16 critical alerts say no more than the level does.
        ("maxcapacity=250;level=10;status=8", TrayState.LOW, 4, 250),
        ("maxcapacity=250;level=-2;status=1", TrayState.MISSING, None, 250),
        ("maxcapacity=250;level=-2;status=3", TrayState.MISSING, None, 250),
        ("maxcapacity=250;level=-2;status=5", TrayState.UNKNOWN, None, 250),
        ("maxcapacity=250;level=0;status=16", TrayState.EMPTY, 0, 250),
        ("maxcapacity=250;level=-2", TrayState.UNKNOWN, None, 250),
        ("maxcapacity=250;level=-2;status=-1", TrayState.UNKNOWN, None, 250),
        ("maxcapacity=250;level=0;status=-1", TrayState.EMPTY, 0, 250),
    ],
)
def test_ipp_level_and_status(
    fields: str, state: TrayState, percent: int | None, capacity: int | None
) -> None:
    (tray,) = care.ipp_trays([f"type=sheetFeedAutoRemovableTray;{fields};name=tray-2;"])
    assert (tray.state, tray.level_percent, tray.capacity_sheets) == (
        state,
        percent,
        capacity,
    )
    assert tray.key == "tray_2"


def test_ipp_sizes_sources_and_names() -> None:
    ready = [
        ReadyMedium("tray-2", "stationery", 21590, 27940),
        ReadyMedium("manual", "photographic", 10000, 15000),
    ]
    trays = care.ipp_trays(
        [
            # No size of its own: the ready medium whose source names it.
            "type=sheetFeedAutoRemovableTray;mediafeed=-2;mediaxfeed=-2;status=0;name=Tray2",
            (
                "type=sheetFeedManual;dimunit=tenthousandthsofinches;mediafeed=110000;"
                "mediaxfeed=85000;status=0;name=Tray2"
            ),
            "type=other;dimunit=micrometers;mediafeed=123000;mediaxfeed=45000;status=0;name=",
            "",
        ],
        ready,
    )
    assert [(t.key, t.name, t.media_size, t.media_type) for t in trays] == [
        ("tray2", "Tray2", "na_letter_8.5x11in", "stationery"),
        ("tray2_2", "Tray2", "na_letter_8.5x11in", "stationery"),
        ("tray_3", "Tray 3", "45x123mm", None),
    ]


def test_ipp_size_in_an_unknown_unit_is_left_out() -> None:
    (tray,) = care.ipp_trays(
        ["type=other;dimunit=furlongs;mediafeed=1;mediaxfeed=1;status=0;name=x"]
    )
    assert tray.media_size is None


def test_ipp_trays_bounded() -> None:
    strings = [f"type=other;status=0;name=t{n}" for n in range(MAX_TRAYS * 10)]
    assert len(care.ipp_trays(strings)) == MAX_TRAYS


def test_media_size_names() -> None:
    assert care.media_size_name(21000, 29700) == "iso_a4_210x297mm"
    assert care.media_size_name(21050, 29650) == "iso_a4_210x297mm"
    assert care.media_size_name(10160, 15240) == "na_index-4x6_4x6in"
    assert care.media_size_name(33000, 48300) == "330x483mm"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(6358, 6358), (0, None), (-1, None), (None, None), (10**12, None)],
)
def test_uptime(value: int | None, expected: int | None) -> None:
    assert care.uptime_seconds(value) == expected


# --- boot time ------------------------------------------------------------------------


def test_boot_time_stable_across_jitter() -> None:
    read_at = datetime(2026, 12, 6, 5, 0, 0, 400_000, tzinfo=UTC)
    booted = care.boot_time(read_at, 6358, None)
    assert booted == datetime(2026, 12, 6, 3, 14, 2, tzinfo=UTC)
    # A minute later the uptime says 61 s more, give or take the latency.
    later = read_at + timedelta(seconds=60, milliseconds=900)
    assert care.boot_time(later, 6358 + 59, booted) is booted
    assert care.boot_time(later, 6358 + 62, booted) is booted
    # Within the tolerance in either direction: the same boot.
    near = booted + BOOT_TOLERANCE - timedelta(seconds=1)
    assert care.boot_time(near + timedelta(seconds=100), 100, booted) is booted


def test_boot_time_moves_on_a_restart() -> None:
    booted = datetime(2026, 12, 6, 3, 14, 2, tzinfo=UTC)
    read_at = datetime(2026, 12, 6, 5, 0, 0, tzinfo=UTC)
    assert care.boot_time(read_at, 30, booted) == datetime(
        2026, 12, 6, 4, 59, 30, tzinfo=UTC
    )
    assert care.boot_time(read_at, None, booted) is None


# --- LEDM MediaHandlingDyn ---------------------------------------------------------------


def test_ledm_media_handling_capture() -> None:
    assert care.parse_media_handling(MEDIA_HANDLING.read_bytes()) == (
        Tray(
            key="tray1",
            name="Tray1",
            kind="auto",
            state=TrayState.OK,
            media_size="iso_a4_210x297mm",
            media_type="lightWeight",
            raw_state="installed/present",
        ),
    )


def _media_handling(*trays: str) -> bytes:
    body = "".join(f"<mhdyn:InputTray>{tray}</mhdyn:InputTray>" for tray in trays)
    return (
        '<mhdyn:MediaHandlingDyn xmlns:dd="http://www.hp.com/schemas/imaging/con/'
        'dictionaries/1.0/" xmlns:mhdyn="http://www.hp.com/schemas/imaging/con/ledm/'
        f'mediahandlingdyn/2007/11/21">{body}</mhdyn:MediaHandlingDyn>'
    ).encode()


@pytest.mark.parametrize(
    ("tray_state", "media_state", "state"),
    [
        ("installed", "present", TrayState.OK),
        ("installed", "empty", TrayState.EMPTY),
        ("open", "present", TrayState.OPEN),
        ("notInstalled", None, TrayState.MISSING),
        ("installed", "somethingNew", TrayState.OK),
        (None, "low", TrayState.LOW),
        (None, None, TrayState.UNKNOWN),
    ],
)
def test_ledm_states(
    tray_state: str | None, media_state: str | None, state: TrayState
) -> None:
    parts = ["<dd:InputBin>Tray2</dd:InputBin>"]
    if tray_state:
        parts.append(f"<dd:TrayState>{tray_state}</dd:TrayState>")
    if media_state:
        parts.append(f"<mhdyn:MediaState>{media_state}</mhdyn:MediaState>")
    (tray,) = care.parse_media_handling(_media_handling("".join(parts)))
    assert tray.state is state


def test_ledm_unnamed_trays_and_bound() -> None:
    trays = care.parse_media_handling(_media_handling(*[""] * (MAX_TRAYS + 5)))
    assert len(trays) == MAX_TRAYS
    assert trays[0].name == "Tray 1"
    assert trays[0].raw_state is None
    assert len({tray.key for tray in trays}) == MAX_TRAYS


def test_ledm_other_document_refused() -> None:
    with pytest.raises(HPEWSParseError):
        care.parse_media_handling(
            (
                FIXTURES / "ledm" / "HP-ENVY-Photo-7830__ProductStatusDyn.xml"
            ).read_bytes()
        )


# --- CDM firmware --------------------------------------------------------------------------


def test_cdm_update_check_capture() -> None:
    assert care.parse_update_check(UPDATE_CHECK.read_bytes()) == FirmwareInfo(
        installed="LWP1CN2630CR", available=None
    )


def test_cdm_update_check_with_a_new_version() -> None:
    data = b'{"state":"idle","currentVersion":"A","availableVersion":"B"}'
    assert care.parse_update_check(data) == FirmwareInfo(installed="A", available="B")
    same = b'{"currentVersion":"A","availableVersion":"A"}'
    assert care.parse_update_check(same).available is None
    numbers = b'{"currentVersion":5,"availableVersion":null}'
    assert care.parse_update_check(numbers) == FirmwareInfo()


def test_cdm_configuration_capture() -> None:
    info = care.parse_firmware_configuration(FW_CONFIG.read_bytes())
    assert (info.auto_update, info.auto_update_writable) == (True, True)


@pytest.mark.parametrize(
    ("document", "auto_update", "writable"),
    [
        (
            b'{"autoUpdateEnabled":"false","autoUpdateEnabledIsEditable":"false"}',
            False,
            False,
        ),
        (
            b'{"autoUpdateEnabled":false,"autoUpdateEnabledIsEditable":true}',
            False,
            True,
        ),
        (
            b'{"autoUpdateEnabled":"maybe","autoUpdateEnabledIsEditable":"true"}',
            None,
            False,
        ),
        (b"{}", None, False),
    ],
)
def test_cdm_configuration_values(
    document: bytes, auto_update: bool | None, writable: bool
) -> None:
    info = care.parse_firmware_configuration(document)
    assert (info.auto_update, info.auto_update_writable) == (auto_update, writable)


def test_cdm_firmware_malformed() -> None:
    with pytest.raises(HPEWSParseError):
        care.parse_update_check(b"[1, 2]")


def test_configuration_body() -> None:
    assert care.firmware_configuration_body(True) == b'{"autoUpdateEnabled":"true"}'
    assert care.firmware_configuration_body(False) == b'{"autoUpdateEnabled":"false"}'


# --- snapshot --json against the simulator -------------------------------------------------


async def _snapshot_json(
    sim: SimulatedPrinter, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    # The command line runs its own event loop: in a thread, beside the simulator's.
    code = await asyncio.to_thread(
        main, ["--timeout", "5", "snapshot", sim.url, "--json"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.usefixtures("socket_enabled")
async def test_snapshot_json_trays_uptime_firmware(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with SimulatedPrinter("envy-4520") as sim:
        sim.set_state(up_seconds=6358)
        data = await _snapshot_json(sim, capsys)
    assert data["trays"] == [
        {
            "key": "inputtray1",
            "name": "InputTray1",
            "kind": "sheetFeedAutoNonRemovable",
            "state": "ok",
            "level_percent": None,
            "capacity_sheets": None,
            "media_size": "iso_a4_210x297mm",
            "media_type": "stationery",
        }
    ]
    assert 6358 <= data["info"]["uptime_seconds"] <= 6360
    booted = datetime.fromisoformat(data["info"]["booted_at"])
    assert abs(datetime.now(UTC) - timedelta(seconds=6358) - booted) < timedelta(
        seconds=30
    )
    assert data["firmware"] == {
        "installed": "CFP1FN2023BR",
        "available": None,
        "auto_update": None,
    }


@pytest.mark.usefixtures("socket_enabled")
async def test_snapshot_json_cdm_firmware(capsys: pytest.CaptureFixture[str]) -> None:
    async with SimulatedPrinter("smart-tank-580") as sim:
        sim.set_state(firmware_available="LWP1CN2701AR", auto_update=False)
        data = await _snapshot_json(sim, capsys)
    assert data["firmware"] == {
        "installed": "LWP1CN2630CR",
        "available": "LWP1CN2701AR",
        "auto_update": False,
    }


@given(
    st.lists(st.text(max_size=200), max_size=40),
    st.lists(
        st.builds(
            ReadyMedium,
            st.none() | st.text(max_size=20),
            st.none() | st.text(max_size=20),
            st.none() | st.integers(1, 10**6),
            st.none() | st.integers(1, 10**6),
        ),
        max_size=10,
    ),
)
def test_ipp_trays_take_any_text(strings: list[str], ready: list[ReadyMedium]) -> None:
    """Whatever the strings say, a bounded tuple of trays with unique keys."""
    trays = care.ipp_trays(strings, ready)
    assert len(trays) <= MAX_TRAYS
    assert len({tray.key for tray in trays}) == len(trays)
    for tray in trays:
        assert tray.level_percent is None or 0 <= tray.level_percent <= 100
        assert tray.capacity_sheets is None or tray.capacity_sheets > 0
