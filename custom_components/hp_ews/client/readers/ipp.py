"""The IPP-only reader: one Get-Printer-Attributes answers everything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.hp_ews.client.errors import HPEWSConnectionError
from custom_components.hp_ews.client.models import PrinterProtocol

from .base import Reader

if TYPE_CHECKING:
    from custom_components.hp_ews.client.models import PrinterSnapshot


class IppReader(Reader):
    """For printers whose web server speaks neither CDM nor LEDM."""

    protocol = PrinterProtocol.IPP

    async def full(self, previous: PrinterSnapshot | None = None) -> PrinterSnapshot:
        """Get-Printer-Attributes: identity, state, supplies, capabilities."""
        printer = await self.ipp_attributes(required=True)
        if printer is None:
            raise HPEWSConnectionError("The printer's IPP service is gone")
        return self.compose(
            previous,
            info=printer.info,
            status=printer.status,
            supplies=printer.supplies,
            counters=None,
            ipp_printer=printer,
        )

    async def refresh(self, previous: PrinterSnapshot) -> PrinterSnapshot:
        """The same one request: there is nothing cheaper to ask."""
        return await self.full(previous)
