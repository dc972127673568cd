"""Snapshots round-trip, config errors are located, and `auditor collect` runs end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.cli.main import main
from auditor.connectors import (
    CONNECTORS,
    CollectResult,
    CoverageGap,
    collect,
    load_connectors_config,
    read_snapshot,
    write_snapshot,
)
from auditor.connectors.base import Collection
from auditor.errors import ConfigError, InputError

from test_connectors_azure import Arm
from test_connectors_gcp import Gcp


def test_registry_entries_are_documented() -> None:
    for name, cls in CONNECTORS.items():
        assert cls.name == name and cls.__doc__ and cls.settings_model.__doc__


def test_snapshot_round_trip(tmp_path: Path) -> None:
    col = Collection(
        "aws",
        tenants=[{"tenant_id": "T1", "legal_name": "One", "aliases": ["A", "B"]}],
        usage=[{"tenant_id": "T1", "instance_type": "p5.48xlarge", "start": None}],
    )
    col.gaps.append(
        CoverageGap("aws", "region", "1/eu-west-1", "ec2:DescribeInstances", "ClientError: down", 3)
    )
    from datetime import UTC, datetime

    result = col.to_result(datetime(2026, 1, 1, tzinfo=UTC))
    write_snapshot(result, tmp_path / "snap")
    back = read_snapshot(tmp_path / "snap")
    assert isinstance(back, CollectResult)
    assert (
        back.tenants.equals(result.tenants)
        and back.usage.equals(result.usage)
        and back.access.equals(result.access)
    )
    assert (
        back.gaps == result.gaps
        and back.manifest == result.manifest
        and not back.manifest["complete"]
    )


def test_read_snapshot_rejects_other_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a snapshot folder"):
        read_snapshot(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"provider": "aws", "gaps": []}))
    with pytest.raises(InputError, match="tenants.parquet"):
        read_snapshot(tmp_path)


def test_config_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "aws:\n  regions: [us-east-1]\n  tag_map:\n    company: legal_nam\n  bogus: 1\n"
    )
    with pytest.raises(ConfigError) as info:
        load_connectors_config(path)
    text = str(info.value)
    assert "c.yaml:4" in text and "aws.tag_map" in text and "legal_nam" in text
    assert "c.yaml:5" in text and "aws.bogus" in text


def test_cli_collect_aws_end_to_end(aws_env: None, tmp_path: Path, capsys: Any) -> None:
    config = tmp_path / "aws.yaml"
    config.write_text(
        "aws:\n  regions: [us-east-1]\n  cloudtrail: {enabled: false}\n  retry: {attempts: 2, base_delay: 0.01}\n"
    )
    with mock_aws():
        boto3.client("organizations").create_organization(FeatureSet="ALL")
        boto3.client("ec2").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="p5.48xlarge"
        )
        code = main(
            [
                "collect",
                "--provider",
                "aws",
                "--config",
                str(config),
                "--out",
                str(tmp_path / "snap"),
            ]
        )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "1 tenants, 1 usage rows" in out.out and "INCOMPLETE" not in out.err
    assert (
        "aws: 1/1 account(s) read; 1/1 region(s) read" in out.out
    )  # the one-line summary, off a terminal
    snap = read_snapshot(tmp_path / "snap")
    assert snap.manifest["complete"] and snap.usage["instance_type"].to_list() == ["p5.48xlarge"]


@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_cli_collect_reports_gaps_as_incomplete(
    provider: str, local_api: Any, tmp_path: Path, capsys: Any
) -> None:
    # The local server is reached only through the config's endpoint: section.
    if provider == "gcp":
        api = local_api(Gcp())
        section: dict[str, Any] = {"organization": "123", "projects": ["gamma"]}
    else:
        arm = Arm()
        api = local_api(arm)
        arm.url = api.url
        section = {}
    endpoint = {"url": api.url, "allow_http": True, "auth": "none"}
    config = tmp_path / "c.yaml"
    config.write_text(
        json.dumps(
            {
                provider: {
                    **section,
                    "endpoint": endpoint,
                    "retry": {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02},
                }
            }
        )
    )
    code = main(
        [
            "collect",
            "--provider",
            provider,
            "--config",
            str(config),
            "--out",
            str(tmp_path / "snap"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    snap = read_snapshot(tmp_path / "snap")
    assert f"INCOMPLETE: {len(snap.gaps)} coverage gaps" in out.err and snap.gaps
    assert snap.manifest["complete"] is False and snap.manifest["provider"] == provider
    not_whole = [n["scope"] for e in snap.manifest["coverage"].values() for n in e["not_whole"]]
    assert sorted(not_whole) == sorted({g.scope for g in snap.gaps})  # each gap's exact scope
    assert "not whole: " in out.out
    assert snap.usage.height > 0
    assert api.requests


def test_cli_bad_config_exits_2(tmp_path: Path, capsys: Any) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("gcp:\n  max_workers: zero\n")
    assert (
        main(
            ["collect", "--provider", "gcp", "--config", str(config), "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "c.yaml:2" in capsys.readouterr().err


def test_unknown_provider_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown provider"):
        collect("oracle", {})


def test_a_snapshot_is_private_and_never_written_through_a_planted_link(tmp_path: Path) -> None:
    import stat
    from datetime import UTC, datetime

    col = Collection("aws", tenants=[{"tenant_id": "T1", "legal_name": "One"}], usage=[])
    snap = tmp_path / "snap"
    snap.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    for name in (
        ".tenants.parquet.tmp",
        ".manifest.json.tmp",
    ):  # the fixed names earlier versions used
        (snap / name).symlink_to(victim)
    write_snapshot(col.to_result(datetime(2026, 1, 1, tzinfo=UTC)), snap)
    assert victim.read_text() == "precious"
    assert read_snapshot(snap).tenants["tenant_id"].to_list() == ["T1"]
    fresh = write_snapshot(
        col.to_result(datetime(2026, 1, 1, tzinfo=UTC)), tmp_path / "new" / "snap"
    )
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in fresh.iterdir()} == {0o600}
