"""Hostile input: only HPEWSParseError may leave a parser.

Printers are untrusted peers. XML entity tricks are refused outright, and
property-based tests feed arbitrary bytes, truncated real fixtures and
randomly shaped documents to every parser.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.hp_ews.client import ipp
from custom_components.hp_ews.client.errors import HPEWSIPPError, HPEWSParseError
from custom_components.hp_ews.client.ipp import codec as c
from custom_components.hp_ews.client.ipp.codec import (
    IppAttribute,
    IppAttributeGroup,
    IppCollection,
    IppDateTime,
    IppGroupTag,
    IppOutOfBand,
    IppRangeOfInteger,
    IppResolution,
    IppTextWithLanguage,
    IppValueTag,
)
from custom_components.hp_ews.client.protocols import care, cdm, ledm
from custom_components.hp_ews.client.protocols.xmlsafe import parse_xml
from tests.conftest import FIXTURES

Parser = Callable[[bytes], object]

LEDM_PARSERS: tuple[Parser, ...] = (
    ledm.parse_discovery_tree,
    ledm.parse_product_config,
    ledm.parse_product_status,
    ledm.parse_consumables,
    ledm.parse_usage,
    care.parse_media_handling,
)
CDM_PARSERS: tuple[Parser, ...] = (
    cdm.parse_services_discovery,
    cdm.parse_identity,
    cdm.parse_system_status,
    cdm.parse_print_status,
    cdm.parse_alerts,
    cdm.parse_supplies,
    cdm.parse_lifetime_counters,
    care.parse_update_check,
    care.parse_firmware_configuration,
)
IPP_PARSERS: tuple[Parser, ...] = (
    lambda data: ipp.parse_printer_attributes(data, "http://127.0.0.1:631/ipp/print"),
    ipp.parse_job_attributes,
    ipp.check_response,
)
ALL_PARSERS: tuple[Parser, ...] = (
    *LEDM_PARSERS,
    *CDM_PARSERS,
    *IPP_PARSERS,
)

FIXTURE_FILES = sorted(
    path
    for folder in ("ledm", "cdm", "pjl", "ews_legacy", "ipp")
    for path in (FIXTURES / folder).iterdir()
    if path.is_file()
)
FIXTURE_BYTES = {path.name: path.read_bytes() for path in FIXTURE_FILES}

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def only_parse_errors(parser: Parser, data: bytes) -> None:
    # HPEWSIPPError: an IPP answer with an error status, read correctly.
    with contextlib.suppress(HPEWSParseError, HPEWSIPPError):
        parser(data)


# --- Entity attacks -------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<psdyn:ProductStatusDyn xmlns:psdyn="http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31"
 xmlns:pscat="http://www.hp.com/schemas/imaging/con/ledm/productstatuscategories/2007/10/31">
<psdyn:Status><pscat:StatusCategory>&lol9;</pscat:StatusCategory></psdyn:Status>
</psdyn:ProductStatusDyn>"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<ledm:DiscoveryTree xmlns:ledm="http://www.hp.com/schemas/imaging/con/ledm/2007/09/21"
 xmlns:dd="http://www.hp.com/schemas/imaging/con/dictionaries/1.0/">
<ledm:SupportedTree><dd:ResourceURI>/&xxe;</dd:ResourceURI></ledm:SupportedTree>
</ledm:DiscoveryTree>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote; ]>
<r/>"""

EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>'
)


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        XXE,
        PARAMETER_ENTITY,
        EXTERNAL_DTD,
        # The same bombs with the declaration hidden by indentation or a BOM.
        b"  \n" + BILLION_LAUGHS,
        b"\xef\xbb\xbf" + XXE,
        # Declared as UTF-16 but sent as UTF-8: read as the UTF-8 it is.
        XXE.replace(b"UTF-8", b"UTF-16"),
        # Real UTF-16 is refused before any parsing.
        XXE.decode().replace("UTF-8", "UTF-16").encode("utf-16"),
        XXE.decode().replace("UTF-8", "UTF-16").encode("utf-16-be"),
        # A lower-case doctype is not XML at all.
        XXE.replace(b"<!DOCTYPE", b"<!doctype"),
    ],
    ids=[
        "billion-laughs",
        "xxe",
        "parameter-entity",
        "external-dtd",
        "indented",
        "bom",
        "declared-utf16",
        "utf16-bom",
        "utf16-no-bom",
        "lowercase",
    ],
)
def test_entity_attacks_are_refused(data: bytes) -> None:
    with pytest.raises(HPEWSParseError):
        parse_xml(data)
    for parser in LEDM_PARSERS:
        with pytest.raises(HPEWSParseError):
            parser(data)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY, EXTERNAL_DTD])
def test_refused_for_the_declaration_not_by_luck(data: bytes) -> None:
    # expat would also choke on some of these; the refusal must come first.
    with pytest.raises(HPEWSParseError, match="contains <!DOCTYPE, refused"):
        parse_xml(data)


def test_deep_nesting_is_harmless() -> None:
    deep = b"<a>" * 50_000 + b"</a>" * 50_000
    for parser in LEDM_PARSERS:
        with pytest.raises(HPEWSParseError):
            parser(deep)
    # Python 3.13's json gives up (RecursionError), 3.14's parses it: either
    # way the caller sees a library error or an empty result.
    deep_json = b'{"alerts":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    for parser in CDM_PARSERS:
        only_parse_errors(parser, deep_json)


# --- Property-based -------------------------------------------------------------


@FUZZ
@given(parser=st.sampled_from(ALL_PARSERS), data=st.binary(max_size=2048))
def test_arbitrary_bytes(parser: Parser, data: bytes) -> None:
    only_parse_errors(parser, data)


@FUZZ
@given(
    parser=st.sampled_from(ALL_PARSERS),
    name=st.sampled_from(sorted(FIXTURE_BYTES)),
    cut=st.floats(min_value=0, max_value=1),
)
def test_truncated_fixtures(parser: Parser, name: str, cut: float) -> None:
    data = FIXTURE_BYTES[name]
    only_parse_errors(parser, data[: int(len(data) * cut)])


@FUZZ
@given(
    parser=st.sampled_from(ALL_PARSERS),
    name=st.sampled_from(sorted(FIXTURE_BYTES)),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1), st.binary(min_size=0, max_size=8)
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_fixtures(
    parser: Parser, name: str, edits: list[tuple[float, bytes]]
) -> None:
    data = bytearray(FIXTURE_BYTES[name])
    for where, replacement in edits:
        at = int(len(data) * where)
        data[at : at + len(replacement)] = replacement
    only_parse_errors(parser, bytes(data))


# Random XML built from LEDM vocabulary, so the parsers' logic (not just the
# XML layer) sees odd shapes: missing, repeated, empty and garbage fields.
HP = "http://www.hp.com/schemas/imaging/con/"
ROOTS = [
    ("ledm/2007/09/21", "DiscoveryTree"),
    ("ledm/productconfigdyn/2009/03/16", "ProductConfigDyn"),
    ("ledm/productstatusdyn/2007/10/31", "ProductStatusDyn"),
    ("ledm/consumableconfigdyn/2007/11/19", "ConsumableConfigDyn"),
    ("ledm/productusagedyn/2007/12/11", "ProductUsageDyn"),
]
NAMES = [
    "SupportedTree",
    "ResourceURI",
    "ManifestURI",
    "ProductInformation",
    "MakeAndModel",
    "SKUIdentifier",
    "SerialNumber",
    "UUID",
    "Version",
    "Revision",
    "Status",
    "StatusCategory",
    "LocString",
    "AlertTable",
    "ModificationNumber",
    "Alert",
    "ProductStatusAlertID",
    "Severity",
    "AlertDetails",
    "AlertDetailsMarkerColor",
    "ConsumableInfo",
    "ConsumableLabelCode",
    "ConsumableTypeEnum",
    "ConsumableLifeState",
    "ConsumableState",
    "MeasuredQuantityState",
    "Brand",
    "ConsumablePercentageLevelRemaining",
    "ConsumableSelectibilityNumber",
    "ProductNumber",
    "ConsumableStation",
    "IsSupplyLevelUnknown",
    "PrinterSubunit",
    "TotalImpressions",
    "ColorImpressions",
    "ScannerEngineSubunit",
    "ScanImages",
    "AdfImages",
    "ConsumableSubunit",
    "Consumable",
    "MarkerColor",
    "EstimatedPagesRemaining",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "ok",
            "inkTank",
            "inkCartridge",
            "printhead",
            "K",
            "CMY",
            "-5",
            "2733.4",
            "NaN",
            "1e999",
            "INSTANT INK",
            "true",
            "unknown",
            "/x",
            "Black",
            "inPowerSave",
            "jamInPrinter",
            "genuineHP",
            "Info",
            "urn:uuid:x",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),
)


