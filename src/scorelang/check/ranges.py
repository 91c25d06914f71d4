"""The check of rows that are ranges of a figure: score tables (`steps`, `points`; codes
SL238–SL243, `leaf_rules`) and reward bands (`reward`; SL281–SL285, `individual`).

One rule, as `engine.scoring.piecewise` scores both: rows [lower, upper) of a figure, ascending,
each giving a fixed value or one linear from its lower bound to its upper; the first row may be
`below A`, the last `from A`; no empty or reversed row, no gap, no overlap, no row out of order;
a warning when a higher figure gets less. What a context calls each mistake (its code, message
and hint) is its own `Wording`; what differs in substance is `Coverage`. Like `checks`, it never
raises and never changes the plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Protocol

import attrs

from .. import model
from ..diagnostics import Diagnostic

# Bounds are fractions read from decimal text: two this close are the same bound.
_SAME = 1e-12


class Wording(Protocol):
    """A context's diagnostics for each mistake, with its codes, messages and hints."""

    def no_rows(self) -> Diagnostic: ...

    def reversed(self, row: model.RangeRow, lower: float, upper: float) -> Diagnostic: ...

    def uncovered_below(self, row: model.RangeRow, lower: float) -> Diagnostic: ...

    def uncovered_above(self, row: model.RangeRow, upper: float) -> Diagnostic: ...

    def misplaced(self, row: model.RangeRow) -> Diagnostic: ...

    def overlap(self, row: model.RangeRow, lower: float, previous_upper: float,
                out_of_order: bool) -> Diagnostic: ...

    def gap(self, row: model.RangeRow, previous_upper: float, lower: float) -> Diagnostic: ...

    def falls_after(self, row: model.RangeRow, lower: float, before: float) -> Diagnostic: ...

    def falls_within(self, row: model.RangeRow, start: float, end: float) -> Diagnostic: ...


@attrs.frozen
class Coverage:
    """Where the two contexts' documented rules differ, said once each.

    - `lowest`: the figure the rows must reach down to. A score table must start with `below`
      (-inf: achievements may be anything, SL238); reward bands may start with a row from 0 %
      (final scores are not negative, SL281).
    - `warn_once` and `slack`: a score table warns once for a falling score (SL243: the first
      fall says the table is misprinted), comparing the scores as written; reward bands warn at
      every row that pays less (SL285), allowing a 1e-12 float slack on the shares (fractions).
    """

    lowest: float
    warn_once: bool
    slack: float


def range_rows(rows: Sequence[model.RangeRow], words: Wording,
               coverage: Coverage) -> Iterator[Diagnostic]:
    """The mistakes in rows that must be ranges of a figure, as `words` names them."""
    if not rows:
        yield words.no_rows()
        return
    for row in rows:
        if row.lower is not None and row.upper is not None and row.lower >= row.upper:
            yield words.reversed(row, row.lower, row.upper)
    first, last = rows[0], rows[-1]
    if first.lower is not None and first.lower > coverage.lowest:
        yield words.uncovered_below(first, first.lower)
    if last.upper is not None:
        yield words.uncovered_above(last, last.upper)
    for index, row in enumerate(rows):
        if (row.lower is None and index > 0) or (row.upper is None and index < len(rows) - 1):
            yield words.misplaced(row)
    for previous, row in zip(rows, rows[1:]):
        if previous.upper is None or row.lower is None:
            continue  # a misplaced `below` or `from`: reported above
        if row.lower < previous.upper - _SAME:
            below = previous.lower if previous.lower is not None else -math.inf
            yield words.overlap(row, row.lower, previous.upper, row.lower < below)
        elif row.lower > previous.upper + _SAME:
            yield words.gap(row, previous.upper, row.lower)
    # A higher figure getting less: a row starting below the previous row's end, else a row
    # running downwards; one warning a row, as (starts below the previous end, warning).
    found: list[tuple[bool, Diagnostic]] = []
    for before, row in zip([None, *rows], rows):
        if before is not None and before.upper is not None and row.lower is not None \
                and row.start < _end(before) - coverage.slack:
            found.append((True, words.falls_after(row, row.lower, _end(before))))
        elif _end(row) < row.start - coverage.slack:
            found.append((False, words.falls_within(row, row.start, _end(row))))
    if coverage.warn_once:  # the first row starting below, else the first running down
        found = sorted(found, key=lambda fall: not fall[0])[:1]
    yield from (warning for _, warning in found)


def _end(row: model.RangeRow) -> float:
    """The value at a row's upper end: its second value, or its fixed one."""
    return row.start if row.end is None else row.end
