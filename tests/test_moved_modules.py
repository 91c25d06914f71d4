"""The modules of 0.1 that moved into the pipeline's folders still import under their old
names, as the same module, with a DeprecationWarning naming the new place."""

from __future__ import annotations

import importlib
import sys

import pytest

import scorelang


@pytest.mark.parametrize("old", sorted(scorelang.MOVED))
def test_a_moved_module_imports_under_its_old_name(old):
    sys.modules.pop(f"scorelang.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"scorelang.{old} is now scorelang.{scorelang.MOVED[old]}"):
        module = importlib.import_module(f"scorelang.{old}")
    assert module is importlib.import_module(f"scorelang.{scorelang.MOVED[old]}")


def test_the_documented_imports_of_0_1_still_work():
    sys.modules.pop("scorelang.whatif", None)
    with pytest.warns(DeprecationWarning):
        from scorelang.whatif import Drop, whatif  # noqa: F401
    from scorelang.check import check
    from scorelang.check.checks import check as moved

    assert check is moved


def test_a_name_that_never_was_a_module_is_still_unknown():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("scorelang.no_such_module")
