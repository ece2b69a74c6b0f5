"""Turn a textual Get-Printer-Attributes dump back into IPP attributes.

Two of the real captures (PageWide P57750 from ``ipptool -tv``, ENVY 4520 from
ipp-client-kotlin's log) exist only as text. Each line reads
``name (syntax) = value[,value...]``; this module rebuilds typed attributes
from that, so the simulator serves exactly what those printers answered.
Used by :mod:`simulator.build_data` only, never at run time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client import (
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppDateTime,
    IppGroupTag,
    IppMessage,
    IppOperation,
    IppOutOfBand,
    IppRangeOfInteger,
    IppResolution,
    IppStatusCode,
    IppValueTag,
    ipp_operation_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from custom_components.hp_ews.client import IppValue

_LINE: Final = re.compile(r"^\s*([a-z0-9-]+) \(((?:1setOf )?[A-Za-z-]+)\) = ?(.*)$")

_SYNTAX_TAGS: Final = {
    "charset": IppValueTag.CHARSET,
    "naturalLanguage": IppValueTag.NATURAL_LANGUAGE,
    "uri": IppValueTag.URI,
    "uriScheme": IppValueTag.URI_SCHEME,
    "keyword": IppValueTag.KEYWORD,
    "nameWithoutLanguage": IppValueTag.NAME,
    "textWithoutLanguage": IppValueTag.TEXT,
    "mimeMediaType": IppValueTag.MIME_MEDIA_TYPE,
    "integer": IppValueTag.INTEGER,
    "enum": IppValueTag.ENUM,
    "boolean": IppValueTag.BOOLEAN,
    "dateTime": IppValueTag.DATE_TIME,
    "rangeOfInteger": IppValueTag.RANGE_OF_INTEGER,
    "resolution": IppValueTag.RESOLUTION,
    "octetString": IppValueTag.OCTET_STRING,
    "collection": IppValueTag.BEG_COLLECTION,
    "no-value": IppValueTag.NO_VALUE,
    "unknown": IppValueTag.UNKNOWN,
}

# Enum keywords that appear by name in the dumps (RFC 8011 / PWG 5100.x).
_ENUM_NAMES: Final = {
    "printer-state": {"idle": 3, "processing": 4, "stopped": 5},
    "orientation-requested-default": {"portrait": 3, "landscape": 4},
    "orientation-requested-supported": {
        "portrait": 3,
        "landscape": 4,
        "reverse-landscape": 5,
        "reverse-portrait": 6,
        "none": 7,
    },
    "print-quality-default": {"draft": 3, "normal": 4, "high": 5},
    "print-quality-supported": {"draft": 3, "normal": 4, "high": 5},
    "finishings-default": {"none": 3},
    "finishings-supported": {"none": 3},
}

# Text values that contain commas and are single-valued in the dumps.
_UNSPLIT_SYNTAXES: Final = frozenset({"textWithoutLanguage", "nameWithoutLanguage"})


def dump_lines(text: str) -> Iterator[tuple[str, str, str]]:
    """Yield (name, syntax, raw value) for the response attributes of a dump.

    ipptool echoes the request first; everything before ``status-code`` is
    skipped when it is present. Logger prefixes (``INFO:``) are removed.
    """
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if "status-code =" in line), 0)
    for raw_line in lines[start:]:
        match = _LINE.match(raw_line.removeprefix("INFO:"))
        if match:
            yield match.group(1), match.group(2), match.group(3)


def _split_top(raw: str, separator: str = ",") -> list[str]:
    """Split at separators outside braces."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw)


def _resolution(raw: str) -> IppResolution:
    match = re.fullmatch(r"(\d+)\s*dpi", raw.strip())
    if match is None:
        raise ValueError(f"bad resolution {raw!r}")
    dots = int(match.group(1))
    return IppResolution(dots, dots, 3)


def _range(raw: str) -> IppRangeOfInteger:
    match = re.fullmatch(r"(-?\d+)(?:-|\.\.)(-?\d+)", raw.strip())
    if match is None:
        raise ValueError(f"bad range {raw!r}")
    return IppRangeOfInteger(int(match.group(1)), int(match.group(2)))


def _datetime(raw: str) -> IppDateTime:
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z", raw.strip())
    if match is None:
        raise ValueError(f"bad dateTime {raw!r}")
    y, mo, d, h, mi, s = (int(g) for g in match.groups())
    return IppDateTime(y, mo, d, h, mi, s)


