"""A scorecard's explanation as text or JSON (`scorelang explain ... scorecard:ID`): each
weighted mean written out, the behaviours' ratings converted, the reward band applied."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..engine.result import ScorecardResult
from ..tools.individual import RewardDetail, ScorecardExplanation
from .explain import _context, _percent, _points, _shorten, _weight, policy
from .speech import say, speaking


def _score(score: float | None, status: str, places: int) -> str:
    if score is None:
        return say("N/D (not yet due)") if status == "not_due" else "N/D"
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
            terms.append(say("[{name}: {shown}, left out]", name=name, shown=shown))
            continue
        if score is None:  # counts 0, keeping its weight (counts_zero)
            terms.append(say("{weight} × 0 % ({name}: {shown}, counts 0)",
                             weight=_weight(weight), name=name, shown=shown))
        else:
            terms.append(f"{_weight(weight)} × {shown} ({name})")
        points.append(_points(weight * (score or 0.0) / 100, places))
    lines = ["= " + " + ".join(terms)]
    if points:
        lines.append("= " + " + ".join(points) + " " + say("points"))
    if total is not None and abs(divisor - 100) > 1e-9:
        lines.append(say("÷ {weight} counted = {total}", weight=_weight(divisor),
                         total=_percent(total, places)))
    return lines


def explain_scorecard_text(explanation: ScorecardExplanation, locale: str | None = None) -> str:
    """The scorecard's explanation in `locale` (default: the plan's)."""
    with speaking(locale or explanation.locale):
        return _explain_scorecard_text(explanation)


def _explain_scorecard_text(explanation: ScorecardExplanation) -> str:
    card = explanation.card
    places = card.places
    context = _context(explanation.plan_title, explanation.period, explanation.as_of)
    role = say(", role {role}", role=card.role) if card.role else ""
    lines = [say("How scorecard {id} \"{title}\"{role} came to {score}", id=card.id,
                 title=_shorten(card.title), role=role,
                 score=_score(card.score, card.status, places)), context,
             say("N/D policy: {policy}", policy=policy(explanation.policy)), ""]
    divisors = explanation.divisors
    if card.components:
        lines.append(say("Final score: the weighted mean of the components"))
        lines += ["  " + line for line in _mean(
            [(c.id, c.weight, c.score, c.status) for c in card.components], divisors[""],
            places, card.score)]
        for component in card.components:
            lines += ["", say("component {id} \"{title}\" {weight}: {score}", id=component.id,
                              title=_shorten(component.title),
                              weight=_weight(component.weight),
                              score=_score(component.score, component.status, places))]
            if len(component.parts) > 1:
                lines += ["  " + line for line in _mean(
                    [(p.ref or p.kind, p.weight, p.score, p.status) for p in component.parts],
                    divisors[component.id], places, component.score)]
            for part in component.parts:
                lines += _part_lines(explanation, component.id, part, places)
    else:
        lines.append(say("Final score: the weighted mean of the scorecard's lines"))
        lines += ["  " + line for line in _mean(
            [(e.ref, e.weight, e.score, e.status) for e in card.entries], divisors[""], places,
            card.score)]
    if explanation.reward is not None:
        lines += ["", _reward_text(explanation.reward, card)]
    return "\n".join(lines) + "\n"


def _part_lines(explanation: ScorecardExplanation, component: str, part: Any,
                places: int) -> list[str]:
    what = {"plan": say("the plan total"), "node": say("objective {ref}", ref=part.ref),
            "indicator": say("indicator {ref}", ref=part.ref),
            "behaviours": say("behaviours {ref}", ref=part.ref)}[part.kind]
    lines = [f"  {what} \"{_shorten(part.title)}\" {_weight(part.weight)}: "
             f"{_score(part.score, part.status, places)}"]
    if part.kind != "behaviours":
        return lines
    low = explanation.scale_low.get(part.ref or "", 0.0)
    lines.append("    " + say("scale {low} to {high}: a rating r scores r / {high}",
                                low=f"{low:g}", high=f"{part.scale:g}"))
    for rating in part.ratings:
        given = say("not rated: N/D") if rating.rating is None else \
            say("rated {rating} of {scale} = {score}", rating=f"{rating.rating:g}",
                scale=f"{part.scale:g}", score=_percent(rating.score or 0.0, places))
        lines.append(f"    {rating.id} {_weight(rating.weight)}: {given}")
    lines += ["    " + line for line in _mean(
        [(r.id, r.weight, r.score, "missing") for r in part.ratings],
        explanation.divisors[f"{component}/{part.ref}"], places, part.score)]
    return lines


def _bound(value: float | None) -> str:
    return "" if value is None else _weight(value)


def _reward_text(reward: RewardDetail, card: ScorecardResult) -> str:
    places = card.places
    head = say("Reward {id} \"{title}\": ", id=reward.id, title=_shorten(reward.title))
    if card.score is None or reward.share is None:
        return head + say("the final score is N/D, so is the share of the bonus")
    score = _percent(card.score, places)
    if reward.lower is None:
        where = say("below {upper}", upper=_bound(reward.upper))
    elif reward.upper is None:
        where = say("from {lower}", lower=_bound(reward.lower))
    else:
        where = say("{start} to {end}", start=_bound(reward.lower), end=_bound(reward.upper))
    if reward.pays_to is None or reward.lower is None or reward.upper is None:
        return head + say("{score} falls in the band {where}, which pays {pays} of the bonus",
                          score=score, where=where, pays=_weight(reward.pays))
    return head + say("{score} falls in the band {where}, paid {pays} to {pays_to} in "
                      "proportion:\n  {pays} + ({score} − {lower}) / ({upper} − {lower}) × "
                      "({pays_to} − {pays}) = {share} of the bonus", score=score, where=where,
                      pays=_weight(reward.pays), pays_to=_weight(reward.pays_to),
                      lower=_bound(reward.lower), upper=_bound(reward.upper),
                      share=_percent(reward.share, places))


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
