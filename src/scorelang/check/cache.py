"""Checked plans kept between runs, so that repeated CLI runs and services skip the parser.

The key is a hash of the rule text, its file name and the code that turns text into a checked
plan (grammar, parser, build, check, model); the entry is the plan model and its diagnostics
as JSON — never pickle, so a cache file can hold no code and is read as data only. Entries live
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
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

from .. import diagnostics
from ..diagnostics import Diagnostic
from ..files import cache_directory

if TYPE_CHECKING:
    from .. import model

FORMAT = 1
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


def decode(data: Any, classes: dict[str, type] | None = None) -> Any:
    """Data from `encode` back to objects, naming only `classes` (default: the model's and
    the diagnostics')."""
    if classes is None:
        classes = _classes()
    if isinstance(data, list):
        return tuple(decode(v, classes) for v in data)
    if isinstance(data, dict):
        if "@enum" in data:
            return classes[data["@enum"]](data["v"])
        if "@date" in data:
            return dt.date.fromisoformat(data["@date"])
        cls = classes[data["@"]]  # KeyError for any other name: a bad entry
        return cls(**{k: decode(v, classes) for k, v in data.items() if k != "@"})
    return data


def _read(text: str, filename: str) -> Any:
    """An entry's JSON data, or None when the cache is off or has no readable entry."""
    folder = cache_directory()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{key(text, filename)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _diagnostics(data: Any) -> list[Diagnostic] | None:
    """An entry's diagnostics, decoded naming only the diagnostics' own classes."""
    try:
        found = list(decode(data["diagnostics"], _diagnostic_classes()))
    except (ValueError, KeyError, TypeError):
        return None
    return found if all(isinstance(d, Diagnostic) for d in found) else None


def load(text: str, filename: str) -> tuple[model.PlanDefinition, list[Diagnostic]] | None:
    """The checked plan and its diagnostics, when this text was compiled before."""
    from .. import model

    data = _read(text, filename)
    if data is None:
        return None
    try:
        plan = decode(data["plan"])
    except (ValueError, KeyError, TypeError):
        return None
    found = _diagnostics(data)
    if not isinstance(plan, model.PlanDefinition) or found is None:
        return None
    return plan, found


def load_diagnostics(text: str, filename: str) -> list[Diagnostic] | None:
    """Only the diagnostics of a text compiled before: the plan's part of the entry is not
    decoded, so neither the plan model nor the parser is imported (`scorelang check`)."""
    data = _read(text, filename)
    # Only plans that built are stored: an entry without one is damaged, not a clean text.
    if not isinstance(data, dict) or "plan" not in data:
        return None
    return _diagnostics(data)


def store(text: str, filename: str, plan: model.PlanDefinition, found: list[Diagnostic]) -> None:
    folder = cache_directory()
    if folder is None:
        return
    try:
        payload = json.dumps({"format": FORMAT, "plan": encode(plan),
                              "diagnostics": encode(found)}, ensure_ascii=False,
                             allow_nan=False)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(payload)
            os.replace(temporary, folder / f"{key(text, filename)}.json")
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):
        pass
