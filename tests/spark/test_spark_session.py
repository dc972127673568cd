"""spark_session: when it joins the running session and when it builds one, and what it sets.

Building a session is what is tested here, so most tests hand `spark_session` a stand-in for
`pyspark.sql` that records what the builder was told (no JVM); one test joins the real
session the other Spark tests share and puts it back as it was.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from auditor.spark import session as session_module
from auditor.spark.session import LOCAL_DEFAULTS, REQUIRED_CONF, spark_session
from auditor.spark.settings import EngineConfig

TIME_ZONE = "spark.sql.session.timeZone"


class RecordedSession:
    """A session whose runtime settings are a dict."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = dict(settings or {})
        self.conf = SimpleNamespace(set=self.settings.__setitem__)


class RecordingBuilder:
    """Records appName/master/config and hands back `built` from getOrCreate."""

    def __init__(self, built: RecordedSession) -> None:
        self.built = built
        self.calls: dict[str, Any] = {"conf": {}}

    def appName(self, name: str) -> RecordingBuilder:  # noqa: N802 - pyspark's name
        self.calls["app"] = name
        return self

    def master(self, master: str) -> RecordingBuilder:
        self.calls["master"] = master
        return self

    def config(self, key: str, value: str) -> RecordingBuilder:
        self.calls["conf"][key] = value
        return self

    def getOrCreate(self) -> RecordedSession:  # noqa: N802 - pyspark's name
        self.calls["created"] = True
        self.built.settings.update(self.calls["conf"])
        return self.built


@pytest.fixture
def fake_pyspark(monkeypatch):
    """install(active) -> (builder, built session): `active` is the running session or None."""

    def install(active: RecordedSession | None) -> tuple[RecordingBuilder, RecordedSession]:
        built = RecordedSession()
        builder = RecordingBuilder(built)
        sql = SimpleNamespace(
            SparkSession=SimpleNamespace(builder=builder, getActiveSession=lambda: active)
        )
        monkeypatch.setattr(session_module, "require_pyspark", lambda: sql)
        return builder, built

    return install


def test_a_running_session_is_joined_as_it_is_but_for_the_time_zone(fake_pyspark):
    """spark-submit or a notebook started the session: its settings are the user's, so `conf:`
    is not pushed onto it and no builder runs -- only the time zone the answers need is set."""
    active = RecordedSession({TIME_ZONE: "Europe/Oslo", "spark.sql.shuffle.partitions": "200"})
    builder, _ = fake_pyspark(active)
    got = spark_session(EngineConfig(name="spark", conf={"spark.sql.shuffle.partitions": "64"}))
    assert got is active
    assert active.settings == {TIME_ZONE: "UTC", "spark.sql.shuffle.partitions": "200"}
    assert builder.calls == {"conf": {}}  # the builder was never touched


def test_without_a_running_session_or_a_master_a_quiet_local_session_is_built(fake_pyspark):
    """No session and no master: Spark's own default master (local), with the small-and-quiet
    local defaults, the user's settings over them, and UTC over everything (a `conf:` time
    zone cannot win). No master is passed to the builder, so Spark picks its default."""
    builder, built = fake_pyspark(None)
    user = {"spark.sql.shuffle.partitions": "3", TIME_ZONE: "Asia/Tokyo", "spark.x": "1"}
    got = spark_session(EngineConfig(name="spark", conf=user))
    assert got is built and builder.calls["created"]
    assert "master" not in builder.calls
    assert builder.calls["app"] == "auditor"
    assert builder.calls["conf"] == {
        **LOCAL_DEFAULTS,
        "spark.sql.shuffle.partitions": "3",
        "spark.x": "1",
        **REQUIRED_CONF,
    }
    assert built.settings[TIME_ZONE] == "UTC"


@pytest.mark.parametrize("running", [False, True])
def test_a_local_master_builds_its_own_session_with_the_local_defaults(fake_pyspark, running):
    """A master given is a request for that session, running session or not: the builder gets
    the master, and a local one gets the local defaults (it runs on this machine)."""
    active = RecordedSession({TIME_ZONE: "UTC"}) if running else None
    builder, built = fake_pyspark(active)
    got = spark_session(EngineConfig(name="spark", master="local[4]"))
    assert got is built
    assert builder.calls["master"] == "local[4]"
    assert builder.calls["conf"] == {**LOCAL_DEFAULTS, **REQUIRED_CONF}


def test_a_cluster_master_gets_no_local_defaults(fake_pyspark):
    """On a cluster the driver's memory, the UI and the shuffle width are the cluster's to set:
    only the user's settings and UTC are passed."""
    builder, built = fake_pyspark(None)
    settings = EngineConfig(
        name="spark", master="spark://head:7077", conf={"spark.executor.memory": "8g"}
    )
    assert spark_session(settings) is built
    assert builder.calls["master"] == "spark://head:7077"
    assert builder.calls["conf"] == {"spark.executor.memory": "8g", **REQUIRED_CONF}
    assert not set(LOCAL_DEFAULTS) & set(builder.calls["conf"])


def test_the_shared_session_is_joined_unchanged_and_put_back_in_utc(spark):
    """On a real JVM: the session the other tests share is the active one; joining it without a
    master keeps its settings (the `conf:` given is not applied) and restores UTC."""
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set(TIME_ZONE, "Europe/Oslo")
    try:
        joined = spark_session(
            EngineConfig(name="spark", conf={"spark.sql.shuffle.partitions": "64"})
        )
        assert joined.sparkContext is spark.sparkContext
        assert joined.conf.get("spark.sql.shuffle.partitions") == before != "64"
        assert spark.conf.get(TIME_ZONE) == "UTC"
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)
        spark.conf.set(TIME_ZONE, "UTC")
