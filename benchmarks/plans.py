"""Realistic generated plans for the benchmark of issue 15, as rule text and as a plain tree.

`generate(indicators, seed)` writes a plan of that many indicators with the mix a real SMVP
has, so that no measure stays on the evaluator's fast path by construction:

- every direction and formula: `>=` and `<=` under deviation, ratio and gap; `=` targets with
  and without a tolerance; zero targets; a tolerance on some `>=` targets; thresholds (plain and
  rescaled), `steps` and `points` tables;
- periodic targets (a fifth of the measured indicators: the H1 monitoring uses them);
- deadlines under each late rule (zero, a fixed 50 %, linear over 30 days), met, met late,
  missed, and not yet due, at the monitoring date;
- N/D for a tenth of the measured values, a twentieth exactly on target;
- 0 % weights for a few children, 4 to 6 levels (areas, objectives, groups, objectives,
  groups, then the indicators' uses), and a twentieth of the uses sharing an indicator that
  is used elsewhere too.

The same plan comes back as `tree`: nested dicts, what a hand-written tool would hold (the
yardsticks of `baselines.py` score it), with each leaf's target for the period already chosen.
Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from typing import Any

import attrs

PERIOD = "H1"
AS_OF = dt.date(2026, 6, 30)
FLOOR, CAP = 0.0, 1.2

POINTS_ROWS = ((None, 0.76, 0.0, None), (0.76, 0.90, 15.0, 18.0), (0.90, 1.0, 19.0, 20.0),
               (1.0, None, 20.0, None))
POINTS_TEXT = """  points 20 {
    below 76% scores 0
    76% to 90% scores 15 to 18
    90% to 100% scores 19 to 20
    from 100% scores 20
  }"""
STEPS_ROWS = ((None, 0.70, 0.0, None), (0.70, 0.90, 0.5, None), (0.90, None, 1.0, None))
STEPS_TEXT = """  steps {
    below 70% scores 0%
    70% to 90% scores 50%
    from 90% scores 100%
  }"""

# (share, what): the mix of indicator kinds, by share of the indicators.
MIX = (
    (0.20, "at_least"), (0.09, "at_most"), (0.12, "at_least_ratio"), (0.07, "at_most_ratio"),
    (0.04, "at_least_gap"), (0.02, "at_most_gap"), (0.05, "exactly"),
    (0.04, "exactly_tolerance"), (0.03, "zero"), (0.06, "tolerance"), (0.03, "threshold"),
    (0.02, "rescaled"), (0.03, "points"), (0.02, "steps"), (0.18, "deadline"),
)


@attrs.frozen
class Generated:
    text: str  # the rule file
    values: dict[str, Any]  # indicator id -> float, date or None, in declaration order
    tree: dict[str, Any]  # {"missing", "roots": [...]} (see the module docstring)
    indicators: int
    nodes: int

    def values_yaml(self) -> str:
        """The values as a monitoring's values file (what `load_values` reads)."""
        lines = ["plan: generated", f"period: {PERIOD}", f"as_of: {AS_OF.isoformat()}",
                 "values:"]
        for name, value in self.values.items():
            shown = "null" if value is None else value.isoformat() \
                if isinstance(value, dt.date) else repr(value)
            lines.append(f"  {name}: {shown}")
        return "\n".join(lines) + "\n"


def _kinds(rng: random.Random, count: int) -> Iterator[str]:
    shares = [share for share, _ in MIX]
    names = [name for _, name in MIX]
    for _ in range(count):
        yield rng.choices(names, shares)[0]


def _number(rng: random.Random) -> float:
    """A target as plans write them: whole numbers mostly, some with one or two decimals."""
    roll = rng.random()
    if roll < 0.6:
        return float(rng.randrange(5, 2000))
    if roll < 0.9:
        return rng.randrange(50, 9000) / 10
    return rng.randrange(100, 9999) / 100


