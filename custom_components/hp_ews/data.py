"""What a loaded config entry holds: the coordinators and the print jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import HPEWSCoordinator
    from .history import SupplyHistory
    from .jobs import PrinterJobs
    from .scanner import HPEWSScannerCoordinator
    from .walkup import WalkupManager

type HPEWSConfigEntry = ConfigEntry[HPEWSData]


@dataclass(frozen=True, slots=True)
class HPEWSData:
    """Runtime data of one printer's config entry."""

    coordinator: HPEWSCoordinator
    """Refreshes the printer's status, supplies and counters for the entities."""
    jobs: PrinterJobs
    """Prints, follows the jobs it sent to their end, and keeps held jobs."""
    history: SupplyHistory = field(kw_only=True)
    """Supply levels and page counts over time: forecasts and supply events."""
    walkup: WalkupManager | None = field(default=None, kw_only=True)
    """The event channel and walk-up scanning; None unless the printer speaks LEDM."""
    scanner: HPEWSScannerCoordinator = field(kw_only=True)
    """Refreshes the scanner's state; its data stays None without a scanner."""
