"""`auditor store backup`: a consistent copy of the SQLite case store, to a file or an object URL.

SQLite's online backup API copies the store inside one read transaction, so a run
committing at the same time is either wholly in the copy or not at all. The copy is
checked (`PRAGMA integrity_check`) before it goes anywhere, then committed whole: renamed
into place beside a local target, or uploaded as one object to a URL. The store itself is
only read. A PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from auditor.checksum import file_sha256
from auditor.errors import InputError, OutputError, SourceLocation, display_path
from auditor.storage.io import private_tempdir, upload
from auditor.storage.location import parse_url
from auditor.storage.settings import StorageConfig


@dataclass(frozen=True)
class Backup:
    target: str
    size: int
    sha256: str


def _copy(store: Path, dest: Path) -> None:
    where = SourceLocation(display_path(store))
    if not store.is_file():
        raise InputError(
            "no case store here; `auditor audit --store FILE` creates it", location=where
        )
    try:
        source = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
        try:
            tables = {
                r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "runs" not in tables:
                raise InputError("not an auditor case store (it has no runs table)", location=where)
            copy = sqlite3.connect(dest)
            try:
                source.backup(copy)
                status = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"cannot read the case store: {exc}", location=where) from None
    if status != "ok":
        raise InputError(
            f"the copy failed its integrity check ({status}); the store may be damaged",
            location=where,
        )


def backup_store(store: Path, target: Path | str, storage: StorageConfig | None = None) -> Backup:
    """Copies `store` to `target` (a path or URL), whole or not at all."""
    url = parse_url(target) if isinstance(target, str) else None
    if url is not None:
        root = private_tempdir("auditor-backup-")
        try:
            copy = root / url.name
            _copy(Path(store), copy)
            upload(copy, url, storage or StorageConfig())
            return Backup(str(url), copy.stat().st_size, file_sha256(copy))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    dest = Path(target)
    if dest.is_dir():
        raise OutputError(
            "the backup target is a folder; give a file name",
            location=SourceLocation(display_path(dest)),
        )
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        os.chmod(tmp, 0o600)  # the store holds KYC data and analysts' notes
    except OSError as exc:
        raise OutputError(
            f"cannot write the backup: {exc.strerror}", location=SourceLocation(display_path(dest))
        ) from None
    try:
        _copy(Path(store), Path(tmp))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Backup(display_path(dest), dest.stat().st_size, file_sha256(dest))
