"""Printer models built from the captured payloads in tests/fixtures.

Every value below was read from the fixture file named next to it; the
client's parsers are not involved, so these tests pin the integration alone.
"""

from __future__ import annotations

from dataclasses import replace

from custom_components.hp_ews.client import (
    Alert,
    AlertSeverity,
    ChangeMarker,
    Counters,
    DataSources,
    PrintCapabilities,
    PrinterInfo,
    PrinterProtocol,
    PrinterSnapshot,
    PrinterState,
    PrinterStatus,
    Profile,
    Supply,
    SupplyKind,
    SupplyState,
)

HOST = "192.0.2.20"
"""A documentation address (RFC 5737); tests never reach it."""

# ledm/HP-OfficeJet-Pro-9022e__ProductConfigDyn.xml: MakeAndModel is the series,
# SKUIdentifier 9022e the exact model; SerialNumber and UUID were redacted by
# the publisher, so the serial "REDACTED" is this printer's only identity.
OFFICEJET_INFO = PrinterInfo(
    manufacturer="HP",
    model="HP OfficeJet Pro 9022e",
    series="HP OfficeJet Pro 9020 series",
    serial_number="REDACTED",
    firmware="MANHHIPP1N005.2623A.00",
    product_number="226Y0B",
)
OFFICEJET_UNIQUE_ID = "REDACTED"

# ledm/HP-OfficeJet-Pro-9022e__ProductStatusDyn.xml: inPowerSave, empty
# AlertTable with ModificationNumber 20.
OFFICEJET_STATUS = PrinterStatus(
    state=PrinterState.POWER_SAVE,
    raw_codes=("inPowerSave",),
    change_marker=ChangeMarker(alert_table="20"),
)

# ledm/HP-OfficeJet-Pro-9022e__ConsumableConfigDyn.xml: a CMYK printhead without
# a level, then inks C/M/Y/K at 40/40/40/80 % (ProductNumber 3JA86A..3JA89A).
OFFICEJET_SUPPLIES = (
    Supply(
        key="printhead_cmyk",
        color="CMYK",
        kind=SupplyKind.PRINTHEAD,
        state=SupplyState.OK,
        genuine=True,
        raw_kind="printhead",
        raw_state="ok",
    ),
    *(
        Supply(
            key=f"ink_{color.lower()}",
            color=color,
            kind=SupplyKind.INK,
            state=SupplyState.OK,
            level_percent=level,
            part_number=part,
            genuine=True,
            raw_kind="ink",
            raw_state="used",
        )
        for color, level, part in (
            ("C", 40, "3JA86A"),
            ("M", 40, "3JA87A"),
            ("Y", 40, "3JA88A"),
            ("K", 80, "3JA89A"),
        )
    ),
)

OFFICEJET_PROFILE = Profile(
    base_url=f"http://{HOST}:80",
    protocols=(PrinterProtocol.LEDM,),
    ledm_resources=(
        "/DevMgmt/ProductConfigDyn.xml",
        "/DevMgmt/ProductStatusDyn.xml",
        "/DevMgmt/ConsumableConfigDyn.xml",
    ),
)

OFFICEJET = PrinterSnapshot(
    info=OFFICEJET_INFO,
    status=OFFICEJET_STATUS,
    supplies=OFFICEJET_SUPPLIES,
    sources=DataSources(
        info=PrinterProtocol.LEDM,
        status=PrinterProtocol.LEDM,
        supplies=PrinterProtocol.LEDM,
    ),
)

# ledm/HP-Color-LaserJet-M255dw__*: ePrintConfigDyn names the exact model
# (ProductNumber 7KW64A, SerialNumber REDACTED); ProductStatusDyn is
# inPowerSave with an Italian LocString and four Info genuineHP alerts
# (ModificationNumber 18); ConsumableConfigDyn has toners K/C/M/Y at
# 20/30/50/40 %; ProductUsageDyn counts 1344 pages (452 mono, 892 colour),
# 408 duplex sheets, 0 jams, and estimates 550/800/1600/1150 pages remaining.
LASERJET = PrinterSnapshot(
    info=PrinterInfo(
        manufacturer="HP",
        model="HP Color LaserJet Pro M255dw",
        serial_number="REDACTED",
        product_number="7KW64A",
    ),
    status=PrinterStatus(
        state=PrinterState.POWER_SAVE,
        message="Modalità Pausa attiva.",
        alerts=tuple(
            Alert(
                code="genuineHP",
                severity=AlertSeverity.INFO,
                source=PrinterProtocol.LEDM,
                color=color,
            )
            for color in ("Y", "M", "C", "K")
        ),
        raw_codes=("inPowerSave",),
        change_marker=ChangeMarker(alert_table="18"),
    ),
    supplies=tuple(
        Supply(
            key=f"toner_{color.lower()}",
            color=color,
            kind=SupplyKind.TONER,
            state=SupplyState.OK,
            level_percent=level,
            pages_remaining=pages,
            part_number="207X",
            genuine=True,
            raw_kind="toner",
            raw_state="ok",
        )
        for color, level, pages in (
            ("K", 20, 550),
            ("C", 30, 800),
            ("M", 50, 1600),
            ("Y", 40, 1150),
        )
    ),
    counters=Counters(
        total_pages=1344,
        monochrome_pages=452,
        color_pages=892,
        duplex_sheets=408,
        jam_events=0,
    ),
    sources=DataSources(
        info=PrinterProtocol.LEDM,
        status=PrinterProtocol.LEDM,
        supplies=PrinterProtocol.LEDM,
        counters=PrinterProtocol.LEDM,
    ),
)

