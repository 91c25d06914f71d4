"""pandas both ways (issue 13, point 6): a DataFrame of scenarios scores as its rows do one by
one, every column that does not fit is named with its rows, and a Result's and a Batch's
figures come back as DataFrames. Without pandas, the error names the extra.
"""

from __future__ import annotations

import datetime as dt
import math
import sys

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.engine.values import ValueNote

from .conftest import MODENA_RULES, MODENA_VALUES

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

ENGINES = ["python", "numpy"]
OFFICES = ["Modena", "Ufficio A", "Ufficio B"]


@pytest.fixture(scope="module")
def plan():
    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="module")
def june():
    return scorelang.load_values(MODENA_VALUES)


@pytest.fixture(scope="module")
def deadlines(plan):
    return sorted(i.id for i in plan.definition.indicators if i.deadline is not None)


def _rows(june, factors):
    """One scenario per factor: every measured figure scaled, every deadline as in June."""
    return [{name: value * factor if isinstance(value, float) else value
             for name, value in june.values.items()} for factor in factors]


def _same(batch, rows, plan, june):
    for number, row in enumerate(rows):
        alone = plan.evaluate(row, period="H1", as_of=june.as_of)
        for node in alone:
            score = batch.score(number, node.id)
            assert batch.status(number, node.id) == node.status, node.id
            assert (score is None) == (node.score is None), node.id
            if score is not None:
                assert score == pytest.approx(node.score, abs=1e-12), node.id


# ---- in ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_a_dataframe_scores_as_its_rows_and_keeps_its_index(plan, june, engine):
    rows = _rows(june, (1.0, 0.9, 1.1))
    frame = pd.DataFrame(rows, index=OFFICES)
    batch = plan.evaluate_many(frame, period="H1", as_of=june.as_of, engine=engine)
    assert batch.engine == engine and len(batch) == 3
    assert list(batch.labels) == OFFICES
    _same(batch, rows, plan, june)


def test_nan_none_and_pd_na_are_nd(plan, june):
    rows = _rows(june, (1.0, 1.0, 1.0))
    frame = pd.DataFrame(rows)
    frame["export_provinciale"] = [math.nan, None, 3.0e9]
    frame["partecipanti_internaz"] = pd.array([143, None, 150], dtype="Int64")  # pd.NA
    batch = plan.evaluate_many(frame, period="H1", as_of=june.as_of)
    rows[0]["export_provinciale"] = rows[1]["export_provinciale"] = None
    rows[2]["export_provinciale"] = 3.0e9
    rows[0]["partecipanti_internaz"], rows[1]["partecipanti_internaz"] = 143.0, None
    rows[2]["partecipanti_internaz"] = 150.0
    _same(batch, rows, plan, june)
    assert batch.status(1, "301/indicatori/export_provinciale") == "missing"


@pytest.mark.parametrize("form", ["datetime64", "dates", "timestamps", "iso text"])
def test_deadlines_as_dates_in_any_of_pandas_forms(plan, june, deadlines, form):
    done = [dt.date(2020, 6, 1), None, dt.date(2020, 3, 15)]
    rows = _rows(june, (1.0, 1.0, 1.0))
    for row, day in zip(rows, done):
        row[deadlines[0]] = day
    frame = pd.DataFrame(rows)
    column = {"datetime64": pd.to_datetime(pd.Series(done)),
              "dates": pd.Series(done, dtype=object),
              "timestamps": pd.Series([pd.Timestamp(d) if d else pd.NaT for d in done],
                                      dtype=object),
              "iso text": pd.Series([d.isoformat() if d else None for d in done],
                                    dtype=object)}[form]
    frame[deadlines[0]] = column
    for engine in ENGINES:
        batch = plan.evaluate_many(frame, period="H1", as_of=june.as_of, engine=engine)
        _same(batch, rows, plan, june)


def test_a_text_that_is_a_number_reads_as_in_one_evaluation(plan, june):
    rows = _rows(june, (1.0, 1.0))
    frame = pd.DataFrame(rows)
    frame["export_provinciale"] = pd.Series(["3111720000", "N/D"], dtype=object)
    batch = plan.evaluate_many(frame, period="H1", as_of=june.as_of)
    rows[0]["export_provinciale"], rows[1]["export_provinciale"] = "3111720000", "N/D"
    _same(batch, rows, plan, june)


def _problem(plan, frame):
    with pytest.raises(scorelang.ValuesError) as raised:
        plan.evaluate_many(frame, period="H1")
    return raised.value.diagnostics


def test_an_unknown_column_is_named_with_a_suggestion(plan, june):
    frame = pd.DataFrame(_rows(june, (1.0,))).rename(
        columns={"export_provinciale": "export_provincale"})
    [found] = _problem(plan, frame)
    assert found.code == "SL307"
    assert "`export_provincale`" in found.message and "column of the DataFrame" in found.message
    assert "export_provinciale" in found.hint


def test_a_text_column_names_the_column_and_the_rows(plan, june):
    frame = pd.DataFrame(_rows(june, (1.0, 1.0, 1.0)), index=OFFICES)
    frame["export_provinciale"] = pd.Series(["3111720000", "tre miliardi", "n/a"],
                                            index=OFFICES, dtype=object)
    [found] = _problem(plan, frame)
    assert found.code == "SL303"
    assert found.message == ("the DataFrame's column `export_provinciale` holds text in rows "
                             "`Ufficio A`, `Ufficio B`, not a number")


def test_many_bad_rows_are_counted_not_all_listed(plan, june):
    frame = pd.DataFrame(_rows(june, (1.0,) * 10))
    frame["export_provinciale"] = "molto"
    [found] = _problem(plan, frame)
    assert "rows `0`, `1`, `2` and 7 more" in found.message


