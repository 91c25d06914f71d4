"""What-if outcomes for people (text) and programs (JSON)."""

from __future__ import annotations

import json

import attrs

from ..engine.result import FORMAT_VERSION
from ..tools.whatif import WhatIf
from ..engine import numbers


def _operation(operation: object) -> str:
    fields = attrs.asdict(operation)  # type: ignore[arg-type]
    name = type(operation).__name__
    return name + " " + ", ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, False))


def whatif_text(outcome: WhatIf, locale: str | None = None) -> str:
    lang = locale or outcome.after.locale
    lines = ["Operations:"] + [f"  - {_operation(op)}" for op in outcome.operations]
    lines += ["", f"Scores that change ({len(outcome.changes)}):"]
    width = max([len(c.node) for c in outcome.changes] + [4])
    for change in outcome.changes:
        before = numbers.percent(change.before, lang)
        after = numbers.percent(change.after, lang)
        delta = "" if change.before is None or change.after is None else \
            f"  ({numbers.points(change.after - change.before, lang)})"
        lines.append(f"  {change.node:<{width}}  {before:>10} → {after:>10}{delta}  "
                     f"{change.title[:60]}")
    if outcome.removed:
        lines += ["", "Removed: " + ", ".join(outcome.removed)]
    lines += ["", f"New findings ({len(outcome.new_findings)}):"]
    lines += [f"  {f.node}: [{f.category}] {f.message}" for f in outcome.new_findings]
    return "\n".join(lines) + "\n"


def whatif_json(outcome: WhatIf) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "operations": [dict(attrs.asdict(op), operation=type(op).__name__)
                       for op in outcome.operations],
        "changes": [attrs.asdict(c) for c in outcome.changes],
        "removed": list(outcome.removed),
        "new_findings": [f.to_dict() for f in outcome.new_findings],
        "after": outcome.after.to_dict(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str,
                      allow_nan=False) + "\n"
