"""Maintenance actions: the lists from real captures, the writes, the refusals.

Expected values were read from the captures (tests/fixtures, INDEX.md): the
Smart Tank 750's InternalPrintCap.xml lists 19 job types, the Smart Tank
580-590's report list 19 reports and its calibration list one. The writes run
against the simulator, whose endpoints take the shapes those printers take.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from custom_components.hp_ews.client import (
    Capture,
    CaptureTransport,
    HPEWSMaintenanceError,
    HPEWSParseError,
    HPEWSUnsupportedError,
    HPPrinter,
    HttpTransport,
    MaintenanceAction,
    MaintenanceErrorReason,
    MaintenanceKind,
    PrinterProtocol,
    Profile,
    WriteRefusedError,
    maintenance,
)
from custom_components.hp_ews.client.maintenance import (
    parse_calibrations,
    parse_internal_print_cap,
    parse_reports,
)
from custom_components.hp_ews.client.transport import is_writable_path
from simulator.testing import simulated_printer  # noqa: F401
from tests.conftest import FIXTURES
from tests.recording_proxy import RecordingProxy

from .test_cli import run_async

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory

INTERNAL_PRINT_CAP = (
    FIXTURES / "ledm" / "HP-Smart-Tank-750__InternalPrintCap_reserialized.xml"
)
REPORTS = FIXTURES / "cdm" / "HP-Smart-Tank-580-590__cdm_report_v1_reports.json"
CALIBRATIONS = (
    FIXTURES / "cdm" / "HP-Smart-Tank-580-590__cdm_calibration_v1_calibrations.json"
)
IPDYN = "http://www.hp.com/schemas/imaging/con/ledm/internalprintdyn/2008/03/21"

# The JobType elements of the Smart Tank 750 capture, in document order.
ST750_JOB_TYPES = (
    "cleaningPage",
    "cleaningPageLevel2",
    "cleaningPageLevel3",
    "cleaningVerificationPage",
    "configurationPage",
    "wifiDirectGuide",
    "diagnosticsPage",
    "extendedConfigurationPage",
    "networkSummary",
    "networkDiagnosticPage",
    "wirelessNetworkPage",
    "wifiDirectPinCodePage",
    "pqDiagnosticsPage",
    "ribSmearCleaningPage",
    "eventLogReport",
    "webAccessReport",
    "webServicesInfoPage",
    "ePrintSetupPage",
    "privacyReport",
)
# reportId and localizedName of the Smart Tank 580-590 capture, in order.
ST580_REPORTS = (
    ("alignmentPage", "Alignment Page"),
    ("cleaningPage", "Cleaning Page"),
    ("cleaningPageLevel2", "Cleaning Page Level 2"),
    ("cleaningPageLevel3", "Cleaning Page Level 3"),
    ("cleaningVerificationPage", "Cleaning Verification Page"),
    ("configurationReport", "Printer Status Report"),
    ("diagnosticsReport", "Diagnostics Report"),
    ("eventLog", "Event Log Report"),
    ("extendedConfigurationPage", "Extended Self Test Page"),
    ("networkConfigurationReport", "Network Configuration Report"),
    ("networkSummaryPage", "Network Summary Page"),
    ("printQualityTestReport", "PQ Diagnostics Report"),
    ("paperFeedCleaningPage", "Paper Feed Cleaning Page"),
    ("ribSmearCleaningPage", "Rib Smear Cleaning Page"),
    ("webServicesInformationPage", "Web Services Info Page"),
    ("webAccessSummaryReport", "Web Access Summary Report"),
    ("wirelessNetworkPage", "Wireless Test Page"),
    ("wifiDirectGuide", "WiFi Direct Guide"),
    ("privacyLog", "Security and Privacy Report"),
)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


# --- parsing the captures ----------------------------------------------------------


def test_ledm_job_types_from_the_smart_tank_750() -> None:
    requests = parse_internal_print_cap(INTERNAL_PRINT_CAP.read_bytes())
    assert tuple(r.action.key for r in requests) == ST750_JOB_TYPES
    actions = {r.action.key: r.action for r in requests}
    assert actions["cleaningPage"] == MaintenanceAction(
        "cleaningPage", "Clean Printheads", MaintenanceKind.CLEAN_LEVEL_1
    )
    assert actions["cleaningPageLevel2"].kind is MaintenanceKind.CLEAN_LEVEL_2
    assert actions["cleaningPageLevel3"].kind is MaintenanceKind.CLEAN_LEVEL_3
    assert actions["configurationPage"].kind is MaintenanceKind.STATUS_REPORT
    assert actions["pqDiagnosticsPage"].kind is MaintenanceKind.PRINT_QUALITY_REPORT
    # Listed but not known here: kept, named as the printer names it.
    assert actions["wifiDirectPinCodePage"] == MaintenanceAction(
        "wifiDirectPinCodePage", "wifiDirectPinCodePage", MaintenanceKind.OTHER
    )
    assert actions["ePrintSetupPage"].kind is MaintenanceKind.OTHER


def test_ledm_request_is_a_post_naming_one_job_type() -> None:
    request = parse_internal_print_cap(INTERNAL_PRINT_CAP.read_bytes())[0]
    assert (request.method, request.path, request.content_type) == (
        "POST",
        "/DevMgmt/InternalPrintDyn.xml",
        "text/xml",
    )
    root = ET.fromstring(request.body)
    assert root.tag == f"{{{IPDYN}}}InternalPrintDyn"
    assert [(node.tag, node.text) for node in root] == [
        (f"{{{IPDYN}}}JobType", "cleaningPage")
    ]


def test_cdm_reports_from_the_smart_tank_580() -> None:
    requests = parse_reports(REPORTS.read_bytes())
    assert tuple((r.action.key, r.action.name) for r in requests) == ST580_REPORTS
    kinds = {r.action.key: r.action.kind for r in requests}
    assert kinds["configurationReport"] is MaintenanceKind.STATUS_REPORT
    assert kinds["printQualityTestReport"] is MaintenanceKind.PRINT_QUALITY_REPORT
    # printable "false" describes the cleaning reports; they are still offered.
    assert kinds["cleaningPage"] is MaintenanceKind.CLEAN_LEVEL_1
    assert kinds["alignmentPage"] is MaintenanceKind.ALIGNMENT_PAGE
    report = requests[5]
    assert (report.method, report.path, report.content_type) == (
        "PATCH",
        "/cdm/report/v1/print",
        "application/json",
    )
    assert json.loads(report.body) == {
        "state": "processing",
        "version": "1.0.0",
        "reportId": "configurationReport",
    }


def test_cdm_calibrations_from_the_smart_tank_580() -> None:
    (request,) = parse_calibrations(CALIBRATIONS.read_bytes())
    assert request.action == MaintenanceAction(
        "penAlignSemiauto", "Align Printheads", MaintenanceKind.ALIGN
    )
    assert (request.method, request.path) == (
        "PATCH",
        "/cdm/calibration/v1/calibration/penAlignSemiauto",
    )
    assert json.loads(request.body) == {
        "calibrationType": "penAlignSemiauto",
        "operationType": "calibration",
    }


def test_hostile_lists_are_bounded_and_filtered() -> None:
    reports = [{"reportId": f"report{i}"} for i in range(200)]
    reports[:0] = [
        "not an object",
        {"reportId": "../../reset/v1/systemReset"},
        {"reportId": "a" * 65},
        {"reportId": "cleaningPage", "version": "1.0.0; DROP"},
        {"reportId": "cleaningPage", "version": "9.9.9"},
        {"noId": True},
    ]
    requests = parse_reports(json.dumps({"reports": reports}).encode())
    # The first MAX_ACTIONS entries are read; five of them are not reports.
    assert len(requests) == maintenance.MAX_ACTIONS - 5
    first = requests[0]
    assert first.action.key == "cleaningPage"
    # A version that is not one is replaced; the duplicate is dropped.
    assert json.loads(first.body)["version"] == "1.0.0"
    assert requests[1].action.key == "report0"
    with pytest.raises(HPEWSParseError, match="not a list"):
        parse_reports(b'{"reports": {}}')
    with pytest.raises(HPEWSParseError, match="not a list"):
        parse_calibrations(b"{}")
    calibration = parse_calibrations(
        b'{"calibrations": [{"calibrationType": "x/../../reboot"},'
        b' {"calibrationType": "colorCal"}, {"calibrationType": "colorCal"}]}'
    )
    assert [r.path for r in calibration] == ["/cdm/calibration/v1/calibration/colorCal"]
    assert calibration[0].action.kind is MaintenanceKind.OTHER


def test_ledm_list_is_filtered_and_checked() -> None:
    body = (
        f'<c:InternalPrintCap xmlns:c="http://www.hp.com/schemas/imaging/con/ledm/'
        f'internalprintcap/2008/03/21" xmlns:d="{IPDYN}"><c:JobTypesSupport>'
        "<d:JobType>cleaningPage</d:JobType><d:JobType>cleaningPage</d:JobType>"
        "<d:JobType>a&lt;b</d:JobType><d:JobType/><other>demoPage</other>"
        "</c:JobTypesSupport></c:InternalPrintCap>"
    ).encode()
    assert [r.action.key for r in parse_internal_print_cap(body)] == ["cleaningPage"]
    with pytest.raises(HPEWSParseError, match="InternalPrintCap"):
        parse_internal_print_cap(
            (
                FIXTURES / "ledm" / "HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml"
            ).read_bytes()
        )


# --- the write policy --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "writable"),
    [
        ("POST", "/DevMgmt/InternalPrintDyn.xml", True),
        ("PUT", "/DevMgmt/InternalPrintDyn.xml", False),
        ("DELETE", "/DevMgmt/InternalPrintDyn.xml", False),
        ("POST", "/DevMgmt/InternalPrintCap.xml", False),
        ("POST", "/DevMgmt/ProductConfigDyn.xml", False),
        ("PATCH", "/cdm/report/v1/print", True),
        ("POST", "/cdm/report/v1/print", False),
        ("PUT", "/cdm/report/v1/print", False),
        ("PATCH", "/cdm/report/v1/reports", False),
        ("PATCH", "/cdm/report/v1/print/extra", False),
        ("PATCH", "/cdm/calibration/v1/calibration/penAlignSemiauto", True),
        ("POST", "/cdm/calibration/v1/calibration/penAlignSemiauto", False),
        ("PATCH", "/cdm/calibration/v1/calibrations", False),
        ("PATCH", "/cdm/calibration/v1/calibration/a/b", False),
        ("PATCH", "/cdm/calibration/v1/calibration/..", False),
        ("PATCH", "/cdm/system/v1/configuration", False),
        ("POST", "/cdm/power/v1/reboot", False),
    ],
)
def test_maintenance_paths_in_the_write_policy(
    method: str, path: str, writable: bool
) -> None:
    assert is_writable_path(method, path) is writable


@pytest.mark.usefixtures("socket_enabled")
async def test_neighbouring_writes_are_refused_before_sending(
    session: aiohttp.ClientSession,
) -> None:
    transport = HttpTransport(session, "127.0.0.1")
    for method, path in (
        ("PUT", "/DevMgmt/InternalPrintDyn.xml"),
        ("PATCH", "/cdm/report/v1/reports"),
    ):
        with pytest.raises(WriteRefusedError):
            await transport.exchange(method, f"http://127.0.0.1:9{path}", body=b"x")
    assert transport.request_count == 0


# --- against the simulator ---------------------------------------------------------


async def _printer(
    factory: PrinterFactory, session: aiohttp.ClientSession, profile: str
) -> tuple[SimulatedPrinter, HPPrinter]:
    sim = await factory(profile)
    return sim, HPPrinter.from_url(sim.url, session, timeout=5)


def _maintenance_jobs(sim: SimulatedPrinter) -> list[tuple[str, dict[str, Any]]]:
    return [
        (job.name, job.attributes) for job in sim.jobs if job.source == "maintenance"
    ]


@pytest.mark.usefixtures("socket_enabled")
async def test_ledm_printer_lists_and_runs_a_cleaning(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim, printer = await _printer(simulated_printer, session, "officejet-pro-9022e")
    actions = await printer.maintenance_actions()
    assert tuple(action.key for action in actions) == ST750_JOB_TYPES
    await printer.run_maintenance("cleaningPageLevel2")
    assert _maintenance_jobs(sim) == [
        ("cleaningPageLevel2", {"family": "ledm", "kind": "internal_print"})
    ]
    await sim.wait_for_jobs()
    async with session.get(f"{sim.url}/_sim/jobs") as answer:
        (job,) = await answer.json()
    assert (job["source"], job["name"], job["state"]) == (
        "maintenance",
        "cleaningPageLevel2",
        "completed",
    )


@pytest.mark.usefixtures("socket_enabled")
async def test_cdm_printer_runs_a_report_and_a_calibration(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim, printer = await _printer(simulated_printer, session, "smart-tank-580")
    # Not listed first: run_maintenance reads the list itself.
    await printer.run_maintenance("configurationReport")
    await sim.wait_for_jobs()
    actions = await printer.maintenance_actions()
    assert tuple((a.key, a.name) for a in actions) == (
        *ST580_REPORTS,
        ("penAlignSemiauto", "Align Printheads"),
    )
    await printer.run_maintenance("penAlignSemiauto")
    assert _maintenance_jobs(sim) == [
        ("configurationReport", {"family": "cdm", "kind": "report"}),
        ("penAlignSemiauto", {"family": "cdm", "kind": "calibration"}),
    ]
    with pytest.raises(HPEWSUnsupportedError, match="does not offer"):
        await printer.run_maintenance("systemReset")


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    "profile", ["color-laserjet-pro-m255dw", "pagewide-mfp-p57750"]
)
async def test_printers_without_a_list_offer_nothing(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    profile: str,
) -> None:
    _sim, printer = await _printer(simulated_printer, session, profile)
    assert await printer.maintenance_actions() == ()


@pytest.mark.usefixtures("socket_enabled")
async def test_running_sends_exactly_one_write(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim = await simulated_printer("envy-4520")
    async with RecordingProxy(sim.base_url) as wire:
        printer = HPPrinter("127.0.0.1", session, port=wire.port, timeout=5)
        await printer.maintenance_actions()
        await printer.run_maintenance("pqDiagnosticsPage")
    # The probe asks IPP for the printer's attributes (a POST by protocol).
    writes = [
        (seen.method, seen.path)
        for seen in wire.seen
        if seen.method != "GET" and not seen.path.startswith("/ipp/")
    ]
    assert writes == [("POST", "/DevMgmt/InternalPrintDyn.xml")]


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("profile", "key", "condition"),
    [
        ("officejet-pro-9022e", "cleaningPage", "paper_jam"),
        ("officejet-pro-9022e", "cleaningPage", "out_of_paper"),
        ("smart-tank-580", "cleaningPage", "door_open"),
        ("smart-tank-580", "configurationReport", "out_of_paper"),
    ],
)
async def test_a_blocked_printer_is_not_written_to(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    profile: str,
    key: str,
    condition: str,
) -> None:
    sim, printer = await _printer(simulated_printer, session, profile)
    sim.set_state(**{condition: True})
    with pytest.raises(HPEWSMaintenanceError) as caught:
        await printer.run_maintenance(key)
    assert caught.value.reason is MaintenanceErrorReason(condition)
    assert sim.jobs == []


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("profile", "key"),
    [("officejet-pro-9022e", "cleaningPage"), ("smart-tank-580", "eventLog")],
)
async def test_asleep_and_busy_printers_refuse(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    profile: str,
    key: str,
) -> None:
    sim, printer = await _printer(simulated_printer, session, profile)
    sim.set_state(power_save=True)
    with pytest.raises(HPEWSMaintenanceError, match="asleep") as caught:
        await printer.run_maintenance(key)
    assert caught.value.reason is MaintenanceErrorReason.ASLEEP
    assert sim.jobs == []
    sim.set_state(power_save=False, page_seconds=30)
    await printer.run_maintenance(key)
    with pytest.raises(HPEWSMaintenanceError, match="busy") as caught:
        await printer.run_maintenance(key)
    assert caught.value.reason is MaintenanceErrorReason.BUSY
    assert len(sim.jobs) == 1


@pytest.mark.usefixtures("socket_enabled")
async def test_a_refusal_keeps_the_printers_words(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim, printer = await _printer(simulated_printer, session, "officejet-pro-9022e")
    await sim.set_fault(
        "http_error", status=500, paths=["/DevMgmt/InternalPrintDyn.xml"], count=1
    )
    with pytest.raises(HPEWSMaintenanceError, match="HTTP 500: 500 simulated") as err:
        await printer.run_maintenance("configurationPage")
    assert err.value.reason is MaintenanceErrorReason.FAILED


@pytest.mark.usefixtures("socket_enabled")
async def test_a_late_answer_is_not_sent_again(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maintenance, "WRITE_TIMEOUT", 0.2)
    sim, printer = await _printer(simulated_printer, session, "smart-tank-580")
    await printer.maintenance_actions()
    await sim.set_fault("delay", seconds=1, paths=["/cdm/report/v1/print"], count=1)
    with pytest.raises(HPEWSMaintenanceError, match="may still run it") as caught:
        await printer.run_maintenance("printQualityTestReport")
    assert caught.value.reason is MaintenanceErrorReason.NO_ANSWER
    # Not sent again: a second PATCH (the delay applied once) would have run.
    await asyncio.sleep(0.2)
    assert sim.jobs == []


@pytest.mark.usefixtures("socket_enabled")
async def test_report_state_reads_back(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    """GET /cdm/report/v1/print: idle, then the running report, then its result."""
    sim, printer = await _printer(simulated_printer, session, "smart-tank-580")
    url = f"{sim.url}/cdm/report/v1/print"

    async def state() -> Any:
        async with session.get(url, ssl=False) as answer:
            return await answer.json()

    assert await state() == {"version": "1.0.0", "state": "idle"}
    sim.set_state(page_seconds=0.5)
    await printer.run_maintenance("wifiDirectGuide")
    assert await state() == {
        "version": "1.0.0",
        "state": "processing",
        "reportId": "wifiDirectGuide",
    }
    await sim.wait_for_jobs()
    assert await state() == {
        "version": "1.0.0",
        "state": "idle",
        "reportId": "wifiDirectGuide",
        "lastResult": "success",
    }


# --- command line -------------------------------------------------------------------


@pytest.mark.usefixtures("socket_enabled")
async def test_cli_lists_and_runs(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    code, out, err = await run_async(capsys, "maintenance", sim.url, "--json")
    assert code == 0, err
    listed = json.loads(out)["actions"]
    assert [entry["key"] for entry in listed] == list(ST750_JOB_TYPES)
    assert listed[0] == {
        "key": "cleaningPage",
        "name": "Clean Printheads",
        "kind": "clean_level_1",
    }
    code, out, err = await run_async(capsys, "maintenance", sim.url)
    assert code == 0, err
    assert out.splitlines()[4] == "configurationPage\tPrinter Status Report"
    code, out, err = await run_async(
        capsys, "maintenance", sim.url, "configurationPage"
    )
    assert (code, out.strip()) == (0, "Started configurationPage")
    await sim.wait_for_jobs()
    code, out, err = await run_async(
        capsys, "maintenance", sim.url, "diagnosticsPage", "--json"
    )
    assert json.loads(out) == {"key": "diagnosticsPage", "started": True}
    assert [job.name for job in sim.jobs] == ["configurationPage", "diagnosticsPage"]
    sim.set_state(paper_jam=True)
    code, out, err = await run_async(capsys, "maintenance", sim.url, "cleaningPage")
    assert (code, err.strip()) == (1, "error: The printer has a paper jam")


@pytest.mark.usefixtures("socket_enabled")
async def test_cli_says_when_nothing_is_offered(
    capsys: pytest.CaptureFixture[str],
    simulated_printer: PrinterFactory,  # noqa: F811
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    code, out, _ = await run_async(capsys, "maintenance", sim.url)
    assert (code, out.strip()) == (0, "The printer offers no maintenance actions")


@pytest.mark.usefixtures("socket_enabled")
async def test_an_unreadable_status_does_not_block(
    simulated_printer: PrinterFactory,  # noqa: F811
    session: aiohttp.ClientSession,
) -> None:
    sim, printer = await _printer(simulated_printer, session, "smart-tank-580")
    await printer.maintenance_actions()
    await sim.set_fault(
        "http_error", status=404, paths=["/cdm/system/v1/status"], count=1
    )
    await printer.run_maintenance("networkSummaryPage")
    assert [name for name, _ in _maintenance_jobs(sim)] == ["networkSummaryPage"]


async def test_ipp_only_printers_have_no_status_to_read() -> None:
    # IPP-only: nothing is asked (the capture transport would answer nothing).
    transport = CaptureTransport(Capture())
    profile = Profile("http://192.0.2.1", (PrinterProtocol.IPP,))
    assert await maintenance.read_status(transport, profile) is None
    assert await maintenance.read_requests(transport, profile) == ()
    assert transport.request_count == 0


async def test_a_printer_speaking_both_is_asked_in_ledm_when_cdm_has_none() -> None:
    # An LEDM inkjet that serves a few CDM documents but no CDM report list.
    capture = Capture(
        http={"/DevMgmt/InternalPrintCap.xml": INTERNAL_PRINT_CAP.read_bytes()}
    )
    transport = CaptureTransport(capture)
    profile = Profile("http://192.0.2.1", (PrinterProtocol.LEDM, PrinterProtocol.CDM))
    requests = await maintenance.read_requests(transport, profile)
    assert tuple(r.action.key for r in requests) == ST750_JOB_TYPES
    assert transport.request_count == 3