# ipp/HP-PageWide-MFP-P57750__ipptool_get-printer-attributes.txt: IPP only;
# printer-state idle with reasons none; marker-levels -2,-2,-2,30 for
# yellow, magenta, cyan, black ink (-2: unknown, non-HP/used cartridges);
# printer-uuid urn:uuid:9d9b9571-3618-5edf-a53b-e8b9e16aff51; SN CN86CHY0DX in
# printer-device-id; operations-supported includes Identify-Printer.
PAGEWIDE_UNIQUE_ID = "9d9b9571-3618-5edf-a53b-e8b9e16aff51"
PAGEWIDE_IPP_URL = f"http://{HOST}:631/ipp/print"
PAGEWIDE = PrinterSnapshot(
    info=PrinterInfo(
        manufacturer="HP",
        model="HP PageWide MFP P57750",
        serial_number="CN86CHY0DX",
        firmware="MAHDWOPP1N001.2506A.00",
        uuid=PAGEWIDE_UNIQUE_ID,
        ews_url=f"http://{HOST}/#hId-pgAirPrint",
    ),
    status=PrinterStatus(
        state=PrinterState.IDLE,
        message=None,
        raw_codes=("none",),
    ),
    supplies=tuple(
        Supply(
            key=f"ink_{color.lower()}",
            color=color,
            kind=SupplyKind.INK,
            state=SupplyState.UNKNOWN if level is None else SupplyState.OK,
            level_percent=level,
            raw_kind="ink-cartridge",
        )
        for color, level in (("Y", None), ("M", None), ("C", None), ("K", 30))
    ),
    ipp=PrintCapabilities(
        operations=(
            "Print-Job",
            "Validate-Job",
            "Cancel-Job",
            "Cancel-My-Jobs",
            "Get-Job-Attributes",
            "Get-Jobs",
            "Get-Printer-Attributes",
            "Create-Job",
            "Send-Document",
            "Set-Printer-Attributes",
            "Print-URI",
            "Send-URI",
            "Close-Job",
            "Identify-Printer",
        ),
        color_supported=True,
        sides_supported=("one-sided", "two-sided-short-edge", "two-sided-long-edge"),
    ),
    sources=DataSources(
        info=PrinterProtocol.IPP,
        status=PrinterProtocol.IPP,
        supplies=PrinterProtocol.IPP,
    ),
)
PAGEWIDE_PROFILE = Profile(
    base_url=f"http://{HOST}:80",
    protocols=(PrinterProtocol.IPP,),
    ipp_url=PAGEWIDE_IPP_URL,
)


# ipp/HP-ENVY-4520__get-printer-attributes_ipp-client-log.txt: printer-make-and-model
# "HP ENVY 4520 series", printer-uuid urn:uuid:1c852a4d-b800-1f08-abcd-ec8eb5b519a4,
# firmware CFP1FN2023BR, idle with reasons none, markers "tri-color ink"
# (#00FFFF#FF00FF#FFFF00) at 20 % and "black ink" at 40 %, Identify-Printer in
# operations-supported, printer-more-info http://<host>/#hId-pgAirPrint. The
# same printer announces "HP ENVY 4520 series [B519A4]._http._tcp.local." on
# port 80 with an empty TXT record (JmDNS lines at the top of that file).
# Its MAC ec:8e:b5:b5:19:a4 ends the UUID (HP's inkjet pattern) and forms the
# EUI-64 of its link-local address fe80::ee8e:b5ff:feb5:19a4 in the same lines.
ENVY_UNIQUE_ID = "1c852a4d-b800-1f08-abcd-ec8eb5b519a4"
ENVY = PrinterSnapshot(
    info=PrinterInfo(
        manufacturer="HP",
        model="HP ENVY 4520 series",
        firmware="CFP1FN2023BR",
        uuid=ENVY_UNIQUE_ID,
        mac="ec:8e:b5:b5:19:a4",
        ews_url=f"http://{HOST}/#hId-pgAirPrint",
    ),
    status=PrinterStatus(state=PrinterState.IDLE, raw_codes=("none",)),
    supplies=(
        Supply(
            key="ink_cmy",
            color="CMY",
            kind=SupplyKind.INK,
            state=SupplyState.OK,
            level_percent=20,
            description="tri-color ink",
            raw_kind="ink-cartridge",
        ),
        Supply(
            key="ink_k",
            color="K",
            kind=SupplyKind.INK,
            state=SupplyState.OK,
            level_percent=40,
            description="black ink",
            raw_kind="ink-cartridge",
        ),
    ),
    ipp=PrintCapabilities(
        operations=(
            "Print-Job",
            "Validate-Job",
            "Cancel-Job",
            "Cancel-My-Jobs",
            "Get-Job-Attributes",
            "Get-Jobs",
            "Get-Printer-Attributes",
            "Create-Job",
            "Send-Document",
            "Set-Printer-Attributes",
            "Print-URI",
            "Send-URI",
            "Resubmit-Job",
            "Identify-Printer",
        ),
        color_supported=True,
    ),
    sources=DataSources(
        info=PrinterProtocol.IPP,
        status=PrinterProtocol.IPP,
        supplies=PrinterProtocol.IPP,
    ),
)


