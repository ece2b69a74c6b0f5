"""The simulator imports the client library without the integration (or Home Assistant)."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
from typing import TYPE_CHECKING

from simulator import _standalone

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).parents[2]

ALONE = """
import sys
import simulator.server
from custom_components.hp_ews import client
print(sorted(m for m in sys.modules if m.split(".")[0] == "homeassistant"))
print(client.IppStatusCode is simulator.server.IppStatusCode)
print(sys.modules["custom_components.hp_ews"].__doc__)
"""


def test_a_simulator_process_loads_no_home_assistant() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ALONE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == [
        "[]",
        "True",
        "Stand-in: the simulator needs no integration.",
    ]


def test_stand_ins_only_where_nothing_is_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = sys.modules["custom_components"]
    monkeypatch.delitem(sys.modules, "custom_components.hp_ews")
    _standalone.register_parents()
    stand_in = sys.modules["custom_components.hp_ews"]
    assert stand_in.__path__ == [str(ROOT / "custom_components" / "hp_ews")]
    assert sys.modules["custom_components"] is real
