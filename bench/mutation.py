"""Mutation testing: plant one small bug at a time in the modules the answers depend on, and
check that the tests meant for each module fail.

A mutant that survives is either a gap in the tests (write a behaviour test that kills it)
or equivalent -- it changes no observable behaviour; those are listed with a reason in
bench/mutation-equivalent.md and counted apart. The target is at most 10% non-equivalent
survivors per module.

    python bench/mutation.py --sample 8          # a few minutes: 8 mutants per module
    python bench/mutation.py                     # the full run: every mutant (a benchmark)
    python bench/mutation.py --modules auditor/scoring/weighted.py --list

Mutants are made on the AST (comparison boundaries, arithmetic and Boolean/bitwise
operators, `not`/`~`, numeric and Boolean constants, Polars method pairs such as
min/max and is_null/is_not_null, join kinds, and deleted call statements), unparsed into
a private copy of the repository, and tested there with the module's own tests in a fresh
interpreter: `pytest -x`, so a killed mutant stops at its first failure. A timeout counts
as killed (a mutant that never terminates is caught). Docstrings, log calls, type
annotations and lines marked `# pragma: no mutate` are not mutated.
"""

from __future__ import annotations

import argparse
import ast
import calendar
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from mutation_map import CoverageMap, build_map, sha256, subprocess_test_files
from mutation_worker import pytest_status

REPO = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = REPO / "bench" / "mutation-equivalent.md"
TARGET_SURVIVOR_RATE = 0.10

E2E = ["tests/test_end_to_end.py"]
# Module -> the tests meant to catch its bugs (the folder that mirrors it, plus the end-to-end run).
REUSE = ["tests/store/test_store_reuse.py", "tests/test_reuse_fingerprint.py"]
MODULES: dict[str, list[str]] = {
    # Reuse of an unchanged run's answer (issue 10): a bug here gives a stale or wrong answer.
    "auditor/reuse/fingerprint.py": REUSE,
    "auditor/reuse/decide.py": [*REUSE, "tests/test_audit_from_snapshot.py"],
    "auditor/reuse/bundle.py": REUSE,
    "auditor/reuse/keep.py": REUSE,
    "auditor/reuse/lines.py": [*REUSE, "tests/test_reuse_lines.py"],
    "auditor/jsonwrite.py": [
        "tests/test_jsonwrite.py",
        "tests/test_record_lines.py",
        "tests/store",
    ],
    "auditor/report/selection.py": ["tests/report"],
    "auditor/scoring/weighted.py": [
        "tests/test_scoring_weighted.py",
        "tests/test_scoring_cases.py",
        "tests/test_priority_bands.py",
        "tests/test_case_ids.py",
        *E2E,
    ],
    "auditor/engine/operators.py": ["tests/engine", *E2E],
    "auditor/engine/compile.py": ["tests/engine", *E2E],
    "auditor/engine/evaluate.py": ["tests/engine", *E2E],
    "auditor/features/identity.py": ["tests/features", *E2E],
    "auditor/features/access.py": ["tests/features", *E2E],
    "auditor/features/usage.py": ["tests/features", *E2E],
    "auditor/features/links.py": ["tests/features", "tests/test_case_ids.py", *E2E],
    "auditor/features/screening.py": ["tests/features", *E2E],
    "auditor/cases/build.py": [
        "tests/test_case_exposure.py",
        "tests/test_scoring_cases.py",
        "tests/test_priority_bands.py",
        "tests/test_case_ids.py",
        *E2E,
    ],
    "auditor/cases/changes.py": [
        "tests/store/test_store_changes.py",
        "tests/store/test_store_change_boundaries.py",
        "tests/test_case_ids.py",
        "tests/store/test_store_scheduling.py",
    ],
    "auditor/cases/compare.py": ["tests/test_compare_cases.py", "tests/test_backtest.py"],
    "auditor/store/sqlite.py": ["tests/store", "tests/screening/test_cache.py"],
    "auditor/screening/normalize.py": ["tests/screening"],
    "auditor/screening/matcher.py": ["tests/screening"],
    "auditor/screening/index.py": ["tests/screening", "tests/features/test_features_screening.py"],
    "auditor/catalog/resolve.py": ["tests/catalog", "tests/features/test_features_usage_links.py"],
    "auditor/catalog/accelerators.py": ["tests/catalog"],
    "auditor/connectors/base.py": ["tests/connectors"],
    # Modules that arrived with issues 16 and 18 (session 8): the answers and the alerts depend on them.
    "auditor/screening/name_v2.py": ["tests/screening"],
    "auditor/screening/canonical.py": ["tests/screening"],
    "auditor/cases/alerts.py": ["tests/store"],
    "auditor/report/folder.py": ["tests/report", "tests/store"],
    "auditor/redact.py": ["tests/screening/test_lists_redaction.py", "tests/connectors"],
    "auditor/ownership/fixedpoint.py": ["tests/ownership"],
    "auditor/ownership/assess.py": ["tests/ownership"],
    # Session 10 (issue 22): the modules of the newer issues. With --map each mutant runs against
    # the tests that execute its line; these folders are the fallback (a stale map, import time).
    "auditor/features/network_links.py": ["tests/features", *E2E],
    "auditor/features/farm_links.py": ["tests/features", *E2E],
    "auditor/features/ip_networks.py": ["tests/features", *E2E],
    # Session 13: the rest of the feature modules the rules read (launch-rhythm and sign-in
    # links, the 50% ownership roll-up's features, affiliates, people, bursts; declared_use.py
    # has nothing to mutate: it is column lists).
    "auditor/features/launch_rhythm.py": ["tests/features", *E2E],
    "auditor/features/signin_pairs.py": ["tests/features", *E2E],
    "auditor/features/hub_move.py": ["tests/features", *E2E],
    "auditor/features/creation_bursts.py": ["tests/features", *E2E],
    "auditor/features/affiliates.py": ["tests/features", *E2E],
    "auditor/features/person_names.py": ["tests/features", *E2E],
    "auditor/features/list_officers.py": ["tests/features", *E2E],
    "auditor/features/ownership.py": ["tests/features", "tests/ownership", *E2E],
    "auditor/features/usage_scan.py": ["tests/features", *E2E],
    "auditor/features/build.py": ["tests/features", *E2E],
    "auditor/notify/config.py": ["tests/notify"],
    "auditor/notify/events.py": ["tests/notify", "tests/store/test_store_delivery.py"],
    "auditor/notify/http.py": ["tests/notify"],
    "auditor/notify/run_notices.py": ["tests/notify"],
    "auditor/notify/secrets.py": ["tests/notify"],
    "auditor/notify/sender.py": ["tests/notify", "tests/store/test_store_delivery.py"],
    "auditor/notify/signing.py": ["tests/notify"],
    "auditor/notify/text.py": ["tests/notify"],
    "auditor/notify/channels/email.py": ["tests/notify"],
    "auditor/notify/channels/slack.py": ["tests/notify"],
    "auditor/notify/channels/teams.py": ["tests/notify"],
    "auditor/notify/channels/webhook.py": ["tests/notify"],
    "auditor/console/app.py": ["tests/console"],
    "auditor/console/auth.py": ["tests/console"],
    "auditor/console/common.py": ["tests/console"],
    "auditor/console/openapi.py": ["tests/console"],
    "auditor/console/passwords.py": ["tests/console"],
    "auditor/console/policy.py": ["tests/console"],
    "auditor/console/routes/api.py": ["tests/console"],
    "auditor/console/routes/exports.py": ["tests/console"],
    "auditor/console/routes/forms.py": ["tests/console"],
    "auditor/console/routes/pages.py": ["tests/console"],
    "auditor/console/routes/work.py": ["tests/console"],
    "auditor/cip/agents.py": ["tests/cip"],
    "auditor/cip/gaps.py": ["tests/cip"],
    "auditor/cip/training.py": ["tests/cip"],
    "auditor/spark/usage.py": ["tests/spark"],
    "auditor/spark/access.py": ["tests/spark"],
    "auditor/spark/inputs.py": ["tests/spark"],
    "auditor/spark/read.py": ["tests/spark"],
    "auditor/spark/badrows.py": ["tests/spark"],
    # Session 14 (issue 22, point 4): the rest of the open issues' modules -- the ownership
    # graph and its importers (the 50% rules), the network databases behind the network links,
    # notifications of analysts' work, the console's charts, allowlist page and notices, the
    # allowlists (they suppress cases, so they sample with the answer modules, not the last
    # tier), and Spark's session and training.
    "auditor/ownership/graph.py": ["tests/ownership"],
    "auditor/ownership/proof.py": ["tests/ownership"],
    "auditor/ownership/seeds.py": ["tests/ownership"],
    "auditor/ownership/regimes.py": ["tests/ownership"],
    "auditor/ownership/identifiers.py": ["tests/ownership"],
    "auditor/ownership/inputs.py": ["tests/ownership"],
    "auditor/ownership/importers/common.py": ["tests/ownership"],
    "auditor/ownership/importers/bods.py": ["tests/ownership"],
    "auditor/ownership/importers/gleif.py": ["tests/ownership"],
    "auditor/ownership/importers/ftm.py": ["tests/ownership"],
    "auditor/report/ownership.py": ["tests/ownership", "tests/report"],
    "auditor/asn.py": ["tests/features", "tests/connectors/test_geoip.py"],
    "auditor/geoip.py": ["tests/connectors/test_geoip.py", "tests/features"],
    "auditor/notify/work_events.py": ["tests/notify", "tests/console"],
    "auditor/console/charts.py": ["tests/console"],
    "auditor/console/notifying.py": ["tests/console", "tests/notify"],
    "auditor/console/routes/allowlist.py": ["tests/allowlist", "tests/console"],
    "auditor/allowlist/apply.py": ["tests/allowlist"],
    "auditor/allowlist/spec.py": ["tests/allowlist"],
    "auditor/allowlist/export.py": ["tests/allowlist"],
    "auditor/allowlist/stored.py": ["tests/allowlist"],
    "auditor/spark/training.py": ["tests/spark"],
    "auditor/spark/session.py": ["tests/spark"],
    "auditor/spark/settings.py": ["tests/spark"],
}

