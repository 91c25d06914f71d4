"""Values files: the measured figures of one monitoring, read from YAML with positions.

A values file names the plan, the period and the monitoring date (`as_of`), and gives each
indicator a number, null (N/D) or a completion date (for deadlines), alone or in the long form
`{value: 12, note: "...", source: "..."}` (the remark and data source beside it, `Values.notes`).
This module reads and type-checks the file; whether the ids fit a plan is decided in
`evaluate`, against the plan. YAML is read with PyYAML's safe loader only. A CSV or XLSX file
is read by `engine.sheets` (chosen by `load_values` from the name or the content); a text
written in a locale's way (`number_format: it`: "1.234,56", "62,96 %") by `engine.figures`.

Every number is held to the limits of docs/language.md#numbers: finite and within ±10^15
(SL322). N/D is written null (or "N/D") in a file, where `.nan` is refused as a mistake; a
program's NaN stays N/D, as it is in pandas' and numpy's columns.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from sys import intern
from typing import Any

import attrs
import yaml

from ..diagnostics import Diagnostic, Span, ValuesError, did_you_mean, error, in_source_order
from ..spans import SpanTable
from ..model import LARGEST, number_problem
from ..files import read_bytes, text_of
from .figures import AmbiguousFigure, number_format_of, read_value
from .yamlsource import Constructor, no_collection, node_span, read_yaml

Value = float | dt.date | None

_TOP_LEVEL_KEYS = ("plan", "period", "as_of", "number_format", "values", "behaviours",
                   "neutralised", "overrides", "previous", "history")
# The long form of an entry: `id: {value: 12, note: "...", source: "..."}`.
_LONG_FORM_KEYS = ("value", "note", "source")
# Under `number_format: it`, a YAML number such as 1.234 (one group of three digits after the
# point) is the ambiguity engine.figures refuses in text: a thousand, or one point two?
_AMBIGUOUS_IT = re.compile(r"[-+]?\d{1,3}\.\d{3}")
_PERIOD_KEYS = ("as_of", "values", "behaviours", "neutralised", "overrides", "previous",
                "history")

# Earlier years' actuals: year -> indicator id -> the year's actual (None: N/D that year).
History = Mapping[int, Mapping[str, float | None]]

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
    # Earlier years' actuals (the consuntivo of 2019, ...), for advice rules (`previous`,
    # `trend`, `stretch`: engine.history); never read by the scoring rules.
    history: History = attrs.field(factory=dict)
    history_spans: Mapping[tuple[int, str], Span] = attrs.field(factory=dict, eq=False)
    # What the reader warns of without refusing the file (a spreadsheet's unknown column):
    # `Plan.evaluate` lists them first among the Result's diagnostics.
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False)
    # Where the file names its plan (`plan: ...`): a values file copied from last year's
    # plan is found there (SL306).
    plan_span: Span | None = attrs.field(default=None, eq=False)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, plan: str | None = None,
                     period: str | None = None, as_of: dt.date | None = None,
                     source: str = "<values>", behaviours: Mapping[str, Any] | None = None,
                     neutralised: Mapping[str, Any] | None = None,
                     overrides: Mapping[str, Any] | None = None,
                     previous: Mapping[str, Any] | None = None,
                     history: Mapping[Any, Mapping[str, Any]] | None = None,
                     notes: Mapping[str, Any] | None = None) -> Values:
        """Values given by a program: the same checks as a file, without positions.
        A value may take the long form {value, note, source}, as in a file. `neutralised`
        maps ids to `Neutralisation`s or to mappings {reason, act}; `overrides` to `Override`s
        or mappings {score, reason, by}; `history` years to {id: actual}; `notes` to
        `ValueNote`s, mappings {note, source} or a note's text (beside those of the long form,
        replacing them id by id)."""
        problems: list[Diagnostic] = []
        remarks: dict[str, ValueNote] = {}
        clean: dict[str, Value] = {}
        for key, raw in values.items():
            name = intern(key if key.__class__ is str else str(key))
            # The values nearly every call gives, accepted as `_value` would accept them with
            # one test each (a float within the limits, NaN failing both comparisons; a date;
            # null): checking every value on the way in was a tenth of an evaluation. The
            # long form {value, note, source} and every other kind take the full check.
            if (raw.__class__ is float and -LARGEST <= raw <= LARGEST) or raw is None \
                    or raw.__class__ is dt.date:
                clean[name] = raw
            else:
                clean[name] = _value(name, raw, None, problems, notes=remarks)
        if (problems or behaviours or neutralised or overrides or previous or history or notes
                or remarks):
            ratings = ratings_of(behaviours, problems) if behaviours else {}
            taken_out = _adjustments(neutralised, "neutralised", None, source, problems)
            set_by_hand = _adjustments(overrides, "overrides", None, source, problems)
            earlier = _previous(previous, None, source, problems)
            years = history_of(history, None, source, as_of, problems)[0]
            remarks.update(_notes(notes, problems))
            if problems:
                raise ValuesError(problems)
            return cls(clean, plan, period, as_of, source, behaviours=ratings,
                       neutralised=taken_out, overrides=set_by_hand, previous=earlier,
                       history=years, notes=remarks)
        return cls(clean, plan, period, as_of, source)


def _notes(given: Any, problems: list[Diagnostic]) -> dict[str, ValueNote]:
    """`notes=` of `from_mapping`: id -> ValueNote, {note, source} or a note's text."""
    out: dict[str, ValueNote] = {}
    if not given:
        return out
    if not isinstance(given, Mapping):
        problems.append(error("SL336", "`notes` must map indicator ids to their notes", None,
                              "give {id: ValueNote(note, source)} or {id: {\"note\": ...}}"))
        return out
    for name, entry in given.items():
        name = intern(str(name))
        if isinstance(entry, ValueNote):
            out[name] = entry
        elif isinstance(entry, str):
            if entry.strip():
                out[name] = ValueNote(entry.strip())
        elif isinstance(entry, Mapping) and set(map(str, entry)) <= {"note", "source"}:
            found = _remark(name, {"value": None, **entry}, None, problems)
            if found is not None:
                out[name] = found
        else:
            problems.append(error("SL336", f"the note of `{name}` is {entry!r}", None,
                                  "give a ValueNote, {\"note\": ..., \"source\": ...} or a text"))
    return out


