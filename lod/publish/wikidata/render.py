"""The plan's three review forms: plan.json, quickstatements.txt (V1) and review.html.

``plan.json`` is canonical JSON (sorted keys, two-space indent, LF, UTF-8), so
that a re-run on the same input and the same wiki state gives the same bytes.
``quickstatements.txt`` says the same in QuickStatements V1 (tab-separated;
``CREATE`` then ``LAST``; ``S854``/``S813`` reference pairs); a blocked item or
one with nothing to add has no line. ``review.html`` is rendered by Jinja2 with
autoescaping on: a title can never become markup.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from lod.publish.wikidata.model import Plan, PlannedItem, Statement, Value
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


def _shown(value: object) -> object:
    """Every value the page prints (labels from the wiki included), controls made visible."""
    if isinstance(value, Markup):  # already HTML: made visible, still HTML
        return Markup(visible(str(value)))  # noqa: S704 - HTML already; only controls rewritten
    return visible(value) if isinstance(value, str) else value


def review_html(plan: Plan, labels: Mapping[str, str]) -> bytes:
    """review.html's bytes: per item its current state beside the planned additions."""
    environment = Environment(loader=PackageLoader("lod.publish.wikidata", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              keep_trailing_newline=True, finalize=_shown)
    template = environment.get_template("review.html.j2")

    def show(value: Value) -> str:
        if value.type == "item":
            name = labels.get(value.value)
            return f"{value.value} ({name})" if name else value.value
        if value.type == "monolingualtext":
            return f"{value.value} [{value.lang}]"
        if value.type == "time":
            precision = {9: "year", 10: "month", 11: "day"}.get(value.precision, str(value.precision))
            return f"{value.value} ({precision})"
        return value.value

    def named(qid: str) -> str:
        return show(Value("item", qid))

    def prop(pid: str) -> str:
        name = labels.get(pid)
        return f"{pid} ({name})" if name else pid

    warnings_by_record: dict[str, list[object]] = {}
    for warning in plan.warnings:
        warnings_by_record.setdefault(warning.record, []).append(warning)
    counts = {action: sum(1 for i in plan.items if i.action == action)
              for action in ("create", "update", "none", "blocked")}
    return template.render(plan=plan, show=show, prop=prop, named=named, counts=counts,
                           warnings_by_record=warnings_by_record).encode()
