"""Values in a spreadsheet (issue 13): CSV and XLSX read as the YAML is, Italian numbers on
purpose, notes and sources beside a value, and every mistake a diagnostic naming its cell.

The Modena workbook and CSV are written here from the YAML of June, in the layout of
docs/spreadsheets.md, and must score every node exactly as the YAML does.
"""

from __future__ import annotations

import builtins
import datetime as dt
import io
import json
import math
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import scorelang
from scorelang import ValuesError
from scorelang.diagnostics import Span
from scorelang.engine import numbers
from scorelang.engine.rounding import half_up
from scorelang.engine.figures import AmbiguousFigure, parse_figure, read_value
from scorelang.engine.values import ValueNote, Values
from scorelang.report.diagnostics import to_json

from .conftest import MODENA_RULES, MODENA_VALUES

JUNE = yaml.safe_load(MODENA_VALUES.read_text(encoding="utf-8"))


def _scores(result) -> dict[str, object]:
    """Every node's score, display and status: what must not change with the format."""
    return {n["id"]: (n["score"], n["display"], n["status"]) for n in result.to_dict()["nodes"]}


def _italian(value: float) -> str:
    """A figure as an Italian office types it: every decimal kept, thousands grouped, and
    ",00" after a whole number that grouping alone would leave ambiguous (3.283)."""
    text = numbers.decimal_text(Decimal(repr(float(value))), "it")
    if "," not in text and "." in text:
        text += ",00"
    return text


def _workbook(path: Path, rows: list[list[object]], *, sheet: str = "Valori",
              monitoring: list[list[object]] | None = None) -> Path:
    book = openpyxl.Workbook()
    table = book.active
    table.title = sheet
    for row in rows:
        table.append(row)
    if monitoring is not None:
        meta = book.create_sheet("Monitoraggio")
        for row in monitoring:
            meta.append(row)
    book.save(path)
    return path


def _june_workbook(path: Path) -> Path:
    rows: list[list[object]] = [["Indicatore", "Titolo", "Unità", "Valore", "Nota", "Fonte"]]
    for name, value in JUNE["values"].items():
        rows.append([name, "…", "", "N/D" if value is None else value, None, None])
    return _workbook(path, rows, monitoring=[
        ["chiave", "valore"], ["piano", JUNE["plan"]], ["periodo", JUNE["period"]],
        ["data di monitoraggio", JUNE["as_of"]]])


