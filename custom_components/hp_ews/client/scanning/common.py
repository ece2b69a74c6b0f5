"""What the eSCL and LEDM scan paths share: errors and bounds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import (
    HPEWSParseError,
    HPEWSScanError,
    ScanErrorReason,
)

if TYPE_CHECKING:
    from custom_components.hp_ews.client.transport import HttpResponse, PrinterTransport

    from .output import ScanOutput

RETRY_DELAY: Final = 1.0
"""Seconds between polls of a page that is not ready yet."""
MAX_NOT_READY: Final = 180
"""Polls in a row without a new page before the scan is given up."""
PAGE_TIMEOUT: Final = 60.0
"""Seconds a page request may wait for the scanner between two parts of the
answer (some scanners hold the request while the sheet goes through)."""
CANCEL_TIMEOUT: Final = 5.0
"""Seconds the best-effort delete/cancel of a failed job may take."""
REGION_HEIGHT: Final = 4200
"""Scan region height cap in 300ths of an inch (14 in, legal): some feeders
list 36600 (long-paper mode); HP's own software asks 4200."""

_MESSAGES: Final = {
    ScanErrorReason.BUSY: "The scanner is busy",
    ScanErrorReason.FEEDER_EMPTY: "The document feeder is empty",
    ScanErrorReason.JAMMED: "The document feeder is jammed",
    ScanErrorReason.COVER_OPEN: "The scanner's cover is open",
    ScanErrorReason.NO_PAGES: "The scan produced no page",
    ScanErrorReason.CANCELED: "The scan was canceled",
}


def scan_error(reason: ScanErrorReason, detail: str | None = None) -> HPEWSScanError:
    """The error for ``reason``, with its usual message."""
    message = _MESSAGES.get(reason, "Scan failed")
    return HPEWSScanError(f"{message}: {detail}" if detail else message, reason)


def unsupported(message: str) -> HPEWSScanError:
    """An option the scanner does not offer."""
    return HPEWSScanError(message, ScanErrorReason.UNSUPPORTED_OPTION)


async def fetch_page(
    transport: PrinterTransport, url: str, output: ScanOutput
) -> HttpResponse:
    """GET a page, its body streamed into ``output`` (2xx answers only).

    A page past the output's byte bound or a broken body is an
    ``HPEWSScanError`` (FAILED) like every other way a scan fails.
    """
    try:
        return await transport.exchange(
            "GET",
            url,
            sink=output.sink,
            limit=output.max_page_bytes,
            request_timeout=PAGE_TIMEOUT,
        )
    except HPEWSParseError as err:
        raise scan_error(
            ScanErrorReason.FAILED, f"a page could not be read: {err}"
        ) from err
