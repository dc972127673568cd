"""The stage spinner: shown only for stages that outlast its delay, only on a terminal."""

from __future__ import annotations

import io
import logging
import time

import pytest
from rich.console import Console

from auditor.cli.progress import StageProgress, progress_wanted
from auditor.stagelog import logged_stage, stage


@pytest.fixture
def attach():
    attached: list[StageProgress] = []

    def install(delay: float) -> tuple[StageProgress, io.StringIO]:
        screen = io.StringIO()
        handler = StageProgress(
            delay=delay, console=Console(file=screen, force_terminal=True, width=60)
        )
        logging.getLogger("auditor.stage").addHandler(handler)
        logging.getLogger("auditor.stage").setLevel(logging.INFO)
        attached.append(handler)
        return handler, screen

    yield install
    for handler in attached:
        logging.getLogger("auditor.stage").removeHandler(handler)
        handler.close()
    logging.getLogger("auditor.stage").setLevel(logging.NOTSET)


def _wait_for(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_long_stage_shows_its_name_and_the_display_goes_when_it_ends(attach) -> None:
    handler, screen = attach(delay=0.05)
    with stage("features"):
        assert _wait_for(lambda: handler.showing)
        with stage("screening"):
            assert _wait_for(lambda: "screening" in screen.getvalue())
        time.sleep(0.2)
        assert handler.showing  # the outer stage still runs
    assert not handler.showing
    assert "features" in screen.getvalue()


def test_a_stage_shorter_than_the_delay_shows_nothing(attach) -> None:
    handler, screen = attach(delay=0.5)
    with stage("inputs"):
        pass
    time.sleep(0.7)
    assert not handler.showing and screen.getvalue() == ""


def test_a_failing_stage_removes_the_display(attach) -> None:
    handler, _ = attach(delay=0.01)

    @logged_stage("reports")
    def fail() -> None:
        assert _wait_for(lambda: handler.showing)
        raise OSError("disk full")

    with pytest.raises(OSError):
        fail()
    assert not handler.showing


def test_only_on_a_terminal_and_never_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress_wanted(quiet=False)  # piped or redirected
    monkeypatch.setattr("sys.stderr", Tty())
    assert progress_wanted(quiet=False)
    assert not progress_wanted(quiet=True)
    monkeypatch.setenv("TERM", "dumb")
    assert not progress_wanted(quiet=False)


def test_stage_lines_carry_seconds_counts_and_failures(caplog: pytest.LogCaptureFixture) -> None:
    @logged_stage("scoring", lambda r: {"hits": r[0], "cases": r[1]})
    def score() -> tuple[int, int]:
        return 76, 40

    with caplog.at_level(logging.INFO, logger="auditor.stage"):
        assert score() == (76, 40)
        with pytest.raises(ValueError), stage("inputs"):
            raise ValueError("bad row")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "stage=scoring event=start"
    assert messages[1].startswith("stage=scoring event=end seconds=") and messages[1].endswith(
        " hits=76 cases=40"
    )
    assert messages[3].startswith("stage=inputs event=failed seconds=") and messages[3].endswith(
        "error=ValueError"
    )


def test_the_spinner_follows_a_real_audit_on_a_terminal_and_stays_off_the_log(tmp_path) -> None:
    """End to end on a pseudo-terminal, with the delay at zero so the example's short stages show."""
    import os
    import subprocess
    import sys

    from auditor_testkit import EXAMPLES

    leader, follower = os.openpty()
    code = (
        "import auditor.cli.progress as p; p.DELAY_SECONDS = 0.0\n"
        "from auditor.cli.main import run; run()"
    )
    args = [
        sys.executable,
        "-c",
        code,
        "audit",
        "--config",
        str(EXAMPLES / "audit.yaml"),
        "--out",
        str(tmp_path / "out"),
    ]
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert (
        "\x1b[?25l" in screen and " features " in screen
    )  # the live display ran, naming the stage
    assert (
        "stage=" not in screen
    )  # at the default verbosity the stage records feed the display, not the log
    assert screen.index("features") < screen.index(
        "Top 10 cases"
    )  # and it was gone before the summary
