"""Checked plans kept between runs, so that repeated CLI runs and services skip the parser.

The key is a hash of the rule text, its file name and the code that turns text into a checked
plan (grammar, parser, build, check, model); the entry is the plan model and its diagnostics
as JSON — never pickle, so a cache file can hold no code and is read as data only. A plan read
back is checked again (a few milliseconds, against tens for parsing): an entry is data anyone
with the folder could have forged, and the checks are what stand between any plan and the
engine, so a well-typed but inconsistent entry (a use of an undeclared indicator) gives the
check's diagnostic, never a crash. Entries live
in the private per-user directory of `files.cache_directory` (`$SCORELANG_CACHE_DIR`, else
`$XDG_CACHE_HOME/scorelang`, else `~/.cache/scorelang`, made mode 0700), beside the parser's
own cache. `SCORELANG_CACHE=off` turns both off. A cache that cannot be read or written is
skipped silently: it only ever saves time.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
import os
import tempfile
import types
import typing
from pathlib import Path
from types import ModuleType
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from .. import diagnostics
from ..diagnostics import Diagnostic
from ..files import cache_directory

if TYPE_CHECKING:
    from .. import model

FORMAT = 2  # 2: the diagnostics of building kept apart, the checks run again on reading
# Which files make up scorelang is read from the package itself, not kept by hand: a module
# added to the pipeline (a new scoring rule, a new check) changes the key without anyone having
# to remember to list it. Every source file counts, reports included: a cache entry is cheap
# to rebuild, a stale one is a wrong answer.
_SUFFIXES = (".py", ".lark")


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
def _diagnostic_classes() -> dict[str, type]:
    """What the diagnostics of an entry may name: Diagnostic, Span, Severity."""
    return _classes_of(diagnostics)


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of scorelang's version and every source file of the package, by path."""
    digest = hashlib.sha256(f"{FORMAT}".encode())  # the version is in __init__.py, hashed below
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in _SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(text: str, filename: str) -> str:
    digest = hashlib.sha256(fingerprint().encode())
    digest.update(filename.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def encode(value: Any) -> Any:
    """The model as JSON-ready data: attrs classes, enums and dates tagged by name."""
    if isinstance(value, enum.Enum):
        return {"@enum": type(value).__name__, "v": value.value}
    if attrs.has(type(value)):
        out = {"@": type(value).__name__}
        for field in attrs.fields(type(value)):
            if field.init:
                out[field.alias or field.name] = encode(getattr(value, field.name))
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


def _stream(value: Any, write: Callable[[str], Any]) -> None:
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
                _stream(getattr(value, field.name), write)
        write("}")
    else:
        write(_dumps(encode(value)))


def write_entry(write: Callable[[str], Any], plan: model.PlanDefinition,
                found: list[Diagnostic], built: list[Diagnostic]) -> None:
    """A cache entry, the JSON text of {"format", "plan", "diagnostics", "built"} as
    `json.dumps` writes it, streamed to `write` (see `_stream`)."""
    write(f'{{"format": {FORMAT}, "plan": ')
    _stream(plan, write)
    write(f', "diagnostics": {_dumps(encode(found))}, "built": {_dumps(encode(built))}}}')


class _Damaged(Exception):
    """A cache entry that is not what `store` writes: read as a miss, and written again."""


def decode(data: Any, kind: Any, classes: dict[str, type] | None = None) -> Any:
    """Data from `encode` back to an object of the declared type `kind`, checked strictly on
    the way: each tagged class must be one of `classes` (default: the model's and the
    diagnostics') and the one its field declares, hold exactly its fields, each of its type.
    Raises _Damaged for anything else, so that a damaged or hostile entry (a field of the
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
        return _union([_decoder(member, classes) for member in typing.get_args(kind)], kind)
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
        hints = typing.get_type_hints(kind)
        fields = [(field.alias or field.name, field.name) for field in attrs.fields(kind)
                  if field.init]
        # The fields' decoders are looked up when first used: the model is recursive.
        return _instance(kind, [(alias, functools.partial(_decoder, hints[name], classes))
                                for alias, name in fields])
    return _refuse(kind)


def _union(members: list[Decoder], kind: Any) -> Decoder:
    def decode_union(data: Any) -> Any:
        for member in members:
            try:
                return member(data)
            except _Damaged:
                continue
        raise _Damaged(f"none of {kind}")
    return decode_union


def _sequence(item: Decoder) -> Decoder:
    def decode_sequence(data: Any) -> Any:
        if type(data) is not list:
            raise _Damaged("not a list")
        return tuple(item(value) for value in data)
    return decode_sequence


def _fixed(items: list[Decoder]) -> Decoder:
    def decode_fixed(data: Any) -> Any:
        if type(data) is not list or len(data) != len(items):
            raise _Damaged("not a list of that length")
        return tuple(item(value) for item, value in zip(items, data))
    return decode_fixed


def _literal(choices: tuple[Any, ...]) -> Decoder:
    def decode_literal(data: Any) -> Any:
        if type(data) in (str, int) and data in choices:
            return data
        raise _Damaged("not one of the literals")
    return decode_literal


def _plain(kind: type) -> Decoder:
    # encode keeps a number as the model held it: an int may stand where a float is declared
    accepted = (int, float) if kind is float else (kind,)

    def decode_plain(data: Any) -> Any:
        if type(data) in accepted:
            return data
        raise _Damaged(f"not a {kind.__name__}")
    return decode_plain


def _date(data: Any) -> Any:
    if type(data) is dict and data.keys() == {"@date"} and type(data["@date"]) is str:
        try:
            return dt.date.fromisoformat(data["@date"])
        except ValueError:
            pass
    raise _Damaged("not a date")


def _enum(kind: type[enum.Enum]) -> Decoder:
    def decode_enum(data: Any) -> Any:
        if type(data) is dict and data.keys() == {"@enum", "v"} and data["@enum"] == kind.__name__:
            try:
                return kind(data["v"])
            except (ValueError, TypeError):
                pass
        raise _Damaged(f"not a {kind.__name__}")
    return decode_enum


def _instance(kind: type, fields: list[tuple[str, typing.Callable[[], Decoder]]]) -> Decoder:
    names = {"@"} | {alias for alias, _ in fields}
    resolved: list[tuple[str, Decoder]] = []

    def decode_instance(data: Any) -> Any:
        if type(data) is not dict or data.get("@") != kind.__name__ or data.keys() != names:
            raise _Damaged(f"not a {kind.__name__}")
        if not resolved:
            resolved.extend((alias, field()) for alias, field in fields)
        return kind(**{alias: field(data[alias]) for alias, field in resolved})
    return decode_instance


def _refuse(kind: Any) -> Decoder:
    def refuse(data: Any) -> Any:
        raise _Damaged(f"no {kind!r} in an entry")
    return refuse


def _read(text: str, filename: str) -> dict[str, Any] | None:
    """An entry's JSON data, or None when the cache is off or has no readable entry."""
    folder = cache_directory()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{key(text, filename)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        # RecursionError: JSON nested deeper than Python's own limit (a hostile file)
        return None
    if not isinstance(data, dict) or data.keys() != {"format", "plan", "diagnostics", "built"} \
            or data["format"] != FORMAT or type(data["format"]) is not int:
        return None
    return data


def _diagnostics(data: dict[str, Any], part: str = "diagnostics") -> list[Diagnostic] | None:
    """An entry's diagnostics (all, or only those of building: `part="built"`), decoded naming
    only the diagnostics' own classes."""
    from .codes import CODES

    try:
        found = list(decode(data[part], tuple[Diagnostic, ...], _diagnostic_classes()))
    except (_Damaged, RecursionError):
        return None
    # Well-typed is not enough: a diagnostic is one of the catalogue's, and says something.
    if any(d.code not in CODES or not d.message for d in found):
        return None
    return found


def load(text: str, filename: str) -> tuple[model.PlanDefinition, list[Diagnostic]] | None:
    """The checked plan and its diagnostics, when this text was compiled before."""
    from .. import model

    data = _read(text, filename)
    if data is None:
        return None
    from .checks import check

    try:
        plan = decode(data["plan"], model.PlanDefinition)
    except (_Damaged, RecursionError):
        return None
    built = _diagnostics(data, "built")
    if built is None or _diagnostics(data) is None:  # either part damaged: the entry is
        return None
    try:
        return plan, diagnostics.in_source_order(built + check(plan))
    except Exception:  # noqa: BLE001 - a forged plan no text could build: a miss, parsed again
        return None


def load_diagnostics(text: str, filename: str) -> list[Diagnostic] | None:
    """Only the diagnostics of a text compiled before: the plan's part of the entry is not
    decoded, so neither the plan model nor the parser is imported (`scorelang check`)."""
    data = _read(text, filename)
    # Only plans that built are stored: an entry without one is damaged, not a clean text.
    if data is None or not isinstance(data["plan"], dict) \
            or data["plan"].get("@") != "PlanDefinition":
        return None
    return _diagnostics(data)


def store(text: str, filename: str, plan: model.PlanDefinition, found: list[Diagnostic],
          built: list[Diagnostic]) -> None:
    """Keep a checked plan: every diagnostic (`found`, what `scorelang check` prints from the
    cache), and those of building it (`built`), to which `load` adds the checks run again."""
    folder = cache_directory()
    if folder is None:
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                write_entry(out.write, plan, found, built)
            os.replace(temporary, folder / f"{key(text, filename)}.json")
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):
        pass
