"""Values in a spreadsheet: a CSV file or an XLSX workbook read as a values file.

The layout is a contract (docs/spreadsheets.md, "Values in a spreadsheet"), the one `scorelang
template` writes, so that a filled template reads unchanged:

* a table with one header row (the first row with anything in it). Headers are matched
  trimmed, case and accents ignored, in English or Italian: `indicator`/`indicatore` and
  `value`/`valore` are required; `note`/`nota`, `source`/`fonte` and `period`/`periodo` are
  read; the template's information columns (`INFORMATION`) are accepted and ignored; any other
  header is a warning naming its cell (SL325), never a silent skip.
* A workbook holds the table on the sheet `Values`/`Valori`, else on its one sheet with such a
  table; several sheets with a table are one monitoring each, the sheet's name its period. An
  optional sheet `Monitoring`/`Monitoraggio` holds `key | value` rows: `plan`/`piano`,
  `period`/`periodo`, `as_of`/`data di monitoraggio`, `number_format`/`formato numeri`.
* A CSV file may start with `# key: value` lines (the same keys); its delimiter is the one of
  `,` `;` tab its header row uses most; it is UTF-8 (with or without BOM), else Windows-1252,
  what Italian Excel on Windows writes.
* A cell: empty is not reported (as an indicator absent from a YAML file); N/D, n.d., ND is
  N/D; a number cell a number (a cell formatted as a percentage, 0,6296 shown 62,96 %, is
  62.96: what the office sees); a date cell a completion date; a text cell a figure written
  in the number format (the file's, else the plan's locale: engine.figures).

Problems name the file and the cell: `valori.xlsx:Valori!C14` (a workbook), `valori.csv:14:3`
(a CSV file: line and field). XLSX is read by openpyxl (the `xlsx` extra) in read-only mode,
with each formula's result as the workbook stored it; a formula with no stored result is an
error (SL327), never an empty cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import attrs

from ..diagnostics import Diagnostic, Span, ValuesError, error, in_source_order, warning
from .figures import AmbiguousFigure, number_format_of, read_date

__all__ = ["COLUMNS", "INFORMATION", "METADATA", "Sheet", "SheetMonitoring", "kind_of",
           "loads_csv", "read_values"]

# The read columns, by each of their names (folded: lower case, no accents).
COLUMNS = {"indicator": "indicator", "indicatore": "indicator", "value": "value",
           "valore": "value", "note": "note", "nota": "note", "source": "source",
           "fonte": "source", "period": "period", "periodo": "period"}
# The template's information columns: read by a person, ignored here.
INFORMATION = frozenset({"title", "titolo", "unit", "unita", "target", "periodic target",
                         "target periodico", "kind", "tipo", "deadline", "scadenza", "weight",
                         "peso", "area", "objective", "obiettivo"})
# The monitoring's metadata (a workbook's Monitoring sheet, a CSV file's `# key: value` lines).
# Folded as headers are (`as_of` is "as of").
METADATA = {"plan": "plan", "piano": "plan", "period": "period", "periodo": "period",
            "as of": "as_of", "data di monitoraggio": "as_of",
            "number format": "number_format", "formato numeri": "number_format"}
_VALUES_SHEETS = ("values", "valori")
_MONITORING_SHEETS = ("monitoring", "monitoraggio")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (.xls)
_DELIMITERS = (";", "\t", ",")  # on a tie the first: `;` is Italian Excel's
# What a formula's cell holds when the formula failed: the spreadsheet's own error values.
_FORMULA_ERRORS = frozenset({"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                             "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"})
_SAVE_AS = "save it as .xlsx (Excel 2007 or later) or .csv, or write the values in YAML"


def fold(text: str) -> str:
    """A header or key as matched: trimmed, lower case, accents gone, `_` and repeated
    spaces one space (`Unità` is `unita`, `as_of` is `as of`)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", plain).strip()


