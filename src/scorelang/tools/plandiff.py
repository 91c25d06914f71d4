"""The plan diff: what changed between two versions of a plan, by ids and codes, not by lines.

The Giunta approves a re-modulated plan; the act must say what changed. `plan_diff` compares
two plan models and lists, in the order a reviewer reads them: the plan's own settings, the
policy, periods, bands and tags; each indicator's declaration (target, periodic targets,
direction, formula, deadline, floor and cap, tolerance, tables, missing-value rules, …); the
tree, node by node (added, removed, moved to a new parent, re-titled, re-aggregated) with the
weights of each parent's children compared together, so that a weight set or a node dropped is
shown with the siblings re-aligned in proportion; the scorecards, advice rules and the
individual evaluation's declarations. The plan's total is a node of the diff (`TOTAL`): the
parent of the areas.

With values, `plan_diff` also scores both plans on the same monitoring: the plan's total and
every node whose score moved, before and after, and — for the changes that can be applied to
the old plan by themselves — each change's own effect on the plan's total (`Change.effect`).
Nothing here formats a figure for people: `report.plandiff` does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

import attrs

from .. import model
from ..api import loads
from ..check.checks import check
from ..diagnostics import Diagnostic, ScorelangError, warning
from ..engine import scoring
from ..engine.plan import Plan
from ..engine.result import Result
from ..engine.values import Values

# The node of the diff that stands for the plan's total: the parent of the areas.
TOTAL = "plan"

# What a change is about, in the order the report lists them.
SUBJECTS = ("plan", "policy", "period", "band", "tag", "indicator", "node", "weights",
            "scorecard", "rule", "behaviours", "role", "reward")


@attrs.frozen
class ScoreChange:
    """A score that differs between the two plans on the same values (percent, unrounded)."""

    node: str
    title: str
    old: float | None
    new: float | None
    old_status: str
    new_status: str

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Weight:
    """One child's weight in a weight change: `old` None for a child added, `new` None for a
    child removed (percent, as written)."""

    node: str
    title: str
    old: float | None
    new: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "title": self.title, "old": self.old, "new": self.new}


@attrs.frozen
class Change:
    """One difference between the two plans.

    `subject` is what it is about (SUBJECTS), `id` its id (a node id, an indicator id, a period,
    `TOTAL` for the plan's total), `kind` one of added, removed, moved, changed, weights.
    A `changed` change names the `field` and its `old` and `new` text, written as the rule file
    writes it (`>= 300`, `25%`, `2020-10-31`); `added` and `removed` carry the weight or the
    title in `new`/`old`. A `weights` change (subject `weights`, `id` the parent) lists the
    weights that were set, added or removed (`weights`) and the siblings that followed in
    proportion (`realigned`). `kept_in`: for an indicator use removed, where the indicator is
    still used. `effect`, with values: the plan's total and the areas whose score moves when
    this change alone is applied to the old plan; None when not computed or not separable."""

    subject: str
    id: str
    kind: str
    title: str = ""
    field: str | None = None
    old: str | None = None
    new: str | None = None
    weights: tuple[Weight, ...] = ()
    realigned: tuple[Weight, ...] = ()
    kept_in: tuple[str, ...] = ()
    effect: tuple[ScoreChange, ...] | None = None
    below: int = 0  # a branch added or removed: the nodes under it, added or removed with it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"subject": self.subject, "id": self.id, "kind": self.kind,
                               "title": self.title}
        if self.field is not None:
            out["field"] = self.field
        if self.kind in ("changed", "moved", "added", "removed"):
            out["old"], out["new"] = self.old, self.new
        if self.kind == "weights":
            out["weights"] = [w.to_dict() for w in self.weights]
            out["realigned"] = [w.to_dict() for w in self.realigned]
        if self.kept_in:
            out["kept_in"] = list(self.kept_in)
        if self.below:
            out["below"] = self.below
        out["effect"] = None if self.effect is None else [e.to_dict() for e in self.effect]
        return out


@attrs.frozen
class PlanDiff:
    """Two plans compared: their changes and, with values, the scores that move."""

    old_plan: str
    old_title: str
    new_plan: str
    new_title: str
    locale: str
    changes: tuple[Change, ...]
    scored: bool = False  # values were given: `scores` and each change's `effect`
    period: str | None = None
    as_of: dt.date | None = None
    scores: tuple[ScoreChange, ...] = ()  # the plan's total first, then tree order
    removed_nodes: tuple[str, ...] = ()  # scored nodes of the old plan the new one lacks
    added_nodes: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def equal(self) -> bool:
        return not self.changes

    @property
    def exit_code(self) -> int:
        """0 when the plans say the same, 1 when they differ (as `diff`, `fmt --check`)."""
        return 0 if self.equal else 1


# ---- writing model pieces as the rule file does ------------------------------------------------
def number(value: float) -> str:
    """A figure as a rule file writes it: 300, 33.34, -17.82 (no exponent, no trailing .0)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def _percent(fraction: float) -> str:
    return f"{number(round(fraction * 100, 10))}%"


def _target(target: model.Target) -> str:
    figure = "tbd" if target.tbd else number(target.value) + ("%" if target.percent else "")
    return f"{target.direction.value} {figure}"


def _late(rule: model.LateRule) -> str:
    if rule.kind is model.LateKind.FIXED:
        return _percent(rule.share)
    if rule.kind is model.LateKind.LINEAR:
        return f"linear {rule.days} days"
    return str(rule.kind.value)


def _row(row: model.RangeRow, percent: bool, verb: str = "scores", scale: float = 1.0) -> str:
    """A row of a score table (`scores`, its value as written) or of a reward (`pays`, its
    share a fraction: `scale` 100)."""
    def bound(value: float | None) -> str:
        assert value is not None  # bounds are fractions, whether written with % or not
        return number(round(value * 100, 10)) + ("%" if row.bounds_percent else "")
    if row.lower is None:
        where = f"below {bound(row.upper)}"
    elif row.upper is None:
        where = f"from {bound(row.lower)}"
    else:
        where = f"{bound(row.lower)} to {bound(row.upper)}"
    sign = "%" if row.scores_percent and percent else ""
    value = number(round(row.start * scale, 10)) + sign
    if row.end is not None:
        value += f" to {number(round(row.end * scale, 10))}" + sign
    return f"{where} {verb} {value}"


def _table(table: model.ScoreTable) -> str:
    head = "steps" if table.points is None else f"points {number(table.points)}"
    return head + " { " + "; ".join(_row(r, table.points is None) for r in table.rows) + " }"


def written(value: Any) -> str | None:
    """Any piece of a plan model as the rule file would write it; None for 'not given'."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, model.Target):
        return _target(value)
    if isinstance(value, model.PeriodicTarget):
        return _target(value.target)
    if isinstance(value, model.Deadline):
        return value.due.isoformat()
    if isinstance(value, model.LateRule):
        return _late(value)
    if isinstance(value, model.Tolerance):
        return number(value.value) + ("%" if value.relative else "")
    if isinstance(value, model.Threshold):
        return _percent(value.lower) + (" rescaled" if value.rescaled else "")
    if isinstance(value, model.ScoreTable):
        return _table(value)
    if isinstance(value, model.Limits):
        text = f"minimum {number(value.minimum)} maximum {number(value.maximum)}"
        return text + (f" excellent {number(value.excellent)}" if value.excellent is not None
                       else "")
    if isinstance(value, model.Baseline):
        return number(value.value)
    if isinstance(value, model.Weight):
        return f"{number(value.percent)}%"
    if isinstance(value, model.AggregateSetting):
        return value.rule.value
    if isinstance(value, tuple):
        return ", ".join(written(v) or "" for v in value) if value else None
    if isinstance(value, model.TagRef):
        return value.name
    return condition_text(value) if _is_condition(value) else repr(value)


def _is_condition(value: Any) -> bool:
    return isinstance(value, (model.Compare, model.Tagged, model.Flagged, model.Not, model.All,
                              model.AnyOf))


def condition_text(condition: model.Condition) -> str:
    """An advice rule's condition as written (brackets around each `or` inside an `and`)."""
    if isinstance(condition, model.Compare):
        return f"{_operand(condition.left)} {condition.operator} {_operand(condition.right)}"
    if isinstance(condition, model.Tagged):
        return f"tagged {condition.tag}"
    if isinstance(condition, model.Flagged):
        return f"flagged {condition.flag}"
    if isinstance(condition, model.Not):
        inner = condition_text(condition.condition)
        simple = isinstance(condition.condition, (model.Compare, model.Tagged, model.Flagged,
                                                  model.Not))
        return f"not {inner}" if simple else f"not ({inner})"
    if isinstance(condition, model.All):
        return " and ".join(f"({condition_text(c)})" if isinstance(c, model.AnyOf)
                            else condition_text(c) for c in condition.conditions)
    return " or ".join(condition_text(c) for c in condition.conditions)


def _operand(operand: model.Operand) -> str:
    if isinstance(operand, model.Symbol):
        return operand.name
    if isinstance(operand, model.Text):
        return f'"{operand.value}"'
    return number(operand.value) + ("%" if operand.percent else "")


# ---- comparing ------------------------------------------------------------------------------
def _fields(old: Any, new: Any, names: Iterable[str], subject: str, ident: str, title: str
            ) -> list[Change]:
    """A `changed` change for each named field whose written form differs."""
    out = []
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if name in _FRACTIONS:  # held as fractions, written in percent
            before = None if a is None else _percent(a)
            after = None if b is None else _percent(b)
        else:
            before, after = written(a), written(b)
        if before != after:
            out.append(Change(subject, ident, "changed", title, name, before, after))
    return out


# Fields the model holds as fractions (0.5) that the rule file writes in percent (50%).
_FRACTIONS = frozenset({"floor", "cap", "lower"})


def _by_id(items: Iterable[Any], key: Callable[[Any], str] = lambda item: item.id
           ) -> dict[str, Any]:
    return {key(item): item for item in items}


def _declarations(subject: str, old: Iterable[Any], new: Iterable[Any], names: Sequence[str],
                  key: Callable[[Any], str] = lambda item: item.id) -> list[Change]:
    """Added, removed and changed declarations of one kind, matched by id."""
    before, after = _by_id(old, key), _by_id(new, key)
    out: list[Change] = []
    for ident, item in before.items():
        if ident not in after:
            out.append(Change(subject, ident, "removed", getattr(item, "title", "") or ""))
    for ident, item in after.items():
        if ident not in before:
            out.append(Change(subject, ident, "added", getattr(item, "title", "") or ""))
        else:
            out += _fields(before[ident], item, names, subject, ident,
                           getattr(item, "title", "") or "")
    return out


_POLICY_FIELDS = ("floor", "cap", "missing", "missing_target", "display_places", "formula",
                  "late", "locale", "tolerance", "threshold", "table", "aggregate", "rollup")
_INDICATOR_FIELDS = ("title", "description", "unit", "direction", "target", "deadline",
                     "formula", "floor", "cap", "late", "tolerance", "threshold", "table",
                     "limits", "baseline", "missing", "missing_target", "tags")


@attrs.frozen
class _IndicatorView:
    """An indicator's fields as a reviewer names them: the direction apart from the figure."""

    indicator: model.Indicator

    def __getattr__(self, name: str) -> Any:
        if name == "direction":
            target = self.indicator.target
            return target.direction if target is not None else None
        return getattr(self.indicator, name)


def _indicators(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    out: list[Change] = []
    before, after = _by_id(old.indicators), _by_id(new.indicators)
    for ident, indicator in before.items():
        if ident not in after:
            out.append(Change("indicator", ident, "removed", indicator.title))
    for ident, indicator in after.items():
        if ident not in before:
            out.append(Change("indicator", ident, "added", indicator.title))
            continue
        was = before[ident]
        out += _fields(_IndicatorView(was), _IndicatorView(indicator), _INDICATOR_FIELDS,
                       "indicator", ident, indicator.title)
        periods = [p.period for p in was.periodic_targets] + \
            [p.period for p in indicator.periodic_targets if was.periodic_target(p.period) is None]
        for period in periods:
            a = written(was.periodic_target(period))
            b = written(indicator.periodic_target(period))
            if a != b:
                out.append(Change("indicator", ident, "changed", indicator.title,
                                  f"periodic {period}", a, b))
    return out


def _placed(plan: model.PlanDefinition) -> dict[str, model.Placed]:
    return {placed.id: placed for placed in model.walk(plan)}


def _title(node: model.Area | model.Node, plan: model.PlanDefinition) -> str:
    if isinstance(node, model.Reference):
        indicator = plan.indicator(node.indicator)
        return indicator.title if indicator is not None else node.indicator
    if isinstance(node, model.Link):
        return f"link {node.code}"
    return node.title


def _weight(node: model.Area | model.Node) -> float | None:
    weight = node.weight
    return None if weight is None else weight.percent


def _local(placed: model.Placed) -> tuple[str, str]:
    """What a node is called under its parent, for pairing a node that moved: an objective
    keeps its code anywhere; a group its title, a use its indicator, a link its code."""
    node = placed.node
    if isinstance(node, model.Reference):
        return "use", node.indicator
    if isinstance(node, model.Link):
        return "link", node.code
    if isinstance(node, model.Group):
        return "group", model.slug(node.title)
    return type(node).__name__.lower(), node.code


def _moves(old: dict[str, model.Placed], new: dict[str, model.Placed]) -> dict[str, str]:
    """Old id -> new id of every node that moved to another parent (and of its subtree, for a
    group whose path changed with it). Coded nodes keep their id; a group, a use or a link
    that disappears at one place and appears at another, alone of its name, has moved."""
    moved: dict[str, str] = {}
    gone = [p for i, p in old.items() if i not in new]
    came = [p for i, p in new.items() if i not in old]
    for placed in gone:
        # a descendant of a moved group: its path moved with it
        prefix = next((o for o in moved if placed.id.startswith(o + "/")), None)
        if prefix is not None:
            candidate = moved[prefix] + placed.id[len(prefix):]
            if candidate in new and candidate not in old:
                moved[placed.id] = candidate
                continue
        twins = [p for p in came if _local(p) == _local(placed)]
        gone_twins = [p for p in gone if _local(p) == _local(placed)]
        if len(twins) == 1 and len(gone_twins) == 1 and twins[0].id not in moved.values():
            moved[placed.id] = twins[0].id
    return moved


def _tree(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    """The tree, in the new plan's order: nodes added, removed, moved and changed, and each
    parent's weights compared together."""
    before, after = _placed(old), _placed(new)
    moved = _moves(before, after)
    back = {n: o for o, n in moved.items()}
    out: list[Change] = []
    gone = [i for i in before if i not in after and i not in moved]
    for ident in _tops(before, gone):
        placed = before[ident]
        out.append(Change("node", ident, "removed", _title(placed.node, old),
                          old=written(placed.node.weight),
                          kept_in=_kept_in(placed.node, new, after),
                          below=sum(1 for i in gone if _under(before, i, ident))))
    came = [i for i in after if back.get(i, i) not in before]
    tops = set(_tops(after, came))
    for ident, placed in after.items():
        was_id = back.get(ident, ident)
        was = before.get(was_id)
        title = _title(placed.node, new)
        if was is None:
            if ident in tops:
                out.append(Change("node", ident, "added", title,
                                  new=written(placed.node.weight),
                                  below=sum(1 for i in came if _under(after, i, ident))))
            continue
        if was.parent != placed.parent or was_id != ident:
            out.append(Change("node", ident, "moved", title, "parent", was.parent or TOTAL,
                              placed.parent or TOTAL))
        if not isinstance(placed.node, (model.Reference, model.Link)):
            assert not isinstance(was.node, (model.Reference, model.Link))
            out += _fields(was.node, placed.node, ("title", "aggregate", "tags"), "node",
                           ident, title)
    out += _weight_groups(old, new, before, after, moved)
    return out


def _under(placed: Mapping[str, model.Placed], ident: str, ancestor: str) -> bool:
    """Whether node `ident` lies below `ancestor` (objectives are known by code, not path)."""
    parent = placed[ident].parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = placed[parent].parent
    return False


def _tops(placed: Mapping[str, model.Placed], idents: Sequence[str]) -> list[str]:
    """The nodes of a set whose parent is not in it too (a branch added or removed whole)."""
    inside = set(idents)
    return [i for i in idents if placed[i].parent not in inside]


def _kept_in(node: model.Area | model.Node, new: model.PlanDefinition,
             after: Mapping[str, model.Placed]) -> tuple[str, ...]:
    """Where an indicator whose use was removed is still used in the new plan."""
    if not isinstance(node, model.Reference):
        return ()
    places = [i for i, p in after.items() if isinstance(p.node, model.Reference)
              and p.node.indicator == node.indicator]
    places += [f"scorecard:{card.id}" for card in new.scorecards
               if any(item.indicator == node.indicator for item in card.items)]
    return tuple(places)


def _children(plan: model.PlanDefinition, placed: Mapping[str, model.Placed]
              ) -> dict[str, list[str]]:
    """Parent id (TOTAL for the areas) -> its weighted children's ids, in order."""
    out: dict[str, list[str]] = {TOTAL: []}
    for ident, node in placed.items():
        out.setdefault(node.parent or TOTAL, []).append(ident)
        out.setdefault(ident, [])
    return out


def _weight_groups(old: model.PlanDefinition, new: model.PlanDefinition,
                   before: Mapping[str, model.Placed], after: Mapping[str, model.Placed],
                   moved: Mapping[str, str]) -> list[Change]:
    old_children, new_children = _children(old, before), _children(new, after)
    out = []
    for parent, children in new_children.items():
        if parent != TOTAL and parent not in after:
            continue
        was_parent = next((o for o, n in moved.items() if n == parent), parent)
        if was_parent not in old_children or (parent != TOTAL and was_parent not in before):
            continue  # a parent added: its children are added with it
        was_children = {moved.get(c, c): c for c in old_children[was_parent]}
        entries: list[tuple[str, str, float | None, float | None]] = []
        for child in children:
            title = _title(after[child].node, new)
            if child in was_children:
                entries.append((child, title, _weight(before[was_children[child]].node),
                                _weight(after[child].node)))
            else:
                entries.append((child, title, None, _weight(after[child].node)))
        for child, was in was_children.items():
            if child not in children:
                entries.append((child, _title(before[was].node, old),
                                _weight(before[was].node), None))
        title = new.title if parent == TOTAL else _title(after[parent].node, new)
        group = weight_group(parent, title, entries)
        if group is not None:
            out.append(group)
    return out


# A re-aligned weight is within a hundredth of its exact proportional share (docs/whatif.md §3).
_HUNDREDTH = 0.01 + 1e-9


def weight_group(parent: str, title: str,
                 entries: Sequence[tuple[str, str, float | None, float | None]]
                 ) -> Change | None:
    """The weights of one parent's children compared: which were set, added or removed, and
    which siblings followed in proportion. None when no weight changed. `entries` are
    (id, title, old weight, new weight), None for a child absent on that side."""
    changed = [(i, t, a, b) for i, t, a, b in entries
               if a is None or b is None or not math.isclose(a, b, abs_tol=1e-9)]
    changed = [e for e in changed if not (e[2] is None and e[3] is None)]
    if not changed:
        return None
    structural = [e for e in changed if e[2] is None or e[3] is None]
    common = [e for e in changed if e[2] is not None and e[3] is not None]
    # The siblings on both sides whose weight did not move: a re-alignment scaled them too,
    # by a ratio its rounding to the hundredth hid (0.29 % x 1.008 is still 0.29 %).
    kept = [e for e in entries if e[2] is not None and e[3] is not None and e not in changed]
    cause: list[tuple[str, str, float | None, float | None]]
    if structural:
        cause, followers = structural, common
        if followers and not _proportional(followers + kept):
            cause, followers = structural + common, []
    elif len(common) == 1:
        cause, followers = common, []
    else:
        odd = [e for e in common if _proportional([o for o in common if o is not e] + kept)]
        if len(odd) == 1:
            cause, followers = odd, [e for e in common if e is not odd[0]]
        else:
            cause, followers = common, []
    order = {e[0]: n for n, e in enumerate(entries)}

    def weights(items: Sequence[tuple[str, str, float | None, float | None]]
                ) -> tuple[Weight, ...]:
        return tuple(Weight(i, t, a, b) for i, t, a, b in sorted(items, key=lambda e: order[e[0]]))
    return Change("weights", parent, "weights", title, weights=weights(cause),
                  realigned=weights(followers))


def _proportional(entries: Sequence[tuple[str, str, float | None, float | None]]) -> bool:
    """Whether the weights moved together in one proportion, to the hundredth the re-alignment
    rounds to (docs/whatif.md §3); siblings all at 0 % share equally. `entries` are all the
    siblings re-aligned, those the rounding left where they were too: the ratio is the whole
    re-alignment's (of the moved ones alone, with equal weights rounded apart, it was not)."""
    if not entries:
        return False
    old = sum(e[2] or 0.0 for e in entries)
    new = sum(e[3] or 0.0 for e in entries)
    if old == 0:
        return len({round(e[3] or 0.0, 1) for e in entries}) == 1
    ratio = new / old
    return all(abs((e[3] or 0.0) - (e[2] or 0.0) * ratio) <= _HUNDREDTH for e in entries)


def _card_key(item: model.ScorecardItem) -> str:
    return item.indicator if item.indicator is not None else f"objective {item.node}"


def _scorecards(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    out = _declarations("scorecard", old.scorecards, new.scorecards, ("title", "role", "reward"))
    before = _by_id(old.scorecards)
    for card in new.scorecards:
        was = before.get(card.id)
        if was is None:
            continue
        ident = f"scorecard:{card.id}"
        items_before = {_card_key(i): i for i in was.items}
        items_after = {_card_key(i): i for i in card.items}
        entries: list[tuple[str, str, float | None, float | None]] = []
        for key, item in items_after.items():
            label = item.label or key
            old_item = items_before.get(key)
            entries.append((f"{ident}/{key}", label,
                            old_item.weight.percent if old_item else None, item.weight.percent))
        for key, item in items_before.items():
            if key not in items_after:
                entries.append((f"{ident}/{key}", item.label or key, item.weight.percent, None))
        for key, item in items_after.items():
            old_item = items_before.get(key)
            if old_item is not None and old_item.label != item.label:
                out.append(Change("scorecard", f"{ident}/{key}", "changed", card.title,
                                  "label", old_item.label, item.label))
        group = weight_group(ident, card.title, entries)
        if group is not None:
            out.append(group)
        components_before = _by_id(was.components)
        for component in card.components:
            old_component = components_before.get(component.id)
            where = f"{ident}/{component.id}"
            if old_component is None:
                out.append(Change("scorecard", where, "added", component.title))
                continue
            out += _fields(old_component, component, ("title", "weight"), "scorecard", where,
                           component.title)
            if _parts(old_component) != _parts(component):
                out.append(Change("scorecard", where, "changed", component.title, "parts",
                                  _parts(old_component), _parts(component)))
        after_ids = {c.id for c in card.components}
        out += [Change("scorecard", f"{ident}/{c.id}", "removed", c.title)
                for c in was.components if c.id not in after_ids]
    return out


def _parts(component: model.Component) -> str:
    return ", ".join(" ".join(x for x in (part.kind, part.ref or "", written(part.weight) or "")
                              if x) for part in component.parts)


def _plan_fields(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    out = []
    for name in ("id", "title"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(Change("plan", TOTAL, "changed", new.title, name, a, b))
    out += _fields(old.policy, new.policy, _POLICY_FIELDS, "policy", "policy", new.title)
    return out


def _rules(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    return _declarations("rule", old.rules, new.rules,
                         ("title", "condition", "category", "severity", "message"))


def _prefixed(owner: str, field: str) -> Callable[[Any], str]:
    """The key of an entry of a declaration (a behaviour, a role's weight): `owner/name`."""
    def key(item: Any) -> str:
        return f"{owner}/{getattr(item, field)}"
    return key


def _individual(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    out = _declarations("behaviours", old.behaviours, new.behaviours,
                        ("title", "low", "high", "step"))
    for behaviour_set in new.behaviours:
        was = old.behaviour_set(behaviour_set.id)
        if was is not None:
            out += _declarations("behaviours", was.behaviours, behaviour_set.behaviours,
                                 ("title", "weight"), key=_prefixed(behaviour_set.id, "id"))
    out += _declarations("role", old.roles, new.roles, ("title", "reward"))
    for role in new.roles:
        was_role = old.role(role.id)
        if was_role is not None:
            out += _declarations("role", was_role.weights, role.weights, ("weight",),
                                 key=_prefixed(role.id, "component"))
    out += _declarations("reward", old.rewards, new.rewards, ("title",))
    for reward in new.rewards:
        was_reward = old.reward(reward.id)
        if was_reward is not None:
            a = "; ".join(_row(r, True, "pays", 100.0) for r in was_reward.rows)
            b = "; ".join(_row(r, True, "pays", 100.0) for r in reward.rows)
            if a != b:
                out.append(Change("reward", reward.id, "changed", reward.title, "rows", a, b))
    return out


def compare_plans(old: model.PlanDefinition, new: model.PlanDefinition) -> list[Change]:
    """Every difference between two plan models, in the report's order (SUBJECTS), tree
    changes in the new plan's order."""
    changes = (_plan_fields(old, new)
               + _declarations("period", old.periods, new.periods, ("title", "ends"))
               + _declarations("band", old.bands, new.bands, ("title", "colour", "lower"))
               + _declarations("tag", old.tags, new.tags, ("title",))
               + _indicators(old, new) + _tree(old, new) + _scorecards(old, new)
               + _rules(old, new) + _individual(old, new))
    rank = {subject: n for n, subject in enumerate(SUBJECTS)}
    return sorted(changes, key=lambda c: rank[c.subject])  # stable: each kind keeps its order


# ---- scores --------------------------------------------------------------------------------
def _scored(plan: Plan, values: Values, period: str | None, as_of: dt.date | None) -> Result:
    """`values` scored by `plan`, keeping only what the plan declares (a diff's new plan may
    have dropped indicators the monitoring still reports, as `whatif` does)."""
    declared = {i.id for i in plan.definition.indicators}
    known = declared | {placed.id for placed in model.walk(plan.definition)}
    fitted = attrs.evolve(
        values, values={k: v for k, v in values.values.items() if k in declared},
        neutralised={k: v for k, v in values.neutralised.items() if k in known},
        overrides={k: v for k, v in values.overrides.items() if k in known},
        previous={k: v for k, v in values.previous.items() if k in declared})
    return plan.evaluate(fitted, period=period, as_of=as_of)


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not scoring.equal(a, b)


def score_changes(before: Result, after: Result, old_title: str, new_title: str
                  ) -> list[ScoreChange]:
    """The plan's total, then every node and scorecard (in the new plan's order) whose score
    or status differs."""
    out = [ScoreChange(TOTAL, new_title or old_title, before.score, after.score,
                       "scored" if before.score is not None else "missing",
                       "scored" if after.score is not None else "missing")]
    for node in after:
        # The total, when the areas are weighted, is a node too: it is the first row already.
        if node.id not in before or node.kind == "plan":
            continue
        was = before[node.id]
        if _differs(was.score, node.score) or was.status != node.status:
            out.append(ScoreChange(node.id, node.title, was.score, node.score, was.status,
                                   node.status))
    cards = {card.id: card for card in before.scorecards}
    for card in after.scorecards:
        was_card = cards.get(card.id)
        if was_card is not None and (_differs(was_card.score, card.score)
                                     or was_card.status != card.status):
            out.append(ScoreChange(f"scorecard:{card.id}", card.title, was_card.score,
                                   card.score, was_card.status, card.status))
    return out


def _with_indicator(plan: model.PlanDefinition, indicator: model.Indicator
                    ) -> model.PlanDefinition:
    found = [indicator if i.id == indicator.id else i for i in plan.indicators]
    if plan.indicator(indicator.id) is None:
        found.append(indicator)
    return attrs.evolve(plan, indicators=tuple(found))


def _with_children(plan: model.PlanDefinition, new: model.PlanDefinition, parent: str
                   ) -> model.PlanDefinition:
    """The old plan with one parent's children as the new plan has them: its children kept
    with their old subtrees and new weights, the added ones as the new plan writes them (with
    the declarations of the indicators they use, when the old plan lacks them)."""
    new_placed = _placed(new)
    wanted = [p for p in new_placed.values() if (p.parent or TOTAL) == parent]
    old_placed = _placed(plan)
    children: list[Any] = []
    needed: list[model.Indicator] = []
    for placed in wanted:
        was = old_placed.get(placed.id)
        if was is not None and type(was.node) is type(placed.node):
            kept: Any = was.node  # the old subtree, with the new weight
            children.append(attrs.evolve(kept, weight=placed.node.weight))
            continue
        children.append(placed.node)
        for inner in [placed] + [p for i, p in new_placed.items()
                                 if i.startswith(placed.id + "/")]:
            if isinstance(inner.node, model.Reference) and \
                    plan.indicator(inner.node.indicator) is None:
                indicator = new.indicator(inner.node.indicator)
                if indicator is not None:
                    needed.append(indicator)
    for indicator in needed:
        plan = _with_indicator(plan, indicator)
    if parent == TOTAL:
        return attrs.evolve(plan, areas=tuple(children))

    def rebuilt(node: Any) -> Any:
        if isinstance(node, (model.Reference, model.Link)):
            return node
        code = getattr(node, "code", None)
        if code == parent:
            return attrs.evolve(node, children=tuple(children))
        return attrs.evolve(node, children=tuple(rebuilt(c) for c in node.children))
    target = old_placed.get(parent)
    if target is None:
        raise KeyError(parent)
    if not isinstance(target.node, (model.Area, model.Objective)):
        # a group: found by its path, rebuilt on the way down
        def by_path(node: Any, parent_id: str | None) -> Any:
            if isinstance(node, (model.Reference, model.Link)):
                return node
            ident = model.node_id(node, parent_id)
            if ident == parent:
                return attrs.evolve(node, children=tuple(children))
            return attrs.evolve(node, children=tuple(by_path(c, ident) for c in node.children))
        return attrs.evolve(plan, areas=tuple(by_path(a, None) for a in plan.areas))
    return attrs.evolve(plan, areas=tuple(rebuilt(a) for a in plan.areas))


def _alone(change: Change, old: model.PlanDefinition, new: model.PlanDefinition
           ) -> model.PlanDefinition | None:
    """The old plan with this one change made, or None when it cannot be made alone (a move,
    a declaration that adds or removes nothing the scores read, a scorecard's change)."""
    if change.subject == "indicator" and change.kind == "changed":
        indicator = new.indicator(change.id)
        return None if indicator is None else _with_indicator(old, indicator)
    if change.subject == "weights" and not change.id.startswith("scorecard:"):
        return _with_children(old, new, change.id)
    if change.subject == "node" and change.kind == "changed" and change.field == "aggregate":
        return _with_node_field(old, new, change.id, "aggregate")
    if change.subject == "policy" and change.field is not None:
        setting: dict[str, Any] = {change.field: getattr(new.policy, change.field)}
        return attrs.evolve(old, policy=attrs.evolve(old.policy, **setting))
    return None


def _with_node_field(old: model.PlanDefinition, new: model.PlanDefinition, ident: str,
                     field: str) -> model.PlanDefinition | None:
    wanted = _placed(new).get(ident)
    if wanted is None:
        return None
    value = getattr(wanted.node, field)

    def rebuilt(node: Any, parent_id: str | None) -> Any:
        if isinstance(node, (model.Reference, model.Link)):
            return node
        here = model.node_id(node, parent_id)
        node = attrs.evolve(node, children=tuple(rebuilt(c, here) for c in node.children))
        return attrs.evolve(node, **{field: value}) if here == ident else node
    return attrs.evolve(old, areas=tuple(rebuilt(a, None) for a in old.areas))


def _effect(change: Change, old: Plan, new: Plan, before: Result, values: Values,
            period: str | None, as_of: dt.date | None) -> tuple[ScoreChange, ...] | None:
    """The plan's total and the areas whose score moves with this change alone; None when
    not separable, or when the old plan with it alone is not a valid plan."""
    try:
        alone = _alone(change, old.definition, new.definition)
    except KeyError:
        return None
    if alone is None or any(d.is_error for d in check(alone)):
        return None
    try:
        after = _scored(Plan(alone), values, period, as_of)
    except ScorelangError:
        return None
    moved = score_changes(before, after, old.title, old.title)
    return tuple(s for s in moved if s.node == TOTAL and _differs(s.old, s.new)
                 or s.node in after and after[s.node].depth == after.area_depth
                 and after[s.node].kind == "area")


def plan_diff(old: Plan, new: Plan, values: Values | None = None, period: str | None = None,
              as_of: dt.date | None = None) -> PlanDiff:
    """Compare two plans; with `values`, score both on them (the plan's total, the nodes that
    move, each separable change's own effect on the total)."""
    a, b = old.definition, new.definition
    changes = compare_plans(a, b)
    notes: list[Diagnostic] = []
    if a.id != b.id:
        notes.append(warning("SL810", f"comparing plan `{a.id}` with plan `{b.id}`: different "
                             "plan ids", None, "a diff is meant for two versions of one plan; "
                             "nodes are matched by code and id all the same"))
    locale = b.policy.locale
    if values is None:
        return PlanDiff(a.id, a.title, b.id, b.title, locale, tuple(changes),
                        diagnostics=tuple(notes))
    chosen = period or values.period
    before = _scored(old, values, chosen, as_of)
    after = _scored(new, values, chosen, as_of)
    seen = {d.headline() for d in notes}
    for diagnostic in before.diagnostics + after.diagnostics:
        if diagnostic.headline() not in seen:
            seen.add(diagnostic.headline())
            notes.append(diagnostic)
    changes = [attrs.evolve(c, effect=_effect(c, old, new, before, values, chosen, as_of))
               for c in changes]
    return PlanDiff(a.id, a.title, b.id, b.title, locale, tuple(changes), True,
                    after.period, after.as_of,
                    tuple(score_changes(before, after, a.title, b.title)),
                    tuple(n.id for n in before if n.id not in after),
                    tuple(n.id for n in after if n.id not in before), tuple(notes))


def diff_texts(old_text: str, old_name: str, new_text: str, new_name: str,
               values: Values | None = None, period: str | None = None,
               as_of: dt.date | None = None) -> PlanDiff:
    """`plan_diff` of two rule texts (each loaded and checked: CheckError when one is not a
    valid plan)."""
    return plan_diff(loads(old_text, old_name), loads(new_text, new_name), values, period, as_of)
