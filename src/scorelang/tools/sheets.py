"""Spreadsheets as offices keep them: what the values template and the plan sheet share.

One place for the cells' plumbing of `template` and `planbook`: openpyxl behind the `xlsx`
extra (SL004 names the extra when it is missing), CSV the way Italian Excel opens it (`;` and a
byte-order mark under the Italian locale, `,` without one otherwise), a cell's name in a
diagnostic (`piano.xlsx:Piano!D7`, or `piano.csv:7:4` as a span), text that a spreadsheet never
runs as a formula, and the figures a text cell may hold (`18,30%`, `13.000.000.000`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..diagnostics import Diagnostic, ScorelangError, Span, error
from ..engine.figures import parse_figure, read_date
from ..engine.numbers import LOCALES

# The one hint every "openpyxl is missing" says: the extra that brings it.
XLSX_EXTRA = "pip install 'scorelang[xlsx]'"


class SheetError(ScorelangError):
    """A spreadsheet that cannot be read or written as asked; the diagnostics name the cells."""


def openpyxl() -> Any:
    """openpyxl, or SL004 naming the extra (it is optional: `scorelang[xlsx]`)."""
    try:
        import openpyxl as xl  # type: ignore[import-untyped]
    except ImportError:
        raise SheetError([error("SL004", "openpyxl is not installed: spreadsheets (.xlsx) "
                                "need it", None, XLSX_EXTRA)]) from None
    return xl


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: how a spreadsheet names a column."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@attrs.frozen
class Where:
    """A cell of a sheet: `piano.xlsx:Piano!D7` (a workbook) or line and field of a CSV file."""

    file: str
    sheet: str | None  # None: a CSV file, named by line and field
    row: int  # the sheet's row, or the CSV file's line (from 1)
    column: int  # from 1

    def name(self) -> str:
        if self.sheet is None:
            return f"{self.file}:{self.row}:{self.column}"
        return f"{self.file}:{self.sheet}!{column_letter(self.column)}{self.row}"

    def diagnostic(self, code: str, message: str, hint: str | None = None) -> Diagnostic:
        """A CSV cell is a span (the excerpt shows its line); a workbook's cell has no line of
        text to show, so its name starts the message."""
        if self.sheet is None:
            return error(code, message, Span.point(self.file, self.row, self.column), hint)
        return error(code, f"{self.name()}: {message}", None, hint)


# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """Text for a CSV cell that is never a formula: "= 0" is written "'= 0"."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def set_text(cell: Any, text: str) -> None:
    """A workbook cell holding `text` as text, never a formula ("= 0" is a target, not a sum)."""
    cell.value = text
    if cell.data_type == "f":
        cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True


def csv_bytes(lines: Sequence[str], rows: Iterable[Sequence[str]], locale: str) -> bytes:
    """A CSV file: `lines` (comments) first, then the rows. Under the Italian locale `;` and
    UTF-8 with a byte-order mark, as Italian Excel on Windows opens a CSV; else `,`, no mark."""
    out = io.StringIO()
    for line in lines:
        out.write(line + "\r\n")
    writer = csv.writer(out, delimiter=";" if locale == "it" else ",", lineterminator="\r\n")
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if locale == "it" else data


