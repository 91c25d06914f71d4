"""The scored tree: immutable, indexable by node id, iterable in tree order, with the JSON contract.

Scores here are percentages (62.96 means 62.96 %), unrounded; `display` gives the half-up
figure a person reads. This module formats nothing else (reports do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs

from ..diagnostics import Diagnostic
from ..model import Band, TargetUsed
from .rounding import half_up, shown

# 2: a plan whose areas are weighted has its total as the first node (kind "plan", id the
# plan's, the areas' parent; every depth one more than in 1).
FORMAT_VERSION = 2



@attrs.frozen
class NodeFacts:
    """What only some nodes of a Result have, kept in one object so that the others do not pay
    for it: every field of a frozen NodeResult is set on each node built, and reading every
    node of a plan is what reports and embedders do (docs/performance.md)."""

    # Indicators scored by a points table: the points (before floor and cap) and the scale.
    points: float | None = None
    points_max: float | None = None
    baseline: float | None = None  # last year's actual, as the plan gives it (information)
    # Branches only: their `aggregate` rule when it is not the weighted mean.
    aggregation: str | None = None
    # `link "CODE"` uses only: the id of the node read (scored where it is defined).
    link: str | None = None
    # Monitoring-time facts from the values file: {reason, act} of a neutralised node (status
    # "neutralised"); {score, computed, reason, by} of an overridden one (flag "overridden";
    # computed: percent the rules gave, None when N/D).
    neutralised: Mapping[str, str] | None = None
    override: Mapping[str, Any] | None = None
    # Indicator uses only: the values file's {note, source} beside the figure (information).
    note: Mapping[str, str] | None = None


NO_FACTS = NodeFacts()


@attrs.frozen
class NodeResult:
    id: str
    parent: str | None
    kind: str
    title: str
    code: str | None
    depth: int
    weight: float | None  # percent of the parent
    score: float | None  # percent, unrounded; None when N/D
    status: str  # "scored", "missing", "not_due" or "neutralised"
    places: int = 2
    # Indicator uses only:
    indicator: str | None = None
    unit: str | None = None
    target: TargetUsed | None = None
    value: float | dt.date | None = None
    raw: float | None = None  # percent before floor and cap
    # Facts about how the figure came about: "capped", "floored", "periodic_target",
    # "late", "missed" (deadline passed, not done), "zero_weight".
    flags: tuple[str, ...] = ()
    band: str | None = None  # the plan's traffic-light band for the score; None when N/D
    # What only some nodes have (points, baseline, aggregation, link, neutralisation,
    # override, the values file's note), read through the properties below.
    facts: NodeFacts = NO_FACTS

    @property
    def points(self) -> float | None:
        return self.facts.points

    @property
    def points_max(self) -> float | None:
        return self.facts.points_max

    @property
    def baseline(self) -> float | None:
        return self.facts.baseline

    @property
    def aggregation(self) -> str | None:
        return self.facts.aggregation

    @property
    def link(self) -> str | None:
        return self.facts.link

    @property
    def neutralised(self) -> Mapping[str, str] | None:
        return self.facts.neutralised

    @property
    def override(self) -> Mapping[str, Any] | None:
        return self.facts.override

    @property
    def note(self) -> Mapping[str, str] | None:
        """The values file's {note, source} beside an indicator's figure (either key may be
        absent); None when it has none. Every use of the indicator carries it."""
        return self.facts.note

    @property
    def display(self) -> str:
        """The score as a person reads it: half-up to the plan's places, or N/D."""
        return "N/D" if self.score is None else shown(self.score, self.places)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "parent": self.parent,
            "kind": self.kind,
            "title": self.title,
            "weight": self.weight,
            "score": self.score,
            "display": self.display,
            "status": self.status,
            "depth": self.depth,
            "flags": list(self.flags),
            "band": self.band,
        }
        if self.code is not None:
            out["code"] = self.code
        # Most nodes have no facts: then none of the keys below (read once, not per key).
        facts = self.facts
        plain = facts is NO_FACTS
        if not plain and facts.aggregation is not None:
            out["aggregation"] = facts.aggregation
        if not plain and facts.link is not None:
            out["link"] = facts.link
        if self.kind == "indicator":
            out["indicator"] = self.indicator
            out["unit"] = self.unit
            out["target_used"] = self.target.to_dict() if self.target else None
            value = self.value
            out["value"] = value.isoformat() if isinstance(value, dt.date) else value
            out["raw"] = self.raw
            if not plain:
                if facts.points_max is not None:
                    out["points"] = facts.points
                    out["points_max"] = facts.points_max
                if facts.baseline is not None:
                    out["baseline"] = facts.baseline
                note = facts.note
                if note is not None:  # both keys always there, null when not written
                    out["note"] = {"note": note.get("note"), "source": note.get("source")}
        if not plain and facts.neutralised is not None:
            out["neutralised"] = dict(facts.neutralised)
        if not plain and facts.override is not None:
            out["override"] = dict(facts.override)
        return out


