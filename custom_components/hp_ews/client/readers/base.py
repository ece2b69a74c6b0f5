"""What every reader shares: fetching, IPP completion, composing a snapshot.

A reader reads one printer in one protocol family and keeps what it needs
between reads (the serial number that names the printer answering). Its two
reads, whose request budgets are in docs/refresh.md:

* ``full(previous)`` reads everything;
* ``refresh(previous)`` reads the status, and what the printer signals changed
  since ``previous``; identity, capabilities and, unless they changed,
  supplies and counters are ``previous``'s.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
import logging
from typing import TYPE_CHECKING, ClassVar

from custom_components.hp_ews.client.errors import HPEWSAuthenticationError, HPEWSError
from custom_components.hp_ews.client.models import (
    Counters,
    DataSources,
    FirmwareInfo,
    PrinterInfo,
    PrinterProtocol,
    PrinterSnapshot,
    PrinterState,
    PrinterStatus,
)
from custom_components.hp_ews.client.probe import get_printer_attributes
from custom_components.hp_ews.client.protocols import ledm
from custom_components.hp_ews.client.protocols.care import boot_time
from custom_components.hp_ews.client.status import merge_status

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from custom_components.hp_ews.client.ipp import IppPrinter
    from custom_components.hp_ews.client.models import Profile, Supply, Tray
    from custom_components.hp_ews.client.transport import PrinterTransport

_LOGGER = logging.getLogger(__name__)


class Reader(ABC):
    """Reads one printer in one protocol family; kept while its profile holds."""

    protocol: ClassVar[PrinterProtocol]
    """The family this reader reads, the source of what it parses."""

    def __init__(
        self,
        transport: PrinterTransport,
        profile: Profile,
        *,
        server_serial: str | None = None,
    ) -> None:
        """Read the printer ``profile`` describes; nothing is sent yet."""
        self.transport = transport
        self.profile = profile
        self.server_serial = server_serial
        """The serial number the last status document's ``Server`` header named."""

    @abstractmethod
    async def full(self, previous: PrinterSnapshot | None = None) -> PrinterSnapshot:
        """Read everything.

        ``previous`` keeps the UUID IPP announced when IPP misses this read
        and the same printer (serial number) answers.
        """

    @abstractmethod
    async def refresh(self, previous: PrinterSnapshot) -> PrinterSnapshot:
        """Read the status, and what the printer signals changed since ``previous``."""

    # --- requests ---------------------------------------------------------------

    async def doc(self, path: str) -> bytes | None:
        """A web server document; None when the printer has none at ``path``."""
        response = await self.transport.get(self.profile.base_url + path)
        return None if response is None else response.body

    async def status_doc(self, path: str) -> tuple[bytes | None, str | None]:
        """The status document and the serial number its Server header names."""
        response = await self.transport.get(self.profile.base_url + path)
        if response is None:
            return None, None
        return response.body, ledm.server_serial(response.server)

    async def ipp_attributes(self, *, required: bool = False) -> IppPrinter | None:
        """Get-Printer-Attributes; optional unless IPP is all the printer has."""
        url = self.profile.ipp_url
        if url is None:
            return None
        if required:
            return await get_printer_attributes(self.transport, url)
        try:
            return await get_printer_attributes(self.transport, url)
        except HPEWSAuthenticationError:
            raise
        except HPEWSError as err:
            _LOGGER.debug("IPP completion failed, continuing without: %s", err)
            return None

    # --- another printer at the address -------------------------------------------

    def saw(self, serial: str | None) -> bool:
        """Note the serial a status document named; True if another printer's.

        HP web servers name the serial number in the ``Server`` header of every
        answer (LEDM; CDM when present), so a new one means another printer
        answers at this address.
        """
        if serial is None:
            return False
        known, self.server_serial = self.server_serial, serial
        return known not in (None, serial)

    async def unless_swapped(
        self, snapshot: PrinterSnapshot, serial: str | None, previous: PrinterSnapshot
    ) -> PrinterSnapshot:
        """A refresh's ``snapshot``, or a full read when another printer answered.

        The full read makes the snapshot's identity (serial, UUID) the new
        printer's, so the caller can tell.
        """
        if not self.saw(serial):
            return snapshot
        _LOGGER.debug(
            "%s: another printer answers; full refresh", self.profile.base_url
        )
        return await self.full(previous)

    # --- composing ---------------------------------------------------------------

    def compose(
        self,
        previous: PrinterSnapshot | None,
        *,
        info: PrinterInfo | None,
        status: PrinterStatus | None,
        supplies: tuple[Supply, ...] | None,
        counters: Counters | None,
        ipp_printer: IppPrinter | None,
        trays: tuple[Tray, ...] | None = None,
        firmware: FirmwareInfo | None = None,
    ) -> PrinterSnapshot:
        """Assemble a full read's snapshot, completing missing parts from IPP.

        Trays are the family's own, else IPP's; the boot time is kept from
        ``previous`` while it moves by less than ``BOOT_TOLERANCE``.
        """
        protocol = self.protocol
        info_source: PrinterProtocol | None = protocol
        if info is None:
            info, info_source = (
                (ipp_printer.info, PrinterProtocol.IPP)
                if ipp_printer is not None
                else (PrinterInfo(), None)
            )
        elif ipp_printer is not None:
            info = announced_uuid(
                complete_info(info, ipp_printer.info), ipp_printer.info.uuid
            )
        elif self.profile.ipp_url is not None and previous is not None:
            # IPP missed this refresh: keep the UUID it announced before rather
            # than flip to CDM's deviceUuid, as long as it is the same printer.
            before = previous.info
            if before.serial_number is not None and (
                before.serial_number == info.serial_number
            ):
                info = announced_uuid(info, before.uuid)
        if info.ews_url is None:
            info = replace(info, ews_url=self.profile.base_url)
        booted_at = boot_time(
            now(),
            info.uptime_seconds,
            previous.info.booted_at if previous is not None else None,
        )
        if booted_at is not None:
            info = replace(info, booted_at=booted_at)
        if not trays and ipp_printer is not None:
            trays = ipp_printer.trays
        firmware = firmware or FirmwareInfo()
        if firmware.installed is None:
            firmware = replace(firmware, installed=info.firmware)

        status, status_source = self.complete_status(status, ipp_printer)

        supplies_source: PrinterProtocol | None = protocol
        if not supplies:
            supplies, supplies_source = (
                (ipp_printer.supplies, PrinterProtocol.IPP)
                if ipp_printer is not None and ipp_printer.supplies
                else ((), None)
            )
        return PrinterSnapshot(
            info=info,
            status=status,
            supplies=supplies,
            counters=counters or Counters(),
            ipp=ipp_printer.capabilities if ipp_printer is not None else None,
            sources=DataSources(
                info=info_source,
                status=status_source,
                supplies=supplies_source,
                counters=protocol if counters is not None else None,
            ),
            trays=trays or (),
            firmware=firmware,
        )

    def complete_status(
        self, status: PrinterStatus | None, ipp_printer: IppPrinter | None
    ) -> tuple[PrinterStatus, PrinterProtocol | None]:
        """The printer's own status, completed by IPP when it names no state."""
        if status is None:
            if ipp_printer is not None:
                return ipp_printer.status, PrinterProtocol.IPP
            return PrinterStatus(state=PrinterState.UNKNOWN), None
        if incomplete(status) and ipp_printer is not None:
            merged = merge_status(status, ipp_printer.status)
            return replace(merged, change_marker=status.change_marker), self.protocol
        return status, self.protocol

    def reuse(
        self,
        previous: PrinterSnapshot,
        status: PrinterStatus,
        status_source: PrinterProtocol | None,
        *,
        ipp_printer: IppPrinter | None,
        reread: tuple[tuple[Supply, ...] | None, Counters | None] | None = None,
    ) -> PrinterSnapshot:
        """A refresh's snapshot: the new status, the rest ``previous``'s.

        ``reread`` (supplies, counters) replaces ``previous``'s when the
        printer signalled a change; IPP fills in missing supplies only when
        this refresh asked it anyway.
        """
        sources = replace(previous.sources, status=status_source)
        snapshot = replace(previous, status=status, sources=sources)
        if reread is not None:
            supplies, counters = reread
            supplies_source = self.protocol if supplies else None
            if not supplies and ipp_printer is not None and ipp_printer.supplies:
                supplies, supplies_source = ipp_printer.supplies, PrinterProtocol.IPP
            snapshot = replace(
                snapshot,
                supplies=supplies or (),
                counters=counters or Counters(),
                sources=replace(
                    sources,
                    supplies=supplies_source,
                    counters=self.protocol if counters is not None else None,
                ),
            )
        if ipp_printer is not None:
            snapshot = replace(snapshot, ipp=ipp_printer.capabilities)
        return snapshot


