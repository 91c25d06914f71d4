"""Views of a scored plan: the tables people pass around, as typed rows before any formatting.

A view is a title, columns (each with a kind: text, percent, measure, ...) and rows of raw
values. Renderers (table, markdown, csv, html, xlsx) format the cells by kind and locale; the
views decide only what is shown: the seed's summary (areas and strategic objectives), the
whole tree, the indicators, the managers' scorecards, and a comparison of periods.

Each view is first a `ViewSource`: its rows made from the Result each time they are asked
for, and its columns decided from what the rows hold. `built` makes the View every report
reads; the table `scorelang score` prints reads the source's rows twice instead
(report.table.streamed), so that a view of 100,000 indicators never stands whole in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from ..model import TargetUsed
from ..engine import numbers
from ..engine.result import NodeResult, Result, ScorecardResult
from .words import PAGE_WORDS

SUMMARY_DEPTH = 2  # areas (1) and strategic objectives (2): the seed's summary table


@attrs.frozen
class Column:
    key: str
    title: str  # English
    titolo: str  # Italian
    # text, percent, weight, target, measure, band, status, flags, points (a change),
    # scale_points (points on a table's scale), reward_band, note, severity, value_note (the
    # values file's note or source on an indicator); prose: a text that is what the view
    # exists to show (a finding's message), wrapped in a terminal, never cut
    kind: str = "text"

    def heading(self, locale: str) -> str:
        return self.titolo if locale == "it" else self.title


@attrs.frozen
class Target:
    """A target as a cell: direction, value and unit, or a deadline; and where it comes from."""

    used: TargetUsed
    unit: str | None


@attrs.frozen
class Points:
    """An indicator's score on its `points N` table: the points and the scale's maximum."""

    value: float
    maximum: float


@attrs.frozen
class Measure:
    value: float | dt.date | None
    unit: str | None


@attrs.frozen
class Note:
    """Why a figure is not the rules' own: a neutralisation {reason, act} or an override
    {score, computed, reason, by}, from the values file (`note_text` words it per locale)."""

    neutralised: Any = None
    override: Any = None
    places: int = 2

    def __str__(self) -> str:
        return note_text(self, "en")


def note_text(note: Note, locale: str) -> str:
    """A neutralisation or an override in words: the reason, the act or who, and for an
    override the score the rules gave."""
    italian = locale == "it"
    if note.neutralised is not None:
        word = "neutralizzato" if italian else "neutralised"
        return f"{word} ({note.neutralised['act']}): {note.neutralised['reason']}"
    given = note.override
    if given is None:
        return ""
    computed = "N/D" if given["computed"] is None else \
        numbers.percent(given["computed"], locale, note.places)
    by = f" {'da' if italian else 'by'} {given['by']}" if given.get("by") else ""
    word = "rettificato" if italian else "overridden"
    rules = "calcolato" if italian else "computed"
    return f"{word}{by} ({rules} {computed}): {given['reason']}"


@attrs.frozen
class View:
    name: str
    title: str
    titolo: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    depth_key: str | None = None  # a column whose text is indented by the row's "depth"

    def heading(self, locale: str) -> str:
        return self.titolo if locale == "it" else self.title


# Whether some row of a view has a key: the columns shown only when some row fills them
# (a baseline, points, a note) are decided by it.
Has = Callable[[str], bool]


@attrs.frozen
class ViewSource:
    """A view not yet made: `rows` makes its rows anew at each call (in order, from the
    Result), `columns` decides its columns from the keys the rows have. Columns never depend
    on anything else of the rows, so that a reader going through the rows once knows them
    all at the end (report.table.streamed); with every key present they are every column
    the view could show, in the order it shows them."""

    name: str
    title: str
    titolo: str
    rows: Callable[[], Iterator[dict[str, Any]]]
    columns: Callable[[Has], tuple[Column, ...]]
    depth_key: str | None = None

    def heading(self, locale: str) -> str:
        return self.titolo if locale == "it" else self.title

    def built(self) -> View:
        """The view with its rows, what every report but the streamed table reads."""
        return self.holding(tuple(self.rows()))

    def holding(self, rows: tuple[dict[str, Any], ...]) -> View:
        """The view of `rows`, made by `rows()` already."""
        keys: set[str] = set()
        for row in rows:
            keys.update(row)
        return View(self.name, self.title, self.titolo, self.columns(keys.__contains__), rows,
                    self.depth_key)


_NODE = Column("node", "Node", "Nodo")
_WEIGHT = Column("weight", "Weight", "Peso", "weight")
_SCORE = Column("score", "Achievement", "Grado di raggiungimento", "percent")
_BAND = Column("band", "Band", "Valutazione", "band")
_STATUS = Column("status", "Status", "Stato", "status")
# Shown only when some node is neutralised or overridden (the values file says why).
_NOTE = Column("note", "Neutralised / overridden", "Neutralizzazione / rettifica", "note")
# Shown only when some indicator is scored by a `points N` table, or declares a `baseline`:
# beside the achievement and the target (Modena's views keep their columns).
_POINTS = Column("points", "Points", "Punti", "scale_points")
# Shown only when some indicator has a note or a source in the values file: columns in the
# CSV; the table and markdown make them numbered footnotes (`footnotes`), long text being
# what a column of a terminal table reads worst.
_VALUE_NOTE = Column("value_note", PAGE_WORDS["en"]["value_note"],
                     PAGE_WORDS["it"]["value_note"], "value_note")
_VALUE_SOURCE = Column("value_source", PAGE_WORDS["en"]["data_source"],
                       PAGE_WORDS["it"]["data_source"], "value_note")
VALUE_NOTE_KEYS = ("value_note", "value_source")
_BASELINE = Column("baseline", "Baseline", "Valore di partenza", "measure")


def _with_points_and_baseline(columns: tuple[Column, ...], has: Has) -> tuple[Column, ...]:
    out: list[Column] = []
    for column in columns:
        out.append(column)
        if column.key == "target" and has("baseline"):
            out.append(_BASELINE)
        if column is _SCORE and has("points"):
            out.append(_POINTS)
    return tuple(out)


def _value_notes(has: Has) -> tuple[Column, ...]:
    return (_VALUE_NOTE, _VALUE_SOURCE) if has("value_note") else ()


@attrs.frozen
class Footnote:
    """A note on an indicator's value, numbered once for every row of the indicator."""

    number: int
    indicator: str
    note: str | None
    source: str | None


