"""Hand-written evaluators of a plan's tree: the yardsticks scorelang is measured against.

Written the way an embedder would write them by hand, without scorelang's compiler: a plain
recursive evaluator over nested dicts, and a numpy evaluator vectorised over scenarios. They
implement the same rules as scorelang for what the Modena plan uses (deviation, `=` and ratio
targets, deadlines with the zero late rule, floor/cap, `counts_zero` or `excluded`, periodic
targets) so that their figures can be checked against scorelang's before they are timed.

Both take the tree from the plan *model* (what a hand-written tool would get from a YAML file)
and nothing from `scorelang.engine.compile` or `scorelang.engine.evaluate`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from scorelang import model

NOT_DUE = "not_due"
MISSING = "missing"


# ---------------------------------------------------------------------------------------------
# The tree as nested dicts


def tree_of(plan: model.PlanDefinition, period: str | None) -> dict[str, Any]:
    """{"policy": ..., "roots": [node, ...]}; a node is a dict with `children` or a leaf."""
    indicators = {i.id: i for i in plan.indicators}

    def leaf(ref: model.Reference, parent: str) -> dict[str, Any]:
        ind = indicators[ref.indicator]
        node: dict[str, Any] = {"id": f"{parent}/{ref.indicator}", "weight": ref.weight.percent / 100.0,
                                "indicator": ind.id, "title": ind.title,
                                "floor": plan.policy.floor if ind.floor is None else ind.floor,
                                "cap": plan.policy.cap if ind.cap is None else ind.cap,
                                "formula": (ind.formula or plan.policy.formula).value}
        if ind.deadline is not None:
            node["deadline"] = ind.deadline.due
            node["late"] = "zero"  # Modena's: tree_of reads no other late rule
            return node
        target = ind.target
        for periodic in ind.periodic_targets:
            if periodic.period == period:
                target = periodic.target
        assert target is not None
        node["direction"] = target.direction.value
        node["target"] = target.value
        return node

    def branch(node: model.Area | model.Objective | model.Group, parent: str | None) -> dict[str, Any]:
        if isinstance(node, model.Group):
            ident = f"{parent}/{model.slug(node.title)}"
        else:
            ident = node.code
        children = [leaf(c, ident) if isinstance(c, model.Reference) else branch(c, ident)
                    for c in node.children]
        weight = node.weight.percent / 100.0 if node.weight is not None else None
        return {"id": ident, "title": node.title, "weight": weight, "children": children}

    return {"missing": plan.policy.missing.value, "roots": [branch(a, None) for a in plan.areas]}


# ---------------------------------------------------------------------------------------------
# The recursive evaluator, as a student would write it: one function per leaf, one per branch,
# every node's score (a fraction) or "missing" / "not_due" in a dict.

POINT = 1e-12  # a table row's bound, reached from a hair below (float sums of percentages)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _table(rows: Sequence[tuple[Any, ...]], raw: float) -> float:
    found = None
    for lower, upper, start, end in rows:
        if lower is None or raw >= lower - POINT:
            found = (lower, upper, start, end)
    assert found is not None
    lower, upper, start, end = found
    if end is None:
        return start
    return start + (raw - lower) * (end - start) / (upper - lower)


def _formula(node: dict[str, Any], value: float) -> float:
    target, direction = node["target"], node["direction"]
    if _close(value, target):
        return 1.0
    if direction == "=":
        return 0.0
    at_least = direction == ">="
    if node["formula"] == "gap":
        return 1.0 + (value - target) / 100 if at_least else 1.0 - (value - target) / 100
    better = value >= target if at_least else value <= target
    if target == 0:
        return 1.0 if better else 0.0
    if node["formula"] == "ratio":
        if value == 0 or (value > 0) != (target > 0):
            return 1.0 if better else 0.0
        return value / target if at_least == (target > 0) else target / value
    deviation = (value - target) / abs(target)
    return 1.0 + deviation if at_least else 1.0 - deviation


def _achievement(node: dict[str, Any], value: Any, as_of: dt.date | None) -> Any:
    """A leaf's score before floor and cap (after its tolerance and curve), or why it has none."""
    if "deadline" in node:
        due = node["deadline"]
        if value is None:
            return NOT_DUE if as_of is None or as_of <= due else 0.0
        if value <= due:
            return 1.0
        late = node.get("late", "zero")
        if late == "fixed":
            return 0.5
        if late == "linear":
            return max(0.0, 1.0 - (value - due).days / 30)
        return 0.0
    if value is None:
        return MISSING
    raw = _formula(node, value)
    tolerance = node.get("tolerance")
    if tolerance and raw < 1.0:
        allowed = tolerance * abs(node["target"]) if node.get("tolerance_relative") else tolerance
        if abs(value - node["target"]) <= allowed * (1 + 1e-9) + 1e-9:
            raw = 1.0
    curve = node.get("curve")
    if curve is None:
        return raw
    if curve[0] == "threshold":
        return 0.0 if raw < curve[1] - POINT else raw
    if curve[0] == "rescaled":
        return 0.0 if raw < curve[1] - POINT else max(0.0, (raw - curve[1]) / (1 - curve[1]))
    return _table(curve[2], raw) / curve[1]  # points (out of curve[1]) or steps (out of 1)


