"""Rule-test reports: pytest-like text, JSON (format_version 1) and JUnit XML for CI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Span, render
from .diagnostics import source_lines
from ..engine.result import NodeResult
from ..tools.ruletest import FORMAT_VERSION, ND, Expectation, Figure, Outcome, RunReport, figure

_RULE_WIDTH = 72


def _describe_expected(e: Expectation) -> str:
    parts = []
    if e.score == ND:
        parts.append("score N/D")
    elif isinstance(e.score, float):
        parts.append(f"score {figure(e.score)} ± {figure(e.tolerance)}")
    if e.status is not None:
        parts.append(f"status {e.status}")
    if e.flags is not None:
        parts.append(f"flags [{', '.join(e.flags)}]" if e.flags else "no flags")
    return ", ".join(parts)


def _describe_got(got: NodeResult | Figure) -> str:
    score = "N/D" if got.score is None else f"{figure(got.score)} (shown {got.display})"
    flags = f"flags [{', '.join(got.flags)}]" if got.flags else "no flags"
    return f"score {score}, status {got.status}, {flags}"


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}:{span.column}"


def _rule(title: str, fill: str = "=") -> str:
    side = max(3, (_RULE_WIDTH - len(title) - 2) // 2)
    return f"{fill * side} {title} {fill * side}"


def _render_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    cache: dict[str, list[str] | None] = {}
    out = []
    for d in diagnostics:
        lines = None
        if d.span is not None:
            if d.span.file not in cache:
                cache[d.span.file] = source_lines(d.span.file)
            lines = cache[d.span.file]
        out.append(render(d, lines))
    return out


def summary_line(report: RunReport) -> str:
    line = f"{report.passed} passed, {report.failed} failed"
    return line + (f", {report.errors} errors" if report.errors else "")


def render_text(report: RunReport, verbose: bool = False) -> str:
    """pytest-like: a line of marks per file, then FAILURES, ERRORS and the count line."""
    lines: list[str] = []
    for suite in report.suites:
        if verbose:
            if suite.errors:
                lines.append(f"{suite.path} ERROR")
            for case in suite.cases:
                if case.errors:
                    lines.append(f"{suite.path}::{case.case.name} ERROR")
                for o in case.outcomes:
                    verdict = "PASSED" if o.passed else "FAILED"
                    lines.append(f"{suite.path}::{case.case.name}::{o.expectation.node} {verdict}")
        else:
            marks = "E" if suite.errors else ""
            for case in suite.cases:
                marks += "E" if case.errors else "".join("." if o.passed else "F"
                                                         for o in case.outcomes)
            lines.append(f"{suite.path} {marks}")
    failures = [(s, c, o) for s in report.suites for c in s.cases for o in c.outcomes
                if not o.passed]
    if failures:
        lines += ["", _rule("FAILURES")]
    for suite, case, o in failures:
        lines += [_rule(f"{suite.path}::{case.case.name}::{o.expectation.node}", "_"),
                  f"  node      {' › '.join(o.path)}",
                  f"  expected  {_describe_expected(o.expectation)}",
                  f"  got       {_describe_got(o.got)}"]
        lines += [f"  because   {p}" for p in o.problems]
        lines += [f"  at        {_where(o.expectation.span)}", ""]
    errored = [(s.path, s.errors) for s in report.suites if s.errors]
    errored += [(f"{s.path}::{c.case.name}", c.errors) for s in report.suites for c in s.cases
                if c.errors]
    if errored:
        lines += ["", _rule("ERRORS")]
    for title, diagnostics in errored:
        lines += [_rule(title, "_"), *_render_diagnostics(diagnostics), ""]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _expectation_dict(o: Outcome) -> dict[str, Any]:
    e = o.expectation
    return {
        "node": e.node,
        "path": list(o.path),
        "outcome": "passed" if o.passed else "failed",
        "expected": {"score": e.score, "tolerance": e.tolerance, "status": e.status,
                     "flags": None if e.flags is None else list(e.flags)},
        "got": {"score": o.got.score, "display": o.got.display, "status": o.got.status,
                "flags": list(o.got.flags)},
        "problems": list(o.problems),
        "span": e.span.to_dict(),
    }


def render_json(report: RunReport) -> str:
    """The machine contract: format_version 1, per file, per case and per expectation."""
    files = []
    for suite in report.suites:
        cases = [{
            "name": c.case.name,
            "outcome": c.verdict,
            "period": c.period,
            "as_of": c.as_of.isoformat() if c.as_of else None,
            "values": str(c.case.values) if isinstance(c.case.values, Path) else "inline",
            "diagnostics": [d.to_dict() for d in c.errors],
            "expectations": [_expectation_dict(o) for o in c.outcomes],
        } for c in suite.cases]
        files.append({"file": suite.path, "rules": suite.rules,
                      "diagnostics": [d.to_dict() for d in suite.errors], "cases": cases})
    summary = {"passed": report.passed, "failed": report.failed, "errors": report.errors}
    return json.dumps({"format_version": FORMAT_VERSION, "summary": summary, "files": files},
                      ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# Characters XML 1.0 cannot hold at all, not even escaped (control characters but tab and line
# breaks, lone surrogates, U+FFFE/U+FFFF): a test name or a message with one would make the
# whole report unreadable, so each is written out as Python would escape it (`\x1b`).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: repr(m.group())[1:-1], text)


def _element(parent: ET.Element, tag: str, text: str | None = None,
             **attributes: str | int | float | None) -> ET.Element:
    """A child element; every attribute and the text made fit for XML 1.0, None left out."""
    element = ET.SubElement(parent, tag, {name: xml_safe(str(value))
                                          for name, value in attributes.items()
                                          if value is not None})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _seconds(value: float) -> str:
    return f"{value:.3f}"  # the schema's SUREFIRE_TIME: at most three decimals


def render_junit(report: RunReport, hostname: str | None = None) -> str:
    """JUnit XML for CI: a <testsuite> per test file, a <testcase> per expectation.

    It validates against the Jenkins xUnit plugin's junit-10.xsd, with two attributes more on
    <testcase>, `file` (the test file) and `line` (the expectation's line), which the reporters
    of GitHub and GitLab read to point at the line. A case is scored once for all its
    expectations: each is given an equal share of that time."""
    root = ET.Element("testsuites", name="scorelang test")
    timestamp = report.started.isoformat() if report.started else None
    for suite in report.suites:
        element = _element(root, "testsuite", name=suite.path, timestamp=timestamp,
                           hostname=hostname, file=suite.path, time=_seconds(suite.seconds))
        if suite.errors:
            _junit_error(element, suite.path, suite.path, suite.errors, suite.path,
                         suite.seconds)
        for case in suite.cases:
            classname = f"{suite.path}::{case.case.name}"
            if case.errors:
                _junit_error(element, classname, case.case.name, case.errors, suite.path,
                             case.seconds, case.case.span.line)
            share = case.seconds / len(case.outcomes) if case.outcomes else 0.0
            for o in case.outcomes:
                testcase = _element(element, "testcase", name=o.expectation.node,
                                    classname=classname, time=_seconds(share), file=suite.path,
                                    line=o.expectation.span.line)
                if not o.passed:
                    message = (f"expected {_describe_expected(o.expectation)}; "
                               f"got {_describe_got(o.got)}")
                    _element(testcase, "failure", "\n".join(
                        [f"node: {' › '.join(o.path)}", *o.problems,
                         f"at {_where(o.expectation.span)}"]), message=message)
        testcases = element.findall("testcase")
        element.set("tests", str(len(testcases)))
        element.set("failures", str(sum(1 for t in testcases if t.find("failure") is not None)))
        element.set("errors", str(sum(1 for t in testcases if t.find("error") is not None)))
        element.set("skipped", "0")
    for count in ("tests", "failures", "errors"):
        root.set(count, str(sum(int(s.get(count, "0")) for s in root)))
    root.set("time", _seconds(sum(s.seconds for s in report.suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_error(parent: ET.Element, classname: str, name: str,
                 diagnostics: Sequence[Diagnostic], file: str, seconds: float,
                 line: int | None = None) -> None:
    first = diagnostics[0] if diagnostics else None
    if line is None and first is not None and first.span is not None \
            and first.span.file == file:
        line = first.span.line
    testcase = _element(parent, "testcase", name=name, classname=classname,
                        time=_seconds(seconds), file=file, line=line)
    _element(testcase, "error", "\n".join(_render_diagnostics(diagnostics)),
             message=first.headline() if first else "error")
