"""Config flow for the HP Printer (EWS) integration."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from yarl import URL

# Home Assistant validates forms with probatio, a voluptuous drop-in, since
# 2026; older releases (2025.4 is supported) have only voluptuous.
try:
    import probatio as vol  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Home Assistant release
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]

from .client import (
    HPEWSAuthenticationError,
    HPEWSError,
    HPEWSUnsupportedError,
    normalize_uuid,
)
from .const import (
    CONF_ADVANCED,
    CONF_HELD_QUOTA_GIB,
    CONF_HOLD_HOURS,
    CONF_WALKUP_ENABLED,
    CONF_WALKUP_NAME,
    DEFAULT_HELD_QUOTA_GIB,
    DEFAULT_HOLD_HOURS,
    DEFAULT_WALKUP_ENABLED,
    DOMAIN,
    LOGGER,
    MAX_HELD_QUOTA_GIB,
    MAX_HOLD_HOURS,
    MAX_WALKUP_NAME_LENGTH,
    MIN_HELD_QUOTA_GIB,
    MIN_HOLD_HOURS,
)
from .coordinator import create_printer, printer_unique_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

    from .client import PrinterInfo, PrinterSnapshot

HP_MAKERS = frozenset({"hp", "hewlett-packard", "hewlett packard"})
HP_WORD = re.compile(r"\b(?:hp|hewlett[- ]packard)\b", re.IGNORECASE)
MAKER_KEYS = ("usb_MFG", "usb_MFC")
"""TXT keys naming the maker; some LaserJets misspell usb_MFG as usb_MFC."""
MODEL_KEYS = ("ty", "product")
INSTANCE_SUFFIX = re.compile(r"\s*[\[(][0-9A-Fa-f]{6}[\])].*$")
"""The " [B519A4]" (or " (E4F500)") MAC tail HP appends to instance names."""

PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
USERNAME_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="username"))
EXAMPLE_URL = "https://printer.local"
"""Shown in the address help; hassfest refuses URLs inside translations."""


class InvalidHostError(ValueError):
    """The address the user typed is neither a host name, an IP nor a URL."""


def _connection_schema() -> vol.Schema:
    """Return the address form; fresh each time as suggested values mutate it."""
    return vol.Schema(
        {
            vol.Required(CONF_HOST): TextSelector(
                TextSelectorConfig(autocomplete="off")
            ),
            vol.Required(CONF_ADVANCED): section(
                vol.Schema(
                    {
                        vol.Optional(CONF_PORT): NumberSelector(
                            NumberSelectorConfig(
                                min=1, max=65535, mode=NumberSelectorMode.BOX
                            )
                        ),
                        vol.Optional(CONF_SSL, default=False): BooleanSelector(),
                        vol.Optional(CONF_USERNAME): USERNAME_SELECTOR,
                        vol.Optional(CONF_PASSWORD): PASSWORD_SELECTOR,
                    }
                ),
                {"collapsed": True},
            ),
        }
    )


CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): USERNAME_SELECTOR,
        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)


def _connection_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the address form into config entry data.

    The address may be a host name, an IP address or a URL such as
    ``https://192.0.2.7:8443/``; the fields of the advanced section win.
    """
    raw = str(user_input[CONF_HOST]).strip()
    advanced: Mapping[str, Any] = user_input.get(CONF_ADVANCED, {})
    try:
        host, port, https = str(ipaddress.ip_address(raw.strip("[]"))), None, False
    except ValueError:
        try:
            url = URL(raw if "://" in raw else f"http://{raw}")
        except ValueError as err:
            raise InvalidHostError from err
        if url.scheme not in ("http", "https") or not url.host:
            raise InvalidHostError from None
        host, port, https = url.host, url.explicit_port, url.scheme == "https"
    data: dict[str, Any] = {
        CONF_HOST: host,
        CONF_SSL: bool(advanced.get(CONF_SSL)) or https,
    }
    if port := advanced.get(CONF_PORT) or port:
        data[CONF_PORT] = int(port)
    if username := advanced.get(CONF_USERNAME):
        data[CONF_USERNAME] = username
        data[CONF_PASSWORD] = advanced.get(CONF_PASSWORD, "")
    return data


