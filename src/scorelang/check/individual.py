"""Checks of the individual evaluation: behaviour sets, scorecards made of components, roles
and reward bands (codes SL270-SL289). Like `checks`, it never raises: it returns diagnostics."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import attrs

from .. import model
from ..diagnostics import Diagnostic, Span, did_you_mean, error, warning
from .ranges import Coverage, range_rows
from .tree import placed_nodes

# As `checks.WEIGHT_TOLERANCE`: weights are printed with two decimals (33.34 + 33.33 + 33.33).
_TOLERANCE = Decimal("0.01")


def check_individual(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _behaviour_sets(plan)
    yield from _roles(plan)
    yield from _rewards(plan)
    yield from _cards(plan)
    yield from _unused(plan)


def _unused(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    """Declared and never used: a card that should name it probably forgot to (SL287)."""
    sets = {p.ref for c in plan.scorecards for k in c.components for p in k.parts
            if p.kind == "behaviours"}
    roles = {c.role for c in plan.scorecards}
    rewards = {c.reward for c in plan.scorecards} | {r.reward for r in plan.roles}
    for what, declared, used, hint in (
            ("behaviour set", plan.behaviours, sets,
             "rate it in a scorecard: `component comportamenti \"...\" {{ behaviours {id} }}`"),
            ("role", plan.roles, roles, "give it to a scorecard: `scorecard ... role {id} {{`"),
            ("reward mapping", plan.rewards, rewards,
             "name it in a scorecard or a role: `reward {id}`")):
        for item in declared:
            if item.id not in used:
                yield warning("SL287", f"{what} `{item.id}` is declared but never used",
                              item.span, hint.format(id=item.id))


def _duplicates(items: Sequence[tuple[str, Span | None]], what: str,
                within: str = "") -> Iterator[Diagnostic]:
    first: dict[str, Span | None] = {}
    for name, span in items:
        if name in first:
            where = first[name]
            line = f" (first at line {where.line})" if where else ""
            yield error("SL270", f"duplicate {what} `{name}`{within}{line}", span,
                        f"give each {what}{within} its own name", related=(where,) if where else ())
        else:
            first.setdefault(name, span)


def _sum(weights: Sequence[model.Weight], what: str, span: Span | None,
         code: str) -> Iterator[Diagnostic]:
    for weight in weights:
        if weight.percent < 0:
            yield error(code, f"negative weight {weight.percent:g}% in {what}", weight.span,
                        "weights are shares, from 0% to 100%")
            return
    # Summed as the decimals written: 33.34 + 33.33 + 33.33 is exactly 100 here.
    exact = sum((Decimal(repr(w.percent)) for w in weights), Decimal(0))
    if weights and abs(exact - 100) > _TOLERANCE:
        yield error(code, f"weights of {what} sum to {float(exact):.2f} %, expected 100 %",
                    span, "the weights are shares of the whole and must add up to 100%")


def _behaviour_sets(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(b.id, b.span) for b in plan.behaviours], "behaviour set")
    for rated in plan.behaviours:
        if rated.low < 0 or rated.high <= rated.low:
            yield error("SL271", f"the scale of `{rated.id}` runs from {rated.low:g} to "
                        f"{rated.high:g}", rated.span,
                        "write the scale from its lowest rating to its highest, both 0 or "
                        "more, e.g. `scale 1 to 5`")
        elif rated.step is not None and rated.step <= 0:
            yield error("SL271", f"the step of `{rated.id}` is {rated.step:g}", rated.span,
                        "a step is a positive number, e.g. `step 0.5`")
        else:
            steps = (rated.high - rated.low) / (rated.step or 1.0)
            if abs(steps - round(steps)) > 1e-9:
                yield error("SL271", f"the scale of `{rated.id}` ({rated.low:g} to "
                            f"{rated.high:g}) is not a whole number of steps of "
                            f"{rated.step or 1:g}", rated.span,
                            "let the top of the scale be reachable: adjust the step "
                            "(`step 0.5`) or the bounds")
        if not rated.behaviours:
            yield error("SL286", f"behaviour set `{rated.id}` has no behaviours", rated.span,
                        'list them: `problem_solving "Capacità di problem solving" 50%`')
            continue
        yield from _duplicates([(b.id, b.span) for b in rated.behaviours],
                               "behaviour", f" in set `{rated.id}`")
        yield from _sum([b.weight for b in rated.behaviours], f"behaviour set `{rated.id}`",
                        rated.span, "SL272")


def _roles(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(r.id, r.span) for r in plan.roles], "role")
    rewards = [r.id for r in plan.rewards]
    for role in plan.roles:
        if not role.weights:
            yield error("SL286", f"role `{role.id}` weighs no component", role.span,
                        "list its components with their weights: `ente 30%`")
            continue
        yield from _duplicates([(w.component, w.span) for w in role.weights],
                               "component", f" in role `{role.id}`")
        yield from _sum([w.weight for w in role.weights], f"role `{role.id}`", role.span,
                        "SL276")
        if role.reward is not None and role.reward not in rewards:
            yield error("SL280", f"unknown reward mapping `{role.reward}`", role.reward_span,
                        did_you_mean(role.reward, rewards) or "declare it with `reward "
                        f"{role.reward} \"...\" {{ ... }}`")


def _rewards(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    yield from _duplicates([(r.id, r.span) for r in plan.rewards], "reward mapping")
    for reward in plan.rewards:
        yield from _reward_rows(reward)


def _pc(fraction: float | None) -> str:
    return f"{(fraction or 0.0) * 100:.10g}%"


def _reward_rows(reward: model.Reward) -> Iterator[Diagnostic]:
    for row in reward.rows:  # what only a reward's rows have: shares of the bonus
        for paid in (row.start, row.end):
            if paid is not None and not 0.0 <= paid <= 1.0:
                yield error("SL284", f"a reward row pays {_pc(paid)}, outside 0% to 100% of the "
                            "bonus", row.span, "pay a share of the bonus, from 0% to 100%")
    yield from range_rows(reward.rows, _RewardWording(reward.id, reward.span), _REWARD)


# Reward bands may start from 0 % instead of `below` (final scores are not negative, SL281) and
# warn at every row that pays less, with a float slack on the shares (SL285); score tables
# differ on both (check.leaf_rules): see ranges.Coverage.
_REWARD = Coverage(lowest=0.0, warn_once=False, slack=1e-12)
_ROWS_RUN = "a row runs up to, not including, the next row's first figure"


@attrs.frozen
class _RewardWording:
    """A reward mapping's diagnostics for the mistakes `ranges.range_rows` finds (SL281–SL285)."""

    id: str
    span: Span | None  # the mapping's

    def no_rows(self) -> Diagnostic:
        return error("SL281", f"reward mapping `{self.id}` has no rows", self.span,
                     "write its bands: `below 60% pays 0%`, `60% to 95% pays 60% to 100%`, "
                     "`from 95% pays 100%`")

    def reversed(self, row: model.RangeRow, lower: float, upper: float) -> Diagnostic:
        return error("SL282", f"the reward row {_pc(lower)} to {_pc(upper)} runs backwards or "
                     "is empty", row.span, "write the lower score first")

    def uncovered_below(self, row: model.RangeRow, lower: float) -> Diagnostic:
        return error("SL281", f"scores below {_pc(lower)} earn no reward in `{self.id}`: the "
                     "rows do not cover 0%", row.span,
                     f"start with `below {_pc(lower)} pays 0%` (or a row from 0%)")

    def uncovered_above(self, row: model.RangeRow, upper: float) -> Diagnostic:
        return error("SL281", f"scores from {_pc(upper)} earn no reward in `{self.id}`: the "
                     "rows do not cover up to 100% and beyond", row.span,
                     f"end with `from {_pc(upper)} pays ...`")

    def misplaced(self, row: model.RangeRow) -> Diagnostic:
        return error("SL282", "`below` must be the first reward row and `from` the last",
                     row.span, "order the rows from the lowest score to the highest")

    def overlap(self, row: model.RangeRow, lower: float, previous_upper: float,
                out_of_order: bool) -> Diagnostic:
        problem = "comes before" if out_of_order else "overlaps"
        return error("SL282", f"the reward row from {_pc(lower)} {problem} the row up to "
                     f"{_pc(previous_upper)}", row.span, "rows run from their first figure up "
                     "to, not including, the next row's first: list them in order, each "
                     "starting where the last ended")

    def gap(self, row: model.RangeRow, previous_upper: float, lower: float) -> Diagnostic:
        return error("SL282", f"scores from {_pc(previous_upper)} to {_pc(lower)} fall in no "
                     f"reward row of `{self.id}`", row.span,
                     f"start this row at {_pc(previous_upper)}: {_ROWS_RUN}")

    def falls_after(self, row: model.RangeRow, lower: float, before: float) -> Diagnostic:
        return self._pays_less(row, before, row.start)

    def falls_within(self, row: model.RangeRow, start: float, end: float) -> Diagnostic:
        return self._pays_less(row, start, end)

    def _pays_less(self, row: model.RangeRow, paid: float, then: float) -> Diagnostic:
        return warning("SL285", f"reward mapping `{self.id}` pays less for a higher score "
                       f"({_pc(paid)} then {_pc(then)})", row.span,
                       "a better score should never earn a smaller share of the bonus")


