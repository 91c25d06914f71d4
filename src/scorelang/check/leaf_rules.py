"""Checks of the leaf rules (issue 19): tolerance, thresholds, score tables, limits, baseline.

Called by `checks.check`; like it, never raises and never changes the plan. Codes SL231–SL249.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs

from .. import model
from ..diagnostics import Diagnostic, Span, error, warning
from ..model import Direction, Formula
from .ranges import Coverage, range_rows


def leaf_rules(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    policy = plan.policy
    yield from _curve("the policy", policy.threshold, policy.table, policy.span)
    if policy.tolerance is not None and policy.tolerance.value < 0:
        yield _negative_tolerance("the policy", policy.tolerance)
    for indicator in plan.indicators:
        yield from _indicator(indicator, policy)


def _targets(indicator: model.Indicator) -> list[model.Target]:
    """Every target the indicator may be scored against: the annual and the periodic ones."""
    targets = [indicator.target] if indicator.target is not None else []
    return targets + [periodic.target for periodic in indicator.periodic_targets]


def _scored(indicator: model.Indicator, policy: model.Policy,
            targets: list[model.Target]) -> list[model.Target]:
    """The figures the indicator is scored against: its decided targets, and for a `tbd` one
    under `missing_target limit` the minimum limit standing in (a `tbd` target has no figure
    of its own: its `value` is a placeholder no rule reads)."""
    rule = indicator.missing_target or policy.missing_target
    limits = indicator.limits
    out = []
    for target in targets:
        if not target.tbd:
            out.append(target)
        elif rule is model.MissingTarget.LIMIT and limits is not None:
            out.append(attrs.evolve(target, value=limits.minimum, tbd=False))
    return out


def _negative_tolerance(owner: str, tolerance: model.Tolerance) -> Diagnostic:
    return error("SL232", f"{owner}: a tolerance cannot be negative ({tolerance.value:g})",
                 tolerance.span, "write how far from the target still counts as reached, e.g. "
                 "`tolerance 5%`")


def _indicator(indicator: model.Indicator, policy: model.Policy) -> Iterator[Diagnostic]:
    name = f"indicator `{indicator.id}`"
    deadline = indicator.deadline is not None
    targets = _targets(indicator)
    scored = _scored(indicator, policy, targets)
    tolerance = indicator.tolerance
    if tolerance is not None:
        if deadline:
            yield error("SL231", f"{name} has a deadline: a tolerance has nothing to measure",
                        tolerance.span, "a deadline is met or late: give late completions a "
                        "score with `late 50%` or `late linear 30 days` instead")
        elif tolerance.value < 0:
            yield _negative_tolerance(name, tolerance)
        elif tolerance.relative and any(t.value == 0 for t in scored):
            yield error("SL233", f"{name}: a tolerance of {tolerance.value:g}% of a zero target "
                        "is zero", tolerance.span, "give the tolerance in the indicator's unit, "
                        "e.g. `tolerance 0.5`")
    yield from _curve(name, indicator.threshold, indicator.table, indicator.span)
    if deadline:
        for rule in (indicator.threshold, indicator.table):
            if rule is not None:
                yield error("SL235", f"{name} has a deadline: a threshold or a score table "
                            "applies to measured achievements only", rule.span,
                            "remove it: a deadline scores 100 % on time and by the late rule "
                            "after")
    formula = indicator.formula or policy.formula
    if formula is Formula.GAP and indicator.unit == "%":
        for target in targets:
            if not target.percent and not target.tbd:
                yield warning("SL237", f"{name} is scored by the gap in percentage points, but "
                              f"its target {target.value:g} is not written with `%`",
                              target.span, f"write the target in percent: "
                              f"`{target.direction.value} {target.value:g}%`")
    yield from _limits(indicator, policy, targets, deadline)
    yield from _progress(indicator, formula, scored, deadline)


# ---- thresholds and score tables -------------------------------------------------------------

def _curve(owner: str, threshold: model.Threshold | None, table: model.ScoreTable | None,
           span: Span | None) -> Iterator[Diagnostic]:
    if threshold is not None:
        if not 0 < threshold.lower < 1:
            yield error("SL234", f"{owner}: a threshold of {threshold.lower * 100:g}% is not "
                        "between 0% and 100%", threshold.span,
                        "the threshold is the share of the target below which the indicator "
                        "scores 0, e.g. `threshold 60%`")
        if table is not None:
            yield error("SL236", f"{owner} has both a threshold and a score table",
                        threshold.span, "keep one: a table can say the threshold itself "
                        "(`below 60% scores 0%`)")
    if table is not None:
        yield from _table(owner, table)


def _table(owner: str, table: model.ScoreTable) -> Iterator[Diagnostic]:
    rows = table.rows
    points = table.points
    kind = "steps" if points is None else "points"
    if points is not None and points <= 0:
        yield error("SL241", f"{owner}: a points scale of {points:g} points is empty",
                    table.span, "write the highest score of the scale, e.g. `points 20 { ... }`")
    for row in rows:  # what only a table's rows have: their units and the points scale
        if not row.bounds_percent:
            yield error("SL242", f"{owner}: the bounds of a {kind} row are achievements, "
                        "written with `%`", row.span, "e.g. `70% to 90% scores ...`")
        if points is None and not row.scores_percent:
            yield error("SL242", f"{owner}: a steps table scores in percent: write its scores "
                        "with `%`", row.span, "e.g. `scores 50%`; for points, use `points N { "
                        "... }`")
        if points is not None and row.scores_percent:
            yield error("SL242", f"{owner}: a points table scores in points, written without "
                        "`%`", row.span, f"e.g. `scores 15`; the score is the points out of "
                        f"{points:g}")
        if row.end is not None and (row.lower is None or row.upper is None):
            yield error("SL249", f"{owner}: a `below` or `from` row runs without end, so it "
                        "cannot score linearly", row.span, "give it one score, e.g. "
                        "`from 100% scores 20`")
        if points is not None and points > 0:
            for score in (row.start, row.end):
                if score is not None and not 0 <= score <= points:
                    yield error("SL241", f"{owner}: {score:g} points is outside the scale "
                                f"0 to {points:g}", row.span,
                                f"a points score runs from 0 to the scale's {points:g}")
    yield from range_rows(rows, _TableWording(owner, kind, table.span), _TABLE)


# A score table runs from `below` to `from` (SL238) and warns once for a falling score, compared
# as written (SL243); reward bands differ on both (check.individual): see ranges.Coverage.
_TABLE = Coverage(lowest=-math.inf, warn_once=True, slack=0.0)
_FALLS = "scores should not fall as achievement grows: check the table against the SMVP (a " \
    "misprint?)"


@attrs.frozen
class _TableWording:
    """A score table's diagnostics for the mistakes `ranges.range_rows` finds (SL238–SL243)."""

    owner: str
    kind: str  # "steps" or "points"
    span: Span | None  # the table's

    def no_rows(self) -> Diagnostic:
        return error("SL238", f"{self.owner}: the {self.kind} table has no rows", self.span,
                     "start with a `below A scores S` row and end with `from B scores S`")

    def reversed(self, row: model.RangeRow, lower: float, upper: float) -> Diagnostic:
        return error("SL240", f"{self.owner}: the row {lower * 100:g}% to {upper * 100:g}% is "
                     "empty or reversed", row.span, "write the lower achievement first")

    def uncovered_below(self, row: model.RangeRow, lower: float) -> Diagnostic:
        return error("SL238", f"{self.owner}: achievements below {lower * 100:g}% have no "
                     "score", row.span, f"start the table with `below {lower * 100:g}% scores "
                     "...`")

    def uncovered_above(self, row: model.RangeRow, upper: float) -> Diagnostic:
        return error("SL238", f"{self.owner}: achievements from {upper * 100:g}% on have no "
                     "score", row.span, f"end the table with `from {upper * 100:g}% scores ...`")

    def misplaced(self, row: model.RangeRow) -> Diagnostic:
        return error("SL240", f"{self.owner}: rows out of order: a `below` row comes first and "
                     "a `from` row last", row.span, "order the rows from the lowest achievement "
                     "to the highest")

    def overlap(self, row: model.RangeRow, lower: float, previous_upper: float,
                out_of_order: bool) -> Diagnostic:
        what = "out of order" if out_of_order else "overlap"
        return error("SL240", f"{self.owner}: rows {what}: {lower * 100:g}% is below the "
                     f"previous row's end {previous_upper * 100:g}%", row.span,
                     "each row starts where the previous one ends, from the lowest "
                     "achievement to the highest")

    def gap(self, row: model.RangeRow, previous_upper: float, lower: float) -> Diagnostic:
        return error("SL239", f"{self.owner}: achievements from {previous_upper * 100:g}% to "
                     f"{lower * 100:g}% have no score", row.span,
                     "ranges run up to, not including, the next row's first figure: start "
                     f"this row at {previous_upper * 100:g}% (e.g. write `90% to 100%` after "
                     "`76% to 90%`)")

    def falls_after(self, row: model.RangeRow, lower: float, before: float) -> Diagnostic:
        return warning("SL243", f"{self.owner}: a better achievement scores less: "
                       f"{row.start:g} from {lower * 100:g}%, after {before:g} below it",
                       row.span, _FALLS)

    def falls_within(self, row: model.RangeRow, start: float, end: float) -> Diagnostic:
        return warning("SL243", f"{self.owner}: a better achievement scores less: the row runs "
                       f"from {start:g} down to {end:g}", row.span, _FALLS)


