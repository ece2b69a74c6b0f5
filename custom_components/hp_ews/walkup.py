"""The LEDM event channel and walk-up "Scan to computer" for one printer.

One long poll per LEDM printer (``EventChannel``) serves two purposes:

* **push refresh**: an ``AlertTableChanged`` (jam, door, paper) or supply
  event refreshes the coordinator at once instead of at the next poll, and
  while the channel works the coordinator polls every five minutes instead
  of every minute (an idle hour: 30 long polls plus about 17 refreshes);
* **walk-up scanning**: with the option on, Home Assistant is a destination
  on the printer's "Scan to computer" list; a ``ScanEvent`` naming it scans
  into the scan folder and tells the listeners (the scan event entity).

Registering the destination is a write to the printer, made only because
the user left walk-up scanning on; refreshes stay read-only. Registrations
vanish when the printer restarts, so it is checked again after the channel
recovers and after a ``PowerUpEvent``. It is removed when the option is
turned off, when the name changes (the old one), and when the entry is
removed (``async_remove_entry``), never on unload or restart. Destinations
of other computers are never touched.

The long poll runs as a plain task cancelled on unload and on Home
Assistant's stop: it never ends by itself, and Home Assistant waits for its
own background tasks whenever it settles.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .client import (
    EventChannel,
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSUnsupportedError,
    HPEWSWalkupFullError,
    HPPrinter,
    PrinterEvent,
    PrinterEventKind,
    PrinterProtocol,
    WalkupDestination,
    WalkupEventType,
)
from .const import (
    CONF_WALKUP_ENABLED,
    CONF_WALKUP_NAME,
    DEFAULT_SCAN_FILE_NAME,
    DEFAULT_WALKUP_ENABLED,
    LOGGER,
    MAX_SCAN_PAGES,
    MAX_WALKUP_NAME_LENGTH,
)
from .scanner import default_scan_folder, prepare_scan_folder

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry

    from .coordinator import HPEWSCoordinator
    from .data import HPEWSConfigEntry

EVENT_CHANNEL: Final = True
"""Run the event channel (tests that drive time by hand turn it off)."""
EVENT_WAIT: Final = 120.0
"""Seconds the printer holds each long poll (``timeout=1200``): 30 polls an hour."""
REMOVE_TIMEOUT: Final = 30.0
"""Seconds removing our destination may take when the entry is removed."""
DATA_REGISTERED: HassKey[dict[str, tuple[HPPrinter, str]]] = HassKey(
    "hp_ews_walkup_registered"
)
"""Per entry unloaded with a destination: the printer and the name."""
PANEL_POLLS: Final = 60
PANEL_POLL_DELAY: Final = 1.0
"""The panel's state is read every second until the user presses Start (a minute)."""
SCANNER_PUSH_INTERVAL: Final = timedelta(minutes=10)
"""Time between scanner-status reads while job and scan events announce changes."""
AUTH_RETRY: Final = 600.0
"""Seconds before trying again when the printer wants other credentials."""

OUTCOME_COMPLETED: Final = "completed"
OUTCOME_FAILED: Final = "failed"

# What the panel's state means for us.
_START = frozenset(
    {WalkupEventType.SCAN_REQUESTED, WalkupEventType.SCAN_NEW_PAGE_REQUESTED}
)


@dataclass(frozen=True, slots=True)
class WalkupOutcome:
    """A walk-up scan that ended, for the scan event entity."""

    event_type: str
    """``completed`` or ``failed``."""
    files: tuple[str, ...] = ()
    pages: int = 0
    format: str | None = None
    source: str | None = None
    error: str | None = None
    destination: str | None = None
    """The destination name the panel showed."""
    shortcut: str | None = None
    """What the user picked on the panel (``SavePDF``, ``SaveJPEG``, ...)."""


