"""The IPP service: operations and status codes (RFC 8011)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client import (
    IppGroupTag,
    IppOperation,
    IppStatusCode,
    IppValueTag,
    new_ipp_request,
)
from simulator.jobs import Job, JobState

from .conftest import FIXTURES
from .helpers import (
    PDF_2_PAGES,
    ipp_request,
    post_ipp,
    print_document,
    printer_attributes,
    pwg_raster,
)

if TYPE_CHECKING:
    import aiohttp

    from simulator.testing import PrinterFactory


def state_of(job: Job) -> JobState:
    """A job's state, read fresh (no narrowing across awaits)."""
    return job.state


Op = IppOperation
Status = IppStatusCode
Tag = IppValueTag


async def test_printer_attributes_from_capture(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520")
    printer = await printer_attributes(http, sim)
    dump = (
        FIXTURES / "ipp/HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
    ).read_text()
    # Captured facts are served as they are.
    assert (
        "document-format-supported (1setOf mimeMediaType) = "
        + ",".join(map(str, printer.values("document-format-supported")))
    ) in dump
    assert "application/pdf" not in printer.values("document-format-supported")
    assert printer.value("printer-make-and-model") == "HP ENVY 4520 series"
    # Identity and addresses are this printer's.
    identity = sim.state.identity
    assert printer.value("printer-uuid") == f"urn:uuid:{identity.uuid}"
    assert printer.value("printer-uri-supported") == sim.printer_uri
    assert (
        printer.value("printer-info") == f"HP ENVY 4520 series [{identity.mac_suffix}]"
    )
    assert f"SN:{identity.serial};" in str(printer.value("printer-device-id"))
    assert str(printer.value("printer-more-info")).startswith(sim.url + "/")
    assert (
        printer.value("printer-uri-supported")
        == f"ipp://127.0.0.1:{sim.port}/ipp/print"
    )
    # Filtering by requested-attributes.
    response = await ipp_request(
        http,
        sim,
        Op.GET_PRINTER_ATTRIBUTES,
        operation_attrs=[
            ("requested-attributes", Tag.KEYWORD, ["printer-state", "marker-levels"])
        ],
    )
    assert response.printer.names() == ["printer-state", "marker-levels"]


async def test_ipps_for_https_printer(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    printer = await printer_attributes(http, sim)
    assert (
        printer.value("printer-uri-supported")
        == f"ipps://127.0.0.1:{sim.port}/ipp/print"
    )
    assert printer.value("uri-security-supported") == "tls"
    assert printer.value("printer-make-and-model") == "Smart Tank 580-590 series"
    assert printer.values("marker-colors") == [
        "#000000",
        "#00FFFF",
        "#FF00FF",
        "#FFFF00",
    ]


async def test_print_job_prints(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw", percent_per_page=1.0)
    total = sim.state.counters["total_pages"] or 0
    color = sim.state.counters["color_pages"] or 0
    response = await print_document(http, sim, PDF_2_PAGES, copies=2)
    assert response.status_code == Status.SUCCESSFUL_OK
    job_id = response.job.value("job-id")
    assert response.job.value("job-uri") == f"{sim.printer_uri}/{job_id!s}"
    await sim.wait_for_jobs()
    job = sim.jobs[-1]
    assert job.document() == PDF_2_PAGES
    assert (job.pages, job.copies, job.impressions_completed) == (2, 2, 4)
    assert job.state is JobState.COMPLETED
    assert job.attributes["job-name"] == "test job"
    assert sim.state.counters["total_pages"] == total + 4
    assert sim.state.counters["color_pages"] == color + 4
    # 4 pages at 1 % from the captured 20 % black.
    assert sim.state.to_json()["supplies"]["K"] == 16
    response = await ipp_request(
        http,
        sim,
        Op.GET_JOB_ATTRIBUTES,
        operation_attrs=[("job-id", Tag.INTEGER, job_id)],
    )
    assert response.job.value("job-state") == 9
    assert response.job.value("job-impressions-completed") == 4
    assert response.job.value("job-state-reasons") == "job-completed-successfully"


async def test_monochrome_duplex_job(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw", percent_per_page=5.0)
    mono = sim.state.counters["monochrome_pages"] or 0
    duplex = sim.state.counters["duplex_sheets"] or 0
    await print_document(
        http,
        sim,
        PDF_2_PAGES,
        print_color_mode="monochrome",
        sides="two-sided-long-edge",
    )
    await sim.wait_for_jobs()
    assert sim.state.counters["monochrome_pages"] == mono + 2
    assert sim.state.counters["duplex_sheets"] == duplex + 1
    supplies = sim.state.to_json()["supplies"]
    assert supplies["K"] == 10
    assert supplies["C"] == 30  # colour untouched


async def test_unsupported_format(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520")
    response = await print_document(http, sim, PDF_2_PAGES)
    assert response.status_code == Status.CLIENT_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED
    unsupported = response.group(IppGroupTag.UNSUPPORTED)
    assert unsupported is not None
    assert unsupported.value("document-format") == "application/pdf"
    assert sim.jobs == []
    # Auto-sense (octet-stream) accepts the bytes but cannot print PDF.
    response = await print_document(http, sim, PDF_2_PAGES, "application/octet-stream")
    assert response.status_code == Status.SUCCESSFUL_OK
    assert sim.jobs[-1].state is JobState.ABORTED
    assert sim.jobs[-1].state_reasons == ["document-unprintable-error"]
    # What it does take: PWG raster, pages counted from the stream.
    response = await print_document(http, sim, pwg_raster(3), "image/pwg-raster")
    assert response.status_code == Status.SUCCESSFUL_OK
    await sim.wait_for_jobs()
    assert sim.jobs[-1].pages == 3
    assert state_of(sim.jobs[-1]) is JobState.COMPLETED


async def test_create_job_send_document_and_job_list(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    created = await ipp_request(
        http, sim, Op.CREATE_JOB, operation_attrs=[("job-name", Tag.NAME, "two step")]
    )
    assert created.status_code == Status.SUCCESSFUL_OK
    job_id = created.job.value("job-id")
    assert created.job.value("job-state") == 3
    listing = await ipp_request(http, sim, Op.GET_JOBS)
    assert [g.value("job-id") for g in listing.groups_of(IppGroupTag.JOB)] == [job_id]
    assert listing.groups_of(IppGroupTag.JOB)[0].names() == ["job-id", "job-uri"]
    sent = await ipp_request(
        http,
        sim,
        Op.SEND_DOCUMENT,
        operation_attrs=[
            ("job-id", Tag.INTEGER, job_id),
            ("last-document", Tag.BOOLEAN, True),
            ("document-format", Tag.MIME_MEDIA_TYPE, "application/pdf"),
        ],
        data=PDF_2_PAGES,
    )
    assert sent.status_code == Status.SUCCESSFUL_OK
    again = await ipp_request(
        http,
        sim,
        Op.SEND_DOCUMENT,
        operation_attrs=[("job-id", Tag.INTEGER, job_id)],
        data=b"x",
    )
    assert again.status_code in (
        Status.SERVER_ERROR_MULTIPLE_DOCUMENT_JOBS_NOT_SUPPORTED,
        Status.CLIENT_ERROR_NOT_POSSIBLE,
    )
    await sim.wait_for_jobs()
    done = await ipp_request(
        http,
        sim,
        Op.GET_JOBS,
        operation_attrs=[
            ("which-jobs", Tag.KEYWORD, "completed"),
            ("requested-attributes", Tag.KEYWORD, "all"),
            ("limit", Tag.INTEGER, 5),
        ],
    )
    groups = done.groups_of(IppGroupTag.JOB)
    assert groups[0].value("job-name") == "two step"
    assert groups[0].value("job-originating-user-name") == "tester"
    assert sim.jobs[0].document() == PDF_2_PAGES
    bad = await ipp_request(
        http,
        sim,
        Op.GET_JOBS,
        operation_attrs=[("which-jobs", Tag.KEYWORD, "fetchable")],
    )
    assert bad.status_code == Status.CLIENT_ERROR_ATTRIBUTES_OR_VALUES_NOT_SUPPORTED


async def test_job_errors(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    for operation in (Op.GET_JOB_ATTRIBUTES, Op.CANCEL_JOB, Op.SEND_DOCUMENT):
        missing = await ipp_request(
            http, sim, operation, operation_attrs=[("job-id", Tag.INTEGER, 999)]
        )
        assert missing.status_code == Status.CLIENT_ERROR_NOT_FOUND
    no_id = await ipp_request(http, sim, Op.GET_JOB_ATTRIBUTES)
    assert no_id.status_code == Status.CLIENT_ERROR_BAD_REQUEST
    by_uri = await ipp_request(
        http,
        sim,
        Op.GET_JOB_ATTRIBUTES,
        operation_attrs=[("job-uri", Tag.URI, f"{sim.printer_uri}/999")],
    )
    assert by_uri.status_code == Status.CLIENT_ERROR_NOT_FOUND
    hold = await ipp_request(
        http, sim, Op.HOLD_JOB, operation_attrs=[("job-id", Tag.INTEGER, 1)]
    )
    assert hold.status_code == Status.SERVER_ERROR_OPERATION_NOT_SUPPORTED


async def test_cancel_and_blocked_printing(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(paper_jam=True)
    first = await print_document(http, sim, PDF_2_PAGES)
    second = await print_document(http, sim, PDF_2_PAGES)
    jobs = sim.jobs
    for _ in range(50):
        if jobs[0].state is JobState.PROCESSING_STOPPED:
            break
        await __import__("asyncio").sleep(0.01)
    assert jobs[0].state is JobState.PROCESSING_STOPPED
    cancel = await ipp_request(
        http,
        sim,
        Op.CANCEL_JOB,
        operation_attrs=[("job-id", Tag.INTEGER, second.job.value("job-id"))],
    )
    assert cancel.status_code == Status.SUCCESSFUL_OK
    assert jobs[1].state is JobState.CANCELED
    again = await ipp_request(
        http,
        sim,
        Op.CANCEL_JOB,
        operation_attrs=[("job-id", Tag.INTEGER, second.job.value("job-id"))],
    )
    assert again.status_code == Status.CLIENT_ERROR_NOT_POSSIBLE
    sim.set_state(paper_jam=False)
    await sim.wait_for_jobs()
    assert state_of(jobs[0]) is JobState.COMPLETED
    assert first.job.value("job-id") == jobs[0].id


async def test_busy(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await sim.set_fault("ipp_busy", count=1)
    busy = await print_document(http, sim, PDF_2_PAGES)
    assert busy.status_code == Status.SERVER_ERROR_BUSY
    assert (
        await print_document(http, sim, PDF_2_PAGES)
    ).status_code == Status.SUCCESSFUL_OK
    # A queue of unfinished jobs also makes it busy.
    sim.set_state(door_open=True)
    for _ in range(4):
        await print_document(http, sim, PDF_2_PAGES)
    validate = await ipp_request(
        http,
        sim,
        Op.VALIDATE_JOB,
        operation_attrs=[("document-format", Tag.MIME_MEDIA_TYPE, "application/pdf")],
    )
    assert validate.status_code == Status.SERVER_ERROR_BUSY
    sim.set_state(door_open=False)
    await sim.wait_for_jobs()
    validate = await ipp_request(http, sim, Op.VALIDATE_JOB)
    assert validate.status_code == Status.SUCCESSFUL_OK


async def test_identify(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("pagewide-mfp-p57750")
    response = await ipp_request(http, sim, Op.IDENTIFY_PRINTER)
    assert response.status_code == Status.SUCCESSFUL_OK
    assert sim.state.identify_count == 1


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (
            lambda m: setattr(m, "version", (0, 0)),
            Status.SERVER_ERROR_VERSION_NOT_SUPPORTED,
        ),
        (lambda m: setattr(m, "request_id", 0), Status.CLIENT_ERROR_BAD_REQUEST),
        (
            lambda m: m.operation.remove("attributes-charset"),
            Status.CLIENT_ERROR_BAD_REQUEST,
        ),
        (lambda m: m.operation.remove("printer-uri"), Status.CLIENT_ERROR_BAD_REQUEST),
    ],
)
async def test_bad_requests(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    mutate: object,
    status: int,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    message = new_ipp_request(Op.GET_PRINTER_ATTRIBUTES, sim.printer_uri, request_id=3)
    mutate(message)  # type: ignore[operator]
    response = await post_ipp(http, sim, message.encode())
    assert response.status_code == status


async def test_malformed_http_level(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    for body, content_type in (
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47", "application/ipp"),  # truncated
        (
            b"\x02\x00\x00\x0b\x00\x00\x00\x01\x00\x03",
            "application/ipp",
        ),  # reserved tag
        (b"hello", "text/plain"),
    ):
        async with http.post(
            sim.ipp_url, data=body, headers={"Content-Type": content_type}
        ) as resp:
            assert resp.status == 400
