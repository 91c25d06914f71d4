"""YAML read with positions, and bounded: the one way scorelang reads a YAML document.

Values files, rule-test files, published-figures files and what-if operations files are all
read by `read_yaml`: PyYAML's safe constructor over nodes that keep their positions, so that
every problem names file:line:col. Whatever PyYAML raises becomes a diagnostic, never a
traceback: a character YAML does not allow (a NUL byte: `ReaderError`, which has a position
but no mark) is SL010; a syntax error is the code of the kind of file (SL301, SL401, SL501,
SL603) at PyYAML's mark.

A document's work is bounded by its length. Aliases (`*name`) may repeat, all together, at
most `MAX_REPEATED` nodes of the document and may not refer to the node they stand in (SL011:
a "billion laughs" file is refused at its first alias over the budget instead of expanding
into gigabytes); collections nest at most `MAX_DEPTH` deep (SL012: the readers walk nodes
recursively, and libyaml's own composer recurses in C until it crashes the process).

Large documents are parsed by libyaml (`yaml.CSafeLoader`'s parser) when PyYAML has it: ten
times faster, with the same marks (line and column; they lack `buffer` and `pointer`, which
nothing here reads). The nodes are composed in Python by `_Composer` over either parser, which
is where the bounds above are kept. Small documents, which are read in a blink either way, go
through PyYAML's own parser, whose messages name what it found ("expected ',' or '}', but got
':'"); libyaml's say less. Positions are the same from both (tests/test_yaml_hostile.py).
This module reads no file: the callers read the text with `files.read_text`.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from ..diagnostics import Diagnostic, Span, error

# What aliases may repeat of a document, all together, in nodes (an alias of a mapping of three
# entries repeats seven: the mapping, three keys, three values). Far more than any file that
# shares a mapping between the cases of a rule test needs; a thousandth of a billion laughs.
MAX_REPEATED = 10_000
# How deep collections may nest. A values file is five levels deep (periods, a period,
# values, an id, its value), a rule test six; 32 leaves room and keeps every recursive walk
# over the nodes far from Python's recursion limit.
MAX_DEPTH = 32
# From this many characters on, a document is parsed by libyaml, when PyYAML has it.
C_PARSER_FROM = 64 * 1024

PARSERS = ("python", "libyaml") if getattr(yaml, "__with_libyaml__", False) else ("python",)

# YAML's line breaks, as PyYAML and libyaml count lines: CR LF is one.
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class Refused(yaml.MarkedYAMLError):
    """A document over one of the bounds: its diagnostic code is in `code`."""

    def __init__(self, code: str, problem: str, mark: Any, hint: str):
        super().__init__(None, None, problem, mark)
        self.code, self.hint = code, hint


class Constructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, whose scalars fail only with ValueError or a YAMLError.

    PyYAML's own lets other errors out of an explicitly tagged scalar (`!!timestamp x` an
    AttributeError, `!!bool x` a KeyError, `!!int ''` an IndexError): they become a ValueError,
    which every reader already turns into a diagnostic at the node."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, ValueError):
            self.recursive_objects.pop(node, None)  # so that the node can be read again
            raise
        except (TypeError, KeyError, IndexError, AttributeError, OverflowError):
            self.recursive_objects.pop(node, None)
            tag = str(node.tag).rpartition(":")[2]
            raise ValueError(f"{node.value!r} cannot be read as {tag}") from None


    def construct_yaml_timestamp(self, node: yaml.ScalarNode, values: Any = None) -> Any:
        if self.timestamp_regexp.match(str(node.value)) is None:  # `!!timestamp x`
            raise ValueError(f"{node.value!r} is not a date")
        return super().construct_yaml_timestamp(node)


class _Composer(Composer):
    """PyYAML's composer with the bounds of this module: depth, aliases, cycles."""

    def __init__(self) -> None:
        Composer.__init__(self)
        self.depth = 0
        self.repeated = 0
        self.open_anchors: set[str] = set()
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]  # the parser's, mixed in
        if isinstance(event, AliasEvent):
            self._alias(event)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused("SL012", f"collections nest more than {MAX_DEPTH} deep here",
                          event.start_mark, "no scorelang file needs more than a few levels: "
                          "check the indentation and the brackets")
        anchored = event.anchor if isinstance(event, CollectionStartEvent) else None
        if anchored is not None:
            self.open_anchors.add(anchored)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            if anchored is not None:
                self.open_anchors.discard(anchored)

    def _alias(self, event: AliasEvent) -> None:
        if event.anchor in self.open_anchors:
            raise Refused("SL011", f"the alias *{event.anchor} refers to the node it stands in",
                          event.start_mark, "write the figures out: a node cannot contain itself")
        node = self.anchors.get(event.anchor)
        if node is None:
            return  # PyYAML's own "found undefined alias"
        self.repeated += self._size(node)
        if self.repeated > MAX_REPEATED:
            raise Refused("SL011", f"the aliases up to *{event.anchor} repeat more than "
                          f"{MAX_REPEATED:,} nodes", event.start_mark,
                          "write the entries out instead of repeating anchors (&name) with "
                          "aliases (*name)")

    def _size(self, node: yaml.Node) -> int:
        """How many nodes `node` stands for with its own aliases written out: each distinct
        node is counted once (memo), so a billion laughs costs its length, not a billion."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._size(key) + self._size(value) for key, value in node.value)
        self.sizes[id(node)] = size
        return size


class _PythonLoader(Reader, Scanner, Parser, _Composer, Resolver):
    def __init__(self, text: str):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        Resolver.__init__(self)


_LOADERS: dict[str, Callable[[str], _Composer]] = {"python": _PythonLoader}
if "libyaml" in PARSERS:
    from yaml._yaml import CParser

    class _LibyamlLoader(_Composer, CParser, Resolver):
        """libyaml's scanner and parser (events), composed by `_Composer` (its methods come
        first: CParser's own composer has no bounds)."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            _Composer.__init__(self)
            Resolver.__init__(self)

    _LOADERS["libyaml"] = _LibyamlLoader


