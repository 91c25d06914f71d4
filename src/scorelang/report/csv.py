"""Views as CSV for spreadsheets: Italian plans get what Excel in Italian expects.

Under the `it` locale the text starts with a byte order mark (U+FEFF, written as the UTF-8
bytes EF BB BF), fields are separated by `;` and decimals by a comma: Excel on an Italian
Windows opens such a file with a double click, accents intact and each field in its column
(without the mark it reads the bytes as Windows-1252, and a comma-separated file lands in
one column, `,` being the decimal separator there). Under `en`: no mark, `,` and `.`, as
every other tool expects. Python reads either back with `encoding="utf-8-sig"`.

Figures are the half-up display values without units or thousands separators, so a
spreadsheet reads them as numbers; N/D stays the text N/D.

Text is never a formula (CSV injection, OWASP's rule): a text cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet shows it instead of
running it. Which cells are text is decided by the column, not guessed from the content: the
figures written above (a negative achievement or value "-17,82" included) stay numbers; every
other cell (titles, ids, bands, targets such as "= 0 N.", the headings, which name periods)
may hold what a rule file's author wrote, and is neutralised.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..engine.result import Result
from ..engine.rounding import half_up
from .cells import cell
from .table import places
from .views import Column, Measure, Points, View


# What makes a spreadsheet read a cell as a formula (or, tab and CR, hide one behind them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """Text as a spreadsheet cell that is never a formula: "=1+1" becomes "'=1+1"."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _number(value: float | None, digits: int, locale: str) -> str:
    if value is None:
        return ""
    text = f"{half_up(value, digits):f}"
    return text.replace(".", ",") if locale == "it" else text


def _csv_cell(column: Column, row: dict[str, Any], locale: str, digits: int,
              result: Result) -> str:
    value = row.get(column.key)
    if column.kind in ("percent", "weight", "points"):
        if value is None:
            return "N/D" if column.kind == "percent" and column.key.startswith("score") else ""
        return _number(value, digits if column.kind != "weight" else 2, locale)
    if column.kind == "scale_points":  # the points as a number; the scale in its own column
        return _number(value.value, digits, locale) if isinstance(value, Points) else ""
    if column.kind == "measure" and isinstance(value, Measure) \
            and isinstance(value.value, float):
        text = f"{half_up(value.value, 4).normalize():f}"
        return text.replace(".", ",") if locale == "it" else text
    return text_cell(cell(column, row, locale, digits, result.bands))


# Excel's cue that a CSV is UTF-8 (written first, under the Italian locale only).
BOM = "\ufeff"


def to_csv(result: Result, view: View, locale: str) -> str:
    out = io.StringIO()
    if locale == "it":
        out.write(BOM)
    writer = csv.writer(out, delimiter=";" if locale == "it" else ",", lineterminator="\n")
    extra = ["id", "depth"] if view.depth_key else ["id"]
    headings = []
    named = {"id": "id", "depth": "livello" if locale == "it" else "depth"}
    for column in view.columns:
        headings.append(column.heading(locale))
        if column.kind == "scale_points":
            headings.append("Punti massimi" if locale == "it" else "Points max")
    writer.writerow([text_cell(text) for text in [named[key] for key in extra] + headings])
    for row in view.rows:
        cells = []
        for column in view.columns:
            cells.append(_csv_cell(column, row, locale, places(result), result))
            if column.kind == "scale_points":
                scale = row.get(column.key)
                text = f"{scale.maximum:g}" if isinstance(scale, Points) else ""
                cells.append(text.replace(".", ",") if locale == "it" else text)
        writer.writerow([text_cell(str(row.get(key, ""))) for key in extra] + cells)
    return out.getvalue()


