"""What a path setting names: local paths stay paths, object URLs stay text, bad URLs are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import AuditConfig, load_config
from auditor.errors import ConfigError
from auditor.storage.location import LocationError, ObjectURL, parse_url
from auditor.storage.stores import parse_connection_string


@pytest.mark.parametrize(
    "text, cloud, bucket, key, account",
    [
        ("s3://audit-in/provider/tenants.csv", "s3", "audit-in", "provider/tenants.csv", None),
        ("s3://audit-in", "s3", "audit-in", "", None),
        ("s3://audit-in/runs/", "s3", "audit-in", "runs", None),
        ("gs://lake.example/a/b.parquet", "gcs", "lake.example", "a/b.parquet", None),
        ("az://inputs/t.csv", "azure", "inputs", "t.csv", None),
        (
            "abfss://inputs@acct01.dfs.core.windows.net/dir/t.csv",
            "azure",
            "inputs",
            "dir/t.csv",
            "acct01",
        ),
        ("abfss://inputs@acct01.blob.core.windows.net/t.csv", "azure", "inputs", "t.csv", "acct01"),
        ("S3://audit-in/x", "s3", "audit-in", "x", None),
    ],
)
def test_urls_parse(text, cloud, bucket, key, account):
    url = parse_url(text)
    assert url == ObjectURL(cloud, text.split(":")[0].lower(), bucket, key, account)


@pytest.mark.parametrize(
    "text, says",
    [
        ("ftp://host/file.csv", "'ftp://' is not a storage"),
        ("https://example.invalid/t.csv", "'https://' is not a storage"),
        ("s3://ab/t.csv", "names no valid bucket"),
        ("s3:///t.csv", "names no valid bucket"),
        ("s3://Audit_In/t.csv", "names no valid bucket"),
        ("az://x/t.csv", "names no valid container"),
        ("abfss://inputs/t.csv", "expected abfss://CONTAINER@ACCOUNT"),
        ("s3://audit-in/a/../b", "no empty, '.' or '..' parts"),
        ("s3://audit-in/a//b", "no empty, '.' or '..' parts"),
    ],
)
def test_bad_urls_are_refused_by_name(text, says):
    with pytest.raises(LocationError, match=says.replace("(", r"\(").replace(".", r"\.")):
        parse_url(text)


@pytest.mark.parametrize(
    "text", ["tenants.csv", "/data/t.csv", "C:tenants.csv", "s3:tenants.csv", ""]
)
def test_local_paths_are_not_urls(text):
    assert parse_url(text) is None


def test_url_round_trips_to_text():
    for text in ("s3://audit-in/a/b.csv", "gs://lake/x", "az://inputs/t.csv"):
        assert str(parse_url(text)) == text
    assert str(parse_url("s3://audit-in/runs/").child("run.json")) == "s3://audit-in/runs/run.json"
    assert str(parse_url("s3://audit-in").child("run.json")) == "s3://audit-in/run.json"


def test_config_keeps_urls_as_text_and_resolves_only_local_paths(tmp_path):
    config_file = tmp_path / "audit.yaml"
    config_file.write_text(
        "tenants: s3://audit-in/t.csv\nusage: usage.csv\nlists: [gs://lists/csl.csv, local.csv]\n"
        "out: az://results/run\nsnapshot: null\n"
    )
    config = load_config(config_file)
    assert config.tenants == "s3://audit-in/t.csv"
    assert config.usage == tmp_path / "usage.csv"
    assert config.lists == ["gs://lists/csl.csv", tmp_path / "local.csv"]
    assert config.out == "az://results/run"
    # A dump and re-validation (what CLI overrides do) keeps both kinds.
    again = AuditConfig.model_validate(config.model_dump())
    assert again.tenants == "s3://audit-in/t.csv" and isinstance(again.usage, Path)


def test_config_error_names_the_line_of_a_bad_url(tmp_path):
    config_file = tmp_path / "audit.yaml"
    config_file.write_text("usage: u.csv\ntenants: ftp://host/t.csv\n")
    with pytest.raises(ConfigError) as info:
        load_config(config_file)
    text = str(info.value)
    assert "audit.yaml:2" in text and "'ftp://' is not a storage" in text


def test_store_in_a_bucket_is_refused(tmp_path):
    config_file = tmp_path / "audit.yaml"
    config_file.write_text("store: s3://audit-out/cases.db\n")
    with pytest.raises(ConfigError, match="case store is a local SQLite file"):
        load_config(config_file)
    # Other URL schemes are not ours to refuse (a database URL, for instance).
    assert AuditConfig(store=tmp_path / "cases.db").store == tmp_path / "cases.db"


def test_storage_settings_are_strict(tmp_path):
    config_file = tmp_path / "audit.yaml"
    config_file.write_text("storage:\n  s3:\n    endpoint_url: http://127.0.0.1:9000\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config(config_file)
    config_file.write_text("storage:\n  s3:\n    endpoint: {url: 'http://127.0.0.1:9000'}\n")
    with pytest.raises(ConfigError, match="allow_http"):
        load_config(config_file)


def test_connection_string_pairs():
    pairs = parse_connection_string(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=ab==;"
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    )
    assert pairs["AccountKey"] == "ab=="
    assert pairs["BlobEndpoint"] == "http://127.0.0.1:10000/devstoreaccount1"
    assert parse_connection_string("") == {}
