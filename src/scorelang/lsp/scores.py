"""The values file the editor names (setting `scorelang.values`), scored against the open plan:
what hover shows beside an indicator or a node. Scored through `Plan.evaluate`, as `scorelang
score` does; kept until the text, the file or the setting changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from ..diagnostics import ScorelangError
from ..engine.result import Result
from .analysis import Analysis


@attrs.frozen
class Scores:
    """The result of the values file, or why there is none."""

    values: Path
    result: Result | None = None
    problem: str | None = None


class Scorer:
    """Scores one document's plan against the values file; one outcome kept per document."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[str, str, float], Scores]] = {}

    def scores(self, uri: str, analysis: Analysis, values: Path) -> Scores:
        try:
            stamp = os.stat(values).st_mtime
        except OSError:
            return Scores(values, problem=f"the values file {values} cannot be read")
        key = (analysis.text, str(values), stamp)
        kept = self._kept.get(uri)
        if kept is not None and kept[0] == key:
            return kept[1]
        outcome = _score(analysis, values)
        self._kept[uri] = (key, outcome)
        return outcome

    def forget(self, uri: str) -> None:
        self._kept.pop(uri, None)


def _score(analysis: Analysis, values: Path) -> Scores:
    from ..engine.plan import Plan
    from ..engine.values import load_values

    errors = [d for d in analysis.diagnostics if d.is_error]
    if analysis.plan is None or errors:
        return Scores(values, problem="no score while the rules have errors")
    try:
        plan = Plan(analysis.plan, analysis.diagnostics)
        result = plan.evaluate(load_values(values,
                                           number_format=plan.definition.policy.locale))
    except ScorelangError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else None
        return Scores(values, problem=first.headline() if first else str(exc))
    return Scores(values, result=result)
