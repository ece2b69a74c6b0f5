"""Maintenance the printer itself offers: reports, printhead cleaning, alignment.

What a printer offers is read from the printer, never assumed:

* LEDM: ``GET /DevMgmt/InternalPrintCap.xml`` lists the internal print job
  types (``cleaningPage``, ``configurationPage``, ``pqDiagnosticsPage`` ...);
  ``POST /DevMgmt/InternalPrintDyn.xml`` with an ``InternalPrintDyn``
  naming one ``JobType`` runs it (the body a Smart Tank 750 answered 201 to;
  the capability document is not in DiscoveryTree, so it is asked for
  directly). A busy printer answers 503.
* CDM: ``GET /cdm/report/v1/reports`` lists the reports (cleaning levels
  among them); ``PATCH /cdm/report/v1/print`` with ``state``, the report's
  ``version`` and ``reportId`` prints one (204 after a few seconds, 409 while
  another runs, 400 for an id the printer does not list).
  ``GET /cdm/calibration/v1/calibrations`` lists calibrations; ``PATCH
  /cdm/calibration/v1/calibration/<type>`` with ``calibrationType`` and
  ``operationType`` runs one (Smart Tank 580-590 measurements and its own web
  application, read by kou147258/ha-hp-printers-cn).
* IPP offers none of these: IPP-only printers list nothing.

These are writes, so they go through ``PrinterTransport.exchange`` to the
paths ``transport.WRITABLE_PATHS`` names and nowhere else, and only when a
user asks (never on a refresh). Before writing, the status is read once: a
jam, an open door or an empty tray refuses the job here, and the status tells
a busy printer from a sleeping one when the printer refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
import json
import logging
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape

from .errors import (
    HPEWSMaintenanceError,
    HPEWSParseError,
    HPEWSTimeoutError,
    MaintenanceErrorReason,
)
from .models import MAX_TEXT, PrinterProtocol, PrinterStatus
from .protocols import cdm, ledm
from .protocols.cdm import _load as load_json
from .protocols.xmlsafe import child, is_hp_element, iter_children, parse_xml, text
from .readers.base import parse_optional
from .status import merge_status

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from .models import Profile
    from .transport import PrinterTransport

_LOGGER = logging.getLogger(__name__)

INTERNAL_PRINT_CAP: Final = "/DevMgmt/InternalPrintCap.xml"
INTERNAL_PRINT_DYN: Final = "/DevMgmt/InternalPrintDyn.xml"
INTERNAL_PRINT_NS: Final = (
    "http://www.hp.com/schemas/imaging/con/ledm/internalprintdyn/2008/03/21"
)
REPORTS: Final = "/cdm/report/v1/reports"
REPORT_PRINT: Final = "/cdm/report/v1/print"
CALIBRATIONS: Final = "/cdm/calibration/v1/calibrations"
CALIBRATION: Final = "/cdm/calibration/v1/calibration/"
"""Prefix of one calibration's resource; the type follows."""

MAX_ACTIONS: Final = 64
"""Most actions read from a printer; real ones list about twenty."""
WRITE_TIMEOUT: Final = 30.0
"""Seconds a maintenance write may take: a report PATCH answers after 3 s+,
a print-quality report later still (it does its work before answering)."""
_ERROR_TEXT: Final = 200
"""Characters of a refusal's body kept in the error message."""
_REFUSED_BUSY: Final = frozenset({409, 503})
"""CDM answers 409 while another report runs; LEDM firmware answers 503."""
# Ids become URL path segments, XML text and entity ids: letters and digits.
_ID: Final = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
_VERSION: Final = re.compile(r"[0-9][0-9.]{0,15}")
_DEFAULT_VERSION: Final = "1.0.0"


class MaintenanceKind(StrEnum):
    """What a maintenance action does, whatever the printer calls it."""

    STATUS_REPORT = "status_report"
    PRINT_QUALITY_REPORT = "print_quality_report"
    CLEAN_LEVEL_1 = "clean_level_1"
    CLEAN_LEVEL_2 = "clean_level_2"
    CLEAN_LEVEL_3 = "clean_level_3"
    CLEANING_VERIFICATION = "cleaning_verification"
    ALIGN = "align"
    ALIGNMENT_PAGE = "alignment_page"
    PAPER_FEED_CLEANING = "paper_feed_cleaning"
    SMEAR_CLEANING = "smear_cleaning"
    DIAGNOSTICS_REPORT = "diagnostics_report"
    EXTENDED_REPORT = "extended_report"
    EVENT_LOG = "event_log"
    NETWORK_REPORT = "network_report"
    NETWORK_SUMMARY = "network_summary"
    NETWORK_DIAGNOSTICS = "network_diagnostics"
    WIRELESS_TEST = "wireless_test"
    WEB_SERVICES_REPORT = "web_services_report"
    WEB_ACCESS_REPORT = "web_access_report"
    PRIVACY_REPORT = "privacy_report"
    WIFI_DIRECT_GUIDE = "wifi_direct_guide"
    OTHER = "other"
    """Listed by the printer, not known here; its name is the printer's."""


