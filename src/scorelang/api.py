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
from typing import Any

import attrs

from . import model
from .advice import advise
from .build import build
from .check import check
from .compile import Program, compile_plan
from .diagnostics import (CheckError, Diagnostic, ParseError, ValuesError, did_you_mean, error,
                          in_source_order, warning)
from .evaluate import evaluate
from .files import read_text
from .parser import parse
from .result import Result
from .values import Values, load_all_values, load_values, loads_all_values, loads_values

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
            result = attrs.evolve(result, findings=advise(self.definition, result))
        if chosen is not None and not (period or values.period):
            note = warning("SL313", f"no period given: scored as period `{chosen}`, the last "
                           "the plan declares", None,
                           "name the period in the values file (`period: ...`) or with --period; "
                           "declared: " + ", ".join(p.id for p in self.definition.periods))
            result = attrs.evolve(result, diagnostics=(note, *result.diagnostics))
        return result


def _build_and_check(tree: Any, filename: str) -> tuple[model.Plan | None, list[Diagnostic]]:
    plan, found = build(tree, filename)
    if plan is not None:
        found = found + check(plan)
    return plan, in_source_order(found)


def diagnose(text: str, filename: str = "<string>") -> tuple[model.Plan | None, list[Diagnostic]]:
    """Every diagnostic of rule text, in source order. Never raises for bad rules: a syntax
    error comes back as a diagnostic (and no plan)."""
    try:
        tree = parse(text, filename)
    except ParseError as exc:
        return None, list(exc.diagnostics)
    return _build_and_check(tree, filename)


def loads(text: str, filename: str = "<string>") -> Plan:
    """Compile rule text; raise ParseError or CheckError when it has errors."""
    plan, found = _build_and_check(parse(text, filename), filename)
    errors = [d for d in found if d.is_error]
    if errors or plan is None:
        raise CheckError(errors)
    return Plan(plan, tuple(found))


def load(path: str | Path) -> Plan:
    path = Path(path)
    return loads(read_text(path, "rule file"), str(path))



