"""The rules of issue 19 together: random plans that mix leaf rules (tolerance, thresholds, gap,
progress from a baseline, limits, steps and points tables, value_zero, `tbd` targets, deadlines),
aggregations per branch and for the plan total, `rollup rounded`, links, and the monitoring's
neutralisations, overrides and previous scores.

Each generated plan must be valid (`check` finds no error) and formatted text must not move under
`fmt`. On it: `evaluate`, both batch engines, the JSON report and a small reference scorer written
here from docs/language.md §5 must agree on every node; and neutralising an indicator must be the
same as dropping it from the text, its siblings re-weighted in proportion."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.api import diagnose
from scorelang.syntax.format import format_text

MIXED = settings(max_examples=60, deadline=None,
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
        out.missing_target = draw(st.sampled_from([None, "skip", "previous"]))
    out.value_zero = draw(st.integers(0, 4)) == 0
    return out


def _value(draw, indicator: Indicator, period: str) -> Any:
    if indicator.kind == "deadline":
        if draw(st.integers(0, 3)) == 0:
            return None
        last = (ENDS[period] - dt.date(2020, 1, 1)).days
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
           codes: list[str]) -> Block:
    out = Block(kind, code, weight, draw(st.sampled_from([None, None, *AGGREGATES])))
    count = draw(st.integers(1, 3))
    raw = [draw(st.integers(1, 9)) for _ in range(count)]
    for number, share in enumerate(_shares(raw)):
        choice = draw(st.integers(0, 5)) if depth < 2 else 0
        if choice <= 2 or not pool[1:]:
            out.children.append(Use(pool.pop(0), share) if pool else Use("__", share))
        elif choice <= 4:
            codes.append(f"{code}.{number}")
            out.children.append(draw(blocks("objective", f"{code}.{number}", share, depth + 1,
                                            pool, codes)))
        else:
            out.children.append(draw(blocks("group", f"G{code}.{number}", share, depth + 1,
                                            pool, codes)))
    return out


@st.composite
def plans(draw, adjust: bool = True) -> Drawn:
    count = draw(st.integers(2, 7))
    names = [f"i{n}" for n in range(count)]
    found = [draw(indicators(name)) for name in names]
    pool = list(names)
    areas: list[Block] = []
    codes: list[str] = []
    area_count = draw(st.integers(1, 2))
    weighted_areas = draw(st.booleans())
    shares = _shares([draw(st.integers(1, 9)) for _ in range(area_count)])
    for number in range(area_count):
        if not pool:
            break
        code = f"A{number + 1}"
        area = draw(blocks("area", code, shares[number] if weighted_areas else None, 0, pool,
                           codes if number == area_count - 1 else []))
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
    found = [i for i in found if i.name in taken]
    # Links: from the first area to the last one's objectives (or to the last area itself),
    # so never round a circle.
    codes = [b.code for b in _walk(areas[-1]) if isinstance(b, Block) and b.kind != "group"]
    if len(areas) == 2 and draw(st.booleans()):
        target = draw(st.sampled_from(codes))
        host = draw(st.sampled_from([b for b in _walk(areas[0]) if isinstance(b, Block)]))
        share = float(draw(st.integers(10, 50)))
        rest = 100.0 - share
        for child in host.children:
            child.weight = child.weight * rest / 100.0
        host.children.append(Link(target, share))
    missing = draw(st.sampled_from(["counts_zero", "excluded", "value_zero"]))
    policy = Policy(floor=draw(st.sampled_from([0.0, 0.1])),
                    cap=draw(st.sampled_from([1.0, 1.2])), missing=missing,
                    aggregate=draw(st.sampled_from([None, *AGGREGATES])),
                    rollup=draw(st.sampled_from(["unrounded", "rounded"])),
                    places=draw(st.integers(0, 3)),
                    missing_target=draw(st.sampled_from(["skip", "previous"])))
    if not any(i.target is None or i.periodic is None for i in found):
        policy.missing_target = None
    period = draw(st.sampled_from(["H1", "Y"]))
    values = {i.name: _value(draw, i, period) for i in found}
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
    previous = {i.name: draw(st.integers(0, 120000)) / 1000.0 for i in found
                if _rule_of(i, policy) == "previous"}
    return Drawn(policy, found, areas, period, values, neutralised, overrides, previous)


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
    return [100.0 * r / total for r in raw]


def _group_id(areas: list[Block], group: Block) -> str:
    def find(block: Block, prefix: str) -> str | None:
        here = prefix if block.kind != "group" else prefix
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


def _rows(drawn: Drawn, more: int = 1) -> list[dict[str, Any]]:
    """The drawn values, then the same with every value N/D."""
    return [drawn.values] + [dict.fromkeys(drawn.values)] * more


@MIXED
@given(plans())
def test_evaluate_both_batch_engines_and_the_json_report_agree_on_mixed_plans(drawn):
    text, plan = loaded(drawn)
    extra = adjustments(drawn)
    rows = _rows(drawn)
    results = [plan.evaluate(row, period=drawn.period, **extra) for row in rows]
    for engine in ENGINES:
        batch = plan.evaluate_many(rows, period=drawn.period, engine=engine, **extra)
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
    a = plan.evaluate(drawn.values, period=drawn.period, **extra)
    b = again.evaluate(drawn.values, period=drawn.period, **extra)
    assert [(n.id, n.score, n.status) for n in a] == [(n.id, n.score, n.status) for n in b]


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
