"""A small RFC 8010 codec for IPP messages, for both client and server use.

We own this instead of depending on ``pyipp``/``aioipp``: both install a module
named ``pyipp`` (pinning either risks clobbering the other in a user's Home
Assistant) and both drop attributes they do not know, such as ``printer-supply``
and ``printer-alert``. See docs/protocols.md §7.1.

Decoding is lossless: every value keeps its value tag, unknown tags are kept as
raw bytes and text is decoded with ``surrogateescape``, so
``encode_ipp(decode_ipp(data)) == data`` for any well-formed message. Printers are
untrusted peers: input is size-capped and anything malformed or truncated
raises :class:`HPEWSParseError`, never a lower-level exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from enum import IntEnum
import struct
from typing import TYPE_CHECKING, Final

from custom_components.hp_ews.client.errors import HPEWSParseError, IppTruncatedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

MAX_MESSAGE_SIZE: Final = 4 * 1024 * 1024
"""Default cap on the bytes :func:`decode_ipp` accepts (attributes plus data)."""

MAX_HEADER_SIZE: Final = 1024 * 1024
"""Default cap on the attribute part :func:`decode_ipp_header` reads."""

MAX_COLLECTION_DEPTH: Final = 16
"""Deepest collection nesting accepted; real printers use 2 or 3."""

MAX_VALUES: Final = 16 * 1024
"""Default cap on the values (collection members included) one message may hold.

