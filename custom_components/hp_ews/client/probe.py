"""Find out which protocols a printer speaks, and where.

Order: CDM (``/cdm/servicesDiscovery``), then LEDM (``DiscoveryTree.xml``) on
the embedded web server, and IPP Get-Printer-Attributes (``/ipp/print``, then
``/ipp/printer``) alongside, because printing and Identify need IPP even on
CDM/LEDM printers. An explicit port is tried first for every protocol (the
simulator and capture replays serve all of them on one port), then the usual
ports: 80/443 for the web server, 631 and 443 for IPP. With HTTPS asked for,
only TLS is tried: the web server on 443, IPP over TLS (ipps) on 443, where
HP serves it, then on 631, where CUPS-style servers do.

Probing stays cheap: the web-server and IPP searches run side by side (the
transport never lets more than two requests fly), an endpoint that refused or
timed out is not asked again, and the whole probe has a time budget.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import logging
from typing import TYPE_CHECKING, Final

from yarl import URL

from . import ipp
from .errors import (
    HPEWSAuthenticationError,
    HPEWSConnectionError,
    HPEWSError,
    HPEWSIPPError,
    HPEWSParseError,
    HPEWSTimeoutError,
    HPEWSUnsupportedError,
)
from .ipp import codec, device_id
from .models import PrinterProtocol, Profile
from .protocols import cdm, ledm

if TYPE_CHECKING:
    from .transport import PrinterTransport

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
IPP_ENDPOINTS: Final = (("http", 631), ("https", 443))
IPPS_ENDPOINTS: Final = (("https", 443), ("https", 631))
"""IPP endpoints when HTTPS is asked for: nothing in the clear."""
IPP_PATHS: Final = ("/ipp/print", "/ipp/printer")
HP_MAKERS: Final = ("hp", "hewlett-packard", "hewlett packard")


def origin(scheme: str, host: str, port: int) -> str:
    """``scheme://host:port`` with the port always written out."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def _schemes(scheme: str | None) -> tuple[str, ...]:
    return (scheme,) if scheme else ("http", "https")


def ews_endpoints(port: int | None, scheme: str | None) -> list[tuple[str, int]]:
    """Web-server endpoints in the order they are tried."""
    schemes = _schemes(scheme)
    endpoints: list[tuple[str, int]] = []
    if port is not None:
        endpoints += [(each, port) for each in schemes]
    endpoints += [(each, DEFAULT_PORTS[each]) for each in schemes]
    return list(dict.fromkeys(endpoints))


def ipp_endpoints(port: int | None, scheme: str | None) -> list[tuple[str, int]]:
    """IPP endpoints in the order they are tried; TLS only with ``https``."""
    schemes = _schemes(scheme)
    endpoints: list[tuple[str, int]] = []
    if port is not None:
        endpoints += [(each, port) for each in schemes]
    endpoints += IPPS_ENDPOINTS if scheme == "https" else IPP_ENDPOINTS
    return list(dict.fromkeys(endpoints))


def probe_origins(host: str, port: int | None, scheme: str | None) -> list[str]:
    """Every origin a probe of ``host`` may ask, web server and IPP.

    These are the origins a printer configured this way lives at, so the
    only ones its credentials are for (see ``HttpTransport``).
    """
    endpoints = ews_endpoints(port, scheme) + ipp_endpoints(port, scheme)
    return [origin(each, host, number) for each, number in dict.fromkeys(endpoints)]


_MAKER_ATTRIBUTES = ("printer-device-id", "printer-make-and-model", "printer-info")


def ipp_maker(data: bytes) -> tuple[bool, str | None]:
    """Whether a Get-Printer-Attributes answer comes from an HP device.

    Read from the raw attributes (``printer-device-id`` MFG, then
    ``printer-make-and-model`` and ``printer-info``): the IPP parser writes
    "HP" into every model, so its result cannot tell. Returns the verdict and
    the make and model to name in an error.
    """
    printer = codec.decode_ipp(data, keep=dict.fromkeys(_MAKER_ATTRIBUTES, 1)).printer
    fields = device_id(_value_text(printer.value("printer-device-id")))
    maker = fields.get("MFG") or fields.get("MANUFACTURER")
    described = [
        text
        for name in ("printer-make-and-model", "printer-info")
        if (text := _value_text(printer.value(name)))
    ]
    if maker is not None:
        candidates = [maker]
    else:
        # A text of nothing but spaces names no maker (and has no first word).
        candidates = [words[0] for text in described if (words := text.split())]
    for candidate in candidates:
        if candidate.strip().lower() in HP_MAKERS or candidate.lower().startswith(
            "hewlett"
        ):
            return True, None
    return False, (described[0] if described else maker)


