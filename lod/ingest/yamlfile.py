"""Read one YAML file into plain data plus the line of every key and item.

PyYAML's C parser composes the node tree (fast); the same tree gives both the
values and a map from field path to line, so errors can point at the line a
curator must edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """The data of one file and where each field starts (1-based lines)."""

    path: Path
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    #: Keys given twice in one mapping (PyYAML would silently keep the last).
    repeated: tuple[FieldPath, ...] = ()

    def line_of(self, where: FieldPath) -> int:
        """Line of the field, or of its nearest enclosing field when it is absent."""
        for cut in range(len(where), -1, -1):
            line = self.lines.get(where[:cut])
            if line is not None:
                return line
        return 1


class YamlSyntaxError(Exception):
    """The file is not valid YAML (or not UTF-8); carries the line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def _record_lines(
    node: yaml.Node, where: FieldPath, lines: dict[FieldPath, int], repeated: list[FieldPath]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            path = (*where, key)
            if path in lines:
                repeated.append(path)
            lines[path] = key_node.start_mark.line + 1
            _record_lines(value_node, path, lines, repeated)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*where, index)
            lines[path] = item.start_mark.line + 1
            _record_lines(item, path, lines, repeated)


def parse_yaml(path: Path, text: str) -> YamlDocument:
    """Parse ``text`` (the content of ``path``); raise YamlSyntaxError when it is not YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None, {(): 1})
        lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
        repeated: list[FieldPath] = []
        _record_lines(node, (), lines, repeated)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = error.problem or str(error)
        if error.context:
            detail = f"{detail} ({error.context})"
        raise YamlSyntaxError(line, f"YAML syntax error: {detail}") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML error: {error}") from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, lines, tuple(repeated))


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a file; a file that is not UTF-8 is a syntax error at line 1."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlSyntaxError(1, f"file is not UTF-8 text ({error.reason})") from None
    return parse_yaml(path, text)
