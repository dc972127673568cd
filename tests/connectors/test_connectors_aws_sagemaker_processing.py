"""SageMaker processing jobs, read by the real boto3 client through the config's `endpoint:`.

moto's DescribeProcessingJob has no `ProcessingResources`, so the endpoint is a small local
server that answers `SageMaker.ListProcessingJobs` (paged with NextToken) and
`SageMaker.DescribeProcessingJob` itself, in SageMaker's awsJson1_1 protocol with the
documented response shapes, and forwards every other request (Organizations, SageMaker's
other listings) to a moto server.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import boto3
import polars as pl
import pytest
from moto.server import ThreadedMotoServer

from connector_servers import aws_env  # noqa: F401 - fixture
from auditor.catalog import resolve_usage
from auditor.cli.main import main
from auditor.connectors import collect, read_snapshot
from auditor.model.schema import USAGE

ACCOUNT = "123456789012"
ROLE = "arn:aws:iam::123456789012:role/sagemaker"
FAST_RETRY = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.02}
PAGE = 2  # jobs per ListProcessingJobs page, so a handful of jobs takes several pages
DAY = 86400.0
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")


def _arn(region: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{ACCOUNT}:processing-job/{name}"


def _job(
    name: str,
    itype: str,
    count: int,
    status: str,
    started: float | None,
    ended: float | None,
) -> dict[str, Any]:
    """DescribeProcessingJob's documented response, times as awsJson epoch seconds."""
    created = (started or time.time()) - 60
    detail: dict[str, Any] = {
        "ProcessingJobName": name,
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": count, "InstanceType": itype, "VolumeSizeInGB": 30}
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/prep:1"},
        "RoleArn": ROLE,
        "ProcessingJobStatus": status,
        "CreationTime": created,
        "LastModifiedTime": ended or created,
    }
    if started is not None:
        detail["ProcessingStartTime"] = started
    if ended is not None:
        detail["ProcessingEndTime"] = ended
    return detail


def _flexible(name: str, started: float) -> dict[str, Any]:
    """A job given InstancePreferences: SageMaker reports the type and count it selected."""
    detail = _job(name, "unused", 0, "InProgress", started, None)
    detail["ProcessingResources"]["ClusterConfig"] = {
        "VolumeSizeInGB": 30,
        "InstancePreferences": [
            {"InstanceType": "ml.p5.48xlarge", "InstanceCount": 1},
            {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 2},
        ],
        "SelectedInstanceType": "ml.p4d.24xlarge",
        "SelectedInstanceCount": 2,
    }
    return detail


@dataclass
class ProcessingApi:
    """Processing jobs per region, a failure to answer per (region, target), and every call seen."""

    jobs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # -> error __type
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    def answer(self, region: str, target: str, body: dict[str, Any]) -> tuple[int, Any]:
        self.calls.append((region, target, body))
        failure = self.failures.get((region, target)) or self.failures.get(
            (region, f"{target}/{body.get('ProcessingJobName')}")
        )
        if failure:
            return 400, {"__type": failure, "message": "injected"}
        jobs = self.jobs.get(region, [])
        if target == "ListProcessingJobs":
            after = body.get("CreationTimeAfter")
            listed = [j for j in jobs if after is None or j["CreationTime"] > after]
            offset = int(body.get("NextToken") or 0)
            page = listed[offset : offset + min(int(body.get("MaxResults") or PAGE), PAGE)]
            summaries = [
                {
                    "ProcessingJobName": j["ProcessingJobName"],
                    "ProcessingJobArn": _arn(region, j["ProcessingJobName"]),
                    "CreationTime": j["CreationTime"],
                    "ProcessingJobStatus": j["ProcessingJobStatus"],
                    **(
                        {"ProcessingEndTime": j["ProcessingEndTime"]}
                        if "ProcessingEndTime" in j
                        else {}
                    ),
                }
                for j in page
            ]
            out: dict[str, Any] = {"ProcessingJobSummaries": summaries}
            if offset + PAGE < len(listed):
                out["NextToken"] = str(offset + PAGE)
            return 200, out
        for job in jobs:
            if job["ProcessingJobName"] == body.get("ProcessingJobName"):
                return 200, {**job, "ProcessingJobArn": _arn(region, job["ProcessingJobName"])}
        return 400, {"__type": "ValidationException", "message": "Could not find job"}

    def listed(self, region: str) -> list[dict[str, Any]]:
        return [b for r, t, b in self.calls if r == region and t == "ListProcessingJobs"]


