"""Import cycles among a package's modules: strongly connected components of the import graph.

    .venv/bin/python scripts/import_cycles.py              # dataguard and jobs
    .venv/bin/python scripts/import_cycles.py dataguard    # one package
    .venv/bin/python scripts/import_cycles.py --runtime-only dataguard
    .venv/bin/python scripts/import_cycles.py --graph      # + who imports whom, by package

Why: import-linter's contracts check layers between packages, not loops between modules, and a
loop hidden in a function-level (lazy) import still ties modules together: neither can be read,
tested or moved without the other. Every import counts (module level, in functions and, unless
``--runtime-only``, under ``if TYPE_CHECKING``). Each component of more than one module is
printed with one cycle through it and the lines that make it; the exit code is 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import grimp


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (import graphs are deep enough to hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def one_cycle(graph: Mapping[str, Iterable[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first inside it)."""
    start, members = component[0], set(component)
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child not in members or child in parents:
                    continue
                parents[child] = node
                if child == start:
                    path = [start]
                    while path[-1] != start or len(path) == 1:
                        path.append(parents[path[-1]])
                    return list(reversed(path))
                following.append(child)
        frontier = following
    return [start]


def import_graph(packages: list[str], runtime_only: bool) -> tuple[Any, dict[str, set[str]]]:
    built = grimp.build_graph(*packages, exclude_type_checking_imports=runtime_only, cache_dir=None)
    graph = {
        module: set(built.find_modules_directly_imported_by(module)) for module in built.modules
    }
    return built, graph


def package_graph(graph: Mapping[str, Iterable[str]], depth: int = 2) -> dict[str, set[str]]:
    """The module graph folded to packages (``dataguard.store.queries.x`` → ``dataguard.store``)."""
    def fold(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    folded: dict[str, set[str]] = {}
    for importer, imported in graph.items():
        edges = folded.setdefault(fold(importer), set())
        edges.update(fold(m) for m in imported if fold(m) != fold(importer))
    return folded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=["dataguard", "jobs"])
    parser.add_argument("--runtime-only", action="store_true",
                        help="ignore imports under `if TYPE_CHECKING`")
    parser.add_argument("--graph", action="store_true",
                        help="also print each package's imports of the others")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `jobs` is not installed
    built, graph = import_graph(args.packages, args.runtime_only)
    if args.graph:
        for package, imported in sorted(package_graph(graph).items()):
            print(f"{package} -> {', '.join(sorted(imported)) or '(nothing)'}")
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    for number, component in enumerate(sorted(cycles, key=lambda c: (-len(c), c)), start=1):
        print(f"cycle {number}: {len(component)} modules: {', '.join(component)}")
        path = one_cycle(graph, component)
        for importer, imported in zip(path, path[1:], strict=False):
            details = built.get_import_details(importer=importer, imported=imported)
            where = ", ".join(f"line {d['line_number']}" for d in details) or "?"
            print(f"  {importer} -> {imported}  ({where})")
    total = len(graph)
    print(f"{len(cycles)} import cycle(s) among {total} modules of {', '.join(args.packages)}")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
