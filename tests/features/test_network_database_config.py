"""The `network_database:` audit setting: an ASN .mmdb weighs network links; a bad path is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from auditor_testkit import assert_no_traceback

TENANTS = (
    "tenant_id,legal_name,country,kyc_status,created_at\n"
    "a1,Alpha Ltd,SG,pending,2026-10-01T00:00:00Z\n"
    "a2,Beta Ltd,MY,pending,2026-10-02T00:00:00Z\n"
)
USAGE = "tenant_id,provider,region,instance_type,start,end\n"
ACCESS = (
    "tenant_id,timestamp,source_ip,ip_country\n"
    "a1,2026-10-20T00:00:00Z,203.0.113.9,SG\n"
    "a2,2026-10-21T00:00:00Z,203.0.113.9,SG\n"
)


def write_inputs(tmp_path: Path, database: str) -> Path:
    for name, text in (("tenants", TENANTS), ("usage", USAGE), ("access", ACCESS)):
        (tmp_path / f"{name}.csv").write_text(text)
    config = tmp_path / "audit.yaml"
    config.write_text(
        "tenants: tenants.csv\nusage: usage.csv\naccess: access.csv\n"
        f'as_of: "2026-11-01T00:00:00Z"\nnetwork_database: {database}\nout: out\n'
    )
    return config


def test_a_missing_network_database_is_a_clear_error(tmp_path: Path, cli) -> None:
    code, out, err = cli("audit", "--config", write_inputs(tmp_path, "nowhere/asn.mmdb"))
    assert code == 2
    assert "asn.mmdb" in err and "MaxMind DB" in err
    assert_no_traceback(out + err)


def test_the_run_records_the_database_that_weighed_network_kinds(tmp_path: Path, cli) -> None:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN")
    writer.insert_network(
        IPSet(["203.0.113.0/24"]), {"autonomous_system_organization": "Example VPN Hosting"}
    )
    writer.to_db_file(str(tmp_path / "asn.mmdb"))
    code, out, err = cli("audit", "--config", write_inputs(tmp_path, "asn.mmdb"))
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert manifest["network_links"] == {"max_network_tenants": 10, "network_database": "asn.mmdb"}
