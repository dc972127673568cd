"""Sign-in IPs placed in countries offline from a .mmdb file, and a collected snapshot audited with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import maxminddb
import pytest
from moto import mock_aws

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from geoip_files import write_country_mmdb
from auditor.cli.main import main
from auditor.connectors import (
    AwsClients,
    collect,
    load_connectors_config,
    read_snapshot,
    write_snapshot,
)
from auditor.connectors.base import frame
from auditor.errors import InputError
from auditor.geoip import add_ip_country, open_geoip
from auditor.model.schema import ACCESS


@pytest.fixture
def mmdb(tmp_path: Path) -> Path:
    return write_country_mmdb(tmp_path / "GeoLite2-Country.mmdb")


def test_lookup_both_families_and_every_kind_of_unknown(mmdb: Path) -> None:
    db = open_geoip(mmdb)
    built = (
        datetime.fromtimestamp(maxminddb.open_database(str(mmdb)).metadata().build_epoch, UTC)
        .date()
        .isoformat()
    )
    assert db.describe() == {
        "file": "GeoLite2-Country.mmdb",
        "database_type": "GeoLite2-Country",
        "build_date": built,
    }
    assert [
        db.country(ip)
        for ip in ["203.0.113.7", " 198.51.100.255 ", "192.0.2.127", "2001:db8:cafe::1"]
    ] == ["CN", "US", "MO", "IR"]
    # the edges of a /25: .127 inside, .128 outside
    assert db.country("192.0.2.128") is None
    assert [
        db.country(ip)
        for ip in [None, "", "AWS Internal", "999.1.1.1", "10.0.0.1", "2001:db8:beef::1"]
    ] == [None] * 6


def test_add_ip_country_keeps_given_countries_and_counts_unknowns(mmdb: Path) -> None:
    access = frame(
        ACCESS,
        [
            {"tenant_id": "a", "source_ip": "203.0.113.7"},
            {"tenant_id": "a", "source_ip": "203.0.113.7"},
            {
                "tenant_id": "b",
                "source_ip": "198.51.100.1",
                "ip_country": "DE",
            },  # a country the source gave wins
            {"tenant_id": "c", "source_ip": "10.1.2.3"},
            {"tenant_id": "d", "source_ip": None},
        ],
    )
    filled, counts = add_ip_country(access, open_geoip(mmdb))
    assert filled.schema == access.schema and filled["tenant_id"].to_list() == [
        "a",
        "a",
        "b",
        "c",
        "d",
    ]
    assert filled["ip_country"].to_list() == ["CN", "CN", "DE", None, None]
    assert counts == {"rows_resolved": 2, "rows_unknown": 1}
    empty, none = add_ip_country(frame(ACCESS, []), open_geoip(mmdb))
    assert empty.height == 0 and none == {"rows_resolved": 0, "rows_unknown": 0}


def test_bad_database_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="geoip database not found"):
        open_geoip(tmp_path / "missing.mmdb")
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a maxmind database" * 10)
    with pytest.raises(InputError, match=r"junk\.mmdb.*not a MaxMind DB"):
        open_geoip(junk)


class _Http:
    status_code = 200
    headers: dict[str, str] = {}
    content = b""


def _signins(ips: list[str]) -> Any:
    """Answers CloudTrail LookupEvents (moto serves none) with ConsoleLogin events from these IPs."""
    when = datetime.now(UTC) - timedelta(days=2)

    def lookup(context: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]]:
        events = [
            {
                "EventId": f"e{i}",
                "EventName": "ConsoleLogin",
                "EventTime": when,
                "CloudTrailEvent": json.dumps({"sourceIPAddress": ip}),
            }
            for i, ip in enumerate(ips)
        ]
        return _Http(), {"Events": events}

    return lambda session: session.events.register("before-call.cloudtrail.LookupEvents", lookup)


def test_collected_snapshot_audited_end_to_end_has_signin_countries(
    aws_env: None, mmdb: Path, tmp_path: Path, capsys: Any
) -> None:
    config = tmp_path / "collect.yaml"
    config.write_text(
        f"geoip: {{path: {mmdb.name}}}\naws:\n  regions: [us-east-1]\n  role_name: null\n  retry: {{attempts: 2, base_delay: 0.01}}\n"
    )
    loaded = load_connectors_config(config)  # the relative path is read beside the config
    assert loaded.geoip is not None and Path(loaded.geoip.path) == mmdb
    with mock_aws():
        boto3.client("organizations").create_organization(FeatureSet="ALL")
        boto3.client("ec2").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="p5.48xlarge"
        )
        clients = AwsClients(
            session=boto3.Session(region_name="us-east-1"),
            session_hook=_signins(["203.0.113.9", "198.51.100.4", "198.51.100.5", "AWS Internal"]),
        )
        result = collect("aws", loaded.aws, clients=clients, progress=False, geoip=loaded.geoip)
    assert result.access["ip_country"].to_list().count("CN") == 1
    assert result.manifest["geoip"] == {
        "file": mmdb.name,
        "database_type": "GeoLite2-Country",
        "build_date": result.manifest["geoip"]["build_date"],
        "rows_resolved": 3,
        "rows_unknown": 1,
    }
    write_snapshot(result, tmp_path / "snap")
    assert read_snapshot(tmp_path / "snap").access.equals(result.access)

    out = tmp_path / "audit"
    code = main(["audit", "--snapshot", str(tmp_path / "snap"), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run = json.loads((out / "run.json").read_text())
    assert "d5_signin_share" not in run["unavailable_features"]
    assert json.dumps({"geoip": result.manifest["geoip"]}, sort_keys=True)[1:-1] in json.dumps(
        run, sort_keys=True
    )


def test_without_geoip_collected_signins_have_no_country(aws_env: None) -> None:
    with mock_aws():
        boto3.client("organizations").create_organization(FeatureSet="ALL")
        clients = AwsClients(
            session=boto3.Session(region_name="us-east-1"), session_hook=_signins(["203.0.113.9"])
        )
        result = collect(
            "aws", {"regions": ["us-east-1"], "role_name": None}, clients=clients, progress=False
        )
    assert result.access["ip_country"].to_list() == [None] and "geoip" not in result.manifest


def test_cli_collect_with_a_missing_geoip_file_exits_2(tmp_path: Path, capsys: Any) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("geoip: {path: nowhere.mmdb}\ngcp: {projects: [p]}\n")
    assert (
        main(
            ["collect", "--provider", "gcp", "--config", str(config), "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "nowhere.mmdb" in capsys.readouterr().err
