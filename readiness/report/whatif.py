"""What-if: the score, stage, launch requirements and launch date as they would be with some answers
changed, beside today's; and which single answers would bring the launch date closest.

Nothing here writes: the changed answers live in a copy of the site in memory, which goes through
the same functions as the site itself (`assess_site`, `plan_for_site`), so a what-if can never
disagree with what `score` and `plan` would say once the answers are recorded.

    score SITE --what-if dsa_signed=yes --what-if cm_contracted=yes
    score SITE --what-if da_non_filing=unknown --what-if comms_plan=n/a   (don't know; not applicable)
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from readiness.errors import AnswerError, ExitCode, ReadinessError

MOVES_SHOWN = 3
MAX_TRIED = 40  # candidates tried for best_moves, launch requirements first: about 10 ms each


class WhatIfUsage(ReadinessError):
    """`--what-if` written without `=`: wrong usage of the command line (exit 2)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Change:
    question: str
    text: str
    today: str  # the answer as recorded, as a person reads it
    what_if: str
    applies: bool = True  # False: the question does not apply with the what-if answers (so it changes nothing)


@dataclass(frozen=True)
class Outlook:
    assessment: Any
    plan: Any


@dataclass(frozen=True)
class WhatIf:
    site: str
    changes: tuple[Change, ...]
    today: Outlook
    then: Outlook


@dataclass(frozen=True)
class Move:
    """One answer that would move the launch date: the question, its best answer and what it would do."""

    question: str
    label: str
    answer: str  # the best answer, as a person reads it
    typed: str  # the same as `--what-if` takes it: QUESTION=typed
    today: str  # the answer recorded now (the value shown, or its status's label: "Not answered yet", ...)
    weeks_saved: int
    launch: _dt.date
    score_today: Optional[float]
    score: Optional[float]
    stage: str
    gate: bool


# ---------------------------------------------------------------- reading --what-if


def _recorded(question, answer) -> str:
    from readiness.questionnaire.values import display

    if answer is None:
        return "Not answered yet"
    if answer.status == "answered":
        return display(question, answer.value)
    from readiness.kernel.statuses import status_label

    return status_label(answer.status)


# VALUEs that are not an answer but a state: "don't know" (as `answer --unknown`) and "not applicable"
# (as `answer --not-applicable`); written as the answer sheet's status column writes them, or `?`.
STATUS_VALUES = {
    "unknown": "unknown", "?": "unknown", "don't know": "unknown", "dont know": "unknown", "dont_know": "unknown",
    "dont-know": "unknown", "don’t know": "unknown",
    "n/a": "not_applicable", "na": "not_applicable", "not applicable": "not_applicable",
    "not_applicable": "not_applicable", "not-applicable": "not_applicable",
}


def parse_what_ifs(site, texts: Sequence[str]) -> dict[str, Any]:
    """`QUESTION=VALUE` texts to {question id: Answer}, each value read exactly as `answer` reads a
    typed one; `QUESTION=unknown` (or `?`, `don't know`) is "don't know" and `QUESTION=n/a` (or `not
    applicable`) "not applicable" (STATUS_VALUES). A text without `=` is a usage error; an unknown
    question or a value that does not fit is bad input (AnswerError), with the close match or the
    question's allowed values."""
    from readiness.questionnaire.allowed import allowed_values
    from readiness.workspace.answering import find_question, read_typed_value
    from readiness.workspace.models import Answer

    q = site.questionnaire
    out: dict[str, Any] = {}
    for text in texts:
        qid, sep, value = text.partition("=")
        qid = qid.strip()
        if not sep or not qid:
            raise WhatIfUsage(f"--what-if '{text}' is not QUESTION=VALUE",
                              hint="for example --what-if dsa_signed=yes; repeat --what-if for each answer")
        question = find_question(q, qid, where=site.root, prefix="--what-if: ")
        if question.scope == "respondent":
            raise AnswerError(f"--what-if: '{qid}' is asked of each respondent; a what-if changes site answers",
                              hint="choose a site question")
        if qid in out:
            raise AnswerError(f"--what-if: '{qid}' is given twice", hint="give each question once")
        status = STATUS_VALUES.get(" ".join(value.lower().split()))
        if status == "unknown" and not question.allow_unknown:
            raise AnswerError(f"--what-if: '{qid}' does not accept \"don't know\"",
                              hint=f"give a value: '{qid}' takes {allowed_values(question, with_unknown=False)}")
        if status is not None:
            out[qid] = Answer(status=status)
            continue
        parsed = read_typed_value(question, value, label=f"--what-if {qid}",
                                  hint=f"'{qid}' takes {allowed_values(question, with_unknown=False)}")
        out[qid] = Answer(value=parsed, status="answered")
    return out


