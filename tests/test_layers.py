"""The package's imports run one way: no module imports, however indirectly, one that imports it.

The layers themselves (cli > report > tools > api > engine > check > syntax > model > files >
diagnostics) are an import-linter contract in pyproject.toml, held by `lint-imports` in CI; the
contract cannot see a circle inside one layer, which this test looks for on grimp's graph of
the package (grimp is import-linter's own graph builder, installed with it).
"""

from __future__ import annotations

import grimp


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan), each a circle of imports."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


# The one import allowed against the flow (pyproject's contract names it too): the exceptions
# name the diagnostics they carry in annotations only, under TYPE_CHECKING, never at run time.
TYPE_ONLY = [("scorelang.errors", "scorelang.diagnostics")]


def test_no_module_of_scorelang_imports_itself_through_others():
    graph = grimp.build_graph("scorelang")
    for importer, imported in TYPE_ONLY:
        graph.remove_import(importer=importer, imported=imported)
    assert import_cycles(graph) == []


def test_the_imports_allowed_against_the_flow_are_for_the_type_checker_only():
    graph = grimp.build_graph("scorelang", exclude_type_checking_imports=True)
    for importer, imported in TYPE_ONLY:
        assert not graph.direct_import_exists(importer=importer, imported=imported)


def test_the_cycle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
