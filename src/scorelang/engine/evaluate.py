"""Program + values -> Result: score every indicator, then roll scores up the tree.

N/D is a value (`scoring.Missing`), not an exception. Values that do not fit the plan (an
unknown indicator id, a date where a number is due) raise ValuesError with every problem; an
indicator with no entry is N/D and reported as a warning on the result.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import attrs

from . import individual, scoring
from .compile import CompiledNode, Layout, Leaf, Program, leaf_target
from ..diagnostics import Diagnostic, ValuesError, did_you_mean, error, warning
from ..model import MissingPolicy, MissingTarget, collector_paused
from . import result as results
from .result import (NO_FACTS, Deferred, Finding, NodeFacts, NodeResult, NodeTable, Result,
                     ScorecardResult)
from .scoring import Missing, Score
from .values import Neutralisation, Override, Value, ValueNote, Values


def _say_nd(indicator: str, source: str) -> str:
    """How to write N/D on purpose in the kind of file the values came from."""
    if source.lower().endswith((".csv", ".xlsx")):
        return f"add a row `{indicator}` with N/D as its value to {source} to say it is N/D on purpose"
    return f"add `{indicator}: null` to {source} to say it is N/D on purpose"


def validate(program: Program, values: Values, as_of: dt.date | None) -> list[Diagnostic]:
    """Problems of the values against the plan; errors first-class, missing entries as warnings."""
    found: list[Diagnostic] = []
    plan = program.plan
    layout = program.layout
    declared = dict(zip(layout.names, plan.indicators))
    if values.plan is not None and values.plan != plan.id:
        # Most often a values file copied from last year's, its `plan:` line left as it was.
        where = f" ({values.source}, line {values.plan_span.line})" \
            if values.plan_span is not None else ""
        found.append(error("SL306", f"the values{where} are for plan `{values.plan}`, not "
                           f"`{plan.id}`", values.plan_span,
                           f"if they were collected for this plan (a file copied from another "
                           f"year's?), write `plan: {plan.id}` on that line; otherwise score "
                           "them with the plan they were collected for"))
    for name, value in values.values.items():
        span = values.spans.get(name)
        indicator = declared.get(name)
        if indicator is None:
            hint = did_you_mean(name, declared) or "the plan declares no indicator with this id"
            found.append(error("SL307", f"unknown indicator `{name}` in {values.source}", span, hint))
            continue
        is_deadline = indicator.deadline is not None
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
    for index, indicator in enumerate(plan.indicators):
        if not layout.used[index]:
            continue
        if indicator.id not in values.values:
            scored_as = "0 (`missing value_zero`)" if layout.value_zero[index] else "N/D"
            found.append(warning("SL310", f"no value for `{indicator.id}`: scored as "
                                 f"{scored_as}",
                                 indicator.span,
                                 _say_nd(indicator.id, values.source)))
        if indicator.deadline is not None and as_of is None \
                and values.values.get(indicator.id) is None:
            found.append(error("SL311", f"cannot tell whether the deadline of "
                               f"`{indicator.id}` has passed: no monitoring date", None,
                               "give `as_of: YYYY-MM-DD` in the values file, or --as-of"))
    return found


def leaf_score(leaf: Leaf, value: Value, as_of: dt.date | None) -> tuple[float | None, Score]:
    """(raw achievement, bounded score) of one indicator; raw is None when there is none.
    Under `missing value_zero` an N/D value is scored as 0 (`scoring.value_taken`)."""
    return scoring.leaf_score(leaf.kind, leaf.target.value or 0.0, leaf.due, leaf.late,
                              leaf.floor, leaf.cap, scoring.value_taken(leaf.missing, value),
                              as_of, leaf.rule)


def score_at(layout: Layout, index: int, value: Value, as_of: dt.date | None) -> Score:
    """`leaf_score`'s bounded score of indicator `index`, read from the layout's columns: what
    the evaluator scores off its fast path, where no Leaf is made (compile.Leaves). A
    measured leaf's `due` is `dt.date.max` there, which no measured kind reads."""
    return scoring.leaf_score(
        layout.kinds[index], layout.targets[index], layout.dues[index], layout.lates[index],
        layout.floors[index], layout.caps[index],
        scoring.value_taken(MissingPolicy.VALUE_ZERO if layout.value_zero[index] else None,
                            value), as_of, layout.rules[index])[1]


_ZERO_WEIGHT = ("zero_weight",)
_PERIODIC = ("periodic_target",)
_ABSENT: Any = object()  # no entry at all for an indicator (as opposed to null)
_NAN = math.nan


