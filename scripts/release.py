"""Release steps the GitHub workflow runs on a ``v*`` tag (.github/workflows/release.yml).

    python scripts/release.py check v0.2.0     the tag is the manifest's version, pyproject.toml
                                               agrees and CHANGELOG.md has a dated section for it
    python scripts/release.py notes v0.2.0     print that section: the release notes
    python scripts/release.py zip hp_ews.zip   the integration as the release asset hacs.json
                                               names (zip_release): its files at the top level

The Home Assistant marketplace and HACS install the asset into custom_components/hp_ews and
show the release notes in the update entity. Standard library only.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import json
from pathlib import Path
import re
import sys
import tomllib
import zipfile

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "hp_ews"
CHANGELOG = ROOT / "CHANGELOG.md"

HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>.+))?$", re.MULTILINE)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LINK_DEFINITION = re.compile(r"^\[[^\]]+\]: ", re.MULTILINE)
SKIPPED = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every member gets this time, so the same files make the same archive."""


@dataclass(frozen=True)
class Section:
    """One version's part of the changelog."""

    version: str
    date: str | None
    """YYYY-MM-DD, or the heading's text (like "Unreleased") before the release."""
    body: str


def sections(changelog: str) -> list[Section]:
    """The version sections of a Keep a Changelog file, newest first."""
    headings = list(HEADING.finditer(changelog))
    found = []
    for index, heading in enumerate(headings):
        end = (
            headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
        )
        body = changelog[heading.end() : end]
        if link := LINK_DEFINITION.search(body):
            body = body[: link.start()]
        found.append(Section(heading["version"], heading["date"], body.strip()))
    return found


def versions(root: Path = ROOT) -> dict[str, str]:
    """The version each file states."""
    manifest = json.loads(
        (root / "custom_components" / "hp_ews" / "manifest.json").read_text()
    )
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    return {
        "manifest.json": manifest["version"],
        "pyproject.toml": pyproject["project"]["version"],
    }


def check(tag: str, found: dict[str, str], changelog: str) -> list[str]:
    """What stops ``tag`` from being released."""
    problems = []
    version = tag.removeprefix("v")
    if not tag.startswith("v"):
        problems.append(f"the tag {tag} does not start with v")
    problems += [
        f"{name} says {stated}, the tag {tag}"
        for name, stated in found.items()
        if stated != version
    ]
    section = next((s for s in sections(changelog) if s.version == version), None)
    if section is None:
        problems.append(f"CHANGELOG.md has no section for {version}")
    elif not (section.date and DATE.fullmatch(section.date)):
        problems.append(
            f"the CHANGELOG.md section for {version} is not dated (YYYY-MM-DD)"
        )
    elif not section.body:
        problems.append(f"the CHANGELOG.md section for {version} is empty")
    return problems


def notes(tag: str, changelog: str) -> str:
    """The changelog section of the tagged version."""
    version = tag.removeprefix("v")
    for section in sections(changelog):
        if section.version == version:
            return section.body + "\n"
    raise LookupError(f"CHANGELOG.md has no section for {version}")


def integration_files(integration: Path = INTEGRATION) -> list[Path]:
    """The files the integration consists of, without caches and compiled code."""
    return sorted(
        path
        for path in integration.rglob("*")
        if path.is_file()
        and not SKIPPED & set(path.relative_to(integration).parts)
        and path.suffix not in (".pyc", ".pyo")
    )


def build_zip(out: Path, integration: Path = INTEGRATION) -> list[str]:
    """Write the integration's files, relative to its folder, to ``out``; return the names."""
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in integration_files(integration):
            name = path.relative_to(integration).as_posix()
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
            names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    """Run one release step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check").add_argument("tag")
    commands.add_parser("notes").add_argument("tag")
    commands.add_parser("zip").add_argument("out", type=Path)
    args = parser.parse_args(argv)

    if args.command == "zip":
        names = build_zip(args.out)
        print(f"{args.out}: {len(names)} files")
        return 0
    changelog = CHANGELOG.read_text(encoding="utf-8")
    if args.command == "notes":
        sys.stdout.write(notes(args.tag, changelog))
        return 0
    if problems := check(args.tag, versions(), changelog):
        for problem in problems:
            print(f"release: {problem}", file=sys.stderr)
        return 1
    print(f"release: {args.tag} is ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
