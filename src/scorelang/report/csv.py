"""Views as CSV for spreadsheets: Italian plans get `;` and decimal commas, as Excel expects.

Figures are the half-up display values without units or thousands separators, so a
spreadsheet reads them as numbers; N/D stays the text N/D.
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
    return cell(column, row, locale, digits, result.bands)


def to_csv(result: Result, view: View, locale: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "it" else ",", lineterminator="\n")
    extra = ["id", "depth"] if view.depth_key else ["id"]
    headings = []
    for column in view.columns:
        headings.append(column.heading(locale))
        if column.kind == "scale_points":
            headings.append("Punti massimi" if locale == "it" else "Points max")
    writer.writerow(extra + headings)
    for row in view.rows:
        cells = []
        for column in view.columns:
            cells.append(_csv_cell(column, row, locale, places(result), result))
            if column.kind == "scale_points":
                scale = row.get(column.key)
                text = f"{scale.maximum:g}" if isinstance(scale, Points) else ""
                cells.append(text.replace(".", ",") if locale == "it" else text)
        writer.writerow([str(row.get(key, "")) for key in extra] + cells)
    return out.getvalue()


