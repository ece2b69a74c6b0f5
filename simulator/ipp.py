"""The IPP service at ``/ipp/print``: attributes from the captures, jobs from state.

Get-Printer-Attributes answers the profile's captured attributes with the
state-dependent ones (state, reasons, alerts, markers, identity, URIs)
replaced. Job operations follow RFC 8011 with the status codes a client must
handle: document-format-not-supported, server-error-busy, not-found, …
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from custom_components.hp_ews.client import (
    HPEWSParseError,
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppDateTime,
    IppGroupTag,
    IppMessage,
    IppOperation,
    IppOutOfBand,
    IppRangeOfInteger,
    IppResolution,
    IppStatusCode,
    IppTextWithLanguage,
    IppTruncatedError,
    IppValueTag,
    decode_ipp_header,
    ipp_operation_name,
    new_ipp_response,
)

from . import care
from .cdm import ipp_state

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from .faults import FaultSet
    from .jobs import Job, JobManager
    from .state import PrinterState
    from .store import CaptureStore

GPA: Final = "Get-Printer-Attributes"
QUEUE_LIMIT: Final = 5
"""Unfinished jobs a printer holds before answering server-error-busy."""
MAX_HEADER: Final = 256 * 1024
_READ: Final = 64 * 1024

Op = IppOperation
Status = IppStatusCode
Tag = IppValueTag
Group = IppGroupTag

_STATE_ENUM: Final = {"idle": 3, "processing": 4, "stopped": 5}
_COLORS: Final = {
    "#000000": "K",
    "#00FFFF": "C",
    "#FF00FF": "M",
    "#FFFF00": "Y",
    "#00FFFF#FF00FF#FFFF00": "CMY",
}
_MONO_MODES: Final = {"monochrome", "process-monochrome", "auto-monochrome"}


class IppHost(Protocol):
    """What the IPP service needs from its printer."""

    state: PrinterState
    store: CaptureStore
    job_manager: JobManager
    faults: FaultSet

    @property
    def base_url(self) -> str:
        """``http(s)://127.0.0.1:PORT``."""

    @property
    def printer_uri(self) -> str:
        """``ipp(s)://127.0.0.1:PORT/ipp/print``."""

    @property
    def auth_required(self) -> bool:
        """Whether the printer asks for credentials right now."""


class IppError(Exception):
    """An IPP error answer (status code, message, unsupported attributes)."""

    def __init__(
        self,
        status: int,
        message: str,
        unsupported: list[IppAttribute] | None = None,
    ) -> None:
        """Answer ``status`` with ``message``."""
        super().__init__(message)
        self.status = status
        self.unsupported = unsupported or []


# --- attributes ---------------------------------------------------------------------


