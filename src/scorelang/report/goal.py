"""Goal-seek and sensitivity for people (text, markdown, html) and programs (json).

Words in Italian and English, by the plan's locale (or --locale); figures through
`engine.numbers` only; the html page is self-contained (the score report's style sheet,
inline SVG, no script, nothing fetched).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal
from importlib import resources

from tabulate import tabulate

from ..engine import numbers
from ..engine.result import FORMAT_VERSION
from ..tools.goal import Answer, GoalSeek, Joint
from ..tools.sensitivity import NodeSensitivity, Sensitivity, Slope

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "goal": "Obiettivo di punteggio", "now": "ora", "plan": "Totale",
        "indicator": "Indicatore", "value": "Valore", "target": "Target",
        "needed": "Valore necessario", "rescored": "Punteggio ricalcolato", "note": "Nota",
        "whole": "in numero intero", "exact": "valore esatto", "jointly": "Insieme",
        "share": "della distanza dal target di ciascun indicatore",
        "left_out": "non mossi insieme", "period": "periodo", "as_of": "al",
        "by": "completato entro il",
        "sensitivity": "Sensibilità", "ranked": "ordinati per margine al target",
        "per_unit": "Punti per unità", "per_percent": "Punti per 1 % del target",
        "headroom": "Margine al target (punti)", "at_target": "Punteggio al target",
        "left": "a sinistra", "per_day": "per giorno di ritardo", "chart": "Margine al target",
        "method_closed_form": "forma chiusa", "method_inverse": "inversa esatta",
        "method_bisection": "bisezione", "method_at_breakpoint": "a un punto di svolta",
        "method_dates": "per date", "method_local": "differenza locale",
        "footer": "Generato con scorelang. Ogni cifra è ricalcolata dal motore di calcolo; "
                  "le percentuali sono arrotondate half-up al numero di decimali del piano.",
        "already": "già pari o superiore all'obiettivo",
        "capped": "irraggiungibile: anche al massimo, {node} arriva solo a {best}",
        "capped_now": "irraggiungibile: già al massimo, {node} resta a {best}",
        "zero_weight": "irraggiungibile: pesa 0 % sotto {node}",
        "nd_policy": "irraggiungibile: target da definire, il valore non conta",
        "neutralised": "irraggiungibile: neutralizzato nel file dei valori",
        "overridden": "irraggiungibile: punteggio rettificato nel file dei valori",
        "wrong_way": "irraggiungibile: migliorare il valore non alza {node}",
        "jumps": "la tabella salta l'obiettivo: il gradino più vicino dà {score}",
        "deadline": "scadenza: non si muove in quota", "not_reported": "N/D",
        "at_target_reason": "già al target",
    },
    "en": {
        "goal": "Score goal", "now": "now", "plan": "Total",
        "indicator": "Indicator", "value": "Value", "target": "Target",
        "needed": "Value needed", "rescored": "Re-scored", "note": "Note",
        "whole": "as a whole number", "exact": "exact value", "jointly": "Jointly",
        "share": "of each indicator's distance to its target",
        "left_out": "not moved jointly", "period": "period", "as_of": "as of",
        "by": "done by",
        "sensitivity": "Sensitivity", "ranked": "ranked by headroom to target",
        "per_unit": "Points per unit", "per_percent": "Points per 1 % of target",
        "headroom": "Headroom to target (points)", "at_target": "Score at target",
        "left": "left", "per_day": "per day late", "chart": "Headroom to target",
        "method_closed_form": "closed form", "method_inverse": "exact inverse",
        "method_bisection": "bisection", "method_at_breakpoint": "at a breakpoint",
        "method_dates": "by dates", "method_local": "local difference",
        "footer": "Made with scorelang. Every figure is re-scored by the engine; percentages "
                  "are rounded half-up to the plan's decimals.",
        "already": "already at or above the goal",
        "capped": "unreachable: even at its best, {node} reaches only {best}",
        "capped_now": "unreachable: already at its best, {node} stays at {best}",
        "zero_weight": "unreachable: it weighs 0 % under {node}",
        "nd_policy": "unreachable: its target is to be decided, its value does not count",
        "neutralised": "unreachable: neutralised in the values file",
        "overridden": "unreachable: its score is overridden in the values file",
        "wrong_way": "unreachable: improving the value does not raise {node}",
        "jumps": "the table jumps over the goal: the nearest step gives {score}",
        "deadline": "a deadline: does not move by a share", "not_reported": "N/D",
        "at_target_reason": "already at target",
    },
}


def _words(locale: str) -> dict[str, str]:
    return WORDS.get(locale, WORDS["en"])


def _measure(value: float | dt.date | None, unit: str | None, locale: str) -> str:
    return numbers.measure(value, unit, locale)


def _small(value: float | None, locale: str) -> str:
    """A slope, signed, with three significant digits however small (0,000000000321)."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    text = numbers.decimal_text(Decimal(f"{value:.3g}"), locale)
    return text if text.startswith("-") else f"+{text}"


