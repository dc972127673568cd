"""az:// and abfss:// against Azurite (npm), gs:// against a local server speaking GCS's XML API.

Azurite is signed with a connection string from the environment, as its users sign it;
the GCS endpoint takes `auth: none` (a placeholder token: the emulator checks none). The
local GCS server also answers 403 for a denied bucket and can fail uploads part-way, so a
denied permission and a publish cut short are tested against real HTTP answers.
"""

from __future__ import annotations

import json
import uuid

import pytest

from auditor_testkit import assert_no_traceback
from storage.gcs_server import LocalGcs
from storage.servers import AZURITE_ACCOUNT, azurite, azurite_connection_string  # noqa: F401
from storage.storage_kit import sha256, small_inputs, storage_yaml


@pytest.fixture
def blob_service(azurite, monkeypatch):  # noqa: F811
    from azure.storage.blob import BlobServiceClient

    connection = azurite_connection_string(azurite)
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection)
    return BlobServiceClient.from_connection_string(connection)


def test_audit_reads_az_inputs_and_writes_abfss_outputs_on_azurite(blob_service, tmp_path, cli):
    name = f"audit{uuid.uuid4().hex[:8]}"
    inputs = blob_service.create_container(f"{name}-in")
    blob_service.create_container(f"{name}-out")
    files = small_inputs(tmp_path / "small")
    for table in ("tenants", "usage", "access"):
        inputs.upload_blob(f"in/{table}.csv", files[table].read_bytes())
    inputs.upload_blob("lists/csl.csv", files["lists"].read_bytes())
    out = f"abfss://{name}-out@{AZURITE_ACCOUNT}.dfs.core.windows.net/runs/one"
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"tenants: az://{name}-in/in/tenants.csv\nusage: az://{name}-in/in/usage.csv\n"
        f"access: az://{name}-in/in/access.csv\nlists: [az://{name}-in/lists/csl.csv]\nout: {out}\n"
    )
    code, stdout, err = cli("audit", "--config", config)
    assert code == 0, err
    assert f"wrote {out}/run.json" in stdout
    container = blob_service.get_container_client(f"{name}-out")
    published = {
        b.name.removeprefix("runs/one/"): container.download_blob(b.name).readall()
        for b in container.list_blobs(name_starts_with="runs/one/")
    }
    marker = json.loads(published.pop("_SUCCESS"))
    assert set(marker["files"]) == set(published) and "cases.jsonl" in published
    assert all(sha256(published[n]) == d for n, d in marker["files"].items())
    manifest = json.loads(published["run.json"])
    assert manifest["inputs"][0]["path"] == f"az://{name}-in/in/tenants.csv"
    assert manifest["lists"][0]["path"] == f"az://{name}-in/lists/csl.csv"


def test_a_missing_container_and_a_missing_account_are_clear(
    blob_service, tmp_path, cli, monkeypatch
):
    files = small_inputs(tmp_path / "small")
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"tenants: az://never-made/t.csv\nusage: {files['usage']}\nout: {tmp_path / 'out'}\n"
    )
    code, _, err = cli("audit", "--config", config)
    assert code == 2 and "container 'never-made' does not exist" in err
    assert "AccountKey" not in err and "Eby8" not in err  # the key never shows
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING")
    code, _, err = cli("audit", "--config", config)
    assert code == 2 and "names no storage account" in err
    assert_no_traceback(err)


@pytest.fixture
def gcs():
    with LocalGcs() as server:
        yield server


def _gcs_config(tmp_path, gcs, body: str):
    config = tmp_path / "audit.yaml"
    config.write_text(body + storage_yaml("gcs", gcs.url, auth="none"))
    return config


def _gcs_inputs(tmp_path, gcs, bucket: str) -> str:
    gcs.buckets[bucket] = {}
    files = small_inputs(tmp_path / "small")
    for table in ("tenants", "usage", "access"):
        gcs.buckets[bucket][f"in/{table}.csv"] = files[table].read_bytes()
    return (
        f"tenants: gs://{bucket}/in/tenants.csv\nusage: gs://{bucket}/in/usage.csv\n"
        f"access: gs://{bucket}/in/access.csv\n"
    )


def test_audit_reads_and_writes_gs_urls(gcs, tmp_path, cli):
    body = _gcs_inputs(tmp_path, gcs, "audit-in") + "out: gs://audit-in/runs/one\n"
    gcs.buckets["audit-in"]["runs/one/old-format.csv.tmp"] = b""  # refused: not ours
    code, _, err = cli("audit", "--config", _gcs_config(tmp_path, gcs, body))
    assert code == 2 and "old-format.csv.tmp" in err
    del gcs.buckets["audit-in"]["runs/one/old-format.csv.tmp"]
    code, _, err = cli("audit", "--config", _gcs_config(tmp_path, gcs, body))
    assert code == 0, err
    published = {
        k.removeprefix("runs/one/"): v
        for k, v in gcs.buckets["audit-in"].items()
        if k.startswith("runs/one/")
    }
    marker = json.loads(published.pop("_SUCCESS"))
    assert set(marker["files"]) == set(published)
    # Uploads went in order: every file, run.json after the other files, _SUCCESS last.
    puts = [r.split("/", 2)[-1] for r in gcs.requests if r.startswith("PUT ")]
    assert puts[-1] == "runs/one/_SUCCESS" and puts[-2] == "runs/one/run.json"


