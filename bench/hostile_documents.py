"""Hostile documents through the conversion path: peak memory and time.

Run from the repository root::

    scripts/python bench/hostile_documents.py [--code DIR] [--case NAME ...]

Each case writes its document once (into ``--work``, default a temporary
folder) and converts it in a fresh child process with the library found in
``--code`` (default: this repository), so a version from before a change can
be measured the same way, e.g. with ``git worktree add /tmp/old REV`` and
``--code /tmp/old``. The child drains ``prepare_document`` for a colour PWG
Raster printer at 300/600 dpi on A4 and reports its own peak RSS
(``ru_maxrss``), the RSS it had before converting, the wall time, and
whether the document was converted or refused (and why).

Cases:

* ``png-13000``: a 13000 x 13000 RGBA PNG, mostly one colour (about 660 KB);
  169 million pixels, 676 MB once decoded.
* ``png-8000``: an 8000 x 8000 RGBA PNG, 64 million pixels: the largest kind
  still converted.
* ``text-16m``: one 16 MiB line of words (page 1 printed; every page counted).
* ``pdf-300``: a PDF of 300 pages, converted whole (the speed of rendering
  with a pause callback, next to rendering without).
* ``pdf-10000``: a PDF of 10,000 pages (printed whole; a time limit stops
  a version that converts them all).
* ``pdf-slow``: one page drawing a million tiny rectangles; the child sets
  the render budget to ``--render-seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import struct
import subprocess
import sys
import tempfile
import time
import zlib

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

CHILD = r"""
import asyncio, json, re, resource, sys, time
from pathlib import Path

code, case, path, timeout, render_seconds = sys.argv[1:6]
sys.path.insert(0, code)
try:
    from custom_components.hp_ews.client.models import PrintCapabilities
    from custom_components.hp_ews.client.printing import convert
    from custom_components.hp_ews.client.printing.options import PrintOptions
except ImportError:  # a version from before client/printing/ (issue 10)
    from custom_components.hp_ews.client import convert
    PrintCapabilities, PrintOptions = convert.PrintCapabilities, convert.PrintOptions

if hasattr(convert, "RENDER_SECONDS") and float(render_seconds) > 0:
    convert.RENDER_SECONDS = float(render_seconds)
caps = PrintCapabilities(
    document_formats=("image/pwg-raster",),
    color_supported=True,
    pwg_raster_resolutions=(300, 600),
    pwg_raster_types=("sgray_8", "srgb_8"),
)
ranges = ((1, 1),) if case.startswith("text") else ()
options = PrintOptions(media="A4", page_ranges=ranges)


def rss_kb():
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE).group(1))


async def drain(state):
    async with convert.prepare_document(Path(path), caps, options) as document:
        state["pages"] = document.pages
        async for chunk in document:
            state["bytes"] += len(chunk)


state = {"bytes": 0, "pages": None}
before = rss_kb()
start = time.monotonic()
try:
    asyncio.run(asyncio.wait_for(drain(state), float(timeout)))
    outcome = "converted"
except TimeoutError:
    outcome = f"still converting after {float(timeout):.0f} s"
except Exception as err:
    outcome = f"refused: {type(err).__name__}: {err}"
state.update(
    outcome=outcome,
    seconds=round(time.monotonic() - start, 2),
    rss_before_kb=before,
    peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
)
print(json.dumps(state))
"""


# --- documents --------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def write_png(path: Path, side: int) -> None:
    """An RGBA PNG, white with a blue square, written a row at a time."""
    white = b"\xff\xff\xff\xff" * side
    square = side // 4
    blue = (
        b"\xff\xff\xff\xff" * square
        + b"\x20\x40\xc0\xff" * (side - 2 * square)
        + b"\xff\xff\xff\xff" * square
    )
    compressor = zlib.compressobj(9)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0))
        )
        for row in range(side):
            line = blue if square <= row < side - square else white
            data = compressor.compress(b"\x00" + line)
            if data:
                out.write(_png_chunk(b"IDAT", data))
        out.write(_png_chunk(b"IDAT", compressor.flush()))
        out.write(_png_chunk(b"IEND", b""))


def write_text(path: Path, size: int) -> None:
    """One line of words, ``size`` bytes, no line break at all."""
    words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
    with path.open("wb") as out:
        left = size
        block = words * (MIB // len(words))
        while left > 0:
            out.write(block[:left])
            left -= min(left, len(block))


def _write_pdf(path: Path, pages: int, content: bytes) -> None:
    """A PDF whose pages all show the same content stream."""
    offsets: list[int] = []
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        bodies = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        ]
        page = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
        )
        bodies += [page] * pages
        for number, body in enumerate(bodies, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, xref)
        )


def write_many_pages(path: Path, pages: int) -> None:
    _write_pdf(path, pages, b"BT /F1 24 Tf 72 720 Td (A page of many) Tj ET")


def write_slow_page(path: Path, rectangles: int) -> None:
    ops = bytearray()
    for n in range(rectangles):
        ops += b"%d %d 0.5 0.5 re f\n" % (n % 590, (n // 590) % 840)
    _write_pdf(path, 1, bytes(ops))


CASES = {
    "png-13000": ("huge.png", lambda p: write_png(p, 13000)),
    "png-8000": ("big.png", lambda p: write_png(p, 8000)),
    "text-16m": ("line.txt", lambda p: write_text(p, 16 * MIB)),
    "pdf-300": ("300.pdf", lambda p: write_many_pages(p, 300)),
    "pdf-10000": ("pages.pdf", lambda p: write_many_pages(p, 10_000)),
    "pdf-slow": ("slow.pdf", lambda p: write_slow_page(p, 1_000_000)),
}


def run_case(
    code: Path, case: str, work: Path, timeout: float, render_seconds: float
) -> dict[str, object]:
    name, write = CASES[case]
    path = work / name
    if not path.exists():
        write(path)
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(code),
            case,
            str(path),
            str(timeout),
            str(render_seconds),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return {"outcome": f"child failed ({done.returncode}): {done.stderr[-500:]}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["file_kb"] = path.stat().st_size // 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=REPO)
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    parser.add_argument("--work", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--render-seconds", type=float, default=5.0)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="hp_ews-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"code: {args.code}  documents: {work}")
    for case in args.case or list(CASES):
        started = time.monotonic()
        seconds = args.render_seconds if case == "pdf-slow" else 0.0
        result = run_case(args.code, case, work, args.timeout, seconds)
        peak = result.get("peak_rss_kb")
        before = result.get("rss_before_kb")
        if isinstance(peak, int) and isinstance(before, int):
            memory = (
                f"peak RSS {peak / 1024:7.0f} MiB "
                f"(+{(peak - before) / 1024:.0f} MiB over {before / 1024:.0f})"
            )
        else:
            memory = "peak RSS ?"
        print(
            f"{case:10} {result.get('file_kb', '?'):>8} KB  {memory}  "
            f"{result.get('seconds', '?')} s  pages={result.get('pages')}  "
            f"out={result.get('bytes', 0)} B  [{time.monotonic() - started:.0f} s]"
        )
        print(f"           {result['outcome']}")


if __name__ == "__main__":
    main()
