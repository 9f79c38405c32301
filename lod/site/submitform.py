"""The submission form (issue 25): its controls and its rules, made at ``lod site`` time.

Nothing here is a second copy of the contract: the required fields, the
summary limit and the patterns of ids, dates, links, e-mail addresses and
language tags come from the committed JSON Schema (``docs/casestudy.schema.json``,
generated from the model, read by :func:`lod.inputs.read_case_study_schema`),
the closed term lists from :mod:`lod.model.vocab`, their labels and
definitions from the graph the site is built from. A vocabulary changed in
``mappings/`` or a rule changed in the schema shows up in the form at the
next ``lod site``. The page's script (``static/submit.js``) reads
them from ``static/submit-rules.js``, a classic script, so the form works
opened from disk under the site's CSP, and it sends nothing anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lod.harvest.wikiharvest import LANG_SUBPAGE, UNMARKED_LANG
from lod.inputs import InputFileError, read_case_study_schema
from lod.model.vocab import (
    ACTIVITIES,
    DEFAULT_LICENSE,
    LIBRARY_TYPES,
    LINK_KINDS,
    PROJECTS,
    ROLES,
    SECTION_KEYS,
    SUBMITTER_KINDS,
)
from lod.resources import language_names
from lod.site.labels import Labels
from lod.site.pages import Common, Describe

#: The Outreach wiki page the call's case studies live under (``lod harvest``'s default prefix).
PAGE_PREFIX = "GLAM/IFLA Case Studies/"
WIKI_EDIT = "https://outreach.wikimedia.org/w/index.php"
#: Licences a contributor may choose for the text (SPDX ids; the wiki's own is the first).
LICENCES = (("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 (the wiki's licence)"),
            ("CC-BY-4.0", "Creative Commons Attribution 4.0"),
            ("CC0-1.0", "CC0 1.0 (public domain dedication)"))
#: The wiki headings of the long sections, as ``lod harvest --template`` prints them.
SECTION_HEADINGS = {"summary": "Summary/Abstract", "context": "Context/Background",
                    "goals": "Goals", "implementation": "Implementation/Steps",
                    "outcomes": "Outcomes", "lessons": "Reflection and lessons learned",
                    "resources": "Resources/Links/Additional Context"}
#: Plain words for the submitter kinds.
SUBMITTER_WORDS = {"ifla-unit": "an IFLA unit", "individual": "a person",
                   "library": "a library", "wikimedia-affiliate": "a Wikimedia affiliate",
                   "other": "another organisation"}


def _definition(describe: Describe, scheme: str, term: str) -> str:
    facts, _ = describe(scheme, term)
    for fact in facts:
        if fact.startswith("Definition: "):
            return fact.removeprefix("Definition: ")
    return ""


def _string_rule(node: dict[str, Any], key: str) -> Any:
    """``key`` (pattern, maxLength) of a schema property, looking into ``anyOf: [string, null]``."""
    for branch in [node, *node.get("anyOf", [])]:
        if key in branch:
            return branch[key]
    raise KeyError(key)


def schema_rules(path: Path) -> dict[str, Any]:
    """The limits and patterns the form checks, as the committed JSON Schema states them.

    A schema without one of them is out of date (``python -m lod.model.schema``
    writes them): an error naming the file and the rule, never a form without it.
    """
    schema = read_case_study_schema(path)
    try:
        return _schema_rules(schema)
    except (KeyError, TypeError, AttributeError) as error:
        raise InputFileError(path, f"states no {error} for the form; regenerate it with "
                                   "`python -m lod.model.schema`") from None


def _schema_rules(schema: dict[str, Any]) -> dict[str, Any]:
    top, defs = schema["properties"], schema["$defs"]
    rules = {
        "required": sorted(schema.get("required", [])),
        "institutionRequired": sorted(defs["Institution"].get("required", [])),
        "maxSummary": _string_rule(top["summary"]["additionalProperties"], "maxLength"),
        "maxId": _string_rule(top["id"], "maxLength"),
        "idPattern": _string_rule(top["id"], "pattern"),
        "langPattern": _string_rule(top["lang"], "pattern"),
        "datePattern": _string_rule(defs["Period"]["properties"]["start"], "pattern"),
        "urlPattern": _string_rule(defs["Link"]["properties"]["url"], "pattern"),
        "emailPattern": _string_rule(defs["Contact"]["properties"]["email"], "pattern"),
    }
    if not isinstance(rules["maxSummary"], int) or not isinstance(rules["maxId"], int):
        raise TypeError("maxLength as a whole number")
    for key in ("idPattern", "langPattern", "datePattern", "urlPattern", "emailPattern"):
        if not isinstance(rules[key], str):
            raise TypeError(f"{key} as text")
    return rules


def form_rules(labels: Labels, describe: Describe, contract: dict[str, Any]) -> dict[str, Any]:
    """Everything the form checks against, as plain data (pure: same inputs, same rules);
    ``contract``: :func:`schema_rules` of the committed schema."""
    return {
        **contract,
        "types": [{"id": t, "label": labels.library_type(t),
                   "definition": _definition(describe, "library-type", t)} for t in LIBRARY_TYPES],
        "countries": [{"id": c, "label": labels.country(c)} for c in labels.countries()],
        "units": [{"id": u.id, "label": labels.unit(u.id),
                   "kind": u.kind} for u in sorted(labels.units.values(),
                                                   key=lambda u: labels.unit(u.id))],
        "projects": [{"id": p, "label": labels.project(p)} for p in PROJECTS],
        "activities": [{"id": a, "label": labels.activity(a)} for a in ACTIVITIES],
        "languages": [{"id": code, "label": name} for code, name in
                      sorted(language_names().items(), key=lambda item: (item[1], item[0]))],
        "roles": [{"id": r, "label": labels.label("role", r),
                   "definition": _definition(describe, "role", r)} for r in ROLES],
        "linkKinds": [{"id": k, "label": labels.label("link-kind", k),
                       "definition": _definition(describe, "link-kind", k)} for k in LINK_KINDS],
        "submitterKinds": [{"id": k, "label": SUBMITTER_WORDS.get(k, k)} for k in SUBMITTER_KINDS],
        "sections": [{"id": s, "heading": SECTION_HEADINGS[s]} for s in SECTION_KEYS],
        "summaryHeading": SECTION_HEADINGS["summary"],
        "licences": [{"id": i, "label": w} for i, w in LICENCES],
        "defaultLicence": DEFAULT_LICENSE,
        "pagePrefix": PAGE_PREFIX,
        "subpagePattern": LANG_SUBPAGE.pattern,
        "unmarkedLang": UNMARKED_LANG,
        "wikiEdit": WIKI_EDIT,
    }


def rules_script(rules: dict[str, Any]) -> bytes:
    """The rules as a classic script (``window.lodForm``): loads from file:// under the CSP."""
    text = json.dumps(rules, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.lodForm = {text};\n".encode()


def submit_page(common: Common, rules: dict[str, Any]) -> bytes:
    """The submission page with its form (controls rendered here, behaviour in submit.js)."""
    unit_kinds: dict[str, list[dict[str, str]]] = {}
    for unit in rules["units"]:
        unit_kinds.setdefault(unit["kind"], []).append(unit)
    return common.render("submit.html", root="", title="Submit a case study", current="submit",
                         rules=rules, unit_kinds=sorted(unit_kinds.items()))