def _text_number(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


def _indicator(rng: random.Random, index: int, kind: str) -> tuple[list[str], dict[str, Any],
                                                                    Any]:
    """(text lines, leaf fields of the tree, the H1 value)."""
    name = f"i{index}"
    lines = [f'indicator {name} "Indicatore {index}" {{']
    leaf: dict[str, Any] = {"indicator": name, "floor": FLOOR, "cap": CAP, "formula": "deviation"}
    if rng.random() < 0.05:  # an indicator of its own bounds
        leaf["cap"] = 1.0
        lines.append("  cap 100%")
    if kind == "deadline":
        due = AS_OF + dt.timedelta(days=rng.randrange(-170, 180))
        leaf["deadline"] = due
        lines.append(f"  deadline {due.isoformat()}")
        late = rng.choice(("zero", "fixed", "linear"))
        leaf["late"] = late
        if late == "fixed":
            lines.append("  late 50%")
        elif late == "linear":
            lines.append("  late linear 30 days")
        roll = rng.random()
        if due <= AS_OF:
            if roll < 0.4:  # met
                value: Any = due - dt.timedelta(days=rng.randrange(0, 20))
            elif roll < 0.7:  # late
                value = min(AS_OF, due + dt.timedelta(days=rng.randrange(1, 40)))
                if value == due:
                    value = None
            else:  # missed
                value = None
        else:
            value = None if roll < 0.6 else AS_OF - dt.timedelta(days=rng.randrange(0, 30))
        lines.append("}")
        return lines, leaf, value
    direction = ">="
    target = _number(rng)
    if kind in ("at_most", "at_most_ratio", "at_most_gap"):
        direction = "<="
    elif kind in ("exactly", "exactly_tolerance"):
        direction = "="
    if kind.endswith("_ratio"):
        leaf["formula"] = "ratio"
        lines.append("  formula ratio")
    elif kind.endswith("_gap"):
        leaf["formula"] = "gap"
        target = float(rng.randrange(5, 95))
        lines.append("  formula gap")
    if kind == "zero":
        direction = rng.choice((">=", "<="))
        target = 0.0
    annual = target
    periodic = kind not in ("zero",) and rng.random() < 0.2
    if periodic:
        target = annual / 2 if annual == int(annual) and annual % 2 == 0 else annual
    lines.insert(1, f"  target {direction} {_text_number(annual)}")
    if periodic:
        lines.insert(2, f"  periodic {PERIOD} {direction} {_text_number(target)}")
    leaf["direction"], leaf["target"] = direction, target
    if kind == "exactly_tolerance":
        leaf["tolerance"] = 1.0
        lines.append("  tolerance 1")
    elif kind == "tolerance":
        leaf["tolerance"] = 0.05  # relative: 5 % of |t|
        leaf["tolerance_relative"] = True
        lines.append("  tolerance 5%")
    elif kind in ("threshold", "rescaled"):
        leaf["curve"] = (kind, 0.6)
        lines.append("  threshold 60%" + (" rescaled" if kind == "rescaled" else ""))
    elif kind == "points":
        leaf["curve"] = ("points", 20.0, POINTS_ROWS)
        lines.extend(POINTS_TEXT.splitlines())
    elif kind == "steps":
        leaf["curve"] = ("steps", 1.0, STEPS_ROWS)
        lines.extend(STEPS_TEXT.splitlines())
    lines.append("}")
    roll = rng.random()
    if roll < 0.10:
        value = None  # N/D
    elif roll < 0.15:
        value = target  # exactly on target
    elif direction == "=":
        value = target + rng.choice((-2.0, -0.5, 0.5, 3.0))
    elif target == 0:
        value = float(rng.randrange(-3, 4))
    else:
        value = round(target * rng.uniform(0.4, 1.5), 2)
    return lines, leaf, value


def _weights(rng: random.Random, count: int) -> list[int]:
    """Hundredths of a percent summing to 10 000; now and then a child weighs 0 %."""
    zero = [count > 2 and rng.random() < 0.04 for _ in range(count)]
    if all(zero):
        zero[0] = False
    live = [i for i in range(count) if not zero[i]]
    raw = [rng.uniform(1, 3) for _ in live]
    out = [0] * count
    total = sum(raw)
    for i, r in zip(live, raw):
        out[i] = int(10_000 * r / total)
    out[live[-1]] += 10_000 - sum(out)
    return out


def _percent(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}%" if hundredths % 100 else \
        f"{hundredths // 100}%"


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for p in range(parts):
        end = start + size + (1 if p < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def generate(indicators: int, seed: int = 15) -> Generated:
    rng = random.Random(seed * 1_000_003 + indicators)
    out = [f'plan generated "Piano generato ({indicators} indicatori)" {{',
           '  period H1 "Monitoraggio intermedio" ends 2026-06-30',
           '  period Y "Consuntivo" ends 2026-12-31',
           "  policy {", "    floor 0%", "    cap 120%", "    missing counts_zero",
           "    locale it", "  }",
           '  band critico "Critico" colour "#c0392b" from 0%', '  band parziale "Parziale" colour "#f0ad4e" from 50%',
           '  band raggiunto "Raggiunto" colour "#2e8b57" from 80%', "}"]
    leaves: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for index, kind in enumerate(_kinds(rng, indicators)):
        lines, leaf, value = _indicator(rng, index, kind)
        out.extend(lines)
        leaves.append(leaf)
        values[leaf["indicator"]] = value
    # The uses: every indicator once, in order, and a twentieth again somewhere else.
    uses = list(range(indicators))
    for _ in range(indicators // 20):
        where = rng.randrange(len(uses))
        uses.insert(where, rng.randrange(indicators))
    areas = max(2, min(10, round(math.sqrt(indicators) / 4)))
    codes = iter(range(10**9))
    nodes = 0

    def branch(level: int, depth: int, chunk: list[int], parent: str | None) -> dict[str, Any]:
        """A branch at `level` (1 = area) of a subtree whose leaves hang at level `depth` + 1."""
        nonlocal nodes
        nodes += 1
        is_group = level in (3, 5)
        code = next(codes)
        if is_group:
            title = f"Gruppo {code}"
            ident = f"{parent}/gruppo_{code}"
            head = f'group "{title}"'
        else:
            word = "area" if level == 1 else "objective"
            title = ("Area " if level == 1 else "Obiettivo ") + str(code)
            ident = f"{'A' if level == 1 else 'O'}{code}"
            head = f'{word} "{ident}" "{title}"'
        node: dict[str, Any] = {"id": ident, "title": title, "head": head, "children": []}
        if level == depth:  # the indicators' uses, no indicator twice in one branch
            seen: set[int] = set()
            for use in chunk:
                if use in seen:
                    continue
                seen.add(use)
                nodes += 1
                leaf = dict(leaves[use])
                leaf["id"] = f"{ident}/i{use}"
                node["children"].append(leaf)
        else:
            left = depth - level + 1  # levels below this one, the leaves' included
            fan = max(2, round(len(chunk) ** (1 / left)))
            node["children"] = [branch(level + 1, depth, part, ident)
                                for part in _split(chunk, fan)]
        return node

    roots = []
    for part in _split(uses, areas):
        roots.append(branch(1, rng.choice((3, 4, 5)), part, None))

    def weigh(siblings: list[dict[str, Any]]) -> None:
        for child, hundredths in zip(siblings, _weights(rng, len(siblings))):
            child["weight"] = hundredths / 10_000
            child["written_weight"] = _percent(hundredths)
            if "children" in child:
                weigh(child["children"])
    weigh(roots)

    def write(node: dict[str, Any], indent: str) -> None:
        if "children" not in node:
            out.append(f"{indent}{node['indicator']} {node['written_weight']}")
            return
        out.append(f"{indent}{node['head']} weight {node['written_weight']} {{")
        for child in node["children"]:
            write(child, indent + "  ")
        out.append(f"{indent}}}")
    for root in roots:
        write(root, "")

    def strip(node: dict[str, Any]) -> None:
        node.pop("written_weight", None)
        node.pop("head", None)
        for child in node.get("children", ()):
            strip(child)
    for root in roots:
        strip(root)
    # The areas are weighted, so the plan has a total: scorelang's first node, the yardsticks'
    # too (benchmarks/baselines.py).
    tree = {"id": "generated", "title": f"Piano generato ({indicators} indicatori)",
            "missing": "counts_zero", "roots": roots}
    return Generated("\n".join(out) + "\n", values, tree, indicators, nodes)
