"""A Verification as text for the OIV, or as JSON (format_version 1) for a program.

Text: a header (plan, period, how many figures were checked and how many reconcile), then each
figure that does not reconcile with the printed text, the recomputed figure at the printed
decimals and unrounded, the difference and the explanation of the recomputed figure, then a
closing line. Recomputed figures are written in the published file's notation (`locale`), so
they read side by side with the printed ones; the explanations are explain's text as is.
JSON: every checked figure with its outcome, numbers unrounded, and the discrepancies with
their explanation as `explanation_dict`. Nothing here compares or rounds by itself: outcomes
come from verify.py, every shown number from `rounding.half_up` via report/numbers.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..engine.result import FORMAT_VERSION
from ..engine.rounding import half_up
from ..tools.verify import Check, Verification, settled
from ..engine import numbers
from .explain import explain_text, explanation_dict, kind
from .speech import locale as say_locale, say, speaking

INDENT = "   "
_KIND = {"score": "score", "value": "value", "summary_score": "score in the summary table",
         "weight": "weight in the summary table"}
_PERCENT_KINDS = ("score", "summary_score", "weight")
# How many of each kind were checked: the singular and the plural, said in the plan's language.
_COUNTED = {"score": ("{n} score", "{n} scores"), "value": ("{n} value", "{n} values"),
            "summary_score": ("{n} summary score", "{n} summary scores"),
            "weight": ("{n} summary weight", "{n} summary weights")}


def _plural(count: int, one: str, many: str) -> str:
    return say(one if count == 1 else many, n=count)


# ---- text -----------------------------------------------------------------------------------

def verify_text(verification: Verification, locale: str | None = None) -> str:
    """The verification in `locale` (default: the published file's)."""
    with speaking(locale or verification.locale):
        return _verify_text(verification)


def _verify_text(verification: Verification) -> str:
    v = verification
    context = say("Plan: {title} ({id})", title=v.plan_title, id=v.plan_id)
    if v.period is not None:
        context += say("; period {period}", period=v.period)
    if v.as_of is not None:
        context += say("; monitoring date {date}", date=numbers.date(v.as_of, say_locale()))
    total, wrong = len(v.checks), len(v.discrepancies)
    kinds = ", ".join(_plural(sum(1 for c in v.checks if c.entry.kind == kind), *words)
                      for kind, words in _COUNTED.items()
                      if any(c.entry.kind == kind for c in v.checks))
    figures = _plural(total, "{n} figure", "{n} figures")
    lines = [say("Published figures: {source}", source=v.source), context,
             say("{figures} checked ({kinds}): {reconciled} reconcile, {wrong} do not",
                 figures=figures, kinds=kinds, reconciled=v.reconciled, wrong=wrong)
             if wrong != 1 else
             say("{figures} checked ({kinds}): {reconciled} reconcile, {wrong} does not",
                 figures=figures, kinds=kinds, reconciled=v.reconciled, wrong=wrong)]
    if wrong:
        lines += ["", say("Not reproduced by the rules ({wrong}):", wrong=wrong)]
    for number, check in enumerate(v.discrepancies, 1):
        lines += [""] + _discrepancy(number, check, v.locale)
    lines.append("")
    published = _plural(total, "{n} published figure", "{n} published figures")
    if wrong == 1:
        lines.append(say("{wrong} of {published} does not reconcile with the rules.",
                         wrong=wrong, published=published))
    elif wrong:
        lines.append(say("{wrong} of {published} do not reconcile with the rules.",
                         wrong=wrong, published=published))
    else:
        lines.append(say("All {published} reconcile with the rules.", published=published))
    return "\n".join(lines) + "\n"


def _discrepancy(number: int, check: Check, locale: str) -> list[str]:
    entry, figure = check.entry, check.entry.figure
    head = say("{number}. {kind} of {subject} {ref} \"{title}\"", number=number,
               kind=say(_KIND[entry.kind]), subject=kind(check.subject), ref=entry.ref,
               title=check.title)
    where = f"{entry.span.file}:{entry.span.line}:{entry.span.column}" if entry.span else None
    decimals = _plural(figure.places, "{n} decimal", "{n} decimals")
    printed = say("printed:    {text}", text=figure.text)
    if not figure.missing and figure.date is None:
        printed += say("  ({decimals}: reconciles within ±{tolerance})", decimals=decimals,
                       tolerance=numbers.decimal_text(figure.tolerance, locale))
    lines = [head] + ([INDENT + say("at {where}", where=where)] if where else []) + [
        INDENT + printed, INDENT + say("recomputed: {figure}", figure=_recomputed(check, locale)),
        INDENT + say("difference: {difference}", difference=_difference(check, locale))]
    if check.note:
        note = say(check.remark[0], **check.remark[1]) if check.remark else check.note
        lines.append(INDENT + say("note: {note}", note=note))
    if check.explanation is not None:
        lines.append(INDENT + (say("how the weight comes about (its parent's sum):")
                               if entry.kind == "weight" else say("explanation:")))
        lines += [(INDENT * 2 + line).rstrip()
                  for line in explain_text(check.explanation, say_locale()).splitlines()]
    return lines


def _recomputed(check: Check, locale: str) -> str:
    value, figure, places = check.recomputed, check.entry.figure, check.places
    if value is None:
        return say("no weight") if check.entry.kind == "weight" else "N/D"
    if isinstance(value, dt.date):
        return say("done {date}", date=numbers.date(value, locale))
    unrounded = numbers.decimal_text(settled(value), locale)
    if check.entry.kind in _PERCENT_KINDS:
        return say("{shown}  (unrounded {unrounded})",
                   shown=numbers.percent(value, locale, places), unrounded=unrounded)
    unit = f" {figure.unit}" if figure.unit else ""
    if figure.number is None:  # printed N/D: nothing to round to
        return say("{unrounded}{unit} (recorded)", unrounded=unrounded, unit=unit)
    shown = numbers.decimal_text(half_up(value, places), locale, places)
    return say("{shown}{unit}  (recorded {unrounded}{unit})", shown=shown, unit=unit,
               unrounded=unrounded)


def _difference(check: Check, locale: str) -> str:
    difference = check.difference
    if difference is None:
        if check.outcome == "printed_nd":
            return say("printed N/D, the rules give a figure")
        if check.outcome == "recomputed_nd":
            return say("printed a figure, the rules give no weight") \
                if check.entry.kind == "weight" else say("printed a figure, the rules give N/D")
        return say("the dates differ")
    places = check.entry.figure.places
    shown = numbers.points(float(difference), locale, places)
    unit = say("points") if check.entry.kind in _PERCENT_KINDS else check.entry.figure.unit or ""
    return f"{shown} {unit}".rstrip() + say(" (recomputed − printed)")


# ---- JSON -----------------------------------------------------------------------------------

def verify_json(verification: Verification) -> str:
    return json.dumps(verification_dict(verification), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def verification_dict(verification: Verification) -> dict[str, Any]:
    v = verification
    return {
        "format_version": FORMAT_VERSION,
        "plan": {"id": v.plan_id, "title": v.plan_title},
        "period": v.period,
        "as_of": _date(v.as_of),
        "published": v.source,
        "locale": v.locale,
        "counts": {"checked": len(v.checks), "reconciled": v.reconciled,
                   "discrepancies": len(v.discrepancies)},
        "exit_code": v.exit_code,
        "figures": [_check_dict(check) for check in v.checks],
        "discrepancies": [
            {**_check_dict(check),
             "explanation": None if check.explanation is None
             else explanation_dict(check.explanation)}
            for check in v.discrepancies],
    }


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _check_dict(check: Check) -> dict[str, Any]:
    entry, figure = check.entry, check.entry.figure
    recomputed = check.recomputed
    shown = check.shown
    difference = check.difference
    span = entry.span
    return {
        "kind": entry.kind,
        "ref": entry.ref,
        "subject": check.subject,
        "title": check.title,
        "outcome": check.outcome,
        "printed": {
            "text": figure.text,
            "number": None if figure.number is None else float(figure.number),
            "date": _date(figure.date),
            "places": figure.places,
            "unit": figure.unit,
            "tolerance": float(figure.tolerance),
        },
        "recomputed": recomputed.isoformat() if isinstance(recomputed, dt.date) else recomputed,
        "recomputed_shown": None if shown is None else str(shown),
        "difference": None if difference is None else float(difference),
        "note": check.note,
        "location": None if span is None else {"file": span.file, "line": span.line,
                                               "column": span.column},
    }


__all__ = ["FORMAT_VERSION", "verification_dict", "verify_json", "verify_text"]
