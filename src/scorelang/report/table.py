"""Views as terminal tables (tabulate), indented by depth where the view has a tree.

Notes on the values are numbered footnotes: a marker "[1]" after the node's name, the notes
listed under the table (views.footnotes).

`streamed` is the table `scorelang score` prints: made from the view's source
(views.ViewSource) in two passes over its rows, the first measuring the columns, the second
laying out the cells a chunk at a time, so that neither the rows nor their cells are ever
held whole. It writes what `to_table` writes, byte for byte.
"""

from __future__ import annotations

import typing
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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


_wide_width = _width_measure()


def _visible_width(text: str) -> int:
    """A cell's width as tabulate measures it. Printable ASCII is one column a character
    whatever measures it, and most cells are: read so without wcwidth, which reads a cell a
    character at a time (a second of a 100,000-indicator table)."""
    return len(text) if text.isascii() and text.isprintable() else _wide_width(text)

from ..model import Band
from ..engine.result import Result
from ..engine import numbers
from .cells import cell
from .views import (Column, Footnote, FootnoteNumbers, View, ViewSource, footnote_text,
                    footnotes, without_value_notes)
from .words import PAGE_WORDS

TITLE_WIDTH = 64
_RIGHT = {"percent", "weight", "measure", "points", "scale_points"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def marked_column(view: View) -> str:
    """The column a footnote's marker follows: the tree's names, else the indicator's title."""
    return _marked(view.columns, view.depth_key)


def _marked(columns: Sequence[Column], depth_key: str | None) -> str:
    keys = [column.key for column in columns]
    return depth_key or ("title" if "title" in keys else keys[0])


@attrs.frozen
class _Cells:
    """How a view's rows become the text of their cells: the one place a row's cells are
    made, for a whole view (`rows`) and for a streamed table's two passes alike."""

    columns: tuple[Column, ...]
    depth_key: str | None
    locale: str
    places: int
    bands: Sequence[Band]
    shorten: bool = True
    marked: str | None = None  # the column a footnote's marker follows (`marked_column`)

    def line(self, row: dict[str, Any], mark: str | None = None) -> list[str]:
        """The cells of `row`; its footnote's `mark` is added to the marked column after
        shortening, so that a long title never loses its marker."""
        line = []
        for column in self.columns:
            text = cell(column, row, self.locale, self.places, self.bands)
            marked = mark if column.key == self.marked else None
            room = TITLE_WIDTH - (len(marked) + 1 if marked else 0)
            if column.key == self.depth_key:
                indent = "  " * int(row.get("depth", 0))
                text = indent + (_shorten(text, room - len(indent)) if self.shorten else text)
            elif self.shorten and column.kind == "text":
                text = _shorten(text, room)
            line.append(f"{text} {marked}" if marked else text)
        return line


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
    made = _Cells(view.columns, view.depth_key, locale, places, bands, shorten,
                  marked_column(view) if marks else None)
    out = []
    for position in range(len(lines)):
        row = lines[position]
        lines[position] = None
        assert row is not None
        out.append(made.line(row, marks.get(position) if marks else None))
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


CHUNK = 2_000  # rows tabulate lays out at once (see `_chunked`)


def _lay_out(lines: list[list[str]], headers: list[str], align: list[str],
             wrapped: list[int | None] | None = None) -> str:
    """tabulate's "simple" table of `lines`, in one call."""
    return tabulate(lines, headers=headers, tablefmt="simple", colalign=align,
                    disable_numparse=True, preserve_whitespace=True, maxcolwidths=wrapped)


def _measured(line: list[str], widths: list[int]) -> bool:
    """Widens `widths` to the cells of `line`; False when a cell is not one printable line,
    which only a table laid out in one call shows as tabulate would."""
    for column, text in enumerate(line):
        shown = _visible_width(text)
        if shown < 0 or "\n" in text or "\r" in text:
            return False
        if shown > widths[column]:
            widths[column] = shown
    return True


def _tabulated(cells: list[list[str] | None], headers: list[str], align: list[str],
               wrapped: list[int | None] | None) -> Iterator[str]:
    """The table of `cells`, laid out `CHUNK` rows at a time (`_chunked`) when it is longer:
    its pieces, to be joined with line breaks. `cells` is emptied as its rows are laid out.
    A table with cells over several lines, or wrapped, is laid out in one call."""
    rows = typing.cast(list[list[str]], cells)
    if len(rows) <= CHUNK or wrapped is not None:
        yield _lay_out(rows, headers, align, wrapped)
        return
    widths = [0] * len(headers)
    if not all(_measured(line, widths) for line in rows):
        yield _lay_out(rows, headers, align)
        return
    yield from _chunked(_taken(cells), widths, headers, align)


def _taken(cells: list[list[str] | None]) -> Iterator[list[str]]:
    """The rows of `cells` in order, each dropped from it as it is read."""
    for position, line in enumerate(cells):
        cells[position] = None
        assert line is not None
        yield line


def _chunked(lines: Iterable[list[str]], widths: Sequence[int], headers: list[str],
             align: list[str]) -> Iterator[str]:
    """The table of `lines`, whose cells are at most `widths` wide, laid out `CHUNK` rows at
    a time: its pieces, to be joined with line breaks.

    tabulate holds a table four times over while laying it out (its rows, its columns, the
    padded columns, the lines): at 100,000 indicators that was 300 MiB beside the report's
    text. Each chunk's first row is padded to the whole table's column widths, as tabulate
    pads every cell, so that every chunk is laid out to those widths and its lines are the
    ones a single call writes; the header and its rule are kept from the first chunk only.
    A chunk's rows are dropped once it is laid out."""
    def laid_out(chunk: list[list[str]], first: bool) -> str:
        chunk[0] = [text + " " * (most - _visible_width(text)) if side == "left"
                    else " " * (most - _visible_width(text)) + text
                    for text, most, side in zip(chunk[0], widths, align)]
        text = _lay_out(chunk, headers, align)
        return text if first else text.split("\n", 2)[2]

    chunk: list[list[str]] = []
    first = True
    for line in lines:
        chunk.append(line)
        if len(chunk) == CHUNK:
            text = laid_out(chunk, first)
            chunk, first = [], False
            yield text
    if chunk:
        text = laid_out(chunk, first)
        del chunk
        yield text


def _headers(columns: Sequence[Column], locale: str) -> tuple[list[str], list[str]]:
    """The columns' headings and alignments."""
    return ([c.heading(locale) for c in columns],
            ["right" if c.kind in _RIGHT else "left" for c in columns])


def _framed(head: str, pieces: Iterator[str], notes: Sequence[Footnote],
            locale: str) -> Iterator[str]:
    """The whole text around the table's `pieces`: its heading above, its footnotes below."""
    yield head
    for number, piece in enumerate(pieces):
        yield piece if number == 0 else "\n" + piece
    yield "\n" + ("\n" + _footnote_lines(notes, locale) if notes else "")


def to_table(result: Result, view: View, locale: str) -> str:
    return "".join(_pieces(result, view, locale))


def _pieces(result: Result, view: View, locale: str) -> Iterator[str]:
    """The table's text in pieces; holds `view` until its cells are made (the caller that
    wants it dropped keeps no reference of its own)."""
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
    headers, align = _headers(view.columns, locale)
    head = f"{heading(result, locale, view.heading(locale))}\n\n"
    del view
    pieces = _tabulated(cells, headers, align, wrapped if any(wrapped) else None)
    del cells  # held by `pieces` alone, which empties it as it goes
    return _framed(head, pieces, notes, locale)


def streamed(result: Result, name: str, depth: int | None, locale: str) -> Iterator[str]:
    """The table `report.render(result, "table", name, depth, locale)` writes, in pieces
    to write one after the other (what `scorelang score` prints), never holding the view's
    rows or their cells whole: at 100,000 indicators they were 80 and 50 MiB.

    A first pass over the rows measures the cells of every column the view could show and
    numbers the footnotes; the rows then say which columns it does show. A second pass makes
    the rows and their cells again and lays them out a chunk at a time to the measured widths
    (`_chunked`): the Result keeps no node of a large plan, so the passes cost time, not
    memory. A table that one call of tabulate must lay out (short, wrapped, a cell over
    several lines) is made from the whole view, as `to_table` makes it."""
    from .views import source

    return _streamed(result, source(result, name, depth), locale)


def _streamed(result: Result, source: ViewSource, locale: str) -> Iterator[str]:
    """`streamed`, of the view's source."""
    every = source.columns(lambda key: True)  # every column the view could show
    if any(c.kind == "prose" for c in every):  # wrapped: laid out in one call
        yield from _pieces(result, source.built(), locale)
        return
    candidates = without_value_notes(every)
    noted = len(candidates) < len(every)  # the notes on the values could be footnotes
    numbering = FootnoteNumbers()

    def mark(row: dict[str, Any]) -> str | None:
        number = numbering.number(row) if noted else None
        return None if number is None else f"[{number}]"

    made = _Cells(candidates, source.depth_key, locale, places(result), result.bands,
                  marked=_marked(candidates, source.depth_key))
    widths = [0] * len(candidates)
    keys: set[str] = set()
    # The rows of a short table, laid out in one call: kept rather than made again (a
    # summary or a `--depth 1` tree of a large plan reads every node for a few rows).
    short: list[dict[str, Any]] | None = []
    for row in source.rows():
        keys.update(row)
        if short is not None:
            short.append(row)
            if len(short) > CHUNK:
                short = None
        if not _measured(made.line(row, mark(row)), widths):
            yield from _pieces(result, source.built(), locale)
            return
    if short is not None:
        yield from _pieces(result, source.holding(tuple(short)), locale)
        return
    columns = source.columns(keys.__contains__)
    shown = without_value_notes(columns)
    kept = _kept(shown, candidates)
    if (kept is None or _marked(shown, source.depth_key) != made.marked
            or (numbering.notes and len(shown) == len(columns))):
        # What the first pass measured is not what is shown: the view whole, as `to_table`.
        yield from _pieces(result, source.built(), locale)
        return
    made = attrs.evolve(made, columns=shown)
    headers, align = _headers(shown, locale)
    lines = (made.line(row, mark(row)) for row in source.rows())
    head = f"{heading(result, locale, source.heading(locale))}\n\n"
    yield from _framed(head, _chunked(lines, [widths[i] for i in kept], headers, align),
                       numbering.notes, locale)


def _kept(shown: Sequence[Column], candidates: Sequence[Column]) -> list[int] | None:
    """The position among `candidates` of each column `shown`, in order; None when one is
    not there."""
    positions: list[int] = []
    for column in shown:
        start = positions[-1] + 1 if positions else 0
        if column not in candidates[start:]:
            return None
        positions.append(candidates.index(column, start))
    return positions
