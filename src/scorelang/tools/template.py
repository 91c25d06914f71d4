"""A values template from a plan: every indicator once, ready for an office to fill in.

`template(plan, period, format)` writes the values file a monitoring needs with its value
column empty: YAML (a valid values file: each entry left empty, which YAML reads as null, so
an unfilled template scores with every indicator N/D, "not reported"), CSV or XLSX (the layout
the values readers take: one header row, columns by name, in Italian under the plan's `it`
locale). Each indicator carries what the person filling it in needs: its title, its unit, the
target used in the period (the periodic target when the period has one), and the kind of value
expected — a number, or a completion date for an indicator measured by a deadline.

The `as_of` of the template is the period's end: the template scores as it is, and an office
that monitors on another day changes one cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from .. import model
from ..engine import numbers
from ..engine.plan import Plan
from .sheets import (SheetError, csv_bytes, csv_text, fit_rows, openpyxl, set_text,
                     workbook_bytes)
from ..diagnostics import error

Format = Literal["yaml", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("yaml", "csv", "xlsx")

# The layout contract the values readers follow: header names by the plan's locale.
HEADERS = {
    "it": {"indicator": "indicatore", "title": "titolo", "unit": "unità", "target": "target",
           "periodic": "target periodico", "deadline": "scadenza", "kind": "tipo",
           "area": "area", "value": "valore", "note": "nota", "source": "fonte"},
    "en": {"indicator": "indicator", "title": "title", "unit": "unit", "target": "target",
           "periodic": "periodic target", "deadline": "deadline", "kind": "kind",
           "area": "area", "value": "value", "note": "note", "source": "source"},
}
COLUMNS = ("indicator", "title", "unit", "target", "periodic", "deadline", "kind", "area",
           "value", "note", "source")
# The cells an office fills in: unlocked in the protected sheet.
OPEN = ("value", "note", "source")
SHEETS = {"it": ("Valori", "Monitoraggio"), "en": ("Values", "Monitoring")}
SETTINGS = {
    "it": {"plan": "piano", "period": "periodo", "as_of": "data di monitoraggio",
           "number_format": "formato numeri", "key": "chiave", "value": "valore"},
    "en": {"plan": "plan", "period": "period", "as_of": "as_of",
           "number_format": "number_format", "key": "key", "value": "value"},
}
WORDS = {
    "it": {"number": "numero", "date": "data di completamento", "nd": "N/D",
           "prompt_number": "Un numero nell'unità dell'indicatore, o N/D se non disponibile.",
           "prompt_date": "La data di completamento (gg/mm/aaaa), o N/D se non ancora "
                          "completato.",
           "error_title": "Valore non valido",
           "error_number": "Scrivere un numero, o N/D.",
           "error_date": "Scrivere una data, o N/D.",
           "title": "Valori da compilare", "period": "periodo", "ends": "fino al",
           "how": "Un valore per indicatore: un numero nell'unità indicata, una data di "
                  "completamento (AAAA-MM-GG) per una scadenza, null per N/D.",
           "empty": "Un valore lasciato vuoto è N/D (non rilevato).",
           "unit": "unità", "target": "target", "periodic": "target periodico",
           "deadline": "scadenza"},
    "en": {"number": "number", "date": "completion date", "nd": "N/D",
           "prompt_number": "A number in the indicator's unit, or N/D when not available.",
           "prompt_date": "The completion date, or N/D when not completed yet.",
           "error_title": "Not a valid value",
           "error_number": "Write a number, or N/D.",
           "error_date": "Write a date, or N/D.",
           "title": "Values to fill in", "period": "period", "ends": "ending",
           "how": "One value per indicator: a number in the unit shown, a completion date "
                  "(YYYY-MM-DD) for a deadline, null for N/D.",
           "empty": "A value left empty is N/D (not reported).",
           "unit": "unit", "target": "target", "periodic": "periodic target",
           "deadline": "deadline"},
}
_WIDTHS = {"indicator": 26, "title": 48, "unit": 7, "target": 20, "periodic": 22,
           "deadline": 11, "kind": 13, "area": 6, "value": 16, "note": 30, "source": 20}


@attrs.frozen
class Line:
    """One indicator of the template: what the person filling it in is told."""

    indicator: str
    title: str
    unit: str | None
    target: str  # the annual target as text ("" for a deadline)
    periodic: str  # the period's own target as text ("" when it has none)
    deadline: dt.date | None
    kind: str  # "number" or "date"
    areas: tuple[str, ...]  # the codes of the areas that use it


def _target_text(target: model.Target, unit: str | None, locale: str) -> str:
    if target.tbd:
        return f"{target.direction.value} tbd"
    return f"{target.direction.value} {numbers.measure(target.value, unit, locale)}"


def lines(plan: model.PlanDefinition, period: model.Period | None, locale: str) -> list[Line]:
    """Every indicator once, in declaration order, with the target it is measured against."""
    areas = _area_codes(plan)
    out = []
    for indicator in plan.indicators:
        periodic = indicator.periodic_target(period.id if period else None)
        deadline = indicator.deadline.due if indicator.deadline else None
        annual = "" if indicator.target is None or deadline is not None \
            else _target_text(indicator.target, indicator.unit, locale)
        out.append(Line(
            indicator.id, indicator.title, indicator.unit, annual,
            "" if periodic is None or deadline is not None
            else f"{_target_text(periodic.target, indicator.unit, locale)} ({periodic.period})",
            deadline, "date" if deadline is not None else "number",
            tuple(areas.get(indicator.id, ()))))
    return out


def _area_codes(plan: model.PlanDefinition) -> dict[str, list[str]]:
    """Indicator id -> the codes of the areas whose tree uses it, in tree order."""
    used: dict[str, list[str]] = {}

    def visit(node: model.Area | model.Node, area: str) -> None:
        if isinstance(node, model.Reference):
            codes = used.setdefault(node.indicator, [])
            if area not in codes:
                codes.append(area)
        elif not isinstance(node, model.Link):
            for child in node.children:
                visit(child, area)

    for area in plan.areas:
        visit(area, area.code)
    return used


def _period(plan: model.PlanDefinition, period: str | None) -> model.Period | None:
    if period is None:
        return plan.periods[0] if plan.periods else None
    found = plan.period(period)
    if found is None:
        known = ", ".join(p.id for p in plan.periods) or "none"
        raise SheetError([error("SL701", f"the plan has no period `{period}`", None,
                                f"give one of its periods: {known}")])
    return found


def _yaml_text(text: str) -> str:
    """A comment line's text on one line."""
    return " ".join(text.split())


