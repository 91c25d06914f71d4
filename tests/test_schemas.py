"""The JSON Schemas say what the loader accepts and what the score JSON holds.

The values schema and the values loader must agree: a document one accepts, the other accepts
(YAML reads JSON, so each sample is given to both as JSON text). The score schema must hold
every result the evaluator gives, warnings and findings included.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # the `test` extra: a missing checker must fail here, not skip 27 tests
import pytest
import yaml

import scorelang

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"


def schema(name: str) -> dict[str, Any]:
    text = resources.files("scorelang").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def valid(document: Any, name: str) -> bool:
    validator = jsonschema.Draft202012Validator(
        schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(document)


def as_json(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


@pytest.mark.parametrize("name", ["values", "score"])
def test_the_schemas_in_the_package_and_in_the_docs_are_the_same_valid_schema(name):
    jsonschema.Draft202012Validator.check_schema(schema(name))
    docs = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text("utf-8"))
    assert docs == schema(name)


def test_the_modena_monitoring_fits_the_values_schema():
    assert valid(as_json(yaml.safe_load(VALUES.read_text("utf-8"))), "values")


def test_the_golden_score_json_and_a_fresh_result_fit_the_score_schema():
    assert valid(json.loads((ROOT / "tests" / "golden" / "modena.json").read_text("utf-8")), "score")
    plan = scorelang.load(ROOT / "rules" / "cciaa-modena-2020.score")
    values = scorelang.load_values(VALUES)
    assert valid(json.loads(json.dumps(plan.evaluate(values).to_dict())), "score")
    # warnings (a missing entry, no period) and N/D everywhere
    partial = plan.evaluate({"export_provinciale": 1.0}, as_of=dt.date(2020, 12, 31))
    assert partial.diagnostics
    assert valid(json.loads(json.dumps(partial.to_dict())), "score")


def _document(value: Any) -> dict[str, Any]:
    return {"plan": "p", "period": "H1", "as_of": "2020-06-30", "values": {"x": value}}


SAMPLES: list[tuple[str, Any]] = [
    ("a number", _document(3.5)),
    ("an integer", _document(143)),
    ("null", _document(None)),
    ("N/D as text", _document("N/D")),
    ("n.d.", _document("n.d.")),
    ("a date", _document("2020-06-30")),
    ("an impossible date", _document("2020-06-31")),
    ("a percentage", _document("16 %")),
    ("underscores", _document("1_000_000")),
    ("an exponent", _document("1.5e3")),
    ("a decimal comma", _document("3,92")),
    ("a word", _document("tre")),
    ("a boolean", _document(True)),
    ("a list", _document([1, 2])),
    ("a mapping", _document({"a": 1})),
    ("no values", {"plan": "p", "period": "H1"}),
    ("values not a mapping", {"values": [1, 2]}),
    ("an unknown key", dict(_document(1.0), extra=1)),
    ("as_of not a date", dict(_document(1.0), as_of="June")),
    ("several periods", {"plan": "p", "periods": {"H1": {"as_of": "2020-06-30",
                                                         "values": {"x": 1}},
                                                  "Y": {"values": {"x": None}}}}),
    ("a period without values", {"plan": "p", "periods": {"H1": {"as_of": "2020-06-30"}}}),
    ("period beside periods", {"period": "H1", "periods": {"H1": {"values": {"x": 1}}}}),
    ("a period that is not a mapping", {"periods": {"H1": 3}}),
    ("the long form", _document({"value": 3.5, "note": "provvisorio", "source": "registro"})),
    ("the long form without its value", _document({"note": "provvisorio"})),
    ("the long form with another key", _document({"value": 1, "nota": "x"})),
    ("a number format", dict(_document(1.0), number_format="it")),
    ("an unknown number format", dict(_document(1.0), number_format="de")),
]


@pytest.mark.parametrize("what, document", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_the_values_schema_accepts_what_the_loader_accepts(what, document):
    try:
        scorelang.loads_all_values(json.dumps(document))
        loaded = True
    except scorelang.ValuesError:
        loaded = False
    assert valid(document, "values") == loaded, what
