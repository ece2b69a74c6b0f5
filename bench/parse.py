"""CPU time of a full LEDM snapshot parse: hp_ews versus aiohpprinter.

Both libraries parse the same captured bytes (tests/fixtures/ledm) for the
documents both understand: ProductConfigDyn, ProductStatusDyn,
ConsumableConfigDyn and ProductUsageDyn, for each model that has them
(Color LaserJet Pro M255dw, OfficeJet Pro 9022e, ENVY Photo 7830).

aiohpprinter (the library behind Home Assistant core's ``hp_printer``) is
installed only in the benchmark environment; see ``bench/README`` text in
the parsers report. Its parsing path is called directly, without network:
``aiohpprinter.xml.parse_document(text)`` (what its client does with the
HTTP body) followed by the ``aiohpprinter.parsers`` functions its
``HpPrinter.update()`` calls.

Run from the repository root:  <bench-venv>/bin/python bench/parse.py
"""

from __future__ import annotations

from pathlib import Path
import sys
import time
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ledm"
MODELS = {
    "HP Color LaserJet Pro M255dw": "HP-Color-LaserJet-M255dw",
    "HP OfficeJet Pro 9022e": "HP-OfficeJet-Pro-9022e",
    "HP ENVY Photo 7830": "HP-ENVY-Photo-7830",
}
DOCUMENTS = (
    "ProductConfigDyn",
    "ProductStatusDyn",
    "ConsumableConfigDyn",
    "ProductUsageDyn",
)
ROUNDS = 7
MIN_ROUND_SECONDS = 0.3


def _import_parsers() -> types.ModuleType:
    # Register the parent packages without running their __init__ modules:
    # the integration's needs Home Assistant and the client's the HTTP stack,
    # neither of which the parsers use.
    for name, path in (
        ("custom_components", ROOT / "custom_components"),
        ("custom_components.hp_ews", ROOT / "custom_components" / "hp_ews"),
        (
            "custom_components.hp_ews.client",
            ROOT / "custom_components" / "hp_ews" / "client",
        ),
    ):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    from custom_components.hp_ews.client.protocols import ledm

    return ledm


def load_documents() -> dict[str, dict[str, bytes]]:
    documents: dict[str, dict[str, bytes]] = {}
    for model, prefix in MODELS.items():
        documents[model] = {}
        for name in DOCUMENTS:
            matches = sorted(FIXTURES.glob(f"{prefix}__{name}*.xml"))
            if matches:
                documents[model][name] = matches[0].read_bytes()
    return documents


def ours(ledm: types.ModuleType) -> Callable[[dict[str, bytes]], object]:
    def snapshot(docs: dict[str, bytes]) -> object:
        info = (
            ledm.parse_product_config(docs["ProductConfigDyn"])
            if "ProductConfigDyn" in docs
            else None
        )
        status = ledm.parse_product_status(docs["ProductStatusDyn"])
        supplies = ledm.parse_consumables(docs["ConsumableConfigDyn"])
        counters = None
        if "ProductUsageDyn" in docs:
            usage = ledm.parse_usage(docs["ProductUsageDyn"])
            supplies = ledm.apply_pages_remaining(supplies, usage.pages_remaining)
            counters = usage.counters
        return info, status, supplies, counters

    return snapshot


def theirs() -> Callable[[dict[str, bytes]], object]:
    from aiohpprinter import parsers
    from aiohpprinter.xml import parse_document

    def document(docs: dict[str, bytes], name: str) -> dict[str, object] | None:
        # Their client hands parse_document the decoded body (response.text()).
        return parse_document(docs[name].decode("utf-8")) if name in docs else None

    def snapshot(docs: dict[str, bytes]) -> object:
        config = document(docs, "ProductConfigDyn")
        device = parsers.parse_device(config) if config is not None else None
        status = parsers.parse_status(document(docs, "ProductStatusDyn"))
        usage = document(docs, "ProductUsageDyn")
        consumables = parsers.parse_consumables(
            document(docs, "ConsumableConfigDyn"), usage
        )
        counters = None
        if usage is not None:
            counters = (
                parsers.parse_printer_usage(usage),
                parsers.parse_scanner_usage(usage),
                parsers.parse_copy_usage(usage),
                parsers.parse_fax_usage(usage),
            )
        return device, status, consumables, counters

    return snapshot


def _calls_per_round(
    function: Callable[[dict[str, bytes]], object], docs: dict[str, bytes]
) -> int:
    calls = 1
    while True:
        start = time.process_time()
        for _ in range(calls):
            function(docs)
        elapsed = time.process_time() - start
        if elapsed >= MIN_ROUND_SECONDS / 4:
            return max(1, int(calls * MIN_ROUND_SECONDS / elapsed))
        calls *= 2


def cpu_seconds_per_call(
    functions: tuple[Callable[[dict[str, bytes]], object], ...], docs: dict[str, bytes]
) -> list[float]:
    """Best CPU time per call of each function over ROUNDS interleaved rounds.

    Rounds alternate between the libraries so that a busy machine slows
    both alike; the best round is the least disturbed one.
    """
    calls = [_calls_per_round(function, docs) for function in functions]
    best = [float("inf")] * len(functions)
    for _ in range(ROUNDS):
        for position, function in enumerate(functions):
            start = time.process_time()
            for _ in range(calls[position]):
                function(docs)
            best[position] = min(
                best[position], (time.process_time() - start) / calls[position]
            )
    return best


def main() -> int:
    try:
        import aiohpprinter  # noqa: F401
    except ImportError:
        print(
            "aiohpprinter is not installed in this environment (see the module docstring)"
        )
        return 2
    from importlib.metadata import version

    ledm = _import_parsers()
    our_snapshot, their_snapshot = ours(ledm), theirs()
    documents = load_documents()
    print(f"Python {sys.version.split()[0]}, aiohpprinter {version('aiohpprinter')}")
    print(
        f"{'model (documents)':<52} {'hp_ews µs':>10} {'aiohpprinter µs':>16} {'ratio':>7}"
    )
    total_ours = total_theirs = 0.0
    for model, docs in documents.items():
        our_time, their_time = cpu_seconds_per_call(
            (our_snapshot, their_snapshot), docs
        )
        total_ours += our_time
        total_theirs += their_time
        label = f"{model} ({len(docs)})"
        print(
            f"{label:<52} {our_time * 1e6:>10.1f} {their_time * 1e6:>16.1f} {our_time / their_time:>7.2f}"
        )
    ratio = total_ours / total_theirs
    print(
        f"{'all three snapshots':<52} {total_ours * 1e6:>10.1f} {total_theirs * 1e6:>16.1f} {ratio:>7.2f}"
    )
    print(f"ratio hp_ews / aiohpprinter = {ratio:.2f} (target <= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
