"""Diagnostics: what every stage reports about a rule or values file.

A diagnostic carries a stable code, a severity, a span (file, line, column, end), a plain
message and, where one helps, a hint. This module only describes and renders them; it never
decides what is wrong (that is `build`, `check` and `values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

import attrs

# The exceptions carrying diagnostics, defined apart (see errors.py), named here too.
from .errors import CheckError as CheckError
from .errors import ParseError as ParseError
from .errors import ScorelangError as ScorelangError
from .errors import ValuesError as ValuesError


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Span:
    """A region of a source file; lines and columns count from 1, the end is inclusive.

    In a workbook the place is a cell: `cell` is its address as the spreadsheet shows it
    (`Valori!C14`), printed instead of line:column, and line and column are its row and
    column numbers (14, 3), which SARIF and editors still read. A CSV file's span needs no
    address: its line and column are the row and the field (`valori.csv:14:3`)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: str | None = None

    @classmethod
    def point(cls, file: str, line: int, column: int) -> Span:
        return cls(file, line, column, line, column)

    def to_dict(self) -> dict[str, object]:
        """The JSON form: file, line, column, end_line, end_column, and `cell` for a cell."""
        out = attrs.asdict(self)
        if self.cell is None:
            del out["cell"]
        return out

    @classmethod
    def of_cell(cls, file: str, sheet: str, row: int, column: int) -> Span:
        """The cell at `row`, `column` (from 1) of `sheet` in the workbook `file`."""
        return cls(file, row, column, row, column, f"{sheet_reference(sheet)}!"
                   f"{column_letters(column)}{row}")


def column_letters(column: int) -> str:
    """A spreadsheet's name of a column: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_reference(sheet: str) -> str:
    """A sheet's name as a cell reference writes it: quoted when not a plain word
    (`'Dati 2020'!A1`), with a quote inside doubled."""
    if sheet.replace("_", "").isalnum():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@attrs.frozen
class Fix:
    """A repair so mechanical that an editor may offer it as a quick fix: `text` replaces
    `span` (the "did you mean" name, the missing '%'). Most diagnostics have none: their hint
    asks for a decision only the author can make."""

    span: Span
    text: str


@attrs.frozen
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    fix: Fix | None = None
    # Other places the message speaks of ("first at line 6"): SARIF's relatedLocations, an
    # editor's related information. Not part of the text or JSON forms, which name the line.
    related: tuple[Span, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        if self.span is None:
            return ""
        if self.span.cell is not None:
            return f"{self.span.file}:{self.span.cell}: "
        return f"{self.span.file}:{self.span.line}:{self.span.column}: "

    def headline(self) -> str:
        return f"{self.location()}{self.severity.value}[{self.code}]: {self.message}"

    def to_dict(self) -> dict[str, object]:
        span = None
        if self.span is not None:
            span = self.span.to_dict()
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "span": span,
            "hint": self.hint,
        }


def error(code: str, message: str, span: Span | None = None, hint: str | None = None,
          fix: Fix | None = None, related: tuple[Span, ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint, fix, related)


def warning(code: str, message: str, span: Span | None = None, hint: str | None = None,
            fix: Fix | None = None, related: tuple[Span, ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint, fix, related)


def in_source_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position; diagnostics without a span come first, in their own order."""

    def key(d: Diagnostic) -> tuple[str, int, int]:
        if d.span is None:
            return ("", 0, 0)
        return (d.span.file, d.span.line, d.span.column)

    return sorted(diagnostics, key=key)


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate an unknown name most likely meant, or None when nothing is close."""
    import difflib  # here, not at the top: `scorelang check` on a warm cache never suggests

    options = list(candidates)
    same_but_case = [c for c in options if c.lower() == name.lower()]
    close = same_but_case or difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for an unknown name, or None when nothing is close."""
    return meant_hint(closest(name, candidates))


def meant_hint(meant: str | None) -> str | None:
    """The 'did you mean' hint for a name `closest` found (None: no hint), for a caller that
    also needs the name itself (the editor's fix)."""
    return f"did you mean `{meant}`?" if meant else None


def renamed(span: Span, name: str, meant: str | None) -> Fix | None:
    """The fix that writes `meant` for the unknown `name` that `span` starts with."""
    if meant is None:
        return None
    return Fix(Span(span.file, span.line, span.column, span.line, span.column + len(name) - 1),
               meant)


# The most of a source line a diagnostic shows, and how much of it before the span: a line of
# megabytes (one long text, a whole file on one line) is shown as the piece around the mistake.
_SHOWN, _BEFORE = 160, 60


def render(diagnostic: Diagnostic, source_lines: Sequence[str] | None = None) -> str:
    """Human form: headline, the source line with a caret under the span, then the hint."""
    out = [diagnostic.headline()]
    span = diagnostic.span
    # A cell is no place in a text: a workbook's diagnostic shows no excerpt.
    if span is not None and span.cell is None and source_lines is not None \
            and 1 <= span.line <= len(source_lines):
        line = source_lines[span.line - 1].rstrip("\n")
        column = span.column
        if len(line) > _SHOWN:  # clip before expanding tabs: never copy the whole line
            start = max(0, min(column - 1 - _BEFORE, len(line) - _SHOWN))
            line = ("…" if start else "") + line[start:start + _SHOWN] \
                + ("…" if start + _SHOWN < len(line) else "")
            column = column - start + (1 if start else 0)
        text = line.expandtabs(4)
        width = 1
        if span.end_line == span.line and span.end_column >= span.column:
            width = span.end_column - span.column + 1
        width = max(1, min(width, max(1, len(text) - column + 1)))
        gutter = f"{span.line:>5} | "
        out.append(gutter + text)
        out.append(" " * (len(gutter) + column - 1) + "^" * width)
    if diagnostic.hint:
        out.append(f"  hint: {diagnostic.hint}")
    return "\n".join(out)