Real Get-Printer-Attributes answers hold under 1000. A 4 MiB answer of empty
values holds 800 000, whose decoding would block the caller for seconds.
"""

_MAX_FIELD: Final = 0xFFFF


class IppGroupTag(IntEnum):
    """Delimiter tags that start an attribute group (RFC 8010 §3.5.1)."""

    OPERATION = 0x01
    JOB = 0x02
    END = 0x03
    PRINTER = 0x04
    UNSUPPORTED = 0x05
    SUBSCRIPTION = 0x06
    EVENT_NOTIFICATION = 0x07
    RESOURCE = 0x08
    DOCUMENT = 0x09
    SYSTEM = 0x0A


class IppValueTag(IntEnum):
    """Value tags (RFC 8010 §3.5.2 and the PWG registry)."""

    # Out-of-band values.
    UNSUPPORTED = 0x10
    DEFAULT = 0x11
    UNKNOWN = 0x12
    NO_VALUE = 0x13
    NOT_SETTABLE = 0x15
    DELETE_ATTRIBUTE = 0x16
    ADMIN_DEFINE = 0x17
    # Integer types.
    INTEGER = 0x21
    BOOLEAN = 0x22
    ENUM = 0x23
    # Octet-string types.
    OCTET_STRING = 0x30
    DATE_TIME = 0x31
    RESOLUTION = 0x32
    RANGE_OF_INTEGER = 0x33
    BEG_COLLECTION = 0x34
    TEXT_WITH_LANGUAGE = 0x35
    NAME_WITH_LANGUAGE = 0x36
    END_COLLECTION = 0x37
    # Character-string types.
    TEXT = 0x41
    NAME = 0x42
    KEYWORD = 0x44
    URI = 0x45
    URI_SCHEME = 0x46
    CHARSET = 0x47
    NATURAL_LANGUAGE = 0x48
    MIME_MEDIA_TYPE = 0x49
    MEMBER_ATTR_NAME = 0x4A
    EXTENSION = 0x7F


class IppOperation(IntEnum):
    """IPP operation ids (RFC 8011, PWG 5100.x)."""

    PRINT_JOB = 0x0002
    PRINT_URI = 0x0003
    VALIDATE_JOB = 0x0004
    CREATE_JOB = 0x0005
    SEND_DOCUMENT = 0x0006
    SEND_URI = 0x0007
    CANCEL_JOB = 0x0008
    GET_JOB_ATTRIBUTES = 0x0009
    GET_JOBS = 0x000A
    GET_PRINTER_ATTRIBUTES = 0x000B
    HOLD_JOB = 0x000C
    RELEASE_JOB = 0x000D
    RESTART_JOB = 0x000E
    PAUSE_PRINTER = 0x0010
    RESUME_PRINTER = 0x0011
    PURGE_JOBS = 0x0012
    SET_PRINTER_ATTRIBUTES = 0x0013
    SET_JOB_ATTRIBUTES = 0x0014
    GET_PRINTER_SUPPORTED_VALUES = 0x0015
    CREATE_PRINTER_SUBSCRIPTIONS = 0x0016
    CREATE_JOB_SUBSCRIPTIONS = 0x0017
    GET_SUBSCRIPTION_ATTRIBUTES = 0x0018
    GET_SUBSCRIPTIONS = 0x0019
    RENEW_SUBSCRIPTION = 0x001A
    CANCEL_SUBSCRIPTION = 0x001B
    GET_NOTIFICATIONS = 0x001C
    GET_RESOURCE_ATTRIBUTES = 0x001E
    GET_RESOURCES = 0x0020
    ENABLE_PRINTER = 0x0022
    DISABLE_PRINTER = 0x0023
    PAUSE_PRINTER_AFTER_CURRENT_JOB = 0x0024
    HOLD_NEW_JOBS = 0x0025
    RELEASE_HELD_NEW_JOBS = 0x0026
    DEACTIVATE_PRINTER = 0x0027
    ACTIVATE_PRINTER = 0x0028
    RESTART_PRINTER = 0x0029
    SHUTDOWN_PRINTER = 0x002A
    STARTUP_PRINTER = 0x002B
    REPROCESS_JOB = 0x002C
    CANCEL_CURRENT_JOB = 0x002D
    SUSPEND_CURRENT_JOB = 0x002E
    RESUME_JOB = 0x002F
    PROMOTE_JOB = 0x0030
    SCHEDULE_JOB_AFTER = 0x0031
    CANCEL_DOCUMENT = 0x0033
    GET_DOCUMENT_ATTRIBUTES = 0x0034
    GET_DOCUMENTS = 0x0035
    DELETE_DOCUMENT = 0x0036
    SET_DOCUMENT_ATTRIBUTES = 0x0037
    CANCEL_JOBS = 0x0038
    CANCEL_MY_JOBS = 0x0039
    RESUBMIT_JOB = 0x003A
    CLOSE_JOB = 0x003B
    IDENTIFY_PRINTER = 0x003C
    VALIDATE_DOCUMENT = 0x003D
    ADD_DOCUMENT_IMAGES = 0x003E
    ACKNOWLEDGE_DOCUMENT = 0x003F
    ACKNOWLEDGE_IDENTIFY_PRINTER = 0x0040
    ACKNOWLEDGE_JOB = 0x0041
    FETCH_DOCUMENT = 0x0042
    FETCH_JOB = 0x0043
    GET_OUTPUT_DEVICE_ATTRIBUTES = 0x0044
    UPDATE_ACTIVE_JOBS = 0x0045
    DEREGISTER_OUTPUT_DEVICE = 0x0046
    UPDATE_DOCUMENT_STATUS = 0x0047
    UPDATE_JOB_STATUS = 0x0048
    UPDATE_OUTPUT_DEVICE_ATTRIBUTES = 0x0049
    GET_NEXT_DOCUMENT_DATA = 0x004A


# Names as the IANA IPP registry spells them where title-casing gets them wrong.
_OPERATION_NAME_EXCEPTIONS: Final = {
    IppOperation.PRINT_URI: "Print-URI",
    IppOperation.SEND_URI: "Send-URI",
}


class IppStatusCode(IntEnum):
    """IPP status codes (RFC 8011 §4.1.6, PWG 5100.x)."""

    SUCCESSFUL_OK = 0x0000
    SUCCESSFUL_OK_IGNORED_OR_SUBSTITUTED_ATTRIBUTES = 0x0001
    SUCCESSFUL_OK_CONFLICTING_ATTRIBUTES = 0x0002
    SUCCESSFUL_OK_IGNORED_SUBSCRIPTIONS = 0x0003
    SUCCESSFUL_OK_TOO_MANY_EVENTS = 0x0005
    SUCCESSFUL_OK_EVENTS_COMPLETE = 0x0007
    CLIENT_ERROR_BAD_REQUEST = 0x0400
    CLIENT_ERROR_FORBIDDEN = 0x0401
    CLIENT_ERROR_NOT_AUTHENTICATED = 0x0402
    CLIENT_ERROR_NOT_AUTHORIZED = 0x0403
    CLIENT_ERROR_NOT_POSSIBLE = 0x0404
    CLIENT_ERROR_TIMEOUT = 0x0405
    CLIENT_ERROR_NOT_FOUND = 0x0406
    CLIENT_ERROR_GONE = 0x0407
    CLIENT_ERROR_REQUEST_ENTITY_TOO_LARGE = 0x0408
    CLIENT_ERROR_REQUEST_VALUE_TOO_LONG = 0x0409
    CLIENT_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED = 0x040A
    CLIENT_ERROR_ATTRIBUTES_OR_VALUES_NOT_SUPPORTED = 0x040B
    CLIENT_ERROR_URI_SCHEME_NOT_SUPPORTED = 0x040C
    CLIENT_ERROR_CHARSET_NOT_SUPPORTED = 0x040D
    CLIENT_ERROR_CONFLICTING_ATTRIBUTES = 0x040E
    CLIENT_ERROR_COMPRESSION_NOT_SUPPORTED = 0x040F
    CLIENT_ERROR_COMPRESSION_ERROR = 0x0410
    CLIENT_ERROR_DOCUMENT_FORMAT_ERROR = 0x0411
    CLIENT_ERROR_DOCUMENT_ACCESS_ERROR = 0x0412
    CLIENT_ERROR_ATTRIBUTES_NOT_SETTABLE = 0x0413
    CLIENT_ERROR_IGNORED_ALL_SUBSCRIPTIONS = 0x0414
    CLIENT_ERROR_TOO_MANY_SUBSCRIPTIONS = 0x0415
    CLIENT_ERROR_DOCUMENT_PASSWORD_ERROR = 0x0418
    CLIENT_ERROR_DOCUMENT_PERMISSION_ERROR = 0x0419
    CLIENT_ERROR_DOCUMENT_SECURITY_ERROR = 0x041A
    CLIENT_ERROR_DOCUMENT_UNPRINTABLE_ERROR = 0x041B
    CLIENT_ERROR_ACCOUNT_INFO_NEEDED = 0x041C
    CLIENT_ERROR_ACCOUNT_CLOSED = 0x041D
    CLIENT_ERROR_ACCOUNT_LIMIT_REACHED = 0x041E
    CLIENT_ERROR_ACCOUNT_AUTHORIZATION_FAILED = 0x041F
    CLIENT_ERROR_NOT_FETCHABLE = 0x0420
    SERVER_ERROR_INTERNAL_ERROR = 0x0500
    SERVER_ERROR_OPERATION_NOT_SUPPORTED = 0x0501
    SERVER_ERROR_SERVICE_UNAVAILABLE = 0x0502
    SERVER_ERROR_VERSION_NOT_SUPPORTED = 0x0503
    SERVER_ERROR_DEVICE_ERROR = 0x0504
    SERVER_ERROR_TEMPORARY_ERROR = 0x0505
    SERVER_ERROR_NOT_ACCEPTING_JOBS = 0x0506
    SERVER_ERROR_BUSY = 0x0507
    SERVER_ERROR_JOB_CANCELED = 0x0508
    SERVER_ERROR_MULTIPLE_DOCUMENT_JOBS_NOT_SUPPORTED = 0x0509
    SERVER_ERROR_PRINTER_IS_DEACTIVATED = 0x050A
    SERVER_ERROR_TOO_MANY_JOBS = 0x050B
    SERVER_ERROR_TOO_MANY_DOCUMENTS = 0x050C


def ipp_operation_name(code: int) -> str:
    """Registry name of an operation id, e.g. ``Identify-Printer``; else ``0x4029``."""
    try:
        op = IppOperation(code)
    except ValueError:
        return f"0x{code:04x}"
    if op in _OPERATION_NAME_EXCEPTIONS:
        return _OPERATION_NAME_EXCEPTIONS[op]
    return "-".join(part.capitalize() for part in op.name.split("_"))


def ipp_status_name(code: int) -> str:
    """Keyword of a status code, e.g. ``server-error-busy``; else ``0x0bad``."""
    try:
        return IppStatusCode(code).name.lower().replace("_", "-")
    except ValueError:
        return f"0x{code:04x}"


def ipp_successful(status_code: int) -> bool:
    """Whether a status code is in the ``successful-*`` range."""
    return 0 <= status_code <= 0x00FF


# --- value classes -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IppResolution:
    """A ``resolution`` value; ``units`` 3 = dots per inch, 4 = dots per cm."""

    cross_feed: int
    feed: int
    units: int = 3

    @property
    def dpi(self) -> int:
        """Cross-feed resolution in dots per inch."""
        if self.units == 4:
            return round(self.cross_feed * 2.54)
        return self.cross_feed


@dataclass(frozen=True, slots=True)
class IppRangeOfInteger:
    """A ``rangeOfInteger`` value (inclusive)."""

    lower: int
    upper: int


@dataclass(frozen=True, slots=True)
class IppTextWithLanguage:
    """A ``textWithLanguage`` or ``nameWithLanguage`` value."""

    text: str
    language: str

    def __str__(self) -> str:
        """The text alone."""
        return self.text


@dataclass(frozen=True, slots=True)
class IppDateTime:
    """An RFC 2579 DateAndTime, kept field by field so odd values survive."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    deciseconds: int = 0
    utc_direction: str = "+"
    utc_hours: int = 0
    utc_minutes: int = 0

    @classmethod
    def from_datetime(cls, value: dt.datetime) -> IppDateTime:
        """From an aware datetime (naive ones are taken as UTC)."""
        offset = value.utcoffset() or dt.timedelta()
        direction = "-" if offset < dt.timedelta() else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        return cls(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond // 100_000,
            direction,
            minutes // 60,
            minutes % 60,
        )


