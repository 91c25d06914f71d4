"""Lean memory (issue 15): the cache entry written a piece at a time is the same text."""

from __future__ import annotations

import datetime as dt
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


def _generated(size: int, seed: int) -> tuple[object, object]:
    """The benchmark's generated plan of `size` indicators (every rule of the field)."""
    import scorelang
    from tests.conftest import bench_plans

    plans = bench_plans()
    generated = plans.generate(size, seed)
    return scorelang.loads(generated.text, "generated.score"), (generated, plans)


# Modena, Valleverde, two generated plans, and a plan whose `tbd` targets take the minimum
# limit (`missing_target limit`: a Leaf whose target is not the one written).
_PLANS = [("rules/cciaa-modena-2020.score", None), ("rules/comune-valleverde-2023.score", None),
          (None, 1), (None, 2), ("limit", None)]


def _plans() -> list[object]:
    import scorelang
    from tests.test_missing_target_limit import PLAN

    out = []
    for path, seed in _PLANS:
        out.append(scorelang.loads(PLAN, "qualita.score") if path == "limit"
                   else scorelang.load(ROOT / path) if path else _generated(120, seed or 0)[0])
    return out


@pytest.mark.parametrize("which", range(len(_PLANS)))
def test_the_nodes_made_when_read_are_the_tree_the_checks_walked(which: int) -> None:
    # compile.Nodes keeps the tree as columns and makes each CompiledNode when read: each must
    # say what model.walk says of that node (id, parent, depth, children in order, the leaf of
    # its indicator, its weight, its title and kind), the links reading the node they name.
    from scorelang import model
    from scorelang.engine.compile import CompiledNode

    plan = _plans()[which]
    definition = plan.definition  # type: ignore[attr-defined]
    program = plan.program(None)  # type: ignore[attr-defined]
    placed = model.walk(definition)
    nodes = list(program.nodes)
    assert len(program.nodes) == len(placed) == len(nodes)
    position = {p.id: i for i, p in enumerate(placed)}
    leaf = {indicator.id: i for i, indicator in enumerate(definition.indicators)}
    kinds = {model.Area: "area", model.Objective: "objective", model.Group: "group",
             model.Reference: "indicator"}
    for i, (node, walked) in enumerate(zip(nodes, placed)):
        assert isinstance(node, CompiledNode) and node == program.nodes[i]
        assert (node.id, node.parent, node.depth) == (walked.id, walked.parent, walked.depth)
        assert node.children == tuple(j for j, p in enumerate(placed) if p.parent == walked.id)
        written = walked.node
        weight = written.weight.fraction if written.weight is not None else None
        assert node.weight == weight
        if isinstance(written, model.Reference):
            assert node.leaf == leaf[written.indicator] and node.kind == "indicator"
            assert node.title == definition.indicators[node.leaf].title
        elif isinstance(written, model.Link):
            assert node.link == position[written.code] and node.code == written.code
            assert node.kind == nodes[node.link].kind and node.leaf is None
        else:
            assert node.kind == kinds[type(written)] and node.title == written.title
            assert node.leaf is None and node.link is None
    assert program.nodes[-1] == nodes[-1] and program.nodes[1:3] == tuple(nodes[1:3])
    with pytest.raises(IndexError):
        program.nodes[len(nodes)]


@pytest.mark.parametrize("which", range(len(_PLANS)))
def test_the_layout_holds_what_each_leaf_says(which: int) -> None:
    # The evaluator reads the layout's columns and makes no Leaf (compile.Leaves): each column
    # must hold the field of the Leaf that leaf_of makes for that indicator.
    from scorelang import model
    from scorelang.engine.compile import leaf_of

    plan = _plans()[which]
    definition = plan.definition  # type: ignore[attr-defined]
    for period in [None, *(p.id for p in definition.periods)]:
        program = plan.program(period)  # type: ignore[attr-defined]
        layout = program.layout
        made = [leaf_of(indicator, definition.policy, program.period)
                for indicator in definition.indicators]
        assert list(program.leaves) == made and len(program.leaves) == len(made)
        assert [program.leaves[i] for i in range(len(made))] == made
        assert list(layout.names) == [leaf.indicator.id for leaf in made]
        assert list(layout.lates) == [leaf.late for leaf in made]
        assert list(layout.rules) == [leaf.rule for leaf in made]
        assert list(layout.value_zero) == [leaf.missing is model.MissingPolicy.VALUE_ZERO
                                           for leaf in made]
        assert list(layout.targets) == [leaf.target.value or 0.0 for leaf in made]
        assert list(layout.dues) == [leaf.due or dt.date.max for leaf in made]
        assert list(layout.quick) == [leaf.quick for leaf in made]


_DATES = st.dates(min_value=dt.date(2019, 1, 1),
                  max_value=dt.date(2021, 12, 31))


@given(st.data())
def test_scoring_a_leaf_from_the_columns_is_scoring_its_leaf(data: st.DataObject) -> None:
    # evaluate.score_at scores off the fast path from the layout's columns: it must give what
    # leaf_score gives for the Leaf itself, for every indicator, value and monitoring date.
    from scorelang.engine.evaluate import leaf_score, score_at

    plan = _plans()[data.draw(st.sampled_from(range(len(_PLANS))), label="plan")]
    program = plan.program(None)  # type: ignore[attr-defined]
    index = data.draw(st.integers(0, len(program.leaves) - 1), label="indicator")
    value = data.draw(st.one_of(st.none(), _DATES,
                                st.floats(-1e6, 1e6, allow_nan=False)), label="value")
    as_of = data.draw(st.one_of(st.none(), _DATES), label="as_of")
    leaf = program.leaves[index]
    assert score_at(program.layout, index, value, as_of) == leaf_score(leaf, value, as_of)[1]


def test_scoring_and_reading_every_score_look_up_no_id() -> None:
    # compile.NodeIndex makes its dict on the first lookup by id: evaluate + scores() (what the
    # benchmark's memory line reads) must not make it; result[id] makes it, and it is right.
    import scorelang
    from tests.conftest import MODENA_RULES, MODENA_VALUES

    plan = scorelang.load(MODENA_RULES)
    result = plan.evaluate(scorelang.load_values(MODENA_VALUES))
    index = plan.program(result.period).layout.index
    scores = result.scores()
    assert index._made is None
    first = next(iter(scores))
    assert result[first].id == first and index._made is not None
    assert index._made == {ident: i for i, ident in enumerate(index.ids)}


def test_a_sequence_with_the_total_ahead_reads_as_the_list_it_replaces() -> None:
    from scorelang.engine.evaluate import _Ahead

    for rest in [(), ("a",), ("a", "b", "c")]:
        ahead, whole = _Ahead("plan", rest), ["plan", *rest]
        assert list(ahead) == whole and len(ahead) == len(whole)
        assert [ahead[i] for i in range(len(whole))] == whole
        for wrong in (len(whole), -1, slice(0, 1)):
            with pytest.raises(IndexError):
                ahead[wrong]


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
