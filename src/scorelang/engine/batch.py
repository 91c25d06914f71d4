"""Program + many scenarios -> the score of every node in every scenario, at once.

A Monte Carlo or a what-if screen scores the same plan thousands of times with different values.
With numpy installed (the `numpy` extra) the scenarios are scored column by column, one array
operation per indicator and per branch; without it, one scenario after another through the
scalar evaluator. Both give the figures `Plan.evaluate` gives, to 1e-12 (the tests hold them to
it). NaN in a column of numbers means N/D, as null does.

A pandas DataFrame (one row per scenario, one column per indicator) is scored as its columns
are, each checked first by `frames.scenario_columns`; its index labels the scenarios
(`Batch.labels`), and `Batch.to_dataframe` gives the scores back as a DataFrame.

This module scores; it does not build Result objects (ask `Plan.evaluate` for one scenario's).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Mapping, Sequence
from typing import Any, cast

import attrs

from ..diagnostics import ValuesError
from . import scoring
from .compile import Program
from .evaluate import SlotScores, adjustment_slots, score_slots, validate
from .frames import DataFrame, Frame, batch_frame, is_frame, scenario_columns
from .scoring import Missing, Reason
from .values import Values
from ..model import LARGEST, MissingPolicy, MissingTarget

# numpy, the optional fast path, is imported on the first batch (not by `import scorelang`,
# whose start-up time the CLI pays on every run); None when it is not installed.
_UNSET: Any = object()
np: Any = _UNSET


def _numpy_module() -> Any:
    global np
    if np is _UNSET:
        try:
            import numpy
            np = numpy
        except ImportError:  # pragma: no cover - exercised by forcing engine="python"
            np = None
    return np

# Rows (a mapping id -> value per scenario), columns (id -> a value per scenario), or a pandas
# DataFrame (one row per scenario, one column per indicator id).
Table = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]]  # rows, or columns
Scenarios = Table | Frame

# status codes in `Batch.status_codes`
SCORED, MISSING, NOT_DUE, NEUTRALISED, NO_TARGET = 0, 1, 2, 3, 4
STATUS = ("scored", "missing", "not_due", "neutralised", "no_target")


class Batch:
    """The scores of many scenarios, by node and scenario.

    `column(node_id)` is a node's score (percent, unrounded, None for N/D) in every scenario
    (the plan's total too, by the plan's id, when the areas are weighted);
    `score(i, node_id)`, `status(i, node_id)` and `plan_score(i)` read one. `scores` and
    `status_codes` give the whole table, one row per scenario and one column per node in tree
    order: a numpy array (NaN for N/D) from the numpy engine, lists from the pure-Python one.
    `labels` names the scenarios when they came as a DataFrame (its index); else None, and
    scenarios are known by their position. `to_dataframe()` gives the scores as a DataFrame.
    """

    def __init__(self, node_ids: tuple[str, ...], slot_of_node: Sequence[int], slots: Any,
                 not_due: Any, plan_scores: Any, engine: str,
                 neutralised: frozenset[int] = frozenset(),
                 no_target: frozenset[int] = frozenset()) -> None:
        self.node_ids = node_ids
        self.engine = engine  # "numpy" or "python"
        self.plan_scores = plan_scores  # per scenario, percent (None/NaN: N/D); None: no plan score
        self._slot = {node_id: slot_of_node[j] for j, node_id in enumerate(node_ids)}
        self._slot_of_node = slot_of_node
        # numpy: fractions, (slots, scenarios), NaN for N/D, and a not-due mask of that shape;
        # python: per scenario the evaluator's slot list (floats and scoring.Missing values).
        self._slots = slots
        self._not_due = not_due
        self._neutralised = neutralised  # numpy: the slots neutralised (in every scenario)
        self._no_target = no_target  # numpy: the slots left out for a `tbd` target
        self.labels: Sequence[Any] | None = None  # a DataFrame's index: the scenarios' labels

    def __len__(self) -> int:
        return int(self._slots.shape[1]) if self.engine == "numpy" else len(self._slots)

    def column(self, node_id: str) -> list[float | None]:
        """A node's score in every scenario (percent, None for N/D)."""
        slot = self._slot[node_id]
        if self.engine == "numpy":
            return [None if math.isnan(x) else x for x in (self._slots[slot] * 100.0).tolist()]
        return [None if isinstance(row[slot], Missing) else row[slot] * 100.0
                for row in self._slots]

    def score(self, scenario: int, node_id: str) -> float | None:
        slot = self._slot[node_id]
        if self.engine == "numpy":
            value = float(self._slots[slot, scenario])
            return None if math.isnan(value) else value * 100.0
        found = self._slots[scenario][slot]
        return None if isinstance(found, Missing) else float(found) * 100.0

    def status(self, scenario: int, node_id: str) -> str:
        slot = self._slot[node_id]
        if self.engine == "numpy":
            if not math.isnan(self._slots[slot, scenario]):
                return "scored"
            if slot in self._neutralised:
                return "neutralised"
            if slot in self._no_target:
                return "no_target"
            return "not_due" if self._not_due[slot, scenario] else "missing"
        found = self._slots[scenario][slot]
        return found.status if isinstance(found, Missing) else "scored"

    def plan_score(self, scenario: int) -> float | None:
        if self.plan_scores is None:
            return None
        value = self.plan_scores[scenario]
        return None if value is None or math.isnan(value) else float(value)

    @property
    def scores(self) -> Any:
        """Every score: rows are scenarios, columns nodes in tree order (percent)."""
        if self.engine == "numpy":
            at = np.asarray(self._slot_of_node, dtype=np.intp)
            return (self._slots[at] * 100.0).T
        return [[None if isinstance(row[s], Missing) else row[s] * 100.0
                 for s in self._slot_of_node] for row in self._slots]

    @property
    def status_codes(self) -> Any:
        """SCORED (0), MISSING (1) or NOT_DUE (2), in the shape of `scores`."""
        if self.engine == "numpy":
            at = np.asarray(self._slot_of_node, dtype=np.intp)
            scores = self._slots[at]
            gone = np.isin(at, np.fromiter(self._neutralised, dtype=np.intp))[:, None]
            untargeted = np.isin(at, np.fromiter(self._no_target, dtype=np.intp))[:, None]
            return np.where(np.isnan(scores),
                            np.where(gone, NEUTRALISED, np.where(
                                untargeted, NO_TARGET,
                                np.where(self._not_due[at], NOT_DUE, MISSING))),
                            SCORED).astype(np.int8).T
        return [[_code(row[s]) for s in self._slot_of_node] for row in self._slots]

    def to_dataframe(self, long: bool = False) -> DataFrame:
        """The scores as a pandas DataFrame (percent, NaN for N/D). Wide (the default): one
        row per scenario, indexed by `labels` (or 0, 1, …) and named "scenario", one column per
        node id in tree order. `long=True`: one row per scenario and node, with the columns
        scenario, node, score and status (a categorical of STATUS). Needs pandas (the
        `pandas` extra); the plan's own score stays in `plan_scores`."""
        return batch_frame(self, STATUS, long)


