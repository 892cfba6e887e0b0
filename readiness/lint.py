"""`lint`: check a questionnaire and a template pack together, reporting every problem at once.

It finds what would otherwise surface only when a county's draft is built: schema errors, conditions
that can never hold (so their questions are never asked), template syntax errors, names and
attributes no questionnaire fact declares, `has_gap('...')` with an unknown question id, pack entries
whose template is missing, broken state profiles, `if` branches on an answer's value that never look
at its state (so "don't know" would read as "no"), and branches on `has_gap()`, `gap()` or
`gate().status` that never tell a "don't know" (a verify item) from a gap; `{name}` titles in pack.yaml
and standard-tasks files that no state profile fills in; and, as warnings, facts no template uses.
It then renders the pack for every bundled example and for a site with no answers, checks that each
program term has one value across the documents, and runs the build's text check
(`documents/prose_check.py`) over what it rendered: each finding is a warning naming the template,
the document and its line, as `build` prints it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jinja2 import TemplateSyntaxError, meta, nodes

from readiness import resources
from readiness.errors import FileProblems, Problem, ReadinessError
from readiness.kernel.problems import did_you_mean
from readiness.questionnaire.loader import load_questionnaire
from readiness.questionnaire.models import Question, Questionnaire

FACT_ATTRIBUTES = ("value", "status", "answered", "question", "label", "placeholder",
                   "known", "unknown", "notapplicable", "asked", "isyes", "isno")
# What counts as handling a fact's answer state in an if-chain (README "Answer states in templates").
STATE_ATTRIBUTES = ("answered", "known", "unknown", "notapplicable", "asked", "isyes", "isno")
STATE_TESTS = ("answered", "unanswered")
LOOKUP_FUNCTIONS = ("gap", "has_gap", "gate")


@dataclass
class LintReport:
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was looked at, for the summary

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def lint(questionnaire: Path | None = None, templates: Path | None = None) -> LintReport:
    report = LintReport()
    q_path = Path(questionnaire) if questionnaire else resources.bundled_questionnaire()
    q = _questionnaire(q_path, report)
    folders = resources.template_folders(None, Path(templates) if templates else None)
    _templates(folders, q, report)
    _wording_names(folders, report)
    _state_profiles(folders, report)
    if q is not None and not report.errors:  # rendering a pack that has errors would only repeat them
        _program_terms(folders, q, report)
        if not report.errors:
            _pack_consistency(folders, q_path, q, report)
    return report


# ---------------------------------------------------------------- questionnaire


def _questionnaire(path: Path, report: LintReport) -> Questionnaire | None:
    report.checked.append(f"questionnaire {path}")
    try:
        q = load_questionnaire(path)
    except FileProblems as exc:
        report.problems.extend(exc.problems)
        return None
    except ReadinessError as exc:
        report.problems.append(Problem(exc.message, file=path, hint=exc.hint))
        return None
    from readiness.files import read_yaml

    located = read_yaml(path, "questionnaire")
    for i, question in enumerate(q.questions):
        if question.when:
            for message, hint in _impossible_comparisons(question.when, q):
                line = _line_of_question(located, question.id, i)
                report.problems.append(Problem(f"{message}, so '{question.id}' is never asked", file=path,
                                               line=line, where=f"questions[{i}] ({question.id}).when", hint=hint))
    return q


def _line_of_question(located, qid: str, index: int) -> int | None:
    data = located.data.get("questions") if isinstance(located.data, dict) else None
    if isinstance(data, list):
        for j, item in enumerate(data):
            if isinstance(item, dict) and item.get("id") == qid:
                return located.line_of(("questions", j, "when")) or located.line_of(("questions", j))
    return None  # defined in a base questionnaire this one extends


def _impossible_comparisons(expression: str, q: Questionnaire) -> Iterable[tuple[str, str | None]]:
    """Comparisons of an answer with a value it can never take ('active' vs choices, 'yes' vs a yes/no)."""
    from readiness.questionnaire.conditions import parse_condition

    ast = parse_condition(expression)
    for cmp in ast.find_all(nodes.Compare):
        operands = [cmp.expr] + [op.expr for op in cmp.ops]
        names = [o.name for o in operands if isinstance(o, nodes.Name) and o.name in q.by_id]
        literals = [v for o in operands for v in _literals(o)]
        for name in names:
            question = q.by_id[name]
            for value in literals:
                problem = _impossible(question, value)
                if problem:
                    yield problem


def _literals(node: nodes.Node) -> list[Any]:
    if isinstance(node, nodes.Const):
        return [node.value]
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return [item.value for item in node.items if isinstance(item, nodes.Const)]
    return []


def _impossible(question: Question, value: Any) -> tuple[str, str | None] | None:
    if value is None:
        return None
    if question.type in ("choice", "multi"):
        values = [c.value for c in question.choices]
        if value not in values:
            return (f"the condition compares '{question.id}' with {value!r}, which is not one of its choices",
                    did_you_mean(str(value), values) or "choices: " + ", ".join(values))
    elif question.type == "yes_no" and not isinstance(value, bool):
        return (f"the condition compares yes/no question '{question.id}' with {value!r}",
                "yes/no answers are true or false, e.g. `" + question.id + " == true`")
    elif question.type in ("number", "scale") and (isinstance(value, (str, bool))):
        return (f"the condition compares number question '{question.id}' with {value!r}", "compare with a number")
    return None


# ---------------------------------------------------------------- templates


def _sample_variables(q: Questionnaire, folders: list[Path] | None = None) -> dict[str, Any]:
    """A render context with no answers: the names and attributes every template may use."""
    import datetime as _dt

    from readiness.assessment import assess
    from readiness.documents.context import DocInfo, build_context

    a = assess(q, {}, [], site="lint", state="NC")
    ctx = build_context(q, {}, [], a, site_name="lint", state="NC", template_folders=folders)
    return ctx.for_document(DocInfo("lint", "Lint", 1, _dt.date.today()))


def _templates(folders: list[Path], q: Questionnaire | None, report: LintReport) -> None:
    from readiness.documents.environment import make_environment
    from readiness.documents.pack import load_pack

    try:
        pack = load_pack(folders)
        report.checked.append(f"pack {pack.ref} ({len(pack.documents)} documents)")
    except FileProblems as exc:
        report.problems.extend(exc.problems)
        pack = None
    except ReadinessError as exc:
        report.problems.append(Problem(exc.message, hint=exc.hint))
        return
    folders = list(pack.folders) if pack is not None else _used_folders(folders)
    env = make_environment(folders)
    variables = None
    if q is not None:
        try:
            variables = _sample_variables(q, folders)
        except FileProblems:  # a broken program-terms.yaml: reported by _program_terms
            variables = _sample_variables(q)
    used_facts: set[str] = set()
    names = _template_names(folders)
    report.checked.append(f"{len(names)} templates")
    extras = _supplied_variables(q, pack, report) if q is not None else {}
    copies = _each_variables(pack, env, variables) if variables is not None and pack is not None else {}
    for name, path in names.items():
        try:  # never waits on a FIFO, never reads a device or a huge file
            from readiness.documents.environment import MAX_TEMPLATE_BYTES
            from readiness.files import read_text

            source = read_text(path, "template", limit=MAX_TEMPLATE_BYTES, kind="template")
        except FileProblems as exc:
            report.problems.extend(exc.problems)
            continue
        try:
            ast = env.parse(source, name, str(path))
        except TemplateSyntaxError as exc:
            report.problems.append(Problem(exc.message or "syntax error", file=path, line=exc.lineno,
                                           hint="fix the template's Jinja syntax"))
            continue
        if variables is not None and q is not None:
            try:
                # The build's own outputs (readiness report, plan) describe the assessment, not the
                # parties; the answer-state rule is for the pack's documents and partials.
                _check_names(ast, path, {**variables, **copies.get(name, {}), **extras.get(name, {})}, q, env, report,
                             used_facts, check_states=name not in extras)
            except TemplateSyntaxError as exc:  # an unknown filter or test, found while analysing names
                report.problems.append(Problem(exc.message or "syntax error", file=path, line=exc.lineno,
                                               hint="fix the template's Jinja syntax"))
    if q is not None and variables is not None and pack is not None:
        for doc in pack.documents:  # a pack's `when:`, `for_each:` and `key:` see the same names as its templates
            for expression, line, seen in ((doc.when, doc.when_line, variables),
                                           (doc.for_each, doc.for_each_line, variables),
                                           (doc.key, doc.for_each_line, {**variables, **copies.get(doc.template, {})})):
                if not expression:
                    continue
                try:
                    ast = env.parse("{{ (" + expression + ") }}")
                    _check_names(ast, doc.pack_file, seen, q, env, report, used_facts, at_line=line,
                                 check_states=False)
                except TemplateSyntaxError as exc:
                    report.problems.append(Problem(exc.message or "syntax error", file=doc.pack_file, line=line))
        from readiness.documents.terms import TERMS

        for term in {u.split(".")[1] for u in used_facts if u.startswith("terms.") and u.count(".") >= 1}:
            question = q.by_id.get(qid) if term in TERMS and (qid := TERMS[term].question) else None
            if question is not None and question.fact:  # `terms.caseload_cap` uses the answer to caseload_cap
                used_facts.update({question.fact, question.fact.split(".")[0]})  # as naming the fact itself would
        for fact, question in q.facts().items():
            if not any(u == fact or u.startswith(fact + ".") or fact.startswith(u + ".") for u in used_facts):
                report.problems.append(Problem(f"fact '{fact}' (question '{question.id}') is not used by any template",
                                               severity="warning"))


def _each_variables(pack, env, variables: dict) -> dict[str, dict]:
    """`each`, which the templates of `for_each` documents see, by template name: its first item from
    an unanswered site (the names that item has), else no item."""
    from readiness.documents.build import each_namespace
    from readiness.documents.environment import evaluate_expression

    out: dict[str, dict] = {}
    for doc in pack.documents:
        if not doc.for_each:
            continue
        try:
            items = list(evaluate_expression(env, doc.for_each, variables))
        except Exception:  # noqa: BLE001 - a broken expression is reported by the name check of `for_each:`
            items = []
        out.setdefault(doc.template, {})["each"] = each_namespace(items[0] if items else None, 0, 1, "")
    return out


def _supplied_variables(q: Questionnaire, pack, report: LintReport) -> dict[str, dict]:
    """The names documents with `needs:` in pack.yaml (the readiness report, the plan) add to their
    templates, by template name, as sample values from an unanswered site. Problems of the pack's
    standard tasks file, which those values come from, are reported too."""
    from readiness.documents.build import links, supplied_names
    from readiness.report.outputs import sample_supplies

    if pack is None:  # pack.yaml itself has problems: the bundled declarations still say what its templates need
        from readiness.documents.pack import load_pack

        try:
            pack = load_pack([resources.templates_dir()])
        except (FileProblems, ReadinessError):
            return {}
    needing = [d for d in pack.documents if d.needs]
    if not needing:
        return {}
    supplies, problems = sample_supplies(q, pack.folders)
    out: dict[str, dict] = {}
    for doc in needing:
        out.setdefault(doc.template, {}).update(supplied_names(supplies.data(doc.needs, links(doc, pack.documents))))
    report.problems.extend(problems)
    return out


def _used_folders(folders: list[Path]) -> list[Path]:
    """The folders a pack draws on: up to and including the first `standalone: true` pack."""
    from readiness.files import read_yaml

    used = []
    for folder in folders:
        used.append(folder)
        try:
            data = read_yaml(folder / "pack.yaml", "pack file").data if (folder / "pack.yaml").is_file() else {}
        except FileProblems:
            data = {}
        if isinstance(data, dict) and data.get("standalone") is True:
            break
    return used


def _template_names(folders: list[Path]) -> dict[str, Path]:
    """Every template the loader can see, each under the path that wins (first folder)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.j2")):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return found


