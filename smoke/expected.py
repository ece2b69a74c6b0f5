"""What the simulated printers must show, read from the simulator's captured data.

The values come straight from the captured printer documents in
``simulator/data/<profile>/`` (the simulator serves them as they are at start),
not from anything this integration computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Final
import xml.etree.ElementTree as ET

DATA: Final = Path(__file__).resolve().parent.parent / "simulator" / "data"
DD: Final = "{http://www.hp.com/schemas/imaging/con/dictionaries/1.0/}"

KINDS: Final = {"toner": "toner", "ink": "ink", "inkTank": "ink_tank"}
"""LEDM/CDM supply type words -> the kind in the supply's key (see README)."""


@dataclass(frozen=True)
class Expected:
    """Entity values a freshly started simulated printer must produce."""

    model: str | None
    """The entry title: the model the printer names itself."""
    levels: dict[str, float]
    """Supply key (``toner_k``) -> level in percent."""
    counters: dict[str, int] = field(default_factory=dict)
    """Sensor key (``total_pages``) -> value."""


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(f"{DD}{tag}")
    return None if found is None or found.text is None else found.text.strip()


LEDM_SUPPLIES: Final = "/DevMgmt/ConsumableConfigDyn.xml"
CDM_SUPPLIES: Final = "/cdm/supply/v1/suppliesPublic"
"""Where each family serves its supplies (also the paths in a capture)."""


def ledm_levels(document: str) -> dict[str, float]:
    """Supply key (``toner_k``) -> level, from ``ConsumableConfigDyn.xml``."""
    levels: dict[str, float] = {}
    root = ET.fromstring(document)  # noqa: S314 - captured printer documents
    for info in root.iter():
        if not info.tag.endswith("}ConsumableInfo"):
            continue
        kind = KINDS.get(_text(info, "ConsumableTypeEnum") or "")
        color = _text(info, "ConsumableLabelCode")
        level = _text(info, "ConsumablePercentageLevelRemaining")
        if kind and color and level is not None:
            levels[f"{kind}_{color.lower()}"] = float(level)
    return levels


def cdm_levels(document: str) -> dict[str, float]:
    """Supply key (``ink_tank_c``) -> level, from ``suppliesPublic`` (levels only)."""
    levels: dict[str, float] = {}
    for supply in json.loads(document)["suppliesList"]:
        kind = KINDS.get(supply.get("supplyType", ""))
        if kind and "percentLifeDisplay" in supply:
            key = f"{kind}_{supply['supplyColorCode'].lower()}"
            levels[key] = float(supply["percentLifeDisplay"])
    return levels


def levels_in(path: str, document: str) -> dict[str, float] | None:
    """The levels in a captured document, if it is a supplies document."""
    if path == LEDM_SUPPLIES:
        return ledm_levels(document)
    if path == CDM_SUPPLIES:
        return cdm_levels(document)
    return None


def _read(profile: str, path: str) -> str:
    return (DATA / profile / "http" / path.lstrip("/")).read_text(encoding="utf-8")


def ledm(profile: str) -> Expected:
    """Supplies, counters and model of an LEDM printer's capture."""
    usage = ET.fromstring(_read(profile, "/DevMgmt/ProductUsageDyn.xml"))  # noqa: S314
    counters: dict[str, int] = {}
    printer = next(e for e in usage if e.tag.endswith("}PrinterSubunit"))
    for key, tag in (
        ("total_pages", "TotalImpressions"),
        ("monochrome_pages", "MonochromeImpressions"),
        ("color_pages", "ColorImpressions"),
    ):
        if (value := _text(printer, tag)) is not None:
            counters[key] = int(value)
    config = ET.fromstring(_read(profile, "/DevMgmt/ProductConfigDyn.xml"))  # noqa: S314
    model = next(
        (e.text.strip() for e in config.iter(f"{DD}MakeAndModel") if e.text), None
    )
    return Expected(model, ledm_levels(_read(profile, LEDM_SUPPLIES)), counters)


def cdm(profile: str) -> Expected:
    """Supply levels of a CDM printer's capture."""
    return Expected(None, cdm_levels(_read(profile, CDM_SUPPLIES)))


def ledm_sku(profile: str) -> str | None:
    """The ``SKUIdentifier`` of an LEDM printer's ``ProductConfigDyn.xml``."""
    config = ET.fromstring(_read(profile, "/DevMgmt/ProductConfigDyn.xml"))  # noqa: S314
    found = next((e for e in config.iter() if e.tag.endswith("}SKUIdentifier")), None)
    return None if found is None or found.text is None else found.text.strip()


CDM_UPDATE_CHECK: Final = "/cdm/firmwareUpdate/v2/updateCheck"


def cdm_firmware(profile: str) -> str:
    """The firmware version a CDM printer's capture says it runs."""
    version: str = json.loads(_read(profile, CDM_UPDATE_CHECK))["currentVersion"]
    return version
