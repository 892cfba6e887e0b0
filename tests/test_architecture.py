"""The house's one direction of flow, checked on the code itself.

Every import in `readiness/` (at module level or inside a function) must point to the same room or
to a lower floor, and no two modules may import each other in a circle. The floors follow the
pipeline: questionnaire and answers -> assessment -> plan -> report data -> documents, with the
command line on top and the shared kernel (`readiness/kernel`) below every layer, on the foundations
it uses (errors, files). A new module needs a floor here; a change
that makes a module reach upward fails with the import that does it.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "readiness"

# Lowest floor first. A room is a top-level module or subpackage of `readiness`.
FLOORS: list[set[str]] = [
    {"readiness", "errors", "markdown_text", "cache", "sandbox", "roundtrip", "forked",
     "plain_layout"},                    # foundations (plain_layout: text tables without rich, for console)
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
                # `from readiness.kernel import load` imports the module readiness.kernel.load
                found += [(node.lineno, f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base)
                          for a in node.names]
    return found


def _is_module(name: str) -> bool:
    where = PACKAGE.parent.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


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


# ---------------------------------------------------------------- the shared kernel

FOUNDATIONS = {"readiness", "errors", "markdown_text", "cache", "sandbox", "roundtrip", "forked", "files", "console",
               "charts", "plain_layout"}


def test_the_kernel_is_the_lowest_floor_above_the_foundations():
    """Every layer stands on the kernel; the kernel stands only on errors and files."""
    kernel = _floor("kernel")
    assert all(_floor(room) < kernel for room in FOUNDATIONS)
    assert all(kernel < level for level, rooms in enumerate(FLOORS) if rooms - FOUNDATIONS - {"kernel"})
    reached = {(module, _room(target)) for module, imports in _graph().items() if _room(module) == "kernel"
               for _, target in imports}
    assert {room for _, room in reached} <= {"kernel", "errors", "files"}, sorted(reached)


def test_the_check_catches_a_circular_import(tmp_path, monkeypatch):
    """Two planted modules of one room that import each other."""
    import shutil

    copy = tmp_path / "readiness"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "kernel" / "planted_a.py").write_text("from readiness.kernel import planted_b\n", encoding="utf-8")
    (copy / "kernel" / "planted_b.py").write_text("def f():\n    from readiness.kernel.planted_a import x\n",
                                                  encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", copy)
    try:
        test_no_modules_import_each_other_in_a_circle()
    except AssertionError as exc:
        assert "readiness.kernel.planted_a -> readiness.kernel.planted_b -> readiness.kernel.planted_a" in str(exc)
    else:
        raise AssertionError("a circular import went unnoticed")


def parse_and_validate_blocks(source: str) -> list[int]:
    """Lines of `try: X.model_validate(...) except ValidationError: <report or raise>` blocks: the
    "validate YAML against a model and report its problems" that `kernel.load.load_model` does once.
    (A `try` that only turns a failed validation into None or False is a test, not a loader.)"""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Try):
            continue
        validates = any(isinstance(n, ast.Attribute) and n.attr == "model_validate"
                        for stmt in node.body for n in ast.walk(stmt))
        for handler in node.handlers:
            names = {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(handler.type)
                     if isinstance(n, (ast.Name, ast.Attribute))} if handler.type is not None else set()
            reports = any(isinstance(n, ast.Raise) or isinstance(n, ast.Name) and n.id == "validation_problems"
                          or isinstance(n, ast.Attribute) and n.attr == "raise_if_any"
                          for stmt in handler.body for n in ast.walk(stmt))
            if validates and "ValidationError" in names and reports:
                found.append(node.lineno)
    return found


def _blocks_outside_the_kernel(package: Path) -> list[str]:
    return [f"{path.relative_to(package.parent)}:{line}" for path in sorted(package.rglob("*.py"))
            if path.relative_to(package).parts[0] != "kernel"
            for line in parse_and_validate_blocks(path.read_text(encoding="utf-8"))]


def test_parse_and_validate_is_written_once():
    kernel = parse_and_validate_blocks((PACKAGE / "kernel" / "load.py").read_text(encoding="utf-8"))
    assert len(kernel) == 1
    outside = _blocks_outside_the_kernel(PACKAGE)
    assert not outside, "validate a file with readiness.kernel.load.load_model, not by hand:\n" + "\n".join(outside)
    users = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                   if p.relative_to(PACKAGE).parts[0] != "kernel" and "validation_problems" in p.read_text("utf-8"))
    assert not users, f"validation_problems is the kernel's; use load_model: {users}"


def test_the_check_catches_a_second_parse_and_validate_block(tmp_path):
    copy = tmp_path / "readiness"
    (copy / "planning").mkdir(parents=True)
    (copy / "planning" / "planted.py").write_text(
        "from pydantic import ValidationError\n\n\ndef load(located, Model):\n    try:\n"
        "        return Model.model_validate(located.data)\n    except ValidationError as exc:\n"
        "        raise ValueError(str(exc)) from None\n", encoding="utf-8")
    assert _blocks_outside_the_kernel(copy) == [str(Path("readiness/planning/planted.py")) + ":5"]


DONT_KNOW_SPELLINGS = ("Don't know", "Don\u2019t know", "Don\\'t know")


def _dont_know_lines(package: Path) -> list[str]:
    return [f"{path.relative_to(package.parent)}:{number}" for path in sorted(package.rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if any(word in line for word in DONT_KNOW_SPELLINGS)]


def test_dont_know_is_written_once_in_the_code():
    """The words shown for a status come from the one table (readiness.kernel.statuses), so no code
    can compare them as text. Questionnaires and templates keep their own wording."""
    lines = _dont_know_lines(PACKAGE)
    assert len(lines) == 1 and lines[0].startswith(str(Path("readiness/kernel/statuses.py"))), (
        "use readiness.kernel.statuses (DONT_KNOW, status_label) instead of the words:\n" + "\n".join(lines))


def test_the_check_catches_a_second_dont_know(tmp_path):
    copy = tmp_path / "readiness"
    (copy / "report").mkdir(parents=True)
    (copy / "report" / "planted.py").write_text('def shown(a):\n    return a.display != "Don\'t know"\n',
                                                encoding="utf-8")
    assert _dont_know_lines(copy) == [str(Path("readiness/report/planted.py")) + ":2"]


def test_every_file_format_stands_on_a_kernel_base():
    """One strict base (unknown keys refused) for every model: no module outside the kernel makes its
    own pydantic base or config."""
    own = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "kernel":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if named in ("BaseModel", "ConfigDict") or isinstance(node, ast.keyword) and node.arg == "__config__":
                own.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not own, "build models on readiness.kernel.models (Strict, StrictVerbatim, StrictEditable):\n" + "\n".join(own)


def _display_text_comparisons(package: Path) -> list[str]:
    """`x.display == "..."`, `x.display not in ("", "...")`: a status read back from the words shown."""
    def words(node: ast.AST) -> bool:
        items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
        return any(isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value for i in items)

    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == "display" for s in sides) and any(map(words, sides)):
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def test_no_code_compares_the_words_shown_for_an_answer():
    found = _display_text_comparisons(PACKAGE)
    assert not found, "compare the answer's status (readiness.kernel.statuses), not its display text:\n" + "\n".join(found)


def test_the_check_catches_a_comparison_with_display_text(tmp_path):
    copy = tmp_path / "readiness"
    (copy / "assessment").mkdir(parents=True)
    (copy / "assessment" / "planted.py").write_text(
        "def unsure(given):\n    return [a for a in given if a.display not in ('', 'Skipped')]\n", encoding="utf-8")
    assert _display_text_comparisons(copy) == [str(Path("readiness/assessment/planted.py")) + ":2"]
