"""A problem found in the input, in the one form every step reports it.

``path:line: field.path: message``: the form curators' editors and CI logs
understand, shared by the YAML loader, the contract check and SHACL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: How a step prints one line for its user (the command line passes its own echo).
Say = Callable[[str], None]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, and what is expected instead."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class InputError(Exception):
    """Raised when input cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def nothing_found(folder: Path) -> Problem:
    """A folder without one case-study file: a step that publishes records has nothing to do."""
    return Problem(folder, 1, "(directory)", "no case-study files (*.yaml) found")


def report_lines(problems: list[Problem]) -> list[str]:
    """The lines a command prints for ``problems``: one each, then how many when more than one."""
    lines = [str(problem) for problem in problems]
    if len(problems) > 1:  # one problem is one line: the line itself says what and where
        lines.append(f"{len(problems)} problems found")
    return lines


class Failure(Exception):  # noqa: N818 - reads as what happened
    """A command stopped: ``lines`` say why (on stderr); exit 2 for a ``usage`` error, else 1.

    The steps behind the commands raise it, so that the command line turns every
    outcome into an exit code in one place (lod/cli.py). No lines: the step has
    said what went wrong already (a summary that counts the failures).
    """

    def __init__(self, *lines: str, usage: bool = False) -> None:
        self.lines = lines
        self.code = 2 if usage else 1
        super().__init__("\n".join(lines))
