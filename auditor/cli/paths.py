"""Click types of path options: a local path, or an object-store URL kept whole as text.

`click.Path` would turn `s3://bucket/key` into `s3:/bucket/key`; these keep a URL as the
user wrote it (checked: an unknown `scheme://` is refused by name) and anything else as a
`Path`. `CONFIG` is every command's `--config`: an audit config may live in a bucket too
(auditor/storage/configs.py).
"""

from __future__ import annotations

from typing import Any

import click


class PathOrURL(click.ParamType):
    """A local path, or an s3://, gs://, az:// or abfss:// URL kept as text (auditor.storage.location)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from auditor.storage.location import LocationError, as_location

        try:
            return as_location(value)
        except LocationError as exc:
            self.fail(str(exc), param, ctx)


PATH_OR_URL = PathOrURL()
CONFIG = PathOrURL()


def storage_config_option(func: Any) -> Any:
    """`--config`: an audit config whose `storage:` section reaches the command's URL paths."""
    return click.option(
        "--config",
        "config_path",
        type=CONFIG,
        default=None,
        help="Audit config whose `storage:` section reaches s3://, gs://, az:// paths (endpoints, profile, account).",
    )(func)


def storage_of(config_path: Any) -> Any:
    """The `storage:` section of `config_path` (validated with the rest of it), the defaults without one."""
    from auditor.storage.settings import StorageConfig

    if config_path is None:
        return StorageConfig()
    from auditor.config import load_config

    return load_config(config_path).storage
