"""Reading figures written as people write them: the one number reader of scorelang.

`engine.numbers` writes a figure in a locale's way; this module reads one back. Italian (`it`)
groups thousands with "." and writes decimals after "," (1.234,56 · 62,96 % · € 1.234,56 ·
31/10/2020); English (`en`) the other way round (1,234.56 · 62.96%). Two readers share it:
`verify`'s published figures (`tools/published.py`, which keeps the decimals a figure shows)
and the values files (`engine/values.py`, `engine/sheets.py`: a figure typed in a text cell).

A figure such as `1.234` under `it` (or `1,234` under `en`) is ambiguous: one group of three
digits after the separator and no decimal part could be a thousand or one point two. A values
file reads it strictly (`strict=True`): `AmbiguousFigure`, never a guess. A published document
was printed by a program in its declared locale, which groups every thousand the same way
("3.283 N." is three thousand), and verify compares each figure it reads with the one the
rules give, so a misreading would show as a mismatch: verify reads by the locale, as it always
did. Likewise a date with slashes is day/month/year; under `en` a values file must write it
ISO (2020-10-31), as 03/04/2020 would be a different day to an American reader.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..diagnostics import Diagnostic, Span, error
from .numbers import LOCALES, SEPARATORS, UNIT_SUFFIX

__all__ = ["LOCALES", "AmbiguousFigure", "Figure", "VALUE_UNITS", "NOT_AVAILABLE",
           "number_format_of", "parse_figure", "plain_number", "read_date", "read_value"]

# How a text says N/D (compared upper-cased): N/D, n.d., ND, n/d.
NOT_AVAILABLE = frozenset({"N/D", "ND", "N.D.", "N.D"})
_MINUS = "\u2212"
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The units a measured value may carry in a text cell: those the reports print (numbers
# .UNIT_SUFFIX, both spellings). Any other text after a number is a mistake, not a unit.
VALUE_UNITS = frozenset(UNIT_SUFFIX) | frozenset(UNIT_SUFFIX.values())


class AmbiguousFigure(ValueError):
    """A figure that reads two ways in its locale (`1.234` under `it`); `hint` says how to
    write it so that it reads one way."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


@attrs.frozen
class Figure:
    """A figure as printed: its text, the decimal it stands for and the decimals it shows."""

    text: str
    number: Decimal | None = None  # None: N/D, or a date
    places: int = 0  # printed decimals: "62,96%" 2, "100,%" 0
    unit: str | None = None  # as printed around the number: "%", "€", "N.", "gg"
    date: dt.date | None = None  # a completion date (deadline indicators)

    @property
    def missing(self) -> bool:
        return self.number is None and self.date is None

    @property
    def tolerance(self) -> Decimal:
        """Half a unit of the last printed decimal: "62,96%" 0.005, "44,2%" 0.05, "100,%" 0.5."""
        return Decimal(5).scaleb(-(self.places + 1))


def _number_pattern(locale: str) -> re.Pattern[str]:
    thousands, point = (re.escape(s) for s in SEPARATORS[locale])
    return re.compile(rf"(?P<sign>[-+{_MINUS}]?)\s*(?P<currency>€\s*)?"
                      rf"(?P<whole>\d{{1,3}}(?:{thousands}\d{{3}})+|\d+)"
                      rf"(?:{point}(?P<decimals>\d*))?\s*(?P<unit>[^\d.,\s].*)?")


_PATTERNS = {locale: _number_pattern(locale) for locale in LOCALES}


def read_date(text: str, locale: str = "it", strict: bool = False) -> dt.date | None:
    """A date written 31/10/2020 (day/month/year) or 2020-10-31; None when the text is not
    written as a date; ValueError for a date that does not exist (31/02/2020). `strict` under
    `en`: a date with slashes is AmbiguousFigure (day/month or month/day?)."""
    slashed = _SLASH_DATE.fullmatch(text)
    if slashed and strict and locale != "it":
        raise AmbiguousFigure(f"{text!r} could be day/month or month/day",
                              "write the date as YYYY-MM-DD (e.g. 2020-10-31), or declare "
                              "`number_format: it` to read day/month/year")
    try:
        if slashed:
            day, month, year = (int(part) for part in slashed.groups())
            return dt.date(year, month, day)
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    return None


def _ambiguous(whole: str, locale: str) -> AmbiguousFigure:
    """`1.234` under `it`: the two readings, and how to write each so it reads one way."""
    thousands, point = SEPARATORS[locale]
    plain = whole.replace(thousands, "")
    head, tail = whole.split(thousands)
    return AmbiguousFigure(
        f"{whole!r} is ambiguous under number format `{locale}`: {plain} or {head}.{tail}? "
        f"(one group of three digits after `{thousands}` and no decimals)",
        f"write `{plain}` for the whole number or `{head}{point}{tail}` for the decimal one "
        f"(under `{locale}` the decimal separator is `{point}`)")


def parse_figure(text: str, locale: str = "it", strict: bool = False) -> Figure:
    """A figure as printed: "62,96%" -> 62.96 at 2 places; "100,%" -> 100 at 0 places;
    "3.111.720.000,00 €" and "€ 1.234,56" keep their currency as the unit; "N/D"; "31/10/2020"
    or "2020-10-31" a date.

    Raises ValueError for text that is none of these; with `strict`, AmbiguousFigure for a
    figure that reads two ways (module docstring)."""
    stripped = text.strip()
    if stripped.upper() in NOT_AVAILABLE:
        return Figure(text)
    date = read_date(stripped, locale, strict)
    if date is not None:
        return Figure(text, date=date)
    found = _PATTERNS[locale].fullmatch(stripped)
    if found is None or (found["currency"] and found["unit"]):
        raise ValueError(f"{text!r} is not a figure as printed in locale `{locale}`")
    thousands, _ = SEPARATORS[locale]
    whole = found["whole"]
    if strict and found["decimals"] is None and whole.count(thousands) == 1:
        raise _ambiguous(whole, locale)
    decimals = found["decimals"] or ""
    sign = "-" if found["sign"] in ("-", _MINUS) else ""
    written = sign + whole.replace(thousands, "") + (f".{decimals}" if decimals else "")
    unit = (found["unit"] or "").strip() or ("€" if found["currency"] else None)
    return Figure(text, Decimal(written), len(decimals), unit)


def plain_number(text: str) -> Figure:
    """A number written plainly in the YAML (62.96, 143): places as written."""
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"{text} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{text} is not a figure")
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Figure(text, number, places)


def read_value(text: str, locale: str) -> float | dt.date | None:
    """A measured value written as text in a values file (a CSV cell, a text cell of a
    workbook, a quoted YAML string under `number_format`): a number (its unit, if any, one of
    VALUE_UNITS: "62,96 %" is 62.96), a completion date, or None for N/D. Strict: ValueError
    for what is none of these, AmbiguousFigure for a figure that reads two ways."""
    figure = parse_figure(text, locale, strict=True)
    if figure.date is not None:
        return figure.date
    if figure.number is None:
        return None
    if figure.unit is not None and figure.unit not in VALUE_UNITS:
        raise ValueError(f"{text!r} has `{figure.unit}` after the number, not a unit")
    return float(figure.number)


def number_format_of(raw: Any, span: Span | None, problems: list[Diagnostic]) -> str | None:
    """A declared number format: `it` or `en` (None when not declared); SL329 otherwise."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if text in LOCALES:
        return text
    problems.append(error("SL329", f"number_format {raw!r} is not `it` or `en`", span,
                          "`it` reads 1.234,56 and 62,96 %; `en` reads 1,234.56 and 62.96%"))
    return None
