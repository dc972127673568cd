"""`auditor cases`: work the review queue kept in the case store — list, show, decide, history.

Decisions are appended, never edited: deciding again records a new decision that takes
effect, and `history` shows every run's view of a case with who decided what, when and why.
"""

from __future__ import annotations

import difflib
import getpass
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import click

from auditor.cli.paths import CONFIG

from auditor.cli.safe_text import echo, json_text, plain
from auditor.cli.store_option import STORE
from auditor.errors import InputError, display_path

CHANGE_STATUSES = ("new", "escalated", "de-escalated", "unchanged", "resolved")
QUEUE_STATUSES = ("confirmed", "dismissed", "open")
PRIORITIES = ("critical", "high", "medium", "low")


def store_options(func):
    func = click.option(
        "--config",
        "config_path",
        type=CONFIG,
        help="Audit config whose `store:` names the case store.",
    )(func)
    return click.option(
        "--store",
        type=STORE,
        help="Case store (the file or postgresql:// URL `auditor audit --store` writes).",
    )(func)


def _open(store: Path | str | None, config_path: Path | None):
    """The existing store named by --store or the config's `store:`; never creates one by accident."""
    from auditor.config import load_config
    from auditor.store import open_store

    if store is None and config_path is not None:
        store = load_config(config_path).store
    if store is None:
        raise InputError("no case store: give --store PATH, or --config FILE with `store:`")
    if "://" not in str(store) and not Path(store).exists():
        raise InputError(
            f"no case store at {display_path(store)}; `auditor audit --store {store}` creates it"
        )
    return open_store(store)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _unknown_case(case_id: str, known: list[str]) -> InputError:
    close = difflib.get_close_matches(case_id, known, n=1, cutoff=0.6)
    prefixed = [k for k in known if k.startswith(case_id)] if len(case_id) >= 4 else []
    hint = close or prefixed[:1]
    suffix = f" (did you mean '{hint[0]}'?)" if hint else " (`auditor cases list` shows the queue)"
    return InputError(f"unknown case id '{case_id}'{suffix}")


def _latest_snapshot(store, case_id: str):
    history = store.case_history(case_id)
    if not history:
        raise _unknown_case(case_id, store.case_ids())
    return history[-1]


def _decision_label(decision, suppressed: bool) -> str:
    if decision is None:
        return "open"
    label = decision.status
    if decision.status == "dismissed":
        label += f" until {decision.until.isoformat()}" if decision.until else " (no end)"
        if not suppressed:
            label += ", back"
    return label


def _queue_state(decision, suppressed: bool) -> str:
    """confirmed / dismissed (still silencing the case) / open (needs an analyst)."""
    if decision is not None and decision.status == "confirmed":
        return "confirmed"
    if decision is not None and decision.status == "dismissed" and suppressed:
        return "dismissed"
    return "open"


@click.group()
def cases() -> None:
    """Work the review queue kept in the case store (`auditor audit --store`)."""