def score_node(node: dict[str, Any], values: Mapping[str, Any], as_of: dt.date | None,
               excluded: bool, out: dict[str, Any]) -> Any:
    if "children" not in node:
        raw = _achievement(node, values.get(node["indicator"]), as_of)
        score = raw if isinstance(raw, str) else min(max(raw, node["floor"]), node["cap"])
        out[node["id"]] = score
        return score
    result = _combine([(child["weight"], score_node(child, values, as_of, excluded, out))
                       for child in node["children"]], excluded)
    out[node["id"]] = result
    return result


def _combine(children: list[tuple[float, Any]], excluded: bool) -> Any:
    """A branch's score: its children's weighted mean (N/D left out or counted 0)."""
    total = weights = scored_weights = 0.0
    reasons = set()
    for weight, score in children:
        if weight > 0:
            weights += weight
            if isinstance(score, str):
                reasons.add(score)
            else:
                total += weight * score
                scored_weights += weight
    if weights == 0:
        return MISSING
    if scored_weights == 0:
        return NOT_DUE if reasons == {NOT_DUE} else MISSING
    return total / (scored_weights if excluded else weights)


def evaluate_recursive(tree: dict[str, Any], values: Mapping[str, Any],
                       as_of: dt.date | None) -> dict[str, Any]:
    """Every node id -> its score (a fraction) or "missing" / "not_due"."""
    out: dict[str, Any] = {}
    excluded = tree["missing"] == "excluded"
    roots = tree["roots"]
    for root in roots:
        score_node(root, values, as_of, excluded, out)
    if tree.get("id") is not None:  # weighted areas: the plan's total, scorelang's first node
        out[tree["id"]] = _combine([(root["weight"], out[root["id"]]) for root in roots],
                                   excluded)
    return out


# ---------------------------------------------------------------------------------------------
# The same evaluator building JSON-shaped dicts, one per node: what `Result.to_dict()` is
# measured against (id, parent, kind, title, weight, score, display, status, depth, band; for
# a use of an indicator also the indicator, its target, value and raw achievement).


def _band(score: float, bands: Sequence[tuple[str, float]]) -> str | None:
    found = None
    for name, lower in bands:
        if score >= lower - POINT:
            found = name
    return found


def evaluate_json(tree: dict[str, Any], values: Mapping[str, Any], as_of: dt.date | None,
                  bands: Sequence[tuple[str, float]] = ()) -> dict[str, Any]:
    scores = evaluate_recursive(tree, values, as_of)
    nodes: list[dict[str, Any]] = []

    def visit(node: dict[str, Any], parent: str | None, depth: int) -> None:
        score = scores[node["id"]]
        scored = not isinstance(score, str)
        entry: dict[str, Any] = {
            "id": node["id"], "parent": parent,
            "kind": "indicator" if "children" not in node else "branch",
            "title": node.get("title"),
            "weight": None if node["weight"] is None else node["weight"] * 100,
            "score": score * 100 if scored else None,
            "display": f"{round(score * 100, 2)}" if scored else "N/D",
            "status": "scored" if scored else score, "depth": depth,
            "band": _band(score, bands) if scored else None,
        }
        if "children" in node:
            nodes.append(entry)
            for child in node["children"]:
                visit(child, node["id"], depth + 1)
            return
        value = values.get(node["indicator"])
        entry["indicator"] = node["indicator"]
        if "deadline" in node:
            entry["target_used"] = {"deadline": node["deadline"].isoformat()}
        else:
            entry["target_used"] = {"direction": node["direction"], "value": node["target"]}
        entry["value"] = value.isoformat() if isinstance(value, dt.date) else value
        entry["raw"] = entry["score"]
        nodes.append(entry)

    total = tree.get("id")
    if total is not None:  # weighted areas: the plan's total first, the areas its children
        score = scores[total]
        scored = not isinstance(score, str)
        nodes.append({"id": total, "parent": None, "kind": "plan", "title": tree.get("title"),
                      "weight": None, "score": score * 100 if scored else None,
                      "display": f"{round(score * 100, 2)}" if scored else "N/D",
                      "status": "scored" if scored else score, "depth": 0,
                      "band": _band(score, bands) if scored else None})
    for root in tree["roots"]:
        visit(root, total, 0 if total is None else 1)
    return {"nodes": nodes}