def _check_names(ast, path: Path, variables: dict, q: Questionnaire, env, report: LintReport,
                 used: set[str], at_line: int | None = None, check_states: bool = True) -> None:
    """Names, fact attributes and lookup ids a template (or a pack `when:`, at `at_line`) uses; with
    `check_states`, also if-chains deciding on an answer's value without handling its unknown state."""
    before = len(report.problems)
    _check_names_in(ast, path, variables, q, env, report, used, check_states)
    if at_line is not None:
        for i in range(before, len(report.problems)):
            p = report.problems[i]
            report.problems[i] = Problem(p.message, file=p.file, line=at_line, where=p.where, hint=p.hint,
                                         severity=p.severity)


def _check_names_in(ast, path: Path, variables: dict, q: Questionnaire, env, report: LintReport,
                    used: set[str], check_states: bool = True) -> None:
    # Jinja counts a name set only inside an `if` as possibly undeclared; anything the template
    # assigns somewhere is its own variable, not a fact.
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    free = meta.find_undeclared_variables(ast) - assigned
    known = set(variables) | set(env.globals)
    for name in sorted(free - known):
        line = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), None)
        report.problems.append(Problem(f"'{name}' is not a fact the questionnaire declares, nor a built-in",
                                       file=path, line=line, hint=did_you_mean(name, known)))
    for node in ast.find_all(nodes.Getattr):
        chain = _chain(node)
        if chain is None or chain[0] not in free or chain[0] not in variables:
            continue
        problem = _resolve(chain, variables)
        if problem:
            report.problems.append(Problem(problem[0], file=path, line=node.lineno, hint=problem[1]))
        else:
            used.add(".".join(chain))
    for name in free & set(variables):
        used.add(name)
    for line, fact in _unguarded_branches(ast, variables, free) if check_states else ():
        report.problems.append(Problem(
            f"'{fact}' decides a branch, but no test in the if-chain handles an unknown answer "
            "(it would read as 'no')", file=path, line=line,
            hint=f"add a {fact}.known or {fact}.unknown test (or use {fact}.isyes / {fact}.isno) "
                 "and give the unknown case an open item"))
    for line, call, qid in _unguarded_lookups(ast, variables, free, q) if check_states else ():
        qfact = q.by_id[qid].fact
        test = f"a {qfact}.known or {qfact}.unknown test, or " if qfact else ""
        if call == "gate":
            report.problems.append(Problem(
                f"gate('{qid}').status decides a branch, but no test handles an unknown answer (its status is "
                "then 'unknown', which would read as not met)", file=path, line=line,
                hint=f"add {test}a branch for gate('{qid}').status == 'unknown', with an open item"))
        else:
            report.problems.append(Problem(
                f"{call}('{qid}') decides a branch, but nothing in the if-chain handles an unknown answer "
                f"(a \"don't know\" is a verify item, so {call}() is true and the branch would state a gap)",
                file=path, line=line,
                hint=f"add {test}a gap('{qid}').kind == 'verify' test, and give the unknown case an open item"))
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in LOOKUP_FUNCTIONS and call.args:
            arg = call.args[0]
            if isinstance(arg, nodes.Const) and arg.value not in q.by_id:
                report.problems.append(Problem(f"{call.node.name}('{arg.value}') names an unknown question",
                                               file=path, line=call.lineno, hint=did_you_mean(arg.value, q.by_id)))