@dataclass(frozen=True, slots=True)
class IppOutOfBand:
    """An out-of-band value (``no-value``, ``unknown``, ``unsupported``, …).

    The tag is also on the attribute; ``data`` keeps the rare non-empty payload.
    """

    tag: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class IppExtension:
    """A value with tag 0x7F: a 4-byte extended type code, then the value."""

    type_code: int
    data: bytes = b""


class _AttributeMap:
    """Ordered attributes by name; shared by groups and collections."""

    __slots__ = ("_attributes",)

    def __init__(self, attributes: Iterable[IppAttribute] = ()) -> None:
        self._attributes: dict[str, IppAttribute] = {}
        for attribute in attributes:
            self.add(attribute)

    def add(self, attribute: IppAttribute) -> IppAttribute:
        """Add an attribute, replacing one of the same name in place."""
        self._attributes[attribute.name] = attribute
        return attribute

    def set(self, name: str, tag: int, *values: IppValue) -> IppAttribute:
        """Add (or replace) an attribute built from a tag and values."""
        return self.add(IppAttribute(name, tag, *values))

    def remove(self, name: str) -> None:
        """Remove an attribute if present."""
        self._attributes.pop(name, None)

    def get(self, name: str) -> IppAttribute | None:
        """The attribute of that name, or None."""
        return self._attributes.get(name)

    def value(self, name: str) -> IppValue | None:
        """First value of an attribute, or None when absent."""
        attribute = self._attributes.get(name)
        return attribute.values[0] if attribute is not None else None

    def values(self, name: str) -> list[IppValue]:
        """All values of an attribute; empty when absent."""
        attribute = self._attributes.get(name)
        return list(attribute.values) if attribute is not None else []

    def __getitem__(self, name: str) -> IppAttribute:
        return self._attributes[name]

    def __contains__(self, name: object) -> bool:
        return name in self._attributes

    def __iter__(self) -> Iterator[IppAttribute]:
        return iter(self._attributes.values())

    def __len__(self) -> int:
        return len(self._attributes)

    def names(self) -> list[str]:
        """Attribute names in order."""
        return list(self._attributes)

    def _same(self, other: _AttributeMap) -> bool:
        return list(self._attributes.values()) == list(other._attributes.values())


