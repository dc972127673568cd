"""Object storage for every path setting: s3://, gs://, az:// and abfss:// URLs beside local paths.

`location` says what a path names; `inputs` copies URL inputs to a private local folder
before a run reads them; `outputs` publishes an output folder to a bucket whole-or-marked;
`io` and `stores` are the one layer (obstore) every byte goes through. The case store is
not here: it stays a local file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Collection

from auditor.storage.location import ObjectURL, parse_url
from auditor.storage.settings import StorageConfig


def staged_output(out_dir: str | Path, allowed_names: Collection[str], storage: Any = None) -> Any:
    """The output folder being written: a local `StagedFolder`, or a `RemoteStagedFolder` for a URL."""
    url = parse_url(out_dir) if isinstance(out_dir, str) else None
    if url is None:
        from auditor.report.folder import StagedFolder

        return StagedFolder(out_dir, allowed_names)
    from auditor.storage.outputs import RemoteStagedFolder

    return RemoteStagedFolder(url, allowed_names, storage or StorageConfig())


def check_output(out_dir: str | Path, allowed_names: Collection[str], storage: Any = None) -> bool:
    """For a URL: refuses a prefix of foreign objects or a missing/denied bucket now; False for a local path."""
    url = parse_url(out_dir) if isinstance(out_dir, str) else None
    if url is None:
        return False
    from auditor.storage.outputs import check_output_prefix

    check_output_prefix(url, allowed_names, storage or StorageConfig())
    return True


__all__ = ["ObjectURL", "StorageConfig", "check_output", "parse_url", "staged_output"]
