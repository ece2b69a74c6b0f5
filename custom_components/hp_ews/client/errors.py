"""Errors raised by the hp_ews client library.

Every failure that leaves the library is an ``HPEWSError``; callers never need
to catch aiohttp, ssl, xml or json exceptions themselves.
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


class HPEWSIPPError(HPEWSError):
    """An IPP operation was answered with an error status code."""

    def __init__(self, message: str, status_code: int) -> None:
        """Keep the IPP status code for callers that branch on it."""
        super().__init__(message)
        self.status_code = status_code
