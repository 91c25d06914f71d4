"""Every file in tests/broken/ holds one mistake; `scorelang check` must name it end to end.

Each file starts with `# expect: CODE LINE:COLUMN | HINT`. The whole corpus goes through the CLI in
one process run (JSON output), so this tests what a CI job would see.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from scorelang.check.codes import CODES

from .conftest import ROOT

BROKEN = ROOT / "tests" / "broken"
FILES = sorted(BROKEN.glob("*.score"))
EXPECT = re.compile(r"# expect: (SL\d{3}) (\d+):(\d+) \| (.+)$")


def expectation(path):
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} has no '# expect: CODE LINE:COL | HINT' header"
    code, line, column, hint = match.groups()
    return code, int(line), int(column), hint


@pytest.fixture(scope="module")
def diagnostics_by_file():
    done = subprocess.run([sys.executable, "-m", "scorelang", "check", "--format", "json",
                           str(BROKEN)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    found: dict[str, list[dict]] = {}
    for diagnostic in json.loads(done.stdout)["diagnostics"]:
        found.setdefault(diagnostic["span"]["file"], []).append(diagnostic)
    return found


def test_the_corpus_has_a_file_for_at_least_25_mistakes():
    assert len(FILES) >= 25
    assert len({expectation(f)[0] for f in FILES}) >= 25


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_check_names_the_mistake_at_its_position(diagnostics_by_file, path):
    code, line, column, hint = expectation(path)
    found = diagnostics_by_file.get(str(path), [])
    assert found, f"no diagnostic for {path.name}"
    matching = [d for d in found if d["code"] == code]
    assert matching, f"{path.name}: expected {code}, got {[d['code'] for d in found]}"
    span = matching[0]["span"]
    assert (span["line"], span["column"]) == (line, column), matching[0]["message"]
    assert matching[0]["hint"] == hint
    assert code in CODES
