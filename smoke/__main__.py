"""``python -m smoke``: this integration in a real Home Assistant process.

Runs in a Python environment with Home Assistant installed (``scripts/test``
uses the newest release, pinned in ``scripts/ha-latest.lock``), with the
repository on ``PYTHONPATH``. Prints one line per step with its time, and ends
with ``smoke: N passed, N failed``; the exit status is 0 only if every step
passed.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field, replace
from functools import partial
import importlib
import json
import os
from pathlib import Path
import platform
import re
import shutil
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any, Final
import xml.etree.ElementTree as ET

from . import expected
from .harness import (
    REPO,
    STUBS,
    HomeAssistantAPI,
    LogWatcher,
    Process,
    Runner,
    SimulatedPrinters,
    StepError,
    check,
    child_env,
    free_port,
    isolate_network,
    sim_request,
    sim_session,
    wait_for,
)
from .requirements import SKIP_PIP_PACKAGES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

DOMAIN: Final = "hp_ews"
OWNER: Final = {
    "name": "Smoke Test",
    "username": "smoke",
    "password": "smoke-test-only",
}
START_TIMEOUT: Final = 420.0
"""Seconds Home Assistant may take to answer; a cold start compiles its modules."""
ALLOWED_SUBDIR: Final = "print"
"""The folder of the configuration directory listed in allowlist_external_dirs."""
INSTANCE_NAME: Final = "hp_ews smoke test"
"""Home Assistant's name: walk-up destinations are called after it."""
WALKUP_DESTINATIONS: Final = "/WalkupScanToComp/WalkupScanToCompDestinations"
FEEDER_SHEETS: Final = 3
PUSH_LIMIT: Final = 5.0
"""Seconds a pushed change may take (the poll would take up to five minutes)."""
MAINTENANCE_KEY: Final = "pqDiagnosticsPage"
"""The OfficeJet's print-quality report (InternalPrintCap.xml), enabled by default."""
NEW_FIRMWARE: Final = "LWP1CN2650CR"
"""A firmware version the Smart Tank announces during the run."""


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (for the print action)."""
    stream = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_pages(path: Path) -> tuple[int, int]:
    """Size and pages of a PDF file: pdfium's count if installed, else page objects."""
    check(path.is_file(), f"{path} does not exist")
    data = path.read_bytes()
    check(data.startswith(b"%PDF-"), f"{path.name} is not a PDF: {data[:16]!r}")
    try:
        pdfium: Any = importlib.import_module("pypdfium2")
    except ImportError:
        return len(data), len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    document = pdfium.PdfDocument(data)
    try:
        return len(data), len(document)
    finally:
        document.close()


def fill_form(schema: list[dict[str, Any]]) -> dict[str, Any]:
    """Answer a form the way a user changing every value would.

    Numbers move one step from their current (suggested) value, staying in
    range; booleans flip; text keeps its suggestion. Only what the form asks
    for is sent, so the step follows the form as it changes.
    """
    values: dict[str, Any] = {}
    for item in schema:
        name = item["name"]
        selector: dict[str, Any] = item.get("selector") or {}
        suggested = (item.get("description") or {}).get(
            "suggested_value", item.get("default")
        )
        if item.get("type") == "expandable":
            values[name] = fill_form(item.get("schema") or [])
        elif "number" in selector:
            config = selector["number"] or {}
            low = config.get("min", 0)
            high = config.get("max", low + 100)
            step = config.get("step", 1)
            step = step if isinstance(step, int | float) and step > 0 else 1
            base = suggested if isinstance(suggested, int | float) else low
            value = base + step if base + step <= high else low
            values[name] = int(value) if float(value).is_integer() else value
        elif "boolean" in selector:
            values[name] = not suggested
        elif suggested is not None:
            values[name] = suggested
        elif item.get("required"):
            raise StepError(f"cannot answer required field {name!r}: {item}")
    return values


def suggested_values(schema: list[dict[str, Any]]) -> dict[str, Any]:
    """The values a form shows (its suggested values), by field name."""
    values: dict[str, Any] = {}
    for item in schema:
        if item.get("type") == "expandable":
            values[item["name"]] = suggested_values(item.get("schema") or [])
        elif "suggested_value" in (item.get("description") or {}):
            values[item["name"]] = item["description"]["suggested_value"]
    return values


@dataclass
class Printer:
    """A simulated printer and what Home Assistant made of it."""

    label: str
    profile: str
    url: str
    expected: expected.Expected
    add_input: dict[str, Any]
    """What the user types into the add form."""
    entry_id: str = ""
    unique_id: str = ""
    device_id: str = ""
    entities: dict[str, str] = field(default_factory=dict)
    """Entity unique id -> entity id."""

    @property
    def port(self) -> int:
        """The printer's port."""
        return int(self.url.rsplit(":", 1)[1])

    def entity(self, key: str) -> str:
        """Entity id of the entity with unique id ``<entry unique id>_<key>``."""
        unique_id = f"{self.unique_id}_{key}"
        check(
            unique_id in self.entities,
            f"{self.label}: no entity with unique id {unique_id}; "
            f"have {sorted(self.entities)}",
        )
        return self.entities[unique_id]


