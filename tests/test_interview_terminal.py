"""The real `lead-readiness interview` process in a pseudo-terminal, driven with pexpect.

PROMPT_TOOLKIT_NO_CPR=1 stops prompt_toolkit waiting ~1 s per prompt for a cursor-position reply.
"""
from __future__ import annotations

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


def spawn(*args: str) -> "pexpect.spawn":
    return pexpect.spawn(EXE, ["interview", *map(str, args)], env=ENV, dimensions=(40, 120), timeout=15,
                         encoding="utf-8")


def answers_on_disk(site: Path) -> dict:
    return yaml.safe_load((site / "answers.yaml").read_text())["answers"]


def test_answer_go_back_change_interrupt_and_resume(mini_site):
    child = spawn(mini_site)
    child.expect_exact("7 questions in this sitting.")
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
