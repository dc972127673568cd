"""`auditor --help` and `auditor rules validate` start without the heavy stack (issue 10 item 4).

Checked by what a fresh interpreter has imported, not by timing (timed tests flake on a busy
machine): the cloud SDKs, pyarrow and rapidfuzz cost most of a slow start.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from auditor.cli.main import COMMANDS, SUMMARIES
from auditor.cli.main import cli as auditor_group

SDKS_AND_MATCHERS = {
    "boto3",
    "botocore",
    "google",
    "azure",
    "rapidfuzz",
    "pyarrow",
    "pypinyin",
    "moto",
}
PROBE = """
import json, sys
from auditor.cli.main import main
code = main({args!r})
print(json.dumps({{"code": code, "modules": sorted({{m.split(".")[0] for m in sys.modules}})}}), file=sys.stderr)
"""


def imported_by(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def test_help_imports_no_sdk_no_matcher_no_dataframe_library() -> None:
    code, modules = imported_by("--help")
    assert code == 0
    assert not modules & (SDKS_AND_MATCHERS | {"polars", "numpy", "rich", "pydantic"}), sorted(
        modules & (SDKS_AND_MATCHERS | {"polars", "rich"})
    )


@pytest.mark.parametrize(
    "args", [("rules", "validate"), ("rules", "--help"), ("-v", "rules", "validate")]
)
def test_rules_validate_imports_no_sdk_and_no_matcher(args: tuple[str, ...]) -> None:
    code, modules = imported_by(*args)
    assert code == 0
    assert not modules & SDKS_AND_MATCHERS, sorted(modules & SDKS_AND_MATCHERS)
    assert "rich" not in modules  # nothing it prints needs it


def test_every_command_has_the_summary_help_lists() -> None:
    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(auditor_group)
    for name in COMMANDS:
        command = auditor_group.get_command(ctx, name)
        assert command is not None, name
        assert command.get_short_help_str(limit=300) == SUMMARIES[name], name


def test_help_lists_every_command(cli) -> None:
    code, out, _ = cli("--help")
    assert code == 0
    listed = {
        line.split()[0]
        for line in out.split("Commands:")[1].splitlines()
        if line.startswith("  ") and not line.startswith("   ")
    }
    assert listed == set(COMMANDS)


def test_the_audit_stack_imports_no_sdk_and_leaves_pinyin_to_the_first_han_text() -> None:
    """`auditor audit` imports its pipeline at start; the cloud SDKs and pypinyin's phrase
    dictionary (a quarter of a second) wait until a collection or a Han character needs them."""
    probe = (
        "import json, sys\n"
        "import auditor.run, auditor.cli.audit_cmd, auditor.report.write\n"
        "from auditor.screening.normalize import transliterate\n"
        "before = sorted({m.split('.')[0] for m in sys.modules})\n"
        "transliterate('北京')\n"
        "print(json.dumps([before, 'pypinyin' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert not set(before) & (SDKS_AND_MATCHERS - {"rapidfuzz", "pyarrow"}), sorted(
        set(before) & SDKS_AND_MATCHERS
    )
    assert after  # the first Han text loads it


def test_reading_a_parquet_tenants_file_leaves_pyarrow_unimported(tmp_path) -> None:
    """The duplicate-column check reads the footer with Polars; pyarrow (and numpy, a quarter
    second) is imported only to name the columns of a file that repeats one."""
    import polars as pl

    from auditor_testkit import EXAMPLES

    path = tmp_path / "tenants.parquet"
    pl.read_csv(EXAMPLES / "provider" / "tenants.csv", infer_schema=False).write_parquet(path)
    probe = (
        "import json, sys\n"
        "from auditor.model.inputs import load_tenant_table\n"
        f"rows = load_tenant_table({str(path)!r}).height\n"
        "print(json.dumps([rows, 'pyarrow' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    rows, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert rows > 1000 and not imported
