"""The user's files: reading them (only regular files, within a size limit, as UTF-8 text, or a
plain error a person can act on, no traceback), writing them without clobbering anything, and
the private per-user cache directory.

Reading stats a path before opening it, and opens it non-blocking and checks again: a FIFO, a
device such as /dev/zero or a socket is refused at once rather than read for ever, and a file
larger than `SCORELANG_MAX_FILE_BYTES` (64 MiB unless set) is refused before it fills memory.

Writing replaces a regular file in one step (temporary file beside it, fsync, rename), keeping
its permissions, its owner where it can and any symlink that leads to it; a FIFO, a character
device or a socket is written in place instead, so `-o /dev/null` leaves /dev/null a device.
A read-only file, or one that changed since it was read, is not overwritten.

Nothing here knows what a rule file means; nothing here writes outside the file it is asked
to write or the cache directory it makes private.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ScorelangError

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, Span


class InputError(ScorelangError):
    """A file could not be read or written (missing, not a file, too large, not UTF-8,
    read-only, changed meanwhile)."""


def _error(code: str, message: str, span: Span | None = None,
           hint: str | None = None) -> Diagnostic:
    """The error diagnostic of a file that could not be read or written. The diagnostics are
    imported here, when one is made: a command whose files are all fine never needs them
    (see errors.py)."""
    from .diagnostics import error

    return error(code, message, span, hint)


# Rule files, values and published figures are a few hundred kilobytes at most; 64 MiB is far
# above any real one and still refuses a runaway file before it fills memory.
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES_VARIABLE = "SCORELANG_MAX_FILE_BYTES"

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def max_file_bytes() -> int | None:
    """The largest file scorelang reads, in bytes: `$SCORELANG_MAX_FILE_BYTES` (a whole number;
    0 means no limit), else 64 MiB."""
    text = os.environ.get(MAX_FILE_BYTES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_FILE_BYTES
    try:
        limit = int(text.replace("_", ""))
    except ValueError:
        limit = -1
    if limit < 0:
        raise InputError([_error("SL006", f"{MAX_FILE_BYTES_VARIABLE}={text!r} is not a number "
                                 "of bytes", None, "write a whole number of bytes, e.g. "
                                 f"{MAX_FILE_BYTES_VARIABLE}=134217728 for 128 MiB (0: no limit)")])
    return limit or None


def _too_large(what: str, path: Path, limit: int) -> InputError:
    return InputError([_error(
        "SL006", f"{what} {path} is larger than the limit of {limit} bytes "
        f"({limit / 1024 / 1024:g} MiB)", None,
        f"check that this is the right file; to read it anyway raise the limit with "
        f"{MAX_FILE_BYTES_VARIABLE}=BYTES")])


def _not_regular(what: str, path: Path, mode: int) -> InputError:
    return InputError([_error(
        "SL005", f"{what} {path} is {_kind(mode)}, not a regular file", None,
        "give the path of a file: scorelang reads only regular files")])


def _directory(what: str, path: Path) -> InputError:
    return InputError([_error("SL001", f"{what} is a directory, not a file: {path}", None)])


def _loop(path: Path, doing: str) -> InputError:
    return InputError([_error(
        "SL009", f"cannot {doing} {path}: its symbolic links go round in a loop", None,
        "point the link (or one of the links it passes through) at a real file")])


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of the regular file at `path`, or InputError naming `what` it should be.

    The path is stat-ed before it is opened and the open descriptor checked again, so a FIFO
    or a device is refused without blocking or reading, even if it replaced the file between
    the two; the size is checked before and while reading (a file may grow meanwhile).
    """
    path = Path(path)
    limit = max_file_bytes()
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise _directory(what, path)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(what, path, info.st_mode)
        if limit is not None and info.st_size > limit:
            raise _too_large(what, path, limit)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
            | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
        with open(descriptor, "rb", buffering=0, closefd=True) as handle:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):  # swapped for something else since the stat
                raise _not_regular(what, path, info.st_mode)
            data = handle.read() if limit is None else handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError([_error("SL001", f"{what} not found: {path}", None,
                                 "check the path")]) from None
    except IsADirectoryError:
        raise _directory(what, path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _loop(path, f"read {what}") from None
        raise InputError([_error("SL001", f"cannot read {what} {path}: {exc.strerror or exc}",
                                 None)]) from None
    except ValueError as exc:  # a path with a NUL character in it
        raise InputError([_error("SL001", f"cannot read {what} {path!s}: {exc}", None)]) from None
    if limit is not None and len(data) > limit:
        raise _too_large(what, path, limit)
    return data


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of the regular file at `path`, newlines read as "\\n" (as Python's text
    mode reads them: "\\r\\n" and a lone "\\r" too); InputError when it cannot be read."""
    return text_of(read_bytes(path, what), path, what)


def text_of(data: bytes, path: Path, what: str) -> str:
    """`data` read from `path` as UTF-8 text, newlines as "\\n" (read_text's reading, for a
    caller that has looked at the bytes first); InputError when it is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from .diagnostics import Span

        raise InputError([_error("SL002", f"{what} is not UTF-8 text (bad byte at offset "
                                 f"{exc.start})", Span.point(str(path), 1, 1),
                                 "save the file as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_lines_or_none(path: str) -> list[str] | None:
    """A file's lines for quoting beside a diagnostic, or None when it cannot be read."""
    try:
        return read_text(Path(path), "file").splitlines()
    except InputError:
        return None


# A file scorelang creates (rather than rewrites) is created as `open()` would: 0666 less the
# umask, so a report gets the mode every other new file of the user gets.
_NEW_FILE_MODE = 0o666


def write_text_atomic(path: Path, text: str, *, force: bool = False,
                      expected: str | None = None) -> None:
    """Replace the file's content with `text` (UTF-8, newlines as given); see write_atomic."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise InputError([_error("SL003", f"cannot write {path}: {exc}", None)]) from None
    write_atomic(path, data, force=force, expected=expected)


def write_bytes_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Replace the file's content with `data` (an xlsx workbook, say); see write_atomic."""
    write_atomic(path, data, force=force)


def write_atomic(path: Path, data: bytes, *, force: bool = False,
                 expected: str | None = None) -> None:
    """Write `data` to `path` without clobbering anything, or raise InputError.

    * A regular file, or a new path: the bytes go to a temporary file in the same directory,
      are flushed to disk, then renamed over the file, so a crash or a full disk leaves the
      old content or the new, never half a file. The file keeps its permission bits and, as
      far as the user may, its owner and group; a symlink keeps pointing at the file it names
      (the file is replaced, not the link).
    * A FIFO, a character device (/dev/null, a terminal) or a socket is written in place,
      never replaced; so is the file that is this process's own standard output or error
      (`-o /dev/stdout > report.txt`), appended after what the command printed there.
    * A file without write permission (mode 0444, say) is refused unless `force`.
    * `expected`: the text the caller read from the file (as read_text returns it); if the
      file no longer holds it just before the rename, someone changed it meanwhile and it is
      not overwritten.
    * A directory or a block device is refused; a symlink loop is a diagnostic.

    Every failure is an InputError, except a pipe whose reader went away, which raises
    BrokenPipeError as print() would (the command line then exits 0, as for standard output).
    """
    path = Path(path)
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _loop(path, "write") from None
        raise _cannot_write(path, exc) from None
    except ValueError as exc:  # a path with a NUL character in it
        raise InputError([_error("SL003", f"cannot write {path!s}: {exc}", None)]) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode) \
                or stat.S_ISSOCK(info.st_mode):
            _write_in_place(path, data, info)
            return
        raise InputError([_error("SL003", f"cannot write {path}: it is {_kind(info.st_mode)}",
                                 None, "give the path of a file to write")])
    if info is not None and _is_own_stream(info):
        _write_in_place(path, data, info)
        return
    # The file to replace: where the symlinks lead (a dangling link names the file to create).
    target = Path(os.path.realpath(path))
    if info is not None and not force and _read_only(target, info):
        raise InputError([_error(
            "SL007", f"{path} is read-only (mode {stat.S_IMODE(info.st_mode):04o}): "
            "not overwritten", None,
            "make it writable (chmod u+w), or add --force to replace it all the same")])
    _replace(target, data, info, expected, shown=path)


def _read_only(target: Path, info: os.stat_result) -> bool:
    # os.access answers for the real user; for root it says yes to everything, so a file with
    # no write bit at all (0444: "do not touch") counts as read-only for root too.
    return not os.access(target, os.W_OK) or not info.st_mode & 0o222


def _is_own_stream(info: os.stat_result) -> bool:
    """Is this file what the shell opened as our standard output or error? Replacing it would
    leave the command's own printing in a deleted file, and lose what `>>` appended to."""
    for descriptor in (1, 2):
        with contextlib.suppress(OSError):
            own = os.fstat(descriptor)
            if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
                return True
    return False


_WRITE_HINTS = {errno.ENOSPC: "free some space on the disk, or write somewhere else",
                getattr(errno, "EDQUOT", -1): "free some space (the disk quota is used up), or "
                "write elsewhere",
                errno.EROFS: "the file system is mounted read-only: write somewhere else"}


def _cannot_write(path: Path, exc: OSError) -> InputError:
    hint = _WRITE_HINTS.get(exc.errno or 0, "check that the folder exists and is writable")
    return InputError([_error("SL003", f"cannot write {path}: {exc.strerror or exc}", None, hint)])


def _write_in_place(path: Path, data: bytes, info: os.stat_result) -> None:
    """Write to a FIFO, a device or a socket as it is (a FIFO waits for its reader)."""
    for stream in (sys.stdout, sys.stderr):  # what was printed comes first
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        if stat.S_ISSOCK(info.st_mode):
            import socket  # here: every command imports this module, few write to a socket
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(str(path))
                connection.sendall(data)
            return
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0) \
            | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)  # no O_CREAT: it exists; no O_TRUNC: never replaced
        with open(descriptor, "wb", buffering=0, closefd=True) as handle:
            view = memoryview(data)
            while view:
                written = handle.write(view)
                view = view[written or 0:]
    except BrokenPipeError:
        raise  # the reader had enough (`-o /dev/stdout | head`): as for print(), not an error
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _replace(target: Path, data: bytes, info: os.stat_result | None, expected: str | None,
             shown: Path) -> None:
    """Temporary file beside `target`, fsync, check, rename: the old file or the new."""
    temporary: Path | None = None
    try:
        descriptor, temporary = _temporary_beside(target, 0o600 if info else _NEW_FILE_MODE)
        with open(descriptor, "wb", closefd=True) as handle:
            if info is not None:
                _keep_owner_and_mode(descriptor, temporary, info)
            handle.write(data)
            handle.flush()
            os.fsync(descriptor)
        if info is not None:
            _check_still_a_file(target, shown)
        if expected is not None and _changed(target, expected):
            raise InputError([_error(
                "SL008", f"{shown} changed since it was read: not overwritten", None,
                "someone (an editor?) wrote it meanwhile: run the command again on its "
                "new content")])
        os.replace(temporary, target)
        temporary = None
        _sync_directory(target.parent)
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _temporary_beside(target: Path, mode: int) -> tuple[int, Path]:
    """A new file `.NAME.XXXXXXXX` in the target's directory, opened for writing, never one
    that already exists (O_EXCL)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    # The name shortened so that the temporary one stays within a file name's 255 bytes.
    stem = target.name.encode("utf-8", "surrogateescape")[:200].decode("utf-8", "ignore")
    for _ in range(100):
        candidate = target.with_name(f".{stem}.{os.urandom(4).hex()}")
        try:
            return os.open(candidate, flags, mode), candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(target.parent))


def _keep_owner_and_mode(descriptor: int, temporary: Path, info: os.stat_result) -> None:
    # Owner first: chown clears the set-user-id bits, chmod then puts back what was there.
    # Only root may give a file away; anyone may keep a group they belong to; else it stays
    # the user's own, as any rewritten file would.
    if hasattr(os, "fchown"):
        with contextlib.suppress(OSError):
            os.fchown(descriptor, info.st_uid, info.st_gid)
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, stat.S_IMODE(info.st_mode))
    else:  # Windows: only the read-only bit means anything there
        os.chmod(temporary, stat.S_IMODE(info.st_mode))


def _check_still_a_file(target: Path, shown: Path) -> None:
    # The file was regular when we looked; a FIFO or device put there since is not replaced.
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(target).st_mode
        if not stat.S_ISREG(mode):
            raise InputError([_error("SL003", f"cannot write {shown}: it became "
                                     f"{_kind(mode)} while the file was being written", None)])


def _changed(target: Path, expected: str) -> bool:
    try:
        return read_text(target, "file") != expected
    except InputError:  # removed, or no longer readable: not the file that was read
        return True


def _sync_directory(folder: Path) -> None:
    # The rename is durable once the directory is on disk too; where a directory cannot be
    # opened (Windows) the rename still happened.
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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
