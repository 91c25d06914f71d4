"""Lean memory after parsing (issue 15): a large Result read in passes, a long table laid out
in chunks, give what the whole-at-once reading gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scorelang
from scorelang import report
from scorelang.engine import result as result_module
from scorelang.report import table

from .conftest import MODENA_RULES, MODENA_VALUES


def _scored() -> scorelang.Result:
    return scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))


@pytest.fixture
def small_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Modena's 175 nodes read as a Result over the kept size is: in passes of 7."""
    monkeypatch.setattr(result_module, "KEPT_UP_TO", 10)
    monkeypatch.setattr(result_module, "PASS", 7)


def test_a_large_result_iterated_keeps_no_node(small_passes: None) -> None:
    result = _scored()
    read = list(result)
    table_of_nodes = result._nodes
    assert isinstance(table_of_nodes, result_module.NodeTable)
    assert table_of_nodes._all is None and not table_of_nodes._built
    assert read == list(_scored().nodes)
    assert [node.id for node in read] == list(result.scores())


def test_a_large_results_json_keeps_no_node(small_passes: None) -> None:
    # to_dict read `result.nodes`, which builds and keeps every NodeResult beside the dicts
    # made of them (30 MB of the 750 of `score --format json` at 100k indicators).
    result = _scored()
    written = result.to_dict()
    table_of_nodes = result._nodes
    assert isinstance(table_of_nodes, result_module.NodeTable)
    # Only the node the advice rules read by position (the first) is kept, as any node read
    # by id is.
    assert table_of_nodes._all is None and list(table_of_nodes._built) == [0]
    assert written == _scored().to_dict()
    assert [node["id"] for node in written["nodes"]] == list(result.scores())


def test_a_node_read_before_is_the_one_iterated(small_passes: None) -> None:
    result = _scored()
    first_read = result[list(result.scores())[9]]
    assert any(node is first_read for node in result)
    whole = result.nodes  # kept from then on: iterating gives the same objects
    assert all(a is b for a, b in zip(result, whole))


def test_a_small_result_iterated_keeps_its_nodes() -> None:
    result = _scored()
    assert all(a is b for a, b in zip(result, result))


@pytest.mark.parametrize("view", ["tree", "indicators", "summary"])
def test_reports_read_in_passes_and_chunks_are_the_same(view: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    whole = {format: report.render(_scored(), format, view) for format in ("table", "markdown")}
    monkeypatch.setattr(result_module, "KEPT_UP_TO", 10)
    monkeypatch.setattr(result_module, "PASS", 7)
    monkeypatch.setattr(table, "CHUNK", 5)
    assert {format: report.render(_scored(), format, view)
            for format in ("table", "markdown")} == whole


@pytest.mark.parametrize("view", ["tree", "indicators", "summary", "scorecards"])
@pytest.mark.parametrize("locale", ["it", "en"])
def test_the_streamed_table_is_the_rendered_one(view: str, locale: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    whole = report.render(_scored(), "table", view, None, locale)
    monkeypatch.setattr(table, "CHUNK", 5)
    assert "".join(table.streamed(_scored(), view, None, locale)) == whole
    assert "".join(table.streamed(_scored(), view, 1, locale)) == \
        report.render(_scored(), "table", view, 1, locale)


def test_scorelang_score_prints_the_rendered_table(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from scorelang.cli import main

    monkeypatch.setattr(table, "CHUNK", 5)
    assert main(["score", str(MODENA_RULES), "--values", str(MODENA_VALUES)]) == 0
    printed = capsys.readouterr().out
    assert printed == report.render(_scored(), "table", "tree")


@given(st.text())
def test_a_values_key_made_fresh_is_the_same_text(text: str) -> None:
    from scorelang.engine.values import _fresh

    assert _fresh(text) == text


def test_a_values_file_keeps_no_string_of_its_yaml_nodes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The ids kept by Values are strings of their own, not the composed nodes' (whose memory
    they would pin): two loads of one file give equal keys that are not the YAML's."""
    from scorelang.engine import values as values_module

    path = tmp_path / "v.yaml"
    path.write_text("values:\n  some_long_indicator_id_x: 1\n", encoding="utf-8")
    seen: list[object] = []
    original = values_module._fresh

    def spy(text: str) -> str:
        made = original(text)
        seen.append((text, made))
        return made

    monkeypatch.setattr(values_module, "_fresh", spy)
    loaded = scorelang.load_values(path)
    (given, made), = seen
    assert given == made and given is not made
    assert list(loaded.values) == ["some_long_indicator_id_x"]


def test_node_ids_find_their_own_position_when_threads_look_them_up_at_once() -> None:
    # Regression: numbers() extended a shared list of position ints from a length read before
    # another thread's extension, so item i could be some other int (wrong positions, wrong
    # scores). The positions are now a dict each program makes on its first lookup
    # (compile.NodeIndex); threads compiling one plan and looking up every id at once, each
    # making that dict, must all find each id at its own position.
    import sys
    import threading

    plan = scorelang.load(MODENA_RULES)
    barrier = threading.Barrier(16)
    found: list[bool] = []

    def look_up() -> None:
        barrier.wait()
        program = plan.program(None)
        layout = program.layout
        ids = list(layout.index)
        found.append(all(layout.index[ident] == i for i, ident in enumerate(ids))
                     and ids == [node.id for node in program.nodes])

    threads = [threading.Thread(target=look_up) for _ in range(16)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert found == [True] * 16


def test_a_large_plans_reading_makes_each_nodes_entry_as_it_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Over `KEPT_UP_TO` nodes the evaluator keeps no per-node table (evaluate._Made): each
    entry made when read is the one a kept table holds, and so is every node built from it."""
    from scorelang.engine import evaluate

    kept_plan = scorelang.load(MODENA_RULES)
    kept = evaluate._reading(kept_plan.program(None))
    whole = kept_plan.evaluate(scorelang.load_values(MODENA_VALUES))
    monkeypatch.setattr(result_module, "KEPT_UP_TO", 10)
    made_plan = scorelang.load(MODENA_RULES)
    made = evaluate._reading(made_plan.program(None))
    assert isinstance(made.plain, evaluate._Made) and isinstance(kept.plain, list)
    for table in ("heads", "plain", "scored"):
        assert list(getattr(made, table)) == list(getattr(kept, table)), table
    assert any(entry for entry in made.plain) and any(entry for entry in made.scored)
    result = made_plan.evaluate(scorelang.load_values(MODENA_VALUES))
    assert list(result) == list(whole)
    assert result.to_dict() == whole.to_dict()
    assert result.scores() == whole.scores() and result.statuses() == whole.statuses()
    with pytest.raises(IndexError):
        made.plain[len(made.plain)]
