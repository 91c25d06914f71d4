"""The language server's index of names and its completion contexts, on the bundled plans
(no protocol needed: tests/test_lsp.py drives the server itself over stdio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorelang import model
from scorelang.lsp.analysis import INDICATOR, NODE, PERIOD, TAG, analyse
from scorelang.lsp.completion import candidates

from .conftest import ROOT

PLANS = sorted((ROOT / "rules").glob("*.score"))


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_every_name_is_found_where_it_is_written(path: Path):
    text = path.read_text(encoding="utf-8")
    analysis = analyse(text, str(path))
    plan = analysis.plan
    assert plan is not None
    lines = text.split("\n")
    for occurrence in analysis.index.occurrences:
        place = occurrence.place
        assert lines[place.line][place.start:place.end] == occurrence.name, occurrence

    def count(kind: str, declaration: bool) -> int:
        return sum(1 for o in analysis.index.occurrences
                   if o.kind == kind and o.declaration is declaration)

    # Every declaration and every use the model holds, none missed and none twice.
    tree = model.walk(plan)
    uses = sum(1 for p in tree if isinstance(p.node, model.Reference))
    uses += sum(1 for card in plan.scorecards for item in card.items if item.indicator)
    uses += sum(1 for card in plan.scorecards for component in card.components
                for part in component.parts if part.kind == "indicator")
    assert (count(INDICATOR, True), count(INDICATOR, False)) == (len(plan.indicators), uses)
    assert count(PERIOD, True) == len(plan.periods)
    assert count(PERIOD, False) == sum(len(i.periodic_targets) for i in plan.indicators)
    assert count(TAG, True) == len(plan.tags)
    codes = [p.node.code for p in tree if isinstance(p.node, (model.Area, model.Objective))]
    assert count(NODE, True) == len(codes)
    links = sum(1 for p in tree if isinstance(p.node, model.Link))
    named = sum(1 for card in plan.scorecards for item in card.items if item.node)
    named += sum(1 for card in plan.scorecards for component in card.components
                 for part in component.parts if part.kind == "node")
    assert count(NODE, False) == links + named


def test_completion_knows_the_block_it_is_in():
    text = ('plan p "P" { period H1 "H" ends 2020-06-30 }\n'
            'indicator a "A" { target >= 1 }\n'
            'role manager "M" { body 100% }\n'
            'scorecard s "S" role manager {\n  \n}\n')
    plan = analyse(text.replace("  \n", "  a 100%\n"), "x.score").plan
    assert plan is not None
    # A scorecard's lines use indicators (the `role` in its header is not a block).
    labels = [c.label for c in candidates(text, 4, 2, plan)]
    assert "a" in labels and "objective" in labels and "component" in labels
    # After `role` in the header: the roles.
    header = text.replace('scorecard s "S" role manager {', 'scorecard s "S" role ')
    line = header.split("\n")[3]
    assert [c.label for c in candidates(header, 3, len(line), plan)] == ["manager"]
    # Nothing inside a comment.
    commented = text.replace("  \n", "  # a\n")
    assert candidates(commented, 4, 5, plan) == []
