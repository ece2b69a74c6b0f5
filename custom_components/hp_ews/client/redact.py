"""Redaction: captures and diagnostics with nothing identifying or private.

Serial numbers, UUIDs, MAC and IP addresses, host names, Wi-Fi names, the
printer's location and contact are replaced by placeholders, consistently
across every document (the same value gets the same placeholder), so a
redacted capture still replays to the same printer, minus its identity. IPP
messages are decoded and re-encoded so their length fields stay right.
CPU-bound: run it in an executor.
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
import html
import ipaddress
import json
import logging
import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from .capture import Capture
from .errors import HPEWSParseError
from .ipp import codec

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


_LOGGER = logging.getLogger(__name__)

# --- redaction -------------------------------------------------------------------
#
# One Redactor serves a whole capture (and, in diagnostics, all around it), so a
# value gets the same placeholder in every document and the capture stays
# coherent. ``learn_*`` first collects what only context reveals (serial
# numbers, values of privacy fields, MACs inside UUIDs, EUI-64 addresses and
# host names); ``redact_*`` then makes one pass of one compiled regex per
# document. Its branches start on "<", '"' or at the start of a word, so most
# positions fail at once; words that could hold an address (with ".", "@" or
# two ":") or look like an identifier are looked at again on their own. Each
# match costs a dict lookup, never a rescan: linear in the text whatever the
# number of secrets (learned values form one trie).

_HEX = "0-9A-Fa-f"
_H = f"[{_HEX}]"
_UUID = rf"(?<!{_H}){_H}{{8}}-{_H}{{4}}-{_H}{{4}}-{_H}{{4}}-{_H}{{12}}(?!{_H})"
_MAC = (
    rf"(?<![{_HEX}:-]){_H}{{2}}(?P<macsep>[:-])(?:{_H}{{2}}(?P=macsep)){{4}}{_H}{{2}}"
    rf"(?![{_HEX}:-])"
)
# Anything shaped like an IPv6 address (ipaddress decides), with an optional
# dotted IPv4 tail: "::ffff:192.0.2.1".
_IP6 = (
    rf"(?<![\w:.])(?:{_H}{{0,4}}:){{2,8}}(?:\d{{1,3}}(?:\.\d{{1,3}}){{3}}|{_H}{{1,4}})?"
    r"(?![\w:]|\.\d)"
)
_IP4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)"
# HP's default host names: HP + MAC (inkjets, Pro) or HP/NPI + its last six
# hex digits (JetDirect): HP644ED730966B, HPB519A4, NPI28A6CC.
_HP_NAME = (
    rf"(?<![A-Za-z0-9])(?P<hpprefix>(?i:hp|npi))(?P<hphex>{_H}{{12}}|{_H}{{6}})"
    r"(?![A-Za-z0-9])"
)
_HEX12 = rf"(?<!{_H}){_H}{{12}}(?!{_H})"
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"

ID: Final = "ID"
SSID: Final = "SSID"
LOCATION: Final = "LOCATION"
CONTACT: Final = "CONTACT"
HOST: Final = "HOST"
# Fields by what their values are, in LEDM (dd:SerialNumber, dd:DeviceLocation,
# wifi:SSID, dd3:DomainName), CDM (deviceUuid, deviceLocation,
# bonjour.domainName), IPP (printer-location, printer-geo-location,
# printer-contact-col, printer-wifi-ssid) and similar spellings, matched
# ignoring case and the separators "-", "_" and "." (any name containing
# "ssid" is an SSID). ID values are learned (serial numbers, UUIDs, MACs); the
# others are private and replaced as a whole.
_FIELD_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    ID: (
        "serial-number",
        "product-serial-number",
        "printer-serial-number",
        "device-serial-number",
        "uuid",
        "device-uuid",
        "mac-address",
        "hardware-address",
        "bssid",
    ),
    SSID: (
        "ssid",
        "essid",
        "wifi-ssid",
        "printer-wifi-ssid",
        "wifi-direct-ssid",
        "direct-ssid",
        "ssid-name",
        "network-name",
        "wifi-network-name",
    ),
    LOCATION: (
        "location",
        "device-location",
        "printer-location",
        "geo-location",
        "printer-geo-location",
        "physical-location",
        "sys-location",
        "system-location",
        "latitude",
        "longitude",
        "altitude",
        "device-description",
    ),
    CONTACT: (
        "contact",
        "device-contact",
        "company-contact",
        "company-name",
        "contact-name",
        "contact-uri",
        "contact-vcard",
        "contact-info",
        "printer-contact",
        "printer-contact-col",
        "sys-contact",
        "system-contact",
        "organization",
        "printer-organization",
        "organizational-unit",
        "printer-organizational-unit",
        "asset-number",
        "asset-tag",
        "owner",
        "owner-name",
        "email",
        "email-address",
        "printer-email",
        "printer-email-address",
    ),
    HOST: (
        "host",
        "host-name",
        "fqdn",
        "domain-name",
        "dns-name",
        "dns-domain-name",
        "netbios-name",
        "computer-name",
        "mdns-name",
        "bonjour-name",
        "llmnr-name",
    ),
}
_PRIVATE_KINDS: Final = (SSID, LOCATION, CONTACT, HOST)
_FIELD_KINDS: Final = {
    name.replace("-", ""): kind
    for kind, names in _FIELD_NAMES.items()
    for name in names
}


def field_kind(name: str) -> str | None:
    """What a field's values are (``ID``, ``SSID``, ``LOCATION``...), or None."""
    key = re.sub(r"[-_.]", "", name).lower()
    kind = _FIELD_KINDS.get(key)
    if kind is None and "ssid" in key:
        return SSID
    return kind


