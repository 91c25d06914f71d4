"""`scorelang lsp` without its extra: a clear message and exit 2, never a traceback (the server
itself is tested over stdio in tests/test_lsp.py)."""

from __future__ import annotations

import importlib.util

from scorelang.cli import main


def test_the_command_says_which_extra_it_needs(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "pygls" else real(name, *args))
    assert main(["lsp"]) == 2
    err = capsys.readouterr().err
    assert "needs the `lsp` extra" in err and "pip install 'scorelang[lsp]'" in err
    assert "Traceback" not in err
