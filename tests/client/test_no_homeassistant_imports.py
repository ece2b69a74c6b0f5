"""The client library must not import Home Assistant (it could ship on its own)."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

CLIENT = Path(__file__).parents[2] / "custom_components" / "hp_ews" / "client"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            # "from .. import x" would reach the integration package.
            names.add("." * node.level + (node.module or ""))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_every_client_module_is_scanned() -> None:
    modules = sorted(str(p.relative_to(CLIENT)) for p in CLIENT.rglob("*.py"))
    for expected in (
        "transport.py",
        "probe.py",
        "printer.py",
        "capture.py",
        "ipp/codec.py",
        "__main__.py",
        "__init__.py",
    ):
        assert expected in modules


def test_no_homeassistant_imports() -> None:
    offenders = {
        str(path.relative_to(CLIENT)): sorted(
            name
            for name in imported_modules(path)
            if name.split(".")[0] == "homeassistant"
            or name.startswith("..")
            or (
                name.startswith("custom_components.hp_ews.")
                and not name.startswith("custom_components.hp_ews.client")
            )
        )
        for path in sorted(CLIENT.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_scanner_finds_offenders(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import homeassistant.core\n"
        "from homeassistant.const import X\n"
        "from .. import const\n"
        "importlib.import_module('homeassistant.helpers')\n"
    )
    assert imported_modules(bad) == {
        "homeassistant.core",
        "homeassistant.const",
        "..",
        "homeassistant.helpers",
    }


IMPORT_ALONE = """
import importlib, pkgutil, sys, types
# Stand-in parent packages: the integration's own __init__ (which does import
# Home Assistant) is not run, as when the library is used on its own.
for name, path in (("custom_components", "custom_components"),
                   ("custom_components.hp_ews", "custom_components/hp_ews")):
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module
import custom_components.hp_ews.client as client
for info in pkgutil.walk_packages(client.__path__, client.__name__ + "."):
    importlib.import_module(info.name)
print(sorted(m for m in sys.modules if m.split(".")[0] == "homeassistant"))
"""


def test_importing_the_client_alone_loads_no_homeassistant() -> None:
    code = IMPORT_ALONE
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=CLIENT.parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"
