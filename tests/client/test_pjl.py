"""PJL INFO STATUS: request bytes, reply parsing, code ranges."""

from __future__ import annotations

import re

import pytest

from custom_components.hp_ews.client import pjl
from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import PrinterState
from tests.conftest import FIXTURES

SAMPLE = (
    FIXTURES
    / "pjl"
    / "HP-LaserJet-4__PJL_INFO-STATUS_INFO-USTATUS_documented-sample.txt"
)
CODEBOOK = FIXTURES / "pjl" / "REFERENCE_PRET_codebook_PJL-status-codes.py.txt"


def manual_to_bytes(section: str) -> bytes:
    """The manual writes control bytes as <CR><LF>, <FF>, <ESC>."""
    lines = [line for line in section.strip("\n").split("\n") if line]
    joined = "".join(
        line if line.endswith("<CR><LF>") else line + "\n" for line in lines
    )
    return (
        joined.replace("<CR><LF>", "\r\n")
        .replace("<FF>\n", "\f")
        .replace("<FF>", "\f")
        .replace("<ESC>", "\x1b")
        .encode("latin-1")
        .rstrip(b"\n")
    )


def sample_sections() -> dict[str, str]:
    text = SAMPLE.read_text()
    parts = re.split(r"^--- (.+?) ---$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_request_is_hplip_bytes() -> None:
    assert pjl.INFO_STATUS_REQUEST == b"\x1b%-12345X@PJL INFO STATUS \r\n\x1b%-12345X"


def test_documented_sample_reply() -> None:
    reply = manual_to_bytes(sample_sections()["response"])
    assert reply == (
        b"@PJL ECHO 17:45:22.5 05-17-92\r\n\f@PJL INFO STATUS\r\nCODE=10001\r\n"
        b'DISPLAY="00 READY"\r\nONLINE=TRUE\r\n\f'
    )
    status = pjl.parse_info_status(reply)
    assert status.state is PrinterState.IDLE
    assert status.message == "00 READY"
    assert status.raw_codes == ("10001",)
    assert not status.has_problem


def test_documented_request_asks_for_info_status() -> None:
    request = manual_to_bytes(sample_sections()["request (INFO STATUS)"])
    assert request.startswith(b"\x1b%-12345X@PJL")
    assert b"@PJL INFO STATUS \r\n" in request
    assert request.endswith(b"\x1b%-12345X")


def test_ustatus_reply_is_not_a_status() -> None:
    reply = manual_to_bytes(
        sample_sections()["response to @PJL INFO USTATUS (p. 7-30)"]
    )
    with pytest.raises(HPEWSParseError):
        pjl.parse_info_status(reply)


@pytest.mark.parametrize(
    ("code", "state", "flags"),
    [
        (10001, PrinterState.IDLE, set()),
        (10002, PrinterState.STOPPED, set()),
        (10003, PrinterState.WARMING_UP, set()),
        (10006, PrinterState.IDLE, {"supply_low"}),
        (10023, PrinterState.PRINTING, set()),
        (10200, PrinterState.IDLE, {"supply_low"}),
        (10317, PrinterState.IDLE, {"supply_low"}),
        (10417, PrinterState.IDLE, set()),
        (10099, PrinterState.IDLE, set()),
        (11204, PrinterState.IDLE, {"out_of_paper"}),
        (12201, PrinterState.IDLE, {"out_of_paper"}),
        (15011, PrinterState.IDLE, {"output_full"}),
        (15012, PrinterState.IDLE, set()),
        (20002, PrinterState.IDLE, set()),
        (30119, PrinterState.STOPPED, {"paper_jam"}),
        (35078, PrinterState.POWER_SAVE, set()),
        (40000, PrinterState.POWER_SAVE, set()),
        (40021, PrinterState.STOPPED, {"door_open"}),
        (40022, PrinterState.STOPPED, {"paper_jam"}),
        (40038, PrinterState.STOPPED, {"supply_low"}),
        (40079, PrinterState.STOPPED, set()),
        (40600, PrinterState.STOPPED, {"supply_low"}),
        (41204, PrinterState.STOPPED, {"out_of_paper"}),
        (42000, PrinterState.STOPPED, {"paper_jam"}),
        (43011, PrinterState.STOPPED, set()),
        (44003, PrinterState.STOPPED, {"paper_jam"}),
        (50003, PrinterState.ERROR, set()),
        (55001, PrinterState.ERROR, set()),
        (60000, PrinterState.UNKNOWN, set()),
    ],
)
def test_code_ranges(code: int, state: PrinterState, flags: set[str]) -> None:
    status = pjl.parse_info_status(f"@PJL INFO STATUS\r\nCODE={code}\r\n\f".encode())
    assert status.state is state
    assert flags == {
        name
        for name in (
            "paper_jam",
            "door_open",
            "out_of_paper",
            "output_full",
            "supply_missing",
            "supply_low",
        )
        if getattr(status, name)
    }
    assert status.raw_codes == (str(code),)


def test_every_jam_and_paper_code_in_the_reference_table() -> None:
    # PRET's transcription of the PJL reference: '42.xx' keys are jams,
    # '41.xx' keys are "load paper" (x = tray), '44.xx' jam locations.
    keys = re.findall(
        r"^\s+'(4[124]\.\d\d)':", CODEBOOK.read_text(), flags=re.MULTILINE
    )
    assert len(keys) > 40
    for key in keys:
        code = int(key.replace(".", "1"))  # tray/location 1
        status = pjl.parse_info_status(f"CODE={code}\r\n".encode())
        if key.startswith("41"):
            assert status.out_of_paper, key
        else:
            assert status.paper_jam, key
        assert status.state is PrinterState.STOPPED


def test_offline_and_display_handling() -> None:
    status = pjl.parse_info_status(
        b'@PJL ECHO x\r\n\f@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY=""\r\nONLINE=FALSE\r\n\f'
    )
    assert status.state is PrinterState.STOPPED
    assert status.message is None
    # Later lines never override the first value; lower-case keys accepted.
    status = pjl.parse_info_status(
        b"code = 40021 extra\ncode=10001\ndisplay=12 PRINTER OPEN\n"
    )
    assert status.door_open
    assert status.message == "12 PRINTER OPEN"
    assert status.raw_codes == ("40021",)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"@PJL INFO STATUS\r\n\f",
        b"CODE=\r\n",
        b"CODE=abc\r\n",
        b"CODE=1234567\r\n",
        b"\xff" * 10,
    ],
)
def test_garbage_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(HPEWSParseError):
        pjl.parse_info_status(data)


def test_size_cap() -> None:
    with pytest.raises(HPEWSParseError, match="exceeds"):
        pjl.parse_info_status(b"CODE=10001\r\n" + b" " * pjl.MAX_REPLY_BYTES)
