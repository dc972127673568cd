"""`auditor console`: serve the analysts' web console, and manage its users and API keys.

Users and keys live in the case store, so every console replica and the CLI see the same
accounts; each change is an audit event naming who made it (`--by`, default $USER).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import timedelta

import click

from auditor.cli.cases_cmd import _login_name, _open, store_options
from auditor.cli.store_option import shown
from auditor.cli.safe_text import echo, plain
from auditor.errors import InputError
from auditor.store.review import ROLES


def _by(by: str | None) -> str:
    return by or os.environ.get("USER") or _login_name() or "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True))


by_option = click.option(
    "--by", default=None, help="Who makes the change (default: $USER); recorded in the audit trail."
)


@click.group()
def console() -> None:
    """The analysts' web console: serve it, and manage its users and API keys."""


@console.command("serve")
@store_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback by default; TLS at a reverse proxy).",
)
@click.option("--port", default=8720, show_default=True, type=int)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="Address of a reverse proxy whose SSO header (--sso-header) is believed. Repeatable; none by default.",
)
@click.option(
    "--sso-header",
    default="X-Forwarded-User",
    show_default=True,
    help="Header carrying the signed-in user.",
)
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    help="A reason analysts choose from when deciding (repeatable; replaces the built-in list).",
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Plain-HTTP cookies for local trials only (no __Host-, no Secure).",
)
def serve(
    store, config_path, host, port, trusted_proxies, sso_header, reasons, insecure_cookies
) -> int:
    """Serve the console (needs `pip install 'auditor[console]'`)."""
    try:
        import uvicorn

        from auditor.console.app import ConsoleConfig, create_app
    except ModuleNotFoundError as exc:
        raise InputError(
            f"the console needs its extra: pip install 'auditor[console]' ({exc.name} is missing)"
        ) from None
    from auditor.config import load_config

    st = _open(store, config_path)
    location = st.location
    st.close()
    config = ConsoleConfig(
        store=location,
        trusted_proxies=tuple(trusted_proxies),
        sso_header=sso_header,
        secure_cookies=not insecure_cookies,
        due_days=_due_days(config_path),
        notify=_channels(config_path),
        allowlist_max_days=load_config(config_path).allowlist_max_days if config_path else 180,
    )
    chosen = tuple(r.strip() for r in reasons if r.strip())
    if chosen:
        config = dataclasses.replace(config, reasons=chosen)
    echo(f"console on http://{host}:{port}/ (store {plain(shown(location))}); Ctrl-C stops it")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=False)
    return 0


def _due_days(config_path) -> dict[str, int]:
    """The config's `console.due_days` (validated with the rest of the config); the defaults without a config."""
    from auditor.store.due import DEFAULT_DUE_DAYS

    if config_path is None:
        return dict(DEFAULT_DUE_DAYS)
    from auditor.config import load_config

    return load_config(config_path).console.due_days.as_dict()


def _channels(config_path) -> tuple:
    """The config's notification channels: assignments and review requests from the console go there."""
    if config_path is None:
        return ()
    from auditor.config import load_config

    return tuple(load_config(config_path).notify)


@console.group("user")
def user() -> None:
    """Add, disable, enable and reset console accounts."""


@user.command("add")
@click.argument("username")
@store_options
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
    help="viewer (read-only), analyst, reviewer or admin.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--sso-only",
    is_flag=True,
    help="No password: the user signs in only through the reverse proxy's SSO header.",
)
@by_option
def user_add(username, store, config_path, role, password_stdin, sso_only, by) -> int:
    """Add a console account (the first account turns four-eyes on for the store)."""
    from auditor.console.passwords import hash_password

    hashed = None if sso_only else hash_password(_password(password_stdin))
    st = _open(store, config_path)
    try:
        st.add_user(username, role, hashed, _by(by))
    finally:
        st.close()
    echo(f"added {plain(username)} ({role})")
    return 0


@user.command("disable")
@click.argument("username")
@store_options
@by_option
def user_disable(username, store, config_path, by) -> int:
    """Disable an account: its sessions end and its API keys stop working at once."""
    st = _open(store, config_path)
    try:
        st.update_user(username, _by(by), disabled=True)
    finally:
        st.close()
    echo(f"disabled {plain(username)}")
    return 0


