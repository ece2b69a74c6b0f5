"""HPPrinter: snapshots of the real captures, the request budget, IPP
completion, identify and capture.

Expected values were read from the fixture files named in each capture's
``capture.json`` (``built_from``), not from this library's output.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
import json
from pathlib import Path
import ssl
import struct
from typing import TYPE_CHECKING, Any

import aiohttp
from aioresponses import aioresponses
import pytest
from yarl import URL

from custom_components.hp_ews.client.capture import (
    Capture,
    CaptureTransport,
    capture_paths,
    profile_from_capture,
    read_capture,
    write_capture,
)
from custom_components.hp_ews.client.errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSParseError,
    HPEWSUnsupportedError,
)
from custom_components.hp_ews.client.ipp import codec
from custom_components.hp_ews.client.models import (
    ChangeMarker,
    PrinterInfo,
    PrinterProtocol,
    PrinterSnapshot,
    PrinterState,
    Profile,
    SupplyKind,
    SupplyState,
)
from custom_components.hp_ews.client.printer import HPPrinter
from custom_components.hp_ews.client.readers.base import complete_info, first_leaf

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

from custom_components.hp_ews.client.probe import probe_origins
from simulator.tls import write_self_signed
from tests.recording_proxy import RecordingProxy

from .budget import PROBE, most, within
from .test_transport import TOKEN, Peer, aioresponses_compat

aioresponses_compat()

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURES = FIXTURES / "captures"

OK = SupplyState.OK
FLAGS = (
    "paper_jam",
    "door_open",
    "out_of_paper",
    "output_full",
    "supply_missing",
    "supply_low",
)


@dataclass(frozen=True)
class Expected:
    """One row of the table: what the fixture files say about one printer."""

    capture: str
    model: str | None
    state: PrinterState
    supplies: list[tuple[str, SupplyKind, int | None, SupplyState, int | None]]
    """(colour, kind, level, state, pages remaining)"""
    flags: tuple[str, ...] = ()
    counters: dict[str, int] | None = None
    info: dict[str, str] | None = None
    change_marker: str | None = None
    """The AlertTable's ModificationNumber (LEDM)."""
    sources: tuple[PrinterProtocol | None, ...] = ()
    """info, status, supplies, counters"""
    can_identify: bool | None = None


LEDM = PrinterProtocol.LEDM
CDM = PrinterProtocol.CDM
IPP = PrinterProtocol.IPP
TONER, INK, TANK, HEAD, DRUM = (
    SupplyKind.TONER,
    SupplyKind.INK,
    SupplyKind.INK_TANK,
    SupplyKind.PRINTHEAD,
    SupplyKind.DRUM,
)

TABLE = [
    Expected(
        # ProductConfigDyn: MakeAndModel "HP OfficeJet Pro 9020 series", SKUIdentifier
        # 9022e, ProductNumber 226Y0B, firmware Revision MANHHIPP1N005.2623A.00.
        # ProductStatusDyn: inPowerSave, AlertTable ModificationNumber 20, no alerts.
        # ConsumableConfigDyn: printhead CMYK (no level) + ink C/M/Y 40, K 80.
        capture="officejet-pro-9022e",
        model="HP OfficeJet Pro 9022e",
        info={
            "series": "HP OfficeJet Pro 9020 series",
            "firmware": "MANHHIPP1N005.2623A.00",
            "product_number": "226Y0B",
        },
        state=PrinterState.POWER_SAVE,
        change_marker="20",
        supplies=[
            ("CMYK", HEAD, None, OK, None),
            ("C", INK, 40, OK, None),
            ("M", INK, 40, OK, None),
            ("Y", INK, 40, OK, None),
            ("K", INK, 80, OK, None),
        ],
        sources=(LEDM, LEDM, LEDM, None),
    ),
    Expected(
        # ProductStatusDyn: inPowerSave (Italian LocString), ModificationNumber 18,
        # four Info genuineHP alerts. ConsumableConfigDyn: toner K 20, C 30, M 50,
        # Y 40. ProductUsageDyn: Total 1344, Mono 452, Color 892, Duplex 408,
        # Jam 0; EstimatedPagesRemaining K 550, C 800, M 1600, Y 1150.
        capture="color-laserjet-m255dw",
        model=None,
        state=PrinterState.POWER_SAVE,
        change_marker="18",
        supplies=[
            ("K", TONER, 20, OK, 550),
            ("C", TONER, 30, OK, 800),
            ("M", TONER, 50, OK, 1600),
            ("Y", TONER, 40, OK, 1150),
        ],
        counters={
            "total_pages": 1344,
            "monochrome_pages": 452,
            "color_pages": 892,
            "duplex_sheets": 408,
            "jam_events": 0,
        },
        sources=(None, LEDM, LEDM, LEDM),
    ),
    Expected(
        # ProductStatusDyn: trayEmpty + inPowerSave, ModificationNumber 3.
        # ConsumableConfigDyn: inkCartridge CMY 50, K 60.
        capture="envy-photo-7830",
        model=None,
        state=PrinterState.POWER_SAVE,
        flags=("out_of_paper",),
        change_marker="3",
        supplies=[("CMY", INK, 50, OK, None), ("K", INK, 60, OK, None)],
        sources=(None, LEDM, LEDM, None),
    ),
    Expected(
        # ProductStatusDyn: genuineHP (routine) + inPowerSave, ModificationNumber 3.
        # ConsumableConfigDyn: inkCartridge CMY/K are the printheads (20 % is
        # printhead life, not ink), inkTank C/M/Y/K at 100.
        capture="smart-tank-750",
        model=None,
        state=PrinterState.POWER_SAVE,
        change_marker="3",
        supplies=[
            ("CMY", HEAD, None, OK, None),
            ("K", HEAD, None, OK, None),
            ("C", TANK, 100, OK, None),
            ("M", TANK, 100, OK, None),
            ("Y", TANK, 100, OK, None),
            ("K", TANK, 100, OK, None),
        ],
        sources=(None, LEDM, LEDM, None),
    ),
    Expected(
        # identity (raw): skuIdentifier 588, serial CN00000588, firmwareVersion
        # LWP1CN2630CR, productNumber 1F3Y1A, deviceUuid 5f0c3e2a-...-000000000588.
        # system status inPowerSave; print/v2 idle, reasons none; alerts are all
        # severity information (genuineHPsupply, usedSupplyPrompt).
        # suppliesPublic: inkCartridge CMY/K printheads without percentLifeDisplay,
        # inkTank K/C/M/Y at 100. lifetimeCounters: impressions total 10531,
        # monochrome 647, color 722; copyImpressions total 110; scan totalImages 94.
        capture="smart-tank-588",
        model="HP Smart Tank 588",
        info={
            "serial_number": "CN00000588",
            "firmware": "LWP1CN2630CR",
            "product_number": "1F3Y1A",
            "uuid": "5f0c3e2a-1b7d-4c1e-9a55-000000000588",
        },
        state=PrinterState.POWER_SAVE,
        supplies=[
            ("CMY", HEAD, None, OK, None),
            ("K", HEAD, None, OK, None),
            ("K", TANK, 100, OK, None),
            ("C", TANK, 100, OK, None),
            ("M", TANK, 100, OK, None),
            ("Y", TANK, 100, OK, None),
        ],
        counters={
            "total_pages": 10531,
            "monochrome_pages": 647,
            "color_pages": 722,
            "copy_pages": 110,
            "scan_pages": 94,
        },
        sources=(CDM, CDM, CDM, CDM),
    ),
    Expected(
        # marker-names Cyan/Magenta/Yellow Cartridge HP CF381A/CF383A/CF382A, Black
        # CF380X; marker-types toner; levels 50 (normalised); Identify-Printer
        # in operations-supported; printer-state idle.
        capture="color-laserjet-mfp-m476dn",
        model="HP Color LaserJet MFP M476dn",
        info={"uuid": "01234567-89ab-cdef-0123-456789abcdef"},
        state=PrinterState.IDLE,
        supplies=[
            ("C", TONER, 50, OK, None),
            ("M", TONER, 50, OK, None),
            ("Y", TONER, 50, OK, None),
            ("K", TONER, 50, OK, None),
        ],
        sources=(IPP, IPP, IPP, None),
        can_identify=True,
    ),
    Expected(
        # Four toners CE310A-CE313A and an "opc" Imaging Drum CE314A with colour
        # "none"; no Identify-Printer.
        capture="laserjet-100-colormfp-m175nw",
        model="HP LaserJet 100 colorMFP M175nw",
        state=PrinterState.IDLE,
        supplies=[
            ("C", TONER, 50, OK, None),
            ("M", TONER, 50, OK, None),
            ("Y", TONER, 50, OK, None),
            ("K", TONER, 50, OK, None),
            ("", DRUM, 50, OK, None),
        ],
        sources=(IPP, IPP, IPP, None),
        can_identify=False,
    ),
    Expected(
        # Single-valued marker attributes: Black Cartridge HP CF283A, level 50;
        # device-id FWVER:20141113.
        capture="laserjet-pro-mfp-m127fw",
        model="HP LaserJet Pro MFP M127fw",
        info={"firmware": "20141113"},
        state=PrinterState.IDLE,
        supplies=[("K", TONER, 50, OK, None)],
        sources=(IPP, IPP, IPP, None),
        can_identify=False,
    ),
]


