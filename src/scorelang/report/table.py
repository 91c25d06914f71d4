"""Views as terminal tables (tabulate), indented by depth where the view has a tree.

Notes on the values are numbered footnotes: a marker "[1]" after the node's name, the notes
listed under the table (views.footnotes).
"""

from __future__ import annotations

import typing
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
from tabulate import tabulate

def _width_measure() -> Callable[[str], int]:
    """What tabulate measures a cell's width with: wcwidth's when it is installed (tabulate
    looks for it the same way), else len. Imported by name: wcwidth is not a dependency, and
    a fresh install (CI's) has none."""
    try:
        module = importlib.import_module("wcwidth")
    except ImportError:
        return len
    measure: Callable[[str], int] = module.wcswidth
    return measure


_visible_width = _width_measure()

from ..model import Band
from ..engine.result import Result
from ..engine import numbers
from .cells import cell
from .views import Footnote, View, footnote_text, footnotes
from .words import PAGE_WORDS

TITLE_WIDTH = 64
_RIGHT = {"percent", "weight", "measure", "points", "scale_points"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def marked_column(view: View) -> str:
    """The column a footnote's marker follows: the tree's names, else the indicator's title."""
    keys = [column.key for column in view.columns]
    return view.depth_key or ("title" if "title" in keys else keys[0])


def rows(view: View, locale: str, places: int, bands: Sequence[Band],
         shorten: bool = True, marks: Mapping[int, str] | None = None) -> list[list[str]]:
    """The cells as text; `marks` (row position -> marker) are added to `marked_column`
    after shortening, so that a long title never loses its marker."""
    return _cells(view, list(view.rows), locale, places, bands, shorten, marks)


def _cells(view: View, lines: list[dict[str, Any] | None], locale: str, places: int,
           bands: Sequence[Band], shorten: bool = True,
           marks: Mapping[int, str] | None = None) -> list[list[str]]:
    """`rows` of the view's rows `lines` (its columns read from `view`), each dropped from
    `lines` once it is cells: a long view's rows go as its cells come (at 100,000
    indicators, 80 MiB of rows beside 50 MiB of cells)."""
    out = []
    marked = marked_column(view) if marks else None
    for position in range(len(lines)):
        row = lines[position]
        lines[position] = None
        assert row is not None
        line = []
        for column in view.columns:
            text = cell(column, row, locale, places, bands)
            mark = marks.get(position) if marks and column.key == marked else None
            room = TITLE_WIDTH - (len(mark) + 1 if mark else 0)
            if column.key == view.depth_key:
                indent = "  " * int(row.get("depth", 0))
                text = indent + (_shorten(text, room - len(indent)) if shorten else text)
            elif shorten and column.kind == "text":
                text = _shorten(text, room)
            line.append(f"{text} {mark}" if mark else text)
        out.append(line)
    return out


def notes_heading(locale: str) -> str:
    return PAGE_WORDS.get(locale, PAGE_WORDS["en"])["value_notes"]


def _footnote_lines(notes: Sequence[Footnote], locale: str) -> str:
    """The footnotes under the table; a note's own line breaks indented under its first."""
    lines = [notes_heading(locale)]
    for note in notes:
        head = f"[{note.number}] "
        text = footnote_text(note, locale).replace("\r\n", "\n").replace("\r", "\n")
        lines.append(head + text.replace("\n", "\n" + " " * len(head)))
    return "\n".join(lines) + "\n"


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
    # The first node read alone: `result.nodes` builds and keeps every node of the Result.
    return next(iter(result)).places if len(result) else 2


CHUNK = 2_000  # rows tabulate lays out at once (see `_tabulated`)


def _tabulated(cells: list[list[str] | None], headers: list[str], align: list[str],
               wrapped: list[int | None] | None) -> Iterator[str]:
    """tabulate's "simple" table of `cells`, laid out `CHUNK` rows at a time: its pieces, to
    be joined with line breaks. `cells` is emptied as its rows are laid out.

    tabulate holds a table four times over while laying it out (its rows, its columns, the
    padded columns, the lines): at 100,000 indicators that was 300 MiB beside the report's
    text. Each chunk's first row is padded to the whole table's column widths, as tabulate
    pads every cell, so that every chunk is laid out to those widths and its lines are the
    ones a single call writes; the header and its rule are kept from the first chunk only.
    A chunk's rows are dropped once it is laid out (at 100,000 indicators the cells are
    50 MiB, held until the report's text is joined otherwise). A table with cells over
    several lines, or wrapped, is laid out in one call."""
    def lay_out(chunk: list[list[str]]) -> str:
        return tabulate(chunk, headers=headers, tablefmt="simple", colalign=align,
                        disable_numparse=True, preserve_whitespace=True, maxcolwidths=wrapped)

    rows = typing.cast(list[list[str]], cells)
    if len(rows) <= CHUNK or wrapped is not None:
        yield lay_out(rows)
        return
    width = _visible_width
    widths = [0] * len(headers)
    for line in rows:
        for column, text in enumerate(line):
            shown = width(text)
            if shown < 0 or "\n" in text or "\r" in text:  # not one printable line
                yield lay_out(rows)
                return
            widths[column] = max(widths[column], shown)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        cells[start:start + CHUNK] = [None] * len(chunk)
        chunk[0] = [text + " " * (most - width(text)) if side == "left"
                    else " " * (most - width(text)) + text
                    for text, most, side in zip(chunk[0], widths, align)]
        text = lay_out(chunk)
        del chunk
        yield text if start == 0 else text.split("\n", 2)[2]


def to_table(result: Result, view: View, locale: str) -> str:
    return "".join(_pieces(result, view, locale))


def streamed(result: Result, name: str, depth: int | None, locale: str) -> Iterator[str]:
    """The table `report.render(result, "table", name, depth, locale)` writes, in pieces
    to write one after the other (what `scorelang score` prints): the view's rows are
    dropped once they are cells, and the cells as each chunk of them is laid out, so that
    a long table never stands in memory whole beside its text. At 100,000 indicators the
    view's rows, the cells and the text were each 40 to 80 MiB."""
    from .views import view as build_view

    return _pieces(result, build_view(result, name, depth), locale)


def _pieces(result: Result, view: View, locale: str) -> Iterator[str]:
    """The table's text in pieces; holds `view` until its cells are made (the caller that
    wants it dropped keeps no reference of its own: `streamed`)."""
    view, numbered, notes = footnotes(view)
    marks = {position: f"[{number}]" for position, number in numbered.items()}
    # Prose is wrapped at the width a title is cut at: a finding's message is what the
    # advice table exists to show.
    wrapped = [TITLE_WIDTH if c.kind == "prose" else None for c in view.columns]
    # The view's rows taken out of it: dropped one by one as they become cells.
    lines: list[dict[str, Any] | None] = list(view.rows)
    view = attrs.evolve(view, rows=())
    cells: list[list[str] | None] = list(_cells(view, lines, locale, places(result),
                                                result.bands, marks=marks))
    del lines
    headers = [c.heading(locale) for c in view.columns]
    align = ["right" if c.kind in _RIGHT else "left" for c in view.columns]
    head = f"{heading(result, locale, view.heading(locale))}\n\n"
    del view
    yield head
    for number, piece in enumerate(_tabulated(cells, headers, align,
                                              wrapped if any(wrapped) else None)):
        yield piece if number == 0 else "\n" + piece
    del cells
    yield "\n" + ("\n" + _footnote_lines(notes, locale) if notes else "")
