"""Releases: versions agree, CHANGELOG.md, hacs.json, the release asset and the workflows.

The Home Assistant marketplace (HACS in core since 2026.11) and HACS install the newest
release's hp_ews.zip (hacs.json: zip_release, filename), refuse Home Assistant releases older
than hacs.json's ``homeassistant``, and show the release notes, which the release workflow takes
from CHANGELOG.md (scripts/release.py).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import re
import shutil
import sys
import tomllib
from typing import TYPE_CHECKING, Any
import zipfile

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as running_version
import pytest
import yaml

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "hp_ews"
WORKFLOWS = ROOT / ".github" / "workflows"
OLDEST_SUPPORTED = "2025.4.0"
"""The oldest Home Assistant release the project supports and tests (README, scripts/setup)."""
HACS_KEYS = {
    "name": str,
    "content_in_root": bool,
    "filename": str,
    "country": (str, list),
    "hacs": str,
    "hide_default_branch": bool,
    "homeassistant": str,
    "persistent_directory": str,
    "zip_release": bool,
}
"""hacs.json's keys (HACS 2; render_readme is gone) and their types."""
SEMVER = re.compile(r"\d+\.\d+\.\d+")
CHANGE_KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _load_release() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "hp_ews_release", ROOT / "scripts" / "release.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up while the class is made
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


release = _load_release()


def _manifest() -> dict[str, Any]:
    return json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))


def _changelog() -> str:
    return (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def _workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_versions_agree() -> None:
    """manifest.json, pyproject.toml and the newest CHANGELOG.md section."""
    version = _manifest()["version"]
    assert SEMVER.fullmatch(version)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == version
    assert release.versions() == {"manifest.json": version, "pyproject.toml": version}
    assert release.sections(_changelog())[0].version == version


def test_changelog_sections() -> None:
    """Newest first, dated (only the newest may still be Unreleased), Keep a Changelog kinds."""
    changelog = _changelog()
    sections = release.sections(changelog)
    assert len(sections) >= 2
    assert [section.version for section in sections] == sorted(
        (section.version for section in sections), key=AwesomeVersion, reverse=True
    )
    for index, section in enumerate(sections):
        assert SEMVER.fullmatch(section.version), section.version
        assert section.date is not None
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", section.date) or (
            index == 0 and section.date == "Unreleased"
        ), section
        kinds = re.findall(r"^### (.+)$", section.body, re.MULTILINE)
        assert kinds
        assert set(kinds) <= CHANGE_KINDS, section.version
        assert f"\n[{section.version}]: https://github.com/" in changelog
    # The first release's notes: its own section, without the links at the end.
    first = release.notes("v0.1.0", changelog)
    assert first.startswith("### Added\n")
    assert "## [" not in first
    assert "]: https://" not in first


def test_hacs_json() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert set(hacs) <= set(HACS_KEYS)
    for key, value in hacs.items():
        assert isinstance(value, HACS_KEYS[key]), key
    assert hacs["name"] == _manifest()["name"]
    # The marketplace refuses to install on older releases than this.
    assert hacs["homeassistant"] == OLDEST_SUPPORTED
    assert AwesomeVersion(running_version) >= AwesomeVersion(hacs["homeassistant"])
    # It downloads the release asset instead of the repository's source archive.
    assert hacs["zip_release"] is True
    assert hacs["filename"] == "hp_ews.zip"
    assert "content_in_root" not in hacs


def test_release_check() -> None:
    changelog = (
        "# Changelog\n\n## [1.1.0] - Unreleased\n\n### Fixed\n- x\n\n"
        "## [1.0.0] - 2026-11-26\n\n### Added\n- y\n\n"
        "[1.1.0]: https://github.com/a/b/compare/v1.0.0...v1.1.0\n"
    )
    agreed = {"manifest.json": "1.0.0", "pyproject.toml": "1.0.0"}
    assert release.check("v1.0.0", agreed, changelog) == []
    assert release.notes("v1.0.0", changelog) == "### Added\n- y\n"
    assert release.check("1.0.0", agreed, changelog) == [
        "the tag 1.0.0 does not start with v"
    ]
    assert release.check("v1.1.0", agreed, changelog) == [
        "manifest.json says 1.0.0, the tag v1.1.0",
        "pyproject.toml says 1.0.0, the tag v1.1.0",
        "the CHANGELOG.md section for 1.1.0 is not dated (YYYY-MM-DD)",
    ]
    assert release.check("v2.0.0", {"manifest.json": "2.0.0"}, changelog) == [
        "CHANGELOG.md has no section for 2.0.0"
    ]
    with pytest.raises(LookupError):
        release.notes("v2.0.0", changelog)
    # The real files agree with the tag of their version (the date comes at release).
    version = _manifest()["version"]
    problems = release.check(f"v{version}", release.versions(), _changelog())
    assert problems in (
        [],
        [f"the CHANGELOG.md section for {version} is not dated (YYYY-MM-DD)"],
    )