class IppCollection(_AttributeMap):
    """A ``collection`` value: ordered member attributes."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        """Same tags, names and values in the same order."""
        return isinstance(other, IppCollection) and self._same(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Debug representation."""
        return f"Collection({list(self)!r})"


type IppValue = (
    int
    | bool
    | str
    | bytes
    | IppDateTime
    | IppResolution
    | IppRangeOfInteger
    | IppTextWithLanguage
    | IppCollection
    | IppOutOfBand
    | IppExtension
)
"""A decoded IPP value; which one depends on the value tag.

integer/enum → int, boolean → bool, octetString and unknown tags → bytes,
character-string tags → str, the rest → the class of that name.
"""


class IppAttribute:
    """One attribute: a name and one or more values, each with its value tag.

    ``Attribute("printer-state", ValueTag.ENUM, 3)``. Values of a 1setOf
    usually share a tag but need not (``keyword | name``, out-of-band), so each
    value keeps its own; ``tag`` is the first one's.
    """

    __slots__ = ("name", "tags", "values")

    def __init__(self, name: str, tag: int, *values: IppValue) -> None:
        """Create an attribute; without values it must be given some later."""
        self.name = name
        self.values: list[IppValue] = list(values)
        self.tags: list[int] = [tag] * len(self.values) if values else [tag]

    def append(self, value: IppValue, tag: int | None = None) -> None:
        """Add a value (an additional value of a 1setOf)."""
        if not self.values:
            self.tags = [self.tags[0] if tag is None else tag]
        else:
            self.tags.append(self.tags[0] if tag is None else tag)
        self.values.append(value)

    @property
    def tag(self) -> int:
        """Value tag of the first value."""
        return self.tags[0]

    @property
    def value(self) -> IppValue:
        """The first value."""
        return self.values[0]

    def value_tags(self) -> Iterator[tuple[int, IppValue]]:
        """Pairs of (value tag, value)."""
        return zip(self.tags, self.values, strict=True)

    def __eq__(self, other: object) -> bool:
        """Same tags, names and values in the same order."""
        return (
            isinstance(other, IppAttribute)
            and self.name == other.name
            and self.tags == other.tags
            and self.values == other.values
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Debug representation."""
        if len(set(self.tags)) == 1:
            tag = _tag_repr(self.tags[0])
            return (
                f"Attribute({self.name!r}, {tag}, {', '.join(map(repr, self.values))})"
            )
        pairs = ", ".join(
            f"{_tag_repr(t)}:{v!r}" for t, v in zip(self.tags, self.values, strict=True)
        )
        return f"Attribute({self.name!r}, [{pairs}])"


def _tag_repr(tag: int) -> str:
    try:
        return IppValueTag(tag).name
    except ValueError:
        return f"0x{tag:02x}"


class IppAttributeGroup(_AttributeMap):
    """An attribute group: its delimiter tag and ordered attributes."""

    __slots__ = ("tag",)

    def __init__(self, tag: int, attributes: Iterable[IppAttribute] = ()) -> None:
        """Create a group with tag ``tag`` (see :class:`IppGroupTag`)."""
        super().__init__(attributes)
        self.tag = tag

    def __eq__(self, other: object) -> bool:
        """Same tags, names and values in the same order."""
        return (
            isinstance(other, IppAttributeGroup)
            and self.tag == other.tag
            and self._same(other)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Debug representation."""
        try:
            tag = IppGroupTag(self.tag).name
        except ValueError:
            tag = f"0x{self.tag:02x}"
        return f"AttributeGroup({tag}, {list(self)!r})"


@dataclass(slots=True)
class IppMessage:
    """An IPP request or response.

    ``code`` is the operation-id of a request or the status-code of a response;
    ``data`` is the document data after the end-of-attributes tag.
    """

    code: int
    request_id: int = 1
    groups: list[IppAttributeGroup] = field(default_factory=list)
    version: tuple[int, int] = (2, 0)
    data: bytes = b""

    @property
    def operation_id(self) -> int:
        """The code, read as a request."""
        return self.code

    @property
    def status_code(self) -> int:
        """The code, read as a response."""
        return self.code

    def group(self, tag: int) -> IppAttributeGroup | None:
        """The first group with that tag, or None."""
        for group in self.groups:
            if group.tag == tag:
                return group
        return None

    def groups_of(self, tag: int) -> list[IppAttributeGroup]:
        """Every group with that tag (Get-Jobs answers one job group per job)."""
        return [group for group in self.groups if group.tag == tag]

    def add_group(self, tag: int) -> IppAttributeGroup:
        """Append a new group and return it."""
        group = IppAttributeGroup(tag)
        self.groups.append(group)
        return group

    @property
    def operation(self) -> IppAttributeGroup:
        """The operation group (an empty detached one when missing)."""
        group = self.group(IppGroupTag.OPERATION)
        return IppAttributeGroup(IppGroupTag.OPERATION) if group is None else group

    @property
    def printer(self) -> IppAttributeGroup:
        """The first printer group (an empty detached one when missing)."""
        group = self.group(IppGroupTag.PRINTER)
        return IppAttributeGroup(IppGroupTag.PRINTER) if group is None else group

    @property
    def job(self) -> IppAttributeGroup:
        """The first job group (an empty detached one when missing)."""
        group = self.group(IppGroupTag.JOB)
        return IppAttributeGroup(IppGroupTag.JOB) if group is None else group

    def find(self, name: str) -> IppAttribute | None:
        """The first attribute of that name in any group."""
        for group in self.groups:
            if (attribute := group.get(name)) is not None:
                return attribute
        return None

    def encode(self) -> bytes:
        """The wire bytes, document data included."""
        return encode_ipp(self)

    @classmethod
    def decode(
        cls,
        data: bytes,
        *,
        max_size: int = MAX_MESSAGE_SIZE,
        max_values: int = MAX_VALUES,
        keep: Mapping[str, int] | None = None,
    ) -> IppMessage:
        """Decode a whole message; see :func:`decode_ipp`."""
        return decode_ipp(data, max_size=max_size, max_values=max_values, keep=keep)


# --- helpers for building messages ---------------------------------------------


def new_ipp_request(
    operation: int,
    printer_uri: str | None = None,
    *,
    request_id: int = 1,
    requesting_user_name: str | None = None,
    natural_language: str = "en",
    version: tuple[int, int] = (2, 0),
) -> IppMessage:
    """A request with the standard operation attributes in the order RFC 8011 wants.

    ``attributes-charset`` utf-8 and ``attributes-natural-language`` (``en``
    by default: HP firmware mangles nameWithLanguage for other languages),
    then ``printer-uri`` and ``requesting-user-name`` when given.
    """
    message = IppMessage(operation, request_id, version=version)
    group = message.add_group(IppGroupTag.OPERATION)
    group.set("attributes-charset", IppValueTag.CHARSET, "utf-8")
    group.set(
        "attributes-natural-language", IppValueTag.NATURAL_LANGUAGE, natural_language
    )
    if printer_uri is not None:
        group.set("printer-uri", IppValueTag.URI, printer_uri)
    if requesting_user_name is not None:
        group.set("requesting-user-name", IppValueTag.NAME, requesting_user_name)
    return message


def new_ipp_response(
    status_code: int,
    request_id: int,
    *,
    natural_language: str = "en",
    status_message: str | None = None,
    version: tuple[int, int] = (2, 0),
) -> IppMessage:
    """A response with the operation attributes every response starts with."""
    message = IppMessage(status_code, request_id, version=version)
    group = message.add_group(IppGroupTag.OPERATION)
    group.set("attributes-charset", IppValueTag.CHARSET, "utf-8")
    group.set(
        "attributes-natural-language", IppValueTag.NATURAL_LANGUAGE, natural_language
    )
    if status_message is not None:
        group.set("status-message", IppValueTag.TEXT, status_message)
    return message


# --- decoding -------------------------------------------------------------------

_U16 = struct.Struct(">H")
_I32 = struct.Struct(">i")
_HEADER = struct.Struct(">BBHI")
_RESOLUTION = struct.Struct(">iiB")
_RANGE = struct.Struct(">ii")
_DATETIME = struct.Struct(">HBBBBBBcBB")

_STRING_TAGS: Final = frozenset(
    {
        IppValueTag.TEXT,
        IppValueTag.NAME,
        IppValueTag.KEYWORD,
        IppValueTag.URI,
        IppValueTag.URI_SCHEME,
        IppValueTag.CHARSET,
        IppValueTag.NATURAL_LANGUAGE,
        IppValueTag.MIME_MEDIA_TYPE,
        IppValueTag.MEMBER_ATTR_NAME,
    }
)
_WITH_LANGUAGE_TAGS: Final = frozenset(
    {IppValueTag.TEXT_WITH_LANGUAGE, IppValueTag.NAME_WITH_LANGUAGE}
)


# Tags as plain ints: the decoding loop compares them once per value.
_DELIMITER_END: Final = int(IppGroupTag.END)
_BEG_COLLECTION: Final = int(IppValueTag.BEG_COLLECTION)
_END_COLLECTION: Final = int(IppValueTag.END_COLLECTION)
_MEMBER_ATTR_NAME: Final = int(IppValueTag.MEMBER_ATTR_NAME)
_COLLECTION_ONLY: Final = frozenset({_END_COLLECTION, _MEMBER_ATTR_NAME})
_TEXT_TAGS: Final = frozenset(int(tag) for tag in _STRING_TAGS)
_LANGUAGE_TAGS: Final = frozenset(int(tag) for tag in _WITH_LANGUAGE_TAGS)
_INTEGER_TAGS: Final = frozenset({int(IppValueTag.INTEGER), int(IppValueTag.ENUM)})
_UNLIMITED: Final = 1 << 62


def _text(raw: bytes) -> str:
    # surrogateescape: never fails, and re-encoding gives the same bytes back.
    return raw.decode("utf-8", "surrogateescape")


def decode_ipp(
    data: bytes | bytearray | memoryview,
    *,
    max_size: int = MAX_MESSAGE_SIZE,
    max_values: int = MAX_VALUES,
    keep: Mapping[str, int] | None = None,
) -> IppMessage:
    """Decode a whole IPP message; document data ends up in ``message.data``.

    ``max_values`` and ``keep`` as for :func:`decode_ipp_header`.

    Raises:
        HPEWSParseError: malformed, truncated (:class:`IppTruncatedError`),
            larger than ``max_size`` bytes or holding more than
            ``max_values`` values.
    """
    if len(data) > max_size:
        raise HPEWSParseError(f"IPP message larger than the {max_size} byte limit")
    message, offset = decode_ipp_header(
        data, max_size=max_size, max_values=max_values, keep=keep
    )
    message.data = bytes(data[offset:])
    return message


def decode_ipp_header(
    data: bytes | bytearray | memoryview,
    *,
    max_size: int = MAX_HEADER_SIZE,
    max_values: int = MAX_VALUES,
    keep: Mapping[str, int] | None = None,
) -> tuple[IppMessage, int]:
    """Decode up to the end-of-attributes tag.

    Returns the message and the offset where the document data starts, so a
    server can stream the document instead of buffering it.

    ``data`` may be a prefix of the message that holds at least the attributes;
    when it is too short :class:`IppTruncatedError` is raised. Attributes that
    do not end within ``max_size`` bytes raise :class:`HPEWSParseError`, and so
    does a message of more than ``max_values`` values (collection members and
    skipped values count too): the work is bounded while reading.

    ``keep`` maps the names of the attributes to decode to the most values to
    keep of each. Every other attribute, and the values beyond those counts,
    is stepped over without building a Python object, so the attributes a
    caller does not use cost little. Such a message is not lossless.
    """
    return _Decoder(data, max_size, max_values, keep).message()


class _Decoder:
    """One decoding pass over a bounds-checked byte string.

    Lengths are read inline rather than through a reader object: this is
    the loop a hostile printer can make run a million times.
    """

    __slots__ = ("buf", "end", "keep", "limit", "values_left")

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        max_size: int,
        max_values: int,
        keep: Mapping[str, int] | None,
    ) -> None:
        if isinstance(data, bytes):
            buf = data[:max_size] if len(data) > max_size else data
        else:
            buf = bytes(memoryview(data).cast("B")[:max_size])
        self.buf = buf
        self.end = len(buf)
        self.limit = max_size
        self.values_left = max_values
        self.keep = (
            None
            if keep is None
            else {
                name.encode("utf-8", "surrogateescape"): count
                for name, count in keep.items()
                if count > 0
            }
        )

    def short(self, needed: int) -> HPEWSParseError:
        """The error for input that ends before ``needed`` bytes."""
        if needed > self.limit:
            return HPEWSParseError(
                f"IPP message larger than the {self.limit} byte limit"
            )
        return IppTruncatedError("IPP message truncated")

    def too_many(self) -> HPEWSParseError:
        return HPEWSParseError("IPP message with too many values")

    def message(self) -> tuple[IppMessage, int]:
        buf, end, keep = self.buf, self.end, self.keep
        if end < _HEADER.size:
            raise self.short(_HEADER.size)
        major, minor, code, request_id = _HEADER.unpack_from(buf)
        message = IppMessage(code, request_id, version=(major, minor))
        attributes: dict[str, IppAttribute] | None = None
        current: IppAttribute | None = None
        room = 0  # values ``current`` may still take
        values_left = self.values_left
        pos = _HEADER.size
        while True:
            if pos >= end:
                raise self.short(pos + 1)
            tag = buf[pos]
            if tag < 0x10:
                pos += 1
                if tag == _DELIMITER_END:
                    return message, pos
                if tag == 0x00:
                    raise HPEWSParseError("IPP delimiter tag 0x00 is reserved")
                attributes = message.add_group(tag)._attributes  # noqa: SLF001
                current = None
                continue
            if attributes is None:
                raise HPEWSParseError("IPP attribute outside any attribute group")
            if pos + 3 > end:
                raise self.short(pos + 3)
            name_end = pos + 3 + ((buf[pos + 1] << 8) | buf[pos + 2])
            if name_end + 2 > end:
                raise self.short(name_end + 2)
            start = name_end + 2
            stop = start + ((buf[name_end] << 8) | buf[name_end + 1])
            if stop > end:
                raise self.short(stop)
            values_left -= 1
            if values_left < 0:
                raise self.too_many()
            if name_end > pos + 3:
                # A named value starts an attribute.
                if tag in _COLLECTION_ONLY:
                    raise HPEWSParseError(f"IPP tag 0x{tag:02x} outside a collection")
                raw_name = buf[pos + 3 : name_end]
                room = _UNLIMITED if keep is None else keep.get(raw_name, 0)
                name = _text(raw_name)
                if room and name in attributes:
                    room = 0  # a duplicate breaks the protocol: the first wins
                if not room:
                    pos, values_left = self.step_over(tag, start, stop, values_left)
                    continue
                self.values_left = values_left
                value, pos = self.value(tag, start, stop, 0)
                values_left = self.values_left
                current = IppAttribute(name, tag, value)
                attributes[name] = current
                room -= 1
            elif current is None:
                raise HPEWSParseError("IPP additional value without an attribute")
            elif not room:
                pos, values_left = self.step_over(tag, start, stop, values_left)
            else:
                self.values_left = values_left
                value, pos = self.value(tag, start, stop, 0)
                values_left = self.values_left
                current.append(value, tag)
                room -= 1

    def step_over(
        self, tag: int, start: int, stop: int, values_left: int
    ) -> tuple[int, int]:
        """Skip the value at ``start`` and the values after it not to decode.

        Stops at a delimiter or at an attribute to decode, returning where,
        and how many values may still follow. This is the loop a hostile
        answer makes run most: it builds nothing and decodes no name.
        """
        buf, end, keep = self.buf, self.end, self.keep
        pos = self.language_parts(start, stop)[3] if tag in _LANGUAGE_TAGS else stop
        try:
            while True:
                tag = buf[pos]
                if tag < 0x10:
                    return pos, values_left
                name_end = pos + 3 + ((buf[pos + 1] << 8) | buf[pos + 2])
                if name_end > pos + 3 and (
                    keep is None
                    or tag in _COLLECTION_ONLY
                    or buf[pos + 3 : name_end] in keep
                ):
                    return pos, values_left
                # Members of a skipped collection are nameless values too.
                stop = name_end + 2 + ((buf[name_end] << 8) | buf[name_end + 1])
                if stop > end:
                    raise self.short(stop)
                if tag in _LANGUAGE_TAGS:
                    stop = self.language_parts(name_end + 2, stop)[3]
                values_left -= 1
                if values_left < 0:
                    raise self.too_many()
                pos = stop
        except IndexError:
            # The input ended inside a value's tag or lengths.
            raise self.short(self.header_end(pos)) from None

    def header_end(self, pos: int) -> int:
        """Bytes needed for the tag and lengths of the value at ``pos``."""
        if pos >= self.end:
            return pos + 1
        if pos + 3 > self.end:
            return pos + 3
        return pos + 5 + ((self.buf[pos + 1] << 8) | self.buf[pos + 2])

    def value(
        self, tag: int, start: int, stop: int, depth: int
    ) -> tuple[IppValue, int]:
        """The value in ``buf[start:stop]`` and where the next record starts."""
        buf = self.buf
        if tag in _COLLECTION_ONLY:
            raise HPEWSParseError(f"IPP tag 0x{tag:02x} outside a collection")
        if tag in _TEXT_TAGS:
            return buf[start:stop].decode("utf-8", "surrogateescape"), stop
        length = stop - start
        if tag in _INTEGER_TAGS:
            _expect_length(tag, length, 4)
            integer: int = _I32.unpack_from(buf, start)[0]
            return integer, stop
        if tag == IppValueTag.BOOLEAN:
            _expect_length(tag, length, 1)
            return buf[start] != 0, stop
        if tag in _LANGUAGE_TAGS:
            lang_start, lang_end, text_start, text_end = self.language_parts(
                start, stop
            )
            return IppTextWithLanguage(
                _text(buf[text_start:text_end]), _text(buf[lang_start:lang_end])
            ), text_end
        if tag == _BEG_COLLECTION:
            # The begCollection value is empty by RFC 8010; any payload is ignored.
            return self.collection(stop, depth + 1)
        if tag == IppValueTag.DATE_TIME:
            _expect_length(tag, length, _DATETIME.size)
            y, mo, d, h, mi, s, ds, direction, utc_h, utc_m = _DATETIME.unpack_from(
                buf, start
            )
            return IppDateTime(
                y, mo, d, h, mi, s, ds, direction.decode("latin-1"), utc_h, utc_m
            ), stop
        if tag == IppValueTag.RESOLUTION:
            _expect_length(tag, length, _RESOLUTION.size)
            return IppResolution(*_RESOLUTION.unpack_from(buf, start)), stop
        if tag == IppValueTag.RANGE_OF_INTEGER:
            _expect_length(tag, length, _RANGE.size)
            return IppRangeOfInteger(*_RANGE.unpack_from(buf, start)), stop
        if 0x10 <= tag <= 0x1F:
            return IppOutOfBand(tag, buf[start:stop]), stop
        if tag == IppValueTag.EXTENSION:
            if length < 4:
                raise HPEWSParseError("IPP extension value shorter than its type code")
            return IppExtension(
                int.from_bytes(buf[start : start + 4]), buf[start + 4 : stop]
            ), stop
        # octetString and unknown tags: the bytes as sent.
        return buf[start:stop], stop

    def language_parts(self, start: int, stop: int) -> tuple[int, int, int, int]:
        """Where the language and the text of a ``*WithLanguage`` value are.

        Returns (language start, language end, text start, text end).
        """
        buf = self.buf
        length = stop - start
        if length >= 4:
            language_length = (buf[start] << 8) | buf[start + 1]
            if language_length + 4 <= length:
                text_at = start + 2 + language_length
                text_length = (buf[text_at] << 8) | buf[text_at + 1]
                if language_length + text_length + 4 == length:
                    return start + 2, text_at, text_at + 2, stop
        # HP firmware (LaserJet 100 M175nw) omits the outer value-length: what
        # we read as the value length is the language length, then text
        # length + text.
        if stop + 2 > self.end:
            raise self.short(stop + 2)
        text_end = stop + 2 + ((buf[stop] << 8) | buf[stop + 1])
        if text_end > self.end:
            raise self.short(text_end)
        return start, stop, stop + 2, text_end

    def collection(self, pos: int, depth: int) -> tuple[IppCollection, int]:
        """The collection whose first member starts at ``pos``, and its end."""
        if depth > MAX_COLLECTION_DEPTH:
            raise HPEWSParseError("IPP collections nested too deeply")
        buf, end = self.buf, self.end
        collection = IppCollection()
        members = collection._attributes  # noqa: SLF001
        member: IppAttribute | None = None
        while True:
            if pos >= end:
                raise self.short(pos + 1)
            tag = buf[pos]
            if tag < 0x10:
                raise HPEWSParseError("IPP collection not closed before a delimiter")
            if pos + 3 > end:
                raise self.short(pos + 3)
            if buf[pos + 1] or buf[pos + 2]:
                raise HPEWSParseError("IPP collection member value with a name")
            if pos + 5 > end:
                raise self.short(pos + 5)
            start = pos + 5
            stop = start + ((buf[pos + 3] << 8) | buf[pos + 4])
            if stop > end:
                raise self.short(stop)
            self.values_left -= 1
            if self.values_left < 0:
                raise self.too_many()
            if tag in _COLLECTION_ONLY:
                if member is not None and not member.values:
                    raise HPEWSParseError("IPP collection member without a value")
                if tag == _END_COLLECTION:
                    return collection, stop
                name = _text(buf[start:stop])
                member = IppAttribute(name, tag)
                if name not in members:
                    members[name] = member
                pos = stop
                continue
            if member is None:
                raise HPEWSParseError("IPP collection value before a member name")
            value, pos = self.value(tag, start, stop, depth)
            member.append(value, tag)


