"""The scan action against simulated all-in-ones on loopback."""

from __future__ import annotations

from datetime import datetime
import io
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest

from custom_components.hp_ews.client import (
    HPEWSScanError,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScannerCapabilities,
    ScanSource,
)
from custom_components.hp_ews.const import DOMAIN

from .print_helpers import device_id

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedPrinter

pytestmark = pytest.mark.usefixtures("socket_enabled")

type Printer = tuple[SimulatedPrinter, MockConfigEntry]

OFFICEJET = "officejet-pro-9022e"
"""Glass, a 35-sheet feeder that scans both sides."""
ENVY = "envy-4520"
"""Glass only."""
LASERJET = "color-laserjet-pro-m255dw"
"""No scanner."""

OTHER_JOB = (
    b'<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"'
    b' xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">'
    b"<pwg:InputSource>Platen</pwg:InputSource></scan:ScanSettings>"
)
"""Another client's scan of the glass, which keeps the scanner busy."""

DEFAULT_NAME = re.compile(r"scan_(\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d)\.(pdf|jpg)")


@pytest.fixture(name="media")
async def media_fixture(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A media folder of its own, the one folder Home Assistant may write to.

    In a time zone far from UTC, so local time shows in file names.
    """
    media = tmp_path / "media"
    media.mkdir()
    (tmp_path / "outside").mkdir()
    hass.config.media_dirs = {"local": str(media), "recordings": str(tmp_path)}
    hass.config.allowlist_external_dirs = {str(media)}
    await hass.config.async_set_time_zone("Pacific/Kiritimati")
    return media


async def _scan(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "scan",
        {"device_id": device_id(hass, entry), **data},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden ones too."""
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
    )


def _read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


def _pdf_pages(data: bytes) -> int:
    """Page objects in a PDF (``/Type /Page``, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", data))


# --- what is written ----------------------------------------------------------------


async def test_glass_to_pdf_in_the_media_folder(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Defaults: the glass, color, 300 dpi, a PDF in media/scans named by local time."""
    sim, entry = simulated_entry
    before = dt_util.now().replace(microsecond=0)
    response = await _scan(hass, entry, source="glass")
    after = dt_util.now()

    (path,) = response["files"]
    scans = media / "scans"
    assert Path(path).parent == scans
    match = DEFAULT_NAME.fullmatch(Path(path).name)
    assert match is not None, path
    assert match.group(2) == "pdf"
    named = datetime.strptime(match.group(1), "%Y-%m-%d_%H-%M-%S").replace(
        tzinfo=dt_util.get_default_time_zone()
    )
    # Local time (UTC+14 here), not UTC.
    assert before <= named <= after
    data = _read(path)
    assert data.startswith(b"%PDF-")
    assert _pdf_pages(data) == 1
    assert response == {
        "files": [path],
        "pages": 1,
        "format": "pdf",
        "size": len(data),
        "source": "glass",
    }
    assert _files(scans) == [Path(path).name]
    (job,) = sim.scanner.jobs.values()
    assert job.settings.source == "Platen"
    assert (job.settings.x_dpi, job.settings.y_dpi) == (300, 300)
    assert job.settings.mode == "RGB"


