"""How a snapshot is read: one reader per protocol family, chosen once.

``reader_for`` picks the reader from the profile's preferred protocol; each
has ``full(previous)`` and ``refresh(previous)``. What each costs in requests,
and what makes a refresh read more, is in docs/refresh.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.models import PrinterProtocol

from .base import Reader
from .cdm import CdmReader
from .ipp import IppReader
from .ledm import LedmReader

if TYPE_CHECKING:
    from custom_components.hp_ews.client.models import Profile
    from custom_components.hp_ews.client.transport import PrinterTransport

READERS: Final[dict[PrinterProtocol, type[Reader]]] = {
    PrinterProtocol.LEDM: LedmReader,
    PrinterProtocol.CDM: CdmReader,
}
"""The reader of each web server protocol; any other profile reads IPP only."""


def reader_for(
    transport: PrinterTransport,
    profile: Profile,
    *,
    server_serial: str | None = None,
) -> Reader:
    """The reader of the profile's preferred protocol.

    ``server_serial`` carries over the serial number the last reader saw, so
    a refresh after a new probe still notices another printer.
    """
    primary = profile.protocols[0] if profile.protocols else PrinterProtocol.IPP
    reader = READERS.get(primary, IppReader)
    return reader(transport, profile, server_serial=server_serial)


__all__ = ["CdmReader", "IppReader", "LedmReader", "Reader", "reader_for"]
