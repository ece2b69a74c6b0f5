"""Printer care entities: trays, last restart, firmware update, auto-update switch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import PropertyMock, patch

from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hp_ews.care import TRAY_SENSORS, HPEWSTraySensorEntity
from custom_components.hp_ews.client import (
    FirmwareInfo,
    HPEWSError,
    PrinterSnapshot,
    TrayState,
)
from custom_components.hp_ews.client.ipp import parse_printer_attributes
from custom_components.hp_ews.client.protocols import care
from custom_components.hp_ews.const import SCAN_INTERVAL

from .helpers import platform_entities
from .printers import ENVY, SMART_TANK

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedPrinter

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BOOTED = datetime(2026, 12, 6, 3, 14, 2, tzinfo=UTC)

# The ENVY 4520's own IPP answer (simulator/data/envy-4520: its capture log
# re-encoded): one tray InputTray1 with A4 stationery, printer-up-time 6358.
_ENVY_IPP = parse_printer_attributes(
    (ROOT / "simulator/data/envy-4520/ipp/Get-Printer-Attributes.ipp").read_bytes(),
    "http://printer:631/ipp/print",
)
ENVY_CARE = replace(
    ENVY,
    info=replace(ENVY.info, uptime_seconds=6358, booted_at=BOOTED),
    trays=_ENVY_IPP.trays,
)
# The Smart Tank's updateCheck (LWP1CN2630CR, nothing newer) and firmware
# configuration (autoUpdateEnabled "true", editable) captures.
_CHECK = care.parse_update_check(
    (
        FIXTURES / "cdm/HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_updateCheck.json"
    ).read_bytes()
)
_SETTING = care.parse_firmware_configuration(
    (
        FIXTURES / "cdm/HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_configuration.json"
    ).read_bytes()
)
SMART_TANK_CARE = replace(
    SMART_TANK,
    firmware=replace(
        _CHECK,
        auto_update=_SETTING.auto_update,
        auto_update_writable=_SETTING.auto_update_writable,
    ),
)
CARE_KEYS = {
    "tray_state",
    "tray_level",
    "tray_media_size",
    "tray_media_type",
    "last_restart",
    "firmware",
    "firmware_auto_update",
}


@pytest.fixture(autouse=True)
def care_platforms() -> Generator[None]:
    """Set up the platforms with care entities alone."""
    with patch(
        "custom_components.hp_ews.PLATFORMS",
        [Platform.SENSOR, Platform.SWITCH, Platform.UPDATE],
    ):
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


def _care_entities(hass: HomeAssistant, entry_id: str) -> dict[str, dict[str, Any]]:
    described: dict[str, dict[str, Any]] = {}
    for domain in ("sensor", "switch", "update"):
        try:
            entities = platform_entities(hass, entry_id, domain)
        except AssertionError:  # no entity of that domain
            continue
        described |= {
            entity_id: entity
            for entity_id, entity in entities.items()
            if entity["translation_key"] in CARE_KEYS
        }
    for entity in described.values():
        # The brands URL of the update entity's picture differs between releases.
        (entity["attributes"] or {}).pop("entity_picture", None)
    return described


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, suffix: str) -> str:
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id == f"{entry.unique_id}_{suffix}":
            return entity.entity_id
    raise AssertionError(
        f"no entity {suffix}: "
        f"{[e.unique_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)]}"
    )


# --- entities from snapshots ------------------------------------------------------------


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize(
    "snapshot_data",
    [ENVY_CARE, SMART_TANK_CARE, ENVY],
    ids=["envy-4520-trays-uptime", "smart-tank-588-firmware", "envy-4520-without"],
)
async def test_care_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Trays, last restart, firmware and the switch exist where data does."""
    assert _care_entities(hass, init_integration.entry_id) == snapshot


