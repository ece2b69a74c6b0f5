"""The identify button."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hp_ews.client import HPEWSIPPError

from .helpers import platform_entities
from .printers import ENVY, OFFICEJET

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

IDENTIFY = "button.hp_envy_4520_series_identify"


@pytest.fixture(autouse=True)
def only_buttons() -> Generator[None]:
    """Set up the button platform alone."""
    with patch("custom_components.hp_ews.PLATFORMS", [Platform.BUTTON]):
        yield


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_identify(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot: SnapshotAssertion,
) -> None:
    """A printer with IPP Identify-Printer gets the button; pressing it asks."""
    assert platform_entities(hass, init_integration.entry_id, "button") == snapshot
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: IDENTIFY}, blocking=True
    )
    mock_printer.identify.assert_awaited_once_with()


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_identify_fails(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A refused request surfaces as a translated error."""
    mock_printer.identify.side_effect = HPEWSIPPError("busy", 0x0507)
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: IDENTIFY}, blocking=True
        )
    assert raised.value.translation_key == "action_failed"
    assert raised.value.translation_placeholders == {"error": "busy"}


@pytest.mark.parametrize("snapshot_data", [OFFICEJET])
async def test_no_identify_without_ipp(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A printer that cannot identify itself gets no button."""
    assert not er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
