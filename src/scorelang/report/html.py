"""The scored plan as one self-contained HTML page, for the OIV and the Chamber's management.

The page follows the order in which the seed report is read: a header (plan, period, monitoring
date), the summary table of strategic objectives (Ambito | Obiettivo strategico | Grado di
raggiungimento | Valutazione | Peso), a bar chart of the same, the whole scored tree (Allegato 1)
with a bullet chart per indicator, the notes on the values (the values file's remarks and data
sources, numbered as the footnote markers beside the indicators in the tree), the managers'
individual scorecards, and a legend.

What it must not do: compute (scores, bands and flags are the Result's, as they are), format a
figure other than through `report.numbers`, or reach outside the file. It opens offline and
prints: inline CSS and SVG, no fonts, images or scripts from anywhere, no JavaScript at all.

Collapsing without JavaScript: every level of the tree is a `<details open>`. A closed
`<details>` hides its content when printed in any browser older than the `::details-content`
pseudo-element, so the page ships everything open (a reader collapses what they do not need with
one click), and the print stylesheet re-opens, through `::details-content`, whatever the reader
collapsed, where the browser supports it. A report that silently drops indicators from the PDF
an OIV signs would be worse than a long screen page; a script closing the deeper levels on
screen would break that promise wherever scripts do not run the way we expect.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from .. import model
from ..model import TargetUsed
from ..engine.result import NodeResult, Result, ScorecardResult
from ..engine import numbers
from .cells import reward_band_text
from .views import Note, note_text
from .words import FLAG_WORDS, PAGE_WORDS, severity_word

_DIRECTION = {">=": "≥", "<=": "≤", "=": "="}
_SAFE_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?|[a-zA-Z]{3,24}")
_NEUTRAL = "#9ca3af"  # N/D and unknown bands
_ANNUAL_INK, _PERIODIC_INK = "#111827", "#1d4ed8"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def colour(band: model.Band | None) -> str:
    """The band's colour if it is a plain CSS colour (hex or a name), else a neutral grey."""
    if band is None or not _SAFE_COLOUR.fullmatch(band.colour):
        return _NEUTRAL
    return band.colour


class _Page:
    """What every part of the page needs: the result, the words, the bands, the targets."""

    def __init__(self, result: Result, locale: str, plan: model.PlanDefinition | None):
        self.result = result
        self.locale = locale
        self.text = PAGE_WORDS.get(locale, PAGE_WORDS["en"])
        self.flag_text = FLAG_WORDS.get(locale, FLAG_WORDS["en"])
        self.bands = {band.id: band for band in result.bands}
        self.annual: dict[str, model.Target] = {
            ind.id: ind.target for ind in (plan.indicators if plan else ()) if ind.target}
        self.children: dict[str | None, list[NodeResult]] = {}
        # The notes on the values, numbered in tree order, one number per indicator (every use
        # of it carries the same note): indicator id -> (number, {note, source}).
        self.footnotes: dict[str, tuple[int, Any]] = {}
        for node in result:
            self.children.setdefault(node.parent, []).append(node)
            if node.note is not None and node.indicator not in self.footnotes:
                self.footnotes[node.indicator or node.id] = (len(self.footnotes) + 1, node.note)

    def percent(self, value: float | None, places: int = 2) -> str:
        return numbers.percent(value, self.locale, places)

    def band_of(self, band_id: str | None) -> model.Band | None:
        return self.bands.get(band_id) if band_id is not None else None

    def rating(self, band_id: str | None, status: str) -> str:
        """A coloured dot and the band's title; N/D has its own dashed grey dot."""
        band = self.band_of(band_id)
        if band is None and status == "scored":
            return ""  # a plan without bands: nothing to rate
        if band is None:
            why = self.text[_ND_WHY.get(status, "nd_missing")]
            label = "N/D" if band_id is None else band_id
            return (f'<span class="rating nd" title="{_e(why)}"><i class="dot nd"></i>'
                    f'{_e(label)}</span>')
        return (f'<span class="rating"><i class="dot" style="background:{colour(band)}"></i>'
                f'{_e(band.title)}</span>')

    def achievement(self, score: float | None, places: int, status: str) -> str:
        if score is None:
            why = self.text[_ND_WHY.get(status, "nd_missing")]
            return f'<span class="nd-pill" title="{_e(why)}">N/D</span>'
        return _e(self.percent(score, places))