# ---- limits and progress ------------------------------------------------------------------------

def _limits(indicator: model.Indicator, policy: model.Policy, targets: list[model.Target],
            deadline: bool) -> Iterator[Diagnostic]:
    limits = indicator.limits
    if limits is None:
        return
    name = f"indicator `{indicator.id}`"
    if deadline or any(t.direction is Direction.EQUAL for t in targets):
        yield error("SL245", f"{name}: limits need a target with `>=` or `<=`", limits.span,
                    "limits score a measured value from the minimum (0 %) through the target "
                    "(100 %): an `=` target or a deadline has no such scale")
        return
    for target in targets:
        if target.tbd:
            continue  # no figure to order yet (under `missing_target limit` the minimum is it)
        figures = [limits.minimum, target.value, limits.maximum]
        names = ["minimum", "target", "maximum"]
        if limits.excellent is not None:
            figures.append(limits.excellent)
            names.append("excellent")
        at_least = target.direction is Direction.AT_LEAST
        ordered = all((a < b) if at_least else (a > b) for a, b in zip(figures, figures[1:]))
        if not ordered:
            sign = "<" if at_least else ">"
            written = f" {sign} ".join(names)
            yield error("SL244", f"{name}: with a `{target.direction.value} "
                        f"{target.value:g}` target the limits must read {written}",
                        limits.span, "higher is better: minimum below the target, maximum and "
                        "excellent above it" if at_least else "lower is better: minimum above "
                        "the target, maximum and excellent below it")
            return
    top = 3.0 if limits.excellent is not None else 2.0
    cap = policy.cap if indicator.cap is None else indicator.cap
    if cap < top:
        limit = "excellent" if limits.excellent is not None else "maximum"
        yield warning("SL246", f"{name}: the {limit} limit scores {top * 100:g}% but the cap "
                      f"is {cap * 100:g}%", limits.span, f"reaching it can never show: raise "
                      f"the cap (`cap {top * 100:g}%`) or drop the limit")


