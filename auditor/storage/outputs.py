"""An output folder in object storage that changes whole, as far as a bucket allows.

A bucket has no rename, so a run's files are first written complete into a local staging
folder (the same `StagedFolder` a local `--out` uses), and `publish()` then uploads each
file as one object — a single PUT, or a multipart upload that becomes visible only when it
completes — so no reader ever sees half a file. The set is marked the way Hadoop and Spark
mark theirs: `_SUCCESS` is deleted before the first upload and written after the last, and
it names the run and each file with its SHA-256. A reader takes the folder only when
`_SUCCESS` is there and its checksums match; a publish that was cut off leaves no
`_SUCCESS` and the command fails (exit 2) saying which files were uploaded.

Like a local folder, a prefix holding objects auditor did not write is refused before the
run starts, so publishing never deletes someone else's data.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from auditor.checksum import file_sha256
from auditor.errors import OutputError, Problem, SourceLocation
from auditor.storage.io import delete, exists, list_keys, private_tempdir, put_bytes, upload
from auditor.storage.location import ObjectURL, parse_url
from auditor.storage.settings import StorageConfig

log = logging.getLogger("auditor.storage")
SUCCESS = "_SUCCESS"


def check_output_prefix(
    url: ObjectURL, allowed_names: Collection[str], storage: StorageConfig
) -> None:
    """Refuses a prefix holding other objects (or a bucket that is missing or denied), before any work."""
    try:
        keys = list_keys(url, storage)
    except OutputError:
        raise
    except Exception as exc:  # an InputError from listing: the same words, as an output problem
        problems = getattr(exc, "problems", None)
        if problems is None:
            raise
        raise OutputError(list(problems)) from None
    foreign = sorted(k for k in keys if k not in allowed_names and k != SUCCESS)
    if foreign:
        raise OutputError(
            f"the output prefix holds objects auditor did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); each run replaces the whole folder, so give an empty or new prefix",
            location=SourceLocation(str(url)),
        )


def publish_folder(
    local: Path, url: ObjectURL, names: list[str], storage: StorageConfig, run_id: str | None
) -> dict[str, str]:
    """Uploads `names` from `local` under `url`, `_SUCCESS` last; the previous run's extra objects are removed."""
    before = set(list_keys(url, storage))
    if SUCCESS in before:
        delete(url.child(SUCCESS), storage)
    uploaded: list[str] = []
    try:
        for name in names:
            upload(local / name, url.child(name), storage)
            uploaded.append(name)
    except OutputError as exc:
        note = (
            f"the output prefix is incomplete: {len(uploaded)} of {len(names)} files were uploaded "
            f"and there is no {SUCCESS}; the next run replaces them"
        )
        raise OutputError([*exc.problems, Problem(None, note)]) from None
    for stale in sorted(before - set(names) - {SUCCESS}):
        delete(
            url.child(stale), storage
        )  # an output an earlier version wrote and this one does not
    marker = {
        "run_id": run_id,
        "published_at": datetime.now(timezone.utc).isoformat(),
        "files": {name: file_sha256(local / name) for name in names},
    }
    put_bytes(url.child(SUCCESS), (json.dumps(marker, indent=2) + "\n").encode(), storage)
    log.info("event=published url=%s files=%d run=%s", url, len(names), run_id)
    return {name: str(url.child(name)) for name in names}


class RemoteStagedFolder:
    """`StagedFolder`'s interface for a URL: files written locally, uploaded by `publish()`."""

    def __init__(
        self, url: ObjectURL, allowed_names: Collection[str], storage: StorageConfig
    ) -> None:
        from auditor.report.folder import StagedFolder

        check_output_prefix(url, allowed_names, storage)
        self.url = url
        self.storage = storage
        self.run_id: str | None = None
        self._root = private_tempdir("auditor-out-")
        self._local = StagedFolder(self._root / "out", allowed_names)
        self.path = self._local.path
        self.written: dict[str, str] = {}
        self.stages: dict[
            str, float
        ] = {}  # the `stages` its run.json was written with (report.write)

    def write(self, name: str, content: str | bytes) -> str:
        self._local.write(name, content)
        self.written[name] = str(self.url.child(name))
        return self.written[name]

    def copy(self, name: str, source: Path) -> str:
        self._local.copy(name, source)
        self.written[name] = str(self.url.child(name))
        return self.written[name]

    def publish(self) -> dict[str, str]:
        import shutil

        try:
            # run.json last among the files, then _SUCCESS: the manifest comes after what it describes.
            names = sorted(
                self.written, key=lambda n: (n == "run.json", list(self.written).index(n))
            )
            self._local.settle()  # its files written out before they are uploaded
            return publish_folder(self.path, self.url, names, self.storage, self.run_id)
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def discard(self) -> None:
        import shutil

        self._local.discard()
        shutil.rmtree(self._root, ignore_errors=True)


