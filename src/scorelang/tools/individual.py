"""How a person's evaluation came about: a scorecard's final score from its components, each
component from its parts, behaviours from their ratings, and the reward from the band the final
score falls in (`scorelang explain RULES --values V scorecard:ID`).

Like `explain`, it scores nothing by a formula of its own: the figures are the Result's, and the
divisor of each weighted mean is `scoring.counted_weight`, the evaluator's rule. It neither
rounds nor formats: report/individual.py does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import ScorelangError, did_you_mean, error
from ..engine import scoring
from ..engine.result import Result, ScorecardResult
from ..engine.scoring import Score
from ..model import MissingPolicy

if TYPE_CHECKING:
    from ..api import Plan


@attrs.frozen
class RewardDetail:
    """The reward row the final score fell in, in percent: [lower, upper) pays `pays`, or
    from `pays` to `pays_to` in proportion; and the share it paid."""

    id: str
    title: str
    lower: float | None
    upper: float | None
    pays: float
    pays_to: float | None
    share: float | None


@attrs.frozen
class ScorecardExplanation:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    policy: MissingPolicy
    card: ScorecardResult
    # the weight (percent) each weighted mean was divided by: the card's, each component's,
    # and each behaviours part's (by component id / part ref)
    divisors: dict[str, float]
    scale_low: dict[str, float]  # behaviour set -> the scale's lowest rating
    reward: RewardDetail | None
    locale: str = "en"  # the plan's: the language the text report speaks


def explain_scorecard(plan: Plan, result: Result, figure_id: str) -> ScorecardExplanation:
    """The computation of scorecard `ID` (written `scorecard:ID` or `ID`) in `result`.

    Raises ScorelangError (SL314) for an id that is not a scorecard of the plan."""
    card_id = figure_id.removeprefix("scorecard:")
    card = next((c for c in result.scorecards if c.id == card_id), None)
    if card is None:
        names = [c.id for c in result.scorecards]
        raise ScorelangError([error(
            "SL314", f"unknown scorecard `{card_id}` in plan `{result.plan_id}`", None,
            did_you_mean(card_id, names) or "scorecards: " + (", ".join(names) or "none"))])
    program = plan.program(result.period)
    aggregation = program.aggregation
    divisors: dict[str, float] = {}
    if card.components:
        divisors[""] = 100 * scoring.counted_weight(
            aggregation, [(c.weight / 100, _score(c.score, c.status)) for c in card.components])
    else:
        divisors[""] = 100 * scoring.counted_weight(
            aggregation, [(e.weight / 100, _score(e.score, e.status)) for e in card.entries])
    for component in card.components:
        divisors[component.id] = 100 * scoring.counted_weight(
            aggregation, [(p.weight / 100, _score(p.score, p.status)) for p in component.parts])
        for part in component.parts:
            if part.ratings:
                divisors[f"{component.id}/{part.ref}"] = 100 * scoring.counted_weight(
                    aggregation, [(r.weight / 100, _score(r.score, "missing"))
                                  for r in part.ratings])
    compiled = next(c for c in program.scorecards if c.id == card.id)
    reward = None
    if compiled.reward is not None:
        row = None if card.score is None else \
            scoring.stretch_of(compiled.reward_rows, card.score / 100)
        if row is None:
            reward = RewardDetail(compiled.reward, compiled.reward_title or compiled.reward,
                                  None, None, 0.0, None, card.reward_share)
        else:
            reward = RewardDetail(compiled.reward, compiled.reward_title or compiled.reward,
                                  *row.percent_bounds, row.start * 100,
                                  None if row.fixed else row.end * 100, card.reward_share)
    scale_low = {b.id: b.low for b in plan.definition.behaviours}
    return ScorecardExplanation(result.plan_id, result.plan_title, result.period, result.as_of,
                                plan.definition.policy.missing, card, divisors, scale_low,
                                reward, result.locale)


def _score(percent: float | None, status: str) -> Score:
    if percent is None:
        return scoring.NOT_DUE if status == "not_due" else scoring.NOT_REPORTED
    return percent / 100