def _fact_path(node: nodes.Node, variables: dict, free: set[str]) -> str | None:
    """The dotted name of the fact an expression is (`da.non_filing`, `da.non_filing.value`), else None."""
    from readiness.documents.facts import Fact

    if isinstance(node, nodes.Getattr) and node.attr == "value":
        node = node.node
    if isinstance(node, nodes.Name):
        chain: list[str] | None = [node.name]
    elif isinstance(node, nodes.Getattr):
        chain = _chain(node)
    else:
        return None
    if not chain or chain[0] not in free or chain[0] not in variables:
        return None
    current: Any = variables[chain[0]]
    for attr in chain[1:]:
        try:
            current = current[attr]
        except (KeyError, TypeError):
            return None
    return ".".join(chain) if isinstance(current, Fact) else None


def _branch_uses(test: nodes.Node, variables: dict, free: set[str]) -> tuple[dict[str, int], set[str]]:
    """In one `if` test: facts whose value decides the branch (`x`, `not x`, `x == 'v'`, `'v' in x`) with
    their line, and facts whose answer state the test looks at (`x.known`, `x is answered` ...)."""
    values: dict[str, int] = {}
    states: set[str] = set()

    def value_operand(node: nodes.Node) -> None:
        if isinstance(node, nodes.Not):
            value_operand(node.node)
        elif isinstance(node, (nodes.And, nodes.Or)):
            value_operand(node.left)
            value_operand(node.right)
        elif isinstance(node, nodes.Compare):
            for operand in [node.expr] + [op.expr for op in node.ops]:
                fact = _fact_path(operand, variables, free)
                if fact:
                    values.setdefault(fact, node.lineno)
        else:
            fact = _fact_path(node, variables, free)
            if fact:
                values.setdefault(fact, node.lineno)

    value_operand(test)
    for node in [test, *test.find_all((nodes.Getattr, nodes.Test))]:
        if isinstance(node, nodes.Getattr) and node.attr in STATE_ATTRIBUTES:
            fact = _fact_path(node.node, variables, free)
        elif isinstance(node, nodes.Test) and node.name in STATE_TESTS:
            fact = _fact_path(node.node, variables, free)
        else:
            fact = None
        if fact:
            states.add(fact)
    return values, states


