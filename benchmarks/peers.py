"""The general-purpose rule engines an embedder might reach for, given the same tree.

Each entry of PEERS takes the tree of `baselines.tree_of`, the monitoring date and which nodes
to score, and returns a function values -> {node id: score fraction}, or raises ImportError
when the engine is not installed (`pip install '.[bench]'`). Scoring "areas" writes one
expression per area; scoring "every" node — what `plan.evaluate` gives and a monitoring report
shows — writes one rule whose value is the list of every node's expression (one call into the
engine; a node's expression contains its subtree, as these languages have no variables to
share it). Both are written in the engine's own language (JSONLogic for datalogic-py, ZEN
expressions for zen-engine), with the
plan's rules: deviation, `=` and zero targets, floor and cap, deadlines (dates as day numbers,
late = 0), N/D counting 0 with its weight (`counts_zero`). These languages have no "N/D" value
that aggregation absorbs, so a wholly N/D branch scores 0 instead of N/D: that changes no area's
score under `counts_zero`, which is what is compared. The conversion of the values (dates to day
numbers) is part of each timed call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

Evaluate = Callable[[Mapping[str, Any]], dict[str, Any]]


# ---------------------------------------------------------------------------------------------
# One small expression tree, printed in each language


def expression(node: dict[str, Any], as_of: dt.date | None) -> tuple:
    """("num", x) | ("var", name) | ("null?", e) | (op, a, b) | ("if", c, a, b) | ("min"/"max", a, b)."""
    if "children" not in node:
        return _leaf(node, as_of)
    weighted = [c for c in node["children"] if c["weight"] > 0]
    if not weighted:
        return ("num", 0.0)
    total: tuple = ("*", ("num", weighted[0]["weight"]), expression(weighted[0], as_of))
    for child in weighted[1:]:
        total = ("+", total, ("*", ("num", child["weight"]), expression(child, as_of)))
    return ("/", total, ("num", sum(c["weight"] for c in weighted)))


def _leaf(node: dict[str, Any], as_of: dt.date | None) -> tuple:
    name = ("var", node["indicator"])
    if "deadline" in node:
        reached: tuple = ("if", ("<=", name, ("num", float(node["deadline"].toordinal()))),
                          ("num", 1.0), ("num", 0.0))
    else:
        target, direction = float(node["target"]), node["direction"]
        if node["formula"] != "deviation":
            raise ImportError("the peers' encoding covers the deviation formula only")
        if direction == "=":
            reached = ("if", ("==", name, ("num", target)), ("num", 1.0), ("num", 0.0))
        elif target == 0:
            reached = ("if", (">=" if direction == ">=" else "<=", name, ("num", 0.0)),
                       ("num", 1.0), ("num", 0.0))
        else:
            deviation = ("/", ("-", name, ("num", target)), ("num", abs(target)))
            reached = ("+" if direction == ">=" else "-", ("num", 1.0), deviation)
    bounded = ("min", ("max", reached, ("num", node["floor"])), ("num", node["cap"]))
    return ("if", ("null?", name), ("num", 0.0), bounded)


def jsonlogic(e: tuple) -> Any:
    kind = e[0]
    if kind == "num":
        return e[1]
    if kind == "var":
        return {"var": e[1]}
    if kind == "null?":
        return {"===": [jsonlogic(e[1]), None]}  # strict: 0 == null in datalogic
    if kind == "if":
        return {"if": [jsonlogic(e[1]), jsonlogic(e[2]), jsonlogic(e[3])]}
    return {kind: [jsonlogic(e[1]), jsonlogic(e[2])]}


def zen_text(e: tuple) -> str:
    kind = e[0]
    if kind == "num":
        return f"({e[1]!r})"
    if kind == "var":
        return e[1]
    if kind == "null?":
        return f"({zen_text(e[1])} == null)"
    if kind == "if":
        return f"({zen_text(e[1])} ? {zen_text(e[2])} : {zen_text(e[3])})"
    if kind in ("min", "max"):
        return f"{kind}([{zen_text(e[1])}, {zen_text(e[2])}])"
    return f"({zen_text(e[1])} {kind} {zen_text(e[2])})"


def expressions(tree: dict[str, Any], as_of: dt.date | None, nodes: str
                ) -> dict[str, tuple]:
    """node id -> expression, for the areas or for every node (in tree order)."""
    out: dict[str, tuple] = {}

    def visit(node: dict[str, Any]) -> None:
        out[node["id"]] = expression(node, as_of)
        for child in node.get("children", ()):
            visit(child)
    for root in tree["roots"]:
        if nodes == "areas":
            out[root["id"]] = expression(root, as_of)
        else:
            visit(root)
    return out


def _data(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.toordinal() if isinstance(v, dt.date) else v for k, v in values.items()}


# ---------------------------------------------------------------------------------------------


def _datalogic(tree: dict[str, Any], as_of: dt.date | None, nodes: str) -> Evaluate:
    import datalogic_py
    engine = datalogic_py.Engine()
    found = expressions(tree, as_of, nodes)
    ids = list(found)
    rule = engine.compile(json.dumps([jsonlogic(e) for e in found.values()]))

    def evaluate(values: Mapping[str, Any]) -> dict[str, Any]:
        return dict(zip(ids, rule.evaluate(_data(values))))
    return evaluate


def _zen(tree: dict[str, Any], as_of: dt.date | None, nodes: str) -> Evaluate:
    import zen
    found = expressions(tree, as_of, nodes)
    ids = list(found)
    rule = zen.compile_expression("[" + ", ".join(zen_text(e) for e in found.values()) + "]")

    def evaluate(values: Mapping[str, Any]) -> dict[str, Any]:
        return dict(zip(ids, rule.evaluate(_data(values))))
    return evaluate


PEERS: dict[str, Callable[[dict[str, Any], dt.date | None, str], Evaluate]] = {
    "datalogic-py": _datalogic,
    "zen-engine": _zen,
}
