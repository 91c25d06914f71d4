"""Issue 18, point 3: after `whatif --drop`, the values that no longer apply are named.

The values file is the monitoring's record (often with notes, sources, or a spreadsheet):
whatif does not fork it. It says which entries the re-modulated plan no longer declares,
where they are, and what to do, so that the written plan can be scored; SL307, met when the
old file scores the new plan, points at the entry's key.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import scorelang
from scorelang.diagnostics import ValuesError
from scorelang.report.whatif import whatif_json, whatif_text
from scorelang.tools.whatif import Drop, whatif

from .test_plan_total import PLAN

VALUES = textwrap.dedent("""\
    plan: ufficio
    values:
      pratiche: 80
      tempi: 30
      reclami: null
    """)


def _outcome(tmp_path: Path):
    (tmp_path / "valori.yaml").write_text(VALUES, encoding="utf-8")
    values = scorelang.load_values(tmp_path / "valori.yaml")
    return whatif(PLAN, "ufficio.score", values, [Drop("reclami")])


def test_whatif_names_the_values_that_no_longer_apply(tmp_path):
    outcome = _outcome(tmp_path)
    assert outcome.unused == ("reclami",)
    ((name, span),) = outcome.unused_entries()
    assert (name, span.line) == ("reclami", 5)
    text = whatif_text(outcome, "en")
    assert "Values that no longer apply (1)" in text
    assert f"reclami ({tmp_path / 'valori.yaml'}:5)" in text
    data = json.loads(whatif_json(outcome))
    assert data["unused_values"] == [{"indicator": "reclami",
                                      "file": str(tmp_path / "valori.yaml"), "line": 5}]


def test_following_the_advice_scores_the_written_plan(tmp_path):
    outcome = _outcome(tmp_path)
    written = scorelang.loads(outcome.text, "nuovo.score")
    kept = "".join(line for line in VALUES.splitlines(keepends=True)
                   if not line.strip().startswith(tuple(f"{n}:" for n in outcome.unused)))
    (tmp_path / "nuovi.yaml").write_text(kept, encoding="utf-8")
    rescored = written.evaluate(scorelang.load_values(tmp_path / "nuovi.yaml"))
    assert rescored.score == outcome.after.score


def test_sl307_points_at_the_key_of_the_entry_not_its_value(tmp_path):
    outcome = _outcome(tmp_path)
    written = scorelang.loads(outcome.text, "nuovo.score")
    (tmp_path / "valori.yaml").write_text(VALUES, encoding="utf-8")
    try:
        written.evaluate(scorelang.load_values(tmp_path / "valori.yaml"))
    except ValuesError as exc:
        (problem,) = exc.diagnostics
    assert problem.code == "SL307"
    assert (problem.span.line, problem.span.column, problem.span.end_column) == (5, 3, 9)


def test_the_command_says_so_when_it_writes_the_plan(tmp_path):
    (tmp_path / "ufficio.score").write_text(PLAN, encoding="utf-8")
    (tmp_path / "valori.yaml").write_text(VALUES, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scorelang", "whatif", "ufficio.score",
                           "--values", "valori.yaml", "--drop", "reclami",
                           "--write", "nuovo.score"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "valori.yaml does not score it as it stands: remove reclami from it first" \
        in done.stderr
