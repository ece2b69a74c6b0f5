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
from enum import StrEnum
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from .errors import HPEWSIPPError, HPEWSParseError
from .ippcodec import (
    AttributeGroup,
    GroupTag,
    IppMessage,
    Operation,
    RangeOfInteger,
    Resolution,
    TextWithLanguage,
    ValueTag,
    decode,
    is_successful,
    new_request,
    operation_name,
    status_name,
)
from .ledm import normalize_uuid, supply_keys
from .models import (
    MAX_ALERTS,
    MAX_SUPPLIES,
    MAX_TEXT,
    Alert,
    AlertSeverity,
    IppCapabilities,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Protocol,
    Supply,
    SupplyKind,
    SupplyState,
)
from .status import hp_condition, ipp_condition

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .ippcodec import Value

DEFAULT_USER: Final = "hp_ews"
"""``requesting-user-name`` we send; HP printers show it in their job log."""

STATUS_ATTRIBUTES: Final = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-alert",
    "printer-alert-description",
    "marker-names",
    "marker-colors",
    "marker-types",
    "marker-levels",
    "marker-low-levels",
    "marker-high-levels",
    "printer-supply",
    "printer-supply-description",
)
"""A small request for cheap status refreshes."""

_LIST_VALUES: Final = 512
"""Values read of a capability list (media, formats); real printers list < 200."""

_ERROR_KEEP: Final[Mapping[str, int]] = MappingProxyType({"status-message": 1})
_PRINTER_KEEP: Final[Mapping[str, int]] = MappingProxyType(
    {
        **_ERROR_KEEP,
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
        # capabilities
        "color-supported": 1,
        "operations-supported": _LIST_VALUES,
        "document-format-supported": _LIST_VALUES,
        "sides-supported": _LIST_VALUES,
        "media-supported": _LIST_VALUES,
        "printer-resolution-supported": _LIST_VALUES,
    }
)
"""What :func:`parse_printer_attributes` decodes: the attributes it reads."""

# --- requests ------------------------------------------------------------------------


