"""Inputs named by URL, copied into a private local folder before the run reads them.

Every reader of the audit (CSV/Parquet/JSON Lines tables, list files, YAML, the ASN
database, snapshot and rule folders) works on local files, with the row and line numbers
of its errors; so a URL input is downloaded once, whole, into a 0700 temporary folder under
its own name (the extension picks the format), and the run reads that copy. What the run
reports (run.json's inputs, error locations) names the URL, not the copy; checksums are of
the same bytes. The copies are removed when the run's result is dropped, or at exit.

The case store is not an input here: it stays a local file (a PostgreSQL store is its
networked form).
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError, Problem, SourceLocation
from auditor.storage.io import download, exists, list_keys, private_tempdir
from auditor.storage.location import ObjectURL, parse_url
from auditor.storage.settings import StorageConfig

log = logging.getLogger("auditor.storage")

# Settings naming one file (or a folder of Parquet parts); `snapshot` and `rules` name folders.
FILE_SETTINGS = (
    "tenants",
    "usage",
    "access",
    "ownership",
    "parties",
    "downstream",
    "list_officers",
    "network_database",
    "allowlist",
)
FOLDER_SETTINGS = ("snapshot", "rules")
LIST_SETTINGS = ("lists", "aliases")


@dataclasses.dataclass
class StagedInputs:
    """A config whose URL inputs point at local copies, and the way back from copy to URL."""

    config: Any  # AuditConfig with local paths
    origins: dict[str, str]  # local copy (as text) -> the URL it came from
    folder: Path | None

    def url_of(self, text: str) -> str:
        """`text` with each local copy's path replaced by its URL."""
        for local, url in self.origins.items():
            text = text.replace(local, url)
        return text

    def relocated(self, exc: AuditorError) -> AuditorError:
        """The same error, its locations and messages naming URLs instead of the copies."""
        problems = [
            Problem(
                dataclasses.replace(p.location, path=self.url_of(p.location.path))
                if p.location is not None
                else None,
                self.url_of(p.message),
                p.subject,
            )
            for p in exc.problems
        ]
        clone = type(exc).__new__(type(exc))
        clone.__dict__.update(exc.__dict__)
        AuditorError.__init__(clone, problems)
        return clone

    def relabel(self, result: Any) -> Any:
        """A run's result whose record of its inputs names the URLs; the copies live as long as it does."""
        if not self.origins:
            return result
        updates: dict[str, Any] = {}
        for name in ("input_files", "lists"):
            if hasattr(result, name):
                updates[name] = [
                    {
                        k: self.url_of(v) if k == "path" and isinstance(v, str) else v
                        for k, v in item.items()
                    }
                    for item in getattr(result, name)
                ]
        for side in ("baseline", "new"):  # a backtest's two sides name their rule folders
            value: Any = getattr(result, side, None)
            if isinstance(getattr(value, "name", None), str) and hasattr(
                value, "rule_pack_version"
            ):
                updates[side] = dataclasses.replace(value, name=self.url_of(value.name))
        pack = getattr(result, "rule_pack", None)
        if pack is not None:
            updates["rule_pack"] = dataclasses.replace(pack, directory=self.url_of(pack.directory))
        relabelled = dataclasses.replace(result, **updates)
        # Lazy frames of the input tables still scan the copies: remove them with the tables,
        # which every copy of the result shares (`dataclasses.replace` keeps them), not before.
        anchor = getattr(relabelled, "inputs", None) or relabelled
        weakref.finalize(anchor, shutil.rmtree, str(self.folder), True)
        return relabelled

    def local(
        self, value: Path | str | None, name: str, *, folder: bool = False, sidecar: bool = False
    ) -> Any:
        """One more path outside the config (a command's own argument), as a local copy if it is a URL.

        `sidecar`: a list file's `.meta.json` (what `lists update` records) comes along when it is there.
        """
        url = parse_url(value) if isinstance(value, str) else None
        if url is None:
            return value
        if self.folder is None:
            self.folder = private_tempdir("auditor-inputs-")
            atexit.register(self.close)
        local = _fetch(
            url,
            self.folder / f"x{len(self.origins):02d}-{name}",
            self.storage,
            folder=folder,
            sidecar=sidecar,
        )
        self.origins[str(local)] = str(url)
        self.origins = dict(sorted(self.origins.items(), key=lambda kv: -len(kv[0])))
        return local

    @property
    def storage(self) -> StorageConfig:
        return self.config.storage

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def copies(storage: StorageConfig | None = None) -> StagedInputs:
    """Local copies of a command's own path arguments (`screen --list s3://...`), made by `.local()`."""
    import types

    return StagedInputs(types.SimpleNamespace(storage=storage or StorageConfig()), {}, None)