class Smoke:
    """The scenario: one Home Assistant, four simulated printers."""

    def __init__(self, workdir: Path, runner: Runner, integration: Path) -> None:
        """Prepare a run in ``workdir`` (a fresh directory) of ``integration``."""
        self.workdir = workdir
        self.integration = integration
        self.config = workdir / "config"
        self.runner = runner
        self.port = free_port()
        self.api = HomeAssistantAPI(f"http://127.0.0.1:{self.port}")
        self.sim = sim_session()
        self.hass: Process | None = None
        self.simulators: list[SimulatedPrinters] = []
        self.laser: Printer | None = None
        self.laser_other_url = ""
        self.tank: Printer | None = None
        self.aio: Printer | None = None
        self.version = ""

    async def close(self) -> None:
        """Stop everything that is still running."""
        if self.hass is not None:
            await self.hass.stop(grace=30)
        for printers in self.simulators:
            if printers.process is not None:
                await printers.process.stop(grace=10)
        await self.api.close()
        await self.sim.close()

    # --- setup ------------------------------------------------------------------------

    async def start_printers(self) -> str:
        """Two M255dw (LEDM), a Smart Tank (CDM/HTTPS), an OfficeJet Pro (LEDM MFP)."""
        laser = SimulatedPrinters("color-laserjet-pro-m255dw", self.workdir, count=2)
        tank = SimulatedPrinters("smart-tank-580", self.workdir)
        aio = SimulatedPrinters("officejet-pro-9022e", self.workdir)
        self.simulators = [laser, tank, aio]
        laser_urls, tank_urls, aio_urls = await asyncio.gather(
            laser.start(), tank.start(), aio.start()
        )
        self.laser_other_url = laser_urls[1]
        laser_port = laser_urls[0].rsplit(":", 1)[1]
        self.laser = Printer(
            "M255dw (LEDM)",
            laser.profile,
            laser_urls[0],
            expected.ledm(laser.profile),
            # The address and, under the collapsed section, the port.
            {"host": "127.0.0.1", "advanced": {"port": int(laser_port)}},
        )
        self.tank = Printer(
            "Smart Tank 580 (CDM, HTTPS)",
            tank.profile,
            tank_urls[0],
            expected.cdm(tank.profile),
            {"host": tank_urls[0], "advanced": {}},  # typed as a URL
        )
        check(tank_urls[0].startswith("https://"), f"Smart Tank at {tank_urls[0]}")
        self.aio = Printer(
            "OfficeJet Pro 9022e (LEDM all-in-one)",
            aio.profile,
            aio_urls[0],
            # The title: the series name with its model number replaced by the SKU.
            replace(
                expected.ledm(aio.profile),
                model=f"HP OfficeJet Pro {expected.ledm_sku(aio.profile)}",
            ),
            {
                "host": "127.0.0.1",
                "advanced": {"port": int(aio_urls[0].rsplit(":", 1)[1])},
            },
        )
        return f"{', '.join(laser_urls)}; {tank_urls[0]}; {aio_urls[0]}"

    def write_config(self) -> None:
        """A configuration directory as a new installation has it, plus hp_ews."""
        storage = self.config / ".storage"
        storage.mkdir(parents=True)
        (self.config / ALLOWED_SUBDIR).mkdir()
        custom = self.config / "custom_components"
        custom.mkdir()
        (custom / DOMAIN).symlink_to(self.integration)
        # No default_config (multicast discovery); no http: (a trial setting
        # since 2026.11 that reverts to 0.0.0.0:8123 after 5 minutes).
        (self.config / "configuration.yaml").write_text(
            "homeassistant:\n"
            f"  name: {INSTANCE_NAME}\n"
            "  time_zone: UTC\n"
            "  unit_system: metric\n"
            "  allowlist_external_dirs:\n"
            f"    - {self.config / ALLOWED_SUBDIR}\n"
            "logger:\n"
            "  default: info\n"
            "  logs:\n"
            "    custom_components.hp_ews: debug\n",
            encoding="utf-8",
        )
        http = {
            "version": 3,
            "minor_version": 1,
            "key": "http",
            "data": {
                "stable": {
                    "server_port": self.port,
                    "server_host": ["127.0.0.1"],
                    "cors_allowed_origins": ["https://cast.home-assistant.io"],
                    "login_attempts_threshold": -1,
                    "ip_ban_enabled": True,
                    "ssl_profile": "intermediate_v6",
                    "use_x_frame_options": True,
                    "created_at": "2026-12-01T00:00:00+00:00",
                    "error": None,
                    "error_message": None,
                },
                "pending": None,
                "yaml_migration_done": True,
            },
        }
        (storage / "http").write_text(json.dumps(http), encoding="utf-8")
        # Everything but the owner account, which the onboarding step creates.
        onboarding = {
            "version": 4,
            "minor_version": 1,
            "key": "onboarding",
            "data": {"done": ["core_config", "analytics", "integration"]},
        }
        (storage / "onboarding").write_text(json.dumps(onboarding), encoding="utf-8")

    async def start_hass(self) -> str:
        """Start ``hass`` on 127.0.0.1 and wait until its HTTP server answers."""
        self.write_config()
        self.hass = Process(
            "Home Assistant",
            [
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config),
                "--log-no-color",
                "--skip-pip-packages",
                ",".join(SKIP_PIP_PACKAGES),
            ],
            self.workdir / "hass.out",
            child_env(STUBS),
            # custom_components must come from the configuration directory (python
            # -m puts the working directory first on sys.path), not the repository.
            cwd=self.config,
        )
        self.runner.log = LogWatcher(self.hass.output)
        await self.hass.start()
        hass = self.hass

        async def answering() -> bool:
            if hass.returncode is not None:
                raise StepError(
                    f"hass exited ({hass.returncode}):\n{hass.text()[-3000:]}"
                )
            return await self.api.status("/api/onboarding") == 200

        await wait_for(answering, "Home Assistant to answer", START_TIMEOUT, 0.5)
        return f"http://127.0.0.1:{self.port}"

    async def onboard(self) -> str:
        """Create the owner account through onboarding and log in."""
        client_id = self.api.base_url + "/"
        steps = await self.api.request("GET", "/api/onboarding")
        check(
            {"step": "user", "done": False} in steps,
            f"onboarding should wait for the owner account: {steps}",
        )
        created = await self.api.request(
            "POST",
            "/api/onboarding/users",
            {"client_id": client_id, "language": "en", **OWNER},
        )
        tokens = await self.api.request(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": client_id,
            },
        )
        self.api.token = tokens["access_token"]

        async def running() -> bool:
            config = await self.api.request("GET", "/api/config")
            self.version = config["version"]
            return bool(config["state"] == "RUNNING")

        # The HTTP server answers while the other integrations are still starting.
        await wait_for(running, "Home Assistant to finish starting", START_TIMEOUT, 0.5)
        return f"Home Assistant {self.version} running"

    # --- helpers ------------------------------------------------------------------------

    async def entries(self) -> dict[str, dict[str, Any]]:
        """This integration's config entries by id."""
        entries = await self.api.request(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        return {entry["entry_id"]: entry for entry in entries}

    async def wait_loaded(self, printer: Printer) -> None:
        """Wait until the printer's entry is loaded and its entities exist."""

        async def loaded() -> bool:
            entry = (await self.entries()).get(printer.entry_id)
            check(entry is not None, f"{printer.label}: entry {printer.entry_id} gone")
            assert entry is not None
            check(
                entry["state"] not in ("setup_error", "setup_retry", "failed_unload"),
                f"{printer.label}: entry state {entry['state']}: {entry.get('reason')}",
            )
            return bool(entry["state"] == "loaded")

        await wait_for(loaded, f"{printer.label} to load", 60)
        # The printer's device carries the entry's unique id as its identifier.
        devices = [
            device
            for device in await self.api.ws({"type": "config/device_registry/list"})
            if printer.entry_id in device["config_entries"]
        ]
        check(len(devices) == 1, f"{printer.label}: devices {devices}")
        identifiers = [i for d, i in devices[0]["identifiers"] if d == DOMAIN]
        check(len(identifiers) == 1, f"{printer.label}: device {devices[0]}")
        printer.device_id, printer.unique_id = devices[0]["id"], identifiers[0]
        registry = await self.api.ws({"type": "config/entity_registry/list"})
        printer.entities = {
            e["unique_id"]: e["entity_id"]
            for e in registry
            if e["config_entry_id"] == printer.entry_id
        }
        check(printer.entities, f"{printer.label}: no entities")
        jam = printer.entity("paper_jam")
        await wait_for(
            lambda: self.state_of(jam, missing_ok=True),
            f"{jam} to have a state",
            30,
        )
        on_devices = {
            e["device_id"] for e in registry if e["config_entry_id"] == printer.entry_id
        }
        check(
            on_devices == {printer.device_id},
            f"{printer.label}: entities on devices {on_devices}",
        )

    async def state_of(self, entity_id: str, *, missing_ok: bool = False) -> Any:
        """The state object of an entity (None if it has none and missing_ok)."""
        if missing_ok:
            states = await self.api.request("GET", "/api/states")
            return next((s for s in states if s["entity_id"] == entity_id), None)
        return await self.api.request("GET", f"/api/states/{entity_id}")

    async def start_flow(self, body: dict[str, Any]) -> dict[str, Any]:
        """Start a config flow (as the add-integration dialog does)."""
        result: dict[str, Any] = await self.api.request(
            "POST",
            "/api/config/config_entries/flow",
            {"show_advanced_options": False, **body},
        )
        return result

    async def flow_step(self, flow_id: str, user_input: dict[str, Any]) -> Any:
        """Submit a form of a config flow."""
        return await self.api.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", user_input
        )

    def field_names(self, result: dict[str, Any]) -> set[str]:
        """The field names of a form, sections included."""
        names: set[str] = set()
        for item in result.get("data_schema") or []:
            names.add(item["name"])
            names.update(f"{item['name']}.{s['name']}" for s in item.get("schema", []))
        return names

    def sim_url(self, printer: Printer, path: str) -> str:
        """URL of a simulator control API endpoint of ``printer``."""
        return printer.url + path

    # --- steps ------------------------------------------------------------------------

    async def add(self, printer: Printer) -> str:
        """Add a printer through the user step, as typed in the dialog."""
        form = await self.start_flow({"handler": DOMAIN})
        check(
            form["type"] == "form" and form["step_id"] == "user",
            f"expected the user form: {form}",
        )
        check(
            {"host", "advanced", "advanced.port"} <= self.field_names(form),
            f"user form fields: {sorted(self.field_names(form))}",
        )
        result = await self.flow_step(form["flow_id"], printer.add_input)
        check(result["type"] == "create_entry", f"expected an entry: {result}")
        printer.entry_id = result["result"]["entry_id"]
        if printer.expected.model is not None:
            check(
                result["title"] == printer.expected.model,
                f"title {result['title']!r}, the printer calls itself "
                f"{printer.expected.model!r}",
            )
        await self.wait_loaded(printer)
        return f"{result['title']!r}, {len(printer.entities)} entities"

    async def values(self, printer: Printer) -> str:
        """Supply levels and page counters equal the captured documents."""
        checked = 0
        states = {
            s["entity_id"]: s for s in await self.api.request("GET", "/api/states")
        }
        check(printer.expected.levels, f"{printer.label}: no levels in the capture")
        for key, level in printer.expected.levels.items():
            entity_id = printer.entity(f"{key}_level")
            state = states.get(entity_id, {}).get("state")
            check(
                state is not None and float(state) == level,
                f"{entity_id} ({key}) is {state!r}, the capture says {level:g}",
            )
            check(
                states[entity_id]["attributes"].get("unit_of_measurement") == "%",
                f"{entity_id} unit {states[entity_id]['attributes']}",
            )
            checked += 1
        for key, count in printer.expected.counters.items():
            entity_id = printer.entity(key)
            state = states.get(entity_id, {}).get("state")
            check(
                state == str(count),
                f"{entity_id} is {state!r}, the capture says {count}",
            )
            checked += 1
        for key in ("paper_jam", "door_open", "out_of_paper"):
            entity_id = printer.entity(key)
            state = states.get(entity_id, {}).get("state")
            check(state == "off", f"{entity_id} is {state!r} on an idle printer")
            checked += 1
        status = states.get(printer.entity("state"), {}).get("state")
        check(status == "idle", f"printer state sensor is {status!r}")
        return f"{checked + 1} values"

    async def paper_jam(self, printer: Printer) -> str:
        """A jam at the printer turns the binary sensor on; clearing it, off."""
        jam = printer.entity("paper_jam")
        for jammed, want in ((True, "on"), (False, "off")):
            await sim_request(
                self.sim,
                "POST",
                self.sim_url(printer, "/_sim/state"),
                {"paper_jam": jammed},
            )

            async def shows(want: str = want) -> bool:
                await self.api.request(
                    "POST",
                    "/api/services/homeassistant/update_entity",
                    {"entity_id": jam},
                )
                return bool((await self.state_of(jam))["state"] == want)

            # Refresh requests are debounced: ask until the refresh happened.
            await wait_for(shows, f"{jam} to turn {want}", 30, 1.0)
        return f"{jam}: on, then off"

    async def options(self, printer: Printer) -> str:
        """Change every option the options form asks for; it shows them again."""
        form = await self.api.request(
            "POST",
            "/api/config/config_entries/options/flow",
            {"handler": printer.entry_id, "show_advanced_options": False},
        )
        check(form["type"] == "form", f"expected the options form: {form}")
        answer = fill_form(form["data_schema"])
        check(answer, f"the options form asks nothing: {form['data_schema']}")
        result = await self.api.request(
            "POST",
            f"/api/config/config_entries/options/flow/{form['flow_id']}",
            answer,
        )
        check(result["type"] == "create_entry", f"options not saved: {result}")
        again = await self.api.request(
            "POST",
            "/api/config/config_entries/options/flow",
            {"handler": printer.entry_id},
        )
        shown = suggested_values(again["data_schema"])
        await self.api.request(
            "DELETE", f"/api/config/config_entries/options/flow/{again['flow_id']}"
        )
        check(
            all(shown.get(key) == value for key, value in answer.items()),
            f"saved {answer}, the form now shows {shown}",
        )
        await self.wait_loaded(printer)
        return ", ".join(f"{key}={value}" for key, value in answer.items())

    async def reconfigure_other(self, printer: Printer) -> str:
        """Reconfiguring onto a different printer is refused; nothing changes."""
        form = await self.start_flow({"handler": DOMAIN, "entry_id": printer.entry_id})
        check(
            form["type"] == "form" and form["step_id"] == "reconfigure",
            f"expected the reconfigure form: {form}",
        )
        shown = suggested_values(form["data_schema"])
        check(
            shown.get("host") == "127.0.0.1"
            and shown.get("advanced", {}).get("port") == printer.port,
            f"the reconfigure form shows {shown}",
        )
        other_port = int(self.laser_other_url.rsplit(":", 1)[1])
        result = await self.flow_step(
            form["flow_id"], {"host": "127.0.0.1", "advanced": {"port": other_port}}
        )
        check(
            result["type"] == "abort" and result["reason"] == "wrong_printer",
            f"expected abort wrong_printer: {result}",
        )
        form = await self.start_flow({"handler": DOMAIN, "entry_id": printer.entry_id})
        port = suggested_values(form["data_schema"]).get("advanced", {}).get("port")
        await self.api.request(
            "DELETE", f"/api/config/config_entries/flow/{form['flow_id']}"
        )
        check(port == printer.port, f"port is now {port}, was {printer.port}")
        return f"port {other_port} (another M255dw): wrong_printer"

    async def reconfigure_same(self, printer: Printer) -> str:
        """Reconfiguring with the printer's address saves and reloads the entry."""
        form = await self.start_flow({"handler": DOMAIN, "entry_id": printer.entry_id})
        result = await self.flow_step(
            form["flow_id"],
            {"host": f"http://127.0.0.1:{printer.port}", "advanced": {"ssl": False}},
        )
        check(
            result["type"] == "abort" and result["reason"] == "reconfigure_successful",
            f"expected abort reconfigure_successful: {result}",
        )
        await self.wait_loaded(printer)
        await self.values(printer)
        return "reconfigure_successful, reloaded, values unchanged"

    async def readd(self, printer: Printer) -> str:
        """Adding the same printer again by URL aborts: already configured."""
        url = f"{printer.url.split('://', 1)[0]}://127.0.0.1:{printer.port}"
        entries = len(await self.entries())
        form = await self.start_flow({"handler": DOMAIN})
        result = await self.flow_step(form["flow_id"], {"host": url, "advanced": {}})
        check(
            result["type"] == "abort" and result["reason"] == "already_configured",
            f"expected abort already_configured: {result}",
        )
        check(len(await self.entries()) == entries, "an entry was added")
        await self.wait_loaded(printer)
        return f"{url}: already_configured"

    async def diagnostics(self, printer: Printer) -> str:
        """The download is redacted and replays in the simulator."""
        download = await self.api.request(
            "GET", f"/api/diagnostics/config_entry/{printer.entry_id}"
        )
        data = download["data"]
        check(
            data["entry"]["data"]["host"] == "**REDACTED**",
            f"host not redacted: {data['entry']['data']}",
        )
        capture = data.get("capture") or {}
        check(
            capture.get("http") or capture.get("ipp"),
            f"no capture: {str(capture)[:300]}",
        )
        state = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/state"))
        text = json.dumps(data)
        for what in ("serial", "mac", "uuid"):
            value = state["identity"][what]
            for form in {value, value.upper(), value.lower(), value.replace(":", "")}:
                check(
                    form not in text, f"the printer's {what} {form} is in the download"
                )
        check(f"127.0.0.1:{printer.port}" not in text, "the printer's address is in it")
        documents = {
            path: body["text"]
            for path, body in capture.get("http", {}).items()
            if "text" in body
        }
        levels = [
            found
            for path, document in documents.items()
            if (found := expected.levels_in(path, document)) is not None
        ]
        check(
            levels == [printer.expected.levels],
            f"levels in the download {levels}, captured {printer.expected.levels}",
        )
        path = self.workdir / f"diagnostics-{printer.profile}.json"
        path.write_text(json.dumps(download), encoding="utf-8")
        replay = Process(
            "simulator --replay",
            [sys.executable, "-m", "simulator", "--replay", str(path), "--port", "0"],
            self.workdir / f"replay-{printer.profile}.out",
            child_env(REPO),
        )
        await replay.start()
        try:

            async def ready() -> str | None:
                check(
                    replay.returncode is None,
                    f"the replay exited ({replay.returncode}): {replay.text()[-800:]}",
                )
                return next(
                    (
                        line.split()[1]
                        for line in replay.text().splitlines()
                        if line.startswith("ready ")
                    ),
                    None,
                )

            url = await wait_for(ready, "the replay to start", 30)
            for doc_path, document in documents.items():
                async with self.sim.get(url + doc_path) as response:
                    served = await response.text()
                check(
                    response.status == 200 and served == document,
                    f"the replay serves {doc_path} differently (HTTP {response.status})",
                )
        finally:
            await replay.stop(grace=10)
        return (
            f"{len(text) // 1024} KiB, redacted, supply levels as captured, "
            f"{len(documents)} documents replay as downloaded"
        )

    async def print_file(self, printer: Printer) -> str:
        """``hp_ews.print`` sends a file from an allowed folder; the printer gets it."""
        job_name = f"hp_ews smoke {printer.profile}"
        document = tiny_pdf(job_name)
        path = self.config / ALLOWED_SUBDIR / f"{printer.profile}.pdf"
        path.write_bytes(document)
        before = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/jobs"))
        answer = await self.api.request(
            "POST",
            "/api/services/hp_ews/print?return_response",
            {
                "device_id": printer.device_id,
                "file": str(path),
                "job_name": job_name,
                "wait": True,
            },
        )
        response = answer["service_response"]
        check(response["state"] == "completed", f"print answered {response}")
        jobs = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/jobs"))
        new = [job for job in jobs if job["id"] not in {j["id"] for j in before}]
        check(len(new) == 1, f"the printer received {len(new)} jobs: {new}")
        job = new[0]
        check(job["name"] == job_name, f"job name {job['name']!r}")
        check(
            job["document_format"] == response["document_format"],
            f"sent as {job['document_format']}, the action says "
            f"{response['document_format']}",
        )
        if not response["converted"]:
            check(
                job["bytes"] == len(document),
                f"printer got {job['bytes']} bytes of {len(document)}",
            )
        check(job["state"] == "completed", f"job state at the printer: {job['state']}")
        return (
            f"job {response['job_id']}: {job['document_format']}, {job['bytes']} bytes"
        )

    async def unload(self, printer: Printer) -> str:
        """Disabling the entry unloads it; its entities become unavailable."""
        await self.api.ws(
            {
                "type": "config_entries/disable",
                "entry_id": printer.entry_id,
                "disabled_by": "user",
            }
        )

        async def unloaded() -> bool:
            entry = (await self.entries())[printer.entry_id]
            return bool(entry["state"] == "not_loaded")

        await wait_for(unloaded, f"{printer.label} to unload", 30)
        jam = await self.state_of(printer.entity("paper_jam"), missing_ok=True)
        check(
            jam is None or jam["state"] == "unavailable",
            f"after unloading the jam sensor is {jam}",
        )
        return "not_loaded"

    async def remove(self, printer: Printer) -> str:
        """Deleting the entry removes its device and entities."""
        result = await self.api.request(
            "DELETE", f"/api/config/config_entries/entry/{printer.entry_id}"
        )
        check(result.get("require_restart") is False, f"delete answered {result}")
        check(printer.entry_id not in await self.entries(), "the entry is still listed")
        registry = await self.api.ws({"type": "config/entity_registry/list"})
        left = [
            e["entity_id"] for e in registry if e["config_entry_id"] == printer.entry_id
        ]
        check(not left, f"entities left in the registry: {left}")
        devices = await self.api.ws({"type": "config/device_registry/list"})
        check(
            not [d for d in devices if printer.entry_id in d["config_entries"]],
            "the device is still registered",
        )
        states = {s["entity_id"] for s in await self.api.request("GET", "/api/states")}
        check(
            not set(printer.entities.values()) & states,
            f"states left: {sorted(set(printer.entities.values()) & states)}",
        )
        return "entry, device and entities gone"

    # --- the all-in-one: scanner, walk-up, push, alerts, maintenance ------------------

    async def scanner_entities(self, printer: Printer) -> str:
        """Scanner idle, feeder empty; sheets put in turn Document in feeder on."""
        scanner, feeder = (
            printer.entity("scanner"),
            printer.entity("document_in_feeder"),
        )
        state = (await self.state_of(scanner))["state"]
        check(state == "idle", f"{scanner} is {state!r} on an idle scanner")
        state = (await self.state_of(feeder))["state"]
        check(state == "off", f"{feeder} is {state!r} with an empty feeder")
        await sim_request(
            self.sim,
            "POST",
            self.sim_url(printer, "/_sim/state"),
            {"feeder_sheets": FEEDER_SHEETS},
        )

        async def loaded() -> bool:
            # The scanner's coordinator refreshes (debounced) for this entity.
            await self.api.request(
                "POST",
                "/api/services/homeassistant/update_entity",
                {"entity_id": feeder},
            )
            return bool((await self.state_of(feeder))["state"] == "on")

        await wait_for(loaded, f"{feeder} to turn on", 30, 1.0)
        return f"{scanner} idle; {feeder} off, on with {FEEDER_SHEETS} sheets"

    async def scan_action(self, printer: Printer) -> str:
        """``hp_ews.scan`` of the feeder, both sides, into a PDF in an allowed folder."""
        folder = self.config / ALLOWED_SUBDIR / "scans"
        before = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/scan"))
        sheets = before["feeder_sheets"]
        check(sheets == FEEDER_SHEETS, f"the feeder holds {sheets} sheets")
        started = time.monotonic()
        answer = await self.api.request(
            "POST",
            "/api/services/hp_ews/scan?return_response",
            {
                "device_id": printer.device_id,
                "source": "feeder",
                "duplex": True,
                "format": "pdf",
                "folder": str(folder),
                "file_name": "smoke feeder %Y-%m-%d",
            },
        )
        response = answer["service_response"]
        scanned = time.monotonic() - started
        after = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/scan"))
        old = {job["path"] for job in before["jobs"]}
        jobs = [job for job in after["jobs"] if job["path"] not in old]
        check(len(jobs) == 1, f"the scanner ran {len(jobs)} jobs: {jobs}")
        job = jobs[0]
        # Two sides of every sheet the feeder held.
        pages = 2 * sheets
        check(
            job["source"] == "Feeder" and job["duplex"] and job["pages"] == pages,
            f"the scanner's job: {job} (wanted {pages} feeder pages, duplex)",
        )
        check(after["feeder_sheets"] == 0, f"feeder left {after['feeder_sheets']}")
        check(
            response["pages"] == pages
            and response["format"] == "pdf"
            and response["source"] == "feeder"
            and len(response["files"]) == 1,
            f"the action answered {response} ({pages} pages scanned)",
        )
        path = Path(response["files"][0])
        check(path.parent == folder, f"written to {path}, asked for {folder}")
        size, counted = pdf_pages(path)
        check(size == response["size"], f"{path}: {size} bytes, answered {response}")
        check(counted == pages, f"{path.name} has {counted} pages, scanned {pages}")
        feeder = printer.entity("document_in_feeder")

        async def emptied() -> bool:
            return bool((await self.state_of(feeder))["state"] == "off")

        # The action refreshes the scanner when it ends.
        started = time.monotonic()
        await wait_for(emptied, f"{feeder} to turn off after the scan", 20)
        return (
            f"{path.name}: {counted} PDF pages from {sheets} sheets duplex, "
            f"{response['size']} bytes in {scanned:.1f} s; feeder sensor off "
            f"{time.monotonic() - started:.1f} s later"
        )

    async def walkup_names(self, printer: Printer) -> list[str]:
        """The names in the printer's walk-up destination list."""
        async with self.sim.get(printer.url + WALKUP_DESTINATIONS) as response:
            text = await response.text()
        check(response.status == 200, f"{WALKUP_DESTINATIONS}: HTTP {response.status}")
        root = ET.fromstring(text)  # noqa: S314 - our simulator's document
        return [
            name.text or ""
            for destination in root
            if destination.tag.endswith("}WalkupScanToCompDestination")
            for name in destination
            if name.tag.endswith("}Name")
        ]

    async def walkup(self, printer: Printer) -> str:
        """Home Assistant's destination on the panel; a press saves a file, fires."""

        async def listed() -> bool:
            return INSTANCE_NAME in await self.walkup_names(printer)

        await wait_for(listed, f"{INSTANCE_NAME!r} in the printer's destinations", 30)
        scan = printer.entity("scan")
        before = await self.state_of(scan)
        await sim_request(
            self.sim,
            "POST",
            self.sim_url(printer, "/_sim/scan_button"),
            {"destination": INSTANCE_NAME, "shortcut": "SavePDF", "source": "glass"},
        )

        async def fired() -> Any:
            state = await self.state_of(scan)
            return None if state["state"] == before["state"] else state

        state = await wait_for(fired, f"{scan} to fire", 30)
        attributes = state["attributes"]
        check(
            attributes.get("event_type") == "completed",
            f"{scan} fired {attributes}",
        )
        check(
            attributes.get("pages") == 1
            and attributes.get("format") == "pdf"
            and attributes.get("source") == "glass"
            and len(attributes.get("files") or []) == 1,
            f"{scan} attributes {attributes} (one glass page as PDF)",
        )
        path = Path(attributes["path"])
        _, counted = pdf_pages(path)
        check(counted == 1, f"{path.name} has {counted} pages")
        return f"{INSTANCE_NAME!r} listed; SavePDF from the glass -> {path}"

    async def set_jam(self, printer: Printer, jammed: bool) -> float:
        """Jam or clear; returns the seconds until the jam sensor showed it."""
        jam = printer.entity("paper_jam")
        want = "on" if jammed else "off"
        started = time.monotonic()
        await sim_request(
            self.sim,
            "POST",
            self.sim_url(printer, "/_sim/state"),
            {"paper_jam": jammed},
        )

        async def shows() -> bool:
            return bool((await self.state_of(jam))["state"] == want)

        # No update_entity: the printer's event table announces it.
        await wait_for(shows, f"{jam} to turn {want} by push", PUSH_LIMIT, 0.02)
        return time.monotonic() - started

    async def jam_pushed(self, printer: Printer) -> str:
        """A jam reaches Home Assistant through the event channel, not the poll."""
        on = await self.set_jam(printer, True)
        off = await self.set_jam(printer, False)
        return f"jam shown {on * 1000:.0f} ms after it happened, cleared {off * 1000:.0f} ms"

    async def alert_events(self, printer: Printer) -> str:
        """The alert event entity fires ``raised`` for a jam, ``cleared`` after it."""
        alert = printer.entity("alert")
        seen: list[str] = []
        for jammed, event_type in ((True, "raised"), (False, "cleared")):
            before = (await self.state_of(alert))["state"]
            await self.set_jam(printer, jammed)

            async def fired(before: str = before, event_type: str = event_type) -> Any:
                state = await self.state_of(alert)
                attributes = state["attributes"]
                return (
                    state["state"] != before
                    and attributes.get("event_type") == event_type
                    and "jam" in str(attributes.get("code")).lower()
                    and attributes
                )

            attributes = await wait_for(fired, f"{alert} to fire {event_type}", 10)
            seen.append(f"{event_type} {attributes['code']}")
        return ", ".join(seen)

    async def maintenance(self, printer: Printer) -> str:
        """An enabled maintenance button prints the printer's report."""
        button = printer.entity(f"maintenance_{MAINTENANCE_KEY}")
        state = await self.state_of(button, missing_ok=True)
        check(state is not None, f"{button} has no state (disabled?)")
        before = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/jobs"))
        await self.api.request(
            "POST", "/api/services/button/press", {"entity_id": button}
        )
        jobs = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/jobs"))
        new = [job for job in jobs if job["id"] not in {j["id"] for j in before}]
        check(
            len(new) == 1
            and new[0]["source"] == "maintenance"
            and new[0]["name"] == MAINTENANCE_KEY,
            f"the printer received {new}",
        )
        return f"{button}: {MAINTENANCE_KEY} job {new[0]['id']}"

    async def care(self, printer: Printer) -> str:
        """Tray sensors and the firmware entities; a new version and an empty tray show."""
        sim = await sim_request(self.sim, "GET", self.sim_url(printer, "/_sim/state"))
        trays = {
            unique_id: entity_id
            for unique_id, entity_id in printer.entities.items()
            if unique_id.startswith(f"{printer.unique_id}_tray_")
            and unique_id.endswith("_tray_state")
        }
        check(
            len(trays) == len(sim["trays"]),
            f"tray state sensors {sorted(trays)}; the printer has {sim['trays']}",
        )
        for entity_id in trays.values():
            state = (await self.state_of(entity_id))["state"]
            check(state == "ok", f"{entity_id} is {state!r} for a loaded tray")
        firmware = printer.entity("firmware")
        installed = expected.cdm_firmware(printer.profile)
        state = await self.state_of(firmware)
        check(
            state["state"] == "off"
            and state["attributes"].get("installed_version") == installed,
            f"{firmware}: {state}, the printer runs {installed}",
        )
        # Registered (disabled by default: a setting few change).
        switch = printer.entity("firmware_auto_update")
        tray = next(iter(trays.values()))
        await sim_request(
            self.sim,
            "POST",
            self.sim_url(printer, "/_sim/state"),
            {"firmware_available": NEW_FIRMWARE, "trays": {"1": {"empty": True}}},
        )
        try:
            # Trays and firmware are read on full reads only (docs/refresh.md): the
            # first after a reload, else every tenth refresh.
            await self.api.request(
                "POST", f"/api/config/config_entries/entry/{printer.entry_id}/reload"
            )
            await self.wait_loaded(printer)
            update = await self.state_of(firmware)
            check(
                update["state"] == "on"
                and update["attributes"].get("latest_version") == NEW_FIRMWARE,
                f"{firmware} after the printer announced {NEW_FIRMWARE}: {update}",
            )
            state = (await self.state_of(tray))["state"]
            check(state == "empty", f"{tray} is {state!r} for an empty tray")
        finally:
            await sim_request(
                self.sim,
                "POST",
                self.sim_url(printer, "/_sim/state"),
                {"trays": {"1": {"empty": False}}},
            )
        return (
            f"{len(trays)} tray(s) ok; firmware {installed}, {switch} registered; "
            f"then {NEW_FIRMWARE} offered and {tray} empty"
        )

    async def remove_walkup(self, printer: Printer) -> str:
        """Deleting the all-in-one's entry takes its destination off the panel."""
        check(
            INSTANCE_NAME in await self.walkup_names(printer),
            f"{INSTANCE_NAME!r} is not listed before the removal",
        )
        said = await self.remove(printer)

        async def gone() -> bool:
            return INSTANCE_NAME not in await self.walkup_names(printer)

        await wait_for(gone, f"{INSTANCE_NAME!r} to leave the printer's list", 15)
        return f"{said}; walk-up destination removed from the printer"

    async def stop_hass(self) -> str:
        """Home Assistant shuts down cleanly (exit status 0)."""
        assert self.hass is not None
        # An open WebSocket holds the HTTP server's shutdown for 10 s.
        await self.api.close()
        started = time.monotonic()
        code = await self.hass.stop(grace=120)
        seconds = time.monotonic() - started
        assert self.runner.log is not None
        problems = self.runner.log.problems(final=True)
        check(code == 0, f"hass exited with {code}")
        check(not problems, "\n".join(problems))
        records = self.runner.log.records
        warnings = sum(r.level in ("WARNING", "ERROR", "CRITICAL") for r in records)
        return (
            f"exit 0 after {seconds:.1f} s; log: {len(records)} records, "
            f"{warnings} warnings/errors not about hp_ews"
        )

    # --- the scenario ----------------------------------------------------------------

    async def run(self) -> None:
        """Every step, in order; a step is skipped when one it needs failed."""
        step = self.runner.step
        started, onboarded = "start Home Assistant", "onboarding: owner account, token"
        printers_up = "start simulated printers"
        await step(printers_up, self.start_printers)
        await step(started, self.start_hass, limit=START_TIMEOUT + 30)
        await step(onboarded, self.onboard, needs=(started,), limit=START_TIMEOUT + 30)
        if self.laser is None or self.tank is None or self.aio is None:
            return
        laser, tank, aio = self.laser, self.tank, self.aio
        added = {
            p.label: f"{p.label}: add through the user flow" for p in (laser, tank, aio)
        }
        for printer in (laser, tank, aio):
            await step(
                added[printer.label],
                partial(self.add, printer),
                needs=(printers_up, onboarded),
            )
        per_printer: list[tuple[str, Callable[[Printer], Awaitable[str]]]] = [
            ("entity values = captured data", self.values),
            ("paper jam on and off", self.paper_jam),
        ]
        for printer in (laser, tank):
            for name, action in per_printer:
                await step(
                    f"{printer.label}: {name}",
                    partial(action, printer),
                    needs=(added[printer.label],),
                )
        await step(
            f"{aio.label}: entity values = captured data",
            partial(self.values, aio),
            needs=(added[aio.label],),
        )
        feeder = f"{aio.label}: scanner entities, document in feeder"
        await step(
            feeder, partial(self.scanner_entities, aio), needs=(added[aio.label],)
        )
        await step(
            f"{aio.label}: scan action (feeder, duplex, PDF)",
            partial(self.scan_action, aio),
            needs=(feeder,),
        )
        for name, action in (
            ("walk-up scan from the panel", self.walkup),
            ("paper jam pushed by the event channel", self.jam_pushed),
            ("alert event raised and cleared", self.alert_events),
            ("maintenance button", self.maintenance),
        ):
            await step(
                f"{aio.label}: {name}",
                partial(action, aio),
                needs=(added[aio.label],),
            )
        for name, action in (
            ("options", self.options),
            ("reconfigure onto another printer", self.reconfigure_other),
            ("reconfigure, same printer", self.reconfigure_same),
        ):
            await step(
                f"{laser.label}: {name}",
                partial(action, laser),
                needs=(added[laser.label],),
            )
        per_printer = [
            ("add again by URL", self.readd),
            ("diagnostics download", self.diagnostics),
            ("print action", self.print_file),
        ]
        for printer in (laser, tank):
            for name, action in per_printer:
                await step(
                    f"{printer.label}: {name}",
                    partial(action, printer),
                    needs=tuple(added.values()),
                )
        await step(
            f"{tank.label}: trays and firmware",
            partial(self.care, tank),
            needs=(added[tank.label],),
        )
        await step(
            f"{laser.label}: unload",
            partial(self.unload, laser),
            needs=(added[laser.label],),
        )
        for printer in (laser, tank):
            await step(
                f"{printer.label}: remove",
                partial(self.remove, printer),
                needs=(added[printer.label],),
            )
        await step(
            f"{aio.label}: remove (walk-up destination too)",
            partial(self.remove_walkup, aio),
            needs=(added[aio.label],),
        )
        await step("Home Assistant stops cleanly", self.stop_hass, needs=(started,))