def _trie(words: Iterable[str], char: Callable[[str], str] = re.escape) -> str:
    """A regex matching any of ``words`` as a trie: no rescan per word."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [
            char(letter) + build(child) for letter, child in node.items() if letter
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


_NAMES = "(?i:{}|[\\w.-]*?ssid[\\w.-]*)".format(
    _trie(
        sorted(name for names in _FIELD_NAMES.values() for name in names),
        lambda letter: "[-_.]?" if letter == "-" else re.escape(letter),
    )
)
# Fields, found by their names: an XML element, a JSON member, an XML
# attribute or an IPP text dump line ("printer-location (textWithoutLanguage)
# = Office"), and a device ID's serial number ("...;SN:CN86CHY0DX;").
_XML_FIELD = (
    rf"(?P<xml>(?P<xtag><(?:[\w.-]+:)?(?P<xname>{_NAMES})(?=[\s/>])[^>]*(?<!/)>)"
    r"(?P<xval>(?:<!\[CDATA\[[\s\S]*?\]\]>|[^<])*)(?=</))"
)
_JSON_FIELD = (
    rf"(?P<json>(?P<jhead>\"(?P<jname>{_NAMES})\"\s*:\s*)"
    r"(?:\"(?P<jstr>(?:[^\"\\]|\\.)*)\"|(?P<jnum>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)))"
)
_DEVICE_SERIAL = r"(?P<devsn>(?<=;)[ ]*SN:(?P<snval>[\w-]{1,64}))"
_WORD = (
    r"(?<![\w.:@+-])(?:"
    # attribute or dump line
    rf"(?P<field>(?<=\s)(?:[\w.-]+:)?(?P<fname>{_NAMES})(?:"
    r"(?P<fdump> \([^)\r\n]*\) =[ ]?)(?P<dval>[^\r\n]*)"
    r"|(?P<fattr>\s*=\s*(?P<aq>[\"']))(?P<aval>[^\"'<>]*)(?=(?P=aq))))"
    # the MAC's last six hex digits in a service name: "HP ENVY 4520 [B519A4]"
    rf"|(?P<suffix>(?<=[\[(]){_H}{{6}}(?=[\])]))"
    # words that may hold addresses: with ".", "@" or two ":"
    r"|(?P<word>[\w+-]*+(?:[.@]|:[\w.+-]*+:)[\w.:@+-]*+)"
    # words that may be identifiers: UUID, MAC with "-", host name, bare MAC
    rf"|(?P<ident>(?:{_H}{{8}}(?:-{_H}{{4}}){{3}}-{_H}{{12}}|{_H}{{2}}(?:-{_H}{{2}}){{5}}"
    rf"|(?i:hp|npi){_H}{{6}}(?:{_H}{{6}})?|{_H}{{12}})(?![\w+-])))"
)
_FINE = (
    ("uuid", _UUID),
    ("mac", _MAC),
    ("ip6", _IP6),
    ("ip4", _IP4),
    ("hpname", _HP_NAME),
    ("hex12", _HEX12),
    ("email", _EMAIL),
)


def _alternatives(*branches: tuple[str, str]) -> str:
    return "|".join(f"(?P<{name}>{pattern})" for name, pattern in branches)


# Learning and redacting share one pattern: fields, device IDs, words.
_REDACT_RE: Final = re.compile(f"{_XML_FIELD}|{_JSON_FIELD}|{_DEVICE_SERIAL}|{_WORD}")
_NOTHING: Final = re.compile(r"(?!)")
_FINE_RE: Final = re.compile(_alternatives(*_FINE))
_UUID_RE: Final = re.compile(_UUID)
_MAC_RE: Final = re.compile(_MAC)
_IP4_RE: Final = re.compile(_IP4)
_BARE_MAC_RE: Final = re.compile(rf"^{_H}{{12}}$")
_URI_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_KEPT_SCHEMES: Final = frozenset(
    {"geo", "mailto", "tel", "sip", "http", "https", "ipp", "ipps", "urn"}
)
# IPP attributes whose URIs are the printer's own (RFC 8011, PWG 5100.13).
_OWN_URIS: Final = frozenset({"printer-uri-supported", "printer-uri", "xri-uri"})
_NUMBER: Final = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_NOT_SECRET: Final = frozenset(
    {
        "",
        "redacted",
        "**redacted**",
        "unknown",
        "none",
        "n/a",
        "null",
        "nan",
        "true",
        "false",
        "enabled",
        "disabled",
        "no-value",
    }
)
_MIN_SERIAL: Final = 4
_MIN_LITERAL: Final = 4
_ZERO_UUID: Final = "00000000-0000-0000-0000-000000000000"
_UUID_PLACEHOLDER: Final = "00000000-0000-4000-8000-"
_MAC_PLACEHOLDER: Final = "020000"
# IPv4 placeholders come from 198.18.0.0/15 (RFC 2544, benchmarking), IPv6
# ones from 2001:2::/48 (RFC 5180): reserved, and unlike the documentation
# ranges not what tests, examples or other anonymisers use.
_IP4_BASE: Final = int(ipaddress.IPv4Address("198.18.0.0"))
_IP4_SPARE: Final = int(ipaddress.IPv4Address("240.0.0.0"))
_IP4_BASE_SIZE: Final = 1 << 17
_IP6_BASE: Final = int(ipaddress.IPv6Address("2001:2::"))
# Placeholders of an earlier redaction are kept (and their numbers skipped),
# so redacting twice changes nothing and a second redactor never reuses one.
_PLACEHOLDER_RE: Final = re.compile(
    rf"^(?:{_UUID_PLACEHOLDER}(?P<uuid>[0-9a-f]{{12}})|{_MAC_PLACEHOLDER}"
    rf"(?P<mac>[0-9a-f]{{6}})|SN(?P<serial>\d+)|(?P<kind>{'|'.join(_PRIVATE_KINDS)})"
    r"-(?P<field>\d+))$",
    re.IGNORECASE,
)


def _text(data: bytes) -> str:
    # surrogateescape: any bytes survive the round trip unchanged.
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Redactor:
    """Replaces identifying and private values consistently.

    Serial numbers, MAC addresses (also inside UUIDs, host names, service
    names and EUI-64 IPv6 addresses), UUIDs, IPv4 and IPv6 addresses, e-mail
    addresses, and the values of private fields (Wi-Fi SSIDs, locations,
    contacts, host names) in XML, JSON, IPP and IPP text dumps. The same value
    gets the same placeholder in every document, so a redacted capture still
    tells which documents describe the same device, and links between them
    (IPP URIs of the printer's own address) still agree. Placeholders keep the
    original's shape: a UUID, a MAC with the same separators and case, a
    serial of the same length, an IP address; private values become
    ``SSID-1``, ``LOCATION-1``, ``CONTACT-1``, ``HOST-1``.
    """

    def __init__(self) -> None:
        """Start with no known values."""
        self._uuids: dict[str, str] = {}
        self._macs: dict[str, str] = {}
        self._suffixes: dict[str, str] = {}
        self._pending_suffixes: dict[str, None] = {}
        self._ips: dict[int | str, str] = {}
        self._literals: dict[str, str] = {}
        self._fields: dict[str, str] = {}
        self._next_uuid = 1
        self._next_mac = 1
        self._next_serial = 1
        self._next_ip4 = 1
        self._next_ip6 = 1
        self._next_field: dict[str, int] = dict.fromkeys(_PRIVATE_KINDS, 1)
        self._pattern: re.Pattern[str] | None = None

    # --- learning ---------------------------------------------------------------

    def learn_text(self, text: str) -> None:
        """Remember the values in ``text`` that only context reveals."""
        for match in _REDACT_RE.finditer(text):
            kind = match.lastgroup
            if kind == "xml":
                self.learn_field(match["xval"], field_kind(match["xname"]))
            elif kind == "json":
                self.learn_field(
                    match["jstr"] if match["jnum"] is None else match["jnum"],
                    field_kind(match["jname"]),
                )
            elif kind == "devsn":
                self._learn_value(match["snval"])
            elif kind == "field":
                raw = match["aval"] if match["fdump"] is None else match["dval"]
                self.learn_field(raw, field_kind(match["fname"]))
            elif kind == "suffix":
                self._pending_suffixes[match.group(0).lower()] = None
            else:
                self._learn_word(match.group(0))

    def _learn_word(self, word: str) -> None:
        for match in _FINE_RE.finditer(word):
            kind = match.lastgroup
            if kind == "uuid":
                self._learn_uuid(match.group(0))
            elif kind == "mac":
                self._learn_mac(match.group(0))
            elif kind == "ip6":
                self._learn_ip6_mac(match.group(0))
            elif kind == "hpname":
                digits = match["hphex"]
                if len(digits) == 12:
                    self._learn_mac(digits)
                else:
                    self._pending_suffixes[digits.lower()] = None

    def learn_field(self, raw: str, kind: str | None) -> None:
        """Remember the value of a field of ``kind`` (see :func:`field_kind`)."""
        if kind == ID:
            self._learn_value(raw)
        elif kind is not None:
            self.add_secret(raw, kind)

    def add_secret(
        self, value: str, kind: str, *, min_length: int = _MIN_LITERAL
    ) -> None:
        """Redact ``value``, a private value of ``kind``, wherever it appears.

        Values shorter than ``min_length`` are only redacted in their fields:
        a two-letter location must not turn every "HP" into LOCATION-1.
        """
        core = _core(value)
        if core is None or core.startswith("{") or _NUMBER.match(core):
            return
        if _PLACEHOLDER_RE.match(core):
            self._bump(core)
            return
        if _UUID_RE.fullmatch(core) or _MAC_RE.fullmatch(core):
            self._learn_value(core)
            return
        if _is_ip(core):
            return  # found by pattern anywhere
        placeholder = self._field_placeholder(core, kind)
        if len(core) < min_length:
            return
        for form in _forms(core):
            if form not in self._literals:
                self._literals[form] = placeholder
                self._pattern = None

    def add_host(self, name: str) -> None:
        """Redact a name the printer is reached by (a host name or address).

        Any length counts: a short host name is still the user's own. IP
        addresses are found by pattern anyway; ``[...]`` around one is dropped.
        """
        self.add_secret(name.strip("[]"), HOST, min_length=1)

    def _field_placeholder(self, core: str, kind: str) -> str:
        key = _canonical(core)
        placeholder = self._fields.get(key)
        if placeholder is None:
            number = self._next_field[kind]
            self._next_field[kind] = number + 1
            placeholder = self._fields[key] = f"{kind}-{number}"
        return placeholder

    def _bump(self, core: str) -> None:
        """Skip the number of a placeholder an earlier redaction made."""
        match = _PLACEHOLDER_RE.match(core)
        if match is None:
            return
        if match["uuid"]:
            self._next_uuid = max(self._next_uuid, int(match["uuid"], 16) + 1)
        elif match["mac"]:
            digits = match["mac"].lower()
            self._next_mac = max(self._next_mac, int(digits, 16) + 1)
            self._suffixes.setdefault(digits, digits)
        elif match["serial"]:
            self._next_serial = max(self._next_serial, int(match["serial"]) + 1)
        else:
            kind = match["kind"].upper()
            number = int(match["field"]) + 1
            self._next_field[kind] = max(self._next_field[kind], number)

    def _learn_value(self, value: str) -> None:
        value = value.strip()
        if _PLACEHOLDER_RE.match(value):
            self._bump(value)
        elif _UUID_RE.fullmatch(value):
            self._learn_uuid(value)
        elif _MAC_RE.fullmatch(value) or _BARE_MAC_RE.match(value):
            self._learn_mac(value)
        elif (
            len(value) >= _MIN_SERIAL
            and value.lower() not in _NOT_SECRET
            and value not in self._literals
        ):
            digits = str(self._next_serial)
            self._next_serial += 1
            self._literals[value] = "SN" + digits.rjust(
                max(len(value) - 2, len(digits)), "0"
            )
            self._pattern = None

    def _learn_uuid(self, value: str) -> str:
        key = value.lower()
        placeholder = self._uuids.get(key)
        if placeholder is not None:
            return placeholder
        if key == _ZERO_UUID or _PLACEHOLDER_RE.match(key):
            self._bump(key)
            return key
        placeholder = self._uuids[key] = f"{_UUID_PLACEHOLDER}{self._next_uuid:012x}"
        self._next_uuid += 1
        # HP's UUIDs end in the MAC address (1c852a4d-b800-1f08-abcd-<MAC>).
        self._learn_mac(key[-12:])
        return placeholder

    def _learn_mac(self, value: str) -> str:
        key = re.sub(rf"[^{_HEX}]", "", value).lower()
        placeholder = self._macs.get(key)
        if placeholder is not None:
            return placeholder
        if len(key) != 12 or key in ("000000000000", "ffffffffffff"):
            return key
        if _PLACEHOLDER_RE.match(key):
            self._bump(key)
            return key
        placeholder = self._macs[key] = f"{_MAC_PLACEHOLDER}{self._next_mac:06x}"
        self._next_mac += 1
        self._suffixes.setdefault(key[-6:], placeholder[-6:])
        return placeholder

    def _learn_ip6_mac(self, candidate: str) -> None:
        """Learn the MAC inside an EUI-64 interface identifier."""
        address = _ip6(candidate) or _ip6(candidate.rpartition(":")[0])
        if address is not None:
            packed = address.packed
            if packed[11:13] == b"\xff\xfe":
                mac = bytes([packed[8] ^ 2, *packed[9:11], *packed[13:]])
                self._learn_mac(mac.hex())
            return
        mac_hex = _eui64_mac(candidate)
        if mac_hex is not None:
            self._learn_mac(mac_hex)

    def _suffix(self, digits: str) -> str:
        key = digits.lower()
        placeholder = self._suffixes.get(key)
        if placeholder is None:
            placeholder = self._suffixes[key] = f"{self._next_mac:06x}"
            self._next_mac += 1
        return placeholder

    # --- replacing --------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """``text`` with every secret replaced by its placeholder."""
        literals = self._literal_pattern()
        if literals is not None:
            # Learned values first: what is left is found by pattern.
            text = literals.sub(self._replace_literal, text)
        return _REDACT_RE.sub(self._replace, text)

    def _literal_pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None:
            # Host names whose MAC never showed get numbers after the MACs.
            for suffix in self._pending_suffixes:
                self._suffix(suffix)
            self._pending_suffixes.clear()
            self._pattern = (
                re.compile(rf"(?<![\w&\\]){_trie(self._literals)}(?!\w)")
                if self._literals
                else _NOTHING
            )
        return None if self._pattern is _NOTHING else self._pattern

    def _replace_literal(self, match: re.Match[str]) -> str:
        return self._literals[match.group(0)]

    def _replace(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "xml":
            # The tag's attributes may hold addresses too.
            return self.redact_text(match["xtag"]) + self.redact_field(
                match["xval"], field_kind(match["xname"])
            )
        if kind == "json":
            field = field_kind(match["jname"])
            if match["jnum"] is not None:
                return match["jhead"] + self.redact_field(match["jnum"], field)
            return f'{match["jhead"]}"{self.redact_field(match["jstr"], field)}"'
        if kind == "devsn":
            start = match.start("snval") - match.start()
            return match.group(0)[:start] + self.redact_text(match["snval"])
        if kind == "field":
            field = field_kind(match["fname"])
            head = match.group(0)[: match.end("fname") - match.start()]
            if match["fdump"] is None:
                return head + match["fattr"] + self.redact_field(match["aval"], field)
            raw = match["dval"]
            if raw.lstrip().startswith("{"):
                # A collection (printer-contact-col): an empty one parses too.
                return head + match["fdump"] + "{}"
            return head + match["fdump"] + self.redact_field(raw, field)
        if kind == "suffix":
            return _like(match.group(0), self._suffix(match.group(0)))
        return _FINE_RE.sub(self._replace_fine, match.group(0))

    def _replace_fine(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        value = match.group(0)
        if kind == "uuid":
            return _like(value, self._learn_uuid(value))
        if kind == "mac":
            placeholder = self._learn_mac(value)
            pairs = [placeholder[i : i + 2] for i in range(0, 12, 2)]
            return _like(value, match["macsep"].join(pairs))
        if kind == "ip6":
            return self._ip6_sub(value)
        if kind == "ip4":
            return self._ip4_sub(value)
        if kind == "hpname":
            digits = match["hphex"]
            if len(digits) == 12:
                return match["hpprefix"] + _like(digits, self._learn_mac(digits))
            return match["hpprefix"] + _like(digits, self._suffix(digits))
        if kind == "hex12":
            known = self._macs.get(value.lower())
            return value if known is None else _like(value, known)
        # e-mail addresses: ePrint addresses, contacts
        return self._field_placeholder(value, CONTACT)

    def redact_field(self, raw: str, kind: str | None) -> str:
        """The redacted value of a field of ``kind``, keeping its white space.

        Private values are replaced as a whole: numbers (coordinates) by 0,
        URIs keeping their scheme (``geo:LOCATION-1``, ``mailto:CONTACT-1``),
        addresses by the placeholder they get anywhere else.
        """
        if kind is None or kind == ID:
            return self.redact_text(raw)
        core = _core(raw)
        if (
            core is None
            or _PLACEHOLDER_RE.match(core)
            or _is_ip(core)
            or _UUID_RE.fullmatch(core)
            or _MAC_RE.fullmatch(core)
        ):
            return self.redact_text(raw)
        if _NUMBER.match(core):
            replacement = "0"
        else:
            replacement = self._field_placeholder(core, kind)
            scheme = _URI_SCHEME.match(core)
            if scheme is not None and scheme.group(1).lower() in _KEPT_SCHEMES:
                replacement = scheme.group(0) + replacement
        start = len(raw) - len(raw.lstrip())
        return raw[:start] + replacement + raw[start + len(core) :]

    def _ip4_sub(self, value: str) -> str:
        try:
            address = ipaddress.IPv4Address(
                ".".join(str(int(part)) for part in value.split("."))
            )
        except ValueError:
            return value
        if _keep_ip(address):
            return value
        return self._ip4_placeholder(address)

    def _ip4_placeholder(self, address: ipaddress.IPv4Address) -> str:
        key = int(address)
        placeholder = self._ips.get(key)
        if placeholder is None:
            number = self._next_ip4
            self._next_ip4 += 1
            base = _IP4_BASE if number < _IP4_BASE_SIZE else _IP4_SPARE
            placeholder = str(ipaddress.IPv4Address(base + number % _IP4_BASE_SIZE))
            self._ips[key] = placeholder
        return placeholder

    def _ip6_sub(self, value: str) -> str:
        address = _ip6(value)
        port = ""
        if address is None:
            # "fe80:0:0:0:ee8e:b5ff:feb5:19a4:80": an address and a port (as
            # Java prints them), or a bare EUI-64 interface identifier.
            head, _, tail = value.rpartition(":")
            address = _ip6(head)
            port = ":" + tail
        if address is None:
            mac = _eui64_mac(value)
            if mac is not None:
                return _like(value, _eui64(self._learn_mac(mac)))
            # Not an address after all ("10:30:00"); its dotted tail may be one.
            return _IP4_RE.sub(lambda m: self._ip4_sub(m.group(0)), value)
        if _keep_ip(address):
            return value
        if address.ipv4_mapped is not None:
            return "::ffff:" + self._ip4_placeholder(address.ipv4_mapped) + port
        key = address.compressed
        placeholder = self._ips.get(key)
        if placeholder is None:
            placeholder = str(ipaddress.IPv6Address(_IP6_BASE + self._next_ip6))
            self._next_ip6 += 1
            self._ips[key] = placeholder
        return _like(value, placeholder) + port

    # --- documents ----------------------------------------------------------------

    def learn_capture(self, capture: Capture) -> None:
        """Learn from every document of a capture (before redacting any)."""
        for body in capture.http.values():
            self.learn_text(_text(body))
        for name, body in capture.ipp.items():
            try:
                self.learn_ipp(body)
            except HPEWSParseError as err:
                _LOGGER.debug("Not learning from undecodable IPP %s: %s", name, err)
        learn_json(capture.meta, self)

    def redact_capture(self, capture: Capture) -> Capture:
        """A redacted copy of a capture this redactor learned from."""
        ipp: dict[str, bytes] = {}
        for name, body in capture.ipp.items():
            try:
                ipp[name] = self.redact_ipp(body)
            except HPEWSParseError as err:
                _LOGGER.warning("Dropping IPP capture %s: %s", name, err)
        return Capture(
            meta={**redact_json(capture.meta, self), "redacted": True},
            http={
                path: _bytes(self.redact_text(_text(body)))
                for path, body in capture.http.items()
            },
            ipp=ipp,
        )

    def learn_ipp(self, data: bytes) -> None:
        """Remember the identifying values in an IPP message."""
        message = codec.decode_ipp(data)
        for group in message.groups:
            for attribute in group:
                self._learn_attribute(attribute, field_kind(attribute.name))

    def redact_ipp(self, data: bytes) -> bytes:
        """Re-encode an IPP message with every string value redacted.

        Raises:
            HPEWSParseError: not an IPP message, or one whose redacted values
                no longer fit IPP's length fields.
        """
        message = codec.decode_ipp(data)
        for group in message.groups:
            for attribute in group:
                self._redact_attribute(attribute, field_kind(attribute.name))
        try:
            return message.encode()
        except (ValueError, TypeError) as err:
            raise HPEWSParseError(f"Cannot re-encode the redacted IPP: {err}") from err

    def _learn_attribute(self, attribute: codec.IppAttribute, kind: str | None) -> None:
        for value in attribute.values:
            if isinstance(value, codec.IppCollection):
                for member in value:
                    self._learn_attribute(member, kind or field_kind(member.name))
                continue
            text = _value_text(value)
            if text is None:
                continue
            self.learn_field(text, kind)
            self.learn_text(text)
            if attribute.name in _OWN_URIS:
                # The printer's own URIs name it as it was asked for: its
                # address, or a host name (the user's DNS), redacted anywhere.
                host = _uri_host(text)
                if host and not _is_ip(host) and host.lower() != "localhost":
                    self.add_secret(host, HOST, min_length=1)

    def _redact_attribute(
        self, attribute: codec.IppAttribute, kind: str | None
    ) -> None:
        for index, value in enumerate(attribute.values):
            if isinstance(value, codec.IppCollection):
                for member in value:
                    self._redact_attribute(member, kind or field_kind(member.name))
            elif isinstance(value, str):
                attribute.values[index] = self.redact_field(value, kind)
            elif isinstance(value, bytes):
                attribute.values[index] = _bytes(self.redact_field(_text(value), kind))
            elif isinstance(value, codec.IppTextWithLanguage):
                attribute.values[index] = codec.IppTextWithLanguage(
                    self.redact_field(value.text, kind), value.language
                )


def _uri_host(uri: str) -> str | None:
    """The host of a URI as written (urlsplit would lower its case)."""
    try:
        netloc = urlsplit(uri).netloc
    except ValueError:
        return None
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return None  # an IPv6 address: found by pattern
    return host.partition(":")[0] or None


def _value_text(value: codec.IppValue) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return _text(value)
    if isinstance(value, codec.IppTextWithLanguage):
        return value.text
    return None


def _core(value: str) -> str | None:
    """A field's value without surrounding white space; None when no secret."""
    core = value.strip()
    if core.lower() in _NOT_SECRET:
        return None
    return core


def _canonical(text: str) -> str:
    r"""One spelling of a value.

    "B\u00fcro" (JSON), "B&#252;ro" (XML) and "B\udcfcro" (ISO-8859-1 bytes
    kept by surrogateescape) are all "Büro".
    """
    text = html.unescape(_json_unescape(text))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _bytes(text).decode("latin-1")
    return text


def _forms(core: str) -> list[str]:
    """The spellings of a value to look for in documents (see ``_canonical``)."""
    canonical = _canonical(core)
    forms = [core, canonical, html.escape(canonical, quote=False)]
    with contextlib.suppress(UnicodeEncodeError):
        forms.append(_text(canonical.encode("latin-1")))
    return [form for form in dict.fromkeys(forms) if form]


def _json_unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        return str(json.loads(f'"{text}"'))
    except ValueError:
        return text


def _ip6(text: str) -> ipaddress.IPv6Address | None:
    if text.count(":") < 2:
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def _is_ip(text: str) -> bool:
    if ":" not in text and "." not in text:
        return False
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _keep_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Addresses that identify no one: unspecified, ::1, netmasks."""
    if address.is_unspecified or (address.version == 6 and address.is_loopback):
        return True
    bits = address.max_prefixlen
    value = int(address)
    inverted = ~value & ((1 << bits) - 1)
    # A netmask is ones then zeros; only those starting with a full octet.
    return value >> (bits - 8) == 0xFF and inverted & (inverted + 1) == 0


def _eui64_mac(candidate: str) -> str | None:
    """The MAC in a bare EUI-64 interface identifier (ee8e:b5ff:feb5:19a4)."""
    groups = candidate.split(":")
    if len(groups) != 4 or not all(1 <= len(group) <= 4 for group in groups):
        return None
    padded = [group.rjust(4, "0").lower() for group in groups]
    if padded[1][2:] != "ff" or padded[2][:2] != "fe":
        return None
    first = int(padded[0][:2], 16) ^ 2
    return f"{first:02x}{padded[0][2:]}{padded[1][:2]}{padded[2][2:]}{padded[3]}"


def _eui64(mac: str) -> str:
    """The EUI-64 interface identifier of a MAC, as IPv6 groups."""
    raw = bytes.fromhex(mac)
    eui = bytes([raw[0] ^ 2, *raw[1:3], 0xFF, 0xFE, *raw[3:]])
    return ":".join(f"{int.from_bytes(eui[i : i + 2]):x}" for i in range(0, 8, 2))


def _like(original: str, placeholder: str) -> str:
    """The placeholder in the original's letter case."""
    letters = [c for c in original if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return placeholder.upper()
    return placeholder.lower()


def redact_capture(capture: Capture, *, hosts: Iterable[str] = ()) -> Capture:
    """A copy of ``capture`` without identifying or private values.

    ``hosts`` are names the printer was reached by (IP addresses are found
    anyway). IPP messages are decoded and re-encoded so their length fields
    stay right; one that cannot be decoded (or re-encoded) is dropped rather
    than kept unredacted. CPU-bound: run it in an executor.
    """
    redactor = Redactor()
    for host in hosts:
        redactor.add_host(host)
    redactor.learn_capture(capture)
    return redactor.redact_capture(capture)


def learn_json(value: Any, redactor: Redactor) -> None:
    """Let ``redactor`` learn from every string of a JSON-like value.

    The values of members named like fields (``location``, ``ssid``...) are
    learned as those fields' values.
    """
    if isinstance(value, str):
        redactor.learn_text(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and isinstance(item, str):
                redactor.learn_field(item, field_kind(key))
            learn_json(item, redactor)
    elif isinstance(value, (list, tuple)):
        for item in value:
            learn_json(item, redactor)


def redact_json(value: Any, redactor: Redactor) -> Any:
    """A copy of a JSON-like value with every string redacted."""
    if isinstance(value, str):
        return redactor.redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: (
                redactor.redact_field(item, field_kind(key))
                if isinstance(key, str) and isinstance(item, str)
                else redact_json(item, redactor)
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact_json(item, redactor) for item in value]
    return value
