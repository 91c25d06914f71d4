"""`.pre-commit-hooks.yaml`: the hooks a rules repository pins (docs/ci.md), run as pre-commit
runs them: the entry, the hook's args, then the staged files its `files` pattern matches
(unless `pass_filenames: false`), in a copy of the bundled rules and their examples."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

HOOKS = {hook["id"]: hook for hook in
         yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


@pytest.fixture
def repository(rules_repository: Path) -> Path:
    """A rules repository: the bundled rules, their tests and the values the tests read."""
    return rules_repository


def run_hook(hook_id: str, repository: Path) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    files = sorted(str(p.relative_to(repository)) for p in repository.rglob("*") if p.is_file())
    matched = [f for f in files if re.search(hook.get("files", ""), f)]
    assert matched, f"{hook_id} matches no file: it would never run"
    program, *entry = shlex.split(hook["entry"])
    assert program == "scorelang"  # the console script the python hook installs
    command = [sys.executable, "-m", "scorelang", *entry, *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        command += matched
    return subprocess.run(command, capture_output=True, text=True, cwd=repository)


def test_the_manifest_has_the_three_hooks_as_pre_commit_wants_them():
    assert list(HOOKS) == ["scorelang-check", "scorelang-fmt", "scorelang-test"]
    for hook in HOOKS.values():
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"
        re.compile(hook["files"])
    if shutil.which("pre-commit"):  # pre-commit's own schema, where it is installed
        done = subprocess.run(["pre-commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("hook_id", list(HOOKS))
def test_each_hook_passes_on_the_bundled_rules(repository, hook_id):
    before = {p: p.read_bytes() for p in repository.rglob("*") if p.is_file()}
    done = run_hook(hook_id, repository)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in repository.rglob("*") if p.is_file()} == before


def test_check_fails_on_a_warning(repository):
    plan = repository / "rules" / "cciaa-modena-2020.score"
    plan.write_text(plan.read_text(encoding="utf-8") +
                    '\nindicator unused "Never used" { target >= 1 }\n', encoding="utf-8")
    done = run_hook("scorelang-check", repository)
    assert done.returncode == 1 and "warning[SL213]" in done.stderr


def test_fmt_rewrites_a_file_out_of_layout_so_the_commit_stops(repository):
    plan = repository / "rules" / "cciaa-modena-2020.score"
    formatted = plan.read_text(encoding="utf-8")
    plan.write_text(formatted.replace("\n  ", "\n      ", 3), encoding="utf-8")
    done = run_hook("scorelang-fmt", repository)
    assert done.returncode == 0 and "reformatted rules/cciaa-modena-2020.score" in done.stderr
    assert plan.read_text(encoding="utf-8") == formatted  # pre-commit sees the change and fails


def test_test_runs_every_rule_test_and_fails_when_a_figure_moves(repository):
    done = run_hook("scorelang-test", repository)
    assert "rules/cciaa-modena-2020.test.yaml" in done.stdout
    assert "rules/comune-valleverde-2023.test.yaml" in done.stdout
    values = repository / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"
    text = values.read_text(encoding="utf-8")
    assert text.count("partecipanti_internaz: 143\n") == 1
    values.write_text(text.replace("partecipanti_internaz: 143\n", "partecipanti_internaz: 14\n"),
                      encoding="utf-8")
    done = run_hook("scorelang-test", repository)
    assert done.returncode == 1 and " failed" in done.stdout
