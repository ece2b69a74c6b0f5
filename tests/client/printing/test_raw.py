"""Printing to the raw port (9100) of a simulated ENVY 4520 (printing/raw.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest

from custom_components.hp_ews.client.errors import (
    HPEWSConnectionError,
    HPEWSUnsupportedFormatError,
)
from custom_components.hp_ews.client.printing.options import PrintOptions
from custom_components.hp_ews.client.printing.raw import pdl_formats, print_raw
from custom_components.hp_ews.client.transport import HttpTransport
from simulator.testing import simulated_printer  # noqa: F401

from .helpers import raw_job_done
from .test_raster import decode_pwg

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def transport() -> AsyncIterator[HttpTransport]:
    async with aiohttp.ClientSession() as session:
        yield HttpTransport(session, "127.0.0.1")


async def test_raw_port_takes_a_rasterised_pdf(
    envy: SimulatedPrinter, transport: HttpTransport, documents: dict[str, Path]
) -> None:
    # PDLs of the real ENVY 4520's printer-device-id CMD: field.
    formats = pdl_formats(
        [
            "PCL3GUI",
            "PJL",
            "Automatic",
            "JPEG",
            "PCLM",
            "AppleRaster",
            "PWGRaster",
            "DW-PCL",
            "802.11",
        ]
    )
    assert formats == (
        "application/vnd.hp-pcl",
        "image/jpeg",
        "application/pclm",
        "image/urf",
        "image/pwg-raster",
    )
    result = await print_raw(
        transport,
        documents["pdf"],
        formats,
        PrintOptions(media="A4"),
        port=envy.raw_port,
    )
    assert result.document_format == "image/pwg-raster"
    assert result.pages == 3
    await raw_job_done(envy)
    (job,) = envy.jobs
    assert job.source == "raw"
    assert len(decode_pwg(job.document())) == 3
    with pytest.raises(HPEWSUnsupportedFormatError):
        await print_raw(transport, documents["ps"], formats, port=envy.raw_port)


async def test_raw_port_refused(
    simulated_printer: PrinterFactory,  # noqa: F811
    transport: HttpTransport,
    documents: dict[str, Path],
) -> None:
    printer = await simulated_printer("envy-4520")
    port = printer.raw_port
    await printer.close()
    with pytest.raises(HPEWSConnectionError):
        await print_raw(transport, documents["jpeg"], ("image/jpeg",), port=port)
    # The transport sent it: one request, under its in-flight limit.
    assert transport.request_count == 1
