"""Read the captured mDNS advertisements in tests/fixtures/mdns.

The captures come in three shapes (avahi-browse output, an ipp-usb TXT listing
and an OpenWrt umdns dump); each is turned into the ``ZeroconfServiceInfo``
Home Assistant's zeroconf integration would hand to the config flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import ip_address
import re

from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from tests.conftest import FIXTURES

MDNS = FIXTURES / "mdns"
AVAHI_TYPES = {
    "Internet Printer": "_ipp._tcp",
    "PDL Printer": "_pdl-datastream._tcp",
}


@dataclass
class Advertisement:
    """One advertised service of a printer."""

    name: str
    service_type: str
    address: str | None = None
    hostname: str | None = None
    port: int | None = None
    txt: dict[str, str] = field(default_factory=dict)

    def service_info(self, address: str | None = None) -> ZeroconfServiceInfo:
        """Describe the advertisement as Home Assistant's zeroconf does."""
        ip = ip_address(address or self.address or "")
        full_type = f"{self.service_type}.local."
        return ZeroconfServiceInfo(
            ip_address=ip,
            ip_addresses=[ip],
            hostname=self.hostname or f"{self.name}.local.",
            name=f"{self.name}.{full_type}",
            port=self.port,
            type=full_type,
            properties=dict(self.txt),
        )

    def with_txt(self, **changes: str | None) -> Advertisement:
        """Return a copy with TXT keys changed (None removes one)."""
        txt = {**self.txt, **changes}
        return replace(self, txt={k: v for k, v in txt.items() if v is not None})


def _txt(items: list[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items if "=" in item)


def avahi(file: str) -> list[Advertisement]:
    """Parse ``avahi-browse -r`` output (resolved ``=`` records only)."""
    found: list[Advertisement] = []
    current: Advertisement | None = None
    pending = ""
    for raw in (MDNS / file).read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*(?:>|//)?\s*", "", raw)
        if pending:
            pending += line
        elif match := re.match(
            r"^=\s+\S+\s+IPv[46]\s+(.+?)\s+(_[\w-]+\._tcp|[A-Z][A-Za-z ]+?)\s+local$",
            line,
        ):
            name, kind = match.groups()
            current = Advertisement(name=name, service_type=AVAHI_TYPES.get(kind, kind))
            found.append(current)
            continue
        elif current is None:
            continue
        elif match := re.match(r"^(hostname|address|port) = \[(.*)\]$", line):
            key, value = match.groups()
            if key == "port":
                current.port = int(value)
            else:
                setattr(current, key, value)
            continue
        elif line.startswith("txt = ["):
            pending = line
        if pending and pending.endswith("]"):
            # A line break inside a value comes from pasting, not the printer.
            current.txt = _txt(re.findall(r'"([^"]*)"', pending))
            pending = ""
    return [ad for ad in found if ad.txt]


def txt_listing(file: str) -> list[Advertisement]:
    """Parse "NAME: _type TXT record:" blocks of indented key=value lines."""
    found: list[Advertisement] = []
    for line in (MDNS / file).read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^(.*): (_[\w-]+\._tcp) TXT record:$", line):
            found.append(Advertisement(name=match[1], service_type=match[2]))
        elif found and line.startswith("    ") and "=" in line:
            key, value = line.strip().split("=", 1)
            found[-1].txt[key] = value
    return found


def umdns(file: str) -> list[Advertisement]:
    """Parse an OpenWrt ``ubus call umdns browse`` dump."""
    text = (MDNS / file).read_text(encoding="utf-8")
    service_type = re.search(r'"(_[\w-]+\._tcp)"', text)
    name = re.search(r'^\s*"(?!_)(.+?)": \{', text, re.MULTILINE)
    port = re.search(r'"port": (\d+)', text)
    assert service_type
    assert name
    assert port
    txt = [value.replace("\\/", "/") for value in re.findall(r'"txt": "(.*)"', text)]
    return [
        Advertisement(
            name=name[1].replace("\\\\032", " "),
            service_type=service_type[1],
            port=int(port[1]),
            txt=_txt(txt),
        )
    ]


def advertisement(ads: list[Advertisement], service_type: str) -> Advertisement:
    """Pick the (first) advertisement of a service type."""
    return next(ad for ad in ads if ad.service_type == service_type)


M478 = avahi("HP-Color-LaserJet-Pro-M478f-9f__avahi-browse_ipp_uscan.txt")
OFFICEJET_6600 = avahi("HP-Officejet-6600__avahi-browse_ipp.txt")
M254 = avahi("HP-Color-LaserJet-M254dw__avahi-browse_pdl-datastream.txt")
FLOW_M578 = avahi("HP-Color-LaserJet-FlowMFP-M578__ipp-usb_avahi_ipp_PARTIAL.txt")
OFFICEJET_8730 = txt_listing("HP-OfficeJet-Pro-8730__ipp-usb_TXT_PARTIAL.txt")
CP2025 = umdns("HP-Color-LaserJet-CP2025dn__umdns_printer-lpd.json.txt")
