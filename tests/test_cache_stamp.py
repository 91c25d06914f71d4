"""The checked-plan cache's key and decoder, as made fast for issue 15: still never stale,
still strict.

The key's part for scorelang's own code is a digest of every source file's stamp (size,
modification and change times, inode), not of its bytes: an edit must change it even when the
size and the modification time are put back as they were. The decoder looks a union's member
up by the object's tag and checks plain fields in place: a value of the wrong type, an
unknown or unhashable enum value, an object of another class must still be refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scorelang.check import cache, codec
from scorelang.diagnostics import Diagnostic, Severity, Span, warning

from .conftest import ROOT

PACKAGE = ROOT / "src" / "scorelang"


def fingerprint_of(site: Path) -> str:
    done = subprocess.run([sys.executable, "-c", "from scorelang.check import cache\n"
                           "print(cache.fingerprint())"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(site)}, check=True)
    return done.stdout.strip()


def test_an_edit_that_keeps_size_and_modification_time_changes_the_fingerprint(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "scorelang", ignore=shutil.ignore_patterns("__pycache__"))
    scoring = site / "scorelang" / "engine" / "scoring.py"
    before = fingerprint_of(site)
    assert fingerprint_of(site) == before  # the same files: the same key
    info = scoring.stat()
    text = scoring.read_bytes()
    scoring.write_bytes(text.replace(b"return", b"retUrn", 1))  # same size
    os.utime(scoring, ns=(info.st_atime_ns, info.st_mtime_ns))  # the old modification time
    assert scoring.stat().st_size == info.st_size
    assert scoring.stat().st_mtime_ns == info.st_mtime_ns
    assert fingerprint_of(site) != before


def test_a_new_source_file_changes_the_fingerprint(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "scorelang", ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprint_of(site)
    (site / "scorelang" / "check" / "more.py").write_text("", encoding="utf-8")
    assert fingerprint_of(site) != before


DIAGNOSTICS = tuple[Diagnostic, ...]


def forged(**fields: object) -> list[object]:
    data = codec.encode([warning("SL218", "m", Span.point("a.score", 1, 2), "a hint")])
    data[0].update(fields)
    return data


@pytest.mark.parametrize("fields", [
    {"hint": 5},  # `str | None`, checked in place
    {"message": None},
    {"severity": {"@enum": "Severity", "v": ["warning"]}},  # unhashable
    {"severity": {"@enum": "Severity", "v": "fatal"}},
    {"severity": {"@enum": "Span", "v": "warning"}},
    {"span": {"@": "Fix", "span": None, "text": "x"}},  # another class's tag
    {"span": {"@": "Span", "file": "a", "line": "1", "column": 1, "end_line": 1,
              "end_column": 1, "cell": None}},
    {"span": {"@": "Span", "file": "a", "line": 1, "column": 1, "end_line": 1,
              "end_column": 1}},  # a field missing
    {"related": [None]},
])
def test_a_forged_field_is_refused(fields):
    assert codec.decode(forged(), DIAGNOSTICS)  # as encoded, it decodes
    with pytest.raises(codec.Damaged):
        codec.decode(forged(**fields), DIAGNOSTICS)


def test_what_is_encoded_decodes_to_the_same():
    found = (warning("SL218", "m", Span.point("a.score", 1, 2), "a hint"),
             Diagnostic("SL001", Severity.ERROR, "n", None, None, None,
                        (Span.point("b.score", 3, 4),)))
    assert codec.decode(codec.encode(found), DIAGNOSTICS) == found
