"""Capture directories: reading, writing, replaying and redacting."""

from __future__ import annotations

import dataclasses
import html
import ipaddress
import json
from pathlib import Path
import re
import struct
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from custom_components.hp_ews.client.capture import (
    Capture,
    CaptureTransport,
    profile_from_capture,
    read_capture,
    write_capture,
)
from custom_components.hp_ews.client.errors import (
    HPEWSConnectionError,
    HPEWSError,
    HPEWSParseError,
)
from custom_components.hp_ews.client.ipp import (
    codec,
    get_printer_attributes_request,
    parse_printer_attributes,
)
from custom_components.hp_ews.client.ipp.codec import IppGroupTag, IppValueTag
from custom_components.hp_ews.client.models import PrinterProtocol
from custom_components.hp_ews.client.printer import HPPrinter
from custom_components.hp_ews.client.protocols import cdm, ledm
from custom_components.hp_ews.client.redact import (
    Redactor,
    learn_json,
    redact_capture,
    redact_json,
)
from custom_components.hp_ews.client.transport import MAX_DOCUMENT_BYTES
from simulator.profiles import DATA_DIR

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from custom_components.hp_ews.client.models import PrinterSnapshot

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURES = FIXTURES / "captures"


def test_read_capture_layout() -> None:
    capture = read_capture(CAPTURES / "smart-tank-588")
    assert capture.meta["format"] == 1
    assert set(capture.http) == {
        "/cdm/system/v1/identity",
        "/cdm/system/v1/status",
        "/cdm/system/v1/statistics",
        "/cdm/alert/v1/alerts",
        "/cdm/supply/v1/suppliesPublic",
        "/cdm/print/v2/status",
        "/cdm/deviceUsage/v1/lifetimeCounters",
    }
    assert (
        capture.http["/cdm/system/v1/status"]
        == (
            FIXTURES / "cdm" / "HP-Smart-Tank-580-590__cdm_system_v1_status.json"
        ).read_bytes()
    )
    assert capture.ipp == {}
    ipp = read_capture(CAPTURES / "laserjet-pro-mfp-m127fw")
    assert (
        ipp.ipp["Get-Printer-Attributes"]
        == (
            FIXTURES
            / "ipp"
            / "HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp"
        ).read_bytes()
    )


@pytest.mark.parametrize(
    ("meta", "match"),
    [
        (None, "has no capture.json"),
        ("{not json", "Unreadable"),
        ('{"format": 2}', "not a format 1"),
        ("[1]", "not a format 1"),
    ],
)
def test_read_capture_rejects(tmp_path: Path, meta: str | None, match: str) -> None:
    if meta is not None:
        (tmp_path / "capture.json").write_text(meta)
    with pytest.raises(HPEWSParseError, match=match):
        read_capture(tmp_path)


def test_read_capture_caps_and_skips_symlinks(tmp_path: Path) -> None:
    (tmp_path / "capture.json").write_text('{"format": 1}')
    http = tmp_path / "http" / "DevMgmt"
    http.mkdir(parents=True)
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    (http / "Link.xml").symlink_to(secret)
    (tmp_path / "ipp").mkdir()
    (tmp_path / "ipp" / "Get-Printer-Attributes.ipp").symlink_to(secret)
    assert read_capture(tmp_path) == Capture(meta={"format": 1})
    (http / "Big.xml").write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(HPEWSParseError, match="larger than"):
        read_capture(tmp_path)


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    capture = Capture(
        meta={"model": "HP Test", "format": 7},
        http={"/DevMgmt/ProductStatusDyn.xml": b"<a/>", "/cdm/system/v1/status": b"{}"},
        ipp={"Get-Printer-Attributes": b"\x02\x00\x00\x00\x00\x00\x00\x01\x03"},
    )
    write_capture(tmp_path / "c", capture)
    assert (tmp_path / "c/http/DevMgmt/ProductStatusDyn.xml").read_bytes() == b"<a/>"
    assert (tmp_path / "c/http/cdm/system/v1/status").read_bytes() == b"{}"
    meta = json.loads((tmp_path / "c/capture.json").read_text())
    assert meta == {"format": 1, "model": "HP Test"}
    again = read_capture(tmp_path / "c")
    assert again.http == capture.http
    assert again.ipp == capture.ipp


@pytest.mark.parametrize(
    "path",
    [
        "relative",
        "/",
        "/../etc/passwd",
        "/a/../../b",
        "/a/./b",
        "/a?q=1",
        "/a\\b",
        "//x",
    ],
)
def test_write_refuses_escaping_paths(tmp_path: Path, path: str) -> None:
    with pytest.raises(HPEWSError, match="capturable"):
        write_capture(tmp_path, Capture(http={path: b""}))
    assert not (tmp_path / "capture.json").exists()


@pytest.mark.parametrize("name", ["../x", "a/b", "", "-x"])
def test_write_refuses_bad_operation_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(HPEWSError, match="operation name"):
        write_capture(tmp_path, Capture(ipp={name: b""}))


def test_write_reports_os_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HPEWSError, match="Cannot write capture"):
        write_capture(blocker / "sub", Capture())


# --- profiles and replay ------------------------------------------------------------------