def fit_rows(sheet: Any, widths: Sequence[float], first: int = 2) -> None:
    """Give each row the height its wrapped text needs: a workbook keeps no heights of its own
    for openpyxl's rows, and LibreOffice then draws wrapped lines over the next row."""
    for row in sheet.iter_rows(min_row=first):
        lines = 1
        for cell, width in zip(row, widths):
            if isinstance(cell.value, str):
                room = max(int(width) - 1, 1)  # characters a line of the column holds
                lines = max(lines, sum(max(1, -(-len(part) // room))
                                       for part in cell.value.split("\n")))
        sheet.row_dimensions[row[0].row].height = 15 * lines


def workbook_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- reading ------------------------------------------------------------------------------
@attrs.frozen
class Row:
    """A row of a sheet: its cells (None for an empty one) and where it is."""

    number: int  # the sheet's row, or the CSV file's line where the row starts
    cells: tuple[Any, ...]
    percent: tuple[bool, ...] = ()  # a workbook cell shown as a percentage (0.3 is 30 %)

    def cell(self, index: int) -> Any:
        return self.cells[index] if 0 <= index < len(self.cells) else None

    def is_percent(self, index: int) -> bool:
        return self.percent[index] if 0 <= index < len(self.percent) else False

    def blank(self) -> bool:
        return all(value is None or (isinstance(value, str) and not value.strip())
                   for value in self.cells)


@attrs.frozen
class Table:
    """A sheet read: its rows, and for a CSV file the `# key: value` lines before them."""

    file: str
    sheet: str | None
    rows: tuple[Row, ...]
    comments: tuple[tuple[str, str, int], ...] = ()  # key, value, line

    def where(self, row: int, column: int) -> Where:
        return Where(self.file, self.sheet, row, column)


_COMMENT = re.compile(r"^\s*#\s*([^:]+?)\s*:\s?(.*?)\s*$")


def read_csv(path: Path, data: bytes) -> Table:
    """A CSV file as offices save it: UTF-8 (a byte-order mark or not), `;` or `,` (the header
    line decides), `# key: value` lines before the header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError([error("SL703", f"{path} is not UTF-8 text (byte {exc.start})", None,
                                "save the sheet as 'CSV UTF-8'")]) from None
    lines = text.splitlines(keepends=True)
    comments: list[tuple[str, str, int]] = []
    first = 0
    while first < len(lines) and (lines[first].lstrip().startswith("#")
                                  or not lines[first].strip()):
        found = _COMMENT.match(lines[first].rstrip("\r\n"))
        if found:
            comments.append((found[1].strip().lower(), found[2], first + 1))
        first += 1
    body = "".join(lines[first:])
    header = lines[first] if first < len(lines) else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    rows = []
    start = first + 1
    try:
        for cells in reader:
            rows.append(Row(start, tuple(c if c.strip() else None for c in cells)))
            start = first + reader.line_num + 1
    except csv.Error as exc:
        raise SheetError([error("SL703", f"{path}:{start}: cannot read the CSV row: {exc}",
                                None, "close every quoted cell")]) from None
    return Table(str(path), None, tuple(rows), tuple(comments))


def open_workbook(path: Path, data: bytes) -> Any:
    xl = openpyxl()
    try:
        # Not read-only mode: a cell's number format (a percentage) is read too, and a plan
        # sheet is a few hundred rows.
        return xl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError([error("SL703", f"{path} is not an .xlsx workbook ({exc})", None,
                                "save it from the spreadsheet as Excel 2007-365 (.xlsx), or "
                                "as CSV")]) from None


def sheet_table(path: Path, book: Any, names: Sequence[str], *, required: bool = True
                ) -> Table | None:
    """The first sheet of `names` the workbook has, read as a Table (None when it has none and
    it is not required)."""
    found = next((book[name] for name in book.sheetnames
                  if name.strip().lower() in {n.lower() for n in names}), None)
    if found is None:
        if not required:
            return None
        raise SheetError([error("SL703", f"{path} has no sheet named "
                                + " or ".join(f"`{n}`" for n in names), None,
                                f"name the sheet `{names[0]}`; it has "
                                + ", ".join(f"`{n}`" for n in book.sheetnames))])
    rows = []
    for number, cells in enumerate(found.iter_rows(), start=1):
        values = tuple(None if c.value is None or (isinstance(c.value, str)
                                                   and not c.value.strip()) else c.value
                       for c in cells)
        marks = tuple("%" in str(getattr(c, "number_format", "") or "") for c in cells)
        rows.append(Row(number, values, marks))
    return Table(str(path), found.title, tuple(rows))


# ---- figures in text cells -----------------------------------------------------------------
def figure(value: Any, number_format: str) -> tuple[Decimal, bool] | None:
    """A figure from a cell and whether it was written with `%`, or None when it is not one.

    A number cell is taken as it is. A text cell is read by the one reader of figures written
    in a locale (engine.figures, shared with values files and verify): under `it` a comma is
    the decimal mark and dots group thousands (`13.000.000.000`, `18,30%`), under `en` the
    reverse. A plan's sheet is not held to the values files' strictness: `1.234` under `it`
    is read as that locale says (a target is written by its office, not typed from a report).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(repr(float(value))), False
    if not isinstance(value, str):
        return None
    text = value.strip().removeprefix("'")  # the "this is text" mark csv_text writes
    text = text.replace("\u00a0", " ").replace("_", "")
    try:
        read = parse_figure(text, number_format if number_format in LOCALES else "en")
    except ValueError:
        return None
    if read.number is None or read.unit not in (None, "%"):
        return None
    return read.number, read.unit == "%"


def date_of(value: Any) -> dt.date | None:
    """A date cell, or text written 2020-12-31 or 31/12/2020; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:  # the one reader of dates written in a locale (engine.figures): day/month/year
        return read_date(value.strip(), "it")
    except ValueError:  # a date that does not exist (31/02/2020)
        return None


def text_of(value: Any) -> str | None:
    """A cell as text: numbers without a needless `.0` (a code typed 301 is "301")."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    if text.startswith("'"):  # a spreadsheet's "this is text" mark (csv_text wrote it)
        text = text[1:]
    return text or None
