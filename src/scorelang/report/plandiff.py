"""The plan diff for people (text, markdown, html: a reviewer's list of what changed, in the
plan's locale) and for programs (json).

Each change is one line, grouped by what it is about (the plan's settings, indicators, the
tree, the weights, …); a weight change is one line with the siblings it re-aligned. With
values, the scores that move follow, and under each change its effect when applied alone.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from importlib import resources

from ..engine import numbers
from ..engine.result import FORMAT_VERSION
from ..tools.plandiff import SUBJECTS, TOTAL, Change, PlanDiff, ScoreChange, Weight

DIFF_WORDS: dict[str, dict[str, str]] = {
    "it": {
        "heading": "Confronto tra piani", "changes": "Modifiche", "none": "Nessuna "
        "differenza: i due piani dicono lo stesso.", "added": "aggiunto", "removed": "eliminato",
        "moved": "spostato da {old} a {new}", "not_set": "non indicato",
        "weight_of": "peso di {node} {old} → {new}", "weight_added": "{node} aggiunto ({new})",
        "weight_removed": "{node} eliminato ({old})", "realigned": "pesi riallineati",
        "kept_in": "l'indicatore resta in", "below": "con i {count} nodi sottostanti", "weight": "peso", "total": "totale del piano",
        "scores": "Effetto sui punteggi", "period": "periodo", "as_of": "al",
        "alone": "da sola", "no_move": "nessun punteggio cambia",
        "not_separable": "effetto non separabile: solo nell'insieme", "node": "Nodo",
        "before": "Prima", "after": "Dopo", "delta": "Variazione", "title": "Titolo",
        "removed_nodes": "Nodi eliminati", "added_nodes": "Nodi aggiunti",
        "notes": "Avvisi",
        "plan": "Piano", "policy": "Regole di calcolo (policy)", "period_s": "Periodi",
        "band": "Fasce di valutazione", "tag": "Tag", "indicator": "Indicatori",
        "node_s": "Albero degli obiettivi", "weights": "Pesi",
        "scorecard": "Obiettivi individuali", "rule": "Regole di indicazione",
        "behaviours": "Comportamenti", "role": "Ruoli", "reward": "Premialità",
    },
    "en": {
        "heading": "Plans compared", "changes": "Changes", "none": "No differences: the two "
        "plans say the same.", "added": "added", "removed": "removed",
        "moved": "moved from {old} to {new}", "not_set": "not set",
        "weight_of": "weight of {node} {old} → {new}", "weight_added": "{node} added ({new})",
        "weight_removed": "{node} removed ({old})", "realigned": "siblings re-aligned",
        "kept_in": "the indicator stays in", "below": "with the {count} nodes below it", "weight": "weight", "total": "plan total",
        "scores": "Effect on the scores", "period": "period", "as_of": "as of",
        "alone": "alone", "no_move": "no score moves",
        "not_separable": "not separable: only together", "node": "Node",
        "before": "Before", "after": "After", "delta": "Change", "title": "Title",
        "removed_nodes": "Nodes removed", "added_nodes": "Nodes added", "notes": "Notes",
        "plan": "Plan", "policy": "Scoring policy", "period_s": "Periods",
        "band": "Rating bands", "tag": "Tags", "indicator": "Indicators",
        "node_s": "Tree of objectives", "weights": "Weights",
        "scorecard": "Individual objectives", "rule": "Advice rules",
        "behaviours": "Behaviours", "role": "Roles", "reward": "Rewards",
    },
}

# The heading word of each subject (periods and nodes have a word of their own elsewhere).
_SECTION = {subject: subject for subject in SUBJECTS} | {"period": "period_s", "node": "node_s"}


def _words(locale: str) -> dict[str, str]:
    return DIFF_WORDS.get(locale, DIFF_WORDS["en"])


def _weight(value: float | None, locale: str) -> str:
    if value is None:
        return "—"
    text = numbers.decimal_text(Decimal(repr(float(value))), locale)
    return f"{text} %" if locale == "it" else f"{text}%"


def _short(node: str, parent: str) -> str:
    """A child named under its parent: `701.C2.7/formazione_ocri` -> `formazione_ocri`."""
    return node[len(parent) + 1:] if node.startswith(parent + "/") else node


def _shorten(title: str, width: int = 80) -> str:
    """A title as a list line shows it: the act names the node by its code, the title helps."""
    return title if len(title) <= width else title[:width - 1].rstrip() + "…"


def _weight_text(weight: Weight, parent: str, words: dict[str, str], locale: str) -> str:
    name = _short(weight.node, parent)
    if weight.old is None:
        return words["weight_added"].format(node=name, new=_weight(weight.new, locale))
    if weight.new is None:
        return words["weight_removed"].format(node=name, old=_weight(weight.old, locale))
    return words["weight_of"].format(node=name, old=_weight(weight.old, locale),
                                     new=_weight(weight.new, locale))


def change_text(change: Change, locale: str) -> str:
    """One change as a reviewer reads it, in the plan's locale."""
    words = _words(locale)
    name = words["total"] if change.id == TOTAL and change.subject in ("plan", "weights") \
        else change.id
    head = f'{name} "{_shorten(change.title)}"' if change.title and change.subject != "policy" \
        else name
    if change.kind == "weights":
        text = f"{head}: " + "; ".join(_weight_text(w, change.id, words, locale)
                                       for w in change.weights)
        if change.realigned:
            text += f"; {words['realigned']}: " + ", ".join(
                f"{_short(w.node, change.id)} {_weight(w.old, locale)} → "
                f"{_weight(w.new, locale)}" for w in change.realigned)
        return text
    if change.kind == "moved":
        return f"{head}: " + words["moved"].format(old=change.old, new=change.new)
    if change.kind == "changed":
        return (f"{head}: {change.field} {change.old or words['not_set']} → "
                f"{change.new or words['not_set']}")
    text = f"{head}: {words[change.kind]}"
    weight = change.new if change.kind == "added" else change.old
    if weight:
        text += f" ({words['weight']} {_weight(float(weight.rstrip('%')), locale)})"
    if change.below:
        text += "; " + words["below"].format(count=change.below)
    if change.kept_in:
        text += f"; {words['kept_in']}: " + ", ".join(change.kept_in)
    return text