def evaluate_many(program: Program, scenarios: Scenarios, as_of: dt.date | None = None,
                  engine: str = "auto", *, neutralised: Mapping[str, Any] | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  previous: Mapping[str, Any] | None = None) -> Batch:
    """Score every scenario: a sequence of mappings id -> value, a columnar mapping
    id -> sequence of values (a dict of lists or arrays), or a pandas DataFrame (one row per
    scenario, one column per indicator; its index becomes `Batch.labels`).
    `engine` is "numpy", "python" or "auto" (numpy when installed). `neutralised` and
    `overrides` (see `Values`) hold for every scenario, and so do the `previous` scores of
    targets still `tbd`."""
    if is_frame(scenarios):
        frame: DataFrame = scenarios
        labels = frame.index
        columns = scenario_columns(program, frame)
        # A frame without columns still has its rows: each an empty scenario (all N/D).
        batch = evaluate_many(program, columns or [{} for _ in range(len(labels))], as_of,
                              engine, neutralised=neutralised, overrides=overrides,
                              previous=previous)
        batch.labels = labels
        return batch
    table = cast(Table, scenarios)
    adjusted = Values.from_mapping({}, neutralised=neutralised, overrides=overrides,
                                   previous=previous)
    if as_of is None and program.period is not None:
        as_of = program.period.ends
    if engine not in ("auto", "numpy", "python"):
        raise ValueError(f"unknown engine {engine!r}: numpy, python or auto")
    if engine != "python":
        _numpy_module()
    if engine == "numpy" and np is None:
        raise ImportError("the numpy engine needs numpy: pip install 'scorelang[numpy]'")
    if engine != "python" and np is not None:
        found = _numpy(program, table, as_of, adjusted)
        if found is not None:
            return found
    return _python(program, _rows(table), as_of, adjusted)


