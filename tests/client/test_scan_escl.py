"""eSCL parsing from real HP captures, and the ScanSettings document we send.

Expected values are read from the capture files (tests/fixtures/escl,
provenance in tests/fixtures/INDEX.md), not from the parser.
"""

from __future__ import annotations

from pathlib import Path
import xml.etree.ElementTree as ET

import pytest

from custom_components.hp_ews.client import (
    HPEWSParseError,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScannerState,
    ScanSource,
)
from custom_components.hp_ews.client.protocols import escl

ESCL = Path(__file__).parents[1] / "fixtures" / "escl"
SCANJET = ESCL / "HP-ScanJet-Pro-4500-fn1__ScannerCapabilities.xml"
TANK = ESCL / "HP-Smart-Tank-Plus-570__ScannerCapabilities.xml"
NS = {"scan": escl.ESCL_NS, "pwg": escl.PWG_NS}


def test_scanjet_duplex_capabilities() -> None:
    caps = escl.parse_capabilities(SCANJET.read_bytes())
    assert caps.version == "2.62"
    assert caps.make_and_model == "HP ScanJet Pro 4500 fn1"
    assert caps.platen is not None
    assert caps.feeder is not None
    assert caps.feeder_duplex is not None
    # Platen: 75..1200 dpi; RGB24, Grayscale8, BlackAndWhite1 (and AutoColorDetection,
    # which is not offered); 2550 x 4200.
    assert caps.platen.resolutions == (75, 150, 200, 240, 300, 400, 500, 600, 1200)
    assert caps.platen.max_width == 2550
    assert caps.platen.max_height == 4200
    assert set(caps.platen.color_modes) == set(ScanColorMode)
    assert caps.platen.formats == (
        "image/jpeg",
        "application/octet-stream",
        "application/pdf",
    )
    assert caps.platen.format_ext
    assert caps.platen.intents == ("Document", "Photo", "Preview", "TextAndGraphic")
    # Feeder: up to 600 dpi, 36600 long (long-paper mode), duplex caps of its own.
    assert caps.feeder.resolutions[-1] == 600
    assert caps.feeder.max_height == 36600
    assert caps.feeder_duplex.max_height == 4200

    public = caps.public()
    assert public.sources == (ScanSource.GLASS, ScanSource.FEEDER)
    assert public.duplex is True
    assert public.resolutions == (75, 150, 200, 240, 300, 400, 500, 600, 1200)
    assert public.color_modes == (
        ScanColorMode.COLOR,
        ScanColorMode.GRAYSCALE,
        ScanColorMode.BLACK_AND_WHITE,
    )
    assert public.formats == (ScanFormat.PDF, ScanFormat.JPEG)
    assert public.make_and_model == "HP ScanJet Pro 4500 fn1"


def test_smart_tank_simplex_capabilities() -> None:
    caps = escl.parse_capabilities(TANK.read_bytes())
    assert caps.version == "2.63"
    assert caps.make_and_model == "Smart Tank Plus 570 series"
    assert caps.platen is not None
    assert caps.feeder is not None
    # AdfOptions lists only DetectPaperLoaded: no duplex.
    assert caps.feeder_duplex is None
    assert caps.platen.resolutions == (75, 100, 150, 200, 300, 400, 600, 1200)
    assert caps.feeder.resolutions == (75, 100, 150, 200, 300)
    assert caps.platen.max_height == 3508
    public = caps.public()
    assert public.duplex is False
    assert public.sources == (ScanSource.GLASS, ScanSource.FEEDER)
    assert caps.source(ScanSource.FEEDER, duplex=True) is None
    assert caps.source(ScanSource.GLASS) is caps.platen


@pytest.mark.parametrize(
    ("name", "state", "adf_state", "loaded"),
    [
        ("loaded", ScannerState.IDLE, "ScannerAdfLoaded", True),
        ("empty", ScannerState.IDLE, "ScannerAdfEmpty", False),
        ("processing", ScannerState.PROCESSING, "ScannerAdfEmpty", False),
    ],
)
def test_status_captures(
    name: str, state: ScannerState, adf_state: str, loaded: bool
) -> None:
    status = escl.parse_status(
        (ESCL / f"node-hp-scan-to__ScannerStatus_{name}.xml").read_bytes()
    )
    assert status.state is state
    assert status.adf_state == adf_state
    assert status.public().adf_loaded is loaded
    # The jobs' JobStateReasons are not the scanner's reasons.
    assert status.reasons == ()