@pytest.mark.parametrize("snapshot_data", [SMART_TANK_CARE])
async def test_switch_and_media_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    switch_id = _entity_id(hass, init_integration, "firmware_auto_update")
    entry = registry.async_get(switch_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.parametrize("snapshot_data", [ENVY_CARE])
async def test_media_sensors_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for key in ("tray_media_size", "tray_media_type"):
        entry = registry.async_get(
            _entity_id(hass, init_integration, f"tray_inputtray1_{key}")
        )
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    state = hass.states.get(
        _entity_id(hass, init_integration, "tray_inputtray1_tray_state")
    )
    assert state is not None
    assert state.state == "ok"


@pytest.mark.parametrize(
    "snapshot_data",
    [replace(SMART_TANK_CARE, firmware=FirmwareInfo(available="X"))],
)
async def test_update_available(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Installed from the identity when the check names none; latest from the check."""
    state = hass.states.get(_entity_id(hass, init_integration, "firmware"))
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes["installed_version"] == "LWP1CN2630CR"
    assert state.attributes["latest_version"] == "X"
    assert state.attributes["release_summary"] is None


@pytest.mark.parametrize(
    "snapshot_data",
    [
        replace(
            ENVY_CARE,
            info=replace(ENVY.info, firmware=None),
            trays=(
                replace(_ENVY_IPP.trays[0], state=TrayState.UNKNOWN, level_percent=40),
            ),
        )
    ],
)
async def test_no_firmware_unknown_tray_and_a_level(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot_data: PrinterSnapshot,
) -> None:
    assert not hass.states.async_entity_ids("update")
    state = hass.states.get(
        _entity_id(hass, init_integration, "tray_inputtray1_tray_state")
    )
    assert state is not None
    assert state.state == STATE_UNKNOWN
    level = hass.states.get(
        _entity_id(hass, init_integration, "tray_inputtray1_tray_level_percent")
    )
    assert level is not None
    assert level.state == "40"
    # The supply sensors' cleanup (a supply gone) leaves the tray's sensors.
    mock_printer.snapshot.return_value = replace(snapshot_data, supplies=())
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _entity_id(hass, init_integration, "tray_inputtray1_tray_level_percent")


@pytest.mark.parametrize("snapshot_data", [ENVY_CARE])
async def test_tray_gone_and_new_tray(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_printer: MagicMock
) -> None:
    """A tray no longer reported goes unavailable; a new one gets entities."""
    second = replace(_ENVY_IPP.trays[0], key="tray_2", name="Tray 2")
    mock_printer.snapshot.return_value = replace(ENVY_CARE, trays=(second,))
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    gone = hass.states.get(
        _entity_id(hass, init_integration, "tray_inputtray1_tray_state")
    )
    assert gone is not None
    assert gone.state == STATE_UNAVAILABLE
    new = hass.states.get(_entity_id(hass, init_integration, "tray_tray_2_tray_state"))
    assert new is not None
    assert new.state == "ok"
    # Named by its number, as the first one: "Tray 2".
    assert new.name is not None
    assert new.name.endswith("Tray 2")


@pytest.mark.usefixtures("all_enabled")
@pytest.mark.parametrize("snapshot_data", [SMART_TANK_CARE])
async def test_switch_write_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_printer: MagicMock
) -> None:
    switch_id = _entity_id(hass, init_integration, "firmware_auto_update")
    mock_printer.set_firmware_auto_update.side_effect = HPEWSError("HTTP 400")
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch_id}, blocking=True
        )
    assert raised.value.translation_key == "action_failed"
    state = hass.states.get(switch_id)
    assert state is not None
    assert state.state == STATE_ON


# --- against the simulator ---------------------------------------------------------------


async def _refresh(
    hass: HomeAssistant, *, full: bool = False, entry: MockConfigEntry
) -> None:
    if full:
        entry.runtime_data.coordinator._refreshes_until_full = 0
    async_fire_time_changed(
        hass, dt_util.utcnow() + SCAN_INTERVAL + timedelta(seconds=1)
    )
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("simulated_entry", ["envy-4520"], indirect=True)
async def test_trays_from_simulator(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """The ENVY's tray as captured; opened and emptied, seen at a full read."""
    sim, entry = simulated_entry
    tray_state = _entity_id(hass, entry, "tray_inputtray1_tray_state")
    assert hass.states.get(tray_state).state == "ok"  # type: ignore[union-attr]
    sim.set_state(trays={"1": {"open": True}})
    await _refresh(hass, entry=entry)
    # A refresh keeps the trays; the next full read sees the open tray.
    assert hass.states.get(tray_state).state == "ok"  # type: ignore[union-attr]
    await _refresh(hass, full=True, entry=entry)
    assert hass.states.get(tray_state).state == "missing"  # type: ignore[union-attr]
    sim.set_state(trays={"1": {"open": False}}, out_of_paper=True)
    await _refresh(hass, full=True, entry=entry)
    assert hass.states.get(tray_state).state == "empty"  # type: ignore[union-attr]


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("simulated_entry", ["pagewide-mfp-p57750"], indirect=True)
async def test_last_restart_stable_across_polls(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """Every IPP-only refresh is a full read: jitter of the uptime changes nothing."""
    sim, entry = simulated_entry
    last_restart = _entity_id(hass, entry, "last_restart")
    # Started a day ago.
    sim.set_state(up_seconds=86400)
    await _refresh(hass, entry=entry)
    first = hass.states.get(last_restart)
    assert first is not None
    booted = dt_util.parse_datetime(first.state)
    assert booted is not None
    assert abs(dt_util.utcnow() - timedelta(days=1) - booted) < timedelta(minutes=1)
    for jitter in (40, -30, 90, 0):
        # The uptime as if the clock (or the request) were ``jitter`` s off.
        elapsed = (dt_util.utcnow() - booted).total_seconds()
        sim.set_state(up_seconds=round(elapsed + jitter))
        await _refresh(hass, entry=entry)
        state = hass.states.get(last_restart)
        assert state is not None
        assert state.state == first.state
        assert state.last_changed == first.last_changed
    # A restart: the boot time moves to a few seconds ago.
    sim.set_state(up_seconds=5)
    await _refresh(hass, entry=entry)
    state = hass.states.get(last_restart)
    assert state is not None
    restarted = dt_util.parse_datetime(state.state)
    assert restarted is not None
    assert abs(dt_util.utcnow() - timedelta(seconds=5) - restarted) < timedelta(
        minutes=1
    )


@pytest.mark.usefixtures("socket_enabled", "all_enabled")
@pytest.mark.parametrize("simulated_entry", ["smart-tank-580"], indirect=True)
async def test_update_and_switch_from_simulator(
    hass: HomeAssistant, simulated_entry: tuple[SimulatedPrinter, MockConfigEntry]
) -> None:
    """The Smart Tank's update check and its auto-update setting, written on toggle."""
    sim, entry = simulated_entry
    update = _entity_id(hass, entry, "firmware")
    state = hass.states.get(update)
    assert state is not None
    assert state.state == STATE_OFF
    assert state.attributes["installed_version"] == "LWP1CN2630CR"

    switch = _entity_id(hass, entry, "firmware_auto_update")
    assert hass.states.get(switch).state == STATE_ON  # type: ignore[union-attr]
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert sim.state.care.auto_update is False
    assert hass.states.get(switch).state == STATE_OFF  # type: ignore[union-attr]
    await _refresh(hass, entry=entry)
    assert hass.states.get(switch).state == STATE_OFF  # type: ignore[union-attr]
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert sim.state.care.auto_update is True

    sim.set_state(firmware_available="LWP1CN2701AR")
    await _refresh(hass, full=True, entry=entry)
    state = hass.states.get(update)
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes["latest_version"] == "LWP1CN2701AR"
    assert hass.states.get(switch).state == STATE_ON  # type: ignore[union-attr]


def test_snapshot_fixtures_hold_care_data() -> None:
    """The data the snapshots above show comes from the captures."""
    assert isinstance(ENVY_CARE, PrinterSnapshot)
    assert [tray.name for tray in ENVY_CARE.trays] == ["InputTray1"]
    assert SMART_TANK_CARE.firmware.installed == "LWP1CN2630CR"
    assert SMART_TANK_CARE.firmware.auto_update is True


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("InputTray1", "1"),
        ("Tray 2", "2"),
        ("tray-3", "3"),
        ("manual", "manual"),
        (" ", "k"),
    ],
)
def test_tray_label(name: str, label: str) -> None:
    assert replace(_ENVY_IPP.trays[0], name=name, key="k").label == label


@pytest.mark.parametrize("snapshot_data", [ENVY_CARE])
async def test_tray_sensor_without_its_tray(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    coordinator = init_integration.runtime_data.coordinator
    entity = HPEWSTraySensorEntity(
        coordinator, TRAY_SENSORS[0], replace(_ENVY_IPP.trays[0], key="gone")
    )
    assert entity.native_value is None
    assert not entity.available
