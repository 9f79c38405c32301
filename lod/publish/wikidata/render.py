"""The plan's three review forms: plan.json, quickstatements.txt (V1) and review.html.

``plan.json`` is canonical JSON (sorted keys, two-space indent, LF, UTF-8), so
that a re-run on the same input and the same wiki state gives the same bytes.
``quickstatements.txt`` says the same in QuickStatements V1 (tab-separated;
``CREATE`` then ``LAST``; ``S854``/``S813`` reference pairs); a blocked item or
one with nothing to add has no line. ``review.html`` is rendered by Jinja2 with
autoescaping on: a title can never become markup; its one style sheet is
allowed by its hash in the page's Content-Security-Policy, nothing else is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from lod.publish.wikidata.checks import Constraints, by_code, by_key, check_table, findings
from lod.publish.wikidata.model import Plan, PlannedItem, Statement, Value, Warning
from lod.publish.wikidata.reads import IdMap
from lod.text import visible


def plan_json(plan: Plan) -> bytes:
    """plan.json's bytes."""
    return (json.dumps(plan.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _quoted(text: str) -> str:
    return f'"{text}"'


def qs_value(value: Value) -> str:
    """One value in V1 syntax."""
    if value.type == "item":
        return value.value
    if value.type == "monolingualtext":
        return f"{value.lang}:{_quoted(value.value)}"
    if value.type == "time":
        return f"{value.value}/{value.precision}"
    return _quoted(value.value)


def _statement_line(subject: str, statement: Statement) -> str:
    cells = [subject, statement.property, qs_value(statement.value)]
    for pid, value in statement.qualifiers:
        cells += [pid, qs_value(value)]
    for pid, value in statement.reference:
        cells += [f"S{pid[1:]}", qs_value(value)]
    return "\t".join(cells)


def _item_lines(planned: PlannedItem) -> list[str]:
    if planned.action not in {"create", "update"}:
        return []
    lines = []
    if planned.action == "create":
        lines.append("CREATE")
        subject = "LAST"
    else:
        if planned.item is None:
            raise ValueError(f"{planned.key}: an update without an item")
        subject = planned.item
    for lang, text in sorted(planned.labels.items()):
        lines.append(f"{subject}\tL{lang}\t{_quoted(text)}")
    for lang, text in sorted(planned.descriptions.items()):
        lines.append(f"{subject}\tD{lang}\t{_quoted(text)}")
    lines += [_statement_line(subject, s) for s in planned.statements]
    return lines


def quickstatements(plan: Plan) -> bytes:
    """quickstatements.txt's bytes (QuickStatements V1)."""
    lines = [line for planned in plan.items for line in _item_lines(planned)]
    return ("\n".join(lines) + ("\n" if lines else "")).encode()


MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
_TIME = re.compile(r"([+-])(\d{1,16})-(\d\d)-(\d\d)T")

#: The review page's one style sheet; the page's Content-Security-Policy allows exactly it (by
#: its hash) and nothing else: no script, no request anywhere (as the site's pages).
STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; line-height: 1.4; color: #202122; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.5rem; }
th, td { border: 1px solid #a2a9b1; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: #eaecf0; }
section.item { border-top: 2px solid #a2a9b1; margin-top: 1.5rem; }
.error { color: #b32424; font-weight: bold; }
.warning { color: #7a4b00; }
.note { color: #54595d; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); gap: 1rem; }
ul.findings { padding-left: 1.2rem; }
.id { color: #54595d; font-size: 0.9em; }
"""


def style_hash() -> str:
    """The CSP source of :data:`STYLE` (``'sha256-…'``)."""
    digest = hashlib.sha256(STYLE.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def readable_time(value: str, precision: int) -> str:
    """A Wikibase time as a person reads it: ``+2016-01-00T00:00:00Z`` at month precision is
    "January 2016"; year, decade and century precisions likewise (Gregorian, as planned)."""
    found = _TIME.match(value)
    if found is None:
        return value
    sign, year_text, month_text, day_text = found.groups()
    year, month, day_ = int(year_text), int(month_text), int(day_text)
    era = " BCE" if sign == "-" else ""
    if precision >= 11 and 1 <= month <= 12 and day_:
        return f"{day_} {MONTHS[month - 1]} {year}{era}"
    if precision == 10 and 1 <= month <= 12:
        return f"{MONTHS[month - 1]} {year}{era}"
    if precision == 8:
        return f"{year // 10 * 10}s{era}"
    if precision == 7:
        return f"{(year - 1) // 100 + 1}. century{era}"
    return f"{year}{era}"


@dataclass(frozen=True)
class WikiLinks:
    """Where an id's page is on the wiki the plan was made for (its own ids on a test wiki)."""

    page: str = "https://www.wikidata.org/wiki/"
    ids: IdMap = field(default_factory=IdMap)

    @classmethod
    def for_api(cls, api_url: str, ids: IdMap) -> WikiLinks:
        """Wikidata's pages for Wikidata; ``index.php?title=`` beside any other wiki's api.php."""
        if urlsplit(api_url).hostname in {"www.wikidata.org", "wikidata.org"}:
            return cls("https://www.wikidata.org/wiki/", ids)
        return cls(api_url.rsplit("/", 1)[0] + "/index.php?title=", ids)

    def entity(self, plan_id: str) -> str:
        """The URL of an item's or property's page."""
        local = self.ids.wiki(plan_id)
        title = f"Property:{local}" if local.startswith("P") else local
        return self.page + quote(title, safe=":")


def _shown(value: object) -> object:
    """Every value the page prints (labels from the wiki included), controls made visible."""
    if isinstance(value, Markup):  # already HTML: made visible, still HTML
        return Markup(visible(str(value)))  # noqa: S704 - HTML already; only controls rewritten
    return visible(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Shown:
    """A value as the page shows it: text, a link when it has one, the id or language beside."""

    text: str
    href: str = ""
    aside: str = ""


def review_html(plan: Plan, labels: Mapping[str, str], links: WikiLinks | None = None,
                constraints: Constraints | None = None) -> bytes:
    """review.html's bytes: a summary first (counts by kind of change, the checks OpenRefine runs
    before an upload, the warnings by kind), then each item with its current state beside the
    additions, values with their labels and readable dates, linked to the wiki, the warnings and
    failed checks beside the item they concern; last, every warning and check grouped by kind."""
    links = links or WikiLinks()
    constraints = constraints or Constraints()
    environment = Environment(loader=PackageLoader("lod.publish.wikidata", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              keep_trailing_newline=True, finalize=_shown)
    template = environment.get_template("review.html.j2")

    def named(entity: str) -> Shown:
        name = labels.get(entity, "")
        return Shown(name or entity, links.entity(entity), entity if name else "")

    def show(value: Value) -> Shown:
        if value.type == "item":
            return named(value.value)
        if value.type == "time":
            return Shown(readable_time(value.value, value.precision))
        if value.type == "monolingualtext":
            return Shown(value.value, aside=value.lang)
        if value.type == "url" and value.value.startswith(("http://", "https://")):
            return Shown(value.value, value.value)
        return Shown(value.value)

    found = findings(plan, constraints)
    checks_by_key = by_key(found)
    warnings_by_record: dict[str, list[Warning]] = {}
    for warning in plan.warnings:
        warnings_by_record.setdefault(warning.record, []).append(warning)
    first_of_record: dict[str, str] = {}
    for planned in plan.items:
        first_of_record.setdefault(planned.record, planned.key)
    without_item = {record: rows for record, rows in sorted(warnings_by_record.items())
                    if record not in first_of_record}
    warnings_by_code: dict[str, list[Warning]] = {}
    for warning in plan.warnings:
        warnings_by_code.setdefault(warning.code, []).append(warning)
    kinds = sorted({i.kind for i in plan.items})
    counts = {action: {kind: sum(1 for i in plan.items if i.action == action and i.kind == kind)
                       for kind in kinds} for action in ("create", "update", "none", "blocked")}
    editing = [i for i in plan.items if i.action in {"create", "update"}]
    added = {
        "statements": sum(len(i.statements) for i in editing),
        "labels": sum(len(i.labels) for i in editing),
        "descriptions": sum(len(i.descriptions) for i in editing),
    }
    by_property: dict[str, int] = {}
    for planned in editing:
        for statement in planned.statements:
            by_property[statement.property] = by_property.get(statement.property, 0) + 1
    return template.render(
        plan=plan, show=show, named=named, counts=counts, kinds=kinds, added=added,
        by_property=sorted(by_property.items(), key=lambda kv: (-kv[1], kv[0])),
        warnings_by_record=warnings_by_record, first_of_record=first_of_record,
        without_item=without_item, warnings_by_code=sorted(warnings_by_code.items()),
        checks_by_key=checks_by_key, checks_by_code=by_code(found),
        checks=check_table(constraints),
        style=Markup(STYLE), csp=(f"default-src 'none'; style-src {style_hash()}; "  # noqa: S704
                                  "img-src 'none'; base-uri 'none'; form-action 'none'"),
    ).encode()
