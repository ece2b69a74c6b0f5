"""Pull printing: held jobs are kept, listed, survive restarts, are released, expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import os
from shutil import _ntuple_diskusage
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.hp_ews.client import HPPrinter
from custom_components.hp_ews.const import CONF_HELD_QUOTA_GIB, DOMAIN
from custom_components.hp_ews.coordinator import printer_unique_id
from custom_components.hp_ews.hold import GIB, MIB

from .print_helpers import (
    Folders,
    WebServer,
    device_id,
    entity_id,
    folders_fixture,  # noqa: F401
    web_server_fixture,  # noqa: F401
    write_pdf,
)

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled", "folders")
ON_LASERJET = pytest.mark.parametrize(
    "simulated_entry", ["color-laserjet-pro-m255dw"], indirect=True
)

STORAGE_KEY = "hp_ews.held_jobs"

type Printer = tuple[SimulatedPrinter, MockConfigEntry]


async def _call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = True
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def _held_count(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    state = hass.states.get(entity_id(hass, entry, "sensor", "held_jobs"))
    assert state is not None
    return state.state


def _held_files(folders: Folders) -> list[str]:
    return (
        sorted(p.name for p in folders.held.iterdir()) if folders.held.exists() else []
    )


@ON_LASERJET
async def test_hold_list_release(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    hass_storage: dict[str, Any],
) -> None:
    """A held job waits in Home Assistant; releasing it prints it with its options."""
    sim, entry = simulated_entry
    printer = device_id(hass, entry)
    document = write_pdf(folders.allowed / "payslip.pdf")
    assert _held_count(hass, entry) == "0"

    held = await _call(
        hass,
        "print",
        {
            "device_id": printer,
            "file": str(folders.allowed / "payslip.pdf"),
            "hold": True,
            "copies": 2,
            "sides": "two-sided-long-edge",
        },
    )

    job_id = held["held_job_id"]
    assert job_id.startswith("held-")
    assert held["name"] == "payslip.pdf"
    assert held["document_format"] == "application/pdf"
    assert held["size"] == len(document)
    expires = dt_util.parse_datetime(held["expires"])
    created = dt_util.parse_datetime(held["created"])
    assert expires is not None
    assert created is not None
    assert expires - created == timedelta(hours=24)
    assert sim.jobs == []
    assert _held_count(hass, entry) == "1"
    assert (folders.held / job_id).read_bytes() == document
    stored = hass_storage[STORAGE_KEY]["data"]["jobs"]
    assert [job["job_id"] for job in stored] == [job_id]

    listed = await _call(hass, "list_jobs", {})
    assert listed == {"jobs": [held]}
    assert held["device_id"] == printer
    assert held["printer"] == entry.title
    assert held["options"] == {
        "copies": 2,
        "sides": "two-sided-long-edge",
        "job_name": "payslip.pdf",
    }

    released = await _call(hass, "release_job", {"job_id": job_id})

    (job,) = sim.jobs
    assert released["jobs"][0]["held_job_id"] == job_id
    assert released["jobs"][0]["job_id"] == job.id
    assert job.document() == document
    assert job.attributes["copies"] == 2
    assert job.attributes["sides"] == "two-sided-long-edge"
    assert job.attributes["job-name"] == "payslip.pdf"
    assert _held_count(hass, entry) == "0"
    assert await _call(hass, "list_jobs", {"device_id": printer}) == {"jobs": []}
    assert _held_files(folders) == []
    assert hass_storage[STORAGE_KEY]["data"]["jobs"] == []
    await hass.async_block_till_done(wait_background_tasks=True)


@ON_LASERJET
async def test_hold_a_download(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """A download is written to disk as it arrives, then released by printer."""
    sim, entry = simulated_entry
    printer = device_id(hass, entry)
    document = write_pdf(folders.outside / "ticket.pdf")
    url = web_server.serve("/ticket.pdf", document, chunked=True)
    data = {"device_id": printer, "url": url, "hold": True}
    # Written in batches of 512 bytes here, of 1 MiB for real.
    with patch("custom_components.hp_ews.hold.WRITE_BATCH", 512):
        first = await _call(hass, "print", data)
        second = await _call(hass, "print", data)
    assert _held_count(hass, entry) == "2"

    released = await _call(hass, "release_job", {"device_id": printer})

    assert [job["held_job_id"] for job in released["jobs"]] == [
        first["held_job_id"],
        second["held_job_id"],
    ]
    assert [job.document() for job in sim.jobs] == [document, document]
    assert _held_count(hass, entry) == "0"
    await hass.async_block_till_done(wait_background_tasks=True)


@ON_LASERJET
async def test_hold_refusals(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """Unknown formats, too many jobs, broken downloads: nothing is kept."""
    _, entry = simulated_entry
    printer = device_id(hass, entry)
    archive = folders.allowed / "archive.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass, "print", {"device_id": printer, "file": str(archive), "hold": True}
        )
    assert caught.value.translation_key == "unsupported_format"

    document = write_pdf(folders.outside / "big.pdf")
    url = web_server.serve("/big.pdf", document, chunked=True)
    with (
        patch("custom_components.hp_ews.sources.MAX_DOCUMENT_BYTES", 1000),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _call(hass, "print", {"device_id": printer, "url": url, "hold": True})
    assert caught.value.translation_key == "document_too_large"

    write_pdf(folders.allowed / "a.pdf")
    data = {"device_id": printer, "file": str(folders.allowed / "a.pdf"), "hold": True}
    with patch("custom_components.hp_ews.hold.MAX_HELD_JOBS", 1):
        await _call(hass, "print", data)
        with pytest.raises(ServiceValidationError) as caught:
            await _call(hass, "print", data)
    assert caught.value.translation_key == "too_many_held_jobs"
    assert len(_held_files(folders)) == 1
    assert _held_count(hass, entry) == "1"


@pytest.mark.parametrize("simulated_entry", ["envy-4520"], indirect=True)
async def test_hold_what_the_printer_cannot_take(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """PostScript for an inkjet without it is refused now, not at release."""
    _, entry = simulated_entry
    postscript = folders.allowed / "old.ps"
    postscript.write_bytes(b"%!PS-Adobe-3.0\nshowpage\n")
    data = {"device_id": device_id(hass, entry), "file": str(postscript), "hold": True}
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "print", data)
    assert caught.value.translation_key == "unsupported_format"
    assert caught.value.translation_placeholders == {"format": "application/postscript"}
    assert _held_files(folders) == []
    assert _held_count(hass, entry) == "0"


@ON_LASERJET
async def test_release_errors(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A failed release keeps the job; unknown ids and missing targets are refused."""
    sim, entry = simulated_entry
    printer = device_id(hass, entry)
    write_pdf(folders.allowed / "a.pdf")
    held = await _call(
        hass,
        "print",
        {"device_id": printer, "file": str(folders.allowed / "a.pdf"), "hold": True},
    )
    job_id = held["held_job_id"]

    await sim.set_fault("refuse_connections")
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "release_job", {"job_id": job_id})
    assert caught.value.translation_key == "print_cannot_connect"
    assert _held_count(hass, entry) == "1"
    await sim.clear_faults()

    for data, key in (
        ({}, "release_target"),
        ({"job_id": "held-00000000"}, "held_job_not_found"),
        ({"job_id": "42"}, "held_job_not_found"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await _call(hass, "release_job", data)
        assert caught.value.translation_key == key

    # The document went missing behind Home Assistant's back: the job goes too.
    (folders.held / job_id).unlink()
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "release_job", {"job_id": job_id, "device_id": printer})
    assert caught.value.translation_key == "document_error"
    assert _held_count(hass, entry) == "0"
    assert sim.jobs == []


@ON_LASERJET
async def test_cancel_deletes_a_held_job(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """cancel_job with a held job's id deletes it without printing."""
    sim, entry = simulated_entry
    printer = device_id(hass, entry)
    write_pdf(folders.allowed / "a.pdf")
    held = await _call(
        hass,
        "print",
        {"device_id": printer, "file": str(folders.allowed / "a.pdf"), "hold": True},
    )
    await _call(
        hass,
        "cancel_job",
        {"device_id": printer, "job_id": held["held_job_id"]},
        response=False,
    )
    assert _held_count(hass, entry) == "0"
    assert _held_files(folders) == []
    assert sim.jobs == []


@ON_LASERJET
async def test_removing_the_printer_deletes_its_held_jobs(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Held jobs of a printer that is removed have nowhere to go."""
    _, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    await _call(
        hass,
        "print",
        {
            "device_id": device_id(hass, entry),
            "file": str(folders.allowed / "a.pdf"),
            "hold": True,
        },
    )
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert await _call(hass, "list_jobs", {}) == {"jobs": []}
    assert _held_files(folders) == []


@ON_LASERJET
async def test_held_jobs_expire(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A held job is deleted when its hold time (an option) is up."""
    _, entry = simulated_entry
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "hold_hours": 2}
    )
    printer = device_id(hass, entry)
    write_pdf(folders.allowed / "a.pdf")
    data = {"device_id": printer, "file": str(folders.allowed / "a.pdf"), "hold": True}
    first = await _call(hass, "print", data)
    freezer.tick(timedelta(hours=1))
    second = await _call(hass, "print", data)
    assert _held_count(hass, entry) == "2"

    freezer.tick(timedelta(hours=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    listed = await _call(hass, "list_jobs", {})
    assert [job["held_job_id"] for job in listed["jobs"]] == [second["held_job_id"]]
    assert _held_files(folders) == [second["held_job_id"]]
    assert _held_count(hass, entry) == "1"
    assert first["held_job_id"] not in _held_files(folders)

    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _held_count(hass, entry) == "0"
    assert _held_files(folders) == []


def _stored(job_id: str, entry_id: str, expires: str, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "entry_id": entry_id,
        "name": "Boarding pass",
        "document_format": "application/pdf",
        "size": 0,
        "created": "2025-01-01T00:00:00+00:00",
        "expires": expires,
        "options": {"job_name": "Boarding pass", "copies": 1},
        **extra,
    }


async def test_held_jobs_survive_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulated_printer: Any,
    folders: Folders,
) -> None:
    """Held jobs saved by the last run are there after a start; junk is cleaned up."""
    sim = await simulated_printer("color-laserjet-pro-m255dw")
    # The printer as the last run configured it.
    scheme = "https" if sim.https else "http"
    client = HPPrinter(
        "127.0.0.1", async_get_clientsession(hass), port=sim.port, scheme=scheme
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Office printer",
        unique_id=printer_unique_id((await client.snapshot()).info),
        data={CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_SSL: sim.https},
    )
    future = (dt_util.utcnow() + timedelta(hours=5)).isoformat()
    past = (dt_util.utcnow() - timedelta(minutes=1)).isoformat()
    folders.held.mkdir(parents=True)
    document = write_pdf(folders.outside / "pass.pdf")
    (folders.held / "held-aaaa0001").write_bytes(document)
    (folders.held / "held-bbbb0002").write_bytes(b"expired while stopped")
    (folders.held / "held-cccc0003.part").write_bytes(b"interrupted write")
    (folders.held / "held-ffff0006").write_bytes(b"no record")
    (folders.held / "held-abab0007").write_bytes(document)
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {
            "jobs": [
                _stored("held-aaaa0001", entry.entry_id, future, size=len(document)),
                _stored("held-bbbb0002", entry.entry_id, past),
                _stored("held-dddd0004", entry.entry_id, future),  # file is gone
                _stored("held-abab0007", "REMOVED", future),  # printer is gone
                _stored("../../etc/passwd", entry.entry_id, future),  # not an id
                {"job_id": "held-eeee0005"},  # unreadable
            ]
        },
    }

    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert _held_files(folders) == ["held-aaaa0001", "held-abab0007"]
    saved = hass_storage[STORAGE_KEY]["data"]["jobs"]
    assert [job["job_id"] for job in saved] == ["held-aaaa0001", "held-abab0007"]
    # A job for a printer that is no longer configured cannot be released.
    everything = await _call(hass, "list_jobs", {})
    orphan = everything["jobs"][1]
    assert (orphan["held_job_id"], orphan["device_id"], orphan["printer"]) == (
        "held-abab0007",
        None,
        None,
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "release_job", {"job_id": "held-abab0007"})
    assert caught.value.translation_key == "held_job_not_found"
    assert _held_count(hass, entry) == "1"
    listed = await _call(hass, "list_jobs", {"device_id": device_id(hass, entry)})
    assert [job["held_job_id"] for job in listed["jobs"]] == ["held-aaaa0001"]
    assert listed["jobs"][0]["printer"] == "Office printer"

    await _call(hass, "release_job", {"device_id": device_id(hass, entry)})

    (job,) = sim.jobs
    assert job.document() == document
    assert job.attributes["job-name"] == "Boarding pass"
    assert _held_count(hass, entry) == "0"
    assert _held_files(folders) == ["held-abab0007"]
    await hass.async_block_till_done(wait_background_tasks=True)


@ON_LASERJET
async def test_concurrent_release_prints_once(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Two releases of one job at the same time print it once."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    held = await _call(
        hass,
        "print",
        {
            "device_id": device_id(hass, entry),
            "file": str(folders.allowed / "a.pdf"),
            "hold": True,
        },
    )
    results = await asyncio.gather(
        _call(hass, "release_job", {"job_id": held["held_job_id"]}),
        _call(hass, "release_job", {"job_id": held["held_job_id"]}),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, ServiceValidationError)]
    assert len(errors) == 1
    assert errors[0].translation_key == "held_job_not_found"
    assert len(sim.jobs) == 1
    await hass.async_block_till_done(wait_background_tasks=True)


