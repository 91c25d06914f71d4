"""Reports: each a pure function of a Result (or several, for a comparison), returning text.

`render(result, format, view, depth, locale)` is what the CLI and embedders call; `json` is the
machine contract and ignores view, depth and locale.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..result import Result
from . import views
from .csv import to_csv
from .json import comparison_json, findings_json, to_json
from .markdown import to_markdown
from .table import to_table

TEXT_FORMATS = ("table", "markdown", "csv", "json")
_RENDERERS = {"table": to_table, "markdown": to_markdown, "csv": to_csv}


def render(result: Result, format: str = "table", view: str = "tree", depth: int | None = None,
           locale: str | None = None) -> str:
    """A scored plan as text in one of TEXT_FORMATS (and "html" when available)."""
    if format == "json":
        return to_json(result)
    if format == "html":
        from .html import to_html  # the page is large: build it only when asked

        return to_html(result, locale)
    chosen = views.view(result, view, depth)
    return _RENDERERS[format](result, chosen, locale or result.locale)


def render_findings(result: Result, format: str = "table", locale: str | None = None) -> str:
    """What the plan's advice rules say, grouped by category (JSON: the findings list)."""
    if format == "json":
        return findings_json(result)
    return _RENDERERS[format](result, views.findings(result), locale or result.locale)


def render_comparison(results: Sequence[Result], labels: Sequence[str], format: str = "table",
                      depth: int | None = None, locale: str | None = None) -> str:
    """Each node's score side by side across results, with the change first → last."""
    if format == "json":
        return comparison_json(results, labels)
    chosen = views.comparison(results, labels, depth)
    return _RENDERERS[format](results[-1], chosen, locale or results[-1].locale)


__all__ = ["TEXT_FORMATS", "render", "render_comparison", "render_findings", "to_json", "views"]