def test_profile_inferred_from_documents() -> None:
    ledm = Capture(http={"/DevMgmt/ProductStatusDyn.xml": b""})
    assert profile_from_capture(ledm).protocols == (PrinterProtocol.LEDM,)
    cdm = Capture(
        http={"/cdm/system/v1/status": b"{}"},
        ipp={"Get-Printer-Attributes": b""},
    )
    profile = profile_from_capture(cdm)
    assert profile.protocols == (PrinterProtocol.CDM, PrinterProtocol.IPP)
    assert profile.base_url == "http://localhost:80"
    assert profile.ipp_url == "http://localhost:80/ipp/print"


def test_profile_from_metadata() -> None:
    tree = (
        FIXTURES / "ledm" / "node-hp-scan-to_inkjet-A__DiscoveryTree.xml"
    ).read_bytes()
    capture = Capture(
        meta={
            "format": 1,
            "protocols": ["ledm", "ipp", "snmp"],
            "scheme": "https",
            "port": 8443,
            "ipp_path": "/ipp/printer",
        },
        http={"/DevMgmt/DiscoveryTree.xml": tree, "/cdm/servicesDiscovery": b"oops"},
    )
    profile = profile_from_capture(capture)
    assert profile.protocols == (PrinterProtocol.LEDM, PrinterProtocol.IPP)
    assert profile.base_url == "https://localhost:8443"
    assert profile.ipp_url == "https://localhost:8443/ipp/printer"
    assert "/DevMgmt/ProductStatusDyn.xml" in profile.ledm_resources
    assert profile.cdm_resources == ()
    odd = profile_from_capture(
        Capture(meta={"protocols": ["ipp"], "scheme": "gopher", "ipp_path": 5})
    )
    assert odd.base_url == "http://localhost:80"
    assert odd.ipp_url == "http://localhost:80/ipp/print"


async def test_capture_transport_http() -> None:
    transport = CaptureTransport(read_capture(CAPTURES / "envy-photo-7830"))
    found = await transport.get("http://anything:1234/DevMgmt/ProductStatusDyn.xml?x=1")
    assert found is not None
    assert found.content_type == "text/xml"
    assert found.status == 200
    assert await transport.get("http://h/DevMgmt/ProductUsageDyn.xml") is None
    with pytest.raises(HPEWSParseError, match="larger"):
        await transport.get("http://h/DevMgmt/ProductStatusDyn.xml", limit=10)
    assert transport.request_count == 3


async def test_capture_transport_content_types() -> None:
    transport = CaptureTransport(Capture(http={"/a": b' {"x":1}', "/b": b"\x00\x01"}))
    a = await transport.get("http://h/a")
    b = await transport.get("http://h/b")
    assert a is not None
    assert a.content_type == "application/json"
    assert b is not None
    assert b.content_type == "application/octet-stream"


async def test_capture_transport_ipp() -> None:
    capture = read_capture(CAPTURES / "color-laserjet-mfp-m476dn")
    transport = CaptureTransport(capture)
    url = "http://localhost:631/ipp/print"
    request = get_printer_attributes_request(
        "ipp://localhost:631/ipp/print", request_id=77
    )
    answer = await transport.post_ipp(url, request)
    assert answer is not None
    assert struct.unpack(">I", answer[4:8]) == (77,)
    assert answer[8:] == capture.ipp["Get-Printer-Attributes"][8:]
    assert (
        parse_printer_attributes(answer, url).info.model
        == "HP Color LaserJet MFP M476dn"
    )

    other = codec.new_ipp_request(
        codec.IppOperation.IDENTIFY_PRINTER, request_id=5
    ).encode()
    refused = codec.decode_ipp((await transport.post_ipp(url, other)) or b"")
    assert (
        refused.status_code == codec.IppStatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED
    )
    assert refused.request_id == 5

    assert await transport.post_ipp("http://localhost/ipp/printer", request) is None
    with pytest.raises(HPEWSParseError, match="shorter"):
        await transport.post_ipp(url, b"\x02\x00")
    with pytest.raises(HPEWSParseError, match="larger"):
        await transport.post_ipp(url, request, limit=100)
    assert await CaptureTransport(Capture()).post_ipp(url, request) is None

    # A streamed request (header in pieces, then a document) is answered alike.
    consumed: list[bytes] = []

    async def streamed() -> AsyncIterator[bytes]:
        for piece in (request[:3], request[3:], b"%PDF-1.7 ...", b"more"):
            consumed.append(piece)
            yield piece

    answer = await transport.post_ipp(url, streamed())
    assert answer is not None
    assert struct.unpack(">I", answer[4:8]) == (77,)
    assert len(consumed) == 4  # read to the end, like a printer


async def test_capture_transport_short_captured_answer() -> None:
    transport = CaptureTransport(Capture(ipp={"Get-Printer-Attributes": b"\x02\x00"}))
    request = get_printer_attributes_request("ipp://h:631/ipp/print")
    with pytest.raises(HPEWSParseError, match="shorter than its header"):
        await transport.post_ipp("http://h/ipp/print", request)


async def test_capture_transport_has_no_raw_port() -> None:
    transport = CaptureTransport(Capture())

    async def document() -> AsyncIterator[bytes]:
        yield b"%!PS"

    with pytest.raises(HPEWSConnectionError, match="no raw port"):
        await transport.send_raw(document(), port=9100)
    assert transport.request_count == 1


