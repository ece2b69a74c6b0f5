"""Event-loop time of the worst answers a hostile printer can send.

    python3 bench/hostile.py [--baseline REV|DIR] [--timeout SECONDS] [-k TEXT]

It needs only the standard library (Python 3.13+) and git, for instance
``~/.cache/hp_ews/venv-oldest/bin/python bench/hostile.py``.

Every case is one answer of at most 4 MiB (the transport's cap on a document,
``transport.MAX_DOCUMENT_BYTES``; the parsers' own caps are the same) built to
make one parser work hard: tens of thousands of supplies or alerts, empty
elements or values by the million, deep nesting, long text made to trip
regular expressions, IPP attributes the client never reads. Parsing runs on
Home Assistant's event loop, so the CPU time of one parse is the time the
loop stands still. Target: under 100 ms for every case.

Side by side: the client library as it is, and as it was at ``REV`` (default:
the commit before the parsers bounded their input), extracted with ``git
archive`` into a temporary directory. Where git is missing (``scripts/python``
runs in a Debian sid root that has none and sees only the repository), pass
a directory inside the repository holding that version instead:
``git archive REV custom_components/hp_ews/client | tar -x -C DIR``.
Each case runs in a child process, so
a baseline that would take minutes is cut off after ``--timeout`` seconds
(shown as ``>``). Times are the best of a few runs; ratios are baseline /
current. A result column says what came out: a count of supplies and
alerts, or the exception the parser raised (``HPEWSParseError`` refuses the
answer; anything else would be a crash of the caller).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import importlib
import json
from pathlib import Path
import subprocess
import sys
import tempfile
import time
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "custom_components" / "hp_ews" / "client"
BASELINE = "0c2b68f"
"""The last commit before the hostile-input bounds (issue 9)."""
MAX_BYTES = 4 * 1024 * 1024
MARKUP = 32 * 1024
"""``protocols.xmlsafe.MAX_XML_MARKUP``: the most tags, attributes and references read."""
JSON_VALUES = 32 * 1024
"""``protocols.cdm.MAX_JSON_VALUES``."""
IPP_VALUES = 16 * 1024
"""``ipp.codec.MAX_VALUES``."""
TARGET_MS = 100.0
URL = "http://127.0.0.1:631/ipp/print"
PACKAGE = "custom_components.hp_ews.client"

# --- answers ------------------------------------------------------------------------

HP = "http://www.hp.com/schemas/imaging/con/"
DD = f'xmlns:d="{HP}dictionaries/1.0/"'


def _fill(head: bytes, unit: bytes, tail: bytes, count: int | None = None) -> bytes:
    """``head + unit * n + tail``: ``count`` units, or as many as fit in 4 MiB."""
    most = (MAX_BYTES - len(head) - len(tail)) // len(unit)
    return head + unit * min(most, count if count is not None else most) + tail


def _ledm(root: str, uri: str, unit: str, count: int | None = None) -> bytes:
    head = f'<?xml version="1.0"?><r:{root} xmlns:r="{HP}{uri}" {DD}>'
    return _fill(head.encode(), unit.encode(), f"</r:{root}>".encode(), count)


def _under_cap(unit: str) -> int:
    """How many ``unit`` fit under the markup cap, with room for the root."""
    markup = unit.count("<") + unit.count("=") + unit.count("&")
    return (MARKUP - 16) // markup


CONSUMABLE = (
    "<r:ConsumableInfo><d:ConsumableLabelCode>K</d:ConsumableLabelCode>"
    "<d:ConsumableTypeEnum>ink</d:ConsumableTypeEnum>"
    "<d:ConsumablePercentageLevelRemaining>50</d:ConsumablePercentageLevelRemaining>"
    "<d:ConsumableStation>1</d:ConsumableStation></r:ConsumableInfo>"
)
ALERT = (
    "<d:Alert><d:ProductStatusAlertID>jamInPrinter</d:ProductStatusAlertID>"
    "<d:Severity>Error</d:Severity><d:LocString>Paper jam</d:LocString></d:Alert>"
)
STATUS = "<r:Status><d:StatusCategory>ready</d:StatusCategory></r:Status>"
CONSUMABLES = ("ConsumableConfigDyn", "ledm/consumableconfigdyn/2007/11/19")
PRODUCT_STATUS = ("ProductStatusDyn", "ledm/productstatusdyn/2007/10/31")


def _ledm_alerts(count: int | None) -> bytes:
    root, uri = PRODUCT_STATUS
    head = f'<r:{root} xmlns:r="{HP}{uri}" {DD}><d:AlertTable>'
    tail = f"</d:AlertTable></r:{root}>"
    return _fill(head.encode(), ALERT.encode(), tail.encode(), count)


def _ledm_deep(levels: int | None) -> bytes:
    root, uri = PRODUCT_STATUS
    most = (MAX_BYTES - 200) // 24
    levels = min(most, levels or most)
    return (
        f'<r:{root} xmlns:r="{HP}{uri}" {DD}>'.encode()
        + b"<d:Status>" * levels
        + b"</d:Status>" * levels
        + f"</r:{root}>".encode()
    )


def _ledm_attributes(count: int | None) -> bytes:
    root, uri = PRODUCT_STATUS
    most = (MAX_BYTES - 200) // 12
    count = min(most, count or most)
    names = b"".join(b' a%07d=""' % number for number in range(count))
    head = f'<r:{root} xmlns:r="{HP}{uri}" {DD}'.encode()
    return head + names + f"></r:{root}>".encode()


def _ledm_model_name() -> bytes:
    # exact_model() walks the words of the name looking for the SKU's series.
    head = (
        f'<r:ProductConfigDyn xmlns:r="{HP}ledm/productconfigdyn/2009/03/16" {DD}>'
        "<d:ProductInformation><d:SKUIdentifier>9022e</d:SKUIdentifier>"
        "<d:MakeAndModel>HP"
    )
    tail = "</d:MakeAndModel></d:ProductInformation></r:ProductConfigDyn>"
    return _fill(head.encode(), b" 9020", tail.encode())


def _ledm_discovery() -> bytes:
    unit = "<r:SupportedTree><d:ResourceURI>/x{}</d:ResourceURI></r:SupportedTree>"
    head = f'<r:DiscoveryTree xmlns:r="{HP}ledm/2007/09/21" {DD}>'.encode()
    parts = [head]
    size = len(head) + 100
    number = 0
    while size < MAX_BYTES - 100:
        part = unit.format(number).encode()
        parts.append(part)
        size += len(part)
        number += 1
    return b"".join([*parts, b"</r:DiscoveryTree>"])


def _json(head: str, unit: str, tail: str, count: int | None = None) -> bytes:
    return _fill(head.encode(), unit.encode(), tail.encode(), count)


CDM_SUPPLY = '{"supplyType":"ink","supplyColorCode":"K","percentLifeDisplay":50},'
CDM_ALERT = '{"category":"jamInPrinter","severity":"error"},'


def _cdm_significand(depth: int) -> bytes:
    nested = '{"significand":' * depth + "1" + "}" * depth
    return f'{{"printUsage":{{"impressions":{{"total":{nested}}}}}}}'.encode()


def _ipp_head() -> bytes:
    return (
        b"\x02\x00\x00\x00\x00\x00\x00\x01\x01"
        + _ipp_value(0x47, b"attributes-charset", b"utf-8")
        + _ipp_value(0x48, b"attributes-natural-language", b"en")
        + b"\x04"
        + _ipp_value(0x23, b"printer-state", b"\x00\x00\x00\x03")
    )


def _ipp_value(tag: int, name: bytes, value: bytes) -> bytes:
    return bytes([tag]) + len(name).to_bytes(2) + name + len(value).to_bytes(2) + value


def _ipp(units: bytes, count: int | None = None, head: bytes = b"") -> bytes:
    return _fill(_ipp_head() + head, units, b"\x03", count)


def _ipp_set(name: bytes, tag: int, value: bytes, count: int | None = None) -> bytes:
    """One attribute with as many values as fit (``count`` in all)."""
    first = _ipp_value(tag, name, value)
    more = _ipp_value(tag, b"", value)
    return _ipp(more, None if count is None else count - 1, head=first)


def _ipp_long(name: bytes, tag: int, text: bytes) -> bytes:
    """Values of 64 kB each, as many as fit."""
    value = (text * (0xFFFF // len(text) + 1))[:0xFFFF]
    return _ipp_set(name, tag, value)


def _ipp_collections(count: int) -> bytes:
    member = _ipp_value(0x4A, b"", b"media-key") + _ipp_value(0x44, b"", b"a4")
    collection = _ipp_value(0x34, b"", b"") + member + _ipp_value(0x37, b"", b"")
    first = _ipp_value(0x34, b"media-col-database", b"") + member
    first += _ipp_value(0x37, b"", b"")
    return _ipp(collection, count // 4 - 1, head=first)


def _ipp_bad_uris() -> bytes:
    uris = (b"ipp://[::1/ipp/print", b"http://[v1.x]/", b"\xff\xfe", b"")
    values = _ipp_value(0x45, b"printer-uri-supported", uris[0])
    values += b"".join(_ipp_value(0x45, b"", uri) for uri in uris[1:])
    values += _ipp_value(0x41, b"printer-more-info", b"http://127.0.0.1/")
    values += _ipp_value(0x21, b"printer-uuid", b"\x00\x00\x00\x01")
    return _ipp_head() + values + b"\x03"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    module: str
    function: str
    build: Callable[[], bytes]


CASES = (
    Case("ledm supplies, 4 MiB", "ledm", "parse_consumables",
         lambda: _ledm(*CONSUMABLES, CONSUMABLE)),
    Case("ledm supplies, at the markup cap", "ledm", "parse_consumables",
         lambda: _ledm(*CONSUMABLES, CONSUMABLE, _under_cap(CONSUMABLE))),
    Case("ledm alerts, 4 MiB", "ledm", "parse_product_status",
         lambda: _ledm_alerts(None)),
    Case("ledm alerts, at the markup cap", "ledm", "parse_product_status",
         lambda: _ledm_alerts(_under_cap(ALERT))),
    Case("ledm status codes, at the markup cap", "ledm", "parse_product_status",
         lambda: _ledm(*PRODUCT_STATUS, STATUS, _under_cap(STATUS))),
    Case("ledm empty elements, 4 MiB", "ledm", "parse_product_status",
         lambda: _ledm(*PRODUCT_STATUS, "<a/>")),
    Case("ledm nesting, 4 MiB", "ledm", "parse_product_status",
         lambda: _ledm_deep(None)),
    Case("ledm nesting, at the markup cap", "ledm", "parse_product_status",
         lambda: _ledm_deep(MARKUP // 2 - 16)),
    Case("ledm attributes, 4 MiB", "ledm", "parse_product_status",
         lambda: _ledm_attributes(None)),
    Case("ledm attributes, at the markup cap", "ledm", "parse_product_status",
         lambda: _ledm_attributes(MARKUP - 16)),
    Case("ledm references '&amp;', 4 MiB", "ledm", "parse_product_status",
         lambda: _ledm(*PRODUCT_STATUS, "&amp;")),
    Case("ledm model name of 800k words", "ledm", "parse_product_config",
         _ledm_model_name),
    Case("ledm discovery tree, 4 MiB", "ledm", "parse_discovery_tree",
         _ledm_discovery),
    Case("cdm supplies, 4 MiB", "cdm", "parse_supplies",
         lambda: _json('{"suppliesList":[', CDM_SUPPLY, "{}]}")),
    Case("cdm supplies, at the value cap", "cdm", "parse_supplies",
         lambda: _json('{"suppliesList":[', CDM_SUPPLY, "{}]}", (JSON_VALUES - 8) // 4)),
    Case("cdm alerts, 4 MiB", "cdm", "parse_alerts",
         lambda: _json('{"alerts":[', CDM_ALERT, "{}]}")),
    Case("cdm alerts, at the value cap", "cdm", "parse_alerts",
         lambda: _json('{"alerts":[', CDM_ALERT, "{}]}", (JSON_VALUES - 8) // 3)),
    Case("cdm empty objects, 4 MiB", "cdm", "parse_supplies",
         lambda: _json('{"suppliesList":[', "{},", "{}]}")),
    Case("cdm numbers, 4 MiB", "cdm", "parse_alerts",
         lambda: _json('{"alerts":[', "0,", "0]}")),
    Case("cdm nesting, 4 MiB", "cdm", "parse_alerts",
         lambda: _json('{"alerts":', "[", "", MAX_BYTES // 2 - 8)
         + b"]" * (MAX_BYTES // 2 - 8) + b"}"),
    Case("cdm escaped text, 4 MiB", "cdm", "parse_identity",
         lambda: _json('{"serialNumber":"', "\\u00e9", '"}')),
    Case("cdm nested significand (900 deep)", "cdm", "parse_lifetime_counters",
         lambda: _cdm_significand(900)),
    Case("ipp unused attributes, 4 MiB", "ipp", "parse_printer_attributes",
         lambda: _ipp(_ipp_value(0x30, b"x", b""))),
    Case("ipp unused attributes, at the value cap", "ipp",
         "parse_printer_attributes",
         lambda: _ipp(_ipp_value(0x30, b"x", b""), IPP_VALUES - 3)),
    Case("ipp unused 1setOf, 4 MiB", "ipp", "parse_printer_attributes",
         lambda: _ipp_set(b"x", 0x44, b"k")),
    Case("ipp marker-names 1setOf, 4 MiB", "ipp", "parse_printer_attributes",
         lambda: _ipp_set(b"marker-names", 0x42, b"Black")),
    Case("ipp marker-names 1setOf, at the value cap", "ipp",
         "parse_printer_attributes",
         lambda: _ipp_set(b"marker-names", 0x42, b"Black", IPP_VALUES - 3)),
    Case("ipp media-supported 1setOf, at the value cap", "ipp",
         "parse_printer_attributes",
         lambda: _ipp_set(b"media-supported", 0x44, b"iso_a4_210x297mm",
                          IPP_VALUES - 3)),
    Case("ipp unused collections, at the value cap", "ipp",
         "parse_printer_attributes", lambda: _ipp_collections(IPP_VALUES - 3)),
    Case("ipp alert texts 'door door ...', 4 MiB", "ipp",
         "parse_printer_attributes",
         lambda: _ipp_long(b"printer-alert-description", 0x41, b"door ")),
    Case("ipp alerts ';;;...', 4 MiB", "ipp", "parse_printer_attributes",
         lambda: _ipp_long(b"printer-alert", 0x30, b";")),
    Case("ipp marker names 'HP blac HP blac ...', 4 MiB", "ipp",
         "parse_printer_attributes",
         lambda: _ipp_long(b"marker-names", 0x42, b"HP blac ")),
    Case("ipp malformed printer-uri-supported", "ipp",
         "parse_printer_attributes", _ipp_bad_uris),
    Case("ipp full decode (probe's maker check), 4 MiB", "codec", "decode_ipp",
         lambda: _ipp(_ipp_value(0x30, b"x", b""))),
    Case("ipp full decode (probe's maker check), at the value cap", "codec",
         "decode_ipp", lambda: _ipp(_ipp_value(0x30, b"x", b""), IPP_VALUES - 3)),
)  # fmt: skip

# --- measuring (child process) ------------------------------------------------------


# Where each parser lives: the layout since issue 10 first, then the one before.
LAYOUTS: dict[str, tuple[tuple[str, dict[str, str]], ...]] = {
    "ledm": (("protocols.ledm", {}), ("ledm", {})),
    "cdm": (("protocols.cdm", {}), ("cdm", {})),
    "ipp": (("ipp", {}),),
    "codec": (("ipp.codec", {}), ("ippcodec", {"decode_ipp": "decode"})),
}


def _load(directory: Path, module: str, function: str) -> Callable[..., object]:
    """``function`` of ``module`` in the client library at ``directory``.

    The library is imported under its own name, its parent packages (and its
    ``__init__``, which needs the HTTP stack the parsers do not use) replaced
    by stand-ins, so its absolute imports resolve inside ``directory``. This
    times the library's internals, on purpose: see tests/test_public_api.py.
    """
    parents = (
        ("custom_components", directory.parent.parent),
        ("custom_components.hp_ews", directory.parent),
        (PACKAGE, directory),
    )
    for name, path in parents:
        stand_in = types.ModuleType(name)
        stand_in.__path__ = [str(path)]
        sys.modules[name] = stand_in
    for path, renamed in LAYOUTS[module]:
        where = directory.joinpath(*path.split("."))
        if where.with_suffix(".py").is_file() or (where / "__init__.py").is_file():
            loaded = importlib.import_module(f"{PACKAGE}.{path}")
            return getattr(loaded, renamed.get(function, function))
    raise SystemExit(f"no {module} module in {directory}")


def _describe(result: object) -> str:
    if isinstance(result, tuple) and all(hasattr(s, "level_percent") for s in result):
        return f"{len(result)} supplies" if result else "0 supplies/paths"
    if isinstance(result, tuple):
        return f"{len(result)} items"
    if hasattr(result, "supplies") and hasattr(result, "status"):
        return f"{len(result.supplies)} supplies, {len(result.status.alerts)} alerts"
    if hasattr(result, "raw_codes"):
        return f"{len(result.alerts)} alerts, {len(result.raw_codes)} codes"
    if hasattr(result, "groups"):
        return f"{sum(len(group) for group in result.groups)} attributes"
    if hasattr(result, "model"):
        return f"model of {len(result.model or '')} chars"
    return type(result).__name__


def child(directory: Path, name: str) -> dict[str, Any]:
    """Best CPU time of one case against the library in ``directory``."""
    case = next(case for case in CASES if case.name == name)
    data = case.build()
    assert len(data) <= MAX_BYTES, (name, len(data))
    function = _load(directory, case.module, case.function)
    args = (data, URL) if case.function == "parse_printer_attributes" else (data,)
    best = float("inf")
    spent = 0.0
    runs = 0
    while runs < 5 and (runs == 0 or spent < 1.0):
        start = time.thread_time()
        try:
            outcome = _describe(function(*args))
        except Exception as err:  # noqa: BLE001 - reporting what escaped is the point
            outcome = type(err).__name__
        elapsed = time.thread_time() - start
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return {"ms": best * 1000, "outcome": outcome, "bytes": len(data)}


# --- driving (parent process) ----------------------------------------------------------


def _extract(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            revision,
            "custom_components/hp_ews/client",
        ],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "custom_components" / "hp_ews" / "client"


def _baseline(spec: str, temporary: Path) -> Path | None:
    """The baseline's client directory: given, or extracted from git."""
    given = Path(spec)
    if given.is_dir():
        nested = given / "custom_components" / "hp_ews" / "client"
        return nested if nested.is_dir() else given
    try:
        return _extract(spec, temporary)
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"baseline {spec} unavailable ({err}); see --baseline", file=sys.stderr)
        return None


