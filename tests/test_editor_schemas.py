"""The JSON Schemas editors are given: every file the project ships fits its schema, mistakes do
not, and the schema of one plan's values files (`scorelang.values_schema`, `scorelang schema`)
accepts exactly the ids and kinds of value that scoring the plan accepts.

The schemas live in the package (`scorelang/schemas/`) and, the same files, in docs/schemas/.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, strategies as st

import scorelang
from scorelang.engine.schema import SCHEMA_BASE, SCHEMAS, bundled_schema
from scorelang.model import FLAGS
from scorelang.tools.published import PublishedError, loads_published
from scorelang.tools.ruletest import STATUSES, RuleTestError, load_suite
from scorelang.tools.whatif import WhatIfError, operations_from

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

VALLEVERDE_RULES = ROOT / "rules" / "comune-valleverde-2023.score"


def as_json(data: Any) -> Any:
    """A YAML document as an editor's YAML server reads it: dates are text."""
    if isinstance(data, dict):
        return {str(k): as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


def read(path: Path) -> Any:
    return as_json(yaml.safe_load(path.read_text("utf-8")))


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def valid(document: Any, schema: str | dict[str, Any]) -> bool:
    return validator(bundled_schema(schema) if isinstance(schema, str) else schema) \
        .is_valid(document)


# ---- every bundled schema ----------------------------------------------------------------------
@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_2020_12_schema_with_its_id_and_the_same_in_the_docs(name):
    schema = bundled_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SCHEMA_BASE}{name}.schema.json"
    assert json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text("utf-8")) \
        == schema
    # self-contained: an editor given the file alone resolves every reference in it
    assert all(ref.startswith("#/") for ref in _refs(schema))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


# ---- the files the project ships ---------------------------------------------------------------
SHIPPED = [(path, "ruletest") for path in sorted(ROOT.glob("rules/*.test.yaml"))] + [
    (ROOT / "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml", "values"),
    (ROOT / "examples/comune-valleverde-2023/monitoraggio-2023-06.yaml", "values"),
    (ROOT / "examples/comune-valleverde-2023/consuntivo-2023.yaml", "values"),
    (ROOT / "examples/cciaa-modena-2020/pubblicati-2020-06.yaml", "published"),
    (ROOT / "examples/cciaa-modena-2020/rimodulazione-ocri.yaml", "whatif"),
]


def test_every_yaml_file_the_project_ships_is_listed():
    shipped = {path for path, _ in SHIPPED}
    assert set(ROOT.glob("examples/**/*.yaml")) | set(ROOT.glob("rules/*.yaml")) == shipped


@pytest.mark.parametrize("path, name", SHIPPED, ids=[f"{p.name}" for p, _ in SHIPPED])
def test_every_shipped_file_fits_its_schema(path, name):
    errors = list(validator(bundled_schema(name)).iter_errors(read(path)))
    assert not errors, [e.message for e in errors]


def test_the_rule_test_schema_knows_the_statuses_and_flags_and_the_values_loader():
    schema = bundled_schema("ruletest")
    expectation = schema["$defs"]["expectation"]["anyOf"][1]["properties"]
    assert expectation["status"]["enum"] == list(STATUSES)
    assert expectation["flags"]["items"]["enum"] == list(FLAGS)
    values = bundled_schema("values")["$defs"]
    for name in ("value", "number", "not_available", "date", "behaviours"):
        assert schema["$defs"][name] == values[name], name  # inline values read as a file's


# ---- mistakes: the loader's verdict and the schema's agree -------------------------------------
RULE_TESTS: list[tuple[str, Any]] = [
    ("a score", {"tests": [{"values": {"export_provinciale": 1}, "expect": {"1": 50}}]}),
    ("N/D", {"tests": [{"values": "v.yaml", "expect": {"1": "N/D"}}]}),
    ("the long form", {"tests": [{"name": "x", "values": {}, "tolerance": 0.1,
                                  "as_of": dt.date(2020, 6, 30),
                                  "expect": {"1": {"status": "missing", "flags": []}}}]}),
    ("a score as text", {"tests": [{"values": {}, "expect": {"1": "50"}}]}),
    ("a decimal comma", {"tests": [{"values": {}, "expect": {"1": "62,96"}}]}),
    ("null expected", {"tests": [{"values": {}, "expect": {"1": None}}]}),
    ("no tests", {"tests": []}),
    ("no expect", {"tests": [{"values": {}}]}),
    ("an empty long form", {"tests": [{"values": {}, "expect": {"1": {"tolerance": 1}}}]}),
    ("an unknown status", {"tests": [{"values": {}, "expect": {"1": {"status": "late"}}}]}),
    ("an unknown flag", {"tests": [{"values": {}, "expect": {"1": {"flags": ["odd"]}}}]}),
    ("a negative tolerance", {"tests": [{"values": {}, "tolerance": -1, "expect": {"1": 1}}]}),
    ("an unknown key", {"tests": [{"values": {}, "expect": {"1": 1}, "expected": 2}]}),
    ("as_of not a date", {"tests": [{"values": {}, "as_of": "June", "expect": {"1": 1}}]}),
    ("an inline value of the wrong shape", {"tests": [{"values": {"x": [1]}, "expect": {"1": 1}}]}),
]


