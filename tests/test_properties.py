"""Property tests of scorelang's scoring (hypothesis).

The plan strategy below writes random *valid plan text* (areas, objectives and groups nested
under them, weighted references to a pool of indicators, periodic targets, deadlines, a policy)
together with a matching values mapping, a period and a monitoring date. The same random plan is
also kept as a small Python tree (`PlanSpec`), which the tests use to know the tree's shape and
which `reference_evaluate` scores independently of `scoring.py`, straight from the semantics in
/work/shared/domain.md.

Scores in `Result` are percents; the reference works in fractions and the comparisons convert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import (HealthCheck, assume, currently_in_test_context, example, given, note,
                        settings)
from hypothesis import strategies as st

from scorelang.engine import scoring
from scorelang.api import loads
from scorelang.model import LateKind, LateRule, MissingPolicy
from scorelang.engine.rounding import half_up, percent

TOL = 1e-9  # on percents, as the brief asks
ABSENT = object()  # an indicator left out of the values mapping (N/D, with a warning)

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# ============================================================================================
# The random plan, as data
# ============================================================================================

@dataclasses.dataclass(frozen=True)
class IndicatorSpec:
    id: str
    direction: str | None  # ">=", "<=", "="; None for a deadline
    target: str | None  # number as written in the plan text
    percent_unit: bool = False  # target written with "%"
    periodic_h1: str | None = None  # periodic target for H1 (same direction), as written
    due: dt.date | None = None  # deadline indicators only

    @property
    def is_deadline(self) -> bool:
        return self.due is not None


@dataclasses.dataclass
class RefSpec:
    indicator: str
    weight: str  # percent as written ("40", "33.34")


@dataclasses.dataclass
class BranchSpec:
    kind: str  # "area", "objective", "group"
    code: str | None  # areas and objectives
    title: str
    slug: str | None  # groups: the id part their title gives (computed by hand here)
    weight: str | None
    children: list  # of BranchSpec | RefSpec


@dataclasses.dataclass
class PlanSpec:
    floor: str  # percent as written
    cap: str
    missing: str  # "counts_zero" | "excluded"
    late: str  # "zero" | "50%" | "linear 30 days"
    indicators: list[IndicatorSpec]
    areas: list[BranchSpec]

    def indicator(self, ind_id: str) -> IndicatorSpec:
        return next(i for i in self.indicators if i.id == ind_id)


@dataclasses.dataclass
class Scenario:
    spec: PlanSpec
    values: dict  # indicator id -> float | date | None (ABSENT ones left out)
    period: str | None  # passed to evaluate; None means the default (last declared, Y)
    as_of: dt.date | None  # passed to evaluate; None means the period's end

    @property
    def effective_period(self) -> str:
        return self.period or "Y"

    @property
    def effective_as_of(self) -> dt.date:
        return self.as_of or PERIOD_ENDS[self.effective_period]


PERIOD_ENDS = {"H1": dt.date(2020, 6, 30), "Y": dt.date(2020, 12, 31)}
GROUP_TITLES = [("Indicatori", "indicatori"), ("Obiettivi operativi", "obiettivi_operativi"),
                ("Gruppo tre", "gruppo_tre"), ("Gruppo 4", "gruppo_4")]
MAX_DEPTH = 3  # areas are depth 0; objectives/groups at depth 1-2; leaves at depth <= 3
YEAR_START = dt.date(2020, 1, 1)


def num_text(hundredths: int) -> str:
    """An integer number of hundredths as plan/decimal text: -1782 -> "-17.82", 300 -> "3"."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}"


# ---- rendering to plan text -------------------------------------------------------------------

def _shuffled(items: list, rng: random.Random | None) -> list:
    items = list(items)
    if rng is not None:
        rng.shuffle(items)
    return items


