"""The commands behind `scorelang COMMAND`: each reads its arguments, calls the API, a tool
or a report, prints, and returns the exit code (0 clean, 1 problems found, 2 usage or I/O).

Each command imports what it uses when it runs: a new process pays for every module it loads,
and `scorelang check` on a warm cache needs no parser, plan model, YAML or report tables.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from .. import __version__, api, report
from ..errors import ScorelangError
from ..files import InputError, read_text, write_text_atomic

if TYPE_CHECKING:
    import datetime as dt

    from ..diagnostics import Diagnostic
    from ..engine.plan import Plan
    from ..engine.result import Result

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _source_lines(path: str) -> list[str] | None:
    """The lines an excerpt may show (`report.diagnostics.source_lines`: scorelang's files)."""
    from ..report.diagnostics import source_lines

    return source_lines(path)


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO | None = None,
                      sources: Mapping[str, list[str]] | None = None) -> None:
    """Each diagnostic as text, under its source line: from `sources` (text already read, such
    as standard input's) or else read from its file."""
    from ..diagnostics import render  # here: a clean command prints none (see errors.py)

    out = stream or sys.stderr
    cache: dict[str, list[str] | None] = dict(sources or {})
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


def iso_date(text: str) -> dt.date:
    import datetime as dt  # here: only the commands that take a date need the module

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _emit(text: str, output: str | None, force: bool = False) -> int:
    """Print, or write the whole report to a file atomically (never half a report)."""
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        write_text_atomic(Path(output), text, force=force)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE
    return EXIT_OK


def _scored(args: argparse.Namespace) -> tuple[Plan, Result] | int:
    """Load the rules and values named on the command line and score them, or an exit code."""
    try:
        plan = api.load(args.rules)
        # A spreadsheet's text cells read in the plan's locale unless the file says otherwise.
        values = api.load_values(args.values, period=args.period,
                                 number_format=plan.definition.policy.locale)
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
    if args.format == "table" and not args.output:
        # Printed a piece at a time: a long table never stands whole in memory beside its
        # text (report.table.streamed); a file is still written whole, atomically (_emit).
        from ..report.table import streamed

        result = scored[1]
        del scored
        for piece in streamed(result, args.view, args.depth, args.locale or result.locale):
            sys.stdout.write(piece)
        return EXIT_OK
    return _write_report(args, *scored)


