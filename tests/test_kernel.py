"""The shared kernel: one loader for every file format, located problems, and the answer statuses."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Optional

import pytest
from pydantic import Field

from readiness.errors import FileProblems
from readiness.kernel.load import load_model
from readiness.kernel.models import Strict
from readiness.kernel.patterns import ID_PATTERN
from readiness.kernel.statuses import DONT_KNOW, STATUS_LABELS, UNANSWERED, AnswerStatus, status_label


class Part(Strict):
    id: str = Field(pattern=ID_PATTERN)
    weight: float = 1.0


class Kit(Strict):
    title: str
    parts: list[Part] = Field(default_factory=list)
    note: Optional[str] = None


def _fields(loc: tuple) -> list[str]:
    return list((Part if loc[:1] == ("parts",) else Kit).model_fields)


def test_load_model_reports_every_problem_with_file_line_and_did_you_mean(tmp_path):
    path = tmp_path / "kit.yaml"
    path.write_text("title: A kit\nparts:\n  - id: wheel\n    wieght: 2\n  - id: Bad Id\n", encoding="utf-8")
    with pytest.raises(FileProblems) as info:
        load_model(Kit, path, "kit file", fields_for=_fields, hint="see the kit manual")
    first, second = info.value.problems
    assert (first.file, first.line, first.where) == (path, 4, "parts[0].wieght")
    assert first.message == "unknown key 'wieght'" and first.hint == "did you mean 'weight'?"
    assert (second.line, second.message) == (5, "'Bad Id' is not in the expected form")
    assert second.hint.startswith("use lower_snake_case")
    assert info.value.hint == "see the kit manual"


def test_load_model_names_what_a_file_should_be_when_it_is_not_a_mapping(tmp_path):
    path = tmp_path / "kit.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(FileProblems) as info:
        load_model(Kit, path, not_a_mapping="a kit file must be a mapping with a title")
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.message) == (path, 1, "a kit file must be a mapping with a title")
    assert load_model(Kit, _located(tmp_path, "title: '  Spaces  '\n")).title == "Spaces"  # a Strict model strips


def _located(folder: Path, text: str):
    from readiness.files import read_yaml

    (folder / "k.yaml").write_text(text, encoding="utf-8")
    return read_yaml(folder / "k.yaml")


def test_answer_statuses_are_stored_as_always_and_labelled_from_one_table():
    from readiness.workspace.models import Answer

    assert [s.value for s in AnswerStatus] == ["answered", "unknown", "skipped", "not_applicable"]
    for status in AnswerStatus:
        answer = Answer.model_validate({"status": status.value})
        assert answer.status == status and type(answer.status) is str  # a plain word, written back as read
        assert answer.to_yaml() == {"status": status.value}
    assert Answer().to_yaml() == {"status": "answered"}
    assert DONT_KNOW == status_label("unknown") == AnswerStatus.UNKNOWN.label
    assert status_label(UNANSWERED) == "Not answered yet" and status_label(AnswerStatus.NOT_APPLICABLE) == "Not applicable"
    assert set(STATUS_LABELS) == {s.value for s in AnswerStatus} | {UNANSWERED}
    with pytest.raises(ValueError, match="Input should be 'answered', 'unknown', 'skipped' or 'not_applicable'"):
        Answer.model_validate({"status": "maybe"})


def test_a_respondent_who_writes_the_words_dont_know_has_answered(tmp_path):
    """Scoring compares statuses, not the words shown: a written answer that reads "Don't know" is an
    answer (it was counted as a "don't know" when scoring compared display text)."""
    from readiness.assessment.scoring import assess
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace.models import Answer

    (tmp_path / "q.yaml").write_text(
        "id: tiny\nversion: 1.0.0\ntitle: Tiny\ndomains:\n  - {id: buy_in, title: Buy-in}\nquestions:\n"
        "  - {id: concerns, domain: buy_in, scope: respondent, type: text, text: What worries your agency?}\n",
        encoding="utf-8")
    q = load_questionnaire(tmp_path / "q.yaml")

    def person(name: str, answer: Answer) -> SimpleNamespace:
        return SimpleNamespace(name=name, role=None, agency=None, answers={"concerns": answer}, date=None)

    wrote = person("Dana", Answer(value=DONT_KNOW))
    result = assess(q, {}, [wrote]).questions["concerns"]
    assert result.status == "answered" and result.respondents[0].display == DONT_KNOW
    unsure = person("Lee", Answer(status="unknown"))
    result = assess(q, {}, [unsure]).questions["concerns"]
    assert result.status == "unknown" and result.respondents[0].display == DONT_KNOW
    assert assess(q, {}, [wrote, unsure]).questions["concerns"].status == "answered"