def _yaml(plan: model.PlanDefinition, period: model.Period | None, locale: str,
          rows: Sequence[Line]) -> str:
    words = WORDS[locale]
    out = [f"# {words['title']} — {_yaml_text(plan.title)}"]
    if period is not None:
        out.append(f"# {words['period']} {period.id} ({_yaml_text(period.title)}), "
                   f"{words['ends']} {numbers.date(period.ends, locale)}")
    out += [f"# {words['how']}", f"# {words['empty']}", f"plan: {plan.id}"]
    if period is not None:
        out += [f"period: {period.id}", f"as_of: {period.ends.isoformat()}"]
    out.append("values:")
    width = max((len(r.indicator) for r in rows), default=0)
    for row in rows:
        facts = []
        if row.unit:
            facts.append(f"{words['unit']} {row.unit}")
        if row.deadline is not None:
            facts.append(f"{words['deadline']} {numbers.date(row.deadline, locale)}")
        else:
            facts.append(f"{words['target']} {row.target}")
        if row.periodic:
            facts.append(f"{words['periodic']} {row.periodic}")
        facts.append(words[row.kind])
        out.append(f"  # {_yaml_text(row.title)}")
        # The entry is left empty: YAML reads it as null, N/D until the office fills it in.
        out.append(f"  {row.indicator}:{' ' * (width - len(row.indicator) + 1)}"
                   f"# {' · '.join(facts)}")
    return "\n".join(out) + "\n"


def _cells(row: Line, locale: str) -> dict[str, Any]:
    return {"indicator": row.indicator, "title": row.title, "unit": row.unit or "",
            "target": row.target, "periodic": row.periodic,
            "deadline": row.deadline, "kind": WORDS[locale][row.kind],
            "area": ", ".join(row.areas), "value": None, "note": None, "source": None}


def _csv(plan: model.PlanDefinition, period: model.Period | None, locale: str,
         rows: Sequence[Line]) -> bytes:
    lead = [f"# plan: {plan.id}"]
    if period is not None:
        lead += [f"# period: {period.id}", f"# as_of: {period.ends.isoformat()}"]
    lead.append(f"# number_format: {locale}")
    header = [HEADERS[locale][c] for c in COLUMNS]
    body = []
    for row in rows:
        cells = _cells(row, locale)
        body.append([csv_text("" if cells[c] is None else
                              numbers.date(cells[c], locale) if isinstance(cells[c], dt.date)
                              else str(cells[c])) for c in COLUMNS])
    return csv_bytes(lead, [header, *body], locale)


