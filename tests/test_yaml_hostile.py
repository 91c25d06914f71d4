"""Hostile input to the YAML readers, the rule tests' paths and the checked-plan cache.

Every YAML file scorelang reads (values, published figures, rule tests, what-if operations)
goes through `engine.yamlsource.read_yaml`: a character YAML refuses (a NUL byte) is SL010 at
its line and column, aliases are bounded (SL011) and nesting too (SL012), with either parser
(PyYAML's or libyaml's) giving the same positions. A rule test names only scorelang files of
its project (SL013) and no excerpt shows a line of any other file. A damaged or hostile cache
entry is a miss, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import scorelang
from scorelang.check import cache, codec
from scorelang.diagnostics import Diagnostic, ScorelangError, Span, error, warning
from scorelang.engine import yamlsource
from scorelang.engine.values import loads_values
from scorelang.report.diagnostics import source_lines, to_text

from .conftest import MODENA_PUBLISHED, MODENA_RULES, MODENA_VALUES, ROOT

PARSERS = pytest.mark.parametrize("parser", yamlsource.PARSERS)


class Refused(ScorelangError):
    pass


def problem(text: str, parser: str | None = None) -> Diagnostic:
    """The one diagnostic `read_yaml` raises for `text`."""
    with pytest.raises(Refused) as info:
        yamlsource.read_yaml(text, "f.yaml", "SL301", "hint", Refused, parser)
    (found,) = info.value.diagnostics
    return found


def where(found: Diagnostic) -> tuple[str, int, int]:
    assert found.span is not None
    return found.code, found.span.line, found.span.column


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scorelang", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def with_nul(text: str, line: int, column: int) -> str:
    """`text` with a NUL byte put before the character at line:column (from 1)."""
    lines = text.split("\n")
    lines[line - 1] = lines[line - 1][:column - 1] + "\0" + lines[line - 1][column - 1:]
    return "\n".join(lines)


# ---- a NUL byte, in each kind of YAML file, through the command line ------------------------

def test_a_nul_byte_in_a_values_file_is_sl010_at_its_position(tmp_path):
    bad = tmp_path / "values.yaml"
    bad.write_text(with_nul(MODENA_VALUES.read_text(encoding="utf-8"), 3, 5), encoding="utf-8")
    done = run("score", str(MODENA_RULES), "--values", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:3:5: error[SL010]: the file holds U+0000 (NUL)" in done.stderr
    assert "hint:" in done.stderr


def test_a_nul_byte_in_a_published_figures_file_is_sl010(tmp_path):
    bad = tmp_path / "published.yaml"
    bad.write_text(with_nul(MODENA_PUBLISHED.read_text(encoding="utf-8"), 7, 2), encoding="utf-8")
    done = run("verify", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--reported", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{bad}:7:2: error[SL010]" in done.stderr


def test_a_nul_byte_in_a_rule_test_is_sl010(tmp_path):
    (tmp_path / "plan.score").write_text(MODENA_RULES.read_text(encoding="utf-8"), "utf-8")
    bad = tmp_path / "plan.test.yaml"
    bad.write_text("rules: plan.score\ntests:\n  - name: n\x00\n", encoding="utf-8")
    done = run("test", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:3:12: error[SL010]" in done.stdout


def test_a_nul_byte_in_a_whatif_operations_file_is_sl010(tmp_path):
    bad = tmp_path / "ops.yaml"
    bad.write_text("- drop: regolamento_ocri\n- dr\x00op: x\n", encoding="utf-8")
    done = run("whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--ops", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:2:5: error[SL010]" in done.stderr


def test_a_whatif_operation_that_cannot_be_read_is_placed_at_its_item(tmp_path):
    ops = tmp_path / "ops.yaml"
    ops.write_text("- drop: regolamento_ocri\n- set_weight: {node: '301'}\n", encoding="utf-8")
    done = run("whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--ops", str(ops))
    assert done.returncode == 1 and f"{ops}:2:3: error[SL603]" in done.stderr


# ---- ReaderError placed right, by either parser ---------------------------------------------

_TEXT = st.text(alphabet="ab: -é😀\n", max_size=60)


@PARSERS
@given(before=_TEXT, after=_TEXT, bad=st.sampled_from("\x00\x01\x07\x1b\x7f\ufffe"))
def test_a_refused_character_is_placed_at_its_line_and_column(parser, before, after, bad):
    text = before + bad + after
    index = len(before)
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    # A document may fail for another reason before the parser meets the character; PyYAML's
    # reader checks every character first, libyaml's when it reaches it. Either way, if the
    # refusal is SL010, it is at the character.
    try:
        yamlsource.read_yaml(text, "f.yaml", "SL301", "hint", Refused, parser)
    except Refused as exc:
        (found,) = exc.diagnostics
        if found.code == "SL010":
            assert where(found) == ("SL010", line, column)
            assert f"U+{ord(bad):04X}" in found.message
            return
    assert parser == "libyaml"  # only libyaml can stop before reading the character


@PARSERS
@pytest.mark.parametrize("text, line, column", [
    ("a: 1\r\nb: x\x00\n", 2, 5),       # CR LF is one line break
    ("\ufeffa: 1\n\x00", 2, 1),         # a byte-order mark is no column
    ("é: 'àè\x01'\n", 1, 7),            # columns count characters, not UTF-8 bytes
    ("a: 1\u2028b: \x00", 2, 4),        # YAML's own line breaks count as lines
])
def test_a_refused_character_after_breaks_and_wide_characters(parser, text, line, column):
    assert where(problem(text, parser)) == ("SL010", line, column)


# ---- both parsers, the same positions ---------------------------------------------------------

BROKEN = [
    "a: [1\nb: 2\n",
    "a: 1\n b: 2\n",
    "a: *x\n",
    "a:\n\t- b\n",
    "a: 'x\n",
    "- a\nb: 1\n",
    "a: 1\n---\nb: 2\n",
    "&a a: &a b\n",
    "a: !<x y\n",
    "{a: 1",
    "{a: 1\n",
    "a: b: c\n",
    "? [a]\n: 1\n",
    "a: !!set [1]\n",
    "x: 1\nvalues:\n  a: 1\n  a: [\n",
    "a: &x [*x]\n",
    "a: " + "[" * 40 + "]" * 40 + "\n",
]


@pytest.mark.skipif(len(yamlsource.PARSERS) < 2, reason="PyYAML is built without libyaml")
@pytest.mark.parametrize("text", BROKEN)
def test_both_parsers_place_every_problem_at_the_same_position(text):
    python, libyaml = problem(text, "python"), problem(text, "libyaml")
    assert where(python) == where(libyaml)
    assert python.hint == libyaml.hint


@pytest.mark.skipif(len(yamlsource.PARSERS) < 2, reason="PyYAML is built without libyaml")
def test_both_parsers_read_the_same_nodes_at_the_same_positions():
    text = MODENA_VALUES.read_text(encoding="utf-8")
    python = loads_values(text, "v.yaml")
    original = yamlsource.C_PARSER_FROM
    try:
        yamlsource.C_PARSER_FROM = 0
        libyaml = loads_values(text, "v.yaml")
    finally:
        yamlsource.C_PARSER_FROM = original
    assert python == libyaml and python.spans == libyaml.spans


def test_large_documents_go_to_libyaml_small_ones_to_pyyaml():
    small, large = "a: 1\n", "a: 1\n" * (yamlsource.C_PARSER_FROM // 5 + 1)
    assert yamlsource.parser_for(small) == "python"
    assert yamlsource.parser_for(large) == yamlsource.PARSERS[-1]


# ---- aliases and depth ----------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@PARSERS
def test_a_billion_laughs_is_refused_at_the_alias_over_the_budget_at_once(parser):
    started = time.perf_counter()
    found = problem(BILLION_LAUGHS, parser)
    assert time.perf_counter() - started < 0.5
    # a is 10 nodes, b 91, c 820, d 7,381: b's aliases repeat 90 nodes, c's 819, d's 7,380
    # (8,289 in all), and e's first alias 7,381 more: over 10,000 at line 5, column 8.
    assert where(found) == ("SL011", 5, 8)
    assert "repeat more than 10,000 nodes" in found.message


def test_a_billion_laughs_in_a_whatif_operations_file_stops_at_once(tmp_path):
    bomb = tmp_path / "ops.yaml"
    bomb.write_text("- drop: x\n- " + BILLION_LAUGHS.replace("\n", "\n  "), encoding="utf-8")
    started = time.perf_counter()
    done = run("whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--ops", str(bomb))
    assert time.perf_counter() - started < 30  # a process start; the bomb took minutes
    assert done.returncode == 1 and f"{bomb}:6:10: error[SL011]" in done.stderr


@PARSERS
def test_a_node_that_contains_itself_is_refused(parser):
    assert where(problem("a: &x\n  b: [1, *x]\n", parser)) == ("SL011", 2, 10)


@PARSERS
def test_aliases_within_the_budget_read_as_written_out(parser):
    document = yamlsource.read_yaml("a: &v {x: 1, y: 2}\nb: *v\nc: *v\n", "f", "SL301", "",
                                    Refused, parser)
    assert document.data == {"a": {"x": 1, "y": 2}, "b": {"x": 1, "y": 2}, "c": {"x": 1, "y": 2}}


def test_a_rule_test_may_share_values_between_cases_with_an_alias(tmp_path):
    (tmp_path / "plan.score").write_text(
        'plan p "P" { period Y "Y" ends 2020-12-31 }\nindicator x "X" { target >= 100 }\n'
        'area "1" "A" { objective "10" "O" weight 100% { x 100% } }\n', encoding="utf-8")
    test = tmp_path / "plan.test.yaml"
    test.write_text("rules: plan.score\ntests:\n"
                    "  - values: &v {x: 50}\n    expect: {'10': 50}\n"
                    "  - values: *v\n    expect: {'10': 50}\n", encoding="utf-8")
    done = run("test", str(test))
    assert done.returncode == 0, done.stdout


@PARSERS
@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_nesting_deeper_than_the_bound_is_refused_without_a_crash(parser, opening):
    text = "a: " + opening * 100_000 if opening != "- " else "- " * 100_000 + "x\n"
    found = problem(text, parser)
    # libyaml 0.2.5 (PyYAML 6.0.4's wheels) has a bound of its own on flow nesting, which its
    # scanner, reading ahead of our composer, reaches first: a syntax error that says so.
    assert found.code == "SL012" or (parser == "libyaml" and found.code == "SL301"
                                     and "nesting depth" in found.message), found
    assert found.span is not None and found.span.line == 1


@PARSERS
def test_nesting_up_to_the_bound_is_read(parser):
    depth = yamlsource.MAX_DEPTH - 1
    document = yamlsource.read_yaml("[" * depth + "]" * depth, "f", "SL301", "", Refused, parser)
    assert document.data is not None


# ---- constructors that fail in other ways -------------------------------------------------------

@pytest.mark.parametrize("value", ["!!timestamp x", "!!bool x", "!!int ''", "!!int x",
                                   "2020-06-31"])
def test_a_scalar_its_tag_cannot_read_is_a_diagnostic(value):
    with pytest.raises(ScorelangError) as info:
        loads_values(f"plan: p\nvalues:\n  x: {value}\n", "v.yaml")
    assert all(d.code in ("SL301", "SL303") for d in info.value.diagnostics)


def test_a_values_file_in_utf16_is_refused_cleanly(tmp_path):
    # UTF-16 text of ASCII holds NUL bytes that are valid UTF-8: the YAML reader refuses them.
    bad = tmp_path / "values.yaml"
    bad.write_bytes("plan: x\n".encode("utf-16-le"))
    done = run("score", str(MODENA_RULES), "--values", str(bad))
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr
    assert f"{bad}:1:2: error[SL010]" in done.stderr


# ---- rule tests name only their project's files ---------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "rules").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "rules" / "plan.score").write_text(MODENA_RULES.read_text(encoding="utf-8"), "utf-8")
    return root


SECRET = "root:x:0:0:secret-line"


@pytest.mark.parametrize("name, why", [
    ("/etc/passwd", "an absolute path"),
    ("../../secret.score", "outside the project"),
    ("../../../../../../../../etc/passwd", "outside the project"),
    ("~/secret.score", "an absolute path"),
    ("notes.txt", "not a .score file"),
])
def test_a_rule_test_may_not_name_files_outside_its_project_or_of_other_kinds(project, name, why):
    (project.parent / "secret.score").write_text(SECRET + "\n", encoding="utf-8")
    (project / "rules" / "notes.txt").write_text(SECRET + "\n", encoding="utf-8")
    test = project / "rules" / "plan.test.yaml"
    test.write_text(f"rules: {name}\ntests:\n  - values: {{}}\n    expect: {{'301': 1}}\n",
                    encoding="utf-8")
    done = run("test", str(test), cwd=project)
    assert done.returncode == 1
    assert f"{test}:1:8: error[SL013]: `rules` names {name!r}, {why}" in done.stdout
    assert SECRET not in done.stdout + done.stderr and "root:x" not in done.stdout


def test_values_named_outside_the_project_are_refused_too(project):
    test = project / "rules" / "plan.test.yaml"
    test.write_text("rules: plan.score\ntests:\n  - values: ../../v.yaml\n"
                    "    expect: {'301': 1}\n", encoding="utf-8")
    done = run("test", str(test), cwd=project)
    assert done.returncode == 1 and f"{test}:3:13: error[SL013]" in done.stdout


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symbolic_link_cannot_lead_a_rule_test_out_of_its_project(project):
    outside = project.parent / "outside.score"
    outside.write_text(SECRET + "\n", encoding="utf-8")
    (project / "rules" / "link.score").symlink_to(outside)
    test = project / "rules" / "plan.test.yaml"
    test.write_text("rules: link.score\ntests:\n  - values: {}\n    expect: {'301': 1}\n",
                    encoding="utf-8")
    done = run("test", str(test), cwd=project)
    assert "error[SL013]" in done.stdout and SECRET not in done.stdout


def test_paths_inside_the_project_may_climb_with_dotdot(project):
    (project / "tests").mkdir()
    test = project / "tests" / "plan.test.yaml"
    test.write_text("rules: ../rules/plan.score\ntests:\n  - values: ../v.yaml\n"
                    "    expect: {'301': 1}\n", encoding="utf-8")
    (project / "v.yaml").write_text(MODENA_VALUES.read_text(encoding="utf-8"), "utf-8")
    done = run("test", str(test), cwd=project)
    assert "SL013" not in done.stdout


def test_without_a_project_the_test_files_folder_is_the_tree(tmp_path):
    from scorelang.tools.ruletest import project_tree

    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    # tmp_path may itself lie in a project (a pyproject.toml above it): look only inside it
    if project_tree(folder / "t.test.yaml").is_relative_to(tmp_path):
        assert project_tree(folder / "t.test.yaml") == folder.resolve()
    (tmp_path / "a" / ".git").mkdir()
    assert project_tree(folder / "t.test.yaml") == (tmp_path / "a").resolve()


def test_no_excerpt_is_read_from_a_file_that_is_not_a_scorelang_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    found = error("SL103", "unexpected", Span.point(str(secret), 1, 1))
    assert source_lines(str(secret)) is None
    assert SECRET not in to_text([found], source_lines)
    rule = tmp_path / "plan.score"
    rule.write_text("first line\n", encoding="utf-8")
    assert source_lines(str(rule)) == ["first line"]
    assert source_lines(str(secret), named={str(secret)}) == [SECRET]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_no_excerpt_is_read_from_a_pipe(tmp_path):
    pipe = tmp_path / "plan.score"
    os.mkfifo(pipe)
    assert source_lines(str(pipe)) is None  # returns at once: the pipe is never opened


# ---- the checked-plan cache: a damaged entry is a miss ---------------------------------------

@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(path))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    return path


def _damaged(entry: str) -> str:
    """A valid entry of Modena's plan with one field of the wrong type."""
    data = json.loads(entry)
    data["plan"]["areas"][0]["children"][0]["weight"] = "33.34"
    return json.dumps(data)


