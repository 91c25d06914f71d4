"""The plan an embedder holds: a checked plan model, compiled per period, evaluated.

`scorelang.load` returns one. This module imports the whole engine (compiler, evaluator,
advice, values) up front, so that `Plan.evaluate`, called in loops, does no importing of its
own; `api` imports this module only when a plan is loaded, not for diagnostics alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .. import model
from .advice import advise
from .history import history_problems, previous_actuals
from .compile import Program, compile_plan
from ..diagnostics import Diagnostic, ValuesError, did_you_mean, error, warning
from .evaluate import evaluate
from .result import Result
from .values import Values, with_adjustments

if TYPE_CHECKING:
    from .batch import Batch, Scenarios

__all__ = ["Plan"]


class Plan:
    """A checked plan, compiled per period on first use and evaluated as often as needed."""

    def __init__(self, definition: model.PlanDefinition, warnings: tuple[Diagnostic, ...] = ()):
        self.definition = definition
        self.warnings = warnings
        self._programs: dict[str | None, Program] = {}

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def title(self) -> str:
        return self.definition.title

    def program(self, period: str | None) -> Program:
        if period not in self._programs:
            found = self.definition.period(period) if period is not None else None
            if period is not None and found is None:
                declared = ", ".join(p.id for p in self.definition.periods) or "none"
                names = [p.id for p in self.definition.periods]
                raise ValuesError([error("SL312", f"plan `{self.id}` has no period `{period}`",
                                         None, did_you_mean(period, names)
                                         or f"declared periods: {declared}")])
            self._programs[period] = compile_plan(self.definition, found)
        return self._programs[period]

    def default_period(self) -> str | None:
        """With no period named anywhere, the last declared (the year-end assessment)."""
        periods = self.definition.periods
        return periods[-1].id if periods else None

    def evaluate(self, values: Values | Mapping[str, Any], period: str | None = None,
                 as_of: dt.date | None = None, *,
                 behaviours: Mapping[str, Mapping[str, Any]] | None = None,
                 neutralised: Mapping[str, Any] | None = None,
                 overrides: Mapping[str, Any] | None = None,
                 previous: Mapping[str, Any] | None = None) -> Result:
        """Score the plan. `values` is a loaded values file or a mapping id -> value.
        `behaviours` rates people's behaviours (scorecard id -> behaviour -> rating), in place
        of those of the values file. `neutralised` (id -> {reason, act}), `overrides` (id ->
        {score, reason, by}) and `previous` (id -> percent, for `tbd` targets) add to (and
        replace, id by id) those the values file gives."""
        if not isinstance(values, Values):
            values = Values.from_mapping(values, behaviours=behaviours, neutralised=neutralised,
                                         overrides=overrides, previous=previous)
        else:
            if behaviours is not None:
                values = attrs.evolve(values, behaviours=Values.from_mapping(
                    {}, behaviours=behaviours).behaviours, rating_spans={})
            if neutralised or overrides or previous:
                values = with_adjustments(values, neutralised, overrides, previous)
        chosen = period or values.period or self.default_period()
        # The reader's warnings (an unknown column of a spreadsheet) come first.
        notes: tuple[Diagnostic, ...] = values.warnings
        if chosen is not None and not (period or values.period):
            notes += (warning("SL313", f"no period given: scored as period `{chosen}`, the last "
                             "the plan declares", None,
                             "name the period in the values file (`period: ...`) or with "
                             "--period; declared: "
                             + ", ".join(p.id for p in self.definition.periods)),)
        definition = self.definition
        actuals = None
        if values.history:  # earlier years' actuals, for advice rules only
            problems = history_problems(definition, values)
            if any(d.is_error for d in problems):
                raise ValuesError([d for d in problems if d.is_error])
            notes += tuple(problems)
            actuals = previous_actuals(definition, values)
        # Advice reads every node: done when the findings are first read, not before.
        return evaluate(self.program(chosen), values, as_of, notes=notes,
                        advice=(lambda scored: advise(definition, scored, actuals))
                        if definition.rules else None)

    def evaluate_many(self, scenarios: Scenarios, period: str | None = None,
                      as_of: dt.date | None = None, engine: str = "auto", *,
                      neutralised: Mapping[str, Any] | None = None,
                      overrides: Mapping[str, Any] | None = None,
                      previous: Mapping[str, Any] | None = None) -> Batch:
        """Score many scenarios at once: a sequence of mappings id -> value, a columnar
        mapping id -> sequence (NaN or None for N/D), or a pandas DataFrame (one row per
        scenario, one column per indicator; its index becomes `Batch.labels`). With numpy,
        vectorised; else one by one.
        Each scenario's figures are those `evaluate` gives for it (to 1e-12). `neutralised`
        `overrides` and `previous` (as for `evaluate`) hold for every scenario."""
        from .batch import evaluate_many  # numpy is loaded with it, when installed
        return evaluate_many(self.program(period or self.default_period()), scenarios, as_of,
                             engine, neutralised=neutralised, overrides=overrides,
                             previous=previous)
