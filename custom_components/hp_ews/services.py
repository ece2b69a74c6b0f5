"""Actions: print, cancel, pull printing (hold, list, release), and scan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util

# Home Assistant validates with probatio, a voluptuous drop-in, since 2026;
# older releases (2025.4 is supported) have only voluptuous.
try:
    import probatio as vol  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Home Assistant release
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]

from .client import (
    ORIENTATIONS,
    QUALITIES,
    SIDES,
    DocumentLimit,
    HPEWSAuthenticationError,
    HPEWSDocumentError,
    HPEWSDocumentLimitError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSOutOfMemoryError,
    HPEWSPrinterBusyError,
    HPEWSScanError,
    HPEWSUnsupportedError,
    HPEWSUnsupportedFormatError,
    PrintOptionError,
    PrintOptions,
    ScanColorMode,
    ScanErrorReason,
    ScanFormat,
    ScanOptions,
    ScanSource,
    parse_page_ranges,
)
from .const import (
    DEFAULT_SCAN_FILE_NAME,
    DEFAULT_SCAN_RESOLUTION,
    DOMAIN,
    MAX_SCAN_FILE_NAME_BYTES,
    MAX_SCAN_PAGES,
)
from .hold import DATA_HELD_JOBS, HeldJob, HeldJobError, HeldJobProblem
from .scanner import default_scan_folder, prepare_scan_folder
from .sources import ATTR_FILE, ATTR_MEDIA_CONTENT_ID, ATTR_URL, async_open_document

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.util.json import JsonObjectType, JsonValueType

    from .client import PrintResult, ScannerCapabilities, ScanResult
    from .data import HPEWSConfigEntry
    from .sources import Document

SERVICE_PRINT: Final = "print"
SERVICE_CANCEL_JOB: Final = "cancel_job"
SERVICE_RELEASE_JOB: Final = "release_job"
SERVICE_LIST_JOBS: Final = "list_jobs"
SERVICE_SCAN: Final = "scan"

ATTR_COPIES: Final = "copies"
ATTR_SIDES: Final = "sides"
ATTR_COLOR_MODE: Final = "color_mode"
ATTR_MEDIA: Final = "media"
ATTR_ORIENTATION: Final = "orientation"
ATTR_PAGE_RANGES: Final = "page_ranges"
ATTR_QUALITY: Final = "quality"
ATTR_JOB_NAME: Final = "job_name"
ATTR_WAIT: Final = "wait"
ATTR_HOLD: Final = "hold"
ATTR_JOB_ID: Final = "job_id"
ATTR_SOURCE: Final = "source"
ATTR_DUPLEX: Final = "duplex"
ATTR_RESOLUTION: Final = "resolution"
ATTR_FORMAT: Final = "format"
ATTR_FOLDER: Final = "folder"
ATTR_FILE_NAME: Final = "file_name"

COLOR_MODES: Final = ("color", "monochrome", "auto")
MAX_IPP_JOB_ID: Final = 2**31 - 1
"""IPP job ids are integers 1..2**31-1 (RFC 8011 5.3.2)."""
MAX_NAME_OCTETS: Final = 255
"""IPP ``name`` values are at most 255 octets (RFC 8011 5.1.3)."""
HELD_JOB_ID_LENGTH: Final = 64
"""Longer than any held job id (``held-`` and 8 hex digits)."""


def cut_name(name: str) -> str:
    """``name`` in at most 255 octets of UTF-8, no character cut in two."""
    return name.encode()[:MAX_NAME_OCTETS].decode("utf-8", "ignore")


def _job_name(value: Any) -> str:
    name = cut_name(cv.string(value))
    if not name:
        raise vol.Invalid("job_name may not be empty")
    return name


def _job_id(value: Any) -> str:
    """A held job id, or a printer's job id within IPP's integer range."""
    job_id = cv.string(value).strip()
    if job_id.startswith("held-") and len(job_id) <= HELD_JOB_ID_LENGTH:
        return job_id
    # Digits only, and few enough that int() stays cheap.
    if not (job_id.isascii() and job_id.isdecimal() and len(job_id) <= 10):
        raise vol.Invalid(f"job_id must be 1 to {MAX_IPP_JOB_ID} or a held job id")
    if not 1 <= int(job_id) <= MAX_IPP_JOB_ID:
        raise vol.Invalid(f"job_id must be 1 to {MAX_IPP_JOB_ID} or a held job id")
    return str(int(job_id))


OPTION_KEYS: Final = (
    ATTR_COPIES,
    ATTR_SIDES,
    ATTR_COLOR_MODE,
    ATTR_MEDIA,
    ATTR_ORIENTATION,
    ATTR_PAGE_RANGES,
    ATTR_QUALITY,
    ATTR_JOB_NAME,
)
"""The print options a held job keeps for its release."""

PRINT_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_FILE): cv.string,
        vol.Optional(ATTR_URL): cv.url,
        # A media selector gives {media_content_id, media_content_type, ...}.
        vol.Optional(ATTR_MEDIA_CONTENT_ID): vol.Any(
            cv.string,
            vol.Schema(
                {vol.Required(ATTR_MEDIA_CONTENT_ID): cv.string}, extra=vol.ALLOW_EXTRA
            ),
        ),
        vol.Optional(ATTR_COPIES): vol.All(vol.Coerce(int), vol.Range(min=1, max=999)),
        vol.Optional(ATTR_SIDES): vol.In(SIDES),
        vol.Optional(ATTR_COLOR_MODE): vol.In(COLOR_MODES),
        vol.Optional(ATTR_MEDIA): cv.string,
        vol.Optional(ATTR_ORIENTATION): vol.In(tuple(ORIENTATIONS)),
        vol.Optional(ATTR_PAGE_RANGES): cv.string,
        vol.Optional(ATTR_QUALITY): vol.In(tuple(QUALITIES)),
        # Cut to 255 octets rather than refused: names come from file names.
        vol.Optional(ATTR_JOB_NAME): _job_name,
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
        vol.Optional(ATTR_HOLD, default=False): cv.boolean,
    }
)
CANCEL_JOB_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_JOB_ID): _job_id,
    }
)
RELEASE_JOB_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_JOB_ID): vol.All(
            cv.string, vol.Length(max=HELD_JOB_ID_LENGTH)
        ),
    }
)
LIST_JOBS_SCHEMA: Final = vol.Schema({vol.Optional(ATTR_DEVICE_ID): cv.string})
SCAN_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_SOURCE, default=ScanSource.AUTO.value): vol.In(
            [source.value for source in ScanSource]
        ),
        vol.Optional(ATTR_DUPLEX, default=False): cv.boolean,
        vol.Optional(ATTR_COLOR_MODE, default=ScanColorMode.COLOR.value): vol.In(
            [mode.value for mode in ScanColorMode]
        ),
        # Checked against what the scanner lists once it is asked.
        vol.Optional(ATTR_RESOLUTION): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=9600)
        ),
        vol.Optional(ATTR_FORMAT, default=ScanFormat.PDF.value): vol.In(
            [file_format.value for file_format in ScanFormat]
        ),
        vol.Optional(ATTR_FOLDER): cv.string,
        vol.Optional(ATTR_FILE_NAME, default=DEFAULT_SCAN_FILE_NAME): cv.string,
    }
)


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


# --- targets ------------------------------------------------------------------------


def _async_get_entry(hass: HomeAssistant, device_id: str) -> HPEWSConfigEntry:
    """Return the loaded config entry of a printer device."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise _validation_error("device_not_found", device_id=device_id)
    # A device has one entry since Home Assistant 2026.10 (config_entry_id);
    # older releases give the set, which is deprecated from then on.
    entry_ids: Any = (
        (device.config_entry_id,)
        if hasattr(device, "config_entry_id")
        else device.config_entries
    )
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        return _async_loaded(entry)
    raise _validation_error("device_not_found", device_id=device_id)