# The order of a full run. A run rarely finishes in one sitting on a shared machine, so the
# modules the audit's answers depend on most go first, and within each tier the smallest
# first, so that each module is finished rather than cut off part way (--resume goes on).
FIRST_TIER = (
    "auditor/scoring/weighted.py",
    "auditor/engine/operators.py",
    "auditor/engine/compile.py",
    "auditor/engine/evaluate.py",
    "auditor/cases/build.py",
    "auditor/cases/changes.py",
    "auditor/features/usage.py",
    "auditor/features/links.py",
    "auditor/features/network_links.py",
    "auditor/ownership/fixedpoint.py",
    "auditor/screening/matcher.py",
    "auditor/screening/normalize.py",
    "auditor/catalog/resolve.py",
    "auditor/catalog/accelerators.py",
    "auditor/connectors/base.py",
)
# Delivery and presentation: they decide what is shown and sent, not the scores.
LAST_TIER_PREFIXES = ("auditor/notify/", "auditor/console/", "auditor/cip/", "auditor/spark/")


def tier(module: str) -> int:
    if module in FIRST_TIER:
        return 0
    return 2 if module.startswith(LAST_TIER_PREFIXES) else 1


def run_order(modules: list[str]) -> list[str]:
    """Modules by tier (FIRST_TIER, the other answer modules, then delivery), smallest first."""
    counts = {m: len(mutation_points(REPO / m)[1]) for m in modules}
    return sorted(modules, key=lambda m: (tier(m), counts[m], m))


