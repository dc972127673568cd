"""Starts (or joins) the Spark session an audit runs on, with the settings its answers depend on.

The session's time zone is always UTC: the usage windows are instants, and a cluster whose
default zone is local time would otherwise shift every naive timestamp it parses.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any

from auditor.errors import ConfigError
from auditor.spark.settings import EngineConfig

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Settings the answers depend on; the user's `conf:` may not change them.
REQUIRED_CONF = {"spark.sql.session.timeZone": "UTC"}
# A session this process starts on its own machine stays small and quiet.
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "2g",
}


def require_pyspark() -> Any:
    """The pyspark.sql module, or a clear error naming the extra and Java when they are missing."""
    try:
        from pyspark import sql
    except ImportError:
        raise ConfigError(
            "the Spark engine needs pyspark: pip install 'auditor[spark]' (or run on a cluster that has it)"
        ) from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ConfigError(
            "the Spark engine needs Java 17 (java on PATH or JAVA_HOME); on Debian: apt-get install openjdk-17-jre-headless"
        )
    return sql


def spark_session(settings: EngineConfig) -> SparkSession:
    """The active session (spark-submit, a notebook) or a new one on `settings.master`."""
    sql = require_pyspark()
    active = sql.SparkSession.getActiveSession()
    if active is not None and settings.master is None:
        session = active
    else:
        builder = sql.SparkSession.builder.appName("auditor")
        local = settings.master is None or settings.master.startswith("local")
        conf = {**(LOCAL_DEFAULTS if local else {}), **settings.conf, **REQUIRED_CONF}
        if settings.master is not None:
            builder = builder.master(settings.master)
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
    for key, value in REQUIRED_CONF.items():
        session.conf.set(key, value)
    return session
