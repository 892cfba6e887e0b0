"""The render context: everything a template may name, built once per build from the assessed site.

Facts come from the questionnaire's `fact:` names, nested by dots (`da.name` -> `{{ da.name }}`);
`site`, `doc`, `assessment`, `respondents`, `state_law` and the functions `gap()`, `has_gap()`,
`gate()` are built in.  A fact nobody answered renders as `[TO CONFIRM: ...]`; the open items of
a document are the placeholders that ended up in its Markdown (`RenderContext.open_items`), so a
placeholder the template wrote itself, or a state-law citation still to confirm, counts too.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any, Mapping, Sequence

from readiness.assessment.model import Assessment
from readiness.documents import state_profiles
from readiness.documents import terms as program_terms
from readiness.documents.facts import PLACEHOLDER_RE, Fact, Namespace, RenderProblem, Withheld, date_long, md_escape
from readiness.errors import TemplateError
from readiness.kernel.problems import did_you_mean
from readiness.questionnaire.models import Question, Questionnaire

BUILTIN_NAMES = ("site", "doc", "assessment", "respondents", "state_law", "juris", "terms", "gap", "has_gap", "gate",
                 "each", "orders_in_force")
# Names Jinja itself gives meaning to; a fact may not take them either.
JINJA_NAMES = ("range", "dict", "lipsum", "cycler", "joiner", "namespace", "plural", "loop", "self", "caller",
               "varargs", "kwargs", "super", "true", "false", "none", "True", "False", "None")


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str
    version: int
    date: _dt.date
    audience: str | None = None


@dataclass
class RenderContext:
    """The shared part of every document's context, plus what is needed to name open items."""

    variables: dict[str, Any]
    placeholders: dict[str, str] = field(default_factory=dict)  # open-item text -> question id

    def for_document(self, doc: DocInfo) -> dict[str, Any]:
        from readiness.questionnaire.wording import fill

        juris = self.variables.get("juris") or {}
        info = Namespace("doc", {"id": doc.id, "title": doc.title, "version": doc.version,
                                 "date": date_long(doc.date), "audience": fill(doc.audience or "", juris)})
        return {**self.variables, "doc": info}

    def names(self) -> list[str]:
        return sorted(set(self.variables) | {"doc"})

    def open_items(self, markdown: str) -> list[dict[str, str | None]]:
        """Each distinct placeholder in the Markdown, in order, with the question that would resolve it."""
        seen: dict[str, str | None] = {}
        for m in PLACEHOLDER_RE.finditer(markdown):
            if _escaped_at(markdown, m.start()):  # `\\[TO CONFIRM: ...]`: an answer's literal text, no item
                continue
            text = " ".join(m.group(1).split())
            if text.strip(".… ") and text not in seen:  # "[TO CONFIRM: ...]" explaining the convention is no item
                seen[text] = self.placeholders.get(text)
        return [{"text": text, "question": qid} for text, qid in seen.items()]


