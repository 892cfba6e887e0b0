"""The real `lead-readiness interview` process in a pseudo-terminal, driven with pexpect.

PROMPT_TOOLKIT_NO_CPR=1 stops prompt_toolkit waiting ~1 s per prompt for a cursor-position reply.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
import yaml

from readiness.workspace.store import open_site

from conftest import invoke
from keys import keys_for

pexpect = pytest.importorskip("pexpect")

EXE = str(Path(sys.executable).with_name("lead-readiness"))
ENV = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
DOWN, UP, ENTER, CTRL_C = "\x1b[B", "\x1b[A", "\r", "\x03"
REAL = Path(__file__).resolve().parents[1] / "questionnaires" / "lead-site-readiness.yaml"


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(EXE, ["interview", *map(str, args)], env=ENV, dimensions=(40, 120), timeout=15,
                         encoding="utf-8")


def answers_on_disk(site: Path) -> dict:
    return yaml.safe_load((site / "answers.yaml").read_text())["answers"]


def test_answer_go_back_change_interrupt_and_resume(mini_site):
    child = spawn(mini_site)
    child.expect_exact("7 questions in this sitting; the answers may open up to 1 more.")
    child.expect_exact("What is the county's name?")
    child.send("Harbor County" + ENTER)
    child.expect_exact("Which agencies are partners?")
    child.send(DOWN + ENTER)  # None to record
    child.expect_exact("Target launch date?")
    child.send("2027-03-01" + ENTER)
    child.expect_exact("Has the DA agreed in writing")
    child.send(DOWN + ENTER)  # Verbal support only
    child.expect_exact("How many days does a referred person have")
    child.send("<" + ENTER)  # go back to the DA question...
    child.expect_exact("Current answer: Verbal support only")
    child.expect_exact("Has the DA agreed in writing")
    child.send(UP + ENTER)  # ...and change it to "Yes, in writing"
    child.expect_exact("How many days does a referred person have")
    child.send("21" + ENTER)
    child.expect_exact("Is there a syringe services program in the county?")
    child.send(CTRL_C)
    # Ctrl-C is the normal way to stop: no "Error:", five questions answered (the DA's twice, counted once)
    child.expect_exact(f"Stopped. 5 answers saved; run `lead-readiness interview {mini_site}` to go on.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Error" not in child.before

    saved = answers_on_disk(mini_site)
    assert saved["county_name"]["value"] == "Harbor County"
    assert saved["partners"]["value"] == []
    assert saved["launch_date"]["value"] == "2027-03-01"
    assert saved["da_non_filing"]["value"] == "written"  # the changed answer
    assert saved["intake_days"]["value"] == 21
    assert "ssp_in_county" not in saved

    child = spawn(mini_site)
    child.expect_exact("Resuming at question 6 of 7: Is there a syringe services program in the county?")
    child.expect_exact("1/2 - 5/7 answered")  # after the domain title "Services", in bold
    child.send(ENTER)  # Yes
    child.expect_exact("Where can people get naloxone?")
    child.send(" " + ENTER)  # Pharmacies
    child.expect_exact("What next?")  # the review
    child.send(ENTER)  # Finish
    child.expect_exact("Next: lead-readiness score")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = answers_on_disk(mini_site)
    assert saved["da_non_filing"]["value"] == "written" and saved["county_name"]["value"] == "Harbor County"
    assert saved["naloxone_points"]["value"] == ["pharmacy"]


def test_sigkill_mid_interview_keeps_every_completed_answer(mini_site):
    child = spawn(mini_site)
    child.expect_exact("What is the county's name?")
    child.send("Harbor County" + ENTER)
    child.expect_exact("Which agencies are partners?")
    child.send(ENTER + "Harbor Sheriff" + ENTER + "Pat Lee" + ENTER + ENTER)  # one entry
    child.expect_exact("Add another entry")
    child.send(DOWN + ENTER)  # done
    child.expect_exact("Target launch date?")
    child.send("2027-03-01" + ENTER)
    child.expect_exact("Has the DA agreed in writing")
    child.send("2027")  # half-typed keys on a list prompt; then the process dies
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL

    site = open_site(mini_site)
    assert site.answers["county_name"].value == "Harbor County"
    assert site.answers["partners"].value == [{"name": "Harbor Sheriff", "head_name": "Pat Lee", "kind": "police"}]
    assert site.answers["launch_date"].value == "2027-03-01"
    assert set(site.answers) == {"county_name", "partners", "launch_date"}
    assert not [p for p in mini_site.iterdir() if p.name.endswith(".tmp")]

    child = spawn(mini_site)  # the lock died with the process: a new sitting starts and resumes
    child.expect_exact("Resuming at question 4 of 7: Has the DA agreed in writing")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)


def test_a_second_interview_at_the_same_time_is_refused(mini_site):
    first = spawn(mini_site)
    first.expect_exact("What is the county's name?")
    second = spawn(mini_site, "--respondent", "Chief Ada Park")
    second.expect_exact("another interview is already running")
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 1
    first.send("Harbor County" + ENTER)  # the first is undisturbed
    first.expect_exact("Which agencies are partners?")
    first.send(CTRL_C)
    first.expect(pexpect.EOF)
    assert answers_on_disk(mini_site)["county_name"]["value"] == "Harbor County"


def test_help_and_respondent_sitting_in_the_terminal(mini_site):
    child = spawn(mini_site, "--respondent", "Chief Ada Park", "--role", "Police Chief", "--agency", "Harbor PD")
    child.expect_exact("interviewing Chief Ada Park (Police Chief, Harbor PD)")
    child.expect_exact("1/1 - 0/1 answered")
    child.expect_exact("How strongly does your agency support diversion")
    child.send(DOWN * 6 + ENTER)  # past 1..5 and "Don't know" to "Show help"
    child.expect_exact("Each person interviewed answers this for themselves")
    child.send(DOWN * 4 + ENTER)  # 5 - Strongly supportive
    child.expect_exact("What next?")
    child.send(ENTER)
    child.expect_exact("Interview the next stakeholder")
    child.expect(pexpect.EOF)
    site = open_site(mini_site)
    chief = site.respondents["chief-ada-park"]
    assert (chief.role, chief.agency, chief.answers["support_diversion"].value) == ("Police Chief", "Harbor PD", 5)


@pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
def test_real_questionnaire_interview_resumes(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    q = open_site(site).questionnaire
    site_questions = [x for x in q.questions if x.scope == "site" and not x.when and not x.from_site]
    child = spawn(site)
    child.expect_exact("Not asked: county name, Harbor County (from `lead-readiness new --name`).")
    for question in site_questions[:8]:
        child.expect_exact(question.text[:50])
        child.send(keys_for(question))
    following = site_questions[8]
    child.expect_exact(following.text[:50])
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert set(open_site(site).answers) == {x.id for x in site_questions[:8]} | {"county_name"}
    child = spawn(site)
    child.expect_exact("Resuming at question 10 of")  # the county name, then the eight answered
    child.expect_exact(following.text[:50])
    child.send(CTRL_C)
    child.expect(pexpect.EOF)


@pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
def test_a_virginia_site_is_asked_in_virginias_words(tmp_path):
    """Issue 11: the prosecutor and behavioral-health questions name Virginia's institutions."""
    site = tmp_path / "arlington"
    assert invoke("new", site, "--name", "Example County", "--state", "VA").exit_code == 0
    q = open_site(site).questionnaire
    profile = [x for x in q.questions if x.scope == "site" and x.domain == "profile"]
    child = spawn(site, "--domain", "profile")
    seen = []
    while True:  # answer whatever the interview asks (conditional questions too) up to the LME question
        asked = profile[child.expect_exact([x.text[:50] for x in profile])]
        seen.append(child.before + child.after)
        if asked.id == "lme_mco_name":
            break
        profile.remove(asked)  # its text stays on screen; wait for the next one
        child.send(keys_for(asked))
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    seen.append(child.before)
    child.close()
    shown = " ".join("".join(seen).split())
    assert "Who is the elected Commonwealth's Attorney?" in shown
    assert "Which city or county does the Commonwealth's Attorney serve?" in shown
    assert "Which Community Services Board (CSB) manages publicly funded behavioral health services" in shown
    for north_carolina in ("District Attorney", "LME/MCO", "prosecutorial district", "Local Management Entity"):
        assert north_carolina not in shown