def _delta(score: ScoreChange, locale: str) -> str:
    if score.old is None or score.new is None:
        return ""
    return numbers.points(score.new - score.old, locale)


def _score_name(score: ScoreChange, words: dict[str, str]) -> str:
    return words["total"] if score.node == TOTAL else score.node


def _score_text(score: ScoreChange, words: dict[str, str], locale: str) -> str:
    delta = _delta(score, locale)
    return (f"{_score_name(score, words)} {numbers.percent(score.old, locale)} → "
            f"{numbers.percent(score.new, locale)}" + (f" ({delta})" if delta else ""))


def _effect_text(change: Change, words: dict[str, str], locale: str) -> str | None:
    if change.effect is None:
        return words["not_separable"] if change.subject in ("weights", "indicator", "policy") \
            and change.kind in ("weights", "changed") and not change.id.startswith("scorecard:") \
            else None
    if not change.effect:
        return f"{words['alone']}: {words['no_move']}"
    return f"{words['alone']}: " + "; ".join(_score_text(s, words, locale)
                                             for s in change.effect)


def _shown(scores: Sequence[ScoreChange]) -> list[ScoreChange]:
    """The scores a report lists: the plan's total only when the plan has one."""
    return [s for s in scores if s.node != TOTAL or s.old is not None or s.new is not None]


