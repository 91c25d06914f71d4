"""Issue 18, point 7: an indicator's `description` (what it measures, how it is computed) is in
the reports, as the plan's annex prints it: an annex in html and markdown, a column in xlsx."""

from __future__ import annotations

import io

import pytest

import scorelang
from scorelang.report.html import to_html


def _described(result):
    return result.descriptions["export_provinciale"]


def test_the_result_carries_each_description(modena_result):
    assert _described(modena_result).startswith("Indica il valore in € del fatturato")


def test_the_html_has_an_annex_of_the_indicators(modena_result):
    page = to_html(modena_result, "it")
    annex = page[page.index('<section class="annex">'):]
    assert "Allegato: descrizione degli indicatori" in annex
    assert "Indica il valore in € del fatturato" in annex
    assert annex.count("<th scope=\"row\">export_provinciale</th>") == 1  # once, used twice


def test_the_markdown_indicators_have_the_annex(modena_result):
    text = scorelang.render(modena_result, "markdown", "indicators", None, "en")
    annex = text[text.index("### Annex: the indicators described"):]
    assert "| export_provinciale " in annex and "Indica il valore in €" in annex
    # A tree cut above the indicators shows none, and describes none.
    shallow = scorelang.render(modena_result, "markdown", "tree", 2, "en")
    assert "Annex" not in shallow


def test_the_workbook_has_a_description_column(modena_result):
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(modena_result, "en")))
    sheet = next(s for s in book.worksheets if s.title.startswith("Indicator"))
    headings = [cell.value for cell in sheet[1]]
    column = headings.index("Description and method of calculation")
    described = {row[1].value: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert described["export_provinciale"] == _described(modena_result)
