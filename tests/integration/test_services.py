"""The print and cancel_job actions against simulated printers on loopback."""

from __future__ import annotations

import asyncio
import io
import os
import struct
from typing import TYPE_CHECKING, Any
from unittest.mock import patch
import zlib

import aiohttp
from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.hp_ews.client import HPEWSIPPError, HPEWSUnsupportedError
from custom_components.hp_ews.client.printing import convert, options, submit
from custom_components.hp_ews.client.printing.render import pdf
from custom_components.hp_ews.const import DOMAIN

from .print_helpers import (
    PAGES,
    Folders,
    WebServer,
    device_id,
    entity_id,
    folders_fixture,  # noqa: F401
    web_server_fixture,  # noqa: F401
    write_pdf,
)

if TYPE_CHECKING:
    from collections.abc import Generator
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled", "folders")

LASERJET = "color-laserjet-pro-m255dw"
ENVY = "envy-4520"

type Printer = tuple[SimulatedPrinter, MockConfigEntry]


@pytest.fixture(autouse=True)
def quick_busy_retry() -> Generator[None]:
    """Retry a busy printer after 10 ms instead of a second."""
    with patch.object(submit, "BUSY_FIRST_DELAY", 0.01):
        yield


async def _print(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "print",
        {"device_id": device_id(hass, entry), **data},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_pdf_is_sent_as_is(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A printer that takes PDF gets the file byte for byte, and the event fires."""
    sim, entry = simulated_entry
    document = write_pdf(folders.allowed / "bars.pdf")

    response = await _print(
        hass, entry, file=str(folders.allowed / "bars.pdf"), wait=True, copies=2
    )

    (job,) = sim.jobs
    assert response == {
        "job_id": job.id,
        "job_name": "bars.pdf",
        "document_format": "application/pdf",
        "converted": False,
        "state": "completed",
        "pages": PAGES * 2,
    }
    assert job.document() == document
    assert job.document_format == "application/pdf"
    assert job.attributes["copies"] == 2
    assert job.attributes["job-name"] == "bars.pdf"
    state = hass.states.get(entity_id(hass, entry, "event", "print_job"))
    assert state is not None
    assert state.attributes["event_type"] == "completed"
    assert state.attributes["job_id"] == job.id
    assert state.attributes["name"] == "bars.pdf"
    assert state.attributes["pages"] == PAGES * 2


@pytest.mark.parametrize("simulated_entry", [ENVY], indirect=True)
async def test_pdf_is_rasterised_for_an_inkjet(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """The ENVY 4520 takes no PDF: it gets PWG raster, one page per PDF page."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "bars.pdf")

    response = await _print(
        hass,
        entry,
        file=str(folders.allowed / "bars.pdf"),
        media="A4",
        job_name="Agenda",
        wait=True,
    )

    (job,) = sim.jobs
    assert response["document_format"] == "image/pwg-raster"
    assert response["converted"] is True
    assert response["pages"] == PAGES
    assert response["state"] == "completed"
    assert job.detected_format == "image/pwg-raster"
    assert job.pages == PAGES
    assert job.attributes["media"] == "iso_a4_210x297mm"
    assert job.attributes["job-name"] == "Agenda"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
@pytest.mark.parametrize("chunked", [False, True])
async def test_print_from_url(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
    chunked: bool,
) -> None:
    """A download is streamed to the printer, with or without a length."""
    sim, entry = simulated_entry
    document = write_pdf(folders.outside / "label.pdf")
    url = web_server.serve("/files/label.pdf", document, chunked=chunked)

    response = await _print(hass, entry, url=url + "?token=secret", wait=True)

    (job,) = sim.jobs
    assert response["job_id"] == job.id
    assert response["job_name"] == "label.pdf"
    assert job.document() == document
    assert web_server.requests == ["/files/label.pdf?token=secret"]


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_url_errors(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """A missing document, and one larger than the limit, print nothing."""
    sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, url=web_server.url + "/missing.pdf?token=secret")
    assert caught.value.translation_key == "url_status"
    assert caught.value.translation_placeholders == {
        "url": web_server.url + "/missing.pdf",
        "status": "404",
    }

    document = write_pdf(folders.outside / "big.pdf")
    declared = web_server.serve("/declared.pdf", document)
    streamed = web_server.serve("/streamed.pdf", document, chunked=True)
    with patch(
        "custom_components.hp_ews.sources.MAX_DOCUMENT_BYTES", len(document) - 1
    ):
        for url in (declared, streamed):
            with pytest.raises(ServiceValidationError) as caught:
                await _print(hass, entry, url=url)
            assert caught.value.translation_key == "document_too_large"
    assert all(job.document() != document for job in sim.jobs)

    # Nothing listens on the port of a stopped server.
    with pytest.raises(HomeAssistantError) as caught:
        await _print(hass, entry, url="http://127.0.0.1:1/document.pdf")
    assert caught.value.translation_key == "url_failed"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_url_time_limit(
    hass: HomeAssistant, simulated_entry: Printer, web_server: WebServer
) -> None:
    """A download that does not finish in time is given up."""
    _, entry = simulated_entry
    resume = asyncio.Event()

    async def slow(request: Any) -> Any:
        await resume.wait()
        raise web.HTTPNotFound

    web_server.routes["/slow.pdf"] = slow
    with (
        patch("custom_components.hp_ews.sources.URL_TIMEOUT", 0.2),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _print(hass, entry, url=web_server.url + "/slow.pdf")
    resume.set()
    assert caught.value.translation_key == "url_timeout"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_file_errors(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Paths outside the allowlist, missing files, formats nobody can print."""
    sim, entry = simulated_entry
    write_pdf(folders.outside / "secret.pdf")
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(folders.outside / "secret.pdf"))
    assert caught.value.translation_key == "path_not_allowed"
    # The message comes from the translations, placeholders filled in.
    assert str(caught.value) == (
        f"Home Assistant may not read {folders.outside / 'secret.pdf'}. "
        "Add its folder to allowlist_external_dirs"
    )

    # A link inside the allowed folder does not get out of it.
    os.symlink(folders.outside / "secret.pdf", folders.allowed / "link.pdf")
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(folders.allowed / "link.pdf"))
    assert caught.value.translation_key == "path_not_allowed"

    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(folders.allowed / "missing.pdf"))
    assert caught.value.translation_key == "file_not_found"

    archive = folders.allowed / "archive.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(archive))
    assert caught.value.translation_key == "unsupported_format"

    with (
        patch("custom_components.hp_ews.sources.MAX_DOCUMENT_BYTES", 100),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _print(hass, entry, file=str(archive))
    assert caught.value.translation_key == "document_too_large"
    assert sim.jobs == []


@pytest.mark.parametrize("simulated_entry", [ENVY], indirect=True)
async def test_corrupt_pdf_for_conversion(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A PDF that cannot be rendered is the user's error, before any job."""
    sim, entry = simulated_entry
    corrupt = folders.allowed / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(corrupt))
    assert caught.value.translation_key == "document_error"
    assert sim.jobs == []


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "one_source"),
        ({"file": "/a.pdf", "url": "http://127.0.0.1/a.pdf"}, "one_source"),
        ({"file": "a.pdf", "page_ranges": "1-x"}, "invalid_option"),
        ({"file": "a.pdf", "media": "napkin"}, "invalid_option"),
        ({"file": "a.pdf", "page_ranges": "3-1"}, "invalid_option"),
    ],
)
async def test_invalid_requests(
    hass: HomeAssistant,
    simulated_entry: Printer,
    data: dict[str, Any],
    key: str,
) -> None:
    """Sources and options are checked before anything is read."""
    sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, **data)
    assert caught.value.translation_key == key
    assert sim.jobs == []


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_target_must_be_a_loaded_printer(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Another integration's device, an unknown one, or an unloaded printer."""
    _, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    stranger = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    for device in (stranger.id, "no-such-device"):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(
                DOMAIN,
                "print",
                {"device_id": device, "file": str(folders.allowed / "a.pdf")},
                blocking=True,
            )
        assert caught.value.translation_key == "device_not_found"

    printer = device_id(hass, entry)
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "print",
            {"device_id": printer, "file": str(folders.allowed / "a.pdf")},
            blocking=True,
        )
    assert caught.value.translation_key == "not_loaded"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_busy_printer_is_retried(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """``server-error-busy`` once: the job goes through on the next attempt."""
    sim, entry = simulated_entry
    document = write_pdf(folders.allowed / "a.pdf")
    await sim.set_fault("ipp_busy", count=1)
    response = await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    (job,) = sim.jobs
    assert response["job_id"] == job.id
    assert job.document() == document

    await sim.set_fault("ipp_busy")
    with (
        patch.object(submit, "BUSY_RETRIES", 1),
        pytest.raises(HomeAssistantError) as caught,
    ):
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "printer_busy"


async def test_printer_refuses_the_job(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    folders: Folders,
) -> None:
    """An IPP error other than busy is the printer's refusal, with its reason."""
    mock_printer.print_document.side_effect = HPEWSIPPError(
        "Print-Job failed: client-error-not-possible", 0x0404
    )
    write_pdf(folders.allowed / "a.pdf")
    with pytest.raises(HomeAssistantError) as caught:
        await _print(hass, init_integration, file=str(folders.allowed / "a.pdf"))
    assert not isinstance(caught.value, ServiceValidationError)
    assert caught.value.translation_key == "print_rejected"
    assert caught.value.translation_placeholders == {
        "printer": init_integration.title,
        "error": "Print-Job failed: client-error-not-possible",
    }


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_offline_printer(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A printer that refuses connections is a translated error."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    await sim.set_fault("refuse_connections")
    with pytest.raises(HomeAssistantError) as caught:
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert not isinstance(caught.value, ServiceValidationError)
    assert caught.value.translation_key == "print_cannot_connect"
    assert caught.value.translation_placeholders["printer"] == entry.title


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_credentials_required(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A printer that starts asking for credentials starts reauthentication."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    await sim.set_fault("auth")
    with pytest.raises(HomeAssistantError) as caught:
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "print_auth_failed"
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1
    assert flows[0]["context"]["entry_id"] == entry.entry_id
    assert sim.jobs == []


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_cancel_job(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A job followed in the background is cancelled; the event says so."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    sim.state.page_seconds = 60
    response = await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert response["state"] in ("pending", "processing")
    job_id = response["job_id"]

    await hass.services.async_call(
        DOMAIN,
        "cancel_job",
        {"device_id": device_id(hass, entry), "job_id": str(job_id)},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    (job,) = sim.jobs
    assert job.state.keyword == "canceled"
    state = hass.states.get(entity_id(hass, entry, "event", "print_job"))
    assert state is not None
    assert state.attributes["event_type"] == "canceled"
    assert state.attributes["job_id"] == job_id

    # It has ended: the printer refuses to cancel it again.
    for unknown in (str(job_id), "999", "2147483647", "held-00000000"):
        with pytest.raises(ServiceValidationError) as caught:
            await hass.services.async_call(
                DOMAIN,
                "cancel_job",
                {"device_id": device_id(hass, entry), "job_id": unknown},
                blocking=True,
            )
        assert caught.value.translation_key in ("cannot_cancel", "held_job_not_found")

    await sim.set_fault("refuse_connections")
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "cancel_job",
            {"device_id": device_id(hass, entry), "job_id": "1"},
            blocking=True,
        )
    assert caught.value.translation_key == "print_cannot_connect"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_print_media_source(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """A media item from My media is read from its folder, not over HTTP."""
    sim, entry = simulated_entry
    media = folders.config / "media"
    media.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    assert await async_setup_component(hass, "media_source", {})
    document = write_pdf(media / "scan.pdf")

    response = await _print(
        hass, entry, media_content_id="media-source://media_source/local/scan.pdf"
    )
    # As the media selector of the action form gives it.
    await _print(
        hass,
        entry,
        media_content_id={
            "media_content_id": "media-source://media_source/local/scan.pdf",
            "media_content_type": "application/pdf",
        },
    )

    first, second = sim.jobs
    assert response["job_id"] == first.id
    assert first.document() == second.document() == document
    for bad in (
        "media-source://media_source/local/../secret.pdf",
        "media-source://media_source/nowhere/scan.pdf",
        "not a media id",
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await _print(hass, entry, media_content_id=bad)
        assert caught.value.translation_key == "media_not_resolved"
    with pytest.raises(ServiceValidationError) as caught:
        await _print(
            hass, entry, media_content_id="media-source://media_source/local/gone.pdf"
        )
    assert caught.value.translation_key == "file_not_found"
    with (
        patch("custom_components.hp_ews.sources.MAX_DOCUMENT_BYTES", 100),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _print(
            hass, entry, media_content_id="media-source://media_source/local/scan.pdf"
        )
    assert caught.value.translation_key == "document_too_large"
    assert len(sim.jobs) == 2


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_print_uploaded_image(
    hass: HomeAssistant,
    simulated_entry: Printer,
    hass_client: ClientSessionGenerator,
) -> None:
    """An image uploaded through the media picker is fetched with a signed URL."""
    sim, entry = simulated_entry
    assert await async_setup_component(hass, "image_upload", {})
    assert await async_setup_component(hass, "media_source", {})
    client = await hass_client()
    photo = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 100, 50)).save(photo, "JPEG")
    form = aiohttp.FormData()
    form.add_field(
        "file", photo.getvalue(), filename="photo.jpg", content_type="image/jpeg"
    )
    answer = await client.post("/api/image/upload", data=form)
    assert answer.status == 200
    image_id = (await answer.json())["id"]
    await hass.config.async_update(internal_url=str(client.make_url("/")).rstrip("/"))

    await _print(
        hass, entry, media_content_id=f"media-source://image_upload/{image_id}"
    )

    (job,) = sim.jobs
    assert job.detected_format == "image/jpeg"
    assert job.document() == photo.getvalue()


async def test_printer_without_ipp(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_printer: MagicMock,
    folders: Folders,
) -> None:
    """A printer without an IPP service cannot print, but jobs can still be held."""
    # As HPPrinter answers for a profile without an IPP URL (and no raw PDLs).
    mock_printer.print_document.side_effect = HPEWSUnsupportedError(
        "The printer does not speak IPP"
    )
    write_pdf(folders.allowed / "a.pdf")
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, init_integration, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "printing_not_supported"

    # What the printer takes is unknown: the job is held, to be tried at release.
    held = await _print(
        hass, init_integration, file=str(folders.allowed / "a.pdf"), hold=True
    )
    assert held["document_format"] == "application/pdf"
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "release_job",
            {"job_id": held["held_job_id"]},
            blocking=True,
        )
    assert caught.value.translation_key == "printing_not_supported"
    listed = await hass.services.async_call(
        DOMAIN, "list_jobs", {}, blocking=True, return_response=True
    )
    assert listed == {"jobs": [held]}


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
@pytest.mark.parametrize(
    "job_id",
    ["0", "-1", "2147483648", "99999999999999999999", "1e3", "\u0663", "not-a-job", ""],
)
async def test_job_id_is_an_ipp_integer(
    hass: HomeAssistant, simulated_entry: Printer, job_id: str
) -> None:
    """A printer's job id is 1..2**31-1 (RFC 8011): anything else is not asked."""
    sim, entry = simulated_entry
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "cancel_job",
            {"device_id": device_id(hass, entry), "job_id": job_id},
            blocking=True,
        )
    assert sim.jobs == []


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_job_name_is_cut_to_255_octets(
    hass: HomeAssistant,
    simulated_entry: Printer,
    folders: Folders,
    web_server: WebServer,
) -> None:
    """255 octets of UTF-8 (not characters), no character cut in two."""
    sim, entry = simulated_entry
    write_pdf(folders.allowed / "a.pdf")
    response = await _print(
        hass, entry, file=str(folders.allowed / "a.pdf"), job_name="é" * 200
    )
    assert response["job_name"] == "é" * 127  # 254 octets: a 128th would be 256
    # A name taken from the document: a URL's last part, percent-decoded.
    url = web_server.serve("/" + "€" * 100, write_pdf(folders.outside / "b.pdf"))
    response = await _print(hass, entry, url=url)
    assert response["job_name"] == "€" * 85  # exactly 255 octets
    first, second = sim.jobs
    assert first.attributes["job-name"] == "é" * 127
    assert second.attributes["job-name"] == "€" * 85
    assert len(second.attributes["job-name"].encode()) == 255


def header_only_png(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` x ``height`` RGBA pixels, holding one row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff" * 256))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("simulated_entry", [ENVY], indirect=True)
async def test_conversion_limits_are_translated(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Each bound the converter enforces reaches the user as its own message."""
    sim, entry = simulated_entry
    huge = folders.allowed / "huge.png"
    huge.write_bytes(header_only_png(9000, 9000))
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(huge))
    assert caught.value.translation_key == "image_too_large"
    assert str(caught.value) == (
        "The image has too many pixels to print: at most 67 megapixels are converted"
    )

    write_pdf(folders.allowed / "a.pdf")
    with (
        patch.object(options, "MAX_PAGES", 2),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "too_many_pages"
    assert caught.value.translation_placeholders == {"limit": "2"}

    with pytest.raises(ServiceValidationError) as caught:
        await _print(
            hass,
            entry,
            file=str(folders.allowed / "a.pdf"),
            media="custom_1x1m_1000x1000mm",
        )
    assert caught.value.translation_key == "page_too_large"

    def no_memory(*args: object) -> None:
        raise MemoryError

    with (
        patch.object(pdf, "page_count", no_memory),
        pytest.raises(HomeAssistantError) as caught,
    ):
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "document_out_of_memory"
    assert str(caught.value) == "There is not enough memory to convert the document"
    # All of these before a job was created.
    assert sim.jobs == []

    # Time is counted while converting, so it can run out while sending.
    with (
        patch.object(convert, "RENDER_SECONDS", 0.0),
        pytest.raises(ServiceValidationError) as caught,
    ):
        await _print(hass, entry, file=str(folders.allowed / "a.pdf"))
    assert caught.value.translation_key == "conversion_too_slow"
    assert caught.value.translation_placeholders == {"minutes": "1"}


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_file_swapped_for_a_link_after_the_check(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """The path is checked once and that very file is opened: no link is followed."""
    sim, entry = simulated_entry
    secret = write_pdf(folders.outside / "secret.pdf")
    (folders.allowed / "sub").mkdir()
    (folders.outside / "sub").mkdir()
    write_pdf(folders.outside / "sub" / "doc.pdf")
    original = hass.config.is_allowed_path

    def swap(make_link: Any) -> Any:
        def is_allowed_path(path: str) -> bool:
            allowed = original(path)
            make_link()  # after the check, before the open
            return allowed

        return is_allowed_path

    def swap_file() -> None:
        (folders.allowed / "doc.pdf").unlink()
        os.symlink(folders.outside / "secret.pdf", folders.allowed / "doc.pdf")

    def swap_folder() -> None:
        (folders.allowed / "sub").rename(folders.allowed / "old")
        os.symlink(folders.outside / "sub", folders.allowed / "sub")

    def delete_file() -> None:
        (folders.allowed / "gone.pdf").unlink()

    for target, make_link, key in (
        (folders.allowed / "doc.pdf", swap_file, "path_not_allowed"),
        (folders.allowed / "sub" / "doc.pdf", swap_folder, "path_not_allowed"),
        (folders.allowed / "gone.pdf", delete_file, "file_not_found"),
    ):
        write_pdf(target)
        with (
            patch.object(hass.config, "is_allowed_path", swap(make_link)),
            pytest.raises(ServiceValidationError) as caught,
        ):
            await _print(hass, entry, file=str(target))
        assert caught.value.translation_key == key
    assert sim.jobs == []
    assert secret  # never sent


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_fifo_is_not_opened(
    hass: HomeAssistant, simulated_entry: Printer, folders: Folders
) -> None:
    """Opening a FIFO would wait for a writer: refused at once instead."""
    _, entry = simulated_entry
    os.mkfifo(folders.allowed / "pipe.pdf")
    with pytest.raises(ServiceValidationError) as caught:
        await _print(hass, entry, file=str(folders.allowed / "pipe.pdf"))
    assert caught.value.translation_key == "file_not_found"


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_empty_job_name_is_refused(
    hass: HomeAssistant, simulated_entry: Printer
) -> None:
    _, entry = simulated_entry
    with pytest.raises(vol.Invalid):
        await _print(hass, entry, file="a.pdf", job_name="")
