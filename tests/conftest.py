"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI (`.ci/run`, CI=true) draws a fixed sequence of examples: a red build then means that a
# change broke something, never that a rare random example was drawn at last. Local runs keep
# exploring at random (and MIXED_EXAMPLES=N in tests/test_rules_together.py searches longer).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
MODENA_RULES = ROOT / "rules" / "cciaa-modena-2020.score"
MODENA_VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"
MODENA_PUBLISHED = ROOT / "examples" / "cciaa-modena-2020" / "pubblicati-2020-06.yaml"


def bench_plans() -> Any:
    """The benchmark's plan generator (benchmarks/plans.py: every formula, rule and deadline
    kind, periodic targets, N/D), loaded from its file: benchmarks/ is no package."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_plans", ROOT / "benchmarks" / "plans.py")
    assert spec is not None and spec.loader is not None
    plans = importlib.util.module_from_spec(spec)
    sys.modules["bench_plans"] = plans  # attrs resolves the module's annotations by its name
    spec.loader.exec_module(plans)
    return plans


@pytest.fixture(scope="session")
def modena_plan():
    import scorelang

    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="session")
def modena_result(modena_plan):
    import scorelang

    return modena_plan.evaluate(scorelang.load_values(MODENA_VALUES))


@pytest.fixture
def rules_repository(tmp_path: Path) -> Path:
    """A rules repository as CI and pre-commit see it after checkout: the bundled rules, their
    tests and the values they read, in a git repository (`.git`: the rule tests' project tree,
    so their `values: ../examples/...` stay inside it, SL013)."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / ".git").mkdir()
    return tmp_path
