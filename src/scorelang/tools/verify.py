"""Verify published figures: check every figure a document prints against the rules.

A published-figures file (examples/cciaa-modena-2020/pubblicati-2020-06.yaml) holds each figure
as printed: achievements ("62,96%", "100,%", "N/D"), measured values ("3.111.720.000,00 €",
"-17,82 gg") and the summary table's [score, weight] rows; `published` reads it. `verify`
compares each figure, at the decimals it was printed with, with the evaluator's Result (scores,
weights) and the values file (measured values).

A figure reconciles when the recomputed value lies within half a unit of its last printed
decimal, boundary included ("62,96%" allows ±0.005, "100,%" ±0.5). N/D reconciles only with
N/D. The comparison is done in Decimal on the float settled by `rounding.half_up` at its noise
places, so binary noise cannot decide a figure that sits exactly on the boundary.

This module compares. It never scores (every figure comes from the Result), never
changes a published figure, and formats nothing (report/verify.py does).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import Diagnostic, did_you_mean, error, in_source_order
from .explain import Explanation, explain
from ..engine.result import NodeResult, Result
from ..engine.rounding import half_up
from ..engine.values import Values

if TYPE_CHECKING:  # as in explain: api may one day import verify, so no import cycle at run time
    from ..api import Plan

# Reading the file is `published`'s job; its names stay importable from here.
from .published import (KINDS, LOCALES, Entry, Figure, Published, PublishedError,  # noqa: F401
                        load_published, loads_published, parse_figure, plain_number)

OUTCOMES = (
    "reconciles",  # within half a unit of the last printed decimal, or N/D on both sides
    "differs",  # both are figures, and they differ by more than that
    "printed_nd",  # printed N/D, the rules give a figure
    "recomputed_nd",  # printed a figure, the rules give N/D (or the plan no weight)
)
# The places at which rounding.half_up settles a float to the decimal it stands for (its
# noise places): comparing that decimal, not the float, makes 62.965 exactly 62.965.
_SETTLED = 9

@attrs.frozen
class Check:
    """A printed figure against the recomputed one."""

    entry: Entry
    recomputed: float | dt.date | None  # unrounded: percent for scores and weights; None N/D
    outcome: str  # one of OUTCOMES
    subject: str  # the node's kind ("area", "objective", ...) or "indicator" for a value
    title: str  # of the node or indicator, for reports
    places: int  # decimals to show the recomputed figure at: the printed ones, else the plan's
    note: str | None = None
    # For a figure that does not reconcile: the computation behind the recomputed figure, one
    # level deep (a score: its node; a weight: its parent's sum; a value: its first use).
    explanation: Explanation | None = None
    # The note as an English template and its fields, for a report to say in the plan's
    # language (`note` is the template filled in, as JSON gives it).
    remark: tuple[str, dict[str, str]] | None = None

    @property
    def reconciles(self) -> bool:
        return self.outcome == "reconciles"

    @property
    def shown(self) -> Decimal | None:
        """The recomputed figure at the printed decimals (half-up)."""
        if not isinstance(self.recomputed, float):
            return None
        return half_up(self.recomputed, self.places)

    @property
    def difference(self) -> Decimal | None:
        """Recomputed minus printed, exact (the recomputed float settled first)."""
        number = self.entry.figure.number
        if not isinstance(self.recomputed, float) or number is None:
            return None
        return settled(self.recomputed) - number


@attrs.frozen
class Verification:
    plan_id: str
    plan_title: str
    period: str | None
    as_of: dt.date | None
    source: str  # the published-figures file
    locale: str  # how the published file writes numbers: reports show figures the same way
    checks: tuple[Check, ...]  # one per published figure, in file order

    @property
    def discrepancies(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.reconciles)

    @property
    def reconciled(self) -> int:
        return sum(1 for check in self.checks if check.reconciles)

    @property
    def exit_code(self) -> int:
        """0 when every published figure reconciles, 1 otherwise."""
        return 0 if not self.discrepancies else 1


def settled(value: float) -> Decimal:
    """The decimal a float stands for, binary noise dropped (62.964999999999996 -> 62.965)."""
    return half_up(value, _SETTLED)


# ---- comparing ------------------------------------------------------------------------------

def verify(plan: Plan, result: Result, published: Published, values: Values) -> Verification:
    """Every published figure against the rules: scores and weights from `result`, measured
    values from `values`, the values file `result` was scored from (the Result carries the
    values of the tree's indicators only, not of those used only in scorecards).

    Raises PublishedError (SL503) when the file names a node, indicator, plan, period or
    monitoring date that `result` does not have: those figures cannot be compared at all."""
    problems = _unknown(plan, result, published)
    if problems:
        raise PublishedError(in_source_order(problems))
    checks = tuple(_check(plan, result, values, entry) for entry in published.entries)
    return Verification(result.plan_id, result.plan_title, result.period, result.as_of,
                        published.source, published.locale, checks)


def _unknown(plan: Plan, result: Result, published: Published) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    spans = published.spans
    if published.plan is not None and published.plan != result.plan_id:
        found.append(error("SL503", f"the figures are for plan `{published.plan}`, not "
                           f"`{result.plan_id}`", spans.get("plan"),
                           "verify them against the rules of the plan that printed them"))
    if published.period is not None and published.period != result.period:
        periods = [p.id for p in plan.definition.periods]
        advice = (f"score the values of period `{published.period}` (--period)"
                  if published.period in periods else did_you_mean(published.period, periods)
                  or "declared periods: " + (", ".join(periods) or "none"))
        found.append(error("SL503", f"the figures are for period `{published.period}`, the "
                           f"values were scored for `{result.period}`", spans.get("period"),
                           advice))
    if published.as_of is not None and published.as_of != result.as_of:
        scored = result.as_of.isoformat() if result.as_of else "none"
        found.append(error("SL503", f"the figures are of the monitoring of "
                           f"{published.as_of.isoformat()}, the values were scored at {scored}",
                           spans.get("as_of"), "deadlines are judged at the monitoring date: "
                           "use the same as_of (or --as-of)"))
    nodes = [node.id for node in result]
    indicators = [indicator.id for indicator in plan.definition.indicators]
    for entry in published.entries:
        if entry.kind == "weight":
            continue  # a summary row's weight follows its score: name an unknown node once
        if entry.kind == "value" and entry.ref not in indicators:
            hint = (f"`{entry.ref}` is a node: its score goes under `scores`"
                    if entry.ref in result else did_you_mean(entry.ref, indicators))
            found.append(error("SL503", f"unknown indicator `{entry.ref}` in plan "
                               f"`{result.plan_id}`", entry.name_span,
                               hint or "values are keyed by indicator id"))
        elif entry.kind != "value" and entry.ref not in result:
            uses = [node.id for node in result if node.indicator == entry.ref]
            hint = ("an indicator's score is printed at each use: " + ", ".join(uses)
                    if uses else did_you_mean(entry.ref, nodes))
            found.append(error("SL503", f"unknown node `{entry.ref}` in plan `{result.plan_id}`",
                               entry.name_span, hint or "areas and objectives by their code, groups "
                               "and indicator uses by their path (301/indicatori)"))
    return found


def _check(plan: Plan, result: Result, values: Values, entry: Entry) -> Check:
    note: tuple[str, dict[str, str]] | None = None
    recomputed: float | dt.date | None
    if entry.kind == "value":
        indicator = plan.definition.indicator(entry.ref)
        subject, title = "indicator", indicator.title if indicator else entry.ref
        recorded = values.values.get(entry.ref)  # absent: not reported, N/D
        recomputed = float(recorded) if isinstance(recorded, int) else recorded
        uses = [node.id for node in result if node.indicator == entry.ref]
        if len(uses) > 1:
            note = ("used at {uses}", {"uses": ", ".join(uses)})
        elif not uses:
            note = ("used only outside the scored tree (a scorecard)", {})
        about = uses[0] if uses else None
    else:
        node = result[entry.ref]
        subject, title = node.kind, node.title
        recomputed = node.weight if entry.kind == "weight" else node.score
        about = node.parent if entry.kind == "weight" else node.id
        if entry.kind == "weight" and node.weight is None:
            note = ("the plan gives this node no weight", {})
    outcome = _outcome(entry.figure, recomputed)
    if entry.kind in ("score", "summary_score"):
        outcome, note = _adjusted(result[entry.ref], entry.figure, outcome, note)
    explanation = None
    if outcome != "reconciles" and about is not None:
        explanation = explain(plan, result, about, depth=0)
    places = entry.figure.places if entry.figure.number is not None else \
        plan.definition.policy.display_places
    return Check(entry, recomputed, outcome, subject, title, places,
                 None if note is None else note[0].format(**note[1]), explanation, note)


Remark = tuple[str, dict[str, str]]  # an English template and its fields


def _adjusted(node: NodeResult, figure: Figure, outcome: str,
              note: Remark | None) -> tuple[str, Remark | None]:
    """A score the values file neutralised or overrode, read in that light: a neutralised
    node's printed figure (or N/D) is out of the plan, so it reconciles, with a note; an
    overridden node is compared with the override, and the note says whether the document
    printed the rules' own figure instead."""
    if node.neutralised is not None:
        return "reconciles", ("neutralised by {act}: out of the plan, its printed figure is "
                              "not counted", {"act": str(node.neutralised["act"])})
    if node.status == "no_target":
        return "reconciles", ("its target is still to be decided (`tbd`, `missing_target "
                              "skip`): left out of the plan, its printed figure is not "
                              "counted", {})
    if node.override is None:
        return outcome, note
    given = node.override
    fields = {"reason": str(given["reason"]), "who": str(given.get("by") or "")}
    said = "overridden by {who}: {reason}" if given.get("by") else "overridden: {reason}"
    computed = given["computed"]
    if outcome != "reconciles" and _outcome(figure, computed) == "reconciles":
        said += " (the document prints the figure the rules give, before the override)"
    return outcome, (said, fields)


def _outcome(figure: Figure, recomputed: float | dt.date | None) -> str:
    if recomputed is None:
        return "reconciles" if figure.missing else "recomputed_nd"
    if figure.missing:
        return "printed_nd"
    if isinstance(recomputed, dt.date) or figure.date is not None:
        return "reconciles" if figure.date == recomputed else "differs"
    assert figure.number is not None
    within = abs(settled(recomputed) - figure.number) <= figure.tolerance
    return "reconciles" if within else "differs"


__all__ = ["KINDS", "LOCALES", "OUTCOMES", "Check", "Entry", "Figure", "Published",
           "PublishedError", "Verification", "load_published", "loads_published",
           "parse_figure", "plain_number", "settled", "verify"]

