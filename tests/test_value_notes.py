"""Notes beside the values (issue 13, point 4): a remark and a data source written with an
indicator's figure reach every use of the indicator in the Result, its JSON, every report and
`explain` — escaped where a report's format gives characters a meaning (html, markdown, csv's
and xlsx's formulas).

The Values are built with `attrs.evolve(values, notes=...)`: how a values file spells its
notes is the readers' business (tests of the values files), not the reports'.
"""

from __future__ import annotations

import csv
import io
import json

import attrs
import pytest

import scorelang
from scorelang.engine.result import NO_FACTS
from scorelang.engine.values import ValueNote

from .conftest import MODENA_RULES, MODENA_VALUES

# A note and a source holding what each format must escape: markup, an ampersand, a quote, a
# line break, and a leading `=` a spreadsheet would run as a formula.
NOTE = 'Dato <provvisorio> & "stimato"\nda rivedere a ottobre'
SOURCE = "=HYPERLINK(\"http://x\";\"ISTAT\")"
USED_TWICE = "export_provinciale"  # 301/indicatori/… and 301.D1.1/…


@pytest.fixture(scope="module")
def plan():
    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="module")
def values():
    return scorelang.load_values(MODENA_VALUES)


@pytest.fixture(scope="module")
def noted(plan, values):
    notes = {USED_TWICE: ValueNote(NOTE, SOURCE),
             "incidenza_fiere_extra_ue": ValueNote(source="Registro fiere")}
    return plan.evaluate(attrs.evolve(values, notes=notes))


def _uses(result, indicator):
    return [node for node in result if node.indicator == indicator]


# ---- the engine -----------------------------------------------------------------------------
def test_every_use_of_an_indicator_carries_its_note(noted):
    uses = _uses(noted, USED_TWICE)
    assert len(uses) == 2
    for node in uses:
        assert node.note == {"note": NOTE, "source": SOURCE}
    assert [node.note for node in _uses(noted, "incidenza_fiere_extra_ue")] == \
        [{"source": "Registro fiere"}]


def test_nodes_without_a_note_keep_the_shared_empty_facts(noted):
    # docs/performance.md: a node with nothing of its own shares one NodeFacts object.
    plain = [node for node in noted if node.note is None and node.kind != "indicator"
             and node.aggregation is None and node.link is None]
    assert plain and all(node.facts is NO_FACTS for node in plain)
    others = [node for node in noted if node.kind == "indicator" and node.note is None
              and node.points_max is None and node.baseline is None]
    assert others and all(node.facts is NO_FACTS for node in others)


def test_a_note_changes_no_figure(noted, plan, values):
    plain = plan.evaluate(values)
    assert [(n.id, n.score, n.status, n.flags) for n in noted] == \
        [(n.id, n.score, n.status, n.flags) for n in plain]


def test_an_empty_note_is_no_note(plan, values):
    result = plan.evaluate(attrs.evolve(values, notes={USED_TWICE: ValueNote()}))
    assert all(node.note is None for node in result)
    assert "note" not in json.dumps(result.to_dict()["nodes"][1])


def test_the_json_carries_both_keys_and_fits_the_schema(noted):
    from .test_schemas import valid

    data = json.loads(scorelang.render(noted, "json"))
    by_id = {node["id"]: node for node in data["nodes"]}
    assert by_id[f"301.D1.1/{USED_TWICE}"]["note"] == {"note": NOTE, "source": SOURCE}
    assert by_id["301.D1.1/incidenza_fiere_extra_ue"]["note"] == \
        {"note": None, "source": "Registro fiere"}
    assert "note" not in by_id["301"]
    assert sum("note" in node for node in data["nodes"]) == 3
    assert valid(data, "score")


def test_the_schema_refuses_a_note_of_the_wrong_shape(noted):
    from .test_schemas import valid

    data = json.loads(scorelang.render(noted, "json"))
    node = next(node for node in data["nodes"] if "note" in node)
    node["note"] = {"note": 3, "source": None}
    assert not valid(data, "score")