COMPARE_SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.Mod: ast.FloorDiv,
}
METHOD_SWAPS = {
    "min": "max",
    "max": "min",
    "is_null": "is_not_null",
    "is_not_null": "is_null",
    "any": "all",
    "all": "any",
    "first": "last",
    "last": "first",
    "min_horizontal": "max_horizontal",
    "max_horizontal": "min_horizontal",
    "any_horizontal": "all_horizontal",
    "all_horizontal": "any_horizontal",
    "sum": "mean",
    "drop_nulls": "drop_nans",
    "startswith": "endswith",
    "endswith": "startswith",
    "lstrip": "rstrip",
    "rstrip": "lstrip",
}
JOIN_SWAPS = {"left": "inner", "inner": "left", "anti": "semi", "semi": "anti"}
LOG_NAMES = {"log", "logger", "logging"}


@dataclass(frozen=True)
class Mutant:
    module: str
    index: int  # position among the module's mutation points, in AST walk order
    id: str  # stable across edits elsewhere in the module: module:function:kind:detail#occurrence
    line: int
    description: str
    end_line: int = 0  # the last line of the mutated expression (0: same as line)


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed | survived | timeout | error
    seconds: float
    equivalent_reason: str | None = None
    tests: int = 0  # how many test functions (or folders) the mutant was run against
    failed: str | None = None  # the first test that failed: what killed it
    stage: str = ""  # covering | import-time | folder | +subprocess (with --map)
    # The sha256 of the module source the mutant was planted in, and the commit checked out: a
    # result stays valid on a later commit while the module is byte-for-byte the same (--resume).
    sha256: str = ""
    commit: str = ""
    cpu_seconds: float = (
        0.0  # user + system of the test runs (with --map): wall time is mostly load
    )
    finished: str = ""  # UTC, when the outcome was known: mutants per minute from a log