def publish_snapshot(
    result: object, url: ObjectURL, storage: object, write_local: Any, names: tuple[str, ...]
) -> str:
    """A snapshot folder under `url`: written locally, uploaded tables first and manifest.json last.

    The old manifest is deleted before the first table goes up, so a reader never pairs an
    old manifest with new tables; a prefix without manifest.json is not a snapshot to
    `read_snapshot`, which is how a cut-off upload stays unread.
    """
    import shutil

    settings = storage if isinstance(storage, StorageConfig) else StorageConfig()
    check_output_prefix(url, names, settings)
    root = private_tempdir("auditor-snapshot-")
    try:
        local = Path(write_local(result, root / "snapshot"))
        *tables, manifest = names
        if manifest in set(list_keys(url, settings)):
            delete(url.child(manifest), settings)
        for name in (*tables, manifest):
            upload(local / name, url.child(name), settings)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    log.info("event=snapshot_published url=%s", url)
    return str(url)


def write_output_file(target: Path | str, data: bytes, storage: StorageConfig | None = None) -> str:
    """One output file, whole or not at all: a unique temporary renamed into place, or one upload."""
    import os
    import tempfile

    from auditor.errors import display_path
    from auditor.storage.location import parse_url

    url = parse_url(target) if isinstance(target, str) else None
    if url is not None:
        put_bytes(url, data, storage or StorageConfig())
        return str(url)
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(
            f"cannot write: {exc.strerror or exc}", location=SourceLocation(display_path(path))
        ) from None
    return display_path(path)


SIDECAR = ".meta.json"


@contextmanager
def output_file(target: Path | str, storage: StorageConfig | None = None) -> Iterator[Path]:
    """Where a command writes one output file and, optionally, its `NAME.meta.json` sidecar.

    A local target is yielded as it is (the command writes it as before). For a URL, the
    command writes into a private folder and, when it finishes without an error, the file
    goes up as one object and the sidecar after it, the old sidecar deleted first: the
    sidecar (with the file's checksum) is the marker that the pair is whole, as `_SUCCESS`
    is for a folder. Errors raised while writing name the URL, not the private copy.
    """
    url = parse_url(target) if isinstance(target, str) else None
    if url is None:
        yield Path(target)
        return
    settings = storage or StorageConfig()
    root = private_tempdir("auditor-out-")
    local = root / url.name
    try:
        with _naming(local, url):
            yield local
        sidecar = local.with_name(local.name + SIDECAR)
        marker = ObjectURL(url.cloud, url.scheme, url.bucket, url.key + SIDECAR, url.account)
        if sidecar.exists() and exists(marker, settings):
            delete(marker, settings)
        upload(local, url, settings)
        if sidecar.exists():
            upload(sidecar, marker, settings)
        log.info("event=published url=%s sidecar=%s", url, sidecar.exists())
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def output_folder(
    target: Path | str, names: Collection[str], storage: StorageConfig | None = None
) -> Iterator[Path]:
    """Where a command writes a folder of outputs: the local folder itself, or a private one published to a URL.

    For a URL the prefix is checked first (a missing bucket, or objects auditor did not
    write, fail before any work); the files written are then uploaded and `_SUCCESS`
    (naming each file with its SHA-256) goes up last, as for the audit's output folder.
    """
    url = parse_url(target) if isinstance(target, str) else None
    if url is None:
        yield Path(target)
        return
    settings = storage or StorageConfig()
    check_output_prefix(url, names, settings)
    root = private_tempdir("auditor-out-")
    local = root / "out"
    local.mkdir(mode=0o700)
    try:
        with _naming(local, url):
            yield local
        written = [n for n in names if (local / n).is_file()]
        publish_folder(local, url, written, settings, None)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _naming(local: Path, url: ObjectURL) -> Iterator[None]:
    """Errors raised while writing the private copy name the URL instead."""
    from auditor.errors import AuditorError
    from auditor.storage.inputs import StagedInputs

    try:
        yield
    except AuditorError as exc:
        raise StagedInputs(None, {str(local): str(url)}, None).relocated(exc) from None
