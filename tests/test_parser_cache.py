"""Lark's own cache of the parser: private, keyed by the grammar, never a reason for a failed run.

Lark keeps the parsers it builds from grammar.lark as pickles (`syntax.parser`: the reading
parser, which builds the plan as it parses, and the tree parser of the formatter, the language
server and the syntax errors; the probe below uses both: one file each). A pickle runs
code when loaded, so it must live in the private per-user cache directory and never in the
shared temporary folder (Lark's default); a damaged or foreign file must only cost a rebuild;
an edited grammar must never read an old parser. Each case runs in a new interpreter, since
the parser is built once per process.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

PACKAGE = ROOT / "src" / "scorelang"
MODENA_301 = 62.955674825174  # README: result["301"].score

# What a run reads and says, printed as JSON: where scorelang came from, a real figure of the
# Modena plan, the friendly diagnostic of a syntax error, the reserved words.
PROBE = textwrap.dedent(f"""
    import json, scorelang
    from scorelang.syntax.parser import reserved_words
    plan = scorelang.load({str(MODENA_RULES)!r})
    values = scorelang.load_values({str(MODENA_VALUES)!r})
    _, found = scorelang.diagnose('plan p "P" {{ }}\\nindicator a "A" {{ target 5 }}\\n', "t.score")
    print(json.dumps({{"package": scorelang.__file__,
                      "score": plan.evaluate(values)["301"].score,
                      "syntax": [d.to_dict() for d in found],
                      "reserved": sorted(reserved_words())}}))
""")


def run(tmp_path: Path, **env: str) -> dict[str, object]:
    """The probe in a new interpreter; a private TMPDIR, so that a file Lark leaves in the
    temporary folder would be seen."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("SCORELANG_CACHE", "SCORELANG_CACHE_DIR", "XDG_CACHE_HOME")}
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=tmp_path, env={**base, "TMPDIR": str(temporary), **env})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # no traceback, no warning, even one Lark logged
    out: dict[str, object] = json.loads(done.stdout)
    return out


PARSERS = 2  # the reading parser and the tree parser, each its own file