def _foreign_class(entry: str) -> str:
    data = json.loads(entry)
    data["plan"]["areas"][0]["@"] = "Span"  # a class the cache knows, in the wrong place
    return json.dumps(data)


def _bad_diagnostic(entry: str) -> str:
    data = json.loads(entry)
    data["diagnostics"] = [{"@": "Diagnostic", "code": 1, "severity": None}]
    return json.dumps(data)


def _nested(entry: str, depth: int) -> str:
    """The entry with its plan's areas replaced by lists nested `depth` deep."""
    data = json.loads(entry)
    data["plan"]["areas"] = "@@"
    return json.dumps(data).replace('"@@"', "[" * depth + "]" * depth)


def _diagnostic_field(entry: str, field: str, value: str) -> str:
    data = json.loads(entry)
    forged = codec.encode([warning("SL218", "m")])[0]  # a diagnostic as the cache keeps one
    assert codec.decode([forged], tuple[Diagnostic, ...])  # well-typed, as it stands
    forged[field] = value
    data["diagnostics"] = [forged]
    return json.dumps(data)


def _another_format(entry: str) -> str:
    data = json.loads(entry)
    assert data["format"] == cache.FORMAT  # else this corruption would change nothing
    data["format"] = 99
    return json.dumps(data)


CORRUPTIONS = {
    "deep nesting": lambda entry: "[" * 200_000 + "]" * 200_000,
    "deep nesting in the plan": lambda entry: _nested(entry, 50_000),
    "nesting the json reader allows": lambda entry: _nested(entry, 500),
    "a wrong type": _damaged,
    "a class in the wrong place": _foreign_class,
    "a wrong diagnostic": _bad_diagnostic,
    # well-typed, but no diagnostic of the catalogue (regression: fuzzing, seed 14)
    "a diagnostic of no known code": lambda entry: _diagnostic_field(entry, "code", "SL999"),
    "a diagnostic saying nothing": lambda entry: _diagnostic_field(entry, "message", ""),
    "truncated": lambda entry: entry[: len(entry) // 2],
    "binary garbage": lambda entry: os.urandom(4096).decode("latin-1"),
    "not an object": lambda entry: "[1, 2, 3]",
    "another format": lambda entry: _another_format(entry),
    "empty": lambda entry: "",
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=list(CORRUPTIONS))
def test_a_damaged_cache_entry_is_a_miss_and_is_written_again(folder, corrupt, modena_result):
    scorelang.load(MODENA_RULES)
    (entry,) = folder.glob("*.json")
    good = entry.read_text(encoding="utf-8")
    entry.write_text(corrupt(good), encoding="utf-8", errors="surrogateescape")
    plan = scorelang.load(MODENA_RULES)  # no traceback, and the right plan
    assert plan.evaluate(scorelang.load_values(MODENA_VALUES)).to_dict() == modena_result.to_dict()
    assert json.loads(entry.read_text(encoding="utf-8")) == json.loads(good)  # written again


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=list(CORRUPTIONS))
def test_scorelang_check_reads_a_damaged_entry_as_a_miss(folder, corrupt):
    assert run("check", str(MODENA_RULES)).returncode == 0
    (entry,) = folder.glob("*.json")
    entry.write_text(corrupt(entry.read_text(encoding="utf-8")), encoding="utf-8")
    done = run("check", str(MODENA_RULES))
    assert done.returncode == 0 and "Traceback" not in done.stderr


