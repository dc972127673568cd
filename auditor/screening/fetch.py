"""Download a list file for users who have network, and refuse one that does not parse.

The bytes are parsed as a list before anything is written, so a truncated download or an
HTML error page never replaces a good list. Beside the file goes `<file>.meta.json` with
the URL, download time, list date (the server's Last-Modified, else the download day) and
sha256; `load_lists` reads it back into the run's provenance. The URL is saved and shown
with its credentials redacted (`auditor.redact`): a key in a query string or `user:pass@`
never reaches meta.json, run.json, the store or a message.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from auditor.errors import InputError, Problem, SourceLocation
from auditor.redact import redact_text, redact_url
from auditor.screening.lists import parse_list_bytes, sidecar_path

TIMEOUT_SECONDS = 120


def update_list(url: str, out: Path, *, opener=urllib.request.urlopen) -> dict[str, Any]:
    """Fetch `url`, check it parses as a CSL file, write it atomically with its sidecar."""
    shown = redact_url(url)
    try:
        with opener(url, timeout=TIMEOUT_SECONDS) as response:
            data = response.read()
            last_modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:  # its body is the server's, not ours to print
        raise InputError(
            f"cannot download list: HTTP {exc.code} {redact_text(str(exc.reason))}",
            location=SourceLocation(shown),
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = redact_text(str(getattr(exc, "reason", exc)))
        raise InputError(
            f"cannot download list: {reason}", location=SourceLocation(shown)
        ) from None
    suffix = (
        out.suffix
        if out.suffix in (".csv", ".json", ".jsonl")
        else Path(urllib.parse.urlparse(url).path).suffix
    )
    try:
        rows = parse_list_bytes(data, shown, suffix)
    except InputError as exc:
        problems = [
            Problem(p.location, f"{p.message}; download refused, {out} left unchanged", p.subject)
            for p in exc.problems
        ]
        raise InputError(problems) from None
    now = datetime.now(timezone.utc)
    list_date = now.date().isoformat()
    if last_modified:
        try:
            list_date = parsedate_to_datetime(last_modified).date().isoformat()
        except (TypeError, ValueError):
            pass
    meta = {
        "url": shown,
        "downloaded_at": now.isoformat(timespec="seconds"),
        "list_date": list_date,
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": rows,
        "bytes": len(data),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out, data)
    _write_atomic(sidecar_path(out), (json.dumps(meta, indent=2) + "\n").encode())
    return {"path": str(out), **meta}


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