def _write_report(args: argparse.Namespace, plan: Plan, result: Result) -> int:
    if args.format == "xlsx":
        if not args.output:
            print("scorelang score: --format xlsx writes a workbook: give -o FILE.xlsx",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            from ..report.xlsx import to_xlsx

            to_xlsx(result, Path(args.output), args.locale, force=args.force)
        except ScorelangError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_USAGE
        return EXIT_OK
    if args.format == "html":
        from ..report.html import to_html

        return _emit(to_html(result, args.locale, plan=plan.definition), args.output, args.force)
    text = report.render(result, args.format, args.view, args.depth, args.locale)
    return _emit(text, args.output, args.force)


def cmd_advise(args: argparse.Namespace) -> int:
    scored = _scored(args)
    if isinstance(scored, int):
        return scored
    plan, result = scored
    if not plan.definition.rules:
        from ..report.speech import say, speaking

        with speaking(getattr(args, "locale", None) or plan.definition.policy.locale):
            print(say("{rules} declares no advice rules (see docs/advice.md)", rules=args.rules),
                  file=sys.stderr)
    if args.format in ("html", "xlsx"):
        # The full report carries the findings grouped by category, beside the scores.
        args.view, args.depth = "findings", None
        return _write_report(args, plan, result)
    return _emit(report.render_findings(result, args.format, args.locale), args.output,
                 args.force)


def cmd_verify(args: argparse.Namespace) -> int:
    from ..report import verify as verify_report
    from ..tools.verify import PublishedError, load_published, verify

    try:
        published = load_published(args.reported)
        period = args.period or published.period
        plan = api.load(args.rules)
        values = api.load_values(args.values, period=period,
                                 number_format=plan.definition.policy.locale)
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
    from ..tools import whatif
    from ..report import whatif as whatif_report

    path = Path(args.rules)
    try:
        text = read_text(path, "rule file")
        operations = whatif.parse_operations(args.drop, args.set_target, args.set_weight,
                                             args.set_value, args.keep_weights)
        if args.ops:
            operations += whatif.load_operations(Path(args.ops))
        values = api.load_values(args.values, period=args.period,
                                 number_format=api.loads(text, str(path)).definition.policy.locale)
        outcome = whatif.whatif(text, str(path), values, operations, args.period, args.as_of)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = whatif_report.whatif_json if args.format == "json" else whatif_report.whatif_text
    sys.stdout.write(render(outcome))
    if args.write:
        code = _emit(outcome.text, args.write, args.force)
        if code == EXIT_OK:
            from ..report.speech import say, speaking

            with speaking(outcome.after.locale):
                print(say("wrote the re-modulated plan to {path}", path=args.write),
                      file=sys.stderr)
                if outcome.unused:  # the values file as it stands no longer scores it (SL307)
                    print(say("{values} does not score it as it stands: remove {entries} from "
                              "it first", values=args.values, entries=", ".join(outcome.unused)),
                          file=sys.stderr)
        return code
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """`diff OLD NEW`: what changed between two versions of a plan; exit 1 when anything did."""
    from ..tools.plandiff import plan_diff
    from ..report.plandiff import render_diff

    try:
        old, new = api.load(args.old), api.load(args.new)
        values = api.load_values(args.values, period=args.period) if args.values else None
        outcome = plan_diff(old, new, values, args.period, args.as_of)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        # 1 means "the plans differ" (as diff(1)): a plan or values that cannot be read or
        # are not valid must not be mistaken for it.
        return EXIT_USAGE
    print_diagnostics(outcome.diagnostics)
    code = _emit(render_diff(outcome, args.format, args.locale), args.output, args.force)
    return code if code != EXIT_OK else outcome.exit_code


def _labels(results: Sequence[Result]) -> list[str]:
    """Column titles: the period, or plan and period when periods repeat across plans."""
    periods = [r.period or "-" for r in results]
    if len(set(periods)) == len(periods):
        return periods
    return [f"{r.plan_id} {r.period or ''}".strip() for r in results]


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        plans = [api.load(path) for path in args.rules]
        locale = plans[0].definition.policy.locale
        monitorings = [v for path in args.values for v in api.load_all_values(path, locale)
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

            return _emit(view_html(results[-1], table, args.locale), args.output, args.force)
        if not args.output:
            print("scorelang compare: --format xlsx writes a workbook: give -o FILE.xlsx",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            from ..report.xlsx import view_xlsx

            view_xlsx(results[-1], table, Path(args.output), args.locale, force=args.force)
        except ScorelangError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_USAGE
        return EXIT_OK
    text = report.render_comparison(results, labels, args.format, args.depth, args.locale)
    return _emit(text, args.output, args.force)


def cmd_explain(args: argparse.Namespace) -> int:
    from ..tools.explain import explain
    from ..report import explain as explain_report

    scored = _scored(args)
    if isinstance(scored, int):
        return scored
    if args.node.startswith("scorecard:"):
        return _explain_scorecard(args, *scored)
    try:
        explanation = explain(*scored, args.node, depth=args.depth)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = explain_report.explain_json if args.format == "json" else explain_report.explain_text
    sys.stdout.write(render(explanation))
    return EXIT_OK


def _explain_scorecard(args: argparse.Namespace, plan: Plan, result: Result) -> int:
    """`explain ... scorecard:ID`: a person's evaluation, component by component."""
    from ..tools.individual import explain_scorecard
    from ..report import individual

    try:
        explanation = explain_scorecard(plan, result, args.node)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    render = individual.explain_scorecard_json if args.format == "json" else \
        individual.explain_scorecard_text
    sys.stdout.write(render(explanation))
    return EXIT_OK


STDIN = "-"
STDIN_NAME = "<stdin>"


def _rule_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if name == STDIN:
            continue
        if path.is_dir():
            files.extend(sorted(path.rglob("*.score")))
        else:
            files.append(path)
    return files


def _stdin_usage(args: argparse.Namespace) -> str | None:
    """What is wrong with how `-` and --stdin-filename are given, if anything."""
    given = args.paths.count(STDIN)
    if given > 1:
        return "standard input (-) can be read once: give - once"
    if args.stdin_filename is not None and not given:
        return "--stdin-filename names standard input: give - among the paths"
    return None


def _read_stdin(name: str) -> str:
    """Standard input as rule text: UTF-8, line breaks read as a file's are (universal)."""
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from ..diagnostics import Span, error

        raise InputError([error("SL002", f"standard input is not UTF-8 text (bad byte at "
                                f"offset {exc.start})", Span.point(name, 1, 1),
                                "send the text as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _RuleText(NamedTuple):
    name: str
    text: str | InputError  # or why it could not be read
    stdin: bool = False


def _rule_texts(args: argparse.Namespace) -> Iterator[_RuleText]:
    """Each rule file named (directories searched), then standard input where `-` is given."""
    for path in _rule_files(args.paths):
        try:
            yield _RuleText(str(path), read_text(path, "rule file"))
        except InputError as exc:
            yield _RuleText(str(path), exc)
    if STDIN in args.paths:
        name = args.stdin_filename or STDIN_NAME
        try:
            yield _RuleText(name, _read_stdin(name), stdin=True)
        except InputError as exc:
            yield _RuleText(name, exc, stdin=True)


def cmd_check(args: argparse.Namespace) -> int:
    problem = _stdin_usage(args)
    if problem:
        print(f"scorelang check: {problem}", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    everything: list[Diagnostic] = []
    texts: dict[str, list[str]] = {}
    checked = 0
    for rule_text in _rule_texts(args):
        name, text = rule_text.name, rule_text.text
        checked += 1
        if isinstance(text, InputError):
            everything.extend(text.diagnostics)
            code = EXIT_USAGE
            continue
        texts[name] = text.splitlines()
        found = api.check_text(text, name)
        everything.extend(found)
        if any(d.is_error for d in found) or (args.strict and found):
            code = max(code, EXIT_PROBLEMS)
    # The reports are imported when there is something to report: a clean check (the warm
    # cache's common case, a pre-commit hook) prints its one line without them.
    if args.format == "text":
        if everything:
            from ..report import diagnostics as diagnostics_report

            sys.stderr.write(diagnostics_report.to_text(everything, texts.get))
        errors = sum(1 for d in everything if d.is_error)
        warnings = len(everything) - errors
        print(f"{checked} file(s) checked: {errors} error(s), {warnings} warning(s)",
              file=sys.stderr)
        return code
    from ..report import diagnostics as diagnostics_report

    if args.format == "json":
        sys.stdout.write(diagnostics_report.to_json(everything))
    elif args.format == "github":
        sys.stdout.write(diagnostics_report.to_github(everything))
    else:
        sys.stdout.write(diagnostics_report.to_sarif(everything, __version__))
    return code


def cmd_fmt(args: argparse.Namespace) -> int:
    """Rewrite rule files in the canonical layout; with --check or --diff, only report.
    Standard input (`-`) is formatted to standard output."""
    from ..syntax import format as formatter

    problem = _stdin_usage(args)
    if problem:
        print(f"scorelang fmt: {problem}", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    problems: list[Diagnostic] = []
    texts: dict[str, list[str]] = {}
    for rule_text in _rule_texts(args):
        name, text = rule_text.name, rule_text.text
        try:
            if isinstance(text, InputError):
                raise text
            texts[name] = text.splitlines()
            formatted = formatter.format_text(text, name)
            outcome = formatter.FormatOutcome(Path(name), formatted != text, text, formatted)
            if rule_text.stdin and not (args.check or args.diff):
                sys.stdout.write(outcome.formatted)  # changed or not: it replaces the buffer
                continue
            if not outcome.changed:
                continue
            if args.diff:
                sys.stdout.write(formatter.unified_diff(outcome))
            if args.check or args.diff:
                if args.check:
                    print(f"would reformat {name}", file=sys.stderr)
                code = max(code, EXIT_PROBLEMS)
                continue
            # Not over a read-only file (unless --force), nor over edits made since it was read.
            write_text_atomic(outcome.path, outcome.formatted, force=args.force,
                              expected=outcome.original)
            print(f"reformatted {name}", file=sys.stderr)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            code = EXIT_USAGE
        except ScorelangError as exc:
            problems.extend(exc.diagnostics)
            code = max(code, EXIT_PROBLEMS)
    print_diagnostics(problems, sources=texts)
    return code


def cmd_test(args: argparse.Namespace) -> int:
    import socket

    from ..tools import ruletest
    from ..report import ruletest as ruletest_report

    outcome = ruletest.run_paths(args.paths)
    text = ruletest_report.render_json(outcome) if args.format == "json" else \
        ruletest_report.render_text(outcome, args.verbose)
    sys.stdout.write(text)
    if args.junit:
        try:
            junit = ruletest_report.render_junit(outcome, hostname=socket.gethostname())
            write_text_atomic(Path(args.junit), junit, force=args.force)
        except InputError as exc:
            print_diagnostics(exc.diagnostics)
            return EXIT_PROBLEMS
    return outcome.exit_code


def cmd_schema(args: argparse.Namespace) -> int:
    """`schema RULES`: the JSON Schema of the plan's values files, for editors."""
    import json

    try:
        schema = api.values_schema(api.load(args.rules), period=args.period)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    return _emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", args.output)


def cmd_lsp(args: argparse.Namespace) -> int:
    """The language server (docs/editors.md); exit 2 with a clear message without its extra."""
    from .. import lsp

    return lsp.main()
