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

from ._codec import codec

Attribute = codec.Attribute
AttributeGroup = codec.AttributeGroup
Collection = codec.Collection
DateTime = codec.DateTime
GroupTag = codec.GroupTag
IppMessage = codec.IppMessage
Operation = codec.Operation
OutOfBand = codec.OutOfBand
RangeOfInteger = codec.RangeOfInteger
Resolution = codec.Resolution
StatusCode = codec.StatusCode
ValueTag = codec.ValueTag
operation_name = codec.operation_name

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._codec import codec as _c

    Value = _c.Value

_LINE: Final = re.compile(r"^\s*([a-z0-9-]+) \(((?:1setOf )?[A-Za-z-]+)\) = ?(.*)$")

_SYNTAX_TAGS: Final = {
    "charset": ValueTag.CHARSET,
    "naturalLanguage": ValueTag.NATURAL_LANGUAGE,
    "uri": ValueTag.URI,
    "uriScheme": ValueTag.URI_SCHEME,
    "keyword": ValueTag.KEYWORD,
    "nameWithoutLanguage": ValueTag.NAME,
    "textWithoutLanguage": ValueTag.TEXT,
    "mimeMediaType": ValueTag.MIME_MEDIA_TYPE,
    "integer": ValueTag.INTEGER,
    "enum": ValueTag.ENUM,
    "boolean": ValueTag.BOOLEAN,
    "dateTime": ValueTag.DATE_TIME,
    "rangeOfInteger": ValueTag.RANGE_OF_INTEGER,
    "resolution": ValueTag.RESOLUTION,
    "octetString": ValueTag.OCTET_STRING,
    "collection": ValueTag.BEG_COLLECTION,
    "no-value": ValueTag.NO_VALUE,
    "unknown": ValueTag.UNKNOWN,
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


def _resolution(raw: str) -> Resolution:
    match = re.fullmatch(r"(\d+)\s*dpi", raw.strip())
    if match is None:
        raise ValueError(f"bad resolution {raw!r}")
    dots = int(match.group(1))
    return Resolution(dots, dots, 3)


def _range(raw: str) -> RangeOfInteger:
    match = re.fullmatch(r"(-?\d+)(?:-|\.\.)(-?\d+)", raw.strip())
    if match is None:
        raise ValueError(f"bad range {raw!r}")
    return RangeOfInteger(int(match.group(1)), int(match.group(2)))


def _datetime(raw: str) -> DateTime:
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z", raw.strip())
    if match is None:
        raise ValueError(f"bad dateTime {raw!r}")
    y, mo, d, h, mi, s = (int(g) for g in match.groups())
    return DateTime(y, mo, d, h, mi, s)


def _enum(name: str, raw: str) -> int:
    raw = raw.strip()
    if name == "operations-supported":
        if raw.startswith("0x"):
            return int(raw, 16)
        for op in Operation:
            if operation_name(op) == raw:
                return int(op)
        raise ValueError(f"unknown operation {raw!r}")
    named = _ENUM_NAMES.get(name, {})
    if raw in named:
        return named[raw]
    return int(raw.split()[0])


def _collection(raw: str) -> Collection:
    """Parse ``{a=1 b=x,y c={...}}``; member types are inferred from values."""
    body = raw.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError(f"bad collection {raw!r}")
    collection = Collection()
    for member in _split_top(body[1:-1], " "):
        if not member:
            continue
        key, _, value = member.partition("=")
        collection.add(_member(key, value))
    return collection


def _member(name: str, raw: str) -> Attribute:
    if raw.startswith("{"):
        return Attribute(name, ValueTag.BEG_COLLECTION, _collection(raw))
    values = _split_top(raw)
    if all(re.fullmatch(r"-?\d+", v) for v in values):
        return Attribute(name, ValueTag.INTEGER, *(int(v) for v in values))
    if all(re.fullmatch(r"-?\d+(?:-|\.\.)-?\d+", v) for v in values):
        return Attribute(name, ValueTag.RANGE_OF_INTEGER, *map(_range, values))
    if name == "resolver-name":
        return Attribute(name, ValueTag.NAME, *values)
    return Attribute(name, ValueTag.KEYWORD, *values)


def _value(name: str, syntax: str, raw: str) -> Value:
    tag = _SYNTAX_TAGS[syntax]
    if tag in (ValueTag.NO_VALUE, ValueTag.UNKNOWN):
        return OutOfBand(tag)
    if tag == ValueTag.INTEGER:
        return int(raw.split(maxsplit=1)[0])
    if tag == ValueTag.ENUM:
        return _enum(name, raw)
    if tag == ValueTag.BOOLEAN:
        return raw.strip() == "true"
    if tag == ValueTag.DATE_TIME:
        return _datetime(raw)
    if tag == ValueTag.RANGE_OF_INTEGER:
        return _range(raw)
    if tag == ValueTag.RESOLUTION:
        return _resolution(raw)
    if tag == ValueTag.BEG_COLLECTION:
        return _collection(raw)
    if tag == ValueTag.OCTET_STRING:
        return raw.encode()
    return _unescape(raw)


def attribute_from_dump(name: str, syntax: str, raw: str) -> Attribute:
    """One attribute from its dump line parts."""
    multi = syntax.startswith("1setOf ")
    base = syntax.removeprefix("1setOf ")
    if base not in _SYNTAX_TAGS:
        raise ValueError(f"unknown syntax {syntax!r} for {name}")
    tag = _SYNTAX_TAGS[base]
    if raw.strip() == "no-value" or base in ("no-value", "unknown"):
        oob = ValueTag.UNKNOWN if base == "unknown" else ValueTag.NO_VALUE
        return Attribute(name, oob, OutOfBand(oob))
    if multi or (base not in _UNSPLIT_SYNTAXES and base != "collection"):
        parts = _split_top(raw) if multi or "," in raw else [raw]
    else:
        parts = [raw]
    if not multi and base in _UNSPLIT_SYNTAXES:
        parts = [raw]
    return Attribute(name, tag, *(_value(name, base, part) for part in parts))


def message_from_dump(text: str) -> IppMessage:
    """A Get-Printer-Attributes response rebuilt from a dump.

    The operation attributes (charset and language) go to the operation
    group, everything else to one printer group, in the order of the dump.
    """
    message = IppMessage(StatusCode.SUCCESSFUL_OK, 1, version=(2, 0))
    operation = message.add_group(GroupTag.OPERATION)
    printer = AttributeGroup(GroupTag.PRINTER)
    for name, syntax, raw in dump_lines(text):
        attribute = attribute_from_dump(name, syntax, raw)
        if name in ("attributes-charset", "attributes-natural-language"):
            operation.add(attribute)
        else:
            printer.add(attribute)
    if "attributes-charset" not in operation:
        operation.set("attributes-charset", ValueTag.CHARSET, "utf-8")
        operation.set("attributes-natural-language", ValueTag.NATURAL_LANGUAGE, "en")
    message.groups.append(printer)
    return message
