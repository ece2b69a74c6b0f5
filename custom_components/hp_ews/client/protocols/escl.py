"""eSCL (Mopria scanning, "AirScan"): capabilities, status and scan settings.

Pure parsers from response bytes to models, and the ``ScanSettings``
document a scan job is created with. The rules come from HP's captured
documents (tests/fixtures/escl, provenance in tests/fixtures/INDEX.md):

* elements live in two namespaces, ``scan:`` (HP's eSCL schema) and
  ``pwg:`` (the PWG semantic model); firmware moves a few between them, so
  lookups match the local name only;
* sizes are in 300ths of an inch; a source lists its colour modes, document
  formats and resolutions in ``SettingProfiles``, resolutions either as
  ``DiscreteResolutions`` or as a ``ResolutionRange``;
* the feeder is ``Adf``: ``AdfSimplexInputCaps``, and ``AdfDuplexInputCaps``
  or an ``AdfOption`` ``Duplex`` when it scans both sides.

Documents are untrusted: ``xmlsafe.parse_xml`` bounds their size and markup,
and every list read here stops at a small bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
import re
from typing import TYPE_CHECKING, Final
from xml.sax.saxutils import escape

from custom_components.hp_ews.client.errors import HPEWSParseError, ScanErrorReason
from custom_components.hp_ews.client.scanning.models import (
    ScanColorMode,
    ScanFormat,
    ScannerCapabilities,
    ScannerState,
    ScannerStatus,
    ScanSource,
)

from .xmlsafe import parse_int, parse_xml, text

if TYPE_CHECKING:
    from collections.abc import Iterator
    from xml.etree.ElementTree import Element

ESCL_NS: Final = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS: Final = "http://www.pwg.org/schemas/2010/12/sm"

CAPABILITIES: Final = "/ScannerCapabilities"
STATUS: Final = "/ScannerStatus"
SCAN_JOBS: Final = "/ScanJobs"
NEXT_DOCUMENT: Final = "/NextDocument"

JPEG: Final = "image/jpeg"
PDF: Final = "application/pdf"

MAX_LIST: Final = 32
"""Most colour modes, formats, intents or resolutions read per source."""
MAX_REGION: Final = 4200
"""Scan region height cap (14 in, legal): some feeders list 36600 (long-paper
mode); HP's own software asks 4200 too."""
MAX_RESOLUTION: Final = 9600

_COLOR_MODES: Final = {
    "RGB24": ScanColorMode.COLOR,
    "Grayscale8": ScanColorMode.GRAYSCALE,
    "BlackAndWhite1": ScanColorMode.BLACK_AND_WHITE,
}
_MODE_NAMES: Final = {mode: name for name, mode in _COLOR_MODES.items()}
_STATES: Final = {
    "idle": ScannerState.IDLE,
    "processing": ScannerState.PROCESSING,
    "testing": ScannerState.PROCESSING,
    "stopped": ScannerState.STOPPED,
    "down": ScannerState.STOPPED,
}
# Resolutions offered from a ResolutionRange: the usual steps within it.
_COMMON_RESOLUTIONS: Final = (75, 100, 150, 200, 240, 300, 400, 600, 1200)
_VERSION: Final = re.compile(r"^\d{1,2}\.\d{1,3}$")


@dataclass(frozen=True, slots=True)
class EsclSource:
    """One input source (glass, feeder one side, feeder both sides)."""

    max_width: int
    """300ths of an inch."""
    max_height: int
    color_modes: tuple[ScanColorMode, ...]
    resolutions: tuple[int, ...]
    """Ascending."""
    formats: tuple[str, ...]
    """MIME types (``DocumentFormat`` and ``DocumentFormatExt``)."""
    format_ext: bool
    """It lists ``DocumentFormatExt`` (eSCL 2.1+ settings use it)."""
    intents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EsclCapabilities:
    """``ScannerCapabilities``: the sources and what each offers."""

    version: str
    make_and_model: str | None
    platen: EsclSource | None
    feeder: EsclSource | None
    feeder_duplex: EsclSource | None
    """The feeder scanning both sides (its own caps, or the simplex ones)."""

    def source(self, source: ScanSource, *, duplex: bool = False) -> EsclSource | None:
        """The caps of ``source`` (GLASS or FEEDER); None when it has none."""
        if source is ScanSource.GLASS:
            return self.platen
        return self.feeder_duplex if duplex else self.feeder

    def public(self) -> ScannerCapabilities:
        """The protocol-neutral view."""
        present = [s for s in (self.platen, self.feeder) if s is not None]
        sources: list[ScanSource] = []
        if self.platen is not None:
            sources.append(ScanSource.GLASS)
        if self.feeder is not None:
            sources.append(ScanSource.FEEDER)
        modes = {mode for caps in present for mode in caps.color_modes}
        jpeg = any(JPEG in caps.formats for caps in present)
        return ScannerCapabilities(
            sources=tuple(sources),
            color_modes=tuple(mode for mode in ScanColorMode if mode in modes),
            resolutions=tuple(
                sorted({dpi for caps in present for dpi in caps.resolutions})
            ),
            # PDFs are assembled here from JPEG pages, so both need JPEG.
            formats=(ScanFormat.PDF, ScanFormat.JPEG) if jpeg else (),
            duplex=self.feeder_duplex is not None,
            make_and_model=self.make_and_model,
        )


