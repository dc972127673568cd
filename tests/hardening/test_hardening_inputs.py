"""Input rows that would change the answer with exit 0, and files that crashed: each class, both sides of its boundary."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from auditor.config import AuditConfig
from auditor.model.badrows import FUTURE_TOLERANCE
from auditor.model.inputs import from_frames, load_inputs
from auditor.model.load import MAX_CELL_BYTES, MAX_LIST_ITEMS
from auditor.model.schema import MAX_ACCELERATORS_PER_INSTANCE
from auditor.run import audit, default_as_of
from auditor_testkit import assert_no_traceback

TENANTS = "tenant_id,legal_name,hq_country\nt1,Acme Compute Ltd,CN\nt2,Bravo Labs GmbH,DE\n"
USAGE_HEADER = "tenant_id,provider,region,instance_id,instance_type,start,end\n"
# t1 runs one 8-GPU p5.48xlarge (8 H100) for 10 hours; t2 runs it for 1 hour, a month later.
USAGE_OK = USAGE_HEADER + (
    "t1,aws,us-east-1,i-1,p5.48xlarge,2026-09-01T00:00:00Z,2026-09-01T10:00:00Z\n"
    "t2,aws,us-east-1,i-2,p5.48xlarge,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z\n"
)
ACCESS_OK = "tenant_id,timestamp,ip_country\nt1,2026-10-01T02:00:00Z,CN\n"
LATEST_OK = datetime(2026, 10, 1, 2, tzinfo=timezone.utc)


def files(
    tmp_path: Path, usage: str = USAGE_OK, access: str = ACCESS_OK, tenants: str = TENANTS
) -> dict[str, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in (("tenants", tenants), ("usage", usage), ("access", access)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text)
    return paths


def run(tmp_path: Path, **texts: str):
    paths = files(tmp_path, **texts)
    return audit(
        AuditConfig(tenants=paths["tenants"], usage=paths["usage"], access=paths["access"])
    )


def tenant_row(result, tenant_id: str) -> dict:
    return result.features.frame.filter(pl.col("tenant_id") == tenant_id).to_dicts()[0]


# --- future-dated events ------------------------------------------------------------------


@pytest.mark.parametrize("when", ["2099-01-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_future_usage_row_does_not_move_the_default_as_of(tmp_path, when):
    clean = run(tmp_path / "clean")
    bad = run(tmp_path / "bad", usage=USAGE_OK + f"t2,aws,us-east-1,i-9,p5.48xlarge,{when},\n")
    assert clean.as_of == bad.as_of == LATEST_OK
    assert (
        tenant_row(bad, "t1")["restricted_gpu_hours_90d"]
        == tenant_row(clean, "t1")["restricted_gpu_hours_90d"]
        == 80.0
    )
    [excluded] = bad.inputs.exclusions
    assert (excluded.table, excluded.reason, excluded.rows) == ("usage", "future_event", 1)
    assert excluded.examples[0]["row"] == 4 and excluded.examples[0]["instance_id"] == "i-9"


def test_future_end_and_future_sign_in_are_excluded_too(tmp_path):
    result = run(
        tmp_path,
        usage=USAGE_OK
        + "t2,aws,us-east-1,i-9,p5.48xlarge,2026-10-01T00:00:00Z,2099-01-01T00:00:00Z\n",
        access=ACCESS_OK + "t1,2099-05-05T00:00:00Z,CN\n",
    )
    assert result.as_of == LATEST_OK
    assert sorted((e.table, e.rows) for e in result.inputs.exclusions) == [
        ("access", 1),
        ("usage", 1),
    ]


def test_an_event_within_the_tolerance_of_the_clock_is_kept(tmp_path):
    """The other side of the boundary: an hour ahead of the clock is skew, not a bad row."""
    soon = (datetime.now(timezone.utc) + timedelta(hours=1)).replace(microsecond=0)
    result = run(tmp_path, access=ACCESS_OK + f"t1,{soon.isoformat()},CN\n")
    assert result.inputs.exclusions == ()
    assert result.as_of == soon


def test_collection_time_is_the_reference_for_collected_data():
    """A snapshot collected on 1 Oct cannot hold a run that starts on 20 Oct, though the clock is later."""
    collected = datetime(2026, 10, 1, tzinfo=timezone.utc)
    usage = pl.DataFrame(
        {
            "tenant_id": ["t1", "t1"],
            "instance_id": ["i-1", "i-2"],
            "instance_type": ["p5.48xlarge"] * 2,
            "start": [
                collected - timedelta(days=2),
                collected + FUTURE_TOLERANCE + timedelta(days=19),
            ],
            "end": [collected - timedelta(days=1), None],
        },
        schema_overrides={"start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")},
    )
    tenants = pl.DataFrame({"tenant_id": ["t1"], "legal_name": ["Acme"]})
    inputs = from_frames(tenants, usage, None, observed_at=collected)
    assert [e.reason for e in inputs.exclusions] == ["future_event"]
    assert inputs.usage.collect()["instance_id"].to_list() == ["i-1"]
    assert default_as_of(inputs, collected) == collected


def test_a_collection_time_in_the_future_is_not_the_clock():
    tenants = pl.DataFrame({"tenant_id": ["t1"], "legal_name": ["Acme"]})
    usage = pl.DataFrame(
        {
            "tenant_id": ["t1"],
            "instance_type": ["p5.48xlarge"],
            "start": [LATEST_OK],
            "end": [LATEST_OK],
        },
        schema_overrides={"start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")},
    )
    inputs = from_frames(tenants, usage, None)
    assert default_as_of(inputs, datetime(2099, 1, 1, tzinfo=timezone.utc)) == LATEST_OK


def test_exclusions_are_shown_in_run_json_the_report_and_the_summary(tmp_path, cli):
    paths = files(
        tmp_path, usage=USAGE_OK + "t2,aws,us-east-1,i-9,p5.48xlarge,2099-01-01T00:00:00Z,\n"
    )
    code, out, err = cli(
        "audit", "--tenants", paths["tenants"], "--usage", paths["usage"], "--out", tmp_path / "out"
    )
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    [excluded] = manifest["excluded_rows"]
    assert (
        excluded["reason"] == "future_event"
        and excluded["rows"] == 1
        and excluded["examples"][0]["row"] == 4
    )
    assert "EXCLUDED: 1 usage row(s) (future_event)" in err and "first rows: 4" in err
    report = (tmp_path / "out" / "report.md").read_text()
    assert "1 input row(s) set aside" in report and "(first: row 4 of" in report


# --- duplicates and runs that end before they start ----------------------------------------


def test_the_same_run_twice_is_counted_once(tmp_path):
    clean = run(tmp_path / "clean")
    doubled = run(tmp_path / "doubled", usage=USAGE_OK + USAGE_OK.splitlines()[1] + "\n")
    for column in ("restricted_gpu_hours_90d", "peak_restricted_gpus"):
        assert tenant_row(doubled, "t1")[column] == tenant_row(clean, "t1")[column]
    assert tenant_row(doubled, "t1")["peak_restricted_gpus"] == 8.0
    [excluded] = doubled.inputs.exclusions
    assert (excluded.reason, excluded.rows, excluded.examples[0]["row"]) == ("duplicate_run", 1, 4)


@pytest.mark.parametrize("rows_per_pass", [1, 2, 3])
def test_the_duplicate_check_finds_a_repeated_run_when_its_hashes_are_sorted_in_partitions(
    monkeypatch, rows_per_pass
):
    """Read once, sorted a partition at a time: a repeated run is found whichever partition it
    lands in, and distinct runs never look repeated."""
    from auditor.model import badrows

    monkeypatch.setattr(badrows, "ROWS_PER_DUPLICATE_PASS", rows_per_pass)
    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    runs = pl.DataFrame(
        {
            "instance_id": [f"i-{n}" for n in range(7)] + [None, None],
            "start": [start + timedelta(hours=n) for n in range(7)] + [start, start],
        }
    )
    assert not badrows._has_duplicates(runs.lazy(), runs.height)
    for repeated in range(7):
        doubled = pl.concat([runs, runs.slice(repeated, 1)])
        assert badrows._has_duplicates(doubled.lazy(), doubled.height)
    assert not badrows._has_duplicates(runs.head(0).lazy(), 0)


def test_two_instances_starting_together_are_not_duplicates(tmp_path):
    """Same start, different instance ids: two runs, 16 GPUs at once."""
    second = "t1,aws,us-east-1,i-1b,p5.48xlarge,2026-09-01T00:00:00Z,2026-09-01T10:00:00Z\n"
    result = run(tmp_path, usage=USAGE_OK + second)
    assert result.inputs.exclusions == ()
    assert tenant_row(result, "t1")["peak_restricted_gpus"] == 16.0


def test_rows_without_instance_id_are_never_merged(tmp_path):
    usage = (
        "tenant_id,instance_type,start,end\n"
        + "t1,p5.48xlarge,2026-09-01T00:00:00Z,2026-09-01T10:00:00Z\n" * 2
    )
    result = run(tmp_path, usage=usage)
    assert result.inputs.exclusions == ()
    assert tenant_row(result, "t1")["restricted_gpu_hours_90d"] == 160.0


def test_end_before_start_is_reported_not_silently_zero(tmp_path):
    result = run(
        tmp_path,
        usage=USAGE_OK
        + "t2,aws,us-east-1,i-7,p5.48xlarge,2026-10-01T05:00:00Z,2026-10-01T04:00:00Z\n",
    )
    [excluded] = result.inputs.exclusions
    assert (excluded.reason, excluded.rows, excluded.examples[0]["row"]) == (
        "end_before_start",
        1,
        4,
    )


def test_a_run_ending_as_it_starts_is_kept(tmp_path):
    result = run(
        tmp_path,
        usage=USAGE_OK
        + "t2,aws,us-east-1,i-7,p5.48xlarge,2026-10-01T05:00:00Z,2026-10-01T05:00:00Z\n",
    )
    assert result.inputs.exclusions == ()


def test_clean_files_pass_through_unchanged(tmp_path):
    paths = files(tmp_path)
    inputs = load_inputs(paths["tenants"], paths["usage"], paths["access"])
    assert inputs.exclusions == ()
    assert inputs.usage.collect().height == 2 and inputs.latest_event == LATEST_OK


# --- empty tables -------------------------------------------------------------------------


@pytest.mark.parametrize("with_store", [False, True])
def test_header_only_tenants_file_is_an_error(tmp_path, cli, with_store):
    paths = files(tmp_path, tenants="tenant_id,legal_name\n")
    extra = ["--store", tmp_path / "s.db"] if with_store else []
    code, out, err = cli(
        "audit",
        "--tenants",
        paths["tenants"],
        "--usage",
        paths["usage"],
        "--out",
        tmp_path / "out",
        *extra,
    )
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    assert "tenants.csv has no rows" in err and "allow_empty_tenants: true" in err


def test_an_expected_empty_tenant_table_is_allowed(tmp_path, cli):
    paths = files(tmp_path, tenants="tenant_id,legal_name\n")
    code, _, err = cli(
        "audit",
        "--tenants",
        paths["tenants"],
        "--usage",
        paths["usage"],
        "--out",
        tmp_path / "out",
        "--allow-empty-tenants",
    )
    assert code == 0, err
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"tenants: {paths['tenants']}\nusage: {paths['usage']}\nout: {tmp_path / 'out2'}\nallow_empty_tenants: true\n"
    )
    code, _, err = cli("audit", "--config", config)
    assert code == 0, err


LIST_HEADER = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n"


@pytest.mark.parametrize(
    "name,text",
    [
        ("header.csv", LIST_HEADER),
        ("results.json", '{"results": []}'),
        ("list.json", "[]"),
        ("lines.jsonl", "\n\n"),
    ],
)
def test_a_list_with_no_entries_is_an_error_not_a_clean_no_hit(tmp_path, cli, name, text):
    paths = files(tmp_path)
    (tmp_path / name).write_text(text)
    code, out, err = cli(
        "audit",
        "--tenants",
        paths["tenants"],
        "--usage",
        paths["usage"],
        "--lists",
        tmp_path / name,
        "--out",
        tmp_path / "out",
    )
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    assert f"{name}: list has no entries" in err
    assert not (tmp_path / "out" / "run.json").exists()


def test_a_list_with_one_entry_screens(tmp_path, cli):
    paths = files(tmp_path)
    row = (
        "e1,Entity List (EL) - Bureau of Industry and Security,,Entity,,Acme Compute Ltd"
        + "," * 23
        + "\n"
    )
    (tmp_path / "one.csv").write_text(LIST_HEADER + row)
    code, _, err = cli(
        "audit",
        "--tenants",
        paths["tenants"],
        "--usage",
        paths["usage"],
        "--lists",
        tmp_path / "one.csv",
        "--out",
        tmp_path / "out",
    )
    assert code == 0, err


# --- accelerator counts -------------------------------------------------------------------

COUNT_HEADER = "tenant_id,instance_type,start,end,accelerator,accelerator_count\n"


@pytest.mark.parametrize(
    "count", ["-5", "-1", str(MAX_ACCELERATORS_PER_INSTANCE + 1), "99999999999"]
)
def test_accelerator_count_outside_the_sane_range_is_located(tmp_path, cli, count):
    usage = (
        COUNT_HEADER
        + f"t1,n1-standard-8,2026-10-01T00:00:00Z,2026-10-01T05:00:00Z,nvidia-tesla-t4,{count}\n"
    )
    paths = files(tmp_path, usage=usage)
    code, out, err = cli(
        "audit", "--tenants", paths["tenants"], "--usage", paths["usage"], "--out", tmp_path / "out"
    )
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    assert (
        f"usage.csv: row 2: column 'accelerator_count': expected a whole number from 0 to {MAX_ACCELERATORS_PER_INSTANCE}, got '{count}'"
        in err
    )


@pytest.mark.parametrize("count", ["0", "1", str(MAX_ACCELERATORS_PER_INSTANCE)])
def test_accelerator_count_inside_the_range_is_accepted(tmp_path, count):
    usage = (
        COUNT_HEADER
        + f"t1,n1-standard-8,2026-10-01T00:00:00Z,2026-10-01T05:00:00Z,nvidia-tesla-t4,{count}\n"
    )
    result = run(tmp_path, usage=usage)
    assert tenant_row(result, "t1")["gpu_hours_90d"] == 5.0 * int(count)


# --- file structure -----------------------------------------------------------------------


def audit_fails(
    tmp_path: Path,
    cli,
    tenants_name: str,
    tenants: str | bytes,
    fragments: list[str],
    lists: Path | None = None,
) -> str:
    path = tmp_path / tenants_name
    path.write_bytes(tenants if isinstance(tenants, bytes) else tenants.encode())
    usage = tmp_path / "usage.csv"
    usage.write_text(USAGE_OK)
    extra = ["--lists", lists] if lists else []
    code, out, err = cli(
        "audit", "--tenants", path, "--usage", usage, "--out", tmp_path / "out", *extra
    )
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    return err


def test_duplicate_csv_column_is_refused_with_its_name(tmp_path, cli):
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        "tenant_id,legal_name,legal_name\nt1,A,B\n",
        ["t.csv:1: column 'legal_name': column name appears more than once"],
    )


def test_duplicate_json_key_is_refused_with_its_line(tmp_path, cli):
    text = '{"tenant_id": "t1", "legal_name": "A"}\n{"tenant_id": "t2", "legal_name": "B", "legal_name": "C"}\n'
    audit_fails(
        tmp_path,
        cli,
        "t.jsonl",
        text,
        ["t.jsonl:2: column 'legal_name': key appears more than once"],
    )


def test_a_key_spelled_inside_a_value_is_not_a_duplicate(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"tenant_id": "t1", "legal_name": "say \\"legal_name\\": twice"}\n')
    usage = tmp_path / "u.csv"
    usage.write_text(USAGE_OK)
    inputs = load_inputs(path, usage)
    assert inputs.tenants["legal_name"].to_list() == ['say "legal_name": twice']


def test_duplicate_parquet_column_is_refused(tmp_path, cli):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array(["t1"]), pa.array(["A"]), pa.array(["B"])],
        names=["tenant_id", "legal_name", "legal_name"],
    )
    pq.write_table(table, tmp_path / "t.parquet")
    path = tmp_path / "t.parquet"
    err = audit_fails(tmp_path, cli, "t.parquet", path.read_bytes(), ["t.parquet", "legal_name"])
    assert "more than once" in err or "duplicate" in err


def test_csv_row_with_more_fields_than_the_header_is_located(tmp_path, cli):
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        "tenant_id,legal_name\nt1,A\nt2,B,extra\n",
        ["t.csv: row 3: row has 3 fields, the header has 2"],
    )


def test_parquet_with_a_corrupt_column_names_the_column(tmp_path, cli):
    frame = pl.DataFrame(
        {
            "tenant_id": [f"t{i}" for i in range(5000)],
            "legal_name": [f"Company number {i} Ltd" for i in range(5000)],
        }
    )
    frame.write_parquet(tmp_path / "good.parquet", compression="zstd", statistics=False)
    data = bytearray((tmp_path / "good.parquet").read_bytes())
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(tmp_path / "good.parquet").metadata
    chunk = meta.row_group(0).column(1)  # legal_name
    near_end = (
        chunk.data_page_offset + chunk.total_compressed_size - 100
    )  # inside the compressed values
    data[near_end : near_end + 8] = b"\xab" * 8
    audit_fails(
        tmp_path,
        cli,
        "t.parquet",
        bytes(data),
        ["t.parquet: column 'legal_name': cannot read as parquet"],
    )


def test_deeply_nested_json_is_located(tmp_path, cli):
    deep = '{"tenant_id": "t1", "legal_name": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    audit_fails(tmp_path, cli, "t.jsonl", deep, ["t.jsonl:1: JSON nested too deeply"])


def test_deeply_nested_json_list_file_is_located(tmp_path, cli):
    lists = tmp_path / "deep.json"
    lists.write_text('{"results": ' + "[" * 100_000 + "]" * 100_000 + "}")
    audit_fails(tmp_path, cli, "t.csv", TENANTS, ["deep.json: JSON nested too deeply"], lists=lists)


def test_duplicate_key_in_a_json_list_entry_is_refused(tmp_path, cli):
    lists = tmp_path / "l.json"
    lists.write_text(
        '{"results": [{"source": "Entity List (EL)", "name": "Acme", "name": "Other"}]}'
    )
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        TENANTS,
        ["l.json: row 1: key 'name' appears more than once"],
        lists=lists,
    )


def test_duplicate_column_in_a_csv_list_is_refused(tmp_path, cli):
    lists = tmp_path / "l.csv"
    lists.write_text("source,name,name\nEntity List (EL),Acme,Other\n")
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        TENANTS,
        ["l.csv:1: column 'name': column name appears more than once"],
        lists=lists,
    )


# --- size caps ----------------------------------------------------------------------------


def test_a_cell_past_the_size_cap_is_located(tmp_path, cli):
    text = "tenant_id,legal_name\nt1,Acme\nt2," + "A" * (MAX_CELL_BYTES + 1) + "\n"
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        text,
        ["t.csv: row 3: column 'legal_name'", f"at most {MAX_CELL_BYTES:,} bytes in one cell"],
    )


def test_a_list_past_the_item_cap_is_located(tmp_path, cli):
    text = (
        "tenant_id,legal_name,aliases\nt1,Acme,"
        + ";".join(f"A{i}" for i in range(MAX_LIST_ITEMS + 1))
        + "\n"
    )
    audit_fails(
        tmp_path,
        cli,
        "t.csv",
        text,
        ["t.csv: row 2: column 'aliases'", f"at most {MAX_LIST_ITEMS:,} items in one list"],
    )


def test_cells_at_the_caps_are_accepted(tmp_path):
    text = (
        "tenant_id,legal_name,aliases\nt1,"
        + "A" * MAX_CELL_BYTES
        + ","
        + ";".join(f"A{i}" for i in range(MAX_LIST_ITEMS))
        + "\n"
    )
    path = tmp_path / "t.csv"
    path.write_text(text)
    usage = tmp_path / "u.csv"
    usage.write_text(USAGE_OK)
    inputs = load_inputs(path, usage)
    assert len(inputs.tenants["aliases"][0]) == MAX_LIST_ITEMS


def test_list_sources_that_select_nothing_are_refused(tmp_path, cli):
    """A typo'd list code would screen against nothing: every screening rule a clean "no hit"."""
    paths = files(tmp_path)
    row = (
        "e1,Entity List (EL) - Bureau of Industry and Security,,Entity,,Acme Compute Ltd"
        + "," * 23
        + "\n"
    )
    (tmp_path / "one.csv").write_text(LIST_HEADER + row)
    config = tmp_path / "audit.yaml"
    base = f"tenants: {paths['tenants']}\nusage: {paths['usage']}\nlists: [{tmp_path / 'one.csv'}]\nout: {tmp_path / 'out'}\n"
    config.write_text(base + "list_sources: [EL, MUE]\n")
    code, out, err = cli("audit", "--config", config)
    assert code == 2, (out, err)
    assert "list_sources: no entries for MUE in the list files; they hold EL" in err
    config.write_text(base + "list_sources: [el]\n")
    code, _, err = cli("audit", "--config", config)
    assert code == 0, err


