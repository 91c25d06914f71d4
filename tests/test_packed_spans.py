"""Packed spans (issue 15, lean memory): the plan model keeps a span as one int where it fits,
and reads it back as the same Span; the cache keeps Spans, never a packed int."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import scorelang
from scorelang import model
from scorelang.check import cache, codec
from scorelang.diagnostics import Span
from scorelang.spans import packed, unpacked

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "cciaa-modena-2020.score"

spans = st.builds(
    Span, st.sampled_from(["a.score", "rules/b.score", "<string>", "c d/é.score"]),
    st.integers(0, 1 << 25), st.integers(0, 3000), st.integers(0, 1 << 25),
    st.integers(0, 3000), st.none() | st.just("Valori!C14"))


@given(spans)
def test_a_packed_span_reads_back_as_the_same_span(span: Span) -> None:
    assert unpacked(packed(span)) == span
    assert packed(packed(span)) == packed(span)  # packing twice changes nothing


@given(spans)
def test_a_span_that_fits_is_an_int_of_two_digits(span: Span) -> None:
    from scorelang import spans as packing

    # The process numbers the first 128 files it sees (earlier tests may have used them up).
    filed = span.file in packing._FILE_NUMBER or \
        len(packing._FILES) < packing._FILES_KEPT
    fits = (filed and span.cell is None and span.line < 1 << 23 and span.column < 1024
            and 0 <= span.end_line - span.line < 1024 and span.end_column < 1024)
    kept = packed(span)
    assert (type(kept) is int) == fits
    if fits:
        assert 0 <= kept < 1 << 60  # 32 bytes, against 88 for a Span


def test_the_model_keeps_packed_spans_and_reads_spans() -> None:
    text = RULES.read_text(encoding="utf-8")
    plan = scorelang.loads(text, str(RULES))
    indicator = plan.definition.indicators[0]
    assert type(indicator._span) is int
    assert isinstance(indicator.span, Span) and indicator.span.file == str(RULES)
    lines = text.splitlines()
    written = next(number for number, line in enumerate(lines, 1)
                   if line.startswith(f"indicator {indicator.id} "))
    assert indicator.span.line == written
    # Built by hand, with a Span: the same.
    target = model.Target(model.Direction.AT_LEAST, 1.0, False, Span("x.score", 2, 3, 2, 9))
    assert target.span == Span("x.score", 2, 3, 2, 9)
    assert "Span(file='x.score'" in repr(target)


def test_the_cache_keeps_spans_not_packed_ints(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    first = scorelang.load(RULES)
    (entry,) = tmp_path.glob("*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert data["format"] == cache.FORMAT
    span = data["plan"]["indicators"][0]["span"]
    assert span["@"] == "Span" and span["line"] == first.definition.indicators[0].span.line
    again = scorelang.load(RULES)
    for one, other in zip(first.definition.indicators, again.definition.indicators):
        assert one.span == other.span
    # An entry naming a packed int where a Span belongs is refused, not trusted.
    data["plan"]["indicators"][0]["span"] = 12345
    with pytest.raises(codec.Damaged):
        codec.decode(data["plan"], model.PlanDefinition)


def test_a_values_file_keeps_its_spans_packed_and_names_the_same_lines(tmp_path: Path) -> None:
    from scorelang.spans import SpanTable

    path = tmp_path / "v.yaml"
    path.write_text("plan: p\nperiod: H1\nvalues:\n  a: 1\n  b: N/D\n  a: 2\n", encoding="utf-8")
    with pytest.raises(scorelang.ScorelangError) as raised:
        scorelang.load_values(path)
    (twice,) = [d for d in raised.value.diagnostics if d.code == "SL305"]
    assert (twice.span.line, twice.span.column) == (6, 3) and "first at line 4" in twice.hint
    path.write_text("plan: p\nperiod: H1\nvalues:\n  a: 1\n  b: 2\n", encoding="utf-8")
    values = scorelang.load_values(path)
    assert isinstance(values.spans, SpanTable)
    assert values.spans["b"] == Span(str(path), 5, 3, 5, 3)  # the key `b`
    assert values.spans.get("c") is None and "a" in values.spans and len(values.spans) == 2
    from scorelang import spans as packing

    # Packed when the process had a number left for the file (the first 128 files seen).
    assert (type(values.spans._kept["a"]) is int) == (str(path) in packing._FILE_NUMBER)
    assert str(path) in packing._FILE_NUMBER or \
        len(packing._FILES) == packing._FILES_KEPT
