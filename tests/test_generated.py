"""Files generated from others stay in step: `python3 scripts/regenerate.py` rewrites them.

The packaged rule help (SARIF's rule descriptions, from docs/diagnostics.md) and the shell
completions (from the argument parser, by shtab). A new code, command or option fails here
until the command above is run and its output committed.
"""

from __future__ import annotations

import json
from pathlib import Path
import shutil
import subprocess
import sys

import pytest

from scorelang.check.codes import CODES

from .conftest import ROOT

COMPLETIONS = ROOT / "completions"


def test_the_generated_files_are_up_to_date():
    pytest.importorskip("shtab", reason="shtab (the `test` extra) generates the completions")
    done = subprocess.run([sys.executable, "scripts/regenerate.py", "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_every_code_has_its_packaged_help():
    rules = json.loads((ROOT / "src/scorelang/report/rule_help.json").read_text("utf-8"))["rules"]
    assert sorted(rules) == sorted(CODES)
    assert all(rule["full"] and rule["text"] and rule["markdown"] for rule in rules.values())


def complete_in_bash(line: str) -> list[str]:
    """What the committed bash completion offers for `line` (completing its last word)."""
    words = line.split(" ")
    script = (f"source {COMPLETIONS / 'scorelang.bash'}\n"
              f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
              f"COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
              "_shtab_scorelang; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return [word for word in done.stdout.splitlines() if word]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices():
    assert complete_in_bash("scorelang ch") == ["check"]
    assert complete_in_bash("scorelang check --st") == ["--strict", "--stdin-filename"]
    assert complete_in_bash("scorelang check --format s") == ["sarif"]
    assert "--version" in complete_in_bash("scorelang --")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_file_arguments_with_files():
    offered = complete_in_bash("scorelang check rules/cciaa")
    assert "rules/cciaa-modena-2020.score" in offered


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_completion_parses_and_registers(tmp_path):
    # compinit's dump file in the test's own folder: as root, `-d /dev/null` made compdump
    # move a plain file over /dev/null (regression: it replaced the device on the test machine).
    dump = tmp_path / "zcompdump"
    script = (f"fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u -d {dump}; "
              "print -r -- ${_comps[scorelang]}")
    done = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "_scorelang", done.stderr
    assert subprocess.run(["zsh", "-n", str(COMPLETIONS / "_scorelang")]).returncode == 0
    assert Path("/dev/null").is_char_device()
