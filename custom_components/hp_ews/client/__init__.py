"""Client library for HP printers on the local network: CDM, LEDM and IPP.

Pure asyncio + aiohttp, no Home Assistant import. Start with
:class:`HPPrinter`::

    printer = HPPrinter("192.0.2.10", session)
    profile = await printer.probe()
    snapshot = await printer.snapshot(profile)
    snapshot = await printer.snapshot(profile, previous=snapshot, full=False)

Everything a user of the library needs is importable from here, and only
from here: the integration, the command line, the simulator and the
benchmarks import no submodule (``tests/test_public_api.py`` checks).
"""

from __future__ import annotations

from .capture import (
    HOST,
    Capture,
    CaptureTransport,
    Redactor,
    learn_json,
    profile_from_capture,
    read_capture,
    redact_capture,
    redact_json,
    write_capture,
)
from .convert import (
    ORIENTATIONS,
    QUALITIES,
    READ_CHUNK,
    SIDES,
    SNIFF_BYTES,
    DocumentSource,
    PrintCapabilities,
    PrintOptions,
    choose_format,
    parse_page_ranges,
    sniff_format,
)
from .errors import (
    DocumentLimit,
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSOutOfMemoryError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    HPEWSUnsupportedFormatError,
    IppTruncatedError,
    PrintOptionError,
    RasterError,
    WriteRefusedError,
)
from .ipp import IppJob, JobState
from .ippcodec import StatusCode
from .models import (
    Alert,
    AlertSeverity,
    ChangeMarker,
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
from .printer import HPPrinter
from .printing import PrintResult
from .transport import HttpTransport, PrinterTransport

__all__ = [
    "HOST",
    "ORIENTATIONS",
    "QUALITIES",
    "READ_CHUNK",
    "SIDES",
    "SNIFF_BYTES",
    "Alert",
    "AlertSeverity",
    "Capture",
    "CaptureTransport",
    "ChangeMarker",
    "Counters",
    "DocumentLimit",
    "DocumentSource",
    "HPEWSAuthenticationError",
    "HPEWSConnectionError",
    "HPEWSDocumentError",
    "HPEWSDocumentLimitError",
    "HPEWSError",
    "HPEWSIPPError",
    "HPEWSOutOfMemoryError",
    "HPEWSParseError",
    "HPEWSTimeoutError",
    "HPEWSUnsupportedError",
    "HPEWSUnsupportedFormatError",
    "HPPrinter",
    "HttpTransport",
    "IppCapabilities",
    "IppJob",
    "IppTruncatedError",
    "JobState",
    "PrintCapabilities",
    "PrintOptionError",
    "PrintOptions",
    "PrintResult",
    "PrinterInfo",
    "PrinterState",
    "PrinterStatus",
    "PrinterTransport",
    "Profile",
    "Protocol",
    "RasterError",
    "Redactor",
    "Snapshot",
    "Sources",
    "StatusCode",
    "Supply",
    "SupplyKind",
    "SupplyState",
    "WriteRefusedError",
    "choose_format",
    "learn_json",
    "parse_page_ranges",
    "profile_from_capture",
    "read_capture",
    "redact_capture",
    "redact_json",
    "sniff_format",
    "write_capture",
]
