"""Collection progress per scope: the tally, its one-line summary, and the live display naming each gap's scope."""

from __future__ import annotations

import io
import re

from rich.console import Console

from auditor.connectors.progress import RichProgress, ScopeTally, summary_line, top_scope


def _fill(tally: ScopeTally) -> None:
    """Two accounts: 111 read whole, 222 with one region down and one never finished."""
    for scope in ("111", "222"):
        tally.plan("account", scope)
    for scope in ("111/us-east-1", "222/us-east-1", "222/eu-west-1", "222/us-west-2"):
        tally.plan("region", scope)
    tally.done("account", "111")
    tally.done("account", "222")
    tally.done("region", "111/us-east-1")
    tally.done("region", "222/us-east-1")
    tally.failed("region", "222/eu-west-1", "ec2:DescribeInstances")


def test_tally_counts_each_scope_and_names_those_not_read_whole() -> None:
    tally = ScopeTally("aws")
    _fill(tally)
    coverage = tally.coverage()
    assert coverage["account"] == {
        "planned": 2,
        "read": 2,
        "partial": 0,
        "failed": 0,
        "pending": 0,
        "not_whole": [],
    }
    regions = coverage["region"]
    assert (regions["planned"], regions["read"], regions["failed"], regions["pending"]) == (
        4,
        2,
        1,
        1,
    )
    assert regions["not_whole"] == [
        {"scope": "222/eu-west-1", "status": "failed", "operations": ["ec2:DescribeInstances"]},
        {"scope": "222/us-west-2", "status": "pending", "operations": []},
    ]
    assert tally.pending() == [("region", "222/us-west-2")]


def test_a_scope_read_after_a_partial_failure_is_partial_not_read() -> None:
    tally = ScopeTally("aws")
    tally.plan("account", "111")
    tally.failed("account", "111", "organizations:ListTagsForResource")
    tally.done("account", "111")
    assert tally.coverage()["account"]["partial"] == 1 and tally.coverage()["account"]["read"] == 0


def test_summary_line_is_one_line_naming_the_scopes() -> None:
    tally = ScopeTally("aws")
    _fill(tally)
    line = tally.summary()
    assert "\n" not in line
    assert line.startswith("aws: 2/2 account(s) read; 2/4 region(s) read (1 failed, 1 pending)")
    assert line.endswith("not whole: 222/eu-west-1, 222/us-west-2")
    assert summary_line("gcp", {}) == "gcp: no scopes"


def test_summary_line_shortens_a_long_list() -> None:
    tally = ScopeTally("azure")
    for n in range(8):
        tally.failed("subscription", f"s{n}", "virtualMachines.listAll")
    assert tally.summary().endswith("s0, s1, s2, s3, s4, +3 more")


def test_top_scope_is_the_first_part() -> None:
    assert top_scope("111/us-east-1/cloudtrail") == "111" and top_scope("p1") == "p1"


def test_live_display_hides_clean_scopes_and_keeps_each_gap_with_its_scope() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, color_system=None)
    bar = RichProgress("aws", console=console)
    _fill(bar)
    bar.done("region", "222/us-west-2")
    bar.failed("region", "222/us-west-2", "ec2:DescribeInstances")
    bar.close()
    last = re.split(r"\x1b\[[0-9;?]*[A-Za-z]", buffer.getvalue())
    final = [line for chunk in last for line in chunk.splitlines() if line.strip()]
    shown = "\n".join(final[-4:])
    assert "aws accounts" in shown and "aws regions" in shown
    assert "gap: 222/" in shown and "(+1 more)" in shown
    assert "account 111 " not in shown  # read whole: hidden once finished
    assert bar.coverage()["region"]["partial"] == 1  # the tally underneath is the same
