"""Client library for HP printers on the local network: CDM, LEDM and IPP.

Pure asyncio + aiohttp, no Home Assistant import. Start with
:class:`HPPrinter`::

    printer = HPPrinter("192.0.2.10", session)
    profile = await printer.probe()
    snapshot = await printer.snapshot(profile)
    snapshot = await printer.snapshot(profile, previous=snapshot, full=False)
"""

from __future__ import annotations

from .capture import (
    Capture,
    CaptureTransport,
    profile_from_capture,
    read_capture,
    redact_capture,
    write_capture,
)
from .printer import HPPrinter
from .errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSDocumentError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    HPEWSUnsupportedFormatError,
    PrintOptionError,
    WriteRefusedError,
)
from .models import (
    Alert,
    AlertSeverity,
    Counters,
    IppCapabilities,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Profile,
    Protocol,
    Snapshot,
    Sources,
    Supply,
    SupplyKind,
    SupplyState,
)
from .transport import HttpTransport, PrinterTransport

__all__ = [
    "Alert",
    "AlertSeverity",
    "Capture",
    "CaptureTransport",
    "Counters",
    "HPEWSAuthenticationError",
    "HPEWSConnectionError",
    "HPEWSDocumentError",
    "HPEWSError",
    "HPEWSIPPError",
    "HPEWSParseError",
    "HPEWSTimeoutError",
    "HPEWSUnsupportedError",
    "HPEWSUnsupportedFormatError",
    "HPPrinter",
    "HttpTransport",
    "IppCapabilities",
    "PrintOptionError",
    "PrinterInfo",
    "PrinterState",
    "PrinterStatus",
    "PrinterTransport",
    "Profile",
    "Protocol",
    "Snapshot",
    "Sources",
    "Supply",
    "SupplyKind",
    "SupplyState",
    "WriteRefusedError",
    "profile_from_capture",
    "read_capture",
    "redact_capture",
    "write_capture",
]
