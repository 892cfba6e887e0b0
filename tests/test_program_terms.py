"""Program terms: one source (the answer, else templates/program-terms.yaml) for every number, cadence
and threshold the documents state; consultants override the file by layering; errors are located."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import invoke, snapshot
from readiness import resources
from readiness.documents.terms import TERMS, TERMS_FILE, ProgramTermsFile, load_term_defaults


def _build(site: Path, *extra) -> Path:
    result = invoke("build", site, *extra)
    assert result.exit_code == 0, result.output
    return max((site / "drafts").glob("v*"))


def test_the_bundled_terms_file_sets_every_term_no_question_answers():
    defaults = load_term_defaults([resources.templates_dir()])
    for name, spec in TERMS.items():
        if spec.question is None:
            assert name in defaults.values, f"{name} has no default in {TERMS_FILE}"
    assert set(ProgramTermsFile.model_fields) == set(TERMS)


def test_a_consultant_terms_file_overrides_key_by_key_and_every_document_follows(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / TERMS_FILE).write_text("crisis_notice_hours: 4\nsmall_cell_threshold: 11\n", encoding="utf-8")
    out = _build(site, "--templates", acme)
    mou = (out / "mou.md").read_text()
    clt = (out / "clt-charter.md").read_text()
    assert "in any case within 4 hours" in mou
    assert "PCG chair within 4 hours" in clt
    for name in ("data-sharing.md", "evaluation-plan.md"):
        assert "Counts below 11 are suppressed" in (out / name).read_text(), name
    # keys the consultant file does not set keep the bundled default
    assert "Within 24 hours the agency heads agree one joint statement" in clt


def test_an_answer_wins_over_a_default_and_a_default_is_marked_in_the_memo(tmp_path, example_copy):
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / TERMS_FILE).write_text("caseload_cap: 15\n", encoding="utf-8")
    answered = example_copy("harbor-county")  # caseload_cap answered: 20
    out = _build(answered, "--templates", acme)
    assert "within the cap of 20 participants per case manager" in (out / "mou.md").read_text()
    assert "| Caseload cap per full-time case manager | 20 participants | Answer |" in \
        (out / "drafting-memo.md").read_text()

    blank = tmp_path / "blank"
    assert invoke("new", blank, "--name", "Blank County", "--state", "NC").exit_code == 0
    out = _build(blank, "--templates", acme)
    assert "within the cap of 15 participants per case manager" in (out / "mou.md").read_text()
    memo = (out / "drafting-memo.md").read_text()
    assert "| Caseload cap per full-time case manager | 15 participants | Proposed default |" in memo
    # no default and no answer: an open item, named like the question's placeholder
    assert "| Intake window after an arrest diversion | [TO CONFIRM: intake window in days] | Open: to be answered |" in memo


def test_a_misspelt_key_in_the_terms_file_is_a_located_error_and_nothing_is_built(tmp_path, example_copy):
    site = example_copy("harbor-county")
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / TERMS_FILE).write_text("crisis_notice_hours: 4\nsmall_cel_threshold: 5\n", encoding="utf-8")
    before = snapshot(site)
    result = invoke("build", site, "--templates", acme)
    assert result.exit_code == 1
    assert f"{acme / TERMS_FILE}:2" in result.stderr
    assert "unknown key 'small_cel_threshold'" in result.stderr
    assert "small_cell_threshold" in result.stderr  # did you mean
    assert "Traceback" not in result.output
    assert snapshot(site) == before


@pytest.mark.parametrize("text, message", [
    ("crisis_notice_hours: soon\n", "crisis_notice_hours"),
    ("owg_cadence: daily\n", "not one of the choices of question 'owg_cadence'"),
    ("- 1\n- 2\n", "must be a mapping"),
])
def test_lint_reports_a_bad_terms_file_with_file_and_line(tmp_path, text, message):
    acme = tmp_path / "acme"
    acme.mkdir()
    (acme / TERMS_FILE).write_text(text, encoding="utf-8")
    result = invoke("lint", "--templates", acme)
    assert result.exit_code == 3, result.output
    assert str(acme / TERMS_FILE) in result.stdout
    assert message in result.stdout


def test_a_template_naming_an_unknown_term_or_attribute_is_a_lint_error(tmp_path):
    acme = tmp_path / "acme"
    (acme / "plans").mkdir(parents=True)
    source = (resources.templates_dir() / "plans" / "clt-charter.md.j2").read_text()
    source = source.replace("{{ terms.crisis_notice_hours.text }}", "{{ terms.crisis_notice_hour.txt }}", 1)
    (acme / "plans" / "clt-charter.md.j2").write_text(source, encoding="utf-8")
    result = invoke("lint", "--templates", acme)
    assert result.exit_code == 3
    assert "'terms.crisis_notice_hour' is not a fact" in result.stdout
    assert "crisis_notice_hours" in result.stdout


def test_no_template_writes_a_term_as_a_literal_number_any_more():
    """The phrases that used to disagree between documents now all come from `terms`."""
    folder = resources.templates_dir()
    literals = [r"in any case within 24 hours", r"PCG chair within two", r"again within 24 hours", r"refresher[^.\n]*every six months", r"Counts (?:below|under) \d",
                r"Two CLT members", r"90 per ?cent", r"arrest diversions are still accepted", r"24 to 72 hours"]
    for path in folder.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        for pattern in literals:
            assert not re.search(pattern, text), f"{path.relative_to(folder)}: literal {pattern!r}"
