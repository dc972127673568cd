"""A coverage gap's error names the failure (type, HTTP status, the service's error code) and never
quotes the response body, which can echo tag values or other tenants' data."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError
from botocore.exceptions import ClientError
from google.api_core import exceptions as google_errors

from connector_servers import local_api  # noqa: F401 - fixture
from auditor.connectors import AzureClients, collect
from auditor.connectors.base import describe_error

BODY = "tag legal_name=Shady Front Ltd owner=Zhang Wei"  # what a server may echo back
SUB = "00000000-0000-0000-0000-0000000000ee"


class StaticToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("token", 4_102_444_800)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo("token", 4_102_444_800)


def test_sdk_http_errors_are_described_by_status_and_code_only():
    cases = [
        (
            ClientError(
                {
                    "Error": {"Code": "AccessDenied", "Message": BODY},
                    "ResponseMetadata": {"HTTPStatusCode": 403},
                },
                "DescribeInstances",
            ),
            "ClientError: HTTP 403 AccessDenied",
        ),
        (google_errors.Forbidden(BODY), "Forbidden: HTTP 403"),
        (google_errors.InternalServerError(BODY), "InternalServerError: HTTP 500"),
    ]
    for error, expected in cases:
        assert describe_error(error) == expected
    assert describe_error(
        ConnectionError("connection refused by https://u:secret@host/x?token=t")
    ) == ("ConnectionError: connection refused by https://REDACTED@host/x?token=REDACTED")


def test_an_azure_error_body_never_reaches_the_coverage_gap(local_api):  # noqa: F811 - fixture
    def route(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        if path == f"/subscriptions/{SUB}":
            return 200, {
                "id": f"/subscriptions/{SUB}",
                "subscriptionId": SUB,
                "displayName": "E",
                "state": "Enabled",
                "tags": {},
            }
        return 403, {"error": {"code": "AuthorizationFailed", "message": BODY}}

    api = local_api(route)
    clients = AzureClients(
        credential=StaticToken(),
        base_url=api.url,
        request_options={"enforce_https": False},
        client_options={"retry_total": 0},
    )
    result = collect(
        "azure",
        {"subscriptions": [SUB], "retry": {"attempts": 1, "base_delay": 0.01, "max_delay": 0.02}},
        clients=clients,
        progress=False,
    )
    assert result.gaps, "the denied listing is a coverage gap"
    for gap in result.gaps:
        assert "Shady" not in gap.error and "Zhang" not in gap.error
        assert gap.error == "HttpResponseError: HTTP 403 AuthorizationFailed"


def test_an_aws_error_without_a_status_says_so_and_never_invents_one():
    """botocore raises ClientError without ResponseMetadata for some parse failures: the gap
    says "HTTP error" and the code, not a made-up status."""
    error = ClientError({"Error": {"Code": "Throttling", "Message": BODY}}, "DescribeInstances")
    assert describe_error(error) == "ClientError: HTTP error Throttling"
    no_code = ClientError({"Error": {"Message": BODY}}, "DescribeInstances")
    assert describe_error(no_code) == "ClientError: HTTP error"


def test_an_azure_error_without_a_response_keeps_its_first_line():
    assert (
        describe_error(HttpResponseError(message="no response\nsecond line"))
        == "HttpResponseError: no response"
    )
