"""scorelang: SMVP performance-plan scoring rules as text, compiled and evaluated.

The public API: `load`, `loads`, `load_values`, `Plan.evaluate`, `Result`, and the
`ScorelangError` family carrying diagnostics.

Each public name is imported from its module when first used (PEP 562), not here: `import
scorelang` must stay cheap, because `scorelang check` on a warm cache needs none of the parser
(Lark), the values reader (PyYAML), the reports (tabulate) or the plan model, and a new process
pays for every module it imports.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import diagnose, load, loads
    from .diagnostics import (CheckError, Diagnostic, ParseError, ScorelangError, Severity, Span,
                              ValuesError)
    from .engine.plan import Plan
    from .report import render, render_comparison, render_findings
    from .engine.result import NodeResult, Result
    from .engine.values import (Values, load_all_values, load_values, loads_all_values,
                         loads_values)

__all__ = [
    "CheckError", "Diagnostic", "NodeResult", "ParseError", "Plan", "Result", "ScorelangError",
    "Severity", "Span", "Values", "ValuesError", "diagnose", "load", "load_all_values",
    "load_values", "loads", "loads_all_values", "loads_values", "render", "render_comparison",
    "render_findings",
]

# Where each public name is defined.
_HOMES = {
    "diagnose": "api", "load": "api", "loads": "api",
    "CheckError": "diagnostics", "Diagnostic": "diagnostics", "ParseError": "diagnostics",
    "ScorelangError": "diagnostics", "Severity": "diagnostics", "Span": "diagnostics",
    "ValuesError": "diagnostics",
    "Plan": "engine.plan",
    "render": "report", "render_comparison": "report", "render_findings": "report",
    "NodeResult": "engine.result", "Result": "engine.result",
    "Values": "engine.values", "load_all_values": "engine.values", "load_values": "engine.values",
    "loads_all_values": "engine.values", "loads_values": "engine.values",
}


def _submodule(name: str) -> ModuleType:
    # The import statement's machinery (`__import__`), not `importlib.import_module`: it is
    # what `python -X importtime` times, so the cost of each module stays visible there.
    __import__(f"{__name__}.{name}")
    return sys.modules[f"{__name__}.{name}"]


def __getattr__(name: str) -> object:
    """A public name, or a submodule (`scorelang.model`), imported on first use and kept."""
    home = _HOMES.get(name)
    if home is not None:
        value: object = getattr(_submodule(home), name)
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        # As when every module was imported up front: `scorelang.model.Plan` works.
        try:
            value = _submodule(name)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