# ---------------------------------------------------------------- the comparison


def with_answers(site, answers: dict[str, Any]):
    """A copy of the site, in memory only, with these site answers in place of the recorded ones."""
    return dataclasses.replace(site, answers={**site.answers, **answers})


def outlook(site, start: _dt.date, dirs, tasks=None) -> Outlook:
    """The site's assessment and plan (`tasks` from planning.site_tasks saves reloading them)."""
    from readiness.assessment import assess_site
    from readiness.planning import plan_for_site

    a = assess_site(site)
    return Outlook(a, plan_for_site(site, a, start, dirs, tasks=tasks))


def what_if(site, answers: dict[str, Any], start: _dt.date, dirs) -> WhatIf:
    from readiness.questionnaire.values import display

    q = site.questionnaire
    then = outlook(with_answers(site, answers), start, dirs)
    results = then.assessment.questions
    # a question marked not applicable leaves the count: that is the change, not a reason it changes nothing
    applies = {qid: a.status == "not_applicable" or (qid in results and results[qid].applicable)
               for qid, a in answers.items()}
    changes = tuple(Change(qid, q.by_id[qid].label, _recorded(q.by_id[qid], site.answers.get(qid)),
                           display(q.by_id[qid], a.value) if a.status == "answered" else _recorded(q.by_id[qid], a),
                           applies[qid]) for qid, a in answers.items())
    return WhatIf(site.name, changes, outlook(site, start, dirs), then)


# ---------------------------------------------------------------- the answers that would move launch most


def candidates(site, a, plan) -> list:
    """Site questions worth trying: launch requirements not met (or not known), and questions whose
    gap task is on the path to launch; each still applicable."""
    gates = {g.id for g in a.failed_gates}
    on_path = {t.source_gap for t in plan.tasks if t.on_launch_path and t.source_gap}
    out = []
    for question in site.questionnaire.questions:
        result = a.questions.get(question.id)
        if question.scope != "site" or result is None or not result.applicable:
            continue
        if question.id in gates or question.id in on_path:
            out.append(question)
    out.sort(key=lambda question: question.id not in gates)  # stable: questionnaire order within each
    return out[:MAX_TRIED]