def _xlsx(plan: model.PlanDefinition, period: model.Period | None, locale: str,
          rows: Sequence[Line]) -> bytes:
    xl = openpyxl()
    from openpyxl.styles import (  # type: ignore[import-untyped]
        Alignment, Font, PatternFill, Protection)
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation)

    book = xl.Workbook()
    sheet = book.active
    sheet.title, info_title = SHEETS[locale]
    words, headers = WORDS[locale], HEADERS[locale]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    open_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        set_text(cell, headers[column])
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = _WIDTHS[column]
    value_column = COLUMNS.index("value") + 1
    letter = sheet.cell(row=1, column=value_column).column_letter
    nd = words["nd"]
    number_rule = DataValidation(
        type="custom", allow_blank=True, showErrorMessage=True, showInputMessage=True,
        formula1=f'OR(ISNUMBER({letter}2),UPPER(TRIM({letter}2))="{nd}")')
    date_rule = DataValidation(
        type="custom", allow_blank=True, showErrorMessage=True, showInputMessage=True,
        formula1=f'OR(AND(ISNUMBER({letter}2),{letter}2>=1),UPPER(TRIM({letter}2))="{nd}")')
    for rule, kind in ((number_rule, "number"), (date_rule, "date")):
        rule.promptTitle = words[kind]
        rule.prompt = words[f"prompt_{kind}"]
        rule.errorTitle = words["error_title"]
        rule.error = words[f"error_{kind}"]
        sheet.add_data_validation(rule)
    for number, row in enumerate(rows, start=2):
        cells = _cells(row, locale)
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=number, column=index)
            value = cells[column]
            if isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY" if locale == "it" else "YYYY-MM-DD"
            elif isinstance(value, str):
                set_text(cell, value)
            cell.alignment = wrap
            if column in OPEN:
                cell.protection = Protection(locked=False)
                cell.fill = open_fill
        value_cell = sheet.cell(row=number, column=value_column)
        if row.kind == "date":
            value_cell.number_format = "DD/MM/YYYY" if locale == "it" else "YYYY-MM-DD"
            date_rule.add(value_cell.coordinate)
        else:
            number_rule.add(value_cell.coordinate)
    fit_rows(sheet, [_WIDTHS[c] for c in COLUMNS])
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=1, column=len(COLUMNS)).column_letter}" \
                            f"{max(len(rows) + 1, 1)}"
    # Locked: ids and what the plan says; open: the value, the note, the source. No password:
    # the lock is against slips, not people (Review > Unprotect sheet undoes it).
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"

    info = book.create_sheet(info_title)
    keys = SETTINGS[locale]
    for index, (key, value) in enumerate(
            [(keys["key"], keys["value"]), (keys["plan"], plan.id),
             (keys["period"], period.id if period else None),
             (keys["as_of"], period.ends if period else None),
             (keys["number_format"], locale)], start=1):
        key_cell, value_cell = info.cell(row=index, column=1), info.cell(row=index, column=2)
        set_text(key_cell, key)
        if isinstance(value, dt.date):
            value_cell.value = value
            value_cell.number_format = "YYYY-MM-DD"
        elif value is not None:
            set_text(value_cell, value)
        if index == 1:
            key_cell.font = value_cell.font = bold
            key_cell.fill = value_cell.fill = fill
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 30
    return workbook_bytes(book)


def template(plan: Plan | model.PlanDefinition, period: str | None = None,
             format: Format = "yaml") -> bytes:
    """The values template of `plan` for `period` (default: the plan's first period) as the
    bytes of a file: YAML (UTF-8 text), CSV or XLSX. Raises SheetError (SL701 for a period the
    plan lacks, SL004 when openpyxl is missing for XLSX)."""
    definition = plan.definition if isinstance(plan, Plan) else plan
    chosen = _period(definition, period)
    locale = definition.policy.locale if definition.policy.locale in HEADERS else "en"
    rows = lines(definition, chosen, locale)
    if format == "yaml":
        return _yaml(definition, chosen, locale, rows).encode("utf-8")
    if format == "csv":
        return _csv(definition, chosen, locale, rows)
    if format == "xlsx":
        return _xlsx(definition, chosen, locale, rows)
    raise ValueError(f"unknown template format {format!r}: one of {', '.join(FORMATS)}")

