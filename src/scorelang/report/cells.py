"""Cells of a view as text, by column kind and locale, for the text-like formats.

Table, markdown and CSV share this; html and xlsx format their own way (colours, numbers as
numbers) but use `report.numbers` for every figure too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import Band
from ..engine import numbers
from .views import Column, Measure, Note, Points, Target, note_text
from .words import FLAG_WORDS, severity_word

STATUS_IT = {"scored": "valutato", "missing": "N/D", "not_due": "non scaduto",
             "neutralised": "neutralizzato", "no_target": "target da definire"}


def band_title(band: str | None, bands: Sequence[Band], status: str | None = None) -> str:
    if band is None:
        return "N/D" if status in ("missing", "not_due") else ""
    for known in bands:
        if known.id == band:
            return known.title
    return band


def reward_band_text(bounds: tuple[float | None, float | None] | None, locale: str) -> str:
    """A reward row in the report's language: "60% to 95%", "da 60 % a 95 %", "below 60%"."""
    if bounds is None:
        return ""
    lower, upper = bounds
    figures = [None if b is None
               else numbers.percent(b, locale, 0 if float(b).is_integer() else 2)
               for b in bounds]
    it = locale == "it"
    if lower is None:
        return f"sotto {figures[1]}" if it else f"below {figures[1]}"
    if upper is None:
        return f"da {figures[0]}" if it else f"from {figures[0]}"
    return f"da {figures[0]} a {figures[1]}" if it else f"{figures[0]} to {figures[1]}"


def target_text(target: Target | None, locale: str) -> str:
    if target is None:
        return ""
    used = target.used
    if used.due is not None:
        due = numbers.date(used.due.due, locale)
        return f"entro {due}" if locale == "it" else f"by {due}"
    assert used.direction is not None
    if used.value is None:
        text = f"{used.direction.value} tbd"
    else:
        text = f"{used.direction.value} {numbers.measure(used.value, target.unit, locale)}"
    if used.source == "periodic":
        text += f" (periodico {used.period})" if locale == "it" else f" (periodic {used.period})"
    elif used.source == "limit":  # `missing_target limit`: the minimum stands in for a `tbd`
        text += " (limite minimo, target da definire)" if locale == "it" \
            else " (minimum limit, target tbd)"
    return text


def cell(column: Column, row: dict[str, Any], locale: str, places: int,
         bands: Sequence[Band]) -> str:
    value = row.get(column.key)
    kind = column.kind
    if kind == "percent":
        if value is None:
            return "N/D" if column.key == "score" or column.key.startswith("score_") else ""
        return numbers.percent(value, locale, places)
    if kind == "weight":
        return "" if value is None else numbers.percent(value, locale, 2)
    if kind == "points":
        return "" if value is None else numbers.points(value, locale, places)
    if kind == "scale_points":
        return numbers.points_of(value.value, value.maximum, locale, places) \
            if isinstance(value, Points) else ""
    if kind == "target":
        return target_text(value, locale)
    if kind == "measure":
        return "" if value is None else numbers.measure(value.value, value.unit, locale) \
            if isinstance(value, Measure) else str(value)
    if kind == "band":
        return band_title(value, bands, row.get("status"))
    if kind == "status":
        return STATUS_IT.get(value, value) if locale == "it" and value else (value or "")
    if kind == "reward_band":
        return reward_band_text(value, locale)
    if kind == "flags" and column.key == "flags":  # the scoring's flags, in the reader's words
        shown = FLAG_WORDS.get(locale, FLAG_WORDS["en"])
        return ", ".join(shown[flag][0] if flag in shown else flag for flag in value or ())
    if kind == "flags":  # the advice rules' categories, as the plan names them
        return ", ".join(value or ())
    if kind == "severity":
        return severity_word(value, locale) if value else ""
    if kind == "note":
        return note_text(value, locale) if isinstance(value, Note) else ""
    return "" if value is None else str(value)
