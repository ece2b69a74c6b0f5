"""Command line: probe, snapshot, capture and print to HP printers.

    python -m custom_components.hp_ews.client snapshot URL --json
    python -m custom_components.hp_ews.client snapshot --capture DIR --json
    python -m custom_components.hp_ews.client probe URL
    python -m custom_components.hp_ews.client capture URL DIR
    python -m custom_components.hp_ews.client print URL FILE [--copies N]
        [--sides one-sided|two-sided-long-edge|two-sided-short-edge]
        [--media NAME] [--color-mode MODE] [--pages 1-3,5] [--wait] [--json]
    python -m custom_components.hp_ews.client forecast TRACE.csv [--json]
    python -m custom_components.hp_ews.client maintenance URL [KEY] [--json]
    python -m custom_components.hp_ews.client scan URL [--source auto|glass|feeder]
        [--duplex] [--color-mode color|grayscale|black_and_white]
        [--resolution DPI] [--format pdf|jpeg] --output PATH [--json]
    python -m custom_components.hp_ews.client scanner URL --json

``snapshot --json`` prints one JSON object: ``info``, ``status``,
``supplies``, ``counters``, ``ipp``, ``sources``, ``trays`` and ``firmware``,
with the field names of the models in ``models.py``, enums as their string
values and times in ISO 8601. ``print``
takes the path the Home Assistant action takes (``HPPrinter.probe`` then
``print_document``: format negotiation, conversion, streaming, job
following); FILE ``-`` reads standard input. It prints the job id and state,
or with ``--json`` the ``PrintResult`` fields. ``scan`` takes the path
the Home Assistant action takes (``HPPrinter.scan``): ``--output`` names
the file (``letter.pdf``; JPEG pages become ``letter-1.jpg``, ``-2`` ...;
a taken name gets `` (2)``) or an existing folder (the name is then
``scan-<date>-<time>``); ``--json`` prints ``files[]``, ``pages``,
``format``, ``source`` and ``size``. ``scanner --json`` prints the
scanner's ``sources[]``, ``color_modes[]``, ``resolutions[]``,
``formats[]``, ``duplex``, ``make_and_model``, and its status now:
``adf_loaded`` and ``state``. ``--escl URL`` gives either the eSCL root
(e.g. ``http://host:8080/eSCL``) instead of looking for it. Library errors
exit with status 1 and one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from datetime import UTC, datetime
import json
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Any

import aiohttp

from . import (
    ORIENTATIONS,
    QUALITIES,
    READ_CHUNK,
    SIDES,
    CaptureTransport,
    HPEWSError,
    HPEWSTraceError,
    HPPrinter,
    PrintOptions,
    ScanColorMode,
    ScanFormat,
    ScanOptions,
    ScanSource,
    forecast_supply,
    parse_page_ranges,
    parse_trace,
    profile_from_capture,
    read_capture,
    write_capture,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from . import DocumentSource, PrinterSnapshot, PrinterStatus, PrintResult, Profile


def snapshot_to_dict(snapshot: PrinterSnapshot) -> dict[str, Any]:
    """The stable JSON shape of a snapshot (documented in the README)."""
    info = dataclasses.asdict(snapshot.info)
    booted_at = snapshot.info.booted_at
    info["booted_at"] = booted_at.isoformat() if booted_at is not None else None
    firmware = snapshot.firmware
    return {
        "info": info,
        "status": status_to_dict(snapshot.status),
        "supplies": [dataclasses.asdict(supply) for supply in snapshot.supplies],
        "counters": dataclasses.asdict(snapshot.counters),
        "ipp": dataclasses.asdict(snapshot.ipp) if snapshot.ipp is not None else None,
        "sources": dataclasses.asdict(snapshot.sources),
        "trays": [
            {
                "key": tray.key,
                "name": tray.name,
                "kind": tray.kind,
                "state": tray.state.value,
                "level_percent": tray.level_percent,
                "capacity_sheets": tray.capacity_sheets,
                "media_size": tray.media_size,
                "media_type": tray.media_type,
            }
            for tray in snapshot.trays
        ],
        "firmware": {
            "installed": firmware.installed or snapshot.info.firmware,
            "available": firmware.available,
            "auto_update": firmware.auto_update,
        },
    }


def status_to_dict(status: PrinterStatus) -> dict[str, Any]:
    """Status fields plus the two derived ones dashboards use."""
    data = dataclasses.asdict(status)
    data["in_power_save"] = status.in_power_save
    data["has_problem"] = status.has_problem
    return data


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """A profile as JSON."""
    return dataclasses.asdict(profile)


def print_result_to_dict(result: PrintResult) -> dict[str, Any]:
    """A print result as JSON (``state`` is the IPP job-state keyword)."""
    return dataclasses.asdict(result)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.hp_ews.client",
        description="Read HP printers over CDM, LEDM and IPP.",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per request"
    )
    parser.add_argument(
        "--verify-ssl",
        action="store_true",
        help="verify the printer's TLS certificate (off by default: printers "
        "use self-signed ones)",
    )
    parser.add_argument("--username", help="EWS user name, if the printer asks")
    parser.add_argument("--password", help="EWS password, if the printer asks")
    commands = parser.add_subparsers(dest="command", required=True)

    snapshot = commands.add_parser("snapshot", help="read the printer once")
    source = snapshot.add_mutually_exclusive_group(required=True)
    source.add_argument("url", nargs="?", help="http(s)://host[:port] or host")
    source.add_argument("--capture", type=Path, help="replay a capture directory")
    snapshot.add_argument(
        "--json", action="store_true", help="print JSON (the default)"
    )

    probe = commands.add_parser("probe", help="show which protocols answer")
    probe.add_argument("url")

    capture = commands.add_parser("capture", help="write a redacted capture")
    capture.add_argument("url")
    capture.add_argument("directory", type=Path)

    printing = commands.add_parser(
        "print",
        help="print a file (PDF, JPEG, PNG, text...), converted if the printer "
        "needs it",
    )
    printing.add_argument("url")
    printing.add_argument("file", help="the document; - reads standard input")
    printing.add_argument("--copies", type=int, default=1)
    printing.add_argument("--sides", choices=SIDES)
    printing.add_argument("--media", help="PWG name or alias: A4, letter, 4x6...")
    printing.add_argument(
        "--color-mode", help="print-color-mode: color, monochrome, auto..."
    )
    printing.add_argument("--orientation", choices=tuple(ORIENTATIONS))
    printing.add_argument("--quality", choices=tuple(QUALITIES))
    printing.add_argument("--pages", help="page ranges, e.g. 1-3,5")
    printing.add_argument("--job-name")
    printing.add_argument(
        "--format", dest="document_format", help="MIME type (default: sniffed)"
    )
    printing.add_argument(
        "--wait", action="store_true", help="follow the job until it ends"
    )
    printing.add_argument(
        "--wait-timeout", type=float, default=300.0, help="seconds to follow it"
    )
    printing.add_argument(
        "--raw-formats",
        help="for printers without IPP: MIME types the raw port accepts (comma "
        "separated, e.g. the mDNS pdl key); the document goes to port 9100",
    )
    printing.add_argument("--raw-port", type=int, default=9100)
    printing.add_argument("--json", action="store_true", help="print JSON")

    forecast = commands.add_parser(
        "forecast",
        help="when a supply runs out, from a CSV trace: time (ISO 8601), "
        "level (percent, empty when unknown) and optionally pages",
    )
    forecast.add_argument("trace", type=Path)
    forecast.add_argument(
        "--json", action="store_true", help="print JSON (the default)"
    )

    upkeep = commands.add_parser(
        "maintenance",
        help="list the reports, cleanings and alignments the printer offers, "
        "or run one (KEY)",
    )
    upkeep.add_argument("url")
    upkeep.add_argument("key", nargs="?", help="the action to run, as listed")
    upkeep.add_argument("--json", action="store_true", help="print JSON")

    scan = commands.add_parser("scan", help="scan to a PDF or JPEG files")
    scan.add_argument("url")
    scan.add_argument(
        "--source", choices=[s.value for s in ScanSource], default=ScanSource.AUTO
    )
    scan.add_argument("--duplex", action="store_true", help="both sides (feeder)")
    scan.add_argument(
        "--color-mode",
        choices=[m.value for m in ScanColorMode],
        default=ScanColorMode.COLOR,
    )
    scan.add_argument("--resolution", type=int, default=300, help="dpi")
    scan.add_argument(
        "--format", choices=[f.value for f in ScanFormat], default=ScanFormat.PDF
    )
    scan.add_argument(
        "--output", type=Path, required=True, help="file (name.pdf) or folder"
    )
    scan.add_argument("--max-pages", type=int, default=100)
    scan.add_argument("--escl", help="the eSCL root, if not at {printer}/eSCL")
    scan.add_argument("--json", action="store_true", help="print JSON")

    scanner = commands.add_parser(
        "scanner", help="show what the scanner offers and its status"
    )
    scanner.add_argument("url")
    scanner.add_argument("--escl", help="the eSCL root, if not at {printer}/eSCL")
    scanner.add_argument("--json", action="store_true", help="print JSON (the default)")
    return parser


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


async def _run(args: argparse.Namespace) -> str:
    if args.command == "forecast":
        return await _forecast(args.trace)
    if args.command == "snapshot" and args.capture is not None:
        capture = await asyncio.get_running_loop().run_in_executor(
            None, read_capture, args.capture
        )
        printer = HPPrinter("localhost", None, transport=CaptureTransport(capture))
        snapshot = await printer.snapshot(profile_from_capture(capture))
        return _dump(snapshot_to_dict(snapshot))
    async with aiohttp.ClientSession() as session:
        printer = HPPrinter.from_url(
            args.url,
            session,
            timeout=args.timeout,
            verify_ssl=args.verify_ssl,
            **({"username": args.username} if args.username else {}),
            **({"password": args.password} if args.password else {}),
            **({"escl_root": args.escl} if getattr(args, "escl", None) else {}),
        )
        if args.command == "probe":
            return _dump(profile_to_dict(await printer.probe()))
        if args.command == "capture":
            capture = await printer.capture()
            await asyncio.to_thread(write_capture, args.directory, capture)
            return f"Wrote a redacted capture to {args.directory}"
        if args.command == "print":
            return await _print(printer, args)
        if args.command == "maintenance":
            return await _maintenance(printer, args)
        if args.command == "scan":
            return await _scan(printer, args)
        if args.command == "scanner":
            return await _scanner(printer)
        return _dump(snapshot_to_dict(await printer.snapshot()))


async def _print(printer: HPPrinter, args: argparse.Namespace) -> str:
    """The Home Assistant action's path: probe, then print_document."""
    stdin = args.file == "-"
    options = PrintOptions(
        copies=args.copies,
        sides=args.sides,
        color_mode=args.color_mode,
        media=args.media,
        orientation=args.orientation,
        page_ranges=parse_page_ranges(args.pages) if args.pages else (),
        quality=args.quality,
        job_name=args.job_name or (None if stdin else Path(args.file).name),
    )
    source: DocumentSource = _stdin() if stdin else Path(args.file)
    await printer.probe()
    result = await printer.print_document(
        source,
        options,
        document_format=args.document_format,
        wait=args.wait,
        wait_timeout=args.wait_timeout,
        raw_formats=args.raw_formats.split(",") if args.raw_formats else None,
        raw_port=args.raw_port,
    )
    if args.json:
        return _dump(print_result_to_dict(result))
    pages = f", {result.pages} pages" if result.pages is not None else ""
    return f"Job {result.job_id}: {result.state} ({result.document_format}{pages})"


