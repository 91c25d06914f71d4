"""Values files: the measured figures of one monitoring, read from YAML with positions.

A values file names the plan, the period and the monitoring date (`as_of`), and gives each
indicator a number, null (N/D) or a completion date (for deadlines). This module reads and
type-checks the file; whether the ids fit a plan is decided in `evaluate`, against the plan.
YAML is read with PyYAML's safe loader only.

Every number is held to the limits of docs/language.md#numbers: finite and within ±10^15
(SL322). N/D is written null (or "N/D") in a file, where `.nan` is refused as a mistake; a
program's NaN stays N/D, as it is in pandas' and numpy's columns.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import attrs
import yaml

from ..diagnostics import Diagnostic, Span, ValuesError, did_you_mean, error, in_source_order
from ..model import LARGEST, number_problem
from ..files import read_text
from .yamlsource import Constructor, no_collection, node_span, read_yaml

Value = float | dt.date | None

_TOP_LEVEL_KEYS = ("plan", "period", "as_of", "values", "behaviours", "neutralised", "overrides",
                   "previous")
_PERIOD_KEYS = ("as_of", "values", "behaviours", "neutralised", "overrides", "previous")

# Behaviour ratings: scorecard id -> behaviour id -> rating (None: not rated).
Ratings = Mapping[str, Mapping[str, float | None]]

# Indicator ids are interned as they are read (`sys.intern`), as the compiled plan's are
# (compile.Layout.names): the evaluator's check that the values come in the plan's order then
# compares pointers, not the text of ids scattered in memory — at 100,000 indicators, a cache
# miss per id on every evaluation of the same values.


@attrs.frozen
class Neutralisation:
    """An indicator (or node) taken out of the plan at monitoring time: why, and by which act
    (a council resolution, the OIV's minutes). Every parent leaves it out."""

    reason: str
    act: str
    span: Span | None = attrs.field(default=None, eq=False)

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "act": self.act}


@attrs.frozen
class Override:
    """A node's score set by hand at monitoring time (percent), with the reason and who did it;
    its parents read it instead of the computed one."""

    score: float  # percent
    reason: str
    by: str | None = None
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class ValueNote:
    """What an office writes beside a figure: a remark (the manager's comment, the OIV's
    observation) and where the figure comes from (the data source). Either may be absent."""

    note: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {key: text for key, text in (("note", self.note), ("source", self.source)) if text}


@attrs.frozen
class Values:
    """One monitoring's figures. An indicator absent from `values` was not reported.
    `neutralised` and `overrides` map indicator ids (or node ids) to the monitoring's
    neutralisations and overridden scores."""

    values: Mapping[str, Value]
    plan: str | None = None
    period: str | None = None
    as_of: dt.date | None = None
    source: str = "<values>"
    spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False)
    # the evaluator's ratings of each person's behaviours (scorecard id -> behaviour -> rating)
    behaviours: Ratings = attrs.field(factory=dict)
    # where each rating was written: (scorecard id, behaviour id); its name: (id, "@behaviour");
    # the person: (scorecard id, "")
    rating_spans: Mapping[tuple[str, str], Span] = attrs.field(factory=dict, eq=False)
    neutralised: Mapping[str, Neutralisation] = attrs.field(factory=dict)
    overrides: Mapping[str, Override] = attrs.field(factory=dict)
    # The scores (percent) of the previous monitoring, for targets still `tbd` under
    # `missing_target previous`, copied from the earlier report.
    previous: Mapping[str, float] = attrs.field(factory=dict)
    # The remark and data source written beside an indicator's figure (issue 13); information
    # for reports, never read by the scoring rules.
    notes: Mapping[str, ValueNote] = attrs.field(factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, plan: str | None = None,
                     period: str | None = None, as_of: dt.date | None = None,
                     source: str = "<values>", behaviours: Mapping[str, Any] | None = None,
                     neutralised: Mapping[str, Any] | None = None,
                     overrides: Mapping[str, Any] | None = None,
                     previous: Mapping[str, Any] | None = None) -> Values:
        """Values given by a program: the same checks as a file, without positions.
        `neutralised` maps ids to `Neutralisation`s or to mappings {reason, act}; `overrides`
        to `Override`s or mappings {score, reason, by}."""
        problems: list[Diagnostic] = []
        clean: dict[str, Value] = {}
        for key, raw in values.items():
            name = intern(key if key.__class__ is str else str(key))
            # The values nearly every call gives, accepted as `_value` would accept them with
            # one test each (a float within the limits, NaN failing both comparisons; a date;
            # null): checking every value on the way in was a tenth of an evaluation.
            if (raw.__class__ is float and -LARGEST <= raw <= LARGEST) or raw is None \
                    or raw.__class__ is dt.date:
                clean[name] = raw
            else:
                clean[name] = _value(name, raw, None, problems)
        if problems or behaviours or neutralised or overrides or previous:
            ratings = ratings_of(behaviours, problems) if behaviours else {}
            taken_out = _adjustments(neutralised, "neutralised", None, source, problems)
            set_by_hand = _adjustments(overrides, "overrides", None, source, problems)
            earlier = _previous(previous, None, source, problems)
            if problems:
                raise ValuesError(problems)
            return cls(clean, plan, period, as_of, source, behaviours=ratings,
                       neutralised=taken_out, overrides=set_by_hand, previous=earlier)
        return cls(clean, plan, period, as_of, source)