class FootnoteNumbers:
    """The footnotes of a view's rows, numbered in order of first appearance as the rows are
    read. Every use of an indicator carries the same note, so it has one number; a row read
    again gets the number it got the first time."""

    def __init__(self) -> None:
        self._of: dict[str, int] = {}  # indicator -> its footnote's number
        self.notes: list[Footnote] = []

    def number(self, row: dict[str, Any]) -> int | None:
        """The footnote number of `row`, None when it has no note on its value."""
        if "value_note" not in row:
            return None
        indicator = str(row.get("indicator") or row.get("id"))
        number = self._of.get(indicator)
        if number is None:
            number = self._of[indicator] = len(self.notes) + 1
            self.notes.append(Footnote(number, indicator, row.get("value_note"),
                                       row.get("value_source")))
        return number


def without_value_notes(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns but the notes on the values, which the table and markdown make
    footnotes."""
    return tuple(c for c in columns if c.key not in VALUE_NOTE_KEYS)


def footnotes(view: View) -> tuple[View, dict[int, int], tuple[Footnote, ...]]:
    """The view without its columns of notes on the values; the footnote number of each row
    (by position) that has one; and the footnotes (`FootnoteNumbers`)."""
    kept = without_value_notes(view.columns)
    if len(kept) == len(view.columns):
        return view, {}, ()
    numbering = FootnoteNumbers()
    marks: dict[int, int] = {}
    for position, row in enumerate(view.rows):
        number = numbering.number(row)
        if number is not None:
            marks[position] = number
    return attrs.evolve(view, columns=kept), marks, tuple(numbering.notes)


def footnote_text(footnote: Footnote, locale: str) -> str:
    """A footnote's words after its number: "export: the note (Fonte: ISTAT)"; the note's own
    line breaks kept (each renderer decides what to do with them)."""
    words = PAGE_WORDS.get(locale, PAGE_WORDS["en"])
    parts = [footnote.note] if footnote.note else []
    if footnote.source:
        source = f"{words['source_of']}: {footnote.source}"
        parts.append(f"({source})" if parts else source)
    return f"{footnote.indicator}: " + " ".join(parts)


def label(node: NodeResult) -> str:
    if node.kind == "indicator":
        return f"{node.indicator} · {node.title}"
    if node.link is not None:  # read here, scored where it is defined
        return f"{node.code} {node.title} (link)"
    if node.code is not None:
        return f"{node.code} - {node.title}" if node.kind == "area" else f"{node.code} {node.title}"
    return node.title


def _node_row(node: NodeResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": node.id, "depth": node.depth, "kind": node.kind, "node": label(node),
        "weight": node.weight, "score": node.score, "band": node.band, "status": node.status,
    }
    if node.neutralised is not None or node.override is not None:
        row["note"] = Note(node.neutralised, node.override, node.places)
    if node.kind == "indicator":
        if node.note is not None:
            row["value_note"] = node.note.get("note")
            row["value_source"] = node.note.get("source")
        row["target"] = Target(node.target, node.unit) if node.target else None
        row["value"] = Measure(node.value, node.unit)
        row["raw"] = node.raw
        row["flags"] = node.flags
        row["indicator"] = node.indicator
        row["title"] = node.title
        row["unit"] = node.unit
        if node.points is not None and node.points_max is not None:
            row["points"] = Points(node.points, node.points_max)
        if node.baseline is not None:
            row["baseline"] = Measure(node.baseline, node.unit)
    return row


def _summary(result: Result, depth: int | None) -> ViewSource:
    """The seed's summary: Ambito | Obiettivo strategico | Grado | Valutazione | Peso."""
    limit = SUMMARY_DEPTH if depth is None else depth

    def rows() -> Iterator[dict[str, Any]]:
        for node in result:
            if node.depth - result.area_depth >= limit or node.kind == "group":
                continue
            row = _node_row(node)
            # As in the seed: the area on its own row with its score, its objectives below
            # it; the plan's total, when it has one, above them all.
            row["area"] = label(node) if node.kind in ("area", "plan") else ""
            row["objective"] = "" if node.kind in ("area", "plan") else label(node)
            yield row

    def columns(has: Has) -> tuple[Column, ...]:
        return (Column("area", "Area", "Ambito strategico"),
                Column("objective", "Objective", "Obiettivo strategico"),
                _SCORE, _BAND, _WEIGHT)

    return ViewSource("summary", "Summary", "Quadro riepilogativo", rows, columns)


def _tree(result: Result, depth: int | None) -> ViewSource:
    def rows() -> Iterator[dict[str, Any]]:
        for node in result:
            if depth is None or node.depth - result.area_depth < depth:
                row = _node_row(node)
                row["advice"] = sorted({f.category for f in result.findings_of(node.id)})
                yield row

    def columns(has: Has) -> tuple[Column, ...]:
        shown: tuple[Column, ...] = (
            _NODE, _WEIGHT, Column("target", "Target", "Target", "target"),
            Column("value", "Value", "Valore", "measure"), _SCORE, _BAND, _STATUS)
        shown = _with_points_and_baseline(shown, has)
        if result.findings:
            shown += (Column("advice", "Advice", "Indicazioni", "flags"),)
        if has("note"):
            shown += (_NOTE,)
        return shown + _value_notes(has)

    return ViewSource("tree", "Scored tree", "Albero degli obiettivi", rows, columns,
                      depth_key="node")


def _indicators(result: Result, depth: int | None) -> ViewSource:
    def rows() -> Iterator[dict[str, Any]]:
        return (_node_row(node) for node in result if node.kind == "indicator")

    def columns(has: Has) -> tuple[Column, ...]:
        shown: tuple[Column, ...] = (
            Column("id", "Node", "Nodo"), Column("title", "Indicator", "Indicatore"),
            Column("target", "Target", "Target", "target"),
            Column("value", "Value", "Valore", "measure"),
            Column("raw", "Raw", "Grezzo", "percent"), _SCORE, _BAND,
            Column("flags", "Flags", "Note", "flags"))
        shown = _with_points_and_baseline(shown, has)
        if has("note"):
            shown += (_NOTE,)
        return shown + _value_notes(has)

    return ViewSource("indicators", "Indicators", "Indicatori", rows, columns)


def _scorecards(result: Result, depth: int | None) -> ViewSource:
    """Each scorecard and its lines. A card made of components shows them, their parts and
    the behaviour ratings beneath; cards paid by a reward mapping show their band and share.
    The rating and reward columns appear only when some card has them (Modena's do not)."""
    def rows() -> Iterator[dict[str, Any]]:
        for card in result.scorecards:
            yield {"depth": 0, "node": card.title, "weight": None, "score": card.score,
                   "band": card.band, "status": card.status, "kind": "scorecard",
                   "id": card.id, "reward": card.reward_share,
                   "reward_band": card.reward_bounds}
            for entry in card.entries:
                yield {"depth": 1, "node": f"{entry.ref} · {entry.title}",
                       "weight": entry.weight, "score": entry.score, "band": entry.band,
                       "status": entry.status, "kind": entry.kind, "id": entry.ref}
            yield from _components(card)

    def columns(has: Has) -> tuple[Column, ...]:
        shown: tuple[Column, ...] = (Column("node", "Scorecard", "Obiettivi individuali"),
                                     _WEIGHT, _SCORE, _BAND, _STATUS)
        if any(card.components for card in result.scorecards):
            shown += (Column("rating", "Evaluator's rating", "Giudizio", "measure"),)
        if any(card.reward is not None for card in result.scorecards):
            shown += (Column("reward_band", "Reward band", "Fascia premiale", "reward_band"),
                      Column("reward", "Reward", "Quota premio", "percent"))
        return shown

    return ViewSource("scorecards", "Individual scorecards", "Obiettivi individuali", rows,
                      columns, depth_key="node")


def _components(card: ScorecardResult) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for component in card.components:
        rows.append({"depth": 1, "node": f"{component.id} · {component.title}",
                     "weight": component.weight, "score": component.score,
                     "band": component.band, "status": component.status, "kind": "component",
                     "id": f"{card.id}/{component.id}"})
        for part in component.parts:
            ref = {"plan": "plan", "behaviours": f"behaviours {part.ref}"}.get(part.kind,
                                                                                part.ref or "")
            rows.append({"depth": 2, "node": f"{ref} · {part.title}", "weight": part.weight,
                         "score": part.score, "band": part.band, "status": part.status,
                         "kind": part.kind, "id": f"{card.id}/{component.id}/{ref}"})
            for rating in part.ratings:
                rows.append({"depth": 3, "node": f"{rating.id} · {rating.title}",
                             "weight": rating.weight, "score": rating.score,
                             "rating": None if rating.rating is None else
                             Measure(rating.rating, f"/ {part.scale or 0:g}"),
                             "status": "scored" if rating.score is not None else "missing",
                             "kind": "behaviour", "id": f"{card.id}/{rating.id}"})
    return rows


def _findings(result: Result, depth: int | None) -> ViewSource:
    """The advice rules' findings, grouped by category (in the order categories first
    appear)."""
    def rows() -> Iterator[dict[str, Any]]:
        order = list(dict.fromkeys(f.category for f in result.findings))
        for category in order:
            for finding in result.findings:
                if finding.category == category:
                    node = result[finding.node]
                    # The node id, not only the indicator: one indicator may be used in two
                    # places.
                    yield {"category": category, "id": finding.node,
                           "node": f"{finding.node} · {node.title}",
                           "severity": finding.severity, "rule": finding.title,
                           "message": finding.message, "score": node.score,
                           "status": node.status}

    def columns(has: Has) -> tuple[Column, ...]:
        return (Column("category", "Category", "Categoria"), Column("node", "Node", "Nodo"),
                _SCORE, Column("severity", "Severity", "Gravità", "severity"),
                Column("message", "Finding", "Indicazione", "prose"))

    return ViewSource("findings", "Findings of the advice rules", "Indicazioni dell'OIV", rows,
                      columns)


# One per name in `report.VIEWS`, the list the command line offers (a test keeps them in step).
BUILDERS: dict[str, Callable[[Result, int | None], ViewSource]] = {
    "summary": _summary, "tree": _tree, "indicators": _indicators, "scorecards": _scorecards,
    "findings": _findings}


def source(result: Result, name: str, depth: int | None = None) -> ViewSource:
    return BUILDERS[name](result, depth)


def view(result: Result, name: str, depth: int | None = None) -> View:
    return source(result, name, depth).built()


def summary(result: Result, depth: int | None = None) -> View:
    return _summary(result, depth).built()


def tree(result: Result, depth: int | None = None) -> View:
    return _tree(result, depth).built()


def indicators(result: Result, depth: int | None = None) -> View:
    return _indicators(result, depth).built()


def scorecards(result: Result, depth: int | None = None) -> View:
    return _scorecards(result, depth).built()


def findings(result: Result, depth: int | None = None) -> View:
    return _findings(result, depth).built()


def comparison(results: Sequence[Result], labels: Sequence[str],
               depth: int | None = None) -> View:
    """Each node's score side by side, with the change from the first to the last."""
    first = results[0]
    rows = []
    for node in first:
        if depth is not None and node.depth - first.area_depth >= depth:
            continue
        row: dict[str, Any] = {"id": node.id, "depth": node.depth, "kind": node.kind,
                               "node": label(node)}
        scores = []
        for index, result in enumerate(results):
            score = result[node.id].score if node.id in result else None
            row[f"score_{index}"] = score
            scores.append(score)
        row["change"] = (scores[-1] - scores[0]
                         if scores[0] is not None and scores[-1] is not None else None)
        rows.append(row)
    columns = (_NODE,
               *(Column(f"score_{i}", text, text, "percent") for i, text in enumerate(labels)),
               Column("change", "Change", "Variazione", "points"))
    return View("compare", "Comparison", "Confronto", columns, tuple(rows), depth_key="node")
