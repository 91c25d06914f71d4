"""Rule tests: YAML files beside the rules that pin the outcomes a methodologist expects.

A test file names a rule file and lists cases; each case gives values (a values file or an
inline mapping), optionally a period and a monitoring date, and what some nodes must come to:
a score within a tolerance (percentage points), N/D, a status, flags. This module loads test
files (mistakes in them are diagnostics with file:line:col) and runs them through the public
API; `report.ruletest` renders the outcome as text, JSON or JUnit XML.

It scores nothing itself, rounds nothing except through `rounding.half_up`, and prints
nothing: the CLI decides where the text goes and turns `RunReport.exit_code` into the exit code.
"""

from __future__ import annotations

import datetime as dt
import os.path
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs
import yaml

from ..api import Plan, load, load_values
from ..diagnostics import (Diagnostic, ScorelangError, Span, ValuesError, did_you_mean, error,
                          in_source_order)
from ..files import InputError, read_text
from ..engine.yamlsource import Constructor, node_span, read_yaml
from ..engine.result import NodeResult, Result
from .. import model
from ..model import FLAGS, number_problem
from ..engine.rounding import half_up
from ..engine.values import Values

FORMAT_VERSION = 1
# Half a unit of the second decimal: a figure printed "62,96%" pins 62.955 ≤ score ≤ 62.965.
DEFAULT_TOLERANCE = 0.005
ND: Literal["N/D"] = "N/D"
STATUSES = ("scored", "missing", "not_due", "neutralised", "no_target")
# The key that pins the plan's total (the root node, whose id is the plan's own).
TOTAL = "plan"
_FILE_KEYS = ("rules", "tests")
_CASE_KEYS = ("name", "values", "behaviours", "period", "as_of", "tolerance", "expect")
_LONG_FORM_KEYS = ("score", "status", "flags", "tolerance")
# The files a test may name, by the ends of their names.
RULE_SUFFIXES = (".score",)
VALUES_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
# What marks the top of a project: a test file's paths may not lead above it.
_PROJECT_MARKS = ("pyproject.toml", ".git")


class RuleTestError(ScorelangError):
    """A test file that cannot be run as written (bad YAML, unknown key or node id, ...)."""


# ---- what a test file says -------------------------------------------------------------------
@attrs.frozen
class Expectation:
    node: str
    span: Span
    score: float | Literal["N/D"] | None = None  # None: the score is not checked
    tolerance: float = DEFAULT_TOLERANCE  # percentage points, inclusive
    status: str | None = None
    flags: tuple[str, ...] | None = None  # each must be set; () means no flag at all


@attrs.frozen
class Case:
    name: str
    span: Span
    values: Path | Values  # a values file, or the inline mapping already read
    expectations: tuple[Expectation, ...]
    period: str | None = None
    as_of: dt.date | None = None
    # behaviour ratings given in the case (scorecard id -> behaviour -> rating), if any
    behaviours: Mapping[str, Mapping[str, float | None]] | None = None


@attrs.frozen(eq=False)
class Suite:
    path: Path
    rules: Path
    cases: tuple[Case, ...]
    plan: Plan | None  # None when the rules do not load: each case is then an error
    plan_errors: tuple[Diagnostic, ...] = ()


# ---- what running it gave --------------------------------------------------------------------
@attrs.frozen
class Figure:
    """A figure of the individual evaluation a test may pin, read like a node: a scorecard's
    final score (`scorecard:ID`), one of its components' (`scorecard:ID/COMPONENT`), or the
    share of the bonus its reward bands pay (`reward:ID`)."""

    id: str
    score: float | None
    status: str
    places: int = 2
    flags: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return "N/D" if self.score is None else str(half_up(self.score, self.places))


@attrs.frozen
class Outcome:
    expectation: Expectation
    got: NodeResult | Figure
    path: tuple[str, ...]  # node ids from the area down to the node
    problems: tuple[str, ...]  # empty when the expectation holds

    @property
    def passed(self) -> bool:
        return not self.problems


