"""JSON Schemas: the bundled ones, and the schema of one plan's values files.

The package ships a JSON Schema for each file a person writes or reads beside the rules
(`scorelang/schemas/`: values, score JSON, rule tests, published figures, what-if operations),
each with the `$id` `SCHEMA_BASE` + its file name. `values_schema` narrows the values schema to
one plan: its indicator ids are the only keys under `values` (a number for a measured
indicator, a completion date for one with a deadline, alone or in the long form with a note
and a source; their titles as descriptions), its
scorecards and behaviours the only keys under `behaviours`, its indicator and node ids the only
keys of `neutralised` and `overrides`. An editor given that schema (docs/editors.md) completes
and checks a values file as it is typed; what only a score can tell (a completion date after
`as_of`, a missing entry) is still `scorelang score`'s to say.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from .plan import Plan

# One base for every schema's `$id`: an identifier, not an address (the `.invalid` top-level
# domain is reserved never to resolve); editors are given the files themselves (docs/editors.md).
SCHEMA_BASE = "https://scorelang.invalid/schemas/"
SCHEMAS = ("values", "score", "ruletest", "published", "whatif")

Schema = dict[str, Any]


def bundled_schema(name: str) -> Schema:
    """The package's JSON Schema `name` (one of SCHEMAS), as a new dict."""
    if name not in SCHEMAS:
        raise KeyError(f"no bundled schema {name!r}; there are: " + ", ".join(SCHEMAS))
    text = resources.files("scorelang").joinpath(f"schemas/{name}.schema.json") \
        .read_text("utf-8")
    schema: Schema = json.loads(text)
    return schema


def _described(ref: str, description: str) -> Schema:
    return {"$ref": ref, "description": description}


def values_schema(plan: Plan, period: str | None = None) -> Schema:
    """The JSON Schema of `plan`'s values files (of `period`'s alone, when given: an unknown
    period raises ValuesError, SL312, as scoring it would)."""
    program = plan.program(period)
    definition = plan.definition
    schema = bundled_schema("values")
    defs: Schema = schema["$defs"]
    schema["$id"] = f"{SCHEMA_BASE}plans/{plan.id}.values.schema.json"
    schema["title"] = f"values file of {plan.title} ({plan.id})"
    defs["plan"] = {"const": plan.id, "description": plan.title}
    periods = [p for p in definition.periods if period is None or p.id == period]
    defs["period"] = {"enum": [p.id for p in periods],
                      "description": "; ".join(f"{p.id}: {p.title}, ends {p.ends.isoformat()}"
                                               for p in periods)}
    # A measured value, or a completion date: the loader reads both kinds anywhere, and the
    # evaluator tells them apart by the indicator (SL308); here each indicator takes its own.
    defs["measured"] = {"description": "A measured number, or null for N/D.",
                        "anyOf": [{"$ref": "#/$defs/number"}, {"$ref": "#/$defs/not_available"}]}
    defs["completion"] = {
        "description": "The date it was done (YYYY-MM-DD), or null if not done yet.",
        "anyOf": [{"$ref": "#/$defs/date"}, {"$ref": "#/$defs/not_available"}]}
    # The long form of each kind: the value with its note and source.
    for kind in ("measured", "completion"):
        defs[f"{kind}_entry"] = {**defs["entry"], "properties": {
            **defs["entry"]["properties"], "value": {"$ref": f"#/$defs/{kind}"}}}
    indicators = {}
    for leaf in program.leaves:
        indicator = leaf.indicator
        about = indicator.title + (f" ({indicator.unit})" if indicator.unit else "")
        if indicator.deadline is not None:
            indicators[indicator.id] = _described(
                "#/$defs/completion", f"{about}: deadline {indicator.deadline.due.isoformat()}")
        else:
            indicators[indicator.id] = _described("#/$defs/measured", about)
        kind = indicators[indicator.id].pop("$ref")
        indicators[indicator.id]["anyOf"] = [{"$ref": kind}, {"$ref": f"{kind}_entry"}]
    defs["values"] = {**defs["values"], "properties": indicators, "additionalProperties": False}
    ids = [*indicators, *program.layout.index]
    for section in ("neutralised", "overrides"):
        defs[section] = {**defs[section], "propertyNames": {"enum": ids}}
    defs["previous"] = {**defs["previous"], "propertyNames": {"enum": list(indicators)}}
    measured = [i.id for i in plan.definition.indicators if i.deadline is None]
    defs["history"] = {**defs["history"], "additionalProperties": {
        **defs["history"]["additionalProperties"], "propertyNames": {"enum": measured}}}
    defs["behaviours"] = _behaviours(plan, defs["behaviours"])
    return schema


def _behaviours(plan: Plan, generic: Schema) -> Schema:
    """`behaviours:` of this plan: each rated scorecard, its behaviours, ratings on the scale."""
    rating = generic["additionalProperties"]["additionalProperties"]
    people: Schema = {}
    for card in plan.program(None).scorecards:
        behaviours: Schema = {}
        for component in card.components:
            for part in component.parts:
                rated = part.behaviours
                declared = plan.definition.behaviour_set(rated.id) if rated else None
                if declared is None:
                    continue
                on_scale = copy.deepcopy(rating)
                for kind in on_scale["anyOf"]:
                    if kind.get("type") == "number":
                        kind.update(minimum=declared.low, maximum=declared.high)
                for behaviour in declared.behaviours:
                    behaviours[behaviour.id] = {
                        **on_scale, "description": f"{behaviour.title} ({declared.title}, "
                                                   f"{declared.low:g} to {declared.high:g})"}
        if behaviours:
            people[card.id] = {"type": "object", "description": card.title,
                               "properties": behaviours, "additionalProperties": False}
    return {**generic, "properties": people, "additionalProperties": False}
