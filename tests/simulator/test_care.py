"""Printer care in the simulator: trays per family, firmware update status, uptime."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from custom_components.hp_ews.client import IppCollection
from simulator import PROFILES
from simulator.care import CareState
from simulator.profiles import Family

from .conftest import FIXTURES
from .helpers import ledm_root, printer_attributes

if TYPE_CHECKING:
    import aiohttp

    from custom_components.hp_ews.client import IppAttributeGroup
    from simulator.testing import PrinterFactory

DD = "{http://www.hp.com/schemas/imaging/con/dictionaries/1.0/}"
MHDYN = "{http://www.hp.com/schemas/imaging/con/ledm/mediahandlingdyn/2007/11/21}"


def _tray_fields(printer_group: IppAttributeGroup) -> list[dict[str, str]]:
    return [
        dict(part.split("=", 1) for part in value.decode().split(";") if "=" in part)
        for value in printer_group.values("printer-input-tray")
        if isinstance(value, bytes)
    ]


async def _post_state(
    http: aiohttp.ClientSession, url: str, body: object
) -> tuple[int, dict[str, object]]:
    async with http.post(url + "/_sim/state", json=body) as resp:
        return resp.status, await resp.json()


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_tray_counts_match_captures(name: str) -> None:
    """The IPP dump's printer-input-tray entries (without ``auto``) per profile."""
    profile = PROFILES[name]
    dump = (profile.data_dir / "ipp" / "Get-Printer-Attributes.ipp").read_bytes()
    names = [
        part.removeprefix(b"name=")
        for part in dump.split(b";")
        if part.startswith(b"name=InputTray")
    ]
    assert profile.trays == len(names)


