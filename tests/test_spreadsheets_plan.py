"""Spreadsheets the way offices work: the values template, and plans imported from and exported
to a sheet (docs/spreadsheets.md, SL701-SL714)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, strategies as st

import scorelang
from scorelang import cli
from scorelang.tools.planbook import export_plan, export_text, import_plan
from scorelang.tools.sheets import SheetError, figure
from scorelang.tools.template import template

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

VALLEVERDE_RULES = ROOT / "rules" / "comune-valleverde-2023.score"
VALLEVERDE = ROOT / "examples" / "comune-valleverde-2023"
SHIPPED = ROOT / "examples" / "cciaa-modena-2020" / "piano-2020.xlsx"


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(args)
    return code, out.getvalue()


def scores(plan: scorelang.Plan, values: Path) -> dict[str, object]:
    """Every figure of a monitoring: each node's score, status and band, each scorecard's."""
    result = plan.evaluate(scorelang.load_values(values))
    out: dict[str, object] = {n.id: (n.score, n.status, n.band) for n in result.nodes}
    out["total"] = result.total if hasattr(result, "total") else None
    for card in getattr(result, "scorecards", ()):
        out[f"card:{card.id}"] = card.score
    return out


# ---- the values template ----------------------------------------------------------------------
def test_yaml_template_is_a_values_file_scoring_every_indicator_not_reported(modena_plan):
    text = template(modena_plan, "H1", "yaml").decode("utf-8")
    values = scorelang.loads_values(text, "template.yaml")
    assert values.period == "H1" and values.as_of == dt.date(2020, 6, 30)
    ids = [i.id for i in modena_plan.definition.indicators]
    assert list(values.values) == ids  # every indicator once, in declaration order
    result = modena_plan.evaluate(values)
    leaves = [n for n in result.nodes if n.kind == "indicator"]
    # N/D: "missing", or "not_due" for a deadline that falls after the monitoring date.
    deadlines = {i.id for i in modena_plan.definition.indicators if i.deadline is not None}
    assert leaves and all(n.status == ("not_due" if n.id.split("/")[-1] in deadlines
                                       else "missing") for n in leaves)


def test_yaml_template_tells_title_unit_periodic_target_and_kind(modena_plan):
    text = template(modena_plan, "H1", "yaml").decode("utf-8")
    assert "  # Fatturato export provinciale\n" in text
    line = next(x for x in text.splitlines() if x.startswith("  export_provinciale:"))
    assert "unità EUR" in line and "target periodico >= 6.500.000.000,00 € (H1)" in line
    assert line.endswith("numero")
    annual = template(modena_plan, "Y", "yaml").decode("utf-8")
    line = next(x for x in annual.splitlines() if x.startswith("  export_provinciale:"))
    assert "periodico" not in line


DEADLINE_PLAN = """plan demo "Demo" {
  period H1 "First half" ends 2020-06-30
  period Y "Year" ends 2020-12-31
}
indicator visits "Visits" { unit N target >= 600 periodic H1 >= 300 }
indicator report "Cost report published" { deadline 2020-10-31 }
area "1" "Services" { objective "11" "Access" weight 100% { visits 50% report 50% } }
"""


def test_english_plan_gives_english_columns_and_a_date_for_a_deadline():
    plan = scorelang.loads(DEADLINE_PLAN)
    text = template(plan, None, "yaml").decode()
    assert "period: H1" in text  # the plan's first period by default
    report_line = next(x for x in text.splitlines() if x.startswith("  report:"))
    assert "deadline 2020-10-31" in report_line and report_line.endswith("completion date")
    data = template(plan, "Y", "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = data.decode().splitlines()
    assert lines[:4] == ["# plan: demo", "# period: Y", "# as_of: 2020-12-31",
                         "# number_format: en"]
    assert lines[4].startswith("indicator,title,unit,target,periodic target,deadline,kind,")
    assert "value,note,source" in lines[4]


def test_csv_template_opens_in_italian_excel(modena_plan):
    data = template(modena_plan, "H1", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[:4] == ["# plan: cciaa_modena_2020", "# period: H1", "# as_of: 2020-06-30",
                         "# number_format: it"]
    header = lines[4].split(";")
    assert header[:3] == ["indicatore", "titolo", "unità"]
    assert {"target", "target periodico", "tipo", "valore", "nota", "fonte"} <= set(header)
    assert len(lines) == 5 + len(modena_plan.definition.indicators)
    # A target written "= 0" is text, never a formula.
    assert any(";'= 0" in line for line in lines)


def test_xlsx_template_layout(modena_plan, tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template(modena_plan, "H1", "xlsx")))
    assert book.sheetnames == ["Valori", "Monitoraggio"]
    sheet = book["Valori"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "indicatore" and "valore" in header
    value = header.index("valore") + 1
    assert sheet.max_row == 1 + len(modena_plan.definition.indicators)
    assert all(sheet.cell(row=r, column=value).value is None for r in range(2, sheet.max_row + 1))
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.cell(row=2, column=1).protection.locked
    for key in ("valore", "nota", "fonte"):
        assert not sheet.cell(row=2, column=header.index(key) + 1).protection.locked
    assert sheet.freeze_panes == "B2"
    assert sheet.page_setup.orientation == "landscape"
    rules = sheet.data_validations.dataValidation
    assert len(rules) == 2 and all('"N/D"' in r.formula1 for r in rules)
    covered = sum(len(list(r.sqref.ranges)) for r in rules)
    assert covered == len(modena_plan.definition.indicators)
    info = {r[0].value: r[1].value for r in book["Monitoraggio"].iter_rows(min_row=2)}
    assert info["piano"] == "cciaa_modena_2020" and info["periodo"] == "H1"
    assert info["formato numeri"] == "it"
    assert info["data di monitoraggio"].date() == dt.date(2020, 6, 30)


def test_xlsx_template_for_a_deadline_validates_a_date():
    plan = scorelang.loads(DEADLINE_PLAN)
    book = openpyxl.load_workbook(io.BytesIO(template(plan, "Y", "xlsx")))
    assert book.sheetnames == ["Values", "Monitoring"]
    date_rule = next(r for r in book["Values"].data_validations.dataValidation
                     if ">=1" in r.formula1)
    assert str(date_rule.sqref) == "I3"  # the value cell of `report`, the second row


def test_template_command(tmp_path):
    code, out = run(["template", str(MODENA_RULES), "--period", "H1"])
    assert code == 0 and out.startswith("# Valori da compilare")
    target = tmp_path / "valori.xlsx"
    code, out = run(["template", str(MODENA_RULES), "--format", "xlsx", "-o", str(target)])
    assert code == 0 and out == "" and target.exists()


def test_template_xlsx_without_output_is_sl702(tmp_path):
    code, out = run(["template", str(MODENA_RULES), "--format", "xlsx"])
    assert code == 2
    assert out.startswith("error[SL702]: scorelang template: --format xlsx writes a workbook")
    assert "-o FILE.xlsx" in out


def test_template_for_an_unknown_period_is_sl701():
    code, out = run(["template", str(MODENA_RULES), "--period", "Q3"])
    assert code == 1
    assert "error[SL701]: the plan has no period `Q3`" in out and "H1, Y" in out


def test_read_only_output_needs_force(tmp_path):
    target = tmp_path / "valori.yaml"
    target.write_text("old")
    target.chmod(0o444)
    code, out = run(["template", str(MODENA_RULES), "-o", str(target)])
    assert code == 2 and "SL007" in out and target.read_text() == "old"
    code, _ = run(["template", str(MODENA_RULES), "-o", str(target), "--force"])
    assert code == 0 and target.read_text().startswith("# Valori")


def test_missing_openpyxl_names_the_extra(monkeypatch, modena_plan):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl raises ImportError
    with pytest.raises(SheetError) as info:
        template(modena_plan, "H1", "xlsx")
    (found,) = info.value.diagnostics
    assert found.code == "SL004" and "openpyxl is not installed" in found.message
    assert found.hint == "pip install 'scorelang[xlsx]'"
    with pytest.raises(SheetError):
        export_plan(MODENA_RULES, "xlsx")


# ---- export and import: the figures stay the same -----------------------------------------------
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_modena_round_trip_scores_every_figure_the_same(fmt, tmp_path, modena_plan):
    sheet = tmp_path / f"piano.{fmt}"
    sheet.write_bytes(export_plan(MODENA_RULES, fmt))
    imported = import_plan(sheet)
    assert imported.warnings == ()
    again = scorelang.loads(imported.text, "piano.score")
    assert scores(again, MODENA_VALUES) == scores(modena_plan, MODENA_VALUES)
    assert len(again.definition.indicators) == len(modena_plan.definition.indicators)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("values", ["monitoraggio-2023-06.yaml", "consuntivo-2023.yaml"])
def test_valleverde_round_trip_scores_every_figure_the_same(fmt, values, tmp_path):
    sheet = tmp_path / f"piano.{fmt}"
    sheet.write_bytes(export_plan(VALLEVERDE_RULES, fmt))
    again = scorelang.loads(import_plan(sheet).text)
    original = scorelang.load(VALLEVERDE_RULES)
    assert scores(again, VALLEVERDE / values) == scores(original, VALLEVERDE / values)


def _cells(data: bytes | Path) -> dict[str, list[list[object]]]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    book = openpyxl.load_workbook(source)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


def test_shipped_modena_sheet_is_a_fresh_export():
    assert _cells(SHIPPED) == _cells(export_plan(MODENA_RULES, "xlsx")), (
        "run python3 scripts/export_modena_sheet.py")


def test_importing_the_shipped_sheet_scores_every_modena_figure_the_same(modena_plan):
    again = scorelang.loads(import_plan(SHIPPED).text)
    assert scores(again, MODENA_VALUES) == scores(modena_plan, MODENA_VALUES)


def test_import_and_export_commands(tmp_path):
    sheet, out_rules = tmp_path / "piano.xlsx", tmp_path / "piano.score"
    assert run(["export", str(MODENA_RULES), "-o", str(sheet)])[0] == 0
    code, out = run(["import", str(sheet), "-o", str(out_rules)])
    assert (code, out) == (0, "")
    assert run(["check", str(out_rules)])[0] == 0
    code, out = run(["export", str(MODENA_RULES), "--format", "csv"])
    assert code == 0 and out.startswith("\ufeff# piano: cciaa_modena_2020")
    code, out = run(["export", str(MODENA_RULES)])
    assert code == 2 and "error[SL702]: scorelang export" in out


def test_export_of_rules_with_errors_is_refused():
    with pytest.raises(scorelang.CheckError):
        export_text('plan p "P" { period H1 "H" ends 2020-06-30 }\n'
                    'area "1" "A" { objective "2" "O" weight 100% { nothing 100% } }\n')


# ---- import: every row it cannot read, named by its cell -----------------------------------------
GOOD = """\
# piano: demo
# titolo: Piano demo 2020
# impostazione: period H1 "Monitoraggio intermedio" ends 2020-06-30
# impostazione: period Y "Consuntivo" ends 2020-12-31
livello;nodo;codice;indicatore;titolo;peso;direzione;target;target periodico;unità;scadenza
1;area;1;;Competitività delle imprese;;;;;;
2;obiettivo;301;;Internazionalizzazione;100%;;;;;
3;indicatore;;partecipanti;Partecipanti alle iniziative;60%;>=;600;H1 >= 300;N;
3;indicatore;;report_costi;Pubblicazione report costi;40%;;;;;31/10/2020
"""


def test_a_good_csv_sheet_gives_a_formatted_checked_plan(tmp_path):
    sheet = tmp_path / "piano.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    imported = import_plan(sheet)
    assert imported.warnings == ()
    assert imported.text == scorelang.syntax.format.format_text(imported.text)
    plan = scorelang.loads(imported.text).definition
    partecipanti = plan.indicator("partecipanti")
    assert partecipanti is not None and partecipanti.target is not None
    assert partecipanti.target.value == 600 and partecipanti.periodic_targets[0].period == "H1"
    assert plan.indicator("report_costi").deadline.due == dt.date(2020, 10, 31)


BAD = [
    ("s/;peso;/;pesi;/", "piano.csv:5:1: error[SL704]: no column `peso` / `weight` in the "
     "header row"),
    ("s/^3;indicatore;;partecipanti/x;indicatore;;partecipanti/",
     "piano.csv:8:1: error[SL705]: unknown level `x`"),
    ("s/^3;indicatore;;report_costi/3;indicatori;;report_costi/",
     "piano.csv:9:2: error[SL705]: unknown node `indicatori`"),
    ("s/;60%;/;abc;/", "piano.csv:8:6: error[SL706]: weight `abc` is not a number"),
    ("s/;60%;/;50%;/", "piano.csv:7:6: error[SL212]: weights of the children of `301` sum to "
     "90.00 %, expected 100 % (-10.00 %)"),
    ("s/;>=;/;>>;/", "piano.csv:8:7: error[SL707]: `>>` is not a direction"),
    ("s/;600;/;seicento;/", "piano.csv:8:8: error[SL708]: target `seicento` is not a number"),
    ("s/H1 >= 300/H1 più di 300/",
     "piano.csv:8:9: error[SL708]: cannot read the periodic target `H1 più di 300`"),
    ("s#31/10/2020#31 ottobre#", "piano.csv:9:11: error[SL709]: `31 ottobre` is not a date"),
    ("s/^2;obiettivo;301;/2;obiettivo;1;/",
     "piano.csv:7:3: error[SL710]: code `1` given twice (first at row 6)"),
    ("s/^2;obiettivo/4;obiettivo/", "piano.csv:7:1: error[SL711]: row at level 4 has no "
     "parent: a row above it at level 3 that is an area, an objective or a group is missing"),
    ("s/;Internazionalizzazione;/;;/",
     "piano.csv:7:5: error[SL712]: objective row without its title"),
    ("s/^3;indicatore;;report_costi;Pubblicazione report costi/"
     "3;indicatore;;partecipanti;Altro titolo/",
     "piano.csv:9:5: error[SL713]: indicator `partecipanti` has title `Altro titolo` here and "
     "`Partecipanti alle iniziative` at row 8"),
    ("s/^# piano: demo/# pian: demo/", "piano.csv:1:1: error[SL714]: unknown setting `pian`"),
]


def _sed(text: str, command: str) -> str:
    import re

    separator = command[1]
    _, pattern, replacement, _ = command.split(separator)
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, command
    return changed


@pytest.mark.parametrize("change, message", BAD, ids=[m.split("[")[1][:5] + "-" + str(i)
                                                     for i, (_, m) in enumerate(BAD)])
def test_each_row_it_cannot_read_is_named_and_nothing_is_written(change, message, tmp_path):
    sheet, target = tmp_path / "piano.csv", tmp_path / "piano.score"
    sheet.write_text(_sed(GOOD, change), encoding="utf-8")
    code, out = run(["import", str(sheet), "-o", str(target)])
    assert code == 1
    assert message in out.replace(str(tmp_path) + "/", "")
    assert not target.exists()


def _workbook(tmp_path: Path, rows: list[list[object]], settings: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Piano"
    for row in rows:
        sheet.append(row)
    info = book.create_sheet("Impostazioni")
    for row in [["chiave", "valore"], *settings]:
        info.append(row)
    path = tmp_path / "piano.xlsx"
    book.save(path)
    return path


HEAD = ["livello", "codice", "indicatore", "titolo", "peso", "direzione", "target", "unità"]
SETTINGS = [["piano", "demo"], ["impostazione", 'period H1 "Primo semestre" ends 2020-06-30']]


def test_workbook_cells_are_named_by_sheet_and_cell(tmp_path):
    path = _workbook(tmp_path, [HEAD, [1, "1", None, "Servizi", None],
                                [2, "11", None, "Accesso", 100],
                                [3, None, "visite", "Visite", "abc", ">=", 600, "N"]], SETTINGS)
    with pytest.raises(SheetError) as info:
        import_plan(path)
    (found,) = info.value.diagnostics
    assert found.code == "SL706" and found.span is None
    assert found.message == f"{path}:Piano!E4: weight `abc` is not a number"


def test_workbook_percentage_cells_and_numbers(tmp_path):
    rows = [HEAD, [1, "1", None, "Servizi", None], [2, "11", None, "Accesso", 1.0],
            [3, None, "visite", "Visite", 0.6, ">=", 600, "N"],
            [3, None, "quota", "Quota", 0.4, ">=", 0.22, "%"]]
    path = _workbook(tmp_path, rows, SETTINGS)
    book = openpyxl.load_workbook(path)
    for cell in ("E3", "E4", "E5", "G5"):
        book["Piano"][cell].number_format = "0.00%"
    book.save(path)
    plan = scorelang.loads(import_plan(path).text).definition
    quota = plan.indicator("quota")
    assert quota is not None and quota.target is not None
    assert (quota.target.value, quota.target.percent) == (22, True)
    weights = [p.node.weight.percent for p in scorelang.model.walk(plan)
               if isinstance(p.node, scorelang.model.Reference)]
    assert weights == [60, 40]


def test_a_workbook_without_its_sheets_or_not_a_workbook(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Foglio1"
    path = tmp_path / "piano.xlsx"
    book.save(path)
    with pytest.raises(SheetError) as info:
        import_plan(path)
    assert info.value.diagnostics[0].code == "SL703"
    assert "no sheet named `Piano` or `Plan`" in info.value.diagnostics[0].message
    broken = tmp_path / "rotto.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    code, out = run(["import", str(broken)])
    assert code == 2 and "error[SL703]" in out and "is not an .xlsx workbook" in out


def test_code_nesting_stands_for_the_level(tmp_path):
    sheet = tmp_path / "piano.csv"
    sheet.write_text(
        "# plan: demo\n# setting: period H1 \"H\" ends 2020-06-30\n"
        "code,indicator,title,weight,direction,target\n"
        "301,,Internazionalizzazione,,,\n"
        "301.D1,,Export,100%,,\n"
        ",export,Export value,100%,>=,13000000000\n", encoding="utf-8")
    plan = scorelang.loads(import_plan(sheet).text).definition
    (area,) = plan.areas
    (objective,) = area.children
    assert (area.code, objective.code) == ("301", "301.D1")
    sheet.write_text(sheet.read_text().replace("301.D1,", "302.D1,"), encoding="utf-8")
    code, out = run(["import", str(sheet)])
    assert "error[SL711]: code `302.D1` nests under `302`, which no row above has" in out


# ---- figures in text cells ---------------------------------------------------------------------
@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False),
       st.sampled_from(["it", "en"]), st.booleans())
def test_a_figure_written_in_either_locale_reads_back(number, locale, grouped):
    thousands, point = (".", ",") if locale == "it" else (",", ".")
    whole, _, decimals = f"{abs(number):f}".partition(".")
    if grouped:
        head = len(whole) % 3 or 3
        whole = thousands.join([whole[:head]] + [whole[i:i + 3]
                                                 for i in range(head, len(whole), 3)])
    text = ("-" if number < 0 else "") + whole + (point + decimals if decimals else "")
    assert figure(text, locale) == (number, False)
    assert figure(text + " %", locale) == (number, True)


def test_a_figure_that_is_not_one():
    assert figure("1,234,5", "en") is None
    assert figure("12.34.5", "it") is None
    assert figure("abc", "it") is None
    assert figure(True, "it") is None
    assert figure(0.1, "it") == (Decimal("0.1"), False)


def test_the_embedding_example_runs(tmp_path, monkeypatch):
    """docs/embedding.md's spreadsheet example (indented in its list item, so the page's own
    test, which runs the top-level blocks, leaves it to this one)."""
    import re

    text = (ROOT / "docs" / "embedding.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^  ```python\n(.*?)^  ```", text, re.M | re.S)
    code = "\n".join(line[2:] for line in block.splitlines())
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / MODENA_RULES.name).write_bytes(MODENA_RULES.read_bytes())
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/embedding.md", "exec"), namespace)  # noqa: S102 - our own docs
    assert (tmp_path / "valori-h1.xlsx").exists()
    assert scores(namespace["again"], MODENA_VALUES) == scores(namespace["plan"], MODENA_VALUES)
