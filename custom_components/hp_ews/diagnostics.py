"""Diagnostics for the hp_ews integration.

Besides the entry and the last snapshot, the download carries a fresh capture
of the printer's documents (the client's capture format, already stripped of
serial numbers, MAC addresses and UUIDs), so a bug report can be replayed in
the simulator.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from pathlib import Path
import re
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME

from .client.capture import Capture, read_capture
from .client.errors import HPEWSError

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import HPEWSConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "mac",
    "serial_number",
    "uuid",
}
REDACTED = "**REDACTED**"


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HPEWSConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    coordinator = entry.runtime_data
    diagnostics = {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "last_update_success": coordinator.last_update_success,
        "profile": asdict(coordinator.profile) if coordinator.profile else None,
        "snapshot": asdict(coordinator.data),
        "capture": await _async_capture(hass, entry),
    }
    # URLs and panel texts carry the address: redact it wherever it appears.
    host = re.compile(rf"(?<![\w.-]){re.escape(entry.data[CONF_HOST])}(?![\w-])")
    redacted: dict[str, Any] = _redact_host(
        async_redact_data(diagnostics, TO_REDACT), host
    )
    return redacted


async def _async_capture(hass: HomeAssistant, entry: HPEWSConfigEntry) -> Any:
    """Capture the printer's documents now, as JSON."""
    directory = Path(await hass.async_add_executor_job(tempfile.mkdtemp))
    try:
        await entry.runtime_data.printer.capture(directory)
        capture = await hass.async_add_executor_job(read_capture, directory)
    except HPEWSError as err:
        return {"error": str(err)}
    finally:
        await hass.async_add_executor_job(shutil.rmtree, directory, True)
    return capture_as_json(capture)


def capture_as_json(capture: Capture) -> dict[str, Any]:
    """Represent a capture in JSON: text documents as text, the rest base64."""
    return {
        "meta": dict(capture.meta),
        "http": {path: _body(body) for path, body in capture.http.items()},
        "ipp": {
            name: {"base64": base64.b64encode(body).decode("ascii")}
            for name, body in capture.ipp.items()
        },
    }


def _body(body: bytes) -> dict[str, str]:
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}


def _redact_host(value: Any, host: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return host.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: _redact_host(item, host) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_host(item, host) for item in value]
    return value
