"""Checked plans kept between runs, so that repeated CLI runs and services skip the parser.

The key is a hash of the rule text, its file name and the code that turns text into a checked
plan (`fingerprint`: every source file of the package, by its file system stamp); the entry is
the plan model and its diagnostics as JSON (`codec`) — never pickle, so a cache file can hold
no code and is read as data only. The diagnostics come first in an entry, the plan last, so
that `scorelang check` reads and decodes the diagnostics alone. A plan read back is checked
again (a few milliseconds, against tens for parsing): an entry is data anyone with the folder
could have forged, and the checks are what stand between any plan and the engine, so a
well-typed but inconsistent entry (a use of an undeclared indicator) gives the check's
diagnostic, never a crash. Entries live in the private per-user directory of
`files.cache_directory` (`$SCORELANG_CACHE_DIR`, else `$XDG_CACHE_HOME/scorelang`, else
`~/.cache/scorelang`, made mode 0700), beside the parser's own cache. `SCORELANG_CACHE=off`
turns both off. A cache that cannot be read or written is skipped silently: it only ever
saves time.

Kept cheap to import: a warm `scorelang check` of a clean plan needs only this module, json
and BLAKE2 (no plan model, no codec, no diagnostics to decode when there is nothing to say).
"""

from __future__ import annotations

import functools
import json
import os
from typing import TYPE_CHECKING, Any

from ..files import cache_directory

try:  # BLAKE2 as Python builds it in: `import hashlib` loads OpenSSL first, a few ms of a start
    from _blake2 import blake2b as _Digest
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b as _Digest

if TYPE_CHECKING:
    from .. import model
    from ..diagnostics import Diagnostic