def evaluate(program: Program, values: Values, as_of: dt.date | None = None, *,
             advice: Callable[[Result], tuple[Finding, ...]] | None = None,
             notes: tuple[Diagnostic, ...] = ()) -> Result:
    """Score every node. The hot path: embedders call it in loops, so it works on the flat
    tables of `program.layout` and leaves building the node objects to the Result, on first use.
    Validation costs nothing when the values fit; when anything looks off, `validate` says what.
    `advice` gives the findings, run on the result when they are first read; `notes` are
    warnings of the caller's, listed first. Both given here, not added to the Result after:
    copying a Result with `attrs.evolve` cost a tenth of a whole evaluation.
    """
    if as_of is None:
        as_of = values.as_of or (program.period.ends if program.period else None)
    slots, measured, found = score_slots(program, values, as_of)
    plan_score: float | None = None
    if program.layout.roots is not None:  # scored as a branch, after them (compile.Layout)
        total = slots[program.layout.slots]
        plan_score = None if isinstance(total, Missing) else total * 100.0
    plan = program.plan
    cards: tuple[ScorecardResult, ...] | Deferred[tuple[ScorecardResult, ...]] = ()
    if program.scorecards:
        if values.behaviours or program.rated:
            # Ratings are checked now, not when the scorecards are read: a bad one is an error.
            problems = individual.rating_problems(program, values)
            if any(d.is_error for d in problems):
                raise ValuesError([d for d in problems if d.is_error])
            notes += tuple(problems)
        cards = Deferred(lambda: individual.scorecards(program, slots, values))
    findings: tuple[Finding, ...] | Deferred[tuple[Finding, ...]] = ()
    if advice is not None:
        # The findings are read from the Result they belong to, reached through a weak
        # reference: a closure over the Result itself would make every Result a reference
        # cycle, freed only by the garbage collector, which then cost a seventh of each call.
        findings = Deferred(lambda: advice(_alive(owner)))
    if found:
        notes += tuple(d for d in found if not d.is_error)
    result = Result(plan.id, plan.title, program.period.id if program.period else None, as_of,
                    _Nodes(program, slots, measured, as_of, values.notes), plan_score, notes,
                    cards, plan.bands, plan.policy.locale, findings, program.layout.rounded,
                    program.descriptions)
    owner = weakref.ref(result)
    return result


def _alive(owner: weakref.ReferenceType[Result]) -> Result:
    result = owner()
    assert result is not None, "a Result's findings are read while it exists"
    return result


class SlotScores:
    """Every slot's score of one evaluation (see compile.Layout), read as `scores[slot]`.

    The numbers are doubles in an array, NaN where a slot is N/D; the N/D slots' reasons are
    kept aside. Not a list of float objects: a new float object per slot on every call is
    memory the CPU caches must hold, and with them the time per indicator of a 100,000-indicator
    plan was 1.3–1.5 × that of a 1,000-indicator plan (1.1–1.3 × with the array). Reading and
    writing an array costs more per item than a list, 4–10 % of an evaluation of the Modena
    plan (docs/performance.md). NaN stands for N/D only: a NaN value is N/D before it is scored
    (values._number, and `score_slots` for a Values made by hand), and every other value scores
    a finite number, floor and cap being finite.
    """

    __slots__ = ("numbers", "missing", "adjusted")

    def __init__(self, numbers: array[float], missing: dict[int, Missing],
                 adjusted: Adjusted | None = None) -> None:
        self.numbers, self.missing = numbers, missing
        self.adjusted = adjusted  # the monitoring's neutralisations and overrides, by slot

    def __getitem__(self, slot: int) -> Score:
        reason = self.missing.get(slot)
        return self.numbers[slot] if reason is None else reason

    def __len__(self) -> int:
        return len(self.numbers)


