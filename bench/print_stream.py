"""Streaming a 200 MB PDF to a printer: our print path next to curl.

Run from the repository root::

    scripts/python bench/print_stream.py [--size-mb 200] [--rounds 3]

It writes a valid PDF padded with a large embedded stream, starts the
simulator (in its own process, so its memory is not ours) with a profile
whose IPP takes PDF, and sends the same Print-Job to the same endpoint:

* **ours**: ``HPPrinter.print_document`` with the file path (read in 1 MiB
  chunks in the executor, sent as a chunked request body through the
  transport), as a Home Assistant action prints;
* **curl**: ``curl --data-binary @FILE`` where FILE is the same IPP
  Print-Job header followed by the document.

For ours it reports the peak RSS growth of this process during the send
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``, minus
``VmRSS`` before) and the throughput; for curl its throughput and peak RSS.
Targets: RSS growth <= 32 MB, throughput >= 0.8x curl.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.hp_ews.client import (
    HPPrinter,
    IppOperation,
    IppValueTag,
    new_ipp_request,
)

PROFILES = ("color-laserjet-pro-m255dw", "officejet-pro-9022e", "pagewide-mfp-p57750")
MB = 1024 * 1024


def write_pdf(path: Path, size: int) -> None:
    """A one-page PDF whose page content stream is padded to ``size`` bytes."""
    content = b"BT /F1 24 Tf 72 720 Td (hp_ews streaming benchmark) Tj ET\n"
    padding = max(0, size - 1024 - len(content))
    stream_length = len(content) + padding
    offsets = []
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            ),
        ]
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        offsets.append(out.tell())
        out.write(b"4 0 obj\n<< /Length %d >>\nstream\n" % stream_length)
        out.write(content)
        # A PostScript comment line per MiB: valid content, and not
        # compressible to nothing by any layer in between.
        block = b"%" + os.urandom(MB // 2).hex().encode()[: MB - 2] + b"\n"
        left = padding
        while left > 0:
            piece = block[:left] if left < len(block) else block
            out.write(piece)
            left -= len(piece)
        out.write(b"\nendstream\nendobj\n")
        offsets.append(out.tell())
        out.write(
            b"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n"
        )
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, xref)
        )


def print_job_header(ipp_url: str) -> bytes:
    """The Print-Job request ``print_document`` sends for a PDF (no options)."""
    message = new_ipp_request(
        IppOperation.PRINT_JOB,
        # http://host:port/path as the printer-uri ipp://host:port/path.
        "ipp" + ipp_url.removeprefix("http"),
        requesting_user_name="hp_ews",
    )
    message.operation.set("job-name", IppValueTag.NAME, "Home Assistant")
    message.operation.set("ipp-attribute-fidelity", IppValueTag.BOOLEAN, False)
    message.operation.set(
        "document-format", IppValueTag.MIME_MEDIA_TYPE, "application/pdf"
    )
    return message.encode()


def status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM
    except OSError:
        return False
    return True


def start_simulator(profile: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "--profile",
            profile,
            "--page-seconds",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("ready "):
        process.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return process, line.split()[1].rstrip("/")


async def run_ours(
    base_url: str, document: Path, rounds: int
) -> list[tuple[float, int]]:
    results = []
    async with aiohttp.ClientSession() as session:
        printer = HPPrinter.from_url(base_url, session, timeout=600)
        await printer.probe()
        capabilities = await printer.print_capabilities()
        if "application/pdf" not in capabilities.document_formats:
            raise SystemExit("the simulated printer does not take PDF")
        for _ in range(rounds):
            rss_before = status_kb("VmRSS")
            reset_peak()
            started = time.perf_counter()
            # The path a Home Assistant action takes (with its Validate-Job).
            result = await printer.print_document(document, capabilities=capabilities)
            elapsed = time.perf_counter() - started
            growth = status_kb("VmHWM") - rss_before
            assert result.document_format == "application/pdf"
            assert not result.converted
            results.append((elapsed, growth))
    return results


def run_curl(ipp_url: str, body: Path, rounds: int) -> list[tuple[float, int]]:
    results = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run(
            [
                "curl",
                "-sS",
                "--fail",
                "-o",
                os.devnull,
                "-H",
                "Content-Type: application/ipp",
                "-H",
                "Expect:",  # no 1 s wait for "100 Continue"
                "--data-binary",
                f"@{body}",
                ipp_url,
            ],
            check=True,
        )
        elapsed = time.perf_counter() - started
        del done
        # ru_maxrss of children is the largest child so far (KiB).
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results.append((elapsed, max(peak, before)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=PROFILES, default=PROFILES[0])
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the comparison")

    with tempfile.TemporaryDirectory(prefix="hp_ews-bench-") as tmp:
        document = Path(tmp) / "big.pdf"
        write_pdf(document, args.size_mb * MB)
        size = document.stat().st_size
        simulator, base_url = start_simulator(args.profile)
        ipp_url = f"{base_url}/ipp/print"
        try:
            body = Path(tmp) / "print-job.ipp"
            with body.open("wb") as out, document.open("rb") as source:
                out.write(print_job_header(ipp_url))
                shutil.copyfileobj(source, out, MB)
            # Alternate, so that neither side always meets a fuller simulator.
            ours: list[tuple[float, int]] = []
            curl: list[tuple[float, int]] = []
            for _ in range(args.rounds):
                ours += asyncio.run(run_ours(base_url, document, 1))
                curl += run_curl(ipp_url, body, 1)
        finally:
            simulator.terminate()
            simulator.wait(10)

    best_ours = min(t for t, _ in ours)
    best_curl = min(t for t, _ in curl)
    ours_mbs = size / MB / best_ours
    curl_mbs = size / MB / best_curl
    growth_mb = max(g for _, g in ours) / 1024
    print(f"document: {size / MB:.1f} MiB PDF, simulator profile {args.profile}")
    print(f"{'':22}{'ours':>12}{'curl':>12}")
    print(f"{'best time (s)':22}{best_ours:12.2f}{best_curl:12.2f}")
    print(f"{'throughput (MiB/s)':22}{ours_mbs:12.1f}{curl_mbs:12.1f}")
    print(
        f"{'peak RSS (MiB)':22}{f'+{growth_mb:.1f} growth':>12}"
        f"{max(p for _, p in curl) / 1024:>11.1f}*"
    )
    print("  * curl's whole peak RSS (it reads the file into memory for --data-binary)")
    ratio = ours_mbs / curl_mbs
    print(f"throughput ratio ours/curl: {ratio:.2f} (target >= 0.8)")
    print(f"RSS growth: {growth_mb:.1f} MiB (target <= 32)")
    print("rounds (ours s, growth KiB):", [(round(t, 2), g) for t, g in ours])
    print("rounds (curl s):", [round(t, 2) for t, _ in curl])
    if ratio < 0.8 or growth_mb > 32:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
