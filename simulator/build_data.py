"""Build ``simulator/data/<profile>/`` from the real captures in tests/fixtures.

Run ``python -m simulator.build_data`` after changing a fixture. Documents the
printer model was captured with are copied byte for byte; a document a model
was not captured with is derived from the closest real capture (same family),
and ``capture.json`` says which. Nothing here is invented except the identity
fields the simulator replaces at run time anyway.

The output is committed; ``tests/simulator/test_build_data.py`` checks that
running this again reproduces it exactly.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import shutil
from typing import TYPE_CHECKING, Any, Final

from custom_components.hp_ews.client import (
    IppAttributeGroup,
    IppMessage,
    IppValueTag,
    decode_ipp,
)

from .ippdump import message_from_dump
from .profiles import DATA_DIR, PROFILES, PrinterProfile, SupplySpec
from .xmldoc import XmlTemplate, deepcopy_element

if TYPE_CHECKING:
    from collections.abc import Callable

FIXTURES: Final = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
PUDYN: Final = "http://www.hp.com/schemas/imaging/con/ledm/productusagedyn/2007/12/11"
PRDCFG: Final = "http://www.hp.com/schemas/imaging/con/ledm/productconfigdyn/2007/11/05"

_IPP_COLORS: Final = {
    "K": "#000000",
    "C": "#00FFFF",
    "M": "#FF00FF",
    "Y": "#FFFF00",
    "CMY": "#00FFFF#FF00FF#FFFF00",
}


class Builder:
    """Writes one profile's capture directory."""

    def __init__(self, profile: PrinterProfile, fixtures: Path, out: Path) -> None:
        """Build ``profile`` from ``fixtures`` into ``out``."""
        self.profile = profile
        self.fixtures = fixtures
        self.out = out
        self.sources: dict[str, str] = {}

    def fixture(self, name: str) -> bytes:
        """Bytes of a fixture file."""
        return (self.fixtures / name).read_bytes()

    def write(self, relative: str, data: bytes, source: str) -> None:
        """Write one capture-directory file and remember where it came from."""
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.sources[relative] = source

    def copy(self, relative: str, fixture: str) -> None:
        """Copy a fixture verbatim."""
        self.write(relative, self.fixture(fixture), f"copy of fixtures/{fixture}")

    def finish(self, notes: str) -> None:
        """Write capture.json."""
        meta: dict[str, Any] = {
            "format": 1,
            "profile": self.profile.name,
            "model": self.profile.identity.model,
            "description": self.profile.description,
            "notes": notes,
            "files": dict(sorted(self.sources.items())),
        }
        text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
        (self.out / "capture.json").write_text(text, encoding="utf-8")


# --- LEDM derivations ------------------------------------------------------------


def discovery_tree(builder: Builder, capture: str) -> None:
    """The captured tree, keeping only what this profile serves (+ /ipp/print).

    The inkjet capture lists every DevMgmt document our LEDM profiles serve,
    so filtering is enough; manifests (which we do not serve) are dropped.
    """
    template = XmlTemplate.parse(builder.fixture(capture))
    root = template.copy_root()
    served = {
        "/" + str(path.relative_to(builder.out / "http"))
        for path in (builder.out / "http").rglob("*")
        if path.is_file()
    }
    for child in list(root):
        uri = child.find(f"{{{DD}}}ResourceURI")
        local = child.tag.rpartition("}")[2]
        if local == "Version":
            continue
        keep = uri is not None and (uri.text in served or uri.text == "/ipp/print")
        if not keep:
            root.remove(child)
    builder.write(
        "http/DevMgmt/DiscoveryTree.xml",
        template.render(root),
        f"fixtures/{capture} filtered to the resources this profile serves",
    )


