"""Tests for the RFC 8010 codec, on real captured HP responses and the spec."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
import re

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.ipp import codec as c
from custom_components.hp_ews.client.ipp.codec import (
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppDateTime,
    IppExtension,
    IppGroupTag,
    IppMessage,
    IppOutOfBand,
    IppRangeOfInteger,
    IppResolution,
    IppTextWithLanguage,
    IppTruncatedError,
    IppValueTag,
)
from tests.client.workcount import lines

IPP = Path(__file__).parent.parent / "fixtures" / "ipp"
RAW = {
    "M476dn": IPP / "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp",
    "M175nw": IPP / "HP-LaserJet-100-colorMFP-M175nw__get-printer-attributes_raw.ipp",
    "M127fw": IPP / "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp",
}
DECODED = {
    "M476dn": IPP / "HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_decoded.txt",
    "M175nw": IPP
    / "HP-LaserJet-100-colorMFP-M175nw__get-printer-attributes_decoded.txt",
    "M127fw": IPP / "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_decoded.txt",
}
HP_BAD_NAME = (
    IPP
    / "HP-LaserJet-100-colorMFP-M175nw__Get-Job-Attributes_invalid-nameWithLanguage.ipp"
)
ALL_BINARY = [*RAW.values(), HP_BAD_NAME]
FIXTURE_BYTES = [path.read_bytes() for path in ALL_BINARY]


def _printer(model: str) -> IppAttributeGroup:
    return c.decode_ipp(RAW[model].read_bytes()).printer


# --- the real captures ------------------------------------------------------------


@pytest.mark.parametrize("model", sorted(RAW))
def test_raw_fixture_round_trips_byte_for_byte(model: str) -> None:
    raw = RAW[model].read_bytes()
    message = c.decode_ipp(raw)
    assert message.status_code == c.IppStatusCode.SUCCESSFUL_OK
    assert [g.tag for g in message.groups] == [
        IppGroupTag.OPERATION,
        IppGroupTag.PRINTER,
    ]
    assert message.data == b""
    assert c.encode_ipp(message) == raw
    assert message.encode() == raw


@pytest.mark.parametrize("model", sorted(RAW))
def test_decoded_twin_matches_every_attribute(model: str) -> None:
    """Each line of gmuth's independent decoding matches ours."""
    message = c.decode_ipp(RAW[model].read_bytes())
    lines = DECODED[model].read_text(encoding="utf-8").splitlines()
    assert lines[1] == "version {}.{}".format(*message.version)
    assert lines[2] == c.ipp_status_name(message.status_code)
    assert lines[3] == f"request-id {message.request_id}"
    expected = _parse_decoded(lines)
    ours = [(g.tag, a) for g in message.groups for a in g]
    assert [(tag, a.name) for tag, a in ours] == [(tag, n) for tag, n, _, _ in expected]
    for (_, attribute), (_, name, syntax, text) in zip(ours, expected, strict=True):
        assert _syntax(attribute) == syntax, name
        assert _render(attribute) == text, name


_GROUP_LINES = {
    "operation-attributes-tag": IppGroupTag.OPERATION,
    "printer-attributes-tag": IppGroupTag.PRINTER,
    "job-attributes-tag": IppGroupTag.JOB,
}
_LINE = re.compile(r"^  (\S+) \((?:1setOf )?(\w+)\) = (.*)$")


def _parse_decoded(lines: list[str]) -> list[tuple[int, str, str, str]]:
    out: list[tuple[int, str, str, str]] = []
    group = 0
    for line in lines[4:]:
        if line in _GROUP_LINES:
            group = _GROUP_LINES[line]
            continue
        match = _LINE.match(line)
        assert match, line
        out.append((group, match[1], match[2], match[3]))
    return out


_SYNTAX = {
    IppValueTag.INTEGER: "integer",
    IppValueTag.BOOLEAN: "boolean",
    IppValueTag.ENUM: "enum",
    IppValueTag.RESOLUTION: "resolution",
    IppValueTag.RANGE_OF_INTEGER: "rangeOfInteger",
    IppValueTag.BEG_COLLECTION: "collection",
    IppValueTag.TEXT: "textWithoutLanguage",
    IppValueTag.NAME: "nameWithoutLanguage",
    IppValueTag.KEYWORD: "keyword",
    IppValueTag.URI: "uri",
    IppValueTag.URI_SCHEME: "uriScheme",
    IppValueTag.CHARSET: "charset",
    IppValueTag.NATURAL_LANGUAGE: "naturalLanguage",
    IppValueTag.MIME_MEDIA_TYPE: "mimeMediaType",
    IppValueTag.UNKNOWN: "unknown",
}
# The enum names ipp-client prints for the values in these three files.
_ENUM_TEXT = {
    "printer-state": {3: "idle"},
    "finishings-default": {3: "none"},
    "finishings-supported": {3: "none"},
    "orientation-requested-default": {3: "portrait"},
    "orientation-requested-supported": {
        3: "portrait",
        4: "landscape",
        5: "reverse-landscape",
        6: "reverse-portrait",
    },
    "print-quality-default": {3: "draft", 4: "normal", 5: "high"},
    "print-quality-supported": {3: "draft", 4: "normal", 5: "high"},
    "landscape-orientation-requested-preferred": {
        4: "landscape",
        5: "reverse-landscape",
    },
}
# ipp-client appends a java.time.Duration to these integers.
_DURATIONS = {
    "printer-up-time": {0: "PT0S"},
    "multiple-operation-time-out": {120: "PT2M"},
}


