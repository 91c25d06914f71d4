"""The JSON contract of a scored tree (`FORMAT_VERSION`), locale-free, scores unrounded."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..engine.result import FORMAT_VERSION, Result


# Where the nodes go in the whole's text: a top-level key (two spaces in) can be met nowhere
# else, since a string in JSON never holds a raw line break.
_NODES = '\n  "nodes": [],\n'


def to_json(result: Result) -> str:
    """`result.to_dict()` as JSON text, indented by two, written node by node: the text is
    `json.dumps` of the whole, to the byte. With an indent, json's encoder is Python's, which
    gathers the text in pieces of a few characters each; for the whole of a 100k-indicator
    plan those pieces and the dicts they came from were most of `score --format json`'s
    750 MB. Each node's text is made from its dict alone, indented as in the whole."""
    whole, nodes = result.to_dict_parts()
    text = json.dumps(whole, ensure_ascii=False, indent=2, allow_nan=False)
    head, tail = text.split(_NODES)
    parts = [head, '\n  "nodes": [']
    before = "\n    "  # the first node's; "," before each of the others
    for node in nodes:
        parts.append(before)
        parts.append(json.dumps(node, ensure_ascii=False, indent=2, allow_nan=False)
                     .replace("\n", "\n    "))
        before = ",\n    "
    parts.append("],\n" if len(parts) == 2 else "\n  ],\n")  # `[]` when there is none
    parts.append(tail)
    parts.append("\n")
    return "".join(parts)


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
