"""Credentials out of URLs before a URL is saved or printed: `user:pass@` and secret query parameters.

List URLs end up in meta.json, run.json, the case store and error messages, and published
feeds are often fetched with a key in the URL (trade.gov's `subscription-key=...`, an Azure
SAS `sig=...`, a pre-signed S3 `X-Amz-Signature=...`). Every place that keeps or shows a
URL passes it through `redact_url`; free text that may quote one goes through `redact_text`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "REDACTED"

# Query (or fragment) parameter names whose value is a credential: exact names, then name parts.
SECRET_NAMES = frozenset({"key", "sig", "pwd", "pass", "code", "auth", "jwt", "sas", "session"})
SECRET_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "credential",
    "apikey",
    "api_key",
    "api-key",
    "subscription-key",
    "access_key",
    "access-key",
    "private",
    "auth",
)
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>()\[\]{}]+")


def is_secret_name(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def _redact_pairs(text: str) -> str:
    if "=" not in text:
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return text
    return "&".join(
        f"{quote(k, safe='-_.~')}={MASK if is_secret_name(k) and v else quote(v, safe='-_.~/:,')}"
        for k, v in pairs
    )


def redact_url(url: str) -> str:
    """The URL with its user info and secret query/fragment values replaced by REDACTED; other parts as they were."""
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return re.sub(r"//[^/@\s]*@", f"//{MASK}@", text)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            parts.path,
            _redact_pairs(parts.query),
            _redact_pairs(parts.fragment),
        )
    )


def redact_text(text: str) -> str:
    """Every URL inside a message redacted (an OS or HTTP library error often quotes the URL it failed on)."""
    return _URL.sub(lambda m: redact_url(m.group(0)), str(text))