def render(spec: PlanSpec, rng: random.Random | None = None) -> str:
    """Plan text for the spec. With `rng`, every list of children (and the indicator
    declarations, and the areas) is written in a shuffled order."""
    lines = [
        'plan p "Piano di prova" {',
        '  period H1 "primo semestre" ends 2020-06-30',
        '  period Y "consuntivo" ends 2020-12-31',
        f"  policy {{ floor {spec.floor}% cap {spec.cap}% missing {spec.missing} "
        f"display 2 half_up late {spec.late} }}",
        "}",
    ]
    for ind in _shuffled(spec.indicators, rng):
        if ind.is_deadline:
            body = f"deadline {ind.due.isoformat()}"
        else:
            pct = "%" if ind.percent_unit else ""
            body = f"target {ind.direction} {ind.target}{pct}"
            if ind.periodic_h1 is not None:
                body += f" periodic H1 {ind.direction} {ind.periodic_h1}{pct}"
        lines.append(f'indicator {ind.id} "Indicatore {ind.id}" {{ {body} }}')

    def node(n, indent: str) -> None:
        if isinstance(n, RefSpec):
            lines.append(f"{indent}{n.indicator} {n.weight}%")
            return
        weight = f" weight {n.weight}%" if n.weight is not None else ""
        if n.kind == "group":
            head = f'group "{n.title}"{weight}'
        else:
            head = f'{n.kind} "{n.code}" "{n.title}"{weight}'
        lines.append(f"{indent}{head} {{")
        for child in _shuffled(n.children, rng):
            node(child, indent + "  ")
        lines.append(f"{indent}}}")

    for area in _shuffled(spec.areas, rng):
        node(area, "")
    return "\n".join(lines) + "\n"


# ---- tree walking over the spec ---------------------------------------------------------------

def child_id(child, parent_id: str) -> str:
    if isinstance(child, RefSpec):
        return f"{parent_id}/{child.indicator}"
    if child.kind == "group":
        return f"{parent_id}/{child.slug}"
    return child.code


def spec_nodes(spec: PlanSpec):
    """(id, parent id, node) for every node of the tree, pre-order."""
    out = []

    def visit(n, node_id, parent):
        out.append((node_id, parent, n))
        if isinstance(n, BranchSpec):
            for c in n.children:
                visit(c, child_id(c, node_id), node_id)

    for area in spec.areas:
        visit(area, area.code, None)
    return out


def used_indicators(spec: PlanSpec) -> list[str]:
    seen = []
    for _, _, n in spec_nodes(spec):
        if isinstance(n, RefSpec) and n.indicator not in seen:
            seen.append(n.indicator)
    return seen


# ============================================================================================
# Strategies
# ============================================================================================

def weight_split(draw, k: int) -> list[str]:
    """k sibling weights (as text) summing to exactly 100: 100 (or 10000 hundredths) cut at
    random points, with some children forced to 0 % (at least one stays positive)."""
    hundredths = draw(st.integers(0, 4)) == 0  # now and then 33.34 / 33.33 / 33.33 style
    total = 10000 if hundredths else 100
    zero = [draw(st.integers(0, 4)) == 0 for _ in range(k)]
    if all(zero):
        zero[draw(st.integers(0, k - 1))] = False
    live = [i for i in range(k) if not zero[i]]
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=len(live) - 1,
                                max_size=len(live) - 1)))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [total])]
    out = [0] * k
    for i, p in zip(live, parts):
        out[i] = p
    return [num_text(w) if hundredths else str(w) for w in out]


def _hundredths(draw) -> int:
    return draw(st.one_of(
        st.sampled_from([0, 0, 100, -100, 2200, 30000, -1800, -1782, 460, 226]),
        st.integers(-500, 500).map(lambda x: x * 100),
        st.integers(-50000, 50000),
    ))


@st.composite
def indicator_specs(draw, ind_id: str, directions=(">=", "<=", "=")) -> IndicatorSpec:
    if draw(st.integers(0, 4)) == 0:
        due = YEAR_START + dt.timedelta(days=draw(st.integers(0, 365)))
        return IndicatorSpec(ind_id, None, None, due=due)
    direction = draw(st.sampled_from(directions))
    target = num_text(_hundredths(draw))
    periodic = num_text(_hundredths(draw)) if draw(st.booleans()) else None
    return IndicatorSpec(ind_id, direction, target, draw(st.booleans()), periodic)


def _children(draw, depth: int, pool: list[str], codes) -> list:
    count = draw(st.integers(1, 4))
    kinds = []
    unused = list(pool)
    for _ in range(count):
        options = []
        if unused:
            options.append("ref")
        if depth < MAX_DEPTH:
            options += ["objective", "group"]
        if not options:
            break
        kind = draw(st.sampled_from(options))
        kinds.append(kind)
        if kind == "ref":
            # an indicator is used at most once under one parent
            pick = draw(st.sampled_from(unused))
            unused.remove(pick)
            kinds[-1] = ("ref", pick)
    weights = weight_split(draw, len(kinds))
    out = []
    groups = 0
    for kind, weight in zip(kinds, weights):
        if isinstance(kind, tuple):
            out.append(RefSpec(kind[1], weight))
        elif kind == "objective":
            code = str(300 + next(codes))
            out.append(BranchSpec("objective", code, f"Obiettivo {code}", None, weight,
                                  _children(draw, depth + 1, pool, codes)))
        else:
            title, slug = GROUP_TITLES[groups]
            groups += 1
            out.append(BranchSpec("group", None, title, slug, weight,
                                  _children(draw, depth + 1, pool, codes)))
    return out


