"""Running inputs through a reader: time limit, crash capture, crash signature, and the
regression files a crash leaves under tests/regressions/<reader>/.

Shared by the volume run (`python3 -m tests.fuzz`), the coverage-guided run
(`tests.fuzz.coverage`) and the replay of tests/test_fuzz.py, so that all three judge an
input the same way.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import re
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .readers import READERS, REGRESSIONS, Crash, Workspace


class Timeout(Exception):
    """One input ran past the time limit: unbounded work is a broken promise too."""


@dataclass
class Found:
    """A crash: the input, what it was given with, and what went wrong."""

    reader: str
    data: bytes
    context: dict[str, Any]
    signature: str
    error: str
    traceback: str
    origin: dict[str, Any] = field(default_factory=dict)


_workspace: Workspace | None = None


def workspace() -> Workspace:
    """This process's workspace, made on first use and removed at exit."""
    global _workspace
    if _workspace is None:
        _workspace = Workspace.create()
        atexit.register(_workspace.remove)
    return _workspace


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise Timeout(f"took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _where(exc: BaseException) -> str:
    """The innermost frame in scorelang (else the innermost): where a crash happened."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/scorelang/" in f.filename] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    return f"{frame.filename.rsplit('/scorelang/', 1)[-1]}:{frame.name}"


def signature(exc: BaseException) -> str:
    """What makes two crashes the same bug: the exception's type and where it was raised.
    For a traceback the CLI printed, or a wrong exit code, the printed exception's type."""
    if isinstance(exc, Crash):
        message = str(exc)
        printed = re.findall(r"^(\w+(?:Error|Exception)\w*)\b", message, re.M)
        return f"Crash:{message.split(':', 1)[0]}:{printed[-1] if printed else ''}"
    return f"{type(exc).__name__}:{_where(exc)}"


def run_one(reader: str, data: bytes, context: dict[str, Any], timeout: float = 20.0
            ) -> Found | None:
    """Run one input; the crash it caused, or None."""
    chosen = READERS[reader]
    try:
        with time_limit(timeout):
            chosen.run(data, context, workspace())
    except Exception as exc:  # what a crash is: anything escaping that is not allowed
        kind = signature(exc)
        if chosen.name == "cache":
            # A forged entry that decodes breaks wherever the plan is first used: one kind of
            # crash (the cache must refuse it), whatever the place it surfaces.
            kind = f"{type(exc).__name__}:a cache entry accepted"
        return Found(chosen.folder, data, context, kind,
                     f"{type(exc).__name__}: {exc}"[:2000], traceback.format_exc()[-6000:])
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60]


def known_signatures() -> dict[str, Path]:
    """The signature of every recorded regression, and its file."""
    found: dict[str, Path] = {}
    for meta in sorted(REGRESSIONS.glob("*/*.meta.json")):
        try:
            found.setdefault(json.loads(meta.read_text("utf-8"))["signature"], meta)
        except (OSError, ValueError, KeyError):
            continue
    return found


def record(found: Found, folder: Path = REGRESSIONS) -> Path:
    """Write the crashing input and what replays it: <reader>/<slug>.<suffix> and
    <reader>/<slug>.meta.json (reader, context, signature, error, traceback, how found)."""
    suffix = found.context.get("suffix") or READERS[found.reader].suffix
    digest = hashlib.sha256(found.data).hexdigest()[:10]
    stem = f"{_slug(found.signature)}-{digest}"
    target = folder / found.reader
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{stem}{suffix}").write_bytes(found.data)
    meta = {"reader": found.reader, "input": f"{stem}{suffix}", "context": found.context,
            "signature": found.signature, "error": found.error, "found_by": found.origin,
            "traceback": found.traceback}
    path = target / f"{stem}.meta.json"
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def regressions(folder: Path = REGRESSIONS) -> list[tuple[Path, dict[str, Any]]]:
    """Every recorded regression: its meta file and what it says."""
    return [(meta, json.loads(meta.read_text("utf-8")))
            for meta in sorted(folder.glob("*/*.meta.json"))]


def replay(meta_path: Path, timeout: float = 60.0) -> Found | None:
    """Run a recorded regression through its reader again."""
    meta = json.loads(meta_path.read_text("utf-8"))
    data = (meta_path.parent / meta["input"]).read_bytes()
    return run_one(meta["reader"], data, meta["context"], timeout)
