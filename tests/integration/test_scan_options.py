"""The walk-up scanning options: on by default, named after the location."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.hp_ews.const import MAX_WALKUP_NAME_LENGTH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter


def _suggested(result: Any) -> dict[str, Any]:
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }


async def test_walkup_defaults_shown(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Walk-up is on, the name empty, and the form says which name that means."""
    hass.config.location_name = "Casa Ana"
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    suggested = _suggested(result)
    assert suggested["walkup_enabled"] is True
    assert suggested["walkup_name"] == ""
    assert result["description_placeholders"] == {
        "location_name": "Casa Ana",
        "max_length": "32",
    }


async def test_walkup_options_stored(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Walk-up off and a name of its own are kept, and shown the next time."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "hold_hours": 24,
            "walkup_enabled": False,
            "walkup_name": "  Office HA  ",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        "hold_hours": 24,
        "walkup_enabled": False,
        "walkup_name": "Office HA",
    }

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    suggested = _suggested(result)
    assert suggested["walkup_enabled"] is False
    assert suggested["walkup_name"] == "Office HA"

    # An emptied name falls back to the location name: the option goes.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"walkup_enabled": True, "walkup_name": "   "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {"walkup_enabled": True}


@pytest.mark.parametrize(
    "name", ["x" * (MAX_WALKUP_NAME_LENGTH + 1), "Line\nbreak", "Tab\there"]
)
async def test_walkup_name_refused(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, name: str
) -> None:
    """Too long a name, or one with control characters, is shown back with an error."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"walkup_enabled": True, "walkup_name": name}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"walkup_name": "invalid_walkup_name"}
    # What the user typed stays in the form to be corrected.
    assert _suggested(result)["walkup_name"] == name
    assert mock_config_entry.options == {}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"walkup_enabled": True, "walkup_name": "x" * 32}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        "walkup_enabled": True,
        "walkup_name": "x" * 32,
    }


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("simulated_entry", "offered"),
    [("officejet-pro-9022e", True), ("smart-tank-580", False)],
    indirect=["simulated_entry"],
)
async def test_walkup_offered_where_it_can_work(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    offered: bool,
) -> None:
    """A CDM printer has no known walk-up interface: its form leaves it out."""
    _sim, entry = simulated_entry
    hass.config_entries.async_update_entry(
        entry, options={"walkup_enabled": False, "walkup_name": "Office HA"}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    fields = set(_suggested(result))
    assert ({"walkup_enabled", "walkup_name"} <= fields) is offered
    assert {"hold_hours", "held_quota_gib"} <= fields

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"hold_hours": 12}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Fields not shown keep what was set; shown and left empty, the defaults.
    expected: dict[str, Any] = {"hold_hours": 12}
    if not offered:
        expected |= {"walkup_enabled": False, "walkup_name": "Office HA"}
    assert entry.options == expected