_ND_WHY = {"not_due": "nd_not_due", "neutralised": "nd_neutralised",
           "no_target": "nd_no_target"}


def to_html(result: Result, locale: str | None = None, *, plan: model.PlanDefinition | None = None) -> str:
    """The whole report as one HTML document. `plan` (the definition) adds the annual target
    to indicators measured against a periodic one; without it only the target used is shown."""
    page = _Page(result, locale or result.locale, plan)
    sections = [_summary(page), _bar_chart(page), _tree(page), _value_notes(page),
                _scorecards(page), _findings(page), _legend(page), _annex(page), _notes(page)]
    # One <main> landmark for the report itself, the masthead and the footer beside it, so
    # that a screen reader's "skip to content" lands on the summary.
    parts = [_header(page), "<main>", *sections, "</main>",
             f'<footer>{_e(page.text["footer" if result.rounded is None else "footer_rounded"])}'
             '</footer>']
    return (f'<!DOCTYPE html>\n<html lang="{_e(page.locale)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{_e(result.plan_title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n'
            + "\n".join(part for part in parts if part) + "\n</body>\n</html>\n")


def _caption(text: str) -> str:
    """A table's caption for screen readers: the heading printed above it already names the
    table for a sighted reader, so the caption is announced but not shown twice."""
    return f'<caption class="visually-hidden">{_e(text)}</caption>'


def _header(page: _Page) -> str:
    result, t = page.result, page.text
    meta = []
    if result.period:
        meta.append((t["period"], result.period))
    if result.as_of:
        meta.append((t["as_of"], numbers.date(result.as_of, page.locale)))
    if result.score is not None:
        meta.append((t["plan_score"], page.percent(result.score, _places(result))))
    facts = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in meta)
    uses = [node for node in result if node.kind == "indicator"]
    counts = [f'<span class="count"><b>{len(uses)}</b> {_e(t["uses"])}</span>']
    for band in reversed(result.bands):
        n = sum(1 for node in uses if node.band == band.id)
        counts.append(f'<span class="count"><i class="dot" style="background:{colour(band)}">'
                      f'</i><b>{n}</b> {_e(band.title)}</span>')
    missing = sum(1 for node in uses if node.score is None)
    counts.append(f'<span class="count"><i class="dot nd"></i><b>{missing}</b> N/D</span>')
    return (f'<header class="masthead"><p class="kicker">{_e(t["kicker"])}</p>'
            f'<h1>{_e(result.plan_title)}</h1><dl class="meta">{facts}</dl>'
            f'<p class="counts">{"".join(counts)}</p></header>')


def _places(result: Result) -> int:
    return result.nodes[0].places if result.nodes else 2


def _name(node: NodeResult) -> str:
    """An area or objective as the seed names it: "301 - Internazionalizzazione"."""
    if node.link is not None:  # read here, scored where it is defined
        return f"{node.code} - {node.title} (link)"
    return f"{node.code} - {node.title}" if node.code else node.title


