"""Printer care in the simulator: paper trays, firmware update status, uptime.

Trays are numbered from 1 in the order the captures list them; each family
names them its own way (IPP ``InputTray1``, LEDM ``Tray1``). What the
captures show is served as captured: no level (``level=-2``, no LEDM level
element), the loaded size and type. The control API changes a tray
(``{"trays": {"1": {"open": true}}}``: ``open``, ``empty``, ``media_size``,
``media_type``, and ``capacity`` + ``sheets`` for a printer that measures its
stack, which no captured one does), announces a firmware version
(``{"firmware_available": "X"}``), flips the automatic-update setting
(``{"auto_update": false}``, as a PATCH from the client would) and sets the
uptime (``{"up_seconds": 30}``: a restart). ``out_of_paper`` empties every tray,
so the printer-wide summary and the trays agree.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
import json
import re
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from custom_components.hp_ews.client import IppCollection, IppValueTag as Tag

if TYPE_CHECKING:
    from collections.abc import Mapping
    import xml.etree.ElementTree as ET

    from custom_components.hp_ews.client import IppAttributeGroup

    from .state import PrinterState
    from .store import CaptureStore

FIELDS: Final = frozenset({"trays", "firmware_available", "auto_update", "up_seconds"})
"""State fields this module validates and applies."""

MEDIA_HANDLING: Final = "/DevMgmt/MediaHandlingDyn.xml"
UPDATE_CHECK: Final = "/cdm/firmwareUpdate/v2/updateCheck"
FIRMWARE_CONFIGURATION: Final = "/cdm/firmwareUpdate/v2/configuration"

DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
_TRAY_FIELDS: Final = frozenset(
    {"open", "empty", "media_size", "media_type", "capacity", "sheets"}
)
_MEDIA_WORD: Final = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SIZES_UM: Final = {
    # PWG name -> (width, length) in micrometres, for IPP mediaxfeed/mediafeed.
    "iso_a4_210x297mm": (210000, 297000),
    "iso_a5_148x210mm": (148000, 210000),
    "na_letter_8.5x11in": (215900, 279400),
    "na_legal_8.5x14in": (215900, 355600),
    "na_index-4x6_4x6in": (101600, 152400),
}


class CareError(ValueError):
    """An invalid care change (the state turns it into a StateError)."""


@dataclass(slots=True)
class SimTray:
    """One input's state beyond the captured defaults."""

    open: bool = False
    empty: bool = False
    media_size: str | None = None
    """None: as captured."""
    media_type: str | None = None
    capacity: int | None = None
    sheets: int | None = None


@dataclass(slots=True)
class CareState:
    """Trays and firmware of one simulated printer."""

    tray_count: int
    firmware_available: str | None = None
    auto_update: bool = True
    trays: list[SimTray] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start as captured."""
        self.reset()

    def reset(self) -> None:
        """Back to the captured state."""
        self.firmware_available = None
        self.auto_update = True
        self.trays = [SimTray() for _ in range(self.tray_count)]

    def validate(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``changes`` (only ``FIELDS``); nothing is applied yet.

        Raises:
            CareError: an invalid value.
        """
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "trays":
                checked[name] = self._trays(value)
            elif name == "firmware_available":
                if value is not None and (not isinstance(value, str) or not value):
                    raise CareError("firmware_available must be a version or null")
                checked[name] = value
            elif name == "auto_update":
                if not isinstance(value, bool):
                    raise CareError("auto_update must be true or false")
                checked[name] = value
            else:  # up_seconds
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise CareError("up_seconds must be an integer >= 1")
                checked[name] = value
        return checked

    def _trays(self, value: object) -> dict[int, dict[str, Any]]:
        if not isinstance(value, dict):
            raise CareError('trays must be an object like {"1": {"open": true}}')
        result: dict[int, dict[str, Any]] = {}
        for number, fields in value.items():
            index = int(number) - 1 if str(number).isdigit() else -1
            if not 0 <= index < self.tray_count:
                raise CareError(
                    f"no tray {number!r}; this printer has {self.tray_count}"
                )
            if not isinstance(fields, dict) or not fields.keys() <= _TRAY_FIELDS:
                raise CareError(f"tray fields are {sorted(_TRAY_FIELDS)}")
            for name, item in fields.items():
                if name in ("open", "empty") and not isinstance(item, bool):
                    raise CareError(f"{name} must be true or false")
                if name in ("media_size", "media_type") and not (
                    item is None or (isinstance(item, str) and _MEDIA_WORD.match(item))
                ):
                    raise CareError(f"{name} must be a keyword or null")
                if name == "media_size" and item is not None and item not in _SIZES_UM:
                    raise CareError(f"media_size must be one of {sorted(_SIZES_UM)}")
                if name in ("capacity", "sheets") and not (
                    item is None
                    or (
                        isinstance(item, int)
                        and not isinstance(item, bool)
                        and item >= 0
                    )
                ):
                    raise CareError(f"{name} must be an integer >= 0 or null")
            result[index] = fields
        return result

    def apply(self, checked: Mapping[str, Any], state: PrinterState) -> None:
        """Apply what :meth:`validate` returned."""
        for index, fields in checked.get("trays", {}).items():
            tray = self.trays[index]
            for name, item in fields.items():
                setattr(tray, name, item)
        if "firmware_available" in checked:
            self.firmware_available = checked["firmware_available"]
        if "auto_update" in checked:
            self.auto_update = checked["auto_update"]
        if "up_seconds" in checked:
            state.restart(checked["up_seconds"])

    def to_json(self) -> dict[str, Any]:
        """The care part of ``GET /_sim/state``."""
        return {
            "trays": {
                str(number): {
                    "open": tray.open,
                    "empty": tray.empty,
                    "media_size": tray.media_size,
                    "media_type": tray.media_type,
                    "capacity": tray.capacity,
                    "sheets": tray.sheets,
                }
                for number, tray in enumerate(self.trays, 1)
            },
            "firmware_available": self.firmware_available,
            "auto_update": self.auto_update,
        }