def test_a_denied_bucket_is_a_clear_error(gcs, tmp_path, cli):
    body = _gcs_inputs(tmp_path, gcs, "audit-in") + "out: gs://locked-out/run\n"
    gcs.buckets["locked-out"] = {}
    gcs.denied.add("locked-out")
    code, _, err = cli("audit", "--config", _gcs_config(tmp_path, gcs, body))
    assert code == 2 and "permission denied" in err and "gs://locked-out/run" in err
    gcs.denied = {"audit-in"}
    code, _, err = cli("audit", "--config", _gcs_config(tmp_path, gcs, body))
    assert code == 2 and "permission denied" in err and "gs://audit-in/in/tenants.csv" in err
    assert_no_traceback(err)


def test_a_publish_cut_short_leaves_no_success_marker_and_says_so(gcs, tmp_path, cli):
    body = _gcs_inputs(tmp_path, gcs, "audit-in") + "out: gs://audit-in/runs/one\n"
    config = (
        _gcs_config(tmp_path, gcs, body)
        .read_text()
        .replace("storage:\n", "storage:\n  retries: 0\n")
    )
    (tmp_path / "audit.yaml").write_text(config)
    code, _, _ = cli("audit", "--config", tmp_path / "audit.yaml")
    assert code == 0 and "runs/one/_SUCCESS" in gcs.buckets["audit-in"]
    gcs.puts, gcs.fail_puts_after = 0, 3  # the next publish fails at its fourth upload
    code, _, err = cli("audit", "--config", tmp_path / "audit.yaml")
    assert code == 2
    assert "3 of" in err and "no _SUCCESS" in err
    assert "runs/one/_SUCCESS" not in gcs.buckets["audit-in"]  # the old marker went first
    assert_no_traceback(err)


def test_a_snapshot_goes_up_manifest_last_and_without_its_manifest_is_not_read(gcs, tmp_path, cli):
    from auditor.connectors.base import CollectResult
    from auditor.connectors.snapshot import write_snapshot
    from auditor.model.load import load_table
    from auditor.model.schema import ACCESS, TENANTS, USAGE
    from auditor.storage.settings import StorageConfig

    files = small_inputs(tmp_path / "small")
    result = CollectResult(
        load_table(files["tenants"], TENANTS),
        load_table(files["usage"], USAGE),
        load_table(files["access"], ACCESS),
        [],
        {"provider": "gcp", "collected_at": "2026-11-01T00:00:00Z", "gaps": []},
    )
    storage = StorageConfig.model_validate(
        {"gcs": {"endpoint": {"url": gcs.url, "allow_http": True, "auth": "none"}}}
    )
    gcs.buckets["snaps"] = {}
    assert write_snapshot(result, "gs://snaps/2026-11-01", storage) == "gs://snaps/2026-11-01"
    puts = [r.removeprefix("PUT /snaps/") for r in gcs.requests if r.startswith("PUT ")]
    assert puts[-1] == "2026-11-01/manifest.json" and len(puts) == 4
    # An upload cut off before its manifest leaves a prefix the audit refuses to read as a snapshot.
    del gcs.buckets["snaps"]["2026-11-01/manifest.json"]
    body = "snapshot: gs://snaps/2026-11-01\n" + f"out: {tmp_path / 'out'}\n"
    code, _, err = cli("audit", "--config", _gcs_config(tmp_path, gcs, body))
    assert code == 2 and "gs://snaps/2026-11-01" in err and "no manifest.json" in err
    assert "auditor-inputs-" not in err


def test_an_audit_config_in_a_container_resolves_its_paths_under_its_prefix(
    blob_service, tmp_path, cli
):
    """`--config az://...`: fetched with the connection string of the environment, paths relative to it."""
    name = f"cfg{uuid.uuid4().hex[:8]}"
    container = blob_service.create_container(name)
    files = small_inputs(tmp_path / "small")
    for table in ("tenants", "usage", "access"):
        container.upload_blob(f"prod/in/{table}.csv", files[table].read_bytes())
    container.upload_blob(
        "prod/audit.yaml",
        b"tenants: in/tenants.csv\nusage: in/usage.csv\naccess: in/access.csv\nout: results\n",
    )
    code, stdout, err = cli("audit", "--config", f"az://{name}/prod/audit.yaml")
    assert code == 0, err
    assert f"wrote az://{name}/prod/results/run.json" in stdout
    names = {b.name for b in container.list_blobs(name_starts_with="prod/results/")}
    assert {"prod/results/cases.jsonl", "prod/results/_SUCCESS"} <= names
    container.upload_blob("prod/audit.yaml", b"tenants: in/tenants.csv\nbogus: 1\n", overwrite=True)
    code, _, err = cli("audit", "--config", f"az://{name}/prod/audit.yaml")
    assert code == 2 and f"az://{name}/prod/audit.yaml:2:1: bogus: unknown setting" in err, err
    assert "Eby8" not in err
    assert_no_traceback(err)


def test_an_audit_config_in_a_gcs_bucket_is_fetched_through_storage_emulator_host(
    gcs, tmp_path, cli, monkeypatch
):
    monkeypatch.setenv(
        "STORAGE_EMULATOR_HOST", gcs.url
    )  # Google's own switch: no config yet to ask
    _gcs_inputs(tmp_path, gcs, "audit-cfg")
    gcs.buckets["audit-cfg"]["audit.yaml"] = (
        b"tenants: in/tenants.csv\nusage: in/usage.csv\naccess: in/access.csv\nout: runs/one\n"
    )
    code, _, err = cli("audit", "--config", "gs://audit-cfg/audit.yaml")
    assert code == 0, err
    assert "runs/one/_SUCCESS" in gcs.buckets["audit-cfg"]
    run = json.loads(gcs.buckets["audit-cfg"]["runs/one/run.json"])
    assert run["inputs"][0]["path"] == "gs://audit-cfg/in/tenants.csv"