def test_the_strict_decoder_reads_back_every_plan_of_the_repository(folder):
    for path in sorted(ROOT.glob("rules/*.score")) + sorted(ROOT.glob("examples/**/*.score")):
        plan, found = scorelang.diagnose(path.read_text(encoding="utf-8"), str(path))
        if plan is None:
            continue
        from scorelang import model

        assert codec.decode(codec.encode(plan), model.PlanDefinition) == plan
        assert codec.decode(codec.encode(found), tuple[Diagnostic, ...]) == tuple(found)


def test_every_cache_lives_in_the_private_directory(folder):
    """The checked plans (JSON) and Lark's parser (a pickle) are written only there."""
    from scorelang.syntax import parser

    scorelang.load(MODENA_RULES)
    cache_file = parser._cache_file(parser.grammar_text())
    assert isinstance(cache_file, str) and Path(cache_file).parent == folder
    assert all(path.parent == folder for path in folder.iterdir())


@pytest.mark.parametrize("field, value", [("code", "SL999"), ("message", "")])
def test_a_cached_diagnostic_outside_the_catalogue_is_a_miss(folder, field, value):
    """Regression (fuzzing, seed 14): a well-typed entry whose diagnostic has no known code, or
    no message, was printed by `scorelang check` as it stood."""
    text = MODENA_RULES.read_text(encoding="utf-8")
    assert scorelang.api.check_text(text, str(MODENA_RULES)) == []
    (entry,) = folder.glob("*.json")
    entry.write_text(_diagnostic_field(entry.read_text(encoding="utf-8"), field, value),
                     encoding="utf-8")
    assert scorelang.api.check_text(text, str(MODENA_RULES)) == []