def printer_for(capture: Capture) -> HPPrinter:
    return HPPrinter("localhost", None, transport=CaptureTransport(capture))


async def snapshot_of(name: str) -> tuple[PrinterSnapshot, HPPrinter, Profile]:
    capture = read_capture(CAPTURES / name)
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    return await printer.snapshot(profile), printer, profile


@pytest.mark.parametrize("row", TABLE, ids=[row.capture for row in TABLE])
async def test_snapshot_of_real_captures(row: Expected) -> None:
    snapshot, _, _ = await snapshot_of(row.capture)
    assert snapshot.info.manufacturer == "HP"
    assert snapshot.info.model == row.model
    for name, value in (row.info or {}).items():
        assert getattr(snapshot.info, name) == value, name
    assert snapshot.info.ews_url is not None
    assert snapshot.status.state is row.state
    assert tuple(f for f in FLAGS if getattr(snapshot.status, f)) == row.flags
    if row.change_marker is not None:
        assert snapshot.status.change_marker == ChangeMarker(
            alert_table=row.change_marker
        )
    got = [
        (s.color, s.kind, s.level_percent, s.state, s.pages_remaining)
        for s in snapshot.supplies
    ]
    assert got == row.supplies
    assert len({s.key for s in snapshot.supplies}) == len(snapshot.supplies)
    counters = {k: v for k, v in vars_of(snapshot.counters).items() if v is not None}
    assert counters == (row.counters or {})
    sources = snapshot.sources
    assert (
        sources.info,
        sources.status,
        sources.supplies,
        sources.counters,
    ) == row.sources
    if row.can_identify is None:
        assert snapshot.ipp is None
    else:
        assert snapshot.ipp is not None
        assert snapshot.ipp.can_identify is row.can_identify


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def stale(snapshot: PrinterSnapshot, **changes: Any) -> PrinterSnapshot:
    """``snapshot`` as a refresh sees it after the printer signalled a change.

    An empty marker equals no marker a printer sends, whatever its protocol.
    """
    status = replace(snapshot.status, change_marker=ChangeMarker())
    return replace(snapshot, status=status, **changes)


# --- the request budget (docs/refresh.md, tests/client/budget.py) ---------------------------


class RecordingTransport(CaptureTransport):
    """A capture replay that notes the paths asked for."""

    def __init__(self, capture: Capture) -> None:
        super().__init__(capture)
        self.paths: list[str] = []

    async def get(self, url: str, **kwargs: Any) -> Any:
        self.paths.append(URL(url).path)
        return await super().get(url, **kwargs)


async def test_ledm_refresh_reuses_until_the_alert_table_changes() -> None:
    capture = read_capture(CAPTURES / "color-laserjet-m255dw")
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    with within(printer, most(LEDM, "full")):
        snapshot = await printer.snapshot(profile)

    with within(printer, most(LEDM, "refresh")):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap.supplies is snapshot.supplies
    assert cheap.counters is snapshot.counters
    assert cheap.info is snapshot.info
    assert cheap.status.change_marker == ChangeMarker(alert_table="18")

    # AlertTable changed: consumables and usage are read again.
    with within(printer, most(LEDM, "changed")):
        changed = await printer.snapshot(
            profile, previous=stale(snapshot, supplies=()), full=False
        )
    assert [s.level_percent for s in changed.supplies] == [20, 30, 50, 40]
    assert changed.counters.total_pages == 1344
    assert changed.sources.supplies is PrinterProtocol.LEDM


async def test_ledm_discovery_listing_skips_unlisted_documents() -> None:
    capture = read_capture(CAPTURES / "officejet-pro-9022e")
    profile = replace(
        profile_from_capture(capture),
        ledm_resources=(
            "/DevMgmt/ProductConfigDyn.xml",
            "/DevMgmt/ProductStatusDyn.xml",
            "/DevMgmt/ConsumableConfigDyn.xml",
        ),
    )
    transport = RecordingTransport(capture)
    printer = HPPrinter("localhost", None, transport=transport)
    snapshot = await printer.snapshot(profile)
    await printer.snapshot(profile, previous=stale(snapshot), full=False)
    asked = set(transport.paths)
    assert "/DevMgmt/ConsumableConfigDyn.xml" in asked  # re-read after the change
    assert "/DevMgmt/ProductUsageDyn.xml" not in asked  # not listed


async def test_cdm_refresh_reuses_while_the_system_status_stays() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    # The system status names a state, so print/v2/status is not needed.
    with within(printer, most(CDM, "full")):
        snapshot = await printer.snapshot(profile)
    assert snapshot.status.raw_codes == ("inPowerSave",)
    marker = snapshot.status.change_marker
    assert marker is not None

    # The system status did not change: the alerts (and with them supplies
    # and counters) are reused.
    with within(printer, most(CDM, "refresh")):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap.supplies is snapshot.supplies
    assert cheap.counters is snapshot.counters
    assert cheap.status == snapshot.status

    # No CDM marker to compare with (a snapshot from elsewhere): alerts,
    # supplies and counters are read again.
    with within(printer, most(CDM, "changed")):
        again = await printer.snapshot(
            profile, previous=stale(snapshot, supplies=()), full=False
        )
    assert len(again.supplies) == 6
    assert again.counters.total_pages == 10531
    assert again.status.change_marker == marker


