"""Read one YAML file into plain data; find the line of any field when a problem needs it.

Loading uses PyYAML's C parser, exactly as fast as ``yaml.load(CSafeLoader)``.
Line numbers are only needed when something is wrong, so the map from field
path to line is built lazily, by composing the file's node tree again on the
first request; a clean file never pays for it.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from lod.inputs import InputFileError, read_case_study, read_text

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

FieldPath = tuple[str | int, ...]


class _Loader(_BaseLoader):
    """The safe C loader, noticing keys given twice (PyYAML silently keeps the last)."""

    repeated_keys = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) < len(node.value):
            self.repeated_keys = True
        return mapping


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


def _line_map(text: str) -> tuple[dict[FieldPath, int], tuple[FieldPath, ...]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return {(): 1}, ()
    finally:
        loader.dispose()
    if node is None:
        return {(): 1}, ()
    lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
    repeated: list[FieldPath] = []
    _record_lines(node, (), lines, repeated)
    return lines, tuple(repeated)


class YamlDocument:
    """The data of one file, and (on demand) where each field starts (1-based lines)."""

    def __init__(self, path: Path, data: Any, *, text: str | None = None,
                 has_repeated_keys: bool = False) -> None:
        self.path = path
        self.data = data
        self._text = text
        self.has_repeated_keys = has_repeated_keys

    @cached_property
    def _map(self) -> tuple[dict[FieldPath, int], tuple[FieldPath, ...]]:
        text = self._text
        if text is None:
            try:
                text = read_text(self.path)
            except InputFileError:
                return {(): 1}, ()
        return _line_map(text)

    @property
    def lines(self) -> dict[FieldPath, int]:
        """Field path -> line of its key (mappings) or item (sequences)."""
        return self._map[0]

    @property
    def repeated(self) -> tuple[FieldPath, ...]:
        """Keys given twice in one mapping."""
        return self._map[1] if self.has_repeated_keys else ()

    def line_of(self, where: FieldPath) -> int:
        """Line of the field, or of its nearest enclosing field when it is absent."""
        lines = self.lines
        for cut in range(len(where), -1, -1):
            line = lines.get(where[:cut])
            if line is not None:
                return line
        return 1


_ALIAS_RE = re.compile(r"(?:^|[\s\[{,:-])\*[^\s\]},]+", re.MULTILINE)


def _shared_containers(data: Any) -> bool:
    """True when one list or mapping is reached twice: the mark of a YAML alias (``*name``).

    A case study never needs aliases, and a few nested ones (a "billion
    laughs") expand to billions of values in every later step; the check
    stops at the first container seen twice, so it costs one pass.
    """
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            if id(item) in seen:
                return True
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return False


def _alias_line(text: str) -> int:
    match = _ALIAS_RE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def parse_yaml(path: Path, text: str, *, keep_text: bool = False) -> YamlDocument:
    """Parse ``text`` (the content of ``path``); raise YamlSyntaxError when it is not YAML.

    Aliases of lists and mappings are refused (see :func:`_shared_containers`).
    """
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = error.problem or str(error)
        if error.context:
            detail = f"{detail} ({error.context})"
        raise YamlSyntaxError(line, f"YAML syntax error: {plain_words(error, text)} "
                                    f"(the parser said: {detail})") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML error: {error}") from None
    finally:
        loader.dispose()
    if "&" in text and _shared_containers(data):  # an alias needs an anchor (&name) first
        raise YamlSyntaxError(_alias_line(text), "YAML aliases (*name) are not allowed in "
                              "case-study files; write each value out in full")
    return YamlDocument(path, data, text=text if keep_text else None,
                        has_repeated_keys=loader.repeated_keys)


#: (what PyYAML says, what it most often means in a hand-edited record), first match wins.
_LIKELY_CAUSES: tuple[tuple[str, str], ...] = (
    ("character '\\t'", "a tab character; YAML indents with spaces only"),
    ("mapping values are not allowed",
     ("a ':' where no new key can start: most often this line is indented more than the "
     "key above it, or a value contains ': ' and needs quotes around it")),
    ("could not find expected ':'",
     ("a line without 'key: value' inside a block of keys: a ':' missing after a key, or "
     "text carried on to the next line without indenting it (write long text after '|' "
     "on its own indented lines)")),
    ("did not find expected key",
     ("the indentation changes where YAML expects the next key: this line (or the one "
     "before) is indented differently from the keys beside it")),
    ("did not find expected '-' indicator",
     "a list whose items do not all start at the same column with '- '"),
    ("expected <block end>",
     ("the indentation of this line does not match the block above it: indent it like "
     "the lines beside it")),
    ("while scanning a quoted scalar",
     "a quote (\" or ') opened and never closed"),
    ("found undefined alias", ("a value starting with '*', which YAML reads as an alias; "
     "put the value in quotes")),
    ("cannot start any token",
     "a value starting with a character YAML reserves (@, `, % or a tab); put it in quotes"),
    ("while scanning a simple key",
     ("a line that is neither 'key: value' nor a list item: a ':' is missing, or the text "
     "belongs to the line above and must be indented under it")),
)


def plain_words(error: yaml.MarkedYAMLError, text: str = "") -> str:
    """What a PyYAML error most likely means in a case-study file, in plain words."""
    mark = error.problem_mark
    if mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
        if "\t" in line[: mark.column + 1]:
            return "a tab character; YAML indents with spaces only"
        for number, earlier in enumerate(lines[: mark.line], start=1):
            if earlier.replace('\\"', "").count('"') % 2:  # a quote that runs on
                return (f"a quote (\") opened on line {number} and never closed, so the text "
                        "runs on to here")
    said = f"{error.context or ''} {error.problem or ''}"
    for marker, meaning in _LIKELY_CAUSES:
        if marker in said:
            return meaning
    return "the file is not valid YAML here"


def decode_utf8(data: bytes) -> str:
    """File bytes as text; a file that is not UTF-8 is a syntax error at line 1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise YamlSyntaxError(1, f"file is not UTF-8 text ({error.reason})") from None


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a file."""
    return parse_yaml(path, decode_utf8(read_case_study(path)))
