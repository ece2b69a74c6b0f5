"""Fixtures for the Home Assistant integration tests."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_SSL
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hp_ews.client import HPEWSUnsupportedError, normalize_uuid
from custom_components.hp_ews.const import DOMAIN
from simulator import testing as simulator_testing

from .printers import HOST, OFFICEJET, OFFICEJET_PROFILE

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant

    from custom_components.hp_ews.client import PrinterSnapshot, Profile
    from simulator import SimulatedPrinter
    from simulator.testing import PrinterFactory


simulated_printer = simulator_testing.simulated_printer
"""Starts simulated printers on loopback, stopped after the test."""


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load this repository's integration in every test."""


@pytest.fixture(autouse=True)
def event_channel_off() -> Generator[None]:
    """No LEDM event channel unless a test asks for ``event_channel``.

    The long poll is real network I/O that never ends; tests that drive time
    with ``async_fire_time_changed`` expect one-minute polling and nothing
    arriving in between.
    """
    with patch("custom_components.hp_ews.walkup.EVENT_CHANNEL", False):
        yield


@pytest.fixture
def event_channel(event_channel_off: None) -> Generator[None]:
    """Run the event channel, with one-second long polls."""
    with (
        patch("custom_components.hp_ews.walkup.EVENT_CHANNEL", True),
        patch("custom_components.hp_ews.walkup.EVENT_WAIT", 1.0),
    ):
        yield


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep config flow tests from setting the entry up."""
    with patch(
        "custom_components.hp_ews.async_setup_entry", return_value=True
    ) as setup_entry:
        yield setup_entry


@pytest.fixture
def snapshot_data() -> PrinterSnapshot:
    """The snapshot the mocked printer returns."""
    return OFFICEJET


@pytest.fixture
def profile_data() -> Profile:
    """The profile the mocked printer's probe returns."""
    return OFFICEJET_PROFILE


@pytest.fixture
def mock_printer_class(
    snapshot_data: PrinterSnapshot, profile_data: Profile
) -> Generator[MagicMock]:
    """Replace the client class where the integration creates clients."""
    with patch(
        "custom_components.hp_ews.coordinator.HPPrinter", autospec=True
    ) as printer_class:
        printer = printer_class.return_value
        printer.probe.return_value = profile_data
        printer.snapshot.return_value = snapshot_data
        # A printer without a scanner unless a test gives it one.
        printer.scanner_status.side_effect = HPEWSUnsupportedError("no scanner")
        yield printer_class


@pytest.fixture
def mock_printer(mock_printer_class: MagicMock) -> MagicMock:
    """The client every part of the integration gets."""
    printer: MagicMock = mock_printer_class.return_value
    return printer


@pytest.fixture
def mock_config_entry(snapshot_data: PrinterSnapshot) -> MockConfigEntry:
    """An entry for the printer the mock answers as (the OfficeJet by default)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=snapshot_data.info.model,
        unique_id=normalize_uuid(snapshot_data.info.uuid)
        or snapshot_data.info.serial_number,
        data={CONF_HOST: HOST, CONF_SSL: False},
        version=1,
        minor_version=2,
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_printer: MagicMock
) -> MockConfigEntry:
    """Set the integration up with the mocked printer."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
async def simulated_entry(
    hass: HomeAssistant,
    simulated_printer: PrinterFactory,
    request: pytest.FixtureRequest,
) -> tuple[SimulatedPrinter, MockConfigEntry]:
    """A simulated printer on loopback, added through the config flow.

    The profile comes from ``@pytest.mark.parametrize("profile", [...])``
    (the OfficeJet Pro 9022e by default); tests need ``socket_enabled``.
    """
    profile = getattr(request, "param", "officejet-pro-9022e")
    sim = await simulated_printer(profile)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.url, "advanced": {}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    return sim, entry