def cdm_capture(status: str, *extra_alerts: dict[str, Any]) -> Capture:
    """The Smart Tank 588 capture with another system status and more alerts."""
    capture = read_capture(CAPTURES / "smart-tank-588")
    alerts = json.loads(capture.http["/cdm/alert/v1/alerts"])
    alerts["alerts"] += list(extra_alerts)
    http = {
        **capture.http,
        "/cdm/system/v1/status": json.dumps(
            {"version": "1.0.0", "status": status}
        ).encode(),
        "/cdm/alert/v1/alerts": json.dumps(alerts).encode(),
    }
    return replace(capture, http=http)


JAM_ALERT = {"id": 99, "category": "jamInPrinter", "severity": "error"}


async def test_cdm_cheap_refresh_follows_the_system_status() -> None:
    asleep, _, profile = await snapshot_of("smart-tank-588")

    # The printer jams: the system status says jamInPrinter (as LEDM's
    # StatusCategory would), so the alerts are read again, and since they
    # changed, suppliesPublic and lifetimeCounters too.
    printer = printer_for(cdm_capture("jamInPrinter", JAM_ALERT))
    with within(printer, most(CDM, "changed")):
        jammed = await printer.snapshot(profile, previous=asleep, full=False)
    assert jammed.status.state is PrinterState.STOPPED
    assert jammed.status.paper_jam
    assert "jamInPrinter" in [alert.code for alert in jammed.status.alerts]
    assert jammed.sources.supplies is PrinterProtocol.CDM
    assert jammed.supplies == asleep.supplies
    assert jammed.supplies is not asleep.supplies

    # It wakes up and is ready; the alerts are as before.
    printer = printer_for(cdm_capture("ready"))
    with within(printer, most(CDM, "status_changed")):
        awake = await printer.snapshot(profile, previous=asleep, full=False)
    assert awake.status.state is PrinterState.IDLE
    assert awake.status.raw_codes == ("ready",)
    assert awake.supplies is asleep.supplies
    assert awake.status.alerts == asleep.status.alerts

    # Same status value: nothing else is read, even if the alerts changed
    # meanwhile (the next full refresh reads them).
    printer = printer_for(cdm_capture("inPowerSave", JAM_ALERT))
    with within(printer, most(CDM, "refresh")):
        quiet = await printer.snapshot(profile, previous=asleep, full=False)
    assert quiet.status == asleep.status
    full = await printer.snapshot(profile)
    assert full.status.paper_jam


async def test_cdm_jam_only_in_the_alerts_stops_the_printer() -> None:
    # Firmware that leaves the status at "ready" and reports the jam as an
    # alert: the state is the same as when the status names the jam.
    capture = cdm_capture("ready", JAM_ALERT)
    snapshot = await printer_for(capture).snapshot(profile_from_capture(capture))
    assert snapshot.status.state is PrinterState.STOPPED
    assert snapshot.status.paper_jam
    assert snapshot.status.has_problem
    named = cdm_capture("jamInPrinter", JAM_ALERT)
    other = await printer_for(named).snapshot(profile_from_capture(named))
    assert (other.status.state, other.status.paper_jam) == (PrinterState.STOPPED, True)


async def test_cdm_alert_changes_move_the_marker() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    first = await printer_for(capture).snapshot(profile_from_capture(capture))
    alerts = json.loads(capture.http["/cdm/alert/v1/alerts"])
    alerts["alerts"] = alerts["alerts"][:-1]
    http = {**capture.http, "/cdm/alert/v1/alerts": json.dumps(alerts).encode()}
    second = await printer_for(replace(capture, http=http)).snapshot(
        profile_from_capture(capture)
    )
    assert len(second.status.alerts) == len(first.status.alerts) - 1
    assert second.status.change_marker != first.status.change_marker


async def test_cdm_print_status_completes_a_stateless_system_status() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    http = {**capture.http, "/cdm/system/v1/status": b'{"status": "someFutureStatus"}'}
    capture = replace(capture, http=http)
    transport = RecordingTransport(capture)
    printer = HPPrinter("localhost", None, transport=transport)
    profile = profile_from_capture(capture)
    with within(printer, most(CDM, "full", no_state=True)):
        snapshot = await printer.snapshot(profile)
    assert snapshot.status.state is PrinterState.IDLE  # printerState idle
    assert snapshot.status.raw_codes[:2] == ("someFutureStatus", "idle")
    # A refresh completes the status the same way; neither changed.
    transport.paths.clear()
    with within(printer, most(CDM, "refresh", no_state=True)):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert transport.paths.count("/cdm/print/v2/status") == 1
    assert cheap.status == snapshot.status
    assert cheap.supplies is snapshot.supplies

    # Listed but missing: the state stays unknown.
    gone = {k: v for k, v in http.items() if "/print/v2/" not in k}
    snapshot = await printer_for(replace(capture, http=gone)).snapshot(profile)
    assert snapshot.status.state is PrinterState.UNKNOWN
    assert snapshot.status.raw_codes == ("someFutureStatus",)

    # Not listed by servicesDiscovery: not asked for.
    unlisted = replace(profile, cdm_resources=("/cdm/system/v1/status",))
    transport = RecordingTransport(capture)
    snapshot = await HPPrinter("localhost", None, transport=transport).snapshot(
        unlisted
    )
    assert "/cdm/print/v2/status" not in transport.paths
    assert snapshot.status.state is PrinterState.UNKNOWN


async def test_ipp_only_refresh_is_the_one_request() -> None:
    capture = read_capture(CAPTURES / "laserjet-pro-mfp-m127fw")
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    with within(printer, most(IPP, "full")):
        snapshot = await printer.snapshot(profile)
    with within(printer, most(IPP, "refresh")):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap == snapshot


# --- completing one protocol from another ------------------------------------------------


def ledm_with_ipp(status_doc: bytes | None = None) -> Capture:
    """The 9022e LEDM documents plus an IPP answer (M476dn's, for the shape)."""
    ledm = read_capture(CAPTURES / "officejet-pro-9022e")
    ipp = read_capture(CAPTURES / "color-laserjet-mfp-m476dn")
    http = dict(ledm.http)
    if status_doc is not None:
        http["/DevMgmt/ProductStatusDyn.xml"] = status_doc
    return Capture(
        meta={"format": 1, "protocols": ["ledm", "ipp"]}, http=http, ipp=ipp.ipp
    )


async def test_ipp_completes_ledm_identity_and_capabilities() -> None:
    capture = ledm_with_ipp()
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    with within(printer, most(LEDM, "full", ipp=True)):
        snapshot = await printer.snapshot(profile)
    # ProductConfigDyn has UUID "REDACTED"; IPP's printer-uuid completes it.
    assert snapshot.info.model == "HP OfficeJet Pro 9022e"
    assert snapshot.info.uuid == "01234567-89ab-cdef-0123-456789abcdef"
    assert snapshot.ipp is not None
    assert snapshot.sources.info is PrinterProtocol.LEDM
    assert snapshot.sources.status is PrinterProtocol.LEDM
    # LEDM's own status names a state: IPP does not change it.
    assert snapshot.status.state is PrinterState.POWER_SAVE

    with within(printer, most(LEDM, "refresh", ipp=True)):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap.ipp is snapshot.ipp


