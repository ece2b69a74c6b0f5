"""The print flow against the simulator's ENVY 4520 (an inkjet without PDF).

The simulator keeps every received document on disk; the raster it got is
decoded with the specification decoder of ``test_raster`` and checked for
page count, page size and content.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import pytest

from custom_components.hp_ews.client.errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSDocumentError,
    HPEWSIPPError,
    HPEWSParseError,
    HPEWSPrinterBusyError,
    HPEWSUnsupportedError,
    HPEWSUnsupportedFormatError,
)
from custom_components.hp_ews.client.ipp import JobState, codec
from custom_components.hp_ews.client.models import PrintCapabilities
from custom_components.hp_ews.client.printer import HPPrinter
from custom_components.hp_ews.client.printing import submit
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.submit import (
    cancel_job,
    get_job,
    get_print_capabilities,
    print_document,
)
from custom_components.hp_ews.client.transport import HttpTransport
from simulator.testing import simulated_printer  # noqa: F401

from .helpers import raw_job_done
from .test_raster import decode_pwg, decode_urf

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator
    from pathlib import Path

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory

pytestmark = pytest.mark.usefixtures("socket_enabled")

BUSY = 0x0507


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def transport(session: aiohttp.ClientSession) -> HttpTransport:
    return HttpTransport(session, "127.0.0.1")


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submit, "BUSY_FIRST_DELAY", 0.01)
    monkeypatch.setattr(submit, "POLL_FIRST_DELAY", 0.05)


def _bar_rows(pixels: bytes, width: int, height: int, bpp: int) -> list[int]:
    """Rows whose middle pixel is dark."""
    middle = width // 2
    rows = []
    for y in range(height):
        start = (y * width + middle) * bpp
        if max(pixels[start : start + bpp]) < 64:
            rows.append(y)
    return rows


async def test_pdf_becomes_pwg_raster_for_the_envy(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    result = await print_document(
        transport,
        envy.ipp_url,
        documents["pdf"],
        PrintOptions(media="A4", job_name="bars"),
        wait=True,
    )
    assert result.state is JobState.COMPLETED
    assert result.document_format == "image/pwg-raster"
    assert result.converted is True
    assert result.pages == 3
    (job,) = envy.jobs
    assert job.document_format == "image/pwg-raster"
    assert job.attributes["media"] == "iso_a4_210x297mm"
    assert job.attributes["job-name"] == "bars"
    assert "page-ranges" not in job.attributes
    pages = decode_pwg(job.document())
    assert len(pages) == 3
    for number, page in enumerate(pages):
        # ENVY 4520: pwg-raster-document-resolution-supported 300 dpi, srgb_8
        assert (page.header["Width"], page.header["Height"]) == (2480, 3507)
        assert page.header["HWResolution0"] == 300
        assert (page.header["PageSize0"], page.header["PageSize1"]) == (595, 841)
        assert page.header["ColorSpace"] == 19
        rows = _bar_rows(page.pixels, 2480, 3507, 3)
        top = round((100 + number * 150) * 300 / 72)
        assert abs(rows[0] - top) <= 2
        assert abs(len(rows) - 254) <= 2  # 61 pt (Pillow's bounds are inclusive)


async def test_urf_duplex_back_sides_are_rotated(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    caps = await get_print_capabilities(transport, envy.ipp_url)
    urf_only = replace(caps, document_formats=("image/urf",))
    result = await print_document(
        transport,
        envy.ipp_url,
        documents["pdf"],
        PrintOptions(media="A4", sides="two-sided-long-edge", color_mode="monochrome"),
        capabilities=urf_only,
    )
    assert result.document_format == "image/urf"
    await envy.wait_for_jobs()
    (job,) = envy.jobs
    assert job.attributes["sides"] == "two-sided-long-edge"
    count, pages = decode_urf(job.document())
    assert count == len(pages) == 3
    assert {
        (p.header["width"], p.header["dpi"], p.header["duplex"]) for p in pages
    } == {(2480, 300, 3)}
    # urf-supported DM3: the back side (page 2) is sent turned by 180 degrees.
    front, back, _ = (_bar_rows(p.pixels, 2480, 3507, 1) for p in pages)
    assert abs(front[0] - round(100 * 300 / 72)) <= 2
    assert abs(back[-1] - (3506 - round(250 * 300 / 72))) <= 2


async def test_jpeg_is_sent_as_is_with_the_options(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    options = PrintOptions(
        copies=2,
        sides="two-sided-short-edge",
        color_mode="monochrome",
        media="4x6",
        orientation="landscape",
        quality="high",
        page_ranges=((1, 1),),
    )
    result = await print_document(transport, envy.ipp_url, documents["jpeg"], options)
    assert result.document_format == "image/jpeg"
    assert result.converted is False
    await envy.wait_for_jobs()
    (job,) = envy.jobs
    assert job.document() == documents["jpeg"].read_bytes()
    attributes = job.attributes
    assert attributes["copies"] == 2
    assert attributes["sides"] == "two-sided-short-edge"
    assert attributes["print-color-mode"] == "monochrome"
    assert attributes["media"] == "na_index-4x6_4x6in"
    assert attributes["orientation-requested"] == 4
    assert attributes["print-quality"] == 5
    assert job.copies == 2


async def test_text_from_a_stream(
    envy: SimulatedPrinter, transport: HttpTransport
) -> None:
    async def report() -> AsyncIterator[bytes]:
        yield b"Daily agenda\n\n"
        yield b"08:00 coffee\n\f"
        yield b"Page two\n"

    result = await print_document(transport, envy.ipp_url, report(), wait=True)
    assert result.state is JobState.COMPLETED
    assert result.pages == 2
    pages = decode_pwg(envy.jobs[0].document())
    assert len(pages) == 2
    assert all(page.header["ColorSpace"] == 18 for page in pages)


async def test_unsupported_format_creates_no_job(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    with pytest.raises(HPEWSUnsupportedFormatError) as caught:
        await print_document(transport, envy.ipp_url, documents["ps"])
    assert caught.value.document_format == "application/postscript"
    assert envy.jobs == []


async def test_missing_file(
    envy: SimulatedPrinter, transport: HttpTransport, tmp_path: Path
) -> None:
    caps = await get_print_capabilities(transport, envy.ipp_url)
    before = transport.request_count
    with pytest.raises(HPEWSDocumentError, match="not found"):
        await print_document(
            transport, envy.ipp_url, tmp_path / "gone.pdf", capabilities=caps
        )
    assert transport.request_count == before
    assert envy.jobs == []


async def test_printer_offline(
    simulated_printer: PrinterFactory,  # noqa: F811
    transport: HttpTransport,
    documents: dict[str, Path],
) -> None:
    printer = await simulated_printer("envy-4520")
    url = printer.ipp_url
    await printer.close()
    with pytest.raises(HPEWSConnectionError):
        await print_document(transport, url, documents["pdf"])


async def test_authentication(
    envy: SimulatedPrinter,
    session: aiohttp.ClientSession,
    transport: HttpTransport,
    documents: dict[str, Path],
) -> None:
    await envy.set_fault("auth", username="admin", password="secret")
    with pytest.raises(HPEWSAuthenticationError):
        await print_document(transport, envy.ipp_url, documents["jpeg"])
    wrong = HttpTransport(session, "127.0.0.1", username="admin", password="nope")
    with pytest.raises(HPEWSAuthenticationError):
        await print_document(wrong, envy.ipp_url, documents["jpeg"])
    assert envy.jobs == []
    # Validate-Job lets the transport learn the challenge before the
    # streamed body, which cannot be sent twice.
    right = HttpTransport(session, "127.0.0.1", username="admin", password="secret")
    result = await print_document(right, envy.ipp_url, documents["jpeg"], wait=True)
    assert result.state is JobState.COMPLETED


@pytest.mark.usefixtures("quick_backoff")
async def test_busy_printer_is_retried_then_given_up(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    await envy.set_fault("ipp_busy", count=3)
    result = await print_document(transport, envy.ipp_url, documents["jpeg"])
    assert result.job_id > 0
    await envy.set_fault("ipp_busy")
    with pytest.raises(HPEWSPrinterBusyError) as caught:
        await print_document(transport, envy.ipp_url, documents["jpeg"], busy_retries=2)
    assert caught.value.status_code == BUSY
    assert isinstance(caught.value, HPEWSIPPError)
    assert len(envy.jobs) == 1


@pytest.mark.usefixtures("quick_backoff")
async def test_busy_stream_goes_through_create_job(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    data = documents["jpeg"].read_bytes()

    async def stream() -> AsyncIterator[bytes]:
        yield data

    await envy.set_fault("ipp_busy", count=2)
    result = await print_document(transport, envy.ipp_url, stream(), validate=False)
    await envy.wait_for_jobs()
    (job,) = envy.jobs
    assert job.id == result.job_id
    assert job.document() == data


@pytest.mark.usefixtures("quick_backoff")
async def test_open_file_is_sent_again_when_busy(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    """An open file is read by position: resent after busy, position untouched."""
    await envy.set_fault("ipp_busy", count=2)
    with documents["jpeg"].open("rb") as handle:
        handle.seek(7)
        result = await print_document(transport, envy.ipp_url, handle, validate=False)
        assert handle.tell() == 7  # the caller's position, and still open
    await envy.wait_for_jobs()
    (job,) = envy.jobs
    assert job.id == result.job_id
    assert job.document() == documents["jpeg"].read_bytes()


async def test_rejected_job(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    caps = await get_print_capabilities(transport, envy.ipp_url)
    # Pretend the printer takes PostScript: it refuses the job itself.
    lying = replace(caps, document_formats=("application/postscript",))
    with pytest.raises(HPEWSIPPError) as caught:
        await print_document(
            transport, envy.ipp_url, documents["ps"], capabilities=lying, validate=False
        )
    assert caught.value.status_code == 0x040A  # document-format-not-supported


@pytest.mark.usefixtures("quick_backoff")
async def test_wait_gives_up_after_the_timeout(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    envy.state.page_seconds = 30
    result = await print_document(
        transport, envy.ipp_url, documents["jpeg"], wait=True, wait_timeout=0.3
    )
    assert not result.state.terminal
    await cancel_job(transport, envy.ipp_url, result.job_id)
    status = await get_job(transport, envy.ipp_url, result.job_id)
    assert status.state is JobState.CANCELED
    with pytest.raises(HPEWSIPPError):
        await cancel_job(transport, envy.ipp_url, 999)


# --- protocol edge cases with a scripted transport ---------------------------------


class ScriptedTransport:
    """Answers IPP requests from a list; records what was asked."""

    def __init__(self, *answers: bytes | None) -> None:
        self.answers = list(answers)
        self.operations: list[int] = []
        self.streamed: list[int] = []
        self.requests: list[codec.IppMessage] = []

    async def post_ipp(
        self, url: str, body: bytes | AsyncIterable[bytes], *, limit: int = 0
    ) -> bytes | None:
        if not isinstance(body, bytes):
            body = b"".join([chunk async for chunk in body])
            self.streamed.append(codec.decode_ipp(body).code)
        self.requests.append(codec.decode_ipp(body))
        self.operations.append(self.requests[-1].code)
        return self.answers.pop(0)


def ipp_answer(status: int = 0, **job: int) -> bytes:
    message = codec.new_ipp_response(status, 1, status_message="scripted")
    if job:
        group = message.add_group(codec.IppGroupTag.JOB)
        for name, value in job.items():
            tag = (
                codec.IppValueTag.ENUM
                if name == "job_state"
                else codec.IppValueTag.INTEGER
            )
            group.set(name.replace("_", "-"), tag, value)
    return message.encode()


JPEG_ONLY = PrintCapabilities(
    document_formats=("image/jpeg",), operations=("Create-Job", "Send-Document")
)


def test_job_state_values() -> None:
    assert JobState.from_enum(9) is JobState.COMPLETED
    assert JobState.from_enum(True) is JobState.UNKNOWN
    assert JobState.from_enum(42) is JobState.UNKNOWN
    assert JobState.from_enum("7") is JobState.UNKNOWN
    assert JobState.CANCELED.terminal
    assert not JobState.PROCESSING_STOPPED.terminal


async def test_no_ipp_service(documents: dict[str, Path]) -> None:
    with pytest.raises(HPEWSConnectionError, match="No IPP service"):
        await print_document(
            ScriptedTransport(None), "http://printer/ipp/print", documents["jpeg"]
        )


async def test_answer_without_job_id(documents: dict[str, Path]) -> None:
    transport = ScriptedTransport(ipp_answer(), ipp_answer())
    with pytest.raises(HPEWSParseError, match="job-id"):
        await print_document(
            transport,
            "http://printer/ipp/print",
            documents["jpeg"],
            capabilities=PrintCapabilities(document_formats=("image/jpeg",)),
        )
    assert transport.operations == [0x0004, 0x0002]  # Validate-Job, Print-Job
    assert transport.streamed == [0x0002]  # the document follows Print-Job's header
    for request in transport.requests:
        operation = request.operation
        assert operation.value("printer-uri") == "ipp://printer:80/ipp/print"
        assert operation.value("requesting-user-name") == "hp_ews"
        assert operation.value("job-name") == "Home Assistant"
        assert operation.value("document-format") == "image/jpeg"
        # Print with what the printer can rather than refuse the job.
        assert operation.value("ipp-attribute-fidelity") is False
        assert [group.tag for group in request.groups] == [codec.IppGroupTag.OPERATION]
    assert transport.requests[1].data == documents["jpeg"].read_bytes()


async def test_failed_send_document_cancels_the_job(
    documents: dict[str, Path],
) -> None:
    data = documents["jpeg"].read_bytes()

    async def stream() -> AsyncIterator[bytes]:
        yield data

    transport = ScriptedTransport(
        ipp_answer(job_id=7, job_state=3),  # Create-Job
        ipp_answer(0x0500),  # Send-Document: internal error
        ipp_answer(),  # Cancel-Job
    )
    with pytest.raises(HPEWSIPPError) as caught:
        await print_document(
            transport,
            "http://printer/ipp/print",
            stream(),
            capabilities=JPEG_ONLY,
            validate=False,
        )
    assert caught.value.status_code == 0x0500
    assert "scripted" in str(caught.value)
    assert transport.operations == [0x0005, 0x0006, 0x0008]
    assert transport.streamed == [0x0006]  # Send-Document
    create, send, cancel = (request.operation for request in transport.requests)
    assert "document-format" not in create
    assert (send.value("job-id"), send.value("document-format")) == (7, "image/jpeg")
    assert send.value("last-document") is True
    assert cancel.value("job-id") == 7


async def test_streamed_body_cannot_be_sent_twice() -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield b"x"

    body = submit._OneShotBody(b"header", stream())
    assert [chunk async for chunk in body] == [b"header", b"x"]
    assert body.sent == 1
    with pytest.raises(HPEWSConnectionError, match="resend"):
        aiter(body)


# --- HPPrinter: the same flow through the printer's own transport and profile ---------


async def test_printer_prints_and_follows_the_job(
    envy: SimulatedPrinter, session: aiohttp.ClientSession, documents: dict[str, Path]
) -> None:
    printer = HPPrinter.from_url(envy.url, session, timeout=5)
    capabilities = await printer.print_capabilities()
    # ENVY 4520's document-format-supported has no PDF: the PDF is rasterised.
    assert "application/pdf" not in capabilities.document_formats
    assert "image/pwg-raster" in capabilities.document_formats
    result = await printer.print_document(
        documents["pdf"], PrintOptions(media="A4", job_name="bars"), wait=True
    )
    assert (result.state, result.document_format) == (
        JobState.COMPLETED,
        "image/pwg-raster",
    )
    assert result.pages == 3
    (job,) = envy.jobs
    assert job.id == result.job_id
    assert len(decode_pwg(job.document())) == 3
    status = await printer.get_job(result.job_id)
    assert status.state is JobState.COMPLETED
    assert (await printer.wait_for_job(result.job_id)).state is JobState.COMPLETED


@pytest.mark.usefixtures("quick_backoff")
async def test_printer_cancels_a_job(
    envy: SimulatedPrinter, session: aiohttp.ClientSession, documents: dict[str, Path]
) -> None:
    envy.state.page_seconds = 30
    printer = HPPrinter.from_url(envy.url, session, timeout=5)
    result = await printer.print_document(documents["jpeg"])
    assert not result.state.terminal
    await printer.cancel_job(result.job_id)
    final = await printer.wait_for_job(result.job_id, wait_timeout=5)
    assert final.state is JobState.CANCELED
    with pytest.raises(HPEWSIPPError):
        await printer.cancel_job(result.job_id)


async def test_printer_with_credentials(
    envy: SimulatedPrinter, session: aiohttp.ClientSession, documents: dict[str, Path]
) -> None:
    printer = HPPrinter.from_url(envy.url, session, timeout=5)
    await printer.probe()
    await envy.set_fault("auth", username="admin", password="secret")
    with pytest.raises(HPEWSAuthenticationError):
        await printer.print_document(documents["jpeg"])
    allowed = HPPrinter.from_url(
        envy.url, session, timeout=5, username="admin", password="secret"
    )
    allowed._profile = printer.profile
    result = await allowed.print_document(documents["jpeg"], wait=True)
    assert result.state is JobState.COMPLETED


async def test_printer_without_ipp(
    envy: SimulatedPrinter, session: aiohttp.ClientSession, documents: dict[str, Path]
) -> None:
    printer = HPPrinter.from_url(envy.url, session, timeout=5)
    profile = await printer.probe()
    printer._profile = replace(profile, ipp_url=None, protocols=profile.protocols[:1])
    before = printer.request_count
    for call in (
        printer.print_capabilities(),
        printer.get_job(1),
        printer.wait_for_job(1),
        printer.cancel_job(1),
        printer.print_document(documents["jpeg"]),
    ):
        with pytest.raises(HPEWSUnsupportedError, match="IPP"):
            await call
    assert printer.request_count == before
    assert envy.jobs == []

    # Raw port 9100, for the formats the printer's PDL list names.
    result = await printer.print_document(
        documents["pdf"],
        PrintOptions(media="A4"),
        raw_formats=("image/pwg-raster",),
        raw_port=envy.raw_port,
    )
    assert (result.job_id, result.document_format) == (0, "image/pwg-raster")
    await raw_job_done(envy)
    assert len(decode_pwg(envy.jobs[0].document())) == 3
    with pytest.raises(HPEWSUnsupportedFormatError):
        await printer.print_document(
            documents["ps"], raw_formats=("image/jpeg",), raw_port=envy.raw_port
        )
