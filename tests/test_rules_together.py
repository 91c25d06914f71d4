"""The rules of issue 19 together: random plans that mix leaf rules (tolerance, thresholds, gap,
progress from a baseline, limits, steps and points tables, value_zero, `tbd` targets, deadlines),
aggregations per branch and for the plan total, `rollup rounded`, links, and the monitoring's
neutralisations, overrides and previous scores.

Plans are drawn as data (`Drawn`) and written out as rule text: one or two areas (weighted or
not) of objectives and groups with random weights summing to 100 % (now and then a 0 % child or
an indicator used twice), a random `aggregate` per block and in the policy, `rollup rounded` or
not, `missing counts_zero|excluded|value_zero|error`, policy-wide tolerance, threshold or table,
links from the first area to the second, a flat scorecard and a scorecard of components; values
with N/D, a monitoring date, neutralisations, overrides and previous scores.

Each generated plan must be valid (`check` finds no error) and its text must not move under
`fmt`. On it: `evaluate`, both batch engines (rows and columns), the JSON report and a small
reference scorer written here from docs/language.md §5 must agree on every node, scorecard and
the plan total; every report and `explain` must render; and neutralising an indicator must be
the same as dropping it from the text, its siblings re-weighted in proportion (every aggregation
but `sum`). MIXED_EXAMPLES=5000 in the environment hunts longer than CI does. The named tests at
the end are the bugs these properties found."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.api import diagnose
from scorelang.report.explain import explain_text
from scorelang.tools.explain import explain
from scorelang.syntax.format import format_text

MIXED = settings(max_examples=int(os.environ.get("MIXED_EXAMPLES", "150")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.data_too_large])
ENGINES = ("numpy", "python")
ENDS = {"H1": dt.date(2020, 6, 30), "Y": dt.date(2020, 12, 31)}
AGGREGATES = ["weighted", "sum", "minimum", "all_reached", "share_reached"]
KINDS = ["plain", "ratio", "tolerance", "threshold", "gap", "progress", "limits", "steps",
         "points", "deadline"]
STEPS = ((None, 0.70, ("fix", 0.0)), (0.70, 0.90, ("fix", 0.50)), (0.90, None, ("fix", 1.0)))
POINTS = ((None, 0.76, ("fix", 0.0)), (0.76, 0.90, ("line", 15.0, 18.0)),
          (0.90, 1.00, ("line", 19.0, 20.0)), (1.00, None, ("fix", 20.0)))
STEPS_TEXT = "steps { below 70% scores 0% 70% to 90% scores 50% from 90% scores 100% }"
POINTS_TEXT = ("points 20 { below 76% scores 0 76% to 90% scores 15 to 18 "
               "90% to 100% scores 19 to 20 from 100% scores 20 }")


# ---- the plans, as data ----------------------------------------------------------------------

@dataclass
class Indicator:
    name: str
    kind: str
    direction: str = ">="
    target: float | None = 10.0  # None: `tbd`
    periodic: float | None | str = "none"  # "none": no periodic H1 target; None: `tbd`
    tolerance: tuple[float, bool] | None = None  # (figure, relative)
    threshold: tuple[float, bool] | None = None  # (fraction, rescaled)
    baseline: float | None = None
    limits: tuple[float, float, float | None] | None = None
    cap: float | None = None  # the indicator's own cap (fraction)
    value_zero: bool = False
    error: bool = False  # `missing error`
    missing_target: str | None = None  # the indicator's own rule for its `tbd` targets
    due: dt.date | None = None
    late: str = "zero"

    def text(self) -> str:
        lines = [f'indicator {self.name} "{self.name}" {{']
        if self.kind == "deadline":
            lines.append(f"  deadline {self.due.isoformat()}")
            lines.append(f"  late {self.late}")
        else:
            unit = "%" if self.kind == "gap" else "N"
            pct = "%" if self.kind == "gap" else ""
            lines.append(f"  unit {unit}")
            lines.append(f"  target {self.direction} "
                         + ("tbd" if self.target is None else f"{_num(self.target)}{pct}"))
            if self.periodic != "none":
                lines.append(f"  periodic H1 {self.direction} " + (
                    "tbd" if self.periodic is None else f"{_num(self.periodic)}{pct}"))
            formula = {"ratio": "ratio", "gap": "gap", "progress": "progress"}.get(self.kind)
            if formula:
                lines.append(f"  formula {formula}")
            if self.baseline is not None:
                lines.append(f"  baseline {_num(self.baseline)}")
            if self.tolerance is not None:
                figure, relative = self.tolerance
                lines.append(f"  tolerance {_num(figure * 100 if relative else figure)}"
                             + ("%" if relative else ""))
            if self.threshold is not None:
                share, rescaled = self.threshold
                lines.append(f"  threshold {_num(share * 100)}%" + (" rescaled" if rescaled
                                                                   else ""))
            if self.limits is not None:
                low, high, top = self.limits
                lines.append(f"  limits minimum {_num(low)} maximum {_num(high)}"
                             + ("" if top is None else f" excellent {_num(top)}"))
            if self.kind == "steps":
                lines.append("  " + STEPS_TEXT)
            if self.kind == "points":
                lines.append("  " + POINTS_TEXT)
            if self.value_zero:
                lines.append("  missing value_zero")
            if self.error:
                lines.append("  missing error")
        if self.cap is not None:
            lines.append(f"  cap {_num(self.cap * 100)}%")
        if self.missing_target is not None:
            lines.append(f"  missing_target {self.missing_target}")
        lines.append("}")
        return "\n".join(lines)


@dataclass
class Use:
    name: str
    weight: float


@dataclass
class Link:
    code: str
    weight: float


@dataclass
class Block:
    kind: str  # area, objective, group
    code: str  # the code (area, objective) or the title (group)
    weight: float | None
    aggregate: str | None = None
    children: list[Any] = field(default_factory=list)


@dataclass
class Policy:
    floor: float = 0.0
    cap: float = 1.0
    missing: str = "counts_zero"
    aggregate: str | None = None
    rollup: str = "unrounded"
    places: int = 2
    missing_target: str | None = None
    tolerance: tuple[float, bool] | None = None  # for every measured indicator without its own
    threshold: tuple[float, bool] | None = None  # the plan's curve, unless an indicator has one
    table: str | None = None  # "steps" or "points": the plan's table, likewise


@dataclass
class Drawn:
    policy: Policy
    indicators: list[Indicator]
    areas: list[Block]
    period: str
    values: dict[str, Any]
    neutralised: set[str]
    overrides: dict[str, float]
    previous: dict[str, float]
    others: list[dict[str, Any]] = field(default_factory=list)  # more scenarios for a batch
    # A flat scorecard: (indicator id or objective code, is_objective, weight in percent).
    card: list[tuple[str, bool, float]] = field(default_factory=list)
    as_of: dt.date | None = None  # the monitoring date; None: the period's end
    # A scorecard of components: (weight in percent, [(kind, ref, weight in percent)]), kind
    # "plan", "indicator" or "objective".
    components: list[tuple[float, list[tuple[str, str, float]]]] = field(default_factory=list)


def _num(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def render(drawn: Drawn) -> str:
    p = drawn.policy
    lines = ['plan mixed "Mixed rules" {', '  period H1 "Primo semestre" ends 2020-06-30',
             '  period Y "Consuntivo" ends 2020-12-31', "  policy {",
             f"    floor {_num(p.floor * 100)}%", f"    cap {_num(p.cap * 100)}%",
             f"    missing {p.missing}", f"    display {p.places} half_up",
             f"    rollup {p.rollup}"]
    if p.aggregate:
        lines.append(f"    aggregate {p.aggregate}")
    if p.missing_target:
        lines.append(f"    missing_target {p.missing_target}")
    if p.tolerance is not None:
        figure, relative = p.tolerance
        lines.append(f"    tolerance {_num(figure * 100 if relative else figure)}"
                     + ("%" if relative else ""))
    if p.threshold is not None:
        lines.append(f"    threshold {_num(p.threshold[0] * 100)}%"
                     + (" rescaled" if p.threshold[1] else ""))
    if p.table is not None:
        lines.append("    " + (STEPS_TEXT if p.table == "steps" else POINTS_TEXT))
    lines += ["  }", "}", ""]
    for indicator in drawn.indicators:
        lines += [indicator.text(), ""]

    def block(b: Block, depth: int) -> None:
        pad = "  " * depth
        weight = "" if b.weight is None else f" weight {b.weight:.9f}%"
        head = f'{b.kind} "{b.code}"' + ("" if b.kind == "group" else f' "T{b.code}"')
        lines.append(f"{pad}{head}{weight} {{")
        if b.aggregate:
            lines.append(f"{pad}  aggregate {b.aggregate}")
        for child in b.children:
            if isinstance(child, Block):
                block(child, depth + 1)
            elif isinstance(child, Use):
                lines.append(f"{pad}  {child.name} {child.weight:.9f}%")
            else:
                lines.append(f'{pad}  link "{child.code}" {child.weight:.9f}%')
        lines.append(f"{pad}}}")
    for area in drawn.areas:
        block(area, 0)
    if drawn.components:
        lines += ["", 'scorecard dirigente2 "Dirigente per componenti" {']
        for number, (weight, parts) in enumerate(drawn.components):
            written = []
            for kind, ref, w in parts:
                share = "" if len(parts) == 1 else f" {w:.9f}%"
                written.append("plan" if kind == "plan" else f'objective "{ref}"{share}'
                               if kind == "objective" else f"{ref}{share}")
            lines.append(f'  component c{number} "C{number}" {weight:.9f}% {{ '
                         + " ".join(written) + " }")
        lines.append("}")
    if drawn.card:
        lines += ["", 'scorecard dirigente "Dirigente" {']
        lines += [f'  objective "{ref}" {w:.9f}%' if objective else f"  {ref} {w:.9f}%"
                  for ref, objective, w in drawn.card]
        lines.append("}")
    return "\n".join(lines) + "\n"


def _shares(raw: list[int]) -> list[float]:
    total = sum(raw)
    return [100.0 * r / total for r in raw]


# ---- drawing them ----------------------------------------------------------------------------

@st.composite
def indicators(draw, name: str) -> Indicator:
    kind = draw(st.sampled_from(KINDS))
    if kind == "deadline":
        return Indicator(name, kind, target=None,
                         due=draw(st.sampled_from([dt.date(2020, 3, 31), dt.date(2020, 10, 31)])),
                         late=draw(st.sampled_from(["zero", "50%", "linear 30 days"])))
    direction = draw(st.sampled_from(["=", ">=", "<="] if kind in ("plain", "tolerance")
                                     else [">=", "<="]))
    target = float(draw(st.integers(1, 60)))
    out = Indicator(name, kind, direction, target)
    if kind == "tolerance":
        out.tolerance = draw(st.sampled_from([(0.05, True), (0.1, True), (1.0, False),
                                              (2.5, False)]))
    if kind == "threshold":
        out.threshold = (draw(st.sampled_from([0.5, 0.6, 0.8])), draw(st.booleans()))
    if kind in ("threshold", "steps", "points") and draw(st.booleans()):
        out.tolerance = (0.05, True)
    if kind == "progress":
        step = float(draw(st.integers(1, 20)))
        out.baseline = target - step if direction == ">=" else target + step
    if kind == "limits":
        low, high = draw(st.integers(1, 10)), draw(st.integers(1, 10))
        top = draw(st.one_of(st.none(), st.integers(1, 10)))
        sign = 1 if direction == ">=" else -1
        out.limits = (target - sign * low, target + sign * high,
                      None if top is None else target + sign * (high + top))
        out.cap = draw(st.sampled_from([None, 3.0]))
    if kind in ("plain", "tolerance", "threshold", "gap") and draw(st.integers(0, 3)) == 0:
        out.periodic = float(draw(st.integers(1, 60)))
    tbd = draw(st.sampled_from(["no", "no", "no", "annual", "periodic"]))
    if tbd == "annual":
        out.target = None
        out.periodic = "none"
    elif tbd == "periodic":
        out.periodic = None
    if out.target is None or out.periodic is None:
        out.missing_target = draw(st.sampled_from(
            [None, "skip", "previous"] + (["limit", "limit"] if out.limits else [])))
    out.value_zero = draw(st.integers(0, 4)) == 0
    out.error = not out.value_zero and draw(st.integers(0, 6)) == 0
    return out


def _value(draw, indicator: Indicator, as_of: dt.date) -> Any:
    if indicator.kind == "deadline":
        if draw(st.integers(0, 3)) == 0:
            return None
        last = (as_of - dt.date(2020, 1, 1)).days
        return dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, last)))
    if draw(st.integers(0, 4)) == 0:
        return None
    target = indicator.target or 30.0
    return draw(st.one_of(
        st.just(target),
        st.integers(0, int(2 * target) + 5).map(float),
        st.integers(0, 200 * int(target) + 500).map(lambda x: x / 100.0)))


@st.composite
def blocks(draw, kind: str, code: str, weight: float | None, depth: int, pool: list[str],
           used: list[str], zeros: bool) -> Block:
    """A block of 1-3 children: indicator uses (now and then one used elsewhere already),
    objectives and groups; with `zeros`, a child may weigh 0 % (never all of them)."""
    out = Block(kind, code, weight, draw(st.sampled_from([None, None, *AGGREGATES])))
    count = draw(st.integers(1, 3))
    raw = [draw(st.integers(0 if zeros else 1, 9)) for _ in range(count)]
    if not any(raw):
        raw[0] = 1
    for number, share in enumerate(_shares(raw)):
        choice = draw(st.integers(0, 5)) if depth < 2 else 0
        mine = {c.name for c in out.children if isinstance(c, Use)}
        again = [name for name in used if name not in mine]
        if choice <= 2 or not pool[1:]:
            if again and draw(st.integers(0, 5)) == 0:
                out.children.append(Use(draw(st.sampled_from(again)), share))
            elif pool:
                used.append(pool[0])
                out.children.append(Use(pool.pop(0), share))
            else:
                out.children.append(Use("__", share))
        elif choice <= 4:
            out.children.append(draw(blocks("objective", f"{code}.{number}", share, depth + 1,
                                            pool, used, zeros)))
        else:
            out.children.append(draw(blocks("group", f"G{code}.{number}", share, depth + 1,
                                            pool, used, zeros)))
    return out


@st.composite
def plans(draw, adjust: bool = True, zeros: bool = True) -> Drawn:
    count = draw(st.integers(2, 9))
    names = [f"i{n}" for n in range(count)]
    found = [draw(indicators(name)) for name in names]
    pool = list(names)
    areas: list[Block] = []
    used: list[str] = []
    area_count = draw(st.sampled_from([1, 2, 2]))
    weighted_areas = draw(st.booleans())
    shares = _shares([draw(st.integers(1, 9)) for _ in range(area_count)])
    for number in range(area_count):
        if not pool:
            break
        code = f"A{number + 1}"
        area = draw(blocks("area", code, shares[number] if weighted_areas else None, 0, pool,
                           used, zeros))
        areas.append(area)
    if len(areas) < area_count:  # ran out of indicators: weights must still add up
        shares = _shares([1] * len(areas))
        for area, share in zip(areas, shares):
            area.weight = share if weighted_areas else None
    # The few indicators the tree did not take go to the first area's first block.
    uses = [c for a in areas for c in _walk(a) if isinstance(c, Use) and c.name != "__"]
    for area in areas:
        _drop_placeholders(area)
    taken = {u.name for u in uses}
    # A scorecard now and then: lines on indicators of the tree, on indicators scored only
    # there, and on objectives.
    card: list[tuple[str, bool, float]] = []
    if draw(st.integers(0, 2)) == 0:
        objectives = [b.code for a in areas for b in _walk(a)
                      if isinstance(b, Block) and b.kind == "objective"]
        refs = [(i.name, False) for i in found] + [(o, True) for o in objectives]
        lines = draw(st.lists(st.sampled_from(refs), min_size=1, max_size=3, unique=True))
        card = [(ref, objective, w) for (ref, objective), w in
                zip(lines, _shares([draw(st.integers(1, 9)) for _ in lines]))]
    taken |= {ref for ref, objective, _ in card if not objective}
    components: list[tuple[float, list[tuple[str, str, float]]]] = []
    if draw(st.integers(0, 2)) == 0:
        objectives = [b.code for a in areas for b in _walk(a)
                      if isinstance(b, Block) and b.kind == "objective"]
        refs = [("indicator", i.name) for i in found] + [("objective", o) for o in objectives]
        count = draw(st.integers(1, 3))
        for share in _shares([draw(st.integers(1, 9)) for _ in range(count)]):
            if weighted_areas and draw(st.integers(0, 2)) == 0:
                components.append((share, [("plan", "", 100.0)]))
                continue
            chosen = draw(st.lists(st.sampled_from(refs), min_size=1, max_size=3, unique=True))
            components.append((share, [(kind, ref, w) for (kind, ref), w in zip(
                chosen, _shares([draw(st.integers(1, 9)) for _ in chosen]))]))
        taken |= {ref for _, parts in components for kind, ref, _ in parts
                  if kind == "indicator"}
    found = [i for i in found if i.name in taken]
    # Links: from the first area to the last one's objectives (or to the last area itself),
    # so never round a circle.
    codes = [b.code for b in _walk(areas[-1]) if isinstance(b, Block) and b.kind != "group"]
    if len(areas) == 2 and draw(st.integers(0, 2)) > 0:
        target = draw(st.sampled_from(codes))
        host = draw(st.sampled_from([b for b in _walk(areas[0]) if isinstance(b, Block)]))
        share = float(draw(st.integers(10, 50)))
        rest = 100.0 - share
        for child in host.children:
            child.weight = child.weight * rest / 100.0
        host.children.append(Link(target, share))
    missing = draw(st.sampled_from(["counts_zero", "excluded", "value_zero", "error"]))
    policy = Policy(floor=draw(st.sampled_from([0.0, 0.1])),
                    cap=draw(st.sampled_from([1.0, 1.2])), missing=missing,
                    aggregate=draw(st.sampled_from([None, *AGGREGATES])),
                    rollup=draw(st.sampled_from(["unrounded", "rounded"])),
                    places=draw(st.integers(0, 3)),
                    missing_target=draw(st.sampled_from(["skip", "previous"])))
    if not any(i.target is None or i.periodic is None for i in found):
        policy.missing_target = None
    rules = draw(st.sampled_from(["none", "none", "tolerance", "threshold", "table", "both"]))
    if rules in ("tolerance", "both"):
        policy.tolerance = draw(st.sampled_from([(0.02, True), (0.5, False)]))
    if rules in ("threshold", "both"):
        policy.threshold = (draw(st.sampled_from([0.5, 0.7])), draw(st.booleans()))
    elif rules == "table":
        policy.table = draw(st.sampled_from(["steps", "points"]))
    period = draw(st.sampled_from(["H1", "Y"]))
    as_of = draw(st.sampled_from([None, None, dt.date(2020, 3, 31), dt.date(2020, 4, 15)]))
    values = {i.name: _value(draw, i, as_of or ENDS[period]) for i in found}
    others = [{i.name: _value(draw, i, as_of or ENDS[period]) for i in found}
              for _ in range(draw(st.integers(0, 2)))]
    neutralised: set[str] = set()
    overrides: dict[str, float] = {}
    if adjust:
        ids = [i.name for i in found] + [b.code if b.kind != "group" else _group_id(areas, b)
                                         for a in areas for b in _walk(a)
                                         if isinstance(b, Block)]
        neutralised = draw(st.sets(st.sampled_from(ids), max_size=2))
        for name in draw(st.sets(st.sampled_from(ids), max_size=2)):
            if name not in neutralised:
                overrides[name] = draw(st.integers(0, 120000)) / 1000.0
    # A tbd target under `previous` that the monitoring decides may go without its score.
    previous = {i.name: draw(st.integers(0, 120000)) / 1000.0 for i in found
                if _rule_of(i, policy) == "previous" and (
                    i.name not in neutralised | overrides.keys() or draw(st.booleans()))}
    return Drawn(policy, found, areas, period, values, neutralised, overrides, previous, others,
                 card, as_of, components)


def _rule_of(indicator: Indicator, policy: Policy) -> str | None:
    if indicator.target is not None and indicator.periodic is not None:
        return None
    return indicator.missing_target or policy.missing_target


def _walk(block: Block):
    yield block
    for child in block.children:
        if isinstance(child, Block):
            yield from _walk(child)
        else:
            yield child


def _drop_placeholders(block: Block) -> None:
    """A block drawn after the indicators ran out holds `__` uses: give their weight to the
    others (a block left with none takes a real indicator's place: never, the pool of the
    first use is never empty)."""
    for child in block.children:
        if isinstance(child, Block):
            _drop_placeholders(child)
    block.children = [c for c in block.children if not (isinstance(c, Use) and c.name == "__")
                      and not (isinstance(c, Block) and not c.children)]
    if block.children:
        shares = _shares_f([c.weight for c in block.children])
        for child, share in zip(block.children, shares):
            child.weight = share


def _shares_f(raw: list[float]) -> list[float]:
    total = sum(raw)
    if total == 0:  # only the 0 % children were left
        return [100.0 / len(raw)] * len(raw)
    return [100.0 * r / total for r in raw]


def _group_id(areas: list[Block], group: Block) -> str:
    """A group's node id: its parent's id, `/`, its title as an id (§4)."""
    def find(block: Block, here: str) -> str | None:
        for child in block.children:
            if isinstance(child, Block):
                cid = child.code if child.kind != "group" else f"{here}/{_slug(child.code)}"
                if child is group:
                    return cid
                got = find(child, cid)
                if got:
                    return got
        return None
    for area in areas:
        got = find(area, area.code)
        if got:
            return got
    raise AssertionError(group)


def _slug(title: str) -> str:
    out, run = [], False
    for ch in title.lower():
        if ch.isalnum():
            out.append(ch)
            run = False
        elif not run:
            out.append("_")
            run = True
    return "".join(out).strip("_")


def loaded(drawn: Drawn) -> tuple[str, scorelang.Plan]:
    text = render(drawn)
    definition, found = diagnose(text, "mixed.score")
    errors = [d for d in found if d.is_error]
    assert not errors, (text, [str(d) for d in errors])
    return text, scorelang.loads(text, "mixed.score")


def adjustments(drawn: Drawn) -> dict[str, Any]:
    return {"neutralised": {n: {"reason": "fuori controllo", "act": "Delibera 1"}
                            for n in drawn.neutralised},
            "overrides": {n: {"score": s, "reason": "OIV", "by": "OIV"}
                          for n, s in drawn.overrides.items()},
            "previous": dict(drawn.previous)}


# ---- (1)-(3): every engine, the JSON report, fmt and check -------------------------------------

def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _when(drawn: Drawn) -> dict[str, Any]:
    return {"period": drawn.period, "as_of": drawn.as_of}


def _rows(drawn: Drawn) -> list[dict[str, Any]]:
    """The drawn values, the same with every value N/D, and the other scenarios drawn."""
    return [drawn.values, dict.fromkeys(drawn.values), *drawn.others]


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The scenarios as columns, N/D written as pandas writes it: NaN for a figure, None for a
    date (not done)."""
    return {name: [math.nan if row[name] is None and not _is_deadline(rows, name) else row[name]
                   for row in rows] for name in rows[0]}