def cdm_with_ipp() -> Capture:
    """The Smart Tank 588 CDM documents plus an IPP answer (M476dn's)."""
    cdm = read_capture(CAPTURES / "smart-tank-588")
    ipp = read_capture(CAPTURES / "color-laserjet-mfp-m476dn")
    return Capture(
        meta={"format": 1, "protocols": ["cdm", "ipp"]}, http=cdm.http, ipp=ipp.ipp
    )


# identity deviceUuid of the Smart Tank 588 capture; printer-uuid of the M476dn's.
CDM_DEVICE_UUID = "5f0c3e2a-1b7d-4c1e-9a55-000000000588"
IPP_UUID = "01234567-89ab-cdef-0123-456789abcdef"


async def test_cdm_printer_is_known_by_its_announced_uuid() -> None:
    capture = cdm_with_ipp()
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    assert profile.ipp_url is not None
    snapshot = await printer.snapshot(profile)
    # The IPP/mDNS UUID, not CDM's deviceUuid; the rest of the identity is CDM's.
    assert snapshot.info.uuid == IPP_UUID
    assert snapshot.info.serial_number == "CN00000588"
    assert snapshot.sources.info is PrinterProtocol.CDM
    cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap.info.uuid == IPP_UUID

    # Without IPP, deviceUuid is all there is.
    alone, _, _ = await snapshot_of("smart-tank-588")
    assert alone.info.uuid == CDM_DEVICE_UUID


async def test_uuid_survives_a_refresh_without_ipp() -> None:
    capture = cdm_with_ipp()
    profile = profile_from_capture(capture)
    snapshot = await printer_for(capture).snapshot(profile)
    no_ipp = printer_for(replace(capture, ipp={}))
    # IPP did not answer this time: same serial, so the same printer.
    again = await no_ipp.snapshot(profile, previous=snapshot)
    assert again.info.uuid == IPP_UUID
    assert again.ipp is None
    # Another serial behind the address: its own (CDM) identity.
    other = replace(snapshot, info=replace(snapshot.info, serial_number="X"))
    swapped = await no_ipp.snapshot(profile, previous=other)
    assert swapped.info.uuid == CDM_DEVICE_UUID


async def test_ipp_completes_a_status_without_state() -> None:
    original = (
        CAPTURES / "officejet-pro-9022e/http/DevMgmt/ProductStatusDyn.xml"
    ).read_bytes()
    unknown = original.replace(b">inPowerSave<", b">someFutureCategory<")
    capture = ledm_with_ipp(unknown)
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    snapshot = await printer.snapshot(profile)
    # IPP printer-state idle fills in; the LEDM raw code is kept.
    assert snapshot.status.state is PrinterState.IDLE
    assert "someFutureCategory" in snapshot.status.raw_codes
    assert snapshot.status.change_marker == ChangeMarker(alert_table="20")
    assert snapshot.sources.status is PrinterProtocol.LEDM
    with within(printer, most(LEDM, "refresh", ipp=True, no_state=True)):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    # IPP completes the refresh too, and its capabilities come with it.
    assert cheap.status.state is PrinterState.IDLE
    assert cheap.ipp == snapshot.ipp


async def test_missing_status_document_falls_back_to_ipp() -> None:
    capture = ledm_with_ipp()
    http = {k: v for k, v in capture.http.items() if "ProductStatusDyn" not in k}
    capture = replace(capture, http=http)
    printer = printer_for(capture)
    snapshot = await printer.snapshot(profile_from_capture(capture))
    assert snapshot.sources.status is PrinterProtocol.IPP
    assert snapshot.status.state is PrinterState.IDLE


async def test_missing_status_without_ipp_is_unknown() -> None:
    capture = read_capture(CAPTURES / "envy-photo-7830")
    http = {k: v for k, v in capture.http.items() if "ProductStatusDyn" not in k}
    capture = replace(capture, http=http)
    snapshot = await printer_for(capture).snapshot(profile_from_capture(capture))
    assert snapshot.status.state is PrinterState.UNKNOWN
    assert snapshot.sources.status is None
    assert len(snapshot.supplies) == 2


async def test_supplies_from_ipp_when_ledm_lists_none() -> None:
    capture = ledm_with_ipp()
    http = {k: v for k, v in capture.http.items() if "Consumable" not in k}
    capture = replace(capture, http=http)
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    snapshot = await printer.snapshot(profile)
    assert snapshot.sources.supplies is PrinterProtocol.IPP
    assert [s.color for s in snapshot.supplies] == ["C", "M", "Y", "K"]
    # A cheap refresh after a change completes from IPP only when it asked IPP.
    older = stale(snapshot)
    cheap = await printer.snapshot(profile, previous=older, full=False)
    assert cheap.supplies == ()
    assert cheap.sources.supplies is None


async def test_cheap_refresh_takes_supplies_from_ipp_when_it_asked_ipp() -> None:
    original = (
        CAPTURES / "officejet-pro-9022e/http/DevMgmt/ProductStatusDyn.xml"
    ).read_bytes()
    capture = ledm_with_ipp(original.replace(b">inPowerSave<", b">someFutureCategory<"))
    http = {k: v for k, v in capture.http.items() if "Consumable" not in k}
    capture = replace(capture, http=http)
    printer = printer_for(capture)
    profile = profile_from_capture(capture)
    snapshot = await printer.snapshot(profile)
    older = stale(snapshot)
    cheap = await printer.snapshot(profile, previous=older, full=False)
    assert cheap.sources.supplies is PrinterProtocol.IPP
    assert [s.color for s in cheap.supplies] == ["C", "M", "Y", "K"]


async def test_cdm_without_alerts_or_any_status() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    no_alerts = {k: v for k, v in capture.http.items() if "/alert/" not in k}
    snapshot = await printer_for(replace(capture, http=no_alerts)).snapshot(
        profile_from_capture(capture)
    )
    assert snapshot.status.alerts == ()
    assert snapshot.status.state is PrinterState.POWER_SAVE

    no_status = {
        k: v
        for k, v in capture.http.items()
        if not k.endswith(("/v1/status", "/v2/status"))
    }
    printer = printer_for(replace(capture, http=no_status))
    snapshot = await printer.snapshot(profile_from_capture(capture))
    assert snapshot.status.state is PrinterState.UNKNOWN
    assert snapshot.sources.status is None
    assert len(snapshot.supplies) == 6
    # Cheap: system status and print/v2/status, both missing; no alerts read.
    with within(printer, most(CDM, "refresh", no_state=True)):
        cheap = await printer.snapshot(
            profile_from_capture(capture), previous=snapshot, full=False
        )
    assert cheap.status.state is PrinterState.UNKNOWN
    assert cheap.supplies is snapshot.supplies


async def test_capture_without_model_or_ipp_answer() -> None:
    source = read_capture(CAPTURES / "color-laserjet-m255dw")
    printer = printer_for(source)
    # The profile says IPP, but the capture has no IPP answer.
    printer._profile = replace(
        profile_from_capture(source), ipp_url="http://localhost:80/ipp/print"
    )
    written = await printer.capture()
    assert "model" not in written.meta
    assert written.ipp == {}
    assert written.meta["ipp_path"] == "/ipp/print"
    assert set(written.http) == set(source.http)


