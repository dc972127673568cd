"""Words of a message for people: a title and lines, shared by Slack, Teams and e-mail.

Each channel escapes these for its own format (mrkdwn, Adaptive Card text, HTML); the
lines hold only what the stored payload holds, so a `minimal` payload stays minimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MessageText:
    title: str
    lines: list[str]
    links: list[tuple[str, str]]  # (label, url)


def _digest(p: dict[str, Any]) -> MessageText:
    counts = p.get("counts", {})
    title = f"auditor run {p['run_id']}: {p.get('cases_total', 0)} new or escalated case(s) at or above {p['min_priority']}"
    lines = [
        f"{counts.get('new', 0)} new, {counts.get('escalated', 0)} escalated, {counts.get('resolved', 0)} resolved, "
        f"{counts.get('suppressed', 0)} suppressed (as of {p['as_of']})"
    ]
    if not p.get("complete", True):
        lines.append(
            f"INCOMPLETE: {p.get('coverage_gaps', 0)} coverage gaps; the cases cover only what was read"
        )
    links = []
    for case in p.get("cases", []):
        line = f"#{case['rank']} {case['case_id']} {case['status']} {case['priority']} {case['score']:.1f}"
        if case.get("names"):
            line += " - " + ", ".join(case["names"][:3])
        if case.get("reasons"):
            line += " - " + "; ".join(case["reasons"][:3])
        lines.append(line)
        if case.get("link"):
            links.append((case["case_id"], case["link"]))
    more = p.get("cases_total", 0) - len(p.get("cases", []))
    if more > 0:
        lines.append(f"... and {more} more (cases.jsonl)")
    for dead in p.get("dead", []):
        lines.append(
            f"undelivered: {dead['kind']} {dead['event_id']} to channel {dead['channel']} gave up after "
            f"{dead['attempts']} attempts ({dead.get('last_error') or 'no error recorded'})"
        )
    return MessageText(title, lines, links)


def _expiring(p: dict[str, Any]) -> MessageText:
    items = p.get("items", [])
    title = (
        f"auditor: {len(items)} suppression(s) expired or expiring within {p['horizon_days']} days"
    )
    lines = []
    for item in items:
        when = "expired" if item["days_left"] <= 0 else f"expires in {item['days_left']} day(s)"
        line = f"{item['what']} {item['ref']}: {when} ({item['until']})"
        if item.get("owner"):
            line += f", owner {item['owner']}"
        if item.get("reason"):
            line += f": {item['reason']}"
        lines.append(line)
    return MessageText(title, lines, [])


def _failing(p: dict[str, Any]) -> MessageText:
    return MessageText(
        f"auditor: notification channel {p['failed_channel']} is failing",
        [
            f"{p['event_kind']} {p['event_id']} gave up after {p['attempts']} attempts: {p.get('last_error') or 'unknown error'}",
            "`auditor notify drain` retries nothing dead; check the channel, then `auditor notify test --channel "
            f"{p['failed_channel']}`",
        ],
        [],
    )


def _case_links(p: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["case_id"], p["link"])] if p.get("link") else []


def _names(p: dict[str, Any]) -> list[str]:
    return [f"tenants: {', '.join(p['names'][:3])}"] if p.get("names") else []


def _assigned(p: dict[str, Any]) -> MessageText:
    return MessageText(
        f"auditor: case {p['case_id']} assigned to {p['assignee']}",
        [
            f"{p.get('priority') or 'unknown'} case, score {p.get('score')}; assigned by {p['assigned_by']}"
        ]
        + _names(p),
        _case_links(p),
    )


def _review(p: dict[str, Any]) -> MessageText:
    what = (
        f"allowlist entry {p['entry_id']} for"
        if p.get("entry_id")
        else f"{p['status']} (decision #{p['decision_id']}) on"
    )
    lines = [
        f"{p['proposed_by']} proposes {what} a {p.get('priority') or 'unknown'} case; "
        f"a reviewer other than {p['proposed_by']} approves or rejects it"
    ]
    if p.get("reason"):
        lines.append(f"reason: {p['reason']}")
    return MessageText(
        f"auditor: review requested on case {p['case_id']}", lines + _names(p), _case_links(p)
    )


def _ping(p: dict[str, Any]) -> MessageText:
    return MessageText("auditor: test message", [f"sent at {p['at']} by `auditor notify test`"], [])


RENDERERS = {
    "run-digest": _digest,
    "expiring": _expiring,
    "channel-failing": _failing,
    "ping": _ping,
    "case-assigned": _assigned,
    "review-requested": _review,
}


def message_text(kind: str, payload: dict[str, Any]) -> MessageText:
    return RENDERERS[kind](payload)
