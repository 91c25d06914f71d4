"""scorelang against the yardsticks of issue 6, side by side in one run; prints a ratio table.

    python3 benchmarks/run.py            # every goal; exit 1 when one is missed
    python3 benchmarks/run.py --quick    # smoke mode for CI: small sizes, checks it all runs

Each line times scorelang and its yardstick in alternation (best of several rounds, so that a
busy machine hurts both alike) and divides. Before timing, each yardstick's figures are checked
against scorelang's: a faster wrong answer is not a result. Goals are ratios (scorelang ÷
yardstick) except the cold start (seconds) and the scaling (slowest ÷ fastest time per leaf).
The peers (zen-engine, datalogic-py) are measured when `pip install '.[bench]'` installed them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import gc
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs  # noqa: E402
import yaml  # noqa: E402

import baselines  # noqa: E402
import scorelang  # noqa: E402

RULES = ROOT / "rules" / "cciaa-modena-2020.score"
VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"


def best(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def side_by_side(ours: Callable[[], Any], theirs: Callable[[], Any], number: int,
                 rounds: int) -> tuple[float, float]:
    """Best time per call of each, measured in alternating rounds."""
    a = b = math.inf
    for _ in range(rounds):
        a = min(a, best(ours, number))
        b = min(b, best(theirs, number))
    return a, b


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        self.missed: list[str] = []

    def add(self, what: str, ours: str, theirs: str, value: float | None, goal: float | None,
            unit: str = "×") -> None:
        if value is None:
            verdict = "skipped" if goal is not None or not ours else "info"
        elif goal is None:
            verdict = "info"
        elif value <= goal:
            verdict = "met"
        else:
            verdict = "MISSED"
            self.missed.append(what)
        shown = "—" if value is None else f"{value:.2f}{unit}" if unit == "×" else f"{value:.3f} {unit}"
        bar = "—" if goal is None else f"≤ {goal:g}{unit}" if unit == "×" else f"< {goal:g} {unit}"
        self.rows.append((what, ours, theirs, shown, bar, verdict))

    def print(self) -> None:
        head = ("measure", "scorelang", "yardstick", "ratio", "goal", "")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(6)]
        for row in [head, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def micro(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms" \
        if seconds < 1 else f"{seconds:,.2f} s"


# ---------------------------------------------------------------------------------------------


def agree(result: scorelang.Result, figures: dict[str, Any]) -> None:
    for node in result:
        theirs = figures[node.id]
        if isinstance(theirs, str):
            assert node.status == theirs, (node.id, node.status, theirs)
        else:
            assert node.score is not None and abs(node.score - theirs * 100) < 1e-9, node.id


def scalar(table: Table, plan: scorelang.Plan, values: scorelang.Values, quick: bool) -> None:
    tree = baselines.tree_of(plan.definition, values.period)
    as_of = values.as_of
    agree(plan.evaluate(values), baselines.evaluate_recursive(tree, values.values, as_of))
    number, rounds = (50, 3) if quick else (500, 15)
    ours, theirs = side_by_side(lambda: plan.evaluate(values),
                                lambda: baselines.evaluate_recursive(tree, values.values, as_of),
                                number, rounds)
    table.add(f"evaluate, {len(plan.evaluate(values))} nodes", micro(ours),
              micro(theirs) + " recursive", ours / theirs, 1.2)
    read, _ = side_by_side(lambda: plan.evaluate(values).to_dict(), lambda: None, number // 5 or 1,
                           3)
    table.add("evaluate + to_dict()", micro(read), "", None if quick else read / theirs, None)


def scenarios_of(values: scorelang.Values, count: int, seed: int = 6) -> list[dict[str, Any]]:
    """The monitoring, perturbed: each measured number ×0.5…1.5, 5 % of them N/D."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        row: dict[str, Any] = {}
        for name, value in values.values.items():
            if isinstance(value, float):
                row[name] = None if rng.random() < 0.05 else value * rng.uniform(0.5, 1.5)
            else:
                row[name] = value
        rows.append(row)
    return rows


