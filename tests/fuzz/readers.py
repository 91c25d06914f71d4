"""Every reader of user input, and what each may do with any bytes: answer, or raise a
ScorelangError (API) / exit 0, 1 or 2 with diagnostics (CLI). Anything else is a crash.

A reader is a name (its folder under tests/regressions/), the files whose variants it reads,
how it draws the context of one input (which plan a values file is scored against, which
command a CLI input is given to) and how it runs one input. `run` raises `Crash` (or lets
any other exception escape) for a broken promise; the harness records the input.

Inputs go through the readers as files, not strings, where a user gives a file: a NUL byte,
a BOM, invalid UTF-8 or a 10 MB line must meet `files.read_text` as they would in real use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scorelang
from scorelang import ScorelangError
from scorelang.check.codes import CODES

from . import grammar
from .mutate import mutate, mutate_json

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = ROOT / "tests" / "regressions"
SEEDS = Path(__file__).resolve().parent / "seeds"

MODENA = "rules/cciaa-modena-2020.score"
VALLEVERDE = "rules/comune-valleverde-2023.score"
# The values, published figures and operations that fit each plan.
PLANS = {
    MODENA: {"values": ["examples/cciaa-modena-2020/monitoraggio-2020-06.yaml"],
             "published": "examples/cciaa-modena-2020/pubblicati-2020-06.yaml",
             "ops": "examples/cciaa-modena-2020/rimodulazione-ocri.yaml",
             "test": "rules/cciaa-modena-2020.test.yaml"},
    VALLEVERDE: {"values": ["examples/comune-valleverde-2023/monitoraggio-2023-06.yaml",
                            "examples/comune-valleverde-2023/consuntivo-2023.yaml"],
                 "ops": "tests/fuzz/seeds/comune-valleverde-2023.ops.yaml",
                 "test": "rules/comune-valleverde-2023.test.yaml"},
}


class Crash(AssertionError):
    """A broken promise that is not an exception of scorelang's: a wrong exit code, a
    traceback printed, a diagnostic without a code."""


def _files(*patterns: str) -> list[str]:
    return sorted({str(p.relative_to(ROOT)) for pattern in patterns for p in ROOT.glob(pattern)})


# Every input file of the repository, by kind: the seeds of the mutations. tests/golden holds
# outputs (their inputs are the Modena files above); its files are seeds of every YAML reader
# as files given in the wrong place (a JSON report passed as values).
RULE_FILES = _files("rules/*.score", "tests/broken/*.score")
VALUES_FILES = _files("examples/*/monitoraggio-*.yaml", "examples/*/consuntivo-*.yaml")
TEST_FILES = _files("rules/*.test.yaml")
OPS_FILES = [PLANS[MODENA]["ops"], PLANS[VALLEVERDE]["ops"]]
PUBLISHED_FILES = [PLANS[MODENA]["published"]]
STRAYS = _files("tests/golden/*")
EVERY_FILE = RULE_FILES + VALUES_FILES + TEST_FILES + OPS_FILES + PUBLISHED_FILES + STRAYS


@dataclass
class Workspace:
    """One process's scratch folder: a copy of rules/, examples/ and the fuzz seeds (rule tests
    name their rule files relatively), outputs, a private cache, and what is loaded once."""

    folder: Path
    bytes_of: dict[str, bytes] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls) -> Workspace:
        # In memory where there is a tmpfs: an input is written as a file every time.
        shm = Path("/dev/shm")
        where = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
        folder = Path(tempfile.mkdtemp(prefix="scorelang-fuzz-", dir=where))
        for part in ("rules", "examples", "tests/fuzz/seeds"):
            shutil.copytree(ROOT / part, folder / part)
        (folder / "out").mkdir()
        (folder / "cache").mkdir(mode=0o700)
        return cls(folder)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def path(self, name: str) -> str:
        """A repository path (rules/..., examples/...) inside the workspace."""
        return str(self.folder / name)

    def original(self, name: str) -> bytes:
        if name not in self.bytes_of:
            self.bytes_of[name] = (ROOT / name).read_bytes()
        return self.bytes_of[name]

    def plan(self, name: str) -> Any:
        if name not in self.plans:
            self.plans[name] = scorelang.load(ROOT / name)
        return self.plans[name]

    def scored(self, rules: str, values: str) -> tuple[Any, Any, Any]:
        key = f"{rules}\0{values}"
        if key not in self.values:
            plan = self.plan(rules)
            loaded = scorelang.load_values(ROOT / values)
            self.values[key] = (plan, loaded, plan.evaluate(loaded))
        return self.values[key]

    def write(self, data: bytes, suffix: str, name: str = "fuzz") -> Path:
        path = self.folder / "rules" / f"{name}{suffix}"
        path.write_bytes(data)
        return path

    @contextlib.contextmanager
    def cache(self, on: bool) -> Any:
        """The checked-plan cache in this workspace, or off (it saves time only: most readers
        run without it; the `cache` reader and the CLI with it)."""
        saved = {k: os.environ.get(k) for k in ("SCORELANG_CACHE", "SCORELANG_CACHE_DIR")}
        os.environ["SCORELANG_CACHE_DIR"] = str(self.folder / "cache")
        os.environ["SCORELANG_CACHE"] = "on" if on else "off"
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _check_diagnostics(found: Sequence[Any]) -> None:
    for d in found:
        if d.code not in CODES or not d.message:
            raise Crash(f"a diagnostic without a known code or a message: {d!r}")


def _api(call: Callable[[], Any]) -> Any:
    """Run an API call: its value, or None when it raised a ScorelangError (which must carry
    diagnostics with known codes)."""
    try:
        return call()
    except ScorelangError as exc:
        _check_diagnostics(exc.diagnostics)
        return None


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---- the readers -----------------------------------------------------------------------------
@dataclass
class Reader:
    name: str
    suffix: str  # the file name's ending of an input (for the regression file)
    draw: Callable[[random.Random, Workspace], tuple[bytes, dict[str, Any], list[str]]]
    run: Callable[[bytes, dict[str, Any], Workspace], None]
    replay_as: str = ""  # the reader that replays its inputs, when not itself

    @property
    def folder(self) -> str:
        return self.replay_as or self.name


def _window(rng: random.Random, data: bytes) -> bytes:
    """A large rule file cut to its first block and a random selection of its top-level items:
    the fuzzer then runs many small plans instead of a few large ones."""
    if len(data) < 8000 or rng.random() < 0.02:
        return data
    items = re.split(rb"\n(?=[a-z])", data)
    keep = [items[0]] + [item for item in items[1:] if rng.random() < 4000 / len(data)]
    return b"\n".join(keep)


def _random_values(rng: random.Random, plan: Any) -> dict[str, Any]:
    """A value for each of a plan's indicators: numbers ordinary and extreme, N/D, dates."""
    out: dict[str, Any] = {}
    for indicator in plan.definition.indicators:
        pick = rng.random()
        if pick < 0.6:
            out[indicator.id] = rng.uniform(-10, 200) * rng.choice([1, 1, 10, 1000])
        elif pick < 0.75:
            out[indicator.id] = None
        elif pick < 0.85:
            out[indicator.id] = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(-400, 1500))
        elif pick < 0.9:
            continue
        else:
            out[indicator.id] = rng.choice([0, -0.0, 1e308, -1e308, 5e-324, 10 ** 20, 0.1])
    return out


