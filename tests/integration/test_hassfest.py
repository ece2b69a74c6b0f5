"""hassfest's checks of a custom integration, run as tests.

hassfest (``script/hassfest`` in Home Assistant core) is not published as a package:
CI runs it through ``home-assistant/actions/hassfest`` (.github/workflows/validate.yml),
which cannot run here. These tests repeat what it checks for this integration,
following its sources, so that a failure shows in ``scripts/test`` on both supported
Home Assistant releases: the manifest schema of custom integrations, strings.json and
the translations (no URLs, no HTML, key formats, placeholders), services.yaml (with
selectors the oldest supported release knows) against the translations and
icons.json, icons.json, quality_scale.yaml and the rules it claims, CONFIG_SCHEMA,
imports of other integrations, and the brand images. Some checks go where hassfest
cannot: the translation keys and placeholders the code uses.

Every checker returns the problems it finds, as text; the tests at the end of the
module feed each one broken input to show it can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
import importlib
import importlib.util
import json
from pathlib import Path
import re
import struct
from typing import Any
from urllib.parse import urlparse

from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionException,
    AwesomeVersionStrategy,
)
import homeassistant
from homeassistant import const as ha_const
from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.entity import EntityDescription
from homeassistant.requirements import DISCOVERY_INTEGRATIONS
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from packaging.requirements import InvalidRequirement, Requirement
import pytest

import custom_components.hp_ews as integration_package
from custom_components.hp_ews import PLATFORMS, entity as entity_module
from custom_components.hp_ews.client.models import Supply, SupplyKind, SupplyState

INTEGRATION = Path(integration_package.__file__).parent
DOMAIN = INTEGRATION.name


def _invalid_errors() -> tuple[type[Exception], ...]:
    """The exception Home Assistant's validators raise (probatio since 2026)."""
    found: list[type[Exception]] = []
    for name in ("probatio", "voluptuous"):
        try:
            found.append(importlib.import_module(name).Invalid)
        except ImportError:
            continue
    return tuple(found)


INVALID = _invalid_errors()
HA_VERSION = ha_const.__version__


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _sources() -> dict[str, str]:
    """Every Python file of the integration, by its path inside it."""
    return {
        path.relative_to(INTEGRATION).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.rglob("*.py"))
    }


def _top_level_names() -> set[str]:
    return {path.name for path in INTEGRATION.iterdir()}


# --- manifest.json --------------------------------------------------------------------

IOT_CLASSES = frozenset(
    {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
)
INTEGRATION_TYPES = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system"}
)
LOADABLE_VERSIONS = [
    AwesomeVersionStrategy.CALVER,
    AwesomeVersionStrategy.SEMVER,
    AwesomeVersionStrategy.SIMPLEVER,
    AwesomeVersionStrategy.BUILDVER,
    AwesomeVersionStrategy.PEP440,
]
"""The version formats hassfest and the loader accept for a custom integration."""
CORE_DOCUMENTATION = "https://www.home-assistant.io/integrations"
SERVICE_TYPE = re.compile(r"_[a-z0-9-]+\._(?:tcp|udp)\.local\.")
CATEGORY_SLUG = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)?")
CONNECTIVITY_SLUG = re.compile(r"[a-z0-9_]+")
QUALITY_SCALE_NOTE = (
    "Home Assistant reports every custom integration's quality scale as 'custom'"
)

Problems = list[str]
FieldCheck = Callable[[Any], Problems]


def _expect(check: Callable[[Any], bool], message: str) -> FieldCheck:
    return lambda value: [] if check(value) else [message]


_STRING = _expect(
    lambda value: isinstance(value, str) and bool(value.strip()),
    "must be a non-empty string",
)
_BOOL = _expect(lambda value: isinstance(value, bool), "must be true or false")
_STRINGS = _expect(
    lambda value: (
        isinstance(value, list)
        and all(isinstance(item, str) and item for item in value)
    ),
    "must be a list of non-empty strings",
)
_MATCHERS = _expect(
    lambda value: (
        isinstance(value, list)
        and all(isinstance(item, dict) and item for item in value)
    ),
    "must be a list of non-empty mappings",
)
_MAPPING = _expect(lambda value: isinstance(value, dict), "must be a mapping")


def _one_of(choices: Iterable[str]) -> FieldCheck:
    allowed = frozenset(choices)
    return _expect(
        lambda value: value in allowed, f"must be one of {', '.join(sorted(allowed))}"
    )


def _url(value: Any) -> Problems:
    try:
        cv.url(value)
    except INVALID:
        return ["is not an http(s) URL"]
    return []


def _documentation(value: Any) -> Problems:
    if problems := _url(value):
        return problems
    if urlparse(value).scheme != "https":
        return ["must be an https URL"]
    if value.startswith(CORE_DOCUMENTATION):
        return ["must point to this integration's documentation, not Home Assistant's"]
    return []


def _version(value: Any) -> Problems:
    if not isinstance(value, str):
        return ["must be a string"]
    try:
        AwesomeVersion(value, ensure_strategy=LOADABLE_VERSIONS)
    except AwesomeVersionException:
        return [f"{value!r} is not a version Home Assistant loads"]
    return []


def _requirements(value: Any) -> Problems:
    if problems := _STRINGS(value):
        return problems
    for requirement in value:
        if any(char.isspace() for char in requirement):
            problems.append(f"{requirement!r} contains a space")
            continue
        try:
            parsed = Requirement(requirement)
        except InvalidRequirement:
            problems.append(f"{requirement!r} cannot be parsed")
            continue
        specifiers = list(parsed.specifier)
        if (
            parsed.url
            or len(specifiers) != 1
            or specifiers[0].operator != "=="
            or "*" in specifiers[0].version
        ):
            problems.append(f"{requirement!r} is not pinned as name==version")
    return problems


def _zeroconf(value: Any) -> Problems:
    if not isinstance(value, list):
        return ["must be a list"]
    problems: Problems = []
    for index, matcher in enumerate(value):
        if isinstance(matcher, str):
            service_type: Any = matcher
        elif isinstance(matcher, dict):
            service_type = matcher.get("type")
            for key in sorted(matcher.keys() - {"type", "name", "properties"}):
                why = (
                    "deprecated"
                    if key in {"macaddress", "manufacturer", "model"}
                    else "unknown"
                )
                problems.append(f"[{index}] {key} is {why}")
            name = matcher.get("name", "")
            if not isinstance(name, str) or name != name.lower():
                problems.append(f"[{index}] name must be a lowercase string")
            properties = matcher.get("properties", {})
            if not isinstance(properties, dict) or not all(
                isinstance(key, str) and isinstance(item, str) and item == item.lower()
                for key, item in properties.items()
            ):
                problems.append(f"[{index}] property values must be lowercase strings")
        else:
            problems.append(f"[{index}] must be a service type or a mapping")
            continue
        if not isinstance(service_type, str) or not SERVICE_TYPE.fullmatch(
            service_type
        ):
            problems.append(
                f"[{index}] type {service_type!r} is not like _ipp._tcp.local."
            )
    return problems


def _known_slugs(generated: str) -> frozenset[str] | None:
    """Slugs the running Home Assistant lists, None before it had such a list."""
    path = Path(homeassistant.__file__).parent / "generated" / generated
    if not path.is_file():
        return None
    slugs: set[str] = set()
    for main in _read_json(path):
        slugs.add(main["slug"])
        slugs.update(
            f"{main['slug']}.{sub['slug']}" for sub in main.get("subcategories", ())
        )
    return frozenset(slugs)


def _slugs(kind: str, pattern: re.Pattern[str], generated: str) -> FieldCheck:
    def check(value: Any) -> Problems:
        if not (
            isinstance(value, list)
            and value
            and all(isinstance(item, str) for item in value)
        ):
            return ["must be a non-empty list of strings"]
        problems = [
            f"{item!r} is not a {kind} slug"
            for item in value
            if not pattern.fullmatch(item)
        ]
        if len(set(value)) != len(value):
            problems.append("lists an entry twice")
        if (known := _known_slugs(generated)) is not None:
            problems += [
                f"{item!r} is not a {kind} Home Assistant {HA_VERSION} knows"
                for item in value
                if item not in known
            ]
        return problems

    return check


