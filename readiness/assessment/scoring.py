"""From answers to an assessment.

How a score is made (the README says the same):
- a question scores 0..1 from its choice, scale point, number band or yes/no;
- "don't know", skipped and unanswered questions score 0: readiness not yet shown;
- a domain's score is the weighted mean of its applicable questions x 100; "not applicable" and
  questions whose condition is false leave the denominator;
- the overall score is the weighted mean of the domain scores;
- respondent questions score the mean of the respondents who answered; a spread of half the scale
  or more between two respondents is a disagreement to discuss.
"""
from __future__ import annotations

from statistics import mean
from typing import Any, Mapping

from readiness.assessment.model import (
    AnswerCounts, GATE_CAP_STAGE, PROVISIONAL_BELOW, READY_SCORE, Assessment, Disagreement, DomainResult, GapItem, GateResult,
    QuestionResult, RespondentAnswer, stage_for, stage_index,
)
from readiness.kernel.statuses import UNANSWERED, AnswerStatus, status_label
from readiness.questionnaire.conditions import applicable_ids, condition_values
from readiness.questionnaire.models import SEVERITY_ORDER, Question, Questionnaire
from readiness.questionnaire.values import display

DISAGREEMENT_SPREAD = 0.5


def question_score(question: Question, value: Any) -> float | None:
    """0..1 for a scored question's value; None when the question is not scored."""
    if not question.is_scorable or value is None:
        return None
    t = question.type
    if t == "yes_no":
        return 1.0 if value else 0.0
    if t == "choice":
        choice = question.choice(value)
        return choice.score if choice else 0.0
    if t == "multi":
        return min(1.0, sum((c.score or 0.0) for c in map(question.choice, value) if c))
    if t == "scale":
        spec = question.scale
        lo, hi = (spec.min, spec.max) if spec else (1, 5)
        return max(0.0, min(1.0, (value - lo) / (hi - lo)))
    bands = question.number.bands if question.number else []
    band = next((b for b in bands if b.contains(value)), None)
    return band.score if band else 0.0


def _respondent_result(question: Question, respondents, applicable: bool) -> QuestionResult:
    given = []
    for r in respondents:
        answer = r.answers.get(question.id)
        if answer is None or answer.status in ("skipped", "not_applicable"):
            continue
        score = question_score(question, answer.value) if answer.status == "answered" else 0.0
        shown = display(question, answer.value) if answer.status == "answered" else status_label(answer.status)
        given.append(RespondentAnswer(r.name, r.role, answer.value, shown, score, answer.note,
                                      getattr(answer, "evidence", None), getattr(r, "date", None), answer.status))
    scores = [a.score for a in given if a.score is not None]
    if not given:
        status, score = "unanswered", (0.0 if question.is_scorable else None)
    elif all(a.status == AnswerStatus.UNKNOWN for a in given):
        status, score = "unknown", (0.0 if question.is_scorable else None)
    else:
        status, score = "answered", (mean(scores) if scores else None)
    return QuestionResult(question.id, question.domain, status, applicable, score if applicable else None,
                          respondents=tuple(given))


def _site_result(question: Question, answer, applicable: bool) -> QuestionResult:
    status = answer.status if answer is not None else "unanswered"
    said: dict[str, Any] = {} if answer is None else {k: getattr(answer, k, None)
                                                     for k in ("note", "evidence", "by", "at")}
    if status == "not_applicable":
        return QuestionResult(question.id, question.domain, status, False, None, **said)
    value = answer.value if status == "answered" else None
    if not applicable:
        return QuestionResult(question.id, question.domain, status, False, None, value, display(question, value),
                              **said)
    score = question_score(question, value) if status == "answered" else (0.0 if question.is_scorable else None)
    shown = display(question, value) if status == "answered" else (
        status_label(status) if status == AnswerStatus.UNKNOWN else "")
    return QuestionResult(question.id, question.domain, status, True, score, value, shown, **said)


def _gate(question: Question, result: QuestionResult) -> GateResult:
    gate = question.gate
    assert gate is not None, "_gate is called for launch requirements only"
    if not result.applicable:
        status = "not_applicable"
    elif result.status in ("unanswered", "unknown", "skipped") or result.score is None:
        status = "unknown"
    else:
        status = "passed" if result.score >= gate.pass_at - 1e-9 else "failed"
    answer = result.display or (status_label(result.status) if result.status in (
        AnswerStatus.UNKNOWN, UNANSWERED, AnswerStatus.SKIPPED) else "")
    return GateResult(question.id, gate.title, question.domain, status, gate.why, answer)


def _gap(question: Question, result: QuestionResult, blocking: bool, gate_passed: bool = False) -> GapItem | None:
    """The gap for one question, worded for the answer actually given.

    A "don't know" becomes one verify item naming the thing to find out; an answer below the gap
    threshold takes the gap's per-answer title and action when the questionnaire gives them
    (`gap.by_answer`). A gap on a launch requirement that the answer meets is never critical."""
    rule = question.gap
    if rule is None or not result.applicable:
        return None
    if result.status == "unknown":
        label = question.label[:1].upper() + question.label[1:]
        return GapItem(question.id, question.domain, rule.severity, f"Verify: {label}",
                       "Find out and record the answer.", rule.owner, rule.phase, 1, "verify", blocking,
                       result.score)
    if result.status != "answered" or result.score is None or result.score >= rule.below - 1e-9:
        return None
    rule = rule.for_answer(result.value) if question.type in ("choice", "yes_no") else rule
    severity = rule.severity
    if gate_passed and severity == "critical":
        severity = "high"
    title = rule.title or question.label
    return GapItem(question.id, question.domain, severity, title, rule.action, rule.owner, rule.phase,
                   rule.weeks, "gap", blocking, result.score)


