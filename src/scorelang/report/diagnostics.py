"""Diagnostics for people and for CI: text, JSON, GitHub workflow commands, SARIF 2.1.0.

Each function takes the diagnostics (and, for text, a way to read source lines) and returns
the text to print. Nothing here decides what is wrong.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from ..check.codes import CODES
from ..diagnostics import Diagnostic, render
from ..files import InputError, read_text

FORMAT_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URI = "docs/diagnostics.md"


# The files an excerpt may come from, by the ends of their names: those scorelang reads.
INPUT_SUFFIXES = (".score", ".yaml", ".yml")


def source_lines(file: str, named: Collection[str] = ()) -> list[str] | None:
    """The lines of the file a diagnostic is about, for its excerpt; None when none is shown.

    An excerpt prints a line of a file. It comes only from a regular file of a kind scorelang
    reads (a rule file, a YAML file: `INPUT_SUFFIXES`) or one of the files `named` (those the
    command was given): a diagnostic that names any other file (a rule test naming
    /etc/shadow is refused anyway, SL013) shows its position, never a line of it."""
    if not (file.lower().endswith(INPUT_SUFFIXES) or file in named):
        return None
    path = Path(file)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # a FIFO or a device: reading it could block or never end
        return read_text(path, "file").splitlines()
    except (OSError, InputError):
        return None


def to_text(diagnostics: Sequence[Diagnostic],
            source_lines: Callable[[str], list[str] | None]) -> str:
    out = []
    for diagnostic in diagnostics:
        lines = source_lines(diagnostic.span.file) if diagnostic.span else None
        out.append(render(diagnostic, lines))
    return "\n".join(out) + ("\n" if out else "")


def to_json(diagnostics: Sequence[Diagnostic]) -> str:
    document = {"format_version": FORMAT_VERSION,
                "diagnostics": [d.to_dict() for d in diagnostics]}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: each problem shows on the pull request's diff."""
    out = []
    for d in diagnostics:
        properties = [f"title={_escape_property(d.code + ' ' + CODES.get(d.code, ''))}"]
        if d.span is not None:
            properties = [f"file={_escape_property(d.span.file)}", f"line={d.span.line}",
                          f"col={d.span.column}", f"endLine={d.span.end_line}",
                          f"endColumn={d.span.end_column}"] + properties
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{d.severity.value} {','.join(properties)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def to_sarif(diagnostics: Sequence[Diagnostic], version: str) -> str:
    """SARIF 2.1.0 for code-scanning tools; SARIF end columns are exclusive."""
    used = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "shortDescription": {"text": CODES.get(code, code)},
              "helpUri": f"{DOCS_URI}#{code.lower()}"} for code in used]
    results = []
    for d in diagnostics:
        text = d.message + (f" (hint: {d.hint})" if d.hint else "")
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": d.severity.value,
            "message": {"text": text},
        }
        if d.span is not None:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": d.span.file},
                "region": {"startLine": d.span.line, "startColumn": d.span.column,
                           "endLine": d.span.end_line, "endColumn": d.span.end_column + 1},
            }}]
        results.append(result)
    document = {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [{
            "tool": {"driver": {"name": "scorelang", "version": version,
                                "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