@user.command("enable")
@click.argument("username")
@store_options
@by_option
def user_enable(username, store, config_path, by) -> int:
    """Enable a disabled account again."""
    st = _open(store, config_path)
    try:
        st.update_user(username, _by(by), disabled=False)
    finally:
        st.close()
    echo(f"enabled {plain(username)}")
    return 0


@user.command("reset")
@click.argument("username")
@store_options
@click.option("--role", type=click.Choice(ROLES), help="Give the account this role.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the new password from the first line of stdin."
)
@click.option("--keep-password", is_flag=True, help="Change only the role.")
@by_option
def user_reset(username, store, config_path, role, password_stdin, keep_password, by) -> int:
    """Set a new password (which also lifts a lockout) and optionally a new role."""
    from auditor.console.passwords import hash_password

    hashed = None if keep_password else hash_password(_password(password_stdin))
    st = _open(store, config_path)
    try:
        st.update_user(username, _by(by), role=role, password_hash=hashed)
    finally:
        st.close()
    echo(f"reset {plain(username)}")
    return 0


@console.group("key")
def key() -> None:
    """Create and revoke API keys for the JSON API."""


@key.command("create")
@click.argument("username")
@store_options
@click.option("--label", default="", help="What the key is for (shown in listings).")
@click.option(
    "--days",
    default=90,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="Days until it expires.",
)
@by_option
def key_create(username, store, config_path, label, days, by) -> int:
    """Create a key acting as USERNAME with that user's current role; it is shown once."""
    st = _open(store, config_path)
    try:
        secret, made = st.create_api_key(username, label, timedelta(days=days), _by(by))
    finally:
        st.close()
    echo(secret)
    echo(
        f"key {made.prefix} for {plain(username)}, expires {made.expires_at.date().isoformat()}; shown once, store it now",
        err=True,
    )
    return 0


@key.command("revoke")
@click.argument("prefix")
@store_options
@by_option
def key_revoke(prefix, store, config_path, by) -> int:
    """Revoke a key by its prefix (the 8 characters after `adk_`)."""
    st = _open(store, config_path)
    try:
        st.revoke_api_key(prefix, _by(by))
    finally:
        st.close()
    echo(f"revoked {plain(prefix)}")
    return 0


@key.command("list")
@store_options
def key_list(store, config_path) -> int:
    """Every key: prefix, owner, label, expiry, revoked."""
    st = _open(store, config_path)
    try:
        keys = st.api_keys()
    finally:
        st.close()
    for k in keys:
        state = "revoked" if k.revoked_at else f"expires {k.expires_at.date().isoformat()}"
        echo(f"{k.prefix}  {plain(k.username)}  {plain(k.label) or '-'}  {state}")
    return 0


@console.command("four-eyes")
@store_options
@click.option(
    "--require",
    "rules",
    multiple=True,
    metavar="STATUS=BANDS",
    help="e.g. dismissed=high,critical: these decisions on cases in these bands wait for a reviewer. "
    "Repeatable; replaces the setting. `dismissed=` alone turns it off for dismissals.",
)
@by_option
def four_eyes(store, config_path, rules, by) -> int:
    """Show, or as an admin set, which decisions need a second person's approval."""
    st = _open(store, config_path)
    try:
        if rules:
            parsed: dict[str, list[str]] = {}
            for rule in rules:
                status, sep, bands = rule.partition("=")
                if not sep:
                    raise InputError(
                        f"--require {rule!r}: expected STATUS=BANDS, e.g. dismissed=high,critical"
                    )
                parsed[status.strip()] = [b.strip() for b in bands.split(",") if b.strip()]
            st.set_four_eyes(parsed, _by(by))
        current = st.four_eyes()
        team = st.has_accounts()
    finally:
        st.close()
    for status, bands in sorted(current.items()):
        echo(f"{status}: {', '.join(bands) or 'never'} need a reviewer's approval")
    if not team:
        echo("(this store has no accounts yet, so decisions are in force at once)")
    return 0