def printer_uri_for(http_url: str) -> str:
    """The IPP ``printer-uri`` for the HTTP(S) URL a request is posted to.

    ``http://host/ipp/print`` → ``ipp://host:80/ipp/print``: the port is always
    written because ``ipp://`` and ``ipps://`` default to 631. ``ipp``/``ipps``
    URIs are returned unchanged.
    """
    parts = urlsplit(http_url)
    scheme = parts.scheme.lower()
    if scheme in ("ipp", "ipps"):
        return http_url
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {http_url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    ipp_scheme = "ipps" if scheme == "https" else "ipp"
    return f"{ipp_scheme}://{host}:{port}{parts.path or '/'}"


def get_printer_attributes_request(
    printer_uri: str, request_id: int = 1, requested: Sequence[str] | None = None
) -> bytes:
    """A Get-Printer-Attributes request (``requested-attributes`` ``all`` by default).

    ``all`` covers the printer-description and job-template groups, which is
    everything parsed here; pass :data:`STATUS_ATTRIBUTES` for a small answer.
    """
    message = new_request(
        Operation.GET_PRINTER_ATTRIBUTES,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    names = list(requested) if requested else ["all"]
    message.operation.set("requested-attributes", ValueTag.KEYWORD, *names)
    return message.encode()


def identify_printer_request(
    printer_uri: str, request_id: int = 1, actions: Sequence[str] | None = None
) -> bytes:
    """An Identify-Printer request; ``actions`` (``display``, ``sound``...) or the printer's default."""
    message = new_request(
        Operation.IDENTIFY_PRINTER,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    if actions:
        message.operation.set("identify-actions", ValueTag.KEYWORD, *actions)
    return message.encode()


def check_response(data: bytes) -> None:
    """Raise unless ``data`` is an IPP response with a successful status.

    Raises:
        HPEWSParseError: not a decodable IPP message.
        HPEWSIPPError: the printer answered with an error status.
    """
    _checked(data, _ERROR_KEEP)


def _checked(data: bytes, keep: Mapping[str, int]) -> IppMessage:
    """Decode the attributes in ``keep`` (see ``ippcodec.decode``), check the status."""
    message = decode(data, keep=keep)
    if not is_successful(message.status_code):
        detail = _as_text(message.operation.value("status-message"))
        text = status_name(message.status_code)
        if detail:
            text = f"{text}: {detail}"
        raise HPEWSIPPError(f"IPP error {text}", message.status_code)
    return message


# --- Get-Printer-Attributes ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IppPrinter:
    """Everything one Get-Printer-Attributes answer tells about a printer."""

    info: PrinterInfo
    status: PrinterStatus
    supplies: tuple[Supply, ...]
    capabilities: IppCapabilities


def parse_printer_attributes(data: bytes, uri: str) -> IppPrinter:
    """Parse a Get-Printer-Attributes response.

    ``uri`` is the http(s) URL the request went to; it becomes
    ``capabilities.uri`` and anchors the EWS URL.

    Raises:
        HPEWSParseError: not an IPP response, or one without printer attributes.
        HPEWSIPPError: the printer answered with an error status.
    """
    message = _checked(data, _PRINTER_KEEP)
    printer = message.group(GroupTag.PRINTER)
    if printer is None or not len(printer):
        raise HPEWSParseError("IPP response without printer attributes to read")
    return IppPrinter(
        info=_info(printer, uri),
        status=_status(printer),
        supplies=_supplies(printer),
        capabilities=_capabilities(printer, uri),
    )


# --- values ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    # The codec keeps undecodable bytes as surrogates; models must be valid text.
    return text.encode("utf-8", "replace").decode("utf-8").strip()[:MAX_TEXT].rstrip()


def _as_text(value: Value | None) -> str | None:
    if isinstance(value, TextWithLanguage):
        value = value.text
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    return _clean(value) or None


def _texts(group: AttributeGroup, name: str) -> list[str]:
    """Every value as text ('' for values that are not text), in order."""
    return [_as_text(value) or "" for value in group.values(name)]


def _text(group: AttributeGroup, name: str) -> str | None:
    return _as_text(group.value(name))


def _ints(group: AttributeGroup, name: str) -> list[int | None]:
    return [
        value if isinstance(value, int) and not isinstance(value, bool) else None
        for value in group.values(name)
    ]


def _int(group: AttributeGroup, name: str) -> int | None:
    values = _ints(group, name)
    return values[0] if values else None


_MAX_FIELDS: Final = 64
"""Fields read of a ``key=value;...`` string; real ones have under 20."""


def _key_values(text: str, separator: str = ";") -> dict[str, str]:
    """``key=value;key=value`` (PWG 5100.13 printer-supply/printer-alert)."""
    pairs: dict[str, str] = {}
    # maxsplit: a string of separators costs one C call, not a Python loop.
    for part in text.split(separator, _MAX_FIELDS)[:_MAX_FIELDS]:
        key, sep, value = part.partition("=")
        if sep and key.strip():
            pairs.setdefault(key.strip().lower(), value.strip())
    return pairs


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
    for part in text.split(";", _MAX_FIELDS)[:_MAX_FIELDS]:
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


def _info(printer: AttributeGroup, uri: str) -> PrinterInfo:
    ids = device_id(_text(printer, "printer-device-id"))
    model = _text(printer, "printer-make-and-model") or ids.get("MDL") or None
    if model is not None:
        model = " ".join(model.split())
        if not model.lower().startswith(("hp ", "hewlett")):
            model = f"HP {model}"
    firmware = (
        _text(printer, "printer-firmware-string-version")
        or _text(printer, "printer-firmware-version")
        or ids.get("FWVER")
        or None
    )
    uuid = normalize_uuid(_text(printer, "printer-uuid"))
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
    )


def _ews_url(printer: AttributeGroup, uri: str) -> str | None:
    """Origin of ``printer-more-info`` when it points at the printer itself.

    Reached through the host we were given (the printer's idea of its own
    address may not be routable from here). M175nw points it at www.hp.com.
    """
    more_info = _text(printer, "printer-more-info")
    if more_info is None:
        return None
    try:
        link = urlsplit(more_info)
        ours = urlsplit(uri)
        link_port = link.port
    except ValueError:
        return None
    own_hosts = {ours.hostname}
    for value in _texts(printer, "printer-uri-supported"):
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


# --- status ----------------------------------------------------------------------------

_PRINTER_STATES: Final = MappingProxyType(
    {3: PrinterState.IDLE, 4: PrinterState.PRINTING, 5: PrinterState.STOPPED}
)
# Reasons that change the state (others only raise flags or are kept raw).
_REASON_STATES: Final = MappingProxyType(
    {
        "paused": PrinterState.STOPPED,
        "moving-to-paused": PrinterState.STOPPED,
        "sleep": PrinterState.POWER_SAVE,
        "sleeping": PrinterState.POWER_SAVE,
        "power-save": PrinterState.POWER_SAVE,
        "powersave": PrinterState.POWER_SAVE,
        "in-power-save": PrinterState.POWER_SAVE,
        "standby": PrinterState.POWER_SAVE,
        "warming-up": PrinterState.WARMING_UP,
    }
)
_REASON_SUFFIXES: Final = MappingProxyType(
    {
        "-error": AlertSeverity.ERROR,
        "-warning": AlertSeverity.WARNING,
        "-report": AlertSeverity.INFO,
    }
)

# RFC 3805 PrtAlertCodeTC keywords as PWG 5100.9 printer-alert spells them.
_ALERT_FLAGS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        code.casefold(): frozenset(flags)
        for code, flags in {
            "coverOpen": ("door_open",),
            "doorOpen": ("door_open",),
            "interlockOpen": ("door_open",),
            "jam": ("paper_jam",),
            "inputMediaTrayMissing": ("out_of_paper",),
            "inputMediaSupplyEmpty": ("out_of_paper",),
            "outputMediaTrayMissing": ("output_full",),
            "outputMediaTrayFull": ("output_full",),
            "markerTonerCartridgeMissing": ("supply_missing",),
            "markerTonerEmpty": ("supply_low",),
            "markerInkEmpty": ("supply_low",),
            "markerDeveloperEmpty": ("supply_low",),
            "markerTonerAlmostEmpty": ("supply_low",),
            "markerInkAlmostEmpty": ("supply_low",),
            "markerDeveloperAlmostEmpty": ("supply_low",),
            "markerOpcLifeAlmostOver": ("supply_low",),
            "markerOpcLifeOver": ("supply_low",),
            "markerWasteTonerReceptacleAlmostFull": ("supply_low",),
            "markerWasteInkReceptacleAlmostFull": ("supply_low",),
            "markerWasteTonerReceptacleFull": ("supply_low",),
            "markerWasteInkReceptacleFull": ("supply_low",),
        }.items()
    }
)
# Events and notices that never need attention.
_ROUTINE_ALERTS: Final = frozenset(
    code.casefold()
    for code in (
        "printerReadyToPrint",
        "poweredUp",
        "poweredDown",
        "configurationChange",
        "coverClosed",
        "doorClosed",
        "interlockClosed",
        "subunitClosed",
        "subunitTurnedOn",
        "subunitAdded",
        "subunitResourceAdded",
        "inputMediaSizeChange",
        "inputMediaTypeChange",
        "inputMediaWeightChange",
        "inputMediaColorChange",
        "markerAdjustingPrintQuality",
        "printerNMSReset",
        "printerManualReset",
        "alertRemovalOfBinaryChangeEntry",
        "subunitPowerSaver",
        "subunitWarmingUp",
        # HP event names seen in ENVY 4520 alert histories.
        "supplyInkLevelChange",
    )
)
_UNNAMED: Final = frozenset({"", "unknown", "other"})
# Free-text alert descriptions (P57750): routine notices first, then problems.
_ROUTINE_TEXT: Final = re.compile(
    r"genuine hp|non-hp|previously used|refilled|used (?:cartridge|supply)"
    r"|counterfeit|subscription|instant ink",
    re.IGNORECASE,
)
_TEXT_FLAGS: Final = (
    (re.compile(r"\bjam", re.IGNORECASE), "paper_jam"),
    (
        re.compile(
            r"out of paper|load paper|paper (?:empty|out)|tray (?:is )?(?:empty|open|missing)",
            re.IGNORECASE,
        ),
        "out_of_paper",
    ),
    (re.compile(r"(?:bin|tray) (?:is )?full", re.IGNORECASE), "output_full"),
    (
        re.compile(
            r"(?:cartridge|toner|ink|printhead|print head|drum)s? (?:is |are )?(?:missing|not installed)",
            re.IGNORECASE,
        ),
        "supply_missing",
    ),
    (re.compile(r"\b(?:very low|low|empty|depleted)\b", re.IGNORECASE), "supply_low"),
)
_DOOR: Final = re.compile(r"\b(?:door|cover|lid)\b", re.IGNORECASE)
_OPEN: Final = re.compile(r"\bopen", re.IGNORECASE)
_MATCH_CHARS: Final = 256
"""Free text (descriptions, marker names) is matched on this many characters.

Real ones are under 100; the patterns' cost is then bounded per value.
"""