def score_slots(program: Program, values: Values, as_of: dt.date | None
                ) -> tuple[SlotScores, list[Value], list[Diagnostic]]:
    """(score per slot, value per indicator, warnings): the scoring itself,
    for `evaluate` and the batch evaluator. Raises ValuesError when the values do not fit."""
    layout = program.layout
    given = values.values
    names = layout.names
    # Values files and embedders usually list every indicator in the plan's order: then the
    # values are read in one pass over the mapping, where a lookup per indicator would jump
    # around a big plan's dict and miss the CPU caches every time (see compile.Layout).
    if len(given) == len(names) and tuple(given) == names:
        measured: list[Any] = list(given.values())
    else:
        measured = list(map(given.get, names, repeat(_ABSENT)))
    numbers = array("d")  # indicators, then branches (see compile.Layout and SlotScores)
    put = numbers.append
    missing: dict[int, Missing] = {}
    absent = 0
    clean = values.plan is None or values.plan == program.plan.id
    dues, lates, rules = layout.dues, layout.lates, layout.rules
    not_reported, not_due = scoring.NOT_REPORTED, scoring.NOT_DUE
    deadlines, kinds, plain = layout.deadlines, layout.kinds, layout.plain
    achievement, bound, score_leaf = scoring.achievement, scoring.bounded, scoring.leaf_score
    for value, target, width, apart, floor, cap in zip(
            measured, layout.targets, layout.widths, layout.apart, layout.floors, layout.caps):
        if value.__class__ is float:
            gap = value - target
            # The deviation kinds, for a value certainly not equal to its target (the other
            # kinds are never `apart`): scoring's 1 + (v − t)/w and `bounded`, inlined.
            if gap > apart or -gap > apart:
                raw = 1.0 + gap / width
                bounded = floor if floor > raw else raw
                put(cap if cap < bounded else bounded)
                continue
            if value != value:  # NaN, in a Values made by hand: N/D, as values._number says
                value = measured[len(numbers)] = None
            elif plain[len(numbers)]:  # any other measured kind, or a hair from target
                put(bound(achievement(kinds[len(numbers)], target, value), floor, cap))
                continue
            # A leaf rule (tolerance, curve, limits, progress) goes on to leaf_score below:
            # scoring applies it there, and Modena's leaves never pay for the test.
        # N/D and deadlines not yet due are a fifth of a half-year monitoring: answered here,
        # as scoring.leaf_score would, without its call.
        index = len(numbers)
        deadline = deadlines[index]
        if value is None:
            if not deadline:
                missing[index] = not_reported
                put(_NAN)
                continue
            if as_of is not None and as_of <= dues[index]:
                missing[index] = not_due
                put(_NAN)
                continue
        if value is _ABSENT:
            value = measured[index] = None
            absent += 1
            clean = clean and not layout.used[index]
            if deadline and as_of is None and layout.used[index]:
                clean = False
            score = score_at(layout, index, value, as_of)  # `value_zero` scores it as 0
        else:
            if deadline:
                if value is not None and (not isinstance(value, dt.date)
                                          or (as_of is not None and value > as_of)):
                    clean = False
                elif value is None and as_of is None and layout.used[index]:
                    clean = False
            elif isinstance(value, dt.date):
                clean = False
            # What `score_at` does, its columns already at hand (a tenth of an evaluation of
            # the realistic plan): a value here is never a measured N/D, so
            # `scoring.value_taken` has nothing to take.
            score = score_leaf(kinds[index], target, dues[index], lates[index], floor, cap,
                               value, as_of, rules[index])[1]
        if isinstance(score, Missing):
            missing[index] = score
            put(_NAN)
        else:
            put(score)
    found: list[Diagnostic] = []
    if not clean or len(names) - absent != len(given):
        found = validate(program, values, as_of)
        errors = [d for d in found if d.is_error]
        if errors:
            raise ValuesError(errors)

    if layout.on_missing:
        _missing_values(program, values, measured, numbers, missing, as_of)
    skipped = False
    if layout.no_target or values.previous:
        skipped = _no_target(program, values, numbers, missing)
    numbers.extend(layout.unscored)
    if layout.no_weight:
        missing.update(dict.fromkeys(layout.no_weight, scoring.NO_WEIGHT))
    scores = SlotScores(numbers, missing)
    if not layout.weighted_only or values.neutralised or values.overrides or skipped:
        # another aggregation somewhere, `rollup rounded`, or the monitoring's adjustments
        scores.adjusted = _score_branches(program, values, scores)
        return scores, measured, found
    aggregation = program.aggregation
    keeps_weight = aggregation.nd_keeps_weight
    # scoring.aggregate, inlined for a branch with a scored child when N/D keeps its weight:
    # then the score is Σ w × s / Σ w over the weighted children, N/D counting 0, and Σ w is the
    # precomputed sum (the same floats in the same order). One loop over every branch's
    # children, the branch scored at its last (see compile.Layout). Any other branch (every
    # child N/D, or N/D excluded) is scored by scoring.aggregate itself.
    total = 0.0
    scored = False
    for child, weight, branch in zip(layout.child_slots, layout.child_weights, layout.closing):
        score = numbers[child]
        if score == score:  # not NaN: not N/D (see SlotScores)
            total += weight * score
            scored = True
        if branch is not None:
            slot, _, _, weights = branch
            if scored and keeps_weight:
                numbers[slot] = total / weights
            else:
                outcome = scoring.aggregate([(w, scores[c]) for c, w in layout.pairs(branch)],
                                            aggregation)
                if isinstance(outcome, Missing):
                    missing[slot] = outcome
                else:
                    numbers[slot] = outcome
            total = 0.0
            scored = False
    return scores, measured, found


def _missing_values(program: Program, values: Values, measured: list[Value],
                    numbers: array[float], missing: dict[int, Missing],
                    as_of: dt.date | None) -> None:
    """The indicators' own rules for an N/D value, after the hot loop left it N/D:
    `value_zero` scores it as 0; `error` refuses to score, naming every such indicator."""
    refused: list[Diagnostic] = []
    layout = program.layout
    # An indicator the monitoring neutralises or overrides needs no value of its own (the
    # remedy SL316 itself suggests); unknown ids are named later, by _score_branches.
    decided = _decided(program, values)
    for index, rule in layout.on_missing:
        if missing.get(index) is not scoring.NOT_REPORTED:
            continue
        name = layout.names[index]
        if rule is MissingPolicy.ERROR and index not in decided:
            refused.append(error(
                "SL316", f"`{name}` is N/D, and the plan scores it under `missing error`",
                values.spans.get(name), f"give its value in {values.source}, or neutralise it "
                "there with its reason and act"))
            continue
        if rule is MissingPolicy.ERROR:
            continue  # N/D, and neutralised or overridden below
        score = score_at(layout, index, measured[index], as_of)
        assert not isinstance(score, Missing)
        del missing[index]
        numbers[index] = score
    if refused:
        raise ValuesError(refused)


def _decided(program: Program, values: Values) -> set[int]:
    """The slots the monitoring neutralises or overrides (unknown ids are named later, by
    _score_branches): those need neither a value under `missing error` nor a previous score."""
    if not (values.neutralised or values.overrides):
        return set()
    return set(adjustment_slots(program, values.neutralised, "neutralised")[0]) | \
        set(adjustment_slots(program, values.overrides, "overrides")[0])


