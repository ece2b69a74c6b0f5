"""Processes, Home Assistant's log, the REST/WebSocket client and the step runner."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import fcntl
import json
import os
from pathlib import Path
import re
import signal
import socket
import struct
import sys
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

REPO: Final = Path(__file__).resolve().parent.parent
STUBS: Final = Path(__file__).resolve().parent / "stubs"


class StepError(Exception):
    """A check of a step failed; the message says what was expected."""


def check(condition: object, message: str) -> None:
    """Fail the running step with ``message`` unless ``condition`` holds."""
    if not condition:
        raise StepError(message)


def isolate_network() -> str:
    """Move this process (and its future children) into a network of its own.

    The new network namespace has only a loopback interface: Home Assistant's
    default integrations cannot reach anything outside the machine (the
    marketplace reads a catalog from the internet at startup), and nothing can
    be installed at runtime. Needs root (or CAP_SYS_ADMIN); returns what was done.
    """
    try:
        os.unshare(os.CLONE_NEWNET)
    except (AttributeError, OSError) as err:
        return f"network not isolated ({err})"
    # A new namespace's loopback interface is down: bring it up (SIOCSIFFLAGS),
    # with multicast, which Home Assistant's zeroconf (its DNS resolver) joins.
    siocgifflags, siocsifflags, iff_up, iff_multicast = 0x8913, 0x8914, 0x1, 0x1000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, siocgifflags, request))[1]
        flags |= iff_up | iff_multicast
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH22x", b"lo", flags))
    # zeroconf joins its group on the default interface: route multicast to lo.
    _add_route("224.0.0.0", 4, socket.if_nametoindex("lo"))
    return "network: loopback only"


def _add_route(destination: str, prefix: int, interface: int) -> None:
    """``ip route add DESTINATION/PREFIX dev INTERFACE``, over rtnetlink."""
    rtm_newroute, rt_table_main, rtprot_boot, rt_scope_link, rtn_unicast = (
        24,
        254,
        3,
        253,
        1,
    )
    rta_dst, rta_oif = 1, 4
    flags = 0x1 | 0x4 | 0x200 | 0x400  # REQUEST, ACK, EXCL, CREATE
    body = struct.pack(
        "BBBBBBBBI",
        socket.AF_INET,
        prefix,
        0,
        0,
        rt_table_main,
        rtprot_boot,
        rt_scope_link,
        rtn_unicast,
        0,
    )
    body += struct.pack("HH4s", 8, rta_dst, socket.inet_aton(destination))
    body += struct.pack("HHI", 8, rta_oif, interface)
    header = struct.pack("IHHII", 16 + len(body), rtm_newroute, flags, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as sock:  # NETLINK_ROUTE
        sock.sendto(header + body, (0, 0))
        answer = sock.recv(4096)
    # An NLMSG_ERROR acknowledgement: error 0 is success.
    error = struct.unpack_from("i", answer, 16)[0]
    if error:
        raise OSError(-error, f"adding the route {destination}/{prefix} failed")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_for(
    probe: Callable[[], Awaitable[Any]],
    what: str,
    limit: float,
    interval: float = 0.25,
) -> Any:
    """Call ``probe`` until it returns something truthy; fail after ``limit`` s."""
    deadline = time.monotonic() + limit
    last: Any = None
    while True:
        last = await probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise StepError(f"timed out after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


# --- processes -------------------------------------------------------------------------


class Process:
    """A child process whose output goes to a file (nothing can block on a pipe)."""

    def __init__(
        self,
        name: str,
        args: list[str],
        output: Path,
        env: dict[str, str],
        cwd: Path | None = None,
    ) -> None:
        """Describe the process; :meth:`start` runs it in ``cwd`` (default: output's)."""
        self.name = name
        self.args = args
        self.output = output
        self.env = env
        # ``python -m`` puts the working directory first on sys.path.
        self.cwd = cwd or output.parent
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it in the background."""
        with self.output.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *self.args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
            )

    @property
    def returncode(self) -> int | None:
        """Exit status once it has ended."""
        return None if self.proc is None else self.proc.returncode

    def text(self) -> str:
        """Everything it printed so far."""
        try:
            return self.output.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    async def stop(self, grace: float = 60.0) -> int | None:
        """SIGTERM, then SIGKILL after ``grace`` s; returns the exit status."""
        if self.proc is None or self.proc.returncode is not None:
            return self.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        return self.proc.returncode


def child_env(pythonpath: Path) -> dict[str, str]:
    """This process's environment with only ``pythonpath`` on ``PYTHONPATH``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(pythonpath)
    env.pop("PYTHONSTARTUP", None)
    return env


@dataclass
class SimulatedPrinters:
    """``python -m simulator`` serving one profile (COUNT printers)."""

    profile: str
    workdir: Path
    count: int = 1
    page_seconds: float = 0.2
    urls: list[str] = field(default_factory=list)
    process: Process | None = None

    async def start(self, limit: float = 60.0) -> list[str]:
        """Start the printers; returns their URLs once all accept connections."""
        self.process = Process(
            f"simulator {self.profile}",
            [
                sys.executable,
                "-m",
                "simulator",
                "--profile",
                self.profile,
                "--port",
                "0",
                "--count",
                str(self.count),
                "--page-seconds",
                str(self.page_seconds),
            ],
            self.workdir / f"simulator-{self.profile}.out",
            child_env(REPO),
        )
        await self.process.start()
        process = self.process

        async def ready() -> list[str] | None:
            if process.returncode is not None:
                raise StepError(
                    f"{process.name} exited ({process.returncode}): {process.text()[-800:]}"
                )
            lines = re.findall(r"^ready (\S+) ", process.text(), re.MULTILINE)
            return lines if len(lines) == self.count else None

        self.urls = await wait_for(ready, f"{process.name} to be ready", limit)
        return self.urls


def sim_session() -> aiohttp.ClientSession:
    """A session for the simulators' control API (self-signed HTTPS included)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=False),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def sim_request(
    session: aiohttp.ClientSession, method: str, url: str, body: Any = None
) -> Any:
    """Call a simulator's ``/_sim/`` API; returns the JSON answer."""
    async with session.request(method, url, json=body) as response:
        text = await response.text()
        check(response.status == 200, f"{method} {url}: HTTP {response.status}: {text}")
        return json.loads(text)


# --- Home Assistant's log --------------------------------------------------------------

RECORD_START: Final = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)? "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"\((?P<thread>[^)]*)\) \[(?P<logger>[^\]]+)\] "
)
PROBLEM_LEVELS: Final = frozenset({"WARNING", "ERROR", "CRITICAL"})
ALLOWED: Final = (
    # Printed for every custom integration, once, at startup.
    "We found a custom integration hp_ews which has not been tested by Home Assistant",
)
DEPRECATION: Final = re.compile(
    r"report_usage|deprecat|will stop working|Detected that custom integration",
    re.IGNORECASE,
)