# LEDM job types and CDM report ids as the captures spell them.
_KINDS: Final[Mapping[str, MaintenanceKind]] = MappingProxyType(
    {
        "configurationPage": MaintenanceKind.STATUS_REPORT,
        "configurationReport": MaintenanceKind.STATUS_REPORT,
        "pqDiagnosticsPage": MaintenanceKind.PRINT_QUALITY_REPORT,
        "printQualityTestReport": MaintenanceKind.PRINT_QUALITY_REPORT,
        "cleaningPage": MaintenanceKind.CLEAN_LEVEL_1,
        "cleaningPageLevel2": MaintenanceKind.CLEAN_LEVEL_2,
        "cleaningPageLevel3": MaintenanceKind.CLEAN_LEVEL_3,
        "cleaningVerificationPage": MaintenanceKind.CLEANING_VERIFICATION,
        "penAlignSemiauto": MaintenanceKind.ALIGN,
        "alignmentPage": MaintenanceKind.ALIGNMENT_PAGE,
        "paperFeedCleaningPage": MaintenanceKind.PAPER_FEED_CLEANING,
        "ribSmearCleaningPage": MaintenanceKind.SMEAR_CLEANING,
        "diagnosticsPage": MaintenanceKind.DIAGNOSTICS_REPORT,
        "diagnosticsReport": MaintenanceKind.DIAGNOSTICS_REPORT,
        "extendedConfigurationPage": MaintenanceKind.EXTENDED_REPORT,
        "eventLogReport": MaintenanceKind.EVENT_LOG,
        "eventLog": MaintenanceKind.EVENT_LOG,
        "networkConfigurationReport": MaintenanceKind.NETWORK_REPORT,
        "networkSummary": MaintenanceKind.NETWORK_SUMMARY,
        "networkSummaryPage": MaintenanceKind.NETWORK_SUMMARY,
        "networkDiagnosticPage": MaintenanceKind.NETWORK_DIAGNOSTICS,
        "wirelessNetworkPage": MaintenanceKind.WIRELESS_TEST,
        "webServicesInfoPage": MaintenanceKind.WEB_SERVICES_REPORT,
        "webServicesInformationPage": MaintenanceKind.WEB_SERVICES_REPORT,
        "webAccessReport": MaintenanceKind.WEB_ACCESS_REPORT,
        "webAccessSummaryReport": MaintenanceKind.WEB_ACCESS_REPORT,
        "privacyReport": MaintenanceKind.PRIVACY_REPORT,
        "privacyLog": MaintenanceKind.PRIVACY_REPORT,
        "wifiDirectGuide": MaintenanceKind.WIFI_DIRECT_GUIDE,
    }
)

# LEDM names nothing; these are the names CDM printers give the same reports.
_NAMES: Final[Mapping[MaintenanceKind, str]] = MappingProxyType(
    {
        MaintenanceKind.STATUS_REPORT: "Printer Status Report",
        MaintenanceKind.PRINT_QUALITY_REPORT: "Print Quality Report",
        MaintenanceKind.CLEAN_LEVEL_1: "Clean Printheads",
        MaintenanceKind.CLEAN_LEVEL_2: "Clean Printheads Level 2",
        MaintenanceKind.CLEAN_LEVEL_3: "Clean Printheads Level 3",
        MaintenanceKind.CLEANING_VERIFICATION: "Cleaning Verification Page",
        MaintenanceKind.ALIGN: "Align Printheads",
        MaintenanceKind.ALIGNMENT_PAGE: "Alignment Page",
        MaintenanceKind.PAPER_FEED_CLEANING: "Paper Feed Cleaning Page",
        MaintenanceKind.SMEAR_CLEANING: "Smear Cleaning Page",
        MaintenanceKind.DIAGNOSTICS_REPORT: "Diagnostics Report",
        MaintenanceKind.EXTENDED_REPORT: "Extended Configuration Report",
        MaintenanceKind.EVENT_LOG: "Event Log Report",
        MaintenanceKind.NETWORK_REPORT: "Network Configuration Report",
        MaintenanceKind.NETWORK_SUMMARY: "Network Summary Page",
        MaintenanceKind.NETWORK_DIAGNOSTICS: "Network Diagnostic Page",
        MaintenanceKind.WIRELESS_TEST: "Wireless Test Page",
        MaintenanceKind.WEB_SERVICES_REPORT: "Web Services Info Page",
        MaintenanceKind.WEB_ACCESS_REPORT: "Web Access Report",
        MaintenanceKind.PRIVACY_REPORT: "Security and Privacy Report",
        MaintenanceKind.WIFI_DIRECT_GUIDE: "Wi-Fi Direct Guide",
    }
)