async def test_feeder_to_jpeg(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Each sheet in the feeder is one JPEG file, at the resolution asked for."""
    sim, entry = simulated_entry
    sim.set_state(feeder_sheets=3)
    response = await _scan(
        hass,
        entry,
        source="feeder",
        format="jpeg",
        resolution=150,
        color_mode="grayscale",
        folder=str(media / "letters" / "2026"),
        file_name="invoice",
    )

    folder = media / "letters" / "2026"
    assert response["files"] == [
        str(folder / f"invoice-{page}.jpg") for page in (1, 2, 3)
    ]
    assert response["pages"] == 3
    assert response["format"] == "jpeg"
    assert response["source"] == "feeder"
    size = 0
    for path in response["files"]:
        data = _read(path)
        size += len(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert image.mode == "L"
    assert response["size"] == size
    assert _files(folder) == ["invoice-1.jpg", "invoice-2.jpg", "invoice-3.jpg"]
    assert sim.state.feeder_sheets == 0
    (job,) = sim.scanner.jobs.values()
    assert job.settings.source == "Feeder"
    assert (job.settings.x_dpi, job.settings.y_dpi) == (150, 150)


async def test_duplex_feeder_to_pdf(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Both sides of two sheets: one PDF of four pages."""
    sim, entry = simulated_entry
    sim.set_state(feeder_sheets=2)
    response = await _scan(
        hass, entry, source="feeder", duplex=True, file_name="contract"
    )

    path = media / "scans" / "contract.pdf"
    assert response["files"] == [str(path)]
    assert response["pages"] == 4
    assert _pdf_pages(_read(path)) == 4
    (job,) = sim.scanner.jobs.values()
    assert job.settings.duplex is True


@pytest.mark.parametrize(
    ("sheets", "source", "settings_source"),
    [(2, "feeder", "Feeder"), (0, "glass", "Platen")],
)
async def test_auto_takes_the_feeder_when_loaded(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    sheets: int,
    source: str,
    settings_source: str,
) -> None:
    """Auto scans from the feeder when paper waits there, else from the glass."""
    sim, entry = simulated_entry
    sim.set_state(feeder_sheets=sheets)
    response = await _scan(hass, entry, file_name="auto")
    assert response["source"] == source
    assert response["pages"] == max(sheets, 1)
    (job,) = sim.scanner.jobs.values()
    assert job.settings.source == settings_source


async def test_names_are_never_reused(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A second scan with the same name gets a name of its own."""
    _sim, entry = simulated_entry
    first = await _scan(hass, entry, source="glass", file_name="note")
    second = await _scan(hass, entry, source="glass", file_name="note")
    assert first["files"] != second["files"]
    assert _files(media / "scans") == ["note (2).pdf", "note.pdf"]


@pytest.mark.parametrize("simulated_entry", [ENVY], indirect=True)
async def test_resolution_defaults_to_the_nearest_listed(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Without a resolution, 300 dpi (listed by the ENVY's glass)."""
    sim, entry = simulated_entry
    response = await _scan(hass, entry, file_name="page", format="jpeg")
    assert response["source"] == "glass"
    (job,) = sim.scanner.jobs.values()
    assert job.settings.x_dpi == 300


# --- refused before scanning --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"resolution": 333}, "scan_resolution_unsupported"),
        ({"source": "glass", "duplex": True}, "scan_duplex_glass"),
    ],
)
async def test_options_the_scanner_lacks(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    data: dict[str, Any],
    key: str,
) -> None:
    """What the scanner does not list is refused before it is asked to scan."""
    sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry, **data)
    assert err.value.translation_key == key
    assert not sim.scanner.jobs
    assert _files(media) == []


async def test_unlisted_resolution_names_the_listed_ones(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """The error says which resolutions there are."""
    _sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry, resolution=333)
    assert err.value.translation_placeholders == {
        "printer": entry.title,
        "resolution": "333",
        "supported": "75, 100, 150, 200, 300, 400, 600",
    }


@pytest.mark.parametrize("simulated_entry", [ENVY], indirect=True)
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"source": "feeder"}, "scan_no_feeder"),
        ({"duplex": True}, "scan_duplex_unsupported"),
    ],
)
async def test_a_scanner_without_feeder(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    data: dict[str, Any],
    key: str,
) -> None:
    """The ENVY 4520 has only the glass: no feeder, no duplex."""
    sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry, **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {"printer": entry.title}
    assert not sim.scanner.jobs