def ratings_of(raw: Any, problems: list[Diagnostic], node: yaml.Node | None = None,
               source: str = "<values>", spans: dict[tuple[str, str], Span] | None = None
               ) -> dict[str, dict[str, float | None]]:
    """Behaviour ratings as given (a mapping person -> behaviour -> number or null), type-
    checked; whether the people and behaviours exist is decided against the plan (evaluate)."""
    where = (lambda n: node_span(source, n)) if node is not None else (lambda n: None)
    if not isinstance(raw, Mapping):
        problems.append(error("SL334", "`behaviours` must map each scorecard to its ratings",
                              where(node), "write `behaviours:` then `person: {behaviour: 4}`"))
        return {}
    nodes = {str(k.value): (k, v) for k, v in node.value} if isinstance(node, yaml.MappingNode) \
        else {}
    out: dict[str, dict[str, float | None]] = {}
    for person, ratings in raw.items():
        person = str(person)
        key_node, value_node = nodes.get(person, (None, None))
        person_span = where(key_node) if key_node is not None else None
        if spans is not None and person_span is not None:
            spans[(person, "")] = person_span
        if not isinstance(ratings, Mapping):
            problems.append(error("SL334", f"the ratings of `{person}` must map each behaviour "
                                  "to a rating", where(value_node) if value_node else None,
                                  f"write `{person}: {{problem_solving: 4, leadership: 5}}`"))
            continue
        inner = {str(k.value): (k, v) for k, v in value_node.value} \
            if isinstance(value_node, yaml.MappingNode) else {}
        out[person] = {}
        for behaviour, rating in ratings.items():
            behaviour = str(behaviour)
            name_node, item_node = inner.get(behaviour, (None, None))
            span = where(item_node) if item_node is not None else None
            name_span = where(name_node) if name_node is not None else None
            if spans is not None and span is not None and name_span is not None:
                spans[(person, behaviour)] = span
                spans[(person, "@" + behaviour)] = name_span
            out[person][behaviour] = _rating(person, behaviour, rating, span, problems)
    return out


