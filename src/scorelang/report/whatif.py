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
    lines += _unused_text(outcome, lang)
    lines += ["", f"New findings ({len(outcome.new_findings)}):"]
    lines += [f"  {f.node}: [{f.category}] {f.message}" for f in outcome.new_findings]
    return "\n".join(lines) + "\n"


_UNUSED = {
    "en": ("Values that no longer apply ({count}): the re-modulated plan has no such "
           "indicator", "to score it, remove these entries from {source} (or keep a copy "
           "without them beside the new plan)"),
    "it": ("Valori non più applicabili ({count}): il piano rimodulato non ha questi "
           "indicatori", "per valutarlo, togliere queste voci da {source} (o tenerne una "
           "copia senza di esse accanto al nuovo piano)"),
}


def _unused_text(outcome: WhatIf, lang: str) -> list[str]:
    """The values file's entries the re-modulated plan no longer declares, each with its
    line: without them removed, the values file does not score the written plan (SL307)."""
    entries = outcome.unused_entries()
    if not entries:
        return []
    head, how = _UNUSED["it" if lang == "it" else "en"]
    source = outcome.values.source if outcome.values is not None else "the values file"
    lines = ["", head.format(count=len(entries)) + ":"]
    lines += [f"  {name}" + (f" ({span.file}:{span.line})" if span is not None else "")
              for name, span in entries]
    return lines + ["  " + how.format(source=source)]


def whatif_json(outcome: WhatIf) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "operations": [dict(attrs.asdict(op), operation=type(op).__name__)
                       for op in outcome.operations],
        "changes": [attrs.asdict(c) for c in outcome.changes],
        "removed": list(outcome.removed),
        "unused_values": [{"indicator": name, "file": span.file if span else None,
                           "line": span.line if span else None}
                          for name, span in outcome.unused_entries()],
        "new_findings": [f.to_dict() for f in outcome.new_findings],
        "after": outcome.after.to_dict(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str,
                      allow_nan=False) + "\n"