def _remark(indicator: str, entry: Mapping[Any, Any], span: Span | None,
            problems: list[Diagnostic]) -> ValueNote | None:
    """The note and source of a long-form entry (None when neither is written); SL336 for an
    unknown key, a missing `value`, or a note that is not text."""
    for key in entry:
        if key not in _LONG_FORM_KEYS:
            problems.append(error("SL336", f"unknown key `{key}` in the entry of `{indicator}`",
                                  span, did_you_mean(str(key), _LONG_FORM_KEYS)
                                  or "an entry is `id: 12` or `id: {value: 12, note: \"...\", "
                                  "source: \"...\"}`"))
    if "value" not in entry:
        problems.append(error("SL336", f"the entry of `{indicator}` has no `value`", span,
                              f"write `{indicator}: {{value: 12, note: \"...\"}}`, or "
                              "`value: null` for N/D"))
    texts: dict[str, str | None] = {}
    for key in ("note", "source"):
        raw = entry.get(key)
        if raw is None:
            texts[key] = None
        elif isinstance(raw, (str, int, float, dt.date)) and not isinstance(raw, bool):
            texts[key] = str(raw).strip() or None
        else:
            problems.append(error("SL336", f"the {key} of `{indicator}` is not a text", span,
                                  f"write `{key}: \"...\"` (quoted if it holds a colon)"))
            texts[key] = None
    if texts["note"] is None and texts["source"] is None:
        return None
    return ValueNote(texts["note"], texts["source"])


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


