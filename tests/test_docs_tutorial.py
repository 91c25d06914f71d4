"""docs/tutorial.md is run as written: its files written, its edits made, its commands run, and
every output it shows compared with what scorelang prints, in order, in one folder.

The page is marked up like docs/diagnostics.md (tests/test_docs_diagnostics.py), with HTML
comments on the lines right above a fenced block:

    <!-- file: NAME -->      the block is the whole file NAME (written, or written over)
    <!-- edit: NAME -->      a ```diff block: its `-` and context lines, found once in NAME,
                             become its `+` and context lines
    <!-- output -->          a ```text block: `$ scorelang ARGS`, then exactly what it prints
    <!-- exit: N -->         the exit code of that command
    <!-- print: NAME -->     a ```sh block printing the html file NAME to PDF with Chromium
                             (run when Chromium is installed, else that step is skipped)

A fenced block without a marker is prose's illustration and is not run; the test checks that
the page has no ```scorelang, ```yaml or ```text block without one, so nothing shown escapes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs
import pytest

from . import browser
from .conftest import ROOT
from .test_docs_diagnostics import run_cli

PAGE = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"((?:<!-- [^>]* -->\n)*)```(\w+)\n(.*?)```", re.S)


@attrs.frozen
class Step:
    line: int
    markers: dict[str, str]
    kind: str
    text: str


def steps() -> list[Step]:
    page = PAGE.read_text(encoding="utf-8")
    out = []
    for match in BLOCK.finditer(page):
        markers = dict(re.findall(r"<!-- ([\w-]+)(?::\s*(.*?))? -->", match.group(1)))
        out.append(Step(page.count("\n", 0, match.start(2)) + 1, markers, match.group(2),
                        match.group(3)))
    return out


def apply_edit(text: str, diff: str) -> str:
    before = "".join(line[1:] + "\n" for line in diff.splitlines() if line[:1] in (" ", "-", ""))
    after = "".join(line[1:] + "\n" for line in diff.splitlines() if line[:1] in (" ", "+", ""))
    assert text.count(before) == 1, f"the edit's lines are not found once:\n{before}"
    return text.replace(before, after)


def test_every_shown_file_and_output_is_marked():
    for step in steps():
        if step.kind in ("scorelang", "yaml", "text", "diff", "sh"):
            assert step.markers, f"docs/tutorial.md:{step.line}: a ```{step.kind} block " \
                                 "without a marker is not run by the test"


def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    ran = {"file": 0, "edit": 0, "output": 0}
    for step in steps():
        where = f"docs/tutorial.md:{step.line}"
        if "file" in step.markers:
            (tmp_path / step.markers["file"]).write_text(step.text, encoding="utf-8")
            ran["file"] += 1
        elif "edit" in step.markers:
            target = tmp_path / step.markers["edit"]
            target.write_text(apply_edit(target.read_text(encoding="utf-8"), step.text),
                              encoding="utf-8")
            ran["edit"] += 1
        elif "output" in step.markers:
            command, *shown = step.text.splitlines()
            assert command.startswith("$ scorelang "), where
            code, printed = run_cli(tmp_path, shlex.split(command)[2:], monkeypatch)
            got = [line.rstrip() for line in printed.splitlines()]
            assert got == [line.rstrip() for line in shown], \
                f"{where}: the page shows something else; the tool prints:\n{printed}"
            if "exit" in step.markers:
                assert code == int(step.markers["exit"]), f"{where}: exit code {code}"
            ran["output"] += 1
        elif "print" in step.markers:
            _print(tmp_path, step)
    assert ran["file"] >= 2 and ran["edit"] >= 6 and ran["output"] >= 8


def _print(folder: Path, step: Step) -> None:
    chromium = browser.find_chromium()
    page = folder / step.markers["print"]
    assert page.exists(), "the report to print was written by an earlier command"
    if chromium is None:
        return  # the page prints in a browser; the printing tests skip for the same reason
    args = shlex.split(step.text)
    assert args[0] == "chromium"
    pdf = folder / next(a.split("=", 1)[1] for a in args if a.startswith("--print-to-pdf="))
    browser.print_pdf(chromium, page, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("name", ["language.md", "reports.md"])
def test_the_docs_link_the_tutorial(name):
    assert "(tutorial.md)" in (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_an_edit_that_is_not_found_is_an_error():
    with pytest.raises(AssertionError):
        apply_edit("a\nb\n", "-c\n+d")
    assert apply_edit("a\nb\nc\n", " a\n-b\n+B") == "a\nB\nc\n"
