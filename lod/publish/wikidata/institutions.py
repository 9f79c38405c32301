"""Institution items: the statements a library or partner item gets, and new items on decision.

An institution already on Wikidata (the record's ``wikidata``, or the curators'
accepted ledger link) is only completed: P31, P17 and P856 when it has none
(single-valued in practice, and another editor's value is not ours to add to),
its ISIL always (an identifier). A new item is planned only for an institution
a curator decided to create (mappings/wikidata-creates.tsv, with
``--create-institutions``), with the class its kind maps to, and only after the
duplicate check finds nothing that is that institution already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lod.publish.wikidata.builder import ERROR, PlanBuilder, institution_key
from lod.publish.wikidata.facts import Participant, RecordFacts
from lod.publish.wikidata.model import Snak, Statement, Value, item
from lod.publish.wikidata.references import reference
from lod.publish.wikidata.sources import normalise
from lod.publish.wikidata.terms import institution_description, label


def _institution_statements(planner: PlanBuilder, participant: Participant, ref: tuple[Snak, ...],
                            *, class_qid: str | None, new: bool) -> list[Statement]:
    """P31, P17, P791, P856 of an institution item; on an existing item only what it lacks
    (P31, P17 and P856 only when the item has none: they are single-value in practice)."""
    values = planner.values
    pid = values.properties
    current = None if new else planner.state.get(participant.qid or "")
    out: list[Statement] = []

    def lacks(prop: str) -> bool:
        return current is None or not current.claims.get(prop)

    if class_qid and lacks(pid("instance of")):
        out.append(Statement(pid("instance of"), item(class_qid), reference=ref))
    country = values.countries.get(participant.country)
    if country and lacks(pid("country")):
        out.append(Statement(pid("country"), item(country[0]), reference=ref))
    if participant.isil:
        out.append(Statement(pid("ISIL"), Value("external-id", participant.isil)))  # an identifier
    if participant.website and lacks(pid("official website")):
        out.append(Statement(pid("official website"),
                             Value("url", normalise(participant.website).url), reference=ref))
    return out


def plan_institutions(planner: PlanBuilder, facts: Sequence[RecordFacts]) -> dict[str, str]:
    """Plan institution items; return institution key -> the item a record's item may name."""
    resolved: dict[str, str] = {}
    for record in sorted(facts, key=lambda f: f.id):
        ref = reference(record, planner.values)
        if not ref:
            continue  # no acceptable source: nothing said about the institutions either
        for participant in record.participants:
            if participant.qid:
                if participant.qid not in planner.state:  # no statement may name a missing item
                    planner.warn(record.id, "missing-item",
                                 f"{participant.name}: {participant.qid} is not on the wiki; "
                                 "its statement is left out")
                    continue
                resolved[participant.key] = participant.qid
                key = institution_key(participant.qid)
                if key not in planner.items:
                    planner.add(key, record.id, "institution", participant.qid, {}, {},
                                _institution_statements(planner, participant, ref,
                                                        class_qid=participant.type_qid, new=False))
                continue
            _plan_new_institution(planner, record, participant, ref, resolved)
    return resolved


def _plan_new_institution(planner: PlanBuilder, record: RecordFacts, participant: Participant,
                          ref: tuple[Snak, ...], resolved: dict[str, str]) -> None:
    decision = planner.options.decisions.get(participant.key)
    if not planner.options.create_institutions or decision is None:
        planner.warn(record.id, "needs-reconciliation",
                     f"{participant.name} ({participant.country}) has no accepted item; its "
                     "statement is left out (run `lod reconcile`, or record a create decision in "
                     "mappings/wikidata-creates.tsv and pass --create-institutions)")
        return
    key = institution_key(participant.key)
    if key in planner.items:
        return
    chosen = planner.options.classes.get(decision.kind)
    if chosen is None or chosen.qid is None:
        why = chosen.note if chosen else "not a kind of mappings/wikidata-institution-classes.tsv"
        planner.warn(record.id, "no-institution-class",
                     f"{participant.name}: the create decision's kind {decision.kind!r} has no "
                     f"verified class ({why}); link its existing item instead", ERROR)
        planner.blocked(key, record.id, "institution")
        return
    name, changed = label(participant.name)
    if changed:
        planner.warn(record.id, "label-disambiguation",
                     f"{participant.name}: the bracketed part is left out of the label "
                     "(Help:Label: disambiguation belongs in the description)")
    labels = {record.lang.lower(): name}
    country = planner.values.countries.get(participant.country)
    descriptions: dict[str, str] = {}
    text = institution_description(chosen.label, country[1] if country else None)
    if text:
        descriptions["en"] = text
    if country is None:
        planner.warn(record.id, "no-country-item",
                     f"{participant.name}: no verified item for country {participant.country}; "
                     f"{planner.values.properties('country')} and the description left out")
    statements = _institution_statements(planner, participant, ref, class_qid=chosen.qid,
                                         new=True)
    target, blocked = planner.existing(key, record.id, statements, labels, descriptions,
                                       {chosen.qid: chosen.label})
    if blocked:
        planner.blocked(key, record.id, "institution")
    elif target:
        resolved[participant.key] = target
        planner.add(key, record.id, "institution", target, labels, descriptions,
                    _institution_statements(planner, replace(participant, qid=target), ref,
                                            class_qid=chosen.qid, new=False))
    else:
        planner.add(key, record.id, "institution", None, labels, descriptions, statements)
