"""The front end's second stage: plan model -> diagnostics (the checks, the code catalogue),
and the cache of checked plans that lets repeated runs skip parsing.

Imports nothing here: `scorelang check` on a warm cache loads `check.cache` alone.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """`from scorelang.check import check`, as when `check` was a module of its own (0.1)."""
    if name == "check":
        from .checks import check

        return check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
