"""An output folder that changes whole: a run's files go into a fresh sibling folder that is swapped in.

Writing files one by one into the output folder leaves a mix of two runs when the process
is killed halfway, and a temporary with a fixed name (`report.md.tmp`) can be a planted
symlink whose target gets overwritten. Here every file is created with a unique name
(`mkstemp`: O_CREAT|O_EXCL, never through a link) inside a new folder made by `mkdtemp`
beside the target, renamed into place there, and the folder is then exchanged with the old
one in one rename (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, so a kill in
between leaves no folder rather than a mixed one). A reader sees the old run or the new
run, never a mix, and the caller decides when to swap: after the store has committed.

The folder is created 0700 and its files 0600, since they hold KYC data. An existing
folder's mode is kept (that is how a user configures wider access: `chmod 750 out`), and
its files get the same read/write bits. A folder holding files auditor did not write is
refused rather than replaced.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.errors import OutputError, SourceLocation, display_path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def output_errors(path: Path, doing: str) -> Iterator[None]:
    """OS errors while writing outputs become OutputError (exit 2) naming the path; a full disk says so."""
    try:
        yield
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        where = exc.filename if isinstance(exc.filename, str) else str(path)
        raise OutputError(
            f"cannot {doing}: {reason}", location=SourceLocation(display_path(where))
        ) from None


def _exchange(a: Path, b: Path) -> bool:
    """Swaps two paths atomically where the OS can (Linux renameat2); False when it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a filesystem without RENAME_EXCHANGE
    raise OSError(err, os.strerror(err), str(b))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_output_folder(target: Path, allowed_names: Collection[str]) -> None:
    """Refuses a file, or a folder holding files auditor did not write (a swap would delete them).

    Called before a run starts too, so a wrong `--out` fails at once, not after the audit.
    """
    target = Path(os.path.abspath(target))
    where = SourceLocation(display_path(target))
    if target == target.parent:
        raise OutputError("the output folder cannot be the root of the file system", location=where)
    here = Path(os.path.abspath(os.curdir))
    if target == here or target in here.parents:
        # Swapping it would leave this process (and the user's shell) in a deleted folder.
        raise OutputError(
            "the output folder holds the current folder; give a folder below or beside it",
            location=where,
        )
    if target.exists() and not target.is_dir():
        raise OutputError(
            "the output folder is a file; give a folder (it is created if absent)", location=where
        )
    if target.is_dir():
        # `NAME.tmp` is what versions before the swap left behind when killed.
        foreign = sorted(
            p.name
            for p in target.iterdir()
            if p.name not in allowed_names and p.name.removesuffix(".tmp") not in allowed_names
        )
        if foreign:
            raise OutputError(
                f"the output folder holds files auditor did not write ({', '.join(foreign[:5])}"
                f"{', ...' if len(foreign) > 5 else ''}); each run replaces the whole folder, so give an empty or new folder",
                location=where,
            )


class StagedFolder:
    """A new version of `target` being written; `publish()` swaps it in, `discard()` drops it."""

    def __init__(self, target: str | Path, allowed_names: Collection[str]):
        target = Path(
            os.path.abspath(target)
        )  # "." or "out/" must name a folder with a parent to swap in
        if target.is_symlink() and target.is_dir():
            target = Path(
                os.path.realpath(target)
            )  # the user's link to a folder stays; its folder is replaced
        self.target = target
        self.written: dict[str, Path] = {}
        self._syncs: list[tuple[str, Future[None]]] = []
        self._pool: ThreadPoolExecutor | None = None
        self.stages: dict[
            str, float
        ] = {}  # the `stages` its run.json was written with (report.write)
        with output_errors(target, f"use output folder {display_path(target)}"):
            check_output_folder(target, allowed_names)
            target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
            self._remove_stale_staging()
            existing_mode = target.stat().st_mode & 0o777 if target.is_dir() else None
            self.path = Path(
                tempfile.mkdtemp(dir=target.parent, prefix=f"{self._prefix()}{os.getpid()}-")
            )
            if existing_mode is not None:
                os.chmod(self.path, existing_mode)
            self.file_mode = (existing_mode & 0o666) if existing_mode is not None else FILE_MODE

    def _prefix(self) -> str:
        return f".{self.target.name}.staging-"

    def _remove_stale_staging(self) -> None:
        """Staging folders of runs that were killed (their process is gone) hold KYC data nobody will publish."""
        prefix = self._prefix()
        for sibling in self.target.parent.glob(f"{prefix}*"):
            pid = sibling.name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(sibling, ignore_errors=True)

    def write(self, name: str, content: str | bytes) -> Path:
        """One file, under a unique temporary name in the staging folder, renamed into place.

        Its fsync runs on a second thread while the next file is rendered (at 1M tenants the
        run's 350 MB took 0.25-0.6 s of fsyncs, one after each file); `publish` waits for them
        all, and fails on any that failed, before anything is swapped in.
        """
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        with output_errors(self.path / name, f"write {name}"):
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=f".{name}.", suffix=".tmp")
            handle = os.fdopen(fd, "wb")
            try:
                os.fchmod(handle.fileno(), self.file_mode)
                handle.write(data)
                handle.flush()
                os.replace(tmp, self.path / name)
            except BaseException:
                handle.close()
                Path(tmp).unlink(missing_ok=True)
                raise
        self._syncs.append((name, self._syncer().submit(_sync_and_close, handle)))
        self.written[name] = self.target / name
        return self.target / name

    def copy(self, name: str, source: Path) -> Path:
        """`source`'s bytes as file `name`: a hard link where the two share a file system (a
        reused run's kept reports, 150 MB at 1M tenants), else a copy written as `write` does.
        A link shares its file with `source`, whose folder is private to the store's owner; its
        mode becomes the output folder's file mode."""
        final = self.path / name
        with output_errors(final, f"write {name}"):
            try:
                os.link(source, final)
            except OSError:
                return self.write(name, Path(source).read_bytes())
            os.chmod(final, self.file_mode)
        self.written[name] = self.target / name
        return self.target / name

    def _syncer(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auditor-fsync")
        return self._pool

    def settle(self) -> None:
        """Waits until every written file is on disk; an OSError names the file it was for."""
        syncs, self._syncs = self._syncs, []
        try:
            for name, done in syncs:
                with output_errors(self.path / name, f"write {name}"):
                    done.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def publish(self) -> dict[str, Path]:
        """Swaps the staged folder in for the target once its files are on disk; the old folder's
        files are removed."""
        self.settle()
        with output_errors(self.target, f"replace output folder {display_path(self.target)}"):
            _sync_folder(self.path)
            if not self.target.exists():
                os.rename(self.path, self.target)
            elif _exchange(self.path, self.target):
                shutil.rmtree(self.path, ignore_errors=True)  # now the old run's folder
            else:
                old = Path(
                    tempfile.mkdtemp(dir=self.target.parent, prefix=f".{self.target.name}.old-")
                )
                os.rename(self.target, old / "out")
                os.rename(self.path, self.target)
                shutil.rmtree(old, ignore_errors=True)
        return dict(self.written)

    def discard(self) -> None:
        try:
            self.settle()
        except OutputError:
            pass  # the folder goes anyway
        shutil.rmtree(self.path, ignore_errors=True)


def _sync_and_close(handle: Any) -> None:
    try:
        os.fsync(handle.fileno())
    finally:
        handle.close()


def _sync_folder(path: Path) -> None:
    """The staged folder's entries (its files' names) on disk before it is swapped in."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