def _is_deadline(rows: list[dict[str, Any]], name: str) -> bool:
    return any(isinstance(row[name], dt.date) for row in rows)


@MIXED
@given(plans())
def test_evaluate_both_batch_engines_and_the_json_report_agree_on_mixed_plans(drawn):
    text, plan = loaded(drawn)
    extra = adjustments(drawn)
    rows: list[dict[str, Any]] = []
    for row in _rows(drawn):  # `missing error` may refuse a scenario: every engine then does
        try:
            plan.evaluate(row, **_when(drawn), **extra)
            rows.append(row)
        except scorelang.ValuesError as error:
            assert "SL316" in str(error), str(error)
            for engine in ENGINES:
                with pytest.raises(scorelang.ValuesError, match="SL316"):
                    plan.evaluate_many([*rows, row], **_when(drawn), engine=engine,
                                       **extra)
    assume(rows)
    results = [plan.evaluate(row, **_when(drawn), **extra) for row in rows]
    batches = [(engine, plan.evaluate_many(rows, **_when(drawn), engine=engine, **extra))
               for engine in ENGINES]
    batches.append(("numpy columns", plan.evaluate_many(_columns(rows), **_when(drawn),
                                                        engine="numpy", **extra)))
    # The whole tables too: status codes and scores, scenario by node.
    tables = [(b.status_codes, b.scores) for _, b in batches]
    python_codes, python_scores = tables[1]
    for codes, scores in tables:
        assert [list(map(int, row)) for row in codes] == [list(row) for row in python_codes]
        for row, other in zip(scores, python_scores):
            assert all(_same(None if a is None or a != a else float(a), b)
                       for a, b in zip(row, other))
    for engine, batch in batches:
        for number, result in enumerate(results):
            for node in result:
                got = batch.score(number, node.id)
                assert _same(got, node.score), (engine, number, node.id, got, node.score, text)
                assert batch.status(number, node.id) == node.status, (engine, node.id, text)
            assert _same(batch.plan_score(number), result.score), (engine, text)
    for result in results:
        report = json.loads(scorelang.render(result, "json"))
        by_id = {node["id"]: node for node in report["nodes"]}
        for node in result:
            assert _same(by_id[node.id]["score"], node.score), node.id
            assert by_id[node.id]["status"] == node.status
        assert _same(result.to_dict()["plan"]["score"], result.score)
        assert _same(report["plan"]["score"], result.score)
    # Every other report and `explain` read the same figures without tripping on a mix.
    result = results[0]
    for format in ("table", "markdown", "csv"):
        for view in ("tree", "indicators"):
            assert scorelang.render(result, format, view=view)
    for node in result:
        assert explain_text(explain(plan, result, node.id))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(plans())