@attrs.frozen
class Finding:
    """What an advice rule says about a node: category, severity and a message."""

    node: str
    rule: str
    title: str  # the rule's title
    category: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, str]:
        # attrs.asdict's order, written out: asdict cost four times as much, once per finding.
        return {"node": self.node, "rule": self.rule, "title": self.title,
                "category": self.category, "severity": self.severity, "message": self.message}


@attrs.frozen
class ScorecardEntry:
    """One individual objective of a scorecard, scored."""

    ref: str  # indicator id or node code
    kind: str  # "indicator" or "node"
    title: str
    weight: float  # percent
    score: float | None
    status: str
    band: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class RatingResult:
    """One behaviour as the evaluator rated it: the rating on the scale and its score."""

    id: str
    title: str
    weight: float  # percent of its set
    rating: float | None  # on the scale; None: not rated
    score: float | None  # percent: rating / scale top

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class PartResult:
    """One part of a component: the plan total, an indicator, a node or a behaviour set."""

    kind: str  # "plan", "indicator", "node" or "behaviours"
    ref: str | None
    title: str
    weight: float  # percent of the component
    score: float | None
    status: str
    band: str | None = None
    ratings: tuple[RatingResult, ...] = ()  # for behaviours
    scale: float | None = None  # the top of the behaviours' scale

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "ref": self.ref, "title": self.title,
                               "weight": self.weight, "score": self.score,
                               "status": self.status, "band": self.band}
        if self.kind == "behaviours":
            out["scale"] = self.scale
            out["ratings"] = [rating.to_dict() for rating in self.ratings]
        return out


@attrs.frozen
class ComponentResult:
    """A weighted component of an individual evaluation, scored from its parts."""

    id: str
    title: str
    weight: float  # percent of the final score
    score: float | None
    status: str
    parts: tuple[PartResult, ...]
    band: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "weight": self.weight, "score": self.score,
                "status": self.status, "band": self.band,
                "parts": [part.to_dict() for part in self.parts]}


@attrs.frozen
class ScorecardResult:
    id: str
    title: str
    score: float | None  # percent, unrounded: with components, the final individual score
    status: str
    entries: tuple[ScorecardEntry, ...]
    band: str | None = None
    places: int = 2
    components: tuple[ComponentResult, ...] = ()
    role: str | None = None
    reward: str | None = None  # the reward mapping's id
    reward_title: str | None = None
    reward_band: str | None = None  # the row the score fell in ("60% to 95%")
    reward_share: float | None = None  # percent of the bonus
    # that row's bounds in percent (None: open below / above), for reports in each locale
    reward_bounds: tuple[float | None, float | None] | None = None

    @property
    def display(self) -> str:
        return "N/D" if self.score is None else shown(self.score, self.places)

    @property
    def reward_display(self) -> str:
        return "N/D" if self.reward_share is None else \
            str(half_up(self.reward_share, self.places))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "score": self.score,
                               "display": self.display, "status": self.status, "band": self.band,
               "entries": [entry.to_dict() for entry in self.entries]}
        # Only cards that use them carry the individual evaluation's keys: the JSON of a
        # flat scorecard (Modena's) stays what it was.
        if self.components:
            out["role"] = self.role
            out["components"] = [component.to_dict() for component in self.components]
        if self.reward is not None:
            out["reward"] = {"id": self.reward, "title": self.reward_title,
                             "band": self.reward_band, "share": self.reward_share,
                             "display": self.reward_display}
        return out


