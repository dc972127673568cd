"""A progress line for long stages, on terminals only, driven by the stage log.

The stages log `event=start` / `event=end` records (auditor.stagelog); this handler turns
them into a transient rich spinner on stderr showing the running stage and its elapsed
time. A stage shows up only once it has run for `DELAY_SECONDS`, so quick commands print
nothing extra. Nothing is shown when stderr is not a terminal (piped, redirected, CI), with
`-q`, or when TERM is dumb; the display is removed before the command prints its summary.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

DELAY_SECONDS = 2.0


def progress_wanted(quiet: bool) -> bool:
    """Only on a real terminal, and never when the user asked for quiet."""
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


class StageProgress(logging.Handler):
    """Shows the innermost running stage; started lazily, stopped when the outermost ends."""

    def __init__(self, delay: float | None = None, console: Any = None) -> None:
        super().__init__(level=logging.INFO)
        self._delay = DELAY_SECONDS if delay is None else delay
        self._console = console
        self._running: list[str] = []
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._bar: Any = None
        self._task: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "stage_event", None)
        name = getattr(record, "stage", None)
        if event is None or not isinstance(name, str):
            return
        with self._lock:
            if event == "start":
                self._running.append(name)
                if self._bar is None and self._timer is None:
                    self._timer = threading.Timer(self._delay, self._show)
                    self._timer.daemon = True
                    self._timer.start()
            elif name in self._running:
                del self._running[len(self._running) - 1 - self._running[::-1].index(name)]
            if not self._running:
                self.stop()
            elif self._bar is not None:
                self._bar.update(self._task, description=self._running[-1])

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from auditor.cli.safe_text import safe_console

        with self._lock:
            self._timer = None
            if not self._running or self._bar is not None:
                return
            console = self._console or safe_console(stderr=True)
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._task = self._bar.add_task(self._running[-1], total=None)
            self._bar.start()

    @property
    def showing(self) -> bool:
        return self._bar is not None

    def stop(self) -> None:
        """Removes the display (and a pending one); later stages may show it again."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    def close(self) -> None:
        self.stop()
        super().close()
