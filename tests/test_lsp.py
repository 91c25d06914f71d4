"""`scorelang lsp` driven over stdin/stdout by a real protocol client (pytest-lsp, which runs
pygls' client against the server in a subprocess), on the Modena plan and broken copies of it.

Every answer is held to what the command line gives for the same text: the diagnostics are
`check_text`'s, formatting ends where `fmt` does, a rename or a quick fix leaves a plan that
checks clean, hover shows the figure `score` prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="the lsp tests need the test extra (pytest-lsp)")

import pytest_asyncio  # noqa: E402
import pytest_lsp  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

import scorelang  # noqa: E402
import scorelang.api  # noqa: E402
from scorelang.syntax.format import format_text  # noqa: E402

from .conftest import MODENA_RULES, MODENA_VALUES  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

MODENA = MODENA_RULES.read_text(encoding="utf-8")
USE = "      export_provinciale    10%"  # the first use of export_provinciale in the tree
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "scorelang", "lsp"])


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        initialization_options={"values": str(MODENA_VALUES)}))
    yield
    await lsp_client.shutdown_session()


# ---- helpers ----------------------------------------------------------------------------------
def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def line_of(text: str, line: str) -> int:
    return text.split("\n").index(line)


def offset(text: str, position: types.Position) -> int:
    """A protocol position (UTF-16 code units, the client's default) as a string offset."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(line)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        text = text[:offset(text, edit.range.start)] + edit.new_text + \
            text[offset(text, edit.range.end):]
    return text


async def open_document(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = uri_of(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="scorelang", version=1,
                                             text=text)))
    return list((await published(client, uri)).diagnostics)


async def published(client: LanguageClient, uri: str) -> types.PublishDiagnosticsParams:
    """The next diagnostics the server publishes for `uri` (closing a document publishes an
    empty list for it, which may come first)."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri:
            return params


def close_document(client: LanguageClient, path: Path) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri_of(path))))


def expected(text: str, path: Path) -> list[tuple[str, str, int, int, int, int]]:
    """What `scorelang check` says of the text: code, message (hint on its own line) and the
    span as 0-based positions with an exclusive end."""
    out = []
    for d in scorelang.api.check_text(text, str(path.resolve())):
        assert d.span is not None
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append((d.code, message, d.span.line - 1, d.span.column - 1, d.span.end_line - 1,
                    d.span.end_column))
    return out


def seen(diagnostics: list[types.Diagnostic]) -> list[tuple[str, str, int, int, int, int]]:
    return [(str(d.code), d.message, d.range.start.line, d.range.start.character,
             d.range.end.line, d.range.end.character) for d in diagnostics]


def position(text: str, line: str, column: int = 0) -> types.Position:
    return types.Position(line=line_of(text, line), character=line.index(line.strip()) + column)


def document(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri_of(path))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def modena(client: LanguageClient):
    """The Modena plan, open in the editor for the module's tests."""
    diagnostics = await open_document(client, MODENA_RULES, MODENA)
    yield diagnostics
    close_document(client, MODENA_RULES)


# ---- diagnostics and quick fixes --------------------------------------------------------------
async def test_modena_opens_clean(client: LanguageClient, modena):
    assert modena == []
    assert expected(MODENA, MODENA_RULES) == []


async def test_a_broken_copy_shows_what_check_says(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "broken.score"
    weight = "      partecipanti_internaz 90%"
    broken = MODENA.replace(USE, USE.replace("export_provinciale", "export_provincale ")) \
        .replace(weight, weight.rstrip("%"), 1) \
        .replace("tags arresto, sottostimato", "tags arresto, sotostimato", 1)
    # A syntax error stops at the first mistake (the missing '%'), as `check` does.
    found = await open_document(client, path, broken)
    assert seen(found) == expected(broken, path)
    assert [d.code for d in found] == ["SL110"]
    only = found[0]
    assert only.severity == types.DiagnosticSeverity.Error and only.source == "scorelang"
    assert only.code_description is not None
    assert only.code_description.href.endswith("docs/diagnostics.md#sl110")

    # Its quick fix writes the '%'; then the checks after the parser speak.
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=document(path), range=only.range,
        context=types.CodeActionContext(diagnostics=[only])))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.kind == types.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply(broken, list(action.edit.changes[uri_of(path)]))
    assert weight + "\n" in fixed

    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    found = list((await published(client, uri_of(path))).diagnostics)
    assert seen(found) == expected(fixed, path)
    assert sorted(d.code for d in found) == ["SL206", "SL224"]

    # "did you mean": each unknown name's quick fix writes the declared one.
    for code in ("SL206", "SL224"):
        diagnostic = next(d for d in found if d.code == code)
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=document(path), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic])))
        assert actions is not None and len(actions) == 1
        action = actions[0]
        assert isinstance(action, types.CodeAction)
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply(fixed, list(action.edit.changes[uri_of(path)]))
    assert expected(fixed, path) == []
    # The uses' columns moved: only the formatter's alignment is left to restore.
    assert format_text(fixed) == MODENA
    close_document(client, path)