def test_fmt_is_idempotent_and_check_finds_no_error_on_mixed_plans(drawn):
    text, plan = loaded(drawn)
    once = format_text(text)
    assert format_text(once) == once
    definition, found = diagnose(once, "mixed.score")
    assert not [d for d in found if d.is_error]
    again = scorelang.loads(once, "formatted.score")
    extra = adjustments(drawn)

    def scored(p: scorelang.Plan) -> Any:
        try:
            return [(n.id, n.score, n.status) for n in p.evaluate(drawn.values,
                                                                  **_when(drawn), **extra)]
        except scorelang.ValuesError as error:
            return str(error)
    assert scored(plan) == scored(again)


# ---- regressions found by the properties above -------------------------------------------------

def _plan(indicator: str, policy: str = "missing_target skip", tree: str = "i0 100%") -> str:
    return (f'plan p "P" {{\n  period H1 "H1" ends 2020-06-30\n  period Y "Y" ends 2020-12-31\n'
            f'  policy {{ {policy} }}\n}}\nindicator i0 "I0" {{ unit N {indicator} }}\n'
            f'indicator i1 "I1" {{ unit N target >= 10 }}\n'
            f'area "A1" "A" {{\n  objective "O1" "O" weight 100% {{ {tree} }}\n}}\n')