@dataclass(frozen=True, slots=True)
class EsclStatus:
    """``ScannerStatus``: the scanner's state and its feeder's."""

    state: ScannerState
    adf_state: str | None
    """Raw ``AdfState``, e.g. ``ScannerAdfLoaded``."""
    reasons: tuple[str, ...] = ()
    """``pwg:StateReasons``, raw."""

    @property
    def adf_loaded(self) -> bool | None:
        """Whether paper waits in the feeder; None when it does not say."""
        if self.adf_state is None:
            return None
        return self.adf_state.lower().endswith("loaded")

    def public(self) -> ScannerStatus:
        """The protocol-neutral view."""
        return ScannerStatus(state=self.state, adf_loaded=self.adf_loaded)

    def problem(self, *, empty: bool = True) -> ScanErrorReason | None:
        """The trouble this status reports, if any.

        ``empty=False`` ignores an empty feeder (normal once a job fed
        every sheet).
        """
        words = [self.adf_state or "", *self.reasons]
        return problem_from_words(words, empty=empty)


def problem_from_words(
    words: list[str], *, empty: bool = True
) -> ScanErrorReason | None:
    """Map feeder states and state reasons to a scan error reason.

    eSCL ``AdfState`` (``ScannerAdfJam``, ``ScannerAdfMispick``,
    ``ScannerAdfMultipickDetected``, ``ScannerAdfHatchOpen``,
    ``ScannerAdfEmpty``) and PWG state reasons (``MediaJam``, ``CoverOpen``,
    ``InputTrayEmpty``); LEDM's ``Jam``/``Empty`` words alike.
    """
    lowered = [word.lower() for word in words if word]
    if any("jam" in w or "mispick" in w or "multipick" in w for w in lowered):
        return ScanErrorReason.JAMMED
    if any("open" in w for w in lowered):
        return ScanErrorReason.COVER_OPEN
    if empty and any(w.endswith("empty") or "mediaempty" in w for w in lowered):
        return ScanErrorReason.FEEDER_EMPTY
    return None


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    for element in parent:
        if _local(element.tag) == name:
            return element
    return None


def _children(parent: Element | None, name: str) -> Iterator[Element]:
    if parent is None:
        return
    for element in parent:
        if _local(element.tag) == name:
            yield element


def _descendants(parent: Element | None, name: str) -> Iterator[Element]:
    if parent is None:
        return
    for element in parent.iter():
        if element is not parent and _local(element.tag) == name:
            yield element


def _int(parent: Element | None, name: str) -> int | None:
    return parse_int(text(_child(parent, name)))


def parse_capabilities(data: bytes) -> EsclCapabilities:
    """Parse ``ScannerCapabilities``.

    Raises:
        HPEWSParseError: the document is unsafe, malformed, or not
            ``ScannerCapabilities``.
    """
    root = parse_xml(data)
    if _local(root.tag) != "ScannerCapabilities":
        raise HPEWSParseError(f"not eSCL ScannerCapabilities: {_local(root.tag)}")
    version = text(_child(root, "Version")) or "2.0"
    platen = _source(_child(_child(root, "Platen"), "PlatenInputCaps"))
    adf = _child(root, "Adf")
    feeder = _source(_child(adf, "AdfSimplexInputCaps"))
    duplex_caps = _source(_child(adf, "AdfDuplexInputCaps"))
    options = {
        text(option) for option in islice(_descendants(adf, "AdfOption"), MAX_LIST)
    }
    if duplex_caps is None and feeder is not None and "Duplex" in options:
        duplex_caps = feeder
    return EsclCapabilities(
        version=version if _VERSION.match(version) else "2.0",
        make_and_model=text(_child(root, "MakeAndModel")),
        platen=platen,
        feeder=feeder,
        feeder_duplex=duplex_caps if feeder is not None else None,
    )