MANIFEST_FIELDS: dict[str, FieldCheck] = {
    "domain": _STRING,
    "name": _STRING,
    "after_dependencies": _STRINGS,
    "bluetooth": _MATCHERS,
    "categories": _slugs("category", CATEGORY_SLUG, "integration_categories.json"),
    "codeowners": _STRINGS,
    "config_flow": _BOOL,
    "connectivity": _slugs(
        "connectivity", CONNECTIVITY_SLUG, "integration_connectivity.json"
    ),
    "dependencies": _STRINGS,
    "dhcp": _MATCHERS,
    "disabled": _STRING,
    "documentation": _documentation,
    "homekit": _MAPPING,
    "import_executor": _BOOL,
    "integration_type": _one_of(INTEGRATION_TYPES),
    "iot_class": _one_of(IOT_CLASSES),
    "issue_tracker": _url,
    "loggers": _STRINGS,
    "mqtt": _STRINGS,
    "preview_features": _MAPPING,
    "requirements": _requirements,
    "single_config_entry": _BOOL,
    "ssdp": _MATCHERS,
    "usb": _MATCHERS,
    "version": _version,
    "zeroconf": _zeroconf,
}
"""The keys of a custom integration's manifest (hassfest's schema for them, plus the
categories and connectivity Home Assistant 2026.11 reads), each with its check.

quality_scale is not among them: the loader reports every custom integration's
quality scale as "custom", so a value in the manifest would only mislead."""
MANIFEST_REQUIRED = frozenset(
    {"domain", "name", "codeowners", "documentation", "iot_class", "version"}
    # HACS (and the marketplace's catalog) want an issue tracker too.
    | {"issue_tracker"}
)


def manifest_problems(manifest: Any, *, directory: str, files: set[str]) -> Problems:
    """Check a custom integration's manifest.json (``files``: its directory's entries)."""
    if not isinstance(manifest, dict):
        return ["manifest.json is not a mapping"]
    problems: Problems = []
    for key in sorted(manifest.keys() - MANIFEST_FIELDS.keys()):
        note = f" ({QUALITY_SCALE_NOTE})" if key == "quality_scale" else ""
        problems.append(f"{key}: not allowed in a custom integration's manifest{note}")
    problems += [
        f"{key}: missing" for key in sorted(MANIFEST_REQUIRED - manifest.keys())
    ]
    for key, value in manifest.items():
        if check := MANIFEST_FIELDS.get(key):
            problems += [f"{key}: {problem}" for problem in check(value)]

    keys = list(manifest)
    first = [key for key in ("domain", "name") if key in manifest]
    if keys != first + sorted(key for key in keys if key not in first):
        problems.append("keys are not sorted: domain, name, then alphabetical order")
    if manifest.get("domain") != directory:
        problems.append(
            f"domain: {manifest.get('domain')!r} is not the directory name {directory!r}"
        )

    dependencies = manifest.get("dependencies", [])
    after = manifest.get("after_dependencies", [])
    problems += [
        f"dependencies: {dep} is in after_dependencies too"
        for dep in dependencies
        if dep in after
    ]
    for dep in [*dependencies, *after]:
        if importlib.util.find_spec(f"homeassistant.components.{dep}") is None:
            problems.append(f"{dep}: not a Home Assistant integration")

    if manifest.get("config_flow") and "config_flow.py" not in files:
        problems.append("config_flow: set, but there is no config_flow.py")
    if "config_flow.py" in files and not manifest.get("config_flow"):
        problems.append(
            "config_flow: config_flow.py exists, but the manifest does not say so"
        )
    return problems


# --- imports of other integrations, CONFIG_SCHEMA ---------------------------------------

ALWAYS_IMPORTABLE = frozenset(
    {platform.value for platform in Platform}
    | {
        "alert",
        "automation",
        "conversation",
        "default_config",
        "device_automation",
        "frontend",
        "group",
        "hassio",
        "homeassistant",
        "input_boolean",
        "input_button",
        "input_datetime",
        "input_number",
        "input_select",
        "input_text",
        "media_source",
        "mjpeg",
        "onboarding",
        "panel_custom",
        "persistent_notification",
        "person",
        "script",
        "shopping_list",
        "stream",
        "sun",
        "system_health",
        "system_log",
        "timer",
        "webhook",
        "websocket_api",
        "zone",
    }
)
"""Integrations hassfest lets any integration import without declaring them."""


def _is_hass(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "hass") or (
        isinstance(node, ast.Attribute) and node.attr in ("hass", "_hass")
    )


def referenced_integrations(source: str) -> set[str]:
    """Other integrations a module imports or reaches through hass.components."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if (
                isinstance(child, ast.If)
                and isinstance(child.test, ast.Name)
                and child.test.id == "TYPE_CHECKING"
            ):
                continue  # typing only: nothing is loaded
            if isinstance(child, ast.ImportFrom) and child.module:
                names = [alias.name for alias in child.names]
                if child.module == "homeassistant.components.http.auth" and names == [
                    "async_sign_path"
                ]:
                    pass  # hassfest's one exception: signing a path needs no http setup
                elif child.module.startswith("homeassistant.components."):
                    found.add(child.module.split(".")[2])
                elif child.module == "homeassistant.components":
                    found.update(names)
            elif isinstance(child, ast.Import):
                found.update(
                    alias.name.split(".")[2]
                    for alias in child.names
                    if alias.name.startswith("homeassistant.components.")
                )
            elif (
                isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Attribute)
                and child.value.attr == "components"
                and _is_hass(child.value.value)
            ):
                found.add(child.attr)
            visit(child)

    visit(ast.parse(source))
    return found


def import_problems(
    sources: Mapping[str, str], manifest: Mapping[str, Any], files: set[str]
) -> Problems:
    """Integrations used without being in dependencies or after_dependencies."""
    allowed = (
        ALWAYS_IMPORTABLE
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        | {
            integration
            for integration, keys in DISCOVERY_INTEGRATIONS.items()
            if any(key in manifest for key in keys)
        }
    )
    problems: Problems = []
    for path, source in sources.items():
        for ref in sorted(referenced_integrations(source)):
            # A platform of this integration (diagnostics.py) may import its base.
            if (
                ref == manifest.get("domain")
                or ref in allowed
                or f"{ref}.py" in files
                or ref in files
            ):
                continue
            problems.append(
                f"{path}: uses the {ref} integration, which is in neither dependencies"
                " nor after_dependencies"
            )
    return problems


def config_schema_problems(init_source: str) -> Problems:
    """An integration with async_setup must say what YAML configuration it takes."""
    module = ast.parse(init_source)
    functions = {
        node.name
        for node in module.body
        if (isinstance(node, ast.AsyncFunctionDef) and node.name == "async_setup")
        or (isinstance(node, ast.FunctionDef) and node.name == "setup")
    }
    if not functions:
        return []
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.asname or alias.name for alias in node.names)
    if names & {"CONFIG_SCHEMA", "PLATFORM_SCHEMA", "PLATFORM_SCHEMA_BASE"}:
        return []
    return [
        (
            "__init__.py defines async_setup but no CONFIG_SCHEMA: use"
            " cv.config_entry_only_config_schema(DOMAIN) if it takes no YAML"
        )
    ]


# --- strings.json and translations ----------------------------------------------------

URL = re.compile(
    r"(?:(?:ftps?|scp|https?|mqtts?|socket|socks5)://|www\.)"
    r"[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]{2,5}",
    re.IGNORECASE,
)
"""What hassfest calls a URL in a translation: a scheme (or www.) and a host name with
a top-level domain, so "http:// or https://" and "http://192.168.1.2" pass."""
COMBINED_REFERENCE = re.compile(r".\[%|%\].")
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATION_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


def text_problems(text: str) -> Problems:
    """What hassfest refuses in a translated string."""
    problems: Problems = []
    if not text.strip():
        problems.append("is empty")
    try:
        cv.string_with_no_html(text)
    except INVALID:
        problems.append("contains HTML")
    if COMBINED_REFERENCE.search(text):
        problems.append("combines a [%key:...%] reference with other text")
    if text != text.strip():
        problems.append("has leading or trailing spaces")
    if QUOTED_PLACEHOLDER.search(text):
        problems.append("has a placeholder in single quotes (ICU reads it as text)")
    if match := URL.search(text):
        problems.append(
            f"contains the URL {match.group(0)!r}: pass it as a description placeholder"
        )
    return problems


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _any_key(_key: str) -> str | None:
    return None


def _translation_key(key: str) -> str | None:
    if TRANSLATION_KEY.fullmatch(key):
        return None
    return "is not a translation key ([a-z0-9], single - or _ between)"


def _slug(key: str) -> str | None:
    try:
        cv.slug(key)
    except INVALID:
        return "is not a slug"
    return None


def _slug_or_underscore(key: str) -> str | None:
    return None if key == "_" else _slug(key)


@dataclass(frozen=True)
class Leaf:
    """A string, checked by ``check``."""

    check: Callable[[str], Problems]


@dataclass(frozen=True)
class Fields:
    """A mapping with known keys."""

    fields: Mapping[str, Spec]
    required: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Keys:
    """A mapping with any keys ``key_rule`` accepts, every value a ``value``."""

    key_rule: Callable[[str], str | None]
    value: Spec


Spec = Leaf | Fields | Keys
TEXT = Leaf(text_problems)


def walk(spec: Spec, value: Any, path: tuple[str, ...] = ()) -> Problems:
    """Check ``value`` against ``spec``; problems name where they are."""
    where = ".".join(path) or "(top)"
    if isinstance(spec, Leaf):
        if not isinstance(value, str):
            return [f"{where}: must be a string"]
        return [f"{where}: {problem}" for problem in spec.check(value)]
    if not isinstance(value, dict):
        return [f"{where}: must be a mapping"]
    problems: Problems = []
    if isinstance(spec, Fields):
        problems += [
            f"{where}: {key} is missing" for key in sorted(spec.required - value.keys())
        ]
        for key, item in value.items():
            if key not in spec.fields:
                problems.append(f"{where}: {key} is not allowed here")
            else:
                problems += walk(spec.fields[key], item, (*path, key))
        return problems
    for key, item in value.items():
        if message := spec.key_rule(key):
            problems.append(f"{where}: key {key!r} {message}")
        problems += walk(spec.value, item, (*path, key))
    return problems


def _flow_spec(*, flow_title: bool) -> Fields:
    labels = Keys(_any_key, TEXT)
    section = Fields(
        {"name": TEXT, "description": TEXT, "data": labels, "data_description": labels}
    )
    step = Fields(
        {
            "title": TEXT,
            "description": TEXT,
            "data": labels,
            "data_description": labels,
            "menu_options": labels,
            "menu_option_descriptions": labels,
            "submit": TEXT,
            "sections": Keys(_any_key, section),
        }
    )
    fields: dict[str, Spec] = {
        "step": Keys(_any_key, step),
        "error": labels,
        "abort": labels,
        "progress": labels,
        "create_entry": labels,
    }
    if flow_title:
        fields["flow_title"] = TEXT
    return Fields(fields)


_STATES = Keys(_translation_key, TEXT)
STRINGS_SPEC = Fields(
    {
        "title": TEXT,
        "config": _flow_spec(flow_title=True),
        "options": _flow_spec(flow_title=False),
        "selector": Keys(
            _slug_or_underscore, Fields({"options": Keys(_translation_key, TEXT)})
        ),
        "entity": Keys(
            _slug,
            Keys(
                _translation_key,
                Fields(
                    {
                        "name": TEXT,
                        "unit_of_measurement": TEXT,
                        "state": _STATES,
                        "state_attributes": Keys(
                            _translation_key, Fields({"name": TEXT, "state": _STATES})
                        ),
                    }
                ),
            ),
        ),
        "device": Keys(_translation_key, Fields({"name": TEXT})),
        "exceptions": Keys(_slug, Fields({"message": TEXT}, frozenset({"message"}))),
        "issues": Keys(
            _any_key,
            Fields(
                {
                    "title": TEXT,
                    "description": TEXT,
                    "fix_flow": _flow_spec(flow_title=False),
                },
                frozenset({"title"}),
            ),
        ),
        "services": Keys(
            _translation_key,
            Fields(
                {
                    "name": TEXT,
                    "description": TEXT,
                    "fields": Keys(
                        _translation_key,
                        Fields(
                            {"name": TEXT, "description": TEXT, "example": TEXT},
                            frozenset({"name", "description"}),
                        ),
                    ),
                    "sections": Keys(
                        _translation_key,
                        Fields(
                            {"name": TEXT, "description": TEXT}, frozenset({"name"})
                        ),
                    ),
                },
                frozenset({"name", "description"}),
            ),
        ),
        "common": Keys(_slug, TEXT),
    }
)
"""The parts of strings.json a custom integration uses, as hassfest accepts them."""


def _flow_cross_problems(strings: Mapping[str, Any]) -> Problems:
    """data_description must describe fields the step (or section) has."""
    problems: Problems = []
    for flow in ("config", "options"):
        for step_id, step in strings.get(flow, {}).get("step", {}).items():
            parts = [(f"{flow}.step.{step_id}", step)]
            parts += [
                (f"{flow}.step.{step_id}.sections.{name}", section)
                for name, section in step.get("sections", {}).items()
            ]
            for where, part in parts:
                extra = (
                    part.get("data_description", {}).keys()
                    - part.get("data", {}).keys()
                )
                problems += [
                    f"{where}.data_description: {key} is not in data"
                    for key in sorted(extra)
                ]
    for issue_id, issue in strings.get("issues", {}).items():
        if "description" in issue and "fix_flow" in issue:
            problems.append(f"issues.{issue_id}: has both description and fix_flow")
        if "description" not in issue and "fix_flow" not in issue:
            problems.append(f"issues.{issue_id}: needs a description or a fix_flow")
    return problems


def strings_problems(strings: Any) -> Problems:
    """Check strings.json (or a translation) as hassfest checks strings.json."""
    problems = walk(STRINGS_SPEC, strings)
    if isinstance(strings, dict) and not problems:
        problems += _flow_cross_problems(strings)
    return problems


def leaves(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every string of a nested mapping, by its key path."""
    if not isinstance(value, dict):
        return {path: value}
    found: dict[tuple[str, ...], Any] = {}
    for key, item in value.items():
        found.update(leaves(item, (*path, key)))
    return found


