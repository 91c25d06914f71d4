"""The command line as a release ships it: --version, --help's exit codes and docs address,
`-` for standard input in `check` and `fmt`, and the project metadata that goes with them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest

import scorelang
from scorelang import DOCS_URL, PROJECT_URL

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

UNFORMATTED = ('plan p "P" {  period H1 "H1" ends 2020-06-30 }\n'
               'indicator a "A" { target >= 10 }  # kept\n'
               'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n')


def run(*args: str, stdin: str | bytes | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    done = subprocess.run([sys.executable, "-m", "scorelang", *args], input=data,
                          capture_output=True, cwd=cwd)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


# ---- --version and --help -------------------------------------------------------------------
def installed_version() -> str:
    try:
        return metadata.version("scorelang")
    except metadata.PackageNotFoundError:
        return scorelang.__version__


def test_version_prints_the_installed_version_and_exits_0():
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout == f"scorelang {installed_version()}\n"
    assert re.fullmatch(r"scorelang \d+\.\d+\.\d+\n", done.stdout)


def test_the_version_is_written_once_in_step_with_the_package():
    assert PYPROJECT["project"]["version"] == scorelang.__version__ == "0.2.0"


@pytest.mark.parametrize("command", [(), ("check",), ("fmt",), ("test",)])
def test_help_lists_the_exit_codes_and_the_docs(command):
    done = run(*command, "--help")
    assert done.returncode == 0
    for code, meaning in (("0", "clean"), ("1", "problems found"), ("2", "usage or I/O error"),
                          ("3", "internal error")):
        assert re.search(rf"^  {code}  {meaning}", done.stdout, re.MULTILINE), (code, done.stdout)
    assert f"docs: {DOCS_URL}" in done.stdout


# ---- standard input ----------------------------------------------------------------------------
def test_fmt_dash_writes_the_formatted_text_to_stdout():
    done = run("fmt", "-", stdin=UNFORMATTED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('plan p "P" {\n  period H1 "H1" ends 2020-06-30\n}\n')
    assert "# kept" in done.stdout
    again = run("fmt", "-", stdin=done.stdout)
    assert again.stdout == done.stdout  # formatted text is printed as it is, too


def test_fmt_check_dash_reports_without_printing_the_text(tmp_path):
    done = run("fmt", "--check", "-", stdin=UNFORMATTED)
    assert (done.returncode, done.stdout) == (1, "")
    assert "would reformat <stdin>" in done.stderr
    formatted = run("fmt", "-", stdin=UNFORMATTED).stdout
    assert run("fmt", "--check", "-", stdin=formatted).returncode == 0


def test_fmt_diff_dash_uses_the_stdin_filename():
    done = run("fmt", "--diff", "--stdin-filename", "rules/plan.score", "-", stdin=UNFORMATTED)
    assert done.returncode == 1
    assert done.stdout.startswith("--- rules/plan.score\n+++ rules/plan.score (formatted)\n")


def test_fmt_dash_on_text_that_does_not_parse_prints_nothing_to_stdout():
    done = run("fmt", "--stdin-filename", "rules/plan.score", "-", stdin='plan p "P" {\n')
    assert (done.returncode, done.stdout) == (1, "")
    assert "rules/plan.score:" in done.stderr and "error[SL102]" in done.stderr
    assert "    1 | plan p" in done.stderr  # the caret under standard input's own line


def test_check_dash_names_the_stdin_filename_in_every_format():
    text = 'plan p "P" {\n  period H1 "H1" ends 2020-06-31\n}\n'
    done = run("check", "--stdin-filename", "rules/plan.score", "-", stdin=text)
    assert done.returncode == 1
    assert done.stderr.startswith("rules/plan.score:2:23: error[SL104]")
    assert "    2 |   period H1" in done.stderr
    assert done.stderr.endswith("1 file(s) checked: 1 error(s), 0 warning(s)\n")
    data = json.loads(run("check", "--format", "json", "-", stdin=text).stdout)
    assert data["diagnostics"][0]["span"]["file"] == "<stdin>"


def test_check_reads_files_and_stdin_together(tmp_path):
    (tmp_path / "ok.score").write_text(run("fmt", "-", stdin=UNFORMATTED).stdout, encoding="utf-8")
    done = run("check", "ok.score", "-", stdin='plan p "P" {\n', cwd=tmp_path)
    assert done.returncode == 1
    assert "2 file(s) checked: 1 error(s)" in done.stderr


@pytest.mark.parametrize("args", [("check", "-", "-"), ("fmt", "-", "-"),
                                  ("check", "--stdin-filename", "x.score", "rules"),
                                  ("fmt", "--stdin-filename", "x.score", "rules")])
def test_dash_twice_or_a_stdin_filename_without_dash_is_a_usage_error(args):
    done = run(*args, stdin="")
    assert done.returncode == 2
    assert done.stderr.startswith(f"scorelang {args[0]}: ")


def test_stdin_that_is_not_utf8_is_sl002_and_exit_2():
    done = run("check", "-", stdin=b'plan p "\xff" {}\n')
    assert done.returncode == 2
    assert "error[SL002]: standard input is not UTF-8 text" in done.stderr
    assert "Traceback" not in done.stderr


def test_stdin_line_breaks_are_read_as_a_files_are(tmp_path):
    crlf = UNFORMATTED.replace("\n", "\r\n")
    (tmp_path / "plan.score").write_bytes(crlf.encode("utf-8"))
    from_file = run("fmt", "--diff", "plan.score", cwd=tmp_path).stdout
    from_stdin = run("fmt", "--diff", "--stdin-filename", "plan.score", "-", stdin=crlf,
                     cwd=tmp_path).stdout
    assert from_stdin == from_file != ""


# ---- release metadata ----------------------------------------------------------------------
def test_license_file_and_spdx_expression():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the scorelang authors\n")
    # setuptools refuses a License classifier beside an SPDX expression
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    requires = PYPROJECT["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+).*", r) and int(r.split(">=")[1].split(".")[0]) >= 77
               for r in requires), requires


def test_project_urls_point_at_the_project():
    urls = PYPROJECT["project"]["urls"]
    assert urls["Homepage"] == PROJECT_URL
    for name in ("Documentation", "Issues", "Changelog"):
        assert urls[name].startswith(PROJECT_URL + "/"), name
