"""The package has no import cycles: the graph holds every import of every module under
src/creatorlake, those placed inside functions too, so no cycle can hide in one."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "creatorlake"


def module_names(source_root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its __init__.py)."""
    names = {}
    for path in sorted((source_root / package).rglob("*.py")):
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _imported(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """The dotted names an import statement asks for: a submodule where `from x import y` names one, else x."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: counted from the importer's package
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def import_graph(source_root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, wherever in the module the import sits."""
    modules = module_names(source_root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                asked = _imported(node, name, path.name == "__init__.py")
                submodules = [n for n in asked[1:] if n in modules] if isinstance(node, ast.ImportFrom) else []
                targets |= set(submodules) or {n for n in asked if n in modules}
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as the modules along it (the first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph.get(module, ())):
            if target in on_path:
                return path[path.index(target):] + [target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph(REPO_ROOT / "src", PACKAGE)
    assert len(graph) > 20 and "creatorlake.cli" in graph  # it read the package, not an empty folder
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    _write(tmp_path, {
        "toy/__init__.py": "",
        "toy/core/__init__.py": "",
        "toy/core/session.py": "def start():\n    from toy.server import running\n    return running()\n",
        "toy/server.py": "from toy.core import session\n\ndef running():\n    return session\n",
        "toy/cli.py": "import toy.server\n",
    })
    graph = import_graph(tmp_path, "toy")
    assert graph["toy.cli"] == {"toy.server"}
    cycle = find_cycle(graph)
    assert cycle is not None
    assert set(cycle) == {"toy.core.session", "toy.server"} and cycle[0] == cycle[-1]


def test_relative_imports_count_and_an_acyclic_package_passes(tmp_path):
    _write(tmp_path, {
        "toy/__init__.py": "",
        "toy/a.py": "from . import b\nfrom .c import thing\n",
        "toy/b.py": "from toy.c import thing\n",
        "toy/c.py": "thing = 1\n",
    })
    graph = import_graph(tmp_path, "toy")
    assert graph["toy.a"] == {"toy.b", "toy.c"} and graph["toy.b"] == {"toy.c"}
    assert find_cycle(graph) is None
    (tmp_path / "toy/c.py").write_text("def late():\n    from .a import b\n")
    cycle = find_cycle(import_graph(tmp_path, "toy"))
    assert cycle is not None and cycle[0] == cycle[-1] == "toy.a" and "toy.c" in cycle
