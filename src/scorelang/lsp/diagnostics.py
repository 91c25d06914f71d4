"""scorelang's diagnostics as the editor shows them, and the quick fixes they carry.

Each is the diagnostic `scorelang check` prints: the same code, span and message, its hint on
a line of its own, and a link to the code's section of docs/diagnostics.md. A diagnostic with
a `fix` (the "did you mean" name, the missing '%') becomes a quick fix that writes it.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from ..diagnostics import Diagnostic, Severity
from .analysis import Analysis, Place

# Where each code is explained: docs/diagnostics.md has an anchor per code (`#sl206`).
DOCS = "https://github.com/scorelang/scorelang/blob/main/docs/diagnostics.md"
SOURCE = "scorelang"

Ranger = Callable[[Place], types.Range]

_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error,
             Severity.WARNING: types.DiagnosticSeverity.Warning}


def place_of(diagnostic: Diagnostic) -> Place:
    """Where the editor marks a diagnostic; one without a span marks the first character."""
    return Place(0, 0, 0, 0) if diagnostic.span is None else Place.of(diagnostic.span)


def message(diagnostic: Diagnostic) -> str:
    if diagnostic.hint:
        return f"{diagnostic.message}\nhint: {diagnostic.hint}"
    return diagnostic.message


def to_protocol(diagnostic: Diagnostic, to_range: Ranger) -> types.Diagnostic:
    return types.Diagnostic(
        range=to_range(place_of(diagnostic)),
        message=message(diagnostic),
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=f"{DOCS}#{diagnostic.code.lower()}"),
        source=SOURCE,
    )


def published(analysis: Analysis, to_range: Ranger) -> list[types.Diagnostic]:
    return [to_protocol(d, to_range) for d in analysis.diagnostics]


def quick_fixes(analysis: Analysis, uri: str, wanted: Place,
                to_range: Ranger) -> list[types.CodeAction]:
    """A quick fix for each diagnostic with a fix that touches the range the editor asks for."""
    actions = []
    for diagnostic in analysis.diagnostics:
        fix = diagnostic.fix
        if fix is None or not place_of(diagnostic).meets(wanted):
            continue
        edit = types.TextEdit(range=to_range(Place.of(fix.span)), new_text=fix.text)
        actions.append(types.CodeAction(
            title=f"Write `{fix.text}` ({diagnostic.code})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[to_protocol(diagnostic, to_range)],
            edit=types.WorkspaceEdit(changes={uri: [edit]}),
            is_preferred=True,
        ))
    return actions
