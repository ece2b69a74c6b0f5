"""The scanner of an all-in-one: eSCL (``/eSCL/``) and LEDM (``/Scan/``).

Document shapes come from real HP captures in the public repository
manuc66/node-hp-scan-to (copies in ``tests/fixtures/escl/`` and
``tests/fixtures/ledm/scan/``, see tests/fixtures/INDEX.md):

* eSCL ScannerCapabilities: the Smart Tank Plus 570's (an HP inkjet AiO,
  firmware of the same generation), with the ADF duplex block of the ScanJet
  Pro 4500's capabilities for duplex models. Two deliberate omissions: 1200
  dpi (a page would be 140 megapixels) and ``application/octet-stream`` (raw
  pages; we generate JPEG only).
* eSCL ScannerStatus, ScanImageInfo: an HP inkjet's (LEDM-generation
  namespaces, ``pwg:Version`` 2.5).
* LEDM ScanCaps, Scan/Status, /Jobs/JobList: the OfficeJet Pro 9010 series
  ScanCaps and the Officejet 6500 E710n-z transcript.

Pages are real JPEGs drawn with Pillow (page number, source, side), made in
the executor a few pages ahead of the client; PDF documents embed those JPEGs
(DCTDecode) and are streamed page by page, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field
import functools
import io
import time
from typing import TYPE_CHECKING, Any, Final
import uuid
import xml.etree.ElementTree as ET

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .profiles import ScannerSpec
    from .state import PrinterState

SCAN: Final = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG: Final = "http://www.pwg.org/schemas/2010/12/sm"
CNX: Final = "http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19"
JOBS: Final = "http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30"
DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"

MAX_SETTINGS_BYTES: Final = 64 * 1024
MAX_PIXELS: Final = 40_000_000
"""Pixels of one page at most (A4 at 600 dpi is 35 million)."""
PREFETCH: Final = 3
"""Pages made ahead of the client at most."""
JOB_IDLE_SECONDS: Final = 60.0
"""A job nobody asks about for this long is aborted (the scanner frees itself)."""
PAGE_WAIT_SECONDS: Final = 2.0
"""NextDocument waits this long for a page being scanned before answering 503."""
HISTORY: Final = 10
"""Finished jobs listed in ScannerStatus."""
LETTER_WIDTH: Final = 2550
"""Widest region, in 1/300 inch (8.5 in)."""
PLATEN_HEIGHT: Final = 3508
ADF_HEIGHT: Final = 4200
DISCLAIMER: Final = b"<!-- THIS DATA SUBJECT TO DISCLAIMER(S) INCLUDED WITH THE PRODUCT OF ORIGIN. -->\n"

ET.register_namespace("scan", SCAN)
ET.register_namespace("pwg", PWG)
ET.register_namespace("j", JOBS)
ET.register_namespace("dd", DD)

COLOR_MODES: Final = {"RGB24": "RGB", "Grayscale8": "L", "BlackAndWhite1": "L"}
"""eSCL colour mode -> Pillow mode (black and white pages are grey JPEGs)."""
LEDM_COLOR: Final = {"Color": "RGB", "Gray": "L", "K1": "L"}
FORMATS: Final = ("image/jpeg", "application/pdf")


class ScanRefusedError(Exception):
    """A job cannot start; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        """Refuse with ``status``."""
        super().__init__(message)
        self.status = status


# --- pages ------------------------------------------------------------------------


