"""Diagnostics: the entry, the snapshot and a fresh capture, safe to post publicly."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import html
import ipaddress
import json
import re
import shutil
from typing import TYPE_CHECKING, Any
from unittest.mock import patch
from urllib.parse import urlsplit

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_SSL, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.hp_ews.client import (
    Capture,
    CaptureTransport,
    HPEWSConnectionError,
    HPPrinter,
    IppValueTag,
    decode_ipp,
    profile_from_capture,
    read_capture,
    redact_capture,
    write_capture,
)
from custom_components.hp_ews.const import DOMAIN
from custom_components.hp_ews.diagnostics import capture_as_json
from simulator.ippdump import dump_lines
from simulator.profiles import DATA_DIR
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from pathlib import Path
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from custom_components.hp_ews.client import PrinterSnapshot
    from simulator.testing import PrinterFactory

STATUS = FIXTURES / "ledm" / "HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml"
ITALIAN = FIXTURES / "ledm" / "HP-Color-LaserJet-M255dw__ProductStatusDyn.xml"
# The M182nw's panel shows its IP address (the second LocString).
M182_STATUS = (
    FIXTURES
    / "ledm"
    / "HP-Color-LaserJet-Pro-MFP-M182nw__ProductStatusDyn_reserialized.xml"
)
PRODUCT_CONFIG = FIXTURES / "ledm" / "HP-OfficeJet-Pro-9022e__ProductConfigDyn.xml"
ENVY_LOG = FIXTURES / "ipp" / "HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
# The simulated ENVY 4520: its LEDM documents and its own IPP attributes, which
# carry its Wi-Fi, address and host name as captured.
ENVY = DATA_DIR / "envy-4520"
# A location and contact in the style a user would set.
LOCATION = "Arbeitszimmer 2. OG"
CONTACT = "Erika Mustermann"
HOSTNAME = "drucker.fritz.box"


def _capture() -> Capture:
    """What the client returns for the OfficeJet: its documents, redacted."""
    capture = Capture(
        meta={"format": 1, "scheme": "http", "port": 80, "protocols": ["ledm"]},
        http={
            "/DevMgmt/ProductStatusDyn.xml": STATUS.read_bytes(),
            # Firmware that sends ISO-8859-1 ("Modalità" with a bare 0xE0 byte).
            "/DevMgmt/ProductStatusDyn-latin1.xml": ITALIAN.read_text(
                encoding="utf-8"
            ).encode("latin-1"),
        },
        # Not IPP at all: the client drops what it cannot redact.
        ipp={"Get-Printer-Attributes": b"\x00"},
    )
    return redact_capture(capture)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
    snapshot: SnapshotAssertion,
) -> None:
    """Credentials, address, serials and UUIDs never leave Home Assistant."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            CONF_HOST: "192.0.2.20",
            CONF_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: "hunter2",
        },
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    mock_printer.capture.side_effect = _capture

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert diagnostics == snapshot
    text = str(diagnostics)
    for secret in ("192.0.2.20", "hunter2", "admin"):
        assert secret not in text
    assert diagnostics["entry"]["data"][CONF_HOST] == "**REDACTED**"
    status = diagnostics["capture"]["http"]["/DevMgmt/ProductStatusDyn.xml"]["text"]
    assert "inPowerSave" in status
    assert diagnostics["capture"]["ipp"] == {}
    latin1 = diagnostics["capture"]["http"]["/DevMgmt/ProductStatusDyn-latin1.xml"]
    assert base64.b64decode(latin1["base64"]) == ITALIAN.read_text(
        encoding="utf-8"
    ).encode("latin-1")


async def test_diagnostics_printer_away(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
) -> None:
    """Without a printer to capture, the rest still downloads."""
    mock_printer.capture.side_effect = HPEWSConnectionError(
        "Connection refused by 192.0.2.20"
    )
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["capture"] == {"error": "Connection refused by 198.18.0.1"}
    assert diagnostics["snapshot"]["status"]["state"] == "power_save"


# --- safe to post in a public bug report (issue 9) ------------------------------------------


def _envy_secrets() -> set[str]:
    """The ENVY 4520's private values, as its captured attribute dump has them."""
    attributes = {
        name: raw
        for name, _syntax, raw in dump_lines(ENVY_LOG.read_text(encoding="utf-8"))
    }
    secrets = {attributes["printer-wifi-ssid"], attributes["printer-name"]}
    for uri in attributes["printer-uri-supported"].split(","):
        host = urlsplit(uri).hostname
        assert host is not None
        secrets.add(host)
    suffix = re.search(r"\[([0-9A-F]{6})\]", attributes["printer-dns-sd-name"])
    assert suffix is not None
    uuid = attributes["printer-uuid"].removeprefix("urn:uuid:")
    secrets |= {suffix.group(1), uuid, uuid[-12:]}
    assert secrets >= {"Himbeereis", "192.168.35.29", "HPB519A4", "B519A4"}
    return secrets


