"""Reading an IPP answer: its status checked, its attribute values as text or numbers.

Answers are untrusted: only the attributes a parser asks for are decoded,
free text is cleaned (valid UTF-8, at most ``MAX_TEXT`` characters) and a
value of the wrong type reads as missing, never as an error.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSIPPError
from custom_components.hp_ews.client.models import MAX_TEXT

from .codec import (
    IppAttributeGroup,
    IppMessage,
    IppTextWithLanguage,
    decode_ipp,
    ipp_status_name,
    ipp_successful,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .codec import IppValue

ERROR_KEEP: Final[Mapping[str, int]] = MappingProxyType({"status-message": 1})


def check_response(data: bytes) -> None:
    """Raise unless ``data`` is an IPP response with a successful status.

    Raises:
        HPEWSParseError: not a decodable IPP message.
        HPEWSIPPError: the printer answered with an error status.
    """
    decode_checked(data, ERROR_KEEP)


def decode_checked(data: bytes, keep: Mapping[str, int]) -> IppMessage:
    """Decode the attributes in ``keep`` (see ``ippcodec.decode``), check the status."""
    message = decode_ipp(data, keep=keep)
    if not ipp_successful(message.status_code):
        detail = as_text(message.operation.value("status-message"))
        text = ipp_status_name(message.status_code)
        if detail:
            text = f"{text}: {detail}"
        raise HPEWSIPPError(f"IPP error {text}", message.status_code)
    return message


# --- values ----------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Valid UTF-8, stripped, at most ``MAX_TEXT`` characters."""
    # The codec keeps undecodable bytes as surrogates; models must be valid text.
    return text.encode("utf-8", "replace").decode("utf-8").strip()[:MAX_TEXT].rstrip()


def as_text(value: IppValue | None) -> str | None:
    """A text, name, URI or keyword value as clean text; None for other values."""
    if isinstance(value, IppTextWithLanguage):
        value = value.text
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    return clean_text(value) or None


def texts_of(group: IppAttributeGroup, name: str) -> list[str]:
    """Every value as text ('' for values that are not text), in order."""
    return [as_text(value) or "" for value in group.values(name)]


def text_of(group: IppAttributeGroup, name: str) -> str | None:
    """The first value of attribute ``name`` as text, if it is text."""
    return as_text(group.value(name))


def ints_of(group: IppAttributeGroup, name: str) -> list[int | None]:
    """Every value as an integer (None for values that are not), in order."""
    return [
        value if isinstance(value, int) and not isinstance(value, bool) else None
        for value in group.values(name)
    ]


def int_of(group: IppAttributeGroup, name: str) -> int | None:
    """The first value of attribute ``name`` as an integer, if it is one."""
    values = ints_of(group, name)
    return values[0] if values else None


MAX_FIELDS: Final = 64
"""Fields read of a ``key=value;...`` string; real ones have under 20."""


def key_values(text: str, separator: str = ";") -> dict[str, str]:
    """``key=value;key=value`` (PWG 5100.13 printer-supply/printer-alert)."""
    pairs: dict[str, str] = {}
    # maxsplit: a string of separators costs one C call, not a Python loop.
    for part in text.split(separator, MAX_FIELDS)[:MAX_FIELDS]:
        key, sep, value = part.partition("=")
        if sep and key.strip():
            pairs.setdefault(key.strip().lower(), value.strip())
    return pairs


MATCH_CHARS: Final = 256
"""Free text (descriptions, marker names) is matched on this many characters.

Real ones are under 100; the patterns' cost is then bounded per value.
"""