def _year(key: Any) -> int | None:
    """A history key as a year: 2019 or "2019"; None for anything else."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.strip().isdigit() and len(key.strip()) == 4:
        return int(key.strip())
    return None


def history_of(given: Any, node: yaml.Node | None, source: str, as_of: dt.date | None,
               problems: list[Diagnostic]
               ) -> tuple[dict[int, dict[str, float | None]], dict[tuple[int, str], Span]]:
    """The `history:` section: year -> indicator id -> that year's actual (null: N/D), and
    where each was written. SL343 for its shape, SL344 for a key that is not a year earlier
    than the monitoring, SL345 for an actual that is not a number; whether the ids are the
    plan's indicators is judged against the plan (engine.history)."""
    years: dict[int, dict[str, float | None]] = {}
    spans: dict[tuple[int, str], Span] = {}
    if given is None:
        return years, spans
    where = node_span(source, node) if node is not None else None
    if not isinstance(given, Mapping):
        problems.append(error("SL343", "`history` must map each earlier year to its actuals",
                              where, "write `history:` then `2019: {indicator_id: 512}`"))
        return years, spans
    nodes = {str(k.value): (k, v) for k, v in node.value} \
        if isinstance(node, yaml.MappingNode) else {}
    for key, actuals in given.items():
        key_node, value_node = nodes.get(str(key), (None, None))
        key_span = node_span(source, key_node) if key_node is not None else None
        year = _year(key)
        if year is None or (as_of is not None and year >= as_of.year):
            why = "is not a year" if year is None else \
                f"is not earlier than the monitoring ({as_of.isoformat() if as_of else ''})"
            problems.append(error("SL344", f"history year `{key}` {why}", key_span,
                                  "give each earlier year's actuals under the year, e.g. "
                                  "`2019:`; this year's figures go under `values`"))
            continue
        if not isinstance(actuals, Mapping):
            problems.append(error("SL343", f"the history of {year} must map indicator ids to "
                                  "that year's actuals",
                                  node_span(source, value_node) if value_node else key_span,
                                  f"write `{year}: {{indicator_id: 512}}`"))
            continue
        inner = {str(k.value): (k, v) for k, v in value_node.value} \
            if isinstance(value_node, yaml.MappingNode) else {}
        years[year] = {}
        for name, raw in actuals.items():
            name = intern(str(name))
            name_node, item_node = inner.get(name, (None, None))
            span = node_span(source, name_node) if name_node is not None else None
            if span is not None:
                spans[(year, name)] = span
            if raw is None or (isinstance(raw, str) and raw.strip().upper() in
                               ("N/D", "ND", "N.D.")):
                years[year][name] = None
                continue
            if isinstance(raw, bool) or not isinstance(raw, (int, float, numbers.Real, Decimal)):
                shown = f"the date {raw.isoformat()}" if isinstance(raw, dt.date) else repr(raw)
                problems.append(error("SL345", f"the {year} actual of `{name}` is {shown}, not "
                                      "a number", node_span(source, item_node) if item_node
                                      else span, "copy the figure from that year's report "
                                      "(a decimal point, no unit), or null if there is none"))
                continue
            try:
                number = float(raw)
            except (OverflowError, ValueError):
                number = math.nan
            problem = number_problem(number)
            if problem is not None:
                problems.append(error("SL322", f"the {year} actual of `{name}` {problem}", span,
                                      "every number in a values file is finite and within "
                                      "±10^15 (docs/language.md#numbers)"))
                continue
            years[year][name] = number
    return years, spans


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
           in_file: bool = False, number_format: str | None = None,
           notes: dict[str, ValueNote] | None = None) -> Value:
    """One value, type-checked. `in_file`: read from a values file, where NaN is refused (a
    program's NaN is N/D). `number_format` (`it`, `en`): a text is read as written in that
    locale (engine.figures); None: as a YAML file always read it (62.5, "62.5%", "N/D").
    `notes`: where the long form's note and source go (None: no long form here)."""
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
    if isinstance(raw, str) and number_format is not None:
        return value_of_text(indicator, raw, number_format, span, problems, in_file)
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
    if isinstance(raw, Mapping) and notes is not None:  # the long form
        remark = _remark(indicator, raw, span, problems)
        if remark is not None:
            notes[indicator] = remark
        inner = raw.get("value")
        if isinstance(inner, Mapping):
            problems.append(error("SL336", f"the value of `{indicator}` is a mapping", span,
                                  "write `value: 12` (a number, a date or null)"))
            return None
        return _value(indicator, inner, span, problems, in_file, number_format, None)
    problems.append(error("SL303", f"value of `{indicator}` has the wrong shape", span,
                          "write a number, a date (YYYY-MM-DD) or null, or the long form "
                          "{value: 12, note: \"...\", source: \"...\"}"))
    return None


