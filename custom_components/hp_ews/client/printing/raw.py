"""Printing to the raw port (9100) of printers without IPP.

The document is prepared as for IPP (:func:`~.convert.prepare_document`), for
the formats the printer's PDL list (IEEE 1284 ``CMD:``, mDNS ``pdl``) says it
takes, and written to the port; the port reports nothing back.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSConnectionError
from custom_components.hp_ews.client.ipp import JobState
from custom_components.hp_ews.client.models import PrintCapabilities

from .convert import prepare_document
from .options import PrintOptions
from .submit import PrintResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from .spool import DocumentSource

RAW_PORT: Final = 9100
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
    host: str,
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
    rasterised when only PWG Raster or URF is accepted. The raw port reports
    nothing back, so the result's state is ``completed`` once every byte was
    delivered and ``job_id`` is 0.

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
        try:
            async with asyncio.timeout(idle_timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except TimeoutError as err:
            raise HPEWSConnectionError(f"{host}:{port} did not answer") from err
        except OSError as err:
            raise HPEWSConnectionError(
                f"Cannot connect to {host}:{port}: {err}"
            ) from err
        try:
            async for chunk in document:
                writer.write(chunk)
                async with asyncio.timeout(idle_timeout):
                    await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
            async with asyncio.timeout(idle_timeout):
                await writer.drain()
        except TimeoutError as err:
            raise HPEWSConnectionError(f"{host}:{port} stopped reading") from err
        except OSError as err:
            raise HPEWSConnectionError(
                f"Sending to {host}:{port} failed: {err}"
            ) from err
        finally:
            del reader
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(idle_timeout):
                    await writer.wait_closed()
        return PrintResult(
            job_id=0,
            document_format=document.document_format,
            state=JobState.COMPLETED,
            pages=document.pages,
            job_name=options.job_name,
            converted=not document.conversion.passthrough,
        )
