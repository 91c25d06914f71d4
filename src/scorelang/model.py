"""The plan as written: frozen attrs classes with source spans, no behaviour.

A `PlanDefinition` holds its periods, its scoring policy, the indicators (declared once) and the weighted
tree of areas, objectives and groups whose leaves are weighted references to indicators.
Nothing here computes a score; `engine` does. Beside the model lives what several later
stages share and must agree on: the target an indicator uses in a period (`TargetUsed`), the
flags a scored node can carry (`FLAGS`), what an advice rule may name (`FACTS`), and the
limits every number keeps (`LARGEST`, `SMALLEST`, `DIGITS`: docs/language.md#numbers), and
how the stages that make a whole plan's worth of objects at once make them
(`collector_paused`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import unicodedata
import re
from decimal import Decimal
from enum import Enum
from typing import Union
from collections.abc import Iterator

import attrs

from .diagnostics import Span
from .spans import Located, packed, span_repr


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a stage makes a whole plan's worth of objects
    (a cache entry read back, a plan compiled), then handed back as it was found.

    Those objects form no cycle, and the collector, which runs every 700 new objects, walked
    the whole growing heap again each time: the stage cost more per node the larger the plan
    (reading a cache entry of 10 000 indicators: a third of the time; compiling: 21 µs an
    indicator at 2 000, 28 at 20 000, and 18 at both with the collector paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Direction(str, Enum):
    AT_LEAST = ">="  # higher is better
    AT_MOST = "<="  # lower is better
    EQUAL = "="  # reached or not


class Formula(str, Enum):
    DEVIATION = "deviation"  # 1 ± (v − t)/|t|: the seed's, right for negative targets too
    RATIO = "ratio"  # sign-aware ratio: t/v or v/t, used by other Italian systems
    GAP = "gap"  # 1 ± (v − t)/100: the gap in percentage points (16 % against >= 22 %: 94 %)
    PROGRESS = "progress"  # (v − baseline)/(t − baseline): last year's value 0 %, target 100 %


class MissingPolicy(str, Enum):
    COUNTS_ZERO = "counts_zero"  # N/D keeps its weight and counts 0 (the seed's)
    EXCLUDED = "excluded"  # N/D is dropped and the siblings' weights re-normalised
    # Rules for the N/D value itself, before any aggregation (plan-wide or per indicator):
    VALUE_ZERO = "value_zero"  # the value is taken as 0 and scored by the formula
    ERROR = "error"  # N/D refuses to score: the evaluation fails, naming the indicator

    @property
    def for_the_value(self) -> bool:
        """Whether the policy is a rule for an indicator's N/D value (value_zero, error),
        rather than for how a parent counts an N/D child (counts_zero, excluded)."""
        return self in (MissingPolicy.VALUE_ZERO, MissingPolicy.ERROR)


class MissingTarget(str, Enum):
    """What a target written `tbd` (to be decided) does in scoring."""

    SKIP = "skip"  # left out of every parent, siblings re-weighted; status no_target
    PREVIOUS = "previous"  # the score of the previous monitoring, from the values file
    LIMIT = "limit"  # the indicator's `limits minimum` stands in as the target (SL263 without)


class Aggregate(str, Enum):
    """How a branch combines its weighted children (`aggregate NAME`)."""

    WEIGHTED = "weighted"  # Σ w·s / Σ w: the weighted mean (the seed's)
    SUM = "sum"  # Σ w·s: components with their own weights, no re-normalising
    MINIMUM = "minimum"  # the worst weighted child
    ALL_REACHED = "all_reached"  # 100 % when every weighted child reached 100 %, else 0 %
    SHARE_REACHED = "share_reached"  # Σ w of the children that reached 100 % / Σ w


class Rollup(str, Enum):
    """What a parent reads of its children's scores (`rollup NAME`, plan-wide)."""

    UNROUNDED = "unrounded"  # the exact figures (Modena)
    ROUNDED = "rounded"  # each node rounded half-up to the display places first (GZOOM)