@pytest.mark.parametrize("what, document", RULE_TESTS, ids=[s[0] for s in RULE_TESTS])
def test_the_rule_test_schema_accepts_what_the_loader_accepts(what, document, tmp_path):
    # A rule test names files inside its own project (SL013): a copy of the plan beside it.
    (tmp_path / "plan.score").write_text(MODENA_RULES.read_text("utf-8"), "utf-8")
    document = {"rules": "plan.score", **document}
    path = tmp_path / "plan.test.yaml"
    path.write_text(yaml.safe_dump(document), "utf-8")
    try:
        load_suite(path)
        loaded = True
    except RuleTestError as exc:
        # the node ids and the values file's path are the plan's to check, not the schema's
        assert not {d.code for d in exc.diagnostics} & {"SL403"}, what
        loaded = False
    assert valid(as_json(document), "ruletest") == loaded, what


PUBLISHED: list[tuple[str, Any]] = [
    ("scores", {"plan": "p", "scores": {"1": "62,96%", "2": 100, "3": "N/D", "4": "100,%"}}),
    ("values and a summary", {"values": {"x": "3.111.720.000,00 €", "d": "31/10/2020"},
                              "summary": {"1": ["62,96%", "33,34%"]}}),
    ("english", {"locale": "en", "scores": {"1": "62.96%"}}),
    ("no figures", {"plan": "p", "period": "H1"}),
    ("an unknown locale", {"locale": "fr", "scores": {"1": "1%"}}),
    ("a score in euro", {"scores": {"1": "12 €"}}),
    ("a word", {"scores": {"1": "tanto"}}),
    ("a summary row of three", {"summary": {"1": ["1%", "2%", "3%"]}}),
    ("null", {"scores": {"1": None}}),
    ("an unknown key", {"scores": {"1": "1%"}, "totals": {}}),
    ("as_of not a date", {"as_of": "June", "scores": {"1": "1%"}}),
]


@pytest.mark.parametrize("what, document", PUBLISHED, ids=[s[0] for s in PUBLISHED])
def test_the_published_schema_accepts_what_the_loader_accepts(what, document):
    try:
        loads_published(json.dumps(document))
        loaded = True
    except PublishedError:
        loaded = False
    assert valid(document, "published") == loaded, what


WHATIF: list[tuple[str, Any]] = [
    ("drops", [{"drop": "regolamento_ocri"}, {"drop": 301}]),
    ("every operation", [{"set_target": {"indicator": "x", "target": ">= 3", "period": "H1"}},
                         {"set_weight": {"node": "301", "percent": 40, "keep_others": True}},
                         {"set_value": {"indicator": "x", "value": None}},
                         {"set_value": {"indicator": "d", "value": dt.date(2020, 10, 31)}}]),
    ("not a list", {"drop": "x"}),
    ("two operations in one", [{"drop": "x", "set_value": {"indicator": "x", "value": 1}}]),
    ("an unknown operation", [{"remove": "x"}]),
    ("a target without its indicator", [{"set_target": {"target": ">= 3"}}]),
    ("a weight that is a word", [{"set_weight": {"node": "301", "percent": "forty"}}]),
    ("a value that is a word", [{"set_value": {"indicator": "x", "value": "tre"}}]),
]


@pytest.mark.parametrize("what, document", WHATIF, ids=[s[0] for s in WHATIF])
def test_the_whatif_schema_accepts_what_the_loader_accepts(what, document):
    try:
        operations_from(document, "<ops>")
        loaded = True
    except WhatIfError:
        loaded = False
    assert valid(as_json(document), "whatif") == loaded, what


# ---- the schema of one plan's values files -----------------------------------------------------
@pytest.fixture(scope="module")
def modena():
    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="module")
def modena_schema(modena):
    schema = scorelang.values_schema(modena)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _kinds(plan):
    indicators = plan.definition.indicators
    return ([i.id for i in indicators if i.deadline is None],
            [i.id for i in indicators if i.deadline is not None])


def test_each_plans_values_files_fit_its_schema_and_not_the_others():
    valleverde = scorelang.values_schema(scorelang.load(VALLEVERDE_RULES))
    for path in sorted(ROOT.glob("examples/comune-valleverde-2023/*.yaml")):
        assert valid(read(path), valleverde), path
    modena = scorelang.values_schema(scorelang.load(MODENA_RULES))
    assert valid(read(MODENA_VALUES), modena)
    assert not valid(read(MODENA_VALUES), valleverde)


