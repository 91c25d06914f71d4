"""Program + values -> Result: score every indicator, then roll scores up the tree.

N/D is a value (`scoring.Missing`), not an exception. Values that do not fit the plan (an
unknown indicator id, a date where a number is due) raise ValuesError with every problem; an
indicator with no entry is N/D and reported as a warning on the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from . import scoring
from .compile import CompiledScorecard, Program, ScoringRule
from .diagnostics import Diagnostic, ValuesError, did_you_mean, error, warning
from .result import NodeResult, Result, ScorecardEntry, ScorecardResult
from .scoring import Missing, Score
from .values import Value, Values


def validate(program: Program, values: Values, as_of: dt.date | None) -> list[Diagnostic]:
    """Problems of the values against the plan; errors first-class, missing entries as warnings."""
    found: list[Diagnostic] = []
    plan = program.plan
    declared = {rule.indicator.id: rule for rule in program.rules}
    if values.plan is not None and values.plan != plan.id:
        found.append(error("SL306", f"the values are for plan `{values.plan}`, not `{plan.id}`",
                           None, "score them with the plan they were collected for"))
    for name, value in values.values.items():
        span = values.spans.get(name)
        rule = declared.get(name)
        if rule is None:
            hint = did_you_mean(name, declared) or "the plan declares no indicator with this id"
            found.append(error("SL307", f"unknown indicator `{name}` in {values.source}", span, hint))
            continue
        is_deadline = rule.indicator.deadline is not None
        if is_deadline and value is not None and not isinstance(value, dt.date):
            found.append(error("SL308", f"`{name}` has a deadline: its value is the completion "
                               f"date, not {value:g}", span,
                               "write the date it was done (YYYY-MM-DD), or null if not done yet"))
        if not is_deadline and isinstance(value, dt.date):
            found.append(error("SL308", f"`{name}` is measured against a target: its value is a "
                               f"number, not the date {value.isoformat()}", span,
                               "write the measured number, or null for N/D"))
        if is_deadline and isinstance(value, dt.date) and as_of is not None and value > as_of:
            found.append(error("SL309", f"`{name}` is marked done on {value.isoformat()}, after "
                               f"the monitoring date {as_of.isoformat()}", span,
                               "a completion date cannot be later than as_of"))
    used = {step.rule for step in program.steps if step.rule is not None}
    for index, rule in enumerate(program.rules):
        if rule.indicator.id not in values.values and index in used:
            found.append(warning("SL310", f"no value for `{rule.indicator.id}`: scored as N/D",
                                 rule.indicator.span,
                                 f"add `{rule.indicator.id}: null` to {values.source} to say it "
                                 "is N/D on purpose"))
        if rule.indicator.deadline is not None and as_of is None and index in used \
                and values.values.get(rule.indicator.id) is None:
            found.append(error("SL311", f"cannot tell whether the deadline of "
                               f"`{rule.indicator.id}` has passed: no monitoring date", None,
                               "give `as_of: YYYY-MM-DD` in the values file, or --as-of"))
    return found


def leaf_score(rule: ScoringRule, value: Value, as_of: dt.date | None) -> tuple[float | None, Score]:
    """(raw achievement, bounded score) of one indicator; raw is None when there is none."""
    target = rule.target
    if target.due is not None:
        completed = value if isinstance(value, dt.date) else None
        outcome = scoring.deadline_achievement(target.due.due, completed, as_of, rule.late)
        if isinstance(outcome, Missing):
            return None, outcome
        return outcome, scoring.bounded(outcome, rule.floor, rule.cap)
    if value is None or isinstance(value, dt.date):
        return None, scoring.NOT_REPORTED
    assert target.direction is not None and target.value is not None
    raw = scoring.raw_achievement(target.direction, target.value, value, rule.formula)
    return raw, scoring.bounded(raw, rule.floor, rule.cap)


def evaluate(program: Program, values: Values, as_of: dt.date | None = None) -> Result:
    if as_of is None:
        as_of = values.as_of or (program.period.ends if program.period else None)
    found = validate(program, values, as_of)
    errors = [d for d in found if d.is_error]
    if errors:
        raise ValuesError(errors)

    leaves = [leaf_score(rule, values.values.get(rule.indicator.id), as_of)
              for rule in program.rules]
    steps = program.steps
    scores: list[Score] = [scoring.NOT_REPORTED] * len(steps)
    for index in program.post_order:
        step = steps[index]
        if step.rule is not None:
            scores[index] = leaves[step.rule][1]
        else:
            scores[index] = scoring.aggregate(
                [(steps[c].weight or 0.0, scores[c]) for c in step.children], program.missing)

    places = program.plan.policy.display_places
    bands = [(band.id, band.lower) for band in program.plan.bands]
    nodes = tuple(_node_result(program, i, scores[i], leaves, values, places, bands)
                  for i in range(len(steps)))
    cards = tuple(_scorecard_result(card, scores, leaves, program, places, bands)
                  for card in program.scorecards)
    plan_score: float | None = None
    if program.roots and all(steps[r].weight is not None for r in program.roots):
        total = scoring.aggregate([(steps[r].weight or 0.0, scores[r]) for r in program.roots],
                                  program.missing)
        plan_score = None if isinstance(total, Missing) else total * 100.0
    return Result(program.plan.id, program.plan.title,
                  program.period.id if program.period else None, as_of, nodes, plan_score,
                  tuple(d for d in found if not d.is_error), cards, program.plan.bands,
                  program.plan.policy.locale)


def _scorecard_result(card: CompiledScorecard, scores: Sequence[Score],
                      leaves: Sequence[tuple[float | None, Score]], program: Program,
                      places: int, bands: Sequence[tuple[str, float]]) -> ScorecardResult:
    entries = []
    weighted: list[tuple[float, Score]] = []
    for entry in card.entries:
        score = leaves[entry.rule][1] if entry.rule is not None else scores[entry.step or 0]
        weighted.append((entry.weight, score))
        entries.append(ScorecardEntry(
            entry.ref, "indicator" if entry.rule is not None else "node", entry.title,
            entry.weight * 100.0, None if isinstance(score, Missing) else score * 100.0,
            score.status if isinstance(score, Missing) else "scored",
            scoring.band_of(score, bands)))
    total = scoring.aggregate(weighted, program.missing)
    return ScorecardResult(card.id, card.title,
                           None if isinstance(total, Missing) else total * 100.0,
                           total.status if isinstance(total, Missing) else "scored",
                           tuple(entries), scoring.band_of(total, bands), places)


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100.0


def _node_result(program: Program, index: int, score: Score,
                 leaves: Sequence[tuple[float | None, Score]], values: Values,
                 places: int, bands: Sequence[tuple[str, float]]) -> NodeResult:
    step = program.steps[index]
    missing = isinstance(score, Missing)
    common = dict(
        id=step.id, parent=step.parent, kind=step.kind, title=step.title, code=step.code,
        depth=step.depth, weight=_percent(step.weight),
        score=None if missing else score * 100.0,  # type: ignore[operator]
        status=score.status if isinstance(score, Missing) else "scored", places=places,
        band=scoring.band_of(score, bands),
    )
    zero_weight = ("zero_weight",) if step.weight == 0 else ()
    if step.rule is None:
        return NodeResult(**common, flags=zero_weight)  # type: ignore[arg-type]
    rule = program.rules[step.rule]
    raw, _ = leaves[step.rule]
    value = values.values.get(rule.indicator.id)
    flags = zero_weight + leaf_flags(rule, raw, value)
    return NodeResult(**common, indicator=rule.indicator.id,  # type: ignore[arg-type]
                      unit=rule.indicator.unit, target=rule.target,
                      value=value, raw=_percent(raw), flags=flags)


def leaf_flags(rule: ScoringRule, raw: float | None, value: Value) -> tuple[str, ...]:
    flags: list[str] = []
    if raw is not None and raw > rule.cap:
        flags.append("capped")
    if raw is not None and raw < rule.floor:
        flags.append("floored")
    if rule.target.source == "periodic":
        flags.append("periodic_target")
    due = rule.target.due
    if due is not None and raw is not None:
        if isinstance(value, dt.date) and value > due.due:
            flags.append("late")
        elif value is None:
            flags.append("missed")
    return tuple(flags)
