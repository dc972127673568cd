"""safe_text: control characters made visible, markup never parsed, ordinary text untouched."""

from __future__ import annotations

import io
import json

import pytest
from rich.table import Table

from auditor.cli.safe_text import cell, json_text, plain, safe_console, safe_lines, styled


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x1b]8;;http://x\x07link", "\\x1b]8;;http://x\\x07link"),
        ("\x9b2J", "\\x9b2J"),
        ("a\rb\nc\td", "a\\x0db\\x0ac\\x09d"),
        ("\x00\x7f", "\\x00\\x7f"),
        ("\u202eabc\u2066\u200f", "\\u202eabc\\u2066\\u200f"),
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_plain_escapes_every_control(raw: str, shown: str) -> None:
    assert plain(raw) == shown


@pytest.mark.parametrize(
    "text",
    [
        "曙光信息产业股份有限公司",
        "Zürich Straße 5",
        "Ünal & Söhne [GmbH]",
        "日本語 テキスト",
        "a\\x1b",
    ],
)
def test_ordinary_text_passes_unchanged(text: str) -> None:
    assert plain(text) == text and safe_lines(text) == text


def test_plain_of_none_is_empty() -> None:
    assert plain(None) == "" and plain(3.5) == "3.5"


def test_safe_lines_keeps_its_own_layout_only() -> None:
    assert safe_lines("a\n\tb\r\x1b") == "a\n\tb\\x0d\\x1b"


def test_json_text_is_the_same_data_without_raw_controls() -> None:
    value = {"name": "x\x1b[2J\x9b\u202e\n\u2028", "n": [1, 2.5, None]}
    text = json_text(value, indent=2)
    assert json.loads(text) == value
    assert not any(c in text for c in "\x1b\x9b\u202e\u2028")
    assert "\n  " in text  # the indentation's newlines stay


def _render(*renderables: object) -> str:
    screen = io.StringIO()
    console = safe_console(file=screen, force_terminal=True, width=100, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return screen.getvalue()


def test_console_never_parses_markup_even_in_table_cells_and_titles() -> None:
    table = Table(title="[/bold] title")
    table.add_column("[red]col")
    table.add_row("[/bold] \x1b[31m [link=http://x]y[/link]")
    shown = _render(
        "[/bold] :smile: \x1b[2J", table, cell("[/i]\x1b"), styled("a", ("[b]", "bold"))
    )
    assert "[/bold] :smile: \\x1b[2J" in shown
    assert "[/bold] title" in shown and "[red]col" in shown
    assert "[/bold] \\x1b[31m [link=http://x]y[/link]" in shown
    assert "[/i]\\x1b" in shown and "a[b]" in shown
    assert "\x1b" not in shown  # no colour system: any raw escape would come from the data


def test_a_forgotten_plain_is_still_caught_by_the_console() -> None:
    # A str straight from the data (no cell()/plain()) goes through render_str too.
    assert "\\x1b]8;;" in _render("name \x1b]8;;http://evil\x1b\\")