def _async_loaded(entry: Any) -> HPEWSConfigEntry:
    if entry.state is not ConfigEntryState.LOADED:
        raise _validation_error("not_loaded", printer=entry.title)
    return cast("HPEWSConfigEntry", entry)


def _async_entry_of(hass: HomeAssistant, job: HeldJob) -> HPEWSConfigEntry:
    entry = hass.config_entries.async_get_entry(job.entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _validation_error("held_job_not_found", job_id=job.job_id)
    return _async_loaded(entry)


def _held_job_error(err: HeldJobError) -> ServiceValidationError:
    """A document not held, or a held job not released: say why."""
    match err.problem:
        case HeldJobProblem.TOO_MANY_JOBS:
            return _validation_error("too_many_held_jobs", limit=err.detail)
        case HeldJobProblem.QUOTA_EXCEEDED:
            return _validation_error("held_quota_exceeded", limit=err.detail)
        case HeldJobProblem.NO_SPACE:
            return _validation_error("held_no_space", reserve=err.detail)
        case HeldJobProblem.TOO_LARGE:
            return _validation_error("document_too_large", limit=err.detail)
        case HeldJobProblem.UNSUPPORTED_FORMAT:
            return _validation_error("unsupported_format", format=err.detail)
        case HeldJobProblem.NOT_FOUND:
            return _validation_error("held_job_not_found", job_id=err.detail)


def _device_id(hass: HomeAssistant, entry_id: str) -> str | None:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.unique_id is None:
        return None
    # By config entry: looking up by identifier changed API across releases.
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    identifier = (DOMAIN, entry.unique_id)
    return next((d.id for d in devices if identifier in d.identifiers), None)


# --- options and errors ---------------------------------------------------------------


def print_options(data: dict[str, Any]) -> PrintOptions:
    """Build the client's options from an action's (or a held job's) data."""
    try:
        return PrintOptions(
            copies=data.get(ATTR_COPIES, 1),
            sides=data.get(ATTR_SIDES),
            color_mode=data.get(ATTR_COLOR_MODE),
            media=data.get(ATTR_MEDIA),
            orientation=data.get(ATTR_ORIENTATION),
            page_ranges=(
                parse_page_ranges(data[ATTR_PAGE_RANGES])
                if data.get(ATTR_PAGE_RANGES)
                else ()
            ),
            quality=data.get(ATTR_QUALITY),
            job_name=data.get(ATTR_JOB_NAME),
        )
    except PrintOptionError as err:
        raise _validation_error("invalid_option", error=str(err)) from err


def _printer_error(
    hass: HomeAssistant, entry: HPEWSConfigEntry, err: HPEWSError
) -> HomeAssistantError:
    """Turn a client error into the translated error the user sees."""
    printer = entry.title
    if isinstance(err, HPEWSUnsupportedFormatError):
        return _validation_error(
            "unsupported_format", format=err.document_format or "unknown"
        )
    if isinstance(err, HPEWSOutOfMemoryError):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="document_out_of_memory"
        )
    if isinstance(err, HPEWSDocumentLimitError):
        return _limit_error(err)
    if isinstance(err, HPEWSDocumentError):
        return _validation_error("document_error", error=str(err))
    if isinstance(err, PrintOptionError):
        return _validation_error("invalid_option", error=str(err))
    if isinstance(err, HPEWSUnsupportedError):
        return _validation_error("printing_not_supported", printer=printer)
    if isinstance(err, HPEWSAuthenticationError):
        # The next refresh would find out too; printing must not wait for it.
        entry.async_start_reauth(hass)
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="print_auth_failed",
            translation_placeholders={"printer": printer},
        )
    if isinstance(err, HPEWSPrinterBusyError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="printer_busy",
            translation_placeholders={"printer": printer, "error": str(err)},
        )
    if isinstance(err, HPEWSIPPError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="print_rejected",
            translation_placeholders={"printer": printer, "error": str(err)},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="print_cannot_connect",
        translation_placeholders={"printer": printer, "error": str(err)},
    )


