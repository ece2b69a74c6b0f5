"""PDF pages rendered by pdfium, one page at a time, at the raster job's size.

pdfium reads the document through a reader of its own on the document's
descriptor (never the name again). It is not thread-safe: every call into it,
from any job, holds :data:`_PDFIUM_LOCK`. Rendering is progressive, so the
document's time budget stops a pathological page between drawing steps.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final

from custom_components.hp_ews.client.errors import HPEWSDocumentError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from PIL import Image

    from custom_components.hp_ews.client.printing.raster import RasterJob
    from custom_components.hp_ews.client.printing.spool import Disk

    from .runner import RenderClock

# pdfium is not thread-safe: every call into it, from any job, holds this.
_PDFIUM_LOCK: Final = threading.Lock()


def _pdf_error(err: Exception) -> HPEWSDocumentError:
    return HPEWSDocumentError(f"Not a readable PDF: {err}")


def _open_pdf(disk: Disk) -> Any:
    """The document for pdfium, read through a reader of its own (hold the lock)."""
    import pypdfium2 as pdfium

    handle = disk.open()
    try:
        return pdfium.PdfDocument(handle, autoclose=True)
    except pdfium.PdfiumError as err:
        handle.close()
        raise _pdf_error(err) from err


def page_count(disk: Disk) -> int:
    """Pages in the document (pdfium reads its page tree, not the pages)."""
    with _PDFIUM_LOCK:
        document = _open_pdf(disk)
        try:
            return len(document)
        finally:
            document.close()


def render_pages(
    disk: Disk, job: RasterJob, indexes: Sequence[int], clock: RenderClock
) -> Iterator[Image.Image]:
    """Render the selected pages at ``job``'s size, fitted and centred.

    pdfium renders progressively and asks between drawing steps whether to
    pause: it does once the document's time is up, so one pathological page
    cannot hold the executor thread (and pdfium's lock) for long after.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    width, height = job.page_pixels()
    # Gray renders 1 byte per pixel; colour renders RGBX (4 bytes) because
    # Pillow then shares pdfium's buffer instead of copying the page.
    bitmap_format = (
        pdfium_c.FPDFBitmap_Gray if not job.color else pdfium_c.FPDFBitmap_BGRx
    )
    flags = pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_PRINTING
    if job.color:
        flags |= pdfium_c.FPDF_REVERSE_BYTE_ORDER  # RGBX, not BGRX
    pause = pdfium_c.IFSDK_PAUSE(version=1)
    # Kept referenced for as long as pdfium may call it.
    need_to_pause = dict(pdfium_c.IFSDK_PAUSE._fields_)["NeedToPauseNow"](
        lambda _pause: clock.over()
    )
    pause.NeedToPauseNow = need_to_pause
    with _PDFIUM_LOCK:
        document = _open_pdf(disk)
    try:
        for index in indexes:
            with _PDFIUM_LOCK:
                page = document[index]
                try:
                    page_w, page_h = page.get_size()
                    rotate = 0
                    if (page_w > page_h) != (width > height) and page_w != page_h:
                        rotate = 1  # 90° clockwise: landscape page on portrait paper
                        page_w, page_h = page_h, page_w
                    scale = min(width / page_w, height / page_h)
                    size_x = max(1, round(page_w * scale))
                    size_y = max(1, round(page_h * scale))
                    bitmap = pdfium.PdfBitmap.new_native(
                        width, height, bitmap_format, rev_byteorder=True
                    )
                    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
                    status = pdfium_c.FPDF_RenderPageBitmap_Start(
                        bitmap,
                        page,
                        (width - size_x) // 2,
                        (height - size_y) // 2,
                        size_x,
                        size_y,
                        rotate,
                        flags,
                        pause,
                    )
                    # pdfium stops short only when the callback said so.
                    paused = status == pdfium_c.FPDF_RENDER_TOBECONTINUED
                    pdfium_c.FPDF_RenderPage_Close(page)
                finally:
                    page.close()
            if paused:
                raise clock.expired()
            image: Image.Image = bitmap.to_pil()
            yield image
            del image, bitmap
    finally:
        with _PDFIUM_LOCK:
            document.close()
