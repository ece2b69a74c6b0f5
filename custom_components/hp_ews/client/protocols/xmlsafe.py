"""Parse untrusted XML from a printer, and read HP's namespaced documents.

Printers are untrusted peers. ElementTree's expat parser expands internal
entities, so a document type declaration could define a "billion laughs"
bomb. No HP document needs one, so any ``<!DOCTYPE``/``<!ENTITY`` is refused
before the parser sees the bytes.

The check is made on the bytes, and the parser is told their encoding (UTF-8,
or Latin-1 when declared), overriding the document's declaration: a
declaration cannot be smuggled past the check in UTF-16 or another encoding.

The bytes also bound the work: every tag starts with ``<``, every attribute
has an ``=`` and every entity or character reference starts with ``&`` (text
must escape the first and last), so counting them caps what the parser would
build before it builds anything. A 4 MiB document of empty elements or of
attributes would otherwise cost half a second of parsing; real LEDM
documents have under 1000 of them.

HP firmware re-uses element names across schema versions and some captures
were re-serialised with ``ns0:`` style prefixes, so lookups here match the
local name within HP's namespace family and never look at prefixes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import islice
import re
from typing import TYPE_CHECKING, Final
from xml.etree.ElementTree import Element, ParseError, XMLParser

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import MAX_TEXT

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_XML_BYTES: Final = 4 * 1024 * 1024
"""Largest document accepted; real LEDM documents are well under 100 kB."""

MAX_XML_MARKUP: Final = 32 * 1024
"""Most tags, attributes and references (``<``, ``=``, ``&``) a document may have."""

HP_NAMESPACE_PREFIX: Final = "{http://www.hp.com/schemas/"
"""Every LEDM namespace (ledm, dd, dd2, psdyn, prdcfgdyn, ...) starts with this."""

_FORBIDDEN: Final = (b"<!DOCTYPE", b"<!ENTITY")
_BOMS_REFUSED: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_DECLARED_ENCODING: Final = re.compile(
    rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)
# 8-bit encodings a printer could plausibly declare; anything else is read as UTF-8.
_LATIN_ENCODINGS: Final = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252"}
)
_MAX_NUMBER_CHARS: Final = 32
_MAX_INT_DIGITS: Final = 18


def parse_xml(
    data: bytes, *, max_bytes: int = MAX_XML_BYTES, max_markup: int = MAX_XML_MARKUP
) -> Element:
    """Parse ``data`` into an element tree, refusing anything unsafe.

    Raises:
        HPEWSParseError: the document is oversized or has more than
            ``max_markup`` tags, attributes and references, declares a
            DOCTYPE or ENTITY, is not UTF-8/Latin-1 text, or is not
            well-formed.
    """
    if len(data) > max_bytes:
        raise HPEWSParseError(f"XML document of {len(data)} bytes exceeds {max_bytes}")
    # A document no longer than the cap cannot exceed it: real ones are not counted.
    if len(data) > max_markup:
        markup = data.count(b"<") + data.count(b"=") + data.count(b"&")
        if markup > max_markup:
            raise HPEWSParseError(
                f"XML document with {markup} tags, attributes and references"
                f" exceeds {max_markup}"
            )
    # Refuse UTF-16/32 outright: HP documents are UTF-8, and an ASCII-compatible
    # encoding is what keeps the byte-level DOCTYPE check honest.
    if data.startswith(_BOMS_REFUSED) or 0 in data[:4]:
        raise HPEWSParseError("XML document is not UTF-8 encoded")
    # Some firmware indents before the declaration; expat only accepts it
    # at the very start.
    data = data.lstrip(b" \t\r\n")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:].lstrip(b" \t\r\n")
    for token in _FORBIDDEN:
        if token in data:
            raise HPEWSParseError(f"XML document contains {token.decode()}, refused")
    # The parser is told the encoding, overriding the declaration, so the
    # bytes it reads are the bytes just checked.
    encoding = _declared_encoding(data)
    try:
        return _parse(data, encoding)
    except ParseError as err:
        if encoding == "utf-8" and not _is_utf8(data):
            # One stray byte in a localised string should not cost the
            # whole document.
            try:
                return _parse(data.decode("utf-8", "replace"), encoding)
            except ParseError:
                pass
        raise HPEWSParseError(f"malformed XML: {err}") from err


def _parse(data: bytes | str, encoding: str) -> Element:
    parser = XMLParser(encoding=encoding)  # noqa: S314 - DOCTYPE/ENTITY refused first
    parser.feed(data)
    root: Element = parser.close()
    return root


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_encoding(data: bytes) -> str:
    match = _DECLARED_ENCODING.match(data[:200])
    if match and match.group(1).decode("ascii").lower() in _LATIN_ENCODINGS:
        return "cp1252"
    return "utf-8"


def namespace(tag: str) -> str:
    """Return the namespace URI of a tag, or ``""`` when it has none."""
    if tag.startswith("{"):
        return tag[1 : tag.find("}")]
    return ""


def is_hp(tag: object) -> bool:
    """Whether a tag is in one of HP's schema namespaces."""
    return isinstance(tag, str) and tag.startswith(HP_NAMESPACE_PREFIX)


