"""The configs in docs/object-storage.md and docs/scheduling.md load as audit configs."""

from __future__ import annotations

import re

import pytest
import yaml

from auditor.config import AuditConfig
from auditor_testkit import REPO


def _yaml_blocks(name: str) -> list[str]:
    text = (REPO / "docs" / name).read_text()
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("name", ["object-storage.md", "scheduling.md"])
def test_storage_examples_are_valid_configs(name, tmp_path):
    blocks = [b for b in _yaml_blocks(name) if "storage:" in b or "://" in b]
    assert blocks
    for block in blocks:
        data = yaml.safe_load(block)
        if (
            "notify" in data or "kind" in data
        ):  # scheduling.md's notify blocks are checked elsewhere
            continue
        if {"aws", "gcp", "azure"} & set(data):  # a connectors config, for `collect`
            from auditor.connectors.config import load_collect_config

            path = tmp_path / "connectors.yaml"
            path.write_text(block)
            _, storage = load_collect_config(path)
            assert storage.model_dump() != type(storage)().model_dump()
            continue
        config = AuditConfig.model_validate(data)
        assert config.storage is not None
