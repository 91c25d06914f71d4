"""scorelang against plain yardsticks and its peers, at every size (issue 15); one table of ratios.

    python3 benchmarks/run.py            # every goal, 1k to 100k indicators (about 10 minutes)
    python3 benchmarks/run.py --full     # the same with the 1M-indicator plan too
    python3 benchmarks/run.py --quick    # smoke mode for CI: small sizes, goals shown only
    python3 benchmarks/run.py --only memory --full   # the 1M peak memory alone (minutes)

What cannot flatter, and how:
- the plans are generated with a realistic mix (`plans.py`: every direction and formula,
  tolerances, thresholds and score tables, periodic targets, deadlines met, late, missed and
  not due, N/D at 10 %, 0 % weights, 4–6 levels, shared indicators), plus Modena's own;
- values go in as a user passes them (a plain dict; DataFrame columns; a YAML file read by
  `load_values`), and every node's score is read back from the result in the timed call;
- the yardsticks are written plainly (`baselines.py`: a recursive evaluator of a tree of dicts
  returning every node's score; the same building JSON-shaped dicts; a level-wise numpy
  evaluator with no Python per node) and agree with scorelang before they are timed;
- each line is timed in interleaved rounds (scorelang, yardstick, scorelang, ...), and the
  ratio shown is the median of the rounds' ratios, with their min–max: a busy machine (this
  one is shared) slows both sides of a round alike;
- each size runs in a fresh process, and peak memory is measured in fresh processes of its own.
Exit status 1 when a goal is missed (not in --quick).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baselines  # noqa: E402
import plans  # noqa: E402
import scorelang  # noqa: E402

RULES = ROOT / "rules" / "cciaa-modena-2020.score"
VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"
REALISTIC = 120  # indicators of the realistic plan of the one-evaluation lines (Modena-sized)


# ---- timing --------------------------------------------------------------------------------


def per_call(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


class Stats:
    """Seconds per call of each side, per round, and the rounds' ratios."""

    def __init__(self, ours: Sequence[float], theirs: Sequence[float]):
        self.ours, self.theirs = list(ours), list(theirs)
        self.ratios = [a / b for a, b in zip(self.ours, self.theirs)] if theirs else []

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    def to_json(self) -> dict[str, list[float]]:
        return {"ours": self.ours, "theirs": self.theirs}

    @classmethod
    def from_json(cls, data: dict[str, list[float]]) -> Stats:
        return cls(data["ours"], data["theirs"])


def interleaved(ours: Callable[[], Any], theirs: Callable[[], Any] | None, number: int,
                rounds: int, their_number: int | None = None) -> Stats:
    """Each round times `number` calls of ours, then of theirs; a collection between rounds,
    none during them (the garbage of a round is not the next one's bill)."""
    a, b = [], []
    for _ in range(rounds):
        gc.collect()
        a.append(per_call(ours, number))
        if theirs is not None:
            gc.collect()
            b.append(per_call(theirs, their_number or number))
    return Stats(a, b)


