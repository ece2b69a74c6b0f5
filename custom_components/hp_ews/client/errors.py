"""Errors raised by the hp_ews client library, all of them defined here.

Every failure that leaves the library is an ``HPEWSError``; callers never need
to catch aiohttp, ssl, xml or json exceptions themselves. The modules that
raise them re-export them under their old names (``convert.PrintOptionError``,
``transport.WriteRefusedError``...).
"""

from __future__ import annotations


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


# --- printing ------------------------------------------------------------------


class HPEWSDocumentError(HPEWSError):
    """The document could not be read or converted (missing, corrupt, too large)."""


class HPEWSUnsupportedFormatError(HPEWSDocumentError):
    """The printer does not take the document's format and we cannot convert it."""

    def __init__(self, message: str, document_format: str | None) -> None:
        """Remember which format was refused (None when it was not recognised)."""
        super().__init__(message)
        self.document_format = document_format


class PrintOptionError(HPEWSError, ValueError):
    """A print option has a value IPP does not define."""


class RasterError(HPEWSError):
    """A page could not be encoded (wrong mode or size, bad settings)."""
