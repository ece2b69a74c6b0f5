"""A condition set once shows in LEDM, CDM, IPP and PJL alike."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from simulator.state import StateError

from .helpers import (
    NS,
    alert_ids,
    get_text,
    ledm_root,
    printer_attributes,
    status_categories,
)

if TYPE_CHECKING:
    import aiohttp

    from simulator.testing import PrinterFactory

# condition -> (LEDM category for an inkjet, IPP reason, PJL code), per docs/protocols.md
# §6 (LEDM categories), RFC 8011 printer-state-reasons, §8 PJL codes.
CASES = {
    "paper_jam": ("jamInPrinter", "media-jam-error", "40022"),
    "door_open": ("closeDoorOrCover", "door-open-error", "40021"),
    "out_of_paper": ("trayEmpty", "media-empty-error", "41100"),
    "output_bin_full": ("outputBinFull", "output-area-full-warning", "15011"),
}


async def pjl_status(port: int) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x1b%-12345X@PJL INFO STATUS \r\n\x1b%-12345X")
    await writer.drain()
    data = await reader.readuntil(b"\f")
    writer.close()
    await writer.wait_closed()
    return data.decode()


@pytest.mark.parametrize("condition", sorted(CASES))
async def test_condition_everywhere(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, condition: str
) -> None:
    category, reason, pjl_code = CASES[condition]
    sim = await simulated_printer("officejet-pro-9022e")
    before = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    number = int(
        before.findtext("psdyn:AlertTable/dd:ModificationNumber", namespaces=NS) or 0
    )
    assert status_categories(before) == ["ready"]

    sim.set_state(**{condition: True})

    root = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root) == [category, "ready"]
    assert alert_ids(root) == [category]
    assert (
        int(root.findtext("psdyn:AlertTable/dd:ModificationNumber", namespaces=NS) or 0)
        == number + 1
    )
    printer = await printer_attributes(http, sim)
    assert printer.values("printer-state-reasons") == [reason]
    blocking = reason.endswith("-error")
    assert printer.value("printer-state") == (5 if blocking else 3)
    assert any(
        isinstance(v, bytes) and b"code=" in v for v in printer.values("printer-alert")
    )
    status = await pjl_status(sim.raw_port)
    assert f"CODE={pjl_code}" in status
    assert ("ONLINE=FALSE" in status) == blocking

    sim.set_state(**{condition: False})
    root = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root) == ["ready"]
    assert alert_ids(root) == []
    printer = await printer_attributes(http, sim)
    assert printer.values("printer-state-reasons") == ["none"]
    assert "CODE=10001" in await pjl_status(sim.raw_port)


async def test_cdm_shows_conditions(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    sim.set_state(
        paper_jam=True, door_open=True, supplies={"C": 8}, missing_supplies=["Y"]
    )
    _, body, _ = await get_text(http, sim.url + "/cdm/alert/v1/alerts")
    alerts = json.loads(body)["alerts"]
    categories = {a["category"]: a for a in alerts}
    assert {"jamInPrinter", "doorOpen", "cartridgeLow", "cartridgeMissing"} <= set(
        categories
    )
    # Captured routine alerts stay.
    assert "genuineHPsupply" in categories
    assert categories["jamInPrinter"]["severity"] == "error"
    assert categories["cartridgeLow"]["severity"] == "warning"
    pointers = {
        d["propertyPointer"]: d["value"] for d in categories["cartridgeLow"]["data"]
    }
    # Cyan tank is suppliesList[3] in the capture.
    assert pointers["/suppliesList/3/colors"] == {"seValue": "C"}
    _, body, _ = await get_text(http, sim.url + "/cdm/print/v2/status")
    print_status = json.loads(body)
    assert print_status["printerState"] == "stopped"
    assert {"media-jam-error", "door-open-error", "marker-supply-low-warning"} <= set(
        print_status["printerStateReasons"]
    )
    _, body, _ = await get_text(http, sim.url + "/cdm/supply/v1/suppliesPublic")
    supplies = {
        (s["supplyType"], s["supplyColorCode"]): s
        for s in json.loads(body)["suppliesList"]
    }
    assert supplies[("inkTank", "C")]["percentLifeDisplay"] == 8
    assert supplies[("inkTank", "C")]["levelState"] == "low"
    assert "percentLifeDisplay" not in supplies[("inkTank", "Y")]
    assert supplies[("inkTank", "Y")]["supplyState"] == "error"
    # Printheads have no level, before or after.
    assert "percentLifeDisplay" not in supplies[("inkCartridge", "K")]


async def test_power_save(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    sim.set_state(power_save=True)
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "inPowerSave"
    printer = await printer_attributes(http, sim)
    assert printer.value("printer-state") == 3
    assert printer.value("printer-state-message") == "Sleep mode"
    led = await simulated_printer("color-laserjet-pro-m255dw")
    led.set_state(power_save=True)
    root = await ledm_root(http, led, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root) == ["inPowerSave"]
    # The capture's own Italian text for power save.
    assert (
        root.findtext("psdyn:Status/psdyn:LocString", namespaces=NS)
        == "Modalità Pausa attiva."
    )
    assert "CODE=35078" in await pjl_status(led.raw_port)


async def test_supply_levels_everywhere(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    sim.set_state(supplies={"K": 3, "C": 9})
    root = await ledm_root(http, sim, "/DevMgmt/ConsumableConfigDyn.xml")
    infos = {
        info.findtext("dd:ConsumableLabelCode", namespaces=NS): info
        for info in root.iterfind("ccdyn:ConsumableInfo", NS)
    }
    assert (
        infos["K"].findtext("dd:ConsumablePercentageLevelRemaining", namespaces=NS)
        == "3"
    )
    assert (
        infos["K"].findtext("dd:ConsumableLifeState/dd:ConsumableState", namespaces=NS)
        == "veryLow"
    )
    assert (
        infos["C"].findtext("dd:ConsumableLifeState/dd:ConsumableState", namespaces=NS)
        == "low"
    )
    # Untouched: as captured.
    assert (
        infos["M"].findtext("dd:ConsumablePercentageLevelRemaining", namespaces=NS)
        == "50"
    )
    assert (
        infos["M"].findtext("dd:ConsumableLifeState/dd:ConsumableState", namespaces=NS)
        == "ok"
    )
    status = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert alert_ids(status)[-2:] == ["cartridgeVeryLow", "cartridgeLow"]
    # The captured genuineHP Info alerts are still there, first.
    assert alert_ids(status)[:4] == ["genuineHP"] * 4
    usage = await ledm_root(http, sim, "/DevMgmt/ProductUsageDyn.xml")
    remaining = {
        c.findtext("dd:MarkerColor", namespaces=NS): c.findtext(
            "dd:EstimatedPagesRemaining", namespaces=NS
        )
        for c in usage.iterfind("pudyn:ConsumableSubunit/pudyn:Consumable", NS)
    }
    # 3 % and 9 % of the captured yields (3150 black, 2450 colour).
    assert remaining["Black"] == str(int(3150 * 3 / 100))
    assert remaining["Cyan"] == str(int(2450 * 9 / 100))
    printer = await printer_attributes(http, sim)
    levels = dict(
        zip(
            printer.values("marker-colors"),
            printer.values("marker-levels"),
            strict=True,
        )
    )
    assert levels["#000000"] == 3
    assert levels["#00FFFF"] == 9
    assert "toner-low-warning" in printer.values("printer-state-reasons")


async def test_pagewide_reports_supplies_only_in_alerts(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("pagewide-mfp-p57750")
    printer = await printer_attributes(http, sim)
    # As captured: non-HP cartridges -2, black 30, two alerts with free text.
    assert printer.values("marker-levels") == [-2, -2, -2, 30]
    assert printer.values("printer-alert-description") == [
        "Previously Used Genuine HP Cartridge Installed",
        "Non-HP Ink Cartridge Installed",
    ]
    sim.set_state(supplies={"K": 5})
    printer = await printer_attributes(http, sim)
    assert printer.values("printer-state-reasons") == ["none"]
    alerts = [
        v.decode() for v in printer.values("printer-alert") if isinstance(v, bytes)
    ]
    assert (
        alerts[-1]
        == "code=markerInkAlmostEmpty;severity=warning;group=markerSupplies;groupindex=4"
    )
    assert printer.values("printer-alert-description")[-1] == "Black Cartridge low"
    supply = printer.values("printer-supply")[3]
    assert isinstance(supply, bytes)
    assert b"level=5;" in supply
    sim.set_state(paper_jam=True)
    printer = await printer_attributes(http, sim)
    assert printer.values("printer-state-reasons") == ["media-jam-error"]


async def test_missing_cartridge(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520")
    sim.set_state(missing_supplies=["CMY"])
    root = await ledm_root(http, sim, "/DevMgmt/ProductStatusDyn.xml")
    assert status_categories(root)[0] == "cartridgeMissing"
    consumables = await ledm_root(http, sim, "/DevMgmt/ConsumableConfigDyn.xml")
    cmy = next(
        i
        for i in consumables.iterfind("ccdyn:ConsumableInfo", NS)
        if i.findtext("dd:ConsumableLabelCode", namespaces=NS) == "CMY"
    )
    assert (
        cmy.findtext("dd:ConsumableLifeState/dd:ConsumableState", namespaces=NS)
        == "missing"
    )
    assert cmy.find("dd:ConsumablePercentageLevelRemaining", NS) is None
    printer = await printer_attributes(http, sim)
    assert printer.values("printer-state-reasons") == ["marker-supply-missing-error"]
    assert printer.values("marker-levels")[0] == -2
    sim.set_state(missing_supplies=[])
    assert sim.state.conditions() == ()


def test_state_validation() -> None:
    from simulator.profiles import get_profile
    from simulator.state import PrinterState

    state = PrinterState(get_profile("officejet-pro-9022e"), "seed")
    bad: list[dict[str, object]] = [
        {"paper_jam": "yes"},
        {"supplies": [1]},
        {"supplies": {"Q": 3}},
        {"supplies": {"K": 101}},
        {"supplies": {"K": True}},
        {"missing_supplies": "K"},
        {"missing_supplies": ["Q"]},
        {"counters": []},
        {"counters": {"scans": 3}},
        {"counters": {"total_pages": -1}},
        {"page_seconds": -1},
        {"colour": True},
    ]
    for changes in bad:
        with pytest.raises(StateError):
            state.apply(changes)
    # Nothing changed: all or nothing.
    assert state.to_json()["conditions"] == []
    state.apply(
        {"supplies": {"K": None}, "counters": {"total_pages": 5}, "percent_per_page": 2}
    )
    assert state.to_json()["supplies"]["K"] is None
    assert state.counters["total_pages"] == 5
    jams = state.counters["jam_events"]
    state.apply({"paper_jam": True})
    state.apply({"paper_jam": True})
    assert state.counters["jam_events"] == (jams or 0) + 1


def test_identities() -> None:
    from simulator.profiles import get_profile
    from simulator.state import make_identity

    laser = make_identity(get_profile("color-laserjet-pro-m255dw"), "a")
    # LaserJet Pro style: hex of the serial's ASCII, then the MAC.
    assert bytes.fromhex(laser.uuid.replace("-", "")[:20]).decode() == laser.serial
    assert laser.uuid.endswith(laser.mac.replace(":", ""))
    inkjet = make_identity(get_profile("envy-4520"), "a")
    assert inkjet.uuid.startswith("1c852a4d-b800-1f08-abcd-")
    assert inkjet.mac_suffix == inkjet.mac.replace(":", "")[-6:].upper()
    assert make_identity(get_profile("envy-4520"), "a") == inkjet
    assert make_identity(get_profile("envy-4520"), "b") != inkjet
    assert make_identity(get_profile("pagewide-mfp-p57750"), "a").uuid.count("-") == 4


# state change -> the one CDM system/v1/status value (LEDM StatusCategory
# vocabulary, docs/protocols.md §6 and §5.2); the most serious condition wins.
CDM_STATUS_CASES: list[tuple[dict[str, object], str]] = [
    ({}, "ready"),
    ({"power_save": True}, "inPowerSave"),
    ({"paper_jam": True}, "jamInPrinter"),
    ({"door_open": True}, "closeDoorOrCover"),
    ({"out_of_paper": True}, "trayEmptyOrOpen"),
    ({"missing_supplies": ["Y"]}, "cartridgeMissing"),
    ({"supplies": {"C": 8}}, "cartridgeLow"),
    ({"supplies": {"C": 2}}, "cartridgeVeryLow"),
    ({"output_bin_full": True}, "outputBinFull"),
    # A condition outranks sleep; errors outrank warnings.
    ({"power_save": True, "out_of_paper": True}, "trayEmptyOrOpen"),
    ({"output_bin_full": True, "door_open": True}, "closeDoorOrCover"),
    ({"supplies": {"K": 5}, "missing_supplies": ["M"]}, "cartridgeMissing"),
    ({"paper_jam": True, "door_open": True}, "jamInPrinter"),
]


@pytest.mark.parametrize(("changes", "expected"), CDM_STATUS_CASES)
async def test_cdm_system_status_carries_the_condition(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    changes: dict[str, object],
    expected: str,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    sim.set_state(**changes)
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    document = json.loads(body)
    assert document["status"] == expected
    # Everything else as captured.
    captured = json.loads(
        (sim.profile.data_dir / "http/cdm/system/v1/status").read_bytes()
    )
    assert document.keys() == captured.keys()
    assert document["version"] == captured["version"]
    # Cleared: back to ready.
    sim.set_state(
        paper_jam=False,
        door_open=False,
        out_of_paper=False,
        output_bin_full=False,
        power_save=False,
        missing_supplies=[],
        supplies={"K": 100, "C": 100, "M": 100, "Y": 100},
    )
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "ready"


@pytest.mark.parametrize(("changes", "expected"), CDM_STATUS_CASES)
def test_cdm_status_is_the_first_ledm_category(
    changes: dict[str, object], expected: str
) -> None:
    """One ordering for both families: CDM's value leads LEDM's Status list."""
    from simulator import cdm, ledm
    from simulator.profiles import get_profile
    from simulator.state import PrinterState
    from simulator.store import load_store

    profile = get_profile("smart-tank-580")
    state = PrinterState(profile, "seed")
    state.apply(changes)
    categories = ledm.status_categories(state)
    assert categories[0] == expected
    # Every condition is listed, then what the printer does.
    assert categories[-1] == ("inPowerSave" if state.power_save else "ready")
    document = json.loads(cdm.system_status(state, load_store(profile.data_dir)))
    assert document["status"] == categories[0]


async def test_cdm_status_while_printing_and_jammed(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    from custom_components.hp_ews.client.models import PrinterState as State
    from custom_components.hp_ews.client.protocols.cdm import parse_system_status

    from .helpers import print_document

    sim = await simulated_printer("smart-tank-580", page_seconds=5)
    sim.set_state(power_save=True)
    await print_document(http, sim, b"\xff\xd8\xff\xe0jpeg", "image/jpeg")
    async with asyncio.timeout(10):
        while not sim.state.printing:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "processing"
    assert parse_system_status(body).state is State.PRINTING
    # A jam stops the job; the status says why, and the client reads it so.
    sim.set_state(paper_jam=True)
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "jamInPrinter"
    status = parse_system_status(body)
    assert status.state is State.STOPPED
    assert status.paper_jam
    sim.set_state(paper_jam=False)
    _, body, _ = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert json.loads(body)["status"] == "processing"