async def test_ipp_trays_follow_the_state(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("pagewide-mfp-p57750")
    printer = await printer_attributes(http, sim)
    before = _tray_fields(printer)
    # As captured: two trays and the automatic selection, level unknown.
    assert [(t["name"], t["level"], t["status"]) for t in before] == [
        ("InputTray1", "-2", "0"),
        ("InputTray2", "-2", "0"),
        ("auto", "-2", "0"),
    ]
    status, state = await _post_state(
        http,
        sim.url,
        {
            "trays": {
                "1": {"open": True},
                "2": {
                    "capacity": 250,
                    "sheets": 100,
                    "media_size": "na_letter_8.5x11in",
                },
            }
        },
    )
    assert status == 200
    assert state["trays"]["1"]["open"] is True  # type: ignore[index]
    after = _tray_fields(await printer_attributes(http, sim))
    assert after[0]["status"] == str(1 | 16)
    assert (after[1]["maxcapacity"], after[1]["level"], after[1]["status"]) == (
        "250",
        "100",
        "0",
    )
    assert (after[1]["mediaxfeed"], after[1]["mediafeed"]) == ("215900", "279400")
    assert after[2] == before[2]
    # Out of paper empties every tray: level 0 with a critical alert.
    sim.set_state(trays={"1": {"open": False}}, out_of_paper=True)
    emptied = _tray_fields(await printer_attributes(http, sim))
    assert [(t["level"], t["status"]) for t in emptied[:2]] == [
        ("0", "16"),
        ("0", "16"),
    ]


async def test_ipp_media_type_and_uptime(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520")
    printer = await printer_attributes(http, sim)
    ready = [
        v for v in printer.values("media-col-ready") if isinstance(v, IppCollection)
    ]
    assert {m.value("media-type") for m in ready} == {"stationery"}
    sim.set_state(trays={"1": {"media_type": "photographic"}}, up_seconds=90)
    printer = await printer_attributes(http, sim)
    ready = [
        v for v in printer.values("media-col-ready") if isinstance(v, IppCollection)
    ]
    assert {m.value("media-type") for m in ready} == {"photographic"}
    up = printer.value("printer-up-time")
    assert isinstance(up, int)
    assert 90 <= up <= 92


async def test_ledm_media_handling(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    root = await ledm_root(http, sim, "/DevMgmt/MediaHandlingDyn.xml")
    trays = root.findall(f"{MHDYN}InputTray")
    assert [t.findtext(f"{DD}InputBin") for t in trays] == ["Tray1", "Tray2"]
    # The captured tray's values, once per tray.
    assert {t.findtext(f"{DD}MediaSizeName") for t in trays} == {"iso_a4_210x297mm"}
    assert {t.findtext(f"{MHDYN}MediaState") for t in trays} == {"present"}
    sim.set_state(
        trays={
            "2": {
                "open": True,
                "empty": True,
                "media_type": "plain",
                "media_size": "na_legal_8.5x14in",
            }
        }
    )
    root = await ledm_root(http, sim, "/DevMgmt/MediaHandlingDyn.xml")
    second = root.findall(f"{MHDYN}InputTray")[1]
    assert second.findtext(f"{DD}TrayState") == "open"
    assert second.findtext(f"{MHDYN}MediaState") == "empty"
    assert second.findtext(f"{DD}MediaType") == "plain"
    assert second.findtext(f"{DD}MediaSizeName") == "na_legal_8.5x14in"
    # The rest of the document stays as captured.
    captured = (
        FIXTURES / "ledm" / "kou147258-ledm-mfp__MediaHandlingDyn.xml"
    ).read_bytes()
    assert b"autoDuplexor" in captured
    assert root.find(f"{MHDYN}Accessories") is not None


async def test_cdm_firmware_update_status_and_setting(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    url = sim.url + "/cdm/firmwareUpdate/v2"
    async with http.get(url + "/updateCheck") as resp:
        check = json.loads(await resp.read())
    assert check["currentVersion"] == "LWP1CN2630CR"
    assert check["availableVersion"] == ""
    sim.set_state(firmware_available="LWP1CN2701AR")
    async with http.get(url + "/updateCheck") as resp:
        assert json.loads(await resp.read())["availableVersion"] == "LWP1CN2701AR"

    async with http.get(url + "/configuration") as resp:
        assert json.loads(await resp.read())["autoUpdateEnabled"] == "true"
    async with http.patch(
        url + "/configuration", json={"autoUpdateEnabled": "false"}
    ) as resp:
        assert resp.status == 204
    async with http.get(url + "/configuration") as resp:
        config = json.loads(await resp.read())
    assert config["autoUpdateEnabled"] == "false"
    # Fields the capture has stay as captured.
    assert config["autoUpdateEnabledIsEditable"] == "true"
    for body in ({"autoUpdateEnabled": False}, {"allowDowngrade": "true"}, [1]):
        async with http.patch(url + "/configuration", json=body) as resp:
            assert resp.status == 400
    async with http.patch(url + "/configuration", data=b"{nope") as resp:
        assert resp.status == 400
    assert sim.state.care.auto_update is False
    await sim.reset()
    assert sim.state.care.auto_update is True
    assert sim.state.care.firmware_available is None


async def test_no_patch_route_without_the_document(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    async with http.patch(
        sim.url + "/cdm/firmwareUpdate/v2/configuration",
        json={"autoUpdateEnabled": "false"},
    ) as resp:
        assert resp.status in (404, 405)


@pytest.mark.parametrize(
    "body",
    [
        {"trays": []},
        {"trays": {"3": {"open": True}}},
        {"trays": {"x": {"open": True}}},
        {"trays": {"1": {"bogus": True}}},
        {"trays": {"1": []}},
        {"trays": {"1": {"open": "yes"}}},
        {"trays": {"1": {"media_size": "iso_zz_1x1mm"}}},
        {"trays": {"1": {"media_type": "no spaces please"}}},
        {"trays": {"1": {"sheets": -1}}},
        {"trays": {"1": {"capacity": True}}},
        {"firmware_available": ""},
        {"firmware_available": 7},
        {"auto_update": "off"},
        {"up_seconds": 0},
        {"up_seconds": True},
    ],
)
async def test_invalid_care_changes(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, body: object
) -> None:
    sim = await simulated_printer("pagewide-mfp-p57750")
    status, answer = await _post_state(http, sim.url, {**body, "paper_jam": True})  # type: ignore[dict-item]
    assert status == 400
    assert "error" in answer
    # All or nothing: the valid change in the same request was not applied.
    assert sim.state.paper_jam is False


def test_care_state_json() -> None:
    care = CareState(1)
    assert care.to_json() == {
        "trays": {
            "1": {
                "open": False,
                "empty": False,
                "media_size": None,
                "media_type": None,
                "capacity": None,
                "sheets": None,
            }
        },
        "firmware_available": None,
        "auto_update": True,
    }


def test_ledm_profiles_without_the_document() -> None:
    """Only the OfficeJet serves MediaHandlingDyn; a family without it reads IPP."""
    served = {
        name
        for name, profile in PROFILES.items()
        if (profile.data_dir / "http" / "DevMgmt" / "MediaHandlingDyn.xml").exists()
    }
    assert served == {"officejet-pro-9022e"}
    assert PROFILES["officejet-pro-9022e"].family is Family.LEDM
