"""The config flow: by address, from discovery, reauth, reconfigure, options."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hp_ews.client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
    PrinterInfo,
    PrinterSnapshot,
)
from custom_components.hp_ews.const import DOMAIN
from tests.recording_proxy import RecordingProxy

from . import mdns
from .printers import (
    ENVY,
    ENVY_UNIQUE_ID,
    HOST,
    OFFICEJET,
    OFFICEJET_UNIQUE_ID,
    PAGEWIDE,
    PAGEWIDE_UNIQUE_ID,
)

if TYPE_CHECKING:
    from unittest.mock import AsyncMock, MagicMock

    from homeassistant.core import HomeAssistant

    from simulator.testing import PrinterFactory

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


def _identity(ad: mdns.Advertisement) -> PrinterSnapshot:
    """What a discovered printer says about itself when probed.

    The advertisement's UUID is the printer's IPP printer-uuid (the same value
    without ``urn:uuid:``), its ``ty`` the IPP make and model.
    """
    return replace(
        OFFICEJET,
        info=PrinterInfo(model=ad.txt["ty"], uuid=ad.txt["UUID"]),
    )


def _advanced(**values: Any) -> dict[str, Any]:
    return {"advanced": values}


async def test_user_flow(
    hass: HomeAssistant, mock_printer: MagicMock, mock_setup_entry: AsyncMock
) -> None:
    """A host name is enough: the printer is probed and named after itself."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: f" {HOST} ", **_advanced()}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "HP OfficeJet Pro 9022e"
    assert result["data"] == {CONF_HOST: HOST, CONF_SSL: False}
    assert result["result"].unique_id == OFFICEJET_UNIQUE_ID
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_url_and_advanced(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A URL sets scheme and port; the advanced section adds credentials."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: f"https://{HOST}:8443/#hId-pgAirPrint",
            **_advanced(**{CONF_USERNAME: "admin", CONF_PASSWORD: "secret"}),
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_HOST: HOST,
        CONF_PORT: 8443,
        CONF_SSL: True,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "secret",
    }


async def test_user_flow_port_field_wins(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """The port and HTTPS fields apply to a bare IPv6 address too."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with_port = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "[2001:db8::20]", **_advanced(**{CONF_PORT: 8080, CONF_SSL: True})},
    )
    assert with_port["data"] == {
        CONF_HOST: "2001:db8::20",
        CONF_PORT: 8080,
        CONF_SSL: True,
    }


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (HPEWSConnectionError("refused"), "cannot_connect"),
        (HPEWSTimeoutError("timed out"), "cannot_connect"),
        (HPEWSParseError("garbage"), "cannot_connect"),
        (HPEWSAuthenticationError("401"), "invalid_auth"),
        (HPEWSUnsupportedError("not HP"), "unsupported"),
        (RuntimeError("bug"), "unknown"),
    ],
)
async def test_user_flow_errors(
    hass: HomeAssistant, mock_printer: MagicMock, error: Exception, reason: str
) -> None:
    """Every failure is shown in the form, and the user can try again."""
    mock_printer.probe.side_effect = error
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, **_advanced()}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": reason}

    mock_printer.probe.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, **_advanced()}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_no_identity(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A printer without serial or UUID cannot be told apart: refused."""
    mock_printer.snapshot.return_value = replace(
        OFFICEJET, info=replace(OFFICEJET.info, serial_number=" ", uuid="REDACTED")
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, **_advanced()}
    )
    assert result["errors"] == {"base": "no_identity"}


