"""The shared-data guard: a missing ../shared skips with its reason, except under CI, where it fails."""

from __future__ import annotations

import pytest

import auditor_testkit


@pytest.fixture
def no_shared(tmp_path, monkeypatch):
    monkeypatch.setattr(auditor_testkit, "SHARED", tmp_path / "absent")


def test_a_missing_shared_file_skips_naming_it_outside_ci(no_shared, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="lists.csv"):
        auditor_testkit.shared_path("data", "lists.csv")


@pytest.mark.parametrize("value", ["true", "TRUE"])
def test_a_missing_shared_file_fails_under_ci(no_shared, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="under CI it must be present"):
        auditor_testkit.shared_path("data", "lists.csv")


def test_a_present_shared_file_is_returned(tmp_path, monkeypatch):
    monkeypatch.setattr(auditor_testkit, "SHARED", tmp_path)
    monkeypatch.setenv("CI", "true")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lists.csv").write_text("x\n")
    assert auditor_testkit.shared_path("data", "lists.csv") == tmp_path / "data" / "lists.csv"
