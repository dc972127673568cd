"""The `--store` value: a file path, or a database URL kept whole (a Path would fold `postgresql://` into `postgresql:/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.redact import redact_url


class StoreLocation(click.ParamType):
    """A case store's path (as a Path) or URL (as it was given); the URL is shown without its password."""

    name = "PATH|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Path) or value is None:
            return value
        text = str(value)
        return text if "://" in text else Path(text)

    def __repr__(self) -> str:
        return "StoreLocation()"


STORE = StoreLocation()


def shown(location: Path | str) -> str:
    """How a store is named in output: a URL without its credentials."""
    return redact_url(str(location)) if "://" in str(location) else str(location)
