"""`auditor notify`: deliver the store's outbox (`drain`), try a channel (`test`), see what waits (`outbox`).

`drain` is what a scheduler runs between audits, or after one whose sender could not reach
a channel: it takes the store's lock (so two senders never deliver the same message at
once), sends every due message and exits 0 when nothing is left failing, 3 when some
message is waiting for a retry or went dead. Channels come from the audit config's `notify:`.
"""

from __future__ import annotations

import difflib
import uuid
from datetime import datetime, timezone
from pathlib import Path

import click

from auditor.cli.paths import CONFIG

from auditor.cli.safe_text import echo, plain
from auditor.cli.store_option import STORE
from auditor.config import AuditConfig, load_config
from auditor.errors import EXIT_CONNECTOR, EXIT_OK, InputError


def _config(config_path: Path) -> AuditConfig:
    return load_config(config_path)


def _store_path(config: AuditConfig, store: Path | str | None) -> Path | str:
    path = store or config.store
    if path is None:
        raise InputError("no case store: give --store FILE or `store:` in the config")
    return path


@click.group()
def notify() -> None:
    """Notifications: deliver the outbox, test a channel, list what waits."""


@notify.command()
@click.option(
    "--config",
    "config_path",
    type=CONFIG,
    required=True,
    help="Audit config with `notify:` channels.",
)
@click.option(
    "--store", type=STORE, default=None, help="Case store (default: `store:` of the config)."
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Keep retrying failed messages for up to this many seconds (following their backoff).",
)
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=60, show_default=True)
def drain(config_path: Path, store: Path | None, wait: float, lock_timeout: float) -> int:
    """Send every due message in the store's outbox; exit 3 when some are still failing."""
    from auditor.notify.sender import drain_until
    from auditor.store import open_store

    config = _config(config_path)
    opened = open_store(_store_path(config, store))
    try:
        with opened.lock(lock_timeout):
            report = drain_until(opened, config.notify, wait)
    finally:
        opened.close()
    echo(plain(report.summary()))
    for message, error in report.dead:
        echo(f"dead: {plain(message.channel)} {plain(message.event_id)}: {plain(error)}", err=True)
    for message, error, _ in report.retrying:
        echo(
            f"retrying: {plain(message.channel)} {plain(message.event_id)}: {plain(error)}",
            err=True,
        )
    return EXIT_CONNECTOR if report.dead or report.retrying else EXIT_OK


@notify.command("test")
@click.option(
    "--config",
    "config_path",
    type=CONFIG,
    required=True,
    help="Audit config with `notify:` channels.",
)
@click.option("--channel", "name", required=True, help="The channel's `name:`.")
def test_channel(config_path: Path, name: str) -> int:
    """Send a test message to one channel now (not through the outbox); exit 3 when it fails."""
    from auditor.notify.events import ping_message
    from auditor.notify.secrets import DeliveryError
    from auditor.notify.sender import deliver_one

    config = _config(config_path)
    channels = {c.name: c for c in config.notify}
    channel = channels.get(name)
    if channel is None:
        close = difflib.get_close_matches(name, list(channels), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        known = ", ".join(sorted(channels)) or "none"
        raise InputError(f"no channel named '{name}' in {config_path}{hint}; configured: {known}")
    at = datetime.now(timezone.utc)
    message = ping_message(channel, at, uuid.uuid4().hex[:12])
    try:
        deliver_one(channel, message, at)
    except DeliveryError as exc:
        echo(f"error: channel {plain(name)} ({channel.kind}): {plain(exc)}", err=True)
        return EXIT_CONNECTOR
    echo(
        f"ok: test message {plain(message.event_id)} delivered to channel {plain(name)} ({channel.kind})"
    )
    return EXIT_OK


@notify.command("outbox")
@click.option(
    "--config", "config_path", type=CONFIG, default=None, help="Audit config (for its `store:`)."
)
@click.option("--store", type=STORE, default=None, help="Case store (path or URL).")
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]), default=None)
def outbox(config_path: Path | None, store: Path | None, state: str | None) -> int:
    """List outbox messages: event, channel, state, attempts, last error (no payloads)."""
    from auditor.store import open_store

    config = _config(config_path) if config_path else AuditConfig()
    opened = open_store(_store_path(config, store))
    try:
        messages = opened.notifications(state=state)
    finally:
        opened.close()
    for m in messages:
        error = f"  {plain(m.last_error)}" if m.last_error else ""
        echo(
            f"{plain(m.event_id)}  {plain(m.channel)}  {m.kind}  {m.state}  attempts={m.attempts}{error}"
        )
    echo(f"{len(messages)} message(s)")
    return EXIT_OK
