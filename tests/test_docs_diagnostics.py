"""docs/diagnostics.md explains every code of `codes.CODES`; this test keeps it honest.

It checks that the page has one section per code (and none for a code that does not exist),
that every Bad example gives its section's code and every Good example gives nothing, and that
every output shown in the page is what the command prints today, character for character.

How the page is marked up (the markers are HTML comments, invisible once rendered):

* A section is a heading `## SLnnn — <title from CODES>` directly preceded by the line
  `<a id="slnnn"></a>`. A level-1 heading (`# Values (SL301–SL313)`) starts a part: text
  that belongs to no code, like the introduction before the first section.
* A fenced block may be preceded by marker lines, one comment per line, with nothing in
  between (blank lines between the markers and the fence are not allowed):

      <!-- bad -->                  the section's mistake
      <!-- good -->                 the same file, fixed: no diagnostic at all
      <!-- file: NAME -->           the file the block is, in the folder the examples run in;
                                    the name says its kind: `*.score` a rule file, `*.test.yaml`
                                    a rule-test file, any other `*.yaml` (or a `*.csv`) a
                                    values file. A
                                    ```scorelang block without it is `plan.score`.
      <!-- encoding: latin-1 -->    write the file in this encoding instead of UTF-8 (SL002)
      <!-- plan for values examples -->
                                    a ```scorelang block: the `plan.score` of the rest of the
                                    page, wherever a section does not write its own
      <!-- output -->               a ```text block: the first line is `$ scorelang ARGS`, the
                                    rest is exactly what the command prints (standard error and
                                    standard output, in the order a terminal shows them); a last
                                    line `...` means "the output starts like this"
      <!-- exit: N -->              the exit code of the command of an output block
      <!-- keywords -->             a ```text block: the reserved words of the language
      <!-- plan sheet -->           a plan kept in a spreadsheet (a CSV file), for `import`

  A block with a file name but neither `bad` nor `good` is a supporting file (a section's own
  plan, say); a supporting ```scorelang block must be clean too.
* An output block runs in a fresh folder holding, for each file name, the last block of that
  name seen so far in its section (plus the shared plan, see above). So the output after a Bad
  example shows that example, and the Good example that follows does not disturb it.

What is checked, by kind of file:

* rule file (`*.score`): Bad gives the section's code from `scorelang.diagnose`; Good and
  supporting files give no diagnostic. Outside the code sections a Bad file only has to give
  an error.
* values file: evaluated against the section's `plan.score`, Bad raises ValuesError with the
  section's code (or, for a warning code, returns a result carrying it); Good gives no
  diagnostic.
* rule-test file: run with `ruletest.run_paths` beside the files of its section, Bad is
  reported with the section's code; Good passes.
* plan sheet: Bad makes `planbook.import_plan` fail with the section's code; Good imports
  with no diagnostic at all.
* In SL0xx sections (files that cannot be read or written) only the output blocks are checked.
* Every Bad example is followed, before the next example, by an output block that shows the
  section's code.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import attrs
import pytest

import scorelang
from scorelang import ScorelangError, ValuesError, cli
from scorelang.tools import ruletest
from scorelang.check.codes import CODES
from scorelang.syntax.parser import reserved_words as keywords

from .conftest import ROOT

DOC = ROOT / "docs" / "diagnostics.md"
SHARED_PLAN = "plan for values examples"

_HEADING = re.compile(r"^## (SL\d{3}) — (.+)$")
_PART = re.compile(r"^# (.+)$")
_CODE_LIKE_HEADING = re.compile(r"^#{1,6}\s+`?(SL\d{3})\b")
_ANCHOR = re.compile(r'^<a id="(sl\d{3})"></a>$')
_MARKER = re.compile(r"^<!--\s*(.*?)\s*-->$")
_FENCE = re.compile(r"^```(\S*)\s*$")


@attrs.frozen
class Block:
    language: str
    text: str
    markers: tuple[str, ...]
    line: int  # of the opening fence, counting from 1

    def has(self, marker: str) -> bool:
        return marker in self.markers

    def option(self, key: str) -> str | None:
        for marker in self.markers:
            name, colon, value = marker.partition(":")
            if colon and name.strip() == key:
                return value.strip()
        return None

    @property
    def role(self) -> str | None:
        return "bad" if self.has("bad") else "good" if self.has("good") else None

    @property
    def file(self) -> str | None:
        name = self.option("file")
        if name is None and self.language == "scorelang":
            return "plan.score"
        return name

    @property
    def kind(self) -> str | None:
        name = self.file
        if name is None:
            return None
        if self.has("plan sheet"):
            return "plan sheet"
        if name.endswith(".score"):
            return "rules"
        if name.endswith(".test.yaml"):
            return "test"
        if name.endswith((".yaml", ".csv")):  # a CSV values file: docs/spreadsheets.md
            return "values"
        return "other"

    def where(self) -> str:
        return f"docs/diagnostics.md:{self.line}"


@attrs.frozen
class Section:
    code: str | None  # None for the introduction and the parts
    title: str
    line: int
    blocks: tuple[Block, ...]


def parse(text: str) -> list[Section]:
    lines = text.splitlines()
    sections: list[Section] = []
    code: str | None = None
    title, start = "introduction", 1
    blocks: list[Block] = []
    markers: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        part = _PART.match(line)
        fence = _FENCE.match(line)
        marker = _MARKER.match(line)
        if heading:
            sections.append(Section(code, title, start, tuple(blocks)))
            code, title, start, blocks, markers = heading[1], heading[2], index + 1, [], []
        elif part:
            sections.append(Section(code, title, start, tuple(blocks)))
            code, title, start, blocks, markers = None, part[1], index + 1, [], []
        elif fence:
            end = index + 1
            while end < len(lines) and lines[end] != "```":
                end += 1
            assert end < len(lines), f"docs/diagnostics.md:{index + 1}: fence not closed"
            body = "\n".join(lines[index + 1:end]) + "\n"
            blocks.append(Block(fence[1], body, tuple(markers), index + 1))
            markers = []
            index = end
        elif marker:
            markers.append(marker[1])
        else:
            markers = []  # markers only count when they touch the fence
        index += 1
    sections.append(Section(code, title, start, tuple(blocks)))
    return sections


SECTIONS = parse(DOC.read_text(encoding="utf-8"))
CODE_SECTIONS = [s for s in SECTIONS if s.code is not None]
SHARED = [(i, b) for i, s in enumerate(SECTIONS) for b in s.blocks if b.has(SHARED_PLAN)]


def files_before(section_index: int, block: Block | None) -> dict[str, Block]:
    """The files an example runs beside: the shared plan of an earlier section, then the last
    block of each file name seen so far in its own section (`block` itself excluded)."""
    files: dict[str, Block] = {}
    for index, shared in SHARED:
        if index < section_index:
            files["plan.score"] = shared
    for other in SECTIONS[section_index].blocks:
        if other is block:
            break
        if other.file is not None and other.language != "text":
            files[other.file] = other
    return files


def write(folder: Path, files: dict[str, Block]) -> None:
    for name, block in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(block.text.encode(block.option("encoding") or "utf-8"))


def run_cli(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """What `scorelang ARGS` prints in `folder`, stderr and stdout interleaved as written."""
    monkeypatch.chdir(folder)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = cli.main(args)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue()


def examples(role: str, kind: str) -> list[tuple[int, Block]]:
    return [(i, b) for i, s in enumerate(SECTIONS) if s.code is None or s.code[2] != "0"
            for b in s.blocks if b.role == role and b.kind == kind]


def example_id(item: tuple[int, Block]) -> str:
    index, block = item
    role = block.role or ("output" if block.has("output") else "file")
    return f"{SECTIONS[index].code or 'part'}-{role}-line{block.line}"


def section_code(index: int) -> str:
    code = SECTIONS[index].code
    assert code is not None
    return code


# ---- the sections ----------------------------------------------------------------------------
def test_one_section_per_code_in_code_order():
    assert [s.code for s in CODE_SECTIONS] == list(CODES)


def test_no_heading_or_anchor_names_a_code_that_does_not_exist():
    lines = DOC.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        found = _CODE_LIKE_HEADING.match(line)
        if found:
            assert found[1] in CODES, f"docs/diagnostics.md:{number}: {line}"
            assert _HEADING.match(line), f"docs/diagnostics.md:{number}: write `## SLnnn — title`"
        anchor = _ANCHOR.match(line)
        if anchor:
            following = _HEADING.match(lines[number]) if number < len(lines) else None
            assert following and following[1].lower() == anchor[1], (
                f"docs/diagnostics.md:{number}: an anchor goes right before its code's heading")


@pytest.mark.parametrize("section", CODE_SECTIONS, ids=[s.code for s in CODE_SECTIONS])
def test_heading_has_the_catalogue_title_and_an_anchor(section):
    assert section.title == CODES[section.code]
    lines = DOC.read_text(encoding="utf-8").splitlines()
    assert lines[section.line - 2] == f'<a id="{section.code.lower()}"></a>', (
        f"docs/diagnostics.md:{section.line}: put the anchor line right before the heading")


# Mistakes made on the command line, or in files (published figures, what-if operations) that
# these tests do not model as examples: shown by their output alone.
COMMAND_LINE_CODES = {"SL314", "SL501", "SL502", "SL503", "SL504", "SL601", "SL602", "SL603",
                      "SL604", "SL701", "SL702", "SL801", "SL802", "SL803", "SL804", "SL805", "SL806",
                      "SL810",
                      # a workbook's mistakes (a text block cannot be one): SL323 shows a
                      # `.xls`, the others outputs marked `not run`
                      "SL323", "SL327", "SL328", "SL339"}


@pytest.mark.parametrize("section", CODE_SECTIONS, ids=[s.code for s in CODE_SECTIONS])
def test_every_section_shows_the_mistake_and_its_output(section):
    outputs = [b for b in section.blocks if b.has("output")]
    assert any(f"[{section.code}]" in b.text for b in outputs), (
        f"{section.code}: no output block shows the code")
    if section.code[2] == "0" or section.code in COMMAND_LINE_CODES:
        return  # files that cannot be read or written, or a mistake on the command line
    roles = [b.role for b in section.blocks if b.role]
    assert "bad" in roles and "good" in roles, f"{section.code}: needs a Bad and a Good example"
    pending: Block | None = None
    for block in section.blocks:
        if block.role is not None:
            assert pending is None, f"{pending.where()}: Bad example without its output"
            pending = block if block.role == "bad" else None
        elif block.has("output") and pending is not None:
            assert f"[{section.code}]" in block.text, f"{block.where()}: output lacks the code"
            pending = None
    assert pending is None, f"{pending.where()}: Bad example without its output"


def test_markers_are_known_and_blocks_are_of_a_known_kind():
    known = {"bad", "good", "output", "keywords", "not run", "plan sheet", SHARED_PLAN}
    for section in SECTIONS:
        for block in section.blocks:
            for marker in block.markers:
                key = marker.partition(":")[0].strip()
                assert marker in known or key in {"file", "encoding", "exit"}, (
                    f"{block.where()}: unknown marker <!-- {marker} -->")
            if block.role or block.has(SHARED_PLAN):
                assert block.kind in {"rules", "values", "test", "plan sheet"}, (
                    f"{block.where()}: say which file it is with <!-- file: NAME -->")
            if block.has("output"):
                assert block.language == "text" and block.text.startswith("$ scorelang "), (
                    f"{block.where()}: an output block is ```text starting `$ scorelang `")
    assert len(SHARED) == 1, "exactly one <!-- plan for values examples --> block"


def test_the_reserved_words_listed_are_the_keywords_of_the_grammar():
    (listed,) = [b for s in SECTIONS for b in s.blocks if b.has("keywords")]
    assert sorted(listed.text.split()) == sorted(keywords()), listed.where()


# ---- the examples ------------------------------------------------------------------------------
def _codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


@pytest.mark.parametrize("item", examples("bad", "rules"), ids=example_id)
def test_bad_rule_file_gives_the_code(item):
    index, block = item
    _, found = scorelang.diagnose(block.text, block.file)
    if SECTIONS[index].code is None:
        assert any(d.is_error for d in found), block.where()
    else:
        assert section_code(index) in _codes(found), f"{block.where()}: {_codes(found)}"


def _clean_rule_blocks() -> list[tuple[int, Block]]:
    return [(i, b) for i, s in enumerate(SECTIONS) for b in s.blocks
            if b.kind == "rules" and b.role != "bad" and b.option("encoding") is None]


@pytest.mark.parametrize("item", _clean_rule_blocks(),
                         ids=lambda item: f"{example_id(item)}-{item[1].file}")
def test_good_and_supporting_rule_files_are_clean(item):
    _, block = item
    _, found = scorelang.diagnose(block.text, block.file)
    assert found == [], f"{block.where()}: " + "; ".join(d.headline() for d in found)


def _score(index: int, block: Block):
    rules = files_before(index, block)["plan.score"]
    plan = scorelang.loads(rules.text, "plan.score")
    return plan.evaluate(scorelang.loads_values(block.text, block.file))


@pytest.mark.parametrize("item", examples("bad", "values"), ids=example_id)
def test_bad_values_give_the_code(item):
    index, block = item
    code = section_code(index)
    try:
        result = _score(index, block)
    except ValuesError as exc:
        assert code in _codes(exc.diagnostics), f"{block.where()}: {_codes(exc.diagnostics)}"
    else:
        assert code in _codes(result.diagnostics), f"{block.where()}: {_codes(result.diagnostics)}"


@pytest.mark.parametrize("item", examples("good", "values"), ids=example_id)
def test_good_values_give_nothing(item):
    index, block = item
    result = _score(index, block)
    assert result.diagnostics == (), block.where()


def _run_test_file(index: int, block: Block, folder: Path, monkeypatch) -> ruletest.RunReport:
    files = files_before(index, block)
    files[block.file] = block
    write(folder, files)
    monkeypatch.chdir(folder)
    return ruletest.run_paths([block.file])


def _reported(report: ruletest.RunReport) -> list[str]:
    found = [d for s in report.suites for d in s.errors]
    found += [d for s in report.suites for c in s.cases for d in c.errors]
    return _codes(found)


@pytest.mark.parametrize("item", examples("bad", "test"), ids=example_id)
def test_bad_rule_test_file_gives_the_code(item, tmp_path, monkeypatch):
    index, block = item
    report = _run_test_file(index, block, tmp_path, monkeypatch)
    assert section_code(index) in _reported(report), f"{block.where()}: {_reported(report)}"
    with pytest.raises(ScorelangError) as info:
        ruletest.load_suite(Path(block.file))
    assert section_code(index) in _codes(info.value.diagnostics)


@pytest.mark.parametrize("item", examples("good", "test"), ids=example_id)
def test_good_rule_test_file_passes(item, tmp_path, monkeypatch):
    index, block = item
    report = _run_test_file(index, block, tmp_path, monkeypatch)
    assert _reported(report) == [] and report.exit_code == 0, block.where()
    assert report.passed > 0


def _import_sheet(index: int, block: Block, folder: Path):
    from scorelang.tools.planbook import import_plan

    write(folder, {block.file: block})
    return import_plan(folder / block.file)


@pytest.mark.parametrize("item", examples("bad", "plan sheet"), ids=example_id)
def test_bad_plan_sheet_gives_the_code(item, tmp_path):
    index, block = item
    with pytest.raises(ScorelangError) as info:
        _import_sheet(index, block, tmp_path)
    assert section_code(index) in _codes(info.value.diagnostics), block.where()


@pytest.mark.parametrize("item", examples("good", "plan sheet"), ids=example_id)
def test_good_plan_sheet_imports_cleanly(item, tmp_path):
    index, block = item
    assert _import_sheet(index, block, tmp_path).warnings == (), block.where()


# ---- the outputs shown ----------------------------------------------------------------------
# An output marked `not run` shows a situation the test machine cannot produce (openpyxl is
# installed here, so SL004 cannot happen): it is shown, not re-run.
OUTPUTS = [(i, b) for i, s in enumerate(SECTIONS) for b in s.blocks
           if b.has("output") and not b.has("not run")]


@pytest.mark.parametrize("item", OUTPUTS, ids=example_id)
def test_output_is_what_the_command_prints(item, tmp_path, monkeypatch):
    index, block = item
    command, *shown = block.text.splitlines()
    args = shlex.split(command.removeprefix("$ scorelang "))
    write(tmp_path, files_before(index, block))
    code, printed = run_cli(tmp_path, args, monkeypatch)
    got = [line.rstrip() for line in printed.splitlines()]
    want = [line.rstrip() for line in shown]
    if want and want[-1] == "...":
        want = want[:-1]
        got = got[:len(want)]
    assert got == want, f"{block.where()}: the page shows something else; the tool prints:\n" \
        + printed
    exit_code = block.option("exit")
    if exit_code is not None:
        assert code == int(exit_code), f"{block.where()}: exit code {code}"