def _syntax(attribute: IppAttribute) -> str:
    return _SYNTAX[IppValueTag(attribute.tag)]


def _render(attribute: IppAttribute, *, member: bool = False) -> str:
    return ",".join(
        _render_value(attribute.name, t, v, member) for t, v in attribute.value_tags()
    )


def _render_value(name: str, tag: int, value: c.IppValue, member: bool) -> str:
    if tag == IppValueTag.ENUM:
        assert isinstance(value, int)
        if name == "operations-supported":
            return c.ipp_operation_name(value)
        return _ENUM_TEXT[name][value]
    if tag == IppValueTag.BOOLEAN:
        return str(value).lower()
    if tag == IppValueTag.INTEGER and name in _DURATIONS:
        assert isinstance(value, int)
        return f"{value} ({_DURATIONS[name][value]})"
    if isinstance(value, IppResolution):
        assert value.units == IppResolution(0, 0).units
        return f"{value.cross_feed} dpi"
    if isinstance(value, IppRangeOfInteger):
        # ipp-client prints ranges inside collections as Kotlin IntRanges.
        return f"{value.lower}{'..' if member else '-'}{value.upper}"
    if isinstance(value, IppCollection):
        return (
            "{" + " ".join(f"{m.name}={_render(m, member=True)}" for m in value) + "}"
        )
    if isinstance(value, IppOutOfBand):
        return ""
    return str(value)


def test_spot_values_read_from_the_decoded_files() -> None:
    m476 = _printer("M476dn")
    assert m476.values("marker-names") == [
        "Cyan Cartridge HP CF381A",
        "Magenta Cartridge HP CF383A",
        "Yellow Cartridge HP CF382A",
        "Black Cartridge HP CF380X",
    ]
    assert m476.values("marker-low-levels") == [3, 3, 3, 3]
    assert m476.values("document-format-supported") == [
        "image/urf",
        "application/pdf",
        "application/postscript",
        "application/vnd.hp-PCL",
        "application/vnd.hp-PCLXL",
        "application/PCLm",
        "application/octet-stream",
        "image/jpeg",
    ]
    assert m476.value("printer-resolution-default") == IppResolution(600, 600, 3)
    assert m476.value("copies-supported") == IppRangeOfInteger(1, 999)
    geo = m476["printer-geo-location"]
    assert geo.tag == IppValueTag.UNKNOWN
    assert geo.value == IppOutOfBand(IppValueTag.UNKNOWN)

    m175 = _printer("M175nw")
    assert m175.values("marker-types") == ["toner", "toner", "toner", "toner", "opc"]
    assert m175.values("marker-colors")[-1] == "none"
    media_col = m175.value("media-col-default")
    assert isinstance(media_col, IppCollection)
    size = media_col.value("media-size")
    assert isinstance(size, IppCollection)
    assert size.values("x-dimension") == [21000]
    assert size.value("media-size-name") == "iso_a4_210x297mm"
    assert media_col.value("media-source") == "main-tray"
    assert media_col["media-type"].tag == IppValueTag.NAME

    m127 = _printer("M127fw")
    # Single-valued, not 1setOf, on this model.
    assert m127.values("marker-names") == ["Black Cartridge HP CF283A"]
    assert m127.values("marker-levels") == [50]
    assert m127.value("color-supported") is False
    assert m127.values("document-format-supported") == [
        "image/urf",
        "application/PCLm",
        "application/octet-stream",
        "image/jpeg",
    ]
    assert m127.value("pdf-k-octets-supported") == IppRangeOfInteger(0, 0)


def test_hp_m175nw_malformed_name_with_language_is_tolerated() -> None:
    raw = HP_BAD_NAME.read_bytes()
    message = c.decode_ipp(raw)
    assert message.version == (1, 1)
    assert message.request_id == 4
    assert message.status_code == 0
    job = message.job
    assert job.value("job-id") == 993
    assert job.value("job-uri") == "ipp://ColorJet.local/ipp/printer/0993"
    assert job.value("job-name") == IppTextWithLanguage("A4-blank.pdf", "de")
    assert job["job-name"].tag == IppValueTag.NAME_WITH_LANGUAGE
    assert job.value("job-originating-user-name") == IppTextWithLanguage("gmuth", "de")
    assert job.value("job-state") == 7
    assert job.values("job-state-reasons") == ["none"]
    assert job.value("job-impressions-completed") == 0
    # HP repeats the charset/language at the end of the job group.
    assert job.value("attributes-charset") == "us-ascii"
    assert message.operation.value("attributes-charset") == "utf-8"

    # Re-encoding writes the well-formed value: the missing outer length
    # (2 + 2 + 2 + len(text), RFC 8010 §3.9) is inserted, nothing else changes.
    expected = raw.replace(
        b"\x00\x02de\x00\x0cA4-blank.pdf", b"\x00\x12\x00\x02de\x00\x0cA4-blank.pdf"
    ).replace(b"\x00\x02de\x00\x05gmuth", b"\x00\x0b\x00\x02de\x00\x05gmuth")
    assert len(expected) == len(raw) + 4
    assert c.encode_ipp(message) == expected
    assert c.decode_ipp(expected) == message


# --- spec-level encoding ---------------------------------------------------------


