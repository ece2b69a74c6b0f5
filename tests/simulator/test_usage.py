"""Usage over simulated days: POST /_sim/usage and SimulatedPrinter.run_usage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from custom_components.hp_ews.client import HPPrinter
from simulator.state import StateError

from .test_replay import make_capture

if TYPE_CHECKING:
    from pathlib import Path

    import aiohttp

    from simulator.testing import PrinterFactory


async def _usage(
    http: aiohttp.ClientSession, url: str, body: Any, status: int = 200
) -> Any:
    async with http.post(url + "/_sim/usage", json=body) as resp:
        assert resp.status == status, await resp.text()
        return await resp.json()


async def test_office_week(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """A week at 50 pages a day, office style: 70 on each weekday, none at the weekend.

    350 monochrome pages at 0.05 % each use 17.5 % of the black toner only;
    the printer's own documents show it.
    """
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    sim.set_state(supplies={"K": 100}, percent_per_page=0.05)
    before = dict(sim.state.counters)
    answer = await _usage(
        http, sim.url, {"days": 7, "pages_per_day": 50, "pattern": "office"}
    )
    assert answer["day"] == 7
    assert answer["weekday"] == 0
    assert answer["pages"] == 350
    assert answer["levels"]["toner_k"] == pytest.approx(82.5)
    assert answer["levels"]["toner_c"] == 30  # captured, untouched by mono pages
    assert answer["counters"]["total_pages"] == before["total_pages"] + 350
    assert answer["counters"]["monochrome_pages"] == before["monochrome_pages"] + 350
    snapshot = await HPPrinter.from_url(sim.url, http).snapshot()
    black = next(s for s in snapshot.supplies if s.color == "K")
    assert black.level_percent in (82, 83)
    assert snapshot.counters.total_pages == before["total_pages"] + 350

    # Monday to Wednesday at home: the week's 350 pages come on Wednesdays
    # and Saturdays, 175 each; this run holds one Wednesday.
    answer = sim.run_usage(days=3, pages_per_day=50, pattern="home")
    assert answer["pages"] == 175
    assert answer["weekday"] == 3


async def test_color_share_and_carry(simulated_printer: PrinterFactory) -> None:
    """Color pages use every colour; fractions of pages carry to the next day."""
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    sim.set_state(
        supplies={"K": 100, "C": 100, "M": 100, "Y": 100}, percent_per_page=0.1
    )
    before = dict(sim.state.counters)
    # 1 page a day, office: 1.4 per weekday -> 1, 1, 2, 1, 2 (7 in the week).
    answer = sim.run_usage(days=7, pages_per_day=1, pattern="office")
    assert answer["pages"] == 7
    # 10 a day every day, half in color: 5 color pages a day for 4 days
    # (yellow is out: nothing to use up).
    sim.set_state(missing_supplies=["Y"])
    answer = sim.run_usage(days=4, pages_per_day=10, pattern="daily", color_share=0.5)
    assert answer["levels"]["toner_y"] == 100
    assert answer["pages"] == 40
    assert answer["counters"]["color_pages"] == before["color_pages"] + 20
    assert answer["levels"]["toner_c"] == pytest.approx(100 - 20 * 0.1)
    assert answer["levels"]["toner_k"] == pytest.approx(100 - 47 * 0.1)
    # Nothing printed: nothing changes but the calendar.
    answer = sim.run_usage(days=2, pages_per_day=0)
    assert answer["pages"] == 0
    assert answer["day"] == 13
    await sim.reset()
    assert sim.run_usage(days=1, pages_per_day=0)["day"] == 1


async def test_replace_and_refill(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """A new cartridge is 100 % (and installed); a refill takes a level."""
    sim = await simulated_printer("smart-tank-580")
    sim.set_state(missing_supplies=["K"])
    answer = await _usage(http, sim.url, {"replace": "K"})
    assert answer["pages"] == 0
    key = sim.profile.supply_for_color("K").key  # type: ignore[union-attr]
    assert answer["levels"][key] == 100
    assert sim.state.missing == set()
    answer = await _usage(http, sim.url, {"refill": "C", "level": 85})
    assert answer["levels"][sim.profile.supply_for_color("C").key] == 85  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"bogus": 1},
        {"days": 0, "pages_per_day": 1},
        {"days": True, "pages_per_day": 1},
        {"days": 1, "pages_per_day": -1},
        {"days": 1, "pages_per_day": "many"},
        {"days": 1, "pages_per_day": 1, "pattern": "weekly"},
        {"days": 1, "pages_per_day": 1, "color_share": 2},
        {"replace": "Z"},
        {"replace": "K", "level": 101},
        {"replace": "K", "level": "full"},
        {"replace": "K", "when": "now"},
    ],
)
async def test_bad_requests(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, body: Any
) -> None:
    """Refused with 400 and the reason; nothing changes."""
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    before = sim.state.to_json()
    answer = await _usage(http, sim.url, body, status=400)
    assert "error" in answer
    assert sim.state.to_json() == before
    assert sim.usage.day == 0


async def test_replay_has_no_usage(
    simulated_printer: PrinterFactory, tmp_path: Path
) -> None:
    """A replayed capture has no state to use up."""
    make_capture(tmp_path)
    sim = await simulated_printer(replay=tmp_path)
    with pytest.raises(StateError, match="replayed"):
        sim.run_usage(days=1, pages_per_day=1)