def _node_name(outcome: GoalSeek | NodeSensitivity, w: dict[str, str]) -> str:
    return w["plan"] if outcome.node is None else outcome.node


# ---- goal-seek -----------------------------------------------------------------------------------

def _answer_note(answer: Answer, outcome: GoalSeek, w: dict[str, str]) -> str:
    lang = outcome.locale
    if answer.status == "reachable":
        note = w[f"method_{answer.method}"] if answer.method else ""
        if answer.whole is not None and answer.whole != answer.value:
            note += (f"; {w['whole']} {_measure(answer.whole, answer.unit, lang)} → "
                     f"{numbers.percent(answer.whole_score, lang, outcome.places)}")
        return note
    reason = answer.reason or "capped"
    if reason == "capped" and answer.best is not None and outcome.current is not None and \
            abs(answer.best - outcome.current) < 1e-9:
        reason = "capped_now"
    return w[reason].format(
        node=_node_name(outcome, w), best=numbers.percent(answer.best, lang, outcome.places),
        score=numbers.percent(answer.score, lang, outcome.places))


def _needed(answer: Answer, lang: str, w: dict[str, str]) -> str:
    if answer.value is None:
        return "—"
    if isinstance(answer.value, dt.date):
        return f"{w['by']} {numbers.date(answer.value, lang)}"
    return _measure(answer.value, answer.unit, lang)


def _goal_rows(outcome: GoalSeek) -> list[list[str]]:
    w, lang = _words(outcome.locale), outcome.locale
    rows = []
    for answer in outcome.answers:
        rows.append([answer.indicator, _measure(answer.current, answer.unit, lang),
                     _measure(answer.target, answer.unit, lang), _needed(answer, lang, w),
                     numbers.percent(answer.score, lang, outcome.places)
                     if answer.score is not None else "—", _answer_note(answer, outcome, w)])
    return rows


def _goal_heading(outcome: GoalSeek) -> str:
    w, lang = _words(outcome.locale), outcome.locale
    where = [f"{w['period']} {outcome.period}"] if outcome.period else []
    if outcome.as_of:
        where.append(f"{w['as_of']} {numbers.date(outcome.as_of, lang)}")
    return (f"{w['goal']}: {_node_name(outcome, w)} {outcome.node_title} — "
            f"{w['now']} {numbers.percent(outcome.current, lang, outcome.places)} → "
            f"{numbers.percent(outcome.goal, lang, outcome.places)}"
            + (f" ({', '.join(where)})" if where else ""))


def _joint_lines(joint: Joint, outcome: GoalSeek) -> list[str]:
    w, lang = _words(outcome.locale), outcome.locale
    if joint.status == "unreachable":
        text = w[joint.reason or "capped"].format(
            node=_node_name(outcome, w), best=numbers.percent(joint.best, lang, outcome.places),
            score="")
        lines = [f"{w['jointly']}: {text}"]
    else:
        share = numbers.percent(joint.share, lang, outcome.places)
        lines = [f"{w['jointly']}: {share} {w['share']} → "
                 f"{numbers.percent(joint.score, lang, outcome.places)} "
                 f"({w['method_' + (joint.method or 'bisection')]})"]
        lines += [f"  {m.indicator}: {_measure(m.current, m.unit, lang)} → "
                  f"{_measure(m.value, m.unit, lang)}" for m in joint.moves]
    if joint.left_out:
        lines.append(f"  {w['left_out']}: " + ", ".join(
            f"{name} ({w.get(why, why).format(node=_node_name(outcome, w), best='', score='')})"
            if why != "at_target" else f"{name} ({w['at_target_reason']})"
            for name, why in joint.left_out))
    return lines