def _progress(indicator: model.Indicator, formula: Formula, targets: list[model.Target],
              deadline: bool) -> Iterator[Diagnostic]:
    name = f"indicator `{indicator.id}`"
    baseline = indicator.baseline
    progress = formula is Formula.PROGRESS and indicator.limits is None
    if progress and (deadline or any(t.direction is Direction.EQUAL for t in targets)):
        yield error("SL245", f"{name}: progress from a baseline needs a target with `>=` or "
                    "`<=`", indicator.span, "an `=` target or a deadline is reached or not")
        return
    if progress and baseline is None and not deadline:
        yield error("SL247", f"{name} is scored by progress but has no baseline",
                    indicator.span, "give last year's actual: `baseline 1200`")
        return
    if baseline is None:
        return
    if deadline:
        yield error("SL245", f"{name} has a deadline: a baseline has no meaning there",
                    baseline.span, "remove the baseline")
        return
    for target in targets:
        if progress and target.value == baseline.value:
            yield error("SL247", f"{name}: the baseline equals the target "
                        f"({target.value:g}): there is no progress to measure", baseline.span,
                        "check the figures; with no progress asked, use another formula")
        elif target.direction is not Direction.EQUAL:
            wrong = (baseline.value > target.value if target.direction is Direction.AT_LEAST
                     else baseline.value < target.value)
            if wrong:
                yield warning("SL248", f"{name}: last year's {baseline.value:g} already did "
                              f"better than the target {target.direction.value} "
                              f"{target.value:g}", baseline.span,
                              "the target looks underestimated (target sottostimato): check "
                              "it against the baseline")
