"""CPU time of capture redaction: the per-secret baseline versus one pass.

    scripts/python bench/redact.py [--baseline COMMIT|DIR] [--no-baseline] [--full]

The baseline is the client library as of ``--baseline`` (default: the last
commit before the single-pass redactor), extracted with ``git archive`` (or a
directory holding it where git is missing, as in the Debian sid root of the
newest environment: ``git archive 8e9c5ec custom_components/hp_ews/client |
tar -x -C DIR``, DIR inside the repository) and loaded under a package of its
own beside the current library, whose redaction is timed through its public
API (``redact_capture``). The baseline rescanned the
whole text twice per known MAC and once per serial number (``re.sub`` in a
loop), so its time grew with secrets x text; the current redactor makes one
pass of one compiled regex per document (after one of the trie of learned
values, when there are any) with a dict lookup per match.

Each case is one generated document (or the real captures), learned and
redacted through ``redact_capture``; times are the best of a few rounds. The
scaling rows double the document: a linear redactor doubles its time too.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custom_components.hp_ews import client as current  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

BASELINE = "8e9c5ec03d63d48ba583cb9254e2c2c2da69a001"
CLIENT_PATH = "custom_components/hp_ews/client"
BASELINE_PACKAGE = "redact_baseline"


def load_baseline(spec: str, into: Path) -> ModuleType | None:
    """The baseline's redacting module (``redact``, or ``capture`` before issue 10).

    Its client library is imported under a package of its own, without its
    ``__init__`` (the parts before issue 10 import each other relatively).
    """
    directory = Path(spec)
    if directory.is_dir():
        nested = directory / "custom_components" / "hp_ews" / "client"
        directory = nested if nested.is_dir() else directory
    else:
        try:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", spec, CLIENT_PATH],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        except (OSError, subprocess.CalledProcessError) as err:
            print(f"baseline {spec[:8]} unavailable: {err}", file=sys.stderr)
            return None
        directory = into / CLIENT_PATH
    package = ModuleType(BASELINE_PACKAGE)
    package.__path__ = [str(directory)]
    sys.modules[BASELINE_PACKAGE] = package
    name = "redact" if (directory / "redact.py").is_file() else "capture"
    return importlib.import_module(f"{BASELINE_PACKAGE}.{name}")


def macs(count: int) -> str:
    """``count`` distinct MACs, 24 bytes each: 4000 of them are 93.75 KiB."""
    return "".join(
        f"<m>{(0x3C0000000000 + i * 7919).to_bytes(6).hex(':')}</m>"
        for i in range(count)
    )


def serials(count: int) -> str:
    """A CDM-like JSON list with ``count`` distinct supply serial numbers."""
    items = ",".join(
        f'{{"serialNumber": "CN{i:08d}", "note": "CN{i:08d} installed"}}'
        for i in range(count)
    )
    return f'{{"suppliesList": [{items}]}}'


def addresses(count: int) -> str:
    """``count`` distinct IPv4 and IPv6 addresses in URIs and text."""
    return "".join(
        f"<u>ipp://10.{i >> 8 & 255}.{i & 255}.7:631/ipp/print</u>"
        f"<v>[2003:c4:b703:{i:x}::1]</v>"
        for i in range(count)
    )


def real_captures() -> Any:
    """Every capture directory in tests/fixtures and simulator/data."""
    directories = [
        *sorted((ROOT / "tests" / "fixtures" / "captures").iterdir()),
        *sorted(p for p in (ROOT / "simulator" / "data").iterdir() if p.is_dir()),
    ]
    return [current.read_capture(d) for d in directories]


def best_of(function: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def run_document(module: ModuleType, text: str) -> Callable[[], object]:
    capture = module.Capture(http={"/doc": text.encode()})
    return lambda: module.redact_capture(capture)


def run_captures(module: ModuleType, captures: list[Any]) -> Callable[[], object]:
    converted = [
        module.Capture(meta=dict(c.meta), http=dict(c.http), ipp=dict(c.ipp))
        for c in captures
    ]
    return lambda: [module.redact_capture(c) for c in converted]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--full", action="store_true", help="also time the baseline on 8000 MACs"
    )
    args = parser.parse_args()
    temporary = tempfile.TemporaryDirectory()
    baseline = (
        None if args.no_baseline else load_baseline(args.baseline, Path(temporary.name))
    )

    # (name, runner factory, size, whether the baseline redacts that kind)
    cases: list[
        tuple[str, Callable[[ModuleType], Callable[[], object]], int, bool]
    ] = []
    for count in (1000, 2000, 4000, 8000):
        text = macs(count)
        cases.append(
            (
                f"{count} MACs, {len(text) / 1024:.1f} KiB",
                lambda m, t=text: run_document(m, t),
                len(text),
                count < 8000 or args.full,  # the baseline needs ~4x its 4000 time
            )
        )
    for count in (1000, 4000):
        text = serials(count)
        cases.append(
            (
                f"{count} serials, {len(text) / 1024:.1f} KiB",
                lambda m, t=text: run_document(m, t),
                len(text),
                True,
            )
        )
    for count in (1000, 4000):
        text = addresses(count)
        cases.append(
            (
                f"{count}+{count} IPv4/IPv6, {len(text) / 1024:.1f} KiB",
                lambda m, t=text: run_document(m, t),
                len(text),
                False,
            )
        )
    captures = real_captures()
    size = sum(len(b) for c in captures for b in (*c.http.values(), *c.ipp.values()))
    cases.append(
        (
            f"{len(captures)} real captures, {size / 1024:.1f} KiB",
            lambda m: run_captures(m, captures),
            size,
            True,
        )
    )

    label = "baseline"
    if baseline is not None:
        label += " (dir)" if Path(args.baseline).is_dir() else f" {args.baseline[:8]}"
    print(f"{'case':<34} {label:>17} {'now':>10} {'speed-up':>9} {'now µs/KiB':>11}")
    for name, make, size, comparable in cases:
        now = best_of(make(current), 3)
        before_text = "n/a"
        ratio_text = ""
        if comparable and baseline is not None:
            before = best_of(make(baseline), 1 if size > 32 * 1024 else 3)
            before_text = f"{before:.3f} s"
            ratio_text = f"{before / now:.1f}x"
        print(
            f"{name:<34} {before_text:>17} {now:>8.3f} s {ratio_text:>9}"
            f" {now * 1e6 / (size / 1024):>11.0f}"
        )
    print(
        "n/a: not run (no git history; the baseline redacts no IP addresses;"
        " 8000 MACs only with --full)"
    )
    temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
