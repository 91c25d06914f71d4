"""Issue 18, point 7: what a reader sees of the text reports, not only their source.

The markdown tree is rendered by a CommonMark parser with tables (markdown-it-py, as
GitHub-flavoured readers do): each level keeps its indentation. The advice table wraps the
message it exists to show instead of cutting it.
"""

from __future__ import annotations

import re

import pytest

import scorelang
from scorelang.report import views

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")

_CELL = re.compile(r"<tr>\s*<td>(.*?)</td>", re.S)


def test_the_markdown_tree_keeps_its_indentation_once_rendered(modena_result):
    text = scorelang.render(modena_result, "markdown", "tree", None, "en")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    first_cells = _CELL.findall(html.split("<h3>")[0])  # the tree, not the annex below it
    rows = views.tree(modena_result).rows
    assert len(first_cells) == len(rows)
    for cell, row in zip(first_cells, rows):
        shown = cell.replace("&amp;", "&")
        indent = len(shown) - len(shown.lstrip("\u00a0"))
        assert indent == 2 * row["depth"], (cell, row["depth"])


def test_the_advice_table_wraps_each_message_whole(modena_result):
    text = scorelang.render_findings(modena_result, "table", "it")
    assert modena_result.findings
    flat = " ".join(text.split())
    for finding in modena_result.findings:
        assert " ".join(finding.message.split()) in flat
    assert "…" not in "".join(line[-70:] for line in text.splitlines())
