"""`scorelang template`, `import` and `export`: spreadsheets in and out the way offices work.

Thin shells over `tools.template` and `tools.planbook`: read the arguments, call, write the
bytes atomically (`-o`, `--force` as every other output) or print them. A workbook (xlsx) is
never printed to a terminal: it needs `-o` (SL702).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .. import api
from ..diagnostics import Diagnostic, ScorelangError, error
from ..files import write_bytes_atomic
from .commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, print_diagnostics


def _exit_code(exc: ScorelangError) -> int:
    from ..files import InputError
    from ..tools.sheets import SheetError

    if isinstance(exc, InputError):
        return EXIT_USAGE
    # A sheet that cannot be opened at all, or openpyxl missing, is like a file that cannot
    # be read (2); rows that cannot be read are problems found in the input (1).
    if isinstance(exc, SheetError) and all(d.code in ("SL004", "SL702", "SL703")
                                           for d in exc.diagnostics):
        return EXIT_USAGE
    return EXIT_PROBLEMS


def _write(data: bytes, output: str | None, force: bool, command: str, fmt: str) -> int:
    if output is None:
        if fmt == "xlsx":
            print_diagnostics([_needs_output(command)])
            return EXIT_USAGE
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    try:
        write_bytes_atomic(Path(output), data, force=force)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE
    return EXIT_OK


def _needs_output(command: str) -> Diagnostic:
    return error("SL702", f"scorelang {command}: --format xlsx writes a workbook, not text",
                 None, "give the file to write: -o FILE.xlsx")


def cmd_template(args: argparse.Namespace) -> int:
    """`template RULES`: the values file to fill in, every indicator once."""
    from ..tools.template import template

    if args.format == "xlsx" and args.output is None:
        print_diagnostics([_needs_output("template")])  # before any work
        return EXIT_USAGE
    try:
        data = template(api.load(args.rules), args.period, args.format)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    return _write(data, args.output, args.force, "template", args.format)


def cmd_import(args: argparse.Namespace) -> int:
    """`import PLAN.xlsx|csv -o plan.score`: a plan sheet as a formatted, checked rule file."""
    from ..files import write_text_atomic
    from ..tools.planbook import import_plan

    try:
        imported = import_plan(args.sheet)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    print_diagnostics(imported.warnings)
    if args.output is None:
        sys.stdout.write(imported.text)
        return EXIT_OK
    try:
        write_text_atomic(Path(args.output), imported.text, force=args.force)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_USAGE
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """`export RULES --format xlsx|csv -o FILE`: the plan (not the scores) as a plan sheet."""
    from ..tools.planbook import export_plan

    if args.format == "xlsx" and args.output is None:
        print_diagnostics([_needs_output("export")])
        return EXIT_USAGE
    try:
        data = export_plan(args.rules, args.format)
    except ScorelangError as exc:
        print_diagnostics(exc.diagnostics)
        return _exit_code(exc)
    return _write(data, args.output, args.force, "export", args.format)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 force: Callable[[argparse.ArgumentParser, str], None]) -> None:
    """The three commands' arguments (called by `cli.parser`)."""
    template = commands.add_parser(
        "template", help="the values file to fill in for a period: every indicator with its "
        "title, unit, target and kind of value (yaml, csv or xlsx)")
    template.add_argument("rules", help="the rule file (.score)")
    template.add_argument("--period", help="the period to fill in (default: the plan's first)")
    template.add_argument("--format", choices=("yaml", "csv", "xlsx"), default="yaml")
    template.add_argument("--output", "-o", metavar="FILE",
                          help="write the template to FILE (required for xlsx)")
    force(template, "FILE")
    template.set_defaults(run=cmd_template)

    sheet = commands.add_parser(
        "import", help="a plan kept in a spreadsheet (.xlsx or .csv, one row per node) as a "
        "formatted, checked rule file")
    sheet.add_argument("sheet", help="the plan sheet (.xlsx or .csv)")
    sheet.add_argument("--output", "-o", metavar="FILE",
                       help="write the rule file to FILE (default: standard output)")
    force(sheet, "FILE")
    sheet.set_defaults(run=cmd_import)

    export = commands.add_parser(
        "export", help="the plan (not the scores) as a spreadsheet that `import` reads back")
    export.add_argument("rules", help="the rule file (.score)")
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    export.add_argument("--output", "-o", metavar="FILE",
                        help="write the sheet to FILE (required for xlsx)")
    force(export, "FILE")
    export.set_defaults(run=cmd_export)
