"""Rules the test suite keeps so that it passes the same on an idle or a busy machine.

A fixed sleep is a guess about how long something takes; on a loaded machine the
guess is wrong and the test flakes, on an idle one it wastes time. Tests wait for
a condition instead (a server answering, an event set, a line printed), and lod's
own retry waits go through the clock of tests/conftest.py. The one sleep allowed
is a short pause (at most 0.2 s) between two looks at a condition being polled.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
LONGEST_POLL = 0.2


def _sleeps(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, argument) of every ``sleep(...)``/``time.sleep(...)`` not a constant <= 0.2 s."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name != "sleep" or not node.args:
            continue
        argument = node.args[0]
        allowed = (isinstance(argument, ast.Constant) and isinstance(argument.value, int | float)
                   and argument.value <= LONGEST_POLL)
        if not allowed:
            found.append((node.lineno, ast.unparse(argument)))
    return found


def test_no_sleep_longer_than_a_poll_in_the_tests() -> None:
    offenders = [f"{path.relative_to(TESTS)}:{line}: sleep({argument})"
                 for path in sorted(TESTS.rglob("*.py"))
                 for line, argument in _sleeps(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == [], "wait for a condition instead:\n" + "\n".join(offenders)


def test_the_rule_sees_what_it_should() -> None:
    code = ("import time\ntime.sleep(0.05)\ntime.sleep(1)\nsleep(0.5)\ntime.sleep(delay)\n"
            "event.wait(3)\n")
    assert _sleeps(ast.parse(code)) == [(3, "1"), (4, "0.5"), (5, "delay")]
