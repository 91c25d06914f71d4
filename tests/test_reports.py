"""Report formats and views: golden outputs for the Modena plan, and the pieces on their own.

Golden files live in tests/golden/. They change only on purpose: after checking a change of
output by eye, run `SCORELANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_reports.py`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import textwrap

import pytest

import scorelang
from scorelang.engine import numbers
from scorelang.report import views

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("SCORELANG_UPDATE_GOLDEN") == "1"

CASES = [
    # (golden file, format, view, depth, locale)
    ("modena-summary.table.txt", "table", "summary", None, None),
    ("modena-tree.table.txt", "table", "tree", None, None),
    ("modena-tree-depth3.markdown.md", "markdown", "tree", 3, "en"),
    ("modena-indicators.csv", "csv", "indicators", None, None),
    ("modena-indicators-en.csv", "csv", "indicators", None, "en"),
    ("modena-scorecards.table.txt", "table", "scorecards", None, None),
    ("modena-summary.markdown.md", "markdown", "summary", None, "it"),
    ("modena.json", "json", "tree", None, None),
]


@pytest.mark.parametrize("name,format,view,depth,locale", CASES, ids=[c[0] for c in CASES])
def test_golden_output(modena_result, name, format, view, depth, locale):
    text = scorelang.render(modena_result, format, view, depth, locale)
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with SCORELANG_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_summary_view_is_the_seeds_summary_table(modena_result):
    summary = views.summary(modena_result)
    objectives = [row["objective"].split()[0] for row in summary.rows if row["objective"]]
    assert objectives == ["301", "401", "402", "600", "601", "700", "701", "801", "802", "803"]
    assert [row["area"] for row in summary.rows if row["area"]] == [
        "1 - Competitività delle imprese", "2 - Competitività del territorio",
        "3 - Competitività dell'Ente"]
    assert [c.heading("it") for c in summary.columns] == [
        "Ambito strategico", "Obiettivo strategico", "Grado di raggiungimento", "Valutazione",
        "Peso"]


def test_depth_limits_the_tree(modena_result):
    assert {row["kind"] for row in views.tree(modena_result, 1).rows} == {"area"}
    assert {row["kind"] for row in views.tree(modena_result, 2).rows} == {"area", "objective"}


def test_every_scored_node_shows_its_band_and_nd_its_own(modena_result):
    table = scorelang.render(modena_result, "table", "tree")
    lines = table.splitlines()
    nd = next(line for line in lines if line.strip().startswith("802.A1.2"))
    assert nd.split()[-4:] == ["N/D", "N/D", "non", "scaduto"]  # achievement, band, status
    for node in modena_result:
        if node.score is not None:
            assert node.band in {"critico", "parziale", "raggiunto"}
        else:
            assert node.band is None


def test_csv_in_italian_uses_semicolons_and_decimal_commas(modena_result):
    # As Excel on an Italian Windows opens it: UTF-8 with a byte order mark, `;`, `62,96`.
    data = scorelang.render(modena_result, "csv", "summary").encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbfid;")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, *body = rows
    assert header[0] == "id"
    row = next(r for r in body if r[0] == "301")
    assert row[header.index("Grado di raggiungimento")] == "62,96"
    assert row[header.index("Peso")] == "33,34"
    assert row[header.index("Obiettivo strategico")].startswith("301 Internazionalizzazione")


def test_csv_in_english_has_no_byte_order_mark_and_commas(modena_result):
    data = scorelang.render(modena_result, "csv", "summary", locale="en").encode("utf-8")
    assert data.startswith(b"id,")
    header, *body = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    row = next(r for r in body if r[0] == "301")
    assert row[header.index("Achievement")] == "62.96"


def test_csv_written_by_the_command_line_starts_with_the_mark_in_italian(tmp_path):
    from scorelang import cli

    from .conftest import MODENA_RULES, MODENA_VALUES

    out = tmp_path / "indicatori.csv"
    assert cli.main(["score", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--format",
                     "csv", "--view", "indicators", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert header[:3] == ["id", "Nodo", "Indicatore"]


def test_json_ignores_view_and_locale(modena_result):
    assert scorelang.render(modena_result, "json", "summary", 2, "it") == \
        scorelang.render(modena_result, "json")
    data = json.loads(scorelang.render(modena_result, "json"))
    assert data["nodes"][1]["band"] == "parziale"
    assert [c["id"] for c in data["scorecards"]] == [
        "segretario_generale", "dirigente_area_1", "dirigente_area_2"]


# ---- numbers by locale --------------------------------------------------------------------
@pytest.mark.parametrize("value,locale,expected", [
    (62.955674825, "it", "62,96 %"), (62.955674825, "en", "62.96%"),
    (32.125, "it", "32,13 %"), (100.0, "it", "100,00 %"),
])
def test_percentages_follow_the_locale_and_round_half_up(value, locale, expected):
    assert numbers.percent(value, locale) == expected


@pytest.mark.parametrize("value,unit,locale,expected", [
    (13_000_000_000.0, "EUR", "it", "13.000.000.000,00 €"),
    (13_000_000_000.0, "EUR", "en", "13,000,000,000.00 €"),
    (16.0, "%", "it", "16,00 %"),
    (143.0, "N", "it", "143 N."),
    (-17.82, "gg", "it", "-17,82 gg"),
    (56532.0, "N", "it", "56.532 N."),
    (0.65, "N", "en", "0.65 N."),
])
def test_measured_values_are_written_as_the_seed_prints_them(value, unit, locale, expected):
    assert numbers.measure(value, unit, locale) == expected


# ---- several periods, compare ---------------------------------------------------------------
PLAN = textwrap.dedent("""\
    plan p "Piano" {
      period H1 "Primo semestre" ends 2020-06-30
      period Y "Anno" ends 2020-12-31
    }
    indicator a "A" { target >= 600 periodic H1 >= 300 }
    indicator d "D" { deadline 2020-10-31 }
    area "1" "Area" { objective "10" "Obiettivo" weight 100% { a 50% d 50% } }
    """)
MULTI = textwrap.dedent("""\
    plan: p
    periods:
      H1:
        as_of: 2020-06-30
        values: {a: 150, d: null}
      Y:
        as_of: 2020-12-31
        values: {a: 540, d: 2020-10-20}
    """)


def test_a_values_file_may_hold_several_periods(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(MULTI, encoding="utf-8")
    plan = scorelang.loads(PLAN)
    h1 = plan.evaluate(scorelang.load_values(path, period="H1"))
    year = plan.evaluate(scorelang.load_values(path, period="Y"))
    assert h1.period == "H1" and h1["10"].score == pytest.approx(25.0)  # 150/300 × 50 %, d N/D
    assert year.period == "Y" and year["10"].score == pytest.approx(95.0)  # 540/600 × 50 % + 50 %
    with pytest.raises(scorelang.ValuesError) as info:
        scorelang.load_values(path)
    assert info.value.diagnostics[0].code == "SL315"
    with pytest.raises(scorelang.ValuesError) as info:
        scorelang.load_values(path, period="h1")
    assert info.value.diagnostics[0].hint == "did you mean `H1`?"


def test_compare_puts_periods_side_by_side_with_the_change(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(MULTI, encoding="utf-8")
    plan = scorelang.loads(PLAN)
    results = [plan.evaluate(v) for v in scorelang.load_all_values(path)]
    table = scorelang.render_comparison(results, ["H1", "Y"], "table", locale="en")
    row = next(line for line in table.splitlines() if line.strip().startswith("10 Obiettivo"))
    assert row.split()[-3:] == ["25.00%", "95.00%", "+70.00"]
    data = json.loads(scorelang.render_comparison(results, ["H1", "Y"], "json"))
    node = next(n for n in data["nodes"] if n["id"] == "10")
    assert node["scores"] == pytest.approx([25.0, 95.0]) and node["change"] == pytest.approx(70.0)
    text = scorelang.render_comparison(results, ["H1", "Y"], "csv", locale="it")
    assert "25,00;95,00;70,00" in text


def test_html_and_xlsx_carry_the_findings_grouped_by_category(modena_result):
    from scorelang.report.html import to_html
    from scorelang.report.xlsx import to_xlsx_bytes

    assert modena_result.findings
    page = to_html(modena_result)
    assert page.count("data-finding=") == len(modena_result.findings)
    for category in {f.category for f in modena_result.findings}:
        assert f"<h3>{category}</h3>" in page
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(modena_result)))
    sheet = book["Indicazioni"]  # the Findings sheet, in the plan's language
    assert sheet.max_row - 1 == len(modena_result.findings)
    categories = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert categories == sorted(categories, key=list(dict.fromkeys(categories)).index)


def test_compare_in_html_and_xlsx(tmp_path):
    import subprocess
    import sys

    import openpyxl

    rules, values = tmp_path / "p.score", tmp_path / "v.yaml"
    rules.write_text(PLAN, encoding="utf-8")
    values.write_text(MULTI, encoding="utf-8")
    page = tmp_path / "c.html"
    book = tmp_path / "c.xlsx"
    for fmt, out in (("html", page), ("xlsx", book)):
        done = subprocess.run([sys.executable, "-m", "scorelang", "compare", str(rules),
                               "--values", str(values), "--format", fmt, "-o", str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    row = text[text.index('data-node-id="10"'):]
    row = row[:row.index("</tr>")]
    assert "25.00%" in row and "95.00%" in row and "+70.00" in row
    sheet = openpyxl.load_workbook(book).active
    header = [c.value for c in sheet[1]]
    assert header == ["Node", "H1", "Y", "Change"]
    line = next(r for r in sheet.iter_rows(min_row=2, values_only=True)
                if str(r[0]).strip().startswith("10 "))
    assert line[1:] == pytest.approx((0.25, 0.95, 70.0))
