"""Last year's actual of each indicator, and what advice rules read of it.

Two sources say what an indicator achieved before this plan's year: the plan's `baseline`
(model.Baseline, "last year's actual, as the plan gives it", which `formula progress` scores
against) and the values file's `history:` section (year -> indicator -> actual, copied from
earlier reports). The history's latest year wins where both give a figure (SL348 warns when they
differ); neither is ever read by the scoring rules. Advice rules read three facts of an
indicator use (model.FACTS):

- `previous`: last year's actual, in the indicator's unit;
- `stretch`: how far the *annual* target goes beyond it, in percent of it, in the direction of
  improvement (`>= 600` against 512 is +17.19; `<= 30` against 28 is −7.14): 0 or less is a
  target set at or below last year's actual, the seed's "target sottostimato";
- `trend`: how far the measured value went beyond it, the same way.

N/D (so every comparison is false) where there is no actual, no numeric target or value, for a
deadline, an `=` target, or last year's actual 0 (no percent of it) — except that a target of 0
against an actual of 0 has a stretch of 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .. import model
from ..diagnostics import Diagnostic, did_you_mean, error, warning
from .values import Values


@attrs.frozen
class Actual:
    """Last year's actual of an indicator: the figure and its year (None: the plan's
    baseline, which names no year)."""

    value: float
    year: int | None = None


def previous_actuals(plan: model.PlanDefinition, values: Values) -> dict[str, Actual]:
    """Indicator id -> last year's actual: the latest history year that gives a figure for
    it, else the plan's baseline."""
    out = {i.id: Actual(i.baseline.value) for i in plan.indicators if i.baseline is not None}
    for year in sorted(values.history):
        for name, figure in values.history[year].items():
            if figure is not None:
                out[name] = Actual(figure, year)
    return out


def history_problems(plan: model.PlanDefinition, values: Values) -> list[Diagnostic]:
    """The history against the plan: SL346 for an id the plan does not declare, SL347 for a
    deadline (it has no figure to compare), SL348 (a warning) where the latest year's actual
    and the plan's baseline differ."""
    found: list[Diagnostic] = []
    declared = {i.id: i for i in plan.indicators}
    latest: dict[str, tuple[int, float]] = {}
    for year in sorted(values.history):
        for name, figure in values.history[year].items():
            span = values.history_spans.get((year, name))
            indicator = declared.get(name)
            if indicator is None:
                found.append(error("SL346", f"unknown indicator `{name}` in the history of "
                                   f"{year}", span, did_you_mean(name, declared)
                                   or "the plan declares no indicator with this id"))
            elif indicator.deadline is not None and figure is not None:
                found.append(error("SL347", f"`{name}` has a deadline: there is no {year} "
                                   "actual to compare with", span,
                                   "leave deadlines out of the history"))
            elif figure is not None:
                latest[name] = (year, figure)
    for name, (year, figure) in latest.items():
        baseline = declared[name].baseline
        if baseline is not None and not _same(baseline.value, figure):
            found.append(warning("SL348", f"the history gives {figure:g} as the {year} actual "
                                 f"of `{name}`, its baseline says {baseline.value:g}",
                                 values.history_spans.get((year, name)),
                                 "advice rules read the history's figure; correct whichever "
                                 "is wrong so that the plan and the reports agree"))
    return found


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _beyond(direction: model.Direction | None, figure: float | None,
            previous: float | None) -> float | None:
    """How far `figure` goes beyond `previous`, in percent of it, towards better."""
    if figure is None or previous is None or direction not in (model.Direction.AT_LEAST,
                                                                 model.Direction.AT_MOST):
        return None
    if previous == 0:
        return 0.0 if figure == 0 else None
    change = (figure - previous) / abs(previous) * 100.0
    return change if direction is model.Direction.AT_LEAST else -change


def history_facts(indicator: model.Indicator | None, value: object,
                  actuals: Mapping[str, Actual]) -> dict[str, float | None]:
    """`previous`, `stretch` and `trend` of one indicator use (all N/D for other nodes)."""
    if indicator is None or indicator.id not in actuals:
        return {"previous": None, "stretch": None, "trend": None}
    previous = actuals[indicator.id].value
    target = indicator.target
    direction = target.direction if target is not None else None
    annual = None if target is None or target.tbd else target.value
    measured = value if isinstance(value, (int, float)) else None
    return {"previous": previous, "stretch": _beyond(direction, annual, previous),
            "trend": _beyond(direction, measured, previous)}
