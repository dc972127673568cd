"""A local Google Cloud Storage endpoint speaking the parts of the real API obstore uses.

No GCS emulator from a package registry serves obstore here: `gcp-storage-emulator` (PyPI)
answers uploads without the `ETag` header the real service sends (obstore refuses the
response), and the `fake-gcs-server` binary on PyPI routes path-style XML uploads to its
JSON upload handler. So this server answers as the real service does, from its documented
shapes of its XML API, which obstore (object_store) speaks: objects by `PUT/GET/HEAD/DELETE
/BUCKET/KEY` with `ETag`, `Last-Modified`, `Content-Length`; listing by `GET
/BUCKET?list-type=2&prefix=` (`ListBucketResult` pages joined by `continuation-token`);
errors as `<Error><Code>NoSuchKey</Code>...`. Buckets named in `denied` answer 403 AccessDenied; `fail_puts_after`
makes uploads fail with 503 after that many, to cut a publish short.

Imported by name from the storage tests; it binds to 127.0.0.1 only and is stopped by them.
"""

from __future__ import annotations

import hashlib
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

PAGE = 2  # small pages, so listing must follow nextPageToken


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class LocalGcs:
    def __init__(self) -> None:
        self.buckets: dict[str, dict[str, bytes]] = {}
        self.denied: set[str] = set()
        self.fail_puts_after: int | None = None
        self.puts = 0
        self.requests: list[str] = []
        gcs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(
                self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _error(self, status: int, code: str) -> None:
                body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{code}</Message></Error>"
                self._send(status, body.encode(), {"Content-Type": "application/xml"})

            def _target(self) -> tuple[str, str, dict[str, list[str]]] | None:
                parts = urlsplit(self.path)
                gcs.requests.append(f"{self.command} {unquote(parts.path)}")
                bucket, _, key = parts.path.lstrip("/").partition("/")
                bucket = unquote(bucket)
                if bucket in gcs.denied:
                    self._error(403, "AccessDenied")
                    return None
                return bucket, unquote(key), parse_qs(parts.query)

            def _object(self) -> tuple[str, bytes] | None:
                target = self._target()
                if target is None:
                    return None
                bucket, key, _ = target
                if bucket not in gcs.buckets:
                    self._error(404, "NoSuchBucket")
                    return None
                if key not in gcs.buckets[bucket]:
                    self._error(404, "NoSuchKey")
                    return None
                return key, gcs.buckets[bucket][key]

            def _meta(self, data: bytes) -> dict[str, str]:
                return {
                    "ETag": f'"{hashlib.md5(data).hexdigest()}"',
                    "Last-Modified": formatdate(usegmt=True),
                    "Content-Type": "application/octet-stream",
                }

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                if "list-type=2" in parts.query:
                    target = self._target()
                    if target is None:
                        return None
                    bucket, _, query = target
                    if bucket not in gcs.buckets:
                        return self._error(404, "NoSuchBucket")
                    return self._list(bucket, query)
                found = self._object()
                if found is not None:
                    self._send(200, found[1], self._meta(found[1]))

            def do_HEAD(self) -> None:  # noqa: N802
                found = self._object()
                if found is not None:
                    self._send(200, found[1], self._meta(found[1]))

            def do_DELETE(self) -> None:  # noqa: N802
                target = self._target()
                if target is None:
                    return
                bucket, key, _ = target
                if bucket not in gcs.buckets:
                    return self._error(404, "NoSuchBucket")
                if gcs.buckets[bucket].pop(key, None) is None:
                    return self._error(404, "NoSuchKey")
                self._send(204)

            def do_PUT(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                target = self._target()
                if target is None:
                    return
                bucket, key, _ = target
                if bucket not in gcs.buckets:
                    return self._error(404, "NoSuchBucket")
                if gcs.fail_puts_after is not None and gcs.puts >= gcs.fail_puts_after:
                    return self._error(503, "ServiceUnavailable")
                gcs.puts += 1
                gcs.buckets[bucket][key] = data
                self._send(200, b"", self._meta(data))

            def _list(self, bucket: str, query: dict[str, list[str]]) -> None:
                """The XML API's ListObjectsV2 (`?list-type=2`), in pages joined by continuation tokens."""
                prefix = query.get("prefix", [""])[0]
                names = sorted(k for k in gcs.buckets[bucket] if k.startswith(prefix))
                start = int(query.get("continuation-token", ["0"])[0])
                page = names[start : start + PAGE]
                more = start + PAGE < len(names)
                contents = "".join(
                    f"<Contents><Key>{escape(n)}</Key><LastModified>2026-11-01T00:00:00.000Z</LastModified>"
                    f'<ETag>"{hashlib.md5(gcs.buckets[bucket][n]).hexdigest()}"</ETag>'
                    f"<Size>{len(gcs.buckets[bucket][n])}</Size></Contents>"
                    for n in page
                )
                body = (
                    "<?xml version='1.0' encoding='UTF-8'?>"
                    '<ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01">'
                    f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
                    f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{PAGE}</MaxKeys>"
                    f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>{contents}"
                    + (
                        f"<NextContinuationToken>{start + PAGE}</NextContinuationToken>"
                        if more
                        else ""
                    )
                    + "</ListBucketResult>"
                )
                self._send(200, body.encode(), {"Content-Type": "application/xml"})

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalGcs:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