# What M182_STATUS shows on the panel, and what the tests below plant.
PLANTED = {"192.0.2.1", LOCATION, CONTACT, HOSTNAME, "fe80::ee8e:b5ff:feb5:19a4"}


def _plant_config(text: str) -> str:
    """ProductConfigDyn with a location, contact and addresses set."""
    return (
        text.replace(
            "<dd:DeviceLocation></dd:DeviceLocation>",
            f"<dd:DeviceLocation>{html.escape(LOCATION)}</dd:DeviceLocation>",
        )
        .replace(
            "<dd:CompanyContact></dd:CompanyContact>",
            f"<dd:CompanyContact>{CONTACT}</dd:CompanyContact>",
        )
        .replace(
            "http://REDACTED",
            f"http://[fe80::ee8e:b5ff:feb5:19a4]:80/<!--{HOSTNAME}-->",
        )
    )


def _plant_ipp(data: bytes) -> bytes:
    message = decode_ipp(data)
    printer = message.printer
    printer.set("printer-location", IppValueTag.TEXT, LOCATION)
    printer.set("printer-geo-location", IppValueTag.URI, "geo:52.52,13.40")
    # Asked by a host name, the printer names itself so.
    printer["printer-uri-supported"].append(f"ipp://{HOSTNAME}/ipp/print")
    printer.set(
        "printer-more-info", IppValueTag.URI, f"http://{HOSTNAME}/#hId-pgAirPrint"
    )
    return message.encode()


def _unredacted_capture() -> Capture:
    """The ENVY 4520's documents with its secrets, as a printer sends them."""
    capture = read_capture(ENVY)
    http = dict(capture.http)
    http["/DevMgmt/ProductConfigDyn.xml"] = _plant_config(
        http["/DevMgmt/ProductConfigDyn.xml"].decode()
    ).encode()
    http["/DevMgmt/ProductStatusDyn.xml"] = M182_STATUS.read_bytes()
    http["/DevMgmt/Notes-latin1.txt"] = f"{LOCATION} über {HOSTNAME}".encode("latin-1")
    ipp = {"Get-Printer-Attributes": _plant_ipp(capture.ipp["Get-Printer-Attributes"])}
    return Capture(meta=dict(capture.meta), http=http, ipp=ipp)


def _downloaded_text(diagnostics: dict[str, Any]) -> str:
    """Everything a reader of the file sees, base64 bodies decoded too."""
    capture = diagnostics["capture"]
    decoded = [
        base64.b64decode(entry["base64"]).decode("latin-1")
        for entry in (*capture["http"].values(), *capture["ipp"].values())
        if "base64" in entry
    ]
    return "\n".join([json.dumps(diagnostics, ensure_ascii=False), *decoded])


def _leaks(text: str, secrets: set[str]) -> set[str]:
    return {secret for secret in secrets if secret.lower() in text.lower()}


async def _snapshot_of(capture: Capture) -> PrinterSnapshot:
    printer = HPPrinter("localhost", None, transport=CaptureTransport(capture))
    return await printer.snapshot(profile_from_capture(capture))


async def test_diagnostics_safe_even_from_an_unredacted_capture(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    mock_printer: MagicMock,
) -> None:
    """Diagnostics redact all of it themselves, whatever the client wrote.

    The entry reaches the printer by a host name, which the printer repeats in
    its documents; its title is the printer's HP host name.
    """
    capture = _unredacted_capture()
    secrets = _envy_secrets() | PLANTED
    everything = b"\n".join((*capture.http.values(), *capture.ipp.values()))
    assert _leaks(everything.decode("latin-1"), secrets) == secrets
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        title="HPB519A4",
        data={CONF_HOST: HOSTNAME, CONF_SSL: False},
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    mock_printer.capture.return_value = capture

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    text = _downloaded_text(diagnostics)
    # The snapshot's and profile's address (192.0.2.20) too.
    assert _leaks(text, secrets | {"192.0.2.20"}) == set()
    assert diagnostics["entry"]["title"] == "HP000001"
    assert diagnostics["entry"]["data"][CONF_HOST] == "**REDACTED**"
    # One value, one placeholder, in every part of the download.
    address = urlsplit(diagnostics["profile"]["base_url"]).hostname
    assert address is not None
    assert ipaddress.ip_address(address) in ipaddress.ip_network("198.18.0.0/15")
    config = diagnostics["capture"]["http"]["/DevMgmt/ProductConfigDyn.xml"]["text"]
    assert "<dd:DeviceLocation>LOCATION-1</dd:DeviceLocation>" in config
    assert "<!--HOST-1-->" in config
    ipp = decode_ipp(
        base64.b64decode(
            diagnostics["capture"]["ipp"]["Get-Printer-Attributes"]["base64"]
        )
    ).printer
    assert ipp.value("printer-location") == "LOCATION-1"
    assert ipp.value("printer-more-info") == "http://HOST-1/#hId-pgAirPrint"
    assert ipp.value("printer-wifi-ssid") == "SSID-1"
    assert ipp.value("printer-name") == "HP000001"

    # The download still replays: the same printer but for its identity.
    downloaded = _capture_in(diagnostics)
    before = await _snapshot_of(capture)
    after = await _snapshot_of(downloaded)
    assert after.info.model == before.info.model == "HP ENVY 4520"
    assert dataclasses.replace(after.status, message=None) == dataclasses.replace(
        before.status, message=None
    )
    assert after.supplies == before.supplies
    assert after.counters == before.counters
    assert after.ipp == before.ipp


