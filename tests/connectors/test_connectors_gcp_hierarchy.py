"""GCP projects in nested folders under an organization, with the real REST clients against a local server."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from connector_servers import aws_env, local_api  # noqa: F401 - fixtures
from auditor.connectors import collect

from test_connectors_gcp import instance, project

FAST_RETRY = {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02}
# organizations/9 -> folders/1 (two pages of children) -> folders/11 -> folders/111 (deep); folders/2 deleted; folders/3 denied
TREE: dict[str, list[tuple[str, str]]] = {
    "organizations/9": [
        ("folders/1", "ACTIVE"),
        ("folders/2", "DELETE_REQUESTED"),
        ("folders/3", "ACTIVE"),
    ],
    "folders/1": [("folders/11", "ACTIVE"), ("folders/12", "ACTIVE")],
    "folders/11": [("folders/111", "ACTIVE")],
    "folders/12": [],
    "folders/111": [("folders/1", "ACTIVE")],
    "folders/2": [],  # 111 -> 1: a cycle a bad server might describe
}
PROJECTS = {
    "organizations/9": ["top"],
    "folders/1": ["mid"],
    "folders/11": [],
    "folders/111": ["deep"],
    "folders/2": ["gone"],
    "folders/12": [],
}


def folder(name: str, parent: str, state: str) -> dict[str, Any]:
    return {"name": name, "parent": parent, "displayName": name, "state": state}


class Hierarchy:
    def __call__(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        parent, token = query.get("parent", [""])[0], query.get("pageToken", [""])[0]
        if path == "/v3/folders":
            if parent == "folders/3":
                return 403, {
                    "error": {"code": 403, "message": "denied", "status": "PERMISSION_DENIED"}
                }
            children = [folder(n, parent, s) for n, s in TREE[parent]]
            if parent == "folders/1":  # paged: one child per page
                return 200, (
                    {"folders": children[:1], "nextPageToken": "f2"}
                    if not token
                    else {"folders": children[1:]}
                )
            return 200, {"folders": children}
        if path == "/v3/projects":
            if parent == "folders/3":
                return 200, {"projects": [project("third", {})]}
            return 200, {
                "projects": [
                    {**project(p, {"tenant_id": f"t-{p}"}), "parent": parent}
                    for p in PROJECTS[parent]
                ]
            }
        if path.endswith("/aggregated/instances"):
            pid = path.split("/")[4]
            return 200, {
                "items": {
                    "zones/us-central1-a": {
                        "instances": [
                            instance(pid, "us-central1-a", str(sum(map(ord, pid))), "a3-highgpu-8g")
                        ]
                    }
                }
            }
        if path == "/v2/entries:list":
            return 200, {}
        if path.endswith("/locations"):  # Vertex AI: no locations, so no managed-service reads
            return 200, {"locations": []}
        return 404, {"error": {"code": 404, "message": path, "status": "NOT_FOUND"}}


def _endpoint(api: Any) -> dict[str, Any]:
    return {"url": api.url, "allow_http": True, "auth": "none"}


def test_projects_of_nested_folders_are_read_paged_and_each_once(local_api: Any) -> None:
    api = local_api(Hierarchy())
    result = collect(
        "gcp",
        {"organization": "9", "endpoint": _endpoint(api), "retry": FAST_RETRY},
        progress=False,
    )
    assert sorted(result.tenants["tenant_id"]) == [
        "t-deep",
        "t-mid",
        "t-top",
        "third",
    ]  # not the deleted folder's project
    assert sorted(result.usage["account_id"]) == ["deep", "mid", "third", "top"]
    assert [(g.scope_kind, g.scope, g.operation) for g in result.gaps] == [
        ("service", "folders/3", "resourcemanager.folders.list")
    ]
    assert api.count("pageToken=f2") == 1  # page 2 of folders/1's children
    listed = [
        parse_qs(urlsplit(r).query)["parent"][0]
        for r in api.requests
        if urlsplit(r).path == "/v3/folders"
    ]
    assert (
        listed.count("folders/1") == 2 and len(listed) == len(set(listed)) + 1
    )  # two pages; nothing listed again by the cycle


def test_nested_false_reads_only_direct_projects(local_api: Any) -> None:
    api = local_api(Hierarchy())
    result = collect(
        "gcp",
        {"organization": "9", "nested": False, "endpoint": _endpoint(api), "retry": FAST_RETRY},
        progress=False,
    )
    assert result.tenants["tenant_id"].to_list() == ["t-top"] and result.complete
    assert api.count("/v3/folders") == 0


@pytest.mark.parametrize("root", ["folders/1"])
def test_a_configured_folder_is_a_root_too(local_api: Any, root: str) -> None:
    api = local_api(Hierarchy())
    result = collect(
        "gcp",
        {"folders": [root.split("/")[1]], "endpoint": _endpoint(api), "retry": FAST_RETRY},
        progress=False,
    )
    assert sorted(result.tenants["tenant_id"]) == ["t-deep", "t-mid"] and result.complete
