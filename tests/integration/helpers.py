"""Helpers shared by the integration tests."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import entity_registry as er

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


def platform_entities(
    hass: HomeAssistant, config_entry_id: str, domain: str
) -> dict[str, dict[str, Any]]:
    """Describe a platform's entities for a syrupy snapshot.

    ``snapshot_platform`` snapshots whole registry entries, whose fields
    differ between Home Assistant releases; this keeps what the integration
    decides, as plain values (newer releases key attributes by enum members),
    so one snapshot holds for every supported release.
    """
    registry = er.async_get(hass)
    described: dict[str, dict[str, Any]] = {}
    entries = er.async_entries_for_config_entry(registry, config_entry_id)
    for entry in sorted(entries, key=lambda entry: entry.entity_id):
        if entry.domain != domain:
            continue
        state = hass.states.get(entry.entity_id)
        described[entry.entity_id] = _plain(
            {
                "unique_id": entry.unique_id,
                "translation_key": entry.translation_key,
                "original_name": entry.original_name,
                "device_class": entry.original_device_class,
                "entity_category": entry.entity_category,
                "disabled_by": entry.disabled_by,
                "capabilities": entry.capabilities,
                "unit_of_measurement": entry.unit_of_measurement,
                "state": None if state is None else state.state,
                "attributes": None if state is None else dict(state.attributes),
            }
        )
    assert described, f"no {domain} entities"
    return described


def _plain(value: Any) -> Any:
    """Enums as their values, mappings and sequences as dicts and lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