class LateKind(str, Enum):
    ZERO = "zero"  # done after the deadline scores 0 %
    FIXED = "fixed"  # done late scores a fixed share
    LINEAR = "linear"  # done late loses score linearly over a number of days


# The classes a plan holds one of per indicator, or per use, have no weak-reference slot
# (`weakref_slot=False`): 8 bytes each, 7 MiB at 100,000 indicators with compile's own, and
# nothing takes a weak reference to them (only to a PlanDefinition, which keeps its slot).
@attrs.frozen(weakref_slot=False)
class LateRule(Located):
    kind: LateKind
    share: float = 0.0  # FIXED: the score, as a fraction
    days: int = 0  # LINEAR: days after which a late completion scores 0
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Band(Located):
    """A traffic-light band (the seed's "Valutazione ● ● ●"): scores from `lower` upwards."""

    id: str
    title: str
    colour: str
    lower: float  # fraction: 0.5 is 50 %
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Tag(Located):
    """A context label the evaluator uses to classify indicators ("Arresto attività economiche")."""

    id: str
    title: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class TagRef(Located):
    name: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Tolerance(Located):
    """`tolerance 5%` (relative to |target|) or `tolerance 0.5` (in the indicator's unit): a
    value this close to its target counts as reached."""

    value: float  # as written: 5 for 5 %
    relative: bool
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)

    def width(self, target: float) -> float:
        """The tolerance in the indicator's unit, against `target`."""
        return abs(target) * self.value / 100.0 if self.relative else self.value


@attrs.frozen(weakref_slot=False)
class Threshold(Located):
    """`threshold 60%` (below: 0 %) or `threshold 60% rescaled` (the threshold 0 %, the target
    100 %)."""

    lower: float  # fraction of the target's achievement: 0.6 is 60 %
    rescaled: bool = False
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class RangeRow(Located):
    """One row of a score table (`steps`, `points`) or of reward bands (`reward`): the one row of
    "ranges of a figure" (engine.scoring.Stretch is its compiled form, check.ranges its check).

    Figures from `lower` (None: `below upper`) up to, not including, `upper` (None: `from lower`
    on) give `start`, or `start` to `end` linearly (end None: a fixed value). The bounds are
    fractions (0.7 is 70 %): an achievement in a table, the final individual score in a reward.
    The value keeps the units it had before the two were one row: a table's as written (percent
    for steps, points for a points table), a reward's share of the bonus as a fraction."""

    lower: float | None
    upper: float | None
    start: float  # a table's score as written; a reward's share (fraction)
    end: float | None = None  # None: a fixed value
    bounds_percent: bool = True  # every bound written with `%` (a reward's always are)
    scores_percent: bool = True  # every value written with `%` (a reward's always are)
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class ScoreTable(Located):
    """`steps { ... }` (scores in percent) or `points N { ... }` (scores in points out of N)."""

    rows: tuple[RangeRow, ...]
    points: float | None = None  # the points scale's maximum; None for steps
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Limits(Located):
    """`limits minimum M maximum X excellent E`: M scores 0 %, the target 100 %, X 200 %, E 300 %."""

    minimum: float
    maximum: float
    excellent: float | None = None
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Baseline(Located):
    """`baseline B`: last year's actual, scored against by `formula progress`."""

    value: float
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Policy(Located):
    floor: float = 0.0  # fractions: 0.0 is 0 %, 1.0 is 100 %
    cap: float = 1.0
    missing: MissingPolicy = MissingPolicy.COUNTS_ZERO
    display_places: int = 2
    formula: Formula = Formula.DEVIATION
    late: LateRule = LateRule(LateKind.ZERO)
    locale: str = "en"  # how reports write numbers: "it" gives 62,96 % and 13.000.000,00 €
    # The plan-wide leaf rules (issue 19); an indicator's own replace them.
    tolerance: Tolerance | None = None
    threshold: Threshold | None = None
    table: ScoreTable | None = None
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    aggregate: Aggregate = Aggregate.WEIGHTED  # every branch's and the plan total's default
    rollup: Rollup = Rollup.UNROUNDED
    missing_target: MissingTarget | None = None  # for `tbd` targets; None: not said


