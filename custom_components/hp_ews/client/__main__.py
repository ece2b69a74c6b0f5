"""Command line: probe, snapshot and capture HP printers.

    python -m custom_components.hp_ews.client snapshot URL --json
    python -m custom_components.hp_ews.client snapshot --capture DIR --json
    python -m custom_components.hp_ews.client probe URL
    python -m custom_components.hp_ews.client capture URL DIR

``snapshot --json`` prints one JSON object: ``info``, ``status``,
``supplies``, ``counters``, ``ipp`` and ``sources``, with the field names of
the models in ``models.py`` and enums as their string values. Library errors
exit with status 1 and one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Any

import aiohttp

from .capture import CaptureTransport, profile_from_capture, read_capture
from .client import HPPrinter
from .errors import HPEWSError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .models import PrinterStatus, Profile, Snapshot


def snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    """The stable JSON shape of a snapshot (documented in the README)."""
    return {
        "info": dataclasses.asdict(snapshot.info),
        "status": status_to_dict(snapshot.status),
        "supplies": [dataclasses.asdict(supply) for supply in snapshot.supplies],
        "counters": dataclasses.asdict(snapshot.counters),
        "ipp": dataclasses.asdict(snapshot.ipp) if snapshot.ipp is not None else None,
        "sources": dataclasses.asdict(snapshot.sources),
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
    return parser


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


async def _run(args: argparse.Namespace) -> str:
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
        )
        if args.command == "probe":
            return _dump(profile_to_dict(await printer.probe()))
        if args.command == "capture":
            await printer.capture(args.directory)
            return f"Wrote a redacted capture to {args.directory}"
        return _dump(snapshot_to_dict(await printer.snapshot()))


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
