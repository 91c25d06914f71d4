"""Diagnostics for people and for CI: text, JSON, GitHub workflow commands, SARIF 2.1.0.

Each function takes the diagnostics (and, for text, a way to read source lines) and returns
the text to print. Nothing here decides what is wrong.
"""

from __future__ import annotations

import functools
import json
import os.path
import re
from collections.abc import Callable, Collection, Sequence
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from .. import DOCS_URL, PROJECT_URL
from ..check.codes import CODES
from ..diagnostics import Diagnostic, Span, render
from ..files import read_lines_or_none

FORMAT_VERSION = 1
# The OASIS schema (errata 01), the one tests/sarif-schema-2.1.0.json is a copy of.
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DIAGNOSTICS_URI = f"{DOCS_URL}diagnostics.md"
SRCROOT = "%SRCROOT%"


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
    # files.read_text reads regular files only (a FIFO or a device could block or never end)
    return read_lines_or_none(file)


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


def _rule_name(title: str) -> str:
    """SARIF's `name`, a Pascal-case identifier made of the title: "unknown indicator" ->
    UnknownIndicator, "date not written YYYY-MM-DD" -> DateNotWrittenYyyyMmDd (articles and
    a possessive's `s` would put two capitals in a row)."""
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"'s\b", "", title))
    return "".join(w[0].upper() + w[1:].lower() for w in words if len(w) > 1 or w.isdigit())


@functools.cache
def _rule_help() -> dict[str, dict[str, str]]:
    """Each code's description and help: the prose of its section in docs/diagnostics.md,
    packaged as rule_help.json by scripts/regenerate.py (the docs are not installed)."""
    text = resources.files(__package__).joinpath("rule_help.json").read_text(encoding="utf-8")
    rules: dict[str, dict[str, str]] = json.loads(text)["rules"]
    return rules


def _sarif_rule(code: str) -> dict[str, object]:
    title = CODES.get(code, code)
    uri = f"{DIAGNOSTICS_URI}#{code.lower()}"
    written = _rule_help().get(code)
    if written is None:  # a code whose section is not yet in the packaged help
        written = {"full": title, "text": f"{title}. Examples and the fix: {uri}",
                   "markdown": f"{title}. [Examples and the fix]({uri})"}
    return {"id": code, "name": _rule_name(title),
            "shortDescription": {"text": title},
            "fullDescription": {"text": written["full"] or title},
            "help": {"text": written["text"], "markdown": written["markdown"]},
            "helpUri": uri}


class _Artifacts:
    """Artifact locations: relative to `%SRCROOT%` (the folder scorelang ran in) where the
    file is inside it, as code scanning expects; an absolute file URI otherwise."""

    def __init__(self, root: Path):
        self.root = root

    def base_ids(self) -> dict[str, object]:
        return {SRCROOT: {"uri": self.root.as_uri().rstrip("/") + "/",
                          "description": {"text": "The folder scorelang was run in."}}}

    def location(self, span: Span) -> dict[str, object]:
        absolute = Path(os.path.abspath(self.root / span.file))
        try:
            relative = absolute.relative_to(self.root)
        except ValueError:
            artifact: dict[str, object] = {"uri": absolute.as_uri()}
        else:
            artifact = {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}
        return {"physicalLocation": {
            "artifactLocation": artifact,
            # SARIF's end column is exclusive; a Span's is inclusive.
            "region": {"startLine": span.line, "startColumn": span.column,
                       "endLine": span.end_line, "endColumn": span.end_column + 1},
        }}


def _sarif_message(d: Diagnostic, related: Sequence[Span]) -> dict[str, str]:
    """The message alone in `text` (its first sentence is the summary SARIF asks for); the
    hint, which says what to do, in `markdown`, the form SARIF lets run longer. A message that
    names the first place of a duplicate links it: `[first at line 6](1)`, the related
    location with id 1."""
    text = d.message
    for index, span in enumerate(related, start=1):
        phrase = f"first at line {span.line}"
        text = text.replace(phrase, f"[{phrase}]({index})", 1)
    message = {"text": text}
    if d.hint:
        message["markdown"] = f"{text}\n\nHint: {d.hint}"
    return message


def to_sarif(diagnostics: Sequence[Diagnostic], version: str, root: Path | None = None) -> str:
    """SARIF 2.1.0 for code scanning: one run, a rule per code used (with its help), a result
    per diagnostic; paths relative to `root` (default: the current folder) as `%SRCROOT%`."""
    artifacts = _Artifacts(Path(os.path.abspath(root or Path.cwd())))
    used = sorted({d.code for d in diagnostics})
    results = []
    for d in diagnostics:
        related = [span for span in d.related if d.span is not None]
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": d.severity.value,
            "message": _sarif_message(d, related),
        }
        if d.span is not None:
            result["locations"] = [artifacts.location(d.span)]
        if related:
            result["relatedLocations"] = [
                dict(artifacts.location(span), id=index,
                     message={"text": f"first at line {span.line}"})
                for index, span in enumerate(related, start=1)]
        results.append(result)
    document = {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [{
            "tool": {"driver": {"name": "scorelang", "version": version,
                                "semanticVersion": version, "informationUri": PROJECT_URL,
                                "rules": [_sarif_rule(code) for code in used]}},
            "originalUriBaseIds": artifacts.base_ids(),
            # Columns count characters (code points), as everywhere in scorelang, not the
            # UTF-16 units SARIF assumes otherwise.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
