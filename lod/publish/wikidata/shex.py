"""The case-study item model as a ShExC EntitySchema, generated from the property table.

Wikidata editors check items against EntitySchemas (ShEx) with Wikidata's own
tools; this module writes the schema of the items a plan creates, from
``mappings/wikidata-properties.tsv`` (so the schema cannot drift from what the
planner uses), and the Wikidata-model RDF of a planned item for local
validation. ``python -m lod.publish.wikidata.shex`` prints the schema
(kept as docs/casestudy-item.shex).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from lod.ledgers import PropertyRow, read_properties
from lod.publish.wikidata.model import PlannedItem, Statement, Value

WD = "http://www.wikidata.org/entity/"
PROP = "http://www.wikidata.org/prop/"

#: Datatype -> the node constraint of a direct (wdt:) value.
NODE: dict[str, str] = {
    "wikibase-item": "IRI",
    "url": "IRI",
    "external-id": "xsd:string",
    "string": "xsd:string",
    "monolingualtext": "rdf:langString",
    "time": "xsd:dateTime",
}


def case_study_rows(rows: Sequence[PropertyRow]) -> list[PropertyRow]:
    """The table's rows that describe the case-study item itself (not institutions, not
    qualifiers, not rows the planner leaves out)."""
    skipped = ("institutions[].", "period.", "license", "languages[]", "activities[]")
    return [row for row in rows if not row.field.startswith(skipped)]


def schema(rows: Sequence[PropertyRow] | None = None, case_study: str = "Q155207") -> str:
    """The ShExC text."""
    rows = case_study_rows(rows if rows is not None else read_properties())
    by_property: dict[str, PropertyRow] = {}
    for row in rows:
        by_property.setdefault(row.property, row)
    lines = [
        "# A case-study item as `lod publish wikidata` creates it; generated from",
        "# mappings/wikidata-properties.tsv by `python -m lod.publish.wikidata.shex`.",
        f"PREFIX wd: <{WD}>",
        f"PREFIX wdt: <{PROP}direct/>",
        f"PREFIX p: <{PROP}>",
        f"PREFIX ps: <{PROP}statement/>",
        f"PREFIX pr: <{PROP}reference/>",
        "PREFIX prov: <http://www.w3.org/ns/prov#>",
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
        "PREFIX schema: <http://schema.org/>",
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
        "",
        "start = @<case_study>",
        "",
        "<case_study> EXTRA wdt:P31 {",
        "  rdfs:label rdf:langString + ;",
        "  schema:description rdf:langString * ;",
    ]
    for pid, row in sorted(by_property.items(), key=lambda kv: int(kv[0][1:])):
        node = NODE.get(row.datatype, "IRI")
        if pid == "P31":
            lines.append(f"  wdt:P31 [ wd:{case_study} ] ;  # {row.label}")
        else:
            cardinality = "+" if pid == "P1476" else "*"
            lines.append(f"  wdt:{pid} {node} {cardinality} ;  # {row.label}")
        lines.append(f"  p:{pid} @<referenced> * ;")
    lines[-1] = lines[-1].rstrip(" ;")
    lines += [
        "}",
        "",
        "# every statement carries a reference with a reference URL and a retrieval day",
        "<referenced> {",
        "  prov:wasDerivedFrom @<reference> + ;",
        "}",
        "",
        "<reference> {",
        "  pr:P854 IRI ;  # reference URL",
        "  pr:P813 xsd:dateTime  # retrieved",
        "}",
        "",
    ]
    return "\n".join(lines)


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
    reference = f"<{subject}/reference/{number}>"
    out = [f"{node} <{PROP}direct/{pid}> {value} .", f"{node} <{PROP}{pid}> {full} .",
           f"{full} <{PROP}statement/{pid}> {value} .",
           f"{full} <http://www.w3.org/ns/prov#wasDerivedFrom> {reference} ."]
    out += [f"{reference} <{PROP}reference/{rpid}> {_term(rvalue)} ."
            for rpid, rvalue in statement.reference]
    return out


if __name__ == "__main__":
    sys.stdout.write(schema())
