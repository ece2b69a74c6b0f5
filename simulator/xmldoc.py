"""Captured LEDM XML as an editable template that serialises like the printer.

ElementTree forgets namespace prefixes and the prolog (XML declaration and
HP's disclaimer comment). Clients must match on namespace URIs anyway, but the
simulator should look like the real printer, so we keep the root's namespace
declarations in their original order and prefixes, and the prolog verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
import io
import xml.etree.ElementTree as ET


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


@dataclass(frozen=True, slots=True)
class XmlTemplate:
    """A parsed captured document: prolog, namespace declarations, tree."""

    prolog: str
    namespaces: tuple[tuple[str, str], ...]
    """(prefix, uri) in the order the capture declared them."""
    root: ET.Element
    start_tag: str
    """The root's start tag exactly as captured (spacing between declarations)."""

    @classmethod
    def parse(cls, data: bytes) -> XmlTemplate:
        """Parse our own data files (trusted, but still refuse DTDs)."""
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise ValueError("DTDs are not allowed in simulator templates")
        text = data.decode("utf-8")
        start = _root_start(text)
        # Our own data files, and DTDs were refused above: no entity expansion.
        events = ET.iterparse(io.BytesIO(data), events=("start-ns",))  # noqa: S314
        namespaces = [(str(value[0]), str(value[1])) for _event, value in events]
        root = ET.fromstring(data)  # noqa: S314
        start_tag = text[start : text.index(">", start) + 1]
        return cls(text[:start], tuple(namespaces), root, start_tag)

    def copy_root(self) -> ET.Element:
        """A deep copy of the tree to edit for one response."""
        return deepcopy_element(self.root)

    def render(self, root: ET.Element | None = None) -> bytes:
        """Serialise ``root`` (default: the template) with the capture's prefixes."""
        prefixes = {uri: prefix for prefix, uri in reversed(self.namespaces)}
        out = io.StringIO()
        out.write(self.prolog)
        _write(out, self.root if root is None else root, prefixes, self.start_tag)
        return out.getvalue().encode("utf-8")


def _root_start(text: str) -> int:
    """Offset of the root element's ``<`` (skipping declaration/comments)."""
    pos = 0
    while True:
        pos = text.index("<", pos)
        if text.startswith("<?", pos):
            pos = text.index("?>", pos) + 2
        elif text.startswith("<!--", pos):
            pos = text.index("-->", pos) + 3
        else:
            return pos


def deepcopy_element(element: ET.Element) -> ET.Element:
    """A deep copy of an element tree."""
    clone = ET.Element(element.tag, dict(element.attrib))
    clone.text = element.text
    clone.tail = element.tail
    clone.extend(deepcopy_element(child) for child in element)
    return clone


def _qname(tag: str, prefixes: dict[str, str]) -> str:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = prefixes.get(uri)
        if prefix is None:
            raise ValueError(f"namespace {uri} has no prefix in this template")
        return f"{prefix}:{local}" if prefix else local
    return tag


def _write(
    out: io.StringIO,
    element: ET.Element,
    prefixes: dict[str, str],
    start_tag: str | None = None,
) -> None:
    if start_tag is not None:
        out.write(start_tag)
    else:
        out.write("<" + _qname(element.tag, prefixes))
        out.writelines(
            f' {_qname(key, prefixes)}="{_escape_attr(value)}"'
            for key, value in element.attrib.items()
        )
        out.write(">")
    if element.text:
        out.write(_escape_text(element.text))
    for child in element:
        _write(out, child, prefixes)
        if child.tail:
            out.write(_escape_text(child.tail))
    out.write("</" + _qname(element.tag, prefixes) + ">")