@pytest.mark.parametrize("host", ["ftp://printer.local", "http://", "http://[::1"])
async def test_user_flow_invalid_host(
    hass: HomeAssistant, mock_printer: MagicMock, host: str
) -> None:
    """Addresses that are no host, IP or http(s) URL never reach the client."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, **_advanced()}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    mock_printer.probe.assert_not_awaited()


async def test_user_flow_host_refused_by_client(
    hass: HomeAssistant, mock_printer_class: MagicMock
) -> None:
    """A host the client itself refuses is reported as unreachable."""
    mock_printer_class.side_effect = HPEWSConnectionError("Invalid host")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "printer one.local", **_advanced()}
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_already_configured(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Adding a configured printer again updates its address instead."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "192.0.2.99", **_advanced()}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.data[CONF_HOST] == "192.0.2.99"


@pytest.mark.parametrize(
    "ad",
    [
        mdns.advertisement(mdns.M478, "_ipp._tcp"),
        mdns.advertisement(mdns.M478, "_uscan._tcp"),
        mdns.advertisement(mdns.OFFICEJET_6600, "_ipp._tcp"),
        mdns.advertisement(mdns.M254, "_pdl-datastream._tcp"),
    ],
    ids=["m478-ipp", "m478-uscan", "officejet6600-ipp", "m254-pdl"],
)
async def test_zeroconf(
    hass: HomeAssistant,
    mock_printer_class: MagicMock,
    mock_printer: MagicMock,
    ad: mdns.Advertisement,
) -> None:
    """Real HP advertisements lead to a confirm dialog naming the model."""
    mock_printer.snapshot.return_value = _identity(ad)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"] == {
        "model": ad.txt["ty"],
        "host": ad.address,
    }
    # The discovered port is the service's (IPP, eSCL, 9100), not the web server's.
    assert mock_printer_class.call_args.args[0] == ad.address
    assert mock_printer_class.call_args.kwargs["port"] is None

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == ad.txt["ty"]
    assert result["data"] == {CONF_HOST: ad.address, CONF_SSL: False}
    assert result["result"].unique_id == ad.txt["UUID"]
    # Probed once at discovery; confirming does not probe again.
    mock_printer.probe.assert_awaited_once()


async def test_zeroconf_one_flow_per_printer(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """The same printer seen on IPP and eSCL yields one discovery flow."""
    ipp = mdns.advertisement(mdns.M478, "_ipp._tcp")
    mock_printer.snapshot.return_value = _identity(ipp)
    first = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ipp.service_info()
    )
    assert first["type"] is FlowResultType.FORM

    second = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=mdns.advertisement(mdns.M478, "_uscan._tcp").service_info(),
    )
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"
    # The second record was turned away before any request to the printer.
    mock_printer.probe.assert_awaited_once()


async def test_zeroconf_updates_address_of_known_printer(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A configured printer seen at a new address gets its entry updated."""
    ad = mdns.advertisement(mdns.OFFICEJET_6600, "_ipp._tcp")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=ad.txt["UUID"],
        data={CONF_HOST: "192.0.2.99", CONF_PORT: 8080, CONF_SSL: False},
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {CONF_HOST: ad.address, CONF_PORT: 8080, CONF_SSL: False}
    mock_printer.probe.assert_not_awaited()


