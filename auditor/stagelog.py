"""Stage start and end lines: where a run's time goes, as key=value log records.

Each stage logs `stage=NAME event=start` and `stage=NAME event=end seconds=S cpu=C` (wall
seconds, then the process's CPU seconds over the stage, all threads: on a loaded machine the
wall time says little and the CPU time is what the stage costs; plus row counts the stage chooses) at info on the `auditor.stage` logger; a stage that raises logs
`event=failed` instead. The records also carry `stage` and `stage_event` attributes, so the
CLI's progress display can follow them without the stages knowing about terminals.
Only names, counts and seconds are logged here, never values from the data.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger("auditor.stage")

P = ParamSpec("P")
R = TypeVar("R")


def _fields(counts: dict[str, int | float]) -> str:
    return "".join(f" {key}={value}" for key, value in counts.items())


@contextmanager
def stage(name: str) -> Iterator[dict[str, int | float]]:
    """Times the block as stage `name`; counts put into the yielded dict go on the end line."""
    log.info("stage=%s event=start", name, extra={"stage": name, "stage_event": "start"})
    started = time.perf_counter()
    cpu = time.process_time()
    counts: dict[str, int | float] = {}
    try:
        yield counts
    except BaseException as exc:
        seconds = time.perf_counter() - started
        log.info(
            "stage=%s event=failed seconds=%.2f error=%s",
            name,
            seconds,
            type(exc).__name__,
            extra={"stage": name, "stage_event": "failed"},
        )
        raise
    seconds = time.perf_counter() - started
    log.info(
        "stage=%s event=end seconds=%.2f cpu=%.2f%s",
        name,
        seconds,
        time.process_time() - cpu,
        _fields(counts),
        extra={"stage": name, "stage_event": "end"},
    )


@contextmanager
def recorded_stage(name: str, stages: dict[str, float]) -> Iterator[dict[str, int | float]]:
    """`stage`, whose wall seconds are also added to `stages` (a run's run.json `stages`) under `name`."""
    started = time.perf_counter()
    with stage(name) as counts:
        yield counts
    stages[name] = round(stages.get(name, 0.0) + time.perf_counter() - started, 3)


def logged_stage(
    name: str, counts: Callable[[Any], dict[str, int | float]] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of `stage`: `counts(result)` gives the row counts for the end line."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            with stage(name) as found:
                result = fn(*args, **kwargs)
                if counts is not None:
                    found.update(counts(result))
            return result

        return timed

    return decorate
