"""Diagnostics for the hp_ews integration.

Besides the entry and the last snapshot, the download carries a fresh capture
of the printer's documents (the client's capture format), so a bug report can
be replayed in the simulator (``python -m simulator --replay FILE``).

The download is meant to be posted publicly: entry credentials are redacted
as usual, and one :class:`~.client.redact.Redactor` then goes over all of it
(capture, snapshot, profile, title) in an executor, replacing serial numbers,
MACs, UUIDs, IP addresses, host names, Wi-Fi SSIDs, locations and contacts
with placeholders that are the same wherever the same value was.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME

from .client import Capture, HPEWSError, Redactor, learn_json, redact_json

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .data import HPEWSConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "mac",
    "serial_number",
    "uuid",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HPEWSConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    coordinator = entry.runtime_data.coordinator
    capture = await _async_capture(entry)
    diagnostics = {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "last_update_success": coordinator.last_update_success,
        "profile": asdict(coordinator.profile) if coordinator.profile else None,
        "snapshot": asdict(coordinator.data),
    }
    # Redacting is CPU-bound (a capture can be megabytes): not on the loop.
    redacted: dict[str, Any] = await hass.async_add_executor_job(
        redact_diagnostics, diagnostics, capture, str(entry.data[CONF_HOST])
    )
    return redacted


async def _async_capture(entry: HPEWSConfigEntry) -> Capture | str:
    """Capture the printer's documents now, or why that failed."""
    try:
        return await entry.runtime_data.coordinator.printer.capture()
    except HPEWSError as err:
        return str(err)


def redact_diagnostics(
    diagnostics: dict[str, Any], capture: Capture | str, host: str
) -> dict[str, Any]:
    """Diagnostics and capture with nothing identifying or private (blocking).

    ``host`` is the address the entry reaches the printer by: the printer
    may repeat it (a host name) in its documents.
    """
    redactor = Redactor()
    redactor.add_host(host)
    data = async_redact_data(diagnostics, TO_REDACT)
    # Learn from everything before replacing anything, so a value found in one
    # part (an SSID in the capture) is also replaced in the others.
    if isinstance(capture, Capture):
        redactor.learn_capture(capture)
    learn_json(data, redactor)
    if isinstance(capture, Capture):
        redacted_capture: dict[str, Any] = capture_as_json(
            redactor.redact_capture(capture)
        )
    else:
        redacted_capture = {"error": redactor.redact_text(capture)}
    result: dict[str, Any] = redact_json(data, redactor)
    result["capture"] = redacted_capture
    return result


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
