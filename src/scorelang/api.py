"""What embedders import: load a plan, load values, evaluate. Shaped like the json module.

    plan = scorelang.load("rules/cciaa-modena-2020.score")
    values = scorelang.load_values("examples/cciaa-modena-2020/monitoraggio-2020-06.yaml")
    result = plan.evaluate(values)
    result["301"].score   # 62.955... (percent, unrounded)

Bad rules or values raise a ScorelangError subclass carrying the diagnostics.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .check import cache
from .errors import CheckError, ParseError
from .files import read_text

if TYPE_CHECKING:
    from . import model
    from .diagnostics import Diagnostic
    from .engine.plan import Plan
    from .engine.values import Values, load_all_values, load_values, loads_all_values, loads_values
    from .engine.schema import values_schema

__all__ = ["Plan", "Values", "check_text", "diagnose", "load", "load_all_values", "load_values",
           "loads", "loads_all_values", "loads_values", "values_schema"]

# The pipeline's stages (parser, build, check: Lark) and the plan (model, compiler, evaluator)
# are imported by the functions that use them: `check_text` on a warm cache needs none of them.
_VALUES_NAMES = frozenset({"Values", "load_all_values", "load_values", "loads_all_values",
                           "loads_values"})


def __getattr__(name: str) -> object:
    """`Plan`, the values readers and `values_schema`, importable from here, imported on first
    use."""
    if name == "Plan":
        from .engine.plan import Plan

        return Plan
    if name == "values_schema":
        from .engine.schema import values_schema

        return values_schema
    if name in _VALUES_NAMES:
        from .engine import values

        return getattr(values, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read_and_check(text: str, filename: str, keep: bool = True
                    ) -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    """Parse and build (raising ParseError for a syntax error), then check; keep the outcome
    unless told not to."""
    from .syntax.build import read
    from .check.checks import check
    from .diagnostics import in_source_order

    plan, built = read(text, filename)
    found = built
    if plan is not None:
        found = in_source_order(built + check(plan))
        if keep:
            cache.store(text, filename, plan, found, built)
    else:
        found = in_source_order(found)
    return plan, found


def diagnose(text: str, filename: str = "<string>", *, keep: bool = True
             ) -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    """Every diagnostic of rule text, in source order. Never raises for bad rules: a syntax
    error comes back as a diagnostic (and no plan). `keep=False` leaves the outcome out of the
    cache: an editor checks the text of every pause in typing, most of it never seen again."""
    cached = cache.load(text, filename)
    if cached is not None:
        return cached
    return _compile(text, filename, keep)


def check_text(text: str, filename: str = "<string>") -> list[Diagnostic]:
    """The diagnostics `diagnose` gives, without the plan. A text checked before is answered
    from the cache without loading the parser or the plan model: what `scorelang check` uses."""
    found = cache.load_diagnostics(text, filename)
    if found is not None:
        return found
    return _compile(text, filename)[1]


def _compile(text: str, filename: str, keep: bool = True
             ) -> tuple[model.PlanDefinition | None, list[Diagnostic]]:
    """Parse, build and check text that the cache does not hold; a syntax error is returned."""
    try:
        return _read_and_check(text, filename, keep)
    except ParseError as exc:
        return None, list(exc.diagnostics)


def loads(text: str, filename: str = "<string>") -> Plan:
    """Compile rule text; raise ParseError or CheckError when it has errors. A text compiled
    before (same text, name and scorelang) comes from the cache (see `cache`)."""
    from .engine.plan import Plan

    cached = cache.load(text, filename)
    plan: model.PlanDefinition | None
    if cached is not None:
        plan, found = cached
    else:
        plan, found = _read_and_check(text, filename)
    errors = [d for d in found if d.is_error]
    if errors or plan is None:
        raise CheckError(errors)
    return Plan(plan, tuple(found))


def load(path: str | Path) -> Plan:
    path = Path(path)
    return loads(read_text(path, "rule file"), str(path))
