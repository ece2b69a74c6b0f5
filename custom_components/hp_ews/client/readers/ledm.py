"""The LEDM reader: ``/DevMgmt/*.xml`` documents, completed by IPP.

A refresh reads ProductStatusDyn: the state, every condition and the
AlertTable, whose ModificationNumber is the change marker; a new one re-reads
ConsumableConfigDyn and ProductUsageDyn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.hp_ews.client.models import PrinterProtocol
from custom_components.hp_ews.client.protocols import care, ledm

from .base import (
    Reader,
    incomplete,
    is_listed,
    parse_optional,
    parse_status,
    side_by_side,
)

if TYPE_CHECKING:
    from custom_components.hp_ews.client.models import Counters, PrinterSnapshot, Supply


class LedmReader(Reader):
    """Product config, status, consumables, usage and media handling documents."""

    protocol = PrinterProtocol.LEDM

    async def full(self, previous: PrinterSnapshot | None = None) -> PrinterSnapshot:
        """The five documents the DiscoveryTree lists, and IPP, side by side."""
        async with side_by_side() as group:
            config = group.create_task(self.listed_doc(ledm.PRODUCT_CONFIG))
            status = group.create_task(self.status_doc(ledm.PRODUCT_STATUS))
            consumables = group.create_task(self.listed_doc(ledm.CONSUMABLES))
            usage = group.create_task(self.listed_doc(ledm.USAGE))
            media = group.create_task(self.listed_doc(care.MEDIA_HANDLING))
            ipp_printer = group.create_task(self.ipp_attributes())
        status_body, serial = status.result()
        self.saw(serial)
        supplies, counters = _parse_supplies(consumables.result(), usage.result())
        return self.compose(
            previous,
            info=parse_optional(ledm.parse_product_config, config.result()),
            status=parse_status(ledm.parse_product_status, status_body),
            supplies=supplies,
            counters=counters,
            ipp_printer=ipp_printer.result(),
            trays=parse_optional(care.parse_media_handling, media.result()),
        )

    async def refresh(self, previous: PrinterSnapshot) -> PrinterSnapshot:
        """ProductStatusDyn; supplies and usage when its AlertTable changed."""
        body, serial = await self.status_doc(ledm.PRODUCT_STATUS)
        own = parse_status(ledm.parse_product_status, body)
        ipp_printer = await self.ipp_attributes() if incomplete(own) else None
        status, status_source = self.complete_status(own, ipp_printer)
        reread = None
        if status.change_marker != previous.status.change_marker:
            async with side_by_side() as group:
                consumables = group.create_task(self.listed_doc(ledm.CONSUMABLES))
                usage = group.create_task(self.listed_doc(ledm.USAGE))
            reread = _parse_supplies(consumables.result(), usage.result())
        snapshot = self.reuse(
            previous, status, status_source, ipp_printer=ipp_printer, reread=reread
        )
        return await self.unless_swapped(snapshot, serial, previous)

    async def listed_doc(self, path: str) -> bytes | None:
        """A document, unless the DiscoveryTree leaves it out (then None)."""
        resources = self.profile.ledm_resources
        if resources and not is_listed(resources, path):
            return None
        return await self.doc(path)


def _parse_supplies(
    consumables: bytes | None, usage_doc: bytes | None
) -> tuple[tuple[Supply, ...] | None, Counters | None]:
    """Supplies (with ProductUsageDyn's pages remaining) and counters."""
    supplies = parse_optional(ledm.parse_consumables, consumables)
    usage = parse_optional(ledm.parse_usage, usage_doc)
    if supplies and usage is not None and usage.pages_remaining:
        supplies = ledm.apply_pages_remaining(supplies, usage.pages_remaining)
    return supplies, usage.counters if usage is not None else None
