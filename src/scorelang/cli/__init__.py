"""The command line: a thin shell over the API. Parse arguments, call, print, exit.

Exit codes:
  0  clean
  1  problems found in rules or values (diagnostics printed)
  2  usage or I/O error: a wrong command line, a file that cannot be read or written
  3  internal error: scorelang itself failed (a bug); one line on standard error names the
     private file holding the details (`crash.py`)
  130  interrupted (Ctrl-C)
`--help` lists them with the docs' address; shell completion (completions/) is generated
from `parser()` by scripts/regenerate.py.
Never prints a Python traceback for bad input: every problem is a diagnostic.

Each command imports what it uses when it runs: a new process pays for every module it loads,
and `scorelang check` on a warm cache needs no parser, plan model, YAML or report tables.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import DOCS_URL, report
from ..errors import ScorelangError
from ..files import InputError
from .commands import (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, iso_date, print_diagnostics,
                       cmd_advise, cmd_check, cmd_compare, cmd_diff, cmd_explain, cmd_fmt,
                       cmd_lsp,
                       cmd_schema, cmd_score, cmd_test, cmd_verify, cmd_whatif)


def _report_options(command: argparse.ArgumentParser, more: tuple[str, ...] = ()) -> None:
    command.add_argument("--format", choices=report.TEXT_FORMATS + more, default="table")
    command.add_argument("--depth", type=int, help="show levels down to N (areas are 1; "
                         "--depth 2 with --view summary is the seed's summary table)")
    command.add_argument("--locale", choices=("it", "en"),
                         help="how numbers are written (default: the plan's locale)")
    command.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    _force_option(command, "FILE")


def _force_option(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--force", action="store_true",
                         help=f"replace {what} even when read-only (the mode is kept)")


EXIT_CODES = """exit codes:
  0  clean: no problem found
  1  problems found (errors; with check --strict, warnings too; a file fmt --check would
     change; a failing rule test)
  2  usage or I/O error: a bad option, a file that cannot be read or written
  3  internal error: a bug in scorelang, please report it"""


def _epilog(*lines: str) -> str:
    return "\n\n".join([*lines, EXIT_CODES, f"docs: {DOCS_URL}"])


class _Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked (the
    metadata lookup costs every other command's start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from importlib import metadata

        from .. import __version__

        try:
            version = metadata.version("scorelang")
        except metadata.PackageNotFoundError:  # run from a source tree, not installed
            version = __version__
        print(f"scorelang {version}")
        parser.exit()


class _Unused(argparse.ArgumentParser):
    """What `parser(only=...)` hands out for every other command: takes their arguments and
    keeps none of them."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        return _UNUSED_ACTION

    def set_defaults(self, **kwargs: Any) -> None:
        pass


_UNUSED_ACTION = argparse.Action([], argparse.SUPPRESS)

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsers = argparse._SubParsersAction