def value_of_text(indicator: str, text: str, number_format: str, span: Span | None,
                  problems: list[Diagnostic], in_file: bool = True) -> Value:
    """A value written as text in `number_format`'s way (a CSV cell, a workbook's text cell,
    a quoted YAML string under `number_format`): engine.figures.read_value, with SL326 for an
    ambiguous figure and SL303 for what is not a figure."""
    try:
        read = read_value(text, number_format)
    except AmbiguousFigure as exc:
        problems.append(error("SL326", f"value of `{indicator}`: {exc}", span, exc.hint))
        return None
    except ValueError as exc:
        problems.append(error("SL303", f"value of `{indicator}` is the text {text.strip()!r}, not "
                              f"a number, N/D or a date ({exc})", span,
                              _FORMAT_HINT[number_format]))
        return None
    if isinstance(read, float):
        return _number(indicator, read, span, problems, in_file)
    return read


_FORMAT_HINT = {
    "it": "under number format `it` write 1.234,56 or 62,96 % (a comma before the decimals), "
          "N/D, or a date 31/10/2020; declare `number_format: en` for 1,234.56",
    "en": "under number format `en` write 1,234.56 or 62.96% (a point before the decimals), "
          "N/D, or a date 2020-10-31; declare `number_format: it` for 1.234,56",
}


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
    try:
        document = read_yaml(text, source, "SL301", "check indentation and that each entry "
                             "is `name: value`", ValuesError)
    except ValuesError as exc:
        raise ValuesError([_dash(text, d) or d for d in exc.diagnostics]) from None
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


# `name: -`: a dash where a printed table leaves a figure out, which YAML reads as the start
# of a list in the wrong place. Read with str.partition, not a regular expression: a line of a
# hostile file may be 200 000 characters of spaces, and a pattern with a lazy name before `\s*:`
# backtracked over it for minutes (found by the fuzzer, tests/regressions/cli).
def _dash_at(line: str) -> tuple[str, int] | None:
    """The name and the (1-based) column of the dash of `name: -  # comment`, else None."""
    name, colon, rest = line.partition(":")
    name = name.strip()
    if not colon or not name or "#" in name:
        return None
    value = rest.split("#", 1)[0]
    if not value[:1].isspace() or value.strip() != "-":
        return None
    return name, len(line) - len(rest) + value.index("-") + 1


def _dash(text: str, problem: Diagnostic) -> Diagnostic | None:
    """SL350 for a YAML error met at a lone dash written as a value, else None."""
    if problem.code != "SL301" or problem.span is None:
        return None
    lines = text.splitlines()
    if not 0 < problem.span.line <= len(lines):
        return None
    found = _dash_at(lines[problem.span.line - 1])
    if found is None:
        return None
    name, column = found
    return error("SL350", f"`{name}: -`: a dash is not a value",
                 Span(problem.span.file, problem.span.line, column, problem.span.line, column),
                 "write null (or \"N/D\") for a figure not available, or the number measured")


