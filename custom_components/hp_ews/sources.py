"""Where a document to print comes from: a local file, a URL or a media source.

Nothing here reads a document whole: a local file is handed over open (the
client reads it by position, in chunks), a download is an async iterator of
chunks that enforces the size cap and the time limit as the bytes arrive.

A local file is opened once, by the path it resolves to, after that path was
checked: no link is followed on the way (each folder is opened without
following links), so swapping a file or a folder for a link after the check
does not lead the open elsewhere. What is read is that open file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
import errno
import io
import os
from pathlib import Path, PurePosixPath
import stat
from typing import TYPE_CHECKING, Any, BinaryIO, Final, cast

import aiohttp
from homeassistant.components import media_source
from homeassistant.components.http.auth import async_sign_path
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from .const import (
    DOMAIN,
    MAX_DOCUMENT_BYTES,
    URL_CONNECT_TIMEOUT,
    URL_READ_TIMEOUT,
    URL_TIMEOUT,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from homeassistant.core import HomeAssistant

    from .client import DocumentSource

ATTR_FILE: Final = "file"
ATTR_URL: Final = "url"
ATTR_MEDIA_CONTENT_ID: Final = "media_content_id"
SOURCES: Final = (ATTR_FILE, ATTR_URL, ATTR_MEDIA_CONTENT_ID)

DOWNLOAD_CHUNK: Final = 256 * 1024
SIGNED_PATH_LIFETIME: Final = timedelta(minutes=5)
LOCAL_MEDIA_SOURCE: Final = "media_source"
"""Domain of the media source serving the media directories."""


@dataclass(frozen=True, slots=True)
class Document:
    """A document ready to be read: an open local file, or a download in progress."""

    source: DocumentSource
    name: str
    size: int | None = None
    """Bytes of a local file when it was opened; None for a download."""

    @property
    def file(self) -> BinaryIO | None:
        """The open local file, when the document is one."""
        if isinstance(self.source, io.IOBase):
            return cast("BinaryIO", self.source)
        return None


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


def _open_no_links(path: Path) -> int:
    """Open an absolute, resolved path without following any link in it.

    Each folder is opened relative to the one before, refusing links
    (``O_NOFOLLOW``): a part replaced by a link since the path was resolved
    fails with ``ELOOP`` (or ``ENOTDIR``) instead of being followed.
    """
    nofollow = os.O_NOFOLLOW | os.O_CLOEXEC
    folder = os.open(path.anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in path.parts[1:-1]:
            inner = os.open(
                part, os.O_RDONLY | os.O_DIRECTORY | nofollow, dir_fd=folder
            )
            os.close(folder)
            folder = inner
        # Non-blocking: a FIFO must not hang the open.
        return os.open(path.name, os.O_RDONLY | os.O_NONBLOCK | nofollow, dir_fd=folder)
    finally:
        os.close(folder)


def open_checked(
    path: Path, allowed: Callable[[Path], bool], shown: str
) -> tuple[BinaryIO, int]:
    """Resolve ``path`` once, check where it leads, open exactly that (blocking).

    Returns the open file and its size. ``shown`` names the file in errors.

    Raises:
        ServiceValidationError: not allowed, missing, not a regular file,
            too large, or turned into a link since it was resolved.
    """
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise _error("file_not_found", path=shown) from err
    if not allowed(resolved):
        raise _error("path_not_allowed", path=shown)
    try:
        fd = _open_no_links(resolved)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _error("path_not_allowed", path=shown) from err
        raise _error("file_not_found", path=shown) from err
    handle = os.fdopen(fd, "rb", buffering=0)
    try:
        size = _checked_size(fd, shown)
    except BaseException:
        handle.close()
        raise
    return handle, size


def _checked_size(fd: int, shown: str) -> int:
    """The size of an open regular file within the limit."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _error("file_not_found", path=shown)
    if info.st_size > MAX_DOCUMENT_BYTES:
        raise _error("document_too_large", limit=_mib(MAX_DOCUMENT_BYTES))
    return info.st_size


@contextlib.asynccontextmanager
async def _async_local(
    hass: HomeAssistant, path: Path, allowed: Callable[[Path], bool], shown: str
) -> AsyncIterator[Document]:
    """Open a local file for the length of the action."""
    handle, size = await hass.async_add_executor_job(open_checked, path, allowed, shown)
    try:
        yield Document(handle, path.name, size)
    finally:
        await hass.async_add_executor_job(handle.close)


def _async_local_file(
    hass: HomeAssistant, name: str
) -> contextlib.AbstractAsyncContextManager[Document]:
    # Relative paths are relative to the configuration directory.
    path = Path(hass.config.path(name))
    return _async_local(
        hass,
        path,
        lambda resolved: hass.config.is_allowed_path(str(resolved)),
        str(path),
    )


def _download_name(url: URL) -> str:
    return PurePosixPath(url.path).name or url.host or "document"