def test_the_schema_names_the_plan_its_periods_and_each_indicator(modena, modena_schema):
    assert modena_schema["$id"] == f"{SCHEMA_BASE}plans/cciaa_modena_2020.values.schema.json"
    properties = modena_schema["$defs"]["values"]["properties"]
    assert list(properties) == [i.id for i in modena.definition.indicators]
    measured, deadlines = _kinds(modena)
    assert measured and deadlines
    assert properties[measured[0]]["description"].startswith(modena.definition.indicators[0].title)
    assert all(properties[i]["anyOf"][0]["$ref"] == "#/$defs/completion" for i in deadlines)
    assert modena_schema["$defs"]["period"]["enum"] == ["H1", "Y"]


def _monitoring(**values: Any) -> dict[str, Any]:
    return {"plan": "cciaa_modena_2020", "period": "H1", "as_of": "2020-06-30", "values": values}


def test_an_unknown_id_or_a_value_of_the_wrong_kind_is_rejected(modena, modena_schema):
    measured, deadlines = _kinds(modena)
    assert valid(_monitoring(**{measured[0]: 3.5, deadlines[0]: "2020-06-01"}), modena_schema)
    assert valid(_monitoring(**{measured[0]: "N/D", deadlines[0]: None}), modena_schema)
    assert not valid(_monitoring(export_provinciali=3.5), modena_schema)  # a misspelt id
    assert not valid(_monitoring(**{measured[0]: "2020-06-01"}), modena_schema)  # a date
    assert not valid(_monitoring(**{deadlines[0]: 1}), modena_schema)  # a number for a deadline
    assert not valid(dict(_monitoring(), plan="comune_valleverde_2023"), modena_schema)
    assert not valid(dict(_monitoring(), period="Q3"), modena_schema)
    periods = {"plan": "cciaa_modena_2020", "periods": {"H1": {"values": {measured[0]: 1}},
                                                        "Q3": {"values": {}}}}
    assert not valid(periods, modena_schema)
    assert valid({**periods, "periods": {"H1": periods["periods"]["H1"]}}, modena_schema)


def test_monitoring_decisions_and_ratings_name_what_the_plan_has():
    plan = scorelang.load(VALLEVERDE_RULES)
    schema = scorelang.values_schema(plan)
    base = read(ROOT / "examples/comune-valleverde-2023/consuntivo-2023.yaml")
    assert valid(base, schema)
    neutral = {"reason": "r", "act": "a"}
    assert valid(dict(base, neutralised={"1.3": neutral}), schema)  # a node id
    assert not valid(dict(base, neutralised={"eventi_culturale": neutral}), schema)
    assert not valid(dict(base, overrides={"9.9": {"score": 1, "reason": "r"}}), schema)
    assert not valid(dict(base, previous={"nessuno": 75}), schema)
    ratings = base["behaviours"]
    person = next(iter(ratings))
    assert not valid(dict(base, behaviours={"nessuno": ratings[person]}), schema)
    assert not valid(dict(base, behaviours={person: {"simpatia": 3}}), schema)
    assert not valid(dict(base, behaviours={person: {**ratings[person], "leadership": 9}}),
                     schema)  # off the 1-5 scale


def test_a_period_narrows_the_schema_and_an_unknown_one_is_sl312(modena):
    schema = scorelang.values_schema(modena, period="H1")
    assert valid(read(MODENA_VALUES), schema)
    assert not valid(dict(read(MODENA_VALUES), period="Y"), schema)
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.values_schema(modena, period="Q3")
    assert [d.code for d in raised.value.diagnostics] == ["SL312"]


_DAY = st.dates(dt.date(2019, 1, 1), dt.date(2020, 6, 30))


@given(st.dictionaries(
    st.sampled_from(sorted({i.id for i in scorelang.load(MODENA_RULES).definition.indicators}
                           | {"nessuno", "export_provinciali"})),
    st.one_of(st.none(), st.floats(-1e6, 1e6), _DAY), max_size=6))
def test_the_schema_accepts_the_values_scoring_accepts(modena, modena_schema, values):
    """SL307 (unknown indicator) and SL308 (a date for a measure, a number for a deadline):
    what the schema rejects is what scoring rejects."""
    document = _monitoring(**{k: v.isoformat() if isinstance(v, dt.date) else v
                              for k, v in values.items()})
    try:
        modena.evaluate(values, period="H1", as_of=dt.date(2020, 6, 30))
        scored = True
    except scorelang.ValuesError:
        scored = False
    assert valid(document, modena_schema) == scored


def test_the_command_prints_or_writes_the_apis_schema(modena, tmp_path):
    run = [sys.executable, "-m", "scorelang", "schema", str(MODENA_RULES)]
    printed = subprocess.run(run, capture_output=True, text=True, cwd=ROOT)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == scorelang.values_schema(modena)
    out = tmp_path / "modena.schema.json"
    written = subprocess.run(run + ["--period", "H1", "-o", str(out)], capture_output=True,
                             text=True, cwd=ROOT)
    assert written.returncode == 0 and written.stdout == ""
    assert json.loads(out.read_text("utf-8")) == scorelang.values_schema(modena, "H1")
    wrong = subprocess.run(run + ["--period", "Q3"], capture_output=True, text=True, cwd=ROOT)
    assert wrong.returncode == 1 and "SL312" in wrong.stderr
