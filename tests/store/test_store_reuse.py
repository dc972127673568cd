"""A second `audit --store` over unchanged files takes the last run's answer (issue 10), and
anything it reads that changed, a bundle that is gone or edited, or `--no-reuse` makes it compute.

The reused run must give the outputs a computed run gives: compared here with `--no-reuse`
runs over the same files, byte for byte once run ids are masked.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from store_testkit import audit_args

RUN_ID = re.compile(rb"\d{8}T\d{6}Z-[0-9a-f]{6}")
SAME_BYTES = ("hits.csv", "cases.csv", "cip.csv", "training.jsonl", "hits.parquet", "cases.parquet")


def _manifest(out: Path) -> dict:
    return json.loads((out / "run.json").read_text())


def _masked(path: Path) -> bytes:
    return RUN_ID.sub(b"RUN", path.read_bytes())


def _audit(cli, provider: Path, out: Path, store: Path, *extra) -> dict:
    code, _, err = cli(*audit_args(provider, out, store, *extra))
    assert code in (0, 10), err
    return _manifest(out)


@pytest.fixture
def provider(small_provider, tmp_path) -> Path:
    """A private copy of the small provider, safe to edit."""
    return Path(shutil.copytree(small_provider, tmp_path / "provider"))


def test_a_second_run_over_the_same_files_reuses_the_answer_and_writes_the_same_outputs(
    provider, tmp_path, cli
):
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    assert first["reuse"]["reused_from"] is None and first["reuse"]["bundle"]
    assert first["reuse"]["reason"] == "no earlier run in the store"
    assert (tmp_path / "cases.db.reuse" / first["run_id"] / "bundle.json").is_file()

    code, out, _ = cli(*audit_args(provider, tmp_path / "o2", store))
    second = _manifest(tmp_path / "o2")
    assert code == 0  # nothing new: every case is unchanged
    assert second["reuse"]["reused_from"] == first["run_id"]
    assert second["reuse"]["bundle"] == first["reuse"]["bundle"]
    assert f"answer reused from run {first['run_id']}" in out
    assert not any(stage.startswith("features") for stage in second["stages"])
    assert second["changes"]["counts"]["unchanged"] == second["counts"]["cases"] > 0
    assert second["counts"] == {**first["counts"]}
    with sqlite3.connect(store) as conn:  # its search words are the first run's, named by it
        words = conn.execute("SELECT run_id, COUNT(*) FROM case_search_terms GROUP BY run_id")
        assert [row[0] for row in words] == [first["run_id"]]
        named = conn.execute("SELECT run_id, terms_run_id FROM case_search_runs").fetchall()
        assert named == [(second["run_id"], first["run_id"])]
        # Its cases as its cases.jsonl has them: lines spliced from the bundle's (reuse.lines).
        stored = conn.execute(
            "SELECT record FROM case_snapshots WHERE run_id = ? ORDER BY rank", (second["run_id"],)
        ).fetchall()
    lines = (tmp_path / "o2" / "cases.jsonl").read_text().splitlines()
    assert [row[0] for row in stored] == lines
    assert all(json.loads(line)["run_id"] == second["run_id"] for line in lines)

    # A computed run over the same files: the same outputs, bar run ids.
    folder = tmp_path / "cases.db.reuse"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # the answer holds tenant names
    assert stat.S_IMODE((folder / first["run_id"]).stat().st_mode) == 0o700
    computed = _audit(cli, provider, tmp_path / "o3", store, "--no-reuse")
    assert computed["reuse"]["reused_from"] is None
    assert "turned off" in computed["reuse"]["reason"]
    assert list(folder.iterdir()) == []  # reuse off: no answer is kept beside the store
    for name in SAME_BYTES:
        assert (tmp_path / "o2" / name).read_bytes() == (tmp_path / "o3" / name).read_bytes(), name
    assert _masked(tmp_path / "o2" / "cases.jsonl") == _masked(tmp_path / "o3" / "cases.jsonl")
    reused_md = _masked(tmp_path / "o2" / "report.md").decode()
    computed_md = _masked(tmp_path / "o3" / "report.md").decode()
    said = re.search(r"Nothing this run reads changed since run `RUN`.*\n\n", reused_md)
    assert said and reused_md.replace(said.group(0), "") == computed_md
    for key in ("inputs", "lists", "ownership", "excluded_rows", "unavailable_features", "counts"):
        assert second[key] == computed[key], key


def test_a_reused_run_copies_the_answers_own_reports_and_renders_an_edited_one_again(
    provider, tmp_path, cli, monkeypatch
):
    from auditor.report import tables, write
    from auditor.reuse.bundle import KEPT_OUTPUTS, REUSABLE_OUTPUTS

    store, out = tmp_path / "cases.db", tmp_path / "out"
    first = _audit(cli, provider, out, store)
    kept = tmp_path / "cases.db.reuse" / first["run_id"] / "outputs"
    assert sorted(p.name for p in kept.iterdir()) == sorted(KEPT_OUTPUTS)
    assert (kept / "hits.csv").stat().st_ino == (
        out / "hits.csv"
    ).stat().st_ino  # linked, not copied
    original = {name: (out / name).read_bytes() for name in REUSABLE_OUTPUTS}

    def never(records, result):
        raise AssertionError("a reused run rendered a report its answer kept")

    for name in REUSABLE_OUTPUTS:
        monkeypatch.setitem(write.RENDERERS, name, never)
    # The case table is the kept cases.parquet with this run's changes, not built from records.
    monkeypatch.setattr(tables._cases_of_run, "build", lambda records: never(records, None))
    second = _audit(cli, provider, out, store)  # `out` replaced: the kept files outlive it
    assert second["reuse"]["reused_from"] == first["run_id"]
    assert {name: (out / name).read_bytes() for name in REUSABLE_OUTPUTS} == original
    linked = out / "hits.csv"
    assert linked.stat().st_ino == (kept / "hits.csv").stat().st_ino  # linked again, not copied
    assert stat.S_IMODE(linked.stat().st_mode) == 0o600

    # A kept file changed since (its link edited in place) is rendered again; the rest are copied.
    with open(kept / "hits.csv", "ab") as handle:
        handle.write(b"edited,by,hand\n")
    monkeypatch.undo()
    for name in set(REUSABLE_OUTPUTS) - {"hits.csv"}:
        monkeypatch.setitem(write.RENDERERS, name, never)
    third = _audit(cli, provider, out, store)
    assert third["reuse"]["reused_from"] == first["run_id"]
    assert (out / "hits.csv").read_bytes() == original["hits.csv"]


def test_a_third_run_reuses_the_same_bundle_and_later_runs_keep_only_the_latest(
    provider, tmp_path, cli
):
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    second = _audit(cli, provider, tmp_path / "o2", store)
    third = _audit(cli, provider, tmp_path / "o3", store)
    assert second["reuse"]["reused_from"] == third["reuse"]["reused_from"] == first["run_id"]
    assert third["reuse"]["bundle_run"] == first["run_id"]
    folders = lambda: sorted(p.name for p in (tmp_path / "cases.db.reuse").iterdir())  # noqa: E731
    assert folders() == [first["run_id"]]

    with open(provider / "usage.csv", "a") as handle:  # one more row: the answer is computed anew
        last = (provider / "usage.csv").read_text().splitlines()[-1].split(",")
        last[0] = last[0] + "-again"
        handle.write(",".join(last) + "\n")
    fourth = _audit(cli, provider, tmp_path / "o4", store)
    assert fourth["reuse"]["reused_from"] is None
    assert fourth["reuse"]["reason"] == f"changed since the last run ({third['run_id']}): usage"
    assert folders() == [fourth["run_id"]]


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ("tenants", "tenants"),
        ("lists", "lists[0]"),
        ("setting", "settings"),
        ("rules", "rules"),
    ],
)
def test_any_changed_part_is_named_and_computed(provider, tmp_path, cli, change, part):
    store = tmp_path / "cases.db"
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parents[2] / "rules", rules)
    extra = ["--rules", rules]
    first = _audit(cli, provider, tmp_path / "o1", store, *extra)
    if change == "tenants":
        text = (provider / "tenants.csv").read_text()
        (provider / "tenants.csv").write_text(text.replace(" Inc.", " Inc", 1))
    elif change == "lists":
        path = provider / "lists" / "restricted-parties.csv"
        lines = path.read_text().splitlines()
        (path).write_text("\n".join([*lines, lines[-1].replace('"', '"x', 2)]) + "\n")
    elif change == "setting":
        extra += ["--max-link-group", "40"]
    else:
        some_rule = sorted(rules.rglob("*.yaml"))[0]
        some_rule.write_text(some_rule.read_text() + "\n# edited\n")
    second = _audit(cli, provider, tmp_path / "o2", store, *extra)
    assert second["reuse"]["reused_from"] is None
    assert second["reuse"]["reason"] == f"changed since the last run ({first['run_id']}): {part}"
    assert "features.usage" in second["stages"]


@pytest.mark.parametrize("damage", ["table", "manifest", "gone"])
def test_an_edited_or_missing_bundle_is_not_loaded(provider, tmp_path, cli, damage):
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    folder = tmp_path / "cases.db.reuse" / first["run_id"]
    if damage == "table":
        cases = folder / "cases.arrow"
        cases.write_bytes(cases.read_bytes()[:-8] + b"\0" * 8)
        expected = "cases.arrow was changed after its run wrote it"
    elif damage == "manifest":
        manifest = json.loads((folder / "bundle.json").read_text())
        manifest["run_id"] = "someone-else"
        (folder / "bundle.json").write_text(json.dumps(manifest))
        expected = "is not the one the store recorded for its run"
    else:
        shutil.rmtree(folder)
        expected = "cannot be read"
    second = _audit(cli, provider, tmp_path / "o2", store)
    assert second["reuse"]["reused_from"] is None
    assert expected in second["reuse"]["reason"]
    assert (
        second["reuse"]["bundle"]
        and second["reuse"]["bundle"] != first["reuse"]["bundle"]
        or (damage != "manifest")
    )
    assert second["counts"]["cases"] == first["counts"]["cases"]
    assert _masked(tmp_path / "o1" / "hits.csv") == _masked(tmp_path / "o2" / "hits.csv")


def test_a_dismissal_made_between_two_runs_is_applied_to_the_reused_answer(provider, tmp_path, cli):
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    case_id = json.loads((tmp_path / "o1" / "cases.jsonl").read_text().splitlines()[0])["case_id"]
    code, _, err = cli(
        "cases", "decide", case_id, "--store", store, "--by", "analyst", "--status", "dismissed",
        "--reason", "known research lab", "--until", "2999-01-01",
    )  # fmt: skip
    assert code == 0, err
    second = _audit(cli, provider, tmp_path / "o2", store)
    assert second["reuse"]["reused_from"] == first["run_id"]
    assert second["changes"]["counts"]["suppressed"] == 1
    record = next(
        json.loads(line)
        for line in (tmp_path / "o2" / "cases.jsonl").read_text().splitlines()
        if json.loads(line)["case_id"] == case_id
    )
    assert record["run_id"] == second["run_id"]
    assert record["change"]["suppressed"] is True


def test_rows_dated_in_the_future_keep_the_answer_from_being_reused(provider, tmp_path, cli):
    lines = (provider / "usage.csv").read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("start")] = "2999-01-01T00:00:00Z"
    row[header.index("end")] = "2999-01-02T00:00:00Z"
    (provider / "usage.csv").write_text("\n".join([*lines, ",".join(row)]) + "\n")
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    assert first["reuse"]["bundle"] is None
    assert "dated in the future" in first["reuse"]["reason"]
    second = _audit(cli, provider, tmp_path / "o2", store)
    assert second["reuse"]["reused_from"] is None
    assert "left no answer to reuse" in second["reuse"]["reason"]
    assert not any((tmp_path / "cases.db.reuse").glob("*"))


def test_no_store_and_reuse_off_keep_no_bundle(provider, tmp_path, cli):
    code, _, err = cli(*audit_args(provider, tmp_path / "o1", tmp_path / "cases.db")[:-2])
    assert code == 0, err
    assert _manifest(tmp_path / "o1")["reuse"]["reason"].startswith("no case store")
    config = tmp_path / "audit.yaml"
    config.write_text("reuse: false\n")
    manifest = _audit(cli, provider, tmp_path / "o2", tmp_path / "cases.db", "--config", config)
    assert manifest["reuse"]["fingerprint"] is None
    assert not (tmp_path / "cases.db.reuse").exists()


def test_a_reuse_cache_setting_puts_the_bundles_there(provider, tmp_path, cli):
    config = tmp_path / "audit.yaml"
    config.write_text("reuse_cache: answers\n")  # relative to the config file
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store, "--config", config)
    assert (tmp_path / "answers" / first["run_id"] / "bundle.json").is_file()
    second = _audit(cli, provider, tmp_path / "o2", store, "--config", config)
    assert second["reuse"]["reused_from"] == first["run_id"]


def test_a_postgresql_store_reuses_only_with_a_reuse_cache_folder(
    provider, pg_server, tmp_path, cli
):
    url = pg_server.create_database()
    try:
        first = _audit(cli, provider, tmp_path / "o1", url)
        assert first["reuse"]["fingerprint"] is None
        assert "set `reuse_cache:`" in first["reuse"]["reason"]
        config = tmp_path / "audit.yaml"
        config.write_text(f"reuse_cache: {tmp_path / 'answers'}\n")
        second = _audit(cli, provider, tmp_path / "o2", url, "--config", config)
        assert second["reuse"]["reused_from"] is None and second["reuse"]["bundle"]
        third = _audit(cli, provider, tmp_path / "o3", url, "--config", config)
        assert third["reuse"]["reused_from"] == second["run_id"]
        assert third["changes"]["counts"]["unchanged"] == third["counts"]["cases"] > 0
        assert (tmp_path / "o2" / "hits.csv").read_bytes() == (
            tmp_path / "o3" / "hits.csv"
        ).read_bytes()
    finally:
        pg_server.drop_database(url)


def test_an_allowlist_added_after_the_run_applies_to_the_reused_answer(provider, tmp_path, cli):
    from datetime import date, timedelta

    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    case = json.loads((tmp_path / "o1" / "cases.jsonl").read_text().splitlines()[0])
    allowlist = tmp_path / "allowlist.yaml"
    today = date.today()
    allowlist.write_text(
        "entries:\n"
        "  - id: vetted\n"
        f"    tenants: [{', '.join(case['tenant_ids'])}]\n"
        "    reason: reviewed lab\n"
        "    owner: ana@provider.example\n"
        f"    created: {today - timedelta(days=1)}\n"
        f"    expires: {today + timedelta(days=30)}\n"
    )
    config = tmp_path / "audit.yaml"
    config.write_text(f"allowlist: {allowlist.name}\n")
    second = _audit(cli, provider, tmp_path / "o2", store, "--config", config)
    assert second["reuse"]["reused_from"] == first["run_id"]  # the allowlist is not in the answer
    records = {
        r["case_id"]: r
        for r in map(json.loads, (tmp_path / "o2" / "cases.jsonl").read_text().splitlines())
    }
    assert records[case["case_id"]]["suppressed_by"] == ["vetted"]
    assert all(r["suppressed_by"] == [] for k, r in records.items() if k != case["case_id"])
    _audit(cli, provider, tmp_path / "o3", store, "--config", config, "--no-reuse")
    assert _masked(tmp_path / "o2" / "cases.jsonl") == _masked(tmp_path / "o3" / "cases.jsonl")


def test_a_bundle_no_committed_run_names_is_removed_by_the_next_commit(provider, tmp_path, cli):
    store = tmp_path / "cases.db"
    first = _audit(cli, provider, tmp_path / "o1", store)
    orphan = (
        tmp_path / "cases.db.reuse" / "20990101T000000Z-dead00"
    )  # a run killed before its commit
    orphan.mkdir()
    (orphan / "bundle.json").write_text("{}")
    second = _audit(cli, provider, tmp_path / "o2", store)
    assert second["reuse"]["reused_from"] == first["run_id"]
    assert sorted(p.name for p in (tmp_path / "cases.db.reuse").iterdir()) == [first["run_id"]]


def test_a_bundle_that_cannot_be_written_leaves_the_run_committed_and_says_why(
    provider, tmp_path, cli
):
    store = tmp_path / "cases.db"
    (tmp_path / "cases.db.reuse").write_text("not a folder")  # where the bundles would go
    first = _audit(cli, provider, tmp_path / "o1", store)
    assert first["reuse"]["bundle"] is None
    assert "could not be kept for the next run" in first["reuse"]["reason"]
    assert first["counts"]["cases"] > 0
    second = _audit(cli, provider, tmp_path / "o2", store)
    assert second["reuse"]["reused_from"] is None
    assert second["changes"]["previous_run_id"] == first["run_id"]  # the first run was committed
    assert "left no answer to reuse" in second["reuse"]["reason"]