@pytest.mark.parametrize("simulated_entry", [LASERJET], indirect=True)
async def test_a_printer_without_scanner(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A printer that cannot scan says so."""
    _sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry)
    assert err.value.translation_key == "scanning_not_supported"
    assert _files(media) == []


@pytest.mark.parametrize(
    "folder",
    [
        "outside",  # beside the media folder, not in the allowlist
        "media/../outside",
        "media/new/../..",  # inside until "new" exists: checked again then
        "media/link/deeper",  # a link out of the media folder
        "relative/scans",
    ],
)
async def test_folder_not_allowed(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    tmp_path: Path,
    *,
    folder: str,
) -> None:
    """Scans go only where Home Assistant may write; nothing is scanned otherwise."""
    sim, entry = simulated_entry
    (media / "link").symlink_to(tmp_path / "outside")
    path = folder if folder.startswith("relative") else str(tmp_path / folder)
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry, folder=path)
    assert err.value.translation_key == "scan_folder_not_allowed"
    assert err.value.translation_placeholders == {"folder": path}
    assert not sim.scanner.jobs
    assert _files(tmp_path / "outside") == []
    assert not (tmp_path / "outside" / "deeper").exists()


async def test_folder_that_is_a_file(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A folder that cannot be made is a translated error."""
    _sim, entry = simulated_entry
    (media / "taken").write_text("a file")
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, folder=str(media / "taken"))
    assert err.value.translation_key == "scan_folder_error"


@pytest.mark.parametrize(
    "file_name",
    [
        "../escape",
        "a/b",
        "a\\b",
        "scan %H:%M",
        "x..y",
        ".hidden",
        "",
        "   ",
        "tab\there",
        "%D",  # strftime makes 12/06/26 of it
        "x" * 201,
        "€" * 67,  # 201 bytes of UTF-8
    ],
)
async def test_bad_file_names(
    hass: HomeAssistant, simulated_entry: Printer, media: Path, file_name: str
) -> None:
    """A file name must stay one file in the folder."""
    sim, entry = simulated_entry
    with pytest.raises(ServiceValidationError) as err:
        await _scan(hass, entry, file_name=file_name)
    assert err.value.translation_key == "scan_file_name_invalid"
    assert err.value.translation_placeholders == {"file_name": file_name}
    assert not sim.scanner.jobs
    assert _files(media) == []


async def test_file_name_template(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """Date codes are filled in with the local date; 200 bytes are allowed."""
    _sim, entry = simulated_entry
    response = await _scan(hass, entry, source="glass", file_name="receipt %Y")
    year = dt_util.now().year
    assert response["files"] == [str(media / "scans" / f"receipt {year}.pdf")]
    response = await _scan(hass, entry, source="glass", file_name="y" * 200)
    assert response["files"] == [str(media / "scans" / f"{'y' * 200}.pdf")]


# --- the scanner refuses or fails ---------------------------------------------------


@pytest.mark.parametrize(
    ("state", "data", "key"),
    [
        ({"feeder_sheets": 0}, {"source": "feeder"}, "scan_feeder_empty"),
        ({"paper_jam": True}, {"source": "glass"}, "scan_jammed"),
        ({"door_open": True}, {"source": "glass"}, "scan_cover_open"),
    ],
)
async def test_scanner_refuses(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    state: dict[str, Any],
    data: dict[str, Any],
    key: str,
) -> None:
    """An empty feeder, a jam or an open cover are translated errors; no file."""
    sim, entry = simulated_entry
    sim.set_state(**state)
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders["printer"] == entry.title
    assert _files(media) == []


async def test_scanner_busy(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A scanner busy with another client's job is a translated error."""
    sim, entry = simulated_entry
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.url}/eSCL/ScanJobs",
            data=OTHER_JOB,
            headers={"Content-Type": "text/xml"},
        ) as answer,
    ):
        assert answer.status == 201
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, source="glass")
    assert err.value.translation_key == "scanner_busy"
    assert _files(media) == []


