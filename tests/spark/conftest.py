"""One local[2] Spark session for every Spark test, or a stated skip (a failure under CI=true)."""

from __future__ import annotations

import os
import shutil

import pytest


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'auditor[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "Java is not installed (Debian: apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    """A small, quiet session: two cores, few shuffle partitions, no UI; stopped after the run."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"Spark tests need pyspark and Java: {missing}; under CI they must run",
                pytrace=False,
            )
        pytest.skip(f"Spark tests skipped: {missing}")
    from auditor.spark.session import spark_session
    from auditor.spark.settings import EngineConfig

    session = spark_session(
        EngineConfig(
            name="spark",
            master="local[2]",
            conf={"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"},
        )
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/spark/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.spark)