def _rating(person: str, behaviour: str, raw: Any, span: Span | None,
            problems: list[Diagnostic]) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().upper() in ("N/D", "ND", "N.D."):
        return None
    if not isinstance(raw, bool) and isinstance(raw, (int, float, numbers.Real, Decimal)):
        try:
            number = float(raw)
        except (OverflowError, ValueError):  # 10**400, Decimal("sNaN")
            number = math.nan
        if number == number and abs(number) != float("inf"):
            if _beyond(f"the rating of `{behaviour}` for `{person}`", number, span, problems):
                return None
            return number
    problems.append(error("SL334", f"the rating of `{behaviour}` for `{person}` is {raw!r}, "
                          "not a number", span, "write the rating on the behaviours' scale "
                          "(e.g. 4 on a 1-5 scale), or null if not rated"))
    return None


def with_adjustments(values: Values, neutralised: Mapping[str, Any] | None,
                     overrides: Mapping[str, Any] | None,
                     previous: Mapping[str, Any] | None = None) -> Values:
    """`values` with more neutralisations, overrides and previous scores (given by a program),
    id by id."""
    extra = Values.from_mapping({}, neutralised=neutralised, overrides=overrides,
                                previous=previous)
    return attrs.evolve(values, neutralised={**values.neutralised, **extra.neutralised},
                        overrides={**values.overrides, **extra.overrides},
                        previous={**values.previous, **extra.previous})


def _previous(given: Any, node: yaml.Node | None, source: str,
              problems: list[Diagnostic]) -> dict[str, float]:
    """The `previous:` section: indicator id -> the score (percent) of the previous monitoring."""
    out: dict[str, float] = {}
    if given is None:
        return out
    if not isinstance(given, Mapping):
        problems.append(error("SL321", "`previous` must map indicator ids to scores in percent",
                              node_span(source, node) if node is not None else None,
                              "write `id: 62.5` for each target still to be decided"))
        return out
    spans = {}
    if isinstance(node, yaml.MappingNode):
        spans = {str(k.value): node_span(source, k) for k, _ in node.value}
    for name, score in given.items():
        if isinstance(score, bool) or not isinstance(score, (int, float)) \
                or not _finite(score) or score < 0:
            problems.append(error("SL321", f"the previous score of `{name}` is {score!r}, not a "
                                  "percent", spans.get(str(name)),
                                  "copy the score from the previous report, e.g. `62.5`"))
            continue
        if _beyond(f"the previous score of `{name}`", float(score), spans.get(str(name)),
                   problems):
            continue
        out[intern(str(name))] = float(score)
    return out


_NEUTRALISED_KEYS = ("reason", "act")
_OVERRIDE_KEYS = ("score", "reason", "by")


