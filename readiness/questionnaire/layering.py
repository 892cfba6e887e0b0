"""A questionnaire that `extends:` another: a consultant's changes layered over a base.

The child names its base (a bundled questionnaire id, or a path relative to the child) and may:
- add domains and questions (new ids are appended; a new question joins the end of the list);
- change them: an entry whose id already exists is merged key by key over the base entry, so
  `{id: da_non_filing, weight: 5}` changes just the weight;
- remove them: `remove: {domains: [...], questions: [...]}` (removing a domain removes its questions);
- add `migrations` of its own.
Every merged part remembers the file and line it came from, so errors point at the right file.
"""
from __future__ import annotations

from pathlib import Path

from readiness.errors import FileProblems, Problem
from readiness.files import Located, read_yaml

MAX_DEPTH = 5
LISTS = ("domains", "questions")


def _base_path(child: Path, ref: object, line: int | None) -> Path:
    if not isinstance(ref, str) or not ref.strip():
        raise FileProblems([Problem("'extends' must name a questionnaire id or a file", file=child, line=line)])
    candidate = (child.parent / ref)
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        if not candidate.is_file():
            raise FileProblems([Problem(f"extends: file '{ref}' not found", file=child, line=line,
                                        hint="give a path relative to this file, or a bundled questionnaire id")])
        return candidate.resolve()
    from readiness import resources

    try:
        return resources.bundled_questionnaire(ref.strip())
    except Exception as exc:  # ReadinessError with the list of bundled ids
        raise FileProblems([Problem(str(exc).splitlines()[0], file=child, line=line,
                                    hint=getattr(exc, "hint", None))]) from None


def read_layered(path: Path, _depth: int = 0, _seen: tuple = (), *, files: list[Path] | None = None) -> Located:
    """Read a questionnaire file, merging it over its `extends:` chain. Every file read is appended
    to `files` when given (what a cached result depends on)."""
    path = Path(path)
    if files is not None:
        files.append(path)
    located = read_yaml(path, "questionnaire")
    data = located.data
    if not isinstance(data, dict) or "extends" not in data:
        if isinstance(data, dict) and "remove" in data:
            raise FileProblems([Problem("'remove' only makes sense with 'extends'", file=path,
                                        line=located.line_of(("remove",)))])
        return located
    if _depth >= MAX_DEPTH or path.resolve() in _seen:
        raise FileProblems([Problem("questionnaires extend each other in a loop (or more than 5 deep)",
                                    file=path, line=located.line_of(("extends",)))])
    base_file = _base_path(path, data["extends"], located.line_of(("extends",)))
    base = read_layered(base_file, _depth + 1, _seen + (path.resolve(),), files=files)
    return _merge(base, located)


def _origin(located: Located, loc: tuple) -> tuple[Path, int]:
    place = located.at(loc)
    return place["file"], place["line"] or 1


def _merge(base: Located, child: Located) -> Located:
    bdata, cdata = base.data, child.data
    if not isinstance(bdata, dict):
        return child
    origins: dict[tuple, tuple[Path, int]] = {(): (child.path, 1)}
    lines: dict[tuple, int] = {(): 1}
    merged: dict = {}
    removed = cdata.get("remove") or {}
    if not isinstance(removed, dict) or set(removed) - set(LISTS):
        raise FileProblems([Problem("'remove' takes 'domains' and/or 'questions' lists of ids",
                                    file=child.path, line=child.line_of(("remove",)))])
    for key in set(bdata) | set(cdata):
        if key in ("extends", "remove") or key in LISTS:
            continue
        source = child if key in cdata else base
        merged[key] = (cdata if key in cdata else bdata)[key]
        origins[(key,)] = _origin(source, (key,))
    gone_domains = set(removed.get("domains") or [])
    gone_questions = set(removed.get("questions") or [])
    for key in LISTS:
        items: list = []
        where: list[tuple[Located, tuple]] = []
        index: dict[object, int] = {}
        for i, item in enumerate(bdata.get(key) or []):
            if isinstance(item, dict):
                if item.get("id") in (gone_domains if key == "domains" else gone_questions):
                    continue
                if key == "questions" and item.get("domain") in gone_domains:
                    continue
                index.setdefault(item.get("id"), len(items))
            items.append(item)
            where.append((base, (key, i)))
        for i, item in enumerate(cdata.get(key) or []):
            ident = item.get("id") if isinstance(item, dict) else None
            if ident in index:
                pos = index[ident]
                items[pos] = {**items[pos], **item}
                where[pos] = (child, (key, i))
            else:
                if ident is not None:
                    index[ident] = len(items)
                items.append(item)
                where.append((child, (key, i)))
        merged[key] = items
        for pos, (source, loc) in enumerate(where):
            origins[(key, pos)] = _origin(source, loc)
            for sub in _sublocs(source, loc):
                origins[(key, pos) + sub] = _origin(source, loc + sub)
    gone = gone_questions | {q.get("id") for q in bdata.get("questions") or []
                             if isinstance(q, dict) and q.get("domain") in gone_domains}
    sets = merged.get("sets")
    if gone and isinstance(sets, dict) and "sets" not in cdata:  # a removed question leaves the base's sets too
        merged["sets"] = {name: ({**part, "questions": [x for x in part.get("questions") or [] if x not in gone]}
                                 if isinstance(part, dict) else part) for name, part in sets.items()}
    migrations = list(bdata.get("migrations") or []) + list(cdata.get("migrations") or [])
    if migrations:
        merged["migrations"] = migrations
    for loc, (_, line) in origins.items():
        lines[loc] = line
    return Located(merged, lines, child.path, origins)


def _sublocs(source: Located, prefix: tuple) -> list[tuple]:
    n = len(prefix)
    return [loc[n:] for loc in (source.origins or source.lines) if len(loc) > n and loc[:n] == prefix]