async def test_zeroconf_known_address(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """An address that is already configured is not offered again."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp")
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info(HOST)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    mock_printer.probe.assert_not_awaited()


async def test_zeroconf_without_uuid(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Without a TXT UUID the printer's own answer identifies it.

    The CP2025dn's LPD record carries no UUID; the probe here answers as the
    already configured OfficeJet, so the address of that entry is updated.
    """
    mock_config_entry.add_to_hass(hass)
    ad = mdns.CP2025[0]
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=ad.service_info("192.0.2.30"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.data[CONF_HOST] == "192.0.2.30"


async def test_zeroconf_placeholder_uuid_and_ipp_usb(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """ipp-usb re-advertises a USB printer on a local port; keep that port.

    Its UUID was removed by the publisher ("<removed>"), which must not become
    an id: the probe's answer (here the PageWide's) identifies the printer.
    """
    ad = mdns.advertisement(mdns.FLOW_M578, "_ipp._tcp")
    mock_printer.snapshot.return_value = PAGEWIDE
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["step_id"] == "zeroconf_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: "127.0.0.1", CONF_PORT: 60001, CONF_SSL: False}
    assert result["result"].unique_id == PAGEWIDE_UNIQUE_ID


async def test_zeroconf_truncated_product(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A product value cut short ("(H") is not shown; ``ty`` names the model."""
    ad = mdns.advertisement(mdns.OFFICEJET_8730, "_ipp._tcp")
    mock_printer.snapshot.side_effect = HPEWSAuthenticationError("401")
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        # ipp-usb serves it on localhost:60000 (see its adminurl).
        data=replace(ad, port=60000).service_info("127.0.0.1"),
    )
    assert result["description_placeholders"] == {
        "model": "HP OfficeJet Pro 8730",
        "host": "127.0.0.1",
    }


async def test_zeroconf_name_only(hass: HomeAssistant, mock_printer: MagicMock) -> None:
    """An _http._tcp record with an empty TXT is judged by its instance name."""
    mock_printer.snapshot.return_value = ENVY
    envy_http = mdns.Advertisement(
        name="HP ENVY 4520 series [B519A4]",
        service_type="_http._tcp",
        address="192.168.35.29",
        port=80,
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=envy_http.service_info()
    )
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"]["model"] == "HP ENVY 4520 series"
    assert hass.config_entries.flow.async_progress()[0]["context"]["unique_id"] == (
        ENVY_UNIQUE_ID
    )


@pytest.mark.parametrize(
    "ad",
    [
        # Another brand's printer announcing the same services.
        mdns.advertisement(mdns.M478, "_ipp._tcp").with_txt(
            usb_MFG="Canon", ty="Canon iR-ADV C3530", product="(Canon iR-ADV C3530)"
        ),
        # The maker key decides, whatever the model keys say.
        mdns.advertisement(mdns.M478, "_ipp._tcp").with_txt(usb_MFG="Brother"),
        # No maker key and a model that does not name HP.
        mdns.advertisement(mdns.OFFICEJET_6600, "_ipp._tcp").with_txt(
            usb_MFG=None, product=None
        ),
        mdns.Advertisement(
            name="Living room speaker", service_type="_http._tcp", address="192.0.2.5"
        ),
    ],
    ids=["other-brand", "maker-decides", "model-without-hp", "not-a-printer"],
)
async def test_zeroconf_not_hp(
    hass: HomeAssistant, mock_printer: MagicMock, ad: mdns.Advertisement
) -> None:
    """Other brands are turned away before any request is sent."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_hp_printer"
    mock_printer.probe.assert_not_awaited()


async def test_zeroconf_misspelt_maker_key(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """Enterprise LaserJets announce the maker as usb_MFC=Hewlett-Packard."""
    ad = mdns.advertisement(mdns.FLOW_M578, "_ipp._tcp")
    misspelt = ad.with_txt(
        usb_MFG=None, usb_MFC=ad.txt["usb_MFG"], ty="M578", product=None
    )
    mock_printer.snapshot.return_value = PAGEWIDE
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=misspelt.service_info()
    )
    assert result["step_id"] == "zeroconf_confirm"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (HPEWSConnectionError("refused"), "cannot_connect"),
        (HPEWSUnsupportedError("legacy EWS only"), "unsupported"),
        (RuntimeError("bug"), "unknown"),
    ],
)
async def test_zeroconf_probe_fails(
    hass: HomeAssistant, mock_printer: MagicMock, error: Exception, reason: str
) -> None:
    """A discovered printer that cannot be read is not offered."""
    mock_printer.probe.side_effect = error
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=mdns.CP2025[0].service_info("192.0.2.30"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_zeroconf_no_identity(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A discovered printer without serial or UUID is not offered."""
    mock_printer.snapshot.return_value = replace(
        OFFICEJET, info=PrinterInfo(model="HP Color LaserJet CP2025dn")
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=mdns.CP2025[0].service_info("192.0.2.30"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_identity"


async def test_zeroconf_with_credentials(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """A printer that wants credentials asks for them after the confirm."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp")
    mock_printer.probe.side_effect = HPEWSAuthenticationError("401")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["step_id"] == "zeroconf_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "credentials"
    assert result["description_placeholders"] == {
        "model": "HP Color LaserJet Pro M478f-9f",
        "host": ad.address,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    mock_printer.probe.side_effect = None
    mock_printer.snapshot.return_value = _identity(ad)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "right"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_HOST: ad.address,
        CONF_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "right",
    }
    assert result["result"].unique_id == ad.txt["UUID"]


async def test_zeroconf_credentials_for_a_known_printer_move_only_its_host(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """Credentials typed in a discovery flow that turn out to open a configured
    printer move it, but leave its HTTPS, port and stored credentials alone."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp")
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=ad.txt["UUID"],
        data={
            CONF_HOST: "192.0.2.99",
            CONF_PORT: 8443,
            CONF_SSL: True,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: "stored",
        },
    )
    entry.add_to_hass(hass)
    # The announcement names another UUID, so only the probe finds the entry.
    ad = ad.with_txt(UUID="0b2d6f1e-5c3a-4e8f-9d71-3a6b2c4d5e6f")
    mock_printer.probe.side_effect = HPEWSAuthenticationError("401")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "credentials"

    mock_printer.probe.side_effect = None
    mock_printer.snapshot.return_value = replace(
        OFFICEJET, info=PrinterInfo(model=ad.txt["ty"], uuid=entry.unique_id)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "other", CONF_PASSWORD: "typed"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {
        CONF_HOST: ad.address,
        CONF_PORT: 8443,
        CONF_SSL: True,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "stored",
    }


# --- discovery moves a known printer: only its host, only when it is that printer ---

CREDENTIALS = {CONF_USERNAME: "admin", CONF_PASSWORD: "hp"}
OTHER_UUID = "0b2d6f1e-5c3a-4e8f-9d71-3a6b2c4d5e6f"
"""A printer UUID that no simulated printer has."""


def _known(unique_id: str, **data: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        unique_id=unique_id,
        data={CONF_HOST: "192.0.2.99", **data},
    )


async def test_zeroconf_moves_only_the_host(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """An entry without credentials follows its printer; HTTPS and the port
    stay as the user set them (the discovery flow knows neither)."""
    ad = mdns.advertisement(mdns.FLOW_M578, "_ipp._tcp").with_txt(UUID=OTHER_UUID)
    entry = _known(OTHER_UUID, **{CONF_PORT: 8443, CONF_SSL: True})
    entry.add_to_hass(hass)
    # ipp-usb: a loopback address and port, the port not taken either.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {CONF_HOST: "127.0.0.1", CONF_PORT: 8443, CONF_SSL: True}
    mock_printer.probe.assert_not_awaited()
    mock_printer.anonymous_identity.assert_not_awaited()


async def test_zeroconf_moves_a_printer_with_credentials_once_verified(
    hass: HomeAssistant, mock_printer_class: MagicMock, mock_printer: MagicMock
) -> None:
    """The device at the new address, read without credentials and the way
    the entry reaches its printer (HTTPS, its port), names the entry's UUID."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp").with_txt(UUID=OTHER_UUID)
    data = {CONF_PORT: 8443, CONF_SSL: True, **CREDENTIALS}
    entry = _known(OTHER_UUID, **data)
    entry.add_to_hass(hass)
    mock_printer.anonymous_identity.return_value = PrinterInfo(
        uuid=f"urn:uuid:{OTHER_UUID.upper()}", serial_number="CN1"
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {CONF_HOST: ad.address, **data}
    mock_printer.anonymous_identity.assert_awaited_once()
    mock_printer.probe.assert_not_awaited()
    args, kwargs = mock_printer_class.call_args
    assert args[0] == ad.address
    assert kwargs["scheme"] == "https"
    assert kwargs["port"] == 8443
    assert kwargs["username"] is None
    assert kwargs["password"] is None


@pytest.mark.parametrize(
    "outcome",
    [
        PrinterInfo(uuid="7d1e5c2a-0000-4000-8000-000000000001", serial_number="X"),
        PrinterInfo(),
        HPEWSAuthenticationError("locked"),
        HPEWSConnectionError("refused"),
        HPEWSUnsupportedError("not HP"),
        RuntimeError("bug"),
    ],
    ids=["other-printer", "no-identity", "locked", "offline", "unsupported", "bug"],
)
async def test_zeroconf_unverified_address_leaves_the_entry(
    hass: HomeAssistant,
    mock_printer: MagicMock,
    outcome: PrinterInfo | Exception,
) -> None:
    """A TXT UUID is anyone's to announce: unless the device proves to be the
    printer, an entry with credentials keeps its address."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp").with_txt(UUID=OTHER_UUID)
    data = {CONF_HOST: "192.0.2.99", CONF_SSL: False, **CREDENTIALS}
    entry = _known(OTHER_UUID, **data)
    entry.add_to_hass(hass)
    if isinstance(outcome, Exception):
        mock_printer.anonymous_identity.side_effect = outcome
    else:
        mock_printer.anonymous_identity.return_value = outcome
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unverified_address"
    assert entry.data == data
    mock_printer.probe.assert_not_awaited()
    mock_printer.snapshot.assert_not_awaited()


async def test_zeroconf_same_address_needs_no_check(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """Rediscovered where it already is: nothing to verify, nothing changes."""
    ad = mdns.advertisement(mdns.M478, "_ipp._tcp").with_txt(UUID=OTHER_UUID)
    data = {CONF_HOST: ad.address, CONF_SSL: True, **CREDENTIALS}
    entry = _known(OTHER_UUID, **data)
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=ad.service_info()
    )
    assert result["reason"] == "already_configured"
    assert entry.data == data
    mock_printer.anonymous_identity.assert_not_awaited()


async def test_zeroconf_without_uuid_keeps_https_and_credentials(
    hass: HomeAssistant, mock_printer_class: MagicMock, mock_printer: MagicMock
) -> None:
    """No TXT UUID: the printer's own answer, read without credentials at the
    new address, identifies the entry; only its host changes."""
    data = {CONF_PORT: 8443, CONF_SSL: True, **CREDENTIALS}
    entry = _known(OFFICEJET_UNIQUE_ID, **data)
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=mdns.CP2025[0].service_info("192.0.2.30"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {CONF_HOST: "192.0.2.30", **data}
    assert mock_printer_class.call_args.kwargs["username"] is None


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("locked", [False, True], ids=["open", "locked"])
async def test_zeroconf_impostor_never_gets_the_credentials(
    hass: HomeAssistant, simulated_printer: PrinterFactory, locked: bool
) -> None:
    """Another printer at the discovered address announces the entry's UUID:
    the entry keeps its address, and no Authorization header ever reaches the
    impostor, whether it answers openly or asks for credentials everywhere."""
    impostor = await simulated_printer("officejet-pro-9022e", identity_seed="impostor")
    if locked:
        await impostor.set_fault("auth")
    async with RecordingProxy(impostor.base_url) as proxy:
        data = {CONF_PORT: proxy.port, CONF_SSL: False, **CREDENTIALS}
        entry = _known(OTHER_UUID, **data)
        entry.add_to_hass(hass)
        ad = mdns.advertisement(mdns.OFFICEJET_6600, "_ipp._tcp").with_txt(
            UUID=OTHER_UUID
        )
        result = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_ZEROCONF},
            data=ad.service_info("127.0.0.1"),
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unverified_address"
    assert entry.data == {CONF_HOST: "192.0.2.99", **data}
    assert impostor.state.identity.uuid != OTHER_UUID
    assert proxy.seen  # it was asked who it is...
    assert proxy.authorizations == []  # ...and never given the credentials


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("locked_web", [False, True], ids=["open", "locked-web"])
async def test_zeroconf_moves_the_real_printer_without_sending_credentials(
    hass: HomeAssistant, simulated_printer: PrinterFactory, locked_web: bool
) -> None:
    """The entry's own printer at the new address proves who it is without
    credentials (from IPP when its web server wants them): only the host
    changes, and the check itself sends no Authorization header."""
    sim = await simulated_printer("officejet-pro-9022e")
    if locked_web:
        await sim.set_fault("auth", paths=["/DevMgmt/"])
    async with RecordingProxy(sim.base_url) as proxy:
        data = {CONF_PORT: proxy.port, CONF_SSL: False, **CREDENTIALS}
        entry = _known(sim.state.identity.uuid, **data)
        entry.add_to_hass(hass)
        ad = mdns.advertisement(mdns.OFFICEJET_6600, "_ipp._tcp").with_txt(
            UUID=sim.state.identity.uuid.upper()
        )
        result = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_ZEROCONF},
            data=ad.service_info("127.0.0.1"),
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == {CONF_HOST: "127.0.0.1", **data}
    assert proxy.seen
    assert proxy.authorizations == []


async def test_reauth(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """New credentials are checked against the same printer and stored."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    mock_printer.probe.side_effect = HPEWSAuthenticationError("401")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    mock_printer.probe.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "right"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data == {
        CONF_HOST: HOST,
        CONF_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "right",
    }


async def test_reauth_other_printer(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Credentials that open a different printer are not stored."""
    mock_config_entry.add_to_hass(hass)
    mock_printer.snapshot.return_value = PAGEWIDE
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "right"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_printer"
    assert CONF_PASSWORD not in mock_config_entry.data


async def test_reconfigure(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Address, port, scheme and credentials can change; the form starts filled."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    schema = result["data_schema"].schema
    host_key = next(key for key in schema if key == CONF_HOST)
    assert host_key.description == {"suggested_value": HOST}

    mock_printer.probe.side_effect = HPEWSConnectionError("refused")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "192.0.2.21", **_advanced()}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    mock_printer.probe.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "192.0.2.21",
            **_advanced(
                **{
                    CONF_PORT: 443,
                    CONF_SSL: True,
                    CONF_USERNAME: "admin",
                    CONF_PASSWORD: "pw",
                }
            ),
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data == {
        CONF_HOST: "192.0.2.21",
        CONF_PORT: 443,
        CONF_SSL: True,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "pw",
    }


async def test_reconfigure_keeps_password(
    hass: HomeAssistant, mock_printer: MagicMock
) -> None:
    """The stored password is never shown; leaving it blank keeps it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=OFFICEJET_UNIQUE_ID,
        data={
            CONF_HOST: HOST,
            CONF_SSL: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: "pw",
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "192.0.2.21", **_advanced(**{CONF_USERNAME: "admin"})},
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == "pw"
    assert entry.data[CONF_HOST] == "192.0.2.21"


async def test_reconfigure_invalid_host(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """The reconfigure form validates the address like the user step."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "ftp://printer", **_advanced()}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}


async def test_reconfigure_other_printer(
    hass: HomeAssistant, mock_printer: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Pointing an entry at a different printer is refused."""
    mock_config_entry.add_to_hass(hass)
    mock_printer.snapshot.return_value = ENVY
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "192.0.2.21", **_advanced()}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_printer"
    assert mock_config_entry.data[CONF_HOST] == HOST


async def test_options(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Hold time and space for held jobs are options, shown with current values."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
    }
    assert suggested == {
        "hold_hours": 24,
        "held_quota_gib": 2,
        "walkup_enabled": True,
        "walkup_name": "",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"hold_hours": 48.0, "held_quota_gib": 10.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {"hold_hours": 48, "held_quota_gib": 10}

    # Emptied fields fall back to their defaults.
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {}