def _unguarded_branches(ast, variables: dict, free: set[str]) -> list[tuple[int, str]]:
    """(line, fact) for each if-chain (or `a if x else b`) deciding on a fact's value while neither the
    chain nor an enclosing `if` tests that fact's answer state."""
    found: list[tuple[int, str]] = []

    def walk(node: nodes.Node, guarded: frozenset) -> None:
        if isinstance(node, (nodes.If, nodes.CondExpr)):
            branches = [node] + (list(node.elif_) if isinstance(node, nodes.If) else [])
            values: dict[str, int] = {}
            states: set[str] = set()
            for branch in branches:
                v, st = _branch_uses(branch.test, variables, free)
                for fact, line in v.items():
                    values.setdefault(fact, line)
                states |= st
            inner = guarded | states
            for fact, line in values.items():
                if fact not in inner:
                    found.append((line, fact))
            for branch in branches:
                walk(branch.test, guarded)
                for child in (branch.body if isinstance(branch, nodes.If) else [branch.expr1]):
                    walk(child, inner)
            tail = node.else_ if isinstance(node, nodes.If) else ([node.expr2] if node.expr2 is not None else [])
            for child in tail:
                walk(child, inner)
            return
        for child in node.iter_child_nodes():
            walk(child, guarded)

    walk(ast, frozenset())
    return sorted(set(found))


