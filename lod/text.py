"""Characters a person must never receive raw, and the one function that makes them visible.

C0 and C1 control characters and DEL can drive a terminal (ESC starts a
control sequence, BEL rings); the bidirectional controls (U+202A to U+202E,
U+2066 to U+2069) reorder what is shown, so a title can display as something
it is not. The contract refuses them in every text field of a record (tab and
newline only in multi-line text, see :func:`forbidden_in`); everything lod
writes for a person to read (the terminal, the site, the report, the review
page) goes through :func:`visible`, whatever its source (records, IRIs, wiki
pages, endpoints), so none reaches a reader raw.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: Every character refused in text, by code point.
FORBIDDEN: Final = frozenset(
    (*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
#: The ones multi-line text may hold.
LINE_BREAKS: Final = frozenset({0x09, 0x0A})


def _shown(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Lone surrogates (bytes that were not UTF-8, kept by ``surrogateescape``) cannot even be
#: encoded for output; they are shown the same way.
_VISIBLE: Final = {code: _shown(code) for code in (*FORBIDDEN, *range(0xD800, 0xE000))}
_VISIBLE_LINES: Final = {code: text for code, text in _VISIBLE.items() if code not in LINE_BREAKS}
_VISIBLE_NEWLINE: Final = {code: text for code, text in _VISIBLE.items() if code != 0x0A}


def visible(text: str, *, lines: bool = True, tabs: bool | None = None) -> str:
    """``text`` with every forbidden character written as ``\\xNN`` or ``\\uNNNN``.

    ``lines`` keeps newlines (and tabs, unless ``tabs=False``); ``lines=False``
    escapes them too (a one-line cell).
    """
    table, pattern = (_VISIBLE, _VISIBLE_RE) if not lines else \
        (_VISIBLE_NEWLINE, _VISIBLE_NEWLINE_RE) if tabs is False else \
        (_VISIBLE_LINES, _VISIBLE_LINES_RE)
    # Nearly every text holds none: one search in C instead of a table look-up per character.
    return text if pattern.search(text) is None else text.translate(table)


def name_of(character: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how a message names a character."""
    code = ord(character)
    name = unicodedata.name(character, "") or {
        0x07: "BEL", 0x1B: "ESC", 0x7F: "DEL", 0x00: "NUL", 0x08: "BACKSPACE", 0x0D: "CARRIAGE RETURN",
    }.get(code, "control character")
    return f"U+{code:04X} ({name})"


def _any_of(codes: frozenset[int]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(codes)) + "]")


#: :data:`FORBIDDEN` as one character class each way, made once: every text value of every
#: record is searched, and the regular expression engine does it in C.
_FORBIDDEN_RE: Final = _any_of(FORBIDDEN)
_FORBIDDEN_IN_LINES_RE: Final = _any_of(FORBIDDEN - LINE_BREAKS)
#: The characters each table of :func:`visible` rewrites, as one class each.
_VISIBLE_RE: Final = _any_of(frozenset(_VISIBLE))
_VISIBLE_LINES_RE: Final = _any_of(frozenset(_VISIBLE_LINES))
_VISIBLE_NEWLINE_RE: Final = _any_of(frozenset(_VISIBLE_NEWLINE))


def forbidden_in(text: str, *, multiline: bool) -> str | None:
    """The first character ``text`` must not hold, or None (tab, newline: multi-line text only)."""
    found = (_FORBIDDEN_IN_LINES_RE if multiline else _FORBIDDEN_RE).search(text)
    return found.group() if found is not None else None
