"""Base entities for the hp_ews integration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .client import Supply, SupplyKind
from .const import DOMAIN
from .coordinator import HPEWSCoordinator

if TYPE_CHECKING:
    from homeassistant.helpers.entity import EntityDescription

    from .client import PrinterSnapshot

COLOR_NAMES: dict[str, str] = {
    "K": "black",
    "C": "cyan",
    "M": "magenta",
    "Y": "yellow",
    "CMY": "tri_color",
}
"""HP label codes whose names are translated; others appear as the code."""

NAMED_COLORS: dict[SupplyKind, frozenset[str]] = {
    SupplyKind.TONER: frozenset({"K", "C", "M", "Y"}),
    SupplyKind.INK: frozenset({"K", "C", "M", "Y", "CMY"}),
    SupplyKind.INK_TANK: frozenset({"K", "C", "M", "Y"}),
    SupplyKind.PRINTHEAD: frozenset({"K", "CMY"}),
    SupplyKind.DRUM: frozenset({"K", "C", "M", "Y"}),
}
"""Kind and colour pairs that have a translated name of their own."""

SHARED_PARTS: frozenset[SupplyKind] = frozenset({SupplyKind.PRINTHEAD, SupplyKind.DRUM})
SHARED_COLORS: frozenset[str] = frozenset({"", "CMYK", "NONE"})
"""Codes meaning "every colour": one printhead or drum serves all inks."""


def supply_name_key(supply: Supply) -> str:
    """Return the translation key suffix naming a supply by kind and colour.

    ``toner_black`` reads "Black toner". A code without a translation of its
    own falls back to the kind with the code as placeholder ("pK cartridge");
    supplies of no known kind are named as the printer names them.
    """
    if supply.kind not in NAMED_COLORS:
        return SupplyKind.OTHER.value
    color = supply.color.strip()
    if color in NAMED_COLORS[supply.kind]:
        return f"{supply.kind.value}_{COLOR_NAMES[color]}"
    if supply.kind in SHARED_PARTS and color.upper() in SHARED_COLORS:
        return f"{supply.kind.value}_all"
    return supply.kind.value


def supply_name_placeholders(supply: Supply) -> dict[str, str]:
    """Return the placeholders the fallback names use."""
    return {
        "color": supply.color.strip() or supply.key,
        "name": (supply.description or supply.raw_kind or supply.key).strip(),
    }


def device_info(coordinator: HPEWSCoordinator) -> DeviceInfo:
    """Describe the printer for the device registry."""
    entry = coordinator.config_entry
    snapshot: PrinterSnapshot = coordinator.data
    info = snapshot.info
    assert entry.unique_id is not None
    device = DeviceInfo(
        identifiers={(DOMAIN, entry.unique_id)},
        manufacturer=info.manufacturer,
        model=info.model or info.series,
        model_id=info.product_number,
        name=entry.title,
        serial_number=info.serial_number,
        sw_version=info.firmware,
        configuration_url=info.ews_url
        or (coordinator.profile.base_url if coordinator.profile else None),
    )
    if info.mac:
        device["connections"] = {(CONNECTION_NETWORK_MAC, info.mac)}
    return device


class HPEWSEntity(CoordinatorEntity[HPEWSCoordinator]):
    """An entity describing one aspect of a printer."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: HPEWSCoordinator, description: EntityDescription
    ) -> None:
        """Initialise the entity."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.config_entry.unique_id}_{description.key}"
        self._attr_device_info = device_info(coordinator)


class HPEWSSupplyEntity(HPEWSEntity):
    """An entity describing one supply of a printer; it may come and go."""

    def __init__(
        self,
        coordinator: HPEWSCoordinator,
        description: EntityDescription,
        supply: Supply,
    ) -> None:
        """Initialise the entity for the supply with this key."""
        super().__init__(coordinator, description)
        self.supply_key = supply.key
        self._attr_unique_id = (
            f"{coordinator.config_entry.unique_id}_{supply.key}_{description.key}"
        )
        self._attr_translation_key = f"{description.key}_{supply_name_key(supply)}"
        self._attr_translation_placeholders = supply_name_placeholders(supply)

    @property
    def supply(self) -> Supply | None:
        """Return the supply as last reported, None once it is gone."""
        return next(
            (s for s in self.coordinator.data.supplies if s.key == self.supply_key),
            None,
        )

    @property
    def available(self) -> bool:
        """Return whether the printer still reports this supply."""
        return super().available and self.supply is not None
