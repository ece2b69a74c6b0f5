"""Printing in progress, job storage limits and the job list's edges."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from simulator import jobs as jobs_module
from simulator.jobs import JobState

from .helpers import (
    PDF_2_PAGES,
    get_text,
    ledm_root,
    print_document,
    printer_attributes,
    status_categories,
    wait_for,
)
from .test_state_across_protocols import pjl_status

if TYPE_CHECKING:
    import aiohttp
    import pytest

    from simulator.testing import PrinterFactory


async def test_printing_shows_everywhere(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw", page_seconds=0.4)
    sim.set_state(power_save=True)
    await print_document(http, sim, PDF_2_PAGES)
    await wait_for(lambda: sim.state.printing)
    # Printing wakes the printer.
    assert sim.state.power_save is False
    root = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root) == ["processing"]
    printer = await printer_attributes(http, sim)
    assert printer.value("printer-state") == 4
    assert printer.value("queued-job-count") == 1
    assert "CODE=10023" in await pjl_status(sim.raw_port)
    tank = await simulated_printer("smart-tank-580", page_seconds=0.4)
    await print_document(http, tank, b"\xff\xd8\xff\xe0jpeg", "image/jpeg")
    await wait_for(lambda: tank.state.printing)
    _, body, _ = await get_text(http, tank.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "processing"
    _, body, _ = await get_text(http, tank.url + "/cdm/print/v2/status")
    assert json.loads(body)["printerState"] == "processing"


async def test_cancel_while_printing(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e", page_seconds=0.2)
    total = sim.state.counters["total_pages"]
    await print_document(http, sim, PDF_2_PAGES)
    await wait_for(lambda: sim.state.printing)
    assert sim.job_manager.cancel(sim.jobs[0])
    await sim.wait_for_jobs()
    assert sim.jobs[0].state is JobState.CANCELED
    assert sim.state.counters["total_pages"] == total
    assert sim.state.printing == 0


async def test_document_cap_and_large_documents(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e", max_document_bytes=100)
    await print_document(http, sim, PDF_2_PAGES)
    job = sim.jobs[0]
    assert (job.size, job.stored, job.truncated) == (len(PDF_2_PAGES), 100, True)
    assert job.pages == 1
    assert job.document() == PDF_2_PAGES[:100]
    big = await simulated_printer("officejet-pro-9022e")
    data = PDF_2_PAGES + b"%" + b"x" * (3 * 1024 * 1024)
    await print_document(http, big, data)
    assert big.jobs[0].document() == data
    assert big.jobs[0].pages == 2
    none = await simulated_printer("officejet-pro-9022e", keep_documents=False)
    await print_document(http, none, PDF_2_PAGES)
    assert none.jobs[0].stored == 0
    assert none.jobs[0].size == len(PDF_2_PAGES)


async def test_old_jobs_are_forgotten(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs_module, "MAX_KEPT_JOBS", 2)
    sim = await simulated_printer("officejet-pro-9022e")
    for _ in range(4):
        await print_document(http, sim, PDF_2_PAGES)
        await sim.wait_for_jobs()
    await print_document(http, sim, PDF_2_PAGES)
    assert next(job.id for job in sim.jobs) >= 3
    assert len(sim.jobs) <= 3


async def test_empty_document_and_unknown_bytes(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await print_document(http, sim, b"", "application/octet-stream")
    await sim.wait_for_jobs()
    assert sim.jobs[0].pages == 0
    assert sim.jobs[0].state is JobState.COMPLETED
    await print_document(http, sim, b"\x00\x01binary", "application/octet-stream")
    await sim.wait_for_jobs()
    assert sim.jobs[1].detected_format == "application/octet-stream"
    assert sim.jobs[1].state is JobState.COMPLETED


async def test_json_friendly_attributes(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    from custom_components.hp_ews.client import (
        IppCollection,
        IppGroupTag,
        IppOperation,
        IppRangeOfInteger,
        IppResolution,
        IppValueTag,
        new_ipp_request,
    )

    sim = await simulated_printer("officejet-pro-9022e")
    media = IppCollection()
    size = IppCollection()
    size.set("x-dimension", IppValueTag.INTEGER, 21000)
    size.set("y-dimension", IppValueTag.INTEGER, 29700)
    media.set("media-size", IppValueTag.BEG_COLLECTION, size)
    message = new_ipp_request(IppOperation.PRINT_JOB, sim.printer_uri)
    job = message.add_group(IppGroupTag.JOB)
    job.set("media-col", IppValueTag.BEG_COLLECTION, media)
    job.set("printer-resolution", IppValueTag.RESOLUTION, IppResolution(600, 600, 3))
    job.set("job-hold-until", IppValueTag.OCTET_STRING, b"no-hold")
    job.set("page-ranges", IppValueTag.RANGE_OF_INTEGER, IppRangeOfInteger(1, 2))
    async with http.post(
        sim.ipp_url,
        data=message.encode() + PDF_2_PAGES,
        headers={"Content-Type": "application/ipp"},
    ) as resp:
        assert resp.status == 200
    attributes = sim.jobs[0].to_json()["attributes"]
    assert attributes["media-col"] == {
        "media-size": {"x-dimension": 21000, "y-dimension": 29700}
    }
    assert attributes["job-hold-until"] == "no-hold"
    assert attributes["page-ranges"] == "1-2"
    assert attributes["printer-resolution"] == "600x600dpi"
    json.dumps(attributes)


async def test_client_gone_mid_upload(simulated_printer: PrinterFactory) -> None:
    from custom_components.hp_ews.client import IppOperation, new_ipp_request

    sim = await simulated_printer("officejet-pro-9022e")
    message = new_ipp_request(IppOperation.PRINT_JOB, sim.printer_uri)
    body = message.encode() + b"%PDF-1.4\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(
        b"POST /ipp/print HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\n"
        + f"Content-Length: {len(body) + 100000}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await wait_for(lambda: sim.jobs)
    writer.close()
    await writer.wait_closed()
    await wait_for(lambda: sim.jobs[0].state is JobState.ABORTED)
    assert sim.jobs[0].state_reasons == ["aborted-by-system"]
    del reader
