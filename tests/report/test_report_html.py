"""report.html: untrusted tenant text stays text, nothing is fetched, every section shows what it should."""

from __future__ import annotations

import copy
import html
import re

import pytest

from auditor.report.html import DETAILED_CASES, render_html_page

XSS = "<script>alert(1)</script>"


@pytest.fixture
def records(example_records):
    return copy.deepcopy(example_records)


@pytest.fixture
def manifest(example_manifest):
    return copy.deepcopy(example_manifest)


def test_tenant_text_is_escaped_everywhere(records, manifest):
    first = records[0]
    first["tenants"][0]["legal_name"] = XSS
    first["top_reasons"][0] = '<img src=x onerror="alert(2)">'
    first["hits"][0]["evidence"]["legal_name"] = XSS
    first["hits"][0]["evidence"][XSS] = "key too"
    first["link_reasons"] = ["phone</td><td>"]
    manifest["complete"] = False
    manifest["coverage_gaps"] = [
        {"provider": "aws", "scope": XSS, "operation": "DescribeInstances", "error": XSS}
    ]
    manifest["changes"] = {
        "previous_run_id": XSS,
        "counts": {"resolved": 1},
        "resolved": [
            {
                "case_id": XSS,
                "previous_priority": "high",
                "previous_score": 1.0,
                "tenant_ids": [XSS],
                "why": [XSS],
            }
        ],
    }
    page = render_html_page(records, manifest)
    assert (
        XSS not in page and "<img" not in page and "</td><td>" not in page.split("phone", 1)[1][:12]
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1, "only the report's own filter script"


def test_page_is_self_contained(records, manifest):
    page = render_html_page(records, manifest)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), (
        "no external fetches or links"
    )
    assert "<link" not in page and "@import" not in page and "url(" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy and "default-src 'none'" in html.unescape(policy.group(1))


def test_queue_links_to_each_detailed_case(records, manifest):
    page = render_html_page(records, manifest)
    for r in records[:DETAILED_CASES]:
        assert f'href="#case-{r["case_id"]}"' in page
        assert f'id="case-{r["case_id"]}"' in page
    queue = page.split('id="queue"', 1)[1].split("</table>", 1)[0]
    assert queue.count("<tr>") == len(records) + 1  # header row + one per case


def test_header_counts_and_coverage(records, manifest):
    page = render_html_page(records, manifest)
    assert manifest["run_id"] in page and manifest["rule_pack"]["version"] in page
    assert "INCOMPLETE" not in page
    by_priority = manifest["counts"]["cases_by_priority"]
    assert f'p-critical">critical</span><b>{by_priority["critical"]}</b>' in page
    for unknown in manifest["unknown_instance_types"]:
        assert unknown["instance_type"] in page.split('id="coverage"', 1)[1]


def test_incomplete_run_says_so_first_with_its_gaps(records, manifest):
    manifest["complete"] = False
    manifest["coverage_gaps"] = [
        {
            "provider": "gcp",
            "scope_kind": "project",
            "scope": "p-123",
            "operation": "aggregatedList",
            "attempts": 3,
            "error": "403",
        }
    ]
    page = render_html_page(records, manifest)
    banner = page.index("INCOMPLETE DATA")
    assert banner < page.index('id="queue"')
    assert "p-123" in page[banner : page.index('id="counts"')]


def test_changes_render_only_when_the_run_was_compared(records, manifest):
    assert "What changed" not in render_html_page(records, manifest)
    manifest["changes"] = {
        "previous_run_id": "20261001T000000Z-aaaaaa",
        "counts": {
            "new": 1,
            "escalated": 1,
            "de-escalated": 0,
            "unchanged": len(records) - 2,
            "resolved": 1,
            "suppressed": 0,
        },
        "resolved": [
            {
                "case_id": "C-0000gone0000",
                "previous_priority": "high",
                "previous_score": 60.0,
                "tenant_ids": ["t9"],
                "why": ["no rule hits"],
            }
        ],
    }
    records[0]["change"] = {
        "status": "new",
        "why": ["first seen"],
        "previous": None,
        "suppressed": False,
        "decision": None,
    }
    records[1]["change"] = {
        "status": "escalated",
        "why": ["score 50.0 -> 90.0"],
        "previous": {"score": 50.0, "priority": "medium", "rank": 12},
        "suppressed": True,
        "decision": {
            "status": "monitor",
            "reason": "licence pending",
            "by": "ana",
            "at": "2026-10-02",
            "until": "2026-12-01",
        },
    }
    page = render_html_page(records, manifest)
    changes = page.split('id="changes"', 1)[1].split('id="queue-title"', 1)[0]
    assert (
        "20261001T000000Z-aaaaaa" in changes
        and "C-0000gone0000" in changes
        and "no rule hits" in changes
    )
    queue = page.split('id="queue"', 1)[1].split("</table>", 1)[0]
    assert (
        'c-new">new' in queue
        and 'c-escalated">escalated' in queue
        and 'c-suppressed">suppressed' in queue
    )
    case = page.split(f'id="case-{records[1]["case_id"]}"', 1)[1].split("</section>", 1)[0]
    assert "previously rank 12" in case and "licence pending" in case and "ana" in case


def test_no_cases_still_renders(manifest):
    page = render_html_page([], manifest)
    assert "No cases" in page and 'id="coverage"' in page