def usage_for_inks(builder: Builder, capture: str, supplies: list[SupplySpec]) -> None:
    """An inkjet ProductUsageDyn with one consumable entry per ink.

    The 2019 inkjet capture (Black + tri-colour) is the only inkjet usage
    document we have; each ink gets a copy of its captured consumable entry.
    """
    template = XmlTemplate.parse(builder.fixture(capture))
    root = template.copy_root()
    subunit = root.find(f"{{{PUDYN}}}ConsumableSubunit")
    assert subunit is not None
    captured = subunit.findall(f"{{{PUDYN}}}Consumable")
    for old in captured:
        subunit.remove(old)
    for spec in supplies:
        entry = deepcopy_element(captured[0])
        color = entry.find(f"{{{DD}}}MarkerColor")
        kind = entry.find(f"{{{DD}}}ConsumableTypeEnum")
        assert color is not None
        assert kind is not None
        color.text = spec.marker_color
        kind.text = spec.kind
        subunit.append(entry)
    builder.write(
        "http/DevMgmt/ProductUsageDyn.xml",
        template.render(root),
        f"fixtures/{capture} with its consumable entry repeated per ink",
    )


def product_config_from(
    builder: Builder, capture: str, values: dict[str, str], why: str
) -> None:
    """A ProductConfigDyn in a captured document's shape with this model's values."""
    template = XmlTemplate.parse(builder.fixture(capture))
    root = template.copy_root()
    info = root.find(f"{{{PRDCFG}}}ProductInformation")
    assert info is not None
    for path, text in values.items():
        found = info.find(path, {"dd": DD, "prdcfgdyn": PRDCFG})
        assert found is not None, path
        found.text = text
    builder.write("http/DevMgmt/ProductConfigDyn.xml", template.render(root), why)


# --- IPP derivations ---------------------------------------------------------------


def write_ipp(
    builder: Builder,
    message: IppMessage,
    source: str,
    edit: Callable[[IppAttributeGroup], None] | None = None,
) -> None:
    """Write ipp/Get-Printer-Attributes.ipp, after ``edit`` if given."""
    if edit is not None:
        edit(message.printer)
    builder.write("ipp/Get-Printer-Attributes.ipp", message.encode(), source)


def identity_edit(
    profile: PrinterProfile, marker_names: dict[str, str], marker_type: str
) -> Callable[[IppAttributeGroup], None]:
    """Replace model identity and markers of a relative's attributes."""
    ident = profile.identity

    def edit(printer: IppAttributeGroup) -> None:
        tag = IppValueTag
        printer.set("printer-make-and-model", tag.TEXT, ident.series)
        device_id = str(printer.value("printer-device-id") or "")
        fields = [f for f in device_id.split(";") if f]
        rebuilt = []
        for item in fields:
            key = item.partition(":")[0]
            if key == "MDL":
                rebuilt.append(f"MDL:{ident.series}")
            elif key == "DES":
                rebuilt.append(f"DES:{ident.product_number}")
            else:
                rebuilt.append(item)
        printer.set("printer-device-id", tag.TEXT, ";".join(rebuilt) + ";")
        for name in ("printer-firmware-name", "printer-firmware-string-version"):
            if name in printer:
                printer.set(name, printer[name].tag, ident.firmware)
        if "printer-firmware-version" in printer:
            printer.set(
                "printer-firmware-version", tag.OCTET_STRING, ident.firmware.encode()
            )
        markers = [s for s in profile.supplies if s.measured]
        low = 3 if profile.laser else 1
        printer.set("marker-names", tag.NAME, *(marker_names[s.color] for s in markers))
        printer.set("marker-colors", tag.NAME, *(_IPP_COLORS[s.color] for s in markers))
        printer.set("marker-types", tag.KEYWORD, *([marker_type] * len(markers)))
        printer.set("marker-low-levels", tag.INTEGER, *([low] * len(markers)))
        printer.set("marker-high-levels", tag.INTEGER, *([100] * len(markers)))
        printer.set(
            "marker-levels",
            tag.INTEGER,
            *(-2 if s.level is None else s.level for s in markers),
        )
        if "printer-supply" in printer:
            supply_type = {"toner": "tonerCartridge", "ink": "ink"}.get(
                marker_type, "inkCartridge"
            )
            printer.set(
                "printer-supply",
                tag.OCTET_STRING,
                *(
                    (
                        f"type={supply_type};maxcapacity=100;"
                        f"level={-2 if s.level is None else s.level};"
                        "class=supplyThatIsConsumed;unit=percent;"
                        f"colorantname={s.colorant};"
                    ).encode()
                    for s in markers
                ),
            )
            printer.set(
                "printer-supply-description",
                tag.TEXT,
                *(marker_names[s.color] for s in markers),
            )

    return edit


