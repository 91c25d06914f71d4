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


def percent(fraction: float, places: int = 2) -> Decimal:
    """A fraction (0.32125) as the percentage a person reads (32.13)."""
    return half_up(fraction * 100.0, places)