async def test_malformed_optional_document_is_skipped_but_status_is_not() -> None:
    capture = read_capture(CAPTURES / "color-laserjet-m255dw")
    http = dict(capture.http)
    http["/DevMgmt/ProductUsageDyn.xml"] = b"<not-closed"
    snapshot = await printer_for(replace(capture, http=http)).snapshot(
        profile_from_capture(capture)
    )
    assert snapshot.counters.total_pages is None
    assert snapshot.supplies[0].pages_remaining is None

    http["/DevMgmt/ProductStatusDyn.xml"] = b"<not-closed"
    with pytest.raises(HPEWSParseError):
        await printer_for(replace(capture, http=http)).snapshot(
            profile_from_capture(capture)
        )


async def test_cdm_status_from_print_status_when_system_status_missing() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    http = {
        k: v for k, v in capture.http.items() if not k.endswith("/system/v1/status")
    }
    printer = printer_for(replace(capture, http=http))
    profile = profile_from_capture(capture)
    snapshot = await printer.snapshot(profile)
    assert snapshot.status.state is PrinterState.IDLE  # print/v2 printerState idle
    # No system status word: a cheap refresh reads print/v2/status each time.
    with within(printer, most(CDM, "refresh", no_state=True)):
        cheap = await printer.snapshot(profile, previous=snapshot, full=False)
    assert cheap.status == snapshot.status


async def test_ipp_only_printer_whose_ipp_vanished() -> None:
    capture = read_capture(CAPTURES / "laserjet-pro-mfp-m127fw")
    printer = printer_for(replace(capture, ipp={}))
    with pytest.raises(HPEWSConnectionError, match="IPP service is gone"):
        await printer.snapshot(profile_from_capture(capture))


def test_complete_info_fills_only_gaps() -> None:
    own = PrinterInfo(model="HP OfficeJet Pro 9022e", firmware="A")
    other = PrinterInfo(model="HP OfficeJet Pro 9020", firmware="B", uuid="u", mac="m")
    merged = complete_info(own, other)
    assert merged.model == "HP OfficeJet Pro 9022e"
    assert merged.firmware == "A"
    assert (merged.uuid, merged.mac) == ("u", "m")
    assert complete_info(own, PrinterInfo()) is own


def test_first_leaf_unwraps_nested_groups() -> None:
    inner = HPEWSParseError("x")
    group = BaseExceptionGroup("outer", [BaseExceptionGroup("inner", [inner])])
    assert first_leaf(group) is inner


