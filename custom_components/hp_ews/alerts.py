"""Which printer alerts came and went between two snapshots.

The alert event entity fires ``raised`` and ``cleared`` from these changes.
An alert is the same alert while its protocol, code and supply colour stay
the same (its text may change with the panel language), so one the printer
repeats on every poll fires nothing. The alerts of the first snapshot a
tracker sees are state, not events: they were there before Home Assistant
looked, and a restart or a reload (a new tracker) does not fire them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .client import SupplyKind

if TYPE_CHECKING:
    from .client import Alert, PrinterSnapshot

RAISED: Final = "raised"
CLEARED: Final = "cleared"
EVENT_TYPES: Final = (RAISED, CLEARED)

type AlertIdentity = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class AlertChange:
    """An alert that appeared or went away."""

    event_type: str
    """``raised`` or ``cleared``."""
    alert: Alert
    supply: str | None
    """Key of the supply the alert is about, when it is about one."""

    @property
    def attributes(self) -> dict[str, Any]:
        """The event's data."""
        return {
            "code": self.alert.code,
            "severity": self.alert.severity.value,
            "message": self.alert.message,
            "supply": self.supply,
        }


def alert_identity(alert: Alert) -> AlertIdentity:
    """What makes two reports of an alert the same alert."""
    return (alert.source.value, alert.code, alert.color)


def alert_supply(alert: Alert, snapshot: PrinterSnapshot) -> str | None:
    """The key of the supply an alert names by colour (a tank before its head)."""
    if alert.color is None:
        return None
    matches = [supply for supply in snapshot.supplies if supply.color == alert.color]
    matches.sort(key=lambda supply: supply.kind is SupplyKind.PRINTHEAD)
    return matches[0].key if matches else None


def alert_changes(
    before: PrinterSnapshot, after: PrinterSnapshot
) -> tuple[AlertChange, ...]:
    """Alerts of ``before`` gone in ``after`` (cleared), then new ones (raised)."""
    old = _by_identity(before.status.alerts)
    new = _by_identity(after.status.alerts)
    cleared = (
        AlertChange(CLEARED, alert, alert_supply(alert, before))
        for identity, alert in old.items()
        if identity not in new
    )
    raised = (
        AlertChange(RAISED, alert, alert_supply(alert, after))
        for identity, alert in new.items()
        if identity not in old
    )
    return (*cleared, *raised)


def _by_identity(alerts: tuple[Alert, ...]) -> dict[AlertIdentity, Alert]:
    found: dict[AlertIdentity, Alert] = {}
    for alert in alerts:
        found.setdefault(alert_identity(alert), alert)
    return found


class AlertTracker:
    """Follows one printer's alerts from snapshot to snapshot."""

    def __init__(self, snapshot: PrinterSnapshot | None) -> None:
        """Start from ``snapshot``: its alerts are state, never events."""
        self._last = snapshot

    def update(self, snapshot: PrinterSnapshot | None) -> tuple[AlertChange, ...]:
        """The changes since the last snapshot seen; none for the first one."""
        last = self._last
        if snapshot is None:
            return ()
        self._last = snapshot
        if last is None or last is snapshot:
            return ()
        return alert_changes(last, snapshot)