class _Points(ast.NodeVisitor):
    """Walks a module in a fixed order and lists each place a mutation can go."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.scope: list[str] = []
        self.points: list[
            tuple[ast.AST, str, str, str, int]
        ] = []  # node, kind, detail, qualname, line

    def _add(self, node: ast.AST, kind: str, detail: str) -> None:
        line = getattr(node, "lineno", 0)
        if 0 < line <= len(self.lines) and "pragma: no mutate" in self.lines[line - 1]:
            return
        self.points.append((node, kind, detail, ".".join(self.scope) or "<module>", line))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802 - ast naming
        self._scoped(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802
        self._scoped(node)

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(
            node.name
        )  # decorators (dataclass(frozen=True) ...) are declarations, not logic
        if not isinstance(node, ast.ClassDef):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self.visit(default)
        for stmt in _without_docstring(node.body):
            self.visit(stmt)
        self.scope.pop()

    def visit_Module(self, node: ast.Module) -> None:  # noqa: N802
        for stmt in _without_docstring(node.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
            ):
                continue
            self.visit(stmt)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:  # noqa: N802 - the annotation is not code
        if node.value is not None:
            self.visit(node.value)

    def visit_arguments(self, node: ast.arguments) -> None:  # noqa: N802 - annotations again
        return

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # noqa: N802 - message text
        return

    def visit_Expr(self, node: ast.Expr) -> None:  # noqa: N802
        if isinstance(node.value, ast.Call) and not _is_log_call(node.value):
            self._add(node, "delete", ast.unparse(node.value.func))
        if isinstance(node.value, ast.Call) and _is_log_call(node.value):
            return
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:  # noqa: N802 - error text; the raise itself stays
        return

    def visit_Assert(self, node: ast.Assert) -> None:  # noqa: N802
        return

    def visit_Compare(self, node: ast.Compare) -> None:  # noqa: N802
        for i, op in enumerate(node.ops):
            if type(op) in COMPARE_SWAPS:
                self._add(
                    node, f"compare{i}", f"{type(op).__name__}->{COMPARE_SWAPS[type(op)].__name__}"
                )
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:  # noqa: N802
        if type(node.op) in BINOP_SWAPS and not _is_text(node):
            self._add(
                node, "binop", f"{type(node.op).__name__}->{BINOP_SWAPS[type(node.op)].__name__}"
            )
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:  # noqa: N802
        self._add(node, "boolop", "And->Or" if isinstance(node.op, ast.And) else "Or->And")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:  # noqa: N802
        if isinstance(node.op, (ast.Not, ast.Invert, ast.USub)):
            self._add(node, "unary", f"drop {type(node.op).__name__}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:  # noqa: N802
        value = node.value
        if isinstance(value, bool):
            self._add(node, "const", f"{value}->{not value}")
        elif isinstance(value, (int, float)):
            self._add(node, "const", f"{value!r}->{_bumped(value)!r}")

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        if _is_log_call(node):
            return
        if isinstance(node.func, ast.Attribute) and node.func.attr in METHOD_SWAPS:
            self._add(node, "method", f"{node.func.attr}->{METHOD_SWAPS[node.func.attr]}")
        for keyword in node.keywords:
            if (
                keyword.arg == "how"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value in JOIN_SWAPS
            ):
                self._add(
                    keyword.value,
                    "join",
                    f"{keyword.value.value}->{JOIN_SWAPS[keyword.value.value]}",
                )
        self.generic_visit(node)


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1:]
    return body


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in LOG_NAMES
    )


def _is_text(node: ast.BinOp) -> bool:
    """String concatenation or %-formatting: message text, not logic."""
    return any(
        isinstance(side, (ast.JoinedStr, ast.Constant))
        and isinstance(getattr(side, "value", ""), str)
        for side in (node.left, node.right)
    )


def _bumped(value: int | float) -> int | float:
    if isinstance(value, int):
        return value + 1
    return 1.0 if value == 0 else value * 1.1


class _Apply(ast.NodeTransformer):
    """Applies the mutation at one point (matched by identity in a fresh parse)."""

    def __init__(self, target: ast.AST, kind: str) -> None:
        self.target = target
        self.kind = kind

    def visit(self, node: ast.AST) -> ast.AST | None:
        if node is not self.target:
            return super().visit(node)
        if self.kind == "delete":
            return ast.copy_location(ast.Pass(), node)
        if self.kind.startswith("compare") and isinstance(node, ast.Compare):
            i = int(self.kind.removeprefix("compare"))
            node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
        elif self.kind == "binop" and isinstance(node, ast.BinOp):
            node.op = BINOP_SWAPS[type(node.op)]()
        elif self.kind == "boolop" and isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif self.kind == "unary" and isinstance(node, ast.UnaryOp):
            return node.operand
        elif self.kind == "const" and isinstance(node, ast.Constant):
            node.value = (not node.value) if isinstance(node.value, bool) else _bumped(node.value)
        elif (
            self.kind == "method"
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
        ):
            node.func.attr = METHOD_SWAPS[node.func.attr]
        elif self.kind == "join" and isinstance(node, ast.Constant):
            node.value = JOIN_SWAPS[node.value]
        return node


def mutation_points(path: Path) -> tuple[ast.Module, list[tuple[ast.AST, str, str, str, int]]]:
    source = path.read_text()
    tree = ast.parse(source)
    finder = _Points(source.splitlines())
    finder.visit(tree)
    return tree, finder.points


def list_mutants(module: str) -> list[Mutant]:
    _, points = mutation_points(REPO / module)
    seen: dict[str, int] = {}
    mutants = []
    for index, (node, kind, detail, qualname, line) in enumerate(points):
        key = f"{module}:{qualname}:{kind.rstrip('0123456789')}:{detail}"
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        mutants.append(
            Mutant(
                module,
                index,
                f"{key}#{occurrence}",
                line,
                f"line {line}: {kind} {detail}",
                getattr(node, "end_lineno", None) or line,
            )
        )
    return mutants


def mutated_source(module: str, index: int, root: Path = REPO) -> str:
    tree, points = mutation_points(root / module)
    node, kind, *_ = points[index]
    tree = _Apply(node, kind).visit(tree)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


def load_equivalent() -> dict[str, str]:
    """Mutant id -> reason, from the lines "- `ID` -- reason" of bench/mutation-equivalent.md."""
    if not EQUIVALENT_FILE.exists():
        return {}
    found = {}
    for line in EQUIVALENT_FILE.read_text().splitlines():
        match = re.match(r"^- `([^`\s]+:[^`\s]+#\d+)`\s*(?:--|—|:)?\s*(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


class Sandbox:
    """A private copy of the repository that one worker mutates, one file at a time."""

    COPIED = (
        "auditor",
        "tests",
        "rules",
        "examples",
        "docs",
        "bench",
        "pyproject.toml",
        "README.md",
    )

    def __init__(self, root: Path) -> None:
        self.root = root
        for name in self.COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(
                    source,
                    root / name,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
                )
            elif source.exists():
                shutil.copy2(source, root / name)
        shared = Path(os.environ.get("AUDITOR_SHARED") or REPO.parent / "shared")
        self.env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "AUDITOR_SHARED": str(shared.resolve()),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.env.pop("CI", None)  # a missing ../shared skips here; it is not what is being tested

    def run_tests(self, tests: list[str], timeout: float) -> tuple[str, float]:
        started = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-n",
            "0",  # one mutant's tests in one process: `-x` stops at the first failure at once
            "-p",
            "no:cacheprovider",
            "--no-header",
            *tests,
        ]
        try:
            done = subprocess.run(
                command,
                cwd=self.root,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return "timeout", time.perf_counter() - started
        seconds = time.perf_counter() - started
        return pytest_status(done.returncode, done.stdout + done.stderr), seconds

    def test_mutant(self, mutant: Mutant, tests: list[str], timeout: float) -> tuple[str, float]:
        target = self.root / mutant.module
        original = target.read_text()
        try:
            target.write_text(mutated_source(mutant.module, mutant.index, self.root))
            return self.run_tests(tests, timeout)
        finally:
            target.write_text(original)


def read_logs(paths: list[Path]) -> dict[str, dict]:
    """Mutant id -> its latest record over --log files (a later file, or a later line, wins)."""
    latest: dict[str, dict] = {}
    for path in paths:
        if not path.exists():
            print(f"no such log: {path}", file=sys.stderr)
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                latest[record["mutant"]["id"]] = record
            except (json.JSONDecodeError, KeyError, TypeError):
                # a run stopped mid-write leaves a torn last line: that mutant is simply run again
                print(f"{path}:{number}: not an outcome record, ignored", file=sys.stderr)
    return latest


def current_shas(modules: list[str], root: Path = REPO) -> dict[str, str]:
    return {m: sha256(root / m) for m in modules if (root / m).exists()}


def still_valid(record: dict, shas: dict[str, str]) -> bool:
    """A logged outcome holds for the code now only if its module is byte-for-byte the source
    it was measured on (an older record without a sha256 cannot say, so it does not hold)."""
    module = record["mutant"]["module"]
    return bool(record.get("sha256")) and record.get("sha256") == shas.get(module)


def pending(mutants: list[Mutant], logs: list[Path]) -> tuple[list[Mutant], int, int]:
    """The mutants a resumed run still has to plant: those with no outcome in the logs on the
    module's current source. Returns them, how many are done, and how many were logged on an
    older source of their module (re-planted: its line numbers and behaviour may have moved)."""
    latest = read_logs(logs)
    shas = current_shas(sorted({m.module for m in mutants}))
    todo, done, stale = [], 0, 0
    for mutant in mutants:
        record = latest.get(mutant.id)
        if record is not None and still_valid(record, shas):
            done += 1
            continue
        stale += record is not None
        todo.append(mutant)
    return todo, done, stale


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def head_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()


def choose(mutants: list[Mutant], sample: int | None, seed: int) -> list[Mutant]:
    if sample is None or sample >= len(mutants):
        return mutants
    return sorted(
        random.Random(f"{seed}:{mutants[0].module}").sample(mutants, sample), key=lambda m: m.index
    )


def run(
    modules: list[str],
    sample: int | None,
    seed: int,
    workers: int,
    progress: bool,
    only: set[str] | None = None,
    log: Path | None = None,
    resume: list[Path] | None = None,
    tests: list[str] | None = None,
) -> tuple[list[Outcome], dict[str, float]]:
    """Each chosen mutant against its module's MODULES tests (or `tests`), in a fresh interpreter."""
    equivalent = load_equivalent()
    suites = {module: tests or MODULES[module] for module in modules}
    chosen = {module: choose(list_mutants(module), sample, seed) for module in modules}
    if only is not None:
        chosen = {
            module: [m for m in mutants if m.id in only] for module, mutants in chosen.items()
        }
    if resume is not None:
        left = {m.id for m in _resumed([m for ms in chosen.values() for m in ms], resume, log)}
        chosen = {module: [m for m in ms if m.id in left] for module, ms in chosen.items()}
    commit = head_commit()
    plan = [(module, suites[module]) for module in modules if chosen[module]]
    if not plan:
        return [], {}
    with tempfile.TemporaryDirectory(prefix="auditor-mutation-") as tmp:
        sandboxes = [Sandbox(Path(tmp) / f"w{i}") for i in range(workers)]
        shas = current_shas(modules, sandboxes[0].root)
        # Baseline: each module's tests must pass unmutated; their time sets the timeout.
        baseline: dict[str, float] = {}
        for module, tests in plan:
            status, seconds = sandboxes[0].run_tests(tests, timeout=900)
            if status != "survived":
                raise SystemExit(
                    f"the tests for {module} fail without any mutant ({status}); fix them first: {' '.join(tests)}"
                )
            baseline[module] = seconds
        jobs = [(mutant, suites[module]) for module, _ in plan for mutant in chosen[module]]
        free = list(sandboxes)
        lock = threading.Lock()
        outcomes: list[Outcome] = []

        def one(job: tuple[Mutant, list[str]]) -> Outcome:
            mutant, tests = job
            with lock:
                box = free.pop()
            try:
                status, seconds = box.test_mutant(
                    mutant, tests, timeout=3 * baseline[mutant.module] + 20
                )
            finally:
                with lock:
                    free.append(box)
            outcome = Outcome(
                mutant,
                status,
                round(seconds, 2),
                equivalent.get(mutant.id) if status == "survived" else None,
                sha256=shas[mutant.module],
                commit=commit,
                finished=_utc_now(),
            )
            with lock:
                if log is not None:
                    with log.open("a") as fh:
                        fh.write(json.dumps(asdict(outcome)) + "\n")
            if progress:
                with lock:
                    outcomes.append(outcome)
                    mark = {"killed": ".", "timeout": "t", "error": "E"}.get(
                        status, "S" if not outcome.equivalent_reason else "e"
                    )
                    print(mark, end="", flush=True, file=sys.stderr)
            return outcome

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, jobs))
        if progress:
            print(file=sys.stderr)
    return results, baseline