@attrs.define(eq=False)
class Document:
    """A YAML document read: its root node (None when empty), its data, and the constructor
    that built it (to read a node again: `construct_object`, `construct_yaml_timestamp`).

    `unreadable` is True when a scalar cannot be what its tag says (2020-06-31, `!!int x`):
    `data` is then None, and the caller's walk over the nodes says which and where."""

    root: yaml.Node | None
    data: Any
    constructor: Constructor
    unreadable: bool = False


def parser_for(text: str) -> str:
    """The parser `read_yaml` uses for a text of this length."""
    return "libyaml" if len(text) >= C_PARSER_FROM and "libyaml" in PARSERS else "python"


def read_yaml(text: str, source: str, code: str, hint: str,
              failure: Callable[[list[Diagnostic]], Exception], parser: str | None = None
              ) -> Document:
    """The one YAML document of `text`, composed within the bounds and constructed safely.

    Any problem with the YAML itself raises `failure([diagnostic])`: SL010 a character YAML
    does not allow, SL011 aliases that repeat too much, SL012 nesting too deep, `code` (with
    `hint`) a syntax error. `parser` ("python" or "libyaml") is for tests; by default it
    follows the text's length (`parser_for`)."""
    parser = parser or parser_for(text)
    try:
        with no_collection():
            root = _compose(text, parser)
    except yaml.YAMLError as exc:
        raise failure([yaml_problem(exc, text, source, code, hint, parser)]) from None
    except UnicodeEncodeError as exc:  # a lone surrogate given to libyaml (only from the API)
        raise failure([_character(text, source, exc.start)]) from None
    constructor = Constructor()
    if root is None:
        return Document(None, None, constructor)
    try:
        with no_collection():
            data = constructor.construct_document(root)
    except yaml.YAMLError as exc:
        raise failure([yaml_problem(exc, text, source, code, hint, parser)]) from None
    except ValueError:
        return Document(root, None, Constructor(), unreadable=True)
    return Document(root, data, constructor)


def _compose(text: str, parser: str) -> yaml.Node | None:
    loader = _LOADERS[parser](text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()  # type: ignore[attr-defined]


@contextmanager
def no_collection() -> Iterator[None]:
    """The cyclic garbage collector held off while a document is composed and constructed.

    Composing makes a few small objects per character (events, marks, nodes); each of the
    collector's passes then walks the whole growing tree, which made a 200,000-entry values
    file take three times as long. Nothing composed here is a cycle to collect."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def node_span(source: str, node: yaml.Node) -> Span:
    """Where a YAML node stands; a node running over several lines is marked at its start."""
    start, end = node.start_mark, node.end_mark
    end_column = end.column if end.line == start.line else start.column + 1
    return Span(source, start.line + 1, start.column + 1, end.line + 1,
                max(end_column, start.column + 1))


def point(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1) of the character at `index`, counting lines as YAML does."""
    line, start = 1, 0
    for found in _BREAK.finditer(text, 0, index):
        line, start = line + 1, found.end()
    return line, index - start + 1


def _character(text: str, source: str, index: int) -> Diagnostic:
    line, column = point(text, index)
    char = text[index] if 0 <= index < len(text) else ""
    shown = f"U+{ord(char):04X}" + (" (NUL)" if char == "\0" else "") if char else "a character"
    return error("SL010", f"the file holds {shown}, which YAML does not allow",
                 Span.point(source, line, column),
                 "remove it: YAML text allows no control character but tab and line breaks "
                 "(NUL bytes mean a binary file, or text saved as UTF-16: save it as UTF-8)")


def yaml_problem(exc: yaml.YAMLError, text: str, source: str, code: str, hint: str,
                 parser: str = "python") -> Diagnostic:
    """Any error of PyYAML or libyaml as a diagnostic at its position."""
    if isinstance(exc, yaml.reader.ReaderError):
        index = exc.position
        if parser == "libyaml":  # libyaml counts bytes of the UTF-8 text, PyYAML characters
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        return _character(text, source, index)
    if isinstance(exc, Refused):
        mark = exc.problem_mark
        span = Span.point(source, mark.line + 1, mark.column + 1) if mark else None
        return error(exc.code, str(exc.problem), span, exc.hint)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        span = Span.point(source, *_clamped(text, mark.line, mark.column)) if mark else None
        return error(code, f"not valid YAML: {exc.problem or exc}", span, hint)
    return error(code, f"not valid YAML: {exc}", Span.point(source, 1, 1), hint)


def _clamped(text: str, line: int, column: int) -> tuple[int, int]:
    """A mark (from 0) as a position (from 1). libyaml marks the end of a text without a last
    line break on a line after it; PyYAML at the end of the last line, as said here."""
    lines = len(_BREAK.findall(text))
    if line > lines:
        last = _BREAK.split(text)[-1] if lines else text
        return lines + 1, len(last) + 1
    return line + 1, column + 1

