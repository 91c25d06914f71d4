"""Numbers as a reader of the plan's locale expects them: the one place reports format figures.

Italian: 62,96 % and 13.000.000.000,00 €; English: 62.96% and 13,000,000,000.00 €. Every
figure goes through `rounding.half_up` first, so what is shown is the half-up decimal rounding
of the true value in every locale. JSON never passes through here: it stays locale-free.
Like the rounding, every function here is total: NaN and ±infinity, which no plan produces,
are written "NaN", "∞" and "-∞" rather than raising in the middle of a report.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

from .rounding import CONTEXT, half_up

LOCALES = ("it", "en")
# (thousands, decimal): how each locale writes a figure, and how engine.figures reads one.
SEPARATORS = {"it": (".", ","), "en": (",", ".")}
# Units printed the way the seed prints them; others are printed as written.
UNIT_SUFFIX = {"EUR": "€", "%": "%", "N": "N.", "gg": "gg", "h": "h"}
# Money and percentages always show two decimals, as the seed does (16,00 %).
_FIXED_DECIMALS = {"EUR", "%"}


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def decimal_text(value: Decimal, locale: str, places: int | None = None) -> str:
    """A decimal with grouped thousands; `places` fixes the decimals, else trailing zeros go."""
    thousands, point = SEPARATORS.get(locale, SEPARATORS["en"])
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
    if places is not None:
        # rounding.CONTEXT: PRECISION digits, so a figure of any size keeps every digit
        # (made once, not a localcontext per figure).
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN, CONTEXT)
    text = f"{value.copy_abs():f}"  # copy_abs: abs() would round to the context's 28 digits
    if places is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, decimals = text.partition(".")
    sign = "-" if value < 0 and any(c not in "0." for c in text) else ""
    return sign + _group(whole, thousands) + (point + decimals if decimals else "")


def percent(value: float | None, locale: str, places: int = 2) -> str:
    """A percentage (62.955… -> "62,96 %" or "62.96%"); None is N/D."""
    if value is None:
        return "N/D"
    text = decimal_text(half_up(value, places), locale, places)
    return f"{text} %" if locale == "it" else f"{text}%"


def measure(value: float | dt.date | None, unit: str | None, locale: str) -> str:
    """A measured value or target in its unit: "3.111.720.000,00 €", "143 N.", "-17,82 gg"."""
    if value is None:
        return "N/D"
    if isinstance(value, dt.date):
        return date(value, locale)
    places = 2 if unit in _FIXED_DECIMALS else None
    text = decimal_text(half_up(value, 4 if places is None else places), locale, places)
    if not unit:
        return text
    suffix = UNIT_SUFFIX.get(unit, unit)
    if locale == "en" and unit == "%":
        return f"{text}%"
    return f"{text} {suffix}"


def date(value: dt.date, locale: str) -> str:
    """31/10/2020 in Italian (as the seed prints deadlines), ISO 2020-10-31 otherwise."""
    return value.strftime("%d/%m/%Y") if locale == "it" else value.isoformat()


def points_of(value: float, maximum: float, locale: str, places: int = 2) -> str:
    """Points on a table's scale: "17,29 / 20 punti" / "17.29 / 20 points" (the points with
    the plan's decimals, the scale as written)."""
    scale = decimal_text(Decimal(repr(float(maximum))), locale)
    word = "punti" if locale == "it" else "points"
    return f"{decimal_text(half_up(value, places), locale, places)} / {scale} {word}"


def points(value: float, locale: str, places: int = 2) -> str:
    """A signed change in percentage points: "+2,50" / "-1.25"."""
    text = decimal_text(half_up(value, places), locale, places)
    return text if text.startswith("-") else f"+{text}"
