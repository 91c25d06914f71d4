"""A scorecard's explanation as text or JSON (`scorelang explain ... scorecard:ID`): each
weighted mean written out, the behaviours' ratings converted, the reward band applied."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..engine.result import ScorecardResult
from ..tools.individual import RewardDetail, ScorecardExplanation
from .explain import _POLICY, _context, _percent, _points, _shorten, _weight


def _score(score: float | None, status: str, places: int) -> str:
    if score is None:
        return "N/D (not yet due)" if status == "not_due" else "N/D"
    return _percent(score, places)


def _mean(items: list[tuple[str, float, float | None, str]], divisor: float,
          places: int, total: float | None) -> list[str]:
    """`= w × s (name) + …`, the points, and the division when the weights counted are not
    100 % (an N/D left out under `excluded`)."""
    terms, points = [], []
    for name, weight, score, status in items:
        if weight <= 0:
            continue
        shown = _score(score, status, places)
        if score is None and divisor < sum(w for _, w, _, _ in items if w > 0) - 1e-9:
            terms.append(f"[{name}: {shown}, left out]")
            continue
        if score is None:  # counts 0, keeping its weight (counts_zero)
            terms.append(f"{_weight(weight)} × 0 % ({name}: {shown}, counts 0)")
        else:
            terms.append(f"{_weight(weight)} × {shown} ({name})")
        points.append(_points(weight * (score or 0.0) / 100, places))
    lines = ["= " + " + ".join(terms)]
    if points:
        lines.append("= " + " + ".join(points) + " points")
    if total is not None and abs(divisor - 100) > 1e-9:
        lines.append(f"÷ {_weight(divisor)} counted = {_percent(total, places)}")
    return lines


def explain_scorecard_text(explanation: ScorecardExplanation) -> str:
    card = explanation.card
    places = card.places
    context = _context(explanation.plan_title, explanation.period, explanation.as_of)
    role = f", role {card.role}" if card.role else ""
    lines = [f"How scorecard {card.id} \"{_shorten(card.title)}\"{role} came to "
             f"{_score(card.score, card.status, places)}", context,
             f"N/D policy: {_POLICY[explanation.policy]}", ""]
    divisors = explanation.divisors
    if card.components:
        lines.append("Final score: the weighted mean of the components")
        lines += ["  " + line for line in _mean(
            [(c.id, c.weight, c.score, c.status) for c in card.components], divisors[""],
            places, card.score)]
        for component in card.components:
            lines += ["", f"component {component.id} \"{_shorten(component.title)}\" "
                          f"{_weight(component.weight)}: "
                          f"{_score(component.score, component.status, places)}"]
            if len(component.parts) > 1:
                lines += ["  " + line for line in _mean(
                    [(p.ref or p.kind, p.weight, p.score, p.status) for p in component.parts],
                    divisors[component.id], places, component.score)]
            for part in component.parts:
                lines += _part_lines(explanation, component.id, part, places)
    else:
        lines.append("Final score: the weighted mean of the scorecard's lines")
        lines += ["  " + line for line in _mean(
            [(e.ref, e.weight, e.score, e.status) for e in card.entries], divisors[""], places,
            card.score)]
    if explanation.reward is not None:
        lines += ["", _reward_text(explanation.reward, card)]
    return "\n".join(lines) + "\n"


def _part_lines(explanation: ScorecardExplanation, component: str, part: Any,
                places: int) -> list[str]:
    what = {"plan": "the plan total", "node": f"objective {part.ref}",
            "indicator": f"indicator {part.ref}",
            "behaviours": f"behaviours {part.ref}"}[part.kind]
    lines = [f"  {what} \"{_shorten(part.title)}\" {_weight(part.weight)}: "
             f"{_score(part.score, part.status, places)}"]
    if part.kind != "behaviours":
        return lines
    low = explanation.scale_low.get(part.ref or "", 0.0)
    lines.append(f"    scale {low:g} to {part.scale:g}: a rating r scores r / {part.scale:g}")
    for rating in part.ratings:
        given = "not rated: N/D" if rating.rating is None else \
            f"rated {rating.rating:g} of {part.scale:g} = {_percent(rating.score or 0.0, places)}"
        lines.append(f"    {rating.id} {_weight(rating.weight)}: {given}")
    lines += ["    " + line for line in _mean(
        [(r.id, r.weight, r.score, "missing") for r in part.ratings],
        explanation.divisors[f"{component}/{part.ref}"], places, part.score)]
    return lines


def _bound(value: float | None) -> str:
    return "" if value is None else _weight(value)


def _reward_text(reward: RewardDetail, card: ScorecardResult) -> str:
    places = card.places
    head = f"Reward {reward.id} \"{_shorten(reward.title)}\": "
    if card.score is None or reward.share is None:
        return head + "the final score is N/D, so is the share of the bonus"
    score = _percent(card.score, places)
    if reward.lower is None:
        where = f"below {_bound(reward.upper)}"
    elif reward.upper is None:
        where = f"from {_bound(reward.lower)}"
    else:
        where = f"{_bound(reward.lower)} to {_bound(reward.upper)}"
    if reward.pays_to is None or reward.lower is None or reward.upper is None:
        return (head + f"{score} falls in the band {where}, which pays {_weight(reward.pays)}"
                f" of the bonus")
    return (head + f"{score} falls in the band {where}, paid {_weight(reward.pays)} to "
            f"{_weight(reward.pays_to)} in proportion:\n  {_weight(reward.pays)} + ({score} − "
            f"{_bound(reward.lower)}) / ({_bound(reward.upper)} − {_bound(reward.lower)}) × "
            f"({_weight(reward.pays_to)} − {_weight(reward.pays)}) = "
            f"{_percent(reward.share, places)} of the bonus")


def explain_scorecard_json(explanation: ScorecardExplanation) -> str:
    data: dict[str, Any] = {
        "plan": {"id": explanation.plan_id, "title": explanation.plan_title},
        "period": explanation.period,
        "as_of": None if explanation.as_of is None else explanation.as_of.isoformat(),
        "missing_policy": explanation.policy.value,
        "scorecard": explanation.card.to_dict(),
        "divisors": explanation.divisors,
        "reward": None if explanation.reward is None else attrs.asdict(explanation.reward),
    }
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