@attrs.frozen
class CaseResult:
    case: Case
    outcomes: tuple[Outcome, ...] = ()
    errors: tuple[Diagnostic, ...] = ()  # the case could not be scored
    period: str | None = None
    as_of: dt.date | None = None
    seconds: float = 0.0  # reading its values and scoring them, once for all its expectations

    @property
    def verdict(self) -> str:
        if self.errors:
            return "error"
        return "passed" if all(o.passed for o in self.outcomes) else "failed"


@attrs.frozen
class SuiteResult:
    path: str
    cases: tuple[CaseResult, ...] = ()
    errors: tuple[Diagnostic, ...] = ()  # the test file itself could not be loaded
    rules: str | None = None
    seconds: float = 0.0  # loading the file and its rules, and running every case


@attrs.frozen
class RunReport:
    suites: tuple[SuiteResult, ...]
    started: dt.datetime | None = None  # when the run began (local time, with its offset)

    def _outcomes(self) -> list[Outcome]:
        return [o for s in self.suites for c in s.cases for o in c.outcomes]

    @property
    def passed(self) -> int:
        return sum(1 for o in self._outcomes() if o.passed)

    @property
    def failed(self) -> int:
        return sum(1 for o in self._outcomes() if not o.passed)

    @property
    def errors(self) -> int:
        return sum(bool(s.errors) + sum(bool(c.errors) for c in s.cases) for s in self.suites)

    @property
    def exit_code(self) -> int:
        """0 when every expectation held; 1 on any failure or error (I/O included)."""
        return 0 if self.failed == 0 and self.errors == 0 else 1


# ---- loading ---------------------------------------------------------------------------------
def project_tree(test_file: Path) -> Path:
    """The folder a test file's paths must stay in: the nearest folder holding it that has a
    pyproject.toml or a .git (the project's top), else the test file's own folder. Symbolic
    links are followed first, so a link cannot lead a path out."""
    folder = test_file.resolve().parent
    for candidate in (folder, *folder.parents):
        if any((candidate / mark).exists() for mark in _PROJECT_MARKS):
            return candidate
    return folder


def load_suite(path: Path) -> Suite:
    """Read a test file and its rules; raise RuleTestError listing every mistake in the file."""
    document = read_yaml(read_text(path, "test file"), str(path), "SL401",
                         "check indentation and that each entry is `key: value`", RuleTestError)
    return _Reader(path, document.constructor).suite(document.root)