async def _maintenance(printer: HPPrinter, args: argparse.Namespace) -> str:
    """List the printer's maintenance actions, or run the one named KEY."""
    if args.key is not None:
        await printer.run_maintenance(args.key)
        if args.json:
            return _dump({"key": args.key, "started": True})
        return f"Started {args.key}"
    actions = await printer.maintenance_actions()
    if args.json:
        return _dump(
            {
                "actions": [
                    {"key": action.key, "name": action.name, "kind": action.kind}
                    for action in actions
                ]
            }
        )
    lines = [f"{action.key}\t{action.name}" for action in actions]
    return "\n".join(lines) or "The printer offers no maintenance actions"


async def _scan(printer: HPPrinter, args: argparse.Namespace) -> str:
    """The Home Assistant action's path: ``HPPrinter.scan``."""
    output: Path = args.output
    if await asyncio.to_thread(output.is_dir):
        directory, name = (
            output,
            datetime.now(UTC).astimezone().strftime("scan-%Y%m%d-%H%M%S"),
        )
    else:
        directory, name = output.parent, output.stem
    result = await printer.scan(
        ScanOptions(
            source=ScanSource(args.source),
            duplex=args.duplex,
            color_mode=ScanColorMode(args.color_mode),
            resolution=args.resolution,
            format=ScanFormat(args.format),
        ),
        directory,
        name,
        max_pages=args.max_pages,
    )
    if args.json:
        return _dump(
            {
                "files": [str(path) for path in result.files],
                "pages": result.pages,
                "format": result.format,
                "source": result.source,
                "size": result.size,
            }
        )
    return "\n".join(str(path) for path in result.files)


