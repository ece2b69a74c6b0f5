"""The budget the tests hold readers to is the one docs/refresh.md states."""

from __future__ import annotations

from pathlib import Path

from custom_components.hp_ews.client.models import PrinterProtocol

from .budget import BUDGET, PROBE

DOC = Path(__file__).parents[2] / "docs" / "refresh.md"
COLUMNS = (PrinterProtocol.LEDM, PrinterProtocol.CDM, PrinterProtocol.IPP)
ROWS = {
    "Full read": "full",
    "Refresh, nothing changed": "refresh",
    "Refresh, the status value changed": "status_changed",
    "Refresh, the printer signals a change": "changed",
}


def table_rows(text: str) -> dict[str, list[str]]:
    """First cell to the other cells, for every Markdown table row."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first, *cells = (cell.strip() for cell in line.strip("|").split("|"))
            rows[first] = cells
    return rows


def test_budget_mirrors_the_documented_table() -> None:
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    for title, kind in ROWS.items():
        documented = [int(cell) for cell in rows[title]]
        assert documented == [getattr(BUDGET[family], kind) for family in COLUMNS], (
            title
        )


def test_probe_budget_is_the_documented_maximum() -> None:
    # "2 web + 1-2 IPP", "1 web + 1-2 IPP", "2-4": the largest numbers added up.
    cells = table_rows(DOC.read_text(encoding="utf-8"))["`probe()`"]
    for family, cell in zip(COLUMNS, cells, strict=True):
        highest = sum(int(part.split("-")[-1].split()[0]) for part in cell.split("+"))
        assert highest == PROBE[family], cell