@cases.command("list")
@store_options
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(CHANGE_STATUSES + QUEUE_STATUSES + ("overdue",)),
    help="Keep cases with this change since the last run, or in this queue state (open: no decision in force "
    "that closes it; escalated also matches an analyst's escalation; overdue: open past its due date, "
    "as the console's overdue view). Repeatable; any may match.",
)
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    type=click.Choice(PRIORITIES),
    help="Keep cases in this band. Repeatable.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object a line instead of the table."
)
def list_cases(store, config_path, statuses, priorities, as_json) -> int:
    """The latest run's cases: rank, priority, score, change, decision, due date (OVERDUE), top reason.

    Due dates are the console's: the day of the case's first run plus its band's
    `console.due_days` from --config (critical 2, high 5, medium 10, low 30 without one).
    """
    from auditor.cases.changes import suppression

    due_days = _due_days(config_path)
    st = _open(store, config_path)
    try:
        run = st.latest_run()
        if run is None:
            echo("no runs recorded yet; `auditor audit --store ...` records one")
            return 0
        decisions = st.latest_decisions()
        today = _today()
        due, overdue = _due_dates(st, run.run_id, today, due_days)
        rows: list[dict[str, Any]] = []
        for snap in st.cases_in_run(run.run_id):
            decision = decisions.get(snap.case_id)
            suppressed, _ = suppression(snap, decision, today)
            change = snap.record.get("change") or {}
            when = due.get(snap.case_id)
            rows.append(
                {
                    "case_id": snap.case_id,
                    "rank": snap.rank,
                    "priority": snap.priority,
                    "score": snap.score,
                    "change": change.get("status"),
                    "decision": _decision_label(decision, suppressed),
                    "decision_status": decision.status if decision else None,
                    "queue": _queue_state(decision, suppressed),
                    "suppressed": suppressed,
                    "due": when.isoformat() if when else None,
                    "overdue": snap.case_id in overdue,
                    "top_reason": (snap.record.get("top_reasons") or [""])[0],
                }
            )
        for gone in (run.changes or {}).get("resolved", []):
            decision = decisions.get(gone["case_id"])
            rows.append(
                {
                    "case_id": gone["case_id"],
                    "rank": None,
                    "priority": gone["previous_priority"],
                    "score": gone["previous_score"],
                    "change": "resolved",
                    "decision": _decision_label(decision, False),
                    "decision_status": decision.status if decision else None,
                    "queue": "resolved",
                    "suppressed": False,
                    "due": None,
                    "overdue": False,
                    "top_reason": "; ".join(gone["why"][:2]),
                }
            )
    finally:
        st.close()

    def keep(row: dict[str, Any]) -> bool:
        if priorities and row["priority"] not in priorities:
            return False
        if not statuses:
            return row["change"] != "resolved"
        return any(
            row["change"] == s
            or row["queue"] == s
            or (s == "escalated" and row["decision_status"] == "escalated")
            or (s == "overdue" and row["overdue"])
            for s in statuses
        )

    rows = [r for r in rows if keep(r)]
    if as_json:
        for row in rows:
            echo(json_text(row))
        return 0
    late = sum(r["overdue"] for r in rows)
    echo(
        f"run {plain(run.run_id)} (as of {run.as_of.isoformat()}): {len(rows)} case(s)"
        + (f", {late} overdue" if late else "")
    )
    echo(
        f"{'case':<15} {'rank':>4}  {'priority':<8} {'score':>5}  {'change':<12} {'decision':<28} {'due':<18} top reason"
    )
    for r in rows:
        rank = str(r["rank"]) if r["rank"] is not None else "-"
        when = (r["due"] or "-") + (" OVERDUE" if r["overdue"] else "")
        echo(
            f"{plain(r['case_id']):<15} {rank:>4}  {r['priority']:<8} {r['score']:5.1f}  {r['change'] or '-':<12} {plain(r['decision']):<28} {when:<18} {plain(r['top_reason'])}"
        )
    return 0


def _due_days(config_path) -> dict[str, int]:
    """`console.due_days` of the config (as the console reads them), the defaults without one."""
    from auditor.store.due import DEFAULT_DUE_DAYS

    if config_path is None:
        return dict(DEFAULT_DUE_DAYS)
    from auditor.config import load_config

    return load_config(config_path).console.due_days.as_dict()


def _due_dates(st, run_id: str, today: date, due_days: dict[str, int]):
    """Each case's due date and the overdue set, from the store's own queue (the console's numbers exactly)."""
    from auditor.store.team import QueueFilter

    due: dict[str, date | None] = {}
    overdue: set[str] = set()
    for view, into in (("all", None), ("overdue", overdue)):
        after = None
        while True:
            page, after = st.queue(
                run_id,
                QueueFilter(view=view, after_rank=after, limit=5000),
                "",
                today=today,
                due_days=due_days,
            )
            for row in page:
                if into is None:
                    due[row.case_id] = row.due
                else:
                    into.add(row.case_id)
            if after is None:
                break
    return due, overdue