def test_request_bytes_match_rfc_8010_layout() -> None:
    message = c.new_ipp_request(
        c.IppOperation.GET_PRINTER_ATTRIBUTES,
        "ipp://h/ipp/print",
        request_id=0x01020304,
        requesting_user_name="u",
    )
    expected = (
        b"\x02\x00"  # version 2.0
        b"\x00\x0b"  # Get-Printer-Attributes
        b"\x01\x02\x03\x04"  # request-id
        b"\x01"  # operation-attributes-tag
        b"\x47\x00\x12attributes-charset\x00\x05utf-8"
        b"\x48\x00\x1battributes-natural-language\x00\x02en"
        b"\x45\x00\x0bprinter-uri\x00\x11ipp://h/ipp/print"
        b"\x42\x00\x14requesting-user-name\x00\x01u"
        b"\x03"
    )
    assert message.encode() == expected


def test_values_encode_as_rfc_8010_says() -> None:
    def one(tag: int, value: c.IppValue) -> bytes:
        message = IppMessage(
            0, 1, [IppAttributeGroup(IppGroupTag.JOB, [IppAttribute("a", tag, value)])]
        )
        return c.encode_ipp(message)[9:-1]  # drop header, group tag and end tag

    assert one(IppValueTag.INTEGER, -2) == b"\x21\x00\x01a\x00\x04\xff\xff\xff\xfe"
    assert one(IppValueTag.BOOLEAN, True) == b"\x22\x00\x01a\x00\x01\x01"
    assert one(IppValueTag.ENUM, 3) == b"\x23\x00\x01a\x00\x04\x00\x00\x00\x03"
    assert one(IppValueTag.RESOLUTION, IppResolution(600, 300, 3)) == (
        b"\x32\x00\x01a\x00\x09\x00\x00\x02\x58\x00\x00\x01\x2c\x03"
    )
    assert one(IppValueTag.RANGE_OF_INTEGER, IppRangeOfInteger(1, 99)) == (
        b"\x33\x00\x01a\x00\x08\x00\x00\x00\x01\x00\x00\x00\x63"
    )
    assert one(
        IppValueTag.DATE_TIME, IppDateTime(2025, 4, 1, 15, 49, 44, 0, "+", 2, 0)
    ) == (b"\x31\x00\x01a\x00\x0b\x07\xe9\x04\x01\x0f\x31\x2c\x00+\x02\x00")
    assert one(IppValueTag.TEXT_WITH_LANGUAGE, IppTextWithLanguage("hi", "en")) == (
        b"\x35\x00\x01a\x00\x08\x00\x02en\x00\x02hi"
    )
    assert (
        one(IppValueTag.NO_VALUE, IppOutOfBand(IppValueTag.NO_VALUE))
        == b"\x13\x00\x01a\x00\x00"
    )
    assert one(IppValueTag.EXTENSION, IppExtension(0x40000000, b"x")) == (
        b"\x7f\x00\x01a\x00\x05\x40\x00\x00\x00x"
    )
    collection = IppCollection([IppAttribute("m", IppValueTag.KEYWORD, "k", "l")])
    assert one(IppValueTag.BEG_COLLECTION, collection) == (
        b"\x34\x00\x01a\x00\x00"
        b"\x4a\x00\x00\x00\x01m"
        b"\x44\x00\x00\x00\x01k"
        b"\x44\x00\x00\x00\x01l"
        b"\x37\x00\x00\x00\x00"
    )
    # Text in an octetString is accepted for convenience (printer-supply).
    assert one(IppValueTag.OCTET_STRING, "level=5;") == b"\x30\x00\x01a\x00\x08level=5;"


