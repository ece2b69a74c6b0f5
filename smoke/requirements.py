"""The Python packages Home Assistant would install when the smoke test starts it.

Home Assistant installs the requirements of the integrations it sets up when
they are first loaded. ``scripts/setup`` installs them ahead of time instead
(``python -m smoke.requirements --install``), so that the smoke test measures
Home Assistant and not the package index, and a cold run does not depend on
Home Assistant's own installer. Anything missed here is still installed by
Home Assistant at runtime.

The list is read from the installed Home Assistant: its default integrations,
the ones the smoke test's configuration names, this integration, and all their
dependencies, each with the requirements in its ``manifest.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import subprocess
import sys
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
INTEGRATION: Final = REPO / "custom_components" / "hp_ews"
CONFIGURED: Final = ("homeassistant", "logger")
"""Integrations the smoke test's configuration.yaml names."""
SKIP_PIP_PACKAGES: Final = ("pymicro-vad", "pyspeex-noise")
"""Voice packages without a Python 3.14 wheel (they need a C++ compiler).

The smoke test passes them to ``hass --skip-pip-packages`` and puts import-only
stand-ins (``smoke/stubs``) on the process's path instead.
"""


def _package_name(requirement: str) -> str:
    """``pkg[extra]==1.0`` -> ``pkg`` (lower case, ``_`` as ``-``)."""
    name = requirement
    for separator in ("[", "=", "<", ">", "!", "~", ";", " ", "@"):
        name = name.split(separator, 1)[0]
    return name.strip().lower().replace("_", "-")


def default_requirements() -> list[str]:
    """Requirements of everything the smoke test's Home Assistant sets up."""
    import homeassistant
    from homeassistant import bootstrap

    components = Path(homeassistant.__file__).parent / "components"
    manifests: dict[str, dict[str, object]] = {}

    def manifest(domain: str) -> dict[str, object]:
        if domain not in manifests:
            path = (
                INTEGRATION / "manifest.json"
                if domain == "hp_ews"
                else components / domain / "manifest.json"
            )
            manifests[domain] = (
                json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            )
        return manifests[domain]

    pending = {
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        *CONFIGURED,
        "hp_ews",
    }
    seen: set[str] = set()
    while pending:
        domain = pending.pop()
        seen.add(domain)
        # after_dependencies only order the setup of what is loaded anyway.
        value = manifest(domain).get("dependencies", [])
        assert isinstance(value, list)
        pending.update(str(dep) for dep in value if dep not in seen)
    requirements: set[str] = set()
    for domain in seen:
        value = manifest(domain).get("requirements", [])
        assert isinstance(value, list)
        requirements.update(str(req) for req in value)
    return sorted(
        req for req in requirements if _package_name(req) not in SKIP_PIP_PACKAGES
    )


def main(argv: list[str] | None = None) -> int:
    """Print the requirements, or install them with Home Assistant's constraints."""
    parser = argparse.ArgumentParser(prog="python -m smoke.requirements")
    parser.add_argument(
        "--install", action="store_true", help="pip install them into this Python"
    )
    args = parser.parse_args(argv)
    requirements = default_requirements()
    if not args.install:
        print("\n".join(requirements))
        return 0
    import homeassistant

    constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
    command = [sys.executable, "-m", "pip", "install", "-q"]
    if constraints.is_file():
        command += ["--constraint", str(constraints)]
    # Fixed arguments: this Python's pip and requirements from manifests.
    return subprocess.run([*command, *requirements], check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
