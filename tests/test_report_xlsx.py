"""The Excel workbook: written, read back with openpyxl, and checked cell by cell.

Numbers must arrive as numbers (fractions with a percent format for achievements), N/D as empty
cells that say why, bands as fills, the tree as outline levels Excel can fold.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest

import scorelang
from scorelang.diagnostics import ScorelangError
from scorelang.files import InputError
from scorelang.report.xlsx import SHEET_NAMES, SHEETS, hex_colour, to_xlsx, to_xlsx_bytes

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is the optional extra scorelang[xlsx]")


@pytest.fixture(scope="module")
def workbook(modena_result):
    return openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(modena_result)))


def records(sheet):
    """Each data row as {heading: cell}."""
    headings = [cell.value for cell in sheet[1]]
    return [dict(zip(headings, row)) for row in sheet.iter_rows(min_row=2)]


ITALIAN = SHEET_NAMES["it"]


def test_one_sheet_per_view_each_with_a_bold_frozen_header(workbook):
    assert list(SHEETS) == ["Summary", "Tree", "Indicators", "Scorecards", "Findings"]
    assert workbook.sheetnames == ["Riepilogo", "Albero", "Indicatori", "Obiettivi individuali",
                                   "Indicazioni"]
    for sheet in workbook:
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")
        assert sheet.auto_filter.ref


def test_summary_is_the_seed_table_with_numbers_as_numbers(workbook, modena_result):
    rows = records(workbook[ITALIAN["Summary"]])
    assert [c.value for c in workbook[ITALIAN["Summary"]][1]][:5] == [
        "Ambito strategico", "Obiettivo strategico", "Grado di raggiungimento", "Valutazione",
        "Peso"]
    objectives = [row for row in rows if row["Obiettivo strategico"].value]
    assert [row["Obiettivo strategico"].value[:3] for row in objectives] == [
        "301", "401", "402", "600", "601", "700", "701", "801", "802", "803"]
    internaz = objectives[0]
    assert internaz["Grado di raggiungimento"].value == modena_result["301"].score / 100
    assert internaz["Grado di raggiungimento"].number_format == "0.00%"
    assert internaz["Peso"].value == pytest.approx(0.3334)
    assert internaz["Ambito strategico"].value == "1 - Competitività delle imprese"


def test_every_indicator_use_has_one_row(workbook, modena_result):
    rows = records(workbook[ITALIAN["Indicators"]])
    assert [row["Nodo"].value for row in rows] == [
        node.id for node in modena_result if node.kind == "indicator"]
    assert len(rows) == 87


def test_indicator_figures_are_numbers_in_their_unit(workbook):
    rows = {row["Nodo"].value: row for row in records(workbook[ITALIAN["Indicators"]])}
    export = rows["301/indicatori/export_provinciale"]
    assert export["Valore rilevato"].value == 3_111_720_000
    assert "€" in export["Valore rilevato"].number_format
    assert export["Target"].value == 6_500_000_000
    assert export["Fonte del target"].value == "periodico H1"
    assert export["Direzione"].value == "≥"
    share = rows["301.D1.1/incidenza_fiere_extra_ue"]  # 16 % against >= 22 %
    assert share["Valore rilevato"].value == pytest.approx(0.16)
    assert share["Target"].value == pytest.approx(0.22)
    assert share["Valore rilevato"].number_format == "0.00%"
    payments = rows["802/indicatori/tempestivita_pagamenti"]  # -17.82 days against <= -18
    assert payments["Valore rilevato"].value == pytest.approx(-17.82)
    assert payments["Target"].value == -18
    assert payments["Direzione"].value == "≤"


def test_capped_indicator_keeps_its_raw_achievement(workbook):
    rows = {row["Nodo"].value: row for row in records(workbook[ITALIAN["Indicators"]])}
    certificates = rows["301.D1.2/certificati_origine_tempi"]
    assert certificates["Grado di raggiungimento"].value == 1.0
    assert certificates["Grado grezzo"].value == pytest.approx(1.1562650602)
    assert certificates["Note"].value == "tetto"


def test_achievement_is_stored_unrounded_and_the_format_rounds_it(workbook, modena_result):
    """257/800 = 32.125 %: stored exactly, shown 32.13 % by the cell format (half-up)."""
    rows = {row["Nodo"].value: row for row in records(workbook[ITALIAN["Indicators"]])}
    cell = rows["402.D4.2/studenti_alternanza_finanziate"]["Grado di raggiungimento"]
    assert cell.value == modena_result["402.D4.2/studenti_alternanza_finanziate"].score / 100
    assert cell.number_format == "0.00%"


def test_n_d_is_an_empty_cell_that_says_why(workbook):
    rows = {row["Nodo"].value: row for row in records(workbook[ITALIAN["Indicators"]])}
    deadline = rows["802.A1.2/report_costi"]
    assert deadline["Grado di raggiungimento"].value is None
    assert "non ancora scaduto" in deadline["Grado di raggiungimento"].comment.text
    assert deadline["Stato"].value == "N/D (non ancora scaduto)"
    assert deadline["Scadenza"].value == dt.datetime(2020, 10, 31)
    assert deadline["Scadenza"].is_date
    missing = rows["401/indicatori/tasso_sopravvivenza_3anni"]
    assert missing["Valore rilevato"].value is None
    assert "non rilevato" in missing["Valore rilevato"].comment.text
    assert missing["Valutazione"].value == "N/D"


def test_bands_are_filled_with_their_colour(workbook, modena_result):
    colours = {band.title: hex_colour(band.colour) for band in modena_result.bands}
    seen = set()
    for sheet in workbook:
        headings = [cell.value for cell in sheet[1]]
        if "Valutazione" not in headings:
            continue  # the Findings sheet lists rules' messages, not bands
        column = headings.index("Valutazione")
        for row in sheet.iter_rows(min_row=2):
            cell = row[column]
            if cell.value in colours:
                assert cell.fill.fgColor.rgb[-6:] == colours[cell.value]
                seen.add(cell.value)
    assert seen == {"Critico", "Parziale", "Raggiunto"}


def test_tree_rows_are_indented_and_grouped_by_depth(workbook, modena_result):
    sheet = workbook[ITALIAN["Tree"]]
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[-1].value for row in rows] == [node.id for node in modena_result]
    for row, node in zip(rows, modena_result):
        assert (row[0].alignment.indent or 0) == node.depth
        assert sheet.row_dimensions[row[0].row].outline_level == node.depth
    assert sheet.sheet_properties.outlinePr.summaryBelow is False


def test_scorecards_list_each_manager_and_entries(workbook, modena_result):
    rows = records(workbook[ITALIAN["Scorecards"]])
    expected = sum(1 + len(card.entries) for card in modena_result.scorecards)
    assert len(rows) == expected
    totals = [row for row in rows if row["Obiettivo individuale"].value == "totale"]
    assert [row["Scheda"].value for row in totals] == [
        "Segretario Generale", "Dirigente Area 1", "Dirigente Area 2"]
    assert totals[1]["Grado di raggiungimento"].value == pytest.approx(0.4534785714)


def test_english_reader_gets_english_headings(modena_result):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(modena_result, "en")))
    assert [c.value for c in book["Summary"][1]][:5] == [
        "Area", "Strategic objective", "Achievement", "Rating", "Weight"]
    assert book.sheetnames == list(SHEETS)  # English sheet names for an English reader


def test_to_xlsx_replaces_the_file_in_one_step(modena_result, tmp_path: Path):
    target = tmp_path / "modena.xlsx"
    target.write_bytes(b"old content")
    to_xlsx(modena_result, target)
    assert openpyxl.load_workbook(target).sheetnames == [ITALIAN[name] for name in SHEETS]
    assert [p.name for p in tmp_path.iterdir()] == ["modena.xlsx"]  # no temporary left


def test_to_xlsx_into_a_missing_folder_is_a_plain_error(modena_result, tmp_path: Path):
    with pytest.raises(InputError) as caught:
        to_xlsx(modena_result, tmp_path / "nowhere" / "modena.xlsx")
    assert caught.value.diagnostics[0].code == "SL003"


def test_without_openpyxl_the_error_says_how_to_install_it(modena_result, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    with pytest.raises(ScorelangError) as caught:
        to_xlsx_bytes(modena_result)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "SL004"
    assert diagnostic.message == "openpyxl is not installed"
    assert diagnostic.hint == "pip install 'scorelang[xlsx]'"


def test_band_colours_are_read_as_excel_colours():
    assert hex_colour("#c0392b") == "C0392B"
    assert hex_colour("#abc") == "AABBCC"
    assert hex_colour("SeaGreen") == "2E8B57"
    assert hex_colour("url(x)") is None


def test_a_plan_without_bands_or_scorecards_still_makes_a_workbook():
    text = """
plan p "Piccolo" { period H1 "Semestre" ends 2020-06-30 }
indicator x "X" { target >= 10 }
area "1" "A" { objective "100" "O" weight 100% { x 100% } }
"""
    result = scorelang.loads(text).evaluate({"x": None}, period="H1")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result)))
    # No scorecards and no findings: no sheet for them, so that printing shows no empty page.
    assert book.sheetnames == ["Summary", "Tree", "Indicators"]  # an English plan
    assert book["Indicators"].max_row == 2
