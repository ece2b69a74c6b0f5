"""The client library has one front door: its package root and its ``__all__``.

The integration, the command line, the simulator, the smoke test and the
benchmarks are users of the library: they import names the root exports and
no submodule, so the library's inside can be rearranged without touching
them. Only the library's own tests (``tests/client``) reach inside, and the
benchmarks in ``INTERNAL_BENCHMARKS``, which time internals.
"""

from __future__ import annotations

import ast
from pathlib import Path
import types

from custom_components.hp_ews import client

ROOT = Path(__file__).parents[1]
PACKAGE = "custom_components.hp_ews.client"
CLIENT_DIR = ROOT / "custom_components" / "hp_ews" / "client"
INTERNAL_BENCHMARKS = {
    # Parser CPU time against aiohpprinter's: a parse, not a refresh, so the
    # ratio compares like with like (a replay would add the async path).
    "bench/parse.py",
    # Each parser and the codec fed hostile answers, this version next to an
    # older one: loads the parser modules of either layout by name.
    "bench/hostile.py",
    # Rendering limits of the converter, this version next to an older one.
    "bench/hostile_documents.py",
}
"""Benchmarks of library internals; they are the exception, every other user
(the rest of bench/ included) goes through the root."""


def user_files() -> list[Path]:
    """Every Python file of a library user."""
    files = [*(ROOT / "custom_components" / "hp_ews").glob("*.py")]
    files.append(CLIENT_DIR / "__main__.py")
    for folder in ("simulator", "smoke", "bench"):
        files.extend((ROOT / folder).rglob("*.py"))
    return sorted(
        path for path in files if str(path.relative_to(ROOT)) not in INTERNAL_BENCHMARKS
    )


def test_internal_benchmarks_exist() -> None:
    """The exceptions name real files (a renamed one would escape the rule)."""
    assert all((ROOT / name).is_file() for name in INTERNAL_BENCHMARKS)


def module_of(path: Path) -> str:
    """Dotted name of the module a file defines."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module a ``from ... import`` names, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def violations(source: str, path: Path, exported: set[str]) -> list[str]:
    """Imports in ``source`` (the file at ``path``) past the root's ``__all__``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith(PACKAGE + ".")
            )
        elif isinstance(node, ast.ImportFrom):
            module = absolute(node, path)
            if module.startswith(PACKAGE + "."):
                found.append(f"{node.lineno}: from {module} import ...")
            elif module == PACKAGE:
                found.extend(
                    f"{node.lineno}: from {module} import {alias.name}"
                    for alias in node.names
                    if alias.name not in exported
                )
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.startswith(PACKAGE + ".")
        ):
            found.append(f"{node.lineno}: {node.args[0].value!r}")
    return found


def test_users_import_only_the_root() -> None:
    exported = set(client.__all__)
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in user_files()
        if (found := violations(path.read_text(encoding="utf-8"), path, exported))
    }
    assert offenders == {}


def test_scanner_finds_submodule_imports() -> None:
    """The scanner sees every way of reaching past the root."""
    path = ROOT / "custom_components" / "hp_ews" / "example.py"
    source = (
        "import custom_components.hp_ews.client\n"
        "import custom_components.hp_ews.client.models\n"
        "from custom_components.hp_ews.client.models import PrinterSnapshot\n"
        "from custom_components.hp_ews.client import models, HPPrinter\n"
        "from .client.printer import HPPrinter\n"
        "from .client import HPPrinter\n"
        "from . import client\n"
        "importlib.import_module('custom_components.hp_ews.client.ledm')\n"
    )
    assert violations(source, path, set(client.__all__)) == [
        "2: import custom_components.hp_ews.client.models",
        "3: from custom_components.hp_ews.client.models import ...",
        "4: from custom_components.hp_ews.client import models",
        "5: from custom_components.hp_ews.client.printer import ...",
        "8: 'custom_components.hp_ews.client.ledm'",
    ]


def test_the_cli_counts_as_a_user() -> None:
    """``from . import X`` in the CLI is the root; ``from .printer`` is not."""
    main = CLIENT_DIR / "__main__.py"
    exported = set(client.__all__)
    assert violations("from . import HPPrinter\n", main, exported) == []
    assert violations("from .printer import HPPrinter\n", main, exported) == [
        "1: from custom_components.hp_ews.client.printer import ..."
    ]


def test_every_exported_name_exists_once() -> None:
    """``__all__`` is sorted, names only what the root defines, and no alias."""
    names = client.__all__
    assert len(names) == len(set(names))
    missing = [name for name in names if not hasattr(client, name)]
    assert missing == []
    objects: dict[int, str] = {}
    aliases: list[tuple[str, str]] = []
    for name in names:
        value = getattr(client, name)
        if isinstance(value, types.ModuleType):
            aliases.append((name, "a module"))
            continue
        if isinstance(value, (str, int, float, bytes, tuple, frozenset)):
            # Constants may share a value by chance (small ints are cached).
            continue
        if id(value) in objects:
            aliases.append((name, objects[id(value)]))
        objects[id(value)] = name
        own_name = getattr(value, "__name__", name)
        if isinstance(value, type | types.FunctionType) and own_name != name:
            aliases.append((name, own_name))
    assert aliases == []


def test_public_names_are_all_exported() -> None:
    """Nothing public is defined at the root without being in ``__all__``."""
    public = {
        name
        for name, value in vars(client).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public - set(client.__all__) == set()
