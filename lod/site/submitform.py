"""The submission form (issue 25): its controls and its rules, made at ``lod site`` time.

Nothing here is a second copy of the contract: the required fields come from
the JSON Schema of :class:`lod.model.case_study.CaseStudy` (the one
``docs/casestudy.schema.json`` is generated from), the closed term lists from
:mod:`lod.model.vocab`, their labels and definitions from the graph the site is
built from, and the summary limit, the date and URL patterns from the model
module. A vocabulary changed in ``mappings/`` or the model shows up in the
form at the next ``lod site``. The page's script (``static/submit.js``) reads
them from ``static/submit-rules.js``, a classic script, so the form works
opened from disk under the site's CSP, and it sends nothing anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from lod.model.case_study import MAX_ID, MAX_SUMMARY, CaseStudy
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
from lod.site.labels import Labels
from lod.site.pages import Common, Describe, _nothing

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
_DATE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_URL = r"^https?://[^\s/?#<>\"{}|\\^`]+(?:[/?#][^\s<>\"{}|\\^`]*)?$"


def _definition(describe: Describe, scheme: str, term: str) -> str:
    facts, _ = describe(scheme, term)
    for fact in facts:
        if fact.startswith("Definition: "):
            return fact.removeprefix("Definition: ")
    return ""


def form_rules(labels: Labels, describe: Describe = _nothing) -> dict[str, Any]:
    """Everything the form checks against, as plain data (pure: same inputs, same rules)."""
    schema = CaseStudy.model_json_schema()
    defs = schema.get("$defs", {})
    return {
        "required": sorted(schema.get("required", [])),
        "institutionRequired": sorted(defs.get("Institution", {}).get("required", [])),
        "maxSummary": MAX_SUMMARY,
        "maxId": MAX_ID,
        "datePattern": _DATE,
        "urlPattern": _URL,
        "types": [{"id": t, "label": labels.library_type(t),
                   "definition": _definition(describe, "library-type", t)} for t in LIBRARY_TYPES],
        "countries": [{"id": c, "label": labels.country(c)} for c in labels.countries()],
        "units": [{"id": u.id, "label": labels.unit(u.id),
                   "kind": u.kind} for u in sorted(labels.units.values(),
                                                   key=lambda u: labels.unit(u.id))],
        "projects": [{"id": p, "label": labels.project(p)} for p in PROJECTS],
        "activities": [{"id": a, "label": labels.activity(a)} for a in ACTIVITIES],
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