def test_usage_parquet_with_a_corrupt_column_names_the_column(tmp_path, cli):
    """Usage is streamed: the column that fails is found when the stage reading it fails, not by an extra pass."""
    import pyarrow.parquet as pq

    n = 5000
    frame = pl.DataFrame(
        {
            "tenant_id": ["t1"] * n,
            "region": [f"region-{i % 7}-{i}" for i in range(n)],
            "instance_id": [f"i-{i}" for i in range(n)],
            "instance_type": ["p5.48xlarge"] * n,
            "start": [
                datetime(2026, 9, 1, tzinfo=timezone.utc) + timedelta(hours=i) for i in range(n)
            ],
            "end": [
                datetime(2026, 9, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i) for i in range(n)
            ],
        }
    )
    frame.write_parquet(tmp_path / "good.parquet", compression="zstd", statistics=False)
    data = bytearray((tmp_path / "good.parquet").read_bytes())
    chunk = pq.ParquetFile(tmp_path / "good.parquet").metadata.row_group(0).column(1)  # region
    near_end = chunk.data_page_offset + chunk.total_compressed_size - 100
    data[near_end : near_end + 8] = b"\xab" * 8
    (tmp_path / "usage.parquet").write_bytes(bytes(data))
    (tmp_path / "tenants.csv").write_text(TENANTS)
    code, out, err = cli(
        "audit",
        "--tenants",
        tmp_path / "tenants.csv",
        "--usage",
        tmp_path / "usage.parquet",
        "--out",
        tmp_path / "out",
    )
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    assert "usage.parquet: column 'region': cannot read as parquet" in err
