"""`new`, `answer` and `score` through the real CLI: exit codes, messages, files untouched on errors."""
from __future__ import annotations

import json

import pytest

from conftest import MINI, invoke, snapshot


def test_new_creates_a_site(mini_site):
    assert (mini_site / "site.yaml").exists() and (mini_site / "answers.yaml").exists()
    assert "state: NC" in (mini_site / "site.yaml").read_text()


def test_new_refuses_an_existing_site(mini_site):
    before = snapshot(mini_site)
    result = invoke("new", mini_site, "--name", "Other", "--state", "NC", "--questionnaire", MINI)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "already a site folder" in result.stderr
    assert snapshot(mini_site) == before


def test_new_refuses_a_bad_state(tmp_path):
    result = invoke("new", tmp_path / "s", "--name", "X", "--state", "North Carolina")
    assert result.exit_code == 1 and "Error: invalid --state" in result.stderr
    assert not (tmp_path / "s").exists()


def test_answer_then_score(mini_site):
    assert invoke("answer", mini_site, "da_non_filing", "written", "--note", "Letter of 2 Aug").exit_code == 0
    assert invoke("answer", mini_site, "intake_days", "21").exit_code == 0
    assert invoke("answer", mini_site, "naloxone_points", "pharmacy,ssp").exit_code == 0
    assert invoke("answer", mini_site, "ssp_in_county", "--unknown").exit_code == 0
    assert invoke("answer", mini_site, "support_diversion", "5", "--respondent", "Chief Ada Park",
                  "--role", "Police Chief").exit_code == 0
    assert (mini_site / "respondents" / "chief-ada-park.yaml").exists()
    data = json.loads(invoke("score", mini_site, "--format", "json").stdout)
    assert data["questionnaire"] == {"id": "mini", "version": "1.0.0"}
    assert data["gates"] == [{"id": "da_non_filing", "title": "Prosecutor non-filing commitment",
                              "domain": "prosecution", "status": "passed", "answer": "Yes, in writing"}]
    assert {g["question"]: g["kind"] for g in data["gaps"]}["ssp_in_county"] == "verify"
    assert set(data["overall"]) == {"score", "stage", "launch_ready", "completeness", "confidence",
                                    "provisional", "stage_label", "score_answered_only", "questions"}
    counts = data["overall"]["questions"]  # the counts completeness is made of
    assert counts["answered"] / counts["applicable"] == pytest.approx(data["overall"]["completeness"], abs=1e-3)
    assert counts["answered"] + counts["unknown"] + counts["open"] == counts["applicable"]
    assert "Letter of 2 Aug" in (mini_site / "answers.yaml").read_text()


def test_score_table_and_markdown(mini_site):
    invoke("answer", mini_site, "da_non_filing", "verbal")
    table = invoke("score", mini_site)
    assert table.exit_code == 0 and "Launch blockers" in table.stdout and "Prosecutor non-filing" in table.stdout
    md = invoke("score", mini_site, "--format", "markdown").stdout
    assert md.startswith("# Readiness summary: Test County") and "| Prosecutor non-filing commitment | Not met |" in md


@pytest.mark.parametrize("args,message", [
    (["da_non_filng", "written"], "Error: unknown question id 'da_non_filng'"),
    (["da_non_filing", "maybe"], "Error: answer to 'da_non_filing': 'maybe' is not one of the choices: written, verbal, no"),
    (["intake_days", "many"], "Error: answer to 'intake_days': expected a number, got 'many'"),
    (["intake_days", "0"], "Error: answer to 'intake_days': 0 is below the minimum of 1"),
    (["launch_date", "next spring"], "Error: answer to 'launch_date': expected a date as YYYY-MM-DD"),
    (["support_diversion", "4"], "Error: 'support_diversion' is asked of each respondent"),
    (["da_non_filing"], "Error: give exactly one of: a VALUE, --unknown or --not-applicable"),
    (["county_name", "--unknown"], "Error: 'county_name' does not accept \"don't know\""),
])
def test_bad_answers_are_refused_and_change_nothing(mini_site, args, message):
    before = snapshot(mini_site)
    result = invoke("answer", mini_site, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(mini_site) == before


def test_did_you_mean_for_a_misspelt_id(mini_site):
    result = invoke("answer", mini_site, "da_non_filng", "written")
    assert "did you mean 'da_non_filing'?" in result.stderr


BROKEN_FILES = {
    "broken YAML": (b"answers:\n  da_non_filing: [written\n", "answers.yaml:2: answers file is not valid YAML"),
    "tab indentation": (b"answers:\n\tda_non_filing: written\n", "answers.yaml:2: answers file is not valid YAML: "
                                                                  "a tab character is used for indentation"),
    "wrong type": (b"answers:\n  intake_days:\n    value: lots\n", "answers.yaml:3: answer to 'intake_days': "
                                                                   "expected a number, got 'lots'"),
    "unknown id": (b"answers:\n  da_non_filling: written\n", "answers.yaml:2: unknown question id 'da_non_filling' "
                                                              "(did you mean 'da_non_filing'?)"),
    "not a choice": (b"answers:\n  da_non_filing: maybe\n", "answers.yaml:2: answer to 'da_non_filing': 'maybe' is "
                                                             "not one of the choices"),
    "binary": (b"\x00\x01\x02\x03junk", "answers.yaml: answers file is a binary file, not YAML text"),
    "bad status": (b"answers:\n  da_non_filing:\n    status: maybe\n", "answers.yaml:3: answers.da_non_filing.status:"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_broken_answers_file_gives_one_located_error(mini_site, case):
    content, message = BROKEN_FILES[case]
    (mini_site / "answers.yaml").write_bytes(content)
    before = snapshot(mini_site)
    for args in (["score", mini_site], ["answer", mini_site, "intake_days", "20"]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert snapshot(mini_site) == before


@pytest.mark.parametrize("content", [b"", "\ufeff\ufeff".encode()])
def test_empty_answers_file_is_just_no_answers_yet(mini_site, content):
    (mini_site / "answers.yaml").write_bytes(content)
    assert invoke("score", mini_site, "--format", "json").exit_code == 0


@pytest.mark.parametrize("content,message", [
    (b"", "site.yaml: site file is empty"),
    # byte-order marks and nothing else: no YAML document at all (the fuzz test found '\ufeff\ufeff'
    # giving an internal error, exit 70)
    ("\ufeff\ufeff".encode(), "site.yaml: site file is empty"),
    (b"name: X\nstate: North\n", "site.yaml:2: state: 'NORTH' is not in the expected form (use the two-letter state code, such as NC)"),
    (b"\xff\xfe\x00\x00", "site.yaml: site file is a binary file"),
])
def test_broken_site_file(mini_site, content, message):
    (mini_site / "site.yaml").write_bytes(content)
    result = invoke("score", mini_site)
    assert result.exit_code == 1 and message in result.stderr, result.stderr


def test_missing_site_folder_says_how_to_create_one(tmp_path):
    result = invoke("score", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "site folder not found" in result.stderr and "lead-readiness new" in result.stderr


def test_usage_error_exits_2():
    assert invoke("score").exit_code == 2