# --- per profile -------------------------------------------------------------------

P57750_DUMP: Final = "ipp/HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt"
ENVY_DUMP: Final = "ipp/HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt"
M476_RAW: Final = "ipp/HP-Color-LaserJet-MFP-M476dn__get-printer-attributes_raw.ipp"
INKJET_TREE: Final = "ledm/node-hp-scan-to_inkjet-A__DiscoveryTree.xml"
INKJET_USAGE: Final = "ledm/elad-bar-2019_2cart-inkjet-mfp__ProductUsageDyn.xml"
OJ_CONFIG: Final = "ledm/HP-OfficeJet-Pro-9022e__ProductConfigDyn.xml"
INTERNAL_PRINT_CAP: Final = "ledm/HP-Smart-Tank-750__InternalPrintCap_reserialized.xml"


MEDIA_HANDLING: Final = "ledm/kou147258-ledm-mfp__MediaHandlingDyn.xml"


def internal_print_cap(builder: Builder) -> None:
    """The maintenance job list of the one LEDM inkjet captured with it."""
    builder.write(
        "http/DevMgmt/InternalPrintCap.xml",
        builder.fixture(INTERNAL_PRINT_CAP),
        f"fixtures/{INTERNAL_PRINT_CAP} verbatim (Smart Tank 750, an LEDM "
        "inkjet of the same generation; no capture of this model's)",
    )


def build_officejet(b: Builder) -> None:
    """OfficeJet Pro 9022e: its own LEDM captures; usage and IPP from relatives."""
    b.copy("http/DevMgmt/ProductConfigDyn.xml", OJ_CONFIG)
    b.copy(
        "http/DevMgmt/ProductStatusDyn.xml",
        "ledm/HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml",
    )
    b.copy(
        "http/DevMgmt/ConsumableConfigDyn.xml",
        "ledm/HP-OfficeJet-Pro-9022e__ConsumableConfigDyn.xml",
    )
    inks = [s for s in b.profile.supplies if s.measured]
    usage_for_inks(b, INKJET_USAGE, inks)
    internal_print_cap(b)
    b.write(
        "http/DevMgmt/MediaHandlingDyn.xml",
        b.fixture(MEDIA_HANDLING),
        f"fixtures/{MEDIA_HANDLING} verbatim (an LEDM inkjet MFP of the same "
        "generation; no capture of this model's); the simulator serves its "
        "InputTray once per tray",
    )
    discovery_tree(b, INKJET_TREE)
    names = {"C": "cyan ink", "M": "magenta ink", "Y": "yellow ink", "K": "black ink"}
    write_ipp(
        b,
        message_from_dump((b.fixtures / P57750_DUMP).read_text()),
        f"fixtures/{P57750_DUMP} (HP PageWide inkjet, same firmware family) "
        "with this model's identity and markers",
        identity_edit(b.profile, names, "ink-cartridge"),
    )
    b.finish("LEDM inkjet; printhead + 4 inks as captured.")