def _empty(state: PrinterState, tray: SimTray) -> bool:
    return tray.empty or state.out_of_paper or tray.sheets == 0


# --- IPP ---------------------------------------------------------------------------


def ipp_input_trays(state: PrinterState, printer: IppAttributeGroup) -> None:
    """``printer-input-tray``: the captured strings with this state's values.

    Open: unavailable with a critical alert (Printer MIB status 1 + 16);
    empty: level 0 with a critical alert; sheets of a capacity: the level.
    """
    attribute = printer.get("printer-input-tray")
    if attribute is None:
        return
    care = state.care
    values: list[bytes] = []
    index = 0
    for raw in attribute.values:
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        fields = dict(
            part.split("=", 1) for part in text.rstrip(";").split(";") if "=" in part
        )
        if fields.get("name") == "auto" or index >= len(care.trays):
            values.append(text.encode())
            continue
        tray = care.trays[index]
        index += 1
        status = 0
        if tray.capacity is not None:
            fields["maxcapacity"] = str(tray.capacity)
            fields["level"] = str(tray.sheets if tray.sheets is not None else -3)
        if _empty(state, tray):
            fields["level"] = "0"
            status = 16
        if tray.open:
            status = 1 | 16
        fields["status"] = str(status)
        if tray.media_size is not None:
            width, length = _SIZES_UM[tray.media_size]
            fields["mediaxfeed"], fields["mediafeed"] = str(width), str(length)
        values.append(";".join(f"{k}={v}" for k, v in fields.items()).encode())
    printer.set("printer-input-tray", Tag.OCTET_STRING, *values)
    types = [tray.media_type for tray in care.trays if tray.media_type]
    ready = printer.get("media-col-ready")
    if types and ready is not None:
        for medium in ready.values:
            if isinstance(medium, IppCollection):
                medium.set("media-type", Tag.KEYWORD, types[0])


# --- LEDM --------------------------------------------------------------------------


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def media_handling(state: PrinterState, store: CaptureStore) -> bytes:
    """MediaHandlingDyn: the captured InputTray once per tray, with its state."""
    template = store.xml(MEDIA_HANDLING)
    root = template.copy_root()
    captured = [child for child in root if _local(child) == "InputTray"]
    if not captured:
        return template.render(root)
    model = captured[0]
    position = list(root).index(model)
    for child in captured:
        root.remove(child)
    for number, tray in enumerate(state.care.trays, 1):
        element = copy.deepcopy(model)
        for child in element:
            name = _local(child)
            if name == "InputBin":
                child.text = f"Tray{number}"
            elif name == "TrayState":
                child.text = "open" if tray.open else "installed"
            elif name == "MediaState":
                child.text = "empty" if _empty(state, tray) else "present"
            elif name == "MediaSizeName" and tray.media_size is not None:
                child.text = tray.media_size
            elif name == "MediaType" and tray.media_type is not None:
                child.text = tray.media_type
        root.insert(position + number - 1, element)
    return template.render(root)


# --- CDM ---------------------------------------------------------------------------


def _dump(original: bytes, document: Any) -> bytes:
    if b"\n" in original:
        return json.dumps(document, indent=2).encode()
    return json.dumps(document, separators=(",", ":")).encode()


def update_check(state: PrinterState, store: CaptureStore) -> bytes:
    """updateCheck: this printer's firmware and the announced version, if any."""
    document = copy.deepcopy(store.json(UPDATE_CHECK))
    document["currentVersion"] = state.profile.identity.firmware
    document["availableVersion"] = state.care.firmware_available or ""
    return _dump(store.http[UPDATE_CHECK], document)


def firmware_configuration(state: PrinterState, store: CaptureStore) -> bytes:
    """configuration: the automatic-update setting (strings, as captured)."""
    document = copy.deepcopy(store.json(FIRMWARE_CONFIGURATION))
    document["autoUpdateEnabled"] = "true" if state.care.auto_update else "false"
    return _dump(store.http[FIRMWARE_CONFIGURATION], document)


def patch_firmware_configuration(state: PrinterState, body: object) -> web.Response:
    """A PATCH of the configuration: only ``autoUpdateEnabled``, as a string."""
    if (
        not isinstance(body, dict)
        or set(body) - {"version", "autoUpdateEnabled"}
        or body.get("autoUpdateEnabled") not in ("true", "false")
    ):
        return web.json_response({"error": "bad request"}, status=400)
    state.apply({"auto_update": body["autoUpdateEnabled"] == "true"})
    return web.Response(status=204)


RENDERERS: Final = {
    MEDIA_HANDLING: media_handling,
    UPDATE_CHECK: update_check,
    FIRMWARE_CONFIGURATION: firmware_configuration,
}
