"""The sentences of the text reports (explain, individual, verify, whatif, rule tests) in the
plan's language: English is the message id, `ITALIAN` its translation, gettext's way without
its tool chain.

A report sets the language for the length of one rendering (`speaking(locale)`), and writes
each sentence as `say("English template {field}", field=...)`: the template is looked up in
the catalogue of the language spoken and formatted. A template the catalogue lacks is said in
English; tests/test_locale_words.py holds every template of report/ to an Italian entry.
Figures are not words: they go through `engine.numbers` in the same language (`locale()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .italian import ITALIAN

_SPOKEN: ContextVar[str] = ContextVar("scorelang_report_locale", default="en")
CATALOGUES: dict[str, dict[str, str]] = {"it": ITALIAN}


@contextmanager
def speaking(locale: str | None) -> Iterator[str]:
    """Speak `locale` (None: keep the language already spoken) until the block ends."""
    chosen = locale or _SPOKEN.get()
    token = _SPOKEN.set(chosen)
    try:
        yield chosen
    finally:
        _SPOKEN.reset(token)


def locale() -> str:
    return _SPOKEN.get()


def say(template: str, **fields: object) -> str:
    """`template` in the language spoken, its {fields} filled in."""
    text = CATALOGUES.get(_SPOKEN.get(), {}).get(template, template)
    return text.format(**fields) if fields else text
