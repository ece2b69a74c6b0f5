"""Raw port printing (JetDirect/AppSocket, "port 9100") with PJL status readback.

A connection may carry PJL commands, a print job, or both. ``@PJL INFO``
commands are answered as they arrive (docs/protocols.md §8, HP PJL Technical
Reference); everything else is a job whose bytes are stored exactly as sent.
Profiles whose real printers ignore PJL status (many inkjets) stay silent.
``@PJL USTATUS`` settings are kept per connection and listed by ``@PJL INFO
USTATUS``, but no unsolicited status is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any, Final

from ._aio import cancel_and_wait

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .jobs import JobManager
    from .state import PrinterState

UEL: Final = b"\x1b%-12345X"
# Unsolicited status variables: (default, allowed values) as INFO USTATUS
# lists them (HP PJL Technical Reference, "Status Readback Commands").
_USTATUS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "DEVICE": ("OFF", ("OFF", "ON", "VERBOSE")),
    "JOB": ("OFF", ("OFF", "ON")),
    "PAGE": ("OFF", ("OFF", "ON")),
}
_TIMED_RANGE: Final = (5, 300)
_PREFIX_LIMIT: Final = 64 * 1024
_READ: Final = 64 * 1024


def pjl_status(state: PrinterState) -> tuple[int, str, bool]:
    """(CODE, DISPLAY, ONLINE) of ``@PJL INFO STATUS`` for the state."""
    conditions = state.conditions()
    if conditions:
        top = conditions[0]
        return top.pjl_code, top.message, not top.blocking
    if state.printing:
        return 10023, "Printing", True
    if state.power_save:
        # PJL Technical Reference: 35078 "Entered powersave mode".
        return 35078, "Power Save", True
    return 10001, "Ready", True


class PjlParser:
    """Splits a raw stream into PJL commands and job data."""

    def __init__(self, state: PrinterState, answer: bool) -> None:
        """Answer INFO commands for ``state`` when ``answer``."""
        self.state = state
        self.answer = answer
        self.replies: list[bytes] = []
        self.job_name: str | None = None
        self.saw_data = False
        self._pjl = True
        self._pending = b""
        self.ustatus: dict[str, str] = self._ustatus_defaults()
        """USTATUS settings of this connection (accepted, never sent)."""

    @staticmethod
    def _ustatus_defaults() -> dict[str, str]:
        return {name: default for name, (default, _) in _USTATUS.items()} | {
            "TIMED": "0"
        }

    def feed(self, data: bytes) -> None:
        """Consume bytes; replies accumulate in :attr:`replies`."""
        data = self._pending + data
        self._pending = b""
        while data:
            if self._pjl:
                data = data.lstrip(b"\r\n\t ")
                if data.startswith(UEL):
                    data = data[len(UEL) :]
                    continue
                if not data:
                    return
                if UEL.startswith(data) or (
                    data.startswith(b"@") and b"\n" not in data
                ):
                    self._pending = data
                    return
                if data.startswith(b"@PJL"):
                    line, _, data = data.partition(b"\n")
                    self._command(line.strip().decode("latin-1"))
                    continue
                self._pjl = False
                self.saw_data = True
            else:
                index = data.find(UEL)
                if index < 0:
                    # Keep a possible partial UEL for the next chunk.
                    keep = next(
                        (
                            n
                            for n in range(len(UEL) - 1, 0, -1)
                            if data.endswith(UEL[:n])
                        ),
                        0,
                    )
                    self._pending = data[len(data) - keep :] if keep else b""
                    return
                data = data[index + len(UEL) :]
                self._pjl = True

    def _command(self, line: str) -> None:
        upper = line.upper()
        if match := re.match(
            r'@PJL\s+JOB\b.*NAME\s*=\s*"([^"]*)"', line, re.IGNORECASE
        ):
            self.job_name = match.group(1)
        if re.match(r"@PJL\s+ENTER\s+LANGUAGE", upper):
            self._pjl = False
            self.saw_data = True
            return
        if not self.answer:
            return
        if match := re.match(r"@PJL\s+ECHO\b\s*(.*)", line, re.IGNORECASE):
            self.replies.append(f"@PJL ECHO {match.group(1)}\r\n\f".encode())
        elif re.match(r"@PJL\s+INFO\s+STATUS", upper):
            code, display, online = pjl_status(self.state)
            self.replies.append(
                (
                    f"@PJL INFO STATUS\r\nCODE={code}\r\n"
                    f'DISPLAY="{display}"\r\nONLINE={"TRUE" if online else "FALSE"}'
                    "\r\n\f"
                ).encode()
            )
        elif re.match(r"@PJL\s+INFO\s+ID", upper):
            model = self.state.profile.identity.model
            self.replies.append(f'@PJL INFO ID\r\n"{model}"\r\n\f'.encode())
        elif re.match(r"@PJL\s+INFO\s+USTATUS", upper):
            self.replies.append(self._info_ustatus())
        elif match := re.match(r"@PJL\s+USTATUS\s+(\w+)\s*=\s*(\w+)", upper):
            self._set_ustatus(match.group(1), match.group(2))
        elif re.match(r"@PJL\s+USTATUSOFF", upper):
            self.ustatus = self._ustatus_defaults()
        elif re.match(r"@PJL\s+INFO\s+PAGECOUNT", upper):
            pages = self.state.counters.get("total_pages") or 0
            self.replies.append(
                f"@PJL INFO PAGECOUNT\r\nPAGECOUNT={pages}\r\n\f".encode()
            )

    def _set_ustatus(self, name: str, value: str) -> None:
        """Keep a valid setting; a printer ignores invalid ones."""
        if name == "TIMED":
            seconds = int(value) if value.isdigit() else -1
            low, high = _TIMED_RANGE
            if seconds == 0 or low <= seconds <= high:
                self.ustatus[name] = str(seconds)
        elif name in _USTATUS and value in _USTATUS[name][1]:
            self.ustatus[name] = value

    def _info_ustatus(self) -> bytes:
        lines = ["@PJL INFO USTATUS"]
        for name, (_, allowed) in _USTATUS.items():
            lines.append(f"{name}={self.ustatus[name]} [{len(allowed)} ENUMERATED]")
            lines.extend(allowed)
        low, high = _TIMED_RANGE
        lines += [f"TIMED={self.ustatus['TIMED']} [2 RANGE]", str(low), str(high)]
        return ("\r\n".join(lines) + "\r\n\f").encode()


class RawServer:
    """The raw printing port of one printer."""

    def __init__(self, state: PrinterState, jobs: JobManager) -> None:
        """Serve ``state``'s printer, storing jobs in ``jobs``."""
        self.state = state
        self.jobs = jobs
        self.server: asyncio.Server | None = None
        self.port = 0
        self._handlers: set[asyncio.Task[Any]] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen on ``port`` (0: any free port); returns the port."""
        self.server = await asyncio.start_server(
            self._handle, host, port, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening, reset open connections and end their handlers.

        A job still arriving is aborted, as when a printer drops off the
        network; none is queued after this returns.
        """
        if self.server is not None:
            server, self.server = self.server, None
            server.close()
            server.abort_clients()
            await cancel_and_wait(*self._handlers)
            await server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        parser = PjlParser(self.state, self.state.profile.pjl_status)
        prefix = bytearray()
        try:
            while not parser.saw_data and len(prefix) < _PREFIX_LIMIT:
                chunk = await reader.read(_READ)
                if not chunk:
                    break
                prefix += chunk
                parser.feed(chunk)
                await self._flush(parser, writer)
            if parser.saw_data or len(prefix) >= _PREFIX_LIMIT:
                job = self.jobs.new_job("raw", name=parser.job_name or "Raw job")
                try:
                    await self.jobs.receive(
                        job, bytes(prefix), self._rest(reader, parser, writer)
                    )
                except BaseException:
                    self.jobs.abort(job, "aborted-by-system")
                    raise
                job.document_format = job.detected_format or job.document_format
                if parser.job_name:
                    job.name = parser.job_name
                self.jobs.enqueue(job)
            await self._flush(parser, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _rest(
        self,
        reader: asyncio.StreamReader,
        parser: PjlParser,
        writer: asyncio.StreamWriter,
    ) -> AsyncIterator[bytes]:
        while chunk := await reader.read(_READ):
            parser.feed(chunk)
            await self._flush(parser, writer)
            yield chunk

    async def _flush(self, parser: PjlParser, writer: asyncio.StreamWriter) -> None:
        if parser.replies:
            writer.write(b"".join(parser.replies))
            parser.replies.clear()
            await writer.drain()