def _adjustments(given: Any, section: str, node: yaml.Node | None, source: str,
                 problems: list[Diagnostic]) -> dict[str, Any]:
    """The `neutralised:` or `overrides:` section: id -> Neutralisation or Override. Every
    entry needs a reason (an act too, for a neutralisation): SL317 otherwise."""
    out: dict[str, Any] = {}
    if given is None:
        return out
    where = node_span(source, node) if node is not None else None
    if not isinstance(given, Mapping):
        problems.append(error("SL317", f"`{section}` must map indicator ids to their entries",
                              where, _SECTION_HINT[section]))
        return out
    entries = {}
    if isinstance(node, yaml.MappingNode):
        entries = {str(k.value): (node_span(source, k), v) for k, v in node.value}
    for name, entry in given.items():
        name = intern(str(name))
        span, entry_node = entries.get(name, (None, None))
        if isinstance(entry, (Neutralisation, Override)):
            if (section == "neutralised") != isinstance(entry, Neutralisation):
                problems.append(error("SL317", f"`{name}` under `{section}` is a "
                                      f"{type(entry).__name__}", span, _SECTION_HINT[section]))
                continue
            out[name] = entry
            continue
        if not isinstance(entry, Mapping):
            problems.append(error("SL317", f"`{name}` under `{section}` must be a mapping",
                                  span, _SECTION_HINT[section]))
            continue
        allowed = _NEUTRALISED_KEYS if section == "neutralised" else _OVERRIDE_KEYS
        for key in entry:
            if key not in allowed:
                problems.append(error("SL317", f"unknown key `{key}` for `{name}` under "
                                      f"`{section}`", span, "allowed keys: " + ", ".join(allowed)))
        reason = _text(entry.get("reason"))
        if reason is None:
            problems.append(error("SL317", f"`{name}` under `{section}` has no reason", span,
                                  "give `reason: \"...\"`: a report must say why"))
        if section == "neutralised":
            act = _text(entry.get("act"))
            if act is None:
                problems.append(error("SL317", f"`{name}` is neutralised without the act that "
                                      "decided it", span, "give `act: \"Delibera di Giunta n. "
                                      "... del ...\"`"))
            if reason is not None and act is not None:
                out[name] = Neutralisation(reason, act, span)
            continue
        score = entry.get("score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) \
                or not _finite(score) or score < 0:
            problems.append(error("SL317", f"the score of `{name}` under `overrides` is "
                                  f"{score!r}, not a percent", span,
                                  "write the score in percent, e.g. `score: 100`"))
            continue
        if _beyond(f"the score of `{name}` under `overrides`", float(score), span, problems):
            continue
        by = entry.get("by")
        if reason is not None:
            out[name] = Override(float(score), reason, None if by is None else str(by), span)
    return out


_SECTION_HINT = {
    "neutralised": "write `id: {reason: \"...\", act: \"Delibera ...\"}`",
    "overrides": "write `id: {score: 100, reason: \"...\", by: OIV}`",
}


def _text(raw: Any) -> str | None:
    """A required text: None when absent or blank."""
    if raw is None or isinstance(raw, (dict, list)):
        return None
    text = str(raw).strip()
    return text or None


def _value(indicator: str, raw: Any, span: Span | None, problems: list[Diagnostic],
           in_file: bool = False) -> Value:
    """One value, type-checked. `in_file`: read from a values file, where NaN is refused (a
    program's NaN is N/D)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        problems.append(error("SL303", f"value of `{indicator}` is {raw!r}, not a number or a date",
                              span, "write the measured number, a completion date "
                              "(YYYY-MM-DD) or null for N/D"))
        return None
    # Any real number: int and float first, nearly every value and quicker to check than the
    # ABC; then numpy's and pandas' scalars (np.int64, np.float32), a Fraction, a database
    # driver's Decimal.
    if isinstance(raw, (int, float, numbers.Real, Decimal)):
        try:
            return _number(indicator, float(raw), span, problems, in_file)
        except OverflowError:  # an integer of 400 digits
            problems.append(error("SL303", f"value of `{indicator}` is too large to be a "
                                  "number (more than 1.8e308)", span,
                                  "write the measured number, in the indicator's unit"))
        except ValueError:  # Decimal("sNaN")
            problems.append(error("SL303", f"value of `{indicator}` is {raw!r}, not a number",
                                  span, "write the measured number, or null for N/D"))
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.upper() in ("N/D", "ND", "N.D."):
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        number_text = text.rstrip("%").strip().replace("_", "")
        try:
            number = float(number_text)
        except ValueError:
            pass
        else:
            return _number(indicator, number, span, problems, in_file)
        hint = "write the number with a decimal point (3.92, not 3,92)" if "," in text else \
            "write the measured number, a completion date (YYYY-MM-DD) or null for N/D"
        problems.append(error("SL303", f"value of `{indicator}` is the text {raw!r}, "
                              "not a number or a date", span, hint))
        return None
    problems.append(error("SL303", f"value of `{indicator}` has the wrong shape", span,
                          "write a number, a date (YYYY-MM-DD) or null"))
    return None


def _number(indicator: str, number: float, span: Span | None, problems: list[Diagnostic],
            in_file: bool) -> float | None:
    """A measured number within the limits, or None with SL322. A program's NaN is N/D, as it
    is in the columns of `evaluate_many` (pandas' and numpy's own N/D): a row scored alone or
    in a batch then scores the same, and NaN never becomes a score. In a file N/D is `null`:
    `.nan` there is a mistake (a spreadsheet's 0/0), refused like `.inf`."""
    if number != number and not in_file:
        return None
    problem = number_problem(number)
    if problem is None:
        return number
    problems.append(error("SL322", f"value of `{indicator}` {problem}", span,
                          "a measured value is a finite number within ±10^15 "
                          "(docs/language.md#numbers); write null for N/D"))
    return None


def _finite(number: int | float) -> bool:
    """Whether a YAML number is a finite float (an integer of 400 digits is not)."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def _beyond(what: str, number: float, span: Span | None, problems: list[Diagnostic]) -> bool:
    """SL322 for a score or rating beyond ±10^15 (not finite: each section's own code)."""
    if abs(number) <= LARGEST:
        return False
    problems.append(error("SL322", f"{what} is {number:g}, beyond ±10^15", span,
                          "every number in a values file is within ±10^15 "
                          "(docs/language.md#numbers)"))
    return True


def _impossible_dates(loader: Constructor, node: yaml.Node | None,
                      source: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError:
            found.append(error("SL303", f"{node.value} is not a real date", node_span(source, node),
                               "dates are YYYY-MM-DD with a real month and day, e.g. 2020-06-30"))
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += _impossible_dates(loader, key, source) + _impossible_dates(loader, value, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += _impossible_dates(loader, item, source)
    return found


def _parse(text: str, source: str) -> tuple[yaml.MappingNode, dict[Any, Any]]:
    """The YAML document, as nodes (for positions) and data; SL301/SL302 when unreadable."""
    document = read_yaml(text, source, "SL301", "check indentation and that each entry is "
                         "`name: value`", ValuesError)
    root, data = document.root, document.data
    if document.unreadable:
        # PyYAML reads 2020-06-31 as a date and fails on it: say which one.
        found = _impossible_dates(document.constructor, root, source) or [
            error("SL301", "the values file holds a value that cannot be read",
                  Span.point(source, 1, 1))]
        raise ValuesError(found)
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise ValuesError([error("SL302", "a values file is a mapping with `plan`, `period`, "
                                 "`as_of` and `values` (or `periods`)", Span.point(source, 1, 1),
                                 "see examples/cciaa-modena-2020/monitoraggio-2020-06.yaml")])
    return root, data


def _one_period(node: yaml.MappingNode, data: dict[Any, Any], source: str, allowed: Sequence[str],
                plan: str | None, period: str | None, problems: list[Diagnostic]) -> Values:
    """The figures of one monitoring: `as_of` and `values` (with `plan`/`period` at top level)."""
    nodes = {str(k.value): (k, v) for k, v in node.value}
    for key, (key_node, _) in nodes.items():
        if key not in allowed:
            problems.append(error("SL302", f"unknown key `{key}` in a values file",
                                  node_span(source, key_node), "allowed keys: " + ", ".join(allowed)))
    as_of = data.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            pass
    if as_of is not None and not isinstance(as_of, dt.date):
        problems.append(error("SL304", f"as_of {as_of!r} is not a date",
                              node_span(source, nodes["as_of"][1]), "write it as YYYY-MM-DD"))
        as_of = None
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    measured = data.get("values")
    spans: dict[str, Span] = {}
    clean: dict[str, Value] = {}
    if measured is None:
        problems.append(error("SL302", "no `values` mapping", node_span(source, node),
                              "add `values:` with one `indicator_id: value` per line"))
    elif not isinstance(measured, dict):
        problems.append(error("SL302", "`values` must be a mapping of indicator id to value",
                              node_span(source, nodes["values"][1])))
    else:
        for key_node, value_node in nodes["values"][1].value:
            name = intern(str(key_node.value))
            span = node_span(source, key_node)
            if name in spans:
                problems.append(error("SL305", f"`{name}` is given twice", span,
                                      f"first at line {spans[name].line}; keep one"))
            spans[name] = span
            clean[name] = _value(name, measured.get(key_node.value, measured.get(name)),
                                 node_span(source, value_node), problems, in_file=True)
    ratings: dict[str, dict[str, float | None]] = {}
    rating_spans: dict[tuple[str, str], Span] = {}
    if "behaviours" in nodes:
        ratings = ratings_of(data.get("behaviours"), problems, nodes["behaviours"][1], source,
                             rating_spans)
    taken_out = _adjustments(data.get("neutralised"), "neutralised",
                             nodes["neutralised"][1] if "neutralised" in nodes else None,
                             source, problems)
    set_by_hand = _adjustments(data.get("overrides"), "overrides",
                               nodes["overrides"][1] if "overrides" in nodes else None,
                               source, problems)
    earlier = _previous(data.get("previous"),
                        nodes["previous"][1] if "previous" in nodes else None, source, problems)
    return Values(clean, plan, period, as_of, source, spans, behaviours=ratings,
                  rating_spans=rating_spans, neutralised=taken_out, overrides=set_by_hand,
                  previous=earlier)


def loads_all_values(text: str, source: str = "<values>") -> list[Values]:
    """Every monitoring a values document holds: one, or one per entry of `periods`."""
    # The walk over the entries makes a few objects per entry and none that form a cycle:
    # held off, the collector's passes over the growing tree no longer cost a large file more
    # than its reading (a 200,000-entry file).
    with no_collection():
        return _all_values(text, source)


def _all_values(text: str, source: str) -> list[Values]:
    root, data = _parse(text, source)
    problems: list[Diagnostic] = []
    plan = None if data.get("plan") is None else str(data["plan"])
    if "periods" not in data:
        period = None if data.get("period") is None else str(data["period"])
        found = [_one_period(root, data, source, _TOP_LEVEL_KEYS, plan, period, problems)]
    else:
        nodes = {str(k.value): (k, v) for k, v in root.value}
        for key, (key_node, _) in nodes.items():
            if key not in ("plan", "periods"):
                problems.append(error("SL302", f"unknown key `{key}` beside `periods`",
                                      node_span(source, key_node),
                                      "with several periods, put `as_of` and `values` under each"))
        periods_node = nodes["periods"][1]
        found = []
        if not isinstance(periods_node, yaml.MappingNode) or not isinstance(data["periods"], dict):
            problems.append(error("SL302", "`periods` maps each period id to its `as_of` and "
                                  "`values`", node_span(source, periods_node)))
        else:
            for key_node, value_node in periods_node.value:
                entry = data["periods"].get(key_node.value)
                if not isinstance(value_node, yaml.MappingNode) or not isinstance(entry, dict):
                    problems.append(error("SL302", f"period `{key_node.value}` must hold `as_of` "
                                          "and `values`", node_span(source, value_node)))
                    continue
                found.append(_one_period(value_node, entry, source, _PERIOD_KEYS, plan,
                                         str(key_node.value), problems))
    if problems:
        raise ValuesError(in_source_order(problems))
    return found


def loads_values(text: str, source: str = "<values>", period: str | None = None) -> Values:
    """Read a values document; raise ValuesError naming file, line and column of each problem.

    A document with several periods needs `period` to say which one.
    """
    found = loads_all_values(text, source)
    if len(found) == 1:
        return found[0]
    names = [v.period or "" for v in found]
    if period is None:
        raise ValuesError([error("SL315", f"{source} holds several periods: " + ", ".join(names),
                                 None, "choose one with --period (or `period=` in the API)")])
    for values in found:
        if values.period == period:
            return values
    raise ValuesError([error("SL315", f"{source} holds no period `{period}`", None,
                             did_you_mean(period, names) or "it holds: " + ", ".join(names))])


def load_values(path: str | Path, period: str | None = None) -> Values:
    path = Path(path)
    return loads_values(read_text(path, "values file"), str(path), period)


def load_all_values(path: str | Path) -> list[Values]:
    path = Path(path)
    return loads_all_values(read_text(path, "values file"), str(path))