def _no_target(program: Program, values: Values, numbers: array[float],
               missing: dict[int, Missing]) -> bool:
    """Targets still `tbd`: under `skip` the indicator is left out of every parent (NO_TARGET);
    under `previous` it takes the previous monitoring's score from the values file (SL320 when
    the file has none). Whether any was skipped: then every branch takes the slow path."""
    layout = program.layout
    problems: list[Diagnostic] = []
    indicators = set(layout.names)
    for name in values.previous:
        if name not in indicators:
            problems.append(error("SL318", f"unknown id `{name}` under `previous`", None,
                                  did_you_mean(name, layout.names)
                                  or "name an indicator whose target is `tbd`"))
    skipped = False
    decided = _decided(program, values)
    for index, rule in layout.no_target:
        name = layout.names[index]
        if rule is MissingTarget.SKIP:
            missing[index] = scoring.NO_TARGET
            numbers[index] = _NAN
            skipped = True
        elif name in values.previous:
            missing.pop(index, None)
            numbers[index] = values.previous[name] / 100.0
        elif index in decided:  # neutralised or overridden: no previous score needed
            missing[index] = scoring.NO_TARGET
            numbers[index] = _NAN
        else:
            problems.append(error(
                "SL320", f"`{name}` has a target still to be decided and is scored by "
                "`missing_target previous`, but the values give no previous score for it", None,
                f"add `previous:` with `{name}: <score in percent>` to {values.source}, copied "
                "from the previous monitoring's report"))
    if problems:
        raise ValuesError(problems)
    return skipped


@attrs.frozen
class Adjusted:
    """A monitoring's neutralisations and overrides, by slot; `computed` keeps what each
    overridden slot would have scored (for reports and `verify`)."""

    neutralised: dict[int, Neutralisation]
    overrides: dict[int, Override]
    computed: dict[int, Score]


def adjustment_slots(program: Program, given: Any, section: str) -> tuple[dict[int, Any],
                                                                  list[Diagnostic]]:
    """Ids of `neutralised:`/`overrides:` as slots: an indicator id (all its uses) or a node id."""
    layout = program.layout
    out: dict[int, Any] = {}
    problems: list[Diagnostic] = []
    indicators = {name: i for i, name in enumerate(layout.names)}
    for name, entry in given.items():
        if name in indicators:
            out[indicators[name]] = entry
        elif name in layout.index:
            out[layout.slot_of_node[layout.index[name]]] = entry
        else:
            hint = did_you_mean(name, [*layout.names, *layout.index]) \
                or "name an indicator id, or a node id as reports show it (301, 301.D1.1)"
            problems.append(error("SL318", f"unknown id `{name}` under `{section}`",
                                  entry.span, hint))
    return out, problems


def _score_branches(program: Program, values: Values, scores: SlotScores) -> Adjusted | None:
    """The slow path: every branch (then the plan total) by its own aggregation through
    `scoring.aggregate`, for a plan that is not `weighted_only` (compile.Layout) or a
    monitoring with neutralisations, overrides or skipped targets. The inlined weighted mean
    of `score_slots` is left to the plans and monitorings that need only it.

    Under `rollup rounded` every slot is rounded before its parent reads it. A neutralised
    slot is N/D for the reason NEUTRALISED, which every parent leaves out; an overridden slot
    takes its given score, which its parents read (its computed one kept for the reports)."""
    neutralised, problems = adjustment_slots(program, values.neutralised, "neutralised")
    overrides, more = adjustment_slots(program, values.overrides, "overrides")
    problems += more
    for slot in sorted(neutralised.keys() & overrides.keys()):
        name = next(n for n, entry in values.overrides.items() if entry is overrides[slot])
        problems.append(error("SL319", f"`{name}` is both neutralised and overridden",
                              overrides[slot].span, "keep one: a neutralised node has no score "
                              "to override"))
    if problems:
        raise ValuesError(problems)
    layout = program.layout
    numbers, missing = scores.numbers, scores.missing
    places = layout.rounded
    computed: dict[int, Score] = {}

    def settle(slot: int, outcome: Score) -> None:
        if slot in neutralised:
            outcome = scoring.NEUTRALISED
        elif slot in overrides:
            computed[slot] = outcome
            outcome = overrides[slot].score / 100.0
        if isinstance(outcome, Missing):
            missing[slot] = outcome
            numbers[slot] = _NAN
        else:
            missing.pop(slot, None)
            numbers[slot] = outcome if places is None else scoring.rounded(outcome, places)

    for slot in range(len(layout.names)):
        settle(slot, scores[slot])
    work = [(branch[0], layout.pairs(branch), aggregation)
            for branch, aggregation in zip(layout.branches, layout.aggregations)]
    if layout.roots is not None:
        work.append((layout.slots, layout.roots, layout.plan_aggregation))
    for slot, pairs, aggregation in work:
        settle(slot, scoring.aggregate([(w, scores[c]) for c, w in pairs], aggregation))
    if neutralised or overrides:
        return Adjusted(neutralised, overrides, computed)
    return None


def _bands(program: Program) -> list[tuple[str, float]]:
    return [(band.id, band.lower) for band in program.plan.bands]


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100.0


