"""What the rules of the field cost: the Valleverde plan (every rule of issue 19) against the
Modena plan (the fast path only), scored as a user scores them and read back whole.

Each round, in one process and interleaved, both plans are evaluated from a plain dict of
values (Valleverde with its monitoring's neutralisation, override, previous score and behaviour
ratings passed as keyword arguments, as an embedder passes them), then every node's score and
every scorecard's final score and reward share are read back. The script prints the median time
per call and per node of each, and the ratio of Valleverde's time per node to Modena's: how much
more a node costs when the slow paths (leaf rules, other aggregations, rounded roll-up,
neutralisation, overrides, scorecards with components) are taken. Medians of interleaved
rounds, so that a busy machine slows both alike.

    python3 benchmarks/mixed.py            # 15 rounds of 200 calls
    python3 benchmarks/mixed.py --quick    # smoke mode (CI): 3 rounds of 20 calls
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import scorelang  # noqa: E402


def _document(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _call(plan: scorelang.Plan, document: dict[str, Any]) -> Callable[[], float]:
    values = dict(document["values"])
    period = document["period"]
    extra = {key: document[key] for key in ("neutralised", "overrides", "previous", "behaviours")
             if key in document}

    def once() -> float:
        result = plan.evaluate(values, period=period, **extra)
        total = sum(node.score or 0.0 for node in result)
        for card in result.scorecards:
            total += (card.score or 0.0) + (card.reward_share or 0.0)
        return total

    return once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode: a few short rounds")
    args = parser.parse_args()
    rounds, calls = (3, 20) if args.quick else (15, 200)
    cases = {
        "Modena (fast path)": (ROOT / "rules" / "cciaa-modena-2020.score",
                               ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"),
        "Valleverde (every rule)": (ROOT / "rules" / "comune-valleverde-2023.score",
                                    ROOT / "examples" / "comune-valleverde-2023" / "consuntivo-2023.yaml"),
    }
    runs: dict[str, Callable[[], float]] = {}
    nodes: dict[str, int] = {}
    for name, (rules, values) in cases.items():
        plan = scorelang.load(rules)
        document = _document(values)
        runs[name] = _call(plan, document)
        runs[name]()  # warm: compile the period, load numpy-free paths
        nodes[name] = len(plan.evaluate(scorelang.load_values(values)).nodes)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times[name].append((time.perf_counter() - start) / calls)
    per_node = {}
    print(f"{'plan':28} {'nodes':>6} {'per call':>12} {'per node':>12}")
    for name in runs:
        median = statistics.median(times[name])
        per_node[name] = median / nodes[name]
        print(f"{name:28} {nodes[name]:>6} {median * 1e6:>9.1f} µs {per_node[name] * 1e6:>9.2f} µs")
    mixed, fast = per_node["Valleverde (every rule)"], per_node["Modena (fast path)"]
    print(f"every rule ÷ fast path, per node read back: {mixed / fast:.2f}×"
          f"  (medians of {rounds} interleaved rounds of {calls} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
