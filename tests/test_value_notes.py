"""Notes beside the values (issue 13, point 4): a remark and a data source written with an
indicator's figure reach every use of the indicator in the Result, its JSON, every report and
`explain` — escaped where a report's format gives characters a meaning (html, markdown, csv's
and xlsx's formulas).

The Values are built with `attrs.evolve(values, notes=...)`: how a values file spells its
notes is the readers' business (tests of the values files), not the reports'.
"""

from __future__ import annotations

import csv
import io
import json

import attrs
import pytest

import scorelang
from scorelang.engine.result import NO_FACTS
from scorelang.engine.values import ValueNote

from .conftest import MODENA_RULES, MODENA_VALUES

# A note and a source holding what each format must escape: markup, an ampersand, a quote, a
# line break, and a leading `=` a spreadsheet would run as a formula.
NOTE = 'Dato <provvisorio> & "stimato"\nda rivedere a ottobre'
SOURCE = "=HYPERLINK(\"http://x\";\"ISTAT\")"
USED_TWICE = "export_provinciale"  # 301/indicatori/… and 301.D1.1/…


@pytest.fixture(scope="module")
def plan():
    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="module")
def values():
    return scorelang.load_values(MODENA_VALUES)


@pytest.fixture(scope="module")
def noted(plan, values):
    notes = {USED_TWICE: ValueNote(NOTE, SOURCE),
             "incidenza_fiere_extra_ue": ValueNote(source="Registro fiere")}
    return plan.evaluate(attrs.evolve(values, notes=notes))


def _uses(result, indicator):
    return [node for node in result if node.indicator == indicator]


# ---- the engine -----------------------------------------------------------------------------
def test_every_use_of_an_indicator_carries_its_note(noted):
    uses = _uses(noted, USED_TWICE)
    assert len(uses) == 2
    for node in uses:
        assert node.note == {"note": NOTE, "source": SOURCE}
    assert [node.note for node in _uses(noted, "incidenza_fiere_extra_ue")] == \
        [{"source": "Registro fiere"}]


def test_nodes_without_a_note_keep_the_shared_empty_facts(noted):
    # docs/performance.md: a node with nothing of its own shares one NodeFacts object.
    plain = [node for node in noted if node.note is None and node.kind != "indicator"
             and node.aggregation is None and node.link is None]
    assert plain and all(node.facts is NO_FACTS for node in plain)
    others = [node for node in noted if node.kind == "indicator" and node.note is None
              and node.points_max is None and node.baseline is None]
    assert others and all(node.facts is NO_FACTS for node in others)


def test_a_note_changes_no_figure(noted, plan, values):
    plain = plan.evaluate(values)
    assert [(n.id, n.score, n.status, n.flags) for n in noted] == \
        [(n.id, n.score, n.status, n.flags) for n in plain]


def test_an_empty_note_is_no_note(plan, values):
    result = plan.evaluate(attrs.evolve(values, notes={USED_TWICE: ValueNote()}))
    assert all(node.note is None for node in result)
    assert "note" not in json.dumps(result.to_dict()["nodes"][1])


def test_the_json_carries_both_keys_and_fits_the_schema(noted):
    from .test_schemas import valid

    data = json.loads(scorelang.render(noted, "json"))
    by_id = {node["id"]: node for node in data["nodes"]}
    assert by_id[f"301.D1.1/{USED_TWICE}"]["note"] == {"note": NOTE, "source": SOURCE}
    assert by_id["301.D1.1/incidenza_fiere_extra_ue"]["note"] == \
        {"note": None, "source": "Registro fiere"}
    assert "note" not in by_id["301"]
    assert sum("note" in node for node in data["nodes"]) == 3
    assert valid(data, "score")


def test_the_schema_refuses_a_note_of_the_wrong_shape(noted):
    from .test_schemas import valid

    data = json.loads(scorelang.render(noted, "json"))
    node = next(node for node in data["nodes"] if "note" in node)
    node["note"] = {"note": 3, "source": None}
    assert not valid(data, "score")


# ---- the reports ----------------------------------------------------------------------------
@pytest.mark.parametrize("locale,heading,source", [("it", "Note ai valori", "Fonte"),
                                                   ("en", "Notes on the values", "Source")])
def test_the_table_numbers_the_notes_as_footnotes_once_per_indicator(noted, locale, heading,
                                                                     source):
    text = scorelang.render(noted, "table", "tree", locale=locale)
    table, _, notes = text.partition(f"\n{heading}\n")
    marked = [line for line in table.splitlines() if line.rstrip().endswith(("[1]", "[2]"))
              or " [1] " in line or " [2] " in line]
    assert len(marked) == 3  # two uses of one indicator, one of another
    assert notes.splitlines() == [
        f"[1] {USED_TWICE}: Dato <provvisorio> & \"stimato\"",
        f"    da rivedere a ottobre ({source}: {SOURCE})",
        f"[2] incidenza_fiere_extra_ue: {source}: Registro fiere"]


def test_a_long_title_keeps_its_marker_in_the_table(noted):
    # incidenza_fiere_extra_ue's title is cut to the column's width: the marker survives.
    line = next(line for line in scorelang.render(noted, "table", "tree").splitlines()
                if "incidenza_fiere_extra_ue ·" in line)
    assert "… [2]" in line


def test_without_notes_the_reports_are_as_before(modena_result):
    for view in ("tree", "indicators"):
        for form in ("table", "markdown", "csv"):
            text = scorelang.render(modena_result, form, view)
            assert "Note ai valori" not in text and "Nota al valore" not in text
            assert "[1]" not in text and "[^1]" not in text