@pytest.mark.parametrize(("rule", "code"), [
    ("target >= tbd tolerance 5%", "SL233"),
    ("target >= 10 periodic H1 >= tbd tolerance 5%", "SL233"),
    ("target >= tbd limits minimum 5 maximum 20", "SL244"),
    ("target <= 30 periodic H1 <= tbd limits minimum 40 maximum 20", "SL244"),
    ("target >= tbd baseline 0 formula progress", "SL247"),
    ("target >= 10 periodic H1 >= tbd baseline 5", "SL248"),
])
def test_check_holds_no_leaf_rule_against_a_tbd_target(rule, code):
    """A `tbd` target is stored as 0 but never scored against: the checks of the leaf rules
    held tolerances, limits and baselines against that 0 (SL233 and SL244 errors on valid
    plans)."""
    _, found = diagnose(_plan(rule), "p.score")
    assert code not in {d.code for d in found}, [str(d) for d in found]
    assert not [d for d in found if d.is_error], [str(d) for d in found]


def _every_engine(plan: scorelang.Plan, row: dict[str, Any], period: str = "H1",
                  **extra: Any) -> dict[str, list[tuple[float | None, str]]]:
    """Each node's (score, status) by evaluate, then by the numpy and python batch engines."""
    result = plan.evaluate(row, period=period, **extra)
    out = {node.id: [(node.score, node.status)] for node in result}
    for engine in ENGINES:
        batch = plan.evaluate_many([row], period=period, engine=engine, **extra)
        for node in result:
            out[node.id].append((batch.score(0, node.id), batch.status(0, node.id)))
    return out


