"""The house's one direction of flow, checked on the code itself.

Every import in `readiness/` (at module level or inside a function) must point to the same room or
to a lower floor, and no two modules may import each other in a circle. The floors follow the
pipeline: questionnaire and answers -> assessment -> plan -> report data -> documents, with the
command line on top and a shared kernel at the bottom. A new module needs a floor here; a change
that makes a module reach upward fails with the import that does it.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "readiness"

# Lowest floor first. A room is a top-level module or subpackage of `readiness`.
FLOORS: list[set[str]] = [
    {"readiness", "errors", "markdown_text", "cache", "sandbox", "roundtrip"},  # foundations
    {"files", "console", "charts"},      # files on disk, the terminal, charts (each library behind one module)
    {"kernel"},                          # the shared kernel: strict models, load_model, located problems, statuses
    {"resources"},                       # bundled data, installed or in a checkout
    {"questionnaire"},
    {"jurisdiction"},                    # state profiles: titles, institutions and law of each state
    {"workspace"},                       # a site's answers
    {"assessment"},
    {"planning"},
    {"report"},                          # what the report and plan documents need, computed below the writer
    {"documents"},                       # the one writer of every document
    {"interview", "lint", "schemas"},    # front ends of the core, beside each other
    {"cli"},
    {"__main__"},                        # `python -m readiness`
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of readiness code in the file."""
    found = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "readiness"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] == "readiness":
                found.append((node.lineno, base))
    return found


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "readiness"


def _floor(room: str) -> int:
    for level, rooms in enumerate(FLOORS):
        if room in rooms:
            return level
    raise AssertionError(f"readiness/{room} has no floor in tests/test_architecture.py: give it one")


def _graph() -> dict[str, list[tuple[int, str]]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_room_has_a_floor():
    for module in _graph():
        _floor(_room(module))


def test_no_module_imports_upward():
    upward = []
    for module, imports in _graph().items():
        here = _room(module)
        for line, target in imports:
            there = _room(target)
            if there != here and _floor(there) >= _floor(here):
                upward.append(f"{module.replace('.', '/')}.py:{line} imports {target} "
                              f"({there} is not below {here})")
    assert not upward, "imports that reach up or sideways:\n" + "\n".join(upward)


def test_no_modules_import_each_other_in_a_circle():
    graph = _graph()
    modules = set(graph)

    def resolve(target: str) -> str | None:  # `from readiness.x import y` names module x (or x.y)
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: sorted({t for _, imp in graph[m] if (t := resolve(imp)) and t != m}) for m in modules}
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            raise AssertionError("circular imports: " + " -> ".join(trail[trail.index(node):] + [node]))
        if node in done:
            return
        for nxt in edges[node]:
            visit(nxt, trail + [node])
        done.add(node)

    for m in sorted(modules):
        visit(m, [])


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The same walk over a copy with one planted import from the assessment up to the documents."""
    import shutil

    copy = tmp_path / "readiness"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    planted = copy / "assessment" / "planted.py"
    planted.write_text("from readiness.documents.build import build_site\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", copy)
    try:
        test_no_module_imports_upward()
    except AssertionError as exc:
        assert "readiness/assessment/planted.py:1 imports readiness.documents.build" in str(exc)
    else:
        raise AssertionError("an upward import went unnoticed")
