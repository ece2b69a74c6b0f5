"""HP's supply and identity vocabulary, shared by the LEDM, CDM and IPP parsers.

CDM re-uses LEDM's words for supplies (``ConsumableTypeEnum``/``supplyType``,
``MarkerColor``, ``ConsumableState``...), and every protocol names the printer
by the same UUID and series/SKU pair (HP's own HPLIP maps LEDM and CDM with one
table). What the printer's status codes mean is in ``client/status.py``.
"""

from __future__ import annotations

from collections import Counter
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
import uuid as uuid_lib

from custom_components.hp_ews.client.models import SupplyKind, SupplyState

from .xmlsafe import parse_int

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

LOW_LEVEL_PERCENT: Final = 10
"""At or below this a supply the printer calls "ok" is reported low (HPLIP's rule)."""

MARKER_COLORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "black": "K",
        "cyan": "C",
        "magenta": "M",
        "yellow": "Y",
        "cyanmagentayellow": "CMY",
    }
)
"""LEDM ``MarkerColor`` names seen in captures, to HP label codes (case-insensitive).

Other names are kept as sent rather than guessed.
"""

_KINDS: Final[Mapping[str, SupplyKind]] = MappingProxyType(
    {
        "toner": SupplyKind.TONER,
        "tonercartridge": SupplyKind.TONER,
        "rechargeabletoner": SupplyKind.TONER,
        "ink": SupplyKind.INK,
        "inkcartridge": SupplyKind.INK,
        "inktank": SupplyKind.INK_TANK,
        "printhead": SupplyKind.PRINTHEAD,
        "imagedrum": SupplyKind.DRUM,
        "drum": SupplyKind.DRUM,
        "opc": SupplyKind.DRUM,
    }
)

_SUPPLY_STATES: Final[Mapping[str, SupplyState | None]] = MappingProxyType(
    {
        # None: the printer is content; the level decides (see supply_state).
        "ok": None,
        "newgenuinehp": None,
        "genuinehp": None,
        "used": None,
        "newnonhp": None,
        "nonhp": None,
        "refilled": None,
        "low": SupplyState.LOW,
        "verylow": SupplyState.VERY_LOW,
        "veryverylow": SupplyState.VERY_LOW,
        "out": SupplyState.EMPTY,
        "empty": SupplyState.EMPTY,
        "depleted": SupplyState.EMPTY,
        "missing": SupplyState.MISSING,
        "notinstalled": SupplyState.MISSING,
        "unknown": SupplyState.UNKNOWN,
    }
)

_INSTANT_INK: Final = "INSTANT INK"
_SERIES_SUFFIX: Final = re.compile(r"\s+series\s*$", re.IGNORECASE)
# Exact-model SKUs look like 9022e, 7830, 588, 3302fdn, M255dw; anonymised
# placeholders (SKU-ANON-0000) and blanks do not.
_SKU: Final = re.compile(r"^[A-Za-z]{0,2}\d{2,5}[A-Za-z0-9]{0,6}$")
_MAKERS: Final = frozenset({"hp", "hewlett-packard", "hewlett"})
_KEY_PART: Final = re.compile(r"[^0-9a-z]+")
# Colour codes and stations are a few characters; a key stays short however
# long the printer's values are (keys become entity unique ids).
_MAX_KEY_COLOR: Final = 16
_MAX_KEY_STATION: Final = 16


def marker_color(name: str) -> str:
    """``Black`` → ``K``, ``CyanMagentaYellow`` → ``CMY``; unknown names stay raw."""
    return MARKER_COLORS.get(name.casefold(), name)


def supply_kind(raw: str | None, *, has_tanks: bool) -> SupplyKind:
    """Kind of a supply from its LEDM ``ConsumableTypeEnum`` / CDM ``supplyType``.

    On printers that also list ink tanks, the "ink cartridges" are printheads.
    """
    if raw is None:
        return SupplyKind.OTHER
    kind = _KINDS.get(raw.casefold(), SupplyKind.OTHER)
    if kind is SupplyKind.INK and has_tanks:
        return SupplyKind.PRINTHEAD
    return kind


