"""The analyst's HTML report: one self-contained file with the queue, each case's evidence,
what changed since the last run, and what the run could not see.

Tenant data is untrusted (a legal name may hold markup), so every value goes through
`_e` (html.escape) on its way into the page; nothing is fetched and no framework runs.
"""

from __future__ import annotations

from html import escape
from typing import Any

from auditor.report.html_assets import SCRIPT, STYLE, content_security_policy
from auditor.report.ownership import html_block as ownership_block
from auditor.report.selection import (
    DEFAULT_REPORT_CASES,
    ReportQueue,
    case_overflow,
    report_queue,
    report_queue_for,
)

DETAILED_CASES = 200
PRIORITIES = ("critical", "high", "medium", "low")
CHANGE_ORDER = ("new", "escalated", "de-escalated", "unchanged", "resolved", "suppressed")


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(value: Any) -> str:
    """Numbers as an analyst reads them: thousands separated, no spurious decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return _e(value)


def _text(value: Any) -> str:
    if value is None or value == [] or value == "":
        return '<span class="muted">—</span>'
    if isinstance(value, (bool, int, float)):
        return _num(value)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_e(k)} = {_text(v)}" for k, v in value.items())
    return _e(value)


def _badge(kind: str, value: Any) -> str:
    name = str(value)
    return f'<span class="badge {kind}-{_e(name)}">{_e(name)}</span>'


def _anchor(case_id: str) -> str:
    return "case-" + _e(case_id)


def _table(head: list[tuple[str, str]], rows: list[list[str]], attrs: str = "") -> str:
    """`head` is (label, css class); cells are already-escaped HTML."""
    th = "".join(
        f'<th class="{cls}">{_e(label)}</th>' if cls else f"<th>{_e(label)}</th>"
        for label, cls in head
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{cls}">{cell}</td>' if cls else f"<td>{cell}</td>"
            for (_, cls), cell in zip(head, row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table{attrs}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _gap(gap: Any) -> str:
    """A coverage gap as one readable line: what could not be read, doing what, and why."""
    if not isinstance(gap, dict):
        return _text(gap)
    where = " ".join(str(gap[k]) for k in ("provider", "scope_kind") if gap.get(k))
    line = _e(where)
    if gap.get("scope"):
        line += f" <code>{_e(gap['scope'])}</code>"
    line = line.strip() or "unknown scope"
    if gap.get("operation"):
        line += f": <code>{_e(gap['operation'])}</code> failed"
        if gap.get("attempts"):
            line += f" after {_e(gap['attempts'])} attempt(s)"
    if gap.get("error"):
        line += f" — {_e(gap['error'])}"
    return line


def _header(m: dict[str, Any]) -> str:
    pack = m["rule_pack"]
    parts = [
        "<h1>Export-control audit: review queue</h1>",
        f'<p class="meta">Run <code>{_e(m["run_id"])}</code> · data as of {_e(m["as_of"])} · rule pack '
        f"<code>{_e(pack['version'])}</code> ({_e(pack['rules'])} rules) · scoring <code>{_e(m['scoring'])}</code></p>",
    ]
    if not m["complete"]:
        gaps = m["coverage_gaps"]
        items = "".join(f"<li>{_gap(g)}</li>" for g in gaps)
        parts.append(
            f'<div class="banner" role="alert"><strong>INCOMPLETE DATA.</strong> {len(gaps)} coverage gap(s): parts of the '
            "provider's estate were not read. The cases below cover only what was collected; an account absent "
            f"from the queue may simply not have been seen.{f'<ul>{items}</ul>' if items else ''}</div>"
        )
    counts = m["counts"]
    by_priority = counts["cases_by_priority"]
    cards = f'<div class="count"><span>cases</span><b>{_num(counts["cases"])}</b></div>' + "".join(
        f'<div class="count">{_badge("p", p)}<b>{_num(by_priority.get(p, 0))}</b></div>'
        for p in PRIORITIES
    )
    parts.append(f'<div class="counts" id="counts">{cards}</div>')
    parts.append(
        f'<p class="muted">From {_num(counts["tenants"])} tenants, {_num(counts["usage_rows"])} usage rows and '
        f"{_num(counts['access_rows'])} sign-ins; {_num(counts['hits'])} rule hits.</p>"
    )
    return "\n".join(parts)


def _changes(m: dict[str, Any], limit: int = DEFAULT_REPORT_CASES) -> str:
    changes = m.get("changes")
    if not changes:
        return ""
    counts = changes.get("counts") or {}
    previous = changes.get("previous_run_id")
    since = f"run <code>{_e(previous)}</code>" if previous else "the last run"
    cards = "".join(
        f'<div class="count">{_badge("c", k)}<b>{_num(counts.get(k, 0))}</b></div>'
        for k in CHANGE_ORDER
        if k in counts
    )
    parts = [
        '<h2 id="changes">What changed since the last run</h2>',
        f"<p>Compared with {since}.</p>",
        f'<div class="counts">{cards}</div>',
    ]
    reused = (m.get("reuse") or {}).get("reused_from")
    if reused:
        parts.append(
            f"<p>Nothing this run reads changed since run <code>{_e(reused)}</code> (files, settings, rules, lists, code): "
            "its answer was reused, and only what changed with the day (dismissals, the allowlist) was decided again.</p>"
        )
    resolved = changes.get("resolved") or []
    if resolved:
        shown = resolved[:limit]
        rows = [
            [
                f"<code>{_e(r.get('case_id'))}</code>",
                _badge("p", r["previous_priority"]) if r.get("previous_priority") else _text(None),
                _num(r.get("previous_score")),
                _text(r.get("tenant_ids")),
                _text(r.get("why")),
            ]
            for r in shown
        ]
        parts.append("<h3>Resolved: in the last run's queue, not in this one</h3>")
        parts.append(
            _table(
                [
                    ("case", ""),
                    ("previous priority", ""),
                    ("previous score", "num"),
                    ("tenants", ""),
                    ("why", ""),
                ],
                rows,
            )
        )
        if len(resolved) > len(shown):
            parts.append(
                f"<p>The other {_num(len(resolved) - len(shown))} resolved cases are in run.json (<code>changes.resolved</code>).</p>"
            )
    return "\n".join(parts)


def _names(record: dict[str, Any], limit: int = 3) -> str:
    names = [
        f'{_e(t["legal_name"])} <span class="muted mono">{_e(t["tenant_id"])}</span>'
        for t in record["tenants"][:limit]
    ]
    more = len(record["tenants"]) - limit
    return "<br>".join(names) + (
        f'<br><span class="muted">+{more} linked</span>' if more > 0 else ""
    )


def _change_cell(record: dict[str, Any]) -> str:
    change = record.get("change")
    if not change:
        return ""
    cell = _badge("c", change.get("status") or "unknown")
    if change.get("suppressed"):
        cell += " " + _badge("c", "suppressed")
    return cell


def _queue(records: list[dict[str, Any]]) -> str:
    with_change = any(r.get("change") for r in records)
    head = [
        ("#", "num"),
        ("case", ""),
        ("priority", ""),
        ("score", "num"),
        ("tenants", ""),
        ("top reasons", ""),
        ("restricted GPU-h (90 d)", "num"),
        ("peak GPUs", "num"),
    ] + ([("change", "")] if with_change else [])
    rows = []
    for i, r in enumerate(records):
        case = f"<code>{_e(r['case_id'])}</code>"
        if i < DETAILED_CASES:
            case = f'<a href="#{_anchor(r["case_id"])}">{case}</a>'
        reasons = "".join(f"<li>{_e(reason)}</li>" for reason in r["top_reasons"])
        row = [
            _num(r["rank"]),
            case,
            _badge("p", r["priority"]),
            f"{r['score']:.1f}",
            _names(r),
            f'<ul class="reasons">{reasons}</ul>',
            _num(r["exposure"]["restricted_gpu_hours_90d"]),
            _num(r["exposure"]["peak_restricted_gpus"]),
        ]
        rows.append(row + ([_change_cell(r)] if with_change else []))
    filter_box = (
        '<div class="filter" id="queue-filter" hidden><label>Filter the queue: '
        '<input type="search" placeholder="case, tenant, name, reason, priority"></label> <output class="muted"></output></div>'
    )
    body = _table(head, rows, ' id="queue"') if rows else "<p>No cases: no tenant hit any rule.</p>"
    return f'<h2 id="queue-title">Review queue</h2>\n{filter_box}\n{body}'


def _beyond(queue: ReportQueue) -> str:
    """Critical and alerting cases below the top, one line each: all there, cheap to lay out."""
    if not queue.beyond:
        return ""
    items = "".join(
        f'<li value="{_e(r["rank"])}"><code>{_e(r["case_id"])}</code> {_badge("p", r["priority"])} {r["score"]:.1f} — '
        f'{_e(r["tenants"][0]["legal_name"])} <span class="muted mono">{_e(r["tenants"][0]["tenant_id"])}</span>'
        f"{' +' + _num(len(r['tenants']) - 1) + ' linked' if len(r['tenants']) > 1 else ''}"
        f" — {_e(r['top_reasons'][0] if r['top_reasons'] else '')}{' ' + _change_cell(r) if r.get('change') else ''}</li>"
        for r in queue.beyond
    )
    summary = f"{_num(len(queue.beyond))} more critical or alerting cases below the top {_num(queue.limit)}, one line each (full records in cases.jsonl)"
    return f'<details class="beyond" id="beyond"><summary><b>{summary}</b></summary><ol class="beyond">{items}</ol></details>'


def _omitted(queue: ReportQueue) -> str:
    note = queue.omitted_note()
    return f'<p class="more" id="more-cases"><b>{_e(note)}</b></p>' if note else ""


def _evidence(evidence: dict[str, Any]) -> str:
    unknown = '<span class="muted">unknown</span>'
    items = "".join(
        f"<dt>{_e(k)}</dt><dd>{unknown if v is None else _text(v)}</dd>"
        for k, v in evidence.items()
    )
    return f'<dl class="evidence">{items}</dl>'


def _change_detail(change: dict[str, Any]) -> str:
    line = f"Since the last run: {_badge('c', change.get('status') or 'unknown')}"
    previous = change.get("previous")
    if previous:
        line += f" — previously rank {_num(previous.get('rank'))}, {_e(previous.get('priority'))}, score {_num(previous.get('score'))}"
    if change.get("suppressed"):
        line += " " + _badge("c", "suppressed")
    why = change.get("why") or []
    return f"<p>{line}</p>" + (
        f'<ul class="reasons">{"".join(f"<li>{_e(w)}</li>" for w in why)}</ul>' if why else ""
    )


def _decision(decision: dict[str, Any]) -> str:
    fields = [
        (label, decision.get(key))
        for label, key in (("by", "by"), ("at", "at"), ("until", "until"))
    ]
    who = ", ".join(f"{label} {_e(v)}" for label, v in fields if v)
    reason = f": {_e(decision['reason'])}" if decision.get("reason") else ""
    return f"<p><b>Analyst decision:</b> {_e(decision.get('status'))}{reason}{f' ({who})' if who else ''}</p>"


def _case(r: dict[str, Any]) -> str:
    x = r["exposure"]
    parts = [
        f'<section class="case" id="{_anchor(r["case_id"])}">',
        f"<h3>{_num(r['rank'])}. <code>{_e(r['case_id'])}</code> {_badge('p', r['priority'])} score {r['score']:.1f}"
        f' <a class="top" href="#queue-title">back to queue</a></h3>',
    ]
    change = r.get("change")
    if change:
        parts.append(_change_detail(change))
    decision = (change or {}).get("decision") or r.get("decision")
    if decision:
        parts.append(_decision(decision))
    parts.append(
        f"<p>Restricted accelerators: {_text(x['restricted_models'])}; {_num(x['restricted_gpu_hours_30d'])} GPU-h in 30 days, "
        f"{_num(x['restricted_gpu_hours_90d'])} in 90 days, peak {_num(x['peak_restricted_gpus'])} at once.</p>"
    )
    shown = case_overflow(r)
    tenants = [
        [
            f"<code>{_e(t['tenant_id'])}</code>",
            _e(t["legal_name"]),
            f"{_text(t.get('country'))} / {_text(t.get('hq_country'))}",
            _text(t.get("kyc_status")),
            _text(t.get("is_reseller")),
            _num(t.get("account_age_days")),
            _num(t.get("restricted_gpu_hours_90d")),
            f"{t.get('tenant_score') or 0.0:.1f}",
        ]
        for t in shown.tenants
    ]
    parts.append(
        _table(
            [
                ("tenant", ""),
                ("legal name", ""),
                ("country / HQ", ""),
                ("KYC", ""),
                ("reseller", ""),
                ("account age (days)", "num"),
                ("restricted GPU-h (90 d)", "num"),
                ("tenant score", "num"),
            ],
            tenants,
        )
    )
    if r.get("link_reasons"):
        parts.append(f"<p>Linked through shared: {_text(r['link_reasons'])}.</p>")
    if r.get("weak_links"):
        parts.append(f"<p>Weak links (shown, not clustered): {_text(r['weak_links'])}.</p>")
    hits = [
        [
            f'{_e(h.get("title") or h["rule_id"])}<br><code class="muted">{_e(h["rule_id"])} v{_e(h["rule_version"])}</code>',
            f"<code>{_e(h['tenant_id'])}</code>",
            _e(h["severity"]),
            _num(h["weight"]),
            f"{h['contribution']:.1f}",
            _evidence(h["evidence"]),
        ]
        for h in shown.hits
    ]
    parts.append(
        _table(
            [
                ("rule", ""),
                ("tenant", ""),
                ("severity", ""),
                ("weight", "num"),
                ("contribution", "num"),
                ("evidence", ""),
            ],
            hits,
        )
    )
    if shown.note():
        parts.append(f'<p class="more">{_e(shown.note())}</p>')
    if r["unknown_rules"]:
        parts.append(f"<p>Could not evaluate (missing data): {_text(r['unknown_rules'])}.</p>")
    if r.get("ownership"):
        parts.append(ownership_block(r["ownership"]))
    if not r["complete"]:
        parts.append('<p class="muted">Scored on incomplete data (see Coverage).</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _details(records: list[dict[str, Any]], total: int) -> str:
    parts = ['<h2 id="cases">Cases</h2>'] + [_case(r) for r in records[:DETAILED_CASES]]
    if total > DETAILED_CASES:
        parts.append(
            f"<p>The evidence of the other {_num(total - DETAILED_CASES)} cases is in cases.jsonl (every case, in review order).</p>"
        )
    return "\n".join(parts)


def _coverage(m: dict[str, Any]) -> str:
    parts = ['<h2 id="coverage">Coverage</h2>']
    if m["coverage_gaps"]:
        parts.append(
            "<p>Coverage gaps (not read):</p><ul>"
            + "".join(f"<li>{_gap(g)}</li>" for g in m["coverage_gaps"])
            + "</ul>"
        )
    else:
        parts.append("<p>No coverage gaps were reported by the data sources.</p>")
    if m["unavailable_features"]:
        parts.append(
            f"<p>Not in this run's input, so rules reading them are <em>unknown</em>: {_text(m['unavailable_features'])}.</p>"
        )
    if m["unknown_instance_types"]:
        rows = [
            [
                f"<code>{_e(t.get('instance_type'))}</code>",
                _text(t.get("provider")),
                _num(t.get("rows")),
            ]
            for t in m["unknown_instance_types"]
        ]
        parts.append(
            "<p>GPU-looking instance types the catalog does not know (their accelerators were not guessed):</p>"
        )
        parts.append(_table([("instance type", ""), ("provider", ""), ("usage rows", "num")], rows))
    if m["common_link_values"]:
        shared = ", ".join(
            f"{_e(c['kind'])} ({_num(c['values'])} values)" for c in m["common_link_values"]
        )
        parts.append(f"<p>Values shared too widely to link tenants: {shared}.</p>")
    orphans = m["counts"].get("usage_tenants_not_in_tenant_table")
    if orphans:
        parts.append(f"<p>{_num(orphans)} tenant ids in usage are not in the tenant table.</p>")
    if m["lists"]:
        rows = [
            [
                f"<code>{_e(entry.get('path'))}</code>",
                _num(entry.get("rows")),
                _text(entry.get("list_date") or "unknown"),
                f"<code>{_e(str(entry.get('sha256'))[:12])}…</code>",
            ]
            for entry in m["lists"]
        ]
        parts.append(
            "<p>Screened against:</p>"
            + _table([("list", ""), ("rows", "num"), ("list date", ""), ("sha256", "")], rows)
        )
    else:
        parts.append(
            "<p>No restricted-party list was given: screening rules are <em>unknown</em> for every tenant.</p>"
        )
    return "\n".join(parts)


def render_html_page(
    records: list[dict[str, Any]], manifest: dict[str, Any], queue: ReportQueue | None = None
) -> str:
    """The whole page from the case records and the run manifest (both plain dicts).

    `queue` says which records are shown (see `selection`); by default the top
    `DEFAULT_REPORT_CASES` and every critical one.
    """
    queue = queue or report_queue(records)
    more = _omitted(queue)
    body = "\n".join(
        part
        for part in (
            _header(manifest),
            more,
            _changes(manifest, queue.limit),
            _queue(queue.top),
            _beyond(queue),
            more,
            _details(queue.top, queue.total),
            _coverage(manifest),
        )
        if part
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy())}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Audit report {_e(manifest['run_id'])}</title><style>{STYLE}</style></head>\n<body>\n{body}\n"
        f"<footer>auditor {_e(manifest.get('auditor_version', ''))} · run {_e(manifest['run_id'])} · "
        f"finished {_e(manifest.get('finished_at', ''))}</footer>\n<script>{SCRIPT}</script>\n</body></html>\n"
    )


def render_html(records: list[dict[str, Any]], result) -> str:
    from auditor.run import run_manifest

    return render_html_page(records, run_manifest(result), report_queue_for(records, result))
