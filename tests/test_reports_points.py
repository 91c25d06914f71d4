"""Points and baseline in every report (issue 19): an indicator scored by a `points N` table
shows its points beside the achievement ("17,29 / 20 punti"), a declared `baseline` is shown
beside the target; only when the plan uses them, so Modena's reports (tests/golden) keep their
columns."""

from __future__ import annotations

import csv
import io
import json

import pytest

import scorelang

PLAN = """\
plan formazione "Piano della formazione 2021" {
  period Y "Consuntivo" ends 2021-12-31
  policy {
    locale it
  }
}

indicator ore_formazione "Ore di formazione per dipendente" {
  unit h
  target >= 100
  points 20 {
    below 76% scores 0
    76% to 90% scores 15 to 18
    90% to 100% scores 19 to 20
    from 100% scores 20
  }
}

indicator pratiche_evase "Pratiche evase" {
  unit N
  target >= 1500
  baseline 1200
  formula progress
}

indicator tempi_medi "Tempi medi di risposta" {
  unit gg
  target <= 30
}

area "1" "Organizzazione" weight 100% {
  objective "101" "Competenze" weight 100% {
    ore_formazione 40%
    pratiche_evase 40%
    tempi_medi 20%
  }
}
"""

# 86 hours: 15 + (86 − 76) × 3/14 = 17.142857… points of 20 (85.71 %);
# 1 400 files: (1 400 − 1 200)/(1 500 − 1 200) = 66.67 %.
VALUES = {"ore_formazione": 86, "pratiche_evase": 1400, "tempi_medi": 25}
POINTS = 15 + 10 * 3 / 14


@pytest.fixture(scope="module")
def result() -> scorelang.Result:
    plan = scorelang.loads(PLAN, "formazione.score")
    return plan.evaluate(VALUES)


def test_the_result_carries_the_points_and_the_baseline(result):
    node = result["101/ore_formazione"]
    assert node.points == pytest.approx(POINTS) and node.points_max == 20
    assert node.score == pytest.approx(POINTS / 20 * 100)
    assert result["101/pratiche_evase"].baseline == 1200


def test_the_table_shows_the_points_beside_the_achievement_in_both_locales(result):
    italian = scorelang.render(result, "table", view="tree")
    assert "17,14 / 20 punti" in italian
    assert "Punti" in italian and "Valore di partenza" in italian
    assert "1.200 gg" not in italian and "1.200 N." in italian
    english = scorelang.render(result, "table", view="tree", locale="en")
    assert "17.14 / 20 points" in english and "Baseline" in english
    line = next(line for line in english.splitlines() if "ore_formazione" in line)
    # Beside the achievement: the points right after it.
    assert line.index("85.71%") < line.index("17.14 / 20 points")
    line = next(line for line in english.splitlines() if "pratiche_evase" in line)
    assert line.index(">= 1,500 N.") < line.index("1,200 N.") < line.index("1,400 N.")


def test_the_points_are_the_half_up_rounding_of_the_true_figure():
    from scorelang.engine.rounding import half_up
    plan = scorelang.loads(PLAN, "x.score")
    for hours in (77, 81, 83, 88.5, 95):
        node = plan.evaluate({**VALUES, "ore_formazione": hours})["101/ore_formazione"]
        shown = f"{half_up(node.points, 2):f}".replace(".", ",")
        assert f"{shown} / 20 punti" in scorelang.render(plan.evaluate(
            {**VALUES, "ore_formazione": hours}), "table", view="indicators")


def test_the_indicators_view_and_markdown_show_them(result):
    text = scorelang.render(result, "table", view="indicators", locale="en")
    assert "17.14 / 20 points" in text and "1,200 N." in text
    markdown = scorelang.render(result, "markdown", view="tree", locale="en")
    assert "| 17.14 / 20 points |" in markdown.replace("  ", " ") or \
        "17.14 / 20 points" in markdown
    assert "Points" in markdown and "Baseline" in markdown


def test_csv_gives_the_points_and_their_scale_as_numbers(result):
    rows = list(csv.reader(io.StringIO(scorelang.render(result, "csv", view="indicators")),
                           delimiter=";"))
    head = rows[0]
    assert "Punti" in head and "Punti massimi" in head and "Valore di partenza" in head
    by_id = {row[0]: dict(zip(head, row)) for row in rows[1:]}
    assert by_id["101/ore_formazione"]["Punti"] == "17,14"
    assert by_id["101/ore_formazione"]["Punti massimi"] == "20"
    assert by_id["101/pratiche_evase"]["Punti"] == ""
    assert by_id["101/pratiche_evase"]["Valore di partenza"] == "1200"
    english = list(csv.reader(io.StringIO(scorelang.render(result, "csv", view="tree",
                                                           locale="en"))))
    assert "Points max" in english[0]


def test_html_shows_the_points_under_the_achievement_and_the_baseline_under_the_target(result):
    page = scorelang.render(result, "html")
    assert '<small class="raw points">17,14\u00a0/\u00a020\u00a0punti</small>' in page
    assert '<small class="annual baseline">valore di partenza 1.200\u00a0N.</small>' in page
    english = scorelang.render(result, "html", locale="en")
    assert "17.14\u00a0/\u00a020\u00a0points" in english and "baseline 1,200" in english


def test_xlsx_has_baseline_and_points_columns(result, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result, "en")))
    sheet = book["Indicators"]
    head = [cell.value for cell in sheet[1]]
    assert head[-3:] == ["Baseline", "Points", "Points max"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    points = rows["101/ore_formazione"][head.index("Points")]
    assert points.value == pytest.approx(POINTS) and points.number_format == "0.00"
    assert rows["101/ore_formazione"][head.index("Points max")].value == 20
    assert rows["101/pratiche_evase"][head.index("Baseline")].value == 1200
    assert rows["101/tempi_medi"][head.index("Points")].value is None


def test_the_json_report_is_unchanged_in_shape(result):
    nodes = {n["id"]: n for n in json.loads(scorelang.render(result, "json"))["nodes"]}
    assert nodes["101/ore_formazione"]["points_max"] == 20
    assert nodes["101/pratiche_evase"]["baseline"] == 1200


def test_a_plan_without_points_or_baseline_gets_no_such_column():
    plan = scorelang.loads(PLAN.replace("  baseline 1200\n  formula progress\n", "")
                           .replace(PLAN[PLAN.index("  points 20"):PLAN.index("}\n\nindicator p")],
                                    ""), "x.score")
    result = plan.evaluate(VALUES)
    for view in ("tree", "indicators"):
        text = scorelang.render(result, "table", view=view, locale="en")
        assert "Points" not in text and "Baseline" not in text
        assert "Punti" not in scorelang.render(result, "csv", view=view)
    page = scorelang.render(result, "html")
    assert 'class="raw points"' not in page and 'class="annual baseline"' not in page
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result, "en")))
    assert [c.value for c in book["Indicators"][1]][-1] == "Weight"


def test_the_html_page_opens_in_chromium(result, tmp_path):
    from .browser import dump_dom, find_chromium
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium not installed")
    path = tmp_path / "page.html"
    path.write_text(scorelang.render(result, "html"), encoding="utf-8")
    dom = dump_dom(binary, path).replace("&nbsp;", " ").replace("\u00a0", " ")
    assert "17,14 / 20 punti" in dom and "valore di partenza 1.200 N." in dom
