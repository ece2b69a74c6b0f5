"""IPP requests the library sends: printer attributes, identify, print jobs.

Builders return encoded bytes. Print-Job and Send-Document builders return
the IPP header only (ending with end-of-attributes): the caller streams the
document right after it in the same HTTP body, so a document is never held
in memory whole.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypedDict, Unpack
from urllib.parse import urlsplit

from .codec import (
    IppAttributeGroup,
    IppGroupTag,
    IppOperation,
    IppRangeOfInteger,
    IppValueTag,
    new_ipp_request,
)
from .jobs import JOB_ATTRIBUTES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


DEFAULT_USER: Final = "hp_ews"
"""``requesting-user-name`` we send; HP printers show it in their job log."""

STATUS_ATTRIBUTES: Final = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-alert",
    "printer-alert-description",
    "marker-names",
    "marker-colors",
    "marker-types",
    "marker-levels",
    "marker-low-levels",
    "marker-high-levels",
    "printer-supply",
    "printer-supply-description",
)
"""A small request for cheap status refreshes."""


# --- requests ------------------------------------------------------------------------


def printer_uri_for(http_url: str) -> str:
    """The IPP ``printer-uri`` for the HTTP(S) URL a request is posted to.

    ``http://host/ipp/print`` → ``ipp://host:80/ipp/print``: the port is always
    written because ``ipp://`` and ``ipps://`` default to 631. ``ipp``/``ipps``
    URIs are returned unchanged.
    """
    parts = urlsplit(http_url)
    scheme = parts.scheme.lower()
    if scheme in ("ipp", "ipps"):
        return http_url
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {http_url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    ipp_scheme = "ipps" if scheme == "https" else "ipp"
    return f"{ipp_scheme}://{host}:{port}{parts.path or '/'}"


def get_printer_attributes_request(
    printer_uri: str, request_id: int = 1, requested: Sequence[str] | None = None
) -> bytes:
    """A Get-Printer-Attributes request (``requested-attributes`` ``all`` by default).

    ``all`` covers the printer-description and job-template groups, which is
    everything parsed here; pass :data:`STATUS_ATTRIBUTES` for a small answer.
    """
    message = new_ipp_request(
        IppOperation.GET_PRINTER_ATTRIBUTES,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    names = list(requested) if requested else ["all"]
    message.operation.set("requested-attributes", IppValueTag.KEYWORD, *names)
    return message.encode()


def identify_printer_request(
    printer_uri: str, request_id: int = 1, actions: Sequence[str] | None = None
) -> bytes:
    """An Identify-Printer request; ``actions`` (``display``, ``sound``...) or the printer's default."""
    message = new_ipp_request(
        IppOperation.IDENTIFY_PRINTER,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    if actions:
        message.operation.set("identify-actions", IppValueTag.KEYWORD, *actions)
    return message.encode()


# --- printing --------------------------------------------------------------------------
#
# Builders return the IPP header only (ending with end-of-attributes); the
# caller streams the document bytes right after it in the same HTTP body, so
# a document is never held in memory whole.

_NAME_MAX: Final = 255
"""RFC 8011 §5.1.3: name values are at most 255 octets."""

ORIENTATIONS: Final[Mapping[str, int]] = MappingProxyType(
    {"portrait": 3, "landscape": 4, "reverse-landscape": 5, "reverse-portrait": 6}
)
"""``orientation-requested`` enum values (RFC 8011 §5.2.10)."""

PRINT_QUALITIES: Final[Mapping[str, int]] = MappingProxyType(
    {"draft": 3, "normal": 4, "high": 5}
)
"""``print-quality`` enum values (RFC 8011 §5.2.13)."""

type PageRanges = str | Sequence[tuple[int, int]]
"""``"1-3,5"`` or ``[(1, 3), (5, 5)]``."""


def _name(value: str) -> str:
    raw = value.encode("utf-8")
    if len(raw) <= _NAME_MAX:
        return value
    return raw[:_NAME_MAX].decode("utf-8", "ignore")


def _enum(value: str | int, names: Mapping[str, int], what: str) -> int:
    if isinstance(value, int):
        if value not in names.values():
            raise ValueError(f"invalid {what}: {value}")
        return value
    try:
        return names[value]
    except KeyError:
        raise ValueError(f"invalid {what}: {value!r}") from None


def _page_ranges(value: PageRanges) -> list[IppRangeOfInteger]:
    pairs: list[tuple[int, int]] = []
    if isinstance(value, str):
        for part in value.split(","):
            first, _, last = part.strip().partition("-")
            try:
                pairs.append((int(first), int(last or first)))
            except ValueError:
                raise ValueError(f"invalid page range: {part!r}") from None
    else:
        pairs = [(int(lower), int(upper)) for lower, upper in value]
    if not pairs:
        raise ValueError("empty page ranges")
    previous = 0
    for lower, upper in pairs:
        # RFC 8011 §5.2.7: ascending, non-overlapping, starting at 1.
        if not previous < lower <= upper:
            raise ValueError(f"invalid page range: {lower}-{upper}")
        previous = upper
    return [IppRangeOfInteger(lower, upper) for lower, upper in pairs]


class JobTemplate(TypedDict, total=False):
    """The job attributes Print-Job, Validate-Job and Create-Job share.

    ``orientation`` and ``print_quality`` take the keyword (``landscape``,
    ``high``) or the enum value. ``attribute_fidelity`` False asks the printer
    to print with what it can rather than refuse a job whose attributes it
    does not all support.
    """

    copies: int | None
    sides: str | None
    print_color_mode: str | None
    media: str | None
    orientation: str | int | None
    page_ranges: PageRanges | None
    print_quality: str | int | None
    attribute_fidelity: bool | None


def _job_request(
    operation: IppOperation,
    printer_uri: str,
    *,
    request_id: int,
    requesting_user_name: str,
    job_name: str,
    document_format: str | None,
    template: JobTemplate,
) -> bytes:
    message = new_ipp_request(
        operation,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    operation_group = message.operation
    operation_group.set("job-name", IppValueTag.NAME, _name(job_name))
    if (attribute_fidelity := template.get("attribute_fidelity")) is not None:
        operation_group.set(
            "ipp-attribute-fidelity", IppValueTag.BOOLEAN, attribute_fidelity
        )
    if document_format is not None:
        operation_group.set(
            "document-format", IppValueTag.MIME_MEDIA_TYPE, document_format
        )
    job = IppAttributeGroup(IppGroupTag.JOB)
    if (copies := template.get("copies")) is not None:
        if copies < 1:
            raise ValueError(f"invalid copies: {copies}")
        job.set("copies", IppValueTag.INTEGER, copies)
    if (sides := template.get("sides")) is not None:
        job.set("sides", IppValueTag.KEYWORD, sides)
    if (color_mode := template.get("print_color_mode")) is not None:
        job.set("print-color-mode", IppValueTag.KEYWORD, color_mode)
    if (media := template.get("media")) is not None:
        job.set("media", IppValueTag.KEYWORD, media)
    if (orientation := template.get("orientation")) is not None:
        value = _enum(orientation, ORIENTATIONS, "orientation")
        job.set("orientation-requested", IppValueTag.ENUM, value)
    if (page_ranges := template.get("page_ranges")) is not None:
        job.set("page-ranges", IppValueTag.RANGE_OF_INTEGER, *_page_ranges(page_ranges))
    if (quality := template.get("print_quality")) is not None:
        value = _enum(quality, PRINT_QUALITIES, "print quality")
        job.set("print-quality", IppValueTag.ENUM, value)
    if len(job):
        message.groups.append(job)
    return message.encode()


def print_job_request_header(
    printer_uri: str,
    *,
    document_format: str,
    job_name: str,
    requesting_user_name: str,
    request_id: int = 1,
    **template: Unpack[JobTemplate],
) -> bytes:
    """The IPP part of a Print-Job request; the document bytes follow it.

    Invalid attribute values raise ``ValueError`` (see :class:`JobTemplate`).
    """
    return _job_request(
        IppOperation.PRINT_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=document_format,
        template=template,
    )


def validate_job_request(
    printer_uri: str,
    *,
    document_format: str,
    job_name: str,
    requesting_user_name: str,
    request_id: int = 1,
    **template: Unpack[JobTemplate],
) -> bytes:
    """A Validate-Job request: Print-Job's attributes, no document."""
    return _job_request(
        IppOperation.VALIDATE_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=document_format,
        template=template,
    )


def create_job_request(
    printer_uri: str,
    *,
    job_name: str,
    requesting_user_name: str,
    request_id: int = 1,
    **template: Unpack[JobTemplate],
) -> bytes:
    """A Create-Job request; the document then goes in Send-Document."""
    return _job_request(
        IppOperation.CREATE_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=requesting_user_name,
        job_name=job_name,
        document_format=None,
        template=template,
    )


def send_document_request_header(
    printer_uri: str,
    job_id: int,
    *,
    document_format: str,
    requesting_user_name: str,
    last_document: bool = True,
    document_name: str | None = None,
    request_id: int = 1,
) -> bytes:
    """The IPP part of a Send-Document request; the document bytes follow it."""
    message = new_ipp_request(
        IppOperation.SEND_DOCUMENT,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    group = message.operation
    group.set("job-id", IppValueTag.INTEGER, job_id)
    if document_name is not None:
        group.set("document-name", IppValueTag.NAME, _name(document_name))
    group.set("document-format", IppValueTag.MIME_MEDIA_TYPE, document_format)
    group.set("last-document", IppValueTag.BOOLEAN, last_document)
    return message.encode()


def get_job_attributes_request(
    printer_uri: str,
    job_id: int,
    request_id: int = 1,
    requested: Sequence[str] | None = None,
) -> bytes:
    """A Get-Job-Attributes request for :data:`JOB_ATTRIBUTES` (or ``requested``)."""
    message = new_ipp_request(
        IppOperation.GET_JOB_ATTRIBUTES,
        printer_uri,
        request_id=request_id,
        requesting_user_name=DEFAULT_USER,
    )
    message.operation.set("job-id", IppValueTag.INTEGER, job_id)
    message.operation.set(
        "requested-attributes", IppValueTag.KEYWORD, *(requested or JOB_ATTRIBUTES)
    )
    return message.encode()


def cancel_job_request(
    printer_uri: str,
    job_id: int,
    request_id: int = 1,
    requesting_user_name: str = DEFAULT_USER,
) -> bytes:
    """A Cancel-Job request."""
    message = new_ipp_request(
        IppOperation.CANCEL_JOB,
        printer_uri,
        request_id=request_id,
        requesting_user_name=_name(requesting_user_name),
    )
    message.operation.set("job-id", IppValueTag.INTEGER, job_id)
    return message.encode()
