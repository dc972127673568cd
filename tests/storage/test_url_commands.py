"""URLs beyond the audit's own inputs: a config in a bucket, and screen, lists, ownership import and collect on S3 (moto).

The config in a bucket is the case of a job that has nothing on its disk but the store:
`--config s3://.../audit.yaml` with relative paths resolving under the config's prefix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest

from auditor_testkit import assert_no_traceback
from screening.test_cli import CSL, server  # noqa: F401 - fixture: a list publisher on loopback
from storage.servers import moto_s3  # noqa: F401 - fixture
from storage.storage_kit import small_inputs, storage_yaml
from storage.test_s3 import _bucket, _objects, s3  # noqa: F401 - fixture

# A FollowTheMoney register: a Malaysian company 49% held by a Russian one (as tests/ownership uses).
FTM = [
    {
        "id": "co-1",
        "schema": "Company",
        "properties": {"name": ["Selangor Vector Systems Sdn. Bhd."], "jurisdiction": ["my"]},
    },
    {
        "id": "co-2",
        "schema": "Company",
        "properties": {"name": ["OOO Sigma Vychislitelnye Sistemy"]},
    },
    {
        "id": "own-1",
        "schema": "Ownership",
        "properties": {"owner": ["co-2"], "asset": ["co-1"], "percentage": ["49"]},
    },
]


@pytest.fixture
def s3_env(s3, monkeypatch):  # noqa: F811
    """The config itself is fetched before its `storage:` section is read: boto3's own switch points at moto."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.moto_url)
    return s3


def _put(s3, bucket: str, key: str, body: bytes | str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)


def _bucket_config(tmp_path, s3, bucket: str, extra: str = "") -> str:
    """A config at s3://BUCKET/cfg/prod/audit.yaml whose inputs and output are relative to it."""
    files = small_inputs(tmp_path / "small")
    for name in ("tenants", "usage", "access"):
        s3.upload_file(str(files[name]), bucket, f"cfg/prod/in/{name}.csv")
    s3.upload_file(str(files["lists"]), bucket, "cfg/lists/restricted.csv")
    body = (
        "tenants: in/tenants.csv\nusage: in/usage.csv\naccess: in/access.csv\n"
        "lists: [../lists/restricted.csv]\nout: results\n"
        f"store: {tmp_path / 'cases.db'}\n{extra}" + storage_yaml("s3", s3.moto_url)
    )
    _put(s3, bucket, "cfg/prod/audit.yaml", body)
    return f"s3://{bucket}/cfg/prod/audit.yaml"


def test_an_audit_configured_by_a_config_in_a_bucket_resolves_its_paths_there(
    s3_env, tmp_path, cli
):
    bucket = _bucket(s3_env)
    config = _bucket_config(tmp_path, s3_env, bucket)
    code, out, err = cli("audit", "--config", config)
    assert code in (0, 10), err
    published = _objects(s3_env, bucket, "cfg/prod/results/")
    assert {"cases.jsonl", "run.json", "_SUCCESS"} <= set(published)
    manifest = json.loads(published["run.json"])
    paths = {i["table"]: i["path"] for i in manifest["inputs"]}
    assert paths["tenants"] == f"s3://{bucket}/cfg/prod/in/tenants.csv"
    assert manifest["lists"][0]["path"] == f"s3://{bucket}/cfg/lists/restricted.csv"
    assert json.loads(published["_SUCCESS"])["run_id"] == manifest["run_id"]
    # Every other command that takes --config takes the same URL.
    code, out, err = cli("cases", "list", "--config", config, "--json")
    assert code == 0, err
    assert len(out.splitlines()) == len(published["cases.jsonl"].decode().splitlines())
    code, out, err = cli(
        "store", "backup", "--config", config, "--to", f"s3://{bucket}/backups/cases.db"
    )
    assert code == 0, err
    assert _objects(s3_env, bucket, "backups/")["cases.db"].startswith(b"SQLite format 3")
    code, out, err = cli("notify", "outbox", "--config", config)
    assert code == 0, err
    from auditor.engine.loader import builtin_rules_dir

    code, out, err = cli(
        "rules", "backtest", "--config", config, "--rules", builtin_rules_dir(), "--json"
    )
    assert code == 0, err