# --- redaction ------------------------------------------------------------------------------


def test_redaction_is_consistent_across_documents() -> None:
    mac = "EC:8E:B5:B5:19:A4"
    uuid = "1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
    serial = "CN00K000MP00AA"
    ledm = (
        f"<x:P><dd:SerialNumber>{serial}</dd:SerialNumber><dd:UUID>{uuid}</dd:UUID>"
        f"<io:MacAddress>{mac.replace(':', '')}</io:MacAddress>"
        "<dd:SerialNumber>REDACTED</dd:SerialNumber></x:P>"
    ).encode()
    cdm = json.dumps(
        {
            "serialNumber": serial,
            "deviceUuid": uuid.upper(),
            "note": f"host HP{mac.replace(':', '')} on [B519A4] mac {mac.lower()}",
            "other": f"{serial}X is a different value",
        }
    ).encode()
    capture = Capture(meta={"format": 1}, http={"/l": ledm, "/c": cdm})
    redacted = redact_capture(capture)
    assert redacted.meta["redacted"] is True
    text = b"\n".join(redacted.http.values()).decode()
    for secret in (
        f">{serial}<",
        f'"{serial}"',
        uuid,
        "ec8eb5b519a4",
        "[B519A4]",
        "b5:19:a4",
    ):
        assert secret.lower() not in text.lower()
    assert "REDACTED" in text  # an upstream placeholder is not a serial
    assert f"{serial}X" in text  # only whole values are replaced
    data = json.loads(redacted.http["/c"])
    assert data["serialNumber"] in redacted.http["/l"].decode()
    assert len(data["serialNumber"]) == len(serial)
    assert data["deviceUuid"].lower() in redacted.http["/l"].decode().lower()
    assert data["deviceUuid"] == data["deviceUuid"].upper()  # case kept
    placeholder_mac = data["note"].rsplit(" ", 1)[1]
    assert placeholder_mac.count(":") == 5
    assert placeholder_mac == placeholder_mac.lower()
    assert placeholder_mac.replace(":", "") in redacted.http["/l"].decode()
    # Redacting again changes nothing.
    assert redact_capture(redacted).http == redacted.http


def test_redactor_ignores_non_identifiers() -> None:
    redactor = Redactor()
    text = (
        '{"serialNumber": "abc", "uuid": "00000000-0000-0000-0000-000000000000",'
        ' "macAddress": "00:00:00:00:00:00", "x": "ff-ff-ff-ff-ff-ff"}'
    )
    redactor.learn_text(text)
    assert redactor.redact_text(text) == text


def test_redaction_of_ipp_keeps_a_valid_message() -> None:
    message = codec.new_ipp_response(0, 9)
    printer = message.add_group(IppGroupTag.PRINTER)
    uuid = "urn:uuid:1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
    printer.set("printer-uuid", IppValueTag.URI, uuid)
    printer.set(
        "printer-device-id",
        IppValueTag.TEXT,
        "MFG:HP;MDL:ENVY 4520 series;SN:TH5CN2J0KF;",
    )
    printer.set(
        "printer-dns-sd-name",
        IppValueTag.NAME_WITH_LANGUAGE,
        codec.IppTextWithLanguage("HP ENVY 4520 series [B519A4]", "en"),
    )
    printer.set("printer-supply", IppValueTag.OCTET_STRING, b"type=ink;sn=TH5CN2J0KF;")
    collection = codec.IppCollection(
        [codec.IppAttribute("media-source", IppValueTag.KEYWORD, "HPEC8EB5B519A4")]
    )
    printer.set("media-col-ready", IppValueTag.BEG_COLLECTION, collection)
    printer.set("printer-state", IppValueTag.ENUM, 3)
    data = message.encode()
    http = {
        "/DevMgmt/ProductConfigDyn.xml": b"<dd:SerialNumber>TH5CN2J0KF</dd:SerialNumber>"
    }

    redacted = redact_capture(Capture(http=http, ipp={"Get-Printer-Attributes": data}))
    out = redacted.ipp["Get-Printer-Attributes"]
    decoded = codec.decode_ipp(out)  # valid: every length field re-encoded
    assert decoded.request_id == 9
    group = decoded.printer
    new_uuid = group.value("printer-uuid")
    assert isinstance(new_uuid, str)
    assert new_uuid.startswith("urn:uuid:")
    assert new_uuid != uuid
    device_id = group.value("printer-device-id")
    assert isinstance(device_id, str)
    assert "TH5CN2J0KF" not in device_id
    serial = device_id.split("SN:")[1].rstrip(";")
    assert serial.encode() in redacted.http["/DevMgmt/ProductConfigDyn.xml"]
    name = group.value("printer-dns-sd-name")
    assert isinstance(name, codec.IppTextWithLanguage)
    assert "B519A4" not in name.text
    assert name.language == "en"
    supply = group.value("printer-supply")
    assert isinstance(supply, bytes)
    assert serial.encode() in supply
    inner = group.value("media-col-ready")
    assert isinstance(inner, codec.IppCollection)
    assert "EC8EB5B519A4" not in str(inner.value("media-source"))
    assert group.value("printer-state") == 3


def test_undecodable_ipp_is_dropped() -> None:
    redacted = redact_capture(Capture(ipp={"Get-Printer-Attributes": b"garbage"}))
    assert redacted.ipp == {}