# --- construction ---------------------------------------------------------------------------


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def test_from_url(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter.from_url("https://admin:pw@192.0.2.7:8443", session)
    assert printer.host == "192.0.2.7"
    assert printer._port == 8443
    assert printer._scheme == "https"
    assert printer.profile is None
    bare = HPPrinter.from_url("printer.local", session)
    assert bare.host == "printer.local"
    assert bare._port is None
    assert bare._scheme is None
    ipv6 = HPPrinter.from_url("http://[fe80::1]:80/", session)
    assert ipv6.host == "fe80::1"


@pytest.mark.parametrize("url", ["ftp://x", "http://", "http://h:99999", "http://[::1"])
async def test_from_url_rejects(session: aiohttp.ClientSession, url: str) -> None:
    with pytest.raises(HPEWSConnectionError):
        HPPrinter.from_url(url, session)


@pytest.mark.parametrize(
    "kwargs",
    [{"scheme": "ftp"}, {"port": 0}, {"port": 70000}, {"host": "a/b"}, {"host": ""}],
)
async def test_constructor_validates(
    session: aiohttp.ClientSession, kwargs: dict[str, Any]
) -> None:
    host = kwargs.pop("host", "printer.local")
    with pytest.raises(HPEWSConnectionError):
        HPPrinter(host, session, **kwargs)


def test_needs_session_or_transport() -> None:
    with pytest.raises(TypeError):
        HPPrinter("printer.local", None)


# --- probe through HPPrinter (aioresponses) ----------------------------------------------------

HOST = "printer.test"


def ipp_bytes(name: str) -> bytes:
    return (CAPTURES / name / "ipp" / "Get-Printer-Attributes.ipp").read_bytes()


def ledm_tree() -> bytes:
    return (
        FIXTURES / "ledm" / "HP-Officejet-6500-E710n-z__DiscoveryTree.xml"
    ).read_bytes()


async def test_probe_then_snapshot_over_http(session: aiohttp.ClientSession) -> None:
    """LEDM on port 80 and IPP on 631, then a full snapshot from the profile."""
    capture = read_capture(CAPTURES / "envy-photo-7830")
    printer = HPPrinter(HOST, session)
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/DiscoveryTree.xml", body=ledm_tree())
        mocked.post(
            f"http://{HOST}:631/ipp/print", body=ipp_bytes("color-laserjet-mfp-m476dn")
        )
        with within(printer, PROBE[LEDM]):
            profile = await printer.probe()
        assert profile.protocols == (PrinterProtocol.LEDM, PrinterProtocol.IPP)
        assert profile.base_url == f"http://{HOST}:80"
        assert profile.ipp_url == f"http://{HOST}:631/ipp/print"
        assert "/DevMgmt/ProductStatusDyn.xml" in profile.ledm_resources
        assert printer.profile is profile

        for path, body in capture.http.items():
            mocked.get(f"http://{HOST}:80{path}", body=body, repeat=True)
        for path in (
            "/DevMgmt/ProductConfigDyn.xml",
            "/DevMgmt/ProductUsageDyn.xml",
            "/DevMgmt/MediaHandlingDyn.xml",
        ):
            mocked.get(f"http://{HOST}:80{path}", status=404, repeat=True)
        mocked.post(
            f"http://{HOST}:631/ipp/print",
            body=ipp_bytes("color-laserjet-mfp-m476dn"),
            repeat=True,
        )
        with within(printer, most(LEDM, "full", ipp=True)):
            snapshot = await printer.snapshot()  # the profile of the probe
    assert snapshot.status.out_of_paper
    assert snapshot.ipp is not None


async def test_snapshot_probes_when_needed() -> None:
    capture = read_capture(CAPTURES / "laserjet-pro-mfp-m127fw")
    printer = printer_for(capture)
    snapshot = await printer.snapshot()
    assert printer.profile is not None
    assert printer.profile.protocols == (PrinterProtocol.IPP,)
    assert snapshot.info.model == "HP LaserJet Pro MFP M127fw"


# --- against the simulator on 127.0.0.1 -----------------------------------------------------


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("smart-tank-580", PrinterProtocol.CDM),
        ("officejet-pro-9022e", PrinterProtocol.LEDM),
        ("color-laserjet-pro-m255dw", PrinterProtocol.LEDM),
        ("pagewide-mfp-p57750", PrinterProtocol.IPP),
    ],
)
async def test_simulated_printer_end_to_end(
    session: aiohttp.ClientSession, name: str, protocol: PrinterProtocol
) -> None:
    """Probe, reads within the budget, and a jam seen by the next cheap
    refresh (the Smart Tank 580 serves https only and drops a third concurrent
    connection, so this also shows the transport's limit holds)."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter(name) as sim:
        printer = HPPrinter.from_url(sim.url, session, timeout=5)
        profile = await printer.probe()
        assert profile.protocols[0] is protocol
        assert profile.base_url == sim.base_url
        assert profile.ipp_url == sim.ipp_url

        with within(printer, most(protocol, "full", ipp=True)):
            snapshot = await printer.snapshot(profile)
        assert snapshot.ipp is not None
        # The UUID the printer announces over mDNS and IPP (for CDM printers
        # too, whose deviceUuid differs).
        assert snapshot.info.uuid == sim.state.identity.uuid
        with within(printer, most(protocol, "refresh", ipp=True)):
            quiet = await printer.snapshot(profile, previous=snapshot, full=False)
        assert not quiet.status.paper_jam

        sim.set_state(paper_jam=True)
        with within(printer, most(protocol, "changed", ipp=True)):
            jammed = await printer.snapshot(profile, previous=quiet, full=False)
        assert jammed.status.paper_jam
        assert jammed.status.has_problem

        sim.set_state(paper_jam=False, power_save=True)
        asleep = await printer.snapshot(profile, previous=jammed, full=False)
        assert not asleep.status.paper_jam
        # IPP has no power-save state to report; CDM and LEDM do.
        assert asleep.status.in_power_save is (protocol is not PrinterProtocol.IPP)


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("officejet-pro-9022e", PrinterProtocol.LEDM),
        ("smart-tank-580", PrinterProtocol.CDM),
    ],
)
async def test_cheap_refresh_notices_a_swapped_printer(
    session: aiohttp.ClientSession, name: str, protocol: PrinterProtocol
) -> None:
    """The Server header of the status document names the serial number; when
    another one answers, the cheap refresh reads everything instead."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter(name) as sim:
        printer = HPPrinter.from_url(sim.url, session, timeout=5)
        profile = await printer.probe()
        first = await printer.snapshot(profile)
        original = sim.state.identity
        assert first.info.serial_number == original.serial
        quiet = await printer.snapshot(profile, previous=first, full=False)
        assert quiet.info is first.info

        sim.state.swap(True)
        other = sim.state.identity
        assert other.serial != original.serial
        with within(printer, most(protocol, "swapped", ipp=True)):
            swapped = await printer.snapshot(profile, previous=quiet, full=False)
        assert swapped.info.serial_number == other.serial
        assert swapped.info.uuid == other.uuid != original.uuid
        assert swapped.info is not quiet.info

        with within(printer, most(protocol, "refresh", ipp=True)):
            again = await printer.snapshot(profile, previous=swapped, full=False)
        assert again.info is swapped.info


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("officejet-pro-9022e", PrinterProtocol.LEDM),
        ("smart-tank-580", PrinterProtocol.CDM),
    ],
)
async def test_swapped_printer_noticed_across_a_new_profile(
    session: aiohttp.ClientSession, name: str, protocol: PrinterProtocol
) -> None:
    """A new probe between two refreshes does not hide the swap: the serial
    seen before is still what the next refresh compares with."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter(name) as sim:
        printer = HPPrinter.from_url(sim.url, session, timeout=5)
        profile = await printer.probe()
        first = await printer.snapshot(profile)
        sim.state.swap(True)
        # Another listing of the protocol this printer does not speak: a
        # profile that differs, read the same way.
        unused = (
            "cdm_resources" if protocol is PrinterProtocol.LEDM else "ledm_resources"
        )
        reprobed = replace(profile, **{unused: ("/unused",)})
        assert reprobed != profile
        swapped = await printer.snapshot(reprobed, previous=first, full=False)
        assert swapped.info.serial_number == sim.state.identity.serial
        assert swapped.info.serial_number != first.info.serial_number


# --- identify ------------------------------------------------------------------------------


def ok_response(request_id: int) -> bytes:
    return codec.new_ipp_response(0, request_id).encode()


async def test_identify_when_supported(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    profile = Profile(
        base_url=f"http://{HOST}:80",
        protocols=(PrinterProtocol.IPP,),
        ipp_url=f"http://{HOST}:631/ipp/print",
    )
    sent: list[int] = []

    def answer(url: URL, **kwargs: Any) -> Any:
        from aioresponses import CallbackResult

        body: bytes = kwargs["data"]
        operation, request_id = struct.unpack(">HI", body[2:8])
        sent.append(operation)
        if operation == codec.IppOperation.GET_PRINTER_ATTRIBUTES:
            return CallbackResult(body=ipp_bytes("color-laserjet-mfp-m476dn"))
        return CallbackResult(body=ok_response(request_id))

    with aioresponses() as mocked:
        mocked.post(f"http://{HOST}:631/ipp/print", callback=answer, repeat=True)
        printer._profile = profile
        await printer.identify()  # fetches capabilities first
        await printer.identify()  # reuses them
    assert sent == [
        codec.IppOperation.GET_PRINTER_ATTRIBUTES,
        codec.IppOperation.IDENTIFY_PRINTER,
        codec.IppOperation.IDENTIFY_PRINTER,
    ]


async def test_identify_uses_snapshot_capabilities_and_reports_ipp_errors() -> None:
    snapshot, printer, _ = await snapshot_of("color-laserjet-mfp-m476dn")
    assert snapshot.ipp is not None
    assert snapshot.ipp.can_identify
    before = printer.request_count
    # The capture holds no Identify-Printer answer: the replay says
    # operation-not-supported, which surfaces as an IPP error.
    with pytest.raises(HPEWSIPPError):
        await printer.identify()
    assert printer.request_count == before + 1


async def test_identify_unsupported() -> None:
    _, printer, _ = await snapshot_of("laserjet-100-colormfp-m175nw")
    before = printer.request_count
    with pytest.raises(HPEWSUnsupportedError, match="Identify-Printer"):
        await printer.identify()
    assert printer.request_count == before

    envy = read_capture(CAPTURES / "envy-photo-7830")
    ledm_only = printer_for(envy)
    ledm_only._profile = profile_from_capture(envy)
    with pytest.raises(HPEWSUnsupportedError, match="does not speak IPP"):
        await ledm_only.identify()


async def test_identify_when_ipp_vanished() -> None:
    capture = read_capture(CAPTURES / "laserjet-100-colormfp-m175nw")
    printer = printer_for(replace(capture, ipp={}))
    printer._profile = profile_from_capture(capture)
    with pytest.raises(HPEWSUnsupportedError, match="gone"):
        await printer.identify()


async def test_identify_answer_missing(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    printer._profile = Profile(
        base_url=f"http://{HOST}:80",
        protocols=(PrinterProtocol.IPP,),
        ipp_url=f"http://{HOST}:631/ipp/print",
    )
    with aioresponses() as mocked:
        mocked.post(
            f"http://{HOST}:631/ipp/print", body=ipp_bytes("color-laserjet-mfp-m476dn")
        )
        mocked.post(f"http://{HOST}:631/ipp/print", status=404)
        with pytest.raises(HPEWSUnsupportedError, match="gone"):
            await printer.identify()


async def test_ipp_auth_error_is_not_swallowed(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    profile = Profile(
        base_url=f"http://{HOST}:80",
        protocols=(PrinterProtocol.LEDM, PrinterProtocol.IPP),
        ipp_url=f"http://{HOST}:631/ipp/print",
    )
    capture = read_capture(CAPTURES / "officejet-pro-9022e")
    with aioresponses() as mocked:
        for path, body in capture.http.items():
            mocked.get(f"http://{HOST}:80{path}", body=body)
        mocked.get(f"http://{HOST}:80/DevMgmt/ProductUsageDyn.xml", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/MediaHandlingDyn.xml", status=404)
        mocked.post(f"http://{HOST}:631/ipp/print", status=401)
        with pytest.raises(HPEWSAuthenticationError):
            await printer.snapshot(profile)


async def test_ipp_connection_error_degrades(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    profile = Profile(
        base_url=f"http://{HOST}:80",
        protocols=(PrinterProtocol.LEDM, PrinterProtocol.IPP),
        ipp_url=f"http://{HOST}:631/ipp/print",
    )
    capture = read_capture(CAPTURES / "officejet-pro-9022e")
    with aioresponses() as mocked:
        for path, body in capture.http.items():
            mocked.get(f"http://{HOST}:80{path}", body=body)
        mocked.get(f"http://{HOST}:80/DevMgmt/ProductUsageDyn.xml", status=404)
        mocked.get(f"http://{HOST}:80/DevMgmt/MediaHandlingDyn.xml", status=404)
        mocked.post(
            f"http://{HOST}:631/ipp/print", exception=aiohttp.ClientConnectionError()
        )
        snapshot = await printer.snapshot(profile)
    assert snapshot.ipp is None
    assert snapshot.info.model == "HP OfficeJet Pro 9022e"


async def test_connection_error_mid_snapshot_cancels_the_rest(
    session: aiohttp.ClientSession,
) -> None:
    printer = HPPrinter(HOST, session)
    profile = Profile(base_url=f"http://{HOST}:80", protocols=(PrinterProtocol.CDM,))
    with aioresponses() as mocked:
        mocked.get(
            f"http://{HOST}:80/cdm/system/v1/identity",
            exception=aiohttp.ClientConnectionError(),
        )
        with pytest.raises(HPEWSConnectionError):
            await printer.snapshot(profile)


# --- capture ---------------------------------------------------------------------------------


async def test_capture_round_trip_redacted(tmp_path: Path) -> None:
    source = read_capture(CAPTURES / "smart-tank-588")
    printer = printer_for(source)
    printer._profile = replace(
        profile_from_capture(source),
        cdm_resources=(
            "/cdm/system/v1/identity",
            "/cdm/print/v2/status",
            "/cdm/system/v1/statistics",
            "/cdm/ioConfig/v2/wirelessConfig",
        ),
    )
    taken = await printer.capture()
    write_capture(tmp_path / "out", taken)
    written = read_capture(tmp_path / "out")
    assert written == taken
    assert written.meta["format"] == 1
    assert written.meta["redacted"] is True
    assert written.meta["protocols"] == ["cdm"]
    assert written.meta["model"] == "HP Smart Tank 588"
    assert set(written.http) == {
        "/cdm/system/v1/identity",
        "/cdm/system/v1/status",
        "/cdm/alert/v1/alerts",
        "/cdm/supply/v1/suppliesPublic",
        "/cdm/deviceUsage/v1/lifetimeCounters",
        "/cdm/print/v2/status",
        "/cdm/system/v1/statistics",
    }  # servicesDiscovery was tried (404 in this capture); wirelessConfig never
    identity = written.http["/cdm/system/v1/identity"]
    assert b"CN00000588" not in identity
    assert b"5f0c3e2a-1b7d-4c1e-9a55-000000000588" not in identity

    # The redacted capture still replays to the same printer, minus identifiers.
    replayed = await printer_for(written).snapshot(profile_from_capture(written))
    assert replayed.info.model == "HP Smart Tank 588"
    assert replayed.info.serial_number is not None
    assert replayed.info.serial_number != "CN00000588"
    assert len(replayed.info.serial_number) == len("CN00000588")
    assert replayed.counters.total_pages == 10531


async def test_capture_of_ipp_printer() -> None:
    source = read_capture(CAPTURES / "color-laserjet-mfp-m476dn")
    printer = printer_for(source)
    written = await printer.capture()
    assert set(written.ipp) == {"Get-Printer-Attributes"}
    assert written.http == {}
    assert written.meta["ipp_path"] == "/ipp/print"
    assert written.meta["model"] == "HP Color LaserJet MFP M476dn"
    original = codec.decode_ipp(source.ipp["Get-Printer-Attributes"])
    redacted = codec.decode_ipp(written.ipp["Get-Printer-Attributes"])
    assert original.printer.value("printer-uuid") == (
        "urn:uuid:01234567-89ab-cdef-0123-456789abcdef"
    )
    new_uuid = redacted.printer.value("printer-uuid")
    assert isinstance(new_uuid, str)
    assert new_uuid.startswith("urn:uuid:")
    assert "01234567-89ab-cdef-0123-456789abcdef" not in new_uuid
    # Everything but the identifiers is unchanged.
    assert redacted.printer.value("printer-make-and-model") == (
        "HP Color LaserJet MFP M476dn"
    )
    assert len(redacted.printer) == len(original.printer)


def test_capture_paths_per_protocol() -> None:
    ledm = Profile(
        base_url="http://h:80",
        protocols=(PrinterProtocol.LEDM,),
        ledm_resources=(
            "/DevMgmt/ProductStatusDyn.xml",
            "/DevMgmt/MediaHandlingDyn.xml",
            "/IoMgmt/Adapters",
        ),
    )
    assert capture_paths(ledm) == [
        "/DevMgmt/DiscoveryTree.xml",
        "/DevMgmt/ProductStatusDyn.xml",
        "/DevMgmt/MediaHandlingDyn.xml",
    ]
    unknown = Profile(base_url="http://h:80", protocols=(PrinterProtocol.LEDM,))
    assert "/DevMgmt/MediaHandlingDyn.xml" not in capture_paths(unknown)
    assert len(capture_paths(unknown)) == 5
    assert (
        capture_paths(Profile(base_url="http://h:80", protocols=(PrinterProtocol.IPP,)))
        == []
    )


# --- credentials: only where they were configured and asked for ------------------------------


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server context with the simulator's self-signed printer certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*write_self_signed(tmp_path_factory.mktemp("tls")))
    return context


def test_credential_origins_follow_the_configuration() -> None:
    """The origins a printer's credentials may go to are the ones it is probed
    at; with HTTPS ticked not one of them is plain HTTP."""
    assert probe_origins("192.0.2.7", None, None) == [
        "http://192.0.2.7:80",
        "https://192.0.2.7:443",
        "http://192.0.2.7:631",
    ]
    assert probe_origins("192.0.2.7", 8443, "https") == [
        "https://192.0.2.7:8443",
        "https://192.0.2.7:443",
        "https://192.0.2.7:631",
    ]
    assert probe_origins("fe80::1", 8080, None) == [
        "http://[fe80::1]:8080",
        "https://[fe80::1]:8080",
        "http://[fe80::1]:80",
        "https://[fe80::1]:443",
        "http://[fe80::1]:631",
    ]


@pytest.mark.usefixtures("socket_enabled")
async def test_https_printer_never_sends_credentials_in_the_clear(
    session: aiohttp.ClientSession, tls_context: ssl.SSLContext
) -> None:
    """HTTPS ticked: the TLS origin that asks gets the credentials; a plain
    HTTP server of the same host that asks gets a refusal, and a probe aimed
    at a plain HTTP port never speaks HTTP to it at all."""
    secure = await Peer(challenge=True).start(tls_context)
    plain = await Peer(challenge=True).start()
    try:
        assert secure.server is not None
        printer = HPPrinter(
            "127.0.0.1",
            session,
            port=secure.server.port,
            scheme="https",
            username="admin",
            password="pw",
            timeout=2,
        )
        transport = printer._transport
        assert (await transport.get(secure.url())) is not None
        with pytest.raises(HPEWSAuthenticationError):
            await transport.get(plain.url())
        with pytest.raises(HPEWSAuthenticationError):
            await transport.post_ipp(plain.url("/ipp/print"), b"request")
        assert secure.seen == [None, TOKEN]
        assert plain.seen == [None, None]

        assert plain.server is not None
        misdirected = HPPrinter(
            "127.0.0.1",
            session,
            port=plain.server.port,
            scheme="https",
            username="admin",
            password="pw",
            timeout=2,
        )
        with pytest.raises(HPEWSError):
            await misdirected.probe()
        # TLS handshakes only: no HTTP request ever reached the plain server.
        assert plain.seen == [None, None]
    finally:
        await secure.close()
        await plain.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_credentials_never_reach_another_port_of_the_host(
    session: aiohttp.ClientSession,
) -> None:
    """A service on a port the printer was not configured for that asks for
    credentials (directly or at the end of the printer's redirect) gets none."""
    printer_peer = await Peer(challenge=True).start()
    other = await Peer(challenge=True).start()
    printer_peer.redirect_to = other.url("/login")
    try:
        assert printer_peer.server is not None
        printer = HPPrinter(
            "127.0.0.1",
            session,
            port=printer_peer.server.port,
            username="admin",
            password="pw",
        )
        assert (await printer._transport.get(printer_peer.url())) is not None
        with pytest.raises(HPEWSAuthenticationError):
            await printer._transport.get(other.url())
        with pytest.raises(HPEWSAuthenticationError):
            await printer._transport.get(printer_peer.url("/moved"))
    finally:
        await printer_peer.close()
        await other.close()
    assert printer_peer.seen == [None, TOKEN, TOKEN]
    assert other.seen == [None, None]


@pytest.mark.usefixtures("socket_enabled")
async def test_anonymous_identity_behind_a_locked_web_server(
    session: aiohttp.ClientSession,
) -> None:
    """The web server wants credentials, IPP does not: the identity comes from
    IPP, and the printer never sees an Authorization header while it is read;
    the same client's snapshot does send the credentials where asked."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter("officejet-pro-9022e") as sim:
        await sim.set_fault("auth", paths=["/DevMgmt/"])
        async with RecordingProxy(sim.base_url) as proxy:
            printer = HPPrinter(
                "127.0.0.1",
                session,
                port=proxy.port,
                username="admin",
                password="hp",
                timeout=5,
            )
            info = await printer.anonymous_identity()
            assert info.uuid == sim.state.identity.uuid
            assert proxy.authorizations == []
            assert printer.profile is None
            # Counted, with the attempts that never got to HTTP (TLS, 631).
            assert printer.request_count >= len(proxy.seen) > 0

            snapshot = await printer.snapshot()
            assert snapshot.info.serial_number == sim.state.identity.serial
            assert set(proxy.authorizations) == {
                "Basic " + base64.b64encode(b"admin:hp").decode()
            }


@pytest.mark.usefixtures("socket_enabled")
async def test_anonymous_identity_of_an_open_printer(
    session: aiohttp.ClientSession,
) -> None:
    """Nothing locked: the serial from ProductConfigDyn, the UUID from IPP."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter("officejet-pro-9022e") as sim:
        printer = HPPrinter.from_url(
            sim.url, session, username="admin", password="hp", timeout=5
        )
        info = await printer.anonymous_identity()
    assert info.uuid == sim.state.identity.uuid
    assert info.serial_number == sim.state.identity.serial


@pytest.mark.usefixtures("socket_enabled")
async def test_anonymous_identity_of_a_fully_locked_printer(
    session: aiohttp.ClientSession,
) -> None:
    """Everything wants credentials: the identity cannot be read, and none
    are sent to find out."""
    from simulator import SimulatedPrinter

    async with SimulatedPrinter("officejet-pro-9022e") as sim:
        await sim.set_fault("auth")
        async with RecordingProxy(sim.base_url) as proxy:
            printer = HPPrinter(
                "127.0.0.1",
                session,
                port=proxy.port,
                username="admin",
                password="hp",
                timeout=5,
            )
            with pytest.raises(HPEWSAuthenticationError):
                await printer.anonymous_identity()
            assert proxy.seen
            assert proxy.authorizations == []


async def test_anonymous_identity_of_a_capture() -> None:
    """A capture replay has no credentials; its identity reads as recorded
    (HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_decoded.txt)."""
    printer = printer_for(read_capture(CAPTURES / "color-laserjet-mfp-m476dn"))
    info = await printer.anonymous_identity()
    assert info.uuid == "01234567-89ab-cdef-0123-456789abcdef"
    assert info.model == "HP Color LaserJet MFP M476dn"
    assert printer.profile is None


CDM_IDENTITY = (
    FIXTURES / "cdm" / "HP-Smart-Tank-588__cdm_system_v1_identity_raw.json"
).read_bytes()
CDM_SERVICES = json.dumps(
    {
        "services": [
            {
                "serviceGun": "com.hp.cdm.service.system.version.1",
                "links": [{"rel": "identity", "href": "/cdm/system/v1/identity"}],
            }
        ]
    }
).encode()


@pytest.mark.parametrize("locked", [False, True], ids=["open", "identity-locked"])
async def test_anonymous_identity_of_a_cdm_printer_without_ipp(
    session: aiohttp.ClientSession, locked: bool
) -> None:
    """CDM identity read without credentials (HP-Smart-Tank-588 identity:
    deviceUuid 5f0c3e2a-...-000000000588, serial CN00000588); when the
    identity document wants credentials, nothing is known and none are sent."""
    printer = HPPrinter(HOST, session, username="admin", password="pw")
    with aioresponses() as mocked:
        mocked.get(f"http://{HOST}:80/cdm/servicesDiscovery", body=CDM_SERVICES)
        if locked:
            mocked.get(
                f"http://{HOST}:80/cdm/system/v1/identity",
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="HP"'},
            )
        else:
            mocked.get(f"http://{HOST}:80/cdm/system/v1/identity", body=CDM_IDENTITY)
        info = await printer.anonymous_identity()
        sent = [
            call.kwargs.get("headers") or {}
            for calls in mocked.requests.values()
            for call in calls
        ]
    assert sent
    assert all("Authorization" not in headers for headers in sent)
    if locked:
        assert info == PrinterInfo()
    else:
        assert info.uuid == "5f0c3e2a-1b7d-4c1e-9a55-000000000588"
        assert info.serial_number == "CN00000588"