def _every_tag_message() -> IppMessage:
    nested = IppCollection(
        [
            IppAttribute(
                "media-size",
                IppValueTag.BEG_COLLECTION,
                IppCollection(
                    [
                        IppAttribute("x-dimension", IppValueTag.INTEGER, 21000),
                        IppAttribute("y-dimension", IppValueTag.INTEGER, 29700),
                    ]
                ),
            ),
            IppAttribute("media-type", IppValueTag.KEYWORD, "stationery"),
        ]
    )
    mixed = IppAttribute("media-type-supported", IppValueTag.KEYWORD, "stationery")
    mixed.append("HPMatte90gsm", IppValueTag.NAME)
    mixed.append(IppOutOfBand(IppValueTag.UNKNOWN), IppValueTag.UNKNOWN)
    attrs = [
        IppAttribute("i", IppValueTag.INTEGER, 0, -(2**31), 2**31 - 1),
        IppAttribute("b", IppValueTag.BOOLEAN, True, False),
        IppAttribute("e", IppValueTag.ENUM, 3),
        IppAttribute("o", IppValueTag.OCTET_STRING, b"\x00\xff", b""),
        IppAttribute(
            "d",
            IppValueTag.DATE_TIME,
            IppDateTime(2024, 2, 29, 23, 59, 60, 9, "-", 11, 30),
        ),
        IppAttribute("r", IppValueTag.RESOLUTION, IppResolution(300, 300, 4)),
        IppAttribute("g", IppValueTag.RANGE_OF_INTEGER, IppRangeOfInteger(-5, 5)),
        IppAttribute("c", IppValueTag.BEG_COLLECTION, nested, IppCollection()),
        IppAttribute(
            "tl", IppValueTag.TEXT_WITH_LANGUAGE, IppTextWithLanguage("Grüße", "de")
        ),
        IppAttribute("nl", IppValueTag.NAME_WITH_LANGUAGE, IppTextWithLanguage("", "")),
        IppAttribute("t", IppValueTag.TEXT, "ünïcode ✓", ""),
        IppAttribute("n", IppValueTag.NAME, "name"),
        IppAttribute("k", IppValueTag.KEYWORD, "none"),
        IppAttribute("u", IppValueTag.URI, "ipp://h/ipp/print"),
        IppAttribute("us", IppValueTag.URI_SCHEME, "ipps"),
        IppAttribute("cs", IppValueTag.CHARSET, "utf-8"),
        IppAttribute("lang", IppValueTag.NATURAL_LANGUAGE, "en"),
        IppAttribute("mt", IppValueTag.MIME_MEDIA_TYPE, "image/pwg-raster"),
        IppAttribute("x", IppValueTag.EXTENSION, IppExtension(0x12345678, b"abc")),
        IppAttribute("reserved", 0x43, b"raw string-ish"),
        IppAttribute("reserved-int", 0x60, b"\x01"),
        IppAttribute("high", 0x80, b""),
        mixed,
    ]
    attrs += [
        IppAttribute(f"oob-{int(tag):x}", tag, IppOutOfBand(tag))
        for tag in (
            IppValueTag.UNSUPPORTED,
            IppValueTag.DEFAULT,
            IppValueTag.UNKNOWN,
            IppValueTag.NO_VALUE,
            IppValueTag.NOT_SETTABLE,
            IppValueTag.DELETE_ATTRIBUTE,
            IppValueTag.ADMIN_DEFINE,
        )
    ]
    groups = [
        IppAttributeGroup(
            tag,
            attrs
            if tag == IppGroupTag.JOB
            else [IppAttribute("k", IppValueTag.KEYWORD, "v")],
        )
        for tag in (*IppGroupTag.__members__.values(), 0x0B)
        if tag != IppGroupTag.END
    ]
    return IppMessage(0x0507, 2**32 - 1, groups, (1, 1), b"%PDF-1.7\n")


def test_every_value_and_group_tag_round_trips() -> None:
    message = _every_tag_message()
    raw = c.encode_ipp(message)
    decoded = c.decode_ipp(raw)
    assert decoded == message
    assert c.encode_ipp(decoded) == raw
    assert decoded.data == b"%PDF-1.7\n"
    assert [g.tag for g in decoded.groups] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    assert decoded.job["media-type-supported"].tags == [
        IppValueTag.KEYWORD,
        IppValueTag.NAME,
        IppValueTag.UNKNOWN,
    ]


def test_invalid_utf8_survives_byte_for_byte() -> None:
    raw = (
        b"\x02\x00\x00\x00\x00\x00\x00\x01\x04"
        b"\x41\x00\x10printer-location\x00\x04Caf\xe9"
        b"\x03"
    )
    message = c.decode_ipp(raw)
    location = message.printer.value("printer-location")
    assert isinstance(location, str)
    assert location.startswith("Caf")
    assert c.encode_ipp(message) == raw


def test_decode_header_gives_the_document_offset_for_streaming() -> None:
    request = c.new_ipp_request(c.IppOperation.PRINT_JOB, "ipp://h/ipp/print")
    request.operation.set(
        "document-format", IppValueTag.MIME_MEDIA_TYPE, "application/pdf"
    )
    header = request.encode()
    body = header + b"%PDF-1.4 ..."
    # A server reads more until the header is complete.
    for size in range(len(header)):
        with pytest.raises(IppTruncatedError):
            c.decode_ipp_header(body[:size])
    message, offset = c.decode_ipp_header(body)
    assert offset == len(header)
    assert body[offset:] == b"%PDF-1.4 ..."
    assert message.data == b""
    assert message.operation.value("document-format") == "application/pdf"
    assert c.decode_ipp(body).data == b"%PDF-1.4 ..."


def test_size_caps() -> None:
    raw = RAW["M127fw"].read_bytes()
    with pytest.raises(HPEWSParseError, match="limit") as err:
        c.decode_ipp(raw, max_size=len(raw) - 1)
    assert not isinstance(err.value, IppTruncatedError)
    with pytest.raises(HPEWSParseError, match="limit") as err:
        c.decode_ipp_header(raw, max_size=100)
    assert not isinstance(err.value, IppTruncatedError)
    assert c.decode_ipp_header(raw, max_size=len(raw))[1] == len(raw)
    # Document data beyond the header cap does not count against it.
    assert c.decode_ipp_header(raw + b"x" * 50, max_size=len(raw))[1] == len(raw)


# --- malformed input ---------------------------------------------------------------

_HEAD = b"\x02\x00\x00\x00\x00\x00\x00\x01"


