"""Tests for the IPP binding: requests, and real HP answers parsed into models.

Expected values are read from the fixture files (tests/fixtures/ipp) and the
IPP specifications, not from the code under test.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import HPEWSIPPError, HPEWSParseError
from custom_components.hp_ews.client.ipp import (
    attributes as ipp_attributes,
    codec as c,
    response as ipp_response,
    status as ipp_status,
)
from custom_components.hp_ews.client.ipp.codec import (
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppGroupTag,
    IppRangeOfInteger,
    IppTextWithLanguage,
    IppValueTag,
)
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_SUPPLIES,
    AlertSeverity,
    PrinterInfo,
    PrinterProtocol,
    PrinterState,
    PrinterStatus,
    Supply,
    SupplyKind,
    SupplyState,
)
from simulator.ippdump import message_from_dump
from tests.client.workcount import lines, lines_run

IPP = Path(__file__).parent.parent / "fixtures" / "ipp"
M476DN = IPP / "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp"
M175NW = IPP / "HP-LaserJet-100-colorMFP-M175nw__get-printer-attributes_raw.ipp"
M127FW = IPP / "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp"
ENVY_4520 = IPP / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
P57750 = IPP / "HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt"
URL = "http://printer.local:631/ipp/print"


# --- text dumps → IPP responses ----------------------------------------------------------


def dump_to_ipp(path: Path) -> bytes:
    """Turn an ipptool / ipp-client text dump into the IPP response it shows.

    The simulator serves these dumps too; one reader for both keeps them in step.
    """
    return message_from_dump(path.read_text(encoding="utf-8")).encode()


def test_dump_helper_reads_every_attribute_line() -> None:
    # Attribute lines counted with grep: 140 in the ENVY log, 153 + 2
    # operation attributes in the ipptool response.
    for path, count in ((ENVY_4520, 140), (P57750, 153)):
        message = c.decode_ipp(dump_to_ipp(path))
        assert len(message.printer) == count
        assert len(message.operation) == 2
        assert c.decode_ipp(message.encode()) == message
    p57750 = c.decode_ipp(dump_to_ipp(P57750)).printer
    assert p57750.value("printer-info") == "HP PageWide MFP P57750 [5B6968]"
    assert p57750.values("marker-levels") == [-2, -2, -2, 30]


# --- real printers ------------------------------------------------------------------------


def test_envy_4520() -> None:
    printer = ipp.parse_printer_attributes(
        dump_to_ipp(ENVY_4520), "http://192.168.35.29:631/ipp/print"
    )
    info = printer.info
    assert info.manufacturer == "HP"
    assert info.model == "HP ENVY 4520 series"
    assert info.uuid == "1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
    # The mDNS name "[B519A4]" and the EUI-64 address fe80::ee8e:b5ff:feb5:19a4
    # in the same log confirm the MAC in the UUID.
    assert info.mac == "ec:8e:b5:b5:19:a4"
    assert info.serial_number == "TH66S3D16K0660"
    assert info.firmware == "CFP1FN2023BR"
    assert info.product_number == "F0V63B"
    assert info.ews_url == "http://192.168.35.29/"

    status = printer.status
    # The alert list is a history ending in inPowerSave; the trayOpen in it
    # was followed by "processing" and "ready", so it is not active.
    assert status.state is PrinterState.POWER_SAVE
    assert status.in_power_save
    assert not status.has_problem
    assert not status.out_of_paper
    assert status.raw_codes == ("none",)
    assert [(a.code, a.severity, a.source) for a in status.alerts] == [
        ("inPowerSave", AlertSeverity.INFO, PrinterProtocol.IPP)
    ]

    supplies = printer.supplies
    assert [(s.key, s.color, s.kind, s.level_percent, s.state) for s in supplies] == [
        ("ink_cmy", "CMY", SupplyKind.INK, 20, SupplyState.OK),
        ("ink_k", "K", SupplyKind.INK, 40, SupplyState.OK),
    ]
    assert [s.description for s in supplies] == ["tri-color ink", "black ink"]
    assert [s.raw_kind for s in supplies] == ["ink-cartridge", "ink-cartridge"]
    assert all(s.part_number is None for s in supplies)

    caps = printer.capabilities
    assert caps.document_formats == (
        "application/vnd.hp-PCL",
        "image/jpeg",
        "application/PCLm",
        "image/urf",
        "image/pwg-raster",
        "application/octet-stream",
    )
    assert "application/pdf" not in caps.document_formats
    assert caps.can_identify
    assert "Cancel-My-Jobs" in caps.operations
    assert "Hold-Job" not in caps.operations
    assert caps.color_supported
    assert caps.sides_supported == (
        "one-sided",
        "two-sided-short-edge",
        "two-sided-long-edge",
    )
    assert caps.printer_resolutions == (300,)
    assert caps.media_supported[:2] == (
        "na_executive_7.25x10.5in",
        "na_letter_8.5x11in",
    )


def test_pagewide_p57750() -> None:
    printer = ipp.parse_printer_attributes(
        dump_to_ipp(P57750), "https://192.168.18.126:443/ipp/print"
    )
    info = printer.info
    assert info.model == "HP PageWide MFP P57750"
    assert info.uuid == "9d9b9571-3618-5edf-a53b-e8b9e16aff51"
    assert info.mac is None  # a random UUID carries no MAC
    assert info.serial_number == "CN86CHY0DX"
    assert info.firmware == "MAHDWOPP1N001.2506A.00"
    assert info.product_number == "J9V82B"
    assert info.ews_url == "http://192.168.18.126/"

    status = printer.status
    # Reasons say "none"; the supply notices live in printer-alert and are
    # routine (a used genuine and a non-HP cartridge still print).
    assert status.state is PrinterState.IDLE
    assert status.raw_codes == ("none",)
    assert not status.has_problem
    assert not status.supply_low
    assert [(a.code, a.message, a.severity) for a in status.alerts] == [
        (
            "unknown",
            "Previously Used Genuine HP Cartridge Installed",
            AlertSeverity.INFO,
        ),
        ("unknown", "Non-HP Ink Cartridge Installed", AlertSeverity.INFO),
    ]

    supplies = printer.supplies
    # Marker order is Y, M, C, K; levels -2 (unknown) for the non-HP ones.
    assert [(s.key, s.color, s.kind, s.level_percent, s.state) for s in supplies] == [
        ("ink_y", "Y", SupplyKind.INK, None, SupplyState.UNKNOWN),
        ("ink_m", "M", SupplyKind.INK, None, SupplyState.UNKNOWN),
        ("ink_c", "C", SupplyKind.INK, None, SupplyState.UNKNOWN),
        ("ink_k", "K", SupplyKind.INK, 30, SupplyState.OK),
    ]

    caps = printer.capabilities
    assert "application/pdf" in caps.document_formats
    assert caps.operations[caps.operations.index("Set-Printer-Attributes") + 1 :][
        :2
    ] == (
        "0x4029",
        "0x402a",
    )
    assert "Close-Job" in caps.operations
    assert caps.can_identify
    assert caps.printer_resolutions == (300, 600, 1200)


# The three raw captures are NORMALIZED (INDEX.md): state idle, reasons none,
# every marker level 50; uuid replaced by a placeholder.
_PLACEHOLDER_UUID = "01234567-89ab-cdef-0123-456789abcdef"


def test_color_laserjet_m476dn() -> None:
    printer = ipp.parse_printer_attributes(M476DN.read_bytes(), URL)
    assert printer.info.model == "HP Color LaserJet MFP M476dn"
    assert printer.info.uuid == _PLACEHOLDER_UUID
    assert printer.info.serial_number is None
    assert printer.info.firmware is None
    assert printer.info.product_number is None  # DES is a name on this model
    # printer-more-info points at the printer (123.45.67.89 is its own address
    # in printer-uri-supported); the EWS is reached through our host.
    assert printer.info.ews_url == "http://printer.local/"
    assert printer.status.state is PrinterState.IDLE
    assert not printer.status.has_problem
    assert printer.status.alerts == ()
    assert [
        (s.key, s.color, s.kind, s.level_percent, s.state, s.part_number)
        for s in printer.supplies
    ] == [
        ("toner_c", "C", SupplyKind.TONER, 50, SupplyState.OK, "CF381A"),
        ("toner_m", "M", SupplyKind.TONER, 50, SupplyState.OK, "CF383A"),
        ("toner_y", "Y", SupplyKind.TONER, 50, SupplyState.OK, "CF382A"),
        ("toner_k", "K", SupplyKind.TONER, 50, SupplyState.OK, "CF380X"),
    ]
    assert printer.supplies[3].description == "Black Cartridge HP CF380X"
    caps = printer.capabilities
    assert caps.can_identify
    assert caps.color_supported
    assert "application/pdf" in caps.document_formats
    assert caps.sides_supported == (
        "one-sided",
        "two-sided-short-edge",
        "two-sided-long-edge",
    )
    assert caps.printer_resolutions == (600,)


def test_laserjet_m175nw_with_drum() -> None:
    printer = ipp.parse_printer_attributes(M175NW.read_bytes(), URL)
    assert printer.info.model == "HP LaserJet 100 colorMFP M175nw"
    # printer-more-info is http://www.hp.com on this model: not the EWS.
    assert printer.info.ews_url is None
    assert [(s.key, s.color, s.kind, s.part_number) for s in printer.supplies] == [
        ("toner_c", "C", SupplyKind.TONER, "CE311A"),
        ("toner_m", "M", SupplyKind.TONER, "CE313A"),
        ("toner_y", "Y", SupplyKind.TONER, "CE312A"),
        ("toner_k", "K", SupplyKind.TONER, "CE310A"),
        ("drum", "", SupplyKind.DRUM, "CE314A"),
    ]
    assert printer.supplies[4].raw_kind == "opc"
    assert not printer.capabilities.can_identify
    assert printer.capabilities.sides_supported == ("one-sided",)


def test_laserjet_pro_m127fw_single_valued_markers() -> None:
    printer = ipp.parse_printer_attributes(M127FW.read_bytes(), URL)
    assert printer.info.model == "HP LaserJet Pro MFP M127fw"
    assert printer.info.firmware == "20141113"  # FWVER in printer-device-id
    assert [
        (s.key, s.color, s.kind, s.level_percent, s.part_number)
        for s in printer.supplies
    ] == [("toner_k", "K", SupplyKind.TONER, 50, "CF283A")]
    caps = printer.capabilities
    assert not caps.color_supported
    assert caps.document_formats == (
        "image/urf",
        "application/PCLm",
        "application/octet-stream",
        "image/jpeg",
    )
    assert not caps.can_identify


# --- status mapping on constructed answers --------------------------------------------------


def _answer(*attributes: IppAttribute, status: int = 0) -> bytes:
    message = c.new_ipp_response(status, 1)
    message.groups.append(IppAttributeGroup(IppGroupTag.PRINTER, attributes))
    return message.encode()


def _status(
    state: int = 3, reasons: tuple[str, ...] = ("none",), *extra: IppAttribute
) -> PrinterStatus:
    data = _answer(
        IppAttribute("printer-state", IppValueTag.ENUM, state),
        IppAttribute("printer-state-reasons", IppValueTag.KEYWORD, *reasons),
        *extra,
    )
    return ipp.parse_printer_attributes(data, URL).status


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (3, PrinterState.IDLE),
        (4, PrinterState.PRINTING),
        (5, PrinterState.STOPPED),
        (9, PrinterState.UNKNOWN),
    ],
)
def test_printer_state(state: int, expected: PrinterState) -> None:
    assert _status(state).state is expected


@pytest.mark.parametrize(
    ("reason", "flag", "severity"),
    [
        ("media-jam-error", "paper_jam", AlertSeverity.ERROR),
        ("media-jam", "paper_jam", AlertSeverity.ERROR),  # no suffix = error
        ("door-open-error", "door_open", AlertSeverity.ERROR),
        ("cover-open-warning", "door_open", AlertSeverity.WARNING),
        ("interlock-open-error", "door_open", AlertSeverity.ERROR),
        ("media-empty-warning", "out_of_paper", AlertSeverity.WARNING),
        ("media-needed-error", "out_of_paper", AlertSeverity.ERROR),
        ("input-tray-missing-error", "out_of_paper", AlertSeverity.ERROR),
        ("output-area-full-error", "output_full", AlertSeverity.ERROR),
        ("output-tray-missing-error", "output_full", AlertSeverity.ERROR),
        ("marker-supply-missing-error", "supply_missing", AlertSeverity.ERROR),
        ("toner-low-warning", "supply_low", AlertSeverity.WARNING),
        ("marker-supply-low-warning", "supply_low", AlertSeverity.WARNING),
        ("toner-empty-error", "supply_low", AlertSeverity.ERROR),
        ("marker-supply-empty-error", "supply_low", AlertSeverity.ERROR),
    ],
)
def test_reasons_raise_flags(reason: str, flag: str, severity: AlertSeverity) -> None:
    status = _status(3, (reason,))
    raised = [name for name in ipp_flags() if getattr(status, name)]
    assert raised == [flag]
    assert status.raw_codes == (reason,)
    assert [(a.code, a.severity) for a in status.alerts] == [(reason, severity)]
    # The printer's own state is kept: HP stays "idle" with a -warning reason.
    assert status.state is PrinterState.IDLE


def ipp_flags() -> tuple[str, ...]:
    return (
        "paper_jam",
        "door_open",
        "out_of_paper",
        "output_full",
        "supply_missing",
        "supply_low",
    )


def test_report_and_unknown_reasons_are_kept_raw() -> None:
    status = _status(3, ("media-low-report", "spool-area-full", "shutdown"))
    assert not any(getattr(status, name) for name in ipp_flags())
    assert status.raw_codes == ("media-low-report", "spool-area-full", "shutdown")
    assert [(a.code, a.severity) for a in status.alerts] == [
        ("media-low-report", AlertSeverity.INFO),
        ("spool-area-full", AlertSeverity.ERROR),
        ("shutdown", AlertSeverity.ERROR),
    ]
    assert status.state is PrinterState.IDLE


def test_reasons_refine_the_state() -> None:
    assert _status(3, ("sleep",)).state is PrinterState.POWER_SAVE
    assert _status(3, ("power-save-report",)).state is PrinterState.POWER_SAVE
    assert _status(3, ("sleep",)).alerts[0].severity is AlertSeverity.INFO
    assert _status(3, ("paused",)).state is PrinterState.STOPPED
    assert _status(4, ("moving-to-paused",)).state is PrinterState.STOPPED
    assert _status(4, ("moving-to-paused", "sleep")).state is PrinterState.STOPPED
    # Power save only refines "idle": a printing printer is awake.
    assert _status(4, ("sleep",)).state is PrinterState.PRINTING
    assert _status(3, ("warming-up",)).state is PrinterState.WARMING_UP


def _alerts(
    alerts: list[str], descriptions: list[str] | None = None
) -> list[IppAttribute]:
    extra = [
        IppAttribute(
            "printer-alert", IppValueTag.OCTET_STRING, *[a.encode() for a in alerts]
        )
    ]
    if descriptions is not None:
        extra.append(
            IppAttribute("printer-alert-description", IppValueTag.TEXT, *descriptions)
        )
    return extra


@pytest.mark.parametrize(
    ("alert", "description", "flag"),
    [
        ("code=coverOpen;severity=critical;group=cover", "", "door_open"),
        ("code=doorOpen;severity=critical;group=cover", "", "door_open"),
        ("code=jam;severity=critical;group=mediaPath", "", "paper_jam"),
        (
            "code=inputMediaSupplyEmpty;severity=critical;group=input",
            "",
            "out_of_paper",
        ),
        ("code=outputMediaTrayFull;severity=warning;group=output", "", "output_full"),
        ("code=markerTonerCartridgeMissing;severity=critical", "", "supply_missing"),
        (
            "code=markerInkAlmostEmpty;severity=warning;group=markerSupplies",
            "",
            "supply_low",
        ),
        # HP status codes and free text when the code is unknown.
        (
            "code=unknown;severity=critical;group=other",
            "cartridgeMissing",
            "supply_missing",
        ),
        ("code=unknown;severity=other;group=other", "Paper Jam in Tray 2", "paper_jam"),
        ("code=unknown;severity=other;group=other", "Front Door Open", "door_open"),
        (
            "code=unknown;severity=other;group=other",
            "Load Paper in Tray 1",
            "out_of_paper",
        ),
        ("code=unknown;severity=other;group=other", "Output Bin Full", "output_full"),
        (
            "code=unknown;severity=other;group=other",
            "Black Cartridge Missing",
            "supply_missing",
        ),
        (
            "code=unknown;severity=other;group=other",
            "Cyan Cartridge Very Low",
            "supply_low",
        ),
    ],
)
def test_active_alerts_raise_flags(alert: str, description: str, flag: str) -> None:
    status = _status(3, ("none",), *_alerts([alert], [description]))
    assert [name for name in ipp_flags() if getattr(status, name)] == [flag]
    assert status.alerts[0].severity in (AlertSeverity.ERROR, AlertSeverity.WARNING)
    assert status.alerts[0].source is PrinterProtocol.IPP


@pytest.mark.parametrize(
    ("alert", "description"),
    [
        ("code=printerReadyToPrint;severity=other;group=generalPrinter", ""),
        ("code=unknown;severity=other;group=other", "genuineHP"),
        ("code=unknown;severity=other;group=other", "Genuine HP Cartridge Installed"),
        ("code=unknown;severity=other;group=other", "Non-HP Ink Cartridge Installed"),
        ("code=doorClosed;severity=other;group=cover", ""),
        ("code=unknown;severity=other;group=other", "supplyInkLevelChange"),
        ("code=unknown;severity=other;group=other", "Something happened"),
    ],
)
def test_routine_alerts_raise_nothing(alert: str, description: str) -> None:
    status = _status(3, ("none",), *_alerts([alert], [description]))
    assert not any(getattr(status, name) for name in ipp_flags())
    assert status.alerts[0].severity is AlertSeverity.INFO
    assert status.state is PrinterState.IDLE


def test_alert_history_keeps_only_the_newest_entry() -> None:
    history = _alerts(
        ["code=printerReadyToPrint;severity=other", "code=unknown;severity=critical"],
        ["ready", "trayOpen"],
    )
    status = _status(3, ("none",), *history)
    assert status.out_of_paper  # the newest entry is still active
    assert [a.code for a in status.alerts] == ["trayOpen"]
    assert status.alerts[0].severity is AlertSeverity.ERROR


def test_alerts_without_descriptions_and_power_saver() -> None:
    status = _status(3, ("none",), *_alerts(["code=subunitPowerSaver;severity=other"]))
    assert status.state is PrinterState.POWER_SAVE
    assert status.alerts[0].message is None
    # Descriptions without printer-alert entries are still alerts.
    status = _status(
        3, ("none",), IppAttribute("printer-alert-description", IppValueTag.TEXT, "x y")
    )
    assert [(a.code, a.message) for a in status.alerts] == [("unknown", "x y")]
    warning = _status(3, ("none",), *_alerts(["code=somethingNew;severity=warning"]))
    assert warning.alerts[0].severity is AlertSeverity.WARNING


def test_state_message_and_odd_values() -> None:
    status = _status(
        3,
        ("none", ""),
        IppAttribute(
            "printer-state-message",
            IppValueTag.TEXT_WITH_LANGUAGE,
            IppTextWithLanguage(" Ready ", "en"),
        ),
    )
    assert status.message == "Ready"
    assert status.raw_codes == ("none",)
    # A printer-state of the wrong type reads as unknown, not as a crash.
    data = _answer(IppAttribute("printer-state", IppValueTag.KEYWORD, "idle"))
    assert ipp.parse_printer_attributes(data, URL).status.state is PrinterState.UNKNOWN


# --- supplies on constructed answers --------------------------------------------------------


def _supplies(*attributes: IppAttribute) -> tuple[Supply, ...]:
    return ipp.parse_printer_attributes(_answer(*attributes), URL).supplies


def _markers(**values: list[object]) -> list[IppAttribute]:
    tags = {
        "names": IppValueTag.NAME,
        "colors": IppValueTag.NAME,
        "types": IppValueTag.KEYWORD,
        "levels": IppValueTag.INTEGER,
        "low_levels": IppValueTag.INTEGER,
        "high_levels": IppValueTag.INTEGER,
    }
    return [
        IppAttribute(f"marker-{key.replace('_', '-')}", tags[key], *items)  # type: ignore[arg-type]
        for key, items in values.items()
    ]


def test_levels_and_states() -> None:
    supplies = _supplies(
        *_markers(
            names=["a", "b", "c", "d", "e", "f"],
            colors=["#000000"] * 6,
            types=["toner"] * 6,
            levels=[0, 3, 4, -1, -3, 250],
            low_levels=[3, 3, 3, 3, 3, 10],
            high_levels=[100, 100, 100, 100, 100, 500],
        )
    )
    assert [(s.level_percent, s.state) for s in supplies] == [
        (0, SupplyState.EMPTY),
        (3, SupplyState.LOW),  # level <= marker-low-levels
        (4, SupplyState.OK),
        (None, SupplyState.UNKNOWN),
        (None, SupplyState.UNKNOWN),
        (50, SupplyState.OK),  # 250 of a high level of 500
    ]
    # Six black toners: keys stay unique and stable.
    assert len({s.key for s in supplies}) == 6
    assert supplies[0].key.startswith("toner_k")


def test_printer_supply_alone_is_enough() -> None:
    # CUPS ippeveprinter reports supplies only as printer-supply.
    supplies = _supplies(
        IppAttribute(
            "printer-supply",
            IppValueTag.OCTET_STRING,
            b"index=1;class=receptacleThatIsFilled;type=wasteInk;unit=percent;maxcapacity=100;level=25;colorantname=unknown;",
            b"index=2;class=supplyThatIsConsumed;type=ink;unit=percent;maxcapacity=100;level=75;colorantname=cyan;",
            b"type=inkTank;maxcapacity=200;level=50;colorantname=photo-black;",
            b"type=tonerCartridge;level=x;colorantname=black;",
        ),
        IppAttribute(
            "printer-supply-description", IppValueTag.TEXT, "Waste Ink Tank", "Cyan Ink"
        ),
    )
    assert [
        (s.key, s.color, s.kind, s.level_percent, s.description) for s in supplies
    ] == [
        ("other", "", SupplyKind.OTHER, 25, "Waste Ink Tank"),
        ("ink_c", "C", SupplyKind.INK, 75, "Cyan Ink"),
        ("ink_tank_pk", "pK", SupplyKind.INK_TANK, 25, None),
        ("toner_k", "K", SupplyKind.TONER, None, None),
    ]


def test_colours_from_names_and_kinds_from_names() -> None:
    supplies = _supplies(
        *_markers(
            names=[
                "Tri-color Printhead",
                "Magenta",
                "Gray ink",
                "Photo Black ink",
                "Yellow",
            ],
            colors=["#123456", "none", "#808080", "", "#FFFF00"],
            types=["ink-cartridge", "ink", "ink", "ink-cartridge", "staples"],
            levels=[10, 20, 30, 40, 50],
        )
    )
    assert [(s.color, s.kind) for s in supplies] == [
        ("CMY", SupplyKind.PRINTHEAD),
        ("M", SupplyKind.INK),
        ("", SupplyKind.INK),
        ("pK", SupplyKind.INK),
        ("Y", SupplyKind.OTHER),
    ]
    # Without any marker-types the kind is unknown.
    assert _supplies(*_markers(names=["x"], levels=[5]))[0].kind is SupplyKind.OTHER


def test_cmyk_in_one_marker_colour() -> None:
    supplies = _supplies(
        *_markers(names=["Printhead"], colors=["#000000#00FFFF#FF00FF#FFFF00"])
    )
    assert supplies[0].color == "CMYK"
    assert supplies[0].key == "printhead_cmyk"
    assert supplies[0].state is SupplyState.UNKNOWN


def test_no_supplies() -> None:
    assert _supplies(IppAttribute("printer-state", IppValueTag.ENUM, 3)) == ()


# --- identity on constructed answers ----------------------------------------------------------


def _info(*attributes: IppAttribute, uri: str = URL) -> PrinterInfo:
    return ipp.parse_printer_attributes(_answer(*attributes), uri).info


def test_laserjet_pro_uuid_gives_mac() -> None:
    # mDNS capture of a Color LaserJet Pro M254dw: UUID "VNC0000000" + MAC,
    # instance name "(E4F500)".
    info = _info(
        IppAttribute(
            "printer-uuid",
            IppValueTag.URI,
            "urn:uuid:564E4330-3030-3030-3030-A0B1C2E4F500",
        )
    )
    assert info.uuid == "564e4330-3030-3030-3030-a0b1c2e4f500"
    assert info.mac == "a0:b1:c2:e4:f5:00"
    assert ipp.mac_from_uuid("1c852a4d-b800-1f08-abcd-000000000000") is None
    assert ipp.mac_from_uuid(None) is None


def test_identity_fallbacks() -> None:
    info = _info(
        IppAttribute(
            "printer-device-id",
            IppValueTag.TEXT,
            "MFG:HP;MDL:OfficeJet Pro 9020 series;DES:1MR66B;SN:;",
        ),
        IppAttribute(
            "printer-firmware-version", IppValueTag.OCTET_STRING, b"TESTFW.2301"
        ),
        IppAttribute("printer-uuid", IppValueTag.URI, "not-a-uuid"),
        IppAttribute(
            "printer-more-info", IppValueTag.URI, "https://[fe80::1]:8443/info"
        ),
        uri="http://[fe80::1]:631/ipp/print",
    )
    assert info.model == "HP OfficeJet Pro 9020 series"
    assert info.product_number == "1MR66B"
    assert info.serial_number is None
    assert info.firmware == "TESTFW.2301"
    assert info.uuid is None
    assert info.ews_url == "https://[fe80::1]:8443/"
    assert (
        _info(
            IppAttribute("printer-more-info", IppValueTag.URI, "http://x:notaport/")
        ).ews_url
        is None
    )
    assert (
        _info(
            IppAttribute("printer-more-info", IppValueTag.URI, "ftp://printer.local/")
        ).ews_url
        is None
    )
    assert (
        _info(IppAttribute("printer-make-and-model", IppValueTag.TEXT, "  ")).model
        is None
    )


def test_device_id_parsing() -> None:
    assert ipp.device_id("MFG:HP;mdl: X ;junk;SN:1;SN:2") == {
        "MFG": "HP",
        "MDL": "X",
        "SN": "1",
    }
    assert ipp.device_id(None) == {}


# --- errors -------------------------------------------------------------------------------------


def test_ipp_error_status() -> None:
    message = c.new_ipp_response(
        c.IppStatusCode.CLIENT_ERROR_NOT_AUTHORIZED,
        1,
        status_message="Authorization required",
    )
    with pytest.raises(
        HPEWSIPPError, match="client-error-not-authorized: Authorization"
    ) as err:
        ipp.parse_printer_attributes(message.encode(), URL)
    assert err.value.status_code == 0x0403
    with pytest.raises(HPEWSIPPError, match="server-error-busy") as err:
        ipp.check_response(
            c.new_ipp_response(c.IppStatusCode.SERVER_ERROR_BUSY, 1).encode()
        )
    assert err.value.status_code == 0x0507
    ipp.check_response(c.new_ipp_response(c.IppStatusCode.SUCCESSFUL_OK, 1).encode())


@pytest.mark.parametrize(
    "data",
    [b"", b"<html>Not an IPP printer</html>", M476DN.read_bytes()[:500]],
)
def test_garbage_raises_parse_error(data: bytes) -> None:
    with pytest.raises(HPEWSParseError):
        ipp.parse_printer_attributes(data, URL)
    with pytest.raises(HPEWSParseError):
        ipp.check_response(data)


def test_answer_without_printer_attributes() -> None:
    with pytest.raises(HPEWSParseError, match="without printer attributes"):
        ipp.parse_printer_attributes(c.new_ipp_response(0, 1).encode(), URL)


def test_undecodable_text_becomes_valid_text() -> None:
    data = _answer(
        IppAttribute("printer-make-and-model", IppValueTag.TEXT, "HP Caf\udce9"),
        IppAttribute("marker-names", IppValueTag.NAME, "Black \udcff"),
    )
    printer = ipp.parse_printer_attributes(data, URL)
    assert printer.info.model == "HP Caf?"
    assert printer.supplies[0].description == "Black ?"


# --- requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://192.168.1.5:631/ipp/print", "ipp://192.168.1.5:631/ipp/print"),
        ("https://printer.local/ipp/print", "ipps://printer.local:443/ipp/print"),
        ("http://printer.local/ipp/printer", "ipp://printer.local:80/ipp/printer"),
        ("http://[fe80::1]:631/ipp/print", "ipp://[fe80::1]:631/ipp/print"),
        ("HTTP://printer.local:8631", "ipp://printer.local:8631/"),
        ("ipps://printer.local/ipp/print", "ipps://printer.local/ipp/print"),
    ],
)
def test_printer_uri_for(url: str, expected: str) -> None:
    assert ipp.printer_uri_for(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://printer.local/", "printer.local", "http:///ipp"]
)
def test_printer_uri_for_rejects_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        ipp.printer_uri_for(url)


def test_get_printer_attributes_request() -> None:
    message = c.decode_ipp(
        ipp.get_printer_attributes_request("ipp://h:631/ipp/print", 42)
    )
    assert message.version == (2, 0)
    assert message.operation_id == 0x000B
    assert message.request_id == 42
    assert [(a.name, a.tag, a.values) for a in message.operation] == [
        ("attributes-charset", IppValueTag.CHARSET, ["utf-8"]),
        ("attributes-natural-language", IppValueTag.NATURAL_LANGUAGE, ["en"]),
        ("printer-uri", IppValueTag.URI, ["ipp://h:631/ipp/print"]),
        ("requesting-user-name", IppValueTag.NAME, ["hp_ews"]),
        ("requested-attributes", IppValueTag.KEYWORD, ["all"]),
    ]
    small = c.decode_ipp(
        ipp.get_printer_attributes_request("ipp://h/", requested=ipp.STATUS_ATTRIBUTES)
    )
    assert small.operation.values("requested-attributes") == list(ipp.STATUS_ATTRIBUTES)
    assert small.request_id == 1


def test_identify_printer_request() -> None:
    message = c.decode_ipp(ipp.identify_printer_request("ipp://h:631/ipp/print", 7))
    assert message.operation_id == 0x003C
    assert message.request_id == 7
    assert "identify-actions" not in message.operation
    assert message.operation.value("printer-uri") == "ipp://h:631/ipp/print"
    sound = c.decode_ipp(
        ipp.identify_printer_request("ipp://h/", actions=("display", "sound"))
    )
    assert sound.operation.values("identify-actions") == ["display", "sound"]


# --- printing ---------------------------------------------------------------------------------

PRINTER_URI = "ipp://printer.local:631/ipp/print"
HP_GET_JOB = (
    IPP
    / "HP-LaserJet-100-colorMFP-M175nw__Get-Job-Attributes_invalid-nameWithLanguage.ipp"
)


def _ops(message: c.IppMessage) -> list[tuple[str, int, list[c.IppValue]]]:
    return [(a.name, a.tag, a.values) for a in message.operation]


_STANDARD = [
    ("attributes-charset", IppValueTag.CHARSET, ["utf-8"]),
    ("attributes-natural-language", IppValueTag.NATURAL_LANGUAGE, ["en"]),
    ("printer-uri", IppValueTag.URI, [PRINTER_URI]),
]


def test_print_job_header_streams_the_document_after_it() -> None:
    header = ipp.print_job_request_header(
        PRINTER_URI,
        document_format="application/pdf",
        job_name="Agenda",
        requesting_user_name="Home Assistant",
        copies=2,
        sides="two-sided-long-edge",
        print_color_mode="monochrome",
        media="iso_a4_210x297mm",
        orientation="landscape",
        page_ranges="1-3, 5",
        print_quality="high",
        request_id=12,
    )
    assert header.endswith(b"\x03")
    document = b"%PDF-1.7\n..."
    message, offset = c.decode_ipp_header(header + document)
    assert offset == len(header)
    assert c.decode_ipp(header + document).data == document
    assert message.operation_id == 0x0002  # RFC 8011 §5.4.15: Print-Job
    assert message.request_id == 12
    assert _ops(message) == [
        *_STANDARD,
        ("requesting-user-name", IppValueTag.NAME, ["Home Assistant"]),
        ("job-name", IppValueTag.NAME, ["Agenda"]),
        ("document-format", IppValueTag.MIME_MEDIA_TYPE, ["application/pdf"]),
    ]
    assert [g.tag for g in message.groups] == [IppGroupTag.OPERATION, IppGroupTag.JOB]
    assert [(a.name, a.tag, a.values) for a in message.job] == [
        ("copies", IppValueTag.INTEGER, [2]),
        ("sides", IppValueTag.KEYWORD, ["two-sided-long-edge"]),
        ("print-color-mode", IppValueTag.KEYWORD, ["monochrome"]),
        ("media", IppValueTag.KEYWORD, ["iso_a4_210x297mm"]),
        ("orientation-requested", IppValueTag.ENUM, [4]),
        (
            "page-ranges",
            IppValueTag.RANGE_OF_INTEGER,
            [IppRangeOfInteger(1, 3), IppRangeOfInteger(5, 5)],
        ),
        ("print-quality", IppValueTag.ENUM, [5]),
    ]


def test_minimal_print_job_has_no_job_group() -> None:
    header = ipp.print_job_request_header(
        PRINTER_URI,
        document_format="image/pwg-raster",
        job_name="x" * 300,
        requesting_user_name="ü" * 200,
    )
    message = c.decode_ipp(header)
    assert [g.tag for g in message.groups] == [IppGroupTag.OPERATION]
    # Names are capped at 255 octets (RFC 8011 §5.1.3) on a character boundary.
    assert message.operation.value("job-name") == "x" * 255
    assert message.operation.value("requesting-user-name") == "ü" * 127


def test_validate_and_create_job() -> None:
    validate = c.decode_ipp(
        ipp.validate_job_request(
            PRINTER_URI,
            document_format="image/urf",
            job_name="j",
            requesting_user_name="u",
            orientation=3,
            print_quality=4,
            page_ranges=[(2, 2), (4, 9)],
        )
    )
    assert validate.operation_id == 0x0004
    assert validate.operation.value("document-format") == "image/urf"
    assert validate.job.values("orientation-requested") == [3]
    assert validate.job.values("print-quality") == [4]
    assert validate.job.values("page-ranges") == [
        IppRangeOfInteger(2, 2),
        IppRangeOfInteger(4, 9),
    ]

    create = c.decode_ipp(
        ipp.create_job_request(
            PRINTER_URI, job_name="j", requesting_user_name="u", copies=1, request_id=3
        )
    )
    assert create.operation_id == 0x0005
    assert create.request_id == 3
    assert "document-format" not in create.operation
    assert create.job.values("copies") == [1]


def test_send_document_header() -> None:
    header = ipp.send_document_request_header(
        PRINTER_URI,
        42,
        document_format="image/pwg-raster",
        requesting_user_name="u",
        document_name="page.pwg",
        request_id=5,
    )
    message = c.decode_ipp(header + b"RaS2")
    assert message.operation_id == 0x0006
    assert message.data == b"RaS2"
    assert _ops(message) == [
        *_STANDARD,
        ("requesting-user-name", IppValueTag.NAME, ["u"]),
        ("job-id", IppValueTag.INTEGER, [42]),
        ("document-name", IppValueTag.NAME, ["page.pwg"]),
        ("document-format", IppValueTag.MIME_MEDIA_TYPE, ["image/pwg-raster"]),
        ("last-document", IppValueTag.BOOLEAN, [True]),
    ]
    more = c.decode_ipp(
        ipp.send_document_request_header(
            PRINTER_URI,
            42,
            document_format="x/y",
            requesting_user_name="u",
            last_document=False,
        )
    )
    assert more.operation.value("last-document") is False
    assert "document-name" not in more.operation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"copies": 0}, "copies"),
        ({"orientation": "sideways"}, "orientation"),
        ({"orientation": 9}, "orientation"),
        ({"print_quality": "best"}, "print quality"),
        ({"page_ranges": "3-1"}, "page range"),
        ({"page_ranges": "a-b"}, "page range"),
        ({"page_ranges": "0-2"}, "page range"),
        ({"page_ranges": "2-4,3-5"}, "page range"),
        ({"page_ranges": []}, "empty"),
    ],
)
def test_print_options_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ipp.print_job_request_header(
            PRINTER_URI,
            document_format="application/pdf",
            job_name="j",
            requesting_user_name="u",
            **kwargs,  # type: ignore[arg-type]
        )


def test_job_requests() -> None:
    get = c.decode_ipp(ipp.get_job_attributes_request(PRINTER_URI, 993, 8))
    assert get.operation_id == 0x0009
    assert get.request_id == 8
    assert get.operation.value("job-id") == 993
    assert get.operation.values("requested-attributes") == list(ipp.JOB_ATTRIBUTES)
    assert "job-impressions-completed" in ipp.JOB_ATTRIBUTES
    custom = c.decode_ipp(
        ipp.get_job_attributes_request(PRINTER_URI, 1, requested=["job-state"])
    )
    assert custom.operation.values("requested-attributes") == ["job-state"]

    cancel = c.decode_ipp(ipp.cancel_job_request(PRINTER_URI, 993))
    assert cancel.operation_id == 0x0008
    assert _ops(cancel) == [
        *_STANDARD,
        ("requesting-user-name", IppValueTag.NAME, ["hp_ews"]),
        ("job-id", IppValueTag.INTEGER, [993]),
    ]


def test_parse_job_attributes_on_the_hp_capture() -> None:
    job = ipp.parse_job_attributes(HP_GET_JOB.read_bytes())
    assert job == ipp.IppJob(
        job_id=993,
        state=ipp.JobState.CANCELED,
        state_reasons=("none",),
        name="A4-blank.pdf",
        impressions_completed=0,
        uri="ipp://ColorJet.local/ipp/printer/0993",
    )
    assert job.state.terminal


def _job_response(*groups: list[IppAttribute], status: int = 0) -> bytes:
    message = c.new_ipp_response(status, 1)
    message.groups.extend(IppAttributeGroup(IppGroupTag.JOB, attrs) for attrs in groups)
    return message.encode()


@pytest.mark.parametrize(
    ("value", "state", "terminal"),
    [
        (3, ipp.JobState.PENDING, False),
        (4, ipp.JobState.PENDING_HELD, False),
        (5, ipp.JobState.PROCESSING, False),
        (6, ipp.JobState.PROCESSING_STOPPED, False),
        (7, ipp.JobState.CANCELED, True),
        (8, ipp.JobState.ABORTED, True),
        (9, ipp.JobState.COMPLETED, True),
        (42, ipp.JobState.UNKNOWN, False),
    ],
)
def test_job_states(value: int, state: ipp.JobState, terminal: bool) -> None:
    data = _job_response(
        [
            IppAttribute("job-id", IppValueTag.INTEGER, 7),
            IppAttribute("job-state", IppValueTag.ENUM, value),
            IppAttribute(
                "job-state-reasons",
                IppValueTag.KEYWORD,
                "job-printing",
                "job-completed-successfully",
            ),
            IppAttribute("job-state-message", IppValueTag.TEXT, "Printing page 2"),
            IppAttribute("job-impressions-completed", IppValueTag.INTEGER, 2),
        ]
    )
    job = ipp.parse_job_attributes(data)
    assert job.state is state
    assert job.state.terminal is terminal
    assert job.state_reasons == ("job-printing", "job-completed-successfully")
    assert job.message == "Printing page 2"
    assert job.impressions_completed == 2
    assert job.name is None


def test_job_states_are_the_rfc_keywords() -> None:
    # RFC 8011 §5.3.7 job-state keywords, as Home Assistant events report them.
    assert [state.value for state in ipp.JobState] == [
        "pending",
        "pending-held",
        "processing",
        "processing-stopped",
        "canceled",
        "aborted",
        "completed",
        "unknown",
    ]
    assert ipp.JobState.from_enum(4) is ipp.JobState.PENDING_HELD
    assert ipp.JobState.from_enum(True) is ipp.JobState.UNKNOWN
    assert ipp.JobState.from_enum(None) is ipp.JobState.UNKNOWN


def test_job_of_falls_back_to_the_job_asked_about() -> None:
    # A Send-Document answer with job attributes but no job-id.
    message = c.decode_ipp(
        _job_response(
            [
                IppAttribute("job-state", IppValueTag.ENUM, 5),
                IppAttribute("job-state-reasons", IppValueTag.KEYWORD, "job-printing"),
            ]
        )
    )
    job = ipp.job_of(message, 12)
    assert (job.job_id, job.state, job.state_reasons) == (
        12,
        ipp.JobState.PROCESSING,
        ("job-printing",),
    )
    # No job group at all: the id alone, state unknown.
    bare = ipp.job_of(c.decode_ipp(_job_response()), 12)
    assert (bare.job_id, bare.state) == (12, ipp.JobState.UNKNOWN)
    with pytest.raises(HPEWSParseError, match="job-id"):
        ipp.job_of(message)


def test_job_requests_ask_for_attribute_fidelity_only_when_told() -> None:
    relaxed = c.decode_ipp(
        ipp.print_job_request_header(
            PRINTER_URI,
            document_format="image/urf",
            job_name="j",
            requesting_user_name="u",
            attribute_fidelity=False,
        )
    )
    assert relaxed.operation.value("ipp-attribute-fidelity") is False
    for request in (
        ipp.validate_job_request(
            PRINTER_URI, document_format="x/y", job_name="j", requesting_user_name="u"
        ),
        ipp.create_job_request(PRINTER_URI, job_name="j", requesting_user_name="u"),
    ):
        assert "ipp-attribute-fidelity" not in c.decode_ipp(request).operation
    strict = ipp.create_job_request(
        PRINTER_URI, job_name="j", requesting_user_name="u", attribute_fidelity=True
    )
    assert c.decode_ipp(strict).operation.value("ipp-attribute-fidelity") is True


def test_job_answer_errors() -> None:
    # A Print-Job answer without job attributes is broken.
    with pytest.raises(HPEWSParseError, match="job-id"):
        ipp.parse_job_attributes(
            _job_response([IppAttribute("job-state", IppValueTag.ENUM, 3)])
        )
    with pytest.raises(
        HPEWSIPPError, match="client-error-document-format-not-supported"
    ) as err:
        ipp.parse_job_attributes(_job_response(status=0x040A))
    assert err.value.status_code == 0x040A


# --- hostile answers ----------------------------------------------------------------------
#
# Only the attributes the parser reads are decoded, each up to the values it
# uses; the rest is stepped over by the codec. Work is counted in lines of
# library code run (tests/client/workcount.py), not in seconds.


def _many_markers(count: int) -> tuple[IppAttribute, ...]:
    return (
        IppAttribute(
            "marker-names", IppValueTag.NAME, *(f"Black {n}" for n in range(count))
        ),
        IppAttribute("marker-colors", IppValueTag.NAME, *(["#000000"] * count)),
        IppAttribute("marker-types", IppValueTag.KEYWORD, *(["toner"] * count)),
        IppAttribute(
            "marker-levels", IppValueTag.INTEGER, *(n % 100 for n in range(count))
        ),
    )


def _unused(count: int) -> tuple[IppAttribute, ...]:
    return (IppAttribute("x-unused", IppValueTag.KEYWORD, *(["k"] * count)),)


def test_markers_stop_at_the_cap_and_the_rest_costs_what_unused_values_cost() -> None:
    state = IppAttribute("printer-state", IppValueTag.ENUM, 3)
    few = _answer(state, *_many_markers(100))
    many = _answer(state, *_many_markers(3000))
    work_few, printer = lines_run(ipp.parse_printer_attributes, few, URL)
    work_many, many_printer = lines_run(ipp.parse_printer_attributes, many, URL)
    assert len(printer.supplies) == len(many_printer.supplies) == MAX_SUPPLIES
    assert len({supply.key for supply in many_printer.supplies}) == MAX_SUPPLIES
    # Markers past the cap are neither decoded nor parsed: they cost exactly
    # what as many values of an attribute the parser never reads cost.
    unused_few = _answer(state, *_many_markers(100), *_unused(4 * 100))
    unused_many = _answer(state, *_many_markers(100), *_unused(4 * 3000))
    skipped = lines(ipp.parse_printer_attributes, unused_many, URL) - lines(
        ipp.parse_printer_attributes, unused_few, URL
    )
    assert work_many - work_few == skipped


def test_skipping_costs_a_fraction_of_decoding() -> None:
    state = IppAttribute("printer-state", IppValueTag.ENUM, 3)
    base = _answer(state)
    data = _answer(
        state, *(IppAttribute(f"x-{n}", IppValueTag.KEYWORD, "k") for n in range(2000))
    )
    skipped = lines(ipp.parse_printer_attributes, data, URL) - lines(
        ipp.parse_printer_attributes, base, URL
    )
    decoded = lines(c.decode_ipp, data) - lines(c.decode_ipp, base)
    assert skipped < decoded / 2


def test_reasons_and_alerts_stop_at_the_cap() -> None:
    reasons = [f"x-{n}-report" for n in range(1000)] + ["media-jam-error"]
    alerts = [f"code=x{n};severity=other" for n in range(1000)]
    status = _status(
        3,
        tuple(reasons),
        IppAttribute(
            "printer-alert", IppValueTag.OCTET_STRING, *(a.encode() for a in alerts)
        ),
        IppAttribute(
            "printer-alert-description", IppValueTag.TEXT, *(["Door open"] * 1000)
        ),
    )
    assert len(status.alerts) == MAX_ALERTS
    assert len(status.raw_codes) == MAX_ALERTS
    # The jam is reason 1001: not read. The alerts read say a door is open.
    assert not status.paper_jam
    assert status.door_open


class _Spy:
    """A compiled pattern that notes how much text each search is given."""

    def __init__(self, pattern: re.Pattern[str], seen: list[int]) -> None:
        self.pattern = pattern
        self.seen = seen

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        self.seen.append(len(text) - pos)
        return self.pattern.search(text, pos)


def test_free_text_is_matched_on_a_bounded_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def spy(pattern: re.Pattern[str]) -> Any:
        return _Spy(pattern, seen)

    monkeypatch.setattr(
        ipp_status,
        "_TEXT_FLAGS",
        tuple((spy(p), f) for p, f in ipp_status._TEXT_FLAGS),
    )
    monkeypatch.setattr(
        ipp_attributes,
        "_NAME_COLORS",
        tuple((spy(p), c) for p, c in ipp_attributes._NAME_COLORS),
    )
    for name in ("_ROUTINE_TEXT", "_DOOR", "_OPEN"):
        monkeypatch.setattr(ipp_status, name, spy(getattr(ipp_status, name)))
    monkeypatch.setattr(
        ipp_attributes, "_PART_NUMBER", spy(ipp_attributes._PART_NUMBER)
    )
    # 64 kB values made to make backtracking patterns work hard.
    bait = ("door " * 13_107)[:0xFFFF]
    name = ("HP blac " * 8192)[:0xFFFF]
    printer = ipp.parse_printer_attributes(
        _answer(
            IppAttribute("printer-state", IppValueTag.ENUM, 3),
            IppAttribute("printer-alert-description", IppValueTag.TEXT, *([bait] * 8)),
            IppAttribute("marker-names", IppValueTag.NAME, *([name] * 8)),
        ),
        URL,
    )
    assert len(printer.status.alerts) == 8
    assert len(printer.supplies) == 8
    assert seen
    assert max(seen) <= ipp_response.MATCH_CHARS


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["door", "cover", "lid", "open", "opened", " ", "\n", "x", "-"]
        ),
        max_size=12,
    ).map("".join)
)
def test_door_search_says_what_the_old_pattern_said(text: str) -> None:
    old = re.compile(r"\b(?:door|cover|lid)\b.*\bopen", re.IGNORECASE)
    assert ipp_status._door_open(text) == (old.search(text) is not None)


def test_door_search_is_linear() -> None:
    line = "door " * 2000
    # One search for the door word and one for "open" per line, whatever
    # the number of door words on it.
    assert lines(ipp_status._door_open, line * 2) == lines(ipp_status._door_open, line)
    assert not ipp_status._door_open(line)
    assert ipp_status._door_open(line + "open")


def test_key_value_strings_are_split_to_a_bound() -> None:
    assert ipp_response.key_values(";" * 60_000 + "a=1") == {}
    assert ipp_response.key_values("a=1;" + ";" * 60_000) == {"a": "1"}
    assert lines(ipp_response.key_values, ";" * 60_000) == lines(
        ipp_response.key_values, ";" * 600
    )
    assert lines(ipp.device_id, ";" * 60_000) == lines(ipp.device_id, ";" * 600)


ODD_URIS: list[tuple[int, Any]] = [
    (IppValueTag.URI, "ipp://[::1/ipp/print"),  # urlsplit: Invalid IPv6 URL
    (IppValueTag.URI, "http://a\uff03b/"),  # urlsplit: invalid under NFKC
    (IppValueTag.URI, ""),
    (IppValueTag.URI, "not a uri"),
    (IppValueTag.URI, "ipp://" + "a" * 65_000 + "/"),
    (IppValueTag.URI, "ipp://\udcff\udcfe/"),  # undecodable bytes
    (IppValueTag.INTEGER, 5),
    (IppValueTag.OCTET_STRING, b"\xff\xfe"),
    (IppValueTag.NO_VALUE, c.IppOutOfBand(IppValueTag.NO_VALUE)),
    (
        IppValueTag.BEG_COLLECTION,
        IppCollection([IppAttribute("a", IppValueTag.INTEGER, 1)]),
    ),
]


def _uris(*values: tuple[int, Any]) -> IppAttribute:
    attribute = IppAttribute("printer-uri-supported", values[0][0], values[0][1])
    for tag, value in values[1:]:
        attribute.append(value, tag)
    return attribute


@pytest.mark.parametrize(("tag", "value"), ODD_URIS)
def test_odd_printer_uri_supported_is_ignored(tag: int, value: Any) -> None:
    more_info = IppAttribute(
        "printer-more-info", IppValueTag.URI, "http://123.45.67.89/"
    )
    assert _info(_uris((tag, value)), more_info).ews_url is None
    # Next to a good value, the odd one does not hide it.
    good = (IppValueTag.URI, "ipp://123.45.67.89:631/ipp/print")
    assert (
        _info(_uris((tag, value), good), more_info).ews_url == "http://printer.local/"
    )


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        (IppValueTag.INTEGER, 1),
        (IppValueTag.URI, "urn:uuid:" + "\u0661" * 32),
        (IppValueTag.URI, "urn:uuid:" + "1" * 65_000),
        (IppValueTag.BEG_COLLECTION, IppCollection()),
        (IppValueTag.OCTET_STRING, b"\xff" * 16),
        (IppValueTag.UNKNOWN, c.IppOutOfBand(IppValueTag.UNKNOWN)),
    ],
)
def test_odd_printer_uuid_is_ignored(tag: int, value: Any) -> None:
    info = _info(IppAttribute("printer-uuid", tag, value))
    assert info.uuid is None
    assert info.mac is None


def test_long_texts_are_cut() -> None:
    info = _info(
        IppAttribute("printer-make-and-model", IppValueTag.TEXT, "HP " + "x" * 65_000),
        IppAttribute(
            "printer-device-id", IppValueTag.TEXT, "MFG:HP;SN:" + "9" * 65_000
        ),
    )
    assert info.model is not None
    assert len(info.model) <= 4096
    assert info.serial_number is not None
    assert len(info.serial_number) <= 4096


def test_error_detail_is_read_as_text() -> None:
    message = c.new_ipp_response(0x0400, 1, status_message="bad " * 15_000)
    with pytest.raises(HPEWSIPPError) as err:
        ipp.check_response(message.encode())
    assert len(str(err.value)) < 4200
    odd = c.new_ipp_response(0x0400, 1)
    odd.operation.set("status-message", IppValueTag.INTEGER, 7)
    with pytest.raises(HPEWSIPPError, match=r"^IPP error client-error-bad-request$"):
        ipp.check_response(odd.encode())


def test_job_answers_decode_only_the_job_attributes() -> None:
    junk = [IppAttribute(f"x-{n}", IppValueTag.KEYWORD, "k") for n in range(500)]
    data = _job_response(
        [
            IppAttribute("job-id", IppValueTag.INTEGER, 7),
            *junk,
            IppAttribute("job-state-reasons", IppValueTag.KEYWORD, *(["none"] * 500)),
        ],
    )
    job = ipp.parse_job_attributes(data)
    assert job.job_id == 7
    assert job.state_reasons == ("none",) * MAX_ALERTS
