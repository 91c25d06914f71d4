"""pandas both ways: a DataFrame of scenarios into `evaluate_many`, and a Result's or a Batch's
figures out as DataFrames.

pandas is optional (the `pandas` extra). Nothing here imports it before a DataFrame is given
or asked for: `is_frame` looks only at the pandas already imported (a DataFrame cannot exist
without it), and `Result.to_dataframe` without pandas raises an ImportError that names the
extra.

A DataFrame of scenarios is one row per scenario, one column per indicator id. Each column is
checked against the indicator it names before any scoring, so that a mistake names the column
and the row (by its index label) rather than a scenario number: a column that is no indicator
(SL307), a text, a boolean or an infinity among the numbers (SL303, SL322), a date where a
number is due or the other way round (SL308). NaN, None, `pd.NA` and `NaT` are N/D. A
deadline's column holds dates (`datetime64`, `datetime.date`, `pd.Timestamp`, or ISO text);
a number's column any numeric dtype (nullable `Int64` and `Float64` included). The checked
columns are then `evaluate_many`'s columnar mapping, numbers as float arrays: what scores a
dict of columns scores a DataFrame, at the cost of one conversion per column.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from ..diagnostics import Diagnostic, ValuesError, did_you_mean, error
from ..model import LARGEST
from .compile import Program
from .values import Values

# The Result and the Batch are read by their attributes, never imported: result.py and
# batch.py import this module, and an import back (even for the type checker) is a cycle
# (tests/test_layers.py).

# pandas.DataFrame in the signatures. pandas is an optional extra with no type information of
# its own (that is the separate pandas-stubs), so to mypy a DataFrame is Any.
DataFrame = Any

EXTRA = "pip install 'scorelang[pandas]'"
_SHOWN = 3  # rows named per column in a diagnostic; the others counted


class Frame(Protocol):
    """What `evaluate_many` reads of a DataFrame: its columns and its index (the scenarios'
    labels). A pandas.DataFrame is one."""

    @property
    def columns(self) -> Any: ...

    @property
    def index(self) -> Any: ...


def is_frame(scenarios: object) -> bool:
    """Whether `scenarios` is a pandas DataFrame, without importing pandas."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(scenarios, pandas.DataFrame)


def pandas_module(what: str) -> Any:
    try:  # by name: to mypy pandas is untyped (or absent), and its module is used as Any
        return importlib.import_module("pandas")
    except ImportError:
        raise ImportError(f"{what} needs pandas: {EXTRA}") from None


def scenario_columns(program: Program, frame: DataFrame) -> dict[str, Any]:
    """The DataFrame's columns, checked, as `evaluate_many`'s columnar mapping: a float array
    (NaN for N/D) per measured indicator, a list of dates (None: not done) per deadline.
    Raises ValuesError naming every column (and its first rows) that does not fit."""
    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise ValueError(f"the DataFrame has the column `{twice}` twice: one column per "
                         "indicator")
    declared = {leaf.indicator.id: leaf for leaf in program.leaves}
    problems: list[Diagnostic] = []
    unknown = [name for name in names if name not in declared]
    for name in unknown:
        problems.append(error("SL307", f"unknown indicator `{name}`: a column of the DataFrame",
                              None, did_you_mean(name, declared)
                              or "name each column after an indicator id of the plan"))
    labels = frame.index  # read by position, only to name the rows of a problem
    columns: dict[str, Any] = {}
    for label, name in zip(frame.columns, names):
        if name in unknown:
            continue
        series = frame[label]
        if declared[name].indicator.deadline is not None:
            columns[name] = _dates(name, series, labels, problems)
        else:
            columns[name] = _numbers(name, series, labels, problems)
    if problems:
        raise ValuesError(problems)
    return columns


def _rows(labels: Sequence[Any], where: Sequence[int]) -> str:
    """The rows of a diagnostic by their index labels: "row `Ufficio A`", "rows `a`, `b` and
    4 more"."""
    shown = ", ".join(f"`{labels[i]}`" for i in where[:_SHOWN])
    more = f" and {len(where) - _SHOWN} more" if len(where) > _SHOWN else ""
    return ("row " if len(where) == 1 else "rows ") + shown + more


def _numbers(name: str, series: Any, labels: Sequence[Any], problems: list[Diagnostic]) -> Any:
    """A measured indicator's column as floats, NaN for N/D."""
    import numpy as np

    kind = series.dtype.kind
    if kind in "iuf" and isinstance(series.dtype, np.dtype):  # numpy's numbers: as they are
        column = series.to_numpy(dtype=float)
    elif kind in "iuf":  # pandas' nullable Int64 / Float64: pd.NA is N/D
        column = series.to_numpy(dtype=float, na_value=math.nan)
    elif kind == "b" or str(series.dtype) == "boolean":
        problems.append(error("SL303", f"the DataFrame's column `{name}` holds booleans, not "
                              "numbers", None, "give the measured numbers, NaN or None for N/D"))
        return None
    elif kind == "M":
        problems.append(_date_for_number(name))
        return None
    else:  # object, text or categorical: each cell judged as Values.from_mapping judges it
        column = np.full(len(series), math.nan)
        wrong: dict[str, list[int]] = {}
        for position, cell in enumerate(series.tolist()):
            value = _cell(name, cell)
            if isinstance(value, float):
                column[position] = value
            elif isinstance(value, str):
                wrong.setdefault(value, []).append(position)
        for what, where in wrong.items():
            if what == "date":
                problems.append(_date_for_number(name, _rows(labels, where)))
            else:
                problems.append(error("SL303", f"the DataFrame's column `{name}` holds {what} in "
                                      f"{_rows(labels, where)}, not a number", None,
                                      "give the measured number, NaN or None for N/D"))
        if wrong:
            return None
    # one array comparison (NaN, N/D, compares False); the rows listed only when some are
    beyond = np.flatnonzero(np.abs(column) > LARGEST).tolist()
    if beyond:
        problems.append(error("SL322", f"the DataFrame's column `{name}` holds a number that is "
                              f"infinite or beyond ±10^15 in {_rows(labels, beyond)}", None,
                              "give the measured number in the indicator's unit"))
    return column


