"""Display rounding: the one place where a figure becomes the decimal a person reads.

Scores are computed unrounded in binary floats; what is shown is the half-up decimal rounding
of the true value (257/800 = 32.125 % shows 32.13 %, where Python's round() gives 32.12).
Nothing else in scorelang rounds.

Rounding is total: it never raises, whatever float it is given. A finite float of any size
(1e308, 5e-324) is rounded exactly; NaN and ±infinity, which no plan can produce (the inputs
are limited: docs/language.md#numbers), come back as Decimal's own NaN and ±Infinity, and the
formatters in `numbers` write them as words, so a bug upstream shows up as a figure, never as
a crash in the middle of a report.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

# A float carries ~16 significant digits; the last ones are binary noise (0.70125 may be stored
# as 0.70124999999999993). Figures are first settled to this many decimal places, which keeps
# every digit a plan's data can mean and drops the noise, then rounded half-up for display.
_NOISE_PLACES = Decimal(1).scaleb(-9)  # nine decimal places
# Enough digits for any finite float (1.8e308 has 309 before the point) with its nine decimal
# places and the display's, so that quantize never runs out of precision.
PRECISION = 400
# The context of the two roundings, made once and passed to each: entering a `localcontext`
# for every figure was two thirds of the time of `half_up`, and a figure is rounded for each
# node of every JSON report (docs/performance.md). Its own context, not the thread's: the
# figures shown never depend on what an embedder set in `decimal.getcontext()`.
CONTEXT = Context(prec=PRECISION)
_EXACT = 2.0 ** 53  # every whole float below it is an integer written exactly by repr
_PLACES = tuple(Decimal(1).scaleb(-places) for places in range(10))


def half_up(value: float, places: int = 2) -> Decimal:
    """Round a value half-up to `places` decimals, as the decimal number it stands for
    (NaN and ±infinity come back as Decimal's NaN and ±Infinity)."""
    exact = Decimal(repr(float(value)))
    if not exact.is_finite():
        return exact
    unit = _PLACES[places] if 0 <= places < len(_PLACES) else Decimal(1).scaleb(-places)
    return exact.quantize(_NOISE_PLACES, ROUND_HALF_EVEN, CONTEXT).quantize(
        unit, ROUND_HALF_UP, CONTEXT)


def shown(value: float, places: int = 2) -> str:
    """`str(half_up(value, places))`: the figure as a person reads it ("62.96"). A whole
    number needs no rounding and is written without Decimal ("100.00"): a score of exactly
    0, 100 or the cap is a third of a plan's nodes, and every node's figure is written in a
    JSON report. -0.0 keeps its sign ("-0.00"), as Decimal writes it; a whole number from
    2^53 on is left to Decimal (its repr, 1e+23, is not the float's own integer), and so is
    a figure of more than 6 places (Decimal writes a zero of 7 places as 0E-7)."""
    if value.__class__ is float and value.is_integer() and 0 <= places <= 6 \
            and -_EXACT < value < _EXACT and (value or math.copysign(1.0, value) > 0):
        return f"{int(value)}.{'0' * places}" if places else f"{int(value)}"
    return str(half_up(value, places))


def percent(fraction: float, places: int = 2) -> Decimal:
    """A fraction (0.32125) as the percentage a person reads (32.13)."""
    return half_up(fraction * 100.0, places)