def _cards(plan: model.PlanDefinition) -> Iterator[Diagnostic]:
    rewards = [r.id for r in plan.rewards]
    roles = [r.id for r in plan.roles]
    sets = [b.id for b in plan.behaviours]
    declared = [i.id for i in plan.indicators]
    nodes = [p.id for p in placed_nodes(plan)]
    has_total = bool(plan.areas) and all(a.weight is not None for a in plan.areas)
    for card in plan.scorecards:
        if card.reward is not None and card.reward not in rewards:
            yield error("SL280", f"unknown reward mapping `{card.reward}`", card.reward_span,
                        did_you_mean(card.reward, rewards) or "declare it with `reward "
                        f"{card.reward} \"...\" {{ ... }}`")
        role = plan.role(card.role) if card.role else None
        if card.role is not None and role is None:
            yield error("SL274", f"unknown role `{card.role}`", card.role_span,
                        did_you_mean(card.role, roles) or
                        f"declare it with `role {card.role} {{ ente 30% ... }}`")
        if card.role is not None and not card.components:
            yield error("SL275", f"scorecard `{card.id}` has a role but no components",
                        card.role_span, "write its components: `component ente \"...\" { plan }`")
        if not card.components:
            continue
        if card.items:
            yield error("SL279", f"scorecard `{card.id}` mixes components with weighted "
                        "objectives", card.items[0].span,
                        "put the objectives inside a component: `component obiettivi \"...\" "
                        "{ ... }`")
        yield from _duplicates([(c.id, c.span) for c in card.components],
                               "component", f" in scorecard `{card.id}`")
        if role is not None:
            yield from _role_components(card, role)
        elif card.role is None:
            missing = [c for c in card.components if c.weight is None]
            for component in missing:
                yield error("SL275", f"component `{component.id}` of scorecard `{card.id}` has "
                            "no weight", component.span,
                            "give it a weight (`30%`) or give the scorecard a `role` that "
                            "weighs its components")
            if not missing:
                yield from _sum([c.weight for c in card.components if c.weight is not None],
                                f"the components of scorecard `{card.id}`", card.span, "SL276")
        for component in card.components:
            yield from _parts(component, declared, nodes, sets, has_total)


