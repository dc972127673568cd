"""Proof that a speed change kept every answer: the same audit run by two versions of the code, compared file by file.

    python bench/same_answers.py                      # HEAD's code against the working tree's
    python bench/same_answers.py --before main --tenants 20000
    python bench/same_answers.py --before f481b2d --after 41cf54d   # two commits

The earlier version (`--before`, a git ref) is exported with `git archive` into a temporary
folder and run with that folder first on PYTHONPATH; the working tree's code runs as
installed. Each version runs, as separate `auditor audit` processes: the example provider
(examples/audit.yaml, with its ownership and parties files) without a store and twice with
a fresh case store, and a generated provider (bench/scale_gen.py) the same three ways. Every
output file must match: cases.jsonl, the CSV and Markdown/HTML reports byte for byte once
the run's own id and clock times are replaced by placeholders; Parquet files as equal
frames; run.json without `stages` (timings). Decimals are compared to ten significant
digits unless `--exact`: Polars sums floats in whatever order its threads finish, so even
one version run twice can differ in a GPU-hour total's last digits. Exits 1 and names the first differing line of
each file that differs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
EXACT = False  # --exact: floats must match to the last digit too
CLI = "from auditor.cli.main import run; run()"
AS_OF = "2026-11-01T00:00:00+00:00"
RUN_TIMES = ("run_id", "started_at", "finished_at")
DECIMAL = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")
SIGNIFICANT = (
    "{:.10g}"  # a float summed in another order differs in its last digits, not in its first ten
)
RUN_ID = re.compile(
    r"\b\d{8}T\d{6}Z-[0-9a-f]{6}\b"
)  # this run's and the previous run's (auditor.run._new_run_id)


def export(ref: str, into: Path) -> Path:
    """The code (auditor/ and rules/) of one git ref, unpacked into a folder."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "auditor", "rules"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def audit(code: Path | None, args: list[str], out: Path, store: Path | None = None) -> None:
    """One `auditor audit` process; `code` first on PYTHONPATH runs that version instead of the installed one."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-c", CLI, "audit", *args, "--out", str(out)]
    if store is not None:
        command += ["--store", str(store)]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode not in (0, 10):  # 10: alerts, with a store
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")


def placeholders(out: Path) -> dict[str, str]:
    """The run's own id and clock times, which differ between any two runs."""
    manifest = json.loads((out / "run.json").read_text())
    return {str(manifest[key]): f"<{key}>" for key in RUN_TIMES if manifest.get(key)}


def normalised_text(path: Path, marks: dict[str, str]) -> str:
    text = RUN_ID.sub("<a run id>", path.read_text())
    for value, mark in marks.items():
        text = text.replace(value, mark)
        if "T" in value:  # the same instant as a report prints it (date and minutes)
            text = text.replace(value[:16].replace("T", " "), mark)
    if path.suffix in (".md", ".html"):
        text = re.sub(r"\d+\.\d+ s\b", "<seconds>", text)
    return text if EXACT else DECIMAL.sub(lambda m: SIGNIFICANT.format(float(m.group())), text)


def normalised_manifest(path: Path, marks: dict[str, str]) -> object:
    manifest = json.loads(normalised_text(path, marks))
    manifest.pop("stages", None)
    return manifest


def normalised_frame(path: Path, marks: dict[str, str]) -> pl.DataFrame:
    """A Parquet output with run ids replaced, and decimals inside its text columns (evidence JSON) rounded."""
    frame = pl.read_parquet(path)

    def text(value: str | None) -> str | None:
        if value is None:
            return None
        value = marks.get(value, RUN_ID.sub("<a run id>", value))
        return (
            value if EXACT else DECIMAL.sub(lambda m: SIGNIFICANT.format(float(m.group())), value)
        )

    return frame.with_columns(
        pl.Series(c, [text(v) for v in frame[c]], dtype=pl.String)
        for c, t in frame.schema.items()
        if t == pl.String
    )


def first_difference(before: str, after: str) -> str:
    for number, (a, b) in enumerate(zip(before.splitlines(), after.splitlines()), 1):
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            start = max(at - 80, 0)
            return f"line {number}, column {at + 1}:\n  before: {a[start : at + 220]}\n  after:  {b[start : at + 220]}"
    return f"one is a prefix of the other ({len(before)} vs {len(after)} characters)"


def compare(before: Path, after: Path) -> list[str]:
    """Every output file of two runs, normalised; the differences as messages."""
    problems = []
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    marks_b, marks_a = placeholders(before), placeholders(after)
    for name in names:
        b, a = before / name, after / name
        if not (b.exists() and a.exists()):
            problems.append(f"{name}: only in {'before' if b.exists() else 'after'}")
        elif name == "run.json":
            mb, ma = normalised_manifest(b, marks_b), normalised_manifest(a, marks_a)
            if mb != ma:
                problems.append(
                    f"{name}: "
                    + first_difference(
                        json.dumps(mb, indent=1, sort_keys=True),
                        json.dumps(ma, indent=1, sort_keys=True),
                    )
                )
        elif name.endswith(".parquet"):
            fb, fa = normalised_frame(b, marks_b), normalised_frame(a, marks_a)
            try:
                assert_frame_equal(fb, fa, check_exact=EXACT, rel_tol=1e-10, abs_tol=0.0)
            except AssertionError as exc:
                problems.append(f"{name}: frames differ: {str(exc)[:600]}")
        elif b.is_file():
            tb, ta = normalised_text(b, marks_b), normalised_text(a, marks_a)
            if tb != ta:
                problems.append(f"{name}: {first_difference(tb, ta)}")
    return problems


def providers(tenants: int, rows_per_tenant: int, work: Path) -> dict[str, list[str]]:
    """The audits to compare: the example provider and a generated one, as command-line arguments."""
    from scale_gen import generate

    data = work / "generated"
    generate(tenants, tenants * rows_per_tenant, data)
    example_list = REPO / "examples" / "provider" / "lists" / "restricted-parties.csv"
    return {
        "example": ["--config", str(REPO / "examples" / "audit.yaml")],
        "generated": [
            *("--tenants", str(data / "tenants"), "--usage", str(data / "usage")),
            *("--access", str(data / "access"), "--lists", str(example_list)),
            *("--as-of", AS_OF),
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="git ref of the earlier code")
    parser.add_argument(
        "--after", default=None, help="git ref of the later code (default: the working tree)"
    )
    parser.add_argument("--tenants", type=int, default=6000, help="generated provider's tenants")
    parser.add_argument("--rows-per-tenant", type=int, default=10)
    parser.add_argument(
        "--exact", action="store_true", help="floats must match in every digit, not in 10"
    )
    args = parser.parse_args(argv)
    global EXACT
    EXACT = args.exact
    failures = 0
    with tempfile.TemporaryDirectory(prefix="same-answers-") as tmp:
        work = Path(tmp)
        old = export(args.before, work / "before-code")
        new = export(args.after, work / "after-code") if args.after else None
        for name, audit_args in providers(args.tenants, args.rows_per_tenant, work).items():
            for side, code in (("before", old), ("after", new)):
                audit(code, audit_args, work / side / name / "plain")
                store = work / side / name / "cases.db"
                for n in ("1", "2"):
                    audit(code, audit_args, work / side / name / f"store-{n}", store)
            for run in ("plain", "store-1", "store-2"):
                problems = compare(work / "before" / name / run, work / "after" / name / run)
                print(f"{name} {run}: {'same' if not problems else 'DIFFERENT'}")
                for problem in problems:
                    print(f"  {problem}")
                failures += bool(problems)
    print("every answer the same" if not failures else f"{failures} runs differ")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
