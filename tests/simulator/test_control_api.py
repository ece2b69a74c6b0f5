"""The JSON control API under /_sim/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .helpers import PDF_2_PAGES, print_document

if TYPE_CHECKING:
    import aiohttp

    from simulator.testing import PrinterFactory


async def test_state_roundtrip(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    async with http.get(sim.url + "/_sim/state") as resp:
        state = await resp.json()
    assert state["profile"] == "color-laserjet-pro-m255dw"
    # Captured levels (ConsumableConfigDyn: K 20, C 30, M 50, Y 40).
    assert state["supplies"] == {"K": 20, "C": 30, "M": 50, "Y": 40}
    assert state["identity"]["serial"] == sim.state.identity.serial
    async with http.post(
        sim.url + "/_sim/state",
        json={"paper_jam": True, "supplies": {"K": 12}, "power_save": True},
    ) as resp:
        assert resp.status == 200
        changed = await resp.json()
    assert changed["paper_jam"] is True
    assert changed["power_save"] is True
    assert changed["supplies"]["K"] == 12
    assert [c["ledm"] for c in changed["conditions"]] == ["jamInPrinter"]
    for body in ({"paper_jam": 1}, {"bogus": True}, [1, 2]):
        async with http.post(sim.url + "/_sim/state", json=body) as resp:
            assert resp.status == 400
            assert "error" in await resp.json()
    async with http.post(sim.url + "/_sim/state", data=b"{nope") as resp:
        assert resp.status == 400


async def test_faults_endpoint(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    async with http.post(
        sim.url + "/_sim/fault", json={"fault": "delay", "seconds": 0.01}
    ) as resp:
        assert await resp.json() == [
            {"fault": "delay", "seconds": 0.01, "count": None, "paths": []}
        ]
    async with http.post(sim.url + "/_sim/fault", json={"fault": "swap"}) as resp:
        assert len(await resp.json()) == 2
    async with http.post(
        sim.url + "/_sim/fault", json={"fault": "none", "name": "delay"}
    ) as resp:
        assert [f["fault"] for f in await resp.json()] == ["swap"]
    async with http.post(
        sim.url + "/_sim/fault", json={"fault": "none", "name": 3}
    ) as resp:
        assert resp.status == 400
    async with http.post(sim.url + "/_sim/fault", json={"fault": "meteor"}) as resp:
        assert resp.status == 400
    async with http.post(sim.url + "/_sim/fault", json={"fault": "none"}) as resp:
        assert await resp.json() == []
    async with http.get(sim.url + "/_sim/fault") as resp:
        assert await resp.json() == []


async def test_jobs_documents_reset_info(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    await print_document(http, sim, PDF_2_PAGES)
    await sim.wait_for_jobs()
    async with http.get(sim.url + "/_sim/jobs") as resp:
        jobs = await resp.json()
    assert len(jobs) == 1
    job = jobs[0]
    assert job["bytes"] == len(PDF_2_PAGES)
    assert job["pages"] == 2
    assert job["state"] == "completed"
    assert job["detected_format"] == "application/pdf"
    assert job["attributes"]["document-format"] == "application/pdf"
    async with http.get(sim.url + f"/_sim/jobs/{job['id']}/document") as resp:
        assert await resp.read() == PDF_2_PAGES
    async with http.get(sim.url + "/_sim/jobs/99/document") as resp:
        assert resp.status == 404
    async with http.get(sim.url + "/_sim/info") as resp:
        info = await resp.json()
    assert info["ipp_url"] == sim.ipp_url
    assert info["raw_port"] == sim.raw_port
    sim.set_state(door_open=True)
    await sim.set_fault("delay", seconds=0.01)
    async with http.post(sim.url + "/_sim/reset") as resp:
        state = await resp.json()
    assert state["door_open"] is False
    assert sim.faults.to_json() == []
    assert sim.jobs == []