class _Reading:
    """What reading a node needs that no evaluation changes, worked out once per compiled
    period (kept as `Program.reading`): each node's fixed fields as a tuple, in the order of
    NodeResult's first fields, and for the plain indicator uses (no leaf rule, no `tbd`
    target, no deadline, no `value_zero`) what their raw achievement and flags need. Reading
    every node of a Result is what reports and embedders do; built from these, a node costs a
    few attribute reads and one NodeResult, instead of its fields looked up one by one and its
    leaf scored again through `leaf_score` (docs/performance.md). `Result.scores` and
    `statuses` read the slots through `ids`, `pick` and (made on first use) `uses`, and
    build no node at all.

    A plan of more than `KEPT_UP_TO` nodes keeps none of the per-node tuples: `heads`,
    `plain` and `scored` then make a node's tuple when it is read (`_Made`). Such a plan's
    Result keeps no node either (result.NodeTable); its tuples were 30 MiB at 100,000
    indicators, held as long as the plan, for a table read once."""

    __slots__ = ("nodes", "leaves", "made", "compiled", "layout", "plan_id", "total",
                 "percents", "heads", "slots", "plain", "scored", "bands", "lowest", "places",
                 "ids", "pick", "all_scored", "uses")

    def __init__(self, program: Program) -> None:
        layout = program.layout
        # What the tables are made from; not the program itself, which keeps this reading
        # (a cycle would free a dropped plan only when the collector next runs).
        self.nodes, self.made, self.layout = program.nodes, program.leaves, layout
        self.plan_id = program.plan.id
        self.places = program.plan.policy.display_places
        self.bands = _bands(program)
        # Each band with the lowest score it takes (scoring.band_of's own subtraction, once).
        self.lowest = [(name, lower - scoring.BAND_TOLERANCE) for name, lower in self.bands]
        # The plan's total, when the areas are weighted, is the first node (the general path
        # builds it): every other position is one further on, the areas its children.
        self.total = total = layout.roots is not None
        # Each position's slot and, for Result.scores and statuses, every node's id in tree
        # order: the layout's own tuples, the total's ahead of them (see _Ahead; a small
        # plan's slots as a list, read by index for every node read).
        self.slots: Sequence[int] = layout.slot_of_node
        if total and len(layout.slot_of_node) < results.KEPT_UP_TO:
            self.slots = [layout.slots, *layout.slot_of_node]
        elif total:
            self.slots = _Ahead(layout.slots, layout.slot_of_node)
        self.ids: Sequence[str] = _Ahead(program.plan.id, layout.index.ids) if total \
            else layout.index.ids
        # Each position's slot's number picked from a list of the slots' numbers. itemgetter
        # of one item gives the item, not a tuple: a plan of one node picks by a slice of that
        # one slot (a plan has at least an area and an indicator, but a Result is no place to
        # assume it).
        self.pick: Callable[[list[float]], Any] = itemgetter(*self.slots) \
            if len(self.slots) > 1 else itemgetter(slice(self.slots[0], self.slots[0] + 1)) \
            if self.slots else itemgetter(slice(0, 0))
        # For Result.statuses, made on its first call (a plan read only by scores() or by
        # its nodes keeps no such tables): every id "scored", and the ids of each slot.
        self.all_scored: dict[str, str] | None = None
        self.uses: dict[int, list[str]] = {}
        self.percents: dict[float, float | None] = {}  # one float per distinct weight
        count = len(self.ids)
        # The Leaves and CompiledNodes the general path reads: a small plan's made once and
        # kept, as its reading tables are (a Leaf made at each read of a node put the
        # realistic plan's to_dict() over its goal, 2.10x); a large plan's made as read
        # (see compile.Leaves).
        small = count <= results.KEPT_UP_TO
        self.leaves: Sequence[Leaf] = tuple(program.leaves) if small else program.leaves
        self.compiled: Sequence[CompiledNode] = tuple(program.nodes) if small \
            else program.nodes
        self.heads: Sequence[tuple[Any, ...]]
        self.plain: Sequence[tuple[Any, ...] | None]
        self.scored: Sequence[tuple[Any, ...] | None]
        if count > results.KEPT_UP_TO:  # read at each plan's first reading (tests lower it)
            self.heads, self.plain, self.scored = \
                _Made(self.head, count), _Made(self.plain_of, count), _Made(self.scored_of, count)
        else:
            self.heads = [self.head(position) for position in range(count)]
            self.plain = [self.plain_of(position) for position in range(count)]
            self.scored = [self.scored_of(position) for position in range(count)]

    def head(self, position: int) -> tuple[Any, ...]:
        """(id, parent, kind, title, code, depth, weight in percent) of the node at
        `position`; () for the plan's total (the general path builds it). Read from the
        tree's columns (compile.Nodes), no CompiledNode made."""
        nodes = self.nodes
        parent: str | None
        if self.total:
            if position == 0:
                return ()
            index = position - 1
            above = nodes.parents[index]
            parent, depth = (self.plan_id if above < 0 else nodes.ids[above]), \
                nodes.depths[index] + 1
        else:
            index = position
            above = nodes.parents[index]
            parent, depth = None if above < 0 else nodes.ids[above], nodes.depths[index]
        weight = nodes.weight(index)
        if weight:  # one float per distinct weight, as compile shares the fractions
            percent = self.percents.get(weight)
            if percent is None:
                percent = self.percents[weight] = _percent(weight)
        else:
            percent = _percent(weight)
        kind, title, code, _ = nodes.head(index)
        return (nodes.ids[index], parent, kind, title, code, depth, percent)

    def plain_of(self, position: int) -> tuple[Any, ...] | None:
        """A plain indicator use's (leaf index, kind, target, width, apart, floor, cap,
        zero_weight flag, periodic_target flag, indicator id, unit, TargetUsed), () for a
        branch with no facts, or None: the general path (`_Nodes.general`)."""
        if self.total and position == 0:
            return None
        nodes = self.nodes
        index = position - 1 if self.total else position
        used, link = nodes.leaf[index], nodes.link[index]
        if used >= 0:
            layout = self.layout
            if not layout.quick[used]:
                return None
            # The Leaf's fields from the layout's columns, its target alone made again: a
            # Leaf made per use read was half again the time of reading a large Result.
            made = self.made
            indicator = made.indicators[used]
            target = leaf_target(indicator, made.policy, made.period)
            kind, value = layout.kinds[used], layout.targets[used]
            zero: tuple[str, ...] = _ZERO_WEIGHT if nodes.weights[index] == 0 else ()
            periodic: tuple[str, ...] = _PERIODIC if target.source == "periodic" else ()
            return (used, kind, value, scoring.deviation_width(kind, value), layout.apart[used],
                    layout.floors[used], layout.caps[used], zero, periodic, indicator.id,
                    indicator.unit, target)
        aggregation = nodes.head(index)[3]
        if link < 0 and (aggregation is None or aggregation.is_weighted):
            return ()  # a branch with no facts
        return None

    def scored_of(self, position: int) -> tuple[Any, ...] | None:
        """For the other uses read without `general`, deadlines and leaf rules without a
        points table or a baseline (no facts either, their raw achievement and flags from
        leaf_score and leaf_flags themselves): (leaf index, Leaf, indicator id, zero_weight
        flag); else None."""
        if self.total and position == 0:
            return None
        nodes = self.nodes
        index = position - 1 if self.total else position
        used = nodes.leaf[index]
        if used < 0:
            return None
        if self.layout.quick[used]:  # read by `plain_of`'s entry instead
            return None
        leaf = self.leaves[used]
        curve = leaf.rule.curve if leaf.rule is not None else None
        if leaf.indicator.baseline is None and leaf.no_target is None \
                and leaf.missing is not MissingPolicy.VALUE_ZERO \
                and (curve is None or curve.kind is not scoring.CurveKind.POINTS):
            return (used, leaf, leaf.indicator.id,
                    _ZERO_WEIGHT if nodes.weights[index] == 0 else ())
        return None


