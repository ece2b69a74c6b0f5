"""WalkupManager's decisions, with a scripted event channel and a mocked printer.

The simulator tests (test_walkup.py) show the whole path; these pin the
branches a simulator does not reach on demand: credentials refused, walk-up
missing or full, a panel that never says Start, a failed scan, a scan folder
outside the allowlist, removal that cannot reach the printer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.helpers.translation import async_load_integrations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hp_ews.client import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSScanError,
    HPEWSUnsupportedError,
    HPEWSWalkupFullError,
    PrinterEvent,
    PrinterEventKind,
    ScanErrorReason,
    ScanFormat,
    ScanOptions,
    ScanResult,
    ScanSource,
    WalkupDestination,
    WalkupEventType,
    WalkupScan,
)
from custom_components.hp_ews.const import CONF_WALKUP_ENABLED, DOMAIN
from custom_components.hp_ews.walkup import (
    DATA_REGISTERED,
    OUTCOME_COMPLETED,
    OUTCOME_FAILED,
    SCANNER_PUSH_INTERVAL,
    WalkupManager,
    WalkupOutcome,
    async_remove_destination,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from homeassistant.core import HomeAssistant

pytestmark = pytest.mark.usefixtures("event_channel")

NAME = "Casa Ana"
OURS = WalkupDestination("/WalkupScanToComp/WalkupScanToCompDestinations/1", NAME, NAME)
SCAN_EVENT = PrinterEvent(
    PrinterEventKind.SCAN,
    "ScanEvent",
    OURS.resource,
    (OURS.resource, "/WalkupScanToComp/WalkupScanToCompEvent"),
    "1-5",
)


@dataclass
class Channel:
    """Answers ``wait()`` from a script, then waits for ever."""

    script: list[tuple[PrinterEvent, ...] | Exception]
    calls: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self) -> tuple[PrinterEvent, ...]:
        self.calls += 1
        if not self.script:
            self.idle.set()
            await asyncio.Event().wait()
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@dataclass
class Setup:
    manager: WalkupManager
    printer: MagicMock
    coordinator: MagicMock
    scanner: MagicMock
    channel: Channel
    entry: MockConfigEntry


@pytest.fixture
def location(hass: HomeAssistant, tmp_path: Path) -> Path:
    hass.config.location_name = NAME
    media = tmp_path / "media"
    hass.config.media_dirs = {"local": str(media)}
    hass.config.allowlist_external_dirs = {str(media)}
    return media


@pytest.fixture
def make(hass: HomeAssistant, location: Path) -> Callable[..., Setup]:
    def factory(
        script: list[tuple[PrinterEvent, ...] | Exception],
        options: dict[str, Any] | None = None,
    ) -> Setup:
        entry = MockConfigEntry(domain=DOMAIN, title="OfficeJet", options=options or {})
        entry.add_to_hass(hass)
        channel = Channel(script)
        printer = MagicMock()
        printer.event_channel.return_value = channel
        printer.register_walkup = AsyncMock(return_value=(OURS, True))
        printer.unregister_walkup = AsyncMock(return_value=1)
        printer.walkup_event = AsyncMock(return_value=WalkupEventType.SCAN_REQUESTED)
        printer.walkup_scan = AsyncMock()
        coordinator = MagicMock()
        coordinator.printer = printer
        coordinator.update_interval = timedelta(seconds=60)
        coordinator.async_push_refresh = AsyncMock()
        scanner = MagicMock()
        scanner.update_interval = timedelta(seconds=60)
        scanner.async_request_refresh = AsyncMock()
        entry.runtime_data = SimpleNamespace(scanner=scanner)
        manager = WalkupManager(hass, entry, coordinator)  # type: ignore[arg-type]
        return Setup(manager, printer, coordinator, scanner, channel, entry)

    return factory


async def _idle(setup: Setup) -> None:
    setup.manager.async_start()
    await asyncio.wait_for(setup.channel.idle.wait(), 5)


async def test_events_refresh_and_register(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    supply = PrinterEvent(PrinterEventKind.SUPPLIES, "ConsumableEvent")
    job = PrinterEvent(PrinterEventKind.OTHER, "JobEvent")
    setup = make([(), (supply,), (job,)])
    await _idle(setup)
    assert setup.manager.push_active
    setup.coordinator.async_set_push.assert_called_once_with(True, refresh=False)
    setup.coordinator.async_push_refresh.assert_awaited_once_with(full=True)
    setup.scanner.async_request_refresh.assert_awaited_once()
    setup.printer.register_walkup.assert_awaited_once_with(NAME)
    assert setup.manager.destination == OURS
    assert setup.manager.walkup_available


async def test_printer_without_a_scanner_is_not_asked(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    setup = make([(), (PrinterEvent(PrinterEventKind.OTHER, "JobEvent"),)])
    setup.scanner.update_interval = None
    await _idle(setup)
    setup.scanner.async_request_refresh.assert_not_awaited()


async def test_refused_credentials_wait_and_retry(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    setup = make([HPEWSAuthenticationError("401"), ()])
    with patch("custom_components.hp_ews.walkup.AUTH_RETRY", 0.01):
        await _idle(setup)
    assert setup.channel.calls == 3
    assert setup.manager.push_active


async def test_channel_failure_and_recovery(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    """Down: polling again, read now; back: the registration is checked."""
    setup = make([(), HPEWSConnectionError("gone"), ()])
    await _idle(setup)
    assert setup.coordinator.async_set_push.call_args_list == [
        ((True,), {"refresh": False}),
        ((False,), {"refresh": True}),
        ((True,), {"refresh": True}),
    ]
    assert setup.printer.register_walkup.await_count == 2
    # The scanner is read every 10 minutes while job events announce changes.
    assert setup.scanner.update_interval == SCANNER_PUSH_INTERVAL


async def test_scanner_back_to_the_printer_interval(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    setup = make([(), HPEWSConnectionError("gone")])
    await _idle(setup)
    assert setup.scanner.update_interval == setup.coordinator.update_interval


async def test_no_channel(hass: HomeAssistant, make: Callable[..., Setup]) -> None:
    setup = make([])
    setup.printer.event_channel.return_value = None
    setup.manager.async_start()
    task = setup.manager._task
    assert task is not None
    await task
    assert not setup.manager.push_active
    # No event table, no panel scans: the options do not offer walk-up.
    assert setup.manager.walkup_available is False


@pytest.mark.parametrize("removal", [None, HPEWSConnectionError("gone")])
async def test_channel_given_up_withdraws_the_destination(
    hass: HomeAssistant, make: Callable[..., Setup], removal: Exception | None
) -> None:
    """A printer that stops holding the long poll: ours leaves its panel."""
    setup = make([(), HPEWSUnsupportedError("answers at once")])
    setup.printer.unregister_walkup.side_effect = removal
    setup.manager.async_start()
    task = setup.manager._task
    assert task is not None
    await task
    setup.printer.register_walkup.assert_awaited_once_with(NAME)
    setup.printer.unregister_walkup.assert_awaited_once_with(NAME)
    assert setup.manager.destination is None
    assert setup.manager.walkup_available is False
    assert not setup.manager.push_active


async def test_stop_cancels_the_long_poll(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    setup = make([()])
    await _idle(setup)
    task = setup.manager._task
    assert task is not None
    setup.manager.async_start()  # already running: nothing new
    assert setup.manager._task is task
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert task.cancelled()
    assert not setup.manager.push_active
    # What was registered is left for async_remove_entry.
    assert hass.data[DATA_REGISTERED][setup.entry.entry_id][1] == NAME


async def test_walkup_missing_or_full(
    hass: HomeAssistant,
    make: Callable[..., Setup],
    caplog: pytest.LogCaptureFixture,
) -> None:
    setup = make([(), (PrinterEvent(PrinterEventKind.OTHER, "PowerUpEvent"),)])
    setup.printer.register_walkup.side_effect = HPEWSUnsupportedError("none")
    await _idle(setup)
    assert setup.manager.walkup_available is False
    # After the power cycle it is not asked again.
    setup.printer.register_walkup.assert_awaited_once()

    full = make([()])
    full.printer.register_walkup.side_effect = HPEWSWalkupFullError("limit is 15")
    with caplog.at_level(logging.WARNING):
        await _idle(full)
    assert "cannot offer Home Assistant for scanning: limit is 15" in caplog.text
    assert full.manager.destination is None


async def test_full_list_and_long_names_are_not_retried_every_round(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    """Each long-poll round compares the options with what was last synced."""
    hass.config.location_name = "A very long Home Assistant location name indeed"
    setup = make([(), (), (), ()])
    setup.printer.register_walkup.side_effect = HPEWSWalkupFullError("limit is 15")
    await _idle(setup)
    # 32 characters, as the printer gets it, and asked once, not every round.
    setup.printer.register_walkup.assert_awaited_once_with(
        "A very long Home Assistant locat"
    )


async def test_registration_retried_after_an_error(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    setup = make([(), ()])
    setup.printer.register_walkup.side_effect = [
        HPEWSConnectionError("busy"),
        (OURS, False),
    ]
    await _idle(setup)
    assert setup.printer.register_walkup.await_count == 2
    assert setup.manager.destination == OURS


async def test_turned_off_while_home_assistant_was_down(
    hass: HomeAssistant, make: Callable[..., Setup]
) -> None:
    """The name it would have used is removed once; nothing is registered."""
    setup = make(
        [(), (PrinterEvent(PrinterEventKind.OTHER, "PowerUpEvent"),)],
        options={CONF_WALKUP_ENABLED: False},
    )
    await _idle(setup)
    setup.printer.unregister_walkup.assert_awaited_once_with(NAME)
    setup.printer.register_walkup.assert_not_awaited()


def _result(tmp: Path) -> WalkupScan:
    options = ScanOptions(format=ScanFormat.JPEG)
    result = ScanResult(
        files=(tmp / "scan-1.jpg",),
        pages=1,
        format=ScanFormat.JPEG,
        source=ScanSource.GLASS,
        size=10,
    )
    return WalkupScan(NAME, "SaveJPEG", options, result)


async def _run_session(hass: HomeAssistant, setup: Setup) -> list[WalkupOutcome]:
    outcomes: list[WalkupOutcome] = []
    remove = setup.manager.add_listener(outcomes.append)
    await _idle(setup)
    await hass.async_block_till_done(wait_background_tasks=False)
    session = setup.manager._session
    if session is not None:
        await session
    remove()
    remove()  # twice is harmless
    return outcomes


async def test_panel_scan(
    hass: HomeAssistant, make: Callable[..., Setup], location: Path
) -> None:
    setup = make([(), (SCAN_EVENT,)])
    setup.printer.walkup_event.side_effect = [
        WalkupEventType.HOST_SELECTED,
        WalkupEventType.SCAN_REQUESTED,
    ]
    setup.printer.walkup_scan.return_value = _result(location)
    with patch("custom_components.hp_ews.walkup.PANEL_POLL_DELAY", 0):
        (outcome,) = await _run_session(hass, setup)
    assert outcome == WalkupOutcome(
        OUTCOME_COMPLETED,
        files=(str(location / "scan-1.jpg"),),
        pages=1,
        format="jpeg",
        source="glass",
        destination=NAME,
        shortcut="SaveJPEG",
    )
    resource, folder, _name = setup.printer.walkup_scan.await_args.args
    assert (resource, folder) == (OURS.resource, location / "scans")


@pytest.mark.parametrize(
    "states",
    [
        HPEWSConnectionError("gone"),
        [WalkupEventType.SCAN_PAGES_COMPLETE],
        [WalkupEventType.HOST_SELECTED] * 3,
    ],
    ids=["unreadable", "complete", "walked-away"],
)
async def test_panel_without_a_scan(
    hass: HomeAssistant, make: Callable[..., Setup], states: Any
) -> None:
    setup = make([(), (SCAN_EVENT,)])
    setup.printer.walkup_event.side_effect = states
    with (
        patch("custom_components.hp_ews.walkup.PANEL_POLL_DELAY", 0),
        patch("custom_components.hp_ews.walkup.PANEL_POLLS", 3),
    ):
        assert await _run_session(hass, setup) == []
    setup.printer.walkup_scan.assert_not_awaited()


async def test_one_session_at_a_time(
    hass: HomeAssistant, make: Callable[..., Setup], location: Path
) -> None:
    """A second ScanEvent while a scan runs is the running session's business."""
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(*_: Any, **__: Any) -> WalkupScan:
        started.set()
        await release.wait()
        return _result(location)

    setup = make([(), (SCAN_EVENT,)])
    setup.printer.walkup_scan.side_effect = slow
    outcomes: list[WalkupOutcome] = []
    setup.manager.add_listener(outcomes.append)
    setup.manager.async_start()
    await asyncio.wait_for(started.wait(), 5)
    await setup.manager._panel_pressed(OURS)
    release.set()
    session = setup.manager._session
    assert session is not None
    await session
    assert len(outcomes) == 1
    setup.printer.walkup_scan.assert_awaited_once()


