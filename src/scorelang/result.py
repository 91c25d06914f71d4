"""The scored tree: immutable, indexable by node id, iterable in tree order, with the JSON contract.

Scores here are percentages (62.96 means 62.96 %), unrounded; `display` gives the half-up
figure a person reads. This module formats nothing else (reports do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .compile import TargetUsed
from .diagnostics import Diagnostic
from .model import Band
from .rounding import half_up

FORMAT_VERSION = 1

# Facts about how a figure came about, in the order they are listed on a node.
FLAGS = ("capped", "floored", "periodic_target", "late", "missed", "zero_weight")


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
    status: str  # "scored", "missing" or "not_due"
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

    @property
    def display(self) -> str:
        """The score as a person reads it: half-up to the plan's places, or N/D."""
        return "N/D" if self.score is None else str(half_up(self.score, self.places))

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
        if self.kind == "indicator":
            out["indicator"] = self.indicator
            out["unit"] = self.unit
            out["target_used"] = self.target.to_dict() if self.target else None
            out["value"] = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
            out["raw"] = self.raw
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
        return attrs.asdict(self)


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
class ScorecardResult:
    id: str
    title: str
    score: float | None  # percent, unrounded
    status: str
    entries: tuple[ScorecardEntry, ...]
    band: str | None = None
    places: int = 2

    @property
    def display(self) -> str:
        return "N/D" if self.score is None else str(half_up(self.score, self.places))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": self.score,
                "display": self.display, "status": self.status, "band": self.band,
                "entries": [entry.to_dict() for entry in self.entries]}


@attrs.frozen
class Result:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    nodes: tuple[NodeResult, ...]  # tree order
    score: float | None = None  # the plan's, when its areas are weighted
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings met while scoring (e.g. missing entries)
    scorecards: tuple[ScorecardResult, ...] = ()
    bands: tuple[Band, ...] = ()  # the plan's bands, lowest first, for reports
    locale: str = "en"  # how the plan wants numbers written in reports
    findings: tuple[Finding, ...] = ()  # what the plan's advice rules say, in tree order
    _index: Mapping[str, NodeResult] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {node.id: node for node in self.nodes})

    def __getitem__(self, node_id: str) -> NodeResult:
        return self._index[node_id]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def __iter__(self) -> Iterator[NodeResult]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def findings_of(self, node_id: str) -> list[Finding]:
        return [f for f in self.findings if f.node == node_id]

    def children(self, node_id: str | None) -> list[NodeResult]:
        return [node for node in self.nodes if node.parent == node_id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "plan": {"id": self.plan_id, "title": self.plan_title, "score": self.score},
            "period": self.period,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "nodes": [dict(node.to_dict(), findings=[f.to_dict() for f in self.findings_of(node.id)])
                      for node in self.nodes],
            "findings": [f.to_dict() for f in self.findings],
            "scorecards": [card.to_dict() for card in self.scorecards],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