def test_redacted_fixture_captures_still_parse() -> None:
    for name in ("color-laserjet-mfp-m476dn", "laserjet-100-colormfp-m175nw"):
        capture = read_capture(CAPTURES / name)
        redacted = redact_capture(capture)
        url = "http://localhost:80/ipp/print"
        before = parse_printer_attributes(capture.ipp["Get-Printer-Attributes"], url)
        after = parse_printer_attributes(redacted.ipp["Get-Printer-Attributes"], url)
        assert after.info.model == before.info.model
        assert after.supplies == before.supplies
        assert after.info.uuid != before.info.uuid


# --- privacy: addresses, host names, SSIDs, locations (issue 9) ----------------------------

ENVY_LOG = FIXTURES / "ipp" / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
PAGEWIDE_DUMP = (
    FIXTURES / "ipp" / "HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt"
)
M182_STATUS = (
    FIXTURES
    / "ledm"
    / "HP-Color-LaserJet-Pro-MFP-M182nw__ProductStatusDyn_reserialized.xml"
)
OJ_CONFIG = FIXTURES / "ledm" / "HP-OfficeJet-Pro-9022e__ProductConfigDyn.xml"
CDM_IDENTITY = FIXTURES / "cdm" / "HP-Smart-Tank-588__cdm_system_v1_identity_raw.json"
# Values the fixtures themselves carry (read them there): the ENVY 4520's
# address, Wi-Fi, host name and its MAC's EUI-64 IPv6 addresses (JmDNS lines).
ENVY_IP = "192.168.35.29"
ENVY_SSID = "Himbeereis"
ENVY_HOSTNAME = "HPB519A4"
ENVY_MAC = "ec8eb5b519a4"
ENVY_LINK_LOCAL = "fe80:0:0:0:ee8e:b5ff:feb5:19a4"
ENVY_GLOBAL = "2003:c4:b703:8100:ee8e:b5ff:feb5:19a4"
# Written by hand in the style of what a user's printer would hold.
LOCATION = "Büro 2. OG, Raum 204"
CONTACT = "Jane Doe"
EMAIL = "jane.doe@example.org"
GEO = "geo:52.5163,13.3777"


def _dump_secrets(text: str) -> set[str]:
    """The private values of an IPP dump, read with the simulator's dump reader."""
    from simulator.ippdump import dump_lines

    attributes = {name: raw for name, _syntax, raw in dump_lines(text)}
    secrets = {attributes["printer-name"]}  # the HP default host name
    for name in ("printer-wifi-ssid", "printer-location"):
        if attributes.get(name, "").strip():
            secrets.add(attributes[name].strip())
    for name in ("printer-uri-supported", "printer-more-info", "printer-icons"):
        for uri in attributes[name].split(","):
            host = urlsplit(uri).hostname
            assert host is not None
            secrets.add(host)
    # The MAC's last six hex digits in the service name: "... [B519A4]".
    suffix = re.search(r"\[([0-9A-F]{6})\]", attributes["printer-dns-sd-name"])
    assert suffix is not None
    secrets.add(suffix.group(1))
    return secrets


def _leaks(data: bytes | str, secrets: set[str]) -> set[str]:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return {secret for secret in secrets if secret.lower() in text.lower()}


@pytest.mark.parametrize("dump", [ENVY_LOG, PAGEWIDE_DUMP])
def test_redacted_ipp_dumps_keep_no_secrets_and_still_parse(dump: Path) -> None:
    from simulator.ippdump import message_from_dump

    text = dump.read_text(encoding="utf-8")
    secrets = _dump_secrets(text)
    assert len(secrets) >= 4
    if dump == ENVY_LOG:
        # The JmDNS lines: EUI-64 addresses (the MAC inside) with ":80" ports.
        found = set(re.findall(r"/([0-9a-f:]+):80 ", text))
        assert found == {ENVY_LINK_LOCAL, ENVY_GLOBAL}
        secrets |= found | {"ee8e:b5ff:feb5:19a4", ENVY_MAC}
    redacted = redact_capture(Capture(http={"/dump": text.encode()})).http["/dump"]
    assert _leaks(redacted, secrets) == set()
    before = message_from_dump(text).printer
    after = message_from_dump(redacted.decode()).printer
    assert after.names() == before.names()
    for name in (
        "printer-make-and-model",
        "marker-levels",
        "document-format-supported",
    ):
        assert after.values(name) == before.values(name)
    assert after.value("printer-wifi-ssid") == "SSID-1"
    assert after.value("printer-name") != before.value("printer-name")


def _attribute_strings(attributes: Iterable[codec.IppAttribute]) -> Iterator[str]:
    for attribute in attributes:
        for value in attribute.values:
            if isinstance(value, codec.IppCollection):
                yield from _attribute_strings(value)
            elif isinstance(value, codec.IppTextWithLanguage):
                yield value.text
            elif isinstance(value, bytes):
                yield value.decode("utf-8", "replace")
            elif isinstance(value, str):
                yield value