def _run(directory: Path, name: str, timeout: float) -> dict[str, Any] | None:
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(directory), name],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--baseline", default=BASELINE, help="git revision or directory to compare"
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per run")
    parser.add_argument("-k", dest="only", default="", help="cases whose name has TEXT")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), args.child[1])))
        return 0
    cases = [case for case in CASES if args.only in case.name]
    print(
        f"Python {sys.version.split()[0]}; baseline {args.baseline}; ms of CPU per parse"
    )
    print(
        f"{'case':<58} {'baseline':>9} {'now':>7} {'ratio':>7}  "
        f"{'baseline result':<24} now result"
    )
    worst = 0.0
    with tempfile.TemporaryDirectory() as temporary:
        old = _baseline(args.baseline, Path(temporary))
        for case in cases:
            before = None if old is None else _run(old, case.name, args.timeout)
            after = _run(CLIENT, case.name, args.timeout)
            if after is None:
                print(f"{case.name}: the current code took over {args.timeout} s")
                return 1
            worst = max(worst, after["ms"])
            if old is None:
                cell, ratio, outcome = "n/a", "", ""
            elif before is None:
                cell = f"> {args.timeout * 1000:.0f}"
                ratio = f"> {args.timeout * 1000 / after['ms']:.0f}"
                outcome = "timed out"
            else:
                cell = f"{before['ms']:.1f}"
                ratio = f"{before['ms'] / after['ms']:.1f}"
                outcome = before["outcome"]
            print(
                f"{case.name:<58} {cell:>9} {after['ms']:>7.1f} {ratio:>7}  "
                f"{outcome:<24} {after['outcome']}"
            )
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"worst case now: {worst:.1f} ms (target < {TARGET_MS:.0f} ms: {verdict})")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
