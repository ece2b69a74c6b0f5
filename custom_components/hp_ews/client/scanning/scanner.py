"""Finding a printer's scanner, and one scan from options to final files.

The eSCL root is usually ``{web server}/eSCL`` (the mDNS ``rs`` key; some
printers serve it on port 8080 instead): ``find_scanner`` asks
``ScannerCapabilities`` there, then LEDM's ``/Scan/ScanCaps`` on printers
without eSCL. A caller that knows the root (from mDNS) passes it and
nothing is guessed.
"""

from __future__ import annotations

from contextlib import suppress
import logging
from typing import TYPE_CHECKING, Final, Protocol

from yarl import URL

from custom_components.hp_ews.client.errors import (
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSScanError,
    HPEWSUnsupportedError,
    ScanErrorReason,
)
from custom_components.hp_ews.client.protocols import escl
from custom_components.hp_ews.client.transport import redact_url

from . import ledm
from .escl import EsclScanner
from .ledm import LedmScanner
from .output import ScanOutput

if TYPE_CHECKING:
    from pathlib import Path

    from custom_components.hp_ews.client.transport import PrinterTransport

    from .models import (
        ScannerCapabilities,
        ScannerStatus,
        ScanOptions,
        ScanResult,
        ScanSource,
    )

_LOGGER = logging.getLogger(__name__)

ESCL_PATH: Final = "/eSCL"
ESCL_ALTERNATE_PORT: Final = 8080
MAX_PAGES: Final = 100
MAX_PAGE_BYTES: Final = 64 * 1024 * 1024
"""A 600 dpi colour legal page in JPEG is well under 20 MB."""
MAX_TOTAL_BYTES: Final = 2 * 1024 * 1024 * 1024
MAX_CAPS_BYTES: Final = 512 * 1024


class Scanner(Protocol):
    """What ``EsclScanner`` and ``LedmScanner`` share."""

    def capabilities(self) -> ScannerCapabilities:
        """What the scanner offers."""

    async def status(self) -> ScannerStatus:
        """The scanner now (one request)."""

    async def scan(self, options: ScanOptions, output: ScanOutput) -> ScanSource:
        """Scan into ``output``; the source used."""


async def escl_scanner(transport: PrinterTransport, root: str) -> EsclScanner | None:
    """The eSCL scanner at ``root``, or None when nothing answers there."""
    response = await transport.get(
        root.rstrip("/") + escl.CAPABILITIES, limit=MAX_CAPS_BYTES
    )
    if response is None:
        return None
    try:
        caps = escl.parse_capabilities(response.body)
    except HPEWSParseError as err:
        # Some web servers answer any path with a page of their own.
        _LOGGER.debug("No eSCL capabilities at %s: %s", redact_url(root), err)
        return None
    return EsclScanner(transport, root, caps)


async def find_scanner(
    transport: PrinterTransport,
    base_url: str,
    *,
    escl_root: str | None = None,
) -> Scanner:
    """The printer's scanner: eSCL at ``escl_root`` or guessed, else LEDM.

    Without ``escl_root``: ``{base_url}/eSCL``, then LEDM ``/Scan/ScanCaps``
    on the same web server, then ``/eSCL`` on port 8080 (over http).

    Raises:
        HPEWSUnsupportedError: no scanner answers.
        HPEWSConnectionError: the web server does not answer.
    """
    if escl_root is not None:
        found = await escl_scanner(transport, escl_root)
        if found is None:
            raise HPEWSUnsupportedError("No eSCL scanner at the given root")
        return found
    base = URL(base_url)
    found = await escl_scanner(transport, str(base.with_path(ESCL_PATH)))
    if found is not None:
        return found
    found_ledm = await ledm_scanner(transport, base_url)
    if found_ledm is not None:
        return found_ledm
    if base.port != ESCL_ALTERNATE_PORT:
        other = base.with_scheme("http").with_port(ESCL_ALTERNATE_PORT)
        with suppress(HPEWSConnectionError):  # nothing listens there
            found = await escl_scanner(transport, str(other.with_path(ESCL_PATH)))
        if found is not None:
            return found
    raise HPEWSUnsupportedError("The printer has no scanner this library can use")


async def ledm_scanner(
    transport: PrinterTransport, base_url: str
) -> LedmScanner | None:
    """The LEDM scanner of the web server at ``base_url``, or None."""
    base = base_url.rstrip("/")
    response = await transport.get(base + ledm.SCAN_CAPS, limit=MAX_CAPS_BYTES)
    if response is None:
        return None
    try:
        caps = ledm.parse_scan_caps(response.body)
    except HPEWSParseError as err:
        _LOGGER.debug("No LEDM ScanCaps at %s: %s", redact_url(base), err)
        return None
    return LedmScanner(transport, base, caps)


async def run_scan(
    scanner: Scanner,
    options: ScanOptions,
    directory: Path,
    name: str,
    *,
    max_pages: int = MAX_PAGES,
    max_page_bytes: int = MAX_PAGE_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> ScanResult:
    """Scan with ``scanner`` into ``directory``/``name``; see ``HPPrinter.scan``."""
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    if options.format not in scanner.capabilities().formats:
        raise HPEWSScanError(
            f"The scanner cannot deliver {options.format.value}",
            ScanErrorReason.UNSUPPORTED_OPTION,
        )
    output = ScanOutput(
        directory,
        name,
        options.format,
        options.resolution,
        max_pages=max_pages,
        max_page_bytes=max_page_bytes,
        max_total_bytes=max_total_bytes,
    )
    committed = False
    try:
        await output.open()
        source = await scanner.scan(options, output)
        result = await output.commit(source)
        committed = True
        return result
    finally:
        if not committed:
            with suppress(Exception):
                output.abort()
