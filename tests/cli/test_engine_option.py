"""The engine setting: `engine:` in the config and --engine/--spark-master, checked before any data is read."""

from __future__ import annotations

import sys

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor_testkit import EXAMPLES, assert_no_traceback, run_cli


def test_polars_is_the_default_engine():
    config = load_config(EXAMPLES / "audit.yaml")
    assert config.engine.name == "polars" and config.engine.master is None


def test_the_engine_section_is_read_strictly(tmp_path):
    path = tmp_path / "audit.yaml"
    path.write_text(
        "tenants: t.csv\nengine:\n  name: spark\n  master: local[2]\n  conf: {spark.executor.memory: 2g}\n",
        encoding="utf-8",
    )
    engine = load_config(path).engine
    assert (engine.name, engine.master, engine.conf) == (
        "spark",
        "local[2]",
        {"spark.executor.memory": "2g"},
    )
    path.write_text("tenants: t.csv\nengine:\n  name: dask\n  mastr: x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    text = str(refused.value)
    assert "audit.yaml:3" in text and "engine.name" in text
    assert "audit.yaml:4" in text and "engine.mastr" in text and "unknown setting" in text


def test_a_spark_master_without_the_spark_engine_is_refused(capsys, tmp_path):
    code, _, err = run_cli(
        [
            "audit",
            "--config",
            EXAMPLES / "audit.yaml",
            "--out",
            tmp_path,
            "--spark-master",
            "local[2]",
        ],
        capsys,
    )
    assert code == 2 and "--spark-master" in err and "--engine spark" in err
    assert_no_traceback(err)


def test_the_spark_engine_refuses_a_snapshot(capsys, tmp_path):
    code, _, err = run_cli(
        ["audit", "--snapshot", tmp_path, "--out", tmp_path / "out", "--engine", "spark"], capsys
    )
    assert code == 2 and "Spark engine" in err and "snapshot" in err
    assert_no_traceback(err)


def test_without_pyspark_the_error_names_the_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    code, _, err = run_cli(
        ["audit", "--config", EXAMPLES / "audit.yaml", "--out", tmp_path, "--engine", "spark"],
        capsys,
    )
    assert code == 2 and "auditor[spark]" in err
    assert_no_traceback(err)
