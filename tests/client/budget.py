"""The request budget of docs/refresh.md, for tests to assert as upper bounds.

Tests say which kind of read they make and check it stays within the
budget; behaviour (what was reused, what was read again) they check in the
snapshot itself. A reader that gets cheaper passes unchanged.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from custom_components.hp_ews.client.models import PrinterProtocol

if TYPE_CHECKING:
    from collections.abc import Iterator

    from custom_components.hp_ews.client import HPPrinter


@dataclass(frozen=True)
class Budget:
    """Most requests one family's own web server is asked per kind of read."""

    full: int
    refresh: int
    """Nothing changed."""
    status_changed: int
    """The status value changed (CDM then reads its alerts again)."""
    changed: int
    """The printer signals a change: supplies and counters are read again."""
    no_state: int
    """Added when the status names no state (CDM asks print/v2/status)."""


BUDGET: Final = {
    PrinterProtocol.LEDM: Budget(
        full=5, refresh=1, status_changed=1, changed=3, no_state=0
    ),
    PrinterProtocol.CDM: Budget(
        full=7, refresh=1, status_changed=2, changed=4, no_state=1
    ),
    PrinterProtocol.IPP: Budget(
        full=1, refresh=1, status_changed=1, changed=1, no_state=0
    ),
}
IPP_COMPLETION: Final = 1
"""Get-Printer-Attributes: on every full read of a printer that speaks IPP
too, and on a refresh whose status names no state."""

PROBE: Final = {
    PrinterProtocol.LEDM: 4,  # servicesDiscovery, DiscoveryTree, 1-2 IPP paths
    PrinterProtocol.CDM: 3,  # servicesDiscovery, 1-2 IPP paths
    PrinterProtocol.IPP: 4,  # both web documents, 1-2 IPP paths
}
"""Most requests ``probe()`` sends to a printer that answers on the usual ports."""

Kind = Literal["full", "refresh", "status_changed", "changed", "swapped"]


def most(
    family: PrinterProtocol, kind: Kind, *, ipp: bool = False, no_state: bool = False
) -> int:
    """The budget of one read; ``ipp``: the printer speaks IPP besides ``family``.

    ``swapped`` is a refresh that finds another printer at the address: the
    refresh, then a full read.
    """
    if kind == "swapped":
        return most(family, "changed", ipp=ipp, no_state=no_state) + most(
            family, "full", ipp=ipp, no_state=no_state
        )
    budget = BUDGET[family]
    total: int = getattr(budget, kind)
    if family is PrinterProtocol.IPP:
        return total
    if no_state:
        total += budget.no_state
    if ipp and (kind == "full" or no_state):
        total += IPP_COMPLETION
    return total


@contextmanager
def within(printer: HPPrinter, budget: int) -> Iterator[None]:
    """Assert the block sends at most ``budget`` requests."""
    before = printer.request_count
    yield
    spent = printer.request_count - before
    assert spent <= budget, f"{spent} requests, budget {budget}"