def _value_text(value: codec.IppValue | None) -> str:
    if isinstance(value, codec.IppTextWithLanguage):
        return value.text
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


@dataclass(slots=True)
class _Outcome:
    """What the probe learned, including why nothing may have answered."""

    dead: set[tuple[str, int]] = field(default_factory=set)
    answered: bool = False
    timed_out: bool = False
    auth_error: HPEWSAuthenticationError | None = None
    foreign: str | None = None
    """make-and-model of a non-HP IPP printer, when one answered."""


@dataclass(frozen=True, slots=True)
class _Ews:
    base_url: str
    protocol: PrinterProtocol
    resources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IppEndpoint:
    """Where IPP answered, and what it said."""

    url: str
    printer: ipp.IppPrinter


class Prober:
    """One probe run against one host."""

    def __init__(
        self,
        transport: PrinterTransport,
        host: str,
        *,
        port: int | None = None,
        scheme: str | None = None,
        budget: float = 20.0,
    ) -> None:
        """Prepare a probe; ``budget`` bounds the whole run in seconds."""
        self._transport = transport
        self._host = host
        self._port = port
        self._scheme = scheme
        self._budget = budget
        self._outcome = _Outcome()
        self.ipp: IppEndpoint | None = None
        """Where IPP answered and what it said, once ``run`` found it."""

    def ews_endpoints(self) -> list[tuple[str, int]]:
        """Web-server endpoints in the order they are tried."""
        return ews_endpoints(self._port, self._scheme)

    def ipp_endpoints(self) -> list[tuple[str, int]]:
        """IPP endpoints in the order they are tried."""
        return ipp_endpoints(self._port, self._scheme)

    async def run(self) -> Profile:
        """Probe; raise when nothing usable answers (see ``HPPrinter.probe``)."""
        ews_task = asyncio.create_task(self._find_ews())
        ipp_task = asyncio.create_task(self._find_ipp())
        tasks = [ews_task, ipp_task]
        try:
            _done, pending = await asyncio.wait(tasks, timeout=self._budget)
        finally:
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
        if pending:
            _LOGGER.debug("Probe of %s hit its %s s budget", self._host, self._budget)
            self._outcome.timed_out = True
        ews = results[0] if isinstance(results[0], _Ews) else None
        found_ipp = results[1] if isinstance(results[1], IppEndpoint) else None
        self.ipp = found_ipp
        for result in results:
            if isinstance(result, BaseException) and not isinstance(
                result, asyncio.CancelledError
            ):
                raise result
        return self._profile(ews, found_ipp)

    def _profile(self, ews: _Ews | None, found_ipp: IppEndpoint | None) -> Profile:
        outcome = self._outcome
        if ews is None:
            if outcome.auth_error is not None:
                raise outcome.auth_error
            if outcome.foreign is not None:
                raise HPEWSUnsupportedError(
                    f"{self._host} is a {outcome.foreign}, not an HP printer"
                )
            if found_ipp is None:
                if outcome.answered:
                    raise HPEWSUnsupportedError(
                        f"{self._host} answers neither CDM, LEDM nor IPP"
                    )
                if outcome.timed_out:
                    raise HPEWSTimeoutError(f"{self._host} did not answer in time")
                raise HPEWSConnectionError(f"Cannot connect to {self._host}")
        protocols: list[PrinterProtocol] = []
        base_url: str | None = None
        ledm_resources: tuple[str, ...] = ()
        cdm_resources: tuple[str, ...] = ()
        if ews is not None:
            protocols.append(ews.protocol)
            base_url = ews.base_url
            if ews.protocol is PrinterProtocol.CDM:
                cdm_resources = ews.resources
            else:
                ledm_resources = ews.resources
        if found_ipp is not None:
            protocols.append(PrinterProtocol.IPP)
            if base_url is None:
                # IPP-only printers still have a web page for humans: on the
                # IPP port when that is 443 or the one the caller gave, else
                # the default port (443 when HTTPS is asked for).
                ipp_origin = _base_of(found_ipp.url)
                web = self._scheme or "http"
                base_url = (
                    ipp_origin
                    if URL(found_ipp.url).port in (443, self._port)
                    else origin(web, self._host, DEFAULT_PORTS[web])
                )
        assert base_url is not None
        return Profile(
            base_url=base_url,
            protocols=tuple(protocols),
            ipp_url=found_ipp.url if found_ipp is not None else None,
            ledm_resources=ledm_resources,
            cdm_resources=cdm_resources,
        )

    async def _get(self, scheme: str, port: int, path: str) -> tuple[str, bytes] | None:
        """GET a document; None when missing or the endpoint is dead."""
        if (scheme, port) in self._outcome.dead:
            return None
        url = origin(scheme, self._host, port) + path
        try:
            response = await self._transport.get(url)
        except HPEWSAuthenticationError as err:
            self._outcome.auth_error = err
            self._outcome.answered = True
            return None
        except HPEWSTimeoutError:
            self._outcome.timed_out = True
            self._outcome.dead.add((scheme, port))
            return None
        except HPEWSConnectionError:
            self._outcome.dead.add((scheme, port))
            return None
        except HPEWSError as err:
            _LOGGER.debug("Probe GET %s failed: %s", url, err)
            self._outcome.answered = True
            return None
        self._outcome.answered = True
        if response is None:
            return None
        return response.url, response.body

    async def _find_ews(self) -> _Ews | None:
        for scheme, port in self.ews_endpoints():
            if (found := await self._try_cdm(scheme, port)) is not None:
                return found
            if (found := await self._try_ledm(scheme, port)) is not None:
                return found
        return None

    async def _try_cdm(self, scheme: str, port: int) -> _Ews | None:
        answer = await self._get(scheme, port, cdm.SERVICES_DISCOVERY)
        if answer is None:
            return None
        final_url, body = answer
        try:
            resources = cdm.parse_services_discovery(body)
        except HPEWSParseError:
            return None
        return _Ews(_base_of(final_url), PrinterProtocol.CDM, resources)

    async def _try_ledm(self, scheme: str, port: int) -> _Ews | None:
        answer = await self._get(scheme, port, ledm.DISCOVERY_TREE)
        if answer is None:
            return None
        final_url, body = answer
        try:
            resources = ledm.parse_discovery_tree(body)
        except HPEWSParseError:
            return None
        return _Ews(_base_of(final_url), PrinterProtocol.LEDM, resources)

    async def _find_ipp(self) -> IppEndpoint | None:
        for scheme, port in self.ipp_endpoints():
            for path in IPP_PATHS:
                if (scheme, port) in self._outcome.dead:
                    break
                url = origin(scheme, self._host, port) + path
                if (found := await self._try_ipp(scheme, port, url)) is not None:
                    return found
                if self._outcome.foreign is not None:
                    return None
        return None

    async def _try_ipp(self, scheme: str, port: int, url: str) -> IppEndpoint | None:
        try:
            request = ipp.get_printer_attributes_request(ipp.printer_uri_for(url))
            data = await self._transport.post_ipp(url, request)
            if data is None:
                self._outcome.answered = True
                return None
            printer = ipp.parse_printer_attributes(data, url)
            hp, described = ipp_maker(data)
        except HPEWSAuthenticationError as err:
            self._outcome.auth_error = err
            self._outcome.answered = True
            return None
        except HPEWSTimeoutError:
            self._outcome.timed_out = True
            self._outcome.dead.add((scheme, port))
            return None
        except HPEWSConnectionError:
            self._outcome.dead.add((scheme, port))
            return None
        except (HPEWSParseError, HPEWSIPPError) as err:
            _LOGGER.debug("No usable IPP at %s: %s", url, err)
            self._outcome.answered = True
            return None
        self._outcome.answered = True
        if not hp:
            self._outcome.foreign = described or "printer of unknown make"
            return None
        return IppEndpoint(url, printer)


async def get_printer_attributes(
    transport: PrinterTransport, url: str
) -> ipp.IppPrinter | None:
    """One Get-Printer-Attributes exchange; None when no IPP service is there."""
    request = ipp.get_printer_attributes_request(ipp.printer_uri_for(url))
    data = await transport.post_ipp(url, request)
    if data is None:
        return None
    return ipp.parse_printer_attributes(data, url)


def _base_of(final_url: str) -> str:
    """Origin of the URL that finally answered (after an http→https redirect)."""
    parsed = URL(final_url)
    assert parsed.host is not None
    scheme = parsed.scheme
    return origin(scheme, parsed.host, parsed.port or DEFAULT_PORTS[scheme])


async def probe_printer(
    transport: PrinterTransport,
    host: str,
    *,
    port: int | None = None,
    scheme: str | None = None,
    budget: float = 20.0,
) -> Profile:
    """Probe ``host`` through ``transport``; see :class:`Prober`."""
    return await Prober(transport, host, port=port, scheme=scheme, budget=budget).run()