def _goal_headers(w: dict[str, str]) -> list[str]:
    return [w["indicator"], w["value"], w["target"], w["needed"], w["rescored"], w["note"]]


def goal_text(outcome: GoalSeek) -> str:
    w = _words(outcome.locale)
    table = tabulate(_goal_rows(outcome), headers=_goal_headers(w), tablefmt="simple",
                     disable_numparse=True, colalign=("left", "right", "right", "right", "right",
                                                      "left"))
    lines = [_goal_heading(outcome), "", table]
    if outcome.joint is not None:
        lines += ["", *_joint_lines(outcome.joint, outcome)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def goal_markdown(outcome: GoalSeek) -> str:
    w = _words(outcome.locale)
    table = tabulate([[_md(c) for c in row] for row in _goal_rows(outcome)],
                     headers=_goal_headers(w), tablefmt="github", disable_numparse=True,
                     colalign=("left", "right", "right", "right", "right", "left"))
    lines = [f"## {_md(_goal_heading(outcome))}", "", table]
    if outcome.joint is not None:
        joint = _joint_lines(outcome.joint, outcome)
        lines += ["", f"**{_md(joint[0])}**", ""] + [f"- {_md(line.strip())}" for line in joint[1:]]
    return "\n".join(lines) + "\n"


def goal_json(outcome: GoalSeek) -> str:
    document = {"format_version": FORMAT_VERSION, **outcome.to_dict()}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"


# ---- sensitivity ---------------------------------------------------------------------------------

def _slope_cells(slope: Slope, lang: str, places: int, w: dict[str, str]) -> list[str]:
    def with_left(right: float | None, left: float | None) -> str:
        text = _small(right, lang)
        return text if left is None else f"{text} ({w['left']} {_small(left, lang)})"

    per_unit = with_left(slope.per_unit, slope.per_unit_left)
    if slope.method == "days" and slope.per_unit is not None:
        per_unit += f" {w['per_day']}"
    headroom = "—" if slope.headroom is None else numbers.points(slope.headroom, lang, places)
    note = "" if slope.reason is None else w.get(slope.reason, slope.reason).format(
        node="", best="", score="")
    return [slope.indicator, _measure(slope.value, slope.unit, lang),
            _measure(slope.target, slope.unit, lang), per_unit,
            with_left(slope.per_percent, slope.per_percent_left), headroom,
            numbers.percent(slope.at_target, lang, places) if slope.at_target is not None
            else "—", note]


def _sensitivity_headers(w: dict[str, str]) -> list[str]:
    return [w["indicator"], w["value"], w["target"], w["per_unit"], w["per_percent"],
            w["headroom"], w["at_target"], w["note"]]


def _node_heading(outcome: Sensitivity, node: NodeSensitivity) -> str:
    w, lang = _words(outcome.locale), outcome.locale
    return (f"{w['sensitivity']}: {_node_name(node, w)} {node.title} — "
            f"{numbers.percent(node.score, lang, outcome.places)} ({w['ranked']})")


_ALIGN = ("left", "right", "right", "right", "right", "right", "right", "left")


def sensitivity_text(outcome: Sensitivity) -> str:
    w = _words(outcome.locale)
    parts = []
    for node in outcome.nodes:
        rows = [_slope_cells(s, outcome.locale, outcome.places, w) for s in node.slopes]
        parts.append(_node_heading(outcome, node) + "\n\n" + tabulate(
            rows, headers=_sensitivity_headers(w), tablefmt="simple", disable_numparse=True,
            colalign=_ALIGN))
    return "\n\n".join(parts) + "\n"


def sensitivity_markdown(outcome: Sensitivity) -> str:
    w = _words(outcome.locale)
    parts = []
    for node in outcome.nodes:
        rows = [[_md(c) for c in _slope_cells(s, outcome.locale, outcome.places, w)]
                for s in node.slopes]
        parts.append(f"## {_md(_node_heading(outcome, node))}\n\n" + tabulate(
            rows, headers=_sensitivity_headers(w), tablefmt="github", disable_numparse=True,
            colalign=_ALIGN))
    return "\n\n".join(parts) + "\n"


def sensitivity_json(outcome: Sensitivity) -> str:
    document = {"format_version": FORMAT_VERSION, **outcome.to_dict()}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = resources.files(__package__).joinpath("html.css").read_text(encoding="utf-8")
_WIDTH, _LABEL, _PLOT, _ROW, _AXIS = 1180, 400, 640, 22, 26
_GAIN, _LOSS = "#2e8b57", "#c0392b"


def _chart(outcome: Sensitivity, node: NodeSensitivity) -> str:
    """The headroom of every indicator as a horizontal bar, ranked (points of the node)."""
    w, lang = _words(outcome.locale), outcome.locale
    shown = [s for s in node.slopes if s.headroom is not None]
    if not shown:
        return ""
    top = max([1.0] + [abs(s.headroom or 0.0) for s in shown])
    zero = _LABEL + (_PLOT / 2 if any((s.headroom or 0) < 0 for s in shown) else 0)
    scale = (_LABEL + _PLOT - zero) / top
    height = _AXIS + len(shown) * _ROW + 8
    out = [f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{_AXIS - 4}" y2="{height}" '
           f'class="hundred"/>']
    for tick in (0.25, 0.5, 0.75, 1.0):
        x = zero + tick * top * scale
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_AXIS - 4}" y2="{height}" '
                   f'class="grid"/><text x="{x:.1f}" y="{_AXIS - 10}" class="tick">'
                   f'{_e(numbers.points(tick * top, lang, 1))}</text>')
    y = _AXIS
    for slope in shown:
        gain = slope.headroom or 0.0
        left, width = (zero, gain * scale) if gain >= 0 else (zero + gain * scale, -gain * scale)
        label = numbers.points(gain, lang, outcome.places)
        title = f"{slope.indicator} · {slope.title}"
        out.append(f'<g><title>{_e(title)}: {_e(label)}</title>'
                   f'<text x="0" y="{y + 15}" class="bar-label">{_e(slope.indicator)}</text>'
                   f'<rect x="{left:.1f}" y="{y + 4}" width="{max(width, 1.5):.1f}" height="14" '
                   f'rx="2" fill="{_GAIN if gain >= 0 else _LOSS}"/>'
                   f'<text x="{left + max(width, 1.5) + 6:.1f}" y="{y + 15}" '
                   f'class="bar-value">{_e(label)}</text></g>')
        y += _ROW
    heading = _e(f"{w['chart']} — {_node_name(node, w)} {node.title}")
    return (f'<svg class="chart bar-chart" role="img" aria-label="{heading}" '
            f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(out) + "</svg>")


