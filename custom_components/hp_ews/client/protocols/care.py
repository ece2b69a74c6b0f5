"""Printer care: paper trays, firmware update status, uptime.

Pure parsers from what the printer sent to ``Tray``, ``FirmwareInfo`` and a
boot time. The rules come from real captures (tests/fixtures/INDEX.md):

* IPP ``printer-input-tray`` (PWG 5100.13) is one ``key=value;`` octet
  string per input: ``type``, ``dimunit``, ``mediafeed``/``mediaxfeed`` (the
  loaded paper's length and width), ``maxcapacity``, ``level`` (Printer MIB:
  -1 other, -2 unknown, -3 "some remains", 0 empty) and ``status``, the
  Printer MIB sub-unit status bit mask (RFC 3805 ``PrtSubUnitStatusTC``:
  the low three bits are the availability, odd values unavailable and 5
  unknown; 8 a non-critical and 16 a critical alert; 32 off-line).
* LEDM ``/DevMgmt/MediaHandlingDyn.xml``: one ``InputTray`` per input with
  ``InputBin``, ``TrayState``, ``MediaState``, ``MediaSizeName`` and ``MediaType``.
  The capture shows ``installed``/``present``; the other words mapped are
  the schema's obvious ones; a word not mapped counts for nothing (with
  neither word known the state is unknown; the raw words stay in
  ``Tray.raw_state``).
* CDM ``/cdm/firmwareUpdate/v2/updateCheck`` (``currentVersion``,
  ``availableVersion``) and ``configuration`` (``autoUpdateEnabled`` and
  whether it is editable), booleans as the strings ``"true"``/``"false"``.

Everything is untrusted: at most ``MAX_TRAYS`` trays, ``MAX_TEXT`` characters
of text, numbers bounded like every other count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NamedTuple

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    BOOT_TOLERANCE,
    MAX_TEXT,
    MAX_TRAYS,
    FirmwareInfo,
    Tray,
    TrayState,
)

from .cdm import _load as load_document
from .xmlsafe import child_text, is_hp_element, iter_children, parse_int, parse_xml

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

MEDIA_HANDLING: Final = "/DevMgmt/MediaHandlingDyn.xml"
FIRMWARE_UPDATE_CHECK: Final = "/cdm/firmwareUpdate/v2/updateCheck"
FIRMWARE_CONFIGURATION: Final = "/cdm/firmwareUpdate/v2/configuration"

_MAX_FIELDS: Final = 32
"""Fields read of one tray string; real ones have eight."""
_MAX_SECONDS: Final = 100 * 366 * 86400
"""Longest uptime believed; a larger one is a bogus value, not a century."""

# --- media size names ------------------------------------------------------------

_SIZES: Final[Mapping[tuple[int, int], str]] = MappingProxyType(
    {
        # width x length in hundredths of a millimetre (PWG 5101.1).
        (21000, 29700): "iso_a4_210x297mm",
        (14800, 21000): "iso_a5_148x210mm",
        (10500, 14800): "iso_a6_105x148mm",
        (29700, 42000): "iso_a3_297x420mm",
        (17600, 25000): "iso_b5_176x250mm",
        (18200, 25700): "jis_b5_182x257mm",
        (11000, 22000): "iso_dl_110x220mm",
        (21590, 27940): "na_letter_8.5x11in",
        (21590, 35560): "na_legal_8.5x14in",
        (18415, 26670): "na_executive_7.25x10.5in",
        (10160, 15240): "na_index-4x6_4x6in",
        (12700, 17780): "na_5x7_5x7in",
        (10478, 24130): "na_number-10_4.125x9.5in",
        (10000, 15000): "om_small-photo_100x150mm",
        (13000, 18000): "om_medium-photo_130x180mm",
    }
)
_SIZE_SLACK: Final = 100
"""Hundredths of a millimetre a reported size may be off a named one."""


def media_size_name(width: int, length: int) -> str:
    """The PWG name of a size given in hundredths of a millimetre.

    A size no name fits reads as ``<width>x<length>mm``.
    """
    for (named_width, named_length), name in _SIZES.items():
        if (
            abs(width - named_width) <= _SIZE_SLACK
            and abs(length - named_length) <= _SIZE_SLACK
        ):
            return name
    return f"{width / 100:g}x{length / 100:g}mm"


# --- IPP printer-input-tray ---------------------------------------------------------


class ReadyMedium(NamedTuple):
    """One ``media-col-ready`` entry: where it sits and what it is."""

    source: str | None
    media_type: str | None
    width: int | None
    """Hundredths of a millimetre, as ``media-size`` has it."""
    length: int | None


def _fields(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in islice(text.split(";", _MAX_FIELDS), _MAX_FIELDS):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            pairs.setdefault(key.strip().lower(), value.strip()[:MAX_TEXT])
    return pairs


def _hundredths(value: int | None, unit: str) -> int | None:
    """A ``mediafeed``/``mediaxfeed`` value in hundredths of a millimetre."""
    if value is None or value <= 0:
        return None
    if unit == "micrometers":
        return round(value / 10)
    if unit == "tenthousandthsofinches":
        return round(value * 0.254)
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _unique_key(name: str, index: int, taken: set[str]) -> str:
    key = _slug(name) or f"tray_{index + 1}"
    while key in taken:
        key = f"{key}_{index + 1}"
    taken.add(key)
    return key


def _ipp_state(status: int | None, level: int | None) -> TrayState:
    """The tray's state from the sub-unit status bits and the level.

    A status that is missing or not a bit mask (negative) says nothing: only
    an empty level then counts.
    """
    if status is not None and status >= 0:
        availability = status & 0b111
        if availability == 5:  # "unknown" in PrtSubUnitStatusTC
            return TrayState.UNKNOWN
        if availability & 1:
            return TrayState.MISSING
    if level == 0:
        return TrayState.EMPTY
    if status is None or status < 0:
        return TrayState.UNKNOWN
    if status & 8:
        # inputMediaSupplyLow is the Printer MIB's non-critical input alert.
        return TrayState.LOW
    return TrayState.OK


def _ipp_percent(level: int | None, capacity: int | None) -> int | None:
    if level is None or level < 0 or capacity is None or capacity <= 0:
        return None
    return max(0, min(100, round(level * 100 / capacity)))


def _source_matches(name: str, source: str) -> bool:
    """Whether a ``media-source`` keyword names this tray (``tray-2``/``Tray2``)."""
    return _slug(name).removeprefix("input").replace("_", "") == _slug(source).replace(
        "_", ""
    )


def ipp_trays(
    values: Iterable[str], ready: Sequence[ReadyMedium] = ()
) -> tuple[Tray, ...]:
    """Trays from ``printer-input-tray`` strings and ``media-col-ready``.

    ``auto`` (type ``other``, no size) is the automatic selection, not an
    input, and is left out. A ready medium belongs to a tray whose name its
    ``media-source`` names, or to the only tray when there is one tray and
    one source; the tray's own ``mediafeed``/``mediaxfeed`` give the size
    before the medium's.
    """
    parsed: list[dict[str, str]] = []
    for text in islice(values, MAX_TRAYS * 2):
        fields = _fields(text)
        name = fields.get("name", "")
        if not fields or (name.lower() == "auto" and fields.get("type") == "other"):
            continue
        parsed.append(fields)
        if len(parsed) == MAX_TRAYS:
            break
    sources = list(dict.fromkeys(m.source for m in ready if m.source))
    trays: list[Tray] = []
    taken: set[str] = set()
    for index, fields in enumerate(parsed):
        name = fields.get("name") or f"Tray {index + 1}"
        medium = next(
            (m for m in ready if m.source and _source_matches(name, m.source)),
            None,
        )
        if medium is None and len(parsed) == 1 and len(sources) == 1:
            medium = next(m for m in ready if m.source == sources[0])
        unit = fields.get("dimunit", "").lower()
        width = _hundredths(parse_int(fields.get("mediaxfeed")), unit)
        length = _hundredths(parse_int(fields.get("mediafeed")), unit)
        if (width is None or length is None) and medium is not None:
            width, length = medium.width, medium.length
        capacity = parse_int(fields.get("maxcapacity"))
        level = parse_int(fields.get("level"))
        status = parse_int(fields.get("status"))
        trays.append(
            Tray(
                key=_unique_key(name, index, taken),
                name=name,
                kind=fields.get("type") or None,
                state=_ipp_state(status, level),
                level_percent=_ipp_percent(level, capacity),
                capacity_sheets=capacity
                if capacity is not None and capacity > 0
                else None,
                media_size=media_size_name(width, length)
                if width is not None and length is not None
                else None,
                media_type=medium.media_type if medium is not None else None,
                raw_state=None if status is None else f"status={status};level={level}",
            )
        )
    return tuple(trays)


def uptime_seconds(value: int | None) -> int | None:
    """IPP ``printer-up-time``; 0 and negative values mean the printer does not say.

    RFC 8011 makes it at least 1; some HP LaserJets send 0.
    """
    if value is None or value <= 0 or value > _MAX_SECONDS:
        return None
    return value


def boot_time(
    read_at: datetime, uptime: int | None, previous: datetime | None
) -> datetime | None:
    """When the printer started: ``read_at`` minus ``uptime``, to the second.

    ``previous`` is kept while the new value is within ``BOOT_TOLERANCE`` of
    it, so the request's latency and whole-second uptimes cause no change.
    """
    if uptime is None:
        return None
    booted = (read_at - timedelta(seconds=uptime)).replace(microsecond=0)
    if previous is not None and abs(booted - previous) < BOOT_TOLERANCE:
        return previous
    return booted


# --- LEDM MediaHandlingDyn --------------------------------------------------------------

_MEDIA_STATES: Final[Mapping[str, TrayState]] = MappingProxyType(
    {
        "present": TrayState.OK,
        "low": TrayState.LOW,
        "empty": TrayState.EMPTY,
        "notpresent": TrayState.EMPTY,
        "outofmedia": TrayState.EMPTY,
        "jammed": TrayState.JAMMED,
    }
)
_TRAY_STATES: Final[Mapping[str, TrayState]] = MappingProxyType(
    {
        "installed": TrayState.OK,
        "open": TrayState.OPEN,
        "opened": TrayState.OPEN,
        "notinstalled": TrayState.MISSING,
        "missing": TrayState.MISSING,
        "removed": TrayState.MISSING,
        "jammed": TrayState.JAMMED,
    }
)


def _ledm_state(tray_state: str | None, media_state: str | None) -> TrayState:
    """The tray's own problem first (open, missing), then the paper's."""
    tray = _TRAY_STATES.get((tray_state or "").casefold(), TrayState.UNKNOWN)
    if tray not in (TrayState.OK, TrayState.UNKNOWN):
        return tray
    media = _MEDIA_STATES.get((media_state or "").casefold(), TrayState.UNKNOWN)
    if media is TrayState.UNKNOWN:
        return tray
    return media


def parse_media_handling(data: bytes) -> tuple[Tray, ...]:
    """Trays from LEDM ``MediaHandlingDyn.xml``.

    Raises:
        HPEWSParseError: not a MediaHandlingDyn document.
    """
    root = parse_xml(data)
    if not is_hp_element(root, "MediaHandlingDyn"):
        raise HPEWSParseError(
            f"expected an LEDM MediaHandlingDyn document, got <{root.tag}>"
        )
    trays: list[Tray] = []
    taken: set[str] = set()
    for index, element in enumerate(
        islice(iter_children(root, "InputTray"), MAX_TRAYS)
    ):
        name = child_text(element, "InputBin") or f"Tray {index + 1}"
        tray_state = child_text(element, "TrayState")
        media_state = child_text(element, "MediaState")
        trays.append(
            Tray(
                key=_unique_key(name, index, taken),
                name=name,
                kind=child_text(element, "FeederType"),
                state=_ledm_state(tray_state, media_state),
                media_size=child_text(element, "MediaSizeName"),
                media_type=child_text(element, "MediaType"),
                raw_state="/".join(s for s in (tray_state, media_state) if s) or None,
            )
        )
    return tuple(trays)


# --- CDM firmware update ----------------------------------------------------------------


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:MAX_TEXT].rstrip() or None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in ("true", "false"):
        return value.strip().casefold() == "true"
    return None


def parse_update_check(data: bytes) -> FirmwareInfo:
    """CDM ``updateCheck``: the installed version and one the check found.

    Raises:
        HPEWSParseError: not a JSON object.
    """
    document = load_document(data)
    installed = _text(document.get("currentVersion"))
    available = _text(document.get("availableVersion"))
    return FirmwareInfo(
        installed=installed, available=None if available == installed else available
    )


def parse_firmware_configuration(data: bytes) -> FirmwareInfo:
    """CDM ``configuration``: the automatic-update setting, if it is there.

    Raises:
        HPEWSParseError: not a JSON object.
    """
    document = load_document(data)
    auto_update = _flag(document.get("autoUpdateEnabled"))
    return FirmwareInfo(
        auto_update=auto_update,
        auto_update_writable=auto_update is not None
        and _flag(document.get("autoUpdateEnabledIsEditable")) is True,
    )


def firmware_configuration_body(enabled: bool) -> bytes:
    """The PATCH body that sets CDM's automatic update (booleans as strings)."""
    return b'{"autoUpdateEnabled":"%s"}' % (b"true" if enabled else b"false")
