"""`auditor allowlist validate`: check allowlist.yaml as CI does on a pull request, with every mistake located."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from auditor.cli.paths import CONFIG

from auditor.cli.safe_text import echo, plain

_PATH = click.Path(path_type=Path)


@click.group()
def allowlist() -> None:
    """Allowlists that expire: validate entries before they go live."""


@allowlist.command()
@click.argument("file", type=_PATH)
@click.option(
    "--rules",
    "rules_dir",
    type=_PATH,
    default=None,
    help="Rule pack the entries name (default: built-in).",
)
@click.option(
    "--max-days",
    type=click.IntRange(min=1),
    default=None,
    help="Longest an entry may live (default: the config's allowlist_max_days, else 180).",
)
@click.option(
    "--config",
    "config_path",
    type=CONFIG,
    default=None,
    help="Audit config (its rules and allowlist_max_days).",
)
def validate(
    file: Path, rules_dir: Path | None, max_days: int | None, config_path: Path | None
) -> int:
    """Check FILE: structure, dates, tenant fields, rule ids, the expiry limit; list entries expired or expiring soon."""
    from auditor.allowlist.apply import expiring_entries
    from auditor.allowlist.spec import DEFAULT_MAX_DAYS, load_allowlist
    from auditor.config import load_config
    from auditor.engine.loader import builtin_rules_dir, load_rule_pack
    from auditor.features.vocabulary import feature_kinds

    config = load_config(config_path) if config_path else None
    rules = rules_dir or (config.rules if config else None) or builtin_rules_dir()
    pack = load_rule_pack(rules, feature_kinds())
    limit = max_days or (config.allowlist_max_days if config else DEFAULT_MAX_DAYS)
    loaded = load_allowlist(file, max_days=limit, rule_ids={r.id for r in pack.rules})
    today = datetime.now(timezone.utc).date()
    echo(
        f"ok: {len(loaded.entries)} entries in {plain(file)}, {len(loaded.active(today))} active "
        f"(at most {limit} days each; rules of pack {plain(pack.version)})"
    )
    for item in expiring_entries(loaded, today):
        state = "expired" if item.days_left <= 0 else f"expires in {item.days_left} day(s)"
        echo(f"  {plain(item.ref)}: {state} ({item.until}), owner {plain(item.owner)}")
    return 0