def _attr(tag: int, name: bytes, value: bytes) -> bytes:
    return bytes([tag]) + len(name).to_bytes(2) + name + len(value).to_bytes(2) + value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\x00\x03", "reserved"),
        (_attr(0x44, b"k", b"v") + b"\x03", "outside any attribute group"),
        (b"\x01" + _attr(0x44, b"", b"v") + b"\x03", "additional value"),
        (b"\x01" + _attr(0x21, b"i", b"\x00\x01") + b"\x03", "length 2"),
        (b"\x01" + _attr(0x22, b"b", b"") + b"\x03", "length 0"),
        (b"\x01" + _attr(0x31, b"d", b"\x00" * 10) + b"\x03", "length 10"),
        (b"\x01" + _attr(0x32, b"r", b"\x00" * 8) + b"\x03", "length 8"),
        (b"\x01" + _attr(0x33, b"g", b"\x00" * 9) + b"\x03", "length 9"),
        (b"\x01" + _attr(0x37, b"e", b"") + b"\x03", "outside a collection"),
        (b"\x01" + _attr(0x4A, b"m", b"x") + b"\x03", "outside a collection"),
        (b"\x01" + _attr(0x7F, b"x", b"\x00\x00\x01") + b"\x03", "extension"),
        (
            b"\x01" + _attr(0x34, b"c", b"") + _attr(0x44, b"", b"v") + b"\x03",
            "before a member name",
        ),
        (
            b"\x01" + _attr(0x34, b"c", b"") + _attr(0x4A, b"", b"m") + b"\x03",
            "not closed",
        ),
        (
            b"\x01"
            + _attr(0x34, b"c", b"")
            + _attr(0x4A, b"", b"m")
            + _attr(0x37, b"", b""),
            "member without a value",
        ),
        (
            b"\x01"
            + _attr(0x34, b"c", b"")
            + _attr(0x4A, b"", b"m")
            + _attr(0x4A, b"", b"n")
            + _attr(0x44, b"", b"v")
            + _attr(0x37, b"", b""),
            "member without a value",
        ),
        (
            b"\x01" + _attr(0x34, b"c", b"") + _attr(0x4A, b"n", b"m") + b"\x03",
            "with a name",
        ),
        (
            b"\x01"
            + _attr(0x34, b"c", b"")
            + (_attr(0x4A, b"", b"m") + _attr(0x34, b"", b"")) * 17,
            "nested too deeply",
        ),
        # The HP fallback still needs the text that the length promises.
        (b"\x01" + _attr(0x36, b"n", b"de") + b"\x00", "truncated"),
    ],
)
def test_malformed_input_raises_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(HPEWSParseError, match=message):
        c.decode_ipp(_HEAD + body)


def test_collection_quirks_tolerated() -> None:
    # A non-empty begCollection/endCollection payload and a repeated member or
    # attribute name are protocol violations that lose nothing we use.
    body = (
        b"\x04"
        + _attr(0x34, b"c", b"junk")
        + _attr(0x4A, b"", b"m")
        + _attr(0x21, b"", b"\x00\x00\x00\x01")
        + _attr(0x4A, b"", b"m")
        + _attr(0x21, b"", b"\x00\x00\x00\x02")
        + _attr(0x37, b"", b"xx")
        + _attr(0x44, b"k", b"first")
        + _attr(0x44, b"k", b"second")
        + _attr(0x44, b"", b"more")
        + b"\x03"
    )
    printer = c.decode_ipp(_HEAD + body).printer
    collection = printer.value("c")
    assert isinstance(collection, IppCollection)
    assert collection.values("m") == [1]
    assert printer.values("k") == ["first"]


def test_truncations_of_real_fixtures_raise_truncated() -> None:
    for raw in FIXTURE_BYTES:
        for size in range(0, len(raw), 97):
            with pytest.raises(IppTruncatedError):
                c.decode_ipp(raw[:size])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_only_raise_parse_error(data: bytes) -> None:
    _decode_and_check(data)
    _decode_and_check(_HEAD + b"\x04" + data)


