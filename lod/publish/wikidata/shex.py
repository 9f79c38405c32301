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

import sys
from typing import Final

from lod.publish.wikidata.model import PlannedItem, Statement, Value

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

_BODY: Final = """\
# A published work (wikidata: {create: work}): the source of a case study as published.
<work> CLOSED EXTRA wdt:P31 {
  rdfs:label rdf:langString + ;
  schema:description rdf:langString * ;
  wdt:P31 [ wd:Q155207 ] ; p:P31 @<referenced> ;        # instance of: case study
  wdt:P1476 rdf:langString ; p:P1476 @<referenced> ;     # title, in the work's language
  wdt:P407 IRI ? ; p:P407 @<referenced> ? ;              # language of work or name
  wdt:P577 xsd:dateTime ; p:P577 @<referenced> ;         # publication date
  wdt:P2093 xsd:string * ; p:P2093 @<author> * ;         # author name string, with its ordinal
  wdt:P356 xsd:string ? ; p:P356 @<unreferenced> ? ;     # DOI: an identifier, no reference
  wdt:P953 IRI ; p:P953 @<unreferenced> ;                # work available at URL: its own source
  wdt:P921 IRI * ; p:P921 @<referenced> * ;              # main subject: the institutions
  wdt:P4510 IRI * ; p:P4510 @<referenced> *              # describes a project that uses
}

# A project (wikidata: {create: project}): the project itself, by its own name.
<project> CLOSED EXTRA wdt:P31 {
  rdfs:label rdf:langString + ;
  schema:description rdf:langString * ;
  wdt:P31 [ wd:Q170584 ] ; p:P31 @<referenced> ;        # instance of: project
  wdt:P664 IRI * ; p:P664 @<referenced> * ;              # organizer: the lead institutions
  wdt:P710 IRI * ; p:P710 @<referenced> * ;              # participant: the others
  wdt:P8324 IRI * ; p:P8324 @<referenced> * ;            # funder
  wdt:P580 xsd:dateTime ? ; p:P580 @<referenced> ? ;     # start time (the project's own)
  wdt:P582 xsd:dateTime ? ; p:P582 @<referenced> ? ;     # end time
  wdt:P2283 IRI * ; p:P2283 @<referenced> * ;            # uses: the Wikimedia projects
  wdt:P973 IRI ; p:P973 @<unreferenced>                  # described at URL: its own source
}

# An institution created on a curator's recorded decision (mappings/wikidata-creates.tsv).
<institution> CLOSED EXTRA wdt:P31 {
  rdfs:label rdf:langString + ;
  schema:description rdf:langString * ;
  wdt:P31 IRI ; p:P31 @<referenced> ;                    # instance of: the class of its kind
  wdt:P17 IRI ? ; p:P17 @<referenced> ? ;                # country
  wdt:P791 xsd:string ? ; p:P791 @<unreferenced> ? ;     # ISIL: an identifier
  wdt:P856 IRI ? ; p:P856 @<referenced> ?                # official website
}

<referenced> { prov:wasDerivedFrom @<reference> }
<unreferenced> { prov:wasDerivedFrom . {0} }
<author> { pq:P1545 xsd:string ; prov:wasDerivedFrom @<reference> }
<reference> @<external> OR @<imported>
<external> CLOSED { pr:P854 IRI ; pr:P813 xsd:dateTime ? }
<imported> CLOSED { pr:P143 IRI ? ; pr:P4656 IRI ; pr:P813 xsd:dateTime ? }
"""


def schema() -> str:
    """The ShExC text."""
    header = ("# The items `lod publish wikidata` creates (docs/wikidata-model.md), printed by\n"
              "# `python -m lod.publish.wikidata.shex`.\n")
    return header + _PREFIXES + "\n" + _BODY


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
