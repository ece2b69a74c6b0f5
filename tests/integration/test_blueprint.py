"""The low-supply blueprint, driven by a simulated printer that prints."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.hp_ews.client import HPPrinter
from custom_components.hp_ews.const import FULL_REFRESH_EVERY, SCAN_INTERVAL

from .test_forecast import RUNS_OUT, _day, _read_all

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator

    from simulator import SimulatedPrinter

BLUEPRINT = (
    Path(__file__).parents[2]
    / "blueprints"
    / "automation"
    / "hp_ews"
    / "low_supply.yaml"
)
BLACK = "sensor.hp_color_laserjet_pro_m255dw_black_toner"
CYAN = "sensor.hp_color_laserjet_pro_m255dw_cyan_toner"


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration directory holding the shipped blueprint."""
    target = tmp_path / "blueprints" / "automation" / "hp_ews" / BLUEPRINT.name
    target.parent.mkdir(parents=True)
    shutil.copy(BLUEPRINT, target)
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def _notifications(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[dict[str, str]]:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    response = await client.receive_json()
    assert response["success"]
    return [{"title": n["title"], "message": n["message"]} for n in response["result"]]


@pytest.mark.usefixtures("socket_enabled", "config_dir")
@pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)
async def test_low_toner_notification(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
    tmp_path: Path,
) -> None:
    """Printing drains the black toner below 15 %: one notification, for it."""
    sim, _ = simulated_entry
    assert hass.states.get(BLACK).state == "20"
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "hp_ews/low_supply.yaml",
                    "input": {"supplies": [BLACK, CYAN]},
                }
            }
        },
    )

    # Four pages at 2 % each: black 20 -> 12 %, cyan 30 -> 22 %.
    sim.set_state(percent_per_page=2.0)
    document = tmp_path / "four-pages.txt"
    document.write_text("one\ftwo\fthree\ffour\n", encoding="utf-8")
    # Someone else prints: straight to the printer, not through Home Assistant.
    async with aiohttp.ClientSession() as session:
        printer = HPPrinter.from_url(sim.url, session)
        result = await printer.print_document(str(document), wait=True)
    assert result.pages == 4
    assert await _notifications(hass, hass_ws_client) == []

    # Levels are re-read on the slower cadence: within one full cycle.
    for _ in range(FULL_REFRESH_EVERY):
        interval = SCAN_INTERVAL + timedelta(seconds=1)
        async_fire_time_changed(hass, dt_util.utcnow() + interval)
        await hass.async_block_till_done(wait_background_tasks=True)
        if hass.states.get(BLACK).state != "20":
            break
    assert hass.states.get(BLACK).state == "12"
    assert hass.states.get(CYAN).state == "22"
    await hass.async_block_till_done()

    assert await _notifications(hass, hass_ws_client) == [
        {
            "title": "Printer supply low",
            "message": "HP Color LaserJet Pro M255dw Black toner is at 12 % "
            "(below 15 %).",
        }
    ]
    await _automations_off(hass)


async def _automations_off(hass: HomeAssistant) -> None:
    """Stop the automations (their hourly check would outlive the test)."""
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )


@pytest.mark.usefixtures("socket_enabled", "config_dir")
@pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)
async def test_days_before_empty(
    hass: HomeAssistant,
    simulated_entry: tuple[SimulatedPrinter, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The forecast comes within the lead time: told once, with the part.

    A new black toner falls 6 % and the counter rises 120 pages a day. After
    three days the forecast is known; the lead time is set to the whole days
    left, so the date comes within it during the next day, while printing
    goes on hour by hour. The hourly check or the forecast's own change
    (whichever comes first) tells it, once.
    """
    sim, _ = simulated_entry
    start = dt_util.utcnow()
    sim.set_state(supplies={"K": 100}, counters={"total_pages": 1000})
    await _read_all(hass, freezer)
    for day in (1, 2, 3):
        await _day(
            hass,
            freezer,
            sim,
            supplies={"K": 100 - 6 * day},
            counters={"total_pages": 1000 + 120 * day},
        )
    runs_out = dt_util.parse_datetime(hass.states.get(RUNS_OUT).state)
    assert runs_out is not None
    lead = int((runs_out - dt_util.utcnow()).total_seconds() // 86400)
    assert lead >= 5
    part_number = hass.states.get(RUNS_OUT).attributes["part_number"]
    assert part_number

    told = async_capture_events(hass, "supply_due")
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "hp_ews/low_supply.yaml",
                    "input": {
                        "forecasts": [RUNS_OUT],
                        "lead_time": lead,
                        "actions": [
                            {
                                "event": "supply_due",
                                "event_data": {"message": "{{ message }}"},
                            }
                        ],
                    },
                }
            }
        },
    )
    # Two days hour by hour, printing on (5 pages and 0.25 % an hour); a
    # refresh every six minutes reads the supplies every hour.
    for hour in range(1, 49):
        day = 3 + hour / 24
        sim.set_state(
            supplies={"K": 100 - 6 * day},
            counters={"total_pages": 1000 + round(120 * day)},
        )
        for _ in range(FULL_REFRESH_EVERY):
            freezer.tick(timedelta(minutes=6))
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
    assert len(told) == 1
    message = told[0].data["message"]
    prefix = "HP Color LaserJet Pro M255dw Black toner runs out "
    assert message.startswith(prefix)
    assert message.endswith(f" days, within {lead}; order {part_number}.")
    days = float(message.split(": in ")[1].split(" days")[0])
    assert lead - 1 < days <= lead
    assert start < told[0].time_fired < start + timedelta(days=5)
    await _automations_off(hass)
