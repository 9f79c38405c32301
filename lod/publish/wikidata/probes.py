"""What the duplicate check looks for before any create (pure: facts in, probes out).

A case study is looked for by its source URL (P973 described at URL, P953
work available at URL), by its title (P1476) and by label plus description in
each of its languages; an institution to create by its ISIL (P791), its
website (P856) and its name. The query service only proposes; the plan
confirms each candidate against the item's current data from wbgetentities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lod.publish.wikidata.facts import RecordFacts
from lod.publish.wikidata.model import Value
from lod.publish.wikidata.plan import Options, case_study_key, institution_key
from lod.publish.wikidata.reads import Probe


def probes(facts: Sequence[RecordFacts], terms: Mapping[str, tuple[dict[str, str], dict[str, str]]],
           options: Options) -> list[Probe]:
    """Every probe for the records' would-be creates."""
    out: list[Probe] = []
    for record in facts:
        if record.qid is None and record.source_url:
            key = case_study_key(record.id)
            for pid in ("P973", "P953"):
                out.append(Probe(key, "url", pid, Value("url", record.source_url)))
            for lang, title in sorted(record.titles.items()):
                out.append(Probe(key, "title", "P1476", Value("monolingualtext", title, lang)))
            labels, descriptions = terms.get(key, ({}, {}))
            for lang, label in sorted(labels.items()):
                if lang in descriptions:
                    out.append(Probe(key, "label+description", "",
                                     Value("monolingualtext", label, lang), descriptions[lang]))
        if not options.create_institutions:
            continue
        for participant in record.participants:
            if participant.qid:
                continue
            key = institution_key(participant.key)
            if participant.isil:
                out.append(Probe(key, "isil", "P791", Value("external-id", participant.isil)))
            if participant.website:
                out.append(Probe(key, "website", "P856", Value("url", participant.website)))
            out.append(Probe(key, "label", "", Value("monolingualtext", participant.name,
                                                     record.lang.lower())))
    return sorted(set(out), key=lambda p: (p.key, p.how, p.property, p.value, p.description))
