"""`scorelang goal` and `scorelang sensitivity`: the OIV's questions of issue 17, as commands
over `tools.goal` and `tools.sensitivity` (docs/goal.md). Kept apart from `commands.py` so
that the two commands arrive as one module and one call in `parser()`.
"""

from __future__ import annotations

import argparse
import math
import sys

from .. import api
from ..diagnostics import ScorelangError, error
from .commands import EXIT_OK, EXIT_PROBLEMS, _emit, _exit_code, iso_date, print_diagnostics


def _goal_figure(text: str) -> float:
    """SCORE as the command line writes it: 80, 80.5, 80% (a decimal comma too)."""
    try:
        figure = float(text.strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        figure = math.nan
    if not math.isfinite(figure):
        raise ScorelangError([error("SL806", f"cannot read the goal `{text}` as a score", None,
                                    "give the score in percent, e.g. 80 or 80.5")])
    return figure


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    goal = commands.add_parser(
        "goal", help="the value of each indicator that alone brings a node to a score")
    goal.add_argument("rules", help="the rule file (.score)")
    goal.add_argument("node", help="the node: an area or objective code, a group or an "
                      "indicator use as in the score report, or `plan` for the plan total")
    goal.add_argument("score", help="the score to reach, in percent (e.g. 80)")
    goal.add_argument("--values", required=True, help="the values file (.yaml)")
    goal.add_argument("--vary", nargs="+", default=[], metavar="INDICATOR",
                      help="only these indicators (default: every indicator under NODE)")
    goal.add_argument("--jointly", action="store_true",
                      help="also the smallest equal share of their distances to target that "
                      "the indicators must close together")
    goal.add_argument("--period", help="score this period (default: the values file's)")
    goal.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    goal.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    goal.set_defaults(run=cmd_goal)

    sense = commands.add_parser(
        "sensitivity", help="points each indicator moves a node, per unit and at its target")
    sense.add_argument("rules", help="the rule file (.score)")
    sense.add_argument("node", nargs="?", help="the node (default: the plan total, if it has "
                       "one, and each area)")
    sense.add_argument("--values", required=True, help="the values file (.yaml)")
    sense.add_argument("--period", help="score this period (default: the values file's)")
    sense.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    sense.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    sense.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    sense.add_argument("--force", action="store_true",
                       help="replace FILE even when read-only (the mode is kept)")
    sense.set_defaults(run=cmd_sensitivity)


def cmd_goal(args: argparse.Namespace) -> int:
    from ..report import goal as goal_report
    from ..tools.goal import goal_seek

    try:
        figure = _goal_figure(args.score)
        plan = api.load(args.rules)
        values = api.load_values(args.values, period=args.period)
        outcome = goal_seek(plan, values, args.node, figure, args.vary, args.period,
                            args.as_of, args.jointly)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = {"text": goal_report.goal_text, "markdown": goal_report.goal_markdown,
              "json": goal_report.goal_json}[args.format]
    sys.stdout.write(render(outcome))
    return EXIT_OK


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from ..report import goal as goal_report
    from ..tools.sensitivity import sensitivity

    try:
        plan = api.load(args.rules)
        values = api.load_values(args.values, period=args.period)
        outcome = sensitivity(plan, values, args.node, args.period, args.as_of)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = {"text": goal_report.sensitivity_text, "markdown": goal_report.sensitivity_markdown,
              "json": goal_report.sensitivity_json,
              "html": goal_report.sensitivity_html}[args.format]
    return _emit(render(outcome), args.output, args.force)


__all__ = ["EXIT_PROBLEMS", "add_commands", "cmd_goal", "cmd_sensitivity"]
