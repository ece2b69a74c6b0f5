"""Printing over IPP: negotiate, convert, stream, follow the job.

The one print flow the command line and Home Assistant share, usually
through :meth:`~..printer.HPPrinter.print_document` (the printer's
transport, credentials and IPP URL)::

    result = await printer.print_document("/media/label.pdf",
                                          PrintOptions(copies=2), wait=True)

1. Get-Printer-Attributes for what the printer takes (unless given);
2. :func:`~.convert.prepare_document` picks the format and sets up the
   page-at-a-time conversion (errors surface here, before a job exists);
3. Validate-Job (when offered) checks the options and, on printers that
   protect job operations, lets the transport learn the credentials before
   a body that cannot be replayed is sent;
4. Print-Job with the document streamed as the HTTP request body (chunked);
   a stream that cannot be read twice goes through Create-Job then
   Send-Document instead when the printer has them, so a busy printer is
   found out before any document byte is sent;
5. ``server-error-busy`` is retried with exponential back-off (bounded);
6. with ``wait``, Get-Job-Attributes until the job is completed, aborted or
   canceled (bounded by ``timeout``).

Printers without IPP get documents on their raw port instead (:mod:`.raw`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import io
import logging
import os
from typing import TYPE_CHECKING, Final, TypedDict

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import (
    HPEWSConnectionError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSPrinterBusyError,
)
from custom_components.hp_ews.client.ipp import (
    DEFAULT_USER,
    IppJob,
    JobState,
    codec,
    printer_uri_for,
)
from custom_components.hp_ews.client.ipp.codec import IppStatusCode

from .capabilities import PRINT_ATTRIBUTES
from .convert import PreparedDocument, prepare_document
from .options import PrintOptions

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator
    from pathlib import Path

    from custom_components.hp_ews.client.models import PrintCapabilities
    from custom_components.hp_ews.client.transport import PrinterTransport

    from .spool import DocumentSource

_LOGGER = logging.getLogger(__name__)

BUSY_RETRIES: Final = 6
"""Attempts after the first when the printer answers ``server-error-busy``."""
BUSY_FIRST_DELAY: Final = 1.0
BUSY_MAX_DELAY: Final = 30.0
POLL_FIRST_DELAY: Final = 0.5
POLL_MAX_DELAY: Final = 5.0
DEFAULT_WAIT_TIMEOUT: Final = 300.0
MAX_POLLS: Final = 10_000


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What happened to a print request."""

    job_id: int
    document_format: str
    """The format sent (after any conversion)."""
    state: JobState
    """Final state when waited for, else the state the printer reported."""
    pages: int | None = None
    """Pages printed when the printer counts them, else pages sent when
    converted, else None."""
    job_name: str | None = None
    state_reasons: tuple[str, ...] = ()
    converted: bool = False


# --- IPP requests -----------------------------------------------------------------


class _JobTemplate(TypedDict):
    """Keyword arguments the ``ipp`` job request builders share."""

    job_name: str
    requesting_user_name: str
    copies: int | None
    sides: str | None
    print_color_mode: str | None
    media: str | None
    orientation: str | None
    page_ranges: tuple[tuple[int, int], ...] | None
    print_quality: str | None
    attribute_fidelity: bool


def _job_template(options: PrintOptions, document: PreparedDocument) -> _JobTemplate:
    """Job attributes for the options the user set."""
    passthrough = document.conversion.passthrough
    return _JobTemplate(
        job_name=options.job_name or "Home Assistant",
        requesting_user_name=DEFAULT_USER,
        copies=options.copies if options.copies != 1 else None,
        sides=options.sides,
        print_color_mode=options.color_mode,
        media=document.raster.media_name if document.raster else options.media_name,
        print_quality=options.quality,
        # A converted document already has them applied: the printer must not
        # select pages of, or turn, the raster again.
        orientation=options.orientation if passthrough else None,
        page_ranges=(options.page_ranges or None) if passthrough else None,
        # Print what the printer can rather than refuse the whole job.
        attribute_fidelity=False,
    )


def _decode(data: bytes | None, what: str) -> codec.IppMessage:
    if data is None:
        raise HPEWSConnectionError(f"No IPP service answered {what}")
    return codec.decode_ipp(data)


def _raise_for_status(message: codec.IppMessage, what: str) -> None:
    if codec.ipp_successful(message.status_code):
        return
    detail = message.operation.value("status-message")
    text = f"{what}: {codec.ipp_status_name(message.status_code)}"
    if isinstance(detail, str | codec.IppTextWithLanguage) and str(detail):
        text = f"{text} ({detail})"
    if message.status_code == IppStatusCode.SERVER_ERROR_BUSY:
        # Reached once the retries are used up (or for a stream, which
        # cannot be sent again).
        raise HPEWSPrinterBusyError(text, message.status_code)
    raise HPEWSIPPError(text, message.status_code)