def test_booleans_dates_and_infinities_where_numbers_are_due(plan, june):
    frame = pd.DataFrame(_rows(june, (1.0, 1.0)), index=["a", "b"])
    frame["export_provinciale"] = [True, False]
    frame["partecipanti_internaz"] = pd.to_datetime(["2020-06-01", "2020-06-02"])
    frame["incidenza_fiere_extra_ue"] = [16.0, math.inf]
    found = {d.code: d.message for d in _problem(plan, frame)}
    assert found["SL303"] == ("the DataFrame's column `export_provinciale` holds booleans, "
                              "not numbers")
    assert found["SL308"].startswith("`partecipanti_internaz` is measured against a target")
    assert found["SL322"].endswith("in row `b`")


def test_numbers_where_a_completion_date_is_due(plan, june, deadlines):
    frame = pd.DataFrame(_rows(june, (1.0, 1.0)), index=["a", "b"])
    frame[deadlines[0]] = [None, 3.0]
    [found] = _problem(plan, frame)
    assert found.code == "SL308"
    assert found.message == (f"`{deadlines[0]}` has a deadline: the DataFrame's column holds "
                             "row `b` that are not completion dates")


def test_a_column_given_twice_is_refused(plan, june):
    frame = pd.DataFrame([[1.0, 2.0]], columns=["export_provinciale", "export_provinciale"])
    with pytest.raises(ValueError, match="`export_provinciale` twice"):
        plan.evaluate_many(frame, period="H1")


def test_a_frame_without_columns_has_its_rows_all_nd(plan):
    batch = plan.evaluate_many(pd.DataFrame(index=["a", "b"]), period="H1")
    assert len(batch) == 2 and list(batch.labels) == ["a", "b"]
    assert batch.column("301") == [None, None]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 3.0), min_size=1, max_size=6),
       st.sampled_from(ENGINES))
def test_any_frame_scores_as_its_rows(factors, engine):
    plan = scorelang.load(MODENA_RULES)
    june = scorelang.load_values(MODENA_VALUES)
    rows = _rows(june, factors)
    batch = plan.evaluate_many(pd.DataFrame(rows), period="H1", as_of=june.as_of,
                               engine=engine)
    by_rows = plan.evaluate_many(rows, period="H1", as_of=june.as_of, engine=engine)
    assert batch.to_dataframe().equals(by_rows.to_dataframe())


# ---- out --------------------------------------------------------------------------------------
def test_a_result_as_a_dataframe_has_every_node_in_tree_order(plan, june):
    notes = {"export_provinciale": ValueNote("provvisorio", "ISTAT")}
    result = plan.evaluate(attrs.evolve(june, notes=notes))
    frame = result.to_dataframe()
    assert list(frame.index) == [node.id for node in result]
    assert frame.index.name == "id"
    for node in result:
        row = frame.loc[node.id]
        assert row["kind"] == node.kind and row["status"] == node.status
        assert row["display"] == node.display
        if node.score is None:
            assert math.isnan(row["score"])
        else:
            assert row["score"] == node.score
    assert frame["score"].dtype == float and frame["weight"].dtype == float
    use = frame.loc["301.D1.1/export_provinciale"]
    assert (use["note"], use["source"]) == ("provvisorio", "ISTAT")
    assert use["direction"] == ">=" and use["target_source"] == "periodic"
    assert use["flags"] == "periodic_target"
    assert pd.isna(frame.loc["301", "note"]) and pd.isna(frame.loc["301", "indicator"])
    deadline = frame.loc["802.A1.2/report_costi"] if "802.A1.2/report_costi" in frame.index \
        else frame[frame["due"].notna()].iloc[0]
    assert isinstance(deadline["due"], dt.date)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_batch_as_a_dataframe_wide_and_long(plan, june, engine):
    rows = _rows(june, (1.0, 0.5))
    rows[1]["export_provinciale"] = None
    batch = plan.evaluate_many(pd.DataFrame(rows, index=["giugno", "metà"]), period="H1",
                               as_of=june.as_of, engine=engine)
    wide = batch.to_dataframe()
    assert list(wide.index) == ["giugno", "metà"] and wide.index.name == "scenario"
    assert list(wide.columns) == list(batch.node_ids)
    assert wide.loc["metà", "301"] == pytest.approx(batch.score(1, "301"))
    assert math.isnan(wide.loc["metà", "301/indicatori/export_provinciale"])
    long = batch.to_dataframe(long=True)
    assert list(long.columns) == ["scenario", "node", "score", "status"]
    assert len(long) == 2 * len(batch.node_ids)
    for row in long.itertuples():
        number = ["giugno", "metà"].index(row.scenario)
        assert row.status == batch.status(number, row.node)
    unnamed = plan.evaluate_many(rows, period="H1", as_of=june.as_of, engine=engine)
    assert list(unnamed.to_dataframe().index) == [0, 1]


def test_without_pandas_the_error_names_the_extra(plan, june, monkeypatch):
    result = plan.evaluate(june)
    batch = plan.evaluate_many([dict(june.values)], period="H1")
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    with pytest.raises(ImportError, match=r"Result.to_dataframe\(\) needs pandas: "
                                          r"pip install 'scorelang\[pandas\]'"):
        result.to_dataframe()
    with pytest.raises(ImportError, match=r"scorelang\[pandas\]"):
        batch.to_dataframe()
    # and the rows and columns of evaluate_many need no pandas
    assert plan.evaluate_many([dict(june.values)], period="H1").score(0, "301") is not None
