"""A self-signed certificate, made once per process, like a printer's own.

Uses the ``cryptography`` package when present (it is in every Home Assistant
environment), otherwise the ``openssl`` command line tool.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
import shutil
import ssl
import subprocess
import tempfile


def write_self_signed(directory: Path) -> tuple[Path, Path]:
    """Write ``cert.pem`` and ``key.pem`` for 127.0.0.1 into ``directory``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "cert.pem").write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
    )
    return directory / "cert.pem", directory / "key.pem"


def _with_openssl(directory: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("HTTPS profiles need the cryptography package or openssl")
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _has_cryptography() -> bool:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def server_context(use_cryptography: bool | None = None) -> ssl.SSLContext:
    """The process's server TLS context (self-signed, generated on first use)."""
    if use_cryptography is None:
        use_cryptography = _has_cryptography()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # HP printers advertise TLS=1.2; CUPS 2.4's GnuTLS client also fails
    # against Python's TLS 1.3 server, so ipptool needs this too.
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="hp-ews-sim-tls-") as tmp:
        directory = Path(tmp)
        if use_cryptography:
            write_self_signed(directory)
        else:
            _with_openssl(directory)
        context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context