class _Ahead(Sequence[Any]):
    """A tuple with one item ahead of it, read as one sequence without a copy: a Result's ids
    and slots in tree order, the plan's total first (a list of each was 10 MiB at 1,000,000
    indicators, beside the layout's tuples of the same)."""

    __slots__ = ("first", "rest")

    def __init__(self, first: Any, rest: Sequence[Any]) -> None:
        self.first, self.rest = first, rest

    def __len__(self) -> int:
        return len(self.rest) + 1

    def __getitem__(self, position: Any) -> Any:
        if position == 0:
            return self.first
        if not isinstance(position, int) or not 0 < position <= len(self.rest):
            raise IndexError(position)
        return self.rest[position - 1]

    def __iter__(self) -> Iterator[Any]:
        return chain((self.first,), self.rest)


class _Made(Sequence[Any]):
    """A table of `_Reading` made item by item as it is read, kept nowhere."""

    __slots__ = ("make", "size")

    def __init__(self, make: Callable[[int], Any], size: int) -> None:
        self.make, self.size = make, size

    def __getitem__(self, position: Any) -> Any:
        if not isinstance(position, int) or not 0 <= position < self.size:
            raise IndexError(position)
        return self.make(position)

    def __len__(self) -> int:
        return self.size


def _reading(program: Program) -> _Reading:
    reading = program.reading
    if reading is None:
        reading = _Reading(program)
        object.__setattr__(program, "reading", reading)
    return reading  # type: ignore[no-any-return]