def build_m255dw(b: Builder) -> None:
    """Color LaserJet Pro M255dw: own LEDM captures; config and IPP from relatives."""
    for name, fixture in (
        (
            "DevMgmt/ProductStatusDyn.xml",
            "HP-Color-LaserJet-M255dw__ProductStatusDyn.xml",
        ),
        (
            "DevMgmt/ConsumableConfigDyn.xml",
            "HP-Color-LaserJet-M255dw__ConsumableConfigDyn.xml",
        ),
        (
            "DevMgmt/ProductUsageDyn.xml",
            "HP-Color-LaserJet-M255dw__ProductUsageDyn.xml",
        ),
        (
            "ePrint/ePrintConfigDyn.xml",
            "HP-Color-LaserJet-M255dw__ePrint_ePrintConfigDyn.xml",
        ),
        ("IoMgmt/Adapters", "HP-Color-LaserJet-M255dw__IoMgmt_Adapters.xml"),
    ):
        b.copy(f"http/{name}", f"ledm/{fixture}")
    ident = b.profile.identity
    product_config_from(
        b,
        OJ_CONFIG,
        {
            "dd:Version/dd:Revision": ident.firmware,
            "dd:Version/dd:Date": "2026-06-22",
            "dd:MakeAndModel": ident.model,
            "dd:MakeAndModelBase": ident.model,
            "dd:MakeAndModelFamily": ident.series,
            "prdcfgdyn:SKUIdentifier": "M255dw",
            "dd:ProductNumber": ident.product_number,
        },
        f"fixtures/{OJ_CONFIG} (no M255dw capture) with the model, product number "
        "and firmware date of ePrint/ePrintConfigDyn.xml",
    )
    discovery_tree(b, INKJET_TREE)
    names = {
        "K": "Black Cartridge HP W2210X",
        "C": "Cyan Cartridge HP W2211X",
        "M": "Magenta Cartridge HP W2213X",
        "Y": "Yellow Cartridge HP W2212X",
    }
    write_ipp(
        b,
        decode_ipp(b.fixture(M476_RAW)),
        f"fixtures/{M476_RAW} (Color LaserJet Pro MFP) with this model's identity "
        "and markers named by the product numbers in ConsumableConfigDyn",
        identity_edit(b.profile, names, "toner"),
    )
    b.finish("LEDM colour laser; 4 toners and page counters as captured.")


def build_smart_tank(b: Builder) -> None:
    """Smart Tank 580-590: its own CDM captures; IPP from the ENVY 4520."""
    for name, fixture in (
        ("system/v1/identity", "HP-Smart-Tank-588__cdm_system_v1_identity_raw.json"),
        ("system/v1/status", "HP-Smart-Tank-580-590__cdm_system_v1_status.json"),
        (
            "system/v1/statistics",
            "HP-Smart-Tank-580-590__cdm_system_v1_statistics.json",
        ),
        (
            "supply/v1/suppliesPublic",
            "HP-Smart-Tank-580-590__cdm_supply_v1_suppliesPublic.json",
        ),
        ("alert/v1/alerts", "HP-Smart-Tank-580-590__cdm_alert_v1_alerts.json"),
        ("print/v2/status", "HP-Smart-Tank-580-590__cdm_print_v2_status.json"),
        (
            "deviceUsage/v1/lifetimeCounters",
            "HP-Smart-Tank-580-590__cdm_deviceUsage_v1_lifetimeCounters.json",
        ),
        ("report/v1/reports", "HP-Smart-Tank-580-590__cdm_report_v1_reports.json"),
        (
            "firmwareUpdate/v2/updateCheck",
            "HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_updateCheck.json",
        ),
        (
            "firmwareUpdate/v2/configuration",
            "HP-Smart-Tank-580-590__cdm_firmwareUpdate_v2_configuration.json",
        ),
        (
            "calibration/v1/calibrations",
            "HP-Smart-Tank-580-590__cdm_calibration_v1_calibrations.json",
        ),
    ):
        b.copy(f"http/cdm/{name}", f"cdm/{fixture}")
    services = _services_discovery(b.out / "http")
    b.write(
        "http/cdm/servicesDiscovery",
        (json.dumps(services, indent=2) + "\n").encode(),
        "index of the CDM resources above, in the servicesDiscovery shape "
        "(services[].serviceGun/version/links[].href) HP's own CDM tests read",
    )
    names = {"K": "black ink", "C": "cyan ink", "M": "magenta ink", "Y": "yellow ink"}
    write_ipp(
        b,
        message_from_dump((b.fixtures / ENVY_DUMP).read_text()),
        f"fixtures/{ENVY_DUMP} (consumer inkjet of the same line) with this "
        "model's identity and ink tanks as markers",
        identity_edit(b.profile, names, "ink"),
    )
    b.finish("CDM ink tank; printheads are the inkCartridge entries.")


