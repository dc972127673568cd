"""The analyst's Markdown report: the queue first, then each case's evidence, then coverage.

Written for people who read cases, not code: every reason is a rule title, every number
says what it counts, and anything the run could not see is stated up front.
"""

from __future__ import annotations

import html
import re
from typing import Any

from auditor.report.cip import markdown_sections as cip_sections
from auditor.report.ownership import markdown_lines as ownership_lines
from auditor.report.selection import (
    DEFAULT_REPORT_CASES,
    ReportQueue,
    case_overflow,
    report_queue_for,
)

DETAILED_CASES = 50

# Tenant text is the customer's own: a name may carry HTML (`<img onerror=...>`), Markdown
# (`[click](javascript:...)`, `|` that splits a table row) or terminal escapes. Many viewers
# render Markdown as HTML, so every user value is shown as text: escape sequences and control
# characters (bidirectional overrides included) removed, HTML and Markdown escaped.
_TERMINAL_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|#])")


def plain_text(value: Any) -> str:
    """One line of printable text: terminal escape sequences dropped, whitespace controls made spaces, other controls dropped."""
    text = str(value)
    # Escape sequences start with a control character and whitespace controls are controls:
    # a text without one is already plain (most are; one search instead of three rewrites).
    if _CONTROL.search(text) is None:
        return text
    text = _TERMINAL_ESCAPE.sub("", text)
    text = re.sub(r"[\t\n\r\f\v]", " ", text)
    return _CONTROL.sub("", text)


def markdown_text(value: Any) -> str:
    """User text safe in a Markdown table cell: it renders as the text it is, never as HTML, a link or a new cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(plain_text(value), quote=False))


def _code(value: Any) -> str:
    """User text as a code span (ids): fenced with more backticks than it holds, `|` escaped for tables."""
    text = plain_text(value)
    if "`" not in text and "|" not in text and text.strip(" ") == text:
        return f"`{text}`"  # the usual id: nothing to fence or escape (one line of 19,000 each)
    text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") or text.endswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _format(value: Any) -> str:
    """A value as plain text: numbers with separators, lists comma-joined, absent as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, list):
        return ", ".join(_format(v) for v in value) if value else "—"
    return plain_text(value)


def _cell(value: Any) -> str:
    return markdown_text(_format(value))


def _gap(gap: Any) -> str:
    """A coverage gap as one readable line: what could not be read, doing what, and why."""
    if not isinstance(gap, dict):
        return _cell(gap)
    where = " ".join(str(gap[k]) for k in ("provider", "scope_kind") if gap.get(k))
    scope = _code(gap["scope"]) if gap.get("scope") else ""
    line = f"{markdown_text(where)} {scope}".strip() or "unknown scope"
    if gap.get("operation"):
        line += f": {_code(gap['operation'])} failed"
        if gap.get("attempts"):
            line += f" after {markdown_text(gap['attempts'])} attempt(s)"
    if gap.get("error"):
        line += f" — {markdown_text(gap['error'])}"
    return line


def _names(record: dict[str, Any], limit: int = 3) -> str:
    names = [
        f"{plain_text(t['legal_name'])} ({plain_text(t['tenant_id'])})"
        for t in record["tenants"][:limit]
    ]
    more = len(record["tenants"]) - limit
    return "; ".join(names) + (f" +{more} linked" if more > 0 else "")


def _header(m: dict[str, Any]) -> list[str]:
    lines = [
        "# Audit report",
        "",
        f"Run `{m['run_id']}` · as of {m['as_of']} · rule pack `{m['rule_pack']['version']}` ({m['rule_pack']['rules']} rules) · scoring `{m['scoring']}`",
        "",
    ]
    if not m["complete"]:
        lines += [
            f"> **INCOMPLETE DATA.** {len(m['coverage_gaps'])} coverage gap(s): parts of the provider's estate were not read. "
            "Cases below cover only what was collected; see *Coverage*.",
            "",
        ]
    excluded = sum(e["rows"] for e in m.get("excluded_rows") or [])
    if excluded:
        lines += [
            f"> **{excluded:,} input row(s) set aside** as impossible (dated in the future, ending before they start, or repeated); they are not counted. See *Coverage*.",
            "",
        ]
    counts = m["counts"]
    by_priority = counts["cases_by_priority"]
    lines += [
        f"**{counts['cases']} cases** — "
        + ", ".join(f"{by_priority.get(p, 0)} {p}" for p in ("critical", "high", "medium", "low"))
        + f" — from {counts['tenants']:,} tenants, {counts['usage_rows']:,} usage rows, {counts['access_rows']:,} sign-ins.",
        "",
    ]
    return lines