def _agree(found: dict[str, list[tuple[float | None, str]]]) -> None:
    for node_id, (first, *others) in found.items():
        for other in others:
            assert _same(other[0], first[0]) and other[1] == first[1], (node_id, found[node_id])


def test_numpy_engine_rounds_an_override_and_a_previous_score_under_rollup_rounded():
    """Under `rollup rounded` evaluate rounds an overridden slot, and a `tbd` target's previous
    score, before its parents read it; the numpy engine read the given figure unrounded."""
    plan = scorelang.loads(_plan("target >= 10 periodic H1 >= tbd",
                                 "missing_target previous rollup rounded display 1 half_up",
                                 "i0 50% i1 50%"))
    found = _every_engine(plan, {"i0": 5.0, "i1": 7.0}, previous={"i0": 33.333},
                          overrides={"i1": {"score": 66.666, "reason": "OIV"}})
    _agree(found)
    assert found["O1/i0"][0][0] == pytest.approx(33.3)
    assert found["O1/i1"][0][0] == pytest.approx(66.7)
    assert found["O1"][0][0] == pytest.approx(50.0)


NEUTRAL = {"reason": "COVID-19", "act": "Delibera n. 45"}


def test_numpy_engine_says_neutralised_for_a_neutralised_node_over_skipped_tbd_targets():
    """A neutralised node is `neutralised`, whether or not its children's targets are still
    `tbd` under `skip`; the numpy engine called it `no_target` (a neutralised branch of skipped
    indicators, and a neutralised indicator whose own target is `tbd`)."""
    plan = scorelang.loads(_plan("target >= tbd", tree="i0 100%"))
    _agree(found := _every_engine(plan, {"i0": 5.0, "i1": 7.0}, neutralised={"O1": NEUTRAL}))
    assert found["O1"][0][1] == "neutralised"
    _agree(found := _every_engine(plan, {"i0": 5.0, "i1": 7.0}, neutralised={"i0": NEUTRAL}))
    assert found["O1/i0"][0][1] == "neutralised" and found["O1"][0][1] == "neutralised"


def test_numpy_engine_lets_an_override_score_an_indicator_whose_target_is_skipped():
    """An override gives an indicator its score even while its target is `tbd` under `skip`
    (evaluate); the numpy engine left it out of its parents as if skipped."""
    plan = scorelang.loads(_plan("target >= tbd", tree="i0 50% i1 50%"))
    found = _every_engine(plan, {"i0": 5.0, "i1": 5.0},
                          overrides={"i0": {"score": 80, "reason": "OIV"}})
    _agree(found)
    assert found["O1"][0][0] == pytest.approx(65.0)


# ---- (5) a reference scorer, from docs/language.md §5 alone -------------------------------------

class Refused(Exception):
    """`missing error` met an N/D value: the evaluation stops (SL316)."""


FUZZ = 1e-9  # "two figures that differ by less than a billionth count as equal"


def _half_up(fraction: float, places: int) -> float:
    """`rollup rounded`: a fraction rounded half-up to `places` decimals of a percent."""
    # "on the decimal figure" (§5.4): the binary noise beyond nine places is settled first
    figure = Decimal(repr(fraction * 100.0)).quantize(Decimal("1e-9"), ROUND_HALF_EVEN)
    figure = figure.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(figure) / 100.0


def _formula(ind: Indicator, target: float, v: float) -> float:
    t, d = target, ind.direction
    if math.isclose(v, t, rel_tol=FUZZ, abs_tol=FUZZ):
        return 1.0
    if ind.limits is not None:  # through (minimum, 0), (target, 1), (maximum, 2), (excellent, 3)
        low, high, top = ind.limits
        knots = [(low, 0.0), (t, 1.0), (high, 2.0)] + ([] if top is None else [(top, 3.0)])
        if d == "<=":  # lower is better: the mirror image
            knots, v = [(-x, s) for x, s in knots], -v
        if v <= knots[0][0]:
            return 0.0
        for (x0, s0), (x1, s1) in zip(knots, knots[1:]):
            if v <= x1:
                return s0 + (v - x0) * (s1 - s0) / (x1 - x0)
        return knots[-1][1]
    if d == "=":
        return 0.0
    if ind.kind == "progress":
        return (v - ind.baseline) / (t - ind.baseline)
    if ind.kind == "gap":
        return 1 + (v - t) / 100 if d == ">=" else 1 - (v - t) / 100
    if t == 0:  # a zero target (a limit minimum of 0 standing in, say): reached or not
        return 1.0 if (v >= 0 if d == ">=" else v <= 0) else 0.0
    if ind.kind == "ratio":  # t > 0 here
        if v == 0:
            return 1.0 if d == "<=" else 0.0
        return v / t if d == ">=" else t / v
    return 1 + (v - t) / abs(t) if d == ">=" else 1 - (v - t) / abs(t)


