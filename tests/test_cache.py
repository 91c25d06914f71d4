"""The compiled-plan cache: same plan, same diagnostics, private, JSON, never stale.

Every test here points the cache at its own temporary directory.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import scorelang
from scorelang import model
from scorelang.check import cache, codec

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "cciaa-modena-2020.score"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(path))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    return path


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_a_plan_from_the_cache_equals_the_plan_compiled_from_text(folder):
    text = RULES.read_text(encoding="utf-8")
    first = scorelang.loads(text, str(RULES))
    assert len(entries(folder)) == 1
    again = scorelang.loads(text, str(RULES))
    assert again.definition == first.definition and again.warnings == first.warnings
    # spans are not part of model equality: compare the full encodings too
    assert codec.encode(again.definition) == codec.encode(first.definition)
    values = scorelang.load_values(ROOT / "examples" / "cciaa-modena-2020" /
                                   "monitoraggio-2020-06.yaml")
    assert again.evaluate(values).to_dict() == first.evaluate(values).to_dict()


def test_the_cache_is_private_and_holds_json_not_pickle(folder):
    scorelang.load(RULES)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    (entry,) = entries(folder)
    data = json.loads(entry.read_text(encoding="utf-8"))
    # The class's own name: a plan, encoded as data.
    assert data["format"] == cache.FORMAT and data["plan"]["@"] == "PlanDefinition"


def test_diagnostics_of_a_bad_plan_come_back_the_same_from_the_cache(folder):
    text = RULES.read_text(encoding="utf-8").replace("weight 33.34%", "weight 30%", 1)
    first = scorelang.diagnose(text, "bad.score")
    again = scorelang.diagnose(text, "bad.score")
    assert [d.to_dict() for d in again[1]] == [d.to_dict() for d in first[1]]
    assert any(d.is_error for d in again[1])
    with pytest.raises(scorelang.CheckError) as raised:
        scorelang.loads(text, "bad.score")
    assert [d.to_dict() for d in raised.value.diagnostics] == \
        [d.to_dict() for d in first[1] if d.is_error]


def test_another_text_or_file_name_is_another_entry(folder):
    text = RULES.read_text(encoding="utf-8")
    scorelang.loads(text, "a.score")
    scorelang.loads(text, "b.score")
    scorelang.loads(text + "\n# a comment\n", "a.score")
    assert len(entries(folder)) == 3


def test_a_damaged_entry_is_ignored_and_replaced(folder):
    text = RULES.read_text(encoding="utf-8")
    scorelang.loads(text, "x.score")
    (entry,) = entries(folder)
    entry.write_text('{"plan": {"@": "os.system"}}', encoding="utf-8")
    assert scorelang.loads(text, "x.score").id == "cciaa_modena_2020"
    entry.write_text("not json", encoding="utf-8")
    assert scorelang.loads(text, "x.score").id == "cciaa_modena_2020"
    assert json.loads(entry.read_text(encoding="utf-8"))["format"] == cache.FORMAT


def test_scorelang_cache_off_writes_nothing(folder, monkeypatch):
    monkeypatch.setenv("SCORELANG_CACHE", "off")
    scorelang.load(RULES)
    assert not folder.exists()


def test_a_directory_others_can_write_is_not_used(folder):
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o777)
    scorelang.load(RULES)
    assert entries(folder) == []


def test_a_forged_entry_of_the_right_types_is_checked_again_not_trusted(folder):
    """Regression (fuzzing): an entry whose plan uses an indicator no declaration names decoded
    fine and crashed compile (KeyError). The checks run again on a plan read back."""
    text = RULES.read_text(encoding="utf-8")
    scorelang.loads(text, str(RULES))
    (entry,) = entries(folder)
    forged = entry.read_text(encoding="utf-8").replace(
        '"indicator": "export_provinciale"', '"indicator": "export_forged"')  # uses only
    entry.write_text(forged, encoding="utf-8")
    with pytest.raises(scorelang.ScorelangError) as raised:
        scorelang.loads(text, str(RULES))
    assert "SL206" in {d.code for d in raised.value.diagnostics}