class _Worker:
    """A bench/mutation_worker.py process owning one sandbox: it forks per mutant."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "bench" / "mutation_worker.py"), str(box.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=box.env,
        )
        assert self.process.stdout is not None
        json.loads(self.process.stdout.readline())  # {"ready": n}: the packages are imported

    def run(self, module: str, source: str | None, tests: list[str], timeout: float) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"module": module, "source": source, "tests": tests, "timeout": timeout}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def run_fresh(self, module: str, source: str, tests: list[str], timeout: float) -> dict:
        """The same mutant in a fresh interpreter: a timeout under fork is confirmed this way."""
        target = self.box.root / module
        original = target.read_text()
        try:
            target.write_text(source)
            status, seconds = self.box.run_tests(tests, timeout)
        finally:
            target.write_text(original)
        return {"status": status, "seconds": seconds, "failed": None}

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def run_mapped(
    modules: list[str],
    cmap: CoverageMap,
    sample: int | None,
    seed: int,
    workers: int,
    progress: bool,
    only: set[str] | None = None,
    log: Path | None = None,
    extra: list[str] | None = None,
    resume: list[Path] | None = None,
) -> list[Outcome]:
    """Every chosen mutant against the tests that execute its line (the coverage map), forked
    from a worker that has the libraries imported; a survivor is re-checked with the test files
    that start subprocesses (invisible to the map) before it counts."""
    equivalent = load_equivalent()
    chosen = {module: choose(list_mutants(module), sample, seed) for module in modules}
    if only is not None:
        chosen = {module: [m for m in ms if m.id in only] for module, ms in chosen.items()}
    stale = [m for m in modules if chosen[m] and not cmap.current(m)]
    if stale:
        print(
            f"the coverage map ({cmap.commit[:10]}) is older than {', '.join(stale)}: "
            "those run against their MODULES folders (rebuild the map with --build-map)",
            file=sys.stderr,
        )
    spawned = subprocess_test_files()
    reaches: dict[str, list[str]] = {}

    def reach(module: str) -> list[str]:
        """The subprocess-running test files that bear on a module: some test in the file runs
        the module in-process, or the file is in its MODULES folders (a full pass of every such
        file per survivor would cost more than the rest of the run)."""
        if module not in reaches:
            files = set()
            if cmap.current(module):
                files = {t.split("::", 1)[0] for t in cmap.module_tests(module)}
            folders = MODULES[module]
            reaches[module] = [
                f for f in spawned if f in files or any(f.startswith(d) for d in folders)
            ]
        return reaches[module]

    def seconds(tests: list[str]) -> float:
        """The mapped time of these tests, plus each file's fixture set-up (see file_setup)."""
        total = sum(cmap.file_setup(f) for f in {t.split("::", 1)[0] for t in tests if "::" in t})
        for test in tests:
            if "::" in test:
                total += cmap.seconds(test)
            else:  # a folder or file: every mapped test under it
                total += sum(s for t, s, _ in cmap.tests if t.split("::")[0].startswith(test))
        return total

    def plan(mutant: Mutant) -> tuple[list[str], str]:
        tests, stage = _plan(mutant)
        return [*(extra or []), *(t for t in tests if t not in (extra or []))], stage

    def _plan(mutant: Mutant) -> tuple[list[str], str]:
        folder = MODULES[mutant.module]
        if mutant.module in stale:
            return folder, "folder"
        tests, import_time = cmap.covering(mutant.module, mutant.line, mutant.end_line)
        if import_time:  # the module's own folders first: they are the likeliest to notice
            return [*folder, *(t for t in tests if not t.startswith(tuple(folder)))], "import-time"
        if not tests:
            return folder, "folder"
        return tests, "covering"

    jobs = [mutant for module in modules for mutant in chosen[module]]
    if resume is not None:
        jobs = _resumed(jobs, resume, log)
    if not jobs:
        return []
    commit = head_commit()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="auditor-mutation-") as tmp:
        pool_of = [_Worker(Sandbox(Path(tmp) / f"w{i}")) for i in range(workers)]
        shas = current_shas(modules, pool_of[0].box.root)  # the source the mutants are planted in
        free = list(pool_of)

        def one(mutant: Mutant) -> Outcome:
            with lock:
                worker = free.pop()
            try:
                tests, stage = plan(mutant)
                source = mutated_source(mutant.module, mutant.index, worker.box.root)
                result = {"status": "survived", "seconds": 0.0, "failed": None}
                spent = cpu = 0.0
                for batch in _batches(tests):
                    # a few tests first: most mutants die there, and collecting hundreds of
                    # test files for each one is what a run would otherwise spend its time on
                    timeout = (
                        4 * seconds(batch) + 120
                    )  # a busy machine: a pytest start alone can take 30 s
                    result = worker.run(mutant.module, source, batch, timeout)
                    if result["status"] == "timeout":
                        result = worker.run_fresh(mutant.module, source, batch, 2 * timeout)
                    spent += result["seconds"]
                    cpu += result.get("cpu", 0.0)
                    if result["status"] != "survived":
                        break
                result["seconds"] = spent
                if result["status"] == "survived":
                    extra = [f for f in reach(mutant.module) if f not in tests]
                    if extra:
                        again = worker.run(mutant.module, source, extra, 4 * seconds(extra) + 120)
                        stage += "+subprocess"
                        tests = tests + extra
                        again["seconds"] += result["seconds"]
                        cpu += again.get("cpu", 0.0)
                        result = again
            finally:
                with lock:
                    free.append(worker)
            outcome = Outcome(
                mutant,
                result["status"],
                round(result["seconds"], 2),
                equivalent.get(mutant.id) if result["status"] == "survived" else None,
                tests=len(tests),
                failed=result.get("failed"),
                stage=stage,
                sha256=shas[mutant.module],
                commit=commit,
                cpu_seconds=round(cpu, 2),
                finished=_utc_now(),
            )
            with lock:
                if log is not None:
                    with log.open("a") as fh:
                        fh.write(json.dumps(asdict(outcome)) + "\n")
                if progress:
                    mark = {"killed": ".", "timeout": "t", "error": "E"}.get(
                        outcome.status, "S" if not outcome.equivalent_reason else "e"
                    )
                    print(mark, end="", flush=True, file=sys.stderr)
            return outcome

        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(one, jobs))
            results = _verify_killers(results, pool_of[0], log)
        finally:
            for worker in pool_of:
                worker.close()
    if progress:
        print(file=sys.stderr)
    return results


