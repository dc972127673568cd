"""Text that is safe to show on a terminal: every printing path of the CLI goes through here.

Tenant names, tags, rule titles and list entries come from people we do not trust. Shown
as they are, an escape sequence in a name can recolour, hide or rewrite what an analyst
sees (ANSI CSI, OSC 8 links, a carriage return over a line), a bidi override can reverse
it, and rich markup such as `[/bold]` crashes the renderer. So user data is always printed
as plain text, never parsed as markup, and control characters are shown as visible
escapes (`\\x1b`, `\\u202e`) rather than sent to the terminal. This holds when output is
piped too: a log file or `less -R` interprets the same bytes.

Nothing here imports rich at module level, so commands that only echo text start fast.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# C0 and C1 controls and DEL (Unicode category Cc), then bidi marks, embeddings, overrides and
# isolates, and the line/paragraph separators some terminals and editors treat as newlines.
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
# The same set without tab (09) and newline (0a): for whole messages whose layout uses them.
_UNSAFE_IN_LINES_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
# What json.dumps leaves raw (it escapes C0 itself; the layout's newlines must stay).
_UNSAFE_IN_JSON_RE = re.compile(f"[\x7f-\x9f{_BIDI_AND_SEPARATORS}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """One value from the data as one safe line: every control character escaped, newlines too."""
    return _UNSAFE_RE.sub(_escape, "" if value is None else str(value))


def safe_lines(text: str) -> str:
    """A whole message: control characters escaped, but its own newlines and tabs kept."""
    return _UNSAFE_IN_LINES_RE.sub(_escape, text)


def echo(message: str = "", err: bool = False) -> None:
    """click.echo for people: the message made safe first (values in it should already be `plain`)."""
    click.echo(safe_lines(message), err=err)


def json_text(document: Any, indent: int | None = None) -> str:
    """JSON for --json output: unchanged data, but no raw control or bidi character in the text.

    json.dumps already escapes C0 controls; with ensure_ascii=False it would pass C1
    controls (U+009B is a one-character CSI) and bidi overrides through as they are.
    These can only occur inside JSON strings, where a \\uXXXX escape means the same value.
    """
    text = json.dumps(document, indent=indent, default=str, ensure_ascii=False)
    return _UNSAFE_IN_JSON_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def cell(value: object, style: str = "") -> Text:
    """A rich Text for a table cell or a line: plain, never markup, controls escaped."""
    from rich.text import Text

    return Text(plain(value), style=style)


def styled(*parts: object | tuple[object, str]) -> Text:
    """One line from pieces, some styled: `styled("cases: ", ("+3 added", "green"))`. Every
    piece is plain text; the style is ours, never taken from the data."""
    from rich.text import Text

    line = Text()
    for part in parts:
        text, style = part if isinstance(part, tuple) else (part, "")
        line.append(plain(text), style=style)
    return line


def safe_console(**kwargs: Any) -> Console:
    """A rich Console that never parses markup or emoji codes and escapes control characters.

    Every str it is asked to render (print arguments, table cells, titles, rules) passes
    through `render_str`, so the escaping holds even where a caller forgot `plain`.
    """
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Text:
            options["markup"] = False
            options["emoji"] = False
            return super().render_str(safe_lines(text), **options)

    kwargs.setdefault("highlight", False)
    kwargs.setdefault("markup", False)
    kwargs.setdefault("emoji", False)
    return SafeConsole(**kwargs)