def _sections(outcome: PlanDiff) -> list[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {}
    for change in outcome.changes:
        grouped.setdefault(change.subject, []).append(change)
    return [(subject, grouped[subject]) for subject in SUBJECTS if subject in grouped]


def _when(outcome: PlanDiff, words: dict[str, str]) -> str:
    parts = []
    if outcome.period:
        parts.append(f"{words['period']} {outcome.period}")
    if outcome.as_of:
        parts.append(f"{words['as_of']} {numbers.date(outcome.as_of, outcome.locale)}")
    return ", ".join(parts)


def _plans(outcome: PlanDiff) -> str:
    return (f'{outcome.old_plan} "{outcome.old_title}" → '
            f'{outcome.new_plan} "{outcome.new_title}"')


def diff_text(outcome: PlanDiff, locale: str | None = None) -> str:
    lang = locale or outcome.locale
    words = _words(lang)
    lines = [f"{words['heading']}: {_plans(outcome)}"]
    if outcome.equal:
        return "\n".join(lines + [words["none"]]) + "\n"
    lines.append(f"{words['changes']}: {len(outcome.changes)}")
    for subject, changes in _sections(outcome):
        lines += ["", words[_SECTION[subject]]]
        for change in changes:
            lines.append(f"  - {change_text(change, lang)}")
            effect = _effect_text(change, words, lang) if outcome.scored else None
            if effect:
                lines.append(f"      {effect}")
    if outcome.scored:
        when = _when(outcome, words)
        lines += ["", words["scores"] + (f" ({when})" if when else "")]
        shown = _shown(outcome.scores)
        if not shown:
            lines.append(f"  {words['no_move']}")
        width = max([len(_score_name(s, words)) for s in shown] + [4])
        for score in shown:
            delta = _delta(score, lang)
            lines.append(f"  {_score_name(score, words):<{width}}  "
                         f"{numbers.percent(score.old, lang):>10} → "
                         f"{numbers.percent(score.new, lang):>10}"
                         + (f"  ({delta})" if delta else "") + f"  {score.title[:60]}")
        if outcome.removed_nodes:
            lines.append(f"  {words['removed_nodes']}: " + ", ".join(outcome.removed_nodes))
        if outcome.added_nodes:
            lines.append(f"  {words['added_nodes']}: " + ", ".join(outcome.added_nodes))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text in a markdown table cell or list item: the characters markdown would read."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def diff_markdown(outcome: PlanDiff, locale: str | None = None) -> str:
    lang = locale or outcome.locale
    words = _words(lang)
    lines = [f"# {words['heading']}", "", _md(_plans(outcome)), ""]
    if outcome.equal:
        return "\n".join(lines + [words["none"]]) + "\n"
    lines.append(f"{words['changes']}: {len(outcome.changes)}")
    for subject, changes in _sections(outcome):
        lines += ["", f"## {words[_SECTION[subject]]}", ""]
        for change in changes:
            lines.append(f"- {_md(change_text(change, lang))}")
            effect = _effect_text(change, words, lang) if outcome.scored else None
            if effect:
                lines.append(f"  - {_md(effect)}")
    if outcome.scored:
        when = _when(outcome, words)
        lines += ["", f"## {words['scores']}" + (f" ({when})" if when else ""), "",
                  f"| {words['node']} | {words['before']} | {words['after']} | "
                  f"{words['delta']} | {words['title']} |", "|---|---:|---:|---:|---|"]
        for score in _shown(outcome.scores):
            lines.append(f"| {_md(_score_name(score, words))} | "
                         f"{numbers.percent(score.old, lang)} | "
                         f"{numbers.percent(score.new, lang)} | {_delta(score, lang)} | "
                         f"{_md(score.title)} |")
    return "\n".join(lines) + "\n"


def diff_json(outcome: PlanDiff) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "old": {"id": outcome.old_plan, "title": outcome.old_title},
        "new": {"id": outcome.new_plan, "title": outcome.new_title},
        "equal": outcome.equal,
        "changes": [c.to_dict() for c in outcome.changes],
        "scored": outcome.scored,
        "period": outcome.period,
        "as_of": outcome.as_of.isoformat() if outcome.as_of else None,
        "scores": [s.to_dict() for s in outcome.scores],
        "removed_nodes": list(outcome.removed_nodes),
        "added_nodes": list(outcome.added_nodes),
        "diagnostics": [d.to_dict() for d in outcome.diagnostics],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


_CSS = resources.files(__package__).joinpath("html.css").read_text(encoding="utf-8")


def diff_html(outcome: PlanDiff, locale: str | None = None) -> str:
    lang = locale or outcome.locale
    words = _words(lang)
    e: Callable[[object], str] = lambda text: html.escape(str(text), quote=True)
    parts = [f'<header class="masthead"><p class="kicker">{e(words["heading"])}</p>'
             f'<h1>{e(outcome.new_title)}</h1><p>{e(_plans(outcome))}</p></header>']
    if outcome.equal:
        parts.append(f"<section><p>{e(words['none'])}</p></section>")
    for subject, changes in _sections(outcome):
        items = []
        for change in changes:
            effect = _effect_text(change, words, lang) if outcome.scored else None
            items.append(f'<li class="{e(change.kind)}">{e(change_text(change, lang))}'
                         + (f"<br><small>{e(effect)}</small>" if effect else "") + "</li>")
        parts.append(f"<section><h2>{e(words[_SECTION[subject]])}</h2><ul>{''.join(items)}"
                     "</ul></section>")
    if outcome.scored:
        when = _when(outcome, words)
        rows = "".join(
            f"<tr><td>{e(_score_name(s, words))}</td>"
            f'<td class="num">{e(numbers.percent(s.old, lang))}</td>'
            f'<td class="num">{e(numbers.percent(s.new, lang))}</td>'
            f'<td class="num">{e(_delta(s, lang))}</td><td>{e(s.title)}</td></tr>'
            for s in _shown(outcome.scores))
        parts.append(f"<section><h2>{e(words['scores'])}"
                     + (f" ({e(when)})" if when else "") + "</h2><table><thead><tr>"
                     + "".join(f"<th>{e(words[k])}</th>" for k in
                               ("node", "before", "after", "delta", "title"))
                     + f"</tr></thead><tbody>{rows}</tbody></table></section>")
    return (f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{e(words["heading"])}: {e(outcome.new_title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(parts)
            + "\n</body>\n</html>\n")


FORMATS: dict[str, Callable[..., str]] = {"text": diff_text, "markdown": diff_markdown,
                                          "html": diff_html}


def render_diff(outcome: PlanDiff, format: str = "text", locale: str | None = None) -> str:
    """The diff in one of `text`, `markdown`, `json`, `html`."""
    if format == "json":
        return diff_json(outcome)
    return FORMATS[format](outcome, locale)


__all__: Sequence[str] = ("DIFF_WORDS", "change_text", "diff_html", "diff_json",
                          "diff_markdown", "diff_text", "render_diff")