def _changes(m: dict[str, Any], limit: int = DEFAULT_REPORT_CASES) -> list[str]:
    """Only when the run was compared with a stored one (run.json's `changes`)."""
    changes = m.get("changes")
    if not changes:
        return []
    counts = changes.get("counts") or {}
    since = (
        f"run `{changes['previous_run_id']}`" if changes.get("previous_run_id") else "the last run"
    )
    order = ("new", "escalated", "de-escalated", "unchanged", "resolved", "suppressed")
    lines = [
        "## What changed since the last run",
        "",
        f"Compared with {since}: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in order) + ".",
        "",
    ]
    reused = (m.get("reuse") or {}).get("reused_from")
    if reused:
        lines += [
            f"Nothing this run reads changed since run {_code(reused)} (files, settings, rules, lists, code): "
            "its answer was reused, and only what changed with the day (dismissals, the allowlist) was decided again.",
            "",
        ]
    if changes.get("resolved"):
        lines += ["Resolved (in the last run's queue, not in this one):", ""]
        lines += [
            f"- {_code(r['case_id'])} (was {r.get('previous_priority')}, score {_cell(r.get('previous_score'))}; {_cell(r.get('tenant_ids'))}): {_cell(r.get('why'))}"
            for r in changes["resolved"][:limit]
        ]
        if len(changes["resolved"]) > limit:
            lines.append(
                f"- … and {len(changes['resolved']) - limit:,} more, in run.json (`changes.resolved`)"
            )
        lines.append("")
    return lines


def _queue(records: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Review queue",
        "",
        "| # | case | priority | score | tenants | top reasons | restricted GPU-h (90 d) | peak GPUs |",
        "| ---: | --- | --- | ---: | --- | --- | ---: | ---: |",
    ]
    for r in records:
        lines.append(
            f"| {r['rank']} | {_code(r['case_id'])} | {r['priority']} | {r['score']:.1f} | {_cell(_names(r))} | "
            f"{_cell(r['top_reasons'])} | {r['exposure']['restricted_gpu_hours_90d']:,.0f} | {r['exposure']['peak_restricted_gpus']:,.0f} |"
        )
    if not records:
        lines.append("| | | | | no cases | | | |")
    return lines + [""]


def _evidence(evidence: dict[str, Any]) -> str:
    return "; ".join(f"{k} = {_format(v)}" for k, v in evidence.items())


def _details(records: list[dict[str, Any]], total: int) -> list[str]:
    lines = ["## Cases", ""]
    for r in records[:DETAILED_CASES]:
        lines += [
            f"### {r['rank']}. {_code(r['case_id'])} — {r['priority']}, score {r['score']:.1f}",
            "",
            f"Restricted accelerators: {_cell(r['exposure']['restricted_models'])}; "
            f"{r['exposure']['restricted_gpu_hours_30d']:,.0f} GPU-h in 30 days, {r['exposure']['restricted_gpu_hours_90d']:,.0f} in 90 days, "
            f"peak {r['exposure']['peak_restricted_gpus']:,.0f} at once.",
            "",
            "| tenant | name | country / HQ | KYC | tenant score |",
            "| --- | --- | --- | --- | ---: |",
        ]
        shown = case_overflow(r)
        for t in shown.tenants:
            lines.append(
                f"| {_code(t['tenant_id'])} | {_cell(t['legal_name'])} | {_cell(t['country'])} / {_cell(t['hq_country'])} | {_cell(t['kyc_status'])} | {t['tenant_score']:.1f} |"
            )
        if r["link_reasons"]:
            lines += ["", f"Linked through shared: {_cell(r['link_reasons'])}."]
        if r.get("weak_links"):
            lines += ["", f"Weak links (shown, not clustered): {_cell(r['weak_links'])}."]
        lines += [
            "",
            "| rule | tenant | severity | contribution | evidence |",
            "| --- | --- | --- | ---: | --- |",
        ]
        for h in shown.hits:
            lines.append(
                f"| {_cell(h['title'])} ({_code(h['rule_id'])} v{h['rule_version']}) | {_code(h['tenant_id'])} | {h['severity']} | {h['contribution']:.1f} | {_cell(_evidence(h['evidence']))} |"
            )
        if shown.note():
            lines += ["", f"*{markdown_text(shown.note())}*"]
        if r["unknown_rules"]:
            lines += ["", f"Could not evaluate (missing data): {_cell(r['unknown_rules'])}."]
        lines += ownership_lines(r.get("ownership") or {})
        lines.append("")
    if total > DETAILED_CASES:
        lines += [
            f"The evidence of the other {total - DETAILED_CASES:,} cases is in cases.jsonl (every case, in review order).",
            "",
        ]
    return lines


