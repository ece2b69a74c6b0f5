"""--replay: a capture directory or diagnostics file served as a printer."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.hp_ews.client import (
    IppOperation,
    IppStatusCode,
    decode_ipp,
    new_ipp_request,
)
from simulator.profiles import DATA_DIR

from .conftest import FIXTURES
from .helpers import get_text, ipp_request, post_ipp

if TYPE_CHECKING:
    from pathlib import Path

    import aiohttp

    from simulator.testing import PrinterFactory


def make_capture(directory: Path, *, with_ipp: bool = True) -> None:
    (directory / "http/cdm/system/v1").mkdir(parents=True)
    (directory / "capture.json").write_text(
        json.dumps({"format": 1, "model": "HP Test 1"})
    )
    status = FIXTURES / "cdm/HP-Smart-Tank-580-590__cdm_system_v1_status.json"
    (directory / "http/cdm/system/v1/status").write_bytes(status.read_bytes())
    (directory / "http/weird").write_bytes(b"\x00\x01")
    if with_ipp:
        (directory / "ipp").mkdir()
        raw = (
            FIXTURES / "ipp/HP-LaserJet-Pro-MFP-M127fw__get-printer-attributes_raw.ipp"
        )
        (directory / "ipp/Get-Printer-Attributes.ipp").write_bytes(raw.read_bytes())


async def test_replay_serves_files_verbatim(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    make_capture(tmp_path)
    sim = await simulated_printer(replay=tmp_path)
    status, body, content_type = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert (status, content_type) == (200, "application/json")
    assert body == (tmp_path / "http/cdm/system/v1/status").read_bytes()
    assert (await get_text(http, sim.url + "/weird"))[2] == "application/octet-stream"
    assert (await get_text(http, sim.url + "/DevMgmt/DiscoveryTree.xml"))[0] == 404
    # IPP: the captured answer, with this request's id.
    response = await ipp_request(
        http, sim, IppOperation.GET_PRINTER_ATTRIBUTES, request_id=4242
    )
    raw = (tmp_path / "ipp/Get-Printer-Attributes.ipp").read_bytes()
    expected = decode_ipp(raw)
    assert response.request_id == 4242
    assert response.printer == expected.printer
    other = await ipp_request(http, sim, IppOperation.GET_JOBS)
    assert other.status_code == IppStatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED
    async with http.post(
        sim.ipp_url, data=b"\x02\x00", headers={"Content-Type": "application/ipp"}
    ) as resp:
        assert resp.status == 400
    async with http.post(
        sim.ipp_url,
        data=b"\x02\x00\x00\x0b\x00\x00\x00\x01\x00",
        headers={"Content-Type": "application/ipp"},
    ) as resp:
        assert resp.status == 400
    # No state to change, but faults work.
    async with http.get(sim.url + "/_sim/state") as resp:
        state = await resp.json()
    assert state == {"replay": str(tmp_path.resolve())}  # noqa: ASYNC240
    async with http.post(sim.url + "/_sim/state", json={"paper_jam": True}) as resp:
        assert resp.status == 400
    await sim.set_fault("http_error", status=500, count=1)
    assert (await get_text(http, sim.url + "/cdm/system/v1/status"))[0] == 500


async def test_replay_without_ipp(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    make_capture(tmp_path, with_ipp=False)
    sim = await simulated_printer(replay=tmp_path)
    message = new_ipp_request(IppOperation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    async with http.post(
        sim.ipp_url, data=message.encode(), headers={"Content-Type": "application/ipp"}
    ) as resp:
        assert resp.status == 404


async def test_replay_profile_data_dir(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """Every profile's data directory is itself a replayable capture."""
    sim = await simulated_printer(replay=DATA_DIR / "pagewide-mfp-p57750")
    message = new_ipp_request(IppOperation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    response = await post_ipp(http, sim, message.encode())
    assert response.printer.value("printer-make-and-model") == "HP PageWide MFP P57750"


def test_profile_xor_replay() -> None:
    from simulator import SimulatedPrinter

    with pytest.raises(ValueError, match="exactly one"):
        SimulatedPrinter()
    with pytest.raises(ValueError, match="exactly one"):
        SimulatedPrinter("envy-4520", replay=DATA_DIR / "envy-4520")


def capture_object(directory: Path) -> dict[str, Any]:
    """A capture directory as diagnostics represent it (text or base64)."""
    http: dict[str, dict[str, str]] = {}
    for file in sorted((directory / "http").rglob("*")):
        if file.is_file():
            body = file.read_bytes()
            path = "/" + file.relative_to(directory / "http").as_posix()
            try:
                http[path] = {"text": body.decode("utf-8")}
            except UnicodeDecodeError:
                http[path] = {"base64": base64.b64encode(body).decode()}
    ipp = {
        file.stem: {"base64": base64.b64encode(file.read_bytes()).decode()}
        for file in sorted((directory / "ipp").glob("*.ipp"))
    }
    meta = json.loads((directory / "capture.json").read_text(encoding="utf-8"))
    return {"meta": meta, "http": http, "ipp": ipp}


def diagnostics_download(capture: dict[str, Any]) -> dict[str, Any]:
    """What Home Assistant's "Download diagnostics" saves for an entry."""
    return {
        "home_assistant": {"installation_type": "Home Assistant OS"},
        "custom_components": {"hp_ews": {"version": "0.1.0"}},
        "integration_manifest": {"domain": "hp_ews", "name": "HP Printer (EWS)"},
        "setup_times": {},
        "data": {
            "entry": {"title": "HP printer", "data": {"host": "**REDACTED**"}},
            "last_update_success": True,
            "profile": {"base_url": "http://**REDACTED**", "protocols": ["ledm"]},
            "snapshot": {"status": {"state": "idle"}},
            "capture": capture,
        },
    }


@pytest.mark.parametrize("profile", ["officejet-pro-9022e", "smart-tank-580"])
async def test_replay_diagnostics_download(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    tmp_path: Path,
    profile: str,
) -> None:
    source = DATA_DIR / profile
    capture = capture_object(source)
    # A binary document travels as base64.
    capture["http"]["/webApps/images/printer.png"] = {
        "base64": base64.b64encode(b"\x89PNG\r\n\x1a\n\xff\x00").decode()
    }
    file = tmp_path / "config_entry-hp_ews-01J.json"
    file.write_text(json.dumps(diagnostics_download(capture), indent=2))
    sim = await simulated_printer(replay=file)
    for document in sorted((source / "http").rglob("*")):
        if document.is_file():
            path = "/" + document.relative_to(source / "http").as_posix()
            status, body, _ = await get_text(http, sim.url + path)
            assert (status, body) == (200, document.read_bytes()), path
    status, body, _ = await get_text(http, sim.url + "/webApps/images/printer.png")
    assert (status, body) == (200, b"\x89PNG\r\n\x1a\n\xff\x00")
    assert (await get_text(http, sim.url + "/DevMgmt/Nothing.xml"))[0] == 404
    ipp_files = list((source / "ipp").glob("*.ipp"))
    if ipp_files:
        response = await ipp_request(http, sim, IppOperation.GET_PRINTER_ATTRIBUTES)
        expected = decode_ipp(ipp_files[0].read_bytes())
        assert response.printer == expected.printer
    async with http.get(sim.url + "/_sim/info") as resp:
        info = await resp.json()
    assert info["replay"] == str(file.resolve())
    assert (
        sim.profile.identity.model
        == json.loads((source / "capture.json").read_text(encoding="utf-8"))["model"]
    )


async def test_replay_bare_capture_object_and_cli(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    capture = capture_object(DATA_DIR / "smart-tank-580")
    del capture["ipp"], capture["meta"]
    file = tmp_path / "capture.json"
    file.write_text(json.dumps(capture))
    sim = await simulated_printer(replay=file)
    status, body, content_type = await get_text(http, sim.url + "/cdm/system/v1/status")
    assert (status, content_type) == (200, "application/json")
    assert body == (DATA_DIR / "smart-tank-580/http/cdm/system/v1/status").read_bytes()
    message = new_ipp_request(IppOperation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    async with http.post(
        sim.ipp_url, data=message.encode(), headers={"Content-Type": "application/ipp"}
    ) as resp:
        assert resp.status == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        (json.dumps({"data": {"entry": {}}}), "holds no capture$"),
        (
            json.dumps({"data": {"capture": {"error": "Printer did not answer"}}}),
            "the capture failed: Printer did not answer",
        ),
        (json.dumps({"meta": {}, "http": {}, "ipp": {}}), "empty capture"),
        (json.dumps({"http": {"/a": "text"}}), "not an object"),
        (json.dumps({"http": {"/a": {"size": 3}}}), "no text or base64"),
        (json.dumps({"http": {"/a": {"base64": "%%%"}}}), "'/a'"),
        # Paths and operation names that could not be requests are ignored.
        (
            json.dumps(
                {"http": {"../etc": {"text": "x"}}, "ipp": {"../x": {"base64": ""}}}
            ),
            "empty capture",
        ),
    ],
)
def test_replay_file_errors(tmp_path: Path, content: str, message: str) -> None:
    from simulator.__main__ import main
    from simulator.store import CaptureError, load_store

    file = tmp_path / "diagnostics.json"
    file.write_text(content)
    with pytest.raises(CaptureError, match=message):
        load_store(file)
    # The command line says so instead of a traceback.
    assert main(["--replay", str(file)]) == 1


def test_replay_file_size_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator import store

    file = tmp_path / "big.json"
    file.write_text(
        json.dumps({"http": {"/big": {"text": "x" * 100}, "/ok": {"text": "y"}}})
    )
    monkeypatch.setattr(store, "MAX_FILE_SIZE", 10)
    loaded = store.load_store.__wrapped__(file)
    # An oversized document is skipped like an oversized capture file.
    assert loaded.http == {"/ok": b"y"}
    monkeypatch.setattr(store, "MAX_JSON_FILE_SIZE", 10)
    with pytest.raises(store.CaptureError, match="larger than"):
        store.load_store.__wrapped__(file)


def test_diagnostics_capture_as_json_replays(tmp_path: Path) -> None:
    """The integration's own diagnostics representation loads as it is."""
    pytest.importorskip("homeassistant")
    from custom_components.hp_ews.client.capture import read_capture
    from custom_components.hp_ews.diagnostics import capture_as_json
    from simulator.store import load_store

    source = DATA_DIR / "officejet-pro-9022e"
    capture = read_capture(source)
    file = tmp_path / "diagnostics.json"
    file.write_text(json.dumps({"data": {"capture": capture_as_json(capture)}}))
    loaded = load_store(file)
    assert loaded.http == dict(capture.http)
    assert loaded.ipp == dict(capture.ipp)
    assert loaded.meta["model"] == "HP OfficeJet Pro 9022e"
