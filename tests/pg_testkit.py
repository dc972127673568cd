"""A throwaway PostgreSQL server for the tests: Debian's initdb and pg_ctl, a temp folder, a unix socket.

One server per test session (started on first use), one fresh database per test. The
server listens only on a socket in its own folder (no TCP port, so parallel sessions on
one machine never collide) and trusts the local user, as a test cluster may. When the
binaries are missing or the server will not start, `start` says why, so the tests skip
saying so — except under CI (CI=true), where the PostgreSQL store must be tested and a
missing server fails the run.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "auditor"


def _bindir() -> Path | None:
    """Debian installs the server under /usr/lib/postgresql/<major>/bin; the newest one wins."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4])
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


@dataclass
class PgServer:
    folder: Path
    bindir: Path
    as_postgres: bool  # root cannot run a server: run it as Debian's postgres user
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={self.folder}&port=5432"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            copy = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.split("@/", 1)[1].split("?", 1)[0]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> PgServer | str:
    """A running server, or the reason there is none."""
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        return "psycopg is not installed (pip install 'auditor[postgres]')"
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        return "PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)"
    as_postgres = os.geteuid() == 0
    folder = Path(
        tempfile.mkdtemp(prefix="pg-", dir="/tmp")
    )  # short: a socket path is at most 107 bytes
    server = PgServer(folder, bindir, as_postgres)
    if as_postgres:
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as the postgres user"
        shutil.chown(folder, "postgres")
    init = server._run(
        str(bindir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"
    )  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        return f"initdb failed: {(init.stderr or init.stdout).strip()[-300:]}"
    options = f"-k {folder} -c listen_addresses='' -c fsync=off -c max_connections=200"
    started = server._run(
        str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"), "-w", "start"
    )  # fmt: skip
    if started.returncode != 0:
        log = (
            (folder / "log").read_text(errors="replace")[-300:] if (folder / "log").exists() else ""
        )
        shutil.rmtree(folder, ignore_errors=True)
        return f"pg_ctl start failed: {(started.stderr or started.stdout).strip()[-200:]} {log}"
    return server
