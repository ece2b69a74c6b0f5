"""The simulator's maintenance endpoints, spoken to directly over HTTP.

The request shapes are those real printers took (simulator/maintenance.py);
the client's side is in tests/client/test_maintenance.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from simulator.maintenance import MAX_BODY

if TYPE_CHECKING:
    import aiohttp

    from simulator.testing import PrinterFactory

IPDYN = "http://www.hp.com/schemas/imaging/con/ledm/internalprintdyn/2008/03/21"
IPCAP = "http://www.hp.com/schemas/imaging/con/ledm/internalprintcap/2008/03/21"
DYN = "/DevMgmt/InternalPrintDyn.xml"
PRINT = "/cdm/report/v1/print"
ALIGN = "/cdm/calibration/v1/calibration/penAlignSemiauto"


def internal_print(job_type: str, root: str = "InternalPrintDyn") -> bytes:
    namespace = IPDYN if root == "InternalPrintDyn" else IPCAP
    return (
        f'<r:{root} xmlns:r="{namespace}" xmlns:ipdyn="{IPDYN}">'
        f"<ipdyn:JobType>{job_type}</ipdyn:JobType></r:{root}>"
    ).encode()


def report(report_id: str, version: str = "1.0.0") -> bytes:
    return json.dumps(
        {"state": "processing", "version": version, "reportId": report_id}
    ).encode()


async def test_ledm_takes_both_known_body_shapes(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("envy-4520")
    async with http.get(sim.url + "/DevMgmt/InternalPrintCap.xml") as answer:
        assert answer.status == 200
        assert b"<ns3:JobType>pqDiagnosticsPage</ns3:JobType>" in await answer.read()
    for body in (
        internal_print("cleaningPage"),
        # HPLIP's shape: an InternalPrintCap root around the JobType.
        internal_print("configurationPage", root="InternalPrintCap"),
    ):
        async with http.post(sim.url + DYN, data=body) as answer:
            assert answer.status == 201
        await sim.wait_for_jobs()
    assert [(job.source, job.name, job.pages) for job in sim.jobs] == [
        ("maintenance", "cleaningPage", 1),
        ("maintenance", "configurationPage", 1),
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (internal_print("demoPage"), 400),
        (b"<not xml", 400),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', 400),
        (f'<x xmlns="{IPDYN}"/>'.encode(), 400),
        (b"x" * (MAX_BODY + 1), 413),
    ],
)
async def test_ledm_refuses_what_it_does_not_take(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    body: bytes,
    status: int,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    async with http.post(sim.url + DYN, data=body) as answer:
        assert answer.status == status
    assert sim.jobs == []


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"paper_jam": True}, "paper jam"),
        ({"door_open": True}, "door open"),
        ({"out_of_paper": True}, "out of paper"),
        ({"power_save": True}, "in power save"),
    ],
)
async def test_ledm_refuses_while_it_cannot_print(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    condition: dict[str, bool],
    reason: str,
) -> None:
    sim = await simulated_printer("officejet-pro-9022e")
    sim.set_state(**condition)
    async with http.post(sim.url + DYN, data=internal_print("cleaningPage")) as answer:
        assert (answer.status, await answer.text()) == (503, reason)
    assert sim.jobs == []


async def test_cdm_report_and_calibration(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    sim = await simulated_printer("smart-tank-580")
    sim.set_state(page_seconds=30)
    async with http.patch(sim.url + PRINT, data=report("eventLog")) as answer:
        assert answer.status == 204
    # Busy with that report: the next write is a conflict, as measured.
    async with http.patch(sim.url + PRINT, data=report("eventLog")) as answer:
        assert answer.status == 409
    calibration = {
        "calibrationType": "penAlignSemiauto",
        "operationType": "calibration",
    }
    async with http.patch(sim.url + ALIGN, json=calibration) as answer:
        assert answer.status == 409
    await sim.reset()
    async with http.patch(sim.url + ALIGN, json=calibration) as answer:
        assert answer.status == 204
    assert [(job.name, job.attributes["kind"]) for job in sim.jobs] == [
        ("penAlignSemiauto", "calibration")
    ]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (PRINT, report("eventLog", version="2.0.0"), 400),
        (PRINT, report("systemReset"), 400),
        (PRINT, b'{"state": "idle", "reportId": "eventLog", "version": "1.0.0"}', 400),
        (PRINT, b"not json", 400),
        (PRINT, b"[1]", 400),
        ("/cdm/calibration/v1/calibration/colorCal", b"{}", 404),
        (ALIGN, b'{"calibrationType": "penAlignSemiauto"}', 400),
        (ALIGN, b'{"calibrationType": "x", "operationType": "calibration"}', 400),
    ],
)
async def test_cdm_refuses_what_it_does_not_take(
    simulated_printer: PrinterFactory,
    http: aiohttp.ClientSession,
    path: str,
    body: bytes,
    status: int,
) -> None:
    sim = await simulated_printer("smart-tank-580")
    async with http.patch(sim.url + path, data=body) as answer:
        assert answer.status == status
    assert sim.jobs == []


async def test_printers_without_the_interface_answer_404(
    simulated_printer: PrinterFactory, http: aiohttp.ClientSession
) -> None:
    laser = await simulated_printer("color-laserjet-pro-m255dw")
    tank = await simulated_printer("smart-tank-580")
    async with http.post(laser.url + DYN, data=internal_print("x")) as answer:
        assert answer.status == 404
    for method in ("GET", "PATCH"):
        async with http.request(method, laser.url + PRINT, data=b"{}") as answer:
            assert answer.status == 404
    async with http.patch(laser.url + ALIGN, data=b"{}") as answer:
        assert answer.status == 404
    async with http.post(tank.url + DYN, data=internal_print("x")) as answer:
        assert answer.status == 404