async def test_typing_is_checked_once_it_pauses(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "typing.score"
    text = 'plan p "P" { }\nindicator a "A" { target >= 1 }\narea "1" "A" { a 100% }\n'
    assert await open_document(client, path, text) == []
    # Two quick edits: one check, of the last text, when typing pauses.
    for version, typed in ((2, "b"), (3, "bc")):
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path),
                                                                version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=2, character=15),
                                  end=types.Position(line=2, character=16)),
                text=typed)]))
    params = await published(client, uri_of(path))
    assert params.version == 3
    now = text.replace("{ a 100% }", "{ bc 100% }")
    assert seen(list(params.diagnostics)) == expected(now, path)
    assert [d.code for d in params.diagnostics] == ["SL213", "SL206"]
    close_document(client, path)


async def test_positions_are_in_the_clients_units(client: LanguageClient, tmp_path: Path):
    # A character outside the BMP is two UTF-16 units: the mark after it moves by two.
    path = tmp_path / "emoji.score"
    text = 'plan p "P" { }\nindicator a "A" { target >= 1 }\n' \
           'area "1" "🚀 Area" { objective "2" "O" weight 100 { a 100% } }\n'
    [found] = await open_document(client, path, text)
    assert found.code == "SL110"
    line = text.split("\n")[2]
    column = line.index("100 {")
    assert (found.range.start.line, found.range.start.character) == (2, column + 1)
    close_document(client, path)


# ---- hover, definition, references --------------------------------------------------------------
async def test_hover_on_an_indicator_use(client: LanguageClient, modena):
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=document(MODENA_RULES), position=position(MODENA, USE, 3)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "Fatturato export provinciale" in text
    assert "unit EUR" in text and "target >= 13_000_000_000" in text
    assert "periodic H1 >= 6_500_000_000" in text
    assert "`301` Internazionalizzazione › Indicatori: 10%" in text
    assert "`301.D1.1`" in text and ": 5%" in text
    # The values file configured at start-up: the score `scorelang score` prints.
    result = scorelang.load(MODENA_RULES).evaluate(scorelang.load_values(MODENA_VALUES))
    use = result["301/indicatori/export_provinciale"]
    assert f"{use.display.replace('.', ',')} %" in text
    assert "in period H1" in text
    assert hover.range is not None
    assert hover.range.start.character == USE.index("export")


async def test_hover_on_a_node_code(client: LanguageClient, modena):
    line = '  objective "301" "Internazionalizzazione" weight 33.34% {'
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=document(MODENA_RULES), position=position(MODENA, line, 12)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**301** · objective" in text and "weight 33.34%" in text
    assert "group Indicatori: 50%" in text
    assert "62,96 %" in text  # the figure the OIV published for 301


async def test_definition_and_references_of_an_indicator(client: LanguageClient, modena):
    declaration = 'indicator export_provinciale "Fatturato export provinciale" {'
    where = await client.text_document_definition_async(types.DefinitionParams(
        text_document=document(MODENA_RULES), position=position(MODENA, USE, 5)))
    assert isinstance(where, types.Location)
    assert where.uri == uri_of(MODENA_RULES)
    assert (where.range.start.line, where.range.start.character) == \
        (line_of(MODENA, declaration), len("indicator "))
    assert where.range.end.character == len("indicator export_provinciale")

    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(MODENA_RULES), position=position(MODENA, USE, 5),
        context=types.ReferenceContext(include_declaration=True)))
    assert found is not None
    lines = MODENA.split("\n")
    written = {lines[r.range.start.line][r.range.start.character:r.range.end.character]
               for r in found}
    assert written == {"export_provinciale"}
    uses = sum(1 for line in lines if line.strip().startswith("export_provinciale "))
    assert len(found) == 1 + uses == 3