def _beyond(queue: ReportQueue) -> list[str]:
    """Critical and alerting cases below the top, one line each."""
    if not queue.beyond:
        return []
    lines = [
        f"### {len(queue.beyond):,} more critical or alerting cases below the top {queue.limit:,}",
        "",
        "Full records in cases.jsonl.",
        "",
    ]
    for r in queue.beyond:
        reason = r["top_reasons"][0] if r["top_reasons"] else ""
        lines.append(
            f"- {r['rank']}. {_code(r['case_id'])} {r['priority']} {r['score']:.1f} — {_cell(_names(r, limit=1))} — {_cell(reason)}"
        )
    return lines + [""]


def _omitted(queue: ReportQueue) -> list[str]:
    note = queue.omitted_note()
    return [f"**{note}**", ""] if note else []


def _coverage(m: dict[str, Any]) -> list[str]:
    lines = ["## Coverage", ""]
    if m["coverage_gaps"]:
        lines += ["Coverage gaps (not read):", ""]
        lines += [f"- {_gap(g)}" for g in m["coverage_gaps"]]
        lines.append("")
    else:
        lines += ["No coverage gaps were reported by the data sources.", ""]
    if m["unavailable_features"]:
        lines += [
            f"Not in this run's input, so rules reading them are *unknown*: {', '.join(m['unavailable_features'])}.",
            "",
        ]
    if m["unknown_instance_types"]:
        lines += [
            "GPU-looking instance types the catalog does not know (their accelerators were not guessed):",
            "",
        ]
        lines += [
            f"- {_code(t.get('instance_type'))} ({markdown_text(t.get('provider') or 'provider not given')}): {t.get('rows')} rows"
            for t in m["unknown_instance_types"]
        ]
        lines.append("")
    if m.get("excluded_rows"):
        lines += ["Rows set aside (not counted; all in run.json `excluded_rows`):", ""]
        for e in m["excluded_rows"]:
            rows = ", ".join(str(x["row"]) for x in e["examples"])
            where = f" of {_code(e['source'])}" if e.get("source") else ""
            lines.append(
                f"- {e['rows']:,} {markdown_text(e['table'])} row(s): {markdown_text(e['message'])} (first: row {rows}{where})"
            )
        lines.append("")
    if m["common_link_values"]:
        lines += [
            "Values shared too widely to link tenants: "
            + ", ".join(f"{c['kind']} ({c['values']} values)" for c in m["common_link_values"])
            + ".",
            "",
        ]
    if m["counts"]["usage_tenants_not_in_tenant_table"]:
        lines += [
            f"{m['counts']['usage_tenants_not_in_tenant_table']} tenant ids in usage are not in the tenant table.",
            "",
        ]
    if m["lists"]:
        lines += ["Screened against:", ""]
        lines += [
            f"- {_code(entry.get('path'))} sha256 {str(entry.get('sha256'))[:12]}… ({entry.get('rows')} rows, list date {entry.get('list_date') or 'unknown'})"
            for entry in m["lists"]
        ]
    else:
        lines += [
            "No restricted-party list was given: screening rules are *unknown* for every tenant."
        ]
    return lines + [""]


def render_markdown(records: list[dict[str, Any]], result) -> str:
    from auditor.run import run_manifest

    manifest = run_manifest(result)
    queue = report_queue_for(records, result)
    more = _omitted(queue)
    return "\n".join(
        _header(manifest)
        + more
        + _changes(manifest, queue.limit)
        + _queue(queue.top)
        + _beyond(queue)
        + more
        + _details(queue.top, queue.total)
        + cip_sections(result, markdown_text)
        + _coverage(manifest)
    )