@settings(max_examples=100, deadline=None)
@given(
    index=st.integers(0, len(FIXTURE_BYTES) - 1),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
)
def test_damaged_real_fixtures_only_raise_parse_error(
    index: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    raw = bytearray(FIXTURE_BYTES[index])
    for where, byte in flips:
        raw[int(where * (len(raw) - 1))] = byte
    _decode_and_check(bytes(raw))
    _decode_and_check(bytes(raw[: int(cut * len(raw))]))


def _decode_and_check(data: bytes) -> None:
    try:
        message = c.decode_ipp(data)
    except HPEWSParseError:
        return
    # Whatever decodes re-encodes, and the result is a fixed point.
    raw = c.encode_ipp(message)
    again = c.decode_ipp(raw)
    assert again == message
    assert c.encode_ipp(again) == raw


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just(IppValueTag.INTEGER), st.integers(-(2**31), 2**31 - 1)),
            st.tuples(st.just(IppValueTag.BOOLEAN), st.booleans()),
            st.tuples(st.just(IppValueTag.OCTET_STRING), st.binary(max_size=20)),
            st.tuples(st.just(IppValueTag.TEXT), st.text(max_size=20)),
            st.tuples(
                st.just(IppValueTag.NAME_WITH_LANGUAGE),
                st.builds(
                    IppTextWithLanguage, st.text(max_size=10), st.text(max_size=5)
                ),
            ),
            st.tuples(
                st.just(IppValueTag.RANGE_OF_INTEGER),
                st.builds(
                    IppRangeOfInteger, st.integers(-100, 100), st.integers(-100, 100)
                ),
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_generated_attributes_round_trip(values: list[tuple[int, c.IppValue]]) -> None:
    attribute = IppAttribute("a", values[0][0], values[0][1])
    for tag, value in values[1:]:
        attribute.append(value, tag)
    member = IppCollection([attribute])
    message = IppMessage(
        0,
        1,
        [
            IppAttributeGroup(
                IppGroupTag.PRINTER,
                [attribute, IppAttribute("c", IppValueTag.BEG_COLLECTION, member)],
            )
        ],
    )
    assert c.decode_ipp(c.encode_ipp(message)) == message


# --- encoder misuse is a programming error -------------------------------------------


@pytest.mark.parametrize(
    ("tag", "value", "error"),
    [
        (IppValueTag.INTEGER, True, TypeError),
        (IppValueTag.INTEGER, "1", TypeError),
        (IppValueTag.INTEGER, 2**31, ValueError),
        (IppValueTag.BOOLEAN, 1, TypeError),
        (IppValueTag.KEYWORD, b"x", TypeError),
        (IppValueTag.TEXT_WITH_LANGUAGE, "x", TypeError),
        (IppValueTag.BEG_COLLECTION, "x", TypeError),
        (IppValueTag.OCTET_STRING, 5, TypeError),
        (IppValueTag.NO_VALUE, b"", TypeError),
        (IppValueTag.END_COLLECTION, b"", ValueError),
        (IppValueTag.MEMBER_ATTR_NAME, "m", ValueError),
        (IppValueTag.KEYWORD, "x" * 70000, ValueError),
        (0x05, "x", ValueError),
    ],
)
def test_encoder_rejects_values_their_tag_cannot_carry(
    tag: int, value: c.IppValue, error: type[Exception]
) -> None:
    message = IppMessage(
        0, 1, [IppAttributeGroup(IppGroupTag.JOB, [IppAttribute("a", tag, value)])]
    )
    with pytest.raises(error):
        c.encode_ipp(message)


def test_encoder_rejects_bad_structure() -> None:
    with pytest.raises(ValueError, match="no values"):
        c.encode_ipp(
            IppMessage(
                0, 1, [IppAttributeGroup(IppGroupTag.JOB, [IppAttribute("a", 0x44)])]
            )
        )
    with pytest.raises(ValueError, match="group tag"):
        c.encode_ipp(IppMessage(0, 1, [IppAttributeGroup(IppGroupTag.END)]))
    with pytest.raises(ValueError, match="group tag"):
        c.encode_ipp(IppMessage(0, 1, [IppAttributeGroup(0x10)]))
    with pytest.raises(ValueError, match="header"):
        c.encode_ipp(IppMessage(0x10000, 1))
    with pytest.raises(ValueError, match="header"):
        c.encode_ipp(IppMessage(0, -1))


# --- the small API ---------------------------------------------------------------------


def test_names_of_operations_and_status_codes() -> None:
    assert c.ipp_operation_name(0x003C) == "Identify-Printer"
    assert c.ipp_operation_name(0x0002) == "Print-Job"
    assert c.ipp_operation_name(0x0003) == "Print-URI"
    assert c.ipp_operation_name(0x0007) == "Send-URI"
    assert c.ipp_operation_name(0x000B) == "Get-Printer-Attributes"
    assert c.ipp_operation_name(0x0039) == "Cancel-My-Jobs"
    # HP vendor operations, spelled as ipptool prints them in the P57750 dump.
    assert c.ipp_operation_name(0x4029) == "0x4029"
    assert c.ipp_operation_name(0x402A) == "0x402a"
    assert c.ipp_status_name(0x0000) == "successful-ok"
    assert c.ipp_status_name(0x0507) == "server-error-busy"
    assert c.ipp_status_name(0x040A) == "client-error-document-format-not-supported"
    assert c.ipp_status_name(0x0BAD) == "0x0bad"
    assert c.ipp_successful(0x0001)
    assert not c.ipp_successful(0x0400)


def test_datetime_from_python() -> None:
    value = IppDateTime(2025, 4, 1, 15, 49, 44, 3, "-", 5, 30)
    aware = dt.datetime(
        2025,
        4,
        1,
        15,
        49,
        44,
        300_000,
        tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)),
    )
    assert IppDateTime.from_datetime(aware) == value
    assert IppDateTime.from_datetime(dt.datetime(2025, 1, 2, 3, 4, 5)) == IppDateTime(  # noqa: DTZ001
        2025, 1, 2, 3, 4, 5, 0, "+", 0, 0
    )


def test_small_value_helpers() -> None:
    assert IppResolution(600, 600).dpi == 600
    assert IppResolution(118, 118, 4).dpi == 300
    assert str(IppTextWithLanguage("A4-blank.pdf", "de")) == "A4-blank.pdf"


def test_group_and_message_helpers() -> None:
    message = c.new_ipp_response(
        c.IppStatusCode.SERVER_ERROR_BUSY,
        9,
        status_message="busy",
        natural_language="de",
    )
    assert message.operation.names() == [
        "attributes-charset",
        "attributes-natural-language",
        "status-message",
    ]
    assert message.operation.value("attributes-natural-language") == "de"
    assert message.status_code == message.operation_id == 0x0507
    # Missing groups read as empty, detached groups.
    assert len(message.printer) == 0
    assert message.job.value("job-id") is None
    assert message.job.values("job-id") == []
    assert message.group(IppGroupTag.JOB) is None

    first = message.add_group(IppGroupTag.JOB)
    assert message.group(IppGroupTag.JOB) is first
    second = message.add_group(IppGroupTag.JOB)
    assert message.groups_of(IppGroupTag.JOB) == [first, second]
    first.set("job-id", IppValueTag.INTEGER, 1)
    second.set("job-id", IppValueTag.INTEGER, 2)
    assert message.find("job-id") == IppAttribute("job-id", IppValueTag.INTEGER, 1)
    assert message.find("nope") is None

    first.set("job-state", IppValueTag.ENUM, 3)
    first.set("job-id", IppValueTag.INTEGER, 5)  # replaced in place
    assert [a.name for a in first] == ["job-id", "job-state"]
    assert "job-state" in first
    first.remove("job-state")
    first.remove("job-state")
    assert "job-state" not in first
    assert first.get("job-state") is None
    assert first["job-id"].value == 5

    assert IppMessage.decode(message.encode()) == message
    assert first != second
    assert first != "x"
    assert IppAttribute("a", 0x44, "x") != "x"
    assert IppCollection() != "x"

    late = IppAttribute("a", IppValueTag.KEYWORD)
    late.append("x")
    late.append("y")
    assert late.values == ["x", "y"]
    assert late.tags == [IppValueTag.KEYWORD, IppValueTag.KEYWORD]
    typed = IppAttribute("b", IppValueTag.KEYWORD)
    typed.append("n", IppValueTag.NAME)
    assert typed.tag == IppValueTag.NAME