def _text_flags(message: str) -> set[str]:
    """Flags a free-text alert description names."""
    text = message[:_MATCH_CHARS]
    found = {flag for pattern, flag in _TEXT_FLAGS if pattern.search(text)}
    if _door_open(text):
        found.add("door_open")
    return found


def _door_open(text: str) -> bool:
    r"""``door|cover|lid`` then ``open`` later on the same line.

    What ``\b(?:door|cover|lid)\b.*\bopen`` says, in linear time: that
    pattern retries ``.*`` from every door word, quadratic on a line of them.
    After the first door word of a line, any later "open" will do.
    """
    for line in text.split("\n"):
        door = _DOOR.search(line)
        if door is not None and _OPEN.search(line, door.end()):
            return True
    return False


def _reason_parts(reason: str) -> tuple[str, AlertSeverity]:
    keyword = reason.strip().lower()
    for suffix, level in _REASON_SUFFIXES.items():
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)], level
    # RFC 8011 §5.4.12: a reason without a suffix is an error.
    return keyword, AlertSeverity.ERROR


def _status(printer: AttributeGroup) -> PrinterStatus:
    state = _PRINTER_STATES.get(
        _int(printer, "printer-state") or 0, PrinterState.UNKNOWN
    )
    reasons = [
        reason
        for reason in _texts(printer, "printer-state-reasons")[:MAX_ALERTS]
        if reason
    ]
    flags: set[str] = set()
    alerts: list[Alert] = []
    reason_state: PrinterState | None = None
    for reason in reasons:
        keyword, level = _reason_parts(reason)
        if keyword == "none":
            continue
        condition = ipp_condition(reason)
        if condition is not None and not condition.routine:
            flags |= condition.flags
        named = _REASON_STATES.get(keyword)
        if named is PrinterState.POWER_SAVE:
            level = AlertSeverity.INFO
        if named is not None and reason_state is not PrinterState.STOPPED:
            reason_state = named
        alerts.append(Alert(code=reason, severity=level, source=Protocol.IPP))

    alert_state, printer_alerts, alert_flags = _printer_alerts(printer)
    alerts.extend(printer_alerts)
    flags |= alert_flags

    if reason_state is PrinterState.STOPPED:
        state = PrinterState.STOPPED
    elif state is PrinterState.IDLE:
        # Power save and warming up are refinements of "idle" only.
        state = reason_state or alert_state or state
    return PrinterStatus(
        state=state,
        message=_text(printer, "printer-state-message"),
        alerts=tuple(alerts[:MAX_ALERTS]),
        raw_codes=tuple(reasons),
        paper_jam="paper_jam" in flags,
        door_open="door_open" in flags,
        out_of_paper="out_of_paper" in flags,
        output_full="output_full" in flags,
        supply_missing="supply_missing" in flags,
        supply_low="supply_low" in flags,
    )


