"""IPP requests and response parsers for HP printers.

Pure functions: bytes in, models out (see ``ippcodec`` for the wire format).
Every HP printer since about 2010 answers IPP Get-Printer-Attributes, so this
is the common denominator, and for FutureSmart enterprise models the only
status source. HP quirks handled here (docs/protocols.md §7.2, §7.3):

* ``printer-state-reasons`` may say ``none`` while supply problems sit in
  ``printer-alert``/``printer-alert-description``; both are read.
* Some models (ENVY 4520) report ``printer-alert`` as an event history
  (``ready``, ``inPowerSave``, ``trayOpen``, ``processing``...), oldest first;
  only the newest entry describes the printer now.
* ``marker-*`` may be single-valued (M127fw) and in Y, M, C, K order; levels
  ``-1``/``-2``/``-3`` mean unknown; tri-colour cartridges report colour
  ``#00FFFF#FF00FF#FFFF00``; LaserJet marker names embed the part number.

Answers are untrusted. Only the attributes read here are decoded (each up
to the number of values used: ``MAX_SUPPLIES`` markers, ``MAX_ALERTS``
reasons and alerts), the rest is stepped over; free text is matched on its
first ``_MATCH_CHARS`` characters with linear-time patterns; an odd value
(a URI that does not parse, a number where text belongs) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import (
    MAX_ALERTS,
    MAX_SUPPLIES,
    MAX_TRAYS,
    PrintCapabilities,
    PrinterInfo,
    PrinterStatus,
    Supply,
    SupplyKind,
    SupplyState,
    Tray,
)
from custom_components.hp_ews.client.protocols.care import (
    ReadyMedium,
    ipp_trays,
    uptime_seconds,
)
from custom_components.hp_ews.client.protocols.vocabulary import (
    normalize_uuid,
    supply_keys,
)

from .codec import (
    IppAttributeGroup,
    IppCollection,
    IppGroupTag,
    IppResolution,
    ipp_operation_name,
)
from .response import (
    ERROR_KEEP,
    MATCH_CHARS,
    MAX_FIELDS,
    as_text,
    decode_checked,
    int_of,
    ints_of,
    key_values,
    text_of,
    texts_of,
)
from .status import printer_status

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


_LIST_VALUES: Final = 512
"""Values read of a capability list (media, formats); real printers list < 200."""

_READY_MEDIA: Final = 32
"""``media-col-ready`` entries read; real printers list one to four per tray."""

_PRINTER_KEEP: Final[Mapping[str, int]] = MappingProxyType(
    {
        **ERROR_KEEP,
        # identity
        "printer-device-id": 1,
        "printer-make-and-model": 1,
        "printer-firmware-string-version": 1,
        "printer-firmware-version": 1,
        "printer-uuid": 1,
        "printer-more-info": 1,
        "printer-uri-supported": 16,
        # status
        "printer-state": 1,
        "printer-state-message": 1,
        "printer-state-reasons": MAX_ALERTS,
        "printer-alert": MAX_ALERTS,
        "printer-alert-description": MAX_ALERTS,
        # supplies
        "marker-names": MAX_SUPPLIES,
        "marker-colors": MAX_SUPPLIES,
        "marker-types": MAX_SUPPLIES,
        "marker-levels": MAX_SUPPLIES,
        "marker-low-levels": MAX_SUPPLIES,
        "marker-high-levels": MAX_SUPPLIES,
        "printer-supply": MAX_SUPPLIES,
        "printer-supply-description": MAX_SUPPLIES,
        # capabilities (see capabilities_of)
        "color-supported": 1,
        "operations-supported": _LIST_VALUES,
        "document-format-supported": _LIST_VALUES,
        "print-color-mode-supported": _LIST_VALUES,
        "sides-supported": _LIST_VALUES,
        "media-default": 1,
        "media-supported": _LIST_VALUES,
        "printer-resolution-supported": _LIST_VALUES,
        "pwg-raster-document-resolution-supported": _LIST_VALUES,
        "pwg-raster-document-type-supported": _LIST_VALUES,
        "pwg-raster-document-sheet-back": 1,
        "urf-supported": _LIST_VALUES,
        # care: trays and uptime
        "printer-input-tray": MAX_TRAYS * 2,
        "media-col-ready": _READY_MEDIA,
        "printer-up-time": 1,
    }
)
"""What :func:`parse_printer_attributes` decodes: the attributes it reads."""


# --- Get-Printer-Attributes ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IppPrinter:
    """Everything one Get-Printer-Attributes answer tells about a printer."""

    info: PrinterInfo
    status: PrinterStatus
    supplies: tuple[Supply, ...]
    capabilities: PrintCapabilities
    trays: tuple[Tray, ...] = ()


def parse_printer_attributes(data: bytes, uri: str) -> IppPrinter:
    """Parse a Get-Printer-Attributes response.

    ``uri`` is the http(s) URL the request went to; it anchors the EWS URL.

    Raises:
        HPEWSParseError: not an IPP response, or one without printer attributes.
        HPEWSIPPError: the printer answered with an error status.
    """
    message = decode_checked(data, _PRINTER_KEEP)
    printer = message.group(IppGroupTag.PRINTER)
    if printer is None or not len(printer):
        raise HPEWSParseError("IPP response without printer attributes to read")
    return IppPrinter(
        info=_info(printer, uri),
        status=printer_status(printer),
        supplies=_supplies(printer),
        capabilities=capabilities_of(printer),
        trays=ipp_trays(texts_of(printer, "printer-input-tray"), _ready(printer)),
    )


# --- identity --------------------------------------------------------------------------

# HP derives these UUIDs from the MAC address (docs/protocols.md §7.2): inkjets
# use a fixed prefix, LaserJet Pro the ASCII bytes of "VNC..."; the last 12
# hex digits are the MAC. Random (v4/v5) UUIDs of other models carry none.
_MAC_UUID: Final = re.compile(
    r"^(?:1c852a4d-b800-1f08-abcd-|564e43[0-9a-f]{2}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)"
    r"(?P<mac>[0-9a-f]{12})$"
)
_PRODUCT_NUMBER: Final = re.compile(r"^(?=.*\d)[A-Z0-9]{5,6}[A-Z]?$")


def device_id(text: str | None) -> dict[str, str]:
    """IEEE 1284 device id (``MFG:HP;MDL:...;SN:...;``) as upper-case keys."""
    if not text:
        return {}
    fields: dict[str, str] = {}
    for part in text.split(";", MAX_FIELDS)[:MAX_FIELDS]:
        key, sep, value = part.partition(":")
        if sep and key.strip():
            fields.setdefault(key.strip().upper(), value.strip())
    return fields


def mac_from_uuid(uuid: str | None) -> str | None:
    """The MAC address embedded in an HP inkjet / LaserJet Pro UUID, else None."""
    if uuid is None or (match := _MAC_UUID.match(uuid)) is None:
        return None
    mac = match["mac"]
    if mac in ("000000000000", "ffffffffffff"):
        return None
    return ":".join(mac[i : i + 2] for i in range(0, 12, 2))


def _info(printer: IppAttributeGroup, uri: str) -> PrinterInfo:
    ids = device_id(text_of(printer, "printer-device-id"))
    model = text_of(printer, "printer-make-and-model") or ids.get("MDL") or None
    if model is not None:
        model = " ".join(model.split())
        if not model.lower().startswith(("hp ", "hewlett")):
            model = f"HP {model}"
    firmware = (
        text_of(printer, "printer-firmware-string-version")
        or text_of(printer, "printer-firmware-version")
        or ids.get("FWVER")
        or None
    )
    uuid = normalize_uuid(text_of(printer, "printer-uuid"))
    product = ids.get("DES", "")
    return PrinterInfo(
        manufacturer="HP",
        model=model,
        serial_number=ids.get("SN") or None,
        firmware=firmware,
        uuid=uuid,
        mac=mac_from_uuid(uuid),
        product_number=product if _PRODUCT_NUMBER.match(product) else None,
        ews_url=_ews_url(printer, uri),
        uptime_seconds=uptime_seconds(int_of(printer, "printer-up-time")),
    )


def _ready(printer: IppAttributeGroup) -> tuple[ReadyMedium, ...]:
    """``media-col-ready``: each loaded medium's source, type and size."""
    media: list[ReadyMedium] = []
    for value in printer.values("media-col-ready"):
        if not isinstance(value, IppCollection):
            continue
        size = value.value("media-size")
        width = length = None
        if isinstance(size, IppCollection):
            width = _positive(size.value("x-dimension"))
            length = _positive(size.value("y-dimension"))
        media.append(
            ReadyMedium(
                source=as_text(value.value("media-source")),
                media_type=as_text(value.value("media-type")),
                width=width,
                length=length,
            )
        )
    return tuple(media)