async def test_definition_of_a_period_and_references_of_a_tag(client: LanguageClient, modena):
    periodic = "  periodic H1 >= 6_500_000_000"
    where = await client.text_document_definition_async(types.DefinitionParams(
        text_document=document(MODENA_RULES), position=position(MODENA, periodic, 9)))
    assert isinstance(where, types.Location)
    assert where.range.start.line == line_of(MODENA, '  period H1 "Monitoraggio intermedio" '
                                                     'ends 2020-06-30')

    tag = '  tag conferma "Conferma strategie in essere"'
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(MODENA_RULES), position=position(MODENA, tag, 5),
        context=types.ReferenceContext(include_declaration=False)))
    assert found is not None
    plan = scorelang.load(MODENA_RULES).definition
    tagged = sum(1 for i in plan.indicators for ref in i.tags if ref.name == "conferma")
    in_rules = MODENA.count("tagged conferma")
    assert len(found) == tagged + in_rules and in_rules == 1


# ---- completion ---------------------------------------------------------------------------------
async def completions(client: LanguageClient, path: Path, at: types.Position) -> list[types.CompletionItem]:
    answer = await client.text_document_completion_async(types.CompletionParams(
        text_document=document(path), position=at))
    assert isinstance(answer, types.CompletionList)
    return list(answer.items)


async def test_completion_in_context(client: LanguageClient, tmp_path: Path):
    plan = scorelang.load(MODENA_RULES).definition
    path = tmp_path / "typing.score"
    text = MODENA.replace(USE, USE + "\n      ", 1)
    await open_document(client, path, text)
    at = types.Position(line=line_of(MODENA, USE) + 1, character=6)
    labels = {item.label for item in await completions(client, path, at)}
    assert {i.id for i in plan.indicators} <= labels
    assert {"objective", "group", "link", "aggregate", "tags"} <= labels
    assert "indicator" not in labels  # not a line of a group

    periodic = "  periodic H1 >= 6_500_000_000"
    at = types.Position(line=line_of(text, periodic), character=len("  periodic "))
    assert [item.label for item in await completions(client, path, at)] == ["H1", "Y"]

    at = types.Position(line=line_of(text, "    missing counts_zero"),
                        character=len("    missing "))
    assert {item.label for item in await completions(client, path, at)} == \
        {"counts_zero", "excluded", "value_zero", "error"}
    close_document(client, path)


async def test_completion_of_tags_while_the_text_does_not_parse(client: LanguageClient,
                                                                tmp_path: Path):
    path = tmp_path / "typing.score"
    await open_document(client, path, MODENA)
    # The comma typed, the tag not yet: the plan does not build, its tags are still known.
    text = MODENA.replace("  tags arresto\n", "  tags arresto, \n", 1)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    params = await published(client, uri_of(path))
    assert [d.code for d in params.diagnostics] == ["SL103"]
    line = line_of(text, "  tags arresto, ")
    items = await completions(client, path, types.Position(line=line, character=16))
    assert [item.label for item in items] == \
        ["arresto", "nuove_strategie", "conferma", "efficienza", "sottostimato"]
    close_document(client, path)


# ---- outline --------------------------------------------------------------------------------------
async def test_outline_is_the_weighted_tree(client: LanguageClient, modena):
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=document(MODENA_RULES)))
    assert symbols is not None and all(isinstance(s, types.DocumentSymbol) for s in symbols)
    by_name = {s.name: s for s in symbols if isinstance(s, types.DocumentSymbol)}
    area = by_name["1"]
    assert area.kind == types.SymbolKind.Module
    objective = next(c for c in area.children or [] if c.name == "301")
    assert objective.detail == "33.34% Internazionalizzazione"
    group = next(c for c in objective.children or [] if c.name == "Indicatori")
    assert [(c.name, c.detail) for c in group.children or []] == \
        [("export_provinciale", "10%"), ("partecipanti_internaz", "90%")]
    plan = scorelang.load(MODENA_RULES).definition
    assert [s.name for s in symbols if s.kind == types.SymbolKind.Package] == [plan.id]
    assert sum(1 for s in symbols if s.kind == types.SymbolKind.Variable) == \
        len(plan.indicators)
    assert [s.name for s in symbols if s.kind == types.SymbolKind.Module] == \
        [a.code for a in plan.areas]