POLICY_BOUNDS = [("0", "100"), ("0", "100"), ("10", "120"), ("25", "100"), ("-20", "150"),
                 ("0", "120")]


@st.composite
def plan_specs(draw, missing: str | None = None, bounds: tuple[str, str] | None = None,
               directions=(">=", "<=", "=")) -> PlanSpec:
    n = draw(st.integers(1, 8))
    indicators = [draw(indicator_specs(f"i{k}", directions)) for k in range(n)]
    pool = [i.id for i in indicators]
    codes = itertools.count(1)
    n_areas = draw(st.integers(1, 3))
    area_weights = weight_split(draw, n_areas) if draw(st.booleans()) else [None] * n_areas
    areas = [BranchSpec("area", str(a + 1), f"Area {a + 1}", None, area_weights[a],
                        _children(draw, 1, pool, codes))
             for a in range(n_areas)]
    floor, cap = bounds or draw(st.sampled_from(POLICY_BOUNDS))
    return PlanSpec(
        floor=floor, cap=cap,
        missing=missing or draw(st.sampled_from(["counts_zero", "excluded"])),
        late=draw(st.sampled_from(["zero", "zero", "50%", "linear 30 days", "linear 1 days"])),
        indicators=indicators, areas=areas,
    )


def _measured_value(draw, ind: IndicatorSpec):
    target = float(ind.target)
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return None
    if choice == 1:
        return ABSENT
    if choice == 2:
        return target
    if choice == 3 and ind.periodic_h1 is not None:
        return float(ind.periodic_h1)
    if choice == 4:
        return target + draw(st.sampled_from([-1, 1, -0.01, 0.01, 5, -5]))
    if choice in (5, 6):  # somewhere around the target: partial achievements
        return round(target * draw(st.integers(0, 160)) / 100, 2)
    return float(num_text(_hundredths(draw)))


@st.composite
def scenarios(draw, **plan_kw) -> Scenario:
    spec = draw(plan_specs(**plan_kw))
    period = draw(st.sampled_from([None, "H1", "Y"]))
    dues = [i.due for i in spec.indicators if i.is_deadline]
    as_of_choice = draw(st.integers(0, 3))
    if as_of_choice == 0:
        as_of = None  # the period's end
    elif as_of_choice == 1 and dues:  # on a due date, or a day either side of it
        as_of = draw(st.sampled_from(dues)) + dt.timedelta(days=draw(st.integers(-1, 1)))
    else:
        as_of = YEAR_START + dt.timedelta(days=draw(st.integers(0, 420)))
    as_of_eff = as_of or PERIOD_ENDS[period or "Y"]
    values = {}
    for ind in spec.indicators:
        if ind.is_deadline:
            choice = draw(st.integers(0, 4))
            if choice == 0:
                value = None  # not done
            elif choice == 1:
                value = ABSENT
            elif choice == 2 and ind.due <= as_of_eff:  # done on the due date or the day after
                value = min(as_of_eff, ind.due + dt.timedelta(days=draw(st.integers(0, 1))))
            else:  # done, on a day not after the monitoring date
                value = as_of_eff - dt.timedelta(days=draw(st.integers(0, 200)))
        else:
            value = _measured_value(draw, ind)
        if value is not ABSENT:
            values[ind.id] = value
    return Scenario(spec, values, period, as_of)


def evaluate(scenario: Scenario, spec: PlanSpec | None = None, values: dict | None = None,
             text: str | None = None):
    spec = spec or scenario.spec
    text = text or render(spec)
    if currently_in_test_context():
        note(text)
        note(f"values={values if values is not None else scenario.values!r} "
             f"period={scenario.period} as_of={scenario.as_of}")
    plan = loads(text)
    return plan.evaluate(dict(scenario.values if values is None else values),
                         period=scenario.period, as_of=scenario.as_of)


# ============================================================================================
# The independent reference evaluator (domain.md, not scoring.py)
# ============================================================================================

SCORED, MISSING, NOT_DUE = "scored", "missing", "not_due"