def shown(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    return f"{seconds * 1e3:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def spread(values: Sequence[float], unit: Callable[[float], str] = shown) -> str:
    return f"{unit(statistics.median(values))} [{unit(min(values))}–{unit(max(values))}]" \
        if len(values) > 1 else unit(values[0])


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed: list[str] = []

    def add(self, what: str, ours: str, theirs: str, value: float | None, goal: float | None,
            spread_of: Sequence[float] = (), unit: str = "×") -> None:
        if value is None:
            verdict = "skipped" if goal is not None or not ours else "info"
        elif goal is None:
            verdict = "info"
        elif value <= goal:
            verdict = "met"
        else:
            verdict = "MISSED"
            self.missed.append(what)
        if value is None:
            figure = "—"
        elif unit == "×":
            figure = f"{value:.2f}×" + (f" [{min(spread_of):.2f}–{max(spread_of):.2f}]"
                                        if len(spread_of) > 1 else "")
        else:
            figure = f"{value:.3g} {unit}"
        bar = "—" if goal is None else f"≤ {goal:g}{unit}" if unit == "×" else \
            f"≤ {goal:g} {unit}"
        self.rows.append((what, ours, theirs, figure, bar, verdict))

    def compare(self, what: str, stats: Stats, yardstick: str, goal: float | None) -> None:
        self.add(what, spread(stats.ours), spread(stats.theirs) + " " + yardstick, stats.ratio,
                 goal, stats.ratios)

    def print(self) -> None:
        head = ("measure", "scorelang, median [min–max]", "yardstick", "ratio [min–max]",
                "goal", "")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(6)]
        for row in [head, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


# ---- agreement -----------------------------------------------------------------------------


def agree(result: scorelang.Result, figures: dict[str, Any], what: str) -> None:
    """Every node of scorelang's result has the yardstick's figure (to 1e-9 points) or status,
    and `Result.scores()` / `statuses()` read the same as the nodes."""
    assert len(result) == len(figures), (what, len(result), len(figures))
    assert result.scores() == {node.id: node.score for node in result}, what
    assert result.statuses() == {node.id: node.status for node in result}, what
    for node in result:
        theirs = figures[node.id]
        if isinstance(theirs, str):
            assert node.status == theirs, (what, node.id, node.status, theirs)
        else:
            assert node.score is not None and abs(node.score - theirs * 100) < 1e-9, \
                (what, node.id, node.score, theirs)


def own_copy(tree: dict[str, Any]) -> dict[str, Any]:
    """The generated plan's tree as a program that read it from a file of its own holds it.

    The generator makes each indicator's id once and uses that very string object both in the
    tree and as the values' key, so every lookup of the yardstick was an identity hit: no
    program that reads a plan and its values from two sources has that (scorelang reads its ids
    from the rule text, and the memory worker already unpickles the tree). Found in issue 15's
    second round: at 10 000 indicators it was most of the yardstick's lead in the size worker.
    """
    return pickle.loads(pickle.dumps(tree))


def read_scores(result: scorelang.Result) -> list[float | None]:
    """What a user reads back: every node's score, from its NodeResult."""
    return [node.score for node in result]


def every_score(result: scorelang.Result) -> dict[str, float | None]:
    """Every node's score, the documented way (docs/embedding.md: `Result.scores()`, node id
    -> percent or None, no NodeResult built)."""
    return result.scores()


# ---- one evaluation: the realistic plan and Modena -----------------------------------------


def scalar(table: Table, quick: bool) -> None:
    import yaml
    generated = plans.generate(REALISTIC)
    plan = scorelang.loads(generated.text, "generated.score")
    period, as_of, tree = plans.PERIOD, plans.AS_OF, own_copy(generated.tree)
    values = generated.values
    agree(plan.evaluate(values, period=period, as_of=as_of),
          baselines.evaluate_recursive(tree, values, as_of), "realistic plan")
    number, rounds = (20, 3) if quick else (300, 15)
    nodes = len(plan.evaluate(values, period=period, as_of=as_of))
    stats = interleaved(
        lambda: every_score(plan.evaluate(values, period=period, as_of=as_of)),
        lambda: baselines.evaluate_recursive(tree, values, as_of), number, rounds)
    table.compare(f"evaluate(dict) + read every score, realistic plan ({nodes} nodes)", stats,
                  "recursive", 1.0)
    stats = interleaved(
        lambda: read_scores(plan.evaluate(values, period=period, as_of=as_of)),
        lambda: baselines.evaluate_recursive(tree, values, as_of), number, rounds)
    table.compare("  the same read as [n.score for n in result]", stats, "recursive", None)
    checked = scorelang.Values.from_mapping(values, period=period, as_of=as_of)
    stats = interleaved(lambda: every_score(plan.evaluate(checked)),
                        lambda: baselines.evaluate_recursive(tree, values, as_of), number,
                        rounds)
    table.compare("  the same from checked Values", stats, "recursive", None)
    stats = interleaved(lambda: plan.evaluate(values, period=period, as_of=as_of),
                        lambda: baselines.evaluate_recursive(tree, values, as_of), number,
                        rounds)
    table.compare("  evaluate(dict) alone, nothing read", stats, "recursive", None)
    bands = [(b.id, b.lower) for b in plan.definition.bands]
    json_shaped = baselines.evaluate_json(tree, values, as_of, bands)
    assert len(json_shaped["nodes"]) == nodes
    stats = interleaved(
        lambda: plan.evaluate(values, period=period, as_of=as_of).to_dict(),
        lambda: baselines.evaluate_json(tree, values, as_of, bands), max(1, number // 3),
        rounds)
    table.compare("evaluate + to_dict(), realistic plan", stats, "recursive, JSON dicts", 2.0)
    # A values file: load_values (YAML) against the same file read by PyYAML's C loader and
    # scored by the recursive evaluator.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "values.yaml"
        path.write_text(generated.values_yaml(), encoding="utf-8")

        def theirs_file() -> Any:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            return baselines.evaluate_recursive(tree, document["values"], document["as_of"])

        def ours_file() -> Any:
            return every_score(plan.evaluate(scorelang.load_values(path)))
        agree(plan.evaluate(scorelang.load_values(path)), theirs_file(), "values file")
        stats = interleaved(ours_file, theirs_file, max(1, number // 10), rounds)
    table.compare("load_values(YAML) + evaluate + read every score", stats,
                  "CSafeLoader + recursive", None)
    # Modena (the figures of issue 6 kept): its own plan and June monitoring.
    modena = scorelang.load(RULES)
    june = scorelang.load_values(VALUES)
    given = dict(june.values)
    modena_tree = baselines.tree_of(modena.definition, june.period)
    agree(modena.evaluate(given, period=june.period, as_of=june.as_of),
          baselines.evaluate_recursive(modena_tree, given, june.as_of), "Modena")
    stats = interleaved(
        lambda: every_score(modena.evaluate(given, period=june.period, as_of=june.as_of)),
        lambda: baselines.evaluate_recursive(modena_tree, given, june.as_of), number, rounds)
    table.compare(f"Modena: evaluate(dict) + read every score ({len(modena.evaluate(june))} "
                  "nodes)", stats, "recursive", None)
    stats = interleaved(
        lambda: read_scores(modena.evaluate(given, period=june.period, as_of=june.as_of)),
        lambda: baselines.evaluate_recursive(modena_tree, given, june.as_of), number, rounds)
    table.compare("  the same read as [n.score for n in result]", stats, "recursive", None)
    modena_bands = [(b.id, b.lower) for b in modena.definition.bands]
    stats = interleaved(
        lambda: modena.evaluate(given, period=june.period, as_of=june.as_of).to_dict(),
        lambda: baselines.evaluate_json(modena_tree, given, june.as_of, modena_bands),
        max(1, number // 3), rounds)
    table.compare("Modena: evaluate + to_dict()", stats, "recursive, JSON dicts", None)
    peers(table, modena, june, modena_tree, number, rounds)


def peers(table: Table, plan: scorelang.Plan, values: scorelang.Values, tree: dict[str, Any],
          number: int, rounds: int) -> None:
    """scorelang against each engine on Modena (whose formulas their encoding covers), every
    node scored and read back on both sides."""
    import peers as peer_module
    given = dict(values.values)
    result = plan.evaluate(given, period=values.period, as_of=values.as_of)
    for name, make in peer_module.PEERS.items():
        try:
            evaluate = make(tree, values.as_of, "every")
        except ImportError as exc:
            print(f"note: {name} not measured: {exc} (pip install '.[bench]')")
            table.add(f"Modena: evaluate + read every score vs {name}", "", "", None, None)
            continue
        figures = evaluate(given)
        assert len(figures) == len(result)
        for node, score in figures.items():  # N/D counts 0 (see peers.py)
            assert abs((result[node].score or 0.0) - score * 100) < 1e-7, (name, node)
        stats = interleaved(
            lambda: every_score(plan.evaluate(given, period=values.period, as_of=values.as_of)),
            lambda: list(evaluate(given).values()), number, rounds)
        table.compare(f"Modena: evaluate + read every score vs {name}", stats, name, 1.0)


# ---- batches -------------------------------------------------------------------------------


def batch(table: Table, quick: bool) -> None:
    try:
        import numpy as np
    except ImportError:
        table.add("evaluate_many (numpy)", "", "", None, 1.2)
        print("note: numpy is not installed: the batch lines are skipped (pip install '.[numpy]')")
        return
    generated = plans.generate(REALISTIC)
    plan = scorelang.loads(generated.text, "generated.score")
    period, as_of = plans.PERIOD, plans.AS_OF
    names = list(generated.values)
    count = 500 if quick else 10_000
    rows = scenarios(generated, count)
    levelwise = baselines.Levelwise(generated.tree, names, as_of)
    node_ids = [node.id for node in plan.evaluate(rows[0], period=period, as_of=as_of)]
    where = {node_id: i for i, node_id in enumerate(levelwise.leaf_ids)}
    where_branch = {node_id: i for i, node_id in enumerate(levelwise.branch_ids)}
    # Agreement: scorelang's batch against its own scalar evaluation and the level-wise one.
    found = plan.evaluate_many(rows, period=period, as_of=as_of)
    leaf_scores, _, branch_scores, _ = levelwise.evaluate(baselines.matrix_of_rows(rows, names))
    for i in range(0, count, max(1, count // 40)):
        result = plan.evaluate(rows[i], period=period, as_of=as_of)
        for node in result:
            mine = found.score(i, node.id)
            assert node.status == found.status(i, node.id), (i, node.id)
            assert (mine is None) == (node.score is None), (i, node.id)
            if node.kind == "plan":
                # The level-wise yardstick stops at the areas (one node fewer than scorelang
                # works out: no flattery); the total is held to the scalar evaluation above.
                continue
            theirs = leaf_scores[i, where[node.id]] if node.id in where else \
                branch_scores[i, where_branch[node.id]]
            if mine is not None and node.score is not None:
                assert abs(mine - node.score) <= 1e-12 * max(1.0, abs(node.score)), (i, node.id)
                assert abs(theirs * 100 - node.score) < 1e-9, (i, node.id, theirs, node.score)
            else:
                assert math.isnan(theirs), (i, node.id)
    assert found.scores.shape == (count, len(node_ids))
    # Columns as a DataFrame holds them: floats (NaN for N/D), datetime64 for the deadlines.
    deadline = {leaf["indicator"] for leaf in _leaves(generated.tree) if "deadline" in leaf}
    columns: dict[str, Any] = {}
    for name in names:
        column = [row[name] for row in rows]
        if name in deadline:
            columns[name] = np.array(["NaT" if v is None else v for v in column],
                                     dtype="datetime64[D]")
        else:
            columns[name] = np.array([math.nan if v is None else v for v in column])
    try:
        import pandas as pd
        frame: Any = pd.DataFrame(columns)
        given = "DataFrame"
    except ImportError:
        frame, given = columns, "dict of arrays"
    epoch = dt.date(1970, 1, 1).toordinal()

    def their_columns() -> Any:
        out = {}
        for name in names:
            column = np.asarray(frame[name])
            if name in deadline:
                days = column.astype("datetime64[D]")
                out[name] = np.where(np.isnat(days), np.nan, days.astype("int64") + epoch)
            else:
                out[name] = column
        return levelwise.evaluate(baselines.matrix_of_columns(out, names))

    rounds = 3 if quick else 7
    stats = interleaved(
        lambda: plan.evaluate_many({name: np.asarray(frame[name]) for name in names},
                                   period=period, as_of=as_of).scores,
        their_columns, 1, rounds)
    table.compare(f"evaluate_many, {count:,} scenarios, columns ({given})", stats,
                  "level-wise numpy", 1.2)
    stats = interleaved(
        lambda: plan.evaluate_many(rows, period=period, as_of=as_of).scores,
        lambda: levelwise.evaluate(baselines.matrix_of_rows(rows, names)), 1, rounds)
    table.compare(f"evaluate_many, {count:,} scenarios, rows (dicts)", stats,
                  "level-wise numpy + conversion", 1.5)


def _leaves(tree: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def visit(node: dict[str, Any]) -> None:
        if "children" in node:
            for child in node["children"]:
                visit(child)
        else:
            out.append(node)
    for root in tree["roots"]:
        visit(root)
    return out


def scenarios(generated: plans.Generated, count: int, seed: int = 15) -> list[dict[str, Any]]:
    """The monitoring, perturbed: each measured number ×0.5…1.5, a tenth of them N/D; the
    deadlines as they are."""
    import random
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        row: dict[str, Any] = {}
        for name, value in generated.values.items():
            if isinstance(value, float):
                row[name] = None if rng.random() < 0.1 else round(value * rng.uniform(0.5, 1.5), 3)
            else:
                row[name] = value
        out.append(row)
    return out


# ---- sizes: reading, the cache, one evaluation, memory; each size in a fresh process -------


def sizes_of(quick: bool, full: bool) -> tuple[int, ...]:
    if quick:
        return (500, 2_000)
    return (1_000, 10_000, 100_000, 1_000_000) if full else (1_000, 10_000, 100_000)


def lark_bare() -> Any:
    """Lark's own LALR parser of the grammar, building a bare tree (no positions, no post-lexer
    checks): what parsing costs before scorelang does anything of its own."""
    from lark import Lark

    from scorelang.syntax.parser import grammar_text
    return Lark(grammar_text(), parser="lalr", maybe_placeholders=False)


def size_worker(size: int, quick: bool) -> dict[str, Any]:
    """One size, timed in this (fresh) process: JSON of the per-round seconds."""
    from scorelang.engine.compile import compile_plan
    from scorelang.model import collector_paused
    generated = plans.generate(size)
    text = generated.text
    values = generated.values
    period, as_of = plans.PERIOD, plans.AS_OF
    bare = lark_bare()
    # Small sizes take more rounds: a 1k reading is a quarter of a second, and three rounds
    # of it once made the per-indicator line's smallest size its slowest by noise alone
    # (1.40x; 187 us an indicator at 1k against 193 at 10k measured in a process of its own);
    # with seven at 1k, the next run's slowest was 10k, at three rounds (1.37x).
    rounds = 1 if size >= 1_000_000 else 2 if size >= 100_000 or quick \
        else 7
    out: dict[str, Any] = {"size": size, "nodes": generated.nodes}
    with tempfile.TemporaryDirectory(prefix="scorelang-bench-cache-") as folder:
        os.environ["SCORELANG_CACHE_DIR"] = folder

        def cold() -> scorelang.Plan:
            os.environ["SCORELANG_CACHE"] = "off"
            try:
                return scorelang.loads(text, "generated.score")
            finally:
                del os.environ["SCORELANG_CACHE"]
        plan = scorelang.loads(text, "generated.score")  # fills the cache
        # Each round: no cache, Lark's bare parse, the warm cache; reading is the first
        # against the second, the cache the third against the first, round by round.
        colds, bares, paused, warms, checks = [], [], [], [], []

        def bare_paused() -> Any:
            # scorelang pauses the cycle collector while it builds a plan (model.
            # collector_paused); Lark's bare parse so treated too, for the line that shows how
            # much of the ratio that pause is.
            with collector_paused():
                return bare.parse(text)
        for _ in range(rounds):
            for times, call in ((colds, cold), (bares, lambda: bare.parse(text)),
                                (paused, bare_paused),
                                (warms, lambda: scorelang.loads(text, "generated.score")),
                                (checks, lambda: scorelang.api.check_text(text,
                                                                          "generated.score"))):
                gc.collect()
                times.append(per_call(call, 1))
        reading, cache = Stats(colds, bares), Stats(warms, colds)
        checking = Stats(checks, colds)
        reading_paused = Stats(colds, paused)
        # Peak memory while reading (tracemalloc, after the timings: it slows what it traces).
        reading_peak = traced_peak(cold), traced_peak(lambda: bare.parse(text))
        del os.environ["SCORELANG_CACHE_DIR"]
    definition = plan.definition
    compiling = interleaved(lambda: compile_plan(definition, definition.period(period)), None,
                            1, rounds)
    tree = own_copy(generated.tree)
    agree(plan.evaluate(values, period=period, as_of=as_of),
          baselines.evaluate_recursive(tree, values, as_of), f"{size} indicators")
    number = max(1, (20_000 if quick else 200_000) // size)
    evaluating = interleaved(
        lambda: every_score(plan.evaluate(values, period=period, as_of=as_of)),
        lambda: baselines.evaluate_recursive(tree, values, as_of), number,
        # Five rounds at every size: at 1M two gave 0.94 and 1.11, too few to tell a median
        # (the evaluation is seconds beside the minutes of reading that plan).
        3 if quick else 5)
    out.update(reading=reading.to_json(), cache=cache.to_json(), reading_peak=reading_peak,
               compile=compiling.ours, evaluate=evaluating.to_json(),
               check=checking.to_json(), reading_paused=reading_paused.to_json())
    return out


def traced_peak(call: Callable[[], Any]) -> int:
    """Bytes allocated at the peak of one call and not freed before it (tracemalloc)."""
    import tracemalloc
    gc.collect()
    tracemalloc.start()
    try:
        kept = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del kept
    return peak


def memory_worker(what: str, folder: Path) -> int:
    """Peak RSS (KiB) this process added, from after its imports to the end of one scoring:
    `scorelang` loads the plan file (cache off), compiles and scores it, reading every score;
    `tree` unpickles the plain tree of dicts and scores it with the recursive evaluator."""
    if what == "scorelang":
        # The engine's imports and the parser that reads plans, ready before the baseline (as
        # the tree's side has its imports): a small plan read and scored once, cache off.
        os.environ["SCORELANG_CACHE"] = "off"
        scorelang.load(RULES).evaluate(scorelang.load_values(VALUES)).scores()
    values = pickle.loads((folder / "values.pickle").read_bytes())
    gc.collect()
    before = _rss_reset()
    if what == "scorelang":
        os.environ["SCORELANG_CACHE"] = "off"
        # The 1M-indicator plan is 105 MB, over the 64 MiB a file may have unless its user
        # says otherwise (SL006): said, as its user would.
        os.environ["SCORELANG_MAX_FILE_BYTES"] = "0"
        plan = scorelang.load(folder / "plan.score")
        every_score(plan.evaluate(values, period=plans.PERIOD, as_of=plans.AS_OF))
    else:
        tree = pickle.loads((folder / "tree.pickle").read_bytes())
        baselines.evaluate_recursive(tree, values, plans.AS_OF)
    return _rss_peak() - before


def _rss_reset() -> int:
    """The resident set now (KiB), after resetting the peak (Linux: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def _rss_peak() -> int:
    return _status("VmHWM")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def child_peak(command: list[str], env: dict[str, str] | None = None) -> int:
    """Peak RSS (KiB) of a command, measured by a process of its own that runs nothing else."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *command], check=True,
                          capture_output=True, text=True, env=env)
    return int(done.stdout.split()[-1])


def sizes(table: Table, quick: bool, full: bool) -> None:
    me = [sys.executable, str(Path(__file__).resolve())]
    found = {}
    for size in sizes_of(quick, full):
        done = subprocess.run(me + ["--size-worker", str(size)] + (["--quick"] if quick else []),
                              check=True, capture_output=True, text=True, cwd=ROOT)
        found[size] = json.loads(done.stdout)
    per_indicator = {}
    for size, data in found.items():
        reading = Stats.from_json(data["reading"])
        evaluating = Stats.from_json(data["evaluate"])
        cache = Stats.from_json(data["cache"])
        table.compare(f"{size:,} indicators: parse + build + check", reading, "Lark bare tree",
                      2.0)
        table.compare(f"{size:,} indicators: the same, Lark's collector paused too",
                      Stats.from_json(data["reading_paused"]),
                      "Lark bare tree, collector paused", None)
        ours_peak, bare_peak = data["reading_peak"]
        table.add(f"{size:,} indicators: parse + build + check, peak traced memory",
                  f"{ours_peak / 2**20:,.1f} MiB", f"{bare_peak / 2**20:,.1f} MiB Lark bare tree",
                  ours_peak / bare_peak, None)
        table.compare(f"{size:,} indicators: warm cache", cache, "cache off", 1.0)
        table.compare(f"{size:,} indicators: warm cache, diagnostics only (`check`)",
                      Stats.from_json(data["check"]), "cache off", None)
        table.add(f"{size:,} indicators: compile", spread(data["compile"]), "", None, None)
        table.compare(f"{size:,} indicators: evaluate(dict) + read every score", evaluating,
                      "recursive", 1.0)
        per_indicator[size] = (statistics.median(reading.ours) + statistics.median(data["compile"])
                               + statistics.median(evaluating.ours)) / size
    for size, seconds in per_indicator.items():
        table.add(f"{size:,} indicators: load + compile + evaluate, per indicator",
                  shown(seconds), "", None, None)
    growth = max(per_indicator.values()) / min(per_indicator.values())
    table.add("per-indicator time, largest ÷ smallest size", "", "", growth, 1.3)
    memory(table, quick, full)


# The size of the issue's goal for `scorelang score`'s peak RSS.
SCORE_GOAL_SIZE = 100_000


def memory(table: Table, quick: bool, full: bool) -> None:
    """Peak memory of load + evaluate at the largest size against the plain tree, and
    `scorelang score`'s peak RSS at 100k indicators (the issue's goal), or at the largest size
    below it: a full run, whose largest plan is 1M, measures it on a 100k plan of its own."""
    me = [sys.executable, str(Path(__file__).resolve())]
    biggest = sizes_of(quick, full)[-1]
    with tempfile.TemporaryDirectory(prefix="scorelang-bench-") as folder:
        place = _plan_files(biggest, Path(folder))
        peak = {}
        for what in ("scorelang", "tree"):
            done = subprocess.run(me + ["--memory-worker", what, folder], check=True,
                                  capture_output=True, text=True, cwd=ROOT)
            peak[what] = max(1, int(done.stdout.split()[-1])) / 1024
        table.add(f"{biggest:,} indicators: peak memory of load + evaluate",
                  f"{peak['scorelang']:,.0f} MiB", f"{peak['tree']:,.0f} MiB tree of dicts",
                  peak["scorelang"] / peak["tree"], 2.0 if biggest >= 1_000_000 else None)
        if biggest <= SCORE_GOAL_SIZE:
            command_rss(table, biggest, place)
    if biggest > SCORE_GOAL_SIZE:
        with tempfile.TemporaryDirectory(prefix="scorelang-bench-") as folder:
            command_rss(table, SCORE_GOAL_SIZE, _plan_files(SCORE_GOAL_SIZE, Path(folder)))


def _plan_files(size: int, place: Path) -> Path:
    """A generated plan of `size` indicators written into `place` as a user has it (the rule
    file and a YAML values file) and as the memory workers read it (pickles)."""
    generated = plans.generate(size)
    (place / "plan.score").write_text(generated.text, encoding="utf-8")
    (place / "values.pickle").write_bytes(pickle.dumps(generated.values))
    (place / "tree.pickle").write_bytes(pickle.dumps(generated.tree))
    (place / "values.yaml").write_text(generated.values_yaml(), encoding="utf-8")
    return place


def command_rss(table: Table, size: int, place: Path) -> None:
    """`scorelang score` on the plan in `place`, peak RSS: cache off, then as a user runs it."""
    # The goal is in MB (10**6 bytes): getrusage gives KiB.
    goal = 300.0 if size >= SCORE_GOAL_SIZE else None
    command = [sys.executable, "-m", "scorelang", "score", str(place / "plan.score"),
               "--values", str(place / "values.yaml")]
    env = {**os.environ, "SCORELANG_CACHE": "off"}
    table.add(f"`scorelang score`, {size:,} indicators, cache off, peak RSS", "", "",
              child_peak(command, env) * 1024 / 1e6, goal, unit="MB")
    # The JSON contract, written node by node (report.json): no goal of its own.
    table.add(f"`scorelang score --format json`, {size:,} indicators, cache off, peak RSS",
              "", "", child_peak(command + ["--format", "json"], env) * 1024 / 1e6, None,
              unit="MB")
    # As a user runs it: the cache on, its entry written the first time, read the next (the
    # goal is for every run a user makes).
    with tempfile.TemporaryDirectory(prefix="scorelang-bench-cache-") as cache:
        env = {**os.environ, "SCORELANG_CACHE_DIR": cache}
        env.pop("SCORELANG_CACHE", None)
        for run in ("cache written", "warm cache"):
            table.add(f"`scorelang score`, {size:,} indicators, {run}, peak RSS", "", "",
                      child_peak(command, env) * 1024 / 1e6, goal, unit="MB")


# ---- reading Modena, and the cold start --------------------------------------------------


def parsing(table: Table, quick: bool) -> None:
    text = RULES.read_text(encoding="utf-8")
    bare = lark_bare()
    os.environ["SCORELANG_CACHE"] = "off"
    try:
        stats = interleaved(lambda: scorelang.loads(text, str(RULES)), lambda: bare.parse(text),
                            1 if quick else 5, 3 if quick else 9)
    finally:
        del os.environ["SCORELANG_CACHE"]
    table.compare("Modena: parse + build + check", stats, "Lark bare tree", 2.0)


def cold_start(table: Table, quick: bool) -> None:
    """`scorelang check rules/` in a new process, as a pre-commit hook runs it, with the
    compiled-plan cache warm (primed first, in a temporary directory, never the user's cache)
    and with it off, in alternating rounds; the interpreter alone for comparison."""
    command = [sys.executable, "-m", "scorelang", "check", str(ROOT / "rules")]

    def seconds(env: dict[str, str], what: list[str] = command) -> float:
        start = time.perf_counter()
        subprocess.run(what, check=True, capture_output=True, cwd=ROOT, env=env)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="scorelang-cache-") as folder, \
            tempfile.TemporaryDirectory(prefix="scorelang-pycache-") as pycache:
        warm_env = {k: v for k, v in os.environ.items() if k != "SCORELANG_CACHE"}
        warm_env["SCORELANG_CACHE_DIR"] = folder
        off_env = {**warm_env, "SCORELANG_CACHE": "off"}
        # As an installed package runs (pip compiles the bytecode): Python's own .pyc files,
        # kept in a folder of their own. The line above runs as this process is told to: with
        # PYTHONDONTWRITEBYTECODE set (as where these figures were first taken), every module
        # of scorelang is compiled from source at each start.
        compiled_env = {k: v for k, v in warm_env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        compiled_env["PYTHONPYCACHEPREFIX"] = pycache
        seconds(warm_env)  # fills the cache
        seconds(compiled_env)  # writes the bytecode
        warm, off, bare, compiled = [], [], [], []
        for _ in range(3 if quick else 9):
            warm.append(seconds(warm_env))
            off.append(seconds(off_env))
            bare.append(seconds(warm_env, [sys.executable, "-c", "pass"]))
            compiled.append(seconds(compiled_env))
    seconds_unit: Callable[[float], str] = lambda s: f"{s:.3f} s"  # noqa: E731
    table.add("`scorelang check rules/`, new process, warm cache", spread(warm, seconds_unit),
              spread(bare, seconds_unit) + " python -c pass", statistics.median(warm),
              0.1, unit="s")
    table.add("  the same, cache off", spread(off, seconds_unit), "",
              statistics.median(off), None, unit="s")
    table.add("  the same, warm cache, bytecode compiled", spread(compiled, seconds_unit), "",
              statistics.median(compiled), None, unit="s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode: small sizes, no goals")
    parser.add_argument("--full", action="store_true", help="the 1M-indicator plan too")
    parser.add_argument("--only", action="append", default=[],
                        choices=["scalar", "batch", "parse", "sizes", "memory", "cold"])
    parser.add_argument("--size-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.size_worker:
        print(json.dumps(size_worker(args.size_worker, args.quick)))
        return 0
    if args.memory_worker:
        print(memory_worker(args.memory_worker[0], Path(args.memory_worker[1])))
        return 0
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{platform.processor() or platform.system()}, {os.cpu_count()} cores; "
          f"{'quick' if args.quick else 'full (with 1M)' if args.full else 'full'} run")
    table = Table()
    sections: dict[str, Callable[[], None]] = {
        "scalar": lambda: scalar(table, args.quick),
        "batch": lambda: batch(table, args.quick),
        "parse": lambda: parsing(table, args.quick),
        "cold": lambda: cold_start(table, args.quick),
        "sizes": lambda: sizes(table, args.quick, args.full),
        # The memory lines alone (`sizes` ends with them): `--only memory --full` takes the
        # 1M-indicator peak in minutes, not the hour of the 1M timings.
        "memory": lambda: memory(table, args.quick, args.full),
    }
    started = time.perf_counter()
    for name, run in sections.items():
        if (name in args.only) if args.only else name != "memory":
            gc.collect()
            run()
    table.print()
    print(f"ratios: medians of interleaved rounds' ratios (scorelang ÷ yardstick), "
          f"[min–max] of the rounds; {time.perf_counter() - started:,.0f} s in all")
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