@pytest.mark.parametrize("file_format", ["pdf", "jpeg"])
async def test_jam_halfway_leaves_no_file(
    hass: HomeAssistant, simulated_entry: Printer, media: Path, file_format: str
) -> None:
    """A page jams after two were scanned: an error, and not a byte is left."""
    sim, entry = simulated_entry
    sim.set_state(feeder_sheets=5)

    def jam_after_two_sheets() -> None:
        if sim.state.feeder_sheets == 3 and not sim.state.paper_jam:
            sim.state.paper_jam = True
            sim.state.changed()

    sim.state.add_listener(jam_after_two_sheets)
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, source="feeder", format=file_format)
    assert err.value.translation_key == "scan_jammed"
    assert _files(media) == []


async def test_printer_unreachable(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A printer that stops answering is a translated error naming it."""
    sim, entry = simulated_entry
    await sim.set_fault("refuse_connections")
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, source="glass")
    assert err.value.translation_key == "scan_cannot_connect"
    assert err.value.translation_placeholders["printer"] == entry.title
    assert _files(media) == []


async def test_printer_wants_credentials(
    hass: HomeAssistant, simulated_entry: Printer, media: Path
) -> None:
    """A printer that starts asking for a password starts reauthentication."""
    sim, entry = simulated_entry
    await sim.set_fault("auth")
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass, entry, source="glass")
    assert err.value.translation_key == "scan_auth_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("reason", "key", "error_class"),
    [
        (ScanErrorReason.NO_PAGES, "scan_no_pages", HomeAssistantError),
        (ScanErrorReason.CANCELED, "scan_canceled", HomeAssistantError),
        (ScanErrorReason.TOO_LARGE, "scan_too_large", HomeAssistantError),
        (ScanErrorReason.FAILED, "scan_failed", HomeAssistantError),
        (
            ScanErrorReason.UNSUPPORTED_OPTION,
            "scan_option_unsupported",
            ServiceValidationError,
        ),
    ],
)
async def test_other_scan_failures(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    reason: ScanErrorReason,
    key: str,
    error_class: type[HomeAssistantError],
) -> None:
    """Every way the library says a scan failed has a translated error.

    The simulator has no way to cause these (a panel cancel, a scanner that
    refuses settings it listed), so the library's scan raises them here.
    """
    _sim, entry = simulated_entry
    printer = entry.runtime_data.coordinator.printer
    failure = HPEWSScanError("the scanner said no", reason)
    with (
        patch.object(printer, "scan", side_effect=failure),
        pytest.raises(error_class) as err,
    ):
        await _scan(hass, entry, source="glass")
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {
        "printer": entry.title,
        "error": "the scanner said no",
    }


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        (
            {"color_mode": "black_and_white"},
            "scan_color_mode_unsupported",
            {"color_mode": "black_and_white", "supported": "color, grayscale"},
        ),
        (
            {"format": "jpeg"},
            "scan_format_unsupported",
            {"format": "jpeg", "supported": "pdf"},
        ),
        ({"source": "glass"}, "scan_no_glass", {}),
    ],
)
async def test_modes_and_formats_the_scanner_lacks(
    hass: HomeAssistant,
    simulated_entry: Printer,
    media: Path,
    *,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Color modes, formats and sources are checked against what is listed.

    The simulated scanners list them all, so the library's answer is a
    narrower scanner here: a feeder-only one, color and gray, PDF only.
    """
    sim, entry = simulated_entry
    printer = entry.runtime_data.coordinator.printer
    narrow = ScannerCapabilities(
        sources=(ScanSource.FEEDER,),
        color_modes=(ScanColorMode.COLOR, ScanColorMode.GRAYSCALE),
        resolutions=(300,),
        formats=(ScanFormat.PDF,),
        duplex=False,
    )
    with (
        patch.object(printer, "scanner_capabilities", return_value=narrow),
        pytest.raises(ServiceValidationError) as err,
    ):
        await _scan(hass, entry, **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == {
        "printer": entry.title,
        **placeholders,
    }
    assert not sim.scanner.jobs