class _Nodes(NodeTable):
    """The scored slots of one evaluation, made into NodeResult objects as they are read."""

    __slots__ = ("program", "slots", "measured", "as_of", "notes")

    def __init__(self, program: Program, slots: SlotScores, measured: list[Value],
                 as_of: dt.date | None, notes: Mapping[str, ValueNote] | None = None) -> None:
        super().__init__(program.layout.tree)
        self.program, self.slots, self.measured, self.as_of = program, slots, measured, as_of
        # The values file's remarks and sources, by indicator id: read as each use is built
        # (every use of an indicator carries its note), never on the scoring path.
        self.notes = notes

    def get(self) -> tuple[NodeResult, ...]:
        """Every node, in one pass (what iterating a Result reads); a node read before by id
        stays the same object."""
        if self._all is None:
            built = self._built
            count = len(self.index)
            if not built:
                self._all = tuple(self._many(range(count)))
            else:
                made = iter(self._many([i for i in range(count) if i not in built]))
                self._all = tuple([built[i] if i in built else next(made)
                                   for i in range(count)])
        return self._all

    def scores(self) -> dict[str, float | None]:
        """Every node's score read straight from the slots, as `build` puts it in each
        NodeResult: the slot's number in percent, None when it is N/D, that is NaN (see
        SlotScores). The slots are picked in tree order by one C call on a list of the
        array (reading the array item by item cost twice as much)."""
        reading = _reading(self.program)
        return dict(zip(reading.ids, [number * 100.0 if number == number else None
                                      for number in reading.pick(self.slots.numbers.tolist())]))

    def statuses(self) -> dict[str, str]:
        """Every node's status read straight from the slots, as `build` gives it: "scored"
        but for the nodes of the N/D slots, a few in a monitoring."""
        reading = _reading(self.program)
        if reading.all_scored is None:  # made whole, then kept (another thread may too)
            uses: dict[int, list[str]] = {}
            for ident, slot in zip(reading.ids, reading.slots):
                uses.setdefault(slot, []).append(ident)
            reading.uses, reading.all_scored = uses, dict.fromkeys(reading.ids, "scored")
        out = reading.all_scored.copy()
        for slot, reason in self.slots.missing.items():
            for ident in reading.uses.get(slot, ()):
                out[ident] = reason.status
        return out

    def build(self, position: int) -> NodeResult:
        return self._many((position,))[0]

    def fresh(self, positions: range) -> list[NodeResult]:
        """As NodeTable.fresh, the nodes not read before in one `_many` loop."""
        built = self._built
        if self._all is not None or any(i in built for i in positions):
            return super().fresh(positions)
        return self._many(positions)

    def _many(self, positions: Iterable[int]) -> list[NodeResult]:
        """The nodes at `positions`, the cycle collector paused (`model.collector_paused`):
        the nodes, their targets and a large plan's leaves made as they are read form no
        cycle, and the collector, run every 700 new objects, would walk a large plan's
        objects again each time it reached its oldest generation, as it did while building
        and compiling (see model.collector_paused)."""
        with collector_paused():
            return self._made(positions)

    def _made(self, positions: Iterable[int]) -> list[NodeResult]:
        """The nodes at `positions`: the plain ones (see _Reading) from the slots and the
        reading's tables in one loop, the others by `general`. One loop for many nodes, not a
        call per node: what every node shares is looked up once."""
        if self.slots.adjusted is not None:
            return [self.general(position) for position in positions]
        reading = _reading(self.program)
        plain, slots, heads, places = reading.plain, reading.slots, reading.heads, reading.places
        bands = reading.lowest
        missing, numbers, measured = self.slots.missing, self.slots.numbers, self.measured
        notes = self.notes
        general, achievement, as_of = self.general, scoring.achievement, self.as_of
        scored = reading.scored
        out: list[NodeResult] = []
        put = out.append
        for position in positions:
            fast = plain[position]
            other = None
            if fast is None:
                other = scored[position]
                if other is None or (notes and other[2] in notes):  # a note is a fact
                    put(general(position))
                    continue
            slot = slots[position]
            reason = missing.get(slot)
            score: float | None = None
            band: str | None = None
            if reason is None:
                number = numbers[slot]
                score, status = number * 100.0, "scored"
                for name, lowest in bands:  # scoring.band_of, for a score
                    if number >= lowest:
                        band = name
            else:
                status = reason.status
            ident, parent, kind_name, title, code, depth, weight = heads[position]
            if other is not None:  # a deadline or a leaf rule: as `general` reads it
                index, leaf, indicator, zero = other
                value = measured[index]
                achieved = leaf_score(leaf, value, as_of)[0]
                put(NodeResult(ident, parent, kind_name, title, code, depth, weight, score,
                               status, places, indicator, leaf.indicator.unit, leaf.target,
                               value, _percent(achieved), zero + leaf_flags(leaf, achieved, value),
                               band))
                continue
            if not fast:  # a branch
                put(NodeResult(ident, parent, kind_name, title, code, depth, weight, score,
                               status, places, None, None, None, None, None,
                               _ZERO_WEIGHT if weight == 0 else (), band))
                continue
            index, kind, target, width, apart, floor, cap, flags, periodic, indicator, unit, \
                used = fast
            if notes and indicator in notes:  # a note is a fact: the general path
                put(general(position))
                continue
            value = measured[index]
            raw: float | None = None
            if value.__class__ is float:
                gap = value - target
                # scoring.achievement, with the deviation kinds' expression inlined as in the
                # hot loop (a value `apart` from its target).
                if width is not None and (gap > apart or -gap > apart):
                    raw = 1.0 + gap / width
                else:
                    raw = achievement(kind, target, value)
                # leaf_flags' order: zero_weight, capped, floored, periodic_target
                if raw > cap:
                    flags = flags + ("capped",)
                if raw < floor:
                    flags = flags + ("floored",)
                raw *= 100.0
            elif value is not None:  # a date where a number is due: refused before this
                put(general(position))
                continue
            put(NodeResult(ident, parent, kind_name, title, code, depth, weight, score, status,
                           places, indicator, unit, used, value, raw,
                           flags + periodic if periodic else flags, band))
        return out

    def general(self, position: int) -> NodeResult:
        """Any node, with every fact it may have (the plan's total, links, aggregations, leaf
        rules, deadlines, notes, the monitoring's adjustments). Its fixed fields are read from
        `_Reading.heads` and it is built with positional arguments: a dict of keyword
        arguments per node cost a third of building it."""
        program = self.program
        reading = _reading(program)
        if program.layout.roots is not None:  # the plan's total is the root, first
            if position == 0:
                return self._plan_total()
        node = reading.compiled[position - 1 if program.layout.roots is not None else position]
        slot = reading.slots[position]
        reason = self.slots.missing.get(slot)
        score: float | None = None
        band: str | None = None
        if reason is None:
            number = self.slots.numbers[slot]
            score, status = number * 100.0, "scored"
            band = scoring.band_of(number, reading.bands)
        else:
            status = reason.status
        ident, parent, kind_name, title, code, depth, weight = reading.heads[position]
        zero_weight: tuple[str, ...] = ("zero_weight",) if node.weight == 0 else ()
        facts: dict[str, Any] = {}  # what only some nodes have (result.NodeFacts)
        adjusted = self.slots.adjusted
        if adjusted is not None:
            if slot in adjusted.neutralised:
                facts["neutralised"] = adjusted.neutralised[slot].to_dict()
            elif slot in adjusted.overrides:
                given, computed = adjusted.overrides[slot], adjusted.computed[slot]
                facts["override"] = {
                    "score": given.score, "reason": given.reason, "by": given.by,
                    "computed": None if isinstance(computed, Missing) else computed * 100.0}
                zero_weight += ("overridden",)
        if node.leaf is None:
            if node.link is not None:
                facts["link"] = reading.compiled[node.link].id
            elif node.aggregation is not None and not node.aggregation.is_weighted:
                facts["aggregation"] = node.aggregation.rule.value
            return NodeResult(ident, parent, kind_name, title, code, depth, weight, score,
                              status, reading.places, None, None, None, None, None,
                              zero_weight, band, NodeFacts(**facts) if facts else NO_FACTS)
        leaf = reading.leaves[node.leaf]
        value = self.measured[node.leaf]
        # The raw achievement is worked out again here, for the nodes that are read, rather
        # than kept for every indicator on the hot path: leaf_score is its definition.
        raw = leaf_score(leaf, value, self.as_of)[0] if value is not None or leaf.due \
            is not None or leaf.missing is MissingPolicy.VALUE_ZERO else None
        # A neutralised indicator is out of the plan, and a `tbd` target scores no formula:
        # how the value would have scored is no fact.
        neutralised = "neutralised" in facts
        if neutralised or leaf.no_target is not None:
            raw = None
        flags = zero_weight if neutralised or leaf.no_target is MissingTarget.SKIP \
            else zero_weight + leaf_flags(leaf, raw, value)
        if leaf.rule is not None or leaf.indicator.baseline is not None:
            facts["points"], facts["points_max"] = leaf_points(leaf, raw)
            baseline = leaf.indicator.baseline
            facts["baseline"] = None if baseline is None else baseline.value
        if self.notes:
            written = self.notes.get(leaf.indicator.id)
            if written is not None and (written.note or written.source):
                facts["note"] = written.to_dict()
        # A leaf rule with no points table and no baseline has no facts: NO_FACTS itself.
        return NodeResult(ident, parent, kind_name, title, code, depth, weight, score, status,
                          reading.places, leaf.indicator.id, leaf.indicator.unit, leaf.target,
                          value, _percent(raw), flags, band,
                          NodeFacts(**facts) if any(v is not None for v in facts.values())
                          else NO_FACTS)

    def _plan_total(self) -> NodeResult:
        """The plan's total as a node: the root over the weighted areas, scored last."""
        program = self.program
        score = self.slots[program.layout.slots]
        aggregation = program.layout.plan_aggregation
        facts = NO_FACTS if aggregation.is_weighted \
            else NodeFacts(aggregation=aggregation.rule.value)
        return NodeResult(
            id=program.plan.id, parent=None, kind="plan", title=program.plan.title, code=None,
            depth=0, weight=None,
            score=None if isinstance(score, Missing) else score * 100.0,
            status=score.status if isinstance(score, Missing) else "scored",
            places=program.plan.policy.display_places, band=scoring.band_of(score, _reading(program).bands),
            facts=facts)