def _printer_alerts(
    printer: AttributeGroup,
) -> tuple[PrinterState | None, list[Alert], set[str]]:
    """Active alerts from printer-alert + printer-alert-description.

    Returns the state the newest history entry names (power save), the
    alerts and the flags they raise. Only the first ``MAX_ALERTS`` entries
    are decoded: a longer history is read as if its last one were newest.
    """
    raw = [_key_values(text) for text in _texts(printer, "printer-alert")[:MAX_ALERTS]]
    descriptions = _texts(printer, "printer-alert-description")[:MAX_ALERTS]
    count = max(len(raw), len(descriptions))
    entries = [
        (
            raw[i] if i < len(raw) else {},
            descriptions[i] if i < len(descriptions) else "",
        )
        for i in range(count)
    ]
    if any(_names_a_state(fields, text) for fields, text in entries):
        # An event history (oldest first, like the RFC 3805 alert table it
        # mirrors): only the newest entry is the printer's condition now.
        entries = entries[-1:]
    state: PrinterState | None = None
    alerts: list[Alert] = []
    flags: set[str] = set()
    for fields, text in entries:
        code = fields.get("code", "")
        if code.casefold() in _UNNAMED and text and " " not in text:
            code = text  # HP puts its own status code in the description
        code = code or "unknown"
        message = text if text and text != code else None
        hp = hp_condition(code)
        routine = (
            code.casefold() in _ROUTINE_ALERTS
            or (
                hp is not None
                and (hp.routine or (hp.state is not None and not hp.flags))
            )
            or bool(message and _ROUTINE_TEXT.search(message[:_MATCH_CHARS]))
        )
        found: set[str] = set()
        if not routine:
            found |= _ALERT_FLAGS.get(code.casefold(), frozenset())
            if hp is not None:
                found |= hp.flags
            if not found and message:
                found |= _text_flags(message)
        if code.casefold() == "subunitpowersaver" or (
            hp is not None and hp.state is PrinterState.POWER_SAVE
        ):
            state = PrinterState.POWER_SAVE
        flags |= found
        alerts.append(
            Alert(
                code=code,
                severity=_alert_severity(fields.get("severity", ""), routine, found),
                source=Protocol.IPP,
                message=message,
            )
        )
    return state, alerts, flags


