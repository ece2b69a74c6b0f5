"""Scanning on LEDM-only printers (no eSCL): ``/Scan/Jobs`` and the job list.

HP's all-in-ones from before eSCL (e.g. the OfficeJet 6500 E710n, whose
walk-up scanning is ``/WalkupScan``) scan like this, as HP's own software
does in node-hp-scan-to's protocol transcript:

* ``GET /Scan/ScanCaps``: sources (``Platen``, ``Adf``), colour types with
  the formats each comes in (JPEG for ``Gray8`` and ``Color8``; ``K1``
  black and white only raw, so it is not offered), resolutions, duplex
  (``AdfOption`` ``Duplex``);
* ``GET /Scan/Status``: ``ScannerState`` (``Idle``, ``BusyWithScanJob``,
  ``AdfError``) and ``AdfState`` (``Loaded``, ``Empty``, ...);
* ``POST /Scan/Jobs`` with ``ScanSettings`` → 201 and the job's
  ``/Jobs/JobList/<n>``; poll it: a ``PreScanPage`` in ``ReadyToUpload``
  names the page's ``BinaryURL`` (fetched, streamed to the output); the
  job ends ``Completed`` (or ``Canceled``);
* a failed or cancelled scan is cancelled at the printer: ``PUT`` of the
  job with ``JobState`` ``Canceled``.

Later LEDM all-in-ones (``WalkupScanToComp``: ENVY, Smart Tank, OfficeJet
Pro 90xx) list ``/eSCL`` in their DiscoveryTree and scan over eSCL instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
import re
from typing import TYPE_CHECKING, Final

from yarl import URL

from custom_components.hp_ews.client.errors import (
    HPEWSError,
    HPEWSParseError,
    HPEWSScanError,
    ScanErrorReason,
)
from custom_components.hp_ews.client.protocols.escl import problem_from_words
from custom_components.hp_ews.client.protocols.xmlsafe import (
    child,
    child_text,
    children,
    parse_int,
    parse_xml,
    text,
)

from . import common
from .common import scan_error, unsupported
from .models import (
    ScanColorMode,
    ScanFormat,
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanOptions,
    ScanSource,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from custom_components.hp_ews.client.transport import PrinterTransport

    from .output import ScanOutput

_LOGGER = logging.getLogger(__name__)

SCAN_CAPS: Final = "/Scan/ScanCaps"
SCAN_STATUS: Final = "/Scan/Status"
SCAN_JOBS: Final = "/Scan/Jobs"
SCAN_NS: Final = "http://www.hp.com/schemas/imaging/con/cnx/scan/2008/08/19"
JOBS_NS: Final = "http://www.hp.com/schemas/imaging/con/ledm/jobs/2009/04/30"
MAX_LIST: Final = 32

_JOB_PATH: Final = re.compile(r"^/Jobs/JobList/\d+$")
_COLOR_TYPES: Final = {"Color8": ScanColorMode.COLOR, "Gray8": ScanColorMode.GRAYSCALE}
_COLOR_SPACES: Final = {ScanColorMode.COLOR: "Color", ScanColorMode.GRAYSCALE: "Gray"}
_STATES: Final = {
    "idle": ScannerState.IDLE,
    "busywithscanjob": ScannerState.PROCESSING,
    "adferror": ScannerState.STOPPED,
}


@dataclass(frozen=True, slots=True)
class LedmSource:
    """One input source of ``ScanCaps``."""

    max_width: int
    max_height: int
    resolutions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LedmScanCaps:
    """``/Scan/ScanCaps``."""

    model: str | None
    color_modes: tuple[ScanColorMode, ...]
    platen: LedmSource | None
    feeder: LedmSource | None
    duplex: bool

    def public(self) -> ScannerCapabilities:
        """The protocol-neutral view."""
        present = [s for s in (self.platen, self.feeder) if s is not None]
        return ScannerCapabilities(
            sources=tuple(
                source
                for source, caps in (
                    (ScanSource.GLASS, self.platen),
                    (ScanSource.FEEDER, self.feeder),
                )
                if caps is not None
            ),
            color_modes=self.color_modes,
            resolutions=tuple(
                sorted({dpi for caps in present for dpi in caps.resolutions})
            ),
            formats=(ScanFormat.PDF, ScanFormat.JPEG) if self.color_modes else (),
            duplex=self.duplex,
            make_and_model=self.model,
        )


@dataclass(frozen=True, slots=True)
class LedmScanStatus:
    """``/Scan/Status``."""

    state: ScannerState
    adf_state: str | None

    def public(self) -> ScannerStatus:
        """The protocol-neutral view."""
        loaded = None if self.adf_state is None else self.adf_state == "Loaded"
        return ScannerStatus(state=self.state, adf_loaded=loaded)

    def problem(self, *, empty: bool = True) -> ScanErrorReason | None:
        """The trouble this status reports, if any."""
        return problem_from_words([self.adf_state or ""], empty=empty)


@dataclass(frozen=True, slots=True)
class LedmJob:
    """A ``/Jobs/JobList/<n>`` document of a scan job."""

    state: str | None
    page: int | None
    """The ``PreScanPage`` waiting, if any."""
    page_state: str | None
    binary_url: str | None


def _int(parent: Element | None, name: str) -> int | None:
    return parse_int(child_text(parent, name))


def _source(element: Element | None) -> LedmSource | None:
    caps = child(element, "InputSourceCaps")
    if caps is None:
        return None
    resolutions: set[int] = set()
    supported = child(caps, "SupportedResolutions")
    for item in children(supported, "Resolution", MAX_LIST):
        x, y = _int(item, "XResolution"), _int(item, "YResolution")
        if x is not None and x == y and 0 < x <= 9600:
            resolutions.add(x)
    return LedmSource(
        max_width=_int(caps, "MaxWidth") or 2550,
        max_height=_int(caps, "MaxHeight") or 3300,
        resolutions=tuple(sorted(resolutions)),
    )


def parse_scan_caps(data: bytes) -> LedmScanCaps:
    """Parse ``/Scan/ScanCaps``.

    Raises:
        HPEWSParseError: unsafe, malformed, or not ``ScanCaps``.
    """
    root = parse_xml(data)
    if not root.tag.endswith("}ScanCaps"):
        raise HPEWSParseError("not LEDM ScanCaps")
    modes: set[ScanColorMode] = set()
    for entry in children(child(root, "ColorEntries"), "ColorEntry", MAX_LIST):
        mode = _COLOR_TYPES.get(child_text(entry, "ColorType") or "")
        formats = {
            text(fmt) for fmt in children(child(entry, "Formats"), "Format", MAX_LIST)
        }
        if mode is not None and "Jpeg" in formats:
            modes.add(mode)
    adf = child(root, "Adf")
    options = {
        text(option)
        for option in children(child(adf, "AdfOptions"), "AdfOption", MAX_LIST)
    }
    feeder = _source(adf)
    return LedmScanCaps(
        model=child_text(child(root, "DeviceCaps"), "ModelName"),
        color_modes=tuple(mode for mode in ScanColorMode if mode in modes),
        platen=_source(child(root, "Platen")),
        feeder=feeder,
        duplex=feeder is not None and "Duplex" in options,
    )


def parse_scan_status(data: bytes) -> LedmScanStatus:
    """Parse ``/Scan/Status``."""
    root = parse_xml(data)
    state = (child_text(root, "ScannerState") or "").lower()
    return LedmScanStatus(
        state=_STATES.get(state, ScannerState.UNKNOWN),
        adf_state=child_text(root, "AdfState"),
    )


def parse_job(data: bytes) -> LedmJob:
    """Parse a scan job's ``/Jobs/JobList/<n>`` document."""
    root = parse_xml(data)
    scan_job = child(root, "ScanJob")
    page = child(scan_job, "PreScanPage")
    return LedmJob(
        state=child_text(root, "JobState"),
        page=_int(page, "PageNumber"),
        page_state=child_text(page, "PageState"),
        binary_url=child_text(page, "BinaryURL"),
    )