def sensitivity_html(outcome: Sensitivity) -> str:
    w, lang = _words(outcome.locale), outcome.locale
    sections = []
    for node in outcome.nodes:
        heads = "".join(f'<th class="{"" if i in (0, 7) else "num"}">{_e(h)}</th>'
                        for i, h in enumerate(_sensitivity_headers(w)))
        rows = "".join(
            "<tr>" + "".join(f'<td class="{"" if i in (0, 7) else "num"}">{_e(c)}</td>'
                             for i, c in enumerate(_slope_cells(s, lang, outcome.places, w)))
            + "</tr>" for s in node.slopes)
        sections.append(f'<section class="overview"><h2>{_e(_node_heading(outcome, node))}'
                        f'</h2>{_chart(outcome, node)}<table><thead><tr>{heads}</tr></thead>'
                        f'<tbody>{rows}</tbody></table></section>')
    meta = [f"{w['period']} {outcome.period}"] if outcome.period else []
    if outcome.as_of:
        meta.append(f"{w['as_of']} {numbers.date(outcome.as_of, lang)}")
    title = f"{outcome.plan_title} — {w['sensitivity']}"
    return (f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n'
            f'<header class="masthead"><p class="kicker">{_e(w["sensitivity"])}</p>'
            f'<h1>{_e(outcome.plan_title)}</h1><p>{_e(", ".join(meta))}</p></header>\n'
            + "\n".join(sections) + f'\n<footer>{_e(w["footer"])}</footer>\n</body>\n</html>\n')
