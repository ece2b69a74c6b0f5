"""Printing to the raw port (9100) of printers without IPP.

The document is prepared as for IPP (:func:`~.convert.prepare_document`), for
the formats the printer's PDL list (IEEE 1284 ``CMD:``, mDNS ``pdl``) says it
takes, and written to the port; the port reports nothing back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.ipp import JobState
from custom_components.hp_ews.client.models import PrintCapabilities
from custom_components.hp_ews.client.transport import RAW_PORT

from .convert import prepare_document
from .options import PrintOptions
from .submit import PrintResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from custom_components.hp_ews.client.transport import PrinterTransport

    from .spool import DocumentSource

_RAW_IDLE_TIMEOUT: Final = 60.0

_PDL_FORMATS: Final[Mapping[str, str]] = {
    "PDF": "application/pdf",
    "POSTSCRIPT": "application/postscript",
    "PS": "application/postscript",
    "BR-SCRIPT": "application/postscript",
    "JPEG": "image/jpeg",
    "JPG": "image/jpeg",
    "PWGRASTER": "image/pwg-raster",
    "PWG": "image/pwg-raster",
    "APPLERASTER": "image/urf",
    "URF": "image/urf",
    "PCL": "application/vnd.hp-pcl",
    "PCL3GUI": "application/vnd.hp-pcl",
    "PCLM": "application/pclm",
    "TEXT": "text/plain",
}


def pdl_formats(command_set: Iterable[str]) -> tuple[str, ...]:
    """MIME types for the PDL names of an IEEE 1284 ``CMD:`` list.

    ``("PCL3GUI", "PJL", "JPEG", "PWGRaster")`` → PCL, JPEG, PWG Raster.
    """
    formats: list[str] = []
    for name in command_set:
        mime = _PDL_FORMATS.get(name.strip().upper())
        if mime is not None and mime not in formats:
            formats.append(mime)
    return tuple(formats)


async def print_raw(
    transport: PrinterTransport,
    source: DocumentSource,
    accepted_formats: Iterable[str],
    options: PrintOptions | None = None,
    *,
    port: int = RAW_PORT,
    document_format: str | None = None,
    idle_timeout: float = _RAW_IDLE_TIMEOUT,
    spool_dir: Path | None = None,
    max_bytes: int | None = None,
) -> PrintResult:
    """Send a document to the raw port of a printer without IPP.

    ``accepted_formats`` are MIME types (see :func:`pdl_formats`); a PDF is
    rasterised when only PWG Raster or URF is accepted. The transport sends
    it (``send_raw``), ``idle_timeout`` bounding each step. The raw port
    reports nothing back, so the result's state is ``completed`` once every
    byte was delivered and ``job_id`` is 0.

    Raises:
        HPEWSUnsupportedFormatError: the printer's PDL list does not take it.
        HPEWSConnectionError: the port refused or dropped the connection.
    """
    options = options or PrintOptions()
    capabilities = PrintCapabilities(
        document_formats=tuple(accepted_formats), color_supported=True
    )
    async with prepare_document(
        source,
        capabilities,
        options,
        document_format=document_format,
        spool_dir=spool_dir,
        max_bytes=max_bytes,
    ) as document:
        await transport.send_raw(document, port=port, step_timeout=idle_timeout)
        return PrintResult(
            job_id=0,
            document_format=document.document_format,
            state=JobState.COMPLETED,
            pages=document.pages,
            job_name=options.job_name,
            converted=not document.conversion.passthrough,
        )
