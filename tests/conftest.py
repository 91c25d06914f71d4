"""Shared paths and helpers for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODENA_RULES = ROOT / "rules" / "cciaa-modena-2020.score"
MODENA_VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"
MODENA_PUBLISHED = ROOT / "examples" / "cciaa-modena-2020" / "pubblicati-2020-06.yaml"


@pytest.fixture(scope="session")
def modena_plan():
    import scorelang

    return scorelang.load(MODENA_RULES)


@pytest.fixture(scope="session")
def modena_result(modena_plan):
    import scorelang

    return modena_plan.evaluate(scorelang.load_values(MODENA_VALUES))
