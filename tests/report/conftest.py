"""The example audit, run once for all report tests: its output folder, records and manifest."""

from __future__ import annotations

import json

import pytest

from auditor_testkit import EXAMPLES


@pytest.fixture(scope="session")
def example_out(tmp_path_factory):
    from auditor.cli.main import main

    out = tmp_path_factory.mktemp("report")
    assert main(["audit", "--config", str(EXAMPLES / "audit.yaml"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def example_records(example_out):
    return [
        json.loads(line)
        for line in (example_out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture(scope="session")
def example_manifest(example_out):
    return json.loads((example_out / "run.json").read_text(encoding="utf-8"))
