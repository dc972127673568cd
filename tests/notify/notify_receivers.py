"""Loopback receivers for the notification tests: an HTTP endpoint that checks Standard Webhooks
signatures with the independent `standardwebhooks` library, and an aiosmtpd SMTP server with
STARTTLS. Nothing of auditor is used to check what auditor sent."""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = "whsec_" + base64.b64encode(b"auditor-test-key-0123456789abcdef").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the-key-being-rotated-out-000000").decode()


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    why: str = ""  # the verifier's complaint, when it refused

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST; answers 401 to a bad signature (when `secret` is set) and `fail` statuses first."""

    secret: str | None = SECRET
    fail: list[int] = field(default_factory=list)  # statuses to answer, in order, before succeeding
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[Delivery] = field(default_factory=list)

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, why = True, ""
                if receiver.secret is not None:
                    try:
                        Webhook(receiver.secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        verified, why = False, str(exc)
                delivery = Delivery(self.path, headers, body, verified, why)
                if receiver.secret is not None and not verified:
                    receiver.rejected.append(delivery)
                    status = 401
                elif receiver.fail:
                    status = receiver.fail.pop(0)
                    receiver.rejected.append(delivery)
                else:
                    receiver.deliveries.append(delivery)
                    status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def unique(self) -> dict[str, Delivery]:
        """What a receiver deduplicating on webhook-id keeps: the first delivery of each id."""
        kept: dict[str, Delivery] = {}
        for d in self.deliveries:
            kept.setdefault(d.headers.get("webhook-id", d.path + str(len(kept))), d)
        return kept

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), so STARTTLS is checked for real."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    """A free loopback port (aiosmtpd's controller needs one named up front)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1 requiring STARTTLS before MAIL; keeps each message's envelope and bytes."""

    def __init__(self, folder: Path, require_tls: bool = True):
        from aiosmtpd.controller import Controller

        self.messages: list[dict[str, Any]] = []
        self.cert, key = self_signed_cert(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                receiver.messages.append(
                    {
                        "from": envelope.mail_from,
                        "to": list(envelope.rcpt_tos),
                        "data": envelope.content,
                        "tls": session.ssl is not None,
                    }
                )
                return "250 OK"

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=free_port(),
            tls_context=context,
            require_starttls=require_tls,
        )

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def stop(self) -> None:
        self.controller.stop()
