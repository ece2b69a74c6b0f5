"""Shared pieces of the printing tests: documents, folders, a web server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from homeassistant.helpers import device_registry as dr, entity_registry as er
from PIL import Image, ImageDraw
import pytest

from custom_components.hp_ews.const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

PAGES = 3
"""Pages of the test PDF."""


@dataclass
class Folders:
    """The configuration folder and the one folder actions may read."""

    config: Path
    allowed: Path
    outside: Path

    @property
    def held(self) -> Path:
        """Where held documents are kept."""
        return self.config / ".storage" / "hp_ews_held"


@pytest.fixture(name="folders")
def folders_fixture(hass: HomeAssistant, tmp_path: Path) -> Folders:
    """A configuration folder of its own, with one allowed external folder."""
    result = Folders(tmp_path / "config", tmp_path / "allowed", tmp_path / "outside")
    for path in (result.config, result.allowed, result.outside):
        path.mkdir()
    hass.config.config_dir = str(result.config)
    hass.config.allowlist_external_dirs = {str(result.allowed)}
    return result


def write_pdf(path: Path, pages: int = PAGES) -> bytes:
    """An A4 PDF of ``pages`` pages, each with a black bar; returns its bytes."""
    images = []
    for number in range(pages):
        page = Image.new("RGB", (595, 842), "white")
        top = 100 + number * 150
        ImageDraw.Draw(page).rectangle((50, top, 545, top + 60), fill="black")
        images.append(page)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=72)
    return path.read_bytes()


def device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The device id of a configured printer."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    (device,) = [d for d in devices if (DOMAIN, entry.unique_id) in d.identifiers]
    return device.id


def entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, domain: str, key: str
) -> str:
    """The entity id of one of a printer's entities."""
    found = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{entry.unique_id}_{key}"
    )
    assert found is not None, key
    return found


@dataclass
class WebServer:
    """A web server on 127.0.0.1 whose routes a test fills."""

    url: str = ""
    routes: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = field(
        default_factory=dict
    )
    requests: list[str] = field(default_factory=list)

    def serve(self, path: str, body: bytes, *, chunked: bool = False, **kw: Any) -> str:
        """Serve ``body`` at ``path``; return its URL."""

        async def handler(request: web.Request) -> web.StreamResponse:
            if not chunked:
                return web.Response(body=body, content_type="application/pdf", **kw)
            response = web.StreamResponse(**kw)
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(body), 4096):
                await response.write(body[start : start + 4096])
            await response.write_eof()
            return response

        self.routes[path] = handler
        return self.url + path


@pytest.fixture(name="web_server")
async def web_server_fixture() -> AsyncIterator[WebServer]:
    """Serve documents to download, on loopback."""
    server = WebServer()

    async def dispatch(request: web.Request) -> web.StreamResponse:
        server.requests.append(request.path_qs)
        if (handler := server.routes.get(request.path)) is None:
            raise web.HTTPNotFound
        return await handler(request)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()
