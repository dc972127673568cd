"""s3:// inputs and outputs against moto's S3 server, signed by boto3's own credential chain.

The headline case is the issue's: an audit configured only through its config file reads
every input from a bucket and writes every output there, and finds what the same audit
over local files finds.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import pytest

from auditor_testkit import EXAMPLES, assert_no_traceback
from storage.servers import moto_s3  # noqa: F401 - fixture
from storage.storage_kit import (
    EXAMPLE_FILES,
    LIST_FILE,
    PROVIDER,
    sha256,
    small_inputs,
    storage_yaml,
)


@pytest.fixture
def s3(moto_s3, monkeypatch, tmp_path):  # noqa: F811
    """A boto3 client on moto, and an environment whose credential chain finds only test keys."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never the instance metadata service
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=moto_s3.url, region_name="us-east-1")
    client.moto_url = moto_s3.url
    return client


def _bucket(s3) -> str:
    name = f"audit-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    return name


def _objects(s3, bucket: str, prefix: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {
        o["Key"][len(prefix) :]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        for o in listed
    }


def _config(tmp_path: Path, s3, body: str) -> Path:
    path = tmp_path / "audit.yaml"
    path.write_text(body + storage_yaml("s3", s3.moto_url))
    return path


def test_config_only_audit_reads_inputs_from_s3_and_writes_outputs_there(s3, tmp_path, cli):
    inputs, outputs = _bucket(s3), _bucket(s3)
    lines = []
    for setting, name in EXAMPLE_FILES:
        s3.upload_file(str(PROVIDER / name), inputs, f"provider/{name}")
        lines.append(f"{setting}: s3://{inputs}/provider/{name}")
    s3.upload_file(str(PROVIDER / LIST_FILE), inputs, f"provider/{LIST_FILE}")
    body = "\n".join(lines) + (
        f"\nlists: [s3://{inputs}/provider/{LIST_FILE}]\nas_of: '2026-11-01T00:00:00Z'\n"
        f"out: s3://{outputs}/runs/example\n"
    )
    code, out, err = cli("audit", "--config", _config(tmp_path, s3, body))
    assert code == 0, err
    assert_no_traceback(err)
    published = _objects(s3, outputs, "runs/example/")
    assert {
        "cases.jsonl",
        "report.md",
        "report.html",
        "cases.csv",
        "cases.parquet",
        "hits.csv",
        "hits.parquet",
        "run.json",
        "_SUCCESS",
    } <= set(published)
    assert f"wrote s3://{outputs}/runs/example/cases.jsonl" in out
    # _SUCCESS names the run of run.json and every file, with checksums matching the objects.
    marker = json.loads(published["_SUCCESS"])
    manifest = json.loads(published["run.json"])
    assert marker["run_id"] == manifest["run_id"]
    assert set(marker["files"]) == set(published) - {"_SUCCESS"}
    assert all(sha256(published[n]) == digest for n, digest in marker["files"].items())
    # run.json names the URLs read, with the checksums of the bytes in the bucket.
    recorded = {i["table"]: i for i in manifest["inputs"]}
    for setting, name in EXAMPLE_FILES:
        assert recorded[setting]["path"] == f"s3://{inputs}/provider/{name}"
        assert recorded[setting]["sha256"] == sha256((PROVIDER / name).read_bytes())
    assert manifest["lists"][0]["path"] == f"s3://{inputs}/provider/{LIST_FILE}"
    # The same audit over the local files finds the same cases.
    local = tmp_path / "local"
    code, _, err = cli("audit", "--config", EXAMPLES / "audit.yaml", "--out", local)
    assert code == 0, err
    ids = [json.loads(line)["case_id"] for line in published["cases.jsonl"].decode().splitlines()]
    local_ids = [
        json.loads(line)["case_id"] for line in (local / "cases.jsonl").read_text().splitlines()
    ]
    assert ids == local_ids and len(ids) > 10


def _small_config(tmp_path, s3, inputs: str, out: str, extra: str = "") -> Path:
    files = small_inputs(tmp_path / "small")
    for name in ("tenants", "usage", "access"):
        s3.upload_file(str(files[name]), inputs, f"in/{name}.csv")
    body = (
        f"tenants: s3://{inputs}/in/tenants.csv\nusage: s3://{inputs}/in/usage.csv\n"
        f"access: s3://{inputs}/in/access.csv\nout: {out}\n{extra}"
    )
    return _config(tmp_path, s3, body)


def test_a_stored_run_publishes_to_s3_after_its_commit_and_the_next_run_replaces_it(
    s3, tmp_path, cli
):
    bucket = _bucket(s3)
    store = tmp_path / "cases.db"  # the case store stays a local file
    config = _small_config(tmp_path, s3, bucket, f"s3://{bucket}/out", f"store: {store}\n")
    code, _, err = cli("audit", "--config", config)
    assert code in (0, 10), err
    first = json.loads(_objects(s3, bucket, "out/")["_SUCCESS"])["run_id"]
    code, _, err = cli("audit", "--config", config)
    assert code in (0, 10), err
    published = _objects(s3, bucket, "out/")
    second = json.loads(published["_SUCCESS"])["run_id"]
    assert second != first and json.loads(published["run.json"])["run_id"] == second
    assert json.loads(published["run.json"])["changes"]["previous_run_id"] == first


def test_an_output_prefix_holding_other_objects_is_refused_before_the_run(s3, tmp_path, cli):
    bucket = _bucket(s3)
    s3.put_object(Bucket=bucket, Key="out/notes.txt", Body=b"someone else's")
    code, _, err = cli(
        "audit", "--config", _small_config(tmp_path, s3, bucket, f"s3://{bucket}/out")
    )
    assert code == 2
    assert f"s3://{bucket}/out" in err and "notes.txt" in err
    assert set(_objects(s3, bucket, "out/")) == {"notes.txt"}  # nothing written, nothing deleted
    assert_no_traceback(err)


@pytest.mark.parametrize(
    "where, says",
    [
        ("tenants", "does not exist"),  # a bucket nobody created
        ("usage", "no such object"),  # a key nobody wrote
        ("out", "does not exist"),
    ],
)
def test_missing_buckets_and_objects_are_clear_errors(s3, tmp_path, cli, where, says):
    bucket = _bucket(s3)
    config = _small_config(tmp_path, s3, bucket, f"s3://{bucket}/out")
    text = config.read_text()
    if where == "tenants":
        text = text.replace(f"s3://{bucket}/in/tenants.csv", "s3://no-such-bucket-here/tenants.csv")
    elif where == "usage":
        text = text.replace("in/usage.csv", "in/never-written.csv")
    else:
        text = text.replace(f"out: s3://{bucket}/out", "out: s3://no-such-bucket-out/run")
    config.write_text(text)
    code, _, err = cli("audit", "--config", config)
    assert code == 2, err
    assert says in err and "s3://" in err
    assert_no_traceback(err)
    assert "testing" not in err  # no credential in any message


def test_a_bad_url_in_the_config_exits_2_naming_the_line(tmp_path, cli):
    config = tmp_path / "audit.yaml"
    config.write_text("usage: u.csv\ntenants: s3://x/t.csv\nout: out\n")
    code, _, err = cli("audit", "--config", config)
    assert code == 2 and "audit.yaml:2" in err and "names no valid bucket" in err
    assert_no_traceback(err)


def test_a_located_input_error_names_the_url_and_row(s3, tmp_path, cli):
    bucket = _bucket(s3)
    config = _small_config(tmp_path, s3, bucket, f"s3://{bucket}/out")
    bad = (tmp_path / "small" / "usage.csv").read_text().splitlines()
    bad[1] = bad[1].replace(bad[1].split(",")[0], "", 1)  # a usage row without its tenant id
    s3.put_object(Bucket=bucket, Key="in/usage.csv", Body=("\n".join(bad) + "\n").encode())
    code, _, err = cli("audit", "--config", config)
    assert code == 2, err
    assert f"s3://{bucket}/in/usage.csv" in err and "auditor-inputs-" not in err
    assert_no_traceback(err)


def test_snapshot_and_rule_pack_folders_are_read_from_prefixes(s3, tmp_path, cli):
    from auditor.connectors.base import CollectResult
    from auditor.connectors.snapshot import write_snapshot
    from auditor.engine.loader import builtin_rules_dir
    from auditor.model.load import load_table
    from auditor.model.schema import ACCESS, TENANTS, USAGE

    bucket = _bucket(s3)
    files = small_inputs(tmp_path / "small")
    snapshot = write_snapshot(
        CollectResult(
            load_table(files["tenants"], TENANTS),
            load_table(files["usage"], USAGE),
            load_table(files["access"], ACCESS),
            [],
            {"provider": "aws", "collected_at": "2026-11-01T00:00:00Z", "gaps": []},
        ),
        tmp_path / "snap",
    )
    for f in snapshot.iterdir():
        s3.upload_file(str(f), bucket, f"snap/{f.name}")
    rules = Path(builtin_rules_dir())
    for f in rules.rglob("*"):
        if f.is_file():
            s3.upload_file(str(f), bucket, f"rules/{f.relative_to(rules).as_posix()}")
    body = f"snapshot: s3://{bucket}/snap\nrules: s3://{bucket}/rules\nout: {tmp_path / 'out'}\n"
    code, _, err = cli("audit", "--config", _config(tmp_path, s3, body))
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert manifest["rule_pack"]["directory"] == f"s3://{bucket}/rules"
    assert [i["path"] for i in manifest["inputs"] if i["table"] == "snapshot"] == [
        f"s3://{bucket}/snap"
    ]
    # The same pack read locally has the same checksum: every rule file came across.
    local = json.loads(
        (
            lambda: (
                cli("audit", "--snapshot", snapshot, "--out", tmp_path / "o2"),
                (tmp_path / "o2" / "run.json").read_text(),
            )[1]
        )()
    )
    assert local["rule_pack"]["sha256"] == manifest["rule_pack"]["sha256"]
    # A prefix with nothing under it is not a snapshot.
    code, _, err = cli(
        "audit", "--config", _config(tmp_path, s3, body.replace("/snap", "/nothing"))
    )
    assert code == 2 and "no objects under this prefix" in err


def test_a_named_profile_signs_and_a_missing_one_is_a_config_error(s3, tmp_path, cli, monkeypatch):
    bucket = _bucket(s3)
    config = _small_config(tmp_path, s3, bucket, f"s3://{bucket}/out", "")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    (tmp_path / "no-aws-credentials").write_text(
        "[audit]\naws_access_key_id = profilekey\naws_secret_access_key = profilesecret\n"
    )
    text = config.read_text()
    config.write_text(text + "    profile: audit\n")
    code, _, err = cli("audit", "--config", config)
    assert code == 0, err
    config.write_text(text + "    profile: nope\n")
    code, _, err = cli("audit", "--config", config)
    assert code == 2 and "profile 'nope'" in err
    config.write_text(text)  # no profile and no keys anywhere in the chain
    code, _, err = cli("audit", "--config", config)
    assert code == 2 and "no AWS credentials found" in err
    assert_no_traceback(err)


def test_collect_writes_its_snapshot_to_s3_and_audit_reads_it_from_there(
    s3, tmp_path, cli, monkeypatch
):
    # AWS_ENDPOINT_URL is boto3's own switch: the connector and the snapshot upload both honour it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.moto_url)
    role = "OrganizationAccountAccessRole"
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    tags = {
        "tenant_id": "T-DRAGON",
        "legal_name": "Dragon Compute Co",
        "country": "CN",
        "hq_country": "CN",
    }
    account = org.create_account(
        Email="dragon@example.com",
        AccountName="dragon",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["CreateAccountStatus"]["AccountId"]
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="setup"
    )["Credentials"]
    boto3.client(
        "ec2",
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="p5.48xlarge")
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(
        "aws:\n  regions: [us-east-1]\n  role_name: OrganizationAccountAccessRole\n"
        "  retry: {attempts: 2, base_delay: 0, max_delay: 0}\n  cloudtrail: {enabled: false}\n"
        "  tag_map: {tenant_id: tenant_id, legal_name: legal_name, country: country, hq_country: hq_country}\n"
    )
    bucket = _bucket(s3)
    code, out, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/snap"
    )
    assert code == 0, err
    assert set(_objects(s3, bucket, "snap/")) == {
        "tenants.parquet",
        "usage.parquet",
        "access.parquet",
        "manifest.json",
    }
    # The audit takes the snapshot's URL on the command line as well as in a config.
    code, _, err = cli("audit", "--snapshot", f"s3://{bucket}/snap", "--out", tmp_path / "out")
    assert code == 0, err
    cases = [
        json.loads(line) for line in (tmp_path / "out" / "cases.jsonl").read_text().splitlines()
    ]
    assert any("T-DRAGON" in c["tenant_ids"] for c in cases)
    # A prefix of someone else's objects is refused before anything is collected.
    s3.put_object(Bucket=bucket, Key="other/notes.txt", Body=b"x")
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/other"
    )
    assert code == 2 and "notes.txt" in err


def test_rules_backtest_reads_packs_from_s3_and_writes_its_json_there(s3, tmp_path, cli):
    from auditor.engine.loader import builtin_rules_dir

    bucket = _bucket(s3)
    rules = Path(builtin_rules_dir())
    for f in rules.rglob("*"):
        if f.is_file():
            s3.upload_file(str(f), bucket, f"rules/{f.relative_to(rules).as_posix()}")
    config = _small_config(tmp_path, s3, bucket, str(tmp_path / "unused"))
    code, _, err = cli(
        "rules",
        "backtest",
        "--config",
        config,
        "--rules",
        f"s3://{bucket}/rules",
        "--out",
        f"s3://{bucket}/backtests/b1.json",
    )
    assert code == 0, err
    report = json.loads(_objects(s3, bucket, "backtests/")["b1.json"])
    assert f"s3://{bucket}/rules" in json.dumps(report)
    assert "auditor-inputs-" not in json.dumps(report)
