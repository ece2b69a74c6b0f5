"""Print jobs as the printer reports them: ``job-state`` and the job's attributes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSParseError
from custom_components.hp_ews.client.models import MAX_ALERTS

from .codec import IppAttributeGroup, IppGroupTag, IppMessage
from .response import ERROR_KEEP, decode_checked, int_of, text_of, texts_of

if TYPE_CHECKING:
    from collections.abc import Mapping


JOB_ATTRIBUTES: Final = (
    "job-id",
    "job-uri",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-state-message",
    "job-impressions-completed",
)
"""What :func:`.requests.get_job_attributes_request` asks for."""

JOB_KEEP: Final[Mapping[str, int]] = MappingProxyType(
    {
        **ERROR_KEEP,
        **dict.fromkeys(JOB_ATTRIBUTES, 1),
        "job-state-reasons": MAX_ALERTS,
    }
)
"""What the job parsers decode: the attributes :class:`IppJob` holds."""


class JobState(StrEnum):
    """``job-state`` (RFC 8011 §5.3.7), named by its keyword."""

    PENDING = "pending"
    PENDING_HELD = "pending-held"
    PROCESSING = "processing"
    PROCESSING_STOPPED = "processing-stopped"
    CANCELED = "canceled"
    ABORTED = "aborted"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @classmethod
    def from_enum(cls, value: object) -> JobState:
        """From the IPP enum value (3-9); UNKNOWN for anything else."""
        if isinstance(value, bool) or not isinstance(value, int):
            return cls.UNKNOWN
        return _JOB_STATES.get(value, cls.UNKNOWN)

    @property
    def terminal(self) -> bool:
        """Whether the job is finished one way or another (it will not change)."""
        return self in (JobState.CANCELED, JobState.ABORTED, JobState.COMPLETED)


_JOB_STATES: Final = MappingProxyType(
    {
        3: JobState.PENDING,
        4: JobState.PENDING_HELD,
        5: JobState.PROCESSING,
        6: JobState.PROCESSING_STOPPED,
        7: JobState.CANCELED,
        8: JobState.ABORTED,
        9: JobState.COMPLETED,
    }
)


@dataclass(frozen=True, slots=True)
class IppJob:
    """A print job as the printer reports it."""

    job_id: int
    state: JobState
    state_reasons: tuple[str, ...] = ()
    name: str | None = None
    message: str | None = None
    """``job-state-message``."""
    impressions_completed: int | None = None
    """``job-impressions-completed``: pages printed so far, when counted."""
    uri: str | None = None


def _job(group: IppAttributeGroup, job_id: int | None = None) -> IppJob | None:
    found = int_of(group, "job-id")
    if found is None:
        found = job_id
    if found is None:
        return None
    return IppJob(
        job_id=found,
        state=JobState.from_enum(int_of(group, "job-state")),
        state_reasons=tuple(filter(None, texts_of(group, "job-state-reasons"))),
        name=text_of(group, "job-name"),
        message=text_of(group, "job-state-message"),
        impressions_completed=int_of(group, "job-impressions-completed"),
        uri=text_of(group, "job-uri"),
    )


def job_of(message: IppMessage, job_id: int | None = None) -> IppJob:
    """The job in a decoded answer whose status was already checked.

    ``job_id`` is the job asked about, for answers that leave ``job-id`` out
    (Send-Document on some printers).

    Raises:
        HPEWSParseError: no job group with a ``job-id``, and none was given.
    """
    groups = message.groups_of(IppGroupTag.JOB)
    for group in groups:
        if (job := _job(group)) is not None:
            return job
    fallback = groups[0] if groups else IppAttributeGroup(IppGroupTag.JOB)
    if (job := _job(fallback, job_id)) is not None:
        return job
    raise HPEWSParseError("IPP response without a job-id")


def parse_job_attributes(data: bytes) -> IppJob:
    """The job in a Print-Job, Create-Job, Send-Document or Get-Job-Attributes answer.

    Raises:
        HPEWSParseError: not IPP, or no job group with a ``job-id``.
        HPEWSIPPError: the printer answered with an error status.
    """
    return job_of(decode_checked(data, JOB_KEEP))