def test_status_problems() -> None:
    empty = escl.parse_status(
        (ESCL / "node-hp-scan-to__ScannerStatus_empty.xml").read_bytes()
    )
    assert empty.problem() is ScanErrorReason.FEEDER_EMPTY
    assert empty.problem(empty=False) is None
    loaded = escl.parse_status(
        (ESCL / "node-hp-scan-to__ScannerStatus_loaded.xml").read_bytes()
    )
    assert loaded.problem() is None


@pytest.mark.parametrize(
    ("adf_state", "reason", "expected"),
    [
        ("ScannerAdfJam", None, ScanErrorReason.JAMMED),
        ("ScannerAdfMispick", None, ScanErrorReason.JAMMED),
        ("ScannerAdfMultipickDetected", None, ScanErrorReason.JAMMED),
        ("ScannerAdfHatchOpen", None, ScanErrorReason.COVER_OPEN),
        ("ScannerAdfLoaded", "CoverOpen", ScanErrorReason.COVER_OPEN),
        ("ScannerAdfLoaded", "MediaJam", ScanErrorReason.JAMMED),
        ("ScannerAdfProcessing", None, None),
    ],
)
def test_stopped_with_reasons(
    adf_state: str, reason: str | None, expected: ScanErrorReason | None
) -> None:
    reasons = (
        f"<pwg:StateReasons><pwg:StateReason>{reason}</pwg:StateReason></pwg:StateReasons>"
        if reason
        else ""
    )
    document = (
        f'<scan:ScannerStatus xmlns:scan="{escl.ESCL_NS}" xmlns:pwg="{escl.PWG_NS}">'
        f"<pwg:Version>2.63</pwg:Version><pwg:State>Stopped</pwg:State>{reasons}"
        f"<scan:AdfState>{adf_state}</scan:AdfState></scan:ScannerStatus>"
    ).encode()
    status = escl.parse_status(document)
    assert status.state is ScannerState.STOPPED
    assert status.problem() is expected


def test_status_without_feeder_or_state() -> None:
    document = f'<scan:ScannerStatus xmlns:scan="{escl.ESCL_NS}"/>'.encode()
    status = escl.parse_status(document)
    assert status.state is ScannerState.UNKNOWN
    assert status.public().adf_loaded is None


def test_resolution_range_and_odd_values() -> None:
    document = f"""<scan:ScannerCapabilities xmlns:scan="{escl.ESCL_NS}" xmlns:pwg="{escl.PWG_NS}">
      <pwg:Version>bogus</pwg:Version>
      <scan:Platen><scan:PlatenInputCaps>
        <scan:SettingProfiles><scan:SettingProfile>
          <scan:ColorModes><scan:ColorMode>RGB48</scan:ColorMode>
            <scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
          <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
          <scan:SupportedResolutions>
            <scan:DiscreteResolutions><scan:DiscreteResolution>
              <scan:XResolution>300</scan:XResolution><scan:YResolution>600</scan:YResolution>
            </scan:DiscreteResolution></scan:DiscreteResolutions>
            <scan:ResolutionRange><scan:XResolutionRange><scan:Min>100</scan:Min>
              <scan:Max>300</scan:Max></scan:XResolutionRange></scan:ResolutionRange>
          </scan:SupportedResolutions>
        </scan:SettingProfile></scan:SettingProfiles>
      </scan:PlatenInputCaps></scan:Platen>
    </scan:ScannerCapabilities>""".encode()
    caps = escl.parse_capabilities(document)
    assert caps.version == "2.0"  # not a version number: the default
    assert caps.platen is not None
    # 300x600 is not square; the range gives the usual steps within it.
    assert caps.platen.resolutions == (100, 150, 200, 240, 300)
    assert caps.platen.color_modes == (ScanColorMode.GRAYSCALE,)
    assert not caps.platen.format_ext
    assert caps.feeder is None
    assert caps.public().sources == (ScanSource.GLASS,)


def test_capabilities_without_jpeg_offer_no_format() -> None:
    document = f"""<scan:ScannerCapabilities xmlns:scan="{escl.ESCL_NS}" xmlns:pwg="{escl.PWG_NS}">
      <scan:Platen><scan:PlatenInputCaps><scan:SettingProfiles><scan:SettingProfile>
        <scan:DocumentFormats><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat></scan:DocumentFormats>
      </scan:SettingProfile></scan:SettingProfiles></scan:PlatenInputCaps></scan:Platen>
    </scan:ScannerCapabilities>""".encode()
    assert escl.parse_capabilities(document).public().formats == ()


