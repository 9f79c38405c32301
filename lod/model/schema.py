"""The contract as JSON Schema, for editors and other tools.

The committed copy (``docs/casestudy.schema.json``) is regenerated with
``python -m lod.model.schema`` and a test fails when it drifts from the models.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from lod.model.case_study import (
    EMAIL_RE,
    ID_RE,
    MAX_ID,
    MAX_SUMMARY,
    PARTIAL_DATE_RE,
    URL_RE,
    CaseStudy,
)
from lod.model.terms import _LANGTAG_RE as LANGTAG_RE

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "casestudy.schema.json"


def _pattern(regex: re.Pattern[str]) -> str:
    """A model regex as a JSON Schema pattern (ECMA-262: whole value, no named groups)."""
    return "^(?:" + re.sub(r"\(\?P<\w+>", "(", regex.pattern) + ")$"


def _constrain(schema: dict[str, Any]) -> None:
    """Write the model's own limits and patterns into the schema.

    The validators check them in code (pydantic cannot say so in the schema),
    so without this the committed schema would be looser than ``lod validate``,
    and the site's submission form, which takes its rules from this file,
    would accept what the command line refuses.
    """
    top, defs = schema["properties"], schema["$defs"]
    top["id"].update(pattern=_pattern(ID_RE), maxLength=MAX_ID)
    top["summary"]["additionalProperties"]["maxLength"] = MAX_SUMMARY
    top["lang"]["pattern"] = _pattern(LANGTAG_RE)
    top["languages"]["items"]["pattern"] = _pattern(LANGTAG_RE)
    for owner, name, regex in (("Period", "start", PARTIAL_DATE_RE),
                               ("Period", "end", PARTIAL_DATE_RE),
                               ("Link", "url", URL_RE), ("Institution", "website", URL_RE),
                               ("Contact", "email", EMAIL_RE)):
        node = defs[owner]["properties"][name]
        if "anyOf" in node:
            node["anyOf"] = [dict(b, pattern=_pattern(regex)) if b.get("type") == "string" else b
                             for b in node["anyOf"]]
        else:
            node["pattern"] = _pattern(regex)


def json_schema() -> str:
    """The JSON Schema of a case-study file, as stable, pretty-printed text."""
    schema = CaseStudy.model_json_schema()
    _constrain(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Library/Wikimedia case study"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    target.write_text(json_schema(), encoding="utf-8")
