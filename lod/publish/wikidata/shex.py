"""The items `lod publish wikidata` creates, as a ShExC EntitySchema, and a planned item as RDF.

Wikidata editors check items against EntitySchemas (ShEx) with Wikidata's own
tools. The schema below is docs/wikidata-model.md in ShEx: one shape per kind of
item the tool creates (a published work, a project, an institution), each
CLOSED so that a planned item holding a statement the model does not allow
(P710 on a work, say) fails. Statements carry one reference: an external page
(P854) or a Wikimedia page imported from its wiki (P143, P4656), with P813
when the record gives the day; a statement whose value is the item's own
source URL (P953, P973) or an identifier (P356, P791) carries none.
``python -m lod.publish.wikidata.shex`` prints the schema (kept as
docs/casestudy-item.shex; a test compares them).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Final

from lod import resources
from lod.inputs import read_text
from lod.problems import Problem
from lod.publish.wikidata.facts import read_values
from lod.publish.wikidata.model import PlannedItem, Statement, Value
from lod.publish.wikidata.pids import plan_properties
from lod.wikidataids import WikidataIdError

WD = "http://www.wikidata.org/entity/"
PROP = "http://www.wikidata.org/prop/"

#: Shape of each kind of planned item.
SHAPES: Final = {"work": "work", "project": "project", "institution": "institution"}

_PREFIXES: Final = f"""\
PREFIX wd: <{WD}>
PREFIX wdt: <{PROP}direct/>
PREFIX p: <{PROP}>
PREFIX ps: <{PROP}statement/>
PREFIX pq: <{PROP}qualifier/>
PREFIX pr: <{PROP}reference/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: The shapes, as data: ids are filled in from the tables (:func:`schema`).
TEMPLATE: Final = Path(__file__).parent / "templates" / "casestudy-item.shex"
#: A property by its label, or ``class:code``, in the template.
_PLACEHOLDER: Final = re.compile(r"\$\(([^)]+)\)")
#: Where a line's comment starts when printed (column 58).
_COMMENT_AT: Final = 57


def schema(mappings: Path | None = None) -> str:
    """The ShExC text, with the ids of the tables in ``mappings`` (default: the package's)."""
    folder = mappings or resources.mappings_dir()
    pid = plan_properties(folder)
    classes = read_values(folder / "wikidata-values.tsv").classes

    def filled(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name.startswith("class:"):
            return pid(name)
        code = name.removeprefix("class:")
        if code not in classes:
            raise WikidataIdError(Problem(folder / "wikidata-values.tsv", 1, "code",
                                          f"no class row {code!r}, which {TEMPLATE.name} uses"))
        return classes[code]

    lines = []
    for line in read_text(TEMPLATE, what="ShEx template").splitlines():
        if line.startswith("#%"):
            continue
        line = _PLACEHOLDER.sub(filled, line)
        content, mark, comment = line.partition(" # ")
        lines.append(content.ljust(_COMMENT_AT) + "# " + comment if mark and content.strip()
                     else line)
    header = ("# The items `lod publish wikidata` creates (docs/wikidata-model.md), printed by\n"
              "# `python -m lod.publish.wikidata.shex`.\n")
    return header + _PREFIXES + "\n" + "\n".join(lines) + "\n"


def _term(value: Value) -> str:
    if value.type in {"item"}:
        return f"<{WD}{value.value}>"
    if value.type == "url":
        return f"<{value.value}>"
    text = value.value.replace("\\", "\\\\").replace('"', '\\"')
    if value.type == "monolingualtext":
        return f'"{text}"@{value.lang}'
    if value.type == "time":
        stamp = value.value.lstrip("+").replace("-00", "-01")
        return f'"{stamp}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    return f'"{text}"'


def item_ntriples(planned: PlannedItem, subject: str) -> str:
    """A planned item in Wikidata's RDF model (truthy and full statements), as N-Triples."""
    lines = []
    node = f"<{subject}>"
    for lang, text in sorted(planned.labels.items()):
        lines.append(f"{node} <http://www.w3.org/2000/01/rdf-schema#label> "
                     f"{_term(Value('monolingualtext', text, lang))} .")
    for lang, text in sorted(planned.descriptions.items()):
        lines.append(f"{node} <http://schema.org/description> "
                     f"{_term(Value('monolingualtext', text, lang))} .")
    for number, statement in enumerate(planned.statements):
        lines += _statement_triples(node, subject, number, statement)
    return "\n".join(lines) + "\n"


def _statement_triples(node: str, subject: str, number: int, statement: Statement) -> list[str]:
    pid = statement.property
    value = _term(statement.value)
    full = f"<{subject}/statement/{number}>"
    out = [f"{node} <{PROP}direct/{pid}> {value} .", f"{node} <{PROP}{pid}> {full} .",
           f"{full} <{PROP}statement/{pid}> {value} ."]
    out += [f"{full} <{PROP}qualifier/{qpid}> {_term(qvalue)} ." for qpid, qvalue in
            statement.qualifiers]
    if statement.reference:
        reference = f"<{subject}/reference/{number}>"
        out.append(f"{full} <http://www.w3.org/ns/prov#wasDerivedFrom> {reference} .")
        out += [f"{reference} <{PROP}reference/{rpid}> {_term(rvalue)} ."
                for rpid, rvalue in statement.reference]
    return out


if __name__ == "__main__":
    sys.stdout.write(schema())