# ---------------------------------------------------------------------------------------------
# The level-wise numpy evaluator, for batches: no Python per node and scenario. The leaves are
# scored one kind at a time over a matrix (scenarios × indicator uses), the branches one level
# at a time, deepest first, by sums over each parent's run of children.


class Levelwise:
    """The plan flattened once into index arrays; `evaluate(matrix)` scores every scenario."""

    def __init__(self, tree: dict[str, Any], names: Sequence[str], as_of: dt.date | None):
        import numpy as np
        self.np = np
        column = {name: i for i, name in enumerate(names)}
        self.excluded = tree["missing"] == "excluded"
        leaves: list[dict[str, Any]] = []
        levels: list[list[tuple[int, list[tuple[int, float]]]]] = []
        ids: list[str] = []
        branch_ids: list[str] = []

        def visit(node: dict[str, Any], depth: int) -> tuple[str, int]:
            """("leaf" or "branch", index among those)."""
            if "children" not in node:
                leaves.append(node)
                ids.append(node["id"])
                return "leaf", len(leaves) - 1
            children = [(visit(child, depth + 1), child["weight"]) for child in node["children"]]
            while len(levels) <= depth:
                levels.append([])
            branch_ids.append(node["id"])
            levels[depth].append((len(branch_ids) - 1, children))  # type: ignore[arg-type]
            return "branch", len(branch_ids) - 1

        for root in tree["roots"]:
            visit(root, 0)
        self.leaf_ids, self.branch_ids = ids, branch_ids
        L = len(leaves)
        self.use_column = np.array([column[leaf["indicator"]] for leaf in leaves])
        self.floor = np.array([leaf["floor"] for leaf in leaves])
        self.cap = np.array([leaf["cap"] for leaf in leaves])
        # Leaves grouped by how they are scored: deviation / ratio / gap / reached-or-not /
        # deadline; each group's targets as a row vector.
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, leaf in enumerate(leaves):
            if "deadline" in leaf:
                key: tuple[Any, ...] = ("deadline", leaf.get("late", "zero"))
            else:
                key = (leaf["direction"], leaf["formula"] if leaf["target"] != 0 else "zero",
                       leaf.get("tolerance") is not None, leaf.get("curve") is not None)
            groups.setdefault(key, []).append(i)
        self.groups = []
        as_day = as_of.toordinal() if as_of else None
        for key, members in groups.items():
            idx = np.array(members)
            picked = [leaves[i] for i in members]
            if key[0] == "deadline":
                due = np.array([leaf["deadline"].toordinal() for leaf in picked], dtype=float)
                pending = np.array([as_day is None or as_day <= d for d in due])
                self.groups.append((key, idx, due, pending, None, None))
                continue
            target = np.array([leaf["target"] for leaf in picked])
            allowed = None
            if key[2]:
                allowed = np.array([leaf["tolerance"] * (abs(leaf["target"])
                                    if leaf.get("tolerance_relative") else 1.0)
                                    for leaf in picked])
            curves = [leaf.get("curve") for leaf in picked] if key[3] else None
            self.groups.append((key, idx, target, None, allowed, curves))
        self.leaves = L
        # Levels, deepest first: per level, every child's (kind, index) and weight, sorted by
        # parent, and where each parent's run starts.
        self.levels = []
        for depth in range(len(levels) - 1, -1, -1):
            parents, leaf_children, branch_children, weights, starts = [], [], [], [], []
            for parent, children in levels[depth]:
                starts.append(len(weights))
                parents.append(parent)
                for (what, index), weight in children:
                    leaf_children.append(index if what == "leaf" else -1)
                    branch_children.append(index if what == "branch" else -1)
                    weights.append(weight)
            self.levels.append((np.array(parents), np.array(leaf_children),
                                np.array(branch_children), np.array(weights),
                                np.array(starts)))

    def _measured(self, key: tuple[Any, ...], v: Any, target: Any, allowed: Any,
                  curves: Any) -> Any:
        np = self.np
        direction, formula = key[0], key[1]
        close = np.abs(v - target) <= np.maximum(1e-9 * np.maximum(np.abs(v), np.abs(target)),
                                                 1e-9)
        at_least = direction == ">="
        better = v >= target if at_least else v <= target
        with np.errstate(divide="ignore", invalid="ignore"):
            if direction == "=":
                raw = np.zeros_like(v)
            elif formula == "zero":
                raw = np.where(better, 1.0, 0.0)
            elif formula == "gap":
                raw = 1.0 + (v - target) / 100 if at_least else 1.0 - (v - target) / 100
            elif formula == "ratio":
                grows = at_least == (target > 0)
                ratio = np.where(grows, v / target, target / v)
                raw = np.where((v == 0) | ((v > 0) != (target > 0)),
                               np.where(better, 1.0, 0.0), ratio)
            else:
                deviation = (v - target) / np.abs(target)
                raw = 1.0 + deviation if at_least else 1.0 - deviation
        raw = np.where(close, 1.0, raw)
        if allowed is not None:
            within = np.abs(v - target) <= allowed * (1 + 1e-9) + 1e-9
            raw = np.where((raw < 1.0) & within, 1.0, raw)
        if curves is not None:
            raw = self._curves(curves, raw)
        return raw

    def _curves(self, curves: Sequence[Any], raw: Any) -> Any:
        """Curves column group by column group: threshold, rescaled, each table."""
        np = self.np
        out = raw.copy()
        kinds: dict[Any, list[int]] = {}
        for j, curve in enumerate(curves):
            kinds.setdefault(curve[0] if curve[0] in ("threshold", "rescaled") else curve,
                             []).append(j)
        for kind, cols in kinds.items():
            r = raw[:, cols]
            if kind == "threshold":
                out[:, cols] = np.where(r < 0.6 - POINT, 0.0, r)
            elif kind == "rescaled":
                out[:, cols] = np.where(r < 0.6 - POINT, 0.0, np.maximum(0.0, (r - 0.6) / 0.4))
            else:
                _, scale, rows = kind
                table = np.full(r.shape, np.nan)
                for lower, upper, start, end in rows:
                    value = start if end is None else \
                        start + (r - lower) * (end - start) / (upper - lower)
                    table = np.where(True if lower is None else r >= lower - POINT, value, table)
                out[:, cols] = table / scale
        return out

    def evaluate(self, matrix: Any) -> tuple[Any, Any, Any, Any]:
        """matrix: scenarios × indicators (NaN: N/D; deadlines as day ordinals) ->
        (leaf scores, leaf not-due mask, branch scores, branch not-due mask); NaN: N/D."""
        np = self.np
        values = matrix[:, self.use_column]
        scores = np.empty_like(values)
        not_due = np.zeros(values.shape, dtype=bool)
        for key, idx, a, pending, allowed, curves in self.groups:
            v = values[:, idx]
            absent = np.isnan(v)
            if key[0] == "deadline":
                late = (v - a) / 30
                raw = np.where(v <= a, 1.0, 0.5 if key[1] == "fixed" else
                               np.maximum(0.0, 1.0 - late) if key[1] == "linear" else 0.0)
                raw = np.where(absent, np.where(pending, np.nan, 0.0), raw)
                not_due[:, idx] = absent & pending
            else:
                raw = np.where(absent, np.nan, self._measured(key, v, a, allowed, curves))
            scores[:, idx] = raw
        np.clip(scores, self.floor, self.cap, out=scores)
        n = matrix.shape[0]
        branches = np.full((n, len(self.branch_ids)), np.nan)
        branch_not_due = np.zeros((n, len(self.branch_ids)), dtype=bool)
        for parents, leaf_children, branch_children, weights, starts in self.levels:
            is_leaf = leaf_children >= 0
            child = np.where(is_leaf[None, :], scores[:, np.maximum(leaf_children, 0)],
                             branches[:, np.maximum(branch_children, 0)])
            child_not_due = np.where(is_leaf[None, :], not_due[:, np.maximum(leaf_children, 0)],
                                     branch_not_due[:, np.maximum(branch_children, 0)])
            counted = weights > 0
            present = ~np.isnan(child) & counted
            total = np.add.reduceat(np.where(present, child * weights, 0.0), starts, axis=1)
            scored = np.add.reduceat(np.where(present, weights, 0.0), starts, axis=1)
            weight_sum = np.add.reduceat(np.where(counted, weights, 0.0), starts)
            all_pending = np.logical_and.reduceat(child_not_due | present | ~counted, starts,
                                                  axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                result = total / (scored if self.excluded else weight_sum)
            result = np.where(scored > 0, result, np.nan)
            branches[:, parents] = result
            branch_not_due[:, parents] = (scored == 0) & all_pending & (weight_sum > 0)
        return scores, not_due, branches, branch_not_due


def matrix_of_columns(columns: Mapping[str, Any], names: Sequence[str]) -> Any:
    """Float columns (NaN for N/D, day ordinals for dates) side by side."""
    import numpy as np
    return np.column_stack([columns[name] for name in names])


def matrix_of_rows(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Any:
    """Rows of values as a matrix, the conversion written plainly."""
    import numpy as np
    nan = math.nan
    return np.array([[nan if v is None else v.toordinal() if isinstance(v, dt.date) else v
                      for v in map(row.get, names)] for row in rows], dtype=float)