def _curve(ind: Indicator, raw: float, policy: Policy) -> float:
    """The indicator's own threshold or table, else the plan's (replaced whole)."""
    own = ind.threshold is not None or ind.kind in ("steps", "points")
    threshold = ind.threshold if own else policy.threshold
    table = ind.kind if ind.kind in ("steps", "points") else None if own else policy.table
    if threshold is not None:
        share, rescaled = threshold
        if raw < share - 1e-12:
            return 0.0
        return max(0.0, (raw - share) / (1 - share)) if rescaled else raw
    if table is not None:
        rows, top = (STEPS, 1.0) if table == "steps" else (POINTS, 20.0)
        for low, high, score in rows:
            if (low is None or raw >= low - 1e-12) and (high is None or raw < high - 1e-12):
                if score[0] == "fix":
                    return score[1] / top
                return (score[1] + (raw - low) * (score[2] - score[1]) / (high - low)) / top
    return raw


def _leaf(drawn: Drawn, ind: Indicator) -> tuple[float | None, str]:
    p, as_of = drawn.policy, drawn.as_of or ENDS[drawn.period]
    floor, cap = p.floor, ind.cap if ind.cap is not None else p.cap
    v = drawn.values.get(ind.name)
    if ind.kind == "deadline":
        if v is None:
            if as_of <= ind.due:
                return None, "not_due"
            raw = 0.0
        elif v <= ind.due:
            raw = 1.0
        else:
            late = (v - ind.due).days
            raw = {"zero": 0.0, "50%": 0.5}.get(ind.late, max(0.0, 1 - late / 30))
        return min(max(raw, floor), cap), "scored"
    target = ind.periodic if drawn.period == "H1" and ind.periodic != "none" else ind.target
    limits = ind.limits
    if target is None and _rule_of(ind, p) == "limit":
        # the minimum limit stands in as the target; the limits scale is not used meanwhile
        target, limits = ind.limits[0], None
    if target is None:  # still `tbd`: no formula reads the value
        if _rule_of(ind, p) == "skip":
            return None, "no_target"
        if ind.name not in drawn.previous:  # neutralised or overridden: never read
            return None, "no_target"
        return drawn.previous[ind.name] / 100.0, "scored"
    if v is None:
        rule = "value_zero" if ind.value_zero else "error" if ind.error else p.missing
        in_tree = any(isinstance(c, Use) and c.name == ind.name
                      for a in drawn.areas for c in _walk(a))
        if rule == "error" and ind.name not in drawn.neutralised | drawn.overrides.keys():
            if in_tree:  # a line of a scorecard only is not refused (as SL310 does not warn)
                raise Refused(ind.name)
            return None, "missing"
        if rule != "value_zero":
            return None, "missing"
        v = 0.0
    raw = _formula(replace(ind, limits=limits), target, v)
    tolerance = ind.tolerance or p.tolerance
    if tolerance is not None:
        figure, relative = tolerance
        width = figure * abs(target) if relative else figure
        if abs(v - target) <= width * (1 + FUZZ) + FUZZ:
            raw = 1.0 if ind.direction == "=" else max(1.0, raw)
    return min(max(_curve(ind, raw, p), floor), cap), "scored"


def _combine(children: list[tuple[float, float | None, str]], rule: str, missing: str
             ) -> tuple[float | None, str]:
    """A parent from its children's (weight as a fraction, score, status)."""
    counted = [c for c in children if c[0] > 0]
    if not counted:
        return None, "missing"
    kept = [c for c in counted if c[2] not in ("neutralised", "no_target")]
    if not kept:
        gone = {c[2] for c in counted}
        return None, "no_target" if "no_target" in gone else "neutralised"
    scored = [(w, s) for w, s, _ in kept if s is not None]
    if not scored:
        return None, "not_due" if all(c[2] == "not_due" for c in kept) else "missing"
    zero = missing != "excluded"  # value_zero leaves N/D to count as under counts_zero
    read = [(w, 0.0 if s is None else s) for w, s, _ in kept] if zero else scored
    if rule == "sum":
        return sum(w * s for w, s in read), "scored"
    if rule == "weighted":
        return sum(w * s for w, s in read) / sum(w for w, _ in read), "scored"
    if rule == "minimum":
        return min(s for _, s in read), "scored"
    hit = [(w, s >= 1 - FUZZ) for w, s in read]
    if rule == "all_reached":
        return (1.0 if all(h for _, h in hit) else 0.0), "scored"
    return sum(w for w, h in hit if h) / sum(w for w, _ in read), "scored"


def reference(drawn: Drawn, weights: dict[str, float]) -> tuple[dict[str, tuple[float | None,
                                                                                 str]],
                                                                  float | None]:
    """Every node's (percent score, status), and the plan total, scored by hand. `weights` are
    the node weights as the plan reads them (fractions), so that the sums are the same floats."""
    p = drawn.policy
    found: dict[str, tuple[float | None, str]] = {}
    indicators = {i.name: i for i in drawn.indicators}

    def decided(node_id: str, key: str, own: tuple[float | None, str]) -> tuple[float | None,
                                                                                 str]:
        if key in drawn.neutralised:
            return None, "neutralised"
        if key in drawn.overrides:
            own = drawn.overrides[key] / 100.0, "scored"
        if p.rollup == "rounded" and own[0] is not None:
            own = _half_up(own[0], p.places), own[1]
        return own

    def block(b: Block, node_id: str) -> tuple[float | None, str]:
        children = []
        for child in b.children:
            if isinstance(child, Block):
                cid = child.code if child.kind != "group" else f"{node_id}/{_slug(child.code)}"
                got = block(child, cid)
            elif isinstance(child, Use):
                cid = f"{node_id}/{child.name}"
                got = decided(cid, child.name, _leaf(drawn, indicators[child.name]))
            else:
                cid = f"{node_id}/{child.code}"
                got = found[child.code]  # the last area is scored first
            found[cid] = got
            children.append((weights[cid], got[0], got[1]))
        own = _combine(children, b.aggregate or p.aggregate or "weighted", p.missing)
        found[node_id] = got = decided(node_id, node_id, own)
        return got

    for area in reversed(drawn.areas):
        block(area, area.code)
    if drawn.card:  # the weighted mean of its lines, whatever `aggregate` says; not rounded
        lines = []
        for ref, objective, w in drawn.card:
            if objective:
                got = found[ref]
            else:
                got = decided(ref, ref, _leaf(drawn, indicators[ref]))
            lines.append((w / 100.0, got[0], got[1]))
        found["card:dirigente"] = _combine(lines, "weighted", p.missing)
    total, total_status = None, "missing"  # no plan total: N/D (NO_WEIGHT)
    if all(a.weight is not None for a in drawn.areas):
        own = _combine([(weights[a.code], *found[a.code]) for a in drawn.areas],
                       p.aggregate or "weighted", p.missing)
        if own[0] is not None and p.rollup == "rounded":
            own = _half_up(own[0], p.places), own[1]
        total, total_status = own
    if drawn.components:  # weighted means of parts, then of components; not rounded
        scored = []
        for weight, parts in drawn.components:
            read = []
            for kind, ref, w in parts:
                got = (total, total_status) if kind == "plan" \
                    else found[ref] if kind == "objective" \
                    else decided(ref, ref, _leaf(drawn, indicators[ref]))
                read.append((w / 100.0, got[0], got[1]))
            scored.append((weight / 100.0, *_combine(read, "weighted", p.missing)))
        found["card:dirigente2"] = _combine(scored, "weighted", p.missing)
    return {k: (None if s is None else s * 100.0, st_) for k, (s, st_) in found.items()}, \
        None if total is None else total * 100.0


