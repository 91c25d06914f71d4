"""evaluate_many from a pandas DataFrame against the same scenarios as a dict of columns.

    python3 benchmarks/dataframe.py            # 10,000 scenarios of the Modena plan
    python3 benchmarks/dataframe.py --quick    # 1,000 scenarios, fewer rounds

The DataFrame path checks every column against its indicator (frames.scenario_columns) and
then scores the columns as the dict path does: the difference is the price of the check and
the conversion. The two are timed in alternating rounds (best of each, so that a busy machine
slows both alike), after checking that they give the same figures. Also timed: getting the
scores back, `Batch.to_dataframe()` (wide) against building the same frame by hand from
`batch.column`.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

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
    a = b = math.inf
    for _ in range(rounds):
        a = min(a, best(ours, number))
        b = min(b, best(theirs, number))
    return a, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    size, rounds = (1_000, 3) if args.quick else (10_000, 7)
    plan = scorelang.load(RULES)
    june = scorelang.load_values(VALUES)
    rng = random.Random(13)
    measured = {k: v for k, v in june.values.items() if isinstance(v, float)}
    columns = {name: np.array([value * rng.uniform(0.5, 1.5) for _ in range(size)])
               for name, value in measured.items()}
    frame = pd.DataFrame(columns, index=[f"office {i}" for i in range(size)])

    def by_frame() -> Any:
        return plan.evaluate_many(frame, period="H1", as_of=june.as_of)

    def by_columns() -> Any:
        return plan.evaluate_many(columns, period="H1", as_of=june.as_of)

    a, b = by_frame(), by_columns()
    assert all(x == y or (x is None and y is None)
               for node in a.node_ids for x, y in zip(a.column(node), b.column(node)))
    frame_time, columns_time = side_by_side(by_frame, by_columns, 1, rounds)
    batch = by_columns()

    def wide() -> Any:
        return batch.to_dataframe()

    def by_hand() -> Any:
        return pd.DataFrame({node: batch.column(node) for node in batch.node_ids},
                            dtype=float)

    out_time, hand_time = side_by_side(wide, by_hand, 1, rounds)
    print(f"Modena plan, {size:,} scenarios, {len(columns)} indicator columns, "
          f"numpy engine ({batch.engine}); pandas {pd.__version__}, numpy {np.__version__}")
    print(f"evaluate_many(DataFrame)         {frame_time * 1e3:8.2f} ms")
    print(f"evaluate_many(dict of columns)   {columns_time * 1e3:8.2f} ms")
    print(f"  ratio                          {frame_time / columns_time:8.2f} ×")
    print(f"Batch.to_dataframe()             {out_time * 1e3:8.2f} ms")
    print(f"DataFrame from batch.column      {hand_time * 1e3:8.2f} ms")
    print(f"  ratio                          {out_time / hand_time:8.2f} ×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
