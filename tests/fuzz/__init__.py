"""The fuzzers of issue 14: no traceback, ever, for any bytes in any input file, from the
command line or the API (docs/reliability.md, promise 6).

- `readers.py`: every reader of user input and what it may do with any bytes;
- `mutate.py`: hostile variants of the repository's own input files;
- `grammar.py`: rule texts generated from grammar.lark (hypothesis' from_lark, and a faster
  random walk of the same grammar);
- `python3 -m tests.fuzz`: the volume run (a fixed seed, 100 000 inputs in CI), crashes
  written under tests/regressions/<reader>/;
- `python3 -m tests.fuzz.coverage`: a time-boxed coverage-guided run with atheris.

tests/test_fuzz.py runs a small fixed slice of the same readers and replays every file under
tests/regressions/ through its reader.
"""