def scan_settings(
    source: LedmSource,
    *,
    feeder: bool,
    duplex: bool,
    color_mode: ScanColorMode,
    resolution: int,
) -> bytes:
    """The ``ScanSettings`` document of ``POST /Scan/Jobs`` (JPEG pages)."""
    adf_options = (
        "<AdfOptions><AdfOption>Duplex</AdfOption></AdfOptions>" if duplex else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ScanSettings xmlns="{SCAN_NS}">'
        f"<XResolution>{int(resolution)}</XResolution>"
        f"<YResolution>{int(resolution)}</YResolution>"
        "<XStart>0</XStart><YStart>0</YStart>"
        f"<Width>{source.max_width}</Width>"
        f"<Height>{min(source.max_height, common.REGION_HEIGHT)}</Height>"
        "<Format>Jpeg</Format><CompressionQFactor>0</CompressionQFactor>"
        f"<ColorSpace>{_COLOR_SPACES[color_mode]}</ColorSpace><BitDepth>8</BitDepth>"
        f"<InputSource>{'Adf' if feeder else 'Platen'}</InputSource>{adf_options}"
        "<GrayRendering>NTSC</GrayRendering>"
        "<ToneMap><Gamma>1000</Gamma><Brightness>1000</Brightness>"
        "<Contrast>1000</Contrast><Highlite>179</Highlite><Shadow>25</Shadow>"
        "<Threshold>0</Threshold></ToneMap>"
        "<SharpeningLevel>128</SharpeningLevel><NoiseRemoval>0</NoiseRemoval>"
        "<ContentType>Document</ContentType></ScanSettings>"
    ).encode()


