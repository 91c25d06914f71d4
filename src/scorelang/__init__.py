"""scorelang: SMVP performance-plan scoring rules as text, compiled and evaluated.

The public API: `load`, `loads`, `load_values`, `Plan.evaluate`, `Result`, and the
`ScorelangError` family carrying diagnostics.
"""

__version__ = "0.1.0"

from .api import (Plan, diagnose, load, load_all_values, load_values, loads, loads_all_values,
                  loads_values)
from .diagnostics import CheckError, Diagnostic, ParseError, ScorelangError, Severity, Span, ValuesError
from .report import render, render_comparison, render_findings
from .result import NodeResult, Result
from .values import Values

__all__ = [
    "CheckError", "Diagnostic", "NodeResult", "ParseError", "Plan", "Result", "ScorelangError",
    "Severity", "Span", "Values", "ValuesError", "diagnose", "load", "load_all_values",
    "load_values", "loads", "loads_all_values", "loads_values", "render", "render_comparison",
    "render_findings",
]
