"""classify_changes: table-driven, hand-made snapshots in, statuses, reasons and suppression out."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from auditor.cases.changes import classify_changes
from auditor.store import CaseSnapshot, Decision

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def snap(
    case_id="C-1",
    score=60.0,
    priority="high",
    rules=("a",),
    hours=1000.0,
    tenants=("t1",),
    rank=1,
    run="r",
):
    return CaseSnapshot(run, case_id, rank, priority, score, list(tenants), sorted(rules), hours)


def dismissal(case_id="C-1", until=date(2026, 12, 31), rules=("a",), priority="high"):
    return Decision(
        case_id,
        "dismissed",
        "known customer",
        "alice",
        datetime(2026, 11, 20, tzinfo=timezone.utc),
        until,
        list(rules),
        priority,
        60.0,
        "r0",
    )


@pytest.mark.parametrize(
    "before, after, status, why",
    [
        (snap(), snap(), "unchanged", []),
        (snap(score=60), snap(score=69.9), "unchanged", ["score 60.0 -> 69.9"]),
        (snap(score=60), snap(score=70), "escalated", ["score 60.0 -> 70.0"]),
        (
            snap(score=75, priority="high"),
            snap(score=81, priority="critical"),
            "escalated",
            ["priority high -> critical", "score 75.0 -> 81.0"],
        ),
        (
            snap(rules=("a",)),
            snap(rules=("a", "b"), score=64),
            "escalated",
            ["rule 'b' started firing", "score 60.0 -> 64.0"],
        ),
        (
            snap(rules=("a", "b")),
            snap(rules=("a",), score=56),
            "de-escalated",
            ["rule 'b' stopped firing", "score 60.0 -> 56.0"],
        ),
        (
            snap(score=60, priority="high"),
            snap(score=50, priority="medium"),
            "de-escalated",
            ["priority high -> medium", "score 60.0 -> 50.0"],
        ),
        # a new rule outweighs one that stopped: the case needs a new look
        (
            snap(rules=("a", "b")),
            snap(rules=("a", "c")),
            "escalated",
            ["rule 'c' started firing", "rule 'b' stopped firing"],
        ),
        (
            snap(hours=1200),
            snap(hours=5400),
            "unchanged",
            ["restricted GPU-hours (90 d) 1,200 -> 5,400"],
        ),
        (snap(hours=1200), snap(hours=1250), "unchanged", []),  # under 10 %: not worth a line
        (snap(tenants=("t1",)), snap(tenants=("t1", "t2")), "unchanged", ["tenants joined: t2"]),
    ],
)
def test_status_and_why(before, after, status, why):
    change = classify_changes([before], [after], {}, NOW, previous_run_id="r0").cases["C-1"]
    assert (change.status, change.why) == (status, why)
    assert change.previous == {
        "score": before.score,
        "priority": before.priority,
        "rank": before.rank,
    }


def test_new_and_resolved_cases_say_why():
    previous = [
        snap("C-gone", rules=("a", "b"), tenants=("t1",)),
        snap("C-left", tenants=("t9",), rank=2),
        snap("C-merged", tenants=("t5",), rank=3),
    ]
    current = [
        snap("C-new", rules=("x",), tenants=("t3",)),
        snap("C-big", tenants=("t4", "t5"), rank=2),
    ]
    changes = classify_changes(
        previous, current, {}, NOW, previous_run_id="r0", current_tenants={"t1", "t3", "t4", "t5"}
    )
    new = changes.cases["C-new"]
    assert new.status == "new" and new.previous is None
    assert new.why == ["not in the previous run", "rule 'x' firing"]
    assert changes.cases["C-big"].why[-1] == "tenants were in case C-merged"
    resolved = {r.case_id: r for r in changes.resolved}
    assert resolved["C-gone"].why == ["rule 'a' stopped firing", "rule 'b' stopped firing"]
    assert resolved["C-left"].why == ["tenants no longer in the data: t9"]
    assert resolved["C-merged"].why == ["tenants now in case C-big"]
    assert changes.counts() == {
        "new": 2,
        "escalated": 0,
        "de-escalated": 0,
        "unchanged": 0,
        "resolved": 3,
        "suppressed": 0,
    }
    manifest = changes.manifest()
    assert manifest["previous_run_id"] == "r0"
    assert manifest["resolved"][0] == {
        "case_id": "C-gone",
        "previous_priority": "high",
        "previous_score": 60.0,
        "tenant_ids": ["t1"],
        "why": ["rule 'a' stopped firing", "rule 'b' stopped firing"],
    }


def test_first_run_says_so():
    change = classify_changes([], [snap()], {}, NOW).cases["C-1"]
    assert change.why[0] == "first run recorded in this store"


@pytest.mark.parametrize(
    "decision, current, today, suppressed, why_tail",
    [
        (dismissal(until=date(2026, 12, 31)), snap(), NOW, True, []),
        (dismissal(until=None), snap(), NOW, True, []),  # no date: quiet until it worsens
        (
            dismissal(until=date(2026, 12, 31)),
            snap(),
            date(2026, 12, 31),
            False,
            ["dismissal expired on 2026-12-31"],
        ),
        (
            dismissal(until=date(2026, 12, 31)),
            snap(),
            date(2027, 1, 5),
            False,
            ["dismissal expired on 2026-12-31"],
        ),
        # worse, but not past what was dismissed: same rules, same band, higher score
        (dismissal(), snap(score=74), NOW, True, ["score 60.0 -> 74.0"]),
        (
            dismissal(),
            snap(rules=("a", "b"), score=70),
            NOW,
            False,
            [
                "rule 'b' started firing",
                "score 60.0 -> 70.0",
                "returned early: rule 'b' fired after the dismissal",
            ],
        ),
        (
            dismissal(),
            snap(score=85, priority="critical"),
            NOW,
            False,
            [
                "priority high -> critical",
                "score 60.0 -> 85.0",
                "returned early: priority high -> critical since the dismissal",
            ],
        ),
        # a rule that stopped firing is not worse
        (dismissal(rules=("a", "b")), snap(rules=("a",)), NOW, True, []),
    ],
)
def test_dismissal_keeps_a_case_quiet_until_its_date_unless_it_worsens(
    decision, current, today, suppressed, why_tail
):
    before = snap()
    change = classify_changes([before], [current], [decision], today, previous_run_id="r0").cases[
        "C-1"
    ]
    assert change.suppressed is suppressed
    if why_tail:
        assert change.why[-len(why_tail) :] == why_tail
    assert change.record()["decision"] == {
        "status": "dismissed",
        "reason": "known customer",
        "by": "alice",
        "at": "2026-11-20T00:00:00+00:00",
        "until": decision.until.isoformat() if decision.until else None,
    }


def test_the_latest_decision_is_in_force():
    dismissed = dismissal()
    confirmed = Decision(
        "C-1",
        "confirmed",
        "diverting to a listed party",
        "bob",
        datetime(2026, 11, 21, tzinfo=timezone.utc),
    )
    change = classify_changes(
        [snap()], [snap()], [dismissed, confirmed], NOW, previous_run_id="r0"
    ).cases["C-1"]
    assert change.suppressed is False and change.decision.status == "confirmed"


def test_alerts_are_new_or_escalated_unsuppressed_cases_at_the_threshold():
    previous = [
        snap("C-up", score=60, rules=("a",)),
        snap("C-same", rank=2),
        snap("C-quiet", rank=3),
    ]
    current = [
        snap("C-up", score=85, priority="critical", rules=("a", "b")),
        snap("C-same", rank=2),
        snap("C-quiet", score=85, priority="critical", rules=("a", "b"), rank=3),
        snap("C-new-medium", score=40, priority="medium", rank=4),
    ]
    quiet = dismissal("C-quiet", rules=("a", "b"), priority="critical")
    changes = classify_changes(previous, current, [quiet], NOW, previous_run_id="r0")
    assert [c.case_id for c in changes.alerts("high")] == ["C-up"]
    assert [c.case_id for c in changes.alerts("medium")] == ["C-up", "C-new-medium"]
    assert changes.counts()["suppressed"] == 1
    record = changes.record_for("C-up")
    assert set(record) == {"status", "why", "previous", "suppressed", "decision"}