async def _chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """The body of an HTTP response, chunk by chunk, within the limits.

    The client lets these errors through as they are, also while the bytes
    go straight on to the printer.
    """
    received = 0
    try:
        async for chunk in response.content.iter_chunked(DOWNLOAD_CHUNK):
            received += len(chunk)
            if received > MAX_DOCUMENT_BYTES:
                raise _error("document_too_large", limit=_mib(MAX_DOCUMENT_BYTES))
            yield chunk
    except TimeoutError as err:
        raise _error("url_timeout", seconds=str(int(URL_TIMEOUT))) from err
    except aiohttp.ClientError as err:
        raise _url_failed(err) from err
    finally:
        response.release()


def _url_failed(err: Exception) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="url_failed",
        translation_placeholders={"error": str(err) or type(err).__name__},
    )


@contextlib.asynccontextmanager
async def _async_download(hass: HomeAssistant, url: str) -> AsyncIterator[Document]:
    """Start a download; the body is read as the document is consumed."""
    session = async_get_clientsession(hass)
    timeout = aiohttp.ClientTimeout(
        total=URL_TIMEOUT, sock_connect=URL_CONNECT_TIMEOUT, sock_read=URL_READ_TIMEOUT
    )
    shown = str(URL(url).with_query(None).with_user(None).with_password(None))
    try:
        response = await session.get(url, timeout=timeout, allow_redirects=True)
    except TimeoutError as err:
        raise _error("url_timeout", seconds=str(int(URL_TIMEOUT))) from err
    except (aiohttp.ClientError, ValueError) as err:
        raise _url_failed(err) from err
    try:
        if response.status != 200:
            raise _error("url_status", url=shown, status=str(response.status))
        if (response.content_length or 0) > MAX_DOCUMENT_BYTES:
            raise _error("document_too_large", limit=_mib(MAX_DOCUMENT_BYTES))
        yield Document(_chunks(response), _download_name(URL(url)))
    finally:
        # Idempotent: a finished download already gave its connection back.
        response.release()


def _local_media_path(
    hass: HomeAssistant, media_content_id: str, play: Any
) -> Path | None:
    """The file behind a media directory item, instead of HTTP to ourselves."""
    # Home Assistant 2025.7+ tells the path itself.
    if isinstance(path := getattr(play, "path", None), Path):
        return path
    item = media_source.MediaSourceItem.from_uri(hass, media_content_id, None)
    if item.domain != LOCAL_MEDIA_SOURCE:
        return None
    # async_resolve_media has already refused unknown folders and "..".
    source_dir_id, _, location = item.identifier.partition("/")
    return Path(hass.config.media_dirs[source_dir_id], location)


def _media_root(hass: HomeAssistant, path: Path) -> Path:
    """The folder a media file may not lead out of through a link (blocking)."""
    for folder in hass.config.media_dirs.values():
        if path.is_relative_to(folder):
            return Path(folder).resolve()
    # Another media source's file (an uploaded image): its own folder.
    return path.parent.resolve()


async def _async_media(
    hass: HomeAssistant, media_content_id: str
) -> contextlib.AbstractAsyncContextManager[Document]:
    try:
        play = await media_source.async_resolve_media(hass, media_content_id, None)
    except (media_source.Unresolvable, HomeAssistantError, ValueError) as err:
        raise _error(
            "media_not_resolved", media_content_id=media_content_id, error=str(err)
        ) from err
    if (path := _local_media_path(hass, media_content_id, play)) is not None:
        root = await hass.async_add_executor_job(_media_root, hass, path)
        return _async_local(
            hass, path, lambda resolved: resolved.is_relative_to(root), media_content_id
        )
    url = play.url
    if url.startswith("/"):
        # Served by Home Assistant itself (an uploaded image, a snapshot).
        try:
            base = get_url(hass, allow_external=False)
        except NoURLAvailableError as err:
            raise _error(
                "media_not_resolved", media_content_id=media_content_id, error=str(err)
            ) from err
        url = base + async_sign_path(hass, url, SIGNED_PATH_LIFETIME)
    return _async_download(hass, url)


@contextlib.asynccontextmanager
async def async_open_document(
    hass: HomeAssistant, data: dict[str, Any]
) -> AsyncIterator[Document]:
    """Open the one source an action names.

    Raises:
        ServiceValidationError: no source or several, path not allowed, file
            missing, URL answering an error, document too large.
        HomeAssistantError: the URL cannot be reached.
    """
    given = [key for key in SOURCES if data.get(key)]
    if len(given) != 1:
        raise _error("one_source")
    key = given[0]
    opened: contextlib.AbstractAsyncContextManager[Document]
    if key == ATTR_FILE:
        opened = _async_local_file(hass, data[ATTR_FILE])
    elif key == ATTR_URL:
        opened = _async_download(hass, data[ATTR_URL])
    else:
        opened = await _async_media(hass, media_content_id(data[key]))
    async with opened as document:
        yield document


def media_content_id(value: str | dict[str, Any]) -> str:
    """The id from the media selector's ``{media_content_id: ...}`` or as given."""
    if isinstance(value, dict):
        return str(value["media_content_id"])
    return value