# cdm/HP-Smart-Tank-588__cdm_system_v1_identity_raw.json: skuIdentifier 588,
# serialNumber CN00000588, deviceUuid 5f0c3e2a-1b7d-4c1e-9a55-000000000588,
# firmwareVersion LWP1CN2630CR, productNumber 1F3Y1A. Same device:
# cdm/HP-Smart-Tank-580-590__cdm_system_v1_status.json says inPowerSave;
# suppliesPublic lists two inkCartridge printheads (CMY M0H50A, K X4E75A)
# without percentLifeDisplay and four inkTanks K/C/M/Y at 100 %;
# lifetimeCounters: impressions total 10531, monochrome 647, color 722,
# scanUsage totalImages 94 and copyImages 110.
SMART_TANK = PrinterSnapshot(
    info=PrinterInfo(
        manufacturer="HP",
        model="HP Smart Tank 588",
        series="HP Smart Tank 580-590 series",
        serial_number="CN00000588",
        firmware="LWP1CN2630CR",
        uuid="5f0c3e2a-1b7d-4c1e-9a55-000000000588",
        product_number="1F3Y1A",
    ),
    status=PrinterStatus(state=PrinterState.POWER_SAVE, raw_codes=("inPowerSave",)),
    supplies=(
        *(
            Supply(
                key=f"printhead_{color.lower()}",
                color=color,
                kind=SupplyKind.PRINTHEAD,
                state=SupplyState.OK,
                part_number=part,
                genuine=True,
                raw_kind="inkCartridge",
                raw_state="inform",
            )
            for color, part in (("CMY", "M0H50A"), ("K", "X4E75A"))
        ),
        *(
            Supply(
                key=f"ink_tank_{color.lower()}",
                color=color,
                kind=SupplyKind.INK_TANK,
                state=SupplyState.OK,
                level_percent=100,
                raw_kind="inkTank",
                raw_state="ok",
            )
            for color in ("K", "C", "M", "Y")
        ),
    ),
    counters=Counters(
        total_pages=10531,
        monochrome_pages=647,
        color_pages=722,
        scan_pages=94,
        copy_pages=110,
    ),
    sources=DataSources(
        info=PrinterProtocol.CDM,
        status=PrinterProtocol.CDM,
        supplies=PrinterProtocol.CDM,
        counters=PrinterProtocol.CDM,
    ),
)

# ipp/HP-LaserJet-100-colorMFP-M175nw__get-printer-attributes_decoded.txt (levels
# and UUID normalised by the publisher): toners "Cyan/Magenta/Yellow/Black
# Cartridge HP CE31xA" and an opc "Imaging Drum HP CE314A" with colour none,
# all at 50 %; no Identify-Printer.
LASERJET_100 = PrinterSnapshot(
    info=PrinterInfo(
        manufacturer="HP",
        model="HP LaserJet 100 colorMFP M175nw",
        uuid="01234567-89ab-cdef-0123-456789abcdef",
    ),
    status=PrinterStatus(state=PrinterState.IDLE, raw_codes=("none",)),
    supplies=(
        *(
            Supply(
                key=f"toner_{color.lower()}",
                color=color,
                kind=SupplyKind.TONER,
                state=SupplyState.OK,
                level_percent=50,
                description=f"{name} Cartridge HP {part}",
                raw_kind="toner",
            )
            for color, name, part in (
                ("C", "Cyan", "CE311A"),
                ("M", "Magenta", "CE313A"),
                ("Y", "Yellow", "CE312A"),
                ("K", "Black", "CE310A"),
            )
        ),
        Supply(
            key="drum",
            color="",
            kind=SupplyKind.DRUM,
            state=SupplyState.OK,
            level_percent=50,
            description="Imaging Drum HP CE314A",
            raw_kind="opc",
        ),
    ),
    ipp=PrintCapabilities(
        operations=(
            "Print-Job",
            "Print-URI",
            "Validate-Job",
            "Create-Job",
            "Send-URI",
            "Cancel-Job",
            "Get-Job-Attributes",
            "Get-Jobs",
            "Get-Printer-Attributes",
        ),
    ),
    sources=DataSources(
        info=PrinterProtocol.IPP,
        status=PrinterProtocol.IPP,
        supplies=PrinterProtocol.IPP,
    ),
)


def with_status(snapshot: PrinterSnapshot, **changes: object) -> PrinterSnapshot:
    """Return the snapshot with some status fields changed."""
    return replace(snapshot, status=replace(snapshot.status, **changes))  # type: ignore[arg-type]
