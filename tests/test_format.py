"""The canonical formatter (`scorelang fmt`): same meaning, every comment kept, idempotent.

Three properties are checked on every rule file in the repository and on random plan text from
a hypothesis strategy: formatting twice changes nothing, the formatted text builds the same
model, and the comments (found by Lark's own lexer, not by the formatter's scanner) are the
same multiset. Small examples pin the layout itself.
"""

from __future__ import annotations

import os
import re
import stat
import textwrap
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lark import Lark, Token

import scorelang
from scorelang import ParseError
from scorelang.files import InputError, write_text_atomic
from scorelang.syntax.format import FormatOutcome, format_file, format_text, unified_diff

from .conftest import MODENA_RULES, ROOT

# ---- the three properties ---------------------------------------------------------------------

_LEXED_COMMENTS: list[Token] = []
# A second parser of the same grammar whose lexer reports the comments it skips: an
# independent count to hold the formatter's own line scan against.
_COMMENT_PARSER = Lark(
    resources.files("scorelang.syntax").joinpath("grammar.lark").read_text(encoding="utf-8"),
    parser="lalr", lexer_callbacks={"COMMENT": _LEXED_COMMENTS.append})


def comments(text: str) -> Counter[str]:
    _LEXED_COMMENTS.clear()
    _COMMENT_PARSER.parse(text)
    return Counter(str(token).strip() for token in _LEXED_COMMENTS)


def meaning(text: str) -> scorelang.model.PlanDefinition | None:
    plan, _ = scorelang.diagnose(text)
    return plan


def assert_canonical_properties(text: str) -> str:
    formatted = format_text(text)
    assert format_text(formatted) == formatted, "formatting is not idempotent"
    assert meaning(formatted) == meaning(text), "formatting changed the plan"
    assert comments(formatted) == comments(text), "formatting lost or changed a comment"
    assert_layout(formatted)
    return formatted


def assert_layout(formatted: str) -> None:
    if not formatted:
        return
    assert formatted.endswith("\n") and not formatted.endswith("\n\n")
    assert "\n\n\n" not in formatted
    assert not formatted.startswith("\n")
    for line in formatted.split("\n"):
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"


def rule_files() -> list[Path]:
    found = []
    for folder in ("rules", "examples", "tests"):
        found += sorted((ROOT / folder).rglob("*.score"))
    # tests/regressions/ holds the fuzzers' crashing inputs: hostile on purpose, and replayed
    # by tests/test_fuzz.py through every reader, fmt included.
    return [path for path in found if "regressions" not in path.relative_to(ROOT).parts]


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_in_the_repository_formats_canonically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        scorelang.syntax.parser.parse(text)
    except ParseError:
        pytest.skip("does not parse (a broken-file example)")
    assert_canonical_properties(text)


# ---- random plan text -------------------------------------------------------------------------

def comment_text() -> st.SearchStrategy[str]:
    # Anything but a newline: quotes, '#', braces and odd whitespace included.
    body = st.text(st.characters(exclude_characters="\n", exclude_categories=("Cs",)), max_size=12)
    return body.map(lambda text: "#" + text)


def string_literal() -> st.SearchStrategy[str]:
    plain = st.text(st.characters(exclude_characters='"\\\n', exclude_categories=("Cs",)),
                    max_size=6)
    tricky = st.sampled_from(['\\"', "\\\\", "\\n", "#", " # not a comment", "'"])
    return st.lists(st.one_of(plain, tricky), max_size=4).map(lambda parts: '"' + "".join(parts) + '"')


@st.composite
def number_literal(draw: st.DrawFn, whole: int, decimals: str = "") -> str:
    """The number as a person might type it: underscores anywhere after the first digit."""
    def scatter(digits: str) -> str:
        marks = draw(st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)))
        return "".join(d + ("_" if mark else "") for d, mark in zip(digits, marks))

    text = scatter(str(abs(whole)))
    if decimals:
        text += "." + scatter(decimals)
    return ("-" if whole < 0 else "") + text


@st.composite
def quantity(draw: st.DrawFn) -> list[str]:
    whole = draw(st.sampled_from([0, 4, 6500, 13000000000, -18, 470000]) | st.integers(-10**7, 10**12))
    decimals = draw(st.sampled_from(["", "", "5", "60", "125"]))
    tokens = [draw(number_literal(whole, decimals))]
    if draw(st.booleans()):
        tokens.append("%")
    return tokens


