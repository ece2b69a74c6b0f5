"""Maintenance jobs: LEDM internal print jobs, CDM reports and calibrations.

What a profile offers is its captured list (``/DevMgmt/InternalPrintCap.xml``,
``/cdm/report/v1/reports``, ``/cdm/calibration/v1/calibrations``, served as
documents like any other); running one is the write the real firmware takes:

* ``POST /DevMgmt/InternalPrintDyn.xml``, an XML body naming one ``JobType``
  in the internalprintdyn namespace (root ``InternalPrintDyn`` as a Smart
  Tank 750 took it, or HPLIP's ``InternalPrintCap``) -> 201;
* ``PATCH /cdm/report/v1/print`` with ``state``, ``version``, ``reportId``
  -> 204, 400 for a report the printer does not list (Smart Tank 580-590);
  ``GET`` on it reads the last report's state back;
* ``PATCH /cdm/calibration/v1/calibration/<type>`` with ``calibrationType``
  and ``operationType`` -> 204.

A printer that is printing or asleep, or has a jam, an open door or no paper,
refuses: CDM with 409 (measured while another report runs), LEDM with 503
(what LEDM firmware answers a busy printer). Each accepted write becomes a
``maintenance`` job in ``/_sim/jobs`` that prints one page.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final
import xml.etree.ElementTree as ET

from aiohttp import web

if TYPE_CHECKING:
    from .jobs import Job, JobManager
    from .state import PrinterState
    from .store import CaptureStore

INTERNAL_PRINT_CAP: Final = "/DevMgmt/InternalPrintCap.xml"
INTERNAL_PRINT_DYN: Final = "/DevMgmt/InternalPrintDyn.xml"
INTERNAL_PRINT_NS: Final = (
    "http://www.hp.com/schemas/imaging/con/ledm/internalprintdyn/2008/03/21"
)
REPORTS: Final = "/cdm/report/v1/reports"
REPORT_PRINT: Final = "/cdm/report/v1/print"
CALIBRATIONS: Final = "/cdm/calibration/v1/calibrations"
CALIBRATION: Final = "/cdm/calibration/v1/calibration/"
MAX_BODY: Final = 64 * 1024
"""A maintenance request is a few hundred bytes; more is refused."""
SOURCE: Final = "maintenance"
"""The ``source`` of a maintenance job in ``/_sim/jobs``."""


class MaintenanceService:
    """The maintenance endpoints of one simulated printer."""

    def __init__(
        self, state: PrinterState, jobs: JobManager, store: CaptureStore
    ) -> None:
        """Serve the lists in ``store``; queue accepted jobs in ``jobs``."""
        self.state = state
        self.jobs = jobs
        self.store = store
        self._last_report: Job | None = None

    def routes(self) -> list[web.RouteDef]:
        """The write routes (the lists are ordinary documents of the store)."""
        return [
            web.post(INTERNAL_PRINT_DYN, self._post_internal_print),
            web.patch(REPORT_PRINT, self._patch_report),
            web.get(REPORT_PRINT, self._get_report),
            web.patch(CALIBRATION + "{kind}", self._patch_calibration),
        ]

    # --- what is offered ------------------------------------------------------------

    def job_types(self) -> tuple[str, ...]:
        """The LEDM job types the captured InternalPrintCap lists."""
        data = self.store.http.get(INTERNAL_PRINT_CAP)
        if data is None:
            return ()
        root = ET.fromstring(data)  # noqa: S314 - our own data file
        return tuple(
            (node.text or "").strip()
            for node in root.iter(f"{{{INTERNAL_PRINT_NS}}}JobType")
        )

    def report_versions(self) -> dict[str, str]:
        """CDM report id -> its version, as the captured list gives them."""
        data = self.store.http.get(REPORTS)
        if data is None:
            return {}
        reports = json.loads(data).get("reports", [])
        return {entry["reportId"]: entry.get("version", "1.0.0") for entry in reports}

    def calibration_types(self) -> tuple[str, ...]:
        """The CDM calibration types the captured list gives."""
        data = self.store.http.get(CALIBRATIONS)
        if data is None:
            return ()
        calibrations = json.loads(data).get("calibrations", [])
        return tuple(entry["calibrationType"] for entry in calibrations)

    # --- refusals --------------------------------------------------------------------

    def refusal(self) -> str | None:
        """Why the printer cannot run a maintenance job now, or None."""
        state = self.state
        if state.paper_jam:
            return "paper jam"
        if state.door_open:
            return "door open"
        if state.out_of_paper:
            return "out of paper"
        if state.power_save:
            return "in power save"
        if state.printing or self.jobs.active:
            return "busy"
        return None

    # --- handlers ----------------------------------------------------------------------

    async def _body(self, request: web.Request) -> bytes:
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=len(body)
            )
        return body

    async def _post_internal_print(self, request: web.Request) -> web.Response:
        offered = self.job_types()
        if not offered:
            raise web.HTTPNotFound(text="404 Not Found")
        job_type = _job_type(await self._body(request))
        if job_type is None or job_type not in offered:
            raise web.HTTPBadRequest(text="unsupported job type")
        if (reason := self.refusal()) is not None:
            raise web.HTTPServiceUnavailable(text=reason)
        self._queue(job_type, family="ledm", kind="internal_print")
        return web.Response(status=201)

    async def _patch_report(self, request: web.Request) -> web.Response:
        versions = self.report_versions()
        if not versions:
            raise web.HTTPNotFound
        body = _json_object(await self._body(request))
        report = body.get("reportId")
        if (
            body.get("state") != "processing"
            or report not in versions
            or body.get("version") != versions[report]
        ):
            raise web.HTTPBadRequest  # the real one explains nothing either
        if self.refusal() is not None:
            raise web.HTTPConflict
        self._last_report = self._queue(report, family="cdm", kind="report")
        return web.Response(status=204)

    async def _get_report(self, request: web.Request) -> web.Response:
        if not self.report_versions():
            raise web.HTTPNotFound
        job = self._last_report
        document: dict[str, Any] = {"version": "1.0.0", "state": "idle"}
        if job is not None:
            document["reportId"] = job.name
            if job.state.terminal:
                document["lastResult"] = "success"
            else:
                document["state"] = "processing"
        return web.json_response(document)

    async def _patch_calibration(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind not in self.calibration_types():
            raise web.HTTPNotFound
        body = _json_object(await self._body(request))
        if body.get("calibrationType") != kind or body.get("operationType") != (
            "calibration"
        ):
            raise web.HTTPBadRequest
        if self.refusal() is not None:
            raise web.HTTPConflict
        self._queue(kind, family="cdm", kind="calibration")
        return web.Response(status=204)

    def _queue(self, name: str, *, family: str, kind: str) -> Job:
        job = self.jobs.new_job(
            SOURCE,
            name=name,
            document_format="application/x-hp-maintenance",
            attributes={"family": family, "kind": kind},
        )
        job.pages = 1
        self.jobs.enqueue(job)
        return job


def _job_type(body: bytes) -> str | None:
    """The JobType a request names (the internalprintdyn namespace, any root)."""
    # No DTD, so no entity expansion; the body is bounded by MAX_BODY.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return None
    try:
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        return None
    node = next(root.iter(f"{{{INTERNAL_PRINT_NS}}}JobType"), None)
    return None if node is None else (node.text or "").strip()


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest from None
    if not isinstance(document, dict):
        raise web.HTTPBadRequest
    return document
