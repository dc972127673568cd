"""classify_changes at each threshold, from both sides: escalation points, exposure moves, score lines, alert bands."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from auditor.cases.changes import ESCALATION_POINTS, EXPOSURE_MOVE, classify_changes
from auditor.store import CaseSnapshot, Decision

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def snap(
    score=60.0, priority="high", rules=("a",), hours=1000.0, tenants=("t1",), case_id="C-1", rank=1
):
    return CaseSnapshot("r", case_id, rank, priority, score, list(tenants), sorted(rules), hours)


def change(before, after, decisions=(), today=NOW):
    return classify_changes([before], [after], list(decisions), today, previous_run_id="r0").cases[
        after.case_id
    ]


def test_the_documented_thresholds():
    assert (ESCALATION_POINTS, EXPOSURE_MOVE) == (10.0, 0.10)


@pytest.mark.parametrize(
    ("after", "status"),
    [(70.0, "escalated"), (69.99, "unchanged"), (50.0, "de-escalated"), (50.01, "unchanged")],
)
def test_a_score_move_of_ten_points_escalates_or_de_escalates(after, status):
    assert change(snap(score=60.0), snap(score=after)).status == status


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        (0.0, 0.05, True),
        (0.0, 0.04, False),
        (0.05, 0.0, True),
        (60.0, 60.1, True),
        (60.0, 60.04, False),
        (60.0, 59.96, False),
    ],
)
def test_score_lines_start_at_five_hundredths(before, after, line):
    why = change(snap(score=before, priority="low"), snap(score=after, priority="low")).why
    assert any(w.startswith("score ") for w in why) is line, why


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        (1000.0, 1100.0, True),
        (1000.0, 1099.0, False),  # a 10 % rise is worth a line, 9.9 % is not
        (1000.0, 900.0, True),
        (1000.0, 901.0, False),  # and the same for a fall
        (0.0, 3.0, True),  # from nothing, any visible exposure
        (0.0, 0.4, False),  # but not one that rounds to the same whole hour
        (1000.4, 1000.3, False),
    ],
)
def test_exposure_lines_start_at_a_ten_percent_move(before, after, line):
    why = change(snap(hours=before), snap(hours=after)).why
    assert any(w.startswith("restricted GPU-hours") for w in why) is line, why


def test_members_leaving_are_named_and_do_not_change_the_status():
    c = change(snap(tenants=("t1", "t2", "t3")), snap(tenants=("t1",)))
    assert c.status == "unchanged" and c.why == ["tenants left: t2, t3"]


def dismissed(until):
    return Decision(
        "C-1",
        "dismissed",
        "known customer",
        "alice",
        datetime(2026, 11, 20, tzinfo=timezone.utc),
        until,
        ["a"],
        "high",
        60.0,
        "r0",
    )


@pytest.mark.parametrize(
    ("today", "suppressed"), [(date(2026, 12, 30), True), (date(2026, 12, 31), False)]
)
def test_a_dismissal_holds_until_the_day_before_its_date(today, suppressed):
    assert change(snap(), snap(), [dismissed(date(2026, 12, 31))], today).suppressed is suppressed


def test_a_confirmed_or_escalated_decision_never_suppresses():
    for status in ("confirmed", "escalated"):
        decision = Decision(
            "C-1", status, "why", "bob", datetime(2026, 11, 20, tzinfo=timezone.utc)
        )
        assert change(snap(), snap(), [decision]).suppressed is False


@pytest.mark.parametrize(
    ("priority", "alert_at", "alerts"),
    [
        ("high", "high", True),
        ("medium", "high", False),
        ("critical", "high", True),
        ("low", "low", True),
    ],
)
def test_alerts_include_the_threshold_band_and_above(priority, alert_at, alerts):
    changes = classify_changes([], [snap(priority=priority)], [], NOW)
    assert bool(changes.alerts(alert_at)) is alerts