def _expect_length(tag: int, length: int, expected: int) -> None:
    if length != expected:
        raise HPEWSParseError(
            f"IPP value with tag 0x{tag:02x} has length {length}, expected {expected}"
        )


# --- encoding -------------------------------------------------------------------


def encode_ipp(message: IppMessage) -> bytes:
    """Encode a message, document data included.

    Raises:
        ValueError, TypeError: the message holds a value its tag cannot carry
            (a bug in the caller, not a printer problem).
    """
    try:
        header = _HEADER.pack(*message.version, message.code, message.request_id)
    except struct.error as err:
        raise ValueError(f"invalid IPP message header: {err}") from err
    out = bytearray(header)
    for group in message.groups:
        if not 0x01 <= group.tag <= 0x0F or group.tag == IppGroupTag.END:
            raise ValueError(f"invalid IPP group tag 0x{group.tag:02x}")
        out.append(group.tag)
        for attribute in group:
            _write_attribute(out, attribute, named=True)
    out.append(IppGroupTag.END)
    out += message.data
    return bytes(out)


def _write_field(out: bytearray, raw: bytes) -> None:
    if len(raw) > _MAX_FIELD:
        raise ValueError("IPP name or value longer than 65535 bytes")
    out += _U16.pack(len(raw))
    out += raw


