"""Lean memory (issue 15): the cache entry written a piece at a time is the same text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorelang.api import diagnose
from scorelang.check.cache import FORMAT
from scorelang.check.codec import encode, write_entry
from scorelang.syntax.build import read

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((ROOT / "rules").glob("*.score"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_streamed_cache_entry_is_what_json_dumps_writes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plan, built = read(text, str(path))
    assert plan is not None
    _, found = diagnose(text, str(path), keep=False)
    pieces: list[str] = []
    write_entry(pieces.append, FORMAT, plan, found, built)
    whole = json.dumps({"format": FORMAT, "diagnostics": encode(found), "built": encode(built),
                        "plan": encode(plan)},
                       ensure_ascii=False, allow_nan=False)
    assert "".join(pieces) == whole
    assert len(pieces) > 10  # written in pieces, not as one string


@pytest.mark.parametrize("view", ["tree", "indicators", "summary"])
@pytest.mark.parametrize("chunk", [1, 7, 50])
def test_a_table_laid_out_in_chunks_is_the_one_laid_out_at_once(
        monkeypatch: pytest.MonkeyPatch, view: str, chunk: int) -> None:
    import scorelang
    from scorelang import report
    from scorelang.report import table
    from tests.conftest import MODENA_RULES, MODENA_VALUES

    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    monkeypatch.setattr(table, "CHUNK", 10**9)
    whole = report.render(result, "table", view)
    monkeypatch.setattr(table, "CHUNK", chunk)
    assert report.render(result, "table", view) == whole


@pytest.mark.parametrize("enabled", [True, False])
def test_compiling_leaves_the_cycle_collector_as_it_found_it(enabled: bool) -> None:
    # compile_plan pauses the collector (compiling was superlinear with it running): it must
    # hand it back as it was, also to an embedder who had turned it off.
    import gc

    import scorelang
    from scorelang.engine.compile import compile_plan
    from tests.conftest import MODENA_RULES

    definition = scorelang.load(MODENA_RULES).definition
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        compile_plan(definition, None)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _positions_as_a_dict(plan_id: str, ids: list[str]) -> dict[str, int]:
    """What Layout.tree was before it became a view of Layout.index: a dict of its own."""
    positions = {plan_id: 0}
    positions.update((ident, i + 1) for i, ident in enumerate(ids))
    return positions


@given(st.lists(st.sampled_from(["a", "b", "c", "1", "1.1", "plan", "x.y"]), unique=True),
       st.sampled_from(["plan", "a", "zz"]))
def test_positions_read_as_the_dict_they_replace(ids: list[str], plan_id: str) -> None:
    from scorelang.engine.compile import Positions

    index = {ident: i for i, ident in enumerate(ids)}
    view, whole = Positions(index, plan_id), _positions_as_a_dict(plan_id, ids)
    assert dict(view) == whole and list(view) == list(whole) and len(view) == len(whole)
    for key in [*ids, plan_id, "missing"]:
        assert (key in view) == (key in whole)
        assert view.get(key) == whole.get(key)
    with pytest.raises(KeyError):
        view["missing"]


@pytest.mark.parametrize("rules, values, total", [
    ("rules/cciaa-modena-2020.score", "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml",
     False),
    ("rules/comune-valleverde-2023.score", "examples/comune-valleverde-2023/consuntivo-2023.yaml",
     True),
])
def test_a_result_finds_every_node_and_the_total_by_id(rules: str, values: str,
                                                        total: bool) -> None:
    import scorelang
    from scorelang.engine.compile import Positions

    plan = scorelang.load(ROOT / rules)
    result = plan.evaluate(scorelang.load_values(ROOT / values))
    layout = plan.program(result.period).layout
    assert isinstance(layout.tree, Positions) is total
    nodes = list(result)
    assert (nodes[0].id == plan.id) is total
    assert [result[node.id] for node in nodes] == nodes
    assert list(result.scores()) == [node.id for node in nodes]
    assert all(node.id in result for node in nodes) and "no such node" not in result


def test_compiling_lets_the_checks_walk_go_and_a_second_period_compiles_the_same() -> None:
    import scorelang
    from scorelang.check import tree
    from tests.conftest import MODENA_RULES, MODENA_VALUES

    plan = scorelang.load(MODENA_RULES)
    definition = plan.definition
    tree.placed_nodes(definition)
    assert tree._last is not None and tree._last[0]() is definition
    values = scorelang.load_values(MODENA_VALUES)
    first = plan.evaluate(values).scores()
    assert tree._last is None  # the walk was the checks' and compile's: let go once compiled
    other = next(p.id for p in definition.periods if p.id != values.period)
    again = plan.program(other)  # walks the tree again, as the first compile did
    assert [n.id for n in again.nodes] == [n.id for n in plan.program(values.period).nodes]
    assert plan.evaluate(values).scores() == first


def test_a_plan_keeps_each_indicator_id_and_each_figure_once() -> None:
    # syntax.build shares one string per indicator id (the indicator's and every use's) and one
    # float per figure written: at 1,000,000 indicators a copy per use was 90 MiB.
    from scorelang import model
    from tests.conftest import MODENA_RULES

    definition, _ = read(Path(MODENA_RULES).read_text(encoding="utf-8"), str(MODENA_RULES))
    assert definition is not None
    ids = {indicator.id: indicator.id for indicator in definition.indicators}
    uses = [p.node for p in model.walk(definition) if isinstance(p.node, model.Reference)]
    assert uses and all(use.indicator is ids[use.indicator] for use in uses)
    figures: dict[float, float] = {}
    for use in uses:
        if use.weight.percent:  # zero is not shared: 0.0 and -0.0 are equal keys
            assert figures.setdefault(use.weight.percent, use.weight.percent) \
                is use.weight.percent
    assert len(figures) < len(uses)
