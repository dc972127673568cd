"""report.md shows tenant text as text: no HTML, no Markdown, no new table cells, no terminal escapes."""

from __future__ import annotations

import re

import pytest

from auditor.config import AuditConfig
from auditor.report.markdown import _code, markdown_text, plain_text
from auditor.run import audit

HOSTILE_NAME = "<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold** | cell \x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202eevil"


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("a | b", "a \\| b"),
        ("**b** _i_ `c` ~s~ # h", "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~s\\~ \\# h"),
        ("back\\slash", "back\\\\slash"),
        ("line\nbreak\ttab", "line break tab"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]8;;http://evil\x07text\x1b]8;;\x07", "text"),
        ("bell\x07 nul\x00 del\x7f c1\x9b", "bell nul del c1"),
        ("\u202eoverride\u2066", "override"),
        ("Huawei 华为 & Söhne", "Huawei 华为 &amp; Söhne"),
    ],
)
def test_markdown_text_escapes_everything_a_viewer_would_render(raw, shown):
    assert markdown_text(raw) == shown


def test_plain_text_keeps_ordinary_text():
    assert plain_text("Acme Compute (Shenzhen) Co., Ltd.") == "Acme Compute (Shenzhen) Co., Ltd."


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("t1", "`t1`"),
        ("a`b", "`` a`b ``"),
        ("x|y", "`x\\|y`"),
        ("\x1b[2Jid", "`id`"),
        # A span that starts or ends with a space is padded, or Markdown would strip one.
        (" t1", "`  t1 `"),
        ("t1 ", "` t1  `"),
        ("a b", "`a b`"),
        ("", "``"),
    ],
)
def test_code_spans_cannot_be_broken_out_of(raw, shown):
    assert _code(raw) == shown


def test_hostile_tenant_text_in_a_real_report(tmp_path):
    tenants = tmp_path / "tenants.csv"
    tenants.write_text(
        f'tenant_id,legal_name,country,hq_country,email_domain\n"t`1|x","{HOSTILE_NAME}",CN,CN,lab.cn\n'
    )
    usage = tmp_path / "usage.csv"
    usage.write_text(
        'tenant_id,instance_id,instance_type,start,end\n"t`1|x",i-1,p5.48xlarge,2026-09-01T00:00:00Z,2026-09-03T00:00:00Z\n'
    )
    from auditor.report import write_reports

    result = audit(AuditConfig(tenants=tenants, usage=usage))
    assert result.cases.cases.height == 1
    write_reports(result, tmp_path / "out")
    report = (tmp_path / "out" / "report.md").read_text()
    for raw in ("<img", "\x1b", "\x07", "\u202e"):
        assert raw not in report, raw
    for unescaped in (r"(?<!\\)\]\(javascript", r"(?<!\\)\*(?<!\\)\*bold", r"(?<!\\)\| cell"):
        assert not re.search(unescaped, report), unescaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    # Every table row still has as many cells as its header.
    for block in report.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            cells = {len(line.replace("\\|", "").split("|")) for line in rows}
            assert len(cells) == 1, block