def _names_a_state(fields: Mapping[str, str], text: str) -> bool:
    code = fields.get("code", "")
    if code.casefold() == "printerreadytoprint":
        return True
    condition = hp_condition(text) if text and " " not in text else None
    return condition is not None and condition.state is not None and not condition.flags


def _alert_severity(raw: str, routine: bool, flags: set[str]) -> AlertSeverity:
    if routine:
        return AlertSeverity.INFO
    # ENVY 4520's log shows values such as "criticalother": match the start.
    value = raw.casefold()
    if value.startswith("critical"):
        return AlertSeverity.ERROR
    if value.startswith("warning"):
        return AlertSeverity.WARNING
    return AlertSeverity.WARNING if flags else AlertSeverity.INFO


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
        name = name[:_MATCH_CHARS]
        for pattern, code in _NAME_COLORS:
            if pattern.search(name):
                return code
    return ""


def _kind(raw: str | None, name: str | None) -> SupplyKind:
    if name and re.search(r"print ?head", name[:_MATCH_CHARS], re.IGNORECASE):
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


def _supplies(printer: AttributeGroup) -> tuple[Supply, ...]:
    names = _texts(printer, "marker-names")
    colors = _texts(printer, "marker-colors")
    types = _texts(printer, "marker-types")
    levels = _ints(printer, "marker-levels")
    lows = _ints(printer, "marker-low-levels")
    highs = _ints(printer, "marker-high-levels")
    pwg = [
        _key_values(text) for text in _texts(printer, "printer-supply")[:MAX_SUPPLIES]
    ]
    descriptions = _texts(printer, "printer-supply-description")
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
        part = _PART_NUMBER.search(name[:_MATCH_CHARS]) if name else None
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


def _capabilities(printer: AttributeGroup, uri: str) -> IppCapabilities:
    operations = tuple(
        operation_name(value)
        for value in printer.values("operations-supported")
        if isinstance(value, int) and not isinstance(value, bool)
    )
    resolutions = sorted(
        {
            value.dpi
            for value in printer.values("printer-resolution-supported")
            if isinstance(value, Resolution)
        }
    )
    return IppCapabilities(
        uri=uri,
        document_formats=tuple(
            filter(None, _texts(printer, "document-format-supported"))
        ),
        operations=operations,
        color_supported=printer.value("color-supported") is True,
        sides_supported=tuple(filter(None, _texts(printer, "sides-supported"))),
        media_supported=tuple(filter(None, _texts(printer, "media-supported"))),
        resolutions_dpi=tuple(resolutions),
    )


# --- printing --------------------------------------------------------------------------
#
# Builders return the IPP header only (ending with end-of-attributes); the
# caller streams the document bytes right after it in the same HTTP body, so
# a document is never held in memory whole.

_NAME_MAX: Final = 255
"""RFC 8011 §5.1.3: name values are at most 255 octets."""

ORIENTATIONS: Final[Mapping[str, int]] = MappingProxyType(
    {"portrait": 3, "landscape": 4, "reverse-landscape": 5, "reverse-portrait": 6}
)
"""``orientation-requested`` enum values (RFC 8011 §5.2.10)."""

