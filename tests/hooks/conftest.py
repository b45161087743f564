"""Real local receivers for hook tests: a threaded HTTP server and an SMTP server on 127.0.0.1.

The HTTP receiver answers from a script (status, headers, delay) and records every request, so a
test can say "500 then 200" and assert what arrived, byte for byte.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dataguard.core.models import Anomaly, AnomalyKind, CheckResult, Metric, Verdict


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class HttpReceiver:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.requests: list[Request] = []
        self.script: deque[Reply] = deque()
        self.by_path: dict[str, deque[Reply]] = {}  # scripts for one path (parallel senders)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    Request(self.path, dict(self.headers.items()), body, time.monotonic())
                )
                script = receiver.by_path.get(self.path) or receiver.script
                reply = script.popleft() if script else Reply()
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}/hook"

    def bodies(self) -> list[bytes]:
        return [r.body for r in self.requests]

    def reply(self, *replies: Reply, path: str | None = None) -> None:
        """Script the next answers (to any request, or only to requests for ``path``)."""
        if path is None:
            self.script.extend(replies)
        else:
            self.by_path.setdefault(path, deque()).extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    r = HttpReceiver()
    yield r
    r.close()


@pytest.fixture
def down_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def make_result(
    verdict: Verdict = Verdict.FAIL,
    *,
    dataset: str = "taxi",
    batch: str = "2026-11-25",
    check_id: int | None = 7,
) -> CheckResult:
    """A check as D's check() returns it for taxi batch_a vs train (values from the shared data)."""
    anomalies: tuple[Anomaly, ...] = ()
    metrics = (
        Metric("payment_type", "drift", "l_infinity", 0.0131775, 0.01, verdict == Verdict.FAIL),
        Metric("trip_miles", "drift", "jensen_shannon", 0.004, 0.01, False),
    )
    if verdict != Verdict.PASS:
        anomalies = (
            Anomaly(
                "payment_type",
                AnomalyKind.DRIFT,
                "COMPARATOR_L_INFTY_HIGH",
                "error",
                "High Linfty distance between current and previous",
                "The Linfty distance between current and previous is 0.0131775 (up to six "
                "significant digits), above the threshold 0.01. The feature value with maximum "
                "difference is: Credit Card",
            ),
            Anomaly(
                "trip_seconds",
                AnomalyKind.SCHEMA,
                "UNEXPECTED_DATA_TYPE",
                "error" if verdict == Verdict.FAIL else "warning",
                "Unexpected data type",
                "Expected data of type: INT but got FLOAT <script>alert(1)</script>",
            ),
        )
    return CheckResult(
        dataset=dataset,
        batch=batch,
        verdict=verdict,
        schema_version=1,
        baseline_batch="2026-11-24",
        serving_batch=None,
        num_examples=10000,
        anomalies=anomalies,
        metrics=metrics,
        id=check_id,
    )


@pytest.fixture
def failed_check() -> CheckResult:
    return make_result(Verdict.FAIL)


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 (a free port) keeping every message it accepts."""

    def __init__(
        self,
        credentials: tuple[str, str] | None = None,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        receiver = self
        self.messages: list[Any] = []
        self.logins: list[str] = []
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply, e.g. "550 no such user"

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                if address in receiver.refuse:
                    return receiver.refuse[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.messages.append(envelope)
                return "250 Message accepted"

        class LocalController(Controller):
            def _create_server(self):  # bind port 0 ourselves: Controller needs a known port
                sock = socket.socket()
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
                return self.loop.create_server(
                    self._factory_invoker, sock=sock, ssl=self.ssl_context
                )

        def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
            ok = isinstance(auth_data, LoginPassword) and credentials == (
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
            if ok:
                receiver.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=False)  # let aiosmtpd reply 535

        auth: dict[str, Any] = {}
        if credentials:  # plain-text AUTH on 127.0.0.1 only: the tests have no TLS certificate
            auth = {
                "authenticator": authenticate,
                "auth_require_tls": False,
                "auth_required": True,
            }
        if starttls:
            auth.update(tls_context=starttls, require_starttls=True)
        self.controller = LocalController(
            Handler(), hostname="127.0.0.1", port=0, ssl_context=implicit_tls, **auth
        )
        self.controller.start()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    s = SmtpReceiver()
    yield s
    s.close()


@pytest.fixture
def smtp_with_login() -> Iterator[SmtpReceiver]:
    s = SmtpReceiver(credentials=("dataguard", "mail-pa55word"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem doubles as the CA file) and its key."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    return context
