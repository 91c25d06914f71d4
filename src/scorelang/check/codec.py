"""The plan model and its diagnostics as JSON-ready data, and back, checked strictly.

What `cache` keeps in an entry: attrs classes, enums and dates tagged by name, nothing that
can hold code. Decoding checks every value against the type its field declares, so that a
damaged or forged entry is refused (`Damaged`) rather than trusted. Kept apart from `cache`
so that `scorelang check` on a warm cache, which reads only the diagnostics of a clean plan,
imports neither attrs nor the plan model.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import types
import typing
from types import ModuleType
from typing import Any

import attrs

from .. import diagnostics


def _classes_of(module: ModuleType) -> dict[str, type]:
    """The attrs classes and enums a module defines: what an entry may name."""
    return {name: value for name, value in vars(module).items()
            if isinstance(value, type) and value.__module__ == module.__name__
            and (attrs.has(value) or issubclass(value, enum.Enum))}


@functools.lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    """What a whole entry may name: the plan model's classes and the diagnostics'."""
    from .. import model  # only for whole plans: `load_diagnostics` must not pay for it

    return {**_classes_of(model), **_classes_of(diagnostics)}


@functools.lru_cache(maxsize=1)
def diagnostic_classes() -> dict[str, type]:
    """What the diagnostics of an entry may name: Diagnostic, Span, Severity."""
    return _classes_of(diagnostics)


def _read_as(kind: type, field: Any) -> str:
    """The attribute an entry takes a field from: its public name where the class reads a
    private field through a property of that name (a model object's packed `_span`, read as
    `span`: the packed int is this process's own, the Span is what an entry keeps), else the
    field itself."""
    alias = field.alias or field.name
    if alias != field.name and isinstance(getattr(kind, alias, None), property):
        return str(alias)
    return str(field.name)


def encode(value: Any) -> Any:
    """The model as JSON-ready data: attrs classes, enums and dates tagged by name."""
    if isinstance(value, enum.Enum):
        return {"@enum": type(value).__name__, "v": value.value}
    if attrs.has(type(value)):
        out = {"@": type(value).__name__}
        for field in attrs.fields(type(value)):
            if field.init:
                out[field.alias or field.name] = encode(getattr(value, _read_as(type(value),
                                                                                field)))
        return out
    if isinstance(value, dt.date):
        return {"@date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


# The model's containers of unbounded size: written a child at a time (see `write_entry`).
_STREAMED = frozenset({"PlanDefinition", "Area", "Objective", "Group"})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _stream(value: Any, write: typing.Callable[[str], Any]) -> None:
    """Write `_dumps(encode(value))` piece by piece: the plan and its tree a field and a child
    at a time, everything else (an indicator, a use, a diagnostic) whole. The text is the
    same, character for character; what is held at once is one piece's dicts and text, not
    the whole plan's (at 100,000 indicators the encoded plan and its JSON string took
    hundreds of MiB more than the plan itself)."""
    if isinstance(value, (tuple, list)):
        write("[")
        for position, item in enumerate(value):
            if position:
                write(", ")
            _stream(item, write)
        write("]")
    elif type(value).__name__ in _STREAMED and attrs.has(type(value)):
        write(_dumps({"@": type(value).__name__})[:-1])
        for field in attrs.fields(type(value)):
            if field.init:
                write(f", {_dumps(field.alias or field.name)}: ")
                _stream(getattr(value, _read_as(type(value), field)), write)
        write("}")
    else:
        write(_dumps(encode(value)))


def write_entry(write: typing.Callable[[str], Any], format_: int, plan: Any,
                found: list[Any], built: list[Any]) -> None:
    """A cache entry, the JSON text of {"format", "diagnostics", "built", "plan"} as
    `json.dumps` writes it, streamed to `write` (see `_stream`). The diagnostics come first:
    `scorelang check` reads that head alone."""
    write(f'{{"format": {format_}, "diagnostics": {_dumps(encode(found))}, '
          f'"built": {_dumps(encode(built))}, "plan": ')
    _stream(plan, write)
    write("}")


class Damaged(Exception):
    """A cache entry that is not what `store` writes: read as a miss, and written again."""


class EntryReader:
    """An entry read back as `write_entry` writes it, a piece at a time: each indicator, use or
    diagnostic parsed as JSON and made an object before the next is read, the plan and its
    tree read a field and a child at a time, the file a chunk at a time. Read whole, the JSON
    of a 100,000-indicator plan became dicts and lists several times the plan's own size
    (a warm `scorelang score` peaked at 675 MiB, against 258 parsing the text again).

    Everything is checked as `decode` checks it, and the layout too (the keys in `write_entry`'s
    order, json.dumps's separators): anything else raises Damaged."""

    CHUNK = 1 << 20  # characters read at a time

    def __init__(self, read: typing.Callable[[int], str]) -> None:
        self._read, self._text, self._at, self._ended = read, "", 0, False
        self._json = json.JSONDecoder()
        names = _classes()
        self._classes = tuple(sorted(names.items(), key=lambda item: item[0]))
        self._allowed = names
        # Per declared type: its item type if it is a sequence, the classes written a piece
        # at a time it admits (by tag), its decoder. Worked out once: a plan reads 100,000
        # indicators as one type.
        self._shapes: dict[Any, tuple[Any, dict[str, type], Decoder]] = {}

    def _more(self, at_least: int = 1) -> bool:
        """Read on until `at_least` more characters than are held past the reading point have
        been added; False at the end of the file."""
        if self._ended:
            return False
        if self._at:  # what was read is dropped: the buffer holds a chunk or two, never the file
            self._text, self._at = self._text[self._at:], 0
        held = len(self._text)
        while len(self._text) < held + at_least:
            chunk = self._read(max(self.CHUNK, at_least))
            if not chunk:
                self._ended = True
                break
            self._text += chunk
        return len(self._text) > held

    def expect(self, literal: str) -> None:
        """The next characters are `literal`: read past them."""
        while len(self._text) - self._at < len(literal) and self._more(len(literal)):
            pass
        if not self._text.startswith(literal, self._at):
            raise Damaged(f"expected {literal!r}")
        self._at += len(literal)

    def _peek(self, count: int) -> str:
        while len(self._text) - self._at < count and self._more(count):
            pass
        return self._text[self._at:self._at + count]

    def json(self) -> Any:
        """The next whole JSON value, as data. A value ending where the characters held end
        may go on in the next chunk (a number cut in two parses as a shorter number): read on
        and parse it again; every value of an entry is followed by a separator or a brace."""
        size = self.CHUNK
        while True:
            try:
                value, end = self._json.raw_decode(self._text, self._at)
                if end < len(self._text):
                    self._at = end
                    return value
            except ValueError:
                pass
            except RecursionError as error:  # a hostile entry nested past Python's limit
                raise Damaged("nested too deep") from error
            if not self._more(size):
                raise Damaged("the entry ends inside a value")
            size *= 2

    def read(self, kind: Any) -> Any:
        """The next value, of the declared type `kind`, as `decode` would make it."""
        item, streamed, decoder = self._shape(kind)
        start = self._peek(1)
        if start == "[" and item is not None:
            return self._sequence(item)
        if start == "{" and streamed:
            opening = self._peek(len('{"@": "') + 40)
            if opening.startswith('{"@": "'):
                found = streamed.get(opening[len('{"@": "'):].split('"', 1)[0])
                if found is not None:
                    return self._instance(found)
        return decoder(self.json())

    def _shape(self, kind: Any) -> tuple[Any, dict[str, type], Decoder]:
        shape = self._shapes.get(kind)
        if shape is None:
            shape = self._shapes[kind] = self._shape_of(kind)
        return shape

    def _shape_of(self, kind: Any) -> tuple[Any, dict[str, type], Decoder]:
        arguments = typing.get_args(kind)
        item = arguments[0] if typing.get_origin(kind) is tuple and len(arguments) == 2 \
            and arguments[1] is Ellipsis else None
        members = arguments if typing.get_origin(kind) in (typing.Union, types.UnionType) \
            else (kind,)
        # Only what `_stream` writes a piece at a time; any other object is read whole.
        streamed = {member.__name__: member for member in members
                    if isinstance(member, type) and member.__name__ in _STREAMED
                    and self._allowed.get(member.__name__) is member}
        return item, streamed, _decoder(kind, self._classes)

    def end(self) -> None:
        """Nothing follows the entry."""
        if self._peek(1):
            raise Damaged("more after the entry")

    def _sequence(self, item: Any) -> tuple[Any, ...]:
        self.expect("[")
        if self._peek(1) == "]":
            self.expect("]")
            return ()
        shape = self._shape(item)
        # Items read whole (a plan's indicators, a branch's uses): parsed and decoded in a
        # loop of their own, the separator looked at in place.
        whole = shape[2] if shape[0] is None and not shape[1] else None
        items = []
        while True:
            items.append(self.read(item) if whole is None else whole(self.json()))
            text, at = self._text, self._at
            if text.startswith(", ", at):
                self._at = at + 2
            elif text.startswith("]", at):
                self._at = at + 1
                return tuple(items)
            else:  # the separator cut by the chunk's end, or not there at all
                if self._peek(1) == "]":
                    self.expect("]")
                    return tuple(items)
                self.expect(", ")

    def _instance(self, kind: type) -> Any:
        opening, fields = _written(kind)
        self.expect(opening)
        values = {}
        for before, alias, field_kind in fields:
            self.expect(before)
            values[alias] = self.read(field_kind)
        self.expect("}")
        try:
            return kind(**values)
        except (TypeError, ValueError) as error:  # a converter or validator refused a value
            raise Damaged(f"not a {kind.__name__}") from error


@functools.lru_cache(maxsize=None)
def _written(kind: type) -> tuple[str, tuple[tuple[str, str, Any], ...]]:
    """How `_stream` writes an object of `kind` a piece at a time: its opening, then for each
    field the text before its value, its name and its type."""
    return _dumps({"@": kind.__name__})[:-1], tuple(
        (f", {_dumps(alias)}: ", alias, field_kind) for alias, field_kind in _fields_of(kind))


@functools.lru_cache(maxsize=None)
def _fields_of(kind: type) -> tuple[tuple[str, Any], ...]:
    """(the name an entry gives a field, the type it is checked as) of an attrs class, in the
    order its fields are declared. A field read through a property (`_read_as`) is checked as
    the property's type (a Span, never a packed int: an entry's int would name a file of
    another process)."""
    hints = typing.get_type_hints(kind)
    out = []
    for field in attrs.fields(kind):
        if field.init:
            name = _read_as(kind, field)
            out.append((field.alias or field.name, hints[name] if name in hints
                        else typing.get_type_hints(getattr(kind, name).fget)["return"]))
    return tuple(out)


def decode(data: Any, kind: Any, classes: dict[str, type] | None = None) -> Any:
    """Data from `encode` back to an object of the declared type `kind`, checked strictly on
    the way: each tagged class must be one of `classes` (default: the model's and the
    diagnostics') and the one its field declares, hold exactly its fields, each of its type.
    Raises Damaged for anything else, so that a damaged or hostile entry (a field of the
    wrong type, a name of another class, a string where a tuple belongs) is a cache miss,
    never a crash later in the compiler or the evaluator."""
    names = _classes() if classes is None else classes
    return _decoder(kind, tuple(sorted(names.items(), key=lambda item: item[0])))(data)


Decoder = typing.Callable[[Any], Any]


@functools.lru_cache(maxsize=None)
def _decoder(kind: Any, classes: tuple[tuple[str, type], ...]) -> Decoder:
    """The checking decoder of one declared type, made once per type (a plan decodes in a
    few milliseconds: the type's shape is worked out here, not at every value)."""
    allowed = dict(classes)
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        members = typing.get_args(kind)
        # An object's tag names the one member it can be: looked up, not tried in turn (a
        # failed try raises, and a plan's every optional field is a union).
        tagged = {member.__name__: _decoder(member, classes) for member in members
                  if isinstance(member, type) and attrs.has(member)
                  and allowed.get(member.__name__) is member}
        others = [_decoder(member, classes) for member in members
                  if not (isinstance(member, type) and member.__name__ in tagged
                          and allowed.get(member.__name__) is member)]
        decoder = _union(tagged, type(None) in members, others, kind)
        if not tagged and all(other in _PLAIN for other in others):  # `str | None`, say
            _PLAIN[decoder] = tuple(accepted for other in others for accepted in _PLAIN[other])
        return decoder
    if origin is tuple:
        arguments = typing.get_args(kind)
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return _sequence(_decoder(arguments[0], classes))
        return _fixed([_decoder(argument, classes) for argument in arguments])
    if origin is typing.Literal:
        return _literal(typing.get_args(kind))
    if kind is type(None) or kind in (str, bool, int, float):
        return _plain(kind)
    if kind is dt.date:
        return _date
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        if allowed.get(kind.__name__) is not kind:
            return _refuse(kind)
        return _enum(kind)
    if isinstance(kind, type) and attrs.has(kind) and allowed.get(kind.__name__) is kind:
        # The fields' decoders are looked up when first used: the model is recursive.
        return _instance(kind, [(alias, functools.partial(_decoder, field_kind, classes))
                                for alias, field_kind in _fields_of(kind)])
    return _refuse(kind)


# The decoders that let values of some types through unchanged (`_plain`, and unions of them),
# with those types: an object's fields of such types are checked in place (`_instance`), not by
# a call each (they are most of a plan's values).
_PLAIN: dict[Decoder, tuple[type, ...]] = {}


def _union(tagged: dict[str, Decoder], optional: bool, members: list[Decoder],
           kind: Any) -> Decoder:
    def decode_union(data: Any) -> Any:
        if data is None and optional:  # the commonest case: an optional field left out
            return None
        if type(data) is dict:
            tag = data.get("@")
            if type(tag) is str and tag in tagged:  # no other member takes an object so tagged
                return tagged[tag](data)
        for member in members:
            try:
                return member(data)
            except Damaged:
                continue
        raise Damaged(f"none of {kind}")
    return decode_union


def _sequence(item: Decoder) -> Decoder:
    def decode_sequence(data: Any) -> Any:
        if type(data) is not list:
            raise Damaged("not a list")
        return tuple(item(value) for value in data)
    return decode_sequence


def _fixed(items: list[Decoder]) -> Decoder:
    def decode_fixed(data: Any) -> Any:
        if type(data) is not list or len(data) != len(items):
            raise Damaged("not a list of that length")
        return tuple(item(value) for item, value in zip(items, data))
    return decode_fixed


def _literal(choices: tuple[Any, ...]) -> Decoder:
    def decode_literal(data: Any) -> Any:
        if type(data) in (str, int) and data in choices:
            return data
        raise Damaged("not one of the literals")
    return decode_literal


def _plain(kind: type) -> Decoder:
    # encode keeps a number as the model held it: an int may stand where a float is declared
    accepted = (int, float) if kind is float else (kind,)

    def decode_plain(data: Any) -> Any:
        if type(data) in accepted:
            return data
        raise Damaged(f"not a {kind.__name__}")
    _PLAIN[decode_plain] = accepted
    return decode_plain


def _date(data: Any) -> Any:
    if type(data) is dict and data.keys() == {"@date"} and type(data["@date"]) is str:
        try:
            return dt.date.fromisoformat(data["@date"])
        except ValueError:
            pass
    raise Damaged("not a date")


def _enum(kind: type[enum.Enum]) -> Decoder:
    name = kind.__name__
    by_value = {member.value: member for member in kind}  # what kind(value) looks up

    def decode_enum(data: Any) -> Any:
        if type(data) is dict and data.keys() == {"@enum", "v"} and data["@enum"] == name:
            try:
                return by_value[data["v"]]
            except (KeyError, TypeError):  # TypeError: an unhashable value
                pass
        raise Damaged(f"not a {name}")
    return decode_enum


def _instance(kind: type, fields: list[tuple[str, typing.Callable[[], Decoder]]]) -> Decoder:
    name = kind.__name__
    names = {"@"} | {alias for alias, _ in fields}
    plain: list[tuple[str, tuple[type, ...]]] = []  # the fields checked in place
    other: list[tuple[str, Decoder]] = []

    def decode_instance(data: Any) -> Any:
        if type(data) is not dict or data.get("@") != name or data.keys() != names:
            raise Damaged(f"not a {name}")
        if not plain and not other:
            for alias, field in fields:
                decoder = field()
                if decoder in _PLAIN:
                    plain.append((alias, _PLAIN[decoder]))
                else:
                    other.append((alias, decoder))
        values = {}
        for alias, accepted in plain:
            value = data[alias]
            if type(value) not in accepted:
                raise Damaged(f"not a {name}: {alias}")
            values[alias] = value
        for alias, decoder in other:
            values[alias] = decoder(data[alias])
        return kind(**values)
    return decode_instance


def _refuse(kind: Any) -> Decoder:
    def refuse(data: Any) -> Any:
        raise Damaged(f"no {kind!r} in an entry")
    return refuse