PRINT_QUALITIES: Final[Mapping[str, int]] = MappingProxyType(
    {"draft": 3, "normal": 4, "high": 5}
)
"""``print-quality`` enum values (RFC 8011 §5.2.13)."""

JOB_ATTRIBUTES: Final = (
    "job-id",
    "job-uri",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-state-message",
    "job-impressions-completed",
)
"""What :func:`get_job_attributes_request` and :func:`get_jobs_request` ask for."""

_JOB_KEEP: Final[Mapping[str, int]] = MappingProxyType(
    {
        **_ERROR_KEEP,
        **dict.fromkeys(JOB_ATTRIBUTES, 1),
        "job-state-reasons": MAX_ALERTS,
    }
)
"""What the job parsers decode: the attributes :class:`IppJob` holds."""

type PageRanges = str | Sequence[tuple[int, int]]
"""``"1-3,5"`` or ``[(1, 3), (5, 5)]``."""


def _name(value: str) -> str:
    raw = value.encode("utf-8")
    if len(raw) <= _NAME_MAX:
        return value
    return raw[:_NAME_MAX].decode("utf-8", "ignore")


def _enum(value: str | int, names: Mapping[str, int], what: str) -> int:
    if isinstance(value, int):
        if value not in names.values():
            raise ValueError(f"invalid {what}: {value}")
        return value
    try:
        return names[value]
    except KeyError:
        raise ValueError(f"invalid {what}: {value!r}") from None


def _page_ranges(value: PageRanges) -> list[RangeOfInteger]:
    pairs: list[tuple[int, int]] = []
    if isinstance(value, str):
        for part in value.split(","):
            first, _, last = part.strip().partition("-")
            try:
                pairs.append((int(first), int(last or first)))
            except ValueError:
                raise ValueError(f"invalid page range: {part!r}") from None
    else:
        pairs = [(int(lower), int(upper)) for lower, upper in value]
    if not pairs:
        raise ValueError("empty page ranges")
    previous = 0
    for lower, upper in pairs:
        # RFC 8011 §5.2.7: ascending, non-overlapping, starting at 1.
        if not previous < lower <= upper:
            raise ValueError(f"invalid page range: {lower}-{upper}")
        previous = upper
    return [RangeOfInteger(lower, upper) for lower, upper in pairs]


