"""The individual evaluation: behaviour ratings checked against the plan, and each scorecard
scored — flat (Modena's weighted objectives) or by weighted components — up to the reward.

Run when a Result's scorecards are first read (the ratings' check runs with `evaluate`, so that
a bad rating is an error at once, with its file, line and column). The scoring rules it applies
(a rating's conversion, the weighted mean, the reward bands) are `scoring`'s; none is written here.
"""

from __future__ import annotations

from typing import Protocol

from ..diagnostics import Diagnostic, did_you_mean, error, warning
from . import scoring
from .compile import CompiledComponent, CompiledPart, CompiledScorecard, Program, RatedBehaviours
from .result import ComponentResult, PartResult, RatingResult, ScorecardEntry, ScorecardResult
from .scoring import Missing, Score
from .values import Values

class Slots(Protocol):
    """Every slot's score of one evaluation, as `evaluate.SlotScores` gives them."""

    def __getitem__(self, slot: int) -> Score: ...


def _sets_of(card: CompiledScorecard) -> list[RatedBehaviours]:
    return [part.behaviours for component in card.components for part in component.parts
            if part.behaviours is not None]


def rating_problems(program: Program, values: Values) -> list[Diagnostic]:
    """The ratings against the plan: unknown people (SL330) and behaviours (SL331), ratings off
    the scale (SL332) or between its steps (SL333): errors; a behaviour not rated (SL335): a
    warning, it scores N/D by the plan's missing policy."""
    found: list[Diagnostic] = []
    cards = {card.id: _sets_of(card) for card in program.scorecards}
    people = [card for card, sets in cards.items() if sets]
    spans = values.rating_spans
    for person, ratings in values.behaviours.items():
        sets = cards.get(person)
        if not sets:
            hint = did_you_mean(person, people) or (
                "no scorecard of the plan has behaviours to rate" if not people else
                "rated scorecards: " + ", ".join(people))
            found.append(error("SL330", f"`{person}` in {values.source} is not a scorecard with "
                               "behaviours to rate", spans.get((person, "")), hint))
            continue
        for behaviour, rating in ratings.items():
            span = spans.get((person, behaviour))
            scale = next((s for s in sets if any(b[0] == behaviour for b in s.behaviours)), None)
            if scale is None:
                names = [b[0] for s in sets for b in s.behaviours]
                found.append(error("SL331", f"`{behaviour}` is not a behaviour rated in "
                                   f"scorecard `{person}`",
                                   spans.get((person, "@" + behaviour), span),
                                   did_you_mean(behaviour, names) or "rated: " + ", ".join(names)))
                continue
            if rating is None:
                continue
            declared = program.plan.behaviour_set(scale.id)
            assert declared is not None
            low, high, step = declared.low, declared.high, declared.step or 1.0
            if not low <= rating <= high:
                found.append(error("SL332", f"the rating of `{behaviour}` for `{person}` is "
                                   f"{rating:g}, off the scale {low:g} to {high:g}", span,
                                   f"rate it from {low:g} to {high:g}"))
            elif abs((rating - low) / step - round((rating - low) / step)) > 1e-9:
                found.append(error("SL333", f"the rating of `{behaviour}` for `{person}` is "
                                   f"{rating:g}, between the steps of the scale", span,
                                   f"rate in steps of {step:g} from {low:g}, or declare "
                                   f"`step` on `behaviours {scale.id}`"))
    for person, sets in cards.items():
        for rated_set in sets:
            for behaviour, _, _ in rated_set.behaviours:
                if behaviour not in values.behaviours.get(person, {}):
                    found.append(warning("SL335", f"no rating of `{behaviour}` for `{person}`: "
                                         "scored as N/D", spans.get((person, "")),
                                         f"add `{behaviour}: null` under `{person}` in "
                                         f"`behaviours:` to say it is not rated on purpose"))
    return found