def _one_period(node: yaml.MappingNode, data: dict[Any, Any], source: str, allowed: Sequence[str],
                plan: str | None, period: str | None, problems: list[Diagnostic],
                number_format: str | None = None) -> Values:
    """The figures of one monitoring: `as_of` and `values` (with `plan`/`period` at top level).
    `number_format`: the file's own (None: texts read as YAML files always were)."""
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
    spans: SpanTable[str] = SpanTable()
    clean: dict[str, Value] = {}
    remarks: dict[str, ValueNote] = {}
    if measured is None:
        problems.append(error("SL302", "no `values` mapping", node_span(source, node),
                              "add `values:` with one `indicator_id: value` per line"))
    elif not isinstance(measured, dict):
        problems.append(error("SL302", "`values` must be a mapping of indicator id to value",
                              node_span(source, nodes["values"][1])))
    else:
        for key_node, value_node in nodes["values"][1].value:
            name = intern(_fresh(str(key_node.value)))
            span = node_span(source, key_node)
            if name in spans:
                problems.append(error("SL305", f"`{name}` is given twice", span,
                                      f"first at line {spans[name].line}; keep one"))
            spans[name] = span
            value_span = node_span(source, value_node)
            if number_format == "it" and _ambiguous_yaml_number(value_node):
                problems.append(_ambiguous_number(name, value_node, value_span))
                continue
            clean[name] = _value(name, measured.get(key_node.value, measured.get(name)),
                                 value_span, problems, True, number_format, remarks)
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
    years, year_spans = history_of(data.get("history"),
                                   nodes["history"][1] if "history" in nodes else None, source,
                                   as_of if isinstance(as_of, dt.date) else None, problems)
    return Values(clean, plan, period, as_of, source, spans, behaviours=ratings,
                  rating_spans=rating_spans, neutralised=taken_out, overrides=set_by_hand,
                  previous=earlier, history=years, history_spans=year_spans, notes=remarks)


def _ambiguous_yaml_number(node: yaml.Node) -> bool:
    """A plain YAML number written like 1.234, or the `value` of a long form written so."""
    if isinstance(node, yaml.MappingNode):
        return any(str(k.value) == "value" and _ambiguous_yaml_number(v) for k, v in node.value)
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:float" \
        and not node.style and _AMBIGUOUS_IT.fullmatch(str(node.value)) is not None


def _ambiguous_number(name: str, node: yaml.Node, span: Span) -> Diagnostic:
    if isinstance(node, yaml.MappingNode):
        node = next(v for k, v in node.value if str(k.value) == "value")
    head, tail = str(node.value).lstrip("+-").split(".")
    return error("SL326", f"value of `{name}` is {node.value}, ambiguous under "
                 f"`number_format: it`: {head}{tail} or {head},{tail}?", span,
                 f"write `{head}{tail}` for the whole number or `\"{head},{tail}\"` for the "
                 "decimal one")


def loads_all_values(text: str, source: str = "<values>",
                     number_format: str | None = None) -> list[Values]:
    """Every monitoring a values document holds: one, or one per entry of `periods` (or of
    the `period` column of a CSV text, when `source` ends in `.csv`: engine.sheets).

    `number_format` (`it`, `en`) is how the text cells of a CSV file read when the file does
    not declare its own (the CLI passes the plan's `locale`; None: `en`). A YAML document
    reads its texts by its own `number_format:` key alone (without it, as it always did)."""
    if source.lower().endswith(".csv"):
        from . import sheets

        return _from_sheet(sheets.loads_csv(text, source, number_format), source)
    # The walk over the entries makes a few objects per entry and none that form a cycle:
    # held off, the collector's passes over the growing tree no longer cost a large file more
    # than its reading (a 200,000-entry file).
    with no_collection():
        return _all_values(text, source)