def _plant_ipp(data: bytes) -> bytes:
    """The ENVY 4520's captured attributes, with a location, geo and contact set."""
    message = codec.decode_ipp(data)
    printer = message.printer
    printer.set("printer-location", IppValueTag.TEXT, LOCATION)
    printer.set("printer-geo-location", IppValueTag.URI, GEO)
    printer.set("printer-organization", IppValueTag.TEXT, "Example GmbH")
    contact = codec.IppCollection(
        [
            codec.IppAttribute("contact-name", IppValueTag.NAME, CONTACT),
            codec.IppAttribute("contact-uri", IppValueTag.URI, f"mailto:{EMAIL}"),
            codec.IppAttribute("contact-vcard", IppValueTag.TEXT, f"FN:{CONTACT}"),
        ]
    )
    printer.set("printer-contact-col", IppValueTag.BEG_COLLECTION, contact)
    printer.set(
        "printer-info",
        IppValueTag.TEXT_WITH_LANGUAGE,
        codec.IppTextWithLanguage(f"{ENVY_HOSTNAME} in {LOCATION}", "de"),
    )
    return message.encode()


def _planted_capture() -> Capture:
    """Real documents of one printer, with secrets in odd places as well."""
    envy_ipp = (
        DATA_DIR / "envy-4520" / "ipp" / "Get-Printer-Attributes.ipp"
    ).read_bytes()
    config = OJ_CONFIG.read_text(encoding="utf-8")
    config = config.replace(
        "<dd:DeviceLocation></dd:DeviceLocation>",
        f"<dd:DeviceLocation>{html.escape(LOCATION)}</dd:DeviceLocation>",
    )
    config = config.replace(
        "<dd:CompanyContact></dd:CompanyContact>",
        f"<dd:CompanyContact><![CDATA[{CONTACT} <{EMAIL}>]]></dd:CompanyContact>",
    )
    config = config.replace(
        "<dd:Latitude>NaN</dd:Latitude>", "<dd:Latitude>52.5163</dd:Latitude>"
    )
    config = config.replace("http://REDACTED", f"http://{ENVY_IP}:8080/")
    config = config.replace(
        "<dd:Fax>Yes</dd:Fax>",
        f"<!-- Wi-Fi {ENVY_SSID} on {ENVY_HOSTNAME}.local ({ENVY_IP}) -->"
        f'<dd:Fax note="{ENVY_SSID}" host="[{ENVY_LINK_LOCAL}]:631">Yes</dd:Fax>'
        f"<dd:A href='http://[2003:C4:B703:8100:EE8E:B5FF:FEB5:19A4]:8080/x'/>"
        "<dd:B>2003:c4:b703:8100::1 ::ffff:192.168.35.29 ee8e:b5ff:feb5:19a4</dd:B>"
        f"<dd:C>HP{ENVY_MAC.upper()}.local NPIB519A4 [B519A4]</dd:C>",
    )
    identity = json.loads(CDM_IDENTITY.read_bytes())
    identity |= {
        "deviceLocation": LOCATION,
        "deviceDescription": f"by the window, {ENVY_SSID} reaches it",
        "bonjour": {"domainName": f"HP{ENVY_MAC.upper()}.local.", "ssid": ENVY_SSID},
        "geoLocation": {"latitude": 52.5163, "longitude": 13.3777},
        "ipv4": {"address": ENVY_IP, "subnetMask": "255.255.255.0"},
        "links": [{"href": f"https://[{ENVY_GLOBAL}]/cdm/system/v1/identity"}],
    }
    dump = PAGEWIDE_DUMP.read_text(encoding="utf-8").replace(
        "##### unkenntlich gemacht wg. Datenschutz #####", LOCATION
    )
    return Capture(
        meta={"format": 1, "model": "HP ENVY 4520 series"},
        http={
            "/DevMgmt/ProductConfigDyn.xml": config.encode(),
            "/DevMgmt/ProductStatusDyn.xml": M182_STATUS.read_bytes(),
            "/cdm/system/v1/identity": json.dumps(
                identity, ensure_ascii=False
            ).encode(),
            # Firmware that sends ISO-8859-1 (not valid UTF-8).
            "/DevMgmt/Latin1.xml": (
                f"<a><dd:DeviceLocation>{LOCATION}</dd:DeviceLocation>"
                f"<b>{ENVY_IP}</b></a>"
            ).encode("latin-1"),
            "/ipptool.txt": dump.encode(),
        },
        ipp={"Get-Printer-Attributes": _plant_ipp(envy_ipp)},
    )


PLANTED_SECRETS = {
    ENVY_IP,
    "192.0.2.1",  # the M182nw's panel shows its address
    ENVY_SSID,
    ENVY_HOSTNAME,
    "B519A4",
    ENVY_MAC,
    "ee8e:b5ff",
    "feb5:19a4",
    "2003:c4:b703:8100",
    "fe80:",
    LOCATION,
    html.escape(LOCATION),
    "Büro",
    "B\\u00fcro",
    CONTACT,
    EMAIL,
    "52.5163",
    "13.3777",
    "Example GmbH",
    "FRITZBox18 Repeater739O",
    "HP5B6968",
    "5B6968",
    "192.168.18.126",
}


