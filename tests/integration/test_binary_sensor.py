"""Binary sensors: the conditions that stop a printer."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from unittest.mock import PropertyMock, patch

from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from .helpers import platform_entities
from .printers import OFFICEJET, with_status

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion


@pytest.fixture(autouse=True)
def only_binary_sensors() -> Generator[None]:
    """Set up the binary sensor platform alone."""
    with patch("custom_components.hp_ews.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_binary_sensors(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot: SnapshotAssertion,
) -> None:
    """Every condition flag of the OfficeJet, all clear in power save."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        mock_config_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert (
        platform_entities(hass, mock_config_entry.entry_id, "binary_sensor") == snapshot
    )


async def test_output_full_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The output bin sensor is rarely reported; it starts disabled."""
    entry = entity_registry.async_get(
        "binary_sensor.hp_officejet_pro_9022e_output_bin_full"
    )
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("flag", "entity_id"),
    [
        ("paper_jam", "binary_sensor.hp_officejet_pro_9022e_paper_jam"),
        ("door_open", "binary_sensor.hp_officejet_pro_9022e_door"),
        ("out_of_paper", "binary_sensor.hp_officejet_pro_9022e_out_of_paper"),
        ("supply_low", "binary_sensor.hp_officejet_pro_9022e_supply_low"),
        ("supply_missing", "binary_sensor.hp_officejet_pro_9022e_supply_missing"),
    ],
)
async def test_condition_on_and_off(
    hass: HomeAssistant,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
    flag: str,
    entity_id: str,
) -> None:
    """Each flag turns its sensor on at the next refresh, and off again."""
    assert hass.states.get(entity_id).state == STATE_OFF
    mock_printer.snapshot.return_value = with_status(OFFICEJET, **{flag: True})
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_ON

    mock_printer.snapshot.return_value = OFFICEJET
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_OFF