def test_reprs_are_readable() -> None:
    mixed = IppAttribute("a", IppValueTag.KEYWORD, "x")
    mixed.append("y", IppValueTag.NAME)
    assert repr(mixed) == "Attribute('a', [KEYWORD:'x', NAME:'y'])"
    assert repr(IppAttribute("b", 0x60, b"\x01")) == "Attribute('b', 0x60, b'\\x01')"
    assert repr(IppAttributeGroup(IppGroupTag.JOB)) == "AttributeGroup(JOB, [])"
    assert repr(IppAttributeGroup(0x0C)) == "AttributeGroup(0x0c, [])"
    assert repr(IppCollection()) == "Collection([])"


def test_minimal_request_and_response() -> None:
    request = c.new_ipp_request(c.IppOperation.GET_JOBS, request_id=3)
    assert request.operation.names() == [
        "attributes-charset",
        "attributes-natural-language",
    ]
    response = c.new_ipp_response(0, 3)
    assert response.operation.names() == [
        "attributes-charset",
        "attributes-natural-language",
    ]


@pytest.mark.parametrize(
    "value",
    [
        b"\x00",  # value-length promises more than there is
        b"\x00\x0a\x00\x02en",  # language, then nothing
        b"\x00\x0a\x00\x02en\x00",  # half a text length
    ],
)
def test_truncated_name_with_language(value: bytes) -> None:
    with pytest.raises(IppTruncatedError):
        c.decode_ipp(_HEAD + b"\x02" + b"\x36\x00\x01n" + value)


# --- hostile messages: the value cap and keep= ------------------------------------------


def _message(*records: bytes, group: int = 0x04) -> bytes:
    return _HEAD + bytes([group]) + b"".join(records) + b"\x03"


