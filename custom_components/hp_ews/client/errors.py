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