def _resumed(jobs: list[Mutant], logs: list[Path], log: Path | None) -> list[Mutant]:
    """--resume: drop the mutants the given logs (and the --log being appended to) already
    hold an outcome for on their module's current source, and say what was kept and why."""
    sources = [*logs, *([log] if log is not None and log.exists() and log not in logs else [])]
    todo, done, stale = pending(jobs, sources)
    print(
        f"resume: {done} of {len(jobs)} mutants already measured on their module's current "
        f"source; {stale} logged on an older source are planted again; {len(todo)} to run",
        file=sys.stderr,
    )
    return todo


def verify_killers(log: Path, sample: int | None, seed: int) -> int:
    """A kill counts only if the killing test passes without the mutant: checks the distinct
    first failures of a --log in a fresh copy (exit 1 and names them if any fails)."""
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    killers = sorted({r["failed"] for r in records if r["status"] == "killed" and r.get("failed")})
    if sample is not None and sample < len(killers):
        killers = sorted(random.Random(seed).sample(killers, sample))
    with tempfile.TemporaryDirectory(prefix="auditor-mutation-") as tmp:
        box = Sandbox(Path(tmp) / "verify")
        broken = [t for t in killers if box.run_tests([t], timeout=900)[0] != "survived"]
    print(f"{len(killers) - len(broken)} of {len(killers)} killing tests pass without a mutant")
    for test in broken:
        print(f"fails without a mutant: {test}")
    corrected = [
        {
            **r,
            "status": "error",
            "stage": f"{r.get('stage', '')}+killer-fails-unmutated".lstrip("+"),
        }
        for r in read_logs([log]).values()
        if r["status"] == "killed" and r.get("failed") in set(broken)
    ]
    if corrected:
        with log.open("a") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in corrected)
        print(f"{len(corrected)} kills by those tests recorded as errors in {log}")
    return 1 if broken else 0


def _batches(tests: list[str], sizes: tuple[int, ...] = (3, 25)) -> list[list[str]]:
    """The planned tests in growing batches (3, 25, the rest), in order."""
    out, start = [], 0
    for size in sizes:
        if start < len(tests):
            out.append(tests[start : start + size])
            start += size
    if start < len(tests):
        out.append(tests[start:])
    return out