async def _scanner(printer: HPPrinter) -> str:
    """Capabilities and status of the scanner as one JSON object."""
    capabilities = await printer.scanner_capabilities()
    status = await printer.scanner_status()
    return _dump(
        {
            **dataclasses.asdict(capabilities),
            "adf_loaded": status.adf_loaded,
            "state": status.state,
        }
    )


MAX_TRACE_BYTES = 64 * 1024 * 1024


async def _forecast(path: Path) -> str:
    """The forecast as of the trace's last row (``forecast_supply``)."""
    points = parse_trace(await asyncio.to_thread(_read_trace, path))
    forecast = forecast_supply(points)
    return _dump(
        {
            "runs_out": _iso(forecast.runs_out) if forecast else None,
            "days_remaining": (
                round(forecast.days_remaining, 3)
                if forecast and forecast.days_remaining is not None
                else None
            ),
            "segments": forecast.segments if forecast else 0,
            "last_replaced": _iso(forecast.last_replaced) if forecast else None,
        }
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _read_trace(path: Path) -> str:
    """The trace's text, bounded (runs in the executor)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_TRACE_BYTES + 1)
    except OSError as err:
        raise HPEWSTraceError(f"cannot read {path}: {err.strerror}") from err
    if len(data) > MAX_TRACE_BYTES:
        raise HPEWSTraceError(f"a trace has at most {MAX_TRACE_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HPEWSTraceError(f"{path} is not UTF-8 text") from err


async def _stdin() -> AsyncIterator[bytes]:
    """Standard input in chunks, read off the event loop."""
    loop = asyncio.get_running_loop()
    while chunk := await loop.run_in_executor(None, sys.stdin.buffer.read, READ_CHUNK):
        yield chunk


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        output = asyncio.run(_run(args))
    except HPEWSError as err:
        print(f"error: {err}", file=sys.stderr)  # noqa: T201
        return 1
    print(output)  # noqa: T201
    return 0


if __name__ == "__main__":  # pragma: no cover - test_python_dash_m runs it
    sys.exit(main())
