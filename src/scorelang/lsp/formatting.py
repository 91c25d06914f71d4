"""Formatting as `scorelang fmt` formats, as the few edits that turn the text into it.

The whole document is always formatted (the layout of a line depends on its neighbours: the
weights of a run of uses are aligned together); the edits are the changed runs of lines, so
the editor keeps its cursor and marks on lines that did not change. Formatting a range applies
only the runs that touch it. Text that does not parse is not formatted (fmt refuses it too).
"""

from __future__ import annotations

import difflib

import attrs

from ..diagnostics import ParseError
from ..syntax.format import format_text
from .analysis import Place, Text


@attrs.frozen
class Edit:
    place: Place
    text: str


def format_edits(text: str, filename: str, within: Place | None = None) -> list[Edit] | None:
    """The edits to the canonical layout (touching `within`, when given); None when the text
    does not parse."""
    try:
        formatted = format_text(text, filename)
    except ParseError:
        return None
    old = text.splitlines(keepends=True)
    new = formatted.splitlines(keepends=True)
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line))
    source = Text(text)
    edits = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or not _touches(within, i1, i2):
            continue
        edits.append(Edit(source.place(starts[i1], starts[i2]), "".join(new[j1:j2])))
    return edits


def _touches(within: Place | None, first: int, stop: int) -> bool:
    """Whether old lines [first, stop) — an insertion before `first` when empty — touch the
    range's lines."""
    if within is None:
        return True
    last = max(first, stop - 1)
    return first <= within.end_line and last >= within.line