def supply_state(raw: str | None, level: int | None) -> SupplyState:
    """State from what the printer says, checked against the level.

    States that only say the supply is fine (``ok``, ``newGenuineHP``,
    ``used``) and unknown values defer to the level: 0 is empty, at most
    ``LOW_LEVEL_PERCENT`` is low. Without a level they are OK, or UNKNOWN for
    values this library does not know.
    """
    known = raw is not None and raw.casefold() in _SUPPLY_STATES
    stated = _SUPPLY_STATES.get(raw.casefold()) if raw is not None else None
    if stated is not None:
        return stated
    if level is not None:
        if level == 0:
            return SupplyState.EMPTY
        if level <= LOW_LEVEL_PERCENT:
            return SupplyState.LOW
        return SupplyState.OK
    return SupplyState.OK if known else SupplyState.UNKNOWN


def percent(value: int | None) -> int | None:
    """A level in 0-100, or None (IPP-style -2/-3 and 255 mean unknown)."""
    if value is None or not 0 <= value <= 100:
        return None
    return value


def count(value: str | None) -> int | None:
    """A counter; negative values are firmware garbage and read as unknown."""
    number = parse_int(value)
    if number is None or number < 0:
        return None
    return number


def is_instant_ink(value: str) -> bool:
    """Whether a selectability number is the Instant Ink placeholder."""
    return " ".join(value.split()).upper() == _INSTANT_INK


def supply_keys(items: Iterable[tuple[SupplyKind, str, str | None]]) -> list[str]:
    """Stable keys like ``ink_k``, ``ink_tank_c``, ``printhead_cmyk``.

    ``items`` are (kind, colour, station/slot). The station is appended only
    to keys that would otherwise collide, so keys stay stable when a printer
    reports or drops station numbers. Linear in the number of items; colours
    and stations are cut to a few characters.
    """
    entries = list(items)
    bases = [
        f"{kind.value}_{color[:_MAX_KEY_COLOR].lower()}" if color else kind.value
        for kind, color, _ in entries
    ]
    repeated = Counter(bases)
    keys: list[str] = []
    used: set[str] = set()
    for position, ((_, _, station), base) in enumerate(
        zip(entries, bases, strict=True)
    ):
        key = base
        if repeated[base] > 1:
            slot = (station or "")[:_MAX_KEY_STATION].lower()
            suffix = _KEY_PART.sub("_", slot).strip("_")
            key = f"{base}_{suffix or position}"
        while key in used:
            key = f"{key}_{position}"
        used.add(key)
        keys.append(key)
    return keys


def normalize_uuid(value: str | None) -> str | None:
    """Lower-case UUID without ``urn:uuid:``; None unless it is a real UUID.

    The all-zero UUID (anonymised captures) and placeholders are None so that
    they never become a Home Assistant unique id.
    """
    if value is None:
        return None
    value = value.strip()
    if value.lower().startswith("urn:uuid:"):
        value = value[9:]
    # UUID() reads any Unicode digit as hex; only ASCII is a real UUID.
    if not value.isascii():
        return None
    try:
        parsed = uuid_lib.UUID(value)
    except ValueError:
        return None
    if parsed.int == 0:
        return None
    return str(parsed)


def exact_model(name: str | None, sku: str | None) -> tuple[str | None, str | None]:
    """Combine a series name with a SKU into the exact model.

    ``("HP OfficeJet Pro 9020 series", "9022e")`` → ``("HP OfficeJet Pro
    9022e", "HP OfficeJet Pro 9020 series")``: the series' model number that
    shares the longest prefix with the SKU is replaced by it (``580-590`` +
    ``588``, ``7800`` + ``7830``), or the SKU is appended. Returns (model,
    series); series is None when it is the model itself.
    """
    if name is not None:
        name = " ".join(name.split()) or None
    if name is None:
        return None, None
    if name.split()[0].casefold() not in _MAKERS:
        name = f"HP {name}"
    if sku is not None:
        sku = sku.strip()
    if not sku or not _SKU.match(sku):
        return name, None
    base = _SERIES_SUFFIX.sub("", name)
    words = base.split()
    if sku.casefold() in (word.casefold() for word in words):
        return (base, name) if base != name else (name, None)
    best, best_shared = -1, 0
    for position, word in enumerate(words):
        if any(char.isdigit() for char in word):
            shared = _shared_prefix(word.casefold(), sku.casefold())
            if shared > best_shared:
                best, best_shared = position, shared
    if best >= 0:
        words[best] = sku
    else:
        words.append(sku)
    return " ".join(words), name


def _shared_prefix(first: str, second: str) -> int:
    length = 0
    for one, two in zip(first, second, strict=False):
        if one != two:
            break
        length += 1
    return length