def _xml_tree(depth: int) -> st.SearchStrategy[str]:
    leaf = st.builds(
        lambda name, value: f"<d:{name}>{_escape(value)}</d:{name}>",
        st.sampled_from(NAMES),
        VALUES,
    )
    if depth == 0:
        return leaf
    node = st.builds(
        lambda name, kids: f"<d:{name}>{''.join(kids)}</d:{name}>",
        st.sampled_from(NAMES),
        st.lists(_xml_tree(depth - 1), max_size=4),
    )
    return st.one_of(leaf, node)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


@FUZZ
@given(
    parser=st.sampled_from(LEDM_PARSERS),
    root=st.sampled_from(ROOTS),
    body=st.lists(_xml_tree(3), max_size=6),
)
def test_random_ledm_shapes(
    parser: Parser, root: tuple[str, str], body: list[str]
) -> None:
    uri, name = root
    data = (
        f'<r:{name} xmlns:r="{HP}{uri}" xmlns:d="{HP}dictionaries/1.0/">{"".join(body)}</r:{name}>'
    ).encode()
    only_parse_errors(parser, data)


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(
            [
                "true",
                "false",
                "ok",
                "inkTank",
                "inkCartridge",
                "K",
                "CMY",
                "-3",
                "12.5",
                "INSTANT INK",
                "inPowerSave",
                "idle",
                "none",
                "jamInPrinter",
                "/cdm/x",
                "/suppliesList/0/colors",
                "information",
            ]
        ),
        st.text(max_size=8),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "services",
                    "links",
                    "href",
                    "makeAndModel",
                    "name",
                    "skuIdentifier",
                    "serialNumber",
                    "deviceUuid",
                    "status",
                    "printerState",
                    "printerStateReasons",
                    "alerts",
                    "category",
                    "severity",
                    "data",
                    "propertyPointer",
                    "value",
                    "seValue",
                    "suppliesList",
                    "supplyType",
                    "supplyColorCode",
                    "colors",
                    "supplyState",
                    "levelState",
                    "stateReasons",
                    "percentLifeDisplay",
                    "publicInformation",
                    "isGenuineHP",
                    "brand",
                    "selectabilityNumber",
                    "slot",
                    "printUsage",
                    "impressions",
                    "total",
                    "sheets",
                    "duplex",
                    "scanUsage",
                    "totalImages",
                    "significand",
                    "exponent",
                    "approximatePagesRemainingDisplay",
                ]
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=15,
)


@settings(FUZZ, max_examples=100)
@given(parser=st.sampled_from(CDM_PARSERS), value=JSON)
def test_random_cdm_shapes(parser: Parser, value: Any) -> None:
    only_parse_errors(parser, json.dumps(value).encode())


