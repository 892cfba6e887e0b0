"""Issue 16: a question asking for a person's or an organization's name says "name only", and the
interview shows it beside the question (the title, where the questionnaire asks it, comes next)."""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from readiness.interview import screens
from readiness.interview.engine import Progress
from readiness.interview.helptext import help_lines, type_hint
from readiness.questionnaire.loader import load_questionnaire

from conftest import MINI, ROOT

REAL = ROOT / "questionnaires" / "lead-site-readiness.yaml"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")


def _names(q):
    """Questions that ask for a name: a text answer whose id or fact ends in `name`, or that asks who
    someone is or which organization, agency, office or provider."""
    asks = ("who ", "which organization", "which law enforcement agency", "which agency", "which public defender",
            "what is the local health department called", "what is the nearest syringe", "what is the post-overdose",
            "what will the program be called")
    return [x for x in q.questions if x.type == "text" and x.scope == "site" and (
        x.id.endswith("_name") or (x.fact or "").endswith("name") or x.text.lower().startswith(asks))]


def test_every_name_question_says_name_only_and_where_the_title_goes():
    q = load_questionnaire(REAL)
    names = _names(q)
    assert {"da_name", "police_chief_name", "cm_director", "health_department_director", "pm_name", "cm_provider",
            "lme_mco_name", "liaison_prosecutor_name", "evaluation_partner"} <= {x.id for x in names}
    for question in names:
        assert question.hint and "name only" in question.hint, question.id
    ids = [x.id for x in q.questions]
    titles = {x.id for x in q.questions if x.id.endswith("_title")}
    for question in names:
        after = ids[ids.index(question.id) + 1]
        if after in titles:  # the next question asks the title: the hint says so, the help does not ask for it
            assert "title is asked next" in question.hint, question.id
            assert "and title" not in (question.help or ""), question.id


def test_the_hint_is_shown_beside_a_typed_answer_and_above_a_list():
    q = load_questionnaire(REAL)
    chief = q.by_id["police_chief_name"]
    assert type_hint(chief) == "The person's name only; the title is asked next."
    assert help_lines(chief)[0] == chief.hint  # and first in the help panel

    mini = load_questionnaire(MINI)
    choice = mini.by_id["da_non_filing"].model_copy(update={"hint": "Pick the strongest commitment in writing."})
    console = Console(file=io.StringIO(), width=120, color_system=None)
    screens.header(console, choice, None, Progress("Prosecution", 1, 2, 4, 7, 3))
    assert "Pick the strongest commitment in writing." in console.file.getvalue()


def test_the_answer_sheet_gives_the_hint_in_its_help(tmp_path):
    import csv

    from conftest import invoke

    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    sheet = tmp_path / "sheet.csv"
    assert invoke("answer-sheet", site, "--output", sheet).exit_code == 0
    rows = {r["question"]: r for r in csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines())}
    assert rows["police_chief_name"]["help"].startswith("The person's name only; the title is asked next. ")