# --- helpers the readers and HPPrinter share ---------------------------------------


def now() -> datetime:
    """The time of a read (UTC); tests move it to see jitter."""
    return datetime.now(UTC)


def parse_status(
    parser: Callable[[bytes], PrinterStatus], data: bytes | None
) -> PrinterStatus | None:
    """Parse the status document, the one a snapshot cannot do without.

    A malformed one is an error; a missing one is completed from IPP.
    """
    if data is None:
        return None
    return parser(data)


def parse_optional[T](parser: Callable[[bytes], T], data: bytes | None) -> T | None:
    """Parse an optional document; a malformed one counts as missing."""
    if data is None:
        return None
    try:
        return parser(data)
    except HPEWSError as err:
        _LOGGER.debug("Ignoring a malformed optional document: %s", err)
        return None


def incomplete(status: PrinterStatus | None) -> bool:
    """Whether a status names no state (or is missing): IPP completes it."""
    return status is None or status.state is PrinterState.UNKNOWN


def is_listed(resources: tuple[str, ...], path: str) -> bool:
    """Whether a discovery listing names ``path`` or a service containing it."""
    wanted = path.lower().rstrip("/")
    for resource in resources:
        listed = resource.lower().split("?", 1)[0].rstrip("/")
        if listed and (wanted == listed or wanted.startswith(listed + "/")):
            return True
    return False