def is_hp_element(element: Element, name: str) -> bool:
    """Whether ``element`` is HP's ``name`` element, in any schema version."""
    tag = element.tag
    return is_hp(tag) and tag.endswith("}" + name)


def children(
    parent: Element | None, name: str, limit: int | None = None
) -> list[Element]:
    """Direct children of ``parent`` named ``name`` in an HP namespace.

    With ``limit``, the first ``limit`` of them: the search stops there.
    """
    return list(islice(iter_children(parent, name), limit))


def iter_children(parent: Element | None, name: str) -> Iterator[Element]:
    """Direct children of ``parent`` named ``name`` in an HP namespace, lazily."""
    if parent is None:
        return
    suffix = "}" + name
    for element in parent:
        tag = element.tag
        if (
            isinstance(tag, str)
            and tag.endswith(suffix)
            and tag.startswith(HP_NAMESPACE_PREFIX)
        ):
            yield element


def child(parent: Element | None, name: str) -> Element | None:
    """First direct child of ``parent`` named ``name`` in an HP namespace."""
    if parent is None:
        return None
    suffix = "}" + name
    for element in parent:
        tag = element.tag
        if (
            isinstance(tag, str)
            and tag.endswith(suffix)
            and tag.startswith(HP_NAMESPACE_PREFIX)
        ):
            return element
    return None


def index(parent: Element | None) -> dict[str, Element]:
    """Map local name to the first direct HP child of that name.

    One pass over the children is cheaper than a ``child()`` call per field
    when several fields of the same element are read. Expects a tree from
    ``parse_xml`` (no comment or processing-instruction nodes).
    """
    if parent is None:
        return {}
    # Reversed, so that the first of repeated children wins.
    return {
        tag[tag.rfind("}") + 1 :]: element
        for element in reversed(parent)
        if (tag := element.tag).startswith(HP_NAMESPACE_PREFIX)
    }


def text(element: Element | None) -> str | None:
    """Element text with surrounding whitespace removed; None when empty.

    Text longer than ``MAX_TEXT`` characters is cut there.
    """
    if element is None or element.text is None:
        return None
    value = element.text.strip()[:MAX_TEXT].rstrip()
    return value or None


def child_text(parent: Element | None, name: str) -> str | None:
    """Stripped text of the first HP child named ``name``."""
    return text(child(parent, name))


def parse_int(value: str | None) -> int | None:
    """Read a counter leniently: padding, signs and decimals are accepted.

    ``"2733.4"`` becomes 2733 (truncated), ``" -7 "`` becomes -7. Anything
    that is not a finite number of at most 18 digits is None.
    """
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > _MAX_NUMBER_CHARS:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    # adjusted() bounds the magnitude before int() could build a huge number.
    if not number.is_finite() or number.adjusted() >= _MAX_INT_DIGITS:
        return None
    return int(number)