@dataclass(frozen=True, slots=True)
class MaintenanceAction:
    """One thing the printer offers to do for its own upkeep."""

    key: str
    """The printer's id (LEDM job type, CDM report id or calibration type)."""
    name: str
    """The printer's own name for it (CDM), else an English one."""
    kind: MaintenanceKind


@dataclass(frozen=True, slots=True)
class MaintenanceRequest:
    """An action and the one write that runs it."""

    action: MaintenanceAction
    method: str
    path: str
    body: bytes
    content_type: str


def kind_of(key: str) -> MaintenanceKind:
    """The kind of a job type, report id or calibration type."""
    return _KINDS.get(key, MaintenanceKind.OTHER)


def _action(key: str, name: str | None) -> MaintenanceAction:
    kind = kind_of(key)
    return MaintenanceAction(key, name or _NAMES.get(kind, key), kind)


# --- LEDM --------------------------------------------------------------------------


def parse_internal_print_cap(data: bytes) -> tuple[MaintenanceRequest, ...]:
    """The job types ``InternalPrintCap.xml`` lists, each with its POST."""
    root = parse_xml(data)
    if not is_hp_element(root, "InternalPrintCap"):
        raise HPEWSParseError(f"expected an InternalPrintCap document, got {root.tag}")
    requests: dict[str, MaintenanceRequest] = {}
    support = child(root, "JobTypesSupport")
    for node in islice(iter_children(support, "JobType"), MAX_ACTIONS):
        key = text(node)
        if key is None or key in requests or not _ID.fullmatch(key):
            continue
        requests[key] = MaintenanceRequest(
            _action(key, None),
            "POST",
            INTERNAL_PRINT_DYN,
            _internal_print_body(key),
            "text/xml",
        )
    return tuple(requests.values())


def _internal_print_body(job_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<ipdyn:InternalPrintDyn xmlns:ipdyn="{INTERNAL_PRINT_NS}">'
        f"<ipdyn:JobType>{escape(job_type)}</ipdyn:JobType>"
        "</ipdyn:InternalPrintDyn>"
    ).encode()


# --- CDM ---------------------------------------------------------------------------


def _entries(document: Mapping[str, Any], name: str) -> Iterator[Mapping[str, Any]]:
    value = document.get(name)
    if not isinstance(value, list):
        raise HPEWSParseError(f"CDM {name} is not a list")
    return (entry for entry in islice(value, MAX_ACTIONS) if isinstance(entry, dict))


def _string(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:MAX_TEXT].rstrip() or None


def parse_reports(data: bytes) -> tuple[MaintenanceRequest, ...]:
    """The reports ``/cdm/report/v1/reports`` lists, each with its PATCH.

    Every listed report is offered: ``printable: "false"`` (the cleaning
    levels) describes the report, it does not forbid running it.
    """
    requests: dict[str, MaintenanceRequest] = {}
    for entry in _entries(load_json(data), "reports"):
        key = _string(entry.get("reportId"))
        if key is None or key in requests or not _ID.fullmatch(key):
            continue
        version = _string(entry.get("version"))
        if version is None or not _VERSION.fullmatch(version):
            version = _DEFAULT_VERSION
        body = {"state": "processing", "version": version, "reportId": key}
        requests[key] = MaintenanceRequest(
            _action(key, _string(entry.get("localizedName"))),
            "PATCH",
            REPORT_PRINT,
            json.dumps(body).encode(),
            "application/json",
        )
    return tuple(requests.values())


def parse_calibrations(data: bytes) -> tuple[MaintenanceRequest, ...]:
    """The calibrations ``/cdm/calibration/v1/calibrations`` lists, with their PATCH.

    The resource is built from the type rather than taken from the listed
    link, so the write goes where ``WRITABLE_PATHS`` allows and nowhere else.
    """
    requests: dict[str, MaintenanceRequest] = {}
    for entry in _entries(load_json(data), "calibrations"):
        key = _string(entry.get("calibrationType"))
        if key is None or key in requests or not _ID.fullmatch(key):
            continue
        body = {"calibrationType": key, "operationType": "calibration"}
        requests[key] = MaintenanceRequest(
            _action(key, None),
            "PATCH",
            CALIBRATION + key,
            json.dumps(body).encode(),
            "application/json",
        )
    return tuple(requests.values())


# --- reading and running -----------------------------------------------------------