def translation_problems(
    english: Mapping[str, Any], other: Mapping[str, Any]
) -> Problems:
    """A translation has English's keys and, in every string, its placeholders."""
    ours, theirs = leaves(english), leaves(other)
    problems = [
        f"{'.'.join(key)}: missing" for key in sorted(ours.keys() - theirs.keys())
    ]
    problems += [
        f"{'.'.join(key)}: not in English"
        for key in sorted(theirs.keys() - ours.keys())
    ]
    for key in sorted(ours.keys() & theirs.keys()):
        want, have = placeholders(str(ours[key])), placeholders(str(theirs[key]))
        if want != have:
            problems.append(
                f"{'.'.join(key)}: placeholders {sorted(have)}, English has {sorted(want)}"
            )
    return problems


# --- services.yaml --------------------------------------------------------------------

FIELD_KEYS = frozenset(
    {
        "example",
        "default",
        "required",
        "advanced",
        "selector",
        "filter",
        "name",
        "description",
    }
)
SECTION_KEYS = frozenset({"collapsed", "fields", "name", "description"})


def _select_options(config: Any) -> list[str]:
    return [
        option["value"] if isinstance(option, dict) else str(option)
        for option in (config or {}).get("options", [])
    ]


def _service_fields(
    service: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of a service (those of its sections too) and its sections."""
    fields: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    for name, item in (service.get("fields") or {}).items():
        if isinstance(item, dict) and "fields" in item:
            sections[name] = item
            fields.update(item["fields"] or {})
        else:
            fields[name] = item
    return fields, sections


def _field_problems(where: str, field: Any, *, targeted: bool) -> Problems:
    if field is None:
        field = {}
    if not isinstance(field, dict):
        return [f"{where}: must be a mapping"]
    problems = [
        f"{where}: {key} is not allowed" for key in sorted(field.keys() - FIELD_KEYS)
    ]
    if "filter" in field and not targeted:
        problems.append(f"{where}: filter needs a target")
    problems += [
        f"{where}: {key} must be true or false"
        for key in ("required", "advanced")
        if key in field and not isinstance(field[key], bool)
    ]
    problems += [
        f"{where}: {key} is empty"
        for key in ("example", "default")
        if key in field and field[key] is None
    ]
    if "selector" in field:
        try:
            selector.validate_selector(field["selector"])
        except INVALID as err:
            problems.append(
                f"{where}: selector {field['selector']!r} is not valid in Home Assistant"
                f" {HA_VERSION}: {err}"
            )
    return problems


def services_problems(
    services: Any, strings: Mapping[str, Any], icons: Mapping[str, Any]
) -> Problems:
    """Check services.yaml and that strings.json and icons.json describe it."""
    if not isinstance(services, dict):
        return ["services.yaml is not a mapping"]
    problems: Problems = []
    texts = strings.get("services", {})
    service_icons = icons.get("services", {})
    for name, description in services.items():
        if message := _slug(name):
            problems.append(f"{name}: service name {message}")
        service = description or {}
        if not isinstance(service, dict):
            problems.append(f"{name}: must be a mapping")
            continue
        problems += [
            f"{name}: {key} is not allowed"
            for key in sorted(
                service.keys() - {"fields", "target", "name", "description"}
            )
        ]
        targeted = "target" in service
        if targeted:
            try:
                selector.validate_selector({"target": service["target"]})
            except INVALID as err:
                problems.append(f"{name}.target: {err}")
        seen: set[str] = set()
        for field_name, item in (service.get("fields") or {}).items():
            if isinstance(item, dict) and "fields" in item:
                problems += [
                    f"{name}.{field_name}: {key} is not allowed"
                    for key in sorted(item.keys() - SECTION_KEYS)
                ]
                members = item["fields"] or {}
            else:
                members = {field_name: item}
            for member, field in members.items():
                if member in seen:
                    problems.append(f"{name}: field {member} appears twice")
                seen.add(member)
                problems += _field_problems(
                    f"{name}.{member}", field, targeted=targeted
                )

        fields, sections = _service_fields(service)
        text = texts.get(name, {})
        problems += [
            f"{name}: no {key} in strings.json"
            for key in ("name", "description")
            if key not in text
        ]
        for field_name, field in fields.items():
            described = text.get("fields", {}).get(field_name, {})
            problems += [
                f"{name}.{field_name}: no {key} in strings.json"
                for key in ("name", "description")
                if key not in described
            ]
            config = (field or {}).get("selector", {}) or {}
            if "select" in config and (
                key := (config["select"] or {}).get("translation_key")
            ):
                translated = strings.get("selector", {}).get(key, {}).get("options", {})
                wanted = set(_select_options(config["select"]))
                if set(translated) != wanted:
                    problems.append(
                        f"{name}.{field_name}: selector.{key}.options in strings.json"
                        f" has {sorted(translated)}, the select offers {sorted(wanted)}"
                    )
        problems += [
            f"{name}.{section}: no name in strings.json"
            for section in sections
            if "name" not in text.get("sections", {}).get(section, {})
        ]
        problems += [
            f"{name}: strings.json describes field {field}, which services.yaml lacks"
            for field in sorted(text.get("fields", {}).keys() - fields.keys())
        ]
        problems += [
            f"{name}: strings.json names section {section}, which services.yaml lacks"
            for section in sorted(text.get("sections", {}).keys() - sections.keys())
        ]

        icon = service_icons.get(name)
        if not isinstance(icon, dict) or "service" not in icon:
            problems.append(f"{name}: no icon in icons.json")
        else:
            problems += [
                f"{name}: icons.json has an icon for section {section}, which services.yaml lacks"
                for section in sorted(icon.get("sections", {}).keys() - sections.keys())
            ]
    problems += [
        f"{name}: strings.json describes it, services.yaml does not"
        for name in sorted(texts.keys() - services.keys())
    ]
    problems += [
        f"{name}: icons.json has an icon, services.yaml has no such service"
        for name in sorted(service_icons.keys() - services.keys())
    ]
    return problems


# --- icons.json -----------------------------------------------------------------------

ICON_NAME = re.compile(r"mdi:[a-z0-9]+(?:-[a-z0-9]+)*")


def icon_problems(icon: str) -> Problems:
    if ICON_NAME.fullmatch(icon):
        return []
    return ["is not a Material Design Icon (mdi:name)"]


ICON = Leaf(icon_problems)
_ICON_STATES = Keys(_translation_key, ICON)
_FLOW_ICONS = Fields(
    {"step": Keys(_any_key, Fields({"sections": Keys(_any_key, ICON)}))}
)
"""Icons of config and options flow sections (as Home Assistant 2026.11's own files)."""
ICONS_SPEC = Fields(
    {
        "config": _FLOW_ICONS,
        "options": _FLOW_ICONS,
        "issues": Keys(_any_key, Fields({"fix_flow": _FLOW_ICONS})),
        "services": Keys(
            _translation_key,
            Fields(
                {"service": ICON, "sections": Keys(_translation_key, ICON)},
                frozenset({"service"}),
            ),
        ),
        "entity": Keys(
            _slug,
            Keys(
                _translation_key,
                Fields(
                    {
                        "default": ICON,
                        "state": _ICON_STATES,
                        "range": Keys(_any_key, ICON),
                        "state_attributes": Keys(
                            _translation_key,
                            Fields({"default": ICON, "state": _ICON_STATES}),
                        ),
                    }
                ),
            ),
        ),
    }
)
"""icons.json of an integration with entities of its own (not an entity component)."""


def icons_problems(icons: Any, strings: Mapping[str, Any]) -> Problems:
    """Check icons.json; flow section icons must be for sections strings.json has."""
    problems = walk(ICONS_SPEC, icons)
    if problems:
        return problems
    for flow in ("config", "options"):
        for step_id, step in icons.get(flow, {}).get("step", {}).items():
            known = strings.get(flow, {}).get("step", {}).get(step_id, {})
            problems += [
                f"{flow}.step.{step_id}.sections.{name}: no such section in strings.json"
                for name in sorted(
                    step.get("sections", {}).keys() - known.get("sections", {}).keys()
                )
            ]
    for platform, keys in icons.get("entity", {}).items():
        for key, entry in keys.items():
            for attribute, icon in entry.get("state_attributes", {}).items():
                problems += [
                    f"entity.{platform}.{key}.state_attributes.{attribute}.state.{state}:"
                    " same as the default icon"
                    for state, value in icon.get("state", {}).items()
                    if value == icon.get("default")
                ]
    return problems


# --- quality_scale.yaml ---------------------------------------------------------------

QUALITY_SCALE_RULES: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}
"""Every rule of the quality scale, by tier, as in Home Assistant 2026.11's own files."""
ALL_RULES = frozenset(rule for rules in QUALITY_SCALE_RULES.values() for rule in rules)


def quality_scale_problems(data: Any) -> Problems:
    """Every rule listed once, done or todo, or exempt with the reason."""
    if (
        not isinstance(data, dict)
        or set(data) != {"rules"}
        or not isinstance(data["rules"], dict)
    ):
        return ["quality_scale.yaml must have one key, rules, a mapping"]
    rules = data["rules"]
    problems = [
        f"{rule}: not a quality scale rule" for rule in sorted(rules.keys() - ALL_RULES)
    ]
    problems += [f"{rule}: not listed" for rule in sorted(ALL_RULES - rules.keys())]
    for rule, value in rules.items():
        if isinstance(value, str):
            if value not in ("done", "todo"):
                problems.append(
                    f"{rule}: {value!r} is not done or todo (exempt needs a comment)"
                )
            continue
        if not isinstance(value, dict) or value.keys() - {"status", "comment"}:
            problems.append(f"{rule}: must be a status or status and comment")
            continue
        status, comment = value.get("status"), value.get("comment")
        if status not in ("done", "todo", "exempt"):
            problems.append(f"{rule}: status {status!r} is not done, todo or exempt")
        if comment is not None and not (isinstance(comment, str) and comment.strip()):
            problems.append(f"{rule}: the comment is empty")
        if status == "exempt" and comment is None:
            problems.append(f"{rule}: exempt needs a comment saying why")
    return problems


def _status(rules: Mapping[str, Any], rule: str) -> str | None:
    value = rules.get(rule)
    return value.get("status") if isinstance(value, dict) else value


def _module(source: str | None) -> ast.Module:
    return ast.parse(source or "")


def _top_functions(module: ast.Module) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _methods(module: ast.Module) -> set[str]:
    return {
        node.name
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _calls(node: ast.AST) -> set[str]:
    """Names of the functions and methods called anywhere below ``node``."""
    called: set[str] = set()
    for item in ast.walk(node):
        if isinstance(item, ast.Call):
            if isinstance(item.func, ast.Attribute):
                called.add(item.func.attr)
            elif isinstance(item.func, ast.Name):
                called.add(item.func.id)
    return called


SETUP_ERRORS = frozenset(
    {"ConfigEntryNotReady", "ConfigEntryAuthFailed", "ConfigEntryError"}
)
DISCOVERY_KEYS = ("bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf")


def quality_rule_problems(
    rules: Mapping[str, Any],
    sources: Mapping[str, str],
    manifest: Mapping[str, Any],
    platforms: Iterable[str],
) -> Problems:
    """What the code must show for rules marked done (hassfest checks these for core)."""
    init = _module(sources.get("__init__.py"))
    flow = _module(sources.get("config_flow.py"))
    flow_steps = {name.removeprefix("async_step_") for name in _methods(flow)}
    flow_calls = _calls(flow)
    checks: dict[str, Callable[[], str | None]] = {
        "config-flow": lambda: (
            None
            if manifest.get("config_flow") and "config_flow.py" in sources
            else "no config flow"
        ),
        "config-entry-unloading": lambda: (
            None
            if "async_unload_entry" in _top_functions(init)
            else "__init__.py has no async_unload_entry"
        ),
        "diagnostics": lambda: (
            None
            if {"async_get_config_entry_diagnostics", "async_get_device_diagnostics"}
            & _methods(_module(sources.get("diagnostics.py")))
            else "diagnostics.py provides no diagnostics"
        ),
        "discovery": lambda: (
            None
            if (found := [key for key in DISCOVERY_KEYS if key in manifest])
            and all(key in flow_steps for key in found)
            else "the manifest declares no discovery the config flow handles"
        ),
        "parallel-updates": lambda: (
            ", ".join(
                f"{platform}.py does not set PARALLEL_UPDATES"
                for platform in platforms
                if "PARALLEL_UPDATES"
                not in assigned_names(sources.get(f"{platform}.py", ""))
            )
            or None
        ),
        "reauthentication-flow": lambda: (
            None if "reauth" in flow_steps else "the config flow has no reauth step"
        ),
        "reconfiguration-flow": lambda: (
            None
            if "reconfigure" in flow_steps
            else "the config flow has no reconfigure step"
        ),
        "runtime-data": lambda: (
            None
            if ".runtime_data =" in (sources.get("__init__.py") or "")
            else "async_setup_entry does not store entry.runtime_data"
        ),
        "test-before-setup": lambda: (
            None
            if "async_config_entry_first_refresh"
            in _calls(_top_functions(init).get("async_setup_entry", init))
            or any(
                isinstance(node, ast.Raise)
                and node.exc is not None
                and SETUP_ERRORS
                & {n.id for n in ast.walk(node.exc) if isinstance(n, ast.Name)}
                for source in sources.values()
                for node in ast.walk(ast.parse(source))
            )
            else "setup neither refreshes first nor raises ConfigEntryNotReady"
        ),
        "unique-config-entry": lambda: (
            None
            if {"async_set_unique_id", "_async_abort_entries_match"} & flow_calls
            else "the config flow sets no unique ID"
        ),
    }
    return [
        f"{rule}: marked done, but {message}"
        for rule, check in checks.items()
        if _status(rules, rule) == "done" and (message := check())
    ]


def assigned_names(source: str) -> set[str]:
    """Names a module assigns at its top level."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


# --- brand images ---------------------------------------------------------------------

BRAND_IMAGES = {
    "icon.png": (256, 256),
    "icon@2x.png": (512, 512),
    "dark_icon.png": (256, 256),
    "dark_icon@2x.png": (512, 512),
    "logo.png": None,
    "logo@2x.png": None,
    "dark_logo.png": None,
    "dark_logo@2x.png": None,
}
"""Images Home Assistant serves from brand/, with the size icons must have."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def brand_problems(images: Mapping[str, bytes]) -> Problems:
    problems = [
        f"brand/{name}: not an image Home Assistant serves"
        for name in sorted(images.keys() - BRAND_IMAGES.keys())
    ]
    if "icon.png" not in images:
        problems.append("brand/icon.png: missing (every other image falls back to it)")
    for name, data in images.items():
        if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
            problems.append(f"brand/{name}: not a PNG")
            continue
        size = struct.unpack(">II", data[16:24])
        if (wanted := BRAND_IMAGES.get(name)) and size != wanted:
            problems.append(
                f"brand/{name}: {size[0]}x{size[1]}, must be {wanted[0]}x{wanted[1]}"
            )
    return problems


# --- translation keys and placeholders the code uses ----------------------------------


@dataclass(frozen=True)
class KeyUse:
    """A translation key the code passes, where, and with which placeholders."""

    section: str
    key: str
    placeholders: frozenset[str] | None
    """None when they are not known without running the code."""
    where: str


def _enclosing_functions(
    module: ast.Module,
) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The innermost function around each node."""
    enclosing: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for function in ast.walk(module):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                enclosing[id(node)] = function  # inner functions come later and win
    return enclosing


def _assigned(function: ast.AST | None, name: str) -> list[ast.expr]:
    if function is None:
        return []
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def _string_constants(nodes: Iterable[ast.AST]) -> set[str]:
    return {
        item.value
        for node in nodes
        for item in ast.walk(node)
        if isinstance(item, ast.Constant) and isinstance(item.value, str)
    }


def _dict_keys(
    node: ast.expr | None, function: ast.AST | None
) -> frozenset[str] | None:
    """The keys of a dict literal, directly or through a local variable."""
    if node is None:
        return frozenset()
    if isinstance(node, ast.Name):
        values = _assigned(function, node.id)
        return _dict_keys(values[0], None) if len(values) == 1 else None
    if isinstance(node, ast.Dict) and all(
        isinstance(key, ast.Constant) and isinstance(key.value, str)
        for key in node.keys
    ):
        return frozenset(
            key.value for key in node.keys if isinstance(key, ast.Constant)
        )
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


@dataclass(frozen=True)
class _Factory:
    """A function that builds a translated error from its arguments."""

    index: int
    parameter: str
    kwargs_are_placeholders: bool


def key_uses(path: str, source: str) -> list[KeyUse]:
    """Exception and repair issue translation keys a module uses."""
    module = ast.parse(source)
    enclosing = _enclosing_functions(module)
    uses: list[KeyUse] = []
    factories: dict[str, _Factory] = {}
    for call in (node for node in ast.walk(module) if isinstance(node, ast.Call)):
        key_node = _keyword(call, "translation_key")
        if key_node is None:
            continue
        if _keyword(call, "translation_domain") is not None:
            section = "exceptions"
        elif _call_name(call).endswith("create_issue"):
            section = "issues"
        else:
            continue  # an entity description: checked against the platforms
        function = enclosing.get(id(call))
        where = f"{path}:{call.lineno}"
        placeholder_node = _keyword(call, "translation_placeholders")
        if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
            keys = {key_node.value}
        elif isinstance(key_node, ast.Name) and function is not None:
            parameters = [arg.arg for arg in function.args.args]
            if key_node.id in parameters:
                kwarg = function.args.kwarg
                factories[function.name] = _Factory(
                    parameters.index(key_node.id),
                    key_node.id,
                    isinstance(placeholder_node, ast.Name)
                    and kwarg is not None
                    and placeholder_node.id == kwarg.arg,
                )
                continue
            keys = _string_constants(_assigned(function, key_node.id))
        else:
            keys = set()
        if not keys:
            uses.append(KeyUse(section, "?", None, f"{where} (key not known)"))
        found = _dict_keys(placeholder_node, function)
        uses += [KeyUse(section, key, found, where) for key in sorted(keys)]

    for call in (node for node in ast.walk(module) if isinstance(node, ast.Call)):
        if not isinstance(call.func, ast.Name) or call.func.id not in factories:
            continue
        factory = factories[call.func.id]
        key_node = (
            call.args[factory.index]
            if len(call.args) > factory.index
            else _keyword(call, factory.parameter)
        )
        where = f"{path}:{call.lineno}"
        if not (isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)):
            uses.append(KeyUse("exceptions", "?", None, f"{where} (key not known)"))
            continue
        known = factory.kwargs_are_placeholders and all(kw.arg for kw in call.keywords)
        names = frozenset(
            kw.arg for kw in call.keywords if kw.arg and kw.arg != factory.parameter
        )
        uses.append(
            KeyUse("exceptions", key_node.value, names if known else None, where)
        )
    return uses


def _issue_placeholders(issue: Mapping[str, Any]) -> set[str]:
    return set().union(
        *(
            placeholders(text)
            for text in leaves(issue).values()
            if isinstance(text, str)
        )
    )


def key_use_problems(uses: Iterable[KeyUse], strings: Mapping[str, Any]) -> Problems:
    """Every key the code uses exists, with the placeholders the code passes."""
    problems: Problems = []
    used: dict[str, set[str]] = {"exceptions": set(), "issues": set()}
    for use in uses:
        used[use.section].add(use.key)
        if use.key == "?":
            problems.append(
                f"{use.where}: the {use.section} translation key cannot be read"
            )
            continue
        entry = strings.get(use.section, {}).get(use.key)
        if entry is None:
            problems.append(
                f"{use.where}: {use.section}.{use.key} is not in strings.json"
            )
            continue
        # Unused placeholders are harmless; a missing one loses the whole message.
        wanted = _issue_placeholders(entry)
        if use.placeholders is not None and (missing := wanted - use.placeholders):
            problems.append(
                f"{use.where}: {use.section}.{use.key} uses {sorted(missing)},"
                f" the code passes {sorted(use.placeholders)}"
            )
    for section, keys in used.items():
        problems += [
            f"{section}.{key}: in strings.json but not used by the code"
            for key in sorted(strings.get(section, {}).keys() - keys)
        ]
    return problems


# --- config flow against its strings --------------------------------------------------

IMPLIED_ABORTS = {
    "_abort_if_unique_id_configured": "already_configured",
    "_async_abort_entries_match": "already_configured",
}


def _flow_kind(node: ast.ClassDef) -> str | None:
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name.endswith("OptionsFlow"):
            return "options"
        if name.endswith("ConfigFlow"):
            return "config"
    return None


def flow_problems(source: str, strings: Mapping[str, Any]) -> Problems:
    """Steps, errors, aborts and description placeholders of the flows."""
    module = ast.parse(source)
    enclosing = _enclosing_functions(module)
    problems: Problems = []
    for flow in ("config", "options"):
        classes = [
            node
            for node in module.body
            if isinstance(node, ast.ClassDef) and _flow_kind(node) == flow
        ]
        texts = strings.get(flow, {})
        steps = texts.get("step", {})
        defined = {
            node.name.removeprefix("async_step_")
            for cls in classes
            for node in cls.body
            if isinstance(node, ast.AsyncFunctionDef)
            and node.name.startswith("async_step_")
        }
        used_keys = _string_constants(classes)
        errors: set[str] = set()
        aborts: set[str] = set()
        title_placeholders: set[str] = set()
        for call in (
            n for cls in classes for n in ast.walk(cls) if isinstance(n, ast.Call)
        ):
            name = _call_name(call)
            method = enclosing.get(id(call))
            method_name = method.name if method else ""
            reason = _keyword(call, "reason")
            if name == "async_abort" and isinstance(reason, ast.Constant):
                aborts.add(reason.value)
            elif (
                name == "AbortFlow"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                aborts.add(call.args[0].value)
            elif name == "_abort_if_unique_id_mismatch":
                aborts.add(
                    reason.value
                    if isinstance(reason, ast.Constant)
                    else "unique_id_mismatch"
                )
            elif name in IMPLIED_ABORTS:
                aborts.add(IMPLIED_ABORTS[name])
            elif name == "async_set_unique_id":
                progress = _keyword(call, "raise_on_progress")
                if not (isinstance(progress, ast.Constant) and progress.value is False):
                    aborts.add("already_in_progress")
            elif name == "async_update_reload_and_abort":
                if isinstance(reason, ast.Constant):
                    aborts.add(reason.value)
                elif "reauth" in method_name:
                    aborts.add("reauth_successful")
                elif "reconfigure" in method_name:
                    aborts.add("reconfigure_successful")
            elif name == "async_show_form":
                step_node = _keyword(call, "step_id")
                if not isinstance(step_node, ast.Constant):
                    problems.append(
                        f"config_flow.py:{call.lineno}: step_id is not a literal"
                    )
                    continue
                step_id = step_node.value
                if step_id not in steps:
                    problems.append(
                        f"{flow}.step.{step_id}: shown, but not in strings.json"
                    )
                    continue
                wanted = set().union(
                    *(
                        placeholders(t)
                        for t in leaves(steps[step_id]).values()
                        if isinstance(t, str)
                    )
                )
                given = _dict_keys(_keyword(call, "description_placeholders"), method)
                if given is not None and wanted - given:
                    problems.append(
                        f"config_flow.py:{call.lineno}: {flow}.step.{step_id} uses"
                        f" {sorted(wanted - given)}, the form passes {sorted(given)}"
                    )
        for node in (
            n for cls in classes for n in ast.walk(cls) if isinstance(n, ast.Assign)
        ):
            for target in node.targets:
                if not isinstance(target, ast.Subscript):
                    continue
                if isinstance(target.value, ast.Name) and target.value.id == "errors":
                    if isinstance(node.value, ast.Constant):
                        errors.add(node.value.value)
                elif (
                    isinstance(target.value, ast.Attribute)
                    and target.value.attr == "context"
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value == "title_placeholders"
                ):
                    title_placeholders |= _dict_keys(node.value, None) or set()
        problems += [
            f"{flow}.error.{key}: used, not in strings.json"
            for key in sorted(errors - texts.get("error", {}).keys())
        ]
        problems += [
            f"{flow}.abort.{key}: used, not in strings.json"
            for key in sorted(aborts - texts.get("abort", {}).keys())
        ]
        problems += [
            f"{flow}.step.{step}: in strings.json, but the flow has no such step"
            for step in sorted(steps.keys() - defined)
        ]
        problems += [
            f"{flow}.{kind}.{key}: in strings.json but not used by the flow"
            for kind in ("error", "abort")
            for key in sorted(texts.get(kind, {}).keys() - used_keys - aborts)
        ]
        if "flow_title" in texts and (
            missing := placeholders(texts["flow_title"]) - title_placeholders
        ):
            problems.append(
                f"{flow}.flow_title: uses {sorted(missing)}, not in title_placeholders"
            )
    return problems


# --- entities against their strings and icons -----------------------------------------


def _is_description(value: Any) -> bool:
    # Instances of subclasses (EventEntityDescription, ...) are made from a thawed
    # copy of the class (homeassistant.util.frozen_dataclass_compat): isinstance fails.
    return any(cls.__name__ == "EntityDescription" for cls in type(value).__mro__)


def _descriptions(module: Any) -> list[EntityDescription]:
    found: dict[int, EntityDescription] = {}
    for value in vars(module).values():
        items = value if isinstance(value, tuple | list) else (value,)
        for item in items:
            if _is_description(item):
                found[id(item)] = item
    return list(found.values())


SUPPLY_COLOR_CODES = (*entity_module.COLOR_NAMES, "", "CMYK", "NONE", "pK", "mK")
"""Every colour code with a name of its own, the every-colour codes and unnamed ones."""


def supply_translation_keys(descriptions: Iterable[EntityDescription]) -> set[str]:
    """The keys HPEWSSupplyEntity builds for every kind and colour a supply can have."""
    suffixes = {
        entity_module.supply_name_key(
            Supply(key="s", color=color, kind=kind, state=SupplyState.OK)
        )
        for kind in SupplyKind
        for color in SUPPLY_COLOR_CODES
    }
    return {
        f"{description.key}_{suffix}"
        for description in descriptions
        for suffix in suffixes
    }


def entity_problems(
    descriptions: Mapping[str, Iterable[EntityDescription]],
    built_keys: Mapping[str, set[str]],
    strings: Mapping[str, Any],
    icons: Mapping[str, Any],
) -> Problems:
    """Every entity has a translated name (or a device class), and nothing is stale.

    ``built_keys``: per platform, the translation keys entities build at run time from
    descriptions without one of their own.
    """
    problems: Problems = []
    texts = strings.get("entity", {})
    platforms = descriptions.keys() | built_keys.keys() | texts.keys()
    for platform in sorted(platforms | icons.get("entity", {}).keys()):
        used = set(built_keys.get(platform, set()))
        platform_texts = texts.get(platform, {})
        for description in descriptions.get(platform, ()):
            key = description.translation_key
            if key is None:
                if description.device_class is None:
                    problems.append(
                        f"{platform}.{description.key}: neither a translation key nor a device class names it"
                    )
                continue
            used.add(key)
            entry = platform_texts.get(key, {})
            options = getattr(description, "options", None)
            if options is not None and set(entry.get("state", {})) != set(options):
                problems.append(
                    f"entity.{platform}.{key}.state: {sorted(entry.get('state', {}))}, the sensor has {sorted(options)}"
                )
            event_types = getattr(description, "event_types", None)
            if event_types is not None:
                states = (
                    entry.get("state_attributes", {})
                    .get("event_type", {})
                    .get("state", {})
                )
                if set(states) != set(event_types):
                    problems.append(
                        f"entity.{platform}.{key}.state_attributes.event_type: {sorted(states)}, the event has {sorted(event_types)}"
                    )
        problems += [
            f"entity.{platform}.{key}: used, not in strings.json"
            for key in sorted(used - platform_texts.keys())
        ]
        problems += [
            f"entity.{platform}.{key}: in strings.json, no entity uses it"
            for key in sorted(platform_texts.keys() - used)
        ]
        for key, icon in icons.get("entity", {}).get(platform, {}).items():
            if key not in used:
                problems.append(f"icons entity.{platform}.{key}: no entity uses it")
                continue
            text = platform_texts.get(key, {})
            if "state" in text and (
                extra := icon.get("state", {}).keys() - text["state"].keys()
            ):
                problems.append(
                    f"icons entity.{platform}.{key}.state: {sorted(extra)} are not states"
                )
            for attribute, attribute_icons in icon.get("state_attributes", {}).items():
                states = (
                    text.get("state_attributes", {}).get(attribute, {}).get("state", {})
                )
                if extra := attribute_icons.get("state", {}).keys() - states.keys():
                    problems.append(
                        f"icons entity.{platform}.{key}.state_attributes.{attribute}: {sorted(extra)} are not states"
                    )
    return problems


def platform_descriptions() -> tuple[
    dict[str, list[EntityDescription]], dict[str, set[str]]
]:
    """The entity descriptions of every platform, and the keys built at run time."""
    descriptions: dict[str, list[EntityDescription]] = {}
    built: dict[str, set[str]] = {}
    for platform in PLATFORMS:
        module = importlib.import_module(
            f"{integration_package.__name__}.{platform.value}"
        )
        found = _descriptions(module)
        # Per-supply descriptions (levels, forecasts): their keys are built.
        supplies = [
            d
            for name in ("SUPPLY_SENSORS", "FORECAST_SENSORS")
            for d in getattr(module, name, ())
            if d.translation_key is None
        ]
        descriptions[platform.value] = [d for d in found if d not in supplies]
        if supplies:
            built[platform.value] = supply_translation_keys(supplies)
    return descriptions, built


# === the tests ========================================================================


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return _read_json(INTEGRATION / "manifest.json")


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    return _read_json(INTEGRATION / "strings.json")


@pytest.fixture(scope="module")
def icons() -> dict[str, Any]:
    return _read_json(INTEGRATION / "icons.json")


@pytest.fixture(scope="module")
def services_yaml() -> dict[str, Any]:
    return dict(load_yaml_dict(str(INTEGRATION / "services.yaml")))


def test_manifest(manifest: dict[str, Any]) -> None:
    assert (
        manifest_problems(
            manifest, directory=INTEGRATION.name, files=_top_level_names()
        )
        == []
    )


def test_imports_of_other_integrations(manifest: dict[str, Any]) -> None:
    assert import_problems(_sources(), manifest, _top_level_names()) == []


def test_config_schema() -> None:
    assert (
        config_schema_problems(
            (INTEGRATION / "__init__.py").read_text(encoding="utf-8")
        )
        == []
    )


def test_strings(strings: dict[str, Any]) -> None:
    assert strings_problems(strings) == []


def test_english_translation_is_strings_json(strings: dict[str, Any]) -> None:
    assert _read_json(INTEGRATION / "translations" / "en.json") == strings


@pytest.mark.parametrize(
    "language",
    sorted(path.stem for path in (INTEGRATION / "translations").glob("*.json")),
)
def test_translation(language: str, strings: dict[str, Any]) -> None:
    translation = _read_json(INTEGRATION / "translations" / f"{language}.json")
    assert strings_problems(translation) == []
    assert translation_problems(strings, translation) == []


def test_services(
    services_yaml: dict[str, Any], strings: dict[str, Any], icons: dict[str, Any]
) -> None:
    assert services_problems(services_yaml, strings, icons) == []


def test_icons(icons: dict[str, Any], strings: dict[str, Any]) -> None:
    assert icons_problems(icons, strings) == []


def test_quality_scale(manifest: dict[str, Any]) -> None:
    data = load_yaml_dict(str(INTEGRATION / "quality_scale.yaml"))
    assert quality_scale_problems(data) == []
    platforms = [platform.value for platform in PLATFORMS]
    assert quality_rule_problems(data["rules"], _sources(), manifest, platforms) == []


def test_brand_images() -> None:
    images = {
        path.name: path.read_bytes() for path in (INTEGRATION / "brand").iterdir()
    }
    assert brand_problems(images) == []


def test_exception_and_issue_keys(strings: dict[str, Any]) -> None:
    uses = [
        use for path, source in _sources().items() for use in key_uses(path, source)
    ]
    assert uses  # the scan finds the code's keys at all
    assert key_use_problems(uses, strings) == []


def test_config_flow_strings(strings: dict[str, Any]) -> None:
    source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    assert flow_problems(source, strings) == []


def test_entity_strings_and_icons(
    strings: dict[str, Any], icons: dict[str, Any]
) -> None:
    descriptions, built = platform_descriptions()
    assert built["sensor"]  # supply sensors found
    assert entity_problems(descriptions, built, strings, icons) == []


async def test_registered_actions_match_services_yaml(
    hass: Any, services_yaml: dict[str, Any]
) -> None:
    """The actions async_setup registers are those services.yaml describes, field by field."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = hass.services.async_services().get(DOMAIN, {})
    assert set(registered) == set(services_yaml)
    compared = 0
    for name, service in registered.items():
        fields, _sections = _service_fields(services_yaml[name] or {})
        schema = service.schema.schema
        assert {str(key) for key in schema} == set(fields), name
        for key, validator in schema.items():
            select = ((fields[str(key)] or {}).get("selector") or {}).get("select")
            if select is not None and hasattr(validator, "container"):
                # The form offers exactly the values the action accepts.
                assert set(_select_options(select)) == set(validator.container), key
                compared += 1
    assert compared  # the select fields were found


# --- the checkers can fail ------------------------------------------------------------


def test_urls_in_translations_are_refused() -> None:
    strings = {
        "config": {
            "step": {
                "user": {
                    "data": {"host": "Host"},
                    "data_description": {"host": "For example https://printer.local."},
                }
            }
        }
    }
    assert strings_problems(strings) == [
        (
            "config.step.user.data_description.host: contains the URL"
            " 'https://printer.local': pass it as a description placeholder"
        )
    ]
    # What hassfest lets through: a scheme alone, an IP address, a placeholder.
    for text in (
        "Starts with http:// or https://.",
        "Like http://192.168.1.2/.",
        "See {url}.",
    ):
        assert text_problems(text) == []
    assert "www." in text_problems("See www.hp.com.")[0]


def test_broken_strings_are_refused() -> None:
    strings = {
        "config": {
            "step": {
                "user": {
                    "data": {"host": "Host"},
                    "data_description": {"port": "Port"},
                    "sections": {
                        "advanced": {"data": {}, "data_description": {"ssl": "x"}}
                    },
                }
            },
            "error": {"bad": "<b>Bad</b>", "space": "Trailing "},
        },
        "entity": {"sensor": {"Level_Ink": {"name": "Ink '{color}'"}}},
        "exceptions": {"failed": {}},
        "unknown_part": {},
    }
    assert sorted(strings_problems(strings)) == sorted(
        [
            "config.error.bad: contains HTML",
            "config.error.space: has leading or trailing spaces",
            (
                "entity.sensor: key 'Level_Ink' is not a translation key"
                " ([a-z0-9], single - or _ between)"
            ),
            (
                "entity.sensor.Level_Ink.name: has a placeholder in single quotes"
                " (ICU reads it as text)"
            ),
            "exceptions.failed: message is missing",
            "(top): unknown_part is not allowed here",
        ]
    )
    del strings["unknown_part"], strings["exceptions"], strings["entity"]
    del strings["config"]["error"]
    assert strings_problems(strings) == [
        "config.step.user.data_description: port is not in data",
        "config.step.user.sections.advanced.data_description: ssl is not in data",
    ]


def test_translation_differences_are_refused() -> None:
    english = {"a": {"b": "{host} is {state}", "c": "C"}}
    other = {"a": {"b": "{hote} ist {state}", "d": "D"}}
    assert translation_problems(english, other) == [
        "a.c: missing",
        "a.d: not in English",
        "a.b: placeholders ['hote', 'state'], English has ['host', 'state']",
    ]


def test_broken_manifest_is_refused() -> None:
    manifest = {
        "name": "Printer",
        "domain": "other",
        "codeowners": ["@x"],
        "documentation": "http://example.com/docs",
        "iot_class": "local_polling",
        "quality_scale": "platinum",
        "requirements": ["pypdfium2>=5", "a ==1"],
        "version": "not a version",
        "zeroconf": [{"type": "_ipp._tcp.local.", "name": "HP*", "manufacturer": "hp"}],
    }
    assert manifest_problems(manifest, directory="hp_ews", files=set()) == [
        f"quality_scale: not allowed in a custom integration's manifest ({QUALITY_SCALE_NOTE})",
        "issue_tracker: missing",
        "documentation: must be an https URL",
        "requirements: 'pypdfium2>=5' is not pinned as name==version",
        "requirements: 'a ==1' contains a space",
        "version: 'not a version' is not a version Home Assistant loads",
        "zeroconf: [0] manufacturer is deprecated",
        "zeroconf: [0] name must be a lowercase string",
        "keys are not sorted: domain, name, then alphabetical order",
        "domain: 'other' is not the directory name 'hp_ews'",
    ]
    problems = manifest_problems(
        {
            "domain": "hp_ews",
            "name": "x",
            "after_dependencies": ["media_source"],
            "categories": ["Printers"],
            "codeowners": ["@x"],
            "config_flow": True,
            "dependencies": ["media_source", "no_such_integration"],
            "documentation": f"{CORE_DOCUMENTATION}/hp_ews",
            "iot_class": "local_polling",
            "issue_tracker": "https://example.com/issues",
            "version": "1.0.0",
        },
        directory="hp_ews",
        files=set(),
    )
    # Releases that list the categories also say it is not one of theirs.
    assert [problem for problem in problems if "knows" not in problem] == [
        "categories: 'Printers' is not a category slug",
        "documentation: must point to this integration's documentation, not Home Assistant's",
        "dependencies: media_source is in after_dependencies too",
        "no_such_integration: not a Home Assistant integration",
        "config_flow: set, but there is no config_flow.py",
    ]


def test_undeclared_integration_imports_are_refused() -> None:
    sources = {
        "a.py": "from homeassistant.components.zha import x\nimport homeassistant.components.mqtt\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from homeassistant.components.hue import y\n"
        "from homeassistant.components.http.auth import async_sign_path\n"
        "from homeassistant.components import sensor, zeroconf\n",
    }
    manifest = {"domain": "hp_ews", "after_dependencies": ["mqtt"]}
    assert import_problems(sources, manifest, set()) == [
        "a.py: uses the zha integration, which is in neither dependencies nor after_dependencies",
        "b.py: uses the zeroconf integration, which is in neither dependencies nor after_dependencies",
    ]
    # Discovery by zeroconf in the manifest allows the import.
    assert import_problems(
        sources, {**manifest, "zeroconf": ["_ipp._tcp.local."]}, set()
    ) == [
        "a.py: uses the zha integration, which is in neither dependencies nor after_dependencies",
    ]


def test_missing_config_schema_is_refused() -> None:
    assert config_schema_problems(
        "async def async_setup(hass, config):\n    return True\n"
    )
    assert (
        config_schema_problems("CONFIG_SCHEMA = 1\nasync def async_setup(h, c): ...\n")
        == []
    )
    assert config_schema_problems("async def async_setup_entry(h, e): ...\n") == []


def test_broken_services_are_refused() -> None:
    services = {
        "print": {
            "fields": {
                "device_id": {"required": "yes", "selector": {"no_such_selector": {}}},
                "options": {
                    "collapsed": True,
                    "fields": {
                        "sides": {
                            "selector": {
                                "select": {
                                    "translation_key": "sides",
                                    "options": ["one", "two"],
                                }
                            }
                        },
                        "device_id": {"filter": {}},
                    },
                },
            }
        },
        "cancel": None,
    }
    strings = {
        "services": {
            "print": {
                "name": "Print",
                "description": "Prints.",
                "fields": {
                    "device_id": {"name": "Printer"},
                    "sides": {"name": "S", "description": "S"},
                    "old": {"name": "O", "description": "O"},
                },
            },
        },
        "selector": {"sides": {"options": {"one": "One"}}},
    }
    icons = {
        "services": {
            "print": {"service": "mdi:printer", "sections": {"extra": "mdi:tune"}},
            "gone": {"service": "mdi:x"},
        }
    }
    problems = services_problems(services, strings, icons)
    assert problems[0] == "print.device_id: required must be true or false"
    assert problems[1].startswith(
        "print.device_id: selector {'no_such_selector': {}} is not valid in"
        f" Home Assistant {HA_VERSION}: "
    )
    assert problems[2:] == [
        "print: field device_id appears twice",
        "print.device_id: filter needs a target",
        "print.device_id: no description in strings.json",
        "print.sides: selector.sides.options in strings.json has ['one'], the select offers ['one', 'two']",
        "print.options: no name in strings.json",
        "print: strings.json describes field old, which services.yaml lacks",
        "print: icons.json has an icon for section extra, which services.yaml lacks",
        "cancel: no name in strings.json",
        "cancel: no description in strings.json",
        "cancel: no icon in icons.json",
        "gone: icons.json has an icon, services.yaml has no such service",
    ]


def test_broken_icons_are_refused() -> None:
    icons = {
        "entity": {
            "event": {
                "print_job": {
                    "default": "printer",
                    "state_attributes": {
                        "event_type": {"default": "mdi:a", "state": {"done": "mdi:a"}}
                    },
                }
            }
        },
        "services": {"print": "mdi:printer"},
    }
    assert icons_problems(icons, {}) == [
        "entity.event.print_job.default: is not a Material Design Icon (mdi:name)",
        "services.print: must be a mapping",
    ]
    icons["entity"]["event"]["print_job"]["default"] = "mdi:printer"
    del icons["services"]
    icons["config"] = {
        "step": {"user": {"sections": {"advanced": "mdi:cog", "gone": "mdi:cog"}}}
    }
    strings = {"config": {"step": {"user": {"sections": {"advanced": {"name": "A"}}}}}}
    assert icons_problems(icons, strings) == [
        "config.step.user.sections.gone: no such section in strings.json",
        "entity.event.print_job.state_attributes.event_type.state.done: same as the default icon",
    ]


def test_broken_quality_scale_is_refused() -> None:
    rules: dict[str, Any] = dict.fromkeys(ALL_RULES, "done")
    rules["brands"] = {"status": "exempt"}
    rules["devices"] = "exempt"
    rules["stale-devices"] = {"status": "maybe", "comment": ""}
    rules["no-such-rule"] = "done"
    del rules["strict-typing"]
    assert sorted(quality_scale_problems({"rules": rules})) == [
        "brands: exempt needs a comment saying why",
        "devices: 'exempt' is not done or todo (exempt needs a comment)",
        "no-such-rule: not a quality scale rule",
        "stale-devices: status 'maybe' is not done, todo or exempt",
        "stale-devices: the comment is empty",
        "strict-typing: not listed",
    ]
    sources = {
        "__init__.py": "async def async_setup_entry(h, e):\n    return True\n",
        "sensor.py": "",
    }
    assert quality_rule_problems(
        dict.fromkeys(ALL_RULES, "done"), sources, {}, ["sensor"]
    ) == [
        "config-flow: marked done, but no config flow",
        "config-entry-unloading: marked done, but __init__.py has no async_unload_entry",
        "diagnostics: marked done, but diagnostics.py provides no diagnostics",
        "discovery: marked done, but the manifest declares no discovery the config flow handles",
        "parallel-updates: marked done, but sensor.py does not set PARALLEL_UPDATES",
        "reauthentication-flow: marked done, but the config flow has no reauth step",
        "reconfiguration-flow: marked done, but the config flow has no reconfigure step",
        "runtime-data: marked done, but async_setup_entry does not store entry.runtime_data",
        "test-before-setup: marked done, but setup neither refreshes first nor raises ConfigEntryNotReady",
        "unique-config-entry: marked done, but the config flow sets no unique ID",
    ]


def test_broken_brand_images_are_refused() -> None:
    icon = (INTEGRATION / "brand" / "icon.png").read_bytes()
    assert brand_problems(
        {"icon@2x.png": icon, "banner.png": icon, "logo.png": b"GIF89a"}
    ) == [
        "brand/banner.png: not an image Home Assistant serves",
        "brand/icon.png: missing (every other image falls back to it)",
        "brand/icon@2x.png: 256x256, must be 512x512",
        "brand/logo.png: not a PNG",
    ]


def test_unknown_keys_and_placeholders_in_code_are_refused() -> None:
    source = """
def _error(key, **placeholders):
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )

def run(busy):
    raise _error("file_not_found", file="x")

def other(busy):
    key = "printer_busy" if busy else "no_such_key"
    values = {"printer": "p"}
    raise HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=values
    )

def issue(hass):
    ir.async_create_issue(hass, DOMAIN, "x", translation_key="wrong_printer",
                          translation_placeholders={"host": "h"})
"""
    strings = {
        "exceptions": {
            "file_not_found": {"message": "{path} is missing."},
            "printer_busy": {"message": "{printer} is busy."},
            "stale": {"message": "Old."},
        },
        "issues": {"wrong_printer": {"title": "At {host}", "description": "{model}"}},
    }
    assert key_use_problems(key_uses("m.py", source), strings) == [
        "m.py:13: exceptions.no_such_key is not in strings.json",
        "m.py:18: issues.wrong_printer uses ['model'], the code passes ['host']",
        "m.py:8: exceptions.file_not_found uses ['path'], the code passes ['file']",
        "exceptions.stale: in strings.json but not used by the code",
    ]


def test_flow_mismatches_are_refused() -> None:
    source = """
class Flow(ConfigFlow, domain=DOMAIN):
    async def async_step_user(self, user_input=None):
        errors = {}
        errors["base"] = "cannot_connect"
        await self.async_set_unique_id("x")
        self.context["title_placeholders"] = {"name": "n"}
        return self.async_show_form(step_id="user", errors=errors)

    async def async_step_reauth_confirm(self, user_input=None):
        if user_input is None:
            raise AbortFlow("moved")
        return self.async_update_reload_and_abort(entry)
"""
    strings = {
        "config": {
            "flow_title": "{name} at {host}",
            "step": {"user": {"description": "Printer at {url_example}"}, "gone": {}},
            "error": {"unknown": "Unknown"},
            "abort": {"already_in_progress": "Busy"},
        }
    }
    assert flow_problems(source, strings) == [
        "config_flow.py:8: config.step.user uses ['url_example'], the form passes []",
        "config.error.cannot_connect: used, not in strings.json",
        "config.abort.moved: used, not in strings.json",
        "config.abort.reauth_successful: used, not in strings.json",
        "config.step.gone: in strings.json, but the flow has no such step",
        "config.error.unknown: in strings.json but not used by the flow",
        "config.flow_title: uses ['host'], not in title_placeholders",
    ]


def test_entity_mismatches_are_refused() -> None:
    sensors = [
        EntityDescription(key="state", translation_key="state"),
        EntityDescription(key="nameless"),
    ]
    strings = {
        "entity": {"sensor": {"state": {"name": "State"}, "old": {"name": "Old"}}}
    }
    icons = {"entity": {"sensor": {"gone": {"default": "mdi:printer"}}}}
    assert entity_problems({"sensor": sensors}, {}, strings, icons) == [
        "sensor.nameless: neither a translation key nor a device class names it",
        "entity.sensor.old: in strings.json, no entity uses it",
        "icons entity.sensor.gone: no entity uses it",
    ]
    assert entity_problems({}, {"sensor": {"level_ink_cyan"}}, {"entity": {}}, {}) == [
        "entity.sensor.level_ink_cyan: used, not in strings.json"
    ]