def test_four_mib_of_empty_values_is_refused_while_reading() -> None:
    unit = _attr(0x30, b"", b"")
    data = _HEAD + b"\x04" + _attr(0x30, b"x", b"")
    data += unit * ((c.MAX_MESSAGE_SIZE - len(data) - 1) // len(unit)) + b"\x03"
    # 800 000 values; the decoder stops after MAX_VALUES, whatever follows.
    with pytest.raises(HPEWSParseError, match="too many values"):
        c.decode_ipp(data)
    prefix = data[: len(data) // 8]
    assert lines(_refused, data) == lines(_refused, prefix)


def _refused(data: bytes) -> None:
    with pytest.raises(HPEWSParseError, match="too many values"):
        c.decode_ipp(data)


@pytest.mark.parametrize(
    "keep",
    [None, {}, {"x": 1}],
    ids=["decoded", "skipped", "partly-skipped"],
)
def test_value_cap_counts_every_value(keep: dict[str, int] | None) -> None:
    member = _attr(0x4A, b"", b"m") + _attr(0x21, b"", b"\x00\x00\x00\x01")
    collection = _attr(0x34, b"", b"") + member + _attr(0x37, b"", b"")
    # Ten collections of four values: begin, member name, member value, end.
    data = _message(
        _attr(0x34, b"x", b"") + member + _attr(0x37, b"", b""), collection * 9
    )
    assert len(c.decode_ipp(data, keep=keep, max_values=40).groups) == 1
    with pytest.raises(HPEWSParseError, match="too many values"):
        c.decode_ipp(data, keep=keep, max_values=39)
    with pytest.raises(HPEWSParseError, match="too many values"):
        c.decode_ipp_header(data, keep=keep, max_values=2)


def test_keep_decodes_only_what_it_names() -> None:
    raw = RAW["M476dn"].read_bytes()
    full = c.decode_ipp(raw)
    keep = {"printer-state": 1, "media-supported": 3, "printer-uri-supported": 99}
    message = c.decode_ipp(raw, keep=keep)
    assert message.operation.names() == []
    assert message.printer.names() == [
        name for name in full.printer.names() if name in keep
    ]
    for name, count in keep.items():
        assert message.printer.values(name) == full.printer.values(name)[:count]
    assert message.data == full.data


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(sorted(RAW)),
    choice=st.dictionaries(st.integers(0, 200), st.integers(0, 40), max_size=30),
)
def test_keep_matches_the_full_decode(model: str, choice: dict[int, int]) -> None:
    raw = RAW[model].read_bytes()
    full = c.decode_ipp(raw)
    names = [name for group in full.groups for name in group.names()]
    keep = {names[i % len(names)]: count for i, count in choice.items()}
    message = c.decode_ipp(raw, keep=keep)
    for kept_group, group in zip(message.groups, full.groups, strict=True):
        assert kept_group.tag == group.tag
        expected = [
            (a.name, a.values[: keep[a.name]]) for a in group if keep.get(a.name, 0) > 0
        ]
        assert [(a.name, a.values) for a in kept_group] == expected


def test_skipped_values_of_every_shape() -> None:
    data = _message(
        # HP's nameWithLanguage without its outer length (M175nw), skipped.
        b"\x36\x00\x01a\x00\x02en\x00\x03abc",
        _attr(0x35, b"", b"\x00\x02en\x00\x02hi"),
        # A skipped collection holding another.
        _attr(0x34, b"b", b""),
        _attr(0x4A, b"", b"m"),
        _attr(0x34, b"", b""),
        _attr(0x37, b"", b""),
        _attr(0x37, b"", b""),
        _attr(0x44, b"k", b"kept"),
        _attr(0x44, b"", b"second"),
        _attr(0x44, b"", b"past the count"),
        # A duplicate of a kept attribute is skipped.
        _attr(0x44, b"k", b"again"),
        _attr(0x44, b"", b"again"),
        _attr(0x21, b"i", b"\x00\x00\x00\x07"),
    )
    printer = c.decode_ipp(data, keep={"k": 2, "i": 1, "zero": 0}).printer
    assert printer.names() == ["k", "i"]
    assert printer.values("k") == ["kept", "second"]
    assert printer.value("i") == 7


@pytest.mark.parametrize(
    "body",
    [
        _attr(0x44, b"x", b"v") + b"\x44\x00",
        _attr(0x44, b"x", b"v") + b"\x44\x00\x00\x00",
        _attr(0x44, b"x", b"v") + b"\x44\x00\x00\x00\x05ab",
        _attr(0x44, b"x", b"v") + b"\x36\x00\x00\x00\x02en\x00\x09",
        _attr(0x44, b"x", b"v") + b"\x44",
        _attr(0x44, b"x", b"v"),
    ],
)
def test_skipped_values_that_end_early_are_truncated(body: bytes) -> None:
    with pytest.raises(IppTruncatedError):
        c.decode_ipp(_HEAD + b"\x04" + body, keep={})
    with pytest.raises(IppTruncatedError):
        c.decode_ipp(_HEAD + b"\x04" + body)


def test_skipped_values_past_the_size_limit_are_a_limit_error() -> None:
    data = _HEAD + b"\x04" + _attr(0x44, b"x", b"v") + _attr(0x44, b"", b"w" * 50)
    with pytest.raises(HPEWSParseError, match="limit") as err:
        c.decode_ipp_header(data + b"\x03", max_size=len(data) - 10, keep={})
    assert not isinstance(err.value, IppTruncatedError)


def test_malformed_records_are_refused_even_when_skipped() -> None:
    with pytest.raises(HPEWSParseError, match="outside a collection"):
        c.decode_ipp(_message(_attr(0x44, b"x", b"v"), _attr(0x37, b"e", b"")), keep={})
    with pytest.raises(HPEWSParseError, match="outside any attribute group"):
        c.decode_ipp(_HEAD + _attr(0x44, b"x", b"v") + b"\x03", keep={})


def test_skipping_costs_less_than_half_of_decoding() -> None:
    values = _attr(0x44, b"x", b"k") + _attr(0x44, b"", b"k") * 2000
    named = b"".join(_attr(0x44, b"n%04d" % n, b"k") for n in range(2000))
    for body in (values, named):
        data = _message(body)
        base = _message(b"")
        decoded = lines(c.decode_ipp, data) - lines(c.decode_ipp, base)
        skipped = _skip_lines(data) - _skip_lines(base)
        assert skipped < decoded / 2


def _skip_lines(data: bytes) -> int:
    return lines(lambda: c.decode_ipp(data, keep={}))


def test_any_bytes_like_input_decodes_the_same() -> None:
    raw = RAW["M127fw"].read_bytes()
    message = c.decode_ipp(raw)
    assert c.decode_ipp(bytearray(raw)) == message
    assert c.decode_ipp(memoryview(raw)) == message
    assert c.decode_ipp_header(memoryview(raw + b"%PDF"), max_size=len(raw))[1] == len(
        raw
    )


def test_collection_tags_as_additional_values_are_refused() -> None:
    for tag in (0x37, 0x4A):
        with pytest.raises(HPEWSParseError, match="outside a collection"):
            c.decode_ipp(_message(_attr(0x44, b"k", b"v"), _attr(tag, b"", b"")))


@pytest.mark.parametrize(
    "value",
    [
        b"\x00\x09en\x00\x02hi",  # the language length promises more than there is
        b"\x00\x02en\x00\x05hi",  # language and text lengths do not add up
    ],
)
def test_with_language_values_that_do_not_add_up_get_the_hp_reading(
    value: bytes,
) -> None:
    # Read the M175nw way: the value length was the language's, then comes
    # the text with its own length.
    record = b"\x35\x00\x01t" + len(value).to_bytes(2) + value + b"\x00\x02xy"
    for keep in (None, {"t": 1}, {}):
        printer = c.decode_ipp(_message(record), keep=keep).printer
        expected = [IppTextWithLanguage("xy", value.decode())] if keep != {} else []
        assert printer.values("t") == expected
