"""Client library for HP printers on the local network: CDM, LEDM and IPP.

Pure asyncio + aiohttp, no Home Assistant import. Start with
:class:`HPPrinter`::

    printer = HPPrinter("192.0.2.10", session)
    profile = await printer.probe()
    snapshot = await printer.snapshot(profile)
    snapshot = await printer.snapshot(profile, previous=snapshot, full=False)

Everything a user of the library needs is importable from here, and only
from here: the integration, the command line, the simulator and the
smoke test import no submodule (``tests/test_public_api.py`` checks; three
benchmarks that time internals against an older revision are its named
exceptions).
"""

from __future__ import annotations

from .capture import (
    Capture,
    CaptureTransport,
    profile_from_capture,
    read_capture,
    write_capture,
)
from .errors import (
    DocumentLimit,
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSMaintenanceError,
    HPEWSOutOfMemoryError,
    HPEWSParseError,
    HPEWSPrinterBusyError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    HPEWSUnsupportedFormatError,
    IppTruncatedError,
    MaintenanceErrorReason,
    PrintOptionError,
    RasterError,
    WriteRefusedError,
)
from .events import EventChannel, PrinterEvent, PrinterEventKind
from .forecast import (
    ForecastMethod,
    HPEWSTraceError,
    PagePoint,
    SupplyForecast,
    UsagePoint,
    forecast_supply,
    is_replacement,
    pages_per_day,
    parse_trace,
    thin_history,
)
from .ipp import IppJob, JobState
from .ipp.codec import (
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppDateTime,
    IppGroupTag,
    IppMessage,
    IppOperation,
    IppOutOfBand,
    IppRangeOfInteger,
    IppResolution,
    IppStatusCode,
    IppTextWithLanguage,
    IppValue,
    IppValueTag,
    decode_ipp,
    decode_ipp_header,
    ipp_operation_name,
    new_ipp_request,
    new_ipp_response,
)
from .maintenance import MaintenanceAction, MaintenanceKind
from .models import (
    Alert,
    AlertSeverity,
    ChangeMarker,
    Counters,
    DataSources,
    FirmwareInfo,
    PrintCapabilities,
    PrinterInfo,
    PrinterProtocol,
    PrinterSnapshot,
    PrinterState,
    PrinterStatus,
    Profile,
    Supply,
    SupplyKind,
    SupplyState,
    Tray,
    TrayState,
)
from .printer import HPPrinter
from .printing.formats import SNIFF_BYTES, choose_format, sniff_format
from .printing.options import (
    ORIENTATIONS,
    QUALITIES,
    SIDES,
    PrintOptions,
    parse_page_ranges,
)
from .printing.spool import READ_CHUNK, DocumentSource
from .printing.submit import PrintResult
from .protocols.vocabulary import normalize_uuid
from .redact import Redactor, learn_json, redact_capture, redact_json
from .transport import HttpTransport, PrinterTransport
from .walkup import (
    HPEWSWalkupFullError,
    WalkupCapabilities,
    WalkupDestination,
    WalkupEventType,
    WalkupFlavor,
    WalkupScan,
)

__all__ = [
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
    "DataSources",
    "DocumentLimit",
    "DocumentSource",
    "EventChannel",
    "FirmwareInfo",
    "ForecastMethod",
    "HPEWSAuthenticationError",
    "HPEWSConnectionError",
    "HPEWSDocumentError",
    "HPEWSDocumentLimitError",
    "HPEWSError",
    "HPEWSIPPError",
    "HPEWSMaintenanceError",
    "HPEWSOutOfMemoryError",
    "HPEWSParseError",
    "HPEWSPrinterBusyError",
    "HPEWSTimeoutError",
    "HPEWSTraceError",
    "HPEWSUnsupportedError",
    "HPEWSUnsupportedFormatError",
    "HPEWSWalkupFullError",
    "HPPrinter",
    "HttpTransport",
    "IppAttribute",
    "IppAttributeGroup",
    "IppCollection",
    "IppDateTime",
    "IppGroupTag",
    "IppJob",
    "IppMessage",
    "IppOperation",
    "IppOutOfBand",
    "IppRangeOfInteger",
    "IppResolution",
    "IppStatusCode",
    "IppTextWithLanguage",
    "IppTruncatedError",
    "IppValue",
    "IppValueTag",
    "JobState",
    "MaintenanceAction",
    "MaintenanceErrorReason",
    "MaintenanceKind",
    "PagePoint",
    "PrintCapabilities",
    "PrintOptionError",
    "PrintOptions",
    "PrintResult",
    "PrinterEvent",
    "PrinterEventKind",
    "PrinterInfo",
    "PrinterProtocol",
    "PrinterSnapshot",
    "PrinterState",
    "PrinterStatus",
    "PrinterTransport",
    "Profile",
    "RasterError",
    "Redactor",
    "Supply",
    "SupplyForecast",
    "SupplyKind",
    "SupplyState",
    "Tray",
    "TrayState",
    "UsagePoint",
    "WalkupCapabilities",
    "WalkupDestination",
    "WalkupEventType",
    "WalkupFlavor",
    "WalkupScan",
    "WriteRefusedError",
    "choose_format",
    "decode_ipp",
    "decode_ipp_header",
    "forecast_supply",
    "ipp_operation_name",
    "is_replacement",
    "learn_json",
    "new_ipp_request",
    "new_ipp_response",
    "normalize_uuid",
    "pages_per_day",
    "parse_page_ranges",
    "parse_trace",
    "profile_from_capture",
    "read_capture",
    "redact_capture",
    "redact_json",
    "sniff_format",
    "thin_history",
    "write_capture",
]
