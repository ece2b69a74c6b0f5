"""Where a document to print comes from: a local file, a URL or a media source.

Nothing here reads a document whole: a local file is handed over by path
(the client reads it in chunks), a download is an async iterator of chunks
that enforces the size cap and the time limit as the bytes arrive.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

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
    from collections.abc import AsyncIterator

    from homeassistant.core import HomeAssistant

    from .client.convert import DocumentSource

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
    """A document ready to be read: a local file, or a download in progress."""

    source: DocumentSource
    name: str

    @property
    def path(self) -> Path | None:
        """The local file, when the document is one."""
        return self.source if isinstance(self.source, Path) else None


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _check_local_file(hass: HomeAssistant, path: Path) -> None:
    """Refuse paths outside ``allowlist_external_dirs`` and non-files (blocking)."""
    if not hass.config.is_allowed_path(str(path)):
        raise _error("path_not_allowed", path=str(path))
    if not path.is_file():
        raise _error("file_not_found", path=str(path))
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise _error("document_too_large", limit=_mib(MAX_DOCUMENT_BYTES))


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


async def _async_local_file(hass: HomeAssistant, name: str) -> Document:
    # Relative paths are relative to the configuration directory.
    path = Path(hass.config.path(name))
    await hass.async_add_executor_job(_check_local_file, hass, path)
    return Document(path, path.name)


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

        def check() -> None:
            if not path.is_file():
                raise _error("file_not_found", path=media_content_id)
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise _error("document_too_large", limit=_mib(MAX_DOCUMENT_BYTES))

        await hass.async_add_executor_job(check)
        return contextlib.nullcontext(Document(path, path.name))
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
        yield await _async_local_file(hass, data[ATTR_FILE])
        return
    if key == ATTR_URL:
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