def scorecards(program: Program, slots: Slots, values: Values) -> tuple[ScorecardResult, ...]:
    places = program.plan.policy.display_places
    bands = [(band.id, band.lower) for band in program.plan.bands]
    out = []
    for card in program.scorecards:
        if card.components:
            # Fractions all the way up, as the evaluator's: percents are only for reading.
            scored = [_component(program, slots, values, card, c, bands)
                      for c in card.components]
            components = tuple(result for result, _ in scored)
            total = scoring.aggregate([(c.weight, score) for c, (_, score)
                                       in zip(card.components, scored)], program.aggregation)
            entries: tuple[ScorecardEntry, ...] = ()
        else:
            components = ()
            entries, total = _entries(program, slots, card, bands)
        share: Score | None = None
        row = None
        if card.reward is not None:
            share = scoring.reward_share(total, card.reward_rows)
            if not isinstance(total, Missing):
                row = scoring.stretch_of(card.reward_rows, total)
        out.append(ScorecardResult(
            card.id, card.title, _percent(total), _status(total), entries,
            scoring.band_of(total, bands), places, components, card.role, card.reward,
            card.reward_title, None if row is None else reward_band(row),
            None if share is None else _percent(share),
            None if row is None else row.percent_bounds))
    return tuple(out)


def reward_band(row: scoring.Stretch) -> str:
    """A reward row as the plan writes it: "below 60%", "60% to 95%", "from 95%"."""
    lower, upper = row.percent_bounds
    if lower is None:
        return f"below {_figure(upper)}"
    if upper is None:
        return f"from {_figure(lower)}"
    return f"{_figure(lower)} to {_figure(upper)}"


def _figure(percent: float | None) -> str:
    return f"{percent or 0.0:.10g}%"


def _entries(program: Program, slots: Slots, card: CompiledScorecard,
             bands: list[tuple[str, float]]) -> tuple[tuple[ScorecardEntry, ...], Score]:
    at = program.layout.slot_of_node
    entries = []
    weighted: list[tuple[float, Score]] = []
    for entry in card.entries:
        score = slots[entry.leaf] if entry.leaf is not None else slots[at[entry.node or 0]]
        weighted.append((entry.weight, score))
        entries.append(ScorecardEntry(
            entry.ref, "indicator" if entry.leaf is not None else "node", entry.title,
            entry.weight * 100.0, _percent(score), _status(score), scoring.band_of(score, bands)))
    return tuple(entries), scoring.aggregate(weighted, program.aggregation)


def _component(program: Program, slots: Slots, values: Values, card: CompiledScorecard,
               component: CompiledComponent, bands: list[tuple[str, float]]
               ) -> tuple[ComponentResult, Score]:
    scored = [_part(program, slots, values, card.id, part, bands) for part in component.parts]
    score = scoring.aggregate([(part.weight, part_score) for part, (_, part_score)
                               in zip(component.parts, scored)], program.aggregation)
    return ComponentResult(component.id, component.title, component.weight * 100.0,
                           _percent(score), _status(score), tuple(r for r, _ in scored),
                           scoring.band_of(score, bands)), score


def _part(program: Program, slots: Slots, values: Values, person: str, part: CompiledPart,
          bands: list[tuple[str, float]]) -> tuple[PartResult, Score]:
    ratings: tuple[RatingResult, ...] = ()
    scale = None
    if part.kind == "plan":
        score: Score = slots[program.layout.slots] if program.layout.roots is not None \
            else scoring.NO_WEIGHT
    elif part.leaf is not None:
        score = slots[part.leaf]
    elif part.node is not None:
        score = slots[program.layout.slot_of_node[part.node]]
    else:
        assert part.behaviours is not None
        given = values.behaviours.get(person, {})
        scale = part.behaviours.high
        weighted: list[tuple[float, Score]] = []
        found = []
        for behaviour, title, weight in part.behaviours.behaviours:
            rating = given.get(behaviour)
            rated_score: Score = scoring.NOT_REPORTED if rating is None else \
                scoring.behaviour_score(rating, scale)
            weighted.append((weight, rated_score))
            found.append(RatingResult(behaviour, title, weight * 100.0, rating,
                                      _percent(rated_score)))
        ratings = tuple(found)
        score = scoring.aggregate(weighted, program.aggregation)
    score = _score_of(score)
    return PartResult(part.kind, part.ref, part.title, part.weight * 100.0, _percent(score),
                      _status(score), scoring.band_of(score, bands), ratings, scale), score


def _score_of(score: Score) -> Score:
    # The evaluator's slots hold N/D as NaN for branches not scored (evaluate.SlotScores).
    return scoring.NOT_REPORTED if not isinstance(score, Missing) and score != score else score


def _percent(score: Score) -> float | None:
    return None if isinstance(score, Missing) else score * 100.0


def _status(score: Score) -> str:
    return score.status if isinstance(score, Missing) else "scored"