def _lookup_call(node: nodes.Node, q: Questionnaire) -> tuple[str, str] | None:
    """(function, question id) for `has_gap('x')`, `gap('x')` or `gate('x')` naming a known question."""
    if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in LOOKUP_FUNCTIONS
            and node.args and isinstance(node.args[0], nodes.Const) and node.args[0].value in q.by_id):
        return node.node.name, node.args[0].value
    return None


def _lookup_deciders(test: nodes.Node, q: Questionnaire) -> dict[tuple[str, str], int]:
    """In one `if` test: `has_gap('x')` and `gap('x')` (or an attribute of it) deciding the branch, and
    `gate('x').status` compared with a value, each with its line. `gate('x')` alone only asks whether
    the question is a launch requirement, which no answer changes."""
    found: dict[tuple[str, str], int] = {}

    def operand(node: nodes.Node, compared: bool = False) -> None:
        if isinstance(node, nodes.Not):
            operand(node.node)
        elif isinstance(node, (nodes.And, nodes.Or)):
            operand(node.left)
            operand(node.right)
        elif isinstance(node, nodes.Compare):
            for side in [node.expr] + [op.expr for op in node.ops]:
                operand(side, compared=True)
        else:
            if isinstance(node, nodes.Getattr) and node.attr != "kind":
                call = _lookup_call(node.node, q)
                if call and (call[0] == "gap" or (call[0] == "gate" and node.attr == "status" and compared)):
                    found.setdefault(call, node.lineno)
                return
            call = _lookup_call(node, q)
            if call and call[0] in ("has_gap", "gap"):
                found.setdefault(call, node.lineno)

    operand(test)
    return found


def _lookup_states(node: nodes.Node, variables: dict, free: set[str], q: Questionnaire) -> set[str]:
    """What in a subtree handles a lookup's unknown case: a state test of a fact (`x.known`, `x is
    answered`...), `gap('x').kind` (a verify item or a gap), `gate('x').status` compared with 'unknown'."""
    handled: set[str] = set()
    for sub in [node, *node.find_all((nodes.Getattr, nodes.Test, nodes.Compare))]:
        if isinstance(sub, nodes.Getattr) and sub.attr in STATE_ATTRIBUTES:
            fact = _fact_path(sub.node, variables, free)
            if fact:
                handled.add(fact)
        elif isinstance(sub, nodes.Test) and sub.name in STATE_TESTS:
            fact = _fact_path(sub.node, variables, free)
            if fact:
                handled.add(fact)
        if isinstance(sub, nodes.Getattr) and sub.attr == "kind":
            call = _lookup_call(sub.node, q)
            if call and call[0] == "gap":
                handled.add(f"gap('{call[1]}').kind")
        elif isinstance(sub, nodes.Compare):
            operands = [sub.expr] + [op.expr for op in sub.ops]
            if any("unknown" in _literals(o) for o in operands):
                for o in operands:
                    call = _lookup_call(o.node, q) if isinstance(o, nodes.Getattr) and o.attr == "status" else None
                    if call and call[0] == "gate":
                        handled.add(f"gate('{call[1]}').unknown")
    return handled