@pytest.mark.parametrize(
    "change, where, says",
    [
        ("store: cases.db\n", ":6:", "give an absolute path"),  # the store is local only
        ("tenants: ../../../t.csv\n", ":1:", "climbs out of the bucket"),
        ("tenants: in/tenants.csv\nretries: 3\n", ":7:", "unknown setting"),
        ("tenants: [oops\n", ":2:", "invalid YAML"),
        (
            "tenants: in/tenants.csv\nnotify:\n  - {name: soc, kind: webhook, "
            "url: 'https://example.invalid/h', secret_file: s.txt}\n",
            ":3:",
            "give an absolute path",
        ),  # a secret file is read from the local disk only
    ],
)
def test_a_bad_config_in_a_bucket_is_located_by_its_url(s3_env, tmp_path, cli, change, where, says):
    bucket = _bucket(s3_env)
    url = _bucket_config(tmp_path, s3_env, bucket)
    text = s3_env.get_object(Bucket=bucket, Key="cfg/prod/audit.yaml")["Body"].read().decode()
    lines = text.splitlines(keepends=True)
    if change.startswith("store"):
        lines[5] = change
    elif "retries" in change:
        lines.insert(6, "retries: 3\n")
    else:
        lines[0] = change
    _put(s3_env, bucket, "cfg/prod/audit.yaml", "".join(lines))
    code, _, err = cli("audit", "--config", url)
    assert code == 2, err
    assert f"{url}{where}" in err and says in err, err
    assert_no_traceback(err)
    assert _objects(s3_env, bucket, "cfg/prod/results/") == {}


def test_a_missing_config_object_and_a_foreign_scheme_are_clear(s3_env, tmp_path, cli):
    bucket = _bucket(s3_env)
    code, _, err = cli("audit", "--config", f"s3://{bucket}/nothing.yaml")
    assert code == 2 and f"s3://{bucket}/nothing.yaml" in err and "no such object" in err
    code, _, err = cli("audit", "--config", "ftp://host/audit.yaml")
    assert code == 2 and "ftp://" in err
    assert_no_traceback(err)


def test_screen_reads_its_lists_and_names_from_s3_and_publishes_results_then_meta(
    s3_env, tmp_path, cli
):
    bucket = _bucket(s3_env)
    _put(s3_env, bucket, "lists/csl.csv", CSL)
    names = "id,name,country\nt1,HUAWEI TECHNOLOGIES COMPANY LIMITED,CN\nt2,Acme Cloud LLC,\n"
    _put(s3_env, bucket, "in/names.csv", names)
    settings = tmp_path / "storage.yaml"  # only its storage: section matters to screen
    settings.write_text(storage_yaml("s3", s3_env.moto_url))
    out = f"s3://{bucket}/screened/r.jsonl"
    code, _, err = cli(
        "screen",
        "--list",
        f"s3://{bucket}/lists/csl.csv",
        "--names",
        f"s3://{bucket}/in/names.csv",
        "--out",
        out,
        "--config",
        settings,
    )
    assert code == 0, err
    assert out in err
    published = _objects(s3_env, bucket, "screened/")
    assert set(published) == {"r.jsonl", "r.jsonl.meta.json"}
    meta = json.loads(published["r.jsonl.meta.json"])
    assert meta["out_sha256"] == hashlib.sha256(published["r.jsonl"]).hexdigest()
    assert meta["names_file"] == f"s3://{bucket}/in/names.csv"
    assert meta["lists"][0]["path"] == f"s3://{bucket}/lists/csl.csv"
    assert "auditor-inputs-" not in published["r.jsonl.meta.json"].decode()
    # The same screen over local files writes the same lines.
    (tmp_path / "csl.csv").write_text(CSL)
    (tmp_path / "names.csv").write_text(names)
    code, _, err = cli(
        "screen",
        "--list",
        tmp_path / "csl.csv",
        "--names",
        tmp_path / "names.csv",
        "--out",
        tmp_path / "r.jsonl",
    )
    assert code == 0, err
    assert (tmp_path / "r.jsonl").read_bytes() == published["r.jsonl"]
    # A bad names file is located by its URL and row; nothing is published over the last results.
    _put(s3_env, bucket, "in/names.csv", "id,name\nt1,A\nt1,B\n")
    code, _, err = cli(
        "screen",
        "--list",
        f"s3://{bucket}/lists/csl.csv",
        "--names",
        f"s3://{bucket}/in/names.csv",
        "--out",
        out,
        "--config",
        settings,
    )
    assert code == 2 and f"s3://{bucket}/in/names.csv: row 3" in err, err
    assert "auditor-inputs-" not in err
    assert _objects(s3_env, bucket, "screened/") == published
    assert_no_traceback(err)