def _verify_killers(
    outcomes: list[Outcome], worker: _Worker, log: Path | None = None
) -> list[Outcome]:
    """A test that fails without any mutant (order, isolation) kills nothing: each distinct
    first failure is run once unmutated; mutants it 'killed' become errors (not counted)."""
    broken = set()
    fork_only = []  # outcomes whose killer fails in the fork unmutated but passes alone
    for test in sorted({o.failed for o in outcomes if o.status == "killed" and o.failed}):
        module = next(o.mutant.module for o in outcomes if o.failed == test)
        if worker.run(module, None, [test], 600)["status"] == "survived":
            continue
        # Failing in the forked worker may be the worker's state (console tests there fail
        # unmutated and pass alone, session 14): only a test that also fails in a fresh
        # pytest process, on the sandbox's unmutated source, is broken.
        if worker.box.run_tests([test], timeout=900)[0] != "survived":
            broken.add(test)
        else:  # its failure in the fork proves nothing: each kill is re-run in a fresh process
            fork_only += [o for o in outcomes if o.status == "killed" and o.failed == test]
    if broken:
        print(f"tests failing without a mutant: {', '.join(sorted(broken))}", file=sys.stderr)
    unkill(outcomes, broken, log)
    for outcome in fork_only:
        mutant = outcome.mutant
        source = mutated_source(mutant.module, mutant.index, worker.box.root)
        fresh = worker.run_fresh(mutant.module, source, [outcome.failed or ""], 900)
        outcome.stage = f"{outcome.stage}+killer-rerun-fresh".lstrip("+")
        if fresh["status"] != "killed":  # the fork's state, not the mutant, failed the test
            outcome.status = "error"
            outcome.stage += "-passed"
        outcome.finished = _utc_now()
        if log is not None:
            with log.open("a") as fh:
                fh.write(json.dumps(asdict(outcome)) + "\n")
    return outcomes


def unkill(outcomes: list[Outcome], broken: set[str], log: Path | None) -> list[Outcome]:
    """Mutants 'killed' by a test that also fails unmutated become errors -- in memory and in
    the --log (a corrected record appended; the later line wins), so a resumed run or a
    --report from the log does not count them as killed."""
    for outcome in outcomes:
        if outcome.status == "killed" and outcome.failed in broken:
            outcome.status = "error"
            outcome.stage = f"{outcome.stage}+killer-fails-unmutated".lstrip("+")
            outcome.finished = _utc_now()
            if log is not None:
                with log.open("a") as fh:
                    fh.write(json.dumps(asdict(outcome)) + "\n")
    return outcomes


def summarise(outcomes: list[Outcome]) -> list[dict]:
    rows = []
    for module in dict.fromkeys(o.mutant.module for o in outcomes):
        mine = [o for o in outcomes if o.mutant.module == module]
        survived = [o for o in mine if o.status == "survived"]
        equivalent = [o for o in survived if o.equivalent_reason is not None]
        real = len(survived) - len(equivalent)
        counted = len(mine) - len(equivalent) - sum(o.status == "error" for o in mine)
        rows.append(
            {
                "module": module,
                "mutants": len(mine),
                "killed": sum(o.status in ("killed", "timeout") for o in mine),
                "survived": real,
                "equivalent": len(equivalent),
                "errors": sum(o.status == "error" for o in mine),
                "survivor_rate": round(real / counted, 3) if counted else 0.0,
            }
        )
    return rows


def render(rows: list[dict], outcomes: list[Outcome], seconds: float) -> str:
    lines = [
        "| module | mutants | killed | survived | equivalent | errors | non-equivalent survivor rate |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        flag = "" if r["survivor_rate"] <= TARGET_SURVIVOR_RATE else " (over 10%)"
        planned = len(list_mutants(r["module"])) if (REPO / r["module"]).exists() else r["mutants"]
        tested = str(r["mutants"]) if planned == r["mutants"] else f"{r['mutants']} of {planned}"
        lines.append(
            f"| {r['module']} | {tested} | {r['killed']} | {r['survived']} | {r['equivalent']} | {r['errors']} | {r['survivor_rate']:.1%}{flag} |"
        )
    total = {
        k: sum(r[k] for r in rows)
        for k in ("mutants", "killed", "survived", "equivalent", "errors")
    }
    counted = total["mutants"] - total["equivalent"] - total["errors"]
    rate = total["survived"] / counted if counted else 0.0
    lines.append(
        f"| **all** | {total['mutants']} | {total['killed']} | {total['survived']} | {total['equivalent']} | {total['errors']} | **{rate:.1%}** |"
    )
    survivors = [o for o in outcomes if o.status == "survived" and o.equivalent_reason is None]
    if survivors:
        lines += ["", "Surviving mutants (not listed as equivalent):"]
        lines += [f"- `{o.mutant.id}` ({o.mutant.description})" for o in survivors]
    errors = [o for o in outcomes if o.status == "error"]
    if errors:
        lines += ["", "Mutants whose test run errored (not counted):"] + [
            f"- `{o.mutant.id}`" for o in errors
        ]
    lines += ["", f"{len(outcomes)} mutants in {seconds:.0f} s."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--modules",
        nargs="+",
        default=None,
        help="modules to mutate, in this order (default: all listed in MODULES, in run_order: "
        "the answer modules first, smallest first)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help="mutants per module, drawn with --seed (default: every mutant)",
    )
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--json", type=Path, help="also write every outcome as JSON here")
    parser.add_argument(
        "--ids",
        type=Path,
        help="run only the mutant ids in this file (one per line, or a --json/--log output): re-test survivors",
    )
    parser.add_argument(
        "--log", type=Path, help="append each outcome as a JSON line as soon as it is known"
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        help="no run: report from --log files (later files win), for the mutants the modules have now",
    )
    parser.add_argument(
        "--build-map",
        type=Path,
        metavar="FILE",
        help="no mutants: run the whole suite under coverage (a context per test) and write the map of which tests run each line",
    )
    parser.add_argument(
        "--map",
        type=Path,
        metavar="FILE",
        help="run each mutant against the tests the map says execute its line (forked workers); see bench/mutation_map.py",
    )
    parser.add_argument(
        "--verify-killers",
        type=Path,
        metavar="LOG",
        help="no mutants: run each distinct test that killed a mutant in LOG (or --sample N of them) unmutated; it must pass",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        nargs="*",
        metavar="LOG",
        help="skip the mutants these logs (e.g. bench/mutation-results/*.jsonl) and --log already "
        "hold an outcome for, where the module's sha256 is unchanged; a changed module is planted again",
    )
    parser.add_argument(
        "--extra-tests",
        nargs="+",
        default=[],
        help="with --map: test files run first for every mutant (tests written after the map was built)",
    )
    parser.add_argument(
        "--tests",
        nargs="+",
        default=None,
        help="without --map: run the mutants against these tests instead of the MODULES table's "
        "(a quick check of one module against the test file you are writing)",
    )
    parser.add_argument(
        "--fail-over",
        type=float,
        default=None,
        help="exit 1 if the overall non-equivalent survivor rate exceeds this",
    )
    args = parser.parse_args(argv)
    if args.modules is None:
        args.modules = run_order(list(MODULES))
    if args.tests and args.map:
        parser.error("--tests is for a run without --map; with --map add tests with --extra-tests")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(
            f"not a mutated module: {', '.join(unknown)}; expected one of {', '.join(MODULES)}"
        )
    if args.report:
        outcomes = _from_logs(args.report, args.modules)
        print(render(summarise(outcomes), outcomes, sum(o.seconds for o in outcomes)))
        print(remaining(outcomes, args.modules))
        if pace(outcomes):
            print(pace(outcomes))
        return 0
    if args.list:
        for module in args.modules:
            for mutant in choose(list_mutants(module), args.sample, args.seed):
                print(f"{mutant.id}\t{mutant.description}")
        return 0
    if args.build_map:
        return build_map(args.build_map)
    if args.verify_killers:
        return verify_killers(args.verify_killers, args.sample, args.seed)
    only = _read_ids(args.ids) if args.ids else None
    started = time.perf_counter()
    if args.map:
        baseline: dict[str, float] = {}
        outcomes = run_mapped(
            args.modules,
            CoverageMap(args.map),
            args.sample,
            args.seed,
            args.workers,
            progress=True,
            only=only,
            log=args.log,
            extra=args.extra_tests,
            resume=args.resume,
        )
    else:
        outcomes, baseline = run(
            args.modules,
            args.sample,
            args.seed,
            args.workers,
            progress=True,
            only=only,
            log=args.log,
            resume=args.resume,
            tests=args.tests,
        )
    rows = summarise(outcomes)
    print(render(rows, outcomes, time.perf_counter() - started))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "summary": rows,
                    "baseline_seconds": baseline,
                    "outcomes": [asdict(o) for o in outcomes],
                },
                indent=1,
            )
        )
    if args.fail_over is not None:
        total = {
            k: sum(r[k] for r in rows) for k in ("mutants", "survived", "equivalent", "errors")
        }
        counted = total["mutants"] - total["equivalent"] - total["errors"]
        if counted and total["survived"] / counted > args.fail_over:
            return 1
    return 0