def _rehost(url: str, base: str) -> str:
    parts = urlsplit(url)
    return (
        base
        + parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def _marker_supplies(host: IppHost, printer: IppAttributeGroup) -> list[Any]:
    """The supply spec of each captured marker, matched by its colour."""
    return [
        host.state.profile.supply_for_color(_COLORS.get(str(color).upper(), ""))
        for color in printer.values("marker-colors")
    ]


def printer_attributes(host: IppHost) -> IppAttributeGroup:
    """The printer group of a Get-Printer-Attributes answer, right now."""
    state = host.state
    profile = state.profile
    identity = state.identity
    printer = host.store.ipp_message(GPA).printer
    secure = host.base_url.startswith("https")
    printer.set("printer-uri-supported", Tag.URI, host.printer_uri)
    printer.set("uri-security-supported", Tag.KEYWORD, "tls" if secure else "none")
    printer.set(
        "uri-authentication-supported",
        Tag.KEYWORD,
        "basic" if host.auth_required else "requesting-user-name",
    )
    for attribute in printer:
        if attribute.tag == Tag.URI and attribute.name != "printer-uri-supported":
            attribute.values = [
                _rehost(str(v), host.base_url)
                if str(v).startswith(("http://", "https://"))
                else v
                for v in attribute.values
            ]
    suffix = identity.mac_suffix
    printer.set("printer-name", Tag.NAME, f"HP{suffix}")
    for name in ("printer-info", "printer-dns-sd-name"):
        tag = printer[name].tag if name in printer else Tag.TEXT
        printer.set(name, tag, f"{profile.identity.series} [{suffix}]")
    printer.set("printer-uuid", Tag.URI, f"urn:uuid:{identity.uuid}")
    device_id = str(printer.value("printer-device-id") or "")
    if device_id:
        fields = [f for f in device_id.split(";") if f and not f.startswith("SN:")]
        fields.append(f"SN:{identity.serial}")
        printer.set("printer-device-id", Tag.TEXT, ";".join(fields) + ";")
    printer_state, reasons = ipp_state(state)
    conditions = state.conditions()
    printer.set("printer-state", Tag.ENUM, _STATE_ENUM[printer_state])
    printer.set("printer-state-reasons", Tag.KEYWORD, *reasons)
    message = (
        conditions[0].message
        if conditions
        else ("Sleep mode" if state.power_save else "")
    )
    printer.set("printer-state-message", Tag.TEXT, message)
    printer.set("printer-is-accepting-jobs", Tag.BOOLEAN, True)
    printer.set("queued-job-count", Tag.INTEGER, len(host.job_manager.active))
    printer.set("printer-up-time", Tag.INTEGER, state.up_seconds)
    current = printer.get("printer-current-time")
    if current is None or current.tag == Tag.DATE_TIME:
        now = dt.datetime.now(dt.UTC)
        printer.set(
            "printer-current-time", Tag.DATE_TIME, IppDateTime.from_datetime(now)
        )
    _markers(host, printer)
    _alerts(state, printer)
    care.ipp_input_trays(state, printer)
    return printer


def _markers(host: IppHost, printer: IppAttributeGroup) -> None:
    specs = _marker_supplies(host, printer)
    if not specs:
        return
    levels = []
    for spec in specs:
        level = None if spec is None else host.state.level(spec)
        levels.append(-2 if level is None else level)
    printer.set("marker-levels", Tag.INTEGER, *levels)
    supply = printer.get("printer-supply")
    if supply is not None and len(supply.values) == len(levels):
        supply.values = [
            _set_level(value, level)
            for value, level in zip(supply.values, levels, strict=True)
        ]


def _set_level(value: Any, level: int) -> bytes:
    text = value.decode() if isinstance(value, bytes) else str(value)
    parts = [
        f"level={level}" if part.startswith("level=") else part
        for part in text.split(";")
    ]
    return ";".join(parts).encode()


def _alerts(state: PrinterState, printer: IppAttributeGroup) -> None:
    alerts = list(printer.values("printer-alert"))
    descriptions = list(printer.values("printer-alert-description"))
    markers = [str(c).upper() for c in printer.values("marker-colors")]
    for condition in state.conditions():
        severity = "critical" if condition.blocking else "warning"
        alert = f"code={condition.ipp_alert};severity={severity};group={condition.ipp_group}"
        if condition.supply is not None:
            index = next(
                (
                    i + 1
                    for i, color in enumerate(markers)
                    if _COLORS.get(color) == condition.supply.color
                ),
                condition.supply.station + 1,
            )
            alert += f";groupindex={index}"
        alerts.append(alert.encode())
        descriptions.append(condition.message)
    if alerts:
        printer.set("printer-alert", Tag.OCTET_STRING, *alerts)
        printer.set("printer-alert-description", Tag.TEXT, *descriptions)


def _select(
    group: IppAttributeGroup, requested: list[str], default_all: bool = True
) -> IppAttributeGroup:
    if not requested:
        if default_all:
            return group
        requested = ["job-id", "job-uri"]
    if {"all", "printer-description", "job-template", "job-description"} & set(
        requested
    ):
        return group
    return IppAttributeGroup(group.tag, [a for a in group if a.name in set(requested)])


# --- jobs ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, IppCollection):
        return {a.name: _json_values(a) for a in value}
    # The forms ipptool prints, so /_sim/jobs reads like the printer's own log.
    if isinstance(value, IppRangeOfInteger):
        return f"{value.lower}-{value.upper}"
    if isinstance(value, IppResolution):
        return f"{value.cross_feed}x{value.feed}{'dpi' if value.units == 3 else 'dpcm'}"
    if isinstance(value, IppTextWithLanguage):
        return value.text
    return str(value)


def _json_values(attribute: IppAttribute) -> Any:
    values = [_json_value(v) for v in attribute.values]
    return values[0] if len(values) == 1 else values


def job_group(host: IppHost, job: Job) -> IppAttributeGroup:
    """Every attribute of a job, as Get-Job-Attributes answers it."""
    up = host.state.started
    group = IppAttributeGroup(Group.JOB)
    group.set("job-id", Tag.INTEGER, job.id)
    group.set("job-uri", Tag.URI, f"{host.printer_uri}/{job.id}")
    group.set("job-printer-uri", Tag.URI, host.printer_uri)
    group.set("job-name", Tag.NAME, job.name)
    group.set("job-originating-user-name", Tag.NAME, job.user)
    group.set("job-state", Tag.ENUM, int(job.state))
    group.set("job-state-reasons", Tag.KEYWORD, *job.state_reasons)
    group.set("document-format", Tag.MIME_MEDIA_TYPE, job.document_format)
    group.set("job-k-octets", Tag.INTEGER, (job.size + 1023) // 1024)
    group.set("job-impressions", Tag.INTEGER, job.pages * job.copies)
    group.set("job-impressions-completed", Tag.INTEGER, job.impressions_completed)
    group.set("copies", Tag.INTEGER, job.copies)
    group.set("time-at-creation", Tag.INTEGER, max(1, int(job.created - _wall(up))))
    for name, moment in (
        ("time-at-processing", job.processing_started),
        ("time-at-completed", job.completed),
    ):
        if moment is None:
            group.set(name, Tag.NO_VALUE, IppOutOfBand(Tag.NO_VALUE))
        else:
            group.set(name, Tag.INTEGER, max(1, int(moment - _wall(up))))
    created = dt.datetime.fromtimestamp(job.created, dt.UTC)
    group.set(
        "date-time-at-creation", Tag.DATE_TIME, IppDateTime.from_datetime(created)
    )
    return group


def _wall(monotonic_start: float) -> float:
    """Wall-clock time of a monotonic instant."""
    return time.time() - (time.monotonic() - monotonic_start)


def _job_id(request: IppMessage) -> int:
    operation = request.operation
    value = operation.value("job-id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    uri = operation.value("job-uri")
    if isinstance(uri, str) and uri.rpartition("/")[2].isdigit():
        return int(uri.rpartition("/")[2])
    raise IppError(Status.CLIENT_ERROR_BAD_REQUEST, "job-id or job-uri is required")


def _find_job(host: IppHost, request: IppMessage) -> Job:
    job = host.job_manager.jobs.get(_job_id(request))
    if job is None:
        raise IppError(Status.CLIENT_ERROR_NOT_FOUND, "no such job")
    return job


def _supported_formats(host: IppHost) -> tuple[list[str], str]:
    template = host.store.ipp_template(GPA).printer
    supported = [str(v) for v in template.values("document-format-supported")]
    default = str(
        template.value("document-format-default") or "application/octet-stream"
    )
    return supported, default


def _check_format(host: IppHost, request: IppMessage) -> str:
    supported, default = _supported_formats(host)
    declared = request.operation.value("document-format")
    document_format = str(declared) if declared is not None else default
    if document_format not in supported:
        raise IppError(
            Status.CLIENT_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED,
            f"{document_format} is not supported",
            [IppAttribute("document-format", Tag.MIME_MEDIA_TYPE, document_format)],
        )
    return document_format


def _check_busy(host: IppHost, path: str) -> None:
    if host.faults.take("ipp_busy", path) is not None or (
        len(host.job_manager.active) >= QUEUE_LIMIT
    ):
        raise IppError(Status.SERVER_ERROR_BUSY, "printer is busy")


def _job_fields(request: IppMessage, document_format: str) -> dict[str, Any]:
    operation = request.operation
    job_attrs = request.job
    attributes = {a.name: _json_values(a) for a in operation}
    attributes.update({a.name: _json_values(a) for a in job_attrs})
    copies = job_attrs.value("copies")
    mode = str(job_attrs.value("print-color-mode") or "auto")
    sides = str(job_attrs.value("sides") or "one-sided")
    return {
        "name": str(operation.value("job-name") or "Untitled"),
        "user": str(operation.value("requesting-user-name") or "anonymous"),
        "document_format": document_format,
        "attributes": attributes,
        "copies": copies if isinstance(copies, int) and copies > 0 else 1,
        "color": mode not in _MONO_MODES,
        "duplex": sides.startswith("two-sided"),
    }


class IppService:
    """Answers IPP requests for one printer."""

    def __init__(self, host: IppHost) -> None:
        """Serve ``host``."""
        self.host = host
        self._operations: dict[
            int,
            Callable[
                [IppMessage, bytes, AsyncIterator[bytes], str],
                Awaitable[IppMessage],
            ],
        ] = {
            Op.GET_PRINTER_ATTRIBUTES: self._get_printer_attributes,
            Op.VALIDATE_JOB: self._validate_job,
            Op.PRINT_JOB: self._print_job,
            Op.CREATE_JOB: self._create_job,
            Op.SEND_DOCUMENT: self._send_document,
            Op.GET_JOB_ATTRIBUTES: self._get_job_attributes,
            Op.GET_JOBS: self._get_jobs,
            Op.CANCEL_JOB: self._cancel_job,
            Op.IDENTIFY_PRINTER: self._identify_printer,
        }

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one HTTP POST carrying an IPP request."""
        if request.content_type != "application/ipp":
            raise web.HTTPBadRequest(text="IPP requests must be application/ipp")
        buffer = bytearray()
        while True:
            try:
                message, offset = decode_ipp_header(bytes(buffer), max_size=MAX_HEADER)
                break
            except IppTruncatedError:
                chunk = await request.content.read(_READ)
                if not chunk:
                    raise web.HTTPBadRequest(text="truncated IPP request") from None
                buffer += chunk
            except HPEWSParseError as err:
                raise web.HTTPBadRequest(text=f"malformed IPP request: {err}") from err
        first = bytes(buffer[offset:])
        rest = request.content.iter_chunked(_READ)
        try:
            response = await self._dispatch(message, first, rest, request.path)
        except IppError as err:
            response = new_ipp_response(
                err.status,
                message.request_id,
                status_message=str(err),
                version=message.version,
            )
            if err.unsupported:
                response.add_group(Group.UNSUPPORTED).add(err.unsupported[0])
        # Drain what the client still sends so it can read our answer.
        async for _chunk in rest:
            pass
        return web.Response(body=response.encode(), content_type="application/ipp")

    async def _dispatch(
        self,
        message: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        if message.request_id == 0:
            raise IppError(Status.CLIENT_ERROR_BAD_REQUEST, "request-id 0 is invalid")
        if message.version[0] not in (1, 2):
            raise IppError(
                Status.SERVER_ERROR_VERSION_NOT_SUPPORTED, "IPP 1.x and 2.x only"
            )
        names = message.operation.names() if message.groups else []
        if names[:2] != ["attributes-charset", "attributes-natural-language"]:
            raise IppError(
                Status.CLIENT_ERROR_BAD_REQUEST,
                "attributes-charset and attributes-natural-language must come first",
            )
        if (
            "printer-uri" not in message.operation
            and "job-uri" not in message.operation
        ):
            raise IppError(Status.CLIENT_ERROR_BAD_REQUEST, "printer-uri is required")
        handler = self._operations.get(message.operation_id)
        supported = self.host.store.ipp_template(GPA).printer.values(
            "operations-supported"
        )
        if handler is None or (
            message.operation_id != Op.GET_PRINTER_ATTRIBUTES
            and message.operation_id not in supported
        ):
            raise IppError(
                Status.SERVER_ERROR_OPERATION_NOT_SUPPORTED,
                f"{ipp_operation_name(message.operation_id)} is not supported",
            )
        return await handler(message, first, rest, path)

    def _ok(self, request: IppMessage) -> IppMessage:
        return new_ipp_response(
            Status.SUCCESSFUL_OK, request.request_id, version=request.version
        )

    def _requested(self, request: IppMessage) -> list[str]:
        return [str(v) for v in request.operation.values("requested-attributes")]

    async def _get_printer_attributes(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        response = self._ok(request)
        printer = _select(printer_attributes(self.host), self._requested(request))
        response.groups.append(printer)
        return response

    async def _validate_job(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        _check_format(self.host, request)
        _check_busy(self.host, path)
        return self._ok(request)

    def _job_response(self, request: IppMessage, job: Job) -> IppMessage:
        response = self._ok(request)
        full = job_group(self.host, job)
        group = response.add_group(Group.JOB)
        for name in ("job-id", "job-uri", "job-state", "job-state-reasons"):
            group.add(full[name])
        return response

    async def _receive(
        self, job: Job, first: bytes, rest: AsyncIterator[bytes]
    ) -> None:
        jobs = self.host.job_manager
        try:
            await jobs.receive(job, first, rest)
        except BaseException:
            jobs.abort(job, "aborted-by-system")
            raise
        supported, _default = _supported_formats(self.host)
        detected = job.detected_format or ""
        if (
            job.document_format == "application/octet-stream"
            and detected not in supported
            and detected not in ("application/octet-stream", "text/plain")
        ):
            # Auto-sense found a language this printer cannot print.
            jobs.abort(job, "document-unprintable-error")
            return
        jobs.enqueue(job)

    async def _print_job(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        document_format = _check_format(self.host, request)
        _check_busy(self.host, path)
        job = self.host.job_manager.new_job(
            "ipp", **_job_fields(request, document_format)
        )
        await self._receive(job, first, rest)
        return self._job_response(request, job)

    async def _create_job(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        _check_busy(self.host, path)
        _supported, default = _supported_formats(self.host)
        job = self.host.job_manager.new_job("ipp", **_job_fields(request, default))
        return self._job_response(request, job)

    async def _send_document(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        job = _find_job(self.host, request)
        if job.state.terminal:
            raise IppError(Status.CLIENT_ERROR_NOT_POSSIBLE, "job has finished")
        if job.has_document:
            raise IppError(
                Status.SERVER_ERROR_MULTIPLE_DOCUMENT_JOBS_NOT_SUPPORTED,
                "one document per job",
            )
        job.document_format = _check_format(self.host, request)
        job.attributes.update(
            {a.name: _json_values(a) for a in request.operation if a.name != "job-id"}
        )
        await self._receive(job, first, rest)
        return self._job_response(request, job)

    async def _get_job_attributes(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        job = _find_job(self.host, request)
        response = self._ok(request)
        response.groups.append(
            _select(job_group(self.host, job), self._requested(request))
        )
        return response

    async def _get_jobs(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        which = str(request.operation.value("which-jobs") or "not-completed")
        if which not in ("completed", "not-completed", "all"):
            raise IppError(
                Status.CLIENT_ERROR_ATTRIBUTES_OR_VALUES_NOT_SUPPORTED,
                f"which-jobs {which} is not supported",
                [IppAttribute("which-jobs", Tag.KEYWORD, which)],
            )
        limit = request.operation.value("limit")
        jobs = [
            job
            for job in reversed(self.host.job_manager.jobs.values())
            if which == "all" or job.state.terminal == (which == "completed")
        ]
        if isinstance(limit, int) and limit > 0:
            jobs = jobs[:limit]
        response = self._ok(request)
        requested = self._requested(request)
        for job in jobs:
            response.groups.append(
                _select(job_group(self.host, job), requested, default_all=False)
            )
        return response

    async def _cancel_job(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        job = _find_job(self.host, request)
        if not self.host.job_manager.cancel(job):
            raise IppError(
                Status.CLIENT_ERROR_NOT_POSSIBLE, f"job is {job.state.keyword}"
            )
        return self._ok(request)

    async def _identify_printer(
        self,
        request: IppMessage,
        first: bytes,
        rest: AsyncIterator[bytes],
        path: str,
    ) -> IppMessage:
        self.host.state.identify_count += 1
        return self._ok(request)