def pickles(folder: Path) -> list[Path]:
    return sorted(folder.glob("lark-*.pickle"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, object]:
    """The probe with every cache off: what every other run must say."""
    out = run(tmp_path_factory.mktemp("reference"), SCORELANG_CACHE="off")
    assert abs(float(out["score"]) - MODENA_301) < 1e-9  # type: ignore[arg-type]
    return out


def test_the_parser_is_cached_in_the_private_directory_not_the_temporary_folder(
        tmp_path, reference):
    folder = tmp_path / "cache"
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference
    cached = pickles(folder)
    assert len(cached) == PARSERS
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert list((tmp_path / "tmp").iterdir()) == []
    # The next run loads those files rather than building the parsers (and writing them) again.
    written = [(each.stat().st_mtime_ns, each.read_bytes()) for each in cached]
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference
    assert [(each.stat().st_mtime_ns, each.read_bytes()) for each in cached] == written


def test_without_scorelang_cache_dir_it_is_the_xdg_cache_folder(tmp_path, reference):
    assert run(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg")) == reference
    assert len(pickles(tmp_path / "xdg" / "scorelang")) == PARSERS
    assert list((tmp_path / "tmp").iterdir()) == []


def test_with_the_cache_off_lark_writes_nothing_anywhere(tmp_path, reference):
    home = tmp_path / "home"
    home.mkdir()
    assert run(tmp_path, SCORELANG_CACHE="off", HOME=str(home),
               XDG_CACHE_HOME=str(tmp_path / "xdg")) == reference
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "xdg").exists() and list(home.iterdir()) == []


def test_a_directory_others_can_write_gets_no_parser(tmp_path, reference):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference
    assert list(folder.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def _foreign_pickle(tmp_path: Path) -> bytes:
    """Lark's cache of another grammar, as a run of another scorelang would leave it."""
    target = tmp_path / "other.pickle"
    code = ("from lark import Lark\n"
            f"Lark('start: \"x\"', parser='lalr', cache={str(target)!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    return target.read_bytes()


DAMAGE = {
    "garbage": lambda good, tmp: b"\x80\x04not a pickle at all",
    "empty": lambda good, tmp: b"",
    "truncated": lambda good, tmp: good[: len(good) // 2],
    "header only": lambda good, tmp: good.split(b"\n", 1)[0] + b"\n",
    "another grammar": lambda good, tmp: _foreign_pickle(tmp),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_foreign_parser_file_is_survived_and_replaced(tmp_path, reference, damage):
    folder = tmp_path / "cache"
    run(tmp_path, SCORELANG_CACHE_DIR=str(folder))
    cached = pickles(folder)
    damaged = [DAMAGE[damage](each.read_bytes(), tmp_path) for each in cached]
    for each, bad in zip(cached, damaged):
        each.write_bytes(bad)
    for entry in folder.glob("*.json"):  # the plan's entry too: the parser must run
        entry.unlink()
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference
    # Lark built the parsers and wrote good files in their place: the next run loads them.
    assert pickles(folder) == cached
    assert all(each.read_bytes() != bad for each, bad in zip(cached, damaged))
    repaired = [each.stat().st_mtime_ns for each in cached]
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference
    assert [each.stat().st_mtime_ns for each in cached] == repaired


def test_a_directory_where_the_parser_file_should_be_is_survived(tmp_path, reference):
    folder = tmp_path / "cache"
    run(tmp_path, SCORELANG_CACHE_DIR=str(folder))
    for cached in pickles(folder):
        cached.unlink()
        cached.mkdir()
    for entry in folder.glob("*.json"):
        entry.unlink()
    assert run(tmp_path, SCORELANG_CACHE_DIR=str(folder)) == reference


def test_an_edited_grammar_is_read_from_the_edit_with_either_cache(tmp_path, reference):
    """A comment and an unused rule added to grammar.lark, in a copy of the package: the
    Modena plan still scores as the README says, with the caches off, filled by the original
    grammar, and filled by the edited one."""
    copy = tmp_path / "site"
    shutil.copytree(PACKAGE, copy / "scorelang",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    grammar = copy / "scorelang" / "syntax" / "grammar.lark"
    grammar.write_text(grammar.read_text(encoding="utf-8") +
                       '\n// a rule nothing uses yet, and this comment\n'
                       'unused_rule: "frobnicate" NAME percent\n', encoding="utf-8")
    folder = tmp_path / "cache"
    original = run(tmp_path, SCORELANG_CACHE_DIR=str(folder))  # the old parser, cached
    assert original == reference and len(pickles(folder)) == PARSERS
    edited = {**reference, "package": str(copy / "scorelang" / "__init__.py")}
    assert run(tmp_path, PYTHONPATH=str(copy), SCORELANG_CACHE="off") == edited
    assert run(tmp_path, PYTHONPATH=str(copy), SCORELANG_CACHE_DIR=str(folder)) == edited
    assert len(pickles(folder)) == 2 * PARSERS  # its own parser files beside the old ones
    assert run(tmp_path, PYTHONPATH=str(copy), SCORELANG_CACHE_DIR=str(folder)) == edited


def test_a_cache_file_that_fails_in_any_other_way_only_costs_a_build(tmp_path, monkeypatch):
    # Lark catches only OSError when it writes the file: anything else is caught here.
    from scorelang.syntax import parser

    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SCORELANG_CACHE", raising=False)
    real, asked = parser.Lark, []

    def failing_cache(text: str, cache: str | bool, **options: object) -> object:
        asked.append(cache)
        if cache:
            raise pickle.PicklingError("cannot pickle the parser")
        return real(text, cache=cache, **options)

    monkeypatch.setattr(parser, "Lark", failing_cache)
    built = parser.grammar_parser.__wrapped__()  # a new parser, not the process's cached one
    assert asked == [parser._cache_file(parser.grammar_text()), False]
    assert str(asked[0]).startswith(str(tmp_path / "cache" / "lark-"))
    assert built.parse('plan p "P" { }').data == "start"