@attrs.frozen
class Period(Located):
    id: str
    title: str
    ends: dt.date
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Target(Located):
    direction: Direction
    value: float
    percent: bool = False  # written with '%': the value is in percent units
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    tbd: bool = False  # written `tbd`: direction known, figure to be decided (value 0, unused)


@attrs.frozen(weakref_slot=False)
class PeriodicTarget(Located):
    period: str
    target: Target
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Deadline(Located):
    due: dt.date
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Indicator(Located):
    id: str
    title: str
    description: str | None = None
    unit: str | None = None
    target: Target | None = None
    periodic_targets: tuple[PeriodicTarget, ...] = ()
    deadline: Deadline | None = None
    # Per-indicator overrides of the plan policy; None means "as the plan says".
    formula: Formula | None = None
    floor: float | None = None
    cap: float | None = None
    late: LateRule | None = None
    tags: tuple[TagRef, ...] = ()
    tolerance: Tolerance | None = None
    threshold: Threshold | None = None
    table: ScoreTable | None = None
    limits: Limits | None = None
    baseline: Baseline | None = None
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    missing: MissingPolicy | None = None  # value_zero or error only (the others are plan-wide)
    missing_target: MissingTarget | None = None  # for its `tbd` targets; None: the policy's

    def periodic_target(self, period: str | None) -> PeriodicTarget | None:
        for periodic in self.periodic_targets:
            if periodic.period == period:
                return periodic
        return None


@attrs.frozen(weakref_slot=False)
class Weight(Located):
    percent: float  # as written: 33.34 means 33.34 %
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)

    @property
    def fraction(self) -> float:
        return self.percent / 100.0


@attrs.frozen
class AggregateSetting(Located):
    """An `aggregate NAME` line inside an area, objective or group: that node only."""

    rule: Aggregate
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Reference(Located):
    """An indicator used at one place of the tree, with the weight it has there."""

    indicator: str
    weight: Weight
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen(weakref_slot=False)
class Group(Located):
    """A titled, weighted set of children without a code (the seed's "Indicatori")."""

    title: str
    weight: Weight | None
    children: tuple[Node, ...]
    tags: tuple[TagRef, ...] = ()
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    aggregate: AggregateSetting | None = None  # None: as the policy says


@attrs.frozen(weakref_slot=False)
class Objective(Located):
    code: str
    title: str
    weight: Weight | None
    children: tuple[Node, ...]
    tags: tuple[TagRef, ...] = ()
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    aggregate: AggregateSetting | None = None  # None: as the policy says


@attrs.frozen
class Area(Located):
    code: str
    title: str
    weight: Weight | None
    children: tuple[Node, ...]
    tags: tuple[TagRef, ...] = ()
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    aggregate: AggregateSetting | None = None  # None: as the policy says


@attrs.frozen
class ScorecardItem(Located):
    """An indicator (by id) or a node of the tree (by code) in a person's scorecard."""

    weight: Weight
    indicator: str | None = None
    node: str | None = None
    label: str | None = None  # the individual objective as the scorecard names it
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Part(Located):
    """What a scorecard component is made of: the plan total (`plan`), an indicator, a node of
    the tree, or a person's behaviour ratings (`behaviours NAME`). A lone part needs no weight."""

    kind: str  # "plan", "indicator", "node" or "behaviours"
    ref: str | None  # indicator id, node code or behaviour set; None for the plan
    weight: Weight | None = None
    label: str | None = None
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Component(Located):
    """A weighted piece of an individual evaluation (the body's performance, the area's,
    the individual objectives, the behaviours): its parts' weighted mean."""

    id: str
    title: str
    weight: Weight | None  # None: taken from the scorecard's role
    parts: tuple[Part, ...]
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Scorecard(Located):
    """Individual objectives of a manager or an office, weighted (34/33/33 %) — or, when
    written with components, the individual evaluation: weighted components, optionally their
    weights from a `role`, and the reward mapping that turns the final score into a bonus."""

    id: str
    title: str
    items: tuple[ScorecardItem, ...]
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    components: tuple[Component, ...] = ()
    role: str | None = None
    reward: str | None = None  # as written in the card; else the role's
    role_span: Span | None = attrs.field(default=None, eq=False)
    reward_span: Span | None = attrs.field(default=None, eq=False)