def _escaped_at(text: str, pos: int) -> bool:
    """Whether the character at `pos` is escaped by an odd number of backslashes before it."""
    n = 0
    while pos - n - 1 >= 0 and text[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1


# ---------------------------------------------------------------- facts


def _status_and_value(question: Question, answers: Mapping[str, Any], respondents, applicable: bool):
    if not applicable:
        return "not_applicable", None
    if question.scope == "respondent":
        given = [r.answers[question.id] for r in respondents if question.id in r.answers]
        values = [a.value for a in given if a.status == "answered"]
        if not values:
            return ("unknown" if any(a.status == "unknown" for a in given) else "unanswered"), None
        numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return "answered", (round(mean(numeric), 2) if numeric and len(numeric) == len(values) else values[0])
    answer = answers.get(question.id)
    if answer is None:
        return "unanswered", None
    return answer.status, answer.value if answer.status == "answered" else None


def make_fact(question: Question, status: str, value: Any) -> Fact | Withheld:
    if question.sensitive:
        return Withheld(question.fact or question.id)
    labels = {c.value: c.label for c in question.choices}
    return Fact(question.fact or question.id, question.id, question.type, value, status, question.label,
                labels, list(question.fields))


def fact_tree(q: Questionnaire, answers: Mapping[str, Any], respondents=(),
              applicable: Mapping[str, bool] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Top-level names -> Fact or Namespace, and placeholder text -> question id."""
    respondents = list(respondents)
    root: dict[str, Any] = {}
    placeholders: dict[str, str] = {}
    for question in q.questions:
        if not question.fact:
            continue
        parts = question.fact.split(".")
        top = parts[0]
        if top in BUILTIN_NAMES or top in JINJA_NAMES:
            raise TemplateError(f"fact '{question.fact}' (question '{question.id}') uses the name '{top}', "
                                "which templates reserve for a built-in", hint="rename the fact in the questionnaire")
        live = True if applicable is None else applicable.get(question.id, True)
        status, value = _status_and_value(question, answers, respondents, live)
        fact = make_fact(question, status, value)
        if isinstance(fact, Fact):
            placeholders[_item_text(fact)] = question.id
            if question.type == "records":  # optional fields left empty in an entry
                for entry in fact:
                    placeholders.update({_item_text(f): question.id for f in entry.values() if not f.answered})
        node = root
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise _clash(question, ".".join(parts[:depth + 1]))
            node = child
        if parts[-1] in node:
            raise _clash(question, question.fact)
        node[parts[-1]] = fact
    return {name: _freeze(name, value) for name, value in root.items()}, placeholders


def _item_text(fact: Fact) -> str:
    return fact.placeholder[len("[TO CONFIRM: "):-1]


def _clash(question: Question, name: str) -> TemplateError:
    return TemplateError(f"fact '{question.fact}' (question '{question.id}') clashes with the fact '{name}': "
                         "a name is either one answer or a group of answers", hint="rename one of the facts")


def _freeze(path: str, node: Any) -> Any:
    if isinstance(node, dict):
        return Namespace(path, {k: _freeze(f"{path}.{k}", v) for k, v in node.items()})
    return node


# ---------------------------------------------------------------- built-ins


def _ns(path: str, data: Mapping[str, Any]) -> Namespace:
    return Namespace(path, dict(data))


def assessment_namespace(a: Assessment, q: Questionnaire) -> Namespace:
    sensitive = {qq.id for qq in q.questions if qq.sensitive}
    gates = [_ns(f"assessment.gates[{i}]", {"id": g.id, "title": g.title, "status": g.status, "domain": g.domain,
                                             "answer": "[withheld]" if g.id in sensitive else md_escape(g.answer or "")})
             for i, g in enumerate(a.gates)]
    gaps = [_ns(f"assessment.gaps[{i}]", {
        "question": g.question, "domain": g.domain, "severity": g.severity, "title": g.title, "action": g.action,
        "owner": g.owner, "phase": g.phase, "weeks": g.weeks, "kind": g.kind, "blocks_launch": g.blocks_launch})
        for i, g in enumerate(a.gaps)]
    domains = [_ns(f"assessment.domains[{i}]", {"id": d.id, "title": d.title, "score": d.score, "stage": d.stage,
                                                 "answered": d.answered, "applicable": d.applicable})
               for i, d in enumerate(a.domains)]
    disagreements = [_ns(f"assessment.disagreements[{i}]", {
        "question": d.question, "text": d.text, "spread": d.spread,
        "answers": [_ns("answer", {"respondent": md_escape(x.respondent), "role": md_escape(x.role or ""),
                                   "answer": md_escape(x.display)}) for x in d.answers]})
        for i, d in enumerate(x for x in a.disagreements if x.question not in sensitive)]
    failed_ids = {g.id for g in a.failed_gates}
    return _ns("assessment", {
        "score": a.score, "stage": a.stage, "launch_ready": a.launch_ready, "completeness": a.completeness,
        "confidence": a.confidence, "gates": gates, "failed_gates": [g for g in gates if g["id"] in failed_ids],
        "gaps": gaps, "domains": domains, "disagreements": disagreements})


def lookup_functions(a: Assessment, q: Questionnaire, assessed: Namespace) -> dict[str, Any]:
    """gap(), has_gap() and gate(): let a template include a clause only where the assessment asks."""
    gaps = {g["question"]: g for g in assessed["gaps"]}
    gates = {g["id"]: g for g in assessed["gates"]}

    def known(fn: str, qid: Any) -> str:
        if not isinstance(qid, str) or qid not in q.by_id:
            raise RenderProblem(f"{fn}('{qid}'): no question '{qid}' in questionnaire {q.ref}",
                                hint=did_you_mean(str(qid), q.by_id) or "use a question id, not a fact name")
        return qid

    def gap(qid):
        return gaps.get(known("gap", qid))

    def has_gap(qid):
        return known("has_gap", qid) in gaps

    def gate(qid):
        return gates.get(known("gate", qid))

    return {"gap": gap, "has_gap": has_gap, "gate": gate}


def state_law(state: str, extra_dirs: tuple[Path, ...] = ()) -> Namespace:
    """{key: {title, cite, summary}} from the state's profile; a citation nobody confirmed, or any
    citation of a state without a profile, is a `[TO CONFIRM: ...]` placeholder."""
    profile, own = state_profiles.load_state_profile(state, extra_dirs)
    laws = {}
    for key, citation in profile.citations.items():
        cite, _ = state_profiles.citation_text(profile, own, key, state)
        laws[key] = _ns(f"state_law.{key}", {"title": citation.title, "cite": cite, "summary": citation.summary})
    return Namespace("state_law", laws)


def juris_namespace(state: str, extra_dirs: tuple[Path, ...] = (),
                    overrides: Mapping[str, Any] | None = None) -> Namespace:
    """`juris`: the state's titles and institutions (`juris.prosecutor` is "District Attorney" in
    North Carolina), a site's own names (`institutions:` in site.yaml) winning; a state without a
    profile gets the neutral defaults and its prosecutor's title from the titles table.  Besides the
    institutions: `charging` ("officer", "prosecutor" or "either": who starts a misdemeanor case),
    `officer_starts` and `prosecutor_files` (booleans for it), `charging_how`, `citizen_process` (true where the
    profile cites a private citizen's right to seek process) and its `citizen_process_cite`, `misdemeanor_signer`
    and `misdemeanor_note`, and `ta_resource`, `settlement_resource`, `data_resource`,
    `post_overdose_resource` (each a {name, short, url, note} group or none: resources that exist in this state only);
    and, for the drafting memo, `profile_name`, `profile_file`, `reviewed`, `sources`, `titles_source` (where a
    state without a profile got its prosecutor's title) and `titles_names` (the names that table gives it), `charging_cite`, `charging_source`,
    `misdemeanor_source` and `citations` (each {key, title, cite, confirmed, source}; `cite` is a
    `[TO CONFIRM: ...]` item where nobody confirmed it)."""
    profile, own = state_profiles.site_profile(state, extra_dirs, overrides)
    row = None if own else state_profiles.title_row(state, extra_dirs)
    values: dict[str, Any] = dict(profile.institutions.resolved())
    starts = profile.charging.starts
    values.update({
        "own_profile": own,
        "charging": starts,
        "officer_starts": starts in ("officer", "either"),
        "prosecutor_files": starts in ("prosecutor", "either"),
        "charging_how": profile.charging.how,
        # a citizen's own complaint to the process issuer, which no agreement can bar (cited where a source says so)
        "citizen_process": bool(profile.charging.citizen_process and own),
        "citizen_process_cite": profile.charging.citizen_process or "",
        "misdemeanor_signer": profile.misdemeanors.signer or values["misdemeanor_prosecutor"],
        "misdemeanor_note": profile.misdemeanors.note,
        # For the drafting memo: what the profile rests on, as it says it.
        "profile_name": profile.name, "profile_file": state_profiles.profile_path(state, extra_dirs)[0].name,
        "reviewed": profile.reviewed or "", "sources": list(profile.sources),
        "titles_source": "" if own else getattr(row, "source", None) or "",
        "titles_names": [] if own or row is None else sorted(
            k for k, v in row.model_dump(exclude_none=True).items() if k not in ("source", "note")),
        "charging_cite": profile.charging.cite or "", "charging_source": profile.charging.source or "",
        "misdemeanor_source": profile.misdemeanors.source or "",
        "citations": [_ns(f"juris.citations[{i}]", {
            "key": key, "title": c.title, "cite": state_profiles.citation_text(profile, own, key, state)[0],
            "confirmed": bool(c.cite and own), "source": c.source or ""})
            for i, (key, c) in enumerate(profile.citations.items())],
    })
    for kind in ("technical_assistance", "settlement", "data", "post_overdose"):
        found = profile.resource(kind)
        name = "ta_resource" if kind == "technical_assistance" else f"{kind}_resource"
        values[name] = None if found is None else _ns(f"juris.{name}", {
            "name": found.name, "short": found.short or "", "url": found.url or "", "note": found.note})
    return _ns("juris", values)


def terms_namespace(q: Questionnaire, answers: Mapping[str, Any], respondents, applicable: Mapping[str, bool],
                    template_folders: Sequence[Path] | None = None) -> Namespace:
    """`terms`: the program terms, each from its answer, else the pack's `program-terms.yaml` default.
    `template_folders`: the pack's folders in precedence order (default: the bundled templates)."""
    if template_folders is None:
        from readiness import resources

        template_folders = [resources.templates_dir()]
    defaults = program_terms.load_term_defaults(template_folders)
    program_terms.check_defaults(defaults, q.by_id).raise_if_any(hint="fix program-terms.yaml")

    def answer_of(qid: str):
        question = q.by_id.get(qid)
        if question is None:
            return None
        status, value = _status_and_value(question, answers, respondents, applicable.get(qid, True))
        return question, status, value

    return program_terms.build_terms(defaults, answer_of)


def _fact_at(facts: Mapping[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        try:
            node = node[part]
        except (KeyError, TypeError):
            return None
    return node


def orders_in_force(facts: Mapping[str, Any]) -> list[Any]:
    """The referring agencies whose general order for the program is already issued, by the answers: an
    agency's own standing 'signed' (MOU signed and order issued), else, for the lead agency (or the only
    agency), the shared answer 'both' or 'order_only' (question le_mou_general_order). Each is the agency's
    entry of `police.agencies` (or `lead_agency` when no agency list is answered); the pack drafts a
    conformity checklist for each (templates/partials/parties.md.j2 gives the same standing)."""
    agencies, lead = _fact_at(facts, "police.agencies"), _fact_at(facts, "lead_agency")
    shared = _fact_at(facts, "police.policy_status")
    shared_in_force = isinstance(shared, Fact) and shared.known and shared.value in ("both", "order_only")
    if not isinstance(agencies, Fact) or not agencies.known:
        return [lead] if shared_in_force and lead is not None else []
    items = list(agencies)
    lead_name = _fact_at(facts, "lead_agency.name")
    lead_text = str(lead_name).lower() if isinstance(lead_name, Fact) and lead_name.known else None
    found = []
    for item in items:
        status = _fact_at(item, "status")
        if isinstance(status, Fact) and status.known:
            if status.value == "signed":
                found.append(item)
        elif shared_in_force and (len(items) == 1 or str(_fact_at(item, "name")).lower() == lead_text):
            found.append(item)
    return found


def build_context(q: Questionnaire, answers: Mapping[str, Any], respondents, a: Assessment, *,
                  site_name: str, state: str, state_dirs: tuple[Path, ...] = (),
                  template_folders: Sequence[Path] | None = None,
                  institutions: Mapping[str, Any] | None = None) -> RenderContext:
    """The context shared by every document of one build (add `doc` with `for_document`).
    `state_dirs`: consultant folders with state profiles, searched before the bundled ones;
    `template_folders`: the pack's folders, whose `program-terms.yaml` files give the terms' defaults;
    `institutions`: the site's own names for some institutions (site.yaml `institutions:`)."""
    respondents = list(respondents)
    applicable = {qid: r.applicable for qid, r in a.questions.items()}
    facts, placeholders = fact_tree(q, answers, respondents, applicable)
    terms = terms_namespace(q, answers, respondents, applicable, template_folders)
    for term in terms.values():
        if not term.answered:
            placeholders.setdefault(term.placeholder[len("[TO CONFIRM: "):-1], term.question)
    assessed = assessment_namespace(a, q)
    variables: dict[str, Any] = dict(facts)
    variables.update({
        "site": _ns("site", {"name": site_name, "state": state, "state_name": state_profiles.state_name(state)}),
        "assessment": assessed,
        # What interviewees typed about themselves is text, escaped as answers are.
        "respondents": [_ns(f"respondents[{i}]", {"name": md_escape(r.name), "role": md_escape(r.role or ""),
                                                   "agency": md_escape(r.agency or ""),
                                                   "date": md_escape(r.date or "")}) for i, r in enumerate(respondents)],
        "state_law": state_law(state, state_dirs),
        "juris": juris_namespace(state, state_dirs, institutions),
        "terms": terms,
        "orders_in_force": orders_in_force(facts),
        **lookup_functions(a, q, assessed),
    })
    return RenderContext(variables, placeholders)


def site_context(site, a: Assessment, state_dirs: tuple[Path, ...] = (),
                 template_folders: Sequence[Path] | None = None) -> RenderContext:
    """build_context for an opened workspace Site."""
    return build_context(site.questionnaire, site.answers, site.respondents.values(), a,
                         site_name=site.name, state=site.profile.state, state_dirs=state_dirs,
                         template_folders=template_folders, institutions=site.profile.institution_overrides())