def _fetch(
    url: ObjectURL, dest: Path, storage: StorageConfig, *, folder: bool, sidecar: bool = False
) -> Path:
    """`url` as a local file, or as a local folder when objects sit under it as a prefix."""
    keys = list_keys(url, storage) if folder or url.key else []
    if not keys and folder:
        from auditor.errors import InputError

        raise InputError(
            "no objects under this prefix (a snapshot or rules folder was expected here)",
            location=SourceLocation(str(url)),
        )
    if keys:  # a folder: a snapshot, a rule pack, a table of Parquet parts
        dest.mkdir(mode=0o700)
        for key in keys:
            target = dest.joinpath(*key.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            download(url.child(key), target, storage)
        return dest
    dest.mkdir(mode=0o700)
    target = dest / url.name
    download(url, target, storage)
    if sidecar:
        meta = ObjectURL(url.cloud, url.scheme, url.bucket, f"{url.key}.meta.json", url.account)
        if exists(meta, storage):
            download(meta, dest / meta.name, storage)
    return target


def stage_inputs(config: Any) -> StagedInputs:
    """Downloads the config's URL inputs; a config without any is returned as it is."""
    storage: StorageConfig = config.storage
    wanted: list[tuple[str, int | None, ObjectURL, bool]] = []
    for name in (*FILE_SETTINGS, *FOLDER_SETTINGS):
        value = getattr(config, name)
        url = parse_url(value) if isinstance(value, str) else None
        if url is not None:
            wanted.append((name, None, url, name in FOLDER_SETTINGS))
    for name in LIST_SETTINGS:
        for i, value in enumerate(getattr(config, name)):
            url = parse_url(value) if isinstance(value, str) else None
            if url is not None:
                wanted.append((name, i, url, False))
    if not wanted:
        return StagedInputs(config, {}, None)
    folder = private_tempdir("auditor-inputs-")
    staged = StagedInputs(config, {}, folder)
    atexit.register(staged.close)
    updates: dict[str, Any] = {name: list(getattr(config, name)) for name in LIST_SETTINGS}
    try:
        for n, (name, index, url, is_folder) in enumerate(wanted):
            local = _fetch(
                url,
                folder / f"{n:02d}-{name}",
                storage,
                folder=is_folder,
                sidecar=name == "lists",
            )
            staged.origins[str(local)] = str(url)
            if index is None:
                updates[name] = local
            else:
                updates[name][index] = local
            log.info("event=input_staged setting=%s url=%s", name, url)
    except BaseException:
        staged.close()
        raise
    # Longest first, so a folder's path never replaces the start of one of its files' paths wrongly.
    staged.origins = dict(sorted(staged.origins.items(), key=lambda kv: -len(kv[0])))
    staged.config = config.model_copy(update=updates)
    return staged


@contextmanager
def url_errors(staged: StagedInputs) -> Iterator[None]:
    """Errors raised while the run reads the copies name the URLs."""
    try:
        yield
    except AuditorError as exc:
        if not staged.origins:
            raise
        raise staged.relocated(exc) from None
