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

__version__ = "0.2.0"
# The project's home (pyproject's [project.urls]) and its docs, which `--help`, SARIF's `helpUri`
# and the rule help of code scanning link to: one place, so that a move is one edit.
PROJECT_URL = "https://github.com/scorelang/scorelang"
DOCS_URL = f"{PROJECT_URL}/blob/main/docs/"

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec

    from .api import diagnose, load, loads
    from .diagnostics import (CheckError, Diagnostic, ParseError, ScorelangError, Severity, Span,
                              ValuesError)
    from .engine.plan import Plan
    from .report import render, render_comparison, render_findings
    from .engine.result import NodeResult, Result
    from .engine.values import (Values, load_all_values, load_values, loads_all_values,
                         loads_values)
    from .engine.schema import values_schema

__all__ = [
    "CheckError", "Diagnostic", "NodeResult", "ParseError", "Plan", "Result", "ScorelangError",
    "Severity", "Span", "Values", "ValuesError", "diagnose", "load", "load_all_values",
    "load_values", "loads", "loads_all_values", "loads_values", "render", "render_comparison",
    "render_findings", "values_schema",
]

# Where each public name is defined.
_HOMES = {
    "diagnose": "api", "load": "api", "loads": "api",
    "CheckError": "errors", "Diagnostic": "diagnostics", "ParseError": "errors",
    "ScorelangError": "errors", "Severity": "diagnostics", "Span": "diagnostics",
    "ValuesError": "errors",
    "Plan": "engine.plan",
    "render": "report", "render_comparison": "report", "render_findings": "report",
    "NodeResult": "engine.result", "Result": "engine.result",
    "Values": "engine.values", "load_all_values": "engine.values", "load_values": "engine.values",
    "loads_all_values": "engine.values", "loads_values": "engine.values",
    "values_schema": "engine.schema",
}


# Modules of 0.1 that moved when the package took the pipeline's layout (docs/architecture.md),
# still importable under their old names, with a DeprecationWarning: the docs of 0.1 showed
# `from scorelang.whatif import Drop` and `from scorelang.explain import explain`.
MOVED = {
    "advice": "engine.advice", "batch": "engine.batch", "build": "syntax.build",
    "cache": "check.cache", "codes": "check.codes", "compile": "engine.compile",
    "evaluate": "engine.evaluate", "explain": "tools.explain", "format": "syntax.format",
    "parser": "syntax.parser", "plan": "engine.plan", "published": "tools.published",
    "result": "engine.result", "rounding": "engine.rounding", "ruletest": "tools.ruletest",
    "scoring": "engine.scoring", "values": "engine.values", "verify": "tools.verify",
    "whatif": "tools.whatif", "yamlsource": "engine.yamlsource",
    "report.numbers": "engine.numbers",
}


class _MovedModules:
    """An import finder for `scorelang.<old name>`: answers with the module at its new place
    (the same module object, so both names share its state)."""

    @classmethod
    def find_spec(cls, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        old = name[len(__name__) + 1:] if name.startswith(__name__ + ".") else None
        if old not in MOVED:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, cls)  # type: ignore[arg-type]

    @staticmethod
    def create_module(spec: ModuleSpec) -> ModuleType:
        import warnings

        old = spec.name[len(__name__) + 1:]
        new = f"{__name__}.{MOVED[old]}"
        warnings.warn(f"{__name__}.{old} is now {new}", DeprecationWarning, stacklevel=2)
        return _submodule(MOVED[old])

    @staticmethod
    def exec_module(module: ModuleType) -> None:
        pass  # already executed under its new name


sys.meta_path.append(_MovedModules)


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
        # As when every module was imported up front: `scorelang.model.PlanDefinition` works.
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