def test_planted_secrets_are_gone_everywhere() -> None:
    capture = _planted_capture()
    for body in (*capture.http.values(), *capture.ipp.values()):
        assert _leaks(body, PLANTED_SECRETS)  # each document carries some
    redacted = redact_capture(capture)
    assert set(redacted.http) == set(capture.http)
    assert set(redacted.ipp) == set(capture.ipp)
    for path, body in redacted.http.items():
        assert _leaks(body, PLANTED_SECRETS) == set(), path
        assert _leaks(body.decode("latin-1"), {LOCATION}) == set(), path
    ipp = redacted.ipp["Get-Printer-Attributes"]
    assert _leaks(ipp, PLANTED_SECRETS) == set()
    decoded = codec.decode_ipp(ipp)  # every length field re-encoded
    strings = list(_attribute_strings(decoded.printer))
    assert _leaks("\n".join(strings), PLANTED_SECRETS) == set()


def test_planted_secrets_keep_documents_parseable_and_coherent() -> None:
    capture = _planted_capture()
    redacted = redact_capture(capture)
    http = redacted.http

    config = ET.fromstring(http["/DevMgmt/ProductConfigDyn.xml"])
    assert ledm.parse_product_config(
        http["/DevMgmt/ProductConfigDyn.xml"]
    ) == ledm.parse_product_config(capture.http["/DevMgmt/ProductConfigDyn.xml"])
    dd = "{http://www.hp.com/schemas/imaging/con/dictionaries/1.0/}"
    assert config.findtext(f".//{dd}DeviceLocation") == "LOCATION-1"
    assert config.findtext(f".//{dd}Latitude") == "0"
    status = ledm.parse_product_status(http["/DevMgmt/ProductStatusDyn.xml"])
    assert status.state == ledm.parse_product_status(M182_STATUS.read_bytes()).state

    identity = json.loads(http["/cdm/system/v1/identity"])
    assert identity["deviceLocation"] == "LOCATION-1"
    assert identity["bonjour"]["ssid"] == "SSID-1"
    assert identity["geoLocation"] == {"latitude": 0, "longitude": 0}
    assert identity["ipv4"]["subnetMask"] == "255.255.255.0"  # identifies no one
    assert cdm.parse_identity(http["/cdm/system/v1/identity"]).model == (
        cdm.parse_identity(CDM_IDENTITY.read_bytes()).model
    )

    # The same value has the same placeholder in every document.
    printer = codec.decode_ipp(redacted.ipp["Get-Printer-Attributes"]).printer
    address = identity["ipv4"]["address"]
    assert address != ENVY_IP
    ipaddress.IPv4Address(address)  # still an address, so URIs still parse
    assert printer.value("printer-more-info") == f"http://{address}/#hId-pgAirPrint"
    assert f"http://{address}:8080/" in http["/DevMgmt/ProductConfigDyn.xml"].decode()
    assert printer.value("printer-wifi-ssid") == "SSID-1"
    assert printer.value("printer-location") == "LOCATION-1"
    geo = printer.value("printer-geo-location")
    assert isinstance(geo, str)
    assert re.fullmatch(r"geo:LOCATION-\d+", geo)
    assert geo != "geo:LOCATION-1"
    contact = printer.value("printer-contact-col")
    assert isinstance(contact, codec.IppCollection)
    uri = contact.value("contact-uri")
    assert isinstance(uri, str)
    assert re.fullmatch(r"mailto:CONTACT-\d+", uri)
    host_name = printer.value("printer-name")
    assert isinstance(host_name, str)
    assert host_name.startswith("HP")
    assert host_name in http["/DevMgmt/ProductConfigDyn.xml"].decode()
    # The printer's own links still point at itself: the EWS URL survives.
    url = "http://localhost:631/ipp/print"
    before = parse_printer_attributes(capture.ipp["Get-Printer-Attributes"], url)
    after = parse_printer_attributes(redacted.ipp["Get-Printer-Attributes"], url)
    assert before.info.ews_url == after.info.ews_url == "http://localhost/"
    assert after.supplies == before.supplies


def test_eui64_addresses_reveal_their_mac() -> None:
    """A MAC seen only inside an IPv6 address is still redacted elsewhere."""
    capture = Capture(
        http={
            "/a": f"addr {ENVY_LINK_LOCAL.replace(':0:0:0:', '::')}%wlan0".encode(),
            "/b": f"<m>{ENVY_MAC.upper()}</m><n>HP{ENVY_MAC}.local</n>".encode(),
        }
    )
    redacted = redact_capture(capture)
    text = b" ".join(redacted.http.values()).decode()
    assert _leaks(text, {ENVY_MAC, "b519a4", "ee8e:b5ff"}) == set()
    assert "%wlan0" in text


@pytest.mark.parametrize(
    "text",
    [
        "12:34:56 and 00:00:00.0Z and 2024-09-13T23:37:31+01:00",
        "SVN-IPG-LEDM.1103 firmware 2506A.00 MCT:MF;MCL:DI;MCV:3.2",
        "00.00.02.02.01 (DigitalEcosystemType) and 1.3.6.1.2.1.43",
        "0.0.0.0 255.255.255.0 ::1 :: std::vector a:b:c",
        '<dd:AlertDetailsMarkerLocation>1</dd:AlertDetailsMarkerLocation> xsi:schemaLocation="x"',
        "#00FFFF#FF00FF is not a host name, nor is HPLedm, HPCAFE12X or HP 963XL",
        '{"location": "", "ssid": "REDACTED", "host": "**REDACTED**", "latitude": "NaN"}',
    ],
)
def test_redaction_leaves_non_secrets_alone(text: str) -> None:
    redactor = Redactor()
    redactor.learn_text(text)
    assert redactor.redact_text(text) == text