def test_release_zip(tmp_path: Path) -> None:
    """The asset holds the integration's files at its top level, and nothing else."""
    # A copy: the same files for both builds even while the tree is being edited.
    integration = tmp_path / "hp_ews"
    shutil.copytree(
        INTEGRATION, integration, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    names = release.build_zip(tmp_path / "a.zip", integration)
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.namelist() == names
        assert (
            archive.read("manifest.json")
            == (integration / "manifest.json").read_bytes()
        )
        assert json.loads(archive.read("manifest.json"))["domain"] == "hp_ews"
        assert (
            archive.read("translations/en.json")
            == (integration / "translations" / "en.json").read_bytes()
        )
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
    expected = {
        path.relative_to(integration).as_posix()
        for path in integration.rglob("*")
        if path.is_file()
    }
    assert set(names) == expected
    assert {
        "manifest.json",
        "brand/icon.png",
        "client/py.typed",
        "services.yaml",
    } <= set(names)
    # Built again, byte for byte the same.
    release.build_zip(tmp_path / "b.zip", integration)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_release_zip_leaves_out_caches(tmp_path: Path) -> None:
    integration = tmp_path / "hp_ews"
    (integration / "__pycache__").mkdir(parents=True)
    (integration / "client" / "__pycache__").mkdir(parents=True)
    (integration / "manifest.json").write_text("{}")
    (integration / "client" / "x.py").write_text("")
    (integration / "client" / "__pycache__" / "x.cpython-313.pyc").write_bytes(b"")
    (integration / "__pycache__" / "y.pyc").write_bytes(b"")
    (integration / "stray.pyc").write_bytes(b"")
    names = release.build_zip(tmp_path / "out.zip", integration)
    assert names == ["client/x.py", "manifest.json"]


def test_release_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert release.main(["notes", "v0.1.0"]) == 0
    assert capsys.readouterr().out == release.notes("v0.1.0", _changelog())
    assert release.main(["check", "v0.0.1"]) == 1
    assert "manifest.json says" in capsys.readouterr().err
    assert release.main(["zip", str(tmp_path / "hp_ews.zip")]) == 0
    assert (tmp_path / "hp_ews.zip").is_file()


def test_release_workflow() -> None:
    """A v* tag: check, build the file hacs.json names, release it with the notes."""
    workflow = _workflow("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}
    runs = "\n".join(step.get("run", "") for step in _steps(workflow))
    filename = json.loads((ROOT / "hacs.json").read_text())["filename"]
    assert 'python scripts/release.py check "$GITHUB_REF_NAME"' in runs
    assert f"python scripts/release.py zip {filename}" in runs
    assert (
        'python scripts/release.py notes "$GITHUB_REF_NAME" > release-notes.md' in runs
    )
    assert f'gh release create "$GITHUB_REF_NAME" {filename} --verify-tag' in runs
    assert "--notes-file release-notes.md" in runs


def test_validation_and_test_workflows() -> None:
    validate = _workflow("validate.yml")
    uses = {step.get("uses"): step.get("with", {}) for step in _steps(validate)}
    assert "home-assistant/actions/hassfest@master" in uses
    assert uses["hacs/action@main"] == {"category": "integration"}
    tests = _workflow("tests.yml")
    assert tests["jobs"]["test"]["runs-on"] == "ubuntu-latest"
    assert tests["jobs"]["test"]["steps"][-1] == {"run": "scripts/test"}
    for workflow in (validate, tests):
        assert {"push", "pull_request"} <= set(workflow["on"])
        assert workflow["permissions"] == {"contents": "read"}
