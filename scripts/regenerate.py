"""Regenerate the files the repository keeps generated from other files, or check them.

    python3 scripts/regenerate.py          # rewrite them
    python3 scripts/regenerate.py --check  # exit 1 naming each file that is out of date

What it writes, and from what:

* `src/scorelang/report/rule_help.json`: each code's description and help for SARIF's rule
  metadata (what code scanning shows beside an alert), from the prose of its section in
  docs/diagnostics.md. Packaged, so that `scorelang check --format sarif` reads no docs at run
  time and an installed scorelang has the same help as a checkout.
* `completions/scorelang.bash` and `completions/_scorelang` (zsh): shell completion, generated
  by shtab from the command line's argument parser. shtab is needed only here (the `test`
  extra installs it), never at run time.

Run it after adding a code, a command or an option; tests/test_generated.py runs `--check`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from scorelang import DOCS_URL  # noqa: E402  (after the path: runs from a checkout)

DIAGNOSTICS_DOC = ROOT / "docs" / "diagnostics.md"
RULE_HELP = ROOT / "src" / "scorelang" / "report" / "rule_help.json"
COMPLETIONS = {"bash": ROOT / "completions" / "scorelang.bash",
               "zsh": ROOT / "completions" / "_scorelang"}

_HEADING = re.compile(r"## (SL\d{3}) — ")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def _sections(markdown: str) -> dict[str, list[str]]:
    """Each code's prose: the paragraphs between its heading and its first example."""
    sections: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            lines = sections.setdefault(heading.group(1), [])
        elif line.startswith(("#", "<!--", "```")):
            lines = None
        elif lines is not None:
            lines.append(line)
    return {code: _paragraphs(lines) for code, lines in sections.items()}


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs = [" ".join(part.split()) for part in "\n".join(lines).split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    # A section's prose may end by introducing its example ("Here, in a folder without
    # `plan.score`:"): without the example that sentence says nothing, so it goes.
    if paragraphs and paragraphs[-1].endswith(":"):
        last = paragraphs.pop()
        cut = last.rfind(". ")
        if cut > 0:
            paragraphs.append(last[:cut + 1])
    return paragraphs


def _absolute_links(markdown: str) -> str:
    page = urljoin(DOCS_URL, "diagnostics.md")
    return _LINK.sub(lambda m: f"[{m.group(1)}]({urljoin(page, m.group(2))})", markdown)


def _plain(markdown: str) -> str:
    """Markdown as plain text (SARIF's `text`): links become their words, emphasis goes."""
    text = _LINK.sub(lambda m: m.group(1), markdown)
    return _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)


def rule_help() -> str:
    """The packaged rule help, as JSON text: per code `full` (the first paragraph, plain),
    `text` and `markdown` (all the prose, then where the examples are)."""
    rules = {}
    for code, paragraphs in sorted(_sections(DIAGNOSTICS_DOC.read_text(encoding="utf-8")).items()):
        page = f"{urljoin(DOCS_URL, 'diagnostics.md')}#{code.lower()}"
        rules[code] = {
            "full": _plain(paragraphs[0]) if paragraphs else "",
            "text": "\n\n".join([*map(_plain, paragraphs), f"Examples and the fix: {page}"]),
            "markdown": "\n\n".join([*map(_absolute_links, paragraphs),
                                     f"[Examples and the fix]({page})"]),
        }
    document = {"generated_from": "docs/diagnostics.md by scripts/regenerate.py", "rules": rules}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def completions() -> dict[Path, str]:
    import shtab  # the `test` extra; only this script needs it

    from scorelang.cli import parser

    return {path: shtab.complete(parser(), shell=shell) for shell, path in COMPLETIONS.items()}


def generated() -> dict[Path, str]:
    return {RULE_HELP: rule_help(), **completions()}


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--check", action="store_true",
                         help="change nothing; exit 1 naming each file that is out of date")
    args = options.parse_args(argv)
    stale = []
    for path, text in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "out of date" if args.check else "rewrote"
        print(f"{verb}: {path.relative_to(ROOT)}", file=sys.stderr)
    if args.check and stale:
        print("run: python3 scripts/regenerate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
