"""Runs the real `auditor` CLI with test instruments attached from outside: nothing of auditor is patched.

    python hooked_auditor.py [--kill-at POINT] [--pragma NAME=VALUE ...] -- audit ARGS...

The instruments sit on the standard library, below auditor: every sqlite3 connection gets
a trace callback (and the given pragmas, e.g. `max_page_count` for a full store, `query_only`
for a read-only one when the tests run as root, who ignores file modes), `os.replace` and
`sys.stdout` are watched. At the chosen point the process SIGKILLs itself, as the kernel or
an operator would, so the tests see what a real crash leaves behind:

- `commit`: when the run transaction's COMMIT starts (every insert done, nothing committed);
- `after-commit`: at the first write to stdout after that COMMIT (committed, nothing delivered);
- `report:N`: at the N-th report file renamed into place (reports half written);
- `notify-delivered:N`: when the sender starts recording its N-th delivered notification (the
  receiver has the message, the outbox does not know yet).
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
from typing import Any

REPORT_NAMES = {
    "cases.jsonl",
    "report.md",
    "run.json",
    "cases.csv",
    "cases.parquet",
    "hits.csv",
    "hits.parquet",
    "report.html",
}


def die() -> None:
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class Instruments:
    def __init__(self, kill_at: str | None, pragmas: list[str]):
        self.kill_at = kill_at or ""
        self.pragmas = pragmas
        self.in_run_transaction = False
        self.committed = False
        self.reports_renamed = 0
        self.notifications_delivered = 0

    def trace(self, statement: str) -> None:
        text = statement.strip().upper()
        if text.startswith("UPDATE NOTIFY_OUTBOX SET STATE = 'DELIVERED'"):
            self.notifications_delivered += 1
            if self.kill_at == f"notify-delivered:{self.notifications_delivered}":
                die()
        if text.startswith("INSERT INTO RUNS"):
            self.in_run_transaction = True
        elif text == "COMMIT" and self.in_run_transaction:
            if self.kill_at == "commit":
                die()
            self.committed = (
                True  # COMMIT runs synchronously: by the next Python statement it is done
            )
            self.in_run_transaction = False

    def attach(self) -> None:
        connect = sqlite3.connect

        def hooked_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            conn = connect(*args, **kwargs)
            conn.set_trace_callback(self.trace)
            for pragma in self.pragmas:
                conn.execute(f"PRAGMA {pragma}")
            return conn

        sqlite3.connect = hooked_connect  # type: ignore[assignment]

        replace = os.replace

        def hooked_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if os.path.basename(os.fspath(dst)) in REPORT_NAMES:
                self.reports_renamed += 1
                if self.kill_at == f"report:{self.reports_renamed}":
                    die()
            replace(src, dst, *args, **kwargs)

        os.replace = hooked_replace  # type: ignore[assignment]

        instruments = self
        stdout = sys.stdout

        class WatchedStdout:
            def write(self, text: str) -> int:
                if instruments.committed and instruments.kill_at == "after-commit":
                    die()
                return stdout.write(text)

            def __getattr__(self, name: str) -> Any:
                return getattr(stdout, name)

        sys.stdout = WatchedStdout()  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-at")
    parser.add_argument("--pragma", action="append", default=[])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    Instruments(options.kill_at, options.pragma).attach()
    from auditor.cli.main import main as auditor_main

    sys.exit(auditor_main(args))


if __name__ == "__main__":
    main()