async def test_failed_scan_and_forbidden_folder(
    hass: HomeAssistant, make: Callable[..., Setup], location: Path
) -> None:
    setup = make([(), (SCAN_EVENT,)])
    setup.printer.walkup_event.return_value = None  # older generation: no event
    setup.printer.walkup_scan.side_effect = HPEWSScanError(
        "feeder jammed", ScanErrorReason.JAMMED
    )
    (outcome,) = await _run_session(hass, setup)
    assert (outcome.event_type, outcome.error, outcome.destination) == (
        OUTCOME_FAILED,
        "feeder jammed",
        NAME,
    )

    # The failure's text is the translated one, as for a loaded integration.
    hass.config.components.add(DOMAIN)
    await async_load_integrations(hass, {DOMAIN})
    hass.config.allowlist_external_dirs = set()
    other = make([(), (SCAN_EVENT,)])
    (outcome,) = await _run_session(hass, other)
    assert outcome.event_type == OUTCOME_FAILED
    assert outcome.error == (
        f"Home Assistant may not write to {location / 'scans'}. Give an absolute "
        "path in a folder listed in allowlist_external_dirs"
    )
    other.printer.walkup_scan.assert_not_awaited()


async def test_remove_destination(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, title="OfficeJet")
    await async_remove_destination(hass, entry)  # never registered: nothing
    printer = MagicMock()
    printer.unregister_walkup = AsyncMock(side_effect=HPEWSConnectionError("off"))
    hass.data[DATA_REGISTERED] = {entry.entry_id: (printer, NAME)}
    with caplog.at_level(logging.WARNING):
        await async_remove_destination(hass, entry)
    assert "stays on the printer until it restarts: off" in caplog.text
    assert entry.entry_id not in hass.data[DATA_REGISTERED]
