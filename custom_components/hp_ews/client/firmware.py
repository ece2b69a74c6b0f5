"""The printer's automatic firmware update setting: the one firmware write.

Home Assistant never installs firmware; it only turns the printer's own
automatic update on or off, when the user toggles the switch. CDM printers
keep the setting in ``/cdm/firmwareUpdate/v2/configuration`` and take a
PATCH of just that field (booleans as strings, as they send them); the path
is in ``transport.WRITABLE_PATHS``, so no other write can slip through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import HPEWSError, HPEWSUnsupportedError
from .models import PrinterProtocol
from .protocols import care

if TYPE_CHECKING:
    from .models import Profile
    from .transport import PrinterTransport


async def set_auto_update(
    transport: PrinterTransport, profile: Profile, enabled: bool
) -> None:
    """Turn the printer's automatic firmware update on or off.

    Raises:
        HPEWSUnsupportedError: the printer has no such setting we can write.
        HPEWSError: the printer refused the change.
    """
    if PrinterProtocol.CDM not in profile.protocols:
        raise HPEWSUnsupportedError(
            "The printer exposes no automatic firmware update setting"
        )
    response = await transport.exchange(
        "PATCH",
        profile.base_url + care.FIRMWARE_CONFIGURATION,
        body=care.firmware_configuration_body(enabled),
        content_type="application/json",
    )
    if response.status == 404:
        raise HPEWSUnsupportedError(
            "The printer exposes no automatic firmware update setting"
        )
    if not 200 <= response.status < 300:
        raise HPEWSError(
            f"The printer refused the firmware update setting (HTTP {response.status})"
        )