class _Commands(_SubParsers):
    """The COMMAND argument. Given `only`, it builds that command's parser alone: a new
    process runs one command, and building all twenty of them (each argument's help, argparse
    asking gettext for every message) took longer than a warm `scorelang check` itself."""

    only: str | None = None
    _unused: _Unused | None = None

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if self.only is None or name == self.only:
            return super().add_parser(name, **kwargs)
        if self._unused is None:
            self._unused = _Unused(add_help=False)
        return self._unused


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; `only`: with the subcommand of that name alone (what `main` runs),
    else every one (help, shell completion)."""
    top = argparse.ArgumentParser(
        prog="scorelang", description="Score SMVP performance plans written in scorelang.",
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action=_Version, help="print scorelang's version and exit")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                  action=_Commands)
    assert isinstance(commands, _Commands)
    commands.only = only

    score = commands.add_parser("score", help="score a plan with a values file")
    score.add_argument("rules", help="the rule file (.score)")
    score.add_argument("--values", required=True, help="the values file (.yaml, .csv or .xlsx)")
    score.add_argument("--period", help="score this period (default: the values file's)")
    score.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD "
                       "(default: the values file's, else the period's end)")
    _report_options(score, ("html", "xlsx"))
    score.add_argument("--view", choices=report.VIEWS, default="tree",
                       help="summary (areas and strategic objectives), tree, indicators, "
                       "scorecards")
    score.set_defaults(run=cmd_score)

    advise = commands.add_parser("advise", help="what the plan's advice rules say about the scores")
    advise.add_argument("rules", help="the rule file (.score)")
    advise.add_argument("--values", required=True, help="the values file (.yaml, .csv or .xlsx)")
    advise.add_argument("--period", help="score this period (default: the values file's)")
    advise.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    _report_options(advise, ("html", "xlsx"))
    advise.set_defaults(run=cmd_advise)

    check_figures = commands.add_parser(
        "verify", help="check published figures against the rules; exit 1 when any differs")
    check_figures.add_argument("rules", help="the rule file (.score)")
    check_figures.add_argument("--values", required=True, help="the values file (.yaml, .csv or .xlsx)")
    check_figures.add_argument("--reported", required=True,
                               help="the published figures (.yaml), as printed")
    check_figures.add_argument("--period", help="the period (default: the published file's)")
    check_figures.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    check_figures.add_argument("--format", choices=("text", "json"), default="text")
    check_figures.set_defaults(run=cmd_verify)

    what = commands.add_parser("whatif", help="re-score after dropping or changing targets, "
                               "weights or values")
    what.add_argument("rules", help="the rule file (.score)")
    what.add_argument("--values", required=True, help="the values file (.yaml, .csv or .xlsx)")
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
    what.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    what.add_argument("--format", choices=("text", "json"), default="text")
    what.add_argument("--write", metavar="OUT.score", help="write the re-modulated plan")
    _force_option(what, "OUT.score")
    what.set_defaults(run=cmd_whatif)

    # The commands of other modules, imported only when they may be the one run (a command
    # missing from these names is still found: `main` then builds every parser).
    if only in (None, "goal", "sensitivity"):
        from .goal import add_commands as add_goal_commands

        add_goal_commands(commands)  # goal, sensitivity (issue 17)

    compare = commands.add_parser("compare", help="scores of several monitorings side by side")
    compare.add_argument("rules", nargs="+", help="one rule file, or one per monitoring")
    compare.add_argument("--values", action="append", required=True,
                         help="a values file, .yaml, .csv or .xlsx (repeat; a file may hold several "
                         "periods)")
    compare.add_argument("--period", help="only this period of multi-period files")
    _report_options(compare, ("html", "xlsx"))
    compare.set_defaults(run=cmd_compare)

    plans = commands.add_parser(
        "diff", help="what changed between two versions of a plan; exit 1 when anything did",
        epilog=_epilog("exit 0: the plans say the same; 1: they differ; 2: a plan or the values "
                       f"cannot be read or are not valid. See {DOCS_URL}diff.md"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    plans.add_argument("old", help="the plan as it was (.score)")
    plans.add_argument("new", help="the plan as it is now (.score)")
    plans.add_argument("--values", help="a values file: score both plans on it and show what "
                       "moves, and each change's effect alone")
    plans.add_argument("--period", help="score this period (default: the values file's)")
    plans.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    plans.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    plans.add_argument("--locale", choices=("it", "en"),
                       help="the words and numbers of the report (default: the new plan's)")
    plans.add_argument("--output", "-o", metavar="FILE", help="write the diff to FILE")
    _force_option(plans, "FILE")
    plans.set_defaults(run=cmd_diff)

    why = commands.add_parser("explain", help="show how one figure came about, from the leaves up")
    why.add_argument("rules", help="the rule file (.score)")
    why.add_argument("node", help="the node id: an area or objective code, a group or an "
                     "indicator use as in the score report (e.g. 802, 301/indicatori)")
    why.add_argument("--values", required=True, help="the values file (.yaml, .csv or .xlsx)")
    why.add_argument("--format", choices=("text", "json"), default="text")
    why.add_argument("--depth", type=int, help="levels below the node to explain in full")
    why.add_argument("--period", help="score this period (default: the values file's)")
    why.add_argument("--as-of", type=iso_date, help="monitoring date YYYY-MM-DD")
    why.set_defaults(run=cmd_explain)

    check = commands.add_parser(
        "check", help="parse and validate rule files", epilog=_epilog(
            "`scorelang check -` reads the rule text from standard input (an editor's buffer);\n"
            "--stdin-filename names it in the diagnostics.",
            f"every code is explained in {DOCS_URL}diagnostics.md"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+",
                       help="rule files or directories (*.score); - for standard input")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                       help="text (people), json, github (workflow commands), sarif (2.1.0)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _stdin_filename(check)
    check.set_defaults(run=cmd_check)

    fmt = commands.add_parser(
        "fmt", help="rewrite rule files in the canonical layout", epilog=_epilog(
            "`scorelang fmt -` formats standard input to standard output (an editor's\n"
            "format-on-save); with --check or --diff it only reports, as for files."),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    fmt.add_argument("paths", nargs="+",
                     help="rule files or directories (*.score); - for standard input")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; list files that would change and exit 1")
    fmt.add_argument("--diff", action="store_true",
                     help="change nothing; print the changes as a unified diff and exit 1")
    _force_option(fmt, "rule files")
    _stdin_filename(fmt)
    fmt.set_defaults(run=cmd_fmt)

    test = commands.add_parser(
        "test", help="run rule tests (*.test.yaml) that pin expected scores", epilog=_epilog(
            f"test files are described in {DOCS_URL}rule-tests.md"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    test.add_argument("paths", nargs="+", help="test files or directories (*.test.yaml)")
    test.add_argument("--format", choices=("text", "json"), default="text")
    test.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    _force_option(test, "the JUnit FILE")
    test.add_argument("-v", "--verbose", action="store_true", help="one line per expectation")
    test.set_defaults(run=cmd_test)

    schema = commands.add_parser("schema", help="the JSON Schema of a plan's values files, "
                                 "for editors (docs/editors.md)")
    schema.add_argument("rules", help="the rule file (.score)")
    schema.add_argument("--period", help="only this period's values files")
    schema.add_argument("--output", "-o", metavar="FILE", help="write the schema to FILE")
    schema.set_defaults(run=cmd_schema)

    if only in (None, "template", "import", "export"):
        from .sheets import add_commands  # spreadsheets (cli/sheets.py)

        add_commands(commands, _force_option)

    lsp = commands.add_parser("lsp", help="run the language server for editors, on stdin/stdout "
                              "(needs the lsp extra: pip install 'scorelang[lsp]')")
    lsp.add_argument("--stdio", action="store_true",
                     help="talk over stdin/stdout (the default and only way; editors pass it)")
    lsp.set_defaults(run=cmd_lsp)
    _complete_files(commands)
    return top


# What writing to a full or failing standard output raises (`> /dev/full`, a full disk, a
# quota): files scorelang writes itself turn these into diagnostics, so here they are stdout's.
_OUTPUT_ERRORS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO")
                           if hasattr(errno, name))


# What shtab (scripts/regenerate.py) completes a file argument with: shtab.FILE, written out so
# that scorelang need not import shtab. The arguments are found by name, so that a new command
# whose files are named like these gets file completion with no more code.
_FILE = {"bash": "_shtab_compgen_files", "zsh": "_files"}
_FILE_ARGUMENTS = {"rules", "values", "reported", "ops", "write", "output", "paths", "junit",
                   "old", "new", "sheet"}


def _complete_files(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for command in commands.choices.values():
        for action in command._actions:
            if action.dest in _FILE_ARGUMENTS:
                setattr(action, "complete", _FILE)


def _stdin_filename(command: argparse.ArgumentParser) -> None:
    command.add_argument("--stdin-filename", metavar="NAME",
                         help="the name standard input (-) goes by in diagnostics "
                         "(default: <stdin>)")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line, building only the parser of the command it names (its first
    word); every command's when that is not one (an option such as --help, a typo)."""
    words = sys.argv[1:] if argv is None else list(argv)
    if words and not words[0].startswith("-"):
        chosen = parser(only=words[0])
        commands = next(action for action in chosen._actions if isinstance(action, _Commands))
        if words[0] in commands.choices:
            return chosen.parse_args(words)
    return parser().parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a full disk shows up here, not in Python's flush at exit
        return code
    except BrokenPipeError:  # `scorelang score ... | head`: the reader had enough
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            from .crash import report_internal_error

            return report_internal_error(exc, argv)
        _discard_stdout()
        print(f"scorelang {args.command}: cannot write to standard output: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130  # as a shell reports a command stopped by SIGINT
    except ScorelangError as exc:  # a command let the user's problem through: still a diagnostic
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE if isinstance(exc, InputError) else EXIT_PROBLEMS
    except Exception as exc:  # a bug: exit 3, never 1 ("problems found")
        from .crash import report_internal_error

        return report_internal_error(exc, argv)


def _discard_stdout() -> None:
    """Point standard output at the null device, so that Python's last flush at exit finds
    nowhere to fail (else it prints "Exception ignored ..." after our message)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (captured by a test)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)