def test_not_capabilities_is_refused() -> None:
    with pytest.raises(HPEWSParseError):
        escl.parse_capabilities(
            (ESCL / "node-hp-scan-to__ScannerStatus_empty.xml").read_bytes()
        )
    with pytest.raises(HPEWSParseError):
        escl.parse_capabilities(b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')


def _settings(**overrides: object) -> ET.Element:
    caps = escl.parse_capabilities(SCANJET.read_bytes())
    arguments: dict[str, object] = {
        "feeder": True,
        "duplex": True,
        "color_mode": ScanColorMode.GRAYSCALE,
        "resolution": 300,
        "document_format": escl.JPEG,
    }
    arguments.update(overrides)
    feeder = bool(arguments["feeder"])
    source = caps.feeder_duplex if feeder else caps.platen
    assert source is not None
    return ET.fromstring(escl.scan_settings(caps, source, **arguments))  # type: ignore[arg-type]


def test_scan_settings_feeder_duplex() -> None:
    root = _settings()
    assert root.tag == f"{{{escl.ESCL_NS}}}ScanSettings"
    assert root.findtext("pwg:Version", namespaces=NS) == "2.62"
    assert root.findtext("scan:Intent", namespaces=NS) == "Document"
    region = root.find("pwg:ScanRegions/pwg:ScanRegion", NS)
    assert region is not None
    assert region.findtext("pwg:Width", namespaces=NS) == "2550"
    assert region.findtext("pwg:Height", namespaces=NS) == "4200"
    assert region.findtext("pwg:XOffset", namespaces=NS) == "0"
    assert (
        region.findtext("pwg:ContentRegionUnits", namespaces=NS)
        == "escl:ThreeHundredthsOfInches"
    )
    assert root.findtext("pwg:InputSource", namespaces=NS) == "Feeder"
    assert root.findtext("pwg:DocumentFormat", namespaces=NS) == "image/jpeg"
    assert root.findtext("scan:DocumentFormatExt", namespaces=NS) == "image/jpeg"
    assert root.findtext("scan:ColorMode", namespaces=NS) == "Grayscale8"
    assert root.findtext("scan:XResolution", namespaces=NS) == "300"
    assert root.findtext("scan:YResolution", namespaces=NS) == "300"
    assert root.findtext("scan:Duplex", namespaces=NS) == "true"


@pytest.mark.parametrize(
    ("mode", "name"),
    [
        (ScanColorMode.COLOR, "RGB24"),
        (ScanColorMode.GRAYSCALE, "Grayscale8"),
        (ScanColorMode.BLACK_AND_WHITE, "BlackAndWhite1"),
    ],
)
def test_scan_settings_platen(mode: ScanColorMode, name: str) -> None:
    root = _settings(feeder=False, duplex=False, color_mode=mode, resolution=600)
    assert root.findtext("pwg:InputSource", namespaces=NS) == "Platen"
    assert root.findtext("scan:ColorMode", namespaces=NS) == name
    assert root.findtext("scan:XResolution", namespaces=NS) == "600"
    # Duplex belongs to the feeder only.
    assert root.find("scan:Duplex", NS) is None


def test_feeder_region_is_capped_at_legal() -> None:
    caps = escl.parse_capabilities(SCANJET.read_bytes())
    assert caps.feeder is not None
    root = ET.fromstring(
        escl.scan_settings(
            caps,
            caps.feeder,
            feeder=True,
            duplex=False,
            color_mode=ScanColorMode.COLOR,
            resolution=300,
            document_format=escl.JPEG,
        )
    )
    # The simplex feeder lists 36600 (long-paper mode); a page is asked as 4200.
    assert (
        root.findtext("pwg:ScanRegions/pwg:ScanRegion/pwg:Height", namespaces=NS)
        == "4200"
    )
    assert root.findtext("scan:Duplex", namespaces=NS) == "false"


def test_lists_are_bounded() -> None:
    # A hostile scanner listing thousands of resolutions and modes: only the
    # first MAX_LIST of each are read.
    resolution = (
        "<scan:DiscreteResolution><scan:XResolution>{0}</scan:XResolution>"
        "<scan:YResolution>{0}</scan:YResolution></scan:DiscreteResolution>"
    )
    resolutions = "".join(resolution.format(dpi) for dpi in range(1, 2001))
    document = f"""<scan:ScannerCapabilities xmlns:scan="{escl.ESCL_NS}" xmlns:pwg="{escl.PWG_NS}">
      <scan:Platen><scan:PlatenInputCaps><scan:SettingProfiles><scan:SettingProfile>
        <scan:DocumentFormats>{"<pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>" * 500}
        </scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}
        </scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles></scan:PlatenInputCaps></scan:Platen>
    </scan:ScannerCapabilities>""".encode()
    caps = escl.parse_capabilities(document)
    assert caps.platen is not None
    assert caps.platen.resolutions == tuple(range(1, escl.MAX_LIST + 1))
    assert caps.platen.formats == ("image/jpeg",)