def _serve(api: ProcessingApi, moto_url: str) -> ThreadingHTTPServer:
    moto = urlsplit(moto_url)

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, body: bytes) -> None:
            conn = http.client.HTTPConnection(moto.hostname or "127.0.0.1", moto.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = [
                (k, v)
                for k, v in resp.getheaders()
                if k.lower() not in {"content-length", "transfer-encoding", "connection"}
            ]
            conn.close()
            self._reply(resp.status, data, kept)

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target") or ""
            service, _, operation = target.partition(".")
            if service == "SageMaker" and operation in {
                "ListProcessingJobs",
                "DescribeProcessingJob",
            }:
                found = _REGION.search(self.headers.get("Authorization") or "")
                region = found.group(1) if found else "?"
                status, answer = api.answer(region, operation, json.loads(body or b"{}"))
                self._reply(
                    status,
                    json.dumps(answer).encode(),
                    [("Content-Type", "application/x-amz-json-1.1")],
                )
            else:
                self._forward(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self._forward(b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


@pytest.fixture
def processing(aws_env: None) -> Iterator[ProcessingApi]:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    moto_url = f"http://{host}:{port}"
    urlopen(Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10).read()
    api = ProcessingApi()
    server = _serve(api, moto_url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    boto3.client("organizations", endpoint_url=moto_url).create_organization(FeatureSet="ALL")
    for region in ("us-east-1", "us-west-2"):
        boto3.client("sagemaker", region_name=region, endpoint_url=moto_url).create_training_job(
            TrainingJobName="train-h100",
            AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
            RoleArn=ROLE,
            OutputDataConfig={"S3OutputPath": "s3://b/o"},
            ResourceConfig={
                "InstanceType": "ml.p5.48xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )
    now = time.time()
    api.jobs["us-east-1"] = [
        _job("prep-h100", "ml.p5.48xlarge", 2, "Completed", now - 3 * DAY, now - 2 * DAY),
        _job("prep-running", "ml.g5.12xlarge", 1, "InProgress", now - DAY, None),
        _job("prep-stopping", "ml.p4d.24xlarge", 1, "Stopping", now - DAY, None),
        _job("prep-cpu", "ml.m5.xlarge", 4, "Completed", now - 2 * DAY, now - DAY),
        _job("prep-queued", "ml.g5.xlarge", 3, "InProgress", None, None),
        _job("prep-old", "ml.p5.48xlarge", 1, "Completed", now - 200 * DAY, now - 199 * DAY),
        _flexible("prep-flex", now - DAY),
    ]
    api.jobs["us-west-2"] = [
        _job("prep-west", "ml.p5.48xlarge", 1, "Completed", now - 2 * DAY, now - DAY)
    ]
    yield api
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    urlopen(Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10).read()
    moto.stop()


def _settings(api: ProcessingApi, **extra: Any) -> dict[str, Any]:
    return {
        "endpoint": {"url": api.url, "allow_http": True},
        "regions": ["us-east-1", "us-west-2"],
        "role_name": None,
        "retry": FAST_RETRY,
        "cloudtrail": {"enabled": False},
        **extra,
    }


def _processing_rows(usage: pl.DataFrame, region: str) -> pl.DataFrame:
    return usage.filter(
        pl.col("region") == region, pl.col("instance_id").str.contains(":processing-job/")
    ).sort("instance_id")


def test_processing_jobs_are_paged_and_one_row_per_instance(processing: ProcessingApi) -> None:
    result = collect("aws", _settings(processing), progress=False)
    assert result.gaps == [] and result.manifest["complete"]
    assert result.usage.schema == pl.Schema(USAGE.polars_schema())
    east = _processing_rows(result.usage, "us-east-1")
    counts = dict(east.group_by("instance_type").len().iter_rows())
    # the CPU job is not an accelerator type and is left out; the old one is outside the lookback
    assert counts == {
        "ml.p5.48xlarge": 2,
        "ml.g5.12xlarge": 1,
        "ml.p4d.24xlarge": 1 + 2,  # prep-stopping, and the type prep-flex was given
        "ml.g5.xlarge": 3,
    }
    assert set(east["service"]) == {"sagemaker"} and set(east["account_id"]) == {ACCOUNT}
    h100 = east.filter(pl.col("instance_id").str.contains("prep-h100"))
    assert h100["instance_id"].to_list() == [
        f"{_arn('us-east-1', 'prep-h100')}#0",
        f"{_arn('us-east-1', 'prep-h100')}#1",
    ]
    assert east["instance_id"].n_unique() == east.height

    listed = processing.listed("us-east-1")
    assert len(listed) == 3  # six jobs in the window, two a page
    assert [b.get("NextToken") for b in listed] == [None, "2", "4"]
    after = listed[0]["CreationTimeAfter"]
    assert abs(after - (time.time() - 90 * DAY)) < 3600  # the default lookback_days

    done = east.filter(pl.col("instance_id").str.contains("prep-h100"))
    job = next(j for j in processing.jobs["us-east-1"] if j["ProcessingJobName"] == "prep-h100")
    assert done["start"].dt.epoch("s").to_list() == [int(job["ProcessingStartTime"])] * 2
    assert done["end"].dt.epoch("s").to_list() == [int(job["ProcessingEndTime"])] * 2

    running = east.filter(pl.col("instance_id").str.contains("prep-running|prep-stopping"))
    assert running.height == 2 and running["end"].null_count() == 2  # still running: no end
    flexible = east.filter(pl.col("instance_id").str.contains("prep-flex"))
    assert flexible["instance_type"].to_list() == ["ml.p4d.24xlarge"] * 2
    queued = east.filter(pl.col("instance_id").str.contains("prep-queued"))
    queued_job = next(
        j for j in processing.jobs["us-east-1"] if j["ProcessingJobName"] == "prep-queued"
    )
    # not started yet: the start is its creation time
    assert set(queued["start"].dt.epoch("s")) == {int(queued_job["CreationTime"])}

    resolved = resolve_usage(east).usage
    p5 = resolved.filter(pl.col("instance_type") == "ml.p5.48xlarge")
    assert set(p5["restricted"]) == {True} and set(p5["gpu_count"]) == {8}


def test_a_cpu_only_processing_job_is_no_restricted_gpu(processing: ProcessingApi) -> None:
    result = collect("aws", _settings(processing, instance_types=["m*"]), progress=False)
    east = _processing_rows(result.usage, "us-east-1")
    assert east["instance_type"].to_list() == ["ml.m5.xlarge"] * 4
    resolved = resolve_usage(east).usage
    assert set(resolved["gpu_count"]) == {0} and set(resolved["restricted"]) == {False}


@pytest.mark.parametrize(
    ("error", "attempts"), [("AccessDeniedException", 1), ("ThrottlingException", 3)]
)
def test_a_failing_processing_listing_is_a_gap_and_training_jobs_are_still_read(
    processing: ProcessingApi, error: str, attempts: int
) -> None:
    processing.failures[("us-west-2", "ListProcessingJobs")] = error
    result = collect("aws", _settings(processing), progress=False)
    assert [(g.scope_kind, g.scope, g.operation, g.attempts) for g in result.gaps] == [
        ("service", f"{ACCOUNT}/us-west-2/sagemaker", "sagemaker:ListProcessingJobs", attempts)
    ]
    assert error in result.gaps[0].error
    assert not result.manifest["complete"]
    assert len(processing.listed("us-west-2")) == attempts  # a denial is not retried
    west = result.usage.filter(pl.col("region") == "us-west-2")
    assert _processing_rows(west, "us-west-2").height == 0
    training = west.filter(pl.col("instance_id").str.contains(":training-job/train-h100"))
    assert training["instance_type"].to_list() == ["ml.p5.48xlarge"]
    assert _processing_rows(result.usage, "us-east-1").height == 9  # the other region is whole


def test_a_failing_describe_is_a_gap_and_the_other_jobs_are_still_read(
    processing: ProcessingApi,
) -> None:
    processing.failures[("us-east-1", "DescribeProcessingJob/prep-running")] = (
        "AccessDeniedException"
    )
    result = collect("aws", _settings(processing), progress=False)
    assert [(g.scope, g.operation) for g in result.gaps] == [
        (f"{ACCOUNT}/us-east-1/sagemaker", "sagemaker:DescribeProcessingJob")
    ]
    east = _processing_rows(result.usage, "us-east-1")
    assert east.height == 8 and not east["instance_id"].str.contains("prep-running").any()


def test_collect_through_the_config_writes_processing_jobs_to_the_snapshot(
    processing: ProcessingApi, tmp_path: Path, capsys: Any
) -> None:
    config = tmp_path / "aws.yaml"
    config.write_text(
        f"aws:\n  endpoint: {{url: '{processing.url}', allow_http: true}}\n  role_name: null\n"
        "  regions: [us-west-2]\n  cloudtrail: {enabled: false}\n"
        "  retry: {attempts: 2, base_delay: 0.01}\n"
    )
    code = main(
        ["collect", "--provider", "aws", "--config", str(config), "--out", str(tmp_path / "snap")]
    )
    assert code == 0, capsys.readouterr().err
    snap = read_snapshot(tmp_path / "snap")
    assert snap.manifest["complete"]
    rows = snap.usage.filter(pl.col("service") == "sagemaker").sort("instance_id")
    assert rows.select("instance_id", "instance_type", "region").rows() == [
        (f"{_arn('us-west-2', 'prep-west')}#0", "ml.p5.48xlarge", "us-west-2"),
        (
            f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:training-job/train-h100#0",
            "ml.p5.48xlarge",
            "us-west-2",
        ),
    ]
    west = processing.jobs["us-west-2"][0]
    processing_row = rows.row(0, named=True)
    assert processing_row["end"] is not None
    assert int(processing_row["end"].timestamp()) == int(west["ProcessingEndTime"])
