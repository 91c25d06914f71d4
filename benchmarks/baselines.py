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
                                "indicator": ind.id,
                                "floor": plan.policy.floor if ind.floor is None else ind.floor,
                                "cap": plan.policy.cap if ind.cap is None else ind.cap,
                                "formula": (ind.formula or plan.policy.formula).value}
        if ind.deadline is not None:
            node["deadline"] = ind.deadline.due
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
        return {"id": ident, "weight": weight, "children": children}

    return {"missing": plan.policy.missing.value, "roots": [branch(a, None) for a in plan.areas]}


# ---------------------------------------------------------------------------------------------
# The recursive evaluator: one value per node, a float (fraction) or "missing" / "not_due"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _achievement(node: dict[str, Any], value: Any, as_of: dt.date | None) -> Any:
    if "deadline" in node:
        due = node["deadline"]
        if value is None:
            return NOT_DUE if as_of is None or as_of <= due else 0.0
        return 1.0 if value <= due else 0.0
    if value is None:
        return MISSING
    target, direction = node["target"], node["direction"]
    if direction == "=":
        return 1.0 if _close(value, target) else 0.0
    better = value >= target if direction == ">=" else value <= target
    if target == 0 or _close(value, target):
        return 1.0 if better or _close(value, target) else 0.0
    if node["formula"] == "ratio":
        if value == 0 or (value > 0) != (target > 0):
            return 1.0 if better else 0.0
        return value / target if (direction == ">=") == (target > 0) else target / value
    deviation = (value - target) / abs(target)
    return 1.0 + deviation if direction == ">=" else 1.0 - deviation


def score_node(node: dict[str, Any], values: Mapping[str, Any], as_of: dt.date | None,
               excluded: bool, out: dict[str, Any]) -> Any:
    if "children" not in node:
        raw = _achievement(node, values.get(node["indicator"]), as_of)
        score = raw if isinstance(raw, str) else min(max(raw, node["floor"]), node["cap"])
        out[node["id"]] = score
        return score
    total = weights = scored_weights = 0.0
    reasons = set()
    for child in node["children"]:
        score = score_node(child, values, as_of, excluded, out)
        weight = child["weight"]
        if weight > 0:
            weights += weight
            if isinstance(score, str):
                reasons.add(score)
            else:
                total += weight * score
                scored_weights += weight
    if weights == 0:
        result: Any = MISSING
    elif scored_weights == 0:
        result = NOT_DUE if reasons == {NOT_DUE} else MISSING
    else:
        result = total / (scored_weights if excluded else weights)
    out[node["id"]] = result
    return result


def evaluate_recursive(tree: dict[str, Any], values: Mapping[str, Any],
                       as_of: dt.date | None) -> dict[str, Any]:
    """Every node id -> its score (a fraction) or "missing" / "not_due"."""
    out: dict[str, Any] = {}
    excluded = tree["missing"] == "excluded"
    for root in tree["roots"]:
        score_node(root, values, as_of, excluded, out)
    return out


# ---------------------------------------------------------------------------------------------
# The numpy evaluator: one array per node over all scenarios (NaN = N/D)


def columns_of(scenarios: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """Rows of values -> one float column per indicator (dates as ordinals, NaN for N/D)."""
    import numpy as np
    nan = float("nan")
    out = {}
    for name in names:
        column = [s.get(name) for s in scenarios]
        out[name] = np.array([nan if v is None else v.toordinal() if isinstance(v, dt.date) else v
                              for v in column], dtype=float)
    return out


def evaluate_numpy(tree: dict[str, Any], columns: Mapping[str, Any], as_of: dt.date | None,
                   size: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(node id -> score array, node id -> not-due mask); deadline columns hold ordinals."""
    import numpy as np
    scores: dict[str, Any] = {}
    not_due: dict[str, Any] = {}
    excluded = tree["missing"] == "excluded"
    as_of_ordinal = as_of.toordinal() if as_of else None

    def leaf(node: dict[str, Any]) -> Any:
        v = columns.get(node["indicator"])
        if v is None:
            v = np.full(size, np.nan)
        absent = np.isnan(v)
        if "deadline" in node:
            due = node["deadline"].toordinal()
            raw = np.where(v <= due, 1.0, 0.0)
            pending = as_of_ordinal is None or as_of_ordinal <= due
            raw = np.where(absent, np.nan if pending else 0.0, raw)
            scores[node["id"]] = np.minimum(np.maximum(raw, node["floor"]), node["cap"])
            not_due[node["id"]] = absent & pending
            return scores[node["id"]]
        target, direction = node["target"], node["direction"]
        close = np.abs(v - target) <= np.maximum(1e-9 * np.maximum(np.abs(v), abs(target)), 1e-9)
        if direction == "=":
            raw = np.where(close, 1.0, 0.0)
        else:
            better = v >= target if direction == ">=" else v <= target
            if target == 0:
                raw = np.where(better | close, 1.0, 0.0)
            elif node["formula"] == "ratio":
                with np.errstate(divide="ignore", invalid="ignore"):
                    grows = (direction == ">=") == (target > 0)
                    ratio = v / target if grows else target / v
                raw = np.where((v == 0) | ((v > 0) != (target > 0)), np.where(better, 1.0, 0.0), ratio)
                raw = np.where(close, 1.0, raw)
            else:
                deviation = (v - target) / abs(target)
                raw = np.where(close, 1.0, 1.0 + deviation if direction == ">=" else 1.0 - deviation)
        raw = np.where(absent, np.nan, raw)
        scores[node["id"]] = np.minimum(np.maximum(raw, node["floor"]), node["cap"])
        not_due[node["id"]] = np.zeros(size, dtype=bool)
        return scores[node["id"]]

    def branch(node: dict[str, Any]) -> Any:
        total = np.zeros(size)
        scored_weights = np.zeros(size)
        all_not_due = np.ones(size, dtype=bool)
        weights = 0.0
        for child in node["children"]:
            s = branch(child) if "children" in child else leaf(child)
            w = child["weight"]
            if w > 0:
                weights += w
                present = ~np.isnan(s)
                total += np.where(present, w * s, 0.0)
                scored_weights += np.where(present, w, 0.0)
                all_not_due &= not_due[child["id"]] | present
        if weights == 0:
            result = np.full(size, np.nan)
            not_due[node["id"]] = np.zeros(size, dtype=bool)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                result = np.where(scored_weights > 0,
                                  total / (scored_weights if excluded else weights), np.nan)
            not_due[node["id"]] = (scored_weights == 0) & all_not_due
        scores[node["id"]] = result
        return result

    for root in tree["roots"]:
        branch(root)
    return scores, not_due
