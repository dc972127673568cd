"""Test helpers for the connector tests: a bounded local HTTP server replaying REST responses, fake AWS credentials.

Imported by name (not a conftest) so it never shadows the top-level tests/conftest.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

# handler(method, path, query) -> (status, json body)
Route = Callable[[str, str, dict[str, list[str]]], tuple[int, object]]


class _BoundedServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 16


class LocalApi:
    """A local REST endpoint: every request is recorded and answered by `route`."""

    def __init__(self, route: Route):
        self.route = route
        self.requests: list[str] = []
        self.bodies: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                api.requests.append(self.path)
                status, body = api.route("GET", parts.path, parse_qs(parts.query))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                """A POST's JSON body reaches the route as query["__body__"] (one string), e.g. entries:list."""
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(length).decode("utf-8") if length else ""
                api.requests.append(self.path)
                api.bodies.append(text)
                query = {**parse_qs(parts.query), "__body__": [text]}
                status, body = api.route("POST", parts.path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = _BoundedServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def count(self, fragment: str) -> int:
        return sum(fragment in r for r in self.requests)


@pytest.fixture
def local_api() -> Iterator[Callable[[Route], LocalApi]]:
    servers: list[LocalApi] = []

    def start(route: Route) -> LocalApi:
        api = LocalApi(route)
        api.thread.start()
        servers.append(api)
        return api

    yield start
    for api in servers:
        api.server.shutdown()
        api.server.server_close()
        api.thread.join(timeout=5)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
