"""Sensors: state, message, supply levels and counters."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING
from unittest.mock import PropertyMock, patch

from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.client import (
    Alert,
    AlertSeverity,
    PrinterProtocol,
    PrinterState,
    Supply,
    SupplyKind,
    SupplyState,
)

from .helpers import platform_entities
from .printers import (
    ENVY,
    LASERJET,
    LASERJET_100,
    OFFICEJET,
    PAGEWIDE,
    SMART_TANK,
    with_status,
)

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    """Set up the sensor platform alone."""
    with patch("custom_components.hp_ews.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.fixture
def all_enabled() -> Generator[None]:
    """Create disabled-by-default entities enabled, to see them all."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


async def _refresh(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize(
    "snapshot_data",
    [OFFICEJET, LASERJET, ENVY, PAGEWIDE, SMART_TANK, LASERJET_100],
    ids=[
        "officejet-pro-9022e",
        "color-laserjet-m255dw",
        "envy-4520",
        "pagewide-p57750",
        "smart-tank-588",
        "laserjet-100-m175nw",
    ],
)
async def test_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of each printer, named, classified and valued."""
    assert platform_entities(hass, init_integration.entry_id, "sensor") == snapshot


async def test_supply_names_and_levels(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The OfficeJet Pro 9022e: four inks at 40/40/40/80 %, no printhead level."""
    assert hass.states.get("sensor.hp_officejet_pro_9022e_cyan_cartridge").state == "40"
    assert (
        hass.states.get("sensor.hp_officejet_pro_9022e_magenta_cartridge").state == "40"
    )
    assert (
        hass.states.get("sensor.hp_officejet_pro_9022e_yellow_cartridge").state == "40"
    )
    black = hass.states.get("sensor.hp_officejet_pro_9022e_black_cartridge")
    assert black.state == "80"
    assert black.attributes["unit_of_measurement"] == "%"
    assert hass.states.get("sensor.hp_officejet_pro_9022e_printhead") is None
    state = hass.states.get("sensor.hp_officejet_pro_9022e_state")
    assert state.state == "power_save"


@pytest.mark.parametrize("snapshot_data", [LASERJET])
async def test_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Pages and days remaining, the rarer counters and the panel text start off."""
    disabled = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
        if entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert disabled == {
        "sensor.hp_color_laserjet_pro_m255dw_black_toner_pages_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_cyan_toner_pages_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_magenta_toner_pages_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_yellow_toner_pages_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_duplex_sheets",
        "sensor.hp_color_laserjet_pro_m255dw_paper_jams",
        "sensor.hp_color_laserjet_pro_m255dw_status_message",
        "sensor.hp_color_laserjet_pro_m255dw_black_toner_days_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_cyan_toner_days_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_magenta_toner_days_remaining",
        "sensor.hp_color_laserjet_pro_m255dw_yellow_toner_days_remaining",
    }


@pytest.mark.usefixtures("all_enabled")
async def test_state_follows_printer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each refresh shows what the printer reports now."""
    mock_printer.snapshot.return_value = with_status(
        OFFICEJET, state=PrinterState.PRINTING, message="Printing document"
    )
    await _refresh(hass, freezer)
    assert hass.states.get("sensor.hp_officejet_pro_9022e_state").state == "printing"
    assert (
        hass.states.get("sensor.hp_officejet_pro_9022e_status_message").state
        == "Printing document"
    )


async def test_supply_added_and_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A supply that appears gets sensors; one that goes loses them."""
    photo = Supply(
        key="ink_pk",
        color="pK",
        kind=SupplyKind.INK,
        state=SupplyState.OK,
        level_percent=55,
        pages_remaining=300,
    )
    # A kind the client could not classify is named as the printer names it.
    waste = Supply(
        key="other_waste_toner",
        color="",
        kind=SupplyKind.OTHER,
        state=SupplyState.OK,
        level_percent=90,
        raw_kind="wasteToner",
    )
    mock_printer.snapshot.return_value = replace(
        OFFICEJET, supplies=(*OFFICEJET.supplies[:4], photo, waste)
    )
    await _refresh(hass, freezer)

    # A colour code without a translation of its own is named by its code.
    assert hass.states.get("sensor.hp_officejet_pro_9022e_pk_cartridge").state == "55"
    assert hass.states.get("sensor.hp_officejet_pro_9022e_wastetoner").state == "90"
    pages = entity_registry.async_get(
        "sensor.hp_officejet_pro_9022e_pk_cartridge_pages_remaining"
    )
    assert pages is not None
    assert pages.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    # The black cartridge went away with its registry entry.
    assert hass.states.get("sensor.hp_officejet_pro_9022e_black_cartridge") is None
    assert (
        entity_registry.async_get("sensor.hp_officejet_pro_9022e_black_cartridge")
        is None
    )

    mock_printer.snapshot.return_value = OFFICEJET
    await _refresh(hass, freezer)
    assert (
        hass.states.get("sensor.hp_officejet_pro_9022e_black_cartridge").state == "80"
    )
    assert hass.states.get("sensor.hp_officejet_pro_9022e_pk_cartridge") is None
    assert (
        entity_registry.async_get(
            "sensor.hp_officejet_pro_9022e_pk_cartridge_pages_remaining"
        )
        is None
    )


async def test_supply_gone_while_stopped(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    entity_registry: er.EntityRegistry,
) -> None:
    """Sensors of a supply removed while Home Assistant was off go at start-up."""
    mock_config_entry.add_to_hass(hass)
    stale = entity_registry.async_get_or_create(
        "sensor",
        "hp_ews",
        "REDACTED_ink_pk_level",
        config_entry=mock_config_entry,
        suggested_object_id="hp_officejet_pro_9022e_pk_cartridge",
    )
    kept = entity_registry.async_get_or_create(
        "sensor",
        "hp_ews",
        "REDACTED_state",
        config_entry=mock_config_entry,
        suggested_object_id="hp_officejet_pro_9022e_state",
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert entity_registry.async_get(stale.entity_id) is None
    assert entity_registry.async_get(kept.entity_id) is not None


@pytest.mark.usefixtures("all_enabled")
async def test_long_message_is_cut(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A state holds at most 255 characters."""
    mock_printer.snapshot.return_value = with_status(OFFICEJET, message="x" * 300)
    await _refresh(hass, freezer)
    message = hass.states.get("sensor.hp_officejet_pro_9022e_status_message")
    assert message.state == "x" * 255


async def test_unavailable_supply_between_updates(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the printer is unreachable every sensor is unavailable."""
    from custom_components.hp_ews.client import HPEWSConnectionError

    mock_printer.snapshot.side_effect = HPEWSConnectionError("refused")
    mock_printer.probe.side_effect = HPEWSConnectionError("refused")
    await _refresh(hass, freezer)
    for entity_id in (
        "sensor.hp_officejet_pro_9022e_state",
        "sensor.hp_officejet_pro_9022e_black_cartridge",
    ):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE


@pytest.mark.parametrize("snapshot_data", [ENVY])
async def test_american_names_keep_old_entity_ids(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    entity_registry: er.EntityRegistry,
) -> None:
    """0.1 named entities in British English: their ids stay, new ones are American.

    The unique ids never held the spelling, so the registry keeps the old ids.
    """
    mock_config_entry.add_to_hass(hass)
    uid = mock_config_entry.unique_id
    # The ENVY 4520 reports a tri-color cartridge (ipp/HP-ENVY-4520 capture).
    tri = next(s for s in ENVY.supplies if s.color == "CMY")
    old = entity_registry.async_get_or_create(
        "sensor",
        "hp_ews",
        f"{uid}_{tri.key}_level",
        suggested_object_id="hp_envy_4520_series_tri_colour_cartridge",
        config_entry=mock_config_entry,
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.states.get(old.entity_id).attributes["friendly_name"] == (
        "HP ENVY 4520 series Tri-color cartridge"
    )
    assert old.entity_id == "sensor.hp_envy_4520_series_tri_colour_cartridge"
    # A sensor that did not exist before gets the American id.
    assert hass.states.get("sensor.hp_envy_4520_series_black_cartridge") is not None
    assert entity_registry.async_get_entity_id(
        "sensor", "hp_ews", f"{uid}_{tri.key}_level"
    ) == ("sensor.hp_envy_4520_series_tri_colour_cartridge")


@pytest.mark.usefixtures("all_enabled")
async def test_message_falls_back_to_alert_text(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without panel text the most pressing worded alert speaks; else unknown."""
    entity_id = "sensor.hp_officejet_pro_9022e_status_message"
    assert hass.states.get(entity_id).state == "unknown"
    alerts = (
        Alert("cartridgeLow", AlertSeverity.INFO, PrinterProtocol.LEDM, "Cyan is low"),
        Alert(
            "jam", AlertSeverity.ERROR, PrinterProtocol.LEDM, "Clear the jam in tray 2"
        ),
        Alert("noText", AlertSeverity.ERROR, PrinterProtocol.LEDM),
    )
    mock_printer.snapshot.return_value = with_status(
        OFFICEJET, message=None, alerts=alerts
    )
    await _refresh(hass, freezer)
    assert hass.states.get(entity_id).state == "Clear the jam in tray 2"

    mock_printer.snapshot.return_value = with_status(
        OFFICEJET, message="Paper jam", alerts=alerts
    )
    await _refresh(hass, freezer)
    assert hass.states.get(entity_id).state == "Paper jam"


@pytest.mark.parametrize("snapshot_data", [SMART_TANK])
async def test_no_message_sensor_without_text_source(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    entity_registry: er.EntityRegistry,
) -> None:
    """A CDM-only printer never sends text: 0.1's message sensor goes away."""
    mock_config_entry.add_to_hass(hass)
    old = entity_registry.async_get_or_create(
        "sensor",
        "hp_ews",
        f"{mock_config_entry.unique_id}_status_message",
        config_entry=mock_config_entry,
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert entity_registry.async_get(old.entity_id) is None
    assert hass.states.get(old.entity_id) is None
