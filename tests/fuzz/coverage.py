"""The coverage-guided run: `python3 -m tests.fuzz.coverage --seconds 180 --seed 14`.

atheris (libFuzzer for Python; `pip install -e '.[fuzz]'`) mutates inputs and keeps those that
reach new branches of scorelang, so it finds what blind mutation rarely does: the one keyword
or number that takes a check down an untried path. The first byte of an input picks the reader
(rule file, values file, published figures, rule test, what-if operations, cache entry); the
rest is the file. The corpus starts from the repository's own files, as the volume run's
mutations do (tests/fuzz/readers.py).

libFuzzer ends the process itself when the time is up, so the fuzzing runs in a child process
that writes each new kind of crash under tests/regressions/<reader>/ as it finds it and logs
it; this parent prints the seed, the child's figures and the crashes, and exits 1 on any.
Without atheris installed it says so and exits 0: the volume run does not need it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

# The readers atheris drives, by the input's first byte (modulo their number), each with the
# context of its input; the CLI is left to the volume run (a whole command per input).
TARGETS = [
    ("rules", {"values_seed": 0}),
    ("values", {"rules": "rules/comune-valleverde-2023.score"}),
    ("values", {"rules": "rules/cciaa-modena-2020.score"}),
    ("published", {"rules": "rules/cciaa-modena-2020.score",
                   "values": "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml"}),
    ("ruletest", {}),
    ("ops", {"rules": "rules/comune-valleverde-2023.score",
             "values": "examples/comune-valleverde-2023/monitoraggio-2023-06.yaml"}),
    ("cache", {"rules": "rules/comune-valleverde-2023.score"}),
]


def _seed_corpus(folder: Path) -> None:
    """The repository's input files, each prefixed with the byte of its reader."""
    from .readers import (PLANS, PUBLISHED_FILES, ROOT, RULE_FILES, TEST_FILES, VALLEVERDE,
                          Workspace, _cache_entry)

    def put(index: int, data: bytes, name: str) -> None:
        (folder / f"{index}-{Path(name).name}").write_bytes(bytes([index]) + data)

    for name in RULE_FILES:
        put(0, (ROOT / name).read_bytes(), name)
    for name in PLANS[VALLEVERDE]["values"]:
        put(1, (ROOT / name).read_bytes(), name)
    put(2, (ROOT / "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml").read_bytes(), "m.yaml")
    for name in PUBLISHED_FILES:
        put(3, (ROOT / name).read_bytes(), name)
    for name in TEST_FILES:
        put(4, (ROOT / name).read_bytes(), name)
    put(5, (ROOT / PLANS[VALLEVERDE]["ops"]).read_bytes(), "ops.yaml")
    ws = Workspace.create()
    try:
        _, entry = _cache_entry(ws, VALLEVERDE)
        if entry.exists():
            put(6, entry.read_bytes(), "entry.json")
    finally:
        ws.remove()


def _child(log: Path) -> None:
    """Run atheris in this process (it never returns): libFuzzer's arguments are in argv."""
    import importlib
    import pkgutil

    import atheris

    with atheris.instrument_imports(include=["scorelang"]):
        import scorelang

        # scorelang imports its modules when first used (PEP 562): import every one here,
        # inside the instrumentation, or most of the package would run uninstrumented.
        for module in pkgutil.walk_packages(scorelang.__path__, "scorelang."):
            if module.name.rsplit(".", 1)[-1] != "__main__":
                importlib.import_module(module.name)

    from .harness import known_signatures, record, run_one

    os.environ.setdefault("SCORELANG_CACHE", "off")
    seen = set(known_signatures())

    def one_input(data: bytes) -> None:
        if not data:
            return
        reader, context = TARGETS[data[0] % len(TARGETS)]
        crash = run_one(reader, data[1:], dict(context), timeout=20)
        if crash is None or crash.signature in seen:
            return
        seen.add(crash.signature)
        crash.origin = {"reader": "atheris"}
        path = record(crash)
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"signature": crash.signature, "file": str(path),
                                  "error": crash.error.splitlines()[0][:200]}) + "\n")

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.fuzz.coverage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=180, help="time budget (default 180)")
    parser.add_argument("--seed", type=int, default=None, help="libFuzzer's seed (printed)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child is not None:
        sys.argv = [sys.argv[0]] + rest
        _child(args.child)
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError as exc:
        print(f"coverage-guided fuzzing skipped: atheris is not installed ({exc}); "
              "pip install -e '.[fuzz]' to run it")
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2 ** 31)
    print(f"atheris: seed {seed}, {args.seconds} s "
          f"(replay: python3 -m tests.fuzz.coverage --seconds {args.seconds} --seed {seed})",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="scorelang-atheris-") as scratch:
        corpus, log = Path(scratch) / "corpus", Path(scratch) / "crashes.jsonl"
        corpus.mkdir()
        _seed_corpus(corpus)
        command = [sys.executable, "-m", "tests.fuzz.coverage", "--child", str(log),
                   f"-seed={seed}", f"-max_total_time={args.seconds}", "-timeout=60",
                   "-max_len=65536", "-rss_limit_mb=4096", "-print_final_stats=1",
                   f"-artifact_prefix={scratch}/", str(corpus)]
        finished = subprocess.run(command, capture_output=True, text=True,
                                  cwd=Path(__file__).resolve().parents[2])
        stats = [line for line in finished.stderr.splitlines()
                 if line.startswith(("stat::", "Done ", "INFO: Seed"))]
        print("\n".join(stats))
        crashes = [json.loads(line) for line in log.read_text("utf-8").splitlines()] \
            if log.exists() else []
        if finished.returncode != 0:
            # libFuzzer stopped on its own finding: a timeout, running out of memory, or the
            # interpreter itself crashing (a Python exception never gets here: it is caught).
            print(finished.stderr[-4000:], file=sys.stderr)
            print(f"atheris: libFuzzer stopped with exit code {finished.returncode}",
                  file=sys.stderr)
            return 1
    for crash in crashes:
        print(f"  {crash['signature']} ({crash['error']})\n    new: {crash['file']}")
    print(f"atheris: {len(crashes)} new kind(s) of crash")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