def ref_leaf(ind: IndicatorSpec, value, scenario: Scenario, floor: float, cap: float,
             late: str) -> tuple[str, float | None]:
    def clamp(x: float) -> tuple[str, float]:
        return SCORED, min(cap, max(floor, x))

    if ind.is_deadline:
        as_of = scenario.effective_as_of
        if value is None:
            # Not done: N/D while the deadline is ahead (or today), 0 once it has passed.
            return (NOT_DUE, None) if as_of <= ind.due else clamp(0.0)
        if value <= ind.due:
            return clamp(1.0)
        days_late = (value - ind.due).days
        if late == "zero":
            return clamp(0.0)
        if late.endswith("%"):
            return clamp(float(late[:-1]) / 100)
        n_days = int(late.split()[1])
        return clamp(max(0.0, 1.0 - days_late / n_days))

    if value is None:
        return MISSING, None
    # periodic target first: in H1 a declared periodic target replaces the annual one
    t = float(ind.periodic_h1) if scenario.effective_period == "H1" and \
        ind.periodic_h1 is not None else float(ind.target)
    v = value
    if ind.direction == "=":
        achievement = 1.0 if v == t else 0.0
    elif t == 0:
        # no ratio to a zero target: reached (100 %) or not (0 %)
        reached = v >= 0 if ind.direction == ">=" else v <= 0
        achievement = 1.0 if reached else 0.0
    elif ind.direction == ">=":
        # value / target for the (documented) positive targets; for a negative target the
        # distance above the target relative to |target|, the mirror of the <= rule
        achievement = v / t if t > 0 else 1.0 + (v - t) / abs(t)
    else:  # "<="
        achievement = 1.0 - (v - t) / abs(t)
    return clamp(achievement)


def ref_parent(children: list[tuple[float, tuple[str, float | None]]],
               excluded: bool) -> tuple[str, float | None]:
    """Weighted sum of the children; weights in percent. 0 % children are not counted."""
    counted = [(w, s) for w, s in children if w > 0]
    if not counted:
        return MISSING, None
    reported = [(w, s[1]) for w, s in counted if s[0] == SCORED]
    if not reported:
        statuses = {s[0] for _, s in counted}
        return (NOT_DUE, None) if statuses == {NOT_DUE} else (MISSING, None)
    if excluded:
        # N/D children dropped, the remaining weights re-normalised
        total_w = sum(w for w, _ in reported)
        return SCORED, sum(w * s for w, s in reported) / total_w
    # counts_zero: an N/D child keeps its weight and counts 0; weights that sum to 100 % ± 0.01
    # (which check accepts) are taken as shares of their sum, so a parent never passes the cap
    return SCORED, sum(w * s for w, s in reported) / sum(w for w, _ in counted)


def reference_evaluate(scenario: Scenario) -> tuple[dict[str, tuple[str, float | None]],
                                                      tuple[str, float | None] | None]:
    """Every node's (status, score as a FRACTION) and the plan's (None without area weights)."""
    spec = scenario.spec
    floor, cap = float(spec.floor) / 100, float(spec.cap) / 100
    excluded = spec.missing == "excluded"
    out: dict[str, tuple[str, float | None]] = {}

    def score(n, node_id):
        if isinstance(n, RefSpec):
            ind = spec.indicator(n.indicator)
            result = ref_leaf(ind, scenario.values.get(ind.id), scenario, floor, cap, spec.late)
        else:
            result = ref_parent([(float(c.weight), score(c, child_id(c, node_id)))
                                 for c in n.children], excluded)
        out[node_id] = result
        return result

    area_scores = [(a, score(a, a.code)) for a in spec.areas]
    plan_score = None
    if all(a.weight is not None for a in spec.areas):
        plan_score = ref_parent([(float(a.weight), s) for a, s in area_scores], excluded)
    return out, plan_score


# ============================================================================================
# Helpers on results
# ============================================================================================

def scores_of(result) -> dict[str, float | None]:
    return {node.id: node.score for node in result}


def ancestors(result, node_id: str) -> list[str]:
    out = []
    parent = result[node_id].parent
    while parent is not None:
        out.append(parent)
        parent = result[parent].parent
    return out


def assert_same_scores(a: dict, b: dict, what: str) -> None:
    assert a.keys() == b.keys()
    for node_id in a:
        x, y = a[node_id], b[node_id]
        assert (x is None) == (y is None), f"{what}: {node_id}: {x} vs {y}"
        if x is not None:
            assert abs(x - y) <= TOL, f"{what}: {node_id}: {x} vs {y}"


# ============================================================================================
# 1. Bounds
# ============================================================================================

def _fully_reported(result, node_id: str) -> bool:
    """True when no positive-weight descendant of the node is N/D."""
    node = result[node_id]
    if node.status != "scored":
        return False
    return all(_fully_reported(result, c.id) for c in result.children(node_id)
               if c.weight and c.weight > 0)


