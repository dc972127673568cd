"""`auditor store verify`: check that no one quietly edited or deleted the audit trail or a decision.

Exit 0 when the chain holds and every chained row matches it; exit 5 and one line per
problem otherwise, so a scheduled check can alert on it.
"""

from __future__ import annotations

import json

import click

from auditor.cli.cases_cmd import _open, store_options
from auditor.cli.options import PathOrURL
from auditor.cli.safe_text import echo, plain

EXIT_TAMPERED = 5


@click.group()
def store() -> None:
    """The case store itself: verify its audit trail, back it up."""


@store.command("verify")
@store_options
@click.option("--json", "as_json", is_flag=True, help="The findings as one JSON object.")
def verify(store, config_path, as_json) -> int:
    """Check the hash chain of the audit trail and every decision, review and comment it vouches for."""
    st = _open(store, config_path)
    try:
        found = st.verify()
    finally:
        st.close()
    if as_json:
        echo(
            json.dumps(
                {
                    "ok": found.ok,
                    "events": found.events,
                    "rows_checked": found.rows_checked,
                    "unchained_rows": found.unchained_rows,
                    "problems": found.problems,
                },
                sort_keys=True,
            )
        )
    else:
        for problem in found.problems:
            echo(f"TAMPERED: {plain(problem)}")
        older = ", ".join(f"{n} {t}" for t, n in sorted(found.unchained_rows.items()))
        echo(
            f"audit trail: {found.events} event(s), {found.rows_checked} row(s) checked"
            + (f"; older than the trail (not chained): {older}" if older else "")
            + ("; OK" if found.ok else f"; {len(found.problems)} problem(s)")
        )
    if not found.ok:
        return EXIT_TAMPERED
    return 0


@store.command("backup")
@store_options
@click.option(
    "--to",
    "target",
    type=PathOrURL(),
    required=True,
    help="Backup file, or an s3://, gs://, az:// URL (the config's `storage:` reaches it).",
)
def backup(store, config_path, target) -> int:
    """Copy the SQLite case store consistently (even while a run commits) to a file or an object URL."""
    from auditor.config import AuditConfig, load_config
    from auditor.errors import InputError
    from auditor.storage.backup import backup_store

    config = load_config(config_path) if config_path is not None else AuditConfig()
    store = store or config.store
    if store is None:
        raise InputError("no case store: give --store PATH, or --config FILE with `store:`")
    done = backup_store(store, target, config.storage)
    echo(
        f"backed up {plain(str(store))} to {plain(done.target)} ({done.size} bytes, sha256 {done.sha256})"
    )
    return 0
