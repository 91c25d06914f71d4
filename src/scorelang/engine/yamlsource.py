"""YAML read with positions: the spans of nodes and YAML syntax errors as diagnostics.

Values files, rule-test files and published-figures files are all read with PyYAML's safe
loader (node by node, to keep positions); this module is what they share. It reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from ..diagnostics import Diagnostic, Span, error


def node_span(source: str, node: yaml.Node) -> Span:
    """Where a YAML node stands; a node running over several lines is marked at its start."""
    start, end = node.start_mark, node.end_mark
    end_column = end.column if end.line == start.line else start.column + 1
    return Span(source, start.line + 1, start.column + 1, end.line + 1,
                max(end_column, start.column + 1))


def syntax_error(exc: yaml.YAMLError, source: str, code: str, hint: str) -> Diagnostic:
    """A YAML syntax error as a diagnostic at the position PyYAML reports."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        span = Span.point(source, mark.line + 1, mark.column + 1) if mark else None
        return error(code, f"not valid YAML: {exc.problem or exc}", span, hint)
    return error(code, f"not valid YAML: {exc}", Span.point(source, 1, 1))


def root_node(loader: yaml.SafeLoader, source: str, code: str, hint: str,
              failure: Callable[[list[Diagnostic]], Exception]) -> yaml.Node | None:
    """The document's root node, its data constructed once so that YAML's own errors come out
    here, raised as `failure([diagnostic])`. An impossible date (2020-06-31, a ValueError) is
    left to the caller's walk over the nodes, which knows where it stands."""
    root = None
    try:
        root = loader.get_single_node()
        if root is not None:
            loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise failure([syntax_error(exc, source, code, hint)]) from None
    except ValueError:
        pass
    return root