def _limit_error(err: HPEWSDocumentLimitError) -> ServiceValidationError:
    """The user's document went past a conversion bound: say which."""
    match err.limit:
        case DocumentLimit.IMAGE_PIXELS:
            return _validation_error(
                "image_too_large", megapixels=str(err.maximum // 1_000_000)
            )
        case DocumentLimit.PAGE_PIXELS:
            return _validation_error(
                "page_too_large", megapixels=str(err.maximum // 1_000_000)
            )
        case DocumentLimit.PAGES:
            return _validation_error("too_many_pages", limit=str(err.maximum))
        case DocumentLimit.RENDER_SECONDS:
            return _validation_error(
                "conversion_too_slow", minutes=str(max(1, err.maximum // 60))
            )


def _print_response(result: PrintResult) -> JsonObjectType:
    return {
        "job_id": result.job_id,
        "job_name": result.job_name,
        "document_format": result.document_format,
        "converted": result.converted,
        "state": result.state.value,
        "pages": result.pages,
    }


def _held_response(hass: HomeAssistant, job: HeldJob) -> JsonObjectType:
    entry = hass.config_entries.async_get_entry(job.entry_id)
    return {
        "held_job_id": job.job_id,
        "device_id": _device_id(hass, job.entry_id),
        "printer": None if entry is None else entry.title,
        "name": job.name,
        "document_format": job.document_format,
        "size": job.size,
        "created": job.created.isoformat(),
        "expires": job.expires.isoformat(),
        "options": dict(job.options),
    }


# --- actions -------------------------------------------------------------------------


async def _async_print(call: ServiceCall) -> ServiceResponse:
    """Print a file, a download or a media item, or hold it for release."""
    hass = call.hass
    entry = _async_get_entry(hass, call.data[ATTR_DEVICE_ID])
    jobs = entry.runtime_data.jobs
    options = print_options(call.data)
    async with async_open_document(hass, dict(call.data)) as document:
        if call.data[ATTR_HOLD]:
            return await _async_hold(hass, entry, document, call.data)
        if options.job_name is None:
            options = print_options(
                {**call.data, ATTR_JOB_NAME: cut_name(document.name)}
            )
        try:
            result = await jobs.async_print(
                document.source, options, wait=call.data[ATTR_WAIT]
            )
        except HPEWSError as err:
            raise _printer_error(hass, entry, err) from err
    return _print_response(result)


async def _async_hold(
    hass: HomeAssistant, entry: HPEWSConfigEntry, document: Document, data: Any
) -> ServiceResponse:
    saved = {key: data[key] for key in OPTION_KEYS if key in data}
    saved.setdefault(ATTR_JOB_NAME, cut_name(document.name))
    try:
        job = await entry.runtime_data.jobs.async_hold(document, saved)
    except HeldJobError as err:
        raise _held_job_error(err) from err
    return _held_response(hass, job)


async def _async_cancel_job(call: ServiceCall) -> None:
    """Cancel a printer's job, or delete a held one."""
    hass = call.hass
    entry = _async_get_entry(hass, call.data[ATTR_DEVICE_ID])
    jobs = entry.runtime_data.jobs
    job_id: str = call.data[ATTR_JOB_ID].strip()
    if (held := jobs.held_job(job_id)) is not None:
        await jobs.async_delete_held(held)
        return
    if not job_id.isdecimal():
        raise _validation_error("held_job_not_found", job_id=job_id)
    try:
        await jobs.async_cancel(int(job_id))
    except HPEWSIPPError as err:
        raise _validation_error("cannot_cancel", job_id=job_id, error=str(err)) from err
    except HPEWSError as err:
        raise _printer_error(hass, entry, err) from err


async def _async_release_job(call: ServiceCall) -> ServiceResponse:
    """Print held jobs: one by id, or every one of a printer."""
    hass = call.hass
    if (job_id := call.data.get(ATTR_JOB_ID)) is not None:
        # By id alone: the job names its printer.
        job = hass.data[DATA_HELD_JOBS].get(job_id.strip())
        if job is None or (
            ATTR_DEVICE_ID in call.data
            and _async_get_entry(hass, call.data[ATTR_DEVICE_ID]).entry_id
            != job.entry_id
        ):
            raise _validation_error("held_job_not_found", job_id=job_id)
        jobs = [job]
    elif ATTR_DEVICE_ID in call.data:
        entry = _async_get_entry(hass, call.data[ATTR_DEVICE_ID])
        jobs = entry.runtime_data.jobs.held()
    else:
        raise _validation_error("release_target")
    released: list[JsonValueType] = [await _async_release(hass, job) for job in jobs]
    return {"jobs": released}


async def _async_release(hass: HomeAssistant, job: HeldJob) -> JsonObjectType:
    entry = _async_entry_of(hass, job)
    try:
        result = await entry.runtime_data.jobs.async_release(
            job, print_options(job.options)
        )
    except HeldJobError as err:
        raise _held_job_error(err) from err
    except HPEWSError as err:
        raise _printer_error(hass, entry, err) from err
    return {"held_job_id": job.job_id, **_print_response(result)}


async def _async_list_jobs(call: ServiceCall) -> ServiceResponse:
    """Describe the held jobs, of one printer or all."""
    hass = call.hass
    entry_id: str | None = None
    if ATTR_DEVICE_ID in call.data:
        entry_id = _async_get_entry(hass, call.data[ATTR_DEVICE_ID]).entry_id
    jobs = hass.data[DATA_HELD_JOBS].jobs(entry_id)
    described: list[JsonValueType] = [_held_response(hass, job) for job in jobs]
    return {"jobs": described}


# --- scanning ------------------------------------------------------------------------


def scan_file_name(template: str, now: datetime) -> str | None:
    """Fill in the date and time of a file name template; None if not a safe name.

    The name must stay one file in the folder: no separators (nor ``:``,
    which some file systems take for one), no ``..``, not hidden, printable, and short enough for the client's page number and
    " (2)" suffixes. Checked before and after strftime, as ``%D`` adds slashes.
    """
    if not _safe_file_name(template):
        return None
    # glibc and musl leave unknown codes and a stray "%" as they are.
    name = now.strftime(template).strip()
    if not _safe_file_name(name) or len(name.encode()) > MAX_SCAN_FILE_NAME_BYTES:
        return None
    return name


def _safe_file_name(name: str) -> bool:
    return (
        bool(name)
        and name.isprintable()
        and not name.startswith(".")
        and ".." not in name
        and not any(separator in name for separator in "/\\:")
    )


def nearest_resolution(resolutions: tuple[int, ...], wanted: int) -> int:
    """The listed resolution closest to ``wanted``, the finer one on a tie."""
    return min(resolutions, key=lambda dpi: (abs(dpi - wanted), -dpi))


def scan_options(
    entry: HPEWSConfigEntry, capabilities: ScannerCapabilities, data: Any
) -> ScanOptions:
    """Build the client's options, refusing what this scanner does not offer."""
    printer = entry.title
    source = ScanSource(data[ATTR_SOURCE])
    if source is not ScanSource.AUTO and source not in capabilities.sources:
        if source is ScanSource.FEEDER:
            raise _validation_error("scan_no_feeder", printer=printer)
        raise _validation_error("scan_no_glass", printer=printer)
    duplex: bool = data[ATTR_DUPLEX]
    if duplex and source is ScanSource.GLASS:
        raise _validation_error("scan_duplex_glass")
    if duplex and not capabilities.duplex:
        raise _validation_error("scan_duplex_unsupported", printer=printer)
    color_mode = ScanColorMode(data[ATTR_COLOR_MODE])
    if color_mode not in capabilities.color_modes:
        raise _validation_error(
            "scan_color_mode_unsupported",
            printer=printer,
            color_mode=color_mode.value,
            supported=", ".join(mode.value for mode in capabilities.color_modes),
        )
    resolution: int | None = data.get(ATTR_RESOLUTION)
    if resolution is None:
        resolution = nearest_resolution(
            capabilities.resolutions, DEFAULT_SCAN_RESOLUTION
        )
    elif resolution not in capabilities.resolutions:
        raise _validation_error(
            "scan_resolution_unsupported",
            printer=printer,
            resolution=str(resolution),
            supported=", ".join(str(dpi) for dpi in capabilities.resolutions),
        )
    file_format = ScanFormat(data[ATTR_FORMAT])
    if file_format not in capabilities.formats:
        raise _validation_error(
            "scan_format_unsupported",
            printer=printer,
            format=file_format.value,
            supported=", ".join(f.value for f in capabilities.formats),
        )
    return ScanOptions(
        source=source,
        duplex=duplex,
        color_mode=color_mode,
        resolution=resolution,
        format=file_format,
    )


def _scanner_error(
    hass: HomeAssistant, entry: HPEWSConfigEntry, err: HPEWSError
) -> HomeAssistantError:
    """Turn a client error from scanning into the translated error the user sees."""
    placeholders = {"printer": entry.title, "error": str(err)}
    if isinstance(err, HPEWSScanError):
        match err.reason:
            case ScanErrorReason.UNSUPPORTED_OPTION:
                # The scanner refused settings it listed: wrong input all the same.
                return _validation_error(
                    "scan_option_unsupported", printer=entry.title, error=str(err)
                )
            case ScanErrorReason.BUSY:
                key = "scanner_busy"
            case ScanErrorReason.FEEDER_EMPTY:
                key = "scan_feeder_empty"
            case ScanErrorReason.JAMMED:
                key = "scan_jammed"
            case ScanErrorReason.COVER_OPEN:
                key = "scan_cover_open"
            case ScanErrorReason.NO_PAGES:
                key = "scan_no_pages"
            case ScanErrorReason.CANCELED:
                key = "scan_canceled"
            case ScanErrorReason.TOO_LARGE:
                key = "scan_too_large"
            case _:
                key = "scan_failed"
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )
    if isinstance(err, HPEWSUnsupportedError):
        return _validation_error("scanning_not_supported", printer=entry.title)
    if isinstance(err, HPEWSAuthenticationError):
        # The next refresh would find out too; the scan must not wait for it.
        entry.async_start_reauth(hass)
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="scan_auth_failed",
            translation_placeholders={"printer": entry.title},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="scan_cannot_connect",
        translation_placeholders=placeholders,
    )


def scan_response(result: ScanResult) -> JsonObjectType:
    """What a finished scan wrote, as action response (and event) data."""
    files: list[JsonValueType] = [str(path) for path in result.files]
    return {
        "files": files,
        "pages": result.pages,
        "format": result.format.value,
        "size": result.size,
        "source": result.source.value,
    }


async def _async_scan(call: ServiceCall) -> ServiceResponse:
    """Scan into a file in an allowed folder; answer with what was written."""
    hass = call.hass
    entry = _async_get_entry(hass, call.data[ATTR_DEVICE_ID])
    template: str = call.data[ATTR_FILE_NAME]
    if (name := scan_file_name(template, dt_util.now())) is None:
        raise _validation_error("scan_file_name_invalid", file_name=template)
    folder = Path(call.data.get(ATTR_FOLDER) or default_scan_folder(hass))
    printer = entry.runtime_data.coordinator.printer
    try:
        capabilities = await printer.scanner_capabilities()
        options = scan_options(entry, capabilities, call.data)
        await hass.async_add_executor_job(prepare_scan_folder, hass, folder)
        try:
            result = await printer.scan(options, folder, name, max_pages=MAX_SCAN_PAGES)
        finally:
            # The feeder emptied, or a jam stopped the scanner: show it now,
            # not after the debouncer's cooldown (one GET).
            await entry.runtime_data.scanner.async_refresh()
    except HPEWSError as err:
        raise _scanner_error(hass, entry, err) from err
    return scan_response(result)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every printer)."""
    for service, handler, schema, response in (
        (SERVICE_PRINT, _async_print, PRINT_SCHEMA, SupportsResponse.OPTIONAL),
        (
            SERVICE_CANCEL_JOB,
            _async_cancel_job,
            CANCEL_JOB_SCHEMA,
            SupportsResponse.NONE,
        ),
        (
            SERVICE_RELEASE_JOB,
            _async_release_job,
            RELEASE_JOB_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (SERVICE_LIST_JOBS, _async_list_jobs, LIST_JOBS_SCHEMA, SupportsResponse.ONLY),
        # Scanning writes files: the answer says which, for those who want it.
        (SERVICE_SCAN, _async_scan, SCAN_SCHEMA, SupportsResponse.OPTIONAL),
    ):
        hass.services.async_register(
            DOMAIN, service, handler, schema=schema, supports_response=response
        )