def _job(data: bytes | None, what: str, job_id: int | None = None) -> IppJob:
    """The job in an answer, after its status was checked."""
    message = _decode(data, what)
    _raise_for_status(message, what)
    return ipp.job_of(message, job_id)


class _Requests:
    """Request ids and the busy back-off for one print flow."""

    def __init__(
        self, transport: PrinterTransport, ipp_url: str, busy_retries: int
    ) -> None:
        self.transport = transport
        self.ipp_url = ipp_url
        self.busy_retries = busy_retries
        self._next_id = 0

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def post(self, body: bytes, what: str) -> codec.IppMessage:
        """POST a small request; ``server-error-busy`` is retried with back-off."""
        delay = BUSY_FIRST_DELAY
        for attempt in range(self.busy_retries + 1):
            message = _decode(await self.transport.post_ipp(self.ipp_url, body), what)
            if message.status_code != IppStatusCode.SERVER_ERROR_BUSY:
                _raise_for_status(message, what)
                return message
            if attempt < self.busy_retries:
                _LOGGER.debug("%s: printer busy, retrying in %.1f s", what, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BUSY_MAX_DELAY)
        _raise_for_status(message, what)
        raise AssertionError  # pragma: no cover - busy is an error status

    async def post_streamed(
        self, header: bytes, document: AsyncIterable[bytes], what: str
    ) -> codec.IppMessage:
        """POST an IPP header followed by a streamed document (chunked body).

        The transport applies its timeout per step of the upload, and answers
        an authentication challenge to it with an error, never a resend.
        """
        answer = await self.transport.post_ipp(
            self.ipp_url, _OneShotBody(header, document)
        )
        return _decode(answer, what)


class _OneShotBody:
    """The request body: the IPP header, then the document chunks.

    It can be iterated once; a transport that retries (after a 401 or a
    redirect) gets an error instead of silently sending an empty document.
    """

    def __init__(self, header: bytes, document: AsyncIterable[bytes]) -> None:
        self._header = header
        self._document = document
        self._used = False
        self.sent = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._used:
            raise HPEWSConnectionError(
                "The printer asked to resend a streamed document"
            )
        self._used = True
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        yield self._header
        async for chunk in self._document:
            self.sent += len(chunk)
            yield chunk


# --- public API --------------------------------------------------------------


async def get_print_capabilities(
    transport: PrinterTransport, ipp_url: str
) -> PrintCapabilities:
    """Ask the printer what it takes (formats, resolutions, colour, media)."""
    request = ipp.get_printer_attributes_request(
        printer_uri_for(ipp_url), requested=PRINT_ATTRIBUTES
    )
    response = _decode(
        await transport.post_ipp(ipp_url, request), "Get-Printer-Attributes"
    )
    _raise_for_status(response, "Get-Printer-Attributes")
    return ipp.capabilities_of(response.printer)


