"""The one firmware write: the printer's automatic-update setting.

It goes through ``transport.exchange`` to the one path ``WRITABLE_PATHS``
names for it, only when asked; its neighbours stay refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses
import pytest

from custom_components.hp_ews.client import (
    HPEWSError,
    HPEWSUnsupportedError,
    HPPrinter,
    PrinterProtocol,
    Profile,
    WriteRefusedError,
)
from custom_components.hp_ews.client.firmware import set_auto_update
from custom_components.hp_ews.client.transport import is_writable_path
from simulator import SimulatedPrinter
from tests.recording_proxy import RecordingProxy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from custom_components.hp_ews.client.transport import PrinterTransport

CONFIGURATION = "/cdm/firmwareUpdate/v2/configuration"
HOST = "printer.test"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def test_only_the_setting_is_writable() -> None:
    assert is_writable_path("PATCH", CONFIGURATION)
    for method, path in (
        ("PUT", CONFIGURATION),
        ("POST", CONFIGURATION),
        ("DELETE", CONFIGURATION),
        ("PATCH", CONFIGURATION + "/x"),
        ("PATCH", "/cdm/firmwareUpdate/v2/updateCheck"),
        ("PATCH", "/cdm/firmwareUpdate/v2/updateStatus"),
        ("PATCH", "/cdm/firmwareUpdate/v1/configuration"),
        ("PUT", "/FirmwareUpdate/WebFWUpdate/Config"),
        ("PUT", "/FirmwareUpdate/FirmwareMode"),
    ):
        assert not is_writable_path(method, path), (method, path)


@pytest.mark.usefixtures("socket_enabled")
async def test_write_reaches_the_printer(session: aiohttp.ClientSession) -> None:
    async with (
        SimulatedPrinter("smart-tank-580") as sim,
        RecordingProxy(sim.base_url) as wire,
    ):
        printer = HPPrinter("127.0.0.1", session, port=wire.port, timeout=5)
        snapshot = await printer.snapshot()
        # The configuration capture: autoUpdateEnabled "true", editable.
        assert snapshot.firmware.auto_update is True
        assert snapshot.firmware.auto_update_writable
        assert {s.method for s in wire.seen} == {"GET", "POST"}

        await printer.set_firmware_auto_update(False)
        assert sim.state.care.auto_update is False
        writes = [(s.method, s.path) for s in wire.seen if s.method == "PATCH"]
        assert writes == [("PATCH", CONFIGURATION)]

        again = await printer.snapshot(previous=snapshot)
        assert again.firmware.auto_update is False
        await printer.set_firmware_auto_update(True)
        assert sim.state.care.auto_update is True

        # A neighbouring path stays refused, before anything is sent.
        transport = _transport(printer)
        sent = len(wire.seen)
        with pytest.raises(WriteRefusedError):
            await transport.exchange(
                "PATCH",
                sim.base_url.replace(str(sim.port), str(wire.port))
                + "/cdm/firmwareUpdate/v2/updateCheck",
                body=b"{}",
            )
        assert len(wire.seen) == sent


async def test_printer_without_the_setting(session: aiohttp.ClientSession) -> None:
    printer = HPPrinter(HOST, session)
    ledm = Profile(base_url=f"http://{HOST}:80", protocols=(PrinterProtocol.LEDM,))
    with aioresponses() as mocked:
        with pytest.raises(HPEWSUnsupportedError):
            await set_auto_update(_transport(printer), ledm, False)
        assert not mocked.requests


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("status", "error"), [(404, HPEWSUnsupportedError), (400, HPEWSError)]
)
async def test_refusals(
    session: aiohttp.ClientSession, status: int, error: type[HPEWSError]
) -> None:
    bodies: list[bytes] = []

    async def refuse(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response(status=status)

    app = web.Application()
    app.router.add_patch(CONFIGURATION, refuse)
    async with TestServer(app, host="127.0.0.1") as server:
        printer = HPPrinter("127.0.0.1", session, port=server.port)
        cdm = Profile(
            base_url=f"http://127.0.0.1:{server.port}", protocols=(PrinterProtocol.CDM,)
        )
        with pytest.raises(error):
            await set_auto_update(_transport(printer), cdm, True)
    assert bodies == [b'{"autoUpdateEnabled":"true"}']


def _transport(printer: HPPrinter) -> PrinterTransport:
    return printer._transport


@pytest.mark.usefixtures("socket_enabled")
async def test_capture_carries_the_firmware_documents(
    session: aiohttp.ClientSession,
) -> None:
    async with SimulatedPrinter("smart-tank-580") as sim:
        printer = HPPrinter("127.0.0.1", session, port=sim.port, timeout=5)
        capture = await printer.capture()
    assert {
        "/cdm/firmwareUpdate/v2/updateCheck",
        "/cdm/firmwareUpdate/v2/configuration",
    } <= set(capture.http)
