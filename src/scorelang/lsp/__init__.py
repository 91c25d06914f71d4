"""The language server (`scorelang lsp`): diagnostics as you type, hover, go to definition,
references, completion, the outline, formatting, rename and quick fixes, for any editor that
speaks the Language Server Protocol (docs/editors.md).

It is a shell over what `scorelang check` and `scorelang fmt` already do — the API's
`diagnose`, the formatter — built on pygls, an optional extra: `pip install 'scorelang[lsp]'`.
This module imports neither pygls nor the server until the server runs.
"""

from __future__ import annotations

import importlib.util
import sys

# What `scorelang lsp` needs besides scorelang itself (the `lsp` extra of pyproject.toml).
REQUIRED = ("pygls", "lsprotocol")
MISSING_EXTRA = ("scorelang lsp: the language server needs the `lsp` extra, which is not "
                 "installed: pip install 'scorelang[lsp]'")


def missing() -> list[str]:
    """The packages of the `lsp` extra that cannot be imported here."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def main() -> int:
    """Serve on stdin/stdout until the editor says exit; 2 when the extra is not installed."""
    if missing():
        print(MISSING_EXTRA, file=sys.stderr)
        return 2
    from .server import serve

    serve()
    return 0
