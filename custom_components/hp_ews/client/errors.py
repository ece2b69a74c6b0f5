"""Errors raised by the hp_ews client library, all of them defined here.

Every failure that leaves the library is an ``HPEWSError``; callers never need
to catch aiohttp, ssl, xml or json exceptions themselves. Users import them
from the package root.
"""

from __future__ import annotations

from enum import StrEnum


class HPEWSError(Exception):
    """Base class of every error raised by this library."""


class HPEWSConnectionError(HPEWSError):
    """The printer could not be reached (refused, reset, DNS, TLS, HTTP 5xx)."""


class HPEWSTimeoutError(HPEWSConnectionError):
    """The printer did not answer in time."""


class HPEWSAuthenticationError(HPEWSError):
    """The printer asked for credentials (HTTP 401/403) or refused the given ones."""


class HPEWSUnsupportedError(HPEWSError):
    """The peer is not an HP printer, or speaks none of CDM, LEDM or IPP."""


class HPEWSParseError(HPEWSError):
    """A response was malformed, oversized, or not what the protocol defines."""


class IppTruncatedError(HPEWSParseError):
    """The input ended before the end-of-attributes tag.

    A streaming server can catch this, read more bytes and try again.
    """


class WriteRefusedError(HPEWSError):
    """A state-changing request to CDM or LEDM was refused by policy."""


class HPEWSIPPError(HPEWSError):
    """An IPP operation was answered with an error status code."""

    def __init__(self, message: str, status_code: int) -> None:
        """Keep the IPP status code for callers that branch on it."""
        super().__init__(message)
        self.status_code = status_code


class HPEWSPrinterBusyError(HPEWSIPPError):
    """The printer stayed busy (``server-error-busy``) through every retry."""


# --- printing ------------------------------------------------------------------


class HPEWSDocumentError(HPEWSError):
    """The document could not be read or converted (missing, corrupt, too large)."""


class HPEWSUnsupportedFormatError(HPEWSDocumentError):
    """The printer does not take the document's format and we cannot convert it."""

    def __init__(self, message: str, document_format: str | None) -> None:
        """Remember which format was refused (None when it was not recognised)."""
        super().__init__(message)
        self.document_format = document_format


class DocumentLimit(StrEnum):
    """Which conversion bound a document went past."""

    IMAGE_PIXELS = "image_pixels"
    """The image has more pixels than are decoded (``limit`` in pixels)."""
    PAGE_PIXELS = "page_pixels"
    """A page of the media is too large to render (``limit`` in pixels)."""
    PAGES = "pages"
    """The document has more pages to convert than allowed."""
    RENDER_SECONDS = "render_seconds"
    """Rendering took longer than allowed (``limit`` in seconds)."""


class HPEWSDocumentLimitError(HPEWSDocumentError):
    """The document goes past a conversion bound; it is refused, not truncated."""

    def __init__(self, message: str, limit: DocumentLimit, maximum: int) -> None:
        """Remember which bound was hit and its value, for a translated message."""
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum


class HPEWSOutOfMemoryError(HPEWSDocumentError):
    """Converting the document ran out of memory (``MemoryError`` inside it)."""


class PrintOptionError(HPEWSError, ValueError):
    """A print option has a value IPP does not define."""


class RasterError(HPEWSError):
    """A page could not be encoded (wrong mode or size, bad settings)."""


# --- scanning ------------------------------------------------------------------


class ScanErrorReason(StrEnum):
    """Why a scan failed, for a translated message."""

    BUSY = "busy"
    """The scanner is busy with another job (eSCL 409, LEDM busy)."""
    FEEDER_EMPTY = "feeder_empty"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    NO_PAGES = "no_pages"
    """The job ended without a page."""
    CANCELED = "canceled"
    """The scan was cancelled (by us, or at the printer's panel)."""
    UNSUPPORTED_OPTION = "unsupported_option"
    """The scanner does not offer a requested source, mode, resolution or format."""
    TOO_LARGE = "too_large"
    """A page or the whole scan went past its size or page bound."""
    FAILED = "failed"
    """Anything else the scanner reported."""


class HPEWSScanError(HPEWSError):
    """A scan failed; nothing was left behind in the destination folder."""

    def __init__(self, message: str, reason: ScanErrorReason) -> None:
        """Keep the reason for callers that translate it."""
        super().__init__(message)
        self.reason = reason


# --- maintenance ---------------------------------------------------------------


class MaintenanceErrorReason(StrEnum):
    """Why the printer did not run a maintenance action."""

    BUSY = "busy"
    ASLEEP = "asleep"
    PAPER_JAM = "paper_jam"
    DOOR_OPEN = "door_open"
    OUT_OF_PAPER = "out_of_paper"
    NO_ANSWER = "no_answer"
    """The write timed out; the printer may still run it."""
    FAILED = "failed"
    """The printer refused it for a reason it did not name."""


class HPEWSMaintenanceError(HPEWSError):
    """A maintenance action (report, cleaning, alignment) did not run."""

    def __init__(self, message: str, reason: MaintenanceErrorReason) -> None:
        """Keep the reason for callers that translate it."""
        super().__init__(message)
        self.reason = reason