def test_ip_placeholders_are_consistent_and_never_reused() -> None:
    redactor = Redactor()
    text = (
        "a 192.168.1.5 b 192.168.001.005 c 10.0.0.1 d 127.0.0.1 "
        "e [FE80::1] f fe80:0:0:0:0:0:0:1 g ::ffff:10.0.0.1"
    )
    redactor.learn_text(text)
    out = redactor.redact_text(text)
    words = out.split()
    assert words[1] == words[3] != words[5]
    assert words[7] not in ("127.0.0.1", words[1], words[5])
    assert words[9].strip("[]").upper() == words[9].strip("[]")  # case kept
    assert words[9].strip("[]").lower() == words[11]
    assert words[13] == f"::ffff:{words[5]}"
    # A second redactor over the result maps every placeholder to itself.
    again = Redactor()
    again.learn_text(out)
    assert again.redact_text(out) == out


def test_second_redactor_never_reuses_earlier_placeholders() -> None:
    first = redact_capture(_planted_capture())
    redactor = Redactor()
    redactor.learn_capture(first)
    redactor.add_secret("Other Place", "LOCATION")
    redactor.learn_text("<dd:SerialNumber>CN12345678</dd:SerialNumber>")
    used = set(re.findall(r"LOCATION-\d+", b"".join(first.http.values()).decode()))
    assert used
    assert redactor.redact_field("Other Place", "LOCATION") not in used
    serial = redactor.redact_text("CN12345678")
    assert serial.startswith("SN")
    assert serial not in b"".join(first.http.values()).decode()
    # Placeholders map to themselves; only host names whose MAC never showed
    # (the PageWide dump's HP5B6968) may be renumbered, consistently.
    again = redactor.redact_capture(first)
    for path, body in first.http.items():
        if path != "/ipptool.txt":
            assert again.http[path] == body
    host = re.compile(rb"(HP|\[)[0-9a-f]{6}")
    assert host.sub(rb"\1", again.http["/ipptool.txt"]) == host.sub(
        rb"\1", first.http["/ipptool.txt"]
    )


def test_redact_json_walks_keys_and_values() -> None:
    redactor = Redactor()
    value = {
        "title": f"HP ENVY 4520 [{ENVY_HOSTNAME[-6:]}]",
        "data": {"location": LOCATION, "hosts": [f"http://{ENVY_IP}:80"]},
        "count": 3,
    }
    learn_json(value, redactor)
    assert redact_json(value, redactor) == {
        "title": "HP ENVY 4520 [000001]",
        "data": {"location": "LOCATION-1", "hosts": ["http://198.18.0.1:80"]},
        "count": 3,
    }


def test_host_names_are_redacted_wherever_they_appear() -> None:
    capture = Capture(
        http={"/a": b"<u>ipp://printer.fritz.box:631/ipp/print</u><v>lp</v>"}
    )
    redacted = redact_capture(capture, hosts=("printer.fritz.box", "lp"))
    assert redacted.http["/a"] == (b"<u>ipp://HOST-1:631/ipp/print</u><v>HOST-2</v>")


def test_ipp_too_long_after_redaction_is_dropped() -> None:
    message = codec.new_ipp_response(0, 1)
    # Short addresses get longer placeholders: past IPP's 65535-byte values.
    addresses = " ".join(f"1.1.{i // 100}.{i % 100}" for i in range(6000))
    assert len(addresses) < 65535
    message.add_group(IppGroupTag.PRINTER).set(
        "printer-info", IppValueTag.TEXT, addresses
    )
    redacted = redact_capture(Capture(ipp={"Get-Printer-Attributes": message.encode()}))
    assert redacted.ipp == {}


