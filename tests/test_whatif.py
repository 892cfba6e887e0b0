"""`score --what-if` and `plan --what-if`: today beside the answers given, nothing written; and the
report's three answers that would bring launch closest."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from conftest import invoke, render_pack, snapshot


def _files_and_mtimes(folder):
    return snapshot(folder), {p: os.stat(folder / p).st_mtime_ns for p in snapshot(folder)}


def test_one_answer_moves_harbor_county_to_ready_to_launch_and_nothing_is_written(example_copy):
    site = example_copy("harbor-county")
    before, mtimes = _files_and_mtimes(site)
    result = invoke("--plain", "score", site, "--what-if", "dsa_signed=yes")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "What if (nothing is saved): launch 8 weeks earlier" in out
    stage = next(line for line in out.splitlines() if line.strip().startswith("Stage"))
    assert "Ready with conditions" in stage and "Ready to launch" in stage
    assert stage.index("Ready with conditions") < stage.index("Ready to launch")  # today first, then what if
    met = next(line for line in out.splitlines() if "Launch requirements met" in line)
    assert "11 of 12" in met and "12 of 12" in met
    gate = next(line for line in out.splitlines() if "Data-sharing agreement" in line)
    assert gate.index("not met") < gate.rindex(" met")
    after, mtimes_after = _files_and_mtimes(site)
    assert after == before, "a what-if must not change, add or remove any file of the site"
    assert mtimes_after == mtimes
    # and the recorded answer is still the old one
    scored = json.loads(invoke("score", site, "--format", "json").stdout)
    assert scored["overall"]["stage"] == "Ready with conditions"


def test_what_if_json_and_markdown(example_copy):
    site = example_copy("harbor-county")
    before = snapshot(site)
    data = json.loads(invoke("score", site, "--what-if", "dsa_signed=yes", "--format", "json").stdout)
    assert set(data) == {"site", "start", "changes", "today", "what_if"}
    assert data["changes"] == [{"question": "dsa_signed", "text": data["changes"][0]["text"], "today": "No",
                                "what_if": "Yes", "applies": True}]
    assert data["today"]["stage"] == "Ready with conditions" and not data["today"]["launch_ready"]
    assert data["what_if"]["stage"] == "Ready to launch" and data["what_if"]["launch_ready"]
    assert (data["today"]["gates_met"], data["what_if"]["gates_met"]) == (11, 12)
    gate = {g["id"]: g["status"] for g in data["what_if"]["gate_status"]}
    assert gate["dsa_signed"] == "passed"
    md = invoke("score", site, "--what-if", "dsa_signed=yes", "--format", "markdown").stdout
    assert "| Stage | Ready with conditions | Ready to launch |" in md
    assert snapshot(site) == before


def test_plan_what_if_moves_the_launch_date_and_takes_several_answers(example_copy):
    site = example_copy("cedar-falls-county")
    before = snapshot(site)
    today = json.loads(invoke("plan", site, "--start", "2027-01-04", "--format", "json").stdout)
    data = json.loads(invoke("plan", site, "--start", "2027-01-04", "--format", "json",
                             "--what-if", "da_non_filing=Yes, in writing", "--what-if", "roi_approved=yes").stdout)
    assert data["start"] == "2027-01-04"
    assert data["today"]["launch"] == today["launch"]  # the same functions as `plan` itself
    assert [c["question"] for c in data["changes"]] == ["da_non_filing", "roi_approved"]
    assert data["changes"][0]["what_if"] == "Yes, in writing"
    assert data["what_if"]["launch"] < data["today"]["launch"]
    assert data["what_if"]["gates_met"] == data["today"]["gates_met"] + 2
    assert snapshot(site) == before


@pytest.mark.parametrize("args, code, message", [
    (["--what-if", "dsa_signd=yes"], 1, "unknown question id 'dsa_signd'"),
    (["--what-if", "dsa_signd=yes"], 1, "did you mean 'dsa_signed'?"),
    (["--what-if", "dsa_signed=maybe"], 1, "--what-if dsa_signed: expected yes or no ('dsa_signed' takes yes or no)"),
    (["--what-if", "da_non_filing=soon"], 1, "'soon' is not one of the choices"),
    (["--what-if", "case_manager_fte=lots"], 1, "takes a number"),
    (["--what-if", "dsa_signed"], 2, "--what-if 'dsa_signed' is not QUESTION=VALUE"),
    (["--what-if", "=yes"], 2, "is not QUESTION=VALUE"),
    (["--what-if", "dsa_signed=yes", "--what-if", "dsa_signed=no"], 1, "'dsa_signed' is given twice"),
    (["--what-if", "resp_harm_reduction_comfort=5"], 1, "is asked of each respondent"),
])
def test_bad_what_ifs_are_refused_with_a_clear_error(example_copy, args, code, message):
    site = example_copy("harbor-county")
    before = snapshot(site)
    result = invoke("score", site, *args)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(site) == before


def test_plan_csv_cannot_show_a_comparison(example_copy):
    site = example_copy("harbor-county")
    result = invoke("plan", site, "--what-if", "dsa_signed=yes", "--format", "csv")
    assert result.exit_code == 2
    assert "use --format table, markdown or json" in result.stderr


def test_best_moves_agree_with_what_if(example_copy):
    from readiness.report import whatif
    from readiness.resources import template_folders
    from readiness.workspace.store import open_site

    for name in ("harbor-county", "pine-ridge-county", "cedar-falls-county"):
        site = open_site(example_copy(name))
        start, dirs = dt.date(2027, 1, 4), template_folders(site, None)
        today = whatif.outlook(site, start, dirs)
        moves = whatif.best_moves(site, today, start, dirs)
        assert 1 <= len(moves) <= 3
        assert [m.weeks_saved for m in moves] == sorted((m.weeks_saved for m in moves), reverse=True)
        for m in moves:  # each figure is what `plan --what-if` says for that one answer
            data = json.loads(invoke("plan", site.root, "--start", "2027-01-04", "--format", "json",
                                     "--what-if", f"{m.question}={m.typed}").stdout)
            assert data["what_if"]["launch"] == m.launch.isoformat(), (name, m.question)
            assert data["what_if"]["stage"] == m.stage
        if name == "harbor-county":
            top = moves[0]
            assert (top.question, top.answer, top.weeks_saved, top.stage) == ("dsa_signed", "Yes", 8, "Ready to launch")


def test_the_report_lists_the_answers_that_would_bring_launch_closest(example_copy):
    report = render_pack(example_copy("pine-ridge-county"))["readiness_report"]
    section = report.split("### 2.2 The answers that would bring launch closest", 1)[1].split("## 3.", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 3
    assert "weeks earlier" in rows[0] and "**(launch requirement)**" in rows[0]
    weeks = [int(row.split(" weeks earlier")[0].rsplit("| ", 1)[1]) for row in rows]
    assert weeks == sorted(weeks, reverse=True) and weeks[0] > 0


def test_best_value_and_allowed_values():
    from readiness import resources
    from readiness.questionnaire.allowed import allowed_values, best_value
    from readiness.questionnaire.loader import load_questionnaire

    q = load_questionnaire(resources.bundled_questionnaire())
    assert best_value(q.by_id["dsa_signed"]) is True
    assert best_value(q.by_id["da_non_filing"]) == "written"
    assert best_value(q.by_id["pilot_area"]) is None  # text is not scored
    fte = q.by_id["case_manager_fte"]
    from readiness.assessment.scoring import question_score

    assert question_score(fte, best_value(fte)) == 1.0
    assert allowed_values(q.by_id["dsa_signed"]) == "yes or no; or don't know"
    assert allowed_values(q.by_id["da_non_filing"], with_unknown=False).startswith("one of: Yes, in writing; ")


def test_a_what_if_for_a_question_that_does_not_apply_says_so(example_copy):
    site = example_copy("willow-bend-county")  # no health director named, so the title is not asked
    data = json.loads(invoke("score", site, "--what-if", "health_director_title=Director", "-f", "json").stdout)
    assert data["changes"][0]["applies"] is False
    assert data["today"]["score"] == data["what_if"]["score"]
    both = json.loads(invoke("score", site, "--what-if", "health_director_title=Director", "--what-if",
                             "health_department_director=Dr. Ana Ruiz", "-f", "json").stdout)
    assert [c["applies"] for c in both["changes"]] == [True, True]
    shown = invoke("score", site, "--what-if", "health_director_title=Director", "-f", "markdown").stdout
    assert "| Director (does not apply with these answers, so it changes nothing) |" in shown


def test_dont_know_and_not_applicable_as_what_ifs(example_copy):
    """Issue 16: `QUESTION=unknown` (or `?`) is "don't know", `QUESTION=n/a` "not applicable"; each shows
    its effect beside today and nothing of the site changes."""
    site = example_copy("harbor-county")
    before, mtimes = _files_and_mtimes(site)
    ready = json.loads(invoke("score", site, "--what-if", "dsa_signed=yes", "--format", "json").stdout)
    assert ready["what_if"]["stage"] == "Ready to launch"
    data = json.loads(invoke("score", site, "--what-if", "dsa_signed=yes", "--what-if", "da_non_filing=unknown",
                             "--format", "json").stdout)
    assert data["changes"][1] == {"question": "da_non_filing", "text": data["changes"][1]["text"],
                                  "today": "Yes, in writing", "what_if": "Don't know", "applies": True}
    gates = {g["id"]: g["status"] for g in data["what_if"]["gate_status"]}
    assert gates["da_non_filing"] == "unknown" and gates["dsa_signed"] == "passed"
    assert not data["what_if"]["launch_ready"] and data["what_if"]["stage"] != "Ready to launch"
    assert data["what_if"]["gates_met"] == 11 and data["what_if"]["score"] < ready["what_if"]["score"]
    same = json.loads(invoke("score", site, "--what-if", "dsa_signed=yes", "--what-if", "da_non_filing=?",
                             "--format", "json").stdout)
    assert same["what_if"] == data["what_if"]

    out = invoke("--plain", "score", site, "--what-if", "crisis_comms=n/a").stdout
    assert "Not applicable" in out and "does not apply" not in out
    na = json.loads(invoke("score", site, "--what-if", "crisis_comms=not applicable", "--format", "json").stdout)
    assert na["changes"][0]["what_if"] == "Not applicable" and na["changes"][0]["applies"]
    assert na["what_if"]["score"] > na["today"]["score"]  # a "no" leaves the denominator
    assert _files_and_mtimes(site) == (before, mtimes)


def test_dont_know_is_refused_where_the_question_does_not_allow_it(example_copy):
    site = example_copy("harbor-county")
    before = snapshot(site)
    result = invoke("score", site, "--what-if", "county_name=unknown")
    assert result.exit_code == 1
    assert "Error: --what-if: 'county_name' does not accept \"don't know\"" in result.stderr
    assert snapshot(site) == before