def _job_request(
    operation: Operation,
    printer_uri: str,
    *,
    request_id: int,
    requesting_user_name: str,
    job_name: str,
    document_format: str | None,
    copies: int | None,
    sides: str | None,
    print_color_mode: str | None,
    media: str | None,
    orientation: str | int | None,
    page_ranges: PageRanges | None,
    print_quality: str | int | None,
    attribute_fidelity: bool | None,
) -> bytes:
    message = new_request(
        operation,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    operation_group = message.operation
    operation_group.set("job-name", ValueTag.NAME, _name(job_name))
    if attribute_fidelity is not None:
        operation_group.set(
            "ipp-attribute-fidelity", ValueTag.BOOLEAN, attribute_fidelity
        )
    if document_format is not None:
        operation_group.set(
            "document-format", ValueTag.MIME_MEDIA_TYPE, document_format
        )
    job = AttributeGroup(GroupTag.JOB)
    if copies is not None:
        if copies < 1:
            raise ValueError(f"invalid copies: {copies}")
        job.set("copies", ValueTag.INTEGER, copies)
    if sides is not None:
        job.set("sides", ValueTag.KEYWORD, sides)
    if print_color_mode is not None:
        job.set("print-color-mode", ValueTag.KEYWORD, print_color_mode)
    if media is not None:
        job.set("media", ValueTag.KEYWORD, media)
    if orientation is not None:
        value = _enum(orientation, ORIENTATIONS, "orientation")
        job.set("orientation-requested", ValueTag.ENUM, value)
    if page_ranges is not None:
        job.set("page-ranges", ValueTag.RANGE_OF_INTEGER, *_page_ranges(page_ranges))
    if print_quality is not None:
        value = _enum(print_quality, PRINT_QUALITIES, "print quality")
        job.set("print-quality", ValueTag.ENUM, value)
    if len(job):
        message.groups.append(job)
    return message.encode()


def print_job_request_header(
    printer_uri: str,
    *,
    document_format: str,
    job_name: str,
    requesting_user_name: str,
    copies: int | None = None,
    sides: str | None = None,
    print_color_mode: str | None = None,
    media: str | None = None,
    orientation: str | int | None = None,
    page_ranges: PageRanges | None = None,
    print_quality: str | int | None = None,
    attribute_fidelity: bool | None = None,
    request_id: int = 1,
) -> bytes:
    """The IPP part of a Print-Job request; the document bytes follow it.

    ``orientation`` and ``print_quality`` take the keyword (``landscape``,
    ``high``) or the enum value. Invalid values raise ``ValueError``.
    ``attribute_fidelity`` False asks the printer to print with what it can
    rather than refuse a job whose attributes it does not all support.
    """
    return _job_request(
        Operation.PRINT_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=document_format,
        copies=copies,
        sides=sides,
        print_color_mode=print_color_mode,
        media=media,
        orientation=orientation,
        page_ranges=page_ranges,
        print_quality=print_quality,
        attribute_fidelity=attribute_fidelity,
    )


def validate_job_request(
    printer_uri: str,
    *,
    document_format: str,
    job_name: str,
    requesting_user_name: str,
    copies: int | None = None,
    sides: str | None = None,
    print_color_mode: str | None = None,
    media: str | None = None,
    orientation: str | int | None = None,
    page_ranges: PageRanges | None = None,
    print_quality: str | int | None = None,
    attribute_fidelity: bool | None = None,
    request_id: int = 1,
) -> bytes:
    """A Validate-Job request: Print-Job's attributes, no document."""
    return _job_request(
        Operation.VALIDATE_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=document_format,
        copies=copies,
        sides=sides,
        print_color_mode=print_color_mode,
        media=media,
        orientation=orientation,
        page_ranges=page_ranges,
        print_quality=print_quality,
        attribute_fidelity=attribute_fidelity,
    )


def create_job_request(
    printer_uri: str,
    *,
    job_name: str,
    requesting_user_name: str,
    copies: int | None = None,
    sides: str | None = None,
    print_color_mode: str | None = None,
    media: str | None = None,
    orientation: str | int | None = None,
    page_ranges: PageRanges | None = None,
    print_quality: str | int | None = None,
    attribute_fidelity: bool | None = None,
    request_id: int = 1,
) -> bytes:
    """A Create-Job request; the document then goes in Send-Document."""
    return _job_request(
        Operation.CREATE_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=None,
        copies=copies,
        sides=sides,
        print_color_mode=print_color_mode,
        media=media,
        orientation=orientation,
        page_ranges=page_ranges,
        print_quality=print_quality,
        attribute_fidelity=attribute_fidelity,
    )


def send_document_request_header(
    printer_uri: str,
    job_id: int,
    *,
    document_format: str,
    requesting_user_name: str,
    last_document: bool = True,
    document_name: str | None = None,
    request_id: int = 1,
) -> bytes:
    """The IPP part of a Send-Document request; the document bytes follow it."""
    message = new_request(
        Operation.SEND_DOCUMENT,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    group = message.operation
    group.set("job-id", ValueTag.INTEGER, job_id)
    if document_name is not None:
        group.set("document-name", ValueTag.NAME, _name(document_name))
    group.set("document-format", ValueTag.MIME_MEDIA_TYPE, document_format)
    group.set("last-document", ValueTag.BOOLEAN, last_document)
    return message.encode()


def get_job_attributes_request(
    printer_uri: str,
    job_id: int,
    request_id: int = 1,
    requested: Sequence[str] | None = None,
) -> bytes:
    """A Get-Job-Attributes request for :data:`JOB_ATTRIBUTES` (or ``requested``)."""
    message = new_request(
        Operation.GET_JOB_ATTRIBUTES,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    message.operation.set("job-id", ValueTag.INTEGER, job_id)
    message.operation.set(
        "requested-attributes", ValueTag.KEYWORD, *(requested or JOB_ATTRIBUTES)
    )
    return message.encode()


def cancel_job_request(
    printer_uri: str,
    job_id: int,
    request_id: int = 1,
    requesting_user_name: str = DEFAULT_USER,
) -> bytes:
    """A Cancel-Job request."""
    message = new_request(
        Operation.CANCEL_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    message.operation.set("job-id", ValueTag.INTEGER, job_id)
    return message.encode()


def get_jobs_request(
    printer_uri: str,
    *,
    which_jobs: str = "not-completed",
    my_jobs: bool = False,
    limit: int | None = None,
    requesting_user_name: str = DEFAULT_USER,
    requested: Sequence[str] | None = None,
    request_id: int = 1,
) -> bytes:
    """A Get-Jobs request (``which-jobs`` ``not-completed``, ``completed``, ``all``)."""
    message = new_request(
        Operation.GET_JOBS,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    group = message.operation
    if limit is not None:
        group.set("limit", ValueTag.INTEGER, limit)
    group.set("which-jobs", ValueTag.KEYWORD, which_jobs)
    if my_jobs:
        group.set("my-jobs", ValueTag.BOOLEAN, True)
    group.set("requested-attributes", ValueTag.KEYWORD, *(requested or JOB_ATTRIBUTES))
    return message.encode()


class JobState(StrEnum):
    """``job-state`` (RFC 8011 §5.3.7), named by its keyword."""

    PENDING = "pending"
    PENDING_HELD = "pending-held"
    PROCESSING = "processing"
    PROCESSING_STOPPED = "processing-stopped"
    CANCELED = "canceled"
    ABORTED = "aborted"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @classmethod
    def from_enum(cls, value: object) -> JobState:
        """From the IPP enum value (3-9); UNKNOWN for anything else."""
        if isinstance(value, bool) or not isinstance(value, int):
            return cls.UNKNOWN
        return _JOB_STATES.get(value, cls.UNKNOWN)

    @property
    def terminal(self) -> bool:
        """Whether the job is finished one way or another (it will not change)."""
        return self in (JobState.CANCELED, JobState.ABORTED, JobState.COMPLETED)


_JOB_STATES: Final = MappingProxyType(
    {
        3: JobState.PENDING,
        4: JobState.PENDING_HELD,
        5: JobState.PROCESSING,
        6: JobState.PROCESSING_STOPPED,
        7: JobState.CANCELED,
        8: JobState.ABORTED,
        9: JobState.COMPLETED,
    }
)


@dataclass(frozen=True, slots=True)
class IppJob:
    """A print job as the printer reports it."""

    job_id: int
    state: JobState
    state_reasons: tuple[str, ...] = ()
    name: str | None = None
    message: str | None = None
    """``job-state-message``."""
    impressions_completed: int | None = None
    """``job-impressions-completed``: pages printed so far, when counted."""
    uri: str | None = None


def _job(group: AttributeGroup, job_id: int | None = None) -> IppJob | None:
    found = _int(group, "job-id")
    if found is None:
        found = job_id
    if found is None:
        return None
    return IppJob(
        job_id=found,
        state=JobState.from_enum(_int(group, "job-state")),
        state_reasons=tuple(filter(None, _texts(group, "job-state-reasons"))),
        name=_text(group, "job-name"),
        message=_text(group, "job-state-message"),
        impressions_completed=_int(group, "job-impressions-completed"),
        uri=_text(group, "job-uri"),
    )


def job_of(message: IppMessage, job_id: int | None = None) -> IppJob:
    """The job in a decoded answer whose status was already checked.

    ``job_id`` is the job asked about, for answers that leave ``job-id`` out
    (Send-Document on some printers).

    Raises:
        HPEWSParseError: no job group with a ``job-id``, and none was given.
    """
    groups = message.groups_of(GroupTag.JOB)
    for group in groups:
        if (job := _job(group)) is not None:
            return job
    fallback = groups[0] if groups else AttributeGroup(GroupTag.JOB)
    if (job := _job(fallback, job_id)) is not None:
        return job
    raise HPEWSParseError("IPP response without a job-id")


def parse_job_attributes(data: bytes) -> IppJob:
    """The job in a Print-Job, Create-Job, Send-Document or Get-Job-Attributes answer.

    Raises:
        HPEWSParseError: not IPP, or no job group with a ``job-id``.
        HPEWSIPPError: the printer answered with an error status.
    """
    return job_of(_checked(data, _JOB_KEEP))


def parse_jobs(data: bytes) -> tuple[IppJob, ...]:
    """The jobs in a Get-Jobs answer (one job group each)."""
    message = _checked(data, _JOB_KEEP)
    return tuple(
        job
        for group in message.groups_of(GroupTag.JOB)
        if (job := _job(group)) is not None
    )