def _all_values(text: str, source: str) -> list[Values]:
    root, data = _parse(text, source)
    problems: list[Diagnostic] = []
    plan = None if data.get("plan") is None else str(data["plan"])
    top = {str(k.value): v for k, v in root.value}
    number_format = number_format_of(
        data.get("number_format"),
        node_span(source, top["number_format"]) if "number_format" in top else None, problems)
    if "periods" not in data:
        period = None if data.get("period") is None else str(data["period"])
        found = [_one_period(root, data, source, _TOP_LEVEL_KEYS, plan, period, problems,
                             number_format)]
    else:
        nodes = {str(k.value): (k, v) for k, v in root.value}
        for key, (key_node, _) in nodes.items():
            if key not in ("plan", "periods", "number_format"):
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
                                         str(key_node.value), problems, number_format))
    if problems:
        raise ValuesError(in_source_order(problems))
    named = next((key for key, _ in root.value if key.value == "plan"), None)
    if named is not None:
        found = [attrs.evolve(values, plan_span=node_span(source, named)) for values in found]
    return found


def loads_values(text: str, source: str = "<values>", period: str | None = None,
                 number_format: str | None = None) -> Values:
    """Read a values document; raise ValuesError naming file, line and column of each problem.

    A document with several periods needs `period` to say which one. `number_format`: as for
    `loads_all_values`."""
    return chosen_period(loads_all_values(text, source, number_format), source, period)


def chosen_period(found: Sequence[Values], source: str, period: str | None) -> Values:
    """The one monitoring of a file, or the one of `period` among several (SL315)."""
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


def load_values(path: str | Path, period: str | None = None,
                number_format: str | None = None) -> Values:
    """The values file at `path`: YAML, CSV or XLSX (by its name's ending, `.csv`/`.xlsx`, or
    else by its content: a workbook is a zip). `period` chooses among several monitorings.
    `number_format` (`it`, `en`) is how the text cells of a CSV or XLSX file read unless the
    file declares its own: pass the plan's `locale` (`plan.definition.policy.locale`), as
    the CLI does; None reads them as `en`. A YAML file follows its own `number_format:` key."""
    path = Path(path)
    return chosen_period(load_all_values(path, number_format), str(path), period)


def load_all_values(path: str | Path, number_format: str | None = None) -> list[Values]:
    """Every monitoring of the values file at `path` (YAML, CSV or XLSX; see `load_values`)."""
    from . import sheets  # a YAML file never pays for the spreadsheet readers

    path = Path(path)
    data = read_bytes(path, "values file")
    kind = sheets.kind_of(path, data)
    if kind == "yaml":
        return loads_all_values(text_of(data, path, "values file"), str(path))
    return _from_sheet(sheets.read_values(data, str(path), kind, number_format), str(path))


# `sheet` is a sheets.Sheet: engine.sheets is imported when a spreadsheet is read, never at
# the top of this module (a YAML file does not pay for it).
def _from_sheet(sheet: Any, source: str) -> list[Values]:
    """The Values of a spreadsheet as engine.sheets read it: each cell read in the sheet's
    number format, with a file's checks; every problem of the file at once."""
    problems: list[Diagnostic] = list(sheet.problems)
    found = []
    for monitoring in sheet.monitorings:
        clean = {name: _value(name, raw, span, problems, True, sheet.number_format)
                 for name, (raw, span) in monitoring.cells.items()}
        notes = {name: ValueNote(note, origin) for name, (note, origin) in monitoring.notes.items()}
        found.append((monitoring, clean, notes))
    if any(d.is_error for d in problems):  # with the warnings: all there is to mend
        raise ValuesError(in_source_order(problems))
    warned = tuple(in_source_order(problems))
    return [Values(clean, sheet.plan, monitoring.period, sheet.as_of, source, monitoring.spans,
                   notes=notes, warnings=warned) for monitoring, clean, notes in found]


def _fresh(text: str) -> str:
    """A new string object equal to `text` (a key kept from a YAML node made into one of
    its own): the memory of the composed nodes is given back once they are dropped only if
    no string made among them outlives them (see `_one_period`)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