def leaf_points(leaf: Leaf, raw: float | None) -> tuple[float | None, float | None]:
    """(points, scale) of an indicator scored by a points table; (None, None) otherwise."""
    curve = leaf.rule.curve if leaf.rule is not None else None
    if curve is None or curve.kind is not scoring.CurveKind.POINTS:
        return None, None
    return (None if raw is None else scoring.table_points(curve, raw)), curve.maximum


def leaf_flags(leaf: Leaf, raw: float | None, value: Value) -> tuple[str, ...]:
    """The model.FLAGS an indicator's figure carries (zero_weight aside: it is the use's)."""
    flags: list[str] = []
    # Under a curve, floor and cap bound the curve's score, not the raw achievement.
    shaped = raw if raw is None or leaf.rule is None else scoring.curved(leaf.rule.curve, raw)
    if shaped is not None and shaped > leaf.cap:
        flags.append("capped")
    if shaped is not None and shaped < leaf.floor:
        flags.append("floored")
    if leaf.target.source == "periodic":
        flags.append("periodic_target")
    if value is None and leaf.missing is MissingPolicy.VALUE_ZERO:
        flags.append("value_zero")
    if leaf.no_target is MissingTarget.PREVIOUS:
        flags.append("previous_score")
    due = leaf.due
    if due is not None and raw is not None:
        if isinstance(value, dt.date) and value > due:
            flags.append("late")
        elif value is None:
            flags.append("missed")
    return tuple(flags)