def _unguarded_lookups(ast, variables: dict, free: set[str], q: Questionnaire) -> list[tuple[int, str, str]]:
    """(line, function, question id) for each if-chain (or `a if x else b`) deciding on `has_gap('x')`,
    `gap('x')` or `gate('x').status` while nothing handles x's unknown answer: neither a test of x's
    fact state (`.known`, `.unknown`, `.isno`, `is answered`...) nor `gap('x').kind` nor a `gate('x')
    .status == 'unknown'` branch, in the chain, in an enclosing `if`, or inside the branches. Unlike a
    fact's value, these are true for a "don't know" (a verify item), so the branch's body is where
    the unknown case can still be told apart."""
    found: list[tuple[int, str, str]] = []

    def walk(node: nodes.Node, guarded: frozenset) -> None:
        if isinstance(node, (nodes.If, nodes.CondExpr)):
            branches = [node] + (list(node.elif_) if isinstance(node, nodes.If) else [])
            deciders: dict[tuple[str, str], int] = {}
            for branch in branches:
                for call, line in _lookup_deciders(branch.test, q).items():
                    deciders.setdefault(call, line)
            if deciders:
                handled = set(guarded) | _lookup_states(node, variables, free, q)
                for (fn, qid), line in deciders.items():
                    fact = q.by_id[qid].fact
                    if not ({fact, f"gap('{qid}').kind", f"gate('{qid}').unknown"} & handled):
                        found.append((line, fn, qid))
            inner = guarded | {s for b in branches for s in _lookup_states(b.test, variables, free, q)}
            for child in node.iter_child_nodes():
                walk(child, frozenset(inner))
            return
        for child in node.iter_child_nodes():
            walk(child, guarded)

    walk(ast, frozenset())
    return sorted(set(found))


def _chain(node: nodes.Getattr) -> list[str] | None:
    """`da.name.value` -> ['da', 'name', 'value']; None for anything not rooted in a plain name."""
    parts: list[str] = []
    here: nodes.Expr = node
    while isinstance(here, nodes.Getattr):
        parts.append(here.attr)
        here = here.node
    if not isinstance(here, nodes.Name):
        return None
    return [here.name] + parts[::-1]


def _resolve(chain: list[str], variables: dict) -> tuple[str, str | None] | None:
    from readiness.documents.facts import Fact, Namespace

    current: Any = variables[chain[0]]
    for i, attr in enumerate(chain[1:], 1):
        here = ".".join(chain[:i])
        if isinstance(current, Fact):
            from readiness.documents.terms import TERM_ATTRIBUTES, Term

            allowed = FACT_ATTRIBUTES + (TERM_ATTRIBUTES if isinstance(current, Term) else ())
            if attr not in allowed:
                what = "a program term" if isinstance(current, Term) else "an answer"
                return (f"'{here}' is {what}; it has no '{attr}'",
                        did_you_mean(attr, allowed) or f"{what.split(' ', 1)[1]}s have: " + ", ".join(allowed))
            return None
        if isinstance(current, Namespace):
            if attr not in current:
                options = list(current)
                return (f"'{here}.{attr}' is not a fact the questionnaire declares",
                        did_you_mean(attr, options) or f"'{here}' has: " + ", ".join(options))
            current = current[attr]
            continue
        return None  # a list or plain value: attributes come from loops and filters, not checked here
    return None


# ---------------------------------------------------------------- `{prosecutor}`-style titles


def _wording_names(folders: list[Path], report: LintReport) -> None:
    """`{name}` titles outside the questionnaire (whose loader checks its own): each pack.yaml's
    `audience:` strings, which drafts and the build summary show with the titles filled in, and the
    prose of every standard tasks file of the pack (titles, owners...), which the plan fills in. A
    name no state profile fills in would reach the drafts as written, braces and all."""
    from readiness.documents.pack import PACK_FILE
    from readiness.files import read_yaml
    from readiness.planning.tasks import STANDARD_TASKS_FILE
    from readiness.questionnaire.wording import WORDING_NAMES, prose, unknown_names

    def check(located, loc: tuple, text: str, where: str) -> None:
        for name in unknown_names(text):
            report.problems.append(Problem(
                f"unknown title '{{{name}}}' in the text", where=where, **located.at(loc),
                hint=did_you_mean(name.lower(), WORDING_NAMES) or
                "use one of " + ", ".join("{" + n + "}" for n in WORDING_NAMES)))

    for folder in _used_folders(folders):
        pack_file = folder / PACK_FILE
        if pack_file.is_file():
            try:
                located = read_yaml(pack_file, "pack file")
            except FileProblems:  # reported by the pack's own check
                located = None
            documents = located.data.get("documents") if located and isinstance(located.data, dict) else None
            for i, entry in enumerate(documents if isinstance(documents, list) else []):
                if isinstance(entry, dict) and isinstance(entry.get("audience"), str):
                    check(located, ("documents", i, "audience"), entry["audience"],
                          f"documents[{i}] ({entry.get('id', '?')}).audience")
        tasks_file = folder / STANDARD_TASKS_FILE
        if tasks_file.is_file():
            try:
                located = read_yaml(tasks_file, "standard tasks file")
            except FileProblems:  # reported when the plan's names are checked
                continue
            for loc, text in prose(located.data):
                check(located, loc, text, _describe_task(located.data, loc))


