"""Load a questionnaire file and check it whole, reporting every problem with file and line."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from readiness.errors import Collected
from readiness.files import Located
from readiness.kernel.load import load_model
from readiness.kernel.problems import describe, did_you_mean
from readiness.questionnaire.conditions import ConditionError, names_in
from readiness.questionnaire.models import Questionnaire


def _fields_for(loc: tuple) -> list[str]:
    """The keys allowed at `loc`, for 'did you mean' on unknown keys."""
    from readiness.questionnaire import models as m

    model: type[m.Strict] = m.Questionnaire
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return []
        ann = info.annotation
        nested = next((t for t in getattr(ann, "__args__", (ann,)) if isinstance(t, type) and issubclass(t, m.Strict)), None)
        if nested is None:
            args = getattr(ann, "__args__", ())
            nested = next((a for arg in args for a in getattr(arg, "__args__", (arg,))
                           if isinstance(a, type) and issubclass(a, m.Strict)), None)
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def cross_check(q: Questionnaire, located: Located) -> Collected:
    """Checks pydantic cannot make alone: unique ids, known domains, conditions, cycles, facts."""
    out = Collected()

    def where(i: int, key: str | None = None) -> dict:
        loc = ("questions", i) + ((key,) if key else ())
        return {**located.at(loc), "where": describe(located, loc)}

    domain_ids = [d.id for d in q.domains]
    for i, d in enumerate(q.domains):
        if domain_ids.index(d.id) != i:
            out.add(f"duplicate domain id '{d.id}'", where=f"domains[{i}]", **located.at(("domains", i, "id")))
    seen: dict[str, int] = {}
    facts: dict[str, str] = {}
    for i, question in enumerate(q.questions):
        if question.id in seen:
            out.add(f"duplicate question id '{question.id}' (first used at questions[{seen[question.id]}])",
                    **where(i, "id"))
        seen.setdefault(question.id, i)
        if question.domain not in domain_ids:
            out.add(f"unknown domain '{question.domain}'", hint=did_you_mean(question.domain, domain_ids),
                    **where(i, "domain"))
        elif not q.domains_by_id[question.domain].scored and (question.gate or question.gap):
            out.add("gates and gaps need a question in a scored domain", **where(i, "gate" if question.gate else "gap"))
        if question.fact:
            if question.fact in facts:
                out.add(f"fact '{question.fact}' is already set by question '{facts[question.fact]}'",
                        **where(i, "fact"))
            facts.setdefault(question.fact, question.id)
    order = {qid: i for qid, i in seen.items()}
    role_ids = [r.id for r in q.respondent_roles]
    for i, r in enumerate(q.respondent_roles):
        if role_ids.index(r.id) != i:
            out.add(f"duplicate respondent role '{r.id}'", where=f"respondent_roles[{i}]",
                    **located.at(("respondent_roles", i, "id")))
    for i, question in enumerate(q.questions):
        for key in question.text_by_role:
            if key not in role_ids:
                out.add(f"text_by_role names '{key}', which is not a respondent role",
                        hint=did_you_mean(key, role_ids) or ("respondent roles: " + ", ".join(role_ids) if role_ids
                                                             else "list the roles under respondent_roles"),
                        **where(i, "text_by_role"))
        if question.derive:
            try:
                names = names_in(question.derive)
            except ConditionError as exc:
                out.add(str(exc).replace("condition", "derive expression", 1), **where(i, "derive"))
                continue
            for name in sorted(names):
                if name not in order or order[name] >= i:
                    out.add(f"derive names '{name}', which is not an earlier question",
                            hint=did_you_mean(name, order), **where(i, "derive"))
        if question.derive and question.from_site:
            out.add("a question takes its answer from `derive` or `from_site`, not both", **where(i, "derive"))
    for name, part in q.sets.items():
        loc = ("sets", name, "questions")
        listed: set[str] = set()
        for j, qid in enumerate(part.questions):
            if qid not in order:
                out.add(f"set '{name}' names unknown question '{qid}'", hint=did_you_mean(qid, order),
                        where=f"sets.{name}.questions[{j}]", **located.at(loc + (j,)))
            elif q.by_id[qid].scope != "site":
                out.add(f"set '{name}' names '{qid}', a respondent question (sets hold site questions)",
                        where=f"sets.{name}.questions[{j}]", **located.at(loc + (j,)))
            elif qid in listed:
                out.add(f"set '{name}' names '{qid}' twice", where=f"sets.{name}.questions[{j}]",
                        **located.at(loc + (j,)))
            listed.add(qid)
    deps: dict[str, set[str]] = {}
    for i, question in enumerate(q.questions):
        if not question.when:
            continue
        try:
            names = names_in(question.when)
        except ConditionError as exc:
            out.add(str(exc), **where(i, "when"))
            continue
        deps[question.id] = names
        for name in sorted(names):
            if name not in order:
                out.add(f"condition names unknown question '{name}'", hint=did_you_mean(name, order),
                        **where(i, "when"))
            elif name == question.id:
                out.add("condition refers to its own question", **where(i, "when"))
            elif order[name] > i:
                out.add(f"condition refers to '{name}', which is asked later", hint="move the question earlier, "
                        "or make the condition depend on earlier answers", **where(i, "when"))
    _check_cycles(deps, out, located)
    _check_wording(located, out)
    return out


def _check_wording(located: Located, out: Collected) -> None:
    """Every `{name}` in a question's prose must be a title the state profiles fill in."""
    from readiness.questionnaire.wording import WORDING_NAMES, prose, unknown_names

    for loc, text in prose(located.data):
        for name in unknown_names(text):
            out.add(f"unknown title '{{{name}}}' in the text", where=describe(located, loc),
                    hint=did_you_mean(name.lower(), WORDING_NAMES) or
                    "use one of " + ", ".join("{" + n + "}" for n in WORDING_NAMES), **located.at(loc))


def _check_cycles(deps: dict[str, set[str]], out: Collected, located: Located) -> None:
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(deps.get(node, set()) - {node}):  # self-reference is reported on its own
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                out.add("conditions form a cycle: " + " -> ".join(cycle), file=located.path)
            elif nxt in deps and not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(deps):
        if not state.get(node):
            visit(node, [node])


def parse_questionnaire(located: Located) -> Questionnaire:
    """Validate already-read YAML; raises FileProblems listing every problem."""
    q = load_model(Questionnaire, located, fields_for=_fields_for, not_a_mapping=(
        "a questionnaire must be a mapping with id, version, title, domains and questions"))
    cross_check(q, located).raise_if_any()
    return q


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int, size: int) -> Questionnaire:
    from readiness.questionnaire import checked

    return checked.load(Path(path), lambda files: _load_and_check(Path(path), files))


def _load_and_check(path: Path, files: list[Path]) -> Questionnaire:
    from readiness.questionnaire.layering import read_layered

    return parse_questionnaire(read_layered(path, files=files))


def load_questionnaire(path: Path) -> Questionnaire:
    """Load, layer (`extends:`) and check a questionnaire; cached per file version."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        from readiness.questionnaire.layering import read_layered

        return parse_questionnaire(read_layered(path))
    return _load_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)