def _june_csv(path: Path, *, declare: bool = True) -> Path:
    lines = [f"# piano: {JUNE['plan']}", f"# periodo: {JUNE['period']}",
             "# data di monitoraggio: 30/06/2020"]
    if declare:
        lines.append("# formato numeri: it")
    lines.append("indicatore;valore;nota;fonte")
    for name, value in JUNE["values"].items():
        lines.append(f"{name};{'N/D' if value is None else _italian(value)};;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


# ---- Modena, every figure ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def june_result(modena_plan):
    return modena_plan.evaluate(scorelang.load_values(MODENA_VALUES))


def test_the_june_workbook_scores_every_modena_figure_as_the_yaml(tmp_path, modena_plan,
                                                                    june_result):
    values = scorelang.load_values(_june_workbook(tmp_path / "valori.xlsx"))
    assert (values.plan, values.period, values.as_of) == ("cciaa_modena_2020", "H1",
                                                          dt.date(2020, 6, 30))
    assert dict(values.values) == dict(scorelang.load_values(MODENA_VALUES).values)
    result = modena_plan.evaluate(values)
    assert _scores(result) == _scores(june_result)
    assert result.diagnostics == june_result.diagnostics


def test_the_june_csv_in_italian_scores_every_modena_figure_as_the_yaml(tmp_path, modena_plan,
                                                                       june_result):
    path = _june_csv(tmp_path / "valori.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert "3.111.720.000,00" in text and ";N/D;" in text and ";95,97;" in text
    result = modena_plan.evaluate(scorelang.load_values(path))
    assert _scores(result) == _scores(june_result)


def test_the_plan_locale_reads_a_csv_that_does_not_declare_its_format(tmp_path, modena_plan,
                                                                     june_result):
    path = _june_csv(tmp_path / "valori.csv", declare=False)
    with pytest.raises(ValuesError):  # read as `en`, 3.111.720.000,00 is no number
        scorelang.load_values(path)
    locale = modena_plan.definition.policy.locale
    assert locale == "it"
    result = modena_plan.evaluate(scorelang.load_values(path, number_format=locale))
    assert _scores(result) == _scores(june_result)


def test_the_cli_scores_the_csv_as_the_yaml(tmp_path, capsys):
    from scorelang.cli import main

    path = _june_csv(tmp_path / "valori.csv", declare=False)
    assert main(["score", str(MODENA_RULES), "--values", str(path), "--format", "json"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert main(["score", str(MODENA_RULES), "--values", str(MODENA_VALUES),
                 "--format", "json"]) == 0
    from_yaml = json.loads(capsys.readouterr().out)
    assert from_csv == from_yaml


@pytest.mark.parametrize("command", ["explain", "advise", "whatif", "compare", "verify"])
def test_every_command_reads_a_workbook(tmp_path, capsys, command):
    from scorelang.cli import main

    book = str(_june_workbook(tmp_path / "valori.xlsx"))
    argv = {"explain": ["explain", str(MODENA_RULES), "301", "--values", book],
            "advise": ["advise", str(MODENA_RULES), "--values", book],
            "whatif": ["whatif", str(MODENA_RULES), "--values", book, "--drop", "301"],
            "compare": ["compare", str(MODENA_RULES), "--values", book, "--values",
                        str(MODENA_VALUES)],
            "verify": ["verify", str(MODENA_RULES), "--values", book, "--reported",
                       str(MODENA_VALUES.parent / "pubblicati-2020-06.yaml")]}[command]
    code = main(argv)
    printed = capsys.readouterr()
    assert code in (0, 1) and "error[" not in printed.err, printed.err


def test_a_rule_test_names_a_csv_values_file(tmp_path, monkeypatch, june_result):
    from scorelang.tools import ruletest

    (tmp_path / ".git").mkdir()
    (tmp_path / "plan.score").write_text(MODENA_RULES.read_text(encoding="utf-8"),
                                         encoding="utf-8")
    _june_csv(tmp_path / "valori.csv", declare=False)
    total = june_result["1"].score
    (tmp_path / "plan.test.yaml").write_text(
        "rules: plan.score\ntests:\n  - name: june from a CSV\n    values: valori.csv\n"
        f"    expect:\n      \"1\": {total!r}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = ruletest.run_paths(["plan.test.yaml"])
    assert report.exit_code == 0 and report.passed == 1


# ---- the layout --------------------------------------------------------------------------------

def test_headers_in_english_or_italian_any_case_and_accents(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(" INDICATOR ,Valóre,NOTA,Fonte,Unità,target periodico\n"
                    "a,1.5,checked,registry,N,3\n", encoding="utf-8")
    values = scorelang.load_values(path)
    assert dict(values.values) == {"a": 1.5}
    assert values.notes == {"a": ValueNote("checked", "registry")}
    assert values.warnings == ()


def test_delimiter_sniffed_among_comma_semicolon_and_tab(tmp_path):
    for delimiter in (",", ";", "\t"):
        path = tmp_path / "v.csv"
        path.write_text(f"indicator{delimiter}value\na{delimiter}2\n", encoding="utf-8")
        assert dict(scorelang.load_values(path).values) == {"a": 2.0}


def test_a_cp1252_csv_as_italian_excel_writes_it(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes("# formato numeri: it\nindicatore;valore;nota\n"
                     "a;1.234,5;verificato dall'ufficio qualità – €\n".encode("cp1252"))
    values = scorelang.load_values(path)
    assert values.values == {"a": 1234.5}
    assert values.notes["a"].note == "verificato dall'ufficio qualità – €"


def test_cells_empty_nd_number_and_dates(tmp_path):
    path = _workbook(tmp_path / "v.xlsx", [
        ["indicatore", "valore"], ["vuoto", None], ["nd", "n.d."], ["nd2", "N/D"],
        ["numero", 12.5], ["data", dt.datetime(2020, 10, 31)], ["testo_data", "31/10/2020"],
        ["iso", "2020-10-31"], ["percento", 0.6296], ["italiano", "62,96 %"],
        ["euro", "€ 1.234,56"]],
        monitoring=[["formato numeri", "it"]])
    book = openpyxl.load_workbook(path)
    book["Valori"]["B9"].number_format = "0.00%"
    book.save(path)
    values = scorelang.load_values(path).values
    assert "vuoto" not in values
    assert values["nd"] is None and values["nd2"] is None
    assert values["numero"] == 12.5
    assert values["data"] == values["testo_data"] == values["iso"] == dt.date(2020, 10, 31)
    assert values["percento"] == 62.96 == values["italiano"]
    assert values["euro"] == 1234.56


def test_several_periods_by_column_and_by_sheet(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("periodo,indicatore,valore\nH1,a,1\nY,a,2\nH1,b,3\n", encoding="utf-8")
    found = scorelang.load_all_values(path)
    assert [(v.period, dict(v.values)) for v in found] == [("H1", {"a": 1.0, "b": 3.0}),
                                                           ("Y", {"a": 2.0})]
    assert scorelang.load_values(path, period="Y").values == {"a": 2.0}
    book = openpyxl.Workbook()
    book.active.title = "H1"
    book.active.append(["indicator", "value"])
    book.active.append(["a", 1])
    second = book.create_sheet("Y")
    second.append(["indicator", "value"])
    second.append(["a", 2])
    book.create_sheet("Istruzioni").append(["Compilare la colonna valore"])
    book.save(tmp_path / "v.xlsx")
    found = scorelang.load_all_values(tmp_path / "v.xlsx")
    assert [(v.period, dict(v.values)) for v in found] == [("H1", {"a": 1.0}), ("Y", {"a": 2.0})]
    assert [d.code for d in found[0].warnings] == ["SL339"]
    assert found[0].warnings[0].span.cell == "Istruzioni!A1"


def test_xlsx_found_by_content_whatever_its_name(tmp_path):
    path = _workbook(tmp_path / "v.xlsx", [["indicator", "value"], ["a", 1]])
    renamed = path.rename(tmp_path / "values.yaml")
    assert scorelang.load_values(renamed).values == {"a": 1.0}


def test_loads_values_reads_csv_text_by_its_name():
    values = scorelang.loads_values("indicator,value,note\na,3,why\n", "v.csv")
    assert values.values == {"a": 3.0} and values.notes == {"a": ValueNote("why")}


# ---- every mistake, with its message ---------------------------------------------------------

def _problems(path: Path, **options) -> list[str]:
    with pytest.raises(ValuesError) as info:
        scorelang.load_values(path, **options)
    return [f"{d.location()}{d.severity.value}[{d.code}]: {d.message}"
            for d in info.value.diagnostics]


def test_unknown_header_is_a_warning_naming_the_cell(tmp_path):
    path = tmp_path / "valori.csv"
    path.write_text("indicatore;valore;commento\na;1;x\n", encoding="utf-8")
    values = scorelang.load_values(path)
    assert [d.headline() for d in values.warnings] == [
        f"{path}:1:3: warning[SL325]: unknown column `commento`: not read"]
    result = scorelang.loads('plan p "P" {}\nindicator a "A" { target >= 1 }\n'
                             'area "1" "Uno" { a 100% }\n', "p.score").evaluate(values)
    assert [d.code for d in result.diagnostics] == ["SL325"]


def test_missing_required_column(tmp_path):
    path = _workbook(tmp_path / "valori.xlsx", [["indicatore", "misura"], ["a", 1]])
    assert _problems(path) == [
        f"{path}:Valori!A1: error[SL324]: the sheet `Valori` has no column `valore (value)`"]


def test_wrong_sheet_names_the_sheet_read(tmp_path):
    path = _workbook(tmp_path / "valori.xlsx", [["Istruzioni per la compilazione"]],
                     sheet="Istruzioni")
    assert _problems(path) == [
        f"{path}:Istruzioni!A1: error[SL324]: the sheet `Istruzioni` has no column "
        "`indicatore (indicator)` and no column `valore (value)`"]


def test_duplicate_id_names_both_cells(tmp_path):
    path = _workbook(tmp_path / "valori.xlsx", [["indicatore", "valore"], ["a", 1], ["b", 2],
                                                ["a", 3]])
    with pytest.raises(ValuesError) as info:
        scorelang.load_values(path)
    (found,) = info.value.diagnostics
    assert found.headline() == (f"{path}:Valori!A4: error[SL305]: `a` is given twice: at "
                                "Valori!A2 and Valori!A4")
    assert [s.cell for s in found.related] == ["Valori!A2"]
    assert json.loads(to_json([found]))["diagnostics"][0]["span"] == {
        "file": str(path), "line": 4, "column": 1, "end_line": 4, "end_column": 1,
        "cell": "Valori!A4"}


def test_csv_positions_are_line_and_field(tmp_path):
    path = tmp_path / "valori.csv"
    path.write_text("# formato numeri: it\nindicatore;titolo;valore\na;x;1.234\n",
                    encoding="utf-8")
    assert _problems(path) == [
        f"{path}:3:3: error[SL326]: value of `a`: '1.234' is ambiguous under number format "
        "`it`: 1234 or 1.234? (one group of three digits after `.` and no decimals)"]


@pytest.mark.parametrize("text, number_format, code", [
    ("1.234", "it", "SL326"), ("1,234", "en", "SL326"), ("12.345", "it", "SL326"),
    ("1.5", "it", "SL303"), ("12 pezzi", "it", "SL303"), ("31/10/2020", "en", "SL326"),
    ("31/02/2020", "it", "SL303"), ("2020-02-30", "en", "SL303"), ("1e400", "en", "SL303")])
def test_a_text_that_is_no_figure(tmp_path, text, number_format, code):
    path = tmp_path / "v.csv"
    path.write_text(f"indicator\tvalue\na\t{text}\n", encoding="utf-8")
    with pytest.raises(ValuesError) as info:
        scorelang.load_values(path, number_format=number_format)
    assert [d.code for d in info.value.diagnostics] == [code]
    assert info.value.diagnostics[0].hint


def test_bad_date_is_named(tmp_path):
    path = tmp_path / "valori.csv"
    path.write_text("# number_format: it\nindicator,value\nfine_lavori,31/02/2020\n",
                    encoding="utf-8")
    assert _problems(path) == [
        f"{path}:3:2: error[SL303]: value of `fine_lavori` is the text '31/02/2020', not a "
        "number, N/D or a date ('31/02/2020' is not a real date)"]


def test_uncomputed_formula(tmp_path):
    path = _workbook(tmp_path / "valori.xlsx", [["indicatore", "valore"], ["a", "=1+1"],
                                                ["b", 2]])
    assert _problems(path) == [
        f"{path}:Valori!B2: error[SL327]: a formula whose result the workbook does not store: "
        "its value cannot be read"]


def test_a_formula_error_value(tmp_path):
    path = _workbook(tmp_path / "valori.xlsx", [["indicatore", "valore"], ["a", "#DIV/0!"]])
    assert _problems(path) == [
        f"{path}:Valori!B2: error[SL303]: value of `a`: the formula in Valori!B2 gives #DIV/0!"]


def test_missing_openpyxl_is_a_diagnostic(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "valori.xlsx", [["indicatore", "valore"], ["a", 1]])
    real = builtins.__import__

    def without_openpyxl(name, *args, **kwargs):
        if name == "openpyxl" or name.startswith("openpyxl."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_openpyxl)
    with pytest.raises(ValuesError) as info:
        scorelang.load_values(path)
    (found,) = info.value.diagnostics
    assert found.code == "SL328" and "pip install 'scorelang[xlsx]'" in found.hint


@pytest.mark.parametrize("name, data", [("valori.csv", b""), ("valori.csv", b"\n\n# piano: x\n"),
                                        ("valori.csv", b"\xef\xbb\xbf")])
def test_empty_file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert _problems(path) == [f"{path}:1:1: error[SL324]: {path} holds no table: no header row"]


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"PK\x03\x04" + bytes(200)])
def test_damaged_workbook(tmp_path, data):
    path = tmp_path / "valori.xlsx"
    path.write_bytes(data)
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:1:1: error[SL323]: {path} cannot be read as an XLSX")


def test_old_xls_and_undecodable_csv(tmp_path):
    old = tmp_path / "valori.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert [p.split("]")[0] for p in _problems(old)] == [f"{old}:1:1: error[SL323"]
    bad = tmp_path / "valori.csv"
    bad.write_bytes(b"indicator,value\na,1\x81\n")
    assert _problems(bad) == [f"{bad}:1:1: error[SL323]: {bad} is neither UTF-8 nor "
                              "Windows-1252 text (bad byte at offset 19)"]


def test_row_without_indicator_or_period_and_unknown_metadata(tmp_path):
    path = tmp_path / "valori.csv"
    path.write_text("# colore: rosso\n# number_format: de\nperiod,indicator,value\n"
                    ",a,1\nH1,,2\n", encoding="utf-8")
    assert _problems(path) == [
        f"{path}:1:1: warning[SL329]: unknown monitoring key `colore`, ignored",
        f"{path}:2:1: error[SL329]: number_format 'de' is not `it` or `en`",
        f"{path}:4:2: error[SL337]: the row of `a` has no period",
        f"{path}:5:3: error[SL338]: a value, note or source on a row with no indicator"]


def test_a_repeated_column(tmp_path):
    path = tmp_path / "valori.csv"
    path.write_text("indicator,value,valore\na,1,2\n", encoding="utf-8")
    assert _problems(path) == [f"{path}:1:3: error[SL325]: column `valore` given twice"]


# ---- YAML: number_format and the long form ----------------------------------------------------

def test_yaml_number_format_and_long_form():
    values = scorelang.loads_values(
        "number_format: it\nvalues:\n  a: '1.234,5'\n  b: 16,5\n  c: {value: '62,96 %', "
        "note: provvisorio, source: registro}\n  d: {value: null, note: non rilevato}\n"
        "  e: 3.111.720.000,00\n", "v.yaml")
    assert values.values == {"a": 1234.5, "b": 16.5, "c": 62.96, "d": None, "e": 3111720000.0}
    assert values.notes == {"c": ValueNote("provvisorio", "registro"),
                            "d": ValueNote("non rilevato")}


def test_yaml_without_number_format_reads_as_before():
    assert scorelang.loads_values("values:\n  a: '62.5%'\n  b: 3\n", "v.yaml").values == \
        {"a": 62.5, "b": 3.0}
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("values:\n  a: 16,5\n", "v.yaml")
    assert info.value.diagnostics[0].code == "SL303"


def test_yaml_ambiguous_number_under_it():
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values("number_format: it\nvalues:\n  a: 1.234\n  b: {value: 12.500}\n",
                               "v.yaml")
    assert [(d.code, d.span.line) for d in info.value.diagnostics] == [("SL326", 3),
                                                                       ("SL326", 4)]
    assert scorelang.loads_values("number_format: en\nvalues:\n  a: 1.234\n",
                                  "v.yaml").values == {"a": 1.234}


@pytest.mark.parametrize("entry, message", [
    ("{valore: 1}", "unknown key `valore` in the entry of `a`"),
    ("{note: x}", "the entry of `a` has no `value`"),
    ("{value: 1, note: [x]}", "the note of `a` is not a text")])
def test_long_form_mistakes(entry, message):
    with pytest.raises(ValuesError) as info:
        scorelang.loads_values(f"values:\n  a: {entry}\n", "v.yaml")
    assert message in [d.message for d in info.value.diagnostics]
    assert {d.code for d in info.value.diagnostics} == {"SL336"}


def test_from_mapping_notes_and_long_form():
    values = Values.from_mapping({"a": {"value": 1, "note": "n"}, "b": 2},
                                 notes={"b": {"source": "s"}, "c": "only a note"})
    assert values.values == {"a": 1.0, "b": 2.0}
    assert values.notes == {"a": ValueNote("n"), "b": ValueNote(None, "s"),
                            "c": ValueNote("only a note")}
    with pytest.raises(ValuesError):
        Values.from_mapping({}, notes={"a": 3})


# ---- the number reader -------------------------------------------------------------------------

_FINITE = st.one_of(st.integers(-10 ** 15, 10 ** 15),
                    st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False))


@given(_FINITE, st.sampled_from(["it", "en"]), st.sampled_from([None, 0, 2, 4]))
@example(3283, "it", None)
@example(1234.5, "en", None)
@example(-0.0, "it", 2)
def test_a_figure_written_in_a_locale_reads_back_as_the_same_number(value, locale, places):
    """engine.numbers writes, engine.figures reads: the same number back, or (only for the
    one ambiguous shape, 3.283 under it) a refusal, never another number."""
    written = Decimal(repr(float(value))) if places is None else \
        Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places))
    text = numbers.decimal_text(written, locale, places)
    try:
        read = read_value(text, locale)
    except AmbiguousFigure:
        thousands = numbers.SEPARATORS[locale][0]
        assert text.lstrip("-").count(thousands) == 1 and len(text.lstrip("-")) <= 7
        assert float(parse_figure(text, locale).number) == float(written)
        return
    assert read == float(written)


@given(st.floats(0, 1e6, allow_nan=False), st.sampled_from(["it", "en"]))
def test_percent_and_measures_read_back(value, locale):
    shown = numbers.percent(value, locale)
    assert math.isclose(read_value(shown, locale), float(half_up(value, 2)),
                        abs_tol=0)
    money = numbers.measure(value, "EUR", locale)
    assert read_value(money, locale) == float(half_up(value, 2))


def test_verify_reads_published_figures_as_before():
    """verify's published figures keep reading a printed "3.283 N." as 3283 (not strict)."""
    assert parse_figure("3.283 N.", "it").number == Decimal("3283")
    with pytest.raises(AmbiguousFigure):
        parse_figure("3.283 N.", "it", strict=True)


def test_span_of_cell_quotes_a_sheet_with_spaces():
    assert Span.of_cell("v.xlsx", "Dati 2020", 14, 28).cell == "'Dati 2020'!AB14"
    assert Span.of_cell("v.xlsx", "Valori", 14, 3).cell == "Valori!C14"


def test_a_sheets_missing_row_is_told_in_the_sheets_words(tmp_path, modena_plan):
    """Regression: SL310's hint said to add `id: null` (YAML) to a CSV file."""
    path = tmp_path / "valori.csv"
    path.write_text("# plan: cciaa_modena_2020\n# period: H1\n# as_of: 2020-06-30\n"
                    "indicatore;valore\npartecipanti_internaz;143\n", encoding="utf-8")
    result = modena_plan.evaluate(scorelang.load_values(path))
    hints = {d.hint for d in result.diagnostics if d.code == "SL310"}
    assert f"add a row `export_provinciale` with N/D as its value to {path} to say it is N/D " \
           "on purpose" in hints
    assert not any(": null`" in hint for hint in hints)
