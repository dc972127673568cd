"""The bad-data catalogue: each mistake in an input file gives file, row, column and expectation, exit 2."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.errors import InputError
from auditor.model.load import load_table
from auditor.model.schema import TENANTS, USAGE
from auditor_testkit import assert_no_traceback

USAGE_OK = "tenant_id,provider,region,instance_type,start,end\nt1,aws,us-east-1,p5.48xlarge,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z\n"
TENANTS_OK = "tenant_id,legal_name,country\nt1,Acme Ltd,US\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


CASES = [
    (
        "missing required column",
        "tenants.csv",
        "tenant_id,country\nt1,US\n",
        "usage.csv",
        USAGE_OK,
        ["tenants.csv:1", "column 'legal_name'", "required column missing"],
    ),
    (
        "bad date in row 3",
        "tenants.csv",
        TENANTS_OK,
        "usage.csv",
        USAGE_OK + "t1,aws,us-east-1,p5.48xlarge,2026-02-30T00:00:00Z,\n",
        [
            "usage.csv: row 3",
            "column 'start'",
            "expected an ISO 8601 date-time",
            "'2026-02-30T00:00:00Z'",
        ],
    ),
    (
        "bad enum",
        "tenants.csv",
        "tenant_id,legal_name,kyc_status\nt1,Acme,maybe\n",
        "usage.csv",
        USAGE_OK,
        [
            "tenants.csv: row 2",
            "column 'kyc_status'",
            "one of verified, pending, unverified",
            "'maybe'",
        ],
    ),
    (
        "bad boolean",
        "tenants.csv",
        "tenant_id,legal_name,is_reseller\nt1,Acme,sometimes\n",
        "usage.csv",
        USAGE_OK,
        ["row 2", "column 'is_reseller'", "true or false"],
    ),
    (
        "empty tenant id",
        "tenants.csv",
        "tenant_id,legal_name\n,Acme\n",
        "usage.csv",
        USAGE_OK,
        ["tenants.csv: row 2", "column 'tenant_id'", "may not be empty"],
    ),
    (
        "duplicate tenant id",
        "tenants.csv",
        TENANTS_OK + "t1,Other,DE\n",
        "usage.csv",
        USAGE_OK,
        ["tenants.csv: row 3", "duplicate value 't1' (first seen at row 2)"],
    ),
    ("empty file", "tenants.csv", "", "usage.csv", USAGE_OK, ["tenants.csv", "file is empty"]),
    (
        "unknown extension",
        "tenants.xlsx",
        "x",
        "usage.csv",
        USAGE_OK,
        ["tenants.xlsx", "cannot tell the file format"],
    ),
    (
        "bad count",
        "tenants.csv",
        TENANTS_OK,
        "usage.csv",
        "tenant_id,instance_type,start,end,accelerator,accelerator_count\nt1,n1-standard-8,2026-10-01,,nvidia-tesla-t4,two\n",
        ["usage.csv: row 2", "column 'accelerator_count'", "a whole number", "'two'"],
    ),
    (
        "broken json line",
        "tenants.csv",
        TENANTS_OK,
        "usage.jsonl",
        '{"tenant_id": "t1", "instance_type": \n',
        ["usage.jsonl:1:", "cannot parse JSON"],
    ),
]


@pytest.mark.parametrize("name,tname,ttext,uname,utext,fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_located_and_exits_2(
    tmp_path, cli, name, tname, ttext, uname, utext, fragments
):
    tenants = write(tmp_path, tname, ttext)
    usage = write(tmp_path, uname, utext)
    code, out, err = cli("audit", "--tenants", tenants, "--usage", usage, "--out", tmp_path / "out")
    assert code == 2, (out, err)
    assert_no_traceback(out + err)
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert not (tmp_path / "out" / "cases.jsonl").exists()


def test_every_bad_value_in_a_file_is_reported(tmp_path):
    path = write(
        tmp_path,
        "t.csv",
        "tenant_id,legal_name,created_at,kyc_status\nt1,A,2026-13-01,verified\nt2,B,2026-01-01,nope\n",
    )
    with pytest.raises(InputError) as caught:
        load_table(path, TENANTS)
    messages = [str(p) for p in caught.value.problems]
    assert any("row 2" in m and "created_at" in m for m in messages)
    assert any("row 3" in m and "kyc_status" in m for m in messages)


def test_formats_agree(tmp_path):
    """CSV with ;-lists, JSON Lines with arrays and Parquet load to the same table."""
    csv = write(
        tmp_path,
        "t.csv",
        'tenant_id,legal_name,aliases,created_at\nt1,Acme,"A1; A2",2026-01-02T03:04:05+02:00\n',
    )
    jsonl = write(
        tmp_path,
        "t.jsonl",
        '{"tenant_id":"t1","legal_name":"Acme","aliases":["A1","A2"],"created_at":"2026-01-02T01:04:05Z"}\n',
    )
    parquet = tmp_path / "t.parquet"
    load_table(jsonl, TENANTS).write_parquet(parquet)
    frames = [load_table(p, TENANTS) for p in (csv, jsonl, parquet)]
    for other in frames[1:]:
        assert frames[0].equals(other)
    assert frames[0]["aliases"].to_list() == [["A1", "A2"]]


def test_running_instance_has_null_end_and_naive_times_are_utc(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        "tenant_id,instance_type,start,end\nt1,p5.48xlarge,2026-10-01 12:00:00,\n",
    )
    usage = load_table(path, USAGE)
    assert usage["end"].to_list() == [None]
    assert usage["start"].dtype == pl.Datetime("us", "UTC")
    assert usage["start"].dt.hour().to_list() == [12]


def test_bad_config_is_located(tmp_path, cli):
    config = write(
        tmp_path,
        "audit.yaml",
        "tenants: t.csv\nusage: u.csv\nout: o\nas_of: yesterday\nthresold: 3\n",
    )
    code, _, err = cli("audit", "--config", config)
    assert code == 2
    assert "audit.yaml:4:8: as_of: expected an ISO 8601 date-time" in err
    assert "audit.yaml:5:1: thresold: unknown setting" in err


def test_unknown_instance_type_is_reported_and_can_fail_the_run(tmp_path, cli):
    import json

    tenants = write(tmp_path, "tenants.csv", TENANTS_OK)
    usage = write(
        tmp_path, "usage.csv", USAGE_OK + "t1,aws,us-east-1,p9.96xlarge,2026-10-01T00:00:00Z,\n"
    )
    code, _, err = cli("audit", "--tenants", tenants, "--usage", usage, "--out", tmp_path / "out")
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert [t["instance_type"] for t in manifest["unknown_instance_types"]] == ["p9.96xlarge"]
    code, out, err = cli(
        "audit",
        "--tenants",
        tenants,
        "--usage",
        usage,
        "--out",
        tmp_path / "strict",
        "--unknown-instance-types",
        "error",
    )
    assert code == 2
    assert_no_traceback(out + err)
    assert (
        "usage.csv: row 3: column 'instance_type': unknown GPU instance type 'p9.96xlarge'" in err
    )