def _summary(page: _Page) -> str:
    """The seed's table: each area spans the rows of its strategic objectives."""
    t = page.text
    rows = []
    total = page.result.nodes[0] if page.result.area_depth else None
    if total is not None:  # the plan's total, the root, on the first row
        rows.append(f'<tr class="plan"><th scope="row">{_e(total.title)}</th><td></td>'
                    f'<td class="num">{page.achievement(total.score, total.places, total.status)}'
                    f'</td><td>{page.rating(total.band, total.status)}</td><td></td></tr>')
    for area in page.result.areas():
        below = page.children.get(area.id, [])
        rows.append(f'<tr><th scope="rowgroup" rowspan="{len(below) + 1}" class="area">'
                    f'{_e(_name(area))}<span class="sub">'
                    f'{page.achievement(area.score, area.places, area.status)} '
                    f'{page.rating(area.band, area.status)}</span></th></tr>')
        for node in below:
            weight = "" if node.weight is None else _e(page.percent(node.weight))
            nd = ' class="nd"' if node.score is None else ""
            rows.append(f'<tr{nd}><th scope="row">{_e(_name(node))}</th><td class="num">'
                        f'{page.achievement(node.score, node.places, node.status)}</td>'
                        f'<td>{page.rating(node.band, node.status)}</td>'
                        f'<td class="num">{weight}</td></tr>')
    heads = (t["area"], t["objective"], t["achievement"], t["band"], t["weight"])
    classes = ("", "", ' class="num"', "", ' class="num"')
    thead = "".join(f'<th scope="col"{c}>{_e(h)}</th>' for h, c in zip(heads, classes))
    return (f'<section class="summary"><h2>{_e(t["summary"])}</h2><table>'
            f'{_caption(t["summary"])}<thead><tr>{thead}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


# ---------------------------------------------------------------- bar chart of the objectives

_BAR_W, _LABEL_W, _PLOT_W, _ROW_H, _AREA_H, _AXIS_H = 1180, 400, 680, 24, 24, 26


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _bar_chart(page: _Page) -> str:
    areas = page.result.areas()
    objectives = [node for area in areas for node in page.children.get(area.id, [])]
    if not objectives:
        return ""
    top = max([100.0] + [node.score for node in objectives if node.score is not None])

    def x(value: float) -> float:
        return _LABEL_W + max(0.0, value) / top * _PLOT_W

    height = _AXIS_H + len(areas) * _AREA_H + len(objectives) * _ROW_H + 8
    out = []
    bands = page.result.bands
    for index, band in enumerate(bands):  # the bands' ranges, faintly, behind the bars
        upper = bands[index + 1].lower * 100 if index + 1 < len(bands) else top
        out.append(f'<rect x="{x(band.lower * 100):.1f}" y="{_AXIS_H - 4}" '
                   f'width="{x(upper) - x(band.lower * 100):.1f}" height="{height - _AXIS_H}" '
                   f'fill="{colour(band)}" fill-opacity="0.08"/>')
    for tick in (0, 25, 50, 75, 100):
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{_AXIS_H - 4}" y2="{height}" '
                   f'class="grid"/><text x="{x(tick):.1f}" y="{_AXIS_H - 10}" class="tick">'
                   f'{_e(page.percent(tick, 0))}</text>')
    y = _AXIS_H
    for area in areas:
        out.append(f'<text x="0" y="{y + 16}" class="area-label">'
                   f'{_e(_shorten(_name(area), 70))}</text>')
        y += _AREA_H
        for node in page.children.get(area.id, []):
            out.append(_bar(page, node, y, x))
            y += _ROW_H
    out.append(f'<line x1="{x(100):.1f}" x2="{x(100):.1f}" y1="{_AXIS_H - 4}" y2="{height}" '
               f'class="hundred"/>')
    label = _e(page.text["chart"])
    return (f'<section class="overview"><h2>{label}</h2><svg class="chart bar-chart" '
            f'role="img" aria-label="{label}" viewBox="0 0 {_BAR_W} {height}" '
            f'width="{_BAR_W}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            + "".join(out) + "</svg></section>")


def _bar(page: _Page, node: NodeResult, y: int, x: Callable[[float], float]) -> str:
    name = _name(node)
    shown = page.percent(node.score, node.places)
    head = (f'<g><title>{_e(name)}: {_e(shown)}</title><text x="12" y="{y + 16}" '
            f'class="bar-label">{_e(_shorten(name, 56))}</text>')
    if node.score is None:
        return (head + f'<rect x="{x(0):.1f}" y="{y + 4}" width="44" height="16" class="nd-bar"/>'
                f'<text x="{x(0) + 52:.1f}" y="{y + 16}" class="bar-value nd-text">N/D</text></g>')
    end = x(node.score)
    fill = colour(page.band_of(node.band))
    return (head + f'<rect x="{x(0):.1f}" y="{y + 4}" width="{max(end - x(0), 1.5):.1f}" '
            f'height="16" rx="2" fill="{fill}"/><text x="{end + 6:.1f}" y="{y + 16}" '
            f'class="bar-value">{_e(shown)}</text></g>')


# ---------------------------------------------------------------- the tree

_COLUMNS = ("node", "weight", "target", "value", "progress", "achievement", "band")


def _tree(page: _Page) -> str:
    heads = "".join(f'<span class="c-{key}">{_e(page.text[key])}</span>' for key in _COLUMNS)
    body = "".join(_branch(page, node) for node in page.children.get(None, []))
    return (f'<section class="tree"><h2>{_e(page.text["tree"])}</h2>'
            f'<div class="row head" aria-hidden="true">{heads}</div>{body}</section>')


def _branch(page: _Page, node: NodeResult) -> str:
    if node.kind == "indicator":
        return _indicator_row(page, node)
    inner = "".join(_branch(page, child) for child in page.children.get(node.id, []))
    row = (f'<summary class="row k-{_e(node.kind)} d{node.depth}"{_row_attrs(node)}>'
           f'{_node_cells(page, node)}</summary>')
    return f'<details open class="k-{_e(node.kind)}">{row}{inner}</details>'


def _row_attrs(node: NodeResult) -> str:
    return (f' data-node-id="{_e(node.id)}" data-kind="{_e(node.kind)}" '
            f'data-status="{_e(node.status)}" style="--depth:{node.depth}"')


def _node_cells(page: _Page, node: NodeResult, target: str = "", value: str = "",
                progress: str = "", extra: str = "") -> str:
    weight = "" if node.weight is None else _e(page.percent(node.weight))
    code = f'<b class="code">{_e(node.code)}</b> ' if node.code else ""
    achievement = page.achievement(node.score, node.places, node.status)
    if node.raw is not None and node.score is not None and {"capped", "floored"} & {*node.flags}:
        achievement += (f'<small class="raw">{_e(page.text["raw"])} '
                        f'{_e(page.percent(node.raw, node.places))}</small>')
    if node.points is not None and node.points_max is not None:  # a `points N` table
        points = numbers.points_of(node.points, node.points_max, page.locale, node.places)
        achievement += f'<small class="raw points">{_e(_unbroken(points))}</small>'
    if node.neutralised is not None or node.override is not None:
        note = note_text(Note(node.neutralised, node.override, node.places), page.locale)
        extra += f'<small class="note">{_e(note)}</small>'
    if node.link is not None:  # read here, scored where it is defined
        extra = f' <small class="note">(link)</small>{extra}'
    return (f'<span class="c-node">{code}{_e(node.title)}{extra}</span>'
            f'<span class="c-weight num">{weight}</span><span class="c-target">{target}</span>'
            f'<span class="c-value num">{value}</span><span class="c-progress">{progress}</span>'
            f'<span class="c-achievement num">{achievement}</span>'
            f'<span class="c-band">{page.rating(node.band, node.status)}</span>')


def _indicator_row(page: _Page, node: NodeResult) -> str:
    used = node.target
    annual = page.annual.get(node.indicator or "")
    if annual is not None and used is not None and used.source == "annual":
        annual = None  # the annual target is the one used: no second marker
    # The periodic target is named in the target column already.
    shown = [flag for flag in node.flags if flag != "periodic_target"]
    flags = "".join(f'<span class="flag" title="{_e(page.flag_text.get(f, (f, f))[1])}">'
                    f'{_e(page.flag_text.get(f, (f, f))[0])}</span>' for f in shown)
    extra = f'<small class="ind-id">{_e(node.indicator)}</small>{flags}'
    if node.indicator in page.footnotes:
        number, note = page.footnotes[node.indicator]
        said = " — ".join(text for text in (note.get("note"), note.get("source")) if text)
        extra = (f'<sup class="note-ref"><a href="#value-note-{number}" title="{_e(said)}">'
                 f'{number}</a></sup>{extra}')
    value = _e(_unbroken(numbers.measure(node.value, node.unit, page.locale)))
    if node.value is None:
        value = '<span class="nd-text">N/D</span>'
    if used is None:
        target, progress = "", ""
    elif used.due is not None:
        target = _e(f'{page.text["by"]} {numbers.date(used.due.due, page.locale)}')
        progress = _deadline_badge(page, node, used)
    elif used.value is None:  # a target still to be decided: nothing to draw against
        assert used.direction is not None
        target, progress = _e(f"{_DIRECTION[used.direction.value]} tbd"), ""
    else:
        target = _target_text(page, used, node.unit, annual)
        progress = bullet_chart(page, node, used, annual)
    if node.baseline is not None:  # last year's actual, beside the target
        baseline = _unbroken(numbers.measure(node.baseline, node.unit, page.locale))
        target += (f'<small class="annual baseline">{_e(page.text["baseline"])} '
                   f'{_e(baseline)}</small>')
    return (f'<div class="row indicator d{node.depth}"{_row_attrs(node)}>'
            f'{_node_cells(page, node, target, value, progress, extra)}</div>')


def _unbroken(text: str) -> str:
    """A figure and its unit kept on one line ("13.000.000.000,00 €")."""
    return text.replace(" ", "\u00a0")


def _target_text(page: _Page, used: TargetUsed, unit: str | None,
                 annual: model.Target | None) -> str:
    assert used.direction is not None and used.value is not None
    figure = _unbroken(numbers.measure(used.value, unit, page.locale))
    out = _e(f"{_DIRECTION[used.direction.value]} {figure}")
    if used.source == "periodic":
        period = f'{page.text["periodic"]} {used.period or ""}'.strip()
        out += f' <span class="flag periodic">{_e(period)}</span>'
    elif used.source == "limit":  # `missing_target limit`: the minimum stands in for a `tbd`
        out += f' <span class="flag limit">{_e(page.text["limit"])}</span>'
    if annual is not None:
        out += (f'<small class="annual">{_e(page.text["annual"])} '
                f'{_e(_DIRECTION[annual.direction.value])} '
                f'{_e(_unbroken(numbers.measure(annual.value, unit, page.locale)))}</small>')
    return out


def _deadline_badge(page: _Page, node: NodeResult, used: TargetUsed) -> str:
    assert used.due is not None
    if node.status == "not_due":
        text, kind = page.text["nd_not_due"], "pending"
    elif "missed" in node.flags:
        text, kind = page.flag_text["missed"][0], "missed"
    elif isinstance(node.value, dt.date):
        text = f'{page.text["done"]} {numbers.date(node.value, page.locale)}'
        kind = "late" if "late" in node.flags else "done"
    else:
        text, kind = page.text["nd_missing"], "pending"
    return f'<span class="deadline {kind}">{_e(text)}</span>'


_BULLET_W, _BULLET_H, _PAD = 160, 26, 4


_MARK = 8.0  # the width of the value's mark when its bar would be shorter


def bullet_chart(page: _Page, node: NodeResult, used: TargetUsed,
                 annual: model.Target | None) -> str:
    """Value against the target used and (when it differs) the annual one, on one scale.

    The scale always holds zero, the value and every target, so a `<=` target, a negative one
    (payment days -18) and an overshoot (953 %) are each drawn where they are."""
    assert used.direction is not None and used.value is not None
    value = node.value if isinstance(node.value, (int, float)) else None
    marks = [used.value] + ([annual.value] if annual is not None else [])
    points = [0.0, *marks] + ([float(value)] if value is not None else [])
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    high += span * 0.08 if high > 0 or high == low else 0.0
    low -= span * 0.08 if low < 0 else 0.0

    def x(v: float) -> float:
        return _PAD + (v - low) / (high - low) * (_BULLET_W - 2 * _PAD)

    out = [f'<rect x="{_PAD}" y="4" width="{_BULLET_W - 2 * _PAD}" height="18" class="track"/>']
    direction = used.direction.value
    if direction == ">=":
        out.append(f'<rect x="{x(used.value):.1f}" y="4" width="{x(high) - x(used.value):.1f}" '
                   f'height="18" class="met"/>')
    elif direction == "<=":
        out.append(f'<rect x="{_PAD}" y="4" width="{x(used.value) - _PAD:.1f}" height="18" '
                   f'class="met"/>')
    else:  # `=`: the target alone is met, a narrow zone around its line
        out.append(f'<rect x="{x(used.value) - 3:.1f}" y="4" width="6" height="18" class="met"/>')
    if low < 0 < high:
        out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="4" y2="22" class="zero"/>')
    if value is None:
        out.append(f'<text x="{_PAD + 6}" y="17" class="nd-text">N/D</text>')
    else:
        left, right = sorted((x(0), x(value)))
        fill = colour(page.band_of(node.band))
        if right - left >= _MARK:
            out.append(f'<rect x="{left:.1f}" y="9" width="{right - left:.1f}" height="8" '
                       f'fill="{fill}"/>')
        else:
            # A value at (or next to) zero has no length to draw, yet it may be the target
            # met (`= 0` complaints): a mark in the band's colour, where the value is.
            out.append(f'<rect x="{x(value) - _MARK / 2:.1f}" y="7" width="{_MARK}" '
                       f'height="12" rx="2" fill="{fill}" class="value-mark"/>')
    if annual is not None:
        out.append(f'<line x1="{x(annual.value):.1f}" x2="{x(annual.value):.1f}" y1="2" y2="24" '
                   f'stroke="{_ANNUAL_INK}" stroke-width="2.5"/>')
    periodic = used.source == "periodic"
    ink, dashes = (_PERIODIC_INK, ' stroke-dasharray="3 2"') if periodic else (_ANNUAL_INK, "")
    out.append(f'<line x1="{x(used.value):.1f}" x2="{x(used.value):.1f}" y1="2" y2="24" '
               f'stroke="{ink}" stroke-width="2.5"{dashes}/>')
    unit, loc = node.unit, page.locale
    words = [f'{page.text["value"]}: {numbers.measure(value, unit, loc)}',
             f'{page.text["target"]} {page.text["periodic" if periodic else "annual"]}: '
             f'{_DIRECTION[direction]} {numbers.measure(used.value, unit, loc)}']
    if annual is not None:
        sign = _DIRECTION[annual.direction.value]
        words.append(f'{page.text["target"]} {page.text["annual"]}: '
                     f'{sign} {numbers.measure(annual.value, unit, loc)}')
    label = _e(" · ".join(words))
    return (f'<svg class="chart bullet" role="img" aria-label="{label}" width="{_BULLET_W}" '
            f'height="{_BULLET_H}" viewBox="0 0 {_BULLET_W} {_BULLET_H}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(out)}</svg>')


# ---------------------------------------------------------------- scorecards, legend, notes

def _scorecards(page: _Page) -> str:
    if not page.result.scorecards:
        return ""
    cards = "".join(_scorecard(page, card) for card in page.result.scorecards)
    return (f'<section class="scorecards"><h2>{_e(page.text["scorecards"])}</h2>'
            f'<div class="cards">{cards}</div></section>')


def _findings(page: _Page) -> str:
    """The advice rules' findings, grouped by category, as `scorelang advise` lists them."""
    result, t = page.result, page.text
    if not result.findings:
        return ""
    groups = []
    for category in dict.fromkeys(f.category for f in result.findings):
        rows = "".join(
            f'<tr data-finding="{_e(f.rule)}"><td>{_e(f.node)}</td>'
            f'<td class="num">{page.achievement(result[f.node].score, _places(result), result[f.node].status)}</td>'
            f'<td>{_e(severity_word(f.severity, page.locale))}</td><td>{_e(f.message)}</td></tr>'
            for f in result.findings if f.category == category)
        groups.append(f'<h3>{_e(category)}</h3><table class="findings">{_caption(category)}'
                      f'<thead><tr><th scope="col">{_e(t["node"])}</th>'
                      f'<th scope="col" class="num">{_e(t["achievement"])}</th>'
                      f'<th scope="col">{_e(t["severity"])}</th>'
                      f'<th scope="col">{_e(t["finding"])}</th></tr></thead>'
                      f'<tbody>{rows}</tbody></table>')
    return f'<section class="findings"><h2>{_e(t["findings"])}</h2>{"".join(groups)}</section>'


def _scorecard(page: _Page, card: ScorecardResult) -> str:
    t = page.text
    if card.components:
        return _components_card(page, card)
    rows = "".join(
        f'<tr data-scorecard-entry="{_e(entry.ref)}"><td>{_e(entry.title)}'
        f'<small class="ind-id">{_e(entry.ref)}</small></td>'
        f'<td class="num">{_e(page.percent(entry.weight))}</td>'
        f'<td class="num">{page.achievement(entry.score, card.places, entry.status)}</td>'
        f'<td>{page.rating(entry.band, entry.status)}</td></tr>' for entry in card.entries)
    heads = (f'<th scope="col">{_e(t["entry"])}</th><th scope="col" class="num">'
             f'{_e(t["weight"])}</th><th scope="col" class="num">{_e(t["achievement"])}</th>'
             f'<th scope="col">{_e(t["band"])}</th>')
    return (f'<article class="card" data-scorecard="{_e(card.id)}"><h3>{_e(card.title)}'
            f'<span class="card-score">{page.achievement(card.score, card.places, card.status)} '
            f'{page.rating(card.band, card.status)}</span></h3>{_reward(page, card)}<table>'
            f'{_caption(card.title)}<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'
            f'</article>')


def _reward(page: _Page, card: ScorecardResult) -> str:
    if card.reward is None:
        return ""
    t = page.text
    text = reward_band_text(card.reward_bounds, page.locale)
    band = f' ({_e(t["reward_band"])} {_e(text)})' if text else ""
    title = card.reward_title or t["reward"]
    share = page.achievement(card.reward_share, card.places, card.status)
    return (f'<p class="reward" data-reward="{_e(card.reward)}">{_e(title)}: <b>{share}</b>'
            f'{band}</p>')


def _components_card(page: _Page, card: ScorecardResult) -> str:
    """An individual evaluation: each component, its parts, the behaviour ratings, the reward."""
    t = page.text
    rows = []
    for component in card.components:
        rows.append(
            f'<tr class="component" data-component="{_e(component.id)}"><td><b>'
            f'{_e(component.title)}</b></td><td class="num">{_e(page.percent(component.weight))}'
            f'</td><td class="num">'
            f'{page.achievement(component.score, card.places, component.status)}</td><td></td><td>{page.rating(component.band, component.status)}</td></tr>')
        for part in component.parts:
            rows.append(
                f'<tr data-part="{_e(part.ref or part.kind)}"><td>&emsp;{_e(part.title)}'
                f'<small class="ind-id">{_e(part.ref or part.kind)}</small></td>'
                f'<td class="num">{_e(page.percent(part.weight))}</td>'
                f'<td class="num">{page.achievement(part.score, card.places, part.status)}</td>'
                f'<td></td><td>{page.rating(part.band, part.status)}</td></tr>')
            for rating in part.ratings:
                given = "N/D" if rating.rating is None else \
                    numbers.measure(rating.rating, f"/ {part.scale or 0:g}", page.locale)
                status = "scored" if rating.score is not None else "missing"
                rows.append(
                    f'<tr data-behaviour="{_e(rating.id)}"><td>&emsp;&emsp;{_e(rating.title)}</td>'
                    f'<td class="num">{_e(page.percent(rating.weight))}</td>'
                    f'<td class="num">{page.achievement(rating.score, card.places, status)}</td>'
                    f'<td class="num">{_e(given)}</td><td></td></tr>')
    heads = (f'<th scope="col">{_e(t["component"])}</th><th scope="col" class="num">'
             f'{_e(t["weight"])}</th><th scope="col" class="num">{_e(t["achievement"])}</th>'
             f'<th scope="col" class="num">{_e(t["rating_given"])}</th>'
             f'<th scope="col">{_e(t["band"])}</th>')
    return (f'<article class="card" data-scorecard="{_e(card.id)}"><h3>{_e(card.title)}'
            f'<span class="card-score">{page.achievement(card.score, card.places, card.status)} '
            f'{page.rating(card.band, card.status)}</span></h3>{_reward(page, card)}'
            f'<table>{_caption(card.title)}<thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></article>')


def _legend(page: _Page) -> str:
    t, bands = page.text, page.result.bands
    items = []
    for index, band in enumerate(bands):
        upper = bands[index + 1].lower * 100 if index + 1 < len(bands) else None
        reach = f'{t["from"]} {page.percent(band.lower * 100)}'
        if upper is not None:
            reach += f' {t["to"]} {page.percent(upper)}'
        items.append(f'<li><i class="dot" style="background:{colour(band)}"></i>'
                     f'<b>{_e(band.title)}</b> {_e(reach)}</li>')
    items.append(f'<li><i class="dot nd"></i><b>N/D</b> {_e(t["nd_missing"])} / '
                 f'{_e(t["nd_not_due"])}</li>')
    flags = "".join(f'<li><span class="flag">{_e(short)}</span> {_e(long)}</li>'
                    for short, long in page.flag_text.values())
    return (f'<section class="legend"><h2>{_e(t["legend"])}</h2><div class="legend-grid">'
            f'<div><h3>{_e(t["bands"])}</h3><ul>{"".join(items)}</ul></div>'
            f'<div><h3>{_e(t["flags"])}</h3><ul>{flags}</ul></div>'
            f'<div><h3>{_e(t["progress"])}</h3><p>{_e(t["bullet_help"])}</p>'
            f'<ul>{_bullet_key(page)}</ul></div></div></section>')


def _bullet_key(page: _Page) -> str:
    """The bullet chart's marks, one small sample each (not charts: no class "chart")."""
    t = page.text
    samples = (
        ('<rect x="1" y="4" width="22" height="7" fill="#2e8b57"/>', t["value"]),
        (f'<line x1="12" x2="12" y1="0" y2="15" stroke="{_ANNUAL_INK}" stroke-width="2.5"/>',
         f'{t["target"]} {t["annual"]}'),
        (f'<line x1="12" x2="12" y1="0" y2="15" stroke="{_PERIODIC_INK}" stroke-width="2.5" '
         f'stroke-dasharray="3 2"/>', f'{t["target"]} {t["periodic"]}'),
        ('<rect x="1" y="1" width="22" height="13" fill="#d5dae1"/>', t["met"]),
    )
    return "".join(f'<li><svg class="key" width="24" height="15" viewBox="0 0 24 15" '
                   f'aria-hidden="true">{mark}</svg>{_e(text)}</li>' for mark, text in samples)


def _value_notes(page: _Page) -> str:
    """The notes on the values, numbered as the tree's markers: the note (its line breaks
    kept) and the data source."""
    if not page.footnotes:
        return ""
    items = []
    for indicator, (number, note) in page.footnotes.items():
        lines = (note.get("note") or "").replace("\r\n", "\n").replace("\r", "\n")
        said = "<br>".join(_e(line) for line in lines.split("\n"))
        source = note.get("source")
        if source:
            said += (f'<span class="source">{_e(page.text["source_of"])}: {_e(source)}'
                     '</span>')
        items.append(f'<li id="value-note-{number}" data-indicator="{_e(indicator)}">'
                     f'<b>{_e(indicator)}</b> {said}</li>')
    return (f'<section class="value-notes"><h2>{_e(page.text["value_notes"])}</h2>'
            f'<ol>{"".join(items)}</ol></section>')


def _annex(page: _Page) -> str:
    """Each indicator's description (what it measures, how it is computed), as the plan's
    annex prints it: once per indicator, in the order the tree first uses it."""
    described = page.result.descriptions
    used = dict.fromkeys(n.indicator for n in page.result if n.indicator in described)
    if not used:
        return ""
    titles = {n.indicator: n.title for n in page.result if n.indicator in used}
    rows = "".join(f'<tr><th scope="row">{_e(ind)}</th><td>{_e(titles[ind])}</td>'
                   f'<td>{_e(described[ind])}</td></tr>' for ind in used if ind is not None)
    t = page.text
    return (f'<section class="annex"><h2>{_e(t["annex"])}</h2><table>{_caption(t["annex"])}'
            f'<thead><tr><th scope="col">{_e(t["indicator"])}</th>'
            f'<th scope="col">{_e(t["node"])}</th>'
            f'<th scope="col">{_e(t["description"])}</th></tr></thead><tbody>{rows}</tbody>'
            '</table></section>')


def _notes(page: _Page) -> str:
    found = page.result.diagnostics
    if not found:
        return ""
    items = "".join(f"<li>{_e(d.message)}</li>" for d in found)
    return f'<section class="notes"><h2>{_e(page.text["notes"])}</h2><ul>{items}</ul></section>'


# The page's style sheet, kept as a file of its own beside this module (package data): a CSS
# file is read and edited as CSS. Read once, when the first page is written.
_CSS = resources.files(__package__).joinpath("html.css").read_text(encoding="utf-8")


def view_html(result: Result, view: Any, locale: str | None = None) -> str:
    """Any tabular view (e.g. a comparison of periods) as a small self-contained page."""
    from .cells import cell

    lang = locale or result.locale
    places = _places(result)
    right = {"percent", "weight", "measure", "points", "scale_points"}
    heads = "".join(f'<th scope="col" class="{"num" if c.kind in right else ""}">'
                    f'{_e(c.heading(lang))}</th>' for c in view.columns)
    rows = []
    for row in view.rows:
        cells = []
        for c in view.columns:
            text = _e(cell(c, row, lang, places, result.bands))
            if c.key == view.depth_key:
                text = "&nbsp;&nbsp;" * int(row.get("depth", 0)) + text
            cells.append(f'<td class="{"num" if c.kind in right else ""}">{text}</td>')
        rows.append(f'<tr data-node-id="{_e(row.get("id", ""))}">{"".join(cells)}</tr>')
    title = f"{result.plan_title} — {view.heading(lang)}"
    return (f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n'
            f'<header class="masthead"><h1>{_e(title)}</h1></header>\n<main><section>'
            f'<div class="table-wrap"><table>{_caption(title)}'
            f'<thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            f'</section></main>\n'
            f'</body>\n</html>\n')
