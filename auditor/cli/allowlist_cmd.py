"""`auditor allowlist validate` checks allowlist.yaml as CI does on a pull request, every mistake located;
`auditor allowlist entries` lists and exports the entries proposed and approved in the console."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from auditor.cli.paths import CONFIG, PATH_OR_URL
from auditor.cli.store_option import STORE

from auditor.cli.safe_text import echo, plain


@click.group()
def allowlist() -> None:
    """Allowlists that expire: validate entries before they go live, list and export the console's."""


@allowlist.command()
@click.argument("file", type=PATH_OR_URL)
@click.option(
    "--rules",
    "rules_dir",
    type=PATH_OR_URL,
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
    help="Audit config (its rules, allowlist_max_days, and storage: for URLs).",
)
def validate(
    file: Path | str,
    rules_dir: Path | str | None,
    max_days: int | None,
    config_path: Path | str | None,
) -> int:
    """Check FILE: structure, dates, tenant fields, rule ids, the expiry limit; list entries expired or expiring soon.

    FILE and --rules may be s3://, gs://, az:// URLs (errors name the URL and line).
    """
    from auditor.allowlist.apply import expiring_entries
    from auditor.allowlist.spec import DEFAULT_MAX_DAYS, load_allowlist
    from auditor.config import load_config
    from auditor.engine.loader import builtin_rules_dir, load_rule_pack
    from auditor.features.vocabulary import feature_kinds

    from auditor.storage.inputs import copies, url_errors

    config = load_config(config_path) if config_path else None
    rules = rules_dir or (config.rules if config else None) or builtin_rules_dir()
    limit = max_days or (config.allowlist_max_days if config else DEFAULT_MAX_DAYS)
    staged = copies(config.storage if config else None)
    try:
        with url_errors(staged):
            pack = load_rule_pack(staged.local(rules, "rules", folder=True), feature_kinds())
            loaded = load_allowlist(
                staged.local(file, "allowlist"), max_days=limit, rule_ids={r.id for r in pack.rules}
            )
    finally:
        staged.close()
    today = datetime.now(timezone.utc).date()
    echo(
        f"ok: {len(loaded.entries)} entries in {plain(file)}, {len(loaded.active(today))} active "
        f"(at most {limit} days each; rules of pack {plain(pack.version)})"
    )
    for item in expiring_entries(loaded, today):
        state = "expired" if item.days_left <= 0 else f"expires in {item.days_left} day(s)"
        echo(f"  {plain(item.ref)}: {state} ({item.until}), owner {plain(item.owner)}")
    return 0


@allowlist.command("entries")
@click.option("--store", type=STORE, default=None, help="Case store (file or postgresql:// URL).")
@click.option(
    "--config",
    "config_path",
    type=CONFIG,
    default=None,
    help="Audit config whose `store:` to read.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["pending", "approved", "in-force", "expired", "rejected", "revoked"]),
    help="Keep entries standing so today (approved: in force or expired). Repeatable; default all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "yaml"]),
    default="table",
    show_default=True,
    help="table: one line an entry; jsonl: every field of every entry; yaml: the approved ones in allowlist.yaml's format.",
)
@click.option(
    "--out",
    "out_file",
    type=PATH_OR_URL,
    default=None,
    help="Write the export to this file (or s3://, gs://, az:// URL) instead of standard output.",
)
def entries(store, config_path, statuses, fmt, out_file) -> int:
    """Allowlist entries made in the console: proposed, in force, expired, rejected, revoked; export them."""
    from auditor.allowlist.export import as_jsonl, as_yaml, standing
    from auditor.cli.cases_cmd import _open
    from auditor.errors import InputError

    wanted = set(statuses)
    if "approved" in wanted:
        wanted |= {"in-force", "expired"}
    if fmt == "yaml" and wanted - {"in-force", "expired"}:
        raise InputError(
            "--format yaml holds approved entries only (allowlist.yaml's format): a pending, "
            "rejected or revoked entry has no second person's approval; use --format jsonl"
        )
    if out_file is not None and fmt == "table":
        raise InputError("--out needs --format jsonl or yaml")
    today = datetime.now(timezone.utc).date()
    st = _open(store, config_path)
    try:
        found = st.allowlist_proposals()
        chosen = [s for s in found if not wanted or standing(s, today) in wanted]
        if fmt != "table":  # an export is an audit event, as the console's download is
            st.record_action(f"cli:{_user()}", "export-allowlist", "allowlist", None,
                             {"format": fmt, "entries": len(chosen)})  # fmt: skip
    finally:
        st.close()
    if fmt == "table":
        echo(f"{len(chosen)} of {len(found)} console allowlist entries")
        for s in chosen:
            e = s.entry
            scope = ", ".join(e.tenants[:3]) + (
                f" +{len(e.tenants) - 3}" if len(e.tenants) > 3 else ""
            )
            rules = f" rules {', '.join(e.rules)}" if e.rules else ""
            reviewed = f", reviewed by {s.reviewed_by}" if s.reviewed_by else ""
            echo(
                f"{plain(s.id):<12} {standing(s, today):<9} expires {e.expires.isoformat()}  "
                f"case {plain(s.case_id or '-')}  tenants {plain(scope or '-')}{plain(rules)}  "
                f"proposed by {plain(s.proposed_by)}{plain(reviewed)}  reason: {plain(e.reason)}"
            )
        return 0
    body = as_jsonl(chosen) if fmt == "jsonl" else as_yaml(chosen)
    if out_file is None:
        echo(body.removesuffix("\n"))  # a terminal sees controls escaped; --out keeps the bytes
        return 0
    from auditor.cli.paths import storage_of
    from auditor.storage.outputs import write_output_file

    written = write_output_file(out_file, body.encode("utf-8"), storage_of(config_path))
    echo(f"wrote {plain(written)} ({len(chosen)} entries)", err=True)
    return 0


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
