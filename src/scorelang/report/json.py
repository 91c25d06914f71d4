"""The JSON contract of a scored tree (format_version 1), locale-free, scores unrounded."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..engine.result import FORMAT_VERSION, Result


def to_json(result: Result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def findings_json(result: Result) -> str:
    grouped: dict[str, list[dict[str, str]]] = {}
    for finding in result.findings:
        grouped.setdefault(finding.category, []).append(finding.to_dict())
    return json.dumps({"format_version": FORMAT_VERSION, "plan": result.plan_id,
                       "period": result.period, "categories": grouped},
                      ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def comparison_json(results: Sequence[Result], labels: Sequence[str]) -> str:
    """Scores side by side: one entry per node of the first result, change = last − first."""
    nodes = []
    for node in results[0]:
        scores = [r[node.id].score if node.id in r else None for r in results]
        change = None if scores[0] is None or scores[-1] is None else scores[-1] - scores[0]
        nodes.append({"id": node.id, "parent": node.parent, "kind": node.kind,
                      "title": node.title, "scores": scores, "change": change})
    columns = [{"label": label, "plan": r.plan_id, "period": r.period,
                "as_of": r.as_of.isoformat() if r.as_of else None}
               for label, r in zip(labels, results)]
    return json.dumps({"format_version": FORMAT_VERSION, "columns": columns, "nodes": nodes},
                      ensure_ascii=False, indent=2, allow_nan=False) + "\n"