# ---- individual evaluation: behaviours, roles, reward bands -------------------------------
@attrs.frozen
class Behaviour(Located):
    """One rated behaviour ("Capacità di problem solving") and its weight in its set."""

    id: str
    title: str
    weight: Weight
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class BehaviourSet(Located):
    """Behaviours rated per person on a scale `low to high` in steps of `step`; a rating r
    converts to r / high (4 of 5 -> 80 %), the set's score is the weighted mean."""

    id: str
    title: str
    low: float
    high: float
    step: float | None  # None: whole steps (`scale 1 to 5`); `step 0.5` allows halves
    behaviours: tuple[Behaviour, ...]
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)

    def behaviour(self, behaviour_id: str) -> Behaviour | None:
        for behaviour in self.behaviours:
            if behaviour.id == behaviour_id:
                return behaviour
        return None


@attrs.frozen
class RoleWeight(Located):
    component: str
    weight: Weight
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Role(Located):
    """Component weights declared once for every scorecard of a role (a manager: 30 % body,
    30 % area, 20 % objectives, 20 % behaviours), and the role's reward mapping."""

    id: str
    title: str
    weights: tuple[RoleWeight, ...]
    reward: str | None = None
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    reward_span: Span | None = attrs.field(default=None, eq=False)

    def weight(self, component: str) -> Weight | None:
        for entry in self.weights:
            if entry.component == component:
                return entry.weight
        return None


@attrs.frozen
class Reward(Located):
    """Reward bands (premialità): the final individual score -> the share of the bonus."""

    id: str
    title: str
    rows: tuple[RangeRow, ...]  # start/end: the share of the bonus paid (fractions)
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


# ---- advice rules ------------------------------------------------------------------------
@attrs.frozen
class Symbol(Located):
    """A fact (`raw`, `kind`) or, on the right of a comparison, a value (`indicator`)."""

    name: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Literal(Located):
    value: float
    percent: bool = False
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Text(Located):
    value: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


Operand = Union[Symbol, Literal, Text]


@attrs.frozen
class Compare(Located):
    left: Operand
    operator: str  # ==, !=, <, <=, >, >=
    right: Operand
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Tagged(Located):
    tag: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Flagged(Located):
    flag: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


@attrs.frozen
class Not:
    condition: Condition


@attrs.frozen
class All:
    conditions: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = Union[Compare, Tagged, Flagged, Not, All, AnyOf]


@attrs.frozen
class AdviceRule(Located):
    """When a scored node meets `condition`, flag it: the evaluator's advice, declared."""

    id: str
    title: str
    condition: Condition
    category: str
    severity: str
    message: str
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)
    message_span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Link(Located):
    """An objective or area defined elsewhere in the tree, counted here too with its own
    weight (`link "CODE" 30%`): scored once where it is, read here."""

    code: str
    weight: Weight
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)


Node = Union[Objective, Group, Reference, Link]
Branch = Union[Area, Objective, Group]


