"""Issue 16: the interview announces the number of questions it will actually ask, and its closing
screen counts what `score` and the report count (AnswerCounts)."""
from __future__ import annotations

import json
import re

import pytest

from readiness.interview.engine import Finish, Interview, Reply
from readiness.questionnaire.allowed import best_value
from readiness.workspace.models import Answer
from readiness.workspace.store import open_site

from conftest import ROOT, invoke

REAL = ROOT / "questionnaires" / "lead-site-readiness.yaml"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
ANNOUNCED = re.compile(r"(\d+) questions? (?:still to ask )?in this sitting(?:; the answers may open up to (\d+) more)?\.")


def dont_know(question) -> Answer:
    return Answer(status="unknown") if question.allow_unknown else Answer(status="not_applicable")


def a_value(question) -> Answer:
    """An answer that opens what it can: the best choice, a name, a date, a number, no entries."""
    value = best_value(question)
    if value is None:
        value = {"date": "2027-03-01", "records": [], "number": (question.number.min if question.number and
                                                                  question.number.min is not None else 1),
                 "multi": [question.choices[0].value] if question.choices else [],
                 "choice": question.choices[0].value if question.choices else None, "yes_no": True,
                 "scale": question.scale.max if question.scale else 5}.get(question.type, "Example answer")
    return Answer(value=value)


class Everything:
    """Answers every question it is asked with `reply(question)`, then finishes at the review."""

    def __init__(self, reply):
        self.reply = reply
        self.asked: list[str] = []
        self.told: list[str] = []

    def ask(self, question, current, progress):
        assert question.id not in self.asked, f"{question.id} asked twice"
        self.asked.append(question.id)
        return Reply(self.reply(question))

    def review(self, rows, remaining):
        return Finish()

    def tell(self, message):
        self.told.append(message)


def announced(told: list[str]) -> tuple[int, int]:
    match = ANNOUNCED.search("\n".join(told))
    assert match, told
    return int(match.group(1)), int(match.group(2) or 0)


@pytest.fixture
def new_site(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    return site


@pytest.mark.parametrize("part", [None, "first_meeting"])
def test_the_number_announced_is_the_number_asked(new_site, part):
    """With "don't know" everywhere no condition opens: the announced questions are asked, and a
    question worked out from others (a count of the funding sources) only once those are left open.
    With answers that open follow-ups, no more than the announced number plus the "may open"."""
    site = open_site(new_site)
    quiet = Everything(dont_know)
    Interview(site, part=part).run(quiet)
    now, maybe = announced(quiet.told)
    derived = [qid for qid in quiet.asked if site.questionnaire.by_id[qid].derive]
    assert len(quiet.asked) == now + len(derived) and now > 0
    assert derived == ([] if part else ["funding_source_count"])
    assert "county_name" not in quiet.asked and "Resuming" not in quiet.told[0]  # filled in, not resumed

    site = new_site.parent / f"again-{part}"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    full = Everything(a_value)
    Interview(open_site(site), part=part).run(full)
    assert announced(full.told) == (now, maybe)
    assert now <= len(full.asked) <= now + maybe
    if part == "first_meeting":  # the two title questions open once the names are given
        assert len(full.asked) == now + maybe == 37


def test_resuming_says_how_many_are_still_to_ask(new_site):
    site = open_site(new_site)
    first = Interview(site)
    total, _ = first.to_ask()
    for qid in ("program_name", "pilot_area", "pilot_launch_target"):
        first.apply(qid, a_value(site.questionnaire.by_id[qid]))
    again = Everything(dont_know)
    Interview(open_site(new_site)).run(again)
    assert "\nResuming at question 5 of " in "\n".join(again.told)  # after "Not asked: county name, ..."
    assert announced(again.told)[0] == total - 3 == len(again.asked) - 1  # and the funding sources' count


def test_the_closing_screen_counts_as_score_does(new_site, capsys):
    from readiness.interview.session import interview

    replies = iter(range(10_000))

    def some(question):  # every third question "don't know", the rest answered, some skipped later
        n = next(replies)
        return dont_know(question) if n % 3 == 0 else a_value(question)

    printed: list[str] = []
    interview(new_site, first_meeting=True, stdin=_Tty(), make_asker=lambda: Everything(some), echo=printed.append)
    data = json.loads(invoke("score", new_site, "--format", "json").stdout)["overall"]["questions"]
    table = " ".join(invoke("score", new_site).stdout.split())
    closing = "\n".join(printed)
    tally = f"{data['answered']} of {data['applicable']}" + (f", {data['unknown']} don't know" if data["unknown"] else "") \
        + (f", {data['open']} still open" if data["open"] else "")
    assert f"applicable questions answered: {tally}" in closing
    assert f"applicable questions answered: {tally}" in table
    from readiness.assessment import assess_site

    a = assess_site(open_site(new_site))
    assert f"Still to do: the full interview asks the {a.site_counts.open} site questions still open" in closing
    sitting = re.search(r"(\d+) of (\d+) first meeting questions answered", closing)
    saved = open_site(new_site)
    chosen = [saved.answers[x].status for x in saved.questionnaire.sets["first_meeting"].questions if x in saved.answers]
    # every question asked is answered or "don't know", but not applicable ones leave the count
    assert sitting and (int(sitting.group(1)), int(sitting.group(2))) == (
        chosen.count("answered"), chosen.count("answered") + chosen.count("unknown"))

    later: list[str] = []
    interview(new_site, stdin=_Tty(), make_asker=lambda: Everything(dont_know), echo=later.append)
    a = assess_site(open_site(new_site))
    assert (f"site questions answered ({a.site_counts.share:.0%})" in "\n".join(later)
            and f"{a.site_counts.answered} of {a.site_counts.applicable} site questions" in "\n".join(later))


class _Tty:
    def isatty(self) -> bool:
        return True
