"""The table `scorelang score` prints (report.table.streamed) is the one `report.render` writes,
byte for byte, though it never holds the view's rows or cells whole: it reads the rows twice,
measuring the columns the first time and laying out chunks the second (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import scorelang
from scorelang import report
from scorelang.engine import result as result_module
from scorelang.engine.values import ValueNote
from scorelang.report import table
from scorelang.report.views import Column, ViewSource

from .conftest import MODENA_RULES, MODENA_VALUES, bench_plans

# A note with a line break, and a source: footnotes under the table, markers in its cells.
NOTES = {"export_provinciale": ValueNote("Dato provvisorio\nda rivedere a ottobre", "ISTAT"),
         "incidenza_fiere_extra_ue": ValueNote(source="Registro fiere")}


@pytest.fixture(scope="module")
def modena_noted() -> scorelang.Result:
    values = scorelang.load_values(MODENA_VALUES)
    return scorelang.load(MODENA_RULES).evaluate(attrs.evolve(values, notes=NOTES))


@pytest.fixture(scope="module")
def generated() -> Any:
    """The benchmark's plan of 2,500 indicators (benchmarks/plans.py): a tree of some 3,000
    rows, over `table.CHUNK`, with a points column. Its `text` and `values_yaml()`."""
    plans = bench_plans()
    return plans.generate(2_500)


def _loaded(generated: Any) -> tuple[scorelang.Plan, scorelang.Values]:
    return (scorelang.loads(generated.text, "generated.score"),
            scorelang.loads_values(generated.values_yaml()))


def _same(streamed: str, rendered: str) -> None:
    """Asserts the two texts equal, naming the first line that differs: pytest's own diff of
    two tables of thousands of lines takes minutes."""
    if streamed == rendered:
        return
    ours, theirs = streamed.split("\n"), rendered.split("\n")
    line = next((n for n, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                min(len(ours), len(theirs)))
    shown = (ours[line] if line < len(ours) else "(end)",
             theirs[line] if line < len(theirs) else "(end)")
    raise AssertionError(f"line {line + 1} streamed {shown[0]!r}, rendered {shown[1]!r} "
                         f"({len(ours)} and {len(theirs)} lines)")


def _never_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails a table that builds its view whole: the streamed path is the one under test."""
    def whole(*args: Any) -> None:
        raise AssertionError("the streamed table built the whole view")

    monkeypatch.setattr(ViewSource, "built", whole)
    monkeypatch.setattr(ViewSource, "holding", whole)


@pytest.mark.parametrize("view", ["tree", "indicators", "summary", "scorecards", "findings"])
@pytest.mark.parametrize("depth", [None, 1, 3])
@pytest.mark.parametrize("locale", ["it", "en"])
def test_the_streamed_table_with_footnotes_is_the_rendered_one(
        modena_noted: scorelang.Result, view: str, depth: int | None, locale: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    whole = report.render(modena_noted, "table", view, depth, locale)
    monkeypatch.setattr(table, "CHUNK", 5)  # Modena's 175 nodes laid out in chunks
    _same("".join(table.streamed(modena_noted, view, depth, locale)), whole)


@pytest.mark.parametrize("noted", [False, True])
@pytest.mark.parametrize("view", ["tree", "indicators"])
@pytest.mark.parametrize("locale", ["it", "en"])
def test_a_table_over_a_chunk_is_streamed_as_rendered(
        generated: Any, noted: bool, view: str, locale: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    plan, values = _loaded(generated)
    if noted:  # a note on every 37th indicator, an accent in it: a wide character's width
        values = attrs.evolve(values, notes={
            f"i{i}": ValueNote(f"nota {i}: città", None if i % 2 else "ISTAT")
            for i in range(0, 2_500, 37)})
    whole = report.render(plan.evaluate(values), "table", view, None, locale)
    assert whole.count("\n") > table.CHUNK
    assert ("[1]" in whole) is noted
    # Read as a large Result is (`KEPT_UP_TO`): in passes, keeping no node.
    monkeypatch.setattr(result_module, "KEPT_UP_TO", 10)
    monkeypatch.setattr(result_module, "PASS", 97)
    result = plan.evaluate(values)
    _never_whole(monkeypatch)
    _same("".join(table.streamed(result, view, None, locale)), whole)


def test_a_cell_over_two_lines_is_laid_out_as_the_whole_table(
        modena_noted: scorelang.Result, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell with a line break is laid out by one call of tabulate, as `to_table` does."""
    def rows() -> Iterator[dict[str, Any]]:
        for number in range(12):
            yield {"node": f"line {number}" + ("\nand more" if number == 8 else ""),
                   "depth": number % 3, "score": number / 7}

    def columns(has: Any) -> tuple[Column, ...]:
        return (Column("node", "Node", "Nodo"), Column("score", "Score", "Grado", "percent"))

    source = ViewSource("tree", "Lines", "Righe", rows, columns, depth_key="node")
    monkeypatch.setattr(table, "CHUNK", 5)
    streamed = "".join(table._streamed(modena_noted, source, "it"))
    _same(streamed, table.to_table(modena_noted, source.built(), "it"))
    assert "\nand more\n" in streamed  # the second line of a cell, not cut nor wrapped


def test_scorelang_score_prints_a_long_table_as_rendered(
        generated: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from scorelang.cli import main

    rules, values = tmp_path / "generated.score", tmp_path / "values.yaml"
    rules.write_text(generated.text, encoding="utf-8")
    values.write_text(generated.values_yaml(), encoding="utf-8")
    monkeypatch.setenv("SCORELANG_CACHE", "off")
    _never_whole(monkeypatch)
    assert main(["score", str(rules), "--values", str(values)]) == 0
    printed = capsys.readouterr().out
    monkeypatch.undo()
    plan, read = _loaded(generated)
    _same(printed, report.render(plan.evaluate(read), "table", "tree"))