class _Reader:
    """Walks the YAML nodes of one test file, collecting every problem with its position."""

    def __init__(self, path: Path, loader: Constructor):
        self.path, self.source, self.loader = path, str(path), loader
        self.problems: list[Diagnostic] = []
        self.plan_id: str | None = None  # the plan's, once its rules load

    def span(self, node: yaml.Node) -> Span:
        return node_span(self.source, node)

    def problem(self, code: str, message: str, node: yaml.Node | None, hint: str | None = None) -> None:
        span = self.span(node) if node is not None else Span.point(self.source, 1, 1)
        self.problems.append(error(code, message, span, hint))

    def relative(self, name: str) -> Path:
        """A path written in the test file, relative to the test file's folder."""
        return Path(os.path.normpath(self.path.parent / name))

    def named(self, node: yaml.Node, key: str, suffixes: tuple[str, ...]) -> Path | None:
        """The file `key` names, or None (SL402, SL013) when the test may not read it.

        A test file names only files of its project, of the kind it reads: an absolute path,
        or one leading out of `project_tree` (by `..` or a symbolic link), is refused before
        anything is read, as is a file whose name is not a rule file's (`rules:`) or a values
        file's (`values:`). A test file from elsewhere (a pull request) can then neither read
        nor show a line of /etc/shadow, ~/.ssh or a checkout's .git/config."""
        name = self.text(node, f"`{key}`")
        if name is None:
            return None
        kinds = " or ".join(suffixes)
        hint = (f"name a {kinds} file by its path from this test file's folder, inside the "
                "project (the nearest folder above with a pyproject.toml or a .git, else this "
                "folder)")
        if os.path.isabs(name) or name.startswith("~"):
            self.problem("SL013", f"`{key}` names {name!r}, an absolute path", node, hint)
            return None
        path = self.relative(name)
        root = project_tree(self.path)
        if not (self.path.parent / name).resolve().is_relative_to(root):
            self.problem("SL013", f"`{key}` names {name!r}, outside the project", node, hint)
            return None
        if not name.lower().endswith(suffixes):
            self.problem("SL013", f"`{key}` names {name!r}, not a {kinds} file", node, hint)
            return None
        return path

    def value(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as exc:
            self.problem("SL401", f"cannot read this value: {exc}", node,
                         "a date must exist (2020-06-30, not 2020-06-31)")
            return None

    def mapping(self, node: yaml.Node | None, what: str,
                allowed: Sequence[str] | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.problem("SL402", f"{what} must be a mapping", node)
            return {}
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in found:
                self.problem("SL406", f"`{name}` is given twice in {what}", key,
                             f"first at line {found[name][0].start_mark.line + 1}; keep one")
            elif allowed is not None and name not in allowed:
                self.problem("SL402", f"unknown key `{name}` in {what}", key,
                             did_you_mean(name, allowed) or "allowed keys: " + ", ".join(allowed))
            else:
                found[name] = (key, value)
        return found

    def text(self, node: yaml.Node, what: str) -> str | None:
        raw = self.value(node)
        if isinstance(raw, (str, int)) and not isinstance(raw, bool) and str(raw).strip():
            return str(raw).strip()
        self.problem("SL402", f"{what} must be a name, not {raw!r}", node)
        return None

    def suite(self, root: yaml.Node | None) -> Suite:
        top = self.mapping(root, "a test file", _FILE_KEYS)
        rules = Path()
        plan: Plan | None = None
        plan_errors: tuple[Diagnostic, ...] = ()
        if isinstance(root, yaml.MappingNode) and "rules" not in top:
            self.problem("SL402", "the test file does not name its rule file", root,
                         "add `rules: my-plan.score` (a path relative to this test file)")
        elif "rules" in top:
            rules_node = top["rules"][1]
            named = self.named(rules_node, "rules", RULE_SUFFIXES)
            if named is not None:
                rules = named
                plan, plan_errors = self.load_plan(rules, rules_node)
        cases: list[Case] = []
        tests = top.get("tests", (None, None))[1]
        if not isinstance(tests, yaml.SequenceNode) or not tests.value:
            if isinstance(root, yaml.MappingNode):
                self.problem("SL402", "`tests` must be a non-empty list of cases", tests or root,
                             "add `tests:` with `- name: …`, `values: …` and `expect: …`")
        else:
            for index, node in enumerate(tests.value, start=1):
                cases.append(self.case(node, index, plan))
        if self.problems:
            raise RuleTestError(in_source_order(self.problems))
        return Suite(self.path, rules, tuple(cases), plan, plan_errors)

    def load_plan(self, rules: Path, node: yaml.Node) -> tuple[Plan | None, tuple[Diagnostic, ...]]:
        try:
            return load(rules), ()
        except InputError as exc:  # a wrong path is a mistake of the test file: point at it
            for d in exc.diagnostics:
                self.problems.append(attrs.evolve(d, span=d.span or self.span(node)))
        except ScorelangError as exc:  # bad rules: every case reports them as an error
            return None, exc.diagnostics
        return None, ()

    def case(self, node: yaml.Node, index: int, plan: Plan | None) -> Case:
        fields = self.mapping(node, f"test {index}", _CASE_KEYS)
        name = f"case {index}"
        if "name" in fields:
            name = self.text(fields["name"][1], "`name`") or name
        period = self.text(fields["period"][1], "`period`") if "period" in fields else None
        if period is not None and plan is not None:
            try:
                plan.program(period)
            except ValuesError as exc:
                for d in exc.diagnostics:
                    self.problems.append(attrs.evolve(d, span=self.span(fields["period"][1])))
        as_of = None
        if "as_of" in fields:
            as_of = self.value(fields["as_of"][1])
            if isinstance(as_of, dt.datetime):
                as_of = as_of.date()
            if not isinstance(as_of, dt.date):
                self.problem("SL402", f"as_of {as_of!r} is not a date", fields["as_of"][1],
                             "write it unquoted as YYYY-MM-DD")
                as_of = None
        tolerance = DEFAULT_TOLERANCE
        if "tolerance" in fields:
            tolerance = self.tolerance(fields["tolerance"][1])
        values: Path | Values = Values({})
        if "values" not in fields:
            self.problem("SL402", f"test `{name}` has no `values`", node,
                         "give a values file (`values: ../values.yaml`) or a mapping id: value")
        elif isinstance(fields["values"][1], yaml.MappingNode):
            values = self.inline_values(fields["values"][1])
        else:
            values = self.named(fields["values"][1], "values", VALUES_SUFFIXES) or values
        node_ids = None if plan is None else \
            [*plan.program(None).layout.tree, *individual_ids(plan.definition)]
        self.plan_id = None if plan is None else plan.definition.id
        expect: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        expect_node = fields["expect"][1] if "expect" in fields else None
        if isinstance(expect_node, yaml.MappingNode) and expect_node.value:
            expect = self.mapping(expect_node, "`expect`", None)
        else:
            self.problem("SL402", f"test `{name}` expects nothing", expect_node or node,
                         "add `expect:` with one `node_id: score` line per pinned figure")
        expectations = tuple(self.expectation(key, value, tolerance, node_ids)
                             for key, value in expect.values())
        behaviours = None
        if "behaviours" in fields:
            try:
                behaviours = Values.from_mapping(
                    {}, behaviours=self.value(fields["behaviours"][1]) or {}).behaviours
            except ValuesError as exc:
                self.problems.extend(attrs.evolve(d, span=self.span(fields["behaviours"][1]))
                                     for d in exc.diagnostics)
        return Case(name, self.span(node), values, expectations, period, as_of, behaviours)

    def tolerance(self, node: yaml.Node) -> float:
        raw = self.value(node)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 0:
            limited = self.limited(raw, node, "the tolerance")
            return DEFAULT_TOLERANCE if limited is None else limited
        self.problem("SL404", f"tolerance {raw!r} is not a number of percentage points ≥ 0", node,
                     "write e.g. `tolerance: 0.005` (half a unit of the second decimal)")
        return DEFAULT_TOLERANCE

    def inline_values(self, node: yaml.Node) -> Values:
        clean: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        for name, (key, value) in self.mapping(node, "`values`", None).items():
            spans[name] = self.span(key)
            try:
                clean.update(Values.from_mapping({name: self.value(value)}).values)
            except ValuesError as exc:
                self.problems.extend(attrs.evolve(d, span=self.span(value)) for d in exc.diagnostics)
        return Values(clean, source=self.source, spans=spans)

    def expectation(self, key: yaml.Node, node: yaml.Node, tolerance: float,
                    node_ids: Sequence[str] | None) -> Expectation:
        node_id = str(key.value)
        if node_id == TOTAL and self.plan_id is not None and TOTAL not in (node_ids or ()):
            node_id = self.plan_id  # `plan: 69.21` pins the plan's total, the root node
        if node_ids is not None and node_id not in node_ids:
            if node_id == self.plan_id:
                self.problem("SL403", f"the plan `{node_id}` has no total: its areas carry no "
                             "weight", key, "weight the areas (`area \"1\" \"...\" weight 40%`) "
                             "to give the plan a total, or pin the areas' scores")
            else:
                self.problem("SL403", f"the plan has no node `{node_id}`", key,
                             did_you_mean(node_id, node_ids)
                             or "node ids are listed by `scorelang score RULES --format json`")
        if not isinstance(node, yaml.MappingNode):
            return Expectation(node_id, self.span(key), self.score(node, node_id), tolerance)
        fields = self.mapping(node, f"the expectation of `{node_id}`", _LONG_FORM_KEYS)
        if not fields.keys() & {"score", "status", "flags"}:
            self.problem("SL404", f"the expectation of `{node_id}` checks nothing", node,
                         "give at least one of `score`, `status`, `flags`")
        score = self.score(fields["score"][1], node_id) if "score" in fields else None
        if "tolerance" in fields:
            tolerance = self.tolerance(fields["tolerance"][1])
        status = self.known(fields["status"][1], STATUSES, "status") if "status" in fields else None
        flags = self.flags(fields["flags"][1]) if "flags" in fields else None
        return Expectation(node_id, self.span(key), score, tolerance, status, flags)

    def score(self, node: yaml.Node, node_id: str) -> float | Literal["N/D"] | None:
        raw = self.value(node) if isinstance(node, yaml.ScalarNode) else node
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return self.limited(raw, node, f"expected score of `{node_id}`")
        if isinstance(raw, str) and raw.strip().upper() == ND:
            return ND
        hint = "write the score in percentage points (62.96) or N/D"
        if isinstance(raw, str) and "," in raw:
            hint = "write the number with a decimal point (62.96, not 62,96) and no % sign"
        elif raw is None:
            hint = "write N/D to expect no score (null is not accepted: it may be a forgotten figure)"
        shown = repr(raw) if isinstance(node, yaml.ScalarNode) else "a list or mapping"
        self.problem("SL404", f"expected score of `{node_id}` is {shown}, not a number or N/D",
                     node, hint)
        return None

    def limited(self, raw: int | float, node: yaml.Node, what: str) -> float | None:
        """A YAML number as a float within the limits of docs/language.md#numbers; SL407 (and
        None) for `.nan`, `.inf` or a figure beyond ±10^15, which no score can be."""
        try:
            number = float(raw)
        except OverflowError:  # an integer of 400 digits
            number = float("inf")
        problem = number_problem(number)
        if problem is None:
            return number
        self.problem("SL407", f"{what} {problem}", node,
                     "a score is a finite number of percentage points within ±10^15 "
                     "(docs/language.md#numbers); write N/D to expect no score")
        return None

    def known(self, node: yaml.Node, names: Sequence[str], what: str) -> str | None:
        raw = self.value(node)
        if raw in names:
            return str(raw)
        self.problem("SL405", f"unknown {what} {raw!r}", node,
                     did_you_mean(str(raw), names) or f"{what}s: " + ", ".join(names))
        return None

    def flags(self, node: yaml.Node) -> tuple[str, ...] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem("SL404", "`flags` must be a list", node,
                         "write `flags: [floored]`, or `flags: []` for none")
            return None
        flags = [self.known(item, FLAGS, "flag") for item in node.value]
        return tuple(flag for flag in flags if flag is not None)


def discover(paths: Sequence[str]) -> list[Path]:
    """Files as given; directories searched recursively for `*.test.yaml`, in name order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found.extend(sorted(path.rglob("*.test.yaml")) if path.is_dir() else [path])
    return list(dict.fromkeys(found))


# ---- running ---------------------------------------------------------------------------------
def run_suite(suite: Suite) -> SuiteResult:
    return SuiteResult(str(suite.path), tuple(_run_case(suite, c) for c in suite.cases),
                       rules=str(suite.rules))


def run_paths(paths: Sequence[str]) -> RunReport:
    """Every test file under `paths`; a file that does not load is an error in the report."""
    started = dt.datetime.now().astimezone().replace(microsecond=0)
    suites: list[SuiteResult] = []
    for name in paths:
        if Path(name).is_dir() and not discover([name]):
            suites.append(SuiteResult(name, errors=(error(
                "SL001", f"no *.test.yaml files under {name}", None,
                "test files are named like the rules: my-plan.test.yaml"),)))
    for path in discover(paths):
        start = time.perf_counter()
        try:
            ran = run_suite(load_suite(path))
        except ScorelangError as exc:
            ran = SuiteResult(str(path), errors=exc.diagnostics)
        suites.append(attrs.evolve(ran, seconds=time.perf_counter() - start))
    return RunReport(tuple(suites), started)


def _run_case(suite: Suite, case: Case) -> CaseResult:
    if suite.plan is None:
        return CaseResult(case, errors=suite.plan_errors)
    start = time.perf_counter()
    try:
        values = case.values if isinstance(case.values, Values) else load_values(
            case.values, number_format=suite.plan.definition.policy.locale)
        result = suite.plan.evaluate(values, period=case.period, as_of=case.as_of,
                                     behaviours=case.behaviours)
    except ScorelangError as exc:
        return CaseResult(case, errors=exc.diagnostics, seconds=time.perf_counter() - start)
    outcomes = tuple(_judge(e, result) for e in case.expectations)
    return CaseResult(case, outcomes, period=result.period, as_of=result.as_of,
                      seconds=time.perf_counter() - start)


def individual_ids(plan: model.PlanDefinition) -> list[str]:
    """The ids a test may pin of the individual evaluation (see `Figure`)."""
    ids = []
    for card in plan.scorecards:
        ids.append(f"scorecard:{card.id}")
        ids += [f"scorecard:{card.id}/{component.id}" for component in card.components]
        role = plan.role(card.role) if card.role else None
        if card.reward or (role is not None and role.reward):
            ids.append(f"reward:{card.id}")
    return ids


def _figure(result: Result, figure_id: str) -> Figure:
    kind, _, rest = figure_id.partition(":")
    card_id, _, component_id = rest.partition("/")
    card = next(c for c in result.scorecards if c.id == card_id)
    if kind == "reward":
        return Figure(figure_id, card.reward_share, card.status, card.places)
    if component_id:
        component = next(c for c in card.components if c.id == component_id)
        return Figure(figure_id, component.score, component.status, card.places)
    return Figure(figure_id, card.score, card.status, card.places)


def _judge(expected: Expectation, result: Result) -> Outcome:
    got: NodeResult | Figure
    if expected.node.startswith(("scorecard:", "reward:")):
        got = _figure(result, expected.node)
    else:
        got = result[expected.node]
    problems: list[str] = []
    if expected.score == ND and got.score is not None:
        problems.append(f"score is {figure(got.score)}, expected N/D")
    elif isinstance(expected.score, float):
        if got.score is None:
            problems.append(f"score is N/D ({got.status}), expected {figure(expected.score)}")
        else:
            # Settled like the displayed figure, so float noise cannot cross the boundary.
            off = abs(half_up(got.score, 9) - Decimal(repr(expected.score)))
            if off > Decimal(repr(expected.tolerance)):
                problems.append(f"score is off by {figure(float(off))}, more than the tolerance "
                                f"{figure(expected.tolerance)}")
    if expected.status is not None and got.status != expected.status:
        problems.append(f"status is {got.status}, expected {expected.status}")
    if expected.flags == () and got.flags:
        problems.append(f"flags {', '.join(got.flags)} set, expected none")
    for flag in expected.flags or ():
        if flag not in got.flags:
            problems.append(f"flag {flag} is not set")
    path: list[str] = []
    parent: str | None = got.id if isinstance(got, NodeResult) else None
    if isinstance(got, Figure):
        path.append(got.id)
    while parent is not None:
        path.insert(0, parent)
        parent = result[parent].parent
    return Outcome(expected, got, tuple(path), tuple(problems))


def figure(value: float) -> str:
    """Enough digits to see why a figure fails, without binary noise."""
    return format(half_up(value, 6).normalize(), "f")
