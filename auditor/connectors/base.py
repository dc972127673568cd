"""What every connector shares: the protocol, coverage gaps, the result, retries and fan-out.

A connector reads one provider into plain row dicts (`Collection`); `CollectResult` turns
them into the canonical TENANTS / USAGE / ACCESS frames. A scope (account, region, project,
subscription) that keeps failing after retries becomes a `CoverageGap` and the rest of the
collection goes on; a result with gaps is never marked complete.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any, ClassVar, Literal, Protocol, TypeVar

import polars as pl

from auditor.connectors.config import ConnectorSettings, RetrySettings
from auditor.connectors.progress import Progress, ScopeTally
from auditor.errors import InputError
from auditor.model.schema import ACCESS, TENANTS, USAGE, TableSchema
from auditor.redact import redact_text

log = logging.getLogger("auditor.connectors")

ScopeKind = Literal["account", "region", "project", "subscription", "scale_set", "service"]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class CoverageGap:
    """A part of the provider that could not be read, so the result does not cover it."""

    provider: str
    scope_kind: ScopeKind
    scope: str
    operation: str
    error: str
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.provider} {self.scope_kind} {self.scope}: {self.operation} failed after {self.attempts} attempt(s): {self.error}"


@dataclass
class CollectResult:
    """The canonical tables from one collection, its gaps and a manifest describing it."""

    tenants: pl.DataFrame
    usage: pl.DataFrame
    access: pl.DataFrame
    gaps: list[CoverageGap]
    manifest: dict[str, Any]

    @property
    def complete(self) -> bool:
        return not self.gaps


class ScopeFailed(Exception):
    """A call that failed for good: not retryable, or out of attempts."""

    def __init__(self, error: BaseException, attempts: int):
        self.error = error
        self.attempts = attempts
        super().__init__(f"{describe_error(error)} (after {attempts} attempt(s))")


_ERROR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")


def _http_status_and_code(error: BaseException) -> tuple[int | None, str | None]:
    """(HTTP status, the service's error code) of an SDK's HTTP error; (None, None) for anything else.

    The message of an HTTP error is (or quotes) the response body, so only these two
    identifiers are kept: botocore's ClientError, Azure's HttpResponseError, google-api-core's
    GoogleAPICallError and urllib's HTTPError all carry them as attributes.
    """
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:  # botocore ClientError
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        return (status if isinstance(status, int) else 0), str(
            (response.get("Error") or {}).get("Code") or ""
        ) or None
    status = getattr(error, "status_code", None)  # azure-core
    if not isinstance(status, int):
        status = getattr(error, "code", None)  # google-api-core, urllib
    if not isinstance(status, int) or isinstance(status, bool):
        return None, None
    code = getattr(getattr(error, "error", None), "code", None) or getattr(error, "reason", None)
    return status, str(code) if code else None


def describe_error(error: BaseException) -> str:
    """A short, single-line error text; never a response body, which may echo tag values."""
    status, code = _http_status_and_code(error)
    if status is not None:
        parts = [f"HTTP {status}" if status else "HTTP error"]
        if code and _ERROR_CODE.match(code):
            parts.append(code)
        return f"{type(error).__name__}: {' '.join(parts)}"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {redact_text(text[:200])}" if text else type(error).__name__


def call_with_retry(
    fn: Callable[[], T],
    *,
    retry: RetrySettings,
    is_retryable: Callable[[BaseException], bool],
    what: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call fn, retrying throttling and transient faults with full-jitter exponential backoff."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - classified just below
            if attempt >= retry.attempts or not is_retryable(exc):
                raise ScopeFailed(exc, attempt) from exc
            delay = min(retry.max_delay, retry.base_delay * 2 ** (attempt - 1))
            delay = random.uniform(delay / 2, delay)
            log.info(
                "event=retry operation=%s attempt=%d delay_s=%.2f error=%s",
                what,
                attempt,
                delay,
                type(exc).__name__,
            )
            sleep(delay)


class RetryingConnector:
    """What the connectors share: their settings and one retry policy, with each provider's own test of retryable."""

    settings: ConnectorSettings

    @staticmethod
    def retryable(exc: BaseException) -> bool:
        """Each provider overrides this with its own test; nothing is retried by default."""
        return False

    def _retry(self, fn: Callable[[], T], what: str) -> T:
        return call_with_retry(
            fn, retry=self.settings.retry, is_retryable=type(self).retryable, what=what
        )

    def _read_capped_log(
        self,
        out: Collection,
        scope: str,
        operation: str,
        fetch: Callable[[], tuple[list[dict[str, Any]], bool]],
        cut_note: str,
    ) -> list[dict[str, Any]]:
        """One scope's log (rows, more-than-the-cap), retried; a failure or a cut log is a gap.

        A log read only up to its cap is still used, but never passed off as whole: the
        gap says what was cut and which setting raises the cap (`cut_note`).
        """
        try:
            rows, more = self._retry(fetch, operation)
        except ScopeFailed as exc:
            out.gap("service", scope, operation, exc)
            return []
        if more:
            out.gap("service", scope, operation, LookupError(cut_note))
        out.progress.done("service", scope)
        return rows


def run_concurrently(
    fn: Callable[[T], R], items: Sequence[T], max_workers: int
) -> list[R | BaseException]:
    """Apply fn to every item on a bounded thread pool; results in input order, failures as exceptions."""
    if not items:
        return []
    results: list[R | BaseException] = [None] * len(items)  # type: ignore[list-item]

    def one(index: int) -> None:
        try:
            results[index] = fn(items[index])
        except Exception as exc:  # noqa: BLE001 - handed back to the caller as a gap
            results[index] = exc

    with ThreadPoolExecutor(
        max_workers=min(max_workers, len(items)), thread_name_prefix="collect"
    ) as pool:
        list(pool.map(one, range(len(items))))
    return results


def matches_any(value: str | None, patterns: Iterable[str]) -> bool:
    return value is not None and any(fnmatchcase(value, p) for p in patterns)


def parse_time(value: Any) -> datetime | None:
    """A provider timestamp (datetime or RFC 3339 text) as an aware UTC datetime; None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def tenant_row(
    scope_id: str,
    name: str | None,
    tags: dict[str, str],
    tag_map: dict[str, str],
    created_at: Any = None,
) -> dict[str, Any]:
    """A TENANTS row from an account's tags: mapped fields, else the account id and name."""
    row: dict[str, Any] = {}
    for key, column in tag_map.items():
        value = tags.get(key)
        if value is None or value == "":
            continue
        kind = TENANTS.column(column).kind.value
        if kind == "list":
            row[column] = [part.strip() for part in value.split(";") if part.strip()]
        elif kind == "datetime":
            row[column] = parse_time(value)
        elif kind == "boolean":
            row[column] = value.strip().lower() in ("true", "yes", "1")
        else:
            row[column] = value
    row.setdefault("tenant_id", scope_id)
    row.setdefault("legal_name", name or scope_id)
    if created_at is not None:
        row.setdefault("created_at", parse_time(created_at))
    return row


def frame(schema: TableSchema, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a frame with exactly the schema's columns and dtypes; absent fields are typed nulls."""
    columns = schema.polars_schema()
    data = {name: [row.get(name) for row in rows] for name in columns}
    return pl.DataFrame(data, schema=columns)


@dataclass
class Collection:
    """What a connector gathered, as rows, plus the gaps and the scope it covered."""

    provider: str
    tenants: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    access: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    scope: dict[str, Any] = field(default_factory=dict)
    extra_usage: list[pl.DataFrame] = field(default_factory=list)
    progress: Progress = field(default_factory=lambda: ScopeTally(""))

    def gap(
        self, scope_kind: ScopeKind, scope: str, operation: str, failure: BaseException
    ) -> None:
        attempts = failure.attempts if isinstance(failure, ScopeFailed) else 1
        error = failure.error if isinstance(failure, ScopeFailed) else failure
        gap = CoverageGap(
            self.provider, scope_kind, scope, operation, describe_error(error), attempts
        )
        self.gaps.append(gap)
        self.progress.failed(scope_kind, scope, operation)
        log.warning(
            "event=coverage_gap provider=%s scope_kind=%s scope=%s operation=%s attempts=%d error=%s",
            self.provider,
            scope_kind,
            scope,
            operation,
            attempts,
            type(error).__name__,
        )

    def fan_out(
        self,
        read: Callable[[T], R],
        items: Sequence[T],
        *,
        scope_kind: ScopeKind,
        scope_of: Callable[[T], str],
        max_workers: int,
    ) -> list[R]:
        """Reads every scope concurrently; an unexpected fault in one becomes that scope's gap, never a crash or a silent drop."""
        kept: list[R] = []
        for item, result in zip(items, run_concurrently(read, items, max_workers)):
            if isinstance(result, BaseException):
                self.gap(scope_kind, scope_of(item), "collect", result)
            else:
                kept.append(result)
        return kept

    def to_result(self, collected_at: datetime) -> CollectResult:
        # Several accounts may carry one tenant_id (one customer, many accounts): one row per tenant.
        # Workers append in any order, so sort for a deterministic snapshot.
        tenants = (
            frame(TENANTS, self.tenants)
            .sort("tenant_id", "created_at", nulls_last=True)
            .unique("tenant_id", keep="first", maintain_order=True)
        )
        usage = pl.concat([frame(USAGE, self.usage), *self.extra_usage], how="vertical").sort(
            "account_id", "region", "instance_id", "start", nulls_last=True
        )
        access = frame(ACCESS, self.access).sort("tenant_id", "timestamp", nulls_last=True)
        gaps = sorted(self.gaps, key=lambda g: (g.scope_kind, g.scope, g.operation))
        manifest = {
            "provider": self.provider,
            "collected_at": collected_at.isoformat(),
            "scope": self.scope,
            "counts": {
                "tenants": tenants.height,
                "usage": usage.height,
                "access": access.height,
                "gaps": len(gaps),
            },
            "gaps": [g.to_dict() for g in gaps],
            "complete": not gaps,
        }
        return CollectResult(tenants, usage, access, gaps, manifest)


class Connector(Protocol):
    """One cloud: built from its settings and (optionally injected) SDK clients, then collected."""

    name: ClassVar[str]
    settings_model: ClassVar[type[ConnectorSettings]]

    def __init__(self, settings: ConnectorSettings, clients: Any | None = None) -> None: ...

    def collect(self, progress: Progress) -> Collection: ...


def require_sdk(module: str, extra: str) -> None:
    """Import an optional SDK or say which extra installs it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise InputError(
            f"the {extra} connector needs its SDK ({module}); install it with: pip install 'auditor[{extra}]'"
        ) from exc
