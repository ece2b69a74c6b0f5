"""Capture directories: reading, writing, replaying and redacting."""

from __future__ import annotations

import json
from pathlib import Path
import struct
from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client import ippcodec
from custom_components.hp_ews.client.capture import (
    Capture,
    CaptureTransport,
    Redactor,
    profile_from_capture,
    read_capture,
    redact_capture,
    write_capture,
)
from custom_components.hp_ews.client.errors import HPEWSError, HPEWSParseError
from custom_components.hp_ews.client.ipp import (
    get_printer_attributes_request,
    parse_printer_attributes,
)
from custom_components.hp_ews.client.ippcodec import GroupTag, ValueTag
from custom_components.hp_ews.client.models import Protocol
from custom_components.hp_ews.client.transport import MAX_DOCUMENT_BYTES

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

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
    assert profile_from_capture(ledm).protocols == (Protocol.LEDM,)
    cdm = Capture(
        http={"/cdm/system/v1/status": b"{}"},
        ipp={"Get-Printer-Attributes": b""},
    )
    profile = profile_from_capture(cdm)
    assert profile.protocols == (Protocol.CDM, Protocol.IPP)
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
    assert profile.protocols == (Protocol.LEDM, Protocol.IPP)
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

    other = ippcodec.new_request(
        ippcodec.Operation.IDENTIFY_PRINTER, request_id=5
    ).encode()
    refused = ippcodec.decode((await transport.post_ipp(url, other)) or b"")
    assert (
        refused.status_code == ippcodec.StatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED
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
    message = ippcodec.new_response(0, 9)
    printer = message.add_group(GroupTag.PRINTER)
    uuid = "urn:uuid:1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
    printer.set("printer-uuid", ValueTag.URI, uuid)
    printer.set(
        "printer-device-id",
        ValueTag.TEXT,
        "MFG:HP;MDL:ENVY 4520 series;SN:TH5CN2J0KF;",
    )
    printer.set(
        "printer-dns-sd-name",
        ValueTag.NAME_WITH_LANGUAGE,
        ippcodec.TextWithLanguage("HP ENVY 4520 series [B519A4]", "en"),
    )
    printer.set("printer-supply", ValueTag.OCTET_STRING, b"type=ink;sn=TH5CN2J0KF;")
    collection = ippcodec.Collection(
        [ippcodec.Attribute("media-source", ValueTag.KEYWORD, "HPEC8EB5B519A4")]
    )
    printer.set("media-col-ready", ValueTag.BEG_COLLECTION, collection)
    printer.set("printer-state", ValueTag.ENUM, 3)
    data = message.encode()
    http = {
        "/DevMgmt/ProductConfigDyn.xml": b"<dd:SerialNumber>TH5CN2J0KF</dd:SerialNumber>"
    }

    redacted = redact_capture(Capture(http=http, ipp={"Get-Printer-Attributes": data}))
    out = redacted.ipp["Get-Printer-Attributes"]
    decoded = ippcodec.decode(out)  # valid: every length field re-encoded
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
    assert isinstance(name, ippcodec.TextWithLanguage)
    assert "B519A4" not in name.text
    assert name.language == "en"
    supply = group.value("printer-supply")
    assert isinstance(supply, bytes)
    assert serial.encode() in supply
    inner = group.value("media-col-ready")
    assert isinstance(inner, ippcodec.Collection)
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