def draw_rules(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    origin = rng.choice(RULE_FILES) if rng.random() < 0.97 else rng.choice(EVERY_FILE)
    data, applied = mutate(rng, _window(rng, ws.original(origin)),
                           [ws.original(f) for f in RULE_FILES[:4]])
    return data, {"origin": origin, "values_seed": rng.randrange(2 ** 32)}, applied


def run_rules(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """A rule file through every API that reads rule text, then scored and reported."""
    from scorelang.engine.plan import Plan
    from scorelang.syntax.format import format_text

    path = ws.write(data, ".score")
    name = str(path)
    # The cache off (the `cache` reader fuzzes it; storing every entry costs more than it
    # saves here). A syntax error costs some 30 parses (parser._classify matches it against
    # the examples of common mistakes), so the calls that would only meet the same syntax
    # error again run for one input in ten: `diagnose` (what `load` does, returning instead
    # of raising; `check_text` without the cache is `diagnose`) and `format_text`.
    from scorelang.diagnostics import ParseError

    rng = random.Random(context.get("values_seed", 0))
    plan: Plan | None = None
    parses = True
    with ws.cache(False):
        try:
            plan = scorelang.load(path)
        except ScorelangError as exc:
            _check_diagnostics(exc.diagnostics)
            parses = not isinstance(exc, ParseError) and exc.diagnostics[0].code != "SL002"
        text = _text(data)
        if text is None:
            return
        again = rng.random() < 0.1
        if plan is None and (parses or again):
            _, found = scorelang.diagnose(text, name)
            _check_diagnostics(found)
        if parses or again:
            _api(lambda: format_text(text, name))
    if plan is None:
        return
    periods = [None] + [p.id for p in plan.definition.periods]
    for values in ({}, _random_values(rng, plan)):
        period = rng.choice(periods)
        result = _api(lambda: plan.evaluate(values, period=period))
        if result is not None:
            json.dumps(result.to_dict())
            scorelang.render(result, "table", rng.choice(["tree", "indicators", "scorecards"]))
            scorelang.render_findings(result, "table")


def draw_grammar(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    text = grammar.derive(rng)
    return text.encode("utf-8"), {"values_seed": rng.randrange(2 ** 32)}, ["grammar"]


def draw_values(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    rules = rng.choice(list(PLANS))
    origin = rng.choice(PLANS[rules]["values"]) if rng.random() < 0.95 else rng.choice(EVERY_FILE)
    data, applied = mutate(rng, ws.original(origin))
    return data, {"origin": origin, "rules": rules}, applied


def run_values(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """A values file read every way the API reads one, and scored by its plan."""
    plan = ws.plan(context["rules"])
    path = ws.write(data, ".yaml")
    every = _api(lambda: scorelang.load_all_values(path)) or []
    if len(every) > 1:
        _api(lambda: scorelang.load_values(path))  # several periods: it asks which
    for values in every:
        result = _api(lambda: plan.evaluate(values))
        if result is not None:
            json.dumps(result.to_dict())
            scorelang.render(result, "table", "tree")
    text = _text(data)
    if text is not None and len(every) > 1:
        _api(lambda: scorelang.loads_values(text, "fuzz.yaml", period=every[-1].period))


# Cells a spreadsheet of values may hold: figures in either locale, N/D, dates, the ambiguous
# shapes, formula results and errors, words, and the odd types a workbook stores.
_CELL_TEXTS = ["1.234,56", "62,96 %", "€ 1.234,56", "3.111.720.000,00", "16,5", "1.234", "1,234",
               "N/D", "n.d.", "31/10/2020", "31/02/2020", "2020-10-31", "1e400", "-", "#DIV/0!",
               "=1+1", "tre", "", " ", "\u2212 5", "12 pezzi", "100,%", "0x10", "١٢٣"]


def _sheet_rows(rng: random.Random, ws: Workspace, rules: str) -> list[list[Any]]:
    """The rows of a values table for `rules`' indicators: headers now and then misspelt or
    missing, cells now and then damaged."""
    plan = ws.plan(rules)
    header: list[Any] = ["indicatore", "valore", "nota", "fonte"]
    if rng.random() < 0.2:
        header = rng.sample(header + ["periodo", "titolo", "commento", "Valore", ""], k=4)
    rows: list[list[Any]] = [header]
    for indicator in plan.definition.indicators[:rng.randint(0, 40)]:
        pick = rng.random()
        value: Any = rng.uniform(-10, 5000) if pick < 0.5 else rng.choice(_CELL_TEXTS)
        if pick > 0.9:
            value = rng.choice([True, dt.date(2020, 10, 31), dt.time(12, 0), 10 ** 20, -0.0])
        rows.append([indicator.id if rng.random() < 0.95 else "", value,
                     rng.choice([None, "nota", 3]), None])
    if rows[1:] and rng.random() < 0.1:
        rows.append(list(rng.choice(rows[1:])))  # a duplicate
    return rows


def draw_values_csv(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    rules = rng.choice(list(PLANS))
    delimiter = rng.choice([";", ",", "\t"])
    lines = [f"# {key}: {value}" for key, value in
             rng.sample([("piano", "x"), ("periodo", "H1"), ("as_of", "2020-06-30"),
                         ("formato numeri", rng.choice(["it", "en", "de"])), ("colore", "blu")],
                        k=rng.randint(0, 3))]
    for row in _sheet_rows(rng, ws, rules):
        lines.append(delimiter.join("" if c is None else str(c) for c in row))
    data = "\n".join(lines).encode(rng.choice(["utf-8", "utf-8-sig", "cp1252"]), "replace")
    applied = ["table"]
    if rng.random() < 0.5:
        data, applied = mutate(rng, data)
    return data, {"rules": rules, "number_format": rng.choice([None, "it", "en"])}, applied


def run_values_csv(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """A CSV values file read as `load_values` reads it, and scored by its plan."""
    plan = ws.plan(context["rules"])
    path = ws.write(data, ".csv")
    for values in _api(lambda: scorelang.load_all_values(path, context["number_format"])) or []:
        result = _api(lambda: plan.evaluate(values))
        if result is not None:
            json.dumps(result.to_dict())


def draw_values_xlsx(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    import openpyxl

    rules = rng.choice(list(PLANS))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = rng.choice(["Valori", "Values", "H1", "Dati 2020", "Istruzioni"])
    for row in _sheet_rows(rng, ws, rules):
        sheet.append(row)
    if rng.random() < 0.3:
        book.create_sheet(rng.choice(["Y", "Note"])).append(["indicator", "value"])
    if rng.random() < 0.5:
        meta = book.create_sheet("Monitoraggio")
        for key in rng.sample(["piano", "periodo", "data di monitoraggio", "formato numeri",
                               "colore"], k=rng.randint(1, 3)):
            meta.append([key, rng.choice(["H1", "it", dt.date(2020, 6, 30), "30/06/2020", 3])])
    out = io.BytesIO()
    book.save(out)
    data, applied = out.getvalue(), ["workbook"]
    if rng.random() < 0.15:  # a damaged file: openpyxl's own reading must become SL323
        data, applied = mutate(rng, data)
    return data, {"rules": rules, "number_format": rng.choice([None, "it", "en"])}, applied


def run_values_xlsx(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """An XLSX values file read as `load_values` reads it, and scored by its plan."""
    plan = ws.plan(context["rules"])
    path = ws.write(data, ".xlsx")
    for values in _api(lambda: scorelang.load_all_values(path, context["number_format"])) or []:
        result = _api(lambda: plan.evaluate(values))
        if result is not None:
            json.dumps(result.to_dict())


def draw_published(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    origin = PUBLISHED_FILES[0] if rng.random() < 0.95 else rng.choice(EVERY_FILE)
    data, applied = mutate(rng, ws.original(origin))
    return data, {"origin": origin, "rules": MODENA, "values": PLANS[MODENA]["values"][0]}, applied


def run_published(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """Published figures read and verified against the rules, in both renderings."""
    from scorelang.report import verify as verify_report
    from scorelang.tools.verify import load_published, verify

    plan, values, result = ws.scored(context["rules"], context["values"])
    published = _api(lambda: load_published(ws.write(data, ".yaml")))
    if published is None:
        return
    verification = _api(lambda: verify(plan, result, published, values))
    if verification is not None:
        verify_report.verify_text(verification)
        verify_report.verify_json(verification)


def draw_ruletest(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    origin = rng.choice(TEST_FILES) if rng.random() < 0.95 else rng.choice(EVERY_FILE)
    data, applied = mutate(rng, ws.original(origin))
    return data, {"origin": origin}, applied


def run_ruletest(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """A rule-test file (in rules/, beside the rule files it names) run and reported."""
    from scorelang.report import ruletest as ruletest_report
    from scorelang.tools import ruletest

    path = ws.write(data, ".test.yaml")
    with ws.cache(True):
        outcome = ruletest.run_paths([str(path)])
    ruletest_report.render_text(outcome, True)
    ruletest_report.render_json(outcome)
    ruletest_report.render_junit(outcome)
    for suite in outcome.suites:
        _check_diagnostics(suite.errors)


def draw_ops(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    rules = VALLEVERDE if rng.random() < 0.8 else MODENA
    origin = PLANS[rules]["ops"] if rng.random() < 0.95 else rng.choice(EVERY_FILE)
    data, applied = mutate(rng, ws.original(origin))
    return data, {"origin": origin, "rules": rules, "values": PLANS[rules]["values"][0]}, applied


def run_ops(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """What-if operations from YAML (read as `scorelang whatif --ops` reads them) applied to
    the plan and re-scored. Reading the YAML is the caller's part: its YAMLError is allowed."""
    import yaml

    from scorelang.report import whatif as whatif_report
    from scorelang.tools import whatif

    rules = context["rules"]
    _, values, _ = ws.scored(rules, context["values"])
    text = _text(data)
    if text is None:
        return
    try:
        document = yaml.safe_load(text)
    except Exception:  # PyYAML's own reading, before scorelang: `scorelang whatif --ops` (the
        return  # cli reader) must turn each of these into a diagnostic, not this reader

    operations = _api(lambda: whatif.operations_from(document, "fuzz.yaml"))
    if operations is None:
        return
    with ws.cache(True):
        outcome = _api(lambda: whatif.whatif(ws.original(rules).decode(), rules, values, operations))
    if outcome is not None:
        whatif_report.whatif_text(outcome)
        whatif_report.whatif_json(outcome)


_CACHE_RULES = [VALLEVERDE] + [f for f in RULE_FILES if f.startswith("tests/broken/check-")][:6]


def _cache_entry(ws: Workspace, rules: str) -> tuple[str, Path]:
    """The text of a rule file and where the cache keeps its entry (made if missing)."""
    from scorelang.check import cache

    text = ws.original(rules).decode("utf-8")
    with ws.cache(True):
        entry = ws.folder / "cache" / f"{cache.key(text, rules)}.json"
        if not entry.exists():
            scorelang.diagnose(text, rules)
    return text, entry


def draw_cache(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    rules = rng.choice(_CACHE_RULES)
    _, entry = _cache_entry(ws, rules)
    seed = entry.read_bytes() if entry.exists() else b"{}"
    if rng.random() < 0.7:
        data, applied = mutate_json(rng, seed)
    else:
        data, applied = mutate(rng, seed)
    return data, {"rules": rules}, applied


def run_cache(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """A damaged or forged entry of the checked-plan cache, read back by every API that
    consults the cache, and the plan it gives scored."""
    text, entry = _cache_entry(ws, context["rules"])
    rules = context["rules"]
    with ws.cache(True):
        entry.write_bytes(data)
        _check_diagnostics(scorelang.api.check_text(text, rules))
        entry.write_bytes(data)
        _, found = scorelang.diagnose(text, rules)
        _check_diagnostics(found)
        entry.write_bytes(data)
        plan = _api(lambda: scorelang.loads(text, rules))
        entry.unlink(missing_ok=True)
    if plan is not None:
        result = _api(lambda: plan.evaluate({}))
        if result is not None:
            json.dumps(result.to_dict())


# ---- the command line ------------------------------------------------------------------------
_FORMATS = ["table", "markdown", "csv", "json", "html", "xlsx"]


def _command(rng: random.Random) -> tuple[list[str], str, str]:
    """A command line with `{input}` where the damaged file goes, `{out}` for an output file;
    the repository file the damaged one replaces; the input's suffix."""
    rules = VALLEVERDE if rng.random() < 0.8 else MODENA
    plan = PLANS[rules]
    values = rng.choice(plan["values"])
    command = rng.choice(["score", "score", "advise", "verify", "whatif", "compare", "explain",
                          "check", "fmt", "test"])
    if command == "verify":
        rules, values = MODENA, PLANS[MODENA]["values"][0]
        plan = PLANS[rules]
    if command == "check":
        target = rng.choice(RULE_FILES)
        argv = ["check", target, "--format", rng.choice(["text", "json", "github", "sarif"])]
        if rng.random() < 0.3:
            argv.append("--strict")
        return argv, target, ".score"
    if command == "fmt":
        target = rng.choice(RULE_FILES)
        return ["fmt", rng.choice(["--check", "--diff"]), target], target, ".score"
    if command == "test":
        return ["test", plan["test"], "--junit", "{out}", "--format",
                rng.choice(["text", "json"])] + (["-v"] if rng.random() < 0.5 else []), \
            plan["test"], ".test.yaml"
    argv = [command, rules, "--values", values]
    inputs = [(rules, ".score"), (values, ".yaml")]
    if command in ("score", "advise", "compare"):
        form = rng.choice(_FORMATS)
        argv += ["--format", form]
        if form in ("xlsx", "html") or rng.random() < 0.3:
            argv += ["-o", "{out}"]
        if command == "score":
            argv += ["--view", rng.choice(["summary", "tree", "indicators", "scorecards"])]
        if rng.random() < 0.3:
            argv += ["--depth", str(rng.randint(0, 4)), "--locale", rng.choice(["it", "en"])]
        if command == "compare":
            argv += ["--values", rng.choice(plan["values"])]
    elif command == "verify":
        argv += ["--reported", plan["published"], "--format", rng.choice(["text", "json"])]
        inputs.append((plan["published"], ".yaml"))
    elif command == "whatif":
        argv += ["--ops", plan["ops"], "--format", rng.choice(["text", "json"])]
        if rng.random() < 0.3:
            argv += ["--write", "{out}"]
        inputs.append((plan["ops"], ".yaml"))
    elif command == "explain":
        node = rng.choice(["1", "2", "1.1", "2.1", "301", "301/indicatori", "802",
                           "scorecard:dirigente_servizi", "scorecard:nope", "nope", ""])
        argv.insert(2, node)
        argv += ["--format", rng.choice(["text", "json"])]
        if rng.random() < 0.3:
            argv += ["--depth", str(rng.randint(0, 3))]
    target, suffix = rng.choice(inputs)
    return argv, target, suffix


def draw_cli(rng: random.Random, ws: Workspace) -> tuple[bytes, dict[str, Any], list[str]]:
    argv, target, suffix = _command(rng)
    data, applied = mutate(rng, _window(rng, ws.original(target)))
    argv = ["{input}" if a == target else a for a in argv]
    return data, {"argv": argv, "suffix": suffix, "origin": target}, applied


def run_cli(data: bytes, context: dict[str, Any], ws: Workspace) -> None:
    """`scorelang.cli.main` in-process on the damaged file: it exits 0, 1 or 2 and prints no
    traceback. (An exit code of 3, an internal error, is a crash too.)"""
    from scorelang.cli import main

    suffix = context["suffix"]
    path = ws.write(data, suffix)
    out = ws.folder / "out" / ("report" + (".xlsx" if "xlsx" in context["argv"] else ".out"))
    argv = [str(path) if a == "{input}" else str(out) if a == "{out}"
            else ws.path(a) if a.startswith(("rules/", "examples/", "tests/")) else a
            for a in context["argv"]]
    stdout, stderr = io.StringIO(), io.StringIO()
    with ws.cache(True), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    if code not in (0, 1, 2):
        raise Crash(f"exit code {code}: {stderr.getvalue()[-2000:]}")
    if "Traceback (most recent call last)" in stderr.getvalue() + stdout.getvalue():
        raise Crash("a traceback was printed: " + stderr.getvalue()[-2000:])


READERS: dict[str, Reader] = {reader.name: reader for reader in [
    Reader("grammar", ".score", draw_grammar, run_rules, replay_as="rules"),
    Reader("rules", ".score", draw_rules, run_rules),
    Reader("values", ".yaml", draw_values, run_values),
    Reader("values_csv", ".csv", draw_values_csv, run_values_csv),
    Reader("values_xlsx", ".xlsx", draw_values_xlsx, run_values_xlsx),
    Reader("published", ".yaml", draw_published, run_published),
    Reader("ruletest", ".test.yaml", draw_ruletest, run_ruletest),
    Reader("ops", ".yaml", draw_ops, run_ops),
    Reader("cache", ".json", draw_cache, run_cache),
    Reader("cli", ".bin", draw_cli, run_cli),
]}