@cases.command("show")
@click.argument("case_id")
@store_options
@click.option("--json", "as_json", is_flag=True, help="The case record and its decisions as JSON.")
def show(case_id, store, config_path, as_json) -> int:
    """A case as the latest run that saw it recorded it, and its decision history."""
    st = _open(store, config_path)
    try:
        snap = _latest_snapshot(st, case_id)
        decisions = st.decisions(case_id)
        pending = st.pending_decisions(case_id=case_id, open_only=True)
        latest = st.latest_run()
    finally:
        st.close()
    record = snap.record
    if as_json:
        echo(
            json_text(
                {"record": record, "decisions": [_decision_dict(d) for d in decisions]}, indent=2
            )
        )
        return 0
    where = (
        "the latest run"
        if latest and latest.run_id == snap.run_id
        else "an earlier run; not in the latest run (resolved)"
    )
    echo(
        f"case {plain(snap.case_id)}: rank {snap.rank}, {plain(snap.priority)}, score {snap.score:.1f} — in run {plain(snap.run_id)} ({where})"
    )
    change = record.get("change")
    if change:
        prev = change.get("previous")
        was = (
            f" (was {plain(prev['priority'])}, {prev['score']:.1f}, rank {prev['rank']})"
            if prev
            else ""
        )
        quiet = ", suppressed by a dismissal" if change.get("suppressed") else ""
        echo(f"change: {plain(change['status'])}{was}{quiet}")
        for line in change.get("why") or []:
            echo(f"  - {plain(line)}")
    exposure = record.get("exposure") or {}
    echo(
        f"exposure: {exposure.get('restricted_gpu_hours_90d', 0):,.0f} restricted GPU-hours (90 d), "
        f"peak {exposure.get('peak_restricted_gpus', 0)} GPUs, models {plain(', '.join(exposure.get('restricted_models') or []) or '-')}"
    )
    echo("tenants:")
    for t in record.get("tenants", []):
        echo(
            f"  {plain(t['tenant_id'])}  {plain(t.get('legal_name'))}  ({plain(t.get('country') or '?')}, KYC {plain(t.get('kyc_status') or '?')})  score {t.get('tenant_score', 0):.1f}"
        )
    echo("hits:")
    for hit in record.get("hits", []):
        evidence = ", ".join(
            f"{plain(k)}={plain(round(v, 1) if isinstance(v, float) else v)}"
            for k, v in (hit.get("evidence") or {}).items()
        )
        echo(
            f"  {plain(hit['rule_id'])} v{hit.get('rule_version')} on {plain(hit.get('tenant_id'))}: +{hit.get('contribution', 0):.1f}  {evidence}"
        )
    _echo_decisions(decisions)
    for p in pending:
        echo(
            f"pending review #{p.pending_id}: {plain(p.decision.by)} proposes {p.decision.status} — {plain(p.decision.reason)}"
            f" (`auditor cases approve {p.pending_id}` by a reviewer)"
        )
    return 0


def _decision_dict(d) -> dict[str, Any]:
    return {
        **d.summary(),
        "decision_id": d.decision_id,
        "rules_at_decision": d.rules_at_decision,
        "priority_at_decision": d.priority_at_decision,
        "score_at_decision": d.score_at_decision,
        "run_id_at_decision": d.run_id_at_decision,
        "approved_by": d.approved_by,
    }


def _echo_decisions(decisions) -> None:
    if not decisions:
        echo("decisions: none")
        return
    echo("decisions (oldest first; the last is in force):")
    for d in decisions:
        until = f" until {d.until.isoformat()}" if d.until else ""
        approved = f", approved by {plain(d.approved_by)}" if d.approved_by else ""
        echo(
            f"  #{d.decision_id} {d.at.isoformat(timespec='seconds')} {plain(d.by)}: {d.status}{until} — {plain(d.reason)}"
            f" (case was {d.priority_at_decision}, {len(d.rules_at_decision)} rule(s){approved})"
        )


@cases.command("history")
@click.argument("case_id")
@store_options
def history(case_id, store, config_path) -> int:
    """Every run's view of a case and every decision about it, in time order."""
    st = _open(store, config_path)
    try:
        snaps = st.case_history(case_id)
        if not snaps:
            raise _unknown_case(case_id, st.case_ids())
        runs = {r.run_id: r for r in st.runs()}
        decisions = st.decisions(case_id)
    finally:
        st.close()
    events: list[tuple[datetime, str]] = []
    for s in snaps:
        change = s.record.get("change") or {}
        why = "; ".join(plain(w) for w in change.get("why") or [])
        when = runs[s.run_id].committed_at or runs[s.run_id].started_at
        events.append(
            (
                when,
                f"{when.isoformat(timespec='seconds')}  run {s.run_id}: {change.get('status', 'seen')}, rank {s.rank}, "
                f"{s.priority}, score {s.score:.1f}" + (f" — {why}" if why else ""),
            )
        )
    for gone in (r for r in runs.values() if r.changes):
        for item in gone.changes.get("resolved", []):
            if item["case_id"] == case_id:
                when = gone.committed_at or gone.started_at
                events.append(
                    (
                        when,
                        f"{when.isoformat(timespec='seconds')}  run {gone.run_id}: resolved — {plain('; '.join(item['why']))}",
                    )
                )
    for d in decisions:
        until = f" until {d.until.isoformat()}" if d.until else ""
        events.append(
            (
                d.at,
                f"{d.at.isoformat(timespec='seconds')}  decision #{d.decision_id} by {plain(d.by)}: {d.status}{until} — {plain(d.reason)}",
            )
        )
    echo(f"case {plain(case_id)}")
    for _, line in sorted(events, key=lambda e: e[0]):
        echo("  " + line)
    return 0


