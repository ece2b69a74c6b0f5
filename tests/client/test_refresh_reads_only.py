"""Reading a printer never writes to it (docs/architecture.md §9).

Unauthenticated CDM and LEDM endpoints can reset, reboot or erase a printer,
so a probe, a full read and every kind of refresh may send only GETs, and to
the IPP service only Get-Printer-Attributes. This looks at what reaches each
simulated printer on the wire, through a recording proxy in front of it, while
the printer jams, runs low and recovers, so every refresh path runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import aiohttp
import pytest

from custom_components.hp_ews.client import HPPrinter, PrinterState
from simulator import PROFILES, SimulatedPrinter
from tests.recording_proxy import RecordingProxy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from custom_components.hp_ews.client import PrinterSnapshot

GET_PRINTER_ATTRIBUTES: Final = 0x000B
"""RFC 8011 operation-id, bytes 2-3 of an IPP request."""
CARE_READS: Final = {
    "officejet-pro-9022e": {"/DevMgmt/MediaHandlingDyn.xml"},
    "smart-tank-580": {
        "/cdm/firmwareUpdate/v2/updateCheck",
        "/cdm/firmwareUpdate/v2/configuration",
    },
}
"""Documents of issue 13 a full read asks for, per profile that serves them."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("profile", sorted(PROFILES))
async def test_reading_sends_only_reads(
    session: aiohttp.ClientSession, profile: str
) -> None:
    """Probe, full read and refreshes through a jam, a low supply and the
    recovery: only GETs, and Get-Printer-Attributes to the IPP path."""
    async with SimulatedPrinter(profile) as sim, RecordingProxy(sim.base_url) as wire:
        printer = HPPrinter("127.0.0.1", session, port=wire.port, timeout=5)
        snapshot = await printer.snapshot()
        assert snapshot.status.state is not PrinterState.UNKNOWN

        async def refresh(
            previous: PrinterSnapshot, **changes: object
        ) -> PrinterSnapshot:
            sim.set_state(**changes)
            return await printer.snapshot(previous=previous, full=False)

        jammed = await refresh(snapshot, paper_jam=True)
        assert jammed.status.paper_jam
        low = await refresh(jammed, supplies={"K": 3})
        cleared = await refresh(low, paper_jam=False)
        assert not cleared.status.paper_jam
        await printer.snapshot(previous=cleared, full=True)

    writes = [
        (seen.method, seen.path, seen.operation)
        for seen in wire.seen
        if seen.method != "GET"
        and not (
            seen.method == "POST"
            and seen.path.startswith("/ipp/")
            and seen.operation == GET_PRINTER_ATTRIBUTES
        )
    ]
    assert writes == []
    # Both kinds of request were seen, so the filter above had something to judge.
    methods = {seen.method for seen in wire.seen}
    assert methods == {"GET", "POST"}
    # The care documents (trays, firmware) were among the reads judged.
    paths = {seen.path for seen in wire.seen}
    assert paths >= CARE_READS.get(profile, set())
