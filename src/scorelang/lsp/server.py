"""The language server: pygls wiring of the features to the protocol, over stdin/stdout.

Each open document is analysed (`analysis.analyse`: `scorelang check`'s own path) when it is
opened and once typing pauses (`PAUSE`), and its diagnostics are published then. A request
that comes before the pause is answered from the text as it is at that moment, never from an
older version: positions must match what the editor shows. Positions are converted between
the client's units (UTF-16 unless it offers another) and the analysis' code points here, at
the edge, with pygls' codec.

Settings (docs/editors.md): `scorelang.values`, the values file whose scores hover shows, from
the client's `initializationOptions` (`{"values": ...}` or `{"scorelang": {"values": ...}}`)
or its workspace configuration (section `scorelang`); a relative path is read from the
workspace root, else from the document's folder.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from .. import __version__
from . import completion, diagnostics, formatting, hover, navigation, outline
from .analysis import INDICATOR, NODE, PERIOD, TAG, Analysis, Place, analyse
from .scores import Scorer

# How long typing must pause before the document is checked again (seconds).
PAUSE = 0.3
SECTION = "scorelang"

_COMPLETION_KINDS = {
    INDICATOR: types.CompletionItemKind.Variable,
    PERIOD: types.CompletionItemKind.EnumMember,
    TAG: types.CompletionItemKind.Constant,
    NODE: types.CompletionItemKind.Module,
    completion.KEYWORD: types.CompletionItemKind.Keyword,
    completion.VALUE: types.CompletionItemKind.Value,
    completion.FLAG: types.CompletionItemKind.EnumMember,
}
# Names first, keywords after: in a tree block the indicators are what is usually typed.
_ORDER = {completion.KEYWORD: "1"}
_SYMBOL_KINDS = {
    outline.PLAN: types.SymbolKind.Package,
    outline.PERIOD: types.SymbolKind.Event,
    outline.TAG: types.SymbolKind.Constant,
    outline.INDICATOR: types.SymbolKind.Variable,
    outline.AREA: types.SymbolKind.Module,
    outline.OBJECTIVE: types.SymbolKind.Class,
    outline.GROUP: types.SymbolKind.Namespace,
    outline.USE: types.SymbolKind.Field,
    outline.LINK: types.SymbolKind.Field,
    outline.SCORECARD: types.SymbolKind.Object,
    outline.RULE: types.SymbolKind.Function,
    outline.OTHER: types.SymbolKind.Struct,
}

log = logging.getLogger(__name__)


class ScorelangServer(LanguageServer):
    """The server's state: each open document's analysis, the last plan of it that built
    (for completion while the text does not parse), pending checks and the settings."""

    def __init__(self) -> None:
        super().__init__("scorelang", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.analyses: dict[str, Analysis] = {}
        self.built: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.values: str | None = None
        self.scorer = Scorer()

    # ---- documents and their analyses ---------------------------------------------------
    def document(self, uri: str) -> TextDocument:
        return self.workspace.get_text_document(uri)

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the document as it is now (analysed again if it changed)."""
        doc = self.document(uri)
        kept = self.analyses.get(uri)
        if kept is not None and kept.text == doc.source:
            return kept
        fresh = analyse(doc.source, _filename(uri))
        self.analyses[uri] = fresh
        if fresh.plan is not None:
            self.built[uri] = fresh
        return fresh

    def check(self, uri: str) -> None:
        """Analyse the document and publish its diagnostics."""
        self.pending.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return
        doc = self.document(uri)
        analysis = self.analysis(uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=doc.version,
            diagnostics=diagnostics.published(analysis, _ranger(doc))))

    def check_after_pause(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(PAUSE, self.check, uri)

    def forget(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.analyses.pop(uri, None)
        self.built.pop(uri, None)
        self.scorer.forget(uri)

    # ---- settings -------------------------------------------------------------------------
    def configure(self, settings: Any) -> None:
        """Take `values` from the settings the client sends, in any of the shapes it may."""
        if not isinstance(settings, dict):
            return
        if isinstance(settings.get(SECTION), dict):
            settings = settings[SECTION]
        if "values" not in settings:  # a client that knows no settings sends {}: keep ours
            return
        values = settings["values"]
        if values is None or isinstance(values, str):
            self.values = values or None

    async def pull_configuration(self) -> None:
        capabilities = self.client_capabilities.workspace
        if capabilities is None or not capabilities.configuration:
            return
        try:
            answer = await self.workspace_configuration_async(types.ConfigurationParams(
                items=[types.ConfigurationItem(section=SECTION)]))
        except Exception as exc:  # a client may fail the request: keep the settings we have
            log.warning("workspace/configuration failed: %s", exc)
            return
        if answer:
            self.configure(answer[0])

    def values_file(self, uri: str) -> Path | None:
        if not self.values:
            return None
        path = Path(self.values).expanduser()
        if not path.is_absolute():
            root = self.workspace.root_path
            base = Path(root) if root else Path(_filename(uri)).parent
            path = base / path
        return path


def _filename(uri: str) -> str:
    """The name diagnostics carry: the file's path, as `scorelang check` names it."""
    return to_fs_path(uri) or uri


def _ranger(doc: TextDocument) -> diagnostics.Ranger:
    def to_range(place: Place) -> types.Range:
        return doc.range_to_client_units(ServerTextRange(
            ServerTextPosition(place.line, place.start),
            ServerTextPosition(place.end_line, place.end)))
    return to_range


def _cursor(doc: TextDocument, position: types.Position) -> tuple[int, int]:
    at = doc.position_from_client_units(position)
    return at.line, at.character


def _place(doc: TextDocument, range_: types.Range) -> Place:
    server = doc.range_from_client_units(range_)
    return Place(server.start.line, server.start.character, server.end.line, server.end.character)


def _location(uri: str, doc: TextDocument, place: Place) -> types.Location:
    return types.Location(uri=uri, range=_ranger(doc)(place))


server = ScorelangServer()


@server.feature(types.INITIALIZE)
def initialize(ls: ScorelangServer, params: types.InitializeParams) -> None:
    ls.configure(params.initialization_options)


@server.feature(types.INITIALIZED)
async def initialized(ls: ScorelangServer, params: types.InitializedParams) -> None:
    await ls.pull_configuration()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def configuration_changed(ls: ScorelangServer,
                                params: types.DidChangeConfigurationParams) -> None:
    ls.configure(params.settings)
    await ls.pull_configuration()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def opened(ls: ScorelangServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def changed(ls: ScorelangServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.check_after_pause(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def saved(ls: ScorelangServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def closed(ls: ScorelangServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: ScorelangServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    analysis = ls.analysis(uri)
    occurrence = analysis.index.at(*_cursor(doc, params.position))
    if occurrence is None:
        return None
    values = ls.values_file(uri)
    scores = None if values is None else ls.scorer.scores(uri, analysis, values)
    text = hover.hover_text(analysis, occurrence, scores)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=_ranger(doc)(occurrence.place))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: ScorelangServer,
                  params: types.DefinitionParams) -> types.Location | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    place = navigation.definition(ls.analysis(uri), *_cursor(doc, params.position))
    return None if place is None else _location(uri, doc, place)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: ScorelangServer,
                  params: types.ReferenceParams) -> list[types.Location]:
    uri = params.text_document.uri
    doc = ls.document(uri)
    places = navigation.references(ls.analysis(uri), *_cursor(doc, params.position),
                                   params.context.include_declaration)
    return [_location(uri, doc, place) for place in places]


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def on_prepare_rename(ls: ScorelangServer,
                      params: types.PrepareRenameParams) -> types.PrepareRenameResult | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    occurrence = navigation.renamable(ls.analysis(uri), *_cursor(doc, params.position))
    if occurrence is None:
        return None
    return types.PrepareRenamePlaceholder(range=_ranger(doc)(occurrence.place),
                                          placeholder=occurrence.name)


@server.feature(types.TEXT_DOCUMENT_RENAME)
def on_rename(ls: ScorelangServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    uri = params.text_document.uri
    doc = ls.document(uri)
    try:
        places = navigation.rename(ls.analysis(uri), *_cursor(doc, params.position),
                                   params.new_name)
    except navigation.RenameRefused as refused:
        raise JsonRpcException(str(refused), code=types.LSPErrorCodes.RequestFailed) from None
    to_range = _ranger(doc)
    return types.WorkspaceEdit(changes={uri: [
        types.TextEdit(range=to_range(place), new_text=params.new_name) for place in places]})


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=[" ", '"', ","]))
def on_completion(ls: ScorelangServer,
                  params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    doc = ls.document(uri)
    analysis = ls.analysis(uri)
    plan = analysis.plan if analysis.plan is not None else \
        getattr(ls.built.get(uri), "plan", None)
    to_range = _ranger(doc)
    items = []
    for candidate in completion.candidates(doc.source, *_cursor(doc, params.position), plan):
        edit = None
        if candidate.replace is not None and candidate.text is not None:
            edit = types.TextEdit(range=to_range(candidate.replace), new_text=candidate.text)
        items.append(types.CompletionItem(
            label=candidate.label,
            kind=_COMPLETION_KINDS.get(candidate.kind, types.CompletionItemKind.Reference),
            detail=candidate.detail,
            sort_text=_ORDER.get(candidate.kind, "0") + candidate.label,
            filter_text=candidate.text,
            text_edit=edit))
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: ScorelangServer,
               params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    uri = params.text_document.uri
    to_range = _ranger(ls.document(uri))

    def convert(symbol: outline.Symbol) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=symbol.name, kind=_SYMBOL_KINDS[symbol.kind], detail=symbol.detail,
            range=to_range(symbol.place), selection_range=to_range(symbol.selection),
            children=[convert(child) for child in symbol.children])

    return [convert(symbol) for symbol in outline.outline(ls.analysis(uri))]


def _edits(ls: ScorelangServer, uri: str, within: Place | None) -> list[types.TextEdit] | None:
    doc = ls.document(uri)
    edits = formatting.format_edits(doc.source, _filename(uri), within)
    if edits is None:
        return None
    to_range = _ranger(doc)
    return [types.TextEdit(range=to_range(edit.place), new_text=edit.text) for edit in edits]


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: ScorelangServer,
                  params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    return _edits(ls, params.text_document.uri, None)


@server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)
def on_range_formatting(ls: ScorelangServer, params: types.DocumentRangeFormattingParams
                        ) -> list[types.TextEdit] | None:
    uri = params.text_document.uri
    return _edits(ls, uri, _place(ls.document(uri), params.range))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def on_code_action(ls: ScorelangServer,
                   params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    doc = ls.document(uri)
    return diagnostics.quick_fixes(ls.analysis(uri), uri, _place(doc, params.range), _ranger(doc))


def serve() -> None:
    """Serve on stdin/stdout until the client says exit."""
    server.start_io()
