"""The command line: ready lines, --count, --list-profiles, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from typing import TYPE_CHECKING

import pytest

from simulator.__main__ import main
from simulator.profiles import PROFILES

from .helpers import get_text

if TYPE_CHECKING:
    import aiohttp


def free_ports(count: int) -> int:
    """A base port with ``count`` consecutive free ports after it."""
    for base in range(43000 + os.getpid() % 500 * 4, 60000, count + 3):
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise AssertionError("no free ports")


async def test_ready_lines_and_sigterm(http: aiohttp.ClientSession) -> None:
    port = free_ports(2)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--profile",
        "officejet-pro-9022e",
        "--port",
        str(port),
        "--count",
        "2",
        "--page-seconds",
        "0.01",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            lines = [
                (await process.stdout.readline()).decode().strip() for _ in range(2)
            ]
        for index, line in enumerate(lines):
            word, url, raw, profile = line.split(" ")
            assert (word, url, profile) == (
                "ready",
                f"http://127.0.0.1:{port + index}",
                "profile=officejet-pro-9022e",
            )
            assert raw.startswith("raw=")
            # It accepts connections as soon as it says so.
            status, _, _ = await get_text(http, url + "/DevMgmt/ProductStatusDyn.xml")
            assert status == 200
            raw_port = int(raw.removeprefix("raw="))
            _reader, writer = await asyncio.open_connection("127.0.0.1", raw_port)
            writer.close()
            await writer.wait_closed()
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await process.wait()
    assert code == 0


async def test_port_in_use_fails() -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            "--profile",
            "envy-4520",
            "--port",
            str(port),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(30):
            _out, err = await process.communicate()
        assert process.returncode == 1
        assert b"error:" in err
    finally:
        blocker.close()


async def test_all_profiles(http: aiohttp.ClientSession) -> None:
    port = free_ports(len(PROFILES))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--all-profiles",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            lines = [
                (await process.stdout.readline()).decode().split() for _ in PROFILES
            ]
        assert [line[3] for line in lines] == [f"profile={name}" for name in PROFILES]
        scheme = {True: "https", False: "http"}
        assert [line[1] for line in lines] == [
            f"{scheme[p.https]}://127.0.0.1:{port + i}"
            for i, p in enumerate(PROFILES.values())
        ]
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            assert await process.wait() == 0


def test_list_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-profiles"]) == 0
    names = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert names == list(PROFILES)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--profile", "envy-4520", "--count", "0"],
        ["--profile", "nope"],
        ["--profile", "envy-4520", "--sleep-after", "-1"],
    ],
)
def test_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_in_process_run_until_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    """main() itself: a ready line, then a clean return on SIGINT."""
    import io

    class Stdout(io.StringIO):
        def write(self, text: str) -> int:
            if text.startswith("ready "):
                # Handlers are installed before the first ready line.
                signal.raise_signal(signal.SIGINT)
            return super().write(text)

    out = Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    assert (
        main(
            [
                "--profile",
                "pagewide-mfp-p57750",
                "--page-seconds",
                "0.01",
                "--sleep-after",
                "600",
            ]
        )
        == 0
    )
    assert out.getvalue().startswith("ready http://127.0.0.1:")