def _services_discovery(http: Path) -> dict[str, Any]:
    services: dict[str, list[str]] = {}
    for path in sorted((http / "cdm").rglob("*")):
        if not path.is_file() or path.name == "servicesDiscovery":
            continue
        href = "/" + str(path.relative_to(http))
        service, version = href.split("/")[2:4]
        services.setdefault(f"{service}|{version}", []).append(href)
    return {
        "version": "1.0.0",
        "services": [
            {
                "serviceGun": f"com.hp.cdm.service.{key.split('|')[0]}"
                f".version.{key.split('|')[1].removeprefix('v')}",
                "version": "1.0.0",
                "links": [
                    {"rel": href.rpartition("/")[2], "href": href} for href in hrefs
                ],
            }
            for key, hrefs in services.items()
        ],
    }


def build_pagewide(b: Builder) -> None:
    """PageWide MFP P57750: IPP only, exactly as dumped."""
    write_ipp(
        b,
        message_from_dump((b.fixtures / P57750_DUMP).read_text()),
        f"fixtures/{P57750_DUMP} re-encoded",
    )
    b.finish("IPP-only FutureSmart; status and supplies only over IPP.")


def build_envy(b: Builder) -> None:
    """ENVY 4520: its own IPP dump; LEDM from the ENVY Photo 7830 captures."""
    b.copy(
        "http/DevMgmt/ProductStatusDyn.xml",
        "ledm/HP-ENVY-Photo-7830__ProductStatusDyn.xml",
    )
    b.copy(
        "http/DevMgmt/ConsumableConfigDyn.xml",
        "ledm/HP-ENVY-Photo-7830__ConsumableConfigDyn.xml",
    )
    b.copy("http/DevMgmt/ProductUsageDyn.xml", INKJET_USAGE)
    internal_print_cap(b)
    ident = b.profile.identity
    product_config_from(
        b,
        OJ_CONFIG,
        {
            "dd:Version/dd:Revision": ident.firmware,
            "dd:MakeAndModel": ident.series,
            "dd:MakeAndModelBase": ident.series,
            "dd:MakeAndModelFamily": ident.series,
            "prdcfgdyn:SKUIdentifier": "4520",
            "dd:ProductNumber": ident.product_number,
        },
        f"fixtures/{OJ_CONFIG} (no ENVY capture) with the model, product number "
        "and firmware of the ENVY 4520 IPP dump",
    )
    discovery_tree(b, INKJET_TREE)
    write_ipp(
        b,
        message_from_dump((b.fixtures / ENVY_DUMP).read_text()),
        f"fixtures/{ENVY_DUMP} re-encoded",
    )
    b.finish(
        "LEDM inkjet with tri-colour + black cartridges; the LEDM documents are "
        "the ENVY Photo 7830's (same cartridge setup), IPP is the 4520's own."
    )


BUILDERS: Final[dict[str, Callable[[Builder], None]]] = {
    "officejet-pro-9022e": build_officejet,
    "color-laserjet-pro-m255dw": build_m255dw,
    "smart-tank-580": build_smart_tank,
    "pagewide-mfp-p57750": build_pagewide,
    "envy-4520": build_envy,
}


def build(out: Path = DATA_DIR, fixtures: Path = FIXTURES) -> None:
    """(Re)build every profile's capture directory under ``out``."""
    for name, profile in PROFILES.items():
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        BUILDERS[name](Builder(profile, fixtures, target))


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args = parser.parse_args(argv)
    build(args.out, args.fixtures)


if __name__ == "__main__":
    main()
