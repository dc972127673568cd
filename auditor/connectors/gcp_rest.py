"""JSON REST calls for the Google APIs whose client libraries we do not depend on (Vertex AI, Cloud Logging).

google-cloud-aiplatform alone is hundreds of megabytes; these services' REST shapes are
small and documented, so they are read with google-auth's authorized `requests` session (or
a plain one for `endpoint.auth: none`), through the same endpoint, proxy and CA bundle
settings as the other clients. An HTTP error becomes google-api-core's typed exception
(TooManyRequests, Forbidden, ServiceUnavailable, ...), so the connector's retry test applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CALL_TIMEOUT_S = 60.0
MAX_PAGES = 10_000  # a server that never stops handing out page tokens is an error, not a hang


@dataclass
class GcpRest:
    """One session for every REST service; `endpoint_url` replaces every service's host (emulator, private endpoint)."""

    session: Any  # requests.Session, or google.auth.transport.requests.AuthorizedSession
    endpoint_url: str | None = None
    universe_domain: str = "googleapis.com"

    def base(self, service: str, location: str | None = None) -> str:
        """`https://us-central1-aiplatform.googleapis.com` for a regional service, `https://logging.googleapis.com` for a global one."""
        if self.endpoint_url:
            return self.endpoint_url.rstrip("/")
        host = f"{location}-{service}" if location else service
        return f"https://{host}.{self.universe_domain}"

    def _checked(self, response: Any) -> dict[str, Any]:
        if response.status_code >= 400:
            from google.api_core.exceptions import from_http_response

            raise from_http_response(response)
        body = response.json() if response.content else {}
        if not isinstance(body, dict):
            raise ValueError(
                f"expected a JSON object from {response.request.method}, got {type(body).__name__}"
            )
        return body

    def get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return self._checked(self.session.get(url, params=params or {}, timeout=CALL_TIMEOUT_S))

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._checked(self.session.post(url, json=body, timeout=CALL_TIMEOUT_S))

    def list_get(self, url: str, key: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a paged GET listing, following `nextPageToken`."""
        items: list[Any] = []
        query = dict(params or {})
        for _ in range(MAX_PAGES):
            page = self.get(url, query)
            items.extend(page.get(key) or [])
            token = page.get("nextPageToken")
            if not token:
                return items
            query["pageToken"] = str(token)
        raise RuntimeError(f"more than {MAX_PAGES} pages")

    def list_post(self, url: str, key: str, body: dict[str, Any]) -> list[Any]:
        """Every item of a paged POST listing (entries:list), the page token in the body."""
        items: list[Any] = []
        request = dict(body)
        for _ in range(MAX_PAGES):
            page = self.post(url, request)
            items.extend(page.get(key) or [])
            token = page.get("nextPageToken")
            if not token:
                return items
            request["pageToken"] = str(token)
        raise RuntimeError(f"more than {MAX_PAGES} pages")


def rest_from_settings(endpoint: Any, universe_domain: str | None) -> GcpRest:
    """The session as `endpoint:` says: anonymous for emulators, else the application default credentials."""
    from auditor.connectors.endpoints import ca_bundle_path, proxies

    session: Any
    if endpoint.auth == "none":
        import requests

        session = requests.Session()
    else:
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        credentials, _ = google.auth.default(
            scopes=["https://www.googleapis.com/auth/cloud-platform.read-only"]
        )
        session = AuthorizedSession(credentials)
    proxy_map, bundle = proxies(endpoint), ca_bundle_path(endpoint)
    if proxy_map:
        session.proxies.update(proxy_map)
    if bundle:
        session.verify = bundle
    return GcpRest(session, endpoint.url, universe_domain or "googleapis.com")
