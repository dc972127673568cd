"""`auditor audit` over collected data: from a snapshot folder and live from a config's `connectors:`.

An AWS organization in moto: a China-headquartered tenant running a p5.48xlarge (flagged by
`d5-headquarters-restricted`) and a clean one. A region that always fails makes the
collection, and so the audit, incomplete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from auditor_testkit import assert_no_traceback
from connectors.connector_servers import aws_env  # noqa: F401 - fixture

ROLE = "OrganizationAccountAccessRole"
RETRY = {"attempts": 2, "base_delay": 0.0, "max_delay": 0.0}
TAG_MAP = {
    "tenant_id": "tenant_id",
    "legal_name": "legal_name",
    "country": "country",
    "hq_country": "hq_country",
}
HQ_RULE = "d5-headquarters-restricted"


def _settings(regions: list[str]) -> dict[str, Any]:
    return {
        "regions": regions,
        "role_name": ROLE,
        "retry": RETRY,
        "tag_map": TAG_MAP,
        "cloudtrail": {"enabled": False},
    }


def _member_session(account_id: str) -> boto3.Session:
    creds = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="setup"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


@pytest.fixture
def org(aws_env: None) -> Any:
    """T-DRAGON (HQ in China) runs a p5.48xlarge in us-east-1; T-CLEAN (Germany) runs an m5."""
    with mock_aws():
        client = boto3.client("organizations")
        client.create_organization(FeatureSet="ALL")
        ids = {}
        for name, tags in [
            (
                "dragon",
                {
                    "tenant_id": "T-DRAGON",
                    "legal_name": "Dragon Compute Co",
                    "country": "CN",
                    "hq_country": "CN",
                },
            ),
            (
                "clean",
                {
                    "tenant_id": "T-CLEAN",
                    "legal_name": "Clean Research GmbH",
                    "country": "DE",
                    "hq_country": "DE",
                },
            ),
        ]:
            status = client.create_account(
                Email=f"{name}@example.com",
                AccountName=name,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )
            ids[name] = status["CreateAccountStatus"]["AccountId"]
        for name, itype in (("dragon", "p5.48xlarge"), ("clean", "m5.large")):
            ec2 = _member_session(ids[name]).client("ec2", region_name="us-east-1")
            ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType=itype)
        yield ids


def _eu_west_1_down(session: boto3.Session) -> None:
    def describe(context: dict[str, Any], **_: Any) -> None:
        if context.get("client_region") == "eu-west-1":
            raise ClientError(
                {
                    "Error": {"Code": "ServiceUnavailable", "Message": "injected"},
                    "ResponseMetadata": {"HTTPStatusCode": 503},
                },
                "DescribeInstances",
            )

    session.events.register("before-call.ec2.DescribeInstances", describe)


def _clients(faulty: bool) -> Any:
    from auditor.connectors import AwsClients

    return AwsClients(
        session=boto3.Session(region_name="us-east-1"),
        session_hook=_eu_west_1_down if faulty else None,
    )


def _snapshot(tmp_path: Path, faulty: bool) -> Path:
    from auditor.connectors import collect, write_snapshot

    regions = ["us-east-1", "eu-west-1"] if faulty else ["us-east-1"]
    result = collect("aws", _settings(regions), clients=_clients(faulty), progress=False)
    return write_snapshot(result, tmp_path / "snapshot")


def _outputs(out: Path) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    return cases, json.loads((out / "run.json").read_text()), (out / "report.md").read_text()


def _case_of(cases: list[dict[str, Any]], tenant_id: str) -> dict[str, Any]:
    found = [c for c in cases if tenant_id in c["tenant_ids"]]
    assert found, f"no case for {tenant_id}"
    return found[0]


def test_audit_of_a_complete_snapshot_flags_the_d5_tenant(
    org: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    snap = _snapshot(tmp_path, faulty=False)
    code, stdout, stderr = cli("audit", "--snapshot", snap, "--out", tmp_path / "out")
    assert code == 0, stderr
    assert_no_traceback(stderr)
    assert "INCOMPLETE" not in stderr

    cases, run, report = _outputs(tmp_path / "out")
    dragon = _case_of(cases, "T-DRAGON")
    hits = [h for h in dragon["hits"] if h["rule_id"] == HQ_RULE]
    assert hits and hits[0]["tenant_id"] == "T-DRAGON"
    assert hits[0]["evidence"]["hq_country"] == "CN"
    assert (
        dragon["complete"] is True
    )  # the hit needs restricted hours > 0: the collection time ends the running instance
    assert not any("T-CLEAN" in c["tenant_ids"] for c in cases)

    (entry,) = [i for i in run["inputs"] if i["table"] == "snapshot"]
    assert entry["path"] == str(snap) and entry["provider"] == "aws" and len(entry["sha256"]) == 64
    assert run["complete"] is True and run["coverage_gaps"] == []
    assert "INCOMPLETE DATA" not in report


def test_audit_of_a_format_1_snapshot_records_its_upgrade(
    org: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    import polars as pl

    snap = _snapshot(tmp_path, faulty=False)
    pl.read_parquet(snap / "usage.parquet").drop("service").write_parquet(snap / "usage.parquet")
    manifest = json.loads((snap / "manifest.json").read_text())
    (snap / "manifest.json").write_text(json.dumps({**manifest, "snapshot_format": 1}))
    code, stdout, stderr = cli("audit", "--snapshot", snap, "--out", tmp_path / "out")
    assert code == 0, stderr
    cases, run, _ = _outputs(tmp_path / "out")
    (entry,) = [i for i in run["inputs"] if i["table"] == "snapshot"]
    assert entry["upgraded"] == {"from_format": 1, "to_format": 2, "added": ["usage.service"]}
    assert _case_of(cases, "T-DRAGON")  # the old snapshot is still audited


def test_audit_of_a_snapshot_with_gaps_is_marked_incomplete_everywhere(
    org: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    snap = _snapshot(tmp_path, faulty=True)
    code, stdout, stderr = cli("audit", "--snapshot", snap, "--out", tmp_path / "out")
    assert code == 0, stderr  # partial data is reported, not a failure
    gaps = json.loads((snap / "manifest.json").read_text())["gaps"]
    assert gaps and {g["scope"].split("/")[-1] for g in gaps} == {"eu-west-1"}
    assert f"INCOMPLETE: {len(gaps)} coverage gaps" in stderr

    cases, run, report = _outputs(tmp_path / "out")
    assert run["complete"] is False
    assert run["coverage_gaps"] == gaps
    assert [i for i in run["inputs"] if i["table"] == "snapshot"][0]["complete"] is False
    assert cases and all(c["complete"] is False for c in cases)
    assert any(
        h["rule_id"] == HQ_RULE for h in _case_of(cases, "T-DRAGON")["hits"]
    )  # what was read is still scored

    assert "INCOMPLETE DATA" in report
    coverage = report.split("## Coverage", 1)[1]
    for gap in gaps:
        line = next(ln for ln in coverage.splitlines() if gap["scope"] in ln)
        for part in (
            "aws",
            "region",
            gap["operation"],
            gap["error"],
            f"{gap['attempts']} attempt(s)",
        ):
            assert part in line, (part, line)
        assert "{" not in line  # readable, not a dict dump


def _audit_config(tmp_path: Path, regions: list[str]) -> Path:
    path = tmp_path / "audit.yaml"
    settings = _settings(regions)
    path.write_text(
        json.dumps({"connectors": {"aws": settings}, "out": "out"}, indent=2)
    )  # JSON is YAML
    return path


def test_audit_collects_live_from_the_configs_connectors(
    org: dict[str, str], tmp_path: Path
) -> None:
    from auditor.config import load_config
    from auditor.report import write_reports
    from auditor.run import audit

    config = load_config(_audit_config(tmp_path, ["us-east-1", "eu-west-1"]))
    assert config.connectors is not None and config.connectors.aws is not None
    result = audit(config, clients={"aws": _clients(faulty=True)})
    write_reports(result, config.out)

    assert not result.complete
    assert {(g["scope_kind"], g["scope"].split("/")[-1]) for g in result.coverage_gaps} == {
        ("region", "eu-west-1")
    }
    assert {g["scope"].split("/")[0] for g in result.coverage_gaps} >= set(
        org.values()
    )  # one gap per account
    cases, run, report = _outputs(config.out)
    assert any(h["rule_id"] == HQ_RULE for h in _case_of(cases, "T-DRAGON")["hits"])
    assert run["complete"] is False and all(c["complete"] is False for c in cases)
    (entry,) = [i for i in run["inputs"] if i["table"] == "collection"]
    assert (
        entry["provider"] == "aws"
        and entry["complete"] is False
        and entry["counts"]["tenants"] >= 2
    )
    assert "INCOMPLETE DATA" in report


def test_audit_cli_collects_live_with_default_clients(
    org: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    """No injected clients: the connector builds its own from the environment, which moto serves."""
    code, stdout, stderr = cli("audit", "--config", _audit_config(tmp_path, ["us-east-1"]))
    assert code == 0, stderr
    assert "INCOMPLETE" not in stderr
    cases, run, _ = _outputs(tmp_path / "out")
    assert any(h["rule_id"] == HQ_RULE for h in _case_of(cases, "T-DRAGON")["hits"])
    assert run["complete"] is True


def test_files_given_on_the_command_line_win_over_connectors(tmp_path: Path, cli: Any) -> None:
    from auditor_testkit import EXAMPLES

    config = _audit_config(tmp_path, ["us-east-1"])
    provider = EXAMPLES / "provider"
    tenants = next(provider.glob("tenants.*"))
    usage = next(provider.glob("usage.*"))
    code, _, stderr = cli(
        "audit", "--config", config, "--tenants", tenants, "--usage", usage
    )  # no AWS calls: not mocked
    assert code == 0, stderr
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert {i["table"] for i in run["inputs"]} >= {"tenants", "usage"} and "collection" not in {
        i["table"] for i in run["inputs"]
    }


@pytest.mark.parametrize(
    ("connectors", "where", "message"),
    [
        ("  aws:\n    retry:\n      attempts: 0\n", ":5:", "connectors.aws.retry.attempts"),
        ("  oracle: {}\n", ":3:", "unknown setting"),
        (
            "  aws:\n    tag_map:\n      cc: no_such_field\n",
            ":5:",
            "unknown tenant field 'no_such_field'",
        ),
    ],
)
def test_connector_settings_in_an_audit_config_are_checked_with_their_line(
    tmp_path: Path, connectors: str, where: str, message: str
) -> None:
    from auditor.config import load_config
    from auditor.errors import ConfigError

    path = tmp_path / "audit.yaml"
    path.write_text("out: out\nconnectors:\n" + connectors)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = "\n".join(str(p) for p in info.value.problems)
    assert message in text and f"audit.yaml{where}" in text, text


def test_a_second_audit_of_the_same_snapshot_reuses_its_answer_and_keeps_its_gaps(
    org: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    snap = _snapshot(tmp_path, faulty=True)
    store = tmp_path / "cases.db"
    runs = []
    for name in ("first", "second"):
        code, stdout, stderr = cli(
            "audit", "--snapshot", snap, "--out", tmp_path / name, "--store", store
        )
        assert code in (0, 10), stderr
        assert "INCOMPLETE: " in stderr  # the reused answer is as partial as the computed one
        runs.append(_outputs(tmp_path / name))
    (first_cases, first, _), (second_cases, second, report) = runs
    assert second["reuse"]["reused_from"] == first["run_id"]
    assert second["complete"] is False and second["coverage_gaps"] == first["coverage_gaps"]
    assert second["inputs"] == first["inputs"]  # the snapshot entry, with its checksum
    assert [c["case_id"] for c in second_cases] == [c["case_id"] for c in first_cases]
    assert all(c["complete"] is False for c in second_cases)
    assert "INCOMPLETE DATA" in report

    (snap / "tenants.parquet").write_bytes((snap / "tenants.parquet").read_bytes())  # same bytes
    manifest = json.loads((snap / "manifest.json").read_text())
    (snap / "manifest.json").write_text(json.dumps({**manifest, "note": "re-collected"}))
    code, _, stderr = cli(
        "audit", "--snapshot", snap, "--out", tmp_path / "third", "--store", store
    )
    assert code in (0, 10), stderr
    third = _outputs(tmp_path / "third")[1]
    assert third["reuse"]["reused_from"] is None
    assert third["reuse"]["reason"].endswith(": snapshot")
