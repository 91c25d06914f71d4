"""Views as terminal tables (tabulate), indented by depth where the view has a tree."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from ..model import Band
from ..engine.result import Result
from ..engine import numbers
from .cells import cell
from .views import View

TITLE_WIDTH = 64
_RIGHT = {"percent", "weight", "measure", "points", "scale_points"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def rows(view: View, locale: str, places: int, bands: Sequence[Band],
         shorten: bool = True) -> list[list[str]]:
    out = []
    for row in view.rows:
        line = []
        for column in view.columns:
            text = cell(column, row, locale, places, bands)
            if column.key == view.depth_key:
                indent = "  " * int(row.get("depth", 0))
                text = indent + (_shorten(text, TITLE_WIDTH - len(indent)) if shorten else text)
            elif shorten and column.kind == "text":
                text = _shorten(text, TITLE_WIDTH)
            line.append(text)
        out.append(line)
    return out


def heading(result: Result, locale: str, what: str) -> str:
    text = f"{result.plan_title} — {what}"
    period = result.period or "-"
    if locale == "it":
        text += f" — periodo {period}"
        if result.as_of:
            text += f", al {numbers.date(result.as_of, locale)}"
    else:
        text += f" — period {period}"
        if result.as_of:
            text += f", as of {numbers.date(result.as_of, locale)}"
    if result.score is not None:
        text += f" — {numbers.percent(result.score, locale, places(result))}"
    return text


def places(result: Result) -> int:
    return result.nodes[0].places if result.nodes else 2


def to_table(result: Result, view: View, locale: str) -> str:
    # Prose is wrapped at the width a title is cut at: a finding's message is what the
    # advice table exists to show.
    wrapped = [TITLE_WIDTH if c.kind == "prose" else None for c in view.columns]
    table = tabulate(rows(view, locale, places(result), result.bands),
                     headers=[c.heading(locale) for c in view.columns], tablefmt="simple",
                     colalign=["right" if c.kind in _RIGHT else "left" for c in view.columns],
                     disable_numparse=True, preserve_whitespace=True,
                     maxcolwidths=wrapped if any(wrapped) else None)
    return f"{heading(result, locale, view.heading(locale))}\n\n{table}\n"
