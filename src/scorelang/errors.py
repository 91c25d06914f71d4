"""The exceptions the API raises: `ScorelangError` and its family, each carrying diagnostics.

Apart from `diagnostics` (which re-exports them) because every command catches them, a
clean one too: `scorelang check` on a warm cache, a pre-commit hook's common case, reports
nothing, and importing the diagnostics' attrs classes to catch an error it never meets was a
fifth of its start. The diagnostics are imported where one is made or read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only (pyproject's import contract says so)
    from .diagnostics import Diagnostic


class ScorelangError(Exception):
    """The one exception the API raises for bad rules or values; it carries the diagnostics."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        first = next((d for d in self.diagnostics if d.is_error), None)
        summary = first.headline() if first else "scorelang error"
        more = sum(1 for d in self.diagnostics if d.is_error) - 1
        if more > 0:
            summary += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(summary)


class ParseError(ScorelangError):
    """The rule text is not valid scorelang syntax."""


class CheckError(ScorelangError):
    """The rule text parses but breaks a rule of the language (unknown name, weights, ...)."""


class ValuesError(ScorelangError):
    """A values file (or mapping) does not fit the plan."""