async def read_requests(
    transport: PrinterTransport, profile: Profile
) -> tuple[MaintenanceRequest, ...]:
    """Everything the printer offers, in its order; () when it offers nothing.

    A missing or malformed list counts as an empty one: a printer without the
    interface gets no actions, not an error. A printer that answers both
    (LEDM inkjets that serve a few CDM documents) is asked in CDM first.
    """
    found: list[MaintenanceRequest] = []
    if PrinterProtocol.CDM in profile.protocols:
        for path, parser in (
            (REPORTS, parse_reports),
            (CALIBRATIONS, parse_calibrations),
        ):
            response = await transport.get(profile.base_url + path)
            body = None if response is None else response.body
            found.extend(parse_optional(parser, body) or ())
    if not found and PrinterProtocol.LEDM in profile.protocols:
        response = await transport.get(profile.base_url + INTERNAL_PRINT_CAP)
        body = None if response is None else response.body
        found.extend(parse_optional(parse_internal_print_cap, body) or ())
    unique: dict[str, MaintenanceRequest] = {}
    for request in found:
        unique.setdefault(request.action.key, request)
    return tuple(unique.values())[:MAX_ACTIONS]


async def read_status(
    transport: PrinterTransport, profile: Profile
) -> PrinterStatus | None:
    """The printer's own status now; None when it does not say."""
    if PrinterProtocol.CDM in profile.protocols:
        base = profile.base_url
        own_response = await transport.get(base + cdm.SYSTEM_STATUS)
        own = parse_optional(
            cdm.parse_system_status, None if own_response is None else own_response.body
        )
        if own is None:
            return None
        alerts_response = await transport.get(base + cdm.ALERTS)
        alerts = parse_optional(
            cdm.parse_alerts, None if alerts_response is None else alerts_response.body
        )
        return merge_status(own, alerts) if alerts else own
    if PrinterProtocol.LEDM in profile.protocols:
        response = await transport.get(profile.base_url + ledm.PRODUCT_STATUS)
        return parse_optional(
            ledm.parse_product_status, None if response is None else response.body
        )
    return None


def _blocker(status: PrinterStatus | None) -> HPEWSMaintenanceError | None:
    """The condition that stops any internal job, if one is active."""
    if status is None:
        return None
    if status.paper_jam:
        return HPEWSMaintenanceError(
            "The printer has a paper jam", MaintenanceErrorReason.PAPER_JAM
        )
    if status.door_open:
        return HPEWSMaintenanceError(
            "A door or cover of the printer is open", MaintenanceErrorReason.DOOR_OPEN
        )
    if status.out_of_paper:
        return HPEWSMaintenanceError(
            "The printer is out of paper", MaintenanceErrorReason.OUT_OF_PAPER
        )
    return None


async def run_request(
    transport: PrinterTransport, profile: Profile, request: MaintenanceRequest
) -> None:
    """Run one action: check the status, then send its write once.

    A write that times out is not sent again: the printer may be running it
    (a second one would print a second report).

    Raises:
        HPEWSMaintenanceError: the printer is jammed, open, out of paper,
            busy or asleep, did not answer in time, or refused the job.
        HPEWSAuthenticationError: the printer wants (other) credentials.
        HPEWSConnectionError: the printer could not be reached.
    """
    status = await read_status(transport, profile)
    if (blocked := _blocker(status)) is not None:
        raise blocked
    name = request.action.name
    try:
        response = await transport.exchange(
            request.method,
            profile.base_url + request.path,
            body=request.body,
            content_type=request.content_type,
            request_timeout=WRITE_TIMEOUT,
        )
    except HPEWSTimeoutError as err:
        raise HPEWSMaintenanceError(
            f"The printer did not confirm {name!r} in time; it may still run it",
            MaintenanceErrorReason.NO_ANSWER,
        ) from err
    if 200 <= response.status < 300:
        _LOGGER.debug("%s: %s accepted", profile.base_url, request.action.key)
        return
    detail = response.body[:_ERROR_TEXT].decode("utf-8", "replace").strip()
    explanation = f"HTTP {response.status}" + (f": {detail}" if detail else "")
    if response.status in _REFUSED_BUSY:
        if status is not None and status.in_power_save:
            raise HPEWSMaintenanceError(
                f"The printer is asleep and refused {name!r} ({explanation})",
                MaintenanceErrorReason.ASLEEP,
            )
        raise HPEWSMaintenanceError(
            f"The printer is busy and refused {name!r} ({explanation})",
            MaintenanceErrorReason.BUSY,
        )
    raise HPEWSMaintenanceError(
        f"The printer refused {name!r} ({explanation})", MaintenanceErrorReason.FAILED
    )