def test_lists_update_to_s3_writes_the_sidecar_last_and_readers_of_the_url_keep_its_date(
    s3_env,
    tmp_path,
    cli,
    server,  # noqa: F811
):
    bucket = _bucket(s3_env)
    out = f"s3://{bucket}/lists/csl.csv"
    code, stdout, err = cli("lists", "update", "--url", f"{server}/consolidated.csv", "--out", out)
    assert code == 0, err
    assert f"path={out}" in stdout
    published = _objects(s3_env, bucket, "lists/")
    assert set(published) == {"csl.csv", "csl.csv.meta.json"}
    side = json.loads(published["csl.csv.meta.json"])
    assert side["sha256"] == hashlib.sha256(published["csl.csv"]).hexdigest()
    # `lists show` and the audit read the sidecar beside the list in the bucket: the list's date survives.
    code, stdout, err = cli("lists", "show", out)
    assert code == 0, err
    assert f"file={out}" in stdout and "list_date=2025-03-04" in stdout
    # A download that does not parse leaves the bucket as it was, and names the URL.
    code, _, err = cli("lists", "update", "--url", f"{server}/broken.csv", "--out", out)
    assert code == 2 and out in err and "auditor-out-" not in err, err
    assert _objects(s3_env, bucket, "lists/") == published


def test_ownership_import_publishes_its_tables_to_a_prefix_with_success_last(s3_env, tmp_path, cli):
    bucket = _bucket(s3_env)
    _put(
        s3_env,
        bucket,
        "registers/ftm.jsonl",
        "\n".join(json.dumps(e) for e in FTM),
    )
    _put(
        s3_env,
        bucket,
        "in/tenants.csv",
        "tenant_id,legal_name\nT1,Selangor Vector Systems Sdn Bhd\n",
    )
    code, out, err = cli(
        "ownership",
        "import",
        "ftm",
        f"s3://{bucket}/registers/ftm.jsonl",
        "--tenants",
        f"s3://{bucket}/in/tenants.csv",
        "--out",
        f"s3://{bucket}/ownership",
    )
    assert code == 0, err
    assert f"ownership=s3://{bucket}/ownership/ownership.csv" in out
    published = _objects(s3_env, bucket, "ownership/")
    assert set(published) == {"ownership.csv", "parties.csv", "_SUCCESS"}
    marker = json.loads(published["_SUCCESS"])
    assert marker["files"]["parties.csv"] == hashlib.sha256(published["parties.csv"]).hexdigest()
    assert "1 parties linked to tenants" in out  # the tenant file from the bucket was read
    # A prefix of someone else's objects is refused before anything is written.
    _put(s3_env, bucket, "theirs/notes.txt", "x")
    code, _, err = cli(
        "ownership",
        "import",
        "ftm",
        f"s3://{bucket}/registers/ftm.jsonl",
        "--out",
        f"s3://{bucket}/theirs",
    )
    assert code == 2 and "notes.txt" in err
    assert set(_objects(s3_env, bucket, "theirs/")) == {"notes.txt"}