@FAST
@given(scenarios())
def test_every_score_stays_between_the_policy_floor_and_cap(scenario):
    """Leaves are floored and capped, and a weighted mean of bounded children stays bounded.

    Under `excluded` every node lies in [floor, cap]. Under `counts_zero` an N/D child counts 0
    (domain.md: "N/D counts as 0 but keeps its weight"), which is below a positive floor; so a
    parent with an N/D weighted descendant is only bounded below by min(floor, 0), and a parent
    without one by the floor itself.
    """
    spec = scenario.spec
    floor, cap = float(spec.floor), float(spec.cap)
    result = evaluate(scenario)
    for node in result:
        if node.score is None:
            assert node.status in ("missing", "not_due")
            continue
        assert node.status == "scored"
        lower = floor
        if spec.missing == "counts_zero" and node.kind != "indicator" \
                and not _fully_reported(result, node.id):
            lower = min(floor, 0.0)
        assert lower - TOL <= node.score <= cap + TOL, (node.id, node.score, lower, cap)
    if result.score is not None:
        lower = floor if spec.missing == "excluded" else min(floor, 0.0)
        assert lower - TOL <= result.score <= cap + TOL


@FAST
@given(scenarios(bounds=("10", "120")))
def test_with_floor_10_and_cap_120_fully_reported_plans_stay_within_10_and_120(scenario):
    # Drop every N/D: each measured indicator gets a value, each deadline is past due or done.
    spec = scenario.spec
    values = {}
    for ind in spec.indicators:
        v = scenario.values.get(ind.id)
        if ind.is_deadline:
            values[ind.id] = v if v is not None else scenario.effective_as_of
        else:
            values[ind.id] = v if v is not None else float(ind.target) * 7 - 3
    result = evaluate(scenario, values=values)
    for node in result:
        assert node.status == "scored", node.id
        assert 10 - TOL <= node.score <= 120 + TOL, (node.id, node.score)


@st.composite
def tolerated_weight_sums(draw) -> list[str]:
    """2-4 sibling weights in hundredths whose total is 99.99, 100.00 or 100.01 (all accepted
    by the ±0.01 check), none of them 0."""
    k = draw(st.integers(2, 4))
    total = draw(st.sampled_from([9999, 10000, 10001]))
    cuts = sorted(draw(st.lists(st.integers(1, total - 1), min_size=k - 1, max_size=k - 1,
                                unique=True)))
    return [num_text(b - a) for a, b in zip([0] + cuts, cuts + [total])]


def _all_at_cap_plan(weights: list[str], missing: str) -> tuple[str, dict]:
    decls = "".join(f'indicator i{k} "I{k}" {{ target >= 1 }}\n' for k in range(len(weights)))
    refs = " ".join(f"i{k} {w}%" for k, w in enumerate(weights))
    text = (f'plan p "T" {{ policy {{ floor 0% cap 100% missing {missing} }} }}\n{decls}'
            f'area "1" "Area" {{ objective "301" "O" weight 100% {{ {refs} }} }}\n')
    return text, {f"i{k}": 1000.0 for k in range(len(weights))}


@settings(max_examples=100, deadline=None)
@given(tolerated_weight_sums())
@example(["33.34", "33.34", "33.33"])
def test_weights_off_100_within_the_check_tolerance_stay_within_cap_when_nd_is_excluded(
        weights):
    text, values = _all_at_cap_plan(weights, "excluded")
    note(text)
    result = loads(text).evaluate(values)
    assert abs(result["301"].score - 100.0) <= TOL


@settings(max_examples=100, deadline=None)
@given(tolerated_weight_sums())
@example(["33.34", "33.34", "33.33"])
def test_weights_off_100_within_the_check_tolerance_never_push_a_parent_above_cap(weights):
    """Property 1 on the weights the checker lets through: every child at the cap, the parent
    must not exceed the cap (regression: sums of 100.01 % once gave 100.01 % under counts_zero)."""
    text, values = _all_at_cap_plan(weights, "counts_zero")
    note(text)
    result = loads(text).evaluate(values)
    assert result["301"].score <= 100.0 + TOL, result["301"].score


# ============================================================================================
# 2. Weight scaling under `excluded`
# ============================================================================================

