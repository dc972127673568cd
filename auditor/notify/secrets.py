"""Reading a channel's secrets from the environment or a file, at send time, and never echoing them.

A missing or unreadable secret is the operator's setup, not a bug: it becomes a failed
delivery whose error names the variable or file (never its content), so the message is
retried, then dead and reported, rather than lost.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from auditor.notify.config import ChannelBase, url_problem

WHSEC_PREFIX = "whsec_"


class DeliveryError(Exception):
    """One failed attempt; `permanent` when retrying cannot help (a refused request, a missing secret)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def read_secret(env: str | None, file: Path | None, what: str) -> str:
    """The secret's text (surrounding whitespace removed); DeliveryError naming where it was looked for."""
    if env is not None:
        value = os.environ.get(env)
        if not value or not value.strip():
            raise DeliveryError(f"{what}: environment variable {env} is not set", permanent=True)
        return value.strip()
    if file is not None:
        try:
            value = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise DeliveryError(f"{what}: cannot read {file}: {reason}", permanent=True) from None
        if not value.strip():
            raise DeliveryError(f"{what}: {file} is empty", permanent=True)
        return value.strip()
    raise DeliveryError(f"{what}: not configured", permanent=True)


def channel_url(channel: ChannelBase) -> str:
    """A URL channel's endpoint, from `url`, `url_env` or `url_file`, checked as the config checks `url`."""
    url = getattr(channel, "url", None) or read_secret(
        getattr(channel, "url_env", None), getattr(channel, "url_file", None), "channel URL"
    )
    if problem := url_problem(url):
        raise DeliveryError(f"channel URL: {problem}", permanent=True)
    return url


def signing_keys(text: str) -> list[bytes]:
    """Standard Webhooks secrets (`whsec_` + base64), separated by whitespace while a key rotates."""
    keys = []
    for part in text.split():
        encoded = part.removeprefix(WHSEC_PREFIX)
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise DeliveryError(
                "signing secret: expected whsec_ followed by base64", permanent=True
            ) from None
        if not key:
            raise DeliveryError("signing secret: empty key", permanent=True)
        keys.append(key)
    return keys