def _from_logs(paths: list[Path], modules: list[str]) -> list[Outcome]:
    """Outcomes from --log files, a later file's outcome replacing an earlier one; equivalence
    read afresh. A record of a module whose source has changed since is left out (it describes
    other code); a record without a sha256 (the older format) is taken by its id."""
    current = {m.id: m for module in modules for m in list_mutants(module)}
    equivalent = load_equivalent()
    latest = read_logs(paths)
    shas = current_shas(modules)
    outcomes, stale = [], 0
    for mutant_id, mutant in current.items():
        record = latest.get(mutant_id)
        if record is None:
            continue
        if record.get("sha256") and not still_valid(record, shas):
            stale += 1
            continue
        reason = equivalent.get(mutant_id) if record["status"] == "survived" else None
        outcomes.append(
            Outcome(
                mutant,
                record["status"],
                record["seconds"],
                reason,
                tests=record.get("tests", 0),
                failed=record.get("failed"),
                stage=record.get("stage", ""),
                sha256=record.get("sha256", ""),
                commit=record.get("commit", ""),
                cpu_seconds=record.get("cpu_seconds", 0.0),
                finished=record.get("finished", ""),
            )
        )
    if stale:
        print(
            f"{stale} logged outcomes are of an older source of their module: not counted",
            file=sys.stderr,
        )
    return outcomes


def pace(outcomes: list[Outcome]) -> str:
    """How fast the logged outcomes came: per minute between the first and the last, per
    sitting (a gap of more than 30 minutes starts a new one), with the median wall and CPU
    seconds per mutant and worker."""
    times = sorted(
        calendar.timegm(time.strptime(o.finished, "%Y-%m-%dT%H:%M:%SZ"))
        for o in outcomes
        if o.finished
    )
    if len(times) < 2:
        return ""
    sittings, start = [], times[0]
    for before, after in zip(times, times[1:], strict=False):
        if after - before > 1800:
            sittings.append((start, before))
            start = after
    sittings.append((start, times[-1]))
    minutes = sum(end - begin for begin, end in sittings) / 60
    walls = sorted(o.seconds for o in outcomes if o.finished)
    cpus = sorted(o.cpu_seconds for o in outcomes if o.finished)
    rate = f"{len(times) / minutes:.2f} mutants a minute" if minutes else "-"
    return (
        f"{len(times)} timed outcomes over {minutes:.0f} min in {len(sittings)} sitting(s): {rate}; "
        f"median {walls[len(walls) // 2]:.1f} s wall and {cpus[len(cpus) // 2]:.1f} s CPU per mutant and worker."
    )


def remaining(outcomes: list[Outcome], modules: list[str]) -> str:
    """What a full run still has to plant on the current code, by module, in run order."""
    measured = {o.mutant.id for o in outcomes}
    ids = {m: [x.id for x in list_mutants(m)] for m in modules}
    left = {m: sum(i not in measured for i in ids[m]) for m in modules}
    untouched = [m for m in modules if ids[m] and left[m] == len(ids[m])]
    return (
        f"{len(measured)} of {sum(map(len, ids.values()))} mutants measured on the current code; "
        f"{sum(left.values())} remain ({len(untouched)} modules not started)."
    )


def _read_ids(path: Path) -> set[str]:
    """Mutant ids from a plain list, a --log file (survivors only) or a --json report (survivors only)."""
    text = path.read_text()
    if text.lstrip().startswith("{") and not text.lstrip().startswith('{"mutant"'):
        records = json.loads(text)["outcomes"]
    elif text.lstrip().startswith('{"mutant"'):
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        return {
            line.strip().removeprefix("- ").strip("`") for line in text.splitlines() if line.strip()
        }
    return {r["mutant"]["id"] for r in records if r["status"] == "survived"}


if __name__ == "__main__":
    sys.exit(main())
