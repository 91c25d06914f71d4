"""Reports: each a pure function of a Result (or several, for a comparison), returning text.

`render(result, format, view, depth, locale)` is what the CLI and embedders call; `json` is the
machine contract and ignores view, depth and locale.

The renderers are imported when a report is asked for, not with the package: `scorelang check`
uses only `report.diagnostics`, and must not load tabulate or the scored-plan classes for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.result import Result
    from . import views
    from .json import to_json
    from .views import View

TEXT_FORMATS = ("table", "markdown", "csv", "json")
# The views `render` offers (`views.BUILDERS` builds them): named here so that the command line
# can list them without importing any report.
VIEWS = ("summary", "tree", "indicators", "scorecards", "findings")


def _as_text(format: str, result: Result, chosen: View, locale: str) -> str:
    """A view as a table, markdown or CSV."""
    if format == "table":
        from .table import to_table

        return to_table(result, chosen, locale)
    if format == "markdown":
        from .markdown import to_markdown

        return to_markdown(result, chosen, locale)
    if format == "csv":
        from .csv import to_csv

        return to_csv(result, chosen, locale)
    raise KeyError(format)


def render(result: Result, format: str = "table", view: str = "tree", depth: int | None = None,
           locale: str | None = None) -> str:
    """A scored plan as text in one of TEXT_FORMATS (and "html" when available)."""
    if format == "json":
        from .json import to_json

        return to_json(result)
    if format == "html":
        from .html import to_html  # the page is large: build it only when asked

        return to_html(result, locale)
    from .views import view as build_view

    chosen = build_view(result, view, depth)
    return _as_text(format, result, chosen, locale or result.locale)


def render_findings(result: Result, format: str = "table", locale: str | None = None) -> str:
    """What the plan's advice rules say, grouped by category (JSON: the findings list)."""
    if format == "json":
        from .json import findings_json

        return findings_json(result)
    from .views import findings

    return _as_text(format, result, findings(result), locale or result.locale)


def render_comparison(results: Sequence[Result], labels: Sequence[str], format: str = "table",
                      depth: int | None = None, locale: str | None = None) -> str:
    """Each node's score side by side across results, with the change first → last."""
    if format == "json":
        from .json import comparison_json

        return comparison_json(results, labels)
    from .views import comparison

    chosen = comparison(results, labels, depth)
    return _as_text(format, results[-1], chosen, locale or results[-1].locale)


def __getattr__(name: str) -> object:
    """`to_json` and `views`, importable from here as before, imported on first use."""
    if name == "to_json":
        from .json import to_json

        return to_json
    if name == "views":
        # Not `from . import views`: that asks this package for `views` first, i.e. this hook.
        __import__(f"{__name__}.views")
        return sys.modules[f"{__name__}.views"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TEXT_FORMATS", "VIEWS", "render", "render_comparison", "render_findings", "to_json",
           "views"]