def _enum(name: str, raw: str) -> int:
    raw = raw.strip()
    if name == "operations-supported":
        if raw.startswith("0x"):
            return int(raw, 16)
        for op in IppOperation:
            if ipp_operation_name(op) == raw:
                return int(op)
        raise ValueError(f"unknown operation {raw!r}")
    named = _ENUM_NAMES.get(name, {})
    if raw in named:
        return named[raw]
    return int(raw.split()[0])


def _collection(raw: str) -> IppCollection:
    """Parse ``{a=1 b=x,y c={...}}``; member types are inferred from values."""
    body = raw.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError(f"bad collection {raw!r}")
    collection = IppCollection()
    for member in _split_top(body[1:-1], " "):
        if not member:
            continue
        key, _, value = member.partition("=")
        collection.add(_member(key, value))
    return collection


def _member(name: str, raw: str) -> IppAttribute:
    if raw.startswith("{"):
        return IppAttribute(name, IppValueTag.BEG_COLLECTION, _collection(raw))
    values = _split_top(raw)
    if all(re.fullmatch(r"-?\d+", v) for v in values):
        return IppAttribute(name, IppValueTag.INTEGER, *(int(v) for v in values))
    if all(re.fullmatch(r"-?\d+(?:-|\.\.)-?\d+", v) for v in values):
        return IppAttribute(name, IppValueTag.RANGE_OF_INTEGER, *map(_range, values))
    if name == "resolver-name":
        return IppAttribute(name, IppValueTag.NAME, *values)
    return IppAttribute(name, IppValueTag.KEYWORD, *values)


def _value(name: str, syntax: str, raw: str) -> IppValue:
    tag = _SYNTAX_TAGS[syntax]
    if tag in (IppValueTag.NO_VALUE, IppValueTag.UNKNOWN):
        return IppOutOfBand(tag)
    if tag == IppValueTag.INTEGER:
        return int(raw.split(maxsplit=1)[0])
    if tag == IppValueTag.ENUM:
        return _enum(name, raw)
    if tag == IppValueTag.BOOLEAN:
        return raw.strip() == "true"
    if tag == IppValueTag.DATE_TIME:
        return _datetime(raw)
    if tag == IppValueTag.RANGE_OF_INTEGER:
        return _range(raw)
    if tag == IppValueTag.RESOLUTION:
        return _resolution(raw)
    if tag == IppValueTag.BEG_COLLECTION:
        return _collection(raw)
    if tag == IppValueTag.OCTET_STRING:
        return raw.encode()
    return _unescape(raw)


def attribute_from_dump(name: str, syntax: str, raw: str) -> IppAttribute:
    """One attribute from its dump line parts."""
    multi = syntax.startswith("1setOf ")
    base = syntax.removeprefix("1setOf ")
    if base not in _SYNTAX_TAGS:
        raise ValueError(f"unknown syntax {syntax!r} for {name}")
    tag = _SYNTAX_TAGS[base]
    if raw.strip() == "no-value" or base in ("no-value", "unknown"):
        oob = IppValueTag.UNKNOWN if base == "unknown" else IppValueTag.NO_VALUE
        return IppAttribute(name, oob, IppOutOfBand(oob))
    if multi or (base not in _UNSPLIT_SYNTAXES and base != "collection"):
        parts = _split_top(raw) if multi or "," in raw else [raw]
    else:
        parts = [raw]
    if not multi and base in _UNSPLIT_SYNTAXES:
        parts = [raw]
    return IppAttribute(name, tag, *(_value(name, base, part) for part in parts))


def message_from_dump(text: str) -> IppMessage:
    """A Get-Printer-Attributes response rebuilt from a dump.

    The operation attributes (charset and language) go to the operation
    group, everything else to one printer group, in the order of the dump.
    """
    message = IppMessage(IppStatusCode.SUCCESSFUL_OK, 1, version=(2, 0))
    operation = message.add_group(IppGroupTag.OPERATION)
    printer = IppAttributeGroup(IppGroupTag.PRINTER)
    for name, syntax, raw in dump_lines(text):
        attribute = attribute_from_dump(name, syntax, raw)
        if name in ("attributes-charset", "attributes-natural-language"):
            operation.add(attribute)
        else:
            printer.add(attribute)
    if "attributes-charset" not in operation:
        operation.set("attributes-charset", IppValueTag.CHARSET, "utf-8")
        operation.set("attributes-natural-language", IppValueTag.NATURAL_LANGUAGE, "en")
    message.groups.append(printer)
    return message