def test_markdown_footnotes_escape_what_markdown_would_read(noted):
    text = scorelang.render(noted, "markdown", "indicators", locale="en")
    assert text.count("Fatturato export provinciale [^1]") == 2
    assert "### Notes on the values" in text
    line = next(line for line in text.splitlines() if line.startswith("[^1]:"))
    assert line == (r'[^1]: export\_provinciale: Dato \<provvisorio\> \& "stimato" da rivedere '
                    r'a ottobre (Source: =HYPERLINK("http://x";"ISTAT"))')
    # no raw markup left, and the note stayed on one line (the newline would end the footnote)
    assert "<provvisorio>" not in text and "ottobre" not in text.split("[^1]:")[0]


@pytest.mark.parametrize("view", ["indicators", "tree"])
def test_csv_has_note_and_source_columns_and_no_formula(noted, view):
    data = scorelang.render(noted, "csv", view).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                                    delimiter=";"))
    assert header[-2:] == ["Nota al valore", "Fonte del dato"]
    by_id = {row[0]: row for row in rows}
    row = by_id[f"301.D1.1/{USED_TWICE}"]
    assert row[-2] == NOTE  # the line break kept inside the quoted field
    assert row[-1] == "'" + SOURCE  # a spreadsheet shows it, never runs it
    assert by_id["301.D1.1/incidenza_fiere_extra_ue"][-2:] == ["", "Registro fiere"]
    assert by_id["301.D1.1/partecipanti_internaz"][-2:] == ["", ""]
    assert all(len(row) == len(header) for row in rows)


def test_csv_in_english_names_the_columns_in_english(noted):
    header = next(csv.reader(io.StringIO(scorelang.render(noted, "csv", "indicators",
                                                          locale="en"))))
    assert header[-2:] == ["Value note", "Data source"]


def test_html_marks_each_use_and_lists_the_notes_escaped(noted, plan):
    from scorelang.report.html import to_html

    from .test_report_html import Page

    text = to_html(noted, plan=plan.definition)
    assert "<provvisorio>" not in text and '"stimato"' not in text
    assert text.count('<sup class="note-ref"><a href="#value-note-1"') == 2
    assert text.count('<sup class="note-ref"><a href="#value-note-2"') == 1
    assert text.count('<li id="value-note-') == 2
    page = Page(text)
    said = "".join(page.text)
    assert 'Dato <provvisorio> & "stimato"' in said and "da rivedere a ottobre" in said
    assert f"Fonte: {SOURCE}" in said
    section = text[text.index('<section class="value-notes">'):]
    assert section.index("Note ai valori") < section.index("<br>") < section.index("Fonte:")
    # the markers' hover text is an attribute: quotes and markup escaped
    assert 'title="Dato &lt;provvisorio&gt; &amp; &quot;stimato&quot;' in text


def test_html_in_english_and_without_notes(noted, modena_result):
    from scorelang.report.html import to_html

    assert "Notes on the values" in to_html(noted, "en")
    plain = to_html(modena_result)
    assert "note-ref" not in plain.split("</style>")[1]
    assert "value-notes" not in plain.split("</style>")[1]


def test_xlsx_indicators_sheet_has_the_note_and_source_as_text(noted):
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(noted)))
    sheet = book["Indicatori"]
    header = [cell.value for cell in sheet[1]]
    at = header.index("Nota al valore")
    assert header[at:at + 2] == ["Nota al valore", "Fonte del dato"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    note, source = rows[f"301.D1.1/{USED_TWICE}"][at:at + 2]
    assert note.value == NOTE and note.alignment.wrap_text
    assert source.value == SOURCE and source.data_type == "s" and source.quotePrefix
    assert [c.value for c in rows["301.D1.1/incidenza_fiere_extra_ue"][at:at + 2]] == \
        [None, "Registro fiere"]
    english = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(noted, "en")))["Indicators"]
    assert [cell.value for cell in english[1]][at:at + 2] == ["Value note", "Data source"]


def test_xlsx_without_notes_keeps_its_columns(modena_result):
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(modena_result)))["Indicatori"]
    assert "Nota al valore" not in [cell.value for cell in sheet[1]]


# ---- explain ----------------------------------------------------------------------------------
def test_explain_prints_the_note_of_the_indicator(plan, noted):
    from scorelang.report.explain import explain_json, explain_text
    from scorelang.tools.explain import explain

    explained = explain(plan, noted, f"301.D1.1/{USED_TWICE}")
    lines = explain_text(explained).splitlines()
    at = lines.index('  note: Dato <provvisorio> & "stimato"')
    assert lines[at + 1:at + 3] == ["    da rivedere a ottobre", f"  source: {SOURCE}"]
    assert json.loads(explain_json(explained))["node"]["note"] == {"note": NOTE,
                                                                   "source": SOURCE}


def test_explain_prints_the_note_where_the_indicator_is_used(plan, noted):
    from scorelang.report.explain import explain_json, explain_text
    from scorelang.tools.explain import explain

    explained = explain(plan, noted, "301")
    text = explain_text(explained)
    assert text.count(f"source: {SOURCE}") == 2  # both uses under 301
    assert "source: Registro fiere" in text
    data = json.loads(explain_json(explained))
    assert "note" not in data["node"]

    def notes(node):
        yield from ([node["note"]] if "note" in node else [])
        for child in node["children"]:
            yield from notes(child)

    assert len(list(notes(data["node"]))) == 3