def _positive(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _ews_url(printer: IppAttributeGroup, uri: str) -> str | None:
    """Origin of ``printer-more-info`` when it points at the printer itself.

    Reached through the host we were given (the printer's idea of its own
    address may not be routable from here). M175nw points it at www.hp.com.
    """
    more_info = text_of(printer, "printer-more-info")
    if more_info is None:
        return None
    try:
        link = urlsplit(more_info)
        ours = urlsplit(uri)
        link_port = link.port
    except ValueError:
        return None
    own_hosts = {ours.hostname}
    for value in texts_of(printer, "printer-uri-supported"):
        try:
            own_hosts.add(urlsplit(value).hostname)
        except ValueError:
            continue  # e.g. "ipp://[::1/ipp": not one of its addresses
    if link.scheme not in ("http", "https") or link.hostname not in own_hosts:
        return None
    host = ours.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{link_port}" if link_port else ""
    return f"{link.scheme}://{host}{port}/"


# --- supplies --------------------------------------------------------------------------

_HEX_COLORS: Final = MappingProxyType(
    {"000000": "K", "00ffff": "C", "ff00ff": "M", "ffff00": "Y"}
)
_COLOR_ORDER: Final = "CMYK"
_COLORANTS: Final = MappingProxyType(
    {
        "black": "K",
        "cyan": "C",
        "magenta": "M",
        "yellow": "Y",
        "multi-color": "CMY",
        "multicolor": "CMY",
        "tri-color": "CMY",
        "tricolor": "CMY",
        "photo-black": "pK",
        "photoblack": "pK",
        "matte-black": "mK",
        "matteblack": "mK",
        "light-cyan": "lC",
        "lightcyan": "lC",
        "light-magenta": "lM",
        "lightmagenta": "lM",
        "gray": "G",
        "grey": "G",
    }
)
_NAME_COLORS: Final = (
    (re.compile(r"\btri-?colou?r\b", re.IGNORECASE), "CMY"),
    (re.compile(r"\bphoto black\b", re.IGNORECASE), "pK"),
    (re.compile(r"\bmatte black\b", re.IGNORECASE), "mK"),
    (re.compile(r"\bblack\b", re.IGNORECASE), "K"),
    (re.compile(r"\bcyan\b", re.IGNORECASE), "C"),
    (re.compile(r"\bmagenta\b", re.IGNORECASE), "M"),
    (re.compile(r"\byellow\b", re.IGNORECASE), "Y"),
)
_KINDS: Final = MappingProxyType(
    {
        "toner": SupplyKind.TONER,
        "tonercartridge": SupplyKind.TONER,
        "toner-cartridge": SupplyKind.TONER,
        "mattetoner": SupplyKind.TONER,
        "ink": SupplyKind.INK,
        "inkcartridge": SupplyKind.INK,
        "ink-cartridge": SupplyKind.INK,
        "matteink": SupplyKind.INK,
        "inktank": SupplyKind.INK_TANK,
        "ink-tank": SupplyKind.INK_TANK,
        "opc": SupplyKind.DRUM,
        "drum": SupplyKind.DRUM,
        "imagingdrum": SupplyKind.DRUM,
        "imaging-drum": SupplyKind.DRUM,
        "printhead": SupplyKind.PRINTHEAD,
        "print-head": SupplyKind.PRINTHEAD,
    }
)
_PART_NUMBER: Final = re.compile(r"\bHP\s+([A-Z]{1,3}\d{2,4}[A-Z]{0,2})\s*$")


def _color(hex_value: str | None, colorant: str | None, name: str | None) -> str:
    if hex_value:
        # Up to four colours (#RRGGBB each) make sense for one supply.
        codes = re.findall(r"#([0-9a-f]{6})", hex_value[:28].lower())
        mapped = {_HEX_COLORS.get(code) for code in codes}
        if codes and None not in mapped:
            return "".join(c for c in _COLOR_ORDER if c in mapped)
    if colorant and (code := _COLORANTS.get(colorant.lower())):
        return code
    if name:
        name = name[:MATCH_CHARS]
        for pattern, code in _NAME_COLORS:
            if pattern.search(name):
                return code
    return ""


def _kind(raw: str | None, name: str | None) -> SupplyKind:
    if name and re.search(r"print ?head", name[:MATCH_CHARS], re.IGNORECASE):
        return SupplyKind.PRINTHEAD
    if raw is None:
        return SupplyKind.OTHER
    return _KINDS.get(raw.lower(), SupplyKind.OTHER)


def _percent(level: int | None, high: int | None) -> int | None:
    # RFC 3805: -1 other, -2 unknown, -3 "some remaining": no number to show.
    if level is None or level < 0:
        return None
    if high is not None and high > 0 and high != 100:
        level = round(level * 100 / high)
    return min(level, 100)


def _supplies(printer: IppAttributeGroup) -> tuple[Supply, ...]:
    names = texts_of(printer, "marker-names")
    colors = texts_of(printer, "marker-colors")
    types = texts_of(printer, "marker-types")
    levels = ints_of(printer, "marker-levels")
    lows = ints_of(printer, "marker-low-levels")
    highs = ints_of(printer, "marker-high-levels")
    pwg = [
        key_values(text) for text in texts_of(printer, "printer-supply")[:MAX_SUPPLIES]
    ]
    descriptions = texts_of(printer, "printer-supply-description")
    count = min(len(names) or len(levels) or len(pwg), MAX_SUPPLIES)

    def at[T](items: Sequence[T], index: int) -> T | None:
        return items[index] if index < len(items) else None

    drafts: list[Supply] = []
    for i in range(count):
        supply = at(pwg, i) or {}
        name = at(names, i) or at(descriptions, i) or None
        raw_kind = at(types, i) or supply.get("type") or None
        level = _percent(at(levels, i), at(highs, i))
        if at(levels, i) is None and "level" in supply:
            level = _supply_percent(supply)
        low = at(lows, i)
        if level is None:
            state = SupplyState.UNKNOWN
        elif level == 0:
            state = SupplyState.EMPTY
        elif low is not None and level <= low:
            state = SupplyState.LOW
        else:
            state = SupplyState.OK
        part = _PART_NUMBER.search(name[:MATCH_CHARS]) if name else None
        drafts.append(
            Supply(
                key="",
                color=_color(at(colors, i), supply.get("colorantname"), name),
                kind=_kind(raw_kind, name),
                state=state,
                level_percent=level,
                part_number=part[1] if part else None,
                description=name,
                raw_kind=raw_kind,
            )
        )
    keys = supply_keys((supply.kind, supply.color, None) for supply in drafts)
    return tuple(
        Supply(
            key=key,
            color=d.color,
            kind=d.kind,
            state=d.state,
            level_percent=d.level_percent,
            part_number=d.part_number,
            description=d.description,
            raw_kind=d.raw_kind,
        )
        for d, key in zip(drafts, keys, strict=True)
    )


def _supply_percent(fields: Mapping[str, str]) -> int | None:
    try:
        level = int(fields["level"])
        capacity = int(fields.get("maxcapacity", "100"))
    except ValueError:
        return None
    return _percent(level, capacity)


# --- capabilities ----------------------------------------------------------------------


def capabilities_of(printer: IppAttributeGroup) -> PrintCapabilities:
    """What the printer takes, from a Get-Printer-Attributes printer group.

    The one parser of the capability model, for the snapshot and printing.
    Keywords are lower-cased, URF keywords upper-cased; document formats stay
    as the printer spells them; resolutions that are not positive are dropped.
    """

    def texts(name: str) -> tuple[str, ...]:
        return tuple(filter(None, texts_of(printer, name)))

    def keywords(name: str) -> tuple[str, ...]:
        return tuple(text.lower() for text in texts(name))

    def dpis(name: str) -> tuple[int, ...]:
        return tuple(
            sorted(
                {
                    value.dpi
                    for value in printer.values(name)
                    if isinstance(value, IppResolution) and value.dpi > 0
                }
            )
        )

    operations = tuple(
        ipp_operation_name(value)
        for value in printer.values("operations-supported")
        if isinstance(value, int) and not isinstance(value, bool)
    )
    media_default = keywords("media-default")
    sheet_back = keywords("pwg-raster-document-sheet-back")
    return PrintCapabilities(
        document_formats=texts("document-format-supported"),
        operations=operations,
        color_supported=printer.value("color-supported") is True,
        color_modes=keywords("print-color-mode-supported"),
        sides_supported=keywords("sides-supported"),
        media_default=media_default[0] if media_default else None,
        media_supported=keywords("media-supported"),
        printer_resolutions=dpis("printer-resolution-supported"),
        pwg_raster_resolutions=dpis("pwg-raster-document-resolution-supported"),
        pwg_raster_types=keywords("pwg-raster-document-type-supported"),
        pwg_raster_sheet_back=sheet_back[0] if sheet_back else None,
        urf_supported=tuple(text.upper() for text in texts("urf-supported")),
    )
