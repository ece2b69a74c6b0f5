"""Diagnostics: the entry, the snapshot and a fresh capture, redacted."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_SSL, CONF_USERNAME
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.hp_ews.client.capture import (
    Capture,
    redact_capture,
    write_capture,
)
from custom_components.hp_ews.client.errors import HPEWSConnectionError
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from pathlib import Path
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

STATUS = FIXTURES / "ledm" / "HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml"
ITALIAN = FIXTURES / "ledm" / "HP-Color-LaserJet-M255dw__ProductStatusDyn.xml"


def _capture(directory: Path) -> None:
    """What the client writes for the OfficeJet: its documents, redacted."""
    capture = Capture(
        meta={"format": 1, "scheme": "http", "port": 80, "protocols": ["ledm"]},
        http={
            "/DevMgmt/ProductStatusDyn.xml": STATUS.read_bytes(),
            # Firmware that sends ISO-8859-1 ("Modalità" with a bare 0xE0 byte).
            "/DevMgmt/ProductStatusDyn-latin1.xml": ITALIAN.read_text(
                encoding="utf-8"
            ).encode("latin-1"),
        },
        # Not IPP at all: the client drops what it cannot redact.
        ipp={"Get-Printer-Attributes": b"\x00"},
    )
    write_capture(directory, redact_capture(capture))


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot: SnapshotAssertion,
) -> None:
    """Credentials, address, serials and UUIDs never leave Home Assistant."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            CONF_HOST: "192.0.2.20",
            CONF_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: "hunter2",
        },
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    mock_printer.capture.side_effect = _capture

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert diagnostics == snapshot
    text = str(diagnostics)
    for secret in ("192.0.2.20", "hunter2", "admin"):
        assert secret not in text
    status = diagnostics["capture"]["http"]["/DevMgmt/ProductStatusDyn.xml"]["text"]
    assert "inPowerSave" in status
    assert diagnostics["capture"]["ipp"] == {}
    latin1 = diagnostics["capture"]["http"]["/DevMgmt/ProductStatusDyn-latin1.xml"]
    assert base64.b64decode(latin1["base64"]) == ITALIAN.read_text(
        encoding="utf-8"
    ).encode("latin-1")


async def test_diagnostics_printer_away(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
) -> None:
    """Without a printer to capture, the rest still downloads."""
    mock_printer.capture.side_effect = HPEWSConnectionError("Connection refused")
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["capture"] == {"error": "Connection refused"}
    assert diagnostics["snapshot"]["status"]["state"] == "power_save"