@dataclass
class LogRecord:
    """One record of Home Assistant's console output, continuation lines included."""

    level: str
    logger: str
    lines: list[str]

    @property
    def text(self) -> str:
        """The whole record."""
        return "\n".join(self.lines)

    def problem(self) -> str | None:
        """Why this record fails the smoke test, or None."""
        text = self.text
        if "Traceback (most recent call last)" in text:
            return "traceback"
        names_us = "hp_ews" in text or "hp_ews" in self.logger
        if not names_us or any(allowed in text for allowed in ALLOWED):
            return None
        if self.level in PROBLEM_LEVELS:
            return f"{self.level} naming hp_ews"
        if DEPRECATION.search(text):
            return "deprecation naming hp_ews"
        return None


class LogWatcher:
    """Reads the records Home Assistant printed since the last look."""

    def __init__(self, path: Path) -> None:
        """Follow the console output in ``path``."""
        self.path = path
        self._offset = 0
        self._buffer = ""
        self._current: LogRecord | None = None
        self.records: list[LogRecord] = []

    def read(self, final: bool = False) -> list[LogRecord]:
        """Records completed since the last call (``final``: all of them)."""
        try:
            with self.path.open("rb") as file:
                file.seek(self._offset)
                data = file.read()
        except FileNotFoundError:
            data = b""
        self._offset += len(data)
        self._buffer += data.decode("utf-8", errors="replace")
        *lines, self._buffer = self._buffer.split("\n")
        done: list[LogRecord] = []
        for line in lines:
            if match := RECORD_START.match(line):
                if self._current is not None:
                    done.append(self._current)
                self._current = LogRecord(
                    match["level"], match["logger"], [line.rstrip()]
                )
            elif self._current is not None:
                self._current.lines.append(line.rstrip())
            elif line.strip():
                # Output before the first record (e.g. an import error).
                self._current = LogRecord("STDERR", "", [line.rstrip()])
        if final:
            if self._buffer.strip():
                if self._current is None:
                    self._current = LogRecord("STDERR", "", [])
                self._current.lines.append(self._buffer.rstrip())
                self._buffer = ""
            if self._current is not None:
                done.append(self._current)
                self._current = None
        # The open record may still get continuation lines: keep it back.
        self.records.extend(done)
        return done

    def problems(self, final: bool = False) -> list[str]:
        """The failing records since the last look, one text each."""
        return [
            f"{reason}: {record.text}"
            for record in self.read(final)
            if (reason := record.problem())
        ]


# --- Home Assistant ---------------------------------------------------------------------


