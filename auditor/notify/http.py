"""One HTTP POST of a JSON body, with the stdlib client; failures become DeliveryError.

Errors name the endpoint by scheme and host only: a Slack or Teams webhook URL carries its
credential in the path. Refused requests (4xx other than 408 and 429) are permanent, since
sending the same body again cannot succeed; timeouts, 5xx and 429 are retried.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from auditor.notify.secrets import DeliveryError

RETRYABLE_4XX = {408, 409, 425, 429}


def shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is refused: a signed body must not follow a Location to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POSTs `body`; returns the 2xx status or raises DeliveryError."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "auditor-notify", **headers},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in RETRYABLE_4XX
        raise DeliveryError(f"{shown(url)} answered HTTP {exc.code}", permanent=permanent) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DeliveryError(f"{shown(url)}: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"{shown(url)} answered HTTP {status}", permanent=400 <= status < 500)
    return status
