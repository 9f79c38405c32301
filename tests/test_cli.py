"""The command line as a whole: what every command that reads the case studies says about a
missing folder, and the query formats as the one table the help, the check and the writing share.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from conftest import ROOT, run_lod, write_record
from lod.cli import app

LOD = ROOT / "lod"


def _commands(group: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every leaf command of the ``lod`` tree (typer's click) by its words: publish, wikidata."""
    if hasattr(group, "commands"):
        return {found: command for name, sub in group.commands.items()
                for found, command in _commands(sub, (*path, name)).items()}
    return {path: group}


COMMANDS = _commands(typer.main.get_command(app))
READS_DATA = sorted(words for words, command in COMMANDS.items()
                    if any("--data" in getattr(param, "opts", ()) for param in command.params))
#: What each command needs besides --data to get as far as reading it.
EXTRA: dict[tuple[str, ...], list[str]] = {
    ("query",): ["case-studies"],
    ("serve",): ["--port", "0"],
    ("mappings", "relink"): ["--curator", "wdu:Example"],
    ("reconcile",): ["--endpoint", "http://127.0.0.1:9/sparql"],
}


def test_the_commands_that_read_the_case_studies_are_the_ones_expected() -> None:
    # The list below is what the data-folder test covers; a new command with --data joins it.
    assert READS_DATA == [("build",), ("mappings", "relink"), ("publish", "wikidata"), ("query",),
                          ("reconcile",), ("serve",), ("site",), ("status",)]


@pytest.mark.parametrize("words", READS_DATA, ids=" ".join)
def test_a_missing_data_folder_is_one_line_and_exit_1(words: tuple[str, ...],
                                                       tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    out = tmp_path / "out"
    writes = words not in {("query",), ("serve",), ("mappings", "relink")}
    outputs: list[str | Path] = ["--out", out] if writes else []
    done = run_lod(*words, "--data", missing, *outputs, *EXTRA.get(words, []), cwd=tmp_path)
    assert done.code == 1
    assert done.stderr == f"{missing}:1: (directory): no such directory of case-study files\n"
    assert done.stdout == ""
    assert sorted(tmp_path.iterdir()) == []  # nothing written, not even OUT


def test_a_file_given_as_the_data_folder_is_refused_the_same_way(tmp_path: Path) -> None:
    record = tmp_path / "one.yaml"
    write_record(tmp_path, "one")
    done = run_lod("build", "--data", record, "--out", tmp_path / "out")
    assert (done.code, done.stderr) == (
        1, f"{record}:1: (directory): no such directory of case-study files\n")


def test_the_data_folder_check_is_written_once() -> None:
    message = "no such directory of case-study files"
    places = [path.relative_to(ROOT).as_posix() for path in sorted(LOD.rglob("*.py"))
              for _ in range(path.read_text(encoding="utf-8").count(message))]
    assert places == ["lod/cli.py"]


def test_a_bad_option_value_is_a_usage_error_before_the_folder_is_looked_at(tmp_path: Path) -> None:
    done = run_lod("build", "--data", tmp_path / "nowhere", "--base", "ftp://x/", cwd=tmp_path)
    assert done.code == 2
    assert done.stderr.startswith("--base: invalid base IRI 'ftp://x/'")
    assert "no such directory" not in done.stderr


# --- query formats: one table ---------------------------------------------------------------


def test_the_help_lists_exactly_the_formats_of_the_table() -> None:
    from lod.query.output import FORMATS, WRITERS

    assert FORMATS == tuple(WRITERS)
    option = next(param for param in COMMANDS[("query",)].params
                  if "--format" in getattr(param, "opts", ()))
    assert [word for word in re.findall(r"[a-z]+", option.help) if word != "or"] == list(FORMATS)
    assert option.default == FORMATS[0]


def test_an_unknown_format_names_every_format_of_the_table(tmp_path: Path) -> None:
    from lod.query.output import WRITERS

    done = run_lod("query", "case-studies", "--format", "xml", cwd=tmp_path)
    assert done.code == 2
    assert done.stderr == f"--format must be one of: {', '.join(WRITERS)}\n"


def test_each_format_of_the_table_writes_what_it_says(tmp_path: Path) -> None:
    from lod.query.output import WRITERS

    data = tmp_path / "data"
    write_record(data, "only-one")
    printed = {fmt: run_lod("query", "case-studies", "--data", data, "--format", fmt)
               for fmt in WRITERS}
    assert {fmt: done.code for fmt, done in printed.items()} == dict.fromkeys(WRITERS, 0)
    document = json.loads(printed["json"].stdout)
    assert len(document["results"]["bindings"]) == 1
    header = document["head"]["vars"]
    assert printed["csv"].stdout.splitlines()[0] == ",".join(header)
    assert printed["tsv"].stdout.splitlines()[0] == "\t".join(header)
    assert printed["table"].stdout.splitlines()[-1] == "(1 row)"