def _role_components(card: model.Scorecard, role: model.Role) -> Iterator[Diagnostic]:
    written = [c.id for c in card.components]
    weighed = [w.component for w in role.weights]
    for component in card.components:
        if component.weight is not None:
            yield error("SL275", f"component `{component.id}` has a weight, but role "
                        f"`{role.id}` weighs the components of scorecard `{card.id}`",
                        component.weight.span, "remove the weight here, or the role")
        elif component.id not in weighed:
            yield error("SL275", f"role `{role.id}` gives no weight to component "
                        f"`{component.id}`", component.span,
                        did_you_mean(component.id, weighed) or
                        "the role weighs: " + ", ".join(weighed))
    for name in weighed:
        if name not in written:
            yield error("SL275", f"scorecard `{card.id}` has no component `{name}`, which role "
                        f"`{role.id}` weighs", card.span,
                        f"add `component {name} \"...\" {{ ... }}`")


def _parts(component: model.Component, declared: list[str], nodes: list[str], sets: list[str],
           has_total: bool) -> Iterator[Diagnostic]:
    if not component.parts:
        yield error("SL286", f"component `{component.id}` has nothing in it", component.span,
                    "write what it scores: `plan`, an objective, indicators or `behaviours`")
        return
    for part in component.parts:
        if part.kind == "indicator" and part.ref not in declared:
            yield error("SL206", f"unknown indicator `{part.ref}`", part.span,
                        did_you_mean(part.ref or "", declared))
        elif part.kind == "node" and part.ref not in nodes:
            yield error("SL223", f"component `{component.id}` names `{part.ref}`, which is not "
                        "in the tree", part.span,
                        did_you_mean(part.ref or "", nodes) or "use the code of an objective")
        elif part.kind == "behaviours" and part.ref not in sets:
            yield error("SL273", f"unknown behaviour set `{part.ref}`", part.span,
                        did_you_mean(part.ref or "", sets) or
                        f"declare it with `behaviours {part.ref} \"...\" scale 1 to 5 {{ ... }}`")
        elif part.kind == "plan" and not has_total:
            yield error("SL278", "the plan has no total to score here: its areas carry no "
                        "weights", part.span,
                        "weigh the areas (`area \"1\" \"...\" weight 40% {`), or name an "
                        "objective instead")
    if len(component.parts) > 1:
        unweighted = [p for p in component.parts if p.weight is None]
        for part in unweighted:
            yield error("SL277", f"a part of component `{component.id}` has no weight",
                        part.span, "with several parts, give each its weight (`50%`)")
        if not unweighted:
            yield from _sum([p.weight for p in component.parts if p.weight is not None],
                            f"component `{component.id}`", component.span, "SL276")
    yield from _duplicates([(p.ref or p.kind, p.span) for p in component.parts],
                           "part", f" in component `{component.id}`")