def _disagreement(question: Question, result: QuestionResult) -> Disagreement | None:
    scored = [a for a in result.respondents if a.score is not None and a.status != AnswerStatus.UNKNOWN]
    if len(scored) < 2:
        return None
    scores = [a.score for a in scored if a.score is not None]
    spread = max(scores) - min(scores)
    if spread < DISAGREEMENT_SPREAD - 1e-9:
        return None
    return Disagreement(question.id, question.text, round(spread, 3), tuple(scored))


def _weighted(pairs) -> float | None:
    pairs = [(w, s) for w, s in pairs if s is not None and w > 0]
    total = sum(w for w, _ in pairs)
    return sum(w * s for w, s in pairs) / total if total else None


def assess(q: Questionnaire, answers: Mapping[str, Any], respondents=(), *, site: str = "", state: str = "") -> Assessment:
    """The whole assessment. `answers` maps question id -> Answer; `respondents` have .name, .role, .answers."""
    respondents = list(respondents)
    values = condition_values(q, answers, respondents)
    live = applicable_ids(q, values, answers)
    results: dict[str, QuestionResult] = {}
    for question in q.questions:
        applicable = question.id in live
        if question.scope == "respondent":
            results[question.id] = _respondent_result(question, respondents, applicable)
        else:
            results[question.id] = _site_result(question, answers.get(question.id), applicable)

    domains = []
    for d in q.domains:
        if not d.scored:
            continue
        members = [(qq, results[qq.id]) for qq in q.questions if qq.domain == d.id and qq.is_scorable]
        live_members = [(qq, r) for qq, r in members if r.applicable]
        score = _weighted((qq.weight, r.score) for qq, r in live_members)
        score = None if score is None else round(score * 100, 1)
        domains.append(DomainResult(
            d.id, d.title, d.weight, score, stage_for(score),
            answered=sum(1 for _, r in live_members if r.status == "answered"),
            applicable=len(live_members), unknown=sum(1 for _, r in live_members if r.status == "unknown")))

    overall = _weighted((d.weight, d.score) for d in domains)
    overall = None if overall is None else round(overall, 1)
    answered_only = _answered_only_score(q, results)
    gates = tuple(_gate(qq, results[qq.id]) for qq in q.questions if qq.gate)
    blocked = any(g.status in ("failed", "unknown") for g in gates)
    stage = stage_for(overall)
    if blocked and stage_index(stage) > stage_index(GATE_CAP_STAGE):
        stage = GATE_CAP_STAGE
    launch_ready = not blocked and overall is not None and overall >= READY_SCORE

    gate_ids = {g.id for g in gates if g.status in ("failed", "unknown")}
    weights = {d.id: d.weight for d in q.domains}
    passed_ids = {g.id for g in gates if g.status == "passed"}
    gaps = [gap for qq in q.questions
            if (gap := _gap(qq, results[qq.id], qq.id in gate_ids, qq.id in passed_ids))]
    gaps.sort(key=lambda g: (not g.blocks_launch, SEVERITY_ORDER[g.severity], g.kind == "verify",
                             -weights.get(g.domain, 1), g.score if g.score is not None else 0))
    disagreements = tuple(dis for qq in q.questions if qq.scope == "respondent"
                          and (dis := _disagreement(qq, results[qq.id])))

    counts = count_answers(q, results)
    completeness = counts.share
    confidence = "high" if completeness >= 0.9 else "medium" if completeness >= PROVISIONAL_BELOW else "low"
    people = tuple({"name": r.name, "role": r.role, "agency": r.agency, "date": r.date,
                    "answered": sum(1 for a in r.answers.values() if a.status == "answered")} for r in respondents)
    return Assessment(site, state, q.id, q.version, overall, stage, launch_ready, round(completeness, 3),
                      confidence, tuple(domains), gates, tuple(gaps), disagreements, results, people,
                      score_answered_only=answered_only, counts=counts, site_counts=count_answers(q, results, "site"))


def count_answers(q: Questionnaire, results: Mapping[str, QuestionResult], scope: str | None = None,
                  ids=None) -> AnswerCounts:
    """The answer counts (AnswerCounts says what each means) over every question, one scope
    ("site" or "respondent"), or the given question ids."""
    wanted = set(ids) if ids is not None else None
    live = [r for qq in q.questions if (scope is None or qq.scope == scope)
            and (wanted is None or qq.id in wanted) and (r := results[qq.id]).applicable]
    return AnswerCounts(len(live), sum(1 for r in live if r.status == "answered"),
                        sum(1 for r in live if r.status == "unknown"))


def _answered_only_score(q: Questionnaire, results: Mapping[str, QuestionResult]) -> float | None:
    """The overall score counting only answered questions (unknown and unanswered leave the
    denominator instead of scoring 0): what the county looks like on what it has told us so far."""
    domain_scores = []
    for d in q.domains:
        if not d.scored:
            continue
        members = [(qq.weight, r.score) for qq in q.questions if qq.domain == d.id and qq.is_scorable
                   and (r := results[qq.id]).applicable and r.status == "answered"]
        score = _weighted(members)
        domain_scores.append((d.weight, None if score is None else score * 100))
    overall = _weighted(domain_scores)
    return None if overall is None else round(overall, 1)


def assess_site(site) -> Assessment:
    """`assess` for an opened workspace site (anything with questionnaire, answers, respondents, profile)."""
    return assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name,
                  state=site.profile.state)