def render_page(
    width: int, height: int, mode: str, *, number: int, source: str, side: str
) -> bytes:
    """A JPEG page of ``width`` x ``height`` pixels saying what it is.

    Drawn on a small canvas and scaled up (nearest neighbour), so a 300 dpi
    A4 page takes well under 0.1 s; mostly white, it compresses to ~150 KB.
    """
    step = max(1, min(width, height) // 640)
    canvas = Image.new(mode, (max(1, width // step), max(1, height // step)), "white")
    draw = ImageDraw.Draw(canvas)
    short = min(canvas.size)
    font = ImageFont.load_default(size=max(8, short // 14))
    small = ImageFont.load_default(size=max(6, short // 28))
    margin = short // 12
    if mode == "RGB":
        draw.rectangle((0, 0, canvas.size[0], margin), fill=(0, 150, 214))
    draw.text((margin, margin * 2), f"Page {number}", fill="black", font=font)
    draw.text(
        (margin, margin * 4),
        f"Source: {source}  Side: {side}",
        fill="black",
        font=small,
    )
    for line in range(6, 16):
        y = margin * line
        draw.line((margin, y, canvas.size[0] - margin, y), fill="gray", width=1)
    image = (
        canvas.resize((width, height), Image.Resampling.NEAREST)
        if canvas.size != (width, height)
        else canvas
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Page:
    """One scanned page."""

    number: int
    jpeg: bytes
    width: int
    height: int
    side: str


class PdfStream:
    """A PDF written page by page: each page is one JPEG image (DCTDecode).

    Objects: 1 catalog, 2 page tree (written last, when the kids are known),
    then page, contents and image per page.
    """

    def __init__(self, x_dpi: int, y_dpi: int, gray: bool) -> None:
        """A document whose pages were scanned at that resolution."""
        self._x_dpi = x_dpi
        self._y_dpi = y_dpi
        self._space = "/DeviceGray" if gray else "/DeviceRGB"
        self._offsets: dict[int, int] = {}
        self._written = 0
        self._kids: list[int] = []

    def _object(self, number: int, body: bytes) -> bytes:
        self._offsets[number] = self._written
        data = f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        self._written += len(data)
        return data

    def header(self) -> bytes:
        """``%PDF`` and the catalog."""
        head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        self._written = len(head)
        return head + self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")

    def page(self, page: Page) -> bytes:
        """The objects of one page."""
        base = 3 + 3 * len(self._kids)
        self._kids.append(base)
        points_w = page.width * 72 / self._x_dpi
        points_h = page.height * 72 / self._y_dpi
        content = f"q {points_w:.2f} 0 0 {points_h:.2f} 0 0 cm /Im0 Do Q".encode()
        image = (
            f"<< /Type /XObject /Subtype /Image /Width {page.width} "
            f"/Height {page.height} /ColorSpace {self._space} /BitsPerComponent 8 "
            f"/Filter /DCTDecode /Length {len(page.jpeg)} >>\nstream\n"
        ).encode()
        return (
            self._object(
                base,
                (
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points_w:.2f} "
                    f"{points_h:.2f}] /Resources << /XObject << /Im0 {base + 2} 0 R "
                    f">> >> /Contents {base + 1} 0 R >>"
                ).encode(),
            )
            + self._object(
                base + 1,
                f"<< /Length {len(content)} >>\nstream\n".encode()
                + content
                + b"\nendstream",
            )
            + self._object(base + 2, image + page.jpeg + b"\nendstream")
        )

    def trailer(self) -> bytes:
        """The page tree, the cross-reference table and the trailer."""
        kids = " ".join(f"{kid} 0 R" for kid in self._kids)
        tree = self._object(
            2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._kids)} >>".encode()
        )
        xref_at = self._written  # _object counted the tree
        count = max(self._offsets) + 1
        rows = [b"0000000000 65535 f \n"]
        rows += [
            f"{self._offsets[number]:010d} 00000 n \n".encode()
            if number in self._offsets
            else b"0000000000 65535 f \n"
            for number in range(1, count)
        ]
        return (
            tree
            + f"xref\n0 {count}\n".encode()
            + b"".join(rows)
            + f"trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref_at}\n"
            f"%%EOF\n".encode()
        )


def build_pdf(pages: Iterable[Page], x_dpi: int, y_dpi: int, gray: bool) -> bytes:
    """A whole PDF of ``pages`` (for tests and small documents)."""
    pdf = PdfStream(x_dpi, y_dpi, gray)
    return pdf.header() + b"".join(pdf.page(p) for p in pages) + pdf.trailer()


# --- jobs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """What a client asked for, whichever protocol it spoke."""

    source: str
    """``Platen`` or ``Feeder``."""
    duplex: bool
    mode: str
    """Pillow mode: ``RGB`` or ``L``."""
    x_dpi: int
    y_dpi: int
    width: int
    """Region in 1/300 inch."""
    height: int
    document_format: str
    color_mode: str = "RGB24"

    @property
    def pixels(self) -> tuple[int, int]:
        """Image size."""
        return (
            max(1, self.width * self.x_dpi // 300),
            max(1, self.height * self.y_dpi // 300),
        )


@dataclass(eq=False)
class ScanJob:
    """One scan job (eSCL or LEDM)."""

    number: int
    settings: ScanSettings
    total: int
    """Pages the job makes at most (sheets x sides)."""
    protocol: str
    """``escl`` or ``ledm``."""
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = "Processing"
    """Processing, Completed, Canceled, Aborted."""
    reason: str = "JobScanning"
    ready: collections.deque[Page] = field(default_factory=collections.deque)
    produced: int = 0
    delivered: int = 0
    finished: bool = False
    """No more pages will be made."""
    not_ready_answers: int = 0
    last_page: int = 0
    """Number of the last page handed out (LEDM PostScanPage)."""
    started: float = field(default_factory=time.monotonic)
    touched: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None
    room: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the client took a page (room to make the next)."""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a page was made or the job ended."""
    pdf_sent: bool = False

    @property
    def active(self) -> bool:
        """Still scanning or holding pages."""
        return self.state == "Processing"

    @property
    def path(self) -> str:
        """``/eSCL/ScanJobs/<uuid>`` or ``/Jobs/JobList/<n>``."""
        if self.protocol == "escl":
            return f"/eSCL/ScanJobs/{self.uuid}"
        return f"/Jobs/JobList/{self.number}"

    def touch(self) -> None:
        """The client asked about this job."""
        self.touched = time.monotonic()


class Scanner:
    """The scanner of one simulated printer and its jobs."""

    def __init__(self, spec: ScannerSpec, state: PrinterState) -> None:
        """A scanner built as ``spec`` says, sharing the printer's state."""
        self.spec = spec
        self.state = state
        self.jobs: dict[str, ScanJob] = {}
        self._numbers = 0
        self.listeners: list[Callable[[ScanJob], None]] = []
        """Called when a job changes state (walk-up, event table)."""
        state.add_listener(self._on_state_change)

    # --- state ----------------------------------------------------------------------

    @property
    def active_job(self) -> ScanJob | None:
        """The job holding the scanner, if any."""
        return next((job for job in self.jobs.values() if job.active), None)

    @property
    def stopped(self) -> bool:
        """A jam or an open door stops the scanner."""
        return self.state.paper_jam or self.state.door_open

    @property
    def escl_state(self) -> str:
        """``pwg:State``."""
        if self.stopped:
            return "Stopped"
        return "Processing" if self.active_job is not None else "Idle"

    @property
    def adf_state(self) -> str:
        """``scan:AdfState``."""
        if self.state.paper_jam:
            return "ScannerAdfJam"
        if self.state.door_open:
            return "ScannerAdfHatchOpen"
        return "ScannerAdfLoaded" if self.state.feeder_sheets else "ScannerAdfEmpty"

    def _on_state_change(self) -> None:
        job = self.active_job
        if job is not None and self.stopped:
            self._end(job, "Aborted", "JobAborted")

    def _end(self, job: ScanJob, state: str, reason: str) -> None:
        job.state = state
        job.reason = reason
        job.finished = True
        job.ready.clear()
        if job.task is not None and not job.task.done():
            job.task.cancel()
        job.room.set()
        job.arrived.set()
        self._notify(job)

    def _notify(self, job: ScanJob) -> None:
        for listener in list(self.listeners):
            listener(job)

    def cancel_all(self) -> None:
        """Power cycle: every job is gone."""
        for job in list(self.jobs.values()):
            if job.active:
                self._end(job, "Canceled", "JobCanceledByUser")
        self.jobs.clear()

    async def close(self) -> None:
        """Stop making pages."""
        tasks = [job.task for job in self.jobs.values() if job.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- starting jobs ----------------------------------------------------------------

    def check(self, settings: ScanSettings) -> None:
        """Refuse what this scanner cannot do (before anything changes).

        Raises:
            ScanRefusedError: 503 stopped, 409 busy, empty feeder or bad settings.
        """
        if self.stopped:
            raise ScanRefusedError(503, "scanner stopped: jam or door open")
        job = self.active_job
        if job is not None and time.monotonic() - job.touched > JOB_IDLE_SECONDS:
            self._end(job, "Aborted", "JobTimedOut")
            job = None
        if job is not None:
            raise ScanRefusedError(409, "scanner busy")
        feeder = settings.source == "Feeder"
        if feeder and not self.spec.adf:
            raise ScanRefusedError(409, "no document feeder")
        if settings.duplex and not (feeder and self.spec.duplex):
            raise ScanRefusedError(409, "duplex needs the duplex feeder")
        resolutions = (
            self.spec.adf_resolutions if feeder else self.spec.platen_resolutions
        )
        if settings.x_dpi not in resolutions or settings.y_dpi not in resolutions:
            raise ScanRefusedError(409, f"resolution not supported: {settings.x_dpi}")
        if settings.document_format not in FORMATS:
            raise ScanRefusedError(
                409, f"format not supported: {settings.document_format}"
            )
        limit = ADF_HEIGHT if feeder else PLATEN_HEIGHT
        if not (0 < settings.width <= LETTER_WIDTH and 0 < settings.height <= limit):
            raise ScanRefusedError(409, "scan region outside the scan area")
        width, height = settings.pixels
        if width * height > MAX_PIXELS:
            raise ScanRefusedError(409, "image too large")
        if feeder and not self.state.feeder_sheets:
            raise ScanRefusedError(409, "document feeder empty")

    def start(self, settings: ScanSettings, protocol: str) -> ScanJob:
        """Start a job after :meth:`check`."""
        self.check(settings)
        if self.state.power_save:
            # A scan wakes the printer, as a print job does.
            self.state.power_save = False
            self.state.changed()
        sides = 2 if settings.duplex else 1
        total = self.state.feeder_sheets * sides if settings.source == "Feeder" else 1
        self._numbers += 1
        job = ScanJob(self._numbers, settings, total, protocol)
        self.jobs[job.uuid] = job
        # Only the newest job can be running: the oldest ones are finished.
        while len(self.jobs) > HISTORY:
            del self.jobs[next(iter(self.jobs))]
        job.task = asyncio.get_running_loop().create_task(self._produce(job))
        self._notify(job)
        return job

    async def _produce(self, job: ScanJob) -> None:
        """Scan the pages, a few ahead of the client."""
        settings = job.settings
        width, height = settings.pixels
        loop = asyncio.get_running_loop()
        feeder = settings.source == "Feeder"
        for index in range(job.total):
            while len(job.ready) >= PREFETCH:
                job.room.clear()
                await job.room.wait()
            side = "back" if settings.duplex and index % 2 else "front"
            if feeder and side == "front":
                if not self.state.feeder_sheets:
                    break  # the user took the sheets out
                self.state.feeder_sheets -= 1
                self.state.changed()
            jpeg = await loop.run_in_executor(
                None,
                functools.partial(
                    render_page,
                    width,
                    height,
                    settings.mode,
                    number=index + 1,
                    source="Feeder" if feeder else "Glass",
                    side=side,
                ),
            )
            job.ready.append(Page(index + 1, jpeg, width, height, side))
            job.produced += 1
            job.arrived.set()
        job.finished = True
        job.arrived.set()
        if not job.ready:
            self._complete(job)

    def take(self, job: ScanJob) -> Page | None:
        """The next page, if made; completes the job after its last page."""
        if not job.ready:
            return None
        page = job.ready.popleft()
        job.delivered += 1
        job.last_page = page.number
        job.room.set()
        if job.finished and not job.ready:
            self._complete(job)
        return page

    async def next_page(self, job: ScanJob) -> Page | None:
        """Wait for the next page; None when the job has no more."""
        while True:
            page = self.take(job)
            if page is not None or job.finished or not job.active:
                return page
            # Nothing ready and no await since take(): no wake-up is lost.
            job.arrived.clear()
            await job.arrived.wait()

    def _complete(self, job: ScanJob) -> None:
        # Only running jobs get here: an ended job has no pages to take and
        # its producer was cancelled.
        job.state = "Completed"
        job.reason = "JobCompletedSuccessfully"
        self._notify(job)

    def cancel(self, job: ScanJob) -> None:
        """The client deleted or canceled the job."""
        if job.active:
            self._end(job, "Canceled", "JobCanceledByUser")

    # --- eSCL -------------------------------------------------------------------------

    def capabilities(self, model: str, serial: str, printer_uuid: str) -> bytes:
        """``/eSCL/ScannerCapabilities``."""
        root = ET.Element(f"{{{SCAN}}}ScannerCapabilities")
        _sub(root, PWG, "Version", "2.63")
        _sub(root, PWG, "MakeAndModel", model)
        _sub(root, PWG, "SerialNumber", serial)
        _sub(root, SCAN, "Manufacturer", "HP")
        _sub(root, SCAN, "UUID", printer_uuid)
        _sub(root, SCAN, "AdminURI", "/")
        _sub(root, SCAN, "IconURI", "images/printer.png")
        platen = ET.SubElement(root, f"{{{SCAN}}}Platen")
        self._input_caps(
            platen, "PlatenInputCaps", PLATEN_HEIGHT, self.spec.platen_resolutions, 8
        )
        if self.spec.adf:
            adf = ET.SubElement(root, f"{{{SCAN}}}Adf")
            self._input_caps(
                adf, "AdfSimplexInputCaps", ADF_HEIGHT, self.spec.adf_resolutions, 1200
            )
            if self.spec.duplex:
                self._input_caps(
                    adf,
                    "AdfDuplexInputCaps",
                    PLATEN_HEIGHT,
                    self.spec.adf_resolutions,
                    1200,
                )
            _sub(adf, SCAN, "FeederCapacity", str(self.spec.feeder_capacity))
            options = ET.SubElement(adf, f"{{{SCAN}}}AdfOptions")
            _sub(options, SCAN, "AdfOption", "DetectPaperLoaded")
            if self.spec.duplex:
                _sub(options, SCAN, "AdfOption", "Duplex")
        for name, top, normal in (
            ("BrightnessSupport", "2000", "1000"),
            ("ContrastSupport", "2000", "1000"),
        ):
            support = ET.SubElement(root, f"{{{SCAN}}}{name}")
            for key, value in (("Min", "0"), ("Max", top), ("Normal", normal)):
                _sub(support, SCAN, key, value)
            _sub(support, SCAN, "Step", "1")
        return _document(root)

    def _input_caps(
        self,
        parent: ET.Element,
        name: str,
        max_height: int,
        resolutions: tuple[int, ...],
        min_page: int,
    ) -> None:
        caps = ET.SubElement(parent, f"{{{SCAN}}}{name}")
        for key, value in (
            ("MinWidth", 8),
            ("MaxWidth", LETTER_WIDTH),
            ("MinHeight", 8),
            ("MaxHeight", max_height),
            ("MinPageWidth", max(8, min_page)),
            ("MinPageHeight", 1800 if min_page > 8 else 8),
            ("MaxScanRegions", 1),
        ):
            _sub(caps, SCAN, key, str(value))
        profiles = ET.SubElement(caps, f"{{{SCAN}}}SettingProfiles")
        profile = ET.SubElement(profiles, f"{{{SCAN}}}SettingProfile")
        modes = ET.SubElement(profile, f"{{{SCAN}}}ColorModes")
        for mode in ("BlackAndWhite1", "Grayscale8", "RGB24"):
            _sub(modes, SCAN, "ColorMode", mode)
        types = ET.SubElement(profile, f"{{{SCAN}}}ContentTypes")
        for content in ("Photo", "Text", "TextAndPhoto"):
            _sub(types, PWG, "ContentType", content)
        formats = ET.SubElement(profile, f"{{{SCAN}}}DocumentFormats")
        for document_format in FORMATS:
            _sub(formats, PWG, "DocumentFormat", document_format)
        for document_format in FORMATS:
            _sub(formats, SCAN, "DocumentFormatExt", document_format)
        supported = ET.SubElement(profile, f"{{{SCAN}}}SupportedResolutions")
        discrete = ET.SubElement(supported, f"{{{SCAN}}}DiscreteResolutions")
        for dpi in resolutions:
            resolution = ET.SubElement(discrete, f"{{{SCAN}}}DiscreteResolution")
            _sub(resolution, SCAN, "XResolution", str(dpi))
            _sub(resolution, SCAN, "YResolution", str(dpi))
        spaces = ET.SubElement(profile, f"{{{SCAN}}}ColorSpaces")
        for space in ("YCC", "RGB"):
            _sub(spaces, SCAN, "ColorSpace", space)
        intents = ET.SubElement(caps, f"{{{SCAN}}}SupportedIntents")
        for intent in ("Document", "Photo", "Preview", "TextAndGraphic"):
            _sub(intents, SCAN, "Intent", intent)
        _sub(caps, SCAN, "MaxOpticalXResolution", str(max(resolutions)))
        _sub(caps, SCAN, "MaxOpticalYResolution", str(max(resolutions)))

    def status(self) -> bytes:
        """``/eSCL/ScannerStatus``."""
        root = ET.Element(f"{{{SCAN}}}ScannerStatus")
        _sub(root, PWG, "Version", "2.5")
        _sub(root, PWG, "State", self.escl_state)
        if self.spec.adf:
            _sub(root, SCAN, "AdfState", self.adf_state)
        escl_jobs = [job for job in self.jobs.values() if job.protocol == "escl"]
        if escl_jobs:
            jobs = ET.SubElement(root, f"{{{SCAN}}}Jobs")
            now = time.monotonic()
            for job in reversed(escl_jobs):
                info = ET.SubElement(jobs, f"{{{SCAN}}}JobInfo")
                _sub(info, PWG, "JobUri", job.path)
                _sub(info, PWG, "JobUuid", job.uuid)
                _sub(info, SCAN, "Age", str(int(now - job.started)))
                _sub(info, PWG, "ImagesCompleted", str(job.produced))
                _sub(info, PWG, "ImagesToTransfer", str(len(job.ready)))
                _sub(info, PWG, "JobState", job.state)
                reasons = ET.SubElement(info, f"{{{PWG}}}JobStateReasons")
                _sub(reasons, PWG, "JobStateReason", job.reason)
        return _document(root, disclaimer=False)

    def image_info(self, job: ScanJob) -> bytes:
        """``{job}/ScanImageInfo`` of the last page handed out."""
        width, height = job.settings.pixels
        channels = 3 if job.settings.mode == "RGB" else 1
        root = ET.Element(f"{{{SCAN}}}ScanImageInfo")
        _sub(root, PWG, "JobUri", job.path)
        _sub(root, PWG, "JobUuid", job.uuid)
        _sub(root, SCAN, "ActualWidth", str(width))
        _sub(root, SCAN, "ActualHeight", str(height))
        _sub(root, SCAN, "ActualBytesPerLine", str(width * channels))
        return _document(root, disclaimer=False)

    def find(self, job_id: str) -> ScanJob | None:
        """An eSCL job by its uuid."""
        return self.jobs.get(job_id)

    def find_number(self, number: int) -> ScanJob | None:
        """An LEDM job by its number."""
        return next((j for j in self.jobs.values() if j.number == number), None)

    # --- LEDM -------------------------------------------------------------------------

    def ledm_caps(self, model: str) -> bytes:
        """``/Scan/ScanCaps`` in the OfficeJet Pro 9010 series' shape."""
        root = ET.Element(f"{{{CNX}}}ScanCaps")
        device = ET.SubElement(root, f"{{{CNX}}}DeviceCaps")
        _sub(device, CNX, "ModelName", model)
        _sub(device, CNX, "DerivativeNumber", "58")
        entries = ET.SubElement(root, f"{{{CNX}}}ColorEntries")
        for color, formats in (
            ("K1", ("Raw",)),
            ("Gray8", ("Raw", "Jpeg")),
            ("Color8", ("Raw", "Jpeg")),
        ):
            entry = ET.SubElement(entries, f"{{{CNX}}}ColorEntry")
            _sub(entry, CNX, "ColorType", color)
            wrapper = ET.SubElement(entry, f"{{{CNX}}}Formats")
            for name in formats:
                _sub(wrapper, CNX, "Format", name)
        self._ledm_source(root, "Platen", PLATEN_HEIGHT, self.spec.platen_resolutions)
        if self.spec.adf:
            adf = self._ledm_source(root, "Adf", ADF_HEIGHT, self.spec.adf_resolutions)
            _sub(adf, CNX, "FeederCapacity", str(self.spec.feeder_capacity))
            if self.spec.duplex:
                duplexer = ET.SubElement(adf, f"{{{CNX}}}AdfDuplexer")
                _sub(duplexer, CNX, "AdfDuplexMaxWidth", str(LETTER_WIDTH))
                _sub(duplexer, CNX, "AdfDuplexMaxHeight", str(PLATEN_HEIGHT))
            options = ET.SubElement(adf, f"{{{CNX}}}AdfOptions")
            _sub(options, CNX, "AdfOption", "DetectPaperLoaded")
            if self.spec.duplex:
                _sub(options, CNX, "AdfOption", "Duplex")
        return _document(root)

    def _ledm_source(
        self, root: ET.Element, name: str, height: int, resolutions: tuple[int, ...]
    ) -> ET.Element:
        source = ET.SubElement(root, f"{{{CNX}}}{name}")
        caps = ET.SubElement(source, f"{{{CNX}}}InputSourceCaps")
        for key, value in (
            ("MinWidth", 8),
            ("MinHeight", 8),
            ("MaxWidth", LETTER_WIDTH),
            ("MaxHeight", height),
            ("MinResolution", min(resolutions)),
            ("MaxOpticalXResolution", max(resolutions)),
            ("MaxOpticalYResolution", max(resolutions)),
        ):
            _sub(caps, CNX, key, str(value))
        supported = ET.SubElement(caps, f"{{{CNX}}}SupportedResolutions")
        for dpi in resolutions:
            resolution = ET.SubElement(supported, f"{{{CNX}}}Resolution")
            _sub(resolution, CNX, "XResolution", str(dpi))
            _sub(resolution, CNX, "YResolution", str(dpi))
            _sub(resolution, CNX, "NumCcd", "1")
            types = ET.SubElement(resolution, f"{{{CNX}}}ColorTypes")
            for color in ("K1", "Gray8", "Color8"):
                _sub(types, CNX, "ColorType", color)
        return source

    def ledm_status(self) -> bytes:
        """``/Scan/Status``: ScannerState Idle/BusyWithScanJob, AdfState."""
        root = ET.Element(f"{{{CNX}}}ScanStatus")
        busy = self.active_job is not None or self.stopped
        _sub(root, CNX, "ScannerState", "BusyWithScanJob" if busy else "Idle")
        if self.spec.adf:
            _sub(
                root, CNX, "AdfState", "Loaded" if self.state.feeder_sheets else "Empty"
            )
        return _document(root)

    def ledm_job(self, job: ScanJob, boot: int, *, warming: bool = False) -> bytes:
        """``/Jobs/JobList/<n>`` as the Officejet 6500 E710n-z answers it."""
        root = ET.Element(f"{{{JOBS}}}Job")
        _sub(root, JOBS, "JobUrl", job.path)
        _sub(root, JOBS, "JobCategory", "Scan")
        _sub(root, JOBS, "JobState", _LEDM_JOB_STATE.get(job.state, job.state))
        _sub(root, JOBS, "JobStateUpdate", f"{boot}-{job.number}")
        scan_job = ET.SubElement(root, f"{{{CNX}}}ScanJob")
        settings = job.settings
        width, height = settings.pixels
        if job.active:
            pre = ET.SubElement(scan_job, f"{{{CNX}}}PreScanPage")
            number = job.ready[0].number if job.ready else job.delivered + 1
            _sub(pre, CNX, "PageNumber", str(number))
            _sub(
                pre,
                CNX,
                "PageState",
                "ReadyToUpload" if job.ready and not warming else "PreparingScan",
            )
            info = ET.SubElement(pre, f"{{{CNX}}}BufferInfo")
            echoed = ET.SubElement(info, f"{{{CNX}}}ScanSettings")
            for key, value in (
                ("XResolution", settings.x_dpi),
                ("YResolution", settings.y_dpi),
                ("XStart", 0),
                ("YStart", 0),
                ("Width", settings.width),
                ("Height", settings.height),
                ("Format", "Jpeg"),
                ("CompressionQFactor", 0),
                ("ColorSpace", "Color" if settings.mode == "RGB" else "Gray"),
                ("BitDepth", 8),
                ("InputSource", "Adf" if settings.source == "Feeder" else "Platen"),
                ("ContentType", "Document"),
            ):
                _sub(echoed, CNX, key, str(value))
            channels = 3 if settings.mode == "RGB" else 1
            _sub(info, CNX, "ImageWidth", str(width))
            _sub(info, CNX, "ImageHeight", str(height))
            _sub(info, CNX, "BytesPerLine", str(width * channels))
            _sub(info, CNX, "Cooked", "enabled")
            _sub(pre, CNX, "BinaryURL", f"/Scan/Jobs/{job.number}/Pages/{number}")
            _sub(pre, CNX, "ImageOrientation", "Normal")
        elif job.last_page:
            post = ET.SubElement(scan_job, f"{{{CNX}}}PostScanPage")
            _sub(post, CNX, "PageNumber", str(job.last_page))
            _sub(post, CNX, "PageState", "UploadCompleted")
            _sub(post, CNX, "TotalLines", str(height))
        return _document(root)


_LEDM_JOB_STATE: Final = {"Aborted": "Canceled"}


def _sub(parent: ET.Element, uri: str, local: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{uri}}}{local}")
    element.text = text
    return element


def _document(root: ET.Element, *, disclaimer: bool = True) -> bytes:
    ET.indent(root, "\t")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + (DISCLAIMER if disclaimer else b"")
        + ET.tostring(root)
        + b"\n"
    )


# --- parsing requests --------------------------------------------------------------------


def _texts(root: ET.Element) -> dict[str, str]:
    """First text of every element by local name (namespaces vary by client)."""
    found: dict[str, str] = {}
    for element in root.iter():
        local = element.tag.rpartition("}")[2]
        if local not in found and element.text and element.text.strip():
            found[local] = element.text.strip()
    return found


def _int(values: dict[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ScanRefusedError(400, f"{name} is not a number") from None


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole request body, however it is chunked, up to ``limit`` bytes.

    Raises:
        ScanRefusedError: 413 when it is longer.
    """
    if (request.content_length or 0) > limit:
        raise ScanRefusedError(413, "request body too large")
    body = bytearray()
    while chunk := await request.content.read(65536):
        body += chunk
        if len(body) > limit:
            raise ScanRefusedError(413, "request body too large")
    return bytes(body)


def parse_xml(body: bytes) -> ET.Element:
    """A request body (bounded by the caller) as XML, without entity tricks.

    Raises:
        ScanRefusedError: 400 DTD or not XML.
    """
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ScanRefusedError(400, "DTDs are not accepted")
    try:
        # No DTD (checked above): no entity expansion.
        return ET.fromstring(body)  # noqa: S314
    except ET.ParseError as err:
        raise ScanRefusedError(400, f"not XML: {err}") from None


def parse_escl_settings(body: bytes) -> ScanSettings:
    """An eSCL ``scan:ScanSettings`` document.

    Raises:
        ScanRefusedError: 400 malformed, 409 a colour mode the scanner lacks.
    """
    root = parse_xml(body)
    if root.tag.rpartition("}")[2] != "ScanSettings":
        raise ScanRefusedError(400, "not a ScanSettings document")
    values = _texts(root)
    source = values.get("InputSource", "Platen")
    if source not in ("Platen", "Feeder"):
        raise ScanRefusedError(409, f"input source not supported: {source}")
    color = values.get("ColorMode", "RGB24")
    mode = COLOR_MODES.get(color)
    if mode is None:
        raise ScanRefusedError(409, f"color mode not supported: {color}")
    x_dpi = _int(values, "XResolution", 300)
    feeder = source == "Feeder"
    return ScanSettings(
        source=source,
        duplex=values.get("Duplex", "false").lower() == "true",
        mode=mode,
        x_dpi=x_dpi,
        y_dpi=_int(values, "YResolution", x_dpi),
        width=_int(values, "Width", LETTER_WIDTH),
        height=_int(values, "Height", ADF_HEIGHT if feeder else PLATEN_HEIGHT),
        document_format=values.get(
            "DocumentFormatExt", values.get("DocumentFormat", "image/jpeg")
        ),
        color_mode=color,
    )


def parse_ledm_settings(body: bytes) -> ScanSettings:
    """An LEDM (cnx/scan 2008/08/19) ``ScanSettings`` document.

    Raises:
        ScanRefusedError: 400 malformed, 409 what the scanner cannot do.
    """
    root = parse_xml(body)
    if root.tag != f"{{{CNX}}}ScanSettings":
        raise ScanRefusedError(400, "not an LEDM ScanSettings document")
    values = _texts(root)
    source = values.get("InputSource", "Platen")
    if source not in ("Platen", "Adf"):
        raise ScanRefusedError(409, f"input source not supported: {source}")
    color = values.get("ColorSpace", "Color")
    mode = LEDM_COLOR.get(color)
    if mode is None:
        raise ScanRefusedError(409, f"color space not supported: {color}")
    if values.get("Format", "Jpeg") != "Jpeg":
        raise ScanRefusedError(409, "only Jpeg pages")
    duplex = any(
        (element.text or "").strip() == "Duplex"
        for element in root.iter(f"{{{CNX}}}AdfOption")
    )
    x_dpi = _int(values, "XResolution", 300)
    return ScanSettings(
        source="Feeder" if source == "Adf" else "Platen",
        duplex=duplex,
        mode=mode,
        x_dpi=x_dpi,
        y_dpi=_int(values, "YResolution", x_dpi),
        width=_int(values, "Width", LETTER_WIDTH),
        height=_int(values, "Height", PLATEN_HEIGHT),
        document_format="image/jpeg",
        color_mode="RGB24" if mode == "RGB" else "Grayscale8",
    )


# --- HTTP ---------------------------------------------------------------------------------


class ScannerHttp:
    """The scanner's HTTP endpoints (routes registered by the server)."""

    def __init__(
        self,
        scanner: Scanner,
        identity: Callable[[], tuple[str, str, str]],
        boot: Callable[[], int],
    ) -> None:
        """``identity()`` gives (model, serial, uuid); ``boot()`` the power-on count."""
        self.scanner = scanner
        self._identity = identity
        self._boot = boot

    def routes(self) -> list[web.RouteDef]:
        """Every scanner route."""
        job = "/eSCL/ScanJobs/{job_id:[0-9a-f-]{36}}"
        return [
            web.get("/eSCL/ScannerCapabilities", self.get_capabilities),
            web.get("/eSCL/ScannerStatus", self.get_status),
            web.post("/eSCL/ScanJobs", self.post_job),
            web.get(job, self.get_job),
            web.delete(job, self.delete_job),
            web.get(job + "/NextDocument", self.next_document),
            web.get(job + "/ScanImageInfo", self.get_image_info),
            web.get("/Scan/ScanCaps", self.get_ledm_caps),
            web.get("/Scan/Status", self.get_ledm_status),
            web.post("/Scan/Jobs", self.post_ledm_job),
            web.get("/Jobs/JobList/{number:\\d{1,9}}", self.get_ledm_job),
            web.put("/Jobs/JobList/{number:\\d{1,9}}", self.put_ledm_job),
            web.get(
                "/Scan/Jobs/{number:\\d{1,9}}/Pages/{page:\\d{1,9}}", self.get_ledm_page
            ),
        ]

    @staticmethod
    def _xml(body: bytes, status: int = 200) -> web.Response:
        response = web.Response(status=status, body=body, content_type="text/xml")
        response.headers["Cache-Control"] = "must-revalidate, max-age=0"
        return response

    @staticmethod
    def _refused(err: ScanRefusedError) -> web.Response:
        return web.Response(status=err.status, text=str(err))

    async def _body(self, request: web.Request) -> bytes:
        return await read_body(request, MAX_SETTINGS_BYTES)

    def _job(self, request: web.Request) -> ScanJob:
        job = self.scanner.find(request.match_info["job_id"])
        if job is None:
            raise web.HTTPNotFound(text="no such job")
        job.touch()
        return job

    # --- eSCL ---

    async def get_capabilities(self, request: web.Request) -> web.Response:
        """ScannerCapabilities."""
        return self._xml(self.scanner.capabilities(*self._identity()))

    async def get_status(self, request: web.Request) -> web.Response:
        """ScannerStatus."""
        return self._xml(self.scanner.status())

    async def post_job(self, request: web.Request) -> web.Response:
        """POST ScanJobs: 201 and where the job lives."""
        try:
            settings = parse_escl_settings(await self._body(request))
            job = self.scanner.start(settings, "escl")
        except ScanRefusedError as err:
            return self._refused(err)
        response = web.Response(status=201)
        response.headers["Location"] = f"{request.scheme}://{request.host}{job.path}"
        return response

    async def get_job(self, request: web.Request) -> web.Response:
        """A job's own URL: what ScannerStatus says about it."""
        self._job(request)
        return self._xml(self.scanner.status())

    async def delete_job(self, request: web.Request) -> web.Response:
        """DELETE a job: cancels it if still running."""
        self.scanner.cancel(self._job(request))
        return web.Response(status=200)

    async def get_image_info(self, request: web.Request) -> web.Response:
        """ScanImageInfo."""
        return self._xml(self.scanner.image_info(self._job(request)))

    async def next_document(self, request: web.Request) -> web.StreamResponse:
        """NextDocument: a page, 503 while it is being scanned, 404 when done."""
        job = self._job(request)
        if _warming_up(job):
            return _not_ready()
        if job.settings.document_format == "application/pdf":
            return await self._pdf(request, job)
        try:
            # The page being scanned comes as soon as it is done; a client
            # asking long before that hears 503, as from the firmware.
            async with asyncio.timeout(PAGE_WAIT_SECONDS):
                page = await self.scanner.next_page(job)
        except TimeoutError:
            job.not_ready_answers += 1
            return _not_ready()
        if page is None:
            raise web.HTTPNotFound(text="no more pages")
        return web.Response(body=page.jpeg, content_type="image/jpeg")

    async def _pdf(self, request: web.Request, job: ScanJob) -> web.StreamResponse:
        """The whole job as one PDF, streamed as the pages are scanned."""
        if job.pdf_sent or (not job.active and not job.ready):
            raise web.HTTPNotFound(text="no more pages")
        if not job.ready:
            job.not_ready_answers += 1
            return _not_ready()
        job.pdf_sent = True
        settings = job.settings
        pdf = PdfStream(settings.x_dpi, settings.y_dpi, settings.mode == "L")
        response = web.StreamResponse()
        response.content_type = "application/pdf"
        await response.prepare(request)
        await response.write(pdf.header())
        while (page := await self.scanner.next_page(job)) is not None:
            job.touch()
            await response.write(pdf.page(page))
        if job.state != "Completed":
            # Aborted mid-document (jam, door): the connection drops, as the
            # printer's does.
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write(pdf.trailer())
        await response.write_eof()
        return response

    # --- LEDM ---

    async def get_ledm_caps(self, request: web.Request) -> web.Response:
        """ScanCaps."""
        return self._xml(self.scanner.ledm_caps(self._identity()[0]))

    async def get_ledm_status(self, request: web.Request) -> web.Response:
        """Scan/Status."""
        return self._xml(self.scanner.ledm_status())

    async def post_ledm_job(self, request: web.Request) -> web.Response:
        """POST /Scan/Jobs: 201 and the JobList URL."""
        try:
            settings = parse_ledm_settings(await self._body(request))
            job = self.scanner.start(settings, "ledm")
        except ScanRefusedError as err:
            return self._refused(err)
        response = web.Response(status=201)
        response.headers["Location"] = f"{request.scheme}://{request.host}{job.path}"
        return response

    def _ledm(self, request: web.Request) -> ScanJob:
        job = self.scanner.find_number(int(request.match_info["number"]))
        if job is None:
            raise web.HTTPNotFound(text="no such job")
        job.touch()
        return job

    async def get_ledm_job(self, request: web.Request) -> web.Response:
        """The job document with the next page's BinaryURL."""
        job = self._ledm(request)
        warming = _warming_up(job)
        response = self._xml(self.scanner.ledm_job(job, self._boot(), warming=warming))
        response.headers["ETag"] = f'"{self._boot()}-{job.number}"'
        return response

    async def put_ledm_job(self, request: web.Request) -> web.Response:
        """PUT a job with JobState Canceled."""
        job = self._ledm(request)
        try:
            values = _texts(parse_xml(await self._body(request)))
        except ScanRefusedError as err:
            return self._refused(err)
        if values.get("JobState") != "Canceled":
            return web.Response(status=400, text="only JobState Canceled")
        self.scanner.cancel(job)
        return web.Response(status=200)

    async def get_ledm_page(self, request: web.Request) -> web.Response:
        """A page's BinaryURL: the JPEG once it is ReadyToUpload."""
        job = self._ledm(request)
        wanted = int(request.match_info["page"])
        if not job.not_ready_answers or not job.ready or job.ready[0].number != wanted:
            raise web.HTTPNotFound(text="page not ready")
        page = self.scanner.take(job)
        assert page is not None
        response = web.Response(body=page.jpeg, content_type="image/jpeg")
        response.headers["Cache-Control"] = "max-age=180"
        return response


def _warming_up(job: ScanJob) -> bool:
    """The first look at a running job finds its page not scanned yet.

    A real page takes seconds (the Officejet 6500 transcript polls
    PreparingScan 55 times); here eSCL answers 503 once and LEDM shows
    PreparingScan once, so clients always meet the wait.
    """
    if job.active and not job.not_ready_answers:
        job.not_ready_answers = 1
        return True
    return False


def _not_ready() -> web.Response:
    return web.Response(status=503, text="page not ready", headers={"Retry-After": "1"})


def escl_job_summary(job: ScanJob) -> dict[str, Any]:
    """A job as ``GET /_sim/scan_jobs`` shows it."""
    return {
        "protocol": job.protocol,
        "path": job.path,
        "state": job.state,
        "reason": job.reason,
        "source": job.settings.source,
        "duplex": job.settings.duplex,
        "format": job.settings.document_format,
        "pages": job.delivered,
        "not_ready_answers": job.not_ready_answers,
    }