@cases.command("decide")
@click.argument("case_id")
@store_options
@click.option(
    "--status",
    required=True,
    type=click.Choice(("confirmed", "dismissed", "escalated")),
    help="The decision.",
)
@click.option("--reason", required=True, help="Why, in words another analyst can check.")
@click.option(
    "--until",
    "until_text",
    help="With dismissed: quiet until this date (ISO, e.g. 2027-03-31); without it, until the case worsens.",
)
@click.option("--by", "by", default=None, help="Who decides (default: $USER).")
def decide(case_id, store, config_path, status, reason, until_text, by) -> int:
    """Record a decision on a case (appended; the latest is in force).

    A dismissal keeps the case quiet in later runs until --until, unless a rule fires
    that did not fire now or its priority band rises above today's.
    """
    from auditor.notify.run_notices import send_after_run
    from auditor.notify.work_events import announcer
    from auditor.store import Decision

    if not reason.strip():
        raise InputError("--reason must say why")
    until = None
    if until_text is not None:
        if status != "dismissed":
            raise InputError("--until only applies to --status dismissed")
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            raise InputError(
                f"--until: expected an ISO date such as 2027-03-31, got {until_text!r}"
            ) from None
        if until <= _today():
            raise InputError(
                f"--until {until_text}: must be a date in the future (today is {_today().isoformat()})"
            )
    by = by or os.environ.get("USER") or _login_name()
    if not by:
        raise InputError("who decides? give --by NAME ($USER is not set)")
    channels = _channels(config_path)
    st = _open(store, config_path)
    try:
        snap = _latest_snapshot(st, case_id)
        outcome = st.record_decision(
            Decision(
                case_id=case_id,
                status=status,
                reason=reason.strip(),
                by=by,
                at=datetime.now(timezone.utc),
                until=until,
                rules_at_decision=list(snap.rules),
                priority_at_decision=snap.priority,
                score_at_decision=snap.score,
                run_id_at_decision=snap.run_id,
            ),
            announce=announcer(channels),
        )
        if outcome.decision is None and channels:  # the review request: one sender pass now
            echo(send_after_run(st, channels)[0], err=True)
    finally:
        st.close()
    until_note = f" until {until.isoformat()}" if until else ""
    if outcome.decision is None:
        echo(
            f"decision #{outcome.pending_id} pending review: {plain(case_id)} {status}{until_note} by {plain(by)}; "
            f"four-eyes: a reviewer approves it with `auditor cases approve {outcome.pending_id} --by NAME`"
        )
        return 0
    echo(
        f"recorded decision #{outcome.decision.decision_id}: {plain(case_id)} {status}{until_note} by {plain(by)}"
    )
    return 0


def _channels(config_path: Path | None) -> list:
    """The config's notification channels (a review request goes there); none without --config."""
    from auditor.config import load_config

    return list(load_config(config_path).notify) if config_path is not None else []


@cases.command("approve")
@click.argument("pending_id", type=int)
@store_options
@click.option(
    "--by", "by", default=None, help="The reviewer (default: $USER); never the decision's author."
)
@click.option("--reject", is_flag=True, help="Reject the pending decision instead of approving it.")
@click.option("--note", default="", help="The reviewer's note.")
def approve(pending_id, store, config_path, by, reject, note) -> int:
    """Approve (or --reject) a decision that four-eyes holds for review."""
    by = by or os.environ.get("USER") or _login_name()
    if not by:
        raise InputError("who reviews? give --by NAME ($USER is not set)")
    st = _open(store, config_path)
    try:
        reviewed = st.review_decision(pending_id, by, approve=not reject, note=note)
    finally:
        st.close()
    d = reviewed.decision
    echo(
        f"decision #{pending_id} {reviewed.outcome} by {plain(by)}: {plain(d.case_id)} {d.status} (proposed by {plain(d.by)})"
    )
    return 0


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return None