def _describe_task(data: Any, loc: tuple) -> str:
    """`tasks[12] (da_commitment).title` for a location in a standard tasks file."""
    from readiness.files import loc_text

    if len(loc) >= 2 and loc[0] in ("tasks", "phases") and isinstance(data, dict):
        items = data.get(loc[0])
        item = items[loc[1]] if isinstance(items, list) and isinstance(loc[1], int) and loc[1] < len(items) else None
        if isinstance(item, dict) and item.get("id"):
            rest = loc_text(loc[2:])
            return f"{loc[0]}[{loc[1]}] ({item['id']})" + (rest if rest.startswith("[") else "." + rest)
    return loc_text(loc)


# ---------------------------------------------------------------- program terms


def _program_terms(folders: list[Path], q: Questionnaire, report: LintReport) -> None:
    from readiness.documents.pack import load_pack
    from readiness.documents.terms import TERMS_FILE, check_defaults, load_term_defaults

    used = list(load_pack(folders).folders)
    try:
        defaults = load_term_defaults(used)
    except FileProblems as exc:
        report.problems.extend(exc.problems)
        return
    report.problems.extend(check_defaults(defaults, q.by_id).problems)
    files = sum((f / TERMS_FILE).is_file() for f in used)
    report.checked.append(f"{files} program terms file{'' if files == 1 else 's'}")


def _consistency_sites(q_path: Path, q: Questionnaire):
    """What lint renders the pack for: each bundled example, read under the questionnaire being
    linted, and a site with no answers at all (every term from its default or an open item)."""
    from readiness.workspace.store import open_site

    for name in resources.example_names():
        try:
            site = open_site(resources.examples_dir() / name, q_path)
        except ReadinessError as exc:
            yield name, None, exc
            continue
        yield name, (site.answers, list(site.respondents.values()), site.name, site.profile.state), None
    yield "a site with no answers", ({}, [], "Example County", "NC"), None


def _pack_consistency(folders: list[Path], q_path: Path, q: Questionnaire, report: LintReport) -> None:
    """Render the pack for each example and check that every program term is stated with one value in
    all documents; run the build's text check over the same renders (its findings are warnings)."""
    import datetime as _dt

    from readiness.assessment import assess
    from readiness.documents.build import render_documents
    from readiness.documents.consistency import check_consistency
    from readiness.documents.context import build_context
    from readiness.documents.environment import make_environment
    from readiness.documents.pack import load_pack

    pack = load_pack(folders)
    env = make_environment(pack.folders)
    rendered = 0
    found: dict[tuple, tuple] = {}  # one problem per contradiction, whichever sites show it
    texts: dict[tuple, tuple] = {}  # one warning per text finding, whichever sites show it, on whatever line
    for name, data, failure in _consistency_sites(q_path, q):
        if failure is not None:
            report.problems.append(Problem(f"example '{name}' could not be read with this questionnaire, so the "
                                           f"consistency check skipped it: {failure.message}", severity="warning"))
            continue
        answers, respondents, site_name, state = data
        try:
            a = assess(q, answers, respondents, site=site_name, state=state)
            ctx = build_context(q, answers, respondents, a, site_name=site_name, state=state,
                                template_folders=pack.folders)
            supplies = _example_supplies(q, a, answers, respondents, site_name, pack.folders)
            docs, _ = render_documents(env, pack, list(pack.documents), ctx, 1, _dt.date.today(), supplies)
        except ReadinessError as exc:
            report.problems.append(Problem(f"rendering the pack for {name} failed: {exc.message}", hint=exc.hint))
            continue
        rendered += 1
        _text_findings(docs, answers, name, texts)
        for c in check_consistency({d.spec.id: d.markdown for d in docs}):
            key = (c.term, tuple(sorted((str(v), tuple(d)) for v, d in c.values.items())))
            found.setdefault(key, (c, []))[1].append(name)
    for c, names in found.values():
        report.problems.append(Problem(
            f"{c.message} (rendered for {', '.join(names)})", where=c.term, file=_template_of(pack, c.values),
            hint="write the number as {{ terms." + c.term + " }} (or .text) in every template, and set its value "
                 "once: from the answer, or in program-terms.yaml"))
    from readiness.documents.prose_check import RULES

    for (document, rule, excerpt), (template, lines) in texts.items():
        where = ", ".join(f"line {line} ({', '.join(names)})" for line, names in lines.items())
        report.problems.append(Problem(
            f"{document}, {where}: {RULES[rule]}: \"{excerpt}\"", file=template, severity="warning",
            hint="reword the template's sentence, or ask for the answer it shows as a short phrase"))
    report.checked.append(f"program terms compared across the documents of {rendered} rendered packs")
    report.checked.append("their text checked (double punctuation, repeated words...)")


