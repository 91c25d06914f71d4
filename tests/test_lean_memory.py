"""Lean memory (issue 15): the cache entry written a piece at a time is the same text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorelang.api import diagnose
from scorelang.check.cache import FORMAT
from scorelang.check.codec import encode, write_entry
from scorelang.syntax.build import read

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((ROOT / "rules").glob("*.score"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_streamed_cache_entry_is_what_json_dumps_writes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plan, built = read(text, str(path))
    assert plan is not None
    _, found = diagnose(text, str(path), keep=False)
    pieces: list[str] = []
    write_entry(pieces.append, FORMAT, plan, found, built)
    whole = json.dumps({"format": FORMAT, "diagnostics": encode(found), "built": encode(built),
                        "plan": encode(plan)},
                       ensure_ascii=False, allow_nan=False)
    assert "".join(pieces) == whole
    assert len(pieces) > 10  # written in pieces, not as one string


@pytest.mark.parametrize("view", ["tree", "indicators", "summary"])
@pytest.mark.parametrize("chunk", [1, 7, 50])
def test_a_table_laid_out_in_chunks_is_the_one_laid_out_at_once(
        monkeypatch: pytest.MonkeyPatch, view: str, chunk: int) -> None:
    import scorelang
    from scorelang import report
    from scorelang.report import table
    from tests.conftest import MODENA_RULES, MODENA_VALUES

    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    monkeypatch.setattr(table, "CHUNK", 10**9)
    whole = report.render(result, "table", view)
    monkeypatch.setattr(table, "CHUNK", chunk)
    assert report.render(result, "table", view) == whole


@pytest.mark.parametrize("enabled", [True, False])
def test_compiling_leaves_the_cycle_collector_as_it_found_it(enabled: bool) -> None:
    # compile_plan pauses the collector (compiling was superlinear with it running): it must
    # hand it back as it was, also to an embedder who had turned it off.
    import gc

    import scorelang
    from scorelang.engine.compile import compile_plan
    from tests.conftest import MODENA_RULES

    definition = scorelang.load(MODENA_RULES).definition
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        compile_plan(definition, None)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
