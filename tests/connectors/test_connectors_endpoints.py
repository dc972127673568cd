"""`endpoint:` and the sovereign-cloud switches: the real SDK clients reach local servers only through the config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.cli.main import main
from auditor.connectors import collect, load_connectors_config, read_snapshot
from auditor.connectors.aws import AwsConnector
from auditor.connectors.azure import clients_from_settings as azure_from_settings
from auditor.connectors.config import AwsSettings, AzureSettings, GcpSettings
from auditor.connectors.gcp import clients_from_settings as gcp_from_settings
from auditor.errors import ConfigError

from test_connectors_azure import SUB_A, Arm
from test_connectors_gcp import Gcp

FAST_RETRY = {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02}


@pytest.fixture
def moto_server(aws_env: None) -> Any:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_aws_collect_reaches_a_moto_server_through_the_config(
    moto_server: str, tmp_path: Path, capsys: Any
) -> None:
    import boto3

    boto3.client("organizations", endpoint_url=moto_server).create_organization(FeatureSet="ALL")
    boto3.client("ec2", endpoint_url=moto_server).run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2, InstanceType="p4d.24xlarge"
    )
    config = tmp_path / "aws.yaml"
    config.write_text(
        f"aws:\n  endpoint: {{url: '{moto_server}', allow_http: true}}\n  role_name: null\n  regions: [us-east-1]\n"
        "  cloudtrail: {enabled: false}\n  retry: {attempts: 2, base_delay: 0.01}\n"
    )
    assert (
        main(
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
        == 0
    ), capsys.readouterr().err
    snap = read_snapshot(tmp_path / "snap")
    assert snap.manifest["complete"] and snap.usage["instance_type"].to_list() == [
        "p4d.24xlarge",
        "p4d.24xlarge",
    ]


def test_aws_partition_sets_home_region_and_role_partition(aws_env: None) -> None:
    for partition, region in [
        ("aws", "us-east-1"),
        ("aws-us-gov", "us-gov-west-1"),
        ("aws-cn", "cn-north-1"),
    ]:
        connector = AwsConnector(AwsSettings(partition=partition))
        assert connector.home_region == region and connector.clients.session.region_name == region
    assert (
        AwsConnector(AwsSettings(partition="aws-cn", home_region="cn-northwest-1")).home_region
        == "cn-northwest-1"
    )


@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_requests_go_through_the_configured_proxy(provider: str, local_api: Any) -> None:
    """The endpoint host does not resolve; only the proxy (a local server reading absolute URLs) can answer."""
    route = Gcp() if provider == "gcp" else Arm("http://api.example.invalid")
    proxy = local_api(route)
    endpoint = {
        "url": "http://api.example.invalid",
        "allow_http": True,
        "proxy": proxy.url,
        "auth": "none",
    }
    section = {"organization": "123"} if provider == "gcp" else {"subscriptions": []}
    result = collect(
        provider, {**section, "endpoint": endpoint, "retry": FAST_RETRY}, progress=False
    )
    assert result.usage.height > 0
    assert proxy.requests and all(
        r.startswith("http://api.example.invalid/") for r in proxy.requests
    )


def test_plain_http_needs_allow_http_and_bad_urls_are_located(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("azure:\n  endpoint:\n    url: http://127.0.0.1:9\n")
    with pytest.raises(ConfigError, match=r"c\.yaml:3.*allow_http"):
        load_connectors_config(path)
    path.write_text("gcp:\n  endpoint:\n    proxy: socks://x\n")
    with pytest.raises(ConfigError, match=r"proxy must be an http:// or https:// URL"):
        load_connectors_config(path)
    path.write_text("aws:\n  partition: aws-gov\n")
    with pytest.raises(ConfigError, match=r"c\.yaml:2.*aws\.partition"):
        load_connectors_config(path)
    assert (
        AzureSettings(endpoint={"url": "https://arm.internal.example"}).endpoint.url
        == "https://arm.internal.example"
    )


def test_missing_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ca_bundle .*not a file"):
        azure_from_settings(
            AzureSettings(endpoint={"ca_bundle": str(tmp_path / "none.pem"), "auth": "none"})
        )
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n")
    clients = azure_from_settings(AzureSettings(endpoint={"ca_bundle": str(pem), "auth": "none"}))
    assert clients.client_options["connection_verify"] == str(pem)
    gcp = gcp_from_settings(
        GcpSettings(
            endpoint={"ca_bundle": str(pem), "proxy": "http://proxy.example:3128", "auth": "none"}
        )
    )
    assert gcp.instances._transport._session.verify == str(pem)
    assert gcp.instances._transport._session.proxies["https"] == "http://proxy.example:3128"


@pytest.mark.parametrize(
    ("cloud", "arm"),
    [
        ("public", "https://management.azure.com"),
        ("china", "https://management.chinacloudapi.cn"),
        ("usgov", "https://management.usgovcloudapi.net"),
    ],
)
def test_azure_cloud_selects_resource_manager_and_token_scope(cloud: str, arm: str) -> None:
    clients = azure_from_settings(AzureSettings(cloud=cloud))
    assert clients.base_url == arm and clients.request_options == {}
    compute = clients.compute(SUB_A)
    assert compute._config.credential_scopes == [f"{arm}/.default"]


def test_gcp_universe_domain_selects_the_endpoint() -> None:
    clients = gcp_from_settings(
        GcpSettings(universe_domain="example-universe.test", endpoint={"auth": "none"})
    )
    assert clients.instances.api_endpoint == "compute.example-universe.test"
    assert clients.projects.api_endpoint == "cloudresourcemanager.example-universe.test"
    assert (
        gcp_from_settings(GcpSettings(endpoint={"auth": "none"})).instances.api_endpoint
        == "compute.googleapis.com"
    )


def test_audit_config_nests_endpoints_under_connectors(tmp_path: Path) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text(
        json.dumps(
            {
                "connectors": {
                    "gcp": {"endpoint": {"url": "https://gcp.internal", "proxy": "http://p:1"}}
                }
            }
        )
    )
    config = load_connectors_config(path)
    assert config.gcp is not None and config.gcp.endpoint.proxy == "http://p:1"
