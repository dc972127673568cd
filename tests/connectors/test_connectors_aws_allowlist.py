"""The AWS `accounts:` allow-list: a typo is never a clean, complete collection of nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from connector_servers import aws_env  # noqa: F401 - fixture
from auditor.cli.main import main
from auditor.connectors import AwsClients, collect
from auditor.errors import EXIT_CONNECTOR, ConnectorError

FAST_RETRY = {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02}
TYPO = "999999999999"


@pytest.fixture
def member(aws_env: None) -> Any:
    """An organization with one tagged member account running one GPU instance."""
    with mock_aws():
        org = boto3.client("organizations")
        org.create_organization(FeatureSet="ALL")
        status = org.create_account(
            Email="acme@example.com",
            AccountName="acme",
            Tags=[{"Key": "tenant_id", "Value": "T-ACME"}],
        )
        yield status["CreateAccountStatus"]["AccountId"]


def _settings(accounts: list[str]) -> dict[str, Any]:
    return {
        "regions": ["us-east-1"],
        "accounts": accounts,
        "cloudtrail": {"enabled": False},
        "retry": FAST_RETRY,
        "tag_map": {"tenant_id": "tenant_id"},
    }


def _clients() -> AwsClients:
    return AwsClients(session=boto3.Session(region_name="us-east-1"))


def test_an_allow_list_matching_no_account_is_a_connector_error(member: str) -> None:
    with pytest.raises(ConnectorError, match=TYPO):
        collect("aws", _settings([TYPO]), clients=_clients(), progress=False)


def test_allow_listed_ids_the_organization_lacks_are_gaps_and_the_rest_is_read(member: str) -> None:
    result = collect("aws", _settings([member, TYPO]), clients=_clients(), progress=False)
    assert result.tenants["tenant_id"].to_list() == ["T-ACME"]
    assert [(g.scope_kind, g.scope, g.operation) for g in result.gaps] == [
        ("account", TYPO, "organizations:ListAccounts")
    ]
    assert result.manifest["complete"] is False


def test_an_allow_list_that_matches_every_id_is_complete(member: str) -> None:
    result = collect("aws", _settings([member]), clients=_clients(), progress=False)
    assert result.tenants["tenant_id"].to_list() == ["T-ACME"]
    assert result.gaps == [] and result.manifest["complete"] is True


def test_cli_collect_exits_3_and_writes_nothing_when_the_allow_list_matches_nothing(
    member: str, tmp_path: Path, capsys: Any
) -> None:
    config = tmp_path / "aws.yaml"
    config.write_text(
        f"aws:\n  regions: [us-east-1]\n  accounts: ['{TYPO}']\n  cloudtrail: {{enabled: false}}\n  retry: {{attempts: 2, base_delay: 0.01}}\n"
    )
    code = main(
        ["collect", "--provider", "aws", "--config", str(config), "--out", str(tmp_path / "snap")]
    )
    err = capsys.readouterr().err
    assert code == EXIT_CONNECTOR == 3
    assert TYPO in err and "Traceback" not in err
    assert not (tmp_path / "snap" / "manifest.json").exists()


def test_an_organization_that_cannot_be_listed_is_a_connector_error_naming_the_fault(
    member: str,
) -> None:
    from botocore.exceptions import ClientError

    def deny(**_: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": "AccessDeniedException", "Message": "no"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            },
            "ListAccounts",
        )

    clients = AwsClients(
        session=boto3.Session(region_name="us-east-1"),
        session_hook=lambda s: s.events.register("before-call.organizations.ListAccounts", deny),
    )
    with pytest.raises(ConnectorError) as info:
        collect("aws", _settings([]), clients=clients, progress=False)
    assert "cannot list the organization's accounts: ClientError" in str(info.value)
    assert "AccessDeniedException" in str(info.value) and "(after 1 attempt(s))" in str(info.value)
