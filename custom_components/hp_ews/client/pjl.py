"""PJL status over raw port 9100: the request bytes and a parser of the reply.

The request is byte for byte what HPLIP sends (StatusType8). The reply is

    @PJL INFO STATUS<CR><LF>
    CODE=10001<CR><LF>
    DISPLAY="00 READY"<CR><LF>
    ONLINE=TRUE<CR><LF>
    <FF>

possibly preceded by an echo block. Codes are mapped by the ranges of the
HP PJL Technical Reference (docs/protocols.md §8); the raw code is always kept.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from .errors import HPEWSParseError
from .models import PrinterState, PrinterStatus
from .status import (
    DOOR_OPEN,
    OUT_OF_PAPER,
    OUTPUT_FULL,
    PAPER_JAM,
    SUPPLY_LOW,
    SUPPLY_MISSING,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

INFO_STATUS_REQUEST: Final = b"\x1b%-12345X@PJL INFO STATUS \r\n\x1b%-12345X"
"""UEL, ``@PJL INFO STATUS``, UEL: exactly HPLIP's request."""

MAX_REPLY_BYTES: Final = 64 * 1024
_MAX_LINES: Final = 64
"""Lines read after the header; a reply has three (CODE, DISPLAY, ONLINE)."""

_HEADER: Final = "@PJL INFO STATUS"
_S = PrinterState

# Individually documented codes; everything else is decided by its range.
_CODES: Final[Mapping[int, tuple[PrinterState, frozenset[str]]]] = MappingProxyType(
    {
        10001: (_S.IDLE, frozenset()),
        10002: (_S.STOPPED, frozenset()),  # ready, offline
        10003: (_S.WARMING_UP, frozenset()),
        10004: (_S.PRINTING, frozenset()),  # self test
        10005: (_S.WARMING_UP, frozenset()),  # reset, clearing memory
        10006: (_S.IDLE, frozenset({SUPPLY_LOW})),
        10007: (_S.CANCELLING, frozenset()),
        10011: (_S.WARMING_UP, frozenset()),  # initializing
        10013: (_S.PRINTING, frozenset()),
        10014: (_S.PRINTING, frozenset()),
        10015: (_S.PRINTING, frozenset()),
        10016: (_S.PRINTING, frozenset()),
        10017: (_S.PRINTING, frozenset()),
        10022: (_S.PRINTING, frozenset()),  # config page
        10023: (_S.PRINTING, frozenset()),  # processing job
        10024: (_S.PRINTING, frozenset()),  # data received
        10027: (_S.PRINTING, frozenset()),  # clearing paper path
        10028: (_S.PRINTING, frozenset()),
        10029: (_S.PRINTING, frozenset()),  # formfeeding
        10031: (_S.PRINTING, frozenset()),  # engine cleaning
        30119: (_S.STOPPED, frozenset({PAPER_JAM})),  # media feed error
        35078: (_S.POWER_SAVE, frozenset()),
        40000: (_S.POWER_SAVE, frozenset()),  # sleep mode
        40010: (_S.STOPPED, frozenset({SUPPLY_MISSING})),  # install toner cartridge
        40019: (_S.STOPPED, frozenset({OUTPUT_FULL})),  # remove paper from bin
        40021: (_S.STOPPED, frozenset({DOOR_OPEN})),  # printer open
        40022: (_S.STOPPED, frozenset({PAPER_JAM})),
        40038: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # toner low, press go
        40093: (_S.STOPPED, frozenset({PAPER_JAM})),  # remove duplex jam
        40104: (_S.STOPPED, frozenset({DOOR_OPEN})),  # input feed path open
        40105: (_S.STOPPED, frozenset({DOOR_OPEN})),  # output delivery path open
        40119: (_S.STOPPED, frozenset({PAPER_JAM})),  # paper misfeed
        40128: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # drum error
        40129: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # drum life out
        40130: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # drum life low
        40131: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # transfer kit out
        40132: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # transfer kit low
        40141: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # waste toner full
        40142: (_S.STOPPED, frozenset({SUPPLY_MISSING})),  # install drum kit
        40600: (_S.STOPPED, frozenset({SUPPLY_LOW})),  # no toner
    }
)


def code_status(code: int) -> tuple[PrinterState, frozenset[str]]:
    """State and condition flags a PJL status code stands for."""
    if code in _CODES:
        return _CODES[code]
    group, rest = divmod(code, 1000)
    if group == 10:
        # 102xx order supplies, 103xx replace supplies; 104xx non-HP: informational.
        if 200 <= rest < 400:
            return _S.IDLE, frozenset({SUPPLY_LOW})
        return _S.IDLE, frozenset()
    if group in (11, 12):
        # Background paper mount / tray status: another tray may still feed.
        return _S.IDLE, frozenset({OUT_OF_PAPER})
    if group == 15:
        # 15xxy: y=1 bin full, 2 open, 3 broken.
        return _S.IDLE, frozenset({OUTPUT_FULL}) if code % 10 == 1 else frozenset()
    if group in (20, 25, 27, 30, 32, 35):
        # Parser/semantic errors, auto-continuable and potential conditions.
        return _S.IDLE, frozenset()
    if group == 40:
        return _S.STOPPED, frozenset()
    if group == 41:
        return _S.STOPPED, frozenset({OUT_OF_PAPER})
    if group in (42, 44):
        return _S.STOPPED, frozenset({PAPER_JAM})
    if group == 43:
        return _S.STOPPED, frozenset()
    if group in (50, 55):
        return _S.ERROR, frozenset()
    return _S.UNKNOWN, frozenset()


def parse_info_status(data: bytes) -> PrinterStatus:
    """Parse the reply to ``INFO_STATUS_REQUEST``.

    ``message`` is the panel text from ``DISPLAY=``; ``ONLINE=FALSE`` turns
    an otherwise idle printer into STOPPED (taken offline at the panel).

    Raises:
        HPEWSParseError: the reply is oversized or has no ``CODE=`` line.
    """
    if len(data) > MAX_REPLY_BYTES:
        raise HPEWSParseError(
            f"PJL reply of {len(data)} bytes exceeds {MAX_REPLY_BYTES}"
        )
    # PJL is 8-bit text; latin-1 maps every byte, so decoding cannot fail.
    text = data.decode("latin-1")
    start = text.rfind(_HEADER)
    if start >= 0:
        text = text[start + len(_HEADER) :]
    fields: dict[str, str] = {}
    for line in text.replace("\f", "\n").splitlines()[:_MAX_LINES]:
        key, sep, value = line.partition("=")
        key = key.strip().upper()
        if sep and key and key not in fields:
            fields[key] = value.strip()
    raw_code = fields.get("CODE", "")
    digits = raw_code[: len(raw_code) - len(raw_code.lstrip("0123456789"))]
    if not digits or len(digits) > 6:
        raise HPEWSParseError("PJL INFO STATUS reply has no CODE=")
    state, flags = code_status(int(digits))
    if fields.get("ONLINE", "").upper() == "FALSE" and state is _S.IDLE:
        state = _S.STOPPED
    display = fields.get("DISPLAY")
    if display is not None:
        display = display.strip('"').strip() or None
    return PrinterStatus(
        state=state,
        message=display,
        alerts=(),
        raw_codes=(digits,),
        change_marker=None,
        **dict.fromkeys(flags, True),
    )
