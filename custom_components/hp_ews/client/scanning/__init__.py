"""Scanning: eSCL (and LEDM ``/Scan`` on printers without eSCL) to files.

``find_scanner`` finds the printer's scanner once; ``run_scan`` runs one
scan into a folder, streaming pages to disk and renaming the files into
place only when the whole scan succeeded. ``HPPrinter.scan`` is the front
door.
"""

from __future__ import annotations

from .models import (
    ScanColorMode,
    ScanFormat,
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanOptions,
    ScanResult,
    ScanSource,
)
from .scanner import MAX_PAGES, Scanner, find_scanner, run_scan

__all__ = [
    "MAX_PAGES",
    "ScanColorMode",
    "ScanFormat",
    "ScanOptions",
    "ScanResult",
    "ScanSource",
    "Scanner",
    "ScannerCapabilities",
    "ScannerState",
    "ScannerStatus",
    "find_scanner",
    "run_scan",
]