def _source(caps: Element | None) -> EsclSource | None:
    if caps is None:
        return None
    modes: set[ScanColorMode] = set()
    formats: list[str] = []
    format_ext = False
    resolutions: set[int] = set()
    profiles = _child(caps, "SettingProfiles")
    for profile in islice(_children(profiles, "SettingProfile"), MAX_LIST):
        for mode in islice(_descendants(profile, "ColorMode"), MAX_LIST):
            if (color := _COLOR_MODES.get(text(mode) or "")) is not None:
                modes.add(color)
        for fmt in islice(_descendants(profile, "DocumentFormats"), 1):
            for element in islice(fmt, MAX_LIST):
                name = _local(element.tag)
                value = (text(element) or "").lower()
                if name == "DocumentFormatExt":
                    format_ext = True
                if value and value not in formats:
                    formats.append(value)
        resolutions.update(_resolutions(_child(profile, "SupportedResolutions")))
    return EsclSource(
        max_width=_int(caps, "MaxWidth") or 2550,
        max_height=_int(caps, "MaxHeight") or 3300,
        color_modes=tuple(mode for mode in ScanColorMode if mode in modes),
        resolutions=tuple(sorted(resolutions)),
        formats=tuple(formats),
        format_ext=format_ext,
        intents=tuple(
            intent
            for element in islice(
                _children(_child(caps, "SupportedIntents"), "Intent"), MAX_LIST
            )
            if (intent := text(element)) is not None
        ),
    )


def _resolutions(supported: Element | None) -> set[int]:
    found: set[int] = set()
    discrete = _child(supported, "DiscreteResolutions")
    for item in islice(_children(discrete, "DiscreteResolution"), MAX_LIST):
        x, y = _int(item, "XResolution"), _int(item, "YResolution")
        # Pages are written square; a resolution only one way is not offered.
        if x is not None and x == y and 0 < x <= MAX_RESOLUTION:
            found.add(x)
    ranges = _child(supported, "ResolutionRange")
    x_range = _child(ranges, "XResolutionRange")
    low, high = _int(x_range, "Min"), _int(x_range, "Max")
    if low is not None and high is not None:
        found.update(dpi for dpi in _COMMON_RESOLUTIONS if low <= dpi <= high)
    return found


def parse_status(data: bytes) -> EsclStatus:
    """Parse ``ScannerStatus``.

    Raises:
        HPEWSParseError: the document is unsafe or malformed.
    """
    root = parse_xml(data)
    state = (text(_child(root, "State")) or "").lower()
    # Only the scanner's own reasons: a job's are ``JobStateReason``.
    reasons = tuple(
        value
        for element in islice(_descendants(root, "StateReason"), MAX_LIST)
        if (value := text(element)) is not None
    )
    return EsclStatus(
        state=_STATES.get(state, ScannerState.UNKNOWN),
        adf_state=text(_child(root, "AdfState")),
        reasons=reasons,
    )


def scan_settings(
    caps: EsclCapabilities,
    source: EsclSource,
    *,
    feeder: bool,
    duplex: bool,
    color_mode: ScanColorMode,
    resolution: int,
    document_format: str,
) -> bytes:
    """The ``ScanSettings`` document that creates a scan job.

    The region is the source's whole area (height capped at ``MAX_REGION``),
    the intent ``Document`` when the source lists it. Every value is ours or
    checked against the capabilities, so nothing the printer sent is echoed
    unescaped.
    """
    intent = "Document" if "Document" in source.intents else None
    fmt = escape(document_format)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<scan:ScanSettings xmlns:scan="{ESCL_NS}" xmlns:pwg="{PWG_NS}">',
        f"<pwg:Version>{escape(caps.version)}</pwg:Version>",
    ]
    if intent is not None:
        lines.append(f"<scan:Intent>{intent}</scan:Intent>")
    lines += [
        "<pwg:ScanRegions><pwg:ScanRegion>",
        f"<pwg:Height>{min(source.max_height, MAX_REGION)}</pwg:Height>",
        f"<pwg:Width>{source.max_width}</pwg:Width>",
        "<pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>",
        "<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>",
        "</pwg:ScanRegion></pwg:ScanRegions>",
        f"<pwg:InputSource>{'Feeder' if feeder else 'Platen'}</pwg:InputSource>",
        f"<pwg:DocumentFormat>{fmt}</pwg:DocumentFormat>",
    ]
    if source.format_ext:
        lines.append(f"<scan:DocumentFormatExt>{fmt}</scan:DocumentFormatExt>")
    lines += [
        f"<scan:ColorMode>{_MODE_NAMES[color_mode]}</scan:ColorMode>",
        f"<scan:XResolution>{int(resolution)}</scan:XResolution>",
        f"<scan:YResolution>{int(resolution)}</scan:YResolution>",
    ]
    if feeder:
        lines.append(f"<scan:Duplex>{'true' if duplex else 'false'}</scan:Duplex>")
    lines.append("</scan:ScanSettings>")
    return "\n".join(lines).encode()
