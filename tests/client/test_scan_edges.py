"""Scanning's rarer paths, with a scripted transport (no sockets).

Odd capabilities, bad Locations, scanners that never finish a page, failed
cleanups, the file-naming races; the common paths run against real
servers in test_scan_job.py, test_scan_ledm.py and test_scan_simulator.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import errno
import io
import os
from pathlib import Path
import random
from typing import TYPE_CHECKING

from PIL import Image
import pytest

from custom_components.hp_ews.client import (
    HPEWSConnectionError,
    HPEWSParseError,
    HPEWSScanError,
    HPEWSUnsupportedError,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScannerState,
    ScanOptions,
    ScanSource,
)
from custom_components.hp_ews.client.protocols import escl
from custom_components.hp_ews.client.scanning import (
    common,
    find_scanner,
    output as output_module,
    run_scan,
    scanner as scanner_module,
)
from custom_components.hp_ews.client.scanning.escl import EsclScanner
from custom_components.hp_ews.client.scanning.ledm import LedmScanner, parse_scan_caps
from custom_components.hp_ews.client.scanning.output import ScanOutput
from custom_components.hp_ews.client.transport import HttpResponse

from .scan_server import CAPS, STATUS_LOADED, jpeg, status_document

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

BASE = "http://192.0.2.1"
ROOT = BASE + "/eSCL"
LEDM_CAPS = (
    Path(__file__).parents[1]
    / "fixtures"
    / "ledm"
    / "scan"
    / ("HP-OfficeJet-Pro-9010__ScanCaps.xml")
)
JOB = ROOT + "/ScanJobs/1"

type Answer = HttpResponse | Exception | None


def answer(status: int = 200, body: bytes = b"", **headers: str) -> HttpResponse:
    return HttpResponse(
        url="", status=status, body=body, content_type="", headers=dict(headers)
    )


@dataclass
class Scripted:
    """A transport answering (method, url) from a script; the last answer repeats."""

    script: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)

    @property
    def request_count(self) -> int:
        return len(self.sent)

    def on(self, method: str, url: str, *answers: Answer) -> None:
        self.script[method, url] = list(answers)

    def _next(self, method: str, url: str) -> Answer:
        self.sent.append((method, url))
        answers = self.script.get((method, url))
        if not answers:
            return None if method == "GET" else answer(404)
        result = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(result, Exception):
            raise result
        return result

    async def get(self, url: str, *, limit: int = 0) -> HttpResponse | None:
        return self._next("GET", url)

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        sink: Callable[[bytes], Awaitable[None]] | None = None,
        **_: object,
    ) -> HttpResponse:
        result = self._next(method, url) or answer(404)
        if sink is not None and 200 <= result.status < 300 and result.body:
            await sink(result.body)
            result = answer(result.status)
        return result


def names(directory: Path) -> list[str]:
    return (
        sorted(path.name for path in directory.iterdir()) if directory.exists() else []
    )


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "RETRY_DELAY", 0)
    monkeypatch.setattr(common, "MAX_NOT_READY", 3)


def escl_scanner(transport: Scripted, caps: bytes | None = None) -> EsclScanner:
    return EsclScanner(
        transport, ROOT, escl.parse_capabilities(caps or CAPS.read_bytes())
    )  # type: ignore[arg-type]


def caps_document(platen: str | None = "", adf: str | None = None) -> bytes:
    """eSCL capabilities with the given SettingProfile contents per source."""

    def source(tag: str, profile: str, extra: str = "") -> str:
        return (
            f"<scan:{tag}><scan:SettingProfiles><x:Other xmlns:x='urn:x'/>"
            f"<scan:SettingProfile>{profile}</scan:SettingProfile></scan:SettingProfiles>"
            f"{extra}</scan:{tag}>"
        )

    body = ""
    if platen is not None:
        body += f"<scan:Platen>{source('PlatenInputCaps', platen)}</scan:Platen>"
    if adf is not None:
        body += (
            f"<scan:Adf>{source('AdfSimplexInputCaps', adf)}"
            "<scan:AdfOptions><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>"
            "</scan:Adf>"
        )
    return (
        f'<scan:ScannerCapabilities xmlns:scan="{escl.ESCL_NS}" xmlns:pwg="{escl.PWG_NS}">'
        f"{body}</scan:ScannerCapabilities>"
    ).encode()


GRAY_JPEG = (
    "<scan:ColorModes><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>"
    "<scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>"
    "</scan:DocumentFormats>"
)
GRAY_PDF = GRAY_JPEG.replace("image/jpeg", "application/pdf")


def test_feeder_only_scanner_with_duplex_option_and_no_intents() -> None:
    caps = escl.parse_capabilities(caps_document(platen=None, adf=GRAY_JPEG))
    assert caps.platen is None
    # AdfOption Duplex without AdfDuplexInputCaps: the simplex caps scan both sides.
    assert caps.feeder_duplex is caps.feeder
    public = caps.public()
    assert public.sources == (ScanSource.FEEDER,)
    assert public.duplex is True
    assert caps.feeder is not None
    settings = escl.scan_settings(
        caps,
        caps.feeder,
        feeder=True,
        duplex=True,
        color_mode=ScanColorMode.GRAYSCALE,
        resolution=300,
        document_format=escl.JPEG,
    )
    # No intents listed: none sent; no DocumentFormatExt listed: only DocumentFormat.
    assert b"Intent" not in settings
    assert b"DocumentFormatExt" not in settings
    assert b"<pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>" in settings


async def test_escl_status_missing_and_auto_without_status(tmp_path: Path) -> None:
    transport = Scripted()
    transport.on("POST", ROOT + "/ScanJobs", answer(201, Location="/eSCL/ScanJobs/1"))
    transport.on("GET", JOB + "/NextDocument", answer(200, jpeg(10, 10)))
    scanner = escl_scanner(transport)
    assert (await scanner.status()).state is ScannerState.UNKNOWN
    # AUTO: no status says the feeder is loaded, so the glass.
    result = await run_scan(scanner, ScanOptions(), tmp_path, "x")
    assert result.source is ScanSource.GLASS


@pytest.mark.parametrize(
    ("caps", "options"),
    [
        (None, ScanOptions(source=ScanSource.FEEDER, duplex=True, resolution=123)),
        (
            CAPS.read_bytes()
            .replace(b"AdfDuplexInputCaps", b"Nothing")
            .replace(b"<scan:AdfOption>Duplex</scan:AdfOption>", b""),
            ScanOptions(source=ScanSource.FEEDER, duplex=True),
        ),
        (caps_document(platen=GRAY_JPEG), ScanOptions(source=ScanSource.FEEDER)),
        (caps_document(platen=GRAY_JPEG), ScanOptions(source=ScanSource.GLASS)),
        (
            caps_document(platen=GRAY_JPEG, adf=GRAY_PDF),
            ScanOptions(source=ScanSource.FEEDER, color_mode=ScanColorMode.GRAYSCALE),
        ),
        (caps_document(platen=GRAY_PDF), ScanOptions(source=ScanSource.GLASS)),
    ],
)
async def test_escl_unsupported(
    tmp_path: Path, caps: bytes | None, options: ScanOptions
) -> None:
    transport = Scripted()
    transport.on(
        "GET", ROOT + "/ScannerStatus", answer(200, STATUS_LOADED.read_bytes())
    )
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(escl_scanner(transport, caps), options, tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.UNSUPPORTED_OPTION
    assert ("POST", ROOT + "/ScanJobs") not in transport.sent


@pytest.mark.parametrize(
    "created",
    [
        answer(500),
        answer(201),  # no Location
        answer(201, Location="http://[broken"),
        answer(201, Location="/eSCL/ScannerStatus"),
    ],
)
async def test_escl_job_creation_fails(tmp_path: Path, created: HttpResponse) -> None:
    transport = Scripted()
    transport.on("POST", ROOT + "/ScanJobs", created)
    # The failure asks the status; a broken status does not hide the failure.
    transport.on("GET", ROOT + "/ScannerStatus", HPEWSConnectionError("gone"))
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            escl_scanner(transport), ScanOptions(source=ScanSource.GLASS), tmp_path, "x"
        )
    assert caught.value.reason is ScanErrorReason.FAILED
    assert names(tmp_path) == []


async def test_escl_page_never_ready_and_delete_fails(tmp_path: Path) -> None:
    transport = Scripted()
    transport.on("POST", ROOT + "/ScanJobs", answer(201, Location=JOB))
    transport.on("GET", JOB + "/NextDocument", answer(503))
    transport.on("DELETE", JOB, HPEWSConnectionError("gone"))
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            escl_scanner(transport), ScanOptions(source=ScanSource.GLASS), tmp_path, "x"
        )
    assert caught.value.reason is ScanErrorReason.FAILED
    assert transport.sent.count(("GET", JOB + "/NextDocument")) == 4
    assert ("DELETE", JOB) in transport.sent


async def test_escl_empty_page(tmp_path: Path) -> None:
    transport = Scripted()
    transport.on("POST", ROOT + "/ScanJobs", answer(201, Location=JOB))
    transport.on("GET", JOB + "/NextDocument", answer(200))
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(
            escl_scanner(transport), ScanOptions(source=ScanSource.GLASS), tmp_path, "x"
        )
    assert caught.value.reason is ScanErrorReason.FAILED
    assert names(tmp_path) == []


def _noise_jpeg(size: int) -> bytes:
    # Noise does not compress: a page of several write blocks.
    image = Image.frombytes("L", (size, size), random.Random(4).randbytes(size * size))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_large_page_in_many_chunks(tmp_path: Path) -> None:
    page = _noise_jpeg(1000)
    assert len(page) > output_module.WRITE_BLOCK
    out = ScanOutput(
        tmp_path,
        "big",
        ScanFormat.JPEG,
        100,
        max_pages=1,
        max_page_bytes=1 << 30,
        max_total_bytes=1 << 30,
    )
    await out.open()
    for start in range(0, len(page), 65536):
        await out.sink(page[start : start + 65536])
    await out.end_page()
    result = await out.commit(ScanSource.GLASS)
    assert result.files[0].read_bytes() == page
    assert result.size == len(page)


def _ledm(transport: Scripted, caps: bytes | None = None) -> LedmScanner:
    return LedmScanner(transport, BASE, parse_scan_caps(caps or LEDM_CAPS.read_bytes()))  # type: ignore[arg-type]


LEDM_STATUS = (
    b'<ScanStatus xmlns="http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19">'
    b"<ScannerState>Idle</ScannerState><AdfState>Loaded</AdfState></ScanStatus>"
)
LEDM_JOB = BASE + "/Jobs/JobList/7"


def ledm_job(state: str, page_state: str | None = None) -> HttpResponse:
    page = (
        f"<PreScanPage><PageNumber>1</PageNumber><PageState>{page_state}</PageState>"
        "<BinaryURL>/Scan/Jobs/7/Pages/1</BinaryURL></PreScanPage>"
        if page_state
        else ""
    )
    return answer(
        200,
        (
            '<j:Job xmlns:j="http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30">'
            f"<j:JobState>{state}</j:JobState>"
            '<ScanJob xmlns="http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19">'
            f"{page}</ScanJob></j:Job>"
        ).encode(),
    )


def test_ledm_caps_odd_shapes() -> None:
    with pytest.raises(HPEWSParseError):
        parse_scan_caps(LEDM_STATUS)
    caps = parse_scan_caps(
        b'<ScanCaps xmlns="http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19">'
        b"<Adf/><Platen><InputSourceCaps><SupportedResolutions><Resolution>"
        b"<XResolution>300</XResolution><YResolution>600</YResolution>"
        b"</Resolution></SupportedResolutions></InputSourceCaps></Platen></ScanCaps>"
    )
    assert caps.platen is not None
    assert caps.platen.resolutions == ()  # not square: not offered
    assert caps.feeder is None
    assert caps.public().formats == ()


@pytest.mark.parametrize(
    ("script", "options", "expected"),
    [
        # Scanner without a glass, or a feeder that scans one side only.
        ({}, ScanOptions(source=ScanSource.GLASS), ScanErrorReason.UNSUPPORTED_OPTION),
        (
            {},
            ScanOptions(source=ScanSource.FEEDER, duplex=True),
            ScanErrorReason.UNSUPPORTED_OPTION,
        ),
        (
            {("POST", "/Scan/Jobs"): [answer(500)]},
            ScanOptions(),
            ScanErrorReason.FAILED,
        ),
        (
            {("POST", "/Scan/Jobs"): [answer(201, Location="/Jobs/JobList/x")]},
            ScanOptions(),
            ScanErrorReason.FAILED,
        ),
        (
            {("POST", "/Scan/Jobs"): [answer(201, Location="http://[broken")]},
            ScanOptions(),
            ScanErrorReason.FAILED,
        ),
        # The job vanishes; never gets a page ready; completes without a page.
        ({("GET", "/Jobs/JobList/7"): [None]}, ScanOptions(), ScanErrorReason.FAILED),
        (
            {("GET", "/Jobs/JobList/7"): [ledm_job("Processing", "PreparingScan")]},
            ScanOptions(),
            ScanErrorReason.FAILED,
        ),
        (
            {("GET", "/Jobs/JobList/7"): [ledm_job("Completed")]},
            ScanOptions(),
            ScanErrorReason.NO_PAGES,
        ),
        # The printer cancels the job: its status says why (a jam), or it does not.
        (
            {
                ("GET", "/Jobs/JobList/7"): [ledm_job("Canceled")],
                ("GET", "/Scan/Status"): [
                    answer(200, LEDM_STATUS),
                    answer(200, LEDM_STATUS.replace(b"Loaded", b"Jammed")),
                ],
            },
            ScanOptions(),
            ScanErrorReason.JAMMED,
        ),
        (
            {
                ("GET", "/Jobs/JobList/7"): [
                    ledm_job("Processing", "CanceledByDevice")
                ],
                ("GET", "/Scan/Status"): [
                    answer(200, LEDM_STATUS),
                    HPEWSConnectionError("x"),
                ],
            },
            ScanOptions(),
            ScanErrorReason.CANCELED,
        ),
    ],
)
async def test_ledm_paths(
    tmp_path: Path,
    script: dict[tuple[str, str], list[Answer]],
    options: ScanOptions,
    expected: ScanErrorReason,
) -> None:
    transport = Scripted()
    transport.on("GET", BASE + "/Scan/Status", answer(200, LEDM_STATUS))
    transport.on("POST", BASE + "/Scan/Jobs", answer(201, Location="/Jobs/JobList/7"))
    transport.on("PUT", LEDM_JOB, HPEWSConnectionError("cannot cancel"))
    for (method, path), answers in script.items():
        transport.on(method, BASE + path, *answers)
    caps = LEDM_CAPS.read_bytes()
    if options.source is ScanSource.GLASS:
        caps = caps.replace(b"<Platen>", b"<Unused>").replace(
            b"</Platen>", b"</Unused>"
        )
    if options.duplex:
        caps = caps.replace(b"<AdfOption>Duplex</AdfOption>", b"")
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(_ledm(transport, caps), options, tmp_path, "x")
    assert caught.value.reason is expected
    assert names(tmp_path) == []


async def test_ledm_status_missing() -> None:
    assert (await _ledm(Scripted()).status()).state is ScannerState.UNKNOWN


async def test_find_scanner_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = Scripted()
    with pytest.raises(HPEWSUnsupportedError):
        await find_scanner(transport, BASE, escl_root=BASE + "/scanner")  # type: ignore[arg-type]
    # eSCL on port 8080 when the web server has neither eSCL nor LEDM /Scan.
    transport.on(
        "GET",
        "http://192.0.2.1:8080/eSCL/ScannerCapabilities",
        answer(200, CAPS.read_bytes()),
    )
    found = await find_scanner(transport, BASE)  # type: ignore[arg-type]
    assert isinstance(found, EsclScanner)
    assert found.root == "http://192.0.2.1:8080/eSCL"
    # A web server on 8080 already: no second port to try.
    with pytest.raises(HPEWSUnsupportedError):
        await find_scanner(Scripted(), "http://192.0.2.1:8080")  # type: ignore[arg-type]
    assert scanner_module.ESCL_ALTERNATE_PORT == 8080


async def test_run_scan_argument_checks(tmp_path: Path) -> None:
    scanner = escl_scanner(Scripted(), caps_document(platen=GRAY_PDF))
    with pytest.raises(ValueError, match="max_pages"):
        await run_scan(scanner, ScanOptions(), tmp_path, "x", max_pages=0)
    with pytest.raises(HPEWSScanError) as caught:
        await run_scan(scanner, ScanOptions(), tmp_path, "x")
    assert caught.value.reason is ScanErrorReason.UNSUPPORTED_OPTION


async def _one_page(tmp_path: Path, fmt: ScanFormat, name: str = "x") -> ScanOutput:
    out = ScanOutput(
        tmp_path,
        name,
        fmt,
        100,
        max_pages=5,
        max_page_bytes=1 << 20,
        max_total_bytes=1 << 20,
    )
    await out.open()
    await out.sink(jpeg(10, 10))
    await out.end_page()
    return out


async def test_no_free_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output_module, "MAX_NAME_TRIES", 2)
    (tmp_path / "x.pdf").touch()
    (tmp_path / "x (2).pdf").touch()
    out = await _one_page(tmp_path, ScanFormat.PDF)
    with pytest.raises(HPEWSScanError) as caught:
        await out.commit(ScanSource.GLASS)
    assert caught.value.reason is ScanErrorReason.FAILED
    out.abort()
    assert names(tmp_path) == ["x (2).pdf", "x.pdf"]


async def test_name_taken_between_check_and_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await _one_page(tmp_path, ScanFormat.JPEG)
    await out.sink(jpeg(10, 10))
    await out.end_page()
    real_link = os.link
    calls: list[Path] = []

    def racing_link(source: Path, target: Path) -> None:
        calls.append(Path(target))
        if len(calls) == 2:  # x-2.jpg appears just before we take it
            Path(target).write_bytes(b"theirs")
        real_link(source, target)

    monkeypatch.setattr(output_module.os, "link", racing_link)
    result = await out.commit(ScanSource.FEEDER)
    assert result.files == (tmp_path / "x (2)-1.jpg", tmp_path / "x (2)-2.jpg")
    # The half-claimed first name was given back; theirs is untouched.
    assert names(tmp_path) == ["x (2)-1.jpg", "x (2)-2.jpg", "x-2.jpg"]
    assert (tmp_path / "x-2.jpg").read_bytes() == b"theirs"


async def test_no_hard_links_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await _one_page(tmp_path, ScanFormat.PDF)

    def no_links(source: Path, target: Path) -> None:
        raise OSError(errno.EPERM, "no hard links on this file system")

    monkeypatch.setattr(output_module.os, "link", no_links)
    result = await out.commit(ScanSource.GLASS)
    assert names(tmp_path) == ["x.pdf"]
    assert result.files[0].read_bytes().startswith(b"%PDF-1.4")


def test_status_document_helper_shapes() -> None:
    # The helper the server tests use says what the parser reads.
    status = escl.parse_status(status_document(state="Stopped", adf=None))
    assert status.state is ScannerState.STOPPED
    assert status.adf_state is None


def test_jpeg_standalone_markers_are_skipped() -> None:
    from custom_components.hp_ews.client.scanning.pdf import jpeg_info

    frame = b"\xff\xc0\x00\x11\x08\x00\x20\x00\x30\x01"
    data = b"\xff\xd8\xff\x01\xff\xd0" + frame
    assert jpeg_info(io.BytesIO(data)) == (0x30, 0x20, 1)


async def test_no_file_work_after_abort(tmp_path: Path) -> None:
    # A write queued in the executor when the scan is aborted creates nothing.
    out = ScanOutput(
        tmp_path,
        "late",
        ScanFormat.PDF,
        100,
        max_pages=5,
        max_page_bytes=1 << 20,
        max_total_bytes=1 << 20,
    )
    await out.open()
    out.abort()
    with pytest.raises(HPEWSScanError) as caught:
        await out.sink(jpeg(10, 10))
    assert caught.value.reason is ScanErrorReason.CANCELED
    assert names(tmp_path) == []


async def test_pages_that_are_no_capabilities_mean_no_scanner() -> None:
    # Some embedded web servers answer any path with their home page.
    transport = Scripted()
    page = answer(200, b"<html><body>HP</body></html>")
    transport.on("GET", BASE + "/eSCL/ScannerCapabilities", page)
    transport.on("GET", BASE + "/Scan/ScanCaps", page)
    transport.on("GET", "http://192.0.2.1:8080/eSCL/ScannerCapabilities", page)
    with pytest.raises(HPEWSUnsupportedError):
        await find_scanner(transport, BASE)  # type: ignore[arg-type]
    assert len(transport.sent) == 3
