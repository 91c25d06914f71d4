"""The plan's tree walked once per check: every check that reads the placed nodes shares one walk.

Nine checks read the tree in pre-order with each node's id, parent and depth (`model.walk`);
walking it once for each made the walk most of a check's time. The last plan walked is kept
by a weak reference, so a plan no one holds any more is never kept alive here; compiling,
the walk's last reader, lets it go (`release`).
"""

from __future__ import annotations

import weakref

from .. import model

_last: tuple[weakref.ref[model.PlanDefinition], list[model.Placed]] | None = None


def placed_nodes(plan: model.PlanDefinition) -> list[model.Placed]:
    """`model.walk(plan)`, walked once for a plan however many checks ask (do not change it)."""
    global _last
    last = _last
    if last is not None and last[0]() is plan:
        return last[1]
    nodes = model.walk(plan)
    _last = (weakref.ref(plan), nodes)
    return nodes


def release(plan: model.PlanDefinition) -> None:
    """Forget the walk of `plan` (compile's, once it holds the ids): kept with a loaded plan,
    it was 7 MiB at 100,000 indicators, 70 at 1,000,000. Another walk of the same plan, for
    a second period's compile, is made again."""
    global _last
    last = _last
    if last is not None and last[0]() is plan:
        _last = None
