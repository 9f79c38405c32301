"""The package's shape: small modules, and a command line that only wires.

A module over the cap holds more than one thing; a command that grows a body
has taken a step's work into lod/cli.py, where no step can reuse or test it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

LOD = ROOT / "lod"
MODULE_CAP = 450
#: Modules still over the cap, each being split under issue 21 (remove a line when it is done).
OVER_THE_CAP: set[str] = set()
#: Lines a command's body may take besides its docstring and imports: options in, one step called.
COMMAND_BODY = 10


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_the_cap() -> None:
    over = {path.relative_to(ROOT).as_posix(): _lines(path) for path in sorted(LOD.rglob("*.py"))
            if _lines(path) > MODULE_CAP}
    assert {name: n for name, n in over.items() if name not in OVER_THE_CAP} == {}, (
        f"split these modules by what they do (at most {MODULE_CAP} lines each)")


def test_the_command_line_is_under_the_cap() -> None:
    assert _lines(LOD / "cli.py") <= MODULE_CAP


def _cli() -> ast.Module:
    return ast.parse((LOD / "cli.py").read_text(encoding="utf-8"))


def _is_command(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr == "command" for d in node.decorator_list)


def test_every_command_only_wires_options_to_one_step() -> None:
    commands = [node for node in _cli().body if isinstance(node, ast.FunctionDef)
                and _is_command(node)]
    assert len(commands) >= 15
    long = {}
    for command in commands:
        body = [s for s in command.body if not isinstance(s, ast.Import | ast.ImportFrom)
                and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        lines = sum((s.end_lineno or s.lineno) - s.lineno + 1 for s in body)
        if lines > COMMAND_BODY:
            long[command.name] = lines
    assert long == {}, "move the command's work into its step's module"


def test_outcomes_become_exit_codes_in_one_place() -> None:
    tree = _cli()
    exits = [node for node in ast.walk(tree) if isinstance(node, ast.Raise)
             and "Exit" in ast.unparse(node.exc or ast.Constant(None))]
    assert len(exits) == 1, "raise lod.problems.Failure; lod/cli.py's _reported maps it"
    tries = sorted(function.name for function in ast.walk(tree)
                   if isinstance(function, ast.FunctionDef)
                   and any(isinstance(node, ast.Try) for node in function.body))
    assert tries == ["_settings", "run"]  # the options' check, and the mapping itself
    elsewhere = [path.relative_to(ROOT).as_posix() for path in sorted(LOD.rglob("*.py"))
                 if path.name != "cli.py" and "typer.Exit" in path.read_text(encoding="utf-8")]
    assert elsewhere == []
