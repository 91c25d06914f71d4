"""Go to definition, find references and rename, over the document's index of names.

Indicator ids, periods, tags and the codes of areas and objectives lead to where they are
declared and to every use. Rename is for indicator ids: the declaration and every use in the
tree and the scorecards change together (values files, which name indicators too, are not
edited: they are not open rule text).
"""

from __future__ import annotations

import re

from ..syntax.parser import reserved_words
from .analysis import INDICATOR, Analysis, Occurrence, Place

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RenameRefused(ValueError):
    """The new name cannot be an indicator id here; the message says why."""


def definition(analysis: Analysis, line: int, character: int) -> Place | None:
    occurrence = analysis.index.at(line, character)
    if occurrence is None:
        return None
    declared = analysis.index.declaration(occurrence.kind, occurrence.name)
    return None if declared is None else declared.place


def references(analysis: Analysis, line: int, character: int,
               with_declaration: bool = True) -> list[Place]:
    occurrence = analysis.index.at(line, character)
    if occurrence is None:
        return []
    return [o.place for o in analysis.index.of(occurrence.kind, occurrence.name)
            if with_declaration or not o.declaration]


def renamable(analysis: Analysis, line: int, character: int) -> Occurrence | None:
    """The indicator id at the cursor, when it is one (declared or used)."""
    occurrence = analysis.index.at(line, character)
    if occurrence is None or occurrence.kind != INDICATOR:
        return None
    return occurrence


def rename(analysis: Analysis, line: int, character: int, new_name: str) -> list[Place]:
    """Every place of the indicator id at the cursor, to be written `new_name`."""
    occurrence = renamable(analysis, line, character)
    if occurrence is None:
        raise RenameRefused("only indicator ids can be renamed: put the cursor on one")
    if not _NAME.fullmatch(new_name):
        raise RenameRefused(f"`{new_name}` is not an id: letters, digits and _, not starting "
                            "with a digit")
    if new_name in reserved_words():
        raise RenameRefused(f"`{new_name}` is a keyword of the language")
    if new_name != occurrence.name and analysis.plan is not None \
            and analysis.plan.indicator(new_name) is not None:
        raise RenameRefused(f"an indicator `{new_name}` is already declared")
    return [o.place for o in analysis.index.of(INDICATOR, occurrence.name)]