@ON_LASERJET
async def test_broken_downloads_are_not_held(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """A download that stalls or breaks off leaves nothing behind."""
    _, entry = simulated_entry
    printer = device_id(hass, entry)
    resume = asyncio.Event()

    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"%PDF-1.7\n")
        await resume.wait()
        return response

    async def break_off(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = 10_000
        await response.prepare(request)
        await response.write(b"%PDF-1.7\n")
        assert request.transport is not None
        request.transport.close()
        return response

    web_server.routes["/stall.pdf"] = stall
    web_server.routes["/break.pdf"] = break_off
    for path, exception, key in (
        ("/stall.pdf", ServiceValidationError, "url_timeout"),
        ("/break.pdf", HomeAssistantError, "url_failed"),
    ):
        with (
            patch("custom_components.hp_ews.sources.URL_READ_TIMEOUT", 0.2),
            pytest.raises(exception) as caught,
        ):
            await _call(
                hass,
                "print",
                {"device_id": printer, "url": web_server.url + path, "hold": True},
            )
        assert caught.value.translation_key == key
    resume.set()
    assert _held_files(folders) == []
    assert _held_count(hass, entry) == "0"


@ON_LASERJET
async def test_hold_checks_the_size_it_copied(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A file that grew past the limit after the check is not kept."""
    _, entry = simulated_entry
    document = write_pdf(folders.allowed / "a.pdf")
    with (
        patch("custom_components.hp_ews.hold.MAX_DOCUMENT_BYTES", len(document) - 1),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _call(
            hass,
            "print",
            {
                "device_id": device_id(hass, entry),
                "file": str(folders.allowed / "a.pdf"),
                "hold": True,
            },
        )
    assert caught.value.translation_key == "document_too_large"
    assert _held_files(folders) == []


def _pdf(path: Any, size: int) -> bytes:
    """``size`` bytes that sniff as a PDF (holding only sniffs)."""
    data = b"%PDF-1.4\n" + b"%" * (size - 9)
    path.write_bytes(data)
    return data


async def _second_printer(
    hass: HomeAssistant, simulated_printer: Any, profile: str
) -> MockConfigEntry:
    sim = await simulated_printer(profile)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.url, "advanced": {}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry: MockConfigEntry = result["result"]
    return entry


def _set_quota(hass: HomeAssistant, entry: MockConfigEntry, units: int) -> None:
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_HELD_QUOTA_GIB: units}
    )


@ON_LASERJET
async def test_quota_counts_the_held_jobs_of_every_printer(
    hass: HomeAssistant,
    simulated_entry: Printer,
    simulated_printer: Any,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """A printer's quota is checked against what all printers hold, while writing."""
    _, laserjet = simulated_entry
    officejet = await _second_printer(hass, simulated_printer, "officejet-pro-9022e")
    _pdf(folders.allowed / "600.pdf", 600)
    # A "GiB" of 1000 bytes here: the option's unit, not the arithmetic, shrinks.
    with patch("custom_components.hp_ews.jobs.GIB", 1000):
        _set_quota(hass, laserjet, 10)
        _set_quota(hass, officejet, 1)
        file_for = {
            entry.entry_id: {
                "device_id": device_id(hass, entry),
                "file": str(folders.allowed / "600.pdf"),
                "hold": True,
            }
            for entry in (laserjet, officejet)
        }
        await _call(hass, "print", file_for[laserjet.entry_id])
        # 600 held by the other printer + 600 > 1000
        with pytest.raises(ServiceValidationError) as caught:
            await _call(hass, "print", file_for[officejet.entry_id])
        assert caught.value.translation_key == "held_quota_exceeded"
        await _call(hass, "print", file_for[laserjet.entry_id])  # 1200 <= 10000

        # A download of unknown size stops as soon as it would go over.
        _set_quota(hass, officejet, 3)
        big = _pdf(folders.outside / "big.pdf", 2500)
        url = web_server.serve("/big.pdf", big, chunked=True)
        download = {"device_id": device_id(hass, officejet), "url": url, "hold": True}
        with (
            patch("custom_components.hp_ews.hold.WRITE_BATCH", 512),
            pytest.raises(ServiceValidationError) as caught,
        ):
            await _call(hass, "print", download)
        assert caught.value.translation_key == "held_quota_exceeded"
    assert len(_held_files(folders)) == 2
    assert _held_count(hass, laserjet) == "2"
    assert _held_count(hass, officejet) == "0"
    # Outside the patch the option counts real GiB: 3 GiB takes it easily.
    assert await _call(hass, "print", download)
    assert _held_count(hass, officejet) == "1"
    await hass.async_block_till_done(wait_background_tasks=True)


def _usage(free: int) -> _ntuple_diskusage:
    total = 10 * GIB
    return _ntuple_diskusage(total, total - free, free)


@ON_LASERJET
async def test_held_documents_leave_disk_space_free(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """At least 5 % of the disk (256 MiB at least) stays free: checked before writing."""
    _, entry = simulated_entry
    printer = device_id(hass, entry)
    _pdf(folders.allowed / "600.pdf", 600)
    data = {
        "device_id": printer,
        "file": str(folders.allowed / "600.pdf"),
        "hold": True,
    }
    reserve = 512 * MIB  # 5 % of 10 GiB
    with patch(
        "custom_components.hp_ews.hold.disk_usage", return_value=_usage(reserve - 1)
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await _call(hass, "print", data)
        assert caught.value.translation_key == "held_no_space"
        assert caught.value.translation_placeholders == {"reserve": "512 MiB"}
    assert _held_files(folders) == []

    big = _pdf(folders.outside / "big.pdf", 2500)
    url = web_server.serve("/big.pdf", big, chunked=True)
    download = {"device_id": printer, "url": url, "hold": True}
    with patch(
        "custom_components.hp_ews.hold.disk_usage", return_value=_usage(reserve + 1000)
    ):
        await _call(hass, "print", data)  # 600 bytes fit in the 1000 left
        with (
            patch("custom_components.hp_ews.hold.WRITE_BATCH", 512),
            pytest.raises(ServiceValidationError) as caught,
        ):
            await _call(hass, "print", download)  # 2500 do not: stopped while writing
        assert caught.value.translation_key == "held_no_space"
    assert len(_held_files(folders)) == 1
    # A small disk keeps 256 MiB free rather than 5 %.
    with patch(
        "custom_components.hp_ews.hold.disk_usage",
        return_value=_ntuple_diskusage(GIB, GIB - 300 * MIB, 300 * MIB),
    ):
        await _call(hass, "print", data)
    with patch(
        "custom_components.hp_ews.hold.disk_usage",
        return_value=_ntuple_diskusage(GIB, GIB - 256 * MIB, 256 * MIB),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await _call(hass, "print", data)
        assert caught.value.translation_placeholders == {"reserve": "256 MiB"}
    assert _held_count(hass, entry) == "2"


@ON_LASERJET
async def test_held_file_swapped_for_a_link_after_the_check(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """The file is opened by the path that was checked, following no link."""
    _, entry = simulated_entry
    _pdf(folders.outside / "secret.pdf", 1000)
    target = folders.allowed / "doc.pdf"
    _pdf(target, 600)
    original = hass.config.is_allowed_path

    def is_allowed_path(path: str) -> bool:
        allowed = original(path)
        # Swapped after the check, before the open.
        target.unlink()
        os.symlink(folders.outside / "secret.pdf", target)
        return allowed

    with (
        patch.object(hass.config, "is_allowed_path", is_allowed_path),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _call(
            hass,
            "print",
            {"device_id": device_id(hass, entry), "file": str(target), "hold": True},
        )
    assert caught.value.translation_key == "path_not_allowed"
    assert _held_files(folders) == []
