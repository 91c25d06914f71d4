"""The command line: a thin shell over the API. Parse arguments, call, print, exit.

Exit codes: 0 clean, 1 problems found in rules or values, 2 usage or I/O error.
Never prints a Python traceback for bad input: every problem is a diagnostic.

Each command imports what it uses when it runs: a new process pays for every module it loads,
and `scorelang check` on a warm cache needs no parser, plan model, YAML or report tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import __version__, api, report
from ..diagnostics import Diagnostic, ScorelangError, render
from ..files import InputError, read_text, write_text_atomic

if TYPE_CHECKING:
    from ..engine.plan import Plan
    from ..engine.result import Result

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _source_lines(path: str) -> list[str] | None:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    cache: dict[str, list[str] | None] = {}
    for diagnostic in diagnostics:
        lines = None
        if diagnostic.span is not None:
            file = diagnostic.span.file
            if file not in cache:
                cache[file] = _source_lines(file)
            lines = cache[file]
        print(render(diagnostic, lines), file=out)


def _exit_code(exc: ScorelangError) -> int:
    return EXIT_USAGE if isinstance(exc, InputError) else EXIT_PROBLEMS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _emit(text: str, output: str | None) -> int:
    """Print, or write the whole report to a file atomically (never half a report)."""
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        write_text_atomic(Path(output), text)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE
    return EXIT_OK


def _scored(args: argparse.Namespace) -> tuple[Plan, Result] | int:
    """Load the rules and values named on the command line and score them, or an exit code."""
    try:
        plan = api.load(args.rules)
        values = api.load_values(args.values, period=args.period)
        result = plan.evaluate(values, period=args.period, as_of=args.as_of)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    print_diagnostics(result.diagnostics)
    return plan, result


def cmd_score(args: argparse.Namespace) -> int:
    scored = _scored(args)
    if isinstance(scored, int):
        return scored
    return _write_report(args, *scored)


def _write_report(args: argparse.Namespace, plan: Plan, result: Result) -> int:
    if args.format == "xlsx":
        if not args.output:
            print("scorelang score: --format xlsx writes a workbook: give -o FILE.xlsx",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            from ..report.xlsx import to_xlsx

            to_xlsx(result, Path(args.output), args.locale)
        except ScorelangError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_USAGE
        return EXIT_OK
    if args.format == "html":
        from ..report.html import to_html

        return _emit(to_html(result, args.locale, plan=plan.definition), args.output)
    text = report.render(result, args.format, args.view, args.depth, args.locale)
    return _emit(text, args.output)


def cmd_advise(args: argparse.Namespace) -> int:
    scored = _scored(args)
    if isinstance(scored, int):
        return scored
    plan, result = scored
    if not plan.definition.rules:
        print(f"{args.rules} declares no advice rules (see docs/advice.md)", file=sys.stderr)
    if args.format in ("html", "xlsx"):
        # The full report carries the findings grouped by category, beside the scores.
        args.view, args.depth = "findings", None
        return _write_report(args, plan, result)
    return _emit(report.render_findings(result, args.format, args.locale), args.output)


def cmd_verify(args: argparse.Namespace) -> int:
    from ..report import verify as verify_report
    from ..tools.verify import PublishedError, load_published, verify

    try:
        published = load_published(args.reported)
        period = args.period or published.period
        plan = api.load(args.rules)
        values = api.load_values(args.values, period=period)
        result = plan.evaluate(values, period=period, as_of=args.as_of)
        verification = verify(plan, result, published, values)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE if isinstance(exc, (InputError, PublishedError)) else EXIT_PROBLEMS
    print_diagnostics(result.diagnostics)
    render = verify_report.verify_json if args.format == "json" else verify_report.verify_text
    sys.stdout.write(render(verification))
    return verification.exit_code


def cmd_whatif(args: argparse.Namespace) -> int:
    import yaml

    from ..tools import whatif
    from ..report import whatif as whatif_report

    path = Path(args.rules)
    try:
        text = read_text(path, "rule file")
        operations = whatif.parse_operations(args.drop, args.set_target, args.set_weight,
                                             args.set_value, args.keep_weights)
        if args.ops:
            operations += whatif.operations_from(
                yaml.safe_load(read_text(Path(args.ops), "operations file")), args.ops)
        values = api.load_values(args.values, period=args.period)
        outcome = whatif.whatif(text, str(path), values, operations, args.period, args.as_of)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    except yaml.YAMLError as exc:
        print(f"scorelang whatif: {args.ops} is not valid YAML: {exc}", file=sys.stderr)
        return EXIT_USAGE
    render = whatif_report.whatif_json if args.format == "json" else whatif_report.whatif_text
    sys.stdout.write(render(outcome))
    if args.write:
        code = _emit(outcome.text, args.write)
        if code == EXIT_OK:
            print(f"wrote the re-modulated plan to {args.write}", file=sys.stderr)
        return code
    return EXIT_OK


def _labels(results: Sequence[Result]) -> list[str]:
    """Column titles: the period, or plan and period when periods repeat across plans."""
    periods = [r.period or "-" for r in results]
    if len(set(periods)) == len(periods):
        return periods
    return [f"{r.plan_id} {r.period or ''}".strip() for r in results]


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        plans = [api.load(path) for path in args.rules]
        monitorings = [v for path in args.values for v in api.load_all_values(path)
                       if args.period is None or v.period in (None, args.period)]
        if len(plans) not in (1, len(monitorings)):
            print(f"scorelang compare: {len(plans)} rule files for {len(monitorings)} "
                  "monitorings: give one rule file, or one per monitoring", file=sys.stderr)
            return EXIT_USAGE
        if len(monitorings) < 2:
            print("scorelang compare: give at least two monitorings (two --values files, or "
                  "one file with several periods)", file=sys.stderr)
            return EXIT_USAGE
        results = [(plans[i] if len(plans) > 1 else plans[0]).evaluate(values)
                   for i, values in enumerate(monitorings)]
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    for result in results:
        print_diagnostics(result.diagnostics)
    labels = _labels(results)
    if args.format in ("html", "xlsx"):
        from ..report import views

        table = views.comparison(results, labels, args.depth)
        if args.format == "html":
            from ..report.html import view_html

            return _emit(view_html(results[-1], table, args.locale), args.output)
        if not args.output:
            print("scorelang compare: --format xlsx writes a workbook: give -o FILE.xlsx",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            from ..report.xlsx import view_xlsx

            view_xlsx(results[-1], table, Path(args.output), args.locale)
        except ScorelangError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_USAGE
        return EXIT_OK
    text = report.render_comparison(results, labels, args.format, args.depth, args.locale)
    return _emit(text, args.output)


def cmd_explain(args: argparse.Namespace) -> int:
    from ..tools.explain import explain
    from ..report import explain as explain_report

    scored = _scored(args)
    if isinstance(scored, int):
        return scored
    try:
        explanation = explain(*scored, args.node, depth=args.depth)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = explain_report.explain_json if args.format == "json" else explain_report.explain_text
    sys.stdout.write(render(explanation))
    return EXIT_OK


def _rule_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.score")))
        else:
            files.append(path)
    return files


def cmd_check(args: argparse.Namespace) -> int:
    from ..report import diagnostics as diagnostics_report

    code = EXIT_OK
    everything: list[Diagnostic] = []
    files = _rule_files(args.paths)
    for path in files:
        try:
            text = read_text(path, "rule file")
        except InputError as exc:
            everything.extend(exc.diagnostics)
            code = EXIT_USAGE
            continue
        found = api.check_text(text, str(path))
        everything.extend(found)
        if any(d.is_error for d in found) or (args.strict and found):
            code = max(code, EXIT_PROBLEMS)
    if args.format == "text":
        sys.stderr.write(diagnostics_report.to_text(everything, _source_lines))
        errors = sum(1 for d in everything if d.is_error)
        warnings = len(everything) - errors
        print(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)",
              file=sys.stderr)
    elif args.format == "json":
        sys.stdout.write(diagnostics_report.to_json(everything))
    elif args.format == "github":
        sys.stdout.write(diagnostics_report.to_github(everything))
    else:
        sys.stdout.write(diagnostics_report.to_sarif(everything, __version__))
    return code


def cmd_fmt(args: argparse.Namespace) -> int:
    """Rewrite rule files in the canonical layout; with --check or --diff, only report."""
    from ..syntax import format as formatter

    code = EXIT_OK
    problems: list[Diagnostic] = []
    for path in _rule_files(args.paths):
        try:
            outcome = formatter.format_file(path)
            if not outcome.changed:
                continue
            if args.diff:
                sys.stdout.write(formatter.unified_diff(outcome))
            if args.check or args.diff:
                if args.check:
                    print(f"would reformat {path}", file=sys.stderr)
                code = max(code, EXIT_PROBLEMS)
                continue
            write_text_atomic(path, outcome.formatted)
            print(f"reformatted {path}", file=sys.stderr)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            code = EXIT_USAGE
        except ScorelangError as exc:
            problems.extend(exc.diagnostics)
            code = max(code, EXIT_PROBLEMS)
    print_diagnostics(problems)
    return code


def cmd_test(args: argparse.Namespace) -> int:
    from ..tools import ruletest
    from ..report import ruletest as ruletest_report

    outcome = ruletest.run_paths(args.paths)
    text = ruletest_report.render_json(outcome) if args.format == "json" else \
        ruletest_report.render_text(outcome, args.verbose)
    sys.stdout.write(text)
    if args.junit:
        try:
            write_text_atomic(Path(args.junit), ruletest_report.render_junit(outcome))
        except InputError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_PROBLEMS
    return outcome.exit_code


def _report_options(command: argparse.ArgumentParser, more: tuple[str, ...] = ()) -> None:
    command.add_argument("--format", choices=report.TEXT_FORMATS + more, default="table")
    command.add_argument("--depth", type=int, help="show levels down to N (areas are 1; "
                         "--depth 2 with --view summary is the seed's summary table)")
    command.add_argument("--locale", choices=("it", "en"),
                         help="how numbers are written (default: the plan's locale)")
    command.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="scorelang", description="Score SMVP performance plans written in scorelang.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    score = commands.add_parser("score", help="score a plan with a values file")
    score.add_argument("rules", help="the rule file (.score)")
    score.add_argument("--values", required=True, help="the values file (.yaml)")
    score.add_argument("--period", help="score this period (default: the values file's)")
    score.add_argument("--as-of", type=_date, help="monitoring date YYYY-MM-DD "
                       "(default: the values file's, else the period's end)")
    _report_options(score, ("html", "xlsx"))
    score.add_argument("--view", choices=report.VIEWS, default="tree",
                       help="summary (areas and strategic objectives), tree, indicators, "
                       "scorecards")
    score.set_defaults(run=cmd_score)

    advise = commands.add_parser("advise", help="what the plan's advice rules say about the scores")
    advise.add_argument("rules", help="the rule file (.score)")
    advise.add_argument("--values", required=True, help="the values file (.yaml)")
    advise.add_argument("--period", help="score this period (default: the values file's)")
    advise.add_argument("--as-of", type=_date, help="monitoring date YYYY-MM-DD")
    _report_options(advise, ("html", "xlsx"))
    advise.set_defaults(run=cmd_advise)

    check_figures = commands.add_parser(
        "verify", help="check published figures against the rules; exit 1 when any differs")
    check_figures.add_argument("rules", help="the rule file (.score)")
    check_figures.add_argument("--values", required=True, help="the values file (.yaml)")
    check_figures.add_argument("--reported", required=True,
                               help="the published figures (.yaml), as printed")
    check_figures.add_argument("--period", help="the period (default: the published file's)")
    check_figures.add_argument("--as-of", type=_date, help="monitoring date YYYY-MM-DD")
    check_figures.add_argument("--format", choices=("text", "json"), default="text")
    check_figures.set_defaults(run=cmd_verify)

    what = commands.add_parser("whatif", help="re-score after dropping or changing targets, "
                               "weights or values")
    what.add_argument("rules", help="the rule file (.score)")
    what.add_argument("--values", required=True, help="the values file (.yaml)")
    what.add_argument("--drop", action="append", default=[], metavar="NODE_OR_INDICATOR",
                      help="drop a node, or every use of an indicator; siblings re-aligned")
    what.add_argument("--set-target", action="append", default=[], metavar="IND[@PERIOD]=TARGET",
                      help='e.g. "export=>= 6500" or "export@H1=3000"')
    what.add_argument("--set-weight", action="append", default=[], metavar="NODE=PERCENT")
    what.add_argument("--set-value", action="append", default=[], metavar="IND=VALUE")
    what.add_argument("--ops", metavar="FILE", help="operations from a YAML list")
    what.add_argument("--keep-weights", action="store_true",
                      help="--set-weight leaves the siblings as they are (they must still sum)")
    what.add_argument("--period", help="score this period (default: the values file's)")
    what.add_argument("--as-of", type=_date, help="monitoring date YYYY-MM-DD")
    what.add_argument("--format", choices=("text", "json"), default="text")
    what.add_argument("--write", metavar="OUT.score", help="write the re-modulated plan")
    what.set_defaults(run=cmd_whatif)

    compare = commands.add_parser("compare", help="scores of several monitorings side by side")
    compare.add_argument("rules", nargs="+", help="one rule file, or one per monitoring")
    compare.add_argument("--values", action="append", required=True,
                         help="a values file (repeat; a file may hold several periods)")
    compare.add_argument("--period", help="only this period of multi-period files")
    _report_options(compare, ("html", "xlsx"))
    compare.set_defaults(run=cmd_compare)

    why = commands.add_parser("explain", help="show how one figure came about, from the leaves up")
    why.add_argument("rules", help="the rule file (.score)")
    why.add_argument("node", help="the node id: an area or objective code, a group or an "
                     "indicator use as in the score report (e.g. 802, 301/indicatori)")
    why.add_argument("--values", required=True, help="the values file (.yaml)")
    why.add_argument("--format", choices=("text", "json"), default="text")
    why.add_argument("--depth", type=int, help="levels below the node to explain in full")
    why.add_argument("--period", help="score this period (default: the values file's)")
    why.add_argument("--as-of", type=_date, help="monitoring date YYYY-MM-DD")
    why.set_defaults(run=cmd_explain)

    check = commands.add_parser("check", help="parse and validate rule files")
    check.add_argument("paths", nargs="+", help="rule files or directories (*.score)")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                       help="text (people), json, github (workflow commands), sarif (2.1.0)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=cmd_check)

    fmt = commands.add_parser("fmt", help="rewrite rule files in the canonical layout")
    fmt.add_argument("paths", nargs="+", help="rule files or directories (*.score)")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; list files that would change and exit 1")
    fmt.add_argument("--diff", action="store_true",
                     help="change nothing; print the changes as a unified diff and exit 1")
    fmt.set_defaults(run=cmd_fmt)

    test = commands.add_parser("test", help="run rule tests (*.test.yaml) that pin expected scores")
    test.add_argument("paths", nargs="+", help="test files or directories (*.test.yaml)")
    test.add_argument("--format", choices=("text", "json"), default="text")
    test.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    test.add_argument("-v", "--verbose", action="store_true", help="one line per expectation")
    test.set_defaults(run=cmd_test)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:
        return EXIT_OK