CANCEL_JOB: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<j:Job xmlns:j="{JOBS_NS}"><j:JobState>Canceled</j:JobState></j:Job>'
).encode()


class LedmScanner:
    """A scanner that speaks LEDM ``/Scan`` at ``base`` (the web server)."""

    def __init__(
        self, transport: PrinterTransport, base: str, caps: LedmScanCaps
    ) -> None:
        """Use the capabilities read from ``base``."""
        self._transport = transport
        self.base = base.rstrip("/")
        self.caps = caps

    def capabilities(self) -> ScannerCapabilities:
        """What the scanner offers (read once, when it was found)."""
        return self.caps.public()

    async def _status(self) -> LedmScanStatus:
        response = await self._transport.get(self.base + SCAN_STATUS)
        if response is None:
            return LedmScanStatus(ScannerState.UNKNOWN, None)
        return parse_scan_status(response.body)

    async def status(self) -> ScannerStatus:
        """``/Scan/Status`` now (one GET)."""
        return (await self._status()).public()

    def _check(self, source: ScanSource, options: ScanOptions) -> LedmSource:
        caps = self.caps.platen if source is ScanSource.GLASS else self.caps.feeder
        if caps is None:
            raise unsupported(f"The scanner has no {source.value}")
        if options.duplex and source is ScanSource.FEEDER and not self.caps.duplex:
            raise unsupported("The feeder does not scan both sides")
        if options.color_mode not in self.caps.color_modes:
            raise unsupported(
                f"The scanner does not scan in {options.color_mode.value}"
            )
        if caps.resolutions and options.resolution not in caps.resolutions:
            raise unsupported(
                f"The {source.value} does not scan at {options.resolution} dpi"
                f" (it offers {', '.join(map(str, caps.resolutions))})"
            )
        return caps

    async def scan(self, options: ScanOptions, output: ScanOutput) -> ScanSource:
        """Scan into ``output``; returns the source used (see ``EsclScanner``)."""
        status = await self._status()
        source = options.source
        if source is ScanSource.AUTO:
            loaded = status.public().adf_loaded and self.caps.feeder is not None
            source = (
                ScanSource.FEEDER
                if loaded or self.caps.platen is None
                else ScanSource.GLASS
            )
        caps = self._check(source, options)
        if status.state is ScannerState.PROCESSING:
            raise scan_error(ScanErrorReason.BUSY)
        feeder = source is ScanSource.FEEDER
        if feeder and (problem := status.problem()) is not None:
            raise scan_error(problem)
        response = await self._transport.exchange(
            "POST",
            self.base + SCAN_JOBS,
            body=scan_settings(
                caps,
                feeder=feeder,
                duplex=options.duplex and feeder,
                color_mode=options.color_mode,
                resolution=options.resolution,
            ),
            content_type="text/xml",
        )
        if response.status in (409, 503):
            # Refused: busy, unless the scanner names its trouble (a jam, a cover).
            raise await self._failure("busy", empty=feeder, busy=True)
        location = response.header("Location")
        if response.status not in (200, 201) or not location:
            raise await self._failure(
                f"creating the job was answered {response.status}"
            )
        job = self._url(location, _JOB_PATH)
        try:
            await self._follow(job, output, one_page=not feeder)
        except BaseException:
            await self._cancel(job)
            raise
        if output.pages == 0:
            raise await self._failure("the job ended without a page", empty=True)
        return source

    def _url(self, location: str, pattern: re.Pattern[str] | None = None) -> str:
        """``location``'s path on the printer's origin (never another host)."""
        try:
            path = URL(self.base + "/").join(URL(location)).path
        except ValueError as err:
            raise scan_error(ScanErrorReason.FAILED, f"bad URL: {err}") from err
        if pattern is not None and not pattern.match(path):
            raise scan_error(ScanErrorReason.FAILED, "the job location is no scan job")
        return str(URL(self.base).with_path(path))

    async def _follow(self, job: str, output: ScanOutput, *, one_page: bool) -> None:
        fetched: set[int] = set()
        polls = 0
        while True:
            response = await self._transport.get(job)
            if response is None:
                raise scan_error(ScanErrorReason.FAILED, "the scan job is gone")
            state = parse_job(response.body)
            if (
                state.page_state == "ReadyToUpload"
                and state.binary_url
                and state.page is not None
                and state.page not in fetched
            ):
                await self._fetch_page(state.binary_url, output)
                fetched.add(state.page)
                polls = 0
                if one_page:
                    return
                continue
            if state.state == "Completed":
                return
            if state.state in ("Canceled", "Aborted") or (
                state.page_state or ""
            ).startswith("Canceled"):
                raise await self._failure("the printer canceled the job", canceled=True)
            polls += 1
            if polls > common.MAX_NOT_READY:
                raise scan_error(ScanErrorReason.FAILED, "no page in time")
            await asyncio.sleep(common.RETRY_DELAY)

    async def _fetch_page(self, binary_url: str, output: ScanOutput) -> None:
        response = await common.fetch_page(
            self._transport, self._url(binary_url), output
        )
        if not 200 <= response.status < 300:
            raise await self._failure(f"a page was answered {response.status}")
        await output.end_page()

    async def _failure(
        self,
        what: str,
        *,
        empty: bool = False,
        canceled: bool = False,
        busy: bool = False,
    ) -> HPEWSScanError:
        try:
            problem = (await self._status()).problem(empty=empty)
        except HPEWSError:
            problem = None
        if problem is not None:
            return scan_error(problem)
        if busy:
            return scan_error(ScanErrorReason.BUSY)
        if canceled:
            return scan_error(ScanErrorReason.CANCELED)
        if empty:
            return scan_error(ScanErrorReason.NO_PAGES)
        return scan_error(ScanErrorReason.FAILED, what)

    async def _cancel(self, job: str) -> None:
        """Cancel the job at the printer, best effort."""
        try:
            async with asyncio.timeout(common.CANCEL_TIMEOUT):
                await self._transport.exchange(
                    "PUT", job, body=CANCEL_JOB, content_type="text/xml"
                )
        except (HPEWSError, TimeoutError) as err:
            _LOGGER.debug("Could not cancel the scan job: %s", err)
