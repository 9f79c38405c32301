"""The contract as JSON Schema, for editors and other tools.

The committed copy (``docs/casestudy.schema.json``) is regenerated with
``python -m lod.model.schema`` and a test fails when it drifts from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lod.model.case_study import CaseStudy

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "casestudy.schema.json"


def json_schema() -> str:
    """The JSON Schema of a case-study file, as stable, pretty-printed text."""
    schema = CaseStudy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Library/Wikimedia case study"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    target.write_text(json_schema(), encoding="utf-8")