def complete_info(info: PrinterInfo, other: PrinterInfo) -> PrinterInfo:
    """Fill what ``info`` lacks from ``other`` (IPP knows the UUID, often the MAC)."""
    changes = {
        name: getattr(other, name)
        for name in (
            "model",
            "series",
            "serial_number",
            "firmware",
            "uuid",
            "mac",
            "product_number",
            "uptime_seconds",
        )
        if getattr(info, name) is None and getattr(other, name) is not None
    }
    return replace(info, **changes) if changes else info


def announced_uuid(info: PrinterInfo, uuid: str | None) -> PrinterInfo:
    """``info`` with the UUID the printer announces (IPP ``printer-uuid``).

    It is the one mDNS discovery sees (TXT ``UUID``); CDM's ``deviceUuid``
    differs from it on real printers (docs/protocols.md §2.3), so it is only a
    fallback for printers without IPP.
    """
    if uuid is None or uuid == info.uuid:
        return info
    return replace(info, uuid=uuid)


@asynccontextmanager
async def side_by_side() -> AsyncIterator[asyncio.TaskGroup]:
    """A task group that raises the first library error, not an ExceptionGroup.

    Requests run side by side (the transport keeps at most two in flight); on
    a failure the group cancels the others, so nothing lingers.
    """
    try:
        async with asyncio.TaskGroup() as group:
            yield group
    except BaseExceptionGroup as errors:
        raise first_leaf(errors) from None


def first_leaf(error: BaseException) -> BaseException:
    """The first error a (nested) exception group holds."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
