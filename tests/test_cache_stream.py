"""A cache entry read back a piece at a time (issue 15: a warm `scorelang score` of 100,000
indicators peaked at 675 MiB reading its entry whole, against 258 parsing the text again):
whatever the chunks, the plan is the one stored; a cut or damaged entry is a miss, never a
crash; reading holds about a chunk of the entry's text, not its whole JSON as dicts."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang import model
from scorelang.check import cache, codec

from .conftest import bench_plans

ROOT = Path(__file__).resolve().parents[1]
RULES = sorted((ROOT / "rules").glob("*.score"))


def _generated(indicators: int) -> str:
    """The benchmark's realistic plan (every formula, rule, deadline kind, periodic targets)."""
    plans = bench_plans()
    return str(plans.generate(indicators, 3).text)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(path))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    return path


def _stored(text: str, filename: str, folder: Path) -> tuple[model.PlanDefinition, Path]:
    plan = scorelang.loads(text, filename).definition
    (entry,) = sorted(folder.glob("*.json"))
    return plan, entry


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("which", [path.name for path in RULES] + ["generated"])
def test_an_entry_read_in_chunks_of_any_size_is_the_plan_stored(
        which: str, chunk: int, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _generated(60) if which == "generated" else (ROOT / "rules" / which).read_text(
        encoding="utf-8")
    plan, entry = _stored(text, which, folder)
    monkeypatch.setattr(codec.EntryReader, "CHUNK", chunk)
    loaded = cache.load(text, which)
    assert loaded is not None
    again, _ = loaded
    assert again == plan and codec.encode(again) == codec.encode(plan)
    # The reader a piece at a time and decode() of the whole JSON make the same objects.
    whole = codec.decode(json.loads(entry.read_text(encoding="utf-8"))["plan"],
                         model.PlanDefinition)
    assert codec.encode(whole) == codec.encode(again)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0), chunk=st.sampled_from([5, 64, 4096]))
def test_an_entry_cut_anywhere_is_a_miss(cut: int, chunk: int, tmp_path_factory: pytest.
                                         TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cache")
    text = (ROOT / "rules" / "comune-valleverde-2023.score").read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORELANG_CACHE_DIR", str(folder))
        patch.delenv("SCORELANG_CACHE", raising=False)
        patch.setattr(codec.EntryReader, "CHUNK", chunk)
        _, entry = _stored(text, "v.score", folder)
        whole = entry.read_bytes()
        entry.write_bytes(whole[:cut % len(whole)])
        assert cache.load(text, "v.score") is None


@settings(max_examples=60, deadline=None)
@given(at=st.integers(min_value=0), character=st.sampled_from('{}[]",: 0a-\\\xe9'))
def test_an_entry_with_a_character_changed_is_read_or_missed_never_a_crash(
        at: int, character: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cache")
    text = (ROOT / "rules" / "comune-valleverde-2023.score").read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORELANG_CACHE_DIR", str(folder))
        patch.delenv("SCORELANG_CACHE", raising=False)
        patch.setattr(codec.EntryReader, "CHUNK", 64)
        _, entry = _stored(text, "v.score", folder)
        written = entry.read_text(encoding="utf-8")
        at %= len(written)
        entry.write_text(written[:at] + character + written[at + 1:], encoding="utf-8")
        loaded = cache.load(text, "v.score")  # a plan (the checks ran again) or a miss
        assert loaded is None or isinstance(loaded[0], model.PlanDefinition)


def test_an_entry_with_anything_after_it_is_a_miss(folder: Path) -> None:
    text = RULES[0].read_text(encoding="utf-8")
    _, entry = _stored(text, "m.score", folder)
    entry.write_text(entry.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert cache.load(text, "m.score") is None


def test_reading_an_entry_holds_a_piece_of_it_not_its_whole_json(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the entry was parsed whole (json.loads), then decoded: at its peak the whole
    JSON as dicts and lists stood beside the plan being made, 5.4 times the plan read back at
    2,000 indicators (a 2.8 MB entry). Chunks of 64 KiB here, so that the chunk is small
    beside the plan, as the default 1 MiB is at the sizes where memory matters."""
    text = _generated(2000)
    _stored(text, "big.score", folder)
    monkeypatch.setattr(codec.EntryReader, "CHUNK", 1 << 16)
    tracemalloc.start()
    try:
        loaded = cache.load(text, "big.score")
        live, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert loaded is not None
    # What stands at the peak beyond the plan read back: the checks run again, and a chunk.
    assert peak < 1.5 * live, (peak, live)
