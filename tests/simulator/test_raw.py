"""Raw port printing and PJL status readback (docs/protocols.md §8)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from simulator.raw import PjlParser

from .conftest import FIXTURES
from .helpers import PDF_2_PAGES

if TYPE_CHECKING:
    from simulator.testing import PrinterFactory

UEL = b"\x1b%-12345X"


async def exchange(port: int, data: bytes, until: int = 1) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = b""
    for _ in range(until):
        answer += await reader.readuntil(b"\f")
    writer.close()
    await writer.wait_closed()
    return answer


async def test_info_status_format(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    answer = await exchange(sim.raw_port, UEL + b"@PJL INFO STATUS \r\n" + UEL)
    # Framing as in the HP PJL Technical Reference sample.
    sample = (
        FIXTURES
        / "pjl/HP-LaserJet-4__PJL_INFO-STATUS_INFO-USTATUS_documented-sample.txt"
    ).read_text()
    assert "CODE=10001<CR><LF>" in sample
    assert (
        answer
        == b'@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY="Ready"\r\nONLINE=TRUE\r\n\f'
    )


async def test_info_commands(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    answer = await exchange(
        sim.raw_port,
        UEL + b"@PJL ECHO hello 1\r\n@PJL INFO ID\r\n@PJL INFO PAGECOUNT\r\n" + UEL,
        until=3,
    )
    assert answer.startswith(b"@PJL ECHO hello 1\r\n\f")
    assert b'"HP Color LaserJet Pro M255dw"' in answer
    assert b"PAGECOUNT=1344" in answer


async def test_raw_job(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    total = sim.state.counters["total_pages"]
    payload = (
        UEL
        + b'@PJL JOB NAME="report"\r\n@PJL ENTER LANGUAGE=PDF\r\n'
        + PDF_2_PAGES
        + UEL
        + b"@PJL EOJ\r\n"
        + UEL
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    for offset in range(0, len(payload), 50):
        writer.write(payload[offset : offset + 50])
        await writer.drain()
    writer.write_eof()
    await reader.read()
    writer.close()
    await writer.wait_closed()
    for _ in range(100):
        if sim.jobs:
            break
        await asyncio.sleep(0.01)
    await sim.wait_for_jobs()
    job = sim.jobs[0]
    assert job.source == "raw"
    assert job.name == "report"
    assert job.document() == payload
    assert job.detected_format == "application/pdf"
    assert sim.state.counters["total_pages"] == (total or 0) + 2


async def test_plain_data_without_pjl(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("envy-4520")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.write(b"%!PS-Adobe-3.0\n%%Page: 1 1\nshowpage\n%%Page: 2 2\nshowpage\n")
    writer.write_eof()
    await reader.read()
    writer.close()
    await writer.wait_closed()
    for _ in range(100):
        if sim.jobs:
            break
        await asyncio.sleep(0.01)
    assert sim.jobs[0].detected_format == "application/postscript"
    assert sim.jobs[0].pages == 2


async def test_inkjet_ignores_pjl_status(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("envy-4520")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.write(UEL + b"@PJL INFO STATUS\r\n" + UEL)
    writer.write_eof()
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()
    assert sim.jobs == []


def test_parser_splits_uel_across_chunks() -> None:
    from simulator.profiles import get_profile
    from simulator.state import PrinterState

    parser = PjlParser(
        PrinterState(get_profile("color-laserjet-pro-m255dw"), "x"), True
    )
    stream = (
        UEL + b"@PJL INFO STATUS\r\n" + UEL + b"\x1bE data" + UEL + b"@PJL INFO ID\r\n"
    )
    for byte in stream:
        parser.feed(bytes([byte]))
    assert parser.saw_data
    assert len(parser.replies) == 2


async def test_long_pjl_header_becomes_a_job(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.raw_port)
    writer.write(UEL + b"@PJL COMMENT " + b"x" * 70000 + b"\r\n")
    writer.write_eof()
    await reader.read()
    writer.close()
    await writer.wait_closed()
    for _ in range(100):
        if sim.jobs:
            break
        await asyncio.sleep(0.01)
    assert sim.jobs[0].size > 70000


async def test_reset_connection_is_harmless(simulated_printer: PrinterFactory) -> None:
    import socket
    import struct

    sim = await simulated_printer("color-laserjet-pro-m255dw")
    sock = socket.socket()
    sock.connect(("127.0.0.1", sim.raw_port))
    sock.sendall(b"%PDF-1.4 partial")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # RST
    await asyncio.sleep(0.1)
    # Still serving.
    answer = await exchange(sim.raw_port, UEL + b"@PJL INFO STATUS\r\n" + UEL)
    assert answer.startswith(b"@PJL INFO STATUS")


def documented_ustatus_answer() -> bytes:
    """The manual's INFO USTATUS sample (defaults), notation turned into bytes."""
    sample = (
        FIXTURES
        / "pjl/HP-LaserJet-4__PJL_INFO-STATUS_INFO-USTATUS_documented-sample.txt"
    ).read_text()
    section = sample.split("--- response to @PJL INFO USTATUS")[1]
    text = section[section.index("@PJL INFO USTATUS") :]
    text = text[: text.index("<FF>") + len("<FF>")]
    return text.replace("<CR><LF>\n", "\r\n").replace("<FF>", "\f").encode("ascii")


async def test_info_ustatus(simulated_printer: PrinterFactory) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    default = documented_ustatus_answer()
    answer = await exchange(sim.raw_port, UEL + b"@PJL INFO USTATUS\r\n" + UEL)
    assert answer == default
    # Settings of the connection show; invalid ones are ignored.
    answer = await exchange(
        sim.raw_port,
        UEL
        + b"@PJL USTATUS DEVICE = VERBOSE\r\n@PJL USTATUS TIMED=30\r\n"
        + b"@PJL USTATUS PAGE=LOUD\r\n@PJL USTATUS TIMED=3\r\n"
        + b"@PJL USTATUS COLOR=ON\r\n@PJL INFO USTATUS\r\n"
        + b"@PJL USTATUSOFF\r\n@PJL INFO USTATUS\r\n"
        + UEL,
        until=2,
    )
    first, second, _ = answer.split(b"\f")
    assert first + b"\f" == default.replace(b"DEVICE=OFF", b"DEVICE=VERBOSE").replace(
        b"TIMED=0", b"TIMED=30"
    )
    assert second + b"\f" == default
    # A new connection starts from the defaults.
    answer = await exchange(sim.raw_port, UEL + b"@PJL INFO USTATUS\r\n" + UEL)
    assert answer == default


def test_ustatus_silent_profile() -> None:
    from simulator.profiles import get_profile
    from simulator.state import PrinterState

    parser = PjlParser(PrinterState(get_profile("smart-tank-580"), "seed"), False)
    parser.feed(UEL + b"@PJL INFO USTATUS\r\n" + UEL)
    assert parser.replies == []
