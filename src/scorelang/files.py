"""The user's files: reading UTF-8 text (or a plain error a person can act on, no traceback),
replacing a file in one step, and the private per-user cache directory.

Nothing here knows what a rule file means; nothing here writes outside the file it is asked
to write or the cache directory it makes private.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .diagnostics import ScorelangError, Span, error


class InputError(ScorelangError):
    """A file could not be read at all (missing, a directory, not UTF-8)."""


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([error("SL001", f"{what} not found: {path}", None,
                                "check the path")]) from None
    except IsADirectoryError:
        raise InputError([error("SL001", f"{what} is a directory, not a file: {path}", None)]) from None
    except UnicodeDecodeError as exc:
        raise InputError([error("SL002", f"{what} is not UTF-8 text (bad byte at offset {exc.start})",
                                Span.point(str(path), 1, 1), "save the file as UTF-8")]) from None
    except OSError as exc:
        raise InputError([error("SL001", f"cannot read {what} {path}: {exc.strerror}", None)]) from None


# A file the formatter creates (rather than rewrites) gets the usual mode of a text file.
_NEW_FILE_MODE = 0o644


def write_text_atomic(path: Path, text: str) -> None:
    """Replace the file's content with `text` (UTF-8, newlines as given) in one step.

    The text goes to a temporary file in the same directory, is flushed to disk, then renamed
    over the file: a crash or a full disk leaves the old content or the new, never half a rule
    file. The file keeps its permission bits; a symlink keeps pointing at the file it names.
    On failure the temporary file is removed and InputError says what went wrong.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # replace the file the link names, not the link
    temporary: Path | None = None
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _NEW_FILE_MODE
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", delete=False,
                                         dir=path.parent, prefix=f".{path.name}.") as handle:
            temporary = Path(handle.name)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # NamedTemporaryFile creates it 0600
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([error("SL003", f"cannot write {path}: {reason}", None,
                                "check that the folder exists and is writable")]) from None
    except ValueError as exc:  # e.g. text that cannot be encoded (lone surrogates)
        raise InputError([error("SL003", f"cannot write {path}: {exc}", None)]) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def cache_directory() -> Path | None:
    """The per-user cache directory, made private; None when the cache is off or unsafe.

    `$SCORELANG_CACHE_DIR`, else `$XDG_CACHE_HOME/scorelang`, else `~/.cache/scorelang`,
    created mode 0700; `SCORELANG_CACHE=off` (or 0, no, false) turns caching off. What is kept
    there is trusted when read back (Lark's parser is a pickle, which can hold code), so a
    directory another user owns, or one that others may write to, is refused rather than used;
    a shared temporary folder is never a fallback. The caches only ever save time: None costs
    a slower run, never a failed one.
    """
    if os.environ.get("SCORELANG_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    try:
        base = os.environ.get("SCORELANG_CACHE_DIR")
        if base:
            path = Path(base)
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            path = (Path(xdg) if xdg else Path.home() / ".cache") / "scorelang"
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
    except (OSError, RuntimeError):  # RuntimeError: Path.home() finds no home directory
        return None
    return path
