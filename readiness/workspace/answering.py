"""The rules for one answer, in one place: which question an id names, whether the question takes
"don't know", and how a typed value is read. `store.save_answer` and `store.record_answer` (an answer
given on the command line), what-if, answer files and answer sheets use these; none repeats them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from readiness.errors import AnswerError, ReadinessError
from readiness.kernel.problems import did_you_mean
from readiness.questionnaire.models import Question, Questionnaire

IDS_HINT = "see the ids with: lead-readiness score SITE --format json, or the questionnaire file"


def find_question(q: Questionnaire, qid: str, *, where: str | Path | None = None, prefix: str = "",
                  hint: str = IDS_HINT) -> Question:
    """The question with this id, or AnswerError "unknown question id" with the closest id (or `hint`).
    `where` (the site folder) is named in the message; `prefix` says which option gave the id."""
    question = q.by_id.get(qid)
    if question is None:
        site = f" (site {where})" if where is not None else ""
        raise AnswerError(f"{prefix}unknown question id '{qid}'{site}", hint=did_you_mean(qid, q.by_id) or hint)
    return question


def status_problem(question: Question, status: str) -> str | None:
    """Why this question cannot take this status, or None: "don't know" only where it is allowed."""
    if status == "unknown" and not question.allow_unknown:
        return f"'{question.id}' does not accept \"don't know\""
    return None


def read_typed_value(question: Question, text: str, *, label: str | None = None, hint: str | None = None) -> Any:
    """A value typed on the command line (`answer`, `--what-if`), read as the question's type reads it;
    AnswerError "answer to 'ID': what is wrong" (`label` replaces "answer to 'ID'")."""
    from readiness.questionnaire.values import ValueProblem, parse_cli_value

    try:
        return parse_cli_value(question, text)
    except ValueProblem as exc:
        raise AnswerError(f"{label or f'answer to {question.id!r}'}: {exc}", hint=hint) from None


def check_role_kind(site: Any, kind: Optional[str], site_dir: Any = None) -> Optional[str]:
    """The respondent_roles id given with --role-kind, checked against the questionnaire (None: not given)."""
    if kind is None:
        return None
    roles = site.questionnaire.respondent_roles
    if kind not in {r.id for r in roles}:
        listed = ", ".join(f"{r.id} ({r.label})" for r in roles)
        raise ReadinessError(f"unknown --role-kind '{kind}'",
                             hint=did_you_mean(kind, [r.id for r in roles]) or
                             (f"kinds: {listed}" if roles else f"questionnaire {site.questionnaire.ref} words its "
                              "questions one way for everyone: leave out --role-kind"))
    return kind
