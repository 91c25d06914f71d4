"""When scorelang itself fails: one line for the person, the details in a private file.

A bug is not a problem in the user's files, so it has its own exit code (3, `INTERNAL_ERROR`):
1 means "problems found", and a CI job must be able to tell the two apart. The traceback, the
command line and the versions go to a file only the user can read: in the private per-user
cache directory (`files.cache_directory`), else a new file of the system's temporary folder
made by `tempfile.mkstemp` (mode 0600). A traceback can quote a rule file's text and paths, so
it is never written where others could read it, and never printed in full unless no file could
be written at all (then it is the only record left).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence

from .. import __version__
from ..files import cache_directory

INTERNAL_ERROR = 3


def _issues_url() -> str | None:
    """Where bugs are reported: the package's `Issues` project URL, when it declares one."""
    from importlib import metadata

    try:
        urls = metadata.metadata("scorelang").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in ("issues", "bug tracker", "tracker"):
            return url.strip()
    return None


def _details(exc: BaseException, argv: Sequence[str]) -> str:
    return "".join([
        f"scorelang {__version__} internal error, {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n",
        f"command: scorelang {' '.join(argv)}\n",
        f"python: {sys.version.splitlines()[0]} ({sys.executable})\n",
        f"platform: {platform.platform()}\n\n",
        *traceback.format_exception(exc),
    ])


def _write_details(text: str) -> str:
    """The path of a new private file holding `text`; OSError when none could be written."""
    folder = cache_directory()
    descriptor, path = tempfile.mkstemp(prefix="scorelang-crash-", suffix=".txt",
                                        dir=None if folder is None else folder)
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)
    return path


def report_internal_error(exc: BaseException, argv: Sequence[str] | None) -> int:
    """Say in one line on standard error that scorelang failed, keep the details; exit code 3."""
    details = _details(exc, sys.argv[1:] if argv is None else argv)
    url = _issues_url()
    where = f"at {url}" if url else "to the scorelang maintainers"
    try:
        path = _write_details(details)
    except (OSError, ValueError) as failure:
        print(f"scorelang: internal error ({type(exc).__name__}); please report it {where} with "
              f"the details below (they could not be written to a file: {failure})",
              file=sys.stderr)
        print(details, file=sys.stderr, end="")
        return INTERNAL_ERROR
    print(f"scorelang: internal error ({type(exc).__name__}); please report it {where} with the "
          f"file written to {path}", file=sys.stderr)
    return INTERNAL_ERROR
