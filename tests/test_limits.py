"""Hostile input (issue 14): nesting, long texts, work in proportion to the input, exit code 3.

- A file nested 10 000 or 100 000 levels deep is one diagnostic (SL122) from every command and
  from the API, quickly; the deepest file allowed goes through every command.
- A 10 MB text is one diagnostic (SL123), in time and memory of the order of the text itself.
- Doubling a plan (indicators, nodes, nesting, values, one long line) at most about doubles
  the work: the number of function calls, counted by cProfile (a count, not a time, so the
  test holds on a loaded machine too).
- A bug exits with 3, one line on standard error and the details in a private file.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import os
import pstats
import stat
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

import scorelang
from scorelang import api, cli
from scorelang.diagnostics import ParseError, render
from scorelang.syntax.format import format_text
from scorelang.syntax.parser import MAX_NAME, MAX_NESTING, MAX_NUMBER, MAX_TEXT

from .conftest import ROOT

HEAD = 'plan p "P" {\n  period Y "Anno" ends 2020-12-31\n  tag t "T"\n}\n' \
       'indicator a "A" { target >= 1 tags t }\nindicator b "B" { target <= 5 }\n'
VALUES = "plan: p\nperiod: Y\nvalues:\n  a: 1\n  b: 3\n"


def nested_groups(levels: int) -> str:
    """An area holding `levels` groups, each inside the one before."""
    return (HEAD + 'area "1" "A" weight 100% {\n' + 'group "G" weight 100% {\n' * levels
            + "a 50%\nb 50%\n" + "}\n" * levels + "}\n")


def deepest_plan() -> str:
    """A plan whose tree and whose advice rule's condition both nest exactly MAX_NESTING levels:
    an area, an objective and groups below it; `not (raw < 0% or ...)` pairs in the rule."""
    groups = "".join(f'group "G{level}" weight 100% {{\n' for level in range(3, MAX_NESTING + 1))
    condition = "tagged t"
    for _ in range((MAX_NESTING - 1) // 2):  # the rule's block is level 1
        condition = f"not (raw < 0% or {condition})"
    if (MAX_NESTING - 1) % 2:
        condition = "not " + condition
    return (HEAD + 'area "1" "A" weight 100% {\nobjective "2" "O" weight 100% {\n' + groups
            + "a 50%\nb 50%\n" + "}\n" * MAX_NESTING
            + f'rule r "R" {{\n  when {condition}\n  flag c warning "m"\n}}\n'
            + 'scorecard s "S" {\n  objective "2" 100%\n}\n')


DEEPEST_NODE = "2/" + "/".join(f"g{level}" for level in range(3, MAX_NESTING + 1))


def codes(found) -> list[str]:
    return [d.code for d in found]


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(list(args))
    return code, out.getvalue()


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(folder))
    return folder


# ---- nesting ------------------------------------------------------------------------------


def test_the_deepest_plan_allowed_reads_cleanly_and_one_level_more_is_sl122():
    plan, found = api.diagnose(deepest_plan(), "deep.score")
    assert plan is not None and [d for d in found if d.is_error] == []
    found = api.check_text(nested_groups(MAX_NESTING), "over.score")  # the area is level 1
    assert codes(found) == ["SL122"]
    assert f"level {MAX_NESTING + 1}" in found[0].message
    assert api.check_text(nested_groups(MAX_NESTING - 1), "fits.score") == []


@pytest.mark.parametrize("levels", [10_000, 100_000])
def test_a_deeply_nested_file_is_one_diagnostic_from_the_api_quickly(levels):
    text = nested_groups(levels)
    started = time.perf_counter()
    found = api.check_text(text, "deep.score")
    plan, diagnosed = api.diagnose(text, "deep.score")
    with pytest.raises(ParseError) as raised:
        scorelang.loads(text, "deep.score")
    with pytest.raises(ParseError) as formatting:
        format_text(text, "deep.score")
    assert time.perf_counter() - started < 5  # Lark stops at level 65, not at 100 000
    assert codes(found) == codes(diagnosed) == ["SL122"] and plan is None
    assert codes(raised.value.diagnostics) == codes(formatting.value.diagnostics) == ["SL122"]
    # At the '{' that opens level 65: the area's is level 1, so the 64th group's.
    span = found[0].span
    assert (span.line, span.column) == (7 + MAX_NESTING, len('group "G" weight 100% {'))
    assert formatting.value.diagnostics[0] == found[0]


@pytest.mark.parametrize("levels", [10_000, 100_000])
def test_a_deeply_nested_file_is_one_diagnostic_from_every_command(levels, tmp_path):
    rules, values = tmp_path / "deep.score", tmp_path / "values.yaml"
    rules.write_text(nested_groups(levels))
    values.write_text(VALUES)
    given = ["--values", str(values)]
    for args in (["check", str(rules)], ["fmt", "--check", str(rules)], ["fmt", str(rules)],
                 ["score", str(rules), *given], ["score", str(rules), *given, "--format", "json"],
                 ["explain", str(rules), "1", *given], ["advise", str(rules), *given],
                 ["whatif", str(rules), *given, "--drop", "b"],
                 ["compare", str(rules), *given]):
        started = time.perf_counter()
        code, printed = run_cli(*args)
        assert time.perf_counter() - started < 5, args
        assert code == 1 and printed.count("error[SL122]") == 1, (args, printed[-500:])
        assert "Traceback" not in printed
    assert rules.read_text() == nested_groups(levels)  # fmt wrote nothing


@pytest.mark.parametrize("condition", [
    "not " * 100_000 + "tagged t",
    "(" * 100_000 + "tagged t" + ")" * 100_000,
    "not (" * 50_000 + "tagged t" + ")" * 50_000,
])
def test_a_deeply_nested_condition_is_sl122(condition):
    text = HEAD + f'area "1" "A" {{ a 50% b 50% }}\nrule r {{ when {condition} flag c warning "m" }}\n'
    found = api.check_text(text)
    assert codes(found) == ["SL122"]
    assert found[0].span.column < 1_000  # the 65th level, near the start of the line


def test_not_counts_until_its_operand_ends():
    # 64 `not`s side by side, each ended by `and`, nest 2 levels (the block and one `not`):
    # only a chain of them nests.
    side_by_side = " and ".join(["not tagged t"] * 200)
    text = HEAD + f'area "1" "A" {{ a 50% b 50% }}\nrule r {{ when {side_by_side} flag c warning "m" }}\n'
    assert codes(api.check_text(text)) == []
    chain = "not " * MAX_NESTING + "tagged t"  # the block's level and 64 more
    text = HEAD + f'area "1" "A" {{ a 50% b 50% }}\nrule r {{ when {chain} flag c warning "m" }}\n'
    assert codes(api.check_text(text)) == ["SL122"]
    assert codes(api.check_text(text.replace("not tagged", "tagged", 1))) == []


# The deepest stage (the checked plan read back from the cache's JSON) takes about 4.5 frames
# a level: at this limit the deepest plan allowed must go through every command, so that a
# program calling scorelang from 500 frames deep still has room.
FRAMES = 500


def test_the_deepest_plan_allowed_goes_through_every_command(tmp_path, private_cache):
    rules, values = tmp_path / "deep.score", tmp_path / "values.yaml"
    rules.write_text(deepest_plan())
    values.write_text(VALUES)
    given = ["--values", str(values)]
    commands = [["check", str(rules)], ["fmt", "--check", str(rules)], ["advise", str(rules), *given]]
    for form in ("table", "markdown", "csv", "json", "html"):
        for view in ("tree", "indicators", "summary", "scorecards"):
            commands.append(["score", str(rules), *given, "--format", form, "--view", view])
    commands.append(["score", str(rules), *given, "--format", "xlsx", "-o", str(tmp_path / "r.xlsx")])
    for node in ("1", DEEPEST_NODE, DEEPEST_NODE + "/a", "scorecard:s"):
        for form in ("text", "json"):
            commands.append(["explain", str(rules), node, *given, "--format", form])
    commands += [["whatif", str(rules), *given, "--set-weight", f"{DEEPEST_NODE}/a=60%",
                  "--write", str(tmp_path / "w.score")],
                 ["whatif", str(rules), *given, "--drop", "b", "--format", "json"],
                 ["compare", str(rules), "--values", str(values), "--values", str(values)]]
    pytest.importorskip("openpyxl")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(FRAMES)
    try:
        for args in commands * 2:  # the second time the checked plan comes from the cache
            code, printed = run_cli(*args)
            assert code in (0, 1) and "Traceback" not in printed, (args, printed[-500:])
            if args[0] != "fmt":  # fmt --check exits 1: the generated layout is not canonical
                assert code == 0, (args, printed[-500:])
        plan = scorelang.load(rules)
        result = plan.evaluate(scorelang.load_values(values))
        document = json.dumps(result.to_dict())
    finally:
        sys.setrecursionlimit(limit)
    assert list(private_cache.glob("*.json"))  # the cache was written, and read back above
    assert DEEPEST_NODE in document and result[DEEPEST_NODE].score == pytest.approx(100)
    assert scorelang.loads((tmp_path / "w.score").read_text()).id == "p"


# ---- long texts, names and numbers ---------------------------------------------------------


def test_a_10_mb_text_is_one_diagnostic_in_bounded_time_and_memory():
    api.check_text(HEAD)  # the parser is built before measuring
    length = 10_000_000
    text = 'plan p "' + "x" * length + '" { }\n'
    tracemalloc.start()
    started = time.perf_counter()
    try:
        found = api.check_text(text, "big.score")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert codes(found) == ["SL123"] and f"{length:,} characters" in found[0].message
    assert elapsed < 5
    # The lexer copies the text once into its token; the old pattern kept ~150 bytes a
    # character (1.5 GB here).
    assert peak < 4 * length
    shown = render(found[0], text.splitlines())
    assert len(shown) < 1_000  # the line is shown around the mistake, not whole


@pytest.mark.parametrize("text", [
    '"' + "x" * 1_000_000 + "\n",  # never closed
    '"' + "\\\"x" * 300_000 + '"',  # escapes all the way
], ids=["unclosed", "escapes"])
def test_long_texts_are_lexed_without_backtracking(text):
    source = 'plan p ' + text + ' { }\n'
    tracemalloc.start()
    try:
        found = api.check_text(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert codes(found) in (["SL116"], ["SL123"])
    assert peak < 4 * len(source)


def test_text_name_and_number_limits_are_exact():
    def text_of(title: str, name: str = "a", number: str = "1") -> str:
        return (f'plan p "{title}" {{ period Y "Y" ends 2020-12-31 }}\n'
                f'indicator {name} "A" {{ target >= {number} }}\narea "1" "A" {{ {name} 100% }}\n')

    assert codes(api.check_text(text_of("x" * MAX_TEXT))) == []
    assert codes(api.check_text(text_of("x" * (MAX_TEXT + 1)))) == ["SL123"]
    # An escape is two characters as written: the limit counts the text as written.
    assert codes(api.check_text(text_of("\\\"" * (MAX_TEXT // 2)))) == []
    assert codes(api.check_text(text_of("a" * MAX_NAME, name="b" * MAX_NAME))) == []
    found = api.check_text(text_of("a", name="b" * (MAX_NAME + 1)))
    assert codes(found) == ["SL124"] and "a name of 201 characters" in found[0].message
    # A number as long as the limit allows, still within the limits of a value (SL120, SL121).
    assert codes(api.check_text(text_of("a", number="0" * (MAX_NUMBER - 1) + "1"))) == []
    found = api.check_text(text_of("a", number="1" * (MAX_NUMBER + 1)))
    assert codes(found) == ["SL124"] and "a number" in found[0].message
    assert (found[0].span.line, found[0].span.column) == (2, len('indicator a "A" { target >= ') + 1)


def test_a_diagnostic_on_a_long_line_shows_the_piece_around_it():
    line = 'area "1" "A" { ' + "a 1% " * 5_000 + "€ " + "b 1% " * 5_000 + "}"
    found = api.check_text('plan p "P" { }\n' + line)
    shown = render(found[0], ["plan", line])
    assert codes(found) == ["SL101"] and len(shown) < 1_000
    source, caret = shown.splitlines()[1:3]
    assert source[caret.index("^")] == "€"


# ---- work in proportion to the input --------------------------------------------------------


def plan_of(areas: int) -> tuple[str, str]:
    """A plan of `areas` areas (a power of two, so that weights are exact), each of 5 objectives
    of 4 indicators (two of them in a group) of every kind, scorecards and advice rules; and
    its values file."""
    lines = ['plan big "Big" {', '  period H1 "Half" ends 2020-06-30',
             '  period Y "Year" ends 2020-12-31', '  tag t "T"', '  policy {', '    floor 0%',
             '    cap 120%', "  }", '  band low "Low" colour "#c00" from 0%',
             '  band high "High" colour "#0c0" from 80%', "}"]
    values = ["plan: big", "period: Y", "as_of: 2020-12-31", "values:"]
    tree = []
    for area in range(areas):
        tree.append(f'area "{area}" "Area {area}" weight {100 / areas:g}% {{')
        for objective in range(5):
            code = f"{area}.{objective}"
            names = [f"i{area}_{objective}_{k}" for k in range(4)]
            lines += [f'indicator {names[0]} "Partecipanti {code}" {{ unit N target >= 600 '
                      f"periodic H1 >= 300 tags t }}",
                      f'indicator {names[1]} "Tempi {code}" {{ unit gg target <= 30 tolerance 10% }}',
                      f'indicator {names[2]} "Report {code}" {{ deadline 2020-10-31 }}',
                      f'indicator {names[3]} "Quota {code}" {{ target >= 50% points 20 {{ '
                      "below 50% scores 0 50% to 100% scores 10 to 20 from 100% scores 20 } }"]
            values += [f"  {names[0]}: {500 + area}", f"  {names[1]}: 33",
                       f"  {names[2]}: 2020-10-{1 + area % 28:02d}", f"  {names[3]}: 45"]
            tree += [f'  objective "{code}" "Obiettivo {code}" weight 20% {{',
                     f"    {names[0]} 25%", f"    {names[1]} 25%",
                     '    group "Adempimenti" weight 50% {', f"      {names[2]} 50%",
                     f"      {names[3]} 50%", "    }", "  }"]
        tree.append("}")
        tree += [f'scorecard s{area} "Dirigente {area}" {{',
                 f'  objective "{area}.0" 60%', f"  i{area}_1_1 40%", "}"]
    rules = ['rule low "Low" { when raw < 50% and not tagged t flag review warning "{raw}" }',
             'rule high "High" { when (raw > 100% or flagged capped) and kind == indicator '
             'flag note info "{value}" }']
    return "\n".join(lines + tree + rules) + "\n", "\n".join(values) + "\n"


def calls(work: Callable[[], object]) -> int:
    """How many function calls `work` makes (Python and built-in), counted by cProfile."""
    profile = cProfile.Profile()
    profile.runcall(work)
    return sum(row[1] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]


def calls_for(sizes: tuple[int, ...], work: Callable[[int], object]) -> list[int]:
    """The calls of `work(size)` for each size, after one untimed run of the smallest: the
    first run also pays for what happens once (imports, Lark's tables, caches)."""
    work(sizes[0])
    return [calls(lambda size=size: work(size)) for size in sizes]


def whole_pipeline(text: str, values: str) -> Callable[[], object]:
    def work() -> object:
        definition, found = api.diagnose(text, "big.score")  # parse, build, check (no cache)
        assert definition is not None and [d for d in found if d.is_error] == [], found[:3]
        plan = scorelang.Plan(definition)
        result = plan.evaluate(scorelang.loads_values(values, "v.yaml"))
        return json.dumps(result.to_dict()), format_text(text), scorelang.render(result, "table")
    return work


# At most this many times the work for twice the input: linear plus a little (Lark's tables,
# the first call of each function); a quadratic step would give 4.
GROWTH = 2.3


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("SCORELANG_CACHE", "off")


def test_doubling_the_plan_at_most_doubles_the_work(no_cache):
    counts = calls_for((8, 16, 32), lambda areas: whole_pipeline(*plan_of(areas))())  # 160-640 ind.
    assert counts[1] <= GROWTH * counts[0] and counts[2] <= GROWTH * counts[1], counts


def test_doubling_the_nesting_at_most_doubles_the_work(no_cache):
    # Within the limit: the area is one level more.
    counts = calls_for((15, 31, 62), lambda levels: whole_pipeline(nested_groups(levels), VALUES)())
    assert counts[1] <= GROWTH * counts[0] and counts[2] <= GROWTH * counts[1], counts


def test_doubling_the_values_at_most_doubles_the_work():
    texts = {areas: plan_of(areas)[1] for areas in (8, 16, 32)}
    counts = calls_for((8, 16, 32), lambda areas: scorelang.loads_values(texts[areas], "v.yaml"))
    assert counts[1] <= GROWTH * counts[0] and counts[2] <= GROWTH * counts[1], counts


def test_doubling_a_line_at_most_doubles_the_work_and_the_output(no_cache):
    """One objective of N indicators written on one line; then N unknown ones: N diagnostics
    on that line, each showing the piece of it around its mistake (not the whole line)."""
    def one_line(count: int, declared: bool) -> str:
        declarations = "".join(f'indicator i{k} "I{k}" {{ target >= 1 }}\n' for k in range(count)
                               ) if declared else ""
        refs = " ".join(f"i{k} {100 / count:g}%" for k in range(count))
        return (f'plan p "P" {{ period Y "Y" ends 2020-12-31 }}\n{declarations}'
                f'area "1" "A" {{ {refs} }}\n')

    def values(count: int) -> str:
        return "plan: p\nperiod: Y\nvalues:\n" + "".join(f"  i{k}: 1\n" for k in range(count))

    counts = calls_for((128, 256, 512),
                       lambda count: whole_pipeline(one_line(count, True), values(count))())
    printed = []
    for count in (128, 256, 512):
        text = one_line(count, False)
        found = api.check_text(text, "line.score")
        assert codes(found).count("SL206") == count
        printed.append(sum(len(render(d, text.splitlines())) for d in found))
    assert counts[1] <= GROWTH * counts[0] and counts[2] <= GROWTH * counts[1], counts
    assert printed[1] <= GROWTH * printed[0] and printed[2] <= GROWTH * printed[1], printed


def test_doubling_the_misspelt_names_at_most_doubles_the_work(no_cache):
    """N misspelt references among N declared indicators: "did you mean" compares each with
    every declared name, so only the first ones get a suggestion (it was N × N)."""
    def misspelt(count: int) -> str:
        return ('plan p "P" { }\n'
                + "".join(f'indicator abc{k} "A" {{ target >= 1 }}\n' for k in range(count))
                + 'area "1" "A" {\n' + "".join(f"abd{k} 1%\n" for k in range(count)) + "}\n")

    counts = calls_for((200, 400, 800), lambda count: api.check_text(misspelt(count)))
    assert counts[1] <= GROWTH * counts[0] and counts[2] <= GROWTH * counts[1], counts
    found = [d for d in api.check_text(misspelt(200)) if d.code == "SL206"]
    assert found[0].hint == "did you mean `abc0`?"
    assert found[-1].hint.startswith("declare it: indicator abd199")


def test_whatif_makes_its_edits_in_one_pass():
    """Dropping an area re-weights every other one: one edit each, which were made by cutting
    and gluing the whole text once per edit (edits × length)."""
    from scorelang.tools.whatif import _apply, _Edit

    text = "x 1%\n" * 100_000
    edits = [_Edit(5 * k + 2, 5 * k + 4, "2%") for k in range(100_000)]
    started = time.perf_counter()
    assert _apply(text, edits) == "x 2%\n" * 100_000
    assert time.perf_counter() - started < 2  # about 0.3 s; it was over 10 s
    # Insertions, replacements and a weight inside a removed line, wherever they stand.
    assert _apply("ab\ncd 5%\nef", [_Edit(6, 8, "7%"), _Edit(3, 9, ""), _Edit(0, 0, ">"),
                                     _Edit(2, 2, "!")]) == ">ab!\nef"


# ---- exit code 3 ---------------------------------------------------------------------------


def test_a_bug_exits_3_with_one_line_and_the_details_in_a_private_file(
        monkeypatch, capsys, private_cache):
    def broken(args):
        raise ZeroDivisionError("a bug in a command")

    monkeypatch.setattr(cli, "cmd_check", broken)
    assert cli.main(["check", "rules/"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("scorelang: internal error (ZeroDivisionError);")
    path = Path(lines[0].rsplit("with the file written to ", 1)[1])
    assert path.parent == private_cache
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    details = path.read_text()
    assert f"scorelang {scorelang.__version__}" in details
    assert "command: scorelang check rules/" in details
    assert f"python: {sys.version.split()[0]}" in details
    assert "Traceback (most recent call last)" in details
    assert "ZeroDivisionError: a bug in a command" in details


def test_without_a_cache_folder_the_details_go_to_a_private_temporary_file(
        monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SCORELANG_CACHE", "off")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again

    def broken(args):
        raise KeyError("x")

    monkeypatch.setattr(cli, "cmd_score", broken)
    assert cli.main(["score", "r.score", "--values", "v.yaml"]) == 3
    line = capsys.readouterr().err.strip()
    path = Path(line.rsplit("with the file written to ", 1)[1])
    assert path.parent == tmp_path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "KeyError: 'x'" in path.read_text()


def test_problems_and_interruptions_keep_their_own_codes(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    def diagnosed(args):
        scorelang.loads("plan")  # a ScorelangError no command caught: still a diagnostic

    monkeypatch.setattr(cli, "cmd_check", interrupted)
    assert cli.main(["check", "x.score"]) == 130
    monkeypatch.setattr(cli, "cmd_check", diagnosed)
    assert cli.main(["check", "x.score"]) == 1
    assert "error[SL102]" in capsys.readouterr().err


def test_python_m_scorelang_exits_3_on_a_bug(tmp_path):
    # A module run before the command line replaces `check` with a failing one: the process
    # is `python -m scorelang` itself, exit code included.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import scorelang.cli\n"
        "def broken(args):\n    raise RuntimeError('boom')\n"
        "scorelang.cli.cmd_check = broken\n")
    env = dict(os.environ, SCORELANG_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(hook), str(ROOT / "src"),
                                           os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "scorelang", "check", "rules/"], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert "internal error (RuntimeError)" in done.stderr
    written = list((tmp_path / "cache").glob("scorelang-crash-*.txt"))
    assert len(written) == 1 and "RuntimeError: boom" in written[0].read_text()