@pytest.mark.parametrize(
    "directory",
    sorted(
        [*CAPTURES.iterdir(), *(p for p in DATA_DIR.iterdir() if p.is_dir())],
        key=lambda p: p.name,
    ),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
async def test_redacted_captures_replay_to_the_same_snapshot(directory: Path) -> None:
    """Redaction changes identities only: the snapshot is otherwise the same."""
    capture = read_capture(directory)
    redacted = redact_capture(capture)

    async def snapshot(of: Capture) -> PrinterSnapshot:
        printer = HPPrinter("localhost", None, transport=CaptureTransport(of))
        return await printer.snapshot(profile_from_capture(of))

    before = await snapshot(capture)
    after = await snapshot(redacted)
    ids = {"serial_number": None, "uuid": None, "mac": None}
    assert dataclasses.replace(after.info, **ids) == dataclasses.replace(
        before.info, **ids
    )
    assert after.status == before.status
    assert after.supplies == before.supplies
    assert after.counters == before.counters
    assert after.ipp == before.ipp


def test_one_value_one_placeholder_in_every_spelling() -> None:
    """JSON escapes, XML entities and ISO-8859-1 bytes spell the same value."""
    capture = Capture(
        http={
            "/a.json": json.dumps({"location": "Büro 5", "note": "in Büro 5"}).encode(),
            "/b.xml": b"<dd:DeviceLocation>B&#252;ro 5</dd:DeviceLocation>",
            "/c.xml": "<x>Büro 5, near jane@example.org</x>".encode("latin-1"),
            "/d.txt": "Büro 5".encode(),
            # Not a JSON escape: taken as written.
            "/e.xml": b"<dd:DeviceLocation>Lager\\Regal 3</dd:DeviceLocation>",
        }
    )
    assert "\\u00fc" in capture.http["/a.json"].decode()
    redacted = redact_capture(capture)
    assert json.loads(redacted.http["/a.json"]) == {
        "location": "LOCATION-1",
        "note": "in LOCATION-1",
    }
    assert (
        redacted.http["/b.xml"] == b"<dd:DeviceLocation>LOCATION-1</dd:DeviceLocation>"
    )
    assert redacted.http["/c.xml"] == b"<x>LOCATION-1, near CONTACT-1</x>"
    assert redacted.http["/d.txt"] == b"LOCATION-1"
    assert (
        redacted.http["/e.xml"] == b"<dd:DeviceLocation>LOCATION-2</dd:DeviceLocation>"
    )


def test_field_values_shaped_like_identifiers() -> None:
    """A field holding an address or MAC gets that value's placeholder."""
    text = json.dumps(
        {
            "location": "192.168.35.29",
            "ssid": "ec:8e:b5:b5:19:a4",
            "wifiDirectSsidName": "DIRECT-A4-HP ENVY 4520",
            "note": "reach 192.168.35.29 at ec8eb5b519a4; 999.1.2.3 is no address",
        }
    )
    redacted = json.loads(
        redact_capture(Capture(http={"/x": text.encode()})).http["/x"]
    )
    assert redacted == {
        "location": "198.18.0.1",
        "ssid": "02:00:00:00:00:01",
        "wifiDirectSsidName": "SSID-1",
        "note": "reach 198.18.0.1 at 020000000001; 999.1.2.3 is no address",
    }


def test_ipp_dump_collections_and_odd_own_uris() -> None:
    from simulator.ippdump import message_from_dump

    dump = (
        "        printer-contact-col (collection) = {contact-name=Jane"
        " contact-uri=mailto:jane@example.org}\n"
        "        printer-uri-supported (1setOf uri) = ipp://[fe80::1%25en0]/ipp/print\n"
        "        printer-more-info (uri) = http://[bad/\n"
        "        printer-info (textWithoutLanguage) = ab:cd:ef:12 12:34:56:78\n"
    )
    redacted = redact_capture(Capture(http={"/d": dump.encode()})).http["/d"].decode()
    assert "Jane" not in redacted
    assert "fe80::1" not in redacted
    printer = message_from_dump(redacted).printer
    assert printer.value("printer-contact-col") == codec.IppCollection()
    assert printer.value("printer-info") == "ab:cd:ef:12 12:34:56:78"

    message = codec.new_ipp_response(0, 1)
    group = message.add_group(IppGroupTag.PRINTER)
    group.set(
        "printer-uri-supported",
        IppValueTag.URI,
        "ipp://[fe80::1]/ipp/print",
        "http://[bad/",
        "ipp://localhost/ipp/print",
    )
    group.set("printer-info", IppValueTag.TEXT, "localhost")
    redacted_ipp = redact_capture(
        Capture(ipp={"Get-Printer-Attributes": message.encode()})
    )
    uris = codec.decode_ipp(redacted_ipp.ipp["Get-Printer-Attributes"]).printer
    assert uris.values("printer-uri-supported")[0] == "ipp://[2001:2::1]/ipp/print"
    assert uris.values("printer-uri-supported")[2] == "ipp://localhost/ipp/print"
    assert uris.value("printer-info") == "localhost"


def test_legacy_ews_page_keeps_its_model_but_not_its_identity() -> None:
    """The CP1518ni's configuration page: address, MAC, serial, host name."""
    page = (
        FIXTURES
        / "ews_legacy"
        / "HP-Color-LaserJet-CP1518ni__hp_device_info_config_PARTIAL.xml.txt"
    ).read_bytes()
    for secret in (
        b"10.0.0.177",
        b"00:1f:29:2f:f2:47",
        b"CNCC8C41MS",
        b"<HostName>HP<",
    ):
        assert secret in page
    redacted = redact_capture(Capture(http={"/hp/device/info_config.xml": page}))
    text = redacted.http["/hp/device/info_config.xml"].decode()
    for secret in ("10.0.0.177", "00:1f:29:2f:f2:47", "CNCC8C41MS", "<HostName>HP<"):
        assert secret not in text
    # A two-letter host name is replaced in its field only: "HP" stays elsewhere.
    assert "<HostName>HOST-1</HostName>" in text
    assert "<ProductName>HP Color LaserJet CP1518ni</ProductName>" in text
    assert "<PrinterNumber>CC378A</PrinterNumber>" in text


def test_device_id_serial_stops_at_its_end() -> None:
    """A device ID cut short in JSON: the serial is not the rest of the file."""
    text = json.dumps(
        {"id": "MFG:HP;MDL:ENVY;SN:TH66S3D16K0660", "next": "TH66S3D16K0660"}
    )
    redacted = json.loads(
        redact_capture(Capture(http={"/a": text.encode()})).http["/a"]
    )
    assert redacted == {
        "id": "MFG:HP;MDL:ENVY;SN:SN000000000001",
        "next": "SN000000000001",
    }
