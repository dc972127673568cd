"""The inline stylesheet and the one small script of report.html, kept apart from the markup.

Everything is inline so the report is one file an analyst can mail or archive; nothing is
fetched. The script only adds a filter box over the queue; without it the page is whole.
"""

from __future__ import annotations

import base64
import hashlib

# Priority colours are also what the browser test looks for in the screenshot.
PRIORITY_COLOURS = {
    "critical": ("#b00020", "#ffffff"),
    "high": ("#e65100", "#ffffff"),
    "medium": ("#f2c200", "#1a1a1a"),
    "low": ("#607d8b", "#ffffff"),
}
CHANGE_COLOURS = {
    "new": ("#1565c0", "#ffffff"),
    "escalated": ("#ad1457", "#ffffff"),
    "de-escalated": ("#2e7d32", "#ffffff"),
    "unchanged": ("#e0e0e0", "#1a1a1a"),
    "resolved": ("#455a64", "#ffffff"),
    "suppressed": ("#9e9e9e", "#ffffff"),
}


def _badge_rules() -> str:
    rules = [
        f".p-{name}{{background:{bg};color:{fg}}}" for name, (bg, fg) in PRIORITY_COLOURS.items()
    ]
    rules += [
        f".c-{name}{{background:{bg};color:{fg}}}" for name, (bg, fg) in CHANGE_COLOURS.items()
    ]
    return "\n".join(rules)


STYLE = (
    """
:root{--ink:#1a1a1a;--muted:#5f6368;--rule:#d0d4d9;--band:#f5f6f8;--warn:#fff4e5;--warnline:#e65100}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);margin:0 auto;padding:20px 28px;max-width:1500px;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--rule)}
h3{font-size:15px;margin:0 0 6px}
p{margin:6px 0}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.meta{color:var(--muted);margin-bottom:12px}
.banner{background:var(--warn);border-left:6px solid var(--warnline);padding:10px 14px;margin:12px 0}
.banner strong{color:#b00020}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}
.count{border:1px solid var(--rule);border-radius:6px;padding:6px 14px;min-width:110px}
.count b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{border-bottom:1px solid var(--rule);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--band);font-weight:600;white-space:nowrap}
td code{white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafbfc}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;font-weight:600;font-size:12px;white-space:nowrap;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}
.reasons{margin:0;padding-left:16px}
.case{border:1px solid var(--rule);border-radius:6px;padding:12px 16px;margin:14px 0}
.case:target{outline:3px solid #1565c0}
.evidence{margin:0;display:grid;grid-template-columns:max-content 1fr;column-gap:10px}
.evidence dt{color:var(--muted)}
.evidence dd{margin:0;word-break:break-word}
.filter{margin:8px 0}
.filter input{font:inherit;padding:4px 8px;width:320px;border:1px solid var(--rule);border-radius:4px}
.top{font-size:12px}
.beyond summary{cursor:pointer;margin:8px 0}
ol.beyond{margin:4px 0;padding-left:56px}
ol.beyond li{margin:1px 0}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media print{
 body{padding:0;max-width:none;font-size:11px}
 .filter,.top{display:none}
 a{color:inherit;text-decoration:none}
 .case{break-inside:avoid-page;border:none;border-top:1px solid var(--rule);border-radius:0}
 tr{break-inside:avoid}
 thead{display:table-header-group}
 h2{break-after:avoid}
}
"""
    + _badge_rules()
    + "\n"
)

# Shows the filter box (hidden without JS) and hides queue rows that do not contain its text.
SCRIPT = """
(function(){
var box=document.getElementById('queue-filter');if(!box)return;box.hidden=false;
var input=box.querySelector('input'),shown=box.querySelector('output'),rows=document.querySelectorAll('#queue tbody tr');
input.addEventListener('input',function(){var q=input.value.trim().toLowerCase(),n=0;
for(var i=0;i<rows.length;i++){var hit=!q||rows[i].textContent.toLowerCase().indexOf(q)>=0;rows[i].hidden=!hit;if(hit)n++;}
shown.textContent=q?n+' of '+rows.length+' cases':'';});
})();
"""


def content_security_policy() -> str:
    """Nothing may be fetched, and only our own script (by its hash) may run.

    Escaping already keeps tenant text inert; the policy is a second wall should a
    future change forget to escape something.
    """
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