# ---------------------------------------------------------------- one key for don't know / not applicable / skip

CTRL_K, CTRL_N, CTRL_S = "\x0b", "\x0e", "\x13"


@pytest.mark.parametrize("key,status", [(CTRL_K, "unknown"), (CTRL_N, "not_applicable")])
def test_one_key_marks_dont_know_or_not_applicable_on_every_type(mini_site, key, status):
    child = spawn(mini_site)
    child.expect_exact("What is the county's name?")
    child.send("Harbor County" + ENTER)
    child.expect_exact("Which agencies are partners?")  # records
    child.send(CTRL_S)
    child.expect_exact("Target launch date?")  # date
    child.send(key)
    child.expect_exact("Has the DA agreed in writing")  # choice
    child.send(key)
    child.expect_exact("How many days does a referred person have")  # number
    child.send(key)
    child.expect_exact("Is there a syringe services program in the county?")
    child.send(DOWN + ENTER)  # No
    child.expect_exact("Ctrl-K don't know   Ctrl-N not applicable   Ctrl-S skip")  # the hint line, then...
    child.expect_exact("Which syringe services program is nearest?")  # ...a text question
    child.send(key)
    child.expect_exact("Where can people get naloxone?")  # checklist
    child.send(key)
    child.expect_exact("What next?")  # the review: Continue (the skipped one), Change, Finish
    child.send(DOWN * 2 + ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = answers_on_disk(mini_site)
    assert saved["partners"]["status"] == "skipped"
    for qid in ("launch_date", "da_non_filing", "intake_days", "ssp_nearest", "naloxone_points"):
        assert saved[qid]["status"] == status, qid
        assert "value" not in saved[qid]


# ---------------------------------------------------------------- first meeting, then the full interview

def _prompts(q):
    """Patterns for every site question's prompt, and the review's title (its table lists the texts)."""
    site_questions = [x for x in q.questions if x.scope == "site"]
    return site_questions, [x.text[:60] for x in site_questions] + ["Review - "]


def _walk(child, q, answer, seen=None):
    """Answer every prompt until the review, then wait for its menu; returns the ids asked, in order
    (a question whose prompt is drawn again after its answer is counted once); `seen` collects the
    screen's text."""
    questions, patterns = _prompts(q)
    asked: list[str] = []
    while True:
        index = child.expect_exact(patterns, timeout=30)
        if seen is not None:
            seen.append(child.before + child.after)
        if index == len(questions):
            child.expect_exact("What next?")
            return asked
        question = questions[index]
        if asked and asked[-1] == question.id:
            continue  # the answered prompt drawn once more
        asked.append(question.id)
        child.send(answer(question))


@pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
def test_first_meeting_then_the_full_interview_asks_nothing_twice(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    q = open_site(site).questionnaire
    chosen = q.sets["first_meeting"].questions
    gates = [x.id for x in q.questions if x.gate]

    def first(question):  # every other launch requirement: "don't know" with one key
        if question.gate and gates.index(question.id) % 2:
            return CTRL_K
        return keys_for(question)

    child = spawn(site, "--first-meeting")
    child.expect_exact("Harbor County: first meeting")
    child.expect(r"(\d+) questions in this sitting; the answers may open up to (\d+) more\.")
    now, maybe = int(child.match.group(1)), int(child.match.group(2))
    asked = _walk(child, q, first)
    assert len(asked) == now + maybe  # the announced ones, and the two titles the names given open
    child.send(ENTER)  # review: Continue is not offered (nothing left in the set), so Finish
    child.expect_exact("What this meeting established:")
    child.expect_exact(f"Launch requirements ({len(gates)}):")
    child.expect_exact("Commitments, party by party:")
    child.expect_exact("Still to do: the full interview asks the")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # every question of the set, in the set's order (the two "title" questions follow a name given)
    assert asked == chosen and 30 <= len(asked) <= 40
    assert "county_name" not in asked  # given to `new`

    data = json.loads(invoke("score", site, "--format", "json").stdout)
    assert {g["id"] for g in data["gates"]} == set(gates)
    assert all(g["status"] in ("passed", "failed", "unknown") and g["answer"] != "Not answered yet"
               for g in data["gates"])  # every gate answered or "don't know"
    assert sum(g["answer"] == "Don't know" for g in data["gates"]) == len(gates) // 2

    child = spawn(site)
    child.expect_exact("Resuming at question")
    asked_later = _walk(child, q, keys_for)
    child.send(ENTER)  # review: Finish
    child.expect(pexpect.EOF)
    child.close()
    assert not set(asked_later) & set(chosen) and "county_name" not in asked_later
    assert "funding_source_count" not in asked_later  # counted from the funding sources
    saved = open_site(site).answers
    assert saved["funding_source_count"].value == len(saved["funding_sources"].value or [])
    assert all(x.id in saved for x in q.questions if x.scope == "site" and x.id in _live(site))


def _live(site):
    from readiness.interview.engine import Interview

    return Interview(open_site(site)).live_ids()


# ---------------------------------------------------------------- respondents: date and wording


@pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
def test_respondent_date_and_wording_for_their_role(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    child = spawn(site, "--respondent", "Sam Ortiz", "--role", "FOP Lodge 12 President", "--date", "2027-01-15")
    child.expect_exact("interviewing Sam Ortiz (FOP Lodge 12 President) on 2027-01-15.")
    child.expect_exact("Questions worded for: union or employee association representative")
    child.expect_exact("How strongly do the members you represent support")
    child.send(DOWN * 3 + ENTER)  # 4 - Supportive
    child.expect_exact("How comfortable are the members you represent")
    child.send(CTRL_C)
    child.expect_exact('Stopped. 1 answer saved; run `lead-readiness interview')
    child.expect_exact("--respondent 'Sam Ortiz'` to go on.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = yaml.safe_load((site / "respondents" / "sam-ortiz.yaml").read_text())
    assert (saved["date"], saved["role_kind"]) == ("2027-01-15", "union_representative")
    assert saved["answers"]["resp_support_diversion"]["value"] == 4

    child = spawn(site, "--respondent", "Sam Ortiz")  # resuming keeps the date on file
    child.expect_exact("interviewing Sam Ortiz (FOP Lodge 12 President) on 2027-01-15.")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)


@pytest.mark.skipif(not REAL.exists(), reason="the real questionnaire is not in this checkout")
def test_a_new_site_is_asked_the_number_announced_and_name_questions_say_name_only(tmp_path):
    """Issue 16: the opening announces what the sitting will ask; with "don't know" on every question
    (one key) no follow-up opens, so exactly those are asked, and the count of funding sources,
    left to work out from a list now unknown. A name question says "name only" beside its prompt."""
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    q = open_site(site).questionnaire
    child = spawn(site)
    child.expect_exact("Not asked: county name, Harbor County")
    child.expect(r"(\d+) questions in this sitting; the answers may open up to (\d+) more\.")
    now = int(child.match.group(1))
    seen: list[str] = []
    asked = _walk(child, q, lambda question: CTRL_K if question.allow_unknown else CTRL_N, seen)
    child.send(ENTER)  # review: Finish
    child.expect_exact("site questions answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(asked) == now + 1 and asked.count("funding_source_count") == 1
    import re

    screen = "".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|[\x08\r]", "", "".join(seen)).split())  # no escapes, no spaces
    for shown in ("Who heads the lead law enforcement agency? The person's name only; the title is asked next.",
                  "Who is the elected District Attorney? The person's name only, without the title."):
        assert "".join(shown.split()) in screen, shown
