"""The `notify:` section of the audit config: one entry per channel, validated strictly.

Secrets never sit in the config: a webhook's signing secret, a chat webhook's URL (which
is itself a credential) and an SMTP password come from an environment variable (`*_env`)
or a file (`*_file`), read only when a message is sent. Chat channels carry `minimal`
detail unless configured otherwise: case ids, priorities, counts and links, no KYC values.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Priority = Literal["critical", "high", "medium", "low"]
EventKind = Literal[
    "run-digest", "expiring", "channel-failing", "case-assigned", "review-requested"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "run-digest",
    "expiring",
    "channel-failing",
    "case-assigned",  # the console: a case assigned to someone (not taken by themselves)
    "review-requested",  # the console: a decision waits for a second person (four-eyes)
)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why a channel URL is refused: it must be https (plain http only to this machine, for tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return None
    return "expected an https:// URL (http:// only to a loopback address)"


class ChannelBase(BaseModel):
    """What every channel has: a name, which cases and events it hears, and its retry budget."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="The channel's name (`notify test --channel NAME`).",
    )
    min_priority: Priority = Field(
        default="high", description="Cases at or above this band appear in the run digest."
    )
    detail: Literal["minimal", "full"] = Field(
        default="minimal",
        description="minimal: case ids, priorities, counts, links; full: also tenant names and reasons.",
    )
    events: list[EventKind] = Field(
        default_factory=lambda: list(EVENT_KINDS), description="Events this channel is sent."
    )
    send_empty_digest: bool = Field(
        default=False,
        description="Send the run digest even when it names no case and reports nothing.",
    )
    link: str | None = Field(
        default=None,
        description="A link per case, `{case_id}` replaced (e.g. https://console.example/cases/{case_id}).",
    )
    max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts before a message is dead."
    )
    backoff_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Wait before the first retry; doubles after each failure (at most 6 h).",
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="Per attempt.")

    def resolved(self, base: Path) -> ChannelBase:
        """`*_file` paths made relative to the config file's folder."""
        update = {}
        for key, value in self:
            if key.endswith("_file") and isinstance(value, Path) and not value.is_absolute():
                update[key] = Path(os.path.normpath(base / value))
        return self.model_copy(update=update)


class _UrlChannel(ChannelBase):
    url: str | None = Field(
        default=None,
        description="The endpoint (for Slack and Teams prefer url_env: the URL is a credential).",
    )
    url_env: str | None = Field(default=None, description="Environment variable holding the URL.")
    url_file: Path | None = Field(default=None, description="File holding the URL.")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and (problem := url_problem(value)):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _one_url(self) -> _UrlChannel:
        given = [k for k in ("url", "url_env", "url_file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of url, url_env, url_file")
        return self


class WebhookChannel(_UrlChannel):
    """A generic webhook, signed as Standard Webhooks are (notify/signing.py)."""

    kind: Literal["webhook"]
    secret_env: str | None = Field(
        default=None,
        description="Environment variable holding the signing secret(s), `whsec_...`; several separated by spaces while a key rotates.",
    )
    secret_file: Path | None = Field(
        default=None, description="File holding the signing secret(s)."
    )

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookChannel:
        if (self.secret_env is None) == (self.secret_file is None):
            raise ValueError("give exactly one of secret_env, secret_file (the signing secret)")
        return self


class SlackChannel(_UrlChannel):
    """A Slack incoming webhook: `text` plus Block Kit `blocks`."""

    kind: Literal["slack"]


class TeamsChannel(_UrlChannel):
    """A Microsoft Teams Workflows webhook: a message with an Adaptive Card."""

    kind: Literal["teams"]


class EmailChannel(ChannelBase):
    """E-mail over SMTP with STARTTLS: a plain-text and an HTML part."""

    kind: Literal["email"]
    smtp_host: str
    smtp_port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = Field(
        default=True, description="Upgrade with STARTTLS; only a loopback server may go without."
    )
    tls_ca_file: Path | None = Field(
        default=None, description="CA bundle for a server with a private certificate."
    )
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    mail_from: str = Field(alias="from", description="The From address.")
    mail_to: list[str] = Field(alias="to", min_length=1, description="Recipients.")

    @model_validator(mode="after")
    def _safe_transport(self) -> EmailChannel:
        if not self.starttls and not is_loopback(self.smtp_host):
            raise ValueError("starttls: false is allowed only for a loopback SMTP server")
        if self.password_env is not None and self.password_file is not None:
            raise ValueError("give at most one of password_env, password_file")
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("a password needs a username")
        return self


NotifyChannel = Annotated[
    WebhookChannel | SlackChannel | TeamsChannel | EmailChannel, Field(discriminator="kind")
]
