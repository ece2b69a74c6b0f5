"""Setting a printer up, unloading it, and what the entry does on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_SCAN_INTERVAL
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hp_ews.client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSUnsupportedError,
)
from custom_components.hp_ews.const import DOMAIN, SCAN_INTERVAL

from .printers import ENVY, ENVY_UNIQUE_ID, HOST, OFFICEJET_UNIQUE_ID

if TYPE_CHECKING:
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator


def _printer_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry
) -> dr.DeviceEntry:
    """The one device of an entry (looked up the same way in every release)."""
    (device,) = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    return device


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """The entry loads after one probe and one full snapshot, and unloads."""
    assert init_integration.state is ConfigEntryState.LOADED
    mock_printer.probe.assert_awaited_once()
    assert mock_printer.snapshot.await_args.kwargs["full"] is True

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_not_ready_when_unreachable(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A printer that does not answer at start-up is retried later."""
    mock_printer.probe.side_effect = HPEWSConnectionError("refused")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_not_ready_when_unsupported(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A device that stopped answering like an HP printer is retried too."""
    mock_printer.probe.side_effect = HPEWSUnsupportedError("not an HP printer")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_auth_failed_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A printer answering 401 at start-up asks the user for credentials."""
    mock_printer.probe.side_effect = HPEWSAuthenticationError("401")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """One device per printer, described as the printer describes itself."""
    device = _printer_device(device_registry, init_integration)
    assert device.identifiers == {(DOMAIN, OFFICEJET_UNIQUE_ID)}
    assert device.manufacturer == "HP"
    assert device.model == "HP OfficeJet Pro 9022e"
    assert device.model_id == "226Y0B"
    assert device.serial_number == "REDACTED"
    assert device.sw_version == "MANHHIPP1N005.2623A.00"
    assert device.name == "HP OfficeJet Pro 9022e"
    assert device.configuration_url == f"http://{HOST}:80"
    assert device.connections == set()


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_device_with_mac(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The printer's own web page and MAC address, when it reports them."""
    device = _printer_device(device_registry, init_integration)
    assert device.identifiers == {(DOMAIN, ENVY_UNIQUE_ID)}
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, "ec:8e:b5:b5:19:a4")}
    assert device.configuration_url == f"http://{HOST}/#hId-pgAirPrint"


async def test_remove_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Stale devices can be removed; the live printer's device cannot."""
    assert await async_setup_component(hass, "config", {})
    live = _printer_device(device_registry, init_integration)
    stale = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "an-old-printer")},
    )
    client = await hass_ws_client(hass)

    async def remove(device: dr.DeviceEntry) -> bool:
        """Remove the device from the entry as the device page does."""
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device.id,
            }
        )
        response = await client.receive_json()
        return bool(response["success"])

    assert not await remove(live)
    assert await remove(stale)
    assert device_registry.async_get(stale.id) is None
    assert device_registry.async_get(live.id) is not None


async def test_options_change_needs_no_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Options are read when a job is held: a change keeps the entry loaded as is.

    The entry registers no update listener, so flows that change its data
    (reconfigure, reauth, rediscovery) can have Home Assistant reload it.
    """
    data = init_integration.runtime_data
    assert not init_integration.update_listeners

    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"hold_hours": 2, "held_quota_gib": 5}
    )
    await hass.async_block_till_done()

    assert init_integration.options == {"hold_hours": 2, "held_quota_gib": 5}
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is data


async def test_data_change_by_flow_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A reconfigured address reaches a fresh client: the flow reloads the entry."""
    data = init_integration.runtime_data
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "192.0.2.99", "advanced": {}}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is not data
    assert init_integration.runtime_data.coordinator.host == "192.0.2.99"


async def test_migrate_drops_poll_interval(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """Entries of 0.1 lose their poll interval option; the hold time stays."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options={CONF_SCAN_INTERVAL: 30, "hold_hours": 48},
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.options == {"hold_hours": 48}
    assert entry.minor_version == 2
    assert entry.runtime_data.coordinator.update_interval == SCAN_INTERVAL


async def test_migrate_refuses_newer_entry(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """An entry written by a newer major version is not guessed at."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, version=2)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_remove_entry_deletes_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Removing a printer takes its repair issue with it."""
    issue_id = f"wrong_printer_{init_integration.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="wrong_printer",
    )
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