T = TypeVar("T")


class Deferred(Generic[T]):
    """A part of a Result computed on first use, once: the evaluator scores every node, but
    builds the objects a reader looks at (scorecards, findings) only when they are read."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    def get(self) -> T:
        if self._make is not None:
            self._value = self._make()
            self._make = None
        return self._value  # type: ignore[return-value]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (or copied) as the value itself: the recipe may be a closure.
        return (_same, (self.get(),))


# A Result of up to this many nodes keeps them all once iterated; a larger one builds them
# this many at a time as they are read (NodeTable.each).
KEPT_UP_TO = 10_000
PASS = 1_000


class NodeTable:
    """A Result's nodes, built one at a time when first read (`result["301"]` builds one).

    The evaluator subclasses it with `build`; a Result made from a plain tuple of nodes never
    meets it. Either way the Result reads the same.
    """

    __slots__ = ("index", "_built", "_all")

    def __init__(self, index: Mapping[str, int]) -> None:
        self.index = index  # node id -> position in tree order
        self._built: dict[int, NodeResult] = {}
        self._all: tuple[NodeResult, ...] | None = None

    def build(self, position: int) -> NodeResult:
        raise NotImplementedError

    def node(self, position: int) -> NodeResult:
        if self._all is not None:  # every node built in one pass: the same objects
            return self._all[position]
        node = self._built.get(position)
        if node is None:
            node = self._built[position] = self.build(position)
        return node

    def get(self) -> tuple[NodeResult, ...]:
        if self._all is None:
            self._all = tuple(self.node(i) for i in range(len(self.index)))
        return self._all

    def each(self) -> Iterator[NodeResult]:
        """Every node in tree order, what iterating a Result reads. A table of up to
        `KEPT_UP_TO` nodes builds them all once and keeps them (`get`); a larger one builds
        them `PASS` at a time as they are read and keeps none it did not hold before: a report
        of 100,000 indicators reads each node once, into its own rows, and the nodes kept
        beside the rows were a fifth of the report's memory."""
        count = len(self.index)
        if self._all is not None or count <= KEPT_UP_TO:
            return iter(self.get())
        return self._passes(count)

    def _passes(self, count: int) -> Iterator[NodeResult]:
        for start in range(0, count, PASS):
            yield from self.fresh(range(start, min(start + PASS, count)))

    def fresh(self, positions: range) -> list[NodeResult]:
        """The nodes at `positions`, those read before as they were, the others built and
        not kept."""
        if self._all is not None:
            return [self._all[i] for i in positions]
        built = self._built
        return [built[i] if i in built else self.build(i) for i in positions]

    def scores(self) -> dict[str, float | None]:
        """Node id -> score, in tree order (`Result.scores`); the evaluator reads them from
        its slots, without building a node."""
        return {node.id: node.score for node in self.get()}

    def statuses(self) -> dict[str, str]:
        """Node id -> status, in tree order (`Result.statuses`)."""
        return {node.id: node.status for node in self.get()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_same, (self.get(),))


def _same(value: Any) -> Any:
    return value


def _settled(value: Any) -> Any:
    """The value a lazily built field stands for (for equality, hashing and repr)."""
    return value.get() if isinstance(value, (Deferred, NodeTable)) else value


