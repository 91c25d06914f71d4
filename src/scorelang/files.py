"""Reading the user's files: UTF-8 text, or a plain error a person can act on (no traceback)."""

from __future__ import annotations

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