def _text_findings(docs, answers: dict, site_name: str, found: dict[tuple, tuple]) -> None:
    """The build's text check (prose_check) over one rendered pack, into `found`: each finding under
    its document (the Markdown file `build` would write), with the template it came from and, by
    line, the sites it was rendered for (the same sentence can sit on another line for each site)."""
    from readiness.documents.prose_check import check_markdown

    values = [getattr(answer, "value", answer) for answer in answers.values()]
    for doc in docs:
        for finding in check_markdown(doc.markdown, f"{doc.stem}.md", values):
            key = (finding.document, finding.rule, finding.excerpt)
            lines = found.setdefault(key, (doc.spec.template_path, {}))[1]
            lines.setdefault(finding.line, []).append(site_name)


def _example_supplies(q: Questionnaire, a, answers, respondents, site_name: str, folders: Iterable[Path]):
    """What the report and the plan see for an example: its own figures and plan (scheduled from
    the pack's standard tasks, or the bundled ones when the pack's file has problems, which
    `_supplied_variables` reports)."""
    import datetime as _dt

    from readiness.questionnaire.conditions import condition_values
    from readiness.planning import schedule, standard_tasks_path
    from readiness.planning.tasks import STANDARD_TASKS_FILE, load_standard_tasks
    from readiness.report.outputs import Supplies

    def make_plan():
        try:
            spec = load_standard_tasks(standard_tasks_path(list(folders))).spec
        except FileProblems:
            spec = load_standard_tasks(resources.templates_dir() / STANDARD_TASKS_FILE).spec
        return schedule.build_plan(a, spec, _dt.date.today())

    return Supplies(q, a, condition_values(q, answers, respondents), site_name=site_name, make_plan=make_plan)


def _template_of(pack, values: dict) -> Path | None:
    """The template most likely to be off: a consultant's override among those stating the least
    common value, else the first of them."""
    fewest = min(len(docs) for docs in values.values())
    rarest = [doc_id for docs in values.values() if len(docs) == fewest for doc_id in docs]
    bundled = resources.templates_dir().resolve()
    paths = [d.template_path for doc_id in rarest for d in pack.documents if d.id == doc_id]
    own = [p for p in paths if bundled not in p.resolve().parents]
    return (own or paths or [None])[0]


# ---------------------------------------------------------------- state profiles


def _state_profiles(folders: list[Path], report: LintReport) -> None:
    """Every state profile (bundled and the consultant's `states/` folders) and the titles tables:
    a misspelt key is an error with file, line and a did-you-mean."""
    from readiness.errors import Problem
    from readiness.jurisdiction import GENERIC_FILE, TITLES_FILE, US_STATES, parse_profile, parse_titles

    dirs = [f.parent / "states" for f in folders[:-1] if (f.parent / "states").is_dir()]
    dirs.append(resources.states_dir())
    count = 0
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            count += 1
            try:
                if path.name == TITLES_FILE:
                    parse_titles(path)
                    continue
                profile = parse_profile(path)
            except FileProblems as exc:
                report.problems.extend(exc.problems)
                continue
            expected = "generic" if path.name == GENERIC_FILE else path.stem.upper()
            if path.name != GENERIC_FILE and expected not in US_STATES:
                report.problems.append(Problem(f"'{path.name}' is not named after a state", file=path, line=1,
                                               hint="name a state profile by its two-letter code, e.g. VA.yaml"))
            elif profile.state != expected:
                from readiness.files import read_yaml

                line = read_yaml(path, "state profile").line_of(("state",))
                report.problems.append(Problem(f"the profile says state '{profile.state}' but the file is "
                                               f"{path.name}", file=path, line=line, where="state",
                                               hint=f"write state: {expected}"))
    report.checked.append(f"{count} state profiles")
