"""What scanning takes and returns: options, capabilities, status, result."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class ScanSource(StrEnum):
    """Where the paper is."""

    AUTO = "auto"
    """The feeder when the scanner says it holds paper, else the glass."""
    GLASS = "glass"
    FEEDER = "feeder"


class ScanColorMode(StrEnum):
    """Color of the scanned pages."""

    COLOR = "color"
    GRAYSCALE = "grayscale"
    BLACK_AND_WHITE = "black_and_white"


class ScanFormat(StrEnum):
    """What is written: one PDF of every page, or one JPEG per page."""

    PDF = "pdf"
    JPEG = "jpeg"


class ScannerState(StrEnum):
    """The scanner's state (eSCL ``pwg:State``, LEDM ``ScannerState``)."""

    IDLE = "idle"
    PROCESSING = "processing"
    STOPPED = "stopped"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScannerCapabilities:
    """What the scanner offers, over every source it has."""

    sources: tuple[ScanSource, ...]
    """GLASS and/or FEEDER (never AUTO)."""
    color_modes: tuple[ScanColorMode, ...]
    resolutions: tuple[int, ...]
    """In dpi, ascending (a source may offer fewer: the feeder often stops at 300)."""
    formats: tuple[ScanFormat, ...]
    duplex: bool
    """The feeder scans both sides."""
    make_and_model: str | None = None


@dataclass(frozen=True, slots=True)
class ScannerStatus:
    """The scanner now."""

    state: ScannerState
    adf_loaded: bool | None
    """None: no feeder, or it does not say."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What a scan asks for."""

    source: ScanSource = ScanSource.AUTO
    duplex: bool = False
    color_mode: ScanColorMode = ScanColorMode.COLOR
    resolution: int = 300
    format: ScanFormat = ScanFormat.PDF


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a finished scan wrote."""

    files: tuple[Path, ...]
    """Final paths: one PDF, or one JPEG per page."""
    pages: int
    format: ScanFormat
    source: ScanSource
    """The source actually used (never AUTO)."""
    size: int
    """Bytes written in all."""
