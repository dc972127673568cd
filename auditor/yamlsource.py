"""Safe YAML loading that remembers where every value came from.

Rules, rule tests and configs are written by people, so their errors must point at a line
and column. `load_yaml` returns plain Python data plus a map from each value's path (e.g.
`("when", "all", 1, "op")`) to its position, and rejects duplicate keys, which PyYAML
would otherwise silently overwrite. Only the safe loader is ever used.

These files arrive in pull requests, so a hostile or careless one must not take the machine
down: anchors and aliases are refused where they appear (nine levels of nine aliases -- the
"billion laughs" -- would otherwise expand to gigabytes), and so are files over
`MAX_YAML_BYTES` and nesting deeper than `MAX_YAML_DEPTH`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import InputError, Problem, SourceLocation

Path_ = tuple[Any, ...]

MAX_YAML_BYTES = 1 << 20  # rule, rule-test and config files are a few kilobytes
MAX_YAML_DEPTH = 100  # mappings and lists inside each other; a rule's all/any/not nest far less


class _Refused(Exception):
    """A construct this loader will not compose: an anchor, an alias, or nesting too deep."""

    def __init__(self, mark: Any, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """The safe loader with no anchors or aliases and bounded nesting, refused at the event that shows them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                event.start_mark,
                f"YAML alias '*{event.anchor}' is not allowed; write the value out in full",
            )
        event = self.peek_event()
        if event.anchor is not None:
            raise _Refused(
                event.start_mark,
                f"YAML anchor '&{event.anchor}' is not allowed; write each value out in full",
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(
                    event.start_mark,
                    f"nesting deeper than {MAX_YAML_DEPTH} levels; expected a flatter document",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass
class YamlDocument:
    """Parsed YAML data with the line/column of every node, keyed by its path."""

    path: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, loc: Path_, *, key: bool = False) -> SourceLocation:
        """The closest known position for a path: the node itself (or its key), else its nearest ancestor."""
        loc = tuple(loc)
        if key and loc in self.key_marks:
            line, column = self.key_marks[loc]
            return SourceLocation(self.path, line=line, column=column)
        while loc and loc not in self.marks:
            loc = loc[:-1]
        line, column = self.marks.get(loc, (1, 1))
        return SourceLocation(self.path, line=line, column=column)


class _Builder:
    def __init__(self, source: str):
        self.source = source
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    key = str(key)
                if key in result:
                    first = self.marks.get(path + (key,), ("?", "?"))
                    self.problems.append(
                        Problem(
                            SourceLocation(
                                self.source,
                                key_node.start_mark.line + 1,
                                key_node.start_mark.column + 1,
                            ),
                            f"duplicate key '{key}' (first at line {first[0]}); each key may appear once",
                        )
                    )
                    continue
                self.key_marks[path + (key,)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)


def parse_yaml(text: str, source: str, *, allow_empty: bool = False) -> YamlDocument:
    """Parses one YAML document from text; raises InputError with the position of a syntax error."""
    if len(text) > MAX_YAML_BYTES:
        raise InputError(
            [
                Problem(
                    SourceLocation(source),
                    f"file is {len(text):,} characters; the limit is {MAX_YAML_BYTES:,} for a rule, rule-test or config file",
                )
            ]
        )
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here
        node = loader.get_single_node()
    except _Refused as exc:
        raise InputError(
            [Problem(SourceLocation(source, exc.mark.line + 1, exc.mark.column + 1), exc.message)]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = (
            SourceLocation(source, mark.line + 1, mark.column + 1)
            if mark
            else SourceLocation(source)
        )
        raise InputError(
            [Problem(location, f"invalid YAML: {exc.problem or exc.context}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(
            [
                Problem(
                    SourceLocation(source, line, column),
                    f"invalid YAML: character U+{code:04X} is not allowed (control characters cannot appear in YAML)",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(SourceLocation(source), f"invalid YAML: {exc}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None and allow_empty:
        return YamlDocument(source, None)
    if node is None:
        raise InputError(
            [Problem(SourceLocation(source, 1, 1), "file is empty; expected a YAML mapping")]
        )
    builder = _Builder(source)
    try:
        data = builder.build(node, ())
    except yaml.YAMLError as exc:
        raise InputError([Problem(SourceLocation(source), f"invalid YAML value: {exc}")]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return YamlDocument(source, data, builder.marks, builder.key_marks)


def load_yaml(path: str | Path, shown_as: str | None = None) -> YamlDocument:
    """Reads and parses a YAML file (safe loader only)."""
    path = Path(path)
    source = shown_as or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(
                f"file is {size:,} bytes; the limit is {MAX_YAML_BYTES:,} for a rule, rule-test or config file",
                location=SourceLocation(source),
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", location=SourceLocation(source)) from None
    except IsADirectoryError:
        raise InputError(
            "is a folder; expected a YAML file", location=SourceLocation(source)
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read: {exc.strerror or exc}", location=SourceLocation(source)
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text: {exc.reason} at byte {exc.start}", location=SourceLocation(source)
        ) from None
    return parse_yaml(text, source)