@attrs.frozen(repr=False)
class Result:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    # tree order; built on first use (the fields below marked so, too): see `nodes`
    _nodes: tuple[NodeResult, ...] | NodeTable = attrs.field(alias="nodes", eq=_settled)
    score: float | None = None  # the plan's, when its areas are weighted
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings met while scoring (e.g. missing entries)
    _scorecards: tuple[ScorecardResult, ...] | Deferred[tuple[ScorecardResult, ...]] = \
        attrs.field(default=(), alias="scorecards", eq=_settled)
    bands: tuple[Band, ...] = ()  # the plan's bands, lowest first, for reports
    locale: str = "en"  # how the plan wants numbers written in reports
    # what the plan's advice rules say, in tree order
    _findings: tuple[Finding, ...] | Deferred[tuple[Finding, ...]] = \
        attrs.field(default=(), alias="findings", eq=_settled)
    # `rollup rounded`: the places each figure was rounded to before its parent read it
    rounded: int | None = None
    # Indicator id -> its description in the plan, for the reports' annex (information).
    descriptions: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    _index: Mapping[str, NodeResult] | None = attrs.field(init=False, default=None, repr=False,
                                                          eq=False)
    # `findings_of` and `children`, indexed on first use: asked node by node (a report's
    # tree, the summary sheet) each read the whole plan once per node, quadratic in its size.
    _findings_by_node: Mapping[str, list[Finding]] | None = attrs.field(
        init=False, default=None, repr=False, eq=False)
    _children_by_parent: Mapping[str | None, list[NodeResult]] | None = attrs.field(
        init=False, default=None, repr=False, eq=False)

    @property
    def nodes(self) -> tuple[NodeResult, ...]:
        nodes = self._nodes
        return nodes if isinstance(nodes, tuple) else nodes.get()

    @property
    def scorecards(self) -> tuple[ScorecardResult, ...]:
        cards = self._scorecards
        return cards if isinstance(cards, tuple) else cards.get()

    @property
    def findings(self) -> tuple[Finding, ...]:
        found = self._findings
        return found if isinstance(found, tuple) else found.get()

    def __repr__(self) -> str:
        fields = ("plan_id", "plan_title", "period", "as_of", "nodes", "score", "diagnostics",
                  "scorecards", "bands", "locale", "findings")
        return "Result(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in fields) + ")"

    def scores(self) -> dict[str, float | None]:
        """Every node's score, by node id in tree order: percent, unrounded (as
        `NodeResult.score`), None when the node has none (N/D, not due, neutralised...:
        `statuses` says which). The cheap way to read a whole Result: no NodeResult is built,
        so on a plan of a few hundred nodes it costs a tenth of an evaluation, where
        `[node.score for node in result]` costs several. A new dict on each call, the
        caller's to keep or change."""
        nodes = self._nodes
        if isinstance(nodes, NodeTable):
            return nodes.scores()
        return {node.id: node.score for node in nodes}

    def statuses(self) -> dict[str, str]:
        """Every node's status, by node id in tree order, as `NodeResult.status`: "scored",
        or why there is no score ("missing", "not_due", "neutralised", "no_target"). Built
        without NodeResult objects, like `scores`; a new dict on each call."""
        nodes = self._nodes
        if isinstance(nodes, NodeTable):
            return nodes.statuses()
        return {node.id: node.status for node in nodes}

    def __getitem__(self, node_id: str) -> NodeResult:
        nodes = self._nodes
        if isinstance(nodes, NodeTable):
            return nodes.node(nodes.index[node_id])
        if self._index is None:
            object.__setattr__(self, "_index", {node.id: node for node in nodes})
            assert self._index is not None
        return self._index[node_id]

    def __contains__(self, node_id: object) -> bool:
        nodes = self._nodes
        if isinstance(nodes, NodeTable):
            return node_id in nodes.index
        if self._index is None:
            object.__setattr__(self, "_index", {node.id: node for node in nodes})
            assert self._index is not None
        return node_id in self._index

    def __iter__(self) -> Iterator[NodeResult]:
        nodes = self._nodes
        return iter(nodes) if isinstance(nodes, tuple) else nodes.each()

    def __len__(self) -> int:
        nodes = self._nodes
        return len(nodes.index) if isinstance(nodes, NodeTable) else len(nodes)

    @property
    def area_depth(self) -> int:
        """The depth of the areas: 1 below the plan's total (the root node, kind "plan",
        whose id is the plan's), 0 in a plan without one (areas not weighted). A depth limit
        (`--depth`, the summary's) counts the levels from the areas down, the same in both."""
        return 1 if len(self) and self._first().kind == "plan" else 0

    def _first(self) -> NodeResult:
        """The first node in tree order (the plan's total, when it has one)."""
        nodes = self._nodes
        return nodes.node(0) if isinstance(nodes, NodeTable) else nodes[0]

    def areas(self) -> list[NodeResult]:
        """The areas, in tree order: the children of the plan's total, or the top-level nodes
        of a plan without one."""
        return [node for node in self.nodes if node.kind == "area"]

    def findings_of(self, node_id: str) -> list[Finding]:
        """What the advice rules say about one node, in the order of `findings`; a new list."""
        if self._findings_by_node is None:
            by_node: dict[str, list[Finding]] = {}
            for finding in self.findings:
                by_node.setdefault(finding.node, []).append(finding)
            object.__setattr__(self, "_findings_by_node", by_node)
            assert self._findings_by_node is not None
        return list(self._findings_by_node.get(node_id, ()))

    def children(self, node_id: str | None) -> list[NodeResult]:
        """The nodes whose parent is `node_id` (None: the top-level nodes), in tree order; a
        new list."""
        if self._children_by_parent is None:
            by_parent: dict[str | None, list[NodeResult]] = {}
            for node in self.nodes:
                by_parent.setdefault(node.parent, []).append(node)
            object.__setattr__(self, "_children_by_parent", by_parent)
            assert self._children_by_parent is not None
        return list(self._children_by_parent.get(node_id, ()))

    def to_dataframe(self) -> Any:
        """Every node as a row of a pandas DataFrame, in tree order, indexed by node id:
        parent, kind, code, title, depth, weight, score (percent, NaN for N/D), display,
        status, band, flags (comma-separated), and for indicator uses indicator, unit, value
        (a number or a completion date), direction, target, target_source, due, raw, and the
        values file's note and source. Needs pandas (the `pandas` extra)."""
        from .frames import result_frame

        return result_frame(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of the scored plan (`FORMAT_VERSION`), described by
        docs/schemas/score.schema.json."""
        whole, nodes = self.to_dict_parts()
        whole["nodes"] = list(nodes)
        return whole

    def to_dict_parts(self) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
        """`to_dict` in two parts, for a writer that takes the nodes one at a time
        (report.json): the whole dict with "nodes" empty (in its place), and each node's dict,
        made as it is read."""
        whole = {
            "format_version": FORMAT_VERSION,
            "plan": {"id": self.plan_id, "title": self.plan_title, "score": self.score},
            "period": self.period,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "nodes": [],
            "findings": [f.to_dict() for f in self.findings],
            "scorecards": [card.to_dict() for card in self.scorecards],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
        return whole, self._node_dicts()

    def _node_dicts(self) -> Iterator[dict[str, Any]]:
        # Iterated, not `self.nodes`: a Result of more than KEPT_UP_TO nodes builds them a
        # pass at a time and keeps none, so its NodeResults are not held beside their dicts.
        for node in self:
            out = node.to_dict()
            out["findings"] = [f.to_dict() for f in self.findings_of(node.id)]
            yield out