def _cell(name: str, cell: Any) -> float | str | None:
    """One cell of a measured indicator's object column: a float (NaN for N/D), or what it
    is instead ("a text", "a boolean", "date"), for the diagnostic."""
    if cell is None or cell is _na():
        return math.nan
    if isinstance(cell, bool) or type(cell).__name__ == "bool_":
        return "a boolean"
    if isinstance(cell, numbers.Real):
        return float(cell)  # NaN stays NaN: N/D
    if isinstance(cell, dt.date) or _is_nat(cell):
        return math.nan if _is_nat(cell) else "date"
    if isinstance(cell, str):
        # Text as a values file's is read ("N/D", "16 %"): the one reader of values decides.
        try:
            value = Values.from_mapping({name: cell}).values[name]
        except ValuesError:
            return "text"
        if isinstance(value, dt.date):
            return "date"
        return math.nan if value is None else value
    return f"a {type(cell).__name__}"


def _date_for_number(name: str, rows: str = "") -> Diagnostic:
    where = f" in {rows}" if rows else ""
    return error("SL308", f"`{name}` is measured against a target: the DataFrame's column holds "
                 f"dates{where}, not numbers", None, "give the measured numbers, NaN or None "
                 "for N/D")


def _dates(name: str, series: Any, labels: Sequence[Any], problems: list[Diagnostic]
           ) -> list[dt.date | None] | None:
    """A deadline's column as completion dates, None where not done."""
    out: list[dt.date | None] = []
    wrong: list[int] = []
    for position, cell in enumerate(series.tolist()):
        if cell is None or _is_nat(cell) or cell is _na() \
                or (isinstance(cell, float) and math.isnan(cell)):
            out.append(None)
        elif isinstance(cell, dt.datetime):  # pd.Timestamp too
            out.append(cell.date())
        elif isinstance(cell, dt.date):
            out.append(cell)
        else:
            try:
                out.append(dt.date.fromisoformat(cell) if isinstance(cell, str) else None)
            except ValueError:
                pass
            if not isinstance(cell, str) or len(out) == position:
                wrong.append(position)
                out.append(None)
    if wrong:
        problems.append(error("SL308", f"`{name}` has a deadline: the DataFrame's column holds "
                              f"{_rows(labels, wrong)} that are not completion dates", None,
                              "give the date it was done (a datetime column, or YYYY-MM-DD), "
                              "or NaT / None if not done yet"))
        return None
    return out


def _na() -> Any:
    pandas = sys.modules.get("pandas")
    return pandas.NA if pandas is not None else None


def _is_nat(cell: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and cell is pandas.NaT


# ---- out: the figures as tables ---------------------------------------------------------------

RESULT_COLUMNS = ("parent", "kind", "code", "title", "depth", "weight", "score", "display",
                  "status", "band", "flags", "indicator", "unit", "value", "direction",
                  "target", "target_source", "due", "raw", "note", "source")


def result_frame(result: Any) -> DataFrame:
    """One row per node in tree order, indexed by node id (see Result.to_dataframe)."""
    pandas = pandas_module("Result.to_dataframe()")
    rows = []
    for node in result:
        target = node.target
        note = node.note or {}
        rows.append((
            node.parent, node.kind, node.code, node.title, node.depth,
            math.nan if node.weight is None else node.weight,
            math.nan if node.score is None else node.score, node.display, node.status,
            node.band, ",".join(node.flags), node.indicator, node.unit, node.value,
            None if target is None or target.direction is None else target.direction.value,
            math.nan if target is None or target.value is None else target.value,
            None if target is None else target.source,
            None if target is None or target.due is None else target.due.due,
            math.nan if node.raw is None else node.raw, note.get("note"), note.get("source")))
    frame = pandas.DataFrame.from_records(
        rows, columns=list(RESULT_COLUMNS),
        index=pandas.Index([node.id for node in result], name="id"))
    # numbers as numbers, whatever the first rows held (a plan whose first nodes are N/D)
    for name in ("weight", "score", "target", "raw"):
        frame[name] = frame[name].astype(float)
    frame["depth"] = frame["depth"].astype(int)
    return frame


def batch_frame(batch: Any, status: Sequence[str], long: bool = False) -> DataFrame:
    """The scores of every scenario (see Batch.to_dataframe); `status` names the status
    codes."""
    pandas = pandas_module("Batch.to_dataframe()")
    import numpy as np

    scores = np.asarray(batch.scores, dtype=float)  # the python engine's None: NaN
    index = pandas.RangeIndex(len(batch), name="scenario") if batch.labels is None \
        else pandas.Index(batch.labels, name="scenario")
    nodes = pandas.Index(batch.node_ids, name="node")
    wide = pandas.DataFrame(scores.reshape(len(batch), len(batch.node_ids)), index=index,
                            columns=nodes)
    if not long:
        return wide
    codes = np.asarray(batch.status_codes, dtype=np.int8).reshape(scores.shape)
    count = len(batch.node_ids)
    return pandas.DataFrame({
        "scenario": index.repeat(count), "node": np.tile(np.asarray(batch.node_ids), len(batch)),
        "score": scores.reshape(-1),
        "status": pandas.Categorical.from_codes(codes.reshape(-1), categories=list(status))})