async def print_document(
    transport: PrinterTransport,
    ipp_url: str,
    source: DocumentSource,
    options: PrintOptions | None = None,
    *,
    document_format: str | None = None,
    capabilities: PrintCapabilities | None = None,
    validate: bool = True,
    wait: bool = False,
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
    busy_retries: int = BUSY_RETRIES,
    spool_dir: Path | None = None,
    max_bytes: int | None = None,
) -> PrintResult:
    """Print a document: a file path, an open file or an async iterable of bytes.

    ``document_format`` None sniffs it from the first bytes. ``capabilities``
    skips Get-Printer-Attributes. With ``wait`` the job is followed until it
    ends or ``wait_timeout`` seconds pass (the result then has the last state seen).

    Raises:
        HPEWSDocumentError: missing, unreadable, corrupt or too large document.
        HPEWSUnsupportedFormatError: nothing the printer takes can be made of it.
        HPEWSAuthenticationError: the printer wants (other) credentials.
        HPEWSIPPError: the printer refused the job (``status_code`` says why;
            ``server-error-busy`` after the retries).
        HPEWSConnectionError: the printer is offline or the connection broke.
    """
    options = options or PrintOptions()
    if capabilities is None:
        capabilities = await get_print_capabilities(transport, ipp_url)
    requests = _Requests(transport, ipp_url, busy_retries)
    printer_uri = printer_uri_for(ipp_url)
    # A file (by path or open) is read by position: it can be sent again.
    replayable = isinstance(source, str | os.PathLike | io.IOBase)
    use_create_job = not replayable and {"Create-Job", "Send-Document"} <= set(
        capabilities.operations
    )
    delay = BUSY_FIRST_DELAY
    for attempt in range(busy_retries + 1):
        async with prepare_document(
            source,
            capabilities,
            options,
            document_format=document_format,
            spool_dir=spool_dir,
            max_bytes=max_bytes,
        ) as document:
            template = _job_template(options, document)
            if validate and attempt == 0 and _offers(capabilities, "Validate-Job"):
                await requests.post(
                    ipp.validate_job_request(
                        printer_uri,
                        document_format=document.document_format,
                        request_id=requests.next_id(),
                        **template,
                    ),
                    "Validate-Job",
                )
            if use_create_job:
                job = await _create_and_send(requests, template, document)
            else:
                header = ipp.print_job_request_header(
                    printer_uri,
                    document_format=document.document_format,
                    request_id=requests.next_id(),
                    **template,
                )
                response = await requests.post_streamed(header, document, "Print-Job")
                if (
                    response.status_code == IppStatusCode.SERVER_ERROR_BUSY
                    and replayable
                    and attempt < busy_retries
                ):
                    # A file can be sent again; a stream cannot (see above).
                    _LOGGER.debug("Print-Job: printer busy, retrying in %.1f s", delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, BUSY_MAX_DELAY)
                    continue
                _raise_for_status(response, "Print-Job")
                job = ipp.job_of(response)
            sent_pages = document.pages
            result_format = document.document_format
            converted = not document.conversion.passthrough
            break
    _LOGGER.debug("Job %s accepted as %s", job.job_id, result_format)
    if wait and not job.state.terminal:
        job = await wait_for_job(
            transport, ipp_url, job.job_id, wait_timeout=wait_timeout
        )
    pages = job.impressions_completed or sent_pages
    return PrintResult(
        job_id=job.job_id,
        document_format=result_format,
        state=job.state,
        pages=pages,
        job_name=job.name or options.job_name,
        state_reasons=job.state_reasons,
        converted=converted,
    )


def _offers(capabilities: PrintCapabilities, operation: str) -> bool:
    # An empty list means "not reported": try rather than skip.
    return not capabilities.operations or operation in capabilities.operations


async def _create_and_send(
    requests: _Requests, template: _JobTemplate, document: PreparedDocument
) -> IppJob:
    printer_uri = printer_uri_for(requests.ipp_url)
    created = await requests.post(
        ipp.create_job_request(printer_uri, request_id=requests.next_id(), **template),
        "Create-Job",
    )
    job = ipp.job_of(created)
    header = ipp.send_document_request_header(
        printer_uri,
        job.job_id,
        document_format=document.document_format,
        requesting_user_name=DEFAULT_USER,
        request_id=requests.next_id(),
    )
    try:
        response = await requests.post_streamed(header, document, "Send-Document")
        _raise_for_status(response, "Send-Document")
    except HPEWSError:
        # A job without its document would block the printer's queue.
        with contextlib.suppress(HPEWSError):
            await cancel_job(requests.transport, requests.ipp_url, job.job_id)
        raise
    return ipp.job_of(response, job.job_id)


async def get_job(transport: PrinterTransport, ipp_url: str, job_id: int) -> IppJob:
    """The job's state now (Get-Job-Attributes)."""
    body = ipp.get_job_attributes_request(printer_uri_for(ipp_url), job_id)
    answer = await transport.post_ipp(ipp_url, body)
    return _job(answer, "Get-Job-Attributes", job_id)


async def wait_for_job(
    transport: PrinterTransport,
    ipp_url: str,
    job_id: int,
    *,
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
) -> IppJob:
    """Poll the job until it is completed, aborted or canceled.

    Polls start every half second and slow down to every 5 s. After
    ``wait_timeout`` seconds the last state seen is returned as it is.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_timeout
    delay = POLL_FIRST_DELAY
    status = await get_job(transport, ipp_url, job_id)
    for _ in range(MAX_POLLS):
        remaining = deadline - loop.time()
        if status.state.terminal or remaining <= 0:
            break
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 1.5, POLL_MAX_DELAY)
        status = await get_job(transport, ipp_url, job_id)
    return status


async def cancel_job(transport: PrinterTransport, ipp_url: str, job_id: int) -> None:
    """Cancel a job (Cancel-Job).

    Raises:
        HPEWSIPPError: no such job, or it has already ended
            (``client-error-not-possible``/``client-error-not-found``).
    """
    body = ipp.cancel_job_request(printer_uri_for(ipp_url), job_id)
    message = _decode(await transport.post_ipp(ipp_url, body), "Cancel-Job")
    _raise_for_status(message, "Cancel-Job")
