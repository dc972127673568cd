"""A detailed case in report.md and report.html shows its first tenants and strongest hits and says
how many more there are (and of which rules); cases.jsonl keeps them all."""

from __future__ import annotations

import copy

import pytest

from auditor.report.html import render_html_page
from auditor.report.markdown import _details as markdown_details
from auditor.report.selection import CASE_HITS_SHOWN, CASE_TENANTS_SHOWN, case_overflow


def farm(example: dict, tenants: int, hits: int) -> dict:
    """A case cloned from a real example record, with `tenants` members and `hits` hits."""
    record = copy.deepcopy(example)
    member, hit = record["tenants"][0], record["hits"][0]
    record["tenants"] = [
        {**member, "tenant_id": f"T-farm-{i:05d}", "tenant_score": 90.0 - i / 1000}
        for i in range(tenants)
    ]
    record["tenant_ids"] = [t["tenant_id"] for t in record["tenants"]]
    record["hits"] = [
        {
            **hit,
            "tenant_id": "T-farm-00000",
            "rule_id": "rule-a" if i % 3 else "rule-b",
            "contribution": 50.0 - i / 1000,
        }
        for i in range(hits)
    ]
    return record


@pytest.mark.parametrize(
    "tenants, hits, more_tenants, more_hits",
    [
        (0, 0, 0, 0),
        (CASE_TENANTS_SHOWN, CASE_HITS_SHOWN, 0, 0),
        (CASE_TENANTS_SHOWN + 1, CASE_HITS_SHOWN, 1, 0),
        (CASE_TENANTS_SHOWN, CASE_HITS_SHOWN + 1, 0, 1),
        (3132, 10702, 3132 - CASE_TENANTS_SHOWN, 10702 - CASE_HITS_SHOWN),
    ],
)
def test_boundaries(example_records, tenants, hits, more_tenants, more_hits):
    shown = case_overflow(farm(example_records[0], tenants, hits))
    assert (shown.more_tenants, shown.more_hits) == (more_tenants, more_hits)
    assert len(shown.tenants) == min(tenants, CASE_TENANTS_SHOWN)
    assert len(shown.hits) == min(hits, CASE_HITS_SHOWN)
    assert (shown.note() == "") is (more_tenants == 0 and more_hits == 0)
    assert sum(count for _, count in shown.more_hits_by_rule) == more_hits


def test_the_strongest_hits_and_highest_tenants_are_the_ones_shown(example_records):
    record = farm(example_records[0], 40, 60)
    shown = case_overflow(record)
    assert shown.tenants == record["tenants"][:CASE_TENANTS_SHOWN]
    assert shown.hits == record["hits"][:CASE_HITS_SHOWN]
    hidden = record["hits"][CASE_HITS_SHOWN:]
    expected = {r: sum(h["rule_id"] == r for h in hidden) for r in ("rule-a", "rule-b")}
    assert dict(shown.more_hits_by_rule) == {r: n for r, n in expected.items() if n}
    assert shown.more_hits_by_rule == sorted(
        shown.more_hits_by_rule, key=lambda item: (-item[1], item[0])
    )
    note = shown.note()
    assert "15 more tenants" in note and "10 more hits" in note and "cases.jsonl" in note


def test_one_more_is_singular(example_records):
    note = case_overflow(farm(example_records[0], CASE_TENANTS_SHOWN + 1, 1)).note()
    assert "1 more tenant and" not in note and "1 more tenant than" in note


def test_markdown_and_html_list_only_the_shown_tenants_and_say_so(
    example_records, example_manifest
):
    big = farm(example_records[0], CASE_TENANTS_SHOWN + 5, CASE_HITS_SHOWN + 7)
    last_shown = big["tenants"][CASE_TENANTS_SHOWN - 1]["tenant_id"]
    first_hidden = big["tenants"][CASE_TENANTS_SHOWN]["tenant_id"]
    records = [big, *copy.deepcopy(example_records[1:])]
    text = "\n".join(markdown_details(records, len(records)))
    page = render_html_page(records, copy.deepcopy(example_manifest))
    for rendered in (text, page):
        assert last_shown in rendered and first_hidden not in rendered
        assert "5 more tenants and 7 more hits" in rendered
    # A case that fits shows everything and no note.
    small = example_records[1]
    assert len(small["tenants"]) <= CASE_TENANTS_SHOWN and len(small["hits"]) <= CASE_HITS_SHOWN
    assert text.count("than shown here") == page.count("than shown here") == 1


def test_rules_with_as_many_hidden_hits_are_named_in_alphabetical_order(example_records):
    record = farm(example_records[0], 1, CASE_HITS_SHOWN)
    hit = record["hits"][0]
    record["hits"] += [{**hit, "rule_id": rule} for rule in ("zeta", "alpha", "zeta", "alpha")]
    assert case_overflow(record).more_hits_by_rule == [("alpha", 2), ("zeta", 2)]
