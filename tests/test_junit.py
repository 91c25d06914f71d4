"""`scorelang test --junit`: JUnit XML that CI's test reporters read (report.ruletest.render_junit).

Validated against the Jenkins xUnit plugin's junit-10.xsd (copied unchanged into tests/schemas/),
the schema JUnit consumers follow; the only attributes beyond it are `file` and `line` on a
<testcase>, which the reporters of GitHub and GitLab read to point at the expectation's line.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from scorelang.report.ruletest import render_junit, xml_safe
from scorelang.tools.ruletest import run_paths

from .conftest import ROOT
from .test_rule_tests import X, mixed_report, one_case, write  # noqa: F401 (write: a fixture)

xmlschema = pytest.importorskip("xmlschema")

SCHEMA = xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit-10.xsd"))
EXTENSIONS = ("file", "line")  # on <testcase>, beyond junit-10.xsd


def schema_errors(text: str) -> list[str]:
    """What junit-10.xsd says of the document once the two testcase extensions are taken out."""
    root = ET.fromstring(text)
    for testcase in root.iter("testcase"):
        for name in EXTENSIONS:
            testcase.attrib.pop(name, None)
    return [str(e.reason) for e in SCHEMA.iter_errors(root)]


def test_a_mixed_report_validates_against_junit_10_xsd(write, tmp_path):
    text = render_junit(mixed_report(write, tmp_path), hostname="ci-runner")
    assert schema_errors(text) == []


def test_the_schema_check_can_fail(write, tmp_path):
    root = ET.fromstring(render_junit(mixed_report(write, tmp_path)))
    suite = root.find("testsuite")
    del suite.attrib["tests"]  # required
    suite.set("time", "1.23456")  # SUREFIRE_TIME allows three decimals
    ET.SubElement(suite.find("testcase"), "unknown")
    assert len(schema_errors(ET.tostring(root, encoding="unicode"))) >= 3
    testcase = ET.fromstring(render_junit(mixed_report(write, tmp_path))).find("testsuite/testcase")
    testcase.set("column", "3")  # an extension other than file and line is caught
    assert schema_errors(f"<testsuites><testsuite name='a' tests='1' failures='0' errors='0'>"
                         f"{ET.tostring(testcase, encoding='unicode')}</testsuite></testsuites>")


def test_time_timestamp_hostname_file_and_line(write, tmp_path):
    before = dt.datetime.now().astimezone().replace(microsecond=0)
    root = ET.fromstring(render_junit(mixed_report(write, tmp_path), hostname="ci-runner"))
    suites = root.findall("testsuite")
    for suite in suites:
        stamp = dt.datetime.fromisoformat(suite.get("timestamp"))
        assert stamp.tzinfo is not None and before <= stamp <= before + dt.timedelta(minutes=5)
        assert suite.get("hostname") == "ci-runner"
        assert suite.get("file") == suite.get("name")
        assert float(suite.get("time")) >= sum(float(t.get("time")) for t in suite) - 0.003
    assert float(root.get("time")) == pytest.approx(sum(float(s.get("time")) for s in suites),
                                                    abs=0.002 * len(suites))
    first = suites[0].findall("testcase")
    # one_case puts the first expectation on line 7 of the test file, one per line after it
    assert [(t.get("file"), t.get("line")) for t in first] == \
        [(str(tmp_path / "a.test.yaml"), str(line)) for line in (7, 8, 9)]
    assert all(float(t.get("time")) >= 0 for t in first)
    # a case that could not be scored (its values file is missing) points at the case
    error_case = suites[1].find("testcase")
    assert error_case.find("error") is not None and error_case.get("line") == "3"


def test_hostname_is_left_out_unless_given(write, tmp_path):
    root = ET.fromstring(render_junit(mixed_report(write, tmp_path)))
    assert all("hostname" not in s.attrib for s in root.findall("testsuite"))


@pytest.mark.parametrize("bad", ["\x01", "\x1b", "\x00", "\ufffe", "\ud800"])
def test_characters_xml_cannot_hold_are_escaped_everywhere(write, tmp_path, bad):
    """Regression: a control character in a test name (YAML's "\\x01") made the report
    malformed XML, which CI then failed to read at all."""
    escape = f"\\x{ord(bad):02x}" if ord(bad) < 0x100 else f"\\u{ord(bad):04x}"
    path = write(one_case(f'"{X}": 70\n').replace("name: giugno", f'name: "giu{escape}gno"'),
                 name=f"a{bad if bad.isprintable() else ''}.test.yaml")
    report = run_paths([str(path)])
    assert report.suites[0].cases[0].case.name == f"giu{bad}gno"
    text = render_junit(report)
    testcase = ET.fromstring(text).find("testsuite/testcase")  # well-formed
    assert testcase.get("classname") == f"{path}::giu{escape}gno"
    assert testcase.find("failure") is not None
    assert schema_errors(text) == []


def test_a_control_character_in_a_file_name_and_a_message(tmp_path):
    folder = tmp_path / "odd\x1bname"
    folder.mkdir()
    (folder / "x.test.yaml").write_text("rules: plan.score\ntests: [{}]\n", encoding="utf-8")
    report = run_paths([str(folder)])
    assert report.errors == 1
    text = render_junit(report)
    suite = ET.fromstring(text).find("testsuite")
    assert suite.get("name") == str(folder / "x.test.yaml").replace("\x1b", "\\x1b")
    assert "\\x1b" in suite.find("testcase/error").text
    assert schema_errors(text) == []


def test_xml_safe_keeps_every_character_xml_allows():
    allowed = "\t\n\r ~é€\U0001f600\ud7ff\ue000\ufffd"
    assert xml_safe(allowed) == allowed
    assert xml_safe("a\x01b\x7fc") == "a\\x01b\x7fc"  # DEL is allowed in XML 1.0


def test_the_cli_writes_the_report(tmp_path):
    target = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "scorelang", "test", "rules/",
                           "--junit", str(target)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    text = target.read_text(encoding="utf-8")
    assert schema_errors(text) == []
    suite = ET.fromstring(text).find("testsuite")
    assert suite.get("hostname") and suite.get("timestamp")
