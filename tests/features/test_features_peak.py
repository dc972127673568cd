"""Peak concurrent restricted GPUs: one sort over start/end events, worked out by hand."""

from __future__ import annotations

import pytest

from auditor.features import usage as usage_module
from auditor.features.usage import usage_features

from test_features_usage_links import AS_OF, usage

P5 = "p5.48xlarge"  # 8 x H100, restricted
P4 = "p4d.24xlarge"  # 8 x A100, restricted
T4 = "g4dn.xlarge"  # 1 x T4, not restricted


def peaks(rows: list[tuple]) -> dict[str, float]:
    return {
        r["tenant_id"]: r["peak_restricted_gpus"]
        for r in usage_features(usage(rows), AS_OF).features.to_dicts()
    }


def test_a_run_ending_at_an_instant_does_not_overlap_one_starting_then():
    rows = [
        ("a", P5, "2026-10-01 00:00:00", "2026-10-01 10:00:00", "r"),
        ("a", P5, "2026-10-01 10:00:00", "2026-10-01 20:00:00", "r"),
        ("a", P5, "2026-10-01 20:00:00", "2026-10-02 00:00:00", "r"),
    ]
    assert peaks(rows)["a"] == 8


def test_runs_overlapping_by_one_microsecond_do_overlap():
    rows = [
        ("a", P5, "2026-10-01 00:00:00", "2026-10-01 10:00:00.000001", "r"),
        ("a", P4, "2026-10-01 10:00:00", "2026-10-01 20:00:00", "r"),
    ]
    assert peaks(rows)["a"] == 16


def test_tenants_are_swept_apart_and_unrestricted_gpus_do_not_count():
    rows = [
        ("a", P5, "2026-10-01 00:00:00", "2026-10-03 00:00:00", "r"),
        ("a", P5, "2026-10-02 00:00:00", "2026-10-04 00:00:00", "r"),
        (
            "b",
            P5,
            "2026-10-02 12:00:00",
            "2026-10-02 13:00:00",
            "r",
        ),  # inside a's overlap, but another tenant
        ("b", T4, "2026-10-02 12:00:00", "2026-10-02 13:00:00", "r"),
        ("c", T4, "2026-10-02 12:00:00", "2026-10-02 13:00:00", "r"),
    ]
    assert peaks(rows) == {"a": 16, "b": 8, "c": 0}


def test_runs_are_clipped_to_the_window_and_a_running_one_counts_until_as_of():
    rows = [
        (
            "a",
            P5,
            "2026-01-01 00:00:00",
            "2026-07-01 00:00:00",
            "r",
        ),  # ended before the 90-day window: not counted
        ("a", P5, "2026-01-01 00:00:00", None, "r"),  # running since before the window
        ("a", P4, "2026-10-31 00:00:00", None, "r"),  # running: overlaps the one above until as-of
        ("b", P5, "2026-10-31 00:00:00", "2026-11-05 00:00:00", "r"),  # ends after as-of
        (
            "b",
            P5,
            "2026-11-01 00:00:00",
            "2026-11-02 00:00:00",
            "r",
        ),  # starts at as-of: outside the window
    ]
    assert peaks(rows) == {"a": 16, "b": 8}


def test_a_key_too_wide_for_one_integer_sorts_on_two_columns_with_the_same_answer(monkeypatch):
    rows = [
        ("a", P5, "2026-10-01 00:00:00", "2026-10-01 10:00:00", "r"),
        ("a", P5, "2026-10-01 10:00:00", "2026-10-01 20:00:00", "r"),
        ("a", P4, "2026-10-01 05:00:00", "2026-10-01 06:00:00", "r"),
        ("b", P5, "2026-10-01 00:00:00", "2026-10-02 00:00:00", "r"),
        ("b", P5, "2026-10-01 01:00:00", "2026-10-01 02:00:00", "r"),
    ]
    fast = peaks(rows)
    monkeypatch.setattr(usage_module, "ORDER_KEY_BITS", 1)
    assert peaks(rows) == fast == {"a": 16, "b": 16}


@pytest.mark.parametrize("partitions_rows", [1, 2])
def test_tenant_partitions_give_the_same_peaks(monkeypatch, partitions_rows):
    rows = [(t, P5, "2026-10-01 00:00:00", "2026-10-02 00:00:00", "r") for t in "abcdef"] + [
        (t, P4, "2026-10-01 12:00:00", "2026-10-01 13:00:00", "r") for t in "ace"
    ]
    monkeypatch.setattr(usage_module, "ROWS_PER_PEAK_PASS", partitions_rows)
    assert peaks(rows) == {"a": 16, "b": 8, "c": 16, "d": 8, "e": 16, "f": 8}


def test_exactly_two_peak_passes_take_each_tenant_once(monkeypatch):
    """Nine rows at five a pass is two passes: each must take only its own tenants (a pass
    that swept every tenant would count each twice), one row per tenant either way."""
    rows = [(t, P5, "2026-10-01 00:00:00", "2026-10-02 00:00:00", "r") for t in "abcdef"] + [
        (t, P4, "2026-10-01 12:00:00", "2026-10-01 13:00:00", "r") for t in "ace"
    ]
    one_pass = usage_features(usage(rows), AS_OF).features.sort("tenant_id")
    monkeypatch.setattr(usage_module, "ROWS_PER_PEAK_PASS", 5)
    two_passes = usage_features(usage(rows), AS_OF).features.sort("tenant_id")
    assert two_passes["tenant_id"].to_list() == list("abcdef")
    assert two_passes.equals(one_pass)
    assert dict(zip(two_passes["tenant_id"], two_passes["peak_restricted_gpus"])) == {
        "a": 16,
        "b": 8,
        "c": 16,
        "d": 8,
        "e": 16,
        "f": 8,
    }


def test_a_run_to_as_of_and_the_next_tenants_run_from_before_the_window_stay_apart():
    """The latest instant (a run still going at as-of) and the earliest (a run clipped to
    the window's start) meet in the packed sort key when its span is short: tenant b's
    start would sort among tenant a's events and count a's GPUs as its own."""
    rows = [
        ("a", P5, "2026-10-01 00:00:00", None, "r"),
        ("b", P5, "2026-06-01 00:00:00", "2026-10-01 00:00:00", "r"),
    ]
    assert peaks(rows) == {"a": 8, "b": 8}
