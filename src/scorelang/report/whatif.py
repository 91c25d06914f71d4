"""What-if outcomes for people (text, in the plan's language) and programs (JSON, whose keys
and operation names stay English)."""

from __future__ import annotations

import datetime as dt
import json

import attrs

from ..engine.result import FORMAT_VERSION
from ..tools.whatif import Drop, Operation, SetTarget, SetValue, SetWeight, WhatIf
from ..engine import numbers
from .speech import say, speaking


def operation_text(operation: Operation, locale: str) -> str:
    """An operation as a sentence: "Drop target=reclami_evasi" is said "reclami_evasi is
    dropped from the plan" ("reclami_evasi è tolto dal piano")."""
    if isinstance(operation, Drop):
        return say("{node} is dropped from the plan", node=operation.target)
    if isinstance(operation, SetWeight):
        weight = numbers.percent(operation.percent, locale)
        if operation.keep_others:
            return say("the weight of {node} becomes {weight}, its siblings keep theirs",
                       node=operation.node, weight=weight)
        return say("the weight of {node} becomes {weight}, its siblings share the rest in "
                   "proportion", node=operation.node, weight=weight)
    if isinstance(operation, SetTarget):
        if operation.period is not None:
            return say("the target of {indicator} for period {period} becomes {target}",
                       indicator=operation.indicator, period=operation.period,
                       target=operation.target)
        return say("the target of {indicator} becomes {target}",
                   indicator=operation.indicator, target=operation.target)
    if isinstance(operation, SetValue):
        value = operation.value
        shown = ("N/D" if value is None else numbers.date(value, locale)
                 if isinstance(value, dt.date) else numbers.measure(value, None, locale)
                 if isinstance(value, (int, float)) else str(value))
        return say("the value of {indicator} becomes {value}", indicator=operation.indicator,
                   value=shown)
    return str(operation)


def whatif_text(outcome: WhatIf, locale: str | None = None) -> str:
    with speaking(locale or outcome.after.locale) as lang:
        return _whatif_text(outcome, lang)


def _whatif_text(outcome: WhatIf, lang: str) -> str:
    lines = [say("Operations:")] + [f"  - {operation_text(op, lang)}"
                                    for op in outcome.operations]
    lines += ["", say("Scores that change ({count}):", count=len(outcome.changes))]
    width = max([len(c.node) for c in outcome.changes] + [4])
    for change in outcome.changes:
        before = numbers.percent(change.before, lang)
        after = numbers.percent(change.after, lang)
        delta = "" if change.before is None or change.after is None else \
            f"  ({numbers.points(change.after - change.before, lang)})"
        lines.append(f"  {change.node:<{width}}  {before:>10} → {after:>10}{delta}  "
                     f"{change.title[:60]}")
    if outcome.removed:
        lines += ["", say("Removed: {nodes}", nodes=", ".join(outcome.removed))]
    lines += _unused_text(outcome, lang)
    lines += ["", say("New findings ({count}):", count=len(outcome.new_findings))]
    lines += [f"  {f.node}: [{f.category}] {f.message}" for f in outcome.new_findings]
    return "\n".join(lines) + "\n"


def _unused_text(outcome: WhatIf, lang: str) -> list[str]:
    """The values file's entries the re-modulated plan no longer declares, each with its
    line: without them removed, the values file does not score the written plan (SL307)."""
    entries = outcome.unused_entries()
    if not entries:
        return []
    source = outcome.values.source if outcome.values is not None else say("the values file")
    lines = ["", say("Values that no longer apply ({count}): the re-modulated plan has no such "
                     "indicator", count=len(entries)) + ":"]
    lines += [f"  {name}" + (f" ({span.file}:{span.line})" if span is not None else "")
              for name, span in entries]
    return lines + ["  " + say("to score it, remove these entries from {source} (or keep a copy "
                               "without them beside the new plan)", source=source)]


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