def _weights(plan: scorelang.Plan, period: str) -> dict[str, float]:
    return {node.id: node.weight for node in plan.program(period).nodes
            if node.weight is not None}


@MIXED
@given(plans())
def test_evaluate_agrees_with_the_reference_scorer_on_mixed_plans(drawn):
    text, plan = loaded(drawn)
    try:
        expected, total = reference(drawn, _weights(plan, drawn.period))
    except Refused:
        with pytest.raises(scorelang.ValuesError, match="SL316"):
            plan.evaluate(drawn.values, **_when(drawn), **adjustments(drawn))
        return
    result = plan.evaluate(drawn.values, **_when(drawn), **adjustments(drawn))
    cards = {card.id: card for card in result.scorecards}
    if drawn.components:
        score, status = expected.pop("card:dirigente2")
        card = cards["dirigente2"]
        assert card.status == status, text
        assert _same(card.score, score), (card.score, score, text)
    if drawn.card:
        card = cards["dirigente"]
        score, status = expected.pop("card:dirigente")
        assert card.status == status, text
        assert _same(card.score, score), (card.score, score, text)
    if result.area_depth:  # the plan's total, the root node (issue 18): the reference gives
        # its score (checked here), not its status
        assert _same(result[result.plan_id].score, total), text
        expected[result.plan_id] = (total, result[result.plan_id].status)
    assert {node.id for node in result} == set(expected), text
    for node in result:
        score, status = expected[node.id]
        assert (node.status, node.id) == (status, node.id), text
        assert _same(node.score, score), (node.id, node.score, score, text)
    assert _same(result.score, total), (result.score, total, text)


# ---- (4) neutralising an indicator is dropping it from the text ----------------------------------

def _without(drawn: Drawn, gone: set[str]) -> Drawn | None:
    """The plan without the indicators `gone`: blocks left empty go too, and links to them, and
    every level's weights are re-scaled in proportion. None when nothing is left."""
    areas = copy.deepcopy(drawn.areas)

    def prune(block: Block) -> None:
        for child in block.children:
            if isinstance(child, Block):
                prune(child)
        block.children = [c for c in block.children
                          if not (isinstance(c, Use) and c.name in gone)
                          and not (isinstance(c, Block) and not c.children)]
    for _ in range(3):  # emptied blocks, then links to them, then blocks emptied by that
        for area in areas:
            prune(area)
        areas = [a for a in areas if a.children]
        codes = {b.code for a in areas for b in _walk(a)
                 if isinstance(b, Block) and b.kind != "group"}
        for area in areas:
            for b in _walk(area):
                if isinstance(b, Block):
                    b.children = [c for c in b.children
                                  if not (isinstance(c, Link) and c.code not in codes)]
    if not areas:
        return None

    def reweigh(block: Block) -> None:
        for child, share in zip(block.children, _shares_f([c.weight for c in block.children])):
            child.weight = share
            if isinstance(child, Block):
                reweigh(child)
    for area in areas:
        reweigh(area)
    if areas[0].weight is not None:
        for area, share in zip(areas, _shares_f([a.weight for a in areas])):
            area.weight = share
    card = [(ref, objective, w) for ref, objective, w in drawn.card
            if ((ref in codes) if objective else (ref not in gone))]
    card = [(ref, objective, share) for (ref, objective, _), share
            in zip(card, _shares_f([w for _, _, w in card]))] if card else []
    kept = {c.name for a in areas for c in _walk(a) if isinstance(c, Use)} | {
        ref for ref, objective, _ in card if not objective}
    indicators = [i for i in drawn.indicators if i.name in kept]
    policy = replace(drawn.policy)
    if not any(i.target is None or i.periodic is None for i in indicators):
        policy.missing_target = None
    return replace(drawn, policy=policy, indicators=indicators, areas=areas,
                   values={k: v for k, v in drawn.values.items() if k in kept},
                   previous={k: v for k, v in drawn.previous.items() if k in kept},
                   neutralised=set(), overrides={}, card=card)


@st.composite
def neutralisations(draw):
    """A plan whose every aggregation re-weighs in proportion (all but `sum`), unrounded, and
    one or more of its indicators to neutralise."""
    drawn = draw(plans(adjust=False, zeros=False))
    rules = ["weighted", "minimum", "all_reached", "share_reached"]
    drawn.policy.aggregate = draw(st.sampled_from([None, *rules]))
    drawn.policy.rollup = "unrounded"
    drawn.components = []  # a flat scorecard only
    for area in drawn.areas:
        for b in _walk(area):
            if isinstance(b, Block) and b.aggregate == "sum":
                b.aggregate = draw(st.sampled_from([None, *rules]))
    names = [i.name for i in drawn.indicators]
    gone = draw(st.sets(st.sampled_from(names), min_size=1, max_size=max(1, len(names) - 1)))
    return drawn, gone


@MIXED
@given(neutralisations())
def test_neutralising_an_indicator_equals_dropping_it_from_the_plan_text(case):
    drawn, gone = case
    dropped = _without(drawn, gone)
    assume(dropped is not None)
    _, full = loaded(drawn)
    text, plain = loaded(dropped)
    reason = {"reason": "fuori dal controllo dell'ente", "act": "Delibera n. 1"}
    try:
        alone = plain.evaluate(dropped.values, **_when(drawn), previous=dropped.previous)
    except scorelang.ValuesError as error:  # `missing error` refuses an N/D left in the plan
        assert "SL316" in str(error)
        with pytest.raises(scorelang.ValuesError, match="SL316"):
            full.evaluate(drawn.values, **_when(drawn), previous=drawn.previous,
                          neutralised=dict.fromkeys(gone, reason))
        return
    neutralised = full.evaluate(drawn.values, **_when(drawn), previous=drawn.previous,
                                neutralised=dict.fromkeys(gone, reason))
    for node in alone:
        other = neutralised[node.id]
        assert other.status == node.status, (node.id, text)
        assert (other.score is None) == (node.score is None), (node.id, text)
        if node.score is not None:
            assert other.score == pytest.approx(node.score, rel=1e-9, abs=1e-7), (node.id, text)
    assert (neutralised.score is None) == (alone.score is None)
    if alone.score is not None:
        assert neutralised.score == pytest.approx(alone.score, rel=1e-9, abs=1e-7)
    for node in neutralised:
        if node.indicator in gone:
            assert node.status == "neutralised"
    if dropped.card:
        (mine,), (theirs,) = neutralised.scorecards, alone.scorecards
        assert mine.status == theirs.status
        assert (mine.score is None) == (theirs.score is None)
        if mine.score is not None:
            assert mine.score == pytest.approx(theirs.score, rel=1e-9, abs=1e-7)