def _rows(scenarios: Table) -> Sequence[Mapping[str, Any]]:
    if not isinstance(scenarios, Mapping):
        return scenarios
    columns = {name: list(column) for name, column in scenarios.items()}
    size = len(next(iter(columns.values()))) if columns else 0
    rows: list[dict[str, Any]] = [{} for _ in range(size)]
    for name, column in columns.items():
        for row, value in zip(rows, column):
            row[name] = None if isinstance(value, float) and math.isnan(value) else value
    return rows


def _python(program: Program, rows: Sequence[Mapping[str, Any]], as_of: dt.date | None,
            adjusted: Values) -> Batch:
    layout = program.layout
    every: list[SlotScores] = []
    plan: list[float | None] | None = [] if layout.roots is not None else None
    for number, row in enumerate(rows):
        values = Values.from_mapping(row, source=f"<scenario {number}>")
        if adjusted.neutralised or adjusted.overrides or adjusted.previous:
            values = attrs.evolve(values, neutralised=adjusted.neutralised,
                                  overrides=adjusted.overrides, previous=adjusted.previous)
        slots = score_slots(program, values, as_of)[0]
        every.append(slots)
        if plan is not None:  # scored as a branch, after them (compile.Layout)
            total = slots[layout.slots]
            plan.append(None if isinstance(total, Missing) else total * 100.0)
    return Batch(*_columns(program), every, None, plan, "python")


def _code(score: Any) -> int:
    if isinstance(score, Missing):
        if score.reason is Reason.NEUTRALISED:
            return NEUTRALISED
        if score.reason is Reason.NO_TARGET:
            return NO_TARGET
        return NOT_DUE if score.reason is Reason.NOT_DUE else MISSING
    return SCORED


_NUMBER_TYPES = frozenset({float, int, type(None)})
_DATE_TYPES = frozenset({dt.date, type(None)})


def _numbers(column: Any, size: int) -> Any:
    """A column as floats (NaN for N/D), or None when it holds anything but numbers and nulls
    (texts, booleans, dates): the scalar path judges those as `Values.from_mapping` does."""
    if isinstance(column, np.ndarray) and column.dtype.kind in "fiu":
        return column.astype(float)
    kinds = set(map(type, column))
    if not kinds <= _NUMBER_TYPES and not all(issubclass(k, np.floating) or k in _NUMBER_TYPES
                                              for k in kinds):
        return None
    return np.array(column, dtype=float)


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _dates(column: Any, size: int) -> Any:
    """A column of completion dates as day ordinals (NaN: not done), or None as above."""
    if isinstance(column, np.ndarray) and column.dtype.kind == "M":  # datetime64, NaT: not done
        days = column.astype("datetime64[D]")
        return np.where(np.isnat(days), np.nan, days.astype(np.int64) + float(_EPOCH))
    kinds = set(map(type, column))
    if not kinds <= _DATE_TYPES:
        if not all(k in _DATE_TYPES or issubclass(k, float) for k in kinds):
            return None
        if any(isinstance(v, float) and not math.isnan(v) for v in column):
            return None
    return np.array([math.nan if v is None or isinstance(v, float) else v.toordinal()
                     for v in column], dtype=float)


