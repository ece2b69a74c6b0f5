"""The CDM reader: ``/cdm/...`` JSON documents, completed by IPP.

CDM's system status carries the same categories as LEDM's StatusCategory
(``ready``, ``jamInPrinter``, ``closeDoorOrCover``...), so a new condition
changes it. The change marker holds two digests: the system status codes'
and the alerts'. A refresh reads the system status; when its digest moved,
the alerts are read again, and when theirs moved too, suppliesPublic and
lifetimeCounters. Alerts that come and go while the status value stays put
(a supply running low) show at the next full read.
"""

from __future__ import annotations

from dataclasses import replace
import hashlib
from typing import TYPE_CHECKING

from custom_components.hp_ews.client.models import (
    Alert,
    ChangeMarker,
    FirmwareInfo,
    PrinterProtocol,
    PrinterStatus,
)
from custom_components.hp_ews.client.protocols import care, cdm
from custom_components.hp_ews.client.status import merge_status

from .base import (
    Reader,
    incomplete,
    is_listed,
    parse_optional,
    parse_status,
    side_by_side,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from custom_components.hp_ews.client.models import PrinterSnapshot


class CdmReader(Reader):
    """Identity, status, alerts, supplies, counters, firmware update status."""

    protocol = PrinterProtocol.CDM

    async def full(self, previous: PrinterSnapshot | None = None) -> PrinterSnapshot:
        """The five documents, the two firmware ones listed, and IPP, side by side."""
        async with side_by_side() as group:
            identity = group.create_task(self.doc(cdm.IDENTITY))
            own = group.create_task(self.own_status())
            alerts = group.create_task(self.alerts())
            supplies = group.create_task(self.doc(cdm.SUPPLIES))
            counters = group.create_task(self.doc(cdm.LIFETIME_COUNTERS))
            check = group.create_task(self.listed_doc(care.FIRMWARE_UPDATE_CHECK))
            config = group.create_task(self.listed_doc(care.FIRMWARE_CONFIGURATION))
            ipp_printer = group.create_task(self.ipp_attributes())
        own_status, serial = own.result()
        self.saw(serial)
        return self.compose(
            previous,
            info=parse_optional(cdm.parse_identity, identity.result()),
            status=None
            if own_status is None
            else _with_alerts(own_status, alerts.result()),
            supplies=parse_optional(cdm.parse_supplies, supplies.result()),
            counters=parse_optional(cdm.parse_lifetime_counters, counters.result()),
            ipp_printer=ipp_printer.result(),
            firmware=_firmware(check.result(), config.result()),
        )

    async def refresh(self, previous: PrinterSnapshot) -> PrinterSnapshot:
        """The system status; alerts, supplies and counters as the marker says."""
        own, serial = await self.own_status()
        status: PrinterStatus | None = None
        alerts_changed = False
        if own is not None:
            before = previous.status.change_marker or ChangeMarker()
            if (
                before.alerts_digest is not None
                and _codes_digest(own.raw_codes) == before.status_digest
            ):
                alerts = tuple(
                    alert
                    for alert in previous.status.alerts
                    if alert.source is PrinterProtocol.CDM
                )
            else:
                alerts = await self.alerts()
            status = _with_alerts(own, alerts)
            alerts_changed = _alerts_digest(alerts) != before.alerts_digest
        ipp_printer = await self.ipp_attributes() if incomplete(status) else None
        completed, status_source = self.complete_status(status, ipp_printer)
        reread = None
        if alerts_changed:
            async with side_by_side() as group:
                supplies = group.create_task(self.doc(cdm.SUPPLIES))
                counters = group.create_task(self.doc(cdm.LIFETIME_COUNTERS))
            reread = (
                parse_optional(cdm.parse_supplies, supplies.result()),
                parse_optional(cdm.parse_lifetime_counters, counters.result()),
            )
        snapshot = self.reuse(
            previous, completed, status_source, ipp_printer=ipp_printer, reread=reread
        )
        return await self.unless_swapped(snapshot, serial, previous)

    async def own_status(self) -> tuple[PrinterStatus | None, str | None]:
        """System status, completed by print/v2/status when it names no state.

        With the serial number the system status's Server header names.
        """
        body, serial = await self.status_doc(cdm.SYSTEM_STATUS)
        primary = parse_status(cdm.parse_system_status, body)
        resources = self.profile.cdm_resources
        if incomplete(primary) and (
            not resources or is_listed(resources, cdm.PRINT_STATUS)
        ):
            print_status = parse_optional(
                cdm.parse_print_status, await self.doc(cdm.PRINT_STATUS)
            )
            if primary is None:
                primary = print_status
            elif print_status is not None:
                primary = merge_status(primary, print_status)
        return primary, serial

    async def listed_doc(self, path: str) -> bytes | None:
        """A document servicesDiscovery lists (all when it lists nothing)."""
        resources = self.profile.cdm_resources
        if resources and not is_listed(resources, path):
            return None
        return await self.doc(path)

    async def alerts(self) -> tuple[Alert, ...]:
        """The active alerts; none when the document is missing or malformed."""
        return parse_optional(cdm.parse_alerts, await self.doc(cdm.ALERTS)) or ()


def _firmware(check: bytes | None, config: bytes | None) -> FirmwareInfo | None:
    """The update check with the auto-update setting; malformed ones are missing."""
    found = parse_optional(care.parse_update_check, check)
    setting = parse_optional(care.parse_firmware_configuration, config)
    if setting is None:
        return found
    return replace(
        found or FirmwareInfo(),
        auto_update=setting.auto_update,
        auto_update_writable=setting.auto_update_writable,
    )


def _with_alerts(own: PrinterStatus, alerts: tuple[Alert, ...]) -> PrinterStatus:
    """The CDM status: the printer's own state with the alerts merged in.

    Its change marker holds the digests of both, which a refresh compares.
    """
    merged = merge_status(own, alerts) if alerts else own
    marker = ChangeMarker(
        status_digest=_codes_digest(own.raw_codes),
        alerts_digest=_alerts_digest(alerts),
    )
    return replace(merged, change_marker=marker)


def _digest(lines: Iterable[str]) -> str:
    text = "\n".join(lines)
    return hashlib.sha256(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _alerts_digest(alerts: Iterable[Alert]) -> str:
    return _digest(
        sorted(
            f"{a.code}|{a.severity}|{a.color or ''}|{a.message or ''}" for a in alerts
        )
    )


def _codes_digest(codes: Iterable[str]) -> str:
    return _digest(codes)