# Odd IPP values: every attribute the parser reads, with values of any type,
# including the ones a URI, a UUID or a level never should have.
IPP_READ = (
    "printer-device-id",
    "printer-make-and-model",
    "printer-firmware-string-version",
    "printer-firmware-version",
    "printer-uuid",
    "printer-more-info",
    "printer-uri-supported",
    "printer-state",
    "printer-state-message",
    "printer-state-reasons",
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
    "color-supported",
    "operations-supported",
    "document-format-supported",
    "sides-supported",
    "media-supported",
    "printer-resolution-supported",
)
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "ipp://[::1/ipp/print",
            "http://a\uff03b/",
            "urn:uuid:" + "\u0661" * 32,
            "urn:uuid:00000000-0000-0000-0000-000000000000",
            "MFG:;MDL:;;;=",
            "code=;severity=",
            "#zzzzzz#00FFFF",
            "-3",
            "\udcff\udcfe",
            "door " * 100 + "open",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
)
IPP_VALUES = st.one_of(
    st.tuples(st.just(IppValueTag.INTEGER), st.integers(-(2**31), 2**31 - 1)),
    st.tuples(st.just(IppValueTag.ENUM), st.integers(-5, 10)),
    st.tuples(st.just(IppValueTag.BOOLEAN), st.booleans()),
    st.tuples(
        st.sampled_from([IppValueTag.TEXT, IppValueTag.NAME, IppValueTag.URI]), TEXTS
    ),
    st.tuples(st.just(IppValueTag.KEYWORD), TEXTS),
    st.tuples(st.just(IppValueTag.OCTET_STRING), st.binary(max_size=30)),
    st.tuples(
        st.just(IppValueTag.TEXT_WITH_LANGUAGE),
        st.builds(IppTextWithLanguage, TEXTS, st.sampled_from(["en", ""])),
    ),
    st.tuples(
        st.just(IppValueTag.RESOLUTION),
        st.builds(
            IppResolution,
            st.integers(-5, 10**6),
            st.integers(-5, 10**6),
            st.integers(0, 255),
        ),
    ),
    st.tuples(
        st.just(IppValueTag.RANGE_OF_INTEGER),
        st.builds(IppRangeOfInteger, st.integers(-5, 99), st.integers(-5, 99)),
    ),
    st.tuples(
        st.just(IppValueTag.DATE_TIME),
        st.builds(
            IppDateTime,
            *(st.integers(0, 255) for _ in range(7)),
            st.sampled_from("+-"),
            st.integers(0, 255),
            st.integers(0, 255),
        ),
    ),
    st.tuples(
        st.just(IppValueTag.BEG_COLLECTION),
        st.just(IppCollection([IppAttribute("m", IppValueTag.INTEGER, 1)])),
    ),
    st.sampled_from([IppValueTag.NO_VALUE, IppValueTag.UNKNOWN]).map(
        lambda tag: (tag, IppOutOfBand(tag))
    ),
)


@settings(FUZZ, max_examples=200)
@given(
    uris=st.lists(IPP_VALUES, min_size=1, max_size=4),
    attributes=st.dictionaries(
        st.sampled_from(IPP_READ),
        st.lists(IPP_VALUES, min_size=1, max_size=5),
        max_size=12,
    ),
)
def test_odd_ipp_values_are_ignored(
    uris: list[tuple[int, Any]], attributes: dict[str, list[tuple[int, Any]]]
) -> None:
    message = c.new_ipp_response(0, 1)
    printer = IppAttributeGroup(IppGroupTag.PRINTER)
    printer.set("printer-state", IppValueTag.ENUM, 3)
    # A link to the EWS makes the parser read printer-uri-supported.
    printer.set("printer-more-info", IppValueTag.URI, "http://127.0.0.1/")
    for name, values in {"printer-uri-supported": uris, **attributes}.items():
        attribute = IppAttribute(name, values[0][0], values[0][1])
        for tag, value in values[1:]:
            attribute.append(value, tag)
        printer.add(attribute)
    message.groups.append(printer)
    # Nothing escapes: an odd value is read as no value.
    parsed = ipp.parse_printer_attributes(
        message.encode(), "http://127.0.0.1:631/ipp/print"
    )
    assert len(parsed.supplies) <= 64
    assert len(parsed.status.alerts) <= 64