# ---- formatting -------------------------------------------------------------------------------------
async def test_formatting_gives_what_fmt_gives(client: LanguageClient, modena, tmp_path: Path):
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=document(MODENA_RULES), options=options))
    assert edits is not None and list(edits) == []  # Modena is kept in the canonical layout

    path = tmp_path / "messy.score"
    first = "  target >= 13_000_000_000"
    last = "  target >= 2\n  # Not in Allegato 1: no tag."
    messy = MODENA.replace(first, "    target >=   13000000000", 1) \
        .replace(last, "target >= 2\n  # Not in Allegato 1: no tag.", 1)
    await open_document(client, path, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=document(path), options=options))
    assert edits is not None and len(edits) == 2
    assert apply(messy, list(edits)) == MODENA == format_text(messy)

    # A range: only the changes of the lines it touches.
    line = line_of(messy, "    target >=   13000000000")
    edits = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=document(path), options=options,
            range=types.Range(start=types.Position(line=line, character=0),
                              end=types.Position(line=line, character=5))))
    assert edits is not None and len(edits) == 1
    assert apply(messy, list(edits)) == MODENA.replace(last, last.lstrip(), 1)
    close_document(client, path)


async def test_text_that_does_not_parse_is_not_formatted(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "broken.score"
    await open_document(client, path, MODENA.replace("  floor 0%", "  floor 0"))
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=document(path), options=types.FormattingOptions(tab_size=2,
                                                                      insert_spaces=True)))
    assert not edits
    close_document(client, path)


# ---- rename -------------------------------------------------------------------------------------------
async def test_rename_an_indicator_everywhere(client: LanguageClient, modena):
    at = position(MODENA, USE, 2)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=document(MODENA_RULES), position=at))
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "export_provinciale"

    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=document(MODENA_RULES), position=at, new_name="export_modena"))
    assert edit is not None and edit.changes is not None
    edits = list(edit.changes[uri_of(MODENA_RULES)])
    assert len(edits) == 3
    renamed = apply(MODENA, edits)
    assert "export_provinciale" not in renamed.replace("# Also in 301.D1.1", "")
    values = MODENA_VALUES.read_text(encoding="utf-8").replace("export_provinciale:",
                                                                "export_modena:")
    result = scorelang.loads(renamed).evaluate(scorelang.loads_values(values))
    assert result["301"].display == scorelang.load(MODENA_RULES).evaluate(
        scorelang.load_values(MODENA_VALUES))["301"].display == "62.96"


async def test_rename_refuses_what_cannot_be_an_indicator_id(client: LanguageClient, modena):
    at = position(MODENA, USE, 2)
    for name in ("partecipanti_internaz", "objective", "2export"):
        with pytest.raises(Exception, match="already declared|keyword|not an id"):
            await client.text_document_rename_async(types.RenameParams(
                text_document=document(MODENA_RULES), position=at, new_name=name))
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=document(MODENA_RULES), position=position(MODENA, "    floor 0%", 1)))
    assert prepared is None


# ---- settings from the workspace configuration --------------------------------------------------------
RELATIVE_VALUES = MODENA_VALUES.relative_to(MODENA_RULES.parent.parent).as_posix()


@pytest_lsp.fixture(scope="module", config=SERVER)
async def configured(lsp_client: LanguageClient):
    """A client with no initialization options whose workspace configuration names the values
    file relative to the workspace root, as VS Code's settings.json would."""
    lsp_client.set_configuration({"values": RELATIVE_VALUES}, section="scorelang")
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=uri_of(MODENA_RULES.parent.parent)))
    yield
    await lsp_client.shutdown_session()


async def test_the_values_file_from_the_workspace_configuration(configured: LanguageClient):
    await open_document(configured, MODENA_RULES, MODENA)
    line = '  objective "301" "Internazionalizzazione" weight 33.34% {'
    params = types.HoverParams(text_document=document(MODENA_RULES),
                               position=position(MODENA, line, 12))
    hover = await configured.text_document_hover_async(params)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "62,96 %" in hover.contents.value

    # Unset in the editor: hover shows no score.
    configured.set_configuration({"values": None}, section="scorelang")
    configured.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"scorelang": {"values": None}}))
    hover = await configured.text_document_hover_async(params)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "Internazionalizzazione" in hover.contents.value
    assert "Score" not in hover.contents.value
    close_document(configured, MODENA_RULES)
