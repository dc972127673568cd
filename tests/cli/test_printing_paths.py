"""Every printing path of the CLI goes through auditor/cli/safe_text.py (a net under the hostile-text tests).

Walks the syntax of each CLI module: no bare print(), no rich Console built outside
safe_text, no rich markup strings, and click.echo only for documents the code itself builds
(JSON through json_text, the rule schema, the generated feature vocabulary).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import auditor.cli

CLI = Path(auditor.cli.__file__).parent
MODULES = sorted(p for p in CLI.glob("*.py") if p.name != "safe_text.py")
# click.echo(x) is fine when x is one of these: text the code generated, already safe.
OWN_DOCUMENTS = {"json_text", "render_markdown", "text"}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_printing_goes_through_safe_text(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    problems = []
    for call in _calls(tree):
        name = _name(call.func)
        where = f"{module.name}:{call.lineno}"
        if name == "print":
            problems.append(f"{where}: print(); use safe_text.echo")
        if name in ("Console", "rich.console.Console"):
            problems.append(f"{where}: Console(); use safe_text.safe_console / output.console")
        if name == "click.echo":
            arg = call.args[0] if call.args else None
            own = isinstance(arg, ast.Name) and arg.id in OWN_DOCUMENTS
            own = own or (
                isinstance(arg, ast.Call)
                and _name(arg.func).split(".")[-1] in OWN_DOCUMENTS | {"dumps"}
            )
            if not own:
                problems.append(
                    f"{where}: click.echo of text that may hold data; use safe_text.echo"
                )
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "[/]" in node.value:
            problems.append(
                f"{module.name}:{node.lineno}: rich markup in a string; use safe_text.styled"
            )
    assert not problems, "\n".join(problems)


def test_the_walk_sees_every_cli_module() -> None:
    names = {p.name for p in MODULES}
    assert {"main.py", "audit_cmd.py", "investigate_cmd.py", "cases_cmd.py", "output.py"} <= names
