"""Options shared by `audit`, `investigate` and `rules backtest`: the inputs of one audit.

Options given on the command line override the same settings in `--config`; both end up
in one `AuditConfig`, so every command reads its inputs through the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from auditor.config import AuditConfig, load_config
from auditor.errors import ConfigError, Problem

from auditor.cli.paths import CONFIG as _CONFIG_PATH
from auditor.cli.paths import PathOrURL


_PATH = PathOrURL()
log = logging.getLogger("auditor.cli")


def audit_input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--config",
            "config_path",
            type=_CONFIG_PATH,
            help="Audit config YAML (see examples/audit.yaml).",
        ),
        click.option(
            "--tenants", type=_PATH, help="Tenant (KYC) file: CSV, Parquet or JSON Lines."
        ),
        click.option("--usage", type=_PATH, help="Instance usage file."),
        click.option("--access", type=_PATH, help="Sign-in file (optional)."),
        click.option(
            "--snapshot",
            type=_PATH,
            help="Folder written by `auditor collect`, instead of the three files.",
        ),
        click.option(
            "--ownership",
            type=_PATH,
            help="Ownership file: stated interests of owners in tenants and parties (optional).",
        ),
        click.option(
            "--parties",
            type=_PATH,
            help="Parties file: owners and intermediaries that are not tenants (optional).",
        ),
        click.option(
            "--downstream",
            type=_PATH,
            help="Downstream-customer file: the customers each reseller identified (optional; docs/cip.md).",
        ),
        click.option(
            "--list-officers",
            "list_officers",
            type=_PATH,
            help="Officers of restricted-party list entries (optional; docs/cip.md).",
        ),
        click.option(
            "--home-country",
            "home_country",
            help="ISO alpha-2 country of the provider; owners elsewhere are foreign persons (default US).",
        ),
        click.option(
            "--lists",
            "lists",
            type=_PATH,
            multiple=True,
            help="Restricted-party list file (CSL CSV/JSON); repeatable.",
        ),
        click.option(
            "--aliases",
            "aliases",
            type=_PATH,
            multiple=True,
            help="Alias file (YAML/CSV: entry, alias, source) adding names to list entries; repeatable.",
        ),
        click.option(
            "--rules", type=_PATH, help="Rule pack directory (default: the built-in pack)."
        ),
        click.option(
            "--as-of",
            "as_of",
            help="End of the audit window (ISO 8601); default: latest event in the data.",
        ),
        click.option(
            "--allow-empty-tenants",
            "allow_empty_tenants",
            is_flag=True,
            default=None,
            help="Accept a tenant table with no rows (refused by default).",
        ),
        click.option(
            "--engine",
            type=click.Choice(["polars", "spark"]),
            default=None,
            help="Engine of the usage and sign-in stages (default polars; spark needs auditor[spark], docs/spark.md).",
        ),
        click.option(
            "--spark-master",
            "spark_master",
            help="With --engine spark: the Spark master (local[2], yarn, spark://host:7077).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_config(config_path: Path | None, **overrides: Any) -> AuditConfig:
    base = load_config(config_path) if config_path else AuditConfig()
    updates = {k: v for k, v in overrides.items() if v not in (None, (), [])}
    engine_updates = {
        key: updates.pop(option)
        for key, option in (("name", "engine"), ("master", "spark_master"))
        if option in updates
    }
    if engine_updates:  # --engine/--spark-master override those keys of the config's `engine:`
        updates["engine"] = {**base.engine.model_dump(), **engine_updates}
        if updates["engine"]["master"] and updates["engine"]["name"] != "spark":
            raise ConfigError(
                [
                    Problem(
                        None,
                        "a Spark master needs the Spark engine: add --engine spark",
                        subject="--spark-master",
                    )
                ]
            )
    if "lists" in updates:
        updates["lists"] = list(updates["lists"])
    if "aliases" in updates:
        updates["aliases"] = list(updates["aliases"])
    try:
        config = AuditConfig.model_validate({**base.model_dump(), **updates})
    except Exception as exc:  # pydantic ValidationError: report as a usage error
        errors: list[dict[str, Any]] = getattr(exc, "errors", lambda: [])()
        raise ConfigError(
            [
                Problem(
                    None,
                    e["msg"].removeprefix("Value error, "),
                    subject="--" + str(e["loc"][0]).replace("_", "-"),
                )
                for e in errors
            ]
            or [Problem(None, str(exc))]
        ) from None
    # Which files the run reads (paths, never their contents), for -vv. Not the store's
    # name: a store URL can carry credentials.
    log.debug(
        "event=config config=%s tenants=%s usage=%s access=%s snapshot=%s lists=%d rules=%s store=%s",
        config_path,
        config.tenants,
        config.usage,
        config.access,
        config.snapshot,
        len(config.lists),
        config.rules or "built-in",
        "yes" if config.store is not None else "no",
    )
    return config
