"""The volume run: `python3 -m tests.fuzz --inputs 100000 --seed 14 --jobs 2`.

Draws the given number of inputs, shared among the readers by weight, each input a function
of (seed, reader, index) alone: a crash found here is found again by the same command on any
machine. Prints per reader the inputs run, the time and the crashes; writes the first input of
each new kind of crash (its signature: exception type and where it was raised) under
tests/regressions/<reader>/ with a .meta.json that replays it; exits 1 on any crash.

`--hypothesis N` adds N rule texts drawn by hypothesis' `from_lark` (slower per input than the
random walk of the same grammar that the `grammar` reader does, tests/fuzz/grammar.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# How the inputs are shared: cheap readers get many, the CLI (a whole command per input) and
# the rule tests (a suite per input) fewer. Per-input costs differ a hundredfold.
WEIGHTS = {"grammar": 0.42, "rules": 0.32, "values": 0.09, "published": 0.03, "ruletest": 0.01,
           "ops": 0.02, "cache": 0.06, "cli": 0.05, "values_csv": 0.02, "values_xlsx": 0.01}
CHUNK = 250


@dataclass
class Tally:
    inputs: int = 0
    seconds: float = 0.0  # time in the workers (wall clock)
    cpu: float = 0.0  # processor time in the workers: what a busy machine does not inflate
    crashes: Counter[str] = field(default_factory=Counter)


def _chunk(reader: str, seed: int, start: int, count: int, timeout: float
           ) -> tuple[str, int, float, float, list[Any]]:
    """Run inputs start..start+count of a reader (in a worker process)."""
    from .harness import run_one, workspace
    from .readers import READERS

    os.environ.setdefault("SCORELANG_CACHE", "off")
    ws = workspace()
    chosen = READERS[reader]
    found = []
    began, cpu = time.perf_counter(), time.process_time()
    for index in range(start, start + count):
        rng = random.Random(f"{seed}/{reader}/{index}")
        data, context, applied = chosen.draw(rng, ws)
        crash = run_one(reader, data, context, timeout)
        if crash is not None:
            crash.origin = {"reader": reader, "seed": seed, "index": index, "mutations": applied}
            found.append(crash)
        if index % 100 == 99:
            for entry in (ws.folder / "cache").glob("*.json"):
                entry.unlink(missing_ok=True)  # the CLI's entries: the cache only saves time
    return reader, count, time.perf_counter() - began, time.process_time() - cpu, found


def _hypothesis_chunk(seed: int, count: int, timeout: float
                      ) -> tuple[str, int, float, float, list[Any]]:
    """`count` rule texts drawn by from_lark, through the rules reader."""
    import warnings

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    from .grammar import rule_texts
    from .harness import run_one

    os.environ.setdefault("SCORELANG_CACHE", "off")
    found: list[Any] = []
    ran = [0]

    @with_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rule_texts())
    def draw(text: str) -> None:
        ran[0] += 1
        crash = run_one("grammar", text.encode("utf-8"), {}, timeout)
        if crash is not None:
            crash.origin = {"reader": "grammar-hypothesis", "seed": seed, "index": ran[0]}
            found.append(crash)

    began, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return ("grammar-hypothesis", ran[0], time.perf_counter() - began,
            time.process_time() - cpu, found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs in all (shared "
                        "among the readers by weight)")
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--readers", default=",".join(WEIGHTS),
                        help="comma-separated: " + ", ".join(WEIGHTS))
    parser.add_argument("--hypothesis", type=int, default=0, metavar="N",
                        help="also N rule texts from hypothesis' from_lark")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds one input may take before it counts as a crash")
    parser.add_argument("--regressions", type=Path, default=None,
                        help="where crashes are written (default tests/regressions)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10 ** 6)
    chosen = [r.strip() for r in args.readers.split(",") if r.strip()]
    unknown = set(chosen) - set(WEIGHTS)
    if unknown:
        parser.error(f"unknown readers: {', '.join(sorted(unknown))}")
    total = sum(WEIGHTS[r] for r in chosen)
    counts = {r: round(args.inputs * WEIGHTS[r] / total) for r in chosen}
    print(f"fuzz: seed {seed}, {sum(counts.values()) + args.hypothesis} inputs, "
          f"{args.jobs} jobs (replay: python3 -m tests.fuzz --seed {seed} --inputs "
          f"{args.inputs} --readers {','.join(chosen)} --hypothesis {args.hypothesis})",
          flush=True)

    from .harness import known_signatures, record
    from .readers import REGRESSIONS

    tallies = {r: Tally() for r in chosen}
    if args.hypothesis:
        tallies["grammar-hypothesis"] = Tally()
    crashes = []
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        if args.hypothesis:  # the slowest chunks first, so that they overlap the rest
            step = max(1, args.hypothesis // max(1, args.jobs))
            for k, start in enumerate(range(0, args.hypothesis, step)):
                futures.append(pool.submit(_hypothesis_chunk, seed * 1000 + k,
                                           min(step, args.hypothesis - start), args.timeout))
        for reader, count in counts.items():
            for start in range(0, count, CHUNK):
                futures.append(pool.submit(_chunk, reader, seed, start,
                                           min(CHUNK, count - start), args.timeout))
        try:
            for future in as_completed(futures):
                reader, ran, seconds, cpu, found = future.result()
                tally = tallies[reader]
                tally.inputs += ran
                tally.seconds += seconds
                tally.cpu += cpu
                for crash in found:
                    tally.crashes[crash.signature] += 1
                    crashes.append(crash)
        except BrokenProcessPool as exc:
            print(f"fuzz: a worker process died ({exc}): a crash of the interpreter itself; "
                  "rerun with --jobs 1 and the same seed to find the input", file=sys.stderr)
            return 1
    wall = time.perf_counter() - began

    print(f"\n{'reader':<20}{'inputs':>9}{'seconds':>10}{'cpu s':>9}{'cpu/input':>11}"
          f"{'crashes':>9}")
    for reader, tally in tallies.items():
        per = 1000 * tally.cpu / tally.inputs if tally.inputs else 0.0
        print(f"{reader:<20}{tally.inputs:>9}{tally.seconds:>10.1f}{tally.cpu:>9.1f}"
              f"{per:>9.2f}ms{sum(tally.crashes.values()):>9}")
    ran = sum(t.inputs for t in tallies.values())
    cpu = sum(t.cpu for t in tallies.values())
    print(f"{'total':<20}{ran:>9}{wall:>10.1f}{cpu:>9.1f}{'(wall)':>11}{len(crashes):>9}")

    if not crashes:
        print("\nno crash")
        return 0
    known = known_signatures()
    folder = args.regressions or REGRESSIONS
    written: set[str] = set()
    print("\ncrashes (one input kept per kind):")
    for crash in crashes:
        if crash.signature in written:
            continue
        written.add(crash.signature)
        if crash.signature in known:
            where = f"known: {known[crash.signature].relative_to(REGRESSIONS.parent.parent)}"
        else:
            where = f"new: {record(crash, folder)}"
        count = sum(t.crashes[crash.signature] for t in tallies.values())
        print(f"  {crash.signature} x{count} ({crash.error.splitlines()[0][:120]})\n    {where}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