def _form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn config entry data back into the address form (without password)."""
    advanced = {
        key: data[key] for key in (CONF_PORT, CONF_SSL, CONF_USERNAME) if key in data
    }
    return {CONF_HOST: data[CONF_HOST], CONF_ADVANCED: advanced}


def _title(info: PrinterInfo) -> str:
    """Name a printer the way it names itself."""
    return info.model or info.series or f"{info.manufacturer} printer"


def _txt(properties: Mapping[str, Any], key: str) -> str | None:
    """Return a TXT value as text; keys without a value come as None."""
    value = properties.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _is_hp(discovery_info: ZeroconfServiceInfo) -> bool:
    """Tell HP printers from other brands advertising the same services.

    The maker key decides when present. Otherwise ``ty``/``product`` must name
    HP; a record with neither (some ``_http._tcp`` ones) is judged by the
    instance name HP gives its printers.
    """
    props = discovery_info.properties
    for key in MAKER_KEYS:
        if maker := _txt(props, key):
            return maker.lower() in HP_MAKERS
    models = [value for key in MODEL_KEYS if (value := _txt(props, key))]
    if models:
        return any(HP_WORD.search(value) for value in models)
    return discovery_info.name.upper().startswith("HP ")


def _txt_model(discovery_info: ZeroconfServiceInfo) -> str:
    """Return the model a discovery record names, for the confirm dialog.

    ``product`` ("(HP Officejet 6600)") names HP even where ``ty`` does not,
    but TXT values are cut at 255 bytes, so only a complete one is used.
    """
    props = discovery_info.properties
    product = _txt(props, "product")
    if product and product.startswith("(") and product.endswith(")"):
        return product[1:-1]
    if model := _txt(props, "ty") or _txt(props, "usb_MDL"):
        return model
    instance = discovery_info.name.removesuffix(f".{discovery_info.type}")
    return INSTANCE_SUFFIX.sub("", instance)


class HPEWSConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an HP printer by address or from discovery."""

    VERSION = 1
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Initialise the flow."""
        self._data: dict[str, Any] = {}
        self._snapshot: PrinterSnapshot | None = None
        self._model = ""

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HPEWSOptionsFlow:
        """Return the options flow."""
        return HPEWSOptionsFlow()

    async def _async_try_connect(
        self, data: Mapping[str, Any]
    ) -> tuple[PrinterSnapshot | None, str | None]:
        """Probe the printer; return its snapshot, or the error to show."""
        try:
            printer = create_printer(self.hass, data)
            snapshot = await printer.snapshot(await printer.probe())
        except HPEWSAuthenticationError:
            return None, "invalid_auth"
        except HPEWSUnsupportedError:
            return None, "unsupported"
        except HPEWSError:
            return None, "cannot_connect"
        except Exception:  # noqa: BLE001
            LOGGER.exception("Unexpected error probing %s", data[CONF_HOST])
            return None, "unknown"
        if printer_unique_id(snapshot.info) is None:
            return None, "no_identity"
        return snapshot, None

    async def _async_create_or_update(
        self,
        data: dict[str, Any],
        snapshot: PrinterSnapshot,
        *,
        updates: Mapping[str, Any] | None = None,
    ) -> ConfigFlowResult:
        """Add the probed printer, or update a known one with ``updates``.

        What the user typed replaces a known printer's connection; what
        discovery found replaces only its address (``updates``).
        """
        await self.async_set_unique_id(
            printer_unique_id(snapshot.info), raise_on_progress=False
        )
        self._abort_if_unique_id_configured(
            updates=dict(data if updates is None else updates)
        )
        return self.async_create_entry(title=_title(snapshot.info), data=data)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the printer's address."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _connection_data(user_input)
            except InvalidHostError:
                errors[CONF_HOST] = "invalid_host"
            else:
                snapshot, error = await self._async_try_connect(data)
                if snapshot is not None:
                    return await self._async_create_or_update(data, snapshot)
                errors["base"] = str(error)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(), user_input
            ),
            description_placeholders={"example_url": EXAMPLE_URL},
            errors=errors,
        )

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """Handle a printer announcing one of its services."""
        if not _is_hp(discovery_info):
            return self.async_abort(reason="not_hp_printer")
        self._data = {CONF_HOST: discovery_info.host, CONF_SSL: False}
        if discovery_info.ip_address.is_loopback and discovery_info.port:
            # ipp-usb serves a USB printer's web server and IPP on one local port.
            self._data[CONF_PORT] = discovery_info.port
        # Every service of a printer carries the same UUID: one flow for all.
        if uid := normalize_uuid(_txt(discovery_info.properties, "UUID")):
            await self.async_set_unique_id(uid)
            await self._async_move_known_printer(discovery_info.host)
        self._async_abort_entries_match({CONF_HOST: discovery_info.host})
        self._model = _txt_model(discovery_info)
        self.context["title_placeholders"] = {"name": self._model}

        snapshot, error = await self._async_try_connect(self._data)
        if error == "invalid_auth":
            return await self.async_step_zeroconf_confirm()
        if snapshot is None:
            return self.async_abort(reason=str(error))
        # What the printer itself says identifies it best (and without TXT UUID);
        # it was read without credentials, so a known printer may move here.
        await self.async_set_unique_id(printer_unique_id(snapshot.info))
        self._abort_if_unique_id_configured(updates={CONF_HOST: discovery_info.host})
        self._snapshot = snapshot
        self._model = _title(snapshot.info)
        self.context["title_placeholders"] = {"name": self._model}
        return await self.async_step_zeroconf_confirm()

    async def _async_move_known_printer(self, host: str) -> None:
        """Abort for a configured printer, moving it to ``host`` when it is safe.

        Discovery changes only the address: HTTPS, port and credentials are
        the user's. A TXT UUID is anyone's to announce, so an entry with
        credentials moves only once the device at ``host``, read without
        credentials, turns out to be the same printer; otherwise it stays
        where it is (and its credentials go nowhere new).
        """
        entry = next(
            (
                entry
                for entry in self._async_current_entries(include_ignore=False)
                if entry.unique_id == self.unique_id
            ),
            None,
        )
        if (
            entry is not None
            and entry.data.get(CONF_HOST) != host
            and (CONF_USERNAME in entry.data or CONF_PASSWORD in entry.data)
            and not await self._async_is_same_printer(entry, host)
        ):
            raise AbortFlow("unverified_address")
        self._abort_if_unique_id_configured(updates={CONF_HOST: host})

    async def _async_is_same_printer(self, entry: ConfigEntry, host: str) -> bool:
        """Whether the device at ``host`` proves to be ``entry``'s printer.

        Read the way the entry reaches its printer (HTTPS only when ticked,
        its port), with no credentials: they are dropped from the data and
        the read itself sends none.
        """
        data = {
            key: value
            for key, value in entry.data.items()
            if key not in (CONF_USERNAME, CONF_PASSWORD)
        }
        data[CONF_HOST] = host
        try:
            info = await create_printer(self.hass, data).anonymous_identity()
        except HPEWSError as err:
            LOGGER.debug("Cannot tell who answers at %s: %s", host, err)
            return False
        except Exception:  # noqa: BLE001
            LOGGER.exception("Unexpected error reading the identity at %s", host)
            return False
        return printer_unique_id(info) == entry.unique_id

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user confirm adding the discovered printer."""
        if user_input is None:
            self._set_confirm_only()
            return self.async_show_form(
                step_id="zeroconf_confirm",
                description_placeholders={
                    "model": self._model,
                    "host": self._data[CONF_HOST],
                },
            )
        if self._snapshot is None:
            return await self.async_step_credentials()
        return self.async_create_entry(
            title=_title(self._snapshot.info), data=self._data
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials a discovered printer wants."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**self._data, **user_input}
            snapshot, error = await self._async_try_connect(data)
            if snapshot is not None:
                # Discovered: a known printer keeps its HTTPS, port and credentials.
                return await self._async_create_or_update(
                    data, snapshot, updates={CONF_HOST: data[CONF_HOST]}
                )
            errors["base"] = str(error)
        return self.async_show_form(
            step_id="credentials",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, user_input
            ),
            description_placeholders={
                "model": self._model,
                "host": self._data[CONF_HOST],
            },
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Handle a printer that started asking for credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            snapshot, error = await self._async_try_connect(
                {**entry.data, **user_input}
            )
            if snapshot is not None:
                await self.async_set_unique_id(printer_unique_id(snapshot.info))
                self._abort_if_unique_id_mismatch(reason="wrong_printer")
                return self.async_update_reload_and_abort(
                    entry, data_updates=user_input
                )
            errors["base"] = str(error)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA,
                user_input or {CONF_USERNAME: entry.data.get(CONF_USERNAME)},
            ),
            description_placeholders={
                "name": entry.title,
                "host": entry.data[CONF_HOST],
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how to reach the printer; it must stay the same printer."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _connection_data(user_input)
            except InvalidHostError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if (
                    CONF_USERNAME in data
                    and not data[CONF_PASSWORD]
                    and data[CONF_USERNAME] == entry.data.get(CONF_USERNAME)
                ):
                    # The form never shows the stored password; blank keeps it.
                    data[CONF_PASSWORD] = entry.data.get(CONF_PASSWORD, "")
                snapshot, error = await self._async_try_connect(data)
                if snapshot is not None:
                    await self.async_set_unique_id(printer_unique_id(snapshot.info))
                    self._abort_if_unique_id_mismatch(reason="wrong_printer")
                    return self.async_update_reload_and_abort(entry, data=data)
                errors["base"] = str(error)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(), user_input or _form_values(entry.data)
            ),
            description_placeholders={"name": entry.title, "example_url": EXAMPLE_URL},
            errors=errors,
        )