def test_a_parent_left_with_a_skipped_tbd_target_beside_neutralised_children_has_no_target():
    """Neutralised children are as if the plan had not them (§5.8): a parent whose other
    children are all skipped for a `tbd` target is `no_target`, as the plan without the
    neutralised ones says; every engine called it `neutralised`."""
    plan = scorelang.loads(_plan("target >= tbd", tree="i0 50% i1 50%"))
    found = _every_engine(plan, {"i0": 5.0, "i1": 5.0}, neutralised={"i1": NEUTRAL})
    _agree(found)
    assert found["O1"][0] == (None, "no_target") and found["A1"][0] == (None, "no_target")
    assert found["O1/i1"][0] == (None, "neutralised")


def test_missing_error_lets_a_neutralised_or_overridden_indicator_be_nd():
    """SL316's own remedy is "give its value, or neutralise it": every engine still refused
    the N/D of an indicator under `missing error` that the monitoring neutralised, or
    overrode, by its id. A neutralised parent does not excuse it (the indicator is still
    scored in the reports)."""
    plan = scorelang.loads(_plan("target >= 10", "missing error", "i0 50% i1 50%"))
    row = {"i0": None, "i1": 5.0}
    found = _every_engine(plan, row, neutralised={"i0": NEUTRAL})
    _agree(found)
    assert found["O1"][0] == (50.0, "scored") and found["O1/i0"][0] == (None, "neutralised")
    found = _every_engine(plan, row, overrides={"O1/i0": {"score": 70, "reason": "OIV"}})
    _agree(found)
    assert found["O1"][0] == (60.0, "scored")
    with pytest.raises(scorelang.ValuesError, match="SL316"):
        plan.evaluate(row, period="H1", neutralised={"O1": NEUTRAL})
    for engine in ENGINES:
        with pytest.raises(scorelang.ValuesError, match="SL316"):
            plan.evaluate_many([row], period="H1", engine=engine, neutralised={"O1": NEUTRAL})


@pytest.mark.parametrize("missing", ["value_zero", "error"])
def test_explain_names_a_plan_wide_missing_value_zero_or_error(missing):
    """`explain` of a plan with `missing value_zero` or `missing error` in its policy failed
    with a KeyError: its text knew only counts_zero and excluded."""
    plan = scorelang.loads(_plan("target >= 10", f"missing {missing}", "i0 50% i1 50%"))
    result = plan.evaluate({"i0": 5.0, "i1": 10.0}, period="H1")
    for node in result:
        text = explain_text(explain(plan, result, node.id))
        assert f"N/D policy: {missing} (" in text


@pytest.mark.parametrize("rule", [POINTS_TEXT, STEPS_TEXT, "tolerance 5%", "threshold 60% rescaled",
                                  "limits minimum 50 maximum 150", "baseline 40 formula progress"])
def test_numpy_engine_rounds_a_points_leaf_under_rollup_rounded(rule):
    """The merge's fix, untested until now: under `rollup rounded` the numpy engine skipped the
    rounding of a leaf scored by a leaf rule (a points table, a tolerance, ...)."""
    plan = scorelang.loads(_plan(f"target >= 100 {rule}", "rollup rounded display 0 half_up",
                                 "i0 50% i1 50%"))
    for value in (85.0, 87.3, 91.7, 77.7):
        found = _every_engine(plan, {"i0": value, "i1": 3.3})
        _agree(found)
        for engine_score, _ in found["O1/i0"]:
            assert engine_score == pytest.approx(round(engine_score), abs=1e-9)  # display 0


def test_a_neutralised_or_overridden_tbd_target_needs_no_previous_score():
    """Under `missing_target previous` every engine asked for a previous score (SL320) even
    for an indicator the monitoring neutralised or overrode, whose score it never reads."""
    plan = scorelang.loads(_plan("target >= tbd", "missing_target previous", "i0 50% i1 50%"))
    row = {"i0": 5.0, "i1": 5.0}
    found = _every_engine(plan, row, neutralised={"i0": NEUTRAL})
    _agree(found)
    assert found["O1"][0] == (50.0, "scored") and found["O1/i0"][0] == (None, "neutralised")
    found = _every_engine(plan, row, overrides={"i0": {"score": 70, "reason": "OIV"}})
    _agree(found)
    assert found["O1"][0] == (60.0, "scored")
    with pytest.raises(scorelang.ValuesError, match="SL320"):
        plan.evaluate(row, period="H1")


@pytest.mark.parametrize("decision", [
    {"previous": {"i0": 80}},
    {"neutralised": {"i0": NEUTRAL}},
    {"overrides": {"i0": {"score": 70, "reason": "OIV"}}},
    {"overrides": {"O1/i0": {"score": 70, "reason": "OIV"}}},
])
def test_whatif_drops_the_monitorings_decisions_about_a_dropped_indicator(decision):
    """`whatif --drop` of an indicator the values file neutralises, overrides or gives a
    previous score stopped with SL318 (unknown id) on the re-modulated plan."""
    from scorelang.engine.values import Values
    from scorelang.tools.whatif import Drop, whatif
    text = _plan("target >= tbd", "missing_target previous", "i0 50% i1 50%")
    values = Values.from_mapping({"i0": 5.0, "i1": 5.0}, **decision)
    if "previous" not in decision:
        values = Values.from_mapping({"i0": 5.0, "i1": 5.0}, previous={"i0": 80}, **decision)
    outcome = whatif(text, "p.score", values, [Drop("i0")], period="H1")
    assert outcome.after["O1"].score == pytest.approx(50.0)


def test_a_tbd_target_scored_only_in_a_scorecard_component_is_left_out_there():
    """An indicator scored only in a scorecard follows its `missing_target` rule there (§5.9):
    so it did in a flat scorecard, but in a component's parts it counted as an N/D 0."""
    text = _plan("target >= tbd", tree="i1 100%").replace(
        "indicator i1", "indicator i2 \"I2\" { unit N target >= 10 }\nindicator i1") + \
        'scorecard d "D" {\n  component c "C" 100% { i0 50% i2 50% }\n}\n'
    plan = scorelang.loads(text)
    (card,) = plan.evaluate({"i0": 5.0, "i1": 5.0, "i2": 5.0}, period="H1").scorecards
    assert card.score == pytest.approx(50.0)  # i2 alone: 5 / 10
