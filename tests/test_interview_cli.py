"""`lead-readiness interview` without a person at the keyboard: no terminal, answer files, locks,
respondent sittings and the disagreements they produce."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from readiness.errors import ReadinessError, WorkspaceError
from readiness.interview.session import interview
from readiness.workspace.store import open_site, session_lock

from conftest import invoke, snapshot

EXE = Path(sys.executable).with_name("lead-readiness")
DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture(autouse=True)
def _no_cpr(monkeypatch):
    monkeypatch.setenv("PROMPT_TOOLKIT_NO_CPR", "1")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_typed(site: Path, keys: str, **options) -> list[str]:
    """The whole command in-process, typed through a pipe; returns the printed lines."""
    from readiness.interview.prompts import TerminalAsker

    lines: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        console = Console(file=io.StringIO(), width=120, color_system=None)
        interview(site, stdin=FakeTTY(), echo=lines.append,
                  make_asker=lambda: TerminalAsker(console, input=pipe, output=DummyOutput()), **options)
    return lines


# ---------------------------------------------------------------- never hang without a terminal


def test_no_terminal_fails_fast_with_how_to_run_it(mini_site):
    before = snapshot(mini_site)
    started = time.monotonic()
    proc = subprocess.run([str(EXE), "interview", str(mini_site)], stdin=subprocess.PIPE, capture_output=True,
                          text=True, timeout=10, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    elapsed = time.monotonic() - started
    print(f"non-terminal interview exited in {elapsed * 1000:.0f} ms")
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: the interview asks questions and needs a terminal (input is not a terminal)")
    assert "run it in a terminal" in proc.stderr and "--answers" in proc.stderr
    assert snapshot(mini_site) == before


def test_no_input_option_fails_fast_even_in_a_terminal(mini_site):
    with pytest.raises(ReadinessError, match=r"needs a terminal \(--no-input was given\)"):
        interview(mini_site, stdin=FakeTTY(), no_input=True)
    result = invoke("interview", mini_site, "--no-input")
    assert result.exit_code == 1 and "--answers" in result.stderr


def test_role_needs_a_respondent(mini_site):
    result = invoke("interview", mini_site, "--role", "Police Chief")
    assert result.exit_code == 1
    assert "Error: --role and --agency describe a respondent" in result.stderr


@pytest.mark.parametrize("domain,message", [
    ("prosecutoin", "unknown domain 'prosecutoin'"),
    ("buy_in", "domain 'buy_in' has no site questions"),
])
def test_domain_is_checked(mini_site, domain, message):
    with pytest.raises(ReadinessError, match=message) as info:
        interview(mini_site, stdin=FakeTTY(), domain=domain)
    if domain == "prosecutoin":
        assert "did you mean 'prosecution'" in str(info.value)


# ---------------------------------------------------------------- --answers FILE


def test_answers_file_is_checked_and_saved(mini_site, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  county_name: Harbor County\n  intake_days: 21\n"
                       "  da_non_filing: {status: unknown, note: ask the DA}\n  naloxone_points: [pharmacy, ssp]\n")
    result = invoke("interview", mini_site, "--answers", answers)
    assert result.exit_code == 0, result.output
    assert f"Saved 4 answers from {answers} to Test County." in result.stdout
    assert "Next: lead-readiness score" in result.stdout
    site = open_site(mini_site)
    assert site.answers["intake_days"].value == 21
    assert site.answers["da_non_filing"].status == "unknown" and site.answers["da_non_filing"].note == "ask the DA"


def test_answers_file_with_a_bad_value_names_file_and_line_and_changes_nothing(mini_site, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  county_name: Harbor County\n  intake_days: 400\n")
    before = snapshot(mini_site)
    result = invoke("interview", mini_site, "--answers", answers, "--no-input")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {answers}:3: answer to 'intake_days': 400 is above the maximum of 365")
    assert snapshot(mini_site) == before


@pytest.mark.parametrize("body,message,line", [
    ("answers:\n  county_nmae: X\n", "unknown question id 'county_nmae'", 2),
    ("answers:\n  support_diversion: 4\n", "'support_diversion' is asked of each respondent", 2),
    ("answers:\n  county_name: {status: unknown}\n", "'county_name' does not accept \"don't know\"", 2),
    ("answers: [1, 2]\n", "answers", 1),
])
def test_answers_file_problems_are_located(mini_site, tmp_path, body, message, line):
    answers = tmp_path / "bad.yaml"
    answers.write_text(body)
    before = snapshot(mini_site)
    result = invoke("interview", mini_site, "--answers", answers)
    assert result.exit_code == 1
    assert f"{answers}:{line}" in result.stderr and message in result.stderr
    assert snapshot(mini_site) == before


def test_respondent_files_as_answers_make_a_disagreement(mini_site, tmp_path):
    chief = tmp_path / "chief.yaml"
    chief.write_text("name: Chief Ada Park\nrole: Police Chief\nagency: Harbor PD\nanswers:\n  support_diversion: 5\n")
    da = tmp_path / "da.yaml"
    da.write_text("answers:\n  support_diversion: 1\n")
    assert invoke("interview", mini_site, "--answers", chief).exit_code == 0
    result = invoke("interview", mini_site, "--answers", da, "--respondent", "Sam Ortiz", "--role", "District Attorney")
    assert result.exit_code == 0, result.output
    data = json.loads(invoke("score", mini_site, "--format", "json").stdout)
    (disagreement,) = data["disagreements"]
    assert disagreement["question"] == "support_diversion" and disagreement["spread"] == 1.0
    site = open_site(mini_site)
    assert site.respondents["sam-ortiz"].role == "District Attorney"
    assert site.respondents["chief-ada-park"].agency == "Harbor PD"


# ---------------------------------------------------------------- typed sittings


def test_two_typed_respondent_sittings_disagree(mini_site):
    # support_diversion is a 1..5 scale: Enter picks 1, four Downs pick 5; then Finish in the review.
    lines = run_typed(mini_site, DOWN * 4 + ENTER + ENTER, respondent="Chief Ada Park", role="Police Chief",
                      agency="Harbor PD")
    assert any("Interview the next stakeholder" in line for line in lines)
    run_typed(mini_site, ENTER + ENTER, respondent="Sam Ortiz", role="District Attorney")
    result = invoke("score", mini_site, "--format", "json")
    (disagreement,) = json.loads(result.stdout)["disagreements"]
    assert disagreement["question"] == "support_diversion"
    assert sorted(a["answer"] for a in disagreement["answers"]) == ["1 - Strongly opposed", "5 - Strongly supportive"]


def test_site_sitting_ends_with_score_next_command_and_respondent_hint(mini_site):
    keys = ("Harbor County" + ENTER + DOWN + ENTER  # county; partners: none to record
            + "2027-03-01" + ENTER + DOWN * 2 + ENTER  # launch date; DA: no
            + "60" + ENTER + ENTER + " " + ENTER  # intake; SSP yes; naloxone: pharmacies
            + ENTER)  # review: Finish
    lines = run_typed(mini_site, keys)
    text = "\n".join(lines)
    assert "7 answers saved in this sitting; 7 of 7 site questions answered (100%)." in text
    # the same counts, by the same definition, as `score` (the respondent question is still open)
    assert ("Completeness 88% of applicable questions answered: 7 of 8, 1 still open "
            "(the 1 question asked of each respondent counts once).") in text
    assert "Completeness 88% of applicable questions answered: 7 of 8, 1 still open" in invoke("score", mini_site).stdout
    assert "Launch blockers (1): Prosecutor non-filing commitment (not met)" in text
    assert "Top gaps:\n  1. Ask the DA for a signed non-filing letter. (District Attorney; critical, blocks launch)" in text
    assert f"Next: lead-readiness score {mini_site}" in text
    assert f"Later: lead-readiness build {mini_site}" in text
    assert "lead-readiness interview" in text and '--respondent "Full Name"' in text


def test_quitting_says_how_to_carry_on(mini_site):
    lines = run_typed(mini_site, "Harbor County" + ENTER + DOWN * 5 + ENTER + DOWN * 3 + ENTER)
    assert f"To carry on where you stopped: lead-readiness interview {mini_site}" in "\n".join(lines)


def test_a_second_interview_on_the_same_site_is_refused(mini_site):
    with session_lock(mini_site):
        with pytest.raises(WorkspaceError, match="another interview is already running"):
            interview(mini_site, stdin=FakeTTY(), make_asker=lambda: pytest.fail("must not ask"))


def test_respondent_details_and_first_meeting_are_checked_before_anything_is_asked(mini_site, tmp_path):
    before = snapshot(mini_site)
    bad_date = invoke("interview", mini_site, "--respondent", "Ada Park", "--date", "2027-13-01")
    assert bad_date.exit_code == 1
    assert "Error: --date '2027-13-01' is not a date written YYYY-MM-DD (for example --date 2027-03-01)" in bad_date.stderr
    no_one = invoke("interview", mini_site, "--date", "2027-01-15")
    assert no_one.exit_code == 1 and "--role-kind and --date describe a respondent" in no_one.stderr
    never = lambda: pytest.fail("must not ask")  # noqa: E731
    with pytest.raises(ReadinessError, match="has no first-meeting questions") as info:
        interview(mini_site, first_meeting=True, stdin=FakeTTY(), make_asker=never)
    assert "lead-readiness interview" in str(info.value)
    assert snapshot(mini_site) == before

    real = tmp_path / "harbor"
    assert invoke("new", real, "--name", "Harbor County", "--state", "NC").exit_code == 0
    with pytest.raises(ReadinessError, match="unknown --role-kind 'union_rep'") as info:
        interview(real, respondent="Ada Park", role_kind="union_rep", stdin=FakeTTY(), make_asker=never)
    assert "union_representative" in str(info.value)