class HomeAssistantAPI:
    """The REST and WebSocket APIs, as the frontend uses them."""

    def __init__(self, base_url: str) -> None:
        """Talk to Home Assistant at ``base_url``."""
        self.base_url = base_url
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        self.token: str | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_id = 0

    async def close(self) -> None:
        """Close the connections (safe to call twice)."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        await self.session.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: int = 200,
        form: dict[str, str] | None = None,
    ) -> Any:
        """Call the REST API; returns the decoded JSON (or text) answer."""
        async with self.session.request(
            method,
            self.base_url + path,
            json=body,
            data=form,
            headers=self._headers(),
        ) as response:
            text = await response.text()
            check(
                response.status == expect,
                f"{method} {path}: HTTP {response.status} (expected {expect}): {text[:2000]}",
            )
            if response.content_type == "application/json" or text[:1] in "[{":
                return json.loads(text) if text else None
            return text

    async def status(self, path: str) -> int | None:
        """HTTP status of an unauthenticated GET, None while nothing listens."""
        try:
            async with self.session.get(
                self.base_url + path, timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send a WebSocket command; returns its result or fails the step."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(self.base_url + "/api/websocket")
            hello = await self._ws.receive_json()
            check(hello.get("type") == "auth_required", f"WebSocket said {hello}")
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            auth = await self._ws.receive_json()
            check(auth.get("type") == "auth_ok", f"WebSocket auth: {auth}")
        self._ws_id += 1
        await self._ws.send_json({"id": self._ws_id, **message})
        while True:
            answer = await asyncio.wait_for(self._ws.receive_json(), 60)
            if answer.get("id") == self._ws_id and answer.get("type") == "result":
                break
        check(answer.get("success"), f"WebSocket {message['type']}: {answer}")
        return answer.get("result")


# --- steps ----------------------------------------------------------------------------


@dataclass
class StepResult:
    """The outcome of one step."""

    name: str
    status: str
    """PASS, FAIL or SKIP."""
    seconds: float
    detail: str = ""


class Runner:
    """Runs steps in order, times them and prints one line per step."""

    def __init__(self, total: float, log: LogWatcher | None = None) -> None:
        """Start with no results; all steps together get ``total`` seconds.

        ``log`` is checked after every step.
        """
        self.log = log
        self.results: list[StepResult] = []
        self.started = time.monotonic()
        self.deadline = self.started + total

    def passed(self, name: str) -> bool:
        """Whether the step called ``name`` ran and passed."""
        return any(r.name == name and r.status == "PASS" for r in self.results)

    async def step(
        self,
        name: str,
        action: Callable[[], Awaitable[str | None]],
        *,
        needs: tuple[str, ...] = (),
        limit: float = 120.0,
    ) -> bool:
        """Run one step unless a step it needs did not pass; True if it passed."""
        missing = [need for need in needs if not self.passed(need)]
        if missing:
            self._report(StepResult(name, "SKIP", 0.0, f"needs: {', '.join(missing)}"))
            return False
        start = time.monotonic()
        # Whatever hangs, the whole run ends in time (CI has a limit too).
        limit = min(limit, self.deadline - start)
        if limit <= 0:
            self._report(StepResult(name, "FAIL", 0.0, "the run's time limit is over"))
            return False
        status, detail = "PASS", ""
        try:
            said: str | None = await asyncio.wait_for(action(), limit)
            detail = said or ""
        except StepError as err:
            status, detail = "FAIL", str(err)
        except TimeoutError:
            status, detail = "FAIL", f"timed out after {limit:.0f} s"
        except Exception as err:  # noqa: BLE001 - any error fails the step, not the run
            status, detail = "FAIL", f"{type(err).__name__}: {err}"
        seconds = time.monotonic() - start
        if self.log is not None:
            # Let records the step caused reach the output.
            await asyncio.sleep(0.3)
            if problems := self.log.problems():
                status = "FAIL"
                detail = "\n".join(filter(None, [detail, "log: " + problems[0]]))
                detail += "".join(f"\nlog: {p}" for p in problems[1:])
        self._report(StepResult(name, status, seconds, detail))
        return status == "PASS"

    def _report(self, result: StepResult) -> None:
        self.results.append(result)
        line = f"  {result.status:4}  {result.seconds:6.1f} s  {result.name}"
        detail = result.detail
        if result.status == "PASS" and detail:
            line += f" ({detail})"
            detail = ""
        print(line, flush=True)
        for text in detail.splitlines():
            print(f"                   {text}", flush=True)

    @property
    def failed(self) -> bool:
        """Whether a step failed or was skipped so far."""
        return any(r.status != "PASS" for r in self.results)

    def summary(self) -> int:
        """Print the totals; returns the exit status."""
        passed = sum(r.status == "PASS" for r in self.results)
        failed = sum(r.status == "FAIL" for r in self.results)
        skipped = sum(r.status == "SKIP" for r in self.results)
        elapsed = time.monotonic() - self.started
        print(f"smoke: {len(self.results)} steps in {elapsed:.1f} s", flush=True)
        for result in self.results:
            if result.status == "FAIL":
                print(f"smoke: FAILED {result.name}", flush=True)
        totals = f"{passed} passed, {failed} failed"
        if skipped:
            totals += f", {skipped} skipped"
        print(f"smoke: {totals}", flush=True)
        return 0 if failed == 0 and skipped == 0 else 1
