"""What embedders import: load a plan, load values, evaluate. Shaped like the json module.

    plan = scorelang.load("rules/cciaa-modena-2020.score")
    values = scorelang.load_values("examples/cciaa-modena-2020/monitoraggio-2020-06.yaml")
    result = plan.evaluate(values)
    result["301"].score   # 62.955... (percent, unrounded)

Bad rules or values raise a ScorelangError subclass carrying the diagnostics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import cache, model
from .advice import advise
from .build import build
from .check import check
from .compile import Program, compile_plan
from .diagnostics import (CheckError, Diagnostic, ParseError, ValuesError, did_you_mean, error,
                          in_source_order, warning)
from .evaluate import evaluate
from .files import read_text
from .parser import parse
from .result import Deferred, Result
from .values import Values, load_all_values, load_values, loads_all_values, loads_values

if TYPE_CHECKING:
    from .batch import Batch, Scenarios

__all__ = ["Plan", "Values", "diagnose", "load", "load_all_values", "load_values", "loads",
           "loads_all_values", "loads_values"]


class Plan:
    """A checked plan, compiled per period on first use and evaluated as often as needed."""

    def __init__(self, definition: model.Plan, warnings: tuple[Diagnostic, ...] = ()):
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
                 as_of: dt.date | None = None) -> Result:
        """Score the plan. `values` is a loaded values file or a mapping id -> value."""
        if not isinstance(values, Values):
            values = Values.from_mapping(values)
        chosen = period or values.period or self.default_period()
        result = evaluate(self.program(chosen), values, as_of)
        if self.definition.rules:
            # Advice reads every node: done when the findings are first read, not before.
            definition, scored = self.definition, result
            result = attrs.evolve(result, findings=Deferred(lambda: advise(definition, scored)))
        if chosen is not None and not (period or values.period):
            note = warning("SL313", f"no period given: scored as period `{chosen}`, the last "
                           "the plan declares", None,
                           "name the period in the values file (`period: ...`) or with --period; "
                           "declared: " + ", ".join(p.id for p in self.definition.periods))
            result = attrs.evolve(result, diagnostics=(note, *result.diagnostics))
        return result

    def evaluate_many(self, scenarios: Scenarios, period: str | None = None,
                      as_of: dt.date | None = None, engine: str = "auto") -> Batch:
        """Score many scenarios at once: a sequence of mappings id -> value, or a columnar
        mapping id -> sequence (NaN or None for N/D). With numpy, vectorised; else one by one.
        Each scenario's figures are those `evaluate` gives for it (to 1e-12)."""
        from .batch import evaluate_many  # numpy is loaded with it, when installed
        return evaluate_many(self.program(period or self.default_period()), scenarios, as_of,
                             engine)


def _build_and_check(tree: Any, filename: str) -> tuple[model.Plan | None, list[Diagnostic]]:
    plan, found = build(tree, filename)
    if plan is not None:
        found = found + check(plan)
    return plan, in_source_order(found)


def diagnose(text: str, filename: str = "<string>") -> tuple[model.Plan | None, list[Diagnostic]]:
    """Every diagnostic of rule text, in source order. Never raises for bad rules: a syntax
    error comes back as a diagnostic (and no plan)."""
    cached = cache.load(text, filename)
    if cached is not None:
        return cached
    try:
        tree = parse(text, filename)
    except ParseError as exc:
        return None, list(exc.diagnostics)
    return _build_check_and_keep(tree, text, filename)


def _build_check_and_keep(tree: Any, text: str,
                          filename: str) -> tuple[model.Plan | None, list[Diagnostic]]:
    plan, found = _build_and_check(tree, filename)
    if plan is not None:
        cache.store(text, filename, plan, found)
    return plan, found


def loads(text: str, filename: str = "<string>") -> Plan:
    """Compile rule text; raise ParseError or CheckError when it has errors. A text compiled
    before (same text, name and scorelang) comes from the cache (see `cache`)."""
    cached = cache.load(text, filename)
    plan: model.Plan | None
    if cached is not None:
        plan, found = cached
    else:
        plan, found = _build_check_and_keep(parse(text, filename), text, filename)
    errors = [d for d in found if d.is_error]
    if errors or plan is None:
        raise CheckError(errors)
    return Plan(plan, tuple(found))


def load(path: str | Path) -> Plan:
    path = Path(path)
    return loads(read_text(path, "rule file"), str(path))