def _numpy(program: Program, scenarios: Table, as_of: dt.date | None,
           adjusted: Values) -> Batch | None:
    """The vectorised evaluation; None when some value needs the scalar path's judgement."""
    layout = program.layout
    if isinstance(scenarios, Mapping):
        known = set(layout.names)  # here: a set of every id, kept, was 32 MiB at 1M indicators
        unknown = [name for name in scenarios if name not in known]
        if unknown:
            raise ValuesError([d for d in validate(program, Values(dict.fromkeys(unknown)), as_of)
                               if d.is_error])
        size = len(next(iter(scenarios.values()))) if scenarios else 0
        if any(len(column) != size for column in scenarios.values()):
            raise ValueError("every column of a columnar batch has one value per scenario")
        columns: Mapping[str, Any] = scenarios
    else:
        size = len(scenarios)
        names = list(layout.names)
        columns = {}
        try:  # every scenario names every indicator: one C-level pass per scenario
            table = list(map(operator.itemgetter(*names), scenarios)) if len(names) > 1 else \
                [(row[names[0]],) for row in scenarios]
            columns = dict(zip(names, zip(*table))) if table else {}
        except KeyError:  # some leave indicators out (N/D)
            for name in names:
                columns[name] = [row.get(name) for row in scenarios]
            if sum(map(len, scenarios)) != sum(size - sum(1 for row in scenarios if name not in row)
                                               for name in names):
                return None  # an unknown id somewhere: the scalar path names it
        else:
            if sum(map(len, scenarios)) != size * len(names):
                return None
    leaves = program.leaves  # each Leaf made as it is read (compile.Leaves), once a batch
    places = layout.rounded  # `rollup rounded`: every slot rounded before its parent reads it
    # One more slot for the plan's total, when it has one (compile.Layout: slot `slots`).
    rows = layout.slots + (layout.roots is not None)
    slots = np.full((rows, size), np.nan)  # fractions, NaN for N/D
    filled = np.zeros((rows, size))  # the same with 0 for N/D, for weighted sums
    present = np.zeros((rows, size), dtype=bool)
    not_due = np.zeros((rows, size), dtype=bool)
    may_be_not_due: set[int] = set()  # slots that can be "not due" at all: deadlines above
    neutralised, problems = adjustment_slots(program, adjusted.neutralised, "neutralised")
    overrides, more = adjustment_slots(program, adjusted.overrides, "overrides")
    if problems or more or neutralised.keys() & overrides.keys():
        return None  # the scalar path names every problem
    gone: set[int] = set()  # neutralised slots: every parent leaves them out
    # Targets still `tbd`: skipped ones are left out like neutralised ones (status no_target);
    # the previous monitoring's score stands in for the others (as evaluate._no_target does).
    untargeted: set[int] = set()
    earlier: dict[int, float] = {}
    declared = set(layout.names)
    if any(name not in declared for name in adjusted.previous):
        return None  # the scalar path names it
    for index, rule in layout.no_target:
        if rule is MissingTarget.SKIP:
            if index not in neutralised and index not in overrides:  # those decide (evaluate)
                untargeted.add(index)
        elif layout.names[index] in adjusted.previous:
            earlier[index] = adjusted.previous[layout.names[index]] / 100.0
        elif index not in neutralised and index not in overrides:
            return None  # no previous score: the scalar path says so (SL320)

    def settle(slot: int) -> None:
        """A neutralised, overridden or `tbd` slot, in every scenario."""
        if slot in neutralised or slot in untargeted:
            gone.add(slot)
            slots[slot], present[slot], filled[slot] = np.nan, False, 0.0
            not_due[slot] = False
        elif slot in overrides or slot in earlier:
            score = overrides[slot].score / 100.0 if slot in overrides else earlier[slot]
            if places is not None:  # read by its parents as displayed, like any other slot
                score = scoring.rounded(score, places)
            slots[slot], present[slot], filled[slot] = score, True, score
            not_due[slot] = False
    for position, (name, leaf) in enumerate(zip(layout.names, leaves)):
        given = columns.get(name)
        if leaf.kind.is_deadline:
            done = np.full(size, np.nan) if given is None else _dates(given, size)
            if done is None:
                return None
            assert leaf.due is not None
            raw, pending = scoring.deadline_array(leaf.kind, leaf.due, done, as_of, leaf.late)
            not_due[position] = pending
            may_be_not_due.add(position)
            score = scoring.bounded_array(raw, leaf.floor, leaf.cap)
        else:
            value = np.full(size, np.nan) if given is None else _numbers(given, size)
            if value is None:
                return None
            if (np.abs(value) > LARGEST).any():  # ±inf too (NaN, N/D, compares False)
                return None  # the scalar path refuses it (SL322), naming the scenario
            if leaf.missing is MissingPolicy.ERROR and layout.used[position] \
                    and position not in neutralised and position not in overrides \
                    and np.isnan(value).any():
                return None  # the scalar path refuses it, naming the indicator and scenario
            value = scoring.value_taken_array(leaf.missing, value)
            if leaf.rule is not None:  # tolerance, curve, limits or progress; floor and cap too
                score = scoring.ruled_score_array(leaf.rule, leaf.kind, leaf.target.value or 0.0,
                                                  value, leaf.floor, leaf.cap)
            else:
                raw = scoring.achievement_array(leaf.kind, leaf.target.value or 0.0, value)
                score = scoring.bounded_array(raw, leaf.floor, leaf.cap)
        if places is not None:
            score = scoring.rounded_array(score, places)
        slots[position] = score
        present[position] = mask = ~np.isnan(score)
        filled[position] = np.where(mask, score, 0.0)
        settle(position)

    def aggregate(pairs: Sequence[tuple[int, float]], weights: float, pending_kept: bool,
                  aggregation: scoring.Aggregation) -> tuple[Any, Any, Any]:
        children = [c for c, _ in pairs]
        # A not-due mask only where every child can be not due: else one can only be "missing".
        pending = not_due[children] if pending_kept and all(
            c in may_be_not_due for c in children) else None
        score, mask, pending = scoring.aggregate_array(
            aggregation, [w for _, w in pairs], weights, filled[children], present[children],
            pending)
        if places is not None:
            score = scoring.rounded_array(score, places)
        return score, mask, pending

    for branch, aggregation in zip(layout.branches, layout.aggregations):
        slot, _, _, weights = branch
        pairs = layout.pairs(branch)
        if gone:  # neutralised children are left out: the siblings re-weighted in proportion
            kept = tuple((c, w) for c, w in pairs if c not in gone)
            if pairs and not kept and slot not in overrides:  # all left out: the branch too
                if slot not in neutralised and any(c in untargeted for c, _ in pairs):
                    untargeted.add(slot)
                else:
                    neutralised.setdefault(slot, None)
            pairs, weights = kept, sum(w for _, w in kept)
        score, mask, pending = aggregate(pairs, weights, True, aggregation)
        slots[slot], present[slot] = score, mask
        filled[slot] = np.where(mask, score, 0.0)
        if pending is not None:
            not_due[slot] = pending
            may_be_not_due.add(slot)
        settle(slot)
    plan = None
    if layout.roots is not None:
        roots = tuple((c, w) for c, w in layout.roots if c not in gone)
        if roots or not layout.roots:
            score, mask, pending = aggregate(roots, sum(w for _, w in roots), True,
                                             layout.plan_aggregation)
            slots[layout.slots], present[layout.slots] = score, mask
            if pending is not None:
                not_due[layout.slots] = pending
            plan = score * 100.0
        else:  # every area left out: so is the plan's total
            plan = np.full(size, np.nan)
            gone.add(layout.slots)
            # scoring.aggregate's reason when every child is left out: no_target if any is
            # (as for the branches above), else neutralised.
            if any(c in untargeted for c, _ in layout.roots):
                untargeted.add(layout.slots)
    return Batch(*_columns(program), slots, not_due, plan, "numpy",
                 frozenset(gone - untargeted), frozenset(untargeted))


def _columns(program: Program) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The batch's columns, a Result's nodes in tree order: (their ids, their slots). The
    plan's total, when it has one, comes first, as the root (compile.Layout: slot `slots`)."""
    layout = program.layout
    ids = tuple(layout.index)  # every node's id, in tree order
    if layout.roots is None:
        return ids, layout.slot_of_node
    return (program.plan.id, *ids), (layout.slots, *layout.slot_of_node)