def typed(value: Any) -> str:
    """A stored value as `--what-if` (and `answer`) take it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def best_moves(site, today: Outlook, start: _dt.date, dirs, limit: int = MOVES_SHOWN) -> list[Move]:
    """For each candidate question, its best answer tried in memory; the `limit` that bring the launch
    date closest (then those that raise the stage, then the score most). Only answers that help."""
    from readiness.questionnaire.allowed import best_value
    from readiness.questionnaire.values import display
    from readiness.workspace.models import Answer

    from readiness.assessment.model import stage_index

    from readiness.planning import site_tasks

    a0, p0 = today.assessment, today.plan
    gate_ids = {g.id for g in a0.gates}
    found = []
    tasks = None
    for question in candidates(site, a0, p0):
        tasks = tasks or site_tasks(site, dirs)
        value = best_value(question)
        if value is None:
            continue
        then = outlook(with_answers(site, {question.id: Answer(value=value, status="answered")}), start, dirs, tasks)
        a1, p1 = then.assessment, then.plan
        saved = (p0.launch - p1.launch).days // 7
        gain = (a1.score or 0) - (a0.score or 0)
        stage_up = stage_index(a1.stage) - stage_index(a0.stage)
        if saved <= 0 and stage_up <= 0 and gain <= 0:
            continue
        found.append((saved, stage_up, gain, Move(
            question.id, question.label, display(question, value), typed(value), _recorded(question, site.answers.get(question.id)),
            saved, p1.launch, a0.score, a1.score, a1.stage, question.id in gate_ids)))
    found.sort(key=lambda m: (-m[0], -m[1], -m[2], m[3].question))
    return [m for *_, m in found[:limit]]


# ---------------------------------------------------------------- output


def _summary(o: Outlook) -> dict:
    a, p = o.assessment, o.plan
    return {"score": a.score, "stage": a.stage, "stage_label": a.stage_label, "launch_ready": a.launch_ready,
            "completeness": a.completeness,
            "gates_met": sum(1 for g in a.gates if g.status == "passed"), "gates": len(a.gates),
            "launch": p.launch.isoformat(), "weeks_to_launch": p.weeks_to_launch,
            "gate_status": [{"id": g.id, "title": g.title, "status": g.status} for g in a.gates]}


def to_dict(w: WhatIf) -> dict:
    """Stable keys: site, start, changes [{question, text, today, what_if, applies}], today and what_if, each
    {score, stage, stage_label, launch_ready, completeness, gates_met, gates, launch, weeks_to_launch,
    gate_status [{id, title, status}]}."""
    return {"site": w.site, "start": w.today.plan.start.isoformat(),
            "changes": [dataclasses.asdict(c) for c in w.changes],
            "today": _summary(w.today), "what_if": _summary(w.then)}


def _day(d: _dt.date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


GATE_WORDS = {"passed": "met", "failed": "not met", "unknown": "not known", "not_applicable": "not applicable"}


def rows(w: WhatIf) -> list[tuple[str, str, str]]:
    """(what, today, what if) lines of the comparison: the totals, then each launch requirement that
    is not met in either."""
    a0, a1, p0, p1 = w.today.assessment, w.then.assessment, w.today.plan, w.then.plan

    def score(a) -> str:
        return "n/a" if a.score is None else f"{a.score:.1f}"

    def met(a) -> str:
        return f"{sum(1 for g in a.gates if g.status == 'passed')} of {len(a.gates)}"

    out = [("Score", score(a0), score(a1)), ("Stage", a0.stage_label, a1.stage_label),
           ("Launch-ready", "yes" if a0.launch_ready else "no", "yes" if a1.launch_ready else "no"),
           ("Launch requirements met", met(a0), met(a1))]
    after = {g.id: g for g in a1.gates}
    for g in a0.gates:
        h = after.get(g.id)
        if h is None or (g.status == "passed" and h.status == "passed"):
            continue
        out.append((f"  {g.title}", GATE_WORDS.get(g.status, g.status), GATE_WORDS.get(h.status, h.status)))
    out.append(("Launch date", f"{_day(p0.launch)} ({p0.weeks_to_launch} weeks)",
                f"{_day(p1.launch)} ({p1.weeks_to_launch} weeks)"))
    return out


def headline(w: WhatIf) -> str:
    p0, p1 = w.today.plan, w.then.plan
    weeks = (p0.launch - p1.launch).days // 7
    moved = (f"launch {weeks} week{'s' if weeks != 1 else ''} earlier" if weeks > 0 else
             f"launch {-weeks} week{'s' if weeks != -1 else ''} later" if weeks < 0 else "the same launch date")
    return f"What if (nothing is saved): {moved}, plan starting {_day(p0.start)}."


def _shown(ch: Change) -> str:
    return ch.what_if if ch.applies else f"{ch.what_if} (does not apply with these answers, so it changes nothing)"


def show(w: WhatIf) -> None:
    """The comparison as a terminal table."""
    from readiness.console import out, plain, table

    c = out()
    c.print(plain(headline(w)))
    changes = table("Question", "Recorded", "What if", title="Answers changed")
    for ch in w.changes:
        changes.add_row(f"{ch.question}: {ch.text}", ch.today, _shown(ch))
    c.print(changes)
    t = table("", "Today", "What if", title=f"{w.site}: today and what if")
    for name, before, after in rows(w):
        t.add_row(name, before, after)
    c.print(t)


def to_markdown(w: WhatIf) -> str:
    from readiness.planning.export import cell

    lines = [f"# What if: {cell(w.site)}", "", cell(headline(w)), "", "| Question | Recorded | What if |",
             "|---|---|---|"]
    lines += [f"| {cell(ch.question)}: {cell(ch.text)} | {cell(ch.today)} | {cell(_shown(ch))} |" for ch in w.changes]
    lines += ["", "| | Today | What if |", "|---|---|---|"]
    lines += [f"| {cell(name.strip())} | {cell(before)} | {cell(after)} |" for name, before, after in rows(w)]
    return "\n".join(lines) + "\n"
