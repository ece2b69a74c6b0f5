"""--replay: a capture directory served as a printer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from simulator._codec import codec
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
        http, sim, codec.Operation.GET_PRINTER_ATTRIBUTES, request_id=4242
    )
    raw = (tmp_path / "ipp/Get-Printer-Attributes.ipp").read_bytes()
    expected = codec.decode(raw)
    assert response.request_id == 4242
    assert response.printer == expected.printer
    other = await ipp_request(http, sim, codec.Operation.GET_JOBS)
    assert other.status_code == codec.StatusCode.SERVER_ERROR_OPERATION_NOT_SUPPORTED
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
    message = codec.new_request(codec.Operation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    async with http.post(
        sim.ipp_url, data=message.encode(), headers={"Content-Type": "application/ipp"}
    ) as resp:
        assert resp.status == 404


async def test_replay_profile_data_dir(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    """Every profile's data directory is itself a replayable capture."""
    sim = await simulated_printer(replay=DATA_DIR / "pagewide-mfp-p57750")
    message = codec.new_request(codec.Operation.GET_PRINTER_ATTRIBUTES, sim.printer_uri)
    response = await post_ipp(http, sim, message.encode())
    assert response.printer.value("printer-make-and-model") == "HP PageWide MFP P57750"


def test_profile_xor_replay() -> None:
    from simulator import SimulatedPrinter

    with pytest.raises(ValueError, match="exactly one"):
        SimulatedPrinter()
    with pytest.raises(ValueError, match="exactly one"):
        SimulatedPrinter("envy-4520", replay=DATA_DIR / "envy-4520")
