"""The scored tree as a terminal table (tabulate), indented by depth."""

from __future__ import annotations

import datetime as dt

from tabulate import tabulate

from ..compile import TargetUsed
from ..result import NodeResult, Result
from ..rounding import half_up

TITLE_WIDTH = 64
HEADERS = ("Node", "Weight", "Target", "Value", "Achievement", "Status")


def format_number(value: float) -> str:
    """A measured figure as written in a plan: no float noise, no exponent, thousands grouped."""
    text = f"{half_up(value, 4).normalize():,f}"
    return text


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _label(node: NodeResult) -> str:
    indent = "  " * node.depth
    if node.kind == "indicator":
        name = f"{node.indicator} · {node.title}"
    elif node.code is not None:
        name = f"{node.code} {node.title}"
    else:
        name = node.title
    return indent + _shorten(name, TITLE_WIDTH - len(indent))


def format_target(target: TargetUsed | None, unit: str | None) -> str:
    if target is None:
        return ""
    if target.due is not None:
        return f"by {target.due.due.isoformat()}"
    assert target.direction is not None and target.value is not None
    text = f"{target.direction.value} {format_number(target.value)}"
    if unit:
        text += f" {unit}"
    if target.source == "periodic":
        text += f" ({target.period})"
    return text


def format_value(node: NodeResult) -> str:
    if node.kind != "indicator":
        return ""
    if node.value is None:
        return "N/D"
    if isinstance(node.value, dt.date):
        return f"done {node.value.isoformat()}"
    text = format_number(node.value)
    return f"{text} {node.unit}" if node.unit else text


def _percent(value: float | None, places: int) -> str:
    return "" if value is None else f"{half_up(value, places)}%"


def rows(result: Result) -> list[tuple[str, str, str, str, str, str]]:
    out = []
    for node in result:
        achievement = "N/D" if node.score is None else f"{node.display}%"
        out.append((_label(node), _percent(node.weight, 2), format_target(node.target, node.unit),
                    format_value(node), achievement, node.status))
    return out


def to_table(result: Result) -> str:
    heading = f"{result.plan_title} — period {result.period or '-'}"
    if result.as_of:
        heading += f", as of {result.as_of.isoformat()}"
    if result.score is not None:
        places = result.nodes[0].places if result.nodes else 2
        heading += f" — plan score {half_up(result.score, places)}%"
    table = tabulate(rows(result), headers=HEADERS, tablefmt="simple",
                     colalign=("left", "right", "left", "right", "right", "left"),
                     disable_numparse=True, preserve_whitespace=True)
    return f"{heading}\n\n{table}\n"
