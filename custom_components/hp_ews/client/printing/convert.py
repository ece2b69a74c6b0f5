"""A document made ready for the printer: format negotiated, conversion set up.

:func:`prepare_document` opens the source (:mod:`.spool`), sniffs its format
when not told (:mod:`.formats`), picks what the printer takes, and for a
converted document sets up the raster job (:mod:`.capabilities`) and the
page-at-a-time pipeline: a renderer (:mod:`.render`) feeds the PWG or URF
encoder (:mod:`.raster`), driven one chunk per executor call. Errors a
document can cause surface here, before a print job exists.

Nothing holds a whole document in memory, and every bound is checked while
reading, before the work it guards:

* the document's size (``max_bytes``), when a file is opened or while a
  stream is read;
* an image's pixels from its header, before it is decoded
  (``render.image.MAX_IMAGE_PIXELS``);
* a page's pixels before it is rendered (``raster.MAX_PAGE_PIXELS``, at most
  600 dpi unless the printer lists nothing lower);
* the pages selected before the first is rendered (``options.MAX_PAGES``),
  text pages in all while they are counted;
* text in pieces of ``render.text.TEXT_READ_CHARS`` characters, however long
  its lines;
* the time spent converting (:data:`RENDER_SECONDS`).

A bound that is hit raises :class:`~..errors.HPEWSDocumentLimitError`;
running out of memory anyway raises :class:`~..errors.HPEWSOutOfMemoryError`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
import logging
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import (
    HPEWSDocumentError,
    HPEWSUnsupportedFormatError,
)

from .capabilities import raster_job
from .formats import (
    OCTET_STREAM,
    URF,
    Conversion,
    ConversionKind,
    choose_format,
    normalize_format,
    sniff_format,
)
from .options import PrintOptions, select_pages
from .raster import RasterJob, encode_pwg, encode_urf
from .render import image, pdf, text
from .render.runner import RenderClock, pump, run_step
from .spool import open_source

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from custom_components.hp_ews.client.models import PrintCapabilities

    from .spool import Disk, DocumentSource

_LOGGER = logging.getLogger(__name__)

RENDER_SECONDS: Final = 1800.0
"""Time one document may spend converting (not waiting for the printer)."""


@dataclass(slots=True)
class PreparedDocument:
    """A document ready to stream to the printer.

    Iterate it (once) for the bytes to send as ``document_format``.
    """

    conversion: Conversion
    raster: RasterJob | None
    """Raster settings when the document is converted to PWG Raster or URF."""
    pages: int | None
    """Pages in the converted document; None when sent as is."""
    _chunks: AsyncIterator[bytes] = field(repr=False)

    @property
    def document_format(self) -> str:
        """The MIME type sent to the printer."""
        return self.conversion.document_format

    def __aiter__(self) -> AsyncIterator[bytes]:
        """The document bytes, in chunks."""
        return self._chunks


@contextlib.asynccontextmanager
async def prepare_document(
    source: DocumentSource,
    capabilities: PrintCapabilities,
    options: PrintOptions | None = None,
    *,
    document_format: str | None = None,
    spool_dir: Path | None = None,
    max_bytes: int | None = None,
) -> AsyncIterator[PreparedDocument]:
    """Negotiate the format and set up (lazy) conversion of a document.

    ``document_format`` None (or ``application/octet-stream``) sniffs the
    format from the first bytes. A stream that must be converted is spooled
    to a temporary file in ``spool_dir`` (the system's by default), removed
    on exit. ``max_bytes`` caps the document's size.

    Raises:
        HPEWSDocumentError: the file is missing, unreadable, corrupt or too large.
        HPEWSUnsupportedFormatError: nothing the printer takes can be made of it.
    """
    options = options or PrintOptions()
    opened = await open_source(source, max_bytes)
    chunks: AsyncIterator[bytes] | None = None
    try:
        given = normalize_format(document_format) if document_format else None
        source_format = given if given not in (None, OCTET_STREAM) else None
        source_format = source_format or sniff_format(opened.head)
        if source_format is None:
            raise HPEWSUnsupportedFormatError(
                "The document's format is not recognised", None
            )
        conversion = choose_format(source_format, capabilities.document_formats)
        _LOGGER.debug(
            "Sending %s as %s (%s)",
            conversion.source_format,
            conversion.document_format,
            conversion.kind,
        )
        job: RasterJob | None = None
        pages: int | None = None
        if conversion.passthrough:
            chunks = opened.stream()
        else:
            disk = await opened.disk(spool_dir)
            chunks, job, pages = await _converter(
                conversion, disk, capabilities, options
            )
        yield PreparedDocument(conversion, job, pages, chunks)
    finally:
        if chunks is not None:
            with contextlib.suppress(Exception):
                await chunks.aclose()  # type: ignore[attr-defined]
        await opened.close()


async def _converter(
    conversion: Conversion,
    disk: Disk,
    capabilities: PrintCapabilities,
    options: PrintOptions,
) -> tuple[AsyncIterator[bytes], RasterJob | None, int | None]:
    clock = RenderClock(RENDER_SECONDS)
    if conversion.kind is ConversionKind.IMAGE_TO_JPEG:
        await run_step(clock, image.check_image, disk, None, None)
        return pump(image.to_jpeg(disk), clock), None, 1
    encode = encode_urf if conversion.document_format == URF else encode_pwg
    if conversion.kind is ConversionKind.PDF_TO_RASTER:
        count = await run_step(clock, pdf.page_count, disk)
        indexes = select_pages(count, options.page_ranges)
        if not indexes:
            raise HPEWSDocumentError("The page ranges select no page of the document")
        job = raster_job(conversion, capabilities, options, len(indexes))
        pages = pdf.render_pages(disk, job, indexes, clock)
        return pump(encode(pages, job), clock), job, len(indexes)
    if conversion.kind is ConversionKind.IMAGE_TO_RASTER:
        job = raster_job(conversion, capabilities, options, 1)
        await run_step(clock, image.check_image, disk, job, options.orientation)
        pages = image.render_pages(disk, job, options.orientation)
        return pump(encode(pages, job), clock), job, 1
    # Plain text: a first pass counts pages, as the raster headers want the total.
    probe = raster_job(conversion, capabilities, options, 0)
    count = await run_step(clock, text.count_pages, disk, probe, options.orientation)
    indexes = select_pages(count, options.page_ranges)
    if not indexes:
        raise HPEWSDocumentError("The page ranges select no page of the document")
    job = raster_job(conversion, capabilities, options, len(indexes))
    pages = text.render_pages(disk, job, options.orientation, indexes)
    return pump(encode(pages, job), clock), job, len(indexes)