def _capture_in(diagnostics: dict[str, Any]) -> Capture:
    """The capture of a download, as the simulator's replay reads it."""
    document = diagnostics["capture"]

    def body(entry: dict[str, str]) -> bytes:
        if "text" in entry:
            return entry["text"].encode()
        try:
            return base64.b64decode(entry["base64"], validate=True)
        except binascii.Error as err:  # pragma: no cover - a failed assertion
            raise AssertionError(entry) from err

    return Capture(
        meta=document["meta"],
        http={path: body(entry) for path, entry in document["http"].items()},
        ipp={name: body(entry) for name, entry in document["ipp"].items()},
    )


async def _add_printer(hass: HomeAssistant, url: str) -> MockConfigEntry:
    """Add the printer at ``url`` through the config flow, as a user would."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: url, "advanced": {}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry: MockConfigEntry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    return entry


@pytest.mark.usefixtures("socket_enabled")
async def test_replayed_printer_diagnostics_are_safe_and_replay(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulated_printer: PrinterFactory,
    tmp_path: Path,
) -> None:
    """A replayed capture, added and diagnosed; its download replays again.

    The whole path: the real client captures the simulated printer (loopback
    address, real Wi-Fi name, address and host name in its IPP attributes, a
    location and contact in LEDM), the download holds none of them, and the
    simulator replays the downloaded file as a printer that can be added.
    """
    capture = _unredacted_capture()
    source = tmp_path / "capture"
    write_capture(source, capture)
    sim = await simulated_printer(replay=source)
    with patch("custom_components.hp_ews.coordinator.REQUEST_TIMEOUT", 5.0):
        entry = await _add_printer(hass, sim.url)
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = _downloaded_text(diagnostics)
    assert "127.0.0.1" in sim.url
    assert _leaks(text, _envy_secrets() | PLANTED | {"127.0.0.1"}) == set()
    assert set(diagnostics["capture"]["http"]) >= {
        "/DevMgmt/ProductConfigDyn.xml",
        "/DevMgmt/ProductStatusDyn.xml",
    }
    assert "Get-Printer-Attributes" in diagnostics["capture"]["ipp"]

    download = tmp_path / "config_entry-hp_ews.json"
    download.write_text(
        json.dumps({"home_assistant": {"version": "test"}, "data": diagnostics}),
        encoding="utf-8",
    )
    replayed = await simulated_printer(replay=download)
    async with aiohttp.ClientSession() as session:
        before, again = [
            await HPPrinter("127.0.0.1", session, port=port, timeout=5.0).snapshot()
            for port in (sim.port, replayed.port)
        ]
    assert again.info.model == before.info.model == "HP ENVY 4520"
    # The panel's second line was the printer's address.
    assert before.status.message == "Sleep mode is on.\n192.0.2.1"
    assert again.status.message is not None
    assert re.fullmatch(r"Sleep mode is on\.\n198\.18\.\d+\.\d+", again.status.message)
    assert dataclasses.replace(again.status, message=None) == dataclasses.replace(
        before.status, message=None
    )
    assert again.supplies == before.supplies
    assert again.counters == before.counters
    # And a user can add the replayed bug report as a printer.
    with patch("custom_components.hp_ews.coordinator.REQUEST_TIMEOUT", 5.0):
        await _add_printer(hass, replayed.url)
    shutil.rmtree(source)


def test_capture_as_json_text_or_base64() -> None:
    capture = Capture(http={"/a": b"<a/>", "/b": b"\xff"}, ipp={"Op": b"\x02\x00"})
    assert capture_as_json(capture) == {
        "meta": {"format": 1},
        "http": {"/a": {"text": "<a/>"}, "/b": {"base64": "/w=="}},
        "ipp": {"Op": {"base64": "AgA="}},
    }
