"""Views as Markdown tables (GitHub flavour), for wikis, issues and reports in Markdown.

A `|` in a cell (a title, say) is written `\\|`, and a line break as a space: either would
otherwise end the cell or the row and shift every column after it.

Notes on the values are GitHub's footnotes: `[^1]` after the node's name, `[^1]: the note`
under the table. A note is text the office wrote, not Markdown: every character Markdown
gives a meaning (`<`, `&`, `*`, `[`…) is escaped with a backslash, and a line break becomes
a space (a footnote is one paragraph).
"""

from __future__ import annotations

import re

from tabulate import tabulate

from ..engine.result import Result
from .table import heading, notes_heading, places, rows
from .views import View, footnote_text, footnotes
from .words import PAGE_WORDS

_RIGHT = {"percent", "weight", "measure", "points", "scale_points"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


# What CommonMark (and GitHub's tables and strikethrough) reads as markup within a line: a
# backslash before it makes it text. Markup that only counts at the start of a line (`#`,
# `-`, `1.`) cannot occur: a footnote's line starts with its `[^N]:`.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")


def plain(text: str) -> str:
    """Text shown as written, whatever Markdown would make of it."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def to_markdown(result: Result, view: View, locale: str) -> str:
    view, numbered, notes = footnotes(view)
    marks = {position: f"[^{number}]" for position, number in numbered.items()}
    body = [[_cell(text) for text in line]
            for line in rows(view, locale, places(result), result.bands, shorten=False,
                             marks=marks)]
    if view.depth_key is not None:
        # Markdown collapses spaces, and a table cell is trimmed of every Unicode space (a
        # literal no-break space too, CommonMark and GitHub alike): indent tree levels with
        # the entity `&nbsp;`, which is read only after trimming and renders as a space.
        key = [c.key for c in view.columns].index(view.depth_key)
        for line in body:
            stripped = line[key].lstrip(" ")
            line[key] = "&nbsp;" * (len(line[key]) - len(stripped)) + stripped
    table = tabulate(body, headers=[_cell(c.heading(locale)) for c in view.columns], tablefmt="github",
                     colalign=["right" if c.kind in _RIGHT else "left" for c in view.columns],
                     disable_numparse=True, preserve_whitespace=True)
    text = f"## {heading(result, locale, view.heading(locale))}\n\n{table}\n"
    if notes:
        text += f"\n### {plain(notes_heading(locale))}\n\n" + "".join(
            f"[^{note.number}]: {plain(footnote_text(note, locale))}\n" for note in notes)
    return text + _annex(result, view, locale)


def _annex(result: Result, view: View, locale: str) -> str:
    """Below the tree and the indicators: the description of each indicator the view shows,
    as the plan's annex prints it, once per indicator in the order first shown."""
    described = result.descriptions
    shown = [row for row in view.rows if row.get("indicator") in described]
    if view.name not in ("tree", "indicators") or not shown:
        return ""
    used = dict.fromkeys(row["indicator"] for row in shown)
    titles = {row["indicator"]: row["title"] for row in shown}
    words = PAGE_WORDS["it" if locale == "it" else "en"]
    head = words["annex"]
    columns = [words["indicator"], words["node"], words["description"]]
    body = [[_cell(ind or ""), _cell(titles[ind]), _cell(described[ind or ""])] for ind in used]
    table = tabulate(body, headers=columns, tablefmt="github", disable_numparse=True)
    return f"\n### {head}\n\n{table}\n"
