"""The template round trip of issue 13: the template `scorelang template` writes, filled in by
a script with the June values, is read unchanged by the values readers and scores every
Modena figure exactly as the YAML values file does (XLSX, and CSV in Italian notation)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest

import scorelang
from scorelang.engine import numbers
from scorelang.tools.template import template

from .conftest import MODENA_RULES, MODENA_VALUES


@pytest.fixture(scope="module")
def plan():
    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="module")
def june():
    return scorelang.load_values(MODENA_VALUES)


def _scores(result) -> dict[str, tuple[object, str]]:
    return {node.id: (node.score, node.status) for node in result}


def _italian(value: object) -> str:
    """A figure as an Italian office types it: decimal comma, thousands dots, dd/mm/yyyy."""
    if value is None:
        return "N/D"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = repr(float(value))
    if float(value).is_integer():
        # "3.283" would be ambiguous (a thousand, or three point two?): write the decimals
        return numbers.decimal_text(numbers.Decimal(text), "it", 2)
    return text.replace(".", ",")


def test_the_filled_xlsx_template_scores_every_figure_as_the_yaml(tmp_path, plan, june):
    path = tmp_path / "valori.xlsx"
    path.write_bytes(template(plan, "H1", "xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["Valori"]
    header = [cell.value for cell in sheet[1]]
    ids, value = header.index("indicatore") + 1, header.index("valore") + 1
    filled = 0
    for row in range(2, sheet.max_row + 1):
        indicator = sheet.cell(row, ids).value
        if indicator in june.values:
            given = june.values[indicator]
            sheet.cell(row, value).value = "N/D" if given is None else given
            filled += 1
    assert filled == len(june.values)
    book.save(path)
    read = scorelang.load_values(path, number_format="it")
    assert read.values == june.values
    assert _scores(plan.evaluate(read)) == _scores(plan.evaluate(june))


def test_the_filled_csv_template_in_italian_scores_every_figure_as_the_yaml(tmp_path, plan,
                                                                              june):
    text = template(plan, "H1", "csv").decode("utf-8-sig")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    table = list(csv.reader(lines[start:], delimiter=";"))
    value = table[0].index("valore")
    for row in table[1:]:
        if row and row[0] in june.values:
            row[value] = _italian(june.values[row[0]])
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(table)
    path = tmp_path / "valori.csv"
    path.write_text("\n".join(lines[:start]) + "\n" + out.getvalue(), encoding="utf-8-sig")
    assert "3.283,00" in path.read_text(encoding="utf-8-sig")  # Italian notation indeed
    done = subprocess.run([sys.executable, "-m", "scorelang", "score", str(MODENA_RULES),
                           "--values", str(path), "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    expected = subprocess.run([sys.executable, "-m", "scorelang", "score", str(MODENA_RULES),
                               "--values", str(MODENA_VALUES), "--format", "json"],
                              capture_output=True, text=True).stdout
    assert [(n["id"], n["score"]) for n in json.loads(done.stdout)["nodes"]] == \
        [(n["id"], n["score"]) for n in json.loads(expected)["nodes"]]
