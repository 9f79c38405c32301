"""Proof of what landed: every touched item read back and compared with the plan (verify.md).

Right after a live run, a difference means the edit did not land as planned;
run later (``lod publish verify``), a difference is drift: a statement or a
term others have changed or removed since, for a curator to review (nothing
is put back automatically). The comparison is pure; the reads happen in the
caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lod.publish.wikidata.model import ItemState, Plan, Value

NAME = "verify.md"


@dataclass(frozen=True)
class Difference:
    """One planned thing the item does not hold (now)."""

    key: str
    item: str
    what: str


def _shown(value: Value) -> str:
    if value.type == "monolingualtext":
        return f"{value.lang}:{value.value!r}"
    if value.type == "time":
        return f"{value.value}/{value.precision}"
    return value.value


def differences(plan: Plan, touched: Mapping[str, str],
                state: Mapping[str, ItemState]) -> list[Difference]:
    """What the plan added to each touched item (key -> item) and the item lacks now."""
    out: list[Difference] = []
    for planned in plan.items:
        item = touched.get(planned.key)
        if item is None:
            continue
        current = state.get(item)
        if current is None:
            out.append(Difference(planned.key, item, "the item is gone (deleted or merged)"))
            continue
        for lang, text in sorted(planned.labels.items()):
            if current.labels.get(lang) != text:
                out.append(Difference(planned.key, item, f"label {lang}: planned {text!r}, now "
                                      f"{current.labels.get(lang)!r}"))
        for lang, text in sorted(planned.descriptions.items()):
            if current.descriptions.get(lang) != text:
                out.append(Difference(planned.key, item, f"description {lang}: planned {text!r}, "
                                      f"now {current.descriptions.get(lang)!r}"))
        for statement in planned.statements:
            if not current.has(statement):
                out.append(Difference(planned.key, item, f"statement {statement.property} "
                                      f"{_shown(statement.value)} is missing"))
    return out


def render(found: list[Difference], checked: int, batch: str, *, later: bool) -> str:
    """verify.md: a heading, the counts, one line per difference."""
    title = "Drift since publishing" if later else "Verification after publishing"
    lines = [f"# {title}", "", (f"Batch `{batch}`: {checked} items read back; "
             f"{len(found)} differences from the plan."), ""]
    if later and found:
        lines += [("Others have changed or removed these since; review them (nothing is put back "
                  "automatically):"), ""]
    lines += [f"- `{d.key}` ({d.item}): {d.what}" for d in found]
    return "\n".join(lines).rstrip() + "\n"