child_scores = st.one_of(
    st.floats(-1.0, 2.0, allow_nan=False),
    st.sampled_from([scoring.NOT_REPORTED, scoring.NOT_DUE, 0.0, 1.0]),
)
weighted_children = st.lists(
    st.tuples(st.one_of(st.just(0.0), st.floats(1e-3, 1.0)), child_scores),
    min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(weighted_children, st.floats(1e-3, 1e3))
def test_scaling_all_sibling_weights_by_a_constant_changes_nothing_when_nd_is_excluded(
        children, factor):
    before = scoring.aggregate(children, MissingPolicy.EXCLUDED)
    after = scoring.aggregate([(w * factor, s) for w, s in children], MissingPolicy.EXCLUDED)
    if isinstance(before, scoring.Missing):
        assert after == before
    else:
        assert not isinstance(after, scoring.Missing)
        assert math.isclose(after, before, rel_tol=1e-9, abs_tol=1e-12), (before, after)


@settings(max_examples=200, deadline=None)
@given(weighted_children)
def test_excluded_weights_renormalise_to_the_mean_of_the_reported_children(children):
    """The value `excluded` scales to: Σ w·s / Σ w over the reported, positive-weight children."""
    got = scoring.aggregate(children, MissingPolicy.EXCLUDED)
    reported = [(w, s) for w, s in children if w > 0 and not isinstance(s, scoring.Missing)]
    if not reported:
        assert isinstance(got, scoring.Missing)
    else:
        expected = sum(w * s for w, s in reported) / sum(w for w, _ in reported)
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


# ============================================================================================
# 3. Monotonicity
# ============================================================================================

@FAST
@given(scenarios(directions=(">=", "<=")), st.data())
def test_raising_a_higher_is_better_value_never_lowers_any_ancestor(scenario, data):
    """Improving one measured value (up for `>=`, down for `<=`) can only raise its uses and
    their ancestors; every other node is unchanged; N/D-ness does not change."""
    spec = scenario.spec
    candidates = [i for i in used_indicators(spec) if not spec.indicator(i).is_deadline]
    assume(candidates)
    ind = spec.indicator(data.draw(st.sampled_from(candidates), label="indicator"))
    low = data.draw(st.integers(-60000, 60000), label="low hundredths")
    step = data.draw(st.integers(1, 60000), label="improvement in hundredths")
    worse, better = float(num_text(low)), float(num_text(low + step))
    if ind.direction == "<=":
        worse, better = better, worse
    before = evaluate(scenario, values={**scenario.values, ind.id: worse})
    after = evaluate(scenario, values={**scenario.values, ind.id: better})

    uses = [node.id for node in before if node.indicator == ind.id]
    affected = set(uses) | {a for u in uses for a in ancestors(before, u)}
    for node in before:
        x, y = node.score, after[node.id].score
        assert (x is None) == (y is None), (node.id, x, y)
        assert node.status == after[node.id].status, node.id
        if x is None:
            continue
        if node.id in affected:
            assert y >= x - TOL, f"{node.id} fell from {x} to {y}"
        else:
            assert y == x, f"{node.id} changed from {x} to {y} though {ind.id} is not under it"
    if before.score is not None:
        assert after.score >= before.score - TOL


# ============================================================================================
# 4. Order of children
# ============================================================================================

@FAST
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_order_in_which_children_are_written_does_not_change_any_score(scenario, rng):
    plain = evaluate(scenario)
    permuted = evaluate(scenario, text=render(scenario.spec, rng))
    assert_same_scores(scores_of(plain), scores_of(permuted), "permuted")
    assert {n.id: n.status for n in plain} == {n.id: n.status for n in permuted}
    assert (plain.score is None) == (permuted.score is None)
    if plain.score is not None:
        assert abs(plain.score - permuted.score) <= TOL


# ============================================================================================
# 5. counts_zero = N/D replaced by a zero-achieving value
# ============================================================================================

def zero_achieving(ind: IndicatorSpec, scenario: Scenario) -> float:
    """A measured value whose raw achievement is ≤ 0, for the target used in the period."""
    t = float(ind.periodic_h1) if scenario.effective_period == "H1" and \
        ind.periodic_h1 is not None else float(ind.target)
    if ind.direction == ">=":
        return t - 2 * abs(t) - 1
    return t + 2 * abs(t) + 1  # "<=" (beyond twice the target) and "=" (not equal)


@FAST
@given(scenarios(missing="counts_zero", bounds=("0", "100")))
def test_counts_zero_scores_nd_like_a_value_achieving_nothing_except_all_nd_parents(scenario):
    """With floor 0 %, `counts_zero` scores an N/D measured indicator exactly as a value that
    achieves 0 % — EXCEPT that a parent whose positive-weight children are ALL N/D is N/D itself
    (where the replaced plan gives it 0 %). Deadlines are left as they are in both runs."""
    spec = scenario.spec
    replaced_values = dict(scenario.values)
    for ind in spec.indicators:
        if not ind.is_deadline and scenario.values.get(ind.id) is None:
            replaced_values[ind.id] = zero_achieving(ind, scenario)
    original = evaluate(scenario)
    replaced = evaluate(scenario, values=replaced_values)

    for node in original:
        other = replaced[node.id]
        counted_children = [c for c in original.children(node.id) if c.weight and c.weight > 0]
        if node.kind != "indicator":
            # The exception, stated: N/D exactly when every positive-weight child is N/D.
            all_nd = all(c.score is None for c in counted_children)
            assert (node.score is None) == all_nd, node.id
        if node.score is not None:
            assert other.score is not None, node.id
            assert abs(node.score - other.score) <= TOL, (node.id, node.score, other.score)
        elif node.status == "missing" and node.kind == "indicator":
            assert other.score is not None and abs(other.score) <= TOL, node.id
        else:
            # An N/D parent: in the replaced plan it scores 0 %, unless it is still N/D there
            # (all its counted children are deadlines not yet due, or such parents).
            assert other.score is None or abs(other.score) <= TOL, (node.id, other.score)
            if other.score is None:
                assert other.status == "not_due" and node.status == "not_due", node.id


# ============================================================================================
# 6. Reference implementation
# ============================================================================================

def assert_matches_reference(scenario: Scenario) -> None:
    result = evaluate(scenario)
    expected, plan_expected = reference_evaluate(scenario)
    if plan_expected is not None:  # the plan's total is the root node (issue 18)
        expected = {**expected, result.plan_id: plan_expected}
    assert {n.id for n in result} == set(expected)
    for node in result:
        status, fraction = expected[node.id]
        assert node.status == status, (node.id, node.status, status)
        if fraction is None:
            assert node.score is None, node.id
        else:
            assert node.score is not None, node.id
            assert abs(node.score - fraction * 100) <= TOL, (node.id, node.score, fraction * 100)
    if plan_expected is None or plan_expected[1] is None:
        assert result.score is None
    else:
        assert result.score is not None
        assert abs(result.score - plan_expected[1] * 100) <= TOL


@pytest.mark.parametrize("missing", ["counts_zero", "excluded"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_node_scores_as_the_reference_reading_of_the_domain_rules(missing, data):
    """Each missing policy pinned in turn; directions >=, <=, =; positive, negative and zero
    targets; periodic targets; N/D values and absent entries; deadlines; 0 % weights; floors
    and caps other than 0/100; fixed and linear late rules."""
    assert_matches_reference(data.draw(scenarios(missing=missing), label="scenario"))


def test_reference_reproduces_the_document_examples():
    """Anchor the reference itself on domain.md's figures (so a wrong reference cannot pass)."""
    spec = PlanSpec("0", "100", "counts_zero", "zero", [
        IndicatorSpec("partecipanti", ">=", "600", periodic_h1="300"),
        IndicatorSpec("pagamenti", "<=", "-18"),
        IndicatorSpec("giorni", "<=", "4.60"),
        IndicatorSpec("turisti", ">=", "5", percent_unit=True),
        IndicatorSpec("zero", "=", "0"),
        IndicatorSpec("entro", None, None, due=dt.date(2020, 10, 31)),
    ], [BranchSpec("area", "1", "Area", None, None, [
        BranchSpec("objective", "301", "O", None, "100", [
            RefSpec("partecipanti", "20"), RefSpec("pagamenti", "20"), RefSpec("giorni", "20"),
            RefSpec("turisti", "20"), RefSpec("zero", "20"), RefSpec("entro", "0")])])])
    scenario = Scenario(spec, {"partecipanti": 143, "pagamenti": -17.82, "giorni": 2.26,
                               "turisti": -1527.97, "zero": 36782, "entro": None},
                        "H1", dt.date(2020, 6, 30))
    expected, _ = reference_evaluate(scenario)
    assert round(expected["301/partecipanti"][1] * 100, 2) == 47.67
    assert round(expected["301/pagamenti"][1] * 100, 2) == 99.0
    assert expected["301/giorni"][1] == 1.0
    assert expected["301/turisti"][1] == 0.0
    assert expected["301/zero"][1] == 0.0
    assert expected["301/entro"][0] == NOT_DUE
    result = evaluate(scenario)
    for node_id, (status, fraction) in expected.items():
        assert result[node_id].status == status
        if fraction is not None:
            assert abs(result[node_id].score - fraction * 100) <= TOL
    # 802: five operational objectives at 20 %: 100, N/D, 25, 98.82, 100 -> 64.76 %
    children = [(20, (SCORED, 1.0)), (20, (MISSING, None)), (20, (SCORED, 0.25)),
                (20, (SCORED, 0.9882)), (20, (SCORED, 1.0))]
    assert round(ref_parent(children, excluded=False)[1] * 100, 2) == 64.76
    assert ref_parent([(100, (NOT_DUE, None))], excluded=False) == (NOT_DUE, None)


# ============================================================================================
# 7. Display rounding
# ============================================================================================

six_place_decimals = st.one_of(
    st.decimals(min_value=-10**8, max_value=10**8, places=6, allow_nan=False,
                allow_infinity=False),
    st.tuples(st.integers(-10**13, 10**13), st.integers(0, 6)).map(
        lambda p: Decimal(p[0]).scaleb(-p[1])),
    # exact ties at the third decimal: x.xx5
    st.integers(-10**7, 10**7).map(lambda n: Decimal(n * 10 + 5).scaleb(-3)),
)


@settings(max_examples=200, deadline=None)
@given(six_place_decimals)
@example(Decimal("32.125"))
@example(Decimal("70.125"))
@example(Decimal("0.005"))
@example(Decimal("-2.675"))
def test_display_rounds_half_up_on_the_decimal_value_not_on_the_binary_float(d):
    assert half_up(float(d), 2) == d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-10**4, max_value=10**4, places=6, allow_nan=False,
                   allow_infinity=False))
@example(Decimal("32.125"))
def test_a_fraction_shown_as_percent_rounds_half_up_on_its_decimal_value(d):
    assert percent(float(d) / 100) == d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("value, shown", [
    (32.125, "32.13"), (70.125, "70.13"), (55.125, "55.13"), (69.375, "69.38"),
    (257 / 800 * 100, "32.13"), (57.444444444444, "57.44"),
])
def test_document_figures_display_half_up(value, shown):
    assert half_up(value, 2) == Decimal(shown)


def test_pythons_round_would_show_32_12_which_is_why_half_up_exists():
    assert round(32.125, 2) == 32.12
    assert half_up(32.125, 2) == Decimal("32.13")
    assert percent(257 / 800) == Decimal("32.13")


def test_a_scored_node_displays_257_over_800_as_32_13():
    text = """
plan p "T" { period H1 "h" ends 2020-06-30 policy { display 2 half_up } }
indicator a "A" { target >= 800 }
area "1" "Area" { objective "301" "O" weight 100% { a 100% } }
"""
    result = loads(text).evaluate({"a": 257})
    assert result["301/a"].display == "32.13"
    assert result["301"].display == "32.13"


# ============================================================================================
# 8. Deadlines
# ============================================================================================

dates = st.dates(dt.date(2019, 1, 1), dt.date(2022, 12, 31))
late_rules = st.one_of(
    st.just(LateRule(LateKind.ZERO)),
    st.integers(0, 100).map(lambda p: LateRule(LateKind.FIXED, share=p / 100)),
    st.integers(1, 400).map(lambda n: LateRule(LateKind.LINEAR, days=n)),
)


@settings(max_examples=200, deadline=None)
@given(dates, st.one_of(st.none(), dates), late_rules)
def test_an_open_deadline_is_not_due_until_its_date_has_passed(due, as_of, late):
    got = scoring.deadline_achievement(due, None, as_of, late)
    if as_of is None or as_of <= due:
        assert got == scoring.NOT_DUE
    else:
        assert got == 0.0


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 800), st.integers(0, 400), late_rules)
def test_a_deadline_done_on_or_before_its_date_scores_full(due, early, after, late):
    completed = due - dt.timedelta(days=early)
    as_of = completed + dt.timedelta(days=after)
    assert scoring.deadline_achievement(due, completed, as_of, late) == 1.0
    assert scoring.deadline_achievement(due, completed, None, late) == 1.0


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(1, 800))
def test_a_deadline_done_late_scores_zero_under_the_default_rule(due, days_late):
    completed = due + dt.timedelta(days=days_late)
    assert scoring.deadline_achievement(due, completed, completed, LateRule(LateKind.ZERO)) == 0.0


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(1, 365), st.integers(0, 800), st.integers(0, 800))
def test_with_late_linear_the_score_never_rises_with_lateness_and_stays_in_0_1(
        due, n_days, lateness_a, lateness_b):
    rule = LateRule(LateKind.LINEAR, days=n_days)
    a, b = sorted((lateness_a, lateness_b))
    score_a = scoring.deadline_achievement(due, due + dt.timedelta(days=a), None, rule)
    score_b = scoring.deadline_achievement(due, due + dt.timedelta(days=b), None, rule)
    for s in (score_a, score_b):
        assert isinstance(s, float) and 0.0 <= s <= 1.0
    assert score_b <= score_a
    if b >= n_days:
        assert score_b == 0.0
    if 0 < a < n_days:
        assert score_a > 0.0