FORMAT = 2  # 2: the diagnostics of building kept apart, the checks run again on reading
# Which files make up scorelang is read from the package itself, not kept by hand: a module
# added to the pipeline (a new scoring rule, a new check) changes the key without anyone having
# to remember to list it. Every source file counts, reports included: a cache entry is cheap
# to rebuild, a stale one is a wrong answer.
_SUFFIXES = (".py", ".lark")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _stamps(folder: str, relative: str = "") -> list[str]:
    """Each source file under `folder`, by path, with the stamp the file system gives every
    write: size, modification and change times in nanoseconds, inode."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            name = relative + entry.name
            if entry.name == "__pycache__":
                continue
            if entry.is_dir():
                found.extend(_stamps(entry.path, name + "/"))
            elif entry.name.endswith(_SUFFIXES):
                info = entry.stat()
                found.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}"
                             f"\0{info.st_ino}")
    return found


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of the entry format and every source file of the package, by path and stamp.

    The files are stat-ed, not read (reading and hashing all of them was most of a warm
    `scorelang check`): a file's change time (ctime) moves with every write to it, and no
    program can set it back (`touch` sets the modification time only), so an edited source,
    a reinstalled or copied package, a checkout, never reads an old entry. What it may cost is
    a miss where nothing changed (a package copied byte for byte), never a stale answer.
    """
    digest = _Digest(f"{FORMAT}\0{_PACKAGE}".encode("utf-8", "surrogatepass"), digest_size=32)
    for stamp in _stamps(_PACKAGE):
        digest.update(stamp.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def key(text: str, filename: str) -> str:
    digest = _Digest(fingerprint().encode(), digest_size=32)
    digest.update(filename.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _entry(text: str, filename: str) -> str | None:
    """The path of this text's entry, or None when the cache is off."""
    folder = cache_directory()
    if folder is None:
        return None
    return os.path.join(folder, f"{key(text, filename)}.json")


# How `store` writes an entry, which `load_diagnostics` relies on to read the diagnostics alone:
# one JSON object, its keys in this order, json.dumps's own separators.
_HEAD = f'{{"format": {FORMAT}, "diagnostics": '
_BUILT, _PLAN = ', "built": ', ', "plan": {"@": "PlanDefinition"'
_FIRST_READ = 1 << 16  # the diagnostics of a plan fit in this many bytes, but for a bad one




def _read_head(text: str, filename: str) -> dict[str, Any] | None:
    """The entry's format and diagnostics, read from its first bytes without parsing the plan
    that follows them (a plan of 100 000 indicators is megabytes of JSON), or None when the
    cache is off or the entry is not laid out as `store` writes it."""
    path = _entry(text, filename)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            start = handle.read(_FIRST_READ)
            head = _head(start.decode("utf-8", "ignore"))  # a character cut at the end
            if head is None and len(start) == _FIRST_READ:  # more diagnostics than that
                head = _head((start + handle.read()).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return head


def _head(entry: str) -> dict[str, Any] | None:
    if not entry.startswith(_HEAD):
        return None
    decoder = json.JSONDecoder()
    try:
        found, end = decoder.raw_decode(entry, len(_HEAD))
        if not entry.startswith(_BUILT, end):
            return None
        built, end = decoder.raw_decode(entry, end + len(_BUILT))
    except (ValueError, RecursionError):
        return None
    if not entry.startswith(_PLAN, end):  # only plans that built are stored
        return None
    return {"format": FORMAT, "diagnostics": found, "built": built}


def _diagnostics(data: dict[str, Any], part: str = "diagnostics") -> list[Diagnostic] | None:
    """An entry's diagnostics (all, or only those of building: `part="built"`), decoded naming
    only the diagnostics' own classes."""
    found = data[part]
    if found == []:  # a clean plan: nothing to decode, no class to import
        return []
    from . import codec
    from ..diagnostics import Diagnostic
    from .codes import CODES

    try:
        decoded = list(codec.decode(found, tuple[Diagnostic, ...], codec.diagnostic_classes()))
    except (codec.Damaged, RecursionError):
        return None
    # Well-typed is not enough: a diagnostic is one of the catalogue's, and says something.
    if any(d.code not in CODES or not d.message for d in decoded):
        return None
    return decoded


def load(text: str, filename: str) -> tuple[model.PlanDefinition, list[Diagnostic]] | None:
    """The checked plan and its diagnostics, when this text was compiled before."""
    from .. import model  # a whole plan is read here; `load_diagnostics` must not pay for it

    with model.collector_paused():  # a third of the load at 10 000 indicators
        return _load(text, filename)


def _load(text: str, filename: str) -> tuple[model.PlanDefinition, list[Diagnostic]] | None:
    path = _entry(text, filename)
    if path is None:
        return None
    from .. import diagnostics, model
    from . import codec
    from .checks import check

    # Read as it was written, a piece at a time (codec.EntryReader): the head, then the plan.
    try:
        with open(path, encoding="utf-8") as handle:
            entry = codec.EntryReader(handle.read)
            entry.expect(_HEAD)
            data = {"diagnostics": entry.json()}
            entry.expect(_BUILT)
            data["built"] = entry.json()
            built = _diagnostics(data, "built")
            if built is None or _diagnostics(data) is None:  # either part damaged: the entry is
                return None
            entry.expect(', "plan": ')
            plan = entry.read(model.PlanDefinition)
            entry.expect("}")
            entry.end()
    except (OSError, ValueError, codec.Damaged, RecursionError):
        # ValueError: not UTF-8; RecursionError: nested deeper than Python's own limit
        return None
    try:
        return plan, diagnostics.in_source_order(built + check(plan))
    except Exception:  # noqa: BLE001 - a forged plan no text could build: a miss, parsed again
        return None


def load_diagnostics(text: str, filename: str) -> list[Diagnostic] | None:
    """Only the diagnostics of a text compiled before, read from the start of its entry: the
    plan's part is neither parsed nor decoded, so neither the plan model nor the parser (nor,
    for a clean plan, attrs) is imported (`scorelang check`)."""
    head = _read_head(text, filename)
    return None if head is None else _diagnostics(head)


def store(text: str, filename: str, plan: model.PlanDefinition, found: list[Diagnostic],
          built: list[Diagnostic]) -> None:
    """Keep a checked plan: every diagnostic (`found`, what `scorelang check` prints from the
    cache), and those of building it (`built`), to which `load` adds the checks run again."""
    import tempfile

    from . import codec

    path = _entry(text, filename)
    if path is None:
        return
    try:
        # The diagnostics first, the plan last (`_read_head` reads the first part alone),
        # written a piece at a time: never the whole entry's text at once.
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                codec.write_entry(out.write, FORMAT, plan, found, built)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):
        pass