def _walkup_name(value: Any) -> str | None:
    """The destination name typed, None for the default; ValueError if unusable."""
    name = str(value or "").strip()
    if not name:
        return None
    if len(name) > MAX_WALKUP_NAME_LENGTH or not name.isprintable():
        raise ValueError(name)
    return name


def _offers_walkup(entry: ConfigEntry) -> bool:
    """Whether the walk-up options can matter for this printer.

    Known once the entry is loaded: walk-up needs the LEDM event channel,
    and a printer that refused a destination has none. Until then, offered.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return True
    walkup = entry.runtime_data.walkup
    return walkup is not None and walkup.walkup_available is not False


class HPEWSOptionsFlow(OptionsFlow):
    """Change how held jobs are kept and whether the panel can scan to Home Assistant.

    The options are read when they are used (a job is held, the walk-up
    destination is registered), so a change needs no reload and the entry
    registers no update listener.
    """

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the hold time, the space held jobs may take and walk-up scanning."""
        errors: dict[str, str] = {}
        if user_input is not None:
            # A field left empty falls back to its default.
            data: dict[str, Any] = {
                key: int(user_input[key])
                for key in (CONF_HOLD_HOURS, CONF_HELD_QUOTA_GIB)
                if key in user_input
            }
            if not _offers_walkup(self.config_entry):
                # Not on the form: what was set stays.
                data |= {
                    key: self.config_entry.options[key]
                    for key in (CONF_WALKUP_ENABLED, CONF_WALKUP_NAME)
                    if key in self.config_entry.options
                }
            if CONF_WALKUP_ENABLED in user_input:
                data[CONF_WALKUP_ENABLED] = bool(user_input[CONF_WALKUP_ENABLED])
            try:
                name = _walkup_name(user_input.get(CONF_WALKUP_NAME))
            except ValueError:
                errors[CONF_WALKUP_NAME] = "invalid_walkup_name"
            else:
                if name is not None:
                    data[CONF_WALKUP_NAME] = name
                return self.async_create_entry(data=data)
        fields: dict[Any, Any] = {
            vol.Optional(CONF_HOLD_HOURS): NumberSelector(
                NumberSelectorConfig(
                    min=MIN_HOLD_HOURS,
                    max=MAX_HOLD_HOURS,
                    step=1,
                    unit_of_measurement="h",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Optional(CONF_HELD_QUOTA_GIB): NumberSelector(
                NumberSelectorConfig(
                    min=MIN_HELD_QUOTA_GIB,
                    max=MAX_HELD_QUOTA_GIB,
                    step=1,
                    unit_of_measurement="GiB",
                    mode=NumberSelectorMode.BOX,
                )
            ),
        }
        if _offers_walkup(self.config_entry):
            fields[vol.Optional(CONF_WALKUP_ENABLED)] = BooleanSelector()
            fields[vol.Optional(CONF_WALKUP_NAME)] = TextSelector()
        options = self.config_entry.options
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields),
                user_input
                or {
                    CONF_HOLD_HOURS: options.get(CONF_HOLD_HOURS, DEFAULT_HOLD_HOURS),
                    CONF_HELD_QUOTA_GIB: options.get(
                        CONF_HELD_QUOTA_GIB, DEFAULT_HELD_QUOTA_GIB
                    ),
                    CONF_WALKUP_ENABLED: options.get(
                        CONF_WALKUP_ENABLED, DEFAULT_WALKUP_ENABLED
                    ),
                    # Empty means the location name, shown in the description.
                    CONF_WALKUP_NAME: options.get(CONF_WALKUP_NAME, ""),
                },
            ),
            description_placeholders={
                "location_name": self.hass.config.location_name,
                "max_length": str(MAX_WALKUP_NAME_LENGTH),
            },
            errors=errors,
        )
