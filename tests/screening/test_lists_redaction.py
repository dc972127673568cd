"""Credentials in a list URL (`?subscription-key=...`, `user:pass@`) never reach meta.json, run.json,
the case store, the output or an error message; a server's error body is never quoted."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import urlsplit

import pytest

from auditor.redact import redact_text, redact_url
from auditor.screening import load_lists
from auditor_testkit import EXAMPLES

KEY = "SEKRIT-KEY-8c1f"
PASSWORD = "hunter2-pw"
LIST_BYTES = (EXAMPLES / "provider" / "lists" / "restricted-parties.csv").read_bytes()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if urlsplit(self.path).path == "/consolidated.csv":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(LIST_BYTES)
            return
        self.send_response(403)
        self.end_headers()
        self.wfile.write(b"denied for tenant Shady Front Ltd")

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://api.example/csl.csv?subscription-key=abc&sources=EL",
            "https://api.example/csl.csv?subscription-key=REDACTED&sources=EL",
        ),
        ("https://u:p@h.example/l.csv", "https://REDACTED@h.example/l.csv"),
        (
            "https://a.blob.core.windows.net/c/l.csv?sv=2022-11-02&sig=Ab%2Bc&sp=r",
            "https://a.blob.core.windows.net/c/l.csv?sv=2022-11-02&sig=REDACTED&sp=r",
        ),
        (
            "https://b.s3.amazonaws.com/l.csv?X-Amz-Signature=ff&X-Amz-Credential=AK%2F1&X-Amz-Expires=60",
            "https://b.s3.amazonaws.com/l.csv?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Expires=60",
        ),
        (
            "https://h/l.csv?token=t&access_token=a&password=p&api_key=k&key=k2&client_secret=s",
            "https://h/l.csv?token=REDACTED&access_token=REDACTED&password=REDACTED&api_key=REDACTED&key=REDACTED&client_secret=REDACTED",
        ),
        ("https://h/l.csv#access_token=t&state=1", "https://h/l.csv#access_token=REDACTED&state=1"),
        (
            "https://h/l.csv?design=1&monkey=0",
            "https://h/l.csv?design=1&monkey=0",
        ),  # no credential, left alone
        (
            "https://h/l.csv?flag=&token=t",
            "https://h/l.csv?flag=&token=REDACTED",
        ),  # a blank parameter is kept
        ("https://h/l.csv", "https://h/l.csv"),
        ("/local/list.csv", "/local/list.csv"),
    ],
)
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_text_finds_urls_inside_messages():
    assert (
        redact_text("GET https://u:p@h/x?sig=s failed")
        == "GET https://REDACTED@h/x?sig=REDACTED failed"
    )


def test_a_list_url_key_is_kept_nowhere(server, tmp_path, cli):
    out_list = tmp_path / "csl.csv"
    code, out, err = cli(
        "lists",
        "update",
        "--url",
        f"http://{server}/consolidated.csv?subscription-key={KEY}&sources=EL",
        "--out",
        out_list,
    )
    assert code == 0, err
    meta = (tmp_path / "csl.csv.meta.json").read_text()
    assert KEY not in meta and KEY not in out + err
    assert (
        json.loads(meta)["url"]
        == f"http://{server}/consolidated.csv?subscription-key=REDACTED&sources=EL"
    )
    provider = EXAMPLES / "provider"
    store = tmp_path / "cases.db"
    code, out, err = cli(
        "audit",
        "--tenants",
        provider / "tenants.csv",
        "--usage",
        provider / "usage.csv",
        "--lists",
        out_list,
        "--as-of",
        "2026-11-01T00:00:00Z",
        "--out",
        tmp_path / "out",
        "--store",
        store,
    )
    assert code == 10, err
    assert KEY not in out + err
    for path in [*(tmp_path / "out").iterdir(), store]:
        assert KEY.encode() not in path.read_bytes(), path.name


def test_a_sidecar_written_before_redaction_is_redacted_when_read(tmp_path):
    import hashlib

    path = tmp_path / "csl.csv"
    path.write_bytes(LIST_BYTES)
    meta = {
        "url": f"https://h/csl.csv?subscription-key={KEY}",
        "sha256": hashlib.sha256(LIST_BYTES).hexdigest(),
        "list_date": "2026-11-01",
    }
    (tmp_path / "csl.csv.meta.json").write_text(json.dumps(meta))
    assert load_lists([path]).provenance[0]["url"] == "https://h/csl.csv?subscription-key=REDACTED"


def test_a_failed_download_names_neither_the_password_nor_the_body(server, tmp_path, cli):
    code, out, err = cli(
        "lists",
        "update",
        "--url",
        f"http://{server}/denied.csv?token={KEY}",
        "--out",
        tmp_path / "l.csv",
    )
    assert code == 2
    assert KEY not in err and "Shady" not in err
    assert f"http://{server}/denied.csv?token=REDACTED: cannot download list: HTTP 403" in err
    code, out, err = cli(
        "lists",
        "update",
        "--url",
        f"http://reader:{PASSWORD}@{server}/l.csv",
        "--out",
        tmp_path / "l.csv",
    )
    assert code == 2
    assert (
        PASSWORD not in err
        and f"error: http://REDACTED@{server}/l.csv: cannot download list" in err
    )
