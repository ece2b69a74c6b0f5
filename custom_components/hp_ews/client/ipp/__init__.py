"""IPP for HP printers: what the rest of the library uses, one module per concern.

* ``codec``: the wire format (RFC 8010), messages in and out, bounded.
* ``requests``: the requests we send (printer attributes, identify, jobs).
* ``response``: an answer's status checked, attribute values read safely.
* ``attributes``: a Get-Printer-Attributes answer as identity, supplies and
  capabilities; ``status``: the printer's status in it.
* ``jobs``: ``job-state`` and the job attributes of job operations' answers.

The library's other modules import the names below from here; the codec is
imported as the module ``ipp.codec``.
"""

from __future__ import annotations

from .attributes import (
    IppPrinter,
    capabilities_of,
    device_id,
    mac_from_uuid,
    parse_printer_attributes,
)
from .jobs import JOB_ATTRIBUTES, IppJob, JobState, job_of, parse_job_attributes
from .requests import (
    DEFAULT_USER,
    ORIENTATIONS,
    PRINT_QUALITIES,
    STATUS_ATTRIBUTES,
    PageRanges,
    cancel_job_request,
    create_job_request,
    get_job_attributes_request,
    get_printer_attributes_request,
    identify_printer_request,
    print_job_request_header,
    printer_uri_for,
    send_document_request_header,
    validate_job_request,
)
from .response import check_response

__all__ = [
    "DEFAULT_USER",
    "JOB_ATTRIBUTES",
    "ORIENTATIONS",
    "PRINT_QUALITIES",
    "STATUS_ATTRIBUTES",
    "IppJob",
    "IppPrinter",
    "JobState",
    "PageRanges",
    "cancel_job_request",
    "capabilities_of",
    "check_response",
    "create_job_request",
    "device_id",
    "get_job_attributes_request",
    "get_printer_attributes_request",
    "identify_printer_request",
    "job_of",
    "mac_from_uuid",
    "parse_job_attributes",
    "parse_printer_attributes",
    "print_job_request_header",
    "printer_uri_for",
    "send_document_request_header",
    "validate_job_request",
]
