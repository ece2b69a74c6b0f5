"""Shared helpers of the simulator tests."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
import xml.etree.ElementTree as ET

import aiohttp

from custom_components.hp_ews.client import (
    IppAttributeGroup,
    IppGroupTag,
    IppMessage,
    IppOperation,
    IppStatusCode,
    IppValueTag,
    decode_ipp,
    new_ipp_request,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from simulator.server import SimulatedPrinter

DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
PSDYN = "http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31"
PSCAT = "http://www.hp.com/schemas/imaging/con/ledm/productstatuscategories/2007/10/31"
AD = "http://www.hp.com/schemas/imaging/con/ledm/alertdetails/2007/10/31"
CCDYN = "http://www.hp.com/schemas/imaging/con/ledm/consumableconfigdyn/2007/11/19"
PUDYN = "http://www.hp.com/schemas/imaging/con/ledm/productusagedyn/2007/12/11"
NS = {
    "dd": DD,
    "psdyn": PSDYN,
    "pscat": PSCAT,
    "ad": AD,
    "ccdyn": CCDYN,
    "pudyn": PUDYN,
}

# A two-page PDF (page objects written out, as most generators do).
PDF_2_PAGES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def pwg_raster(pages: int, width: int = 8, height: int = 4) -> bytes:
    """A valid PWG raster stream (PWG 5102.4) of white 8-bit grey pages."""
    header = bytearray(1796)
    header[0:7] = b"PwgRast"
    for offset, value in (
        (372, width),  # cupsWidth
        (376, height),  # cupsHeight
        (384, 8),  # cupsBitsPerColor
        (388, 8),  # cupsBitsPerPixel
        (392, width),  # cupsBytesPerLine
    ):
        header[offset : offset + 4] = value.to_bytes(4, "big")
    # A line: runs of up to 128 white pixels (control byte n-1, then the
    # pixel); lines go in groups of up to 256 (line repeat byte n-1).
    line = b"".join(
        bytes([min(128, width - x) - 1, 0xFF]) for x in range(0, width, 128)
    )
    groups = b"".join(
        bytes([min(256, height - y) - 1]) + line for y in range(0, height, 256)
    )
    page = bytes(header) + groups
    return b"RaS2" + page * pages


async def get_text(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes, str]:
    """Status, body and content type of a GET."""
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.read(), response.content_type


async def ledm_root(
    http: aiohttp.ClientSession, sim: SimulatedPrinter, path: str
) -> ET.Element:
    status, body, _ = await get_text(http, sim.url + path)
    assert status == 200, path
    return ET.fromstring(body)


def status_categories(root: ET.Element) -> list[str]:
    return [
        e.text or "" for e in root.iterfind("psdyn:Status/pscat:StatusCategory", NS)
    ]


def alert_ids(root: ET.Element) -> list[str]:
    return [
        e.text or ""
        for e in root.iterfind(
            "psdyn:AlertTable/psdyn:Alert/ad:ProductStatusAlertID", NS
        )
    ]


async def ipp_request(
    http: aiohttp.ClientSession,
    sim: SimulatedPrinter,
    operation: int,
    *,
    operation_attrs: Sequence[tuple[str, int, Any]] | None = None,
    job_attrs: Sequence[tuple[str, int, Any]] | None = None,
    data: bytes = b"",
    version: tuple[int, int] = (2, 0),
    request_id: int = 7,
    headers: dict[str, str] | None = None,
) -> IppMessage:
    """Send an IPP request and decode the answer."""
    message = new_ipp_request(
        operation,
        sim.printer_uri,
        request_id=request_id,
        requesting_user_name="tester",
        version=version,
    )
    for name, tag, value in operation_attrs or []:
        values = value if isinstance(value, list) else [value]
        message.operation.set(name, tag, *values)
    if job_attrs:
        group = message.add_group(IppGroupTag.JOB)
        for name, tag, value in job_attrs:
            group.set(name, tag, value)
    return await post_ipp(http, sim, message.encode() + data, headers)


async def post_ipp(
    http: aiohttp.ClientSession,
    sim: SimulatedPrinter,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> IppMessage:
    async with http.post(
        sim.ipp_url,
        data=body,
        headers={"Content-Type": "application/ipp", **(headers or {})},
    ) as response:
        assert response.status == 200, await response.text()
        return decode_ipp(await response.read())


async def printer_attributes(
    http: aiohttp.ClientSession, sim: SimulatedPrinter
) -> IppAttributeGroup:
    response = await ipp_request(http, sim, IppOperation.GET_PRINTER_ATTRIBUTES)
    assert response.status_code == IppStatusCode.SUCCESSFUL_OK
    return response.printer


async def print_document(
    http: aiohttp.ClientSession,
    sim: SimulatedPrinter,
    data: bytes,
    document_format: str = "application/pdf",
    **job: Any,
) -> IppMessage:
    tag = IppValueTag
    job_attrs = [
        (name.replace("_", "-"), tag.INTEGER if isinstance(v, int) else tag.KEYWORD, v)
        for name, v in job.items()
    ]
    return await ipp_request(
        http,
        sim,
        IppOperation.PRINT_JOB,
        operation_attrs=[
            ("job-name", tag.NAME, "test job"),
            ("document-format", tag.MIME_MEDIA_TYPE, document_format),
        ],
        job_attrs=job_attrs,
        data=data,
    )


async def wait_until_served(
    http: aiohttp.ClientSession, url: str, within: float = 20.0
) -> None:
    """Poll until ``url`` answers 200 (generous: the machine may be loaded)."""
    async with asyncio.timeout(within):
        while True:
            try:
                if (await get_text(http, url))[0] == 200:
                    return
            except aiohttp.ClientConnectorError:
                pass
            await asyncio.sleep(0.05)


async def wait_for(predicate: Callable[[], object], seconds: float = 20.0) -> None:
    """Poll until ``predicate()`` is true (generous: the machine may be loaded)."""
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