def kind_of(path: Path, data: bytes) -> str:
    """`xlsx`, `csv` or `yaml`: by the name's ending, else by the content (a workbook is a
    zip); SL323 for an Excel 97-2003 workbook, which is not read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data.startswith(_ZIP):
        return "xlsx"
    if suffix == ".xls" or data.startswith(_OLE):
        raise ValuesError([error("SL323", f"{path} is an Excel 97-2003 workbook (.xls), which "
                                 "scorelang does not read", Span.point(str(path), 1, 1),
                                 _SAVE_AS)])
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "yaml"


@attrs.frozen
class SheetMonitoring:
    """One period's rows as read: each indicator's cell as it stands (typed by the workbook, or
    a CSV's text; a percentage cell already in percent) with where it is, and its note and
    source. `engine.values` makes the Values of it, reading each cell in `number_format`."""

    period: str | None
    cells: dict[str, tuple[Any, Span]]  # indicator id -> (value cell's content, its span)
    spans: dict[str, Span]  # indicator id -> its id's cell
    notes: dict[str, tuple[str | None, str | None]]  # indicator id -> (note, source)


@attrs.frozen
class Sheet:
    """What a spreadsheet holds: its metadata, one SheetMonitoring per period, and every
    problem found so far (warnings, and errors the caller raises with its own)."""

    plan: str | None
    as_of: dt.date | None
    number_format: str
    monitorings: list[SheetMonitoring]
    problems: list[Diagnostic]


def read_values(data: bytes, source: str, kind: str, number_format: str | None) -> Sheet:
    """Every monitoring of a spreadsheet's bytes (`kind` from `kind_of`). `number_format` is
    how text cells read when the file does not say (the plan's locale; None: `en`)."""
    if kind == "xlsx":
        return _Workbook(data, source).monitorings(number_format)
    return loads_csv(_decoded(data, source), source, number_format)


@attrs.frozen
class _Cell:
    value: Any  # a CSV cell's text; a workbook cell's typed value
    span: Span
    percent: bool = False  # a number shown as a percentage (0.6296 shown 62,96 %)

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value).strip()


Row = Sequence["_Cell | None"]


@attrs.frozen
class _Table:
    """A header row and the rows under it, of a CSV file or of a workbook's `sheet`; `period`
    is the sheet's name when each sheet is one period's."""

    source: str
    header: Row
    rows: Sequence[Row]
    sheet: str | None = None
    period: str | None = None

    @property
    def where(self) -> str:
        """The table in messages: the file, or the file and sheet."""
        return self.source if self.sheet is None else f"{self.source}:{self.sheet}"


def _address(span: Span) -> str:
    return span.cell or f"{span.line}:{span.column}"


# ---- CSV ---------------------------------------------------------------------------------------

def _decoded(data: bytes, source: str) -> str:
    """The text of a CSV file: UTF-8 (a BOM dropped), else Windows-1252 (Italian Excel)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValuesError([error("SL323", f"{source} is neither UTF-8 nor Windows-1252 text "
                                 f"(bad byte at offset {exc.start})", Span.point(source, 1, 1),
                                 "save the CSV as UTF-8 (\"CSV UTF-8\" in Excel)")]) from None


def _delimiter(text: str) -> str:
    """The delimiter the header row (the first line not blank nor `#`) uses most."""
    for line in re.split(r"\r\n|\r|\n", text):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return max(_DELIMITERS, key=line.count) if any(d in line for d in _DELIMITERS) \
                else ","
    return ","


def loads_csv(text: str, source: str, number_format: str | None = None) -> Sheet:
    """Every monitoring of a CSV text (layout: the module's docstring)."""
    text = text.removeprefix("\ufeff")
    problems: list[Diagnostic] = []
    meta: dict[str, tuple[Any, Span]] = {}
    header: list[_Cell | None] | None = None
    rows: list[list[_Cell | None]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            cells: list[_Cell | None] = [
                _Cell(value, Span(source, line, column, line, column)) if value.strip() else None
                for column, value in enumerate(record, start=1)]
            first = cells[0] if cells else None
            if all(c is None for c in cells):
                continue
            if first is not None and first.text.startswith("#") \
                    and all(c is None for c in cells[1:]):
                if header is None:
                    _metadata_line(first.text[1:], first.span, meta, problems)
                continue  # a comment
            if header is None:
                header = cells
            else:
                rows.append(cells)
    except csv.Error as exc:  # a field larger than the csv module's limit
        raise ValuesError([error("SL323", f"{source} cannot be read as CSV: {exc}",
                                 Span.point(source, reader.line_num or 1, 1),
                                 "check the quotes of the line")]) from None
    if header is None:
        raise ValuesError(in_source_order(problems + [error(
            "SL324", f"{source} holds no table: no header row", Span.point(source, 1, 1),
            "the first row names the columns: indicatore;valore (or indicator,value)")]))
    return _monitorings([_Table(source, header, rows)], meta, source, number_format, problems)


def _metadata_line(text: str, span: Span, meta: dict[str, tuple[Any, Span]],
                   problems: list[Diagnostic]) -> None:
    """`# key: value` before a CSV file's header row; a `#` line without a key is a comment."""
    key, colon, value = text.partition(":")
    if not colon:
        return
    _metadata(key, value.strip(), span, meta, problems)


def _metadata(key: str, value: Any, span: Span, meta: dict[str, tuple[Any, Span]],
              problems: list[Diagnostic]) -> None:
    name = METADATA.get(fold(key))
    if name is None:
        problems.append(warning("SL329", f"unknown monitoring key `{key.strip()}`, ignored",
                                span, "the keys are plan (piano), period (periodo), as_of (data "
                                "di monitoraggio) and number_format (formato numeri)"))
        return
    if name in meta:
        problems.append(error("SL329", f"monitoring key `{key.strip()}` given twice", span,
                              f"first at {_address(meta[name][1])}; keep one"))
        return
    meta[name] = (value, span)


# ---- XLSX --------------------------------------------------------------------------------------

class _Workbook:
    """An XLSX workbook, read through openpyxl in read-only mode."""

    def __init__(self, data: bytes, source: str):
        self.data = data
        self.source = source
        try:
            import openpyxl  # type: ignore[import-untyped]
        except ImportError:
            raise ValuesError([error("SL328", f"{source} is an XLSX workbook: reading it needs "
                                     "openpyxl, which is not installed", None,
                                     "pip install 'scorelang[xlsx]', or save the values as "
                                     ".csv")]) from None
        self.openpyxl = openpyxl
        self.book = self._open(data_only=True)

    def _open(self, data_only: bool) -> Any:
        try:
            return self.openpyxl.load_workbook(io.BytesIO(self.data), read_only=True,
                                               data_only=data_only)
        except Exception as exc:  # openpyxl's own reading of a damaged file: many kinds
            raise self._unreadable(exc) from None

    def _unreadable(self, exc: Exception) -> ValuesError:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return ValuesError([error("SL323", f"{self.source} cannot be read as an XLSX workbook: "
                                  f"{detail}", Span.point(self.source, 1, 1), _SAVE_AS)])

    def monitorings(self, number_format: str | None) -> Sheet:
        problems: list[Diagnostic] = []
        try:
            sheets = [(name, self.book[name]) for name in self.book.sheetnames]
            sheets = [(name, sheet) for name, sheet in sheets if hasattr(sheet, "iter_rows")]
            meta: dict[str, tuple[Any, Span]] = {}
            data = []
            for name, sheet in sheets:
                if fold(name) in _MONITORING_SHEETS:
                    self._monitoring(name, sheet, meta, problems)
                else:
                    data.append((name, sheet))
            tables = self._tables(data, problems)
            self._formulas(tables, problems)
        except ValuesError:
            raise
        except Exception as exc:  # openpyxl meeting a damaged sheet while streaming it
            raise self._unreadable(exc) from None
        finally:
            self.book.close()
        return _monitorings(tables, meta, self.source, number_format, problems)

    def _rows(self, name: str, sheet: Any) -> Iterator[tuple[int, list[_Cell | None]]]:
        """(row number, cells) of each row with anything in it."""
        sheet.reset_dimensions()  # a writer's stated dimensions may be wrong: read them all
        number = 0
        for row in sheet.iter_rows():
            number += 1
            cells: list[_Cell | None] = []
            for column, cell in enumerate(row, start=1):
                value = getattr(cell, "value", None)
                if value is None or (isinstance(value, str) and not value.strip()):
                    cells.append(None)
                    continue
                number = getattr(cell, "row", None) or number
                percent = isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and "%" in str(getattr(cell, "number_format", "") or "")
                cells.append(_Cell(value, Span.of_cell(self.source, name, number,
                                                       getattr(cell, "column", None) or column),
                                   percent))
            if any(c is not None for c in cells):
                yield number, cells

    def _monitoring(self, name: str, sheet: Any, meta: dict[str, tuple[Any, Span]],
                    problems: list[Diagnostic]) -> None:
        for index, (_, cells) in enumerate(self._rows(name, sheet)):
            key = cells[0] if cells else None
            value = cells[1] if len(cells) > 1 else None
            if key is None:
                continue
            if index == 0 and fold(key.text) in ("key", "chiave", "campo", "voce"):
                continue  # a header row
            _metadata(key.text, value.value if value else None,
                      value.span if value else key.span, meta, problems)

    def _tables(self, sheets: list[tuple[str, Any]], problems: list[Diagnostic]) -> list[_Table]:
        if not sheets:
            raise ValuesError([error("SL324", f"{self.source} has no sheet of values",
                                     Span.point(self.source, 1, 1),
                                     "put the table on a sheet named Valori (or Values)")])
        named = [(n, s) for n, s in sheets if fold(n) in _VALUES_SHEETS]
        if named:
            return [self._table(*named[0])]
        found = [self._table(name, sheet) for name, sheet in sheets]
        with_table = [t for t in found if _has_columns(t.header)]
        if not with_table:
            return [found[0]]  # its missing columns are said by _monitorings
        if len(with_table) == 1:
            chosen = with_table
        else:  # one sheet per period, named by the period's id
            chosen = [attrs.evolve(t, period=t.sheet) for t in with_table]
        for table in found:
            if table not in with_table:
                problems.append(warning("SL339", f"the sheet `{table.sheet}` holds no values "
                                        "table (no indicatore and valore columns): not read",
                                        _table_span(table),
                                        "a sheet of values starts with a header row "
                                        "indicatore | valore"))
        return chosen

    def _table(self, name: str, sheet: Any) -> _Table:
        rows = self._rows(name, sheet)
        first = next(rows, None)
        header = first[1] if first else []
        return _Table(self.source, header, [cells for _, cells in rows], name)

    def _formulas(self, tables: list[_Table], problems: list[Diagnostic]) -> None:
        """SL327 for each value cell of a read row left empty by a formula whose result the
        workbook does not store (saved by a program that does not compute formulas)."""
        wanted: dict[str, set[tuple[int, int]]] = {}
        for table in tables:
            columns = _column_indexes(table.header)
            value, indicator = columns.get("value"), columns.get("indicator")
            if value is None or indicator is None:
                continue
            sheet = table.sheet or ""
            for cells in table.rows:
                named = cells[indicator] if indicator < len(cells) else None
                if named is not None and (value >= len(cells) or cells[value] is None):
                    wanted.setdefault(sheet, set()).add((named.span.line, value + 1))
        if not wanted:
            return
        book = self._open(data_only=False)
        try:
            for sheet_name, places in wanted.items():
                sheet = book[sheet_name]
                last = max(row for row, _ in places)
                for row in sheet.iter_rows(min_row=1, max_row=last):
                    for cell in row:
                        place = (getattr(cell, "row", 0), getattr(cell, "column", 0))
                        formula = getattr(cell, "value", None)
                        if place in places and (isinstance(formula, str) and
                                                formula.startswith("=") or
                                                hasattr(formula, "text")):
                            span = Span.of_cell(self.source, sheet_name, *place)
                            problems.append(error(
                                "SL327", "a formula whose result the workbook does not "
                                "store: its value cannot be read", span,
                                "open the workbook in Excel or LibreOffice and save it (they "
                                "store each formula's result), or type the value"))
        finally:
            book.close()


def _table_span(table: _Table) -> Span:
    """Where a table starts: its first header cell (A1 of an empty sheet)."""
    first = next((c for c in table.header if c is not None), None)
    if first is not None:
        return first.span
    if table.sheet is not None:
        return Span.of_cell(table.source, table.sheet, 1, 1)
    return Span.point(table.source, 1, 1)


# ---- the table, read -----------------------------------------------------------------------

def _column_indexes(header: Row) -> dict[str, int]:
    """Each read column's index (0-based) by its field, the first of a repeated name."""
    out: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is not None:
            field = COLUMNS.get(fold(cell.text))
            if field is not None and field not in out:
                out[field] = index
    return out


def _has_columns(header: Row) -> bool:
    return {"indicator", "value"} <= set(_column_indexes(header))


def _columns(table: _Table, problems: list[Diagnostic]) -> dict[str, int] | None:
    """The read columns of a table; SL325 for an unknown or repeated header, SL324 (None)
    when the indicator or value column is missing."""
    if not _has_columns(table.header):
        missing = [name for name, field in (("indicatore (indicator)", "indicator"),
                                            ("valore (value)", "value"))
                   if field not in _column_indexes(table.header)]
        whose = "the header row" if table.sheet is None else f"the sheet `{table.sheet}`"
        problems.append(error("SL324", f"{whose} has no column " + " and no column ".join(
            f"`{m}`" for m in missing), _table_span(table), "the header row names the columns: "
            "indicatore, valore, and optionally nota, fonte, periodo (or indicator, value, "
            "note, source, period)" + ("" if table.sheet is None else "; a workbook holds "
                                       "them on a sheet named Valori (or Values)")))
        return None
    seen: dict[str, Span] = {}
    for cell in table.header:
        if cell is None:
            continue
        name = fold(cell.text)
        field = COLUMNS.get(name)
        if field is None:
            if name not in INFORMATION:
                problems.append(warning(
                    "SL325", f"unknown column `{cell.text}`: not read",
                    cell.span, "the columns read are indicatore, valore, nota, fonte, periodo "
                    "(or indicator, value, note, source, period); rename it, or delete it"))
            continue
        if field in seen:
            problems.append(error("SL325", f"column `{cell.text}` given twice",
                                  cell.span, f"first at {_address(seen[field])}; keep one",
                                  related=(seen[field],)))
            continue
        seen[field] = cell.span
    return _column_indexes(table.header)


@attrs.define
class _Monitoring:
    cells: dict[str, tuple[Any, Span]] = attrs.Factory(dict)
    spans: dict[str, Span] = attrs.Factory(dict)
    notes: dict[str, tuple[str | None, str | None]] = attrs.Factory(dict)


def _monitorings(tables: list[_Table], meta: dict[str, tuple[Any, Span]], source: str,
                 number_format: str | None, problems: list[Diagnostic]) -> Sheet:
    """The tables' rows, one SheetMonitoring per period (in the order periods first appear)."""
    declared = meta.get("number_format")
    chosen = (number_format_of(declared[0], declared[1], problems) if declared else None) \
        or number_format_of(number_format, None, problems) or "en"
    plan = _meta_text(meta, "plan")
    default_period = _meta_text(meta, "period")
    as_of = _as_of(meta, chosen, problems)
    found: dict[str | None, _Monitoring] = {}
    for table in tables:
        columns = _columns(table, problems)
        if columns is None:
            continue
        for cells in table.rows:
            _row(table, columns, cells, chosen, default_period, found, problems)
    if not found:
        found[tables[0].period if tables else default_period] = _Monitoring()
    return Sheet(plan, as_of, chosen, [SheetMonitoring(period, m.cells, m.spans, m.notes)
                                       for period, m in found.items()], problems)


def _cell(cells: Row, index: int | None) -> _Cell | None:
    return cells[index] if index is not None and index < len(cells) else None


def _row(table: _Table, columns: dict[str, int], cells: Row, number_format: str,
         default_period: str | None, found: dict[str | None, _Monitoring],
         problems: list[Diagnostic]) -> None:
    named = _cell(cells, columns["indicator"])
    value = _cell(cells, columns["value"])
    note, source = _cell(cells, columns.get("note")), _cell(cells, columns.get("source"))
    if named is None:
        given = next((c for c in (value, note, source) if c is not None), None)
        if given is not None:
            problems.append(error("SL338", "a value, note or source on a row with no "
                                  "indicator", given.span, "write the indicator's id in the "
                                  "indicatore column of the row, or empty the row"))
        return
    name = intern(named.text)
    period_cell = _cell(cells, columns.get("period"))
    period = table.period or (period_cell.text if period_cell is not None else None) \
        or default_period
    if period is None and "period" in columns:
        problems.append(error("SL337", f"the row of `{name}` has no period", named.span,
                              "write the period's id in the periodo column (or `period` in "
                              "the monitoring's metadata, for every row without one)"))
        return
    monitoring = found.setdefault(period, _Monitoring())
    if name in monitoring.spans:
        first = monitoring.spans[name]
        in_period = f" for period `{period}`" if period else ""
        problems.append(error("SL305", f"`{name}` is given twice{in_period}: at "
                              f"{_address(first)} and {_address(named.span)}", named.span,
                              "keep one of the two rows", related=(first,)))
        return
    monitoring.spans[name] = named.span
    if value is not None and _no_formula_error(name, value, problems):
        raw = value.value
        if value.percent:
            raw = float(Decimal(repr(float(raw))) * 100)
        if isinstance(raw, dt.time):
            raw = str(raw)  # a time of day is not a value: refused as a text
        monitoring.cells[name] = (raw, value.span)
    texts = [c.text if c is not None else None for c in (note, source)]
    if any(texts):
        monitoring.notes[name] = (texts[0] or None, texts[1] or None)


def _no_formula_error(name: str, cell: _Cell, problems: list[Diagnostic]) -> bool:
    """False (with SL303) for a formula's error value (#DIV/0!): no figure to read."""
    raw = cell.value
    if isinstance(raw, str) and raw.strip() in _FORMULA_ERRORS:
        problems.append(error("SL303", f"value of `{name}`: the formula in {_address(cell.span)} "
                              f"gives {raw.strip()}", cell.span, "correct the formula, or "
                              "write the value (N/D if it is not available)"))
        return False
    return True


def _meta_text(meta: dict[str, tuple[Any, Span]], key: str) -> str | None:
    if key not in meta or meta[key][0] is None:
        return None
    value = meta[key][0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _as_of(meta: dict[str, tuple[Any, Span]], number_format: str,
           problems: list[Diagnostic]) -> dt.date | None:
    if "as_of" not in meta or meta["as_of"][0] in (None, ""):
        return None
    raw, span = meta["as_of"]
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    hint = "write it as 2020-06-30" + (" or 30/06/2020" if number_format == "it" else "")
    try:
        found = read_date(str(raw).strip(), number_format, strict=True)
    except AmbiguousFigure as exc:
        problems.append(error("SL304", f"as_of {raw!r}: {exc}", span, exc.hint))
        return None
    except ValueError as exc:
        problems.append(error("SL304", f"as_of {raw!r} is not a date ({exc})", span, hint))
        return None
    if found is None:
        problems.append(error("SL304", f"as_of {raw!r} is not a date", span, hint))
    return found
