"""Bad rules and bad values give diagnostics with code, position and a hint; never a traceback."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from fractions import Fraction

import pytest

import scorelang
from scorelang import CheckError, ParseError, ValuesError
from scorelang.diagnostics import render


def diagnose(text: str):
    _, found = scorelang.diagnose(textwrap.dedent(text), "plan.score")
    return found


HEADER = """\
plan p "P" {
  period H1 "H1" ends 2020-06-30
}
indicator a "A" { target >= 10 }
indicator b "B" { target >= 10 }
"""


def only(found, code):
    matching = [d for d in found if d.code == code]
    assert matching, f"no {code} in {[d.headline() for d in found]}"
    return matching


def test_unknown_indicator_reference_names_position_and_suggests():
    found = diagnose(HEADER + 'area "1" "A" {\n  objective "10" "O" weight 100% { a 50% bb 50% }\n}\n')
    (d,) = only(found, "SL206")
    assert (d.span.line, d.span.column) == (7, 42)
    assert "`bb`" in d.message and d.hint == "did you mean `b`?"
    assert d.headline().startswith("plan.score:7:42: error[SL206]: unknown indicator `bb`")


def test_duplicate_indicator_ids():
    found = diagnose(HEADER + 'indicator a "Again" { target >= 1 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 50% b 50% } }\n')
    (d,) = only(found, "SL202")
    assert d.span.line == 6 and "first at line 4" in d.message


def test_duplicate_objective_codes():
    found = diagnose(HEADER + 'area "1" "A" {\n'
                     '  objective "10" "O" weight 50% { a 100% }\n'
                     '  objective "10" "P" weight 50% { b 100% }\n}\n')
    (d,) = only(found, "SL207")
    assert d.span.line == 8


def test_sibling_weights_not_summing_to_100_say_the_sum_and_the_difference():
    found = diagnose(HEADER + 'area "1" "A" {\n  objective "10" "O" weight 100% { a 50% b 49% }\n}\n')
    (d,) = only(found, "SL212")
    assert "sum to 99.00 %" in d.message and "-1.00 %" in d.message
    assert d.span.line == 7


def test_weights_within_a_hundredth_are_accepted():
    found = diagnose(HEADER + 'area "1" "A" {\n  objective "10" "O" weight 100% { a 33.34% b 66.67% }\n}\n')
    assert not [d for d in found if d.code == "SL212"]


def test_periodic_target_for_undeclared_period():
    found = diagnose('plan p "P" { period H1 "H1" ends 2020-06-30 }\n'
                     'indicator a "A" { target >= 10 periodic H2 >= 5 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')
    (d,) = only(found, "SL204")
    assert (d.span.line, d.span.column) == (2, 32)
    assert d.hint == "declared periods: H1"


def test_invalid_date():
    found = diagnose('plan p "P" { period H1 "H1" ends 2020-02-30 }\n'
                     'indicator a "A" { deadline 2020-13-01 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')
    codes = [(d.code, d.span.line) for d in found]
    assert codes == [("SL104", 1), ("SL104", 2)]


def test_all_errors_are_reported_in_source_order():
    found = diagnose(HEADER + 'area "1" "A" {\n'
                     '  objective "10" "O" weight 100% { a 50% zz 40% }\n}\n'
                     'indicator c "C" { target >= 1 periodic Q3 >= 1 }\n')
    lines = [d.span.line for d in found]
    assert lines == sorted(lines)
    assert {d.code for d in found} >= {"SL206", "SL212", "SL204", "SL213"}


def test_unknown_policy_keyword_suggests_the_right_one():
    found = diagnose('plan p "P" { policy { missing exluded } }\n'
                     'indicator a "A" { target >= 10 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')
    (d,) = only(found, "SL105")
    assert d.hint == "did you mean `excluded`?"


def test_syntax_error_has_position_and_expected_tokens():
    with pytest.raises(ParseError) as info:
        scorelang.loads('plan p "P" {\n  period H1 "H1" ends 2020-06-30\n}\n'
                        'indicator a "A" { target >= 10 }\n'
                        'area "1" "A" weight { }\n', "x.score")
    (d,) = info.value.diagnostics
    assert d.code == "SL103"
    assert (d.span.line, d.span.column) == (5, 21)
    assert d.message == "unexpected '{'" and d.hint == "expected a number"


# Common mistakes get their own code, message and hint (parser._MISTAKES and _friendly).
SYNTAX_MISTAKES = [
    # (code, rule text after HEADER, line, column, text in message, hint)
    ("SL110", 'area "1" "A" { objective "10" "O" weight 100% { a 50 b 50% } }', 6, 51,
     "50 needs a '%'", "weights and bounds are percentages: write 50%"),
    ("SL110", 'area "1" "A" {\n objective "10" "O" weight 100% {\n  a 50%\n  b 50\n }\n}', 9, 5,
     "50 needs a '%'", "weights and bounds are percentages: write 50%"),
    ("SL111", 'area "1" "A" { objective "10" "O" weight 100% { a 0.5 b 50% } }', 6, 51,
     "weight 0.5 has no '%'", "weights are percentages: if 0.5 means 50 %, write 50%"),
    ("SL112", 'area "1" "A" { objective "10" "O" weight 33,34% { a 100% } }', 6, 44,
     "decimals are written with a point",
     "write 33.34, not 33,34 (and no thousands separators)"),
    ("SL113", 'indicator d "D" { deadline 31-10-2020 }', 6, 28,
     "dates are written year-month-day", "write 2020-10-31 (YYYY-MM-DD), not 31-10-2020"),
    ("SL113", 'indicator d "D" { deadline 31/10/2020 }', 6, 28,
     "dates are written year-month-day", "write 2020-10-31 (YYYY-MM-DD), not 31/10/2020"),
    ("SL114", 'area "1" "A" { objetive "10" "O" weight 100% { a 100% } }', 6, 16,
     "unknown word `objetive`", "did you mean `objective`?"),
    ("SL114", 'indicator c "C" { targt >= 1 }', 6, 19,
     "unknown word `targt`", "did you mean `target`?"),
    ("SL115", 'indicator c "C" { target => 1 }', 6, 26,
     "`=>` is not a direction", "write `>=`"),
    ("SL116", 'indicator c "C { target >= 1 }', 6, 13,
     "a text is not closed", "add the closing double quote on the same line (texts cannot span lines)"),
    ("SL117", 'area "1" "A" {\n  objective "10" "O" weight 100% {\n    a 100%\n\narea "2" "B" { }', 7, 3,
     '`objective "10" "O" weight 100%` (line 7) is not closed',
     "close it with '}' before line 10 (`area \"2\" \"B\"`), where its body ends; "
     "`area \"1\" \"A\"` (line 6) needs its '}' there too"),
    ("SL115", 'indicator c "C" { target > 5 }', 6, 26,
     "`>` alone is not a direction", "write `>=` (at least), `<=` (at most) or `=`"),
    ("SL118", 'indicator c "C" { target 5 }', 6, 26,
     "a target needs a direction",
     "write `>=` (higher is better), `<=` (lower is better) or `=` before the number, e.g. `target >= 300`"),
]


@pytest.mark.parametrize("code,text,line,column,message,hint", SYNTAX_MISTAKES)
def test_common_syntax_mistake_gets_a_named_message(code, text, line, column, message, hint):
    found = diagnose(HEADER + text + "\n")
    assert len(found) == 1
    (d,) = found
    assert (d.code, d.span.line, d.span.column) == (code, line, column)
    assert message in d.message
    assert d.hint == hint


def test_missing_closing_brace():
    found = diagnose(HEADER + 'area "1" "A" { objective "10" "O" weight 100% { a 100% }\n')
    (d,) = found
    assert d.code == "SL102" and "'}'" in d.hint


def test_loads_raises_check_error_carrying_every_error():
    with pytest.raises(CheckError) as info:
        scorelang.loads(HEADER + 'area "1" "A" { objective "10" "O" weight 100% { a 50% zz 40% } }\n')
    assert {d.code for d in info.value.diagnostics} == {"SL206", "SL212"}
    assert all(d.is_error for d in info.value.diagnostics)


def test_rendered_diagnostic_shows_the_line_and_a_caret():
    text = HEADER + 'area "1" "A" { objective "10" "O" weight 100% { a 50% bb 50% } }\n'
    (d,) = [x for x in diagnose(text) if x.code == "SL206"]
    rendered = render(d, text.splitlines())
    lines = rendered.splitlines()
    assert lines[0].startswith("plan.score:6:")
    assert lines[1].endswith('a 50% bb 50% } }')
    caret = lines[2]
    assert caret.strip() == "^^^^^^"  # under `bb 50%`
    assert lines[1][caret.index("^")] == "b"
    assert lines[3] == "  hint: did you mean `b`?"


# ---- values -------------------------------------------------------------------------------
PLAN = HEADER + 'indicator d "D" { deadline 2020-10-31 }\n' \
    'area "1" "A" { objective "10" "O" weight 100% { a 40% b 40% d 20% } }\n'


def test_unknown_indicator_in_values_file_is_an_error_with_position_and_suggestion():
    values = scorelang.loads_values("plan: p\nperiod: H1\nvalues:\n  a: 1\n  bb: 2\n", "v.yaml")
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate(values)
    (d,) = info.value.diagnostics
    assert d.code == "SL307" and (d.span.file, d.span.line, d.span.column) == ("v.yaml", 5, 3)
    assert d.hint == "did you mean `b`?"


def test_values_file_with_a_text_value_points_at_it():
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("values:\n  a: 3,92\n", "v.yaml")
    (d,) = info.value.diagnostics
    assert d.code == "SL303" and (d.span.line, d.span.column) == (2, 6)
    assert "decimal point" in d.hint


def test_values_file_yaml_syntax_error_has_position():
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("values:\n  a: [1\n  b: 2\n", "v.yaml")
    assert info.value.diagnostics[0].code == "SL301"
    assert info.value.diagnostics[0].span.file == "v.yaml"


def test_a_date_for_a_measured_indicator_is_an_error():
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate({"a": dt.date(2020, 5, 1), "b": 1, "d": None})
    assert [d.code for d in info.value.diagnostics] == ["SL308"]


def test_completion_after_the_monitoring_date_is_an_error():
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate({"a": 1, "b": 1, "d": dt.date(2020, 9, 1)}, period="H1")
    assert [d.code for d in info.value.diagnostics] == ["SL309"]


def test_values_for_another_plan_are_refused():
    values = scorelang.loads_values("plan: other\nvalues:\n  a: 1\n")
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate(values)
    assert info.value.diagnostics[0].code == "SL306"


def test_unknown_period_is_refused():
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate({"a": 1}, period="Q3")
    assert info.value.diagnostics[0].code == "SL312"


# ---- regressions found while writing the language reference --------------------------------
def test_plan_wide_setting_inside_an_indicator_is_a_diagnostic_not_a_crash():
    found = diagnose('plan p "P" { period H1 "H1" ends 2020-06-30 }\n'
                     'indicator a "A" {\n  target >= 10\n  missing excluded\n}\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')
    (d,) = found
    assert d.code == "SL109" and (d.span.line, d.span.column) == (4, 3)
    assert "policy" in d.hint


def test_setting_repeated_in_the_policy_points_at_the_repetition():
    found = diagnose('plan p "P" {\n  policy {\n    floor 0%\n    floor 10%\n  }\n}\n'
                     'indicator a "A" { target >= 10 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')
    (d,) = found
    assert d.code == "SL107" and d.span.line == 4 and "`floor` twice" in d.message


def test_indicator_named_after_a_keyword_is_refused_at_its_declaration():
    found = diagnose('plan p "P" {}\nindicator group "G" { target >= 1 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { } }\n')
    assert ("SL215", 2) in [(d.code, d.span.line) for d in found]


def test_children_all_weighing_zero_is_one_warning_not_a_sum_error():
    found = diagnose(HEADER + 'area "1" "A" { objective "10" "O" weight 100% { a 0% b 0% } }\n')
    assert [d.code for d in found] == ["SL211"]


def test_zero_target_under_ratio_is_an_error_only_for_lower_is_better():
    base = 'plan p "P" { policy { formula ratio } }\nindicator a "A" { target %s 0 }\n' \
           'area "1" "A" { objective "10" "O" weight 100%% { a 100%% } }\n'
    assert [d.code for d in diagnose(base % "<=")] == ["SL205"]
    assert diagnose(base % ">=") == []


def test_quoted_iso_date_in_values_is_a_completion_date():
    values = scorelang.loads_values('values:\n  d: "2020-10-15"\n')
    assert values.values["d"] == dt.date(2020, 10, 15)


def test_nan_in_a_mapping_is_nd_but_in_a_values_file_a_diagnostic():
    # As in evaluate_many's columns: NaN is how pandas and numpy write a missing figure.
    values = scorelang.Values.from_mapping({"a": float("nan"), "b": "NaN", "c": 2})
    assert values.values == {"a": None, "b": None, "c": 2.0}
    # A file writes N/D as null: `.nan` there is a mistake (issue 14, tests/test_numbers_defined).
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.loads_values("values:\n  a: .nan\n  b: \"nan\"\n  c: 2\n")
    assert [(d.code, d.span.line) for d in raised.value.diagnostics] == [("SL322", 2),
                                                                         ("SL322", 3)]


def test_any_real_number_is_a_value_from_numpy_scalars_to_decimals():
    import numpy as np  # the test extra has it (pandas)

    values = scorelang.Values.from_mapping({"a": np.int64(3), "b": np.float32(2.5),
                                            "c": Fraction(1, 2), "d": Decimal("1.25"),
                                            "e": Decimal("NaN")})
    assert values.values == {"a": 3.0, "b": 2.5, "c": 0.5, "d": 1.25, "e": None}
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.Values.from_mapping({"a": Decimal("sNaN"), "b": 10 ** 400})
    assert [d.code for d in raised.value.diagnostics] == ["SL303", "SL303"]


def test_a_number_too_large_for_a_float_is_a_diagnostic_not_a_crash():
    with pytest.raises(scorelang.ValuesError) as raised:
        scorelang.loads_values("values:\n  a: 1" + "0" * 400 + "\n", "v.yaml")
    found = raised.value.diagnostics[0]
    assert (found.code, found.span.line, found.span.column) == ("SL303", 2, 6)
    assert "too large" in found.message


def test_group_ids_are_plain_ascii():
    plan = scorelang.loads('plan p "P" {}\nindicator a "A" { target >= 1 }\n'
                           'area "1" "A" { group "Qualità e tempi" weight 100% { a 100% } }\n')
    assert "1/qualita_e_tempi" in plan.evaluate({"a": 1})


def test_scoring_without_a_period_says_which_period_was_used():
    result = scorelang.loads(PLAN).evaluate({"a": 1, "b": 1, "d": None})
    assert result.period == "H1"
    assert result.diagnostics[0].code == "SL313"


def test_impossible_date_in_values_file_is_a_diagnostic_not_a_crash():
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("as_of: 2020-06-31\nvalues:\n  d: 2020-02-30\n", "v.yaml")
    assert [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics] == \
        [("SL303", 1, 8), ("SL303", 3, 6)]


def test_number_written_with_italian_thousands_gets_a_warning():
    found = diagnose(HEADER + 'indicator c "C" { target >= 2.000 }\n'
                     'area "1" "A" { objective "10" "O" weight 100% { a 40% b 40% c 20% } }\n')
    (d,) = found
    assert (d.code, d.span.line, d.span.column) == ("SL119", 6, 29)
    assert d.hint == "for 2 thousand write 2_000; for 2 write 2"
    assert not diagnose(HEADER + 'indicator c "C" { target >= 2.5 }\n'
                        'area "1" "A" { objective "10" "O" weight 100% { a 40% b 40% c 20% } }\n')


def test_keyword_used_as_a_reference_explains_where_weights_go():
    found = diagnose(HEADER + 'area "1" "A" { objective "10" "O" { weight 100% } }\n')
    (d,) = [x for x in found if x.code == "SL206"]
    assert "a weight goes in the header" in d.hint


def test_unknown_period_suggests_a_declared_one():
    with pytest.raises(ValuesError) as info:
        scorelang.loads(PLAN).evaluate({"a": 1}, period="h1")
    assert info.value.diagnostics[0].hint == "did you mean `H1`?"


# Issue 18: a missing `}` after the first objective. The next objective then nests inside it,
# a later `}` closes the wrong block, and the parser meets the mistake at `area "2"`, lines
# below; following a hint placed there gave two weight errors instead of a clean plan.
MISSING_BRACE = """\
plan p "P" {
  period Y "Anno" ends 2020-12-31
}
indicator a "A" { unit N target >= 10 }
indicator b "B" { unit N target >= 10 }
area "1" "A" {
  objective "10" "O" weight 50% {
    a 100%

  objective "11" "P" weight 50% {
    b 100%
  }
}
area "2" "B" {
  objective "20" "Q" weight 100% {
    a 100%
  }
}
"""


def test_missing_brace_is_reported_where_the_block_opened():
    (d,) = diagnose(MISSING_BRACE)
    assert (d.code, d.span.line, d.span.column) == ("SL117", 7, 3)
    assert '`objective "10" "O" weight 50%` (line 7)' in d.message
    assert "before line 10" in d.hint


def test_following_the_missing_brace_hint_gives_a_clean_plan():
    (d,) = diagnose(MISSING_BRACE)
    before = int(d.hint.split("before line ")[1].split()[0])
    lines = MISSING_BRACE.splitlines(keepends=True)
    fixed = "".join(lines[:before - 1]) + "  }\n" + "".join(lines[before - 1:])
    assert diagnose(fixed) == []


def test_a_file_written_flat_is_not_read_by_its_layout():
    # No indentation: nothing says where the body ended, so the innermost open block is named
    # (not the area, whose `objective` line is as flat as everything else).
    text = ('plan p "P" {\n}\nindicator a "A" { unit N target >= 10 }\narea "1" "A" {\n'
            'objective "10" "O" weight 100% {\na 100%\n}\narea "2" "B" { }\n')
    (d,) = diagnose(text)
    assert (d.code, d.span.line) == ("SL117", 4)
    assert "before line 8 at the latest" in d.hint


def test_a_block_left_open_at_the_end_is_named():
    (d,) = diagnose(HEADER + 'area "1" "A" {\n  objective "10" "O" weight 100% {\n    a 100%\n  }\n')
    assert d.code == "SL102" and '`area "1" "A"`' in d.hint and "is not closed" in d.hint


def test_braces_inside_texts_and_comments_are_not_blocks():
    text = MISSING_BRACE.replace('"O"', '"O {"').replace("    a 100%\n\n", "    a 100% # }\n\n", 1)
    (d,) = diagnose(text)
    assert (d.code, d.span.line) == ("SL117", 7)