def batch(table: Table, plan: scorelang.Plan, values: scorelang.Values, quick: bool) -> None:
    try:
        import numpy as np
    except ImportError:
        table.add("evaluate_many (numpy)", "", "", None, 1.5)
        print("note: numpy is not installed: the batch goal is skipped "
              "(pip install '.[numpy]')")
        return
    count = 500 if quick else 10_000
    rows = scenarios_of(values, count)
    names = [i.id for i in plan.definition.indicators]
    columns = baselines.columns_of(rows, names)
    period, as_of = values.period, values.as_of
    tree = baselines.tree_of(plan.definition, period)
    # The yardstick agrees with scorelang before it is timed; scorelang's batch with its scalar.
    found = plan.evaluate_many(rows, period=period, as_of=as_of)
    theirs_scores, _ = baselines.evaluate_numpy(tree, columns, as_of, count)
    for i in range(0, count, max(1, count // 50)):
        result = plan.evaluate(rows[i], period=period, as_of=as_of)
        for node in result:
            mine = found.score(i, node.id)
            assert node.status == found.status(i, node.id), (i, node.id)
            assert (mine is None) == (node.score is None), (i, node.id)
            if mine is not None and node.score is not None:
                assert abs(mine - node.score) <= 1e-12 * max(1.0, abs(node.score)), (i, node.id)
                assert abs(theirs_scores[node.id][i] * 100 - node.score) < 1e-9, (i, node.id)
    # Columnar: what a DataFrame or a simulation hands over: float columns (NaN for N/D) and
    # datetime64 columns (NaT: not done) for the deadlines; the yardstick gets day ordinals.
    table_columns: dict[str, Any] = {}
    for name in names:
        column = [row.get(name) for row in rows]
        if any(isinstance(v, dt.date) for v in column) or \
                plan.definition.indicators[names.index(name)].deadline is not None:
            table_columns[name] = np.array(["NaT" if v is None else v for v in column],
                                           dtype="datetime64[D]")
        else:
            table_columns[name] = np.array([math.nan if v is None else v for v in column])
    rounds = 2 if quick else 5
    ours, theirs = side_by_side(
        lambda: plan.evaluate_many(table_columns, period=period, as_of=as_of),
        lambda: baselines.evaluate_numpy(tree, columns, as_of, count), 1, rounds)
    table.add(f"evaluate_many, {count:,} scenarios, columns", micro(ours),
              micro(theirs) + " numpy", ours / theirs, 1.5)
    ours, theirs = side_by_side(
        lambda: plan.evaluate_many(rows, period=period, as_of=as_of),
        lambda: baselines.evaluate_numpy(tree, baselines.columns_of(rows, names), as_of, count),
        1, rounds)
    table.add(f"evaluate_many, {count:,} scenarios, rows", micro(ours),
              micro(theirs) + " numpy", ours / theirs, 1.5)
    small = rows[: count // 10]
    pure, theirs = side_by_side(
        lambda: plan.evaluate_many(small, period=period, as_of=as_of, engine="python"),
        lambda: [baselines.evaluate_recursive(tree, r, as_of) for r in small], 1, 2)
    table.add(f"  pure-Python engine, {len(small):,} rows", micro(pure),
              micro(theirs) + " recursive", pure / theirs, None)


def yaml_rendering(definition: Any) -> str:
    """The plan model as YAML: the same content a YAML-based rule format would carry."""
    def plain(instance: Any, attribute: Any, value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        return value

    def written(attribute: Any, value: Any) -> bool:
        """What a person would write: no positions, no empty or default settings."""
        if attribute.name in ("span", "source") or value is None or value == ():
            return False
        return attribute.default is attrs.NOTHING or isinstance(attribute.default, attrs.Factory) \
            or value != attribute.default
    data = attrs.asdict(definition, value_serializer=plain, filter=written)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parsing(table: Table, rules: Path, quick: bool) -> None:
    text = rules.read_text(encoding="utf-8")
    rendered = yaml_rendering(scorelang.loads(text).definition)
    number, rounds = (1, 2) if quick else (3, 5)
    os.environ["SCORELANG_CACHE"] = "off"  # the parser itself
    try:
        ours, theirs = side_by_side(lambda: scorelang.loads(text, str(rules)),
                                    lambda: yaml.load(rendered, Loader=yaml.CSafeLoader), number,
                                    rounds)
    finally:
        del os.environ["SCORELANG_CACHE"]
    # Information, no longer a goal: one parser (Lark, as designed) is worth more than the
    # milliseconds a second, hand-written one saved, and the compiled-plan cache below takes
    # parsing out of repeated runs (docs/performance.md).
    table.add("parse + build + check", micro(ours), micro(theirs) + " CSafeLoader",
              ours / theirs, None)
    scorelang.loads(text, str(rules))  # into the compiled-plan cache
    ours, theirs = side_by_side(lambda: scorelang.loads(text, str(rules)),
                                lambda: yaml.load(rendered, Loader=yaml.CSafeLoader), number,
                                rounds)
    table.add("  the same, from the compiled-plan cache", micro(ours),
              micro(theirs) + " CSafeLoader", ours / theirs, None)


def generated_plan(leaves: int) -> tuple[str, dict[str, float]]:
    """A plan of `leaves` indicators: areas of objectives of ten indicators each."""
    per_objective, per_area = 10, 10
    objectives = max(1, leaves // per_objective)
    areas = max(1, math.ceil(objectives / per_area))
    out = ['plan generated "Generated" {', "  period Y \"Year\" ends 2020-12-31", "}"]
    values = {}
    for i in range(leaves):
        out.append(f'indicator i{i} "Indicator {i}" {{\n  target >= {100 + i % 7}\n}}')
        values[f"i{i}"] = float(80 + (i * 37) % 60)
    area_weights = _weights(areas)
    objective = 0
    for a in range(areas):
        count = min(per_area, objectives - a * per_area)
        out.append(f'area "A{a}" "Area {a}" weight {area_weights[a]}% {{')
        weights = _weights(count)
        for o in range(count):
            out.append(f'  objective "O{objective}" "Objective {objective}" weight {weights[o]}% {{')
            first = objective * per_objective
            last = leaves if objective == objectives - 1 else first + per_objective
            inner = _weights(last - first)
            out.extend(f"    i{i} {inner[i - first]}%" for i in range(first, last))
            out.append("  }")
            objective += 1
        out.append("}")
    return "\n".join(out) + "\n", values


def _weights(count: int) -> list[str]:
    """`count` weights in hundredths of a percent summing to exactly 100 %."""
    base = 10_000 // count
    weights = [base] * count
    weights[-1] += 10_000 - base * count
    return [f"{w // 100}.{w % 100:02d}" for w in weights]


def scaling(table: Table, quick: bool) -> None:
    """Time per leaf at each size, scorelang and the recursive evaluator, measured in a process
    of its own (`scaling_times`).

    A new process, because the sections before this one leave the heap fragmented (ten
    thousand scenario dicts, dozens of parsed plans): the big plans built after them lie
    scattered in memory, and the per-leaf time of the 10k and 100k plans then measured how
    much, not how the evaluator scales. A process that scores a big plan starts clean too.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--scaling-times"]
    done = subprocess.run(command + (["--quick"] if quick else []), check=True,
                          capture_output=True, text=True, cwd=ROOT)
    times = {int(size): pair for size, pair in json.loads(done.stdout).items()}
    per_leaf = [ours / size for size, (ours, _) in times.items()]
    for size, (ours, theirs) in times.items():
        table.add(f"evaluate, generated plan of {size:,} leaves",
                  f"{ours / size * 1e9:,.0f} ns/leaf",
                  f"{theirs / size * 1e9:,.0f} ns/leaf recursive", ours / theirs, None)
    table.add("scaling: slowest ÷ fastest time per leaf", "", "", max(per_leaf) / min(per_leaf),
              None if quick else 1.5)


def scaling_times(quick: bool) -> dict[int, tuple[float, float]]:
    """Size -> (scorelang, recursive evaluator) seconds per call.

    The goal compares sizes with each other, so the sizes are timed in alternating rounds too,
    not one after the other: on this shared machine the speed drifts by half for seconds at a
    time, and a size timed alone in a slow spell would look slower per leaf than it is. Every
    size scores the same number of leaves per round (a 1k plan 200 times, a 100k plan twice),
    so that rounds of equal length meet the same interruptions; a fixed 3 calls made a 100k
    plan's rounds ten times longer than a 1k plan's of 20 calls.
    """
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    leaves_per_round = 20_000 if quick else 200_000
    # The recursive evaluator is timed for information only, on a quarter of the leaves, so
    # that the rounds are many and short: a size whose every round met a slow spell is what
    # makes this ratio jump between runs.
    rounds = 3 if quick else 15

    def case(size: int) -> tuple[Callable[[], Any], Callable[[], Any]]:
        text, values = generated_plan(size)
        plan = scorelang.loads(text)
        checked = scorelang.Values.from_mapping(values)
        plan.evaluate(checked)
        tree = baselines.tree_of(plan.definition, None)
        return (lambda: plan.evaluate(checked),
                lambda: baselines.evaluate_recursive(tree, values, None))

    cases = {size: case(size) for size in sizes}
    gc.collect()  # the parser's garbage: not to be collected while timing
    ours = dict.fromkeys(sizes, math.inf)
    theirs = dict.fromkeys(sizes, math.inf)
    for _ in range(rounds):
        for size, (evaluate, recursive) in cases.items():
            number = max(1, leaves_per_round // size)
            ours[size] = min(ours[size], best(evaluate, number))
            theirs[size] = min(theirs[size], best(recursive, max(1, number // 4)))
    return {size: (ours[size], theirs[size]) for size in sizes}


def cold_start(table: Table, quick: bool) -> None:
    """`scorelang check rules/` in a new process, as a pre-commit hook runs it: with the
    compiled-plan cache warm (primed first, in a temporary directory, never the user's cache),
    and with the cache off (the parser every time), timed in alternating rounds."""
    import tempfile

    command = [sys.executable, "-m", "scorelang", "check", str(ROOT / "rules")]

    def seconds(env: dict[str, str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="scorelang-cache-") as folder:
        warm_env = {k: v for k, v in os.environ.items() if k != "SCORELANG_CACHE"}
        warm_env["SCORELANG_CACHE_DIR"] = folder
        off_env = {**warm_env, "SCORELANG_CACHE": "off"}
        seconds(warm_env)  # fills the cache
        warm = off = math.inf
        for _ in range(1 if quick else 5):
            warm = min(warm, seconds(warm_env))
            off = min(off, seconds(off_env))
    table.add("`scorelang check rules/`, new process, warm cache", "", "", warm,
              None if quick else 0.3, unit="s")
    table.add("  the same, cache off", "", "", off, None, unit="s")


def peers(table: Table, plan: scorelang.Plan, values: scorelang.Values, quick: bool) -> None:
    """scorelang against each engine, scoring what `plan.evaluate` scores (every node: the goal)
    and, for information, the three areas only (less than scorelang does)."""
    tree = baselines.tree_of(plan.definition, values.period)
    import peers as peer_module
    result = plan.evaluate(values)
    for name, make in peer_module.PEERS.items():
        for nodes in ("every", "areas"):
            what = f"evaluate vs {name}" if nodes == "every" else f"  {name}, areas only"
            try:
                evaluate = make(tree, values.as_of, nodes)
            except ImportError as exc:
                if nodes == "every":
                    print(f"note: {name} not measured: {exc} (pip install '.[bench]')")
                    table.add(what, "", "", None, None)
                break
            figures = evaluate(values.values)
            assert len(figures) == (len(result) if nodes == "every" else len(tree["roots"]))
            for node, score in figures.items():  # N/D counts 0 (see peers.py)
                assert abs((result[node].score or 0.0) - score * 100) < 1e-7, (name, node)
            # As many calls and rounds as the scalar section times the same call with: with
            # fewer, the best round of each side is likelier to have met a slow spell.
            number, rounds = (50, 3) if quick else (500, 15)
            gc.collect()
            ours, theirs = side_by_side(lambda: plan.evaluate(values),
                                        lambda: evaluate(values.values), number, rounds)
            table.add(what, micro(ours), micro(theirs), ours / theirs,
                      1.0 if nodes == "every" else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode: small sizes, no goals")
    parser.add_argument("--only", action="append", default=[],
                        choices=["scalar", "batch", "parse", "scaling", "cold", "peers"])
    parser.add_argument("--rules", type=Path, default=RULES, help="the plan (default: Modena's)")
    parser.add_argument("--scaling-times", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scaling_times:  # the worker of `scaling`: JSON on stdout
        print(json.dumps(scaling_times(args.quick)))
        return 0
    plan = scorelang.load(args.rules)
    values = scorelang.load_values(VALUES)
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{platform.processor() or platform.system()}; "
          f"{len(plan.program(values.period).nodes)} nodes, "
          f"{len(plan.definition.indicators)} indicators; {'quick' if args.quick else 'full'} run")
    table = Table()
    # The huge generated plans of "scaling" go last: they leave the heap bigger for what follows.
    sections: dict[str, Callable[[], None]] = {
        "scalar": lambda: scalar(table, plan, values, args.quick),
        "peers": lambda: peers(table, plan, values, args.quick),
        "batch": lambda: batch(table, plan, values, args.quick),
        "parse": lambda: parsing(table, args.rules, args.quick),
        "cold": lambda: cold_start(table, args.quick),
        "scaling": lambda: scaling(table, args.quick),
    }
    for name, run in sections.items():
        if not args.only or name in args.only:
            gc.collect()
            run()
    table.print()
    if args.quick:
        print("quick run: goals are shown, not enforced")
        return 0
    if table.missed:
        print("missed: " + "; ".join(table.missed))
        return 1
    print("every goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
