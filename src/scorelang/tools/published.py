"""Published figures: a document's printed figures, read as printed, with their positions.

A published-figures file (examples/cciaa-modena-2020/pubblicati-2020-06.yaml) holds each figure
as printed: achievements ("62,96%", "100,%", "N/D"), measured values ("3.111.720.000,00 €",
"-17,82 gg") and the summary table's [score, weight] rows. This module reads it (safe loader,
file:line:col for every problem) and parses printed figures keeping their decimals, through
`engine.figures` (the number reader the values files share); it compares nothing (`verify`
does).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import InvalidOperation
from pathlib import Path

import attrs
import yaml

from ..diagnostics import Diagnostic, ScorelangError, Span, did_you_mean, error, in_source_order
from ..files import read_text
from ..model import LIMITS_TEXT, literal_problem
from ..engine.figures import LOCALES, Figure, parse_figure, plain_number
from ..engine.yamlsource import Constructor, node_span, read_yaml

__all__ = ["KINDS", "LOCALES", "Entry", "Figure", "Published", "PublishedError", "load_published",
           "loads_published", "parse_figure", "plain_number"]

# What a published figure is: an achievement (`scores`), a measured value (`values`), or the
# score and the weight of a summary-table row (`summary`).
KINDS = ("score", "value", "summary_score", "weight")
_TOP_LEVEL = ("plan", "period", "as_of", "locale", "scores", "values", "summary")
_FIGURES = ("scores", "values", "summary")
_NAMES: tuple[str, ...] = ("plan", "period", "as_of")


class PublishedError(ScorelangError):
    """A published-figures file cannot be read, or names what the plan does not have."""


@attrs.frozen
class Entry:
    """One printed figure: what it is, of which node or indicator, and where it is written."""

    kind: str  # one of KINDS
    ref: str  # node id (score, summary_score, weight) or indicator id (value)
    figure: Figure
    span: Span | None = attrs.field(default=None, eq=False)  # the figure in the file
    name_span: Span | None = attrs.field(default=None, eq=False)  # its node or indicator id


@attrs.frozen
class Published:
    """Every figure of a published-figures file, in file order (a summary row gives two)."""

    entries: tuple[Entry, ...]
    plan: str | None = None
    period: str | None = None
    as_of: dt.date | None = None
    locale: str = "it"
    source: str = "<published>"
    spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False)  # plan, period, as_of


# ---- reading a printed figure: engine.figures, shared with the values files -----------------

def _hint(text: str, locale: str) -> str:
    if locale == "it" and re.search(r"\d\.\d", text) and "," not in text:
        return ("in Italian notation (locale it) the decimal separator is a comma and a point "
                "groups thousands (3.283): write \"62,96%\", an unquoted number 62.96, or set "
                "`locale: en`")
    if locale == "en" and re.search(r"\d,\d", text):
        return ("in locale en the decimal separator is a point: write \"62.96%\" or set "
                "`locale: it`")
    return ("write the figure as printed (\"62,96%\", \"143 N.\", \"-17,82 gg\", \"N/D\") or an "
            "unquoted number")


# ---- reading the file -----------------------------------------------------------------------

class _Reader:
    """Walks the YAML nodes, collecting entries and every problem (all of them, in order)."""

    def __init__(self, loader: Constructor, source: str, locale: str):
        self.loader = loader
        self.source = source
        self.locale = locale
        self.problems: list[Diagnostic] = []

    def shape(self, message: str, node: yaml.Node, hint: str | None = None) -> None:
        self.problems.append(error("SL501", message, node_span(self.source, node), hint))

    def pairs(self, node: yaml.Node, where: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """(name, key node, value node) of a mapping, each name once (twice is SL501)."""
        if not isinstance(node, yaml.MappingNode):
            self.shape(f"`{where}` must be a mapping", node,
                       "one `id: figure` per line, as in "
                       "examples/cciaa-modena-2020/pubblicati-2020-06.yaml")
            return []
        seen: dict[str, int] = {}
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.shape(f"a key of `{where}` must be a plain name", key)
                continue
            name = str(key.value)
            if name in seen:
                self.shape(f"`{name}` is given twice in `{where}`", key,
                           f"first at line {seen[name]}; keep one")
                continue
            seen[name] = key.start_mark.line + 1
            out.append((name, key, value))
        return out

    def figure(self, node: yaml.Node, kind: str, ref: str) -> Figure | None:
        """The figure of one scalar; SL502 (and None) when it cannot be read."""
        span = node_span(self.source, node)
        what = "score" if kind == "summary_score" else kind
        if not isinstance(node, yaml.ScalarNode):
            self.problems.append(error("SL502", f"the {what} of `{ref}` is not a single figure",
                                       span, _hint("", self.locale)))
            return None
        try:
            figure = self.scalar(node)
        except ValueError as exc:
            self.problems.append(error("SL502", f"the {what} of `{ref}` cannot be read: {exc}",
                                       span, _hint(str(node.value), self.locale)))
            return None
        if figure.number is not None:
            # Within the limits of every number of a plan (docs/language.md#numbers), the
            # printed figure and the recomputed float are compared exactly; a 29-digit figure
            # would be beyond the precision of both.
            limit = literal_problem(f"{figure.number:f}")
            if limit is not None:
                self.problems.append(error("SL504", f"the {what} of `{ref}`: {limit[1]}", span,
                                           "a figure has " + LIMITS_TEXT + ": copy it as "
                                           "printed, or leave it out"))
                return None
        if kind != "value" and (figure.date is not None or figure.unit not in (None, "%")):
            self.problems.append(error("SL502", f"the {what} of `{ref}` is {node.value!r}, not "
                                       "a percentage", span,
                                       'scores and weights are printed as percentages: "62,96%"'))
            return None
        return figure

    def scalar(self, node: yaml.ScalarNode) -> Figure:
        tag, text = node.tag, str(node.value)
        if tag == "tag:yaml.org,2002:null":
            raise ValueError("no figure is written (a figure printed N/D is written \"N/D\")")
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            try:
                return plain_number(text)
            except (InvalidOperation, ValueError):
                raise ValueError(f"{text} is not a decimal number") from None
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                stamp = self.loader.construct_yaml_timestamp(node)
            except ValueError:
                raise ValueError(f"{text} is not a real date") from None
            return Figure(text, date=stamp.date() if isinstance(stamp, dt.datetime) else stamp)
        if tag == "tag:yaml.org,2002:bool":
            raise ValueError(f"{text} is a yes/no, not a figure")
        return parse_figure(text, self.locale)

    def entries(self, name: str, node: yaml.Node) -> list[Entry]:
        found: list[Entry] = []
        for ref, key, value in self.pairs(node, name):
            name_span = node_span(self.source, key)
            if name == "summary":
                found += self.summary_row(ref, value, name_span)
                continue
            kind = "score" if name == "scores" else "value"
            figure = self.figure(value, kind, ref)
            if figure is not None:
                found.append(Entry(kind, ref, figure, node_span(self.source, value), name_span))
        return found

    def summary_row(self, ref: str, node: yaml.Node, name_span: Span) -> list[Entry]:
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
            self.shape(f"the summary row of `{ref}` must be [score, weight]", node,
                       'e.g. "301": ["62,96%", "33,34%"]')
            return []
        found = []
        for kind, item in zip(("summary_score", "weight"), node.value):
            figure = self.figure(item, kind, ref)
            if figure is not None:
                found.append(Entry(kind, ref, figure, node_span(self.source, item), name_span))
        return found


def loads_published(text: str, source: str = "<published>") -> Published:
    """Read a published-figures document; raise PublishedError naming file, line and column
    of every problem (SL501 shape, SL502 a figure that cannot be read)."""
    document = read_yaml(text, source, "SL501",
                         "check indentation and that each entry is `id: \"figure\"`",
                         PublishedError)
    return _published(document.constructor, document.root, source)


def _published(loader: Constructor, root: yaml.Node | None, source: str) -> Published:
    if not isinstance(root, yaml.MappingNode):
        raise PublishedError([error(
            "SL501", "a published-figures file is a mapping with `plan`, `period`, `scores`, "
                     "`values` and `summary`", Span.point(source, 1, 1),
            "see examples/cciaa-modena-2020/pubblicati-2020-06.yaml")])
    reader = _Reader(loader, source, "it")
    top: dict[str, yaml.Node] = {}
    for key, key_node, value_node in reader.pairs(root, "the file"):
        top[key] = value_node
        if key not in _TOP_LEVEL:
            reader.shape(f"unknown key `{key}` in a published-figures file", key_node,
                         did_you_mean(key, _TOP_LEVEL) or "allowed keys: " + ", ".join(_TOP_LEVEL))
    if not any(key in top for key in _FIGURES):
        reader.shape("the file prints no figures: give `scores`, `values` or `summary`", root)
    locale = _text(reader, top, "locale") or "it"
    if locale not in LOCALES:
        reader.shape(f"unknown locale `{locale}`", top["locale"],
                     "`it` (62,96% and 3.111.720.000,00 €) or `en` (62.96% and 3,111,720,000.00)")
        locale = "it"
    reader.locale = locale
    entries: list[Entry] = []
    for name, node in top.items():  # file order
        if name in _FIGURES:
            entries += reader.entries(name, node)
    plan, period = _text(reader, top, "plan"), _text(reader, top, "period")
    as_of = _as_of(reader, top)
    if reader.problems:
        raise PublishedError(in_source_order(reader.problems))
    spans = {key: node_span(source, top[key]) for key in _NAMES if key in top}
    return Published(tuple(entries), plan, period, as_of, locale, source, spans)


def _text(reader: _Reader, top: Mapping[str, yaml.Node], key: str) -> str | None:
    node = top.get(key)
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        reader.shape(f"`{key}` must be a name", node)
        return None
    return str(node.value)


def _as_of(reader: _Reader, top: Mapping[str, yaml.Node]) -> dt.date | None:
    node = top.get("as_of")
    if node is None:
        return None
    try:
        figure = reader.scalar(node) if isinstance(node, yaml.ScalarNode) else None
    except ValueError:
        figure = None
    if figure is None or figure.date is None:
        reader.shape(f"as_of {getattr(node, 'value', '')!r} is not a date", node,
                     "write it as YYYY-MM-DD")
        return None
    return figure.date


def load_published(path: str | Path) -> Published:
    path = Path(path)
    return loads_published(read_text(path, "published file"), str(path))


