"""The store lock: one audit at a time may classify against and commit to a store.

Two nightly runs that overlap would both classify against the same previous run and commit
contradicting "what changed" answers, so a run holds an OS file lock (flock, via filelock)
beside the database from before it reads the previous run until after it commits. The OS
drops a flock when its process dies, so a killed run never leaves the store locked. Who
holds the lock is written to a sidecar `.info` file (the lock file itself is truncated by
contenders), so the refusal can say which process to look at.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from auditor.errors import StoreLockedError, display_path
from auditor.store.failures import store_errors


class StoreLock:
    """Context manager: acquires within `timeout` seconds (0 = try once) or raises StoreLockedError."""

    def __init__(self, lock_path: str | Path, timeout: float = 0):
        self.path = Path(lock_path)
        self.info_path = self.path.with_name(self.path.name + ".info")
        self.timeout = timeout
        self._lock = FileLock(str(self.path), timeout=timeout, mode=0o600, thread_local=False)

    def holder(self) -> str:
        """'pid N since T' from the sidecar, or 'holder unknown' when it is missing or torn."""
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            return f"pid {info['pid']} since {info['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "holder unknown"

    def __enter__(self) -> StoreLock:
        with store_errors(self.path, "take the store lock"):
            self._acquire()
        return self

    def _acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._lock.acquire()
        except Timeout:
            waited = f" after waiting {self.timeout:g} s" if self.timeout > 0 else ""
            raise StoreLockedError(
                f"another audit holds the store lock at {display_path(self.path)} ({self.holder()}){waited}; "
                "wait for it to finish, or give --lock-timeout SECONDS to wait"
            ) from None
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.info_path.name}."
        )  # unique, 0600, no links followed
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({"pid": os.getpid(), "since": since}))
            os.replace(tmp, self.info_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            self._lock.release()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.info_path.unlink(missing_ok=True)
        finally:
            self._lock.release()
