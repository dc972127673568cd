"""`auditor audit --config examples/audit.yaml --engine spark` writes the cases the default engine writes."""

from __future__ import annotations

import json

import pytest

from auditor_testkit import EXAMPLES

CONFIG = EXAMPLES / "audit.yaml"
RUN_FIELDS = ("run_id",)  # differ between any two runs; everything else must not


def _cases(folder):
    lines = (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in RUN_FIELDS} for line in lines]


@pytest.fixture(scope="module")
def outputs(spark, tmp_path_factory):
    from auditor.cli.main import main

    polars_out = tmp_path_factory.mktemp("polars")
    spark_out = tmp_path_factory.mktemp("spark")
    assert main(["audit", "--config", str(CONFIG), "--out", str(polars_out)]) == 0
    assert (
        main(["audit", "--config", str(CONFIG), "--out", str(spark_out), "--engine", "spark"]) == 0
    )
    return polars_out, spark_out


def test_the_example_provider_gives_the_same_cases_on_spark(outputs):
    polars_out, spark_out = outputs
    on_polars, on_spark = _cases(polars_out), _cases(spark_out)
    assert len(on_polars) > 20
    for a, b in zip(on_polars, on_spark):
        assert a == b, f"case {a['case_id']} differs"
    assert len(on_polars) == len(on_spark)


def test_run_json_records_the_same_inputs_and_exclusions(outputs):
    polars_out, spark_out = outputs
    a, b = (json.loads((out / "run.json").read_text()) for out in outputs)
    for key in (
        "inputs",
        "excluded_rows",
        "unknown_instance_types",
        "counts",
        "unavailable_features",
    ):
        assert a[key] == b[key], key


def test_strict_mode_names_the_rows_of_unknown_types_on_spark(spark, tmp_path, capsys):
    from auditor.cli.main import main

    usage = tmp_path / "usage.csv"
    usage.write_text(
        "tenant_id,instance_type,start,end\n"
        "t1,m5.large,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z\n"
        "t1,p9.48xlarge,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z\n",
        encoding="utf-8",
    )
    tenants = tmp_path / "tenants.csv"
    tenants.write_text("tenant_id,legal_name\nt1,One Ltd\n", encoding="utf-8")
    code = main(
        [
            "audit",
            "--tenants",
            str(tenants),
            "--usage",
            str(usage),
            "--out",
            str(tmp_path / "out"),
            "--unknown-instance-types",
            "error",
            "--engine",
            "spark",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "p9.48xlarge" in err
