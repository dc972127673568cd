"""The audit summary stays readable at 80 columns, on a terminal and piped (plain text then)."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from auditor_testkit import EXAMPLES

from auditor.cli.output import MIN_REASON_WIDTH, display_width, layout_table

CONFIG = EXAMPLES / "audit.yaml"
ROW = re.compile(
    r"^\s*\d+  C-[0-9a-f]{12}  (critical|high|medium|low)\s+\d+\.\d\s+\d+\s+[\d,]+  \S"
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(columns: int) -> dict[str, str]:
    return {**os.environ, "COLUMNS": str(columns), "TERM": "xterm-256color"}


def _audit_command(out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from auditor.cli.main import run; run()",
        "audit",
        "--config",
        str(CONFIG),
        "--out",
        str(out),
    ]


def _top_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("Top 10 cases") + 2
    return lines[start : start + 10]


def test_piped_summary_is_plain_text_within_80_columns(tmp_path: Path) -> None:
    done = subprocess.run(
        _audit_command(tmp_path / "out"), capture_output=True, text=True, env=_env(80), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr  # no colour, no progress display, when piped
    assert all(
        len(line) <= 80 for line in done.stdout.splitlines() if not line.startswith("wrote ")
    )
    header = done.stdout.splitlines()[done.stdout.splitlines().index("Top 10 cases") + 1]
    assert header.split() == [
        "#",
        "case",
        "priority",
        "score",
        "tenants",
        "GPU-h",
        "90d",
        "top",
        "reason",
    ]
    rows = _top_rows(done.stdout)
    assert len(rows) == 10 and all(ROW.match(r) for r in rows), rows


def test_summary_on_an_80_column_terminal(tmp_path: Path) -> None:
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = _env(80)
    env.pop("COLUMNS")  # the terminal's own size decides
    proc = subprocess.Popen(
        _audit_command(tmp_path / "out"), stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")
    rows = _top_rows(text)
    assert all(ROW.match(r) for r in rows), rows
    summary = [
        line for line in text.splitlines() if not line.startswith(("wrote ", "20"))
    ]  # not the log lines
    assert summary and all(len(line) <= 80 for line in summary), summary
    assert "\x1b[1;31mcritical" in b"".join(chunks).decode()  # colour on a terminal


def test_layout_keeps_every_narrow_column_whole_and_cuts_only_the_reason() -> None:
    header = ("#", "case", "score", "reason")
    rows = [
        (
            "1",
            "C-aaaaaaaaaaaa",
            "97.5",
            "A reason long enough to be cut somewhere in the middle of it",
        )
    ]
    for width in (20, 40, 80, 200):
        lines = layout_table(header, rows, right={0, 2}, width=width)
        assert lines[1].startswith("1  C-aaaaaaaaaaaa   97.5  A reason")
        reason = lines[1][len("1  C-aaaaaaaaaaaa   97.5  ") :]
        assert len(reason) == min(len(rows[0][3]), max(MIN_REASON_WIDTH, width - 26))
        assert reason.endswith("...") == (len(rows[0][3]) > max(MIN_REASON_WIDTH, width - 26))
    assert layout_table(header, [], right=set(), width=80) == ["#  case  score  reason"]


def test_wide_characters_count_as_two_cells() -> None:
    header = ("#", "case", "reason")
    rows = [("1", "C-b", "中国总部租用受限加速器的公司" * 3)]
    line = layout_table(header, rows, right={0}, width=40)[1]
    assert display_width(line) <= 40 and line.endswith("...")
    assert display_width("中a") == 3