def walkup_name(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """The destination name to register now, None when walk-up is off."""
    if not entry.options.get(CONF_WALKUP_ENABLED, DEFAULT_WALKUP_ENABLED):
        return None
    name = entry.options.get(CONF_WALKUP_NAME) or hass.config.location_name
    # As the printer gets it: printable, at most MAX_WALKUP_NAME_LENGTH.
    cleaned = "".join(c for c in str(name) if c.isprintable()).strip()
    return cleaned[:MAX_WALKUP_NAME_LENGTH].strip() or None


class WalkupManager:
    """Runs one printer's event channel and its walk-up destination."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HPEWSConfigEntry,
        coordinator: HPEWSCoordinator,
    ) -> None:
        """Prepare; nothing is sent before ``async_start``."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.printer: HPPrinter = coordinator.printer
        self._listeners: list[Callable[[WalkupOutcome], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._registered: WalkupDestination | None = None
        self._check_registration = True
        self._cleaned = False
        self._synced: str | None = None
        """The name the printer's list was last made to match (None: off)."""
        self._recovering = False
        self._session: asyncio.Task[None] | None = None
        self.push_active = False
        """The long poll works: changes arrive as they happen."""
        self.walkup_available: bool | None = None
        """None until known; False when the printer has no walk-up scanning."""

    @property
    def destination(self) -> WalkupDestination | None:
        """Our destination on the printer, as registered."""
        return self._registered

    @callback
    def add_listener(self, listener: Callable[[WalkupOutcome], None]) -> CALLBACK_TYPE:
        """Call ``listener`` with every walk-up scan that ends."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            with suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    @callback
    def async_start(self) -> None:
        """Start the long poll; it stops on unload and when Home Assistant stops."""
        if not EVENT_CHANNEL or self._task is not None:
            return
        self._task = self.hass.loop.create_task(
            self._run(), name=f"hp_ews event channel {self.entry.title}"
        )
        self.entry.async_on_unload(self._async_stop)
        self.entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._on_stop)
        )

    @callback
    def _on_stop(self, event: Event) -> None:
        self._async_stop()

    @callback
    def _async_stop(self) -> None:
        for task in (self._task, self._session):
            if task is not None and not task.done():
                task.cancel()
        self._task = None
        self._set_push(False, refresh=False)
        registered = self._registered
        if registered is not None and registered.name:
            # Left for async_remove_entry; a restart registers it again.
            self.hass.data.setdefault(DATA_REGISTERED, {})[self.entry.entry_id] = (
                self.printer,
                registered.name,
            )

    # --- the long poll -------------------------------------------------------------

    async def _run(self) -> None:
        channel = self.printer.event_channel(wait=EVENT_WAIT)
        if channel is None:
            self.walkup_available = False
            return
        try:
            await self._loop(channel)
        except HPEWSUnsupportedError as err:
            LOGGER.debug("%s: no event channel, polling: %s", self.entry.title, err)
            # Panel scans are announced only through the event table: a
            # destination nobody listens for must not stay on the panel.
            self.walkup_available = False
            await self._withdraw()
        finally:
            self._set_push(False, refresh=True)

    async def _loop(self, channel: EventChannel) -> None:
        while True:
            if self.push_active and self._check_registration:
                await self._sync_registration()
            try:
                events = await channel.wait()
            except HPEWSAuthenticationError:
                self._set_push(False, refresh=False)
                await asyncio.sleep(AUTH_RETRY)
                continue
            except HPEWSConnectionError as err:
                LOGGER.debug("%s: event channel: %s", self.entry.title, err)
                # A printer that was away may have restarted: its list is empty.
                self._check_registration = self._recovering = True
                self._set_push(False, refresh=True)
                continue
            # Back after a failure: what happened meanwhile was not announced.
            self._set_push(True, refresh=self._recovering)
            self._recovering = False
            await self._handle(events)
            if walkup_name(self.hass, self.entry) != self._synced:
                self._check_registration = True

    def _set_push(self, active: bool, *, refresh: bool) -> None:
        if active == self.push_active:
            return
        self.push_active = active
        self.coordinator.async_set_push(active, refresh=refresh)
        scanner = self.entry.runtime_data.scanner
        if scanner.update_interval is not None:  # None: no scanner, not asked
            scanner.update_interval = (
                SCANNER_PUSH_INTERVAL if active else self.coordinator.update_interval
            )
        LOGGER.debug(
            "%s: event channel %s", self.entry.title, "up" if active else "down"
        )

    async def _handle(self, events: tuple[PrinterEvent, ...]) -> None:
        kinds = {event.kind for event in events}
        if any(event.power_up for event in events):
            self._check_registration = True
        if kinds & {PrinterEventKind.STATUS, PrinterEventKind.SUPPLIES}:
            await self.coordinator.async_push_refresh(
                full=PrinterEventKind.SUPPLIES in kinds
            )
        if any(event.kind is PrinterEventKind.SCAN or event.job for event in events):
            scanner = self.entry.runtime_data.scanner
            if scanner.update_interval is not None:  # it has a scanner
                await scanner.async_request_refresh()
        ours = self._registered
        if ours is not None and any(
            event.kind is PrinterEventKind.SCAN and event.names(ours.resource)
            for event in events
        ):
            await self._panel_pressed(ours)

    # --- registration --------------------------------------------------------------

    async def _sync_registration(self) -> None:
        """Make the printer's list match the options: ours there, or gone.

        A full list or a printer without walk-up is not asked again until the
        printer restarts or the options change; other errors are retried on
        the next round of the long poll.
        """
        self._check_registration = False
        wanted = walkup_name(self.hass, self.entry)
        if self.walkup_available is False:
            self._synced = wanted
            return
        try:
            stale = self._stale_name(wanted)
            if stale is not None:
                await self.printer.unregister_walkup(stale)
                self._registered = None
            if wanted is not None:
                dest, created = await self.printer.register_walkup(wanted)
                self.walkup_available = True
                self._registered = dest
                if created:
                    LOGGER.debug("%s: registered %s", self.entry.title, dest.resource)
        except HPEWSUnsupportedError:
            self.walkup_available = False
        except HPEWSWalkupFullError as err:
            LOGGER.warning(
                "%s: cannot offer Home Assistant for scanning: %s",
                self.entry.title,
                err,
            )
        except HPEWSError as err:
            LOGGER.debug("%s: walk-up registration: %s", self.entry.title, err)
            self._check_registration = True
            return
        self._synced = wanted

    async def _withdraw(self) -> None:
        """Remove our destination, if any, when walk-up cannot work."""
        registered, self._registered = self._registered, None
        if registered is None or not registered.name:
            return
        try:
            await self.printer.unregister_walkup(registered.name)
        except HPEWSError as err:
            LOGGER.debug("%s: removing %s: %s", self.entry.title, registered.name, err)

    def _stale_name(self, wanted: str | None) -> str | None:
        """A name of ours on the printer that the options no longer want."""
        if self._registered is not None:
            name = self._registered.name
            return name if name != wanted else None
        if wanted is None and not self._cleaned:
            # Turned off while Home Assistant was not running: the name it
            # had registered is the one the options still name.
            self._cleaned = True
            name = self.entry.options.get(CONF_WALKUP_NAME)
            return str(name or self.hass.config.location_name) or None
        return None

    # --- walk-up sessions ------------------------------------------------------------

    async def _panel_pressed(self, ours: WalkupDestination) -> None:
        """A ScanEvent for us: follow the panel in a task of its own."""
        if self._session is not None and not self._session.done():
            return  # the running session reads the panel's next step itself
        self._session = self.entry.async_create_background_task(
            self.hass,
            self._session_run(ours),
            name=f"hp_ews walk-up scan {self.entry.title}",
        )

    async def _session_run(self, ours: WalkupDestination) -> None:
        """Wait for Start on the panel (HostSelected -> ScanRequested), then scan."""
        for _ in range(PANEL_POLLS):
            try:
                state = await self.printer.walkup_event()
            except HPEWSError as err:
                LOGGER.debug("%s: walk-up event: %s", self.entry.title, err)
                return
            if state is None or state in _START:
                break  # the older generation has no event: scan at once
            if state is not WalkupEventType.HOST_SELECTED:
                return  # ScanPagesComplete, or something unknown
            await asyncio.sleep(PANEL_POLL_DELAY)
        else:
            return  # the user walked away
        await self._scan(ours)

    async def _scan(self, ours: WalkupDestination) -> None:
        folder = default_scan_folder(self.hass)
        name = dt_util.now().strftime(DEFAULT_SCAN_FILE_NAME)
        outcome: WalkupOutcome
        try:
            await self.hass.async_add_executor_job(
                prepare_scan_folder, self.hass, folder
            )
            scan = await self.printer.walkup_scan(
                ours.resource, folder, name, max_pages=MAX_SCAN_PAGES
            )
        except (HPEWSError, HomeAssistantError) as err:
            LOGGER.warning("%s: walk-up scan failed: %s", self.entry.title, err)
            outcome = WalkupOutcome(
                OUTCOME_FAILED, error=str(err), destination=ours.name
            )
        else:
            result = scan.result
            outcome = WalkupOutcome(
                OUTCOME_COMPLETED,
                files=tuple(str(path) for path in result.files),
                pages=result.pages,
                format=result.format.value,
                source=result.source.value,
                destination=scan.destination,
                shortcut=scan.shortcut,
            )
        self._notify(outcome)

    @callback
    def _notify(self, outcome: WalkupOutcome) -> None:
        for listener in list(self._listeners):
            listener(outcome)


def supports_events(printer: HPPrinter) -> bool:
    """Whether the printer speaks LEDM (the event table's protocol)."""
    profile = printer.profile
    return profile is not None and PrinterProtocol.LEDM in profile.protocols


async def async_remove_destination(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove our destination from the printer of an entry being removed.

    Unloading came first and left what was registered (``DATA_REGISTERED``);
    an entry that never registered has nothing to remove.
    """
    left = hass.data.get(DATA_REGISTERED, {}).pop(entry.entry_id, None)
    if left is None:
        return
    printer, name = left
    try:
        async with asyncio.timeout(REMOVE_TIMEOUT):
            await printer.unregister_walkup(name)
    except (HPEWSError, TimeoutError) as err:
        LOGGER.warning(
            "%s: the scan destination %s stays on the printer until it restarts: %s",
            entry.title,
            name,
            err,
        )