def test_collect_reaches_its_bucket_through_the_configs_storage_section(
    s3,
    tmp_path,
    cli,
    monkeypatch,  # noqa: F811
):
    """No endpoint in the environment: the connector and the upload each take theirs from the config."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=s3.moto_url)
    org.create_organization(FeatureSet="ALL")
    bucket = _bucket(s3)
    connectors = tmp_path / "connectors.yaml"
    body = (
        "aws:\n  regions: [us-east-1]\n"
        f"  endpoint: {{url: '{s3.moto_url}', allow_http: true}}\n"
        "  retry: {attempts: 2, base_delay: 0, max_delay: 0}\n  cloudtrail: {enabled: false}\n"
    )
    connectors.write_text(body + storage_yaml("s3", s3.moto_url))
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/snap"
    )
    assert code == 0, err
    assert "manifest.json" in _objects(s3, bucket, "snap/")
    # Without a storage: section, s3:// goes through the aws: connector's own endpoint (and profile).
    connectors.write_text(body)
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/inherited"
    )
    assert code == 0, err
    assert "manifest.json" in _objects(s3, bucket, "inherited/")
    # A storage.s3 endpoint of its own wins over the connector's (here: nothing listens there).
    connectors.write_text(
        body
        + "storage:\n  retries: 0\n  timeout: 5\n"
        + "  s3:\n    endpoint: {url: 'http://127.0.0.1:9', allow_http: true}\n"
    )
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/elsewhere"
    )
    assert code == 2 and "cannot reach the storage endpoint" in err, err
    # A mistyped key of the section is located in the file, before anything is collected.
    connectors.write_text(body + "storage:\n  s3:\n    regoin: eu-west-1\n")
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", connectors, "--out", f"s3://{bucket}/snap2"
    )
    assert code == 2 and "connectors.yaml:8" in err and "storage.s3.regoin" in err, err
    assert "unknown setting" in err
    assert_no_traceback(err)
    # An audit config's storage: (beside connectors:) serves collect as well.
    audit_config = tmp_path / "audit.yaml"
    nested = "".join(f"  {line}\n" for line in body.splitlines())
    audit_config.write_text("connectors:\n" + nested + storage_yaml("s3", s3.moto_url))
    code, _, err = cli(
        "collect", "--provider", "aws", "--config", audit_config, "--out", f"s3://{bucket}/snap3"
    )
    assert code == 0, err
    assert "manifest.json" in _objects(s3, bucket, "snap3/")


def test_a_local_path_given_to_url_aware_commands_still_works(tmp_path, cli):
    """The URL handling is only for URLs: a relative local --out is the folder it always was."""
    src = tmp_path / "ftm.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in FTM))
    code, _, err = cli("ownership", "import", "ftm", src, "--out", tmp_path / "o")
    assert code == 0, err
    assert sorted(p.name for p in Path(tmp_path / "o").iterdir()) == [
        "ownership.csv",
        "parties.csv",
    ]


def test_rule_pack_commands_read_a_pack_from_a_prefix_and_name_its_urls(s3_env, tmp_path, cli):
    from auditor.engine.loader import builtin_rules_dir

    bucket = _bucket(s3_env)
    rules = Path(builtin_rules_dir())
    for f in rules.rglob("*"):
        if f.is_file():
            s3_env.upload_file(str(f), bucket, f"rules/{f.relative_to(rules).as_posix()}")
    url = f"s3://{bucket}/rules"
    code, out, err = cli("rules", "validate", url)
    assert code == 0 and f"rules in {url} " in out, err
    code, out, err = cli("rules", "test", url)
    assert code == 0 and " 0 failed" in out, err
    code, out, err = cli("rules", "list", url)
    assert code == 0, err
    # A broken rule is located under the URL, not under the private copy.
    some = sorted(
        k for k in _objects(s3_env, bucket, "rules/") if k.endswith(".yaml") and ".test." not in k
    )[0]
    _put(s3_env, bucket, f"rules/{some}", "id: [broken\n")
    code, _, err = cli("rules", "validate", url)
    assert code == 2 and f"{url}/{some}:" in err and "auditor-inputs-" not in err, err
    assert_no_traceback(err)
