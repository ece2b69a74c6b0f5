"""Command line: ``python -m simulator --port PORT (--profile NAME | --replay PATH)``.

``--replay`` takes a capture directory or a diagnostics JSON file downloaded
from Home Assistant (its capture is found inside).

Prints ``ready <url> raw=<raw port> profile=<name>`` for each printer once it
accepts connections, then runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .profiles import PROFILES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated HP printers on 127.0.0.1 (LEDM, CDM, IPP, raw/PJL).",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--profile", choices=sorted(PROFILES), help="printer model")
    source.add_argument(
        "--replay",
        metavar="PATH",
        help="serve a capture directory or a downloaded diagnostics JSON file",
    )
    source.add_argument(
        "--all-profiles",
        action="store_true",
        help="one printer of every profile (COUNT of each), on consecutive ports",
    )
    source.add_argument(
        "--list-profiles", action="store_true", help="list the profiles and exit"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="first HTTP/IPP port (default: free ports)"
    )
    parser.add_argument(
        "--count", type=int, default=1, help="printers on PORT..PORT+COUNT-1"
    )
    parser.add_argument(
        "--raw-port",
        type=int,
        default=0,
        help="first raw (9100-style) port (default: free ports)",
    )
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=None,
        help="seconds to print a page (default: the model's real speed)",
    )
    parser.add_argument(
        "--sleep-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="fall into power save after SECONDS idle (default: never)",
    )
    parser.add_argument(
        "--percent-per-page",
        type=float,
        default=0.5,
        help="supply level used per printed page (default 0.5)",
    )
    return parser


async def _run(args: argparse.Namespace) -> None:
    from .server import PrinterGroup, SimulatedPrinter

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    names = list(PROFILES) if args.all_profiles else [args.profile]
    group = PrinterGroup(
        [
            SimulatedPrinter(
                name,
                replay=args.replay,
                port=args.port + index if args.port else 0,
                raw_port=args.raw_port + index if args.raw_port else 0,
                page_seconds=args.page_seconds,
                percent_per_page=args.percent_per_page,
                sleep_after=args.sleep_after,
            )
            for index, name in enumerate(
                name for name in names for _ in range(args.count)
            )
        ]
    )
    async with group:
        for printer in group.printers:
            print(printer.ready_line, flush=True)  # noqa: T201
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the simulator; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list_profiles:
        for name, profile in PROFILES.items():
            print(f"{name}\t{profile.description}")  # noqa: T201
        return 0
    if args.profile is None and args.replay is None and not args.all_profiles:
        parser.error(
            "one of --profile, --replay, --all-profiles or --list-profiles is required"
        )
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.sleep_after is not None and args.sleep_after < 0:
        parser.error("--sleep-after must be at least 0")
    from .store import CaptureError

    try:
        asyncio.run(_run(args))
    except (OSError, CaptureError) as err:
        print(f"error: {err}", file=sys.stderr)  # noqa: T201
        return 1
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