async def _main(args: argparse.Namespace, network: str) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hp_ews-smoke-", dir=args.workdir))
    runner = Runner(args.time_limit)
    from homeassistant.const import __version__ as ha_version

    print(
        f"smoke: Home Assistant {ha_version} on Python {platform.python_version()}, "
        f"{network}, work directory {workdir}",
        flush=True,
    )
    smoke = Smoke(workdir, runner, args.integration)
    try:
        await smoke.run()
    finally:
        await smoke.close()
    if args.keep or (runner.failed and args.keep_failed):
        print(f"smoke: kept {workdir} (Home Assistant's output: hass.out)", flush=True)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    # Last: the totals line.
    return runner.summary()


def main(argv: list[str] | None = None) -> int:
    """Run the smoke test; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m smoke", description=__doc__)
    parser.add_argument(
        "--workdir",
        default=os.environ.get("HP_EWS_SMOKE_DIR"),
        help="where to make the run's directory (default: the temporary folder)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's directory (logs, config)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="for all steps together; steps still due then fail (default 900)",
    )
    parser.add_argument(
        "--integration",
        default=str(REPO / "custom_components" / DOMAIN),
        help="the integration's folder (default: this repository's)",
    )
    parser.add_argument(
        "--keep-failed",
        action="store_true",
        help="keep the run's directory when a step failed",
    )
    parser.add_argument(
        "--no-isolate",
        action="store_true",
        help="keep this machine's network (default: a namespace with loopback only)",
    )
    args = parser.parse_args(argv)
    args.integration = Path(args.integration).resolve()
    # Before any thread exists: unshare applies to the calling thread only.
    network = "network not isolated" if args.no_isolate else isolate_network()
    return asyncio.run(_main(args, network))


if __name__ == "__main__":
    sys.exit(main())