def _write_attribute(out: bytearray, attribute: IppAttribute, *, named: bool) -> None:
    if not attribute.values:
        raise ValueError(f"IPP attribute {attribute.name!r} has no values")
    name = attribute.name.encode("utf-8", "surrogateescape")
    if not named:
        # Collection member: its name travels as a memberAttrName value.
        out.append(IppValueTag.MEMBER_ATTR_NAME)
        _write_field(out, b"")
        _write_field(out, name)
        name = b""
    for tag, value in attribute.value_tags():
        if not 0x10 <= tag <= 0xFF:
            raise ValueError(f"invalid IPP value tag 0x{tag:02x}")
        out.append(tag)
        _write_field(out, name)
        name = b""
        _write_value(out, tag, value)


def _write_value(out: bytearray, tag: int, value: IppValue) -> None:
    if tag == IppValueTag.BEG_COLLECTION:
        if not isinstance(value, IppCollection):
            raise TypeError("begCollection needs a Collection")
        _write_field(out, b"")
        for member in value:
            _write_attribute(out, member, named=False)
        out.append(IppValueTag.END_COLLECTION)
        _write_field(out, b"")
        _write_field(out, b"")
        return
    _write_field(out, _value_bytes(tag, value))


def _value_bytes(tag: int, value: IppValue) -> bytes:
    if tag in (IppValueTag.END_COLLECTION, IppValueTag.MEMBER_ATTR_NAME):
        raise ValueError(f"IPP tag 0x{tag:02x} is written by the encoder itself")
    if tag in _STRING_TAGS:
        return _check(value, str, tag).encode("utf-8", "surrogateescape")
    if tag in _WITH_LANGUAGE_TAGS:
        text = _check(value, IppTextWithLanguage, tag)
        out = bytearray()
        _write_field(out, text.language.encode("utf-8", "surrogateescape"))
        _write_field(out, text.text.encode("utf-8", "surrogateescape"))
        return bytes(out)
    if tag in (IppValueTag.INTEGER, IppValueTag.ENUM):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"IPP tag 0x{tag:02x} needs an int")
        try:
            return _I32.pack(value)
        except struct.error as err:
            raise ValueError(f"IPP integer out of range: {value}") from err
    if tag == IppValueTag.BOOLEAN:
        return b"\x01" if _check(value, bool, tag) else b"\x00"
    if tag == IppValueTag.DATE_TIME:
        date = _check(value, IppDateTime, tag)
        return _DATETIME.pack(
            date.year,
            date.month,
            date.day,
            date.hour,
            date.minute,
            date.second,
            date.deciseconds,
            date.utc_direction.encode("latin-1"),
            date.utc_hours,
            date.utc_minutes,
        )
    if tag == IppValueTag.RESOLUTION:
        res = _check(value, IppResolution, tag)
        return _RESOLUTION.pack(res.cross_feed, res.feed, res.units)
    if tag == IppValueTag.RANGE_OF_INTEGER:
        rng = _check(value, IppRangeOfInteger, tag)
        return _RANGE.pack(rng.lower, rng.upper)
    if 0x10 <= tag <= 0x1F:
        return _check(value, IppOutOfBand, tag).data
    if tag == IppValueTag.EXTENSION:
        ext = _check(value, IppExtension, tag)
        return ext.type_code.to_bytes(4) + ext.data
    if isinstance(value, str):
        # Convenience for octetString values that are text (printer-supply).
        return value.encode("utf-8")
    return _check(value, bytes, tag)


def _check[T](value: object, kind: type[T], tag: int) -> T:
    if not isinstance(value, kind):
        raise TypeError(
            f"IPP tag 0x{tag:02x} needs {kind.__name__}, got {type(value).__name__}"
        )
    return value