@st.composite
def weights_splitting_100(draw: st.DrawFn, count: int) -> list[list[str]]:
    """`count` weights in hundredths of a percent summing to 100%, each as NUMBER [%] tokens."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=count - 1, max_size=count - 1)))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [10_000])]
    out = []
    for part in parts:
        whole, cents = divmod(part, 100)
        decimals = f"{cents:02d}" if cents else draw(st.sampled_from(["", "", "0"]))
        out.append([draw(number_literal(whole, decimals)), "%"])
    return out


# A plan is drawn as a list of units, each a list of tokens ("{" ends a header unit, "}" is a
# unit of its own); separators are drawn later, inside units and between them.
Units = list[list[str]]


@st.composite
def plan_header(draw: st.DrawFn) -> Units:
    units = [["plan", "p", draw(string_literal()), "{"]]
    units.append(["period", "H1", *draw(st.lists(string_literal(), max_size=1)), "ends", "2020-06-30"])
    units.append(["period", "Y", "ends", "2020-12-31"])
    if draw(st.booleans()):
        settings_ = draw(st.permutations([
            ["floor", "0", "%"], ["cap", "100", "%"], ["missing", "counts_zero"],
            ["display", "2", "half_up"], ["formula", "deviation"], ["late", "linear", "30", "days"]]))
        units += [["policy", "{"], *settings_[:draw(st.integers(0, 6))], ["}"]]
    return units + [["}"]]


@st.composite
def indicator(draw: st.DrawFn, name: str) -> Units:
    direction = draw(st.sampled_from([">=", "<=", "="]))
    statements = [
        ["description", draw(string_literal())],
        ["unit", draw(st.sampled_from(["N", "%", '"€"', "gg"]))],
        ["target", direction, *draw(quantity())],
        ["periodic", "H1", direction, *draw(quantity())],
        ["deadline", "2020-10-31"],
        ["cap", "120", "%"],
        ["late", draw(st.sampled_from(["zero", "50 %", "linear 30 days"]))],
    ]
    chosen = draw(st.lists(st.sampled_from(range(len(statements))), unique=True, max_size=5))
    return [["indicator", name, draw(string_literal()), "{"], *(statements[i] for i in chosen), ["}"]]


@st.composite
def branch(draw: st.DrawFn, kind: str, weight: list[str] | None, depth: int, names: list[str],
           codes: list[int]) -> Units:
    codes[0] += 1
    head = [kind] if kind == "group" else [kind, f'"{codes[0]}"']
    head.append(draw(string_literal()))
    if weight is not None:
        head += ["weight", *weight]
    count = draw(st.integers(1, 4))
    units = [head + ["{"]]
    for child_weight in draw(weights_splitting_100(count)):
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            child_kind = draw(st.sampled_from(["objective", "group"]))
            units += draw(branch(child_kind, child_weight, depth + 1, names, codes))
        else:
            units.append([draw(st.sampled_from(names)), *child_weight])
    return units + [["}"]]


SPACE = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\n    "])
LINE_BREAK = st.sampled_from(["\n", "\n", "\n  ", "\n\n", "\n\n\n", " ", "\t\n", "\r\n"])


@st.composite
def separator(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """Whitespace, sometimes with a comment at the end of the line or on lines of its own."""
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return f"{draw(st.sampled_from(['', ' ', '  ']))}{draw(comment_text())}\n{draw(SPACE)}"
    if shape == 1:
        lines = draw(st.lists(comment_text(), min_size=1, max_size=3))
        return draw(LINE_BREAK) + "\n".join(lines) + "\n" + draw(st.sampled_from(["", "\n", "  "]))
    return draw(base)


@st.composite
def plan_text(draw: st.DrawFn) -> str:
    names = [f"ind_{i}" for i in range(draw(st.integers(1, 5)))]
    declarations = [draw(plan_header())] + [draw(indicator(name)) for name in names]
    codes = [0]
    for _ in range(draw(st.integers(1, 2))):
        weight = draw(st.none() | weights_splitting_100(1).map(lambda w: w[0]))
        declarations.append(draw(branch("area", weight, 1, names, codes)))
    units = [unit for declaration in draw(st.permutations(declarations)) for unit in declaration]
    out = [draw(st.sampled_from(["", "\n", "# header\n\n"]))]
    for index, unit in enumerate(units):
        if index:
            out.append(draw(separator(LINE_BREAK)))
        for position, token in enumerate(unit):
            if position:
                # "50 %" and "50%" are both written; so are "{a" and "} }".
                glue = draw(st.sampled_from(["", " "])) if token == "%" else None
                out.append(glue if glue is not None else draw(separator(SPACE)))
            out.append(token)
    out.append(draw(st.sampled_from(["", "\n", "\n\n", "  # the end\n", "\n# the end"])))
    return "".join(out)


RANDOM_PLANS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM_PLANS
@given(plan_text())
@example('plan p "T" { period Y ends 2020-12-31 } # one\n# two\n')
@example('plan p "#" { period Y ends 2020-12-31 }\nindicator a "A" { target >=  # x\n 5 # y\n }')
def test_random_plans_format_canonically(text: str) -> None:
    assert meaning(text) is not None
    assert_canonical_properties(text)


# ---- the layout, by example -------------------------------------------------------------------

HEADER = 'plan p "P" {\n  period Y ends 2020-12-31\n}\n\n'


def test_inline_group_is_exploded_with_weights_aligned() -> None:
    source = (HEADER + 'indicator a "A" { target >= 1 }\nindicator bbb "B" { target >= 1 }\n'
              'area "1" "Uno" { group "I" weight 100 % { a 5% bbb  95 % } }')
    assert format_text(source) == HEADER + textwrap.dedent("""\
        indicator a "A" {
          target >= 1
        }

        indicator bbb "B" {
          target >= 1
        }

        area "1" "Uno" {
          group "I" weight 100% {
            a    5%
            bbb 95%
          }
        }
        """)


def test_alignment_runs_stop_at_a_nested_block() -> None:
    source = HEADER + textwrap.dedent("""\
        area "1" "Uno" {
          a 10%
          long_name 40%
          objective "1.1" "O" weight 40% { b 100% }
          c 10%
        }
        """)
    assert format_text(source).split("\n\n")[-1] == textwrap.dedent("""\
        area "1" "Uno" {
          a         10%
          long_name 40%
          objective "1.1" "O" weight 40% {
            b 100%
          }
          c 10%
        }
        """)


@pytest.mark.parametrize(("written", "canonical"), [
    ("13000000000", "13_000_000_000"),
    ("13_000000_000", "13_000_000_000"),
    ("6500", "6_500"),
    ("65_00", "6_500"),
    ("650", "650"),
    ("12345", "12_345"),
    ("4.60", "4.60"),
    ("-1_8", "-18"),
    ("-1000000.2_5", "-1_000_000.25"),
])
def test_numbers_are_regrouped_by_thousands_from_four_digits(written: str, canonical: str) -> None:
    text = format_text(HEADER + f'indicator a "A" {{ target >= {written} }}')
    assert f"  target >= {canonical}\n" in text


def test_percent_sign_sticks_to_its_number() -> None:
    text = format_text('plan p "P" { policy { floor 50 % late 20\n% } }')
    assert text == 'plan p "P" {\n  policy {\n    floor 50%\n    late 20%\n  }\n}\n'


def test_strings_keep_their_escapes_and_hash_signs() -> None:
    source = 'plan p "a \\"#1\\" \\\\ # b" {\n}\n'
    assert format_text(source) == source


def test_trailing_comment_stays_on_its_line() -> None:
    source = HEADER + 'indicator a "A" {\n  unit N    # pieces\n  target >= 5#at least\n}\n'
    assert format_text(source) == HEADER + \
        'indicator a "A" {\n  unit N  # pieces\n  target >= 5  #at least\n}\n'


def test_trailing_comment_of_an_inline_block_goes_to_the_last_statement_of_its_line() -> None:
    source = HEADER + 'area "1" "Uno" { a 50% b 50%  # note\n}\n'
    assert format_text(source) == HEADER + 'area "1" "Uno" {\n  a 50%\n  b 50%  # note\n}\n'


def test_comments_of_one_statement_written_over_lines_all_survive() -> None:
    source = HEADER + 'indicator a "A" {\n  target >=  # first\n    5  # second\n}\n'
    assert format_text(source) == HEADER + \
        'indicator a "A" {\n  # first\n  target >= 5  # second\n}\n'


def test_comment_before_closing_brace_stays_inside_the_block() -> None:
    source = HEADER + 'area "1" "Uno" {\n  group "G" weight 100% {\n    a 100%\n# to check\n  }\n}\n'
    assert format_text(source) == HEADER + \
        'area "1" "Uno" {\n  group "G" weight 100% {\n    a 100%\n    # to check\n  }\n}\n'


def test_comments_on_their_own_lines_take_the_indentation_of_the_next_line() -> None:
    source = '# file header\n\nplan p "P" {\n      # the year\n period Y ends 2020-12-31\n}\n   # tail\n'
    assert format_text(source) == \
        '# file header\n\nplan p "P" {\n  # the year\n  period Y ends 2020-12-31\n}\n\n# tail\n'


def test_blank_lines_are_kept_collapsed_and_added_between_declarations() -> None:
    source = ('plan p "P" {\n\n  period H1 ends 2020-06-30\n\n\n\n  period Y ends 2020-12-31\n\n}\n'
              'indicator a "A" { target >= 1 }\n\n\n\nindicator b "B" {\n\n  unit N\n  target >= 1\n}')
    assert format_text(source) == (
        'plan p "P" {\n  period H1 ends 2020-06-30\n\n  period Y ends 2020-12-31\n}\n\n'
        'indicator a "A" {\n  target >= 1\n}\n\n'
        'indicator b "B" {\n  unit N\n  target >= 1\n}\n')


def test_statements_keep_their_source_order() -> None:
    source = HEADER + 'indicator a "A" { target >= 1 unit N description "d" }'
    assert format_text(source).endswith('{\n  target >= 1\n  unit N\n  description "d"\n}\n')


def test_broken_text_is_not_formatted() -> None:
    with pytest.raises(ParseError) as caught:
        format_text('plan p "P" {\n  period Y ends 2020-12-31\n', "broken.score")
    span = caught.value.diagnostics[0].span
    assert span is not None and span.file == "broken.score"


def test_empty_and_comment_only_files() -> None:
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("# only\n\n\n# comments   ") == "# only\n\n# comments\n"


# ---- the Modena plan --------------------------------------------------------------------------

def test_modena_plan_changes_only_in_spacing_and_digit_grouping() -> None:
    original = MODENA_RULES.read_text(encoding="utf-8")
    formatted = assert_canonical_properties(original)
    assert len(formatted.splitlines()) == len(original.splitlines())

    def squeezed(text: str) -> str:
        return re.sub(r"[\s_]", "", text)

    assert squeezed(formatted) == squeezed(original)


# ---- files ------------------------------------------------------------------------------------

def test_format_file_reports_an_unchanged_canonical_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.score"
    path.write_text(HEADER.rstrip("\n") + "\n", encoding="utf-8")
    outcome = format_file(path)
    assert outcome == FormatOutcome(path, False, outcome.original, outcome.original)
    assert unified_diff(outcome) == ""


def test_unified_diff_names_the_file_and_shows_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "plan.score"
    path.write_text('plan p "P" { period Y ends 2020-12-31 }', encoding="utf-8")
    outcome = format_file(path)
    assert outcome.changed
    diff = unified_diff(outcome)
    assert diff.startswith(f"--- {path}\n+++ {path} (formatted)\n@@ -1 +1,3 @@\n")
    assert "\n-plan p \"P\" { period Y ends 2020-12-31 }\n\\ No newline at end of file\n" in diff
    assert "\n+  period Y ends 2020-12-31\n+}\n" in diff


def test_format_file_of_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        format_file(tmp_path / "missing.score")


def test_write_text_atomic_replaces_content_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "plan.score"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    write_text_atomic(path, "new\r\nè\n")
    assert path.read_bytes() == "new\r\nè\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["plan.score"]


def test_write_text_atomic_failure_leaves_the_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.score"
    path.write_text("old\n", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as caught:
        write_text_atomic(path, "new\n")
    assert "cannot write" in caught.value.diagnostics[0].message
    assert "Permission denied" in caught.value.diagnostics[0].message
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["plan.score"]


def test_write_text_atomic_into_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_text_atomic(tmp_path / "nowhere" / "plan.score", "text\n")