@attrs.frozen
class PlanDefinition(Located):
    """A plan as written: what `scorelang.Plan` (engine.plan) compiles and evaluates."""

    id: str
    title: str
    periods: tuple[Period, ...]
    policy: Policy
    indicators: tuple[Indicator, ...]
    areas: tuple[Area, ...]
    bands: tuple[Band, ...] = ()
    scorecards: tuple[Scorecard, ...] = ()
    tags: tuple[Tag, ...] = ()
    rules: tuple[AdviceRule, ...] = ()
    behaviours: tuple[BehaviourSet, ...] = ()
    roles: tuple[Role, ...] = ()
    rewards: tuple[Reward, ...] = ()
    source: str = attrs.field(default="<string>", eq=False)
    _span: Span | int | None = attrs.field(default=None, eq=False, converter=packed,
                                           repr=span_repr)

    def indicator(self, indicator_id: str) -> Indicator | None:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        return None

    def period(self, period_id: str) -> Period | None:
        for period in self.periods:
            if period.id == period_id:
                return period
        return None

    def behaviour_set(self, set_id: str) -> BehaviourSet | None:
        return next((b for b in self.behaviours if b.id == set_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def reward(self, reward_id: str) -> Reward | None:
        return next((r for r in self.rewards if r.id == reward_id), None)


def slug(title: str) -> str:
    """The id part a group takes from its title: "Obiettivi operativi" -> "obiettivi_operativi"."""
    # ASCII only, so ids are easy to type on any keyboard: "Qualità" -> "qualita".
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    out = []
    for char in plain.strip().lower():
        out.append(char if char.isalnum() else "_")
    text = "".join(out)
    while "__" in text:
        text = text.replace("__", "_")
    return text.strip("_") or "group"


@attrs.frozen(weakref_slot=False)
class Placed:
    """A tree node with the id, parent id and depth it has in the scored tree."""

    node: Area | Node
    id: str
    parent: str | None
    depth: int


def node_id(node: Area | Node, parent: str | None) -> str:
    """Areas and objectives are known by their code; groups, indicator uses and links by a
    path (a link to "803" under "301" is "301/803")."""
    if isinstance(node, (Area, Objective)):
        return node.code
    if isinstance(node, Group):
        return f"{parent}/{slug(node.title)}"
    if isinstance(node, Link):
        return f"{parent}/{node.code}"
    return f"{parent}/{node.indicator}"


def walk(plan: PlanDefinition) -> list[Placed]:
    """Every node of the tree in pre-order (a parent before its children)."""
    out: list[Placed] = []

    def visit(node: Area | Node, parent: str | None, depth: int) -> None:
        placed = Placed(node, node_id(node, parent), parent, depth)
        out.append(placed)
        if not isinstance(node, (Reference, Link)):
            for child in node.children:
                visit(child, placed.id, depth + 1)

    for area in plan.areas:
        visit(area, None, 0)
    return out


# ---- what the check, the engine and the tools share --------------------------------------------

@attrs.frozen(weakref_slot=False)
class TargetUsed:
    """The target an indicator is measured against in the period, and where it comes from."""

    # "annual", "periodic", "deadline", or "limit": the `limits minimum` standing in for a
    # target still `tbd` under `missing_target limit` (`period` then names the period whose
    # periodic target is `tbd`, if it is a periodic one)
    source: str
    direction: Direction | None = None
    value: float | None = None  # None for a deadline, and for a target written `tbd`
    due: Deadline | None = None
    period: str | None = None  # for periodic targets

    def to_dict(self) -> dict[str, object]:
        if self.due is not None:
            return {"source": "deadline", "deadline": self.due.due.isoformat()}
        # `_value_`, the member's value as Enum stores it: `.value` is a descriptor call that
        # was a tenth of a JSON report's time (once per indicator use).
        out: dict[str, object] = {"source": self.source, "direction": self.direction._value_
                                  if self.direction else None, "value": self.value}
        if self.period is not None:
            out["period"] = self.period
        return out


def target_used(indicator: Indicator, period: Period | None) -> TargetUsed:
    """In a period with a declared periodic target, that target replaces the annual one."""
    if indicator.deadline is not None:
        return TargetUsed("deadline", due=indicator.deadline)
    periodic = indicator.periodic_target(period.id if period else None)
    if periodic is not None:
        return TargetUsed("periodic", periodic.target.direction,
                          None if periodic.target.tbd else periodic.target.value,
                          period=periodic.period)
    assert indicator.target is not None, "check() guarantees a target or a deadline"
    return TargetUsed("annual", indicator.target.direction,
                      None if indicator.target.tbd else indicator.target.value)


# Facts about how a figure came about, in the order they are listed on a node: set by the
# evaluator, tested by advice rules (`flagged capped`), pinned by rule tests.
FLAGS = ("capped", "floored", "periodic_target", "late", "missed", "zero_weight", "value_zero",
         "overridden", "previous_score")

# Every fact an advice rule's condition may name: "number" facts are percentages or plain
# numbers, the others are compared with names or texts. None lists values open to the plan
# (bands, units, ...). `check` rejects any other; the engine's advice fills them in.
FACTS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "raw": ("number", None),  # achievement before floor and cap, percent
    "score": ("number", None),  # achievement after floor and cap, percent
    "gap": ("number", None),  # raw − 100: percentage points above (+) or below (−) target
    "weight": ("number", None),  # percent of the parent
    "depth": ("number", None),  # the plan's total 0, areas 1, strategic objectives 2, ...
    "status": ("name", ("scored", "missing", "not_due", "neutralised", "no_target")),
    "kind": ("name", ("plan", "area", "objective", "group", "indicator")),
    "direction": ("name", (">=", "<=", "=", "deadline")),
    "band": ("name", None),
    "unit": ("name", None),
    "period": ("name", None),
    "id": ("name", None),
    "indicator": ("name", None),
    "title": ("name", None),
    # last year's actual (engine.history): the values file's `history`, else the `baseline`
    "previous": ("number", None),  # in the indicator's unit
    "stretch": ("number", None),  # the annual target beyond it, percent of it (<= 0: not)
    "trend": ("number", None),  # the measured value beyond it, percent of it
}
SEVERITIES = ("info", "warning", "critical")
PLACEHOLDERS = frozenset(FACTS) | {"value", "target"}

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(message: str) -> list[str]:
    """The `{name}`s of a message; any other brace is plain text (check and fill agree)."""
    return PLACEHOLDER.findall(message)



# ---- numbers: the limits every figure of a plan keeps (docs/language.md#numbers) -----------
# A binary float holds any decimal of at most 15 significant digits exactly enough to give it
# back (DBL_DIG): a figure written with 15 is the float nearest to it, and reads back (repr,
# the display rounding) as written; a 16th or 17th digit may not. Within ±10^15 every figure a
# plan means keeps those digits (13.000.000.000,00 € has 13), and a figure that is not 0 is at
# least 10^-15 in size, so that no formula can overflow: deviation's (v − t)/|t| is at most
# 2·10^30, and every score stays a finite number. Values are held to the same ±10^15; they may
# be as small as they come (a ratio over a tiny value is bounded in `engine.scoring`).
DIGITS = 15
LARGEST = 1e15
SMALLEST = 1e-15
LIMITS_TEXT = "at most 15 significant digits, and 0 or between 10^-15 and 10^15 in size"


def literal_problem(text: str) -> tuple[str, str] | None:
    """Why a number written in a rule file (`-1_000.5`) is beyond the limits — (code, what is
    wrong) — or None. Judged on the digits as written, exactly (never through a float)."""
    digits = text.lstrip("+-").replace("_", "")
    significant = digits.replace(".", "").strip("0")
    # A figure of 400 digits is shown by its ends: the caret under it points at all of it.
    shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(digits)} characters)"
    if len(significant) > DIGITS:
        return "SL120", f"{shown} has {len(significant)} significant digits, more than {DIGITS}"
    size = abs(Decimal(digits))
    if size > Decimal(int(LARGEST)):
        return "SL121", f"{shown} is larger than 10^15"
    if 0 < size < Decimal(repr(SMALLEST)):
        return "SL121", f"{shown} is smaller than 10^-15 without being 0"
    return None


def number_problem(value: float) -> str | None:
    """Why a figure given as a number (a measured value, a what-if weight, a published figure)
    is beyond the limits, or None: it must be finite and within ±10^15."""
    if value != value:
        return "is not a number (NaN)"
    if abs(value) == float("inf"):
        return "is infinite"
    if abs(value) > LARGEST:
        return f"is {value:g}, beyond ±10^15"
    return None
