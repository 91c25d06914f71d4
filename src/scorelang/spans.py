"""Spans kept packed: a source position in one int where it fits, a Span again when read.

What the plan model (`Located`) and a values file (`SpanTable`) hold per node and per entry.
Apart from `diagnostics` so that a command that reports nothing (`scorelang check` on a warm
cache) neither compiles nor runs it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, MutableMapping
from typing import TypeVar

from .diagnostics import Span

# A span kept by the plan model is packed into one int where it fits (`packed`), and made a
# Span again when read (`unpacked`): a plan holds about five spans an indicator, and as Span
# objects with the line numbers they point to they were a third of a loaded plan's memory
# (88 bytes each, at 100,000 indicators 42 MiB, and 15 MiB of line ints). The int is 32 bytes
# and needs no line ints of its own. A span that does not fit (a file beyond the first
# `_FILES_KEPT` named, a line beyond 2**23, a column or a block's height beyond 1023, a cell)
# stays a Span. The file is kept as its number in `_FILES`, this process's own: a packed span
# never leaves the process (the cache writes the Span: check.codec).
_COLUMN_BITS = 10  # a column, an end column, a block's height in lines
_LINE_BITS = 23
_FILES_KEPT = 1 << 7  # so that a packed span stays below 2**60: a two-digit int
_FILES: list[str] = []
_FILE_NUMBER: dict[str, int] = {}
_FILING = threading.Lock()


def packed(span: Span | int | None) -> Span | int | None:
    """`span` as the model keeps it: an int where it fits, else the Span (see above)."""
    if span is None or span.__class__ is int:
        return span
    assert isinstance(span, Span)
    number = _FILE_NUMBER.get(span.file)
    if number is None:
        with _FILING:
            number = _FILE_NUMBER.get(span.file)
            if number is None:
                if len(_FILES) >= _FILES_KEPT:
                    return span
                number = _FILE_NUMBER[span.file] = len(_FILES)
                _FILES.append(span.file)
    line, column, height, end_column = \
        span.line, span.column, span.end_line - span.line, span.end_column
    most = 1 << _COLUMN_BITS
    if span.cell is not None or not (0 <= line < 1 << _LINE_BITS and 0 <= column < most
                                     and 0 <= height < most and 0 <= end_column < most):
        return span
    return ((((number << _LINE_BITS | line) << _COLUMN_BITS | column) << _COLUMN_BITS
             | height) << _COLUMN_BITS) | end_column


def unpacked(span: Span | int | None) -> Span | None:
    """The Span of what `packed` made (a new, equal Span at each call)."""
    if span is None or span.__class__ is not int:
        return span  # type: ignore[return-value]
    assert isinstance(span, int)
    mask = (1 << _COLUMN_BITS) - 1
    end_column = span & mask
    span >>= _COLUMN_BITS
    height = span & mask
    span >>= _COLUMN_BITS
    column = span & mask
    span >>= _COLUMN_BITS
    line = span & ((1 << _LINE_BITS) - 1)
    return Span(_FILES[span >> _LINE_BITS], line, column, line + height, end_column)


K = TypeVar("K")


class SpanTable(MutableMapping[K, Span]):
    """Spans by key (a values file's entries by indicator), kept packed (`packed`): a values
    file of 100,000 entries held 33 MiB of Spans until it was scored."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[K, Span | int] = {}

    def __getitem__(self, key: K) -> Span:
        return unpacked(self._kept[key])  # type: ignore[return-value]

    def __setitem__(self, key: K, span: Span) -> None:
        self._kept[key] = packed(span)  # type: ignore[assignment]

    def __delitem__(self, key: K) -> None:
        del self._kept[key]

    def __contains__(self, key: object) -> bool:
        return key in self._kept

    def __iter__(self) -> Iterator[K]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def __repr__(self) -> str:
        return f"SpanTable({dict(self.items())!r})"


def span_repr(span: Span | int | None) -> str:
    """How a packed span shows in its model object's repr: as the Span it stands for."""
    return repr(unpacked(span))


class Located:
    """A model class whose span is kept packed (`packed`) in its field `_span`, which its
    constructor takes as `span` (attrs' alias of a private field), and read as a Span."""

    __slots__ = ()
    _span: Span | int | None

    @property
    def span(self) -> Span | None:
        return unpacked(self._span)
